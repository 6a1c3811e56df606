/* test_wire.c - unit tests for worker/gate/mw_wire.c: every framing each route option reads
 * (Confluent prefix with an id or a GUID, Confluent's header, Apicurio's headers and its 4- and
 * 8-byte prefixes, auto), which one wins when a message has several, and hostile framings:
 * empty, short, truncated headers, bad magic bytes, huge and negative ids.
 *
 * Design: each case builds the bytes by hand, as a producer's serializer would write them, and
 * asserts the whole result (kind, id, where the JSON starts, the reason's text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mw_wire.h"

static const uint8_t GUID[16] = {0x8f, 0x1c, 0x55, 0x02, 0x9e, 0x47, 0x4a, 0x10,
                                 0xb3, 0x2d, 0x6e, 0x0a, 0x61, 0x7b, 0x90, 0x44};

static mw_wire parse(mw_wire_mode m, const void *v, size_t n, const rd_kafka_headers_t *h,
                     bool expect)
{
    mw_wire w;
    assert_int_equal(mw_wire_parse(m, v, n, h, &w), expect);
    return w;
}

#define LIT(s) s, sizeof s - 1

static void test_confluent_prefix(void **state)
{
    (void)state;
    mw_wire w = parse(MW_WIRE_CONFLUENT, LIT("\x00\x00\x00\x01\x2a{\"a\":1}"), NULL, true);
    assert_int_equal(w.kind, MW_WIRE_ID);
    assert_int_equal(w.id, 298);
    assert_int_equal(w.off, 5);
    assert_string_equal(w.where, "payload prefix");

    /* the largest 4-byte id is read unsigned: no negative ids */
    w = parse(MW_WIRE_CONFLUENT, LIT("\x00\xff\xff\xff\xff{}"), NULL, true);
    assert_int_equal(w.id, 4294967295LL);

    /* a prefix with nothing after it is still a prefix: the empty JSON is the validator's */
    w = parse(MW_WIRE_CONFLUENT, LIT("\x00\x00\x00\x00\x07"), NULL, true);
    assert_int_equal(w.id, 7);
    assert_int_equal(w.off, 5);

    uint8_t g[17 + 2] = {0x01};
    memcpy(g + 1, GUID, 16);
    memcpy(g + 17, "{}", 2);
    w = parse(MW_WIRE_CONFLUENT, g, sizeof g, NULL, true);
    assert_int_equal(w.kind, MW_WIRE_GUID);
    assert_memory_equal(w.guid, GUID, 16);
    assert_int_equal(w.off, 17);
    char text[40];
    mw_wire_guid_text(w.guid, text, sizeof text);
    assert_string_equal(text, "8f1c5502-9e47-4a10-b32d-6e0a617b9044");
}

static void test_confluent_hostile(void **state)
{
    (void)state;
    /* plain JSON: no framing */
    mw_wire w = parse(MW_WIRE_CONFLUENT, LIT("{\"a\":1}"), NULL, false);
    assert_int_equal(w.kind, MW_WIRE_MISSING);
    assert_non_null(strstr(w.why, "neither 0x00 nor 0x01"));
    /* bad magic */
    w = parse(MW_WIRE_CONFLUENT, LIT("\x02\x00\x00\x00\x01{}"), NULL, false);
    assert_non_null(strstr(w.why, "no Confluent prefix"));
    /* short: every length below the prefix */
    for (size_t n = 1; n < 5; n++) {
        w = parse(MW_WIRE_CONFLUENT, "\x00\x00\x00\x00", n, NULL, false);
        assert_non_null(strstr(w.why, "shorter than a Confluent prefix"));
    }
    for (size_t n = 1; n < 17; n++) {
        uint8_t g[16] = {0x01};
        w = parse(MW_WIRE_CONFLUENT, g, n, NULL, false);
        assert_non_null(strstr(w.why, "shorter than a Confluent GUID prefix"));
    }
    w = parse(MW_WIRE_CONFLUENT, "", 0, NULL, false);
    assert_int_equal(w.kind, MW_WIRE_MISSING);
    w = parse(MW_WIRE_CONFLUENT, NULL, 0, NULL, false);
    assert_int_equal(w.kind, MW_WIRE_MISSING);
}

