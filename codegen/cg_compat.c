/* cg_compat.c - Confluent's JSON Schema compatibility rules (cg_compat.h): the schema model,
 * the walk, and the general, string, number, enum, const, not and combined rules.
 *
 * Design: cc_compare follows Confluent's SchemaDiff.compare on views (cg_compat_int.h): an
 * update that is a one-subschema union, or an anyOf/oneOf one of whose subschemas accepts the
 * original, is compared through that subschema (SUM_TYPE_EXTENDED); an original allOf one of
 * whose subschemas the update accepts likewise (PRODUCT_TYPE_NARROWED); schemas of different
 * classes are TYPE_CHANGED unless the original is false or the update true or {}; schemas of one
 * class compare their $id, title, description and default, then their own keywords. Combined
 * schemas pair their subschemas by a maximum bipartite matching over the compatible pairs, as
 * Confluent does. Every location is a real node of the documents (cg_location), so one pair of
 * views always yields the same differences: results are memoized per pair, which keeps recursive
 * and heavily shared schemas polynomial, and a pair met again while being compared (a recursive
 * schema) counts as equal. Work is bounded by CC_MAX_STEPS pair comparisons. Differences are
 * kept once per (type, locations). Single-threaded.
 */
#include "cg_compat_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CC_MAX_STEPS 200000
#define CC_MAX_PARTS 16

static const char *const change_names[] = {
#define CG_CHANGE_NAME(name, compatible) #name,
    CG_CHANGES(CG_CHANGE_NAME)
#undef CG_CHANGE_NAME
};
static const bool change_ok[] = {
#define CG_CHANGE_OK(name, compatible) compatible,
    CG_CHANGES(CG_CHANGE_OK)
#undef CG_CHANGE_OK
};

const char *cg_change_name(cg_change c)
{
    return (unsigned)c < CG_CHANGE_COUNT ? change_names[c] : "?";
}

bool cg_change_compatible(cg_change c)
{
    return (unsigned)c < CG_CHANGE_COUNT && change_ok[c];
}

void cg_differences_free(cg_differences *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].orig_at);
        free(d->v[i].upd_at);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

/* Adds (t, oat, uat) unless out has it; takes the two strings. */
static void put(cg_differences *out, cg_change t, char *oat, char *uat)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].type == t && strcmp(out->v[i].orig_at, oat) == 0 &&
            strcmp(out->v[i].upd_at, uat) == 0) {
            free(oat);
            free(uat);
            return;
        }
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 8;
        out->v = realloc(out->v, out->cap * sizeof *out->v);
    }
    out->v[out->n++] = (cg_difference){t, oat, uat};
}

/* The schema location of n on side s; a node outside the compared schema's own document
 * (reached by a reference) is prefixed with its document's URI when its label does not say. */
static char *locate(ccx *x, int s, const cj_node *n)
{
    char *loc = cg_location(x->g[s], n, NULL);
    cg_info *in = cj_root(n) != x->root[s] && loc[0] == '#' ? cg_info_of(x->g[s], n) : NULL;
    if (!in || !in->doc) return loc;
    char *full = cg_fmt("%s%s", in->doc->uri, loc);
    free(loc);
    return full;
}

void cc_add(ccx *x, cg_differences *out, cg_change t, const cj_node *oat, const cj_node *uat)
{
    put(out, t, locate(x, 0, oat), locate(x, 1, uat));
}

void cc_append(cg_differences *out, const cg_differences *src)
{
    for (size_t i = 0; i < src->n; i++)
        put(out, src->v[i].type, strdup(src->v[i].orig_at), strdup(src->v[i].upd_at));
}

static bool all_compatible(const cg_differences *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (!cg_change_compatible(d->v[i].type)) return false;
    return true;
}

/* ---- the model ---- */

cg_dialect cc_dialect(ccx *x, int s, const cj_node *n)
{
    cg_info *in = cg_info_of(x->g[s], n);
    return in ? in->dialect : x->g[s]->opt.default_dialect;
}

