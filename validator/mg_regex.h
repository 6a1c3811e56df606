/* mg_regex.h - ECMA-262 regular expressions in linear time: syntax and matching.
 *
 * Design: patterns are parsed with ECMA-262 syntax (as with the "u" flag, which is what JSON
 * Schema specifies) and compiled ahead of time by meshgate-codegen into automata in generated
 * C; matching never backtracks, so time is linear in the input. Constructs that cannot be
 * matched in linear time (backreferences, lookaround) are refused at codegen with a reason.
 * This header holds what the runtime needs: the syntax check behind format "regex" and the
 * matcher the generated automata call.
 */
#ifndef MG_REGEX_H
#define MG_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* true if pat[0..n) is a syntactically valid ECMA-262 pattern (u-mode rules). On false,
 * writes the reason and byte offset into err when err is not NULL. */
bool mg_regex_syntax_ok(const char *pat, size_t n, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
