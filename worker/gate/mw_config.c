/* mw_config.c - the worker's configuration: one YAML file (libfyaml), overridden by MESHGATE_*
 * environment variables, checked as a whole.
 *
 * Design: every scalar key is a row of one table (path, type, range, default, field offset),
 * so the file, the environment and the checks all read the same rows. Loading has three
 * steps: the file gives each key its text and where that text came from (line), the
 * environment replaces texts (MESHGATE_ + the path upper-cased, '.' and "[i]." as '_'), then
 * every text is converted and checked. So an environment value that fixes a bad file value
 * leaves no error, and every error names where the text that caused it came from: the file
 * and line, or the variable. Problems are collected, one line each, and counted, so a person
 * fixes them all in one go. kafka:/consumer:/producer: are property maps passed to librdkafka
 * as text (their variables turn '_' into '.'); load already tries each on a scratch
 * rd_kafka_conf_t so that they are reported with the rest (mw_config_kafka.c builds the real
 * ones). Ownership: the loader's texts
 * point into the YAML document or envp and live only during mw_config_load; everything in
 * mw_config is heap-owned by it until mw_config_free. Runs once at start, on the main thread;
 * no state outside the loader.
 */
#include "mw_config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <libfyaml.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_yaml.h"

typedef enum ktype { K_STR, K_U32, K_SIZE, K_ENUM, K_ATTRS } ktype;

enum {
    F_REQUIRED = 1, /* a non-empty string is required */
    F_EMPTY_OK = 2, /* "" is a valid value (http.listen: off) */
    F_ZERO_OK = 4,  /* 0 is valid besides min..max (stats_interval_ms: off) */
    F_TOPIC = 8,    /* a Kafka topic name */
    F_LISTEN = 16,  /* HOST:PORT */
};

typedef struct keydef {
    const char *path; /* "limits.max_message_bytes"; route keys without "routes[i]." */
    ktype type;
    unsigned flags;
    size_t off; /* in mw_config or mw_route */
    uint64_t min, max;
    const char *dflt; /* NULL: required, or computed after loading (worker_id, type) */
    const char *need; /* what a missing required key is, for messages */
} keydef;

/* The values of each K_ENUM key, in the order of its C enum (stored as an int). */
static const struct {
    const char *path;
    const char *names[5]; /* NULL-terminated */
} enums[] = {
    {"mode", {"binary", "structured", "passthrough"}},
    {"tombstones", {"forward", "dead_letter"}},
    {"schema_id", {"none", "confluent", "apicurio", "auto"}},
    {"on_offset_reset", {"continue", "stop"}},
    {"dead_letter_headers", {"meshgate", "connect", "streams", "all"}},
    {"log.format", {"text", "json"}},
    {"log.level", {"error", "warn", "info", "debug"}},
    {"ingest", {"off", "on"}},
    {"auth", {"credentials", "none"}},
};
_Static_assert(sizeof(mw_ce_mode) == sizeof(int) && sizeof(mw_tombstones) == sizeof(int) &&
                   sizeof(mw_on_reset) == sizeof(int) && sizeof(mw_dl_headers) == sizeof(int) &&
                   sizeof(mw_log_format) == sizeof(int) && sizeof(mw_log_level) == sizeof(int) &&
                   sizeof(mw_ingest_mode) == sizeof(int) && sizeof(mw_auth) == sizeof(int) &&
                   sizeof(mw_wire_mode) == sizeof(int),
               "K_ENUM fields are stored as int");

static const char *const *enum_names(const keydef *k)
{
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++)
        if (strcmp(enums[i].path, k->path) == 0) return enums[i].names;
    return NULL;
}

const char *mw_config_mode_name(mw_ce_mode mode)
{
    return (unsigned)mode <= MW_CE_PASSTHROUGH ? enums[0].names[mode] : "unknown";
}

