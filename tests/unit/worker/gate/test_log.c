/* test_log.c - unit tests for worker/gate/mw_log.c: the level filter, librdkafka's levels, text
 * escaping, JSON lines that stay valid whatever the message holds, and one line per call even
 * for a message past the size bound. stderr is redirected to a file for each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mw_log.h"

static char out[65536];

/* Runs fn with stderr going to a temporary file; its contents into out. */
static void capture(void (*fn)(const mw_log *lg), const mw_log *lg)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int saved = dup(2);
    dup2(fileno(f), 2);
    fn(lg);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    fclose(f);
}

static size_t lines(void)
{
    size_t n = 0;
    for (const char *p = out; *p; p++)
        n += *p == '\n';
    return n;
}

static void levels(const mw_log *lg)
{
    mw_log_at(lg, MW_LOG_DEBUG, "d");
    mw_log_at(lg, MW_LOG_INFO, "i");
    mw_log_at(lg, MW_LOG_WARN, "w");
    mw_log_at(lg, MW_LOG_ERROR, "e");
    mw_log_kafka(lg, 7, "c", "F", "k7");
    mw_log_kafka(lg, 6, "c", "F", "k6");
    mw_log_kafka(lg, 4, "c", "F", "k4");
    mw_log_kafka(lg, 3, "c", "F", "k3");
}

static void test_level_filter(void **state)
{
    (void)state;
    mw_log lg = {MW_LOG_TEXT, MW_LOG_WARN, "meshgate run"};
    capture(levels, &lg);
    assert_int_equal(lines(), 4);
    assert_non_null(strstr(out, " meshgate run: warning: w\n"));
    assert_non_null(strstr(out, " meshgate run: error: e\n"));
    assert_non_null(strstr(out, " meshgate run: warning: rdkafka c F: k4\n"));
    assert_non_null(strstr(out, " meshgate run: error: rdkafka c F: k3\n"));
    lg.level = MW_LOG_DEBUG;
    capture(levels, &lg);
    assert_int_equal(lines(), 8);
    assert_non_null(strstr(out, " meshgate run: i\n"));
}

static void hostile(const mw_log *lg)
{
    mw_log_at(lg, MW_LOG_INFO, "topic %s", "a\nb\"c\\\x01\xff");
    mw_log_kafka(lg, 3, "cli\nent", "FA\"IL", "x\ry");
}

static void test_text_escaped(void **state)
{
    (void)state;
    mw_log lg = {MW_LOG_TEXT, MW_LOG_INFO, "meshgate run"};
    capture(hostile, &lg);
    assert_int_equal(lines(), 2);
    assert_non_null(strstr(out, ": topic a\\nb\"c\\\\\\x01\\xff\n"));
    assert_non_null(strstr(out, ": error: rdkafka cli\\nent FA\"IL: x\\ry\n"));
}

static void test_json_valid(void **state)
{
    (void)state;
    mw_log lg = {MW_LOG_JSON, MW_LOG_INFO, "meshgate run"};
    capture(hostile, &lg);
    assert_int_equal(lines(), 2);
    const char *second = strchr(out, '\n') + 1;
    assert_memory_equal(out, "{\"time\":\"", 9);
    assert_non_null(strstr(out, "\"level\":\"info\",\"logger\":\"meshgate run\",\"msg\":\"topic "
                                "a\\nb\\\"c\\\\\\u0001\xef\xbf\xbd\"}\n"));
    assert_non_null(strstr(second, "\"level\":\"error\",\"logger\":\"rdkafka\",\"client\":"
                                   "\"cli\\nent\",\"facility\":\"FA\\\"IL\",\"msg\":\"x\\ry\"}\n"));
}

static void huge(const mw_log *lg)
{
    char *m = malloc(100000);
    memset(m, '\x01', 99999); /* the worst case of both escapers */
    m[99999] = 0;
    mw_log_at(lg, MW_LOG_INFO, "%s", m);
    mw_log_kafka(lg, 6, m, m, m);
    free(m);
}

static void test_huge_is_one_line(void **state)
{
    (void)state;
    mw_log lg = {MW_LOG_JSON, MW_LOG_INFO, "meshgate run"};
    capture(huge, &lg);
    assert_int_equal(lines(), 2);
    assert_non_null(strstr(out, "\"}\n")); /* closed: the message was cut before escaping */
    lg.format = MW_LOG_TEXT;
    capture(huge, &lg);
    assert_int_equal(lines(), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_filter),
        cmocka_unit_test(test_text_escaped),
        cmocka_unit_test(test_json_valid),
        cmocka_unit_test(test_huge_is_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
