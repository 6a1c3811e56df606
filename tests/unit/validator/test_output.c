/* test_output.c - unit tests for validator/mg_output.c: JSON strings (controls, quotes, the
 * separators, invalid UTF-8, truncation) and the basic output format (fields, the error cap,
 * parse rejects, a buffer too small still giving a well-formed document).
 *
 * Design: well-formedness is checked by the validator's own parser: an output is fed to
 * mg_validate with a schema that accepts everything, so a parse reject fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "meshgate.h"
#include "mg_output.h"
#include "mg_rt.h"

/* Three errors; the second's expected value carries a quote, a control and a bidi override. */
static bool three_fn(mg_ctx *c, uint32_t at)
{
    bool ok = true;
    MG_FAIL(at, MG_E_REQUIRED, "#/required", "first");
    MG_FAIL(at, MG_E_CONST, "#/properties/a\"b/const", "\"x\x01\xe2\x80\xae\"");
    MG_FAIL(at, MG_E_ADDITIONAL, "#/additionalProperties", "");
done:
    return ok;
}

static bool any_fn(mg_ctx *c, uint32_t at)
{
    (void)c;
    (void)at;
    return true;
}

static const mg_schema schemas[] = {
    {.name = "three", .id = "https://example.com/three", .source = "three.json", .fn = three_fn},
    {.name = "any", .id = "https://example.com/any", .source = "any.json", .fn = any_fn},
};

static mg_validator *new_validator(void)
{
    mg_validator_conf conf = {.max_bytes = 1 << 20, .max_errors = 16};
    char err[128] = "";
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    assert_non_null(v);
    return v;
}

static void assert_json(const char *js)
{
    mg_validator *v = new_validator();
    assert_int_equal(mg_validate(v, &schemas[1], js, strlen(js), strlen(js) + 1), MG_OK);
    mg_validator_free(v);
}

static void test_quote_escapes(void **state)
{
    (void)state;
    char buf[128];
    const char in[] = "a\"b\\c\n\r\t\b\f\x01\x7f\xe2\x80\xa8\xc3\xa9\xff!";
    size_t n = mg_json_quote(buf, sizeof buf, in, sizeof in - 1);
    /* mg_json_escape's spelling: DEL and U+2028 are kept as they are */
    assert_string_equal(
        buf, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\x7f\xe2\x80\xa8\xc3\xa9\xef\xbf\xbd!\"");
    assert_int_equal(n, strlen(buf));
    assert_json(buf);
}

static void test_quote_truncates_whole(void **state)
{
    (void)state;
    char big[64];
    size_t full = mg_json_quote(big, sizeof big, "ab\ncd", 5);
    for (size_t cap = 0; cap <= full; cap++) {
        char buf[64];
        memset(buf, 'Z', sizeof buf);
        size_t n = mg_json_quote(buf, cap, "ab\ncd", 5);
        assert_int_equal(n, full);
        if (cap == 0) continue;
        /* a prefix of the full output that never ends inside an escape */
        size_t got = strlen(buf);
        assert_true(got < cap);
        assert_memory_equal(buf, big, got);
        assert_true(got != 4 /* "ab\ */);
    }
}

static void test_basic_fields(void **state)
{
    (void)state;
    mg_validator *v = new_validator();
    const char msg[] = "{\"k\":1}";
    assert_int_not_equal(mg_validate(v, &schemas[0], msg, 7, 8), MG_OK);
    char out[2048];
    size_t n = mg_output_basic(v, 0, out, sizeof out);
    assert_int_equal(n, strlen(out));
    assert_non_null(strstr(out, "{\"valid\":false,\"errors\":[{\"keywordLocation\":\"/required\","
                                "\"instanceLocation\":\"\",\"error\":"));
    assert_non_null(strstr(out, "\"keywordLocation\":\"/properties/a\\\"b/const\""));
    assert_non_null(strstr(out, "\"keywordLocation\":\"/additionalProperties\""));
    assert_json(out);
    /* the cap keeps the first errors */
    n = mg_output_basic(v, 1, out, sizeof out);
    assert_non_null(strstr(out, "/required"));
    assert_null(strstr(out, "/additionalProperties"));
    assert_json(out);
    mg_validator_free(v);
}

static void test_basic_parse_reject(void **state)
{
    (void)state;
    mg_validator *v = new_validator();
    assert_int_not_equal(mg_validate(v, &schemas[0], "{\"a\":", 5, 6), MG_OK);
    char out[1024];
    mg_output_basic(v, 0, out, sizeof out);
    assert_non_null(strstr(out, "{\"valid\":false,\"errors\":[{\"keywordLocation\":\"\","
                                "\"instanceLocation\":\"\",\"error\":\""));
    assert_json(out);
    mg_validator_free(v);
}

static void test_basic_small_buffer_still_json(void **state)
{
    (void)state;
    mg_validator *v = new_validator();
    assert_int_not_equal(mg_validate(v, &schemas[0], "{}", 2, 3), MG_OK);
    char full[2048];
    size_t n = mg_output_basic(v, 0, full, sizeof full);
    for (size_t cap = 28; cap < n; cap++) {
        char buf[2048];
        size_t m = mg_output_basic(v, 0, buf, cap);
        assert_int_equal(m, n);
        assert_true(strlen(buf) < cap);
        assert_json(buf);
    }
    mg_validator_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_escapes),
        cmocka_unit_test(test_quote_truncates_whole),
        cmocka_unit_test(test_basic_fields),
        cmocka_unit_test(test_basic_parse_reject),
        cmocka_unit_test(test_basic_small_buffer_still_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
