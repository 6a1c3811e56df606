/* cg_plan.c - builds the compile plan (cg_plan.h): one cg_fn per function to emit.
 *
 * Design: functions are planned from a queue, so planning is iterative however deep the
 * references go: an entry's function is queued, planning it queues the functions its keywords
 * call, and so on. Each keyword is looked up through cg_kw(), which applies the dialect and
 * vocabulary rules (a keyword of another dialect, or of a vocabulary the metaschema leaves
 * out, is an annotation and is skipped); a value that is not what the keyword needs is a
 * schema error, collected with its JSON Pointer, and the keyword is left out of the plan.
 * With opt.check_all the schemas no entry reaches are planned after the reached ones, only
 * to report their errors (a reference there that does not resolve is a warning, an error
 * under --strict), and are not rendered. Last, functions get their names from their schema
 * locations (in sorted order, so a clash is settled the same way every run) and the memo
 * plan is made (cg_memo.c). Object and array keywords are planned in cg_plan_obj.c.
 */
#include "cg_plan.h"

#include <stdlib.h>
#include <string.h>

#include "cg_openapi.h"
#include "cg_regex.h"
#include "mg_format.h"

#define ANY 4, 2020
#define D6UP 6, 2020
#define D7UP 7, 2020
#define D2019UP 2019, 2020
#define MAX_DYN_CANDIDATES 64 /* resources a $dynamicRef/$recursiveRef may resolve to */
#define NAME_MAX_LOC 80       /* bytes of a schema location kept in a function's name */

void *cg_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

void *cg_xrealloc(void *p, size_t n, size_t size)
{
    p = realloc(p, (n ? n : 1) * size);
    if (!p) abort();
    return p;
}

void *cg_xgrow(void *p, size_t n, size_t size)
{
    if (n & (n - 1)) return p; /* the capacity is the power of 2 at or above n */
    return cg_xrealloc(p, n ? 2 * n : 1, size);
}

/* 64-bit FNV-1a: names literals and regexes after their content. */
static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

/* A C name not given yet: base, else base_2, base_3, ... (malloc'd, recorded). */
static char *unique_name(cg_plan *p, const char *base)
{
    char *name = strdup(base);
    for (int k = 2; cg_map_get(&p->names, name); k++) {
        free(name);
        name = cg_fmt("%s_%d", base, k);
    }
    cg_map_put(&p->names, name, p);
    return name;
}

/* A content name: prefix + 16 hex digits of the key's hash. */
static char *content_name(cg_plan *p, const char *prefix, const char *key, size_t len)
{
    char base[64];
    snprintf(base, sizeof base, "%s%016llx", prefix, (unsigned long long)fnv(key, len));
    return unique_name(p, base);
}

/* ---- functions ---- */

const cj_node *cg_kw(const cg_fn *f, const char *name, int dmin, int dmax, unsigned vocab)
{
    int d = (int)f->info->dialect;
    if (d < dmin || d > dmax || !(f->info->vocab & vocab)) return NULL;
    if ((f->info->vocab & CG_V_OAS30) && !cg_oas30_keyword(name)) return NULL;
    if (d <= CG_D7 && strcmp(name, "$ref") != 0 && strcmp(name, "definitions") != 0 &&
        cj_get(f->node, "$ref"))
        return NULL; /* up to draft-07, $ref makes its siblings ignored */
    return cj_get(f->node, name);
}

static int fn_for(cg *g, const cj_node *node, bool track)
{
    cg_plan *p = g->plan;
    struct {
        const cj_node *node;
        bool track;
    } k;
    memset(&k, 0, sizeof k); /* the padding is part of the key */
    k.node = node;
    k.track = track;
    intptr_t idx = (intptr_t)cg_map_getn(&p->fn_index, &k, sizeof k);
    if (idx) return (int)idx - 1;
    if (p->nfns == p->cfns) {
        p->cfns = p->cfns ? p->cfns * 2 : 64;
        p->fns = cg_xrealloc(p->fns, p->cfns, sizeof *p->fns);
    }
    cg_fn *f = cg_xcalloc(1, sizeof *f);
    f->index = (int)p->nfns;
    f->node = node;
    f->info = cg_info_of(g, node);
    f->track = track;
    f->loc = cg_location(g, node, NULL);
    f->dyn = f->memo = f->enum_tab = f->enum_all_lit = f->const_lit = -1;
    f->ref_fn = f->dref_fn = f->re = f->not_fn = f->if_fn = f->then_fn = f->else_fn = -1;
    f->uprops_fn = f->uitems_fn = f->all.tab = f->any.tab = f->one.tab = -1;
    p->fns[p->nfns] = f;
    cg_map_putn(&p->fn_index, &k, sizeof k, (void *)(intptr_t)(p->nfns + 1));
    return (int)p->nfns++;
}

