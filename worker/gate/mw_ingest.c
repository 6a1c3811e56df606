/* mw_ingest.c - HTTP ingest (issue 19): producers without a Kafka client POST events to a
 * route's path (/ingest/<input> unless the route names another); each is judged by mw_decide(),
 * the same verdict as Kafka input, enveloped by mw_env_valid() and produced to the route's
 * output topic, and the answer is sent once the broker acknowledged it: 202 with the
 * CloudEvent id, topic, partition and offset. A reject is a 400 application/problem+json (RFC
 * 9457) whose members are also JSON Schema's basic output (valid, errors). NDJSON bodies and
 * CloudEvents batches (application/cloudevents-batch+json) get a result per event. CloudEvents
 * HTTP binding input is kept as such: binary mode (ce- headers become ce_ headers, the
 * Content-Type the content-type header) and structured mode, like the Kafka binding. GET on
 * the path serves the route's schema, PATH/openapi.json an OpenAPI 3.1 document of it.
 *
 * Design: runs on the HTTP thread only (mw_http.c), so it takes no lock. A request is served
 * by the view (mw_ingest_view.c: one generation's routes, schemas and credentials) current
 * when it started, until it is freed, so a reload never mixes two within one request. It owns an
 * idempotent producer of its own (the configuration's producer properties; message.timeout.ms half
 * of http.request_timeout_ms, so every request is answered within its deadline) whose delivery
 * reports are served on the HTTP thread too: a request whose events are in flight is suspended
 * (libmicrohttpd) and resumed by the report of its last event. Requests are bounded before
 * their body is read (credentials, Content-Length against http.max_request_bytes, the
 * in-flight requests and bytes: 401/403, 413, 429) and while it arrives; a full producer
 * queue is a 429, brokers known to be down a 503 (one request a second goes through to find
 * out when they are back), both with Retry-After. A request that repeats an Idempotency-Key
 * (or a CloudEvent's source and id) within the window gets the first answer (mw_idem.c).
 * Rejects are answered, not dead-lettered: the producer has the reason; nothing reaches the
 * output that the gate refused.
 */
#include "mw_ingest.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "mg_output.h"
#include "mw_clock.h"
#include "mw_decide.h"
#include "mw_envelope.h"
#include "mw_ingest_int.h"
#include "mw_sb.h"

const unsigned mw_ingest_codes[N_CODES] = {200, 202, 400, 401, 403, 404, 405, 409,
                                           413, 415, 422, 429, 500, 503, 0};

/* ---- answers ---- */

static const char *title_of(unsigned status, const char **slug)
{
    static const struct {
        unsigned status;
        const char *slug, *title;
    } t[] = {
        {400, "invalid", "The request or its event does not satisfy the route's contract"},
        {401, "unauthorized", "Credentials are missing or not valid"},
        {403, "forbidden", "The credentials may not write to this route"},
        {404, "not-found", "Not found"},
        {405, "method-not-allowed", "Method not allowed"},
        {409, "in-progress", "A request with this Idempotency-Key is in progress"},
        {413, "too-large", "Content too large"},
        {415, "unsupported-media-type", "Unsupported media type"},
        {422, "idempotency-key-reused", "The Idempotency-Key was used with another request"},
        {429, "overloaded", "Too many requests in flight"},
        {503, "unavailable", "The brokers are not available"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i].status == status) {
            *slug = t[i].slug;
            return t[i].title;
        }
    *slug = "internal";
    return "Internal error";
}

/* {"type":...,"title":...,"status":N,"detail":DETAIL,"instance":PATH then `more` members (text
 * after an object's '{', with its closing '}'), or '}'. detail_json is JSON text (a string). */
