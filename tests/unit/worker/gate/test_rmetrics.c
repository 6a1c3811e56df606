/* test_rmetrics.c - unit tests for worker/gate/mw_rmetrics.c: counts per route summed over the
 * worker threads, rejects by reason and by keyword location (the first MW_KW_SLOTS locations,
 * then other; slots that hold the same text merged), examples (bounded, escaped texts, at most
 * one update a second, consistent under concurrent writers), rates from samples, and the
 * Prometheus families with escaped labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>

#include "mg_escape.h"
#include "mw_rmetrics.h"

static const mw_route_desc two[] = {
    {"raw.orders", "orders", "3", "orders", "orders.dlq", "binary"},
    {"raw \"x\"\\y\nz", "weird", "1", "out", "dlq", "passthrough"},
};

static const char *find_line(const char *t, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = t; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ') return p;
    return NULL;
}

static double value(const char *t, const char *series)
{
    const char *p = find_line(t, series);
    if (!p) fail_msg("series %s missing", series);
    return strtod(p + strlen(series) + 1, NULL);
}

static char *render(mw_rmetrics *rm)
{
    mw_text t = {0};
    mw_rmetrics_render(rm, &t);
    char *buf;
    assert_true(mw_text_take(&t, &buf) > 0);
    return buf;
}

#define L0 "topic=\"raw.orders\",schema=\"orders\",schema_version=\"3\""
#define L1 "topic=\"raw \\\"x\\\"\\\\y\\nz\",schema=\"weird\",schema_version=\"1\""

static void test_counts(void **state)
{
    (void)state;
    mw_rmetrics *rm = mw_rmetrics_new(two, 2, 3);
    assert_non_null(rm);
    assert_int_equal(mw_rmetrics_count(rm), 2);
    assert_string_equal(mw_rmetrics_route(rm, 1)->mode, "passthrough");
    for (uint32_t w = 0; w < 3; w++) {
        mw_rstats *a = mw_rmetrics_stats(rm, w, 0), *b = mw_rmetrics_stats(rm, w, 1);
        /* each thread's blocks are its own cache lines */
        assert_int_equal((uintptr_t)a % 64, 0);
        a->consumed = 10 + w;
        a->valid = 8;
        a->tombstones = w;
        a->bytes_in = 1000;
        b->consumed = 1;
        b->valid = 1;
        mw_lehist_record(&a->validate, 3);
    }
    mw_rstats *s0 = mw_rmetrics_stats(rm, 0, 0);
    mw_rmetrics_reject(rm, s0, 0, MW_RJ_SYNTAX, "", "", "unexpected end", 2, 77, 5000000);
    mw_rmetrics_e2e(rm, 0, 1500);
    mw_route_snap s;
    mw_rmetrics_snap(rm, 0, &s);
    assert_int_equal(s.consumed, 33);
    assert_int_equal(s.valid, 24);
    assert_int_equal(s.tombstones, 3);
    assert_int_equal(s.bytes_in, 3000);
    assert_int_equal(s.rejected[MW_RJ_SYNTAX], 1);
    assert_int_equal(s.rejected_all, 1);
    assert_int_equal(s.last_reject_us, 5000000);
    assert_int_equal(s.validate.le[MW_NBUCKETS], 3);
    assert_int_equal(s.e2e.le[MW_NBUCKETS], 1);
    assert_true(s.rate_window_s == 0); /* no samples yet */

    char *t = render(rm);
    assert_int_equal(value(t, "meshgate_route_messages_consumed_total{" L0 "}"), 33);
    assert_int_equal(value(t, "meshgate_route_messages_consumed_total{" L1 "}"), 3);
    assert_int_equal(value(t, "meshgate_route_messages_valid_total{" L0 "}"), 24);
    assert_int_equal(value(t, "meshgate_route_tombstones_forwarded_total{" L0 "}"), 3);
    assert_int_equal(value(t, "meshgate_route_bytes_consumed_total{" L0 "}"), 3000);
    assert_int_equal(value(t, "meshgate_route_messages_rejected_total{" L0 ",reason=\"syntax\"}"),
                     1);
    assert_int_equal(value(t, "meshgate_route_messages_rejected_total{" L1 ",reason=\"schema\"}"),
                     0);
    assert_true(value(t, "meshgate_route_last_reject_timestamp_seconds{" L0 "}") == 5);
    assert_null(find_line(t, "meshgate_route_last_reject_timestamp_seconds{" L1 "}"));
    assert_int_equal(
        value(t, "meshgate_route_validation_latency_seconds_bucket{" L0 ",le=\"0.000005\"}"), 3);
    assert_int_equal(
        value(t, "meshgate_route_validation_latency_seconds_bucket{" L0 ",le=\"0.0000025\"}"), 0);
    assert_int_equal(value(t, "meshgate_route_validation_latency_seconds_count{" L0 "}"), 3);
    assert_true(value(t, "meshgate_route_validation_latency_seconds_sum{" L0 "}") == 0.000009);
    assert_int_equal(
        value(t, "meshgate_route_end_to_end_latency_seconds_bucket{" L0 ",le=\"0.001\"}"), 0);
    assert_int_equal(
        value(t, "meshgate_route_end_to_end_latency_seconds_bucket{" L0 ",le=\"0.0025\"}"), 1);
    assert_int_equal(
        value(t, "meshgate_route_end_to_end_latency_seconds_bucket{" L1 ",le=\"+Inf\"}"), 0);
    assert_non_null(strstr(t, "# TYPE meshgate_route_validation_latency_seconds histogram\n"));
    assert_non_null(strstr(t, "# TYPE meshgate_route_schema_rejects_total counter\n"));
    free(t);
    mw_rmetrics_free(rm);
}

