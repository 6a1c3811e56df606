/* cg_emit_kw.c - renders the checks of type, enum/const, references, numbers, strings and the
 * in-place applicators of one planned function (cg_emit.h).
 *
 * Design: every check is preceded by a comment with the schema location it implements and
 * fails through MG_FAIL/MG_SUB/MG_REF (mg_rt.h). Each reads what cg_plan.c decided and
 * validated; nothing here can fail. A type test is written once per check and reads the
 * function's `t` (the instance's tape type), never the document again. Single-threaded.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cg_emit.h"

#define IS_NUMBER "(t == MG_TAPE_INT64 || t == MG_TAPE_UINT64 || t == MG_TAPE_DOUBLE)"

/* ---- type, enum, const ---- */

static const char *type_cond(const char *t, bool d4)
{
    static const struct {
        const char *name, *cond;
    } types[] = {
        {"null", "t == MG_TAPE_NULL"},
        {"boolean", "t == MG_TAPE_TRUE || t == MG_TAPE_FALSE"},
        {"object", "t == MG_TAPE_OBJECT"},
        {"array", "t == MG_TAPE_ARRAY"},
        {"string", "t == MG_TAPE_STRING"},
        {"number", "t == MG_TAPE_INT64 || t == MG_TAPE_UINT64 || t == MG_TAPE_DOUBLE"},
        {"integer", "t == MG_TAPE_INT64 || t == MG_TAPE_UINT64 || (t == MG_TAPE_DOUBLE && "
                    "mg_num_is_integer(d, at))"},
    };
    /* draft-04: an integer is a number without a fraction or exponent part (1.0 is not) */
    if (d4 && strcmp(t, "integer") == 0) return "t == MG_TAPE_INT64 || t == MG_TAPE_UINT64";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, t) == 0) return types[i].cond;
    return "false"; /* not reached: the plan holds type names only */
}

static bool listed(const cj_node *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i]->str, name) == 0) return true;
    return false;
}

void cg_render_type(cg_w *w)
{
    const cg_fn *f = w->f;
    const cj_node *v = f->type;
    if (!v) return;
    const cj_node *one[1] = {v};
    const cj_node *const *list = v->type == CJ_ARRAY ? (const cj_node *const *)v->items : one;
    size_t n = v->type == CJ_ARRAY ? v->n : 1;
    char *arg = NULL;
    size_t alen = 0;
    FILE *a = open_memstream(&arg, &alen);
    cg_w_comment(w, v);
    FILE *o = cg_w_begin(w);
    fputs("if (!(", o);
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        const char *name = list[i]->str;
        fprintf(a, "%s%s", i ? " or " : "", name);
        /* each test once: a repeated name, and integer beside number, add nothing */
        if (listed(list, i, name) || (strcmp(name, "integer") == 0 && listed(list, n, "number")))
            continue;
        fprintf(o, "%s%s", sep, type_cond(name, f->info->dialect == CG_D4));
        sep = " || ";
    }
    if (n == 0) fputs("false", o);
    if (f->nullable) {
        fputs(" || t == MG_TAPE_NULL", o);
        fputs(" or null", a);
    }
    fclose(a);
    fputs("))", o);
    cg_w_end(w);
    w->depth++;
    cg_w_fail(w, "at", "MG_E_TYPE", v, arg, alen);
    w->depth--;
    free(arg);
}

/* A condition that is true when the instance equals v (lit: its literal, -1 for a scalar). */
static void put_equals(cg_w *w, const cj_node *v, int lit)
{
    switch (v->type) {
    case CJ_NULL:
        fputs("t == MG_TAPE_NULL", w->o);
        return;
    case CJ_TRUE:
        fputs("t == MG_TAPE_TRUE", w->o);
        return;
    case CJ_FALSE:
        fputs("t == MG_TAPE_FALSE", w->o);
        return;
    case CJ_STRING:
        fputs("(t == MG_TAPE_STRING && mg_str_eq(d, at, ", w->o);
        cg_put_cstr(w->o, v->str, v->len);
        fprintf(w->o, ", %zu))", v->len);
        return;
    default:
        fprintf(w->o, "mg_json_equal(d, at, &%s, 0)", w->g->plan->lits[lit].name);
    }
}

