/* test_validator.c - unit tests for the public validator API (validator/meshgate.h):
 * configuration, schema lookup, mg_validate end to end, error locations and messages,
 * all-errors mode, parse rejects, and that validating allocates nothing.
 *
 * Design: the schema functions here are written by hand the way meshgate-codegen emits them
 * (a local `ok`, MG_FAIL/MG_SUB, a `done` label) against mg_rt.h, so the tests exercise the
 * same contract generated code relies on, without needing the compiler.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "meshgate.h"
#include "mg_rt.h"

/* tags: {"type": "array", "items": {"type": "string"}, "uniqueItems": true} */
static bool tags_fn(mg_ctx *c, uint32_t at)
{
    const mg_doc *d = &c->doc;
    bool ok = true;
    if (mg_type(d, at) != MG_TAPE_ARRAY) {
        MG_FAIL(at, MG_E_TYPE, "#/properties/tags/type", "array");
        goto done;
    }
    MG_ARRAY_FOR(d, at, i)
    {
        if (mg_type(d, i) != MG_TAPE_STRING)
            MG_FAIL(i, MG_E_TYPE, "#/properties/tags/items/type", "string");
    }
    if (!mg_unique_items(c, at))
        MG_FAIL(at, MG_E_UNIQUE_ITEMS, "#/properties/tags/uniqueItems", "");
done:
    return ok;
}

/* {"type": "object", "required": ["first"], "additionalProperties": false, "properties": {
 *   "first": {"type": "string", "maxLength": 8, "pattern": "^[A-Z]"},
 *   "Age": {"type": "integer", "exclusiveMaximum": 130, "multipleOf": 0.5},
 *   "score": {"maximum": 1.5}, "tags": {"$ref": "#/$defs/tags"}}} */
static bool person_fn(mg_ctx *c, uint32_t at)
{
    const mg_doc *d = &c->doc;
    bool ok = true;
    bool seen_first = false;
    if (mg_type(d, at) != MG_TAPE_OBJECT) {
        MG_FAIL(at, MG_E_TYPE, "#/type", "object");
        goto done;
    }
    MG_OBJECT_FOR(d, at, k)
    {
        uint32_t v = k + 1;
        if (mg_str_eq(d, k, "first", 5)) {
            seen_first = true;
            if (mg_type(d, v) != MG_TAPE_STRING) {
                MG_FAIL(v, MG_E_TYPE, "#/properties/first/type", "string");
                continue;
            }
            uint32_t n;
            const char *s = mg_str(d, v, &n);
            if (mg_utf8_len(s, n) > 8)
                MG_FAIL(v, MG_E_MAX_LENGTH, "#/properties/first/maxLength", "8");
            if (n == 0 || s[0] < 'A' || s[0] > 'Z')
                MG_FAIL(v, MG_E_PATTERN, "#/properties/first/pattern", "^[A-Z]");
        } else if (mg_str_eq(d, k, "Age", 3)) {
            if (!mg_is_number(d, v) || !mg_num_is_integer(d, v)) {
                MG_FAIL(v, MG_E_TYPE, "#/properties/Age/type", "integer");
                continue;
            }
            if (mg_num_cmp_i64(d, v, 130) >= 0)
                MG_FAIL(v, MG_E_EXCL_MAXIMUM, "#/properties/Age/exclusiveMaximum", "130");
            static const mg_dec half = {5, -1, 0.5};
            if (!mg_num_multiple_of(d, v, &half))
                MG_FAIL(v, MG_E_MULTIPLE_OF, "#/properties/Age/multipleOf", "0.5");
        } else if (mg_str_eq(d, k, "score", 5)) {
            if (mg_is_number(d, v) && mg_num_cmp_dbl(d, v, 1.5) > 0)
                MG_FAIL(v, MG_E_MAXIMUM, "#/properties/score/maximum", "1.5");
        } else if (mg_str_eq(d, k, "tags", 4)) {
            MG_REF(v, "#/properties/tags/$ref", tags_fn(c, v));
        } else {
            MG_FAIL(k, MG_E_ADDITIONAL, "#/additionalProperties", "");
        }
    }
    if (!seen_first) MG_FAIL(at, MG_E_REQUIRED, "#/required", "first");
done:
    return ok;
}

