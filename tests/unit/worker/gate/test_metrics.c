/* test_metrics.c - unit tests for worker/gate/mw_metrics.c: counters summed over workers, merged
 * histograms in the Prometheus text format (buckets, _sum, _count, le labels),
 * the lag table with escaped labels and without unknown lags, the ready gauge, build_info, the
 * process_* series, the per-route families, and the stats line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mw_metrics.h"
#include "mw_rmetrics.h"

/* The buckets README's "Observability" documents: 1 us to 60 s. */
static const char *const les[] = {"0.000001", "0.0000025", "0.000005", "0.00001", "0.000025",
                                  "0.00005",  "0.0001",    "0.00025",  "0.0005",  "0.001",
                                  "0.0025",   "0.005",     "0.01",     "0.025",   "0.05",
                                  "0.1",      "0.25",      "0.5",      "1",       "2.5",
                                  "5",        "10",        "30",       "60",      "+Inf"};
#define NLE (sizeof les / sizeof les[0])

static const char *const histograms[] = {
    "meshgate_end_to_end_latency_seconds", "meshgate_queue_latency_seconds",
    "meshgate_validation_latency_seconds", "meshgate_produce_ack_latency_seconds"};

/* The line of series (name with labels) in text, or NULL. */
static const char *find_series(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ') return p;
    return NULL;
}

/* The value of a series; fails the test when it is missing. */
static double value(const char *text, const char *series)
{
    const char *p = find_series(text, series);
    if (!p) fail_msg("series %s missing", series);
    return strtod(p + strlen(series) + 1, NULL);
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, prefix, len) == 0;
    return n;
}

static char *render(mw_metrics *m)
{
    char *buf = NULL;
    size_t len = mw_metrics_render(m, &buf);
    assert_non_null(buf);
    assert_int_equal(strlen(buf), len);
    assert_true(len > 0 && buf[len - 1] == '\n');
    return buf;
}

static void assert_help_type(const char *text, const char *name, const char *type)
{
    char line[256];
    snprintf(line, sizeof line, "# HELP %s ", name);
    assert_int_equal(count_lines_starting(text, line), 1);
    snprintf(line, sizeof line, "# TYPE %s %s\n", name, type);
    assert_non_null(strstr(text, line));
}

