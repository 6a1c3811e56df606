/* cg_emit_obj.c - renders the object and array checks of one planned function, and
 * unevaluated* (cg_emit.h).
 *
 * Design: all object keywords share one pass over the members: each key is matched by length
 * then bytes against the names that matter (a switch for few, the plan's sorted table for
 * many), then against patternProperties, and what matched nothing goes to
 * additionalProperties. Names that must be present are remembered in a local `seen` set,
 * checked after the pass. Arrays likewise get one pass for prefixItems/items/contains. In
 * tracking functions every member or item a keyword evaluates sets its bit in `sev`;
 * unevaluated* then checks the members whose bit is clear. Locals are declared only where
 * something reads them. Nothing here can fail. Single-threaded.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cg_emit.h"

static void put_mark(cg_w *w)
{
    if (!w->f->tracks) return;
    cg_w_line(w, "if (sev)");
    cg_w_inner(w, "mg_bit_set(sev, np);");
}

/* seen[i] in either form of the seen set. */
static void put_seen(FILE *o, bool bits, int i)
{
    fprintf(o, bits ? "mg_bit_get(seen, %d)" : "seen[%d]", i);
}

/* minProperties & co: `if (mg_count(d, at) < N)`, unless the bound cannot be crossed (a count
 * is a uint32_t; the C compiler warns about such comparisons, -Wtype-limits). */
static void render_count(cg_w *w, const cg_count *b, bool minimum, const char *code)
{
    if (!b->at || (minimum ? b->n == 0 : b->n >= UINT32_MAX)) return;
    char cond[64], arg[32];
    snprintf(cond, sizeof cond, "mg_count(d, at) %s UINT64_C(%" PRIu64 ")", minimum ? "<" : ">",
             b->n);
    snprintf(arg, sizeof arg, "%" PRIu64, b->n);
    cg_w_comment(w, b->at);
    if (minimum && b->n > UINT32_MAX)
        cg_w_fail(w, "at", code, b->at, arg, strlen(arg));
    else
        cg_w_fail_if(w, cond, code, b->at, arg, strlen(arg));
}

typedef struct len_order {
    size_t len, idx, group; /* group: index of the first slot with this length */
} len_order;

