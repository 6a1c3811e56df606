/* mw_metrics.c - the worker's counters and latency histograms, rendered as Prometheus text
 * (exposition format 0.0.4) and as a one-line log summary.
 *
 * Design: writers (worker threads, the main thread) only do relaxed atomic adds and
 * mw_hist_record, each histogram having one writer. Readers (the HTTP thread, the stats line
 * on the main thread) merge the per-worker histograms into scratch histograms owned by this
 * struct, under the scratch lock, which writers never take. The lag table is replaced by the main
 * thread once a second under lag_lock. Rendering allocates (it is not on the message path).
 */
#include "mw_metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_buckets.h"
#include "mw_process.h"
#include "mw_rmetrics.h"
#include "mw_text.h"

/* Scratch for merging, per histogram kind. */
enum { H_E2E, H_QUEUE, H_VALIDATE, H_ACK, H_COUNT };

struct mw_metrics_scratch {
    pthread_mutex_t lock;
    mw_hist *h[H_COUNT];
};

mw_metrics *mw_metrics_new(uint32_t n_workers)
{
    mw_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n_workers = n_workers;
    m->w = calloc(n_workers ? n_workers : 1, sizeof *m->w);
    m->e2e = mw_hist_new();
    m->ack = mw_hist_new();
    m->scratch = calloc(1, sizeof *m->scratch);
    pthread_mutex_init(&m->lag_lock, NULL);
    bool ok = m->w && m->e2e && m->ack && m->scratch;
    if (m->scratch) {
        pthread_mutex_init(&m->scratch->lock, NULL);
        for (int i = 0; i < H_COUNT; i++)
            ok = ok && (m->scratch->h[i] = mw_hist_new()) != NULL;
    }
    for (uint32_t i = 0; ok && i < n_workers; i++) {
        m->w[i].queue = mw_hist_new();
        m->w[i].validate = mw_hist_new();
        ok = m->w[i].queue && m->w[i].validate;
    }
    if (!ok) {
        mw_metrics_free(m);
        return NULL;
    }
    return m;
}

void mw_metrics_free(mw_metrics *m)
{
    if (!m) return;
    for (uint32_t i = 0; m->w && i < m->n_workers; i++) {
        mw_hist_free(m->w[i].queue);
        mw_hist_free(m->w[i].validate);
    }
    if (m->scratch) {
        for (int i = 0; i < H_COUNT; i++)
            mw_hist_free(m->scratch->h[i]);
        pthread_mutex_destroy(&m->scratch->lock);
        free(m->scratch);
    }
    mw_hist_free(m->e2e);
    mw_hist_free(m->ack);
    mw_rmetrics_free(m->routes);
    pthread_mutex_destroy(&m->lag_lock);
    free(m->lag);
    free(m->skipped);
    free(m->w);
    free(m);
}

bool mw_metrics_set_routes(mw_metrics *m, const mw_route_desc *routes, size_t n)
{
    mw_rmetrics *rm = mw_rmetrics_new(routes, n, m->n_workers);
    if (!rm) return false;
    mw_rmetrics_free(m->routes);
    m->routes = rm;
    for (uint32_t i = 0; i < m->n_workers; i++)
        m->w[i].route = mw_rmetrics_stats(rm, i, 0);
    return true;
}

void mw_metrics_set_build(mw_metrics *m, const char *version, const char *schema_set)
{
    pthread_mutex_lock(&m->lag_lock);
    snprintf(m->build_version, sizeof m->build_version, "%s", version ? version : "");
    snprintf(m->build_schema_set, sizeof m->build_schema_set, "%s", schema_set ? schema_set : "");
    pthread_mutex_unlock(&m->lag_lock);
}

void mw_metrics_set_lag(mw_metrics *m, const mw_lag *lag, size_t n)
{
    pthread_mutex_lock(&m->lag_lock);
    if (n > m->cap_lag) {
        mw_lag *nl = realloc(m->lag, n * sizeof *nl);
        if (!nl) {
            pthread_mutex_unlock(&m->lag_lock);
            return;
        }
        m->lag = nl;
        m->cap_lag = n;
    }
    if (n) memcpy(m->lag, lag, n * sizeof *lag);
    m->n_lag = n;
    pthread_mutex_unlock(&m->lag_lock);
}

