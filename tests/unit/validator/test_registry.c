/* test_registry.c - unit tests for validator/mg_registry.c: finding the versions of a set
 * compiled from a Schema Registry export by schema id, subject and version, and GUID.
 *
 * Design: the set is written by hand the way meshgate-codegen emits one (records in export
 * order, index arrays sorted by the keys), with the cases a worker meets: one schema id
 * registered under two subjects, a subject with three versions, ids and subjects that sort
 * differently from the record order, versions with and without a GUID, and a plain schema
 * that is no registry version at all.
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

static bool any_fn(mg_ctx *c, uint32_t at)
{
    (void)c;
    (void)at;
    return true;
}

static const uint8_t guid_a[16] = {0x8f, 0x1c, 0x55, 0x02, 0x9e, 0x47, 0x4a, 0x10,
                                   0xb3, 0x2d, 0x6e, 0x0a, 0x61, 0x7b, 0x90, 0x44};
static const uint8_t guid_b[16] = {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07};

/* 0: a plain schema; 1-3: orders-value v1..v3 (ids 21, 5, 40); 4: customer v1 (id 5, the same
 * schema as orders-value v2); 5: payments-key v1 (id 1000000000000, beyond 32 bits). */
static const mg_schema schemas[] = {
    {"plain", "file:///plain.json", "plain.json", any_fn, NULL, 0, 0, NULL},
    {"orders-value/versions/1", "r/schemas/ids/21", "o1", any_fn, "orders-value", 1, 21, guid_a},
    {"orders-value/versions/2", "r/schemas/ids/5", "o2", any_fn, "orders-value", 2, 5, NULL},
    {"orders-value/versions/3", "r/schemas/ids/40", "o3", any_fn, "orders-value", 3, 40, NULL},
    {"customer/versions/1", "r/schemas/ids/5", "c1", any_fn, "customer", 1, 5, guid_b},
    {"payments-key/versions/1", "r/schemas/ids/1000000000000", "p1", any_fn, "payments-key", 1,
     1000000000000, NULL},
};
/* (id, subject, version): 5 customer, 5 orders-value, 21, 40, 1000000000000 */
static const uint32_t by_id[] = {4, 2, 1, 3, 5};
/* (subject, version): customer 1, orders-value 1 2 3, payments-key 1 */
static const uint32_t by_subject[] = {4, 1, 2, 3, 5};
/* guid_b < guid_a */
static const uint32_t by_guid[] = {4, 1};
static const mg_schema_set set = {MG_RT_ABI, 6, schemas, "test", 5, by_id, by_subject, 2, by_guid};
static const mg_schema_set plain_set = {MG_RT_ABI, 1, schemas, "test", 0, NULL, NULL, 0, NULL};

static void test_find_by_registry_id(void **state)
{
    (void)state;
    assert_ptr_equal(mg_schema_find_registry_id(&set, 21), &schemas[1]);
    assert_ptr_equal(mg_schema_find_registry_id(&set, 40), &schemas[3]);
    assert_ptr_equal(mg_schema_find_registry_id(&set, 1000000000000), &schemas[5]);
    /* id 5 is registered under customer and orders-value: the subject that sorts first */
    assert_ptr_equal(mg_schema_find_registry_id(&set, 5), &schemas[4]);
    assert_null(mg_schema_find_registry_id(&set, 0));
    assert_null(mg_schema_find_registry_id(&set, 6));
    assert_null(mg_schema_find_registry_id(&set, 1000000000001));
    assert_null(mg_schema_find_registry_id(&set, -1));
}

static void test_find_by_subject_and_id(void **state)
{
    (void)state;
    assert_ptr_equal(mg_schema_find_subject_id(&set, "orders-value", 5), &schemas[2]);
    assert_ptr_equal(mg_schema_find_subject_id(&set, "customer", 5), &schemas[4]);
    assert_ptr_equal(mg_schema_find_subject_id(&set, "orders-value", 21), &schemas[1]);
    /* wrong_subject: the id exists, but not under this subject */
    assert_null(mg_schema_find_subject_id(&set, "customer", 21));
    assert_null(mg_schema_find_subject_id(&set, "payments-key", 5));
    assert_null(mg_schema_find_subject_id(&set, "nobody", 5));
    assert_null(mg_schema_find_subject_id(&set, "orders-value", 7));
}

static void test_find_version(void **state)
{
    (void)state;
    assert_ptr_equal(mg_schema_find_version(&set, "orders-value", 1), &schemas[1]);
    assert_ptr_equal(mg_schema_find_version(&set, "orders-value", 3), &schemas[3]);
    assert_ptr_equal(mg_schema_find_version(&set, "orders-value", MG_VERSION_LATEST), &schemas[3]);
    assert_ptr_equal(mg_schema_find_version(&set, "customer", MG_VERSION_LATEST), &schemas[4]);
    assert_ptr_equal(mg_schema_find_version(&set, "payments-key", MG_VERSION_LATEST), &schemas[5]);
    assert_null(mg_schema_find_version(&set, "orders-value", 4));
    assert_null(mg_schema_find_version(&set, "orders-value", 0));
    assert_null(mg_schema_find_version(&set, "orders", MG_VERSION_LATEST));
    assert_null(mg_schema_find_version(&set, "a", MG_VERSION_LATEST));
    assert_null(mg_schema_find_version(&set, "zzz", MG_VERSION_LATEST));
    assert_null(mg_schema_find_version(&set, "", 1));
    assert_null(mg_schema_find_version(&set, NULL, 1));
}

static void test_find_guid(void **state)
{
    (void)state;
    assert_ptr_equal(mg_schema_find_guid(&set, guid_a), &schemas[1]);
    assert_ptr_equal(mg_schema_find_guid(&set, guid_b), &schemas[4]);
    uint8_t other[16];
    memcpy(other, guid_a, 16);
    other[15] ^= 1;
    assert_null(mg_schema_find_guid(&set, other));
    assert_null(mg_schema_find_guid(&set, NULL));
}

static void test_find_by_name_falls_back_to_latest(void **state)
{
    (void)state;
    assert_ptr_equal(mg_schema_find(&set, "orders-value/versions/2"), &schemas[2]);
    assert_ptr_equal(mg_schema_find(&set, "orders-value"), &schemas[3]);
    assert_ptr_equal(mg_schema_find(&set, "customer"), &schemas[4]);
    assert_ptr_equal(mg_schema_find(&set, "plain"), &schemas[0]);
    assert_null(mg_schema_find(&set, "orders-value/versions/9"));
}

static void test_sets_without_registry_versions(void **state)
{
    (void)state;
    assert_null(mg_schema_find_registry_id(&plain_set, 21));
    assert_null(mg_schema_find_subject_id(&plain_set, "orders-value", 21));
    assert_null(mg_schema_find_version(&plain_set, "orders-value", MG_VERSION_LATEST));
    assert_null(mg_schema_find_guid(&plain_set, guid_a));
    assert_null(mg_schema_find(&plain_set, "orders-value"));
    assert_null(mg_schema_find_registry_id(NULL, 21));
    assert_null(mg_schema_find_version(NULL, "orders-value", 1));
    assert_null(mg_schema_find_guid(NULL, guid_a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_by_registry_id),
        cmocka_unit_test(test_find_by_subject_and_id),
        cmocka_unit_test(test_find_version),
        cmocka_unit_test(test_find_guid),
        cmocka_unit_test(test_find_by_name_falls_back_to_latest),
        cmocka_unit_test(test_sets_without_registry_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
