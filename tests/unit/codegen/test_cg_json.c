/* test_cg_json.c - unit tests for cg_json.c (parser, pointers, equality, writer, numbers).
 *
 * Design: each test parses small literal documents and checks the tree, the exact error
 * message (position and expectation), or the round trip through cj_snprint. Rejection cases
 * are table-driven with the expected "line L, column C: ..." prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_json.h"

static cj_node *parse(const char *s)
{
    char err[256];
    cj_node *n = cj_parse(s, strlen(s), err, sizeof err);
    if (!n) fail_msg("parse(%s) failed: %s", s, err);
    return n;
}

/* Parses s, expecting failure with an error starting with want. */
static void expect_error(const char *s, size_t len, const char *want)
{
    char err[256];
    cj_node *n = cj_parse(s, len, err, sizeof err);
    if (n) {
        cj_free(n);
        fail_msg("parse(%s) unexpectedly succeeded", s);
    }
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("parse(%s): error \"%s\", want prefix \"%s\"", s, err, want);
}

static void test_tree(void **state)
{
    (void)state;
    cj_node *r = parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\"}} ");
    assert_int_equal(r->type, CJ_OBJECT);
    assert_int_equal(r->n, 2);
    assert_null(r->parent);
    assert_string_equal(r->keys[0], "a");
    assert_string_equal(r->keys[1], "b");
    cj_node *a = cj_get(r, "a");
    assert_int_equal(a->type, CJ_ARRAY);
    assert_int_equal(a->n, 5);
    assert_ptr_equal(a->parent, r);
    assert_int_equal(a->index, 0);
    assert_int_equal(a->items[0]->type, CJ_NUMBER);
    assert_string_equal(a->items[1]->str, "-2.5e3");
    assert_int_equal(a->items[1]->len, 6);
    assert_int_equal(a->items[2]->type, CJ_TRUE);
    assert_int_equal(a->items[3]->type, CJ_FALSE);
    assert_int_equal(a->items[4]->type, CJ_NULL);
    assert_int_equal(a->items[4]->index, 4);
    cj_node *c = cj_get(cj_get(r, "b"), "c");
    assert_int_equal(c->type, CJ_STRING);
    assert_string_equal(c->str, "x");
    assert_ptr_equal(cj_root(c), r);
    assert_ptr_equal(c->doc, r->doc);
    size_t kl;
    assert_string_equal(cj_key(c, &kl), "c");
    assert_int_equal(kl, 1);
    assert_null(cj_key(a->items[0], &kl));
    assert_null(cj_key(r, &kl));
    assert_null(cj_get(r, "zz"));
    assert_null(cj_get(a, "a"));
    cj_free(r);

    r = parse("42");
    assert_int_equal(r->type, CJ_NUMBER);
    assert_string_equal(r->str, "42");
    cj_free(r);
    r = parse("[]");
    assert_int_equal(r->n, 0);
    cj_free(r);
    r = parse("{}");
    assert_int_equal(r->type, CJ_OBJECT);
    assert_int_equal(r->n, 0);
    cj_free(r);
}

