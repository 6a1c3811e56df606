/* mw_dlq.c - `meshgate dlq`: reads dead-letter topics and prints, summarises, filters or
 * replays the rejected records.
 *
 * Design: one consumer, every partition of each topic assigned from metadata (the full topic
 * list, so that asking never creates a topic on a broker that auto-creates), starting at the
 * beginning, the end, an offset (checked against each partition's range), a time
 * (offsets_for_times), or for a replay where its consumer group committed last time. Nothing
 * is committed except a replay's progress (mw_dlq_replay.c). Records are merged across
 * partitions in timestamp order: each partition's records are queued until every partition has
 * one waiting or has reported its end (enable.partition.eof), then the oldest goes first (a
 * partition with LANE_MAX records waiting is paused until half of them are shown).
 * Without --follow the read ends when every partition has reported its end; with --follow it
 * tails until SIGINT/SIGTERM. Each record's dead-letter headers are read (mw_dlq_print.c),
 * filters applied, and the record printed, summarised, or handed to the replay.
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

#include "mw_config.h"
#include "mw_metrics.h"
#include "mw_signal.h"

typedef struct opts {
    const char *brokers, *config, *from, *until, *schema, *reason, *keyword, *instance, *key;
    const char **topics;
    size_t ntopics;
    const char **props; /* -X key=value */
    size_t nprops;
    bool follow, json, summary, replay, revalidate, dry_run;
    long limit, max_replays, origin_offset, origin_partition;
    const char *to, *schemas;
} opts;

#define SCRATCH 65536

/* The records of one partition read but not shown yet, oldest first. */
typedef struct lane {
    rd_kafka_message_t **q;
    size_t head, n, cap;
    bool at_end; /* reported its end since its last record */
    bool paused; /* LANE_MAX records waiting: fetching paused until half are shown */
} lane;

#define LANE_MAX 4096 /* records one partition may have waiting for the others */

typedef struct reader {
    const opts *o;
    int sigfd;                 /* SIGINT/SIGTERM, blocked and read here: --follow ends on them */
    char scratch[SCRATCH];     /* the current record's header texts, NUL-terminated */
    int64_t from_ms, until_ms; /* --from TIME (also checked per record), --until TIME */
    rd_kafka_topic_partition_list_t *parts;
    lane *lanes; /* one per element of parts */
    mw_dlq_summary *summary;
    uint64_t shown;
    mw_replay *replay;
} reader;

static void usage(FILE *o)
{
    fputs("usage: meshgate dlq (-b LIST | --config FILE) [--topic T ...] [options]\n"
          "Reads dead-letter topics, oldest record first across partitions; commits nothing but\n"
          "a replay's progress.\n"
          "  -b, --brokers LIST   bootstrap servers (or kafka: of the worker's --config FILE)\n"
          "  --config FILE        the worker's configuration: brokers, Kafka properties, and\n"
          "                       its routes' dead-letter topics when no --topic is given\n"
          "  -X KEY=VALUE         a librdkafka property (security.protocol, sasl.*, ...)\n"
          "  --topic T            a dead-letter topic; repeat for more\n"
          "  --from W             beginning (default), end, an offset (in every partition), or a\n"
          "                       time; for --replay the default is where the last replay into\n"
          "                       the same target stopped\n"
          "  --until TIME         skip records rejected after TIME\n"
          "  --follow             keep reading new records until interrupted\n"
          "  --json               one JSON object per record (or per summary group)\n"
          "  --summary            counts by schema, reason and keyword, first and last seen, an\n"
          "                       example\n"
          "  --limit N            at most N records\n"
          "filters:\n"
          "  --schema NAME        meshgate.schema is NAME\n"
          "  --reason CODE        the reject reason is CODE (schema, syntax, utf8, empty, ...)\n"
          "  --keyword TEXT       meshgate.keyword_location contains TEXT (e.g. /minimum)\n"
          "  --instance PREFIX    meshgate.instance_location starts with PREFIX\n"
          "  --key KEY            the record's key is KEY\n"
          "  --origin-partition P, --origin-offset N   the record came from there\n"
          "replay:\n"
          "  --replay [--to TOPIC]  re-send key, value, timestamp and original headers to TOPIC\n"
          "                       (default: each record's origin topic) with\n"
          "                       meshgate.replay_count + 1; progress is committed in the\n"
          "                       consumer group meshgate-dlq-replay.TOPIC (or .origin)\n"
          "  --max-replays N      refuse records replayed N times already (default 3)\n"
          "  --revalidate [--schemas SET.so]  replay only records the worker would now accept\n"
          "                       (its routes from --config, else the schema the record names)\n"
          "  --dry-run            report what would be replayed, send and commit nothing\n"
          "TIME is RFC 3339 (2026-11-23T10:00:00Z) or relative to now (-90s, -30m, -2h, -7d).\n"
          "Exit status: 0 done, 1 a replayed record was not delivered, 2 usage or set-up error.\n",
          o);
}

