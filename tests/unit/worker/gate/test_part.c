/* test_part.c - unit tests for worker/gate/mw_part.c, the offset bookkeeping behind "nothing
 * is lost": an offset is stored only when every earlier message of its partition is
 * acknowledged (acks in any order), a failed delivery stops the prefix and the partition
 * rewinds to its first unacknowledged offset, a partition revoked mid-flight lives until its
 * last report, and a configuration reloaded mid-flight (mw_parts_bind) is referred to by
 * exactly the messages taken with it.
 *
 * Design: consumed messages are plain rd_kafka_message_t structs made here; this executable
 * defines rd_kafka_message_destroy, which the linker binds mw_part.c's calls to ahead of
 * librdkafka's, so each test can count the messages released and ASan sees any released twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mw_part.h"

static int destroyed; /* messages released by mw_part.c */

void rd_kafka_message_destroy(rd_kafka_message_t *m)
{
    destroyed++;
    free(m);
}

static rd_kafka_message_t *msg_at(int64_t offset)
{
    rd_kafka_message_t *m = calloc(1, sizeof *m);
    m->offset = offset;
    m->len = 100;
    return m;
}

/* Takes messages first..first+n-1 of p into slots s[0..n-1]. */
static void take(mw_parts *t, mw_part *p, int64_t first, int n, mw_slot **s)
{
    for (int i = 0; i < n; i++) {
        s[i] = mw_parts_take(t, p, msg_at(first + i), 0);
        assert_non_null(s[i]);
        assert_int_equal(s[i]->offset, first + i);
    }
}

static uint32_t refs1, refs2;
static const mw_bind bind1 = {.generation = 1, .refs = &refs1};
static const mw_bind bind2 = {.generation = 2, .refs = &refs2};

static int setup(void **state)
{
    destroyed = 0;
    refs1 = refs2 = 0;
    mw_parts *t = mw_parts_new(16);
    assert_non_null(t);
    mw_part *p = mw_parts_add(t, "raw", 0);
    assert_non_null(p);
    mw_parts_bind(p, &bind1);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    mw_parts_free(*state);
    return 0;
}

/* Acks in any order: the stored offset moves only over an acknowledged prefix, and only a
 * moved offset makes the partition dirty. */
static void test_acks_out_of_order(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[5];
    take(t, p, 10, 5, s);
    assert_int_equal(mw_parts_inflight(t), 5);
    assert_int_equal(mw_parts_inflight_bytes(t), 500);
    assert_int_equal(p->next_offset, 15);
    mw_parts_resolve(t, s[2], true);
    mw_parts_resolve(t, s[4], true);
    assert_int_equal(p->stored, -1);
    assert_false(p->dirty);
    assert_int_equal(mw_parts_pending(t), 3);
    assert_int_equal(mw_parts_inflight(t), 5); /* acked behind an unacked one: kept */
    mw_parts_resolve(t, s[0], true);
    assert_int_equal(p->stored, 11);
    assert_true(p->dirty);
    mw_parts_resolve(t, s[1], true);
    assert_int_equal(p->stored, 13); /* 10, 11 and the earlier 12 */
    assert_int_equal(mw_parts_inflight(t), 2);
    mw_parts_resolve(t, s[3], true);
    assert_int_equal(p->stored, 15);
    assert_int_equal(mw_parts_inflight(t), 0);
    assert_int_equal(mw_parts_inflight_bytes(t), 0);
    assert_int_equal(mw_parts_pending(t), 0);
    assert_int_equal(destroyed, 5);
    assert_null(p->head);
    assert_null(p->tail);
}

/* A failed delivery stops the prefix at its offset whatever is acknowledged after it; the
 * rewind (once nothing is pending) releases every slot and restarts at that offset. */
static void test_failed_delivery_and_rewind(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[5];
    take(t, p, 10, 5, s);
    mw_parts_resolve(t, s[0], true);
    mw_parts_resolve(t, s[1], false);
    assert_true(p->failed);
    mw_parts_resolve(t, s[3], true);
    mw_parts_resolve(t, s[2], true);
    mw_parts_resolve(t, s[4], true);
    assert_int_equal(p->stored, 11); /* never past the failed 11 */
    assert_int_equal(p->pending, 0);
    assert_int_equal(mw_parts_inflight(t), 4);
    assert_int_equal(mw_parts_rewind(t, p), 11);
    assert_false(p->failed);
    assert_int_equal(p->next_offset, 11);
    assert_int_equal(mw_parts_inflight(t), 0);
    assert_int_equal(destroyed, 5);
    /* consumed again from 11: the acknowledged 12..14 again too (duplicates, never a gap) */
    take(t, p, 11, 4, s);
    for (int i = 0; i < 4; i++)
        mw_parts_resolve(t, s[i], true);
    assert_int_equal(p->stored, 15);
    assert_int_equal(mw_parts_rewind(t, p), -1); /* nothing in flight: nothing to rewind */
}

