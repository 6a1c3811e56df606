/* mw_pool.c - the worker threads of `meshgate run`: each takes in-flight slots from its own
 * queue, validates the message, builds its CloudEvents envelope or dead-letter headers and
 * produces it.
 *
 * Design: every partition belongs to one thread (chosen at assignment), so a partition's
 * messages are validated and produced in input order; with the idempotent producer, that is
 * the order they reach each output partition. The main thread is the only producer into a
 * thread's queue, a single-producer single-consumer ring of slot pointers whose capacity is
 * the in-flight bound, so it never overflows. A thread with nothing to do sleeps on its
 * condition variable; the main thread signals it only when it announced it sleeps (the
 * seq_cst operations on the ring's tail and the sleeping flag make the hand-over race-free). Each
 * thread owns its validator, envelope scratch and statistics, so the message path takes no lock and
 * allocates nothing of its own (librdkafka copies the headers it is given). Values are produced
 * without a copy: the consumed message lives until its delivery report. A produce call that fails
 * at once (not through a delivery report) hands the slot back to the main thread via a short locked
 * list (a rare path), which treats it like a failed delivery.
 */
#include "mw_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mw_clock.h"
#include "mw_decide.h"
#include "mw_envelope.h"
#include "mw_log.h"
#include "mw_rmetrics.h"

_Static_assert(MW_RJ_INTERNAL == MG_ERR_INTERNAL - 1, "mw_reject follows mg_result");

typedef struct mw_thread {
    struct mw_pool *pool;
    uint32_t index;
    pthread_t tid;
    bool started;
    mg_validator *v;
    mw_env *env;
    mw_wstats *stats;
    mw_rstats sink; /* per-route counts of a route without series (mw_bind.mslot -1) */
    mw_slot **ring;
    uint32_t mask;
    _Atomic uint32_t head, tail;
    uint32_t unflushed;
    _Atomic int sleeping;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char name[96];
    mw_reason_buf rb; /* the texts of the current reject's reason */
    rd_kafka_vu_t vu[MW_ENV_VU_MAX];
} mw_thread;

struct mw_pool {
    const mw_config *cfg;
    rd_kafka_t *producer;
    mw_metrics *metrics;
    uint32_t n;
    mw_thread *t;
    _Atomic bool stop;
    pthread_mutex_t failed_lock;
    mw_slot **failed;
    size_t n_failed, cap_failed;
    mw_log log;
};

/* Fills th->vu for e; returns the count. */
static size_t build_vu(mw_thread *th, rd_kafka_topic_t *rkt, const mw_in *in, const mw_env *e,
                       const void *value, size_t value_len, mw_slot *s)
{
    return mw_env_vu(th->vu, rkt, e, value, value_len, in->key, in->key_len, in->timestamp_ms, s);
}

/* Produces, waiting while the producer queue is full. Returns the error of the call. The
 * caller has published the slot (publish()) and does not touch it after a success. */
