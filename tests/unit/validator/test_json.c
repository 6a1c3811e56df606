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
    assert_int_equal(off, 6);
    /* an escaped NUL is fine, and the tape keeps it */
    assert_int_equal(parse_s(p, "\"a\\u0000b\"", &d, &off), MG_JSON_OK);
    uint32_t n;
    const char *s = mg_str(&d, MG_DOC_ROOT, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\0b", 3);
}

/* Every rejected text names the byte where it went wrong and what was expected there. */
static void test_error_positions(void **state)
{
    mg_json_parser *p = *state; /* max_depth 8 */
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        mg_json_err err;
        size_t offset;
        const char *detail; /* contained in mg_json_error_detail */
    } cases[] = {
        {"xyz{\"a\":1}", 0, MG_JSON_SYNTAX, 0, "expected a JSON value, found 'x'"},
        {"q8#!Lz&", 0, MG_JSON_SYNTAX, 0, "expected a JSON value, found 'q'"},
        {"{\"a\" 1}", 0, MG_JSON_SYNTAX, 5, "expected ':' after the member name, found '1'"},
        {"{\"a\":1,}", 0, MG_JSON_SYNTAX, 7, "expected '\"' starting a member name, found '}'"},
        {"{\"a\":1 \"b\":2}", 0, MG_JSON_SYNTAX, 7, "expected ',' or '}', found '\"'"},
        {"[1,]", 0, MG_JSON_SYNTAX, 3, "expected a value, found ']'"},
        {"[1 2]", 0, MG_JSON_SYNTAX, 3, "expected ',' or ']', found '2'"},
        {"{\"a\": [1, 2", 0, MG_JSON_SYNTAX, 11,
         "expected ',' or ']', found the end of the message"},
        {"{} {}", 0, MG_JSON_SYNTAX, 3,
         "expected the end of the message after the JSON value, found '{'"},
        {"tru", 0, MG_JSON_SYNTAX, 3, "expected 'e' (true), found the end of the message"},
        {"[nul]", 0, MG_JSON_SYNTAX, 4, "expected 'l' (null), found ']'"},
        {"[truex]", 0, MG_JSON_SYNTAX, 5, "expected ',' or ']', found 'x'"},
        {"\"abc", 0, MG_JSON_SYNTAX, 4,
         "expected '\"' closing the string that starts at byte 0, found the end of the message"},
        {"\xef\xbb\xbf{}", 0, MG_JSON_SYNTAX, 0,
         "expected a JSON value, found a UTF-8 byte order mark (U+FEFF), which JSON on the wire "
         "must not have"},
        {"{}\0", 3, MG_JSON_SYNTAX, 2,
         "expected the end of the message after the JSON value, found byte 0x00"},
        {"[1,\0 2]", 7, MG_JSON_SYNTAX, 3, "expected a value, found byte 0x00"},
        {"\x7f", 0, MG_JSON_SYNTAX, 0, "expected a JSON value, found byte 0x7f"},
        {"01", 0, MG_JSON_NUMBER, 1,
         "expected '.', 'e' or the end of the number after a leading 0, found '1'"},
        {"[1.]", 0, MG_JSON_NUMBER, 3, "expected a digit after '.', found ']'"},
        {"-", 0, MG_JSON_NUMBER, 1, "expected a digit after '-', found the end of the message"},
        {"1e+", 0, MG_JSON_NUMBER, 3,
         "expected a digit in the exponent, found the end of the message"},
        {"[1x]", 0, MG_JSON_NUMBER, 2,
         "expected a digit, '.', 'e' or the end of the number, found 'x'"},
        {"[1e999999]", 0, MG_JSON_NUMBER, 1,
         "a number beyond the range of a double (about 1.8e308)"},
        {"-1e999999", 0, MG_JSON_NUMBER, 0,
         "a number beyond the range of a double (about 1.8e308)"},
        {"[0, 1.7976931348623159e308]", 0, MG_JSON_NUMBER, 4, "a number beyond the range"},
        {"123456789012345678901", 0, MG_JSON_NUMBER, 0, "an integer beyond the 64-bit range"},
        {"[-9223372036854775809]", 0, MG_JSON_NUMBER, 1, "an integer beyond the 64-bit range"},
        {"{\"a\": 18446744073709551616}", 0, MG_JSON_NUMBER, 6, "an integer beyond the 64-bit"},
        {"\"bad \\x\"", 0, MG_JSON_STRING, 6,
         "expected one of b f n r t u / \" or a backslash after a backslash in a string, found "
         "'x'"},
        {"[\"\\u12\"]", 0, MG_JSON_STRING, 2, "expected 4 hex digits after 'u' in an escape"},
        {"[\"\\ud800\"]", 0, MG_JSON_STRING, 2, "a high surrogate escape"},
        {"{\"\\udc00\":1}", 0, MG_JSON_STRING, 2, "a low surrogate escape"},
        {"[\"a\",\"b\tc\"]", 0, MG_JSON_STRING, 7, "unescaped control character 0x09"},
        {"\"\xc0\xaf\"", 0, MG_JSON_UTF8, 1, "byte 0xc0: an overlong encoding"},
        {"\"\xe0\x80\xaf\"", 0, MG_JSON_UTF8, 1, "byte 0xe0: an overlong encoding"},
        {"\"\xed\xa0\x80\"", 0, MG_JSON_UTF8, 1, "a UTF-16 surrogate"},
        {"\"\xf4\x90\x80\x80\"", 0, MG_JSON_UTF8, 1, "beyond U+10FFFF"},
        {"\"\xf5\x80\x80\x80\"", 0, MG_JSON_UTF8, 1, "beyond U+10FFFF"},
        {"\"ok\xe2\x82\"", 0, MG_JSON_UTF8, 3, "a truncated sequence"},
        {"\"\x80\"", 0, MG_JSON_UTF8, 1, "a continuation byte without a lead byte"},
        {"\"\xfe\"", 0, MG_JSON_UTF8, 1, "byte 0xfe or 0xff"},
        {"\xff", 0, MG_JSON_UTF8, 0, "byte 0xff"},
        {"[[[[[[[[[1]]]]]]]]]", 0, MG_JSON_DEPTH, 8, "this '[' opens level 9; the limit is 8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mg_doc d;
        size_t off = 0, len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        mg_json_err e = parse_n(p, cases[i].text, len, &d, &off);
        const char *detail = mg_json_error_detail(p);
        if (e != cases[i].err || off != cases[i].offset || !strstr(detail, cases[i].detail))
            print_error("case %zu: got %d at %zu: %s\n", i, e, off, detail);
        assert_int_equal(e, cases[i].err);
        assert_int_equal(off, cases[i].offset);
        assert_non_null(strstr(detail, cases[i].detail));
    }
}

