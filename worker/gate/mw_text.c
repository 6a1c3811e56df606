/* mw_text.c - a growable text buffer for rendered documents (/metrics, /status).
 *
 * Design: printf-style appends that grow the buffer by doubling; a failed allocation marks
 * the text failed and every later append is a no-op, so a renderer writes straight through and
 * checks once at the end (mw_text_take). Not for the message path: it allocates.
 */
#include "mw_text.h"

#include <stdio.h>
#include <stdlib.h>

#include "mg_output.h"

/* Room for n more bytes and the NUL. */
static bool reserve(mw_text *t, size_t n)
{
    if (t->failed) return false;
    if (t->buf && t->len + n < t->cap) return true;
    size_t cap = t->cap ? t->cap * 2 : 16384;
    while (cap <= t->len + n)
        cap *= 2;
    char *nb = realloc(t->buf, cap);
    if (!nb) {
        t->failed = true;
        return false;
    }
    t->buf = nb;
    t->cap = cap;
    return true;
}

void mw_textv(mw_text *t, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = t->failed
                ? -1
                : vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
    if (n < 0) {
        t->failed = true;
    } else if (!t->buf || t->len + (size_t)n >= t->cap) {
        if (reserve(t, (size_t)n)) vsnprintf(t->buf + t->len, t->cap - t->len, fmt, again);
        if (!t->failed) t->len += (size_t)n;
    } else {
        t->len += (size_t)n;
    }
    va_end(again);
}

void mw_textf(mw_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mw_textv(t, fmt, ap);
    va_end(ap);
}

void mw_text_family(mw_text *t, const char *name, const char *type, const char *help)
{
    mw_textf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void mw_text_label(mw_text *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            mw_textf(t, "\\%c", *s);
        else if (*s == '\n')
            mw_textf(t, "\\n");
        else
            mw_textf(t, "%c", *s);
    }
}

void mw_text_json(mw_text *t, const char *s, size_t n)
{
    size_t need = mg_json_quote(NULL, 0, s, n);
    if (!reserve(t, need)) return;
    mg_json_quote(t->buf + t->len, t->cap - t->len, s, n);
    t->len += need;
}

size_t mw_text_take(mw_text *t, char **buf)
{
    size_t len = t->len;
    if (t->failed || !t->buf) {
        free(t->buf);
        *buf = NULL;
        len = 0;
    } else {
        *buf = t->buf;
    }
    *t = (mw_text){0};
    return len;
}