static void test_counters(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(3);
    assert_non_null(m);
    for (uint32_t i = 0; i < 3; i++) {
        m->w[i].consumed = 10 * (i + 1);
        m->w[i].valid = i + 1;
        m->w[i].bytes_in = 1000 * (i + 1);
    }
    m->w[0].rejected[MW_RJ_SCHEMA] = 4;
    m->w[2].rejected[MW_RJ_SCHEMA] = 5;
    m->w[1].rejected[MW_RJ_CLOUDEVENT] = 2;
    m->w[2].rejected[MW_RJ_TOO_LARGE] = 1;
    m->produced = 7;
    m->produced_dlq = 3;
    m->produce_errors = 11;
    m->commits = 12;
    m->commit_errors = 13;
    m->rebalances = 14;
    m->redeliveries_skipped = 15;
    m->paused_backpressure = 16;
    m->inflight_messages = 17;
    m->inflight_bytes = 18;

    char *t = render(m);
    assert_int_equal(value(t, "meshgate_messages_consumed_total"), 60);
    assert_int_equal(value(t, "meshgate_messages_valid_total"), 6);
    assert_int_equal(value(t, "meshgate_bytes_consumed_total"), 6000);
    uint64_t want[MW_RJ_COUNT] = {0};
    want[MW_RJ_SCHEMA] = 9;
    want[MW_RJ_CLOUDEVENT] = 2;
    want[MW_RJ_TOO_LARGE] = 1;
    for (int r = 0; r < MW_RJ_COUNT; r++) {
        char series[128];
        snprintf(series, sizeof series, "meshgate_messages_rejected_total{reason=\"%s\"}",
                 mw_reject_name((mw_reject)r));
        assert_int_equal(value(t, series), want[r]);
    }
    assert_int_equal(count_lines_starting(t, "meshgate_messages_rejected_total{"), MW_RJ_COUNT);
    assert_int_equal(value(t, "meshgate_messages_produced_total{kind=\"output\"}"), 7);
    assert_int_equal(value(t, "meshgate_messages_produced_total{kind=\"dead_letter\"}"), 3);
    assert_int_equal(value(t, "meshgate_produce_errors_total"), 11);
    assert_int_equal(value(t, "meshgate_commits_total"), 12);
    assert_int_equal(value(t, "meshgate_commit_errors_total"), 13);
    assert_int_equal(value(t, "meshgate_rebalances_total"), 14);
    assert_int_equal(value(t, "meshgate_redeliveries_skipped_total"), 15);
    assert_int_equal(value(t, "meshgate_backpressure_pauses_total"), 16);
    assert_int_equal(value(t, "meshgate_inflight_messages"), 17);
    assert_int_equal(value(t, "meshgate_inflight_bytes"), 18);
    assert_int_equal(value(t, "meshgate_workers"), 3);

    const char *counters[] = {"meshgate_messages_consumed_total",
                              "meshgate_messages_valid_total",
                              "meshgate_messages_rejected_total",
                              "meshgate_bytes_consumed_total",
                              "meshgate_messages_produced_total",
                              "meshgate_produce_errors_total",
                              "meshgate_commits_total",
                              "meshgate_commit_errors_total",
                              "meshgate_rebalances_total",
                              "meshgate_redeliveries_skipped_total",
                              "meshgate_backpressure_pauses_total"};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        assert_help_type(t, counters[i], "counter");
    const char *gauges[] = {"meshgate_inflight_messages", "meshgate_inflight_bytes",
                            "meshgate_ready", "meshgate_consumer_lag", "meshgate_workers"};
    for (size_t i = 0; i < sizeof gauges / sizeof gauges[0]; i++)
        assert_help_type(t, gauges[i], "gauge");
    for (size_t i = 0; i < sizeof histograms / sizeof histograms[0]; i++)
        assert_help_type(t, histograms[i], "histogram");
    free(t);
    mw_metrics_free(m);
}

/* Every bucket of a histogram: le labels in order, cumulative (monotone), +Inf = _count.
 * Returns the +Inf count. */
static uint64_t check_histogram(const char *t, const char *name)
{
    char prefix[160], series[200];
    snprintf(prefix, sizeof prefix, "%s_bucket{", name);
    assert_int_equal(count_lines_starting(t, prefix), NLE);
    const char *prev_line = t;
    double prev = 0;
    for (size_t i = 0; i < NLE; i++) {
        snprintf(series, sizeof series, "%s_bucket{le=\"%s\"}", name, les[i]);
        const char *line = find_series(t, series);
        assert_non_null(line);
        assert_true(i == 0 || line > prev_line);
        prev_line = line;
        double v = value(t, series);
        assert_true(v >= prev);
        prev = v;
    }
    snprintf(series, sizeof series, "%s_count", name);
    assert_true(value(t, series) == prev);
    return (uint64_t)prev;
}

static double bucket(const char *t, const char *name, const char *le)
{
    char series[200];
    snprintf(series, sizeof series, "%s_bucket{le=\"%s\"}", name, le);
    return value(t, series);
}

