/* test_envelope_detect.c - unit tests for worker/gate/mw_envelope.c's reading side: which
 * inputs already are CloudEvents (mw_ce_detect) and where a structured one's data is
 * (mw_ce_data), malformed and deeply nested ones included (the envelopes: test_envelope.c).
 *
 * Design: structured inputs are exact-length heap copies without a NUL, so that a read past the end
 * fails under AddressSanitizer; expectations are exact spans and reasons.
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

/* ---- detection ---- */

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        kv h;
        mw_ce_kind want;
    } cases[] = {
        {{"ce_specversion", "1.0", 0}, MW_CE_IN_BINARY},
        {{"ce_specversion", "0.3", 0}, MW_CE_IN_BINARY}, /* detected; mw_ce_data rejects it */
        {{"content-type", "application/cloudevents+json", 0}, MW_CE_IN_STRUCTURED},
        {{"content-type", "application/cloudevents+json; charset=utf-8", 0}, MW_CE_IN_STRUCTURED},
        {{"content-type", "application/cloudevents+json ;charset=UTF-8", 0}, MW_CE_IN_STRUCTURED},
        {{"content-type", "Application/CloudEvents+JSON", 0}, MW_CE_IN_STRUCTURED},
        {{"content-type", "application/cloudevents+jsonx", 0}, MW_CE_NONE},
        {{"content-type", "application/cloudevents-batch+json", 0}, MW_CE_NONE},
        {{"content-type", "application/cloudevents", 0}, MW_CE_NONE},
        {{"content-type", "application/json", 0}, MW_CE_NONE},
        {{"content-type", NULL, 0}, MW_CE_NONE},
        {{"Content-Type", "application/cloudevents+json", 0}, MW_CE_NONE}, /* names exact */
        {{"CE_SPECVERSION", "1.0", 0}, MW_CE_NONE},
        {{"ce_id", "x", 0}, MW_CE_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rd_kafka_headers_t *h = headers(&cases[i].h, 1);
        mw_in in = input(h);
        if (mw_ce_detect(&in) != cases[i].want)
            fail_msg("case %zu: %s=%s", i, cases[i].h.name,
                     cases[i].h.val ? cases[i].h.val : "NULL");
        rd_kafka_headers_destroy(h);
    }
    mw_in in = input(NULL);
    assert_int_equal(mw_ce_detect(&in), MW_CE_NONE);

    rd_kafka_headers_t *h = HEADERS({"content-type", "application/cloudevents+json", 0},
                                    {"trace", "1", 0}, {"ce_specversion", "1.0", 0});
    in = input(h);
    assert_int_equal(mw_ce_detect(&in), MW_CE_IN_BINARY); /* binary wins */
    rd_kafka_headers_destroy(h);
}

/* ---- mw_ce_data ---- */

static void test_ce_data_binary(void **state)
{
    (void)state;
    static const struct {
        kv h[4];
        const char *why; /* NULL: accepted */
    } cases[] = {
        {{{"ce_specversion", "1.0", 0},
          {"ce_id", "a", 0},
          {"ce_source", "/s", 0},
          {"ce_type", "t", 0}},
         NULL},
        {{{"ce_specversion", "0.3", 0},
          {"ce_id", "a", 0},
          {"ce_source", "/s", 0},
          {"ce_type", "t", 0}},
         "ce_specversion is \"0.3\"; meshgate accepts 1.0"},
        {{{"ce_specversion", "1.0.1", 0},
          {"ce_id", "a", 0},
          {"ce_source", "/s", 0},
          {"ce_type", "t", 0}},
         "ce_specversion is not \"1.0\"; meshgate accepts 1.0"},
        {{{"ce_specversion", "", 0},
          {"ce_id", "a", 0},
          {"ce_source", "/s", 0},
          {"ce_type", "t", 0}},
         "ce_specversion is empty; meshgate accepts 1.0"},
        {{{"ce_specversion", "1.0", 0},
          {"ce_idx", "a", 0},
          {"ce_source", "/s", 0},
          {"ce_type", "t", 0}},
         "ce_id header missing"},
        {{{"ce_specversion", "1.0", 0},
          {"ce_id", "a", 0},
          {"ce_source", "", 0},
          {"ce_type", "t", 0}},
         "ce_source header is empty"},
        {{{"ce_specversion", "1.0", 0},
          {"ce_id", "a", 0},
          {"ce_source", "/s", 0},
          {"CE_type", "t", 0}},
         "ce_type header missing"},
        {{{"ce_specversion", "1.0", 0},
          {"ce_id", NULL, 0},
          {"ce_source", "/s", 0},
          {"ce_type", "t", 0}},
         "ce_id header is empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rd_kafka_headers_t *h = headers(cases[i].h, 4);
        mw_in in = input(h);
        size_t off = 99, len = 99;
        const char *why = NULL;
        bool ok = mw_ce_data(&in, MW_CE_IN_BINARY, &off, &len, &why);
        if (cases[i].why) {
            assert_false(ok);
            assert_non_null(why);
            assert_string_equal(why, cases[i].why);
        } else {
            assert_true(ok);
            assert_int_equal(off, 0);
            assert_int_equal(len, strlen(VALUE));
        }
        rd_kafka_headers_destroy(h);
    }
}

/* An exact-length heap copy without a NUL, so that any read past the end is an error under
 * AddressSanitizer. */
static mw_in json_input(const char *json)
{
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, json, n);
    mw_in in = input(NULL);
    in.value = copy;
    in.value_len = n;
    return in;
}

