/* cg_ctext.h - escaping for every context of generated C: one routine per context.
 *
 * Design: every byte a schema, a file name or an option brings into generated C goes through
 * exactly one of these, chosen by where it lands: a string literal, a comment, an identifier or
 * an #include header name. Each writer is total - any bytes in, text out that the C lexer
 * reads as intended (no comment closed or opened early, no trigraph, no line splice, no
 * character outside the basic source set unless it is printable UTF-8 inside a comment) - and
 * deterministic, so output diffs stay readable. Where no escape exists (a header name has no
 * escape sequences) the check comes first and the caller refuses what fails it. No state.
 */
#ifndef CG_CTEXT_H
#define CG_CTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A C string literal holding exactly s[0..n), quotes included. */
void cg_put_cstr(FILE *o, const char *s, size_t n);
/* A block comment "/" "* text *" "/" whose text shows s[0..n) (escaped as cg_put_comment_text). */
void cg_put_comment(FILE *o, const char *s, size_t n);
/* Text inside a block comment: printable ASCII (a '\' too: with no newline after it, it
 * splices nothing) and printable UTF-8 as is; a '*' next to a '/' as "\x2a" (so the text can
 * neither close nor open a comment); the second '?' of a pair as "\?" (no trigraph); control
 * characters, invalid UTF-8 and invisible code points (format, private use, unassigned,
 * line/paragraph separators) as \xHH or \uHHHH escapes. For people reading the C; not meant
 * to be decoded. */
void cg_put_comment_text(FILE *o, const char *s, size_t n);
/* true if s is a C identifier of ASCII letters, digits and '_' (not starting with a digit),
 * at most CG_IDENT_MAX bytes. */
#define CG_IDENT_MAX 128
bool cg_is_ident(const char *s);
/* s made into an identifier: every byte outside [A-Za-z0-9_] becomes '_', a leading digit
 * gets a '_' in front, "" becomes "_"; cut to CG_IDENT_MAX bytes. malloc'd. */
char *cg_ident_from(const char *s);
/* An identifier (already checked with cg_is_ident) upper-cased, for include guards. */
void cg_put_ident_upper(FILE *o, const char *ident);
/* true if s can be written between the quotes of an #include line as is: a header name has
 * no escapes, so only printable ASCII other than '"', '\'', '\\', '?' (trigraphs) and no "//"
 * or "/" "*" is taken (C11 6.4.7). */
bool cg_header_name_ok(const char *s);

/* true if C text t[0..n) (what codegen wrote) uses identifier ident outside string and
 * character literals and comments: the renderer declares a local only when it is used. */
bool cg_c_uses(const char *t, size_t n, const char *ident);

#endif
