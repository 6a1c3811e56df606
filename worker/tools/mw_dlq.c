/* mw_dlq.c - `meshgate dlq`: reads dead-letter topics and prints, summarises, filters or
 * replays the rejected records.
 *
 * Design: a consumer without a consumer group (nothing is committed, so inspecting never moves
 * the worker's offsets): every partition of each topic is assigned from metadata, starting at
 * the beginning, the end, an offset, or a time (offsets_for_times). Without --follow the read
 * ends when every partition has reported its end (enable.partition.eof); with --follow it tails
 * until SIGINT/SIGTERM. Each record's meshgate.* headers (written by the worker, README's
 * "Dead-letter headers") are read in place, filters applied, and the record is printed as a
 * line or a JSON object, added to the summary, or handed to the replay (mw_dlq_replay.c).
 * Single-threaded; everything is freed before return.
 */
#include "mw_dlq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "mg_escape.h"
#include "mw_config.h"
#include "mw_envelope.h"
#include "mw_signal.h"

typedef struct opts {
    const char *brokers, *config, *from, *until, *schema, *reason, *keyword, *instance;
    const char **topics;
    size_t ntopics;
    const char **props; /* -X key=value */
    size_t nprops;
    bool follow, json, summary, replay, revalidate, dry_run;
    long limit, max_replays;
    const char *to, *schemas;
} opts;

typedef struct group {
    char *schema, *reason, *keyword, *first, *last;
    uint64_t count;
} group;

#define SCRATCH 16384

typedef struct reader {
    const opts *o;
    int sigfd;                 /* SIGINT/SIGTERM, blocked and read here: --follow ends on them */
    char scratch[SCRATCH];     /* the current record's meshgate.* headers, NUL-terminated */
    int64_t from_ms, until_ms; /* --from TIME (also checked per record), --until TIME */
    group *groups;
    size_t ngroups;
    uint64_t shown;
    mw_replay *replay;
} reader;

static void usage(FILE *o)
{
    fputs("usage: meshgate dlq (--brokers LIST | --config FILE) --topic T [--topic T ...]\n"
          "                    [options]\n"
          "Reads dead-letter topics (no consumer group, nothing committed).\n"
          "  --brokers LIST       bootstrap servers (or kafka: of the worker's --config FILE)\n"
          "  -X KEY=VALUE         a librdkafka property (security.protocol, sasl.*, ...)\n"
          "  --topic T            a dead-letter topic; repeat for more\n"
          "  --from W             beginning (default), end, an offset, or a time\n"
          "  --until TIME         skip records rejected after TIME\n"
          "  --follow             keep reading new records until interrupted\n"
          "  --json               one JSON object per record (or per summary group)\n"
          "  --summary            counts by schema, reason and keyword, first and last seen\n"
          "  --limit N            at most N records\n"
          "filters:\n"
          "  --schema NAME        meshgate.schema is NAME\n"
          "  --reason CODE        meshgate.reason is CODE (schema, syntax, utf8, empty, ...)\n"
          "  --keyword TEXT       meshgate.keyword_location contains TEXT (e.g. /minimum)\n"
          "  --instance PREFIX    meshgate.instance_location starts with PREFIX\n"
          "replay:\n"
          "  --replay --to TOPIC  re-send key, value, timestamp and original headers to TOPIC\n"
          "                       with meshgate.replay_count + 1\n"
          "  --max-replays N      refuse records replayed N times already (default 3)\n"
          "  --revalidate --schemas SET.so  replay only records their schema now accepts\n"
          "  --dry-run            report what would be replayed, send nothing\n"
          "TIME is RFC 3339 (2026-11-23T10:00:00Z) or relative to now (-90s, -30m, -2h, -7d).\n"
          "Exit status: 0 done, 1 a replayed record was not delivered, 2 usage or set-up error.\n",
          o);
}

/* ---- times ---- */

