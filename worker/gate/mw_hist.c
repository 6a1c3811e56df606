/* mw_hist.c - latency histograms in the HdrHistogram layout: 1 us to 1 h at about three
 * significant digits, constant-time record, fixed memory.
 *
 * Design: values are grouped by power of two; each group is split into 1024 linear
 * sub-buckets (2048 in the first group), so a recorded value is off by at most 1/1024 of
 * itself. Counts are 64-bit and updated with relaxed atomic adds, so one writer thread per
 * histogram (a worker) and any number of readers (the metrics endpoint, the stats line) need
 * no lock; readers see a consistent-enough snapshot for monitoring. Values outside 1 us..1 h
 * are clamped and counted. The memory (about 190 KiB) is allocated once by mw_hist_new.
 */
#include "mw_hist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SUB_BITS 11                 /* 2048 sub-buckets in the first group */
#define HALF (1u << (SUB_BITS - 1)) /* 1024 in each later group */
#define MAX_US 3600000000ull        /* 1 h */
#define GROUPS (32 - SUB_BITS + 2)  /* MAX_US < 2^32 */
#define NCOUNTS ((GROUPS + 1) * HALF)

struct mw_hist {
    uint64_t counts[NCOUNTS];
    uint64_t total, max, clamped, sum;
};

static unsigned index_of(uint64_t v)
{
    unsigned group = 63u - (unsigned)__builtin_clzll(v | ((1u << SUB_BITS) - 1)) - (SUB_BITS - 1);
    unsigned sub = (unsigned)(v >> group);
    return group * HALF + sub;
}

/* Highest value that falls into counts[i]. */
static uint64_t value_of(unsigned i)
{
    unsigned group = i / HALF, sub = i % HALF;
    if (group > 0) {
        group--;
        sub += HALF;
    }
    uint64_t lo = (uint64_t)sub << group;
    return lo + ((1ull << group) - 1);
}

mw_hist *mw_hist_new(void)
{
    return calloc(1, sizeof(mw_hist));
}

void mw_hist_free(mw_hist *h)
{
    free(h);
}

void mw_hist_record(mw_hist *h, uint64_t us)
{
    if (us < 1 || us > MAX_US) {
        __atomic_fetch_add(&h->clamped, 1, __ATOMIC_RELAXED);
        us = us < 1 ? 1 : MAX_US;
    }
    __atomic_fetch_add(&h->counts[index_of(us)], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->total, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->sum, us, __ATOMIC_RELAXED);
    uint64_t m = __atomic_load_n(&h->max, __ATOMIC_RELAXED);
    while (us > m &&
           !__atomic_compare_exchange_n(&h->max, &m, us, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

uint64_t mw_hist_count(const mw_hist *h)
{
    return __atomic_load_n(&h->total, __ATOMIC_RELAXED);
}

uint64_t mw_hist_sum(const mw_hist *h)
{
    return __atomic_load_n(&h->sum, __ATOMIC_RELAXED);
}

void mw_hist_reset(mw_hist *h)
{
    memset(h, 0, sizeof *h);
}

uint64_t mw_hist_max(const mw_hist *h)
{
    return __atomic_load_n(&h->max, __ATOMIC_RELAXED);
}

uint64_t mw_hist_clamped(const mw_hist *h)
{
    return __atomic_load_n(&h->clamped, __ATOMIC_RELAXED);
}

uint64_t mw_hist_percentile(const mw_hist *h, double p)
{
    uint64_t total = mw_hist_count(h);
    if (total == 0) return 0;
    if (p >= 100.0) return mw_hist_max(h);
    uint64_t want = (uint64_t)(p / 100.0 * (double)total + 0.5);
    if (want == 0) want = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < NCOUNTS; i++) {
        seen += __atomic_load_n(&h->counts[i], __ATOMIC_RELAXED);
        if (seen >= want) {
            uint64_t v = value_of(i), m = mw_hist_max(h);
            return v < m ? v : m;
        }
    }
    return mw_hist_max(h);
}

uint64_t mw_hist_count_le(const mw_hist *h, uint64_t us)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < NCOUNTS && value_of(i) <= us; i++)
        n += __atomic_load_n(&h->counts[i], __ATOMIC_RELAXED);
    return n;
}

void mw_hist_counts_le(const mw_hist *h, const uint64_t *bounds, size_t n, uint64_t *out)
{
    uint64_t c = 0;
    size_t k = 0;
    for (unsigned i = 0; i < NCOUNTS && k < n; i++) {
        while (k < n && value_of(i) > bounds[k])
            out[k++] = c;
        c += __atomic_load_n(&h->counts[i], __ATOMIC_RELAXED);
    }
    while (k < n)
        out[k++] = c;
}

void mw_hist_merge(mw_hist *dst, const mw_hist *src)
{
    for (unsigned i = 0; i < NCOUNTS; i++) {
        uint64_t c = __atomic_load_n(&src->counts[i], __ATOMIC_RELAXED);
        if (c) __atomic_fetch_add(&dst->counts[i], c, __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&dst->total, mw_hist_count(src), __ATOMIC_RELAXED);
    __atomic_fetch_add(&dst->clamped, mw_hist_clamped(src), __ATOMIC_RELAXED);
    __atomic_fetch_add(&dst->sum, mw_hist_sum(src), __ATOMIC_RELAXED);
    uint64_t m = mw_hist_max(src), d = mw_hist_max(dst);
    while (m > d &&
           !__atomic_compare_exchange_n(&dst->max, &d, m, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}
