/* mw_metrics.h - the worker's counters and histograms, their Prometheus text rendering and
 * the stats log line (see mw_metrics.c). */
#ifndef MW_METRICS_H
#define MW_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mw_hist.h"
#include "mw_reject.h"

/* Per worker thread: one writer (the thread), any readers. */
typedef struct mw_wstats {
    _Atomic uint64_t consumed, valid, bytes_in;
    _Atomic uint64_t tombstones; /* forwarded unvalidated (route option tombstones: forward) */
    _Atomic uint64_t rejected[MW_RJ_COUNT];
    mw_hist *queue;          /* fetch -> validation start */
    mw_hist *validate;       /* validation (and envelope) time */
    struct mw_rstats *route; /* per route: this thread's block of each (mw_rmetrics.h) */
} mw_wstats;

/* One assigned partition as the main thread saw it last (published once a second). */
typedef struct mw_lag {
    char topic[256];
    int32_t partition;
    int64_t lag;       /* high watermark - next offset to commit; -1 unknown */
    int64_t oldest_us; /* age of its oldest in-flight message; 0 if none */
    char stopped[256]; /* why meshgate stopped consuming it; "" while it runs */
} mw_lag;

/* Offsets of one partition that were gone (retention) before meshgate read them. */
typedef struct mw_skip {
    char topic[256];
    int32_t partition;
    uint64_t offsets;
} mw_skip;

struct mw_metrics_scratch; /* merge targets for readers (mw_metrics.c) */
struct mw_rmetrics;        /* per route (mw_rmetrics.h) */
struct mw_route_desc;

typedef struct mw_metrics {
    uint32_t n_workers;
    mw_wstats *w; /* n_workers */
    /* Written by the main thread (delivery reports, commits, rebalances). */
    _Atomic uint64_t produced, produced_dlq, produce_errors, commits, commit_errors;
    _Atomic uint64_t rebalances, redeliveries_skipped, paused_backpressure;
    _Atomic uint64_t offset_resets;              /* a partition's next offset no longer existed */
    _Atomic uint64_t reloads_ok, reloads_failed; /* SIGHUP reloads (mw_reload.c) */
    _Atomic uint64_t generation;                 /* the configuration generation in use */
    _Atomic uint64_t inflight_messages, inflight_bytes;
    mw_hist *e2e; /* Kafka timestamp -> broker ack */
    mw_hist *ack; /* produce call -> broker ack */
    /* Readiness: both set by the main thread. */
    _Atomic bool assigned, brokers_up;
    pthread_mutex_t lag_lock; /* guards lag and skipped; not on the message path */
    mw_lag *lag;
    size_t n_lag, cap_lag;
    mw_skip *skipped; /* every partition that ever skipped offsets */
    size_t n_skipped, cap_skipped;
    int64_t stuck_after_us; /* a partition whose oldest in-flight message is older is stuck;
                             * 0 = never (set once before the HTTP server starts) */
    struct mw_metrics_scratch *scratch;
    struct mw_rmetrics *routes; /* NULL until mw_metrics_set_routes */
    char build_version[64];     /* meshgate_build_info's labels, under lag_lock */
    char build_schema_set[192];
} mw_metrics;

mw_metrics *mw_metrics_new(uint32_t n_workers);
void mw_metrics_free(mw_metrics *m);

/* Counts per route from now on: n routes (texts copied), before any worker thread starts. false
 * when out of memory. */
bool mw_metrics_set_routes(mw_metrics *m, const struct mw_route_desc *routes, size_t n);
/* The labels of meshgate_build_info: the version and the schema set in use (mw_schemas_id). */
void mw_metrics_set_build(mw_metrics *m, const char *version, const char *schema_set);
/* Replaces the table of assigned partitions (main thread, once per interval). */
void mw_metrics_set_lag(mw_metrics *m, const mw_lag *lag, size_t n);
/* Counts n offsets of a partition that no longer existed when it was to be read. */
void mw_metrics_add_skipped(mw_metrics *m, const char *topic, int32_t partition, uint64_t n);
/* Why the worker is not ready beyond assignment and brokers: the first stopped partition,
 * else the stuck ones (oldest in-flight message older than stuck_after_us), one line into
 * why. Returns false if there is nothing. */
bool mw_metrics_unhealthy(mw_metrics *m, char *why, size_t cap);

/* What /readyz answers: ready, or why not (one line into why: no assignment, brokers
 * unreachable, or mw_metrics_unhealthy's reason). */
bool mw_metrics_ready(mw_metrics *m, char *why, size_t cap);

/* Prometheus text exposition format 0.0.4 into *buf (malloc'd, grown as needed; the caller
 * frees). Histograms in seconds with le buckets. Returns the length. */
size_t mw_metrics_render(mw_metrics *m, char **buf);

/* One log line: counts and e2e/validate p50/p99/p99.9/max, into buf. */
size_t mw_metrics_stats_line(mw_metrics *m, char *buf, size_t cap);

#endif