/* RFC 3339 or a relative "-N[smhd]" into Unix milliseconds; false if neither. */
static bool parse_time(const char *s, int64_t *ms)
{
    if (s[0] == '-' && s[1] >= '0' && s[1] <= '9') {
        char *end;
        long n = strtol(s + 1, &end, 10);
        long unit = *end == 's'   ? 1
                    : *end == 'm' ? 60
                    : *end == 'h' ? 3600
                    : *end == 'd' ? 86400
                                  : 0;
        if (!unit || end[1]) return false;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        *ms = ((int64_t)ts.tv_sec - (int64_t)n * unit) * 1000 + ts.tv_nsec / 1000000;
        return true;
    }
    struct tm tm = {0};
    int frac_ms = 0, consumed = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return false;
    const char *p = s + consumed;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3) frac_ms = frac_ms * 10 + (*p - '0');
        for (; digits < 3; digits++)
            frac_ms *= 10;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return false;
        off = (*p == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
        p += 6;
    } else {
        return false;
    }
    if (*p) return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = ((int64_t)timegm(&tm) - off) * 1000 + frac_ms;
    return true;
}

/* ---- records ---- */

static bool header_is(const char *name, const char *want)
{
    return strcmp(name, want) == 0;
}

/* Copies each meshgate.* header into scratch, escaped (mg_escape.h: a dead-letter topic may hold
 * records from anyone, and every field is printed or compared as text; the worker's headers are
 * escaped already, so their backslashes are kept), and points rec at it. */
static void read_record(const rd_kafka_message_t *m, mw_dlq_rec *rec, char *scratch, size_t cap)
{
    memset(rec, 0, sizeof *rec);
    rec->msg = m;
    rec->topic = rd_kafka_topic_name(m->rkt);
    rec->timestamp_ms = rd_kafka_message_timestamp(m, NULL);
    const char **fields[] = {&rec->reason,       &rec->instance,         &rec->keyword,
                             &rec->message,      &rec->schema,           &rec->schema_version,
                             &rec->origin_topic, &rec->origin_partition, &rec->origin_offset,
                             &rec->worker,       &rec->rejected_at};
    static const char *const names[] = {"meshgate.reason",           "meshgate.instance_location",
                                        "meshgate.keyword_location", "meshgate.message",
                                        "meshgate.schema",           "meshgate.schema_version",
                                        "meshgate.origin.topic",     "meshgate.origin.partition",
                                        "meshgate.origin.offset",    "meshgate.worker",
                                        "meshgate.rejected_at"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = "";
    rd_kafka_headers_t *hs = NULL;
    if (rd_kafka_message_headers(m, &hs) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    const char *name;
    const void *val;
    size_t len, used = 0;
    for (size_t i = 0; rd_kafka_header_get_all(hs, i, &name, &val, &len) == 0; i++) {
        if (strncmp(name, "meshgate.", 9) != 0) continue;
        if (header_is(name, "meshgate.replay_count")) {
            char num[24];
            size_t n = len < sizeof num - 1 ? len : sizeof num - 1;
            memcpy(num, val ? val : "", n);
            num[n] = 0;
            rec->replay_count = strtol(num, NULL, 10);
            continue;
        }
        for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
            if (!header_is(name, names[f])) continue;
            size_t n = mg_escape(scratch + used, cap - used, val ? val : "", val ? len : 0,
                                 MG_ESC_ESCAPED);
            if (n >= cap - used) continue;
            *fields[f] = scratch + used;
            used += n + 1;
        }
    }
}

static bool selected(const reader *r, const mw_dlq_rec *rec)
{
    const opts *o = r->o;
    if (o->schema && strcmp(rec->schema, o->schema) != 0) return false;
    if (o->reason && strcmp(rec->reason, o->reason) != 0) return false;
    if (o->keyword && !strstr(rec->keyword, o->keyword)) return false;
    if (o->instance && strncmp(rec->instance, o->instance, strlen(o->instance)) != 0) return false;
    if (r->until_ms && rec->timestamp_ms > r->until_ms) return false;
    if (r->from_ms && rec->timestamp_ms < r->from_ms) return false;
    return true;
}

/* ---- output ---- */

/* s[0..n) as a JSON string, escaped by mg_json_escape (the one JSON escaping), a chunk at a
 * time. */
static void put_json_str(FILE *f, const char *s, size_t n)
{
    enum { CHUNK = 256 };
    char e[MG_JSON_ESCAPE_MAX(CHUNK)];
    fputc('"', f);
    for (size_t i = 0; i < n; i += CHUNK)
        fwrite(e, 1, mg_json_escape(e, s + i, n - i < CHUNK ? n - i : CHUNK), f);
    fputc('"', f);
}

static void put_base64(FILE *f, const unsigned char *s, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputc('"', f);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        fputc(a[v >> 18 & 63], f);
        fputc(a[v >> 12 & 63], f);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? a[v & 63] : '=', f);
    }
    fputc('"', f);
}