static void test_strings(void **state)
{
    (void)state;
    cj_node *r = parse("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00 \xc3\xa9\"");
    assert_string_equal(r->str, "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9");
    cj_free(r);

    r = parse("\"x\\u0000y\"");
    assert_int_equal(r->len, 3);
    assert_memory_equal(r->str, "x\0y", 4);
    cj_free(r);

    r = parse("{\"k\\u0000\":1,\"k\":2}");
    assert_int_equal(r->n, 2);
    assert_int_equal(r->key_lens[0], 2);
    assert_string_equal(cj_get(r, "k")->str, "2");
    cj_free(r);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } t[] = {
        {"", "line 1, column 1: expected a value"},
        {"  ", "line 1, column 3: expected a value"},
        {"{\"a\":1,}", "line 1, column 8: expected a string (member name), found '}'"},
        {"[1,]", "line 1, column 4: expected a value"},
        {"[1 2]", "line 1, column 4: expected ',' or ']'"},
        {"{\"a\" 1}", "line 1, column 6: expected ':'"},
        {"{\"a\":1 \"b\":2}", "line 1, column 8: expected ',' or '}'"},
        {"{a:1}", "line 1, column 2: expected a string (member name) or '}', found 'a'"},
        {"{\n  \"a\": 1,\n  \"a\": 2\n}", "line 3, column 3: duplicate member name \"a\""},
        {"01", "line 1, column 1: leading zeros"},
        {"-", "line 1, column 2: expected a digit after '-'"},
        {"1.", "line 1, column 3: expected a digit after '.'"},
        {"1e+", "line 1, column 4: expected a digit in the exponent"},
        {".5", "line 1, column 1: expected a value"},
        {"+1", "line 1, column 1: expected a value"},
        {"NaN", "line 1, column 1: expected a value"},
        {"tru", "line 1, column 4: expected 'true', found end of input"},
        {"nul1", "line 1, column 4: expected 'null'"},
        {"true false", "line 1, column 6: expected end of input"},
        {"[1]x", "line 1, column 4: expected end of input"},
        {"\"abc", "line 1, column 5: expected '\"' to close the string"},
        {"\"a\tb\"", "line 1, column 3: control character U+0009"},
        {"\"\\x\"", "line 1, column 3: expected an escape character"},
        {"\"\\u12g4\"", "line 1, column 6: expected 4 hex digits after \\u"},
        {"\"\\ud83d\"", "line 1, column 2: unpaired high surrogate \\uD83D"},
        {"\"\\ud83dx\"", "line 1, column 2: unpaired high surrogate"},
        {"\"\\ud83d\\u0041\"", "line 1, column 8: expected a low surrogate"},
        {"\"\\ude00\"", "line 1, column 2: unpaired low surrogate \\uDE00"},
        {"\"\xc3\xa9\xff\"", "line 1, column 3: invalid UTF-8 byte 0xFF"},
        {"\"\xc0\xaf\"", "line 1, column 2: invalid UTF-8 byte 0xC0"},
        {"\"\xed\xa0\x80\"", "line 1, column 2: invalid UTF-8 byte 0xED"},
        {"\"\xf4\x90\x80\x80\"", "line 1, column 2: invalid UTF-8 byte 0xF4"},
        {"\"\xe2\x82\"", "line 1, column 2: invalid UTF-8 byte 0xE2"},
        {"\xc3\xa9", "line 1, column 1: expected a value"},
        {"[1,\n\xc3\xa9 2]", "line 2, column 1: expected a value"},
        {"[\"\xc3\xa9\" 2]", "line 1, column 6: expected ',' or ']'"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        expect_error(t[i].text, strlen(t[i].text), t[i].want);
    expect_error(
        "[1,\0]", 5,
        "line 1, column 4: expected a value (object, array, string, number, true, false or "
        "null), found byte 0x00");
}

static void test_nesting(void **state)
{
    (void)state;
    char buf[2100];
    for (int depth = 1000; depth <= 1001; depth++) {
        memset(buf, '[', (size_t)depth);
        memset(buf + depth, ']', (size_t)depth);
        char err[128];
        cj_node *r = cj_parse(buf, (size_t)depth * 2, err, sizeof err);
        if (depth == 1000) {
            assert_non_null(r);
            cj_free(r);
        } else {
            assert_null(r);
            assert_string_equal(err, "line 1, column 1001: nesting deeper than 1000 levels");
        }
    }
}

static void test_pointers(void **state)
{
    (void)state;
    cj_node *r = parse("{\"a/b\":[0,{\"c~d\":5}],\"\":{\"\":7},\"01\":1,\"x\":[10,11]}");
    cj_node *n = cj_pointer_get(r, "/a~1b/1/c~0d", 12);
    assert_non_null(n);
    assert_string_equal(n->str, "5");
    char buf[64];
    assert_int_equal(cj_pointer_of(n, buf, sizeof buf), 12);
    assert_string_equal(buf, "/a~1b/1/c~0d");
    assert_ptr_equal(cj_pointer_get(r, buf, strlen(buf)), n);

    assert_ptr_equal(cj_pointer_get(r, "", 0), r);
    assert_int_equal(cj_pointer_of(r, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_string_equal(cj_pointer_get(r, "//", 2)->str, "7");
    assert_string_equal(cj_pointer_get(r, "/01", 3)->str, "1");
    assert_string_equal(cj_pointer_get(r, "/x/1", 4)->str, "11");
    assert_null(cj_pointer_get(r, "/x/01", 5));
    assert_null(cj_pointer_get(r, "/x/2", 4));
    assert_null(cj_pointer_get(r, "/x/-", 4));
    assert_null(cj_pointer_get(r, "/x/", 3));
    assert_null(cj_pointer_get(r, "/x/+1", 5));
    assert_null(cj_pointer_get(r, "/x/99999999999999999999999", 26));
    assert_null(cj_pointer_get(r, "x", 1));
    assert_null(cj_pointer_get(r, "/a~2b", 5));
    assert_null(cj_pointer_get(r, "/a~", 3));
    assert_null(cj_pointer_get(r, "/01/x", 5));

    /* Truncation behaves like snprintf. */
    char small[5];
    assert_int_equal(cj_pointer_of(n, small, sizeof small), 12);
    assert_string_equal(small, "/a~1");
    cj_free(r);
}

static void test_equal(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        bool eq;
    } t[] = {
        {"1", "1.0", true},
        {"1", "1e0", true},
        {"1", "10e-1", true},
        {"100", "1e2", true},
        {"100", "1E+2", true},
        {"0.001", "1e-3", true},
        {"-0", "0", true},
        {"0.0", "-0e5", true},
        {"1", "-1", false},
        {"1", "1.0000000000000000000001", false},
        {"12345678901234567890123", "12345678901234567890124", false},
        {"\"a\"", "\"a\"", true},
        {"\"a\"", "\"b\"", false},
        {"\"a\\u0000\"", "\"a\"", false},
        {"\"1\"", "1", false},
        {"true", "false", false},
        {"null", "null", true},
        {"[1,2]", "[1.0,2e0]", true},
        {"[1,2]", "[2,1]", false},
        {"[1,2]", "[1,2,3]", false},
        {"{\"a\":1,\"b\":[{}]}", "{\"b\":[{}],\"a\":1.00}", true},
        {"{\"a\":1}", "{\"a\":1,\"b\":1}", false},
        {"{\"a\":1}", "{\"b\":1}", false},
        {"{}", "[]", false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cj_node *a = parse(t[i].a), *b = parse(t[i].b);
        if (cj_equal(a, b) != t[i].eq || cj_equal(b, a) != t[i].eq)
            fail_msg("cj_equal(%s, %s) != %d", t[i].a, t[i].b, t[i].eq);
        cj_free(a);
        cj_free(b);
    }
}

static void test_write(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } t[] = {
        {" { \"b\" : [ 1 , 2.50 , true ] , \"a\" : null } ", "{\"b\":[1,2.50,true],\"a\":null}"},
        {"\"q\\\"b\\\\s\\/n\\n\\u0001\\u001f\xc3\xa9\"",
         "\"q\\\"b\\\\s/n\\n\\u0001\\u001f\xc3\xa9\""},
        {"\"\\u0000\"", "\"\\u0000\""},
        {"[[],{},\"\"]", "[[],{},\"\"]"},
        {"{\"k\\n\":-0.0e-1}", "{\"k\\n\":-0.0e-1}"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cj_node *r = parse(t[i].in);
        char buf[128];
        size_t n = cj_snprint(buf, sizeof buf, r);
        assert_string_equal(buf, t[i].out);
        assert_int_equal(n, strlen(t[i].out));
        cj_node *again = parse(buf);
        assert_true(cj_equal(r, again));
        cj_free(again);
        cj_free(r);
    }

    cj_node *r = parse("[\"abcdef\"]");
    char small[4];
    assert_int_equal(cj_snprint(small, sizeof small, r), 10);
    assert_string_equal(small, "[\"a");
    assert_int_equal(cj_snprint(NULL, 0, r), 10);

    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    assert_non_null(f);
    cj_write(f, r);
    fclose(f);
    assert_string_equal(mem, "[\"abcdef\"]");
    free(mem);
    cj_free(r);
}

static void test_decimal(void **state)
{
    (void)state;
    static const struct {
        const char *num;
        bool neg;
        const char *digits;
        int64_t exp;
    } t[] = {
        {"0", false, "0", 0},        {"-0.000", false, "0", 0},
        {"1", false, "1", 0},        {"1.0", false, "1", 0},
        {"10e-1", false, "1", 0},    {"-120", true, "12", 1},
        {"0.0012", false, "12", -4}, {"1.50e3", false, "15", 2},
        {"1E-2", false, "1", -2},    {"100.001", false, "100001", -3},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cj_node *n = parse(t[i].num);
        cj_decimal d;
        assert_true(cj_decimal_of(n, &d));
        assert_int_equal(d.neg, t[i].neg);
        assert_string_equal(d.digits, t[i].digits);
        assert_int_equal(d.ndigits, strlen(t[i].digits));
        if (d.exp != t[i].exp)
            fail_msg("%s: exp %lld, want %lld", t[i].num, (long long)d.exp, (long long)t[i].exp);
        cj_free(n);
    }

    /* Long numbers: significant digits bounded, insignificant zeros free. */
    char buf[2000];
    buf[0] = '1';
    memset(buf + 1, '0', 1500);
    buf[1501] = '\0';
    cj_node *n = parse(buf);
    cj_decimal d;
    assert_true(cj_decimal_of(n, &d));
    assert_string_equal(d.digits, "1");
    assert_int_equal(d.exp, 1500);
    cj_free(n);
    memset(buf, '7', 1500);
    n = parse(buf);
    assert_false(cj_decimal_of(n, &d));
    cj_free(n);
    n = parse("1e99999999999999999999");
    assert_false(cj_decimal_of(n, &d));
    cj_free(n);
    n = parse("\"1\"");
    assert_false(cj_decimal_of(n, &d));
    cj_free(n);
}

static void test_integers(void **state)
{
    (void)state;
    static const struct {
        const char *num;
        bool is_int, i64_ok, u64_ok;
        int64_t i64;
        uint64_t u64;
    } t[] = {
        {"0", true, true, true, 0, 0},
        {"-0", true, true, true, 0, 0},
        {"1.0", true, true, true, 1, 1},
        {"1e2", true, true, true, 100, 100},
        {"12.5e1", true, true, true, 125, 125},
        {"1.5", false, false, false, 0, 0},
        {"1e-2", false, false, false, 0, 0},
        {"-7", true, true, false, -7, 0},
        {"9223372036854775807", true, true, true, INT64_MAX, 9223372036854775807u},
        {"9223372036854775808", true, false, true, 0, 9223372036854775808u},
        {"-9223372036854775808", true, true, false, INT64_MIN, 0},
        {"-9223372036854775809", true, false, false, 0, 0},
        {"18446744073709551615", true, false, true, 0, UINT64_MAX},
        {"18446744073709551616", true, false, false, 0, 0},
        {"1.8446744073709551615e19", true, false, true, 0, UINT64_MAX},
        {"1e19", true, false, true, 0, 10000000000000000000u},
        {"1e20", true, false, false, 0, 0},
        {"100000000000000000000e-2", true, true, true, 1000000000000000000, 1000000000000000000u},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cj_node *n = parse(t[i].num);
        int64_t iv = 0;
        uint64_t uv = 0;
        if (cj_is_integer(n) != t[i].is_int) fail_msg("cj_is_integer(%s)", t[i].num);
        if (cj_to_int64(n, &iv) != t[i].i64_ok || (t[i].i64_ok && iv != t[i].i64))
            fail_msg("cj_to_int64(%s)", t[i].num);
        if (cj_to_uint64(n, &uv) != t[i].u64_ok || (t[i].u64_ok && uv != t[i].u64))
            fail_msg("cj_to_uint64(%s)", t[i].num);
        cj_free(n);
    }
    cj_node *n = parse("-2.5e-1");
    assert_true(cj_to_double(n) == -0.25);
    cj_free(n);
    n = parse("1e400");
    assert_true(cj_to_double(n) > 1e308);
    cj_free(n);
}

static void test_parse_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_cg_json_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *doc = "{\n  \"a\": [1, 2]\n}\n";
    assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    char err[512];
    cj_node *r = cj_parse_file(path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(cj_get(r, "a")->n, 2);
    cj_free(r);

    FILE *f = fopen(path, "w");
    fputs("{\n  \"a\": [1, 2,]\n}\n", f);
    fclose(f);
    assert_null(cj_parse_file(path, err, sizeof err));
    char want[600];
    snprintf(want, sizeof want, "%s: line 2, column 14: expected a value", path);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    unlink(path);

    assert_null(cj_parse_file(path, err, sizeof err));
    assert_true(strncmp(err, path, strlen(path)) == 0);
    assert_non_null(strstr(err, "cannot open"));
}

static void test_bom_and_large(void **state)
{
    (void)state;
    cj_node *r = parse("\xEF\xBB\xBF[1]");
    assert_int_equal(r->n, 1);
    cj_free(r);

    /* Many members and elements: arena chunking and the duplicate-key index. */
    size_t cap = 2000000;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t o = 0;
    big[o++] = '{';
    for (int i = 0; i < 20000; i++)
        o += (size_t)snprintf(big + o, cap - o, "%s\"k%d\":[%d,\"v\"]", i ? "," : "", i, i);
    big[o++] = '}';
    char err[256];
    r = cj_parse(big, o, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(r->n, 20000);
    assert_string_equal(cj_get(r, "k19999")->items[0]->str, "19999");
    char ptr[32];
    cj_pointer_of(cj_get(r, "k123")->items[1], ptr, sizeof ptr);
    assert_string_equal(ptr, "/k123/1");
    cj_free(r);

    o += (size_t)snprintf(big + o - 1, cap - o, ",\"k777\":0}") - 1;
    r = cj_parse(big, o, err, sizeof err);
    assert_null(r);
    assert_non_null(strstr(err, "duplicate member name \"k777\""));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree),          cmocka_unit_test(test_strings),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_pointers),      cmocka_unit_test(test_equal),
        cmocka_unit_test(test_write),         cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_integers),      cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_bom_and_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