/* {"$ref": "#"} applied to every array element: recursion bounded by max_refs */
static bool deep_fn(mg_ctx *c, uint32_t at)
{
    bool ok = true;
    if (mg_type(&c->doc, at) == MG_TAPE_ARRAY) {
        MG_ARRAY_FOR(&c->doc, at, i)
        MG_REF(i, "#/items/$ref", deep_fn(c, i));
    }
done:
    return ok;
}

/* Reports one error per code whose keyword location ends in a property name or in another
 * keyword's name, as codegen writes them (dependentRequired names the dependent property). */
static bool keywords_fn(mg_ctx *c, uint32_t at)
{
    bool ok = true;
    MG_FAIL(at, MG_E_DEPENDENT_REQUIRED, "#/dependentRequired/polynomial_names",
            "polynomial_names requires x");
    MG_FAIL(at, MG_E_DEPENDENT_REQUIRED, "#/dependencies/dependentRequired",
            "dependentRequired requires y");
    MG_FAIL(at, MG_E_DEPENDENT_REQUIRED, "#/dependentRequired/dependencies",
            "dependencies requires z");
    MG_FAIL(at, MG_E_TYPE, "#/properties/maximum/type", "string");
    MG_FAIL(at, MG_E_FALSE, "#/properties/maximum", "");
    MG_FAIL(at, MG_E_EXCL_MAXIMUM, "#/properties/exclusiveMinimum/maximum", "5");
    MG_FAIL(at, MG_E_EXCL_MAXIMUM, "#/properties/maximum/exclusiveMaximum", "5");
    MG_FAIL(at, MG_E_CONTAINS, "#/properties/contains/minContains", "at least 2");
    MG_FAIL(at, MG_E_REQUIRED, "https://example.com/a#b.json#/properties/pattern/required", "a");
    MG_FAIL(at, MG_E_ADDITIONAL, "#/properties/x/additionalProperties", "");
done:
    return ok;
}

/* Texts with control characters and invalid UTF-8 from a schema (pattern, required name)
 * and from the message (a key with ESC, a value with CR). */
static bool hostile_fn(mg_ctx *c, uint32_t at)
{
    const mg_doc *d = &c->doc;
    bool ok = true;
    MG_FAIL(at, MG_E_PATTERN, "#/pattern", "^a\nb$\n");
    MG_FAIL(at, MG_E_REQUIRED, "#/required", "x\x1b[2Jy\xff\xc3");
    if (mg_type(d, at) == MG_TAPE_OBJECT) {
        MG_OBJECT_FOR(d, at, k)
        {
            MG_FAIL(k, MG_E_ADDITIONAL, "#/additionalProperties", "");
            MG_FAIL(k + 1, MG_E_CONST, "#/properties/\x1b/const", "\"\xe2\x80\xae\"");
        }
    }
done:
    return ok;
}

/* {"not": {"$ref": "#/$defs/deep"}} with deep_fn above, as generated code: a step per call */
static bool not_deep_fn(mg_ctx *c, uint32_t at)
{
    bool ok = true;
    if (!mg_step(c, at, "#")) return false;
    c->quiet++;
    bool r = deep_fn(c, at);
    c->quiet--;
    if (r) MG_FAIL(at, MG_E_NOT, "#/not", "");
done:
    return ok;
}

static const mg_schema schemas[] = {
    {.name = "person",
     .id = "https://example.com/person.json",
     .source = "person.json",
     .fn = person_fn},
    {.name = "deep", .id = "https://example.com/person", .source = "deep.json", .fn = deep_fn},
    {.name = "keywords",
     .id = "https://example.com/keywords",
     .source = "keywords.json",
     .fn = keywords_fn},
    {.name = "hostile",
     .id = "https://example.com/hostile",
     .source = "hostile.json",
     .fn = hostile_fn},
    {.name = "not_deep",
     .id = "https://example.com/not_deep",
     .source = "not_deep.json",
     .fn = not_deep_fn},
};
static const mg_schema_set set = {
    .abi = MG_RT_ABI, .count = 5, .schemas = schemas, .generator = "test"};

static mg_validator *new_validator(uint32_t max_errors)
{
    mg_validator_conf conf = {.max_bytes = 1 << 16, .max_errors = max_errors};
    char err[128] = "";
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    assert_non_null(v);
    return v;
}

