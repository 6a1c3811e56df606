/* cg_emit_obj.c - renders object and array keywords, and unevaluated*.
 *
 * Design: all object keywords share one pass over the members: each key is matched by length
 * then bytes against the names that matter (properties, required, dependencies), then against
 * patternProperties, and what matched nothing goes to additionalProperties. Names that must be
 * present are remembered in a local `seen` array, checked after the pass. Arrays likewise get
 * one pass for prefixItems/items/contains. In tracking functions every member or item a
 * keyword evaluates sets its bit in `sev`; unevaluated* then checks the members whose bit is
 * clear. Single-threaded.
 */
#include "cg_emit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct name_slot {
    const char *name;
    size_t len;
    int prop_fn; /* function for properties[name], -1 if none */
    const cj_node *prop;
    int seen;               /* index in seen[], -1 if presence is not needed */
    const cj_node *mention; /* where the name is first mentioned (for comments) */
} name_slot;

/* The names an object's keywords mention, in first-mention order, indexed by name. */
typedef struct name_slots {
    name_slot *v;
    size_t n, cap;
    cg_map index; /* name bytes -> slot + 1 */
} name_slots;

static int find_slot(const name_slots *s, const char *name, size_t len)
{
    return (int)(intptr_t)cg_map_getn(&s->index, name, len) - 1;
}

static int add_slot(name_slots *s, const char *name, size_t len, const cj_node *at)
{
    int i = find_slot(s, name, len);
    if (i >= 0) return i;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n] = (name_slot){name, len, -1, NULL, -1, at};
    cg_map_putn(&s->index, name, len, (void *)(intptr_t)(s->n + 1));
    return (int)s->n++;
}

/* Adds the name if new and gives it a place in seen[] if it has none. */
static void need_seen(name_slots *s, const char *name, size_t len, const cj_node *at, int *nseen)
{
    int i = add_slot(s, name, len, at); /* may move s->v: index it only after */
    if (s->v[i].seen < 0) s->v[i].seen = (*nseen)++;
}

static void put_mark(const cg_fnctx *x, const char *indent)
{
    if (x->track) fprintf(x->o, "%sif (sev)\n%s    mg_bit_set(sev, np);\n", indent, indent);
}

