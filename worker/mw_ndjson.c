/* mw_ndjson.c - splits a file of newline-delimited JSON into lines, reading ahead with
 * io_uring.
 *
 * Design: two buffers, each with a prefix as large as the longest allowed line, a chunk, and
 * padding. While the lines of one buffer are handed out in place (no copy), a read of the
 * next chunk into the other buffer is in flight. A line cut by the chunk end is completed by
 * copying its head into the prefix of the next buffer, just before the new data, so every line
 * is contiguous. Lines longer than the limit are skipped and reported as oversize, never
 * truncated. Non-seekable input (pipes, terminals) is read with read(2). One thread; the
 * buffers live for one call.
 */
#include "mw_ndjson.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_json.h"

#define CHUNK ((size_t)4 << 20)

typedef struct reader {
    size_t max_line;
    char *buf[2];
    size_t bufsize;
    mw_line_fn fn;
    void *arg;
    uint64_t lineno;
    bool skipping; /* inside an oversize line */
    bool stop;
} reader;

/* Hands out complete lines of p[0..n); returns the length of the unfinished tail. */
static size_t split(reader *r, char *p, size_t n, size_t cap_end, bool last)
{
    size_t start = 0;
    while (start < n && !r->stop) {
        char *nl = memchr(p + start, '\n', n - start);
        if (!nl && !last) break;
        size_t end = nl ? (size_t)(nl - p) : n;
        size_t len = end - start;
        if (!r->skipping) {
            if (len && p[start + len - 1] == '\r') len--;
            r->lineno++;
            if (len > r->max_line)
                r->stop = !r->fn(r->arg, p + start, 0, 0, r->lineno, true);
            else if (!(last && !nl && len == 0))
                r->stop = !r->fn(r->arg, p + start, len, cap_end - start, r->lineno, false);
            else
                r->lineno--;
        }
        r->skipping = false;
        start = end + 1;
    }
    if (start >= n) return 0;
    size_t tail = n - start;
    if (tail > r->max_line && !r->skipping) {
        r->lineno++;
        r->stop = !r->fn(r->arg, p + start, 0, 0, r->lineno, true);
        r->skipping = true;
    }
    return r->skipping ? 0 : tail;
}

static int read_pipe(reader *r, int fd, char *errstr, size_t errlen)
{
    char *b = r->buf[0];
    size_t have = 0, cap = r->max_line + CHUNK;
    for (;;) {
        ssize_t got = read(fd, b + have, cap - have);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            snprintf(errstr, errlen, "read: %s", strerror(errno));
            return -1;
        }
        size_t n = have + (size_t)got;
        size_t tail = split(r, b, n, r->bufsize, got == 0);
        if (got == 0 || r->stop) return 0;
        memmove(b, b + n - tail, tail);
        have = tail;
    }
}

static int read_uring(reader *r, int fd, char *errstr, size_t errlen)
{
    struct io_uring ring;
    int rc = io_uring_queue_init(4, &ring, 0);
    if (rc < 0) {
        snprintf(errstr, errlen, "io_uring_queue_init: %s", strerror(-rc));
        return -1;
    }
    uint64_t off = 0;
    int cur = 0;
    size_t tail = 0;
    /* data of buffer i is read at buf[i] + max_line; its prefix takes the previous tail */
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, r->buf[0] + r->max_line, (unsigned)CHUNK, off);
    io_uring_submit(&ring);
    int result = 0;
    for (;;) {
        struct io_uring_cqe *cqe;
        rc = io_uring_wait_cqe(&ring, &cqe);
        if (rc < 0) {
            snprintf(errstr, errlen, "io_uring_wait_cqe: %s", strerror(-rc));
            result = -1;
            break;
        }
        int got = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
        if (got < 0) {
            snprintf(errstr, errlen, "read: %s", strerror(-got));
            result = -1;
            break;
        }
        off += (uint64_t)got;
        int nxt = 1 - cur;
        if (got > 0) {
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_read(sqe, fd, r->buf[nxt] + r->max_line, (unsigned)CHUNK, off);
            io_uring_submit(&ring);
        }
        char *data = r->buf[cur] + r->max_line - tail;
        size_t n = tail + (size_t)got;
        /* The padding after a line must not run into bytes the pending read may write:
         * only the current buffer's own space counts as readable. */
        size_t cap_end = r->bufsize - (size_t)(data - r->buf[cur]);
        size_t rest = split(r, data, n, cap_end, got == 0);
        if (got == 0 || r->stop) {
            if (got > 0) {
                io_uring_wait_cqe(&ring, &cqe);
                io_uring_cqe_seen(&ring, cqe);
            }
            break;
        }
        memcpy(r->buf[nxt] + r->max_line - rest, data + n - rest, rest);
        tail = rest;
        cur = nxt;
    }
    io_uring_queue_exit(&ring);
    return result;
}

int mw_ndjson_read(int fd, size_t max_line, mw_line_fn fn, void *arg, char *errstr, size_t errlen)
{
    reader r = {.max_line = max_line, .fn = fn, .arg = arg};
    r.bufsize = max_line + CHUNK + MG_JSON_PADDING;
    r.buf[0] = malloc(r.bufsize);
    r.buf[1] = malloc(r.bufsize);
    int rc = -1;
    if (!r.buf[0] || !r.buf[1]) {
        snprintf(errstr, errlen, "out of memory for %zu-byte read buffers", r.bufsize);
    } else {
        memset(r.buf[0] + r.bufsize - MG_JSON_PADDING, 0, MG_JSON_PADDING);
        memset(r.buf[1] + r.bufsize - MG_JSON_PADDING, 0, MG_JSON_PADDING);
        struct stat st;
        bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        rc = regular ? read_uring(&r, fd, errstr, errlen) : read_pipe(&r, fd, errstr, errlen);
    }
    free(r.buf[0]);
    free(r.buf[1]);
    return rc;
}
