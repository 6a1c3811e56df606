/* mw_watch.c - `reload.watch: on`: the configuration file and the schema set are watched with
 * inotify, and a change reloads as SIGHUP does (mw_run_loop.c), so a deploy that replaces them
 * needs no signal.
 *
 * Design: files are replaced rather than written in place by the tools that matter: an editor
 * or a deploy script writes a new file and renames it over the old one, and Kubernetes updates
 * a mounted ConfigMap or Secret by making a new timestamped directory and renaming a symbolic
 * link `..data` over the old one (each file of the volume is itself a link through `..data`).
 * A watch on the file would follow the old inode and miss both, so the directories are
 * watched instead, for the names that lead to the file: its own name in its directory and, for
 * each symbolic link on the way (up to 8), the link's first component in the link's directory
 * (`..data`) and the target's name in its directory. Writes in place are seen too
 * (close after write, or attributes changed as `touch` does). Every event for one of those
 * names starts or extends a burst, and the change is due once the burst has been quiet for
 * the debounce interval, so an editor's write-rename-chmod or the kubelet's several renames
 * make one reload. After each reload the caller arms the watch again, so a new link target or
 * a schema set moved to another directory is followed; directories no longer needed are let
 * go. A queue overflow counts as a change. Main thread only.
 */
#include "mw_watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* One name that leads to a watched file, in the directory of watch descriptor wd. */
typedef struct wname {
    int wd;
    char name[NAME_MAX + 1];
} wname;

struct mw_watch {
    int fd;
    int64_t debounce_us;
    int64_t due_us; /* 0: nothing changed */
    char what[PATH_MAX];
    wname *names;
    size_t n, cap;
    char *buf; /* read buffer, aligned for struct inotify_event */
};

enum { BUF_LEN = 16 * (sizeof(struct inotify_event) + NAME_MAX + 1), MAX_LINKS = 8 };
enum { MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB };

mw_watch *mw_watch_new(uint32_t debounce_ms, char *errstr, size_t errlen)
{
    mw_watch *w = calloc(1, sizeof *w);
    if (w) w->buf = aligned_alloc(__alignof__(struct inotify_event), BUF_LEN);
    if (!w || !w->buf) {
        if (w) free(w);
        snprintf(errstr, errlen, "reload.watch: out of memory");
        return NULL;
    }
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        snprintf(errstr, errlen, "reload.watch: inotify: %s", strerror(errno));
        free(w->buf);
        free(w);
        return NULL;
    }
    w->debounce_us = (int64_t)debounce_ms * 1000;
    return w;
}

void mw_watch_free(mw_watch *w)
{
    if (!w) return;
    close(w->fd);
    free(w->names);
    free(w->buf);
    free(w);
}

/* Splits path into its directory (dir, "." when none) and its last name. */
static void split(const char *path, char dir[PATH_MAX], const char **name)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, PATH_MAX, ".");
        *name = path;
        return;
    }
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    snprintf(dir, PATH_MAX, "%.*s", (int)n, path);
    *name = slash + 1;
}

/* Watches name in dir (the directory followed if it is a link). */
static bool add(mw_watch *w, const char *dir, const char *name, size_t len, char *errstr,
                size_t errlen)
{
    int wd = inotify_add_watch(w->fd, dir, MASK);
    if (wd < 0) {
        snprintf(errstr, errlen, "reload.watch: cannot watch %s: %s", dir, strerror(errno));
        return false;
    }
    if (len == 0 || len > NAME_MAX) return true;
    for (size_t i = 0; i < w->n; i++)
        if (w->names[i].wd == wd && strlen(w->names[i].name) == len &&
            memcmp(w->names[i].name, name, len) == 0)
            return true;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        wname *nn = realloc(w->names, cap * sizeof *nn);
        if (!nn) {
            snprintf(errstr, errlen, "reload.watch: out of memory");
            return false;
        }
        w->names = nn;
        w->cap = cap;
    }
    w->names[w->n].wd = wd;
    memcpy(w->names[w->n].name, name, len);
    w->names[w->n].name[len] = 0;
    w->n++;
    return true;
}

/* The names that lead from path to the file it names, through up to MAX_LINKS links. */
static bool arm_one(mw_watch *w, const char *path, char *errstr, size_t errlen)
{
    char cur[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
    snprintf(cur, sizeof cur, "%s", path);
    for (int hop = 0; hop <= MAX_LINKS; hop++) {
        const char *name;
        split(cur, dir, &name);
        if (!add(w, dir, name, strlen(name), errstr, errlen)) return false;
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return true;
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n <= 0) return true;
        target[n] = 0;
        if (target[0] == '/') {
            snprintf(cur, sizeof cur, "%s", target);
            continue;
        }
        /* a relative link: its first component in the link's directory (`..data`) too */
        size_t first = strcspn(target, "/");
        if (target[first] && !(first == 1 && target[0] == '.') &&
            !(first == 2 && target[0] == '.' && target[1] == '.') &&
            !add(w, dir, target, first, errstr, errlen))
            return false;
        char next[PATH_MAX];
        if (snprintf(next, sizeof next, "%s/%s", dir, target) >= (int)sizeof next) return true;
        snprintf(cur, sizeof cur, "%s", next);
    }
    return true;
}

bool mw_watch_arm(mw_watch *w, const char *const *paths, size_t n, char *errstr, size_t errlen)
{
    wname *old = w->names;
    size_t n_old = w->n;
    w->names = NULL;
    w->n = w->cap = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        if (paths[i] && paths[i][0] && !arm_one(w, paths[i], errstr, errlen)) ok = false;
    for (size_t i = 0; i < n_old; i++) { /* directories no longer on any way */
        bool kept = false;
        for (size_t j = 0; j < w->n && !kept; j++)
            kept = w->names[j].wd == old[i].wd;
        for (size_t j = 0; j < i && !kept; j++)
            kept = old[j].wd == old[i].wd; /* let go once */
        if (!kept) inotify_rm_watch(w->fd, old[i].wd);
    }
    free(old);
    return ok;
}

static bool relevant(const mw_watch *w, const struct inotify_event *e)
{
    if (e->mask & IN_Q_OVERFLOW) return true;
    if (!e->len) return false;
    for (size_t i = 0; i < w->n; i++)
        if (w->names[i].wd == e->wd && strcmp(w->names[i].name, e->name) == 0) return true;
    return false;
}

bool mw_watch_due(mw_watch *w, int64_t now_us, char *what, size_t cap)
{
    ssize_t got;
    while ((got = read(w->fd, w->buf, BUF_LEN)) > 0) {
        for (char *p = w->buf; p < w->buf + got;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            p += sizeof *e + e->len;
            if (!relevant(w, e)) continue;
            if (!w->due_us)
                snprintf(w->what, sizeof w->what, "%s",
                         e->mask & IN_Q_OVERFLOW ? "(inotify queue overflow)" : e->name);
            w->due_us = now_us + w->debounce_us;
        }
    }
    if (!w->due_us || now_us < w->due_us) return false;
    w->due_us = 0;
    snprintf(what, cap, "%s", w->what);
    return true;
}