#define C(f) offsetof(mw_config, f)
#define R(f) offsetof(mw_route, f)
static const keydef top_keys[] = {
    {"schemas", K_STR, F_REQUIRED, C(schemas), 0, 0, NULL,
     "the compiled schema set, a .so built from meshgate-codegen output"},
    {"group", K_STR, F_REQUIRED, C(group), 0, 0, NULL, "the consumer group id"},
    {"worker_id", K_STR, 0, C(worker_id), 0, 0, NULL, NULL},
    {"workers", K_U32, 0, C(workers), 0, 1024, "0", NULL},
    {"http.listen", K_STR, F_EMPTY_OK | F_LISTEN, C(http_listen), 0, 0, "0.0.0.0:9464", NULL},
    {"http.max_connections", K_U32, 0, C(http_max_connections), 1, 100000, "64", NULL},
    {"http.max_connections_per_ip", K_U32, 0, C(http_max_connections_per_ip), 1, 100000, "16",
     NULL},
    {"http.request_timeout_ms", K_U32, 0, C(http_request_timeout_ms), 100, 600000, "10000", NULL},
    {"http.max_request_bytes", K_SIZE, 0, C(http_max_request_bytes), 1, 1ull << 32, "4194304",
     NULL},
    {"http.max_inflight_requests", K_U32, 0, C(http_max_inflight_requests), 1, 1000000, "256",
     NULL},
    {"http.max_inflight_bytes", K_SIZE, 0, C(http_max_inflight_bytes), 1, 1ull << 40, "67108864",
     NULL},
    {"http.tls_cert", K_STR, F_EMPTY_OK, C(http_tls_cert), 0, 0, "", NULL},
    {"http.tls_key", K_STR, F_EMPTY_OK, C(http_tls_key), 0, 0, "", NULL},
    {"http.tls_client_ca", K_STR, F_EMPTY_OK, C(http_tls_client_ca), 0, 0, "", NULL},
    {"http.idempotency_window_ms", K_U32, 0, C(idempotency_window_ms), 1, 86400000, "600000", NULL},
    {"http.idempotency_max_keys", K_U32, 0, C(idempotency_max_keys), 1, 10000000, "100000", NULL},
    {"http.idempotency_max_bytes", K_SIZE, 0, C(idempotency_max_bytes), 1, 1ull << 40, "67108864",
     NULL},
    {"catalog", K_STR, F_EMPTY_OK, C(catalog), 0, 0, "", NULL},
    {"limits.max_message_bytes", K_SIZE, 0, C(max_message_bytes), 1, 268435456, "1048576", NULL},
    {"limits.max_inflight_messages", K_U32, 0, C(max_inflight_messages), 1, 10000000, "50000",
     NULL},
    {"limits.max_inflight_bytes", K_SIZE, 0, C(max_inflight_bytes), 1, 1ull << 40, "67108864",
     NULL},
    {"drain_timeout_ms", K_U32, 0, C(drain_timeout_ms), 100, 3600000, "20000", NULL},
    {"stats_interval_ms", K_U32, F_ZERO_OK, C(stats_interval_ms), 100, 86400000, "10000", NULL},
    {"retry.backoff_ms", K_U32, 0, C(retry_backoff_ms), 1, 60000, "100", NULL},
    {"retry.backoff_max_ms", K_U32, 0, C(retry_backoff_max_ms), 1, 3600000, "10000", NULL},
    {"on_offset_reset", K_ENUM, 0, C(on_offset_reset), 0, 0, "continue", NULL},
    {"health.stuck_after_ms", K_U32, F_ZERO_OK, C(stuck_after_ms), 100, 86400000, "60000", NULL},
    {"log.format", K_ENUM, 0, C(log_format), 0, 0, "text", NULL},
    {"log.level", K_ENUM, 0, C(log_level), 0, 0, "info", NULL},
};
static const keydef route_keys[] = {
    {"input", K_STR, F_REQUIRED | F_TOPIC, R(input), 0, 0, NULL, "an input topic"},
    {"schema", K_STR, F_REQUIRED, R(schema), 0, 0, NULL,
     "a schema, its name or $id in the schema set"},
    {"schema_version", K_STR, 0, R(schema_version), 0, 0, "1", NULL},
    {"output", K_STR, F_REQUIRED | F_TOPIC, R(output), 0, 0, NULL, "an output topic"},
    {"dead_letter", K_STR, F_REQUIRED | F_TOPIC, R(dead_letter), 0, 0, NULL, "a dead-letter topic"},
    {"source", K_STR, F_REQUIRED, R(source), 0, 0, NULL,
     "a source, the CloudEvents source URI-reference of the data product"},
    {"type", K_STR, 0, R(type), 0, 0, NULL, NULL},
    {"mode", K_ENUM, 0, R(mode), 0, 0, "binary", NULL},
    {"attributes", K_ATTRS, 0, R(required_only), 0, 0, "all", NULL},
    {"tombstones", K_ENUM, 0, R(tombstones), 0, 0, "forward", NULL},
    {"dead_letter_headers", K_ENUM, 0, R(dl_headers), 0, 0, "meshgate", NULL},
    {"dead_letter_errors", K_U32, F_ZERO_OK, R(dl_errors), 1, 64, "0", NULL},
    {"ingest", K_ENUM, 0, R(ingest), 0, 0, "off", NULL},
    {"ingest_path", K_STR, F_EMPTY_OK, R(ingest_path), 0, 0, "", NULL},
    {"auth", K_ENUM, 0, R(auth), 0, 0, "credentials", NULL},
    {"tokens_sha256", K_STR, F_EMPTY_OK, R(tokens_sha256), 0, 0, "", NULL},
    {"token_file", K_STR, F_EMPTY_OK, R(token_file), 0, 0, "", NULL},
    {"client_cns", K_STR, F_EMPTY_OK, R(client_cns), 0, 0, "", NULL},
    {"schema_id", K_ENUM, 0, R(schema_id), 0, 0, "none", NULL},
    {"discriminator", K_STR, F_EMPTY_OK, R(discriminator), 0, 0, "", NULL},
};
enum { RK_INPUT = 0, RK_SCHEMA = 1, RK_OUTPUT = 3, RK_DEAD_LETTER = 4 }; /* rows in route_keys */
#define NTOP (sizeof top_keys / sizeof top_keys[0])
#define NROUTE (sizeof route_keys / sizeof route_keys[0])
#define NMAPS 3
static const char *const map_names[NMAPS] = {"kafka", "consumer", "producer"};

/* Where a key's text came from. */
typedef struct origin {
    const char *text; /* NULL: not set */
    int line;         /* file line (1-based) when from the file */
    const char *var;  /* the environ entry "NAME=VALUE" when from the environment */
} origin;

typedef struct route_src {
    int line;       /* of the route's mapping (its first key), for missing keys */
    bool malformed; /* not a mapping (reported) */
    origin k[NROUTE];
    int *variant_lines; /* of each routes[i].variants[j] */
} route_src;

/* One problem found; they are written to errstr in file order, the environment's last. */
typedef struct problem {
    int line; /* INT_MAX for a variable's */
    size_t seq;
    char *text;
} problem;

typedef struct loader {
    mw_config *c;
    const char *file;
    problem *problems;
    size_t n_problems;
    int n_errs;
    int root_line;
    bool routes_seen;         /* routes: is in the file (problems with it already reported) */
    struct fy_parser *parser; /* owns the document */
    origin top[NTOP];
    route_src *routes;     /* c->n_routes of them */
    origin *kv_src[NMAPS]; /* parallel to c->kafka, c->consumer, c->producer */
} loader;

/* ---- errors ---- */

static void add_problem(loader *L, int line, const char *text)
{
    L->n_errs++;
    problem *np = realloc(L->problems, (L->n_problems + 1) * sizeof *np);
    if (np) L->problems = np;
    char *copy = np ? strdup(text) : NULL;
    if (!copy) return;
    size_t i = L->n_problems++;
    L->problems[i] = (problem){line, i, copy};
}

