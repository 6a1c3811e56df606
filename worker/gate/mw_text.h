/* mw_text.h - a growable text buffer for the documents the HTTP endpoint renders (/metrics,
 * /status), with the escaping each of them needs (see mw_text.c). */
#ifndef MW_TEXT_H
#define MW_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "mw_sb.h"

/* The growing buffer of mw_sb.h; an allocation that failed (oom) drops the text at
 * mw_text_take. */
typedef mw_sb mw_text;

void mw_textf(mw_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The # HELP and # TYPE lines of a Prometheus metric family. */
void mw_text_family(mw_text *t, const char *name, const char *type, const char *help);
/* s as a Prometheus label value (text format 0.0.4): \, " and newline escaped. */
void mw_text_label(mw_text *t, const char *s);
/* s[0..n) as a JSON string with its quotes (mg_json_quote). */
void mw_text_json(mw_text *t, const char *s, size_t n);
/* Hands the buffer to the caller (who frees it) and returns the length; NULL and 0 if an
 * allocation failed on the way (the partial text is freed). */
size_t mw_text_take(mw_text *t, char **buf);

#endif
