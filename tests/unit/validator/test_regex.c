/* test_regex.c - unit tests for the runtime regex pieces: syntax check, parser, matcher.
 *
 * Design: mg_regex_syntax_ok is checked against ECMA-262 u-mode accept/reject cases
 * (including the format "regex" suite cases); mg_re_parse for the tree it builds and
 * mg_re_class_next for class members; mg_re_exec on small hand-built DFA and NFA programs
 * (compiled patterns are exercised in tests/unit/codegen/test_cg_regex.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mg_regex.h"

static bool ok(const char *pat)
{
    return mg_regex_syntax_ok(pat, strlen(pat), NULL, 0);
}

static void test_syntax_accepts(void **state)
{
    (void)state;
    const char *good[] = {
        "",
        "([abc])+\\s+$",
        "^a*$",
        "a|",
        "()",
        "(?:a)*?",
        "x{1,}?",
        "x{2,5}",
        "[\\-]",
        "[\\b]",
        "[^]",
        "[]",
        "\\/",
        "\\cC",
        "\\0",
        "\\x41",
        "\\u0041",
        "\\u{1F600}",
        "\\uD83D\\uDE00",
        "\xf0\x9f\x90\xb2*",
        "\\p{L}",
        "\\p{Letter}",
        "\\p{digit}",
        "\\P{Lu}",
        "\\p{gc=Nd}",
        "\\p{General_Category=Decimal_Number}",
        "\\p{Script=Greek}",
        "\\p{sc=Latn}",
        "\\p{scx=Hira}",
        "\\p{ASCII}",
        "(a)\\1",
        "(?<n>a)\\k<n>",
        "\\k<x>(?<x>)",
        "(?=a)",
        "(?!a)",
        "(?<=a)b",
        "(?<!a)b",
        "\\bx\\B",
        "[\\d\\w\\s\\p{L}a-z]",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char err[128] = "";
        if (!mg_regex_syntax_ok(good[i], strlen(good[i]), err, sizeof err))
            fail_msg("/%s/ rejected: %s", good[i], err);
    }
}

static void test_syntax_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "^(abc]",      "a{2,1}",
        "a{",          "a{1",
        "{",           "}",
        "]",           "\\a",
        "\\-",         "\\c1",
        "\\00",        "(a)\\2",
        "\\k<x>",      "(?<a>x)(?<a>y)",
        "(?=a)*",      "(?<!a)+",
        "[\\d-z]",     "[z-a]",
        "\\u{110000}", "\\u12",
        "\\x4",        "a**",
        "*",           "+a",
        "?",           ")",
        "(",           "(?",
        "(?x)",        "[a",
        "\\p{Foo}",    "\\p{L",
        "\\pL",        "\\p{Script=Nope}",
        "\\p{letter}", "a\\",
        "[\\1]",       "\xff",
        "\xc3",        "\xed\xa0\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ok(bad[i])) fail_msg("/%s/ accepted", bad[i]);
}

static void test_syntax_error_message(void **state)
{
    (void)state;
    char err[128];
    assert_false(mg_regex_syntax_ok("^(abc]", 6, err, sizeof err));
    assert_string_equal(err, "invalid pattern at offset 5: lone ']' or '}' (escape it)");
    assert_false(mg_regex_syntax_ok("ab(", 3, err, sizeof err));
    assert_string_equal(err, "invalid pattern at offset 2: unterminated group");
    /* not NUL-terminated, with an embedded NUL */
    assert_true(mg_regex_syntax_ok("a\0b(", 3, NULL, 0));
}

static void test_nesting_bounded(void **state)
{
    (void)state;
    static char deep[20001];
    memset(deep, '(', 10000);
    memset(deep + 10000, ')', 10000);
    char err[128];
    assert_false(mg_regex_syntax_ok(deep, 20000, err, sizeof err));
    assert_non_null(strstr(err, "nested too deeply"));
    memset(deep, '(', 50);
    memset(deep + 50, ')', 50);
    assert_true(mg_regex_syntax_ok(deep, 100, NULL, 0));
}

