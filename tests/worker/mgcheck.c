/* mgcheck.c - drives and checks `meshgate run` from outside, as a Kafka client would: it
 * produces a known stream to the input topic and reads the output and dead-letter topics
 * back, checking that every message arrived where its verdict says, with a correct envelope
 * or correct reason headers, none missing, and in input order per partition.
 *
 * Design: one thread. Messages are NDJSON lines (every --malformed-every'th replaced by a
 * malformed value); each gets a key, a fixed timestamp and an "mgcheck-seq" header naming its
 * index, and its expected verdict from the validator itself. Producing is paced: never more
 * than --window messages beyond those already seen back, because the embedded broker keeps
 * only the newest 5 MiB of a partition. The output and dead-letter topics are read from the
 * beginning (all partitions assigned, no group) while producing. Order: for each (input
 * partition, destination partition), the input offsets of first occurrences must increase.
 * Exit 0 only if everything holds; --mode exact also forbids duplicates.
 *
 * Ground truth is the input topic itself, read back from the beginning alongside the outputs:
 * what it holds is what the gate must deliver, and each envelope's origin must name the input
 * record that holds that message. A delivery report is not proof: librdkafka 2.0.2's
 * idempotent producer reports success, with offset -1001, for messages it acks implicitly
 * because a later batch of their partition succeeded, and the mock cluster does not check
 * sequence numbers for a producer without a transactional.id, so it accepts that later batch
 * after a retriable error failed the earlier one, which then never reaches the log (see
 * tests/worker/test_run_faults.sh). So an audit notes the input's high watermarks (at most
 * every half second while such reports without an offset come in, and once at the end);
 * once the reader has read up to them, a message whose successful delivery report came
 * before the audit and that the input does not hold is counted as an input anomaly and
 * produced again (at the end: only counted). A message that never reached the input is never
 * "missing": it is reported apart, and fails the run only if it is still not in the input at the
 * end.
 *
 * Usage: mgcheck --brokers B --input T --output T --dead-letter T --source S --type T
 *        --schemas SET.so --schema NAME --lines FILE [--count N] [--window N]
 *        [--mode exact|at-least-once] [--timeout SEC] [--malformed-every K]
 *        [--rate MSGS_PER_S] (paced production, for latency measurements)
 *        [--allow-reorder 1] (order violations are reported, not failures)
 *        [--pretend-delivered K] (self-test: message K's first produce only pretends, as an
 *        implicit ack does, a delivery report of success with offset -1001)
 */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshgate.h"
#include "mw_envelope.h"
#include "mw_schemas.h"

typedef struct msg {
    char *value;
    size_t len;
    char key[16];
    int64_t ts_ms;
    const char *reason; /* NULL: valid */
    int32_t partition;  /* from the delivery report, -1 before */
    int64_t offset;     /* from the delivery report (-1001 when acked implicitly) */
    uint32_t dr_round;  /* audit round its successful delivery report came in; 0: none */
    uint32_t absent;    /* times reported delivered but not in the input (then re-sent) */
    uint32_t in_input;  /* records of it read back from the input topic */
    int32_t in_p;       /* the first of them */
    int64_t in_o;
    uint32_t seen_out, seen_dlq;
    int32_t origin_p; /* where the first record seen says it came from */
    int64_t origin_o;
} msg;

typedef struct opts {
    const char *brokers, *input, *output, *dlq, *source, *type, *schemas, *schema, *lines, *mode;
    long count, window, timeout, malformed_every, rate, allow_reorder, pretend_delivered;
} opts;

#define MAXP 64

/* One input partition as read back: which message each record holds. */
typedef struct in_part {
    size_t *seq; /* message index + 1 of the record at offset base + k; 0: none read */
    size_t cap;
    int64_t base; /* first offset read, -1 before */
    int64_t next; /* the offset after the last record read */
    int64_t hwm;  /* high watermark noted for the pending audit */
} in_part;

