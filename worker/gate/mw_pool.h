/* mw_pool.h - the worker threads: validate, envelope, produce (see mw_pool.c). */
#ifndef MW_POOL_H
#define MW_POOL_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

#include "mw_config.h"
#include "mw_metrics.h"
#include "mw_part.h"

typedef struct mw_pool mw_pool;

/* Starts n threads, each with its own validator; queue_cap bounds each thread's queue (the
 * in-flight bound is enough). NULL and errstr on failure. */
mw_pool *mw_pool_start(const mw_config *cfg, rd_kafka_t *producer, mw_metrics *metrics, uint32_t n,
                       uint32_t queue_cap, char *errstr, size_t errlen);
/* Hands a slot to the thread its partition belongs to (main thread only). */
void mw_pool_push(mw_pool *pool, mw_slot *s);
/* Wakes the threads that were given work since the last call (main thread only). */
void mw_pool_flush(mw_pool *pool);
/* Slots whose produce call failed at once (not through a delivery report): calls fn for each
 * and forgets them (main thread). */
void mw_pool_take_failed(mw_pool *pool, void (*fn)(mw_slot *s, void *arg), void *arg);
/* Stops the threads after they finished their queues, and frees the pool. */
void mw_pool_stop(mw_pool *pool);

#endif