/* The value as the failure's argument: its JSON text, cut at 160 bytes. */
static void fail_json(cg_w *w, const char *code, const cj_node *v)
{
    char buf[160];
    size_t n = cj_snprint(buf, sizeof buf, v);
    if (n >= sizeof buf) memcpy(buf + sizeof buf - 4, "...", 4);
    cg_w_fail(w, "at", code, v, buf, strlen(buf));
}

/* A big enum: its strings in a sorted table (binary search), the other values compared one by
 * one against a literal of the whole array. */
static void render_big_enum(cg_w *w, const cj_node *e)
{
    const cg_plan *p = w->g->plan;
    const cg_fn *f = w->f;
    cg_w_block(w);
    cg_w_line(w, "bool in = false;");
    if (f->enum_tab >= 0) {
        const cg_table *t = &p->tables[f->enum_tab];
        cg_w_open(w, "if (t == MG_TAPE_STRING)");
        cg_w_line(w, "uint32_t el;");
        cg_w_line(w, "const char *es = mg_str(d, at, &el);");
        cg_w_line(w, "in = mg_name_find(%s, %zu, es, el) >= 0;", t->name, t->n);
        cg_w_close(w);
    }
    if (f->enum_all_lit >= 0) {
        const char *lit = p->lits[f->enum_all_lit].name;
        cg_w_open(w, "if (t != MG_TAPE_STRING)");
        cg_w_open(w, "MG_ARRAY_FOR(&%s, 0, j)", lit);
        cg_w_open(w, "if (mg_json_equal(d, at, &%s, j))", lit);
        cg_w_line(w, "in = true;");
        cg_w_line(w, "break;");
        cg_w_close(w);
        cg_w_close(w);
        cg_w_close(w);
    }
    cg_w_line(w, "if (!in)");
    w->depth++;
    fail_json(w, "MG_E_ENUM", e);
    w->depth--;
    cg_w_close(w);
}

void cg_render_enum_const(cg_w *w)
{
    const cg_fn *f = w->f;
    const cj_node *e = f->enm;
    if (e) {
        cg_w_comment(w, e);
        if (e->n > CG_TABLE_MIN) {
            render_big_enum(w, e);
        } else {
            fputs("if (!(", cg_w_begin(w));
            for (size_t i = 0; i < e->n; i++) {
                if (i) {
                    fputs(" ||", w->o);
                    cg_w_end(w);
                    fputs("      ", cg_w_begin(w)); /* under the first condition */
                }
                put_equals(w, e->items[i], f->enum_lit[i]);
            }
            fputs(e->n ? "))" : "false))", w->o);
            cg_w_end(w);
            w->depth++;
            fail_json(w, "MG_E_ENUM", e);
            w->depth--;
        }
    }
    const cj_node *k = f->cnst;
    if (k) {
        cg_w_comment(w, k);
        fputs("if (!(", cg_w_begin(w));
        put_equals(w, k, f->const_lit);
        fputs("))", w->o);
        cg_w_end(w);
        w->depth++;
        fail_json(w, "MG_E_CONST", k);
        w->depth--;
    }
}

/* ---- references ---- */

static void put_ref(cg_w *w, const cj_node *at, int fi)
{
    fputs("MG_REF(at, ", cg_w_begin(w));
    cg_w_loc(w, at);
    fprintf(w->o, ", %s(c, at, %s));", cg_w_fn(w, fi), cg_w_ev(w));
    cg_w_end(w);
}

void cg_render_refs(cg_w *w)
{
    const cg_fn *f = w->f;
    if (f->ref) {
        cg_w_comment(w, f->ref);
        put_ref(w, f->ref, f->ref_fn);
    }
    if (!f->dref) return;
    cg_w_comment(w, f->dref);
    if (f->ndc == 0) {
        put_ref(w, f->dref, f->dref_fn);
        return;
    }
    cg_w_block(w);
    FILE *o = cg_w_begin(w);
    fputs("static const uint32_t ids[] = {", o);
    for (size_t i = 0; i < f->ndc; i++)
        fprintf(o, "%s%d", i ? ", " : "", f->dc_ids[i]);
    fputs("};", o);
    cg_w_end(w);
    cg_w_line(w, "int wi = mg_dyn_outermost(c, ids, %zu);", f->ndc);
    fputs("MG_REF(at, ", cg_w_begin(w));
    cg_w_loc(w, f->dref);
    fputs(", ", w->o);
    for (size_t i = 0; i < f->ndc; i++)
        fprintf(w->o, "wi == %zu ? %s(c, at, %s) : ", i, cg_w_fn(w, f->dc_fns[i]), cg_w_ev(w));
    fprintf(w->o, "%s(c, at, %s));", cg_w_fn(w, f->dref_fn), cg_w_ev(w));
    cg_w_end(w);
    cg_w_close(w);
}

