/* cg_regex_dfa.c - subset construction from the byte NFA to an mg_re_prog DFA.
 *
 * Design: a DFA state is a "kernel" (the sorted set of NFA instructions reached by consuming
 * the previous byte, plus the start instruction when the search may restart there) together
 * with two context flags: at the start of the input (only if the pattern uses ^) and whether
 * the previous byte was an ASCII word character (only if it uses \b or \B). Epsilon closure
 * is taken when leaving a state, once the next byte is known, so \b sees both sides; a
 * closure that reaches the match makes that transition MG_RE_ACCEPT, an empty successor
 * kernel is MG_RE_DEAD. Bytes are grouped into classes that no instruction (and no word
 * test) tells apart. States are interned in an open-addressing hash table; construction
 * gives up past MG_RE_DFA_MAX states and the caller keeps the NFA.
 */
#include "cg_regex.h"

#include <stdlib.h>
#include <string.h>

#define AT_START 1
#define PREV_WORD 2
#define HASH_SIZE 4096 /* power of two, > 2 * MG_RE_DFA_MAX */

typedef struct dstate {
    size_t off, len; /* kernel in pool */
    uint8_t flags;
} dstate;

typedef struct dfa {
    const mg_re_inst *inst;
    size_t ninst;
    bool use_bol, use_word;
    uint16_t *pool;
    size_t npool, cappool;
    dstate st[MG_RE_DFA_MAX];
    size_t nst;
    int32_t hash[HASH_SIZE];
    uint8_t *seen;    /* per instruction: visited in this closure / queued in this move */
    uint16_t *stack;  /* closure work list */
    uint16_t *bytes;  /* BYTE instructions the closure reached */
    uint16_t *kernel; /* successor being built */
} dfa;

static bool is_word(int b)
{
    return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_';
}

/* Closure of a kernel in a context; fills out with the BYTE instructions reached, returns
 * whether the match is reached. */
