/* mw_buckets.h - the latency buckets /metrics exports, and a small histogram on exactly those
 * buckets for what is counted per route (see mw_buckets.c). */
#ifndef MW_BUCKETS_H
#define MW_BUCKETS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The finite upper bounds of every exported latency histogram: 1 us to 60 s (README,
 * "Observability"); a value above the last one is counted only in +Inf. */
#define MW_NBUCKETS 24

typedef struct mw_bucket {
    uint64_t us;    /* upper bound in whole microseconds (values are recorded in them) */
    double s;       /* the bound in seconds (2.5 us is 0.0000025 here) */
    const char *le; /* the same, as the le label */
} mw_bucket;

extern const mw_bucket mw_buckets[MW_NBUCKETS];

/* Adds n to a counter that only one thread ever writes (readers load it, relaxed): a plain
 * load and store, without the locked read-modify-write of atomic_fetch_add, which costs four
 * times as much on the message path (bench/counters.c). */
static inline void mw_count(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* A histogram of one writer on the exported buckets: count[i] holds the values of bucket i
 * alone (count[MW_NBUCKETS]: above the last bound), so recording is one add. Readers load the
 * fields (relaxed atomics) without a lock. */
typedef struct mw_lehist {
    _Atomic uint64_t count[MW_NBUCKETS + 1];
    _Atomic uint64_t sum_us;
} mw_lehist;

/* A reader's copy: cumulative counts per bound (le[MW_NBUCKETS] = +Inf = the count). */
typedef struct mw_lesnap {
    uint64_t le[MW_NBUCKETS + 1];
    uint64_t sum_us;
} mw_lesnap;

/* The bucket a value in microseconds falls into (MW_NBUCKETS above the last bound). */
size_t mw_bucket_of(uint64_t us);
void mw_lehist_record(mw_lehist *h, uint64_t us);
/* Adds h's counts to *s (cumulative per bound), so several writers' histograms sum up; start
 * from a zeroed snapshot. */
void mw_lehist_add(mw_lesnap *s, const mw_lehist *h);
/* The value (seconds) at quantile q (0..1) of a snapshot, estimated as Prometheus'
 * histogram_quantile() does: linear within the bucket that holds the rank, the lowest bucket
 * starting at 0, the last finite bound when the rank is in +Inf. -1 when it is empty. */
double mw_lesnap_quantile(const mw_lesnap *s, double q);

#endif