/* ---- times ---- */

bool mw_dlq_parse_time(const char *s, int64_t *ms)
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

static bool selected(const reader *r, const mw_dlq_rec *rec)
{
    const opts *o = r->o;
    const rd_kafka_message_t *m = rec->msg;
    if (o->schema && strcmp(rec->schema, o->schema) != 0) return false;
    if (o->reason && strcmp(rec->reason, o->reason) != 0) return false;
    if (o->keyword && !strstr(rec->keyword, o->keyword)) return false;
    if (o->instance && strncmp(rec->instance, o->instance, strlen(o->instance)) != 0) return false;
    if (o->key && (!m->key || m->key_len != strlen(o->key) || memcmp(m->key, o->key, m->key_len)))
        return false;
    if (o->origin_offset >= 0 && rec->origin_off != o->origin_offset) return false;
    if (o->origin_partition >= 0 && rec->origin_part != o->origin_partition) return false;
    if (r->until_ms && rec->timestamp_ms > r->until_ms) return false;
    if (r->from_ms && rec->timestamp_ms < r->from_ms) return false;
    return true;
}

static void handle(reader *r, rd_kafka_message_t *m)
{
    mw_dlq_rec rec;
    mw_dlq_read(m, &rec, r->scratch, sizeof r->scratch);
    if (r->replay) mw_replay_seen(r->replay, m);
    if (!selected(r, &rec)) return;
    r->shown++;
    if (r->replay)
        mw_replay_one(r->replay, &rec);
    else if (r->summary)
        mw_dlq_summary_add(r->summary, &rec);
    else if (r->o->json)
        mw_dlq_print_json(&rec);
    else
        mw_dlq_print_line(&rec);
    fflush(stdout);
}

/* ---- the consumer ---- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static rd_kafka_conf_t *base_conf(const opts *o, const mw_config *cfg, char *errstr, size_t errlen)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char why[512];
    for (size_t i = 0; cfg && i < cfg->n_kafka; i++)
        if (rd_kafka_conf_set(c, cfg->kafka[i].key, cfg->kafka[i].value, why, sizeof why) !=
            RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "kafka.%s: %s", cfg->kafka[i].key, why);
            rd_kafka_conf_destroy(c);
            return NULL;
        }
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

/* Checks an explicit --from offset against every partition's range. */
static bool offset_in_range(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l, int64_t at,
                            char *errstr, size_t errlen)
{
    for (int i = 0; i < l->cnt; i++) {
        int64_t lo, hi;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            rk, l->elems[i].topic, l->elems[i].partition, &lo, &hi, 10000);
        if (err) {
            snprintf(errstr, errlen, "--from %lld: cannot read the range of %s/%d: %s",
                     (long long)at, l->elems[i].topic, l->elems[i].partition,
                     rd_kafka_err2str(err));
            return false;
        }
        if (at < lo || at > hi) {
            snprintf(errstr, errlen,
                     "--from %lld: out of range in %s/%d, which holds offsets %lld..%lld%s",
                     (long long)at, l->elems[i].topic, l->elems[i].partition, (long long)lo,
                     (long long)hi - 1, at < lo ? " (older ones were deleted)" : "");
            return false;
        }
    }
    return true;
}

