/* re_diff.c - checks meshgate's pattern compiler and matcher against verdicts from
 * JavaScript's own RegExp (tests/regex/gen_cases.js), and runs one pattern by hand.
 *
 * Usage: re_diff CASES.jsonl     one case a line: {"p": pattern, "u": valid with the u flag,
 *                                "b": valid without it, "annex": meant as Annex B,
 *                                "s": [strings], "m": [0|1 per string]}
 *        re_diff -e PATTERN [STRING...]   prints the verdict of every engine
 * Design: mg_regex_syntax_ok must agree with Node's u flag; a u-mode pattern must compile
 * with no Annex B syntax counted; a pattern meant as Annex B that Node compiles only without
 * the flag must compile with Annex B syntax counted; one Node refuses both ways must be
 * refused. Each string is matched three ways (engine_flags), each of which must give Node's
 * verdict when it gives one. Every disagreement is printed as a JSON line (pattern, flag,
 * string, Node's verdict, ours) ready to become a unit test; the last line counts them, and
 * the exit status is 1 if there was any. A pattern codegen refuses as "too large" (over the
 * limits README documents) is counted apart, not as a disagreement, and so is a string on
 * which a backreference pattern stopped at its step budget (the reject with reason limit the
 * budget is for; the first 20 are listed on stderr with Node's verdict).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_json.h"
#include "cg_regex.h"

#define WORDS (1u << 21)

typedef struct ctx {
    uint64_t *words;
    mg_re_cache *cache;
    size_t cases, strings, bad, too_large, limited[2], bt_limited;
} ctx;

/* The engines: as codegen emits the pattern (static DFAs where they fit, and a backtracking
 * pattern's linear approximations) with a lazy DFA cache; without static DFAs (the lazy DFA);
 * without either and without approximations (the NFA simulation, and the backtracker on
 * every string of a backreference pattern). */
static const unsigned engine_flags[3] = {MG_RE_ANNEXB, MG_RE_ANNEXB | CG_RE_NO_STATIC_DFA,
                                         MG_RE_ANNEXB | CG_RE_NO_STATIC_DFA | CG_RE_NO_PREFILTER};

static const char *const engine_names[3] = {"emitted", "lazy-dfa", "nfa/backtracker"};

/* Verdicts of the three engines (or the compile error, returned). */
static int run_engines(ctx *x, const char *pat, size_t plen, const char *s, size_t n, int out[3],
                       char *err, size_t errlen)
{
    for (int e = 0; e < 3; e++) {
        mg_re_prog *p;
        if (cg_regex_compile(pat, plen, engine_flags[e], &p, NULL, err, errlen) != 0) return 1;
        mg_re_env env = {x->words, WORDS, e == 2 ? NULL : x->cache};
        out[e] = mg_re_match(p, s, n, &env);
        cg_regex_free(p);
    }
    return 0;
}

static bool flag(const cj_node *line, const char *key)
{
    const cj_node *v = cj_get(line, key);
    return v && v->type == CJ_TRUE;
}

static void report(ctx *x, const cj_node *line, const char *what, const cj_node *str, int want,
                   const int got[3])
{
    x->bad++;
    fputs("{\"p\":", stdout);
    cj_write(stdout, cj_get(line, "p"));
    printf(",\"u\":%s,\"problem\":", flag(line, "u") ? "true" : "false");
    cj_write_str(stdout, what, strlen(what));
    if (str) {
        fputs(",\"s\":", stdout);
        cj_write(stdout, str);
        printf(",\"node\":%d,\"meshgate\":[%d,%d,%d]", want, got[0], got[1], got[2]);
    }
    puts("}");
}

/* A string that stopped at the backtracking budget, on stderr (they are not failures). */
static void report_limited(const cj_node *line, const cj_node *s, int want, int got)
{
    fputs("# limit: {\"p\":", stderr);
    cj_write(stderr, cj_get(line, "p"));
    fputs(",\"s\":", stderr);
    cj_write(stderr, s);
    fprintf(stderr, ",\"node\":%d,\"meshgate\":\"%s\"}\n", want, mg_re_limit_name(got));
}

/* Syntax: u-mode validity must be Node's with the u flag; a pattern meant as Annex B that
 * Node compiles only without it must compile here with Annex B syntax counted; one Node
 * refuses both ways must be refused. */
static bool check_syntax(ctx *x, const cj_node *line, const cj_node *p)
{
    int none[3] = {0, 0, 0};
    char err[256];
    mg_re_parsed pi;
    bool u = flag(line, "u"), b = flag(line, "b"), annex = flag(line, "annex");
    long lenient = mg_re_parse(p->str, p->len, MG_RE_ANNEXB, NULL, 0, &pi, err, sizeof err);
    bool strict = mg_regex_syntax_ok(p->str, p->len, NULL, 0);
    const char *problem = NULL;
    if (u != strict)
        problem = u ? "valid with the u flag, refused by mg_regex_syntax_ok"
                    : "invalid with the u flag, accepted by mg_regex_syntax_ok";
    else if (u && (lenient < 0 || pi.nannexb))
        problem = lenient < 0 ? err : "Annex B syntax counted in a u-mode pattern";
    else if (!u && !b && lenient >= 0)
        problem = "Node refuses the pattern both ways, meshgate accepts it";
    else if (!u && b && annex && (lenient < 0 || pi.nannexb == 0))
        problem = lenient < 0 ? err : "Annex B syntax not counted";
    if (problem) report(x, line, problem, NULL, 0, none);
    return problem == NULL;
}

