/* cg_plan_dump.c - the plan as text (meshgate-codegen --plan): what will be emitted, for
 * people and for golden tests of the plan stage.
 *
 * Design: one block per rendered function, in rendering order: its name, schema location,
 * dialect and form, then one line per planned check naming the keyword's location and what it
 * uses (callees, literals, regexes, tables). Schema text is written as JSON strings, so the
 * dump is one line per fact whatever the schema holds. Read-only over the plan.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cg_plan.h"

static const char *dialect_name(cg_dialect d)
{
    switch (d) {
    case CG_D4:
        return "draft4";
    case CG_D6:
        return "draft6";
    case CG_D7:
        return "draft7";
    case CG_D2019:
        return "2019-09";
    default:
        return "2020-12";
    }
}

/* "  what LOCATION" and the rest of the line from fmt. */
static void fact(const cg *g, FILE *o, const char *what, const cj_node *at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void fact(const cg *g, FILE *o, const char *what, const cj_node *at, const char *fmt, ...)
{
    char *loc = cg_location((cg *)g, at, NULL);
    fprintf(o, "  %s ", what);
    cj_write_str(o, loc, strlen(loc));
    free(loc);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o, fmt, ap);
    va_end(ap);
    fputc('\n', o);
}

static const char *fn_name(const cg_plan *p, int fi)
{
    return p->fns[fi]->name;
}

static void calls(const cg_plan *p, FILE *o, const int *fns, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s%s", i ? ", " : " -> ", fns[i] >= 0 ? fn_name(p, fns[i]) : "-");
}

static void dump_object(const cg *g, FILE *o, const cg_fn *f)
{
    const cg_plan *p = g->plan;
    const cg_pobj *ob = f->obj;
    fprintf(o, "  object: %zu names, %d seen%s%s%s%s\n", ob->nslots, ob->nseen,
            ob->bits ? ", names in table " : "", ob->bits ? p->tables[ob->names_tab].name : "",
            ob->table ? ", the whole function from the table mgo_" : "",
            ob->table ? f->name + 4 : "");
    for (size_t i = 0; i < ob->nslots; i++) {
        const cg_slot *s = &ob->slots[i];
        fputs("    name ", o);
        cj_write_str(o, s->name, s->len);
        if (s->seen >= 0) fprintf(o, " seen %d", s->seen);
        if (s->prop_fn >= 0) fprintf(o, " -> %s", fn_name(p, s->prop_fn));
        fputc('\n', o);
    }
    if (ob->req)
        fact(g, o, "required", ob->req, " %zu names%s%s", ob->req->n,
             ob->req_tab >= 0 ? " in " : "", ob->req_tab >= 0 ? p->tables[ob->req_tab].name : "");
    for (size_t i = 0; i < ob->ndeps; i++)
        fact(g, o, "dependency", ob->deps[i].at, " %zu names%s%s", ob->deps[i].nreq,
             ob->deps[i].fn >= 0 ? " -> " : "",
             ob->deps[i].fn >= 0 ? fn_name(p, ob->deps[i].fn) : "");
    for (size_t i = 0; ob->pats && i < ob->pats->n; i++)
        fact(g, o, "patternProperty", ob->pats->items[i], " %s -> %s", p->res[ob->pat_re[i]].name,
             fn_name(p, ob->pat_fn[i]));
    if (ob->addl)
        fact(g, o, "additionalProperties", ob->addl, "%s%s", ob->addl_fn >= 0 ? " -> " : " false",
             ob->addl_fn >= 0 ? fn_name(p, ob->addl_fn) : "");
    if (ob->pnames) fact(g, o, "propertyNames", ob->pnames, " -> %s", fn_name(p, ob->pn_fn));
    if (ob->minp.at) fact(g, o, "minProperties", ob->minp.at, " %" PRIu64, ob->minp.n);
    if (ob->maxp.at) fact(g, o, "maxProperties", ob->maxp.at, " %" PRIu64, ob->maxp.n);
}

static void dump_array(const cg *g, FILE *o, const cg_fn *f)
{
    const cg_plan *p = g->plan;
    const cg_parr *a = f->arr;
    if (a->prefix) {
        fact(g, o, "prefixItems", a->prefix, "%s", "");
        fputs("   ", o);
        calls(p, o, a->prefix_fn, a->prefix->n);
        fputc('\n', o);
    }
    if (a->rest) fact(g, o, "items", a->rest, " -> %s", fn_name(p, a->rest_fn));
    if (a->cont)
        fact(g, o, "contains", a->cont, " -> %s, %" PRIu64 "..%s", fn_name(p, a->cont_fn), a->cmin,
             a->has_cmax ? "max" : "");
    if (a->mini.at) fact(g, o, "minItems", a->mini.at, " %" PRIu64, a->mini.n);
    if (a->maxi.at) fact(g, o, "maxItems", a->maxi.at, " %" PRIu64, a->maxi.n);
    if (a->uniq) fact(g, o, "uniqueItems", a->uniq, "%s", "");
}

