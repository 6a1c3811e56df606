/* mw_ingest_setup.c - HTTP ingest's start and stop, the documents it serves on GET and its
 * metrics: the ingest's own idempotent producer, whose delivery reports wake the HTTP thread
 * through a pipe (mw_ingest_fd), its validator and idempotency cache; per ingest route (in a
 * view, mw_ingest_view.c) its schema document and an OpenAPI 3.1 document of its path.
 *
 * Design: the producer and what goes with it are made on the main thread with the first view
 * that has ingest routes (at start, or by the reload that turns ingest on), and last until the
 * end, so idempotency keys and requests in flight outlive a reload. The counters are those of
 * the start-up routes: only the HTTP thread writes and reads them (the /metrics page is
 * rendered there too). At stop the producer is flushed (bounded by its message timeout) so
 * that every suspended request gets its answer before libmicrohttpd stops, then purged.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mw_clock.h"
#include "mw_ingest_int.h"
#include "mw_sb.h"

static char *read_small(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    mw_sb b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len < (16u << 20))
        mw_sb_put(&b, buf, n);
    bool bad = ferror(f) || b.oom || b.len >= (16u << 20);
    fclose(f);
    if (bad) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

static void ignore(void *arg, const char *e, size_t n)
{
    (void)arg;
    (void)e;
    (void)n;
}

/* Whether s[0..n) is one well-formed JSON object. */
static bool json_object(const char *s, size_t n)
{
    mw_sb b = {0};
    mw_sb_str(&b, "[");
    mw_sb_put(&b, s, n);
    mw_sb_str(&b, "]");
    const char *why;
    size_t lead = strspn(s, " \t\r\n");
    bool ok =
        !b.oom && lead < n && s[lead] == '{' && mw_json_array_each(b.p, b.len, ignore, NULL, &why);
    free(b.p);
    return ok;
}

static const char *const statuses[][2] = {
    {"400", "the event does not satisfy the schema (problem+json with the errors in JSON Schema's "
            "basic output format), or the request is malformed"},
    {"401", "credentials missing or not valid"},
    {"403", "the credentials may not write to this route"},
    {"409", "a request with this Idempotency-Key is in progress"},
    {"413", "the body or an event is too large"},
    {"415", "unsupported Content-Type"},
    {"422", "the Idempotency-Key was used with another body"},
    {"429", "too many requests in flight or the producer queue is full (Retry-After)"},
    {"503", "the brokers are unreachable or did not acknowledge (Retry-After)"},
};

void mw_ingest_docs(ig_route *rt, const mw_catalog *cat)
{
    char p[600];
    size_t len = 0;
    snprintf(p, sizeof p, "/schemas/%s", rt->r->schema);
    const char *d = cat ? mw_catalog_get(cat, p, &len) : NULL;
    if (d) {
        rt->schema_doc = malloc(len + 1);
        if (rt->schema_doc) memcpy(rt->schema_doc, d, len);
    } else if (rt->s->source) {
        rt->schema_doc = read_small(rt->s->source, &len);
    }
    if (rt->schema_doc && !json_object(rt->schema_doc, len)) {
        free(rt->schema_doc);
        rt->schema_doc = NULL;
    }
    rt->schema_len = rt->schema_doc ? len : 0;
    const mw_route *r = rt->r;
    mw_sb b = {0};
    mw_sb_str(&b, "{\"openapi\":\"3.1.0\",\"info\":{\"title\":");
    mw_sb_fmt(&b, "\"meshgate ingest: %s\",\"version\":", r->input);
    mw_sb_quote(&b, r->schema_version, strlen(r->schema_version));
    mw_sb_str(&b, ",\"description\":");
    snprintf(p, sizeof p,
             "Events POSTed here are validated against schema %s, wrapped in a CloudEvent "
             "(source %s, type %s) and produced to Kafka topic %s; the answer comes once the "
             "broker acknowledged them.",
             r->schema, r->source, r->type, r->output);
    mw_sb_quote(&b, p, strlen(p));
    mw_sb_str(&b, "},\"paths\":{");
    mw_sb_quote(&b, rt->path, rt->path_len);
    mw_sb_str(&b, ":{\"post\":{\"summary\":\"Publish events\",\"parameters\":[{\"name\":"
                  "\"Idempotency-Key\",\"in\":\"header\",\"schema\":{\"type\":\"string\","
                  "\"maxLength\":255}}],\"requestBody\":{\"required\":true,\"content\":{"
                  "\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/event\"}},"
                  "\"application/x-ndjson\":{\"schema\":{\"type\":\"string\"}},"
                  "\"application/cloudevents+json\":{\"schema\":{\"$ref\":"
                  "\"#/components/schemas/cloudevent\"}},\"application/cloudevents-batch+json\":{"
                  "\"schema\":{\"type\":\"array\",\"items\":{\"$ref\":"
                  "\"#/components/schemas/cloudevent\"}}}}},\"responses\":{\"202\":{"
                  "\"description\":\"accepted: produced and acknowledged by the broker\","
                  "\"content\":{\"application/json\":{\"schema\":{\"type\":\"object\","
                  "\"properties\":{\"id\":{\"type\":\"string\"},\"topic\":{\"type\":"
                  "\"string\"},\"partition\":{\"type\":\"integer\"},\"offset\":{\"type\":"
                  "\"integer\"}}}}}},\"200\":{\"description\":\"a batch with a result per "
                  "event\"}");
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        mw_sb_fmt(&b, ",\"%s\":{\"description\":", statuses[i][0]);
        mw_sb_quote(&b, statuses[i][1], strlen(statuses[i][1]));
        mw_sb_str(&b, ",\"content\":{\"application/problem+json\":{}}}");
    }
    mw_sb_str(&b, "}},\"get\":{\"summary\":\"The route's JSON Schema\",\"responses\":{\"200\":"
                  "{\"description\":\"the schema\"}}}}},\"components\":{\"schemas\":{"
                  "\"event\":");
    if (rt->schema_doc) {
        mw_sb_put(&b, rt->schema_doc, rt->schema_len);
    } else {
        mw_sb_str(&b, "{\"$ref\":");
        mw_sb_quote(&b, rt->s->id ? rt->s->id : "", rt->s->id ? strlen(rt->s->id) : 0);
        mw_sb_str(&b, "}");
    }
    mw_sb_str(&b, ",\"cloudevent\":{\"type\":\"object\",\"required\":[\"specversion\",\"id\","
                  "\"source\",\"type\",\"data\"],\"properties\":{\"specversion\":{\"const\":"
                  "\"1.0\"},\"data\":{\"$ref\":\"#/components/schemas/event\"}}}}}}");
    if (b.oom) {
        free(b.p);
        return;
    }
    rt->openapi = b.p;
    rt->openapi_len = b.len;
}