/* seen[i] in either form of the seen set. */
static void put_seen(FILE *o, bool bits, int i)
{
    fprintf(o, bits ? "mg_bit_get(seen, %d)" : "seen[%d]", i);
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
static void render_names_switch(cg_fnctx *x, const name_slot *slots, size_t n, bool addl)
{
    FILE *o = x->o;
    len_order *ord = malloc(n * sizeof *ord);
    for (size_t i = 0; i < n; i++)
        ord[i] = (len_order){slots[i].len, i, 0};
    qsort(ord, n, sizeof *ord, cmp_len_idx);
    for (size_t i = 0; i < n; i++)
        ord[i].group = i && ord[i - 1].len == ord[i].len ? ord[i - 1].group : ord[i].idx;
    qsort(ord, n, sizeof *ord, cmp_group_idx);
    fputs("            switch (kl) {\n", o);
    for (size_t r = 0; r < n; r++) {
        const name_slot *sl = &slots[ord[r].idx];
        if (r == 0 || ord[r - 1].group != ord[r].group) {
            if (r) fputs("                break;\n", o);
            fprintf(o, "            case %zu:\n", sl->len);
        }
        fputs("                if (memcmp(ks, ", o);
        cg_put_cstr(o, sl->name, sl->len);
        fprintf(o, ", %zu) == 0) {\n", sl->len);
        if (sl->seen >= 0) fprintf(o, "                    seen[%d] = true;\n", sl->seen);
        if (sl->prop_fn >= 0) {
            if (addl) fputs("                    m = true;\n", o);
            put_mark(x, "                    ");
            cg_comment(x, sl->prop, "                    ");
            fprintf(o, "                    MG_SUB(mgv_%d(c, k + 1, NULL));\n", sl->prop_fn);
        }
        fputs("                }\n", o);
    }
    if (n) fputs("                break;\n", o);
    fputs("            default:\n                break;\n            }\n", o);
    free(ord);
}

/* Many names: one sorted table (cg_row_table) searched by binary search; a row carries the
 * name's place in the seen bitset and the function of properties[name]. */
static void render_names_table(cg_fnctx *x, const name_slot *slots, size_t n, bool addl,
                               bool any_seen)
{
    FILE *o = x->o;
    cg_row *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = (cg_row){slots[i].name, slots[i].len, slots[i].seen, slots[i].prop_fn,
                           slots[i].mention};
    size_t count;
    int t = cg_row_table(x->g, rows, n, &count);
    free(rows);
    fprintf(o,
            "            int32_t ix = mgh_find(mgt_%d, %zu, ks, kl);\n            if (ix >= 0) {\n",
            t, count);
    if (any_seen)
        fprintf(o,
                "                if (mgt_%d[ix].seen >= 0)\n"
                "                    mg_bit_set(seen, (uint32_t)mgt_%d[ix].seen);\n",
                t, t);
    fprintf(o, "                if (mgt_%d[ix].fn) {\n", t);
    if (addl) fputs("                    m = true;\n", o);
    put_mark(x, "                    ");
    fprintf(o,
            "                    MG_SUB(mgt_%d[ix].fn(c, k + 1, NULL));\n"
            "                }\n            }\n",
            t);
}

/* Many required names: a table of them and one loop. */
static void render_required_table(cg_fnctx *x, const cj_node *req, const name_slots *ns)
{
    FILE *o = x->o;
    cg_row *rows = malloc(req->n * sizeof *rows);
    for (size_t i = 0; i < req->n; i++) {
        const cj_node *r = req->items[i];
        rows[i] = (cg_row){r->str, r->len, ns->v[find_slot(ns, r->str, r->len)].seen, -1, r};
    }
    size_t count;
    int t = cg_row_table(x->g, rows, req->n, &count);
    free(rows);
    cg_comment(x, req, "        ");
    fprintf(o,
            "        for (int32_t r = 0; r < %zu; r++)\n"
            "            if (!mg_bit_get(seen, (uint32_t)mgt_%d[r].seen))\n"
            "                MG_FAIL(at, MG_E_REQUIRED, ",
            count, t);
    cg_put_loc(x, req);
    fprintf(o, ", mgt_%d[r].s);\n", t);
}

static bool string_array(cg_fnctx *x, const cj_node *v)
{
    if (v->type != CJ_ARRAY) {
        cg_error(x->g, v, "must be an array of strings");
        return false;
    }
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i]->type != CJ_STRING) {
            cg_error(x->g, v->items[i], "must be a string");
            return false;
        }
    return true;
}