static mg_result check(mg_validator *v, const char *js)
{
    return mg_validate(v, &schemas[0], js, strlen(js), strlen(js) + 1);
}

static const char *fmt(mg_validator *v, uint32_t i, char *buf, size_t cap)
{
    size_t n = mg_error_format(v, i, buf, cap);
    assert_int_equal(n, strlen(buf));
    return buf;
}

static void test_conf(void **state)
{
    (void)state;
    char err[128];
    mg_validator *v = mg_validator_new(NULL, err, sizeof err);
    assert_non_null(v);
    mg_validator_free(v);
    mg_validator_free(NULL);

    mg_validator_conf bad = {.max_bytes = (size_t)1 << 40};
    assert_null(mg_validator_new(&bad, err, sizeof err));
    assert_non_null(strstr(err, "max_bytes"));
    bad = (mg_validator_conf){.max_depth = 1u << 30};
    assert_null(mg_validator_new(&bad, err, sizeof err));
    assert_non_null(strstr(err, "max_depth"));
    bad = (mg_validator_conf){.max_errors = 1u << 30};
    assert_null(mg_validator_new(&bad, err, sizeof err));
    assert_non_null(strstr(err, "max_errors"));
    bad = (mg_validator_conf){.max_refs = 1u << 30};
    assert_null(mg_validator_new(&bad, err, sizeof err));
    assert_non_null(strstr(err, "max_refs"));
    assert_null(mg_validator_new(&bad, NULL, 0));

    /* tiny limits still work (below simdjson's minimum capacity) */
    mg_validator_conf tiny = {.max_bytes = 8, .max_depth = 2};
    v = mg_validator_new(&tiny, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(mg_validate(v, &schemas[1], "[[1]]", 5, 5), MG_OK);
    assert_int_equal(mg_validate(v, &schemas[1], "[[[1]]]", 7, 7), MG_REJECT_DEPTH);
    assert_int_equal(mg_validate(v, &schemas[1], "[1,2,3,4]", 9, 9), MG_REJECT_TOO_LARGE);
    mg_validator_free(v);
}

static void test_schema_find(void **state)
{
    (void)state;
    assert_ptr_equal(mg_schema_find(&set, "person"), &schemas[0]);
    assert_ptr_equal(mg_schema_find(&set, "https://example.com/person.json"), &schemas[0]);
    assert_ptr_equal(mg_schema_find(&set, "deep"), &schemas[1]);
    assert_ptr_equal(mg_schema_find(&set, "https://example.com/person"), &schemas[1]);
    assert_null(mg_schema_find(&set, "nobody"));
    assert_null(mg_schema_find(&set, ""));
}

static void test_result_names(void **state)
{
    (void)state;
    assert_string_equal(mg_result_name(MG_OK), "ok");
    assert_string_equal(mg_result_name(MG_REJECT_TOO_LARGE), "too_large");
    assert_string_equal(mg_result_name(MG_REJECT_SCHEMA), "schema");
    assert_string_equal(mg_result_name(MG_ERR_INTERNAL), "internal");
    assert_string_equal(mg_result_name((mg_result)99), "internal");
}

static void test_valid(void **state)
{
    (void)state;
    mg_validator *v = new_validator(1);
    mg_result r = check(v, "{\"first\": \"Ann\", \"Age\": 129, \"tags\": [\"a\", \"b\"]}");
    char buf[256] = "";
    if (r != MG_OK) print_error("%s\n", fmt(v, 0, buf, sizeof buf));
    assert_int_equal(r, MG_OK);
    assert_int_equal(mg_error_count(v), 0);
    const mg_doc *d = mg_validator_doc(v);
    assert_non_null(d);
    assert_int_equal(mg_type(d, MG_DOC_ROOT), MG_TAPE_OBJECT);
    assert_int_equal(check(v, "{\"first\": \"Ann\", \"Age\": 12.0}"), MG_OK);
    mg_validator_free(v);
}

static void test_first_error(void **state)
{
    (void)state;
    mg_validator *v = new_validator(1);
    char buf[256];
    assert_int_equal(check(v, "{\"first\": \"Ann\", \"Age\": 140}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/Age: 140 is not less than 130 (exclusiveMaximum)");
    mg_error_instance(v, 0, buf, sizeof buf);
    assert_string_equal(buf, "/Age");
    mg_error_message(v, 0, buf, sizeof buf);
    assert_string_equal(buf, "140 is not less than 130");
    assert_string_equal(mg_error_keyword(v, 0), "exclusiveMaximum");
    assert_string_equal(mg_error_keyword_location(v, 0), "#/properties/Age/exclusiveMaximum");
    assert_non_null(mg_validator_doc(v));

    assert_int_equal(check(v, "{\"Age\": 3}"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): required property \"first\" is missing (required)");
    mg_error_instance(v, 0, buf, sizeof buf);
    assert_string_equal(buf, "");

    assert_int_equal(check(v, "[1, 2]"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): array (2 items) is not of type object (type)");
    assert_int_equal(check(v, "{\"first\": \"abc\"}"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/first: \"abc\" does not match pattern ^[A-Z] (pattern)");
    assert_int_equal(check(v, "{\"first\": \"A\", \"Age\": 1.5}"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf), "/Age: 1.5 is not of type integer (type)");
    assert_int_equal(check(v, "{\"first\": \"A\", \"score\": 1.6}"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf), "/score: 1.6 is greater than 1.5 (maximum)");
    assert_int_equal(check(v, "{\"first\": \"A\", \"a/b~c\": {}}"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/a~1b~0c: property \"a/b~c\" is not allowed (additionalProperties)");
    assert_int_equal(check(v, "{\"first\": \"A\", \"tags\": [\"x\", [\"y\"]]}"), MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/tags/1: array (1 item) is not of type string (type)");
    assert_int_equal(check(v, "{\"first\": \"A\", \"tags\": [\"x\", \"y\", \"x\"]}"),
                     MG_REJECT_SCHEMA);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/tags: array (3 items) has duplicate items (uniqueItems)");
    mg_validator_free(v);
}

static void test_long_values(void **state)
{
    (void)state;
    mg_validator *v = new_validator(1);
    char js[256], buf[256];
    snprintf(js, sizeof js, "{\"first\": \"%s\\\"%s\"}", "A123456789012345678901234567890",
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_int_equal(check(v, js), MG_REJECT_SCHEMA);
    mg_error_message(v, 0, buf, sizeof buf);
    /* 32 ASCII bytes, then 16 é (2 bytes each) fill the 64 shown */
    assert_string_equal(buf, "\"A123456789012345678901234567890\\\""
                             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..."
                             "\" is longer than 8 characters");
    /* truncated output still reports the full length and is NUL-terminated */
    char small[10];
    size_t full = mg_error_format(v, 0, small, sizeof small);
    assert_true(full > sizeof small);
    assert_string_equal(small, "/first: \"");
    assert_int_equal(mg_error_format(v, 0, NULL, 0), full);
    mg_validator_free(v);
}

static void test_all_errors(void **state)
{
    (void)state;
    const char *js = "{\"first\": 7, \"Age\": 140.5, \"x\": 1, \"tags\": [1, \"a\", \"a\"]}";
    const char *want[] = {
        "/first: 7 is not of type string (type)",
        "/Age: 140.5 is not of type integer (type)",
        "/x: property \"x\" is not allowed (additionalProperties)",
        "/tags/0: 1 is not of type string (type)",
        "/tags: array (3 items) has duplicate items (uniqueItems)",
    };
    char buf[256];
    mg_validator *v = new_validator(10);
    assert_int_equal(check(v, js), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 5);
    for (uint32_t i = 0; i < 5; i++)
        assert_string_equal(fmt(v, i, buf, sizeof buf), want[i]);
    assert_int_equal(mg_error_format(v, 5, buf, sizeof buf), 0);
    assert_string_equal(mg_error_keyword(v, 5), "");
    /* a second message starts from no errors */
    assert_int_equal(check(v, "{}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    mg_validator_free(v);

    v = new_validator(3);
    assert_int_equal(check(v, js), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 3);
    assert_string_equal(fmt(v, 2, buf, sizeof buf), want[2]);
    mg_validator_free(v);

    v = new_validator(1);
    assert_int_equal(check(v, js), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    assert_string_equal(fmt(v, 0, buf, sizeof buf), want[0]);
    mg_validator_free(v);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    mg_validator *v = new_validator(10);
    char buf[256];
    assert_int_equal(check(v, "{\"first\": "), MG_REJECT_SYNTAX);
    assert_int_equal(mg_error_count(v), 1);
    assert_string_equal(mg_error_keyword(v, 0), "syntax");
    assert_string_equal(mg_error_keyword_location(v, 0), "");
    mg_error_instance(v, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): malformed JSON at byte 10: expected a value, found the end of the "
                        "message (syntax)");
    /* the byte where it went wrong, not where the parser gave up */
    assert_int_equal(check(v, "xyz{\"a\":1}"), MG_REJECT_SYNTAX);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): malformed JSON at byte 0: expected a JSON value, found 'x' "
                        "(syntax)");
    assert_null(mg_validator_doc(v));

    assert_int_equal(mg_validate(v, &schemas[0], NULL, 0, 0), MG_REJECT_EMPTY);
    assert_string_equal(fmt(v, 0, buf, sizeof buf), "(root): empty message (empty)");
    assert_int_equal(check(v, "  \n "), MG_REJECT_EMPTY);
    assert_int_equal(check(v, "[\"\xff\"]"), MG_REJECT_UTF8);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): invalid UTF-8 at byte 2: byte 0xff: byte 0xfe or 0xff, which "
                        "UTF-8 never uses (utf8)");
    assert_int_equal(check(v, "{\"Age\": 12345678901234567890123}"), MG_REJECT_NUMBER);
    assert_string_equal(mg_error_keyword(v, 0), "number");
    assert_int_equal(mg_validate(v, &schemas[0], "[\"a\0\"]", 6, 6), MG_REJECT_STRING);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): bad escape or unescaped control character in a string at byte "
                        "3: unescaped control character 0x00 in a string (string)");
    char deep[600];
    memset(deep, '[', 300);
    memset(deep + 300, ']', 300);
    assert_int_equal(mg_validate(v, &schemas[1], deep, 600, 600), MG_REJECT_DEPTH);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): nested deeper than the configured limit at byte 256: this '[' "
                        "opens level 257; the limit is 256 (depth)");
    char *big = calloc(1, (1 << 16) + 2);
    memset(big, ' ', (1 << 16) + 1);
    big[0] = '1';
    assert_int_equal(mg_validate(v, &schemas[0], big, (1 << 16) + 1, (1 << 16) + 2),
                     MG_REJECT_TOO_LARGE);
    assert_int_equal(mg_validate(v, &schemas[1], big, 1 << 16, (1 << 16) + 2), MG_OK);
    free(big);
    assert_int_equal(mg_validate(v, NULL, "1", 1, 1), MG_ERR_INTERNAL);
    assert_int_equal(mg_error_count(v), 1);
    mg_validator_free(v);
}

static void test_recursion_limit(void **state)
{
    (void)state;
    mg_validator_conf conf = {.max_refs = 10, .max_depth = 64};
    mg_validator *v = mg_validator_new(&conf, NULL, 0);
    assert_non_null(v);
    char buf[256];
    assert_int_equal(mg_validate(v, &schemas[1], "[[[[[[[[[[1]]]]]]]]]]", 21, 21), MG_OK);
    /* out of a budget: the message could not be checked (reason limit), not "invalid" */
    assert_int_equal(mg_validate(v, &schemas[1], "[[[[[[[[[[[1]]]]]]]]]]]", 23, 23),
                     MG_REJECT_LIMIT);
    assert_string_equal(mg_result_name(MG_REJECT_LIMIT), "limit");
    assert_int_equal(mg_error_count(v), 1);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/0/0/0/0/0/0/0/0/0/0/0: 1 could not be checked: out of reference depth "
                        "(max_refs) (limit)");
    assert_string_equal(mg_error_keyword_location(v, 0), "#/items/$ref");
    assert_non_null(mg_validator_doc(v));
    mg_validator_free(v);
}