/* The first MW_KW_SLOTS keyword locations keep their series; later ones are other; the sum
 * over locations is the route's schema rejects. */
static void test_keyword_slots(void **state)
{
    (void)state;
    mw_rmetrics *rm = mw_rmetrics_new(two, 1, 2);
    assert_non_null(rm);
    mw_rstats *w0 = mw_rmetrics_stats(rm, 0, 0), *w1 = mw_rmetrics_stats(rm, 1, 0);
    char kw[64];
    for (int i = 0; i < MW_KW_SLOTS + 5; i++) {
        snprintf(kw, sizeof kw, "#/properties/f%d/type", i);
        for (int k = 0; k <= i; k++)
            mw_rmetrics_reject(rm, k % 2 ? w1 : w0, 0, MW_RJ_SCHEMA, kw, "/f", "not a string", 0, i,
                               1000);
    }
    /* a location first seen after the slots filled stays other */
    mw_rmetrics_reject(rm, w0, 0, MW_RJ_SCHEMA, "#/properties/f0/type", "/f0", "x", 0, 1, 2000);
    /* a schema reject without a location counts as other too */
    mw_rmetrics_reject(rm, w0, 0, MW_RJ_SCHEMA, "", "", "x", 0, 1, 2000);
    mw_route_snap s;
    mw_rmetrics_snap(rm, 0, &s);
    uint64_t total = 0;
    for (int i = 0; i < MW_KW_SLOTS; i++) {
        snprintf(kw, sizeof kw, "#/properties/f%d/type", i);
        assert_non_null(s.kw[i]);
        assert_string_equal(s.kw[i], kw);
        assert_int_equal(s.schema_kw[i], (uint64_t)i + 1 + (i == 0));
        total += s.schema_kw[i];
    }
    uint64_t other = 0;
    for (int i = MW_KW_SLOTS; i < MW_KW_SLOTS + 5; i++)
        other += (uint64_t)i + 1;
    assert_int_equal(s.schema_kw[MW_KW_SLOTS], other + 1);
    total += s.schema_kw[MW_KW_SLOTS];
    assert_int_equal(total, s.rejected[MW_RJ_SCHEMA]);

    char *t = render(rm);
    assert_int_equal(value(t, "meshgate_route_schema_rejects_total{" L0
                              ",keyword_location=\"#/properties/f9/type\"}"),
                     10);
    assert_int_equal(
        value(t, "meshgate_route_schema_rejects_total{" L0 ",keyword_location=\"other\"}"),
        other + 1);
    assert_null(strstr(t, "f10/type"));
    free(t);
    mw_rmetrics_free(rm);
}