void mw_metrics_add_skipped(mw_metrics *m, const char *topic, int32_t partition, uint64_t n)
{
    pthread_mutex_lock(&m->lag_lock);
    size_t i = 0;
    while (i < m->n_skipped &&
           (m->skipped[i].partition != partition || strcmp(m->skipped[i].topic, topic) != 0))
        i++;
    if (i == m->n_skipped && m->n_skipped == m->cap_skipped) {
        size_t cap = m->cap_skipped ? m->cap_skipped * 2 : 8;
        mw_skip *ns = realloc(m->skipped, cap * sizeof *ns);
        if (ns) {
            m->skipped = ns;
            m->cap_skipped = cap;
        }
    }
    if (i < m->cap_skipped) {
        if (i == m->n_skipped) {
            m->skipped[i] = (mw_skip){.partition = partition};
            snprintf(m->skipped[i].topic, sizeof m->skipped[i].topic, "%s", topic);
            m->n_skipped++;
        }
        m->skipped[i].offsets += n;
    }
    pthread_mutex_unlock(&m->lag_lock);
}

static bool stuck(const mw_metrics *m, const mw_lag *l)
{
    return m->stuck_after_us > 0 && l->oldest_us > m->stuck_after_us;
}

bool mw_metrics_unhealthy(mw_metrics *m, char *why, size_t cap)
{
    size_t len = 0, n_stuck = 0;
    why[0] = 0;
    pthread_mutex_lock(&m->lag_lock);
    for (size_t i = 0; i < m->n_lag && !len; i++)
        if (m->lag[i].stopped[0])
            len = (size_t)snprintf(why, cap, "%s/%d stopped: %s", m->lag[i].topic,
                                   m->lag[i].partition, m->lag[i].stopped);
    for (size_t i = 0; i < m->n_lag && !len; i++)
        n_stuck += stuck(m, &m->lag[i]);
    for (size_t i = 0; i < m->n_lag && n_stuck && len < cap; i++) {
        if (!stuck(m, &m->lag[i])) continue;
        int w =
            snprintf(why + len, cap - len,
                     "%s%s/%d stuck: its oldest message in flight is %.1f s old", len ? "; " : "",
                     m->lag[i].topic, m->lag[i].partition, (double)m->lag[i].oldest_us / 1e6);
        if (w < 0) break;
        len += (size_t)w;
    }
    pthread_mutex_unlock(&m->lag_lock);
    return len > 0;
}

bool mw_metrics_ready(mw_metrics *m, char *why, size_t cap)
{
    if (!atomic_load(&m->assigned)) {
        snprintf(why, cap, "no partition assignment yet");
        return false;
    }
    if (!atomic_load(&m->brokers_up)) {
        snprintf(why, cap, "brokers unreachable");
        return false;
    }
    return !mw_metrics_unhealthy(m, why, cap);
}

/* ---- sums over workers ---- */

typedef struct totals {
    uint64_t consumed, valid, bytes, tombstones, rejected[MW_RJ_COUNT], rejected_all;
} totals;

static uint64_t ld(_Atomic uint64_t *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static totals sum(mw_metrics *m)
{
    totals t = {0};
    for (uint32_t i = 0; i < m->n_workers; i++) {
        mw_wstats *w = &m->w[i];
        t.consumed += ld(&w->consumed);
        t.valid += ld(&w->valid);
        t.bytes += ld(&w->bytes_in);
        t.tombstones += ld(&w->tombstones);
        for (int r = 0; r < MW_RJ_COUNT; r++) {
            uint64_t v = ld(&w->rejected[r]);
            t.rejected[r] += v;
            t.rejected_all += v;
        }
    }
    return t;
}

/* Merges every histogram into the scratch ones; the caller holds scratch->lock. */
static void merge_all(mw_metrics *m)
{
    mw_hist **h = m->scratch->h;
    for (int i = 0; i < H_COUNT; i++)
        mw_hist_reset(h[i]);
    mw_hist_merge(h[H_E2E], m->e2e);
    mw_hist_merge(h[H_ACK], m->ack);
    for (uint32_t i = 0; i < m->n_workers; i++) {
        mw_hist_merge(h[H_QUEUE], m->w[i].queue);
        mw_hist_merge(h[H_VALIDATE], m->w[i].validate);
    }
}

/* ---- text output ---- */

typedef mw_text out;

static void outf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mw_sb_vfmt(o, fmt, ap);
    va_end(ap);
}

