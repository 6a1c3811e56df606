/* test_cg_regex.c - unit tests for the pattern compiler (cg_regex.c, cg_regex_dfa.c).
 *
 * Design: patterns are compiled with cg_regex_compile and run with mg_re_exec, covering the
 * ECMA-262 semantics the JSON Schema suite checks (anchors, $ vs a trailing newline, ".",
 * classes, \d \w \s, \p{...}, non-BMP code points, quantifier bounds, search not anchored),
 * both automaton kinds (DFA and the NFA fallback), the refusals (backreferences, lookaround,
 * oversized repetition), a linear-time case, and emitted C compiled with cc and run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_regex.h"

static mg_re_prog *compile_ok(const char *pat)
{
    mg_re_prog *p = NULL;
    char err[256];
    int rc = cg_regex_compile(pat, strlen(pat), &p, err, sizeof err);
    if (rc != 0) fail_msg("compiling /%s/: %s", pat, err);
    return p;
}

/* Checks pat against each "subject" with the expected answer (list ends at NULL). */
static void check(const char *pat, ...)
{
    mg_re_prog *p = compile_ok(pat);
    va_list ap;
    va_start(ap, pat);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL) {
        int want = va_arg(ap, int);
        bool got = mg_re_exec(p, s, strlen(s));
        if (got != (want != 0)) fail_msg("/%s/ on \"%s\": got %d, want %d", pat, s, got, want);
    }
    va_end(ap);
    cg_regex_free(p);
}

static void compile_fails(const char *pat, const char *want_substr)
{
    mg_re_prog *p = NULL;
    char err[256] = "";
    int rc = cg_regex_compile(pat, strlen(pat), &p, err, sizeof err);
    if (rc == 0) fail_msg("/%s/ compiled, want error containing \"%s\"", pat, want_substr);
    assert_null(p);
    if (!strstr(err, want_substr))
        fail_msg("/%s/: error \"%s\" lacks \"%s\"", pat, err, want_substr);
}

static void test_anchors(void **state)
{
    (void)state;
    check("^abc$", "abc", 1, "abc\n", 0, "xabc", 0, "abcx", 0, "", 0, NULL);
    check("abc$", "xxabc", 1, "abc\n", 0, NULL);
    check("^abc", "abcdef", 1, "xabc", 0, NULL);
    check("^$", "", 1, "\n", 0, NULL);
    check("a^b", "ab", 0, "a^b", 0, NULL);
    check("(^a|b)c", "ac", 1, "xac", 0, "xbc", 1, NULL);
}

static void test_search_not_anchored(void **state)
{
    (void)state;
    check("a+", "xxaayy", 1, "xyz", 0, NULL);
    check("[0-9]{2,}", "answer 1", 0, "a31b", 1, NULL);
    check("X_", "a_x_3", 0, "a_X_3", 1, NULL);
    check("", "", 1, "anything", 1, NULL);
    check("f.*o", "foo", 1, "fo", 1, "of", 0, NULL);
}

static void test_dot_and_lines(void **state)
{
    (void)state;
    check("^.$", "a", 1, "\n", 0, "\r", 0, "\xe2\x80\xa8", 0, "\xe2\x80\xa9", 0, "\xc3\xa9", 1,
          "\xf0\x9f\x90\xb2", 1, "ab", 0, NULL);
    check("^\\t$", "\t", 1, "\\t", 0, NULL);
    check("^\\cC$", "\x03", 1, "\\cC", 0, NULL);
    check("^\\cc$", "\x03", 1, NULL);
    check("^\\x41\\u0042\\u{43}$", "ABC", 1, NULL);
}

static void test_classes(void **state)
{
    (void)state;
    check("^[a-c]+$", "abcabc", 1, "abd", 0, NULL);
    check("^[^a-c]$", "d", 1, "a", 0, "\xc3\xa9", 1, "\n", 1, NULL);
    check("^[\\d_-]+$", "1-2_3", 1, "1+2", 0, NULL);
    check("^[\\b]$", "\b", 1, NULL);
    check("^[^\\d]$", "x", 1, "5", 0, NULL);
    check("^[\\u00e0-\\u00ff]$", "\xc3\xa9", 1, "e", 0, NULL);
    check("[a-z]cole", "l'ecole", 1,
          "l'\xc3\xa9"
          "cole",
          0, NULL);
}

static void test_escapes_ascii_only(void **state)
{
    (void)state;
    check("^\\d$", "0", 1, "\xdf\x80", 0, NULL);
    check("^\\D$", "0", 0, "\xdf\x80", 1, NULL);
    check("^\\w$", "a", 1, "_", 1, "\xc3\xa9", 0, NULL);
    check("^\\W$", "a", 0, "\xc3\xa9", 1, NULL);
    check("^\\d+$", "42", 1, "-%#", 0, "\xe0\xa7\xaa\xe0\xa7\xa8", 0, NULL);
    check("\\wcole", "l'ecole", 1,
          "l'\xc3\xa9"
          "cole",
          0, NULL);
}

