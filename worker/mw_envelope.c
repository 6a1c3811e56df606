/* mw_envelope.c - CloudEvents 1.0 envelopes per the Kafka protocol binding, and the
 * dead-letter headers of rejects.
 *
 * Design: runs per message on a worker thread, with that thread's mw_env scratch. Header
 * values point into the input message, the route, the reason or env->text; nothing is
 * copied except formatted numbers and times. Binary mode produces the input value itself;
 * structured mode writes the JSON envelope into env->body (grown only if a message outgrows
 * it). A small top-level JSON scanner finds members of structured inputs; the data it finds
 * is then validated by the caller with the real parser.
 */
#include "mw_envelope.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CT_STRUCTURED "application/cloudevents+json"

mw_env *mw_env_new(size_t body_cap)
{
    mw_env *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->body_cap = body_cap ? body_cap : 4096;
    e->body = malloc(e->body_cap);
    if (!e->body) {
        free(e);
        return NULL;
    }
    return e;
}

void mw_env_free(mw_env *e)
{
    if (!e) return;
    free(e->body);
    free(e);
}

size_t mw_ce_id(char *buf, size_t cap, const char *topic, int32_t partition, int64_t offset)
{
    int n = snprintf(buf, cap, "%s/%" PRId32 "/%" PRId64, topic, partition, offset);
    return n < 0 ? 0 : (size_t)n;
}

size_t mw_rfc3339(char *buf, size_t cap, int64_t us, int digits)
{
    if (us < 0) us = 0;
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    int n = digits == 6 ? snprintf(buf, cap, "%s.%06dZ", date, (int)(us % 1000000))
                        : snprintf(buf, cap, "%s.%03dZ", date, (int)(us / 1000 % 1000));
    return n < 0 ? 0 : (size_t)n;
}

/* ---- input headers ---- */

static bool header(const mw_in *in, const char *name, const void **val, size_t *len)
{
    if (!in->headers) return false;
    return rd_kafka_header_get_last(in->headers, name, val, len) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

static bool is_structured_ct(const void *v, size_t len)
{
    size_t n = sizeof CT_STRUCTURED - 1;
    if (!v || len < n || strncasecmp(v, CT_STRUCTURED, n) != 0) return false;
    const char *rest = (const char *)v + n;
    return len == n || *rest == ';' || *rest == ' ';
}

mw_ce_kind mw_ce_detect(const mw_in *in)
{
    const void *v;
    size_t len;
    if (header(in, "ce_specversion", &v, &len)) return MW_CE_IN_BINARY;
    if (header(in, "content-type", &v, &len) && is_structured_ct(v, len))
        return MW_CE_IN_STRUCTURED;
    return MW_CE_NONE;
}

/* ---- a top-level JSON object scanner ---- */

typedef struct scan {
    const char *p, *end;
} scan;

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool skip_string(scan *s)
{
    if (s->p >= s->end || *s->p != '"') return false;
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '\\') {
            if (++s->p >= s->end) return false;
        } else if (*s->p == '"') {
            s->p++;
            return true;
        } else if ((unsigned char)*s->p < 0x20) {
            return false;
        }
    }
    return false;
}

/* Skips one value; nested containers are matched bracket by bracket, scalars by their
 * characters (the real parser checks the data later). */
static bool skip_value(scan *s)
{
    ws(s);
    if (s->p >= s->end) return false;
    if (*s->p == '"') return skip_string(s);
    if (*s->p == '{' || *s->p == '[') {
        char stack[256];
        size_t depth = 0;
        do {
            if (*s->p == '"') {
                if (!skip_string(s)) return false;
                continue;
            }
            if (*s->p == '{' || *s->p == '[') {
                if (depth == sizeof stack) return false;
                stack[depth++] = *s->p == '{' ? '}' : ']';
            } else if (*s->p == '}' || *s->p == ']') {
                if (depth == 0 || stack[depth - 1] != *s->p) return false;
                depth--;
            }
            s->p++;
        } while (depth > 0 && s->p < s->end);
        return depth == 0;
    }
    const char *start = s->p;
    while (s->p < s->end && (isalnum((unsigned char)*s->p) || strchr("+-.", *s->p)))
        s->p++;
    return s->p > start;
}

typedef struct member {
    const char *name; /* raw, between the quotes */
    size_t name_len;
    const char *val;
    size_t val_len;
} member;

