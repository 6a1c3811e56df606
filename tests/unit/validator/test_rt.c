/* test_rt.c - unit tests for the runtime helpers generated validators call (validator/mg_rt.h):
 * error recording, scratch bitsets, the dynamic scope, exact number comparison, decimal
 * multipleOf, code point counting, JSON equality and uniqueItems.
 *
 * Design: values come from real parses (two parsers, so two documents can be compared);
 * an mg_ctx is assembled by hand over test-owned arrays, as mg_validator_new would.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mg_rt.h"

#define MAXB (4u << 20)

typedef struct fixture {
    mg_json_parser *pa, *pb;
    mg_doc a, b;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->pa = mg_json_parser_new(MAXB, 64);
    f->pb = mg_json_parser_new(MAXB, 64);
    *state = f;
    return f->pa && f->pb ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    mg_json_parser_free(f->pa);
    mg_json_parser_free(f->pb);
    free(f);
    return 0;
}

static const mg_doc *doc_a(fixture *f, const char *js)
{
    assert_int_equal(mg_json_parse(f->pa, js, strlen(js), 0, &f->a, NULL), MG_JSON_OK);
    return &f->a;
}

static const mg_doc *doc_b(fixture *f, const char *js)
{
    assert_int_equal(mg_json_parse(f->pb, js, strlen(js), 0, &f->b, NULL), MG_JSON_OK);
    return &f->b;
}

static void test_report(void **state)
{
    (void)state;
    mg_err_rec recs[3];
    mg_ctx c = {.errs = recs, .max_err = 1};
    assert_false(mg_fail(&c, 5, MG_E_MAXIMUM, "#/maximum", "3"));
    assert_int_equal(c.nerr, 1);
    assert_int_equal(recs[0].at, 5);
    assert_int_equal(recs[0].code, MG_E_MAXIMUM);
    assert_string_equal(recs[0].kwloc, "#/maximum");
    assert_false(mg_fail(&c, 6, MG_E_MINIMUM, "#/minimum", "1"));
    assert_int_equal(c.nerr, 1);
    assert_int_equal(recs[0].at, 5);

    c = (mg_ctx){.errs = recs, .max_err = 3};
    c.quiet = 1;
    assert_false(mg_fail(&c, 1, MG_E_TYPE, "#/type", "string"));
    assert_int_equal(c.nerr, 0);
    c.quiet = 0;
    assert_true(mg_fail(&c, 1, MG_E_TYPE, "#/type", "string"));
    assert_true(mg_more(&c));
    assert_true(mg_fail(&c, 2, MG_E_TYPE, "#/type", "string"));
    assert_false(mg_fail(&c, 3, MG_E_TYPE, "#/type", "string"));
    assert_false(mg_more(&c));
    assert_int_equal(c.nerr, 3);
    assert_int_equal(recs[2].at, 3);
}

/* A budget that runs out stops the message: nothing more is recorded, no caller goes on. */
static void test_limit(void **state)
{
    fixture *f = *state;
    mg_err_rec recs[4];
    mg_ctx c = {.doc = *doc_a(f, "[1, 2, 3]"), .errs = recs, .max_err = 4, .steps = 10};
    assert_true(mg_step(&c, MG_DOC_ROOT, "#"));
    assert_int_equal(c.steps, 6); /* 1 + 3 items */
    assert_true(mg_step(&c, MG_DOC_ROOT + 1, "#/items"));
    assert_int_equal(c.steps, 5);
    mg_charge(&c, 100); /* 100 bytes of strings: 6 steps */
    assert_false(mg_step(&c, MG_DOC_ROOT + 3, "#/items"));
    assert_string_equal(c.limit, "validation steps (max_steps)");
    assert_int_equal(c.limit_at, MG_DOC_ROOT + 3);
    assert_string_equal(c.limit_kwloc, "#/items");
    assert_false(mg_fail(&c, 1, MG_E_TYPE, "#/type", "string"));
    assert_int_equal(c.nerr, 0);
    assert_false(mg_more(&c));
    /* the first budget is the one reported; later steps fail at once */
    assert_false(mg_limit(&c, 2, "#/x", "scratch space"));
    assert_string_equal(c.limit, "validation steps (max_steps)");
    assert_false(mg_step(&c, MG_DOC_ROOT, "#"));

    c = (mg_ctx){.doc = c.doc, .errs = recs, .max_err = 4, .steps = 100, .max_depth = 1};
    assert_true(mg_enter(&c, 1, "#/$ref"));
    assert_false(mg_enter(&c, 2, "#/$ref"));
    assert_string_equal(c.limit, "reference depth (max_refs)");
    assert_int_equal(c.nerr, 0);
}

