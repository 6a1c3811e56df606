/* test_envelope.c - unit tests for worker/gate/mw_envelope.c: binary and structured envelopes
 * (exact headers and bodies), existing CloudEvents, dead-letter headers, escaping, time
 * formatting, overflow and body growth (detection and data spans: test_envelope_detect.c).
 *
 * Design: every expectation is an exact header list (name, bytes, order) or an exact body;
 * times come from fixed timestamps, so nothing depends on the clock (envelope_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope_fixture.h"

/* ---- ids and times ---- */

static void test_ce_id(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(mw_ce_id(buf, sizeof buf, "raw.orders", 7, 12345), 18);
    assert_string_equal(buf, "raw.orders/7/12345");
    assert_int_equal(mw_ce_id(buf, sizeof buf, "t", 0, INT64_MAX), 23);
    assert_string_equal(buf, "t/0/9223372036854775807");
    assert_int_equal(mw_ce_id(buf, 18, "raw.orders", 7, 12345), 0); /* no room for the NUL */
    assert_string_equal(buf, "");
    assert_int_equal(mw_ce_id(buf, 19, "raw.orders", 7, 12345), 18);
}

static void test_rfc3339(void **state)
{
    (void)state;
    static const struct {
        int64_t us;
        int digits;
        const char *want;
    } cases[] = {
        {0, 3, "1970-01-01T00:00:00.000Z"},
        {0, 6, "1970-01-01T00:00:00.000000Z"},
        {-5, 6, "1970-01-01T00:00:00.000000Z"},
        {NOW_US, 3, "2026-11-23T10:00:00.123Z"},
        {NOW_US, 6, PTIME},
        {1709251199999999, 3, "2024-02-29T23:59:59.999Z"}, /* truncated, not rounded */
        {1709251199999999, 6, "2024-02-29T23:59:59.999999Z"},
        {1709251199999999 + 1, 6, "2024-03-01T00:00:00.000000Z"},
        {951825600000000, 3, "2000-02-29T12:00:00.000Z"},
        {4107542399000000 + 1000000, 3, "2100-03-01T00:00:00.000Z"}, /* 2100 is no leap year */
        {1000, 3, "1970-01-01T00:00:00.001Z"},
        {1, 6, "1970-01-01T00:00:00.000001Z"},
        {1, 3, "1970-01-01T00:00:00.000Z"},
        {INT64_MAX, 6, "9999-12-31T23:59:59.999999Z"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = mw_rfc3339(buf, sizeof buf, cases[i].us, cases[i].digits);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
    assert_int_equal(mw_rfc3339(buf, 24, 0, 3), 0); /* 24 characters need 25 bytes */
    assert_string_equal(buf, "");
    assert_int_equal(mw_rfc3339(buf, 25, 0, 3), 24);
}

/* ---- plain input, binary mode ---- */

static void test_plain_binary(void **state)
{
    (void)state;
    rd_kafka_headers_t *h =
        HEADERS({"trace", "abc", 0}, {"content-type", "text/plain", 0}, {"ce_id", "spoofed", 0},
                {"Content-Type", "text/x", 0}, {"CE_type", "spoofed", 0}, {"tenant", "", 0},
                {"nullval", NULL, 0}, {"trace", "def", 0});
    mw_in in = input(h);
    mw_route r = route(MW_CE_BINARY);
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_NONE, NOW_US, &why));
    ASSERT_HDRS(e, {"trace", "abc", 0}, {"tenant", "", 0}, {"nullval", "", 0}, {"trace", "def", 0},
                {"ce_specversion", "1.0", 0}, {"ce_id", "raw.orders/7/12345", 0},
                {"ce_source", "/meshgate/orders", 0}, {"ce_type", "order.v3", 0},
                {"ce_time", TIME, 0}, {"ce_dataschema", SCHEMA_ID, 0},
                {"content-type", "application/json", 0}, {"ce_partitionkey", "k-1", 0},
                {"ce_processingtime", PTIME, 0});
    assert_ptr_equal(e->value, in.value); /* no copy */
    assert_int_equal(e->value_len, in.value_len);
    assert_false(e->value_is_body);
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

static void test_plain_binary_omissions(void **state)
{
    (void)state;
    mw_route r = route(MW_CE_BINARY);
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_in in = input(NULL);
    in.timestamp_ms = -1;
    in.key = NULL;
    in.key_len = 0;
    assert_true(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
    ASSERT_HDRS(e, {"ce_specversion", "1.0", 0}, {"ce_id", "raw.orders/7/12345", 0},
                {"ce_source", "/meshgate/orders", 0}, {"ce_type", "order.v3", 0},
                {"content-type", "application/json", 0}, {"ce_processingtime", PTIME, 0});

    /* an empty dataschema is omitted, and so is one that is no absolute URI (a schema without
     * $id, known by its relative path); an empty key is still a key; timestamp 0 is a time */
    in.timestamp_ms = 0;
    in.key = "";
    assert_true(mw_env_valid(e, &r, "", r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_true(mw_env_valid(e, &r, "schemas/order.json", r.type, &in, MW_CE_NONE, NOW_US, &why));
    ASSERT_HDRS(e, {"ce_specversion", "1.0", 0}, {"ce_id", "raw.orders/7/12345", 0},
                {"ce_source", "/meshgate/orders", 0}, {"ce_type", "order.v3", 0},
                {"ce_time", "1970-01-01T00:00:00.000Z", 0}, {"content-type", "application/json", 0},
                {"ce_partitionkey", "", 0}, {"ce_processingtime", PTIME, 0});

    /* binary key bytes go to the header as they are */
    static const char raw_key[] = {'\xff', '\0', '"', '\x01'};
    in.key = raw_key;
    in.key_len = sizeof raw_key;
    assert_true(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_string_equal(e->hdrs[6].name, "ce_partitionkey");
    assert_ptr_equal(e->hdrs[6].val, raw_key);
    assert_int_equal(e->hdrs[6].len, sizeof raw_key);
    mw_env_free(e);
}

/* attributes: required - the four required CloudEvents attributes and nothing optional */
static void test_required_attributes_only(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = HEADERS({"trace", "abc", 0});
    mw_in in = input(h);
    mw_route r = route(MW_CE_BINARY);
    r.required_only = true;
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_NONE, NOW_US, &why));
    ASSERT_HDRS(e, {"trace", "abc", 0}, {"ce_specversion", "1.0", 0},
                {"ce_id", "raw.orders/7/12345", 0}, {"ce_source", "/meshgate/orders", 0},
                {"ce_type", "order.v3", 0});
    assert_ptr_equal(e->value, in.value);
    r.mode = MW_CE_STRUCTURED;
    assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_value(e, "{\"specversion\":\"1.0\",\"id\":\"raw.orders/7/12345\","
                    "\"source\":\"/meshgate/orders\",\"type\":\"order.v3\","
                    "\"datacontenttype\":\"application/json\",\"data\":" VALUE "}");
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

/* ---- plain input, structured mode ---- */

static void test_plain_structured(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = HEADERS({"content-type", "application/json", 0}, {"trace", "abc", 0},
                                    {"ce_source", "spoofed", 0}, {"x", "1", 0});
    mw_in in = input(h);
    mw_route r = route(MW_CE_STRUCTURED);
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_NONE, NOW_US, &why));
    ASSERT_HDRS(e, {"trace", "abc", 0}, {"x", "1", 0},
                {"content-type", "application/cloudevents+json; charset=utf-8", 0});
    assert_true(e->value_is_body);
    assert_ptr_equal(e->value, e->body);
    assert_value(e,
                 "{\"specversion\":\"1.0\",\"id\":\"raw.orders/7/12345\","
                 "\"source\":\"/meshgate/orders\",\"type\":\"order.v3\",\"time\":\"" TIME "\","
                 "\"datacontenttype\":\"application/json\",\"dataschema\":\"" SCHEMA_ID "\","
                 "\"partitionkey\":\"k-1\",\"processingtime\":\"" PTIME "\",\"data\":" VALUE "}");

    /* the body is rebuilt from scratch on each call; omissions */
    mw_in bare = input(NULL);
    bare.timestamp_ms = -1;
    bare.key = NULL;
    bare.key_len = 0;
    bare.value = " [1, 2] ";
    bare.value_len = 8;
    assert_true(mw_env_valid(e, &r, NULL, r.type, &bare, MW_CE_NONE, NOW_US, &why));
    ASSERT_HDRS(e, {"content-type", "application/cloudevents+json; charset=utf-8", 0});
    assert_value(e, "{\"specversion\":\"1.0\",\"id\":\"raw.orders/7/12345\","
                    "\"source\":\"/meshgate/orders\",\"type\":\"order.v3\","
                    "\"datacontenttype\":\"application/json\","
                    "\"processingtime\":\"" PTIME "\",\"data\": [1, 2] }");
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

static void test_structured_escaping(void **state)
{
    (void)state;
    mw_route r = route(MW_CE_STRUCTURED);
    r.source = "/a\"b\\c\nd\x01\x1f/é";
    r.type = "t\t";
    mw_env *e = mw_env_new(16);
    const char *why = NULL;
    mw_in in = input(NULL);
    in.timestamp_ms = -1;
    in.topic = "q\"t";
    in.key = "k\"\\\x7f\r";
    in.key_len = 5;
    in.value = "1";
    in.value_len = 1;
    assert_true(mw_env_valid(e, &r, "u:s\"", r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_value(e, "{\"specversion\":\"1.0\",\"id\":\"q\\\"t/7/12345\","
                    "\"source\":\"/a\\\"b\\\\c\\nd\\u0001\\u001f/é\",\"type\":\"t\\t\","
                    "\"datacontenttype\":\"application/json\",\"dataschema\":\"u:s\\\"\","
                    "\"partitionkey\":\"k\\\"\\\\\x7f\\r\",\"processingtime\":\"" PTIME "\","
                    "\"data\":1}");

    /* valid multi-byte UTF-8 keys are kept; anything else is omitted */
    static const char *const good[] = {"ключ€😀", "\xc2\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"};
    static const char *const bad[] = {
        "\xff",         "a\xc3",        "\xc0\x80",         "\xe2\x82",
        "\xed\xa0\x80", "\xe0\x80\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
        "\x80"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        in.key = good[i];
        in.key_len = strlen(good[i]);
        assert_true(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
        char want[64];
        snprintf(want, sizeof want, ",\"partitionkey\":\"%s\",", good[i]);
        if (!memmem(e->value, e->value_len, want, strlen(want)))
            fail_msg("good key %zu missing: %.*s", i, (int)e->value_len, (const char *)e->value);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        in.key = bad[i];
        in.key_len = strlen(bad[i]);
        assert_true(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
        if (memmem(e->value, e->value_len, "partitionkey", 12))
            fail_msg("bad key %zu kept: %.*s", i, (int)e->value_len, (const char *)e->value);
    }
    mw_env_free(e);
}

static void test_body_growth(void **state)
{
    (void)state;
    size_t n = 100000;
    char *big = malloc(n);
    memset(big, 'x', n);
    big[0] = '"';
    big[n - 1] = '"';
    mw_route r = route(MW_CE_STRUCTURED);
    mw_env *e = mw_env_new(32);
    const char *why = NULL;
    mw_in in = input(NULL);
    in.value = big;
    in.value_len = n;
    assert_true(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_true(e->body_cap >= e->value_len);
    assert_true(e->value_len > n);
    const char *v = e->value;
    assert_memory_equal(v + e->value_len - n - 9, ",\"data\":\"x", 10);
    assert_int_equal(v[e->value_len - 2], '"');
    assert_int_equal(v[e->value_len - 1], '}');
    assert_memory_equal(v, "{\"specversion\":\"1.0\"", 20);

    /* grown once: a smaller message reuses the buffer */
    char *body = e->body;
    size_t cap = e->body_cap;
    in.value = VALUE;
    in.value_len = strlen(VALUE);
    assert_true(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_ptr_equal(e->body, body);
    assert_int_equal(e->body_cap, cap);
    assert_ptr_equal(e->value, body);
    mw_env_free(e);
    free(big);
}

/* ---- inputs that already are CloudEvents ---- */

static void test_existing_binary(void **state)
{
    (void)state;
    rd_kafka_headers_t *h =
        HEADERS({"ce_specversion", "1.0", 0}, {"ce_id", "e-1", 0}, {"ce_source", "/up", 0},
                {"ce_type", "up.t", 0}, {"content-type", "application/json", 0},
                {"Content-Type", "x", 0}, {"trace", "abc", 0});
    mw_in in = input(h);
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    for (int mode = MW_CE_BINARY; mode <= MW_CE_STRUCTURED; mode++) {
        mw_route r = route((mw_ce_mode)mode);
        assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_IN_BINARY, NOW_US, &why));
        ASSERT_HDRS(e, {"ce_specversion", "1.0", 0}, {"ce_id", "e-1", 0}, {"ce_source", "/up", 0},
                    {"ce_type", "up.t", 0}, {"content-type", "application/json", 0},
                    {"Content-Type", "x", 0}, {"trace", "abc", 0}, {"ce_processingtime", PTIME, 0});
        assert_ptr_equal(e->value, in.value);
        assert_int_equal(e->value_len, in.value_len);
        assert_false(e->value_is_body);
    }
    rd_kafka_headers_destroy(h);

    h = HEADERS({"ce_specversion", "1.0", 0}, {"ce_processingtime", "2020-01-01T00:00:00Z", 0},
                {"ce_id", "e-1", 0});
    in = input(h);
    mw_route r = route(MW_CE_BINARY);
    assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_IN_BINARY, NOW_US, &why));
    ASSERT_HDRS(e, {"ce_specversion", "1.0", 0}, {"ce_processingtime", "2020-01-01T00:00:00Z", 0},
                {"ce_id", "e-1", 0});
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

/* A tombstone keeps its key and null value in both modes (a structured value would be no
 * tombstone); its attributes have no content-type or dataschema, as there is no data. */
static void test_tombstone(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = HEADERS({"trace", "abc", 0}, {"content-type", "text/plain", 0});
    mw_in in = input(h);
    in.value = NULL;
    in.value_len = 0;
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    for (int mode = MW_CE_BINARY; mode <= MW_CE_STRUCTURED; mode++) {
        mw_route r = route((mw_ce_mode)mode);
        assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_NONE, NOW_US, &why));
        ASSERT_HDRS(e, {"trace", "abc", 0}, {"ce_specversion", "1.0", 0},
                    {"ce_id", "raw.orders/7/12345", 0}, {"ce_source", "/meshgate/orders", 0},
                    {"ce_type", "order.v3", 0}, {"ce_time", TIME, 0}, {"ce_partitionkey", "k-1", 0},
                    {"ce_processingtime", PTIME, 0});
        assert_null(e->value);
        assert_int_equal(e->value_len, 0);
    }
    rd_kafka_headers_destroy(h);
    /* A binary CloudEvent tombstone keeps its own attributes. */
    h = HEADERS({"ce_specversion", "1.0", 0}, {"ce_id", "e-1", 0});
    in.headers = h;
    mw_route r = route(MW_CE_STRUCTURED);
    assert_true(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_IN_BINARY, NOW_US, &why));
    ASSERT_HDRS(e, {"ce_specversion", "1.0", 0}, {"ce_id", "e-1", 0},
                {"ce_processingtime", PTIME, 0});
    assert_null(e->value);
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

static void test_existing_structured(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* out NULL: unchanged */
    } cases[] = {
        {"{" ATTRS ",\"data\":{}}", "{\"processingtime\":\"" PTIME "\"," ATTRS ",\"data\":{}}"},
        {" \n{ " ATTRS ", \"data\":1 } ",
         " \n{\"processingtime\":\"" PTIME "\", " ATTRS ", \"data\":1 } "},
        {"{}", "{\"processingtime\":\"" PTIME "\"}"},
        {" { \n } ", " {\"processingtime\":\"" PTIME "\" \n } "},
        {"{" ATTRS ",\"data\":{\"processingtime\":1}}",
         "{\"processingtime\":\"" PTIME "\"," ATTRS ",\"data\":{\"processingtime\":1}}"},
        {"{" ATTRS ",\"processingtime\":\"2020-01-01T00:00:00Z\",\"data\":1}", NULL},
        {"{\"processingtime\":\"x\"}", NULL},
    };
    rd_kafka_headers_t *h =
        HEADERS({"content-type", "application/cloudevents+json", 0}, {"ce_x", "kept", 0});
    mw_env *e = mw_env_new(8);
    const char *why = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mw_in in = input(h);
        in.value = cases[i].in;
        in.value_len = strlen(cases[i].in);
        mw_route r = route(i % 2 ? MW_CE_STRUCTURED : MW_CE_BINARY);
        if (!mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_IN_STRUCTURED, NOW_US, &why))
            fail_msg("case %zu: %s", i, why);
        ASSERT_HDRS(e, {"content-type", "application/cloudevents+json", 0}, {"ce_x", "kept", 0});
        if (cases[i].out) {
            assert_true(e->value_is_body);
            assert_value(e, cases[i].out);
        } else {
            assert_false(e->value_is_body);
            assert_ptr_equal(e->value, in.value);
            assert_int_equal(e->value_len, in.value_len);
        }
    }
    mw_in in = input(h);
    in.value = "{\"a\":1";
    in.value_len = 6;
    mw_route r = route(MW_CE_BINARY);
    assert_false(mw_env_valid(e, &r, SCHEMA_ID, r.type, &in, MW_CE_IN_STRUCTURED, NOW_US, &why));
    assert_string_equal(why, MALFORMED);
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

/* ---- rejects ---- */

static void test_reject(void **state)
{
    (void)state;
    rd_kafka_headers_t *h =
        HEADERS({"ce_id", "x", 0}, {"content-type", "text/plain", 0}, {"trace", "abc", 0});
    mw_in in = input(h);
    in.partition = 0;
    in.offset = 9876543210;
    mw_route r = route(MW_CE_BINARY);
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_reason rs = {"maximum", "/Age", "#/properties/Age/maximum", "150 is greater than 120", NULL};
    assert_true(mw_env_reject(e, &r, &in, &rs, "host-1/w3", NOW_US, &why));
    ASSERT_HDRS(e, {"ce_id", "x", 0}, {"content-type", "text/plain", 0}, {"trace", "abc", 0},
                {"meshgate.reason", "maximum", 0}, {"meshgate.instance_location", "/Age", 0},
                {"meshgate.keyword_location", "#/properties/Age/maximum", 0},
                {"meshgate.message", "150 is greater than 120", 0}, {"meshgate.schema", "order", 0},
                {"meshgate.schema_version", "3", 0}, {"meshgate.origin.topic", "raw.orders", 0},
                {"meshgate.origin.partition", "0", 0}, {"meshgate.origin.offset", "9876543210", 0},
                {"meshgate.worker", "host-1/w3", 0}, {"meshgate.rejected_at", PTIME, 0});
    assert_ptr_equal(e->value, in.value);
    assert_int_equal(e->value_len, in.value_len);
    assert_false(e->value_is_body);

    /* empty strings are present, zero length; no input headers */
    mw_in bare = input(NULL);
    bare.partition = -1;
    bare.offset = -1001;
    mw_reason empty = {"cloudevent", "", "", "no data member", NULL};
    assert_true(mw_env_reject(e, &r, &bare, &empty, "", 0, &why));
    ASSERT_HDRS(e, {"meshgate.reason", "cloudevent", 0}, {"meshgate.instance_location", "", 0},
                {"meshgate.keyword_location", "", 0}, {"meshgate.message", "no data member", 0},
                {"meshgate.schema", "order", 0}, {"meshgate.schema_version", "3", 0},
                {"meshgate.origin.topic", "raw.orders", 0}, {"meshgate.origin.partition", "-1", 0},
                {"meshgate.origin.offset", "-1001", 0}, {"meshgate.worker", "", 0},
                {"meshgate.rejected_at", "1970-01-01T00:00:00.000000Z", 0});
    for (size_t i = 0; i < e->n_hdrs; i++)
        assert_non_null(e->hdrs[i].val);
    mw_env_free(e);
    rd_kafka_headers_destroy(h);
}

/* Issue 17.4: headers in meshgate's families on the input are a producer's, never trusted:
 * renamed untrusted.NAME (so the reason is meshgate's alone, once), and an attempt count only
 * when it is a plain number (then written once, with meshgate's headers). */
static void test_reject_forged_headers(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = HEADERS(
        {"meshgate.reason", "forged", 0}, {"trace", "abc", 0}, {"meshgate.replay_count", "-100", 0},
        {"__connect.errors.topic", "elsewhere", 0}, {"__streams.errors.offset", "1", 0});
    mw_in in = input(h);
    mw_route r = route(MW_CE_BINARY);
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_reason rs = {"schema", "/a", "#/a/type", "m", NULL};
    assert_true(mw_env_reject(e, &r, &in, &rs, "w", NOW_US, &why));
    ASSERT_HDRS(e, {"untrusted.meshgate.reason", "forged", 0}, {"trace", "abc", 0},
                {"untrusted.meshgate.replay_count", "-100", 0},
                {"untrusted.__connect.errors.topic", "elsewhere", 0},
                {"untrusted.__streams.errors.offset", "1", 0}, {"meshgate.reason", "schema", 0},
                {"meshgate.instance_location", "/a", 0},
                {"meshgate.keyword_location", "#/a/type", 0}, {"meshgate.message", "m", 0},
                {"meshgate.schema", "order", 0}, {"meshgate.schema_version", "3", 0},
                {"meshgate.origin.topic", "raw.orders", 0}, {"meshgate.origin.partition", "7", 0},
                {"meshgate.origin.offset", "12345", 0}, {"meshgate.worker", "w", 0},
                {"meshgate.rejected_at", PTIME, 0});
    rd_kafka_headers_destroy(h);

    /* a replayed record's count is kept, once, after the reason; a second one is untrusted */
    h = HEADERS({"meshgate.replay_count", "4", 0}, {"meshgate.replay_count", "0", 0});
    in = input(h);
    assert_true(mw_env_reject(e, &r, &in, &rs, "w", NOW_US, &why));
    assert_int_equal(e->n_hdrs, 1 + 11 + 1);
    assert_string_equal(e->hdrs[0].name, "untrusted.meshgate.replay_count");
    assert_string_equal(e->hdrs[1].name, "meshgate.reason");
    assert_string_equal(e->hdrs[12].name, "meshgate.replay_count");
    assert_memory_equal(e->hdrs[12].val, "4", 1);
    assert_int_equal(e->hdrs[12].len, 1);
    rd_kafka_headers_destroy(h);
    mw_env_free(e);
}

/* Issue 17.7: the route's dead_letter_headers adds Kafka Connect's and Kafka Streams' names. */
static void test_reject_interop(void **state)
{
    (void)state;
    mw_in in = input(NULL);
    mw_route r = route(MW_CE_BINARY);
    r.dl_headers = MW_DLF_ALL;
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_reason rs = {"schema", "/a", "#/a/type", "1 is not a string", "{\"valid\":false}"};
    assert_true(mw_env_reject(e, &r, &in, &rs, "w", NOW_US, &why));
    ASSERT_HDRS(
        e, {"meshgate.reason", "schema", 0}, {"meshgate.instance_location", "/a", 0},
        {"meshgate.keyword_location", "#/a/type", 0}, {"meshgate.message", "1 is not a string", 0},
        {"meshgate.schema", "order", 0}, {"meshgate.schema_version", "3", 0},
        {"meshgate.origin.topic", "raw.orders", 0}, {"meshgate.origin.partition", "7", 0},
        {"meshgate.origin.offset", "12345", 0}, {"meshgate.worker", "w", 0},
        {"meshgate.rejected_at", PTIME, 0}, {"__connect.errors.topic", "raw.orders", 0},
        {"__connect.errors.partition", "7", 0}, {"__connect.errors.offset", "12345", 0},
        {"__connect.errors.connector.name", "meshgate", 0}, {"__connect.errors.task.id", "0", 0},
        {"__connect.errors.stage", "VALUE_CONVERTER", 0},
        {"__connect.errors.class.name", "meshgate.Gate", 0},
        {"__connect.errors.exception.class.name", "meshgate.reject.schema", 0},
        {"__connect.errors.exception.message", "1 is not a string", 0},
        {"__streams.errors.exception", "meshgate.reject.schema", 0},
        {"__streams.errors.stacktrace", "#/a/type", 0},
        {"__streams.errors.message", "1 is not a string", 0},
        {"__streams.errors.topic", "raw.orders", 0}, {"__streams.errors.partition", "7", 0},
        {"__streams.errors.offset", "12345", 0}, {"meshgate.errors", "{\"valid\":false}", 0});

    /* a value too large for the dead-letter topic goes without it, and says so */
    assert_true(mw_env_drop_value(e, 7340032, &why));
    assert_null(e->value);
    assert_int_equal(e->value_len, 0);
    assert_string_equal(e->hdrs[e->n_hdrs - 1].name, "meshgate.value_dropped");
    assert_memory_equal(e->hdrs[e->n_hdrs - 1].val, "7340032", 7);
    mw_env_free(e);
}

/* ---- limits ---- */

static rd_kafka_headers_t *many(size_t n, const char *last)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_header_add(h, i + 1 == n && last ? last : "h", -1, "v", 1);
    return h;
}

static void test_header_overflow(void **state)
{
    (void)state;
    static const char hdrs_why[] = "more than 64 headers (too many input headers)";
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_route bin = route(MW_CE_BINARY), st = route(MW_CE_STRUCTURED);
    mw_reason rs = {"type", "", "", "m", NULL};
    static const struct {
        int what; /* 0 reject, 1 plain binary, 2 plain structured, 3 existing binary */
        size_t fits;
    } cases[] = {{0, 53}, {1, 55}, {2, 63}, {3, 63}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (size_t n = cases[c].fits; n <= cases[c].fits + 20; n++) {
            rd_kafka_headers_t *h = many(n, cases[c].what == 3 ? "ce_specversion" : NULL);
            mw_in in = input(h);
            why = NULL;
            bool ok = cases[c].what == 0   ? mw_env_reject(e, &bin, &in, &rs, "w", NOW_US, &why)
                      : cases[c].what == 1 ? mw_env_valid(e, &bin, SCHEMA_ID, bin.type, &in,
                                                          MW_CE_NONE, NOW_US, &why)
                      : cases[c].what == 2
                          ? mw_env_valid(e, &st, SCHEMA_ID, st.type, &in, MW_CE_NONE, NOW_US, &why)
                          : mw_env_valid(e, &bin, SCHEMA_ID, bin.type, &in, MW_CE_IN_BINARY, NOW_US,
                                         &why);
            assert_true(e->n_hdrs <= MW_ENV_MAX_HDRS);
            if (n == cases[c].fits) {
                if (!ok) fail_msg("case %zu: %zu input headers should fit: %s", c, n, why);
                assert_int_equal(e->n_hdrs, MW_ENV_MAX_HDRS);
            } else {
                assert_false(ok);
                assert_string_equal(why, hdrs_why);
            }
            rd_kafka_headers_destroy(h);
        }

    /* an existing binary event with its processingtime needs no header of ours */
    rd_kafka_headers_t *h = many(64, "ce_processingtime");
    mw_in in = input(h);
    assert_true(mw_env_valid(e, &bin, NULL, bin.type, &in, MW_CE_IN_BINARY, NOW_US, &why));
    assert_int_equal(e->n_hdrs, 64);
    rd_kafka_headers_destroy(h);

    /* a failed call leaves nothing behind: the next one starts from scratch */
    in = input(NULL);
    assert_true(mw_env_valid(e, &bin, NULL, bin.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_int_equal(e->n_hdrs, 8);
    mw_env_free(e);
}

static void test_text_overflow(void **state)
{
    (void)state;
    size_t n = 5000;
    char *topic = malloc(n + 1);
    memset(topic, 't', n);
    topic[n] = 0;
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_in in = input(NULL);
    in.topic = topic;
    mw_route bin = route(MW_CE_BINARY), st = route(MW_CE_STRUCTURED);
    assert_false(mw_env_valid(e, &bin, NULL, bin.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_string_equal(why, "header values do not fit in the envelope's text buffer");
    assert_true(e->text_used <= sizeof e->text);
    why = NULL;
    assert_false(mw_env_valid(e, &st, NULL, st.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_string_equal(why, "the CloudEvent id does not fit in the envelope's text buffer");

    /* the dead letter of the same message only points at the topic */
    mw_reason rs = {"internal", "", "", "x", NULL};
    assert_true(mw_env_reject(e, &bin, &in, &rs, "w", NOW_US, &why));
    assert_string_equal(e->hdrs[6].name, "meshgate.origin.topic");
    assert_ptr_equal(e->hdrs[6].val, topic);
    assert_int_equal(e->hdrs[6].len, n);

    /* the text buffer holds the id and processingtime (27), each with a NUL: with no
     * timestamp a topic of 4096 - 28 - 1 - strlen("/7/12345") bytes just fits */
    size_t fits = sizeof e->text - 28 - 1 - 8;
    in.timestamp_ms = -1;
    topic[fits + 1] = 0;
    assert_false(mw_env_valid(e, &bin, NULL, bin.type, &in, MW_CE_NONE, NOW_US, &why));
    topic[fits] = 0;
    assert_true(mw_env_valid(e, &bin, NULL, bin.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_int_equal(e->text_used, sizeof e->text);
    assert_int_equal(e->hdrs[1].len, fits + 8);
    assert_string_equal(e->hdrs[6].name, "ce_processingtime");
    assert_memory_equal(e->hdrs[6].val, PTIME, 27);
    mw_env_free(e);
    free(topic);
}

static void test_passthrough_has_no_envelope(void **state)
{
    (void)state;
    mw_env *e = mw_env_new(64);
    const char *why = NULL;
    mw_in in = input(NULL);
    mw_route r = route(MW_CE_PASSTHROUGH);
    assert_false(mw_env_valid(e, &r, NULL, r.type, &in, MW_CE_NONE, NOW_US, &why));
    assert_string_equal(why, "passthrough routes have no envelope");
    mw_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ce_id),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_plain_binary),
        cmocka_unit_test(test_plain_binary_omissions),
        cmocka_unit_test(test_required_attributes_only),
        cmocka_unit_test(test_plain_structured),
        cmocka_unit_test(test_structured_escaping),
        cmocka_unit_test(test_body_growth),
        cmocka_unit_test(test_existing_binary),
        cmocka_unit_test(test_tombstone),
        cmocka_unit_test(test_existing_structured),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_reject_forged_headers),
        cmocka_unit_test(test_reject_interop),
        cmocka_unit_test(test_header_overflow),
        cmocka_unit_test(test_text_overflow),
        cmocka_unit_test(test_passthrough_has_no_envelope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
