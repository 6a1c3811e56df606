/* mg_regex_exec.c - the runtime matcher for automata compiled by cg_regex (see mg_regex.h).
 *
 * Design: a DFA is one table lookup per input byte, stopping at the first accepting or dead
 * transition. An NFA (used when the DFA would be too large) is simulated Thompson-style: the
 * set of live instruction pointers is advanced one byte at a time, each epsilon closure
 * visiting an instruction at most once, so time is O(input * instructions) whatever the
 * pattern. Assertions are evaluated in the closure from the position: ^ at 0, $ at the end,
 * \b from the ASCII word-ness of the bytes on either side. All sets live in fixed stack
 * buffers sized by MG_RE_NFA_MAX, which codegen enforces; nothing is allocated.
 */
#include "mg_regex.h"

#include <string.h>

#define WORDS (MG_RE_NFA_MAX / 64)

static bool is_word(int b)
{
    return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_';
}

static bool test_set(uint64_t *bits, uint16_t pc)
{
    uint64_t m = UINT64_C(1) << (pc & 63);
    bool was = bits[pc >> 6] & m;
    bits[pc >> 6] |= m;
    return was;
}

static bool assert_holds(uint8_t what, const unsigned char *s, size_t n, size_t i)
{
    bool before = i > 0 && is_word(s[i - 1]);
    bool after = i < n && is_word(s[i]);
    switch (what) {
    case MG_RE_BOL:
        return i == 0;
    case MG_RE_EOL:
        return i == n;
    case MG_RE_WORDB:
        return before != after;
    case MG_RE_NWORDB:
        return before == after;
    default:
        return false;
    }
}

static bool nfa_exec(const mg_re_prog *p, const unsigned char *s, size_t n)
{
    uint16_t cur[MG_RE_NFA_MAX + 1], nxt[MG_RE_NFA_MAX], stack[MG_RE_NFA_MAX];
    uint64_t seen[WORDS], queued[WORDS];
    size_t ncur = 0;
    for (size_t i = 0;; i++) {
        memset(seen, 0, sizeof seen);
        memset(queued, 0, sizeof queued);
        size_t sp = 0, nn = 0;
        if (i == 0 || p->restart) cur[ncur++] = p->start;
        for (size_t k = 0; k < ncur; k++)
            if (!test_set(seen, cur[k])) stack[sp++] = cur[k];
        while (sp) {
            const mg_re_inst *in = &p->inst[stack[--sp]];
            switch (in->op) {
            case MG_RX_MATCH:
                return true;
            case MG_RX_BYTE:
                if (i < n && s[i] >= in->lo && s[i] <= in->hi && !test_set(queued, in->x))
                    nxt[nn++] = in->x;
                break;
            case MG_RX_ASSERT:
                if (assert_holds(in->lo, s, n, i) && !test_set(seen, in->x)) stack[sp++] = in->x;
                break;
            default:
                if (!test_set(seen, in->x)) stack[sp++] = in->x;
                if (!test_set(seen, in->y)) stack[sp++] = in->y;
            }
        }
        if (i == n || (nn == 0 && !p->restart)) return false;
        memcpy(cur, nxt, nn * sizeof nxt[0]);
        ncur = nn;
    }
}

bool mg_re_exec(const mg_re_prog *p, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (p->ninst) return nfa_exec(p, u, n);
    unsigned st = p->start;
    for (size_t i = 0; i < n; i++) {
        st = p->trans[st * p->ncls + p->cls[u[i]]];
        if (st >= MG_RE_DEAD) return st == MG_RE_ACCEPT;
    }
    return p->acc_end[st];
}