/* A budget that runs out inside a `not` must not make the message valid: it stops the whole
 * message, which is rejected as limit. */
static void test_limit_inside_not(void **state)
{
    (void)state;
    mg_validator_conf conf = {.max_refs = 4, .max_errors = 8};
    mg_validator *v = mg_validator_new(&conf, NULL, 0);
    assert_non_null(v);
    char buf[256];
    assert_int_equal(mg_validate(v, &schemas[4], "[[1]]", 5, 5), MG_REJECT_SCHEMA);
    assert_int_equal(mg_validate(v, &schemas[4], "[[[[[[1]]]]]]", 13, 13), MG_REJECT_LIMIT);
    assert_int_equal(mg_error_count(v), 1);
    assert_string_equal(mg_error_keyword(v, 0), "limit");
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "/0/0/0/0/0: array (1 item) could not be checked: out of reference depth "
                        "(max_refs) (limit)");
    /* the next message starts with a whole budget */
    assert_int_equal(mg_validate(v, &schemas[4], "[[1]]", 5, 5), MG_REJECT_SCHEMA);
    mg_validator_free(v);
}

/* The step budget: the default grows with the message, max_steps sets it. */
static void test_step_budget(void **state)
{
    (void)state;
    mg_validator *v = new_validator(1);
    assert_int_equal(mg_validate(v, &schemas[4], "[[1], 2]", 8, 8), MG_REJECT_SCHEMA);
    assert_int_equal(mg_validator_steps(v), 3); /* one call with 2 items */
    mg_validator_free(v);
    mg_validator_conf conf = {.max_steps = 2};
    v = mg_validator_new(&conf, NULL, 0);
    assert_non_null(v);
    assert_int_equal(mg_validate(v, &schemas[4], "[1]", 3, 3), MG_REJECT_SCHEMA);
    assert_int_equal(mg_validate(v, &schemas[4], "[1, 2]", 6, 6), MG_REJECT_LIMIT);
    char buf[256];
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): array (2 items) could not be checked: out of validation steps "
                        "(max_steps) (limit)");
    assert_string_equal(mg_error_keyword_location(v, 0), "#");
    assert_int_equal(mg_validator_steps(v), 2);
    mg_validator_free(v);
    /* the memo's size is checked like the other limits; MG_MEMO_OFF turns it off */
    conf = (mg_validator_conf){.memo_entries = 1u << 30};
    char err[128];
    assert_null(mg_validator_new(&conf, err, sizeof err));
    assert_non_null(strstr(err, "memo_entries"));
    conf.memo_entries = MG_MEMO_OFF;
    v = mg_validator_new(&conf, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(mg_validate(v, &schemas[4], "[1]", 3, 3), MG_REJECT_SCHEMA);
    mg_validator_free(v);
}