static void test_histograms(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(2);
    assert_non_null(m);
    char *t = render(m);
    for (size_t i = 0; i < sizeof histograms / sizeof histograms[0]; i++) {
        assert_int_equal(check_histogram(t, histograms[i]), 0);
        char series[200];
        snprintf(series, sizeof series, "%s_sum", histograms[i]);
        assert_true(value(t, series) == 0);
    }
    free(t);

    /* Validation: split over the two workers, merged. */
    mw_hist_record(m->w[0].validate, 5);
    mw_hist_record(m->w[0].validate, 20);
    mw_hist_record(m->w[1].validate, 20);
    mw_hist_record(m->w[1].validate, 300);
    mw_hist_record(m->w[1].validate, 2000000);
    /* Queue: 100 s is beyond the last finite bucket. */
    mw_hist_record(m->w[1].queue, 10);
    mw_hist_record(m->w[1].queue, 100000000);
    /* e2e and ack. */
    for (int i = 0; i < 4; i++)
        mw_hist_record(m->e2e, 1000);
    mw_hist_record(m->ack, 25);

    t = render(m);
    const char *v = "meshgate_validation_latency_seconds";
    assert_int_equal(check_histogram(t, v), 5);
    const double want_v[NLE] = {0, 0, 1, 1, 3, 3, 3, 3, 4, 4, 4, 4, 4,
                                4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5};
    for (size_t i = 0; i < NLE; i++)
        assert_true(bucket(t, v, les[i]) == want_v[i]);
    assert_true(value(t, "meshgate_validation_latency_seconds_sum") == 2.000345);

    const char *q = "meshgate_queue_latency_seconds";
    assert_int_equal(check_histogram(t, q), 2);
    assert_true(bucket(t, q, "0.00001") == 1);
    assert_true(bucket(t, q, "60") == 1);
    assert_true(value(t, "meshgate_queue_latency_seconds_sum") == 100.00001);

    const char *e = "meshgate_end_to_end_latency_seconds";
    assert_int_equal(check_histogram(t, e), 4);
    assert_true(bucket(t, e, "0.0005") == 0);
    assert_true(bucket(t, e, "0.001") == 4);
    assert_true(value(t, "meshgate_end_to_end_latency_seconds_sum") == 0.004);

    const char *a = "meshgate_produce_ack_latency_seconds";
    assert_int_equal(check_histogram(t, a), 1);
    assert_true(bucket(t, a, "0.00001") == 0);
    assert_true(bucket(t, a, "0.000025") == 1);
    free(t);

    /* Rendering again merges afresh: nothing is counted twice. */
    t = render(m);
    assert_int_equal(check_histogram(t, v), 5);
    assert_int_equal(check_histogram(t, e), 4);
    free(t);
    mw_metrics_free(m);
}

static void test_lag(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(1);
    assert_non_null(m);
    char *t = render(m);
    assert_help_type(t, "meshgate_consumer_lag", "gauge");
    assert_int_equal(count_lines_starting(t, "meshgate_consumer_lag{"), 0);
    free(t);

    mw_lag lag[3] = {{.topic = "orders", .partition = 0, .lag = 42},
                     {.topic = "a\"b\\c\nd", .partition = 7, .lag = -1},
                     {.topic = "orders", .partition = 1, .lag = 0}};
    mw_metrics_set_lag(m, lag, 3);
    t = render(m);
    /* an unknown lag (-1) is no series: a -1 would read as a lag on a dashboard */
    assert_int_equal(count_lines_starting(t, "meshgate_consumer_lag{"), 2);
    assert_int_equal(value(t, "meshgate_consumer_lag{topic=\"orders\",partition=\"0\"}"), 42);
    assert_int_equal(value(t, "meshgate_consumer_lag{topic=\"orders\",partition=\"1\"}"), 0);
    assert_null(strstr(t, "partition=\"7\"} -1"));
    assert_null(strstr(t, "meshgate_consumer_lag{topic=\"a"));
    free(t);
    /* the topic label is escaped once its lag is known */
    lag[1].lag = 3;
    mw_metrics_set_lag(m, lag, 3);
    t = render(m);
    assert_int_equal(value(t, "meshgate_consumer_lag{topic=\"a\\\"b\\\\c\\nd\",partition=\"7\"}"),
                     3);
    free(t);

    /* A smaller table replaces the old one; a larger one grows it. */
    mw_metrics_set_lag(m, lag + 2, 1);
    t = render(m);
    assert_int_equal(count_lines_starting(t, "meshgate_consumer_lag{"), 1);
    assert_int_equal(value(t, "meshgate_consumer_lag{topic=\"orders\",partition=\"1\"}"), 0);
    free(t);
    mw_lag many[40];
    for (int i = 0; i < 40; i++)
        many[i] = (mw_lag){.topic = "t", .partition = i, .lag = i * 10};
    mw_metrics_set_lag(m, many, 40);
    t = render(m);
    assert_int_equal(count_lines_starting(t, "meshgate_consumer_lag{"), 40);
    assert_int_equal(value(t, "meshgate_consumer_lag{topic=\"t\",partition=\"39\"}"), 390);
    free(t);
    mw_metrics_set_lag(m, NULL, 0);
    t = render(m);
    assert_int_equal(count_lines_starting(t, "meshgate_consumer_lag{"), 0);
    free(t);
    mw_metrics_free(m);
}

