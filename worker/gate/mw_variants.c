/* mw_variants.c - the message of a route whose channel carries several (issue 17 item 9): the
 * discriminator that tells them apart, the variant its value selects, and the configuration's
 * rules for both.
 *
 * Design: a route with routes[i].discriminator and routes[i].variants is gated message by
 * message (mw_decide.c): the discriminator's value - a header's, or a top-level string
 * property's of the parsed message - selects one variant, whose schema judges the message and
 * whose CloudEvents type its envelope gets; a value no variant has is a reject naming the
 * discriminator and the values there are. Variants are few (the messages of one channel), so
 * the lookup is a scan of their values, on strings already in memory: nothing is allocated.
 * Each variant's schema is found in the set once, when the route is bound to it
 * (mw_variants_bind), never per message.
 */
#include "mw_variants.h"

#include <stdio.h>
#include <string.h>

#include "mg_escape.h"
#include "mg_json.h"

mw_disc_kind mw_disc_of(const mw_route *r, const char **name)
{
    const char *d = r->discriminator ? r->discriminator : "";
    if (strncmp(d, "property:", 9) == 0) {
        *name = d + 9;
        return MW_DISC_PROPERTY;
    }
    if (strncmp(d, "header:", 7) == 0) {
        *name = d + 7;
        return MW_DISC_HEADER;
    }
    *name = "";
    return MW_DISC_NONE;
}

const mw_variant *mw_variant_of(const mw_route *r, const char *v, size_t n)
{
    for (size_t j = 0; j < r->n_variants; j++)
        for (size_t k = 0; k < r->variants[j].n_values; k++) {
            const char *x = r->variants[j].values[k];
            if (strlen(x) == n && memcmp(x, v, n) == 0) return &r->variants[j];
        }
    return NULL;
}

bool mw_disc_value(const mw_route *r, const mw_in *in, const struct mg_doc *doc, const char **v,
                   size_t *n)
{
    const char *name;
    mw_disc_kind k = mw_disc_of(r, &name);
    if (k == MW_DISC_HEADER) {
        const void *hv;
        if (!in->headers || rd_kafka_header_get_last(in->headers, name, &hv, n) != 0 || !hv)
            return false;
        *v = hv;
        return true;
    }
    if (k != MW_DISC_PROPERTY || !doc || mg_type(doc, MG_DOC_ROOT) != MG_TAPE_OBJECT) return false;
    size_t nl = strlen(name);
    MG_OBJECT_FOR(doc, MG_DOC_ROOT, key)
    {
        if (!mg_str_eq(doc, key, name, (uint32_t)nl)) continue;
        if (mg_type(doc, key + 1) != MG_TAPE_STRING) return false;
        uint32_t len;
        *v = mg_str(doc, key + 1, &len);
        *n = len;
        return true;
    }
    return false;
}

void mw_disc_reject_text(const mw_route *r, const char *v, size_t n, bool found, char *buf,
                         size_t cap)
{
    const char *name;
    mw_disc_kind k = mw_disc_of(r, &name);
    char value[160], want[512];
    size_t len = 0;
    want[0] = 0;
    for (size_t j = 0; j < r->n_variants && len + 1 < sizeof want; j++)
        for (size_t i = 0; i < r->variants[j].n_values && len + 1 < sizeof want; i++) {
            int w = snprintf(want + len, sizeof want - len, "%s\"%s\"", len ? ", " : "",
                             r->variants[j].values[i]);
            if (w < 0) break;
            len += (size_t)w;
        }
    if (len >= sizeof want) memcpy(want + sizeof want - 4, "...", 4);
    const char *what = k == MW_DISC_HEADER ? "header" : "property";
    if (!found) {
        snprintf(buf, cap,
                 "%s %s, the discriminator that tells this channel's messages apart, is missing "
                 "(or not a string); expected one of %s",
                 what, name, want);
        return;
    }
    mg_escape(value, sizeof value, v, n > 64 ? 64 : n, MG_ESC_QUOTE); /* cut: a hostile value */
    snprintf(buf, cap, "%s %s \"%s%s\" names no message of this channel; expected one of %s", what,
             name, value, n > 64 ? "..." : "", want);
}

void mw_config_variants_check(const mw_config *c, mw_variants_problem_fn fn, void *arg)
{
    char text[600];
    for (size_t r = 0; r < c->n_routes; r++) {
        const mw_route *rt = &c->routes[r];
        const char *name;
        mw_disc_kind k = mw_disc_of(rt, &name);
        if (rt->discriminator && *rt->discriminator && (k == MW_DISC_NONE || !*name))
            fn(arg, r, -1, "discriminator",
               "expected property:NAME (a top-level string property of the message) or "
               "header:NAME (a Kafka header)");
        else if (k == MW_DISC_PROPERTY && strpbrk(name, "/~"))
            fn(arg, r, -1, "discriminator",
               "a property name without '/' or '~' (a top-level property of the message)");
        else if (k != MW_DISC_NONE && rt->n_variants == 0)
            fn(arg, r, -1, "discriminator", "has no variants: list the messages it selects");
        if (k == MW_DISC_NONE && rt->n_variants)
            fn(arg, r, -1, "variants", "need a discriminator (property:NAME or header:NAME)");
        if (rt->n_variants && rt->schema_id != MW_WIRE_NONE)
            fn(arg, r, -1, "variants",
               "cannot go with schema_id: a registry schema id already names the schema");
        for (size_t j = 0; j < rt->n_variants; j++) {
            const mw_variant *v = &rt->variants[j];
            if (!v->schema) fn(arg, r, (long)j, "", "missing schema; every variant needs one");
            if (!v->type)
                fn(arg, r, (long)j, "", "missing type; every variant needs its CloudEvents type");
            if (!v->n_values)
                fn(arg, r, (long)j, "",
                   "missing values; every variant needs the values that select it");
            for (size_t i = 0; i < v->n_values; i++) {
                const mw_variant *o = mw_variant_of(rt, v->values[i], strlen(v->values[i]));
                if (o == v) continue;
                snprintf(text, sizeof text,
                         "value \"%s\" also selects variants[%zu]; each value "
                         "selects one message",
                         v->values[i], (size_t)(o - rt->variants));
                fn(arg, r, (long)j, "values", text);
            }
        }
    }
}

bool mw_variants_bind(mw_config *c, const mg_schema_set *set, char *why, size_t cap)
{
    for (size_t r = 0; r < c->n_routes; r++)
        for (size_t j = 0; j < c->routes[r].n_variants; j++) {
            mw_variant *v = &c->routes[r].variants[j];
            const mg_schema *s = mg_schema_find(set, v->schema);
            if (!s) {
                snprintf(why, cap, "routes[%zu].variants[%zu].schema: %s is not in the schema set",
                         r, j, v->schema);
                return false;
            }
            /* binding again (the ingest's and the pool's setup share a configuration) writes
             * nothing: threads already started may be reading it */
            if (v->s != s) v->s = s;
        }
    return true;
}
