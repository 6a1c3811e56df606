/* cg_regex.c - pattern -> machines or a backtracking program -> mg_re_prog, and its emission
 * as C (see cg_regex.h).
 *
 * Design: the AST from mg_re_parse is compiled back to front: each node is compiled given the
 * instruction its match continues at, returning its entry, so no patch lists are needed. A
 * machine that runs right to left (a lookahead's) compiles concatenations in the other order
 * and sets with reversed byte sequences. A lookaround met in a linear machine becomes a
 * machine of its own, compiled once per node (numbered after its container, so the inner ones
 * run first) and read through an ASSERT. Counted repetition is expanded into copies, and the
 * instruction count is capped while building (MG_RE_NFA_MAX), so a{1000}{1000} fails fast
 * with "pattern too large". In the backtracking program a repetition follows ECMA-262's
 * RepeatMatcher: each iteration first unsets the captures inside it (CLEAR), an optional
 * iteration that may be empty is bracketed by MARK/PROGRESS, and SPLIT orders greedy before
 * lazy. Each machine then gets byte classes and, if small enough, a static DFA.
 */
#include "cg_regex.h"

#include "cg_ctext.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define MG_RE_LOOKS_TOTAL 255 /* MG_RE_MACH_MAX - 1 */
_Static_assert(MG_RE_LOOKS_TOTAL == MG_RE_MACH_MAX - 1, "lookaround limit");

static int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 1;
}

bool cg_re_grow(void *pv, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap) return true;
    size_t nc = *cap ? *cap * 2 : first;
    void **v = pv, *p = realloc(*v, nc * elem);
    if (!p) return false;
    *v = p;
    *cap = nc;
    return true;
}

int cg_re_inst(cg_rc *c, uint8_t op, uint8_t lo, uint8_t hi, uint32_t x, uint32_t y)
{
    cg_mach *m = c->cur;
    if (c->fail || c->oom) return 0;
    if (c->total >= MG_RE_NFA_MAX) {
        c->fail = "pattern too large: more than " STR(
            MG_RE_NFA_MAX) " automaton instructions "
                           "(of counted repetitions nested in one another, all but one are "
                           "unrolled)";
        return 0;
    }
    if (!cg_re_grow(&m->inst, &m->cap, m->n, sizeof m->inst[0], 256)) {
        c->oom = true;
        return 0;
    }
    m->inst[m->n] = (mg_re_inst){op, lo, hi, x, y};
    c->total++;
    return (int)m->n++;
}

static int emit_node(cg_rc *c, int32_t id, uint32_t next);

/* ---- facts about subtrees ---- */

static bool nullable(const cg_rc *c, int32_t id)
{
    const mg_re_node *x = &c->nodes[id];
    switch (x->op) {
    case MG_RE_CHAR:
    case MG_RE_ANY:
    case MG_RE_SET:
    case MG_RE_CLASS:
        return false;
    case MG_RE_CAT:
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
            if (!nullable(c, k)) return false;
        return true;
    case MG_RE_ALT:
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
            if (nullable(c, k)) return true;
        return false;
    case MG_RE_REPEAT:
        return x->min == 0 || nullable(c, x->child);
    case MG_RE_GROUP:
        return nullable(c, x->child);
    default: /* assertions, empty, lookarounds, backreferences (to an empty capture) */
        return true;
    }
}

/* The capture numbers inside a subtree: [*first, *last], none when *last < *first. */
static void groups_in(const cg_rc *c, int32_t id, uint32_t *first, uint32_t *last)
{
    const mg_re_node *x = &c->nodes[id];
    if (x->op == MG_RE_GROUP && x->group) {
        if (x->group < *first) *first = x->group;
        if (x->group > *last) *last = x->group;
    }
    for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
        groups_in(c, k, first, last);
}

/* ---- repetition ---- */

/* x{min,max} as copies of x (the body once more for each iteration). */
static int expand_repeat(cg_rc *c, const mg_re_node *x, uint32_t next)
{
    uint32_t e = next;
    if (x->max == MG_RE_INF) {
        int loop = cg_re_inst(c, MG_RX_SPLIT, 0, 0, 0, next);
        int body = emit_node(c, x->child, (uint32_t)loop);
        if (body < 0) return -1;
        if (!c->fail && !c->oom) c->cur->inst[loop].x = (uint32_t)body;
        e = (uint32_t)loop;
    } else {
        for (uint32_t k = x->min; k < x->max && !c->fail && !c->oom; k++) {
            int body = emit_node(c, x->child, e);
            if (body < 0) return -1;
            e = (uint32_t)cg_re_inst(c, MG_RX_SPLIT, 0, 0, (uint32_t)body, next);
        }
    }
    for (uint32_t k = 0; k < x->min && !c->fail && !c->oom; k++) {
        int body = emit_node(c, x->child, e);
        if (body < 0) return -1;
        e = (uint32_t)body;
    }
    return (int)e;
}

#define EXPAND_MAX 256 /* instructions a repetition may unroll to before it becomes a loop */

