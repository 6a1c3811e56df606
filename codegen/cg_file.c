/* cg_file.c - bounded reads of regular files only (cg_file.h).
 *
 * Design: open with O_NONBLOCK (so opening a FIFO with no writer returns at once), then fstat
 * the open descriptor - not the name, which could change in between - and refuse anything but
 * a regular file, or one larger than the limit. The read loop is bounded too: a file that
 * grows while it is read is refused rather than followed. No state.
 */
#include "cg_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind(mode_t m)
{
    return S_ISDIR(m)    ? "a directory"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

bool cg_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open: %s", strerror(e));
        errno = e;
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot stat: %s", strerror(errno));
        close(fd);
        errno = EIO;
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file (%s): only regular files are read",
                 kind(st.st_mode));
        close(fd);
        errno = EINVAL;
        return false;
    }
    if ((unsigned long long)st.st_size > CG_MAX_FILE_BYTES) {
        snprintf(err, errlen, "larger than %zu bytes, the limit for a file codegen reads",
                 CG_MAX_FILE_BYTES);
        close(fd);
        errno = EFBIG;
        return false;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *b = malloc(cap + 1);
    bool ok = b != NULL;
    while (ok) {
        if (n == cap) { /* it grew since fstat */
            snprintf(err, errlen, "changed while it was read");
            ok = false;
            break;
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            snprintf(err, errlen, "read error: %s", strerror(errno));
            ok = false;
        } else if (got == 0) {
            break;
        } else {
            n += (size_t)got;
        }
    }
    if (!b) snprintf(err, errlen, "out of memory");
    close(fd);
    if (!ok) {
        free(b);
        errno = EIO;
        return false;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return true;
}