static int by_line(const void *a, const void *b)
{
    const problem *p = a, *q = b;
    if (p->line != q->line) return p->line < q->line ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Writes the problems, one a line, in file order; when errstr fills, the last line that fits
 * is cut and ends in "...". Frees them. */
static void write_problems(loader *L, char *errstr, size_t errlen)
{
    size_t len = 0;
    bool full = !errstr || errlen == 0;
    if (!full) errstr[0] = 0;
    if (L->n_problems) qsort(L->problems, L->n_problems, sizeof *L->problems, by_line);
    for (size_t i = 0; i < L->n_problems; i++) {
        const char *t = L->problems[i].text;
        size_t room = errlen - len, n = strlen(t);
        if (!full && n + 2 <= room) {
            memcpy(errstr + len, t, n);
            len += n;
            errstr[len++] = '\n';
            errstr[len] = 0;
        } else if (!full) {
            full = true;
            if (room >= 5) {
                memcpy(errstr + len, t, room - 5);
                memcpy(errstr + errlen - 5, "...\n", 5);
            }
        }
        free(L->problems[i].text);
    }
    free(L->problems);
}

/* One problem: "FILE:LINE: PATH: message" for a file key, "NAME: message" for a variable,
 * "FILE: PATH: message" when there is neither. */
static void report(loader *L, const origin *o, int line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void report(loader *L, const origin *o, int line, const char *path, const char *fmt, ...)
{
    char buf[2048], at[24] = "";
    int n;
    if (o && o->line) line = o->line;
    if (line) snprintf(at, sizeof at, ":%d", line);
    if (o && o->var)
        n = snprintf(buf, sizeof buf, "%.*s: ", (int)strcspn(o->var, "="), o->var);
    else
        n = snprintf(buf, sizeof buf, "%s%s: %s%s", L->file, at, path, *path ? ": " : "");
    if (n < 0 || (size_t)n >= sizeof buf) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    add_problem(L, o && o->var ? INT_MAX : line, buf);
}

static char *dup_or_report(loader *L, const char *s)
{
    char *d = strdup(s);
    if (!d) report(L, NULL, 0, "", "out of memory");
    return d;
}

/* ---- values ---- */

/* The expected-value phrase of a key, for messages. */
static void expected(const keydef *k, char *buf, size_t cap)
{
    switch (k->type) {
    case K_U32:
        if (k->flags & F_ZERO_OK)
            snprintf(buf, cap, "0 (off) or an integer %llu..%llu", (unsigned long long)k->min,
                     (unsigned long long)k->max);
        else
            snprintf(buf, cap, "an integer %llu..%llu", (unsigned long long)k->min,
                     (unsigned long long)k->max);
        return;
    case K_SIZE:
        snprintf(buf, cap,
                 "a byte size %llu..%llu (an integer, or one with KiB, MiB or GiB: 64MiB)",
                 (unsigned long long)k->min, (unsigned long long)k->max);
        return;
    case K_ENUM: { /* "a, b or c" */
        const char *const *names = enum_names(k);
        size_t len = 0;
        buf[0] = 0;
        for (size_t i = 0; names[i] && len < cap; i++) {
            const char *sep = i == 0 ? "" : names[i + 1] ? ", " : " or ";
            int w = snprintf(buf + len, cap - len, "%s%s", sep, names[i]);
            if (w < 0) break;
            len += (size_t)w;
        }
        return;
    }
    case K_ATTRS:
        snprintf(buf, cap, "all or required");
        return;
    case K_STR:
        if (k->flags & F_LISTEN)
            snprintf(buf, cap, "HOST:PORT (0.0.0.0:9464), or \"\" for no HTTP server");
        else if (k->flags & F_TOPIC)
            snprintf(buf, cap, "a Kafka topic name (1..249 of a-z A-Z 0-9 . _ -)");
        else
            snprintf(buf, cap, "a non-empty string");
        return;
    }
}

/* Converts text into the field of key k at base, or reports why it cannot. */
static void convert(loader *L, const keydef *k, void *base, const origin *o, const char *text,
                    const char *path)
{
    char *field = (char *)base + k->off;
    char want[160];
    uint64_t v = 0;
    bool ok = true;
    switch (k->type) {
    case K_STR:
        if (!*text)
            ok = k->flags & F_EMPTY_OK;
        else if (k->flags & F_TOPIC)
            ok = mw_config_topic_ok(text);
        else if (k->flags & F_LISTEN)
            ok = mw_config_listen_ok(text);
        if (ok) {
            free(*(char **)field);
            *(char **)field = dup_or_report(L, text);
        }
        break;
    case K_ENUM:
        ok = false;
        for (int i = 0; enum_names(k)[i] && !ok; i++)
            if (strcmp(text, enum_names(k)[i]) == 0) {
                *(int *)field = i;
                ok = true;
            }
        break;
    case K_ATTRS:
        ok = strcmp(text, "all") == 0 || strcmp(text, "required") == 0;
        if (ok) *(bool *)field = text[0] == 'r';
        break;
    case K_U32:
    case K_SIZE:
        ok = k->type == K_U32 ? mw_config_parse_u64(text, strlen(text), &v)
                              : mw_config_parse_size(text, &v);
        ok = ok && ((v >= k->min && v <= k->max) || (v == 0 && (k->flags & F_ZERO_OK)));
        if (ok && k->type == K_U32) *(uint32_t *)field = (uint32_t)v;
        if (ok && k->type == K_SIZE) *(uint64_t *)field = v;
        break;
    }
    if (!ok) {
        expected(k, want, sizeof want);
        report(L, o, 0, path, "expected %s, got \"%s\"", want, text);
    }
}

/* ---- the file ---- */

static int line_of(struct fy_node *n)
{
    if (!n) return 0;
    switch (fy_node_get_type(n)) {
    case FYNT_SCALAR: {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        return m ? m->line + 1 : 0;
    }
    case FYNT_MAPPING: {
        void *it = NULL;
        struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
        return p ? line_of(fy_node_pair_key(p)) : 0;
    }
    case FYNT_SEQUENCE: {
        void *it = NULL;
        return line_of(fy_node_sequence_iterate(n, &it));
    }
    }
    return 0;
}

/* The text of a scalar ("" for a YAML null: empty, ~, null), or NULL if not a scalar. */
static const char *scalar_text(struct fy_node *n)
{
    if (!n) return "";
    if (fy_node_get_type(n) != FYNT_SCALAR) return NULL;
    const char *s = fy_node_get_scalar0(n);
    if (!s) return "";
    if (fy_node_get_style(n) == FYNS_PLAIN && (strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
                                               strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0))
        return "";
    return s;
}

static const char *kind(struct fy_node *n)
{
    return fy_node_get_type(n) == FYNT_MAPPING ? "a mapping" : "a list";
}

/* Records the text of key k from value node v and where it is, or reports a non-scalar. */
static void take(loader *L, const keydef *k, origin *o, const char *path, struct fy_node *key,
                 struct fy_node *v)
{
    const char *text = scalar_text(v);
    char want[160];
    if (!text) {
        expected(k, want, sizeof want);
        report(L, NULL, line_of(key), path, "expected %s, got %s", want, kind(v));
        return;
    }
    *o = (origin){text, line_of(key), NULL};
}

/* "a, b, c": the keys of one level of a table ("" = top level, "limits." = a section). */
static void key_list(char *buf, size_t cap, const keydef *keys, size_t n, const char *level)
{
    size_t len = 0, pl = strlen(level);
    const char *last = NULL;
    size_t last_n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(keys[i].path, level, pl) != 0) continue;
        const char *name = keys[i].path + pl;
        size_t nl = strcspn(name, ".");
        if (last && nl == last_n && strncmp(name, last, nl) == 0) continue; /* section again */
        last = name;
        last_n = nl;
        int w = snprintf(buf + len, cap - len, "%s%.*s", len ? ", " : "", (int)nl, name);
        if (w < 0 || (size_t)w >= cap - len) return;
        len += (size_t)w;
    }
}