/* Calls fn for each top-level member; false if the value is not a well-formed object. */
static bool each_member(const char *v, size_t len, bool (*fn)(const member *m, void *arg),
                        void *arg)
{
    scan s = {v, v + len};
    ws(&s);
    if (s.p >= s.end || *s.p != '{') return false;
    s.p++;
    ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            ws(&s);
            member m = {.name = s.p + 1};
            if (!skip_string(&s)) return false;
            m.name_len = (size_t)(s.p - m.name - 1);
            ws(&s);
            if (s.p >= s.end || *s.p != ':') return false;
            s.p++;
            ws(&s);
            m.val = s.p;
            if (!skip_value(&s)) return false;
            m.val_len = (size_t)(s.p - m.val);
            if (fn && !fn(&m, arg)) fn = NULL;
            ws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                continue;
            }
            if (s.p < s.end && *s.p == '}') {
                s.p++;
                break;
            }
            return false;
        }
    }
    ws(&s);
    return s.p == s.end;
}

typedef struct ce_fields {
    member data, specversion, id, source, type, processingtime;
    bool has_data, has_base64, has_specversion, has_id, has_source, has_type, has_ptime;
} ce_fields;

static bool name_is(const member *m, const char *n)
{
    return m->name_len == strlen(n) && memcmp(m->name, n, m->name_len) == 0;
}

static bool collect(const member *m, void *arg)
{
    ce_fields *f = arg;
    if (name_is(m, "data"))
        f->data = *m, f->has_data = true;
    else if (name_is(m, "data_base64"))
        f->has_base64 = true;
    else if (name_is(m, "specversion"))
        f->specversion = *m, f->has_specversion = true;
    else if (name_is(m, "id"))
        f->id = *m, f->has_id = true;
    else if (name_is(m, "source"))
        f->source = *m, f->has_source = true;
    else if (name_is(m, "type"))
        f->type = *m, f->has_type = true;
    else if (name_is(m, "processingtime"))
        f->has_ptime = true;
    return true;
}

static bool nonempty_string(const member *m)
{
    return m->val_len > 2 && m->val[0] == '"';
}

static bool binary_ok(const mw_in *in, const char **why)
{
    const void *v;
    size_t len;
    if (!header(in, "ce_specversion", &v, &len) || len != 3 || memcmp(v, "1.0", 3) != 0) {
        *why = "ce_specversion is not 1.0; meshgate accepts CloudEvents 1.0";
        return false;
    }
    static const char *const required[][2] = {{"ce_id", "ce_id header missing or empty"},
                                              {"ce_source", "ce_source header missing or empty"},
                                              {"ce_type", "ce_type header missing or empty"}};
    for (size_t i = 0; i < 3; i++)
        if (!header(in, required[i][0], &v, &len) || len == 0) {
            *why = required[i][1];
            return false;
        }
    return true;
}

bool mw_ce_data(const mw_in *in, mw_ce_kind kind, size_t *off, size_t *len, const char **why)
{
    if (kind == MW_CE_IN_BINARY) {
        *off = 0;
        *len = in->value_len;
        return binary_ok(in, why);
    }
    ce_fields f = {0};
    if (!each_member(in->value, in->value_len, collect, &f)) {
        *why = "structured CloudEvent is not a well-formed JSON object";
        return false;
    }
    if (!f.has_specversion || f.specversion.val_len != 5 ||
        memcmp(f.specversion.val, "\"1.0\"", 5) != 0) {
        *why = "structured CloudEvent: specversion is not \"1.0\"";
        return false;
    }
    if (!f.has_id || !nonempty_string(&f.id) || !f.has_source || !nonempty_string(&f.source) ||
        !f.has_type || !nonempty_string(&f.type)) {
        *why = "structured CloudEvent: id, source and type must be non-empty strings";
        return false;
    }
    if (f.has_base64) {
        *why = "data_base64 is not JSON; meshgate validates JSON data";
        return false;
    }
    if (!f.has_data) {
        *why = "structured CloudEvent has no data member";
        return false;
    }
    *off = (size_t)(f.data.val - (const char *)in->value);
    *len = f.data.val_len;
    return true;
}

/* ---- building ---- */

static bool add(mw_env *e, const char *name, const void *val, size_t len)
{
    if (e->n_hdrs == MW_ENV_MAX_HDRS) return false;
    e->hdrs[e->n_hdrs++] = (mw_hdr){name, val, len};
    return true;
}

/* Formats into e->text; returns the start or NULL when full. */
static const char *text(mw_env *e, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *text(mw_env *e, size_t *len, const char *fmt, ...)
{
    size_t room = sizeof e->text - e->text_used;
    char *at = e->text + e->text_used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) return NULL;
    e->text_used += (size_t)n + 1;
    *len = (size_t)n;
    return at;
}

