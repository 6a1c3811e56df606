/* test_union.c - unit tests for a failed union's report (mg_fail_union, validator/mg_rt.c):
 * which branch is the closest, its errors in first-error and all-errors mode and in the basic
 * output format, unions nested in the chosen branch, and that explaining a reject never turns
 * it into a limit one.
 *
 * Design: the schema functions are written by hand the way meshgate-codegen emits them (the
 * union runs its branches quiet, then calls mg_fail_union with their table), as in
 * test_validator.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "meshgate.h"
#include "mg_output.h"
#include "mg_rt.h"
#include "vcheck.h"

/* {"type":"object","required":["kind","amount"],
 *  "properties":{"kind":{"const":"created"},"amount":{"type":"number"}}} */
static bool created_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    const mg_doc *d = &c->doc;
    bool ok = true, seen_kind = false, seen_amount = false;
    if (mg_type(d, at) != MG_TAPE_OBJECT) {
        MG_FAIL(at, MG_E_TYPE, "#/anyOf/0/type", "object");
        goto done;
    }
    MG_OBJECT_FOR(d, at, k)
    {
        if (mg_str_eq(d, k, "kind", 4)) {
            seen_kind = true;
            if (!mg_str_eq(d, k + 1, "created", 7) || mg_type(d, k + 1) != MG_TAPE_STRING)
                MG_FAIL(k + 1, MG_E_CONST, "#/anyOf/0/properties/kind/const", "\"created\"");
        } else if (mg_str_eq(d, k, "amount", 6)) {
            seen_amount = true;
            if (!mg_is_number(d, k + 1))
                MG_FAIL(k + 1, MG_E_TYPE, "#/anyOf/0/properties/amount/type", "number");
        }
    }
    if (!seen_kind) MG_FAIL(at, MG_E_REQUIRED, "#/anyOf/0/required", "kind");
    if (!seen_amount) MG_FAIL(at, MG_E_REQUIRED, "#/anyOf/0/required", "amount");
done:
    return ok;
}

/* {"type":"object","required":["kind","reason"],
 *  "properties":{"kind":{"const":"cancelled"},"reason":{"type":"string"}}} */
static bool cancelled_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    const mg_doc *d = &c->doc;
    bool ok = true, seen_kind = false, seen_reason = false;
    if (mg_type(d, at) != MG_TAPE_OBJECT) {
        MG_FAIL(at, MG_E_TYPE, "#/anyOf/1/type", "object");
        goto done;
    }
    MG_OBJECT_FOR(d, at, k)
    {
        if (mg_str_eq(d, k, "kind", 4)) {
            seen_kind = true;
            if (!mg_str_eq(d, k + 1, "cancelled", 9) || mg_type(d, k + 1) != MG_TAPE_STRING)
                MG_FAIL(k + 1, MG_E_CONST, "#/anyOf/1/properties/kind/const", "\"cancelled\"");
        } else if (mg_str_eq(d, k, "reason", 6)) {
            seen_reason = true;
            if (mg_type(d, k + 1) != MG_TAPE_STRING)
                MG_FAIL(k + 1, MG_E_TYPE, "#/anyOf/1/properties/reason/type", "string");
        }
    }
    if (!seen_kind) MG_FAIL(at, MG_E_REQUIRED, "#/anyOf/1/required", "kind");
    if (!seen_reason) MG_FAIL(at, MG_E_REQUIRED, "#/anyOf/1/required", "reason");
done:
    return ok;
}

/* {"type":"string"} */
static bool string_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    bool ok = true;
    if (mg_type(&c->doc, at) != MG_TAPE_STRING) MG_FAIL(at, MG_E_TYPE, "#/anyOf/2/type", "string");
done:
    return ok;
}

/* A union the way codegen renders one: quiet branches, then mg_fail_union. */
static bool run_union(mg_ctx *c, uint32_t at, mg_code code, const char *loc, const mg_fn_ev *br,
                      uint32_t n)
{
    bool ok = true;
    uint32_t nv = 0;
    c->quiet++;
    for (uint32_t b = 0; b < n; b++)
        if (nv == 0 && br[b](c, at, NULL)) nv++;
    c->quiet--;
    if (nv == 0) {
        ok = false;
        if (!mg_fail_union(c, at, code, loc, br, n, NULL)) goto done;
    }
done:
    return ok;
}

