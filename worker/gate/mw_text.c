/* mw_text.c - a growable text buffer for rendered documents (/metrics, /status).
 *
 * Design: the Prometheus and JSON pieces of those documents over the one growing buffer
 * (mw_sb.c): a failed allocation makes every later append a no-op, so a renderer writes
 * straight through and checks once at the end (mw_text_take). Not for the message path: it
 * allocates.
 */
#include "mw_text.h"

#include <stdlib.h>

void mw_textf(mw_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mw_sb_vfmt(t, fmt, ap);
    va_end(ap);
}

void mw_text_family(mw_text *t, const char *name, const char *type, const char *help)
{
    mw_textf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void mw_text_label(mw_text *t, const char *s)
{
    for (const char *run = s;; s++) {
        if (*s && *s != '\\' && *s != '"' && *s != '\n') continue;
        mw_sb_put(t, run, (size_t)(s - run));
        if (!*s) return;
        mw_sb_put(t, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
        run = s + 1;
    }
}

void mw_text_json(mw_text *t, const char *s, size_t n)
{
    mw_sb_quote(t, s, n);
}

size_t mw_text_take(mw_text *t, char **buf)
{
    size_t len = t->len;
    if (t->oom || !t->p) {
        free(t->p);
        *buf = NULL;
        len = 0;
    } else {
        *buf = t->p;
    }
    *t = (mw_text){0};
    return len;
}