/* Remembered results: per message (epoch), a false one only while quiet, none after a limit. */
static void test_memo(void **state)
{
    (void)state;
    mg_memo_ent table[8];
    memset(table, 0, sizeof table);
    mg_ctx c = {.memo = table, .memo_mask = 7, .memo_epoch = 1, .steps = 100};
    bool ok = true;
    assert_false(mg_memo_get(&c, 0, 5, &ok));
    mg_memo_put(&c, 0, 5, true);
    mg_memo_put(&c, 1, 5, false);
    assert_true(mg_memo_get(&c, 0, 5, &ok));
    assert_true(ok);
    /* a false result is used while quiet only: elsewhere the function runs to record errors */
    assert_false(mg_memo_get(&c, 1, 5, &ok));
    c.quiet = 1;
    assert_true(mg_memo_get(&c, 1, 5, &ok));
    assert_false(ok);
    assert_false(mg_memo_get(&c, 1, 6, &ok));
    /* a new message forgets everything */
    c.memo_epoch = 2;
    assert_false(mg_memo_get(&c, 0, 5, &ok));
    /* many results in few buckets: some are forgotten, none is wrong */
    for (uint32_t at = 0; at < 100; at++)
        mg_memo_put(&c, 3, at, at % 3 == 0);
    for (uint32_t at = 0; at < 100; at++)
        if (mg_memo_get(&c, 3, at, &ok)) assert_int_equal(ok, at % 3 == 0);
    /* after a limit nothing is remembered (results may be wrong) */
    mg_limit(&c, 0, "#", "steps");
    mg_memo_put(&c, 4, 1, true);
    assert_false(mg_memo_get(&c, 4, 1, &ok));
    /* the memo off */
    c = (mg_ctx){.steps = 100};
    mg_memo_put(&c, 0, 5, true);
    assert_false(mg_memo_get(&c, 0, 5, &ok));
}

static void test_bits_and_dyn(void **state)
{
    (void)state;
    uint64_t words[4];
    memset(words, 0xAB, sizeof words);
    mg_ctx c = {.scratch = words, .scratch_words = 4};
    uint64_t *b1 = mg_bits_new(&c, 100); /* 2 words */
    assert_non_null(b1);
    assert_true(b1[0] == 0 && b1[1] == 0);
    mg_bit_set(b1, 99);
    assert_true(mg_bit_get(b1, 99));
    assert_false(mg_bit_get(b1, 98));
    size_t mark = mg_bits_mark(&c);
    uint64_t *b2 = mg_bits_new(&c, 128);
    assert_ptr_equal(b2, words + 2);
    mg_bits_fill(b2, 70);
    mg_bits_or(b1, b2, 100);
    assert_true(mg_bit_get(b1, 69) && !mg_bit_get(b1, 70) && mg_bit_get(b1, 99));
    assert_null(mg_bits_new(&c, 1)); /* exhausted */
    mg_bits_release(&c, mark);
    assert_non_null(mg_bits_new(&c, 1));

    uint32_t stack[3];
    mg_ctx d = {.dyn = stack, .max_dyn = 3};
    const uint32_t ids[] = {7, 4, 9};
    assert_int_equal(mg_dyn_outermost(&d, ids, 3), -1);
    assert_true(mg_dyn_push(&d, 2));
    assert_true(mg_dyn_push(&d, 9));
    assert_true(mg_dyn_push(&d, 4));
    assert_false(mg_dyn_push(&d, 7));
    assert_int_equal(mg_dyn_outermost(&d, ids, 3), 2); /* 9 was entered before 4 */
    mg_dyn_pop(&d);
    mg_dyn_pop(&d);
    assert_int_equal(mg_dyn_outermost(&d, ids, 3), -1);
}

