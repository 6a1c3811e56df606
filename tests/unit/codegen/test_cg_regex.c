/* test_cg_regex.c - unit tests for the pattern compiler (cg_regex.c, cg_regex_dfa.c).
 *
 * Design: patterns are compiled with cg_regex_compile and run with mg_re_match by every
 * engine (static DFA, lazy DFA, NFA simulation; check() insists they agree), covering the
 * ECMA-262 semantics the JSON Schema suite checks (anchors, $ vs a trailing newline, ".",
 * classes, \d \w \s, \p{...}, non-BMP code points, quantifier bounds, search not anchored),
 * each lookaround kind nested and quantified, counted repetition at and around its bounds
 * (with multi-byte characters), Annex B syntax, backreferences (captures reset per
 * iteration, in lookbehinds, unset groups) and their step budget, the limits, linear time on
 * hostile input, and emitted C compiled with cc and run. Expected verdicts are Node's.
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

/* Every pattern is run three ways, which must agree: as codegen emits it (static DFAs where
 * they fit) with a lazy DFA cache, without static DFAs (the lazy DFA), and without either
 * (the NFA simulation). */
static uint64_t words[1 << 18];
static mg_re_cache *cache;

static mg_re_prog *compile_flags(const char *pat, unsigned flags)
{
    mg_re_prog *p = NULL;
    char err[256];
    int rc = cg_regex_compile(pat, strlen(pat), flags, &p, NULL, err, sizeof err);
    if (rc != 0) fail_msg("compiling /%s/: %s", pat, err);
    return p;
}

static mg_re_prog *compile_ok(const char *pat)
{
    return compile_flags(pat, MG_RE_ANNEXB);
}

static int run_env(const mg_re_prog *p, const char *s, size_t n, mg_re_cache *c)
{
    mg_re_env env = {words, sizeof words / sizeof words[0], c};
    return mg_re_match(p, s, n, &env);
}

/* The verdict of all three engines (they must agree). */
static int run3(const char *pat, const char *s, size_t n)
{
    int got[3];
    for (int e = 0; e < 3; e++) {
        mg_re_prog *p = compile_flags(pat, MG_RE_ANNEXB | (e ? CG_RE_NO_STATIC_DFA : 0));
        got[e] = run_env(p, s, n, e == 2 ? NULL : cache);
        cg_regex_free(p);
    }
    if (got[0] != got[1] || got[0] != got[2])
        fail_msg("/%s/ on \"%.40s\": engines disagree: %d %d %d", pat, s, got[0], got[1], got[2]);
    return got[0];
}

/* Checks pat against each "subject" with the expected answer (list ends at NULL). */
static void check(const char *pat, ...)
{
    va_list ap;
    va_start(ap, pat);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL) {
        int want = va_arg(ap, int);
        int got = run3(pat, s, strlen(s));
        if (got != want) fail_msg("/%s/ on \"%s\": got %d, want %d", pat, s, got, want);
    }
    va_end(ap);
}

static void compile_fails_flags(const char *pat, unsigned flags, const char *want_substr)
{
    mg_re_prog *p = NULL;
    char err[256] = "";
    int rc = cg_regex_compile(pat, strlen(pat), flags, &p, NULL, err, sizeof err);
    if (rc == 0) fail_msg("/%s/ compiled, want error containing \"%s\"", pat, want_substr);
    assert_null(p);
    if (!strstr(err, want_substr))
        fail_msg("/%s/: error \"%s\" lacks \"%s\"", pat, err, want_substr);
}

static void compile_fails(const char *pat, const char *want_substr)
{
    compile_fails_flags(pat, MG_RE_ANNEXB, want_substr);
}

/* A string of count copies of unit. */
static char *repeat(const char *unit, size_t count)
{
    size_t u = strlen(unit);
    char *s = malloc(u * count + 1);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * u, unit, u);
    s[u * count] = '\0';
    return s;
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
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        assert_int_equal(run3("^\\s$", yes[i], strlen(yes[i])), 1);
        assert_int_equal(run3("^\\S$", yes[i], strlen(yes[i])), 0);
    }
    check("^\\s$", "\x01", 0, "\xe2\x80\x93", 0, NULL); /* en dash */
    check("^\\S$", "\xe2\x80\x93", 1, NULL);
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

