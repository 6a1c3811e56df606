/* cg_plan_obj.c - plans the object and array keywords of a function (cg_plan.h).
 *
 * Design: all object keywords share one pass over the members at run time, so the plan
 * gathers the names they mention into slots, in first-mention order: properties (with the
 * function for each), required and the dependency keys and names (each with a place in the
 * function's `seen` set). Many names (more than CG_NAMES_TABLE_MIN) go into a sorted table searched
 * by binary search, the seen set becomes a bitset, and many required names a table of their
 * own. In a big set, a function whose schema is only an object's properties, required,
 * additionalProperties and counts (and type object) is checked by the runtime from its
 * tables (mg_obj, cg_plan_tables): every slot in the names table, the required names in a
 * list; one that is only an array's items, counts and uniqueItems likewise (mg_arr). Arrays: prefix
 * items, the rest, contains and its bounds. Schema errors are collected here and the offending
 * keyword is left out. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_plan.h"
#include "mg_rt.h" /* MG_OBJ_SEEN_MAX */

static int find_slot(const cg_pobj *o, const char *name, size_t len)
{
    return (int)(intptr_t)cg_map_getn(&o->index, name, len) - 1;
}

static int add_slot(cg_pobj *o, const char *name, size_t len, const cj_node *at)
{
    int i = find_slot(o, name, len);
    if (i >= 0) return i;
    o->slots = cg_xgrow(o->slots, o->nslots, sizeof *o->slots);
    o->slots[o->nslots] = (cg_slot){name, len, -1, NULL, -1, at};
    cg_map_putn(&o->index, name, len, (void *)(intptr_t)(o->nslots + 1));
    return (int)o->nslots++;
}

/* The name's place in seen[] (given one if it has none). */
static int need_seen(cg_pobj *o, const char *name, size_t len, const cj_node *at)
{
    int i = add_slot(o, name, len, at);
    if (o->slots[i].seen < 0) o->slots[i].seen = o->nseen++;
    return o->slots[i].seen;
}

static bool string_array(cg *g, const cj_node *v)
{
    if (v->type != CJ_ARRAY) {
        cg_error(g, v, "must be an array of strings");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i]->type != CJ_STRING) {
            cg_error(g, v->items[i], "must be a string");
            ok = false;
        }
    return ok;
}

/* dependentRequired (m 0), dependentSchemas (1) and draft-07 dependencies (2). */
static void plan_deps(cg *g, cg_fn *f, cg_pobj *o, const cj_node *dm, int m)
{
    if (dm->type != CJ_OBJECT) {
        cg_error(g, dm, "must be an object");
        return;
    }
    for (size_t i = 0; i < dm->n; i++) {
        const cj_node *v = dm->items[i];
        bool as_req = m == 0 || (m == 2 && v->type == CJ_ARRAY);
        cg_dep d = {v, dm->keys[i], need_seen(o, dm->keys[i], dm->key_lens[i], v), NULL, 0, -1};
        if (as_req) {
            if (!string_array(g, v)) continue;
            d.req_seen = cg_xcalloc(v->n, sizeof *d.req_seen);
            d.nreq = v->n;
            for (size_t j = 0; j < v->n; j++)
                d.req_seen[j] = need_seen(o, v->items[j]->str, v->items[j]->len, v->items[j]);
        } else if (v->type == CJ_ARRAY) {
            continue; /* dependentSchemas holds schemas only: an array is no check */
        } else if ((d.fn = cg_plan_sub(g, f, v, f->tracks)) < 0) {
            continue;
        }
        o->deps = cg_xgrow(o->deps, o->ndeps, sizeof *o->deps);
        o->deps[o->ndeps++] = d;
    }
}