static int cmp_i(fixture *f, const char *js, int64_t b)
{
    return mg_num_cmp_i64(doc_a(f, js), MG_DOC_ROOT, b);
}
static int cmp_u(fixture *f, const char *js, uint64_t b)
{
    return mg_num_cmp_u64(doc_a(f, js), MG_DOC_ROOT, b);
}
static int cmp_d(fixture *f, const char *js, double b)
{
    return mg_num_cmp_dbl(doc_a(f, js), MG_DOC_ROOT, b);
}

static void test_num_cmp(void **state)
{
    fixture *f = *state;
    assert_true(cmp_d(f, "9007199254740993", 9007199254740992.0) > 0);
    assert_true(cmp_d(f, "9007199254740992", 9007199254740992.0) == 0);
    assert_true(cmp_d(f, "9223372036854775807", 9223372036854775808.0) < 0);
    assert_true(cmp_d(f, "18446744073709551615", 18446744073709551616.0) < 0);
    assert_true(cmp_d(f, "-9223372036854775808", -9223372036854775808.0) == 0);
    assert_true(cmp_d(f, "2.5", 2.5) == 0);
    assert_true(cmp_d(f, "130", 130.5) < 0);

    assert_true(cmp_i(f, "9007199254740992.0", 9007199254740993) < 0);
    assert_true(cmp_i(f, "2.0", 2) == 0);
    assert_true(cmp_i(f, "2.5", 2) > 0);
    assert_true(cmp_i(f, "-0.5", 0) < 0);
    assert_true(cmp_i(f, "-2.5", -2) < 0);
    assert_true(cmp_i(f, "1e19", INT64_MAX) > 0);
    assert_true(cmp_i(f, "-1e19", INT64_MIN) < 0);
    assert_true(cmp_i(f, "18446744073709551615", -1) > 0);
    assert_true(cmp_i(f, "18446744073709551615", INT64_MAX) > 0);
    assert_true(cmp_i(f, "-5", -5) == 0);
    assert_true(cmp_i(f, "-6", -5) < 0);

    assert_true(cmp_u(f, "-1", 0) < 0);
    assert_true(cmp_u(f, "-0.0", 0) == 0);
    assert_true(cmp_u(f, "0.5", 0) > 0);
    assert_true(cmp_u(f, "1e19", 10000000000000000000u) == 0);
    assert_true(cmp_u(f, "1e20", UINT64_MAX) > 0);
    assert_true(cmp_u(f, "18446744073709551615", UINT64_MAX) == 0);
    assert_true(cmp_u(f, "18446744073709551614", UINT64_MAX) < 0);
    assert_true(cmp_u(f, "9223372036854775807", 9223372036854775808u) < 0);
}

static void test_is_integer(void **state)
{
    fixture *f = *state;
    assert_true(mg_num_is_integer(doc_a(f, "1.0"), MG_DOC_ROOT));
    assert_true(mg_num_is_integer(doc_a(f, "-0.0"), MG_DOC_ROOT));
    assert_true(mg_num_is_integer(doc_a(f, "1e300"), MG_DOC_ROOT));
    assert_false(mg_num_is_integer(doc_a(f, "1.5"), MG_DOC_ROOT));
    assert_false(mg_num_is_integer(doc_a(f, "1e-300"), MG_DOC_ROOT));
    assert_true(mg_num_is_integer(doc_a(f, "18446744073709551615"), MG_DOC_ROOT));
    assert_true(mg_num_is_integer(doc_a(f, "-7"), MG_DOC_ROOT));
}

