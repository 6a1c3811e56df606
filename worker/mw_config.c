/* mw_config.c - the worker's configuration: one YAML file (libfyaml), then MESHGATE_*
 * environment overrides, then checks; and the librdkafka configurations built from it.
 *
 * Design: every scalar key is a row of one table (path, type, range, default, field), so
 * the file, the environment (MESHGATE_ + the path upper-cased, '.' as '_') and the checks
 * all read the same rows. Problems are collected, one line each, naming the file and line
 * or the variable, and the key, with what is expected; the count is returned, so a person
 * fixes them all in one go. Route keys work the same way per route (routes[i].key,
 * MESHGATE_ROUTES_<i>_<KEY>). kafka:/consumer:/producer: are passed to librdkafka as text;
 * their environment names turn '_' into '.' (librdkafka property names have no '_'). Runs
 * once at start, on the main thread.
 */
#include "mw_config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libfyaml.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum ktype { K_STR, K_U32, K_BYTES, K_MODE } ktype;

typedef struct keydef {
    const char *path; /* "limits.max_message_bytes"; route keys without "routes[i]." */
    ktype type;
    size_t off; /* in mw_config or mw_route */
    uint64_t min, max;
    const char *dflt; /* NULL: required (strings) */
    const char *what; /* what is expected, for messages */
} keydef;

#define C(f) offsetof(mw_config, f)
#define R(f) offsetof(mw_route, f)
static const keydef top_keys[] = {
    {"schemas", K_STR, C(schemas), 0, 0, NULL, "the compiled schema set (.so)"},
    {"group", K_STR, C(group), 0, 0, NULL, "the consumer group id"},
    {"worker_id", K_STR, C(worker_id), 0, 0, "", "a name for this process"},
    {"workers", K_U32, C(workers), 0, 1024, "0", "an integer 0..1024"},
    {"http.listen", K_STR, C(http_listen), 0, 0, "0.0.0.0:9464", "HOST:PORT, or \"\""},
    {"limits.max_message_bytes", K_BYTES, C(max_message_bytes), 1, 268435456, "1048576",
     "a size 1..256MiB"},
    {"limits.max_inflight_messages", K_U32, C(max_inflight_messages), 1, 10000000, "20000",
     "an integer 1..10000000"},
    {"limits.max_inflight_bytes", K_BYTES, C(max_inflight_bytes), 1024, 1ull << 40, "64MiB",
     "a size 1KiB..1TiB"},
    {"drain_timeout_ms", K_U32, C(drain_timeout_ms), 100, 3600000, "20000",
     "an integer 100..3600000"},
    {"stats_interval_ms", K_U32, C(stats_interval_ms), 0, 86400000, "10000",
     "an integer 0..86400000"},
    {"retry.backoff_ms", K_U32, C(retry_backoff_ms), 1, 60000, "100", "an integer 1..60000"},
    {"retry.backoff_max_ms", K_U32, C(retry_backoff_max_ms), 1, 3600000, "10000",
     "an integer 1..3600000"},
};
static const keydef route_keys[] = {
    {"input", K_STR, R(input), 0, 0, NULL, "the input topic"},
    {"schema", K_STR, R(schema), 0, 0, NULL, "a schema name or $id in the schema set"},
    {"schema_version", K_STR, R(schema_version), 0, 0, "1", "the schema's version"},
    {"output", K_STR, R(output), 0, 0, NULL, "the output topic"},
    {"dead_letter", K_STR, R(dead_letter), 0, 0, NULL, "the dead-letter topic"},
    {"source", K_STR, R(source), 0, 0, NULL, "the CloudEvents source URI of the data product"},
    {"type", K_STR, R(type), 0, 0, "", "the CloudEvents type"},
    {"mode", K_MODE, R(mode), 0, 0, "binary", "binary or structured"},
};
#define NTOP (sizeof top_keys / sizeof top_keys[0])
#define NROUTE (sizeof route_keys / sizeof route_keys[0])

