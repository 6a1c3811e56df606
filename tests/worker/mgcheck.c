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
 * Usage: mgcheck --brokers B --input T --output T --dead-letter T --source S --type T
 *        --schemas SET.so --schema NAME --lines FILE [--count N] [--window N]
 *        [--mode exact|at-least-once] [--timeout SEC] [--malformed-every K]
 *        [--rate MSGS_PER_S] (paced production, for latency measurements)
 *        [--allow-reorder 1] (order violations are reported, not failures)
 *        [--switches FILE] (the worker reloads its schema set while it runs: FILE gets lines
 *        "SET.so PARTITION OFFSET", the set that judges that input partition from that offset
 *        on (-1: all of it), and a last line "end"; verdicts are checked once it has that line)
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
    int64_t offset;
    uint32_t seen_out, seen_dlq;
    int32_t origin_p; /* where the first record seen says it came from */
    int64_t origin_o;
    bool first_dlq;      /* where the first record seen was */
    char got_reason[16]; /* its meshgate.reason (dead letters), for --switches */
} msg;

typedef struct opts {
    const char *brokers, *input, *output, *dlq, *source, *type, *schemas, *schema, *lines, *mode;
    const char *switches;
    long count, window, timeout, malformed_every, rate, allow_reorder;
} opts;

typedef struct state {
    opts o;
    msg *m;
    size_t n, produced, delivered, distinct, dups, bad, order, reported;
    int64_t *last; /* per (input partition, dest partition, dest topic) */
    size_t *retry; /* messages whose own produce failed (faults hit every client) */
    size_t n_retry, failed_produces;
    size_t dup_by_partition[64];
} state;