/* Lookahead and negative lookahead, as the issue's real-world patterns use them. */
static void test_lookahead(void **state)
{
    (void)state;
    check("a(?=b)", "ab", 1, "ac", 0, "a", 0, NULL);
    check("a(?!b)", "ab", 0, "ac", 1, "a", 1, NULL);
    check("(?=a(?!b))", "ab", 0, "ac", 1, "a", 1, NULL);
    check("^(?:(?!ab).)*$", "aaab", 0, "aaa", 1, "ba", 1, "", 1, NULL);
    check("^(?=[^!*,;{}[\\]~\\n]+$)(?=(.*\\w)).+$", "abc", 1, "a!b", 0, "!!", 0, " ", 0, "\xc3\xa9",
          0, "\xc3\xa9x", 1, NULL);
    check("^((\\.(?!\\.)\\/)?\\w+\\/?)+$", "./abc/def", 1, "../abc", 0, "abc/", 1, "./", 0, NULL);
    check("^(?!org\\.bukkit\\.)([a-zA-Z_$][a-zA-Z\\d_$]*\\.)*[a-zA-Z_$][a-zA-Z\\d_$]*$",
          "org.bukkit.Foo", 0, "com.foo.Bar", 1, "org.bukkitx.A", 1, "org.bukkit", 1, "1a", 0,
          NULL);
    check("^(?![ \\t\\n]*\\(default(.*)\\))[\\s\\S]*", "(default x)", 0, "foo", 1, "  (default(y))",
          0, "(defaul)", 1, NULL);
}

static void test_lookbehind(void **state)
{
    (void)state;
    check("(?<=a)b", "ab", 1, "cb", 0, "b", 0, NULL);
    check("(?<!a)b", "ab", 0, "cb", 1, "b", 1, NULL);
    check("(?<=a+)b", "aaab", 1, "b", 0, NULL);
    check("(?<=^|,)x", "x", 1, ",x", 1, "ax", 0, NULL);
    check("^\\w+(?<!_)$", "ab_", 0, "ab", 1, NULL);
    check("(?<=\xc3\xa9)x", "\xc3\xa9x", 1, "ex", 0, NULL);
    check("(?<=\\p{Lu}{2})\\d", "AB1", 1, "Ab1", 0, NULL);
}

/* Lookarounds inside lookarounds (each kind in each), and under quantifiers. */
static void test_lookaround_nested(void **state)
{
    (void)state;
    check("(?<=(?=a)a)b", "ab", 1, "cb", 0, NULL);
    check("(?<=(?<!c)a)b", "cab", 0, "dab", 1, "ab", 1, NULL);
    check("a(?=b(?<=ab))", "ab", 1, "a", 0, NULL);
    check("a(?!b(?<!xab))", "xab", 1, "yab", 0, "ac", 1, NULL);
    check("^(?:(?=\\w)[^_])+$", "abc", 1, "a_c", 0, "a-c", 0, NULL);
    check("^(?:a(?=b)|b)+$", "abab", 1, "ab", 1, "aab", 0, NULL);
    check("(?:(?=\\s)){2,197}", "a ", 1, "ab", 0, NULL);
    check("^(?:(?<=a)b|a)*$", "abab", 1, "bb", 0, NULL);
    /* Annex B lets a lookahead itself be quantified */
    check("(?=a)*b", "b", 1, NULL);
    check("^(?=a){2}a$", "a", 1, "b", 0, NULL);
}

/* A position inside a UTF-8 sequence is no position: nothing matches there. */
static void test_code_point_positions(void **state)
{
    (void)state;
    check("(?<!.)(?!.)", "\xc3\xa9", 0, "", 1, "\n", 1, NULL);
    check("(?<!.|c)((?!.))(?=b)?",
          "a&a&\xef\xbb\xbf"
          "0",
          0, NULL);
    check("\\B",
          "b\xf0\x9f\x98\x80"
          "b",
          0, "\xc3\xa9", 1, NULL);
}