static bool start_producer(mw_ingest *g, char *errstr, size_t errlen)
{
    const mw_config *cfg = g->cfg;
    rd_kafka_conf_t *conf = mw_config_kafka(cfg, true, errstr, errlen);
    if (!conf) return false;
    char v[32], e[512];
    /* every request is answered within http.request_timeout_ms: its events' fate is known
     * after half of it */
    uint32_t t = cfg->http_request_timeout_ms / 2;
    snprintf(v, sizeof v, "%u", t < 50 ? 50 : t);
    g->ack_timeout_us = (int64_t)(t < 50 ? 50 : t) * 1000;
    if (rd_kafka_conf_set(conf, "message.timeout.ms", v, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errlen, "http ingest: message.timeout.ms: %s", e);
        rd_kafka_conf_destroy(conf);
        return false;
    }
    /* a request waits for its events' acknowledgement: they are sent at once, unless the
     * user chose a linger for the producer */
    int map;
    size_t idx;
    if (!mw_config_prop(cfg, true, "linger.ms", &map, &idx) &&
        !mw_config_prop(cfg, true, "queue.buffering.max.ms", &map, &idx) &&
        rd_kafka_conf_set(conf, "linger.ms", "0", e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errlen, "http ingest: linger.ms: %s", e);
        rd_kafka_conf_destroy(conf);
        return false;
    }
    rd_kafka_conf_set_opaque(conf, g);
    rd_kafka_conf_set_dr_msg_cb(conf, mw_ingest_on_delivery);
    rd_kafka_conf_set_error_cb(conf, mw_ingest_on_error);
    g->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!g->producer) {
        snprintf(errstr, errlen, "http ingest: kafka: %s", e);
        rd_kafka_conf_destroy(conf);
        return false;
    }
    if (pipe2(g->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(errstr, errlen, "http ingest: pipe: out of descriptors");
        rd_kafka_destroy(g->producer);
        g->producer = NULL;
        g->wake[0] = g->wake[1] = -1;
        return false;
    }
    g->q = rd_kafka_queue_get_main(g->producer);
    rd_kafka_queue_io_event_enable(g->q, g->wake[1], "i", 1);
    return true;
}

mw_ingest *mw_ingest_new(const mw_config *cfg, char *errstr, size_t errlen)
{
    mw_ingest *g = calloc(1, sizeof *g);
    ig_count *count = calloc(cfg->n_routes ? cfg->n_routes : 1, sizeof *count);
    if (!g || !count) {
        free(g);
        free(count);
        snprintf(errstr, errlen, "http ingest: out of memory");
        return NULL;
    }
    g->cfg = cfg;
    g->count = count;
    g->wake[0] = g->wake[1] = -1;
    return g;
}

bool mw_ingest_start(mw_ingest *g, char *errstr, size_t errlen)
{
    const mw_config *cfg = g->cfg;
    mg_validator_conf vc = mw_config_validator_conf(cfg);
    vc.max_errors = MAX_ERRORS;
    if (!g->env) g->env = mw_env_new(64 * 1024);
    if (!g->idem)
        g->idem = mw_idem_new(cfg->idempotency_max_keys, cfg->idempotency_max_bytes,
                              (int64_t)cfg->idempotency_window_ms * 1000);
    if (!g->structured && (g->structured = rd_kafka_headers_new(1)))
        rd_kafka_header_add(g->structured, "content-type", -1, "application/cloudevents+json", -1);
    if (!g->env || !g->idem || !g->structured) {
        snprintf(errstr, errlen, "http ingest: out of memory");
        return false;
    }
    if (!g->v && !(g->v = mg_validator_new(&vc, errstr, errlen))) return false;
    if (!g->producer && !start_producer(g, errstr, errlen)) return false;
    atomic_store_explicit(&g->live, true, memory_order_release);
    return true;
}

