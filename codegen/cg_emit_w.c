/* cg_emit_w.c - the renderer's line writer (cg_emit.h): indentation and the lines every
 * check uses (location comments, failures).
 *
 * Design: the depth of the block is state of the writer; a line is indented when it starts.
 * Locations go through cg_ctext.h's escaping for their context (a comment or a C string).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cg_emit.h"

FILE *cg_w_begin(cg_w *w)
{
    for (int i = 0; i < w->depth; i++)
        fputs("    ", w->o);
    return w->o;
}

void cg_w_end(cg_w *w)
{
    fputc('\n', w->o);
}

void cg_w_line(cg_w *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(cg_w_begin(w), fmt, ap);
    va_end(ap);
    cg_w_end(w);
}

void cg_w_inner(cg_w *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    w->depth++;
    vfprintf(cg_w_begin(w), fmt, ap);
    w->depth--;
    va_end(ap);
    cg_w_end(w);
}

void cg_w_open(cg_w *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(cg_w_begin(w), fmt, ap);
    va_end(ap);
    fputs(" {\n", w->o);
    w->depth++;
}

void cg_w_block(cg_w *w)
{
    cg_w_line(w, "{");
    w->depth++;
}

void cg_w_close(cg_w *w)
{
    w->depth--;
    cg_w_line(w, "}");
}

void cg_w_else(cg_w *w)
{
    w->depth--;
    cg_w_line(w, "} else {");
    w->depth++;
}

void cg_w_locs(cg_w *w, const char *loc)
{
    if (w->shared)
        cg_share_loc(w->sh, w->o, w->f, loc);
    else
        cg_put_cstr(w->o, loc, strlen(loc));
}

void cg_w_loc(cg_w *w, const cj_node *at)
{
    char *l = cg_location(w->g, at, NULL);
    cg_w_locs(w, l);
    free(l);
}

/* In a shared form, the location relative to the function's own: "...<rest>". */
void cg_w_comment(cg_w *w, const cj_node *at)
{
    char *l = cg_location(w->g, at, NULL);
    size_t fl = strlen(w->f->loc);
    if (w->shared && strncmp(l, w->f->loc, fl) == 0) {
        char *rel = cg_fmt("...%s", l + fl);
        cg_put_comment(cg_w_begin(w), rel, strlen(rel));
        free(rel);
    } else {
        cg_put_comment(cg_w_begin(w), l, strlen(l));
    }
    cg_w_end(w);
    free(l);
}

void cg_w_fail(cg_w *w, const char *idx, const char *code, const cj_node *at, const char *arg,
               size_t len)
{
    fprintf(cg_w_begin(w), "MG_FAIL(%s, %s, ", idx, code);
    cg_w_loc(w, at);
    fputs(", ", w->o);
    cg_put_cstr(w->o, arg, len);
    fputs(");", w->o);
    cg_w_end(w);
}

void cg_w_fail_if(cg_w *w, const char *cond, const char *code, const cj_node *at, const char *arg,
                  size_t len)
{
    cg_w_line(w, "if (%s)", cond);
    w->depth++;
    cg_w_fail(w, "at", code, at, arg, len);
    w->depth--;
}

const char *cg_w_fn(const cg_w *w, int fi)
{
    if (w->sh) return cg_share_callee(w->sh, w->f, w->shared, fi);
    return w->g->plan->fns[fi]->name;
}

const char *cg_w_ev(const cg_w *w)
{
    return w->f->tracks ? "sev" : "NULL";
}
