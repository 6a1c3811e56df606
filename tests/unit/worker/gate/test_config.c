/* test_config.c - unit tests for worker/gate/mw_config.c: every key read back, defaults, the
 * collected error lines (file, line, key path, expected value), MESHGATE_* overrides, the checks
 * between keys and those beyond the file (the librdkafka configurations: test_config_kafka.c).
 *
 * Design: each test gets its own mkdtemp directory (the fixture, passed as cmocka state) and
 * writes meshgate.yaml there; errors are asserted as whole lines of errstr (config_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_fixture.h"

static void test_full_config(void **state)
{
    fixture *f = *state;
    int n = load(f, "schemas: build/demo/identity.so\n"
                    "group: meshgate-demo\n"
                    "worker_id: pod-7\n"
                    "workers: 3\n"
                    "http:\n"
                    "  listen: \"\"\n"
                    "limits:\n"
                    "  max_message_bytes: 2MiB\n"
                    "  max_inflight_messages: 500\n"
                    "  max_inflight_bytes: 1 GiB\n"
                    "  max_steps: 50000\n"
                    "  max_depth: 32\n"
                    "  max_refs: 64\n"
                    "drain_timeout_ms: 1500\n"
                    "stats_interval_ms: 0\n"
                    "on_offset_reset: stop\n"
                    "health: {stuck_after_ms: 0}\n"
                    "log: {format: json, level: debug}\n"
                    "retry:\n"
                    "  backoff_ms: 50\n"
                    "  backoff_max_ms: 800\n"
                    "routes:\n"
                    "  - input: raw.identity\n"
                    "    schema: identity\n"
                    "    schema_version: \"2.1\"\n"
                    "    output: identity.v2\n"
                    "    dead_letter: identity.dlq\n"
                    "    source: urn:meshgate:example:identity\n"
                    "    type: example.identity.changed\n"
                    "    mode: structured\n"
                    "    tombstones: dead_letter\n"
                    "    dead_letter_errors: 8\n"
                    "  - {input: raw.b, schema: b, output: b.v1, dead_letter: b.dlq, source: /b}\n"
                    "kafka:\n"
                    "  bootstrap.servers: k1:9092,k2:9092\n"
                    "  security.protocol: plaintext\n"
                    "consumer:\n"
                    "  fetch.wait.max.ms: 100\n"
                    "producer:\n"
                    "  compression.type: lz4\n"
                    "  linger.ms: 20\n");
    assert_int_equal(n, 0);
    assert_string_equal(f->err, "");
    const mw_config *c = &f->c;
    assert_string_equal(c->path, f->path);
    assert_string_equal(c->schemas, "build/demo/identity.so");
    assert_string_equal(c->group, "meshgate-demo");
    assert_string_equal(c->worker_id, "pod-7");
    assert_int_equal(c->workers, 3);
    assert_string_equal(c->http_listen, "");
    assert_int_equal(c->max_message_bytes, 2u << 20);
    assert_int_equal(c->max_inflight_messages, 500);
    assert_int_equal(c->max_inflight_bytes, 1u << 30);
    assert_int_equal(c->max_steps, 50000);
    assert_int_equal(c->max_depth, 32);
    assert_int_equal(c->max_refs, 64);
    mg_validator_conf vc = mw_config_validator_conf(c); /* limits.*, the most errors of a route */
    assert_int_equal(vc.max_bytes, 2u << 20);
    assert_int_equal(vc.max_steps, 50000);
    assert_int_equal(vc.max_depth, 32);
    assert_int_equal(vc.max_refs, 64);
    assert_int_equal(vc.max_errors, 8);
    assert_int_equal(c->drain_timeout_ms, 1500);
    assert_int_equal(c->stats_interval_ms, 0);
    assert_int_equal(c->retry_backoff_ms, 50);
    assert_int_equal(c->retry_backoff_max_ms, 800);
    assert_int_equal(c->on_offset_reset, MW_RESET_STOP);
    assert_int_equal(c->stuck_after_ms, 0);
    assert_int_equal(c->log_format, MW_LOG_JSON);
    assert_int_equal(c->log_level, MW_LOG_DEBUG);
    assert_int_equal(c->n_routes, 2);
    const mw_route *r = &c->routes[0];
    assert_string_equal(r->input, "raw.identity");
    assert_string_equal(r->schema, "identity");
    assert_string_equal(r->schema_version, "2.1");
    assert_string_equal(r->output, "identity.v2");
    assert_string_equal(r->dead_letter, "identity.dlq");
    assert_string_equal(r->source, "urn:meshgate:example:identity");
    assert_string_equal(r->type, "example.identity.changed");
    assert_int_equal(r->mode, MW_CE_STRUCTURED);
    assert_int_equal(r->tombstones, MW_TOMB_DEAD_LETTER);
    r = &c->routes[1];
    assert_int_equal(r->tombstones, MW_TOMB_FORWARD);
    assert_string_equal(r->input, "raw.b");
    assert_string_equal(r->dead_letter, "b.dlq");
    assert_string_equal(r->source, "/b");
    assert_string_equal(r->type, "b.v1");
    assert_int_equal(r->mode, MW_CE_BINARY);
    assert_int_equal(c->n_kafka, 2);
    assert_string_equal(c->kafka[0].key, "bootstrap.servers");
    assert_string_equal(c->kafka[0].value, "k1:9092,k2:9092");
    assert_string_equal(c->kafka[1].key, "security.protocol");
    assert_string_equal(c->kafka[1].value, "plaintext");
    assert_int_equal(c->n_consumer, 1);
    assert_string_equal(c->consumer[0].key, "fetch.wait.max.ms");
    assert_string_equal(c->consumer[0].value, "100");
    assert_int_equal(c->n_producer, 2);
    assert_string_equal(c->producer[0].key, "compression.type");
    assert_string_equal(c->producer[1].value, "20");
}

