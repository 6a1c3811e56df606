/* test_reject.c - unit tests for worker/gate/mw_reject.c: every reject reason has its fixed name
 * (the validator's first, then the worker's own), and a value out of range is "unknown". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "mw_reject.h"

static void test_reject_names(void **state)
{
    (void)state;
    const char *want[MW_RJ_COUNT] = {"empty",
                                     "too_large",
                                     "syntax",
                                     "utf8",
                                     "depth",
                                     "number",
                                     "string",
                                     "schema",
                                     "limit",
                                     "internal",
                                     "cloudevent",
                                     "unknown_schema_id",
                                     "missing_schema_id",
                                     "wrong_subject"};
    for (int r = 0; r < MW_RJ_COUNT; r++)
        assert_string_equal(mw_reject_name((mw_reject)r), want[r]);
    assert_string_equal(mw_reject_name(MW_RJ_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reject_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