/* Records the counted loop whose COUNT is at index count and whose body ends the machine. */
static int add_loop(cg_rc *c, const mg_re_node *x, size_t count, uint32_t niter)
{
    cg_mach *m = c->cur;
    if (!cg_re_grow(&m->loops, &m->caploop, m->nloop, sizeof *m->loops, 4)) {
        c->oom = true;
        return -1;
    }
    m->loops[m->nloop++] = (mg_re_loop){.first = (uint32_t)count,
                                        .end = (uint32_t)m->n,
                                        .min = x->min,
                                        .niter = niter,
                                        .unbounded = x->max == MG_RE_INF};
    return 0;
}

/* x{min,max} in a linear machine: a counted loop (one copy of x, see mg_re_loop) when
 * unrolling would take more than EXPAND_MAX instructions, else copies. A loop has one
 * counter, so of nested ones only one is counted: this one, with its inner loops unrolled,
 * when that takes fewer instructions than unrolling this one around counted inner loops. */
static int emit_repeat_linear(cg_rc *c, const mg_re_node *x, uint32_t next)
{
    uint32_t niter = x->max == MG_RE_INF ? x->min + 1 : x->max;
    cg_mach *m = c->cur;
    size_t n0 = m->n, t0 = c->total, l0 = m->nloop;
    if ((x->max == MG_RE_INF && x->min <= 1) || niter <= 2 || c->no_counters || l0 > 0xFFFF)
        return expand_repeat(c, x, next);
    for (int attempt = 0; attempt < 2; attempt++) {
        int count = cg_re_inst(c, MG_RX_COUNT, (uint8_t)(l0 & 0xFF), (uint8_t)(l0 >> 8), 0, next);
        c->no_counters += attempt;
        int body = emit_node(c, x->child, (uint32_t)count);
        c->no_counters -= attempt;
        if (body < 0) return -1;
        if (c->fail || c->oom) return 0;
        size_t size = m->n - n0;
        bool nested = m->nloop > l0;
        m->n = n0;
        c->total = t0;
        m->nloop = l0;
        if (!nested && (uint64_t)niter * size <= EXPAND_MAX) break;
        if (nested) {
            /* the size of unrolling this loop around its counted inner ones */
            c->unrolled = (uint64_t)niter * size;
            continue;
        }
        if (attempt == 1 && size > c->unrolled) break;
        /* keep it: build it again, now for good */
        count = cg_re_inst(c, MG_RX_COUNT, (uint8_t)(l0 & 0xFF), (uint8_t)(l0 >> 8), 0, next);
        c->no_counters += attempt;
        body = emit_node(c, x->child, (uint32_t)count);
        c->no_counters -= attempt;
        if (body < 0) return -1;
        if (c->fail || c->oom || add_loop(c, x, (size_t)count, niter) < 0) return 0;
        m->inst[count].x = (uint32_t)body;
        if (x->min > 0) return body;
        return cg_re_inst(c, MG_RX_SPLIT, 0, 0, (uint32_t)body, next);
    }
    return expand_repeat(c, x, next);
}

/* One iteration for the backtracker: [MARK r] [CLEAR groups] body [PROGRESS r] -> next. */
static int bt_iteration(cg_rc *c, const mg_re_node *x, bool check, uint32_t reg, uint32_t first,
                        uint32_t count, uint32_t next)
{
    if (check) next = (uint32_t)cg_re_inst(c, MG_RX_PROGRESS, 0, 0, next, reg);
    int e = emit_node(c, x->child, next);
    if (e < 0) return -1;
    if (count)
        e = cg_re_inst(c, MG_RX_CLEAR, (uint8_t)(count & 0xFF), (uint8_t)(count >> 8), (uint32_t)e,
                       first);
    if (check) e = cg_re_inst(c, MG_RX_MARK, 0, 0, (uint32_t)e, reg);
    return e;
}

static uint32_t bt_split(cg_rc *c, bool lazy, uint32_t body, uint32_t skip)
{
    return (uint32_t)(lazy ? cg_re_inst(c, MG_RX_SPLIT, 0, 0, skip, body)
                           : cg_re_inst(c, MG_RX_SPLIT, 0, 0, body, skip));
}

/* x{min,max} as a counted loop of the backtracking program (mg_re_btloop). */
static int emit_btloop(cg_rc *c, const mg_re_node *x, bool check, uint32_t first, uint32_t count,
                       uint32_t next)
{
    size_t li = c->nbtloop;
    if (li > 0xFFFF) {
        c->fail = "pattern too large: more than 65536 counted repetitions";
        return 0;
    }
    if (!cg_re_grow(&c->btloops, &c->capbtloop, c->nbtloop, sizeof *c->btloops, 4)) {
        c->oom = true;
        return 0;
    }
    uint32_t counter = c->nregs++, progress = check ? c->nregs++ : MG_RX_NONE;
    c->btloops[c->nbtloop++] = (mg_re_btloop){counter, progress, x->min, x->max, x->lazy};
    uint8_t lo = (uint8_t)(li & 0xFF), hi = (uint8_t)(li >> 8);
    int iter = cg_re_inst(c, MG_RX_BTITER, lo, hi, 0, next);
    int body = bt_iteration(c, x, false, 0, first, count, (uint32_t)iter);
    if (body < 0) return -1;
    if (check) body = cg_re_inst(c, MG_RX_MARK, 0, 0, (uint32_t)body, progress);
    if (c->fail || c->oom) return 0;
    c->cur->inst[iter].x = (uint32_t)body;
    return cg_re_inst(c, MG_RX_BTLOOP, lo, hi, (uint32_t)body, next);
}

