/* cg_emit_share.c - one C function for identical subschemas (issue 16 item 11).
 *
 * Design: big schemas repeat themselves (the same bounded integer, the same selector object
 * under every resource), and each copy used to become its own C function, which the C
 * compiler then optimized again. Here each reached function is also rendered in "shared
 * form": every schema location it writes (in MG_FAIL, mg_step, MG_REF, ...) becomes L[i], an
 * entry of a location table the caller passes in c->locs, and every subschema below it that
 * has a shared form is called as `(c->locs = L + k, mgsh_<hash>)(c, ...)`, its table being the
 * slice of the caller's that starts at k. So a function's table is its own locations followed
 * by its callees' tables, and two subschemas whose shared forms are the same text - same
 * keywords, values, dialect, resolved references and callees - are the same C function:
 * mgsh_<hash of the text>. Errors still carry the exact location of the subschema that failed:
 * each use passes its own table (mgk_<name>), in which the same slot holds its own location.
 * Anything else that differs between two copies (a table named after its owner, a reference
 * to a function outside) is text too, so such copies are simply not shared. A function that
 * tracks evaluated members, remembers results (memo), enters a dynamic scope or has a dynamic
 * reference keeps its plain form.
 *
 * A group of identical functions is shared when that saves code: the shared body replaces
 * n bodies by one body plus, per copy called by name, a wrapper that sets c->locs (about
 * WRAPPER_BYTES of C). Callees of a shared function are shared with it. Everything is named
 * by content or schema location, so names stay stable under small schema changes.
 * Single-threaded; owned by cg_render.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_emit.h"

/* The C a wrapper and its table's frame cost, against which a shared body is weighed. */
#define WRAPPER_BYTES 200
/* Callee expressions handed out by cg_share_callee and still in use by a caller's printf. */
#define RING 16

typedef struct sh_inst {
    int state; /* 0: not rendered yet, 1: being rendered, 2: done */
    int group; /* -1: no shared form */
    int pass;  /* 1: collecting locations and callees, 2: writing offsets */
    char **strs;
    size_t nstrs;
    int *kids; /* callees in shared form, in the order of their slices */
    size_t *kid_off;
    size_t nkids;
    int *named; /* callees called by name */
    size_t nnamed;
    size_t size; /* the length of its location table */
    bool called; /* someone calls it by its C name (its wrapper) */
    bool tabled; /* a plain function calls its shared function with its table */
} sh_inst;

typedef struct sh_group {
    char *text;
    char name[24];
    int first; /* the first function (in rendering order) that has this form */
    size_t n;
    bool emit;
} sh_group;

struct cg_share {
    cg *g;
    sh_inst *inst; /* per plan function */
    sh_group *groups;
    size_t ngroups, cgroups;
    cg_map by_text; /* shared text -> group + 1 */
    cg_map names;   /* mgsh_ names given */
    char ring[RING][CG_IDENT_MAX * 2 + 64];
    char tname[CG_IDENT_MAX + 8];
    unsigned ri;
};

cg_share *cg_share_new(cg *g)
{
    cg_share *sh = cg_xcalloc(1, sizeof *sh);
    sh->g = g;
    sh->inst = cg_xcalloc(g->plan->nfns ? g->plan->nfns : 1, sizeof *sh->inst);
    for (size_t i = 0; i < g->plan->nfns; i++)
        sh->inst[i].group = -1;
    return sh;
}

void cg_share_free(cg_share *sh)
{
    if (!sh) return;
    for (size_t i = 0; i < sh->g->plan->nfns; i++) {
        sh_inst *in = &sh->inst[i];
        for (size_t k = 0; k < in->nstrs; k++)
            free(in->strs[k]);
        free(in->strs);
        free(in->kids);
        free(in->kid_off);
        free(in->named);
    }
    for (size_t i = 0; i < sh->ngroups; i++)
        free(sh->groups[i].text);
    free(sh->groups);
    free(sh->inst);
    cg_map_free(&sh->by_text);
    cg_map_free(&sh->names);
    free(sh);
}

