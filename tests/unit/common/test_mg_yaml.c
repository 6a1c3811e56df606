/* test_mg_yaml.c - unit tests for common/mg_yaml.c: alias expansion is counted
 * and refused past each limit, with its position; ordinary YAML, and YAML that is not valid
 * (the real parse reports it), passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mg_yaml.h"

static bool check(const char *text, const mg_yaml_limits *lim, mg_yaml_problem *p)
{
    return mg_yaml_check(text, strlen(text), lim, p);
}

/* The classic: nine levels, each aliasing the one below nine times (9^9 nodes). */
static char *bomb(int levels)
{
    size_t cap = 4096;
    char *s = malloc(cap);
    size_t n = (size_t)snprintf(s, cap, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < levels; i++) {
        n += (size_t)snprintf(s + n, cap - n, "a%d: &a%d [", i, i);
        for (int k = 0; k < 9; k++)
            n += (size_t)snprintf(s + n, cap - n, "%s*a%d", k ? ", " : "", i - 1);
        n += (size_t)snprintf(s + n, cap - n, "]\n");
    }
    return s;
}

static void test_billion_laughs_is_refused_with_its_position(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    mg_yaml_problem p;
    char *s = bomb(9);
    assert_true(strlen(s) < 700);
    assert_false(check(s, &lim, &p));
    assert_non_null(strstr(p.what, "nodes once its aliases are expanded"));
    assert_in_range(p.line, 2, 9);
    assert_true(p.column > 0);
    free(s);
}

static void test_small_bomb_passes_default_limits(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    mg_yaml_problem p;
    char *s = bomb(4); /* 9^4 = 6561 scalars */
    assert_true(check(s, &lim, &p));
    lim.max_nodes = 5000;
    assert_false(check(s, &lim, &p));
    free(s);
}

static void test_alias_count_limit(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    lim.max_aliases = 3;
    mg_yaml_problem p;
    assert_true(check("a: &x 1\nb: [*x, *x, *x]\n", &lim, &p));
    assert_false(check("a: &x 1\nb: [*x, *x, *x, *x]\n", &lim, &p));
    assert_string_equal(p.what, "YAML with more than 3 aliases");
    assert_int_equal(p.line, 2);
    assert_int_equal(p.column, 18);
}

static void test_scalar_bytes_count_through_aliases(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    lim.max_bytes = 25;
    mg_yaml_problem p;
    assert_true(check("a: &x 0123456789\nb: [*x]\n", &lim, &p));
    assert_false(check("a: &x 0123456789\nb: [*x, *x]\n", &lim, &p));
    assert_non_null(strstr(p.what, "bytes of scalars"));
}

static void test_depth_counts_the_anchored_height(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    lim.max_depth = 4;
    mg_yaml_problem p;
    assert_true(check("a: &x [[1]]\n", &lim, &p));
    assert_false(check("a: &x [[1]]\nb: [[*x]]\n", &lim, &p));
    assert_non_null(strstr(p.what, "nested deeper than 4"));
    assert_false(check("[[[[[1]]]]]", &lim, &p));
}

static void test_merge_keys_and_redefined_anchors(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    lim.max_nodes = 13;
    mg_yaml_problem p;
    /* 13 nodes when *b is the later &b (one scalar), 15 when it is the 5-node map */
    assert_true(check("base: &b {x: 1, y: 2}\nb2: &b z\nm: {<<: *b}\n", &lim, &p));
    assert_false(check("base: &b {x: 1, y: 2}\nm: {<<: *b}\n", &lim, &p));
}

static void test_invalid_yaml_is_left_to_the_parser(void **state)
{
    (void)state;
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    mg_yaml_problem p;
    assert_true(check("a: [1, 2\nb: *nope\n", &lim, &p));
    assert_true(check("", &lim, &p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_billion_laughs_is_refused_with_its_position),
        cmocka_unit_test(test_small_bomb_passes_default_limits),
        cmocka_unit_test(test_alias_count_limit),
        cmocka_unit_test(test_scalar_bytes_count_through_aliases),
        cmocka_unit_test(test_depth_counts_the_anchored_height),
        cmocka_unit_test(test_merge_keys_and_redefined_anchors),
        cmocka_unit_test(test_invalid_yaml_is_left_to_the_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
