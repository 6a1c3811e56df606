/* mg_regex_bt.c - the bounded backtracking matcher for patterns with backreferences.
 *
 * Design: backreferences have no linear-time algorithm, so these patterns run on a
 * backtracking machine with ECMA-262's semantics, counted in steps (instructions executed,
 * entries undone, and a step per 8 bytes a backreference compares) against a budget of
 * MG_RE_BT_BASE + MG_RE_BT_PER_BYTE x input bytes for the whole test (every start position
 * together); an exhausted budget is MG_RE_ESTEPS, never a guess. The program (cg_regex.c) is
 * the byte-level NFA with captures: SPLIT tries x before y (greedy or lazy is the compiler's
 * order), SAVE/CLEAR/MARK record the old value on the backtrack stack so that failing undoes
 * them, PROGRESS rejects an empty iteration of an optional repetition (ECMA-262 RepeatMatcher),
 * CLEAR resets the captures of a group at each iteration, a large counted repetition is one
 * copy of its body counted in a register (BTLOOP, BTITER), and lookarounds are atomic: LOOK
 * pushes a frame and runs the body (a lookbehind's backwards: its bytes and backreferences
 * are read right to left, as ECMA-262 specifies); at LOOKEND a positive lookaround drops
 * the body's choice points but keeps its undo records (its captures stay, and are undone if
 * the match later backtracks past it), and a negative one undoes the body and fails; a
 * negative lookaround whose body fails continues after it. The stack and the captures live
 * in the caller's scratch words; a stack that does not fit is MG_RE_EMEM.
 */
#include "mg_regex_dfa.h"

#include <string.h>

#define UNSET UINT32_MAX

/* A backtrack stack entry is one word: kind (2 bits), the direction of the code that pushed
 * it (1), a (29: an instruction, or for E_UNDO a capture slot or REG_BIT | a register), b
 * (32: a position or an old value). A lookaround frame is two: E_LINK (b: the enclosing
 * frame) under E_FRAME (a: the LOOK instruction, b: the position before it). One word per
 * entry lets a validator's scratch hold a choice point for every byte of the largest
 * message. */
enum { E_CHOICE, E_UNDO, E_FRAME, E_LINK };
#define REG_BIT (1u << 28)

typedef uint64_t bt_ent;

static inline bt_ent ent(unsigned kind, bool back, uint32_t a, uint32_t b)
{
    return (uint64_t)b << 32 | (uint64_t)(a & 0x1FFFFFFFu) << 3 | (uint64_t)back << 2 | kind;
}
static inline unsigned ent_kind(bt_ent e)
{
    return (unsigned)(e & 3);
}
static inline bool ent_back(bt_ent e)
{
    return (e >> 2) & 1;
}
static inline uint32_t ent_a(bt_ent e)
{
    return (uint32_t)(e >> 3) & 0x1FFFFFFFu;
}
static inline uint32_t ent_b(bt_ent e)
{
    return (uint32_t)(e >> 32);
}

typedef struct bt {
    const mg_re_prog *p;
    const unsigned char *s;
    uint32_t n;
    uint32_t *caps, *regs;
    bt_ent *st;
    size_t top, cap;
    uint64_t steps, budget;
} bt;

static bool push(bt *m, unsigned kind, bool back, uint32_t a, uint32_t b)
{
    if (m->top == m->cap) return false;
    m->st[m->top++] = ent(kind, back, a, b);
    return true;
}

static bool at_word(const bt *m, uint32_t pos, int side)
{
    if (side < 0) return pos > 0 && mg_re_is_word(m->s[pos - 1]);
    return pos < m->n && mg_re_is_word(m->s[pos]);
}

static bool assertion(const bt *m, uint8_t kind, uint32_t pos)
{
    switch (kind) {
    case MG_RA_BOL:
        return pos == 0;
    case MG_RA_EOL:
        return pos == m->n;
    case MG_RA_WORDB:
        return at_word(m, pos, -1) != at_word(m, pos, 1);
    case MG_RA_NWORDB:
        return at_word(m, pos, -1) == at_word(m, pos, 1);
    default:
        return false;
    }
}

