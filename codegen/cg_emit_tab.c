/* cg_emit_tab.c - renders the object and array schemas that the runtime checks from tables
 * (mg_obj_check, mg_arr_check in validator/mg_rt_obj.c), for big sets (cg_plan_tables).
 *
 * Design: such a function's C is one line, `return mg_obj_check(c, at, &mgo_<name>, ...)`,
 * and what the code form would compare and call becomes the initializer of a const table
 * beside the plan's other data: the schema locations of its checks as strings, the callees
 * as function pointers with their location tables when shared (cg_emit_share.c), the counts
 * with the argument their errors show. Members are designated (.names = ...), only those
 * the schema sets, so a reviewer reads which keywords a table holds. A function rendered by
 * a shared function keeps the code form there, and its tables are not written. Nothing here
 * can fail. Single-threaded.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cg_emit.h"

bool cg_tab_planned(const cg_fn *f)
{
    return (f->obj && f->obj->table) || (f->arr && f->arr->table);
}

bool cg_tab_form(const cg_share *sh, const cg_fn *f)
{
    return cg_tab_planned(f) && !cg_share_form(sh, f->index);
}

bool cg_tab_used(const cg_share *sh, const cg_table *t)
{
    return t->owner->reached && !cg_share_form(sh, t->owner->index);
}

int cg_tab_callee(const cg_fn *f)
{
    if (f->obj && f->obj->table) return f->obj->addl_fn;
    return f->arr && f->arr->table && f->arr->rest ? f->arr->rest_fn : -1;
}

static void put_member(FILE *o, const char *name, const char *s)
{
    fprintf(o, "\n    .%s = ", name);
    cg_put_cstr(o, s, strlen(s));
    fputc(',', o);
}

static void put_member_at(cg *g, FILE *o, const char *name, const cj_node *at)
{
    char *loc = cg_location(g, at, NULL);
    put_member(o, name, loc);
    free(loc);
}

/* A count keyword: NAME_loc, NAME_arg (the bound as its errors show it) and NAME. */
static void put_count(cg *g, FILE *o, const char *name, const cg_count *b)
{
    if (!b->at) return;
    char arg[32], key[16];
    snprintf(arg, sizeof arg, "%" PRIu64, b->n);
    snprintf(key, sizeof key, "%s_loc", name);
    put_member_at(g, o, key, b->at);
    snprintf(key, sizeof key, "%s_arg", name);
    put_member(o, key, arg);
    fprintf(o, "\n    .%s = UINT64_C(%" PRIu64 "),", name, b->n);
}

/* A callee: its function (or shared function) and its location table. */
static void put_call(const cg_share *sh, FILE *o, const char *name, int fi)
{
    fprintf(o, "\n    .%s = {.fn = %s, .locs = ", name, cg_share_target(sh, fi));
    cg_share_put_locs(sh, o, fi);
    fputs("},", o);
}

static void render_obj(cg *g, const cg_share *sh, FILE *o, const cg_fn *f)
{
    const cg_pobj *ob = f->obj;
    const cg_plan *p = g->plan;
    if (f->steps) put_member(o, "loc", f->loc);
    if (f->type) put_member_at(g, o, "type_loc", f->type);
    if (ob->names_tab >= 0) {
        const cg_table *names = &p->tables[ob->names_tab];
        fprintf(o, "\n    .names = %s,\n    .nnames = %zu,", names->name, names->n);
    }
    if (ob->req_list >= 0) {
        const cg_table *req = &p->tables[ob->req_list];
        fprintf(o, "\n    .req = %s,\n    .nreq = %zu,", req->name, req->n);
        put_member_at(g, o, "req_loc", ob->req);
    }
    if (ob->addl) {
        put_member_at(g, o, "addl_loc", ob->addl);
        if (ob->addl_fn >= 0) put_call(sh, o, "addl", ob->addl_fn);
    }
    put_count(g, o, "minp", &ob->minp);
    put_count(g, o, "maxp", &ob->maxp);
}

static void render_arr(cg *g, const cg_share *sh, FILE *o, const cg_fn *f)
{
    const cg_parr *a = f->arr;
    if (f->steps) put_member(o, "loc", f->loc);
    if (f->type) put_member_at(g, o, "type_loc", f->type);
    put_count(g, o, "mini", &a->mini);
    put_count(g, o, "maxi", &a->maxi);
    if (a->uniq) put_member_at(g, o, "uniq_loc", a->uniq);
    if (a->rest) put_call(sh, o, "items", a->rest_fn);
}

void cg_tab_render(cg *g, const cg_share *sh, FILE *o, const cg_fn *f, cg_data_mode m)
{
    bool obj = f->obj && f->obj->table;
    const char *type = obj ? "mg_obj mgo_" : "mg_arr mga_";
    if (m == CG_DATA_DECLARE) {
        fprintf(o, "%s%s%s;\n", cg_data_storage(m), type, f->name + 4);
        return;
    }
    cg_put_comment(o, f->loc, strlen(f->loc));
    fprintf(o, "\n%s%s%s = {", cg_data_storage(m), type, f->name + 4);
    if (obj)
        render_obj(g, sh, o, f);
    else
        render_arr(g, sh, o, f);
    fputs("\n};\n\n", o);
}

char *cg_tab_body(const cg_fn *f)
{
    char *t = f->obj && f->obj->table
                  ? cg_fmt("    return mg_obj_check(c, at, &mgo_%s, %s);\n", f->name + 4,
                           f->tracks ? "ev" : "NULL")
                  : cg_fmt("    return mg_arr_check(c, at, &mga_%s);\n", f->name + 4);
    if (!t) abort();
    return t;
}
