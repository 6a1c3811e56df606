/* mw_dlq_replay.c - `meshgate dlq --replay`: re-sends dead letters, after a schema or producer
 * fix, to a topic (by default each record's origin, the raw input the worker reads).
 *
 * Design: each selected record is re-sent with its original key, value and timestamp and its
 * input headers (every header in the dead-letter families, mw_dlq_headers.h, is dropped; the
 * gate renamed a producer's own ones untrusted.*, which stay) plus meshgate.replay_count = the
 * record's count + 1; the gate carries that count onto the record's next dead letter, so a
 * record that keeps failing is refused once it reached --max-replays, and its headers do not
 * grow from one attempt to the next.
 *
 * Progress: the reader's consumer is in the consumer group mw_replay_group() names (one per
 * target); a replay starts where the last one committed (unless --from says otherwise) and
 * commits, every CHECKPOINT records and at the end, the position after the last record read in
 * each partition once every replayed record before it was acknowledged. A record whose
 * delivery failed holds its partition's commit at its offset, so the next run tries it again.
 * So a replay run twice replays nothing twice (what the first run rejected again comes back
 * as a new dead letter with its attempt count, and is replayed as such).
 *
 * A dead letter kept without its value (meshgate.value_dropped: too large for the dead-letter
 * topic) is replayed with the value read from its origin offset while that is still retained,
 * else refused with the reason. --revalidate runs the worker's own verdict (mw_decide()) with
 * the route of the worker's --config (or the schema named by the dead letter in --schemas), so
 * it replays exactly what the worker would now accept. Single-threaded (delivery reports are
 * served by rd_kafka_poll/flush on the caller's thread).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"
#include "mw_decide.h"
#include "mw_dlq.h"
#include "mw_dlq_headers.h"
#include "mw_schemas.h"

#define CHECKPOINT 1000 /* records produced between progress commits */
#define WAIT_MS 10000   /* for one metadata or fetch answer */

typedef struct progress {
    char *topic;
    int32_t partition;
    int64_t next;      /* the offset after the last record read */
    int64_t failed_at; /* the lowest offset whose replay failed, INT64_MAX if none */
} progress;

typedef struct pending { /* a produced record, until its delivery report */
    struct mw_replay *r;
    size_t part; /* index in r->parts */
    int64_t offset;
} pending;

struct mw_replay {
    mw_replay_opts o;
    rd_kafka_t *rk;     /* producer */
    rd_kafka_t *origin; /* consumer for values read from their origin (made when needed) */
    mw_schemas *set;
    mg_validator *v;
    mw_reason_buf rb;
    progress *parts;
    size_t nparts;
    uint64_t since_commit;
    uint64_t replayed, invalid, over_limit, unavailable, failed, delivered;
    bool commit_failed;
};

void mw_replay_group(char *buf, size_t cap, const char *to)
{
    snprintf(buf, cap, "meshgate-dlq-replay.%s", to ? to : "origin");
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    pending *p = m->_private;
    mw_replay *r = p->r;
    if (m->err) {
        r->failed++;
        progress *pr = &r->parts[p->part];
        if (p->offset < pr->failed_at) pr->failed_at = p->offset;
        fprintf(stderr, "meshgate dlq: replay of %s/%d@%lld to %s failed: %s\n", pr->topic,
                pr->partition, (long long)p->offset, rd_kafka_topic_name(m->rkt),
                rd_kafka_err2str(m->err));
    } else {
        r->delivered++;
    }
    free(p);
}

static void free_replay(mw_replay *r)
{
    if (r->v) mg_validator_free(r->v);
    if (r->set) mw_schemas_free(r->set);
    if (r->rk) rd_kafka_destroy(r->rk);
    if (r->origin) {
        rd_kafka_consumer_close(r->origin);
        rd_kafka_destroy(r->origin);
    }
    if (r->o.conf) rd_kafka_conf_destroy(r->o.conf);
    if (r->o.origin_conf) rd_kafka_conf_destroy(r->o.origin_conf);
    for (size_t i = 0; i < r->nparts; i++)
        free(r->parts[i].topic);
    free(r->parts);
    free(r);
}

