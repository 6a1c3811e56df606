/* cg_memo.c - which generated functions remember their results (the memo of mg_rt.h).
 *
 * Design: the plan records every call a function makes (cg_fn.callees), with the functions
 * called through a reference and those that read the dynamic scope (cg_fn.flags). A function
 * is evaluated more than once at the same value only through references (without them the
 * calls follow the schema's tree), and a number of times that grows with the message only
 * through a cycle of the call graph (recursion); without one the repeats are bounded by the
 * schema alone, and the step budget bounds them. So the memoized functions are the reference
 * targets that lie on a cycle (a strongly connected component, found by an iterative Tarjan)
 * and whose result depends on (function, value) alone: the plain (not tracking) form of a
 * schema object, from which no function that reads the dynamic scope ($dynamicRef or
 * $recursiveRef with candidates) can be reached. A schema without recursion gets no memo code
 * at all. Memoized functions get dense ids in rendering order. Work and memory are linear in
 * the functions and calls; nothing recurses on the C stack. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_plan.h"

enum { REACHES_LOOKUP = 1, ON_CYCLE = 2 };

typedef struct cg_memo {
    unsigned *flags;
    size_t nfn;
    int (*calls)[2]; /* caller, callee */
    size_t ncalls;
} cg_memo;

/* The graph as adjacency arrays: out[start[f]..start[f + 1]) are f's callees (by == 1) or
 * callers (by == 0). */
static int *adjacency(const cg_memo *m, int by, size_t *start)
{
    int *out = cg_xcalloc(m->ncalls, sizeof *out);
    size_t *fill = cg_xcalloc(m->nfn, sizeof *fill);
    for (size_t e = 0; e < m->ncalls; e++)
        start[m->calls[e][1 - by] + 1]++;
    for (size_t i = 0; i < m->nfn; i++)
        start[i + 1] += start[i];
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
    size_t n = m->nfn, *start = cg_xcalloc(n + 1, sizeof *start), *pos = cg_xcalloc(n, sizeof *pos);
    int *callees = adjacency(m, 1, start);
    int *index = cg_xcalloc(n, sizeof *index), *low = cg_xcalloc(n, sizeof *low);
    int *scc = cg_xcalloc(n, sizeof *scc), *path = cg_xcalloc(n, sizeof *path);
    bool *on_scc = cg_xcalloc(n, sizeof *on_scc);
    size_t nscc = 0, npath = 0;
    int next = 1; /* index 0: not visited */
    for (size_t e = 0; e < m->ncalls; e++)
        if (m->calls[e][0] == m->calls[e][1]) m->flags[m->calls[e][0]] |= ON_CYCLE;
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
                if (nscc - first > 1) m->flags[scc[k]] |= ON_CYCLE;
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

void cg_memo_plan(cg_plan *p)
{
    cg_memo m = {cg_xcalloc(p->nfns, sizeof *m.flags), p->nfns, NULL, 0};
    for (size_t i = 0; i < p->nfns; i++)
        m.ncalls += p->fns[i]->ncallees;
    m.calls = cg_xcalloc(m.ncalls, sizeof *m.calls);
    size_t e = 0;
    for (size_t i = 0; i < p->nfns; i++)
        for (size_t k = 0; k < p->fns[i]->ncallees; k++) {
            m.calls[e][0] = (int)i;
            m.calls[e++][1] = p->fns[i]->callees[k];
        }
    mark_cycles(&m);
    /* every function that can reach a lookup of the dynamic scope, over the callers */
    size_t *start = cg_xcalloc(m.nfn + 1, sizeof *start);
    int *callers = adjacency(&m, 0, start);
    int *work = cg_xcalloc(m.nfn, sizeof *work);
    size_t nwork = 0;
    for (size_t i = 0; i < m.nfn; i++)
        if (p->fns[i]->flags & CG_MEMO_DYN_LOOKUP) {
            m.flags[i] |= REACHES_LOOKUP;
            work[nwork++] = (int)i;
        }
    while (nwork) {
        int f = work[--nwork];
        for (size_t k = start[f]; k < start[f + 1]; k++) {
            if (m.flags[callers[k]] & REACHES_LOOKUP) continue;
            m.flags[callers[k]] |= REACHES_LOOKUP;
            work[nwork++] = callers[k];
        }
    }
    for (size_t i = 0; i < p->nout; i++) {
        cg_fn *f = p->out[i];
        unsigned fl = m.flags[f->index];
        if (!f->track && f->node->type == CJ_OBJECT && f->node->n && (fl & ON_CYCLE) &&
            !(fl & REACHES_LOOKUP) && (f->flags & CG_MEMO_REF_TARGET))
            f->memo = p->nmemo++;
    }
    free(start);
    free(callers);
    free(work);
    free(m.calls);
    free(m.flags);
}
