/* cg_memo.c - which generated functions remember their results (the memo of mg_rt.h).
 *
 * Design: while the functions are rendered, every call one makes is recorded (cg_fn_for), with
 * the functions called through a reference and those that read the dynamic scope. A function
 * is evaluated more than once at the same value only through references (without them the
 * calls follow the schema's tree), and a number of times that grows with the message only
 * through a cycle of the call graph (recursion); without one the repeats are bounded by the
 * schema alone, and the step budget bounds them. So the memoized functions are the reference
 * targets that lie on a cycle (a strongly connected component, found by an iterative Tarjan)
 * and whose result depends on (function, value) alone: the plain (not tracking) form of a
 * schema object, from which no function that reads the dynamic scope ($dynamicRef or
 * $recursiveRef with candidates) can be reached. A schema without recursion gets no memo code
 * at all. Memoized functions get dense ids, and their text gets two lines, placed when the
 * whole graph is known: the lookup after the declarations and the store before `return ok;`.
 * Work and memory are linear in the functions and calls; nothing recurses on the C stack.
 * Single-threaded; owned by the cg (g->memo) for the time of cg_emit.
 */
#include "cg_emit.h"

#include <stdlib.h>
#include <string.h>

enum { REF_TARGET = 1, DYN_LOOKUP = 2, ELIGIBLE = 4, REACHES_LOOKUP = 8, ON_CYCLE = 16 };

typedef struct fn_memo {
    unsigned flags;
    int id;                 /* memo id, -1 when not memoized */
    long pos[2];            /* in the body text: where the lookup and the store go */
    size_t ncalled, ncalls; /* calls to and from this function (for the two graphs) */
} fn_memo;

struct cg_memo {
    fn_memo *fn;
    size_t nfn;
    int (*calls)[2]; /* caller, callee */
    size_t ncalls, ccalls;
    int nids;
};

cg_memo *cg_memo_new(void)
{
    cg_memo *m = calloc(1, sizeof *m);
    if (!m) abort();
    return m;
}

void cg_memo_free(cg_memo *m)
{
    if (!m) return;
    free(m->fn);
    free(m->calls);
    free(m);
}

static fn_memo *fn_of(cg_memo *m, int f)
{
    if ((size_t)f >= m->nfn) {
        size_t n = m->nfn ? m->nfn : 64;
        while (n <= (size_t)f)
            n *= 2;
        m->fn = realloc(m->fn, n * sizeof *m->fn);
        if (!m->fn) abort();
        memset(m->fn + m->nfn, 0, (n - m->nfn) * sizeof *m->fn);
        for (size_t i = m->nfn; i < n; i++)
            m->fn[i].id = -1;
        m->nfn = n;
    }
    return &m->fn[f];
}

void cg_memo_call(cg_memo *m, int from, int to)
{
    if (from < 0 || to < 0) return;
    if (m->ncalls && m->calls[m->ncalls - 1][0] == from && m->calls[m->ncalls - 1][1] == to) return;
    if (m->ncalls == m->ccalls) {
        m->ccalls = m->ccalls ? m->ccalls * 2 : 256;
        m->calls = realloc(m->calls, m->ccalls * sizeof *m->calls);
        if (!m->calls) abort();
    }
    m->calls[m->ncalls][0] = from;
    m->calls[m->ncalls++][1] = to;
    fn_of(m, from)->ncalls++;
    fn_of(m, to)->ncalled++;
}

int cg_ref_target(cg_fnctx *x, const cj_node *n)
{
    int fi = cg_sub(x, n, x->track);
    if (fi >= 0 && x->g->memo) fn_of(x->g->memo, fi)->flags |= REF_TARGET;
    return fi;
}

void cg_dyn_lookup(cg_fnctx *x)
{
    if (x->g->memo && x->g->cur_fn >= 0) fn_of(x->g->memo, x->g->cur_fn)->flags |= DYN_LOOKUP;
}

