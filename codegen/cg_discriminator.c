/* cg_discriminator.c - what tells the messages of a channel that carries several apart (issue
 * 17 item 9), so that the gate judges each message by its own schema and gives it its own
 * CloudEvents type.
 *
 * Design: a discriminator is a name and, for each message, a set of string values, the sets
 * pairwise disjoint. It is a property when every message's payload (an object schema, local
 * "#/..." references followed) lists the name in `required` and constrains `properties.<name>`
 * to a string `const` or an `enum` of strings; else a header when every message's `headers`
 * schema constrains `properties.<name>` the same way (a header need not be required there:
 * the worker rejects a message without it, naming it). Names are tried in the order of the
 * first message's properties, properties before headers; the first that works wins. Last, a
 * channel (or the whole contract) may say that producers carry the message's identity in a
 * header, `x-message-header: NAME`: the values are then each message's `name` and `messageId`
 * (AsyncAPI's identifiers of a message), which must not collide either. Schemas
 * that say it some other way (allOf, if/then, a pattern, a non-string value) are not looked
 * into: the channel keeps its union, whose rejects report the closest message's errors.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_contract.h"
#include "cg_json.h"
#include "cg_uri.h"

/* n with local references followed, when it is then an object schema; else NULL. */
static const cj_node *follow(const cg_contract *c, const cj_node *n)
{
    for (int i = 0; n && n->type == CJ_OBJECT && cj_get(n, "$ref") && i < 16; i++) {
        const cj_node *ref = cj_get(n, "$ref");
        if (ref->type != CJ_STRING || ref->str[0] != '#') return NULL;
        size_t len;
        char *ptr = cg_uri_pct_decode(ref->str + 1, &len);
        n = ptr ? cj_pointer_get((cj_node *)c->root, ptr, len) : NULL;
        free(ptr);
    }
    return n && n->type == CJ_OBJECT && !cj_get(n, "$ref") ? n : NULL;
}

/* A message's headers schema (3.0's multi-format {schemaFormat, schema} unwrapped). */
static const cj_node *headers_of(const cg_contract *c, const cg_cmsg *m)
{
    const cj_node *h = follow(c, cj_get(m->msg, "headers"));
    if (h && cj_get(h, "schemaFormat") && cj_get(h, "schema")) h = follow(c, cj_get(h, "schema"));
    return h;
}

static bool in_required(const cj_node *sch, const char *name)
{
    const cj_node *req = cj_get(sch, "required");
    for (size_t i = 0; req && req->type == CJ_ARRAY && i < req->n; i++)
        if (req->items[i]->type == CJ_STRING && strcmp(req->items[i]->str, name) == 0) return true;
    return false;
}

static void free_values(cg_cmsg *m)
{
    for (size_t i = 0; i < m->ndisc; i++)
        free(m->disc_values[i]);
    free(m->disc_values);
    m->disc_values = NULL;
    m->ndisc = 0;
}

/* The strings property name of schema sch is constrained to (its const, else its enum), into
 * m->disc_values; false (and none) when it is constrained otherwise. */
static bool values_of(const cg_contract *c, const cj_node *sch, const char *name, bool required,
                      cg_cmsg *m)
{
    if (!sch || (required && !in_required(sch, name))) return false;
    const cj_node *props = cj_get(sch, "properties");
    const cj_node *p = props && props->type == CJ_OBJECT ? follow(c, cj_get(props, name)) : NULL;
    const cj_node *k = p ? cj_get(p, "const") : NULL, *e = p ? cj_get(p, "enum") : NULL;
    cj_node *const *items = k ? (cj_node *const *)&k : e && e->type == CJ_ARRAY ? e->items : NULL;
    size_t n = k ? 1 : items ? e->n : 0;
    if (n == 0) return false;
    m->disc_values = calloc(n, sizeof *m->disc_values);
    for (size_t i = 0; i < n; i++) {
        const cj_node *v = items[i];
        if (v->type != CJ_STRING || strlen(v->str) != v->len || !m->disc_values) {
            free_values(m);
            return false;
        }
        m->disc_values[m->ndisc++] = strdup(v->str);
    }
    return true;
}

static bool overlap(const cg_cmsg *a, const cg_cmsg *b)
{
    for (size_t i = 0; i < a->ndisc; i++)
        for (size_t j = 0; j < b->ndisc; j++)
            if (strcmp(a->disc_values[i], b->disc_values[j]) == 0) return true;
    return false;
}

/* Whether name discriminates ch's messages (values kept) or not (none kept). */
static bool try_name(const cg_contract *c, cg_cchan *ch, const char *name, bool header)
{
    bool ok = header || !strpbrk(name, "/~"); /* the worker reads "/<name>" as it is */
    for (size_t i = 0; ok && i < ch->nmsgs; i++) {
        cg_cmsg *m = &ch->msgs[i];
        ok = values_of(c, header ? headers_of(c, m) : follow(c, m->payload), name, !header, m);
        for (size_t j = 0; ok && j < i; j++)
            ok = !overlap(&ch->msgs[j], m);
    }
    if (!ok)
        for (size_t i = 0; i < ch->nmsgs; i++)
            free_values(&ch->msgs[i]);
    return ok;
}

/* x-message-header: each message selected by its name and messageId. */
static bool by_identity(const cg_contract *c, cg_cchan *ch)
{
    const cj_node *h = cj_get(ch->node, "x-message-header");
    if (!h) h = cj_get(c->root, "x-message-header");
    if (!h || h->type != CJ_STRING || !*h->str) return false;
    bool ok = true;
    for (size_t i = 0; ok && i < ch->nmsgs; i++) {
        cg_cmsg *m = &ch->msgs[i];
        const cj_node *id = cj_get(m->msg, "messageId");
        const char *ids[2] = {m->name, id && id->type == CJ_STRING ? id->str : NULL};
        m->disc_values = calloc(2, sizeof *m->disc_values);
        for (int k = 0; m->disc_values && k < 2; k++)
            if (ids[k] && (k == 0 || strcmp(ids[0], ids[1]) != 0))
                m->disc_values[m->ndisc++] = strdup(ids[k]);
        ok = m->disc_values != NULL;
        for (size_t j = 0; ok && j < i; j++)
            ok = !overlap(&ch->msgs[j], m);
    }
    if (!ok) {
        for (size_t i = 0; i < ch->nmsgs; i++)
            free_values(&ch->msgs[i]);
        return false;
    }
    ch->disc = CG_DISC_HEADER;
    ch->disc_name = strdup(h->str);
    return true;
}

void cg_find_discriminator(const cg_contract *c, cg_cchan *ch)
{
    if (ch->nmsgs < 2) return;
    for (int header = 0; header < 2; header++) {
        const cg_cmsg *m0 = &ch->msgs[0];
        const cj_node *first = header ? headers_of(c, m0) : follow(c, m0->payload);
        const cj_node *props = first ? cj_get(first, "properties") : NULL;
        for (size_t i = 0; props && props->type == CJ_OBJECT && i < props->n; i++)
            if (try_name(c, ch, props->keys[i], header)) {
                ch->disc = header ? CG_DISC_HEADER : CG_DISC_PROPERTY;
                ch->disc_name = strdup(props->keys[i]);
                return;
            }
    }
    by_identity(c, ch);
}