static void check_case(ctx *x, const cj_node *line)
{
    const cj_node *p = cj_get(line, "p"), *ss = cj_get(line, "s"), *ms = cj_get(line, "m");
    int none[3] = {0, 0, 0};
    if (!p || p->type != CJ_STRING) return;
    x->cases++;
    if (!check_syntax(x, line, p) || !ss || !ms) return;
    char err[256];
    mg_re_prog *progs[3] = {NULL, NULL, NULL};
    for (int e = 0; e < 3; e++) {
        unsigned fl = engine_flags[e];
        if (cg_regex_compile(p->str, p->len, fl, &progs[e], NULL, err, sizeof err) != 0) {
            if (strstr(err, "pattern too large"))
                x->too_large++; /* a documented limit, with a clear error */
            else
                report(x, line, err, NULL, 0, none);
            goto done;
        }
    }
    for (size_t i = 0; i < ss->n && i < ms->n; i++) {
        const cj_node *s = ss->items[i];
        int want = ms->items[i]->str[0] == '1', got[3];
        x->strings++;
        for (int e = 0; e < 3; e++) {
            mg_re_env env = {x->words, WORDS, e == 2 ? NULL : x->cache};
            got[e] = mg_re_match(progs[e], s->str, s->len, &env);
        }
        bool wrong = false;
        for (int e = 0; e < 3; e++)
            wrong |= got[e] >= 0 && got[e] != want;
        if (wrong) {
            report(x, line, "verdicts differ", s, want, got);
        } else if (got[0] < 0) {
            /* a backreference pattern stopped at its step budget: the documented outcome
             * (a reject with reason limit), counted apart with node's verdict */
            x->limited[want]++;
            if (x->limited[0] + x->limited[1] <= 20) report_limited(line, s, want, got[0]);
        } else if (got[2] < 0) {
            x->bt_limited++; /* decided by a linear approximation, not by the backtracker */
        }
    }
done:
    for (int e = 0; e < 3; e++)
        cg_regex_free(progs[e]);
}

static int by_hand(ctx *x, int argc, char **argv)
{
    char err[256];
    mg_re_prog *p;
    cg_re_info info;
    if (cg_regex_compile(argv[2], strlen(argv[2]), MG_RE_ANNEXB, &p, &info, err, sizeof err)) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("annexb %u%s%s, backtracking %d, machines %u:", info.nannexb, info.nannexb ? " " : "",
           info.nannexb ? info.annexb_what : "", info.backtracking, p->nmach);
    for (size_t k = 0; k < p->nmach; k++)
        printf(" [%zu: %s %u, %s%s, looks %u]", k, p->mach[k].trans ? "dfa" : "nfa",
               p->mach[k].trans ? p->mach[k].nstates : p->mach[k].ninst,
               p->mach[k].backward ? "backward" : "forward", p->mach[k].restart ? " restart" : "",
               p->mach[k].nlook);
    if (p->nbt) printf(" backtracking program of %u", p->nbt);
    putchar('\n');
    cg_regex_free(p);
    for (int i = 3; i < argc; i++) {
        int got[3];
        run_engines(x, argv[2], strlen(argv[2]), argv[i], strlen(argv[i]), got, err, sizeof err);
        printf("%s:", argv[i]);
        for (int e = 0; e < 3; e++)
            printf(" %s=%d", engine_names[e], got[e]);
        putchar('\n');
    }
    return 0;
}

int main(int argc, char **argv)
{
    ctx x = {.words = malloc(WORDS * sizeof(uint64_t)),
             .cache = mg_re_cache_new(MG_RE_CACHE_BYTES)};
    if (!x.words || !x.cache) return 2;
    if (argc >= 3 && strcmp(argv[1], "-e") == 0) return by_hand(&x, argc, argv);
    if (argc != 2) {
        fputs("usage: re_diff CASES.jsonl | re_diff -e PATTERN [STRING...]\n", stderr);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) > 0) {
        char err[256];
        cj_node *line = cj_parse(buf, (size_t)len, err, sizeof err);
        if (!line) {
            fprintf(stderr, "re_diff: %s: %s\n", argv[1], err);
            return 2;
        }
        check_case(&x, line);
        cj_free(line);
    }
    free(buf);
    fclose(f);
    printf("re_diff: %zu patterns, %zu strings, %zu disagreements; %zu strings stopped at the "
           "backtracking budget (node: %zu match, %zu not; %zu more where only the backtracker "
           "alone stopped); %zu patterns over the size limits (refused with \"pattern too "
           "large\")\n",
           x.cases, x.strings, x.bad, x.limited[0] + x.limited[1], x.limited[1], x.limited[0],
           x.bt_limited, x.too_large);
    mg_re_cache_free(x.cache);
    free(x.words);
    return x.bad ? 1 : 0;
}