static mw_kv **kv_of(mw_config *c, int m)
{
    return m == 0 ? &c->kafka : m == 1 ? &c->consumer : &c->producer;
}

static size_t *n_kv_of(mw_config *c, int m)
{
    return m == 0 ? &c->n_kafka : m == 1 ? &c->n_consumer : &c->n_producer;
}

/* Sets property key of map m to val (replacing an earlier value), remembering its origin. */
static void set_kv(loader *L, int m, const char *key, const char *val, origin o)
{
    mw_kv **kv = kv_of(L->c, m);
    size_t *n = n_kv_of(L->c, m), i;
    for (i = 0; i < *n && strcmp((*kv)[i].key, key) != 0; i++)
        ;
    char *v = dup_or_report(L, val);
    if (!v) return;
    if (i == *n) {
        mw_kv *nk = realloc(*kv, (*n + 1) * sizeof *nk);
        if (nk) *kv = nk;
        origin *no = realloc(L->kv_src[m], (*n + 1) * sizeof *no);
        if (no) L->kv_src[m] = no;
        char *k = nk && no ? dup_or_report(L, key) : NULL;
        if (!k) {
            if (!nk || !no) report(L, NULL, 0, "", "out of memory");
            free(v);
            return;
        }
        nk[i] = (mw_kv){k, NULL};
        (*n)++;
    }
    free((*kv)[i].value);
    (*kv)[i].value = v;
    L->kv_src[m][i] = o;
}

static void read_map(loader *L, int m, struct fy_node *key, struct fy_node *map)
{
    const char *name = map_names[m];
    if (!map || fy_node_get_type(map) != FYNT_MAPPING) {
        report(L, NULL, line_of(key), name, "expected a mapping of librdkafka properties");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        const char *k = scalar_text(kn), *v = scalar_text(vn);
        char path[300];
        snprintf(path, sizeof path, "%s.%s", name, k && *k ? k : "?");
        if (!k || !*k)
            report(L, NULL, line_of(kn), name, "expected property names as keys");
        else if (!v)
            report(L, NULL, line_of(kn), path, "expected a scalar value, got %s", kind(vn));
        else
            set_kv(L, m, k, v, (origin){NULL, line_of(kn), NULL});
    }
}

static const keydef *find_key(const keydef *keys, size_t n, const char *path, size_t *idx)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].path, path) == 0) {
            *idx = i;
            return &keys[i];
        }
    return NULL;
}

/* One variant's values: a string, or a list of them. */
static void read_values(loader *L, mw_variant *v, const char *path, struct fy_node *key,
                        struct fy_node *val)
{
    bool list = val && fy_node_get_type(val) == FYNT_SEQUENCE;
    size_t n = list ? (size_t)fy_node_sequence_item_count(val) : 1;
    void *it = NULL;
    for (size_t i = 0; i < n; i++) {
        struct fy_node *item = list ? fy_node_sequence_iterate(val, &it) : val;
        const char *t = scalar_text(item);
        char **nv = t && *t ? realloc(v->values, (v->n_values + 1) * sizeof *nv) : NULL;
        if (!t || !*t) {
            report(L, NULL, line_of(item ? item : key), path,
                   "expected a non-empty string or a list of them");
            return;
        }
        if (!nv || !(nv[v->n_values] = dup_or_report(L, t))) {
            if (nv) v->values = nv;
            return;
        }
        v->values = nv;
        v->n_values++;
    }
}

/* routes[i].variants: a list of {values, schema, type} (the file's; no variable sets them). */
static void read_variants(loader *L, size_t r, struct fy_node *key, struct fy_node *seq)
{
    mw_route *rt = &L->c->routes[r];
    char path[300], kp[340];
    snprintf(path, sizeof path, "routes[%zu].variants", r);
    size_t n = seq && fy_node_get_type(seq) == FYNT_SEQUENCE
                   ? (size_t)fy_node_sequence_item_count(seq)
                   : 0;
    if (n == 0) {
        report(L, NULL, line_of(key), path, "expected a non-empty list of {values, schema, type}");
        return;
    }
    rt->variants = calloc(n, sizeof *rt->variants);
    L->routes[r].variant_lines = calloc(n, sizeof(int));
    if (!rt->variants || !L->routes[r].variant_lines) {
        report(L, NULL, 0, "", "out of memory");
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(seq, &it))) {
        size_t j = rt->n_variants++;
        mw_variant *v = &rt->variants[j];
        int line = L->routes[r].variant_lines[j] = line_of(item);
        snprintf(path, sizeof path, "routes[%zu].variants[%zu]", r, j);
        if (fy_node_get_type(item) != FYNT_MAPPING) {
            report(L, NULL, line, path, "expected a mapping with values, schema and type");
            continue;
        }
        void *it2 = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(item, &it2))) {
            struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
            const char *k = scalar_text(kn), *t = scalar_text(vn);
            snprintf(kp, sizeof kp, "%s.%s", path, k && *k ? k : "?");
            char **field = !k                         ? NULL
                           : strcmp(k, "schema") == 0 ? &v->schema
                           : strcmp(k, "type") == 0   ? &v->type
                                                      : NULL;
            if (k && strcmp(k, "values") == 0) {
                read_values(L, v, kp, kn, vn);
            } else if (!field) {
                report(L, NULL, line_of(kn), kp,
                       "unknown key; expected one of values, schema, type");
            } else if (!t || !*t) {
                report(L, NULL, line_of(kn), kp, "expected a non-empty string");
            } else {
                free(*field);
                *field = dup_or_report(L, t);
            }
        }
    }
}

static void read_route(loader *L, size_t r, struct fy_node *item, int routes_line)
{
    char path[300], list[300];
    route_src *rs = &L->routes[r];
    rs->line = line_of(item) ? line_of(item) : routes_line;
    if (fy_node_get_type(item) != FYNT_MAPPING) {
        rs->malformed = true;
        snprintf(path, sizeof path, "routes[%zu]", r);
        report(L, NULL, rs->line, path,
               "expected a mapping with input, schema, output, dead_letter and source");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(item, &it))) {
        struct fy_node *kn = fy_node_pair_key(p);
        const char *name = scalar_text(kn);
        size_t i;
        snprintf(path, sizeof path, "routes[%zu].%s", r, name && *name ? name : "?");
        const keydef *k = name ? find_key(route_keys, NROUTE, name, &i) : NULL;
        if (k) {
            take(L, k, &rs->k[i], path, kn, fy_node_pair_value(p));
        } else if (name && strcmp(name, "variants") == 0) {
            read_variants(L, r, kn, fy_node_pair_value(p));
        } else {
            key_list(list, sizeof list, route_keys, NROUTE, "");
            report(L, NULL, line_of(kn), path, "unknown key; expected one of %s, variants", list);
        }
    }
}