static bool shareable(const cg_fn *f)
{
    return f->reached && !f->track && !f->tracks && !f->own_track && f->memo < 0 && f->dyn < 0 &&
           !f->dref;
}

/* Is b's schema below a's (so a calls it in place, with a slice of its own table)? */
static bool below(const cg_fn *a, const cg_fn *b)
{
    size_t n = strlen(a->loc);
    return strncmp(b->loc, a->loc, n) == 0 && b->loc[n] == '/';
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

static int group_of(cg_share *sh, char *text, int fi)
{
    size_t len = strlen(text);
    intptr_t gi = (intptr_t)cg_map_getn(&sh->by_text, text, len);
    if (gi) {
        free(text);
        sh->groups[gi - 1].n++;
        return (int)gi - 1;
    }
    if (sh->ngroups == sh->cgroups) {
        sh->cgroups = sh->cgroups ? sh->cgroups * 2 : 64;
        sh->groups = cg_xrealloc(sh->groups, sh->cgroups, sizeof *sh->groups);
    }
    sh_group *gr = &sh->groups[sh->ngroups];
    *gr = (sh_group){text, "", fi, 1, false};
    /* named by content; a (most unlikely) clash of hashes takes the next value */
    for (uint64_t h = fnv1a(text);; h++) {
        snprintf(gr->name, sizeof gr->name, "mgsh_%016llx", (unsigned long long)h);
        if (!cg_map_get(&sh->names, gr->name)) break;
    }
    cg_map_put(&sh->names, gr->name, gr);
    cg_map_putn(&sh->by_text, text, len, (void *)(intptr_t)(sh->ngroups + 1));
    return (int)sh->ngroups++;
}

/* Renders fi's shared form (once): true when it has one. */
static bool share_inst(cg_share *sh, int fi)
{
    sh_inst *in = &sh->inst[fi];
    if (in->state) return in->state == 2 && in->group >= 0;
    const cg_fn *f = sh->g->plan->fns[fi];
    in->state = 1;
    if (!shareable(f)) {
        in->state = 2;
        return false;
    }
    /* pass 1 finds the locations and callees, pass 2 knows where each callee's slice starts */
    in->pass = 1;
    free(cg_fn_text(sh->g, f, sh, true));
    in->kid_off = cg_xcalloc(in->nkids ? in->nkids : 1, sizeof *in->kid_off);
    size_t off = in->nstrs;
    for (size_t k = 0; k < in->nkids; k++) {
        in->kid_off[k] = off;
        off += sh->inst[in->kids[k]].size;
    }
    in->size = off;
    in->pass = 2;
    in->group = group_of(sh, cg_fn_text(sh->g, f, sh, true), fi);
    in->state = 2;
    return true;
}

/* mgk_<fi's name without mgv_>, or NULL when its table is empty. */
static const char *table_name(cg_share *sh, int fi)
{
    const cg_fn *f = sh->g->plan->fns[fi];
    if (!sh->inst[fi].size) return "NULL";
    snprintf(sh->tname, sizeof sh->tname, "mgk_%s", f->name + 4);
    return sh->tname;
}

static void add_int(int **v, size_t *n, int x)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i] == x) return;
    *v = cg_xgrow(*v, *n, sizeof **v);
    (*v)[(*n)++] = x;
}

