/* mw_run_loop.c - the main loop of `meshgate run` (mw_run.c starts and stops the process).
 *
 * Design: the main thread owns the consumer, the partition table (mw_part.c) and every
 * offset decision. It sleeps in poll() on one pipe that librdkafka writes to when the
 * consumer queue or the producer's delivery-report queue becomes non-empty, and on a
 * signalfd (SIGTERM and SIGINT stop, SIGHUP asks for a reload; so does a change that
 * reload.watch saw, mw_watch.c, read each round). Each round it serves
 * delivery reports (releasing acknowledged prefixes), stores the offsets that moved
 * (auto-commit writes them), then consumes while the in-flight bounds allow and hands each
 * message to the thread that owns its partition (mw_pool.c). At the bounds it stops reading;
 * if that lasts, it pauses every partition (backpressure) and resumes below half. A failed
 * delivery pauses its partition; once its other messages are reported and the backoff
 * passed, the partition seeks back to its first unacknowledged offset (duplicates, never a
 * gap). On revocation the revoked partitions' in-flight messages are awaited (bounded) and
 * their offsets committed before they are given up. SIGTERM: pause all, await in-flight
 * within drain_timeout_ms, commit, leave the group (mw_run_drain). A watchdog ends the process
 * if the shutdown itself hangs (offsets committed are only ever acknowledged ones).
 * librdkafka runs with auto.offset.reset=error, so offsets that no longer exist on the broker
 * come here and are never skipped unnoticed (offset_reset()). Once a second the partitions'
 * lag, stop reasons and oldest in-flight ages are published for /metrics and /readyz.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "mw_build.h"
#include "mw_clock.h"
#include "mw_rmetrics.h"
#include "mw_run_int.h"

/* ---- pausing, resuming, seeking one partition or all ---- */

