/* test_config_kafka.c - unit tests for worker/gate/mw_config_kafka.c: the librdkafka
 * configurations built for the consumer and the producer (the user's properties, meshgate's
 * defaults, the properties it manages), their checks on their own and at load time, and the
 * producer's message.max.bytes against limits.max_message_bytes.
 *
 * Design: properties are read back from the rd_kafka_conf_t that was built, and compared with a
 * fresh one's for librdkafka's defaults; load errors are asserted as whole lines
 * (config_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config_fixture.h"

/* Reads a property back from a librdkafka configuration. */
static void assert_prop(rd_kafka_conf_t *rc, const char *key, const char *want)
{
    char v[512];
    size_t n = sizeof v;
    assert_int_equal(rd_kafka_conf_get(rc, key, v, &n), RD_KAFKA_CONF_OK);
    if (strcmp(v, want) != 0) fail_msg("%s: got \"%s\", want \"%s\"", key, v, want);
}

/* Asserts that a property has librdkafka's default value. */
static void assert_default(rd_kafka_conf_t *rc, const char *key)
{
    rd_kafka_conf_t *fresh = rd_kafka_conf_new();
    char v[512];
    size_t n = sizeof v;
    assert_int_equal(rd_kafka_conf_get(fresh, key, v, &n), RD_KAFKA_CONF_OK);
    rd_kafka_conf_destroy(fresh);
    assert_prop(rc, key, v);
}

static void test_kafka_conf(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, MINIMAL
                          "worker_id: w1\n"
                          "kafka: {bootstrap.servers: \"b:9092\", socket.timeout.ms: 7000}\n"
                          "consumer: {fetch.wait.max.ms: 250}\n"
                          "producer: {compression.type: zstd}\n"),
                     0);
    char err[512] = "";
    rd_kafka_conf_t *rc = mw_config_kafka(&f->c, false, err, sizeof err);
    assert_non_null(rc);
    assert_prop(rc, "bootstrap.servers", "b:9092");
    assert_prop(rc, "socket.timeout.ms", "7000");
    assert_prop(rc, "fetch.wait.max.ms", "250");
    assert_prop(rc, "group.id", "g");
    assert_prop(rc, "client.id", "meshgate-w1");
    assert_prop(rc, "partition.assignment.strategy", "cooperative-sticky");
    assert_prop(rc, "enable.auto.offset.store", "false");
    assert_prop(rc, "enable.auto.commit", "true");
    assert_prop(rc, "enable.partition.eof", "false");
    /* librdkafka never moves a partition by itself; meshgate reads the user's value. */
    assert_prop(rc, "auto.offset.reset", "error");
    assert_int_equal(mw_config_start_offset(&f->c), RD_KAFKA_OFFSET_BEGINNING);
    assert_default(rc, "compression.type"); /* producer: is the producer's only */
    rd_kafka_conf_destroy(rc);

    rc = mw_config_kafka(&f->c, true, err, sizeof err);
    assert_non_null(rc);
    assert_prop(rc, "bootstrap.servers", "b:9092");
    assert_prop(rc, "compression.type", "zstd");
    assert_prop(rc, "enable.idempotence", "true");
    assert_prop(rc, "linger.ms", "5");
    assert_prop(rc, "client.id", "meshgate-w1");
    assert_default(rc, "fetch.wait.max.ms"); /* consumer: is the consumer's only */
    rd_kafka_conf_destroy(rc);

    /* Settings meshgate only defaults are the user's when given. */
    assert_int_equal(load(f,
                          MINIMAL "kafka: {client.id: me}\nconsumer: {auto.offset.reset: latest}\n"
                                  "producer: {linger.ms: 50}\n"),
                     0);
    rc = mw_config_kafka(&f->c, false, err, sizeof err);
    assert_non_null(rc);
    assert_prop(rc, "client.id", "me");
    assert_prop(rc, "auto.offset.reset", "error");
    assert_int_equal(mw_config_start_offset(&f->c), RD_KAFKA_OFFSET_END);
    rd_kafka_conf_destroy(rc);
    rc = mw_config_kafka(&f->c, true, err, sizeof err);
    assert_non_null(rc);
    assert_prop(rc, "client.id", "me");
    assert_prop(rc, "linger.ms", "50");
    rd_kafka_conf_destroy(rc);
}