static void head(out *o, const char *name, const char *type, const char *help)
{
    mw_text_family(o, name, type, help);
}

static void counter(out *o, const char *name, const char *help, uint64_t v)
{
    head(o, name, "counter", help);
    outf(o, "%s %" PRIu64 "\n", name, v);
}

static void gauge(out *o, const char *name, const char *help, int64_t v)
{
    head(o, name, "gauge", help);
    outf(o, "%s %" PRId64 "\n", name, v);
}

static void histogram(out *o, const char *name, const char *help, const mw_hist *h)
{
    /* One pass over the counts; the last bound gives the count from the buckets themselves
     * (a merge racing a writer may see a bucket's count before the total, and +Inf must
     * never be below a finite bucket). */
    uint64_t bounds[MW_NBUCKETS + 1], le[MW_NBUCKETS + 1];
    for (size_t i = 0; i < MW_NBUCKETS; i++)
        bounds[i] = mw_buckets[i].us;
    bounds[MW_NBUCKETS] = UINT64_MAX;
    mw_hist_counts_le(h, bounds, MW_NBUCKETS + 1, le);
    head(o, name, "histogram", help);
    for (size_t i = 0; i < MW_NBUCKETS; i++)
        outf(o, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name, mw_buckets[i].le, le[i]);
    uint64_t count = le[MW_NBUCKETS];
    outf(o, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, count);
    outf(o, "%s_sum %.6f\n", name, (double)mw_hist_sum(h) / 1e6);
    outf(o, "%s_count %" PRIu64 "\n", name, count);
}

/* meshgate_build_info: always 1, the facts in its labels. */
static void build_info(out *o, mw_metrics *m)
{
    head(o, "meshgate_build_info", "gauge",
         "Always 1: the version of meshgate and the schema set it runs.");
    pthread_mutex_lock(&m->lag_lock);
    outf(o, "meshgate_build_info{version=\"");
    mw_text_label(o, m->build_version);
    outf(o, "\",schema_set=\"");
    mw_text_label(o, m->build_schema_set);
    outf(o, "\"} 1\n");
    pthread_mutex_unlock(&m->lag_lock);
}

/* The process_* series of the Prometheus client libraries (same names and units); a limit
 * that is unlimited is left out. */
static void process(out *o)
{
    mw_process p;
    if (!mw_process_read(&p)) return;
    head(o, "process_cpu_seconds_total", "counter",
         "Total user and system CPU time spent in seconds.");
    outf(o, "process_cpu_seconds_total %.2f\n", p.cpu_seconds);
    gauge(o, "process_resident_memory_bytes", "Resident memory size in bytes.",
          (int64_t)p.rss_bytes);
    gauge(o, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
          (int64_t)p.vsize_bytes);
    if (p.vsize_max_bytes >= 0)
        gauge(o, "process_virtual_memory_max_bytes",
              "Maximum amount of virtual memory available in bytes.", p.vsize_max_bytes);
    gauge(o, "process_open_fds", "Number of open file descriptors.", (int64_t)p.open_fds);
    if (p.max_fds >= 0)
        gauge(o, "process_max_fds", "Maximum number of open file descriptors.", p.max_fds);
    head(o, "process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds.");
    outf(o, "process_start_time_seconds %.2f\n", p.start_time_seconds);
}