static void problem_raw(mw_sb *b, const ig_route *rt, unsigned status, const char *detail_json,
                        const char *more)
{
    const char *slug;
    const char *title = title_of(status, &slug);
    mw_sb_fmt(b, "{\"type\":\"urn:meshgate:problem:%s\",\"title\":", slug);
    mw_sb_quote(b, title, strlen(title));
    mw_sb_fmt(b, ",\"status\":%u,\"detail\":", status);
    mw_sb_str(b, detail_json);
    if (rt) {
        mw_sb_str(b, ",\"instance\":");
        mw_sb_quote(b, rt->path, rt->path_len);
    }
    if (more) {
        mw_sb_str(b, ",");
        mw_sb_str(b, more);
    } else {
        mw_sb_str(b, "}");
    }
}

static void problem(mw_sb *b, const ig_route *rt, unsigned status, const char *detail,
                    const char *more)
{
    mw_sb d = {0};
    mw_sb_quote(&d, detail, strlen(detail));
    problem_raw(b, rt, status, d.oom ? "\"\"" : d.p, more);
    free(d.p);
}

/* Answers q with a problem now (no event was produced). */
void mw_ingest_fail(ig_req *q, unsigned status, unsigned retry_after, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    q->out.len = 0;
    problem(&q->out, q->rt, status, detail, NULL);
    q->status = status;
    q->retry_after = retry_after;
    q->answered = true;
}

