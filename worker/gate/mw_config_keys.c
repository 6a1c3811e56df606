/* mw_config_keys.c - the rows every step of loading the configuration reads: the key tables
 * (path, type, range, default, field), the names of enum values, the phrases of expected values
 * and the environment variable of each key; and the problem list the steps report into.
 *
 * Design: the bottom of the loader. The reader (mw_config_read.c), the converter and checks
 * (mw_config_check.c) and the API (mw_config.c) all stand on this file and it on none of them,
 * so a key is described once and every message about it uses the same words. Problems are
 * collected with their line and written in file order at the end, so one run reports all.
 * Read-only tables; the problem list lives in the loader (mw_config_int.h). Main thread only.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_config_int.h"

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
    {"reload.watch", {"off", "on"}},
};
_Static_assert(sizeof(mw_ce_mode) == sizeof(int) && sizeof(mw_tombstones) == sizeof(int) &&
                   sizeof(mw_on_reset) == sizeof(int) && sizeof(mw_dl_headers) == sizeof(int) &&
                   sizeof(mw_log_format) == sizeof(int) && sizeof(mw_log_level) == sizeof(int) &&
                   sizeof(mw_ingest_mode) == sizeof(int) && sizeof(mw_auth) == sizeof(int) &&
                   sizeof(mw_reload_watch) == sizeof(int) && sizeof(mw_wire_mode) == sizeof(int),
               "K_ENUM fields are stored as int");

const char *const *mw_cfg_enum_names(const keydef *k)
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
const keydef mw_cfg_top_keys[] = {
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
    {"limits.max_steps", K_U32, 0, C(max_steps), 100, 4000000000u, NULL, NULL},
    {"limits.max_depth", K_U32, 0, C(max_depth), 1, 65536, "256", NULL},
    {"limits.max_refs", K_U32, 0, C(max_refs), 1, 1048576, "512", NULL},
    {"drain_timeout_ms", K_U32, 0, C(drain_timeout_ms), 100, 3600000, "20000", NULL},
    {"stats_interval_ms", K_U32, F_ZERO_OK, C(stats_interval_ms), 100, 86400000, "10000", NULL},
    {"retry.backoff_ms", K_U32, 0, C(retry_backoff_ms), 1, 60000, "100", NULL},
    {"retry.backoff_max_ms", K_U32, 0, C(retry_backoff_max_ms), 1, 3600000, "10000", NULL},
    {"on_offset_reset", K_ENUM, 0, C(on_offset_reset), 0, 0, "continue", NULL},
    {"health.stuck_after_ms", K_U32, F_ZERO_OK, C(stuck_after_ms), 100, 86400000, "60000", NULL},
    {"log.format", K_ENUM, 0, C(log_format), 0, 0, "text", NULL},
    {"log.level", K_ENUM, 0, C(log_level), 0, 0, "info", NULL},
    {"reload.watch", K_ENUM, 0, C(reload_watch), 0, 0, "off", NULL},
    {"reload.debounce_ms", K_U32, 0, C(reload_debounce_ms), 10, 600000, "500", NULL},
};
const keydef mw_cfg_route_keys[] = {
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
_Static_assert(sizeof mw_cfg_top_keys / sizeof mw_cfg_top_keys[0] == NTOP,
               "mw_cfg_top_keys: set NTOP in mw_config_int.h to its number of rows");
_Static_assert(sizeof mw_cfg_route_keys / sizeof mw_cfg_route_keys[0] == NROUTE,
               "mw_cfg_route_keys: set NROUTE in mw_config_int.h to its number of rows");
const char *const mw_cfg_map_names[NMAPS] = {"kafka", "consumer", "producer"};

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

void mw_cfg_write_problems(loader *L, char *errstr, size_t errlen)
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

void mw_cfg_report(loader *L, const origin *o, int line, const char *path, const char *fmt, ...)
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

char *mw_cfg_dup(loader *L, const char *s)
{
    char *d = strdup(s);
    if (!d) mw_cfg_report(L, NULL, 0, "", "out of memory");
    return d;
}

mw_kv **mw_cfg_kv_of(mw_config *c, int m)
{
    return m == 0 ? &c->kafka : m == 1 ? &c->consumer : &c->producer;
}

size_t *mw_cfg_n_kv_of(mw_config *c, int m)
{
    return m == 0 ? &c->n_kafka : m == 1 ? &c->n_consumer : &c->n_producer;
}

const keydef *mw_cfg_find_key(const keydef *keys, size_t n, const char *path, size_t *idx)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].path, path) == 0) {
            *idx = i;
            return &keys[i];
        }
    return NULL;
}

/* ---- phrases ---- */

void mw_cfg_expected(const keydef *k, char *buf, size_t cap)
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
        const char *const *names = mw_cfg_enum_names(k);
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

/* "routes[0].output" -> MESHGATE_ROUTES_0_OUTPUT */
void mw_cfg_env_name(char *buf, size_t cap, const char *path)
{
    size_t n = (size_t)snprintf(buf, cap, "MESHGATE_");
    for (const char *p = path; *p && n + 1 < cap; p++) {
        if (*p == ']') continue;
        buf[n++] = *p == '.' || *p == '[' ? '_' : (char)toupper((unsigned char)*p);
    }
    buf[n] = 0;
}