/* Counted repetition at and around its bounds, with characters of 1 to 4 bytes. */
static void test_counted_bounds(void **state)
{
    (void)state;
    check("^a{0}$", "", 1, "a", 0, NULL);
    check("^(?:ab){1,1}$", "ab", 1, "abab", 0, "", 0, NULL);
    const char *units[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (size_t u = 0; u < 4; u++) {
        for (size_t k = 254; k <= 258; k++) {
            char *s = repeat(units[u], k);
            int want = k <= 256;
            if (run3("^.{1,256}$", s, strlen(s)) != want)
                fail_msg("^.{1,256}$ on %zu x %s: want %d", k, units[u], want);
            if (run3("^.{256,}$", s, strlen(s)) != (k >= 256))
                fail_msg("^.{256,}$ on %zu x %s", k, units[u]);
            free(s);
        }
    }
    check("^.{1,256}$", "", 0, "\n", 0, NULL);
    check("^[^\\s@\"]{1,64}@[^\\s@]{1,255}$", "a@b", 1, "a b@c", 0, "@x", 0, "\xc3\xa9@\xc3\xa9", 1,
          NULL);
    char *local = repeat("x", 64), *over = repeat("x", 65), *s = malloc(200);
    snprintf(s, 200, "%s@example.org", local);
    assert_int_equal(run3("^[^\\s@\"]{1,64}@[^\\s@]{1,255}$", s, strlen(s)), 1);
    snprintf(s, 200, "%s@example.org", over);
    assert_int_equal(run3("^[^\\s@\"]{1,64}@[^\\s@]{1,255}$", s, strlen(s)), 0);
    free(local);
    free(over);
    free(s);
    const char *file = "^[^\\.\\s\\\\/:\\*\\?\"<>\\|\\x01-\\x1f]{1,32}"
                       "(\\.[^\\.\\s\\\\/:\\*\\?\"<>\\|\\x01-\\x1f]{1,32}){1,3}$";
    check(file, "a.b", 1, "ab", 0, "a.b.c.d.e", 0, "a.b.c.d", 1, "a:b.c", 0, NULL);
    check("^\\p{L}{1,1000}$", "abc", 1, "ab1", 0, "\xce\xb1\xce\xb2", 1, NULL);
    check("^(\\p{L}{1,50}\\.){1,10}$", "ab.c.", 1, "ab.c", 0, NULL);
    /* from the differential test: nested counted repetition (one counter, the other
     * unrolled, whichever is smaller) */
    check("(?:(?:\\p{Ll}){3,}){1,249}", "abc", 1, "Abc", 0, NULL);
    check("^(x{1,300}){1,300}$", "xxx", 1, "", 0, NULL);
    check("^a{100,}$", "aaa", 0, NULL);
    char *a99 = repeat("a", 99), *a100 = repeat("a", 100), *a300 = repeat("a", 300);
    assert_int_equal(run3("^a{100,}$", a99, 99), 0);
    assert_int_equal(run3("^a{100,}$", a100, 100), 1);
    assert_int_equal(run3("^a{100,}$", a300, 300), 1);
    assert_int_equal(run3("^(?:a|b){3,300}?a$", a100, 100), 1);
    free(a99);
    free(a100);
    free(a300);
    /* large bounds compile to one counted copy, not to copies */
    mg_re_prog *p = compile_ok("^.{0,65535}$");
    assert_true(p->mach[0].ninst < 100);
    assert_int_equal(p->mach[0].nloop, 1);
    cg_regex_free(p);
}

/* Syntax JavaScript accepts without the u flag (ECMA-262 Annex B). */
static void test_annexb(void **state)
{
    (void)state;
    check("^\\/[^\\*\\?\\&\\%]*(\\/\\*)?$", "/abc", 1, "/a&b", 0, "/x/*", 1, "x", 0, NULL);
    check("^a{,2}]$", "a{,2}]", 1, "aa", 0, NULL);
    check("\\c1", "\\c1", 1, "\x11", 0, NULL);
    check("[\\c1]", "\x11", 1, "c", 0, NULL);
    check("^\\101\\8$", "A8", 1, NULL);
    check("^[\\d-z]+$", "1-z", 1, "a", 0, NULL);
    check("^\\x4g\\u12$", "x4gu12", 1, NULL);
    compile_fails_flags("^\\/[^\\*\\?\\&\\%]*(\\/\\*)?$", 0, "invalid escape");
    mg_re_prog *p;
    cg_re_info info;
    char err[128];
    assert_int_equal(cg_regex_compile("a\\&}", 4, MG_RE_ANNEXB, &p, &info, err, sizeof err), 0);
    assert_int_equal(info.nannexb, 2);
    assert_string_equal(info.annexb_what, "identity escape");
    assert_int_equal(info.annexb_off, 1);
    assert_false(info.backtracking);
    cg_regex_free(p);
}

/* Backreferences: ECMA-262's backtracking semantics (verdicts are Node's). */
static void test_backrefs(void **state)
{
    (void)state;
    check("^(a+)\\1$", "aaaa", 1, "aaa", 0, NULL);
    check("(?<n>x)\\k<n>", "xx", 1, "xy", 0, NULL);
    check("\\1(a)", "a", 1, "", 0, NULL);                  /* forward: still unset */
    check("(?:(a)|b)\\1", "b", 1, "aa", 1, "ba", 1, NULL); /* unset: the empty string */
    check("^(?:(a)|b)+\\1$", "abb", 1, "aba", 0, "ab", 1, "abba", 0, "ba", 0, NULL); /* reset */
    check("(?<=(a)\\1)b", "aab", 1, "ab", 1, "b", 0, NULL); /* a lookbehind reads backwards */
    check("(?<=\\1(a))b", "aab", 1, "ab", 0, NULL);
    check("^(?=(a+))a*b\\1$", "aaaba", 0, "aaabaaa", 1, "ab", 0, NULL); /* atomic lookahead */
    check("^(\\w{2,300})\\1$", "abab", 1, "abcab", 0, NULL);
    check("^(?:(a)|b){3,500}\\1$", "bbba", 0, "abbba", 0, "bab", 1, "babb", 1, NULL);
    check("(\\p{L})\\1", "\xc3\xa9\xc3\xa9", 1,
          "\xc3\xa9"
          "e",
          0, NULL);
    mg_re_prog *p;
    /* from the differential test: a large counted repetition in a backtracking pattern */
    check("(?!(?:\\p{L}){0,289}|(?<=!)|( )(?:\\1)+)", "a", 0, "  ", 0, "!", 0, "", 0, NULL);
    cg_re_info info;
    char err[128];
    assert_int_equal(cg_regex_compile("(a)\\1", 5, MG_RE_ANNEXB, &p, &info, err, sizeof err), 0);
    assert_true(info.backtracking);
    assert_true(info.may_limit);
    assert_true(p->nbt > 0);
    cg_regex_free(p);
}

/* A backtracking match that needs more steps than its budget stops with MG_RE_ESTEPS; one
 * that needs more memory than it is given, with MG_RE_EMEM. The linear approximations decide
 * what they can first: (a|aa)+\\1c cannot match a string without c, and x|(.)\\1 matches any
 * string with an x. */
static void test_backref_budget(void **state)
{
    (void)state;
    size_t n = 2000;
    char *s = repeat("a", n);
    mg_re_prog *p = compile_flags("(a|aa)+\\1c", MG_RE_ANNEXB | CG_RE_NO_PREFILTER);
    assert_int_equal(run_env(p, s, n, NULL), MG_RE_ESTEPS);
    assert_int_equal(run_env(p, "aaaac", 5, NULL), MG_RE_MATCH);
    mg_re_env tiny = {words, 8, NULL};
    assert_int_equal(mg_re_match(p, s, n, &tiny), MG_RE_EMEM);
    cg_regex_free(p);
    p = compile_ok("(a|aa)+\\1c");
    assert_int_not_equal(p->nover, 0);
    assert_int_equal(run_env(p, s, n, NULL), MG_RE_NOMATCH);
    cg_regex_free(p);
    p = compile_ok("(?:(?:(?:.){1,}){3,6}){2,4}|x|(.)\\1");
    assert_int_not_equal(p->nunder, 0);
    s[n / 2] = 'x';
    assert_int_equal(run_env(p, s, n, NULL), MG_RE_MATCH);
    cg_regex_free(p);
    /* where neither decides: (.{2,}?)\\1-like patterns on a string without a repeat */
    for (size_t i = 0; i < n; i++)
        s[i] = "ab"[i & 1];
    p = compile_ok("(?:(?:(?<g0>.)){2,}?\\k<g0>)+");
    assert_int_equal(run_env(p, s, n, NULL), MG_RE_ESTEPS);
    cg_regex_free(p);
    /* from the differential test: a Unicode class in a lookbehind is a step per character for
     * the backtracker, not one per range of its trie; alternatives inside a group around the
     * whole pattern are an under-approximation too */
    check("(?=(?<=(?<g0>[^{\\P{L}\xce\xa9]))\\1)", "b\xe2\x82\xac", 0, NULL);
    check("((?:(?:.){0,190}?)+(&)|\xc3\x89|\\1|[^9-Z\xce\xa9])", "x9", 1, NULL);
    /* the over-approximation under a negative lookaround reads the backreference as nothing */
    check("^(a)(?!\\1)", "ab", 1, "aa", 0, NULL);
    check("^(?!(.).*\\1)\\w+$", "abc", 1, "abca", 0, NULL);
    free(s);
    /* a long string that matches, with the scratch a validator has for messages of its size:
     * a choice point for every byte fits */
    n = 100001;
    s = repeat("a", n);
    s[n / 2] = 'b';
    mg_re_env validator_like = {words, n + n / 16 + 1024, NULL};
    p = compile_ok("^(a+)b\\1$");
    assert_int_equal(mg_re_match(p, s, n, &validator_like), MG_RE_MATCH);
    s[n - 1] = 'c';
    assert_int_equal(mg_re_match(p, s, n, &validator_like), MG_RE_NOMATCH);
    cg_regex_free(p);
    free(s);
}

static void test_refused(void **state)
{
    (void)state;
    compile_fails("(?:(?:a{1000}){1000}){1000}", "pattern too large");
    compile_fails("a{2000000000}", "pattern too large");
    compile_fails_flags("^(abc]", 0, "invalid pattern at offset 5");
    compile_fails("^(abc]", "offset 1: unterminated group"); /* Annex B: a lone "]" */
    compile_fails_flags("\\a", 0, "invalid escape");
    compile_fails("\\p{Foo}", "unknown Unicode property");
}

/* Hostile inputs take time linear in their length (the budget is on the backtracker only). */
static void test_linear_time(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = repeat("a", n);
    const char *pats[] = {"(a*)*b",     "^(a|aa)+$",      "^(a+)+$",          "(a|a)*b",
                          "(?=(a+)+b)", "^(?:(?!ab).)*$", "(a|b)*a(a|b){25}", "(?<=(?:a+)+)b"};
    int want[] = {0, 1, 1, 0, 0, 1, 1, 0};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
        if (run3(pats[i], s, n) != want[i]) fail_msg("/%s/ on 100000 x a", pats[i]);
    s[n - 1] = 'b';
    assert_int_equal(run3("(a*)*b", s, n), 1);
    free(s);
}

/* The pattern's automaton is a static DFA when small, else the runtime builds it (lazy DFA),
 * and without a cache the NFA is simulated. */
static void test_engine_choice(void **state)
{
    (void)state;
    mg_re_prog *p = compile_ok("^a{2,3}$");
    assert_int_equal(p->nmach, 1);
    assert_non_null(p->mach[0].trans);
    assert_int_equal(p->mach[0].ninst, 0);
    cg_regex_free(p);
    /* a Unicode letter 12 positions from the end: far more than MG_RE_DFA_MAX states */
    p = compile_ok("\\p{L}.{11}$");
    assert_null(p->mach[0].trans);
    assert_true(p->mach[0].ninst > 0);
    const char *yes[] = {"\xce\xb1"
                         "12345678901",
                         "--\xce\xb1"
                         "12345678901"};
    const char *no[] = {"1\xce\xb1"
                        "2345678901",
                        "\xce\xb1"
                        "123456789012"};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(run_env(p, yes[k], strlen(yes[k]), cache), 1);
        assert_int_equal(run_env(p, yes[k], strlen(yes[k]), NULL), 1);
        assert_int_equal(run_env(p, no[k], strlen(no[k]), cache), 0);
        assert_int_equal(run_env(p, no[k], strlen(no[k]), NULL), 0);
    }
    /* a lookaround machine needs scratch words for its bits: too few is MG_RE_EMEM */
    cg_regex_free(p);
    p = compile_ok("(?=a)");
    assert_int_equal(p->nmach, 2);
    assert_true(p->mach[1].backward);
    mg_re_env tiny = {words, 1, NULL};
    char *s = repeat("a", 1000);
    assert_int_equal(mg_re_match(p, s, 1000, &tiny), MG_RE_EMEM);
    free(s);
    cg_regex_free(p);
}

