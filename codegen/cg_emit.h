/* cg_emit.h - the renderer: C from a plan (cg_plan.h) that is known to be good.
 *
 * Design: cg_emit.c writes the files and each function's frame; cg_emit_share.c the shared form
 * of functions for identical subschemas; cg_emit_kw.c the checks of
 * scalar keywords and in-place applicators, cg_emit_obj.c those of objects and arrays. All of
 * them write through cg_w (cg_emit_w.c), which keeps the indentation: a renderer says what a
 * line is and how deep the block is, never how many spaces to write. Renderers only read the
 * plan and cannot fail. Single-threaded.
 */
#ifndef CG_EMIT_H
#define CG_EMIT_H

#include "cg_plan.h"
#include "mg_rt.h"

typedef struct cg_share cg_share; /* cg_emit_share.c */

/* How the data (tables, literals, location tables) is written: static in one file; split
 * into parts, defined once in BASE.c and declared in BASE.int.h, so that a part does not
 * read all of it (README "Big schemas"). */
typedef enum cg_data_mode { CG_DATA_STATIC, CG_DATA_DEFINE, CG_DATA_DECLARE } cg_data_mode;
/* The start of a data item's line: "static const ", "const " or "extern const ". */
const char *cg_data_storage(cg_data_mode m);

typedef struct cg_w {
    FILE *o;
    int depth; /* blocks open: four spaces each */
    cg *g;
    const cg_fn *f; /* the function being rendered */
    cg_share *sh;   /* sharing of identical subschemas; NULL: none */
    bool shared;    /* rendering f's shared form (locations from c->locs) */
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
/* A schema location given as text, as a C string (L[i] in a shared form). */
void cg_w_locs(cg_w *w, const char *loc);
/* The callee expression for function fi: its C name, or in a shared form the call of fi's
 * shared function with its locations. */
const char *cg_w_fn(const cg_w *w, int fi);
/* The C name of function fi, for a function pointer (a table of branches): with sharing, the
 * wrapper that sets its locations, never an expression. */
const char *cg_w_fn_ptr(const cg_w *w, int fi);
/* The argument a function passes for evaluated members: its bitset or NULL. */
const char *cg_w_ev(const cg_w *w);

/* cg_emit.c: the text inside the braces of f's function, in plain or shared form; with sh,
 * callees named by it are noted there. malloc'd. */
char *cg_fn_text(cg *g, const cg_fn *f, cg_share *sh, bool shared);
/* The output's functions, one unit each: its text, and where its "static " starts (dropped
 * when the output is split into parts). */
typedef struct cg_unit {
    char *text;
    size_t len, sig;
} cg_unit;
typedef struct cg_units {
    cg_unit *v;
    size_t n, cap, bytes;
} cg_units;
/* Adds text (the units take it), a function whose signature starts at sig. */
void cg_units_add(cg_units *u, char *text, size_t len, size_t sig);
/* Adds the function "static bool NAME(...)" around text, after a comment. */
void cg_units_fn(cg_units *u, const char *comment, const char *name, const char *text);

/* cg_emit_share.c: one function for identical subschemas. */
cg_share *cg_share_new(cg *g);
void cg_share_free(cg_share *sh);
/* Renders every reached function's shared form and decides which are shared. */
void cg_share_plan(cg_share *sh);
/* Function fi is called by its C name. */
void cg_share_named(cg_share *sh, int fi);
/* Function fi's shared function is called with its location table (from a table row). */
void cg_share_tabled(cg_share *sh, int fi);
/* What a table row calls for fi: its shared function or its own; and the row's locations
 * (its table or NULL). */
const char *cg_share_target(const cg_share *sh, int fi);
void cg_share_put_locs(const cg_share *sh, FILE *o, int fi);
/* Function fi is rendered by its shared function (and a wrapper, when called by name). */
bool cg_share_form(const cg_share *sh, int fi);
/* Function fi is called by its C name (known once every plain function is rendered). */
bool cg_share_called(const cg_share *sh, int fi);
/* For cg_w_fn and cg_w_locs in a shared form. */
const char *cg_share_callee(cg_share *sh, const cg_fn *caller, bool shared, int fi);
/* For cg_w_fn_ptr: fi called by its name (its wrapper when it has a shared form). */
const char *cg_share_by_name(cg_share *sh, const cg_fn *caller, bool shared, int fi);
void cg_share_loc(cg_share *sh, FILE *o, const cg_fn *f, const char *loc);
/* The shared functions' declarations and bodies; for fi in shared form, its location table
 * (when used: before every function) and its wrapper (when called by name). */
void cg_share_declare(const cg_share *sh, FILE *o, bool external);
void cg_share_render(const cg_share *sh, cg_units *u);
void cg_share_table(const cg_share *sh, FILE *o, int fi, cg_data_mode m);
void cg_share_wrapper(const cg_share *sh, cg_units *u, int fi);
/* How many functions the shared ones stand for, and how many shared ones there are. */
void cg_share_counts(const cg_share *sh, size_t *members, size_t *shared);

/* cg_emit_tab.c: objects and arrays checked from tables (mg_obj, mg_arr) */
/* f is planned to be checked from its table (cg_plan_tables). */
bool cg_tab_planned(const cg_fn *f);
/* ... and is, not being rendered by a function shared with identical subschemas. */
bool cg_tab_form(const cg_share *sh, const cg_fn *f);
/* A table of the plan is written: its owner's function is, in the form that reads it. */
bool cg_tab_used(const cg_share *sh, const cg_table *t);
/* The function f's table calls outside its names table (additionalProperties, items); -1. */
int cg_tab_callee(const cg_fn *f);
/* f's table (mgo_ or mga_<f's name>), and the text of its function: one call. */
void cg_tab_render(cg *g, const cg_share *sh, FILE *o, const cg_fn *f, cg_data_mode m);
char *cg_tab_body(const cg_fn *f);

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