static void read_routes(loader *L, struct fy_node *key, struct fy_node *seq)
{
    L->routes_seen = true;
    if (!seq || fy_node_get_type(seq) != FYNT_SEQUENCE) {
        report(L, NULL, line_of(key), "routes", "expected a list of routes, got %s",
               seq && fy_node_get_type(seq) == FYNT_MAPPING ? "a mapping" : "a scalar");
        return;
    }
    size_t n = (size_t)fy_node_sequence_item_count(seq);
    if (n == 0) {
        report(L, NULL, line_of(key), "routes", "empty; at least one route is required");
        return;
    }
    L->c->routes = calloc(n, sizeof *L->c->routes);
    L->routes = calloc(n, sizeof *L->routes);
    if (!L->c->routes || !L->routes) {
        report(L, NULL, 0, "", "out of memory");
        return;
    }
    L->c->n_routes = n;
    void *it = NULL;
    struct fy_node *item;
    for (size_t r = 0; r < n && (item = fy_node_sequence_iterate(seq, &it)); r++)
        read_route(L, r, item, line_of(key));
}

/* A section such as limits: its keys are the top_keys rows "limits.*". */
static void read_section(loader *L, const char *name, struct fy_node *key, struct fy_node *map)
{
    char path[300], level[64], list[300];
    snprintf(level, sizeof level, "%s.", name);
    if (!map || fy_node_get_type(map) != FYNT_MAPPING) {
        key_list(list, sizeof list, top_keys, NTOP, level);
        report(L, NULL, line_of(key), name, "expected a mapping with %s", list);
        return;
    }
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *kn = fy_node_pair_key(p);
        const char *sub = scalar_text(kn);
        size_t i;
        snprintf(path, sizeof path, "%s.%s", name, sub && *sub ? sub : "?");
        const keydef *k = sub ? find_key(top_keys, NTOP, path, &i) : NULL;
        if (k) {
            take(L, k, &L->top[i], path, kn, fy_node_pair_value(p));
        } else {
            key_list(list, sizeof list, top_keys, NTOP, level);
            report(L, NULL, line_of(kn), path, "unknown key; expected one of %s", list);
        }
    }
}

static void read_top(loader *L, struct fy_node *root)
{
    char list[512], level[64];
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        const char *name = scalar_text(kn);
        if (!name || !*name) name = "?";
        size_t i;
        int m;
        for (m = 0; m < NMAPS && strcmp(name, map_names[m]) != 0; m++)
            ;
        snprintf(level, sizeof level, "%s.", name);
        bool section = false;
        for (i = 0; i < NTOP && !section; i++)
            section = strncmp(top_keys[i].path, level, strlen(level)) == 0;
        const keydef *k = find_key(top_keys, NTOP, name, &i);
        if (strcmp(name, "routes") == 0) {
            read_routes(L, kn, vn);
        } else if (m < NMAPS) {
            read_map(L, m, kn, vn);
        } else if (section) {
            read_section(L, name, kn, vn);
        } else if (k) {
            take(L, k, &L->top[i], name, kn, vn);
        } else {
            key_list(list, sizeof list, top_keys, NTOP, "");
            report(L, NULL, line_of(kn), name,
                   "unknown key; expected one of %s, routes, kafka, consumer, producer", list);
        }
    }
}

/* Parses the file into a document owned by L->parser; reports and returns NULL if it cannot. */
static struct fy_document *parse_file(loader *L)
{
    FILE *probe = fopen(L->file, "r");
    if (!probe) {
        report(L, NULL, 0, "", "cannot read the configuration: %s", strerror(errno));
        return NULL;
    }
    fclose(probe);
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    mg_yaml_problem yp;
    if (!mg_yaml_check_file(L->file, &lim, &yp)) {
        report(L, NULL, yp.line, "", "%s (column %d)", yp.what, yp.column);
        return NULL;
    }
    struct fy_diag *diag = mg_yaml_quiet_diag();
    if (!diag) {
        report(L, NULL, 0, "", "out of memory");
        return NULL;
    }
    struct fy_parse_cfg pc = {.flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT, .diag = diag};
    struct fy_document *doc = NULL, *next = NULL;
    L->parser = fy_parser_create(&pc);
    if (L->parser && fy_parser_set_input_file(L->parser, L->file) == 0) {
        doc = fy_parse_load_document(L->parser);
        next = doc ? fy_parse_load_document(L->parser) : NULL;
    }
    void *it = NULL;
    struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
    if (de)
        report(L, NULL, de->line, "", "not valid YAML: %s (column %d)", de->msg, de->column);
    else if (!doc)
        report(L, NULL, 0, "",
               "empty or not YAML; expected a mapping of keys (schemas, group, "
               "routes, ...)");
    else if (next)
        report(L, NULL, line_of(fy_document_root(next)), "",
               "a second YAML document; the configuration is one document");
    if (next) fy_parse_document_destroy(L->parser, next);
    if (doc && (de || next)) {
        fy_parse_document_destroy(L->parser, doc);
        doc = NULL;
    }
    fy_diag_destroy(diag); /* the parser holds its own reference */
    return doc;
}

/* ---- the environment ---- */

/* MESHGATE_ + path upper-cased, '.' and "[i]." as '_' ("routes[0].output" -> ROUTES_0_OUTPUT). */
static void env_name(char *buf, size_t cap, const char *path)
{
    size_t n = (size_t)snprintf(buf, cap, "MESHGATE_");
    for (const char *p = path; *p && n + 1 < cap; p++) {
        if (*p == ']') continue;
        buf[n++] = *p == '.' || *p == '[' ? '_' : (char)toupper((unsigned char)*p);
    }
    buf[n] = 0;
}

