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
 * This file has the key tables, the problem list and the API (load, free, diff); the steps
 * are mw_config_read.c (the file and the environment give the texts) and mw_config_check.c
 * (conversion, computed defaults, checks); mw_config_int.h is what they share.
 */
#include "mw_config.h"

#include <limits.h>
#include <libfyaml.h>
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
        if (mw_cfg_top_keys[i].type == K_STR) free(*(char **)((char *)c + mw_cfg_top_keys[i].off));
    for (size_t r = 0; r < c->n_routes; r++)
        for (size_t i = 0; i < NROUTE; i++)
            if (mw_cfg_route_keys[i].type == K_STR)
                free(*(char **)((char *)&c->routes[r] + mw_cfg_route_keys[i].off));
    free(c->routes);
    for (int m = 0; m < NMAPS; m++)
        free_kv(*mw_cfg_kv_of(c, m), *mw_cfg_n_kv_of(c, m));
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
        const keydef *k = &mw_cfg_top_keys[i];
        if (!with_schemas && strcmp(k->path, "schemas") == 0) continue;
        const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;
        bool same = k->type == K_STR    ? str_eq(*(char *const *)pa, *(char *const *)pb)
                    : k->type == K_U32  ? *(const uint32_t *)pa == *(const uint32_t *)pb
                    : k->type == K_SIZE ? *(const uint64_t *)pa == *(const uint64_t *)pb
                                        : *(const int *)pa == *(const int *)pb;
        if (!same && ++n) fn(arg, k->path);
    }
    for (int m = 0; m < NMAPS; m++) {
        mw_kv *ka = *mw_cfg_kv_of((mw_config *)a, m), *kb = *mw_cfg_kv_of((mw_config *)b, m);
        size_t na = *mw_cfg_n_kv_of((mw_config *)a, m), nb = *mw_cfg_n_kv_of((mw_config *)b, m);
        bool same = na == nb;
        for (size_t i = 0; same && i < na; i++)
            same = str_eq(ka[i].key, kb[i].key) && str_eq(ka[i].value, kb[i].value);
        if (!same && ++n) fn(arg, mw_cfg_map_names[m]);
    }
    return n;
}

mg_validator_conf mw_config_validator_conf(const mw_config *c)
{
    mg_validator_conf vc = {.max_errors = 1};
    if (!c) return vc;
    vc.max_bytes = c->max_message_bytes;
    vc.max_steps = c->max_steps;
    vc.max_depth = c->max_depth;
    vc.max_refs = c->max_refs;
    for (size_t i = 0; i < c->n_routes; i++)
        if (c->routes[i].dl_errors > vc.max_errors) vc.max_errors = c->routes[i].dl_errors;
    return vc;
}

int mw_config_load(mw_config *out, const char *path, char *const *envp,
                   const mw_config_checks *checks, char *errstr, size_t errlen)
{
    memset(out, 0, sizeof *out);
    loader L = {.c = out, .file = path ? path : "(no file)"};
    out->path = mw_cfg_dup(&L, L.file);
    struct fy_document *doc = path ? mw_cfg_parse_file(&L) : NULL;
    if (!path) mw_cfg_report(&L, NULL, 0, "", "no configuration file given");
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    bool mapping = root && fy_node_get_type(root) == FYNT_MAPPING;
    if (doc && !mapping)
        mw_cfg_report(&L, NULL, mw_cfg_line_of(root), "",
                      "expected a mapping of keys at the top level (schemas, group, routes, ...)");
    if (mapping) {
        L.root_line = mw_cfg_line_of(root);
        mw_cfg_read_top(&L, root);
        mw_cfg_read_env(&L, envp);
        mw_cfg_convert_check(&L, checks);
    }
    if (doc) fy_parse_document_destroy(L.parser, doc);
    if (L.parser) fy_parser_destroy(L.parser);
    free(L.routes);
    for (int m = 0; m < NMAPS; m++)
        free(L.kv_src[m]);
    write_problems(&L, errstr, errlen);
    if (L.n_errs) mw_config_free(out);
    return L.n_errs;
}