static void test_whitespace(void **state)
{
    (void)state;
    const char *yes[] = {
        " ",        "\t",           "\v",           "\f",           "\n",           "\r",
        "\xc2\xa0", "\xef\xbb\xbf", "\xe2\x80\xa8", "\xe2\x80\x83", "\xe3\x80\x80", "\xe1\x9a\x80"};
    mg_re_prog *s = compile_ok("^\\s$"), *ns = compile_ok("^\\S$");
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        assert_true(mg_re_exec(s, yes[i], strlen(yes[i])));
        assert_false(mg_re_exec(ns, yes[i], strlen(yes[i])));
    }
    assert_false(mg_re_exec(s, "\x01", 1));
    assert_false(mg_re_exec(s, "\xe2\x80\x93", 3)); /* en dash */
    assert_true(mg_re_exec(ns, "\xe2\x80\x93", 3));
    cg_regex_free(s);
    cg_regex_free(ns);
}

static void test_unicode_properties(void **state)
{
    (void)state;
    check("^\\p{Letter}+$", "Hello", 1, "\xcf\x80", 1, "123", 0, NULL);
    check("\\p{Letter}cole",
          "l'\xc3\xa9"
          "cole",
          1,
          "L'\xc3\x89"
          "COLE",
          0, NULL);
    check("^\\p{digit}+$", "42", 1, "\xe0\xa7\xaa\xe0\xa7\xa8", 1, "-%#", 0, NULL);
    check("^\\p{Lu}$", "A", 1, "a", 0, NULL);
    check("^\\P{L}$", "1", 1, "a", 0, NULL);
    check("^\\p{Script=Greek}+$", "\xce\xb1\xce\xb2", 1, "ab", 0, NULL);
    check("^\\p{sc=Latn}$", "a", 1, "\xce\xb1", 0, NULL);
    check("^[\\p{Nd}x]+$", "1x\xe0\xa7\xaa", 1, "y", 0, NULL);
    check("^\\p{ASCII}+$", "abc", 1, "\xc3\xa9", 0, NULL);
}

static void test_non_bmp(void **state)
{
    (void)state;
    check("^\xf0\x9f\x90\xb2*$", "", 1, "\xf0\x9f\x90\xb2", 1, "\xf0\x9f\x90\xb2\xf0\x9f\x90\xb2",
          1, "\xf0\x9f\x90\x89", 0, "D", 0, NULL);
    check("^\\u{1F600}$", "\xf0\x9f\x98\x80", 1, NULL);
    check("^\\uD83D\\uDE00$", "\xf0\x9f\x98\x80", 1, NULL);
    check("^[\\u{1F600}-\\u{1F64F}]$", "\xf0\x9f\x98\x81", 1, "\xf0\x9f\x90\xb2", 0, NULL);
    check("^.{2}$", "\xf0\x9f\x90\xb2\xf0\x9f\x90\xb2", 1, "\xf0\x9f\x90\xb2", 0, NULL);
}

static void test_quantifiers(void **state)
{
    (void)state;
    check("^a{2,3}$", "a", 0, "aa", 1, "aaa", 1, "aaaa", 0, NULL);
    check("^a{2}$", "aa", 1, "aaa", 0, NULL);
    check("^a{2,}$", "a", 0, "aaaaaa", 1, NULL);
    check("^a{0}$", "", 1, "a", 0, NULL);
    check("^(ab)?c+?$", "c", 1, "abcc", 1, "abab", 0, NULL);
    check("^(?:a|bc)*$", "abcaa", 1, "ab", 0, NULL);
    check("^(?<year>\\d{4})-(\\d\\d)$", "2024-01", 1, "24-01", 0, NULL);
}

static void test_alternation(void **state)
{
    (void)state;
    check("^(cat|dog|)$", "cat", 1, "dog", 1, "", 1, "cow", 0, NULL);
    check("a|b", "xbx", 1, "xyz", 0, NULL);
}

static void test_word_boundary(void **state)
{
    (void)state;
    check("\\bfoo\\b", "a foo b", 1, "foo", 1, "afoo", 0, "foob", 0, NULL);
    check("\\Boo", "foo", 1, "oo", 0, NULL);
    check("^\\b$", "", 0, NULL);
    check("x\\b", "x\xc3\xa9", 1, NULL);
}

static void test_refused(void **state)
{
    (void)state;
    compile_fails("(a)\\1", "backreference \\1 cannot be matched in linear time");
    compile_fails("(?<n>a)\\k<n>", "backreference \\k<n>");
    compile_fails("a(?=b)", "lookaround (?=");
    compile_fails("(?<!a)b", "lookaround (?<!");
    compile_fails("(?:a{1000}){1000}", "pattern too large");
    compile_fails("(?:(?:a{1000}){1000}){1000}", "pattern too large");
    compile_fails("a{2000000000}", "pattern too large");
    compile_fails("^(abc]", "invalid pattern at offset 5");
    compile_fails("\\a", "invalid escape");
}