static int emit_repeat_bt(cg_rc *c, int32_t id, uint32_t next)
{
    const mg_re_node *x = &c->nodes[id];
    uint32_t first = UINT32_MAX, last = 0, count;
    groups_in(c, x->child, &first, &last);
    count = last >= first ? last - first + 1 : 0;
    bool check = nullable(c, x->child);
    uint32_t niter = x->max == MG_RE_INF ? x->min + 1 : x->max;
    if (niter > 2 && !(x->max == MG_RE_INF && x->min <= 1)) {
        /* unrolled, or one counted copy when unrolling would be large */
        cg_mach *m = c->cur;
        size_t n0 = m->n, t0 = c->total, b0 = c->nbtloop;
        int trial = emit_node(c, x->child, next);
        if (trial < 0) return -1;
        size_t size = m->n - n0;
        m->n = n0;
        c->total = t0;
        c->nbtloop = b0; /* (registers the trial took stay taken: they are only numbers) */
        if (c->fail || c->oom) return 0;
        if ((uint64_t)niter * size > EXPAND_MAX)
            return emit_btloop(c, x, check, first, count, next);
    }
    if (check && !c->reg_of[id]) c->reg_of[id] = ++c->nregs;
    uint32_t reg = c->reg_of[id] - (check ? 1 : 0), e = next;
    if (x->max == MG_RE_INF) {
        int loop = cg_re_inst(c, MG_RX_SPLIT, 0, 0, 0, 0);
        int body = bt_iteration(c, x, check, reg, first, count, (uint32_t)loop);
        if (body < 0) return -1;
        if (!c->fail && !c->oom) {
            mg_re_inst *l = &c->cur->inst[loop];
            l->x = x->lazy ? next : (uint32_t)body;
            l->y = x->lazy ? (uint32_t)body : next;
        }
        e = (uint32_t)loop;
    } else {
        for (uint32_t k = x->min; k < x->max && !c->fail && !c->oom; k++) {
            int body = bt_iteration(c, x, check, reg, first, count, e);
            if (body < 0) return -1;
            e = bt_split(c, x->lazy, (uint32_t)body, next);
        }
    }
    for (uint32_t k = 0; k < x->min && !c->fail && !c->oom; k++) {
        int body = bt_iteration(c, x, false, 0, first, count, e);
        if (body < 0) return -1;
        e = (uint32_t)body;
    }
    return (int)e;
}

/* ---- lookarounds ---- */

/* The linear machine of lookaround node id (compiled on first use). */
static int look_machine(cg_rc *c, int32_t id)
{
    if (c->look_of[id] >= 0) return c->look_of[id];
    if (c->nmach >= MG_RE_MACH_MAX) {
        c->fail = "pattern too large: more than " STR(MG_RE_LOOKS_TOTAL) " lookarounds";
        return -1;
    }
    size_t k = c->nmach;
    void *p = realloc(c->machs, (k + 1) * sizeof *c->machs);
    cg_mach *m = calloc(1, sizeof *m);
    if (p) c->machs = p;
    if (!p || !m) {
        free(m);
        c->oom = true;
        return -1;
    }
    c->machs[c->nmach++] = m;
    c->look_of[id] = (int32_t)k;
    m->backward = !c->nodes[id].behind;
    m->restart = true;
    cg_mach *saved = c->cur;
    bool negated = c->negated;
    c->cur = m;
    c->negated ^= c->nodes[id].neg;
    int match = cg_re_inst(c, MG_RX_MATCH, 0, 0, 0, 0);
    int start = emit_node(c, c->nodes[id].child, (uint32_t)match);
    m->start = start < 0 ? 0 : (uint32_t)start;
    c->cur = saved;
    c->negated = negated;
    return start < 0 ? -1 : (int)k;
}

static int emit_look(cg_rc *c, int32_t id, uint32_t next)
{
    const mg_re_node *x = &c->nodes[id];
    if (c->bt) {
        cg_mach *m = c->cur;
        bool saved = m->backward;
        m->backward = x->behind;
        int end = cg_re_inst(c, MG_RX_LOOKEND, 0, 0, 0, 0);
        int body = emit_node(c, x->child, (uint32_t)end);
        m->backward = saved;
        if (body < 0) return -1;
        uint8_t fl = (uint8_t)((x->neg ? MG_RX_LOOK_NEG : 0) | (x->behind ? MG_RX_LOOK_BEHIND : 0));
        return cg_re_inst(c, MG_RX_LOOK, fl, 0, next, (uint32_t)body);
    }
    int k = look_machine(c, id);
    if (k < 0) return -1;
    cg_mach *m = c->cur;
    unsigned j = 0;
    while (j < m->nlook && m->look[j] != k)
        j++;
    if (j == m->nlook) {
        if (m->nlook == MG_RE_LOOKS_MAX) {
            c->fail =
                "pattern too large: more than " STR(MG_RE_LOOKS_MAX) " lookarounds side by side";
            return -1;
        }
        m->look[m->nlook++] = (uint16_t)k;
    }
    return cg_re_inst(c, MG_RX_ASSERT, x->neg ? MG_RA_NLOOK : MG_RA_LOOK, (uint8_t)j, next,
                      (uint32_t)k);
}