static rd_kafka_headers_t *hdr(const char *name, const void *v, size_t n)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(2);
    rd_kafka_header_add(h, "other", -1, "x", 1);
    rd_kafka_header_add(h, name, -1, v, (ssize_t)n);
    return h;
}

static void test_confluent_header(void **state)
{
    (void)state;
    uint8_t g[17] = {0x01};
    memcpy(g + 1, GUID, 16);
    rd_kafka_headers_t *h = hdr("__value_schema_id", g, sizeof g);
    /* the header wins: the value is the JSON, even one that starts like a prefix */
    mw_wire w = parse(MW_WIRE_CONFLUENT, LIT("{\"a\":1}"), h, true);
    assert_int_equal(w.kind, MW_WIRE_GUID);
    assert_memory_equal(w.guid, GUID, 16);
    assert_int_equal(w.off, 0);
    assert_string_equal(w.where, "header __value_schema_id");
    w = parse(MW_WIRE_AUTO, LIT("\x00\x00\x00\x00\x05{}"), h, true);
    assert_int_equal(w.kind, MW_WIRE_GUID);
    assert_int_equal(w.off, 0);
    /* the last header of the name counts */
    rd_kafka_header_add(h, "__value_schema_id", -1, "\x00\x00\x00\x00\x09", 5);
    w = parse(MW_WIRE_CONFLUENT, LIT("{}"), h, true);
    assert_int_equal(w.kind, MW_WIRE_ID);
    assert_int_equal(w.id, 9);
    /* Apicurio's routes do not read Confluent's header */
    w = parse(MW_WIRE_APICURIO, LIT("{}"), h, false);
    rd_kafka_headers_destroy(h);

    /* hostile headers: truncated, over-long, bad magic, empty, null */
    static const struct {
        const char *v;
        size_t n;
        const char *why;
    } bad[] = {{"\x01\x8f\x1c", 3, "must be 17 bytes"},
               {"\x00\x00\x00\x00\x01\x00", 6, "must be 5 bytes"},
               {"\x00\x00\x01", 3, "must be 5 bytes"},
               {"\x07\x00\x00\x00\x01", 5, "starts with neither"},
               {"", 0, "an empty Confluent schema id"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        h = hdr("__value_schema_id", bad[i].v, bad[i].n);
        w = parse(MW_WIRE_CONFLUENT, LIT("{}"), h, false);
        assert_non_null(strstr(w.why, bad[i].why));
        assert_string_equal(w.where, "header __value_schema_id");
        rd_kafka_headers_destroy(h);
    }
    h = rd_kafka_headers_new(1);
    rd_kafka_header_add(h, "__value_schema_id", -1, NULL, 0);
    w = parse(MW_WIRE_CONFLUENT, LIT("\x00\x00\x00\x00\x01{}"), h, false);
    assert_non_null(strstr(w.why, "empty"));
    rd_kafka_headers_destroy(h);
}

static void test_apicurio(void **state)
{
    (void)state;
    /* serdes 3.x: 0x00 + a 4-byte content id */
    mw_wire w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x2a{}"), NULL, true);
    assert_int_equal(w.id, 42);
    assert_int_equal(w.off, 5);
    /* serdes 2.x: 0x00 + an 8-byte global id */
    w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x00\x00\x00\x01\x00{}"), NULL, true);
    assert_int_equal(w.id, 256);
    assert_int_equal(w.off, 9);
    /* an 8-byte id too short, a huge one, a negative one */
    w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x00\x01"), NULL, false);
    assert_non_null(strstr(w.why, "8-byte id"));
    w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x00\x7f\xff\xff\xff{}"), NULL, true);
    assert_int_equal(w.id, 0x7fffffffLL);
    w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x01{}"), NULL, true);
    assert_int_equal(w.id, 1);
    w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00"), NULL, false);
    assert_non_null(strstr(w.why, "shorter than an Apicurio prefix"));
    w = parse(MW_WIRE_APICURIO, LIT("\x01\x00\x00\x00\x01{}"), NULL, false);
    assert_non_null(strstr(w.why, "no Apicurio prefix"));
    w = parse(MW_WIRE_APICURIO, LIT("{}"), NULL, false);
    assert_non_null(strstr(w.why, "apicurio.value.globalId"));

    /* headers: 8-byte big-endian longs; the global id first */
    rd_kafka_headers_t *h = hdr("apicurio.value.contentId", "\x00\x00\x00\x00\x00\x00\x00\x05", 8);
    w = parse(MW_WIRE_APICURIO, LIT("{}"), h, true);
    assert_int_equal(w.id, 5);
    assert_int_equal(w.off, 0);
    assert_string_equal(w.where, "header apicurio.value.contentId");
    rd_kafka_header_add(h, "apicurio.value.globalId", -1, "\x00\x00\x00\x00\x00\x00\x01\x02", 8);
    w = parse(MW_WIRE_AUTO, LIT("{}"), h, true);
    assert_int_equal(w.id, 258);
    assert_string_equal(w.where, "header apicurio.value.globalId");
    /* Confluent's routes do not read Apicurio's headers */
    w = parse(MW_WIRE_CONFLUENT, LIT("{}"), h, false);
    rd_kafka_headers_destroy(h);

    h = hdr("apicurio.value.globalId", "\x00\x00\x00\x05", 4);
    w = parse(MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x05{}"), h, false);
    assert_non_null(strstr(w.why, "must be 8 bytes"));
    rd_kafka_headers_destroy(h);
    h = hdr("apicurio.value.globalId", "\x80\x00\x00\x00\x00\x00\x00\x01", 8);
    w = parse(MW_WIRE_APICURIO, LIT("{}"), h, false);
    assert_non_null(strstr(w.why, "negative"));
    rd_kafka_headers_destroy(h);
}

static void test_auto(void **state)
{
    (void)state;
    mw_wire w = parse(MW_WIRE_AUTO, LIT("\x00\x00\x00\x00\x03{}"), NULL, true);
    assert_int_equal(w.id, 3);
    uint8_t g[17] = {0x01};
    memcpy(g + 1, GUID, 16);
    w = parse(MW_WIRE_AUTO, g, sizeof g, NULL, true);
    assert_int_equal(w.kind, MW_WIRE_GUID);
    w = parse(MW_WIRE_AUTO, LIT("{\"a\":1}"), NULL, false);
    assert_non_null(strstr(w.why, "no schema id"));
    w = parse(MW_WIRE_AUTO, LIT("\xff\xfe"), NULL, false);
    assert_int_equal(w.kind, MW_WIRE_MISSING);
    w = parse(MW_WIRE_NONE, LIT("\x00\x00\x00\x00\x03{}"), NULL, false);
}

/* Random framings, every mode: the parser reads only the bytes it was given (each buffer is
 * allocated to its exact length, so ASan sees one byte too far) and an id's JSON starts inside
 * the value. */
static void test_random(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 24);
        uint8_t *v = n ? malloc(n) : NULL;
        for (size_t k = 0; k < n; k++)
            v[k] = (uint8_t)(x >> (k % 8 * 8)) & (k < 9 && (x >> 40) % 3 ? 0x01 : 0xff);
        if (n && (x >> 50) % 2) v[0] = (uint8_t)((x >> 51) % 2);
        rd_kafka_headers_t *h = NULL;
        uint8_t hv[20];
        size_t hn = (size_t)((x >> 32) % 20);
        for (size_t k = 0; k < hn; k++)
            hv[k] = (uint8_t)(x >> (k % 8 * 8));
        if ((x >> 56) % 4 == 0) {
            static const char *const names[] = {"__value_schema_id", "apicurio.value.globalId",
                                                "apicurio.value.contentId"};
            h = rd_kafka_headers_new(1);
            rd_kafka_header_add(h, names[(x >> 58) % 3], -1, hv, (ssize_t)hn);
        }
        mw_wire w;
        if (mw_wire_parse((mw_wire_mode)(x >> 60) % 4, v, n, h, &w)) {
            assert_true(w.off <= n);
            assert_true(w.id >= 0);
        } else {
            assert_int_equal(w.kind, MW_WIRE_MISSING);
            assert_non_null(w.why);
        }
        if (h) rd_kafka_headers_destroy(h);
        free(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confluent_prefix),
        cmocka_unit_test(test_confluent_hostile),
        cmocka_unit_test(test_confluent_header),
        cmocka_unit_test(test_apicurio),
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
