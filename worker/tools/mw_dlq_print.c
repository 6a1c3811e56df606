/* mw_dlq_print.c - `meshgate dlq`: what a dead letter says, and how it is shown: a line, a JSON
 * object, or a summary group.
 *
 * Design: a record's dead-letter headers are read in place by their names in
 * mw_dlq_headers.h (meshgate's; where those are absent, Kafka Connect's or Kafka Streams', so
 * dead letters those write are read too), each text escaped into the caller's scratch
 * (mg_escape: a dead-letter topic may hold records from anyone). Binary data is shown one way
 * per format: in text every key, value and header is mg_escape'd (\xNN for what is not printable
 * UTF-8); in JSON a key, value or header value that is UTF-8 is a JSON string (mg_json_quote)
 * and anything else is the same field with "_base64" and its base64. Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_escape.h"
#include "mg_output.h"
#include "mw_dlq.h"
#include "mw_dlq_headers.h"

/* ---- reading ---- */

/* The interop names of the fields a Connect ([0]) or Streams ([1]) dead letter fills when
 * meshgate's are absent: origin topic, partition, offset, the exception (reason) and message. */
enum { ALT_TOPIC, ALT_PARTITION, ALT_OFFSET, ALT_REASON, ALT_MESSAGE, ALT_COUNT };
static const char *const alt_names[ALT_COUNT][2] = {{MW_CONNECT_TOPIC, MW_STREAMS_TOPIC},
                                                    {MW_CONNECT_PARTITION, MW_STREAMS_PARTITION},
                                                    {MW_CONNECT_OFFSET, MW_STREAMS_OFFSET},
                                                    {MW_CONNECT_EXCEPTION, MW_STREAMS_EXCEPTION},
                                                    {MW_CONNECT_MESSAGE, MW_STREAMS_MESSAGE}};

typedef struct scratch {
    char *p;
    size_t cap, used;
} scratch;

/* v[0..n) escaped into the scratch; "" when it does not fit. */
static const char *keep(scratch *s, const void *v, size_t n, unsigned flags)
{
    size_t w = mg_escape(s->p + s->used, s->cap - s->used, v ? v : "", v ? n : 0, flags);
    if (w >= s->cap - s->used) return "";
    const char *r = s->p + s->used;
    s->used += w + 1;
    return r;
}

static long number(const char *s, long none)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end ? v : none;
}

void mw_dlq_read(const rd_kafka_message_t *m, mw_dlq_rec *rec, char *buf, size_t cap)
{
    memset(rec, 0, sizeof *rec);
    rec->msg = m;
    rec->topic = rd_kafka_topic_name(m->rkt);
    rec->timestamp_ms = rd_kafka_message_timestamp(m, NULL);
    rec->value_dropped = -1;
    scratch s = {buf, cap, 0};
    const char **fields[MW_DLH_COUNT] = {
        [MW_DLH_REASON] = &rec->reason,
        [MW_DLH_INSTANCE] = &rec->instance,
        [MW_DLH_KEYWORD] = &rec->keyword,
        [MW_DLH_MESSAGE] = &rec->message,
        [MW_DLH_SCHEMA] = &rec->schema,
        [MW_DLH_SCHEMA_VERSION] = &rec->schema_version,
        [MW_DLH_ORIGIN_TOPIC] = &rec->origin_topic,
        [MW_DLH_ORIGIN_PARTITION] = &rec->origin_partition,
        [MW_DLH_ORIGIN_OFFSET] = &rec->origin_offset,
        [MW_DLH_WORKER] = &rec->worker,
        [MW_DLH_REJECTED_AT] = &rec->rejected_at,
        [MW_DLH_ERRORS] = &rec->errors,
    };
    for (int f = 0; f < MW_DLH_COUNT; f++)
        if (fields[f]) *fields[f] = "";
    const char *alt[ALT_COUNT][2] = {{NULL}};
    rec->key = m->key ? keep(&s, m->key, m->key_len, 0) : "-";
    rd_kafka_headers_t *hs = NULL;
    if (rd_kafka_message_headers(m, &hs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(hs, i, &name, &val, &len) == 0; i++) {
            if (!mw_dlh_reserved(name)) continue;
            if (!strcmp(name, mw_dlh_name(MW_DLH_REPLAY_COUNT))) {
                rec->replay_count = mw_dlh_replay_count(val, val ? len : 0);
                continue;
            }
            if (!strcmp(name, mw_dlh_name(MW_DLH_VALUE_DROPPED))) {
                rec->value_dropped = number(keep(&s, val, len, 0), -1);
                continue;
            }
            for (int f = 0; f < MW_DLH_COUNT; f++)
                if (fields[f] && !strcmp(name, mw_dlh_name(f)))
                    *fields[f] = keep(&s, val, len, MG_ESC_ESCAPED);
            for (int a = 0; a < ALT_COUNT; a++)
                for (int fam = 0; fam < 2; fam++)
                    if (!alt[a][fam] && !strcmp(name, alt_names[a][fam]))
                        alt[a][fam] = keep(&s, val, len, MG_ESC_ESCAPED);
        }
    }
    /* meshgate's names first, then Connect's, then Streams' */
    const char **fill[ALT_COUNT] = {&rec->origin_topic, &rec->origin_partition, &rec->origin_offset,
                                    &rec->reason, &rec->message};
    for (int a = 0; a < ALT_COUNT; a++)
        for (int fam = 0; fam < 2 && !**fill[a]; fam++)
            if (alt[a][fam] && *alt[a][fam]) *fill[a] = alt[a][fam];
    if (!strncmp(rec->reason, MW_INTEROP_EXCEPTION, sizeof MW_INTEROP_EXCEPTION - 1))
        rec->reason += sizeof MW_INTEROP_EXCEPTION - 1;
    rec->origin_part = (int32_t)number(rec->origin_partition, -1);
    rec->origin_off = number(rec->origin_offset, -1);
}