/* Two failures in one round: the rewind goes to the first of them. */
static void test_two_failures_rewind_to_first(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[4];
    take(t, p, 0, 4, s);
    mw_parts_resolve(t, s[3], false);
    mw_parts_resolve(t, s[1], false);
    mw_parts_resolve(t, s[0], true);
    mw_parts_resolve(t, s[2], true);
    assert_int_equal(p->stored, 1);
    assert_int_equal(mw_parts_rewind(t, p), 1);
}

/* Revoked with messages in flight: detached at once (not found, not counted, never stored),
 * freed by its last delivery report, its messages released exactly once. */
static void test_revocation_mid_flight(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[3];
    take(t, p, 100, 3, s);
    mw_parts_resolve(t, s[0], true);
    assert_true(p->dirty);
    mw_parts_remove(t, p);
    assert_int_equal(mw_parts_store(t, NULL), 0); /* a revoked partition is never stored */
    assert_null(mw_parts_find(t, "raw", 0));
    assert_int_equal(mw_parts_count(t), 0);
    assert_int_equal(mw_parts_pending(t), 2);
    mw_parts_resolve(t, s[2], true);
    assert_int_equal(destroyed, 1);
    assert_int_equal(refs1, 3); /* the detached partition's, s[1]'s and s[2]'s (behind s[1]) */
    mw_parts_resolve(t, s[1], false);
    assert_int_equal(destroyed, 3);
    assert_int_equal(mw_parts_inflight(t), 0);
    assert_int_equal(refs1, 0);
    /* the same partition assigned again starts clean */
    mw_part *q = mw_parts_add(t, "raw", 0);
    assert_int_equal(q->stored, -1);
    assert_int_equal(q->next_offset, -1);
    assert_null(q->bind);
}

/* A reload mid-flight: the messages already taken keep the binding they were taken with, the
 * later ones get the new one, and each generation's reference count is exactly its partitions
 * plus its messages in flight, reaching 0 when the last of them is reported. */
static void test_reload_mid_flight(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[6];
    assert_int_equal(refs1, 1);
    take(t, p, 0, 3, s);
    assert_int_equal(refs1, 4);
    mw_parts_bind(p, &bind2);
    assert_int_equal(refs1, 3);
    assert_int_equal(refs2, 1);
    take(t, p, 3, 3, s + 3);
    for (int i = 0; i < 6; i++)
        assert_int_equal(s[i]->bind->generation, i < 3 ? 1 : 2);
    assert_int_equal(refs2, 4);
    mw_parts_resolve(t, s[4], true); /* behind unacked ones: not released, still referring */
    assert_int_equal(refs2, 4);
    mw_parts_resolve(t, s[0], true);
    mw_parts_resolve(t, s[1], true);
    assert_int_equal(refs1, 1);
    mw_parts_resolve(t, s[2], true);
    assert_int_equal(refs1, 0); /* generation 1 may be freed now */
    mw_parts_resolve(t, s[3], true);
    mw_parts_resolve(t, s[5], true);
    assert_int_equal(refs2, 1);
    assert_int_equal(p->stored, 6);
    mw_parts_remove(t, p);
    assert_int_equal(refs2, 0);
}

/* A failed delivery across a reload: the rewind releases the old generation's messages, and
 * the ones taken again are judged by the new generation. */
static void test_reload_then_rewind(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[4];
    take(t, p, 0, 2, s);
    mw_parts_bind(p, &bind2);
    take(t, p, 2, 2, s + 2);
    mw_parts_resolve(t, s[0], false);
    mw_parts_resolve(t, s[1], true);
    mw_parts_resolve(t, s[2], true);
    mw_parts_resolve(t, s[3], true);
    assert_int_equal(refs1, 2);
    assert_int_equal(mw_parts_rewind(t, p), 0);
    assert_int_equal(refs1, 0);
    assert_int_equal(refs2, 1);
    take(t, p, 0, 1, s);
    assert_int_equal(s[0]->bind->generation, 2);
}

/* The slot pool is the in-flight bound: full means no slot, until one is released. */
static void test_bound(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[16];
    take(t, p, 0, 16, s);
    rd_kafka_message_t *m = msg_at(16);
    assert_null(mw_parts_take(t, p, m, 0));
    mw_parts_resolve(t, s[0], true);
    assert_non_null(mw_parts_take(t, p, m, 0));
    assert_int_equal(mw_parts_inflight(t), 16);
}

/* Freed with messages in flight (a shutdown past its drain bound): each released once. */
static void test_free_in_flight(void **state)
{
    mw_parts *t = *state;
    mw_part *p = mw_parts_find(t, "raw", 0);
    mw_slot *s[3];
    take(t, p, 0, 3, s);
    mw_parts_remove(t, mw_parts_add(t, "raw", 1));
    mw_parts_resolve(t, s[1], true);
    mw_parts_free(t);
    *state = NULL;
    assert_int_equal(destroyed, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_acks_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_delivery_and_rewind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_failures_rewind_to_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revocation_mid_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_mid_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_then_rewind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