/* Collected problems. */
typedef struct errs {
    char *buf;
    size_t cap, len;
    int n;
} errs;

static void err(errs *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err(errs *e, const char *fmt, ...)
{
    e->n++;
    if (!e->buf || e->len + 1 >= e->cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    e->len += (size_t)n < e->cap - e->len ? (size_t)n : e->cap - e->len - 1;
    if (e->len + 1 < e->cap) {
        e->buf[e->len++] = '\n';
        e->buf[e->len] = 0;
    }
}

/* ---- values ---- */

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || !isdigit((unsigned char)*s)) return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static bool parse_bytes(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        uint64_t mul;
    } units[] = {
        {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}};
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t k = strlen(units[i].suffix);
        if (n <= k || strcmp(s + n - k, units[i].suffix) != 0) continue;
        char num[32];
        if (n - k >= sizeof num) return false;
        memcpy(num, s, n - k);
        num[n - k] = 0;
        uint64_t v;
        if (!parse_u64(num, &v) || v > UINT64_MAX / units[i].mul) return false;
        *out = v * units[i].mul;
        return true;
    }
    return parse_u64(s, out);
}

/* Sets one key from its text; where is "FILE:LINE" or the variable name. */
static void set_value(const keydef *k, void *base, const char *text, const char *where,
                      const char *path, errs *e)
{
    char *field = (char *)base + k->off;
    uint64_t v = 0;
    switch (k->type) {
    case K_STR: {
        char *copy = strdup(text);
        if (!copy) {
            err(e, "%s: %s: out of memory", where, path);
            return;
        }
        free(*(char **)field);
        *(char **)field = copy;
        return;
    }
    case K_MODE:
        if (strcmp(text, "binary") == 0)
            *(mw_ce_mode *)field = MW_CE_BINARY;
        else if (strcmp(text, "structured") == 0)
            *(mw_ce_mode *)field = MW_CE_STRUCTURED;
        else
            err(e, "%s: %s: expected %s, got \"%s\"", where, path, k->what, text);
        return;
    case K_U32:
    case K_BYTES:
        if (!(k->type == K_U32 ? parse_u64(text, &v) : parse_bytes(text, &v)) || v < k->min ||
            v > k->max) {
            err(e, "%s: %s: expected %s, got \"%s\"", where, path, k->what, text);
            return;
        }
        if (k->type == K_U32)
            *(uint32_t *)field = (uint32_t)v;
        else
            *(uint64_t *)field = v;
        return;
    }
}

static void set_defaults(const keydef *keys, size_t n, void *base)
{
    errs none = {0};
    for (size_t i = 0; i < n; i++)
        if (keys[i].dflt) set_value(&keys[i], base, keys[i].dflt, "", keys[i].path, &none);
}

/* ---- YAML ---- */

static int line_of(struct fy_node *n)
{
    struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    return m ? m->line + 1 : 0;
}

static const char *scalar(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar0(n) : NULL;
}

static void expected_keys(char *buf, size_t cap, const keydef *keys, size_t n, const char *prefix)
{
    size_t len = 0, pl = strlen(prefix);
    buf[0] = 0;
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        if (strncmp(keys[i].path, prefix, pl) != 0 || strchr(keys[i].path + pl, '.')) continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", keys[i].path + pl);
        if (w > 0) len += (size_t)w < cap - len ? (size_t)w : cap - len - 1;
    }
}

typedef struct ctx {
    mw_config *c;
    errs *e;
    const char *file;
} ctx;

static void read_map(ctx *x, struct fy_node *map, mw_kv **kv, size_t *n, const char *name)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        const char *k = scalar(kn), *v = scalar(vn);
        if (!k || !v) {
            err(x->e, "%s:%d: %s: expected property: value pairs of text", x->file, line_of(kn),
                name);
            continue;
        }
        mw_kv *nk = realloc(*kv, (*n + 1) * sizeof **kv);
        if (!nk) return;
        *kv = nk;
        nk[*n] = (mw_kv){strdup(k), strdup(v)};
        (*n)++;
    }
}

