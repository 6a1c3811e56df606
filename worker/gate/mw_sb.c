/* mw_sb.c - a growing byte buffer: HTTP answers and documents built in pieces (ingest results,
 * problem details, OpenAPI, and through mw_text.c /metrics and /status). Doubling growth; a failed
 * growth is remembered, not fatal. JSON strings go through mg_json_quote, the one JSON string
 * writer.
 */
#include "mw_sb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_output.h"

static bool room(mw_sb *b, size_t n)
{
    if (b->oom) return false;
    if (b->len + n + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = cap;
    return true;
}

void mw_sb_put(mw_sb *b, const void *s, size_t n)
{
    if (!room(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void mw_sb_str(mw_sb *b, const char *s)
{
    mw_sb_put(b, s, strlen(s));
}

void mw_sb_vfmt(mw_sb *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0 && room(b, (size_t)n)) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void mw_sb_fmt(mw_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mw_sb_vfmt(b, fmt, ap);
    va_end(ap);
}

void mw_sb_quote(mw_sb *b, const char *s, size_t n)
{
    size_t need = mg_json_quote(NULL, 0, s, n);
    if (!room(b, need)) return;
    mg_json_quote(b->p + b->len, need + 1, s, n);
    b->len += need;
}