static void kv(FILE *f, const char *k, const char *v, bool first)
{
    fprintf(f, "%s\"%s\":", first ? "" : ",", k);
    put_json_str(f, v, strlen(v));
}

static void print_json(const mw_dlq_rec *rec)
{
    const rd_kafka_message_t *m = rec->msg;
    printf("{\"topic\":");
    put_json_str(stdout, rec->topic, strlen(rec->topic));
    printf(",\"partition\":%d,\"offset\":%lld,\"timestamp_ms\":%lld", m->partition,
           (long long)m->offset, (long long)rec->timestamp_ms);
    kv(stdout, "rejected_at", rec->rejected_at, false);
    printf(",\"origin\":{");
    kv(stdout, "topic", rec->origin_topic, true);
    printf(",\"partition\":%s,\"offset\":%s}",
           *rec->origin_partition ? rec->origin_partition : "null",
           *rec->origin_offset ? rec->origin_offset : "null");
    kv(stdout, "schema", rec->schema, false);
    kv(stdout, "schema_version", rec->schema_version, false);
    kv(stdout, "reason", rec->reason, false);
    kv(stdout, "instance_location", rec->instance, false);
    kv(stdout, "keyword_location", rec->keyword, false);
    kv(stdout, "message", rec->message, false);
    kv(stdout, "worker", rec->worker, false);
    printf(",\"replay_count\":%ld", rec->replay_count);
    const char *fields[] = {"key", "payload"};
    const void *data[] = {m->key, m->payload};
    size_t lens[] = {m->key_len, m->len};
    for (int i = 0; i < 2; i++) {
        if (!data[i]) {
            printf(",\"%s\":null", fields[i]);
        } else if (mg_utf8_valid(data[i], lens[i])) {
            printf(",\"%s\":", fields[i]);
            put_json_str(stdout, data[i], lens[i]);
        } else {
            printf(",\"%s_base64\":", fields[i]);
            put_base64(stdout, data[i], lens[i]);
        }
    }
    puts("}");
}

#define EXCERPT 80

static void print_line(const mw_dlq_rec *rec)
{
    const rd_kafka_message_t *m = rec->msg;
    printf("%s %s/%s@%s %s %s", *rec->rejected_at ? rec->rejected_at : "-",
           *rec->origin_topic ? rec->origin_topic : rec->topic,
           *rec->origin_partition ? rec->origin_partition : "?",
           *rec->origin_offset ? rec->origin_offset : "?", *rec->schema ? rec->schema : "-",
           *rec->reason ? rec->reason : "-");
    if (*rec->keyword || *rec->instance)
        printf(" at %s (%s)", *rec->instance ? rec->instance : "(root)", rec->keyword);
    if (*rec->message) printf(": %s", rec->message);
    if (rec->replay_count) printf(" [replayed %ld]", rec->replay_count);
    fputs(" | ", stdout);
    char excerpt[EXCERPT * 8 + 1];
    mg_escape(excerpt, sizeof excerpt, m->payload ? m->payload : "",
              m->len < EXCERPT ? m->len : EXCERPT, 0);
    fputs(excerpt, stdout);
    puts(m->len > EXCERPT ? "..." : "");
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static void add_to_summary(reader *r, const mw_dlq_rec *rec)
{
    group *g = NULL;
    for (size_t i = 0; i < r->ngroups && !g; i++)
        if (!strcmp(r->groups[i].schema, rec->schema) &&
            !strcmp(r->groups[i].reason, rec->reason) &&
            !strcmp(r->groups[i].keyword, rec->keyword))
            g = &r->groups[i];
    if (!g) {
        group *ng = realloc(r->groups, (r->ngroups + 1) * sizeof *ng);
        if (!ng) abort();
        r->groups = ng;
        g = &r->groups[r->ngroups++];
        *g = (group){xstrdup(rec->schema),      xstrdup(rec->reason),      xstrdup(rec->keyword),
                     xstrdup(rec->rejected_at), xstrdup(rec->rejected_at), 0};
    }
    g->count++;
    if (strcmp(rec->rejected_at, g->first) < 0) {
        free(g->first);
        g->first = xstrdup(rec->rejected_at);
    }
    if (strcmp(rec->rejected_at, g->last) > 0) {
        free(g->last);
        g->last = xstrdup(rec->rejected_at);
    }
}

static int by_count(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    int c = strcmp(x->schema, y->schema);
    if (c) return c;
    c = strcmp(x->reason, y->reason);
    return c ? c : strcmp(x->keyword, y->keyword);
}

static void print_summary(reader *r)
{
    qsort(r->groups, r->ngroups, sizeof *r->groups, by_count);
    uint64_t total = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        group *g = &r->groups[i];
        total += g->count;
        if (r->o->json) {
            printf("{\"count\":%llu", (unsigned long long)g->count);
            kv(stdout, "schema", g->schema, false);
            kv(stdout, "reason", g->reason, false);
            kv(stdout, "keyword_location", g->keyword, false);
            kv(stdout, "first_seen", g->first, false);
            kv(stdout, "last_seen", g->last, false);
            puts("}");
        } else {
            printf("%8llu  %-10s %s %s  first %s  last %s\n", (unsigned long long)g->count,
                   *g->reason ? g->reason : "-", *g->schema ? g->schema : "-",
                   *g->keyword ? g->keyword : "-", g->first, g->last);
        }
    }
    if (!r->o->json)
        printf("%8llu  in all (%zu group%s)\n", (unsigned long long)total, r->ngroups,
               r->ngroups == 1 ? "" : "s");
}

