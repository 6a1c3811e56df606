/* test_json.c - unit tests for the simdjson wrapper and the tape reader (validator/mg_json.h).
 *
 * Design: each test parses literal inputs through one mg_json_parser and checks either the
 * exact mg_json_err (and the reported byte offset) for rejects, or the tape as read through
 * the inline helpers (types, payloads, counts, loops) for accepted documents. Inputs are
 * parsed both in place (with padding) and through the parser's copy buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mg_json.h"

static int setup(void **state)
{
    *state = mg_json_parser_new(4096, 8);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    mg_json_parser_free(*state);
    return 0;
}

/* Parses s[0..n) from a buffer without padding (copied) and again with padding (in place);
 * both must agree. Returns the error and the offset. */
static mg_json_err parse_n(mg_json_parser *p, const char *s, size_t n, mg_doc *doc, size_t *off)
{
    char *padded = calloc(1, n + MG_JSON_PADDING);
    assert_non_null(padded);
    memcpy(padded, s, n);
    size_t off2 = 0;
    mg_doc d2;
    mg_json_err e2 = mg_json_parse(p, padded, n, n + MG_JSON_PADDING, &d2, &off2);
    mg_json_err e = mg_json_parse(p, s, n, n, doc, off);
    free(padded);
    assert_int_equal(e, e2);
    if (e != MG_JSON_OK && off) assert_int_equal(*off, off2);
    return e;
}

static mg_json_err parse_s(mg_json_parser *p, const char *s, mg_doc *doc, size_t *off)
{
    return parse_n(p, s, strlen(s), doc, off);
}

static void test_rejects(void **state)
{
    mg_json_parser *p = *state;
    mg_doc d;
    size_t off;
    assert_int_equal(parse_s(p, "", &d, &off), MG_JSON_EMPTY);
    assert_int_equal(off, 0);
    assert_int_equal(parse_s(p, " \n\t\r ", &d, &off), MG_JSON_EMPTY);
    assert_int_equal(parse_s(p, "{\"a\": [1, 2", &d, &off), MG_JSON_SYNTAX);
    assert_int_equal(parse_s(p, "[1,]", &d, &off), MG_JSON_SYNTAX);
    assert_int_equal(parse_s(p, "{} {}", &d, &off), MG_JSON_SYNTAX);
    assert_int_equal(parse_s(p, "tru", &d, &off), MG_JSON_SYNTAX);
    assert_int_equal(parse_s(p, "\"abc", &d, &off), MG_JSON_SYNTAX);
}

static void test_utf8(void **state)
{
    mg_json_parser *p = *state;
    mg_doc d;
    size_t off;
    assert_int_equal(parse_s(p, "\"\xff\"", &d, &off), MG_JSON_UTF8);
    assert_int_equal(off, 1);
    assert_int_equal(parse_s(p, "[\"ok\", \"\xc3\xa9\", \"\xc0\xaf\"]", &d, &off), MG_JSON_UTF8);
    assert_int_equal(off, 14);
    /* a UTF-16 surrogate encoded in UTF-8 */
    assert_int_equal(parse_s(p, "\"\xed\xa0\x80\"", &d, &off), MG_JSON_UTF8);
    assert_int_equal(off, 1);
    /* truncated sequence */
    assert_int_equal(parse_s(p, "\"\xe2\x82\"", &d, &off), MG_JSON_UTF8);
    assert_int_equal(parse_s(p, "\"\xe2\x82\xac\xf0\x9f\x98\x80\"", &d, &off), MG_JSON_OK);
}

