/* test_regex.c - unit tests for the runtime regex pieces: syntax check, parser, matcher.
 *
 * Design: mg_regex_syntax_ok is checked against ECMA-262 u-mode accept/reject cases
 * (including the format "regex" suite cases); mg_re_parse for the tree it builds, capture
 * numbers, and the Annex B syntax MG_RE_ANNEXB takes (and counts); mg_re_class_next for class
 * members; mg_re_match on small hand-built DFA, NFA and backtracking programs, the lazy DFA
 * cache and the limits (compiled patterns are exercised in tests/unit/codegen/test_cg_regex.c).
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
    long cnt = mg_re_parse(pat, strlen(pat), 0, NULL, 0, NULL, NULL, 0);
    assert_true(cnt > 0);
    mg_re_node nodes[32];
    mg_re_parsed pi;
    assert_int_equal(mg_re_parse(pat, strlen(pat), 0, nodes, 32, &pi, NULL, 0), cnt);
    const mg_re_node *alt = &nodes[pi.root];
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
    mg_re_class_it ci = {.pos = cls->off};
    mg_re_item it;
    assert_true(mg_re_class_next(pat, strlen(pat), &ci, &it));
    assert_int_equal(it.kind, MG_RI_RANGE);
    assert_int_equal(it.lo, 'x');
    assert_int_equal(it.hi, 'z');
    assert_true(mg_re_class_next(pat, strlen(pat), &ci, &it));
    assert_int_equal(it.kind, MG_RI_DIGIT);
    assert_false(mg_re_class_next(pat, strlen(pat), &ci, &it));
}

static int32_t parse_root(const char *pat, unsigned flags, mg_re_node *nodes, size_t cap)
{
    mg_re_parsed pi;
    char err[128];
    if (mg_re_parse(pat, strlen(pat), flags, nodes, cap, &pi, err, sizeof err) < 0)
        fail_msg("/%s/: %s", pat, err);
    return pi.root;
}

static void test_parse_escapes(void **state)
{
    (void)state;
    mg_re_node nodes[8];
    int32_t root = parse_root("\\uD83D\\uDE00", 0, nodes, 8);
    assert_int_equal(nodes[root].op, MG_RE_CHAR);
    assert_int_equal(nodes[root].item.lo, 0x1F600);
    root = parse_root("\\p{sc=Grek}", 0, nodes, 8);
    assert_int_equal(nodes[root].op, MG_RE_SET);
    const mg_re_prop *pr = mg_re_prop_at(nodes[root].item.prop);
    assert_int_equal(pr->kind, MG_RP_SCRIPT);
    assert_string_equal(pr->canon, "Greek");
    root = parse_root("\\P{digit}", 0, nodes, 8);
    assert_true(nodes[root].item.neg);
    assert_string_equal(mg_re_prop_at(nodes[root].item.prop)->canon, "Nd");
    root = parse_root("\\cj", 0, nodes, 8);
    assert_int_equal(nodes[root].item.lo, 10);
}

/* Captures are numbered by their "(" from the left; \k<name> and \N resolve to them. */
static void test_parse_groups(void **state)
{
    (void)state;
    mg_re_node nodes[32];
    mg_re_parsed pi;
    const char *pat = "(a(?<x>b))(?:c)(d)\\k<x>\\3(?=e)(?<!f)*?";
    assert_true(mg_re_parse(pat, strlen(pat), MG_RE_ANNEXB, nodes, 32, &pi, NULL, 0) < 0);
    pat = "(a(?<x>b))(?:c)(d)\\k<x>\\3(?=e)(?<!f)x*?";
    long cnt = mg_re_parse(pat, strlen(pat), 0, nodes, 32, &pi, NULL, 0);
    assert_true(cnt > 0);
    assert_int_equal(pi.ngroups, 3);
    int groups = 0, refs = 0, looks = 0;
    for (long i = 0; i < cnt; i++) {
        const mg_re_node *x = &nodes[i];
        if (x->op == MG_RE_GROUP && x->group) {
            size_t at = x->off;
            assert_int_equal(x->group, at == 0 ? 1 : at == 2 ? 2 : 3);
            groups++;
        } else if (x->op == MG_RE_BACKREF) {
            assert_int_equal(x->group, pat[x->off + 1] == 'k' ? 2 : 3);
            refs++;
        } else if (x->op == MG_RE_LOOK) {
            assert_int_equal(x->behind, pat[x->off + 2] == '<');
            assert_int_equal(x->neg, x->behind);
            looks++;
        } else if (x->op == MG_RE_REPEAT) {
            assert_true(x->lazy);
        }
    }
    assert_int_equal(groups, 3);
    assert_int_equal(refs, 2);
    assert_int_equal(looks, 2);
}

