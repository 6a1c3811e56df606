/* cg_asyncapi.c - reads AsyncAPI 2.x and 3.0 contracts into the model of cg_contract.h and
 * registers their message payloads as schema entries.
 *
 * Design: the contract's document is registered as a container (its root is not a schema), so
 * payload $refs into components.schemas or other files resolve like any reference; each payload
 * and each components.schemas value is scanned as a schema in the dialect its schemaFormat
 * names (the AsyncAPI Schema format is read as draft-07, which it extends). Channel and
 * message objects may be local references ("#/components/messages/X", "#/channels/Y").
 * Naming follows SpecMesh: the spec id without "urn:" and with ':' as '.' is the domain; an
 * owned channel (_public/, _protected/, _private/...) becomes the topic <domain>.<channel with
 * '/' as '.'>; any other channel names another domain's topic in full. For every channel the
 * domain produces to, meshgate gates a raw topic <domain>._private.<rest>.raw into the
 * channel's topic, with rejects in <domain>._private.<rest>.dlq. Every problem is reported
 * with the file and JSON Pointer and counted; loading goes on to find the others.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_contract.h"
#include "cg_uri.h"

typedef struct rd {
    cg *g;
    cg_contract *c;
    cg_doc *doc;
} rd;

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void push_str(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0) return;
    *v = realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = strdup(s);
}

bool cg_is_asyncapi(const cj_node *root)
{
    return root && root->type == CJ_OBJECT && cj_get(root, "asyncapi") != NULL;
}

/* A member that must be a string when present; NULL (and an error if it is something else). */
static const char *opt_str(rd *r, const cj_node *obj, const char *key)
{
    const cj_node *v = cj_get(obj, key);
    if (!v) return NULL;
    if (v->type != CJ_STRING) {
        cg_error(r->g, v, "must be a string%s", v->type == CJ_NUMBER ? " (quote it)" : "");
        return NULL;
    }
    return v->str;
}

static const char *req_str(rd *r, const cj_node *obj, const char *key, const char *what)
{
    if (!cj_get(obj, key)) {
        cg_error(r->g, obj, "%s: missing \"%s\"", what, key);
        return NULL;
    }
    return opt_str(r, obj, key);
}

/* Follows local "$ref"s of non-schema objects (messages, channels, bindings). */
static const cj_node *deref(rd *r, const cj_node *n)
{
    for (int depth = 0; n && n->type == CJ_OBJECT && cj_get(n, "$ref"); depth++) {
        const cj_node *ref = cj_get(n, "$ref");
        if (ref->type != CJ_STRING) {
            cg_error(r->g, ref, "$ref must be a string");
            return NULL;
        }
        if (depth == 16) {
            cg_error(r->g, ref, "reference cycle");
            return NULL;
        }
        if (ref->str[0] != '#') {
            cg_error(r->g, ref,
                     "cannot resolve %s: outside schemas only references within the contract "
                     "(#/...) are supported",
                     ref->str);
            return NULL;
        }
        size_t len;
        char *ptr = cg_uri_pct_decode(ref->str + 1, &len);
        const cj_node *t = ptr ? cj_pointer_get((cj_node *)r->c->root, ptr, len) : NULL;
        free(ptr);
        if (!t) {
            cg_error(r->g, ref, "cannot resolve %s: nothing at that JSON Pointer", ref->str);
            return NULL;
        }
        n = t;
    }
    return n;
}

static const cj_node *obj_member(rd *r, const cj_node *obj, const char *key, bool required,
                                 const char *what)
{
    const cj_node *v = cj_get(obj, key);
    if (!v) {
        if (required) cg_error(r->g, obj, "%s: missing \"%s\"", what, key);
        return NULL;
    }
    v = deref(r, v);
    if (v && v->type != CJ_OBJECT) {
        cg_error(r->g, v, "%s must be an object", key);
        return NULL;
    }
    return v;
}

/* Topic names: Kafka allows [a-zA-Z0-9._-], at most 249 characters. */
static bool topic_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 249) return false;
    for (const char *p = t; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') return false;
    return true;
}

static bool name_ok(const char *s)
{
    if (!*s) return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') return false;
    return true;
}

/* ---- the spec id, info ---- */

