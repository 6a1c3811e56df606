/* cg_compat_obj.c - Confluent's JSON Schema compatibility rules for objects and arrays
 * (Confluent's ObjectSchemaDiff and ArraySchemaDiff; cg_compat_int.h).
 *
 * Design: what decides most verdicts is the content model. An object is open when it has no
 * patternProperties and additionalProperties (and unevaluatedProperties) allow anything, closed
 * when they allow nothing, and partially open otherwise: a property without its own schema is
 * then checked against the patternProperties entry that matches its name, or else
 * additionalProperties (or unevaluatedProperties). A property removed from the update is fine
 * when the update's content model still accepts it (open, or partially open with a schema the
 * removed one is compatible with, or it was false); a property added to an open original is
 * not, unless its schema is empty, because the original accepted any value under that name; a
 * property added to a closed or partially open original is, unless it is required without a
 * default. Arrays apply the same reasoning to tuple items (items as a list up to 2019-09,
 * prefixItems in 2020-12) against additionalItems (items in 2020-12) and unevaluatedItems.
 * Property names run through patternProperties with the codegen regex engine (search
 * semantics, as JSON Schema says). Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_compat_int.h"
#include "cg_regex.h"

static const cj_node *member(const cj_node *n, const char *kw, cj_type t)
{
    const cj_node *v = cj_get(n, kw);
    return v && v->type == t ? v : NULL;
}

/* "true" and "{}" accept anything. */
static bool accepts_all(const cj_node *n)
{
    return n && (n->type == CJ_TRUE || (n->type == CJ_OBJECT && n->n == 0));
}

/* A keyword's schema as "additional" schemas are read: false and absent allow nothing more and
 * nothing less than themselves, true no schema at all; {} (everit's empty schema) is one. */
static const cj_node *schema_of(const cj_node *v)
{
    return v && v->type == CJ_OBJECT ? v : NULL;
}

static bool permits(const cj_node *v)
{
    return !(v && v->type == CJ_FALSE);
}

static const cj_node *uneval(ccx *x, int s, const cj_node *n, const char *kw)
{
    return cc_dialect(x, s, n) >= CG_D2019 ? cj_get(n, kw) : NULL;
}

/* Compares the unevaluatedProperties/Items values ov and uv (Confluent's ArraySchemaDiff). */
static void compare_uneval(ccx *x, cg_differences *out, cview o, cview u, const cj_node *ov,
                           const cj_node *uv, const cg_change ch[4])
{
    enum { ADDED, REMOVED, EXTENDED, NARROWED };
    if (!ov && !uv) return;
    const cj_node *oat = ov ? ov : o.n, *uat = uv ? uv : u.n;
    bool of = ov && ov->type == CJ_FALSE, uf = uv && uv->type == CJ_FALSE;
    if (!ov)
        cc_add(x, out, ch[uf ? REMOVED : NARROWED], oat, uat);
    else if (!uv)
        cc_add(x, out, ch[of ? ADDED : EXTENDED], oat, uat);
    else if (of && !uf)
        cc_add(x, out, ch[ADDED], oat, uat);
    else if (!of && uf)
        cc_add(x, out, ch[REMOVED], oat, uat);
    else if (accepts_all(ov) && !accepts_all(uv))
        cc_add(x, out, ch[NARROWED], oat, uat);
    else if (!accepts_all(ov) && accepts_all(uv))
        cc_add(x, out, ch[EXTENDED], oat, uat);
    else
        cc_compare(x, out, cc_view(x, 0, ov), cc_view(x, 1, uv), oat, uat);
}

/* Compares two "additional" keywords (additionalProperties, additionalItems). */
static void compare_additional(ccx *x, cg_differences *out, cview o, cview u, const cj_node *ov,
                               const cj_node *uv, const cg_change ch[4])
{
    enum { ADDED, REMOVED, EXTENDED, NARROWED };
    const cj_node *oat = ov ? ov : o.n, *uat = uv ? uv : u.n;
    const cj_node *os = schema_of(ov), *us = schema_of(uv);
    if (permits(ov) != permits(uv))
        cc_add(x, out, ch[permits(uv) ? ADDED : REMOVED], oat, uat);
    else if (!os && us)
        cc_add(x, out, ch[NARROWED], oat, uat);
    else if (os && !us)
        cc_add(x, out, ch[EXTENDED], oat, uat);
    else if (os && us)
        cc_compare(x, out, cc_view(x, 0, os), cc_view(x, 1, us), oat, uat);
}

