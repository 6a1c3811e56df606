/* mg_regex_dfa.c - the DFA step (see mg_regex_dfa.h) and the lazily built DFA of the runtime.
 *
 * Design: the lazy DFA keeps, per validator, one fixed arena (mg_re_cache, allocated with the
 * validator) holding for each machine met a header (its facts and a hash table of states) and
 * its states, each with one transition slot per symbol (0 until first taken) and its kernel.
 * A transition is the target state's arena offset, with bit 0 set when the machine matched at
 * the position the transition leaves and bit 1 for "no match possible any more" (a dead
 * successor). When the arena is full everything is dropped and rebuilt from the current
 * state on (as RE2 does): a miss costs one step, O(machine), so even an input that misses on
 * every byte is matched in O(input x machine), the NFA simulation's bound; an input that
 * stays on known states costs one table load per byte. Nothing is allocated per match: the
 * step's working memory comes from the caller's scratch, and only on a miss. A scan that
 * keeps missing (a pattern whose DFA is huge, on input that visits new states all the time)
 * goes on as the NFA simulation, also here, which does the same work without interning.
 */
#include "mg_regex_dfa.h"

#include <stdlib.h>
#include <string.h>

bool mg_re_assert_holds(const mg_re_machine *m, const mg_re_inst *in, bool at_start, bool at_end,
                        bool prev_word, bool next_word, unsigned look)
{
    switch (in->lo) {
    case MG_RA_BOL:
        return m->backward ? at_end : at_start;
    case MG_RA_EOL:
        return m->backward ? at_start : at_end;
    case MG_RA_WORDB:
        return prev_word != next_word;
    case MG_RA_NWORDB:
        return prev_word == next_word;
    case MG_RA_LOOK:
        return (look >> in->hi) & 1;
    case MG_RA_NLOOK:
        return !((look >> in->hi) & 1);
    default:
        return false;
    }
}

void mg_re_dfa_info_init(mg_re_dfa_info *d, const mg_re_machine *m)
{
    memset(d, 0, sizeof *d);
    d->m = m;
    for (uint32_t i = 0; i < m->ninst; i++) {
        const mg_re_inst *in = &m->inst[i];
        if (in->op != MG_RX_ASSERT) continue;
        d->uses_start |= in->lo == (m->backward ? MG_RA_EOL : MG_RA_BOL);
        d->uses_word |= in->lo == MG_RA_WORDB || in->lo == MG_RA_NWORDB;
    }
    for (int b = 255; b >= 0; b--)
        d->rep[m->cls[b]] = (uint8_t)b;
}