/* The error path reads a text as RFC 8259 does: on mutations of valid documents it must find an
 * error exactly when simdjson does (apart from invalid UTF-8, which simdjson checks first). */
static void test_locate_agrees_with_simdjson(void **state)
{
    mg_json_parser *p = *state; /* max_depth 8 */
    static const char *const docs[] = {
        "{\"a\": [1, -2.5e3, true, false, null, {\"b\": \"x\\u00e9\\n\"}], \"c\": {}}",
        "[[[[[[[[1]]]]]]], [ ], {  }, 0, -0.0, 1E+2, \"\\ud83d\\ude00\", 18446744073709551615]",
        "\"caf\xc3\xa9 \\\"quoted\\\" \\\\ \\/ \\b\\f\\r\\t\"",
        "{\"k\":{\"k\":{\"k\":[-9223372036854775808, 1.7976931348623157e308, 5e-324]}}}",
    };
    static const char alphabet[] = "{}[],:\" \t\n\\/-+.eE0123456789tfnrulsau\x01\x7f\xc3\xa9";
    unsigned seed = 7;
    char buf[256];
    unsigned char stack[2];
    for (int round = 0; round < 200000; round++) {
        const char *doc = docs[round % 4];
        size_t n = strlen(doc);
        memcpy(buf, doc, n);
        for (int k = 0; k < 1 + round % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            char c = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
            switch ((seed >> 16) % 3) {
            case 0: /* replace */
                buf[at] = c;
                break;
            case 1: /* insert */
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = c;
                n++;
                break;
            default: /* delete */
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
            }
        }
        mg_doc d;
        size_t off;
        char detail[192];
        mg_json_err simd = mg_json_parse(p, buf, n, n, &d, &off);
        mg_json_err mine = mg_json_locate(buf, n, 8, stack, &off, detail, sizeof detail);
        if (simd == MG_JSON_UTF8 || simd == MG_JSON_EMPTY) continue;
        /* a raw control character in a string is found before the structure is read */
        bool stage1 = mg_json_control_error(buf, n, detail, sizeof detail) < n;
        if ((simd == MG_JSON_OK) != (mine == MG_JSON_OK) ||
            (mine != MG_JSON_OK && simd != mine && !stage1) || (stage1 && simd != MG_JSON_STRING)) {
            print_error("%d vs %d (stage 1: %d) on %zu bytes: %s\n", simd, mine, stage1, n, detail);
            for (size_t k = 0; k < n; k++)
                print_error("%02x", (unsigned char)buf[k]);
            print_error("\n");
        }
        assert_int_equal(simd == MG_JSON_OK, mine == MG_JSON_OK);
        if (stage1)
            assert_int_equal(simd, MG_JSON_STRING);
        else if (mine != MG_JSON_OK)
            assert_int_equal(simd, mine);
    }
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
        cmocka_unit_test_setup_teardown(test_error_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locate_agrees_with_simdjson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test(test_size),
        cmocka_unit_test_setup_teardown(test_tape_walk, setup, teardown),
        cmocka_unit_test(test_large_count),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