static void set_paused(mw_run *r, mw_part *p, bool pause)
{
    if (p->paused == pause) return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
    if (pause)
        rd_kafka_pause_partitions(r->consumer, l);
    else
        rd_kafka_resume_partitions(r->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    p->paused = pause;
}

static void seek_to(mw_run *r, mw_part *p, int64_t offset)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = offset;
    rd_kafka_error_t *e = rd_kafka_seek_partitions(r->consumer, l, 0);
    if (e) {
        logf_("%s/%d: seek to %lld: %s", p->topic, p->partition, (long long)offset,
              rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
    p->next_offset = offset;
}

static void pause_one(mw_part *p, void *arg)
{
    set_paused(arg, p, true);
}
static void resume_one(mw_part *p, void *arg)
{
    if (!p->failed && !p->stopped) set_paused(arg, p, false);
}

/* Stops consuming p for good (until it is revoked or the worker restarts); /readyz says why. */
static void stop_partition(mw_run *r, mw_part *p, const char *why)
{
    free(p->stopped);
    p->stopped = strdup(why);
    if (!p->stopped) p->stopped = strdup("stopped");
    set_paused(r, p, true);
}

/* ---- delivery reports ---- */

static void resolve(mw_run *r, mw_slot *s, bool ok)
{
    if (!ok) {
        atomic_fetch_add_explicit(&r->metrics->produce_errors, 1, memory_order_relaxed);
        r->any_failed = true;
    }
    mw_parts_resolve(r->parts, s, ok);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *dm, void *opaque)
{
    (void)rk;
    mw_run *r = opaque;
    mw_slot *s = dm->_private;
    atomic_load_explicit(&s->sent, memory_order_acquire); /* pairs with publish(), mw_pool.c */
    mw_metrics *m = r->metrics;
    if (dm->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_timestamp_type_t tt;
        int64_t ts = rd_kafka_message_timestamp(s->msg, &tt);
        if (ts > 0) {
            uint64_t e2e = (uint64_t)(mw_real_us() - ts * 1000);
            mw_hist_record(m->e2e, e2e);
            if (s->bind->mslot >= 0) mw_rmetrics_e2e(m->routes, (size_t)s->bind->mslot, e2e);
        }
        mw_hist_record(m->ack, (uint64_t)(mw_mono_us() - s->t_produce_us));
        atomic_fetch_add_explicit(s->dlq ? &m->produced_dlq : &m->produced, 1,
                                  memory_order_relaxed);
        atomic_store_explicit(&m->brokers_up, true, memory_order_relaxed);
        s->part->backoff_ms = 0;
        resolve(r, s, true);
        return;
    }
    if (!s->part->failed) /* once per partition and retry round */
        logw_("%s/%d@%lld: delivery to %s failed: %s; the partition will retry", s->part->topic,
              s->part->partition, (long long)s->offset, rd_kafka_topic_name(dm->rkt),
              rd_kafka_err2str(dm->err));
    resolve(r, s, false);
}

static void on_failed_produce(mw_slot *s, void *arg)
{
    resolve(arg, s, false);
}

static void serve_deliveries(mw_run *r, int timeout_ms)
{
    rd_kafka_poll(r->producer, timeout_ms);
    while (rd_kafka_poll(r->producer, 0) > 0) {
    }
    mw_pool_take_failed(r->pool, on_failed_produce, r);
}

/* A failed partition: pause it, and when all its messages are reported and the backoff has
 * passed, seek back to its first unacknowledged offset. */
static void retry_one(mw_part *p, void *arg)
{
    mw_run *r = arg;
    if (!p->failed) return;
    r->any_failed = true;
    int64_t now = mw_mono_us();
    if (!p->paused) set_paused(r, p, true);
    if (p->retry_at_us == 0) {
        uint32_t b = p->backoff_ms ? p->backoff_ms * 2 : r->cfg.retry_backoff_ms;
        p->backoff_ms = b > r->cfg.retry_backoff_max_ms ? r->cfg.retry_backoff_max_ms : b;
        p->retry_at_us = now + (int64_t)p->backoff_ms * 1000;
    }
    if (p->pending > 0 || now < p->retry_at_us || r->draining) return;
    int64_t first = mw_parts_rewind(r->parts, p);
    p->retry_at_us = 0;
    if (first >= 0) {
        logf_("%s/%d: retrying from offset %lld after %u ms", p->topic, p->partition,
              (long long)first, p->backoff_ms);
        seek_to(r, p, first);
    }
    if (!r->backpressure && !p->stopped) set_paused(r, p, false);
}

/* ---- rebalancing ---- */

static uint32_t least_loaded(const mw_run *r)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < r->cfg.workers; i++)
        if (r->load[i] < r->load[best]) best = i;
    return best;
}