bool mg_re_dfa_ws_init(mg_re_dfa_ws *ws, const mg_re_machine *m, uint64_t *words, size_t nwords)
{
    size_t bw = ((size_t)m->nvirt + 63) / 64;
    if (nwords < 2 * bw + 64) return false;
    /* three lists of cap uint32 and one of cap + 1 */
    size_t cap = ((nwords - 2 * bw) * 2 - 1) / 4;
    if (cap > (size_t)m->nvirt + 1) cap = (size_t)m->nvirt + 1;
    ws->seen = words;
    ws->queued = words + bw;
    memset(words, 0, 2 * bw * sizeof *words);
    ws->list = (uint32_t *)(words + 2 * bw);
    ws->bpc = ws->list + cap;
    ws->btx = ws->bpc + cap;
    ws->out = ws->btx + cap;
    ws->cap = cap;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_u32(uint32_t *v, size_t k)
{
    if (k >= 16) {
        qsort(v, k, sizeof *v, cmp_u32);
        return;
    }
    for (size_t i = 1; i < k; i++) {
        uint32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static inline bool test_set(uint64_t *bits, uint32_t v)
{
    uint64_t b = UINT64_C(1) << (v & 63);
    bool was = bits[v >> 6] & b;
    bits[v >> 6] |= b;
    return was;
}

/* A state: its instruction, and for an iteration past the first of a loop, the loop and the
 * iteration (mg_re_loop). */
typedef struct vstate {
    const mg_re_inst *in;
    const mg_re_loop *loop;
    uint32_t iter;
} vstate;

static inline void decode(const mg_re_machine *m, uint32_t v, vstate *o)
{
    o->loop = NULL;
    o->iter = 0;
    if (v < m->ninst) {
        o->in = &m->inst[v];
        return;
    }
    size_t lo = 0, hi = m->nloop;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (m->loop[mid].xbase <= v)
            lo = mid;
        else
            hi = mid;
    }
    const mg_re_loop *l = &m->loop[lo];
    o->loop = l;
    o->iter = 1 + ((v - l->xbase) >> l->shift);
    o->in = &m->inst[l->first + ((v - l->xbase) & ((UINT32_C(1) << l->shift) - 1))];
}

/* The state instruction t is in iteration iter of loop l (t inside it). */
static inline uint32_t in_iter(const mg_re_loop *l, uint32_t iter, uint32_t t)
{
    return iter == 0 ? t : l->xbase + ((iter - 1) << l->shift) + (t - l->first);
}

/* Where target t of the decoded state leads: the same iteration inside its loop. */
static inline uint32_t target(const vstate *o, uint32_t t)
{
    if (__builtin_expect(o->loop != NULL, 0) && t >= o->loop->first && t < o->loop->end)
        return in_iter(o->loop, o->iter, t);
    return t;
}

int mg_re_dfa_step(const mg_re_dfa_info *d, const uint32_t *k, size_t nk, unsigned flags, int byte,
                   unsigned look, mg_re_dfa_ws *ws, bool sorted, size_t *nout, unsigned *oflags,
                   uint64_t *work)
{
    const mg_re_machine *m = d->m;
    bool at_end = byte < 0, next_word = !at_end && mg_re_is_word(byte);
    bool prev_word = flags & MG_RD_PREV_WORD, at_start = flags & MG_RD_AT_START;
    uint32_t *list = ws->list;
    size_t nl = 0, nb = 0, cap = ws->cap;
    bool matched = false, full = false;
#define ADD(v)                                                                                     \
    do {                                                                                           \
        uint32_t v_ = (v);                                                                         \
        if (!test_set(ws->seen, v_)) {                                                             \
            if (nl == cap)                                                                         \
                full = true;                                                                       \
            else                                                                                   \
                list[nl++] = v_;                                                                   \
        }                                                                                          \
    } while (0)
    /* a restarting machine starts again at each code point boundary (never inside a UTF-8
     * sequence, where a zero-width match would be at no position ECMA-262 knows): a forward
     * one before a byte that is not a continuation byte, a backward one after it */
    bool boundary = byte < 0 || (byte & 0xC0) != 0x80;
    for (size_t i = 0; i < nk; i++)
        ADD(k[i]);
    if (m->restart && !m->backward && boundary) ADD(m->start);
    for (size_t i = 0; i < nl && !full; i++) {
        vstate o;
        decode(m, list[i], &o);
        const mg_re_inst *in = o.in;
        switch (in->op) {
        case MG_RX_MATCH:
            matched = true;
            break;
        case MG_RX_BYTE:
            ws->bpc[nb] = (uint32_t)(in - m->inst);
            ws->btx[nb++] = target(&o, in->x);
            if (in->y != MG_RX_NONE) ADD(target(&o, in->y));
            break;
        case MG_RX_ASSERT:
            if (mg_re_assert_holds(m, in, at_start, at_end, prev_word, next_word, look))
                ADD(target(&o, in->x));
            break;
        case MG_RX_SPLIT:
            ADD(target(&o, in->x));
            ADD(target(&o, in->y));
            break;
        case MG_RX_JUMP:
            ADD(target(&o, in->x));
            break;
        case MG_RX_COUNT: {
            const mg_re_loop *l = &m->loop[in->hi << 8 | in->lo];
            uint32_t done = o.iter + 1;
            if (done >= l->min) ADD(in->y);
            if (l->unbounded)
                ADD(in_iter(l, done < l->niter ? done : l->niter - 1, in->x));
            else if (done < l->niter)
                ADD(in_iter(l, done, in->x));
            break;
        }
        default:
            break;
        }
    }
#undef ADD
    *work += nl;
    for (size_t i = 0; i < nl; i++)
        ws->seen[list[i] >> 6] = 0;
    if (full) {
        memset(ws->seen, 0, ((size_t)m->nvirt + 63) / 64 * sizeof *ws->seen);
        return -1;
    }
    if (at_end) return matched;
    size_t no = 0;
    for (size_t i = 0; i < nb; i++) {
        const mg_re_inst *in = &m->inst[ws->bpc[i]];
        if (byte >= in->lo && byte <= in->hi && !test_set(ws->queued, ws->btx[i]))
            ws->out[no++] = ws->btx[i];
    }
    if (m->restart && m->backward && boundary && !test_set(ws->queued, m->start))
        ws->out[no++] = m->start;
    for (size_t i = 0; i < no; i++)
        ws->queued[ws->out[i] >> 6] = 0;
    if (sorted) sort_u32(ws->out, no);
    *nout = no;
    *oflags = d->uses_word && next_word ? MG_RD_PREV_WORD : 0;
    return matched;
}

/* ---- NFA simulation ---- */

/* The set of live states advanced a byte at a time by the DFA step, the sets not kept (each
 * state is visited at most once per position). */
int mg_re_nfa_run(const mg_re_scan *sc, const uint32_t *k, size_t nk, size_t pos)
{
    const mg_re_machine *m = sc->m;
    mg_re_dfa_info info;
    mg_re_dfa_ws ws;
    mg_re_dfa_info_init(&info, m);
    size_t half = sc->nwords / 2;
    if (half < 64 || !mg_re_dfa_ws_init(&ws, m, sc->words + half, sc->nwords - half))
        return MG_RE_EMEM;
    uint32_t *cur = (uint32_t *)sc->words;
    size_t cap = half * 2, ncur = k ? nk : 1, n = sc->n;
    uint64_t work = 0;
    if (ncur > cap) return MG_RE_EMEM;
    if (k)
        memcpy(cur, k, nk * sizeof *k);
    else
        cur[0] = m->start;
    for (;;) {
        bool at_end = m->backward ? pos == 0 : pos == n;
        int prev = m->backward ? (pos < n ? sc->s[pos] : -1) : (pos > 0 ? sc->s[pos - 1] : -1);
        int next = at_end ? -1 : m->backward ? sc->s[pos - 1] : sc->s[pos];
        unsigned flags = (prev >= 0 && mg_re_is_word(prev) ? MG_RD_PREV_WORD : 0) |
                         (pos == (m->backward ? n : 0) ? MG_RD_AT_START : 0);
        uint32_t look = m->nlook ? mg_re_look_bits(sc, pos) : 0;
        size_t nn = 0;
        unsigned of;
        int matched =
            mg_re_dfa_step(&info, cur, ncur, flags, next, look, &ws, false, &nn, &of, &work);
        if (matched < 0 || nn > cap) return MG_RE_EMEM;
        if (matched) {
            if (!sc->out) return MG_RE_MATCH;
            sc->out[pos >> 6] |= UINT64_C(1) << (pos & 63);
        }
        if (at_end || (nn == 0 && !m->restart)) return MG_RE_NOMATCH;
        memcpy(cur, ws.out, nn * sizeof *cur);
        ncur = nn;
        pos = m->backward ? pos - 1 : pos + 1;
    }
}

/* ---- the lazy DFA cache ---- */

#define DIR_SLOTS 64
/* A scan that has built more than THRASH_STATES states, one every THRASH_BYTES bytes or more
 * often, meets a new state at almost every byte: it goes on as an NFA simulation, which is
 * the same work without the interning. */
#define THRASH_STATES 1024
#define THRASH_BYTES 4
#define HBUCKETS 1024
#define T_MATCHED 1u
#define T_DEAD 2u

struct mg_re_cache {
    unsigned char *mem;
    size_t cap, used;
    struct {
        const mg_re_machine *m;
        size_t off;
    } dir[DIR_SLOTS];
};

typedef struct mcache {
    uint64_t id;
    mg_re_dfa_info info;
    uint32_t nsym;
    uint32_t start; /* offset of the start state, 0 until made */
    uint32_t hash[HBUCKETS];
} mcache;

typedef struct dstate {
    uint32_t hnext, nk;
    uint16_t flags, acc_known, acc_val, pad;
    uint32_t trans[]; /* nsym slots, then the kernel */
} dstate;

mg_re_cache *mg_re_cache_new(size_t bytes)
{
    if (bytes > UINT32_MAX) bytes = UINT32_MAX;
    mg_re_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->mem = malloc(bytes);
    if (!c->mem) {
        free(c);
        return NULL;
    }
    c->cap = bytes;
    c->used = 8; /* offset 0 means "none" */
    return c;
}

void mg_re_cache_free(mg_re_cache *c)
{
    if (!c) return;
    free(c->mem);
    free(c);
}

static void flush(mg_re_cache *c)
{
    c->used = 8;
    memset(c->dir, 0, sizeof c->dir);
}

static size_t arena_alloc(mg_re_cache *c, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (size > c->cap - c->used) return 0;
    size_t off = c->used;
    c->used += size;
    return off;
}

/* The header of machine m in c, made (flushing when needed) if absent; NULL if it cannot fit. */
static mcache *machine_cache(mg_re_cache *c, const mg_re_machine *m)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t h = ((uintptr_t)m >> 4) % DIR_SLOTS;
        for (size_t k = 0; k < DIR_SLOTS; k++, h = (h + 1) % DIR_SLOTS) {
            if (c->dir[h].m == m) {
                mcache *mc = (mcache *)(c->mem + c->dir[h].off);
                if (mc->id == m->id) return mc;
                break; /* another machine was at this address: start afresh */
            }
            if (c->dir[h].m) continue;
            size_t off = arena_alloc(c, sizeof(mcache));
            if (!off) break;
            mcache *mc = (mcache *)(c->mem + off);
            mc->id = m->id;
            mg_re_dfa_info_init(&mc->info, m);
            mc->nsym = (uint32_t)m->ncls << m->nlook;
            mc->start = 0;
            memset(mc->hash, 0, sizeof mc->hash);
            c->dir[h].m = m;
            c->dir[h].off = off;
            return mc;
        }
        flush(c);
    }
    return NULL;
}