static void test_defaults(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, MINIMAL), 0);
    const mw_config *c = &f->c;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    assert_int_equal(c->workers, CPU_COUNT(&set));
    char host[256] = "", id[300];
    assert_int_equal(gethostname(host, sizeof host), 0);
    snprintf(id, sizeof id, "%s-%ld", host, (long)getpid());
    assert_string_equal(c->worker_id, id);
    assert_string_equal(c->http_listen, "0.0.0.0:9464");
    assert_int_equal(c->max_message_bytes, 1048576);
    assert_int_equal(c->max_inflight_messages, 50000);
    assert_int_equal(c->max_inflight_bytes, 67108864);
    assert_int_equal(c->max_steps, 0); /* the validator's per-size default */
    assert_int_equal(c->max_depth, 256);
    assert_int_equal(c->max_refs, 512);
    mg_validator_conf vc = mw_config_validator_conf(c);
    assert_int_equal(vc.max_steps, 0);
    assert_int_equal(vc.max_errors, 1);
    vc = mw_config_validator_conf(NULL); /* no configuration: the validator's own defaults */
    assert_int_equal(vc.max_bytes, 0);
    assert_int_equal(vc.max_errors, 1);
    assert_int_equal(c->drain_timeout_ms, 20000);
    assert_int_equal(c->stats_interval_ms, 10000);
    assert_int_equal(c->retry_backoff_ms, 100);
    assert_int_equal(c->retry_backoff_max_ms, 10000);
    assert_int_equal(c->on_offset_reset, MW_RESET_CONTINUE);
    assert_int_equal(c->stuck_after_ms, 60000);
    assert_int_equal(c->log_format, MW_LOG_TEXT);
    assert_int_equal(c->log_level, MW_LOG_INFO);
    assert_int_equal(c->reload_watch, MW_WATCH_OFF);
    assert_int_equal(c->reload_debounce_ms, 500);
    assert_int_equal(mw_config_start_offset(c), RD_KAFKA_OFFSET_BEGINNING);
    assert_int_equal(c->n_routes, 1);
    assert_string_equal(c->routes[0].schema_version, "1");
    assert_string_equal(c->routes[0].type, "order.v1");
    assert_int_equal(c->routes[0].mode, MW_CE_BINARY);
    assert_int_equal(c->n_kafka + c->n_consumer + c->n_producer, 0);

    /* The type follows a given schema_version; workers: 0 is the default spelled out. */
    assert_int_equal(load(f, MINIMAL "    schema_version: 3\nworkers: 0\n"), 0);
    assert_string_equal(f->c.routes[0].type, "order.v3");
    assert_int_equal(f->c.workers, CPU_COUNT(&set));
}

/* routes[1] starts on line 9; each required key left out in turn. */
static void test_missing_route_keys(void **state)
{
    fixture *f = *state;
    static const char *const keys[] = {"input", "schema", "output", "dead_letter", "source"};
    static const char *const lines[] = {"    input: raw.payments\n", "    schema: payment\n",
                                        "    output: payments.v1\n",
                                        "    dead_letter: payments.dlq\n", "    source: /pay\n"};
    static const char *const needs[] = {
        "an input topic", "a schema, its name or $id in the schema set", "an output topic",
        "a dead-letter topic",
        "a source, the CloudEvents source URI-reference of the data product"};
    for (size_t skip = 0; skip < 5; skip++) {
        char text[2048] = MINIMAL "  - mode: binary\n";
        for (size_t k = 0; k < 5; k++)
            if (k != skip) strcat(text, lines[k]);
        assert_int_equal(load(f, text), 1);
        char want[512];
        snprintf(want, sizeof want, "routes[1].%s: missing; every route needs %s%s", keys[skip],
                 needs[skip], skip == 0 ? "" : " (input raw.payments)");
        assert_file_error(f, 9, want);
        assert_int_equal(f->c.n_routes, 0); /* released on failure */
        assert_null(f->c.routes);
    }
    /* An empty value is reported at its own line. */
    assert_int_equal(load(f, HEAD "routes:\n  - input: raw.orders\n    schema: order\n"
                                  "    output: \"\"\n    dead_letter: d\n    source: s\n"),
                     1);
    assert_file_error(
        f, 6, "routes[0].output: empty; every route needs an output topic (input raw.orders)");
}

static void test_missing_top_keys(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "workers: 2\n" ROUTE0), 2);
    assert_file_error(f, 1,
                      "schemas: missing; meshgate needs the compiled schema set, a .so built from "
                      "meshgate-codegen output");
    assert_file_error(f, 1, "group: missing; meshgate needs the consumer group id");
    assert_int_equal(load(f, HEAD), 1);
    assert_file_error(f, 1, "routes: missing; at least one route is required");
    assert_int_equal(load(f, HEAD "routes: []\n"), 1);
    assert_file_error(f, 3, "routes: empty; at least one route is required");
    assert_int_equal(load(f, HEAD "routes:\n  input: a\n"), 1);
    assert_file_error(f, 3, "routes: expected a list of routes, got a mapping");
    assert_int_equal(load(f, HEAD "routes:\n  - raw.orders\n"), 1);
    assert_file_error(
        f, 4, "routes[0]: expected a mapping with input, schema, output, dead_letter and source");
}