static void test_linear_time(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = malloc(n);
    assert_non_null(s);
    memset(s, 'a', n);
    mg_re_prog *p = compile_ok("(a*)*b");
    assert_false(mg_re_exec(p, s, n));
    s[n - 1] = 'b';
    assert_true(mg_re_exec(p, s, n));
    cg_regex_free(p);
    s[n - 1] = 'a';
    p = compile_ok("^(a|aa)+$");
    assert_true(mg_re_exec(p, s, n));
    cg_regex_free(p);
    free(s);
}

static void test_nfa_fallback(void **state)
{
    (void)state;
    /* a Unicode letter 12 positions from the end: the DFA needs far more than 1024 states */
    mg_re_prog *p = compile_ok("\\p{L}.{11}$");
    assert_true(p->ninst > 0);
    assert_true(mg_re_exec(p,
                           "\xce\xb1"
                           "12345678901",
                           13));
    assert_true(mg_re_exec(p,
                           "--\xce\xb1"
                           "12345678901",
                           15));
    assert_false(mg_re_exec(p,
                            "1\xce\xb1"
                            "2345678901",
                            12));
    assert_false(mg_re_exec(p,
                            "\xce\xb1"
                            "123456789012",
                            14));
    cg_regex_free(p);
    p = compile_ok("^a{2,3}$");
    assert_int_equal(p->ninst, 0);
    cg_regex_free(p);
}

/* state: the library to link, $(B)/libmgvalidator.a next to this binary's build tree. */
static void test_emit_and_run(void **state)
{
    const char *lib = *state;
    char dir[] = "/tmp/test_cg_regex_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/re.c", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("#include <stdio.h>\n#include <string.h>\n#include \"mg_regex.h\"\n", f);
    char err[256];
    const char *pat = "^[a-z]+\\d*/\\*x$";
    assert_int_equal(cg_regex_emit(f, "re_a", pat, strlen(pat), err, sizeof err), 0);
    const char *pat2 = "\\p{L}.{11}$";
    assert_int_equal(cg_regex_emit(f, "re_b", pat2, strlen(pat2), err, sizeof err), 0);
    fputs("int main(void)\n{\n"
          "    int ok = re_a(\"abc12/*x\", 8) && !re_a(\"abc12/*x\\n\", 9) && !re_a(\"1\", 1);\n"
          "    ok = ok && re_b(\"\\xce\\xb1\" \"12345678901\", 13) && !re_b(\"abc\", 3);\n"
          "    puts(ok ? \"ok\" : \"bad\");\n    return !ok;\n}\n",
          f);
    fclose(f);
    const char *cc = getenv("CC") ? getenv("CC") : "cc";
    const char *san = getenv("SANITIZE_CFLAGS") ? getenv("SANITIZE_CFLAGS") : "";
    snprintf(cmd, sizeof cmd,
             "%s -std=c11 -Wall -Wextra -Werror %s -Ivalidator -o %s/re %s %s && %s/re > %s/out",
             cc, san, dir, path, lib, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/out", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    char line[16] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "ok\n");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_emit_comment_and_errors(void **state)
{
    (void)state;
    char *text = NULL, err[256];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(cg_regex_emit(f, "r", "a*/\x01", 4, err, sizeof err), 0);
    fclose(f);
    assert_non_null(strstr(text, "/* pattern: a\\x2a/\\x01 */\n"));
    assert_non_null(strstr(text, "static bool r(const char *s, size_t n)"));
    free(text);
    f = open_memstream(&text, &len);
    assert_int_not_equal(cg_regex_emit(f, "r", "(a)\\1", 5, err, sizeof err), 0);
    fclose(f);
    assert_int_equal(len, 0);
    free(text);
}

int main(int argc, char **argv)
{
    /* argv[0] is $(B)/tests/unit/codegen/test_cg_regex */
    char lib[1024] = "build/libmgvalidator.a";
    const char *cut = argc > 0 ? strstr(argv[0], "tests/unit/codegen/") : NULL;
    if (cut && (size_t)(cut - argv[0]) + 20 < sizeof lib)
        snprintf(lib, sizeof lib, "%.*slibmgvalidator.a", (int)(cut - argv[0]), argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_search_not_anchored),
        cmocka_unit_test(test_dot_and_lines),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_escapes_ascii_only),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_unicode_properties),
        cmocka_unit_test(test_non_bmp),
        cmocka_unit_test(test_quantifiers),
        cmocka_unit_test(test_alternation),
        cmocka_unit_test(test_word_boundary),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_linear_time),
        cmocka_unit_test(test_nfa_fallback),
        cmocka_unit_test_prestate(test_emit_and_run, lib),
        cmocka_unit_test(test_emit_comment_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