/* A keyword location longer than a slot is cut at a character, and still matches itself. */
static void test_long_keyword(void **state)
{
    (void)state;
    mw_rmetrics *rm = mw_rmetrics_new(two, 1, 1);
    assert_non_null(rm);
    mw_rstats *w = mw_rmetrics_stats(rm, 0, 0);
    char kw[600] = "#";
    while (strlen(kw) < 500)
        strcat(kw, "/properties/\xc3\xa9t\xc3\xa9");
    for (int i = 0; i < 3; i++)
        mw_rmetrics_reject(rm, w, 0, MW_RJ_SCHEMA, kw, "", "", 0, 0, 1);
    /* differing past the cut (same length): the same series, as documented */
    kw[499] = 'X';
    mw_rmetrics_reject(rm, w, 0, MW_RJ_SCHEMA, kw, "", "", 0, 0, 1);
    /* differing within it: another */
    kw[12] = 'X';
    mw_rmetrics_reject(rm, w, 0, MW_RJ_SCHEMA, kw, "", "", 0, 0, 1);
    mw_route_snap s;
    mw_rmetrics_snap(rm, 0, &s);
    assert_int_equal(s.schema_kw[0], 4);
    assert_int_equal(s.schema_kw[1], 1);
    assert_int_equal(s.schema_kw[MW_KW_SLOTS], 0);
    assert_true(strlen(s.kw[0]) < MW_KW_TEXT && strlen(s.kw[0]) > MW_KW_TEXT - 8);
    assert_memory_equal(s.kw[0], "#/properties/\xc3\xa9t", 16);
    /* cut at a character: the text is well-formed UTF-8 to its end */
    const unsigned char *k = (const unsigned char *)s.kw[0];
    for (size_t i = 0, n = strlen(s.kw[0]), l; i < n; i += l)
        assert_int_not_equal(l = mg_utf8_seq(k + i, n - i, NULL), 0);
    mw_rmetrics_free(rm);
}

static void test_examples(void **state)
{
    (void)state;
    mw_rmetrics *rm = mw_rmetrics_new(two, 2, 1);
    assert_non_null(rm);
    mw_rstats *w = mw_rmetrics_stats(rm, 0, 1);
    mw_example e;
    assert_false(mw_rmetrics_example(rm, 1, MW_RJ_UTF8, -1, &e));
    /* texts are escaped and bounded */
    char big[2000];
    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = 0;
    mw_rmetrics_reject(rm, w, 1, MW_RJ_UTF8, "", "/a\nb", big, 3, 41, 10000000);
    assert_true(mw_rmetrics_example(rm, 1, MW_RJ_UTF8, -1, &e));
    assert_int_equal(e.partition, 3);
    assert_int_equal(e.offset, 41);
    assert_int_equal(e.at_us, 10000000);
    assert_string_equal(e.instance, "/a\\nb");
    assert_int_equal(strlen(e.message), MW_EX_MESSAGE - 1);
    /* within a second the example stays; after it, the latest reject is the example */
    mw_rmetrics_reject(rm, w, 1, MW_RJ_UTF8, "", "/second", "m", 3, 42, 10500000);
    assert_true(mw_rmetrics_example(rm, 1, MW_RJ_UTF8, -1, &e));
    assert_int_equal(e.offset, 41);
    mw_rmetrics_reject(rm, w, 1, MW_RJ_UTF8, "", "/third", "m", 3, 43, 11000000);
    assert_true(mw_rmetrics_example(rm, 1, MW_RJ_UTF8, -1, &e));
    assert_int_equal(e.offset, 43);
    assert_string_equal(e.instance, "/third");
    /* schema rejects keep an example per keyword location, none per reason */
    mw_rmetrics_reject(rm, w, 1, MW_RJ_SCHEMA, "#/required", "", "missing Last", 0, 5, 12000000);
    assert_false(mw_rmetrics_example(rm, 1, MW_RJ_SCHEMA, -1, &e));
    assert_true(mw_rmetrics_example(rm, 1, MW_RJ_SCHEMA, 0, &e));
    assert_string_equal(e.message, "missing Last");
    assert_false(mw_rmetrics_example(rm, 1, MW_RJ_SCHEMA, 1, &e));
    assert_false(mw_rmetrics_example(rm, 0, MW_RJ_SCHEMA, 0, &e)); /* another route */
    mw_rmetrics_free(rm);
}

