/* test_rt_obj.c - unit tests for objects and arrays checked from their tables (mg_obj_check,
 * mg_arr_check, validator/mg_rt_obj.c): properties by name, additionalProperties false and as
 * a schema, required names in the table's order, the counts, the type, the step budget, the
 * first-error stop, the schema locations a row hands to a shared function, the evaluated
 * members a tracking function reports; an array's counts, uniqueItems and items.
 *
 * Design: the tables are written by hand the way meshgate-codegen renders them (a sorted
 * names table, a required list, the mg_obj), and validated through mg_validate as generated
 * code is. The end-to-end agreement with the code form is in tests/codegen/test_bigschema.sh
 * and the conformance run's big-set form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "meshgate.h"
#include "mg_rt.h"
#include "vcheck.h"

/* {"type": "integer"} at #/properties/n */
static bool int_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    bool ok = true;
    uint8_t t = mg_type(&c->doc, at);
    if (t != MG_TAPE_INT64 && t != MG_TAPE_UINT64)
        MG_FAIL(at, MG_E_TYPE, "#/properties/n/type", "integer");
done:
    return ok;
}

/* {"type": "string"}, shared: its location comes from the caller's table (c->locs) */
static bool shared_string_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    const char *const *L = c->locs;
    bool ok = true;
    if (mg_type(&c->doc, at) != MG_TAPE_STRING) MG_FAIL(at, MG_E_TYPE, L[0], "string");
done:
    return ok;
}

/* {"type": "boolean"} at #/additionalProperties */
static bool bool_fn(mg_ctx *c, uint32_t at, uint64_t *ev MG_UNUSED)
{
    bool ok = true;
    if (mg_type(&c->doc, at) != MG_TAPE_TRUE && mg_type(&c->doc, at) != MG_TAPE_FALSE)
        MG_FAIL(at, MG_E_TYPE, "#/additionalProperties/type", "boolean");
done:
    return ok;
}

/* true at #/properties/r */
static bool true_fn(mg_ctx *c MG_UNUSED, uint32_t at MG_UNUSED, uint64_t *ev MG_UNUSED)
{
    return true;
}

static const char *const s_locs[] = {"#/properties/s/type"};

/* {"type": "object", "required": ["r", "n", "r"], "additionalProperties": false,
 *  "minProperties": 1, "maxProperties": 3,
 *  "properties": {"n": {"type": "integer"}, "r": true, "s": {"type": "string"}}} */
static const mg_name_row closed_names[] = {
    {1, 1, "n", int_fn, NULL},
    {1, 0, "r", true_fn, NULL},
    {1, -1, "s", shared_string_fn, s_locs},
};
static const mg_name_row closed_req[] = {
    {1, 0, "r", NULL, NULL},
    {1, 1, "n", NULL, NULL},
    {1, 0, "r", NULL, NULL},
};
static const mg_obj closed = {
    .loc = "#",
    .type_loc = "#/type",
    .names = closed_names,
    .nnames = 3,
    .req = closed_req,
    .nreq = 3,
    .req_loc = "#/required",
    .addl_loc = "#/additionalProperties",
    .minp_loc = "#/minProperties",
    .minp_arg = "1",
    .minp = 1,
    .maxp_loc = "#/maxProperties",
    .maxp_arg = "3",
    .maxp = 3,
};

/* {"required": ["k"], "additionalProperties": {"type": "boolean"}}: no type; k, named by
 * required alone, is an additional property too */
static const mg_name_row open_names[] = {{1, 0, "k", NULL, NULL}};
static const mg_obj open_map = {
    .loc = "#",
    .names = open_names,
    .nnames = 1,
    .req = open_names,
    .nreq = 1,
    .req_loc = "#/required",
    .addl_loc = "#/additionalProperties",
    .addl = {.fn = bool_fn},
};

/* {"type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true,
 *  "items": {"type": "integer"}} */
static const mg_arr list = {
    .loc = "#",
    .type_loc = "#/type",
    .mini_loc = "#/minItems",
    .mini_arg = "1",
    .mini = 1,
    .maxi_loc = "#/maxItems",
    .maxi_arg = "3",
    .maxi = 3,
    .uniq_loc = "#/uniqueItems",
    .items = {.fn = int_fn},
};

static bool list_entry(mg_ctx *c, uint32_t at)
{
    return mg_arr_check(c, at, &list);
}

/* The members closed evaluates, as a function that reports them would: their bits. */
static uint64_t evaluated;
static bool tracked_entry(mg_ctx *c, uint32_t at)
{
    uint64_t ev[1] = {0};
    bool ok = mg_obj_check(c, at, &closed, ev);
    evaluated = ev[0];
    return ok;
}

static bool closed_entry(mg_ctx *c, uint32_t at)
{
    return mg_obj_check(c, at, &closed, NULL);
}

static bool open_entry(mg_ctx *c, uint32_t at)
{
    return mg_obj_check(c, at, &open_map, NULL);
}

static const mg_schema schemas[] = {{.name = "closed", .fn = closed_entry},
                                    {.name = "open", .fn = open_entry},
                                    {.name = "list", .fn = list_entry},
                                    {.name = "tracked", .fn = tracked_entry}};