mw_replay *mw_replay_new(mw_replay_opts *o, char *errstr, size_t errlen)
{
    mw_replay *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->o = *o;
    o->conf = o->origin_conf = NULL;
    if (r->o.schemas) {
        r->set = mw_schemas_load(r->o.schemas, errstr, errlen);
        mg_validator_conf vc = mw_config_validator_conf(r->o.cfg);
        if (r->set) r->v = mg_validator_new(&vc, errstr, errlen);
        /* the routes' variants judge as the worker's do (the configuration is the caller's,
         * loaded for this run) */
        if (r->v && r->o.cfg &&
            !mw_variants_bind((mw_config *)r->o.cfg, mw_schemas_set(r->set), errstr, errlen)) {
            mg_validator_free(r->v);
            r->v = NULL;
        }
        if (!r->v) {
            free_replay(r);
            return NULL;
        }
    }
    if (r->o.dry_run) return r;
    char why[512];
    if (rd_kafka_conf_set(r->o.conf, "enable.idempotence", "true", why, sizeof why) !=
        RD_KAFKA_CONF_OK) {
        snprintf(errstr, errlen, "producer: %s", why);
        free_replay(r);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(r->o.conf, on_delivery);
    r->rk = rd_kafka_new(RD_KAFKA_PRODUCER, r->o.conf, errstr, errlen);
    if (!r->rk) {
        free_replay(r);
        return NULL;
    }
    r->o.conf = NULL;
    return r;
}

static size_t part_of(mw_replay *r, const rd_kafka_message_t *m)
{
    const char *t = rd_kafka_topic_name(m->rkt);
    for (size_t i = 0; i < r->nparts; i++)
        if (r->parts[i].partition == m->partition && !strcmp(r->parts[i].topic, t)) return i;
    progress *np = realloc(r->parts, (r->nparts + 1) * sizeof *np);
    if (!np) abort();
    r->parts = np;
    char *tc = strdup(t);
    if (!tc) abort();
    r->parts[r->nparts] = (progress){tc, m->partition, -1, INT64_MAX};
    return r->nparts++;
}

void mw_replay_seen(mw_replay *r, const rd_kafka_message_t *m)
{
    size_t i = part_of(r, m); /* may move r->parts */
    r->parts[i].next = m->offset + 1;
}

/* Commits each partition's progress (held at a failed replay); false if the commit failed. */
static bool commit(mw_replay *r)
{
    if (r->o.dry_run || !r->nparts) return true;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)r->nparts);
    for (size_t i = 0; i < r->nparts; i++) {
        progress *p = &r->parts[i];
        int64_t at = p->failed_at < p->next ? p->failed_at : p->next;
        if (at >= 0) rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = at;
    }
    rd_kafka_resp_err_t err =
        l->cnt ? rd_kafka_commit(r->o.consumer, l, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        fprintf(stderr, "meshgate dlq: cannot commit the replay's progress: %s\n",
                rd_kafka_err2str(err));
        r->commit_failed = true;
    }
    return !err;
}

/* Waits for every delivery report (each record produced so far acknowledged or failed). */
static void drain(mw_replay *r)
{
    if (!r->rk) return;
    while (rd_kafka_outq_len(r->rk) > 0 &&
           rd_kafka_flush(r->rk, 30000) == RD_KAFKA_RESP_ERR__TIMED_OUT)
        fprintf(stderr, "meshgate dlq: still waiting for %d delivery report(s)\n",
                rd_kafka_outq_len(r->rk));
    rd_kafka_poll(r->rk, 0);
}

/* ---- values read from their origin ---- */

static bool origin_consumer(mw_replay *r, char *why, size_t cap)
{
    if (r->origin) return true;
    char err[512];
    rd_kafka_conf_t *c = r->o.origin_conf;
    if (!c) {
        snprintf(why, cap, "no consumer configuration for the origin topic");
        return false;
    }
    if (rd_kafka_conf_set(c, "group.id", "meshgate-dlq-origin", err, sizeof err) ||
        rd_kafka_conf_set(c, "enable.auto.commit", "false", err, sizeof err) ||
        rd_kafka_conf_set(c, "enable.partition.eof", "true", err, sizeof err)) {
        snprintf(why, cap, "origin consumer: %.400s", err);
        return false;
    }
    r->origin = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    if (!r->origin) {
        snprintf(why, cap, "origin consumer: %.400s", err);
        return false;
    }
    r->o.origin_conf = NULL;
    return true;
}

