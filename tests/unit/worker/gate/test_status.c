/* test_status.c - unit tests for worker/gate/mw_status.c: the /status document (build facts,
 * readiness, totals, links to the catalog only when there is one, per route: counts, rates,
 * lag without unknown partitions, latency percentiles, the largest reject kinds with their
 * examples, escaped), and the status page's files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "mw_rmetrics.h"
#include "mw_status.h"

static const mw_route_desc routes[] = {
    {"raw.identity", "identity", "2", "identity", "identity.dlq", "binary"},
    {"raw.other", "other schema", "1", "other", "other.dlq", "structured"},
};

static char *render(mw_metrics *m, const mw_catalog *cat)
{
    char *buf = NULL;
    size_t len = mw_status_render(m, cat, &buf);
    assert_non_null(buf);
    assert_int_equal(strlen(buf), len);
    assert_true(len > 2 && buf[0] == '{' && buf[len - 2] == '}' && buf[len - 1] == '\n');
    return buf;
}

static mw_metrics *metrics(void)
{
    mw_metrics *m = mw_metrics_new(2);
    assert_non_null(m);
    assert_true(mw_metrics_set_routes(m, routes, 2));
    mw_metrics_set_build(m, "v1.2-3-gabc", "set.so@0123456789ab");
    return m;
}

static void contains(const char *doc, const char *part)
{
    if (!strstr(doc, part)) fail_msg("/status lacks %s in %s", part, doc);
}

static void test_empty(void **state)
{
    (void)state;
    mw_metrics *m = metrics();
    char *d = render(m, NULL);
    contains(d, "\"version\":\"v1.2-3-gabc\",\"schema_set\":\"set.so@0123456789ab\"");
    contains(d, "\"workers\":2,\"ready\":false,\"not_ready\":\"no partition assignment yet\"");
    contains(d, "\"totals\":{\"consumed\":0,\"valid\":0,\"rejected\":0,\"tombstones\":0,"
                "\"produced\":0,\"dead_letters\":0}");
    contains(d, "\"links\":[{\"name\":\"metrics\",\"href\":\"/metrics\"},{\"name\":\"status "
                "(JSON)\",\"href\":\"/status\"},{\"name\":\"readiness\",\"href\":\"/readyz\"}],");
    contains(d, "{\"topic\":\"raw.identity\",\"schema\":\"identity\",\"schema_version\":\"2\","
                "\"output\":\"identity\",\"dead_letter\":\"identity.dlq\",\"mode\":\"binary\","
                "\"links\":[],\"consumed\":0,\"valid\":0,\"tombstones\":0,\"rejected\":0,"
                "\"bytes\":0,\"rates\":null,\"lag\":null,\"last_reject\":null,");
    contains(d, "\"latency\":{\"validation\":{\"count\":0,\"sum_seconds\":0,\"p50\":null,"
                "\"p90\":null,\"p99\":null},");
    contains(d, "\"rejects\":[]}");
    contains(d, "\"uptime_seconds\":");
    free(d);
    mw_metrics_free(m);
}

static void test_route_figures(void **state)
{
    (void)state;
    mw_metrics *m = metrics();
    m->assigned = m->brokers_up = true;
    m->produced = 7;
    m->produced_dlq = 5;
    mw_rstats *a = mw_rmetrics_stats(m->routes, 0, 0), *b = mw_rmetrics_stats(m->routes, 1, 1);
    a->consumed = 12;
    a->valid = 7;
    a->bytes_in = 1200;
    for (int i = 0; i < 100; i++)
        mw_lehist_record(&a->validate, 40); /* p50 37.5 us, as histogram_quantile() */
    mw_rmetrics_e2e(m->routes, 0, 1500);
    /* 3 schema rejects at one location, 1 at another, 1 syntax reject; hostile texts */
    for (int i = 0; i < 3; i++)
        mw_rmetrics_reject(m->routes, a, 0, MW_RJ_SCHEMA, "#/properties/Age/exclusiveMaximum",
                           "/Age", "140 is not less than 130", 1, 100 + i, 1767225600000000 + i);
    mw_rmetrics_reject(m->routes, a, 0, MW_RJ_SCHEMA, "#/required", "",
                       "\"Last\" is missing </script><b>\x01", 0, 9, 1767225600000000);
    mw_rmetrics_reject(m->routes, a, 0, MW_RJ_SYNTAX, "", "", "bad \xff byte", 0, 11,
                       1767225601234000);
    b->consumed = 4;
    b->valid = 4;
    mw_lag lag[3] = {{.topic = "raw.identity", .partition = 0, .lag = 10},
                     {.topic = "raw.identity", .partition = 1, .lag = -1},
                     {.topic = "raw.identity", .partition = 2, .lag = 5}};
    mw_metrics_set_lag(m, lag, 3);
    mw_rmetrics_sample(m->routes, 1000000);
    a->consumed += 20;
    mw_rmetrics_sample(m->routes, 3000000);
    char *d = render(m, NULL);
    contains(d, "\"ready\":true,\"not_ready\":null");
    contains(d, "\"totals\":{\"consumed\":36,\"valid\":11,\"rejected\":5,\"tombstones\":0,"
                "\"produced\":7,\"dead_letters\":5}");
    contains(d, "\"consumed\":32,\"valid\":7,\"tombstones\":0,\"rejected\":5,\"bytes\":1200,"
                "\"rates\":{\"window_seconds\":2,\"consumed\":10,\"valid\":0,\"rejected\":0},"
                "\"lag\":15,\"last_reject\":\"2026-01-01T00:00:01.234Z\",");
    contains(d, "\"validation\":{\"count\":100,\"sum_seconds\":0.004,\"p50\":3.75e-05,"
                "\"p90\":4.75e-05,\"p99\":4.975e-05}");
    contains(d, "\"end_to_end\":{\"count\":1,\"sum_seconds\":0.0015,\"p50\":0.00175,");
    /* largest first; each with its example; texts JSON-escaped after mg_escape */
    contains(d, "\"rejects\":[{\"reason\":\"schema\",\"keyword_location\":\"#/properties/Age/"
                "exclusiveMaximum\",\"count\":3,\"example\":{\"at\":\"2026-01-01T00:00:00.000Z\","
                "\"partition\":1,\"offset\":100,\"instance_location\":\"/Age\",\"error\":\"140 "
                "is not less than 130\"}},");
    contains(d, "{\"reason\":\"syntax\",\"keyword_location\":null,\"count\":1,\"example\":{");
    contains(d, "\"error\":\"bad \\\\xff byte\"");
    contains(d, "\"error\":\"\\\"Last\\\" is missing </script><b>\\\\x01\"");
    /* the second route: nothing moved, no lag known */
    contains(d, "\"rates\":{\"window_seconds\":2,\"consumed\":0,\"valid\":0,\"rejected\":0},"
                "\"lag\":null");
    free(d);
    mw_metrics_free(m);
}

