/* test_decide.c - unit tests for worker/gate/mw_decide.c: the gate's verdict on each kind of input
 * (plain JSON valid and invalid, parse rejects, tombstones under both route options, an empty
 * value, binary and structured CloudEvents with and without what they need, the variants of a
 * multi-message route selected by a property or a header).
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

/* accepts everything */
static bool any_fn(mg_ctx *c, uint32_t at)
{
    (void)c;
    (void)at;
    return true;
}

/* A registry set: customer v1 (id 1, a GUID), orders-value v1 (id 2, any JSON) and v2 (id 4,
 * {"required": ["id"]}), with the indexes codegen would emit. */
static const uint8_t GUID1[16] = {0x8f, 0x1c, 0x55, 0x02, 0x9e, 0x47, 0x4a, 0x10,
                                  0xb3, 0x2d, 0x6e, 0x0a, 0x61, 0x7b, 0x90, 0x44};
static const mg_schema reg_schemas[] = {
    {"customer/versions/1", "https://sr/schemas/ids/1", "c1", any_fn, "customer", 1, 1, GUID1},
    {"orders-value/versions/1", "https://sr/schemas/ids/2", "o1", any_fn, "orders-value", 1, 2,
     NULL},
    {"orders-value/versions/2", "https://sr/schemas/ids/4", "o2", order_fn, "orders-value", 2, 4,
     NULL},
};
static const uint32_t reg_by_id[] = {0, 1, 2}, reg_by_subject[] = {0, 1, 2}, reg_by_guid[] = {0};
static const mg_schema_set reg_set = {MG_RT_ABI,      3, reg_schemas, "test", 3, reg_by_id,
                                      reg_by_subject, 1, reg_by_guid};

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
    mw_decide(&r, NULL, &order, f->v, &in, &f->rb, &d);
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

static mw_decision decide_reg(void **state, mw_wire_mode m, const void *v, size_t n,
                              const rd_kafka_headers_t *h)
{
    fixture *f = *state;
    mw_route r = route(MW_TOMB_FORWARD);
    r.schema_id = m;
    mw_in in = in_value(NULL, h);
    in.value = v;
    in.value_len = n;
    mw_decision d;
    mw_decide(&r, &reg_set, &reg_schemas[2], f->v, &in, &f->rb, &d);
    return d;
}

#define LIT(s) s, sizeof s - 1

/* Schema ids: the exact version validates; unknown, missing and wrong-subject ids are rejects
 * with their reasons; the framing is reported for the envelope to strip. */
