/* mw_process.h - this process's CPU time, memory and file descriptors, as Prometheus client
 * libraries export them (see mw_process.c). */
#ifndef MW_PROCESS_H
#define MW_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mw_process {
    double cpu_seconds;      /* user + system */
    uint64_t rss_bytes;      /* resident set */
    uint64_t vsize_bytes;    /* virtual memory */
    int64_t vsize_max_bytes; /* RLIMIT_AS; -1 unlimited */
    uint64_t open_fds;
    int64_t max_fds;           /* RLIMIT_NOFILE soft limit; -1 unlimited */
    double start_time_seconds; /* since the epoch */
} mw_process;

/* Reads /proc/self; false if it cannot (the figures are then not exported). */
bool mw_process_read(mw_process *p);

#endif
