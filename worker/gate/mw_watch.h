/* mw_watch.h - watching the configuration file and the schema set for `reload.watch: on`
 * (see mw_watch.c). */
#ifndef MW_WATCH_H
#define MW_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mw_watch mw_watch;

/* Watches nothing yet; a change is due debounce_ms after the last event of a burst. NULL and
 * errstr on failure. */
mw_watch *mw_watch_new(uint32_t debounce_ms, char *errstr, size_t errlen);
void mw_watch_free(mw_watch *w);

/* Watches paths[0..n) (again: call after every reload, the paths or their symbolic links may
 * have changed): the directory of each, and of each symbolic link on the way to the file,
 * for the names that lead to it. false and errstr ("cannot watch DIR: why") on failure; the
 * paths that could be watched still are. */
bool mw_watch_arm(mw_watch *w, const char *const *paths, size_t n, char *errstr, size_t errlen);

/* Reads the events that arrived (never blocks). Returns true once a burst of changes to a
 * watched path has been followed by debounce_ms of quiet, with the first name it changed in
 * what (cap bytes); then nothing is due until the next change. */
bool mw_watch_due(mw_watch *w, int64_t now_us, char *what, size_t cap);

#endif
