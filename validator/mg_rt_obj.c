/* mg_rt_obj.c - an object schema checked from its table (mg_obj, mg_rt.h), for big sets.
 *
 * Design: codegen renders most object schemas as a C function whose member loop switches on
 * the names it knows; for a big set (codegen --object-tables) a function whose schema is only
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

bool mg_obj_check(mg_ctx *c, uint32_t at, const mg_obj *o, uint64_t *ev)
{
    const mg_doc *d = &c->doc;
    if (o->loc && !mg_step(c, at, o->loc)) return false;
    if (mg_type(d, at) != MG_TAPE_OBJECT) {
        if (!o->type_loc) return true;
        mg_fail(c, at, MG_E_TYPE, o->type_loc, "object");
        return false;
    }
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