static bool closure(dfa *d, const uint16_t *k, size_t nk, uint8_t flags, bool next_word, bool eol,
                    uint16_t *out, size_t *nbytes)
{
    size_t sp = 0, nb = 0;
    bool matched = false;
    memset(d->seen, 0, d->ninst);
    for (size_t i = 0; i < nk; i++)
        if (!d->seen[k[i]]) d->seen[k[i]] = 1, d->stack[sp++] = k[i];
    while (sp) {
        uint16_t pc = d->stack[--sp];
        const mg_re_inst *in = &d->inst[pc];
        bool go = true;
        if (in->op == MG_RX_MATCH) {
            matched = true;
            continue;
        }
        if (in->op == MG_RX_BYTE) {
            out[nb++] = pc;
            continue;
        }
        if (in->op == MG_RX_ASSERT) {
            bool prev = flags & PREV_WORD;
            go = in->lo == MG_RE_BOL     ? (flags & AT_START) != 0
                 : in->lo == MG_RE_EOL   ? eol
                 : in->lo == MG_RE_WORDB ? prev != next_word
                                         : prev == next_word;
        }
        if (go && !d->seen[in->x]) d->seen[in->x] = 1, d->stack[sp++] = in->x;
        if (in->op == MG_RX_SPLIT && !d->seen[in->y]) d->seen[in->y] = 1, d->stack[sp++] = in->y;
    }
    *nbytes = nb;
    return matched;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static uint32_t hash_of(const uint16_t *k, size_t n, uint8_t flags)
{
    uint32_t h = 2166136261u ^ flags;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

/* The id of state (k, flags), added if new; -1 past the limit, -2 out of memory. */
static int intern(dfa *d, const uint16_t *k, size_t n, uint8_t flags)
{
    uint32_t h = hash_of(k, n, flags) & (HASH_SIZE - 1);
    for (;; h = (h + 1) & (HASH_SIZE - 1)) {
        int32_t id = d->hash[h];
        if (id < 0) break;
        const dstate *s = &d->st[id];
        if (s->flags == flags && s->len == n && memcmp(d->pool + s->off, k, n * sizeof *k) == 0)
            return id;
    }
    if (d->nst == MG_RE_DFA_MAX) return -1;
    if (d->npool + n > d->cappool) {
        size_t nc = (d->cappool + n) * 2;
        void *p = realloc(d->pool, nc * sizeof *d->pool);
        if (!p) return -2;
        d->pool = p;
        d->cappool = nc;
    }
    memcpy(d->pool + d->npool, k, n * sizeof *k);
    d->st[d->nst] = (dstate){d->npool, n, flags};
    d->npool += n;
    d->hash[h] = (int32_t)d->nst;
    return (int)d->nst++;
}

/* Byte classes: bytes no BYTE range (and no word test) separates. Returns the count. */
static unsigned byte_classes(const dfa *d, uint8_t *cls, uint8_t *rep)
{
    bool cut[257] = {false};
    for (size_t i = 0; i < d->ninst; i++) {
        if (d->inst[i].op == MG_RX_BYTE) {
            cut[d->inst[i].lo] = true;
            cut[d->inst[i].hi + 1] = true;
        }
    }
    if (d->use_word) {
        static const int w[] = {'0', '9' + 1, 'A', 'Z' + 1, '_', '_' + 1, 'a', 'z' + 1};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            cut[w[i]] = true;
    }
    unsigned n = 0;
    for (int b = 0; b < 256; b++) {
        if (b > 0 && cut[b]) n++;
        if (b == 0 || cut[b]) rep[n] = (uint8_t)b;
        cls[b] = (uint8_t)n;
    }
    return n + 1;
}

static int build(dfa *d, uint16_t start, bool restart, mg_re_prog *p)
{
    uint8_t *cls = malloc(256), rep[256];
    if (!cls) return -1;
    p->cls = cls;
    unsigned ncls = byte_classes(d, cls, rep);
    uint16_t *trans = malloc((size_t)MG_RE_DFA_MAX * ncls * sizeof *trans);
    uint8_t *acc = malloc(MG_RE_DFA_MAX);
    p->trans = trans;
    p->acc_end = acc;
    if (!trans || !acc || intern(d, &start, 1, d->use_bol ? AT_START : 0) < 0) return -1;
    for (size_t s = 0; s < d->nst; s++) {
        size_t nb[2] = {0, 0}, nk;
        bool m[2] = {false, false};
        uint16_t *bytes[2] = {d->bytes, d->bytes + d->ninst};
        uint8_t flags = d->st[s].flags;
        for (int w = 0; w < (d->use_word ? 2 : 1); w++)
            m[w] =
                closure(d, d->pool + d->st[s].off, d->st[s].len, flags, w, false, bytes[w], &nb[w]);
        acc[s] =
            closure(d, d->pool + d->st[s].off, d->st[s].len, flags, false, true, d->kernel, &nk);
        for (unsigned c = 0; c < ncls; c++) {
            int w = d->use_word && is_word(rep[c]);
            uint16_t *t = &trans[s * ncls + c];
            if (m[w]) {
                *t = MG_RE_ACCEPT;
                continue;
            }
            memset(d->seen, 0, d->ninst);
            nk = 0;
            for (size_t i = 0; i < nb[w]; i++) {
                const mg_re_inst *in = &d->inst[bytes[w][i]];
                if (rep[c] >= in->lo && rep[c] <= in->hi && !d->seen[in->x])
                    d->seen[in->x] = 1, d->kernel[nk++] = in->x;
            }
            if (restart && !d->seen[start]) d->kernel[nk++] = start;
            if (nk == 0) {
                *t = MG_RE_DEAD;
                continue;
            }
            qsort(d->kernel, nk, sizeof *d->kernel, cmp_u16);
            int id = intern(d, d->kernel, nk, is_word(rep[c]) && d->use_word ? PREV_WORD : 0);
            if (id < 0) return id == -1 ? 1 : -1;
            *t = (uint16_t)id;
        }
    }
    p->nstates = (uint16_t)d->nst;
    p->ncls = (uint16_t)ncls;
    p->start = 0;
    return 0;
}

int cg_re_dfa_build(const mg_re_inst *inst, size_t ninst, uint16_t start, bool restart,
                    mg_re_prog *p)
{
    dfa *d = calloc(1, sizeof *d);
    if (!d) return -1;
    d->inst = inst;
    d->ninst = ninst;
    for (size_t i = 0; i < ninst; i++) {
        if (inst[i].op == MG_RX_ASSERT) {
            d->use_bol |= inst[i].lo == MG_RE_BOL;
            d->use_word |= inst[i].lo == MG_RE_WORDB || inst[i].lo == MG_RE_NWORDB;
        }
    }
    memset(d->hash, 0xFF, sizeof d->hash);
    d->seen = malloc(ninst);
    d->stack = malloc(ninst * sizeof *d->stack);
    d->bytes = malloc(2 * ninst * sizeof *d->bytes);
    d->kernel = malloc((ninst + 1) * sizeof *d->kernel);
    int rc = d->seen && d->stack && d->bytes && d->kernel ? build(d, start, restart, p) : -1;
    if (rc != 0) {
        free((void *)p->cls);
        free((void *)p->trans);
        free((void *)p->acc_end);
        p->cls = NULL;
        p->trans = NULL;
        p->acc_end = NULL;
    }
    free(d->seen);
    free(d->stack);
    free(d->bytes);
    free(d->kernel);
    free(d->pool);
    free(d);
    return rc;
}