static void test_schema_ids(void **state)
{
    /* id 2 = orders-value v1 accepts {"x":1}; the route's latest (v2) would not */
    mw_decision d =
        decide_reg(state, MW_WIRE_CONFLUENT, LIT("\x00\x00\x00\x00\x02{\"x\":1}"), NULL);
    assert_true(d.valid);
    assert_ptr_equal(d.schema, &reg_schemas[1]);
    assert_int_equal(d.wire_off, 5);
    assert_int_equal(d.data_off, 5);
    assert_int_equal(d.data_len, 7);
    d = decide_reg(state, MW_WIRE_CONFLUENT, LIT("\x00\x00\x00\x00\x04{\"x\":1}"), NULL);
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_SCHEMA);
    assert_ptr_equal(d.schema, &reg_schemas[2]);

    d = decide_reg(state, MW_WIRE_AUTO, LIT("\x00\x00\x00\x00\x09{}"), NULL);
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_UNKNOWN_SCHEMA_ID);
    assert_string_equal(d.reason.code, "unknown_schema_id");
    assert_string_equal(d.reason.message, "schema id 9 (payload prefix) is not in the schema set: "
                                          "the registry export it was compiled from does not have "
                                          "it");

    d = decide_reg(state, MW_WIRE_APICURIO, LIT("\x00\x00\x00\x00\x01{}"), NULL);
    assert_int_equal(d.reject, MW_RJ_WRONG_SUBJECT);
    assert_string_equal(d.reason.code, "wrong_subject");
    assert_string_equal(d.reason.message, "schema id 1 (payload prefix) is registered under "
                                          "subject \"customer\", not the route's subject "
                                          "\"orders-value\"");

    /* a GUID of another subject, from Confluent's header */
    uint8_t g[17] = {0x01};
    memcpy(g + 1, GUID1, 16);
    rd_kafka_headers_t *h = rd_kafka_headers_new(1);
    rd_kafka_header_add(h, "__value_schema_id", -1, g, sizeof g);
    d = decide_reg(state, MW_WIRE_CONFLUENT, LIT("{}"), h);
    assert_int_equal(d.reject, MW_RJ_WRONG_SUBJECT);
    assert_non_null(strstr(d.reason.message, "schema GUID 8f1c5502-9e47-4a10-b32d-6e0a617b9044 "
                                             "(header __value_schema_id)"));
    rd_kafka_headers_destroy(h);
    g[16] ^= 1;
    h = rd_kafka_headers_new(1);
    rd_kafka_header_add(h, "__value_schema_id", -1, g, sizeof g);
    d = decide_reg(state, MW_WIRE_CONFLUENT, LIT("{}"), h);
    assert_int_equal(d.reject, MW_RJ_UNKNOWN_SCHEMA_ID);
    rd_kafka_headers_destroy(h);

    d = decide_reg(state, MW_WIRE_CONFLUENT, LIT("{\"id\":1}"), NULL);
    assert_int_equal(d.reject, MW_RJ_MISSING_SCHEMA_ID);
    assert_string_equal(d.reason.code, "missing_schema_id");
    assert_non_null(strstr(d.reason.message, "payload prefix: the value starts with neither"));
    d = decide_reg(state, MW_WIRE_CONFLUENT, LIT("\x00\x00\x02"), NULL);
    assert_int_equal(d.reject, MW_RJ_MISSING_SCHEMA_ID);

    /* a framed value with nothing after the id: the validator's empty */
    d = decide_reg(state, MW_WIRE_CONFLUENT, LIT("\x00\x00\x00\x00\x02"), NULL);
    assert_int_equal(d.reject, MW_RJ_EMPTY);
    /* an empty value has no id to read: empty too; a tombstone is forwarded */
    d = decide_reg(state, MW_WIRE_CONFLUENT, "", 0, NULL);
    assert_int_equal(d.reject, MW_RJ_EMPTY);
    d = decide_reg(state, MW_WIRE_CONFLUENT, NULL, 0, NULL);
    assert_true(d.valid);
    assert_true(d.tombstone);

    /* no set (check-topic): the id is read and stripped, not looked up; s judges */
    fixture *f = *state;
    mw_route r = route(MW_TOMB_FORWARD);
    r.schema_id = MW_WIRE_CONFLUENT;
    mw_in in = in_value(NULL, NULL);
    in.value = "\x00\x00\x00\x00\x63{\"x\":1}";
    in.value_len = 12;
    mw_decide(&r, NULL, &reg_schemas[2], f->v, &in, &f->rb, &d);
    assert_int_equal(d.reject, MW_RJ_SCHEMA);
    assert_ptr_equal(d.schema, &reg_schemas[2]);
    assert_int_equal(d.wire_off, 5);
    in.value = "{\"id\":1}";
    in.value_len = 8;
    mw_decide(&r, NULL, &reg_schemas[2], f->v, &in, &f->rb, &d);
    assert_int_equal(d.reject, MW_RJ_MISSING_SCHEMA_ID);
    /* a route schema that is no registry version (a contract's): read, stripped, s judges */
    in.value = "\x00\x00\x00\x00\x63{\"id\":1}";
    in.value_len = 13;
    mw_decide(&r, &reg_set, &order, f->v, &in, &f->rb, &d);
    assert_true(d.valid);
    assert_ptr_equal(d.schema, &order);
    assert_int_equal(d.data_off, 5);

    /* a structured CloudEvent behind a prefix: its data, past the framing */
    h = rd_kafka_headers_new(1);
    rd_kafka_header_add(h, "content-type", -1, "application/cloudevents+json", -1);
    const char ce[] = "\x00\x00\x00\x00\x04{\"specversion\":\"1.0\",\"id\":\"1\","
                      "\"source\":\"s\",\"type\":\"t\",\"data\":{\"id\":7}}";
    d = decide_reg(state, MW_WIRE_CONFLUENT, ce, sizeof ce - 1, h);
    assert_true(d.valid);
    assert_int_equal(d.wire_off, 5);
    assert_memory_equal(ce + d.data_off, "{\"id\":7}", d.data_len);
    rd_kafka_headers_destroy(h);
}

