/* mw_run_int.h - what the worker process's files share: the state of `meshgate run`.
 * mw_run.c starts and stops the process (options, configuration, start-up, teardown);
 * mw_run_loop.c is its main loop (consuming, delivery reports, rebalancing, retries, reload,
 * the drain). Not for other subsystems. */
#ifndef MW_RUN_INT_H
#define MW_RUN_INT_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

#include "mw_catalog.h"
#include "mw_config.h"
#include "mw_http.h"
#include "mw_ingest.h"
#include "mw_ingest_auth.h"
#include "mw_log.h"
#include "mw_metrics.h"
#include "mw_part.h"
#include "mw_pool.h"
#include "mw_reload.h"
#include "mw_schemas.h"
#include "mw_watch.h"

extern char **environ;

typedef struct mw_run {
    mw_config cfg;       /* as loaded at start: every key but the routes and schemas is live */
    mw_schemas *schemas; /* the schema set loaded at start, until generation 1 takes it */
    mw_gen *gen;         /* the generation new messages are taken with (mw_reload.c) */
    mw_retired retired;  /* replaced generations with messages still in flight */
    rd_kafka_t *consumer, *producer;
    rd_kafka_queue_t *cq, *pq;
    int wake[2], sigfd;
    mw_parts *parts;
    mw_pool *pool;
    mw_metrics *metrics;
    mw_http *http;
    /* HTTP ingest of the routes with ingest: on (served by http): each generation's routes
     * and schemas as a view of it, which pins the generation while a request uses it */
    mw_ingest *ingest;
    mw_watch *watch;     /* reload.watch: on: the files whose change reloads */
    mw_tls_pem tls;      /* http.tls_*: the PEM texts libmicrohttpd serves TLS with */
    mw_catalog *catalog; /* catalog: the contract catalog served over HTTP, or NULL */
    uint32_t *load;      /* partitions per worker thread */
    bool backpressure, draining, any_failed, fatal, closed;
    bool assigned_once;   /* a rebalance callback assigned partitions (maybe none) */
    int64_t start_offset; /* where a partition without a committed offset starts */
    bool keep_consumer;   /* the consumer is not destroyed: see consumer_destroy_asserts() */
    int64_t next_stats_us, next_lag_us, full_since_us;
    mw_log log;            /* log.format and log.level once the configuration is loaded */
    char last_stats[1024]; /* the last stats line logged: logged again only when it changed */
} mw_run;

/* Log lines (mw_log.c) at info, warn and error level; each needs the mw_run *r in scope. */
#define logf_(...) mw_log_at(&r->log, MW_LOG_INFO, __VA_ARGS__)
#define logw_(...) mw_log_at(&r->log, MW_LOG_WARN, __VA_ARGS__)
#define loge_(...) mw_log_at(&r->log, MW_LOG_ERROR, __VA_ARGS__)

/* ---- mw_run_loop.c ---- */

/* Sets the callbacks of the producer's (producer) or the consumer's configuration: logs,
 * errors, and delivery reports or rebalances and commits; their opaque is the mw_run. */
void mw_run_kafka_callbacks(rd_kafka_conf_t *conf, bool producer);
/* Watches the configuration file, the running generation's schema set and its ingest routes'
 * token files (reload.watch); false and errstr when one cannot be watched. */
bool mw_run_watch_arm(mw_run *r, char *errstr, size_t errlen);
/* Runs until SIGTERM or SIGINT, or a fatal Kafka client error. */
void mw_run_loop(mw_run *r);
/* Pauses all, awaits the messages in flight within drain_timeout_ms, commits and leaves the
 * group (a watchdog ends the process if that hangs); the exit status. */
int mw_run_drain(mw_run *r);

#endif