/* Applies one "MESHGATE_NAME=VALUE" entry of envp. */
static void apply_env(loader *L, const char *entry)
{
    size_t nl = strcspn(entry, "=");
    const char *val = entry + nl + (entry[nl] ? 1 : 0);
    const char *rest = entry + 9;
    size_t rl = nl - 9;
    origin o = {val, 0, entry};
    char want[300], path[300];
    if (rl == 6 && strncmp(rest, "CONFIG", 6) == 0) return; /* the CLI's */
    for (int m = 0; m < NMAPS; m++) {
        size_t pl = strlen(map_names[m]);
        if (rl <= pl + 1 || rest[pl] != '_') continue;
        size_t i;
        for (i = 0; i < pl && rest[i] == toupper((unsigned char)map_names[m][i]); i++)
            ;
        if (i < pl) continue;
        char prop[256];
        size_t n = 0;
        for (const char *p = rest + pl + 1; p < entry + nl && n + 1 < sizeof prop; p++)
            prop[n++] = *p == '_' ? '.' : (char)tolower((unsigned char)*p);
        prop[n] = 0;
        set_kv(L, m, prop, val, o);
        return;
    }
    for (size_t i = 0; i < NTOP; i++) {
        env_name(want, sizeof want, top_keys[i].path);
        if (strlen(want) == nl && strncmp(want, entry, nl) == 0) {
            L->top[i] = o;
            return;
        }
    }
    for (size_t r = 0; r < L->c->n_routes && L->routes; r++)
        for (size_t i = 0; i < NROUTE; i++) {
            snprintf(path, sizeof path, "routes[%zu].%s", r, route_keys[i].path);
            env_name(want, sizeof want, path);
            if (strlen(want) == nl && strncmp(want, entry, nl) == 0) {
                L->routes[r].k[i] = o;
                return;
            }
        }
    if (rl > 7 && strncmp(rest, "ROUTES_", 7) == 0 && isdigit((unsigned char)rest[7]))
        report(L, &o, 0, "",
               "unknown variable; route variables only override routes present in the file "
               "(%zu there)",
               L->c->n_routes);
    else
        report(L, &o, 0, "",
               "unknown variable; no configuration key has this name (docs/configuration.md)");
}

/* ---- conversion and checks ---- */

/* Converts the texts of one table (top level or one route) into base. */
static void convert_all(loader *L, const keydef *keys, size_t n, origin *src, void *base,
                        const char *prefix, int line, const char *route_input)
{
    char path[300], input[300] = "";
    if (route_input) snprintf(input, sizeof input, " (input %s)", route_input);
    for (size_t i = 0; i < n; i++) {
        const keydef *k = &keys[i];
        snprintf(path, sizeof path, "%s%s", prefix, k->path);
        if (src[i].text) {
            if ((k->flags & F_REQUIRED) && !*src[i].text)
                report(L, &src[i], 0, path, "empty; %s %s%s",
                       *prefix ? "every route needs" : "meshgate needs", k->need, input);
            else
                convert(L, k, base, &src[i], src[i].text, path);
        } else if (k->dflt) {
            convert(L, k, base, NULL, k->dflt, path);
        } else if (k->flags & F_REQUIRED) {
            report(L, NULL, line, path, "missing; %s %s%s",
                   *prefix ? "every route needs" : "meshgate needs", k->need, input);
        }
    }
}

/* worker_id, workers: 0, routes[i].type: the defaults computed from other values. */
static void computed_defaults(loader *L)
{
    mw_config *c = L->c;
    if (!c->worker_id) {
        char host[256] = "meshgate", id[300];
        if (gethostname(host, sizeof host) != 0) strcpy(host, "meshgate");
        host[sizeof host - 1] = 0;
        snprintf(id, sizeof id, "%s-%ld", host, (long)getpid());
        c->worker_id = dup_or_report(L, id);
    }
    if (c->workers == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
        c->workers = n > 0 ? (uint32_t)n : 1;
    }
    for (size_t r = 0; r < c->n_routes; r++) {
        mw_route *rt = &c->routes[r];
        if (rt->type || !rt->schema || !rt->schema_version) continue;
        size_t n = strlen(rt->schema) + strlen(rt->schema_version) + 3;
        rt->type = malloc(n);
        if (rt->type)
            snprintf(rt->type, n, "%s.v%s", rt->schema, rt->schema_version);
        else
            report(L, NULL, 0, "", "out of memory");
    }
}

static void check_routes(loader *L)
{
    mw_config *c = L->c;
    char path[64];
    if (!L->routes_seen)
        report(L, NULL, L->root_line, "routes", "missing; at least one route is required");
    for (size_t r = 0; r < c->n_routes; r++) {
        const mw_route *rt = &c->routes[r];
        const origin *k = L->routes[r].k;
        if (!rt->input) continue;
        if (rt->output && strcmp(rt->output, rt->input) == 0) {
            snprintf(path, sizeof path, "routes[%zu].output", r);
            report(L, &k[RK_OUTPUT], 0, path,
                   "%s is also the route's input; the output must differ", rt->output);
        }
        if (rt->dead_letter && ((rt->output && strcmp(rt->dead_letter, rt->output) == 0) ||
                                strcmp(rt->dead_letter, rt->input) == 0)) {
            snprintf(path, sizeof path, "routes[%zu].dead_letter", r);
            report(L, &k[RK_DEAD_LETTER], 0, path,
                   "%s is also the route's %s; the dead-letter topic must differ from both",
                   rt->dead_letter, strcmp(rt->dead_letter, rt->input) == 0 ? "input" : "output");
        }
        for (size_t q = 0; q < r; q++)
            if (c->routes[q].input && strcmp(c->routes[q].input, rt->input) == 0) {
                snprintf(path, sizeof path, "routes[%zu].input", r);
                report(L, &k[RK_INPUT], 0, path,
                       "duplicate input topic %s (also routes[%zu].input); one route per input",
                       rt->input, q);
                break;
            }
    }
    mw_route_cycle cyc[16];
    size_t n = mw_config_cycles(c, cyc, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        const mw_route *rt = &c->routes[cyc[i].route];
        int key = cyc[i].dead_letter ? RK_DEAD_LETTER : RK_OUTPUT;
        snprintf(path, sizeof path, "routes[%zu].%s", cyc[i].route, route_keys[key].path);
        report(L, &L->routes[cyc[i].route].k[key], L->routes[cyc[i].route].line, path,
               "%s leads back to this route: a cycle %s, so every message would be produced "
               "again and again; no output or dead-letter topic may lead back to its route",
               cyc[i].dead_letter ? rt->dead_letter : rt->output, cyc[i].path);
    }
    if (n > 16) report(L, NULL, L->root_line, "routes", "%zu more cycles", n - 16);
}