/* Every partition of every topic, at the --from position (for a replay without --from, where
 * its group committed). */
static rd_kafka_topic_partition_list_t *plan(rd_kafka_t *rk, const opts *o, char *errstr,
                                             size_t errlen)
{
    int64_t start = RD_KAFKA_OFFSET_BEGINNING, at_ms = 0;
    const char *from = o->from ? o->from : "beginning";
    if (!strcmp(from, "end")) {
        start = RD_KAFKA_OFFSET_END;
    } else if (strcmp(from, "beginning") != 0) {
        if (is_offset(from)) {
            start = strtoll(from, NULL, 10);
        } else if (!mw_dlq_parse_time(from, &at_ms)) {
            snprintf(errstr, errlen,
                     "--from: \"%s\" is not beginning, end, an offset or a time (RFC 3339 or "
                     "-30m)",
                     from);
            return NULL;
        }
    }
    /* all topics: asking for one by name creates it on a broker that auto-creates topics */
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    if (err) {
        snprintf(errstr, errlen, "cannot read the topic list: %s", rd_kafka_err2str(err));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    for (size_t t = 0; t < o->ntopics && l; t++) {
        const struct rd_kafka_metadata_topic *mt = NULL;
        for (int i = 0; i < md->topic_cnt && !mt; i++)
            if (!strcmp(md->topics[i].topic, o->topics[t])) mt = &md->topics[i];
        if (!mt || mt->err || mt->partition_cnt == 0) {
            snprintf(errstr, errlen, "--topic %s: %s", o->topics[t],
                     !mt       ? "no such topic"
                     : mt->err ? rd_kafka_err2str(mt->err)
                               : "it has no partitions");
            rd_kafka_topic_partition_list_destroy(l);
            l = NULL;
            break;
        }
        for (int p = 0; p < mt->partition_cnt; p++)
            rd_kafka_topic_partition_list_add(l, o->topics[t], mt->partitions[p].id)->offset =
                at_ms ? at_ms : start;
    }
    rd_kafka_metadata_destroy(md);
    if (!l) return NULL;
    if (o->replay && !o->from) { /* where the last replay into this target stopped */
        rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_copy(l);
        err = rd_kafka_committed(rk, c, 10000);
        for (int i = 0; !err && i < c->cnt; i++)
            l->elems[i].offset = c->elems[i].offset >= 0 ? c->elems[i].offset : start;
        rd_kafka_topic_partition_list_destroy(c);
        if (err) {
            snprintf(errstr, errlen, "cannot read the replay's progress: %s",
                     rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(l);
            return NULL;
        }
    } else if (at_ms) {
        err = rd_kafka_offsets_for_times(rk, l, 10000);
        if (err) {
            snprintf(errstr, errlen, "--from %s: cannot look up offsets: %s", from,
                     rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(l);
            return NULL;
        }
        for (int i = 0; i < l->cnt; i++) /* no record after the time: start at the end */
            if (l->elems[i].offset < 0) l->elems[i].offset = RD_KAFKA_OFFSET_END;
    } else if (start >= 0 && !offset_in_range(rk, l, start, errstr, errlen)) {
        rd_kafka_topic_partition_list_destroy(l);
        return NULL;
    }
    return l;
}

static bool stopped(const reader *r)
{
    struct signalfd_siginfo si;
    return read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si;
}

static lane *lane_of(reader *r, const rd_kafka_message_t *m)
{
    const char *t = rd_kafka_topic_name(m->rkt);
    for (int i = 0; i < r->parts->cnt; i++)
        if (r->parts->elems[i].partition == m->partition && !strcmp(r->parts->elems[i].topic, t))
            return &r->lanes[i];
    return NULL;
}

static void lane_push(lane *l, rd_kafka_message_t *m)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        rd_kafka_message_t **q = malloc(cap * sizeof *q);
        if (!q) abort();
        for (size_t i = 0; i < l->n; i++)
            q[i] = l->q[(l->head + i) % l->cap];
        free(l->q);
        l->q = q;
        l->cap = cap;
        l->head = 0;
    }
    l->q[(l->head + l->n++) % l->cap] = m;
    l->at_end = false;
}

/* The lane whose oldest record goes next, or NULL while a lane that may still get an older
 * record has none waiting. */
static lane *next_lane(reader *r)
{
    lane *best = NULL;
    int64_t best_ts = 0;
    for (int i = 0; i < r->parts->cnt; i++) {
        lane *l = &r->lanes[i];
        if (!l->n) {
            if (!l->at_end) return NULL;
            continue;
        }
        int64_t ts = rd_kafka_message_timestamp(l->q[l->head], NULL);
        if (!best || ts < best_ts) {
            best = l;
            best_ts = ts;
        }
    }
    return best;
}

static bool all_ended(const reader *r)
{
    for (int i = 0; i < r->parts->cnt; i++)
        if (!r->lanes[i].at_end || r->lanes[i].n) return false;
    return true;
}

static bool more(const reader *r)
{
    return r->o->limit <= 0 || (long)r->shown < r->o->limit;
}

/* Pauses or resumes fetching for lane i: memory stays bounded while a partition waits for
 * another one's next record. */
static void throttle(reader *r, rd_kafka_t *rk, lane *l)
{
    bool want = l->n >= LANE_MAX ? true : l->n < LANE_MAX / 2 ? false : l->paused;
    if (want == l->paused) return;
    rd_kafka_topic_partition_t *e = &r->parts->elems[l - r->lanes];
    rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(one, e->topic, e->partition);
    if (want)
        rd_kafka_pause_partitions(rk, one);
    else
        rd_kafka_resume_partitions(rk, one);
    rd_kafka_topic_partition_list_destroy(one);
    l->paused = want;
}

static int consume(reader *r, rd_kafka_t *rk)
{
    int rc = 0;
    while (!stopped(r) && more(r) && (r->o->follow || !all_ended(r))) {
        lane *l;
        while (more(r) && (l = next_lane(r))) {
            rd_kafka_message_t *m = l->q[l->head];
            l->head = (l->head + 1) % l->cap;
            l->n--;
            handle(r, m);
            rd_kafka_message_destroy(m);
            throttle(r, rk, l);
        }
        if (!more(r) || (!r->o->follow && all_ended(r))) break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        lane *to = m->rkt ? lane_of(r, m) : NULL;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (to) to->at_end = true;
        } else if (m->err) {
            fprintf(stderr, "meshgate dlq: %s: %s\n", m->rkt ? rd_kafka_topic_name(m->rkt) : "",
                    rd_kafka_message_errstr(m));
            if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
                rd_kafka_message_destroy(m);
                rc = 2;
                break;
            }
        } else if (to) {
            lane_push(to, m);
            throttle(r, rk, to);
            continue; /* kept until shown */
        }
        rd_kafka_message_destroy(m);
    }
    for (int i = 0; r->lanes && i < r->parts->cnt; i++) {
        lane *l = &r->lanes[i];
        for (size_t k = 0; k < l->n; k++)
            rd_kafka_message_destroy(l->q[(l->head + k) % l->cap]);
        free(l->q);
    }
    return rc;
}

