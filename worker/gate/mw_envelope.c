/* mw_envelope.c - CloudEvents 1.0 envelopes per the Kafka protocol binding for valid
 * messages, and the meshgate.* headers of dead letters.
 *
 * Design: runs per message on a worker thread with that thread's mw_env scratch; nothing here
 * is shared and nothing is allocated per message. Header values point into the input message,
 * the route, the reason or env->text (formatted ids, times and numbers); binary mode produces
 * the input value pointer itself. Structured mode writes its JSON into env->body, which is
 * grown (once, to an upper bound computed before writing) only when a message outgrows it.
 * Structured inputs are read with a small iterative JSON syntax checker (grammar only, no UTF-8
 * check) that records the top-level members' raw spans; the data span it returns is then
 * parsed for real by the validator.
 */
#include "mw_envelope.h"

#include "mw_dlq_headers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mg_escape.h"

#define CT_STRUCTURED "application/cloudevents+json"
#define CT_STRUCTURED_OUT CT_STRUCTURED "; charset=utf-8"
#define CT_JSON "application/json"
#define MAX_DEPTH 1024 /* nesting the syntax checker follows inside a structured input */
#define TIME_MAX 40    /* room for one RFC 3339 time */

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

size_t mw_env_vu(rd_kafka_vu_t *vu, rd_kafka_topic_t *rkt, const mw_env *e, const void *value,
                 size_t value_len, const void *key, size_t key_len, int64_t timestamp_ms,
                 void *opaque)
{
    size_t n = 0;
    vu[n].vtype = RD_KAFKA_VTYPE_RKT;
    vu[n++].u.rkt = rkt;
    vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[n++].u.i32 = RD_KAFKA_PARTITION_UA;
    vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[n++].u.i = value && value == e->body ? RD_KAFKA_MSG_F_COPY : 0;
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[n].u.mem.ptr = (void *)value;
    vu[n++].u.mem.size = value_len;
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n].u.mem.ptr = (void *)key;
    vu[n++].u.mem.size = key_len;
    vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[n++].u.i64 = timestamp_ms >= 0 ? timestamp_ms : 0;
    vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[n++].u.ptr = opaque;
    for (size_t i = 0; i < e->n_hdrs; i++) {
        vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
        vu[n].u.header.name = e->hdrs[i].name;
        vu[n].u.header.val = e->hdrs[i].val;
        vu[n++].u.header.size = (ssize_t)e->hdrs[i].len;
    }
    return n;
}

void mw_env_free(mw_env *e)
{
    if (!e) return;
    free(e->body);
    free(e);
}

/* ---- ids and times ---- */

static size_t fitted(char *buf, size_t cap, int n)
{
    if (n >= 0 && (size_t)n < cap) return (size_t)n;
    if (cap) buf[0] = 0;
    return 0;
}

/* Decimal digits of v into p (room for 20); returns how many. printf is a tenth of the
 * worker's time when it formats ids and times per message (perf, bench/pipeline.sh). */