static bool mult(fixture *f, const char *js, uint64_t m, int32_t e)
{
    mg_dec dv = {m, e, 0};
    return mg_num_multiple_of(doc_a(f, js), MG_DOC_ROOT, &dv);
}

static void test_multiple_of(void **state)
{
    fixture *f = *state;
    assert_true(mult(f, "0.0075", 1, -4));
    assert_false(mult(f, "0.00751", 1, -4));
    assert_true(mult(f, "19.99", 1, -2));
    assert_true(mult(f, "0.3", 1, -1));
    assert_true(mult(f, "4.5", 15, -1));
    assert_true(mult(f, "-4.5", 15, -1));
    assert_false(mult(f, "35", 15, -1));
    assert_true(mult(f, "36", 15, -1));
    assert_false(mult(f, "1e308", 123456789, -9));
    assert_true(mult(f, "1e308", 1, -9));
    assert_true(mult(f, "1e308", 125, 0));
    assert_false(mult(f, "1e308", 3, 0));
    assert_true(mult(f, "1e-300", 1, -301));
    assert_false(mult(f, "1e-300", 1, -299));
    assert_true(mult(f, "0", 7, 0));
    assert_true(mult(f, "0.0", 7, -3));
    assert_true(mult(f, "10", 1, 1));
    assert_false(mult(f, "10", 1, 2));
    assert_true(mult(f, "9007199254740993", 3, 0));
    assert_false(mult(f, "9007199254740993", 2, 0));
    assert_true(mult(f, "18446744073709551615", 5, 0));
    assert_false(mult(f, "18446744073709551615", 2, 0));
    assert_true(mult(f, "-9223372036854775808", 2, 0));
    assert_true(mult(f, "18446744073709551615", 18446744073709551615u, 0));
    assert_false(mult(f, "1", 18446744073709551615u, -19));
    assert_true(mult(f, "1e20", 4, 0));
    assert_false(mult(f, "1e20", 7, 0));
    assert_true(mult(f, "123.456", 123456, -3));
    assert_false(mult(f, "123.456", 123456, -2));
    assert_false(mult(f, "1", 3, -1)); /* 1 / 0.3 */
    assert_true(mult(f, "0.9", 3, -1));
    /* Money amounts (the fast path) and their neighbours one digit longer (also the slow
     * path, past 11 fraction digits). */
    char js[64];
    for (unsigned i = 1; i < 200000; i += 7) {
        snprintf(js, sizeof js, "%u.%02u", i / 100, i % 100);
        assert_true(mult(f, js, 1, -2));
        snprintf(js, sizeof js, "%u.%02u1", i / 100, i % 100);
        assert_false(mult(f, js, 1, -2));
        assert_true(mult(f, js, 1, -3));
    }
    assert_true(mult(f, "0.000000000001", 1, -12));
    assert_false(mult(f, "0.0000000000011", 1, -12));
    assert_true(mult(f, "0.1234567890123", 1, -13));
    assert_false(mult(f, "0.1234567890123", 1, -12));
}

static void test_multiple_of_locale(void **state)
{
    fixture *f = *state;
    /* a locale with a decimal comma must not change the result (if one is installed) */
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8")) skip();
    bool r1 = mult(f, "19.99", 1, -2), r2 = mult(f, "0.1", 3, -1);
    setlocale(LC_NUMERIC, "C");
    assert_true(r1);
    assert_false(r2);
}

