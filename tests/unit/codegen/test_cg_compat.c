/* test_cg_compat.c - the compatibility matrix of codegen/cg_compat*.c, table-driven.
 *
 * Design: every row of compat_cases.json (next to this file) is one case: old schema (or a
 * list, oldest first, for the transitive modes), new schema, mode, the expected verdict and the
 * expected explanation: every difference found, compatible or not, as the command prints it
 * ("BACKWARD PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at old #/properties/x, new #"), in
 * order. The rows are the issue's 24 content-model cases (open/closed x added/removed x
 * optional/required/required with a default x BACKWARD/FORWARD), the cases of Confluent's
 * diff-schema-examples with their locations in both schemas, and the modes. Each schema is
 * loaded into a codegen registry of its own, as the command does. One cmocka test runs every
 * row and prints a diagnostic per mismatching row, so one run shows them all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cg_compat.h"

static char cases_path[512];

/* A copy of n as a document of its own, registered in g as an input. */
static const cj_node *load(cg *g, const cj_node *n, const char *label)
{
    char *text = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    cj_write(o, n);
    fclose(o);
    char err[256];
    cj_node *root = cj_parse(text, len, err, sizeof err);
    free(text);
    assert_non_null(root);
    cg_options opt = {.default_dialect = CG_D2020, .prefix = "t"};
    cg_init(g, &opt);
    char uri[64];
    snprintf(uri, sizeof uri, "https://example.test/%s.json", label);
    assert_non_null(cg_add_synthetic(g, root, uri, label));
    return root;
}

/* Runs one row; returns a malloc'd description of what is wrong, or NULL. */
static char *run_row(const cj_node *row)
{
    const cj_node *old = cj_get(row, "old"), *mode_n = cj_get(row, "mode");
    cg_compat_mode mode;
    assert_true(cg_compat_mode_parse(mode_n->str, &mode));
    size_t nold = old->type == CJ_ARRAY ? old->n : 1;
    cg gs[8];
    cg_compat_schema olds[8], latest;
    assert_true(nold < 8);
    for (size_t i = 0; i < nold; i++) {
        char label[32];
        snprintf(label, sizeof label, "old%zu", i);
        olds[i] = (cg_compat_schema){
            &gs[i], load(&gs[i], old->type == CJ_ARRAY ? old->items[i] : old, label), "old"};
    }
    latest = (cg_compat_schema){&gs[nold], load(&gs[nold], cj_get(row, "new"), "new"), "new"};
    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    int status = cg_compat_check(mode, olds, nold, &latest, true, o);
    fclose(o);
    /* the explanation: every line but the pair headers, without the indent */
    char *got = NULL;
    size_t gotlen = 0;
    FILE *g = open_memstream(&got, &gotlen);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "  ", 2) == 0) fprintf(g, "%s\n", line + 2);
    fclose(g);
    char *want = NULL;
    size_t wantlen = 0;
    FILE *w = open_memstream(&want, &wantlen);
    const cj_node *explain = cj_get(row, "explain");
    for (size_t i = 0; i < explain->n; i++)
        fprintf(w, "%s\n", explain->items[i]->str);
    fclose(w);
    bool compatible = cj_get(row, "compatible")->type == CJ_TRUE;
    char *why = NULL;
    if (status == 2)
        why = cg_fmt("could not compare (errors: %zu)", gs[0].nerrors + gs[nold].nerrors);
    else if ((status == 0) != compatible)
        why = cg_fmt("verdict %s, want %s\n  got:\n%s", status ? "incompatible" : "compatible",
                     compatible ? "compatible" : "incompatible", got);
    else if (strcmp(got, want) != 0)
        why = cg_fmt("explanation differs\n  got:\n%s  want:\n%s", got, want);
    for (size_t i = 0; i <= nold; i++)
        cg_free(&gs[i]);
    free(out);
    free(got);
    free(want);
    return why;
}

static void test_compat_matrix(void **state)
{
    (void)state;
    char err[512];
    cj_node *cases = cj_parse_file(cases_path, err, sizeof err);
    if (!cases) fail_msg("%s", err);
    assert_int_equal(cases->type, CJ_ARRAY);
    size_t bad = 0;
    for (size_t i = 0; i < cases->n; i++) {
        char *why = run_row(cases->items[i]);
        if (why) {
            printf("# row %zu, %s: %s\n", i, cj_get(cases->items[i], "name")->str, why);
            bad++;
        }
        free(why);
    }
    printf("# %zu rows, %zu wrong\n", cases->n, bad);
    assert_true(cases->n >= 24);
    assert_int_equal(bad, 0);
    cj_free(cases);
}

/* Every difference type has Confluent's name and verdict. */
static void test_change_names(void **state)
{
    (void)state;
    assert_string_equal(cg_change_name(CG_ID_CHANGED), "ID_CHANGED");
    assert_string_equal(cg_change_name(CG_NOT_TYPE_NARROWED), "NOT_TYPE_NARROWED");
    assert_true(cg_change_compatible(CG_OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL));
    assert_false(cg_change_compatible(CG_OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL));
    assert_false(cg_change_compatible(CG_CHANGE_COUNT));
    cg_compat_mode m;
    assert_true(cg_compat_mode_parse("FULL_TRANSITIVE", &m));
    assert_int_equal(m, CG_COMPAT_FULL_TRANSITIVE);
    assert_string_equal(cg_compat_mode_name(m), "FULL_TRANSITIVE");
    assert_false(cg_compat_mode_parse("full", &m));
}

/* A reference that does not resolve makes the comparison fail, with the error counted. */
static void test_unresolvable_reference(void **state)
{
    (void)state;
    char err[128];
    const char *sa = "{\"$ref\": \"#/$defs/missing\"}", *sb = "{\"type\": \"string\"}";
    cj_node *a = cj_parse(sa, strlen(sa), err, sizeof err);
    cj_node *b = cj_parse(sb, strlen(sb), err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    cg ga, gb;
    FILE *sink = fopen("/dev/null", "w");
    const cj_node *ra = load(&ga, a, "a"), *rb = load(&gb, b, "b");
    ga.err = sink;
    cg_differences d = {0};
    assert_false(cg_compat_compare(&ga, ra, &gb, rb, &d));
    assert_int_equal(ga.nerrors, 1);
    cg_differences_free(&d);
    cg_free(&ga);
    cg_free(&gb);
    cj_free(a);
    cj_free(b);
    fclose(sink);
}

int main(void)
{
    const char *here = __FILE__, *slash = strrchr(here, '/');
    snprintf(cases_path, sizeof cases_path, "%.*scompat_cases.json",
             slash ? (int)(slash - here + 1) : 0, here);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compat_matrix),
        cmocka_unit_test(test_change_names),
        cmocka_unit_test(test_unresolvable_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