static dstate *state_at(const mg_re_cache *c, uint32_t off)
{
    return (dstate *)(c->mem + off);
}

/* The offset of state (k, flags) of mc, added if new; 0 when the arena is full. */
static uint32_t intern(mg_re_cache *c, mcache *mc, const uint32_t *k, size_t nk, unsigned flags)
{
    uint32_t h = 2166136261u ^ flags;
    for (size_t i = 0; i < nk; i++)
        h = (h ^ k[i]) * 16777619u;
    uint32_t *bucket = &mc->hash[h % HBUCKETS];
    for (uint32_t off = *bucket; off; off = state_at(c, off)->hnext) {
        const dstate *s = state_at(c, off);
        if (s->flags == flags && s->nk == nk && memcmp(s->trans + mc->nsym, k, nk * sizeof *k) == 0)
            return off;
    }
    size_t off = arena_alloc(c, sizeof(dstate) + ((size_t)mc->nsym + nk) * sizeof(uint32_t));
    if (!off || off > UINT32_MAX) return 0;
    dstate *s = state_at(c, (uint32_t)off);
    s->hnext = *bucket;
    s->nk = (uint32_t)nk;
    s->flags = (uint16_t)flags;
    s->acc_known = s->acc_val = s->pad = 0;
    memset(s->trans, 0, mc->nsym * sizeof(uint32_t));
    memcpy(s->trans + mc->nsym, k, nk * sizeof *k);
    *bucket = (uint32_t)off;
    return (uint32_t)off;
}