/* Sets a scalar key of keys[] at path from node vn (prefix is "" or "routes[i]."). */
static void read_scalar(ctx *x, const keydef *keys, size_t nkeys, void *base, const char *path,
                        const char *prefix, struct fy_node *kn, struct fy_node *vn,
                        const char *level)
{
    char where[512], full[256], expect[512];
    snprintf(where, sizeof where, "%s:%d", x->file, line_of(kn));
    snprintf(full, sizeof full, "%s%s", prefix, path);
    for (size_t i = 0; i < nkeys; i++) {
        if (strcmp(keys[i].path, path) != 0) continue;
        const char *v = scalar(vn);
        if (!v || (vn && fy_node_is_null(vn) && keys[i].type != K_STR))
            err(x->e, "%s: %s: expected %s", where, full, keys[i].what);
        else
            set_value(&keys[i], base, fy_node_is_null(vn) ? "" : v, where, full, x->e);
        return;
    }
    expected_keys(expect, sizeof expect, keys, nkeys, level);
    err(x->e, "%s: %s: unknown key; expected one of %s", where, full, expect);
}

static void read_routes(ctx *x, struct fy_node *seq, struct fy_node *kn)
{
    if (fy_node_get_type(seq) != FYNT_SEQUENCE) {
        err(x->e, "%s:%d: routes: expected a list of routes", x->file, line_of(kn));
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(seq, &it))) {
        size_t i = x->c->n_routes;
        mw_route *nr = realloc(x->c->routes, (i + 1) * sizeof *nr);
        if (!nr) return;
        x->c->routes = nr;
        memset(&nr[i], 0, sizeof nr[i]);
        x->c->n_routes++;
        set_defaults(route_keys, NROUTE, &nr[i]);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "routes[%zu].", i);
        if (fy_node_get_type(item) != FYNT_MAPPING) {
            err(x->e,
                "%s:%d: routes[%zu]: expected a mapping of input, schema, output, "
                "dead_letter, source",
                x->file, line_of(kn), i);
            continue;
        }
        void *it2 = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(item, &it2))) {
            struct fy_node *k = fy_node_pair_key(p);
            const char *name = scalar(k);
            read_scalar(x, route_keys, NROUTE, &x->c->routes[i], name ? name : "?", prefix, k,
                        fy_node_pair_value(p), "");
        }
    }
}

static void read_top(ctx *x, struct fy_node *root)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        const char *k = scalar(kn);
        if (!k) k = "?";
        bool nested = strcmp(k, "http") == 0 || strcmp(k, "limits") == 0 || strcmp(k, "retry") == 0;
        if (strcmp(k, "routes") == 0) {
            read_routes(x, vn, kn);
        } else if (strcmp(k, "kafka") == 0 || strcmp(k, "consumer") == 0 ||
                   strcmp(k, "producer") == 0) {
            mw_config *c = x->c;
            bool kaf = k[0] == 'k', con = k[0] == 'c';
            if (!vn || fy_node_get_type(vn) != FYNT_MAPPING)
                err(x->e, "%s:%d: %s: expected a mapping of librdkafka properties", x->file,
                    line_of(kn), k);
            else
                read_map(x, vn,
                         kaf   ? &c->kafka
                         : con ? &c->consumer
                               : &c->producer,
                         kaf   ? &c->n_kafka
                         : con ? &c->n_consumer
                               : &c->n_producer,
                         k);
        } else if (nested) {
            if (!vn || fy_node_get_type(vn) != FYNT_MAPPING) {
                err(x->e, "%s:%d: %s: expected a mapping", x->file, line_of(kn), k);
                continue;
            }
            char level[32];
            snprintf(level, sizeof level, "%s.", k);
            void *it2 = NULL;
            struct fy_node_pair *q;
            while ((q = fy_node_mapping_iterate(vn, &it2))) {
                struct fy_node *k2 = fy_node_pair_key(q);
                char path[256];
                snprintf(path, sizeof path, "%s.%s", k, scalar(k2) ? scalar(k2) : "?");
                read_scalar(x, top_keys, NTOP, x->c, path, "", k2, fy_node_pair_value(q), level);
            }
        } else {
            char expect[512];
            bool known = false;
            for (size_t i = 0; i < NTOP; i++)
                known = known || strcmp(top_keys[i].path, k) == 0;
            if (known) {
                read_scalar(x, top_keys, NTOP, x->c, k, "", kn, vn, "");
            } else {
                expected_keys(expect, sizeof expect, top_keys, NTOP, "");
                err(x->e,
                    "%s:%d: %s: unknown key; expected one of %s, http, limits, retry, "
                    "routes, kafka, consumer, producer",
                    x->file, line_of(kn), k, expect);
            }
        }
    }
}

