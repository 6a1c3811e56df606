/* mg_rt_obj.c - object and array schemas checked from their tables (mg_obj, mg_arr,
 * mg_rt.h), for big sets.
 *
 * Design: codegen renders most object schemas as a C function whose member loop switches on
 * the names it knows; for a big set (codegen --tables) a function whose schema is only
 * an object's properties, required, additionalProperties and counts is instead one line that
 * hands its table here, so the C compiler sees data rather than one more function to optimize
 * (issue 16 item 11). This routine does what the generated function would, in the same order
 * and with the same errors: the step, the type, one pass over the members (the name's row in
 * the sorted table sets its seen bit and calls properties[name]; a member no property named
 * goes to additionalProperties), then the required names in the table's order, then the
 * counts. A function that reports its evaluated members hands its bitset along. The seen set
 * lives on the stack (at most MG_OBJ_SEEN_MAX names; codegen renders
 * objects that require more as code). No allocation, no I/O.
 */
#include "mg_rt.h"

/* The step (loc, NULL: none) and the type: 1 when the value is of that type, to be checked;
 * 0 when it is of another and no type is required (valid); -1 when it failed. */
static int enter(mg_ctx *c, uint32_t at, const char *loc, uint8_t type, const char *type_loc,
                 const char *type_name)
{
    if (loc && !mg_step(c, at, loc)) return -1;
    if (mg_type(&c->doc, at) == type) return 1;
    if (!type_loc) return 0;
    mg_fail(c, at, MG_E_TYPE, type_loc, type_name);
    return -1;
}

bool mg_obj_check(mg_ctx *c, uint32_t at, const mg_obj *o, uint64_t *ev)
{
    const mg_doc *d = &c->doc;
    int go = enter(c, at, o->loc, MG_TAPE_OBJECT, o->type_loc, "object");
    if (go <= 0) return go == 0;
    bool ok = true;
    uint64_t seen[MG_OBJ_SEEN_MAX / 64] = {0};
    uint32_t np = 0; /* members so far */
    MG_OBJECT_FOR(d, at, k)
    {
        uint32_t ordinal = np++, kl;
        const char *ks = mg_str(d, k, &kl);
        int32_t ix = mg_name_find(o->names, o->nnames, ks, kl);
        const mg_name_row *r = ix >= 0 ? &o->names[ix] : NULL;
        if (r && r->seen >= 0) mg_bit_set(seen, (uint32_t)r->seen);
        if (!(r && r->fn)) r = o->addl_loc ? &o->addl : NULL; /* additionalProperties */
        if (!r) continue;
        if (ev) mg_bit_set(ev, ordinal);
        if (r->fn) {
            c->locs = r->locs;
            if (r->fn(c, k + 1, NULL)) continue;
            ok = false;
            if (!mg_more(c)) return false;
        } else {
            ok = false;
            if (!mg_fail(c, k, MG_E_ADDITIONAL, o->addl_loc, "")) return false;
        }
    }
    for (uint32_t i = 0; i < o->nreq; i++)
        if (!mg_bit_get(seen, (uint32_t)o->req[i].seen)) {
            ok = false;
            if (!mg_fail(c, at, MG_E_REQUIRED, o->req_loc, o->req[i].s)) return false;
        }
    uint64_t n = o->minp_loc || o->maxp_loc ? mg_count(d, at) : 0;
    if (o->minp_loc && n < o->minp) {
        ok = false;
        if (!mg_fail(c, at, MG_E_MIN_PROPERTIES, o->minp_loc, o->minp_arg)) return false;
    }
    if (o->maxp_loc && n > o->maxp) {
        ok = false;
        if (!mg_fail(c, at, MG_E_MAX_PROPERTIES, o->maxp_loc, o->maxp_arg)) return false;
    }
    return ok;
}

bool mg_arr_check(mg_ctx *c, uint32_t at, const mg_arr *a)
{
    const mg_doc *d = &c->doc;
    int go = enter(c, at, a->loc, MG_TAPE_ARRAY, a->type_loc, "array");
    if (go <= 0) return go == 0;
    bool ok = true;
    uint64_t n = a->mini_loc || a->maxi_loc ? mg_count(d, at) : 0;
    if (a->mini_loc && n < a->mini) {
        ok = false;
        if (!mg_fail(c, at, MG_E_MIN_ITEMS, a->mini_loc, a->mini_arg)) return false;
    }
    if (a->maxi_loc && n > a->maxi) {
        ok = false;
        if (!mg_fail(c, at, MG_E_MAX_ITEMS, a->maxi_loc, a->maxi_arg)) return false;
    }
    if (a->uniq_loc && !mg_unique_items(c, at)) {
        ok = false;
        if (!mg_fail(c, at, MG_E_UNIQUE_ITEMS, a->uniq_loc, "")) return false;
    }
    if (!a->items.fn) return ok;
    MG_ARRAY_FOR(d, at, i)
    {
        c->locs = a->items.locs;
        if (a->items.fn(c, i, NULL)) continue;
        ok = false;
        if (!mg_more(c)) return false;
    }
    return ok;
}
