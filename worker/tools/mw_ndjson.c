/* mw_ndjson.c - splits a file of newline-delimited JSON into lines, reading ahead with
 * io_uring.
 *
 * Design: two chunk buffers with padding after them. While the lines of one are handed out in
 * place (no copy), a read of the next chunk into the other is in flight. A line cut by a chunk
 * end is assembled in a carry buffer: its head is copied there, and its rest when the next
 * chunk arrives; the carry grows with the longest such line, never past the limit, so memory
 * follows what is read rather than the limit. Lines longer than the limit are skipped and
 * reported as oversize as soon as that is certain, never truncated. A line may end in "\r\n":
 * the '\r' is no part of it, also when a read ends between the two (one byte over the limit
 * is kept while it may be that '\r'), so the verdict never depends on where reads split.
 * Non-seekable input (pipes, terminals) is read with read(2). One thread; the buffers live
 * for one call.
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
#define CARRY_MIN ((size_t)64 << 10)

typedef struct reader {
    size_t max_line;
    char *buf[2]; /* CHUNK + MG_JSON_PADDING each */
    size_t bufsize;
    char *carry; /* the head of a line cut by a chunk end; carry_cap - MG_JSON_PADDING usable */
    size_t carry_len, carry_cap;
    mw_line_fn fn;
    void *arg;
    uint64_t lineno;
    bool skipping; /* inside an oversize line (already reported): up to its '\n' */
    bool stop;
} reader;

/* Hands out one line: p[0..len) without its '\n' (a trailing '\r' is dropped here); cap bytes
 * are readable from p. */
static void line(reader *r, const char *p, size_t len, size_t cap)
{
    if (len && p[len - 1] == '\r') len--;
    r->lineno++;
    if (len > r->max_line)
        r->stop = !r->fn(r->arg, p, 0, 0, r->lineno, true);
    else
        r->stop = !r->fn(r->arg, p, len, cap, r->lineno, false);
}

/* Appends p[0..n) to the line being assembled. When it can no longer be a line within the
 * limit (one byte more is allowed while that byte is a '\r'), the line is reported oversize
 * and skipped. -1 (errstr) when the carry cannot grow. */
static int carry_add(reader *r, const char *p, size_t n, char *errstr, size_t errlen)
{
    size_t need = r->carry_len + n;
    char last = n ? p[n - 1] : r->carry_len ? r->carry[r->carry_len - 1] : 0;
    if (need > r->max_line && !(need == r->max_line + 1 && last == '\r')) {
        r->lineno++;
        r->stop = !r->fn(r->arg, p, 0, 0, r->lineno, true);
        r->carry_len = 0;
        r->skipping = true;
        return 0;
    }
    if (need + MG_JSON_PADDING > r->carry_cap) {
        size_t cap = r->carry_cap ? r->carry_cap * 2 : CARRY_MIN;
        if (cap < need + MG_JSON_PADDING) cap = need + MG_JSON_PADDING;
        if (cap > r->max_line + 1 + MG_JSON_PADDING) cap = r->max_line + 1 + MG_JSON_PADDING;
        char *c = realloc(r->carry, cap);
        if (!c) {
            snprintf(errstr, errlen, "out of memory for a %zu-byte line", need);
            return -1;
        }
        r->carry = c;
        r->carry_cap = cap;
    }
    memcpy(r->carry + r->carry_len, p, n);
    r->carry_len = need;
    return 0;
}

/* Hands out the lines of p[0..n) (cap_end bytes readable from p), the first one completing
 * the carried line if there is one; keeps an unfinished last line unless this is the end of
 * the input. -1 with errstr on failure. */
static int feed(reader *r, const char *p, size_t n, size_t cap_end, bool last, char *errstr,
                size_t errlen)
{
    size_t start = 0;
    if (r->skipping || r->carry_len) {
        const char *nl = memchr(p, '\n', n);
        size_t piece = nl ? (size_t)(nl - p) : n;
        if (!r->skipping && carry_add(r, p, piece, errstr, errlen) < 0) return -1;
        bool lone_cr = !nl && r->carry_len == 1 && r->carry[0] == '\r'; /* "\n\r" at the end */
        if (!r->skipping && !r->stop && (nl || (last && !lone_cr)))
            line(r, r->carry, r->carry_len, r->carry_cap);
        if (nl || last) r->carry_len = 0;
        if (nl) r->skipping = false;
        start = nl ? piece + 1 : n;
    }
    while (start < n && !r->stop) {
        const char *nl = memchr(p + start, '\n', n - start);
        if (!nl) break;
        size_t end = (size_t)(nl - p);
        line(r, p + start, end - start, cap_end - start);
        start = end + 1;
    }
    if (start >= n || r->stop) return 0;
    size_t tail = n - start;
    if (!last) return carry_add(r, p + start, tail, errstr, errlen);
    if (!(tail == 1 && p[start] == '\r')) line(r, p + start, tail, cap_end - start);
    return 0;
}

static int read_pipe(reader *r, int fd, char *errstr, size_t errlen)
{
    for (;;) {
        ssize_t got = read(fd, r->buf[0], CHUNK);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            snprintf(errstr, errlen, "read: %s", strerror(errno));
            return -1;
        }
        if (feed(r, r->buf[0], (size_t)got, r->bufsize, got == 0, errstr, errlen) < 0) return -1;
        if (got == 0 || r->stop) return 0;
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
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, r->buf[0], (unsigned)CHUNK, off);
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
        if (got > 0) { /* the next chunk goes into the other buffer while this one is split */
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_read(sqe, fd, r->buf[nxt], (unsigned)CHUNK, off);
            io_uring_submit(&ring);
        }
        result = feed(r, r->buf[cur], (size_t)got, r->bufsize, got == 0, errstr, errlen);
        if (got == 0 || r->stop || result < 0) {
            if (got > 0) {
                io_uring_wait_cqe(&ring, &cqe);
                io_uring_cqe_seen(&ring, cqe);
            }
            break;
        }
        cur = nxt;
    }
    io_uring_queue_exit(&ring);
    return result;
}

int mw_ndjson_read(int fd, size_t max_line, mw_line_fn fn, void *arg, char *errstr, size_t errlen)
{
    reader r = {.max_line = max_line, .fn = fn, .arg = arg};
    r.bufsize = CHUNK + MG_JSON_PADDING;
    r.buf[0] = malloc(r.bufsize);
    r.buf[1] = malloc(r.bufsize);
    int rc = -1;
    if (!r.buf[0] || !r.buf[1]) {
        snprintf(errstr, errlen, "out of memory for %zu-byte read buffers", r.bufsize);
    } else {
        memset(r.buf[0] + CHUNK, 0, MG_JSON_PADDING);
        memset(r.buf[1] + CHUNK, 0, MG_JSON_PADDING);
        struct stat st;
        bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        rc = regular ? read_uring(&r, fd, errstr, errlen) : read_pipe(&r, fd, errstr, errlen);
    }
    free(r.buf[0]);
    free(r.buf[1]);
    free(r.carry);
    return rc;
}