/* Annex B: accepted only with MG_RE_ANNEXB, counted, the first named; each read as
 * JavaScript reads it without the u flag. */
static void test_parse_annexb(void **state)
{
    (void)state;
    static const struct {
        const char *pat, *what;
        uint32_t off, cp; /* cp: the character a one-node pattern stands for, or 0 */
    } cases[] = {
        {"\\&", "identity escape", 0, '&'},
        {"\\%", "identity escape", 0, '%'},
        {"\\-", "identity escape", 0, '-'},
        {"\\\xc3\xa9", "identity escape", 0, 0xE9},
        {"a]", "lone ']'", 1, 0},
        {"}", "lone '}'", 0, '}'},
        {"a{", "lone '{'", 1, 0},
        {"x{1,", "lone '{'", 1, 0},
        {"\\c1", "\\c without a letter", 0, 0},
        {"\\07", "legacy octal escape", 0, 7},
        {"\\1", "legacy octal escape", 0, 1},
        {"\\8", "legacy octal escape", 0, '8'},
        {"\\x4", "incomplete \\x escape", 0, 0},
        {"\\u12", "incomplete \\u escape", 0, 0},
        {"\\k", "identity escape", 0, 'k'},
        {"(?=a)*", "quantified lookahead", 5, 0},
        {"[\\d-z]", "class escape as a range bound", 1, 0},
        {"[\\c_]", "\\c with a digit or '_' in a class", 1, 0},
        {"[\\1]", "legacy octal escape in a class", 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *pat = cases[i].pat;
        mg_re_node nodes[16];
        mg_re_parsed pi;
        char err[128];
        if (mg_regex_syntax_ok(pat, strlen(pat), NULL, 0)) fail_msg("/%s/ is valid in u-mode", pat);
        if (mg_re_parse(pat, strlen(pat), MG_RE_ANNEXB, nodes, 16, &pi, err, sizeof err) < 0)
            fail_msg("/%s/ refused with MG_RE_ANNEXB: %s", pat, err);
        assert_int_equal(pi.nannexb, 1);
        assert_string_equal(pi.annexb_what, cases[i].what);
        assert_int_equal(pi.annexb_off, cases[i].off);
        if (cases[i].cp) {
            assert_int_equal(nodes[pi.root].op, MG_RE_CHAR);
            assert_int_equal(nodes[pi.root].item.lo, cases[i].cp);
        }
    }
    /* what stays an error: a braced quantifier with nothing to repeat, \k with named groups,
     * a quantified lookbehind, \p without a known property */
    const char *bad[] = {"{1}", "a|{2,3}", "(?<n>a)\\k", "(?<=a)*", "\\p{Foo}", "\\u{110000}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (mg_re_parse(bad[i], strlen(bad[i]), MG_RE_ANNEXB, NULL, 0, NULL, NULL, 0) >= 0)
            fail_msg("/%s/ accepted with MG_RE_ANNEXB", bad[i]);
    /* a u-mode pattern counts nothing; several constructs are all counted */
    mg_re_parsed pi;
    assert_true(mg_re_parse("^a\\.b$", 6, MG_RE_ANNEXB, NULL, 0, &pi, NULL, 0) > 0);
    assert_int_equal(pi.nannexb, 0);
    const char *two = "^\\/[^\\*\\?\\&\\%]*(\\/\\*)?$";
    assert_true(mg_re_parse(two, strlen(two), MG_RE_ANNEXB, NULL, 0, &pi, NULL, 0) > 0);
    assert_int_equal(pi.nannexb, 2);
    assert_int_equal(pi.annexb_off, 9);
}

/* [\d-z] is \d, "-" and "z"; [\d-a-z] is \d, "-", "a", "-", "z" (not a range a-z). */
static void test_class_annexb_members(void **state)
{
    (void)state;
    const char *pat = "[\\d-a-z]";
    mg_re_class_it ci = {.pos = 1};
    mg_re_item it;
    uint32_t want[] = {0, '-', 'a', '-', 'z'};
    for (size_t i = 0; i < 5; i++) {
        assert_true(mg_re_class_next(pat, strlen(pat), &ci, &it));
        if (i == 0) {
            assert_int_equal(it.kind, MG_RI_DIGIT);
        } else {
            assert_int_equal(it.kind, MG_RI_RANGE);
            assert_int_equal(it.lo, want[i]);
            assert_int_equal(it.hi, want[i]);
        }
    }
    assert_false(mg_re_class_next(pat, strlen(pat), &ci, &it));
}

static uint64_t words[1 << 16];

static int run(const mg_re_prog *p, const char *s, mg_re_cache *cache)
{
    mg_re_env env = {words, sizeof words / sizeof words[0], cache};
    return mg_re_match(p, s, strlen(s), &env);
}

/* ^ab on a hand-made DFA: classes 0 = other, 1 = 'a', 2 = 'b'; state 2 has matched. */
static void test_exec_dfa(void **state)
{
    (void)state;
    uint8_t cls[256] = {0};
    cls['a'] = 1;
    cls['b'] = 2;
    static const uint16_t trans[] = {MG_RE_DEAD, 1,      MG_RE_DEAD, MG_RE_DEAD, MG_RE_DEAD,
                                     2,          0xFFFF, 0xFFFF,     0xFFFF};
    static const uint8_t acc[] = {0, 0, 1};
    mg_re_machine m = {.nstates = 3, .trans = trans, .acc_end = acc, .ncls = 3, .cls = cls};
    mg_re_prog p = {.nmach = 1, .mach = &m};
    assert_int_equal(run(&p, "ab", NULL), MG_RE_MATCH);
    assert_int_equal(run(&p, "abxyz", NULL), MG_RE_MATCH);
    assert_int_equal(run(&p, "a", NULL), MG_RE_NOMATCH);
    assert_int_equal(run(&p, "xab", NULL), MG_RE_NOMATCH);
    assert_int_equal(run(&p, "", NULL), MG_RE_NOMATCH);
}

static uint8_t identity_cls[256];

/* \bb+$ as an unanchored NFA, simulated and as a lazy DFA. */
static void test_exec_nfa(void **state)
{
    (void)state;
    static const mg_re_inst inst[] = {
        {MG_RX_ASSERT, MG_RA_WORDB, 0, 1, 0},
        {MG_RX_BYTE, 'b', 'b', 2, MG_RX_NONE},
        {MG_RX_SPLIT, 0, 0, 1, 3},
        {MG_RX_ASSERT, MG_RA_EOL, 0, 4, 0},
        {MG_RX_MATCH, 0, 0, 0, 0},
    };
    for (int b = 0; b < 256; b++)
        identity_cls[b] = (uint8_t)b;
    mg_re_machine m = {.id = 1,
                       .inst = inst,
                       .ninst = 5,
                       .nvirt = 5,
                       .restart = true,
                       .ncls = 256,
                       .cls = identity_cls};
    mg_re_prog p = {.nmach = 1, .mach = &m};
    mg_re_cache *cache = mg_re_cache_new(1 << 16);
    assert_non_null(cache);
    for (int k = 0; k < 2; k++) {
        mg_re_cache *c = k ? cache : NULL;
        assert_int_equal(run(&p, "bbb", c), MG_RE_MATCH);
        assert_int_equal(run(&p, "x bb", c), MG_RE_MATCH);
        assert_int_equal(run(&p, "abb", c), MG_RE_NOMATCH);
        assert_int_equal(run(&p, "bb\n", c), MG_RE_NOMATCH);
        assert_int_equal(run(&p, "", c), MG_RE_NOMATCH);
    }
    mg_re_cache_free(cache);
}

/* The cache keys on a machine's address and checks its id: another machine at the same
 * address (a schema set unloaded and another loaded there) never gets the old states. */
static void test_cache_id(void **state)
{
    (void)state;
    mg_re_inst inst[] = {{MG_RX_BYTE, 'a', 'a', 1, MG_RX_NONE}, {MG_RX_MATCH, 0, 0, 0, 0}};
    mg_re_machine m = {.id = 7,
                       .inst = inst,
                       .ninst = 2,
                       .nvirt = 2,
                       .restart = true,
                       .ncls = 256,
                       .cls = identity_cls};
    mg_re_prog p = {.nmach = 1, .mach = &m};
    mg_re_cache *cache = mg_re_cache_new(1 << 16);
    assert_int_equal(run(&p, "xa", cache), MG_RE_MATCH);
    assert_int_equal(run(&p, "xb", cache), MG_RE_NOMATCH);
    inst[0].lo = inst[0].hi = 'b';
    m.id = 8;
    assert_int_equal(run(&p, "xa", cache), MG_RE_NOMATCH);
    assert_int_equal(run(&p, "xb", cache), MG_RE_MATCH);
    /* a cache too small for even one state: the NFA simulation takes over */
    mg_re_cache *tiny = mg_re_cache_new(64);
    assert_int_equal(run(&p, "xb", tiny), MG_RE_MATCH);
    mg_re_cache_free(tiny);
    mg_re_cache_free(cache);
}

/* ^(a)\1$ as a backtracking program. */
static void test_exec_bt(void **state)
{
    (void)state;
    static const mg_re_inst bt[] = {
        {MG_RX_ASSERT, MG_RA_BOL, 0, 1, 0},
        {MG_RX_SAVE, 0, 0, 2, 0},
        {MG_RX_BYTE, 'a', 'a', 3, MG_RX_NONE},
        {MG_RX_SAVE, 0, 0, 4, 1},
        {MG_RX_BACKREF, 0, 0, 5, 1},
        {MG_RX_ASSERT, MG_RA_EOL, 0, 6, 0},
        {MG_RX_MATCH, 0, 0, 0, 0},
    };
    mg_re_prog p = {.nbt = 7, .bt = bt, .ngroups = 1, .anchored = true};
    assert_int_equal(run(&p, "aa", NULL), MG_RE_MATCH);
    assert_int_equal(run(&p, "ab", NULL), MG_RE_NOMATCH);
    assert_int_equal(run(&p, "aaa", NULL), MG_RE_NOMATCH);
    mg_re_env env = {words, 1, NULL};
    assert_int_equal(mg_re_match(&p, "aa", 2, &env), MG_RE_EMEM);
    assert_string_equal(mg_re_limit_name(MG_RE_EMEM), "pattern matching memory");
    assert_string_equal(mg_re_limit_name(MG_RE_ESTEPS), "pattern backtracking step budget");
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
        cmocka_unit_test(test_parse_groups),
        cmocka_unit_test(test_parse_annexb),
        cmocka_unit_test(test_class_annexb_members),
        cmocka_unit_test(test_exec_dfa),
        cmocka_unit_test(test_exec_nfa),
        cmocka_unit_test(test_cache_id),
        cmocka_unit_test(test_exec_bt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