static const char *time_text(mw_env *e, size_t *len, int64_t us, int digits)
{
    size_t room = sizeof e->text - e->text_used;
    if (room < 40) return NULL;
    char *at = e->text + e->text_used;
    *len = mw_rfc3339(at, room, us, digits);
    e->text_used += *len + 1;
    return at;
}

static bool add_text(mw_env *e, const char *name, const char *val, size_t len)
{
    return val && add(e, name, val, len);
}

/* Input headers, all of them or without the ones that look like attributes. */
static bool copy_headers(mw_env *e, const mw_in *in, bool all)
{
    if (!in->headers) return true;
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; rd_kafka_header_get_all(in->headers, i, &name, &val, &len) == 0; i++) {
        if (!all && (strncmp(name, "ce_", 3) == 0 || strcasecmp(name, "content-type") == 0))
            continue;
        if (!add(e, name, val, len)) return false;
    }
    return true;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
        if (k == 9 || i + k >= n) return false;
        if (k && (c == 0xC0 || c == 0xC1 || c > 0xF4)) return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return false;
        if (k == 2 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F)))
            return false;
        if (k == 3 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] > 0x8F)))
            return false;
        i += k + 1;
    }
    return true;
}

/* ---- structured bodies ---- */

typedef struct body {
    mw_env *e;
    size_t len;
    bool oom;
} body;

static void put(body *b, const void *p, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->e->body_cap) {
        size_t cap = b->e->body_cap * 2;
        while (cap < b->len + n)
            cap *= 2;
        char *nb = realloc(b->e->body, cap);
        if (!nb) {
            b->oom = true;
            return;
        }
        b->e->body = nb;
        b->e->body_cap = cap;
    }
    memcpy(b->e->body + b->len, p, n);
    b->len += n;
}

static void puts_(body *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_json_string(body *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', (char)c};
        if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            put(b, esc, 6);
        } else {
            put(b, esc, 2);
        }
    }
    put(b, s + run, n - run);
    put(b, "\"", 1);
}

static void member_str(body *b, const char *name, const char *v, size_t n)
{
    put(b, ",\"", 2);
    puts_(b, name);
    put(b, "\":", 2);
    put_json_string(b, v, n);
}

/* ---- the two envelopes ---- */

static bool plain_binary(mw_env *e, const mw_route *r, const char *dataschema, const mw_in *in,
                         int64_t now_us)
{
    size_t n;
    const char *s;
    bool ok = copy_headers(e, in, false) && add(e, "ce_specversion", "1.0", 3);
    s = text(e, &n, "%s/%" PRId32 "/%" PRId64, in->topic, in->partition, in->offset);
    ok = ok && add_text(e, "ce_id", s, n) && add(e, "ce_source", r->source, strlen(r->source)) &&
         add(e, "ce_type", r->type, strlen(r->type));
    if (ok && in->timestamp_ms >= 0) {
        s = time_text(e, &n, in->timestamp_ms * 1000, 3);
        ok = add_text(e, "ce_time", s, n);
    }
    if (ok && dataschema && *dataschema)
        ok = add(e, "ce_dataschema", dataschema, strlen(dataschema));
    ok = ok && add(e, "content-type", "application/json", 16);
    if (ok && in->key) ok = add(e, "ce_partitionkey", in->key, in->key_len);
    s = ok ? time_text(e, &n, now_us, 6) : NULL;
    ok = ok && add_text(e, "ce_processingtime", s, n);
    e->value = in->value;
    e->value_len = in->value_len;
    return ok;
}

static bool plain_structured(mw_env *e, const mw_route *r, const char *dataschema, const mw_in *in,
                             int64_t now_us)
{
    static const char ct[] = CT_STRUCTURED "; charset=utf-8";
    if (!copy_headers(e, in, false) || !add(e, "content-type", ct, sizeof ct - 1)) return false;
    body b = {e, 0, false};
    char tmp[320];
    puts_(&b, "{\"specversion\":\"1.0\"");
    size_t n = mw_ce_id(tmp, sizeof tmp, in->topic, in->partition, in->offset);
    member_str(&b, "id", tmp, n < sizeof tmp ? n : sizeof tmp - 1);
    member_str(&b, "source", r->source, strlen(r->source));
    member_str(&b, "type", r->type, strlen(r->type));
    if (in->timestamp_ms >= 0) {
        n = mw_rfc3339(tmp, sizeof tmp, in->timestamp_ms * 1000, 3);
        member_str(&b, "time", tmp, n);
    }
    puts_(&b, ",\"datacontenttype\":\"application/json\"");
    if (dataschema && *dataschema) member_str(&b, "dataschema", dataschema, strlen(dataschema));
    if (in->key && valid_utf8(in->key, in->key_len))
        member_str(&b, "partitionkey", in->key, in->key_len);
    n = mw_rfc3339(tmp, sizeof tmp, now_us, 6);
    member_str(&b, "processingtime", tmp, n);
    puts_(&b, ",\"data\":");
    put(&b, in->value, in->value_len);
    puts_(&b, "}");
    e->value = e->body;
    e->value_len = b.len;
    e->value_is_body = true;
    return !b.oom;
}