/* ---- the tree ---- */

static int emit_node(cg_rc *c, int32_t id, uint32_t next)
{
    if (c->fail || c->oom) return 0;
    const mg_re_node *x = &c->nodes[id];
    switch (x->op) {
    case MG_RE_EMPTY:
        return (int)next;
    case MG_RE_GROUP: {
        if (!c->bt || !x->group) return emit_node(c, x->child, next);
        bool back = c->cur->backward;
        uint32_t open = 2 * (x->group - 1), close = open + 1;
        int e = cg_re_inst(c, MG_RX_SAVE, 0, 0, next, back ? open : close);
        e = emit_node(c, x->child, (uint32_t)e);
        return e < 0 ? -1 : cg_re_inst(c, MG_RX_SAVE, 0, 0, (uint32_t)e, back ? close : open);
    }
    case MG_RE_BOL:
    case MG_RE_EOL:
    case MG_RE_WORDB:
    case MG_RE_NWORDB: {
        static const uint8_t kind[] = {[MG_RE_BOL] = MG_RA_BOL,
                                       [MG_RE_EOL] = MG_RA_EOL,
                                       [MG_RE_WORDB] = MG_RA_WORDB,
                                       [MG_RE_NWORDB] = MG_RA_NWORDB};
        return cg_re_inst(c, MG_RX_ASSERT, kind[x->op], 0, next, 0);
    }
    case MG_RE_REPEAT:
        return c->bt ? emit_repeat_bt(c, id, next) : emit_repeat_linear(c, x, next);
    case MG_RE_LOOK:
        return emit_look(c, id, next);
    case MG_RE_BACKREF: {
        if (c->bt) return cg_re_inst(c, MG_RX_BACKREF, 0, 0, next, x->group);
        /* the over-approximation: any string; inside a negative lookaround, none (a byte no
         * valid UTF-8 holds), so that the lookaround's negation over-approximates too */
        if (c->negated) return cg_re_inst(c, MG_RX_BYTE, 0xFF, 0xFF, next, MG_RX_NONE);
        int loop = cg_re_inst(c, MG_RX_SPLIT, 0, 0, 0, next);
        int any = cg_re_emit_any(c, (uint32_t)loop);
        if (!c->fail && !c->oom) c->cur->inst[loop].x = (uint32_t)any;
        return loop;
    }
    case MG_RE_CAT: {
        size_t total = 0;
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
            total++;
        int32_t *kids = malloc(total * sizeof *kids);
        if (!kids) {
            c->oom = true;
            return 0;
        }
        total = 0;
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
            kids[total++] = k;
        int e = (int)next;
        bool back = c->cur->backward;
        for (size_t i = 0; i < total && e >= 0; i++)
            e = emit_node(c, kids[back ? i : total - 1 - i], (uint32_t)e);
        free(kids);
        return e;
    }
    case MG_RE_ALT: {
        /* alternatives of one code point each (a|b|[0-9]) are one set: fewer states */
        bool atoms = true;
        for (int32_t k = x->child; k >= 0 && atoms; k = c->nodes[k].next)
            atoms = cg_re_is_atom(&c->nodes[k]);
        if (atoms) return cg_re_emit_atoms(c, x->child, false, next);
        int e = -1;
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next) {
            int a = emit_node(c, k, next);
            if (a < 0) return -1;
            e = e < 0 ? a : cg_re_inst(c, MG_RX_SPLIT, 0, 0, (uint32_t)e, (uint32_t)a);
        }
        return e;
    }
    default:
        return cg_re_emit_atoms(c, id, true, next);
    }
}

/* ---- compile ---- */

/* Can a match start after position 0, i.e. is some path from start to a byte (or to the
 * match) free of "^"? */
static bool needs_restart(const mg_re_inst *inst, size_t n, uint32_t start)
{
    uint32_t *stack = malloc((n + 1) * sizeof *stack);
    uint8_t *seen = calloc(n + 1, 1);
    bool found = !stack || !seen;
    size_t sp = 0;
    if (!found) {
        stack[sp++] = start;
        seen[start] = 1;
    }
    while (sp && !found) {
        const mg_re_inst *in = &inst[stack[--sp]];
        uint32_t to[2] = {in->x, in->y};
        int nto = in->op == MG_RX_SPLIT || in->op == MG_RX_LOOK || in->op == MG_RX_COUNT ||
                          in->op == MG_RX_BTLOOP || in->op == MG_RX_BTITER
                      ? 2
                      : 1;
        if (in->op == MG_RX_BYTE || in->op == MG_RX_MATCH || in->op == MG_RX_BACKREF ||
            in->op == MG_RX_LOOKEND)
            found = true;
        else if (in->op == MG_RX_ASSERT && in->lo == MG_RA_BOL)
            continue;
        for (int k = 0; k < nto && !found; k++)
            if (!seen[to[k]]) seen[to[k]] = 1, stack[sp++] = to[k];
    }
    free(stack);
    free(seen);
    return found;
}