static void test_unknown_keys(void **state)
{
    fixture *f = *state;
    int n = load(f, MINIMAL "    colour: red\n" /* 9 */
                            "limits:\n"         /* 10 */
                            "  max_inflight_bytez: 1\n"
                            "http:\n"
                            "  port: 80\n" /* 13 */
                            "retry:\n"
                            "  backof_ms: 1\n" /* 15 */
                            "wokers: 2\n");    /* 16 */
    assert_int_equal(n, 5);
    assert_file_error(f, 9,
                      "routes[0].colour: unknown key; expected one of input, schema, "
                      "schema_version, output, dead_letter, source, type, mode, attributes, "
                      "tombstones, dead_letter_headers, dead_letter_errors, ingest, ingest_path, "
                      "auth, tokens_sha256, token_file, client_cns, schema_id, discriminator, "
                      "variants");
    assert_file_error(f, 11,
                      "limits.max_inflight_bytez: unknown key; expected one of max_message_bytes, "
                      "max_inflight_messages, max_inflight_bytes, max_steps, max_depth, max_refs");
    assert_file_error(f, 13,
                      "http.port: unknown key; expected one of listen, max_connections, "
                      "max_connections_per_ip, request_timeout_ms, max_request_bytes, "
                      "max_inflight_requests, max_inflight_bytes, tls_cert, tls_key, "
                      "tls_client_ca, idempotency_window_ms, idempotency_max_keys, "
                      "idempotency_max_bytes");
    assert_file_error(f, 15,
                      "retry.backof_ms: unknown key; expected one of backoff_ms, backoff_max_ms");
    assert_file_error(
        f, 16,
        "wokers: unknown key; expected one of schemas, group, worker_id, workers, http, catalog, "
        "limits, "
        "drain_timeout_ms, stats_interval_ms, retry, on_offset_reset, health, log, reload, routes, "
        "kafka, consumer, producer");

    assert_int_equal(load(f, MINIMAL "limits: 5\nkafka: [a]\nconsumer:\n  fetch.min.bytes: [1]\n"),
                     3);
    assert_file_error(f, 9,
                      "limits: expected a mapping with max_message_bytes, max_inflight_messages, "
                      "max_inflight_bytes, max_steps, max_depth, max_refs");
    assert_file_error(f, 10, "kafka: expected a mapping of librdkafka properties");
    assert_file_error(f, 12, "consumer.fetch.min.bytes: expected a scalar value, got a list");
}

/* One bad value each, on line 9 after the minimal configuration. */
static void test_bad_values(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *yaml, *error;
    } cases[] = {
        {"workers: many", "workers: expected an integer 0..1024, got \"many\""},
        {"workers: -1", "workers: expected an integer 0..1024, got \"-1\""},
        {"workers: 1.5", "workers: expected an integer 0..1024, got \"1.5\""},
        {"workers: 1025", "workers: expected an integer 0..1024, got \"1025\""},
        {"workers: 0x10", "workers: expected an integer 0..1024, got \"0x10\""},
        {"workers: 99999999999999999999999",
         "workers: expected an integer 0..1024, got \"99999999999999999999999\""},
        {"workers: [1]", "workers: expected an integer 0..1024, got a list"},
        {"drain_timeout_ms: 99", "drain_timeout_ms: expected an integer 100..3600000, got \"99\""},
        {"stats_interval_ms: 50",
         "stats_interval_ms: expected 0 (off) or an integer 100..86400000, got \"50\""},
        {"retry: {backoff_ms: 0}", "retry.backoff_ms: expected an integer 1..60000, got \"0\""},
        {"limits: {max_inflight_messages: 10000001}",
         "limits.max_inflight_messages: expected an integer 1..10000000, got \"10000001\""},
        {"limits: {max_steps: 99}",
         "limits.max_steps: expected an integer 100..4000000000, got \"99\""},
        {"limits: {max_depth: 0}", "limits.max_depth: expected an integer 1..65536, got \"0\""},
        {"limits: {max_refs: 1048577}",
         "limits.max_refs: expected an integer 1..1048576, got \"1048577\""},
        {"limits: {max_message_bytes: 64MB}",
         "limits.max_message_bytes: expected a byte size 1..268435456 (an integer, or one with "
         "KiB, MiB or GiB: 64MiB), got \"64MB\""},
        {"limits: {max_message_bytes: 512MiB}",
         "limits.max_message_bytes: expected a byte size 1..268435456 (an integer, or one with "
         "KiB, MiB or GiB: 64MiB), got \"512MiB\""},
        {"limits: {max_message_bytes: 1.5MiB}",
         "limits.max_message_bytes: expected a byte size 1..268435456 (an integer, or one with "
         "KiB, MiB or GiB: 64MiB), got \"1.5MiB\""},
        {"limits: {max_message_bytes: -1KiB}",
         "limits.max_message_bytes: expected a byte size 1..268435456 (an integer, or one with "
         "KiB, MiB or GiB: 64MiB), got \"-1KiB\""},
        {"limits: {max_inflight_bytes: 99999999999GiB}",
         "limits.max_inflight_bytes: expected a byte size 1..1099511627776 (an integer, or one "
         "with KiB, MiB or GiB: 64MiB), got \"99999999999GiB\""},
        {"limits: {max_message_bytes: 2MiB, max_inflight_bytes: 1MiB}",
         "limits.max_inflight_bytes: limits.max_inflight_bytes (1048576) must be at least "
         "limits.max_message_bytes (2097152)"},
        {"retry: {backoff_ms: 500, backoff_max_ms: 499}",
         "retry.backoff_max_ms: retry.backoff_max_ms (499) must be at least retry.backoff_ms "
         "(500)"},
        {"http: {listen: \"9464\"}",
         "http.listen: expected HOST:PORT (0.0.0.0:9464), or \"\" for no HTTP server, got "
         "\"9464\""},
        {"http: {listen: \"h:70000\"}",
         "http.listen: expected HOST:PORT (0.0.0.0:9464), or \"\" for no HTTP server, got "
         "\"h:70000\""},
        {"worker_id: \"\"", "worker_id: expected a non-empty string, got \"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, MINIMAL "%s\n", cases[i].yaml);
        int n = load(f, text);
        if (n != 1) fail_msg("%s: %d problems:\n%s", cases[i].yaml, n, f->err);
        assert_file_error(f, 9, cases[i].error);
    }
    /* The default max_inflight_bytes (64 MiB) is blamed on the key that was set. */
    assert_int_equal(load(f, MINIMAL "limits: {max_message_bytes: 128MiB}\n"), 1);
    assert_file_error(f, 9,
                      "limits.max_message_bytes: limits.max_inflight_bytes (67108864) must be at "
                      "least limits.max_message_bytes (134217728)");
    /* Route values. */
    assert_int_equal(load(f, MINIMAL "    mode: fancy\n"), 1);
    assert_file_error(f, 9,
                      "routes[0].mode: expected binary, structured or passthrough, got \"fancy\"");
    assert_int_equal(load(f, MINIMAL "on_offset_reset: skip\n"), 1);
    assert_file_error(f, 9, "on_offset_reset: expected continue or stop, got \"skip\"");
    assert_int_equal(load(f, MINIMAL "log: {format: xml, level: loud}\n"), 2);
    assert_file_error(f, 9, "log.format: expected text or json, got \"xml\"");
    assert_file_error(f, 9, "log.level: expected error, warn, info or debug, got \"loud\"");
    assert_int_equal(load(f, MINIMAL "reload: {watch: always, debounce_ms: 5}\n"), 2);
    assert_file_error(f, 9, "reload.watch: expected off or on, got \"always\"");
    assert_file_error(f, 9, "reload.debounce_ms: expected an integer 10..600000, got \"5\"");
    assert_int_equal(load(f, MINIMAL "reload: {watch: on, debounce_ms: 250}\n"), 0);
    assert_int_equal(f->c.reload_watch, MW_WATCH_ON);
    assert_int_equal(f->c.reload_debounce_ms, 250);
    assert_int_equal(load(f, MINIMAL "consumer: {auto.offset.reset: error}\n"), 0);
    assert_int_equal(mw_config_start_offset(&f->c), RD_KAFKA_OFFSET_INVALID);
    assert_int_equal(load(f, MINIMAL "    tombstones: drop\n"), 1);
    assert_file_error(f, 9, "routes[0].tombstones: expected forward or dead_letter, got \"drop\"");
    assert_int_equal(load(f, MINIMAL "    dead_letter_headers: kafka\n"), 1);
    assert_file_error(f, 9,
                      "routes[0].dead_letter_headers: expected meshgate, connect, streams or all, "
                      "got \"kafka\"");
    assert_int_equal(load(f, MINIMAL "    dead_letter_errors: 65\n"), 1);
    assert_file_error(f, 9,
                      "routes[0].dead_letter_errors: expected 0 (off) or an integer 1..64, got "
                      "\"65\"");
    assert_int_equal(load(f, HEAD "routes:\n  - input: \"^raw.*\"\n    schema: s\n    output: o\n  "
                                  "  dead_letter: d\n    source: s\n"),
                     1);
    assert_file_error(f, 4,
                      "routes[0].input: expected a Kafka topic name (1..249 of a-z A-Z 0-9 . _ -), "
                      "got \"^raw.*\"");
}

