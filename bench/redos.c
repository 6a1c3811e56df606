/* redos.c - the ReDoS row of make bench: patterns that make backtracking engines take
 * exponential time, against hostile strings of 1 KB, 100 KB and 1 MB, in ns per byte.
 *
 * Design: each pattern is compiled by meshgate's pattern compiler (the same program codegen
 * emits as C) and matched with mg_re_match in working memory like a validator's for a
 * message of that size (scratch words and a lazy DFA cache of MG_RE_CACHE_BYTES). Every
 * (pattern, size) is timed over repeated runs for at least 0.2 s after a warm-up, and the
 * best run is reported, so a quiet moment of a shared machine is what is measured; a random
 * string is a new one at every run, so no run finds its DFA states built by the one before. A
 * linear engine gives the same ns per byte at every size; the backreference pattern runs on the
 * bounded backtracker and stops at its budget (MG_RE_BT_BASE + MG_RE_BT_PER_BYTE steps per
 * byte), which its result shows.
 *
 * Usage: mgredos [--quick]   (--quick: 1 KB and 100 KB only)
 * Prints one line per pattern and size:
 *   redos pattern=P input=I bytes=N ns_per_byte=X result=match|nomatch|limit:WHICH
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_regex.h"

typedef struct row {
    const char *pattern;
    const char *input; /* what the hostile string is, for the table */
    char unit;         /* the string is unit repeated (0: random a and b, ~: abab...), then tail */
    const char *tail;
} row;

static const row rows[] = {
    {"^(a+)+$", "a...a!", 'a', "!"},
    {"(a|a)*b", "a...a", 'a', ""},
    {"(x+x+)+y", "x...x", 'x', ""},
    /* no a is followed by 25 more bytes, so the whole string is read */
    {"(a|b)*a(a|b){25}", "b...ba{25}", 'b', "aaaaaaaaaaaaaaaaaaaaaaaaa"},
    /* random a and b: a DFA for it has 2^26 states, so the lazy DFA meets a new one at almost
     * every byte and its cache fills and is flushed again and again: its worst case */
    {"(a|b)*a(a|b){25}c", "random-ab", 0, ""},
    /* lookarounds around nested quantifiers, each lookahead and lookbehind kind */
    {"^(?:(?!(a|a)*b)(?<=(a+)+)(?=(x+x+)+y|a)(?<!(a|b)*c)a)+$", "a...a", 'a', ""},
    /* backreferences: the linear over-approximation rejects this one (no b) */
    {"^(a+)+\\1b$", "a...a", 'a', ""},
    /* and cannot decide this one (ab...ab has no letter twice in a row), so the backtracker
     * runs, to its step budget */
    {"(?:(?:(?<g>.)){2,}?\\k<g>)+", "abab...ab", '~', ""},
};

/* The hostile string of row r, n bytes (random ones differ with seed). */
static void fill(const row *r, char *s, size_t n, uint64_t seed)
{
    size_t tl = strlen(r->tail);
    uint64_t x = 88172645463325252ull ^ seed;
    for (size_t i = 0; i < n - tl; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        s[i] = r->unit == '~' ? "ab"[i & 1] : r->unit ? r->unit : "ab"[x & 1];
    }
    memcpy(s + n - tl, r->tail, tl);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *result_name(int rc)
{
    static char buf[64];
    if (rc == MG_RE_MATCH) return "match";
    if (rc == MG_RE_NOMATCH) return "nomatch";
    snprintf(buf, sizeof buf, "limit:%s", rc == MG_RE_ESTEPS ? "steps" : "memory");
    return buf;
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    static const size_t sizes[] = {1024, 100 * 1024, 1024 * 1024};
    size_t nsizes = quick ? 2 : 3, max = sizes[nsizes - 1];
    /* a validator for messages of max bytes has about that many scratch words */
    size_t nwords = max + max / 16 + 65536;
    uint64_t *words = malloc(nwords * sizeof *words);
    char *s = malloc(max + 8);
    mg_re_cache *cache = mg_re_cache_new(MG_RE_CACHE_BYTES);
    if (!words || !s || !cache) return 2;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        mg_re_prog *p;
        char err[256];
        const char *pat = rows[r].pattern;
        if (cg_regex_compile(pat, strlen(pat), MG_RE_ANNEXB, &p, NULL, err, sizeof err)) {
            fprintf(stderr, "mgredos: %s: %s\n", pat, err);
            return 1;
        }
        for (size_t k = 0; k < nsizes; k++) {
            size_t n = sizes[k];
            fill(&rows[r], s, n, 0);
            mg_re_env env = {words, nwords, cache};
            int rc = mg_re_match(p, s, n, &env); /* warm-up */
            double best = 1e30, total = 0;
            for (int run = 0; run < 3 || total < 0.2; run++) {
                if (!rows[r].unit) fill(&rows[r], s, n, (uint64_t)run + 1); /* no reuse */
                double t0 = now();
                rc = mg_re_match(p, s, n, &env);
                double t = now() - t0;
                total += t;
                if (t < best) best = t;
            }
            printf("redos pattern=%s input=%s bytes=%zu ns_per_byte=%.2f result=%s\n", pat,
                   rows[r].input, n, best * 1e9 / (double)n, result_name(rc));
            fflush(stdout);
        }
        cg_regex_free(p);
    }
    mg_re_cache_free(cache);
    free(words);
    free(s);
    return 0;
}