void mw_ingest_count(ig_route *rt, unsigned status)
{
    size_t i = 0;
    while (mw_ingest_codes[i] && mw_ingest_codes[i] != status)
        i++;
    rt->count->requests[i]++;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, unsigned status, const char *type,
                                  const char *body, size_t len, unsigned retry_after, bool replayed,
                                  const char *allow)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    char ra[16];
    if (retry_after) {
        snprintf(ra, sizeof ra, "%u", retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    if (status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"meshgate\"");
    if (replayed) MHD_add_response_header(resp, "Idempotent-Replayed", "true");
    if (allow) MHD_add_response_header(resp, "Allow", allow);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static const char *type_of(unsigned status)
{
    return status >= 300 ? "application/problem+json" : "application/json";
}

/* A probe's answer is known: the next one may go a second later. */
static void probed(ig_req *q)
{
    if (!q->probe) return;
    q->probe = q->g->probing = false;
    q->g->probe_at_us = mw_mono_us() + 1000000;
}

static enum MHD_Result send_answer(ig_req *q)
{
    probed(q);
    q->queued = true;
    mw_ingest_count(q->rt, q->status);
    const char *body = q->out.oom ? "{}" : q->out.p ? q->out.p : "";
    size_t len = q->out.oom ? 2 : q->out.len;
    return send_reply(q->c, q->out.oom ? 500 : q->status, type_of(q->status), body, len,
                      q->retry_after, q->replayed, NULL);
}

/* ---- the answer of a request whose events are all decided ---- */

static void event_result(mw_sb *b, const ig_req *q, const ig_ev *e)
{
    if (e->status == 202) {
        mw_sb_str(b, "\"status\":202,\"id\":");
        mw_sb_str(b, e->id ? e->id : "null");
        mw_sb_str(b, ",\"topic\":");
        mw_sb_quote(b, q->rt->r->output, strlen(q->rt->r->output));
        mw_sb_fmt(b, ",\"partition\":%" PRId32 ",\"offset\":%" PRId64 "}", e->partition, e->offset);
    } else if (e->status == 400) {
        mw_sb_str(b, "\"status\":400,");
        mw_sb_str(b, e->detail ? e->detail : "\"valid\":false,\"errors\":[]}");
    } else {
        mw_sb_fmt(b, "\"status\":%u,\"detail\":%s}", e->status, e->detail ? e->detail : "null");
    }
}

bool mw_ingest_single(const ig_req *q)
{
    return q->kind == K_PLAIN || q->kind == K_STRUCTURED || q->kind == K_BINARY;
}

static void build_answer(ig_req *q)
{
    mw_sb *b = &q->out;
    b->len = 0;
    size_t acc = 0, rej = 0, retry = 0;
    for (size_t i = 0; i < q->n_ev; i++) {
        unsigned s = q->ev[i].status;
        acc += s == 202;
        rej += s == 400;
        retry += s == 429 || s == 503;
    }
    if (q->pending == 0) { /* final: counted once */
        q->rt->count->accepted += acc;
        q->rt->count->rejected += rej;
    }
    if (mw_ingest_single(q) && q->n_ev == 1) {
        const ig_ev *e = &q->ev[0];
        q->status = e->status;
        if (e->status == 202) {
            mw_sb_str(b, "{");
            event_result(b, q, e);
        } else if (e->status == 400) { /* the detail is the first error's text */
            problem_raw(b, q->rt, 400, e->first ? e->first : "\"the event is not valid\"",
                        e->detail ? e->detail : "\"valid\":false,\"errors\":[]}");
        } else {
            problem_raw(b, q->rt, e->status, e->detail ? e->detail : "\"\"", NULL);
            if (retry) q->retry_after = 1;
        }
    } else {
        q->status = acc == q->n_ev ? 202 : retry == q->n_ev ? 503 : 200;
        if (retry == q->n_ev) q->retry_after = 1;
        mw_sb_fmt(b, "{\"accepted\":%zu,\"rejected\":%zu,\"failed\":%zu,\"results\":[", acc, rej,
                  q->n_ev - acc - rej);
        for (size_t i = 0; i < q->n_ev; i++) {
            mw_sb_fmt(b, "%s{\"index\":%zu,", i ? "," : "", i);
            event_result(b, q, &q->ev[i]);
        }
        mw_sb_str(b, "]}");
    }
    q->answered = true;
}

/* Remembers (or forgets) the answer under the request's idempotency key. */
static void settle_key(ig_req *q)
{
    if (!q->ticket.gen) return;
    if (q->status == 200 || q->status == 202 || q->status == 400)
        mw_idem_finish(q->g->idem, q->ticket, q->status, q->out.p ? q->out.p : "", q->out.len);
    else
        mw_idem_forget(q->g->idem, q->ticket);
    q->ticket.gen = 0;
}

static void free_req(ig_req *q)
{
    for (size_t i = 0; i < q->n_ev; i++) {
        free(q->ev[i].id);
        free(q->ev[i].detail);
        free(q->ev[i].first);
    }
    free(q->ev);
    if (q->hdrs) rd_kafka_headers_destroy(q->hdrs);
    free(q->key);
    free(q->body);
    free(q->out.p);
    if (q->view) atomic_fetch_sub_explicit(&q->view->refs, 1, memory_order_release);
    free(q);
}

static char *json_text(const char *s)
{
    mw_sb b = {0};
    mw_sb_quote(&b, s, strlen(s));
    return b.oom ? NULL : b.p;
}

static void unlink_suspended(ig_req *q)
{
    mw_ingest *g = q->g;
    if (q->s_prev)
        q->s_prev->s_next = q->s_next;
    else if (g->susp_head == q)
        g->susp_head = q->s_next;
    if (q->s_next)
        q->s_next->s_prev = q->s_prev;
    else if (g->susp_tail == q)
        g->susp_tail = q->s_prev;
    q->s_prev = q->s_next = NULL;
}

static void resume(ig_req *q)
{
    if (!q->suspended) return;
    q->suspended = false;
    unlink_suspended(q);
    MHD_resume_connection(q->c);
    q->g->resumed++;
}

/* The last event of q is decided: answer, and resume the suspended connection. An expired
 * request was answered already: its final answer is what its idempotency key remembers. */
static void finish(ig_req *q)
{
    mw_sb first = q->out;
    bool expired = q->expired;
    if (expired) q->out = (mw_sb){0};
    build_answer(q);
    settle_key(q);
    probed(q);
    if (expired) {
        free(q->out.p);
        q->out = first;
    }
    if (q->orphan) {
        free_req(q);
        return;
    }
    resume(q);
}

void mw_ingest_expire(mw_ingest *g, int64_t now_us)
{
    char why[200];
    while (g->susp_head && g->susp_head->ack_by_us <= now_us) {
        ig_req *q = g->susp_head;
        snprintf(why, sizeof why,
                 "the broker did not acknowledge the event within %lld ms; it may have been "
                 "written: retry with the same Idempotency-Key",
                 (long long)(g->ack_timeout_us / 1000));
        for (size_t i = 0; i < q->n_ev; i++)
            if (q->ev[i].status == 0) {
                q->ev[i].status = 503;
                q->ev[i].expired = true;
                free(q->ev[i].detail);
                q->ev[i].detail = json_text(why);
            }
        build_answer(q);
        q->expired = true;
        probed(q);
        g->brokers_down = true;
        resume(q);
    }
}

/* ---- delivery reports ---- */

void mw_ingest_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    mw_ingest *g = opaque;
    ig_ev *e = m->_private;
    ig_req *q = e->req;
    free(e->detail); /* an expired event's interim 503 */
    e->detail = NULL;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        e->status = 202;
        e->partition = m->partition;
        e->offset = m->offset;
        g->brokers_down = false;
    } else {
        char why[512];
        bool maybe = rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED;
        snprintf(why, sizeof why, "the broker did not acknowledge the event: %s; %s",
                 rd_kafka_err2str(m->err),
                 maybe ? "it may have been written: retry with the same Idempotency-Key"
                       : "it was not written: retry");
        e->status = 503;
        e->detail = json_text(why);
        if (m->err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || m->err == RD_KAFKA_RESP_ERR__TRANSPORT)
            g->brokers_down = true;
    }
    if (--q->pending == 0) finish(q);
}

