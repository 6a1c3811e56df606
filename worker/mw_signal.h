/* mw_signal.h - the stop signals of long-running subcommands. Blocked in every thread before
 * any thread starts (threads inherit the mask), then taken synchronously by the main thread
 * (sigwait or a signalfd), so no handler runs in a librdkafka thread. */
#ifndef MW_SIGNAL_H
#define MW_SIGNAL_H

#include <pthread.h>
#include <signal.h>

/* Blocks SIGTERM and SIGINT in the calling thread and returns that set. */
static inline sigset_t mw_block_stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    return set;
}

#endif