/* {"anyOf": [created, cancelled, {"type": "string"}]} */
static bool event_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {created_fn, cancelled_fn, string_fn};
    return run_union(c, at, MG_E_ANY_OF, "#/anyOf", br, 3);
}

/* {"oneOf": [{"type": "string"}, created]}: the type-rejecting branch comes first */
static bool string_first_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {string_fn, created_fn};
    return run_union(c, at, MG_E_ONE_OF_NONE, "#/oneOf", br, 2);
}

/* {"type": "array", "items": {"$ref": "#"}} wrapping event_fn's union: a union inside a
 * branch of another, {"anyOf": [{"type": "string"}, {"type": "array", "items": event}]} */
static bool events_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    const mg_doc *d = &c->doc;
    bool ok = true;
    if (mg_type(d, at) != MG_TAPE_ARRAY) {
        MG_FAIL(at, MG_E_TYPE, "#/anyOf/1/type", "array");
        goto done;
    }
    MG_ARRAY_FOR(d, at, i)
    MG_SUB(event_fn(c, i));
done:
    return ok;
}

static bool nested_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {string_fn, events_fn};
    return run_union(c, at, MG_E_ANY_OF, "#/anyOf", br, 2);
}

/* {"type": "array", "items": {"type": "string"}}: a step per item (none for the array, so
 * that a run that stops at the first error costs one) */
static bool strings_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    const mg_doc *d = &c->doc;
    bool ok = true;
    if (mg_type(d, at) != MG_TAPE_ARRAY) {
        MG_FAIL(at, MG_E_TYPE, "#/anyOf/0/type", "array");
        goto done;
    }
    MG_ARRAY_FOR(d, at, i)
    {
        if (!mg_step(c, i, "#/anyOf/0/items")) return false;
        if (mg_type(d, i) != MG_TAPE_STRING)
            MG_FAIL(i, MG_E_TYPE, "#/anyOf/0/items/type", "string");
    }
done:
    return ok;
}

static bool costly_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {strings_fn, string_fn};
    return run_union(c, at, MG_E_ANY_OF, "#/anyOf", br, 2);
}

/* An OpenAPI-style pet: {"required": [REQ], "properties": {"petType": {"enum": VALUES}}}, the
 * enum's values as its record's arg. */
static bool pet(mg_ctx *c, uint32_t at, const char *want, const char *values, const char *req,
                const char *loc)
{
    const mg_doc *d = &c->doc;
    bool ok = true, seen = false;
    MG_OBJECT_FOR(d, at, k)
    {
        seen = seen || mg_str_eq(d, k, req, (uint32_t)strlen(req));
        if (mg_str_eq(d, k, "petType", 7) && !mg_str_eq(d, k + 1, want, (uint32_t)strlen(want)))
            MG_FAIL(k + 1, MG_E_ENUM, loc, values);
    }
    if (!seen) MG_FAIL(at, MG_E_REQUIRED, loc, req);
done:
    return ok;
}
static bool cat_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    return pet(c, at, "cat", "[\"cat\"]", "lives", "#/oneOf/0");
}
static bool dog_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    return pet(c, at, "dog", "[\"dog\"]", "weight", "#/oneOf/1");
}
/* the same, but cats are "cat" or "kitten": an enum of two values is no discriminator */
static bool cats_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    return pet(c, at, "cat", "[\"cat\",\"kitten\"]", "lives", "#/oneOf/0");
}
static bool pets_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {cat_fn, dog_fn};
    return run_union(c, at, MG_E_ONE_OF_NONE, "#/oneOf", br, 2);
}
static bool pets2_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {cats_fn, dog_fn};
    return run_union(c, at, MG_E_ONE_OF_NONE, "#/oneOf", br, 2);
}

/* OpenAPI's discriminated oneOf whose members do not say their petType themselves:
 * {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": ".../Dog"}], "discriminator":
 * {"propertyName": "petType"}}, Cat requiring lives and Dog weight. */