bool cc_is_empty(cview v)
{
    return v.n && (v.k == CV_TRUE || v.k == CV_EMPTY);
}

static bool has_any(const cj_node *n, const char *const *kws)
{
    for (; *kws; kws++)
        if (cj_get(n, *kws)) return true;
    return false;
}

static const char *const array_kws[] = {
    "items",       "additionalItems",  "minItems",    "maxItems",    "uniqueItems", "contains",
    "prefixItems", "unevaluatedItems", "minContains", "maxContains", NULL};
static const char *const object_kws[] = {
    "properties",        "required",          "minProperties",         "maxProperties",
    "dependencies",      "patternProperties", "additionalProperties",  "propertyNames",
    "dependentRequired", "dependentSchemas",  "unevaluatedProperties", NULL};
static const char *const number_kws[] = {"minimum",          "maximum",          "multipleOf",
                                         "exclusiveMinimum", "exclusiveMaximum", NULL};
static const char *const string_kws[] = {"minLength", "maxLength", "pattern", "format", NULL};
static const char *const cond_kws[] = {"if", "then", "else", NULL};
/* Keywords that leave a $ref in 2019-09 and later the whole schema. */
static const char *const ref_only_kws[] = {
    "$ref",     "$schema",    "$id",         "$anchor",   "$dynamicAnchor", "$recursiveAnchor",
    "$comment", "$defs",      "definitions", "title",     "description",    "default",
    "examples", "deprecated", "readOnly",    "writeOnly", "$vocabulary",    NULL};

static bool only_ref(const cj_node *n)
{
    for (size_t i = 0; i < n->n; i++) {
        bool known = false;
        for (const char *const *k = ref_only_kws; *k && !known; k++)
            known = strcmp(n->keys[i], *k) == 0;
        if (!known) return false;
    }
    return true;
}

static const char *ref_keyword(const cj_node *n)
{
    static const char *const refs[] = {"$ref", "$dynamicRef", "$recursiveRef"};
    for (size_t i = 0; i < 3; i++) {
        const cj_node *r = cj_get(n, refs[i]);
        if (r && r->type == CJ_STRING) return refs[i];
    }
    return NULL;
}

/* The target of n's reference keyword kw (NULL and x->failed when it cannot be resolved). */
static const cj_node *ref_target(ccx *x, int s, const cj_node *n, const char *kw)
{
    const cj_node *r = cj_get(n, kw);
    cg_info *t = cg_resolve(x->g[s], n, r->str, r);
    if (!t) x->failed = true;
    return t ? t->node : NULL;
}

/* Follows references that stand for their whole schema. */
static const cj_node *deref(ccx *x, int s, const cj_node *n)
{
    for (int hops = 0; n && n->type == CJ_OBJECT && hops < 64; hops++) {
        const char *kw = ref_keyword(n);
        if (!kw || (cc_dialect(x, s, n) >= CG_D2019 && !only_ref(n))) return n;
        n = ref_target(x, s, n, kw);
    }
    return n;
}

static cv_kind type_kind(const char *t)
{
    static const struct {
        const char *name;
        cv_kind k;
    } types[] = {{"object", CV_OBJECT}, {"array", CV_ARRAY},     {"string", CV_STRING},
                 {"number", CV_NUMBER}, {"integer", CV_INTEGER}, {"boolean", CV_BOOLEAN},
                 {"null", CV_NULL}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, t) == 0) return types[i].k;
    return CV_EMPTY;
}