static size_t naive_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(mg_utf8_len("", 0), 0);
    assert_int_equal(mg_utf8_len("abc", 3), 3);
    assert_int_equal(mg_utf8_len("h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80", 14), 8);
    assert_int_equal(mg_utf8_len("a\0b", 3), 3);
    static const char *const pieces[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                         "\x7f"};
    char buf[600];
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = 0, want = 0;
        while (n < sizeof buf - 4) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % 5];
            if (n + strlen(p) > (size_t)(round * 3)) break;
            memcpy(buf + n, p, strlen(p));
            n += strlen(p);
            want++;
        }
        assert_int_equal(mg_utf8_len(buf, n), want);
        for (size_t off = 0; off < 8 && off < n; off++)
            assert_int_equal(mg_utf8_len(buf + off, n - off), naive_len(buf + off, n - off));
    }
}

static bool eq(fixture *f, const char *x, const char *y)
{
    bool r = mg_json_equal(doc_a(f, x), MG_DOC_ROOT, doc_b(f, y), MG_DOC_ROOT);
    /* equality is symmetric */
    assert_int_equal(r, mg_json_equal(&f->b, MG_DOC_ROOT, &f->a, MG_DOC_ROOT));
    return r;
}

static void test_equal(void **state)
{
    fixture *f = *state;
    assert_true(eq(f, "1", "1.0"));
    assert_true(eq(f, "-0.0", "0"));
    assert_true(eq(f, "1e2", "100"));
    assert_true(eq(f, "18446744073709551615", "1.8446744073709551615e19") == false);
    assert_true(eq(f, "18446744073709551615", "18446744073709551615"));
    assert_false(eq(f, "9007199254740993", "9007199254740992.0"));
    assert_true(eq(f, "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1.0}"));
    assert_false(eq(f, "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1.5}"));
    assert_false(eq(f, "{\"a\":1,\"b\":2}", "{\"a\":1}"));
    assert_false(eq(f, "{\"a\":1}", "{\"c\":1}"));
    assert_false(eq(f, "[1]", "[true]"));
    assert_false(eq(f, "[1,2]", "[2,1]"));
    assert_false(eq(f, "[1,2]", "[1,2,3]"));
    assert_true(eq(f, "[[], {}, null, \"x\"]", "[[], {}, null, \"x\"]"));
    assert_false(eq(f, "[]", "{}"));
    assert_false(eq(f, "\"1\"", "1"));
    assert_false(eq(f, "true", "false"));
    assert_false(eq(f, "null", "false"));
    assert_false(eq(f, "0", "false"));
    assert_false(eq(f, "\"a\\u0000b\"", "\"a\\u0000c\""));
    assert_true(eq(f, "\"\\u00e9\"", "\"\xc3\xa9\""));
    assert_true(
        eq(f, "{\"x\":[{\"y\":[1,{\"z\":null}]}]}", "{\"x\":[{\"y\":[1.0,{\"z\":null}]}]}"));
    assert_false(eq(f, "{\"x\":[{\"y\":[1,{\"z\":null}]}]}", "{\"x\":[{\"y\":[1,{\"z\":0}]}]}"));
    /* compares values inside larger documents by index */
    doc_a(f, "[5, {\"k\": [1, 2]}]");
    doc_b(f, "{\"q\": {\"k\": [1.0, 2]}}");
    assert_true(mg_json_equal(&f->a, MG_DOC_ROOT + 3, &f->b, MG_DOC_ROOT + 2));
}

/* mg_unique_items with scratch_words of scratch and a step budget; *limit: the budget that ran
 * out, or NULL. */
static bool unique_budget(fixture *f, const char *js, size_t scratch_words, int64_t steps,
                          const char **limit)
{
    uint64_t *words = malloc((scratch_words + 1) * sizeof *words);
    mg_ctx c = {.doc = *doc_a(f, js), .scratch = words, .scratch_words = scratch_words};
    c.scratch_top = scratch_words ? 1 : 0; /* something already in use */
    c.steps = steps;
    size_t before = c.scratch_top;
    bool r = mg_unique_items(&c, MG_DOC_ROOT);
    assert_int_equal(c.scratch_top, before);
    assert_true(!c.limit || !r); /* a limit always fails the check */
    *limit = c.limit;
    free(words);
    return r;
}