static size_t put_u64(char *p, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static size_t put_i64(char *p, int64_t v)
{
    if (v >= 0) return put_u64(p, (uint64_t)v);
    p[0] = '-';
    return 1 + put_u64(p + 1, (uint64_t)0 - (uint64_t)v);
}

/* Writes v as exactly `width` digits, zero-padded. */
static void put_fixed(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

size_t mw_ce_id(char *buf, size_t cap, const char *topic, int32_t partition, int64_t offset)
{
    size_t tl = strlen(topic);
    if (tl + 2 + 11 + 20 + 1 > cap) /* topic, two slashes, an int32, an int64, NUL */
        return fitted(buf, cap,
                      snprintf(buf, cap, "%s/%" PRId32 "/%" PRId64, topic, partition, offset));
    memcpy(buf, topic, tl);
    size_t n = tl;
    buf[n++] = '/';
    n += put_i64(buf + n, partition);
    buf[n++] = '/';
    n += put_i64(buf + n, offset);
    buf[n] = 0;
    return n;
}

size_t mw_rfc3339(char *buf, size_t cap, int64_t us, int digits)
{
    static const int64_t latest = 253402300799999999; /* 9999-12-31T23:59:59.999999Z */
    static const unsigned scale[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    if (us < 0) us = 0;
    if (us > latest) us = latest;
    if (digits < 0) digits = 0;
    if (digits > 6) digits = 6;
    size_t len = 20 + (digits ? (size_t)digits + 1 : 0); /* ...SS[.ffffff]Z */
    if (len + 1 > cap) return fitted(buf, cap, -1);
    int64_t sec = us / 1000000, days = sec / 86400, rem = sec % 86400;
    /* Civil date from days since 1970-01-01 (the proleptic Gregorian calendar, by eras of
     * 400 years starting in March). */
    int64_t z = days + 719468, era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned y = (unsigned)(yoe + era * 400) + (m <= 2);
    put_fixed(buf, y, 4);
    buf[4] = '-';
    put_fixed(buf + 5, m, 2);
    buf[7] = '-';
    put_fixed(buf + 8, d, 2);
    buf[10] = 'T';
    put_fixed(buf + 11, (unsigned)(rem / 3600), 2);
    buf[13] = ':';
    put_fixed(buf + 14, (unsigned)(rem / 60 % 60), 2);
    buf[16] = ':';
    put_fixed(buf + 17, (unsigned)(rem % 60), 2);
    size_t n = 19;
    if (digits) {
        buf[n++] = '.';
        put_fixed(buf + n, (unsigned)(us % 1000000) / scale[digits], digits);
        n += (size_t)digits;
    }
    buf[n++] = 'Z';
    buf[n] = 0;
    return n;
}

static int64_t ms_to_us(int64_t ms)
{
    return ms > INT64_MAX / 1000 ? INT64_MAX : ms * 1000;
}

/* ---- input headers ---- */

static bool named(const char *name, const char *want)
{
    return strcmp(name, want) == 0;
}

/* Drops a CloudEvents-looking header from a plain input (case-insensitively: a consumer that
 * folds case would misread "Content-Type" or "CE_id" as well). */
static bool attribute_like(const char *name)
{
    return strncasecmp(name, "ce_", 3) == 0 || strcasecmp(name, "content-type") == 0;
}

static bool is_structured_ct(const char *v, size_t len)
{
    size_t n = sizeof CT_STRUCTURED - 1;
    if (!v || len < n || strncasecmp(v, CT_STRUCTURED, n) != 0) return false;
    while (n < len && (v[n] == ' ' || v[n] == '\t'))
        n++;
    return n == len || v[n] == ';';
}

mw_ce_kind mw_ce_detect(const mw_in *in)
{
    if (!in->headers) return MW_CE_NONE;
    const char *name;
    const void *val;
    size_t len;
    bool structured = false;
    for (size_t i = 0; rd_kafka_header_get_all(in->headers, i, &name, &val, &len) == 0; i++) {
        if (named(name, "ce_specversion")) return MW_CE_IN_BINARY;
        if (named(name, "content-type")) structured = is_structured_ct(val, len);
    }
    return structured ? MW_CE_IN_STRUCTURED : MW_CE_NONE;
}

/* ---- JSON syntax ---- */

typedef struct scan {
    const char *p, *end;
} scan;

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool at(const scan *s, char c)
{
    return s->p < s->end && *s->p == c;
}

static bool skip_string(scan *s)
{
    if (!at(s, '"')) return false;
    for (s->p++; s->p < s->end; s->p++) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20) return false;
        if (c != '\\') continue;
        if (++s->p == s->end) return false;
        if (*s->p == 'u') {
            if (s->end - s->p < 5) return false;
            for (int i = 1; i <= 4; i++)
                if (mg_hex_value(s->p[i]) < 0) return false;
            s->p += 4;
        } else if (!strchr("\"\\/bfnrt", *s->p)) {
            return false;
        }
    }
    return false;
}

static bool digits(scan *s)
{
    const char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > start;
}

static bool skip_number(scan *s)
{
    if (at(s, '-')) s->p++;
    if (at(s, '0'))
        s->p++;
    else if (!digits(s))
        return false;
    if (at(s, '.')) {
        s->p++;
        if (!digits(s)) return false;
    }
    if (at(s, 'e') || at(s, 'E')) {
        s->p++;
        if (at(s, '+') || at(s, '-')) s->p++;
        if (!digits(s)) return false;
    }
    return true;
}

static bool skip_word(scan *s, const char *w, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0) return false;
    s->p += n;
    return true;
}