static char *domain_of(rd *r, const cj_node *idn)
{
    const char *id = idn->str;
    if (strncmp(id, "urn:", 4) != 0 || !id[4]) {
        cg_error(r->g, idn,
                 "\"%s\" is not a URN: topic names come from the id "
                 "(e.g. urn:london:hammersmith:olympia:bigdatalondon)",
                 id);
        return NULL;
    }
    char *d = strdup(id + 4);
    for (char *p = d; *p; p++)
        if (*p == ':') *p = '.';
    if (!topic_ok(d) || d[0] == '.' || d[strlen(d) - 1] == '.' || strstr(d, "..")) {
        cg_error(r->g, idn,
                 "\"%s\" gives the topic prefix \"%s\": use letters, digits, '_' and '-' "
                 "between the colons",
                 id, d);
        free(d);
        return NULL;
    }
    return d;
}

static bool read_header(rd *r)
{
    cg_contract *c = r->c;
    const cj_node *root = c->root;
    const char *v = opt_str(r, root, "asyncapi");
    if (!v) return false;
    c->asyncapi = strdup(v);
    int maj = 0, min = 0;
    if (sscanf(v, "%d.%d", &maj, &min) != 2 ||
        !((maj == 2 && min <= 6) || (maj == 3 && min == 0))) {
        cg_error(r->g, cj_get(root, "asyncapi"),
                 "AsyncAPI %s is not supported (2.0 to 2.6 and 3.0 are)", v);
        return false;
    }
    c->major = maj;
    const cj_node *id = cj_get(root, "id");
    if (!id) {
        cg_error(r->g, root, "missing \"id\": the domain's URN names its topics");
    } else if (id->type != CJ_STRING) {
        cg_error(r->g, id, "must be a string");
    } else {
        c->id = strdup(id->str);
        c->domain = domain_of(r, id);
    }
    const cj_node *info = obj_member(r, root, "info", true, "contract");
    if (info) {
        c->title = xstrdup(req_str(r, info, "title", "info"));
        c->version = xstrdup(req_str(r, info, "version", "info"));
        c->description = xstrdup(opt_str(r, info, "description"));
        const cj_node *contact = cj_get(info, "contact");
        const char *owner = NULL;
        if (contact && contact->type == CJ_OBJECT) {
            owner = opt_str(r, contact, "name");
            if (!owner) owner = opt_str(r, contact, "email");
        }
        if (!owner) owner = opt_str(r, info, "x-owner");
        c->owner = xstrdup(owner);
    }
    return c->domain && c->version;
}

/* ---- tags ---- */

static void read_tags(rd *r, const cj_node *holder, cg_cchan *ch, char ***tags, size_t *ntags)
{
    const cj_node *t = holder ? cj_get(holder, "tags") : NULL;
    if (!t) return;
    if (t->type != CJ_ARRAY) {
        cg_error(r->g, t, "tags must be an array");
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        const cj_node *tag = deref(r, t->items[i]);
        if (!tag) continue;
        const char *name = tag->type == CJ_OBJECT ? req_str(r, tag, "name", "tag") : NULL;
        if (!name) {
            if (tag->type != CJ_OBJECT) cg_error(r->g, tag, "a tag must be an object with a name");
            continue;
        }
        push_str(tags, ntags, name);
        if (!ch || strncmp(name, "grant-access:", 13) != 0) continue;
        const char *dom = name + 13;
        char *d = strncmp(dom, "urn:", 4) == 0 ? strdup(dom + 4) : strdup(dom);
        for (char *p = d; *p; p++)
            if (*p == ':') *p = '.';
        while (d[0] == '.')
            memmove(d, d + 1, strlen(d));
        if (!topic_ok(d))
            cg_error(r->g, cj_get(tag, "name"), "grant-access: \"%s\" is not a domain", dom);
        else if (ch->scope == CG_SCOPE_PRIVATE)
            cg_error(r->g, cj_get(tag, "name"),
                     "grant-access on a _private channel: private topics are the owner's only");
        else if (ch->scope == CG_SCOPE_PROTECTED)
            push_str(&ch->grants, &ch->ngrants, d);
        free(d);
    }
}

/* ---- messages ---- */