/* Byte classes of a machine: bytes no BYTE range (no word test, and for a restarting machine
 * no test for a UTF-8 continuation byte) separates. */
static uint16_t byte_classes(const mg_re_inst *inst, size_t n, bool restart, uint8_t *cls)
{
    bool cut[257] = {false}, word = false;
    cut[0x80] = cut[0xC0] = restart;
    for (size_t i = 0; i < n; i++) {
        if (inst[i].op == MG_RX_BYTE) {
            cut[inst[i].lo] = true;
            cut[inst[i].hi + 1] = true;
        }
        word |=
            inst[i].op == MG_RX_ASSERT && (inst[i].lo == MG_RA_WORDB || inst[i].lo == MG_RA_NWORDB);
    }
    if (word) {
        static const int w[] = {'0', '9' + 1, 'A', 'Z' + 1, '_', '_' + 1, 'a', 'z' + 1};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            cut[w[i]] = true;
    }
    unsigned k = 0;
    for (int b = 0; b < 256; b++) {
        if (b > 0 && cut[b]) k++;
        cls[b] = (uint8_t)k;
    }
    return (uint16_t)(k + 1);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* The hash of what the lazy DFA is built from (mg_re_machine.id). */
static uint64_t machine_id(const mg_re_machine *m)
{
    uint64_t h = 14695981039346656037ull;
    for (uint32_t i = 0; i < m->ninst; i++) {
        const mg_re_inst *in = &m->inst[i];
        uint8_t ops[3] = {in->op, in->lo, in->hi};
        h = fnv(fnv(fnv(h, ops, 3), &in->x, 4), &in->y, 4);
    }
    uint32_t fields[5] = {m->start, m->backward | m->restart << 1, m->nlook, m->ncls, m->nvirt};
    h = fnv(h, fields, sizeof fields);
    for (uint16_t i = 0; i < m->nloop; i++) {
        const mg_re_loop *l = &m->loop[i];
        uint32_t lf[7] = {l->first, l->end, l->min, l->niter, l->unbounded, l->shift, l->xbase};
        h = fnv(h, lf, sizeof lf);
    }
    h = fnv(h, m->look, m->nlook * sizeof *m->look);
    return fnv(h, m->cls, 256);
}

/* Turns a built machine into an mg_re_machine: classes, and a static DFA when it fits (then
 * the instructions are not needed at run time). */
static int finish_machine(cg_mach *b, mg_re_machine *m, bool main, bool no_dfa)
{
    uint8_t *cls = malloc(256);
    uint16_t *look = malloc((b->nlook ? b->nlook : 1) * sizeof *look);
    if (!cls || !look) {
        free(cls);
        free(look);
        return -1;
    }
    memcpy(look, b->look, b->nlook * sizeof *look);
    uint64_t nvirt = b->n;
    for (size_t i = 0; i < b->nloop; i++) {
        mg_re_loop *l = &b->loops[i];
        l->xbase = (uint32_t)nvirt;
        while ((UINT32_C(1) << l->shift) < l->end - l->first)
            l->shift++;
        nvirt += (uint64_t)(l->niter - 1) << l->shift;
        if (nvirt > MG_RE_VIRT_MAX) {
            free(cls);
            free(look);
            return 1;
        }
    }
    *m = (mg_re_machine){.inst = b->inst,
                         .ninst = (uint32_t)b->n,
                         .start = b->start,
                         .nvirt = (uint32_t)nvirt,
                         .nloop = (uint16_t)b->nloop,
                         .loop = b->loops,
                         .backward = b->backward,
                         .restart = b->restart,
                         .nlook = b->nlook,
                         .look = look,
                         .ncls = byte_classes(b->inst, b->n, b->restart, cls),
                         .cls = cls};
    b->inst = NULL;
    b->loops = NULL;
    m->id = machine_id(m);
    if (m->nlook > MG_RE_DFA_LOOKS || no_dfa) return 0;
    int rc = cg_re_dfa_build(m, main);
    if (rc == 0) {
        free((void *)m->inst);
        free((void *)m->loop);
        m->inst = NULL;
        m->loop = NULL;
        m->ninst = m->nvirt = m->start = 0;
        m->nloop = 0;
    }
    return rc < 0 ? -1 : 0;
}

static bool has_backref(const mg_re_node *nodes, long cnt)
{
    for (long i = 0; i < cnt; i++)
        if (nodes[i].op == MG_RE_BACKREF) return true;
    return false;
}

static bool subtree_has_backref(const cg_rc *c, int32_t id)
{
    const mg_re_node *x = &c->nodes[id];
    if (x->op == MG_RE_BACKREF) return true;
    for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
        if (subtree_has_backref(c, k)) return true;
    return false;
}

static void machs_free(cg_rc *c)
{
    for (size_t k = 0; c->machs && k < c->nmach; k++) {
        if (c->machs[k]) free(c->machs[k]->inst), free(c->machs[k]->loops);
        free(c->machs[k]);
    }
    free(c->machs);
    c->machs = NULL;
    c->nmach = 0;
}

/* Compiles root into a fresh set of machines (c->machs), or with alts, the alternatives of
 * ALT node root that have no backreference. 0, or 1 with c->fail (or c->oom) set, or -1. */
static int emit_machines(cg_rc *c, int32_t root, long cnt, bool alts)
{
    machs_free(c);
    c->machs = calloc(1, sizeof *c->machs);
    if (!c->machs || !(c->machs[0] = calloc(1, sizeof **c->machs))) return -1;
    c->nmach = 1;
    c->total = 0;
    for (long i = 0; i < cnt; i++)
        c->look_of[i] = -1;
    c->cur = c->machs[0];
    int match = cg_re_inst(c, MG_RX_MATCH, 0, 0, 0, 0), start = -1;
    if (!alts) {
        start = emit_node(c, root, (uint32_t)match);
    } else {
        for (int32_t k = c->nodes[root].child; k >= 0; k = c->nodes[k].next) {
            if (subtree_has_backref(c, k)) continue;
            int a = emit_node(c, k, (uint32_t)match);
            if (a < 0) {
                start = -1;
                break;
            }
            start = start < 0 ? a : cg_re_inst(c, MG_RX_SPLIT, 0, 0, (uint32_t)start, (uint32_t)a);
        }
    }
    c->cur = NULL;
    if (start < 0) c->bad_prop = !c->fail && !c->oom;
    if (start < 0 || c->fail || c->oom) return 1;
    cg_mach *m0 = c->machs[0];
    m0->start = (uint32_t)start;
    m0->restart = needs_restart(m0->inst, m0->n, m0->start);
    return 0;
}

/* The machines built as mg_re_machines (*out, *nout); 0, 1 (c->fail set) or -1. */
static int finish_machines(cg_rc *c, const mg_re_machine **out, uint16_t *nout)
{
    mg_re_machine *ms = calloc(c->nmach, sizeof *ms);
    if (!ms) return -1;
    *out = ms;
    *nout = (uint16_t)c->nmach;
    for (size_t k = 0; k < c->nmach; k++) {
        int rc = finish_machine(c->machs[k], &ms[k], k == 0, c->no_dfa);
        if (rc < 0) return -1;
        if (rc > 0) {
            c->fail = "pattern too large: its automaton would have more than " STR(
                MG_RE_VIRT_MAX) " states";
            return 1;
        }
    }
    return 0;
}

/* The linear approximation of a backtracking pattern (see mg_re_prog), or none when it does
 * not compile within the limits (it only saves time). -1 when out of memory. */
static int approximation(cg_rc *c, int32_t root, long cnt, bool alts, const mg_re_machine **out,
                         uint16_t *nout)
{
    int rc = emit_machines(c, root, cnt, alts);
    if (rc == 0) rc = finish_machines(c, out, nout);
    if (rc == 0) return 0;
    cg_re_machines_free(&(mg_re_prog){.nmach = *nout, .mach = *out});
    *out = NULL;
    *nout = 0;
    c->fail = NULL;
    c->bad_prop = false;
    return c->oom || rc < 0 ? -1 : 0;
}

static int build(cg_rc *c, int32_t root, long cnt, mg_re_prog *p, cg_re_info *info, bool prefilter)
{
    c->look_of = malloc((size_t)cnt * sizeof *c->look_of);
    c->reg_of = calloc((size_t)cnt, sizeof *c->reg_of);
    c->atom_sets = calloc((size_t)cnt, sizeof(void *));
    if (!c->look_of || !c->reg_of || !c->atom_sets) return -1;
    int rc = emit_machines(c, root, cnt, false);
    if (rc) return rc;
    if (!c->bt) {
        rc = finish_machines(c, &p->mach, &p->nmach);
        info->may_limit = rc == 0 && (p->nmach > 1 || !p->mach[0].trans);
        return rc;
    }
    cg_mach *m0 = c->machs[0];
    p->bt = m0->inst;
    p->nbt = (uint32_t)m0->n;
    p->bt_start = m0->start;
    p->nregs = (uint16_t)c->nregs;
    p->anchored = !m0->restart;
    p->btloop = c->btloops;
    p->nbtloop = (uint16_t)c->nbtloop;
    c->btloops = NULL;
    m0->inst = NULL;
    if (c->nregs > 0xFFFF) {
        c->fail = "pattern too large: more than 65535 repetition registers";
        return 1;
    }
    if (!prefilter) return 0;
    c->bt = false;
    rc = approximation(c, root, cnt, false, &p->over, &p->nover);
    /* the top-level alternatives (inside groups around the whole pattern too) */
    int32_t alt = root;
    while (c->nodes[alt].op == MG_RE_GROUP)
        alt = c->nodes[alt].child;
    bool some = false, all = true;
    for (int32_t k = c->nodes[alt].child; c->nodes[alt].op == MG_RE_ALT && k >= 0;
         k = c->nodes[k].next) {
        bool b = subtree_has_backref(c, k);
        some |= !b;
        all &= !b;
    }
    if (rc == 0 && some && !all) rc = approximation(c, alt, cnt, true, &p->under, &p->nunder);
    c->bt = true;
    return rc;
}

static int compile(const char *pat, size_t n, unsigned flags, mg_re_prog *p, cg_re_info *info,
                   char *err, size_t errlen)
{
    mg_re_parsed pi;
    bool no_dfa = flags & CG_RE_NO_STATIC_DFA, prefilter = !(flags & CG_RE_NO_PREFILTER);
    flags &= ~(CG_RE_NO_STATIC_DFA | CG_RE_NO_PREFILTER);
    long cnt = mg_re_parse(pat, n, flags, NULL, 0, NULL, err, errlen);
    if (cnt < 0) return 1;
    mg_re_node *nodes = calloc((size_t)cnt + 1, sizeof *nodes);
    if (!nodes) return errf(err, errlen, "out of memory");
    mg_re_parse(pat, n, flags, nodes, (size_t)cnt, &pi, NULL, 0);
    info->nannexb = pi.nannexb;
    info->annexb_off = pi.annexb_off;
    info->annexb_what = pi.annexb_what;
    info->backtracking = has_backref(nodes, cnt);
    info->may_limit = info->backtracking;
    if (pi.ngroups > MG_RE_GROUPS_MAX) {
        free(nodes);
        return errf(err, errlen, "pattern too large: more than %d capturing groups",
                    MG_RE_GROUPS_MAX);
    }
    cg_rc c = {.pat = pat, .plen = n, .nodes = nodes, .bt = info->backtracking, .no_dfa = no_dfa};
    int rc = build(&c, pi.root, cnt, p, info, prefilter);
    if (c.bt) p->ngroups = (uint16_t)pi.ngroups;
    if (rc < 0 || c.oom)
        rc = errf(err, errlen, "out of memory");
    else if (c.fail)
        rc = errf(err, errlen, "%s", c.fail);
    else if (c.bad_prop)
        rc = errf(err, errlen, "Unicode property not supported by this build");
    machs_free(&c);
    free(c.look_of);
    free(c.reg_of);
    cg_re_atoms_free(&c, (size_t)cnt);
    free(c.btloops);
    free(nodes);
    return rc;
}

int cg_regex_compile(const char *pat, size_t n, unsigned flags, mg_re_prog **out, cg_re_info *info,
                     char *err, size_t errlen)
{
    cg_re_info local;
    mg_re_prog *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
    if (!p) return errf(err, errlen, "out of memory");
    int rc = compile(pat, n, flags, p, info, err, errlen);
    if (rc) {
        cg_regex_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void cg_re_machines_free(const mg_re_prog *p)
{
    for (size_t k = 0; k < p->nmach; k++) {
        const mg_re_machine *m = &p->mach[k];
        free((void *)m->inst);
        free((void *)m->loop);
        free((void *)m->look);
        free((void *)m->cls);
        free((void *)m->trans);
        free((void *)m->acc_end);
    }
    free((void *)p->mach);
}

void cg_regex_free(mg_re_prog *p)
{
    if (!p) return;
    cg_re_machines_free(p);
    cg_re_machines_free(&(mg_re_prog){.nmach = p->nover, .mach = p->over});
    cg_re_machines_free(&(mg_re_prog){.nmach = p->nunder, .mach = p->under});
    free((void *)p->bt);
    free((void *)p->btloop);
    free(p);
}

/* ---- emission ---- */

static void put_u8s(FILE *o, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s%u", i == 0 ? "" : i % 32 ? "," : ",\n    ", v[i]);
}

static void put_insts(FILE *o, const char *name, const mg_re_inst *v, size_t n)
{
    fprintf(o, "static const mg_re_inst %s[%zu] = {", name, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "%s{%u,%u,%u,%u,",
                i == 0  ? "\n    "
                : i % 6 ? ", "
                        : ",\n    ",
                v[i].op, v[i].lo, v[i].hi, v[i].x);
        if (v[i].y == MG_RX_NONE)
            fputs("MG_RX_NONE}", o);
        else
            fprintf(o, "%u}", v[i].y);
    }
    fputs("};\n", o);
}

static void put_machine_tables(FILE *o, const char *fname, size_t k, const mg_re_machine *m)
{
    fprintf(o, "static const uint8_t %s_cls%zu[256] = {\n    ", fname, k);
    put_u8s(o, m->cls, 256);
    fputs("};\n", o);
    if (m->nlook) {
        fprintf(o, "static const uint16_t %s_look%zu[%u] = {", fname, k, m->nlook);
        for (unsigned j = 0; j < m->nlook; j++)
            fprintf(o, "%s%u", j ? ", " : "", m->look[j]);
        fputs("};\n", o);
    }
    if (m->trans) {
        size_t nt = (size_t)m->nstates * ((size_t)m->ncls << m->nlook);
        fprintf(o, "static const uint16_t %s_trans%zu[%zu] = {\n    ", fname, k, nt);
        for (size_t i = 0; i < nt; i++)
            fprintf(o, "%s%u", i == 0 ? "" : i % 16 ? "," : ",\n    ", m->trans[i]);
        size_t na = (size_t)m->nstates << m->nlook;
        fprintf(o, "};\nstatic const uint8_t %s_acc%zu[%zu] = {\n    ", fname, k, na);
        put_u8s(o, m->acc_end, na);
        fputs("};\n", o);
    } else {
        char name[96];
        snprintf(name, sizeof name, "%s_inst%zu", fname, k);
        put_insts(o, name, m->inst, m->ninst);
        if (m->nloop) {
            fprintf(o, "static const mg_re_loop %s_loop%zu[%u] = {", fname, k, m->nloop);
            for (uint16_t i = 0; i < m->nloop; i++) {
                const mg_re_loop *l = &m->loop[i];
                fprintf(o, "%s{%u, %u, %u, %u, %s, %u, %u}", i ? ",\n    " : "\n    ", l->first,
                        l->end, l->min, l->niter, l->unbounded ? "true" : "false", l->shift,
                        l->xbase);
            }
            fputs("};\n", o);
        }
    }
}

static void put_machine(FILE *o, const char *fname, size_t k, const mg_re_machine *m)
{
    fputs("    {", o);
    if (m->trans)
        fprintf(o, ".nstates = %u, .trans = %s_trans%zu, .acc_end = %s_acc%zu", m->nstates, fname,
                k, fname, k);
    else
        fprintf(o, ".inst = %s_inst%zu, .ninst = %u, .start = %u, .nvirt = %u", fname, k, m->ninst,
                m->start, m->nvirt);
    if (m->nloop) fprintf(o, ", .nloop = %u, .loop = %s_loop%zu", m->nloop, fname, k);
    if (m->backward) fputs(", .backward = true", o);
    if (m->restart) fputs(", .restart = true", o);
    if (m->nlook) fprintf(o, ", .nlook = %u, .look = %s_look%zu", m->nlook, fname, k);
    if (!m->trans) fprintf(o, ", .id = 0x%016llxull", (unsigned long long)m->id);
    fprintf(o, ", .ncls = %u, .cls = %s_cls%zu},\n", m->ncls, fname, k);
}

/* The tables of machines mach[0..n) and the array fname_mach of them. */
static void put_machines(FILE *o, const char *fname, const mg_re_machine *mach, uint16_t n)
{
    for (size_t k = 0; k < n; k++)
        put_machine_tables(o, fname, k, &mach[k]);
    fprintf(o, "static const mg_re_machine %s_mach[%u] = {\n", fname, n);
    for (size_t k = 0; k < n; k++)
        put_machine(o, fname, k, &mach[k]);
    fputs("};\n", o);
}

int cg_regex_emit(FILE *out, const char *fname, const char *pat, size_t n, unsigned flags,
                  cg_re_info *info, char *err, size_t errlen)
{
    mg_re_prog *p;
    int rc = cg_regex_compile(pat, n, flags, &p, info, err, errlen);
    if (rc) return rc;
    bool plain = !p->nbt && p->nmach == 1 && p->mach[0].trans && !p->mach[0].nlook;
    fputs("/* pattern: ", out);
    cg_put_comment_text(out, pat, n);
    fputs(" */\n", out);
    if (p->nbt) {
        char name[96];
        snprintf(name, sizeof name, "%s_over", fname);
        if (p->nover) put_machines(out, name, p->over, p->nover);
        snprintf(name, sizeof name, "%s_under", fname);
        if (p->nunder) put_machines(out, name, p->under, p->nunder);
        snprintf(name, sizeof name, "%s_bt", fname);
        put_insts(out, name, p->bt, p->nbt);
        if (p->nbtloop) {
            fprintf(out, "static const mg_re_btloop %s_btloop[%u] = {", fname, p->nbtloop);
            for (uint16_t i = 0; i < p->nbtloop; i++) {
                const mg_re_btloop *l = &p->btloop[i];
                fprintf(out, "%s{%u, %u, %u, %u, %s}", i ? ",\n    " : "\n    ", l->counter,
                        l->progress, l->min, l->max, l->lazy ? "true" : "false");
            }
            fputs("};\n", out);
        }
        fprintf(out,
                "static const mg_re_prog %s_prog = {.nbt = %u, .bt_start = %u, .bt = %s_bt, "
                ".ngroups = %u, .nregs = %u, .anchored = %s",
                fname, p->nbt, p->bt_start, fname, p->ngroups, p->nregs,
                p->anchored ? "true" : "false");
        if (p->nbtloop) fprintf(out, ", .nbtloop = %u, .btloop = %s_btloop", p->nbtloop, fname);
        if (p->nover) fprintf(out, ", .nover = %u, .over = %s_over_mach", p->nover, fname);
        if (p->nunder) fprintf(out, ", .nunder = %u, .under = %s_under_mach", p->nunder, fname);
        fputs("};\n", out);
    } else {
        put_machines(out, fname, p->mach, p->nmach);
        if (!plain)
            fprintf(out, "static const mg_re_prog %s_prog = {.nmach = %u, .mach = %s_mach};\n",
                    fname, p->nmach, fname);
    }
    if (plain)
        fprintf(out,
                "static int %s(struct mg_ctx *c MG_UNUSED, const char *s, size_t n)\n{\n"
                "    return mg_re_dfa_test(&%s_mach[0], s, n);\n}\n",
                fname, fname);
    else
        fprintf(out,
                "static int %s(struct mg_ctx *c, const char *s, size_t n)\n{\n"
                "    return mg_re_test(c, &%s_prog, s, n);\n}\n",
                fname, fname);
    cg_regex_free(p);
    return 0;
}