static bool skip_scalar(scan *s)
{
    switch (s->p < s->end ? *s->p : 0) {
    case '"':
        return skip_string(s);
    case 't':
        return skip_word(s, "true", 4);
    case 'f':
        return skip_word(s, "false", 5);
    case 'n':
        return skip_word(s, "null", 4);
    default:
        return skip_number(s);
    }
}

/* ws "name" ws ':' ws, the start of an object member; name/len (if not NULL) get the raw bytes
 * between the quotes. */
static bool skip_name(scan *s, const char **name, size_t *len)
{
    ws(s);
    const char *start = s->p + 1;
    if (!skip_string(s)) return false;
    if (name) {
        *name = start;
        *len = (size_t)(s->p - 1 - start);
    }
    ws(s);
    if (!at(s, ':')) return false;
    s->p++;
    ws(s);
    return true;
}

/* Skips one JSON value, checking its syntax; containers are followed with a bit stack (1 =
 * object) instead of recursion. */
static bool skip_value(scan *s)
{
    uint64_t obj[MAX_DEPTH / 64];
    size_t depth = 0;
    for (;;) {
        ws(s);
        if (at(s, '{') || at(s, '[')) {
            bool is_obj = *s->p == '{';
            if (depth == MAX_DEPTH) return false;
            if (is_obj)
                obj[depth / 64] |= 1ull << (depth % 64);
            else
                obj[depth / 64] &= ~(1ull << (depth % 64));
            depth++;
            s->p++;
            ws(s);
            if (!at(s, is_obj ? '}' : ']')) {
                if (is_obj && !skip_name(s, NULL, NULL)) return false;
                continue;
            }
            s->p++;
            depth--;
        } else if (!skip_scalar(s)) {
            return false;
        }
        for (;;) { /* after a value: next element, or close containers */
            if (depth == 0) return true;
            bool is_obj = obj[(depth - 1) / 64] >> ((depth - 1) % 64) & 1;
            ws(s);
            if (at(s, ',')) {
                s->p++;
                if (is_obj && !skip_name(s, NULL, NULL)) return false;
                break;
            }
            if (!at(s, is_obj ? '}' : ']')) return false;
            s->p++;
            depth--;
        }
    }
}

/* A top-level member of a structured input: its raw value span. */
typedef struct span {
    const char *v;
    size_t n;
    int count;
} span;

typedef struct ce_members {
    span data, data_base64, specversion, id, source, type, processingtime;
} ce_members;

static span *slot(ce_members *m, const char *name, size_t n)
{
#define MEMBER(f)                                                                                  \
    if (n == sizeof #f - 1 && memcmp(name, #f, n) == 0) return &m->f
    MEMBER(data);
    MEMBER(data_base64);
    MEMBER(specversion);
    MEMBER(id);
    MEMBER(source);
    MEMBER(type);
    MEMBER(processingtime);
#undef MEMBER
    return NULL;
}

/* Checks that v is one well-formed JSON object and records the members meshgate reads. */
static bool read_members(const char *v, size_t len, ce_members *m)
{
    memset(m, 0, sizeof *m);
    if (!v) return false;
    scan s = {v, v + len};
    ws(&s);
    if (!at(&s, '{')) return false;
    s.p++;
    ws(&s);
    if (at(&s, '}')) {
        s.p++;
    } else {
        for (;;) {
            const char *name;
            size_t name_len;
            if (!skip_name(&s, &name, &name_len)) return false;
            span *sp = slot(m, name, name_len);
            const char *val = s.p;
            if (!skip_value(&s)) return false;
            if (sp) *sp = (span){val, (size_t)(s.p - val), sp->count + 1};
            ws(&s);
            if (at(&s, ',')) {
                s.p++;
                continue;
            }
            if (!at(&s, '}')) return false;
            s.p++;
            break;
        }
    }
    ws(&s);
    return s.p == s.end;
}

static bool span_is(const span *sp, const char *lit)
{
    return sp->n == strlen(lit) && memcmp(sp->v, lit, sp->n) == 0;
}

static bool string_attr(const span *sp, const char *missing, const char *not_string,
                        const char *empty, const char **why)
{
    if (!sp->count)
        *why = missing;
    else if (sp->v[0] != '"')
        *why = not_string;
    else if (sp->n == 2)
        *why = empty;
    else
        return true;
    return false;
}

static bool structured_data(const mw_in *in, size_t *off, size_t *len, const char **why)
{
    ce_members m;
    if (!read_members(in->value, in->value_len, &m)) {
        *why = "structured CloudEvent is not a well-formed JSON object";
        return false;
    }
    const span *all[] = {&m.data, &m.data_base64, &m.specversion, &m.id, &m.source, &m.type};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i]->count > 1) {
            *why = "structured CloudEvent has a duplicate attribute or data member";
            return false;
        }
    if (!m.specversion.count) {
        *why = "specversion member missing";
        return false;
    }
    if (!span_is(&m.specversion, "\"1.0\"")) {
        *why = span_is(&m.specversion, "\"0.3\"")
                   ? "specversion is \"0.3\"; meshgate accepts 1.0"
                   : "specversion is not \"1.0\"; meshgate accepts 1.0";
        return false;
    }
    if (!string_attr(&m.id, "id member missing", "id is not a string", "id is empty", why) ||
        !string_attr(&m.source, "source member missing", "source is not a string",
                     "source is empty", why) ||
        !string_attr(&m.type, "type member missing", "type is not a string", "type is empty", why))
        return false;
    if (m.data_base64.count) {
        *why = "data_base64 is not JSON; meshgate validates JSON data";
        return false;
    }
    if (!m.data.count) {
        *why = "no data member";
        return false;
    }
    *off = (size_t)(m.data.v - (const char *)in->value);
    *len = m.data.n;
    return true;
}