static void test_ready(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(1);
    assert_non_null(m);
    const struct {
        bool assigned, brokers_up;
        int ready;
    } cases[] = {{false, false, 0}, {true, false, 0}, {false, true, 0}, {true, true, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        m->assigned = cases[i].assigned;
        m->brokers_up = cases[i].brokers_up;
        char *t = render(m);
        assert_int_equal(value(t, "meshgate_ready"), cases[i].ready);
        free(t);
    }
    mw_metrics_free(m);
}

static void test_stats_line(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(2);
    assert_non_null(m);
    m->w[0].consumed = 60;
    m->w[1].consumed = 40;
    m->w[0].valid = 55;
    m->w[1].valid = 38;
    m->w[0].rejected[MW_RJ_SCHEMA] = 5;
    m->w[1].rejected[MW_RJ_SYNTAX] = 2;
    m->produced = 90;
    m->produced_dlq = 6;
    m->produce_errors = 1;
    m->inflight_messages = 4;
    for (int i = 0; i < 98; i++)
        mw_hist_record(m->e2e, 1000);
    mw_hist_record(m->e2e, 2000);
    mw_hist_record(m->e2e, 40000);
    for (int i = 0; i < 50; i++)
        mw_hist_record(m->w[0].validate, 10);
    for (int i = 0; i < 49; i++)
        mw_hist_record(m->w[1].validate, 20);
    mw_hist_record(m->w[1].validate, 1500);

    const char *want = "consumed=100 valid=93 tombstones=0 rejected=7 produced=90 dead_letter=6 "
                       "produce_errors=1 inflight=4 e2e_ms p50=1.000 p99=2.000 p99.9=40.000 "
                       "max=40.000 validate_us p50=10 p99=20 p99.9=1500 max=1500";
    char buf[512];
    size_t n = mw_metrics_stats_line(m, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    /* The merge is redone each time, not accumulated. */
    n = mw_metrics_stats_line(m, buf, sizeof buf);
    assert_string_equal(buf, want);

    char small[16];
    n = mw_metrics_stats_line(m, small, sizeof small);
    assert_int_equal(n, strlen(want));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, want, sizeof small - 1);
    mw_metrics_free(m);
}

static void test_empty_stats_line(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(1);
    assert_non_null(m);
    char buf[512];
    mw_metrics_stats_line(m, buf, sizeof buf);
    assert_string_equal(buf, "consumed=0 valid=0 tombstones=0 rejected=0 produced=0 dead_letter=0 "
                             "produce_errors=0 inflight=0 e2e_ms p50=0.000 p99=0.000 "
                             "p99.9=0.000 max=0.000 validate_us p50=0 p99=0 p99.9=0 max=0");
    mw_metrics_free(m);
}

/* A worker records while the renderer runs: every rendering is a well-formed histogram. */
typedef struct writer_arg {
    mw_metrics *m;
    _Atomic bool done;
} writer_arg;

#define WRITES 200000

static void *writer(void *p)
{
    writer_arg *a = p;
    for (uint64_t i = 0; i < WRITES; i++) {
        mw_hist_record(a->m->w[0].validate, 1 + i % 5000);
        atomic_fetch_add_explicit(&a->m->w[0].consumed, 1, memory_order_relaxed);
    }
    atomic_store(&a->done, true);
    return NULL;
}

static void test_concurrent_render(void **state)
{
    (void)state;
    writer_arg a = {.m = mw_metrics_new(1)};
    assert_non_null(a.m);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer, &a), 0);
    uint64_t last = 0;
    bool done;
    do {
        done = atomic_load(&a.done);
        char *t = render(a.m);
        uint64_t c = check_histogram(t, "meshgate_validation_latency_seconds");
        assert_true(c >= last);
        last = c;
        free(t);
    } while (!done);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(last, WRITES);
    mw_metrics_free(a.m);
}

