/* mw_signal.h - the stop signals of long-running subcommands (and run's SIGHUP). Blocked in every
 * thread before any thread starts (threads inherit the mask), then taken synchronously by the main
 * thread (sigwait or a signalfd), so no handler runs in a librdkafka thread. */
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

/* The stop signals plus SIGHUP (reload), for `meshgate run`. */
static inline sigset_t mw_block_run_signals(void)
{
    sigset_t set = mw_block_stop_signals();
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    return set;
}

#endif
