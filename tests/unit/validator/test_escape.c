/* test_escape.c - unit tests for validator/mg_escape.h: UTF-8 sequences and the escaping rule
 * for logs, headers and terminals.
 *
 * Design: each rule of mg_escape.h is checked on literal inputs (every class of control
 * character and of invalid UTF-8), then the properties every consumer relies on: the output
 * holds no control byte and is valid UTF-8 whatever the input, the length is counted as
 * snprintf does, and truncation never cuts an escape or a character in two.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mg_escape.h"

static const char *esc(const char *s, size_t n, unsigned flags)
{
    static char buf[512];
    size_t len = mg_escape(buf, sizeof buf, s, n, flags);
    assert_int_equal(len, strlen(buf));
    return buf;
}

#define ESC(lit) esc(lit, sizeof lit - 1, 0)

static void test_utf8_seq(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(mg_utf8_seq((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(mg_utf8_seq((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(mg_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(mg_utf8_seq((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    static const char *const bad[] = {
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong, 3 bytes */
        "\xf0\x80\x80\xaf", /* overlong, 4 bytes */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xe2\x82",         /* truncated */
        "\x80",             /* stray continuation byte */
        "\xfe",
        "\xff",
        "\xc3\x28", /* lead byte without its continuation */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(mg_utf8_seq((const unsigned char *)bad[i], strlen(bad[i]), NULL), 0);
    assert_int_equal(mg_utf8_seq((const unsigned char *)"", 0, NULL), 0);
}

/* mg_utf8_valid agrees with mg_utf8_seq over whole strings: each class of ill-formed input */
static void test_utf8_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"",
                                       "abc",
                                       "\xc2\x80",
                                       "\xef\xbf\xbf",
                                       "\xf4\x8f\xbf\xbf",
                                       "k\xd0\xbb\xe2\x82\xac\xf0\x9f\x98\x80"};
    static const char *const bad[] = {"\xff",
                                      "a\xc3",
                                      "\xc0\x80",
                                      "\xe2\x82",
                                      "\xed\xa0\x80",
                                      "\xe0\x80\x80",
                                      "\xf4\x90\x80\x80",
                                      "\x80",
                                      "ok\xf8\x88\x80\x80\x80"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(mg_utf8_valid(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(mg_utf8_valid(bad[i], strlen(bad[i])));
    assert_true(mg_utf8_valid("a\0b", 3)); /* NUL is a character */
}

static void test_rules(void **state)
{
    (void)state;
    assert_string_equal(ESC("plain text, caf\xc3\xa9 \xe2\x82\xac"),
                        "plain text, caf\xc3\xa9 \xe2\x82\xac");
    assert_string_equal(ESC("a\nb\rc\td\\e"), "a\\nb\\rc\\td\\\\e");
    assert_string_equal(ESC("\x1b[31mred\x7f\x01"), "\\x1b[31mred\\x7f\\x01");
    assert_string_equal(esc("a\0b", 3, 0), "a\\x00b");
    /* C1 controls, separators, bidi overrides and the BOM as code points */
    assert_string_equal(ESC("\xc2\x85\xc2\x9b"), "\\u{85}\\u{9b}");
    assert_string_equal(ESC("\xe2\x80\xa8\xe2\x80\xa9"), "\\u{2028}\\u{2029}");
    assert_string_equal(ESC("x\xe2\x80\xaey\xe2\x81\xa6z"), "x\\u{202e}y\\u{2066}z");
    assert_string_equal(ESC("\xef\xbb\xbf{}"), "\\u{feff}{}");
    /* invalid UTF-8: one \xHH per byte */
    assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");
    assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
    assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
    assert_string_equal(ESC("ok\xe2\x82"), "ok\\xe2\\x82");
    assert_string_equal(ESC("\x80\xfe\xff"), "\\x80\\xfe\\xff");
    /* quotes only when asked */
    assert_string_equal(ESC("say \"hi\""), "say \"hi\"");
    assert_string_equal(esc("say \"hi\"", 8, MG_ESC_QUOTE), "say \\\"hi\\\"");
    /* text escaped already: backslashes kept, whatever else is there escaped */
    assert_string_equal(esc("a\\x1b\\n\x1b\n", 9, MG_ESC_ESCAPED), "a\\x1b\\n\\x1b\\n");
}

/* Escaping escaped text with MG_ESC_ESCAPED changes nothing. */
static void test_idempotent(void **state)
{
    (void)state;
    const char *in = "k\x1b\r\n\\ \xff\xc2\x85\"q\" \xe2\x80\xae caf\xc3\xa9";
    char once[256], twice[256];
    mg_escape(once, sizeof once, in, strlen(in), MG_ESC_QUOTE);
    mg_escape(twice, sizeof twice, once, strlen(once), MG_ESC_ESCAPED);
    assert_string_equal(once, twice);
}

static void test_length_and_truncation(void **state)
{
    (void)state;
    const char *s = "ab\ncd";
    assert_int_equal(mg_escape(NULL, 0, s, 5, 0), 6);
    char buf[8];
    memset(buf, 'X', sizeof buf);
    /* room for "ab\" only: the \n escape is left out whole */
    assert_int_equal(mg_escape(buf, 4, s, 5, 0), 6);
    assert_string_equal(buf, "ab");
    assert_int_equal(mg_escape(buf, 5, s, 5, 0), 6);
    assert_string_equal(buf, "ab\\n");
    /* a character is never cut in two */
    assert_int_equal(mg_escape(buf, 3, "a\xe2\x82\xac", 4, 0), 4);
    assert_string_equal(buf, "a");
    assert_int_equal(mg_escape(buf, 1, "abc", 3, 0), 3);
    assert_string_equal(buf, "");
}

/* Whatever the input, the output has no control byte and is well-formed UTF-8. */
static void test_output_is_safe(void **state)
{
    (void)state;
    unsigned seed = 12345;
    char in[64], out[512];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 64);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)(seed >> 16);
        }
        size_t len = mg_escape(out, sizeof out, in, n, round & 1);
        assert_true(len < sizeof out);
        const unsigned char *o = (const unsigned char *)out;
        for (size_t i = 0; i < len;) {
            uint32_t cp;
            size_t k = mg_utf8_seq(o + i, len - i, &cp);
            assert_true(k > 0);
            assert_true(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F));
            i += k;
        }
    }
}