static void test_good_values(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, MINIMAL
                          "limits:\n  max_message_bytes: 268435456\n  max_inflight_bytes: 256MiB\n"
                          "workers: 1024\nstats_interval_ms: 100\nretry: {backoff_max_ms: 100}\n"),
                     0);
    assert_int_equal(f->c.max_message_bytes, 268435456);
    assert_int_equal(f->c.max_inflight_bytes, 268435456);
    assert_int_equal(f->c.workers, 1024);
    assert_int_equal(f->c.stats_interval_ms, 100);
    assert_int_equal(f->c.retry_backoff_max_ms, 100);
    assert_int_equal(
        load(f, MINIMAL "limits: {max_message_bytes: 64KiB, max_inflight_bytes: 0064 MiB}\n"), 0);
    assert_int_equal(f->c.max_message_bytes, 65536);
    assert_int_equal(f->c.max_inflight_bytes, 64u << 20);
    assert_int_equal(f->c.routes[0].dl_headers, MW_DLF_MESHGATE); /* the defaults */
    assert_int_equal(f->c.routes[0].dl_errors, 0);
    assert_int_equal(load(f, MINIMAL "    dead_letter_headers: all\n    dead_letter_errors: 8\n"),
                     0);
    assert_int_equal(f->c.routes[0].dl_headers, MW_DLF_ALL);
    assert_int_equal(f->c.routes[0].dl_errors, 8);
    assert_int_equal(load(f, MINIMAL "    dead_letter_headers: streams\n"), 0);
    assert_int_equal(f->c.routes[0].dl_headers, MW_DLF_STREAMS);
}

static void test_route_conflicts(void **state)
{
    fixture *f = *state;
    int n = load(f, MINIMAL "  - input: raw.orders\n" /* 9 */
                            "    schema: order\n"
                            "    output: orders.v2\n"
                            "    dead_letter: orders.v2\n" /* 12 */
                            "    source: /o\n"
                            "  - input: raw.x\n"
                            "    schema: x\n"
                            "    output: raw.x\n"      /* 16 */
                            "    dead_letter: raw.x\n" /* 17 */
                            "    source: /x\n");
    assert_int_equal(n, 4);
    assert_file_error(f, 9,
                      "routes[1].input: duplicate input topic raw.orders (also routes[0].input); "
                      "one route per input");
    assert_file_error(f, 12,
                      "routes[1].dead_letter: orders.v2 is also the route's output; the "
                      "dead-letter topic must differ from both");
    assert_file_error(f, 16,
                      "routes[2].output: raw.x is also the route's input; the output must differ");
    assert_file_error(f, 17,
                      "routes[2].dead_letter: raw.x is also the route's input; the dead-letter "
                      "topic must differ from both");
}