void mw_ingest_on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    (void)reason;
    mw_ingest *g = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) g->brokers_down = true;
}

/* ---- one event ---- */

/* A random (version 4) UUID into buf (37 bytes). */
static void uuid4(char buf[37])
{
    uint8_t r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n > 0) got += (size_t)n;
    }
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf[k++] = '-';
        buf[k++] = hex[r[i] >> 4];
        buf[k++] = hex[r[i] & 15];
    }
    buf[k] = 0;
}

/* The reject of d into e: basic output members (after the object's '{') and the first
 * error's text. */
static void reject(mw_ingest *g, const mw_decision *d, ig_ev *e)
{
    e->status = 400;
    if (d->reject == MW_RJ_CLOUDEVENT || d->reject == MW_RJ_EMPTY || d->no_variant) {
        mw_sb b = {0};
        mw_sb_str(&b, "\"valid\":false,\"errors\":[{\"keywordLocation\":\"\","
                      "\"instanceLocation\":");
        mw_sb_quote(&b, d->reason.instance, strlen(d->reason.instance));
        mw_sb_str(&b, ",\"error\":");
        mw_sb_quote(&b, d->reason.message, strlen(d->reason.message));
        mw_sb_str(&b, "}]}");
        e->detail = b.oom ? NULL : b.p;
        e->first = json_text(d->reason.message);
        return;
    }
    size_t need = mg_output_basic(g->v, MAX_ERRORS, NULL, 0);
    char *s = malloc(need + 1);
    if (s) {
        mg_output_basic(g->v, MAX_ERRORS, s, need + 1);
        memmove(s, s + 1, need); /* drop the '{': the caller's object continues it */
    }
    e->detail = s;
    char first[2048];
    if (mg_error_count(g->v) > 0) {
        mg_error_message(g->v, 0, first, sizeof first);
        e->first = json_text(first);
    } else {
        e->first = json_text(d->reason.message ? d->reason.message : "");
    }
}

