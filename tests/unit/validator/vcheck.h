/* vcheck.h - what the validator's unit tests of hand-written schema functions share: a
 * validator with given limits, one message through a schema, and the check of one error's
 * text and keyword location. Included by the test files (static helpers, cmocka asserts). */
#ifndef VCHECK_H
#define VCHECK_H

#include <string.h>

#include "meshgate.h"

/* A validator keeping up to max_errors errors, with max_steps steps a message (0: the
 * library's default). */
static mg_validator *vc_validator(uint32_t max_errors, uint64_t max_steps)
{
    mg_validator_conf conf = {
        .max_bytes = 1 << 16, .max_errors = max_errors, .max_steps = max_steps};
    char err[128] = "";
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    assert_non_null(v);
    return v;
}

static mg_result vc_validate(mg_validator *v, const mg_schema *s, const char *js)
{
    return mg_validate(v, s, js, strlen(js), strlen(js));
}

/* Error i reads format and names kwloc. */
static void vc_assert_error(mg_validator *v, uint32_t i, const char *format, const char *kwloc)
{
    char buf[256];
    mg_error_format(v, i, buf, sizeof buf);
    assert_string_equal(buf, format);
    assert_string_equal(mg_error_keyword_location(v, i), kwloc);
}

#endif