/* ---- options ---- */

static bool known_reason(const char *s)
{
    for (int i = 0; i < MW_RJ_COUNT; i++)
        if (!strcmp(s, mw_reject_name((mw_reject)i))) return true;
    return strchr(s, '.') != NULL; /* an exception class of a Connect or Streams dead letter */
}

static bool number_opt(const char *a, const char *v, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 0) {
        fprintf(stderr, "meshgate dlq: %s: \"%s\" is not a number >= 0\n", a, v);
        return false;
    }
    *out = n;
    return true;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    o->max_replays = 3;
    o->origin_offset = o->origin_partition = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        const char **str_opt = !strcmp(a, "--brokers") || !strcmp(a, "-b") ? &o->brokers
                               : !strcmp(a, "--config")                    ? &o->config
                               : !strcmp(a, "--from")                      ? &o->from
                               : !strcmp(a, "--until")                     ? &o->until
                               : !strcmp(a, "--schema")                    ? &o->schema
                               : !strcmp(a, "--reason")                    ? &o->reason
                               : !strcmp(a, "--keyword")                   ? &o->keyword
                               : !strcmp(a, "--instance")                  ? &o->instance
                               : !strcmp(a, "--key")                       ? &o->key
                               : !strcmp(a, "--to")                        ? &o->to
                               : !strcmp(a, "--schemas")                   ? &o->schemas
                                                                           : NULL;
        long *num_opt = !strcmp(a, "--limit")              ? &o->limit
                        : !strcmp(a, "--max-replays")      ? &o->max_replays
                        : !strcmp(a, "--origin-offset")    ? &o->origin_offset
                        : !strcmp(a, "--origin-partition") ? &o->origin_partition
                                                           : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (str_opt && has) {
            *str_opt = argv[++i];
        } else if (num_opt && has) {
            if (!number_opt(a, argv[++i], num_opt)) return 2;
        } else if (!strcmp(a, "--topic") && has) {
            o->topics[o->ntopics++] = argv[++i];
        } else if (!strcmp(a, "-X") && has) {
            o->props[o->nprops++] = argv[++i];
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
    const char *bad = !o->brokers && !o->config       ? "--brokers or --config is required"
                      : o->ntopics == 0 && !o->config ? "--topic is required (or --config)"
                      : o->to && !o->replay           ? "--to goes with --replay"
                      : o->revalidate && !o->replay   ? "--revalidate goes with --replay"
                      : o->dry_run && !o->replay      ? "--dry-run goes with --replay"
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
    if (o->reason && !known_reason(o->reason)) {
        fprintf(stderr, "meshgate dlq: --reason: \"%s\" is not a reject reason; one of", o->reason);
        for (int i = 0; i < MW_RJ_COUNT; i++)
            fprintf(stderr, "%s %s", i ? "," : "", mw_reject_name((mw_reject)i));
        fputs(" (or an exception class of a Kafka Connect or Streams dead letter)\n", stderr);
        return 2;
    }
    return -1;
}