/* The parts of object schema n, in everit's order. */
static size_t parts_of(ccx *x, int s, const cj_node *n, cview *out)
{
    size_t k = 0;
    cg_dialect d = cc_dialect(x, s, n);
    const char *ref = d >= CG_D2019 ? ref_keyword(n) : NULL;
    if (ref) {
        const cj_node *t = ref_target(x, s, n, ref);
        if (t) out[k++] = cc_view(x, s, t);
    }
    if (cj_get(n, "enum")) out[k++] = (cview){n, CV_ENUM};
    if (cj_get(n, "allOf")) out[k++] = (cview){n, CV_ALLOF};
    if (cj_get(n, "anyOf")) out[k++] = (cview){n, CV_ANYOF};
    if (cj_get(n, "oneOf")) out[k++] = (cview){n, CV_ONEOF};
    if (cj_get(n, "not")) out[k++] = (cview){n, CV_NOT};
    if (d >= CG_D6 && cj_get(n, "const")) out[k++] = (cview){n, CV_CONST};
    const cj_node *type = cj_get(n, "type");
    if (type && type->type == CJ_STRING) {
        cv_kind t = type_kind(type->str);
        if (t != CV_EMPTY) out[k++] = (cview){n, t};
    } else if (type && type->type == CJ_ARRAY) {
        out[k++] = (cview){n, CV_TYPES};
    } else {
        if (has_any(n, array_kws)) out[k++] = (cview){n, CV_ARRAY};
        if (has_any(n, object_kws)) out[k++] = (cview){n, CV_OBJECT};
        if (has_any(n, number_kws)) out[k++] = (cview){n, CV_NUMBER};
        if (has_any(n, string_kws)) out[k++] = (cview){n, CV_STRING};
        if (d >= CG_D7 && has_any(n, cond_kws)) out[k++] = (cview){n, CV_COND};
    }
    return k;
}

cview cc_view(ccx *x, int s, const cj_node *n)
{
    n = n ? deref(x, s, n) : NULL;
    if (!n) return (cview){NULL, CV_EMPTY};
    if (n->type == CJ_FALSE) return (cview){n, CV_FALSE};
    if (n->type != CJ_OBJECT) return (cview){n, CV_TRUE};
    cview parts[CC_MAX_PARTS];
    size_t k = parts_of(x, s, n, parts);
    if (k == 0) return (cview){n, CV_EMPTY};
    return k == 1 ? parts[0] : (cview){n, CV_PARTS};
}

typedef enum { CR_NONE, CR_ALL, CR_ANY, CR_ONE } criterion;

static criterion criterion_of(cview v)
{
    switch (v.k) {
    case CV_ALLOF:
    case CV_PARTS:
        return CR_ALL;
    case CV_ANYOF:
    case CV_TYPES:
        return CR_ANY;
    case CV_ONEOF:
        return CR_ONE;
    default:
        return CR_NONE;
    }
}

static const char *criterion_kw(cview v)
{
    return v.k == CV_ALLOF ? "allOf" : v.k == CV_ANYOF ? "anyOf" : v.k == CV_ONEOF ? "oneOf" : NULL;
}

/* The keyword a combined view is located at: its criterion, or the type list. */
static const char *combined_kw(cview v)
{
    return v.k == CV_TYPES ? "type" : criterion_kw(v);
}

/* Where a keyword of a view is: its value, or the schema when it has none. */
static const cj_node *at(cview v, const char *kw)
{
    const cj_node *k = kw ? cj_get(v.n, kw) : NULL;
    return k ? k : v.n;
}

/* The subschemas of combined view v; malloc'd (NULL when none), *n their count. */
static cview *subs_of(ccx *x, int s, cview v, size_t *n)
{
    *n = 0;
    cview *out = NULL;
    if (v.k == CV_PARTS) {
        out = malloc(CC_MAX_PARTS * sizeof *out);
        *n = parts_of(x, s, v.n, out);
    } else if (v.k == CV_TYPES) {
        const cj_node *t = cj_get(v.n, "type");
        out = malloc((t->n ? t->n : 1) * sizeof *out);
        for (size_t i = 0; i < t->n; i++) {
            cv_kind k = t->items[i]->type == CJ_STRING ? type_kind(t->items[i]->str) : CV_EMPTY;
            if (k != CV_EMPTY) out[(*n)++] = (cview){v.n, k};
        }
    } else if (criterion_kw(v)) {
        const cj_node *a = cj_get(v.n, criterion_kw(v));
        if (a->type != CJ_ARRAY) return NULL;
        out = malloc((a->n ? a->n : 1) * sizeof *out);
        for (size_t i = 0; i < a->n; i++)
            out[(*n)++] = cc_view(x, s, a->items[i]);
    }
    return out;
}