static bool dialect_of_format(const char *f, cg_dialect *d)
{
    if (strncmp(f, "application/vnd.aai.asyncapi", 28) == 0) {
        *d = CG_D7;
        return true;
    }
    static const struct {
        const char *v;
        cg_dialect d;
    } known[] = {{"draft-04", CG_D4},        {"draft-06", CG_D6},   {"draft-07", CG_D7},
                 {"2019-09", CG_D2019},      {"2020-12", CG_D2020}, {"draft-2019-09", CG_D2019},
                 {"draft-2020-12", CG_D2020}};
    const char *rest = NULL;
    if (strncmp(f, "application/schema+json;version=", 32) == 0) rest = f + 32;
    if (strncmp(f, "application/schema+yaml;version=", 32) == 0) rest = f + 32;
    for (size_t i = 0; rest && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(rest, known[i].v) == 0) {
            *d = known[i].d;
            return true;
        }
    return false;
}

static const char *key_in(const cj_node *n, const char *container_ptr, const cj_node *root)
{
    size_t plen = strlen(container_ptr);
    const cj_node *holder = cj_pointer_get((cj_node *)root, container_ptr, plen);
    if (!holder || n->parent != holder) return NULL;
    return cj_key(n, NULL);
}

static void add_message(rd *r, cg_cchan *ch, const cj_node *m, const char *key)
{
    cg_contract *c = r->c;
    const cj_node *msg = deref(r, m);
    if (!msg) return;
    if (msg->type != CJ_OBJECT) {
        cg_error(r->g, msg, "a message must be an object");
        return;
    }
    const char *name = opt_str(r, msg, "name");
    if (!name) name = opt_str(r, msg, "messageId");
    if (!name) name = key_in(msg, "/components/messages", c->root);
    if (!name) name = key;
    if (!name) {
        cg_error(r->g, msg, "the message has no name (set \"name\"): it names the schema");
        return;
    }
    if (!name_ok(name)) {
        cg_error(r->g, msg, "message name \"%s\": use letters, digits, '.', '_' and '-'", name);
        return;
    }
    const cj_node *payload = cj_get(msg, "payload");
    const char *format = opt_str(r, msg, "schemaFormat");
    if (payload && payload->type == CJ_OBJECT && c->major == 3 && cj_get(payload, "schemaFormat") &&
        cj_get(payload, "schema")) {
        format = opt_str(r, payload, "schemaFormat");
        payload = cj_get(payload, "schema");
    }
    if (!payload) {
        cg_error(r->g, msg, "message %s has no payload schema", name);
        return;
    }
    cg_dialect d = CG_D7;
    if (format && !dialect_of_format(format, &d)) {
        cg_error(r->g, cj_get(msg, "schemaFormat") ? cj_get(msg, "schemaFormat") : payload,
                 "schemaFormat \"%s\" is not supported (AsyncAPI Schema or JSON Schema "
                 "draft-04..2020-12 are)",
                 format);
        return;
    }
    if (payload->type != CJ_OBJECT && payload->type != CJ_TRUE && payload->type != CJ_FALSE) {
        cg_error(r->g, payload, "payload must be a schema (an object or a boolean)");
        return;
    }
    for (size_t i = 0; i < ch->nmsgs; i++)
        if (strcmp(ch->msgs[i].name, name) == 0) {
            if (ch->msgs[i].msg != msg)
                cg_error(r->g, msg, "channel %s has two messages named %s", ch->name, name);
            return;
        }
    ch->msgs = realloc(ch->msgs, (ch->nmsgs + 1) * sizeof *ch->msgs);
    cg_cmsg *cm = &ch->msgs[ch->nmsgs++];
    memset(cm, 0, sizeof *cm);
    cm->name = strdup(name);
    cm->msg = msg;
    cm->payload = payload;
    cm->dialect = d;
    const char *sum = opt_str(r, msg, "summary");
    if (!sum) sum = opt_str(r, msg, "title");
    cm->summary = xstrdup(sum);
    const char *ver = opt_str(r, msg, "x-version");
    cm->version = strdup(ver ? ver : c->version);
    cm->schema = ch->scope == CG_SCOPE_FOREIGN ? NULL : cg_fmt("%s.%s", ch->topic, name);
    read_tags(r, msg, ch, &cm->tags, &cm->ntags);
    cg_info *in = cg_add_schema_node(r->g, r->doc, payload, d);
    if (ch->scope == CG_SCOPE_FOREIGN) return; /* the owning domain's contract compiles it */
    const cj_node *own_id =
        payload->type == CJ_OBJECT ? cj_get(payload, d == CG_D4 ? "id" : "$id") : NULL;
    if (own_id && own_id->type == CJ_STRING && in && in->base[0]) {
        cm->id = strdup(in->base);
    } else {
        cm->id = cg_fmt("%s:%s.%s", c->id, ch->topic + strlen(c->domain) + 1, name);
    }
    for (size_t i = 0; i < r->g->nentries; i++)
        if (strcmp(r->g->entries[i].name, cm->schema) == 0) {
            cg_error(r->g, msg, "schema name %s is also used by %s", cm->schema,
                     r->g->entries[i].source);
            return;
        }
    cg_add_entry(r->g, cm->schema, cm->id, c->path, payload);
}