static bool requires(mg_ctx *c, uint32_t at, const char *req, const char *loc)
{
    bool ok = true, seen = false;
    MG_OBJECT_FOR(&c->doc, at, k)
    seen = seen || mg_str_eq(&c->doc, k, req, (uint32_t)strlen(req));
    if (!seen) MG_FAIL(at, MG_E_REQUIRED, loc, req);
done:
    return ok;
}
static bool lives_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    return requires(c, at, "lives", "#/components/schemas/Cat/required");
}
static bool weight_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    return requires(c, at, "weight", "#/components/schemas/Dog/required");
}
static bool mapped_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {lives_fn, weight_fn};
    static const char *const dv[] = {"Cat", "Dog"};
    static const uint32_t db[] = {0, 1};
    static const mg_union_disc dsc = {"petType", 2, dv, db};
    bool ok = true;
    c->quiet++;
    bool any = lives_fn(c, at, NULL) || weight_fn(c, at, NULL);
    c->quiet--;
    if (!any) {
        ok = false;
        if (!mg_fail_union(c, at, MG_E_ONE_OF_NONE, "#/oneOf", br, 2, &dsc)) goto done;
    }
done:
    return ok;
}

static const mg_schema schemas[] = {
    {.name = "event", .fn = event_fn},   {.name = "string_first", .fn = string_first_fn},
    {.name = "nested", .fn = nested_fn}, {.name = "costly", .fn = costly_fn},
    {.name = "pets", .fn = pets_fn},     {.name = "pets2", .fn = pets2_fn},
    {.name = "mapped", .fn = mapped_fn},
};

static mg_result check(mg_validator *v, int schema, const char *js)
{
    return vc_validate(v, &schemas[schema], js);
}

/* The first error is the closest branch's: the one whose const matched, not the first. */
static void test_first_error_is_closest_branch(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(1, 0);
    assert_int_equal(check(v, 0, "{\"kind\":\"cancelled\",\"reason\":7}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    vc_assert_error(v, 0, "/reason: 7 is not of type string (type)",
                    "#/anyOf/1/properties/reason/type");
    assert_int_equal(check(v, 0, "{\"kind\":\"created\",\"amount\":\"x\"}"), MG_REJECT_SCHEMA);
    vc_assert_error(v, 0, "/amount: \"x\" is not of type number (type)",
                    "#/anyOf/0/properties/amount/type");
    assert_int_equal(check(v, 0, "{\"kind\":\"created\",\"amount\":1}"), MG_OK);
    mg_validator_free(v);
}

/* All errors: the closest branch's, then the union's summary. */
static void test_all_errors_branch_then_summary(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 0, "{\"kind\":\"cancelled\",\"reason\":7,\"amount\":\"y\"}"),
                     MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 2);
    vc_assert_error(v, 0, "/reason: 7 is not of type string (type)",
                    "#/anyOf/1/properties/reason/type");
    vc_assert_error(v, 1,
                    "(root): object (3 properties) does not match any of the anyOf schemas (anyOf)",
                    "#/anyOf");
    char out[1024];
    mg_output_basic(v, 8, out, sizeof out);
    assert_string_equal(
        out, "{\"valid\":false,\"errors\":["
             "{\"keywordLocation\":\"/anyOf/1/properties/reason/type\",\"instanceLocation\":"
             "\"/reason\",\"error\":\"7 is not of type string\"},"
             "{\"keywordLocation\":\"/anyOf\",\"instanceLocation\":\"\",\"error\":"
             "\"object (3 properties) does not match any of the anyOf schemas\"}]}");
    mg_validator_free(v);
}

/* The ranking: a branch that rejected the value by type loses even when it comes first; a
 * const mismatch loses to a branch without one; then the deepest errors; then the fewest;
 * then the first branch. */
static void test_ranking(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 1, "{\"kind\":\"created\"}"), MG_REJECT_SCHEMA);
    vc_assert_error(v, 0, "(root): required property \"amount\" is missing (required)",
                    "#/anyOf/0/required");
    vc_assert_error(v, 1,
                    "(root): object (1 property) does not match any of the oneOf schemas (oneOf)",
                    "#/oneOf");
    /* both branches mismatch kind; created's error is deeper (/amount) than cancelled's
     * missing reason (the root) */
    assert_int_equal(check(v, 0, "{\"kind\":\"other\",\"amount\":\"x\"}"), MG_REJECT_SCHEMA);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/anyOf/0/properties/kind/const");
    assert_string_equal(mg_error_keyword_location(v, 1), "#/anyOf/0/properties/amount/type");
    /* same depth (a const each), fewer errors: cancelled (created also misses amount) */
    assert_int_equal(check(v, 0, "{\"kind\":\"other\",\"reason\":\"r\"}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 2);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/anyOf/1/properties/kind/const");
    /* every branch rejects a number by type: a tie, the first */
    assert_int_equal(check(v, 0, "5"), MG_REJECT_SCHEMA);
    vc_assert_error(v, 0, "(root): 5 is not of type object (type)", "#/anyOf/0/type");
    mg_validator_free(v);
}

