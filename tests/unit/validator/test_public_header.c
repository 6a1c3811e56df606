/* test_public_header.c - meshgate.h is all a program needs, and it brings no generated code's
 * runtime (mg_rt.h, mg_json.h) with it (issue 16 item 3).
 *
 * Design: this file includes meshgate.h alone (the cmocka headers after it are the test's), fails
 * to compile if that header pulled in the runtime's, and uses the library through it only.
 */
#include "meshgate.h"

#if defined(MG_RT_H) || defined(MG_JSON_H)
#error "meshgate.h includes the generated code's runtime headers"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* A schema set made by hand: one schema whose function accepts everything. */
static bool accept(struct mg_ctx *c, uint32_t at)
{
    (void)c;
    (void)at;
    return true;
}

static const mg_schema schemas[] = {{"any", "urn:any", "any.json", accept, NULL, 0, 0, NULL}};
static const mg_schema_set set = {MG_RT_ABI, 1, schemas, "test", 0, NULL, NULL, 0, NULL};

static void test_validate_through_meshgate_h(void **state)
{
    (void)state;
    char err[256];
    mg_validator *v = mg_validator_new(NULL, err, sizeof err);
    assert_non_null(v);
    const mg_schema *s = mg_schema_find(&set, "any");
    assert_non_null(s);
    char buf[16 + MG_JSON_PADDING] = "{\"a\": 1}";
    assert_int_equal(mg_validate(v, s, buf, strlen(buf), sizeof buf), MG_OK);
    assert_int_equal(mg_validate(v, s, "{", 1, 1), MG_REJECT_SYNTAX);
    assert_string_equal(mg_result_name(MG_REJECT_SYNTAX), "syntax");
    mg_validator_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_validate_through_meshgate_h)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