static void on_assign(mw_run *r, rd_kafka_topic_partition_list_t *l)
{
    for (int i = 0; i < l->cnt; i++) {
        const char *topic = l->elems[i].topic;
        const mw_bind *b = mw_gen_route(r->gen, topic);
        mw_part *p = b ? mw_parts_add(r->parts, topic, l->elems[i].partition) : NULL;
        if (!p) {
            logf_("%s/%d: assigned but not routed or out of memory", topic, l->elems[i].partition);
            continue;
        }
        mw_parts_bind(p, b);
        p->worker = least_loaded(r);
        r->load[p->worker]++;
    }
    rd_kafka_error_t *e = rd_kafka_incremental_assign(r->consumer, l);
    if (e) {
        logf_("incremental assign: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    /* A partition paused by an earlier owner stays paused in librdkafka; start clean. */
    rd_kafka_resume_partitions(r->consumer, l);
    if (r->backpressure || r->draining)
        for (int i = 0; i < l->cnt; i++) {
            mw_part *p = mw_parts_find(r->parts, l->elems[i].topic, l->elems[i].partition);
            if (p) set_paused(r, p, true);
        }
    r->assigned_once = true;
    atomic_store(&r->metrics->assigned, true);
    atomic_store(&r->metrics->brokers_up, true);
    logf_("assigned %d partition(s), %zu in all", l->cnt, mw_parts_count(r->parts));
}

static uint32_t pending_of(mw_run *r, rd_kafka_topic_partition_list_t *l)
{
    uint32_t n = 0;
    for (int i = 0; i < l->cnt; i++) {
        mw_part *p = mw_parts_find(r->parts, l->elems[i].topic, l->elems[i].partition);
        if (p) n += p->pending;
    }
    return n;
}

static void on_revoke(mw_run *r, rd_kafka_topic_partition_list_t *l)
{
    bool lost = rd_kafka_assignment_lost(r->consumer);
    mw_pool_flush(r->pool);
    int64_t deadline = mw_mono_us() + (int64_t)r->cfg.drain_timeout_ms * 1000;
    while (!lost && pending_of(r, l) > 0 && mw_mono_us() < deadline)
        serve_deliveries(r, 10);
    uint32_t left = pending_of(r, l);
    if (left) logf_("revoked with %u message(s) in flight; they will be redelivered", left);
    if (!lost) {
        mw_parts_store(r->parts, r->consumer);
        rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_new(l->cnt);
        for (int i = 0; i < l->cnt; i++) {
            mw_part *p = mw_parts_find(r->parts, l->elems[i].topic, l->elems[i].partition);
            if (p && p->stored >= 0)
                rd_kafka_topic_partition_list_add(c, p->topic, p->partition)->offset = p->stored;
        }
        if (c->cnt > 0) {
            rd_kafka_resp_err_t err = rd_kafka_commit(r->consumer, c, 0);
            if (err) loge_("commit on revoke: %s", rd_kafka_err2str(err));
        }
        rd_kafka_topic_partition_list_destroy(c);
    }
    for (int i = 0; i < l->cnt; i++) {
        mw_part *p = mw_parts_find(r->parts, l->elems[i].topic, l->elems[i].partition);
        if (!p) continue;
        r->load[p->worker]--;
        mw_parts_remove(r->parts, p);
    }
    rd_kafka_error_t *e = rd_kafka_incremental_unassign(r->consumer, l);
    if (e) {
        logf_("incremental unassign: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    if (mw_parts_count(r->parts) == 0) atomic_store(&r->metrics->assigned, false);
    logf_("%s %d partition(s), %zu left", lost ? "lost" : "revoked", l->cnt,
          mw_parts_count(r->parts));
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *l, void *opaque)
{
    (void)rk;
    mw_run *r = opaque;
    atomic_fetch_add_explicit(&r->metrics->rebalances, 1, memory_order_relaxed);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        on_assign(r, l);
    else
        on_revoke(r, l);
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *l,
                      void *opaque)
{
    (void)rk;
    (void)l;
    mw_run *r = opaque;
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    atomic_fetch_add_explicit(err ? &r->metrics->commit_errors : &r->metrics->commits, 1,
                              memory_order_relaxed);
    if (err) loge_("commit failed: %s", rd_kafka_err2str(err));
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    mw_run *r = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) atomic_store(&r->metrics->brokers_up, false);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_fatal_error(rk, why, sizeof why);
        loge_("fatal Kafka client error: %s", why);
        r->fatal = true;
        return;
    }
    /* A broker's connection failures are logged by librdkafka itself (facility FAIL, through
     * on_log) and reported here as well: their state is kept above, the line written once. */
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE ||
        err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL)
        return;
    loge_("%s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* librdkafka's own log lines (its threads): written once, by the worker's logger. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const mw_run *r = rd_kafka_opaque(rk);
    mw_log_kafka(&r->log, level, rd_kafka_name(rk), fac, buf);
}

void mw_run_kafka_callbacks(rd_kafka_conf_t *conf, bool producer)
{
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_error_cb(conf, on_error);
    if (producer) {
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    } else {
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
        rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    }
}

/* ---- offsets that no longer exist ---- */

/* Starts p again at offset (absolute or logical). After an offset reset error librdkafka has
 * stopped fetching the partition, and a seek does not start it again: it is taken out of the
 * assignment and put back in at the offset (the group's assignment is unchanged). */
static void restart_at(mw_run *r, mw_part *p, int64_t offset)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = offset;
    rd_kafka_error_t *e = rd_kafka_incremental_unassign(r->consumer, l);
    if (!e) e = rd_kafka_incremental_assign(r->consumer, l);
    if (e) {
        logf_("%s/%d: cannot restart at offset %lld: %s", p->topic, p->partition, (long long)offset,
              rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
    p->next_offset = offset >= 0 ? offset : -1;
    p->paused = false; /* a partition assigned again fetches */
    if (r->backpressure || r->draining) set_paused(r, p, true);
}

/* librdkafka runs with auto.offset.reset=error, so it never moves a partition by itself: it
 * stops fetching it and reports __AUTO_OFFSET_RESET with the offset it wanted, or with none
 * when the group has no committed offset for it yet. The second is the group's start
 * (auto.offset.reset as the user set it). The first means offsets are gone (retention, a
 * size limit, a recreated topic): counted, logged as an error with the range, and then either
 * skipped (on_offset_reset: continue, from the oldest offset there is) or the partition is
 * stopped (on_offset_reset: stop). */
static void offset_reset(mw_run *r, const rd_kafka_message_t *m)
{
    mw_part *p = m->rkt ? mw_parts_of(r->parts, m) : NULL;
    if (!p) return;
    if (m->offset < 0) {
        if (r->start_offset == RD_KAFKA_OFFSET_INVALID)
            stop_partition(r, p, "no committed offset, and auto.offset.reset is error");
        else
            restart_at(r, p, r->start_offset);
        return;
    }
    int64_t lo = -1, hi = -1;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(r->consumer, p->topic, p->partition, &lo, &hi, 5000);
    int64_t skipped = !err && lo > m->offset ? lo - m->offset : 0;
    atomic_fetch_add_explicit(&r->metrics->offset_resets, 1, memory_order_relaxed);
    if (skipped) mw_metrics_add_skipped(r->metrics, p->topic, p->partition, (uint64_t)skipped);
    char what[256];
    if (err)
        snprintf(what, sizeof what, "offset %lld is out of range (the log's range is unknown: %s)",
                 (long long)m->offset, rd_kafka_err2str(err));
    else if (skipped)
        snprintf(what, sizeof what,
                 "offsets %lld..%lld (%lld messages) no longer exist on the broker (retention or "
                 "a size limit deleted them before meshgate read them); they were not validated",
                 (long long)m->offset, (long long)lo - 1, (long long)skipped);
    else
        snprintf(what, sizeof what,
                 "offset %lld is past the end of the log (%lld; the topic was truncated or "
                 "recreated)",
                 (long long)m->offset, (long long)hi);
    bool stop = r->cfg.on_offset_reset == MW_RESET_STOP;
    loge_("%s/%d: %s; on_offset_reset: %s", p->topic, p->partition, what,
          stop ? "stop, so the partition stays paused"
               : "continue from the oldest offset there is");
    if (stop)
        stop_partition(r, p, what);
    else
        restart_at(r, p, err ? RD_KAFKA_OFFSET_BEGINNING : lo);
}

/* ---- consuming ---- */

static bool has_room(const mw_run *r)
{
    return mw_parts_inflight(r->parts) < r->cfg.max_inflight_messages &&
           mw_parts_inflight_bytes(r->parts) < r->cfg.max_inflight_bytes;
}

static void on_message(mw_run *r, rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
        offset_reset(r, m);
        rd_kafka_message_destroy(m);
        return;
    }
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            loge_("consumer: %s%s%s", rd_kafka_message_errstr(m), m->rkt ? " on " : "",
                  m->rkt ? rd_kafka_topic_name(m->rkt) : "");
        rd_kafka_message_destroy(m);
        return;
    }
    mw_part *p = mw_parts_of(r->parts, m);
    if (!p || p->failed) { /* not ours any more, or about to rewind anyway */
        rd_kafka_message_destroy(m);
        return;
    }
    if (p->next_offset >= 0 && m->offset < p->next_offset) {
        atomic_fetch_add_explicit(&r->metrics->redeliveries_skipped, 1, memory_order_relaxed);
        rd_kafka_message_destroy(m);
        return;
    }
    mw_slot *s = has_room(r) ? mw_parts_take(r->parts, p, m, mw_mono_us()) : NULL;
    if (!s) { /* over the bound: come back to this offset when there is room */
        set_paused(r, p, true);
        seek_to(r, p, m->offset);
        rd_kafka_message_destroy(m);
        return;
    }
    mw_pool_push(r->pool, s);
}

/* Over the in-flight bound the queue is simply not read: librdkafka's own prefetch queue is
 * bounded (queued.max.messages.kbytes), and acks normally make room within milliseconds.
 * Only when that lasts longer than this are the partitions paused, which costs a refetch. */
#define FULL_BEFORE_PAUSE_US 500000

/* Returns true when it stopped with messages possibly left in the queue (the queue's io
 * event fires only when it becomes non-empty, so the caller must come back at once). */
static bool consume(mw_run *r)
{
    bool more = true;
    int64_t now = mw_mono_us();
    for (int budget = 1024; budget > 0; budget--) {
        if ((budget & 127) == 0) mw_pool_flush(r->pool);
        bool room = has_room(r);
        if (room) {
            r->full_since_us = 0;
        } else {
            if (r->full_since_us == 0) r->full_since_us = now;
            if (!r->backpressure && now - r->full_since_us >= FULL_BEFORE_PAUSE_US) {
                r->backpressure = true;
                atomic_fetch_add_explicit(&r->metrics->paused_backpressure, 1,
                                          memory_order_relaxed);
                mw_parts_each(r->parts, pause_one, r);
            }
            if (!r->backpressure) {
                more = false; /* come back on the next delivery report */
                break;
            }
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, 0);
        if (!m) {
            more = false;
            break;
        }
        on_message(r, m);
        if (!room) {
            more = false;
            break;
        }
    }
    if (r->backpressure && !r->draining &&
        mw_parts_inflight(r->parts) <= r->cfg.max_inflight_messages / 2 &&
        mw_parts_inflight_bytes(r->parts) <= r->cfg.max_inflight_bytes / 2) {
        r->backpressure = false;
        mw_parts_each(r->parts, resume_one, r);
    }
    mw_pool_flush(r->pool);
    return more;
}

/* ---- periodic work ---- */

typedef struct lag_acc {
    mw_run *r;
    mw_lag *lag;
    size_t n, cap;
} lag_acc;

static void lag_one(mw_part *p, void *arg)
{
    lag_acc *a = arg;
    mw_run *r = a->r;
    if (a->n == a->cap) return;
    mw_lag *l = &a->lag[a->n++];
    snprintf(l->topic, sizeof l->topic, "%s", p->topic);
    l->partition = p->partition;
    int64_t lo = -1, hi = -1;
    rd_kafka_get_watermark_offsets(r->consumer, p->topic, p->partition, &lo, &hi);
    int64_t pos = p->stored >= 0 ? p->stored : -1;
    l->lag = hi >= 0 && pos >= 0 ? (hi > pos ? hi - pos : 0) : -1;
    snprintf(l->stopped, sizeof l->stopped, "%s", p->stopped ? p->stopped : "");
    /* The FIFO's head is the partition's oldest message without a delivery report. */
    l->oldest_us = p->head ? mw_mono_us() - p->head->t_fetch_us : 0;
    bool stuck = r->metrics->stuck_after_us && l->oldest_us > r->metrics->stuck_after_us;
    if (stuck && !p->stuck)
        logw_("%s/%d: stuck: its oldest message in flight (offset %lld) is %.1f s old", p->topic,
              p->partition, (long long)p->head->offset, (double)l->oldest_us / 1e6);
    else if (!stuck && p->stuck)
        logf_("%s/%d: no longer stuck", p->topic, p->partition);
    p->stuck = stuck;
}

/* The in-flight gauges, as the partition table has them now. */
static void publish_inflight(mw_run *r)
{
    atomic_store_explicit(&r->metrics->inflight_messages, mw_parts_inflight(r->parts),
                          memory_order_relaxed);
    atomic_store_explicit(&r->metrics->inflight_bytes, mw_parts_inflight_bytes(r->parts),
                          memory_order_relaxed);
}

static void ticks(mw_run *r)
{
    int64_t now = mw_mono_us();
    mw_metrics *m = r->metrics;
    publish_inflight(r);
    if (now >= r->next_lag_us) {
        r->next_lag_us = now + 1000000;
        lag_acc a = {r, NULL, 0, mw_parts_count(r->parts)};
        a.lag = a.cap ? calloc(a.cap, sizeof *a.lag) : NULL;
        if (a.lag || a.cap == 0) {
            mw_parts_each(r->parts, lag_one, &a);
            mw_metrics_set_lag(m, a.lag, a.n);
        }
        free(a.lag);
        mw_rmetrics_sample(m->routes, now);
        if (!atomic_load(&m->brokers_up)) {
            const struct rd_kafka_metadata *md = NULL;
            if (rd_kafka_metadata(r->producer, 0, NULL, &md, 200) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                atomic_store(&m->brokers_up, true);
                rd_kafka_metadata_destroy(md);
            }
        }
    }
    if (r->cfg.stats_interval_ms && now >= r->next_stats_us) {
        r->next_stats_us = now + (int64_t)r->cfg.stats_interval_ms * 1000;
        char line[sizeof r->last_stats];
        mw_metrics_stats_line(m, line, sizeof line);
        if (strcmp(line, r->last_stats) != 0) logf_("stats: %s", line); /* idle: said already */
        memcpy(r->last_stats, line, sizeof line);
    }
}

static void drain_pipe(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
}

/* Logs text at level lv, one line at a time, each prefixed. */
static void log_lines(mw_run *r, mw_log_level lv, const char *prefix, const char *text)
{
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        int len = e ? (int)(e - l) : (int)strlen(l);
        if (len) mw_log_at(&r->log, lv, "%s%.*s", prefix, len, l);
        l += len + (e != NULL);
    }
}