/* More reject kinds than MW_STATUS_TOP_REJECTS: the largest ones. */
static void test_top_rejects(void **state)
{
    (void)state;
    mw_metrics *m = metrics();
    mw_rstats *a = mw_rmetrics_stats(m->routes, 1, 0); /* worker 1, route 0 */
    char kw[64];
    for (int i = 0; i < MW_KW_SLOTS; i++) {
        snprintf(kw, sizeof kw, "#/properties/k%02d", i);
        for (int k = 0; k <= i; k++)
            mw_rmetrics_reject(m->routes, a, 0, MW_RJ_SCHEMA, kw, "", "", 0, 0, 1);
    }
    for (int r = 0; r < MW_RJ_COUNT; r++)
        if (r != MW_RJ_SCHEMA)
            mw_rmetrics_reject(m->routes, a, 0, (mw_reject)r, "", "", "", 0, 0, 1);
    char *d = render(m, NULL);
    const char *rj = strstr(d, "\"rejects\":[");
    assert_non_null(rj);
    size_t n = 0;
    for (const char *p = rj; (p = strstr(p, "{\"reason\":")); p++)
        n++;
    /* the second route has none, so every entry is the first route's */
    assert_int_equal(n, MW_STATUS_TOP_REJECTS);
    const char *k9 = strstr(rj, "#/properties/k09\",\"count\":10");
    const char *k0 = strstr(rj, "#/properties/k00\"");
    assert_non_null(k9);
    assert_null(k0);                                 /* 1 reject: below the top 10 */
    assert_true(k9 == strstr(rj, "#/properties/k")); /* the largest first */
    free(d);
    mw_metrics_free(m);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* With a catalog: its links, and a route's schema link when the catalog has that schema
 * (the name percent-encoded). */
static void test_catalog_links(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_status_XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/catalog.json", dir);
    write_file(path, "{}");
    snprintf(path, sizeof path, "%s/openapi.json", dir);
    write_file(path, "{}");
    snprintf(path, sizeof path, "%s/schemas", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/schemas/identity.json", dir);
    write_file(path, "{}");
    char err[256];
    mw_catalog *cat = mw_catalog_load(dir, err, sizeof err);
    assert_non_null(cat);
    mw_metrics *m = metrics();
    char *d = render(m, cat);
    contains(d, "{\"name\":\"catalog\",\"href\":\"/catalog\"},{\"name\":\"OpenAPI\",\"href\":"
                "\"/openapi.json\"},{\"name\":\"schemas\",\"href\":\"/schemas\"}],");
    contains(d, "\"mode\":\"binary\",\"links\":[{\"name\":\"schema\",\"href\":\"/schemas/"
                "identity\"}]");
    contains(d, "\"mode\":\"structured\",\"links\":[]"); /* "other schema": not in the catalog */
    free(d);
    mw_metrics_free(m);
    mw_catalog_free(cat);
    snprintf(path, sizeof path, "rm -r %s", dir);
    assert_int_equal(system(path), 0);
}

static void test_page_files(void **state)
{
    (void)state;
    mw_status_file f;
    assert_true(mw_status_page("/", &f));
    assert_string_equal(f.type, "text/html; charset=utf-8");
    assert_true(f.len > 100 && memcmp(f.data, "<!DOCTYPE html>", 15) == 0);
    assert_true(mw_status_page("/status.js", &f));
    assert_string_equal(f.type, "text/javascript; charset=utf-8");
    assert_true(mw_status_page("/status.css", &f));
    assert_false(mw_status_page("/status", &f)); /* the JSON is rendered, not a file */
    assert_false(mw_status_page("/index.html", &f));
    assert_false(mw_status_page("", &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),       cmocka_unit_test(test_route_figures),
        cmocka_unit_test(test_top_rejects), cmocka_unit_test(test_catalog_links),
        cmocka_unit_test(test_page_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