/* A channel of two messages: A ({"kind": {"const": "a"}, "required": ["kind", "id"]}), B
 * ({"kind": {"const": "b"}}), and their union (anyOf), the way codegen emits them. */
static bool kind_is(mg_ctx *c, uint32_t at, const char *want, const char *loc, bool need_id)
{
    const mg_doc *d = &c->doc;
    bool ok = true, id = false, kind = false;
    if (mg_type(d, at) != MG_TAPE_OBJECT) {
        MG_FAIL(at, MG_E_TYPE, loc, "object");
        goto done;
    }
    MG_OBJECT_FOR(d, at, k)
    {
        id = id || mg_str_eq(d, k, "id", 2);
        if (!mg_str_eq(d, k, "kind", 4)) continue;
        kind = true;
        if (mg_type(d, k + 1) != MG_TAPE_STRING || !mg_str_eq(d, k + 1, want, 1))
            MG_FAIL(k + 1, MG_E_CONST, loc, want);
    }
    if (!kind) MG_FAIL(at, MG_E_REQUIRED, loc, "kind");
    if (need_id && !id) MG_FAIL(at, MG_E_REQUIRED, loc, "id");
done:
    return ok;
}
static bool a_fn(mg_ctx *c, uint32_t at, uint64_t *ev)
{
    (void)ev;
    return kind_is(c, at, "a", "#/A", true);
}
static bool b_fn(mg_ctx *c, uint32_t at, uint64_t *ev)
{
    (void)ev;
    return kind_is(c, at, "b", "#/B", false);
}
static bool a_entry(mg_ctx *c, uint32_t at)
{
    return a_fn(c, at, NULL);
}
static bool b_entry(mg_ctx *c, uint32_t at)
{
    return b_fn(c, at, NULL);
}
static bool ab_fn(mg_ctx *c, uint32_t at)
{
    static const mg_fn_ev br[] = {a_fn, b_fn};
    bool ok = true;
    c->quiet++;
    uint32_t nv = a_fn(c, at, NULL) || b_fn(c, at, NULL);
    c->quiet--;
    if (nv == 0) {
        ok = false;
        if (!mg_fail_union(c, at, MG_E_ANY_OF, "#/anyOf", br, 2, NULL)) goto done;
    }
done:
    return ok;
}
static const mg_schema sa = {.name = "A", .id = "urn:A", .fn = a_entry};
static const mg_schema sb = {.name = "B", .id = "urn:B", .fn = b_entry};
static const mg_schema sab = {.name = "AB", .id = "urn:AB", .fn = ab_fn};

static mw_decision decide_ab(void **state, const char *disc, const char *value,
                             const rd_kafka_headers_t *h)
{
    fixture *f = *state;
    static char *va[] = {"a"}, *vb[] = {"b", "bee"};
    static mw_variant vs[2];
    vs[0] = (mw_variant){va, 1, "A", "shop.A.v1", &sa};
    vs[1] = (mw_variant){vb, 2, "B", "shop.B.v1", &sb};
    mw_route r = route(MW_TOMB_FORWARD);
    r.type = "shop.ab.v1";
    r.discriminator = (char *)disc;
    r.variants = vs;
    r.n_variants = 2;
    mw_in in = in_value(value, h);
    mw_decision d;
    mw_decide(&r, NULL, &sab, f->v, &in, &f->rb, &d);
    return d;
}

