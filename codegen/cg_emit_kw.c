/* cg_emit_kw.c - renders the keywords of one schema object as C checks.
 *
 * Design: each keyword is looked up through cg_kw(), which applies the dialect and vocabulary
 * rules (a keyword of another dialect, or of a vocabulary the metaschema leaves out, is an
 * annotation and is skipped). Every check is preceded by a comment with the schema location
 * it implements and fails through MG_FAIL/MG_SUB/MG_REF (mg_rt.h). Values that are not what
 * the keyword needs are schema errors, collected with their JSON Pointer. Object and array
 * keywords share one pass over the members/items. Single-threaded.
 */
#include "cg_emit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cg_openapi.h"
#include "cg_uri.h"

#define ANY 4, 2020
#define D6UP 6, 2020
#define D7UP 7, 2020
#define D2019UP 2019, 2020
#define MAX_DYN_CANDIDATES 64 /* resources a $dynamicRef/$recursiveRef may resolve to */

/* The keyword's value when it applies to this node's dialect and vocabularies. */
const cj_node *cg_kw(const cg_fnctx *x, const char *name, int dmin, int dmax, unsigned vocab)
{
    int d = (int)x->info->dialect;
    if (d < dmin || d > dmax || !(x->info->vocab & vocab)) return NULL;
    if ((x->info->vocab & CG_V_OAS30) && !cg_oas30_keyword(name)) return NULL;
    if (d <= CG_D7 && strcmp(name, "$ref") != 0 && strcmp(name, "definitions") != 0 &&
        cj_get(x->node, "$ref"))
        return NULL; /* up to draft-07, $ref makes its siblings ignored */
    return cj_get(x->node, name);
}

void cg_put_loc(cg_fnctx *x, const cj_node *at)
{
    char *l = cg_location(x->g, at, NULL);
    cg_put_cstr(x->o, l, strlen(l));
    free(l);
}

void cg_comment(cg_fnctx *x, const cj_node *at, const char *indent)
{
    char *l = cg_location(x->g, at, NULL);
    fputs(indent, x->o);
    cg_put_comment(x->o, l, strlen(l));
    fputc('\n', x->o);
    free(l);
}

static bool is_schema(const cj_node *n)
{
    return n->type == CJ_OBJECT || n->type == CJ_TRUE || n->type == CJ_FALSE;
}

/* Plans the function for subschema n; -1 (with an error) if n is not a schema. */
int cg_sub(cg_fnctx *x, const cj_node *n, bool track)
{
    if (!is_schema(n)) {
        cg_error(x->g, n, "must be a schema (an object or a boolean)");
        return -1;
    }
    return cg_fn_for(x->g, n, track);
}

bool cg_nonneg_int(cg_fnctx *x, const cj_node *v, uint64_t *out)
{
    if (v->type != CJ_NUMBER || !cj_is_integer(v) || v->str[0] == '-' || !cj_to_uint64(v, out)) {
        cg_error(x->g, v, "must be a non-negative integer");
        return false;
    }
    return true;
}

void cg_limit(cg_fnctx *x, const cj_node *kw, const char *expr, uint64_t expr_max, bool minimum,
              const char *code)
{
    uint64_t lim;
    if (!cg_nonneg_int(x, kw, &lim)) return;
    cg_comment(x, kw, "        ");
    /* A bound the expression's type cannot cross is no comparison: "x < 0" and "x > its
     * maximum" never fail, "x < more than its maximum" always does (and the C compiler warns
     * about such comparisons, -Wtype-limits). */
    if (minimum ? lim == 0 : lim >= expr_max) return;
    if (minimum && lim > expr_max)
        fputs("        MG_FAIL(at, ", x->o);
    else
        fprintf(x->o, "        if (%s %s UINT64_C(%" PRIu64 "))\n            MG_FAIL(at, ", expr,
                minimum ? "<" : ">", lim);
    fprintf(x->o, "%s, ", code);
    cg_put_loc(x, kw);
    fprintf(x->o, ", \"%" PRIu64 "\");\n", lim);
}

const char *cg_ev_arg(const cg_fnctx *x)
{
    return x->track ? "sev" : "NULL";
}

/* ---- type, enum, const ---- */

