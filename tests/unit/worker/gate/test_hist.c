/* test_hist.c - unit tests for worker/gate/mw_hist.c: precision, percentiles, clamping, sums,
 * merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mw_hist.h"

/* Every value from 1 us to 1 h is reported within 1/1024 of itself, never below it. */
static void test_precision(void **state)
{
    (void)state;
    for (uint64_t v = 1; v <= 3600000000ull; v = v * 3 / 2 + 1) {
        mw_hist *h = mw_hist_new();
        mw_hist_record(h, v);
        mw_hist_record(h, v);
        mw_hist_record(h, 3600000000ull); /* so that the maximum does not cap the answer */
        uint64_t got = mw_hist_percentile(h, 50);
        assert_true(got >= v);
        assert_true(got - v <= v / 1024);
        assert_int_equal(mw_hist_count_le(h, got), 2);
        assert_int_equal(mw_hist_count_le(h, v - v / 1024 - 1), 0);
        mw_hist_free(h);
    }
}

static void test_percentiles_uniform(void **state)
{
    (void)state;
    mw_hist *h = mw_hist_new();
    for (uint64_t v = 1; v <= 100000; v++)
        mw_hist_record(h, v);
    assert_int_equal(mw_hist_count(h), 100000);
    assert_int_equal(mw_hist_max(h), 100000);
    uint64_t p50 = mw_hist_percentile(h, 50), p99 = mw_hist_percentile(h, 99);
    uint64_t p999 = mw_hist_percentile(h, 99.9);
    assert_true(p50 >= 50000 - 50 && p50 <= 50000 + 50);
    assert_true(p99 >= 99000 - 100 && p99 <= 99000 + 100);
    assert_true(p999 >= 99900 - 100 && p999 <= 99900 + 100);
    assert_int_equal(mw_hist_percentile(h, 100), 100000);
    assert_int_equal(mw_hist_count_le(h, 2047), 2047); /* exact in the first group */
    mw_hist_free(h);
}

static void test_clamp_and_empty(void **state)
{
    (void)state;
    mw_hist *h = mw_hist_new();
    assert_int_equal(mw_hist_percentile(h, 99), 0);
    mw_hist_record(h, 0);
    mw_hist_record(h, 10000000000ull);
    assert_int_equal(mw_hist_count(h), 2);
    assert_int_equal(mw_hist_clamped(h), 2);
    assert_int_equal(mw_hist_max(h), 3600000000ull);
    assert_int_equal(mw_hist_percentile(h, 10), 1);
    assert_int_equal(mw_hist_sum(h), 1 + 3600000000ull); /* the clamped values */
    mw_hist_free(h);
}

static void test_merge(void **state)
{
    (void)state;
    mw_hist *a = mw_hist_new(), *b = mw_hist_new();
    for (int i = 0; i < 900; i++)
        mw_hist_record(a, 100);
    for (int i = 0; i < 100; i++)
        mw_hist_record(b, 5000);
    mw_hist_merge(a, b);
    assert_int_equal(mw_hist_count(a), 1000);
    assert_int_equal(mw_hist_max(a), 5000);
    assert_int_equal(mw_hist_percentile(a, 90), 100);
    assert_true(mw_hist_percentile(a, 95) >= 4995);
    assert_int_equal(mw_hist_sum(a), 900 * 100 + 100 * 5000);
    mw_hist_reset(a);
    assert_int_equal(mw_hist_count(a), 0);
    assert_int_equal(mw_hist_sum(a), 0);
    assert_int_equal(mw_hist_count_le(a, 3600000000ull), 0);
    mw_hist_free(a);
    mw_hist_free(b);
}

/* The one-pass form agrees with mw_hist_count_le at every bound. */
static void test_counts_le(void **state)
{
    (void)state;
    mw_hist *h = mw_hist_new();
    for (uint64_t v = 1; v < 5000000; v = v * 5 / 4 + 1)
        mw_hist_record(h, v);
    uint64_t bounds[] = {0, 1, 10, 999, 1000, 1001, 65536, 4999999, 5000000, UINT64_MAX};
    uint64_t out[10];
    mw_hist_counts_le(h, bounds, 10, out);
    for (int i = 0; i < 10; i++)
        assert_int_equal(out[i], mw_hist_count_le(h, bounds[i]));
    assert_int_equal(out[9], mw_hist_count(h));
    mw_hist_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precision),       cmocka_unit_test(test_percentiles_uniform),
        cmocka_unit_test(test_clamp_and_empty), cmocka_unit_test(test_merge),
        cmocka_unit_test(test_counts_le),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
