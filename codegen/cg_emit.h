/* cg_emit.h - the renderer: C from a plan (cg_plan.h) that is known to be good.
 *
 * Design: cg_emit.c writes the file and each function's frame; cg_emit_kw.c the checks of
 * scalar keywords and in-place applicators, cg_emit_obj.c those of objects and arrays. All of
 * them write through cg_w (cg_emit_w.c), which keeps the indentation: a renderer says what a
 * line is and how deep the block is, never how many spaces to write. Renderers only read the
 * plan and cannot fail. Single-threaded.
 */
#ifndef CG_EMIT_H
#define CG_EMIT_H

#include "cg_plan.h"
#include "mg_rt.h"

typedef struct cg_w {
    FILE *o;
    int depth; /* blocks open: four spaces each */
    cg *g;
    const cg_fn *f; /* the function being rendered */
} cg_w;

/* cg_emit_w.c */
/* A whole line at the current depth. */
void cg_w_line(cg_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line one deeper: the statement under an if, else or for without braces. */
void cg_w_inner(cg_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line that opens a block ("... {"), and the line closing it. */
void cg_w_open(cg_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_w_close(cg_w *w);
/* A bare block's "{". */
void cg_w_block(cg_w *w);
/* "} else {" */
void cg_w_else(cg_w *w);
/* The indentation of a line written in pieces (ended with cg_w_end). */
FILE *cg_w_begin(cg_w *w);
void cg_w_end(cg_w *w);
/* A comment with the schema location of at. */
void cg_w_comment(cg_w *w, const cj_node *at);
/* The schema location of at as a C string. */
void cg_w_loc(cg_w *w, const cj_node *at);
/* MG_FAIL(idx, code, location of at, arg[0..len)); one deeper when `under` an if. */
void cg_w_fail(cg_w *w, const char *idx, const char *code, const cj_node *at, const char *arg,
               size_t len);
/* "if (cond)" and, one deeper, MG_FAIL(at, ...). */
void cg_w_fail_if(cg_w *w, const char *cond, const char *code, const cj_node *at, const char *arg,
                  size_t len);
/* The C name of function fi. */
const char *cg_w_fn(const cg_w *w, int fi);
/* The argument a function passes for evaluated members: its bitset or NULL. */
const char *cg_w_ev(const cg_w *w);

/* cg_emit_kw.c */
void cg_render_type(cg_w *w);
void cg_render_enum_const(cg_w *w);
void cg_render_refs(cg_w *w);
void cg_render_number(cg_w *w);
void cg_render_string(cg_w *w);
void cg_render_applicators(cg_w *w);

/* cg_emit_obj.c */
void cg_render_object(cg_w *w);
void cg_render_array(cg_w *w);
void cg_render_unevaluated(cg_w *w);

#endif
