/* mw_reload.h - configuration generations and hot reload of `meshgate run` (see mw_reload.c). */
#ifndef MW_RELOAD_H
#define MW_RELOAD_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mw_config.h"
#include "mw_part.h"
#include "mw_schemas.h"

/* One generation: a configuration's routes, the schema set they name and the producer's topic
 * handles, as one mw_bind per route. */
typedef struct mw_gen {
    uint64_t id;
    const mw_config *cfg; /* the start-up configuration (not owned), or &own */
    mw_config own;        /* a reloaded configuration */
    bool owns_cfg;
    mw_schemas *schemas;
    mw_bind *bind;       /* per route of cfg */
    uint32_t refs;       /* current (1) + partitions bound + slots in flight (main thread only) */
    struct mw_gen *next; /* retired list */
} mw_gen;

/* Makes generation id from cfg (moved into the generation if owned) and schemas (taken on
 * success), with topic handles of producer; slots is the start-up configuration, whose routes
 * are the per-route metrics series (mw_bind.mslot). NULL and errstr ("routes[1].schema: ...") on
 * failure; cfg and schemas are then still the caller's. */
mw_gen *mw_gen_new(uint64_t id, mw_config *cfg, bool owned, mw_schemas *schemas,
                   rd_kafka_t *producer, const mw_config *slots, char *errstr, size_t errlen);
/* The binding of the route whose input is topic; NULL if none. */
const mw_bind *mw_gen_route(const mw_gen *g, const char *topic);
/* The input topics to subscribe to (distinct); the caller destroys the list. */
rd_kafka_topic_partition_list_t *mw_gen_inputs(const mw_gen *g);
/* Whether a and b subscribe to the same input topics. */
bool mw_gen_same_inputs(const mw_gen *a, const mw_gen *b);
void mw_gen_free(mw_gen *g);

/* Loads path as a new generation beside the running one: the configuration checked as
 * `run --check` does (file, environment, librdkafka properties, cycles, limits), the schema set
 * loaded as a snapshot, every route's schema found in it. NULL on failure, with every problem in
 * why (one per line). On success, notes (one per line, may be empty) names the keys that differ
 * from running but take effect only at a restart. */
mw_gen *mw_reload_load(const mw_config *running, const char *path, char *const *envp, uint64_t id,
                       rd_kafka_t *producer, char *why, size_t why_cap, char *notes,
                       size_t notes_cap);

/* Generations replaced but maybe still referred to by messages in flight. */
typedef struct mw_retired {
    mw_gen *head;
} mw_retired;

/* Retires g: it is freed by mw_retired_collect once nothing refers to it. */
void mw_retired_add(mw_retired *r, mw_gen *g);
/* Frees the retired generations that nothing refers to any more; calls fn (may be NULL) for
 * each before it is freed. Returns how many were freed. */
size_t mw_retired_collect(mw_retired *r, void (*fn)(const mw_gen *g, void *arg), void *arg);
/* Frees every retired generation (at exit, after the partitions are freed). */
void mw_retired_free(mw_retired *r);

#endif