static void test_ce_data_spans(void **state)
{
    (void)state;
    static const struct {
        const char *json, *data;
    } cases[] = {
        {"{" ATTRS ",\"data\":{\"a\":1}}", "{\"a\":1}"},
        {"{\"data\":[1,2,{\"x\":[]}]," ATTRS "}", "[1,2,{\"x\":[]}]"},
        {"{" ATTRS ",\"data\":\"text with } and \\\" and {\"}", "\"text with } and \\\" and {\""},
        {"{" ATTRS ",\"data\":-12.5e+3}", "-12.5e+3"},
        {"{" ATTRS ",\"data\":0}", "0"},
        {"{" ATTRS ",\"data\":null}", "null"},
        {"{" ATTRS ",\"data\":true}", "true"},
        {"{" ATTRS ",\"data\":false}", "false"},
        {"{" ATTRS ",\"data\":\"\"}", "\"\""},
        {" \r\n\t{ " ATTRS " , \"data\" \n:\t { \"b\" : [ 1 , 2 ] } \n } \n",
         "{ \"b\" : [ 1 , 2 ] }"},
        /* braces, quotes and a "data" key inside strings and nested objects come first */
        {"{\"x\":\"}{\\\"data\\\":1\",\"y\":{\"data\":2,\"z\":[\"]\",\"\\\\\"]}," ATTRS
         ",\"data\":{\"deep\":{\"data\":3}}}",
         "{\"deep\":{\"data\":3}}"},
        {"{" ATTRS ",\"da\\u0074a\":1,\"data\":[\"\\u00e9\\n\\/\"]}", "[\"\\u00e9\\n\\/\"]"},
        {"{" ATTRS ",\"datacontenttype\":\"application/json\",\"data\":{}}", "{}"},
        {"{" ATTRS ",\"data\":[[[[[[[[[[[]]]]]]]]]]]}", "[[[[[[[[[[[]]]]]]]]]]]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mw_in in = json_input(cases[i].json);
        size_t off = 0, len = 0;
        const char *why = NULL;
        if (!mw_ce_data(&in, MW_CE_IN_STRUCTURED, &off, &len, &why))
            fail_msg("case %zu rejected: %s", i, why);
        assert_true(off + len <= in.value_len);
        if (len != strlen(cases[i].data) ||
            memcmp((const char *)in.value + off, cases[i].data, len) != 0)
            fail_msg("case %zu: got %.*s, want %s", i, (int)len, (const char *)in.value + off,
                     cases[i].data);
        free((void *)in.value);
    }
}

static void test_ce_data_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *json, *why;
    } cases[] = {
        {"", MALFORMED},
        {"   ", MALFORMED},
        {"[1]", MALFORMED},
        {"\"data\"", MALFORMED},
        {"{" ATTRS ",\"data\":1} x", MALFORMED},
        {"{" ATTRS ",\"data\":1}}", MALFORMED},
        {"{" ATTRS ",\"data\":1", MALFORMED},
        {"{" ATTRS ",\"data\":{\"a\":1}", MALFORMED},
        {"{" ATTRS ",\"data\":[1,2}}", MALFORMED},
        {"{" ATTRS ",\"data\":{\"a\":1]}", MALFORMED},
        {"{" ATTRS ",\"data\":tru}", MALFORMED},
        {"{" ATTRS ",\"data\":nul}", MALFORMED},
        {"{" ATTRS ",\"data\":True}", MALFORMED},
        {"{" ATTRS ",\"data\":NaN}", MALFORMED},
        {"{" ATTRS ",\"data\":01}", MALFORMED},
        {"{" ATTRS ",\"data\":1.}", MALFORMED},
        {"{" ATTRS ",\"data\":.5}", MALFORMED},
        {"{" ATTRS ",\"data\":-}", MALFORMED},
        {"{" ATTRS ",\"data\":+1}", MALFORMED},
        {"{" ATTRS ",\"data\":1e}", MALFORMED},
        {"{" ATTRS ",\"data\":1 2}", MALFORMED},
        {"{" ATTRS ",\"data\":}", MALFORMED},
        {"{" ATTRS ",\"data\":[1,]}", MALFORMED},
        {"{" ATTRS ",\"data\":[,1]}", MALFORMED},
        {"{" ATTRS ",\"data\":{\"a\":1,}}", MALFORMED},
        {"{" ATTRS ",\"data\":{\"a\" 1}}", MALFORMED},
        {"{" ATTRS ",\"data\":{a:1}}", MALFORMED},
        {"{" ATTRS ",\"data\":[tru]}", MALFORMED},
        {"{" ATTRS ",\"data\":\"abc}", MALFORMED},
        {"{" ATTRS ",\"data\":\"a\\x\"}", MALFORMED},
        {"{" ATTRS ",\"data\":\"a\\u12g4\"}", MALFORMED},
        {"{" ATTRS ",\"data\":\"a\\u12\"}", MALFORMED},
        {"{" ATTRS ",\"data\":\"a\\u12", MALFORMED},
        {"{" ATTRS ",\"data\":\"a\\", MALFORMED},
        {"{" ATTRS ",\"data\":1e+", MALFORMED},
        {"{" ATTRS ",\"data\":fals", MALFORMED},
        {"{" ATTRS ",\"data\":\"tab\there\"}", MALFORMED},
        {"{" ATTRS ",\"data\":1,}", MALFORMED},
        {"{," ATTRS ",\"data\":1}", MALFORMED},
        {"{" ATTRS "\"data\":1}", MALFORMED},
        {"{" ATTRS ",\"data\"1}", MALFORMED},
        {"{" ATTRS ",data:1}", MALFORMED},
        {"{" ATTRS ";\"data\":1}", MALFORMED},
        {"{\"data\":1}", "specversion member missing"},
        {"{\"specversion\":\"0.3\",\"id\":\"i\",\"source\":\"/s\",\"type\":\"t\",\"data\":1}",
         "specversion is \"0.3\"; meshgate accepts 1.0"},
        {"{\"specversion\":1.0,\"id\":\"i\",\"source\":\"/s\",\"type\":\"t\",\"data\":1}",
         "specversion is not \"1.0\"; meshgate accepts 1.0"},
        {"{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"t\",\"data\":1}",
         "id member missing"},
        {"{\"specversion\":\"1.0\",\"id\":7,\"source\":\"/s\",\"type\":\"t\",\"data\":1}",
         "id is not a string"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"\",\"type\":\"t\",\"data\":1}",
         "source is empty"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"/s\",\"data\":1}",
         "type member missing"},
        {"{" ATTRS ",\"data_base64\":\"eyJhIjoxfQ==\"}",
         "data_base64 is not JSON; meshgate validates JSON data"},
        {"{" ATTRS ",\"data\":1,\"data_base64\":\"eyJhIjoxfQ==\"}",
         "data_base64 is not JSON; meshgate validates JSON data"},
        {"{" ATTRS "}", "no data member"},
        {"{" ATTRS ",\"Data\":1,\"nested\":{\"data\":1}}", "no data member"},
        {"{" ATTRS ",\"data\":1,\"data\":2}",
         "structured CloudEvent has a duplicate attribute or data member"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mw_in in = json_input(cases[i].json);
        size_t off = 0, len = 0;
        const char *why = NULL;
        if (mw_ce_data(&in, MW_CE_IN_STRUCTURED, &off, &len, &why))
            fail_msg("case %zu accepted: %s", i, cases[i].json);
        if (!why || strcmp(why, cases[i].why) != 0)
            fail_msg("case %zu (%s): why \"%s\", want \"%s\"", i, cases[i].json, why ? why : "NULL",
                     cases[i].why);
        free((void *)in.value);
    }
}