static void add_callee(cg_fn *f, int fn)
{
    if (f->ncallees && f->callees[f->ncallees - 1] == fn) return;
    if (f->ncallees == f->ccallees) {
        f->ccallees = f->ccallees ? f->ccallees * 2 : 8;
        f->callees = cg_xrealloc(f->callees, f->ccallees, sizeof *f->callees);
    }
    f->callees[f->ncallees++] = fn;
}

static bool is_schema(const cj_node *n)
{
    return n->type == CJ_OBJECT || n->type == CJ_TRUE || n->type == CJ_FALSE;
}

int cg_plan_sub(cg *g, cg_fn *f, const cj_node *n, bool track)
{
    if (!is_schema(n)) {
        cg_error(g, n, "must be a schema (an object or a boolean)");
        return -1;
    }
    int fi = fn_for(g, n, track);
    add_callee(f, fi);
    return fi;
}

/* The function for a reference's target (in the caller's form), noted as one (cg_memo.c). */
static int ref_target(cg *g, cg_fn *f, const cj_node *n)
{
    int fi = cg_plan_sub(g, f, n, f->tracks);
    if (fi >= 0) g->plan->fns[fi]->flags |= CG_MEMO_REF_TARGET;
    return fi;
}

bool cg_plan_nonneg(cg *g, const cj_node *v, uint64_t *out)
{
    if (v->type != CJ_NUMBER || !cj_is_integer(v) || v->str[0] == '-' || !cj_to_uint64(v, out)) {
        cg_error(g, v, "must be a non-negative integer");
        return false;
    }
    return true;
}

bool cg_plan_count(cg *g, const cj_node *v, cg_count *out)
{
    out->at = NULL;
    if (!v || !cg_plan_nonneg(g, v, &out->n)) return false;
    out->at = v;
    return true;
}

static int dyn_id_of(cg *g, const cg_info *in)
{
    cg_plan *p = g->plan;
    if (!cg_map_get(&g->recursive, in->base) && !cg_map_get(&g->dyn_bases, in->base)) return -1;
    intptr_t id = (intptr_t)cg_map_get(&p->dyn_ids, in->base);
    if (!id) {
        id = ++p->ndyn_ids;
        cg_map_put(&p->dyn_ids, in->base, (void *)id);
    }
    return (int)id - 1;
}

/* ---- literals, regexes, tables ---- */

static int plan_lit(cg *g, const cj_node *v)
{
    cg_plan *p = g->plan;
    char *key = NULL;
    size_t klen = 0;
    FILE *ks = open_memstream(&key, &klen);
    if (!ks) abort();
    cj_write(ks, v);
    fclose(ks);
    intptr_t idx = (intptr_t)cg_map_getn(&p->lit_index, key, klen);
    if (idx) {
        free(key);
        return (int)idx - 1;
    }
    p->lits = cg_xgrow(p->lits, p->nlits, sizeof *p->lits);
    p->lits[p->nlits] = (cg_lit){content_name(p, "mgl_", key, klen), key, klen, v};
    cg_map_putn(&p->lit_index, key, klen, (void *)(intptr_t)(p->nlits + 1));
    return (int)p->nlits++;
}

/* pattern as a JSON string, for messages and as its key (a pattern may hold NUL). */
char *cg_quoted(const char *pattern, size_t len)
{
    char *q = NULL;
    size_t qlen = 0;
    FILE *f = open_memstream(&q, &qlen);
    if (!f) abort();
    cj_write_str(f, pattern, len);
    fclose(f);
    return q;
}

/* At every use of a pattern: Annex B syntax is a warning (an error with --strict), a
 * backreference a warning. */