/* Confluent collapses duplicate subschemas (equal JSON). */
static size_t dedup(cview *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = v[j].k == v[i].k && (v[j].n == v[i].n || cj_equal(v[j].n, v[i].n));
        if (!dup) v[k++] = v[i];
    }
    return k;
}

/* everit's classes: what must match before two schemas compare keyword by keyword. */
static int class_of(cview v)
{
    switch (v.k) {
    case CV_INTEGER:
        return CV_NUMBER;
    case CV_ALLOF:
    case CV_ANYOF:
    case CV_ONEOF:
    case CV_TYPES:
    case CV_PARTS:
        return CV_ALLOF;
    default:
        return v.k;
    }
}

static bool is_combined(cview v)
{
    return class_of(v) == CV_ALLOF;
}

/* ---- numbers ---- */

int cc_num_cmp(const cj_node *a, const cj_node *b)
{
    cj_decimal da, db;
    if (!cj_decimal_of(a, &da) || !cj_decimal_of(b, &db)) {
        double x = cj_to_double(a), y = cj_to_double(b);
        return x < y ? -1 : x > y;
    }
    bool za = da.ndigits == 1 && da.digits[0] == '0', zb = db.ndigits == 1 && db.digits[0] == '0';
    int sa = za ? 0 : da.neg ? -1 : 1, sb = zb ? 0 : db.neg ? -1 : 1;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    /* same sign: compare magnitudes by order of magnitude, then digits */
    int64_t ma = (int64_t)da.ndigits + da.exp, mb = (int64_t)db.ndigits + db.exp;
    int mag = ma != mb ? (ma < mb ? -1 : 1) : 0;
    for (size_t i = 0; !mag && i < da.ndigits && i < db.ndigits; i++)
        if (da.digits[i] != db.digits[i]) mag = da.digits[i] < db.digits[i] ? -1 : 1;
    if (!mag && da.ndigits != db.ndigits) mag = da.ndigits < db.ndigits ? -1 : 1;
    return sa * mag;
}

static const cj_node *number_kw(const cj_node *n, const char *kw)
{
    const cj_node *v = cj_get(n, kw);
    return v && v->type == CJ_NUMBER ? v : NULL;
}

static void bound_values(ccx *x, cg_differences *out, const cj_node *on, const cj_node *a,
                         const cj_node *un, const cj_node *b, cg_change added, cg_change removed,
                         cg_change increased, cg_change decreased)
{
    if (!a && !b) return;
    if (!a)
        cc_add(x, out, added, on, b);
    else if (!b)
        cc_add(x, out, removed, a, un);
    else if (cc_num_cmp(a, b) < 0)
        cc_add(x, out, increased, a, b);
    else if (cc_num_cmp(a, b) > 0)
        cc_add(x, out, decreased, a, b);
}

void cc_bound(ccx *x, cg_differences *out, const cj_node *on, const cj_node *un, const char *kw,
              cg_change added, cg_change removed, cg_change increased, cg_change decreased)
{
    bound_values(x, out, on, number_kw(on, kw), un, number_kw(un, kw), added, removed, increased,
                 decreased);
}

/* a / b is an integer: 1, is not: 0, cannot tell (too many digits): -1. */
static int divides(const cj_node *a, const cj_node *b)
{
    cj_decimal da, db;
    if (!cj_decimal_of(a, &da) || !cj_decimal_of(b, &db)) return -1;
    int64_t e = da.exp < db.exp ? da.exp : db.exp;
    int64_t na = (int64_t)da.ndigits + (da.exp - e), nb = (int64_t)db.ndigits + (db.exp - e);
    if (na > 38 || nb > 38) return -1;
    unsigned __int128 va = 0, vb = 0;
    for (size_t i = 0; i < da.ndigits; i++)
        va = va * 10 + (unsigned)(da.digits[i] - '0');
    for (int64_t i = 0; i < da.exp - e; i++)
        va *= 10;
    for (size_t i = 0; i < db.ndigits; i++)
        vb = vb * 10 + (unsigned)(db.digits[i] - '0');
    for (int64_t i = 0; i < db.exp - e; i++)
        vb *= 10;
    if (vb == 0) return -1;
    return va % vb == 0;
}