typedef struct switch_acc {
    const mw_gen *g;
    char *list;
    size_t len, cap, more;
} switch_acc;

/* Binds p to the new generation's route for its topic (a partition whose topic the new routes
 * no longer have keeps its binding until it is revoked), noting where it switches. */
static void rebind_one(mw_part *p, void *arg)
{
    switch_acc *a = arg;
    const mw_bind *b = mw_gen_route(a->g, p->topic);
    if (!b) return;
    mw_parts_bind(p, b);
    int w = a->len < a->cap ? snprintf(a->list + a->len, a->cap - a->len, " %s/%d@%lld", p->topic,
                                       p->partition, (long long)p->next_offset)
                            : -1;
    if (w < 0 || (size_t)w >= a->cap - a->len)
        a->more++;
    else
        a->len += (size_t)w;
}

static void on_unloaded(const mw_gen *g, void *arg)
{
    mw_run *r = arg;
    logf_("reload: generation %llu unloaded (its last message in flight was reported)",
          (unsigned long long)g->id);
}

bool mw_run_watch_arm(mw_run *r, char *errstr, size_t errlen)
{
    const mw_config *c = r->gen->cfg;
    const char **paths = calloc(2 + c->n_routes, sizeof *paths);
    if (!paths) {
        snprintf(errstr, errlen, "reload.watch: out of memory");
        return false;
    }
    size_t n = 0;
    paths[n++] = r->cfg.path;
    paths[n++] = c->schemas;
    for (size_t i = 0; i < c->n_routes; i++) /* a rotated Secret of tokens applies at once */
        if (c->routes[i].ingest == MW_INGEST_ON && c->routes[i].token_file)
            paths[n++] = c->routes[i].token_file;
    bool ok = mw_watch_arm(r->watch, paths, n, errstr, errlen);
    free(paths);
    return ok;
}