/* The keyword in parentheses is the failing keyword, whatever the properties are called. */
static void test_keyword_is_the_keyword(void **state)
{
    (void)state;
    static const char *const want[] = {
        "dependentRequired",
        "dependencies",
        "dependentRequired",
        "type",
        "false",
        "maximum",
        "exclusiveMaximum",
        "minContains",
        "required",
        "additionalProperties",
    };
    mg_validator *v = new_validator(16);
    char buf[256];
    assert_int_equal(mg_validate(v, &schemas[2], "{}", 2, 2), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 10);
    for (uint32_t i = 0; i < 10; i++) {
        assert_string_equal(mg_error_keyword(v, i), want[i]);
        mg_error_format(v, i, buf, sizeof buf);
        char tail[64];
        snprintf(tail, sizeof tail, "(%s)", want[i]);
        assert_string_equal(buf + strlen(buf) - strlen(tail), tail);
    }
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): property polynomial_names requires x, which is missing "
                        "(dependentRequired)");
    mg_validator_free(v);
}

static void assert_printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        assert_true(*p >= 0x20 && *p != 0x7f);
        assert_false(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f); /* C1 */
        assert_false(*p == 0xff || *p == 0xfe);
    }
}

/* Reasons escape control characters and invalid UTF-8 from schemas and messages (mg_escape.h):
 * one line per reject, whatever the texts hold. */