static bool unique(fixture *f, const char *js, size_t scratch_words)
{
    const char *limit;
    bool r = unique_budget(f, js, scratch_words, INT64_MAX, &limit);
    assert_null(limit);
    return r;
}

static void check_unique(fixture *f, const char *js, bool want)
{
    assert_int_equal(unique(f, js, 1 << 16), want);
    /* without scratch space for its hashes the check fails as a limit (it used to compare
     * every pair: quadratic in the array) */
    const char *limit;
    bool n_ge_2 = mg_count(doc_a(f, js), MG_DOC_ROOT) >= 2;
    assert_int_equal(unique_budget(f, js, 0, INT64_MAX, &limit), !n_ge_2);
    if (n_ge_2) assert_string_equal(limit, "scratch space");
}

static void test_unique_small(void **state)
{
    fixture *f = *state;
    check_unique(f, "[]", true);
    check_unique(f, "[1]", true);
    check_unique(f, "[1, 2, 3]", true);
    check_unique(f, "[1, 2, 1.0]", false);
    check_unique(f, "[1, true]", true);
    check_unique(f, "[0, false, null, \"\", [], {}]", true);
    check_unique(f, "[[1], [true]]", true);
    check_unique(f, "[[1, 2], [2, 1]]", true);
    check_unique(f, "[[1, 2], [1, 2.0]]", false);
    check_unique(f, "[{\"a\":1,\"b\":2}, {\"b\":2,\"a\":1.0}]", false);
    check_unique(f, "[{\"a\":1,\"b\":2}, {\"a\":2,\"b\":1}]", true);
    check_unique(f, "[{\"a\":1}, {\"a\":1,\"b\":1}]", true);
    check_unique(f, "[\"x\", \"y\", \"x\"]", false);
    check_unique(f, "[18446744073709551615, 1.8446744073709552e19]", true);
    check_unique(f, "[-0.0, 0]", false);
    check_unique(f, "[0.1, 0.2, 0.30000000000000004, 0.3]", true);
}

/* [0, 1, ..., n-1] as a JSON text, with item `dup_at` (if < n) repeating item 0 */
static char *int_array(size_t n, size_t dup_at, bool objects)
{
    char *s = malloc(n * 24 + 16);
    size_t len = 0;
    s[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        size_t v = i == dup_at ? 0 : i;
        len += (size_t)(objects ? sprintf(s + len, "%s{\"k\":%zu}", i ? "," : "", v)
                                : sprintf(s + len, "%s%zu", i ? "," : "", v));
    }
    s[len++] = ']';
    s[len] = 0;
    return s;
}

static void test_unique_large(void **state)
{
    fixture *f = *state;
    char *s = int_array(10000, SIZE_MAX, false);
    assert_true(unique(f, s, 1 << 16));
    free(s);
    s = int_array(10000, 9999, false);
    assert_false(unique(f, s, 1 << 16));
    free(s);
    s = int_array(10000, 9999, true);
    assert_false(unique(f, s, 1 << 16));
    free(s);
    /* 200000 distinct objects: only finishes promptly if not quadratic */
    s = int_array(200000, SIZE_MAX, true);
    assert_true(unique(f, s, 1 << 20));
    /* hashing and sorting are charged to the step budget */
    const char *limit;
    assert_false(unique_budget(f, s, 1 << 20, 100000, &limit));
    assert_string_equal(limit, "validation steps (max_steps)");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),       cmocka_unit_test(test_limit),
        cmocka_unit_test(test_memo),         cmocka_unit_test(test_bits_and_dyn),
        cmocka_unit_test(test_num_cmp),      cmocka_unit_test(test_is_integer),
        cmocka_unit_test(test_multiple_of),  cmocka_unit_test(test_multiple_of_locale),
        cmocka_unit_test(test_utf8_len),     cmocka_unit_test(test_equal),
        cmocka_unit_test(test_unique_small), cmocka_unit_test(test_unique_large),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