const char *cg_share_callee(cg_share *sh, const cg_fn *caller, bool shared, int fi)
{
    const cg_fn *f = sh->g->plan->fns[fi];
    char *r = sh->ring[sh->ri++ % RING];
    if (!shared && cg_share_form(sh, fi)) { /* no wrapper needed: its table, then its function */
        sh->inst[fi].tabled = true;
        snprintf(r, sizeof sh->ring[0], "(c->locs = %s, %s)", table_name(sh, fi),
                 sh->groups[sh->inst[fi].group].name);
        return r;
    }
    if (!shared) {
        cg_share_named(sh, fi);
        return f->name;
    }
    sh_inst *in = &sh->inst[caller->index];
    if (!below(caller, f) || !share_inst(sh, fi)) {
        add_int(&in->named, &in->nnamed, fi);
        return f->name;
    }
    size_t k = 0;
    while (k < in->nkids && in->kids[k] != fi)
        k++;
    if (k == in->nkids) {
        if (in->pass == 2) abort(); /* the two passes render the same text */
        add_int(&in->kids, &in->nkids, fi);
    }
    size_t off = in->pass == 2 ? in->kid_off[k] : 0;
    const char *name = sh->groups[sh->inst[fi].group].name;
    if (off)
        snprintf(r, sizeof sh->ring[0], "(c->locs = L + %zu, %s)", off, name);
    else
        snprintf(r, sizeof sh->ring[0], "(c->locs = L, %s)", name);
    return r;
}

const char *cg_share_by_name(cg_share *sh, const cg_fn *caller, bool shared, int fi)
{
    if (shared)
        add_int(&sh->inst[caller->index].named, &sh->inst[caller->index].nnamed, fi);
    else
        cg_share_named(sh, fi);
    return sh->g->plan->fns[fi]->name;
}

void cg_share_loc(cg_share *sh, FILE *o, const cg_fn *f, const char *loc)
{
    sh_inst *in = &sh->inst[f->index];
    size_t i = 0;
    while (i < in->nstrs && strcmp(in->strs[i], loc) != 0)
        i++;
    if (i == in->nstrs) {
        if (in->pass == 2) abort();
        in->strs = cg_xgrow(in->strs, in->nstrs, sizeof *in->strs);
        in->strs[in->nstrs++] = strdup(loc);
    }
    fprintf(o, "L[%zu]", i);
}

/* A group is emitted with its callees' groups. */
static void emit_group(cg_share *sh, int gi)
{
    sh_group *gr = &sh->groups[gi];
    if (gr->emit) return;
    gr->emit = true;
    const sh_inst *first = &sh->inst[gr->first];
    for (size_t k = 0; k < first->nkids; k++)
        emit_group(sh, sh->inst[first->kids[k]].group);
    for (size_t k = 0; k < first->nnamed; k++)
        cg_share_named(sh, first->named[k]);
}

void cg_share_plan(cg_share *sh)
{
    cg_plan *p = sh->g->plan;
    int mode = sh->g->opt.share;
    if (mode == CG_NEVER || (mode == CG_AUTO && p->nout < CG_BIG_FNS)) return;
    for (size_t i = 0; i < p->nout; i++)
        share_inst(sh, p->out[i]->index);
    for (size_t gi = 0; gi < sh->ngroups; gi++) {
        const sh_group *gr = &sh->groups[gi];
        if (gr->n >= 2 && strlen(gr->text) * (gr->n - 1) > gr->n * WRAPPER_BYTES)
            emit_group(sh, (int)gi);
    }
}

void cg_share_named(cg_share *sh, int fi)
{
    sh->inst[fi].called = true;
}

void cg_share_tabled(cg_share *sh, int fi)
{
    sh->inst[fi].tabled = true;
}

const char *cg_share_target(const cg_share *sh, int fi)
{
    return cg_share_form(sh, fi) ? sh->groups[sh->inst[fi].group].name : sh->g->plan->fns[fi]->name;
}

void cg_share_put_locs(const cg_share *sh, FILE *o, int fi)
{
    if (cg_share_form(sh, fi) && sh->inst[fi].size)
        fprintf(o, "mgk_%s", sh->g->plan->fns[fi]->name + 4);
    else
        fputs("NULL", o);
}

bool cg_share_form(const cg_share *sh, int fi)
{
    const sh_inst *in = &sh->inst[fi];
    return in->group >= 0 && sh->groups[in->group].emit;
}

