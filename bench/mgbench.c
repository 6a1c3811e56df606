/* mgbench.c - the in-process validator benchmark: one core, messages held in memory, for
 * meshgate's compiled validator and for simdjson's DOM parse alone on the same bytes (the
 * physical limit of a parse-then-check design: meshgate parses with that same parser).
 *
 * Design: the NDJSON file is read into one buffer with padding at the end, so every line is
 * parsed in place (no copy), as the worker does. After one warm-up pass of each, --repeat
 * timed passes of the two implementations alternate (so a slow stretch of a shared machine
 * hits both alike); the best pass of each is reported. Allocations are counted by
 * this program's own malloc family (forwarding to glibc's), over the timed passes only, so
 * "allocs_per_msg" is the steady state. --verdicts writes meshgate's verdict per line ("1"
 * valid, "0" rejected) for the agreement check against the peers.
 *
 * Usage: mgbench --schemas SET.so --schema NAME --lines FILE [--repeat R] [--verdicts OUT]
 *        [--workload NAME] [--memo on|off] [--max-steps N]
 * --memo off validates without the memo (mg_rt.h), to measure what it saves; --max-steps sets
 * the step budget (default: the library's, proportional to each message).
 * Prints one line per implementation:
 *   workload=W impl=I msgs=N bytes=B ns_per_msg=X mb_per_s=Y msgs_per_s=Z allocs_per_msg=A
 * (meshgate's line also has steps_per_msg, the validator's own measure of work, and
 * rejected_limit, the messages that ran out of a budget)
 * and a last line workload=W peak_rss_kb=K input_kb=F (the process's peak resident set, which
 * includes the input file held in memory, and that file's size).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "meshgate.h"
#include "mg_json.h"
#include "mw_schemas.h"

/* ---- counting allocator ---- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t n_allocs; /* this program is single-threaded while it counts */

void *malloc(size_t n)
{
    n_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    n_allocs++;
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    n_allocs++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

void *aligned_alloc(size_t align, size_t n)
{
    n_allocs++;
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    n_allocs++;
    *out = __libc_memalign(align, n);
    return *out ? 0 : 12 /* ENOMEM */;
}

/* ---- input ---- */

typedef struct line {
    const char *p;
    size_t len, cap; /* cap: readable bytes from p (the rest of the buffer + padding) */
} line;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = __libc_malloc((size_t)n + MG_JSON_PADDING);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        __libc_free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) memset(buf + n, 0, MG_JSON_PADDING);
    *len = (size_t)n;
    return buf;
}

