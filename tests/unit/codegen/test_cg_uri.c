/* test_cg_uri.c - unit tests for cg_uri.c (reference resolution and file: URIs).
 *
 * Design: table-driven; the resolution tables are the RFC 3986 section 5.4 normal and abnormal
 * examples, followed by the opaque-base (urn:, tag:) and JSON Schema $id/$ref cases codegen
 * relies on. Each row is checked with a message naming the failing input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_uri.h"

typedef struct res_case {
    const char *base;
    const char *ref;
    const char *want;
} res_case;

static void check_table(const res_case *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *got = cg_uri_resolve(t[i].base, t[i].ref);
        assert_non_null(got);
        if (strcmp(got, t[i].want) != 0)
            fail_msg("resolve(\"%s\", \"%s\") = \"%s\", want \"%s\"", t[i].base, t[i].ref, got,
                     t[i].want);
        free(got);
    }
}

#define RFC_BASE "http://a/b/c/d;p?q"

static void test_rfc3986_normal(void **state)
{
    (void)state;
    static const res_case t[] = {
        {RFC_BASE, "g:h", "g:h"},
        {RFC_BASE, "g", "http://a/b/c/g"},
        {RFC_BASE, "./g", "http://a/b/c/g"},
        {RFC_BASE, "g/", "http://a/b/c/g/"},
        {RFC_BASE, "/g", "http://a/g"},
        {RFC_BASE, "//g", "http://g"},
        {RFC_BASE, "?y", "http://a/b/c/d;p?y"},
        {RFC_BASE, "g?y", "http://a/b/c/g?y"},
        {RFC_BASE, "#s", "http://a/b/c/d;p?q#s"},
        {RFC_BASE, "g#s", "http://a/b/c/g#s"},
        {RFC_BASE, "g?y#s", "http://a/b/c/g?y#s"},
        {RFC_BASE, ";x", "http://a/b/c/;x"},
        {RFC_BASE, "g;x", "http://a/b/c/g;x"},
        {RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y#s"},
        {RFC_BASE, "", "http://a/b/c/d;p?q"},
        {RFC_BASE, ".", "http://a/b/c/"},
        {RFC_BASE, "./", "http://a/b/c/"},
        {RFC_BASE, "..", "http://a/b/"},
        {RFC_BASE, "../", "http://a/b/"},
        {RFC_BASE, "../g", "http://a/b/g"},
        {RFC_BASE, "../..", "http://a/"},
        {RFC_BASE, "../../", "http://a/"},
        {RFC_BASE, "../../g", "http://a/g"},
    };
    check_table(t, sizeof t / sizeof t[0]);
}

static void test_rfc3986_abnormal(void **state)
{
    (void)state;
    static const res_case t[] = {
        {RFC_BASE, "../../../g", "http://a/g"},
        {RFC_BASE, "../../../../g", "http://a/g"},
        {RFC_BASE, "/./g", "http://a/g"},
        {RFC_BASE, "/../g", "http://a/g"},
        {RFC_BASE, "g.", "http://a/b/c/g."},
        {RFC_BASE, ".g", "http://a/b/c/.g"},
        {RFC_BASE, "g..", "http://a/b/c/g.."},
        {RFC_BASE, "..g", "http://a/b/c/..g"},
        {RFC_BASE, "./../g", "http://a/b/g"},
        {RFC_BASE, "./g/.", "http://a/b/c/g/"},
        {RFC_BASE, "g/./h", "http://a/b/c/g/h"},
        {RFC_BASE, "g/../h", "http://a/b/c/h"},
        {RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {RFC_BASE, "g;x=1/../y", "http://a/b/c/y"},
        {RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x"},
        {RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x"},
        {RFC_BASE, "g#s/./x", "http://a/b/c/g#s/./x"},
        {RFC_BASE, "g#s/../x", "http://a/b/c/g#s/../x"},
        {RFC_BASE, "http:g", "http:g"},
    };
    check_table(t, sizeof t / sizeof t[0]);
}

static void test_opaque_bases(void **state)
{
    (void)state;
    static const res_case t[] = {
        {"urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "#foo",
         "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#foo"},
        {"urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "",
         "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed"},
        {"urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#bar", "",
         "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed"},
        {"urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "#/$defs/bar",
         "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#/$defs/bar"},
        {"urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "urn:example:other", "urn:example:other"},
        {"tag:example.com,2020:x", "#frag", "tag:example.com,2020:x#frag"},
        {"tag:example.com,2020:x#old", "#new", "tag:example.com,2020:x#new"},
        {"tag:example.com,2020:x", "", "tag:example.com,2020:x"},
    };
    check_table(t, sizeof t / sizeof t[0]);
}

static void test_json_schema_cases(void **state)
{
    (void)state;
    static const res_case t[] = {
        {"http://localhost:1234/draft2020-12/tree", "node",
         "http://localhost:1234/draft2020-12/node"},
        {"http://example.com/root.json", "#/$defs/A", "http://example.com/root.json#/$defs/A"},
        {"http://example.com/root.json#/$defs/B", "#/$defs/A",
         "http://example.com/root.json#/$defs/A"},
        {"http://example.com/root.json", "#foo", "http://example.com/root.json#foo"},
        {"http://example.com/schemas/root.json", "other.json",
         "http://example.com/schemas/other.json"},
        {"http://example.com/schemas/root.json", "../other.json", "http://example.com/other.json"},
        {"http://example.com/a/b.json", "/c.json#/x", "http://example.com/c.json#/x"},
        {"http://example.com", "a.json", "http://example.com/a.json"},
        {"http://localhost:1234/draft2020-12/", "baseUriChange/folderInteger.json",
         "http://localhost:1234/draft2020-12/baseUriChange/folderInteger.json"},
        {"https://json-schema.org/draft/2020-12/schema", "meta/core",
         "https://json-schema.org/draft/2020-12/meta/core"},
        {"http://example.com/root.json", "http://other.org/x/./y/../z.json",
         "http://other.org/x/z.json"},
        {"file:///home/u/s/root.json", "sub/x.json#/a", "file:///home/u/s/sub/x.json#/a"},
    };
    check_table(t, sizeof t / sizeof t[0]);
}

static void test_empty_base(void **state)
{
    (void)state;
    char *r = cg_uri_resolve(NULL, "a/b#c");
    assert_string_equal(r, "a/b#c");
    free(r);
    r = cg_uri_resolve("", "#x");
    assert_string_equal(r, "#x");
    free(r);
}

static void test_split(void **state)
{
    (void)state;
    char *a, *f;
    cg_uri_split("http://x/y.json#/a/b", &a, &f);
    assert_string_equal(a, "http://x/y.json");
    assert_string_equal(f, "/a/b");
    free(a);
    free(f);
    cg_uri_split("http://x/y.json", &a, &f);
    assert_string_equal(a, "http://x/y.json");
    assert_null(f);
    free(a);
    cg_uri_split("urn:x#", &a, &f);
    assert_string_equal(a, "urn:x");
    assert_string_equal(f, "");
    free(a);
    free(f);
}

static void test_pct_decode(void **state)
{
    (void)state;
    size_t n;
    char *s = cg_uri_pct_decode("/a%20b/%25c%2Fd", &n);
    assert_string_equal(s, "/a b/%c/d");
    assert_int_equal(n, 9);
    free(s);
    s = cg_uri_pct_decode("x%00y", &n);
    assert_non_null(s);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "x\0y", 3);
    free(s);
    assert_null(cg_uri_pct_decode("bad%2", &n));
    assert_null(cg_uri_pct_decode("bad%", &n));
    assert_null(cg_uri_pct_decode("bad%zz", &n));
}

static void test_is_absolute(void **state)
{
    (void)state;
    assert_true(cg_uri_is_absolute("http://a/b"));
    assert_true(cg_uri_is_absolute("urn:uuid:x"));
    assert_true(cg_uri_is_absolute("a+b-c.d:x"));
    assert_true(cg_uri_is_absolute("http://a/b#frag"));
    assert_false(cg_uri_is_absolute("#frag"));
    assert_false(cg_uri_is_absolute("a/b:c"));
    assert_false(cg_uri_is_absolute("1a:b"));
    assert_false(cg_uri_is_absolute(":x"));
    assert_false(cg_uri_is_absolute("schema.json"));
    assert_false(cg_uri_is_absolute(""));
}

static void test_file_uris(void **state)
{
    (void)state;
    char *u = cg_uri_from_path("/tmp/my schemas/a#b%.json");
    assert_string_equal(u, "file:///tmp/my%20schemas/a%23b%25.json");
    char *p = cg_uri_to_path(u);
    assert_string_equal(p, "/tmp/my schemas/a#b%.json");
    free(u);
    free(p);

    u = cg_uri_from_path("/a/./b/../c//d/");
    assert_string_equal(u, "file:///a/c/d/");
    free(u);

    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    u = cg_uri_from_path("x/y.json");
    p = cg_uri_to_path(u);
    char want[4096];
    snprintf(want, sizeof want, "%s/x/y.json", strcmp(cwd, "/") == 0 ? "" : cwd);
    assert_string_equal(p, want);
    free(u);
    free(p);
    free(cwd);

    p = cg_uri_to_path("file://localhost/etc/x.json#/a");
    assert_string_equal(p, "/etc/x.json");
    free(p);
    p = cg_uri_to_path("file:/etc/x.json");
    assert_string_equal(p, "/etc/x.json");
    free(p);
    assert_null(cg_uri_to_path("http://a/b.json"));
    assert_null(cg_uri_to_path("file://remote/x"));
    assert_null(cg_uri_to_path("file:///a%00b"));
}

/* Paths in outputs are relative to the working directory, never the machine's absolute ones. */
static void expect_rel(const char *path, const char *want)
{
    char *r = cg_path_relative(path);
    assert_string_equal(r, want);
    free(r);
}