/* The watch follows the files again after a reload: new links, a schema set moved. */
static void rearm(mw_run *r)
{
    char why[1200];
    if (r->watch && !mw_run_watch_arm(r, why, sizeof why)) logw_("%s", why);
}

/* SIGHUP (or a change the watch saw, which trigger names): reloads the configuration file and
 * the schema set it names (mw_reload.c). The new generation is loaded and checked beside the
 * running one, with HTTP ingest's view of it; only if all of it is good do the partitions switch
 * to it, each at its next message (the offsets are logged: "raw/0@1234" means that offset 1234
 * of raw/0 and everything after it is judged by the new generation; @-1: all of it), and ingest
 * with it, each request that starts from then on. A changed set of input topics is subscribed
 * to (same group: a rebalance, not a restart). A failed reload changes nothing, and /readyz is
 * not affected. */
static void reload(mw_run *r, const char *trigger)
{
    char why[16384], notes[4096], list[4096];
    uint64_t id = r->gen->id + 1;
    logf_("%s: reloading %s", trigger, r->cfg.path);
    mw_gen *g = mw_reload_load(&r->cfg, r->cfg.path, environ, id, r->producer, why, sizeof why,
                               notes, sizeof notes);
    mw_ingest_view *view = NULL; /* HTTP ingest follows: the same routes and schemas */
    if (g && r->ingest &&
        !(view = mw_ingest_view_new(r->ingest, g->cfg, mw_schemas_set(g->schemas), r->catalog,
                                    &g->refs, why, sizeof why))) {
        mw_gen_free(g);
        g = NULL;
    }
    if (!g) {
        atomic_fetch_add_explicit(&r->metrics->reloads_failed, 1, memory_order_relaxed);
        log_lines(r, MW_LOG_ERROR, "reload failed: ", why);
        loge_("reload failed: still running generation %llu (schemas %s)",
              (unsigned long long)r->gen->id, r->gen->cfg->schemas);
        rearm(r);
        return;
    }
    log_lines(r, MW_LOG_WARN, "reload: ", notes);
    mw_gen *old = r->gen;
    r->gen = g;
    g->refs++; /* current */
    switch_acc a = {g, list, 0, sizeof list, 0};
    list[0] = 0;
    mw_parts_each(r->parts, rebind_one, &a);
    if (view) mw_ingest_publish(r->ingest, view); /* requests that start from now on */
    bool resubscribe = !mw_gen_same_inputs(old, g);
    old->refs--;
    mw_retired_add(&r->retired, old);
    atomic_store(&r->metrics->generation, id);
    atomic_fetch_add_explicit(&r->metrics->reloads_ok, 1, memory_order_relaxed);
    char sid[192]; /* meshgate_build_info names the set now in use */
    if (!mw_build_schema_set_id(g->cfg->schemas, sid, sizeof sid)) {
        logf_("schema set identity: %s", sid);
        snprintf(sid, sizeof sid, "unknown");
    }
    mw_metrics_set_build(r->metrics, mw_build_version(), sid);
    logf_("reload: generation %llu in use (schemas %s, %zu route(s)); switch points:%s%s",
          (unsigned long long)id, g->cfg->schemas, g->cfg->n_routes, a.len ? list : " none",
          a.more ? " ..." : "");
    if (resubscribe) {
        rd_kafka_topic_partition_list_t *sub = mw_gen_inputs(g);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(r->consumer, sub);
        rd_kafka_topic_partition_list_destroy(sub);
        if (err)
            logf_("reload: subscribing to the new input topics: %s", rd_kafka_err2str(err));
        else
            logf_("reload: the input topics changed: subscribed again (group %s)", r->cfg.group);
    }
    if (r->ingest) mw_ingest_collect(r->ingest);
    mw_retired_collect(&r->retired, on_unloaded, r);
    rearm(r);
}