void cg_plan_object(cg *g, cg_fn *f)
{
    const cj_node *props = cg_kw(f, "properties", 4, 2020, CG_V_APPLICATOR);
    const cj_node *pats = cg_kw(f, "patternProperties", 4, 2020, CG_V_APPLICATOR);
    const cj_node *addl = cg_kw(f, "additionalProperties", 4, 2020, CG_V_APPLICATOR);
    const cj_node *pnames = cg_kw(f, "propertyNames", 6, 2020, CG_V_APPLICATOR);
    const cj_node *req = cg_kw(f, "required", 4, 2020, CG_V_VALIDATION);
    const cj_node *dreq = cg_kw(f, "dependentRequired", 2019, 2020, CG_V_VALIDATION);
    const cj_node *dsch = cg_kw(f, "dependentSchemas", 2019, 2020, CG_V_APPLICATOR);
    const cj_node *deps = cg_kw(f, "dependencies", 4, 2020, CG_V_APPLICATOR);
    const cj_node *minp = cg_kw(f, "minProperties", 4, 2020, CG_V_VALIDATION);
    const cj_node *maxp = cg_kw(f, "maxProperties", 4, 2020, CG_V_VALIDATION);
    if (!props && !pats && !addl && !pnames && !req && !dreq && !dsch && !deps && !minp && !maxp)
        return;
    cg_pobj *o = f->obj = cg_xcalloc(1, sizeof *f->obj);
    o->names_tab = o->req_tab = o->req_list = o->addl_fn = o->pn_fn = -1;
    if (props && props->type != CJ_OBJECT) {
        cg_error(g, props, "must be an object of schemas");
        props = NULL;
    }
    for (size_t i = 0; props && i < props->n; i++) {
        int s = add_slot(o, props->keys[i], props->key_lens[i], props->items[i]);
        int fn = cg_plan_sub(g, f, props->items[i], false);
        o->slots[s].prop_fn = fn;
        o->slots[s].prop = fn >= 0 ? props->items[i] : NULL;
    }
    if (req && string_array(g, req)) {
        o->req = req;
        for (size_t i = 0; i < req->n; i++)
            need_seen(o, req->items[i]->str, req->items[i]->len, req->items[i]);
    }
    if (dreq) plan_deps(g, f, o, dreq, 0);
    if (dsch) plan_deps(g, f, o, dsch, 1);
    if (deps) plan_deps(g, f, o, deps, 2);
    if (pats && pats->type != CJ_OBJECT) {
        cg_error(g, pats, "must be an object of schemas");
    } else if (pats && pats->n) {
        o->pats = pats;
        o->pat_fn = cg_xcalloc(pats->n, sizeof *o->pat_fn);
        o->pat_re = cg_xcalloc(pats->n, sizeof *o->pat_re);
        for (size_t i = 0; i < pats->n; i++) {
            o->pat_re[i] = cg_plan_regex(g, pats->items[i], pats->keys[i], pats->key_lens[i]);
            o->pat_fn[i] = cg_plan_sub(g, f, pats->items[i], false);
        }
    }
    o->addl = addl;
    if (addl && addl->type != CJ_FALSE && (o->addl_fn = cg_plan_sub(g, f, addl, false)) < 0)
        o->addl = NULL;
    if (pnames && (o->pn_fn = cg_plan_sub(g, f, pnames, false)) >= 0) o->pnames = pnames;
    cg_plan_count(g, minp, &o->minp);
    cg_plan_count(g, maxp, &o->maxp);
    o->bits = o->nslots > CG_NAMES_TABLE_MIN;
    if (o->bits) {
        cg_row *rows = cg_xcalloc(o->nslots, sizeof *rows);
        for (size_t i = 0; i < o->nslots; i++)
            rows[i] = (cg_row){o->slots[i].name, o->slots[i].len, o->slots[i].seen,
                               o->slots[i].prop_fn, o->slots[i].mention};
        o->names_tab = cg_plan_rows(g, f, "names", rows, o->nslots);
    }
    if (o->req && o->bits && o->req->n > CG_NAMES_TABLE_MIN) {
        cg_row *rows = cg_xcalloc(o->req->n, sizeof *rows);
        for (size_t i = 0; i < o->req->n; i++) {
            const cj_node *r = o->req->items[i];
            rows[i] = (cg_row){r->str, r->len, o->slots[find_slot(o, r->str, r->len)].seen, -1, r};
        }
        o->req_tab = cg_plan_rows(g, f, "required", rows, o->req->n);
    }
}

/* f's function has no keyword but its type (the one type `want`, or none) and those of its
 * object (want "object") or array: nothing else of cg_fn is set. It may report its evaluated
 * members to its caller, not hold unevaluated* itself. */
static bool only(const cg_fn *f, const char *want)
{
    if (f->own_track || f->memo >= 0 || f->dyn >= 0 || f->nullable) return false;
    if (f->type && !(f->type->type == CJ_STRING && strcmp(f->type->str, want) == 0)) return false;
    bool object = strcmp(want, "object") == 0;
    return !(object ? f->arr != NULL : f->obj != NULL) && !f->enm && !f->cnst && !f->ref &&
           !f->dref && !f->nbounds && !f->mult && !f->minl.at && !f->maxl.at && !f->pattern &&
           !f->format && !f->all.n && !f->any.n && !f->one.n && !f->not_ && !f->if_ && !f->then_ &&
           !f->else_ && !f->uprops && !f->uitems;
}

/* The keywords mg_obj_check does, and something to check. */
static bool object_only(const cg_fn *f)
{
    const cg_pobj *o = f->obj;
    return o && !o->pats && !o->ndeps && !o->pnames && o->nseen <= (int)MG_OBJ_SEEN_MAX &&
           (o->nslots || o->addl || o->minp.at || o->maxp.at) && only(f, "object");
}