/* Many problems at once: all reported, counted, in file order, the environment's last. */
static void test_many_problems(void **state)
{
    fixture *f = *state;
    char *env[] = {"MESHGATE_NOPE=1", NULL};
    int n = load_env(f,
                     "group: g\n"
                     "workers: lots\n"
                     "routes:\n"
                     "  - input: a\n"
                     "    schema: s\n"
                     "    output: a\n"
                     "    source: /s\n"
                     "    mode: x\n"
                     "kafka:\n"
                     "  group.id: mine\n"
                     "limits: {max_message_bytes: 0}\n",
                     env);
    assert_int_equal(n, 8);
    const char *want[] = {"schemas: missing",
                          "workers: expected",
                          "routes[0].dead_letter: missing",
                          "routes[0].output: a is also",
                          "routes[0].mode: expected",
                          "kafka.group.id: managed by meshgate (set group: instead)",
                          "limits.max_message_bytes: expected",
                          "MESHGATE_NOPE: unknown variable"};
    const char *at = f->err;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *hit = strstr(at, want[i]);
        if (!hit) fail_msg("not found in order: %s\nerrstr:\n%s", want[i], f->err);
        at = hit;
    }
    size_t lines = 0;
    for (const char *p = f->err; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 8);
}

static void test_truncation(void **state)
{
    fixture *f = *state;
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs("workers: x\ndrain_timeout_ms: y\nstats_interval_ms: z\n", fp);
    fclose(fp);
    char small[64];
    memset(small, 'Q', sizeof small);
    /* schemas, group, routes missing; three bad values. */
    assert_int_equal(mw_config_load(&f->c, f->path, NULL, NULL, small, sizeof small), 6);
    assert_true(memchr(small, 0, sizeof small) != NULL);
    size_t len = strlen(small);
    assert_true(len >= 4 && len < sizeof small);
    assert_string_equal(small + len - 4, "...\n");
    assert_memory_equal(small, f->path, 5);
    char tiny[3] = "ab";
    assert_int_equal(mw_config_load(&f->c, f->path, NULL, NULL, tiny, sizeof tiny), 6);
    assert_string_equal(tiny, "");
    assert_int_equal(mw_config_load(&f->c, f->path, NULL, NULL, NULL, 0), 6);
}

static void test_file_errors(void **state)
{
    fixture *f = *state;
    assert_int_equal(mw_config_load(&f->c, f->path, NULL, NULL, f->err, sizeof f->err), 1);
    assert_file_error(f, 0, "cannot read the configuration: No such file or directory");

    assert_int_equal(load(f, "schemas: a\nroutes: [\n"), 1);
    assert_file_error(f, 3, "not valid YAML: flow sequence without a closing bracket (column 1)");
    assert_int_equal(load(f, "schemas: a\nschemas: b\n"), 1);
    assert_file_error(f, 2, "not valid YAML: duplicate key (column 1)");
    assert_int_equal(load(f, ""), 1);
    assert_file_error(
        f, 0, "empty or not YAML; expected a mapping of keys (schemas, group, routes, ...)");
    assert_int_equal(load(f, "- schemas\n- group\n"), 1);
    assert_file_error(f, 1,
                      "expected a mapping of keys at the top level (schemas, group, routes, ...)");
    assert_int_equal(load(f, MINIMAL "---\nworkers: 2\n"), 1);
    assert_file_error(f, 10, "a second YAML document; the configuration is one document");
}

static void test_env_overrides(void **state)
{
    fixture *f = *state;
    char *env[] = {"HOME=/root",
                   "MESHGATE_CONFIG=/elsewhere.yaml",
                   "MESHGATE_WORKERS=7",
                   "MESHGATE_LIMITS_MAX_INFLIGHT_MESSAGES=123",
                   "MESHGATE_LIMITS_MAX_MESSAGE_BYTES=2MiB",
                   "MESHGATE_HTTP_LISTEN=",
                   "MESHGATE_ROUTES_0_OUTPUT=orders.v9",
                   "MESHGATE_ROUTES_0_MODE=structured",
                   "MESHGATE_KAFKA_BOOTSTRAP_SERVERS=broker:29092",
                   "MESHGATE_KAFKA_SASL_PASSWORD=s3cret",
                   "MESHGATE_CONSUMER_FETCH_WAIT_MAX_MS=10",
                   "MESHGATE_PRODUCER_LINGER_MS=1",
                   NULL};
    int n = load_env(f, MINIMAL "workers: bogus\nkafka:\n  bootstrap.servers: file:9092\n", env);
    if (n) fail_msg("%s", f->err);
    const mw_config *c = &f->c;
    assert_int_equal(c->workers, 7); /* the variable wins; the bad file value is not an error */
    assert_int_equal(c->max_inflight_messages, 123);
    assert_int_equal(c->max_message_bytes, 2u << 20);
    assert_string_equal(c->http_listen, "");
    assert_string_equal(c->routes[0].output, "orders.v9");
    assert_string_equal(c->routes[0].input, "raw.orders");
    assert_int_equal(c->routes[0].mode, MW_CE_STRUCTURED);
    assert_int_equal(c->n_kafka, 2);
    assert_string_equal(c->kafka[0].key, "bootstrap.servers");
    assert_string_equal(c->kafka[0].value, "broker:29092");
    assert_string_equal(c->kafka[1].key, "sasl.password");
    assert_string_equal(c->kafka[1].value, "s3cret");
    assert_int_equal(c->n_consumer, 1);
    assert_string_equal(c->consumer[0].key, "fetch.wait.max.ms");
    assert_string_equal(c->consumer[0].value, "10");
    assert_int_equal(c->n_producer, 1);
    assert_string_equal(c->producer[0].key, "linger.ms");

    /* A required key can come from the environment alone. */
    char *env2[] = {"MESHGATE_SCHEMAS=/x.so", NULL};
    assert_int_equal(load_env(f, "group: g\n" ROUTE0, env2), 0);
    assert_string_equal(f->c.schemas, "/x.so");
}