/* maximum/exclusiveMaximum as draft 6 reads them: draft 4's exclusiveMaximum: true makes the
 * maximum exclusive. */
static void limits(ccx *x, int s, const cj_node *n, const char *max, const char *xmax,
                   const cj_node **inc, const cj_node **exc)
{
    *inc = number_kw(n, max);
    *exc = number_kw(n, xmax);
    const cj_node *flag = cj_get(n, xmax);
    if (cc_dialect(x, s, n) == CG_D4 && flag && flag->type == CJ_TRUE) {
        *exc = *inc;
        *inc = NULL;
    }
}

static void compare_number(ccx *x, cg_differences *out, cview o, cview u)
{
    const char *const kws[2][2] = {{"maximum", "exclusiveMaximum"},
                                   {"minimum", "exclusiveMinimum"}};
    const cg_change ch[2][2][4] = {
        {{CG_MAXIMUM_ADDED, CG_MAXIMUM_REMOVED, CG_MAXIMUM_INCREASED, CG_MAXIMUM_DECREASED},
         {CG_EXCLUSIVE_MAXIMUM_ADDED, CG_EXCLUSIVE_MAXIMUM_REMOVED, CG_EXCLUSIVE_MAXIMUM_INCREASED,
          CG_EXCLUSIVE_MAXIMUM_DECREASED}},
        {{CG_MINIMUM_ADDED, CG_MINIMUM_REMOVED, CG_MINIMUM_INCREASED, CG_MINIMUM_DECREASED},
         {CG_EXCLUSIVE_MINIMUM_ADDED, CG_EXCLUSIVE_MINIMUM_REMOVED, CG_EXCLUSIVE_MINIMUM_INCREASED,
          CG_EXCLUSIVE_MINIMUM_DECREASED}}};
    for (int m = 0; m < 2; m++) {
        const cj_node *oi, *ox, *ui, *ux;
        limits(x, 0, o.n, kws[m][0], kws[m][1], &oi, &ox);
        limits(x, 1, u.n, kws[m][0], kws[m][1], &ui, &ux);
        for (int e = 0; e < 2; e++)
            bound_values(x, out, o.n, e ? ox : oi, u.n, e ? ux : ui, ch[m][e][0], ch[m][e][1],
                         ch[m][e][2], ch[m][e][3]);
    }
    const cj_node *om = number_kw(o.n, "multipleOf"), *um = number_kw(u.n, "multipleOf");
    if (om && !um) {
        cc_add(x, out, CG_MULTIPLE_OF_REMOVED, om, u.n);
    } else if (!om && um) {
        cc_add(x, out, CG_MULTIPLE_OF_ADDED, o.n, um);
    } else if (om && um && cc_num_cmp(om, um) != 0) {
        cg_change c = divides(um, om) == 1   ? CG_MULTIPLE_OF_EXPANDED
                      : divides(om, um) == 1 ? CG_MULTIPLE_OF_REDUCED
                                             : CG_MULTIPLE_OF_CHANGED;
        cc_add(x, out, c, om, um);
    }
    if ((o.k == CV_INTEGER) != (u.k == CV_INTEGER))
        cc_add(x, out, o.k == CV_INTEGER ? CG_TYPE_EXTENDED : CG_TYPE_NARROWED, at(o, "type"),
               at(u, "type"));
}