/* ---- the consumer ---- */

static rd_kafka_conf_t *base_conf(const opts *o, char *errstr, size_t errlen)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (o->config) {
        mw_config cfg;
        char err[2048];
        if (mw_config_load(&cfg, o->config, environ, NULL, err, sizeof err)) {
            snprintf(errstr, errlen, "--config %s:\n%s", o->config, err);
            rd_kafka_conf_destroy(c);
            return NULL;
        }
        for (size_t i = 0; i < cfg.n_kafka; i++)
            if (rd_kafka_conf_set(c, cfg.kafka[i].key, cfg.kafka[i].value, err, sizeof err) !=
                RD_KAFKA_CONF_OK) {
                snprintf(errstr, errlen, "kafka.%s: %s", cfg.kafka[i].key, err);
                mw_config_free(&cfg);
                rd_kafka_conf_destroy(c);
                return NULL;
            }
        mw_config_free(&cfg);
    }
    char why[512];
    if (o->brokers && rd_kafka_conf_set(c, "bootstrap.servers", o->brokers, why, sizeof why) !=
                          RD_KAFKA_CONF_OK) {
        snprintf(errstr, errlen, "--brokers: %s", why);
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    for (size_t i = 0; i < o->nprops; i++) {
        char *k = xstrdup(o->props[i]), *eq = strchr(k, '=');
        bool ok = eq != NULL;
        if (eq) *eq = 0;
        if (!ok)
            snprintf(errstr, errlen, "-X %s: expected KEY=VALUE", o->props[i]);
        else if (rd_kafka_conf_set(c, k, eq + 1, why, sizeof why) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "-X %s: %s", k, why);
            ok = false;
        }
        free(k);
        if (!ok) {
            rd_kafka_conf_destroy(c);
            return NULL;
        }
    }
    return c;
}

static bool is_offset(const char *s)
{
    char *end;
    strtoll(s, &end, 10);
    return *s != '-' && end != s && !*end;
}

/* Every partition of every topic, at the --from position. */
static rd_kafka_topic_partition_list_t *plan(rd_kafka_t *rk, const opts *o, char *errstr,
                                             size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    int64_t start = RD_KAFKA_OFFSET_BEGINNING, at_ms = 0;
    const char *from = o->from ? o->from : "beginning";
    char *end = NULL;
    if (!strcmp(from, "end")) {
        start = RD_KAFKA_OFFSET_END;
    } else if (strcmp(from, "beginning") != 0) {
        if (is_offset(from))
            start = strtoll(from, &end, 10);
        else if (!parse_time(from, &at_ms)) {
            snprintf(errstr, errlen,
                     "--from: \"%s\" is not beginning, end, an offset or a time (RFC 3339 or "
                     "-30m)",
                     from);
            rd_kafka_topic_partition_list_destroy(l);
            return NULL;
        }
    }
    for (size_t t = 0; t < o->ntopics; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topics[t], NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        rd_kafka_topic_destroy(rkt);
        if (!err && md->topic_cnt == 1 && md->topics[0].err) err = md->topics[0].err;
        if (err || md->topics[0].partition_cnt == 0) {
            snprintf(errstr, errlen, "--topic %s: cannot read it: %s", o->topics[t],
                     err ? rd_kafka_err2str(err) : "no partitions");
            if (md) rd_kafka_metadata_destroy(md);
            rd_kafka_topic_partition_list_destroy(l);
            return NULL;
        }
        for (int p = 0; p < md->topics[0].partition_cnt; p++)
            rd_kafka_topic_partition_list_add(l, o->topics[t], md->topics[0].partitions[p].id)
                ->offset = at_ms ? at_ms : start;
        rd_kafka_metadata_destroy(md);
    }
    if (at_ms) {
        rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, l, 10000);
        if (err) {
            snprintf(errstr, errlen, "--from %s: cannot look up offsets: %s", from,
                     rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(l);
            return NULL;
        }
        for (int i = 0; i < l->cnt; i++) /* no record after the time: start at the end */
            if (l->elems[i].offset < 0) l->elems[i].offset = RD_KAFKA_OFFSET_END;
    }
    return l;
}