/* ---- environment ---- */

static void env_name(char *buf, size_t cap, const char *path)
{
    size_t n = snprintf(buf, cap, "MESHGATE_");
    for (const char *p = path; *p && n + 1 < cap; p++)
        buf[n++] = *p == '.' ? '_' : (char)toupper((unsigned char)*p);
    buf[n] = 0;
}

static void set_kv(mw_kv **kv, size_t *n, const char *key, const char *val)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*kv)[i].key, key) == 0) {
            free((*kv)[i].value);
            (*kv)[i].value = strdup(val);
            return;
        }
    mw_kv *nk = realloc(*kv, (*n + 1) * sizeof **kv);
    if (!nk) return;
    *kv = nk;
    nk[*n] = (mw_kv){strdup(key), strdup(val)};
    (*n)++;
}

/* Applies one MESHGATE_NAME=VALUE. */
static void apply_env(mw_config *c, const char *name, const char *val, errs *e)
{
    static const char *const maps[] = {"KAFKA_", "CONSUMER_", "PRODUCER_"};
    const char *rest = name + 9;
    if (strcmp(rest, "CONFIG") == 0) return;
    for (int m = 0; m < 3; m++) {
        size_t pl = strlen(maps[m]);
        if (strncmp(rest, maps[m], pl) != 0 || !rest[pl]) continue;
        char prop[256];
        size_t n = 0;
        for (const char *p = rest + pl; *p && n + 1 < sizeof prop; p++)
            prop[n++] = *p == '_' ? '.' : (char)tolower((unsigned char)*p);
        prop[n] = 0;
        set_kv(m == 0   ? &c->kafka
               : m == 1 ? &c->consumer
                        : &c->producer,
               m == 0   ? &c->n_kafka
               : m == 1 ? &c->n_consumer
                        : &c->n_producer,
               prop, val);
        return;
    }
    char want[300];
    for (size_t i = 0; i < NTOP; i++) {
        env_name(want, sizeof want, top_keys[i].path);
        if (strcmp(want, name) == 0) {
            set_value(&top_keys[i], c, val, name, top_keys[i].path, e);
            return;
        }
    }
    for (size_t r = 0; r < c->n_routes; r++)
        for (size_t i = 0; i < NROUTE; i++) {
            char path[64];
            snprintf(path, sizeof path, "routes.%zu.%s", r, route_keys[i].path);
            env_name(want, sizeof want, path);
            if (strcmp(want, name) == 0) {
                snprintf(path, sizeof path, "routes[%zu].%s", r, route_keys[i].path);
                set_value(&route_keys[i], &c->routes[r], val, name, path, e);
                return;
            }
        }
    err(e,
        "%s: unknown variable; MESHGATE_ variables override configuration keys "
        "(docs/configuration.md)",
        name);
}

/* ---- checks ---- */

