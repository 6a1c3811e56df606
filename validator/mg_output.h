/* mg_output.h - a reject as JSON: the one JSON string writer, and JSON Schema's "basic" output
 * format (draft 2020-12, section 12.4.2) for the errors of the last mg_validate().
 *
 * Design: snprintf-style writers (return the full length, write what fits, always
 * NUL-terminated when cap > 0, never a cut escape or character), no allocation, so the hot
 * path can use them with a stack buffer. The escaping is mg_json_escape's; mg_json_quote adds
 * the quotes, the bound and the repair of bytes that are not UTF-8.
 */
#ifndef MG_OUTPUT_H
#define MG_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "meshgate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes s[0..n) as a JSON string, with its quotes, escaped by mg_json_escape (mg_escape.h:
 * the one JSON escaping); each byte that is not part of well-formed UTF-8 becomes U+FFFD (JSON
 * text must be UTF-8). Bounded: returns the full length (as snprintf). */
size_t mg_json_quote(char *buf, size_t cap, const char *s, size_t n);

/* The errors of the last reject of v in the basic output format:
 *   {"valid":false,"errors":[{"keywordLocation":"/properties/Age/maximum",
 *     "instanceLocation":"/Age","error":"140 is greater than 130"}, ...]}
 * at most max_errors of them (the first ones, in the order they were found; 0 means all).
 * keywordLocation is the schema location without its leading '#'; a parse reject has one
 * error with both locations "". An instance location or message longer than 4 KiB is cut at a
 * character boundary and ends with "...". Returns the full length (as snprintf); with a buffer
 * too small the output is cut after the last error that fits whole and still closed, so it is
 * always a well-formed JSON document (the length returned says what was left out). */
size_t mg_output_basic(const mg_validator *v, uint32_t max_errors, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