/* Serves the signals that arrived; returns true when SIGTERM or SIGINT was among them. */
static bool got_signal(mw_run *r)
{
    struct signalfd_siginfo si;
    bool stop = false;
    while (read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            reload(r, "SIGHUP");
            continue;
        }
        logf_("%s: draining", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
        stop = true;
    }
    return stop;
}

void mw_run_loop(mw_run *r)
{
    bool more = false;
    for (;;) {
        struct pollfd fds[2] = {{.fd = r->wake[0], .events = POLLIN},
                                {.fd = r->sigfd, .events = POLLIN}};
        poll(fds, 2, more ? 0 : r->any_failed ? 10 : 100);
        drain_pipe(r->wake[0]);
        if (got_signal(r) || r->fatal) return;
        char what[300], trigger[400];
        if (r->watch && mw_watch_due(r->watch, mw_mono_us(), what, sizeof what)) {
            snprintf(trigger, sizeof trigger, "reload.watch: %s changed", what);
            reload(r, trigger);
        }
        serve_deliveries(r, 0);
        if (r->any_failed) {
            r->any_failed = false;
            mw_parts_each(r->parts, retry_one, r);
        }
        if (mw_parts_store(r->parts, r->consumer) > 0)
            atomic_store_explicit(&r->metrics->brokers_up, true, memory_order_relaxed);
        more = consume(r);
        ticks(r);
        if (r->ingest) mw_ingest_collect(r->ingest); /* views pin their generations */
        if (r->retired.head) mw_retired_collect(&r->retired, on_unloaded, r);
    }
}

