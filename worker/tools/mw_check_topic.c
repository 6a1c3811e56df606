/* mw_check_topic.c - `meshgate check-topic`: runs a topic's retained messages through a schema
 * version (typically one not registered yet) and counts what it would refuse, by reason, so a
 * team knows before it registers the version what today's producers would lose.
 *
 * Design: a consumer without a consumer group (nothing committed: checking never moves a
 * worker's offsets) is assigned every partition of the topic at --from and reads until each
 * partition reported its end (enable.partition.eof). Each message goes through mw_decide(), the
 * worker's own verdict, on a route built from the options (its tombstones and schema_id
 * options), so check-topic refuses exactly what `meshgate run` would dead-letter. One thread;
 * the message path allocates nothing (the first refusal of each reason is kept as an example,
 * escaped, in a fixed buffer).
 */
#include "mw_check_topic.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "mg_escape.h"
#include "mw_decide.h"
#include "mw_dlq.h"
#include "mw_schemas.h"
#include "mw_signal.h"

typedef struct opts {
    const char *brokers, *schemas, *schema, *topic, *from, *schema_id, *tombstones;
    const char **props; /* -X key=value */
    size_t nprops;
} opts;

typedef struct tally {
    uint64_t read, accepted, tombstones, refused;
    uint64_t by[MW_RJ_COUNT];
    char example[MW_RJ_COUNT][640]; /* the first refusal of each reason: where and why */
    mw_reason_buf rb;               /* the texts of the current refusal */
} tally;

static void usage(FILE *o)
{
    fputs("usage: meshgate check-topic --schemas NEW.so --schema NAME --topic T\n"
          "                            (--brokers LIST | -b LIST) [options]\n"
          "Runs the topic's retained messages through schema NAME of NEW.so, as `meshgate run`\n"
          "would judge them (no consumer group, nothing committed, nothing produced), and\n"
          "prints how many it would refuse, by reason.\n"
          "  --schemas NEW.so     the schema set holding the version to try\n"
          "  --schema NAME        its name or $id (SUBJECT/versions/N in a registry set)\n"
          "  --topic T            the topic whose history is read\n"
          "  --brokers LIST, -b   bootstrap servers\n"
          "  -X KEY=VALUE         a librdkafka property (security.protocol, sasl.*, ...)\n"
          "  --from W             beginning (default), an offset (each partition), or a time\n"
          "                       (RFC 3339 or -30m, -2h, -7d)\n"
          "  --schema-id MODE     none (default), confluent, apicurio or auto: messages carry\n"
          "                       registry schema ids, read as a route with that schema_id\n"
          "                       reads them; the payload past the id is checked against NAME\n"
          "                       (a message without an id is refused: missing_schema_id)\n"
          "  --tombstones T       forward (default) or dead_letter, as the route's option\n"
          "Exit status: 0 none refused, 1 some refused, 2 usage or set-up error.\n",
          o);
}