static void check(mw_config *c, errs *e)
{
    const char *f = c->path;
    for (size_t i = 0; i < NTOP; i++)
        if (top_keys[i].type == K_STR && !top_keys[i].dflt) {
            const char *v = *(char **)((char *)c + top_keys[i].off);
            if (!v || !*v)
                err(e, "%s: %s: missing; %s is required", f, top_keys[i].path, top_keys[i].what);
        }
    if (c->n_routes == 0) err(e, "%s: routes: missing; at least one route is required", f);
    for (size_t r = 0; r < c->n_routes; r++) {
        mw_route *rt = &c->routes[r];
        const char *in = rt->input ? rt->input : "?";
        for (size_t i = 0; i < NROUTE; i++) {
            const char *v = *(char **)((char *)rt + route_keys[i].off);
            if (route_keys[i].type == K_STR && !route_keys[i].dflt && (!v || !*v))
                err(e, "%s: routes[%zu].%s: missing; every route needs %s (input %s)", f, r,
                    route_keys[i].path, route_keys[i].what, in);
        }
        if (rt->type && !*rt->type && rt->schema) {
            size_t n = strlen(rt->schema) + strlen(rt->schema_version) + 3;
            free(rt->type);
            rt->type = malloc(n);
            if (rt->type) snprintf(rt->type, n, "%s.v%s", rt->schema, rt->schema_version);
        }
        if (!rt->input || !rt->output) continue;
        if (strcmp(rt->output, rt->input) == 0)
            err(e, "%s: routes[%zu].output: the output topic is the input topic %s", f, r, in);
        if (!rt->dead_letter) continue;
        if (strcmp(rt->dead_letter, rt->output) == 0 || strcmp(rt->dead_letter, rt->input) == 0)
            err(e, "%s: routes[%zu].dead_letter: must differ from the input and output topics", f,
                r);
        for (size_t k = 0; k < r; k++)
            if (c->routes[k].input && strcmp(c->routes[k].input, rt->input) == 0)
                err(e, "%s: routes[%zu].input: topic %s is already the input of routes[%zu]", f, r,
                    in, k);
    }
    if (c->max_inflight_bytes < c->max_message_bytes)
        err(e, "%s: limits.max_inflight_bytes: must be at least limits.max_message_bytes", f);
    if (c->retry_backoff_max_ms < c->retry_backoff_ms)
        err(e, "%s: retry.backoff_max_ms: must be at least retry.backoff_ms", f);
    if (c->workers == 0) {
        cpu_set_t set;
        c->workers = sched_getaffinity(0, sizeof set, &set) == 0 ? (uint32_t)CPU_COUNT(&set) : 1;
        if (c->workers == 0) c->workers = 1;
    }
    if (c->worker_id && !*c->worker_id) {
        char host[128] = "meshgate";
        gethostname(host, sizeof host - 1);
        size_t n = strlen(host) + 24;
        free(c->worker_id);
        c->worker_id = malloc(n);
        if (c->worker_id) snprintf(c->worker_id, n, "%s-%d", host, (int)getpid());
    }
}

int mw_config_load(mw_config *out, const char *path, char *const *envp, char *errstr, size_t errlen)
{
    memset(out, 0, sizeof *out);
    errs e = {errstr, errlen, 0, 0};
    if (errstr && errlen) errstr[0] = 0;
    out->path = strdup(path);
    set_defaults(top_keys, NTOP, out);
    struct fy_parse_cfg pc = {.flags = FYPCF_DEFAULT_DOC};
    FILE *probe = fopen(path, "r");
    if (!probe) {
        err(&e, "%s: cannot read: %s", path, strerror(errno));
        return e.n;
    }
    fclose(probe);
    struct fy_document *doc = fy_document_build_from_file(&pc, path);
    if (!doc) {
        pc.flags &= ~(enum fy_parse_cfg_flags)FYPCF_QUIET;
        fy_document_destroy(fy_document_build_from_file(&pc, path)); /* prints where and why */
        err(&e, "%s: not valid YAML (the parser's message is above)", path);
        return e.n;
    }
    struct fy_node *root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        err(&e, "%s: expected a mapping of keys at the top (schemas, group, routes, kafka, ...)",
            path);
    } else {
        ctx x = {out, &e, path};
        read_top(&x, root);
    }
    fy_document_destroy(doc);
    for (char *const *v = envp; v && *v; v++) {
        if (strncmp(*v, "MESHGATE_", 9) != 0) continue;
        const char *eq = strchr(*v, '=');
        if (!eq) continue;
        char name[256];
        size_t n = (size_t)(eq - *v) < sizeof name ? (size_t)(eq - *v) : sizeof name - 1;
        memcpy(name, *v, n);
        name[n] = 0;
        apply_env(out, name, eq + 1, &e);
    }
    check(out, &e);
    if (e.n) mw_config_free(out);
    return e.n;
}

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
    free(c->routes);
    free_kv(c->kafka, c->n_kafka);
    free_kv(c->consumer, c->n_consumer);
    free_kv(c->producer, c->n_producer);
    free(c->path);
    memset(c, 0, sizeof *c);
}