static const char *type_cond(const char *t)
{
    static const struct {
        const char *name, *cond;
    } types[] = {
        {"null", "t == MG_TAPE_NULL"},
        {"boolean", "(t == MG_TAPE_TRUE || t == MG_TAPE_FALSE)"},
        {"object", "t == MG_TAPE_OBJECT"},
        {"array", "t == MG_TAPE_ARRAY"},
        {"string", "t == MG_TAPE_STRING"},
        {"number", "mg_is_number(d, at)"},
        {"integer", "(t == MG_TAPE_INT64 || t == MG_TAPE_UINT64 || (t == MG_TAPE_DOUBLE && "
                    "mg_num_is_integer(d, at)))"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, t) == 0) return types[i].cond;
    return NULL;
}

static void render_type(cg_fnctx *x)
{
    const cj_node *v = cg_kw(x, "type", ANY, CG_V_VALIDATION);
    if (!v) return;
    const cj_node *one[1] = {v};
    const cj_node *const *list = v->type == CJ_ARRAY ? (const cj_node *const *)v->items : one;
    size_t n = v->type == CJ_ARRAY ? v->n : 1;
    char arg[256] = "";
    cg_comment(x, v, "    ");
    fputs("    if (!(", x->o);
    for (size_t i = 0; i < n; i++) {
        const char *cond = list[i]->type == CJ_STRING && strlen(list[i]->str) == list[i]->len
                               ? type_cond(list[i]->str)
                               : NULL; /* "string\u0000x" is no type name */
        /* draft-04: an integer is a number without a fraction or exponent part (1.0 is not) */
        if (cond && x->info->dialect == CG_D4 && strcmp(list[i]->str, "integer") == 0)
            cond = "(t == MG_TAPE_INT64 || t == MG_TAPE_UINT64)";
        if (!cond) {
            cg_error(x->g, list[i], "not a JSON Schema type name");
            fputs("false", x->o);
            continue;
        }
        fprintf(x->o, "%s%s", i ? " || " : "", cond);
        size_t al = strlen(arg);
        snprintf(arg + al, sizeof arg - al, "%s%s", i ? " or " : "", list[i]->str);
    }
    if (n == 0) fputs("false", x->o);
    /* OpenAPI 3.0: nullable: true adds null to the types `type` allows */
    const cj_node *nullable = cg_kw(x, "nullable", ANY, CG_V_OAS30);
    if (nullable && nullable->type == CJ_TRUE) {
        fputs(" || t == MG_TAPE_NULL", x->o);
        snprintf(arg + strlen(arg), sizeof arg - strlen(arg), " or null");
    }
    fputs("))\n        MG_FAIL(at, MG_E_TYPE, ", x->o);
    cg_put_loc(x, v);
    fputs(", ", x->o);
    cg_put_cstr(x->o, arg, strlen(arg));
    fputs(");\n", x->o);
}

/* A condition that is true when the instance equals literal v. */
static void put_equals(cg_fnctx *x, const cj_node *v)
{
    switch (v->type) {
    case CJ_NULL:
        fputs("t == MG_TAPE_NULL", x->o);
        return;
    case CJ_TRUE:
        fputs("t == MG_TAPE_TRUE", x->o);
        return;
    case CJ_FALSE:
        fputs("t == MG_TAPE_FALSE", x->o);
        return;
    case CJ_STRING:
        fputs("(t == MG_TAPE_STRING && mg_str_eq(d, at, ", x->o);
        cg_put_cstr(x->o, v->str, v->len);
        fprintf(x->o, ", %zu))", v->len);
        return;
    default:
        fprintf(x->o, "mg_json_equal(d, at, &mgl_%d, 0)", cg_literal(x->g, v));
    }
}

static void put_json_arg(cg_fnctx *x, const cj_node *v)
{
    char buf[160];
    size_t n = cj_snprint(buf, sizeof buf, v);
    if (n >= sizeof buf) memcpy(buf + sizeof buf - 4, "...", 4);
    cg_put_cstr(x->o, buf, strlen(buf));
}

/* A big enum: its strings in a sorted table (binary search), the other values compared one by
 * one against a literal of the whole array. Leaves "if (!in)" open for the MG_FAIL. */