static void test_reasons_escaped(void **state)
{
    (void)state;
    mg_validator *v = new_validator(16);
    const char *js = "{\"\\u001b[31m~/\": \"a\\rb\\u0085\"}";
    char buf[256];
    assert_int_equal(mg_validate(v, &schemas[3], js, strlen(js), strlen(js)), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 4);
    static const char *const want[] = {
        "(root): object (1 property) does not match pattern ^a\\nb$\\n (pattern)",
        "(root): required property \"x\\x1b[2Jy\\xff\\xc3\" is missing (required)",
        "/\\x1b[31m~0~1: property \"\\x1b[31m~/\" is not allowed (additionalProperties)",
        "/\\x1b[31m~0~1: \"a\\rb\\u{85}\" is not equal to \"\\u{202e}\" (const)",
    };
    for (uint32_t i = 0; i < 4; i++) {
        assert_string_equal(fmt(v, i, buf, sizeof buf), want[i]);
        assert_printable(buf);
        mg_error_message(v, i, buf, sizeof buf);
        assert_printable(buf);
        mg_error_instance(v, i, buf, sizeof buf);
        assert_printable(buf);
    }
    mg_error_instance(v, 2, buf, sizeof buf);
    assert_string_equal(buf, "/\\x1b[31m~0~1");
    /* truncation keeps whole escapes and characters */
    char small[12];
    assert_true(mg_error_format(v, 3, small, sizeof small) > sizeof small);
    assert_string_equal(small, "/\\x1b[31m~0");
    mg_validator_free(v);
}