static bool nested_data(size_t depth, size_t *len, const char **why)
{
    const char head[] = "{" ATTRS ",\"data\":";
    char *json = malloc(sizeof head + 2 * depth + 2);
    char *p = json + sizeof head - 1;
    memcpy(json, head, sizeof head - 1);
    memset(p, '[', depth);
    memset(p + depth, ']', depth);
    memcpy(p + 2 * depth, "}", 2);
    mw_in in = input(NULL);
    in.value = json;
    in.value_len = strlen(json);
    size_t off = 0;
    bool ok = mw_ce_data(&in, MW_CE_IN_STRUCTURED, &off, len, why);
    assert_true(!ok || off == sizeof head - 1);
    free(json);
    return ok;
}

/* Data nested up to 1024 levels is followed; deeper is refused, never overflows a stack. */
static void test_ce_data_deep(void **state)
{
    (void)state;
    size_t len = 0;
    const char *why = NULL;
    assert_true(nested_data(1024, &len, &why));
    assert_int_equal(len, 2048);
    assert_false(nested_data(1025, &len, &why));
    assert_string_equal(why, MALFORMED);
    why = NULL;
    assert_false(nested_data(100000, &len, &why));
    assert_string_equal(why, MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),        cmocka_unit_test(test_ce_data_binary),
        cmocka_unit_test(test_ce_data_spans), cmocka_unit_test(test_ce_data_malformed),
        cmocka_unit_test(test_ce_data_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
