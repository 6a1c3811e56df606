/* counters.c - what the per-route counts cost a message on the worker's path: the counters and
 * histogram a worker thread adds to for each message (consumed, bytes, validation latency,
 * valid), once with locked read-modify-writes (atomic_fetch_add) and once as mw_count() does
 * it (a relaxed load and store: each counter has one writer), and one schema reject
 * (mw_rmetrics_reject: keyword slot, example). CPU time of this thread, so a loaded machine
 * changes little; one thread, no contention (each thread writes only its own block).
 *
 * Usage: build/bench/mgcounters [MESSAGES]   (make bench-counters builds and runs it)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mw_rmetrics.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000000;
    mw_route_desc d = {"raw", "identity", "1", "out", "dlq", "binary"};
    mw_rmetrics *rm = mw_rmetrics_new(&d, 1, 1);
    if (!rm || n <= 0) return 1;
    mw_rstats *st = mw_rmetrics_stats(rm, 0, 0);

    double t0 = cpu_s();
    for (long i = 0; i < n; i++) {
        uint64_t us = (uint64_t)(i & 1023);
        atomic_fetch_add_explicit(&st->consumed, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->bytes_in, 200, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->validate.count[mw_bucket_of(us)], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->validate.sum_us, us, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->valid, 1, memory_order_relaxed);
    }
    double locked = (cpu_s() - t0) / (double)n * 1e9;

    t0 = cpu_s();
    for (long i = 0; i < n; i++) {
        mw_count(&st->consumed, 1);
        mw_count(&st->bytes_in, 200);
        mw_lehist_record(&st->validate, (uint64_t)(i & 1023));
        mw_count(&st->valid, 1);
    }
    double single = (cpu_s() - t0) / (double)n * 1e9;

    long r = n / 10;
    t0 = cpu_s();
    for (long i = 0; i < r; i++)
        mw_rmetrics_reject(rm, st, 0, MW_RJ_SCHEMA, "#/properties/Age/exclusiveMaximum", "/Age",
                           "140 is not less than 130", 0, i, 1000 + i);
    double reject = (cpu_s() - t0) / (double)r * 1e9;

    mw_route_snap s;
    mw_rmetrics_snap(rm, 0, &s);
    printf("per message, atomic_fetch_add: %.1f ns\n", locked);
    printf("per message, mw_count (one writer): %.1f ns\n", single);
    printf("per schema reject (mw_rmetrics_reject): %.1f ns\n", reject);
    printf("(consumed %" PRIu64 ", rejects %" PRIu64 ")\n", s.consumed, s.rejected_all);
    mw_rmetrics_free(rm);
    return 0;
}