static void test_env_errors(void **state)
{
    fixture *f = *state;
    char *env[] = {"MESHGATE_WORKERS=x",
                   "MESHGATE_WORKRES=4",
                   "MESHGATE_ROUTES_1_OUTPUT=o",
                   "MESHGATE_ROUTES_0_DEAD_LETTER=raw.orders",
                   "MESHGATE_KAFKA_=1",
                   "MESHGATE_KAFKA_NO_SUCH_THING=1",
                   "MESHGATE_PRODUCER_TRANSACTIONAL_ID=t",
                   "MESHGATE_LIMITS_MAX_INFLIGHT_BYTES=1KiB",
                   NULL};
    int n = load_env(f, MINIMAL, env);
    assert_int_equal(n, 8);
    assert_error_line(f, "MESHGATE_WORKERS: expected an integer 0..1024, got \"x\"");
    assert_error_line(f, "MESHGATE_WORKRES: unknown variable; no configuration key has this name "
                         "(docs/configuration.md)");
    assert_error_line(f, "MESHGATE_ROUTES_1_OUTPUT: unknown variable; route variables only "
                         "override routes present in the file (1 there)");
    assert_error_line(f, "MESHGATE_ROUTES_0_DEAD_LETTER: raw.orders is also the route's input; the "
                         "dead-letter topic must differ from both");
    assert_error_line(f, "MESHGATE_KAFKA_: unknown variable; no configuration key has this name "
                         "(docs/configuration.md)");
    assert_error_line(f, "MESHGATE_KAFKA_NO_SUCH_THING: kafka.no.such.thing: No such configuration "
                         "property: \"no.such.thing\"");
    assert_error_line(f, "MESHGATE_PRODUCER_TRANSACTIONAL_ID: producer.transactional.id: managed "
                         "by meshgate (not supported)");
    assert_error_line(f, "MESHGATE_LIMITS_MAX_INFLIGHT_BYTES: limits.max_inflight_bytes (1024) "
                         "must be at least limits.max_message_bytes (1048576)");
}

/* Fake schema set and catalog for the checks: the set "set.so" has order and payment. */
static bool fake_open_schemas(void *arg, const char *path, char *why, size_t cap)
{
    (void)arg;
    if (strcmp(path, "set.so") == 0) return true;
    snprintf(why, cap, "cannot load schema set %s: no such file", path);
    return false;
}

static bool fake_has_schema(void *arg, const char *name, char *have, size_t cap)
{
    (void)arg;
    snprintf(have, cap, "order, payment");
    return strcmp(name, "order") == 0 || strcmp(name, "payment") == 0;
}

static bool fake_open_catalog(void *arg, const char *dir, char *why, size_t cap)
{
    (void)arg;
    snprintf(why, cap, "catalog: %s/catalog.json: No such file or directory", dir);
    return false;
}

static const mw_config_checks all_checks = {
    true, true, NULL, fake_open_schemas, fake_has_schema, fake_open_catalog};

static int load_checked(fixture *f, const char *text)
{
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    mw_config_free(&f->c);
    return mw_config_load(&f->c, f->path, NULL, &all_checks, f->err, sizeof f->err);
}

/* Asserts that the problems are exactly these lines, in this order. */
static void assert_problems(const fixture *f, const char *const *lines, size_t n)
{
    const char *at = f->err;
    for (size_t i = 0; i < n; i++) {
        char want[1024];
        snprintf(want, sizeof want, "%s:%s\n", f->path, lines[i]);
        if (strncmp(at, want, strlen(want)) != 0)
            fail_msg("problem %zu: want\n%sgot\n%s", i + 1, want, f->err);
        at += strlen(want);
    }
    if (*at) fail_msg("more problems than expected:\n%s", at);
}