/* A 2.x operation's message: one message, a reference, or {oneOf: [...]}. */
static void add_op_messages(rd *r, cg_cchan *ch, const cj_node *op)
{
    const cj_node *m = cj_get(op, "message");
    if (!m) {
        cg_error(r->g, op, "the operation has no message");
        return;
    }
    m = deref(r, m);
    if (!m) return;
    const cj_node *one = m->type == CJ_OBJECT ? cj_get(m, "oneOf") : NULL;
    if (one && !cj_get(m, "payload")) {
        if (one->type != CJ_ARRAY || one->n == 0) {
            cg_error(r->g, one, "oneOf must be a non-empty array of messages");
            return;
        }
        for (size_t i = 0; i < one->n; i++)
            add_message(r, ch, one->items[i], NULL);
    } else {
        add_message(r, ch, m, NULL);
    }
}

/* ---- channels ---- */

static void read_bindings(rd *r, cg_cchan *ch, const cj_node *chan)
{
    const cj_node *b = obj_member(r, chan, "bindings", false, "channel");
    const cj_node *k = b ? obj_member(r, b, "kafka", false, "bindings") : NULL;
    if (!k) return;
    static const char *const nums[] = {"partitions", "replicas"};
    long *out[] = {&ch->partitions, &ch->replicas};
    for (int i = 0; i < 2; i++) {
        const cj_node *v = cj_get(k, nums[i]);
        if (!v) continue;
        char *end = NULL;
        long n = v->type == CJ_NUMBER ? strtol(v->str, &end, 10) : 0;
        if (v->type != CJ_NUMBER || *end || n < 1 || n > 100000)
            cg_error(r->g, v, "%s must be a positive integer", nums[i]);
        else
            *out[i] = n;
    }
    const cj_node *cfg = cj_get(k, "topicConfiguration");
    if (!cfg) cfg = cj_get(k, "configs");
    if (cfg) {
        if (cfg->type != CJ_OBJECT) {
            cg_error(r->g, cfg, "topic configuration must be an object of Kafka topic configs");
        } else {
            for (size_t i = 0; i < cfg->n; i++) {
                const cj_node *v = cfg->items[i];
                bool ok = v->type != CJ_OBJECT && v->type != CJ_NULL;
                for (size_t j = 0; ok && v->type == CJ_ARRAY && j < v->n; j++)
                    ok = v->items[j]->type == CJ_STRING || v->items[j]->type == CJ_NUMBER;
                if (!ok)
                    cg_error(r->g, v,
                             "a topic config value must be a scalar or a list of scalars "
                             "(cleanup.policy: [delete, compact])");
            }
            ch->config = cfg;
        }
    }
    const char *topic = opt_str(r, k, "topic");
    if (topic && strcmp(topic, ch->topic) != 0)
        cg_error(r->g, cj_get(k, "topic"),
                 "topic \"%s\" differs from the SpecMesh name of the channel, \"%s\"", topic,
                 ch->topic);
}