static void render_big_enum(cg_fnctx *x, const cj_node *e)
{
    FILE *o = x->o;
    cg_row *rows = malloc(e->n * sizeof *rows);
    size_t nstr = 0;
    for (size_t i = 0; i < e->n; i++)
        if (e->items[i]->type == CJ_STRING)
            rows[nstr++] = (cg_row){e->items[i]->str, e->items[i]->len, -1, -1, e->items[i]};
    fputs("    {\n        bool in = false;\n", o);
    if (nstr) {
        size_t count;
        int t = cg_row_table(x->g, rows, nstr, &count);
        fprintf(o,
                "        if (t == MG_TAPE_STRING) {\n            uint32_t el;\n"
                "            const char *es = mg_str(d, at, &el);\n"
                "            in = mgh_find(mgt_%d, %zu, es, el) >= 0;\n        }\n",
                t, count);
    }
    if (nstr < e->n)
        fprintf(o,
                "        if (t != MG_TAPE_STRING) {\n"
                "            MG_ARRAY_FOR(&mgl_%d, 0, j) {\n"
                "                if (mg_json_equal(d, at, &mgl_%d, j)) {\n"
                "                    in = true;\n                    break;\n"
                "                }\n            }\n        }\n",
                cg_literal(x->g, e), cg_literal(x->g, e));
    fputs("        if (!in)\n", o);
    free(rows);
}

static void render_enum_const(cg_fnctx *x)
{
    const cj_node *e = cg_kw(x, "enum", ANY, CG_V_VALIDATION);
    if (e) {
        cg_comment(x, e, "    ");
        if (e->type != CJ_ARRAY) {
            cg_error(x->g, e, "must be an array");
            return;
        }
        if (e->n > CG_TABLE_MIN) {
            render_big_enum(x, e);
        } else {
            fputs("    if (!(", x->o);
            for (size_t i = 0; i < e->n; i++) {
                fputs(i ? " ||\n          " : "", x->o);
                put_equals(x, e->items[i]);
            }
            fputs(e->n ? "))\n" : "false))\n", x->o);
        }
        fputs(e->n > CG_TABLE_MIN ? "            MG_FAIL(at, MG_E_ENUM, "
                                  : "        MG_FAIL(at, MG_E_ENUM, ",
              x->o);
        cg_put_loc(x, e);
        fputs(", ", x->o);
        put_json_arg(x, e);
        fputs(");\n", x->o);
        if (e->n > CG_TABLE_MIN) fputs("    }\n", x->o);
    }
    const cj_node *k = cg_kw(x, "const", D6UP, CG_V_VALIDATION);
    if (k) {
        cg_comment(x, k, "    ");
        fputs("    if (!(", x->o);
        put_equals(x, k);
        fputs("))\n        MG_FAIL(at, MG_E_CONST, ", x->o);
        cg_put_loc(x, k);
        fputs(", ", x->o);
        put_json_arg(x, k);
        fputs(");\n", x->o);
    }
}

/* ---- references ---- */