/* Hostile messages (issue 13, "also check"): each a reject with a clear reason, or valid, and
 * none allocates; the big ones go through meshgate validate in test_validate_hostile.sh. */
static void test_hostile_messages(void **state)
{
    (void)state;
    mg_validator_conf conf = {.max_bytes = 16u << 20, .max_depth = 65536, .max_refs = 1u << 17};
    mg_validator *v = mg_validator_new(&conf, NULL, 0);
    assert_non_null(v);
    size_t cap = (16u << 20) + MG_JSON_PADDING;
    char *big = calloc(1, cap), buf[512];
    assert_non_null(big);
    struct mallinfo2 before = mallinfo2();
    /* nesting 100000 deep: the limit (65536) names its byte */
    memset(big, '[', 100000);
    memset(big + 100000, ']', 100000);
    assert_int_equal(mg_validate(v, &schemas[1], big, 200000, cap), MG_REJECT_DEPTH);
    assert_string_equal(fmt(v, 0, buf, sizeof buf),
                        "(root): nested deeper than the configured limit at byte 65536: this '[' "
                        "opens level 65537; the limit is 65536 (depth)");
    /* 65536 deep is within the limit (keywords_fn does not descend: the C stack stays small) */
    assert_int_equal(mg_validate(v, &schemas[2], big + 100000 - 65536, 2 * 65536, 2 * 65536),
                     MG_REJECT_SCHEMA);
    /* a million keys */
    size_t n = 0;
    big[n++] = '{';
    for (int k = 0; k < 1000000; k++)
        n += (size_t)sprintf(big + n, "%s\"k%d\":0", k ? "," : "", k);
    big[n++] = '}';
    assert_int_equal(mg_validate(v, &schemas[1], big, n, cap), MG_OK);
    assert_int_equal(mg_validate(v, &schemas[2], big, n, cap), MG_REJECT_SCHEMA);
    /* numbers beyond double and int64/uint64 */
    static const struct {
        const char *msg;
        size_t len; /* 0: strlen */
        mg_result r;
        const char *reason;
    } cases[] = {
        {"1e999999", 0, MG_REJECT_NUMBER,
         "(root): number out of range (beyond 64-bit integers or double) or malformed at byte 0: "
         "a number beyond the range of a double (about 1.8e308) (number)"},
        {"[-1e999999]", 0, MG_REJECT_NUMBER,
         "(root): number out of range (beyond 64-bit integers or double) or malformed at byte 1: "
         "a number beyond the range of a double (about 1.8e308) (number)"},
        {"{\"n\": 123456789012345678901234567890}", 0, MG_REJECT_NUMBER,
         "(root): number out of range (beyond 64-bit integers or double) or malformed at byte 6: "
         "an integer beyond the 64-bit range (-9223372036854775808 to 18446744073709551615) "
         "(number)"},
        {"[1e-999999, 123456789012345678901234567890.0]", 0, MG_OK, NULL},
        /* every class of invalid UTF-8 */
        {"[\"\xc0\xaf\"]", 0, MG_REJECT_UTF8,
         "(root): invalid UTF-8 at byte 2: byte 0xc0: an overlong encoding (utf8)"},
        {"[\"\xed\xb0\x80\"]", 0, MG_REJECT_UTF8,
         "(root): invalid UTF-8 at byte 2: byte 0xed: a UTF-16 surrogate (U+D800-U+DFFF) "
         "encoded in UTF-8 (utf8)"},
        {"[\"\xf4\x90\x80\x80\"]", 0, MG_REJECT_UTF8,
         "(root): invalid UTF-8 at byte 2: byte 0xf4: a code point beyond U+10FFFF (utf8)"},
        {"[\"\xe2\x82\"]", 0, MG_REJECT_UTF8,
         "(root): invalid UTF-8 at byte 2: byte 0xe2: a truncated sequence (a lead byte without "
         "all its continuation bytes) (utf8)"},
        {"[\"a\x80\"]", 0, MG_REJECT_UTF8,
         "(root): invalid UTF-8 at byte 3: byte 0x80: a continuation byte without a lead byte "
         "(utf8)"},
        {"[\"\xfe\xff\"]", 0, MG_REJECT_UTF8,
         "(root): invalid UTF-8 at byte 2: byte 0xfe: byte 0xfe or 0xff, which UTF-8 never uses "
         "(utf8)"},
        /* NUL bytes inside and outside strings, escaped NUL, a BOM */
        {"[\"a\0\"]", 6, MG_REJECT_STRING,
         "(root): bad escape or unescaped control character in a string at byte 3: unescaped "
         "control character 0x00 in a string (string)"},
        {"[1,\0 2]", 7, MG_REJECT_SYNTAX,
         "(root): malformed JSON at byte 3: expected a value, found byte 0x00 (syntax)"},
        {"\0", 1, MG_REJECT_SYNTAX,
         "(root): malformed JSON at byte 0: expected a JSON value, found byte 0x00 (syntax)"},
        {"[\"a\\u0000b\"]", 0, MG_OK, NULL},
        {"\xef\xbb\xbf[]", 0, MG_REJECT_SYNTAX,
         "(root): malformed JSON at byte 0: expected a JSON value, found a UTF-8 byte order mark "
         "(U+FEFF), which JSON on the wire must not have (syntax)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].msg);
        assert_int_equal(mg_validate(v, &schemas[1], cases[i].msg, len, len), cases[i].r);
        if (cases[i].reason) assert_string_equal(fmt(v, 0, buf, sizeof buf), cases[i].reason);
    }
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(before.uordblks, after.uordblks);
    assert_int_equal(before.hblkhd, after.hblkhd);
    free(big);
    mg_validator_free(v);
}

static void test_no_allocation(void **state)
{
    (void)state;
    mg_validator *v = new_validator(10);
    static const char *const msgs[] = {
        "{\"first\": \"Ann\", \"Age\": 129, \"tags\": [\"a\", \"b\", \"c\", \"d\"]}",
        "{\"first\": 7, \"Age\": 140.5, \"x\": 1, \"tags\": [1, \"a\", \"a\"]}",
        "{\"first\": \"Ann\", \"Age\": 1e308}",
        "{\"first\": ",
        "\"\xff\"",
        "[123456789012345678901234]",
    };
    char padded[256];
    struct mallinfo2 before = mallinfo2();
    for (int round = 0; round < 1000; round++) {
        for (size_t m = 0; m < sizeof msgs / sizeof msgs[0]; m++) {
            size_t n = strlen(msgs[m]);
            /* alternately copied (no padding) and in place (padded) */
            if (round & 1) {
                memset(padded, 0, sizeof padded);
                memcpy(padded, msgs[m], n);
                mg_validate(v, &schemas[0], padded, n, sizeof padded);
            } else {
                mg_validate(v, &schemas[0], msgs[m], n, n);
            }
        }
    }
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(before.uordblks, after.uordblks);
    assert_int_equal(before.hblkhd, after.hblkhd);
    assert_int_equal(before.arena, after.arena);
    assert_int_equal(mg_validate(v, &schemas[0], msgs[1], strlen(msgs[1]), 0), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 5);
    mg_validator_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf),
        cmocka_unit_test(test_schema_find),
        cmocka_unit_test(test_result_names),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_first_error),
        cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_all_errors),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_recursion_limit),
        cmocka_unit_test(test_limit_inside_not),
        cmocka_unit_test(test_step_budget),
        cmocka_unit_test(test_keyword_is_the_keyword),
        cmocka_unit_test(test_reasons_escaped),
        cmocka_unit_test(test_hostile_messages),
        cmocka_unit_test(test_no_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