bool cg_share_called(const cg_share *sh, int fi)
{
    return sh->inst[fi].called;
}

void cg_share_declare(const cg_share *sh, FILE *o, bool external)
{
    for (size_t gi = 0; gi < sh->ngroups; gi++)
        if (sh->groups[gi].emit)
            fprintf(o, "%sbool %s(mg_ctx *c, uint32_t at, uint64_t *ev);\n",
                    external ? "" : "static ", sh->groups[gi].name);
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp((*(const sh_group *const *)a)->name, (*(const sh_group *const *)b)->name);
}

void cg_share_render(const cg_share *sh, cg_units *u)
{
    const sh_group **v = cg_xcalloc(sh->ngroups ? sh->ngroups : 1, sizeof *v);
    size_t n = 0;
    for (size_t gi = 0; gi < sh->ngroups; gi++)
        if (sh->groups[gi].emit) v[n++] = &sh->groups[gi];
    qsort(v, n, sizeof *v, cmp_group);
    for (size_t i = 0; i < n; i++) {
        const char *loc = sh->g->plan->fns[v[i]->first]->loc;
        char *comment =
            cg_fmt("shared by %zu subschemas like %s (their locations: c->locs)", v[i]->n, loc);
        if (!comment) abort();
        cg_units_fn(u, comment, v[i]->name, v[i]->text);
        free(comment);
    }
    free(v);
}

/* fi's location table: its own locations, then its callees' tables. */
static void put_table(const cg_share *sh, FILE *o, int fi, size_t *col)
{
    const sh_inst *in = &sh->inst[fi];
    for (size_t i = 0; i < in->nstrs; i++) {
        fputs((*col)++ ? ",\n    " : "\n    ", o);
        cg_put_cstr(o, in->strs[i], strlen(in->strs[i]));
    }
    for (size_t k = 0; k < in->nkids; k++)
        put_table(sh, o, in->kids[k], col);
}

void cg_share_table(const cg_share *sh, FILE *o, int fi, cg_data_mode m)
{
    const sh_inst *in = &sh->inst[fi];
    if (!cg_share_form(sh, fi) || !in->size || !(in->called || in->tabled)) return;
    const cg_fn *f = sh->g->plan->fns[fi];
    if (m == CG_DATA_DECLARE) {
        fprintf(o, "%schar *const mgk_%s[];\n", cg_data_storage(m), f->name + 4);
        return;
    }
    fprintf(o, "/* the locations of %s */\n%schar *const mgk_%s[] = {", f->loc, cg_data_storage(m),
            f->name + 4);
    size_t col = 0;
    put_table(sh, o, fi, &col);
    fputs("};\n\n", o);
}

void cg_share_wrapper(const cg_share *sh, cg_units *u, int fi)
{
    const sh_inst *in = &sh->inst[fi];
    if (!in->called) return;
    const cg_fn *f = sh->g->plan->fns[fi];
    char *t = NULL;
    size_t n = 0;
    FILE *o = open_memstream(&t, &n);
    if (!o) abort();
    cg_put_comment(o, f->loc, strlen(f->loc));
    fputc('\n', o);
    size_t sig = (size_t)ftell(o);
    fprintf(o, "static bool %s(mg_ctx *c, uint32_t at, uint64_t *ev)\n{\n", f->name);
    if (in->size) fprintf(o, "    c->locs = mgk_%s;\n", f->name + 4);
    fprintf(o, "    return %s(c, at, ev);\n}\n\n", sh->groups[in->group].name);
    fclose(o);
    cg_units_add(u, t, n, sig);
}

void cg_share_counts(const cg_share *sh, size_t *members, size_t *shared)
{
    *members = *shared = 0;
    for (size_t i = 0; i < sh->g->plan->nfns; i++)
        if (cg_share_form(sh, (int)i)) ++*members;
    for (size_t gi = 0; gi < sh->ngroups; gi++)
        *shared += sh->groups[gi].emit;
}