/* The one JSON string escaping: RFC 8785's spelling, lowercase hex, bytes >= 0x20 kept. */
static void expect_json(const char *in, size_t n, const char *want)
{
    char out[MG_JSON_ESCAPE_MAX(64)];
    assert_true(n <= 64);
    size_t len = mg_json_escape(out, in, n);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
}

static void test_json_escape(void **state)
{
    (void)state;
    expect_json("plain", 5, "plain");
    expect_json("a\"b\\c", 5, "a\\\"b\\\\c");
    expect_json("\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t");
    expect_json("\x01\x1f\x00", 3, "\\u0001\\u001f\\u0000");
    expect_json("\x7f\xc3\xa9\xff", 4, "\x7f\xc3\xa9\xff");
    /* the bound holds for the worst input */
    char worst[64];
    memset(worst, 1, sizeof worst);
    char out[MG_JSON_ESCAPE_MAX(64)];
    assert_int_equal(mg_json_escape(out, worst, 64), MG_JSON_ESCAPE_MAX(64));
}

static void test_hex_value(void **state)
{
    (void)state;
    const char *digits = "0123456789abcdefABCDEF";
    for (int c = 0; c < 256; c++) {
        const char *at = c ? strchr(digits, c) : NULL;
        int want = !at ? -1 : at - digits < 16 ? (int)(at - digits) : (int)(at - digits) - 6;
        assert_int_equal(mg_hex_value(c), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_seq),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_length_and_truncation),
        cmocka_unit_test(test_output_is_safe),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_hex_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
