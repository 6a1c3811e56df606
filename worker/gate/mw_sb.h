/* mw_sb.h - a growing byte buffer for documents built in pieces (see mw_sb.c). */
#ifndef MW_SB_H
#define MW_SB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* p is malloc'd and NUL-terminated once anything was put; oom sticks after a failed growth
 * (later puts do nothing), so a caller checks once at the end. */
typedef struct mw_sb {
    char *p;
    size_t len, cap;
    bool oom;
} mw_sb;

void mw_sb_put(mw_sb *b, const void *s, size_t n);
void mw_sb_str(mw_sb *b, const char *s);
void mw_sb_fmt(mw_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mw_sb_vfmt(mw_sb *b, const char *fmt, va_list ap);
/* s[0..n) as a JSON string (mg_json_quote). */
void mw_sb_quote(mw_sb *b, const char *s, size_t n);

#endif
