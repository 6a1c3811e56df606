/* fuzz_regex.c - libFuzzer target for the pattern compiler and matcher, pattern and input
 * both from the fuzzer (tests/fuzz/run_regex.sh builds and runs it; make fuzz-regex).
 *
 * Input: byte 0 selects (bit 0: the u-mode parser only, without Annex B; bit 1: the subject
 * is made valid UTF-8 by dropping the bytes that break it, as a JSON string always is; bit 2:
 * compare a u-mode pattern's Annex B and u-mode compiles; bit 3: emit the C too), byte 1 is
 * the pattern's length, then the pattern, then the subject.
 * Design: everything codegen and the runtime do with a pattern runs under ASan and UBSan:
 * the syntax check, the parser (both modes), compiling with and without static DFAs,
 * emitting C, and matching with each engine (static DFA, lazy DFA through a small cache that
 * gets flushed, NFA simulation, the backtracker with and without the linear approximations of
 * a backreference pattern). Besides memory errors the target checks what must hold whatever
 * the input: the engines agree where none stopped at a limit, a pattern valid in u-mode
 * compiles with Annex B allowed too and means the same, and a pattern codegen refuses gets a
 * reason. A violation aborts, so libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_regex.h"

#define WORDS (1u << 16)

static uint64_t words[WORDS];

static void check(bool ok, const char *what, const char *pat, size_t n)
{
    if (ok) return;
    fprintf(stderr, "fuzz_regex: %s for pattern \"%.*s\"\n", what, (int)n, pat);
    abort();
}

/* Keeps the bytes of s[0..n) that form valid UTF-8 sequences; returns the new length. */
static size_t utf8_only(char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t len = u[0] < 0x80                    ? 1
                     : u[0] >= 0xC2 && u[0] <= 0xDF ? 2
                     : u[0] >= 0xE0 && u[0] <= 0xEF ? 3
                     : u[0] >= 0xF0 && u[0] <= 0xF4 ? 4
                                                    : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (u[k] & 0xC0) == 0x80;
        if (ok && len == 3) {
            uint32_t cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            uint32_t cp = (u[0] & 0x07u) << 18 | (u[1] & 0x3Fu) << 12;
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            i++;
            continue;
        }
        memmove(s + w, s + i, len);
        w += len;
        i += len;
    }
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mg_re_cache *cache;
    if (!cache) cache = mg_re_cache_new(1u << 16); /* small: flushes happen */
    if (size < 2) return 0;
    unsigned sel = data[0];
    size_t plen = data[1] < size - 2 ? data[1] : size - 2;
    const char *pat = (const char *)data + 2;
    size_t slen = size - 2 - plen;
    char *subject = malloc(slen + 1);
    if (!subject) return 0;
    memcpy(subject, pat + plen, slen);
    if (sel & 2) slen = utf8_only(subject, slen);
    unsigned flags = sel & 1 ? 0 : MG_RE_ANNEXB;

    char err[256];
    bool strict = mg_regex_syntax_ok(pat, plen, err, sizeof err);
    long lenient = mg_re_parse(pat, plen, MG_RE_ANNEXB, NULL, 0, NULL, err, sizeof err);
    check(!strict || lenient >= 0, "u-mode valid, refused with Annex B allowed", pat, plen);

    /* as emitted (static DFAs where they fit), and without static DFAs (for the lazy DFA and
     * the NFA simulation) */
    mg_re_prog *p[2] = {NULL, NULL};
    int rc[2], got[3];
    for (int e = 0; e < 2; e++) {
        err[0] = '\0';
        /* the second also without a backreference pattern's linear approximations */
        unsigned f = flags | (e ? CG_RE_NO_STATIC_DFA | CG_RE_NO_PREFILTER : 0);
        rc[e] = cg_regex_compile(pat, plen, f, &p[e], NULL, err, sizeof err);
        check(rc[e] == 0 || err[0], "refused without a reason", pat, plen);
        check((rc[e] == 0) == (p[e] != NULL), "result and program disagree", pat, plen);
    }
    /* a static DFA is only a limit of its own: it may not change what compiles */
    check((rc[0] == 0) == (rc[1] == 0), "compiles only with (or without) static DFAs", pat, plen);
    if (rc[0] == 0) {
        for (int e = 0; e < 3; e++) {
            mg_re_env env = {words, WORDS, e == 2 ? NULL : cache};
            got[e] = mg_re_match(p[e ? 1 : 0], subject, slen, &env);
            check(got[e] >= MG_RE_EMEM && got[e] <= MG_RE_MATCH, "result out of range", pat, plen);
        }
        bool limited = got[0] < 0 || got[1] < 0 || got[2] < 0;
        for (int e = 1; e < 3; e++)
            check(got[0] < 0 || got[e] < 0 || got[e] == got[0], "engines disagree", pat, plen);
        if (strict && flags && (sel & 4)) {
            /* the same pattern parsed without Annex B means the same */
            mg_re_prog *q;
            if (cg_regex_compile(pat, plen, CG_RE_NO_STATIC_DFA, &q, NULL, err, sizeof err) == 0) {
                mg_re_env env = {words, WORDS, cache};
                int u = mg_re_match(q, subject, slen, &env);
                check(u < 0 || limited || u == got[0], "u-mode and Annex B parses differ", pat,
                      plen);
                cg_regex_free(q);
            }
        }
        if (sel & 8) {
            char *text = NULL;
            size_t tlen = 0;
            FILE *f = open_memstream(&text, &tlen);
            if (f) {
                int er = cg_regex_emit(f, "fz", pat, plen, flags, NULL, err, sizeof err);
                fclose(f);
                check(er == 0 && tlen > 0, "compiled but not emitted", pat, plen);
            }
            free(text);
        }
    }
    for (int e = 0; e < 2; e++)
        cg_regex_free(p[e]);
    free(subject);
    return 0;
}