static void render_refs(cg_fnctx *x)
{
    const cj_node *r = cg_kw(x, "$ref", ANY, CG_V_ALL);
    if (r) {
        cg_comment(x, r, "    ");
        if (r->type != CJ_STRING) {
            cg_error(x->g, r, "must be a string (a URI reference)");
        } else {
            cg_info *t = cg_resolve(x->g, x->node, r->str, r);
            int fi = t ? cg_ref_target(x, t->node) : -1;
            if (fi >= 0) {
                fputs("    MG_REF(at, ", x->o);
                cg_put_loc(x, r);
                fprintf(x->o, ", mgv_%d(c, at, %s));\n", fi, cg_ev_arg(x));
            }
        }
    }
    const cj_node *dr = cg_kw(x, "$dynamicRef", 2020, 2020, CG_V_ALL);
    const cj_node *rr = cg_kw(x, "$recursiveRef", 2019, 2019, CG_V_ALL);
    const cj_node *dyn = dr ? dr : rr;
    if (!dyn) return;
    cg_comment(x, dyn, "    ");
    if (dyn->type != CJ_STRING) {
        cg_error(x->g, dyn, "must be a string (a URI reference)");
        return;
    }
    cg_info *t = cg_resolve(x->g, x->node, dyn->str, dyn);
    if (!t) return;
    int fi = cg_ref_target(x, t->node);
    cg_info *cands[MAX_DYN_CANDIDATES];
    size_t nc = 0;
    const char *h = strchr(dyn->str, '#');
    if (dr && h && h[1] && h[1] != '/' && t->node->type == CJ_OBJECT) {
        const cj_node *da = cj_get(t->node, "$dynamicAnchor");
        if (da && da->type == CJ_STRING && strcmp(da->str, h + 1) == 0)
            nc = cg_dynamic_candidates(x->g, h + 1, cands, MAX_DYN_CANDIDATES);
    } else if (rr && t->node->type == CJ_OBJECT) {
        const cj_node *ra = cj_get(t->node, "$recursiveAnchor");
        if (ra && ra->type == CJ_TRUE)
            nc = cg_recursive_candidates(x->g, cands, MAX_DYN_CANDIDATES);
    }
    if (nc > MAX_DYN_CANDIDATES) {
        cg_error(x->g, dyn, "more than %d resources can be its target in dynamic scope: the limit",
                 MAX_DYN_CANDIDATES);
        return;
    }
    if (fi < 0) return;
    if (nc == 0) {
        fputs("    MG_REF(at, ", x->o);
        cg_put_loc(x, dyn);
        fprintf(x->o, ", mgv_%d(c, at, %s));\n", fi, cg_ev_arg(x));
        return;
    }
    /* deterministic candidate order: by dynamic-scope id */
    int ids[MAX_DYN_CANDIDATES], fns[MAX_DYN_CANDIDATES];
    for (size_t i = 0; i < nc; i++) {
        ids[i] = cg_dyn_id(x->g, cands[i]);
        fns[i] = cg_ref_target(x, cands[i]->node);
    }
    cg_dyn_lookup(x);
    for (size_t i = 1; i < nc; i++)
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            int a = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = a;
            a = fns[j];
            fns[j] = fns[j - 1];
            fns[j - 1] = a;
        }
    fputs("    {\n        static const uint32_t ids[] = {", x->o);
    for (size_t i = 0; i < nc; i++)
        fprintf(x->o, "%s%d", i ? ", " : "", ids[i]);
    fprintf(x->o, "};\n        int w = mg_dyn_outermost(c, ids, %zu);\n        MG_REF(at, ", nc);
    cg_put_loc(x, dyn);
    fputs(", ", x->o);
    for (size_t i = 0; i < nc; i++)
        fprintf(x->o, "w == %zu ? mgv_%d(c, at, %s) : ", i, fns[i], cg_ev_arg(x));
    fprintf(x->o, "mgv_%d(c, at, %s));\n    }\n", fi, cg_ev_arg(x));
}

/* ---- numbers ---- */

static void put_cmp(cg_fnctx *x, const cj_node *b)
{
    int64_t i;
    uint64_t u;
    if (cj_to_int64(b, &i))
        fprintf(x->o, "mg_num_cmp_i64(d, at, INT64_C(%" PRId64 "))", i);
    else if (cj_to_uint64(b, &u))
        fprintf(x->o, "mg_num_cmp_u64(d, at, UINT64_C(%" PRIu64 "))", u);
    else {
        double dv = cj_to_double(b);
        if (dv > 1.7976931348623157e308 || dv < -1.7976931348623157e308)
            fprintf(x->o, "mg_num_cmp_dbl(d, at, %s__builtin_inf())", dv < 0 ? "-" : "");
        else
            fprintf(x->o, "mg_num_cmp_dbl(d, at, %a)", dv);
    }
}

static void bound(cg_fnctx *x, const cj_node *b, const char *op, const char *code)
{
    if (b->type != CJ_NUMBER) {
        cg_error(x->g, b, "must be a number");
        return;
    }
    cg_comment(x, b, "        ");
    fputs("        if (!(", x->o);
    put_cmp(x, b);
    fprintf(x->o, " %s 0))\n            MG_FAIL(at, %s, ", op, code);
    cg_put_loc(x, b);
    fputs(", ", x->o);
    cg_put_cstr(x->o, b->str, b->len);
    fputs(");\n", x->o);
}