/* Compares the text of group g at pos in the direction; advances pos. */
static bool backref(bt *m, uint32_t g, bool back, uint32_t *pos)
{
    uint32_t a = m->caps[2 * (g - 1)], e = m->caps[2 * (g - 1) + 1];
    if (a == UNSET || e == UNSET) return true; /* an unset group matches the empty string */
    uint32_t len = e - a;
    m->steps += len / 8;
    if (back) {
        if (*pos < len || memcmp(m->s + *pos - len, m->s + a, len) != 0) return false;
        *pos -= len;
    } else {
        if (m->n - *pos < len || memcmp(m->s + *pos, m->s + a, len) != 0) return false;
        *pos += len;
    }
    return true;
}

static void undo(bt *m, bt_ent e)
{
    if (ent_kind(e) != E_UNDO) return;
    uint32_t a = ent_a(e);
    if (a & REG_BIT)
        m->regs[a & ~REG_BIT] = ent_b(e);
    else
        m->caps[a] = ent_b(e);
}

/* Undoes and removes entries down to index `to` (exclusive). */
static void unwind(bt *m, size_t to)
{
    while (m->top > to) {
        undo(m, m->st[--m->top]);
        m->steps++;
    }
}

/* One attempt from position start: MG_RE_MATCH, NOMATCH, or a limit. */
static int run(bt *m, uint32_t start)
{
    const mg_re_inst *prog = m->p->bt;
    uint32_t pc = m->p->bt_start, pos = start, lf = UNSET;
    bool back = false;
    for (uint32_t i = 0; i < 2u * m->p->ngroups; i++)
        m->caps[i] = UNSET;
    m->top = 0;
    for (;;) {
        if (++m->steps > m->budget) return MG_RE_ESTEPS;
        const mg_re_inst *in = &prog[pc];
        bool ok = true;
        switch (in->op) {
        case MG_RX_BYTE: {
            /* a chain of byte ranges (siblings linked by y): take the first that holds the byte,
             * a choice point only when a later one holds it too (a set's trie read backwards;
             * read forwards, its siblings are disjoint) */
            int b = back ? (pos > 0 ? m->s[pos - 1] : -1) : (pos < m->n ? m->s[pos] : -1);
            uint32_t k = pc, walked = 0;
            while (k != MG_RX_NONE && !(b >= prog[k].lo && b <= prog[k].hi))
                k = prog[k].y, walked++;
            m->steps += walked / 16;
            if (k == MG_RX_NONE) {
                ok = false;
                break;
            }
            uint32_t alt = prog[k].y;
            while (alt != MG_RX_NONE && !(b >= prog[alt].lo && b <= prog[alt].hi))
                alt = prog[alt].y;
            if (alt != MG_RX_NONE && !push(m, E_CHOICE, back, alt, pos)) return MG_RE_EMEM;
            pos = back ? pos - 1 : pos + 1;
            pc = prog[k].x;
            break;
        }
        case MG_RX_SPLIT:
            if (!push(m, E_CHOICE, back, in->y, pos)) return MG_RE_EMEM;
            pc = in->x;
            break;
        case MG_RX_JUMP:
            pc = in->x;
            break;
        case MG_RX_ASSERT:
            ok = assertion(m, in->lo, pos);
            pc = in->x;
            break;
        case MG_RX_MATCH:
            return MG_RE_MATCH;
        case MG_RX_SAVE:
            if (!push(m, E_UNDO, back, in->y, m->caps[in->y])) return MG_RE_EMEM;
            m->caps[in->y] = pos;
            pc = in->x;
            break;
        case MG_RX_CLEAR: {
            uint32_t first = 2 * (in->y - 1), count = 2 * ((uint32_t)in->hi << 8 | in->lo);
            for (uint32_t k = first; k < first + count; k++) {
                if (!push(m, E_UNDO, back, k, m->caps[k])) return MG_RE_EMEM;
                m->caps[k] = UNSET;
            }
            m->steps += count;
            pc = in->x;
            break;
        }
        case MG_RX_BACKREF:
            ok = backref(m, in->y, back, &pos);
            pc = in->x;
            break;
        case MG_RX_MARK:
            if (!push(m, E_UNDO, back, REG_BIT | in->y, m->regs[in->y])) return MG_RE_EMEM;
            m->regs[in->y] = pos;
            pc = in->x;
            break;
        case MG_RX_PROGRESS:
            ok = m->regs[in->y] != pos;
            pc = in->x;
            break;
        case MG_RX_BTLOOP:
        case MG_RX_BTITER: {
            const mg_re_btloop *l = &m->p->btloop[in->hi << 8 | in->lo];
            uint32_t k = 0;
            if (in->op == MG_RX_BTITER) {
                k = m->regs[l->counter];
                if (l->progress != MG_RX_NONE && k >= l->min && m->regs[l->progress] == pos) {
                    ok = false; /* an optional iteration that matched the empty string */
                    break;
                }
                k++;
            }
            if (!push(m, E_UNDO, back, REG_BIT | l->counter, m->regs[l->counter]))
                return MG_RE_EMEM;
            m->regs[l->counter] = k;
            if (l->max != MG_RE_INF && k >= l->max) {
                pc = in->y;
            } else if (k < l->min) {
                pc = in->x;
            } else {
                if (!push(m, E_CHOICE, back, l->lazy ? in->x : in->y, pos)) return MG_RE_EMEM;
                pc = l->lazy ? in->y : in->x;
            }
            break;
        }
        case MG_RX_LOOK:
            if (!push(m, E_LINK, back, 0, lf) || !push(m, E_FRAME, back, pc, pos))
                return MG_RE_EMEM;
            lf = (uint32_t)(m->top - 1);
            back = in->lo & MG_RX_LOOK_BEHIND;
            pc = in->y;
            break;
        case MG_RX_LOOKEND: {
            bt_ent f = m->st[lf];
            uint32_t prev = ent_b(m->st[lf - 1]);
            const mg_re_inst *look = &prog[ent_a(f)];
            if (look->lo & MG_RX_LOOK_NEG) {
                unwind(m, lf - 1);
                lf = prev;
                ok = false;
                break;
            }
            /* atomic: drop the body's choice points (and the frame), keep its undo records */
            size_t w = lf - 1;
            for (size_t r = lf + 1; r < m->top; r++)
                if (ent_kind(m->st[r]) == E_UNDO) m->st[w++] = m->st[r];
            m->steps += m->top - lf;
            m->top = w;
            lf = prev;
            pos = ent_b(f);
            back = ent_back(f);
            pc = look->x;
            break;
        }
        default:
            ok = false;
        }
        while (!ok) {
            if (m->top == 0) return MG_RE_NOMATCH;
            if (++m->steps > m->budget) return MG_RE_ESTEPS;
            bt_ent e = m->st[--m->top];
            switch (ent_kind(e)) {
            case E_CHOICE:
                pc = ent_a(e);
                pos = ent_b(e);
                back = ent_back(e);
                ok = true;
                break;
            case E_FRAME: /* a lookaround body found no match */
                lf = ent_b(m->st[--m->top]);
                back = ent_back(e);
                pos = ent_b(e);
                if (prog[ent_a(e)].lo & MG_RX_LOOK_NEG) {
                    pc = prog[ent_a(e)].x;
                    ok = true;
                }
                break;
            default:
                undo(m, e);
            }
        }
    }
}

int mg_re_bt_match(const mg_re_prog *p, const unsigned char *s, size_t n, const mg_re_env *env)
{
    if (n >= UNSET) return MG_RE_EMEM;
    size_t vals = 2 * (size_t)p->ngroups + p->nregs, vwords = (vals + 1) / 2;
    if (vwords + 16 > env->nwords) return MG_RE_EMEM;
    bt m = {.p = p, .s = s, .n = (uint32_t)n, .caps = (uint32_t *)env->words};
    m.regs = m.caps + 2 * (size_t)p->ngroups;
    m.st = env->words + vwords;
    m.cap = env->nwords - vwords;
    m.budget = MG_RE_BT_BASE + (uint64_t)MG_RE_BT_PER_BYTE * n;
    for (uint32_t start = 0; start <= n; start++) {
        int rc = run(&m, start);
        if (rc != MG_RE_NOMATCH || p->anchored) return rc;
    }
    return MG_RE_NOMATCH;
}
