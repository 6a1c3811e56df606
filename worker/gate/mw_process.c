/* mw_process.c - this process's CPU time, memory and open file descriptors, for the process_*
 * series every Prometheus client library exports (the same names and units as the Go and
 * Python clients, so the usual dashboards work).
 *
 * Design: read on each scrape from /proc/self/stat (CPU ticks, virtual size, RSS pages, start
 * time in ticks since boot), /proc/stat (boot time), /proc/self/fd (one entry per descriptor)
 * and getrlimit; nothing is kept between scrapes. Linux only, like the rest of the worker.
 */
#include "mw_process.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The fields of /proc/self/stat we need (proc(5): 14 utime, 15 stime, 22 starttime, 23 vsize,
 * 24 rss), counted after the command name, which may hold spaces and parentheses. */
static bool read_stat(unsigned long long *utime, unsigned long long *stime,
                      unsigned long long *start, unsigned long long *vsize, long long *rss)
{
    char buf[2048];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')');
    if (!p) return false;
    /* after ")": field 3 (state) onwards */
    return sscanf(p + 1,
                  " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
                  "%*d %llu %llu %lld",
                  utime, stime, start, vsize, rss) == 5;
}

static bool boot_time(unsigned long long *btime)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return false;
    char line[256];
    bool ok = false;
    while (!ok && fgets(line, sizeof line, f))
        ok = sscanf(line, "btime %llu", btime) == 1;
    fclose(f);
    return ok;
}

static uint64_t count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 0;
    uint64_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n ? n - 1 : 0; /* not the descriptor of the listing itself */
}

static int64_t limit(int resource)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return -1;
    return (int64_t)rl.rlim_cur;
}

bool mw_process_read(mw_process *p)
{
    unsigned long long ut, st, start, vsize, btime;
    long long rss;
    long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    if (tick <= 0 || page <= 0 || !read_stat(&ut, &st, &start, &vsize, &rss) || !boot_time(&btime))
        return false;
    *p = (mw_process){.cpu_seconds = (double)(ut + st) / (double)tick,
                      .rss_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)page : 0,
                      .vsize_bytes = vsize,
                      .vsize_max_bytes = limit(RLIMIT_AS),
                      .open_fds = count_fds(),
                      .max_fds = limit(RLIMIT_NOFILE),
                      .start_time_seconds = (double)btime + (double)start / (double)tick};
    return true;
}