static void render_number(cg_fnctx *x)
{
    const cj_node *mn = cg_kw(x, "minimum", ANY, CG_V_VALIDATION);
    const cj_node *mx = cg_kw(x, "maximum", ANY, CG_V_VALIDATION);
    const cj_node *emn = cg_kw(x, "exclusiveMinimum", ANY, CG_V_VALIDATION);
    const cj_node *emx = cg_kw(x, "exclusiveMaximum", ANY, CG_V_VALIDATION);
    const cj_node *mo = cg_kw(x, "multipleOf", ANY, CG_V_VALIDATION);
    if (!mn && !mx && !emn && !emx && !mo) return;
    fputs("    if (mg_is_number(d, at)) {\n", x->o);
    bool d4 = x->info->dialect == CG_D4;
    bool emn_b = d4 && emn && emn->type == CJ_TRUE, emx_b = d4 && emx && emx->type == CJ_TRUE;
    if (mn) bound(x, mn, emn_b ? ">" : ">=", emn_b ? "MG_E_EXCL_MINIMUM" : "MG_E_MINIMUM");
    if (mx) bound(x, mx, emx_b ? "<" : "<=", emx_b ? "MG_E_EXCL_MAXIMUM" : "MG_E_MAXIMUM");
    if (emn && !d4) bound(x, emn, ">", "MG_E_EXCL_MINIMUM");
    if (emx && !d4) bound(x, emx, "<", "MG_E_EXCL_MAXIMUM");
    if (mo) {
        cj_decimal dec;
        if (mo->type != CJ_NUMBER || mo->str[0] == '-' || !cj_decimal_of(mo, &dec) ||
            (dec.ndigits == 1 && dec.digits[0] == '0')) {
            cg_error(x->g, mo, "must be a number greater than 0");
        } else if (dec.ndigits > 19 ||
                   (dec.ndigits == 19 && strcmp(dec.digits, "18446744073709551615") > 0)) {
            cg_error(x->g, mo, "more than 19 significant digits are not supported");
        } else {
            cg_comment(x, mo, "        ");
            fprintf(x->o,
                    "        static const mg_dec mo = {UINT64_C(%s), %" PRId64 ", %a};\n"
                    "        if (!mg_num_multiple_of(d, at, &mo))\n"
                    "            MG_FAIL(at, MG_E_MULTIPLE_OF, ",
                    dec.digits, dec.exp, cj_to_double(mo));
            cg_put_loc(x, mo);
            fputs(", ", x->o);
            cg_put_cstr(x->o, mo->str, mo->len);
            fputs(");\n", x->o);
        }
    }
    fputs("    }\n", x->o);
}

/* ---- strings ---- */

static void render_string(cg_fnctx *x)
{
    const cj_node *mnl = cg_kw(x, "minLength", ANY, CG_V_VALIDATION);
    const cj_node *mxl = cg_kw(x, "maxLength", ANY, CG_V_VALIDATION);
    const cj_node *pat = cg_kw(x, "pattern", ANY, CG_V_VALIDATION);
    const cj_node *fmt = cg_kw(x, "format", ANY, CG_V_ALL);
    const mg_format_info *fi = NULL;
    if (fmt && fmt->type != CJ_STRING) {
        cg_error(x->g, fmt, "must be a string");
        fmt = NULL;
    }
    if (fmt && !x->g->opt.format_annotation && strlen(fmt->str) == fmt->len)
        fi = mg_format_lookup(fmt->str);
    if (!mnl && !mxl && !pat && !fi) return;
    fputs("    if (t == MG_TAPE_STRING) {\n        uint32_t sl;\n"
          "        const char *s = mg_str(d, at, &sl);\n        (void)s;\n"
          "        mg_charge(c, sl);\n",
          x->o);
    uint64_t lo = 0, hi = 0;
    bool has_lo = mnl && cg_nonneg_int(x, mnl, &lo), has_hi = mxl && cg_nonneg_int(x, mxl, &hi);
    if ((has_lo && lo > 0) || (has_hi && hi < SIZE_MAX)) /* else cg_limit compares nothing */
        fputs("        size_t cl = mg_utf8_len(s, sl);\n", x->o);
    if (has_lo) cg_limit(x, mnl, "cl", SIZE_MAX, true, "MG_E_MIN_LENGTH");
    if (has_hi) cg_limit(x, mxl, "cl", SIZE_MAX, false, "MG_E_MAX_LENGTH");
    if (pat) {
        bool lim = false;
        int re = pat->type == CJ_STRING ? cg_regex(x->g, pat, pat->str, pat->len, &lim) : -1;
        if (pat->type != CJ_STRING) cg_error(x->g, pat, "must be a string");
        if (re >= 0) {
            cg_comment(x, pat, "        ");
            if (lim) {
                fprintf(x->o,
                        "        int mr = mgre_%d(c, s, sl);\n        if (mr < 0)\n"
                        "            MG_LIMIT(at, ",
                        re);
                cg_put_loc(x, pat);
                fputs(", mg_re_limit_name(mr));\n        else if (mr == 0)\n", x->o);
            } else {
                fprintf(x->o, "        if (!mgre_%d(c, s, sl))\n", re);
            }
            fputs("            MG_FAIL(at, MG_E_PATTERN, ", x->o);
            cg_put_loc(x, pat);
            fputs(", ", x->o);
            cg_put_cstr(x->o, pat->str, pat->len);
            fputs(");\n", x->o);
        }
    }
    if (fi) {
        cg_comment(x, fmt, "        ");
        fprintf(x->o, "        if (!%s(s, sl))\n            MG_FAIL(at, MG_E_FORMAT, ", fi->cname);
        cg_put_loc(x, fmt);
        fputs(", ", x->o);
        cg_put_cstr(x->o, fi->name, strlen(fi->name));
        fputs(");\n", x->o);
    }
    fputs("    }\n", x->o);
}

