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
    int seen; /* index in seen[], -1 if presence is not needed */
} name_slot;

static int find_slot(name_slot *s, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].len == len && memcmp(s[i].name, name, len) == 0) return (int)i;
    return -1;
}

static int add_slot(name_slot **s, size_t *n, const char *name, size_t len)
{
    int i = find_slot(*s, *n, name, len);
    if (i >= 0) return i;
    *s = realloc(*s, (*n + 1) * sizeof **s);
    (*s)[*n] = (name_slot){name, len, -1, NULL, -1};
    return (int)(*n)++;
}

/* *s, not s: callers pass add_slot(&slots, ...) as i, which may move the array, and C leaves
 * open whether that argument or the array pointer is evaluated first. */
static int need_seen(name_slot **s, int i, int *nseen)
{
    if ((*s)[i].seen < 0) (*s)[i].seen = (*nseen)++;
    return (*s)[i].seen;
}

static void put_mark(const cg_fnctx *x)
{
    if (x->track)
        fputs("                if (sev)\n                    mg_bit_set(sev, np);\n", x->o);
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
    name_slot *slots = NULL;
    size_t nslots = 0;
    int nseen = 0;
    if (props && props->type != CJ_OBJECT) {
        cg_error(x->g, props, "must be an object of schemas");
        props = NULL;
    }
    for (size_t i = 0; props && i < props->n; i++) {
        int s = add_slot(&slots, &nslots, props->keys[i], props->key_lens[i]);
        slots[s].prop_fn = cg_sub(x, props->items[i], false);
        slots[s].prop = props->items[i];
    }
    if (req && string_array(x, req))
        for (size_t i = 0; i < req->n; i++)
            need_seen(&slots, add_slot(&slots, &nslots, req->items[i]->str, req->items[i]->len),
                      &nseen);
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
            need_seen(&slots, add_slot(&slots, &nslots, dm->keys[i], dm->key_lens[i]), &nseen);
            const cj_node *v = dm->items[i];
            bool as_req = m == 0 || (m == 2 && v->type == CJ_ARRAY);
            if (as_req && string_array(x, v))
                for (size_t j = 0; j < v->n; j++)
                    need_seen(&slots, add_slot(&slots, &nslots, v->items[j]->str, v->items[j]->len),
                              &nseen);
        }
    }
    int npats = pats && pats->type == CJ_OBJECT ? (int)pats->n : 0;
    if (pats && pats->type != CJ_OBJECT) cg_error(x->g, pats, "must be an object of schemas");
    int pat_re[npats > 0 ? npats : 1], pat_fn[npats > 0 ? npats : 1];
    bool pat_lim[npats > 0 ? npats : 1];
    for (int i = 0; i < npats; i++) {
        pat_re[i] = cg_regex(x->g, pats->items[i], pats->keys[i], pats->key_lens[i], &pat_lim[i]);
        pat_fn[i] = cg_sub(x, pats->items[i], false);
    }
    int addl_fn = addl && addl->type != CJ_FALSE ? cg_sub(x, addl, false) : -1;
    int pn_fn = pnames ? cg_sub(x, pnames, false) : -1;
    bool loop = nslots || npats || addl || pnames;

    fputs("    if (t == MG_TAPE_OBJECT) {\n", o);
    if (nseen) fprintf(o, "        bool seen[%d] = {false};\n", nseen);
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
        if (nslots) {
            /* group by length for a switch */
            fputs("            switch (kl) {\n", o);
            bool *done = calloc(nslots, sizeof *done);
            for (size_t i = 0; i < nslots; i++) {
                if (done[i]) continue;
                fprintf(o, "            case %zu:\n", slots[i].len);
                for (size_t j = i; j < nslots; j++) {
                    if (done[j] || slots[j].len != slots[i].len) continue;
                    done[j] = true;
                    fputs("                if (memcmp(ks, ", o);
                    cg_put_cstr(o, slots[j].name, slots[j].len);
                    fprintf(o, ", %zu) == 0) {\n", slots[j].len);
                    if (slots[j].seen >= 0)
                        fprintf(o, "                    seen[%d] = true;\n", slots[j].seen);
                    if (slots[j].prop_fn >= 0) {
                        if (addl) fputs("                    m = true;\n", o);
                        if (x->track)
                            fputs("                    if (sev)\n"
                                  "                        mg_bit_set(sev, np);\n",
                                  o);
                        cg_comment(x, slots[j].prop, "                    ");
                        fprintf(o, "                    MG_SUB(mgv_%d(c, k + 1, NULL));\n",
                                slots[j].prop_fn);
                    }
                    fputs("                }\n", o);
                }
                fputs("                break;\n", o);
            }
            free(done);
            fputs("            default:\n                break;\n            }\n", o);
        }
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
            put_mark(x);
            fprintf(o, "                MG_SUB(mgv_%d(c, k + 1, NULL));\n            }\n",
                    pat_fn[i]);
        }
        if (addl && (addl_fn >= 0 || addl->type == CJ_FALSE)) {
            cg_comment(x, addl, "            ");
            fputs("            if (!m) {\n", o);
            put_mark(x);
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
    for (size_t i = 0; req && i < req->n; i++) {
        int s = find_slot(slots, nslots, req->items[i]->str, req->items[i]->len);
        cg_comment(x, req->items[i], "        ");
        fprintf(o, "        if (!seen[%d])\n            MG_FAIL(at, MG_E_REQUIRED, ",
                slots[s].seen);
        cg_put_loc(x, req);
        fputs(", ", o);
        cg_put_cstr(o, req->items[i]->str, req->items[i]->len);
        fputs(");\n", o);
    }
    for (int m = 0; m < 3; m++) {
        const cj_node *dm = dep_maps[m];
        for (size_t i = 0; dm && i < dm->n; i++) {
            int ks = slots[find_slot(slots, nslots, dm->keys[i], dm->key_lens[i])].seen;
            const cj_node *v = dm->items[i];
            cg_comment(x, v, "        ");
            if (v->type == CJ_ARRAY) {
                if (m == 1) continue;
                for (size_t j = 0; j < v->n; j++) {
                    if (v->items[j]->type != CJ_STRING) continue;
                    int rs =
                        slots[find_slot(slots, nslots, v->items[j]->str, v->items[j]->len)].seen;
                    char arg[512];
                    snprintf(arg, sizeof arg, "%s requires %s", dm->keys[i], v->items[j]->str);
                    fprintf(o,
                            "        if (seen[%d] && !seen[%d])\n"
                            "            MG_FAIL(at, MG_E_DEPENDENT_REQUIRED, ",
                            ks, rs);
                    cg_put_loc(x, v);
                    fputs(", ", o);
                    cg_put_cstr(o, arg, strlen(arg));
                    fputs(");\n", o);
                }
            } else if (m != 0) {
                int fn = cg_sub(x, v, x->track);
                if (fn >= 0)
                    fprintf(o, "        if (seen[%d])\n            MG_SUB(mgv_%d(c, at, %s));\n",
                            ks, fn, cg_ev_arg(x));
            }
        }
    }
    if (minp) cg_limit(x, minp, "mg_count(d, at)", "<", "MG_E_MIN_PROPERTIES");
    if (maxp) cg_limit(x, maxp, "mg_count(d, at)", ">", "MG_E_MAX_PROPERTIES");
    fputs("    }\n", o);
    free(slots);
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
    if (mini) cg_limit(x, mini, "mg_count(d, at)", "<", "MG_E_MIN_ITEMS");
    if (maxi) cg_limit(x, maxi, "mg_count(d, at)", ">", "MG_E_MAX_ITEMS");
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
