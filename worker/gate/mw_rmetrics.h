/* mw_rmetrics.h - metrics per route, that is per data product: counts, rejects by reason and by
 * keyword location with an example each, latency histograms, rates (see mw_rmetrics.c). */
#ifndef MW_RMETRICS_H
#define MW_RMETRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mw_buckets.h"
#include "mw_metrics.h"
#include "mw_text.h"

/* Keyword locations of schema rejects that get their own series per route: the first ones a
 * route rejects on since the start; later ones are counted as "other". */
#define MW_KW_SLOTS 10
#define MW_KW_TEXT 256     /* a keyword location longer than 255 bytes is cut */
#define MW_EX_INSTANCE 160 /* bounds of an example's texts, in bytes (escaped, cut whole) */
#define MW_EX_MESSAGE 320
#define MW_RATE_WINDOW_S 10 /* rates are over the last 10 seconds */

/* What names a route on /metrics (topic, schema, schema_version are its labels) and /status. */
typedef struct mw_route_desc {
    const char *topic, *schema, *schema_version, *output, *dead_letter, *mode;
} mw_route_desc;

/* One worker thread's counts for one route: one writer (the thread), any readers. */
typedef struct mw_rstats {
    _Atomic uint64_t consumed, valid, tombstones, bytes_in;
    _Atomic uint64_t rejected[MW_RJ_COUNT];
    _Atomic uint64_t schema_kw[MW_KW_SLOTS + 1]; /* schema rejects by keyword slot; last: other */
    _Atomic int64_t last_reject_us;              /* wall clock; 0 none */
    mw_lehist validate;
} mw_rstats;

/* A reject as an example: where it was and what the validator said (texts escaped). */
typedef struct mw_example {
    int64_t at_us; /* wall clock */
    int32_t partition;
    int64_t offset;
    char instance[MW_EX_INSTANCE];
    char message[MW_EX_MESSAGE];
} mw_example;

typedef struct mw_rmetrics mw_rmetrics;

/* n routes (their texts are copied) for n_workers threads. NULL when out of memory. */
mw_rmetrics *mw_rmetrics_new(const mw_route_desc *routes, size_t n, uint32_t n_workers);
void mw_rmetrics_free(mw_rmetrics *rm);
size_t mw_rmetrics_count(const mw_rmetrics *rm);
const mw_route_desc *mw_rmetrics_route(const mw_rmetrics *rm, size_t route);
/* The block worker thread `worker` writes for `route`. */
mw_rstats *mw_rmetrics_stats(mw_rmetrics *rm, uint32_t worker, size_t route);

/* ---- the message path (a worker thread, or the main thread for e2e); no lock, no allocation */

/* Counts a reject of `route` by the thread that owns st: its reason and, for a schema reject,
 * its keyword location (kw, escaped; "" none); keeps it as the example of its reason or keyword
 * location if that example is a second old or more. now_us is the wall clock. */
void mw_rmetrics_reject(mw_rmetrics *rm, mw_rstats *st, size_t route, mw_reject rj, const char *kw,
                        const char *instance, const char *message, int32_t partition,
                        int64_t offset, int64_t now_us);
/* Records an end-to-end latency of `route` (its only writer: the delivery-report thread). */
void mw_rmetrics_e2e(mw_rmetrics *rm, size_t route, uint64_t us);

/* ---- readers ---- */

/* Once a second or so (the main thread): the counts behind the rates. mono_us is monotonic. */
void mw_rmetrics_sample(mw_rmetrics *rm, int64_t mono_us);

/* A route's figures, summed over the worker threads. */
typedef struct mw_route_snap {
    uint64_t consumed, valid, tombstones, bytes_in, rejected_all;
    uint64_t rejected[MW_RJ_COUNT];
    uint64_t schema_kw[MW_KW_SLOTS + 1];
    const char *kw[MW_KW_SLOTS]; /* the keyword location of each slot; NULL while unclaimed */
    int64_t last_reject_us;      /* 0 none */
    mw_lesnap validate, e2e;
    /* per second over up to MW_RATE_WINDOW_S s of samples; rate_window_s 0 = no rate yet */
    double rate_consumed, rate_valid, rate_rejected, rate_window_s;
} mw_route_snap;

void mw_rmetrics_snap(mw_rmetrics *rm, size_t route, mw_route_snap *s);
/* The example of a reason (kw_slot < 0) or of a schema keyword slot (0..MW_KW_SLOTS, the last
 * being other); false if there is none yet. */
bool mw_rmetrics_example(mw_rmetrics *rm, size_t route, mw_reject rj, int kw_slot, mw_example *out);

/* The per-route families in the Prometheus text format. */
void mw_rmetrics_render(mw_rmetrics *rm, mw_text *t);

#endif