static rd_kafka_resp_err_t produce(mw_thread *th, size_t n)
{
    for (;;) {
        rd_kafka_error_t *err = rd_kafka_produceva(th->pool->producer, th->vu, n);
        if (!err) return RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_resp_err_t code = rd_kafka_error_code(err);
        rd_kafka_error_destroy(err);
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) return code;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

/* The last writes to the slot before its delivery report may read it; returns the time. */
static int64_t publish(mw_slot *s, bool dlq)
{
    int64_t t = mw_mono_us();
    s->dlq = dlq;
    s->t_produce_us = t;
    atomic_store_explicit(&s->sent, true, memory_order_release);
    return t;
}

static void hand_back(mw_pool *pool, mw_slot *s)
{
    pthread_mutex_lock(&pool->failed_lock);
    if (pool->n_failed < pool->cap_failed) pool->failed[pool->n_failed++] = s;
    pthread_mutex_unlock(&pool->failed_lock);
}

/* Produces a reject to the dead-letter topic; if even that is too large for the producer,
 * the dead letter carries every header but no value, and meshgate.value_dropped says so (the
 * original stays in the input topic at the offset the headers name, while retained there). */
static rd_kafka_resp_err_t dead_letter(mw_thread *th, mw_slot *s, const mw_in *in,
                                       const mw_reason *rs, int64_t *t_prod)
{
    const char *why = NULL;
    mw_env *e = th->env;
    if (!mw_env_reject(e, s->bind->route, in, rs, th->name, mw_real_us(), &why)) {
        mw_log_at(&th->pool->log, MW_LOG_ERROR, "%s/%d@%lld: dead-letter headers: %s", in->topic,
                  in->partition, (long long)in->offset, why);
        e->n_hdrs = 0;
    }
    rd_kafka_topic_t *rkt = s->bind->dlq_rkt;
    size_t n = build_vu(th, rkt, in, e, in->value, in->value_len, s);
    *t_prod = publish(s, true);
    rd_kafka_resp_err_t err = produce(th, n);
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) { /* no report: the slot is still ours */
        if (!mw_env_drop_value(e, in->value_len, &why))
            fprintf(stderr, "meshgate run: %s/%d@%lld: dead-letter headers: %s\n", in->topic,
                    in->partition, (long long)in->offset, why);
        err = produce(th, build_vu(th, rkt, in, e, NULL, 0, s));
    }
    return err;
}

/* The index of p's route in the configuration: the slot of its per-route metrics. */

/* Passthrough routes: the message as it came (value, key, timestamp, headers). */
static void passthrough(mw_thread *th, mw_slot *s, const mw_in *in, int64_t t0, mw_rstats *rst)
{
    mw_env *e = th->env;
    e->n_hdrs = 0;
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; in->headers && e->n_hdrs < MW_ENV_MAX_HDRS &&
                       rd_kafka_header_get_all(in->headers, i, &name, &val, &len) == 0;
         i++)
        e->hdrs[e->n_hdrs++] = (mw_hdr){name, val, len};
    size_t n = build_vu(th, s->bind->out_rkt, in, e, in->value, in->value_len, s);
    int64_t t_prod = publish(s, false);
    rd_kafka_resp_err_t err = produce(th, n);
    mw_hist_record(th->stats->validate, (uint64_t)(t_prod - t0));
    mw_lehist_record(&rst->validate, (uint64_t)(t_prod - t0));
    mw_count(&th->stats->valid, 1);
    mw_count(&rst->valid, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) hand_back(th->pool, s);
}