/* Stopped and stuck partitions: the health summary /readyz uses, and their series. */
static void test_partition_health(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(1);
    assert_non_null(m);
    m->assigned = m->brokers_up = true;
    m->stuck_after_us = 1000000;
    char why[512];
    mw_lag lag[3] = {{.topic = "t", .partition = 0, .oldest_us = 2500000},
                     {.topic = "t", .partition = 1, .oldest_us = 500000},
                     {.topic = "u", .partition = 2, .oldest_us = 1500000}};
    mw_metrics_set_lag(m, lag, 3);
    assert_true(mw_metrics_unhealthy(m, why, sizeof why));
    assert_string_equal(why, "t/0 stuck: its oldest message in flight is 2.5 s old; u/2 stuck: "
                             "its oldest message in flight is 1.5 s old");
    char *t = render(m);
    assert_int_equal(value(t, "meshgate_partitions_stuck"), 2);
    assert_int_equal(value(t, "meshgate_partitions_stopped"), 0);
    assert_int_equal(value(t, "meshgate_ready"), 0);
    assert_true(
        value(t, "meshgate_partition_oldest_inflight_seconds{topic=\"t\",partition=\"0\"}") == 2.5);
    free(t);
    /* A stopped partition comes first; nothing stuck when the bound is off. */
    snprintf(lag[1].stopped, sizeof lag[1].stopped, "offsets 1..9 no longer exist");
    m->stuck_after_us = 0;
    mw_metrics_set_lag(m, lag, 3);
    assert_true(mw_metrics_unhealthy(m, why, sizeof why));
    assert_string_equal(why, "t/1 stopped: offsets 1..9 no longer exist");
    t = render(m);
    assert_int_equal(value(t, "meshgate_partitions_stuck"), 0);
    assert_int_equal(value(t, "meshgate_partitions_stopped"), 1);
    free(t);
    lag[1].stopped[0] = 0;
    mw_metrics_set_lag(m, lag, 3);
    assert_false(mw_metrics_unhealthy(m, why, sizeof why));
    t = render(m);
    assert_int_equal(value(t, "meshgate_ready"), 1);
    free(t);
    /* Skipped offsets add up per partition. */
    mw_metrics_add_skipped(m, "t", 0, 5);
    mw_metrics_add_skipped(m, "t", 0, 7);
    mw_metrics_add_skipped(m, "u", 3, 1);
    t = render(m);
    assert_int_equal(value(t, "meshgate_offsets_skipped_total{topic=\"t\",partition=\"0\"}"), 12);
    assert_int_equal(value(t, "meshgate_offsets_skipped_total{topic=\"u\",partition=\"3\"}"), 1);
    free(t);
    mw_metrics_free(m);
}

