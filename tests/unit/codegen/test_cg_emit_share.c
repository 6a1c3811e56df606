/* test_cg_emit_share.c - unit tests for codegen/cg_emit_share.c and the split output of
 * cg_emit.c (cg_render_files): which subschemas share a function, what its location tables
 * hold, that shared names depend only on content, and which files a split set is written to.
 * Rendering goes to memory through a cg_sink; compiling and validating are
 * tests/codegen/test_bigschema.sh's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cg.h"
#include "cg_plan.h"

#define MAX_FILES 16

/* What one render wrote: each file's suffix and text. */
typedef struct out {
    char *suffix[MAX_FILES], *text[MAX_FILES];
    size_t len[MAX_FILES];
    FILE *f[MAX_FILES];
    size_t n;
} out;

static FILE *open_mem(void *ctx, const char *suffix)
{
    out *o = ctx;
    assert_true(o->n < MAX_FILES);
    o->suffix[o->n] = strdup(suffix);
    o->f[o->n] = open_memstream(&o->text[o->n], &o->len[o->n]);
    return o->f[o->n++];
}

static const char *file(const out *o, const char *suffix)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->suffix[i], suffix) == 0) return o->text[i];
    return NULL;
}

static void out_free(out *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->suffix[i]);
        free(o->text[i]);
    }
}

/* Renders json (named s.json) with the share mode and parts asked; the number of parts in
 * *nparts. */
static void render(const char *json, int share, unsigned split, out *o, unsigned *nparts)
{
    cg_options opt = {.default_dialect = CG_D2020, .prefix = "t", .share = share, .split = split};
    cg g;
    cg_init(&g, &opt);
    char *errbuf = NULL;
    size_t errlen = 0;
    g.err = open_memstream(&errbuf, &errlen);
    assert_true(cg_add_input_text(&g, json, strlen(json), "s.json", "s"));
    assert_true(cg_plan_build(&g));
    memset(o, 0, sizeof *o);
    cg_sink sink = {o, open_mem, "s"};
    assert_true(cg_render_files(&g, &sink, nparts));
    for (size_t i = 0; i < o->n; i++)
        fclose(o->f[i]);
    fclose(g.err);
    assert_int_equal(errlen, 0);
    free(errbuf);
    cg_free(&g);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

#define OBJ                                                                                        \
    "{\"type\": \"object\", \"required\": [\"n\"], \"properties\": {\"n\": {\"type\": "            \
    "\"integer\", \"maximum\": 5}}}"

static const char TWO[] = "{\"properties\": {\"a\": " OBJ ", \"b\": " OBJ "}}";
static const char TWO_MORE[] =
    "{\"properties\": {\"a\": " OBJ ", \"b\": " OBJ ", \"c\": {\"type\": \"boolean\"}}}";

static void test_identical_subschemas_share_one_function(void **state)
{
    (void)state;
    out o;
    unsigned parts;
    render(TWO, CG_ALWAYS, 1, &o, &parts);
    const char *c = file(&o, ".c");
    assert_non_null(c);
    assert_int_equal(parts, 0);
    /* a and b are one function, and so are their members n */
    assert_non_null(strstr(c, "/* shared by 2 subschemas like #/properties/a (their locations"));
    assert_non_null(strstr(c, "/* shared by 2 subschemas like #/properties/a/properties/n ("));
    /* each caller passes its own table, which holds its own locations */
    assert_non_null(strstr(c, "static const char *const mgk_s_properties_a[] = {"));
    assert_non_null(strstr(c, "\"#/properties/b/properties/n/maximum\""));
    assert_non_null(strstr(c, "(c->locs = mgk_s_properties_b, mgsh_"));
    /* no location is written into the shared function itself */
    const char *shared = strstr(c, "/* shared by 2 subschemas like #/properties/a (");
    const char *end = strstr(shared, "\n}\n");
    assert_null(memmem(shared, (size_t)(end - shared), "\"#/", 3));
    out_free(&o);
}

static void test_share_never_and_small_sets_stay_plain(void **state)
{
    (void)state;
    out o;
    unsigned parts;
    render(TWO, CG_NEVER, 1, &o, &parts);
    assert_null(strstr(file(&o, ".c"), "mgsh_"));
    out_free(&o);
    render(TWO, CG_AUTO, 0, &o, &parts); /* far fewer than CG_BIG_FNS functions */
    assert_null(strstr(file(&o, ".c"), "mgsh_"));
    assert_int_equal(parts, 0);
    assert_null(file(&o, ".int.h"));
    out_free(&o);
}

/* The shared function is named by its content: a new sibling renames nothing. */
static void test_shared_names_are_stable(void **state)
{
    (void)state;
    out a, b;
    unsigned parts;
    render(TWO, CG_ALWAYS, 1, &a, &parts);
    render(TWO_MORE, CG_ALWAYS, 1, &b, &parts);
    const char *name = strstr(file(&a, ".c"), "\nstatic bool mgsh_");
    assert_non_null(name);
    char decl[64];
    snprintf(decl, sizeof decl, "%.*s", 39, name + 1); /* "static bool mgsh_" + 16 hex digits */
    assert_non_null(strstr(file(&b, ".c"), decl));
    out_free(&a);
    out_free(&b);
}

static void test_split_writes_parts_and_an_internal_header(void **state)
{
    (void)state;
    out o;
    unsigned parts;
    render(TWO, CG_ALWAYS, 3, &o, &parts);
    assert_int_equal(parts, 3);
    static const char *const suffixes[] = {".c", ".h", ".int.h", ".1.c", ".2.c", ".3.c"};
    for (size_t i = 0; i < 6; i++) {
        const char *t = file(&o, suffixes[i]);
        assert_non_null(t);
        assert_int_equal(strncmp(t, "/* generated by meshgate-codegen", 32), 0);
    }
    assert_int_equal(o.n, 6);
    /* BASE.c holds the set, the parts the functions: external there, declared hidden */
    assert_non_null(strstr(file(&o, ".c"), "#include \"s.int.h\""));
    assert_non_null(strstr(file(&o, ".c"), "const mg_schema_set mg_set_t"));
    assert_non_null(strstr(file(&o, ".int.h"), "#pragma GCC visibility push(hidden)"));
    size_t defs = count(file(&o, ".c"), ")\n{\n"); /* the entries */
    for (size_t k = 1; k <= 3; k++) {
        char suffix[8];
        snprintf(suffix, sizeof suffix, ".%zu.c", k);
        const char *t = file(&o, suffix);
        assert_null(strstr(t, "\nstatic bool mg"));
        assert_non_null(strstr(t, "\nbool mg"));
        defs += count(t, ")\n{\n");
    }
    /* the same functions as the one-file form, each once */
    out one;
    render(TWO, CG_ALWAYS, 1, &one, &parts);
    assert_int_equal(defs, count(file(&one, ".c"), ")\n{\n"));
    out_free(&one);
    out_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_subschemas_share_one_function),
        cmocka_unit_test(test_share_never_and_small_sets_stay_plain),
        cmocka_unit_test(test_shared_names_are_stable),
        cmocka_unit_test(test_split_writes_parts_and_an_internal_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
