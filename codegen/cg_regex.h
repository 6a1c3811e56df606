/* cg_regex.h - compile ECMA-262 patterns (pattern, patternProperties) into C automata.
 *
 * Design: the pattern is parsed by the runtime's parser (mg_re_parse), its character sets are
 * expanded to code point ranges (Unicode properties via libunistring), and it is compiled to
 * a Thompson NFA over UTF-8 bytes, then by subset construction to a DFA over byte classes
 * when that stays within MG_RE_DFA_MAX states; otherwise the byte NFA is kept. Both are
 * mg_re_prog data run by mg_re_exec in linear time. Backreferences and lookaround have no
 * linear-time automaton and are refused with the reason.
 */
#ifndef CG_REGEX_H
#define CG_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mg_regex.h"

/* Writes C defining `static bool fname(const char *s, size_t n)` and its static tables (all
 * named with fname as prefix), headed by a comment with the pattern. Returns 0, or non-zero
 * with the reason in err. */
int cg_regex_emit(FILE *out, const char *fname, const char *pat, size_t n, char *err,
                  size_t errlen);

/* Compiles pat[0..n) into a heap mg_re_prog for mg_re_exec; 0 on success, else the reason in
 * err. Free with cg_regex_free. */
int cg_regex_compile(const char *pat, size_t n, mg_re_prog **out, char *err, size_t errlen);
void cg_regex_free(mg_re_prog *p);

/* Internal (cg_regex_dfa.c): subset construction over the byte NFA inst[0..ninst). Fills
 * p's DFA fields with malloc'd tables; returns 0, 1 if more than MG_RE_DFA_MAX states would
 * be needed, -1 when out of memory. */
int cg_re_dfa_build(const mg_re_inst *inst, size_t ninst, uint16_t start, bool restart,
                    mg_re_prog *p);

#endif
