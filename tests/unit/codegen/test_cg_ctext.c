/* test_cg_ctext.c - unit tests for codegen/cg_ctext.c: each escaping routine keeps its
 * invariant for any input bytes (checked on fixed cases and on 20,000 pseudo-random strings
 * drawn from the bytes that matter: '*', '/', '?', '\\', '"', newline, CR, NUL, 0x80-0xFF,
 * pieces of UTF-8 and of bidirectional controls).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cg_ctext.h"

typedef void (*writer)(FILE *, const char *, size_t);

/* What w writes for s[0..n), as a malloc'd string (built in a temporary file: gcc 12 takes a
 * pointer from open_memstream for one to the stack variable it was written through). */
static char *render(writer w, const char *s, size_t n)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    w(f, s, n);
    long len = ftell(f);
    assert_true(len >= 0);
    char *out = calloc((size_t)len + 1, 1);
    assert_non_null(out);
    rewind(f);
    assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return out;
}

/* Comment text: nothing that closes, opens or splices a comment, forms a trigraph, or is not
 * printable (ASCII or UTF-8 letters and symbols). */
static void check_comment_text(const char *s, size_t n)
{
    char *t = render(cg_put_comment_text, s, n);
    assert_null(strstr(t, "*/"));
    assert_null(strstr(t, "/*"));
    assert_null(strstr(t, "??"));
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f);
    free(t);
    /* the whole comment: one opener, one closer, nothing else that the lexer could take */
    t = render(cg_put_comment, s, n);
    size_t tl = strlen(t);
    assert_true(tl >= 6 && strncmp(t, "/* ", 3) == 0 && strcmp(t + tl - 3, " */") == 0);
    const char *close = strstr(t, "*/");
    assert_non_null(close);
    assert_int_equal((size_t)(close - t), tl - 2);
    assert_null(strstr(t + 1, "/*"));
    free(t);
}

/* A string literal: printable ASCII only, no "??", quotes and backslashes escaped. */
static void check_cstr(const char *s, size_t n)
{
    char *t = render(cg_put_cstr, s, n);
    size_t tl = strlen(t);
    assert_true(tl >= 2 && t[0] == '"' && t[tl - 1] == '"');
    assert_null(strstr(t, "??"));
    for (size_t i = 1; i + 1 < tl; i++) {
        unsigned char c = (unsigned char)t[i];
        assert_true(c >= 0x20 && c < 0x7f);
        if (c == '\\') {
            assert_non_null(strchr("\\\"?x", t[i + 1]));
            i++;
        } else if (c == '"') {
            assert_true(t[i - 1] == '"' || t[i + 1] == '"'); /* only a split: "" */
        }
    }
    free(t);
}

static void test_comment_fixed_cases(void **state)
{
    (void)state;
    char *t = render(cg_put_comment_text, "#/properties/*/type", 19);
    assert_string_equal(t, "#/properties/\\x2a/type");
    free(t);
    t = render(cg_put_comment_text, "a*b/c", 5);
    assert_string_equal(t, "a*b/c");
    free(t);
    t = render(cg_put_comment_text, "?\?/\n\\", 5);
    assert_string_equal(t, "?\\?/\\x0A\\");
    free(t);
    t = render(cg_put_comment_text, "caf\xc3\xa9 \xe2\x80\xae\xff", 10);
    assert_string_equal(t, "caf\xc3\xa9 \\u202E\\xFF");
    free(t);
    t = render(cg_put_comment_text, "a\0b", 3);
    assert_string_equal(t, "a\\x00b");
    free(t);
}

static void test_cstr_fixed_cases(void **state)
{
    (void)state;
    char *t = render(cg_put_cstr,
                     "a\"b\\c?\?=\x01"
                     "1",
                     10);
    assert_string_equal(t, "\"a\\\"b\\\\c\\?\\?=\\x01\"\"1\"");
    free(t);
}

static void test_random_strings_keep_the_invariants(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "*",    "/",    "?", "\\", "\"", "\n",   "\r", "", "a", "\xc3\xa9", "\xe2\x80\xae",
        "\xff", "\xc3", "=", "*/", "/*", "?\?/", "0",  "x"};
    const size_t np = sizeof pieces / sizeof pieces[0];
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 20000; round++) {
        char buf[64];
        size_t n = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t k = x % 12;
        for (size_t i = 0; i < k; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const char *p = pieces[x % np];
            size_t pl = *p ? strlen(p) : 1; /* "" stands for a NUL byte */
            memcpy(buf + n, *p ? p : "\0", pl);
            n += pl;
        }
        check_comment_text(buf, n);
        check_cstr(buf, n);
    }
}

static void test_identifiers_and_header_names(void **state)
{
    (void)state;
    assert_true(cg_is_ident("mg_set_1"));
    assert_true(cg_is_ident("_x"));
    assert_false(cg_is_ident(""));
    assert_false(cg_is_ident("1x"));
    assert_false(cg_is_ident("x; int evil(void){return 0;} int y"));
    assert_false(cg_is_ident("caf\xc3\xa9"));
    char *id = cg_ident_from("my set-1.0");
    assert_string_equal(id, "my_set_1_0");
    free(id);
    id = cg_ident_from("9lives");
    assert_string_equal(id, "_9lives");
    free(id);
    assert_true(cg_header_name_ok("my set-1.0.h"));
    assert_false(cg_header_name_ok("a\"b.h"));
    assert_false(cg_header_name_ok("a\\b.h"));
    assert_false(cg_header_name_ok("a?\?=b.h"));
    assert_false(cg_header_name_ok("a\nb.h"));
    assert_false(cg_header_name_ok("a'b.h"));
    assert_false(cg_header_name_ok("a/*b.h"));
    assert_false(cg_header_name_ok(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comment_fixed_cases),
        cmocka_unit_test(test_cstr_fixed_cases),
        cmocka_unit_test(test_random_strings_keep_the_invariants),
        cmocka_unit_test(test_identifiers_and_header_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
