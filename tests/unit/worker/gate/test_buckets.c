/* test_buckets.c - unit tests for worker/gate/mw_buckets.c: the exported bounds (1 us to 60 s,
 * ascending, labels equal to the bounds), the bucket a value falls into, per-bucket histograms
 * summed into cumulative snapshots, and quantiles estimated as Prometheus'
 * histogram_quantile() does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mw_buckets.h"

static void test_bounds(void **state)
{
    (void)state;
    assert_int_equal(mw_buckets[0].us, 1);
    assert_int_equal(mw_buckets[MW_NBUCKETS - 1].us, 60000000);
    for (size_t i = 0; i < MW_NBUCKETS; i++) {
        /* the label is the bound in seconds; the whole microseconds are the bound rounded
         * down (values are recorded in whole microseconds) */
        double s = strtod(mw_buckets[i].le, NULL);
        assert_true(s == mw_buckets[i].s);
        assert_int_equal(mw_buckets[i].us, (uint64_t)(s * 1e6 + 1e-9));
        if (i) assert_true(mw_buckets[i].s > mw_buckets[i - 1].s);
    }
}

static void test_bucket_of(void **state)
{
    (void)state;
    assert_int_equal(mw_bucket_of(0), 0);
    assert_int_equal(mw_bucket_of(1), 0);
    assert_int_equal(mw_bucket_of(2), 1); /* <= 2.5 us */
    assert_int_equal(mw_bucket_of(3), 2);
    assert_int_equal(mw_bucket_of(10), 3);
    assert_int_equal(mw_bucket_of(11), 4);
    assert_int_equal(mw_bucket_of(60000000), MW_NBUCKETS - 1);
    assert_int_equal(mw_bucket_of(60000001), MW_NBUCKETS);
    assert_int_equal(mw_bucket_of(UINT64_MAX), MW_NBUCKETS);
    for (size_t i = 0; i < MW_NBUCKETS; i++) {
        assert_int_equal(mw_bucket_of(mw_buckets[i].us), i);
        assert_int_equal(mw_bucket_of(mw_buckets[i].us + 1), i + 1);
    }
}

static void test_snapshot(void **state)
{
    (void)state;
    mw_lehist *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    mw_lehist_record(a, 1);
    mw_lehist_record(a, 7);
    mw_lehist_record(b, 7);
    mw_lehist_record(b, 90000000);
    mw_lesnap s = {0};
    mw_lehist_add(&s, a);
    mw_lehist_add(&s, b);
    assert_int_equal(s.le[0], 1); /* <= 1 us */
    assert_int_equal(s.le[2], 1); /* <= 5 us */
    assert_int_equal(s.le[3], 3); /* <= 10 us */
    assert_int_equal(s.le[MW_NBUCKETS - 1], 3);
    assert_int_equal(s.le[MW_NBUCKETS], 4); /* +Inf: the count */
    assert_int_equal(s.sum_us, 90000015);
    free(a);
    free(b);
}

/* The figures Prometheus' histogram_quantile() gives for the same buckets. */
static void test_quantile(void **state)
{
    (void)state;
    mw_lesnap s = {0};
    assert_true(mw_lesnap_quantile(&s, 0.5) == -1);
    mw_lehist *h = calloc(1, sizeof *h);
    assert_non_null(h);
    /* 100 values in (25 us, 50 us]: the median is interpolated halfway */
    for (int i = 0; i < 100; i++)
        mw_lehist_record(h, 40);
    mw_lehist_add(&s, h);
    assert_float_equal(mw_lesnap_quantile(&s, 0.5), 0.0000375, 1e-12);
    assert_float_equal(mw_lesnap_quantile(&s, 0.99), 0.000025 + 0.000025 * 0.99, 1e-12);
    assert_float_equal(mw_lesnap_quantile(&s, 1), 0.00005, 1e-12);
    /* the lowest bucket starts at 0 */
    memset(&s, 0, sizeof s);
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 4; i++)
        mw_lehist_record(h, 1);
    mw_lehist_add(&s, h);
    assert_float_equal(mw_lesnap_quantile(&s, 0.5), 0.0000005, 1e-12);
    /* a rank in +Inf gives the last finite bound */
    memset(&s, 0, sizeof s);
    memset(h, 0, sizeof *h);
    mw_lehist_record(h, 10);
    mw_lehist_record(h, 100000000);
    mw_lehist_add(&s, h);
    assert_float_equal(mw_lesnap_quantile(&s, 0.99), 60, 1e-12);
    assert_float_equal(mw_lesnap_quantile(&s, 0.5), 0.00001, 1e-12);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_bucket_of),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_quantile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
