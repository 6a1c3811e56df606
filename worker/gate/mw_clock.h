/* mw_clock.h - the two clocks of the worker: monotonic for durations, real time for event
 * and processing times (Kafka timestamps are wall-clock milliseconds). */
#ifndef MW_CLOCK_H
#define MW_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t mw_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t mw_real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