/* Positions and bytes of a scan: forward 0..n reading s[i]; backward n..0 reading s[i-1]. */
int mg_re_lazy_run(mg_re_cache *c, const mg_re_scan *sc)
{
    const mg_re_machine *m = sc->m;
    bool main = sc->out == NULL;
    mg_re_dfa_ws ws;
    bool ws_ready = false;
    uint64_t work = 0;
    mcache *mc = machine_cache(c, m);
    if (!mc) return MG_RE_EMEM;
    for (int attempt = 0; !mc->start && attempt < 2; attempt++) {
        uint32_t k = m->start;
        mc->start = intern(c, mc, &k, 1, mc->info.uses_start ? MG_RD_AT_START : 0);
        if (!mc->start) {
            flush(c);
            if (!(mc = machine_cache(c, m))) return MG_RE_EMEM;
        }
    }
    if (!mc->start) return MG_RE_EMEM;
    uint32_t cur = mc->start;
    size_t n = sc->n, pos = m->backward ? n : 0, built = 0, scanned = 0;
    for (;; scanned++) {
        bool at_end = m->backward ? pos == 0 : pos == n;
        uint32_t look = m->nlook ? mg_re_look_bits(sc, pos) : 0;
        dstate *st = state_at(c, cur);
        int b = at_end ? -1 : m->backward ? sc->s[pos - 1] : sc->s[pos];
        uint32_t sym = at_end ? 0 : (uint32_t)m->cls[b] << m->nlook | look;
        uint32_t t = at_end ? 0 : st->trans[sym];
        if (at_end ? !(st->acc_known >> look & 1) : t == 0) {
            if (++built > THRASH_STATES && built > scanned / THRASH_BYTES)
                return mg_re_nfa_run(sc, st->trans + mc->nsym, st->nk, pos);
            if (!ws_ready && !mg_re_dfa_ws_init(&ws, m, sc->words, sc->nwords)) return MG_RE_EMEM;
            ws_ready = true;
            size_t nk = 0;
            unsigned of = 0;
            int matched = mg_re_dfa_step(&mc->info, st->trans + mc->nsym, st->nk, st->flags, b,
                                         look, &ws, true, &nk, &of, &work);
            if (matched < 0) return MG_RE_EMEM;
            if (at_end) {
                st->acc_known |= (uint16_t)(1u << look);
                st->acc_val |= (uint16_t)((unsigned)matched << look);
            } else if (matched && main) {
                st->trans[sym] = T_MATCHED | T_DEAD;
                return MG_RE_MATCH;
            } else if (nk == 0 && !m->restart) {
                t = T_DEAD | (matched ? T_MATCHED : 0);
                st->trans[sym] = t;
            } else {
                uint32_t off = intern(c, mc, ws.out, nk, of);
                if (off) {
                    t = off | (matched ? T_MATCHED : 0);
                    st->trans[sym] = t;
                } else {
                    /* full: start again from the successor alone */
                    flush(c);
                    mc = machine_cache(c, m);
                    off = mc ? intern(c, mc, ws.out, nk, of) : 0;
                    if (!off) return MG_RE_EMEM;
                    t = off | (matched ? T_MATCHED : 0);
                }
            }
        }
        if (at_end) {
            bool acc = st->acc_val >> look & 1;
            if (main) return acc ? MG_RE_MATCH : MG_RE_NOMATCH;
            if (acc) sc->out[pos >> 6] |= UINT64_C(1) << (pos & 63);
            return MG_RE_NOMATCH;
        }
        if (t & T_MATCHED) {
            if (main) return MG_RE_MATCH;
            sc->out[pos >> 6] |= UINT64_C(1) << (pos & 63);
        }
        if (t & T_DEAD) return MG_RE_NOMATCH;
        cur = t & ~(T_MATCHED | T_DEAD);
        pos = m->backward ? pos - 1 : pos + 1;
    }
}