bool mw_ce_member(const void *v, size_t len, const char *name, const char **out, size_t *out_len)
{
    ce_members m;
    if (!read_members(v, len, &m)) return false;
    size_t n = strlen(name);
    const span *sp = slot(&m, name, n);
    if (!sp || sp->count != 1) return false;
    *out = sp->v;
    *out_len = sp->n;
    return true;
}

bool mw_json_array_each(const char *v, size_t len, void (*fn)(void *arg, const char *e, size_t n),
                        void *arg, const char **why)
{
    scan s = {v, v + len};
    ws(&s);
    *why = "not a JSON array";
    if (!at(&s, '[')) return false;
    s.p++;
    ws(&s);
    if (at(&s, ']')) {
        s.p++;
    } else {
        for (;;) {
            ws(&s);
            const char *e = s.p;
            *why = "an element of the array is not well-formed JSON";
            if (!skip_value(&s)) return false;
            fn(arg, e, (size_t)(s.p - e));
            ws(&s);
            if (at(&s, ',')) {
                s.p++;
                continue;
            }
            *why = "the array is not well-formed JSON (a , or ] expected)";
            if (!at(&s, ']')) return false;
            s.p++;
            break;
        }
    }
    ws(&s);
    *why = "text after the array";
    return s.p == s.end;
}

/* The last value of each required binary-mode attribute header. */
static bool binary_attrs(const mw_in *in, const char **why)
{
    static const char *const names[] = {"ce_specversion", "ce_id", "ce_source", "ce_type"};
    static const char *const missing[] = {"ce_specversion header missing", "ce_id header missing",
                                          "ce_source header missing", "ce_type header missing"};
    static const char *const empty[] = {"ce_specversion is empty; meshgate accepts 1.0",
                                        "ce_id header is empty", "ce_source header is empty",
                                        "ce_type header is empty"};
    const void *v[4] = {0};
    size_t n[4] = {0};
    bool seen[4] = {0};
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; in->headers && rd_kafka_header_get_all(in->headers, i, &name, &val, &len) ==
                                          RD_KAFKA_RESP_ERR_NO_ERROR;
         i++)
        for (size_t k = 0; k < 4; k++)
            if (named(name, names[k])) {
                v[k] = val, n[k] = len, seen[k] = true;
                break;
            }
    for (size_t k = 0; k < 4; k++) {
        if (!seen[k] || n[k] == 0) {
            *why = !seen[k] ? missing[k] : empty[k];
            return false;
        }
        if (k == 0 && (n[0] != 3 || memcmp(v[0], "1.0", 3) != 0)) {
            *why = n[0] == 3 && memcmp(v[0], "0.3", 3) == 0
                       ? "ce_specversion is \"0.3\"; meshgate accepts 1.0"
                       : "ce_specversion is not \"1.0\"; meshgate accepts 1.0";
            return false;
        }
    }
    return true;
}

