/* mw_dlq_replay.c - `meshgate dlq --replay`: re-sends dead letters, after a schema or producer
 * fix, to a topic (usually the raw input the worker reads).
 *
 * Design: each selected record is re-sent with its original key, value and timestamp and its
 * original headers (every meshgate.* header the worker added is dropped) plus
 * meshgate.replay_count = the record's count + 1, so a record that keeps failing is refused
 * once it reached --max-replays instead of cycling forever. With --revalidate the record's
 * value is first checked against its schema (meshgate.schema) in the current compiled set;
 * only records that now pass are re-sent, the others are printed with their new reason. The
 * producer is idempotent; the finish waits for every delivery report and counts failures.
 * Single-threaded (delivery reports are served by rd_kafka_poll/flush on the caller's thread).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"
#include "mw_dlq.h"
#include "mw_schemas.h"

struct mw_replay {
    mw_replay_opts o;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    mw_schemas *set;
    mg_validator *v;
    uint64_t replayed, invalid, over_limit, failed, delivered;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    mw_replay *r = opaque;
    if (m->err) {
        r->failed++;
        fprintf(stderr, "meshgate dlq: replay to %s failed: %s\n", r->o.to,
                rd_kafka_err2str(m->err));
    } else {
        r->delivered++;
    }
}

static void fail_new(mw_replay *r)
{
    if (r->v) mg_validator_free(r->v);
    if (r->set) mw_schemas_free(r->set);
    if (r->rkt) rd_kafka_topic_destroy(r->rkt);
    if (r->rk) rd_kafka_destroy(r->rk);
    if (r->o.conf) rd_kafka_conf_destroy(r->o.conf);
    free(r);
}

mw_replay *mw_replay_new(mw_replay_opts *o, char *errstr, size_t errlen)
{
    mw_replay *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->o = *o;
    o->conf = NULL;
    if (r->o.schemas) {
        r->set = mw_schemas_load(r->o.schemas, errstr, errlen);
        mg_validator_conf vc = {.max_bytes = 256u << 20};
        if (r->set) r->v = mg_validator_new(&vc, errstr, errlen);
        if (!r->v) {
            fail_new(r);
            return NULL;
        }
    }
    if (r->o.dry_run) return r;
    char why[512];
    if (rd_kafka_conf_set(r->o.conf, "enable.idempotence", "true", why, sizeof why) !=
        RD_KAFKA_CONF_OK) {
        snprintf(errstr, errlen, "producer: %s", why);
        fail_new(r);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(r->o.conf, on_delivery);
    rd_kafka_conf_set_opaque(r->o.conf, r);
    r->rk = rd_kafka_new(RD_KAFKA_PRODUCER, r->o.conf, errstr, errlen);
    if (!r->rk) {
        fail_new(r);
        return NULL;
    }
    r->o.conf = NULL;
    r->rkt = rd_kafka_topic_new(r->rk, r->o.to, NULL);
    return r;
}

static void report(const mw_dlq_rec *rec, const char *what)
{
    printf("%s %s/%s@%s %s\n", what, *rec->origin_topic ? rec->origin_topic : rec->topic,
           *rec->origin_partition ? rec->origin_partition : "?",
           *rec->origin_offset ? rec->origin_offset : "?", *rec->schema ? rec->schema : "-");
}

/* true if the record's value passes its schema now; otherwise prints why not. */
static bool passes_now(mw_replay *r, const mw_dlq_rec *rec)
{
    const rd_kafka_message_t *m = rec->msg;
    const mg_schema *s = mg_schema_find(mw_schemas_set(r->set), rec->schema);
    if (!s) {
        printf("still invalid %s/%s@%s: schema \"%s\" is not in %s\n", rec->origin_topic,
               rec->origin_partition, rec->origin_offset, rec->schema, r->o.schemas);
        return false;
    }
    mg_result res = mg_validate(r->v, s, m->payload ? m->payload : "", m->len, m->len);
    if (res == MG_OK) return true;
    char msg[1024];
    mg_error_format(r->v, 0, msg, sizeof msg);
    printf("still invalid %s/%s@%s %s %s: %s\n", rec->origin_topic, rec->origin_partition,
           rec->origin_offset, rec->schema, mg_result_name(res), msg);
    return false;
}

static rd_kafka_headers_t *replay_headers(const mw_dlq_rec *rec)
{
    rd_kafka_headers_t *in = NULL, *out = rd_kafka_headers_new(8);
    if (rd_kafka_message_headers(rec->msg, &in) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(in, i, &name, &val, &len) == 0; i++)
            if (strncmp(name, "meshgate.", 9) != 0)
                rd_kafka_header_add(out, name, -1, val, val ? (ssize_t)len : 0);
    }
    char n[24];
    int nl = snprintf(n, sizeof n, "%ld", rec->replay_count + 1);
    rd_kafka_header_add(out, "meshgate.replay_count", -1, n, nl);
    return out;
}

void mw_replay_one(mw_replay *r, const mw_dlq_rec *rec)
{
    if (rec->replay_count >= r->o.max_replays) {
        r->over_limit++;
        printf("over replay limit %s/%s@%s %s: replayed %ld time(s) already (--max-replays %ld)\n",
               rec->origin_topic, rec->origin_partition, rec->origin_offset, rec->schema,
               rec->replay_count, r->o.max_replays);
        return;
    }
    if (r->set && !passes_now(r, rec)) {
        r->invalid++;
        return;
    }
    r->replayed++;
    if (r->o.dry_run) {
        report(rec, "would replay");
        return;
    }
    const rd_kafka_message_t *m = rec->msg;
    rd_kafka_headers_t *h = replay_headers(rec);
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            r->rk, RD_KAFKA_V_RKT(r->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_VALUE(m->payload, m->len),
            RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms > 0 ? rec->timestamp_ms : 0),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(r), RD_KAFKA_V_END);
        if (!err) return; /* the headers now belong to the message */
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "meshgate dlq: replay to %s: %s\n", r->o.to, rd_kafka_err2str(err));
            r->failed++;
            r->replayed--;
            rd_kafka_headers_destroy(h);
            return;
        }
        rd_kafka_poll(r->rk, 100);
    }
}

int mw_replay_finish(mw_replay *r)
{
    if (r->rk) {
        while (rd_kafka_outq_len(r->rk) > 0 &&
               rd_kafka_flush(r->rk, 30000) == RD_KAFKA_RESP_ERR__TIMED_OUT)
            fprintf(stderr, "meshgate dlq: still waiting for %d delivery report(s)\n",
                    rd_kafka_outq_len(r->rk));
        rd_kafka_poll(r->rk, 0);
    }
    uint64_t sent = r->o.dry_run ? r->replayed : r->delivered;
    printf("%s %llu, still invalid %llu, over replay limit %llu, failed %llu\n",
           r->o.dry_run ? "would replay" : "replayed", (unsigned long long)sent,
           (unsigned long long)r->invalid, (unsigned long long)r->over_limit,
           (unsigned long long)r->failed);
    int rc = r->failed ? 1 : 0;
    fail_new(r);
    return rc;
}
