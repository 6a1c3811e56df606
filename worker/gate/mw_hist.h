/* mw_hist.h - latency histograms, 1 us to 1 h at about three significant digits (see
 * mw_hist.c). One writer per histogram, lock-free readers; merge per-thread ones to report. */
#ifndef MW_HIST_H
#define MW_HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct mw_hist mw_hist;

mw_hist *mw_hist_new(void);
void mw_hist_free(mw_hist *h);
/* Records one value in microseconds; values outside 1..3600000000 are clamped and counted. */
void mw_hist_record(mw_hist *h, uint64_t us);
uint64_t mw_hist_count(const mw_hist *h);
uint64_t mw_hist_max(const mw_hist *h);
uint64_t mw_hist_clamped(const mw_hist *h);
/* Sum of the recorded (clamped) values, in us. */
uint64_t mw_hist_sum(const mw_hist *h);
/* Zeroes a histogram nobody writes to at the same time (a merge target). */
void mw_hist_reset(mw_hist *h);
/* The value at percentile p (0..100]: the highest value equivalent to the recorded one at
 * that rank, never above the maximum recorded. 0 when empty. */
uint64_t mw_hist_percentile(const mw_hist *h, double p);
/* Number of recorded values <= us (for Prometheus `le` buckets; exact at bucket edges). */
uint64_t mw_hist_count_le(const mw_hist *h, uint64_t us);
/* mw_hist_count_le for n ascending bounds in one pass over the counts. */
void mw_hist_counts_le(const mw_hist *h, const uint64_t *bounds, size_t n, uint64_t *out);
/* Adds src's counts into dst. */
void mw_hist_merge(mw_hist *dst, const mw_hist *src);

#endif