static void test_build_info(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(1);
    assert_non_null(m);
    char *t = render(m);
    assert_help_type(t, "meshgate_build_info", "gauge");
    assert_int_equal(value(t, "meshgate_build_info{version=\"\",schema_set=\"\"}"), 1);
    free(t);
    mw_metrics_set_build(m, "0.3.0-12-gdeadbee", "a\"b\\c.so@0123456789ab");
    t = render(m);
    assert_int_equal(count_lines_starting(t, "meshgate_build_info{"), 1);
    assert_int_equal(value(t,
                           "meshgate_build_info{version=\"0.3.0-12-gdeadbee\",schema_set=\"a\\\"b"
                           "\\\\c.so@0123456789ab\"}"),
                     1);
    free(t);
    mw_metrics_free(m);
}

static double fds_now(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    double n = -1; /* not the listing's own descriptor */
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* The process_* series, with the names and units of the Prometheus client libraries. */
static void test_process(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(1);
    assert_non_null(m);
    char *t = render(m);
    assert_help_type(t, "process_cpu_seconds_total", "counter");
    const char *gauges[] = {"process_resident_memory_bytes", "process_virtual_memory_bytes",
                            "process_open_fds", "process_max_fds", "process_start_time_seconds"};
    for (size_t i = 0; i < sizeof gauges / sizeof gauges[0]; i++)
        assert_help_type(t, gauges[i], "gauge");
    assert_true(value(t, "process_cpu_seconds_total") >= 0);
    assert_true(value(t, "process_resident_memory_bytes") > 1024 * 1024);
    assert_true(value(t, "process_virtual_memory_bytes") >=
                value(t, "process_resident_memory_bytes"));
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_true(value(t, "process_max_fds") == (double)rl.rlim_cur);
    double start = value(t, "process_start_time_seconds"), now = (double)time(NULL);
    assert_true(start <= now + 1 && start > now - 3600);
    assert_true(value(t, "process_open_fds") == fds_now());
    free(t);
    /* three more descriptors are three more */
    int fd[3];
    for (int i = 0; i < 3; i++)
        assert_true((fd[i] = open("/dev/null", O_RDONLY)) >= 0);
    double before = fds_now() - 3;
    t = render(m);
    assert_true(value(t, "process_open_fds") == before + 3);
    free(t);
    for (int i = 0; i < 3; i++)
        close(fd[i]);
    mw_metrics_free(m);
}

/* With routes, the per-route families follow the process-wide ones; each worker thread writes
 * its own block of each route. */
static void test_routes(void **state)
{
    (void)state;
    mw_metrics *m = mw_metrics_new(2);
    assert_non_null(m);
    const mw_route_desc d[2] = {{"in.a", "a", "1", "out.a", "dlq.a", "binary"},
                                {"in.b", "b", "7", "out.b", "dlq.b", "structured"}};
    assert_true(mw_metrics_set_routes(m, d, 2));
    m->w[0].route[1].consumed = 4;
    m->w[1].route[1].consumed = 5;
    m->w[1].route[0].valid = 2;
    assert_ptr_equal(&m->w[1].route[1], mw_rmetrics_stats(m->routes, 1, 1));
    char *t = render(m);
    assert_int_equal(value(t, "meshgate_route_messages_consumed_total{topic=\"in.b\",schema=\"b\","
                              "schema_version=\"7\"}"),
                     9);
    assert_int_equal(value(t, "meshgate_route_messages_valid_total{topic=\"in.a\",schema=\"a\","
                              "schema_version=\"1\"}"),
                     2);
    assert_int_equal(count_lines_starting(t, "meshgate_route_messages_rejected_total{"),
                     2 * MW_RJ_COUNT);
    free(t);
    mw_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_histograms),
        cmocka_unit_test(test_lag),
        cmocka_unit_test(test_ready),
        cmocka_unit_test(test_partition_health),
        cmocka_unit_test(test_stats_line),
        cmocka_unit_test(test_empty_stats_line),
        cmocka_unit_test(test_concurrent_render),
        cmocka_unit_test(test_build_info),
        cmocka_unit_test(test_process),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