/* The record at the dead letter's origin, or NULL and why not. */
static rd_kafka_message_t *from_origin(mw_replay *r, const mw_dlq_rec *rec, char *why, size_t cap)
{
    if (!*rec->origin_topic || rec->origin_part < 0 || rec->origin_off < 0) {
        snprintf(why, cap, "the dead letter names no origin topic, partition and offset");
        return NULL;
    }
    if (!origin_consumer(r, why, cap)) return NULL;
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(r->origin, rec->origin_topic,
                                                               rec->origin_part, &lo, &hi, WAIT_MS);
    if (err) {
        snprintf(why, cap, "cannot read %s/%d: %s", rec->origin_topic, rec->origin_part,
                 rd_kafka_err2str(err));
        return NULL;
    }
    if (rec->origin_off < lo || rec->origin_off >= hi) {
        snprintf(why, cap, "offset %lld is no longer in %s/%d (it holds %lld..%lld)",
                 (long long)rec->origin_off, rec->origin_topic, rec->origin_part, (long long)lo,
                 (long long)hi - 1);
        return NULL;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, rec->origin_topic, rec->origin_part)->offset =
        rec->origin_off;
    err = rd_kafka_assign(r->origin, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_message_t *m = NULL;
    for (int waited = 0; !err && !m && waited < WAIT_MS; waited += 200) {
        m = rd_kafka_consumer_poll(r->origin, 200);
        if (m && m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            err = m->err;
            rd_kafka_message_destroy(m);
            m = NULL;
        } else if (m && (m->err || m->offset != rec->origin_off)) { /* compacted away */
            snprintf(why, cap, "offset %lld is no longer in %s/%d", (long long)rec->origin_off,
                     rec->origin_topic, rec->origin_part);
            rd_kafka_message_destroy(m);
            rd_kafka_assign(r->origin, NULL);
            return NULL;
        }
    }
    rd_kafka_assign(r->origin, NULL);
    if (!m)
        snprintf(why, cap, "cannot read %s/%d@%lld: %s", rec->origin_topic, rec->origin_part,
                 (long long)rec->origin_off, err ? rd_kafka_err2str(err) : "no answer in time");
    return m;
}

/* ---- the verdict ---- */

/* The worker's route that judged the record: by its dead-letter topic and origin, else by its
 * origin, else by its dead-letter topic and schema; without --config, one on its schema. */
static const mw_route *route_of(const mw_replay *r, const mw_dlq_rec *rec, mw_route *fallback)
{
    const mw_config *c = r->o.cfg;
    for (size_t i = 0; c && i < c->n_routes; i++)
        if (!strcmp(c->routes[i].dead_letter, rec->topic) &&
            !strcmp(c->routes[i].input, rec->origin_topic))
            return &c->routes[i];
    for (size_t i = 0; c && i < c->n_routes; i++) /* read from another dead-letter topic */
        if (!strcmp(c->routes[i].input, rec->origin_topic)) return &c->routes[i];
    for (size_t i = 0; c && i < c->n_routes; i++) /* replayed to another topic */
        if (!strcmp(c->routes[i].dead_letter, rec->topic) &&
            !strcmp(c->routes[i].schema, rec->schema))
            return &c->routes[i];
    if (c) return NULL;
    *fallback = (mw_route){.input = (char *)rec->origin_topic, .schema = (char *)rec->schema};
    return fallback;
}

/* true if the worker would now accept the record (value: its value, maybe from the origin);
 * otherwise prints why not. */
static bool passes_now(mw_replay *r, const mw_dlq_rec *rec, const void *value, size_t len)
{
    mw_route fallback;
    const mw_route *route = route_of(r, rec, &fallback);
    if (!route) {
        mw_dlq_print_place("still invalid", rec);
        printf(": no route of %s reads %s into %s\n", r->o.cfg->path, rec->origin_topic,
               rec->topic);
        return false;
    }
    const mg_schema *s = mg_schema_find(mw_schemas_set(r->set), route->schema);
    if (!s) {
        mw_dlq_print_place("still invalid", rec);
        printf(": schema \"%s\" is not in %s\n", route->schema, r->o.schemas);
        return false;
    }
    const rd_kafka_message_t *m = rec->msg;
    rd_kafka_headers_t *hs = NULL;
    if (rd_kafka_message_headers(m, &hs) != RD_KAFKA_RESP_ERR_NO_ERROR) hs = NULL;
    mw_in in = {.topic = rec->origin_topic,
                .partition = rec->origin_part,
                .offset = rec->origin_off,
                .timestamp_ms = rec->timestamp_ms,
                .key = m->key,
                .key_len = m->key ? m->key_len : 0,
                .value = value,
                .value_len = value ? len : 0,
                .headers = hs};
    mw_decision d;
    mw_decide(route, mw_schemas_set(r->set), s, r->v, &in, &r->rb, &d);
    if (d.valid) return true;
    mw_dlq_print_place("still invalid", rec);
    printf(" %s", d.reason.code);
    if (*d.reason.instance || *d.reason.keyword)
        printf(" at %s (%s)", *d.reason.instance ? d.reason.instance : "(root)", d.reason.keyword);
    printf(": %s\n", d.reason.message);
    return false;
}

/* ---- replaying ---- */

static rd_kafka_headers_t *replay_headers(const mw_dlq_rec *rec)
{
    rd_kafka_headers_t *in = NULL, *out = rd_kafka_headers_new(8);
    if (rd_kafka_message_headers(rec->msg, &in) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(in, i, &name, &val, &len) == 0; i++)
            if (!mw_dlh_reserved(name))
                rd_kafka_header_add(out, name, -1, val, val ? (ssize_t)len : 0);
    }
    char n[24];
    int nl = snprintf(n, sizeof n, "%ld", rec->replay_count + 1);
    rd_kafka_header_add(out, mw_dlh_name(MW_DLH_REPLAY_COUNT), -1, n, nl);
    return out;
}

