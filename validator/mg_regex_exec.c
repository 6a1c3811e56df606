/* mg_regex_exec.c - the runtime matcher for programs compiled by cg_regex (see mg_regex.h).
 *
 * Design: a linear program is matched in passes. Each lookaround machine, innermost first,
 * scans the whole input once (a lookahead from the end, a lookbehind from the start) and
 * writes one bit per position: whether its body matches starting (ending) there. The
 * pattern's machine then scans forward, reading those bits as assertions, and stops at the
 * first match or when no match is possible. Each pass uses the best engine the machine has:
 * its static DFA (one table load per byte; the pattern without lookarounds gets a loop of its
 * own), the lazily built DFA of the validator's cache, or an NFA simulation (the set of live
 * instructions advanced one byte at a time, each instruction visited at most once per
 * position: O(input x instructions)). The bit tables and every working set live in the
 * caller's scratch words: nothing is allocated. Backtracking programs go to mg_regex_bt.c.
 */
#include "mg_regex_dfa.h"
#include "mg_rt.h"

#include <string.h>

const char *mg_re_limit_name(int rc)
{
    switch (rc) {
    case MG_RE_ESTEPS:
        return "pattern backtracking step budget";
    case MG_RE_EMEM:
        return "pattern matching memory";
    default:
        return "pattern";
    }
}

static void set_bit(uint64_t *bits, size_t i)
{
    bits[i >> 6] |= UINT64_C(1) << (i & 63);
}

/* Any machine as a static DFA (a loop per direction: this runs once per lookaround). */
static int dfa_run(const mg_re_scan *sc)
{
    const mg_re_machine *m = sc->m;
    const uint16_t *trans = m->trans;
    const uint8_t *cls = m->cls;
    const unsigned char *s = sc->s;
    unsigned nl = m->nlook, nsym = (unsigned)m->ncls << nl, st = 0;
    size_t n = sc->n, end = m->backward ? 0 : n;
    for (size_t i = m->backward ? n : 0; i != end;) {
        int b = m->backward ? s[i - 1] : s[i];
        uint32_t look = nl ? mg_re_look_bits(sc, i) : 0;
        unsigned t = trans[st * nsym + ((unsigned)cls[b] << nl | look)];
        if (t >= MG_RE_DEAD) {
            if (t & MG_RE_MATCHED) {
                if (!sc->out) return MG_RE_MATCH;
                set_bit(sc->out, i);
                t &= ~MG_RE_MATCHED;
            }
            if (t == MG_RE_DEAD) return MG_RE_NOMATCH;
        }
        st = t;
        i = m->backward ? i - 1 : i + 1;
    }
    bool acc = m->acc_end[st << nl | (nl ? mg_re_look_bits(sc, end) : 0)];
    if (!sc->out) return acc ? MG_RE_MATCH : MG_RE_NOMATCH;
    if (acc) set_bit(sc->out, end);
    return MG_RE_NOMATCH;
}

static int run_machine(const mg_re_scan *sc, mg_re_cache *cache)
{
    if (sc->m->trans) return dfa_run(sc);
    if (cache && sc->m->nlook <= MG_RE_DFA_LOOKS) {
        int rc = mg_re_lazy_run(cache, sc);
        if (rc != MG_RE_EMEM) return rc;
    }
    return mg_re_nfa_run(sc, NULL, 0, sc->m->backward ? sc->n : 0);
}

/* Machines mach[0..nmach) (the pattern and its lookarounds) over s[0..n). */
static int linear(const mg_re_machine *mach, uint16_t nmach, const unsigned char *s, size_t n,
                  const mg_re_env *env)
{
    if (nmach == 1 && mach[0].trans && mach[0].nlook == 0)
        return mg_re_dfa_test(&mach[0], (const char *)s, n);
    /* lookaround tables, then pointers to them, then the machines' workspace */
    size_t tw = (n + 1 + 63) / 64, nt = nmach - 1u;
    size_t need = nt * tw + (nmach * sizeof(uint64_t *) + 7) / 8;
    if (need > env->nwords) return MG_RE_EMEM;
    uint64_t **tables = (uint64_t **)(env->words + nt * tw);
    tables[0] = NULL;
    for (size_t k = 1; k < nmach; k++) {
        tables[k] = env->words + (k - 1) * tw;
        memset(tables[k], 0, tw * sizeof(uint64_t));
    }
    mg_re_scan sc = {
        .s = s, .n = n, .tables = tables, .words = env->words + need, .nwords = env->nwords - need};
    for (size_t k = nmach; k-- > 0;) {
        sc.m = &mach[k];
        sc.out = k ? tables[k] : NULL;
        int rc = run_machine(&sc, env->cache);
        if (k == 0 || rc < 0) return rc;
    }
    return MG_RE_NOMATCH;
}

int mg_re_match(const mg_re_prog *p, const char *str, size_t n, const mg_re_env *env)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!p->nbt) return linear(p->mach, p->nmach, s, n, env);
    if (p->nunder && linear(p->under, p->nunder, s, n, env) == MG_RE_MATCH) return MG_RE_MATCH;
    if (p->nover && linear(p->over, p->nover, s, n, env) == MG_RE_NOMATCH) return MG_RE_NOMATCH;
    return mg_re_bt_match(p, s, n, env);
}

int mg_re_test(struct mg_ctx *c, const mg_re_prog *p, const char *s, size_t n)
{
    if (!p->nbt && p->nmach == 1 && p->mach[0].trans && p->mach[0].nlook == 0)
        return mg_re_dfa_test(&p->mach[0], s, n);
    mg_re_env env = {c->scratch + c->scratch_top, c->scratch_words - c->scratch_top, c->re_cache};
    return mg_re_match(p, s, n, &env);
}