/* The keywords mg_arr_check does (every item alike, no evaluated items to report). */
static bool array_only(const cg_fn *f)
{
    const cg_parr *a = f->arr;
    return a && !a->prefix && !a->cont && !f->tracks && only(f, "array");
}

static void object_table(cg *g, cg_fn *f)
{
    cg_pobj *o = f->obj;
    o->table = true;
    if (o->names_tab < 0 && o->nslots) {
        cg_row *rows = cg_xcalloc(o->nslots, sizeof *rows);
        for (size_t k = 0; k < o->nslots; k++)
            rows[k] = (cg_row){o->slots[k].name, o->slots[k].len, o->slots[k].seen,
                               o->slots[k].prop_fn, o->slots[k].mention};
        o->names_tab = cg_plan_rows(g, f, "names", rows, o->nslots);
    }
    /* the required names as the code form checks them: a sorted table stays one */
    o->req_list = o->req_tab;
    if (o->req && o->req->n && o->req_tab < 0) {
        cg_row *rows = cg_xcalloc(o->req->n, sizeof *rows);
        for (size_t k = 0; k < o->req->n; k++) {
            const cj_node *r = o->req->items[k];
            rows[k] = (cg_row){r->str, r->len, cg_slot_seen(o, r->str, r->len), -1, r};
        }
        o->req_list = cg_plan_list(g, f, "required", rows, o->req->n);
    }
}

void cg_plan_tables(cg *g)
{
    cg_plan *p = g->plan;
    int mode = g->opt.tables;
    if (mode == CG_NEVER || (mode == CG_AUTO && p->nout < CG_BIG_FNS)) return;
    for (size_t i = 0; i < p->nout; i++) {
        cg_fn *f = p->out[i];
        if (object_only(f))
            object_table(g, f);
        else if (array_only(f))
            f->arr->table = true;
    }
}

int cg_slot_seen(const cg_pobj *o, const char *name, size_t len)
{
    return o->slots[find_slot(o, name, len)].seen;
}

void cg_plan_array(cg *g, cg_fn *f)
{
    bool d2020 = f->info->dialect >= CG_D2020;
    const cj_node *prefix = NULL, *rest = NULL;
    const cj_node *items = cg_kw(f, "items", 4, 2020, CG_V_APPLICATOR);
    if (d2020) {
        prefix = cg_kw(f, "prefixItems", 2020, 2020, CG_V_APPLICATOR);
        rest = items;
    } else if (items && items->type == CJ_ARRAY) {
        prefix = items;
        rest = cg_kw(f, "additionalItems", 4, 2019, CG_V_APPLICATOR);
    } else {
        rest = items;
    }
    const cj_node *cont = cg_kw(f, "contains", 6, 2020, CG_V_APPLICATOR);
    const cj_node *minc = cg_kw(f, "minContains", 2019, 2020, CG_V_VALIDATION);
    const cj_node *maxc = cg_kw(f, "maxContains", 2019, 2020, CG_V_VALIDATION);
    const cj_node *mini = cg_kw(f, "minItems", 4, 2020, CG_V_VALIDATION);
    const cj_node *maxi = cg_kw(f, "maxItems", 4, 2020, CG_V_VALIDATION);
    const cj_node *uniq = cg_kw(f, "uniqueItems", 4, 2020, CG_V_VALIDATION);
    if (!prefix && !rest && !cont && !mini && !maxi && !uniq) return;
    cg_parr *a = f->arr = cg_xcalloc(1, sizeof *f->arr);
    a->rest_fn = a->cont_fn = -1;
    if (prefix && prefix->type != CJ_ARRAY) {
        cg_error(g, prefix, "must be an array of schemas");
    } else if (prefix && prefix->n) {
        a->prefix = prefix;
        a->prefix_fn = cg_xcalloc(prefix->n, sizeof *a->prefix_fn);
        for (size_t i = 0; i < prefix->n; i++)
            a->prefix_fn[i] = cg_plan_sub(g, f, prefix->items[i], false);
    }
    if (rest && (a->rest_fn = cg_plan_sub(g, f, rest, false)) >= 0) a->rest = rest;
    cg_plan_count(g, mini, &a->mini);
    cg_plan_count(g, maxi, &a->maxi);
    if (uniq && uniq->type == CJ_TRUE)
        a->uniq = uniq;
    else if (uniq && uniq->type != CJ_FALSE)
        cg_error(g, uniq, "must be a boolean");
    a->cmin = 1;
    a->cmax = UINT64_MAX;
    if (cont && minc && !cg_plan_nonneg(g, minc, &a->cmin)) a->cmin = 1;
    if (cont && maxc && cg_plan_nonneg(g, maxc, &a->cmax)) a->has_cmax = true;
    if (cont && (a->cont_fn = cg_plan_sub(g, f, cont, false)) >= 0) {
        a->cont = cont;
        a->minc = minc;
        a->maxc = maxc;
    }
}