typedef struct state {
    opts o;
    msg *m;
    size_t n, produced, delivered, distinct, bad, order, reported;
    int64_t *last; /* per (input partition, dest partition, dest topic) */
    size_t *retry; /* messages to produce again: their produce failed, or was not stored */
    size_t n_retry, failed_produces, absent;
    in_part in[MAXP];
    int n_in;         /* input partitions */
    uint32_t round;   /* audit round stamped on successful delivery reports */
    uint32_t pending; /* round being audited, 0: none */
    size_t unplaced;  /* successful delivery reports without an offset since the last audit */
    int64_t next_audit_ms;
} state;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void problem(state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(state *s, const char *fmt, ...)
{
    s->bad++;
    if (s->reported++ >= 20) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("# problem: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static const char *const malformed[] = {"{\"first\": \"Ada\", \"Last\": ", "{\"first\": \"\xff\"}",
                                        "", "hello"};
static const char *const malformed_reason[] = {"syntax", "utf8", "empty", "syntax"};

static int load(state *s)
{
    FILE *f = fopen(s->o.lines, "r");
    if (!f) {
        perror(s->o.lines);
        return -1;
    }
    char errstr[512];
    mw_schemas *set = mw_schemas_load(s->o.schemas, errstr, sizeof errstr);
    const mg_schema *sc = set ? mg_schema_find(mw_schemas_set(set), s->o.schema) : NULL;
    mg_validator *v = mg_validator_new(NULL, errstr, sizeof errstr);
    if (!sc || !v) {
        fprintf(stderr, "mgcheck: %s\n", sc ? errstr : "schema not found");
        return -1;
    }
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    while ((s->o.count <= 0 || (long)s->n < s->o.count) && (got = getline(&line, &lcap, f)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        if (s->n == cap) {
            cap = cap ? cap * 2 : 65536;
            s->m = realloc(s->m, cap * sizeof *s->m);
        }
        msg *m = &s->m[s->n];
        memset(m, 0, sizeof *m);
        size_t k = s->n;
        if (s->o.malformed_every > 0 && (k + 1) % (size_t)s->o.malformed_every == 0) {
            size_t which = (k / (size_t)s->o.malformed_every) % 4;
            m->value = strdup(malformed[which]);
            m->reason = malformed_reason[which];
        } else {
            m->value = strdup(line);
        }
        m->len = strlen(m->value);
        if (!m->reason) {
            mg_result r = mg_validate(v, sc, m->value, m->len, m->len);
            m->reason = r == MG_OK ? NULL : mg_result_name(r);
        }
        snprintf(m->key, sizeof m->key, "user-%zu", k % 997);
        m->partition = -1;
        m->origin_p = -1;
        s->n++;
    }
    free(line);
    fclose(f);
    mg_validator_free(v);
    mw_schemas_free(set);
    return 0;
}

/* A delivery report of success, to be audited against the input topic. */
static void delivered(state *s, msg *m, int32_t partition, int64_t offset)
{
    m->partition = partition;
    m->offset = offset;
    m->dr_round = s->round;
    s->unplaced += offset < 0;
    s->delivered++;
}

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *dm, void *opaque)
{
    (void)rk;
    state *s = opaque;
    size_t i = (size_t)(uintptr_t)dm->_private;
    if (dm->err) {
        s->failed_produces++;
        s->retry[s->n_retry++] = i;
        return;
    }
    delivered(s, &s->m[i], dm->partition, dm->offset);
}

static bool hdr(rd_kafka_headers_t *h, const char *name, const char **v, size_t *len)
{
    const void *p;
    if (!h || rd_kafka_header_get_last(h, name, &p, len) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return false;
    *v = p;
    return true;
}

static bool hdr_is(rd_kafka_headers_t *h, const char *name, const char *want)
{
    const char *v;
    size_t n;
    return hdr(h, name, &v, &n) && n == strlen(want) && memcmp(v, want, n) == 0;
}

static bool hdr_present(rd_kafka_headers_t *h, const char *name, bool nonempty)
{
    const char *v;
    size_t n;
    return hdr(h, name, &v, &n) && (!nonempty || n > 0);
}

/* The input partition and offset a record says it came from. */
static bool origin(rd_kafka_headers_t *h, bool dlq, const char *input, int32_t *p, int64_t *off)
{
    const char *v;
    size_t n;
    char buf[512];
    if (dlq) {
        if (!hdr_is(h, "meshgate.origin.topic", input)) return false;
        if (!hdr(h, "meshgate.origin.partition", &v, &n) || n >= 32) return false;
        memcpy(buf, v, n);
        buf[n] = 0;
        *p = atoi(buf);
        if (!hdr(h, "meshgate.origin.offset", &v, &n) || n >= 32) return false;
        memcpy(buf, v, n);
        buf[n] = 0;
        *off = strtoll(buf, NULL, 10);
        return true;
    }
    if (!hdr(h, "ce_id", &v, &n) || n >= sizeof buf) return false;
    memcpy(buf, v, n);
    buf[n] = 0;
    size_t il = strlen(input);
    if (strncmp(buf, input, il) != 0 || buf[il] != '/') return false;
    return sscanf(buf + il + 1, "%" SCNd32 "/%" SCNd64, p, off) == 2;
}

/* The message a record carries (its mgcheck-seq header), or a problem. */
static bool seq_of(state *s, const rd_kafka_message_t *r, rd_kafka_headers_t *h, const char *what,
                   size_t *i)
{
    const char *v;
    size_t n;
    char seq[32];
    if (!hdr(h, "mgcheck-seq", &v, &n) || n >= sizeof seq) {
        problem(s, "%s record at %d/%" PRId64 " without mgcheck-seq", what, r->partition,
                r->offset);
        return false;
    }
    memcpy(seq, v, n);
    seq[n] = 0;
    *i = strtoul(seq, NULL, 10);
    if (*i >= s->n) {
        problem(s, "mgcheck-seq %s out of range", seq);
        return false;
    }
    return true;
}

/* The message index + 1 of input record p/off as read back; 0 if none was read there. */
static size_t input_at(const state *s, int32_t p, int64_t off)
{
    if (p < 0 || p >= MAXP) return 0;
    const in_part *ip = &s->in[p];
    if (ip->base < 0 || off < ip->base || (uint64_t)(off - ip->base) >= ip->cap) return 0;
    return ip->seq[off - ip->base];
}

static void note_input(state *s, const rd_kafka_message_t *r)
{
    rd_kafka_headers_t *h = NULL;
    rd_kafka_message_headers(r, &h);
    size_t i;
    if (r->partition < 0 || r->partition >= MAXP || !seq_of(s, r, h, "input", &i)) return;
    in_part *ip = &s->in[r->partition];
    if (ip->base < 0) ip->base = r->offset;
    if (r->offset < ip->base) return;
    size_t k = (size_t)(r->offset - ip->base);
    if (k >= ip->cap) {
        size_t cap = ip->cap ? ip->cap : 4096;
        while (cap <= k)
            cap *= 2;
        ip->seq = realloc(ip->seq, cap * sizeof *ip->seq);
        memset(ip->seq + ip->cap, 0, (cap - ip->cap) * sizeof *ip->seq);
        ip->cap = cap;
    }
    ip->seq[k] = i + 1;
    ip->next = r->offset + 1;
    msg *m = &s->m[i];
    if (m->in_input++ == 0) {
        m->in_p = r->partition;
        m->in_o = r->offset;
    }
}

static void check_record(state *s, const rd_kafka_message_t *r, bool dlq)
{
    rd_kafka_headers_t *h = NULL;
    rd_kafka_message_headers(r, &h);
    size_t i;
    if (!seq_of(s, r, h, dlq ? "dead-letter" : "output", &i)) return;
    msg *m = &s->m[i];
    bool first = m->seen_out + m->seen_dlq == 0;
    if (dlq)
        m->seen_dlq++;
    else
        m->seen_out++;
    if (!first) return;
    s->distinct++;
    if ((m->reason == NULL) == dlq)
        problem(s, "message %zu on the %s topic; expected %s", i, dlq ? "dead-letter" : "output",
                m->reason ? m->reason : "valid");
    if (r->len != m->len || (m->len && memcmp(r->payload, m->value, m->len) != 0))
        problem(s, "message %zu: value bytes changed", i);
    if (r->key_len != strlen(m->key) || memcmp(r->key, m->key, r->key_len) != 0)
        problem(s, "message %zu: key changed", i);
    rd_kafka_timestamp_type_t tt;
    if (rd_kafka_message_timestamp(r, &tt) != m->ts_ms)
        problem(s, "message %zu: timestamp changed", i);
    if (dlq) {
        if (m->reason && !hdr_is(h, "meshgate.reason", m->reason))
            problem(s, "message %zu: meshgate.reason is not %s", i, m->reason);
        bool schema = m->reason && strcmp(m->reason, "schema") == 0;
        static const char *const names[] = {
            "meshgate.instance_location", "meshgate.keyword_location",
            "meshgate.message",           "meshgate.schema",
            "meshgate.schema_version",    "meshgate.worker",
            "meshgate.rejected_at"};
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!hdr_present(h, names[k], schema && k != 0 ? true : k >= 2))
                problem(s, "message %zu: dead letter without %s", i, names[k]);
    } else {
        char t[64];
        mw_rfc3339(t, sizeof t, m->ts_ms * 1000, 3);
        if (!hdr_is(h, "ce_specversion", "1.0") || !hdr_is(h, "ce_source", s->o.source) ||
            !hdr_is(h, "ce_type", s->o.type) || !hdr_is(h, "content-type", "application/json") ||
            !hdr_is(h, "ce_partitionkey", m->key) || !hdr_is(h, "ce_time", t) ||
            !hdr_present(h, "ce_dataschema", true) || !hdr_present(h, "ce_processingtime", true))
            problem(s, "message %zu: envelope headers wrong or missing", i);
    }
    int32_t ip;
    int64_t io;
    if (!origin(h, dlq, s->o.input, &ip, &io) || ip < 0 || ip >= MAXP || r->partition >= MAXP) {
        problem(s, "message %zu: no usable origin (ce_id / meshgate.origin.*)", i);
        return;
    }
    m->origin_p = ip;
    m->origin_o = io;
    int64_t *last = &s->last[((size_t)ip * MAXP + (size_t)r->partition) * 2 + dlq];
    if (io <= *last) {
        s->order++;
        if (s->reported++ < 20)
            printf("# order: input %d/%" PRId64 " after %" PRId64 " on %s partition %d\n", ip, io,
                   *last, dlq ? "dead-letter" : "output", r->partition);
    }
    *last = io;
}

static rd_kafka_t *client(state *s, rd_kafka_type_t type)
{
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", s->o.brokers, e, sizeof e);
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set(c, "enable.idempotence", "true", e, sizeof e);
        rd_kafka_conf_set(c, "linger.ms", "5", e, sizeof e);
        rd_kafka_conf_set_dr_msg_cb(c, on_dr);
    } else {
        rd_kafka_conf_set(c, "group.id", "mgcheck", e, sizeof e);
        rd_kafka_conf_set(c, "enable.auto.commit", "false", e, sizeof e);
        /* Records gone before they were read (retention) are an error, not a silent skip. */
        rd_kafka_conf_set(c, "auto.offset.reset", "error", e, sizeof e);
    }
    rd_kafka_conf_set_opaque(c, s);
    rd_kafka_t *rk = rd_kafka_new(type, c, e, sizeof e);
    if (!rk) fprintf(stderr, "mgcheck: %s\n", e);
    return rk;
}

/* Assigns every partition of the input, output and dead-letter topics from the beginning. */
static int assign_all(state *s, rd_kafka_t *c)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(32);
    const char *topics[] = {s->o.input, s->o.output, s->o.dlq};
    for (int t = 0; t < 3; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topics[t], NULL);
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(c, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
            md->topic_cnt != 1 || md->topics[0].partition_cnt == 0) {
            fprintf(stderr, "mgcheck: no metadata for %s\n", topics[t]);
            return -1;
        }
        if (t == 0)
            s->n_in = md->topics[0].partition_cnt < MAXP ? md->topics[0].partition_cnt : MAXP;
        for (int p = 0; p < md->topics[0].partition_cnt; p++)
            rd_kafka_topic_partition_list_add(l, topics[t], p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    return 0;
}

/* Reads what the consumer has (waiting up to wait_ms for the first record). */
static void consume(state *s, rd_kafka_t *cons, int wait_ms)
{
    for (int k = 0; k < 10000; k++) {
        rd_kafka_message_t *r = rd_kafka_consumer_poll(cons, k == 0 ? wait_ms : 0);
        if (!r) break;
        const char *t = r->rkt ? rd_kafka_topic_name(r->rkt) : "";
        if (r->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET)
            problem(s, "%s [%d]: records gone before mgcheck read them: %s", t, r->partition,
                    rd_kafka_message_errstr(r));
        else if (!r->err && strcmp(t, s->o.input) == 0)
            note_input(s, r);
        else if (!r->err)
            check_record(s, r, strcmp(t, s->o.dlq) == 0);
        rd_kafka_message_destroy(r);
    }
}

/* The audit of delivery reports against the input topic (see the top of this file). Starts
 * one (now if force; else at most every 500 ms, and only after a successful delivery report
 * without an offset, as an implicit ack gives: the watermark queries stall this thread) by noting
 * the input's high watermarks after every delivery report so far; completes it once the reader has
 * read up to them, counting each message reported delivered before it that the input does not hold,
 * and queueing it to be produced again unless final. Returns true when an audit completed. */
static bool audit(state *s, rd_kafka_t *cons, bool force, bool final)
{
    if (!s->pending) {
        if (!force && (s->unplaced == 0 || now_ms() < s->next_audit_ms)) return false;
        s->next_audit_ms = now_ms() + 500;
        s->unplaced = 0;
        /* Delivery reports only come in rd_kafka_poll() on this thread: those stamped with
         * this round all came before the watermarks below were asked for. */
        uint32_t round = s->round++;
        for (int p = 0; p < s->n_in; p++) {
            int64_t lo, hi;
            if (rd_kafka_query_watermark_offsets(cons, s->o.input, p, &lo, &hi, 2000) !=
                RD_KAFKA_RESP_ERR_NO_ERROR)
                return false; /* the next audit covers this round too */
            s->in[p].hwm = hi;
        }
        s->pending = round;
    }
    for (int p = 0; p < s->n_in; p++)
        if (s->in[p].next < s->in[p].hwm) return false;
    for (size_t i = 0; i < s->n; i++) {
        msg *m = &s->m[i];
        if (!m->dr_round || m->dr_round > s->pending || m->in_input) continue;
        if (s->absent++ < 10)
            printf("# input anomaly: message %zu reported delivered (%d/%" PRId64
                   ") is not in the input topic (read up to its high watermarks)%s\n",
                   i, m->partition, m->offset, final ? "" : "; produced again");
        m->absent++;
        m->dr_round = 0;
        if (!final) {
            m->partition = -1;
            s->retry[s->n_retry++] = i;
        }
    }
    s->pending = 0;
    return true;
}

static int produce_one(state *s, rd_kafka_t *p, size_t i)
{
    msg *m = &s->m[i];
    if ((long)i == s->o.pretend_delivered) {
        s->o.pretend_delivered = -1;
        delivered(s, m, -1, RD_KAFKA_OFFSET_INVALID);
        return 1;
    }
    char seq[24];
    snprintf(seq, sizeof seq, "%zu", i);
    if (!m->ts_ms) m->ts_ms = now_ms(); /* a message produced again keeps its timestamp */
    rd_kafka_resp_err_t err =
        rd_kafka_producev(p, RD_KAFKA_V_TOPIC(s->o.input), RD_KAFKA_V_KEY(m->key, strlen(m->key)),
                          RD_KAFKA_V_VALUE(m->value, m->len), /* "" is empty, not null */
                          RD_KAFKA_V_TIMESTAMP(m->ts_ms), RD_KAFKA_V_HEADER("mgcheck-seq", seq, -1),
                          RD_KAFKA_V_OPAQUE((void *)(uintptr_t)i), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return 0;
    if (err) {
        fprintf(stderr, "mgcheck: produce: %s\n", rd_kafka_err2str(err));
        exit(3);
    }
    return 1;
}

static int parse(opts *o, int argc, char **argv)
{
    *o = (opts){
        .count = 0, .window = 20000, .timeout = 300, .mode = "exact", .pretend_delivered = -1};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--brokers"))
            o->brokers = v;
        else if (!strcmp(k, "--input"))
            o->input = v;
        else if (!strcmp(k, "--output"))
            o->output = v;
        else if (!strcmp(k, "--dead-letter"))
            o->dlq = v;
        else if (!strcmp(k, "--source"))
            o->source = v;
        else if (!strcmp(k, "--type"))
            o->type = v;
        else if (!strcmp(k, "--schemas"))
            o->schemas = v;
        else if (!strcmp(k, "--schema"))
            o->schema = v;
        else if (!strcmp(k, "--lines"))
            o->lines = v;
        else if (!strcmp(k, "--mode"))
            o->mode = v;
        else if (!strcmp(k, "--count"))
            o->count = atol(v);
        else if (!strcmp(k, "--window"))
            o->window = atol(v);
        else if (!strcmp(k, "--timeout"))
            o->timeout = atol(v);
        else if (!strcmp(k, "--malformed-every"))
            o->malformed_every = atol(v);
        else if (!strcmp(k, "--rate"))
            o->rate = atol(v);
        else if (!strcmp(k, "--allow-reorder"))
            o->allow_reorder = atol(v);
        else if (!strcmp(k, "--pretend-delivered"))
            o->pretend_delivered = atol(v);
        else
            return -1;
    }
    return o->brokers && o->input && o->output && o->dlq && o->source && o->type && o->schemas &&
                   o->schema && o->lines
               ? 0
               : -1;
}

int main(int argc, char **argv)
{
    state s = {0};
    if (parse(&s.o, argc, argv) != 0) {
        fprintf(stderr, "usage: see the comment at the top of tests/worker/mgcheck.c\n");
        return 2;
    }
    if (load(&s) != 0 || s.n == 0) return 2;
    s.last = malloc(MAXP * MAXP * 2 * sizeof *s.last);
    s.retry = malloc(s.n * sizeof *s.retry);
    for (size_t i = 0; i < MAXP * MAXP * 2; i++)
        s.last[i] = -1;
    for (int p = 0; p < MAXP; p++)
        s.in[p].base = -1;
    s.round = 1;
    rd_kafka_t *prod = client(&s, RD_KAFKA_PRODUCER), *cons = client(&s, RD_KAFKA_CONSUMER);
    if (!prod || !cons || assign_all(&s, cons) != 0) return 2;
    /* The producer learns the input topic's leaders before the clock starts. */
    rd_kafka_topic_t *in_rkt = rd_kafka_topic_new(prod, s.o.input, NULL);
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(prod, 0, in_rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(in_rkt);
    int64_t start = now_ms(), deadline = start + s.o.timeout * 1000;
    while (s.distinct < s.n && now_ms() < deadline) {
        while (s.n_retry > 0 && produce_one(&s, prod, s.retry[s.n_retry - 1]))
            s.n_retry--;
        size_t allowed = s.o.rate > 0 ? (size_t)((now_ms() - start) * s.o.rate / 1000) : s.n;
        while (s.produced < s.n && s.produced < allowed &&
               s.produced - s.distinct < (size_t)s.o.window && produce_one(&s, prod, s.produced))
            s.produced++;
        rd_kafka_poll(prod, 0);
        consume(&s, cons, 20);
        audit(&s, cons, false, false);
    }
    rd_kafka_flush(prod, 10000);
    /* A little longer, to count late duplicates; then a last audit, after every delivery
     * report, so that whatever no output holds is known to be in the input or not. */
    for (int64_t end = now_ms() + 1000; now_ms() < end;)
        consume(&s, cons, 50);
    s.pending = 0;
    bool audited = false;
    for (int64_t end = now_ms() + 30000;
         !(audited = audit(&s, cons, true, true)) && now_ms() < end;)
        consume(&s, cons, 50);
    if (!audited)
        printf("# the last audit did not complete in 30 s: the input topic was not read up to its "
               "high watermarks, so \"never in the input\" below is not certain\n");
    size_t missing = 0, valid = 0, never = 0, twice = 0, read = 0, dups = 0;
    size_t dup_by_partition[MAXP] = {0};
    for (size_t i = 0; i < s.n; i++) {
        msg *m = &s.m[i];
        valid += m->reason == NULL;
        read += m->in_input;
        twice += m->in_input > 1;
        /* Exactly once per input record: more records of it on the outputs are duplicates. */
        uint32_t seen = m->seen_out + m->seen_dlq, once = m->in_input ? m->in_input : 1;
        if (seen > once) {
            dups += seen - once;
            if (m->in_input) dup_by_partition[m->in_p] += seen - once;
        }
        if (seen == 0 && !m->in_input) {
            if (never++ < 10)
                printf("# never in the input topic: message %zu (delivery report %d/%" PRId64
                       "); not counted as missing\n",
                       i, m->partition, m->offset);
        } else if (seen == 0) {
            if (missing++ < 10)
                printf("# missing: message %zu (input %d/%" PRId64 ", expected %s)\n", i, m->in_p,
                       m->in_o, m->reason ? m->reason : "valid");
        } else if (m->origin_p >= 0 && input_at(&s, m->origin_p, m->origin_o) != i + 1) {
            size_t at = input_at(&s, m->origin_p, m->origin_o);
            if (at)
                problem(&s, "message %zu: envelope names input %d/%" PRId64 ", which holds %zu", i,
                        m->origin_p, m->origin_o, at - 1);
            else
                problem(&s,
                        "message %zu: envelope names input %d/%" PRId64 ", where mgcheck read "
                        "no record",
                        i, m->origin_p, m->origin_o);
        }
    }
    if (dups) {
        printf("# duplicates by input partition:");
        for (int p = 0; p < MAXP; p++)
            if (dup_by_partition[p]) printf(" %d:%zu", p, dup_by_partition[p]);
        printf("\n");
    }
    if (s.failed_produces)
        printf("# mgcheck's own produce failed %zu time(s) (injected faults); re-sent\n",
               s.failed_produces);
    printf("# input: records_read=%zu reported_delivered_but_absent=%zu never_in_input=%zu "
           "stored_more_than_once=%zu\n",
           read, s.absent, never, twice);
    printf("# produced=%zu valid=%zu rejected=%zu seen=%zu missing=%zu duplicates=%zu "
           "wrong=%zu order_violations=%zu\n",
           s.produced, valid, s.n - valid, s.distinct, missing, dups, s.bad, s.order);
    bool ok = missing == 0 && never == 0 && s.bad == 0 && (s.order == 0 || s.o.allow_reorder) &&
              s.produced == s.n && (strcmp(s.o.mode, "exact") != 0 || dups == 0);
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
    rd_kafka_destroy(prod);
    for (size_t i = 0; i < s.n; i++)
        free(s.m[i].value);
    for (int p = 0; p < MAXP; p++)
        free(s.in[p].seq);
    free(s.m);
    free(s.last);
    free(s.retry);
    return ok ? 0 : 1;
}