bool mw_ce_data(const mw_in *in, mw_ce_kind kind, size_t *off, size_t *len, const char **why)
{
    if (kind == MW_CE_IN_STRUCTURED) return structured_data(in, off, len, why);
    *off = 0;
    *len = in->value_len;
    return kind != MW_CE_IN_BINARY || binary_attrs(in, why);
}

/* ---- building ---- */

#define STR_(x) #x
#define STR(x) STR_(x)

typedef struct build {
    mw_env *e;
    const char *err; /* the first problem; later steps then do nothing */
} build;

static build start(mw_env *e)
{
    e->n_hdrs = 0;
    e->text_used = 0;
    e->value = NULL;
    e->value_len = 0;
    e->value_is_body = false;
    return (build){e, NULL};
}

static void add(build *b, const char *name, const void *val, size_t len)
{
    if (b->err) return;
    if (b->e->n_hdrs == MW_ENV_MAX_HDRS) {
        b->err = "more than " STR(MW_ENV_MAX_HDRS) " headers (too many input headers)";
        return;
    }
    b->e->hdrs[b->e->n_hdrs++] = (mw_hdr){name, val, len};
}

static void add_str(build *b, const char *name, const char *s)
{
    s = s ? s : "";
    add(b, name, s, strlen(s));
}

/* Free room in e->text, for a formatter to write into before add_text. */
static char *text_room(const build *b, size_t *room)
{
    *room = sizeof b->e->text - b->e->text_used;
    return b->e->text + b->e->text_used;
}

/* Adds the n bytes just formatted at text_room() as a header (n 0: they did not fit). */
static void add_text(build *b, const char *name, size_t n)
{
    if (b->err) return;
    if (n == 0) {
        b->err = "header values do not fit in the envelope's text buffer";
        return;
    }
    char *val = b->e->text + b->e->text_used;
    b->e->text_used += n + 1;
    add(b, name, val, n);
}

static void add_time(build *b, const char *name, int64_t us, int digits)
{
    size_t room;
    char *t = text_room(b, &room);
    add_text(b, name, mw_rfc3339(t, room, us, digits));
}

static void add_int(build *b, const char *name, int64_t v)
{
    size_t room;
    char *t = text_room(b, &room);
    size_t n = 0; /* 0: does not fit */
    if (room > 21) {
        n = put_i64(t, v);
        t[n] = 0;
    }
    add_text(b, name, n);
}

/* A dead letter's copy of an input header in meshgate's families: a well-formed replay count
 * (the first) is taken into *count for the caller to write with its own headers; anything else
 * is renamed untrusted.NAME (dropped if the text buffer has no room for the new name). */
static void add_untrusted(build *b, const char *name, const void *val, size_t len, long *count)
{
    long c = named(name, mw_dlh_name(MW_DLH_REPLAY_COUNT)) && *count < 0
                 ? mw_dlh_replay_count(val, val ? len : 0)
                 : -1;
    if (c >= 0) {
        *count = c;
        return;
    }
    size_t room, n = strlen(name);
    char *t = text_room(b, &room);
    if (room < sizeof MW_DLH_UNTRUSTED + n) return;
    memcpy(t, MW_DLH_UNTRUSTED, sizeof MW_DLH_UNTRUSTED - 1);
    memcpy(t + sizeof MW_DLH_UNTRUSTED - 1, name, n + 1);
    b->e->text_used += sizeof MW_DLH_UNTRUSTED + n;
    add(b, t, val, len);
}

/* Input headers in order: all of them, or for a plain input all but the attribute-like ones;
 * for a dead letter (count not NULL) those in meshgate's families through add_untrusted.
 * Returns whether one is named `look` (NULL: none). */
static bool copy_headers(build *b, const mw_in *in, bool plain, const char *look, long *count)
{
    bool found = false;
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; in->headers && rd_kafka_header_get_all(in->headers, i, &name, &val, &len) ==
                                          RD_KAFKA_RESP_ERR_NO_ERROR;
         i++) {
        if (plain && attribute_like(name)) continue;
        if (look && named(name, look)) found = true;
        if (count && mw_dlh_reserved(name))
            add_untrusted(b, name, val, len, count);
        else
            add(b, name, val, len);
    }
    return found;
}

/* Makes room for need bytes in e->body (the only allocation, and only when outgrown). */
static char *body_room(build *b, size_t need)
{
    mw_env *e = b->e;
    if (b->err) return NULL;
    if (need > e->body_cap) {
        size_t cap = e->body_cap * 2 > need ? e->body_cap * 2 : need;
        char *nb = realloc(e->body, cap);
        if (!nb) {
            b->err = "out of memory growing the envelope body";
            return NULL;
        }
        e->body = nb;
        e->body_cap = cap;
    }
    return e->body;
}