#define MAXP 64

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

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *dm, void *opaque)
{
    (void)rk;
    state *s = opaque;
    msg *m = &s->m[(size_t)(uintptr_t)dm->_private];
    if (dm->err) {
        s->failed_produces++;
        s->retry[s->n_retry++] = (size_t)(uintptr_t)dm->_private;
        return;
    }
    m->partition = dm->partition;
    m->offset = dm->offset;
    s->delivered++;
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

static void check_record(state *s, const rd_kafka_message_t *r, bool dlq)
{
    rd_kafka_headers_t *h = NULL;
    rd_kafka_message_headers(r, &h);
    const char *v;
    size_t n;
    char seq[32];
    if (!hdr(h, "mgcheck-seq", &v, &n) || n >= sizeof seq) {
        problem(s, "%s record at %d/%" PRId64 " without mgcheck-seq",
                dlq ? "dead-letter" : "output", r->partition, r->offset);
        return;
    }
    memcpy(seq, v, n);
    seq[n] = 0;
    size_t i = strtoul(seq, NULL, 10);
    if (i >= s->n) {
        problem(s, "mgcheck-seq %s out of range", seq);
        return;
    }
    msg *m = &s->m[i];
    bool first = m->seen_out + m->seen_dlq == 0;
    if (dlq)
        m->seen_dlq++;
    else
        m->seen_out++;
    if (first)
        s->distinct++;
    else
        s->dups++;
    if (!first) return;
    m->first_dlq = dlq;
    if (dlq && hdr(h, "meshgate.reason", &v, &n) && n < sizeof m->got_reason) {
        memcpy(m->got_reason, v, n);
        m->got_reason[n] = 0;
    }
    if (s->o.switches) {
        /* the verdict is checked at the end, by the set that judged it */
    } else if ((m->reason == NULL) == dlq)
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
        if (!s->o.switches && m->reason && !hdr_is(h, "meshgate.reason", m->reason))
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

/* ---- --switches: verdicts by the schema set that judged each message ---- */

typedef struct sw {
    char so[512];
    int32_t partition;
    int64_t offset;
    mw_schemas *set;
    size_t judged, differ;
} sw;

/* Reads the switches file once it ends with "end" (waits until the deadline). */
static sw *read_switches(const char *path, int64_t deadline, size_t *n)
{
    for (;;) {
        FILE *f = fopen(path, "r");
        char line[1024];
        sw *v = NULL;
        size_t k = 0;
        bool end = false;
        while (f && fgets(line, sizeof line, f)) {
            if (strncmp(line, "end", 3) == 0) {
                end = true;
                break;
            }
            sw w = {0};
            if (sscanf(line, "%511s %" SCNd32 " %" SCNd64, w.so, &w.partition, &w.offset) != 3)
                continue;
            v = realloc(v, (k + 1) * sizeof *v);
            v[k++] = w;
        }
        if (f) fclose(f);
        if (end) {
            *n = k;
            return v;
        }
        free(v);
        if (now_ms() > deadline) return NULL;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
}

/* The verdict of every message seen, by the last switch at or before its input offset (the
 * first set if none): a problem for each one on the wrong topic or with the wrong reason. */
static int judge_switched(state *s, int64_t deadline)
{
    size_t n = 0;
    sw *v = read_switches(s->o.switches, deadline, &n);
    if (!v) {
        fprintf(stderr, "mgcheck: %s: no line \"end\" before the timeout\n", s->o.switches);
        return -1;
    }
    char errstr[512];
    mg_validator *val = mg_validator_new(NULL, errstr, sizeof errstr);
    for (size_t k = 0; k < n; k++) {
        v[k].set = mw_schemas_load(v[k].so, errstr, sizeof errstr);
        if (!v[k].set || !mg_schema_find(mw_schemas_set(v[k].set), s->o.schema)) {
            fprintf(stderr, "mgcheck: %s: %s\n", v[k].so, v[k].set ? "no such schema" : errstr);
            return -1;
        }
    }
    size_t before = 0;
    for (size_t i = 0; i < s->n; i++) {
        msg *m = &s->m[i];
        if (m->seen_out + m->seen_dlq == 0) continue;
        sw *by = NULL;
        for (size_t k = 0; k < n; k++) /* the later of equal switch points wins */
            if (v[k].partition == m->partition && v[k].offset <= m->offset &&
                (!by || v[k].offset >= by->offset))
                by = &v[k];
        const char *want = m->reason;
        bool malformed = s->o.malformed_every > 0 && (i + 1) % (size_t)s->o.malformed_every == 0;
        if (by && !malformed) {
            const mg_schema *sc = mg_schema_find(mw_schemas_set(by->set), s->o.schema);
            mg_result r = mg_validate(val, sc, m->value, m->len, m->len);
            want = r == MG_OK ? NULL : mg_result_name(r);
            by->judged++;
            by->differ += (want == NULL) != (m->reason == NULL);
        } else if (!by) {
            before++;
        }
        if ((want == NULL) == m->first_dlq)
            problem(s, "message %zu (input %d/%" PRId64 ") on the %s topic; %s expected %s", i,
                    m->partition, m->offset, m->first_dlq ? "dead-letter" : "output",
                    by ? by->so : "the first set", want ? want : "valid");
        else if (want && strcmp(m->got_reason, want) != 0)
            problem(s, "message %zu: meshgate.reason is %s, not %s", i, m->got_reason, want);
    }
    printf("# switches: %zu message(s) judged by the first set\n", before);
    for (size_t k = 0; k < n; k++) {
        printf("# switch: %s from %d/%" PRId64 ": %zu judged, %zu with a verdict other than the "
               "first set's\n",
               v[k].so, v[k].partition, v[k].offset, v[k].judged, v[k].differ);
        mw_schemas_free(v[k].set);
    }
    mg_validator_free(val);
    free(v);
    return 0;
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
    }
    rd_kafka_conf_set_opaque(c, s);
    rd_kafka_t *rk = rd_kafka_new(type, c, e, sizeof e);
    if (!rk) fprintf(stderr, "mgcheck: %s\n", e);
    return rk;
}

static int assign_all(rd_kafka_t *c, const char *a, const char *b)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(32);
    const char *topics[] = {a, b};
    for (int t = 0; t < 2; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topics[t], NULL);
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(c, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
            md->topic_cnt != 1 || md->topics[0].partition_cnt == 0) {
            fprintf(stderr, "mgcheck: no metadata for %s\n", topics[t]);
            return -1;
        }
        for (int p = 0; p < md->topics[0].partition_cnt; p++)
            rd_kafka_topic_partition_list_add(l, topics[t], p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    return 0;
}

static int produce_one(state *s, rd_kafka_t *p, size_t i)
{
    msg *m = &s->m[i];
    char seq[24];
    snprintf(seq, sizeof seq, "%zu", i);
    m->ts_ms = now_ms();
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
    *o = (opts){.count = 0, .window = 20000, .timeout = 300, .mode = "exact"};
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
        else if (!strcmp(k, "--switches"))
            o->switches = v;
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
    rd_kafka_t *prod = client(&s, RD_KAFKA_PRODUCER), *cons = client(&s, RD_KAFKA_CONSUMER);
    if (!prod || !cons || assign_all(cons, s.o.output, s.o.dlq) != 0) return 2;
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
        for (int k = 0; k < 10000; k++) {
            rd_kafka_message_t *r = rd_kafka_consumer_poll(cons, k == 0 ? 20 : 0);
            if (!r) break;
            if (!r->err) check_record(&s, r, strcmp(rd_kafka_topic_name(r->rkt), s.o.dlq) == 0);
            rd_kafka_message_destroy(r);
        }
    }
    rd_kafka_flush(prod, 10000);
    /* A little longer, to count late duplicates. */
    for (int64_t end = now_ms() + 1000; now_ms() < end;) {
        rd_kafka_message_t *r = rd_kafka_consumer_poll(cons, 50);
        if (!r) continue;
        if (!r->err) check_record(&s, r, strcmp(rd_kafka_topic_name(r->rkt), s.o.dlq) == 0);
        rd_kafka_message_destroy(r);
    }
    if (s.o.switches && judge_switched(&s, deadline) != 0) return 2;
    size_t missing = 0, valid = 0, wrong_origin = 0;
    for (size_t i = 0; i < s.n; i++) {
        msg *m = &s.m[i];
        valid += m->reason == NULL;
        if (m->seen_out + m->seen_dlq == 0) {
            if (missing++ < 10)
                printf("# missing: message %zu (input %d/%" PRId64 ", expected %s)\n", i,
                       m->partition, m->offset, m->reason ? m->reason : "valid");
        } else if (m->origin_p >= 0 && (m->origin_p != m->partition || m->origin_o != m->offset)) {
            wrong_origin++;
            problem(&s, "message %zu: envelope names %d/%" PRId64 ", it was written to %d/%" PRId64,
                    i, m->origin_p, m->origin_o, m->partition, m->offset);
        }
    }
    if (s.dups) {
        printf("# duplicates by input partition:");
        for (int p = 0; p < MAXP; p++)
            if (s.dup_by_partition[p]) printf(" %d:%zu", p, s.dup_by_partition[p]);
        printf("\n");
    }
    if (s.failed_produces)
        printf("# mgcheck's own produce failed %zu time(s) (injected faults); re-sent\n",
               s.failed_produces);
    printf("# produced=%zu valid=%zu rejected=%zu seen=%zu missing=%zu duplicates=%zu "
           "wrong=%zu order_violations=%zu\n",
           s.produced, valid, s.n - valid, s.distinct, missing, s.dups, s.bad, s.order);
    bool ok = missing == 0 && s.bad == 0 && (s.order == 0 || s.o.allow_reorder) &&
              s.produced == s.n && (strcmp(s.o.mode, "exact") != 0 || s.dups == 0);
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
    rd_kafka_destroy(prod);
    for (size_t i = 0; i < s.n; i++)
        free(s.m[i].value);
    free(s.m);
    free(s.last);
    free(s.retry);
    return ok ? 0 : 1;
}