static void test_parse_tree(void **state)
{
    (void)state;
    const char *pat = "^a{2,5}|[^x-z\\d]";
    long cnt = mg_re_parse(pat, strlen(pat), NULL, 0, NULL, NULL, 0);
    assert_true(cnt > 0);
    mg_re_node nodes[32];
    int32_t root;
    assert_int_equal(mg_re_parse(pat, strlen(pat), nodes, 32, &root, NULL, 0), cnt);
    const mg_re_node *alt = &nodes[root];
    assert_int_equal(alt->op, MG_RE_ALT);
    const mg_re_node *cat = &nodes[alt->child];
    assert_int_equal(cat->op, MG_RE_CAT);
    assert_int_equal(nodes[cat->child].op, MG_RE_BOL);
    const mg_re_node *rep = &nodes[nodes[cat->child].next];
    assert_int_equal(rep->op, MG_RE_REPEAT);
    assert_int_equal(rep->min, 2);
    assert_int_equal(rep->max, 5);
    assert_int_equal(nodes[rep->child].op, MG_RE_CHAR);
    assert_int_equal(nodes[rep->child].item.lo, 'a');
    const mg_re_node *cls = &nodes[cat->next];
    assert_int_equal(cls->op, MG_RE_CLASS);
    assert_true(cls->neg);
    size_t pos = cls->off;
    mg_re_item it;
    assert_true(mg_re_class_next(pat, strlen(pat), &pos, &it));
    assert_int_equal(it.kind, MG_RI_RANGE);
    assert_int_equal(it.lo, 'x');
    assert_int_equal(it.hi, 'z');
    assert_true(mg_re_class_next(pat, strlen(pat), &pos, &it));
    assert_int_equal(it.kind, MG_RI_DIGIT);
    assert_false(mg_re_class_next(pat, strlen(pat), &pos, &it));
}

static void test_parse_escapes(void **state)
{
    (void)state;
    mg_re_node nodes[8];
    int32_t root;
    assert_true(mg_re_parse("\\uD83D\\uDE00", 12, nodes, 8, &root, NULL, 0) > 0);
    assert_int_equal(nodes[root].op, MG_RE_CHAR);
    assert_int_equal(nodes[root].item.lo, 0x1F600);
    assert_true(mg_re_parse("\\p{sc=Grek}", 11, nodes, 8, &root, NULL, 0) > 0);
    assert_int_equal(nodes[root].op, MG_RE_SET);
    const mg_re_prop *pr = mg_re_prop_at(nodes[root].item.prop);
    assert_int_equal(pr->kind, MG_RP_SCRIPT);
    assert_string_equal(pr->canon, "Greek");
    assert_true(mg_re_parse("\\P{digit}", 9, nodes, 8, &root, NULL, 0) > 0);
    assert_true(nodes[root].item.neg);
    assert_string_equal(mg_re_prop_at(nodes[root].item.prop)->canon, "Nd");
    assert_true(mg_re_parse("\\cj", 3, nodes, 8, &root, NULL, 0) > 0);
    assert_int_equal(nodes[root].item.lo, 10);
}

/* ^ab on a hand-made DFA: classes 0 = other, 1 = 'a', 2 = 'b'. */
static void test_exec_dfa(void **state)
{
    (void)state;
    uint8_t cls[256] = {0};
    cls['a'] = 1;
    cls['b'] = 2;
    static const uint16_t trans[] = {MG_RE_DEAD,  1, MG_RE_DEAD,   MG_RE_DEAD,
                                     MG_RE_DEAD,  2, MG_RE_ACCEPT, MG_RE_ACCEPT,
                                     MG_RE_ACCEPT};
    static const uint8_t acc[] = {0, 0, 1};
    mg_re_prog p = {3, 3, 0, cls, trans, acc, 0, false, NULL};
    assert_true(mg_re_exec(&p, "ab", 2));
    assert_true(mg_re_exec(&p, "abxyz", 5));
    assert_false(mg_re_exec(&p, "a", 1));
    assert_false(mg_re_exec(&p, "xab", 3));
    assert_false(mg_re_exec(&p, "", 0));
}

/* \bb+$ as an unanchored NFA. */
static void test_exec_nfa(void **state)
{
    (void)state;
    static const mg_re_inst inst[] = {
        {MG_RX_ASSERT, MG_RE_WORDB, 0, 1, 0},
        {MG_RX_BYTE, 'b', 'b', 2, 0},
        {MG_RX_SPLIT, 0, 0, 1, 3},
        {MG_RX_ASSERT, MG_RE_EOL, 0, 4, 0},
        {MG_RX_MATCH, 0, 0, 0, 0},
    };
    mg_re_prog p = {0, 0, 0, NULL, NULL, NULL, 5, true, inst};
    assert_true(mg_re_exec(&p, "bbb", 3));
    assert_true(mg_re_exec(&p, "x bb", 4));
    assert_false(mg_re_exec(&p, "abb", 3));
    assert_false(mg_re_exec(&p, "bb\n", 3));
    assert_false(mg_re_exec(&p, "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_accepts),
        cmocka_unit_test(test_syntax_rejects),
        cmocka_unit_test(test_syntax_error_message),
        cmocka_unit_test(test_nesting_bounded),
        cmocka_unit_test(test_parse_tree),
        cmocka_unit_test(test_parse_escapes),
        cmocka_unit_test(test_exec_dfa),
        cmocka_unit_test(test_exec_nfa),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
