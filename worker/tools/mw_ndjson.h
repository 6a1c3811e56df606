/* mw_ndjson.h - reads newline-delimited JSON fast (see mw_ndjson.c). */
#ifndef MW_NDJSON_H
#define MW_NDJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called per line (without its "\n" or "\r\n"): the bytes, their length, how many bytes are
 * readable from `line` on (at least len; with MG_JSON_PADDING more the parser reads in place),
 * and the 1-based line number. `oversize` is set (and len is 0) for a line longer than the
 * limit, which is skipped. Return false to stop reading. */
typedef bool (*mw_line_fn)(void *arg, const char *line, size_t len, size_t cap, uint64_t lineno,
                           bool oversize);

/* Reads fd to the end. Regular files are read with io_uring, the next chunk in flight while
 * the current one is handed out; pipes with read(2). Returns 0, or -1 with errstr set. */
int mw_ndjson_read(int fd, size_t max_line, mw_line_fn fn, void *arg, char *errstr, size_t errlen);

#endif