static void test_nul_and_strings(void **state)
{
    mg_json_parser *p = *state;
    mg_doc d;
    size_t off;
    /* a raw NUL inside a string is an unescaped control character */
    assert_int_equal(parse_n(p, "[\"a\0b\"]", 7, &d, &off), MG_JSON_STRING);
    assert_int_equal(off, 3);
    /* a NUL outside any string is malformed JSON */
    assert_int_equal(parse_n(p, "[1,\0 2]", 7, &d, &off), MG_JSON_SYNTAX);
    assert_int_equal(parse_n(p, "{}\0", 3, &d, &off), MG_JSON_SYNTAX);
    assert_int_equal(parse_s(p, "\"tab\there\"", &d, &off), MG_JSON_STRING);
    assert_int_equal(off, 4);
    assert_int_equal(parse_s(p, "\"bad \\x escape\"", &d, &off), MG_JSON_STRING);
    assert_int_equal(off, 5);
    /* an escaped NUL is fine, and the tape keeps it */
    assert_int_equal(parse_s(p, "\"a\\u0000b\"", &d, &off), MG_JSON_OK);
    uint32_t n;
    const char *s = mg_str(&d, MG_DOC_ROOT, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\0b", 3);
}

static void test_numbers(void **state)
{
    mg_json_parser *p = *state;
    mg_doc d;
    size_t off;
    /* 20 digits: beyond uint64, refused by design */
    assert_int_equal(parse_s(p, "[123456789012345678901]", &d, &off), MG_JSON_NUMBER);
    assert_int_equal(parse_s(p, "-9223372036854775809", &d, &off), MG_JSON_NUMBER);
    assert_int_equal(parse_s(p, "1e400", &d, &off), MG_JSON_NUMBER);
    assert_int_equal(parse_s(p, "01", &d, &off), MG_JSON_NUMBER);
    assert_int_equal(parse_s(p, "1.", &d, &off), MG_JSON_NUMBER);

    assert_int_equal(parse_s(p, "18446744073709551615", &d, &off), MG_JSON_OK);
    assert_int_equal(mg_type(&d, MG_DOC_ROOT), MG_TAPE_UINT64);
    assert_true(mg_uint64(&d, MG_DOC_ROOT) == UINT64_MAX);
    assert_int_equal(parse_s(p, "-9223372036854775808", &d, &off), MG_JSON_OK);
    assert_int_equal(mg_type(&d, MG_DOC_ROOT), MG_TAPE_INT64);
    assert_true(mg_int64(&d, MG_DOC_ROOT) == INT64_MIN);
    assert_int_equal(parse_s(p, "2.5e-3", &d, &off), MG_JSON_OK);
    assert_int_equal(mg_type(&d, MG_DOC_ROOT), MG_TAPE_DOUBLE);
    assert_true(mg_double(&d, MG_DOC_ROOT) == 2.5e-3);
    assert_true(mg_is_number(&d, MG_DOC_ROOT));
    assert_true(mg_as_double(&d, MG_DOC_ROOT) == 2.5e-3);
}

static void test_depth(void **state)
{
    mg_json_parser *p = *state; /* max_depth 8 */
    mg_doc d;
    size_t off;
    assert_int_equal(parse_s(p, "[[[[[[[[1]]]]]]]]", &d, &off), MG_JSON_OK);
    assert_int_equal(parse_s(p, "[{\"a\":[[[[[[1]]]]]]}]", &d, &off), MG_JSON_OK);
    assert_int_equal(parse_s(p, "[[[[[[[[[1]]]]]]]]]", &d, &off), MG_JSON_DEPTH);
    assert_int_equal(off, 8);
    /* empty containers do not count as a level */
    assert_int_equal(parse_s(p, "[[[[[[[[{}, [ ]]]]]]]]]", &d, &off), MG_JSON_OK);
    /* brackets inside strings are not nesting */
    assert_int_equal(parse_s(p, "[\"[[[[[[[[[\", [[[[[[[ {} , {\"a\":1}]]]]]]]]", &d, &off),
                     MG_JSON_DEPTH);
    assert_int_equal(off, 27);
}

static void test_size(void **state)
{
    (void)state;
    mg_json_parser *p = mg_json_parser_new(10, 4);
    assert_non_null(p);
    mg_doc d;
    size_t off;
    assert_int_equal(parse_s(p, "[1,2,3,4]", &d, &off), MG_JSON_OK);
    assert_int_equal(parse_s(p, "[1,2,3,4,5]", &d, &off), MG_JSON_TOO_LARGE);
    assert_int_equal(off, 10);
    assert_int_equal(parse_s(p, "\"0123456789\"", &d, &off), MG_JSON_TOO_LARGE);
    assert_int_equal(parse_s(p, "[1,2,3,44]", &d, &off), MG_JSON_OK);
    assert_int_equal(mg_count(&d, MG_DOC_ROOT), 4);
    mg_json_parser_free(p);
    assert_null(mg_json_parser_new(100, 0));
}

static void test_tape_walk(void **state)
{
    mg_json_parser *p = *state;
    mg_doc d;
    const char *js = "{\"a\": [1, -2, 3.5, \"x\", true, false, null, {}, []], \"b~/\": {\"c\": 1}}";
    assert_int_equal(parse_s(p, js, &d, NULL), MG_JSON_OK);
    assert_int_equal(mg_type(&d, MG_DOC_ROOT), MG_TAPE_OBJECT);
    assert_int_equal(mg_count(&d, MG_DOC_ROOT), 2);
    uint32_t key_a = MG_DOC_ROOT + 1;
    assert_true(mg_str_eq(&d, key_a, "a", 1));
    uint32_t arr = key_a + 1;
    assert_int_equal(mg_type(&d, arr), MG_TAPE_ARRAY);
    assert_int_equal(mg_count(&d, arr), 9);
    static const uint8_t types[] = {MG_TAPE_INT64,  MG_TAPE_INT64,  MG_TAPE_DOUBLE,
                                    MG_TAPE_STRING, MG_TAPE_TRUE,   MG_TAPE_FALSE,
                                    MG_TAPE_NULL,   MG_TAPE_OBJECT, MG_TAPE_ARRAY};
    unsigned n = 0;
    MG_ARRAY_FOR(&d, arr, i)
    {
        assert_int_equal(mg_type(&d, i), types[n]);
        n++;
    }
    assert_int_equal(n, 9);
    assert_int_equal(mg_type(&d, mg_close(&d, arr)), MG_TAPE_ARRAY_END);
    const char *keys[] = {"a", "b~/"};
    n = 0;
    MG_OBJECT_FOR(&d, MG_DOC_ROOT, k)
    {
        assert_true(mg_str_eq(&d, k, keys[n], (uint32_t)strlen(keys[n])));
        n++;
    }
    assert_int_equal(n, 2);
    uint32_t key_b = mg_next(&d, arr);
    uint32_t inner = key_b + 1;
    assert_int_equal(mg_count(&d, inner), 1);
    assert_int_equal(mg_int64(&d, inner + 2), 1);
    assert_int_equal(mg_next(&d, inner), mg_close(&d, MG_DOC_ROOT));
    assert_int_equal(mg_next(&d, MG_DOC_ROOT), mg_close(&d, MG_DOC_ROOT) + 1);
}

static void test_large_count(void **state)
{
    (void)state;
    /* more elements than the tape's 24-bit count field holds: mg_count must count */
    size_t n = (size_t)MG_TAPE_COUNT_SATURATED + 5;
    size_t len = 2 * n + 1;
    mg_json_parser *p = mg_json_parser_new(len, 4);
    assert_non_null(p);
    char *s = malloc(len + MG_JSON_PADDING);
    assert_non_null(s);
    s[0] = '[';
    for (size_t i = 0; i < n; i++) {
        s[1 + 2 * i] = '0';
        s[2 + 2 * i] = i + 1 < n ? ',' : ']';
    }
    mg_doc d;
    assert_int_equal(mg_json_parse(p, s, len, len + MG_JSON_PADDING, &d, NULL), MG_JSON_OK);
    assert_int_equal(mg_count(&d, MG_DOC_ROOT), n);
    free(s);
    mg_json_parser_free(p);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int e = MG_JSON_OK; e <= MG_JSON_INTERNAL; e++) {
        const char *m = mg_json_strerror((mg_json_err)e);
        assert_non_null(m);
        assert_true(strlen(m) > 5);
    }
    assert_string_equal(mg_json_strerror(MG_JSON_UTF8), "invalid UTF-8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_and_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test(test_size),
        cmocka_unit_test_setup_teardown(test_tape_walk, setup, teardown),
        cmocka_unit_test(test_large_count),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