void cg_memo_place(cg_memo *m, int fn, long lookup_pos, long store_pos, bool eligible)
{
    fn_memo *f = fn_of(m, fn);
    f->pos[0] = lookup_pos;
    f->pos[1] = store_pos;
    if (eligible) f->flags |= ELIGIBLE;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

/* The graph as adjacency arrays: out[start[f]..start[f + 1]) are f's callees (by == 1) or
 * callers (by == 0). */
static int *adjacency(const cg_memo *m, int by, size_t *start)
{
    int *out = xcalloc(m->ncalls, sizeof *out);
    size_t *fill = xcalloc(m->nfn, sizeof *fill);
    for (size_t i = 0; i < m->nfn; i++)
        start[i + 1] = start[i] + (by ? m->fn[i].ncalls : m->fn[i].ncalled);
    for (size_t e = 0; e < m->ncalls; e++) {
        size_t f = (size_t)m->calls[e][1 - by];
        out[start[f] + fill[f]++] = m->calls[e][by];
    }
    free(fill);
    return out;
}

/* Marks ON_CYCLE the functions in a strongly connected component of more than one function or
 * with a call to themselves (Tarjan's algorithm, with explicit stacks). */
static void mark_cycles(cg_memo *m)
{
    size_t n = m->nfn, *start = xcalloc(n + 1, sizeof *start), *pos = xcalloc(n, sizeof *pos);
    int *callees = adjacency(m, 1, start);
    int *index = xcalloc(n, sizeof *index), *low = xcalloc(n, sizeof *low);
    int *scc = xcalloc(n, sizeof *scc), *path = xcalloc(n, sizeof *path);
    bool *on_scc = xcalloc(n, sizeof *on_scc);
    size_t nscc = 0, npath = 0;
    int next = 1; /* index 0: not visited */
    for (size_t e = 0; e < m->ncalls; e++)
        if (m->calls[e][0] == m->calls[e][1]) m->fn[m->calls[e][0]].flags |= ON_CYCLE;
    for (size_t root = 0; root < n; root++) {
        if (index[root]) continue;
        index[root] = low[root] = next++;
        pos[root] = start[root];
        scc[nscc++] = path[npath++] = (int)root;
        on_scc[root] = true;
        while (npath) {
            int u = path[npath - 1];
            if (pos[u] < start[u + 1]) {
                int w = callees[pos[u]++];
                if (!index[w]) {
                    index[w] = low[w] = next++;
                    pos[w] = start[w];
                    scc[nscc++] = path[npath++] = w;
                    on_scc[w] = true;
                } else if (on_scc[w] && index[w] < low[u]) {
                    low[u] = index[w];
                }
                continue;
            }
            npath--;
            if (npath && low[u] < low[path[npath - 1]]) low[path[npath - 1]] = low[u];
            if (low[u] != index[u]) continue;
            size_t first = nscc;
            while (scc[--first] != u)
                ;
            for (size_t k = first; k < nscc; k++) {
                on_scc[scc[k]] = false;
                if (nscc - first > 1) m->fn[scc[k]].flags |= ON_CYCLE;
            }
            nscc = first;
        }
    }
    free(start);
    free(pos);
    free(callees);
    free(index);
    free(low);
    free(scc);
    free(path);
    free(on_scc);
}

int cg_memo_plan(cg_memo *m, size_t nfns)
{
    if (nfns) fn_of(m, (int)nfns - 1);
    mark_cycles(m);
    /* every function that can reach a lookup of the dynamic scope, over the callers */
    size_t *start = xcalloc(m->nfn + 1, sizeof *start);
    int *callers = adjacency(m, 0, start);
    int *work = xcalloc(m->nfn, sizeof *work);
    size_t nwork = 0;
    for (size_t i = 0; i < m->nfn; i++)
        if (m->fn[i].flags & DYN_LOOKUP) {
            m->fn[i].flags |= REACHES_LOOKUP;
            work[nwork++] = (int)i;
        }
    while (nwork) {
        int f = work[--nwork];
        for (size_t k = start[f]; k < start[f + 1]; k++) {
            fn_memo *c = &m->fn[callers[k]];
            if (c->flags & REACHES_LOOKUP) continue;
            c->flags |= REACHES_LOOKUP;
            work[nwork++] = callers[k];
        }
    }
    for (size_t i = 0; i < nfns; i++) {
        unsigned fl = m->fn[i].flags;
        if ((fl & ELIGIBLE) && (fl & REF_TARGET) && (fl & ON_CYCLE) && !(fl & REACHES_LOOKUP))
            m->fn[i].id = m->nids++;
    }
    free(start);
    free(callers);
    free(work);
    return m->nids;
}

void cg_memo_write(const cg_memo *m, FILE *out, const char *body, size_t len)
{
    size_t done = 0;
    for (size_t i = 0; i < m->nfn; i++) {
        const fn_memo *f = &m->fn[i];
        if (f->id < 0) continue;
        fwrite(body + done, 1, (size_t)f->pos[0] - done, out);
        fprintf(out,
                "    /* the result for this value if this message computed it already */\n"
                "    if (mg_memo_get(c, %d, at, &ok))\n        return ok;\n",
                f->id);
        fwrite(body + f->pos[0], 1, (size_t)(f->pos[1] - f->pos[0]), out);
        fprintf(out, "    mg_memo_put(c, %d, at, ok);\n", f->id);
        done = (size_t)f->pos[1];
    }
    fwrite(body + done, 1, len - done, out);
}
