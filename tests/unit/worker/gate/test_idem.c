/* test_idem.c - unit tests for worker/gate/mw_idem.c: the first answer replayed, pending and
 * mismatched keys, the window, eviction within max_keys and max_bytes, stale tickets, the keys
 * of a route forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mw_idem.h"

static mw_idem_state begin(mw_idem *c, const char *key, uint64_t fp, int64_t now, mw_idem_ticket *t,
                           unsigned *status, const char **body, size_t *len)
{
    return mw_idem_begin(c, key, strlen(key), fp, now, t, status, body, len);
}

static void test_replay(void **state)
{
    (void)state;
    mw_idem *c = mw_idem_new(8, 1 << 20, 1000);
    mw_idem_ticket t, t2;
    unsigned st = 0;
    const char *body = NULL;
    size_t len = 0;
    assert_int_equal(begin(c, "k", 1, 0, &t, &st, &body, &len), MW_IDEM_NEW);
    assert_int_equal(begin(c, "k", 1, 10, &t2, &st, &body, &len), MW_IDEM_PENDING);
    assert_int_equal(begin(c, "k", 2, 10, &t2, &st, &body, &len), MW_IDEM_MISMATCH);
    mw_idem_finish(c, t, 202, "{\"id\":1}", 8);
    assert_int_equal(begin(c, "k", 1, 20, &t2, &st, &body, &len), MW_IDEM_DONE);
    assert_int_equal(st, 202);
    assert_int_equal(len, 8);
    assert_memory_equal(body, "{\"id\":1}", 8);
    assert_int_equal(t2.gen, 0);
    /* past the window the key is new again */
    assert_int_equal(begin(c, "k", 1, 1021, &t2, &st, &body, &len), MW_IDEM_NEW);
    assert_int_equal(mw_idem_count(c), 1);
    mw_idem_free(c);
}

static void test_forget(void **state)
{
    (void)state;
    mw_idem *c = mw_idem_new(8, 1 << 20, 1000);
    mw_idem_ticket t;
    unsigned st;
    const char *body;
    size_t len;
    assert_int_equal(begin(c, "k", 1, 0, &t, &st, &body, &len), MW_IDEM_NEW);
    mw_idem_forget(c, t); /* a 503: the retry must be tried again */
    assert_int_equal(mw_idem_count(c), 0);
    assert_int_equal(begin(c, "k", 1, 1, &t, &st, &body, &len), MW_IDEM_NEW);
    mw_idem_free(c);
}

/* max_keys: answered entries make room, oldest first; pending ones within the window do not. */
static void test_keys_bound(void **state)
{
    (void)state;
    mw_idem *c = mw_idem_new(3, 1 << 20, 1000);
    mw_idem_ticket t[5];
    unsigned st;
    const char *body;
    size_t len;
    char key[16];
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(begin(c, key, 1, i, &t[i], &st, &body, &len), MW_IDEM_NEW);
    }
    assert_int_equal(begin(c, "k3", 1, 5, &t[3], &st, &body, &len), MW_IDEM_FULL);
    mw_idem_finish(c, t[0], 200, "a", 1);
    assert_int_equal(begin(c, "k3", 1, 6, &t[3], &st, &body, &len), MW_IDEM_NEW);
    assert_int_equal(mw_idem_count(c), 3);
    assert_int_equal(begin(c, "k0", 1, 7, &t[4], &st, &body, &len), MW_IDEM_FULL); /* evicted */
    /* the pending k1 and k2 are older than the window at 2000: they may go */
    assert_int_equal(begin(c, "k4", 1, 2000, &t[4], &st, &body, &len), MW_IDEM_NEW);
    mw_idem_finish(c, t[1], 202, "late", 4); /* its entry was evicted: ignored */
    assert_int_equal(begin(c, "k1", 1, 2001, &t[1], &st, &body, &len), MW_IDEM_NEW);
    mw_idem_free(c);
}

/* max_bytes: keys and answers within the bound (plus the one answer being stored). */
static void test_bytes_bound(void **state)
{
    (void)state;
    char answer[100];
    memset(answer, 'x', sizeof answer);
    mw_idem *c = mw_idem_new(1000, 500, 1000000);
    mw_idem_ticket t;
    unsigned st;
    const char *body;
    size_t len;
    char key[16];
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof key, "key-%02d", i);
        assert_int_equal(begin(c, key, 1, i, &t, &st, &body, &len), MW_IDEM_NEW);
        mw_idem_finish(c, t, 202, answer, sizeof answer);
        assert_true(mw_idem_bytes(c) <= 500 + sizeof answer);
    }
    assert_true(mw_idem_count(c) >= 4);
    assert_int_equal(begin(c, "key-49", 1, 60, &t, &st, &body, &len), MW_IDEM_DONE);
    assert_int_equal(begin(c, "key-00", 1, 60, &t, &st, &body, &len), MW_IDEM_NEW);
    mw_idem_free(c);
}

static void test_forget_prefix(void **state)
{
    (void)state;
    mw_idem *c = mw_idem_new(8, 1 << 20, 1000);
    mw_idem_ticket t1, t2, t3, t;
    unsigned st = 0;
    const char *body = NULL;
    size_t len = 0;
    assert_int_equal(begin(c, "\"raw\"\nk\n1", 1, 0, &t1, &st, &body, &len), MW_IDEM_NEW);
    assert_int_equal(begin(c, "\"raw2\"\nk\n1", 1, 0, &t2, &st, &body, &len), MW_IDEM_NEW);
    assert_int_equal(begin(c, "\"raw\"\nk\n2", 1, 0, &t3, &st, &body, &len), MW_IDEM_NEW);
    mw_idem_finish(c, t1, 202, "a", 1);
    mw_idem_finish(c, t2, 202, "b", 1);
    /* route raw is gone: its answered key and its pending one; raw2's stays */
    assert_int_equal(mw_idem_forget_prefix(c, "\"raw\"\n", 6), 2);
    assert_int_equal(mw_idem_count(c), 1);
    mw_idem_finish(c, t3, 202, "c", 1); /* the pending request's answer is not stored */
    assert_int_equal(mw_idem_count(c), 1);
    assert_int_equal(begin(c, "\"raw\"\nk\n1", 1, 10, &t, &st, &body, &len), MW_IDEM_NEW);
    assert_int_equal(begin(c, "\"raw2\"\nk\n1", 1, 10, &t, &st, &body, &len), MW_IDEM_DONE);
    assert_memory_equal(body, "b", 1);
    mw_idem_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay),        cmocka_unit_test(test_forget),
        cmocka_unit_test(test_keys_bound),    cmocka_unit_test(test_bytes_bound),
        cmocka_unit_test(test_forget_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