/* --config's dead-letter topics (each once) when no --topic names any. */
static void topics_of(opts *o, const mw_config *cfg)
{
    const char **t = realloc(o->topics, (cfg->n_routes + 1) * sizeof *t);
    if (!t) abort();
    o->topics = t;
    for (size_t i = 0; i < cfg->n_routes; i++) {
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup = dup || !strcmp(cfg->routes[k].dead_letter, cfg->routes[i].dead_letter);
        if (!dup) o->topics[o->ntopics++] = cfg->routes[i].dead_letter;
    }
}

static bool set_all(rd_kafka_conf_t *c, const char *const *kv, char *errstr, size_t errlen)
{
    for (size_t i = 0; kv[i]; i += 2)
        if (rd_kafka_conf_set(c, kv[i], kv[i + 1], errstr, errlen) != RD_KAFKA_CONF_OK)
            return false;
    return true;
}

int mw_dlq_main(int argc, char **argv)
{
    opts o = {0};
    o.topics = calloc((size_t)argc, sizeof *o.topics);
    o.props = calloc((size_t)argc, sizeof *o.props);
    int rc = parse_opts(argc, argv, &o);
    sigset_t stop = mw_block_stop_signals(); /* before librdkafka starts its threads */
    reader *r = calloc(1, sizeof *r);        /* big: its scratch buffer */
    if (!r || !o.topics || !o.props) abort();
    r->o = &o;
    r->sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
    char errstr[8192] = "";
    rd_kafka_t *rk = NULL;
    mw_config cfg, *cfgp = NULL;
    if (rc < 0 && o.config) {
        char err[4096];
        if (mw_config_load(&cfg, o.config, environ, NULL, err, sizeof err)) {
            snprintf(errstr, sizeof errstr, "--config %.1000s:\n%s", o.config, err);
            rc = 2;
        } else {
            cfgp = &cfg;
            if (o.ntopics == 0) topics_of(&o, cfgp);
        }
    }
    if (rc < 0 && o.from && strcmp(o.from, "beginning") && strcmp(o.from, "end") &&
        !is_offset(o.from))
        mw_dlq_parse_time(o.from, &r->from_ms); /* a bad one is reported by plan() */
    if (rc < 0 && o.until && !mw_dlq_parse_time(o.until, &r->until_ms)) {
        fprintf(stderr, "meshgate dlq: --until: \"%s\" is not a time (RFC 3339 or -30m)\n",
                o.until);
        rc = 2;
    }
    rd_kafka_conf_t *c = rc < 0 ? base_conf(&o, cfgp, errstr, sizeof errstr) : NULL;
    if (rc < 0 && !c) rc = 2;
    /* the producer's and the origin reader's, before the consumer's own properties */
    rd_kafka_conf_t *pc = rc < 0 && o.replay ? rd_kafka_conf_dup(c) : NULL;
    rd_kafka_conf_t *oc = rc < 0 && o.replay ? rd_kafka_conf_dup(c) : NULL;
    char gid[512];
    if (o.replay)
        mw_replay_group(gid, sizeof gid, o.to);
    else
        snprintf(gid, sizeof gid, "meshgate-dlq-%ld", (long)getpid()); /* never committed */
    const char *const consumer_kv[] = {
        "group.id", gid, "enable.auto.commit", "false", "enable.partition.eof", "true", NULL};
    if (rc < 0 && !set_all(c, consumer_kv, errstr, sizeof errstr)) rc = 2;
    if (rc < 0) {
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, errstr, sizeof errstr);
        if (rk)
            c = NULL;
        else
            rc = 2;
    }
    if (rc < 0 && o.replay) {
        mw_replay_opts ro = {o.to,
                             o.max_replays,
                             o.revalidate ? (o.schemas ? o.schemas : cfgp->schemas) : NULL,
                             cfgp,
                             o.dry_run,
                             pc,
                             oc,
                             rk};
        pc = oc = NULL;
        r->replay = mw_replay_new(&ro, errstr, sizeof errstr);
        if (!r->replay) rc = 2;
    }
    if (rc < 0 && !(r->parts = plan(rk, &o, errstr, sizeof errstr))) rc = 2;
    if (rc < 0) {
        rd_kafka_resp_err_t err = rd_kafka_assign(rk, r->parts);
        if (err) {
            snprintf(errstr, sizeof errstr, "cannot assign the partitions: %s",
                     rd_kafka_err2str(err));
            rc = 2;
        }
    }
    if (rc < 0) {
        r->lanes = calloc((size_t)r->parts->cnt + 1, sizeof *r->lanes);
        if (!r->lanes) abort();
        if (o.summary) r->summary = mw_dlq_summary_new();
        rc = consume(r, rk);
        if (rc == 0 && o.summary) mw_dlq_summary_print(r->summary, o.json);
    }
    if (r->replay) {
        int rrc = mw_replay_finish(r->replay);
        if (rc <= 0) rc = rrc;
    }
    if (rc == 2 && errstr[0]) fprintf(stderr, "meshgate dlq: %s\n", errstr);
    if (r->parts) rd_kafka_topic_partition_list_destroy(r->parts);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    if (c) rd_kafka_conf_destroy(c);
    if (pc) rd_kafka_conf_destroy(pc);
    if (oc) rd_kafka_conf_destroy(oc);
    if (cfgp) mw_config_free(cfgp);
    mw_dlq_summary_free(r->summary);
    free(r->lanes);
    if (r->sigfd >= 0) close(r->sigfd);
    free(r);
    free(o.topics);
    free(o.props);
    return rc < 0 ? 0 : rc;
}
