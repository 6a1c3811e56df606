/* cg_plan_disc.c - an OpenAPI discriminator beside an anyOf/oneOf, read for the reasons of a
 * failed union: the branch a message's discriminator value names is the one whose errors it
 * gets (mg_fail_union), whatever the other branches made of it.
 *
 * Design: {"oneOf": [{"$ref": "#/components/schemas/Cat"}, ...], "discriminator":
 * {"propertyName": "petType", "mapping": {"cat": "Cat", "dog": "#/components/schemas/Dog"}}}:
 * each mapping entry names a schema by its components.schemas name or by a reference, and a
 * branch that is a reference to a schema no entry names is named by the last segment of its
 * reference (OpenAPI's implicit mapping). Only branches that are references can be named;
 * mapping entries that name no branch are left out. The verdict never depends on it: the
 * union's branches decide, and the discriminator only chooses whose errors explain a reject.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_openapi.h"
#include "cg_plan.h"

/* Whether a mapping target (a schema name or a reference) names the branch reference ref. */
static bool names(const char *target, const char *ref)
{
    static const char comps[] = "#/components/schemas/";
    if (cg_oas_mapping_is_ref(target)) return strcmp(target, ref) == 0;
    return strncmp(ref, comps, sizeof comps - 1) == 0 &&
           strcmp(ref + sizeof comps - 1, target) == 0;
}

static void add(cg_papp *a, const char *value, uint32_t branch)
{
    a->disc_values = cg_xgrow(a->disc_values, a->ndisc, sizeof *a->disc_values);
    a->disc_branch = cg_xgrow(a->disc_branch, a->ndisc, sizeof *a->disc_branch);
    a->disc_values[a->ndisc] = value;
    a->disc_branch[a->ndisc++] = branch;
}

void cg_plan_union_disc(const cj_node *node, cg_papp *a)
{
    const cj_node *dc = node && node->type == CJ_OBJECT ? cj_get(node, "discriminator") : NULL;
    const cj_node *pn = dc && dc->type == CJ_OBJECT ? cj_get(dc, "propertyName") : NULL;
    if (!pn || pn->type != CJ_STRING || strlen(pn->str) != pn->len) return;
    const cj_node *map = cj_get(dc, "mapping");
    for (size_t b = 0; b < a->n; b++) {
        const cj_node *ref =
            a->at->items[b]->type == CJ_OBJECT ? cj_get(a->at->items[b], "$ref") : NULL;
        if (!ref || ref->type != CJ_STRING) continue;
        bool mapped = false;
        for (size_t i = 0; map && map->type == CJ_OBJECT && i < map->n; i++) {
            const cj_node *t = map->items[i];
            if (t->type != CJ_STRING || !names(t->str, ref->str)) continue;
            if (strlen(map->keys[i]) == map->key_lens[i]) add(a, map->keys[i], (uint32_t)b);
            mapped = true;
        }
        const char *last = strrchr(ref->str, '/');
        if (!mapped && last && last[1]) add(a, last + 1, (uint32_t)b);
    }
    if (a->ndisc) a->disc = pn->str;
}