void cg_render_object(cg_fnctx *x)
{
    const cj_node *props = cg_kw(x, "properties", 4, 2020, CG_V_APPLICATOR);
    const cj_node *pats = cg_kw(x, "patternProperties", 4, 2020, CG_V_APPLICATOR);
    const cj_node *addl = cg_kw(x, "additionalProperties", 4, 2020, CG_V_APPLICATOR);
    const cj_node *pnames = cg_kw(x, "propertyNames", 6, 2020, CG_V_APPLICATOR);
    const cj_node *req = cg_kw(x, "required", 4, 2020, CG_V_VALIDATION);
    const cj_node *dreq = cg_kw(x, "dependentRequired", 2019, 2020, CG_V_VALIDATION);
    const cj_node *dsch = cg_kw(x, "dependentSchemas", 2019, 2020, CG_V_APPLICATOR);
    const cj_node *deps = cg_kw(x, "dependencies", 4, 2020, CG_V_APPLICATOR);
    const cj_node *minp = cg_kw(x, "minProperties", 4, 2020, CG_V_VALIDATION);
    const cj_node *maxp = cg_kw(x, "maxProperties", 4, 2020, CG_V_VALIDATION);
    if (!props && !pats && !addl && !pnames && !req && !dreq && !dsch && !deps && !minp && !maxp)
        return;
    FILE *o = x->o;
    name_slots ns = {0};
    int nseen = 0;
    if (props && props->type != CJ_OBJECT) {
        cg_error(x->g, props, "must be an object of schemas");
        props = NULL;
    }
    for (size_t i = 0; props && i < props->n; i++) {
        int s = add_slot(&ns, props->keys[i], props->key_lens[i], props->items[i]);
        ns.v[s].prop_fn = cg_sub(x, props->items[i], false);
        ns.v[s].prop = props->items[i];
    }
    if (req && string_array(x, req))
        for (size_t i = 0; i < req->n; i++)
            need_seen(&ns, req->items[i]->str, req->items[i]->len, req->items[i], &nseen);
    else
        req = NULL;
    /* dependencies: (key, required names or schema) from dependentRequired, dependentSchemas
     * and draft-07 dependencies */
    const cj_node *dep_maps[3] = {dreq, dsch, deps};
    for (int m = 0; m < 3; m++) {
        const cj_node *dm = dep_maps[m];
        if (!dm) continue;
        if (dm->type != CJ_OBJECT) {
            cg_error(x->g, dm, "must be an object");
            dep_maps[m] = NULL;
            continue;
        }
        for (size_t i = 0; i < dm->n; i++) {
            need_seen(&ns, dm->keys[i], dm->key_lens[i], dm->items[i], &nseen);
            const cj_node *v = dm->items[i];
            bool as_req = m == 0 || (m == 2 && v->type == CJ_ARRAY);
            if (as_req && string_array(x, v))
                for (size_t j = 0; j < v->n; j++)
                    need_seen(&ns, v->items[j]->str, v->items[j]->len, v->items[j], &nseen);
        }
    }
    int npats = pats && pats->type == CJ_OBJECT ? (int)pats->n : 0;
    if (pats && pats->type != CJ_OBJECT) cg_error(x->g, pats, "must be an object of schemas");
    int *pat_re = calloc((size_t)npats + 1, sizeof *pat_re);
    int *pat_fn = calloc((size_t)npats + 1, sizeof *pat_fn);
    bool *pat_lim = calloc((size_t)npats + 1, sizeof *pat_lim);
    for (int i = 0; i < npats; i++) {
        pat_re[i] = cg_regex(x->g, pats->items[i], pats->keys[i], pats->key_lens[i], &pat_lim[i]);
        pat_fn[i] = cg_sub(x, pats->items[i], false);
    }
    int addl_fn = addl && addl->type != CJ_FALSE ? cg_sub(x, addl, false) : -1;
    int pn_fn = pnames ? cg_sub(x, pnames, false) : -1;
    size_t nslots = ns.n;
    name_slot *slots = ns.v;
    bool loop = nslots || npats || addl || pnames;

    bool bits = nslots > CG_TABLE_MIN; /* seen[] as a bitset, names in a table */
    fputs("    if (t == MG_TAPE_OBJECT) {\n", o);
    if (nseen && bits)
        fprintf(o, "        uint64_t seen[%d] = {0};\n", (nseen + 63) / 64);
    else if (nseen)
        fprintf(o, "        bool seen[%d] = {false};\n", nseen);
    if (loop) {
        fputs("        uint32_t np = 0;\n        (void)np;\n        MG_OBJECT_FOR(d, at, k) {\n"
              "            uint32_t kl;\n            const char *ks = mg_str(d, k, &kl);\n"
              "            (void)ks;\n            (void)kl;\n",
              o);
        if (addl) fputs("            bool m = false;\n", o);
        if (pnames && pn_fn >= 0) {
            cg_comment(x, pnames, "            ");
            fprintf(o, "            MG_SUB(mgv_%d(c, k, NULL));\n", pn_fn);
        }
        if (bits)
            render_names_table(x, slots, nslots, addl != NULL, nseen > 0);
        else if (nslots)
            render_names_switch(x, slots, nslots, addl != NULL);
        if (npats) fprintf(o, "            mg_charge(c, (size_t)kl * %d);\n", npats);
        for (int i = 0; i < npats; i++) {
            if (pat_re[i] < 0 || pat_fn[i] < 0) continue;
            cg_comment(x, pats->items[i], "            ");
            if (pat_lim[i]) {
                fprintf(o,
                        "            int mr%d = mgre_%d(c, ks, kl);\n            if (mr%d < 0)\n"
                        "                MG_LIMIT(k, ",
                        i, pat_re[i], i);
                cg_put_loc(x, pats->items[i]);
                fprintf(o, ", mg_re_limit_name(mr%d));\n            if (mr%d > 0) {\n", i, i);
            } else {
                fprintf(o, "            if (mgre_%d(c, ks, kl)) {\n", pat_re[i]);
            }
            if (addl) fputs("                m = true;\n", o);
            put_mark(x, "                ");
            fprintf(o, "                MG_SUB(mgv_%d(c, k + 1, NULL));\n            }\n",
                    pat_fn[i]);
        }
        if (addl && (addl_fn >= 0 || addl->type == CJ_FALSE)) {
            cg_comment(x, addl, "            ");
            fputs("            if (!m) {\n", o);
            put_mark(x, "                ");
            if (addl->type == CJ_FALSE) {
                fputs("                MG_FAIL(k, MG_E_ADDITIONAL, ", o);
                cg_put_loc(x, addl);
                fputs(", \"\");\n", o);
            } else {
                fprintf(o, "                MG_SUB(mgv_%d(c, k + 1, NULL));\n", addl_fn);
            }
            fputs("            }\n", o);
        }
        fputs("            np++;\n        }\n", o);
    }
    if (req && bits && req->n > CG_TABLE_MIN) render_required_table(x, req, &ns);
    for (size_t i = 0; req && !(bits && req->n > CG_TABLE_MIN) && i < req->n; i++) {
        int s = find_slot(&ns, req->items[i]->str, req->items[i]->len);
        cg_comment(x, req->items[i], "        ");
        fputs("        if (!", o);
        put_seen(o, bits, slots[s].seen);
        fputs(")\n            MG_FAIL(at, MG_E_REQUIRED, ", o);
        cg_put_loc(x, req);
        fputs(", ", o);
        cg_put_cstr(o, req->items[i]->str, req->items[i]->len);
        fputs(");\n", o);
    }
    for (int m = 0; m < 3; m++) {
        const cj_node *dm = dep_maps[m];
        for (size_t i = 0; dm && i < dm->n; i++) {
            int ks = slots[find_slot(&ns, dm->keys[i], dm->key_lens[i])].seen;
            const cj_node *v = dm->items[i];
            cg_comment(x, v, "        ");
            if (v->type == CJ_ARRAY) {
                if (m == 1) continue;
                for (size_t j = 0; j < v->n; j++) {
                    if (v->items[j]->type != CJ_STRING) continue;
                    int rs = slots[find_slot(&ns, v->items[j]->str, v->items[j]->len)].seen;
                    char arg[512];
                    snprintf(arg, sizeof arg, "%s requires %s", dm->keys[i], v->items[j]->str);
                    fputs("        if (", o);
                    put_seen(o, bits, ks);
                    fputs(" && !", o);
                    put_seen(o, bits, rs);
                    fputs(")\n            MG_FAIL(at, MG_E_DEPENDENT_REQUIRED, ", o);
                    cg_put_loc(x, v);
                    fputs(", ", o);
                    cg_put_cstr(o, arg, strlen(arg));
                    fputs(");\n", o);
                }
            } else if (m != 0) {
                int fn = cg_sub(x, v, x->track);
                if (fn >= 0) {
                    fputs("        if (", o);
                    put_seen(o, bits, ks);
                    fprintf(o, ")\n            MG_SUB(mgv_%d(c, at, %s));\n", fn, cg_ev_arg(x));
                }
            }
        }
    }
    if (minp) cg_limit(x, minp, "mg_count(d, at)", UINT32_MAX, true, "MG_E_MIN_PROPERTIES");
    if (maxp) cg_limit(x, maxp, "mg_count(d, at)", UINT32_MAX, false, "MG_E_MAX_PROPERTIES");
    fputs("    }\n", o);
    free(slots);
    cg_map_free(&ns.index);
    free(pat_re);
    free(pat_fn);
    free(pat_lim);
}