/* state: the library to link, $(B)/libmgvalidator.a next to this binary's build tree. The
 * emitted functions take the validator's context: its scratch words and DFA cache. */
static void test_emit_and_run(void **state)
{
    const char *lib = *state;
    char dir[] = "/tmp/test_cg_regex_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/re.c", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"mg_rt.h\"\n",
          f);
    char err[256];
    static const char *const pats[] = {"^[a-z]+\\d*/\\*x$", "\\p{L}.{11}$", "a(?=b)(?<!ca)",
                                       "^(\\w+)-\\1$", "^.{1,256}$"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        char name[8];
        snprintf(name, sizeof name, "re_%c", (char)('a' + i));
        if (cg_regex_emit(f, name, pats[i], strlen(pats[i]), MG_RE_ANNEXB, NULL, err, sizeof err))
            fail_msg("/%s/: %s", pats[i], err);
    }
    fputs("int main(void)\n{\n"
          "    static uint64_t w[1 << 16];\n"
          "    mg_ctx cx = {.scratch = w, .scratch_words = 1 << 16};\n"
          "    mg_ctx *c = &cx;\n"
          "    cx.re_cache = mg_re_cache_new(MG_RE_CACHE_BYTES);\n"
          "    int ok = re_a(c, \"abc12/*x\", 8) == 1 && re_a(c, \"abc12/*x\\n\", 9) == 0;\n"
          "    ok = ok && re_a(c, \"1\", 1) == 0;\n"
          "    ok = ok && re_b(c, \"\\xce\\xb1\" \"12345678901\", 13) == 1 && re_b(c, \"abc\", 3) "
          "== 0;\n"
          "    ok = ok && re_c(c, \"xab\", 3) == 1 && re_c(c, \"cab\", 3) == 0;\n"
          "    ok = ok && re_d(c, \"ab-ab\", 5) == 1 && re_d(c, \"ab-ac\", 5) == 0;\n"
          "    char s[300];\n    memset(s, 'x', 300);\n"
          "    ok = ok && re_e(c, s, 256) == 1 && re_e(c, s, 257) == 0;\n"
          "    mg_re_cache_free(cx.re_cache);\n"
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
    assert_int_equal(cg_regex_emit(f, "r", "a*/\x01", 4, MG_RE_ANNEXB, NULL, err, sizeof err), 0);
    fclose(f);
    assert_non_null(strstr(text, "/* pattern: a\\x2a/\\x01 */\n"));
    assert_non_null(
        strstr(text, "static int r(struct mg_ctx *c MG_UNUSED, const char *s, size_t n)"));
    free(text);
    f = open_memstream(&text, &len);
    assert_int_not_equal(cg_regex_emit(f, "r", "a{", 2, 0, NULL, err, sizeof err), 0);
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
    cache = mg_re_cache_new(MG_RE_CACHE_BYTES);
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
        cmocka_unit_test(test_lookahead),
        cmocka_unit_test(test_lookbehind),
        cmocka_unit_test(test_lookaround_nested),
        cmocka_unit_test(test_code_point_positions),
        cmocka_unit_test(test_counted_bounds),
        cmocka_unit_test(test_annexb),
        cmocka_unit_test(test_backrefs),
        cmocka_unit_test(test_backref_budget),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_linear_time),
        cmocka_unit_test(test_engine_choice),
        cmocka_unit_test_prestate(test_emit_and_run, lib),
        cmocka_unit_test(test_emit_comment_and_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mg_re_cache_free(cache);
    return rc;
}