static void compare_string(ccx *x, cg_differences *out, cview o, cview u)
{
    cc_bound(x, out, o.n, u.n, "maxLength", CG_MAX_LENGTH_ADDED, CG_MAX_LENGTH_REMOVED,
             CG_MAX_LENGTH_INCREASED, CG_MAX_LENGTH_DECREASED);
    cc_bound(x, out, o.n, u.n, "minLength", CG_MIN_LENGTH_ADDED, CG_MIN_LENGTH_REMOVED,
             CG_MIN_LENGTH_INCREASED, CG_MIN_LENGTH_DECREASED);
    const cj_node *op = cj_get(o.n, "pattern"), *up = cj_get(u.n, "pattern");
    if (op && op->type != CJ_STRING) op = NULL;
    if (up && up->type != CJ_STRING) up = NULL;
    if (!op && up)
        cc_add(x, out, CG_PATTERN_ADDED, o.n, up);
    else if (op && !up)
        cc_add(x, out, CG_PATTERN_REMOVED, op, u.n);
    else if (op && up && (op->len != up->len || memcmp(op->str, up->str, op->len) != 0))
        cc_add(x, out, CG_PATTERN_CHANGED, op, up);
}

/* Every value of a is in b. */
static bool values_in(const cj_node *a, const cj_node *b)
{
    for (size_t i = 0; i < a->n; i++) {
        bool found = false;
        for (size_t j = 0; j < b->n && !found; j++)
            found = cj_equal(a->items[i], b->items[j]);
        if (!found) return false;
    }
    return true;
}

static void compare_enum(ccx *x, cg_differences *out, cview o, cview u)
{
    const cj_node *oe = cj_get(o.n, "enum"), *ue = cj_get(u.n, "enum");
    if (oe->type != CJ_ARRAY || ue->type != CJ_ARRAY) return;
    bool grown = values_in(oe, ue), shrunk = values_in(ue, oe);
    if (grown && shrunk) return;
    cc_add(x, out,
           grown    ? CG_ENUM_ARRAY_EXTENDED
           : shrunk ? CG_ENUM_ARRAY_NARROWED
                    : CG_ENUM_ARRAY_CHANGED,
           oe, ue);
}

static void memo_free(cg_map *memo)
{
    for (size_t i = 0; i < memo->cap; i++)
        if (memo->slots[i].key) {
            cg_differences_free(memo->slots[i].val);
            free(memo->slots[i].val);
        }
    cg_map_free(memo);
}

static void compare_not(ccx *x, cg_differences *out, cview o, cview u)
{
    const cj_node *on = cj_get(o.n, "not"), *un = cj_get(u.n, "not");
    /* What the update forbids must be forbidden by the original: the two compared the other
     * way round, with a memo of their own (its pairs mean the opposite). */
    ccx rev = {.g = {x->g[1], x->g[0]}, .root = {x->root[1], x->root[0]}, .steps = x->steps};
    cg_differences sub = {0};
    bool ok = cc_sub(&rev, cc_view(&rev, 0, un), cc_view(&rev, 1, on), &sub);
    x->steps = rev.steps;
    x->failed |= rev.failed;
    cg_differences_free(&sub);
    memo_free(&rev.memo);
    cg_map_free(&rev.busy);
    cc_add(x, out, ok ? CG_NOT_TYPE_NARROWED : CG_NOT_TYPE_EXTENDED, on, un);
}

/* ---- combined schemas ---- */

typedef struct edge {
    bool ok;
    cg_differences d;
} edge;

/* Kuhn's augmenting path from left vertex i; match_r[j] is the left vertex matched to j. */
static bool augment(const edge *e, size_t nu, size_t i, int *match_r, bool *seen)
{
    for (size_t j = 0; j < nu; j++) {
        if (!e[i * nu + j].ok || seen[j]) continue;
        seen[j] = true;
        if (match_r[j] < 0 || augment(e, nu, (size_t)match_r[j], match_r, seen)) {
            match_r[j] = (int)i;
            return true;
        }
    }
    return false;
}