static bool regex_notes(cg *g, const cj_node *at, const char *pattern, size_t len, bool bt)
{
    mg_re_parsed pi;
    if (mg_re_parse(pattern, len, MG_RE_ANNEXB, NULL, 0, &pi, NULL, 0) < 0) return true;
    char *q = cg_quoted(pattern, len);
    bool ok = true;
    if (pi.nannexb && g->opt.strict) {
        cg_error(g, at,
                 "pattern %s: %s at byte %u is ECMA-262 Annex B syntax (JavaScript accepts it "
                 "only without the u flag); refused with --strict",
                 q, pi.annexb_what, pi.annexb_off);
        ok = false;
    } else if (pi.nannexb) {
        cg_warn(g, at,
                "pattern %s: %s at byte %u%s is ECMA-262 Annex B syntax (JavaScript accepts it "
                "only without the u flag); matched as JavaScript reads it (--strict refuses it)",
                q, pi.annexb_what, pi.annexb_off, pi.nannexb > 1 ? " (and more of the kind)" : "");
    }
    if (bt)
        cg_warn(g, at,
                "pattern %s has a backreference, which no linear-time algorithm matches: it is "
                "matched by backtracking within %u + %u steps per byte of the string, and a "
                "string that needs more is rejected (reason limit)",
                q, MG_RE_BT_BASE, MG_RE_BT_PER_BYTE);
    free(q);
    return ok;
}

int cg_plan_regex(cg *g, const cj_node *at, const char *pattern, size_t len)
{
    cg_plan *p = g->plan;
    char *key = cg_quoted(pattern, len);
    intptr_t v = (intptr_t)cg_map_get(&p->re_index, key);
    if (!v && cg_too_many_errors(g)) { /* nothing will be written: spare the compiling */
        free(key);
        return -1;
    }
    if (!v && p->nres >= CG_MAX_PATTERNS) {
        if (!g->limit_hit)
            cg_error(g, at, "more than %d distinct patterns: the limit of one codegen run",
                     CG_MAX_PATTERNS);
        g->limit_hit = true;
        free(key);
        return -1;
    }
    if (!v) {
        char err[512];
        char *name = content_name(p, "mgre_", key, strlen(key));
        char *text = NULL;
        size_t tlen = 0;
        cg_re_info info;
        FILE *ts = open_memstream(&text, &tlen);
        if (!ts) abort();
        int rc = cg_regex_emit(ts, name, pattern, len, MG_RE_ANNEXB, &info, err, sizeof err);
        fclose(ts);
        if (rc != 0) {
            cg_error(g, at, "pattern %s: %s", key, err);
            free(key);
            free(text);
            free(name);
            return -1;
        }
        p->res = cg_xgrow(p->res, p->nres, sizeof *p->res);
        p->res[p->nres] = (cg_re){name, text, info.may_limit, info.backtracking};
        v = (intptr_t)++p->nres;
        cg_map_put(&p->re_index, key, (void *)v);
    }
    free(key);
    if (!regex_notes(g, at, pattern, len, p->res[v - 1].backtracking)) return -1;
    return (int)v - 1;
}

static int cmp_row(const void *a, const void *b)
{
    const cg_row *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    int c = memcmp(x->s, y->s, x->len);
    if (c) return c;
    return x->at == y->at ? 0 : x->at < y->at ? -1 : 1; /* deterministic among duplicates */
}

static int new_table(cg_plan *p, const cg_fn *f, const char *prefix, const char *what)
{
    p->tables = cg_xgrow(p->tables, p->ntables, sizeof *p->tables);
    cg_table *t = &p->tables[p->ntables];
    memset(t, 0, sizeof *t);
    /* named when the function is (name_functions): prefix and what for now */
    t->name = cg_fmt("%s\n%s", prefix, what);
    t->owner = f;
    return (int)p->ntables++;
}

int cg_plan_rows(cg *g, const cg_fn *f, const char *what, cg_row *rows, size_t n)
{
    qsort(rows, n, sizeof *rows, cmp_row);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept && rows[kept - 1].len == rows[i].len &&
            memcmp(rows[kept - 1].s, rows[i].s, rows[i].len) == 0)
            continue;
        rows[kept++] = rows[i];
    }
    int t = new_table(g->plan, f, "mgt_", what);
    g->plan->tables[t].rows = rows;
    g->plan->tables[t].n = kept;
    return t;
}

int cg_plan_list(cg *g, const cg_fn *f, const char *what, cg_row *rows, size_t n)
{
    int t = new_table(g->plan, f, "mgt_", what);
    g->plan->tables[t].rows = rows;
    g->plan->tables[t].n = n;
    return t;
}

