/* test_ndjson.c - unit tests for worker/tools/mw_ndjson.c: the lines handed out match a reference
 * split of the same bytes however the reads cut them (a pipe written in random pieces), for
 * LF and CRLF endings, empty lines, lines of exactly the limit, one byte over it and far over
 * it, and a last line without a newline; and a regular file read through io_uring with a line
 * across the 4 MiB chunk boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mw_ndjson.h"

enum { MAX_LINE = 200, MAX_LINES = 50000 };

typedef struct got_line {
    size_t len;
    bool oversize;
    uint64_t lineno;
    char *text;
} got_line;

typedef struct lines {
    got_line v[MAX_LINES];
    size_t n;
} lines;

static bool collect(void *arg, const char *line, size_t len, size_t cap, uint64_t lineno,
                    bool oversize)
{
    lines *l = arg;
    assert_true(l->n < MAX_LINES);
    assert_true(cap >= len);
    got_line *g = &l->v[l->n++];
    *g = (got_line){len, oversize, lineno, malloc(len + 1)};
    assert_non_null(g->text);
    memcpy(g->text, line, len);
    g->text[len] = 0;
    return true;
}

/* The reference: split at '\n', drop one trailing '\r', no line after a final '\n'. */
static void reference(const char *data, size_t n, lines *want)
{
    size_t start = 0;
    while (start < n) {
        const char *nl = memchr(data + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - data) : n, len = end - start;
        if (!nl && len == 1 && data[start] == '\r') break; /* a lone CR at the end: no line */
        if (len && data[start + len - 1] == '\r') len--;
        got_line *g = &want->v[want->n++];
        bool over = len > MAX_LINE;
        *g = (got_line){over ? 0 : len, over, want->n, strndup(data + start, over ? 0 : len)};
        start = end + 1;
    }
}

static void compare(const lines *got, const lines *want)
{
    assert_int_equal(got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        if (got->v[i].len != want->v[i].len || got->v[i].oversize != want->v[i].oversize ||
            got->v[i].lineno != want->v[i].lineno || strcmp(got->v[i].text, want->v[i].text))
            fail_msg("line %zu: got len %zu oversize %d \"%.40s\", want len %zu oversize %d "
                     "\"%.40s\"",
                     i + 1, got->v[i].len, got->v[i].oversize, got->v[i].text, want->v[i].len,
                     want->v[i].oversize, want->v[i].text);
    }
}

static void free_lines(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    l->n = 0;
}

/* Random lines around the limit, LF or CRLF, the last one maybe without a newline. */
static size_t make_data(char *buf, size_t cap, unsigned seed)
{
    static const size_t lens[] = {0, 1, 50, MAX_LINE - 1, MAX_LINE, MAX_LINE + 1, 5000};
    size_t n = 0;
    srand(seed);
    while (n + 5000 + 2 < cap) {
        size_t len = lens[rand() % 7];
        for (size_t i = 0; i < len; i++)
            buf[n++] = (char)('a' + rand() % 26);
        if (rand() % 2) buf[n++] = '\r';
        buf[n++] = '\n';
    }
    if (seed % 2) n--; /* no final newline */
    return n;
}

typedef struct writer {
    int fd;
    const char *data;
    size_t n;
    unsigned seed;
} writer;

static void *write_pieces(void *arg)
{
    writer *w = arg;
    unsigned s = w->seed;
    for (size_t off = 0; off < w->n;) {
        size_t piece = 1 + (size_t)rand_r(&s) % 700;
        if (piece > w->n - off) piece = w->n - off;
        ssize_t put = write(w->fd, w->data + off, piece);
        if (put <= 0) break;
        off += (size_t)put;
        if (rand_r(&s) % 8 == 0) usleep(100); /* let the reader drain: reads end anywhere */
    }
    close(w->fd);
    return NULL;
}

static void test_pipe_random_cuts(void **state)
{
    (void)state;
    static char data[1 << 20];
    static lines got, want;
    for (unsigned seed = 1; seed <= 6; seed++) {
        size_t n = make_data(data, sizeof data, seed);
        reference(data, n, &want);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        writer w = {fds[1], data, n, seed};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, write_pieces, &w), 0);
        char err[256] = "";
        int rc = mw_ndjson_read(fds[0], MAX_LINE, collect, &got, err, sizeof err);
        pthread_join(t, NULL);
        close(fds[0]);
        if (rc != 0) fail_msg("mw_ndjson_read: %s", err);
        compare(&got, &want);
        free_lines(&got);
        free_lines(&want);
    }
}

/* A regular file: a CRLF line whose CR sits just before, at and just after the end of the
 * first 4 MiB chunk; of exactly the limit, one under and one over it. */
static void test_file_chunk_boundary(void **state)
{
    (void)state;
    static const struct {
        int cr_off; /* the CR's index minus the chunk's last index */
        size_t len;
    } cases[] = {
        {-1, MAX_LINE}, {0, MAX_LINE}, {1, MAX_LINE}, {0, MAX_LINE - 1}, {0, MAX_LINE + 1}};
    size_t chunk = (size_t)4 << 20;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = chunk + 4096, cr = (size_t)((long)chunk - 1 + cases[c].cr_off);
        size_t at = cr - cases[c].len; /* the line's first byte */
        char *data = malloc(n);
        assert_non_null(data);
        memset(data, 'x', n);
        for (size_t i = 99; i < at; i += 100) /* filler lines of 99 bytes */
            data[i] = '\n';
        data[at - 1] = '\n';
        data[cr] = '\r';
        data[cr + 1] = '\n';
        data[n - 1] = '\n';
        FILE *f = tmpfile();
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        fflush(f);
        static lines got, want;
        reference(data, n, &want);
        char err[256] = "";
        int rc = mw_ndjson_read(fileno(f), MAX_LINE, collect, &got, err, sizeof err);
        fclose(f);
        if (rc != 0) fail_msg("mw_ndjson_read: %s", err);
        compare(&got, &want);
        free_lines(&got);
        free_lines(&want);
        free(data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipe_random_cuts),
        cmocka_unit_test(test_file_chunk_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