size_t mw_metrics_render(mw_metrics *m, char **buf)
{
    out o = {0};
    build_info(&o, m);
    totals t = sum(m);
    counter(&o, "meshgate_messages_consumed_total", "Messages consumed from input topics.",
            t.consumed);
    counter(&o, "meshgate_messages_valid_total", "Messages that passed their schema.", t.valid);
    counter(&o, "meshgate_tombstones_forwarded_total",
            "Tombstones (keyed, null value) forwarded to the output unvalidated.", t.tombstones);
    head(&o, "meshgate_messages_rejected_total", "counter", "Messages rejected, by reason.");
    for (int r = 0; r < MW_RJ_COUNT; r++)
        outf(&o, "meshgate_messages_rejected_total{reason=\"%s\"} %" PRIu64 "\n",
             mw_reject_name((mw_reject)r), t.rejected[r]);
    counter(&o, "meshgate_bytes_consumed_total", "Value bytes consumed.", t.bytes);
    head(&o, "meshgate_messages_produced_total", "counter",
         "Messages acknowledged by the broker, by destination.");
    outf(&o, "meshgate_messages_produced_total{kind=\"output\"} %" PRIu64 "\n", ld(&m->produced));
    outf(&o, "meshgate_messages_produced_total{kind=\"dead_letter\"} %" PRIu64 "\n",
         ld(&m->produced_dlq));
    counter(&o, "meshgate_produce_errors_total", "Failed deliveries (retried).",
            ld(&m->produce_errors));
    counter(&o, "meshgate_commits_total", "Offset commits.", ld(&m->commits));
    counter(&o, "meshgate_commit_errors_total", "Failed offset commits.", ld(&m->commit_errors));
    counter(&o, "meshgate_rebalances_total", "Consumer group rebalance events.",
            ld(&m->rebalances));
    counter(&o, "meshgate_redeliveries_skipped_total",
            "Messages fetched again while already in flight, skipped.",
            ld(&m->redeliveries_skipped));
    counter(&o, "meshgate_backpressure_pauses_total",
            "Times every partition was paused because the in-flight bound was reached.",
            ld(&m->paused_backpressure));
    counter(&o, "meshgate_offset_resets_total",
            "Times a partition's next offset no longer existed on the broker (retention).",
            ld(&m->offset_resets));
    head(&o, "meshgate_reload_total", "counter",
         "Reloads of the configuration and schema set (SIGHUP), by result.");
    outf(&o, "meshgate_reload_total{result=\"ok\"} %" PRIu64 "\n", ld(&m->reloads_ok));
    outf(&o, "meshgate_reload_total{result=\"failed\"} %" PRIu64 "\n", ld(&m->reloads_failed));
    gauge(&o, "meshgate_config_generation",
          "The configuration generation new messages are judged with (1 at start, +1 per reload).",
          (int64_t)ld(&m->generation));
    gauge(&o, "meshgate_inflight_messages", "Messages consumed and not yet acknowledged.",
          (int64_t)ld(&m->inflight_messages));
    gauge(&o, "meshgate_inflight_bytes", "Value bytes of the in-flight messages.",
          (int64_t)ld(&m->inflight_bytes));
    char why[16];
    gauge(&o, "meshgate_ready",
          "1 when /readyz is 200: assigned, brokers reachable, no partition stopped or stuck.",
          mw_metrics_ready(m, why, sizeof why));
    gauge(&o, "meshgate_workers", "Worker threads.", m->n_workers);
    head(&o, "meshgate_consumer_lag", "gauge",
         "High watermark minus the next offset to commit, per assigned partition (absent while "
         "either is unknown).");
    pthread_mutex_lock(&m->lag_lock);
    for (size_t i = 0; i < m->n_lag; i++) {
        if (m->lag[i].lag < 0) continue;
        outf(&o, "meshgate_consumer_lag{topic=\"");
        mw_text_label(&o, m->lag[i].topic);
        outf(&o, "\",partition=\"%" PRId32 "\"} %" PRId64 "\n", m->lag[i].partition, m->lag[i].lag);
    }
    head(&o, "meshgate_offsets_skipped_total", "counter",
         "Offsets of a partition that no longer existed when they were to be read (never "
         "validated), per partition.");
    for (size_t i = 0; i < m->n_skipped; i++) {
        outf(&o, "meshgate_offsets_skipped_total{topic=\"");
        mw_text_label(&o, m->skipped[i].topic);
        outf(&o, "\",partition=\"%" PRId32 "\"} %" PRIu64 "\n", m->skipped[i].partition,
             m->skipped[i].offsets);
    }
    head(&o, "meshgate_partition_oldest_inflight_seconds", "gauge",
         "Age of the oldest message in flight (consumed, not yet acknowledged), per assigned "
         "partition; 0 when none.");
    size_t stopped = 0, n_stuck = 0;
    for (size_t i = 0; i < m->n_lag; i++) {
        outf(&o, "meshgate_partition_oldest_inflight_seconds{topic=\"");
        mw_text_label(&o, m->lag[i].topic);
        outf(&o, "\",partition=\"%" PRId32 "\"} %.3f\n", m->lag[i].partition,
             (double)m->lag[i].oldest_us / 1e6);
        stopped += m->lag[i].stopped[0] != 0;
        n_stuck += stuck(m, &m->lag[i]);
    }
    pthread_mutex_unlock(&m->lag_lock);
    gauge(&o, "meshgate_partitions_stopped",
          "Assigned partitions meshgate stopped consuming (on_offset_reset: stop).",
          (int64_t)stopped);
    gauge(&o, "meshgate_partitions_stuck",
          "Assigned partitions whose oldest message in flight is older than "
          "health.stuck_after_ms.",
          (int64_t)n_stuck);
    pthread_mutex_lock(&m->scratch->lock);
    merge_all(m);
    mw_hist **h = m->scratch->h;
    histogram(&o, "meshgate_end_to_end_latency_seconds",
              "Kafka timestamp of the input to the broker's ack of its output.", h[H_E2E]);
    histogram(&o, "meshgate_queue_latency_seconds", "Fetch to validation start.", h[H_QUEUE]);
    histogram(&o, "meshgate_validation_latency_seconds", "Validation and envelope, per message.",
              h[H_VALIDATE]);
    histogram(&o, "meshgate_produce_ack_latency_seconds", "Produce call to the broker's ack.",
              h[H_ACK]);
    pthread_mutex_unlock(&m->scratch->lock);
    mw_rmetrics_render(m->routes, &o);
    process(&o);
    return mw_text_take(&o, buf);
}