/* Produces the event (d NULL: a passthrough route's, unchanged). */
static void produce_event(ig_req *q, ig_ev *e, mw_in *in, const mw_decision *d)
{
    mw_ingest *g = q->g;
    const char *why = NULL;
    if (!d) { /* passthrough: as it came, its headers (binary mode) kept */
        mw_env *e0 = g->env;
        e0->n_hdrs = 0;
        e0->value = in->value;
        e0->value_len = in->value_len;
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; in->headers && e0->n_hdrs < MW_ENV_MAX_HDRS &&
                           rd_kafka_header_get_all(in->headers, i, &name, &val, &len) == 0;
             i++)
            e0->hdrs[e0->n_hdrs++] = (mw_hdr){name, val, len};
    } else if (!mw_env_valid(g->env, q->rt->r, d->schema->id, d->type, in, d->kind, mw_real_us(),
                             &why)) {
        e->status = 500;
        e->detail = json_text(why);
        return;
    }
    mw_env *env = g->env;
    rd_kafka_vu_t *vu = g->vu;
    size_t n = mw_env_vu(vu, q->rt->rkt, env, env->value, env->value_len, in->key, in->key_len,
                         in->timestamp_ms, e);
    /* a value in the request's body is not copied: the request lives until its last report */
    rd_kafka_error_t *err = rd_kafka_produceva(g->producer, vu, n);
    if (!err) {
        q->pending++;
        return;
    }
    rd_kafka_resp_err_t code = rd_kafka_error_code(err);
    rd_kafka_error_destroy(err);
    char text[300];
    snprintf(text, sizeof text, "%s: %s",
             code == RD_KAFKA_RESP_ERR__QUEUE_FULL ? "the producer queue is full; retry later"
             : code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
                 ? "the CloudEvent exceeds the producer's message.max.bytes"
                 : "the event could not be produced",
             rd_kafka_err2str(code));
    e->status = code == RD_KAFKA_RESP_ERR__QUEUE_FULL          ? 429
                : code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? 413
                                                               : 503;
    e->detail = json_text(text);
}

static void one_event(ig_req *q, ig_ev *e, const char *text, size_t n, bool structured)
{
    mw_ingest *g = q->g;
    const mw_config *cfg = g->cfg;
    e->req = q;
    if (n > cfg->max_message_bytes) {
        char why[200];
        snprintf(why, sizeof why,
                 "the event has %zu bytes, more than limits.max_message_bytes (%" PRIu64 ")", n,
                 cfg->max_message_bytes);
        e->status = 413;
        e->detail = json_text(why);
        return;
    }
    char id[40];
    mw_in in = {.topic = q->rt->r->input,
                .partition = -1,
                .offset = -1,
                .timestamp_ms = mw_real_us() / 1000,
                .key = q->key,
                .key_len = q->key_len,
                .value = text ? text : "",
                .value_len = n,
                .headers = q->kind == K_BINARY ? q->hdrs
                           : structured        ? g->structured
                                               : NULL};
    const char *raw;
    size_t raw_len;
    if (q->kind == K_BINARY) {
        const void *v;
        size_t vl;
        if (rd_kafka_header_get_last(q->hdrs, "ce_id", &v, &vl) == 0) {
            mw_sb b = {0};
            mw_sb_quote(&b, v, vl);
            e->id = b.p;
        }
    } else if (structured) {
        if (mw_ce_member(text, n, "id", &raw, &raw_len)) e->id = strndup(raw, raw_len);
    } else {
        uuid4(id);
        in.ce_id = id;
        e->id = json_text(id);
    }
    if (q->rt->r->mode == MW_CE_PASSTHROUGH) { /* the benchmark's baseline: no gate */
        produce_event(q, e, &in, NULL);
        return;
    }
    mw_decision d;
    mw_decide(&q->rt->decide, NULL, q->rt->s, g->v, &in, &g->rb, &d);
    if (!d.valid) {
        reject(g, &d, e);
        return;
    }
    produce_event(q, e, &in, &d);
}

