/* test_decide.c - unit tests for worker/gate/mw_decide.c: the gate's verdict on each kind of input
 * (plain JSON valid and invalid, parse rejects, tombstones under both route options, an empty
 * value, binary and structured CloudEvents with and without what they need).
 *
 * Design: the schema is a hand-written function in generated code's form ({"required":
 * ["id"]}), so these tests need no codegen; each case asserts the whole decision.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mw_decide.h"
#include "mg_rt.h"

/* {"required": ["id"]} */
static bool order_fn(mg_ctx *c, uint32_t at)
{
    const mg_doc *d = &c->doc;
    bool ok = true;
    if (mg_type(d, at) != MG_TAPE_OBJECT) return true;
    bool seen = false;
    MG_OBJECT_FOR(d, at, k)
    {
        seen = seen || mg_str_eq(d, k, "id", 2);
    }
    if (!seen) MG_FAIL(at, MG_E_REQUIRED, "#/required", "id");
done:
    return ok;
}

static const mg_schema order = {.name = "order", .id = "https://example.com/order", .fn = order_fn};

typedef struct fixture {
    mg_validator *v;
    mw_reason_buf rb;
} fixture;

static int setup(void **state)
{
    static fixture f;
    char err[128];
    f.v = mg_validator_new(NULL, err, sizeof err);
    *state = &f;
    return f.v ? 0 : -1;
}

static int teardown(void **state)
{
    mg_validator_free(((fixture *)*state)->v);
    return 0;
}

static mw_route route(mw_tombstones t)
{
    return (mw_route){.input = "raw",
                      .schema = "order",
                      .output = "out",
                      .dead_letter = "dlq",
                      .mode = MW_CE_BINARY,
                      .tombstones = t};
}

static mw_in in_value(const char *value, const rd_kafka_headers_t *h)
{
    return (mw_in){.topic = "raw",
                   .partition = 0,
                   .offset = 1,
                   .timestamp_ms = -1,
                   .key = "k",
                   .key_len = 1,
                   .value = value,
                   .value_len = value ? strlen(value) : 0,
                   .headers = h};
}

static mw_decision decide(void **state, mw_route r, mw_in in)
{
    fixture *f = *state;
    mw_decision d;
    mw_decide(&r, &order, f->v, &in, &f->rb, &d);
    return d;
}

static void test_plain(void **state)
{
    mw_decision d = decide(state, route(MW_TOMB_FORWARD), in_value("{\"id\":1}", NULL));
    assert_true(d.valid);
    assert_false(d.tombstone);
    assert_int_equal(d.kind, MW_CE_NONE);
    assert_int_equal(d.data_off, 0);
    assert_int_equal(d.data_len, 8);

    d = decide(state, route(MW_TOMB_FORWARD), in_value("{\"x\":1}", NULL));
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_SCHEMA);
    assert_string_equal(d.reason.code, "schema");
    assert_string_equal(d.reason.keyword, "#/required");
    assert_string_equal(d.reason.instance, "");
    assert_non_null(strstr(d.reason.message, "id"));

    d = decide(state, route(MW_TOMB_FORWARD), in_value("{\"id\":", NULL));
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_SYNTAX);
    assert_string_equal(d.reason.code, "syntax");
}

static void test_tombstones(void **state)
{
    mw_decision d = decide(state, route(MW_TOMB_FORWARD), in_value(NULL, NULL));
    assert_true(d.valid);
    assert_true(d.tombstone);

    d = decide(state, route(MW_TOMB_DEAD_LETTER), in_value(NULL, NULL));
    assert_false(d.valid);
    assert_false(d.tombstone);
    assert_int_equal(d.reject, MW_RJ_EMPTY);
    assert_string_equal(d.reason.code, "empty");

    /* an empty non-null value is no tombstone: a reject whatever the option */
    d = decide(state, route(MW_TOMB_FORWARD), in_value("", NULL));
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_EMPTY);

    /* a null value without a key is no delete marker either */
    mw_in in = in_value(NULL, NULL);
    in.key = NULL;
    in.key_len = 0;
    d = decide(state, route(MW_TOMB_FORWARD), in);
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_EMPTY);
}

static void test_cloudevents(void **state)
{
    /* structured: the data member is what is validated */
    rd_kafka_headers_t *h = rd_kafka_headers_new(2);
    rd_kafka_header_add(h, "content-type", -1, "application/cloudevents+json", -1);
    const char *ce = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\","
                     "\"data\":{\"id\":7}}";
    mw_decision d = decide(state, route(MW_TOMB_FORWARD), in_value(ce, h));
    assert_true(d.valid);
    assert_int_equal(d.kind, MW_CE_IN_STRUCTURED);
    assert_memory_equal(ce + d.data_off, "{\"id\":7}", d.data_len);

    const char *bad = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\","
                      "\"data\":{\"x\":7}}";
    d = decide(state, route(MW_TOMB_FORWARD), in_value(bad, h));
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_SCHEMA);

    const char *nodata = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"}";
    d = decide(state, route(MW_TOMB_FORWARD), in_value(nodata, h));
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_CLOUDEVENT);
    assert_string_equal(d.reason.code, "cloudevent");
    rd_kafka_headers_destroy(h);

    /* binary: a ce_specversion header without ce_id is a cloudevent reject */
    h = rd_kafka_headers_new(4);
    rd_kafka_header_add(h, "ce_specversion", -1, "1.0", -1);
    rd_kafka_header_add(h, "ce_source", -1, "s", -1);
    rd_kafka_header_add(h, "ce_type", -1, "t", -1);
    d = decide(state, route(MW_TOMB_FORWARD), in_value("{\"id\":1}", h));
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_CLOUDEVENT);
    rd_kafka_header_add(h, "ce_id", -1, "e-1", -1);
    d = decide(state, route(MW_TOMB_FORWARD), in_value("{\"id\":1}", h));
    assert_true(d.valid);
    assert_int_equal(d.kind, MW_CE_IN_BINARY);
    rd_kafka_headers_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_tombstones),
        cmocka_unit_test(test_cloudevents),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