static bool stopped(const reader *r)
{
    struct signalfd_siginfo si;
    return read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si;
}

static int consume(reader *r, rd_kafka_t *rk, int nparts)
{
    int ended = 0;
    while (!stopped(r) && (r->o->follow || ended < nparts) &&
           (r->o->limit <= 0 || (long)r->shown < r->o->limit)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ended++;
        } else if (m->err) {
            fprintf(stderr, "meshgate dlq: %s: %s\n", m->rkt ? rd_kafka_topic_name(m->rkt) : "",
                    rd_kafka_message_errstr(m));
            if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
                rd_kafka_message_destroy(m);
                return 2;
            }
        } else {
            mw_dlq_rec rec;
            read_record(m, &rec, r->scratch, sizeof r->scratch);
            if (selected(r, &rec)) {
                r->shown++;
                if (r->replay)
                    mw_replay_one(r->replay, &rec);
                else if (r->o->summary)
                    add_to_summary(r, &rec);
                else if (r->o->json)
                    print_json(&rec);
                else
                    print_line(&rec);
                fflush(stdout);
            }
        }
        rd_kafka_message_destroy(m);
    }
    return 0;
}

/* ---- options ---- */

static int parse_opts(int argc, char **argv, opts *o)
{
    o->max_replays = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        const char **str_opt = !strcmp(a, "--brokers")    ? &o->brokers
                               : !strcmp(a, "--config")   ? &o->config
                               : !strcmp(a, "--from")     ? &o->from
                               : !strcmp(a, "--until")    ? &o->until
                               : !strcmp(a, "--schema")   ? &o->schema
                               : !strcmp(a, "--reason")   ? &o->reason
                               : !strcmp(a, "--keyword")  ? &o->keyword
                               : !strcmp(a, "--instance") ? &o->instance
                               : !strcmp(a, "--to")       ? &o->to
                               : !strcmp(a, "--schemas")  ? &o->schemas
                                                          : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (str_opt && has) {
            *str_opt = argv[++i];
        } else if (!strcmp(a, "--topic") && has) {
            o->topics[o->ntopics++] = argv[++i];
        } else if (!strcmp(a, "-X") && has) {
            o->props[o->nprops++] = argv[++i];
        } else if ((!strcmp(a, "--limit") || !strcmp(a, "--max-replays")) && has) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || v < 0) {
                fprintf(stderr, "meshgate dlq: %s: \"%s\" is not a number >= 0\n", a, argv[i]);
                return 2;
            }
            *(a[2] == 'l' ? &o->limit : &o->max_replays) = v;
        } else if (!strcmp(a, "--follow")) {
            o->follow = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--summary")) {
            o->summary = true;
        } else if (!strcmp(a, "--replay")) {
            o->replay = true;
        } else if (!strcmp(a, "--revalidate")) {
            o->revalidate = true;
        } else if (!strcmp(a, "--dry-run")) {
            o->dry_run = true;
        } else {
            fprintf(stderr, "meshgate dlq: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    const char *bad = !o->brokers && !o->config     ? "--brokers or --config is required"
                      : o->ntopics == 0             ? "--topic is required"
                      : o->replay && !o->to         ? "--replay needs --to TOPIC"
                      : o->to && !o->replay         ? "--to goes with --replay"
                      : o->revalidate && !o->replay ? "--revalidate goes with --replay"
                      : o->revalidate && !o->schemas && !o->config
                          ? "--revalidate needs --schemas SET.so (or the worker's --config)"
                      : o->replay && (o->summary || o->follow)
                          ? "--replay cannot be combined with --summary or --follow"
                      : o->summary && o->follow ? "--summary cannot be combined with --follow"
                                                : NULL;
    if (bad) {
        fprintf(stderr, "meshgate dlq: %s\n", bad);
        return 2;
    }
    return -1;
}

int mw_dlq_main(int argc, char **argv)
{
    opts o = {0};
    o.topics = calloc((size_t)argc, sizeof *o.topics);
    o.props = calloc((size_t)argc, sizeof *o.props);
    int rc = parse_opts(argc, argv, &o);
    sigset_t stop = mw_block_stop_signals(); /* before librdkafka starts its threads */
    reader *r = calloc(1, sizeof *r);        /* big: its scratch buffer */
    if (!r) abort();
    r->o = &o;
    r->sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
    char errstr[8192] = "";
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rc < 0 && o.from && strcmp(o.from, "beginning") && strcmp(o.from, "end") &&
        !is_offset(o.from))
        parse_time(o.from, &r->from_ms); /* a bad one is reported by plan() */
    if (rc < 0 && o.until && !parse_time(o.until, &r->until_ms)) {
        fprintf(stderr, "meshgate dlq: --until: \"%s\" is not a time (RFC 3339 or -30m)\n",
                o.until);
        rc = 2;
    }
    rd_kafka_conf_t *c = rc < 0 ? base_conf(&o, errstr, sizeof errstr) : NULL;
    if (rc < 0 && !c) rc = 2;
    if (rc < 0 && o.replay) {
        char *schemas = NULL;
        if (o.revalidate && !o.schemas) { /* the worker's schema set */
            mw_config cfg;
            char err[4096];
            if (!mw_config_load(&cfg, o.config, environ, NULL, err, sizeof err)) {
                schemas = xstrdup(cfg.schemas);
                mw_config_free(&cfg);
            }
        }
        mw_replay_opts ro = {o.to, o.max_replays,
                             o.revalidate ? (o.schemas ? o.schemas : schemas) : NULL, o.dry_run,
                             rd_kafka_conf_dup(c)};
        r->replay = mw_replay_new(&ro, errstr, sizeof errstr);
        free(schemas);
        if (!r->replay) rc = 2;
    }
    if (rc < 0) {
        char why[512];
        char gid[64];
        snprintf(gid, sizeof gid, "meshgate-dlq-%ld", (long)getpid());
        if (rd_kafka_conf_set(c, "group.id", gid, why, sizeof why) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(c, "enable.auto.commit", "false", why, sizeof why) !=
                RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(c, "enable.partition.eof", "true", why, sizeof why) !=
                RD_KAFKA_CONF_OK) {
            snprintf(errstr, sizeof errstr, "%s", why);
            rc = 2;
        }
    }
    if (rc < 0) {
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, errstr, sizeof errstr);
        if (rk)
            c = NULL;
        else
            rc = 2;
    }
    if (rc < 0 && !(parts = plan(rk, &o, errstr, sizeof errstr))) rc = 2;
    if (rc < 0) {
        rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
        if (err) {
            snprintf(errstr, sizeof errstr, "cannot assign the partitions: %s",
                     rd_kafka_err2str(err));
            rc = 2;
        }
    }
    if (rc < 0) {
        rc = consume(r, rk, parts->cnt);
        if (rc == 0 && o.summary) print_summary(r);
    }
    if (r->replay) {
        int rrc = mw_replay_finish(r->replay);
        if (rc <= 0) rc = rrc;
    }
    if (rc == 2 && errstr[0]) fprintf(stderr, "meshgate dlq: %s\n", errstr);
    if (parts) rd_kafka_topic_partition_list_destroy(parts);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    if (c) rd_kafka_conf_destroy(c);
    for (size_t i = 0; i < r->ngroups; i++) {
        free(r->groups[i].schema);
        free(r->groups[i].reason);
        free(r->groups[i].keyword);
        free(r->groups[i].first);
        free(r->groups[i].last);
    }
    free(r->groups);
    if (r->sigfd >= 0) close(r->sigfd);
    free(r);
    free(o.topics);
    free(o.props);
    return rc < 0 ? 0 : rc;
}