/* ---- numbers ---- */

static void put_cmp(FILE *o, const cj_node *b)
{
    int64_t i;
    uint64_t u;
    if (cj_to_int64(b, &i)) {
        fprintf(o, "mg_num_cmp_i64(d, at, INT64_C(%" PRId64 "))", i);
    } else if (cj_to_uint64(b, &u)) {
        fprintf(o, "mg_num_cmp_u64(d, at, UINT64_C(%" PRIu64 "))", u);
    } else {
        double dv = cj_to_double(b);
        if (dv > 1.7976931348623157e308 || dv < -1.7976931348623157e308)
            fprintf(o, "mg_num_cmp_dbl(d, at, %s__builtin_inf())", dv < 0 ? "-" : "");
        else
            fprintf(o, "mg_num_cmp_dbl(d, at, %a)", dv);
    }
}

void cg_render_number(cg_w *w)
{
    const cg_fn *f = w->f;
    if (!f->nbounds && !f->mult) return;
    cg_w_open(w, "if " IS_NUMBER);
    for (int i = 0; i < f->nbounds; i++) {
        const cg_bound *b = &f->bounds[i];
        cg_w_comment(w, b->at);
        fputs("if (!(", cg_w_begin(w));
        put_cmp(w->o, b->at);
        fprintf(w->o, " %s 0))", b->op);
        cg_w_end(w);
        w->depth++;
        cg_w_fail(w, "at", b->code, b->at, b->at->str, b->at->len);
        w->depth--;
    }
    if (f->mult) {
        cj_decimal dec;
        cj_decimal_of(f->mult, &dec); /* the plan checked it */
        cg_w_comment(w, f->mult);
        cg_w_line(w, "static const mg_dec mo = {UINT64_C(%s), %" PRId64 ", %a};", dec.digits,
                  dec.exp, cj_to_double(f->mult));
        cg_w_fail_if(w, "!mg_num_multiple_of(d, at, &mo)", "MG_E_MULTIPLE_OF", f->mult,
                     f->mult->str, f->mult->len);
    }
    cg_w_close(w);
}

/* ---- strings ---- */

/* minLength/maxLength: the comparison, unless the bound cannot be crossed (a length is never
 * below 0 nor above SIZE_MAX; the C compiler warns about such comparisons, -Wtype-limits). */
static bool length_checked(const cg_count *b, bool minimum)
{
    return b->at && (minimum ? b->n > 0 : b->n < SIZE_MAX);
}

static void render_length(cg_w *w, const cg_count *b, bool minimum, const char *code)
{
    if (!length_checked(b, minimum)) return;
    char cond[64], arg[32];
    snprintf(cond, sizeof cond, "cl %s UINT64_C(%" PRIu64 ")", minimum ? "<" : ">", b->n);
    snprintf(arg, sizeof arg, "%" PRIu64, b->n);
    cg_w_comment(w, b->at);
    cg_w_fail_if(w, cond, code, b->at, arg, strlen(arg));
}