static void use_body(mw_env *e, const char *end)
{
    e->value = e->body;
    e->value_len = (size_t)(end - e->body);
    e->value_is_body = true;
}

static char *put(char *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT_LIT(p, lit) put(p, lit, sizeof lit - 1)

/* Most bytes json_string writes for n input bytes. */
static size_t json_string_max(size_t n)
{
    return MG_JSON_ESCAPE_MAX(n) + 2;
}

/* s[0..n) as a JSON string, escaped by mg_json_escape (the one JSON escaping). */
static char *json_string(char *p, const char *s, size_t n)
{
    *p++ = '"';
    p += mg_json_escape(p, s, n);
    *p++ = '"';
    return p;
}

/* ---- the envelopes ---- */

static void plain_binary(build *b, const mw_route *r, const char *dataschema, const char *type,
                         const mw_in *in, int64_t now_us)
{
    size_t room;
    char *t;
    copy_headers(b, in, true, NULL, NULL);
    add(b, "ce_specversion", "1.0", 3);
    t = text_room(b, &room);
    if (in->ce_id)
        add_str(b, "ce_id", in->ce_id);
    else
        add_text(b, "ce_id", mw_ce_id(t, room, in->topic, in->partition, in->offset));
    add_str(b, "ce_source", r->source);
    add_str(b, "ce_type", type);
    if (!r->required_only) {
        if (in->timestamp_ms >= 0) add_time(b, "ce_time", ms_to_us(in->timestamp_ms), 3);
        if (in->value && dataschema && *dataschema) add_str(b, "ce_dataschema", dataschema);
        if (in->value) add(b, "content-type", CT_JSON, sizeof CT_JSON - 1); /* no data: none */
        if (in->key) add(b, "ce_partitionkey", in->key, in->key_len);
        add_time(b, "ce_processingtime", now_us, 6);
    }
    b->e->value = in->value;
    b->e->value_len = in->value_len;
}

static char *member(char *p, const char *lit_name_colon, size_t name_len, const char *v, size_t n)
{
    p = put(p, lit_name_colon, name_len);
    return json_string(p, v, n);
}

#define MEMBER_STR(p, lit, v, n) member(p, lit, sizeof lit - 1, v, n)

static void plain_structured(build *b, const mw_route *r, const char *dataschema,
                             const char *type_in, const mw_in *in, int64_t now_us)
{
    copy_headers(b, in, true, NULL, NULL);
    add(b, "content-type", CT_STRUCTURED_OUT, sizeof CT_STRUCTURED_OUT - 1);
    if (b->err) return;

    size_t room; /* the id goes to e->text only as scratch: it is no header here */
    char *id = text_room(b, &room);
    size_t id_len =
        in->ce_id ? strlen(in->ce_id) : mw_ce_id(id, room, in->topic, in->partition, in->offset);
    if (in->ce_id) id = (char *)in->ce_id;
    if (id_len == 0) {
        b->err = "the CloudEvent id does not fit in the envelope's text buffer";
        return;
    }
    const char *source = r->source ? r->source : "", *type = type_in ? type_in : "";
    size_t source_len = strlen(source), type_len = strlen(type);
    size_t schema_len = dataschema ? strlen(dataschema) : 0;
    bool all = !r->required_only;
    if (!all) schema_len = 0;
    bool key = all && in->key && mg_utf8_valid(in->key, in->key_len);
    size_t key_len = key ? in->key_len : 0;
    char time[TIME_MAX], ptime[TIME_MAX];
    size_t time_len = all && in->timestamp_ms >= 0
                          ? mw_rfc3339(time, sizeof time, ms_to_us(in->timestamp_ms), 3)
                          : 0;
    size_t ptime_len = all ? mw_rfc3339(ptime, sizeof ptime, now_us, 6) : 0;

    size_t need = 256 + json_string_max(id_len) + json_string_max(source_len) +
                  json_string_max(type_len) + json_string_max(schema_len) +
                  json_string_max(key_len) + 2 * TIME_MAX + in->value_len;
    char *p = body_room(b, need);
    if (!p) return;
    p = PUT_LIT(p, "{\"specversion\":\"1.0\"");
    p = MEMBER_STR(p, ",\"id\":", id, id_len);
    p = MEMBER_STR(p, ",\"source\":", source, source_len);
    p = MEMBER_STR(p, ",\"type\":", type, type_len);
    if (time_len) p = MEMBER_STR(p, ",\"time\":", time, time_len);
    p = PUT_LIT(p, ",\"datacontenttype\":\"" CT_JSON "\"");
    if (schema_len) p = MEMBER_STR(p, ",\"dataschema\":", dataschema, schema_len);
    if (key) p = MEMBER_STR(p, ",\"partitionkey\":", in->key, key_len);
    if (ptime_len) p = MEMBER_STR(p, ",\"processingtime\":", ptime, ptime_len);
    p = PUT_LIT(p, ",\"data\":");
    if (in->value_len) p = put(p, in->value, in->value_len);
    *p++ = '}';
    use_body(b->e, p);
}

/* An input that is already a CloudEvent: its mode and attributes, plus processingtime. */
static void existing(build *b, const mw_in *in, mw_ce_kind kind, int64_t now_us)
{
    bool has_ptime = copy_headers(b, in, false, "ce_processingtime", NULL);
    b->e->value = in->value;
    b->e->value_len = in->value_len;
    if (kind == MW_CE_IN_BINARY) {
        if (!has_ptime) add_time(b, "ce_processingtime", now_us, 6);
        return;
    }
    ce_members m;
    if (!read_members(in->value, in->value_len, &m)) {
        if (!b->err) b->err = "structured CloudEvent is not a well-formed JSON object";
        return;
    }
    if (m.processingtime.count || b->err) return;
    const char *v = in->value;
    scan s = {v, v + in->value_len};
    ws(&s);
    s.p++; /* the '{' read_members found */
    size_t head = (size_t)(s.p - v);
    ws(&s);
    bool empty = at(&s, '}');
    char ptime[TIME_MAX];
    size_t ptime_len = mw_rfc3339(ptime, sizeof ptime, now_us, 6);
    char *p = body_room(b, in->value_len + ptime_len + 32);
    if (!p) return;
    p = put(p, v, head);
    p = MEMBER_STR(p, "\"processingtime\":", ptime, ptime_len);
    if (!empty) *p++ = ',';
    p = put(p, v + head, in->value_len - head);
    use_body(b->e, p);
}

/* true if s is an absolute URI (RFC 3986: a scheme, then ':'). A schema without $id is known
 * by its path relative to where it was compiled, which is no URI: CloudEvents' dataschema
 * must be one, so such a schema gets no dataschema. */
static bool absolute_uri(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return false;
    for (s++; *s; s++) {
        if (*s == ':') return true;
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '+' || *s == '-' || *s == '.'))
            return false;
    }
    return false;
}

