/* mw_reload.c - configuration generations of `meshgate run`, and hot reload (SIGHUP).
 *
 * Design: everything a worker thread needs to judge and send one message - the route, its
 * compiled schema, the output and dead-letter topic handles - is one mw_bind, and the binds of
 * one configuration and its schema set form a generation. A partition points at the bind it
 * uses now; each message taken from it copies that pointer into its slot, so a worker thread
 * uses exactly one generation per message and never a mix. A reload makes the next generation
 * completely beside the running one (the configuration checked as `run --check` does, the
 * schema set loaded as a private snapshot, every route's schema found), and only then the main
 * thread rebinds the partitions: the switch happens at a message boundary, each partition's
 * first message taken afterwards being the first judged by the new set. Nothing is switched if
 * any step fails. The old generation is retired: its reference count (held by the partitions
 * still bound to it and by the slots in flight that carry it, kept on the main thread by
 * mw_part.c) falls as their delivery reports arrive, and at zero it is freed, its schema set
 * closed. That is the grace period of an RCU scheme without a read-side cost: a worker thread
 * reads a bind only before it hands the slot's message to the producer (mw_pool.c), and a slot
 * is released only after its delivery report, which the main thread reads with acquire
 * ordering (mw_slot.sent). Only the routes and the schema set are live; every other key is the
 * process's (consumer group, clients, pool, limits, HTTP) and takes effect at a restart.
 */
#include "mw_reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The index of the route of slots with rt's input, schema and schema version, or -1. */
static int32_t metrics_slot(const mw_config *slots, const mw_route *rt)
{
    for (size_t j = 0; slots && j < slots->n_routes; j++) {
        const mw_route *s = &slots->routes[j];
        if (strcmp(s->input, rt->input) == 0 && strcmp(s->schema, rt->schema) == 0 &&
            strcmp(s->schema_version, rt->schema_version) == 0)
            return (int32_t)j;
    }
    return -1;
}

mw_gen *mw_gen_new(uint64_t id, mw_config *cfg, bool owned, mw_schemas *schemas,
                   rd_kafka_t *producer, const mw_config *slots, char *errstr, size_t errlen)
{
    mw_gen *g = calloc(1, sizeof *g);
    mw_bind *b = g ? calloc(cfg->n_routes ? cfg->n_routes : 1, sizeof *b) : NULL;
    if (!b) {
        free(g);
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    const mg_schema_set *set = mw_schemas_set(schemas);
    for (size_t i = 0; i < cfg->n_routes; i++)
        if (!mg_schema_find(set, cfg->routes[i].schema)) {
            snprintf(errstr, errlen, "routes[%zu].schema: %s is not in the schema set %s", i,
                     cfg->routes[i].schema, cfg->schemas);
            free(b);
            free(g);
            return NULL;
        }
    if (!mw_variants_bind(cfg, set, errstr, errlen)) {
        free(b);
        free(g);
        return NULL;
    }
    g->id = id;
    g->owns_cfg = owned;
    if (owned) {
        g->own = *cfg;
        memset(cfg, 0, sizeof *cfg);
        g->cfg = &g->own;
    } else {
        g->cfg = cfg;
    }
    g->schemas = schemas;
    g->bind = b;
    for (size_t i = 0; i < g->cfg->n_routes; i++) {
        const mw_route *rt = &g->cfg->routes[i];
        b[i] = (mw_bind){.route = rt,
                         .schema = mg_schema_find(set, rt->schema),
                         .set = set,
                         .out_rkt = rd_kafka_topic_new(producer, rt->output, NULL),
                         .dlq_rkt = rd_kafka_topic_new(producer, rt->dead_letter, NULL),
                         .generation = id,
                         .refs = &g->refs,
                         .mslot = metrics_slot(slots ? slots : g->cfg, rt)};
    }
    return g;
}

const mw_bind *mw_gen_route(const mw_gen *g, const char *topic)
{
    for (size_t i = 0; i < g->cfg->n_routes; i++)
        if (strcmp(g->cfg->routes[i].input, topic) == 0) return &g->bind[i];
    return NULL;
}

rd_kafka_topic_partition_list_t *mw_gen_inputs(const mw_gen *g)
{
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new((int)g->cfg->n_routes + 1);
    for (size_t i = 0; i < g->cfg->n_routes; i++)
        if (!rd_kafka_topic_partition_list_find(l, g->cfg->routes[i].input, RD_KAFKA_PARTITION_UA))
            rd_kafka_topic_partition_list_add(l, g->cfg->routes[i].input, RD_KAFKA_PARTITION_UA);
    return l;
}

static bool inputs_within(const mw_gen *a, const mw_gen *b)
{
    for (size_t i = 0; i < a->cfg->n_routes; i++)
        if (!mw_gen_route(b, a->cfg->routes[i].input)) return false;
    return true;
}

bool mw_gen_same_inputs(const mw_gen *a, const mw_gen *b)
{
    return inputs_within(a, b) && inputs_within(b, a);
}

void mw_gen_free(mw_gen *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->cfg->n_routes; i++) {
        if (g->bind[i].out_rkt) rd_kafka_topic_destroy(g->bind[i].out_rkt);
        if (g->bind[i].dlq_rkt) rd_kafka_topic_destroy(g->bind[i].dlq_rkt);
    }
    free(g->bind);
    mw_schemas_free(g->schemas);
    if (g->owns_cfg) mw_config_free(&g->own);
    free(g);
}