static cg_cchan *new_channel(rd *r, const char *name, const cj_node *node)
{
    cg_contract *c = r->c;
    c->chans = realloc(c->chans, (c->nchans + 1) * sizeof *c->chans);
    cg_cchan *ch = &c->chans[c->nchans++];
    memset(ch, 0, sizeof *ch);
    ch->node = node;
    ch->name = strdup(name);
    const char *n = name[0] == '/' ? name + 1 : name;
    size_t seg = strcspn(n, "/.");
    static const struct {
        const char *s;
        cg_scope sc;
    } scopes[] = {{"_public", CG_SCOPE_PUBLIC},
                  {"_protected", CG_SCOPE_PROTECTED},
                  {"_private", CG_SCOPE_PRIVATE}};
    ch->scope = CG_SCOPE_FOREIGN;
    for (size_t i = 0; i < 3; i++)
        if (strlen(scopes[i].s) == seg && strncmp(n, scopes[i].s, seg) == 0)
            ch->scope = scopes[i].sc;
    char *rel = strdup(n);
    for (char *p = rel; *p; p++)
        if (*p == '/') *p = '.';
    if (ch->scope == CG_SCOPE_FOREIGN && n[0] == '_')
        cg_error(r->g, node, "channel %s: unknown scope \"%.*s\" (_public, _protected, _private)",
                 name, (int)seg, n);
    if (ch->scope != CG_SCOPE_FOREIGN && !n[seg])
        cg_error(r->g, node, "channel %s: a scope needs a name after it (e.g. %.*s/attendee)", name,
                 (int)seg, n);
    ch->topic = ch->scope == CG_SCOPE_FOREIGN ? strdup(rel) : cg_fmt("%s.%s", c->domain, rel);
    if (!topic_ok(ch->topic) || strstr(ch->topic, "..") || rel[strlen(rel) - 1] == '.')
        cg_error(r->g, node,
                 "channel %s gives the topic \"%s\": Kafka topics use letters, digits, '.', "
                 "'_' and '-' (at most 249)",
                 name, ch->topic);
    if (ch->scope != CG_SCOPE_FOREIGN && n[seg]) {
        const char *rest = rel + seg + 1;
        ch->raw_topic = cg_fmt("%s._private.%s.raw", c->domain, rest);
        ch->dead_letter = cg_fmt("%s._private.%s.dlq", c->domain, rest);
    }
    free(rel);
    read_bindings(r, ch, node);
    return ch;
}

static void read_channels_v2(rd *r, const cj_node *chans)
{
    for (size_t i = 0; i < chans->n; i++) {
        const cj_node *chan = deref(r, chans->items[i]);
        if (!chan) continue;
        if (chan->type != CJ_OBJECT) {
            cg_error(r->g, chans->items[i], "a channel must be an object");
            continue;
        }
        cg_cchan *ch = new_channel(r, chans->keys[i], chan);
        const cj_node *pub = obj_member(r, chan, "publish", false, "channel");
        const cj_node *sub = obj_member(r, chan, "subscribe", false, "channel");
        if (!pub && !sub)
            cg_error(r->g, chan, "channel %s has neither publish nor subscribe", ch->name);
        ch->produced = pub != NULL;
        ch->consumed = sub != NULL;
        read_tags(r, chan, ch, &ch->tags, &ch->ntags);
        if (pub) {
            read_tags(r, pub, ch, &ch->tags, &ch->ntags);
            add_op_messages(r, ch, pub);
        }
        if (sub) add_op_messages(r, ch, sub);
    }
}

static void read_channels_v3(rd *r, const cj_node *chans)
{
    const cj_node *ops = obj_member(r, r->c->root, "operations", false, "contract");
    for (size_t i = 0; i < chans->n; i++) {
        const cj_node *chan = deref(r, chans->items[i]);
        if (!chan) continue;
        if (chan->type != CJ_OBJECT) {
            cg_error(r->g, chans->items[i], "a channel must be an object");
            continue;
        }
        const cj_node *addr = cj_get(chan, "address");
        const char *name = addr && addr->type == CJ_STRING ? addr->str : chans->keys[i];
        if (addr && addr->type != CJ_STRING && addr->type != CJ_NULL)
            cg_error(r->g, addr, "address must be a string or null");
        if (strchr(name, '{'))
            cg_error(r->g, addr, "address %s has parameters: a gate needs one topic per channel",
                     name);
        cg_cchan *ch = new_channel(r, name, chan);
        read_tags(r, chan, ch, &ch->tags, &ch->ntags);
        for (size_t o = 0; ops && o < ops->n; o++) {
            const cj_node *op = deref(r, ops->items[o]);
            if (!op || op->type != CJ_OBJECT) continue;
            const cj_node *target = obj_member(r, op, "channel", true, "operation");
            if (target != chan) continue;
            const char *action = req_str(r, op, "action", "operation");
            if (!action) continue;
            if (strcmp(action, "send") == 0) {
                ch->produced = true;
                read_tags(r, op, ch, &ch->tags, &ch->ntags);
            } else if (strcmp(action, "receive") == 0) {
                ch->consumed = true;
            } else {
                cg_error(r->g, cj_get(op, "action"), "action must be send or receive, not %s",
                         action);
            }
        }
        const cj_node *msgs = obj_member(r, chan, "messages", false, "channel");
        if (!msgs || msgs->n == 0) cg_error(r->g, chan, "channel %s has no messages", ch->name);
        for (size_t m = 0; msgs && m < msgs->n; m++)
            add_message(r, ch, msgs->items[m], msgs->keys[m]);
    }
}

