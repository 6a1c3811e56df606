/* mg_regex_dfa.h - internal to the regex engine (validator/mg_regex_*.c and codegen's static
 * DFA builder): the subset-construction step both kinds of DFA are made of.
 *
 * Design: a DFA state is a "kernel", the sorted set of NFA states reached by the byte that
 * led to it (a restarting machine also starts again at every code point boundary: a
 * backward one's kernel then holds the start, a forward one adds it when the next byte turns
 * out not to continue a UTF-8 sequence), with two context
 * flags: at the start of the scan, and whether the byte on the scanned side was an ASCII word
 * character (each kept only when the machine has an assertion that reads it). The epsilon
 * closure is taken when a state is left, once the next byte and the lookaround bits of the
 * position are known, so every assertion sees both sides. One function computes a successor;
 * codegen explores all of them ahead of time, the runtime only those an input reaches.
 */
#ifndef MG_REGEX_DFA_H
#define MG_REGEX_DFA_H

#include "mg_regex.h"

#define MG_RD_AT_START 1u
#define MG_RD_PREV_WORD 2u

/* Facts about a machine that the step needs, computed once (mg_re_dfa_info). */
typedef struct mg_re_dfa_info {
    const mg_re_machine *m;
    bool uses_start;  /* an assertion true only at the scan's start (^ forward, $ backward) */
    bool uses_word;   /* \b or \B */
    uint8_t rep[256]; /* a byte of each class */
} mg_re_dfa_info;

/* Working memory for steps over a machine: two bitsets over its states and lists with room for
 * cap live states, laid out in the caller's words by mg_re_dfa_ws_init. */
typedef struct mg_re_dfa_ws {
    uint64_t *seen;   /* in the current closure */
    uint64_t *queued; /* in the successor */
    uint32_t *list;   /* the closure's states, in visit order */
    uint32_t *bpc;    /* BYTE instructions the closure reached */
    uint32_t *btx;    /* and the state each leads to */
    uint32_t *out;    /* the successor */
    size_t cap;
} mg_re_dfa_ws;

void mg_re_dfa_info_init(mg_re_dfa_info *d, const mg_re_machine *m);
/* Lays a workspace for machine m out in words[0..nwords) (clearing its bitsets), as roomy as
 * they allow; false when they do not hold even a small one. */
bool mg_re_dfa_ws_init(mg_re_dfa_ws *ws, const mg_re_machine *m, uint64_t *words, size_t nwords);

/* Leaves the state (k[0..nk), flags) at a position where the next byte is byte (-1 at the
 * end of the scan) and the lookaround bits are look. Returns whether the machine matched at
 * this position, or -1 when the workspace was too small; unless at the end, writes the
 * successor to ws->out[0..*nout) (sorted when sorted is set, as DFA states need) and its
 * flags to *oflags. *work grows by the states visited (codegen bounds its effort). */
int mg_re_dfa_step(const mg_re_dfa_info *d, const uint32_t *k, size_t nk, unsigned flags, int byte,
                   unsigned look, mg_re_dfa_ws *ws, bool sorted, size_t *nout, unsigned *oflags,
                   uint64_t *work);

/* Whether assertion in holds in a context (shared with the NFA simulation). */
bool mg_re_assert_holds(const mg_re_machine *m, const mg_re_inst *in, bool at_start, bool at_end,
                        bool prev_word, bool next_word, unsigned look);

/* One pass of a machine over s[0..n): the pattern's (out == NULL: stop at the first match) or
 * a lookaround's (a bit per position 0..n into out). tables[k] holds the bits of machine k
 * for the machines this one reads. */
typedef struct mg_re_scan {
    const mg_re_machine *m;
    const unsigned char *s;
    size_t n;
    uint64_t *const *tables;
    uint64_t *out;
    uint64_t *words; /* workspace */
    size_t nwords;
} mg_re_scan;

/* The lookaround bits of machine sc->m at position i. */
static inline uint32_t mg_re_look_bits(const mg_re_scan *sc, size_t i)
{
    uint32_t v = 0;
    for (unsigned j = 0; j < sc->m->nlook; j++)
        v |= (uint32_t)((sc->tables[sc->m->look[j]][i >> 6] >> (i & 63)) & 1) << j;
    return v;
}

/* Runs a scan with the lazily built DFA in c: MG_RE_MATCH/NOMATCH for the pattern's machine,
 * MG_RE_NOMATCH when a lookaround's bits are written, MG_RE_EMEM when the workspace or the
 * cache is too small for this machine. */
int mg_re_lazy_run(mg_re_cache *c, const mg_re_scan *sc);

/* Runs a scan as an NFA simulation from position pos (the scan's start, or where the lazy DFA
 * hands over) with the live states k[0..nk) (NULL: the machine's start). Results as
 * mg_re_lazy_run's. */
int mg_re_nfa_run(const mg_re_scan *sc, const uint32_t *k, size_t nk, size_t pos);

/* mg_regex_bt.c: a backtracking program (p->nbt > 0). */
int mg_re_bt_match(const mg_re_prog *p, const unsigned char *s, size_t n, const mg_re_env *env);

static inline bool mg_re_is_word(int b)
{
    return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_';
}

#endif