static bool existing(mw_env *e, const mw_in *in, mw_ce_kind kind, int64_t now_us)
{
    if (!copy_headers(e, in, true)) return false;
    e->value = in->value;
    e->value_len = in->value_len;
    const void *v;
    size_t vl, n;
    if (kind == MW_CE_IN_BINARY) {
        if (header(in, "ce_processingtime", &v, &vl)) return true;
        const char *s = time_text(e, &n, now_us, 6);
        return add_text(e, "ce_processingtime", s, n);
    }
    ce_fields f = {0};
    each_member(in->value, in->value_len, collect, &f);
    if (f.has_ptime) return true;
    const char *open = memchr(in->value, '{', in->value_len);
    if (!open) return false;
    size_t head = (size_t)(open - (const char *)in->value) + 1;
    scan s = {open + 1, (const char *)in->value + in->value_len};
    ws(&s);
    bool empty = s.p < s.end && *s.p == '}';
    char tmp[64];
    n = mw_rfc3339(tmp, sizeof tmp, now_us, 6);
    body b = {e, 0, false};
    put(&b, in->value, head);
    puts_(&b, "\"processingtime\":\"");
    put(&b, tmp, n);
    puts_(&b, empty ? "\"" : "\",");
    put(&b, (const char *)in->value + head, in->value_len - head);
    e->value = e->body;
    e->value_len = b.len;
    e->value_is_body = true;
    return !b.oom;
}

static void reset(mw_env *e)
{
    e->n_hdrs = 0;
    e->text_used = 0;
    e->value = NULL;
    e->value_len = 0;
    e->value_is_body = false;
}

bool mw_env_valid(mw_env *e, const mw_route *r, const char *dataschema, const mw_in *in,
                  mw_ce_kind kind, int64_t now_us, const char **why)
{
    reset(e);
    bool ok = kind != MW_CE_NONE        ? existing(e, in, kind, now_us)
              : r->mode == MW_CE_BINARY ? plain_binary(e, r, dataschema, in, now_us)
                                        : plain_structured(e, r, dataschema, in, now_us);
    if (!ok) *why = "the envelope does not fit (too many headers, or out of memory)";
    return ok;
}

bool mw_env_reject(mw_env *e, const mw_route *r, const mw_in *in, const mw_reason *rs,
                   const char *worker, int64_t now_us, const char **why)
{
    reset(e);
    e->value = in->value;
    e->value_len = in->value_len;
    size_t n;
    const char *s;
    bool ok = copy_headers(e, in, true) && add(e, "meshgate.reason", rs->code, strlen(rs->code)) &&
              add(e, "meshgate.instance_location", rs->instance, strlen(rs->instance)) &&
              add(e, "meshgate.keyword_location", rs->keyword, strlen(rs->keyword)) &&
              add(e, "meshgate.message", rs->message, strlen(rs->message)) &&
              add(e, "meshgate.schema", r->schema, strlen(r->schema)) &&
              add(e, "meshgate.schema_version", r->schema_version, strlen(r->schema_version)) &&
              add(e, "meshgate.origin.topic", in->topic, strlen(in->topic));
    s = ok ? text(e, &n, "%" PRId32, in->partition) : NULL;
    ok = ok && add_text(e, "meshgate.origin.partition", s, n);
    s = ok ? text(e, &n, "%" PRId64, in->offset) : NULL;
    ok = ok && add_text(e, "meshgate.origin.offset", s, n) &&
         add(e, "meshgate.worker", worker, strlen(worker));
    s = ok ? time_text(e, &n, now_us, 6) : NULL;
    ok = ok && add_text(e, "meshgate.rejected_at", s, n);
    if (!ok) *why = "the dead-letter headers do not fit (too many input headers)";
    return ok;
}