static void dump_app(const cg *g, FILE *o, const char *what, const cg_papp *a)
{
    if (!a->at) return;
    char *loc = cg_location((cg *)g, a->at, NULL);
    fprintf(o, "  %s ", what);
    cj_write_str(o, loc, strlen(loc));
    free(loc);
    if (a->tab >= 0) fprintf(o, " table %s", g->plan->tables[a->tab].name);
    calls(g->plan, o, a->fns, a->n);
    fputc('\n', o);
}

static void dump_fn(const cg *g, FILE *o, const cg_fn *f)
{
    const cg_plan *p = g->plan;
    fprintf(o, "%s ", f->name);
    cj_write_str(o, f->loc, strlen(f->loc));
    fprintf(o, " %s%s%s%s", dialect_name(f->info->dialect), f->track ? " tracking" : "",
            f->own_track ? " unevaluated" : "", f->steps ? " steps" : "");
    if (f->dyn >= 0) fprintf(o, " dynamic-scope %d", f->dyn);
    if (f->memo >= 0) fprintf(o, " memo %d", f->memo);
    fputc('\n', o);
    if (f->node->type != CJ_OBJECT || f->node->n == 0)
        fprintf(o, "  %s\n", f->node->type == CJ_FALSE ? "false" : "true");
    if (f->type) {
        char buf[256];
        cj_snprint(buf, sizeof buf, f->type);
        fact(g, o, "type", f->type, " %s%s", buf, f->nullable ? " nullable" : "");
    }
    if (f->enm)
        fact(g, o, "enum", f->enm, " %zu values%s%s", f->enm->n, f->enum_tab >= 0 ? " in " : "",
             f->enum_tab >= 0 ? p->tables[f->enum_tab].name : "");
    if (f->cnst)
        fact(g, o, "const", f->cnst, "%s%s", f->const_lit >= 0 ? " " : "",
             f->const_lit >= 0 ? p->lits[f->const_lit].name : "");
    if (f->ref) fact(g, o, "$ref", f->ref, " -> %s", fn_name(p, f->ref_fn));
    if (f->dref) {
        fact(g, o, "dynamic reference", f->dref, " -> %s, %zu candidates", fn_name(p, f->dref_fn),
             f->ndc);
        if (f->ndc) {
            fputs("   ", o);
            calls(p, o, f->dc_fns, f->ndc);
            fputc('\n', o);
        }
    }
    for (int i = 0; i < f->nbounds; i++)
        fact(g, o, "bound", f->bounds[i].at, " %s %.*s", f->bounds[i].op, (int)f->bounds[i].at->len,
             f->bounds[i].at->str);
    if (f->mult) fact(g, o, "multipleOf", f->mult, " %.*s", (int)f->mult->len, f->mult->str);
    if (f->minl.at) fact(g, o, "minLength", f->minl.at, " %" PRIu64, f->minl.n);
    if (f->maxl.at) fact(g, o, "maxLength", f->maxl.at, " %" PRIu64, f->maxl.n);
    if (f->pattern) fact(g, o, "pattern", f->pattern, " %s", p->res[f->re].name);
    if (f->format) fact(g, o, "format", f->format, " %s", f->format_fn);
    if (f->obj) dump_object(g, o, f);
    if (f->arr) dump_array(g, o, f);
    dump_app(g, o, "allOf", &f->all);
    dump_app(g, o, "anyOf", &f->any);
    dump_app(g, o, "oneOf", &f->one);
    if (f->not_) fact(g, o, "not", f->not_, " -> %s", fn_name(p, f->not_fn));
    if (f->if_)
        fact(g, o, "if", f->if_, " -> %s then %s else %s", fn_name(p, f->if_fn),
             f->then_ ? fn_name(p, f->then_fn) : "-", f->else_ ? fn_name(p, f->else_fn) : "-");
    if (f->uprops)
        fact(g, o, "unevaluatedProperties", f->uprops, " -> %s",
             f->uprops_fn >= 0 ? fn_name(p, f->uprops_fn) : "false");
    if (f->uitems)
        fact(g, o, "unevaluatedItems", f->uitems, " -> %s",
             f->uitems_fn >= 0 ? fn_name(p, f->uitems_fn) : "false");
}

void cg_plan_dump(const cg *g, FILE *o)
{
    const cg_plan *p = g->plan;
    for (size_t i = 0; i < g->nentries; i++) {
        fputs("entry ", o);
        cj_write_str(o, g->entries[i].name, strlen(g->entries[i].name));
        fprintf(o, " -> %s\n", g->entries[i].fn >= 0 ? fn_name(p, g->entries[i].fn) : "-");
    }
    fprintf(o,
            "%zu functions (%zu more checked, not reached), %zu literals, %zu patterns, "
            "%zu tables, %d memoized\n\n",
            p->nout, p->nfns - p->nout, p->nlits, p->nres, p->ntables, p->nmemo);
    for (size_t i = 0; i < p->nout; i++) {
        dump_fn(g, o, p->out[i]);
        fputc('\n', o);
    }
}