/* ---- librdkafka ---- */

static const struct managed {
    const char *key, *why;
} managed[] = {
    {"group.id", "set group: instead"},
    {"enable.auto.offset.store",
     "meshgate stores offsets only after the broker acknowledged the output"},
    {"enable.auto.commit", "meshgate stores offsets only after the broker acknowledged the output"},
    {"partition.assignment.strategy", "meshgate uses cooperative-sticky"},
    {"enable.partition.eof", "managed by meshgate"},
    {"enable.idempotence", "required for per-partition order"},
    {"transactional.id", "not supported"},
};

static bool set_user(rd_kafka_conf_t *rc, const char *section, const mw_kv *kv, size_t n,
                     char *errstr, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t m = 0; m < sizeof managed / sizeof managed[0]; m++)
            if (strcmp(kv[i].key, managed[m].key) == 0) {
                snprintf(errstr, errlen, "%s.%s: managed by meshgate (%s)", section, kv[i].key,
                         managed[m].why);
                return false;
            }
        char why[512];
        if (rd_kafka_conf_set(rc, kv[i].key, kv[i].value, why, sizeof why) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "%s.%s: %s", section, kv[i].key, why);
            return false;
        }
    }
    return true;
}

static bool user_set(const mw_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0) return true;
    return false;
}

rd_kafka_conf_t *mw_config_kafka(const mw_config *c, bool producer, char *errstr, size_t errlen)
{
    rd_kafka_conf_t *rc = rd_kafka_conf_new();
    const mw_kv *own = producer ? c->producer : c->consumer;
    size_t n_own = producer ? c->n_producer : c->n_consumer;
    if (!set_user(rc, "kafka", c->kafka, c->n_kafka, errstr, errlen) ||
        !set_user(rc, producer ? "producer" : "consumer", own, n_own, errstr, errlen)) {
        rd_kafka_conf_destroy(rc);
        return NULL;
    }
    char client_id[300];
    snprintf(client_id, sizeof client_id, "meshgate-%s", c->worker_id ? c->worker_id : "");
    struct {
        const char *key, *value;
        bool unless_set;
    } ours[] = {
        {"client.id", client_id, true},
        {"group.id", c->group, false},
        {"partition.assignment.strategy", "cooperative-sticky", false},
        {"enable.auto.offset.store", "false", false},
        {"enable.auto.commit", "true", false},
        {"enable.partition.eof", "false", false},
        {"auto.offset.reset", "earliest", true},
        {"enable.idempotence", "true", false},
        {"linger.ms", "5", true},
    };
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
        bool consumer_only = i >= 1 && i <= 6, producer_only = i >= 7;
        if ((producer && consumer_only) || (!producer && producer_only)) continue;
        if (ours[i].unless_set &&
            (user_set(c->kafka, c->n_kafka, ours[i].key) || user_set(own, n_own, ours[i].key)))
            continue;
        char why[512];
        if (rd_kafka_conf_set(rc, ours[i].key, ours[i].value, why, sizeof why) !=
            RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "%s: %s", ours[i].key, why);
            rd_kafka_conf_destroy(rc);
            return NULL;
        }
    }
    return rc;
}