/* Covers a removed or added member with the other side's partially open content model
 * (schema p, NULL when closed): returns the covered/not covered change, or -1 for closed. */
static int cover(ccx *x, cg_differences *out, int p_side, const cj_node *p, const cj_node *member,
                 cg_change covered, cg_change not_covered)
{
    if (!p) return -1;
    cg_differences sub = {0};
    bool ok = p_side == 1 ? cc_sub(x, cc_view(x, 0, member), cc_view(x, 1, p), &sub)
                          : cc_sub(x, cc_view(x, 0, p), cc_view(x, 1, member), &sub);
    cc_append(out, &sub);
    cg_differences_free(&sub);
    return ok ? (int)covered : (int)not_covered;
}

/* ---- objects ---- */

static bool open_object(ccx *x, int s, const cj_node *n)
{
    const cj_node *pp = member(n, "patternProperties", CJ_OBJECT);
    const cj_node *ap = cj_get(n, "additionalProperties");
    const cj_node *up = uneval(x, s, n, "unevaluatedProperties");
    return !(pp && pp->n) && !schema_of(ap) && permits(ap) && (!up || accepts_all(up));
}

/* The schema a partially open object gives property `key`, NULL when it gives none. */
static const cj_node *partial_object(ccx *x, int s, const cj_node *n, const char *key, size_t klen)
{
    const cj_node *pp = member(n, "patternProperties", CJ_OBJECT);
    for (size_t i = 0; pp && i < pp->n; i++) {
        mg_re_prog *re;
        char err[256];
        if (cg_regex_compile(pp->keys[i], pp->key_lens[i], MG_RE_ANNEXB, &re, NULL, err,
                             sizeof err) != 0)
            continue;
        /* the NFA simulation (no cache); a limit reached counts as no match */
        uint64_t words[1024];
        mg_re_env env = {words, sizeof words / sizeof words[0], NULL};
        bool match = mg_re_match(re, key, klen, &env) == MG_RE_MATCH;
        cg_regex_free(re);
        if (match) return pp->items[i];
    }
    const cj_node *ap = cj_get(n, "additionalProperties");
    if (schema_of(ap)) return ap;
    const cj_node *up = uneval(x, s, n, "unevaluatedProperties");
    return !ap && schema_of(up) && !accepts_all(up) ? up : NULL;
}

/* The element of n's required list that names key, NULL if key is not required. */
static const cj_node *required(const cj_node *n, const char *key)
{
    const cj_node *r = member(n, "required", CJ_ARRAY);
    for (size_t i = 0; r && i < r->n; i++)
        if (r->items[i]->type == CJ_STRING && strcmp(r->items[i]->str, key) == 0)
            return r->items[i];
    return NULL;
}

static bool has_default(ccx *x, int s, const cj_node *prop)
{
    if (cj_get(prop, "default")) return true;
    cview v = cc_view(x, s, prop);
    return v.n && cj_get(v.n, "default");
}

static void compare_required(ccx *x, cg_differences *out, const cj_node *o, const cj_node *u)
{
    const cj_node *op = member(o, "properties", CJ_OBJECT),
                  *up = member(u, "properties", CJ_OBJECT);
    for (size_t i = 0; op && up && i < op->n; i++) {
        const cj_node *uprop = cj_get(up, op->keys[i]);
        if (!uprop) continue;
        const cj_node *oreq = required(o, op->keys[i]), *ureq = required(u, op->keys[i]);
        if (oreq && !ureq)
            cc_add(x, out, CG_REQUIRED_ATTRIBUTE_REMOVED, oreq, uprop);
        else if (!oreq && ureq)
            cc_add(x, out,
                   has_default(x, 1, uprop) ? CG_REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                                            : CG_REQUIRED_ATTRIBUTE_ADDED,
                   op->items[i], ureq);
    }
}

/* The change for a member (a property or a tuple item) the update no longer has, given the
 * update's content model: open, partially open (the schema it gives the member), or closed.
 * ch: removed from open, covered, not covered, removed when false, removed from closed. */
static cg_change member_removed(ccx *x, cg_differences *out, bool open, const cj_node *partial,
                                const cj_node *member, const cg_change ch[5])
{
    if (open) return ch[0];
    int c = cover(x, out, 1, partial, member, ch[1], ch[2]);
    if (c >= 0) return (cg_change)c;
    return cc_view(x, 0, member).k == CV_FALSE ? ch[3] : ch[4];
}

