/* mw_buckets.c - the one list of latency buckets the worker exports, and the small histograms
 * counted per route on them.
 *
 * Design: the bounds follow the usual 1-2.5-5 steps from 1 us (a small message validates in a
 * few microseconds) to 60 s (an end-to-end latency past a minute is an incident, not a
 * distribution); the process-wide histograms (mw_hist.c) keep finer values for the stats log
 * line and are exported on these same bounds. A per-route histogram is only these counts, so
 * one per worker thread and route stays small (25 words) and recording is a short search and
 * one relaxed add by its only writer. Quantiles are estimated from the buckets the way
 * Prometheus' histogram_quantile() does, so the status page and a dashboard built on /metrics
 * show the same figures.
 */
#include "mw_buckets.h"

const mw_bucket mw_buckets[MW_NBUCKETS] = {
    {1, 0.000001, "0.000001"}, {2, 0.0000025, "0.0000025"}, {5, 0.000005, "0.000005"},
    {10, 0.00001, "0.00001"},  {25, 0.000025, "0.000025"},  {50, 0.00005, "0.00005"},
    {100, 0.0001, "0.0001"},   {250, 0.00025, "0.00025"},   {500, 0.0005, "0.0005"},
    {1000, 0.001, "0.001"},    {2500, 0.0025, "0.0025"},    {5000, 0.005, "0.005"},
    {10000, 0.01, "0.01"},     {25000, 0.025, "0.025"},     {50000, 0.05, "0.05"},
    {100000, 0.1, "0.1"},      {250000, 0.25, "0.25"},      {500000, 0.5, "0.5"},
    {1000000, 1, "1"},         {2500000, 2.5, "2.5"},       {5000000, 5, "5"},
    {10000000, 10, "10"},      {30000000, 30, "30"},        {60000000, 60, "60"},
};

size_t mw_bucket_of(uint64_t us)
{
    size_t lo = 0, hi = MW_NBUCKETS; /* the first bound >= us is in [lo, hi] */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mw_buckets[mid].us >= us)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void mw_lehist_record(mw_lehist *h, uint64_t us)
{
    mw_count(&h->count[mw_bucket_of(us)], 1);
    mw_count(&h->sum_us, us);
}

void mw_lehist_add(mw_lesnap *s, const mw_lehist *h)
{
    uint64_t c = 0;
    for (size_t i = 0; i <= MW_NBUCKETS; i++) {
        c += atomic_load_explicit(&h->count[i], memory_order_relaxed);
        s->le[i] += c;
    }
    s->sum_us += atomic_load_explicit(&h->sum_us, memory_order_relaxed);
}

double mw_lesnap_quantile(const mw_lesnap *s, double q)
{
    uint64_t n = s->le[MW_NBUCKETS];
    if (n == 0) return -1;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    double rank = q * (double)n;
    size_t b = 0;
    while (b < MW_NBUCKETS && (double)s->le[b] < rank)
        b++;
    if (b == MW_NBUCKETS) return mw_buckets[MW_NBUCKETS - 1].s;
    double start = b ? mw_buckets[b - 1].s : 0;
    double end = mw_buckets[b].s;
    uint64_t below = b ? s->le[b - 1] : 0;
    uint64_t in = s->le[b] - below;
    if (in == 0) return end;
    return start + (end - start) * ((rank - (double)below) / (double)in);
}