/* ---- in-place applicators ---- */

static void render_all_of(cg_fnctx *x)
{
    const cj_node *a = cg_kw(x, "allOf", ANY, CG_V_APPLICATOR);
    if (!a) return;
    if (a->type != CJ_ARRAY || a->n == 0) {
        cg_error(x->g, a, "must be a non-empty array of schemas");
        return;
    }
    for (size_t i = 0; i < a->n; i++) {
        int fi = cg_sub(x, a->items[i], x->track);
        if (fi < 0) continue;
        cg_comment(x, a->items[i], "    ");
        fprintf(x->o, "    MG_SUB(mgv_%d(c, at, %s));\n", fi, cg_ev_arg(x));
    }
}

/* The function a branch calls: mgv_N, or in table form the loop's mgf_T[b]. */
static void branch_callee(char *buf, size_t cap, int tab, int fn)
{
    if (tab >= 0)
        snprintf(buf, cap, "mgf_%d[b]", tab);
    else
        snprintf(buf, cap, "mgv_%d", fn);
}

/* anyOf / oneOf: branches are speculative (quiet); with tracking each branch gets a fresh
 * bitset that is merged only if the branch succeeded. */
static void render_any_one_of(cg_fnctx *x, const char *name, bool one)
{
    const cj_node *a = cg_kw(x, name, ANY, CG_V_APPLICATOR);
    if (!a) return;
    if (a->type != CJ_ARRAY || a->n == 0) {
        cg_error(x->g, a, "must be a non-empty array of schemas");
        return;
    }
    int *fns = malloc(a->n * sizeof *fns);
    for (size_t i = 0; i < a->n; i++)
        if ((fns[i] = cg_sub(x, a->items[i], x->track)) < 0) {
            free(fns);
            return;
        }
    /* many branches: one table of function pointers and a loop (callee "mgf_N[b]") */
    int tab = a->n > CG_TABLE_MIN ? cg_fn_table(x->g, fns, a->n) : -1;
    size_t nb = tab >= 0 ? 1 : a->n;
    char callee[32];
    const char *in = tab >= 0 ? "    " : "";
    cg_comment(x, a, "    ");
    fputs("    {\n        uint32_t nv = 0;\n        c->quiet++;\n", x->o);
    if (x->track) {
        fputs("        if (sev) {\n            size_t mk = mg_bits_mark(c);\n"
              "            uint64_t *tmp = mg_bits_new(c, evn);\n",
              x->o);
        if (tab >= 0) fprintf(x->o, "            for (uint32_t b = 0; b < %zu; b++) {\n", a->n);
        for (size_t i = 0; i < nb; i++) {
            branch_callee(callee, sizeof callee, tab, fns[i]);
            fprintf(
                x->o,
                "%s            if (tmp && %s(c, at, tmp) && ++nv %s)\n"
                "%s                mg_bits_or(sev, tmp, evn);\n"
                "%s            if (tmp)\n%s                memset(tmp, 0, (evn + 63) / 64 * 8);\n",
                in, callee, one ? "== 1" : "> 0", in, in, in);
        }
        if (tab >= 0) fputs("            }\n", x->o);
        fputs("            mg_bits_release(c, mk);\n        } else {\n", x->o);
    }
    const char *tin = x->track ? "    " : "";
    if (tab >= 0) fprintf(x->o, "        %sfor (uint32_t b = 0; b < %zu; b++)\n", tin, a->n);
    for (size_t i = 0; i < nb; i++) {
        branch_callee(callee, sizeof callee, tab, fns[i]);
        fprintf(x->o, "%s        %sif (nv %s && %s(c, at, NULL))\n%s            %snv++;\n", in, tin,
                one ? "< 2" : "== 0", callee, in, tin);
    }
    free(fns);
    if (x->track) fputs("        }\n", x->o);
    fputs("        c->quiet--;\n", x->o);
    if (one) {
        fputs("        if (nv == 0)\n            MG_FAIL(at, MG_E_ONE_OF_NONE, ", x->o);
        cg_put_loc(x, a);
        fputs(", \"\");\n        if (nv > 1)\n            MG_FAIL(at, MG_E_ONE_OF_MANY, ", x->o);
        cg_put_loc(x, a);
        fputs(", \"\");\n    }\n", x->o);
    } else {
        fputs("        if (nv == 0)\n            MG_FAIL(at, MG_E_ANY_OF, ", x->o);
        cg_put_loc(x, a);
        fputs(", \"\");\n    }\n", x->o);
    }
}