bool mw_env_valid(mw_env *e, const mw_route *r, const char *dataschema, const char *type,
                  const mw_in *in, mw_ce_kind kind, int64_t now_us, const char **why)
{
    build b = start(e);
    if (!absolute_uri(dataschema)) dataschema = NULL;
    if (kind != MW_CE_NONE)
        existing(&b, in, kind, now_us);
    else if (r->mode == MW_CE_BINARY || !in->value) /* a tombstone stays one: binary mode */
        plain_binary(&b, r, dataschema, type, in, now_us);
    else if (r->mode == MW_CE_STRUCTURED)
        plain_structured(&b, r, dataschema, type, in, now_us);
    else
        b.err = "passthrough routes have no envelope";
    if (b.err) *why = b.err;
    return !b.err;
}

/* Text "<a><b>" in e->text as header name's value. */
static void add_concat(build *b, const char *name, const char *a, const char *s)
{
    size_t room, la = strlen(a), ls = strlen(s);
    char *t = text_room(b, &room);
    size_t n = la + ls + 1 <= room ? la + ls : 0;
    if (n) {
        memcpy(t, a, la);
        memcpy(t + la, s, ls);
        t[n] = 0;
    }
    add_text(b, name, n);
}

/* The origin and the reason again, under the names Kafka Connect's and Kafka Streams'
 * dead-letter queues use (mw_dlq_headers.h; README "Dead letters for other tools"). The
 * values share the meshgate.* headers' text where they are the same bytes. */