static line *split(char *buf, size_t len, size_t *n)
{
    size_t cap = 1024, k = 0;
    line *l = __libc_malloc(cap * sizeof *l);
    for (size_t i = 0; i < len;) {
        char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        if (k == cap) l = __libc_realloc(l, (cap *= 2) * sizeof *l);
        l[k++] = (line){buf + i, end - i, len + MG_JSON_PADDING - i};
        i = end + 1;
    }
    *n = k;
    return l;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef struct ctx {
    line *l;
    size_t n, bytes;
    mg_json_parser *parser;
    mg_validator *v;
    const mg_schema *schema;
    unsigned char *verdict;
    uint64_t steps, limited; /* of the last validation pass */
} ctx;

static void pass_parse(ctx *c)
{
    mg_doc doc;
    for (size_t i = 0; i < c->n; i++)
        mg_json_parse(c->parser, c->l[i].p, c->l[i].len, c->l[i].cap, &doc, NULL);
}

static void pass_validate(ctx *c)
{
    c->steps = c->limited = 0;
    for (size_t i = 0; i < c->n; i++) {
        mg_result r = mg_validate(c->v, c->schema, c->l[i].p, c->l[i].len, c->l[i].cap);
        c->verdict[i] = r == MG_OK;
        c->limited += r == MG_REJECT_LIMIT;
        c->steps += mg_validator_steps(c->v);
    }
}

typedef struct timing {
    double best; /* ns of the fastest pass */
    uint64_t allocs;
} timing;

static void timed(ctx *c, void (*pass)(ctx *), timing *t)
{
    uint64_t a0 = n_allocs;
    double t0 = now_ns();
    pass(c);
    double dt = now_ns() - t0;
    t->allocs += n_allocs - a0;
    if (dt < t->best) t->best = dt;
}

static void report(const ctx *c, const char *workload, const char *impl, const timing *t,
                   int repeat)
{
    printf("workload=%s impl=%s msgs=%zu bytes=%zu ns_per_msg=%.1f mb_per_s=%.1f "
           "msgs_per_s=%.0f allocs_per_msg=%.4f",
           workload, impl, c->n, c->bytes, t->best / (double)c->n, (double)c->bytes / t->best * 1e3,
           (double)c->n / t->best * 1e9, (double)t->allocs / ((double)c->n * repeat));
    if (strcmp(impl, "meshgate") == 0)
        printf(" steps_per_msg=%.1f rejected_limit=%llu", (double)c->steps / (double)c->n,
               (unsigned long long)c->limited);
    putchar('\n');
}

int main(int argc, char **argv)
{
    const char *so = NULL, *name = NULL, *path = NULL, *out = NULL, *workload = "?";
    int repeat = 5;
    mg_validator_conf vc = {0};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--schemas"))
            so = argv[i + 1];
        else if (!strcmp(argv[i], "--schema"))
            name = argv[i + 1];
        else if (!strcmp(argv[i], "--lines"))
            path = argv[i + 1];
        else if (!strcmp(argv[i], "--verdicts"))
            out = argv[i + 1];
        else if (!strcmp(argv[i], "--workload"))
            workload = argv[i + 1];
        else if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--memo"))
            vc.memo_entries = !strcmp(argv[i + 1], "off") ? MG_MEMO_OFF : 0;
        else if (!strcmp(argv[i], "--max-steps"))
            vc.max_steps = strtoull(argv[i + 1], NULL, 10);
    }
    if (!so || !name || !path || repeat < 1) {
        fprintf(stderr, "usage: mgbench --schemas SET.so --schema NAME --lines FILE "
                        "[--repeat R] [--verdicts OUT] [--workload NAME] [--memo on|off] "
                        "[--max-steps N]\n");
        return 2;
    }
    char err[512];
    mw_schemas *set = mw_schemas_load(so, err, sizeof err);
    const mg_schema *s = set ? mg_schema_find(mw_schemas_set(set), name) : NULL;
    size_t len = 0;
    char *buf = read_all(path, &len);
    if (!s || !buf) {
        fprintf(stderr, "mgbench: %s\n", !set ? err : !s ? "schema not found" : path);
        return 2;
    }
    ctx c = {0};
    c.l = split(buf, len, &c.n);
    size_t max = 0;
    for (size_t i = 0; i < c.n; i++) {
        c.bytes += c.l[i].len;
        if (c.l[i].len > max) max = c.l[i].len;
    }
    vc.max_bytes = max + 1;
    c.parser = mg_json_parser_new(max + 1, 256);
    c.v = mg_validator_new(&vc, err, sizeof err);
    c.schema = s;
    c.verdict = __libc_malloc(c.n ? c.n : 1);
    if (!c.parser || !c.v) {
        fprintf(stderr, "mgbench: %s\n", err);
        return 2;
    }
    /* Passes alternate, so a slow stretch of a shared machine hits both alike. */
    pass_parse(&c); /* warm-up */
    pass_validate(&c);
    timing tp = {1e300, 0}, tv = {1e300, 0};
    for (int r = 0; r < repeat; r++) {
        timed(&c, pass_parse, &tp);
        timed(&c, pass_validate, &tv);
    }
    report(&c, workload, "simdjson-parse", &tp, repeat);
    report(&c, workload, "meshgate", &tv, repeat);
    if (out) {
        FILE *f = fopen(out, "w");
        for (size_t i = 0; f && i < c.n; i++)
            fputs(c.verdict[i] ? "1\n" : "0\n", f);
        if (f) fclose(f);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("workload=%s peak_rss_kb=%ld input_kb=%zu\n", workload, ru.ru_maxrss, c.bytes / 1024);
    mg_validator_free(c.v);
    mg_json_parser_free(c.parser);
    mw_schemas_free(set);
    return 0;
}