void cg_render_string(cg_w *w)
{
    const cg_fn *f = w->f;
    bool lengths = length_checked(&f->minl, true) || length_checked(&f->maxl, false);
    if (!lengths && !f->pattern && !f->format) return;
    cg_w_open(w, "if (t == MG_TAPE_STRING)");
    cg_w_line(w, "uint32_t sl;");
    cg_w_line(w, "const char *s = mg_str(d, at, &sl);");
    cg_w_line(w, "mg_charge(c, sl);");
    if (lengths) cg_w_line(w, "size_t cl = mg_utf8_len(s, sl);");
    render_length(w, &f->minl, true, "MG_E_MIN_LENGTH");
    render_length(w, &f->maxl, false, "MG_E_MAX_LENGTH");
    if (f->pattern) {
        const cg_re *re = &w->g->plan->res[f->re];
        cg_w_comment(w, f->pattern);
        if (re->may_limit) {
            cg_w_line(w, "int mr = %s(c, s, sl);", re->name);
            cg_w_line(w, "if (mr < 0)");
            w->depth++;
            fputs("MG_LIMIT(at, ", cg_w_begin(w));
            cg_w_loc(w, f->pattern);
            fputs(", mg_re_limit_name(mr));", w->o);
            cg_w_end(w);
            w->depth--;
            cg_w_line(w, "else if (mr == 0)");
        } else {
            cg_w_line(w, "if (!%s(c, s, sl))", re->name);
        }
        w->depth++;
        cg_w_fail(w, "at", "MG_E_PATTERN", f->pattern, f->pattern->str, f->pattern->len);
        w->depth--;
    }
    if (f->format) {
        char cond[96];
        snprintf(cond, sizeof cond, "!%s(s, sl)", f->format_fn);
        cg_w_comment(w, f->format);
        cg_w_fail_if(w, cond, "MG_E_FORMAT", f->format, f->format_name, strlen(f->format_name));
    }
    cg_w_close(w);
}

/* ---- in-place applicators ---- */

/* No branch matched: the closest one's errors, then the summary (mg_fail_union). The branches
 * are its table, or a local one; all of it runs only on this failure path. */
static void render_union_fail(cg_w *w, const cg_papp *a, const char *code)
{
    const char *tab = a->tab >= 0 ? w->g->plan->tables[a->tab].name : "br";
    cg_w_open(w, "if (nv == 0)");
    if (a->tab < 0) {
        cg_w_line(w, "static const mg_fn_ev br[] = {");
        for (size_t i = 0; i < a->n; i++)
            cg_w_inner(w, "%s,", cg_w_fn_ptr(w, a->fns[i]));
        cg_w_line(w, "};");
    }
    if (a->disc) { /* its OpenAPI discriminator: which branch a value names */
        fputs("static const char *const dv[] = {", cg_w_begin(w));
        for (size_t i = 0; i < a->ndisc; i++) {
            if (i) fputs(", ", w->o);
            cg_put_cstr(w->o, a->disc_values[i], strlen(a->disc_values[i]));
        }
        fputs("};", w->o);
        cg_w_end(w);
        fputs("static const uint32_t db[] = {", cg_w_begin(w));
        for (size_t i = 0; i < a->ndisc; i++)
            fprintf(w->o, "%s%u", i ? ", " : "", (unsigned)a->disc_branch[i]);
        fputs("};", w->o);
        cg_w_end(w);
        fputs("static const mg_union_disc dsc = {", cg_w_begin(w));
        cg_put_cstr(w->o, a->disc, strlen(a->disc));
        fprintf(w->o, ", %zu, dv, db};", a->ndisc);
        cg_w_end(w);
    }
    cg_w_line(w, "ok = false;");
    fprintf(cg_w_begin(w), "if (!mg_fail_union(c, at, %s, ", code);
    cg_w_loc(w, a->at);
    fprintf(w->o, ", %s, %zu, %s))", tab, a->n, a->disc ? "&dsc" : "NULL");
    cg_w_end(w);
    cg_w_inner(w, "goto done;");
    cg_w_close(w);
}

/* anyOf / oneOf: branches are speculative (quiet); with tracking each branch gets a fresh
 * bitset that is merged only if the branch succeeded. Many branches: a loop over their
 * table (callee mgf_...[b]). */