static void run_events(ig_req *q)
{
    mw_ingest_spans s = {0};
    if (mw_ingest_split(q, &s)) {
        q->ev = calloc(s.n, sizeof *q->ev);
        if (!q->ev) {
            mw_ingest_fail(q, 500, 0, "out of memory");
        } else {
            q->n_ev = s.n;
            for (size_t i = 0; i < s.n; i++)
                one_event(q, &q->ev[i], s.base + s.off[i], s.len[i],
                          q->kind == K_STRUCTURED || q->kind == K_CE_BATCH);
        }
    }
    free(s.off);
    free(s.len);
}

/* ---- idempotency ---- */

void mw_ingest_idem_prefix(mw_sb *b, const ig_route *rt)
{
    mw_sb_quote(b, rt->r->input, strlen(rt->r->input));
    mw_sb_str(b, "\n");
}

/* The request's idempotency key into b: Idempotency-Key, else a CloudEvent's source and id;
 * false when it has none. 400 (answered) when the header is unusable. */
static bool idem_key(ig_req *q, mw_sb *b)
{
    const char *k = MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, "Idempotency-Key");
    mw_ingest_idem_prefix(b, q->rt);
    if (k) {
        size_t n = strlen(k);
        if (n == 0 || n > 255) {
            mw_ingest_fail(q, 400, 0, "the Idempotency-Key header must hold 1 to 255 characters");
            return false;
        }
        mw_sb_str(b, "k\n");
        mw_sb_put(b, k, n);
        return true;
    }
    const void *v = NULL;
    size_t vl = 0;
    if (q->kind == K_BINARY && rd_kafka_header_get_last(q->hdrs, "ce_id", &v, &vl) == 0) {
        const void *s = "";
        size_t sl = 0;
        rd_kafka_header_get_last(q->hdrs, "ce_source", &s, &sl);
        mw_sb_str(b, "ce\n");
        mw_sb_put(b, s, sl);
        mw_sb_str(b, "\n");
        mw_sb_put(b, v, vl);
        return true;
    }
    const char *id, *src;
    size_t il, sl;
    if (q->kind == K_STRUCTURED && mw_ce_member(q->body, q->len, "id", &id, &il) &&
        mw_ce_member(q->body, q->len, "source", &src, &sl)) {
        mw_sb_str(b, "ce\n");
        mw_sb_put(b, src, sl);
        mw_sb_str(b, "\n");
        mw_sb_put(b, id, il);
        return true;
    }
    return false;
}

/* Looks the request up in the idempotency cache: true when it is answered by it. */
static bool idem_answered(ig_req *q)
{
    mw_sb key = {0};
    bool has = idem_key(q, &key);
    if (q->answered || !has || key.oom) {
        free(key.p);
        return q->answered;
    }
    const char *ct = MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, "Content-Type");
    uint64_t fp = mw_idem_fnv(MW_IDEM_FNV_INIT, ct ? ct : "", ct ? strlen(ct) : 0);
    fp = mw_idem_fnv(fp, q->body ? q->body : "", q->len);
    unsigned status = 0;
    const char *body = NULL;
    size_t len = 0;
    mw_idem_state st = mw_idem_begin(q->g->idem, key.p, key.len, fp, mw_mono_us(), &q->ticket,
                                     &status, &body, &len);
    free(key.p);
    switch (st) {
    case MW_IDEM_NEW:
        return false;
    case MW_IDEM_DONE:
        q->out.len = 0;
        mw_sb_put(&q->out, body, len);
        q->status = status;
        q->replayed = true;
        q->answered = true;
        return true;
    case MW_IDEM_PENDING:
        mw_ingest_fail(q, 409, 1,
                       "a request with this key is still in progress; retry once it is answered");
        return true;
    case MW_IDEM_MISMATCH:
        mw_ingest_fail(q, 422, 0, "this key was used with another request body within the window");
        return true;
    case MW_IDEM_FULL:
        mw_ingest_fail(q, 503, 1, "the idempotency cache is full of requests in progress");
        return true;
    }
    return false;
}