/* Reports the placeholder p[0..len) found in the value of path. */
static void placeholder(loader *L, const origin *o, const char *path, const char *p, size_t len)
{
    char var[320];
    env_name(var, sizeof var, path);
    if (o->var)
        report(L, o, 0, path, "\"%.*s\" looks like a variable nobody expanded; give the value",
               (int)len, p);
    else
        report(L, o, 0, path,
               "\"%.*s\" looks like a variable nobody expanded; meshgate does not expand ${...} "
               "in the file: set %s instead, or expand the file before (envsubst)",
               (int)len, p, var);
}

/* A check between two keys a <= b: blames b's text if it was set, else a's. */
static void check_order(loader *L, size_t ia, uint64_t a, size_t ib, uint64_t b)
{
    if (a <= b) return;
    size_t blame = L->top[ib].text ? ib : ia;
    report(L, L->top[blame].text ? &L->top[blame] : NULL, 0, top_keys[blame].path,
           "%s (%llu) must be at least %s (%llu)", top_keys[ib].path, (unsigned long long)b,
           top_keys[ia].path, (unsigned long long)a);
}

static void check_limits(loader *L)
{
    const mw_config *c = L->c;
    size_t i_msg = 0, i_infl = 0, i_back = 0, i_max = 0, i_ip = 0, i_conn = 0;
    find_key(top_keys, NTOP, "limits.max_message_bytes", &i_msg);
    find_key(top_keys, NTOP, "limits.max_inflight_bytes", &i_infl);
    find_key(top_keys, NTOP, "retry.backoff_ms", &i_back);
    find_key(top_keys, NTOP, "retry.backoff_max_ms", &i_max);
    find_key(top_keys, NTOP, "http.max_connections_per_ip", &i_ip);
    find_key(top_keys, NTOP, "http.max_connections", &i_conn);
    if (c->max_message_bytes && c->max_inflight_bytes)
        check_order(L, i_msg, c->max_message_bytes, i_infl, c->max_inflight_bytes);
    if (c->retry_backoff_ms && c->retry_backoff_max_ms)
        check_order(L, i_back, c->retry_backoff_ms, i_max, c->retry_backoff_max_ms);
    if (c->http_max_connections_per_ip && c->http_max_connections)
        check_order(L, i_ip, c->http_max_connections_per_ip, i_conn, c->http_max_connections);
    int m;
    size_t i;
    const char *v = mw_config_prop(c, true, "message.max.bytes", &m, &i);
    uint64_t have, need = c->max_message_bytes + MW_RECORD_RESERVE;
    if (c->max_message_bytes && v && mw_config_parse_u64(v, strlen(v), &have) && have < need) {
        char path[64];
        snprintf(path, sizeof path, "%s.message.max.bytes", map_names[m]);
        report(L, &L->kv_src[m][i], 0, path,
               "%llu is less than limits.max_message_bytes (%llu) plus the %u bytes meshgate "
               "reserves for a record's key, headers and envelope, so a message within the limit "
               "could not be produced; set at least %llu, or lower limits.max_message_bytes",
               (unsigned long long)have, (unsigned long long)c->max_message_bytes,
               MW_RECORD_RESERVE, (unsigned long long)need);
    }
}

/* Values that still look like "${VAR}": an environment variable nobody expanded. */
static void check_placeholders(loader *L)
{
    char path[300], name[300];
    size_t len;
    const char *p;
    for (size_t i = 0; i < NTOP; i++)
        if ((p = mw_config_placeholder(L->top[i].text, &len)))
            placeholder(L, &L->top[i], top_keys[i].path, p, len);
    for (size_t r = 0; r < L->c->n_routes && L->routes; r++)
        for (size_t i = 0; i < NROUTE; i++)
            if ((p = mw_config_placeholder(L->routes[r].k[i].text, &len))) {
                snprintf(path, sizeof path, "routes[%zu].%s", r, route_keys[i].path);
                placeholder(L, &L->routes[r].k[i], path, p, len);
            }
    for (int m = 0; m < NMAPS; m++)
        for (size_t i = 0; i < *n_kv_of(L->c, m); i++)
            if ((p = mw_config_placeholder((*kv_of(L->c, m))[i].value, &len))) {
                snprintf(name, sizeof name, "%s.%s", map_names[m], (*kv_of(L->c, m))[i].key);
                placeholder(L, &L->kv_src[m][i], name, p, len);
            }
}

/* ---- librdkafka ---- */

/* One problem found by mw_config_kafka_check, about property idx of map m (m < 0: none). A
 * value from a variable names the property too (its variable's name is less obvious). */
static void kafka_problem(void *arg, int m, size_t idx, const char *path, const char *text)
{
    loader *L = arg;
    const origin *o = m >= 0 ? &L->kv_src[m][idx] : NULL;
    if (o && o->var)
        report(L, o, 0, path, "%s: %s", path, text);
    else
        report(L, o, L->root_line, path, "%s", text);
}

/* One problem of mw_config_ingest_check, blamed on the text of its key. */
static void ingest_problem(void *arg, long r, const char *key, const char *text)
{
    loader *L = arg;
    char path[300];
    size_t i;
    if (r < 0 && find_key(top_keys, NTOP, key, &i))
        report(L, L->top[i].text ? &L->top[i] : NULL, L->root_line, key, "%s", text);
    else if (r >= 0 && find_key(route_keys, NROUTE, key, &i)) {
        snprintf(path, sizeof path, "routes[%ld].%s", r, key);
        const origin *o = L->routes[r].k[i].text ? &L->routes[r].k[i] : NULL;
        size_t on; /* a key left out: the problem comes from ingest: on, so its line */
        if (!o && find_key(route_keys, NROUTE, "ingest", &on) && L->routes[r].k[on].text)
            o = &L->routes[r].k[on];
        report(L, o, L->routes[r].line, path, "%s", text);
    }
}

/* One problem of mw_config_variants_check, at its variant's line, else its key's, else the
 * route's. */
static void variants_problem(void *arg, size_t r, long j, const char *key, const char *text)
{
    loader *L = arg;
    char path[300];
    size_t i;
    const origin *o = NULL;
    int line = L->routes[r].line;
    if (j >= 0) {
        snprintf(path, sizeof path, "routes[%zu].variants[%ld]%s%s", r, j, *key ? "." : "", key);
        if (L->routes[r].variant_lines) line = L->routes[r].variant_lines[j];
    } else {
        snprintf(path, sizeof path, "routes[%zu].%s", r, key);
        if (find_key(route_keys, NROUTE, key, &i) && L->routes[r].k[i].text) o = &L->routes[r].k[i];
    }
    report(L, o, line, path, "%s", text);
}