/* A route with variants judges each message by the one its discriminator selects. */
static void test_variants(void **state)
{
    mw_decision d = decide_ab(state, "property:kind", "{\"kind\":\"a\",\"id\":1}", NULL);
    assert_true(d.valid);
    assert_string_equal(d.type, "shop.A.v1");
    assert_ptr_equal(d.schema, &sa);
    d = decide_ab(state, "property:kind", "{\"kind\":\"b\"}", NULL);
    assert_true(d.valid);
    assert_string_equal(d.type, "shop.B.v1");
    /* A without its id: A's own error, not the union's summary */
    d = decide_ab(state, "property:kind", "{\"kind\":\"a\"}", NULL);
    assert_false(d.valid);
    assert_string_equal(d.reason.keyword, "#/A");
    assert_string_equal(d.reason.message, "required property \"id\" is missing");
    assert_ptr_equal(d.schema, &sa);
    /* a kind no variant has */
    d = decide_ab(state, "property:kind", "{\"kind\":\"z\\\"\",\"id\":1}", NULL);
    assert_false(d.valid);
    assert_int_equal(d.reject, MW_RJ_SCHEMA);
    assert_string_equal(d.reason.instance, "/kind");
    assert_string_equal(d.reason.message, "property kind \"z\\\"\" names no message of this "
                                          "channel; expected one of \"a\", \"b\", \"bee\"");
    /* a hostile value: escaped (the newline, the terminal escape) and cut after 64 bytes */
    char hostile[200] = "{\"kind\":\"\\n\\u001b[31m";
    for (int i = 0; i < 80; i++)
        strcat(hostile, "x");
    strcat(hostile, "\"}");
    d = decide_ab(state, "property:kind", hostile, NULL);
    assert_false(d.valid);
    assert_non_null(strstr(d.reason.message, "property kind \"\\n\\x1b[31mxxx"));
    assert_non_null(strstr(d.reason.message, "xxx...\" names no message"));
    assert_null(strchr(d.reason.message, '\n'));
    assert_null(strchr(d.reason.message, '\x1b'));
    /* no kind at all: the union's reasons (its closest branch) */
    d = decide_ab(state, "property:kind", "{\"id\":1}", NULL);
    assert_false(d.valid);
    assert_string_equal(d.reason.message, "required property \"kind\" is missing");
    assert_string_equal(d.type, "shop.ab.v1");
    /* a header selects before validation: only B runs */
    rd_kafka_headers_t *h = rd_kafka_headers_new(1);
    rd_kafka_header_add(h, "kind", -1, "bee", -1);
    d = decide_ab(state, "header:kind", "{\"kind\":\"b\"}", h);
    assert_true(d.valid);
    assert_string_equal(d.type, "shop.B.v1");
    d = decide_ab(state, "header:kind", "{\"kind\":\"a\",\"id\":1}", h);
    assert_false(d.valid);
    assert_string_equal(d.reason.keyword, "#/B");
    rd_kafka_headers_destroy(h);
    d = decide_ab(state, "header:kind", "{\"kind\":\"b\"}", NULL);
    assert_false(d.valid);
    assert_string_equal(d.reason.instance, "");
    assert_string_equal(d.reason.message,
                        "header kind, the discriminator that tells this channel's messages apart, "
                        "is missing (or not a string); expected one of \"a\", \"b\", \"bee\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),       cmocka_unit_test(test_tombstones),
        cmocka_unit_test(test_cloudevents), cmocka_unit_test(test_schema_ids),
        cmocka_unit_test(test_variants),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