/* ---- GET ---- */

static enum MHD_Result get_doc(ig_route *rt, struct MHD_Connection *c, bool openapi)
{
    const char *doc = openapi ? rt->openapi : rt->schema_doc;
    size_t len = openapi ? rt->openapi_len : rt->schema_len;
    if (doc) {
        mw_ingest_count(rt, 200);
        return send_reply(c, 200, "application/json", doc, len, 0, false, NULL);
    }
    mw_sb b = {0};
    problem(&b, rt, 404,
            "the schema document of this route is not available: set catalog: (the "
            "codegen --contract-out folder) to serve it",
            NULL);
    mw_ingest_count(rt, 404);
    enum MHD_Result r =
        send_reply(c, 404, "application/problem+json", b.p ? b.p : "", b.len, 0, false, NULL);
    free(b.p);
    return r;
}

/* ---- the handler ---- */

static ig_route *route_of(const mw_ingest_view *v, const char *url, bool *openapi)
{
    for (size_t i = 0; v && i < v->n_rt; i++) {
        ig_route *rt = &v->rt[i];
        if (strncmp(url, rt->path, rt->path_len) != 0) continue;
        const char *rest = url + rt->path_len;
        *openapi = strcmp(rest, "/openapi.json") == 0;
        if (!*rest || *openapi) return rt;
    }
    return NULL;
}

bool mw_ingest_owns(mw_ingest *g, const char *url)
{
    if (!g) return false;
    mw_ingest_adopt(g);
    bool openapi;
    return route_of(g->cur, url, &openapi);
}

/* The first call of a POST: what can be refused before the body is read. */
static void admit(ig_req *q)
{
    mw_ingest *g = q->g;
    const mw_config *cfg = g->cfg;
    char why[512];
    unsigned who =
        mw_creds_check(q->rt->creds, q->view->creds, q->view->n_rt, q->c, why, sizeof why);
    if (who) {
        mw_ingest_fail(q, who, 0, "%s", why);
        return;
    }
    if (g->inflight > cfg->http_max_inflight_requests) {
        mw_ingest_fail(q, 429, 1, "%u requests are in flight (http.max_inflight_requests)",
                       cfg->http_max_inflight_requests);
        return;
    }
    const char *cl = MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, "Content-Length");
    uint64_t len = 0;
    if (cl && mw_config_parse_u64(cl, strlen(cl), &len) && len > cfg->http_max_request_bytes) {
        mw_ingest_fail(q, 413, 0,
                       "the body has %" PRIu64 " bytes, more than http.max_request_bytes (%" PRIu64
                       ")",
                       len, cfg->http_max_request_bytes);
        return;
    }
    if (g->inflight_bytes + len > cfg->http_max_inflight_bytes) {
        mw_ingest_fail(q, 429, 1,
                       "the bodies in flight would exceed http.max_inflight_bytes (%" PRIu64 ")",
                       cfg->http_max_inflight_bytes);
        return;
    }
    q->kind = mw_ingest_kind(q->c);
    if (q->kind < 0) {
        mw_ingest_fail(q, 415, 0,
                       "send application/json, application/cloudevents+json, "
                       "application/cloudevents-batch+json or application/x-ndjson");
        return;
    }
    if (q->kind == K_BINARY) {
        q->hdrs = rd_kafka_headers_new(8);
        if (!q->hdrs) {
            mw_ingest_fail(q, 500, 0, "out of memory");
            return;
        }
        MHD_get_connection_values(q->c, MHD_HEADER_KIND, mw_ingest_take_header, q);
    }
    if (g->brokers_down && (g->probing || mw_mono_us() < g->probe_at_us)) {
        mw_ingest_fail(q, 503, 1, "the brokers are unreachable; retry later");
        return;
    }
    if (g->brokers_down) q->probe = g->probing = true; /* this one finds out */
}

