/* mw_ingest_body.c - what an HTTP ingest request holds: the kind of body from its
 * Content-Type and ce- headers, the binary-mode CloudEvent attributes as Kafka binding
 * headers (percent-decoded, HTTP binding 3.1.3.2), and the events of a body (one, a line
 * each for NDJSON, an element each for a CloudEvents batch).
 *
 * Design: no event is judged here (mw_ingest.c does, through mw_decide); a batch is split
 * whole before any event is produced, so a malformed batch produces nothing. Spans point
 * into the request's body. Runs on the HTTP thread.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mw_ingest_int.h"

static void add_span(void *arg, const char *e, size_t n)
{
    mw_ingest_spans *s = arg;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        size_t *no = realloc(s->off, cap * sizeof *no);
        if (no) s->off = no;
        size_t *nl = no ? realloc(s->len, cap * sizeof *nl) : NULL;
        if (nl) s->len = nl;
        if (!no || !nl) {
            s->oom = true;
            return;
        }
        s->cap = cap;
    }
    s->off[s->n] = (size_t)(e - s->base);
    s->len[s->n++] = n;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
    return true;
}

/* Splits the body into events; false when it is no batch at all (answered then). */
bool mw_ingest_split(ig_req *q, mw_ingest_spans *s)
{
    const char *b = q->body ? q->body : "";
    s->base = b;
    if (mw_ingest_single(q)) {
        add_span(s, b, q->len);
    } else if (q->kind == K_NDJSON) {
        for (size_t i = 0; i < q->len;) {
            const char *nl = memchr(b + i, '\n', q->len - i);
            size_t end = nl ? (size_t)(nl - b) : q->len;
            if (!blank(b + i, end - i)) add_span(s, b + i, end - i);
            i = end + 1;
        }
    } else {
        const char *why;
        if (!mw_json_array_each(b, q->len, add_span, s, &why)) {
            mw_ingest_fail(q, 400, 0, "the CloudEvents batch is not a JSON array of events: %s",
                           why);
            return false;
        }
    }
    if (s->oom) {
        mw_ingest_fail(q, 500, 0, "out of memory splitting the batch");
        return false;
    }
    if (s->n == 0) {
        mw_ingest_fail(q, 400, 0, "the batch holds no event");
        return false;
    }
    return true;
}

/* ---- the request's headers ---- */

static bool media_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0) return false;
    ct += n;
    ct += strspn(ct, " \t");
    return *ct == 0 || *ct == ';';
}

/* The kind of body, from Content-Type and ce- headers; -1 unsupported. */
int mw_ingest_kind(struct MHD_Connection *c)
{
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    bool binary = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "ce-specversion") != NULL;
    if (ct) ct += strspn(ct, " \t");
    if (!binary && ct && media_is(ct, "application/cloudevents+json")) return K_STRUCTURED;
    if (!binary && ct && media_is(ct, "application/cloudevents-batch+json")) return K_CE_BATCH;
    if (!binary && ct &&
        (media_is(ct, "application/x-ndjson") || media_is(ct, "application/jsonl") ||
         media_is(ct, "application/x-jsonlines") || media_is(ct, "application/jsonlines")))
        return K_NDJSON;
    bool json = !ct || !*ct || media_is(ct, "application/json") ||
                media_is(ct, "application/x-www-form-urlencoded"); /* curl -d's default */
    if (ct && !json) {                                             /* any other +json type */
        size_t n = strcspn(ct, "; \t");
        json = n >= 5 && strncasecmp(ct + n - 5, "+json", 5) == 0 &&
               strncasecmp(ct, "application/cloudevents", 23) != 0;
    }
    if (!json) return -1;
    return binary ? K_BINARY : K_PLAIN;
}

static int hexdig(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A binary-mode header: ce-NAME (percent-decoded, HTTP binding 3.1.3.2) as ce_NAME. */
enum MHD_Result mw_ingest_take_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    ig_req *q = cls;
    if (!value) return MHD_YES;
    bool ce = strncasecmp(key, "ce-", 3) == 0, ct = strcasecmp(key, "Content-Type") == 0;
    if (!ce && !ct) return MHD_YES;
    char name[128], val[4096];
    size_t k = 0, n = 0;
    if (ce) {
        name[k++] = 'c';
        name[k++] = 'e';
        name[k++] = '_';
        for (const char *p = key + 3; *p && k < sizeof name - 1; p++)
            name[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    } else {
        memcpy(name, "content-type", 12);
        k = 12;
    }
    name[k] = 0;
    for (const char *p = value; *p && n < sizeof val; p++) {
        int hi, lo;
        if (ce && p[0] == '%' && (hi = hexdig(p[1])) >= 0 && (lo = hexdig(p[2])) >= 0) {
            val[n++] = (char)(hi << 4 | lo);
            p += 2;
        } else {
            val[n++] = *p;
        }
    }
    rd_kafka_header_add(q->hdrs, name, -1, val, (ssize_t)n);
    if (strcmp(name, "ce_partitionkey") == 0 && !q->key) {
        q->key = strndup(val, n);
        q->key_len = q->key ? n : 0;
    }
    return MHD_YES;
}