static void compare_combined(ccx *x, cg_differences *out, cview o, cview u)
{
    criterion oc = criterion_of(o), uc = criterion_of(u);
    size_t no, nu;
    cview *os = subs_of(x, 0, o, &no), *us = subs_of(x, 1, u, &nu);
    int type = -1;
    if (oc != uc) {
        if (uc == CR_ANY)
            type = CG_COMBINED_TYPE_EXTENDED;
        else if (uc == CR_ONE)
            type = no == 1 ? CG_COMBINED_TYPE_EXTENDED : CG_COMBINED_TYPE_CHANGED;
        else
            type = no == 1 && nu == 1 ? CG_COMBINED_TYPE_EXTENDED : CG_COMBINED_TYPE_CHANGED;
        cc_add(x, out, (cg_change)type, at(o, combined_kw(o)), at(u, combined_kw(u)));
    }
    if (type != CG_COMBINED_TYPE_CHANGED) {
        no = dedup(os, no);
        nu = dedup(us, nu);
        if (no != nu)
            cc_add(x, out,
                   no < nu ? (uc == CR_ALL ? CG_PRODUCT_TYPE_EXTENDED : CG_SUM_TYPE_EXTENDED)
                           : (uc == CR_ALL ? CG_PRODUCT_TYPE_NARROWED : CG_SUM_TYPE_NARROWED),
                   at(o, combined_kw(o)), at(u, combined_kw(u)));
        edge *e = calloc(no * nu + 1, sizeof *e);
        for (size_t i = 0; i < no; i++)
            for (size_t j = 0; j < nu; j++)
                e[i * nu + j].ok = cc_sub(x, os[i], us[j], &e[i * nu + j].d);
        int *match_r = malloc((nu + 1) * sizeof *match_r);
        bool *seen = malloc(nu + 1);
        for (size_t j = 0; j < nu; j++)
            match_r[j] = -1;
        size_t matched = 0;
        for (size_t i = 0; i < no; i++) {
            memset(seen, 0, nu + 1);
            matched += augment(e, nu, i, match_r, seen);
        }
        for (size_t j = 0; j < nu; j++)
            if (match_r[j] >= 0) cc_append(out, &e[(size_t)match_r[j] * nu + j].d);
        if (matched < (no < nu ? no : nu))
            cc_add(x, out, CG_COMBINED_TYPE_SUBSCHEMAS_CHANGED, at(o, combined_kw(o)),
                   at(u, combined_kw(u)));
        for (size_t i = 0; i < no * nu; i++)
            cg_differences_free(&e[i].d);
        free(e);
        free(match_r);
        free(seen);
    }
    free(os);
    free(us);
}

/* ---- the walk ---- */

static void compare_general(ccx *x, cg_differences *out, cview o, cview u)
{
    if (o.n->type != CJ_OBJECT || u.n->type != CJ_OBJECT) return;
    static const struct {
        const char *kw;
        cg_change c;
    } general[] = {{"$id", CG_ID_CHANGED},
                   {"id", CG_ID_CHANGED},
                   {"title", CG_TITLE_CHANGED},
                   {"description", CG_DESCRIPTION_CHANGED},
                   {"default", CG_DEFAULT_CHANGED}};
    for (size_t i = 0; i < sizeof general / sizeof general[0]; i++) {
        const cj_node *a = cj_get(o.n, general[i].kw), *b = cj_get(u.n, general[i].kw);
        if ((a || b) && !(a && b && cj_equal(a, b)))
            cc_add(x, out, general[i].c, a ? a : o.n, b ? b : u.n);
    }
}

/* Tries the subschemas of the combined side against the other side: true (with the
 * differences and `type` added) when one is compatible. */
static bool through_union(ccx *x, cg_differences *out, cview o, cview u, bool update_side,
                          cg_change type)
{
    size_t n;
    cview *subs = subs_of(x, update_side, update_side ? u : o, &n);
    bool done = false;
    for (size_t i = 0; i < n && !done; i++) {
        cg_differences sub = {0};
        if (cc_sub(x, update_side ? o : subs[i], update_side ? subs[i] : u, &sub)) {
            cc_append(out, &sub);
            if (n > 1) cc_add(x, out, type, at(o, combined_kw(o)), at(u, combined_kw(u)));
            done = true;
        }
        cg_differences_free(&sub);
    }
    free(subs);
    return done;
}