void cg_render_array(cg_fnctx *x)
{
    bool d2020 = x->info->dialect >= CG_D2020;
    const cj_node *prefix = NULL, *rest = NULL;
    const cj_node *items = cg_kw(x, "items", 4, 2020, CG_V_APPLICATOR);
    if (d2020) {
        prefix = cg_kw(x, "prefixItems", 2020, 2020, CG_V_APPLICATOR);
        rest = items;
    } else if (items && items->type == CJ_ARRAY) {
        prefix = items;
        rest = cg_kw(x, "additionalItems", 4, 2019, CG_V_APPLICATOR);
    } else {
        rest = items;
    }
    const cj_node *cont = cg_kw(x, "contains", 6, 2020, CG_V_APPLICATOR);
    const cj_node *minc = cg_kw(x, "minContains", 2019, 2020, CG_V_VALIDATION);
    const cj_node *maxc = cg_kw(x, "maxContains", 2019, 2020, CG_V_VALIDATION);
    const cj_node *mini = cg_kw(x, "minItems", 4, 2020, CG_V_VALIDATION);
    const cj_node *maxi = cg_kw(x, "maxItems", 4, 2020, CG_V_VALIDATION);
    const cj_node *uniq = cg_kw(x, "uniqueItems", 4, 2020, CG_V_VALIDATION);
    if (!prefix && !rest && !cont && !mini && !maxi && !uniq) return;
    FILE *o = x->o;
    if (prefix && prefix->type != CJ_ARRAY) {
        cg_error(x->g, prefix, "must be an array of schemas");
        prefix = NULL;
    }
    fputs("    if (t == MG_TAPE_ARRAY) {\n", o);
    if (mini) cg_limit(x, mini, "mg_count(d, at)", UINT32_MAX, true, "MG_E_MIN_ITEMS");
    if (maxi) cg_limit(x, maxi, "mg_count(d, at)", UINT32_MAX, false, "MG_E_MAX_ITEMS");
    if (uniq && uniq->type == CJ_TRUE) {
        cg_comment(x, uniq, "        ");
        fputs("        if (!mg_unique_items(c, at))\n            MG_FAIL(at, MG_E_UNIQUE_ITEMS, ",
              o);
        cg_put_loc(x, uniq);
        fputs(", \"\");\n", o);
    } else if (uniq && uniq->type != CJ_FALSE) {
        cg_error(x->g, uniq, "must be a boolean");
    }
    uint64_t cmin = 1, cmax = UINT64_MAX;
    bool has_max = false;
    if (cont && minc && !cg_nonneg_int(x, minc, &cmin)) cmin = 1;
    if (cont && maxc && cg_nonneg_int(x, maxc, &cmax)) has_max = true;
    int cont_fn = cont ? cg_sub(x, cont, false) : -1;
    int rest_fn = rest ? cg_sub(x, rest, false) : -1;
    size_t np = prefix ? prefix->n : 0;
    if (np || rest || cont) {
        fputs("        uint32_t np = 0;\n        (void)np;\n", o);
        if (cont) fputs("        uint64_t ncont = 0;\n", o);
        fputs("        MG_ARRAY_FOR(d, at, i) {\n", o);
        if (np) {
            fprintf(o, "            if (np < %zu) {\n", np);
            if (x->track)
                fputs("                if (sev)\n                    mg_bit_set(sev, np);\n", o);
            fputs("                switch (np) {\n", o);
            for (size_t i = 0; i < np; i++) {
                int fn = cg_sub(x, prefix->items[i], false);
                if (fn < 0) continue;
                fprintf(o, "                case %zu:\n", i);
                cg_comment(x, prefix->items[i], "                    ");
                fprintf(
                    o,
                    "                    MG_SUB(mgv_%d(c, i, NULL));\n                    break;\n",
                    fn);
            }
            fputs("                default:\n                    break;\n                }\n"
                  "            }",
                  o);
            fputs(rest_fn >= 0 ? " else {\n" : "\n", o);
        } else if (rest_fn >= 0) {
            fputs("            {\n", o);
        }
        if (rest_fn >= 0) {
            if (x->track)
                fputs("                if (sev)\n                    mg_bit_set(sev, np);\n", o);
            cg_comment(x, rest, "                ");
            fprintf(o, "                MG_SUB(mgv_%d(c, i, NULL));\n            }\n", rest_fn);
        }
        if (cont_fn >= 0) {
            cg_comment(x, cont, "            ");
            fprintf(o,
                    "            c->quiet++;\n            bool cm = mgv_%d(c, i, NULL);\n"
                    "            c->quiet--;\n            if (cm) {\n                ncont++;\n",
                    cont_fn);
            if (x->track && d2020)
                fputs("                if (sev)\n                    mg_bit_set(sev, np);\n", o);
            fputs("            }\n", o);
        }
        fputs("            np++;\n        }\n", o);
        if (cont_fn >= 0) {
            char arg[64];
            if (cmin > 0) {
                snprintf(arg, sizeof arg, "at least %" PRIu64, cmin);
                fprintf(o,
                        "        if (ncont < UINT64_C(%" PRIu64
                        "))\n            MG_FAIL(at, MG_E_CONTAINS, ",
                        cmin);
                cg_put_loc(x, minc ? minc : cont);
                fputs(", ", o);
                cg_put_cstr(o, arg, strlen(arg));
                fputs(");\n", o);
            }
            if (has_max) {
                snprintf(arg, sizeof arg, "at most %" PRIu64, cmax);
                fprintf(o,
                        "        if (ncont > UINT64_C(%" PRIu64
                        "))\n            MG_FAIL(at, MG_E_CONTAINS, ",
                        cmax);
                cg_put_loc(x, maxc);
                fputs(", ", o);
                cg_put_cstr(o, arg, strlen(arg));
                fputs(");\n", o);
            }
        }
    }
    fputs("    }\n", o);
}