/* A union in the chosen branch explains itself too, at its own place. */
static void test_nested_union(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    const char *js = "[{\"kind\":\"created\",\"amount\":1},{\"kind\":\"cancelled\",\"reason\":0}]";
    assert_int_equal(check(v, 2, js), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 3);
    vc_assert_error(v, 0, "/1/reason: 0 is not of type string (type)",
                    "#/anyOf/1/properties/reason/type");
    vc_assert_error(v, 1,
                    "/1: object (2 properties) does not match any of the anyOf schemas (anyOf)",
                    "#/anyOf");
    vc_assert_error(v, 2, "(root): array (2 items) does not match any of the anyOf schemas (anyOf)",
                    "#/anyOf");
    mg_validator *first = vc_validator(1, 0);
    assert_int_equal(check(first, 2, js), MG_REJECT_SCHEMA);
    vc_assert_error(first, 0, "/1/reason: 0 is not of type string (type)",
                    "#/anyOf/1/properties/reason/type");
    mg_validator_free(first);
    mg_validator_free(v);
}

/* The explanation's work has its own budget: when scoring the branches would need more steps
 * than the message has, the summary alone is reported, and the reject stays a schema one. */
static void test_explaining_never_limits(void **state)
{
    (void)state;
    char js[4096] = "[1";
    for (int i = 0; i < 300; i++)
        strcat(js, ",\"a\"");
    strcat(js, "]");
    /* the quiet run stops at the first item; scoring the branch checks all 301 */
    mg_validator *v = vc_validator(16, 100);
    assert_int_equal(check(v, 3, js), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    vc_assert_error(v, 0,
                    "(root): array (301 items) does not match any of the anyOf schemas (anyOf)",
                    "#/anyOf");
    /* with room, the same message gets the branch's error */
    mg_validator *roomy = vc_validator(16, 100000);
    assert_int_equal(check(roomy, 3, js), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(roomy), 2);
    vc_assert_error(roomy, 0, "/0: 1 is not of type string (type)", "#/anyOf/0/items/type");
    assert_string_equal(mg_error_keyword_location(roomy, 1), "#/anyOf");
    mg_validator_free(roomy);
    mg_validator_free(v);
}

/* An enum of one value tells members apart as a const does (OpenAPI's "petType": {"enum":
 * ["dog"]}); one of several values does not. */
static void test_one_value_enum(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    const char *dog = "{\"petType\":\"dog\",\"name\":\"Rex\"}";
    assert_int_equal(check(v, 4, dog), MG_REJECT_SCHEMA);
    vc_assert_error(v, 0, "(root): required property \"weight\" is missing (required)",
                    "#/oneOf/1");
    /* with cats' two values the cat branch's deeper error (at /petType) wins */
    assert_int_equal(check(v, 5, dog), MG_REJECT_SCHEMA);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/oneOf/0");
    mg_validator_free(v);
}

/* A discriminator beside the union: the branch its value names explains the reject, even where
 * scoring would pick another (a tie: the first); a value it does not name is scored as usual. */
static void test_discriminator(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 6, "{\"petType\":\"Dog\"}"), MG_REJECT_SCHEMA);
    vc_assert_error(v, 0, "(root): required property \"weight\" is missing (required)",
                    "#/components/schemas/Dog/required");
    assert_int_equal(check(v, 6, "{\"petType\":\"Cat\"}"), MG_REJECT_SCHEMA);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/components/schemas/Cat/required");
    assert_int_equal(check(v, 6, "{\"petType\":\"Fox\"}"), MG_REJECT_SCHEMA);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/components/schemas/Cat/required");
    assert_int_equal(check(v, 6, "{\"petType\":7,\"weight\":1}"), MG_OK);
    mg_validator_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_error_is_closest_branch),
        cmocka_unit_test(test_all_errors_branch_then_summary),
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_nested_union),
        cmocka_unit_test(test_explaining_never_limits),
        cmocka_unit_test(test_one_value_enum),
        cmocka_unit_test(test_discriminator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