int cg_plan_fn_table(cg *g, const cg_fn *f, const char *what, const int *fns, size_t n)
{
    int t = new_table(g->plan, f, "mgf_", what);
    cg_table *tab = &g->plan->tables[t];
    tab->fns = cg_xcalloc(n, sizeof *tab->fns);
    memcpy(tab->fns, fns, n * sizeof *fns);
    tab->n = n;
    tab->is_fn = true;
    return t;
}

/* ---- the keywords ---- */

static unsigned type_bit(const char *t)
{
    static const char *const names[] = {"null",   "boolean", "object", "array",
                                        "string", "number",  "integer"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i], t) == 0) return 1u << i;
    return 0;
}

static void plan_type(cg *g, cg_fn *f)
{
    const cj_node *v = cg_kw(f, "type", ANY, CG_V_VALIDATION);
    if (!v) return;
    const cj_node *one[1] = {v};
    const cj_node *const *list = v->type == CJ_ARRAY ? (const cj_node *const *)v->items : one;
    size_t n = v->type == CJ_ARRAY ? v->n : 1;
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        if (list[i]->type != CJ_STRING || strlen(list[i]->str) != list[i]->len ||
            !type_bit(list[i]->str)) { /* "string\u0000x" is no type name */
            cg_error(g, list[i], "not a JSON Schema type name");
            ok = false;
        }
    if (!ok) return;
    f->type = v;
    /* OpenAPI 3.0: nullable: true adds null to the types `type` allows */
    const cj_node *nullable = cg_kw(f, "nullable", ANY, CG_V_OAS30);
    f->nullable = nullable && nullable->type == CJ_TRUE;
}

static void plan_enum_const(cg *g, cg_fn *f)
{
    const cj_node *e = cg_kw(f, "enum", ANY, CG_V_VALIDATION);
    if (e && e->type != CJ_ARRAY) {
        cg_error(g, e, "must be an array");
    } else if (e && e->n > CG_TABLE_MIN) {
        /* its strings in a sorted table, the other values compared with a literal of all */
        f->enm = e;
        cg_row *rows = cg_xcalloc(e->n, sizeof *rows);
        size_t nstr = 0;
        for (size_t i = 0; i < e->n; i++)
            if (e->items[i]->type == CJ_STRING)
                rows[nstr++] = (cg_row){e->items[i]->str, e->items[i]->len, -1, -1, e->items[i]};
        if (nstr)
            f->enum_tab = cg_plan_rows(g, f, "enum", rows, nstr);
        else
            free(rows);
        if (nstr < e->n) f->enum_all_lit = plan_lit(g, e);
    } else if (e) {
        f->enm = e;
        f->enum_lit = cg_xcalloc(e->n, sizeof *f->enum_lit);
        for (size_t i = 0; i < e->n; i++) {
            cj_type t = e->items[i]->type;
            f->enum_lit[i] = t == CJ_NULL || t == CJ_TRUE || t == CJ_FALSE || t == CJ_STRING
                                 ? -1
                                 : plan_lit(g, e->items[i]);
        }
    }
    const cj_node *k = cg_kw(f, "const", D6UP, CG_V_VALIDATION);
    if (k) {
        f->cnst = k;
        if (k->type == CJ_NUMBER || k->type == CJ_ARRAY || k->type == CJ_OBJECT)
            f->const_lit = plan_lit(g, k);
    }
}