static void test_rates(void **state)
{
    (void)state;
    mw_rmetrics *rm = mw_rmetrics_new(two, 1, 1);
    assert_non_null(rm);
    mw_rstats *w = mw_rmetrics_stats(rm, 0, 0);
    mw_route_snap s;
    mw_rmetrics_sample(rm, 1000000);
    mw_rmetrics_snap(rm, 0, &s);
    assert_true(s.rate_window_s == 0); /* one sample: no rate */
    /* 100 messages a second for 20 s; the rate covers the last 10 s */
    for (int64_t sec = 2; sec <= 21; sec++) {
        w->consumed += sec <= 11 ? 10 : 100;
        w->valid += sec <= 11 ? 10 : 90;
        mw_rmetrics_reject(rm, w, 0, MW_RJ_SYNTAX, "", "", "", 0, 0, sec * 1000000);
        mw_rmetrics_sample(rm, sec * 1000000);
    }
    mw_rmetrics_snap(rm, 0, &s);
    assert_true(s.rate_window_s == MW_RATE_WINDOW_S);
    assert_true(s.rate_consumed == 100);
    assert_true(s.rate_valid == 90);
    assert_true(s.rate_rejected == 1);
    mw_rmetrics_free(rm);
}

/* Threads reject at once on one route: counts add up, slots are claimed once per text (or
 * merged), every example read is one writer's whole example. */
typedef struct wr_arg {
    mw_rmetrics *rm;
    uint32_t worker;
} wr_arg;

#define NREJ 20000

static void *writer(void *p)
{
    wr_arg *a = p;
    mw_rstats *st = mw_rmetrics_stats(a->rm, a->worker, 0);
    char kw[64], inst[64], msg[64];
    for (int i = 0; i < NREJ; i++) {
        snprintf(kw, sizeof kw, "#/properties/p%d", i % 4);
        snprintf(inst, sizeof inst, "/w%u/%d", a->worker, i);
        snprintf(msg, sizeof msg, "writer %u reject %d", a->worker, i);
        /* every reject a "second" later, so the examples keep changing */
        mw_rmetrics_reject(a->rm, st, 0, MW_RJ_SCHEMA, kw, inst, msg, (int32_t)a->worker, i,
                           (int64_t)i * 1000000);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    mw_rmetrics *rm = mw_rmetrics_new(two, 1, 4);
    assert_non_null(rm);
    pthread_t th[4];
    wr_arg args[4];
    for (uint32_t i = 0; i < 4; i++) {
        args[i] = (wr_arg){rm, i};
        assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    }
    for (int round = 0; round < 2000; round++) {
        mw_example e;
        for (int k = 0; k < MW_KW_SLOTS; k++) {
            if (!mw_rmetrics_example(rm, 0, MW_RJ_SCHEMA, k, &e)) continue;
            char want_inst[64], want_msg[64];
            snprintf(want_inst, sizeof want_inst, "/w%d/%lld", e.partition, (long long)e.offset);
            snprintf(want_msg, sizeof want_msg, "writer %d reject %lld", e.partition,
                     (long long)e.offset);
            assert_string_equal(e.instance, want_inst);
            assert_string_equal(e.message, want_msg);
            assert_int_equal(e.at_us, e.offset * 1000000);
        }
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    mw_route_snap s;
    mw_rmetrics_snap(rm, 0, &s);
    assert_int_equal(s.rejected[MW_RJ_SCHEMA], 4 * NREJ);
    assert_int_equal(s.schema_kw[MW_KW_SLOTS], 0);
    char *t = render(rm);
    for (int p = 0; p < 4; p++) {
        char series[256];
        snprintf(
            series, sizeof series,
            "meshgate_route_schema_rejects_total{" L0 ",keyword_location=\"#/properties/p%d\"}", p);
        assert_int_equal(value(t, series), NREJ);
    }
    free(t);
    mw_rmetrics_free(rm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),       cmocka_unit_test(test_keyword_slots),
        cmocka_unit_test(test_long_keyword), cmocka_unit_test(test_examples),
        cmocka_unit_test(test_rates),        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