void cg_render_unevaluated(cg_fnctx *x)
{
    const cj_node *up = cg_kw(x, "unevaluatedProperties", 2019, 2020, CG_V_UNEVALUATED);
    const cj_node *ui = cg_kw(x, "unevaluatedItems", 2019, 2020, CG_V_UNEVALUATED);
    const cj_node *which[2] = {up, ui};
    for (int w = 0; w < 2; w++) {
        const cj_node *u = which[w];
        if (!u) continue;
        int fn = u->type == CJ_FALSE ? 0 : cg_sub(x, u, false);
        if (fn < 0) continue;
        cg_comment(x, u, "    ");
        if (w == 0)
            fputs("    if (t == MG_TAPE_OBJECT && sev) {\n        uint32_t np = 0;\n"
                  "        MG_OBJECT_FOR(d, at, k) {\n            if (!mg_bit_get(sev, np)) {\n",
                  x->o);
        else
            fputs("    if (t == MG_TAPE_ARRAY && sev) {\n        uint32_t np = 0;\n"
                  "        MG_ARRAY_FOR(d, at, k) {\n            if (!mg_bit_get(sev, np)) {\n",
                  x->o);
        if (u->type == CJ_FALSE) {
            fputs("                MG_FAIL(k, MG_E_UNEVALUATED, ", x->o);
            cg_put_loc(x, u);
            fputs(", \"\");\n", x->o);
        } else {
            fprintf(x->o, "                MG_SUB(mgv_%d(c, k%s, NULL));\n", fn,
                    w == 0 ? " + 1" : "");
        }
        fputs("                mg_bit_set(sev, np);\n            }\n            np++;\n        }\n "
              "   }\n",
              x->o);
    }
}