/* ---- one record ---- */

static void put_json(FILE *f, const void *s, size_t n)
{
    char small[512];
    size_t need = mg_json_quote(small, sizeof small, s ? s : "", s ? n : 0);
    if (need < sizeof small) {
        fputs(small, f);
        return;
    }
    char *big = malloc(need + 1);
    if (!big) abort();
    mg_json_quote(big, need + 1, s, n);
    fputs(big, f);
    free(big);
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

static void kv(FILE *f, const char *k, const char *v)
{
    fprintf(f, ",\"%s\":", k);
    put_json(f, v, strlen(v));
}

/* ,"NAME":"text" or ,"NAME_base64":"..." or ,"NAME":null */
static void data(FILE *f, const char *name, const void *d, size_t n)
{
    if (!d) {
        fprintf(f, ",\"%s\":null", name);
    } else if (mg_utf8_valid(d, n)) {
        fprintf(f, ",\"%s\":", name);
        put_json(f, d, n);
    } else {
        fprintf(f, ",\"%s_base64\":", name);
        put_base64(f, d, n);
    }
}

/* The headers that are not dead-letter headers: the input's own (untrusted.* among them). */
static void original_headers(FILE *f, const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *hs = NULL;
    fputs(",\"headers\":[", f);
    if (rd_kafka_message_headers(m, &hs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        bool first = true;
        for (size_t i = 0; rd_kafka_header_get_all(hs, i, &name, &val, &len) == 0; i++) {
            if (mw_dlh_reserved(name)) continue;
            fputs(first ? "{\"name\":" : ",{\"name\":", f);
            put_json(f, name, strlen(name));
            data(f, "value", val, len);
            fputc('}', f);
            first = false;
        }
    }
    fputc(']', f);
}

void mw_dlq_print_json(const mw_dlq_rec *rec)
{
    const rd_kafka_message_t *m = rec->msg;
    FILE *f = stdout;
    fputs("{\"topic\":", f);
    put_json(f, rec->topic, strlen(rec->topic));
    fprintf(f, ",\"partition\":%d,\"offset\":%lld,\"timestamp_ms\":%lld", m->partition,
            (long long)m->offset, (long long)rec->timestamp_ms);
    kv(f, "rejected_at", rec->rejected_at);
    fputs(",\"origin\":{\"topic\":", f);
    put_json(f, rec->origin_topic, strlen(rec->origin_topic));
    fprintf(f, ",\"partition\":%s,\"offset\":%s}",
            rec->origin_part >= 0 ? rec->origin_partition : "null",
            rec->origin_off >= 0 ? rec->origin_offset : "null");
    kv(f, "schema", rec->schema);
    kv(f, "schema_version", rec->schema_version);
    kv(f, "reason", rec->reason);
    kv(f, "instance_location", rec->instance);
    kv(f, "keyword_location", rec->keyword);
    kv(f, "message", rec->message);
    kv(f, "errors", rec->errors);
    kv(f, "worker", rec->worker);
    fprintf(f, ",\"replay_count\":%ld", rec->replay_count);
    if (rec->value_dropped >= 0) fprintf(f, ",\"value_dropped\":%ld", rec->value_dropped);
    original_headers(f, m);
    data(f, "key", m->key, m->key_len);
    data(f, "payload", m->payload, m->len);
    fputs("}\n", f);
}

void mw_dlq_print_place(const char *what, const mw_dlq_rec *rec)
{
    printf("%s %s/%s@%s %s %s", what, *rec->origin_topic ? rec->origin_topic : rec->topic,
           *rec->origin_partition ? rec->origin_partition : "?",
           *rec->origin_offset ? rec->origin_offset : "?", rec->key,
           *rec->schema ? rec->schema : "-");
}

#define EXCERPT 80

/* An escaped excerpt of the value (or what became of it), with "..." when cut. */
static void excerpt(const mw_dlq_rec *rec, char *buf, size_t cap)
{
    const rd_kafka_message_t *m = rec->msg;
    if (rec->value_dropped >= 0) {
        snprintf(buf, cap, "(value of %ld bytes not kept: too large for the topic)",
                 rec->value_dropped);
        return;
    }
    size_t n =
        mg_escape(buf, cap, m->payload ? m->payload : "", m->len < EXCERPT ? m->len : EXCERPT, 0);
    if (m->len > EXCERPT && n + 4 <= cap) strcpy(buf + n, "...");
}

void mw_dlq_print_line(const mw_dlq_rec *rec)
{
    mw_dlq_print_place(*rec->rejected_at ? rec->rejected_at : "-", rec);
    printf(" %s", *rec->reason ? rec->reason : "-");
    if (*rec->keyword || *rec->instance)
        printf(" at %s (%s)", *rec->instance ? rec->instance : "(root)", rec->keyword);
    if (*rec->message) printf(": %s", rec->message);
    if (rec->replay_count) printf(" [replayed %ld]", rec->replay_count);
    char ex[EXCERPT * 8 + 64];
    excerpt(rec, ex, sizeof ex);
    printf(" | %s\n", ex);
}

/* ---- summary ---- */

typedef struct group {
    char *schema, *reason, *keyword, *first, *last, *example;
    uint64_t count;
} group;

struct mw_dlq_summary {
    group *g;
    size_t n;
};

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

mw_dlq_summary *mw_dlq_summary_new(void)
{
    mw_dlq_summary *s = calloc(1, sizeof *s);
    if (!s) abort();
    return s;
}

void mw_dlq_summary_add(mw_dlq_summary *s, const mw_dlq_rec *rec)
{
    group *g = NULL;
    for (size_t i = 0; i < s->n && !g; i++)
        if (!strcmp(s->g[i].schema, rec->schema) && !strcmp(s->g[i].reason, rec->reason) &&
            !strcmp(s->g[i].keyword, rec->keyword))
            g = &s->g[i];
    if (!g) {
        group *ng = realloc(s->g, (s->n + 1) * sizeof *ng);
        if (!ng) abort();
        s->g = ng;
        g = &s->g[s->n++];
        char ex[EXCERPT * 8 + 64], line[EXCERPT * 8 + 4096];
        excerpt(rec, ex, sizeof ex);
        snprintf(line, sizeof line, "%s/%s@%s%s%s%s%s | %s",
                 *rec->origin_topic ? rec->origin_topic : rec->topic, rec->origin_partition,
                 rec->origin_offset, *rec->instance ? " " : "", rec->instance,
                 *rec->message ? ": " : "", rec->message, ex);
        *g = (group){xstrdup(rec->schema),
                     xstrdup(rec->reason),
                     xstrdup(rec->keyword),
                     xstrdup(rec->rejected_at),
                     xstrdup(rec->rejected_at),
                     xstrdup(line),
                     0};
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

void mw_dlq_summary_print(mw_dlq_summary *s, bool json)
{
    qsort(s->g, s->n, sizeof *s->g, by_count);
    uint64_t total = 0;
    if (!json && s->n)
        printf("%8s  %-10s %s %s  %s  %s  %s\n", "COUNT", "REASON", "SCHEMA", "KEYWORD", "FIRST",
               "LAST", "EXAMPLE");
    for (size_t i = 0; i < s->n; i++) {
        group *g = &s->g[i];
        total += g->count;
        if (json) {
            printf("{\"count\":%llu", (unsigned long long)g->count);
            kv(stdout, "schema", g->schema);
            kv(stdout, "reason", g->reason);
            kv(stdout, "keyword_location", g->keyword);
            kv(stdout, "first_seen", g->first);
            kv(stdout, "last_seen", g->last);
            kv(stdout, "example", g->example);
            puts("}");
        } else {
            printf("%8llu  %-10s %s %s  %s  %s  %s\n", (unsigned long long)g->count,
                   *g->reason ? g->reason : "-", *g->schema ? g->schema : "-",
                   *g->keyword ? g->keyword : "-", g->first, g->last, g->example);
        }
    }
    if (!json)
        printf("%8llu  in all (%zu group%s)\n", (unsigned long long)total, s->n,
               s->n == 1 ? "" : "s");
}

void mw_dlq_summary_free(mw_dlq_summary *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->g[i].schema);
        free(s->g[i].reason);
        free(s->g[i].keyword);
        free(s->g[i].first);
        free(s->g[i].last);
        free(s->g[i].example);
    }
    free(s->g);
    free(s);
}