void mw_ingest_free(mw_ingest *g)
{
    if (!g) return;
    mw_ingest_drain(g, (int)g->cfg->http_request_timeout_ms);
    mw_ingest_views_free(g); /* their topic handles before the producer */
    if (g->q) {
        rd_kafka_queue_io_event_enable(g->q, -1, NULL, 0);
        rd_kafka_queue_destroy(g->q);
    }
    if (g->producer) rd_kafka_destroy(g->producer);
    for (int i = 0; i < 2; i++)
        if (g->wake[i] >= 0) close(g->wake[i]);
    free(g->count);
    mg_validator_free(g->v);
    mw_env_free(g->env);
    mw_idem_free(g->idem);
    if (g->structured) rd_kafka_headers_destroy(g->structured);
    free(g);
}

/* ---- delivery reports ---- */

int mw_ingest_fd(const mw_ingest *g)
{
    return g && atomic_load_explicit(&g->live, memory_order_acquire) ? g->wake[0] : -1;
}

size_t mw_ingest_serve(mw_ingest *g)
{
    if (!g) return 0;
    mw_ingest_adopt(g); /* a replaced view is let go even when no request comes */
    if (!atomic_load_explicit(&g->live, memory_order_acquire)) return 0;
    char buf[64];
    while (read(g->wake[0], buf, sizeof buf) > 0) {
    }
    g->resumed = 0;
    while (rd_kafka_poll(g->producer, 0) > 0) {
    }
    mw_ingest_expire(g, mw_mono_us());
    return g->resumed;
}

size_t mw_ingest_drain(mw_ingest *g, int timeout_ms)
{
    if (!g || !atomic_load_explicit(&g->live, memory_order_acquire)) return 0;
    rd_kafka_flush(g->producer, timeout_ms);
    size_t left = (size_t)rd_kafka_outq_len(g->producer);
    if (left) {
        rd_kafka_purge(g->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(g->producer, 1000);
        while (rd_kafka_poll(g->producer, 0) > 0) {
        }
    }
    return left;
}

/* ---- metrics ---- */

/* Whether start-up route i has series: it took POSTs at start, or since a reload. */
static bool has_series(const mw_ingest *g, size_t i)
{
    const ig_count *c = &g->count[i];
    if (g->cfg->routes[i].ingest == MW_INGEST_ON || c->accepted || c->rejected) return true;
    for (size_t k = 0; k < N_CODES; k++)
        if (c->requests[k]) return true;
    return false;
}

void mw_ingest_metrics(const mw_ingest *g, char **buf, size_t *len)
{
    if (!g || !atomic_load_explicit(&g->live, memory_order_acquire)) return;
    mw_sb b = {*buf, *len, *len, false};
    mw_sb_str(&b, "# HELP meshgate_http_ingest_requests_total HTTP ingest requests answered, by "
                  "route (input topic) and status code.\n"
                  "# TYPE meshgate_http_ingest_requests_total counter\n");
    const mw_route *rt = g->cfg->routes;
    for (size_t i = 0; i < g->cfg->n_routes; i++)
        for (size_t k = 0; k < N_CODES && has_series(g, i); k++)
            if (g->count[i].requests[k] || mw_ingest_codes[k] == 202 || mw_ingest_codes[k] == 400)
                mw_sb_fmt(&b,
                          "meshgate_http_ingest_requests_total{route=\"%s\",code=\"%u\"} %" PRIu64
                          "\n",
                          rt[i].input, mw_ingest_codes[k], g->count[i].requests[k]);
    mw_sb_str(&b,
              "# HELP meshgate_http_ingest_events_total Events received over HTTP, by route and "
              "result (accepted: acknowledged by the broker; rejected: refused by the schema).\n"
              "# TYPE meshgate_http_ingest_events_total counter\n");
    for (size_t i = 0; i < g->cfg->n_routes; i++)
        if (has_series(g, i))
            mw_sb_fmt(
                &b,
                "meshgate_http_ingest_events_total{route=\"%s\",result=\"accepted\"} %" PRIu64 "\n"
                "meshgate_http_ingest_events_total{route=\"%s\",result=\"rejected\"} %" PRIu64 "\n",
                rt[i].input, g->count[i].accepted, rt[i].input, g->count[i].rejected);
    mw_sb_fmt(&b,
              "# HELP meshgate_http_ingest_idempotency_keys Idempotency keys held.\n"
              "# TYPE meshgate_http_ingest_idempotency_keys gauge\n"
              "meshgate_http_ingest_idempotency_keys %zu\n",
              mw_idem_count(g->idem));
    if (b.oom) return;
    *buf = b.p;
    *len = b.len;
}