/* mw_config_kafka on its own (a configuration not from mw_config_load) still checks. */
static void test_kafka_conf_errors(void **state)
{
    (void)state;
    mw_kv bad_name[] = {{"bootstrap.servers", "b:1"}, {"no.such.property", "1"}};
    mw_kv bad_value[] = {{"fetch.wait.max.ms", "soon"}};
    mw_kv managed_commit[] = {{"enable.auto.commit", "false"}};
    mw_kv managed_txn[] = {{"transactional.id", "t1"}};
    mw_kv managed_eof[] = {{"enable.partition.eof", "true"}};
    mw_config c = {.group = "g", .worker_id = "w"};
    char err[512];

    c.kafka = bad_name;
    c.n_kafka = 2;
    assert_null(mw_config_kafka(&c, false, err, sizeof err));
    assert_string_equal(
        err, "kafka.no.such.property: No such configuration property: \"no.such.property\"");
    c.n_kafka = 0;

    c.consumer = bad_value;
    c.n_consumer = 1;
    assert_null(mw_config_kafka(&c, false, err, sizeof err));
    assert_string_equal(err, "consumer.fetch.wait.max.ms: Invalid value for configuration property "
                             "\"fetch.wait.max.ms\"");
    rd_kafka_conf_t *rc = mw_config_kafka(&c, true, err, sizeof err); /* not the producer's */
    assert_non_null(rc);
    rd_kafka_conf_destroy(rc);
    c.n_consumer = 0;

    c.kafka = managed_commit;
    c.n_kafka = 1;
    assert_null(mw_config_kafka(&c, false, err, sizeof err));
    assert_string_equal(err, "kafka.enable.auto.commit: managed by meshgate (meshgate stores "
                             "offsets only after the broker acknowledged the output)");
    c.n_kafka = 0;

    c.producer = managed_txn;
    c.n_producer = 1;
    assert_null(mw_config_kafka(&c, true, err, sizeof err));
    assert_string_equal(err, "producer.transactional.id: managed by meshgate (not supported)");
    c.n_producer = 0;

    c.consumer = managed_eof;
    c.n_consumer = 1;
    assert_null(mw_config_kafka(&c, false, err, sizeof err));
    assert_string_equal(err, "consumer.enable.partition.eof: managed by meshgate (meshgate does "
                             "not use end-of-partition events)");
}

/* The same checks at load time, with the file's line numbers, all at once. */
static void test_kafka_load_errors(void **state)
{
    fixture *f = *state;
    int n = load(f, MINIMAL "kafka:\n"
                            "  group.id: mine\n"                       /* 10 */
                            "  partition.assignment.strategy: range\n" /* 11 */
                            "consumer:\n"
                            "  enable.auto.offset.store: true\n" /* 13 */
                            "  fetch.wait.max.ms: soon\n"        /* 14 */
                            "producer:\n"
                            "  enable.idempotence: false\n" /* 16 */
                            "  no.such.thing: 1\n");        /* 17 */
    assert_int_equal(n, 6);
    assert_file_error(f, 10, "kafka.group.id: managed by meshgate (set group: instead)");
    assert_file_error(f, 11,
                      "kafka.partition.assignment.strategy: managed by meshgate (meshgate uses "
                      "cooperative-sticky)");
    assert_file_error(f, 13,
                      "consumer.enable.auto.offset.store: managed by meshgate (meshgate stores "
                      "offsets only after the broker acknowledged the output)");
    assert_file_error(f, 14,
                      "consumer.fetch.wait.max.ms: Invalid value for configuration property "
                      "\"fetch.wait.max.ms\"");
    assert_file_error(
        f, 16,
        "producer.enable.idempotence: managed by meshgate (required for per-partition order)");
    assert_file_error(f, 17,
                      "producer.no.such.thing: No such configuration property: \"no.such.thing\"");
}

/* A message within limits.max_message_bytes must fit the producer's message.max.bytes with
 * the record's key, headers and envelope. */
static void test_record_size_rule(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, MINIMAL "producer:\n  message.max.bytes: 1000000\n"), 1);
    assert_file_error(f, 10,
                      "producer.message.max.bytes: 1000000 is less than limits.max_message_bytes "
                      "(1048576) plus the 32768 bytes meshgate reserves for a record's key, "
                      "headers and envelope, so a message within the limit could not be produced; "
                      "set at least 1081344, or lower limits.max_message_bytes");
    assert_int_equal(load(f, MINIMAL "kafka:\n  message.max.bytes: 1081343\n"), 1);
    assert_file_error(f, 10,
                      "kafka.message.max.bytes: 1081343 is less than limits.max_message_bytes "
                      "(1048576) plus the 32768 bytes meshgate reserves for a record's key, "
                      "headers and envelope, so a message within the limit could not be produced; "
                      "set at least 1081344, or lower limits.max_message_bytes");
    assert_int_equal(load(f, MINIMAL "producer:\n  message.max.bytes: 1081344\n"), 0);
    assert_int_equal(load(f, MINIMAL
                          "limits: {max_message_bytes: 900000}\nproducer:\n  message.max.bytes: "
                          "1000000\n"),
                     0);
    /* Unset, the producer's default follows the limit. */
    char err[256];
    assert_int_equal(load(f, MINIMAL), 0);
    assert_int_equal(mw_config_message_max_bytes(&f->c), 1048576 + 32768);
    rd_kafka_conf_t *rc = mw_config_kafka(&f->c, true, err, sizeof err);
    assert_non_null(rc);
    assert_prop(rc, "message.max.bytes", "1081344");
    rd_kafka_conf_destroy(rc);
    assert_int_equal(load(f, MINIMAL "limits: {max_message_bytes: 64KiB}\n"), 0);
    assert_int_equal(mw_config_message_max_bytes(&f->c), 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kafka_conf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kafka_conf_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kafka_load_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_size_rule, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