/* ---- routes ---- */

static char *major_of(const char *v)
{
    const char *s = v[0] == 'v' || v[0] == 'V' ? v + 1 : v;
    size_t n = strcspn(s, ".");
    return n ? strndup(s, n) : strdup(s);
}

/* The reference to message m's payload, as the union writes it (a JSON string). */
static void put_payload_ref(FILE *o, const char *uri, const cg_cmsg *m)
{
    char ptr[2048];
    cj_pointer_of(m->payload, ptr, sizeof ptr);
    fprintf(o, "\"%s#", uri);
    for (const unsigned char *p = (const unsigned char *)ptr; *p; p++)
        if (isalnum(*p) || strchr("-._~/!$&'()*+,;=:@", *p))
            fputc(*p, o);
        else
            fprintf(o, "%%%02X", *p);
    fputc('"', o);
}

/* A channel carrying several messages is gated by their union (anyOf of the payloads). When a
 * property tells them apart, the union says so as OpenAPI does (a discriminator whose mapping
 * names each message's payload), so that its rejects are explained by the message the
 * property names wherever the union is used (cg_plan_disc.c, mg_fail_union). */
static void union_schema(rd *r, cg_cchan *ch)
{
    char *uri = cg_uri_from_path(r->c->path);
    char *text = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    fputs("{\"anyOf\":[", o);
    for (size_t i = 0; i < ch->nmsgs; i++) {
        fputs(i ? ",{\"$ref\":" : "{\"$ref\":", o);
        put_payload_ref(o, uri, &ch->msgs[i]);
        fputc('}', o);
    }
    fputc(']', o);
    if (ch->disc == CG_DISC_PROPERTY) {
        fputs(",\"discriminator\":{\"propertyName\":", o);
        cj_write_str(o, ch->disc_name, strlen(ch->disc_name));
        fputs(",\"mapping\":{", o);
        for (size_t i = 0, n = 0; i < ch->nmsgs; i++)
            for (size_t v = 0; v < ch->msgs[i].ndisc; v++, n++) {
                if (n) fputc(',', o);
                cj_write_str(o, ch->msgs[i].disc_values[v], strlen(ch->msgs[i].disc_values[v]));
                fputc(':', o);
                put_payload_ref(o, uri, &ch->msgs[i]);
            }
        fputs("}}", o);
    }
    fputc('}', o);
    fclose(o);
    char err[256];
    cj_node *root = cj_parse(text, len, err, sizeof err);
    free(text);
    free(uri);
    if (!root) {
        cg_error(r->g, ch->node, "internal: union schema: %s", err);
        return;
    }
    char *suri = cg_fmt("urn:meshgate:route:%s", ch->topic);
    cg_add_synthetic(r->g, root, suri, r->c->path);
    cg_add_entry(r->g, ch->topic, suri, r->c->path, root);
    free(suri);
}

static void plan_routes(rd *r)
{
    cg_contract *c = r->c;
    for (size_t i = 0; i < c->nchans; i++) {
        cg_cchan *ch = &c->chans[i];
        if (!ch->produced) continue;
        if (ch->scope == CG_SCOPE_FOREIGN) {
            cg_error(r->g, ch->node,
                     "channel %s is not the domain's own (_public, _protected or _private), so "
                     "it cannot produce to it",
                     ch->name);
            continue;
        }
        if (ch->nmsgs == 0 || !ch->raw_topic) continue;
        if (ch->nmsgs == 1) {
            cg_cmsg *m = &ch->msgs[0];
            char *maj = major_of(m->version);
            ch->route_schema = strdup(m->schema);
            ch->version = strdup(m->version);
            ch->type = cg_fmt("%s.%s.v%s", c->domain, m->name, maj);
            free(maj);
        } else {
            char *maj = major_of(c->version);
            char *rel = strdup(ch->topic + strlen(c->domain) + 1);
            ch->route_schema = strdup(ch->topic);
            ch->version = strdup(c->version);
            ch->type = cg_fmt("%s.%s.v%s", c->domain, strchr(rel, '.') + 1, maj);
            free(rel);
            free(maj);
            cg_find_discriminator(c, ch);
            union_schema(r, ch);
            for (size_t m = 0; ch->disc && m < ch->nmsgs; m++) {
                char *mmaj = major_of(ch->msgs[m].version);
                ch->msgs[m].type = cg_fmt("%s.%s.v%s", c->domain, ch->msgs[m].name, mmaj);
                free(mmaj);
            }
        }
    }
}