/* ---- shutdown ---- */

typedef struct watchdog {
    mw_log log;
    uint32_t ms;
} watchdog;

static void *watchdog_main(void *arg)
{
    const watchdog *w = arg;
    struct timespec ts = {w->ms / 1000, (long)(w->ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
    mw_log_at(&w->log, MW_LOG_ERROR,
              "shutdown exceeded its bound; exiting (acknowledged offsets only were committed)");
    _exit(1);
}

int mw_run_drain(mw_run *r)
{
    pthread_t wt;
    watchdog *w = malloc(sizeof *w); /* the thread's until the process ends */
    if (w) *w = (watchdog){r->log, r->cfg.drain_timeout_ms + 10000};
    if (w && pthread_create(&wt, NULL, watchdog_main, w) == 0) pthread_detach(wt);
    r->draining = true;
    mw_parts_each(r->parts, pause_one, r);
    mw_pool_flush(r->pool);
    int64_t deadline = mw_mono_us() + (int64_t)r->cfg.drain_timeout_ms * 1000;
    while (mw_parts_pending(r->parts) > 0 && mw_mono_us() < deadline)
        serve_deliveries(r, 10);
    uint32_t left = mw_parts_pending(r->parts);
    mw_parts_store(r->parts, r->consumer);
    rd_kafka_resp_err_t err = rd_kafka_commit(r->consumer, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        loge_("final commit: %s", rd_kafka_err2str(err));
    rd_kafka_consumer_close(r->consumer);
    r->closed = true;
    publish_inflight(r); /* the drain delivered what was in flight at the last tick */
    char line[1024];
    mw_metrics_stats_line(r->metrics, line, sizeof line);
    logf_("stopped: %s", line);
    if (left)
        logw_("drain bound reached with %u message(s) in flight; they will be redelivered", left);
    return r->fatal ? 1 : 0;
}