static void produce(mw_replay *r, const mw_dlq_rec *rec, const char *to, const void *value,
                    size_t len)
{
    const rd_kafka_message_t *m = rec->msg;
    rd_kafka_headers_t *h = replay_headers(rec);
    pending *p = malloc(sizeof *p);
    if (!p) abort();
    *p = (pending){r, part_of(r, m), m->offset};
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            r->rk, RD_KAFKA_V_TOPIC(to), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_VALUE((void *)value, len),
            RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms > 0 ? rec->timestamp_ms : 0),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(p), RD_KAFKA_V_END);
        if (!err) break; /* the headers now belong to the message */
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "meshgate dlq: replay to %s: %s\n", to, rd_kafka_err2str(err));
            r->failed++;
            r->replayed--;
            progress *pr = &r->parts[p->part];
            if (p->offset < pr->failed_at) pr->failed_at = p->offset;
            rd_kafka_headers_destroy(h);
            free(p);
            return;
        }
        rd_kafka_poll(r->rk, 100);
    }
    rd_kafka_poll(r->rk, 0);
    if (++r->since_commit >= CHECKPOINT) {
        drain(r);
        commit(r);
        r->since_commit = 0;
    }
}

void mw_replay_one(mw_replay *r, const mw_dlq_rec *rec)
{
    if (rec->replay_count < 0 || rec->replay_count >= r->o.max_replays) {
        r->over_limit++;
        mw_dlq_print_place("over replay limit", rec);
        if (rec->replay_count < 0)
            printf(": meshgate.replay_count is not a plain count (not written by meshgate)\n");
        else
            printf(": replayed %ld time(s) already (--max-replays %ld)\n", rec->replay_count,
                   r->o.max_replays);
        return;
    }
    const char *to = r->o.to ? r->o.to : rec->origin_topic;
    if (!*to) {
        r->unavailable++;
        mw_dlq_print_place("not replayable", rec);
        printf(": no --to and the dead letter names no origin topic\n");
        return;
    }
    const rd_kafka_message_t *m = rec->msg;
    const void *value = m->payload;
    size_t len = m->len;
    rd_kafka_message_t *orig = NULL;
    if (rec->value_dropped >= 0) {
        char why[512];
        orig = from_origin(r, rec, why, sizeof why);
        if (!orig) {
            r->unavailable++;
            mw_dlq_print_place("not replayable", rec);
            printf(": its value (%ld bytes) was too large to keep and %s\n", rec->value_dropped,
                   why);
            return;
        }
        value = orig->payload;
        len = orig->len;
    }
    if (r->set && !passes_now(r, rec, value, len)) {
        r->invalid++;
    } else if (r->o.dry_run) {
        r->replayed++;
        mw_dlq_print_place("would replay", rec);
        printf(" to %s%s\n", to, orig ? " (the value from its origin offset)" : "");
    } else {
        r->replayed++;
        produce(r, rec, to, value, len);
    }
    if (orig) rd_kafka_message_destroy(orig);
}

int mw_replay_finish(mw_replay *r)
{
    drain(r);
    commit(r);
    uint64_t sent = r->o.dry_run ? r->replayed : r->delivered;
    printf("%s %llu, still invalid %llu, over replay limit %llu, not replayable %llu, failed "
           "%llu\n",
           r->o.dry_run ? "would replay" : "replayed", (unsigned long long)sent,
           (unsigned long long)r->invalid, (unsigned long long)r->over_limit,
           (unsigned long long)r->unavailable, (unsigned long long)r->failed);
    int rc = r->failed || r->commit_failed ? 1 : 0;
    free_replay(r);
    return rc;
}