/* The schema set and the catalog, through the caller's callbacks. */
static void check_external(loader *L, const mw_config_checks *x)
{
    mw_config *c = L->c;
    char why[2048], path[300];
    size_t i;
    if (x->open_schemas && c->schemas && *c->schemas && find_key(top_keys, NTOP, "schemas", &i)) {
        if (!x->open_schemas(x->arg, c->schemas, why, sizeof why)) {
            report(L, L->top[i].text ? &L->top[i] : NULL, L->root_line, "schemas", "%s", why);
        } else if (x->has_schema) {
            for (size_t r = 0; r < c->n_routes; r++) {
                const char *name = c->routes[r].schema;
                if (!name || x->has_schema(x->arg, name, why, sizeof why)) continue;
                snprintf(path, sizeof path, "routes[%zu].schema", r);
                report(L, &L->routes[r].k[RK_SCHEMA], L->routes[r].line, path,
                       "no schema named \"%s\" in %s; it has: %s", name, c->schemas, why);
            }
            for (size_t r = 0; r < c->n_routes; r++)
                for (size_t j = 0; j < c->routes[r].n_variants; j++) {
                    const char *name = c->routes[r].variants[j].schema;
                    if (!name || x->has_schema(x->arg, name, why, sizeof why)) continue;
                    char text[2400];
                    snprintf(text, sizeof text, "no schema named \"%s\" in %s; it has: %s", name,
                             c->schemas, why);
                    variants_problem(L, r, (long)j, "schema", text);
                }
        }
    }
    if (x->open_catalog && c->catalog && *c->catalog && find_key(top_keys, NTOP, "catalog", &i) &&
        !x->open_catalog(x->arg, c->catalog, why, sizeof why))
        report(L, L->top[i].text ? &L->top[i] : NULL, L->root_line, "catalog", "%s", why);
}

/* ---- the API ---- */

static void free_kv(mw_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void mw_config_free(mw_config *c)
{
    if (!c) return;
    for (size_t i = 0; i < NTOP; i++)
        if (top_keys[i].type == K_STR) free(*(char **)((char *)c + top_keys[i].off));
    for (size_t r = 0; r < c->n_routes; r++)
        for (size_t i = 0; i < NROUTE; i++)
            if (route_keys[i].type == K_STR)
                free(*(char **)((char *)&c->routes[r] + route_keys[i].off));
    for (size_t r = 0; r < c->n_routes; r++) {
        for (size_t j = 0; j < c->routes[r].n_variants; j++) {
            mw_variant *v = &c->routes[r].variants[j];
            for (size_t k = 0; k < v->n_values; k++)
                free(v->values[k]);
            free(v->values);
            free(v->schema);
            free(v->type);
        }
        free(c->routes[r].variants);
    }
    free(c->routes);
    for (int m = 0; m < NMAPS; m++)
        free_kv(*kv_of(c, m), *n_kv_of(c, m));
    free(c->path);
    memset(c, 0, sizeof *c);
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

size_t mw_config_diff(const mw_config *a, const mw_config *b, bool with_schemas,
                      void (*fn)(void *arg, const char *key), void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < NTOP; i++) {
        const keydef *k = &top_keys[i];
        if (!with_schemas && strcmp(k->path, "schemas") == 0) continue;
        const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;
        bool same = k->type == K_STR    ? str_eq(*(char *const *)pa, *(char *const *)pb)
                    : k->type == K_U32  ? *(const uint32_t *)pa == *(const uint32_t *)pb
                    : k->type == K_SIZE ? *(const uint64_t *)pa == *(const uint64_t *)pb
                                        : *(const int *)pa == *(const int *)pb;
        if (!same && ++n) fn(arg, k->path);
    }
    for (int m = 0; m < NMAPS; m++) {
        mw_kv *ka = *kv_of((mw_config *)a, m), *kb = *kv_of((mw_config *)b, m);
        size_t na = *n_kv_of((mw_config *)a, m), nb = *n_kv_of((mw_config *)b, m);
        bool same = na == nb;
        for (size_t i = 0; same && i < na; i++)
            same = str_eq(ka[i].key, kb[i].key) && str_eq(ka[i].value, kb[i].value);
        if (!same && ++n) fn(arg, map_names[m]);
    }
    return n;
}

int mw_config_load(mw_config *out, const char *path, char *const *envp,
                   const mw_config_checks *checks, char *errstr, size_t errlen)
{
    memset(out, 0, sizeof *out);
    loader L = {.c = out, .file = path ? path : "(no file)"};
    out->path = dup_or_report(&L, L.file);
    struct fy_document *doc = path ? parse_file(&L) : NULL;
    if (!path) report(&L, NULL, 0, "", "no configuration file given");
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    bool mapping = root && fy_node_get_type(root) == FYNT_MAPPING;
    if (doc && !mapping)
        report(&L, NULL, line_of(root), "",
               "expected a mapping of keys at the top level (schemas, group, routes, ...)");
    if (mapping) {
        L.root_line = line_of(root);
        read_top(&L, root);
        for (char *const *v = envp; v && *v; v++)
            if (strncmp(*v, "MESHGATE_", 9) == 0 && strcspn(*v, "=") > 9) apply_env(&L, *v);
        convert_all(&L, top_keys, NTOP, L.top, out, "", L.root_line, NULL);
        for (size_t r = 0; r < out->n_routes; r++) {
            if (L.routes[r].malformed) continue;
            char prefix[48];
            snprintf(prefix, sizeof prefix, "routes[%zu].", r);
            const char *input = L.routes[r].k[RK_INPUT].text;
            convert_all(&L, route_keys, NROUTE, L.routes[r].k, &out->routes[r], prefix,
                        L.routes[r].line, input && *input ? input : NULL);
        }
        computed_defaults(&L);
        check_routes(&L);
        check_limits(&L);
        check_placeholders(&L);
        mw_config_ingest_check(out, ingest_problem, &L);
        mw_config_variants_check(out, variants_problem, &L);
        mw_config_kafka_check(out, checks && checks->brokers, checks && checks->clients,
                              kafka_problem, &L);
        if (checks) check_external(&L, checks);
    }
    if (doc) fy_parse_document_destroy(L.parser, doc);
    if (L.parser) fy_parser_destroy(L.parser);
    for (size_t r = 0; L.routes && r < out->n_routes; r++)
        free(L.routes[r].variant_lines);
    free(L.routes);
    for (int m = 0; m < NMAPS; m++)
        free(L.kv_src[m]);
    write_problems(&L, errstr, errlen);
    if (L.n_errs) mw_config_free(out);
    return L.n_errs;
}
