/* test_ingest_view.c - unit tests for worker/gate/mw_ingest_view.c, the hand-over of HTTP
 * ingest's views across reloads: a published view is taken by the HTTP side at its next
 * request or round; a request keeps the view it started with, which stays (and keeps its
 * generation pinned) until the request is done; a view replaced before the HTTP side took it
 * is freed at once; the last one is freed with the ingest. The views here have no ingest
 * route, so no producer is started; the HTTP side is played by this thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mw_ingest_int.h"

static mw_ingest_view *view(mw_ingest *g, const mw_config *cfg, uint32_t *pin)
{
    char err[256];
    mw_ingest_view *v = mw_ingest_view_new(g, cfg, NULL, NULL, pin, err, sizeof err);
    if (!v) fail_msg("%s", err);
    return v;
}

static void test_hand_over(void **state)
{
    (void)state;
    mw_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.http_request_timeout_ms = 1000;
    char err[256];
    mw_ingest *g = mw_ingest_new(&cfg, err, sizeof err);
    assert_non_null(g);
    uint32_t pin1 = 0, pin2 = 0, pin3 = 0;

    mw_ingest_view *v1 = view(g, &cfg, &pin1);
    assert_int_equal(pin1, 1); /* the view pins its generation */
    mw_ingest_publish(g, v1);
    assert_int_equal(mw_ingest_collect(g), 0);
    mw_ingest_adopt(g); /* the HTTP side's next request or round */
    assert_ptr_equal(g->cur, v1);

    /* a request starts with v1 (as mw_ingest_handle takes it) */
    mw_ingest_view *mine = g->cur;
    atomic_fetch_add_explicit(&mine->refs, 1, memory_order_relaxed);

    /* two reloads before the HTTP side looks: the first view is never seen, freed at once */
    mw_ingest_publish(g, view(g, &cfg, &pin2));
    mw_ingest_view *v3 = view(g, &cfg, &pin3);
    mw_ingest_publish(g, v3);
    assert_int_equal(mw_ingest_collect(g), 1);
    assert_int_equal(pin2, 0);
    assert_int_equal(pin1, 1);

    /* the HTTP side takes v3; v1 stays while its request runs */
    mw_ingest_adopt(g);
    assert_ptr_equal(g->cur, v3);
    assert_int_equal(mw_ingest_collect(g), 0);
    assert_int_equal(pin1, 1);
    assert_ptr_equal(mine, v1);

    /* the request is done: v1 goes, and its generation is unpinned */
    atomic_fetch_sub_explicit(&mine->refs, 1, memory_order_release);
    assert_int_equal(mw_ingest_collect(g), 1);
    assert_int_equal(pin1, 0);
    assert_int_equal(pin3, 1);

    /* nothing new published: adopting again changes nothing */
    mw_ingest_adopt(g);
    assert_ptr_equal(g->cur, v3);
    assert_int_equal(mw_ingest_collect(g), 0);

    mw_ingest_free(g); /* the current view with it */
    assert_int_equal(pin3, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