static void property_removed(ccx *x, cg_differences *out, const cj_node *oprop, const cj_node *u,
                             const char *key, size_t klen)
{
    static const cg_change ch[5] = {CG_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
                                    CG_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                    CG_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                    CG_PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                                    CG_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL};
    bool open = open_object(x, 1, u);
    const cj_node *partial = open ? NULL : partial_object(x, 1, u, key, klen);
    cc_add(x, out, member_removed(x, out, open, partial, oprop, ch), oprop, u);
}

static void property_added(ccx *x, cg_differences *out, const cj_node *o, const cj_node *u,
                           const cj_node *uprop, const char *key, size_t klen)
{
    bool req = required(u, key) != NULL, def = req && has_default(x, 1, uprop);
    if (open_object(x, 0, o)) {
        cg_change c = cc_is_empty(cc_view(x, 1, uprop))
                          ? CG_PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                      : !req ? CG_OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
                      : def  ? CG_REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
                             : CG_REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL;
        cc_add(x, out, c, o, uprop);
        return;
    }
    int c = cover(x, out, 0, partial_object(x, 0, o, key, klen), uprop,
                  CG_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                  CG_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
    if (c >= 0) cc_add(x, out, (cg_change)c, o, uprop);
    cc_add(x, out,
           !req  ? CG_OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
           : def ? CG_REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
                 : CG_REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
           o, uprop);
}

static void compare_properties(ccx *x, cg_differences *out, const cj_node *o, const cj_node *u)
{
    const cj_node *op = member(o, "properties", CJ_OBJECT),
                  *up = member(u, "properties", CJ_OBJECT);
    for (size_t i = 0; op && i < op->n; i++) {
        const cj_node *uprop = up ? cj_get(up, op->keys[i]) : NULL;
        if (uprop)
            cc_compare(x, out, cc_view(x, 0, op->items[i]), cc_view(x, 1, uprop), op->items[i],
                       uprop);
        else
            property_removed(x, out, op->items[i], u, op->keys[i], op->key_lens[i]);
    }
    for (size_t i = 0; up && i < up->n; i++)
        if (!op || !cj_get(op, up->keys[i]))
            property_added(x, out, o, u, up->items[i], up->keys[i], up->key_lens[i]);
}

/* The dependencies of n: property lists (arrays) or schemas, from "dependencies" and the
 * 2019-09 "dependentRequired"/"dependentSchemas". */
static const cj_node *dependency(const cj_node *n, const char *key, bool list)
{
    const char *kws[] = {"dependencies", list ? "dependentRequired" : "dependentSchemas"};
    for (size_t k = 0; k < 2; k++) {
        const cj_node *d = cj_get(member(n, kws[k], CJ_OBJECT), key);
        if (d && (d->type == CJ_ARRAY) == list) return d;
    }
    return NULL;
}

static void compare_dependency(ccx *x, cg_differences *out, const cj_node *o, const cj_node *u,
                               const char *key, bool list)
{
    const cj_node *od = dependency(o, key, list), *ud = dependency(u, key, list);
    if (!od && !ud) return;
    if (!ud) {
        cc_add(x, out, list ? CG_DEPENDENCY_ARRAY_REMOVED : CG_DEPENDENCY_SCHEMA_REMOVED, od, u);
    } else if (!od) {
        cc_add(x, out, list ? CG_DEPENDENCY_ARRAY_ADDED : CG_DEPENDENCY_SCHEMA_ADDED, o, ud);
    } else if (!list) {
        cc_compare(x, out, cc_view(x, 0, od), cc_view(x, 1, ud), od, ud);
    } else {
        bool fewer = true, more = true; /* every update name is in the original, and back */
        for (size_t i = 0; i < ud->n && fewer; i++) {
            bool in = false;
            for (size_t j = 0; j < od->n && !in; j++)
                in = cj_equal(ud->items[i], od->items[j]);
            fewer = in;
        }
        for (size_t i = 0; i < od->n && more; i++) {
            bool in = false;
            for (size_t j = 0; j < ud->n && !in; j++)
                in = cj_equal(od->items[i], ud->items[j]);
            more = in;
        }
        if (!(fewer && more))
            cc_add(x, out,
                   more    ? CG_DEPENDENCY_ARRAY_EXTENDED
                   : fewer ? CG_DEPENDENCY_ARRAY_NARROWED
                           : CG_DEPENDENCY_ARRAY_CHANGED,
                   od, ud);
    }
}

static void compare_dependencies(ccx *x, cg_differences *out, const cj_node *o, const cj_node *u)
{
    for (int list = 1; list >= 0; list--) {
        const char *kw = list ? "dependentRequired" : "dependentSchemas";
        const cj_node *from[4] = {member(o, "dependencies", CJ_OBJECT), member(o, kw, CJ_OBJECT),
                                  member(u, "dependencies", CJ_OBJECT), member(u, kw, CJ_OBJECT)};
        /* each name once: the original's in order, then the update's others */
        for (size_t f = 0; f < 4; f++)
            for (size_t i = 0; from[f] && i < from[f]->n; i++) {
                if ((from[f]->items[i]->type == CJ_ARRAY) != list) continue;
                bool seen = false;
                for (size_t e = 0; e < f && !seen; e++) {
                    const cj_node *d = cj_get(from[e], from[f]->keys[i]);
                    seen = d && (d->type == CJ_ARRAY) == list;
                }
                if (!seen) compare_dependency(x, out, o, u, from[f]->keys[i], list);
            }
    }
}

void cc_object(ccx *x, cg_differences *out, cview o, cview u)
{
    static const cg_change additional[4] = {
        CG_ADDITIONAL_PROPERTIES_ADDED, CG_ADDITIONAL_PROPERTIES_REMOVED,
        CG_ADDITIONAL_PROPERTIES_EXTENDED, CG_ADDITIONAL_PROPERTIES_NARROWED};
    static const cg_change unevaluated[4] = {
        CG_UNEVALUATED_PROPERTIES_ADDED, CG_UNEVALUATED_PROPERTIES_REMOVED,
        CG_UNEVALUATED_PROPERTIES_EXTENDED, CG_UNEVALUATED_PROPERTIES_NARROWED};
    compare_required(x, out, o.n, u.n);
    compare_properties(x, out, o.n, u.n);
    compare_dependencies(x, out, o.n, u.n);
    compare_additional(x, out, o, u, cj_get(o.n, "additionalProperties"),
                       cj_get(u.n, "additionalProperties"), additional);
    compare_uneval(x, out, o, u, uneval(x, 0, o.n, "unevaluatedProperties"),
                   uneval(x, 1, u.n, "unevaluatedProperties"), unevaluated);
    cc_bound(x, out, o.n, u.n, "maxProperties", CG_MAX_PROPERTIES_ADDED, CG_MAX_PROPERTIES_REMOVED,
             CG_MAX_PROPERTIES_INCREASED, CG_MAX_PROPERTIES_DECREASED);
    cc_bound(x, out, o.n, u.n, "minProperties", CG_MIN_PROPERTIES_ADDED, CG_MIN_PROPERTIES_REMOVED,
             CG_MIN_PROPERTIES_INCREASED, CG_MIN_PROPERTIES_DECREASED);
}

/* ---- arrays ---- */

/* An array schema in everit's terms. */
typedef struct items {
    const cj_node *all;        /* the schema of every item (items as one schema) */
    const cj_node *tuple;      /* the schemas of the first items (a list) */
    const cj_node *additional; /* additionalItems (2020-12: items after prefixItems) */
    const cj_node *uneval;     /* unevaluatedItems */
} items;

static items items_of(ccx *x, int s, const cj_node *n)
{
    items it = {0};
    const cj_node *i = cj_get(n, "items");
    if (cc_dialect(x, s, n) >= CG_D2020) {
        it.tuple = member(n, "prefixItems", CJ_ARRAY);
        if (it.tuple)
            it.additional = i;
        else
            it.all = i;
    } else if (i && i->type == CJ_ARRAY) {
        it.tuple = i;
        it.additional = cj_get(n, "additionalItems");
    } else {
        it.all = i;
        it.additional = cj_get(n, "additionalItems");
    }
    it.uneval = uneval(x, s, n, "unevaluatedItems");
    return it;
}

static bool open_array(const items *it)
{
    return permits(it->additional) && !schema_of(it->additional) &&
           (!it->uneval || accepts_all(it->uneval));
}

static const cj_node *partial_array(const items *it)
{
    if (schema_of(it->additional)) return it->additional;
    return !it->additional && schema_of(it->uneval) && !accepts_all(it->uneval) ? it->uneval : NULL;
}

static void compare_tuples(ccx *x, cg_differences *out, cview o, cview u, const items *oi,
                           const items *ui)
{
    size_t no = oi->tuple ? oi->tuple->n : 0, nu = ui->tuple ? ui->tuple->n : 0;
    for (size_t k = 0; k < no || k < nu; k++) {
        const cj_node *oit = k < no ? oi->tuple->items[k] : NULL;
        const cj_node *uit = k < nu ? ui->tuple->items[k] : NULL;
        int c;
        if (oit && uit) {
            cc_compare(x, out, cc_view(x, 0, oit), cc_view(x, 1, uit), oit, uit);
            continue;
        } else if (oit) {
            static const cg_change ch[5] = {
                CG_ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
                CG_ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                CG_ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                CG_ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                CG_ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL};
            c = member_removed(x, out, open_array(ui), partial_array(ui), oit, ch);
        } else if (open_array(oi)) {
            c = cc_is_empty(cc_view(x, 1, uit))
                    ? CG_ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                    : CG_ITEM_ADDED_TO_OPEN_CONTENT_MODEL;
        } else {
            c = cover(x, out, 0, partial_array(oi), uit,
                      CG_ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                      CG_ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            if (c < 0) c = CG_ITEM_ADDED_TO_CLOSED_CONTENT_MODEL;
        }
        cc_add(x, out, (cg_change)c, oit ? oit : o.n, uit ? uit : u.n);
    }
}

static bool unique(const cj_node *n)
{
    const cj_node *v = cj_get(n, "uniqueItems");
    return v && v->type == CJ_TRUE;
}

void cc_array(ccx *x, cg_differences *out, cview o, cview u)
{
    static const cg_change additional[4] = {CG_ADDITIONAL_ITEMS_ADDED, CG_ADDITIONAL_ITEMS_REMOVED,
                                            CG_ADDITIONAL_ITEMS_EXTENDED,
                                            CG_ADDITIONAL_ITEMS_NARROWED};
    static const cg_change unevaluated[4] = {
        CG_UNEVALUATED_ITEMS_ADDED, CG_UNEVALUATED_ITEMS_REMOVED, CG_UNEVALUATED_ITEMS_EXTENDED,
        CG_UNEVALUATED_ITEMS_NARROWED};
    items oi = items_of(x, 0, o.n), ui = items_of(x, 1, u.n);
    cc_compare(x, out, cc_view(x, 0, oi.all), cc_view(x, 1, ui.all), oi.all ? oi.all : o.n,
               ui.all ? ui.all : u.n);
    compare_tuples(x, out, o, u, &oi, &ui);
    compare_additional(x, out, o, u, oi.additional, ui.additional, additional);
    compare_uneval(x, out, o, u, oi.uneval, ui.uneval, unevaluated);
    cc_bound(x, out, o.n, u.n, "maxItems", CG_MAX_ITEMS_ADDED, CG_MAX_ITEMS_REMOVED,
             CG_MAX_ITEMS_INCREASED, CG_MAX_ITEMS_DECREASED);
    cc_bound(x, out, o.n, u.n, "minItems", CG_MIN_ITEMS_ADDED, CG_MIN_ITEMS_REMOVED,
             CG_MIN_ITEMS_INCREASED, CG_MIN_ITEMS_DECREASED);
    if (unique(o.n) != unique(u.n))
        cc_add(x, out, unique(o.n) ? CG_UNIQUE_ITEMS_REMOVED : CG_UNIQUE_ITEMS_ADDED,
               unique(o.n) ? cj_get(o.n, "uniqueItems") : o.n,
               unique(u.n) ? cj_get(u.n, "uniqueItems") : u.n);
    if (cc_dialect(x, 0, o.n) >= CG_D2019 || cc_dialect(x, 1, u.n) >= CG_D2019) {
        cc_bound(x, out, o.n, u.n, "maxContains", CG_MAX_CONTAINS_ADDED, CG_MAX_CONTAINS_REMOVED,
                 CG_MAX_CONTAINS_INCREASED, CG_MAX_CONTAINS_DECREASED);
        cc_bound(x, out, o.n, u.n, "minContains", CG_MIN_CONTAINS_ADDED, CG_MIN_CONTAINS_REMOVED,
                 CG_MIN_CONTAINS_INCREASED, CG_MIN_CONTAINS_DECREASED);
    }
}