/* Every topic (and schema name) is made once across all contracts of the run. */
static void check_unique(rd *r)
{
    cg *g = r->g;
    cg_contract *c = r->c;
    for (size_t i = 0; i < c->nchans; i++) {
        cg_cchan *ch = &c->chans[i];
        if (ch->scope == CG_SCOPE_FOREIGN) continue;
        const char *mine[] = {ch->topic, ch->raw_topic, ch->dead_letter};
        for (size_t k = 0; k < g->ncontracts + 1; k++) {
            const cg_contract *o = k < g->ncontracts ? g->contracts[k] : c;
            for (size_t j = 0; j < o->nchans; j++) {
                const cg_cchan *oc = &o->chans[j];
                if (oc == ch || oc->scope == CG_SCOPE_FOREIGN) continue;
                if (o == c && j > i) continue;
                const char *theirs[] = {oc->topic, oc->raw_topic, oc->dead_letter};
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        if (mine[a] && theirs[b] && strcmp(mine[a], theirs[b]) == 0)
                            cg_error(g, ch->node, "topic %s is also made for channel %s of %s",
                                     mine[a], oc->name, o->path);
            }
        }
    }
}

bool cg_add_contract(cg *g, cj_node *root, const char *path)
{
    size_t nerr = g->nerrors;
    cg_contract *c = calloc(1, sizeof *c);
    c->path = cg_path_relative(path); /* named in the catalog: no machine paths */
    c->root = root;
    rd r = {g, c, cg_add_container(g, root, path)};
    if (read_header(&r)) {
        const cj_node *comps = obj_member(&r, root, "components", false, "contract");
        const cj_node *schemas =
            comps ? obj_member(&r, comps, "schemas", false, "components") : NULL;
        for (size_t i = 0; schemas && i < schemas->n; i++)
            cg_add_schema_node(g, r.doc, schemas->items[i], CG_D7);
        const cj_node *chans = obj_member(&r, root, "channels", true, "contract");
        if (chans && chans->n == 0) cg_error(g, chans, "the contract has no channels");
        if (chans && c->major == 2) read_channels_v2(&r, chans);
        if (chans && c->major == 3) read_channels_v3(&r, chans);
        check_unique(&r);
        plan_routes(&r);
    }
    g->contracts = realloc(g->contracts, (g->ncontracts + 1) * sizeof *g->contracts);
    g->contracts[g->ncontracts++] = c;
    return g->nerrors == nerr;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void cg_contracts_free(cg *g)
{
    for (size_t k = 0; k < g->ncontracts; k++) {
        cg_contract *c = g->contracts[k];
        for (size_t i = 0; i < c->nchans; i++) {
            cg_cchan *ch = &c->chans[i];
            for (size_t m = 0; m < ch->nmsgs; m++) {
                cg_cmsg *cm = &ch->msgs[m];
                free(cm->name);
                free(cm->schema);
                free(cm->id);
                free(cm->version);
                free(cm->summary);
                free(cm->type);
                free_strs(cm->tags, cm->ntags);
                free_strs(cm->disc_values, cm->ndisc);
            }
            free(ch->msgs);
            free(ch->name);
            free(ch->topic);
            free(ch->raw_topic);
            free(ch->dead_letter);
            free(ch->route_schema);
            free(ch->type);
            free(ch->version);
            free(ch->disc_name);
            free_strs(ch->grants, ch->ngrants);
            free_strs(ch->tags, ch->ntags);
        }
        free(c->chans);
        free(c->path);
        free(c->asyncapi);
        free(c->id);
        free(c->domain);
        free(c->title);
        free(c->version);
        free(c->description);
        free(c->owner);
        free(c);
    }
    free(g->contracts);
    g->contracts = NULL;
    g->ncontracts = 0;
}