size_t mw_metrics_stats_line(mw_metrics *m, char *buf, size_t cap)
{
    totals t = sum(m);
    pthread_mutex_lock(&m->scratch->lock);
    merge_all(m);
    const mw_hist *e = m->scratch->h[H_E2E], *v = m->scratch->h[H_VALIDATE];
    int n = snprintf(
        buf, cap,
        "consumed=%" PRIu64 " valid=%" PRIu64 " tombstones=%" PRIu64 " rejected=%" PRIu64
        " produced=%" PRIu64 " dead_letter=%" PRIu64 " produce_errors=%" PRIu64 " inflight=%" PRIu64
        " e2e_ms p50=%.3f p99=%.3f p99.9=%.3f max=%.3f"
        " validate_us p50=%" PRIu64 " p99=%" PRIu64 " p99.9=%" PRIu64 " max=%" PRIu64,
        t.consumed, t.valid, t.tombstones, t.rejected_all, ld(&m->produced), ld(&m->produced_dlq),
        ld(&m->produce_errors), ld(&m->inflight_messages), (double)mw_hist_percentile(e, 50) / 1e3,
        (double)mw_hist_percentile(e, 99) / 1e3, (double)mw_hist_percentile(e, 99.9) / 1e3,
        (double)mw_hist_max(e) / 1e3, mw_hist_percentile(v, 50), mw_hist_percentile(v, 99),
        mw_hist_percentile(v, 99.9), mw_hist_max(v));
    pthread_mutex_unlock(&m->scratch->lock);
    return n < 0 ? 0 : (size_t)n;
}