static void add_interop(build *b, const mw_route *r, const mw_reason *rs, size_t first)
{
    const mw_hdr *h = b->e->hdrs + first; /* the meshgate.* headers just written, in order */
    if (b->err) return;
    if (r->dl_headers & MW_DLF_CONNECT) {
        add(b, MW_CONNECT_TOPIC, h[MW_DLH_ORIGIN_TOPIC].val, h[MW_DLH_ORIGIN_TOPIC].len);
        add(b, MW_CONNECT_PARTITION, h[MW_DLH_ORIGIN_PARTITION].val,
            h[MW_DLH_ORIGIN_PARTITION].len);
        add(b, MW_CONNECT_OFFSET, h[MW_DLH_ORIGIN_OFFSET].val, h[MW_DLH_ORIGIN_OFFSET].len);
        add_str(b, MW_CONNECT_CONNECTOR, MW_INTEROP_CONNECTOR);
        add_str(b, MW_CONNECT_TASK, "0");
        add_str(b, MW_CONNECT_STAGE, MW_INTEROP_STAGE);
        add_str(b, MW_CONNECT_CLASS, MW_INTEROP_CLASS);
        add_concat(b, MW_CONNECT_EXCEPTION, MW_INTEROP_EXCEPTION, rs->code);
        add_str(b, MW_CONNECT_MESSAGE, rs->message);
    }
    if (r->dl_headers & MW_DLF_STREAMS) {
        add_concat(b, MW_STREAMS_EXCEPTION, MW_INTEROP_EXCEPTION, rs->code);
        add_str(b, MW_STREAMS_STACKTRACE, rs->keyword);
        add_str(b, MW_STREAMS_MESSAGE, rs->message);
        add(b, MW_STREAMS_TOPIC, h[MW_DLH_ORIGIN_TOPIC].val, h[MW_DLH_ORIGIN_TOPIC].len);
        add(b, MW_STREAMS_PARTITION, h[MW_DLH_ORIGIN_PARTITION].val,
            h[MW_DLH_ORIGIN_PARTITION].len);
        add(b, MW_STREAMS_OFFSET, h[MW_DLH_ORIGIN_OFFSET].val, h[MW_DLH_ORIGIN_OFFSET].len);
    }
}

bool mw_env_reject(mw_env *e, const mw_route *r, const mw_in *in, const mw_reason *why_rej,
                   const char *worker, int64_t now_us, const char **why)
{
    build b = start(e);
    e->value = in->value;
    e->value_len = in->value_len;
    long count = -1;
    copy_headers(&b, in, false, NULL, &count);
    size_t first = e->n_hdrs;
    add_str(&b, mw_dlh_name(MW_DLH_REASON), why_rej->code);
    add_str(&b, mw_dlh_name(MW_DLH_INSTANCE), why_rej->instance);
    add_str(&b, mw_dlh_name(MW_DLH_KEYWORD), why_rej->keyword);
    add_str(&b, mw_dlh_name(MW_DLH_MESSAGE), why_rej->message);
    add_str(&b, mw_dlh_name(MW_DLH_SCHEMA), r->schema);
    add_str(&b, mw_dlh_name(MW_DLH_SCHEMA_VERSION), r->schema_version);
    add_str(&b, mw_dlh_name(MW_DLH_ORIGIN_TOPIC), in->topic);
    add_int(&b, mw_dlh_name(MW_DLH_ORIGIN_PARTITION), in->partition);
    add_int(&b, mw_dlh_name(MW_DLH_ORIGIN_OFFSET), in->offset);
    add_str(&b, mw_dlh_name(MW_DLH_WORKER), worker);
    add_time(&b, mw_dlh_name(MW_DLH_REJECTED_AT), now_us, 6);
    add_interop(&b, r, why_rej, first);
    if (count >= 0) add_int(&b, mw_dlh_name(MW_DLH_REPLAY_COUNT), count);
    if (why_rej->errors) add_str(&b, mw_dlh_name(MW_DLH_ERRORS), why_rej->errors);
    if (b.err) *why = b.err;
    return !b.err;
}

bool mw_env_drop_value(mw_env *e, size_t value_len, const char **why)
{
    build b = {e, NULL};
    e->value = NULL;
    e->value_len = 0;
    add_int(&b, mw_dlh_name(MW_DLH_VALUE_DROPPED), (int64_t)value_len);
    if (b.err) *why = b.err;
    return !b.err;
}