static void render_not(cg_fnctx *x)
{
    const cj_node *n = cg_kw(x, "not", ANY, CG_V_APPLICATOR);
    if (!n) return;
    int fi = cg_sub(x, n, false);
    if (fi < 0) return;
    cg_comment(x, n, "    ");
    fprintf(x->o,
            "    {\n        c->quiet++;\n        bool r = mgv_%d(c, at, NULL);\n"
            "        c->quiet--;\n        if (r)\n            MG_FAIL(at, MG_E_NOT, ",
            fi);
    cg_put_loc(x, n);
    fputs(", \"\");\n    }\n", x->o);
}

static void render_if(cg_fnctx *x)
{
    const cj_node *i = cg_kw(x, "if", D7UP, CG_V_APPLICATOR);
    if (!i) return;
    const cj_node *th = cg_kw(x, "then", D7UP, CG_V_APPLICATOR);
    const cj_node *el = cg_kw(x, "else", D7UP, CG_V_APPLICATOR);
    if (!th && !el && !x->track) return; /* "if" alone only produces annotations */
    int fi = cg_sub(x, i, x->track);
    int ft = th ? cg_sub(x, th, x->track) : -1;
    int fe = el ? cg_sub(x, el, x->track) : -1;
    if (fi < 0 || (th && ft < 0) || (el && fe < 0)) return;
    if (!th && !el && !x->track) return; /* "if" alone only produces annotations */
    cg_comment(x, i, "    ");
    fputs("    {\n        c->quiet++;\n", x->o);
    if (x->track)
        fprintf(x->o,
                "        size_t mk = mg_bits_mark(c);\n"
                "        uint64_t *tmp = sev ? mg_bits_new(c, evn) : NULL;\n"
                "        bool ci = mgv_%d(c, at, tmp);\n"
                "        if (ci && tmp)\n            mg_bits_or(sev, tmp, evn);\n"
                "        mg_bits_release(c, mk);\n",
                fi);
    else
        fprintf(x->o, "        bool ci = mgv_%d(c, at, NULL);\n", fi);
    fputs("        c->quiet--;\n        (void)ci;\n", x->o);
    if (th) {
        fputs("        if (ci) {\n", x->o);
        cg_comment(x, th, "            ");
        fprintf(x->o, "            MG_SUB(mgv_%d(c, at, %s));\n        }\n", ft, cg_ev_arg(x));
    }
    if (el) {
        fputs("        if (!ci) {\n", x->o);
        cg_comment(x, el, "            ");
        fprintf(x->o, "            MG_SUB(mgv_%d(c, at, %s));\n        }\n", fe, cg_ev_arg(x));
    }
    fputs("    }\n", x->o);
}

bool cg_has_unevaluated(const cg_fnctx *x)
{
    return cg_kw(x, "unevaluatedProperties", D2019UP, CG_V_UNEVALUATED) ||
           cg_kw(x, "unevaluatedItems", D2019UP, CG_V_UNEVALUATED);
}

void cg_render_keywords(cg_fnctx *x)
{
    render_type(x);
    render_enum_const(x);
    render_refs(x);
    render_number(x);
    render_string(x);
    cg_render_object(x);
    cg_render_array(x);
    render_all_of(x);
    render_any_one_of(x, "anyOf", false);
    render_any_one_of(x, "oneOf", true);
    render_not(x);
    render_if(x);
    cg_render_unevaluated(x);
}