static int cmp_candidate(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void plan_refs(cg *g, cg_fn *f)
{
    const cj_node *r = cg_kw(f, "$ref", ANY, CG_V_ALL);
    if (r && r->type != CJ_STRING) {
        cg_error(g, r, "must be a string (a URI reference)");
    } else if (r) {
        cg_info *t = cg_resolve(g, f->node, r->str, r);
        f->ref_fn = t ? ref_target(g, f, t->node) : -1;
        if (f->ref_fn >= 0) f->ref = r;
    }
    const cj_node *dr = cg_kw(f, "$dynamicRef", 2020, 2020, CG_V_ALL);
    const cj_node *rr = cg_kw(f, "$recursiveRef", 2019, 2019, CG_V_ALL);
    const cj_node *dyn = dr ? dr : rr;
    if (!dyn) return;
    if (dyn->type != CJ_STRING) {
        cg_error(g, dyn, "must be a string (a URI reference)");
        return;
    }
    cg_info *t = cg_resolve(g, f->node, dyn->str, dyn);
    if (!t) return;
    int fi = ref_target(g, f, t->node);
    cg_info *cands[MAX_DYN_CANDIDATES];
    size_t nc = 0;
    const char *h = strchr(dyn->str, '#');
    if (dr && h && h[1] && h[1] != '/' && t->node->type == CJ_OBJECT) {
        const cj_node *da = cj_get(t->node, "$dynamicAnchor");
        if (da && da->type == CJ_STRING && strcmp(da->str, h + 1) == 0)
            nc = cg_dynamic_candidates(g, h + 1, cands, MAX_DYN_CANDIDATES);
    } else if (rr && t->node->type == CJ_OBJECT) {
        const cj_node *ra = cj_get(t->node, "$recursiveAnchor");
        if (ra && ra->type == CJ_TRUE) nc = cg_recursive_candidates(g, cands, MAX_DYN_CANDIDATES);
    }
    if (nc > MAX_DYN_CANDIDATES) {
        cg_error(g, dyn, "more than %d resources can be its target in dynamic scope: the limit",
                 MAX_DYN_CANDIDATES);
        return;
    }
    if (fi < 0) return;
    f->dref = dyn;
    f->dref_fn = fi;
    if (nc == 0) return;
    /* candidates in a deterministic order: by dynamic-scope id */
    int(*pairs)[2] = cg_xcalloc(nc, sizeof *pairs);
    for (size_t i = 0; i < nc; i++) {
        pairs[i][0] = dyn_id_of(g, cands[i]);
        pairs[i][1] = ref_target(g, f, cands[i]->node);
    }
    qsort(pairs, nc, sizeof *pairs, cmp_candidate);
    f->ndc = nc;
    f->dc_ids = cg_xcalloc(nc, sizeof *f->dc_ids);
    f->dc_fns = cg_xcalloc(nc, sizeof *f->dc_fns);
    for (size_t i = 0; i < nc; i++) {
        f->dc_ids[i] = pairs[i][0];
        f->dc_fns[i] = pairs[i][1];
    }
    free(pairs);
    f->flags |= CG_MEMO_DYN_LOOKUP;
}

static void add_bound(cg *g, cg_fn *f, const cj_node *b, const char *op, const char *code)
{
    if (b->type != CJ_NUMBER) {
        cg_error(g, b, "must be a number");
        return;
    }
    f->bounds[f->nbounds++] = (cg_bound){b, op, code};
}

static void plan_number(cg *g, cg_fn *f)
{
    const cj_node *mn = cg_kw(f, "minimum", ANY, CG_V_VALIDATION);
    const cj_node *mx = cg_kw(f, "maximum", ANY, CG_V_VALIDATION);
    const cj_node *emn = cg_kw(f, "exclusiveMinimum", ANY, CG_V_VALIDATION);
    const cj_node *emx = cg_kw(f, "exclusiveMaximum", ANY, CG_V_VALIDATION);
    const cj_node *mo = cg_kw(f, "multipleOf", ANY, CG_V_VALIDATION);
    bool d4 = f->info->dialect == CG_D4;
    bool emn_b = d4 && emn && emn->type == CJ_TRUE, emx_b = d4 && emx && emx->type == CJ_TRUE;
    if (mn) add_bound(g, f, mn, emn_b ? ">" : ">=", emn_b ? "MG_E_EXCL_MINIMUM" : "MG_E_MINIMUM");
    if (mx) add_bound(g, f, mx, emx_b ? "<" : "<=", emx_b ? "MG_E_EXCL_MAXIMUM" : "MG_E_MAXIMUM");
    if (emn && !d4) add_bound(g, f, emn, ">", "MG_E_EXCL_MINIMUM");
    if (emx && !d4) add_bound(g, f, emx, "<", "MG_E_EXCL_MAXIMUM");
    if (!mo) return;
    cj_decimal dec;
    if (mo->type != CJ_NUMBER || mo->str[0] == '-' || !cj_decimal_of(mo, &dec) ||
        (dec.ndigits == 1 && dec.digits[0] == '0'))
        cg_error(g, mo, "must be a number greater than 0");
    else if (dec.ndigits > 19 ||
             (dec.ndigits == 19 && strcmp(dec.digits, "18446744073709551615") > 0))
        cg_error(g, mo, "more than 19 significant digits are not supported");
    else
        f->mult = mo;
}

static void plan_string(cg *g, cg_fn *f)
{
    const cj_node *mnl = cg_kw(f, "minLength", ANY, CG_V_VALIDATION);
    const cj_node *mxl = cg_kw(f, "maxLength", ANY, CG_V_VALIDATION);
    const cj_node *pat = cg_kw(f, "pattern", ANY, CG_V_VALIDATION);
    const cj_node *fmt = cg_kw(f, "format", ANY, CG_V_ALL);
    cg_plan_count(g, mnl, &f->minl);
    cg_plan_count(g, mxl, &f->maxl);
    if (pat && pat->type != CJ_STRING) {
        cg_error(g, pat, "must be a string");
    } else if (pat) {
        f->re = cg_plan_regex(g, pat, pat->str, pat->len);
        if (f->re >= 0) f->pattern = pat;
    }
    if (fmt && fmt->type != CJ_STRING) {
        cg_error(g, fmt, "must be a string");
    } else if (fmt && !g->opt.format_annotation && strlen(fmt->str) == fmt->len) {
        const mg_format_info *fi = mg_format_lookup(fmt->str);
        if (fi) {
            f->format = fmt;
            f->format_name = fi->name;
            f->format_fn = fi->cname;
        }
    }
}

/* allOf / anyOf / oneOf: a non-empty array of schemas; with table, a table of the branches'
 * functions when there are many. */
static void plan_app(cg *g, cg_fn *f, const char *name, cg_papp *a, bool table)
{
    const cj_node *v = cg_kw(f, name, ANY, CG_V_APPLICATOR);
    if (!v) return;
    if (v->type != CJ_ARRAY || v->n == 0) {
        cg_error(g, v, "must be a non-empty array of schemas");
        return;
    }
    int *fns = cg_xcalloc(v->n, sizeof *fns);
    bool ok = true;
    for (size_t i = 0; i < v->n; i++)
        if ((fns[i] = cg_plan_sub(g, f, v->items[i], f->tracks)) < 0) ok = false;
    if (!ok) {
        free(fns);
        return;
    }
    *a = (cg_papp){v, fns, v->n, -1, NULL, NULL, NULL, 0};
    if (table) cg_plan_union_disc(f->node, a);
    if (table && v->n > CG_TABLE_MIN) a->tab = cg_plan_fn_table(g, f, name, fns, v->n);
}

static void plan_not_if(cg *g, cg_fn *f)
{
    const cj_node *n = cg_kw(f, "not", ANY, CG_V_APPLICATOR);
    if (n && (f->not_fn = cg_plan_sub(g, f, n, false)) >= 0) f->not_ = n;
    const cj_node *i = cg_kw(f, "if", D7UP, CG_V_APPLICATOR);
    if (!i) return;
    const cj_node *th = cg_kw(f, "then", D7UP, CG_V_APPLICATOR);
    const cj_node *el = cg_kw(f, "else", D7UP, CG_V_APPLICATOR);
    if (!th && !el && !f->tracks) return; /* "if" alone only produces annotations */
    int fi = cg_plan_sub(g, f, i, f->tracks);
    int ft = th ? cg_plan_sub(g, f, th, f->tracks) : -1;
    int fe = el ? cg_plan_sub(g, f, el, f->tracks) : -1;
    if (fi < 0 || (th && ft < 0) || (el && fe < 0)) return;
    f->if_ = i;
    f->then_ = th;
    f->else_ = el;
    f->if_fn = fi;
    f->then_fn = ft;
    f->else_fn = fe;
}

static void plan_unevaluated(cg *g, cg_fn *f)
{
    const cj_node *up = cg_kw(f, "unevaluatedProperties", D2019UP, CG_V_UNEVALUATED);
    const cj_node *ui = cg_kw(f, "unevaluatedItems", D2019UP, CG_V_UNEVALUATED);
    if (up && (up->type == CJ_FALSE || (f->uprops_fn = cg_plan_sub(g, f, up, false)) >= 0))
        f->uprops = up;
    if (ui && (ui->type == CJ_FALSE || (f->uitems_fn = cg_plan_sub(g, f, ui, false)) >= 0))
        f->uitems = ui;
}

/* Does the schema object n loop over its value or call other functions? Only then does its
 * function charge the step budget itself (mg_step): the work of the others is bounded by the
 * schema (string checks charge their bytes), and the caller's step pays for the call. */
static bool charges_steps(const cj_node *n)
{
    static const char *const kw[] = {"$ref",
                                     "$dynamicRef",
                                     "$recursiveRef",
                                     "allOf",
                                     "anyOf",
                                     "oneOf",
                                     "not",
                                     "if",
                                     "then",
                                     "else",
                                     "properties",
                                     "patternProperties",
                                     "additionalProperties",
                                     "propertyNames",
                                     "required",
                                     "dependentRequired",
                                     "dependentSchemas",
                                     "dependencies",
                                     "items",
                                     "prefixItems",
                                     "additionalItems",
                                     "contains",
                                     "unevaluatedProperties",
                                     "unevaluatedItems",
                                     "uniqueItems"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (cj_get(n, kw[i])) return true;
    return false;
}

static void plan_fn(cg *g, cg_fn *f)
{
    if (!f->info || f->node->type != CJ_OBJECT) return; /* true, false, {}: nothing to plan */
    f->own_track = cg_kw(f, "unevaluatedProperties", D2019UP, CG_V_UNEVALUATED) ||
                   cg_kw(f, "unevaluatedItems", D2019UP, CG_V_UNEVALUATED);
    f->tracks = f->track || f->own_track;
    f->steps = charges_steps(f->node);
    f->dyn = dyn_id_of(g, f->info);
    cg_plan_keywords(g, f);
    plan_type(g, f);
    plan_enum_const(g, f);
    plan_refs(g, f);
    plan_number(g, f);
    plan_string(g, f);
    cg_plan_object(g, f);
    cg_plan_array(g, f);
    plan_app(g, f, "allOf", &f->all, false);
    plan_app(g, f, "anyOf", &f->any, true);
    plan_app(g, f, "oneOf", &f->one, true);
    plan_not_if(g, f);
    plan_unevaluated(g, f);
}

/* Plans the queued functions, and those they queue. */
static void drain(cg *g)
{
    cg_plan *p = g->plan;
    while (p->queued < p->nfns && !g->limit_hit && !cg_too_many_errors(g))
        plan_fn(g, p->fns[p->queued++]);
}

/* ---- names ---- */

/* Letters and digits of s[0..n) as they are, every other byte a '_'. */
static size_t put_ident(char *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out[i] = keep ? c : '_';
    }
    return n;
}

/* mgv_ + the schema's document (its file name) + the JSON Pointer; a long location keeps its
 * start and its end (the most telling part) around a hash of the whole. */
static char *base_name(const cg_fn *f)
{
    const cg_doc *d = f->info && f->info->doc ? f->info->doc : NULL;
    const char *src = d ? d->path : "";
    const char *slash = strrchr(src, '/');
    src = slash ? slash + 1 : src;
    size_t sl = strcspn(src, ".");
    char ptr[2048];
    cj_pointer_of(f->node, ptr, sizeof ptr);
    char *whole = cg_fmt("%.*s%s", (int)sl, src, ptr);
    if (!whole) abort();
    size_t wl = strlen(whole);
    char *out = cg_xcalloc(wl + 40, 1);
    size_t o = (size_t)sprintf(out, "mgv_");
    if (wl <= NAME_MAX_LOC) {
        o += put_ident(out + o, whole, wl);
    } else {
        o += put_ident(out + o, whole, NAME_MAX_LOC / 4);
        o += (size_t)sprintf(out + o, "_%08llx_", (unsigned long long)(fnv(whole, wl) >> 32));
        o += put_ident(out + o, whole + wl - NAME_MAX_LOC / 2, NAME_MAX_LOC / 2);
    }
    if (f->track) strcpy(out + o, "_t");
    free(whole);
    return out;
}

/* Sort key of a function: its document's path, then the JSON Pointer by segments, the plain
 * form before the tracking one. */
typedef struct fn_key {
    cg_fn *f;
    char *doc, *ptr;
} fn_key;

static int cmp_key(const void *a, const void *b)
{
    const fn_key *x = a, *y = b;
    int c = strcmp(x->doc, y->doc);
    if (c == 0) c = strcmp(x->ptr, y->ptr);
    if (c == 0) c = (int)x->f->track - (int)y->f->track;
    return c;
}

static void name_functions(cg *g)
{
    cg_plan *p = g->plan;
    fn_key *keys = cg_xcalloc(p->nfns, sizeof *keys);
    size_t n = 0;
    for (size_t i = 0; i < p->nfns; i++) {
        cg_fn *f = p->fns[i];
        char ptr[2048];
        cj_pointer_of(f->node, ptr, sizeof ptr);
        const cg_doc *d = f->info && f->info->doc ? f->info->doc : NULL;
        keys[n++] = (fn_key){f, strdup(d ? d->path : ""), strdup(ptr)};
    }
    qsort(keys, n, sizeof *keys, cmp_key);
    p->out = cg_xcalloc(n, sizeof *p->out);
    for (size_t i = 0; i < n; i++) {
        char *base = base_name(keys[i].f);
        keys[i].f->name = unique_name(p, base);
        free(base);
        if (keys[i].f->reached && keys[i].f->info) p->out[p->nout++] = keys[i].f;
        free(keys[i].doc);
        free(keys[i].ptr);
    }
    free(keys);
}

/* Tables are named after their owners, once those are named. */
static void name_tables(cg_plan *p)
{
    for (size_t i = 0; i < p->ntables; i++) {
        cg_table *t = &p->tables[i];
        char *nl = strchr(t->name, '\n');
        *nl = 0;
        char *base = cg_fmt("%s%s_%s", t->name, t->owner->name + 4, nl + 1);
        free(t->name);
        t->name = unique_name(p, base);
        free(base);
    }
}

/* ---- the whole plan ---- */

bool cg_plan_build(cg *g)
{
    cg_plan *p = g->plan = cg_xcalloc(1, sizeof *g->plan);
    for (size_t i = 0; i < g->nentries; i++)
        g->entries[i].fn = fn_for(g, g->entries[i].node, false);
    drain(g);
    size_t nreached = p->nfns;
    for (size_t i = 0; i < nreached; i++)
        p->fns[i]->reached = true;
    if (g->opt.check_all) {
        p->lenient_refs = g->refs_lenient = true;
        for (size_t i = 0; i < g->ninfos && !cg_too_many_errors(g); i++)
            if (g->infos[i]->doc && g->infos[i]->doc->input &&
                !(g->infos[i]->doc->container && g->infos[i]->node == g->infos[i]->doc->root)) {
                fn_for(g, g->infos[i]->node, false);
                drain(g);
            }
        g->refs_lenient = false;
    }
    /* main() refuses these; checked again so no caller can paste them into C unescaped */
    if (!g->opt.prefix || !cg_is_ident(g->opt.prefix))
        cg_error_doc(g, "--prefix", "not a C identifier");
    if (g->nerrors) return false;
    name_functions(g);
    cg_memo_plan(p);
    cg_plan_tables(g);
    name_tables(p);
    return true;
}

void cg_plan_free(cg_plan *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nfns; i++) {
        cg_fn *f = p->fns[i];
        free(f->name);
        free(f->loc);
        free(f->callees);
        free(f->enum_lit);
        free(f->dc_ids);
        free(f->dc_fns);
        free(f->all.fns);
        free(f->any.fns);
        free(f->one.fns);
        for (int u = 0; u < 2; u++) {
            free(u ? f->one.disc_values : f->any.disc_values);
            free(u ? f->one.disc_branch : f->any.disc_branch);
        }
        if (f->obj) {
            for (size_t k = 0; k < f->obj->ndeps; k++)
                free(f->obj->deps[k].req_seen);
            free(f->obj->deps);
            free(f->obj->slots);
            cg_map_free(&f->obj->index);
            free(f->obj->pat_fn);
            free(f->obj->pat_re);
            free(f->obj);
        }
        if (f->arr) free(f->arr->prefix_fn);
        free(f->arr);
        free(f);
    }
    free(p->fns);
    free(p->out);
    for (size_t i = 0; i < p->nlits; i++) {
        free(p->lits[i].name);
        free(p->lits[i].json);
    }
    free(p->lits);
    for (size_t i = 0; i < p->nres; i++) {
        free(p->res[i].name);
        free(p->res[i].text);
    }
    free(p->res);
    for (size_t i = 0; i < p->ntables; i++) {
        free(p->tables[i].name);
        free(p->tables[i].rows);
        free(p->tables[i].fns);
    }
    free(p->tables);
    cg_map_free(&p->fn_index);
    cg_map_free(&p->names);
    cg_map_free(&p->kw_checked);
    cg_map_free(&p->lit_index);
    cg_map_free(&p->re_index);
    cg_map_free(&p->dyn_ids);
    free(p);
}