/* A piece of the body. */
static void take_body(ig_req *q, const char *data, size_t n)
{
    mw_ingest *g = q->g;
    const mw_config *cfg = g->cfg;
    if (q->over || q->over_inflight) return;
    if (q->len + n > cfg->http_max_request_bytes) {
        q->over = true;
        return;
    }
    if (g->inflight_bytes + n > cfg->http_max_inflight_bytes) {
        q->over_inflight = true;
        return;
    }
    if (q->len + n > q->cap) {
        size_t cap = q->cap ? q->cap : 4096;
        while (cap < q->len + n)
            cap *= 2;
        char *nb = realloc(q->body, cap);
        if (!nb) {
            q->over_inflight = true;
            return;
        }
        q->body = nb;
        q->cap = cap;
    }
    memcpy(q->body + q->len, data, n);
    q->len += n;
    g->inflight_bytes += n;
}

enum MHD_Result mw_ingest_handle(mw_ingest *g, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *upload, size_t *upload_len,
                                 void **state)
{
    ig_req *q = *state;
    if (!q) {
        bool openapi = false;
        ig_route *rt = route_of(g->cur, url, &openapi); /* mw_ingest_owns adopted the view */
        if (!rt) return MHD_NO;
        if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
            return get_doc(rt, c, openapi);
        if (strcmp(method, "POST") != 0 || openapi) {
            mw_sb b = {0};
            problem(&b, rt, 405, "POST events to this path; GET serves its schema", NULL);
            mw_ingest_count(rt, 405);
            enum MHD_Result r =
                send_reply(c, 405, "application/problem+json", b.p ? b.p : "", b.len, 0, false,
                           openapi ? "GET, HEAD" : "GET, HEAD, POST");
            free(b.p);
            return r;
        }
        q = calloc(1, sizeof *q);
        if (!q) return MHD_NO;
        *q = (ig_req){.g = g, .c = c, .view = g->cur, .rt = rt};
        atomic_fetch_add_explicit(&g->cur->refs, 1, memory_order_relaxed);
        g->inflight++;
        *state = q;
        admit(q);
        return q->answered ? send_answer(q) : MHD_YES;
    }
    if (q->queued) { /* answered before the body: it is not read */
        *upload_len = 0;
        return MHD_YES;
    }
    if (*upload_len) {
        take_body(q, upload, *upload_len);
        *upload_len = 0;
        return MHD_YES;
    }
    if (q->answered) return send_answer(q); /* resumed, or refused while reading */
    if (q->over)
        mw_ingest_fail(q, 413, 0, "the body is larger than http.max_request_bytes (%" PRIu64 ")",
                       g->cfg->http_max_request_bytes);
    else if (q->over_inflight)
        mw_ingest_fail(q, 429, 1,
                       "the bodies in flight exceed http.max_inflight_bytes (%" PRIu64 ")",
                       g->cfg->http_max_inflight_bytes);
    else if (!idem_answered(q))
        run_events(q);
    if (q->answered) {
        settle_key(q);
        return send_answer(q);
    }
    if (q->pending == 0) {
        build_answer(q);
        settle_key(q);
        return send_answer(q);
    }
    q->suspended = true;
    q->ack_by_us = mw_mono_us() + g->ack_timeout_us;
    q->s_prev = g->susp_tail;
    if (g->susp_tail)
        g->susp_tail->s_next = q;
    else
        g->susp_head = q;
    g->susp_tail = q;
    MHD_suspend_connection(c);
    return MHD_YES;
}

void mw_ingest_completed(mw_ingest *g, void *state)
{
    ig_req *q = state;
    if (!q) return;
    probed(q);
    g->inflight--;
    g->inflight_bytes -= q->len;
    if (q->pending) { /* its reports still come: the last one frees it */
        q->orphan = true;
        return;
    }
    free_req(q);
}