static void process(mw_thread *th, mw_slot *s)
{
    const rd_kafka_message_t *m = s->msg;
    const mw_part *p = s->part;
    const mw_bind *b = s->bind; /* route, schema and topics: fixed when it was taken */
    mw_wstats *st = th->stats;
    /* a route a reload added has no series yet: its counts go to the thread's sink */
    mw_rstats *rst = b->mslot >= 0 ? &st->route[b->mslot] : &th->sink;
    int64_t t0 = mw_mono_us();
    mw_hist_record(st->queue, (uint64_t)(t0 - s->t_fetch_us));
    mw_count(&st->consumed, 1);
    mw_count(&st->bytes_in, m->len);
    mw_count(&rst->consumed, 1);
    mw_count(&rst->bytes_in, m->len);

    rd_kafka_timestamp_type_t tstype;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) hdrs = NULL;
    mw_in in = {.topic = p->topic,
                .partition = p->partition,
                .offset = m->offset,
                .timestamp_ms = rd_kafka_message_timestamp(m, &tstype),
                .key = m->key,
                .key_len = m->key ? m->key_len : 0,
                .value = m->payload,
                .value_len = m->payload ? m->len : 0,
                .headers = hdrs};

    if (b->route->mode == MW_CE_PASSTHROUGH) {
        passthrough(th, s, &in, t0, rst);
        return;
    }
    mw_decision d;
    mw_decide(b->route, b->set, b->schema, th->v, &in, &th->rb, &d);
    bool valid = d.valid, tomb = d.tombstone;
    mw_reason rs = d.reason;
    mw_reject rj = d.reject;
    const char *why = NULL;

    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int64_t t_prod = 0;
    const mw_route *route = b->route; /* p, s and b may be gone once a produce succeeded */
    if (valid) {
        mw_env *e = th->env;
        mw_in out = in; /* the value without its schema-id framing: the CloudEvent's data is JSON */
        if (out.value) out.value = (const char *)out.value + d.wire_off;
        out.value_len -= d.wire_off;
        if (mw_env_valid(e, b->route, d.schema->id, d.type, &out, d.kind, mw_real_us(), &why)) {
            size_t n = build_vu(th, b->out_rkt, &out, e, e->value, e->value_len, s);
            t_prod = publish(s, false);
            err = produce(th, n);
            if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
                snprintf(th->rb.message, sizeof th->rb.message,
                         "the CloudEvent (%zu bytes and headers) exceeds the producer's "
                         "message.max.bytes",
                         e->value_len);
                rs = (mw_reason){mw_reject_name(MW_RJ_TOO_LARGE), "", "", th->rb.message, NULL};
                rj = MW_RJ_TOO_LARGE;
                valid = false;
            }
        } else {
            rs = (mw_reason){mw_reject_name(MW_RJ_INTERNAL), "", "", why, NULL};
            rj = MW_RJ_INTERNAL;
            valid = false;
        }
    }
    if (!valid) err = dead_letter(th, s, &in, &rs, &t_prod);
    mw_hist_record(st->validate, (uint64_t)(t_prod - t0));
    mw_lehist_record(&rst->validate, (uint64_t)(t_prod - t0));
    if (valid) {
        mw_count(tomb ? &st->tombstones : &st->valid, 1);
        mw_count(tomb ? &rst->tombstones : &rst->valid, 1);
    } else {
        mw_count(&st->rejected[rj], 1);
        if (b->mslot >= 0)
            mw_rmetrics_reject(th->pool->metrics->routes, rst, (size_t)b->mslot, rj, rs.keyword,
                               rs.instance, rs.message, in.partition, in.offset, mw_real_us());
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        mw_log_at(&th->pool->log, MW_LOG_WARN, "%s/%d@%lld: produce to %s failed: %s", in.topic,
                  in.partition, (long long)in.offset, valid ? route->output : route->dead_letter,
                  rd_kafka_err2str(err));
        hand_back(th->pool, s);
    }
}

static mw_slot *ring_pop(mw_thread *th)
{
    uint32_t h = atomic_load_explicit(&th->head, memory_order_relaxed);
    if (h == atomic_load_explicit(&th->tail, memory_order_acquire)) return NULL;
    mw_slot *s = th->ring[h & th->mask];
    atomic_store_explicit(&th->head, h + 1, memory_order_release);
    return s;
}

static void *thread_main(void *arg)
{
    mw_thread *th = arg;
    mw_pool *pool = th->pool;
    for (;;) {
        mw_slot *s = ring_pop(th);
        if (s) {
            process(th, s);
            continue;
        }
        /* Announce the sleep, then look again: with wake()'s seq_cst pair, either this
         * load sees the new tail or wake() sees sleeping (no lost wake-up). */
        atomic_store(&th->sleeping, 1);
        if (atomic_load(&th->tail) != atomic_load_explicit(&th->head, memory_order_relaxed)) {
            atomic_store(&th->sleeping, 0);
            continue;
        }
        pthread_mutex_lock(&th->lock);
        while (atomic_load(&th->head) == atomic_load(&th->tail) && !atomic_load(&pool->stop))
            pthread_cond_wait(&th->cond, &th->lock);
        pthread_mutex_unlock(&th->lock);
        atomic_store(&th->sleeping, 0);
        if (atomic_load(&th->head) == atomic_load(&th->tail) && atomic_load(&pool->stop)) break;
    }
    return NULL;
}

void mw_pool_push(mw_pool *pool, mw_slot *s)
{
    mw_thread *th = &pool->t[s->part->worker];
    uint32_t t = atomic_load_explicit(&th->tail, memory_order_relaxed);
    th->ring[t & th->mask] = s;
    atomic_store_explicit(&th->tail, t + 1, memory_order_release);
    th->unflushed++;
}