/* What run refuses, --check finds: all at once, in file order, each with its line. */
static void test_checks_beyond_the_file(void **state)
{
    fixture *f = *state;
    int n = load_checked(f, "schemas: set.so\ngroup: g\n" ROUTE0 /* lines 1-8 */
                            "  - input: raw.pay\n"
                            "    schema: payments\n" /* 10 */
                            "    output: pay.v1\n"
                            "    dead_letter: pay.dlq\n"
                            "    source: ${PAY_SOURCE}\n" /* 13 */
                            "kafka:\n"
                            "  bootstrap.servers: \"\"\n" /* 15 */
                            "producer:\n"
                            "  acks: 1\n"); /* 17 */
    const char *want[] = {
        "10: routes[1].schema: no schema named \"payments\" in set.so; it has: order, payment",
        "13: routes[1].source: \"${PAY_SOURCE}\" looks like a variable nobody expanded; "
        "meshgate does not expand ${...} in the file: set MESHGATE_ROUTES_1_SOURCE instead, or "
        "expand the file before (envsubst)",
        "15: kafka.bootstrap.servers: empty; meshgate needs the Kafka brokers to connect to "
        "(HOST:PORT,...)",
        "17: producer.acks: librdkafka refuses the producer: `acks` must be set to `all` when "
        "`enable.idempotence` is true"};
    assert_problems(f, want, 4);
    assert_int_equal(n, 4);

    /* No brokers at all, a schema set that cannot be opened, a catalog that is missing. */
    n = load_checked(f, HEAD "catalog: cat\n" ROUTE0 "consumer:\n  max.poll.interval.ms: 1\n"
                             "  session.timeout.ms: 45000\n");
    const char *want2[] = {
        "1: kafka.bootstrap.servers: missing; meshgate needs the Kafka brokers to connect to "
        "(HOST:PORT,...), in kafka: for both clients or MESHGATE_KAFKA_BOOTSTRAP_SERVERS",
        "1: schemas: cannot load schema set build/s.so: no such file",
        "3: catalog: catalog: cat/catalog.json: No such file or directory",
        "11: consumer.max.poll.interval.ms: librdkafka refuses the consumer: "
        "`max.poll.interval.ms`must be >= `session.timeout.ms`"};
    if (n != 4) fail_msg("%d problems:\n%s", n, f->err);
    assert_problems(f, want2, 4);

    /* What both clients refuse for one kafka: property is one problem, at its line. */
    n = load_checked(f, "schemas: set.so\ngroup: g\n" ROUTE0
                        "kafka:\n  bootstrap.servers: b:9093\n  security.protocol: ssl\n"
                        "  ssl.ca.location: /nonexistent/ca.crt\n");
    if (n != 1) fail_msg("%d problems:\n%s", n, f->err);
    char want3[512]; /* OpenSSL's own words follow; they differ between its versions */
    snprintf(want3, sizeof want3,
             "%s:12: kafka.ssl.ca.location: librdkafka refuses the consumer and the producer: "
             "ssl.ca.location failed: ",
             f->path);
    if (strncmp(f->err, want3, strlen(want3)) != 0) fail_msg("want %s...\ngot %s", want3, f->err);
}

static void test_route_cycles(void **state)
{
    fixture *f = *state;
    int n = load(f, HEAD "routes:\n"
                         "  - {input: a, schema: s, output: b, dead_letter: a.dlq, source: /a}\n"
                         "  - {input: b, schema: s, output: a, dead_letter: b.dlq, source: /b}\n"
                         "  - {input: c, schema: s, output: c.out, dead_letter: d, source: /c}\n"
                         "  - {input: d, schema: s, output: e, dead_letter: d.dlq, source: /d}\n"
                         "  - {input: e, schema: s, output: c, dead_letter: e.dlq, source: /e}\n"
                         "  - {input: f, schema: s, output: a, dead_letter: f.dlq, source: /f}\n");
    if (n != 2) fail_msg("%d problems:\n%s", n, f->err);
    assert_file_error(f, 5,
                      "routes[1].output: a leads back to this route: a cycle routes[0] -> "
                      "routes[1] -> routes[0], so every message would be produced again and "
                      "again; no output or dead-letter topic may lead back to its route");
    assert_file_error(f, 8,
                      "routes[4].output: c leads back to this route: a cycle routes[2] -> "
                      "routes[3] -> routes[4] -> routes[2], so every message would be produced "
                      "again and again; no output or dead-letter topic may lead back to its route");
    /* A chain is no cycle. */
    assert_int_equal(
        load(f, HEAD "routes:\n"
                     "  - {input: a, schema: s, output: b, dead_letter: x.dlq, source: /a}\n"
                     "  - {input: b, schema: s, output: c, dead_letter: x.dlq2, source: /b}\n"),
        0);
}

/* The shipped example loads, and the demo's overrides apply to it. */
static void test_example(void **state)
{
    fixture *f = *state;
    char *env[] = {"MESHGATE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:39092", NULL};
    mw_config c;
    int n = mw_config_load(&c, "examples/identity/meshgate.yaml", env, NULL, f->err, sizeof f->err);
    if (n == 1 && strstr(f->err, "cannot read")) skip(); /* not run from the repository root */
    if (n) fail_msg("%s", f->err);
    assert_string_equal(c.schemas, "build/demo/identity.so");
    assert_string_equal(c.group, "meshgate-demo");
    assert_int_equal(c.n_routes, 1);
    assert_string_equal(c.routes[0].input, "raw.identity");
    assert_string_equal(c.routes[0].schema, "identity");
    assert_string_equal(c.routes[0].output, "identity.v1");
    assert_string_equal(c.routes[0].dead_letter, "identity.dlq");
    assert_string_equal(c.routes[0].source, "urn:meshgate:example:identity");
    assert_int_equal(c.n_kafka, 1);
    assert_string_equal(c.kafka[0].value, "127.0.0.1:39092");
    mw_config_free(&c);
}