static void render_any_one_of(cg_w *w, const cg_papp *a, bool one)
{
    const cg_fn *f = w->f;
    const char *tab = a->tab >= 0 ? w->g->plan->tables[a->tab].name : NULL;
    size_t nb = tab ? 1 : a->n;
    char callee[160];
    cg_w_comment(w, a->at);
    cg_w_block(w);
    cg_w_line(w, "uint32_t nv = 0;");
    cg_w_line(w, "c->quiet++;");
    if (f->tracks) {
        cg_w_open(w, "if (sev)");
        cg_w_line(w, "size_t mk = mg_bits_mark(c);");
        cg_w_line(w, "uint64_t *tmp = mg_bits_new(c, evn);");
        if (tab) cg_w_open(w, "for (uint32_t b = 0; b < %zu; b++)", a->n);
        for (size_t i = 0; i < nb; i++) {
            snprintf(callee, sizeof callee, tab ? "%s[b]" : "%s",
                     tab ? tab : cg_w_fn(w, a->fns[i]));
            cg_w_line(w, "if (tmp && %s(c, at, tmp) && ++nv %s)", callee, one ? "== 1" : "> 0");
            cg_w_inner(w, "mg_bits_or(sev, tmp, evn);");
            cg_w_line(w, "if (tmp)");
            cg_w_inner(w, "memset(tmp, 0, (evn + 63) / 64 * 8);");
        }
        if (tab) cg_w_close(w);
        cg_w_line(w, "mg_bits_release(c, mk);");
        cg_w_else(w);
    }
    if (tab) {
        cg_w_line(w, "for (uint32_t b = 0; b < %zu; b++)", a->n);
        w->depth++;
    }
    for (size_t i = 0; i < nb; i++) {
        snprintf(callee, sizeof callee, tab ? "%s[b]" : "%s", tab ? tab : cg_w_fn(w, a->fns[i]));
        cg_w_line(w, "if (nv %s && %s(c, at, NULL))", one ? "< 2" : "== 0", callee);
        cg_w_inner(w, "nv++;");
    }
    if (tab) w->depth--;
    if (f->tracks) cg_w_close(w);
    cg_w_line(w, "c->quiet--;");
    render_union_fail(w, a, one ? "MG_E_ONE_OF_NONE" : "MG_E_ANY_OF");
    if (one) cg_w_fail_if(w, "nv > 1", "MG_E_ONE_OF_MANY", a->at, "", 0);
    cg_w_close(w);
}

static void render_not(cg_w *w)
{
    const cg_fn *f = w->f;
    if (!f->not_) return;
    cg_w_comment(w, f->not_);
    cg_w_block(w);
    cg_w_line(w, "c->quiet++;");
    cg_w_line(w, "bool r = %s(c, at, NULL);", cg_w_fn(w, f->not_fn));
    cg_w_line(w, "c->quiet--;");
    cg_w_fail_if(w, "r", "MG_E_NOT", f->not_, "", 0);
    cg_w_close(w);
}

static void render_if(cg_w *w)
{
    const cg_fn *f = w->f;
    if (!f->if_) return;
    const char *fi = cg_w_fn(w, f->if_fn);
    bool branches = f->then_ || f->else_;
    cg_w_comment(w, f->if_);
    cg_w_block(w);
    cg_w_line(w, "c->quiet++;");
    if (f->tracks) {
        cg_w_line(w, "size_t mk = mg_bits_mark(c);");
        cg_w_line(w, "uint64_t *tmp = sev ? mg_bits_new(c, evn) : NULL;");
        if (branches) {
            cg_w_line(w, "bool ci = %s(c, at, tmp);", fi);
            cg_w_line(w, "if (ci && tmp)");
        } else { /* if alone: only what it evaluates */
            cg_w_line(w, "if (%s(c, at, tmp) && tmp)", fi);
        }
        cg_w_inner(w, "mg_bits_or(sev, tmp, evn);");
        cg_w_line(w, "mg_bits_release(c, mk);");
    } else {
        cg_w_line(w, "bool ci = %s(c, at, NULL);", fi);
    }
    cg_w_line(w, "c->quiet--;");
    const cj_node *at[2] = {f->then_, f->else_};
    int fn[2] = {f->then_fn, f->else_fn};
    for (int k = 0; k < 2; k++) {
        if (!at[k]) continue;
        cg_w_open(w, k == 0 ? "if (ci)" : "if (!ci)");
        cg_w_comment(w, at[k]);
        cg_w_line(w, "MG_SUB(%s(c, at, %s));", cg_w_fn(w, fn[k]), cg_w_ev(w));
        cg_w_close(w);
    }
    cg_w_close(w);
}

void cg_render_applicators(cg_w *w)
{
    const cg_fn *f = w->f;
    for (size_t i = 0; f->all.at && i < f->all.n; i++) {
        cg_w_comment(w, f->all.at->items[i]);
        cg_w_line(w, "MG_SUB(%s(c, at, %s));", cg_w_fn(w, f->all.fns[i]), cg_w_ev(w));
    }
    if (f->any.at) render_any_one_of(w, &f->any, false);
    if (f->one.at) render_any_one_of(w, &f->one, true);
    render_not(w);
    render_if(w);
}