static void wake(mw_thread *th)
{
    atomic_fetch_add(&th->tail, 0); /* seq_cst, ordered before the load of sleeping */
    if (!atomic_load(&th->sleeping)) return;
    pthread_mutex_lock(&th->lock);
    pthread_cond_signal(&th->cond);
    pthread_mutex_unlock(&th->lock);
}

void mw_pool_flush(mw_pool *pool)
{
    if (!pool) return;
    for (uint32_t i = 0; i < pool->n; i++)
        if (pool->t[i].unflushed) {
            pool->t[i].unflushed = 0;
            wake(&pool->t[i]);
        }
}

void mw_pool_take_failed(mw_pool *pool, void (*fn)(mw_slot *s, void *arg), void *arg)
{
    if (!pool) return;
    pthread_mutex_lock(&pool->failed_lock);
    size_t n = pool->n_failed;
    pool->n_failed = 0;
    for (size_t i = 0; i < n; i++)
        fn(pool->failed[i], arg);
    pthread_mutex_unlock(&pool->failed_lock);
}

static void free_threads(mw_pool *pool)
{
    for (uint32_t i = 0; i < pool->n; i++) {
        mw_thread *th = &pool->t[i];
        mg_validator_free(th->v);
        mw_env_free(th->env);
        free(th->ring);
        pthread_mutex_destroy(&th->lock);
        pthread_cond_destroy(&th->cond);
    }
    free(pool->t);
    free(pool->failed);
    pthread_mutex_destroy(&pool->failed_lock);
    free(pool);
}

void mw_pool_stop(mw_pool *pool)
{
    if (!pool) return;
    atomic_store(&pool->stop, true);
    for (uint32_t i = 0; i < pool->n; i++) {
        mw_thread *th = &pool->t[i];
        pthread_mutex_lock(&th->lock);
        pthread_cond_signal(&th->cond);
        pthread_mutex_unlock(&th->lock);
    }
    for (uint32_t i = 0; i < pool->n; i++)
        if (pool->t[i].started) pthread_join(pool->t[i].tid, NULL);
    free_threads(pool);
}

mw_pool *mw_pool_start(const mw_config *cfg, rd_kafka_t *producer, mw_metrics *metrics, uint32_t n,
                       uint32_t queue_cap, char *errstr, size_t errlen)
{
    mw_pool *pool = calloc(1, sizeof *pool);
    if (!pool) goto oom;
    pool->cfg = cfg;
    pool->producer = producer;
    pool->metrics = metrics;
    pool->log = (mw_log){cfg->log_format, cfg->log_level, "meshgate run"};
    pthread_mutex_init(&pool->failed_lock, NULL);
    pool->cap_failed = queue_cap;
    pool->failed = calloc(queue_cap, sizeof *pool->failed);
    pool->t = calloc(n, sizeof *pool->t);
    if (!pool->failed || !pool->t) goto oom;
    pool->n = n;
    uint32_t cap = 1;
    while (cap < queue_cap)
        cap <<= 1;
    mg_validator_conf vc = mw_config_validator_conf(cfg);
    for (uint32_t i = 0; i < n; i++) {
        mw_thread *th = &pool->t[i];
        th->pool = pool;
        th->index = i;
        th->stats = &metrics->w[i];
        pthread_mutex_init(&th->lock, NULL);
        pthread_cond_init(&th->cond, NULL);
        snprintf(th->name, sizeof th->name, "%s/%u", cfg->worker_id, i);
        th->ring = calloc(cap, sizeof *th->ring);
        th->mask = cap - 1;
        th->env = mw_env_new(64 * 1024);
        if (!th->ring || !th->env) goto oom;
        th->v = mg_validator_new(&vc, errstr, errlen);
        if (!th->v) {
            free_threads(pool);
            return NULL;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (pthread_create(&pool->t[i].tid, NULL, thread_main, &pool->t[i]) != 0) {
            snprintf(errstr, errlen, "cannot start worker thread %u", i);
            mw_pool_stop(pool);
            return NULL;
        }
        pool->t[i].started = true;
    }
    return pool;
oom:
    snprintf(errstr, errlen, "out of memory starting %u worker threads", n);
    if (pool) free_threads(pool);
    return NULL;
}