static void compare_views(ccx *x, cg_differences *out, cview o, cview u)
{
    if (!is_combined(o) && is_combined(u)) {
        criterion c = criterion_of(u);
        size_t n;
        free(subs_of(x, 1, u, &n));
        if ((n == 1 || c == CR_ANY || c == CR_ONE) &&
            through_union(x, out, o, u, true, CG_SUM_TYPE_EXTENDED))
            return;
    } else if (is_combined(o) && !is_combined(u)) {
        size_t n;
        free(subs_of(x, 0, o, &n));
        if ((n == 1 || criterion_of(o) == CR_ALL) &&
            through_union(x, out, o, u, false, CG_PRODUCT_TYPE_NARROWED))
            return;
    }
    if (class_of(o) != class_of(u)) {
        bool original_false = o.k == CV_FALSE, update_empty = cc_is_empty(u);
        if (!original_false && !update_empty) cc_add(x, out, CG_TYPE_CHANGED, o.n, u.n);
        return;
    }
    compare_general(x, out, o, u);
    switch (class_of(o)) {
    case CV_STRING:
        compare_string(x, out, o, u);
        break;
    case CV_NUMBER:
        compare_number(x, out, o, u);
        break;
    case CV_ENUM:
        compare_enum(x, out, o, u);
        break;
    case CV_CONST:
        if (!cj_equal(cj_get(o.n, "const"), cj_get(u.n, "const")))
            cc_add(x, out, CG_ENUM_ARRAY_CHANGED, cj_get(o.n, "const"), cj_get(u.n, "const"));
        break;
    case CV_NOT:
        compare_not(x, out, o, u);
        break;
    case CV_ALLOF:
        compare_combined(x, out, o, u);
        break;
    case CV_OBJECT:
        cc_object(x, out, o, u);
        break;
    case CV_ARRAY:
        cc_array(x, out, o, u);
        break;
    default:
        break;
    }
}

void cc_compare(ccx *x, cg_differences *out, cview o, cview u, const cj_node *oat,
                const cj_node *uat)
{
    if (!o.n && !u.n) return;
    if (!o.n || !u.n) {
        cc_add(x, out, o.n ? CG_SCHEMA_REMOVED : CG_SCHEMA_ADDED, o.n ? o.n : oat, u.n ? u.n : uat);
        return;
    }
    if (x->failed) return;
    if (++x->steps > CC_MAX_STEPS) {
        if (!x->failed)
            cg_error(x->g[0], o.n, "the schemas are too complex to compare (more than %d steps)",
                     CC_MAX_STEPS);
        x->failed = true;
        return;
    }
    char key[96];
    snprintf(key, sizeof key, "%p/%p:%d:%d", (const void *)o.n, (const void *)u.n, (int)o.k,
             (int)u.k);
    cg_differences *memo = cg_map_get(&x->memo, key);
    if (memo) {
        cc_append(out, memo);
        return;
    }
    if (cg_map_get(&x->busy, key) == x) return; /* a recursive schema: already being compared */
    cg_map_put(&x->busy, key, x);
    cg_differences here = {0};
    compare_views(x, &here, o, u);
    cg_map_put(&x->busy, key, NULL);
    cc_append(out, &here);
    memo = malloc(sizeof *memo);
    *memo = here;
    cg_map_put(&x->memo, key, memo);
}

bool cc_sub(ccx *x, cview o, cview u, cg_differences *sub)
{
    cc_compare(x, sub, o, u, o.n, u.n);
    return all_compatible(sub);
}

bool cg_compat_compare(cg *og, const cj_node *orig, cg *ug, const cj_node *upd, cg_differences *out)
{
    ccx x = {.g = {og, ug}, .root = {cj_root(orig), cj_root(upd)}};
    cc_compare(&x, out, cc_view(&x, 0, orig), cc_view(&x, 1, upd), orig, upd);
    memo_free(&x.memo);
    cg_map_free(&x.busy);
    return !x.failed;
}
