/* cg_regex_dfa.c - subset construction of a machine's static DFA (see cg_regex.h).
 *
 * Design: the states are those of the runtime's lazy DFA (mg_regex_dfa.h: a kernel of NFA
 * instructions plus context flags) and each successor is computed by the same step the
 * runtime uses, so the two cannot disagree; here every state reachable on every symbol
 * (byte class x lookaround bits) is built ahead of time. States are interned in an
 * open-addressing hash table. Construction gives up past MG_RE_DFA_MAX states or past a
 * bound on the instructions visited (so that codegen stays well under a second per pattern);
 * the machine then keeps its NFA and the runtime builds what an input needs.
 */
#include "cg_regex.h"

#include <stdlib.h>
#include <string.h>

#include "mg_regex_dfa.h"

#define HASH_SIZE 4096      /* power of two, > 2 * MG_RE_DFA_MAX */
#define WORK_MAX 8000000ull /* states visited by all steps of one machine */

typedef struct dstate {
    size_t off, len; /* kernel in pool */
    unsigned flags;
} dstate;

typedef struct dfa {
    uint32_t *pool;
    size_t npool, cappool;
    dstate st[MG_RE_DFA_MAX];
    size_t nst;
    int32_t hash[HASH_SIZE];
} dfa;

static uint32_t hash_of(const uint32_t *k, size_t n, unsigned flags)
{
    uint32_t h = 2166136261u ^ flags;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

/* The id of state (k, flags), added if new; -1 past the limit, -2 out of memory. */
static int intern(dfa *d, const uint32_t *k, size_t n, unsigned flags)
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

static int build(dfa *d, const mg_re_dfa_info *info, mg_re_dfa_ws *ws, mg_re_machine *m,
                 bool stop_at_match)
{
    const unsigned nl = m->nlook, nsym = (unsigned)m->ncls << nl;
    uint16_t *trans = malloc((size_t)MG_RE_DFA_MAX * nsym * sizeof *trans);
    uint8_t *acc = malloc((size_t)MG_RE_DFA_MAX << nl);
    uint64_t work = 0;
    m->trans = trans;
    m->acc_end = acc;
    uint32_t start = m->start;
    if (!trans || !acc || intern(d, &start, 1, info->uses_start ? MG_RD_AT_START : 0) < 0)
        return -1;
    for (size_t s = 0; s < d->nst; s++) {
        for (unsigned look = 0; look < (1u << nl); look++) {
            const dstate st = d->st[s];
            int a = mg_re_dfa_step(info, d->pool + st.off, st.len, st.flags, -1, look, ws, true,
                                   NULL, NULL, &work);
            if (a < 0) return 1;
            acc[s << nl | look] = (uint8_t)a;
            for (unsigned c = 0; c < m->ncls; c++) {
                size_t nk;
                unsigned of;
                int matched = mg_re_dfa_step(info, d->pool + st.off, st.len, st.flags, info->rep[c],
                                             look, ws, true, &nk, &of, &work);
                if (matched < 0) return 1;
                int id = MG_RE_DEAD;
                if ((nk > 0 || m->restart) && !(matched && stop_at_match)) {
                    id = intern(d, ws->out, nk, of);
                    if (id < 0) return id == -1 ? 1 : -1;
                }
                trans[s * nsym + (c << nl | look)] = (uint16_t)(id | (matched ? MG_RE_MATCHED : 0));
            }
            if (work > WORK_MAX) return 1;
        }
    }
    m->nstates = (uint16_t)d->nst;
    return 0;
}

int cg_re_dfa_build(mg_re_machine *m, bool stop_at_match)
{
    dfa *d = calloc(1, sizeof *d);
    size_t nwords = ((size_t)m->nvirt + 63) / 64 * 2 + (size_t)m->nvirt * 2 + 64;
    uint64_t *words = malloc(nwords * sizeof *words);
    int rc = -1;
    if (d && words) {
        mg_re_dfa_info info;
        mg_re_dfa_ws ws;
        mg_re_dfa_info_init(&info, m);
        mg_re_dfa_ws_init(&ws, m, words, nwords);
        memset(d->hash, 0xFF, sizeof d->hash);
        rc = build(d, &info, &ws, m, stop_at_match);
    }
    if (rc != 0) {
        free((void *)m->trans);
        free((void *)m->acc_end);
        m->trans = NULL;
        m->acc_end = NULL;
        m->nstates = 0;
    }
    free(words);
    if (d) free(d->pool);
    free(d);
    return rc;
}