/* ---- loading the next generation ---- */

typedef struct loading {
    mw_schemas *schemas;
    char *notes;
    size_t len, cap;
} loading;

static bool open_schemas(void *arg, const char *path, char *why, size_t cap)
{
    loading *l = arg;
    mw_schemas_free(l->schemas);
    l->schemas = mw_schemas_load_copy(path, why, cap);
    return l->schemas != NULL;
}

static bool has_schema(void *arg, const char *name, char *have, size_t cap)
{
    return mw_schemas_has(((loading *)arg)->schemas, name, have, cap);
}

static void note(void *arg, const char *key)
{
    loading *l = arg;
    if (l->len >= l->cap) return;
    int w = snprintf(l->notes + l->len, l->cap - l->len,
                     "%s changed: it takes effect at the next restart; the running value is kept\n",
                     key);
    if (w > 0) l->len += (size_t)w < l->cap - l->len ? (size_t)w : l->cap - l->len - 1;
}

mw_gen *mw_reload_load(const mw_config *running, const char *path, char *const *envp, uint64_t id,
                       rd_kafka_t *producer, char *why, size_t why_cap, char *notes,
                       size_t notes_cap)
{
    loading l = {.notes = notes, .cap = notes_cap};
    if (notes_cap) notes[0] = 0;
    mw_config_checks checks = {.brokers = true,
                               .clients = true,
                               .arg = &l,
                               .open_schemas = open_schemas,
                               .has_schema = has_schema};
    mw_config cfg;
    int bad = mw_config_load(&cfg, path, envp, &checks, why, why_cap);
    if (bad) {
        mw_schemas_free(l.schemas);
        return NULL;
    }
    mw_config_diff(running, &cfg, false, note, &l);
    mw_gen *g = mw_gen_new(id, &cfg, true, l.schemas, producer, running, why, why_cap);
    if (!g) {
        mw_schemas_free(l.schemas);
        mw_config_free(&cfg);
    }
    return g;
}

/* ---- retired generations ---- */

void mw_retired_add(mw_retired *r, mw_gen *g)
{
    g->next = r->head;
    r->head = g;
}

size_t mw_retired_collect(mw_retired *r, void (*fn)(const mw_gen *g, void *arg), void *arg)
{
    size_t n = 0;
    for (mw_gen **pp = &r->head; *pp;) {
        mw_gen *g = *pp;
        if (g->refs) {
            pp = &g->next;
            continue;
        }
        *pp = g->next;
        if (fn) fn(g, arg);
        mw_gen_free(g);
        n++;
    }
    return n;
}

void mw_retired_free(mw_retired *r)
{
    while (r->head) {
        mw_gen *g = r->head;
        r->head = g->next;
        mw_gen_free(g);
    }
}