static mg_result check(mg_validator *v, int schema, const char *js)
{
    return vc_validate(v, &schemas[schema], js);
}

static void test_valid(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 0, "{\"r\":null,\"n\":1}"), MG_OK);
    assert_int_equal(check(v, 0, "{\"s\":\"x\",\"n\":2,\"r\":[]}"), MG_OK);
    assert_int_equal(check(v, 1, "{\"a\":true,\"k\":false}"), MG_OK);
    assert_int_equal(check(v, 1, "[1]"), MG_OK); /* no type: not an object, nothing to check */
    mg_validator_free(v);
}

/* Every error in member order, then the required names in the list's order (a name listed
 * twice is reported twice, as the code form does), then the counts. */
static void test_all_errors_in_order(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 0, "{\"x\":1,\"n\":\"1\",\"s\":2,\"y\":2}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 7);
    vc_assert_error(v, 0, "/x: property \"x\" is not allowed (additionalProperties)",
                    "#/additionalProperties");
    vc_assert_error(v, 1, "/n: \"1\" is not of type integer (type)", "#/properties/n/type");
    vc_assert_error(v, 2, "/s: 2 is not of type string (type)", "#/properties/s/type");
    vc_assert_error(v, 3, "/y: property \"y\" is not allowed (additionalProperties)",
                    "#/additionalProperties");
    vc_assert_error(v, 4, "(root): required property \"r\" is missing (required)", "#/required");
    vc_assert_error(v, 5, "(root): required property \"r\" is missing (required)", "#/required");
    assert_string_equal(mg_error_keyword_location(v, 6), "#/maxProperties");
    assert_int_equal(check(v, 0, "{}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 4);
    vc_assert_error(v, 1, "(root): required property \"n\" is missing (required)", "#/required");
    assert_string_equal(mg_error_keyword_location(v, 3), "#/minProperties");
    assert_int_equal(check(v, 1, "{\"a\":1,\"k\":2}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 2);
    vc_assert_error(v, 0, "/a: 1 is not of type boolean (type)", "#/additionalProperties/type");
    vc_assert_error(v, 1, "/k: 2 is not of type boolean (type)", "#/additionalProperties/type");
    assert_int_equal(check(v, 1, "{}"), MG_REJECT_SCHEMA);
    vc_assert_error(v, 0, "(root): required property \"k\" is missing (required)", "#/required");
    mg_validator_free(v);
}

/* The first error stops the check; a value of another type fails on the type alone. */
static void test_first_error_stops(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(1, 0);
    assert_int_equal(check(v, 0, "{\"n\":\"1\",\"x\":1}"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    vc_assert_error(v, 0, "/n: \"1\" is not of type integer (type)", "#/properties/n/type");
    assert_int_equal(check(v, 0, "[]"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 1);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/type");
    mg_validator_free(v);
}

/* The step is charged at entry (1 plus the members): over the budget, the message stops with
 * reason limit at the object's location. */
static void test_step_budget(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 2);
    assert_int_equal(check(v, 1, "{\"a\":true,\"k\":true,\"c\":true}"), MG_REJECT_LIMIT);
    assert_string_equal(mg_error_keyword_location(v, 0), "#");
    mg_validator_free(v);
}

/* A tracking function's bitset gets every member properties or additionalProperties
 * applied to, matched or failed. */
static void test_evaluated_members(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 3, "{\"r\":1,\"n\":1}"), MG_OK);
    assert_int_equal(evaluated, 3);
    assert_int_equal(check(v, 3, "{\"n\":1,\"x\":2,\"r\":0}"), MG_REJECT_SCHEMA);
    assert_int_equal(evaluated, 7);
    mg_validator_free(v);
}

/* An array: the counts, uniqueItems, then every item, in that order. */
static void test_array(void **state)
{
    (void)state;
    mg_validator *v = vc_validator(16, 0);
    assert_int_equal(check(v, 2, "[1,2,3]"), MG_OK);
    assert_int_equal(check(v, 2, "[\"a\",1,1,\"a\"]"), MG_REJECT_SCHEMA);
    assert_int_equal(mg_error_count(v), 4);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/maxItems");
    assert_string_equal(mg_error_keyword_location(v, 1), "#/uniqueItems");
    vc_assert_error(v, 2, "/0: \"a\" is not of type integer (type)", "#/properties/n/type");
    vc_assert_error(v, 3, "/3: \"a\" is not of type integer (type)", "#/properties/n/type");
    assert_int_equal(check(v, 2, "[]"), MG_REJECT_SCHEMA);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/minItems");
    assert_int_equal(check(v, 2, "{}"), MG_REJECT_SCHEMA);
    assert_string_equal(mg_error_keyword_location(v, 0), "#/type");
    mg_validator_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_all_errors_in_order),
        cmocka_unit_test(test_first_error_stops),
        cmocka_unit_test(test_step_budget),
        cmocka_unit_test(test_evaluated_members),
        cmocka_unit_test(test_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
