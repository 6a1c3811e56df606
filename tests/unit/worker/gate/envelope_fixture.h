/* envelope_fixture.h - what the unit tests of mw_envelope.c share (test_envelope.c,
 * test_envelope_detect.c): a route, an input message, header lists built and compared exactly,
 * fixed times. Include after <cmocka.h>. */
#ifndef ENVELOPE_FIXTURE_H
#define ENVELOPE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_envelope.h"

#define TS_MS 1795427998250ll     /* 2026-11-23T09:59:58.250Z */
#define NOW_US 1795428000123456ll /* 2026-11-23T10:00:00.123456Z */
#define TIME "2026-11-23T09:59:58.250Z"
#define PTIME "2026-11-23T10:00:00.123456Z"
#define VALUE "{\"id\":1,\"total\":9.5}"
#define SCHEMA_ID "https://example.com/order.json"

typedef struct kv {
    const char *name;
    const char *val;
    size_t len; /* 0: strlen(val) */
} kv;

static inline mw_route route(mw_ce_mode mode)
{
    return (mw_route){.input = "raw.orders",
                      .schema = "order",
                      .schema_version = "3",
                      .output = "orders",
                      .dead_letter = "orders.dlq",
                      .source = "/meshgate/orders",
                      .type = "order.v3",
                      .mode = mode};
}

static inline mw_in input(const rd_kafka_headers_t *h)
{
    return (mw_in){.topic = "raw.orders",
                   .partition = 7,
                   .offset = 12345,
                   .timestamp_ms = TS_MS,
                   .key = "k-1",
                   .key_len = 3,
                   .value = VALUE,
                   .value_len = strlen(VALUE),
                   .headers = h};
}

static inline rd_kafka_headers_t *headers(const kv *h, size_t n)
{
    rd_kafka_headers_t *hs = rd_kafka_headers_new(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        rd_kafka_header_add(hs, h[i].name, -1, h[i].val,
                            h[i].val ? (ssize_t)(h[i].len ? h[i].len : strlen(h[i].val)) : 0);
    return hs;
}

#define HEADERS(...)                                                                               \
    headers((const kv[]){__VA_ARGS__}, sizeof((const kv[]){__VA_ARGS__}) / sizeof(kv))

static inline void assert_hdrs(const mw_env *e, const kv *want, size_t n)
{
    for (size_t i = 0; i < n && i < e->n_hdrs; i++) {
        size_t len = want[i].len ? want[i].len : strlen(want[i].val);
        if (strcmp(e->hdrs[i].name, want[i].name) != 0 || e->hdrs[i].len != len ||
            (len && memcmp(e->hdrs[i].val, want[i].val, len) != 0))
            fail_msg("header %zu: got %s=\"%.*s\", want %s=\"%.*s\"", i, e->hdrs[i].name,
                     (int)e->hdrs[i].len, (const char *)e->hdrs[i].val, want[i].name, (int)len,
                     want[i].val);
    }
    assert_int_equal(e->n_hdrs, n);
}

#define ASSERT_HDRS(e, ...)                                                                        \
    assert_hdrs(e, (const kv[]){__VA_ARGS__}, sizeof((const kv[]){__VA_ARGS__}) / sizeof(kv))

static inline void assert_value(const mw_env *e, const char *want)
{
    assert_true(e->value != NULL);
    if (e->value_len != strlen(want) || memcmp(e->value, want, e->value_len) != 0)
        fail_msg("value:\n got %.*s\nwant %s", (int)e->value_len, (const char *)e->value, want);
}

/* The required attributes of a structured CloudEvent, as JSON members. */
#define ATTRS "\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"/s\",\"type\":\"t\""
/* The reason of a structured CloudEvent that is not JSON. */
#define MALFORMED "structured CloudEvent is not a well-formed JSON object"

#endif