static int parse_opts(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        const char **str_opt = !strcmp(a, "--brokers") || !strcmp(a, "-b") ? &o->brokers
                               : !strcmp(a, "--schemas")                   ? &o->schemas
                               : !strcmp(a, "--schema")                    ? &o->schema
                               : !strcmp(a, "--topic")                     ? &o->topic
                               : !strcmp(a, "--from")                      ? &o->from
                               : !strcmp(a, "--schema-id")                 ? &o->schema_id
                               : !strcmp(a, "--tombstones")                ? &o->tombstones
                                                                           : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (str_opt && has) {
            *str_opt = argv[++i];
        } else if (!strcmp(a, "-X") && has) {
            o->props[o->nprops++] = argv[++i];
        } else {
            fprintf(stderr, "meshgate check-topic: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    const char *bad = !o->schemas   ? "--schemas NEW.so is required"
                      : !o->schema  ? "--schema NAME is required"
                      : !o->topic   ? "--topic T is required"
                      : !o->brokers ? "--brokers LIST is required"
                                    : NULL;
    if (bad) {
        fprintf(stderr, "meshgate check-topic: %s\n", bad);
        usage(stderr);
        return 2;
    }
    return -1;
}

/* The route check-topic judges by: the options that change a verdict. */
static bool route_of(const opts *o, mw_route *r, char *errstr, size_t errlen)
{
    static const char *const modes[] = {"none", "confluent", "apicurio", "auto"};
    *r = (mw_route){.input = (char *)o->topic, .schema = (char *)o->schema};
    if (o->schema_id) {
        int m = 0;
        while (m < 4 && strcmp(o->schema_id, modes[m]) != 0)
            m++;
        if (m == 4) {
            snprintf(errstr, errlen, "--schema-id: \"%s\" is not none, confluent, apicurio or auto",
                     o->schema_id);
            return false;
        }
        r->schema_id = (mw_wire_mode)m;
    }
    if (o->tombstones && strcmp(o->tombstones, "forward") != 0) {
        if (strcmp(o->tombstones, "dead_letter") != 0) {
            snprintf(errstr, errlen, "--tombstones: \"%s\" is not forward or dead_letter",
                     o->tombstones);
            return false;
        }
        r->tombstones = MW_TOMB_DEAD_LETTER;
    }
    return true;
}

static rd_kafka_t *consumer(const opts *o, char *errstr, size_t errlen)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char gid[64], why[512];
    snprintf(gid, sizeof gid, "meshgate-check-topic-%ld", (long)getpid());
    const char *set[][2] = {{"bootstrap.servers", o->brokers},
                            {"group.id", gid},
                            {"enable.auto.commit", "false"},
                            {"enable.partition.eof", "true"},
                            {"auto.offset.reset", "earliest"}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (rd_kafka_conf_set(c, set[i][0], set[i][1], why, sizeof why) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "%s: %s", set[i][0], why);
            rd_kafka_conf_destroy(c);
            return NULL;
        }
    for (size_t i = 0; i < o->nprops; i++) {
        char kv[1024];
        snprintf(kv, sizeof kv, "%s", o->props[i]);
        char *eq = strchr(kv, '=');
        if (!eq ||
            (*eq = 0, rd_kafka_conf_set(c, kv, eq + 1, why, sizeof why) != RD_KAFKA_CONF_OK)) {
            snprintf(errstr, errlen, "-X %s: %s", o->props[i], eq ? why : "expected KEY=VALUE");
            rd_kafka_conf_destroy(c);
            return NULL;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, errstr, errlen);
    if (!rk) rd_kafka_conf_destroy(c);
    return rk;
}

/* Every partition of the topic at the --from position; NULL and errstr if it cannot be read. */
static rd_kafka_topic_partition_list_t *partitions(rd_kafka_t *rk, const opts *o, char *errstr,
                                                   size_t errlen)
{
    int64_t start = RD_KAFKA_OFFSET_BEGINNING, at_ms = 0;
    const char *from = o->from ? o->from : "beginning";
    char *end;
    long long off = strtoll(from, &end, 10);
    if (from[0] >= '0' && from[0] <= '9' && !*end)
        start = off;
    else if (strcmp(from, "beginning") != 0 && !mw_dlq_parse_time(from, &at_ms)) {
        snprintf(errstr, errlen,
                 "--from: \"%s\" is not beginning, an offset or a time (RFC 3339 or -30m)", from);
        return NULL;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (!err && md->topics[0].err) err = md->topics[0].err;
    if (err || md->topics[0].partition_cnt == 0) {
        snprintf(errstr, errlen, "--topic %s: cannot read it: %s", o->topic,
                 err ? rd_kafka_err2str(err) : "no partitions");
        if (md) rd_kafka_metadata_destroy(md);
        return NULL;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    for (int p = 0; p < md->topics[0].partition_cnt; p++)
        rd_kafka_topic_partition_list_add(l, o->topic, md->topics[0].partitions[p].id)->offset =
            at_ms ? at_ms : start;
    rd_kafka_metadata_destroy(md);
    if (at_ms && (err = rd_kafka_offsets_for_times(rk, l, 10000)) != 0) {
        snprintf(errstr, errlen, "--from %s: cannot look up offsets: %s", from,
                 rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(l);
        return NULL;
    }
    for (int i = 0; i < l->cnt; i++) /* no message after the time: nothing to read there */
        if (at_ms && l->elems[i].offset < 0) l->elems[i].offset = RD_KAFKA_OFFSET_END;
    return l;
}

/* The worker's verdict on one message, with NEW as the schema of every message: a framed
 * message's id is read and its framing stripped, but the id does not choose the version (NULL
 * set), since the version tried has no id yet. */
static void judge(tally *t, const mw_route *r, const mg_schema *s, mg_validator *v,
                  const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) hdrs = NULL;
    mw_in in = {.topic = rd_kafka_topic_name(m->rkt),
                .partition = m->partition,
                .offset = m->offset,
                .timestamp_ms = rd_kafka_message_timestamp(m, NULL),
                .key = m->key,
                .key_len = m->key ? m->key_len : 0,
                .value = m->payload,
                .value_len = m->payload ? m->len : 0,
                .headers = hdrs};
    mw_decision d;
    mw_decide(r, NULL, s, v, &in, &t->rb, &d);
    t->read++;
    if (d.valid) {
        (*(d.tombstone ? &t->tombstones : &t->accepted))++;
        return;
    }
    t->refused++;
    if (t->by[d.reject]++) return;
    snprintf(t->example[d.reject], sizeof t->example[d.reject],
             "%s/%" PRId32 "@%" PRId64 ": %s%s%s%s%s", in.topic, in.partition, in.offset,
             d.reason.instance, *d.reason.instance ? ": " : "", d.reason.message,
             *d.reason.keyword ? " at " : "", d.reason.keyword);
}

/* Reads until every partition has reported its end (or a stop signal). */
static int consume(rd_kafka_t *rk, int nparts, int sigfd, const mw_route *r, const mg_schema *s,
                   mg_validator *v, tally *t)
{
    struct signalfd_siginfo si;
    int ended = 0;
    while (ended < nparts) {
        if (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
            fprintf(stderr, "meshgate check-topic: interrupted; the counts cover what was read\n");
            return 2;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ended++;
        } else if (m->err) {
            fprintf(stderr, "meshgate check-topic: %s: %s\n", r->input, rd_kafka_message_errstr(m));
            if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
                rd_kafka_message_destroy(m);
                return 2;
            }
        } else {
            judge(t, r, s, v, m);
        }
        rd_kafka_message_destroy(m);
    }
    return 0;
}

static void report(const tally *t, const opts *o, const mg_schema *s, int nparts, double secs)
{
    printf("check-topic: %s over %s (%d partition%s, from %s): %" PRIu64 " read, %" PRIu64
           " accepted, %" PRIu64 " refused, %" PRIu64 " tombstones forwarded, in %.2f s\n",
           s->name, o->topic, nparts, nparts == 1 ? "" : "s", o->from ? o->from : "beginning",
           t->read, t->accepted, t->refused, t->tombstones, secs);
    if (!t->refused) return;
    printf("refused by reason:\n");
    for (int k = 0; k < MW_RJ_COUNT; k++) {
        if (!t->by[k]) continue;
        char ex[2048];
        mg_escape(ex, sizeof ex, t->example[k], strlen(t->example[k]), MG_ESC_ESCAPED);
        printf("%10" PRIu64 "  %-18s first %s\n", t->by[k], mw_reject_name((mw_reject)k), ex);
    }
}

int mw_check_topic_main(int argc, char **argv)
{
    opts o = {0};
    o.props = calloc((size_t)argc, sizeof *o.props);
    if (!o.props) abort();
    int rc = parse_opts(argc, argv, &o);
    sigset_t stop = mw_block_stop_signals(); /* before librdkafka starts its threads */
    int sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
    char errstr[4096] = "";
    mw_schemas *schemas = NULL;
    const mg_schema *s = NULL;
    mg_validator *v = NULL;
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *parts = NULL;
    mw_route route;
    tally *t = calloc(1, sizeof *t);
    if (!t) abort();
    if (rc < 0 && !route_of(&o, &route, errstr, sizeof errstr)) rc = 2;
    if (rc < 0 && !(schemas = mw_schemas_load(o.schemas, errstr, sizeof errstr))) rc = 2;
    if (rc < 0 && !(s = mg_schema_find(mw_schemas_set(schemas), o.schema))) {
        snprintf(errstr, sizeof errstr, "--schema: no schema named \"%s\" in %s", o.schema,
                 o.schemas);
        rc = 2;
    }
    if (rc < 0 && !(v = mg_validator_new(NULL, errstr, sizeof errstr))) rc = 2;
    if (rc < 0 && !(rk = consumer(&o, errstr, sizeof errstr))) rc = 2;
    if (rc < 0 && !(parts = partitions(rk, &o, errstr, sizeof errstr))) rc = 2;
    if (rc < 0 && rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(errstr, sizeof errstr, "cannot assign the partitions of %s", o.topic);
        rc = 2;
    }
    if (rc < 0) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = consume(rk, parts->cnt, sigfd, &route, s, v, t);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        report(t, &o, s, parts->cnt,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        if (rc == 0) rc = t->refused ? 1 : 0;
    } else if (rc == 2 && errstr[0]) {
        fprintf(stderr, "meshgate check-topic: %s\n", errstr);
    }
    if (parts) rd_kafka_topic_partition_list_destroy(parts);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    mg_validator_free(v);
    mw_schemas_free(schemas);
    if (sigfd >= 0) close(sigfd);
    free(t);
    free(o.props);
    return rc < 0 ? 0 : rc;
}