static void test_path_relative(void **state)
{
    (void)state;
    char *saved = getcwd(NULL, 0);
    assert_non_null(saved);
    assert_int_equal(chdir("/usr/share"), 0);
    expect_rel("/usr/share/x/y.json", "x/y.json");
    expect_rel("x/./y.json", "x/y.json");
    expect_rel("/usr/lib/z.json", "../lib/z.json");
    expect_rel("/etc/a.json", "../../etc/a.json");
    expect_rel("/usr/sharex/a.json", "../sharex/a.json"); /* a prefix of a name is no folder */
    expect_rel("/usr/share", ".");
    expect_rel("/usr", "..");
    expect_rel("/", "../..");
    assert_int_equal(chdir("/"), 0);
    expect_rel("/etc/a.json", "etc/a.json");
    expect_rel("/", ".");
    assert_int_equal(chdir(saved), 0);
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3986_normal), cmocka_unit_test(test_rfc3986_abnormal),
        cmocka_unit_test(test_opaque_bases),   cmocka_unit_test(test_json_schema_cases),
        cmocka_unit_test(test_empty_base),     cmocka_unit_test(test_split),
        cmocka_unit_test(test_pct_decode),     cmocka_unit_test(test_is_absolute),
        cmocka_unit_test(test_file_uris),      cmocka_unit_test(test_path_relative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