static int cmp_len_idx(const void *a, const void *b)
{
    const len_order *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_group_idx(const void *a, const void *b)
{
    const len_order *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Few names: a switch on the key's length, then memcmp against each name of that length
 * (lengths in order of first mention, names in mention order). */
static void render_names_switch(cg_w *w, const cg_pobj *ob, bool m)
{
    size_t n = ob->nslots;
    len_order *ord = cg_xcalloc(n, sizeof *ord);
    for (size_t i = 0; i < n; i++)
        ord[i] = (len_order){ob->slots[i].len, i, 0};
    qsort(ord, n, sizeof *ord, cmp_len_idx);
    for (size_t i = 0; i < n; i++)
        ord[i].group = i && ord[i - 1].len == ord[i].len ? ord[i - 1].group : ord[i].idx;
    qsort(ord, n, sizeof *ord, cmp_group_idx);
    cg_w_open(w, "switch (kl)");
    for (size_t r = 0; r < n; r++) {
        const cg_slot *sl = &ob->slots[ord[r].idx];
        if (r == 0 || ord[r - 1].group != ord[r].group) {
            if (r) cg_w_inner(w, "break;");
            cg_w_line(w, "case %zu:", sl->len);
        }
        w->depth++;
        fputs("if (memcmp(ks, ", cg_w_begin(w));
        cg_put_cstr(w->o, sl->name, sl->len);
        fprintf(w->o, ", %zu) == 0) {", sl->len);
        cg_w_end(w);
        w->depth++;
        if (sl->seen >= 0) cg_w_line(w, "seen[%d] = true;", sl->seen);
        if (sl->prop_fn >= 0) {
            if (m) cg_w_line(w, "m = true;");
            put_mark(w);
            cg_w_comment(w, sl->prop);
            cg_w_line(w, "MG_SUB(%s(c, k + 1, NULL));", cg_w_fn(w, sl->prop_fn));
        }
        cg_w_close(w);
        w->depth--;
    }
    if (n) cg_w_inner(w, "break;");
    cg_w_line(w, "default:");
    cg_w_inner(w, "break;");
    cg_w_close(w);
    free(ord);
}

/* Many names: the plan's sorted table, searched by binary search; a row carries the name's
 * place in the seen bitset and the function of properties[name]. */
static void render_names_table(cg_w *w, const cg_pobj *ob, bool m)
{
    const cg_table *t = &w->g->plan->tables[ob->names_tab];
    cg_w_line(w, "int32_t ix = mg_name_find(%s, %zu, ks, kl);", t->name, t->n);
    cg_w_open(w, "if (ix >= 0)");
    if (ob->nseen) {
        cg_w_line(w, "if (%s[ix].seen >= 0)", t->name);
        cg_w_inner(w, "mg_bit_set(seen, (uint32_t)%s[ix].seen);", t->name);
    }
    bool props = false;
    for (size_t i = 0; i < ob->nslots; i++)
        props = props || ob->slots[i].prop_fn >= 0;
    if (props) {
        cg_w_open(w, "if (%s[ix].fn)", t->name);
        if (m) cg_w_line(w, "m = true;");
        put_mark(w);
        cg_w_line(w, "MG_SUB((c->locs = %s[ix].locs, %s[ix].fn)(c, k + 1, NULL));", t->name,
                  t->name);
        cg_w_close(w);
    }
    cg_w_close(w);
}

static void render_patterns(cg_w *w, const cg_pobj *ob, bool m)
{
    const cj_node *pats = ob->pats;
    cg_w_line(w, "mg_charge(c, (size_t)kl * %zu);", pats->n);
    for (size_t i = 0; i < pats->n; i++) {
        const cg_re *re = &w->g->plan->res[ob->pat_re[i]];
        cg_w_comment(w, pats->items[i]);
        if (re->may_limit) {
            cg_w_line(w, "int mr%zu = %s(c, ks, kl);", i, re->name);
            cg_w_line(w, "if (mr%zu < 0)", i);
            w->depth++;
            fputs("MG_LIMIT(k, ", cg_w_begin(w));
            cg_w_loc(w, pats->items[i]);
            fprintf(w->o, ", mg_re_limit_name(mr%zu));", i);
            cg_w_end(w);
            w->depth--;
            cg_w_open(w, "if (mr%zu > 0)", i);
        } else {
            cg_w_open(w, "if (%s(c, ks, kl))", re->name);
        }
        if (m) cg_w_line(w, "m = true;");
        put_mark(w);
        cg_w_line(w, "MG_SUB(%s(c, k + 1, NULL));", cg_w_fn(w, ob->pat_fn[i]));
        cg_w_close(w);
    }
}

static void render_member_loop(cg_w *w, const cg_pobj *ob)
{
    bool named = false;
    for (size_t i = 0; i < ob->nslots; i++)
        named = named || ob->slots[i].prop_fn >= 0;
    /* m: the member matched properties or patternProperties, so it is not additional */
    bool m = ob->addl && (named || ob->pats);
    if (w->f->tracks) cg_w_line(w, "uint32_t np = 0;");
    cg_w_open(w, "MG_OBJECT_FOR(d, at, k)");
    if (ob->nslots || ob->pats) {
        cg_w_line(w, "uint32_t kl;");
        cg_w_line(w, "const char *ks = mg_str(d, k, &kl);");
    }
    if (m) cg_w_line(w, "bool m = false;");
    if (ob->pnames) {
        cg_w_comment(w, ob->pnames);
        cg_w_line(w, "MG_SUB(%s(c, k, NULL));", cg_w_fn(w, ob->pn_fn));
    }
    if (ob->bits)
        render_names_table(w, ob, m);
    else if (ob->nslots)
        render_names_switch(w, ob, m);
    if (ob->pats) render_patterns(w, ob, m);
    if (ob->addl) {
        cg_w_comment(w, ob->addl);
        if (m) cg_w_open(w, "if (!m)");
        put_mark(w);
        if (ob->addl->type == CJ_FALSE)
            cg_w_fail(w, "k", "MG_E_ADDITIONAL", ob->addl, "", 0);
        else
            cg_w_line(w, "MG_SUB(%s(c, k + 1, NULL));", cg_w_fn(w, ob->addl_fn));
        if (m) cg_w_close(w);
    }
    if (w->f->tracks) cg_w_line(w, "np++;");
    cg_w_close(w);
}

static void render_required(cg_w *w, const cg_pobj *ob)
{
    const cj_node *req = ob->req;
    if (ob->req_tab >= 0) {
        const cg_table *t = &w->g->plan->tables[ob->req_tab];
        cg_w_comment(w, req);
        cg_w_line(w, "for (int32_t r = 0; r < %zu; r++)", t->n);
        cg_w_inner(w, "if (!mg_bit_get(seen, (uint32_t)%s[r].seen))", t->name);
        w->depth += 2;
        fputs("MG_FAIL(at, MG_E_REQUIRED, ", cg_w_begin(w));
        cg_w_loc(w, req);
        fprintf(w->o, ", %s[r].s);", t->name);
        cg_w_end(w);
        w->depth -= 2;
        return;
    }
    for (size_t i = 0; i < req->n; i++) {
        const cj_node *r = req->items[i];
        cg_w_comment(w, r);
        fputs("if (!", cg_w_begin(w));
        put_seen(w->o, ob->bits, cg_slot_seen(ob, r->str, r->len));
        fputs(")", w->o);
        cg_w_end(w);
        w->depth++;
        cg_w_fail(w, "at", "MG_E_REQUIRED", req, r->str, r->len);
        w->depth--;
    }
}

static void render_deps(cg_w *w, const cg_pobj *ob)
{
    for (size_t i = 0; i < ob->ndeps; i++) {
        const cg_dep *dp = &ob->deps[i];
        cg_w_comment(w, dp->at);
        for (size_t j = 0; j < dp->nreq; j++) {
            const cj_node *rn = dp->at->items[j];
            char *arg = cg_fmt("%s requires %s", dp->key, rn->str);
            fputs("if (", cg_w_begin(w));
            put_seen(w->o, ob->bits, dp->key_seen);
            fputs(" && !", w->o);
            put_seen(w->o, ob->bits, dp->req_seen[j]);
            fputs(")", w->o);
            cg_w_end(w);
            w->depth++;
            cg_w_fail(w, "at", "MG_E_DEPENDENT_REQUIRED", dp->at, arg, strlen(arg));
            w->depth--;
            free(arg);
        }
        if (dp->fn < 0) continue;
        fputs("if (", cg_w_begin(w));
        put_seen(w->o, ob->bits, dp->key_seen);
        fputs(")", w->o);
        cg_w_end(w);
        cg_w_inner(w, "MG_SUB(%s(c, at, %s));", cg_w_fn(w, dp->fn), cg_w_ev(w));
    }
}

void cg_render_object(cg_w *w)
{
    const cg_pobj *ob = w->f->obj;
    if (!ob) return;
    bool loop = ob->nslots || ob->pats || ob->addl || ob->pnames;
    if (!loop && !ob->minp.at && !ob->maxp.at) return;
    cg_w_open(w, "if (t == MG_TAPE_OBJECT)");
    if (ob->nseen && ob->bits)
        cg_w_line(w, "uint64_t seen[%d] = {0};", (ob->nseen + 63) / 64);
    else if (ob->nseen)
        cg_w_line(w, "bool seen[%d] = {false};", ob->nseen);
    if (loop) render_member_loop(w, ob);
    if (ob->req) render_required(w, ob);
    render_deps(w, ob);
    render_count(w, &ob->minp, true, "MG_E_MIN_PROPERTIES");
    render_count(w, &ob->maxp, false, "MG_E_MAX_PROPERTIES");
    cg_w_close(w);
}

static void render_contains_bounds(cg_w *w, const cg_parr *a)
{
    char cond[64], arg[64];
    if (a->cmin > 0) {
        snprintf(cond, sizeof cond, "ncont < UINT64_C(%" PRIu64 ")", a->cmin);
        snprintf(arg, sizeof arg, "at least %" PRIu64, a->cmin);
        cg_w_fail_if(w, cond, "MG_E_CONTAINS", a->minc ? a->minc : a->cont, arg, strlen(arg));
    }
    if (a->has_cmax) {
        snprintf(cond, sizeof cond, "ncont > UINT64_C(%" PRIu64 ")", a->cmax);
        snprintf(arg, sizeof arg, "at most %" PRIu64, a->cmax);
        cg_w_fail_if(w, cond, "MG_E_CONTAINS", a->maxc, arg, strlen(arg));
    }
}

static void render_items_loop(cg_w *w, const cg_parr *a)
{
    bool tracks = w->f->tracks;
    size_t np = a->prefix ? a->prefix->n : 0;
    if (np || tracks) cg_w_line(w, "uint32_t np = 0;");
    if (a->cont) cg_w_line(w, "uint64_t ncont = 0;");
    cg_w_open(w, "MG_ARRAY_FOR(d, at, i)");
    if (np) {
        cg_w_open(w, "if (np < %zu)", np);
        put_mark(w);
        cg_w_open(w, "switch (np)");
        for (size_t i = 0; i < np; i++) {
            if (a->prefix_fn[i] < 0) continue;
            cg_w_line(w, "case %zu:", i);
            w->depth++;
            cg_w_comment(w, a->prefix->items[i]);
            cg_w_line(w, "MG_SUB(%s(c, i, NULL));", cg_w_fn(w, a->prefix_fn[i]));
            cg_w_line(w, "break;");
            w->depth--;
        }
        cg_w_line(w, "default:");
        cg_w_inner(w, "break;");
        cg_w_close(w);
        if (a->rest) cg_w_else(w);
    }
    if (a->rest) {
        put_mark(w);
        cg_w_comment(w, a->rest);
        cg_w_line(w, "MG_SUB(%s(c, i, NULL));", cg_w_fn(w, a->rest_fn));
    }
    if (np) cg_w_close(w);
    if (a->cont) {
        cg_w_comment(w, a->cont);
        cg_w_line(w, "c->quiet++;");
        cg_w_line(w, "bool cm = %s(c, i, NULL);", cg_w_fn(w, a->cont_fn));
        cg_w_line(w, "c->quiet--;");
        cg_w_open(w, "if (cm)");
        cg_w_line(w, "ncont++;");
        if (w->f->info->dialect >= CG_D2020) put_mark(w);
        cg_w_close(w);
    }
    if (np || tracks) cg_w_line(w, "np++;");
    cg_w_close(w);
    if (a->cont) render_contains_bounds(w, a);
}

void cg_render_array(cg_w *w)
{
    const cg_parr *a = w->f->arr;
    if (!a || (!a->prefix && !a->rest && !a->cont && !a->mini.at && !a->maxi.at && !a->uniq))
        return;
    cg_w_open(w, "if (t == MG_TAPE_ARRAY)");
    render_count(w, &a->mini, true, "MG_E_MIN_ITEMS");
    render_count(w, &a->maxi, false, "MG_E_MAX_ITEMS");
    if (a->uniq) {
        cg_w_comment(w, a->uniq);
        cg_w_fail_if(w, "!mg_unique_items(c, at)", "MG_E_UNIQUE_ITEMS", a->uniq, "", 0);
    }
    if (a->prefix || a->rest || a->cont) render_items_loop(w, a);
    cg_w_close(w);
}

void cg_render_unevaluated(cg_w *w)
{
    const cg_fn *f = w->f;
    const cj_node *which[2] = {f->uprops, f->uitems};
    int fns[2] = {f->uprops_fn, f->uitems_fn};
    for (int k = 0; k < 2; k++) {
        const cj_node *u = which[k];
        if (!u) continue;
        cg_w_comment(w, u);
        cg_w_open(w, k == 0 ? "if (t == MG_TAPE_OBJECT && sev)" : "if (t == MG_TAPE_ARRAY && sev)");
        cg_w_line(w, "uint32_t np = 0;");
        cg_w_open(w, k == 0 ? "MG_OBJECT_FOR(d, at, k)" : "MG_ARRAY_FOR(d, at, k)");
        cg_w_open(w, "if (!mg_bit_get(sev, np))");
        if (u->type == CJ_FALSE)
            cg_w_fail(w, "k", "MG_E_UNEVALUATED", u, "", 0);
        else
            cg_w_line(w, "MG_SUB(%s(c, k%s, NULL));", cg_w_fn(w, fns[k]), k == 0 ? " + 1" : "");
        cg_w_line(w, "mg_bit_set(sev, np);");
        cg_w_close(w);
        cg_w_line(w, "np++;");
        cg_w_close(w);
        cg_w_close(w);
    }
}