/* HTTP ingest: defaults, the path, and the rules on credentials and TLS, each naming its key. */
static void test_ingest_rules(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, MINIMAL), 0);
    assert_int_equal(f->c.routes[0].ingest, MW_INGEST_OFF);
    assert_int_equal(f->c.http_max_request_bytes, 4194304);
    assert_int_equal(f->c.idempotency_max_keys, 100000);
    char buf[300];
    assert_string_equal(mw_config_ingest_path(&f->c.routes[0], buf, sizeof buf),
                        "/ingest/raw.orders");

    assert_int_equal(load(f, MINIMAL "    ingest: on\n"), 1); /* 9 */
    assert_file_error(f, 9,
                      "routes[0].auth: the route takes HTTP POSTs (ingest: on) but has no "
                      "credentials: set tokens_sha256, token_file or client_cns, or auth: none to "
                      "let anyone write");
    assert_int_equal(load(f, MINIMAL "    ingest: on\n    auth: none\n"), 0);
    assert_int_equal(f->c.routes[0].auth, MW_AUTH_NONE);

    char sha[65];
    memset(sha, 'a', 64);
    sha[64] = 0;
    char text[2048];
    snprintf(text, sizeof text,
             MINIMAL "    ingest: on\n"
                     "    ingest_path: /metrics\n"   /* 10 */
                     "    tokens_sha256: %s, 12ab\n" /* 11 */
                     "    token_file: %s/none\n"     /* 12 */
                     "    client_cns: producer-a\n"  /* 13 */
                     "http:\n"
                     "  tls_key: %s/key.pem\n", /* 15 */
             sha, f->dir, f->dir);
    assert_int_equal(load(f, text), 6);
    assert_file_error(f, 10,
                      "routes[0].ingest_path: /metrics is served by the worker itself; choose "
                      "another path");
    assert_file_error(f, 11,
                      "routes[0].tokens_sha256: item 2 is not a SHA-256 in hex (64 of 0-9a-f; "
                      "sha256sum of the token)");
    char want[600];
    snprintf(want, sizeof want, "routes[0].token_file: %s/none: No such file or directory", f->dir);
    assert_file_error(f, 12, want);
    assert_file_error(f, 13,
                      "routes[0].client_cns: client certificates are only asked for with "
                      "http.tls_client_ca; set it");
    assert_file_error(f, 15,
                      "http.tls_key: TLS needs both http.tls_cert and http.tls_key; http.tls_cert "
                      "is not set");
    snprintf(want, sizeof want, "http.tls_key: %s/key.pem: No such file or directory", f->dir);
    assert_file_error(f, 15, want);
}

/* routes[i].schema_id: its values. */
static void test_schema_id(void **state)
{
    fixture *f = *state;
    static const char *const modes[] = {"none", "confluent", "apicurio", "auto"};
    for (int m = 0; m < 4; m++) {
        char text[512];
        snprintf(text, sizeof text, HEAD ROUTE0 "    schema_id: %s\n", modes[m]);
        assert_int_equal(load(f, text), 0);
        assert_int_equal(f->c.routes[0].schema_id, m);
    }
    assert_int_equal(load(f, MINIMAL), 0);
    assert_int_equal(f->c.routes[0].schema_id, MW_WIRE_NONE);
    assert_int_equal(load(f, HEAD ROUTE0 "    schema_id: glue\n"), 1);
    assert_file_error(f, 9,
                      "routes[0].schema_id: expected none, confluent, apicurio or auto, got "
                      "\"glue\"");
}

/* routes[i].discriminator and routes[i].variants (the messages of a multi-message channel). */
static void test_variants(void **state)
{
    fixture *f = *state;
    int n = load(f, MINIMAL "    discriminator: property:kind\n"
                            "    variants:\n"
                            "      - values: [placed, created]\n"
                            "        schema: order.Placed\n"
                            "        type: shop.Placed.v1\n"
                            "      - values: cancelled\n"
                            "        schema: order.Cancelled\n"
                            "        type: shop.Cancelled.v1\n");
    assert_int_equal(n, 0);
    const mw_route *r = &f->c.routes[0];
    assert_string_equal(r->discriminator, "property:kind");
    assert_int_equal(r->n_variants, 2);
    assert_int_equal(r->variants[0].n_values, 2);
    assert_string_equal(r->variants[0].values[1], "created");
    assert_string_equal(r->variants[1].values[0], "cancelled");
    assert_string_equal(r->variants[1].schema, "order.Cancelled");
    assert_string_equal(r->variants[1].type, "shop.Cancelled.v1");
    assert_null(r->variants[1].s); /* found in a set only when bound */

    n = load(f, MINIMAL "    discriminator: kind\n"    /* 9 */
                        "    variants:\n"              /* 10 */
                        "      - values: [a, b]\n"     /* 11 */
                        "        schema: order.A\n"    /* 12 */
                        "        colour: red\n"        /* 13 */
                        "      - values: [b]\n"        /* 14 */
                        "        schema: order.B\n"    /* 15 */
                        "        type: shop.B.v1\n"    /* 16 */
                        "      - schema: order.C\n"    /* 17 */
                        "        type: shop.C.v1\n"    /* 18 */
                        "        values: [{x: 1}]\n"   /* 19 */
                        "    schema_id: confluent\n"); /* 20 */
    assert_int_equal(n, 8);
    assert_file_error(f, 9,
                      "routes[0].discriminator: expected property:NAME (a top-level string "
                      "property of the message) or header:NAME (a Kafka header)");
    assert_file_error(f, 13,
                      "routes[0].variants[0].colour: unknown key; expected one of values, schema, "
                      "type");
    assert_file_error(f, 11,
                      "routes[0].variants[0]: missing type; every variant needs its "
                      "CloudEvents type");
    assert_file_error(f, 14,
                      "routes[0].variants[1].values: value \"b\" also selects variants[0]; "
                      "each value selects one message");
    assert_file_error(f, 19,
                      "routes[0].variants[2].values: expected a non-empty string or a list "
                      "of them");
    assert_file_error(f, 17,
                      "routes[0].variants[2]: missing values; every variant needs the "
                      "values that select it");
    assert_file_error(f, 4,
                      "routes[0].variants: need a discriminator (property:NAME or "
                      "header:NAME)");
    assert_file_error(f, 4,
                      "routes[0].variants: cannot go with schema_id: a registry schema id "
                      "already names the schema");

    n = load(f, MINIMAL "    discriminator: header:event-kind\n");
    assert_int_equal(n, 1);
    assert_file_error(f, 9,
                      "routes[0].discriminator: has no variants: list the messages it "
                      "selects");
    n = load(f, MINIMAL "    variants: []\n");
    assert_int_equal(n, 1);
    assert_file_error(f, 9,
                      "routes[0].variants: expected a non-empty list of {values, schema, "
                      "type}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_route_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_top_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checks_beyond_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ingest_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variants, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
