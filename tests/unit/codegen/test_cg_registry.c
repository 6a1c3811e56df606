/* test_cg_registry.c - unit tests for codegen/cg_registry.c: resources, anchors, dialects and
 * reference resolution, on schemas written to a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cg.h"

typedef struct fixture {
    char dir[64];
    char path[128];
    cg g;
    FILE *errs;
    char *errbuf;
    size_t errlen;
} fixture;

static fixture *load(const char *json, cg_dialect d)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mg_cgreg_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/s.json", f->dir);
    FILE *o = fopen(f->path, "w");
    fputs(json, o);
    fclose(o);
    cg_options opt = {.default_dialect = d, .prefix = "t"};
    cg_init(&f->g, &opt);
    f->errs = open_memstream(&f->errbuf, &f->errlen);
    f->g.err = f->errs;
    cg_add_input(&f->g, f->path, "s");
    return f;
}

static void done(fixture *f)
{
    cg_free(&f->g);
    fclose(f->errs);
    free(f->errbuf);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
}

static const cj_node *root_of(fixture *f)
{
    return f->g.docs[0]->root;
}

static void test_embedded_id_and_anchor(void **state)
{
    (void)state;
    fixture *f = load("{\"$id\": \"http://example.com/root.json\","
                      " \"$defs\": {\"A\": {\"$id\": \"nested.json\", \"$defs\": {\"B\":"
                      " {\"$anchor\": \"bee\", \"type\": \"integer\"}}}}}",
                      CG_D2020);
    const cj_node *root = root_of(f);
    cg_info *b = cg_resolve(&f->g, root, "nested.json#bee", NULL);
    assert_non_null(b);
    assert_non_null(cj_get(b->node, "$anchor"));
    assert_string_equal(b->base, "http://example.com/nested.json");
    cg_info *b2 = cg_resolve(&f->g, root, "http://example.com/nested.json#/$defs/B", NULL);
    assert_ptr_equal(b, b2);
    assert_int_equal(f->g.nerrors, 0);
    done(f);
}

static void test_unresolvable_is_an_error_with_pointer(void **state)
{
    (void)state;
    fixture *f = load("{\"properties\": {\"a\": {\"$ref\": \"#/$defs/missing\"}}}", CG_D2020);
    const cj_node *a = cj_get(cj_get(root_of(f), "properties"), "a");
    assert_null(cg_resolve(&f->g, a, "#/$defs/missing", cj_get(a, "$ref")));
    assert_int_equal(f->g.nerrors, 1);
    fflush(f->errs);
    assert_non_null(strstr(f->errbuf, "/properties/a/$ref: "));
    assert_non_null(strstr(f->errbuf, "#/$defs/missing"));
    done(f);
}

static void test_draft7_ref_hides_sibling_id(void **state)
{
    (void)state;
    fixture *f = load("{\"$id\": \"http://x.com/base/\", \"allOf\": [{\"$id\": \"http://x.com/\","
                      " \"$ref\": \"foo.json\"}], \"definitions\": {\"f\": {\"$id\": \"foo.json\","
                      " \"type\": \"number\"}}}",
                      CG_D7);
    const cj_node *inner = cj_get(root_of(f), "allOf")->items[0];
    cg_info *t = cg_resolve(&f->g, inner, "foo.json", NULL);
    assert_non_null(t);
    assert_string_equal(t->base, "http://x.com/base/foo.json");
    done(f);
}

static void test_dialect_from_schema(void **state)
{
    (void)state;
    fixture *f =
        load("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"string\"}",
             CG_D2020);
    assert_int_equal(cg_info_of(&f->g, root_of(f))->dialect, CG_D7);
    done(f);
}

static void test_id_in_enum_is_not_a_resource(void **state)
{
    (void)state;
    fixture *f = load("{\"enum\": [{\"$id\": \"http://x.com/fake\"}]}", CG_D2020);
    assert_null(cg_map_get(&f->g.resources, "http://x.com/fake"));
    done(f);
}

/* Two documents with the same $id (two versions of one registry subject): references inside
 * each resolve to its own definitions and anchors, not to the first one loaded. */
static void test_documents_sharing_an_id_resolve_to_themselves(void **state)
{
    (void)state;
    fixture *f = load("{\"$id\": \"https://example.com/order.json\", \"$defs\": {\"n\":"
                      " {\"$anchor\": \"num\", \"type\": \"string\"}}}",
                      CG_D2020);
    char path2[160];
    snprintf(path2, sizeof path2, "%s/s2.json", f->dir);
    FILE *o = fopen(path2, "w");
    fputs("{\"$id\": \"https://example.com/order.json\", \"$defs\": {\"n\":"
          " {\"$anchor\": \"num\", \"type\": \"integer\"}}}",
          o);
    fclose(o);
    assert_true(cg_add_input(&f->g, path2, "s2"));
    const cj_node *r1 = f->g.docs[0]->root, *r2 = f->g.docs[1]->root;
    const char *refs[] = {"#/$defs/n", "#num", "https://example.com/order.json#/$defs/n",
                          "https://example.com/order.json#num"};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        cg_info *a = cg_resolve(&f->g, r1, refs[i], NULL);
        cg_info *b = cg_resolve(&f->g, r2, refs[i], NULL);
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(cj_get(a->node, "type")->str, "string");
        assert_string_equal(cj_get(b->node, "type")->str, "integer");
    }
    /* an alias given to the second document only */
    cg_doc_alias(f->g.docs[1], "https://example.com/other.json", cg_info_of(&f->g, r1));
    cg_info *c = cg_resolve(&f->g, r2, "other.json#num", NULL);
    assert_non_null(c);
    assert_string_equal(cj_get(c->node, "type")->str, "string");
    assert_int_equal(f->g.nerrors, 0);
    assert_null(cg_resolve(&f->g, r1, "other.json#num", r1));
    assert_int_equal(f->g.nerrors, 1);
    unlink(path2);
    done(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_id_and_anchor),
        cmocka_unit_test(test_unresolvable_is_an_error_with_pointer),
        cmocka_unit_test(test_draft7_ref_hides_sibling_id),
        cmocka_unit_test(test_dialect_from_schema),
        cmocka_unit_test(test_id_in_enum_is_not_a_resource),
        cmocka_unit_test(test_documents_sharing_an_id_resolve_to_themselves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
