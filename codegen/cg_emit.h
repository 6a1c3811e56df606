/* cg_emit.h - shared between the renderer's files (cg_emit.c, cg_emit_kw*.c).
 *
 * Design: cg_fnctx is the state of rendering one function; keyword renderers write C text to
 * x->o and ask for the functions, literals and regexes they call. Single-threaded.
 */
#ifndef CG_EMIT_H
#define CG_EMIT_H

#include "cg.h"
#include "mg_rt.h"

#define CG_VERSION "0.1.0"

typedef struct cg_fnctx {
    cg *g;
    FILE *o;
    int fi; /* the function rendered: an index, since g->fns moves as functions are planned */
    const cj_node *node;
    cg_info *info;
    bool track;     /* this function has an evaluated bitset `sev` (own or the caller's) */
    bool own_track; /* it holds an unevaluated* keyword, so `sev` is its own */
} cg_fnctx;

/* Literal number n (defines `mgl_n`, an mg_doc whose value is at index 0). */
int cg_literal(cg *g, const cj_node *v);
/* Regex function number n (defines `static int mgre_n(struct mg_ctx *, const char *, size_t)`,
 * mg_re_test's result), -1 on error (reported at node `at`, as are warnings about the
 * pattern). *may_limit: the result can be a limit (negative), which the caller must report. */
int cg_regex(cg *g, const cj_node *at, const char *pattern, size_t len, bool *may_limit);
/* Sets too large for a chain of comparisons or calls (more than CG_TABLE_MIN: property names,
 * required names, enum strings, anyOf/oneOf branches) become tables used by a loop or searched
 * at run time: compile time and lookup stay O(n log n) and O(log n) instead of a function the
 * C compiler chokes on. */
#define CG_TABLE_MIN 64
typedef struct cg_row {
    const char *s;
    size_t len;
    int seen;          /* index in the function's seen bitset, -1: none */
    int fn;            /* function to call on the member, -1: none */
    const cj_node *at; /* schema location shown in the row's comment */
} cg_row;
/* Table number n (defines `static const mgh_row mgt_n[]`, rows sorted by length then bytes,
 * duplicates dropped; search with mgh_find(mgt_n, count, s, len)); sorts rows in place and
 * returns the row count in *count. */
int cg_row_table(cg *g, cg_row *rows, size_t nrows, size_t *count);
/* Table number n of function pointers (defines `static const mgh_fn mgf_n[]` = mgv_fns[i]). */
int cg_fn_table(cg *g, const int *fns, size_t n);

/* Dynamic-scope id of a node's resource, -1 if that resource has no dynamic anchors. */
int cg_dyn_id(cg *g, const cg_info *in);

bool cg_has_unevaluated(const cg_fnctx *x);
void cg_render_keywords(cg_fnctx *x);

/* cg_emit_kw.c: shared by the keyword renderers. */
/* The keyword's value when it applies to the node's dialect (dmin..dmax) and vocabularies. */
const cj_node *cg_kw(const cg_fnctx *x, const char *name, int dmin, int dmax, unsigned vocab);
void cg_put_loc(cg_fnctx *x, const cj_node *at);
void cg_comment(cg_fnctx *x, const cj_node *at, const char *indent);
int cg_sub(cg_fnctx *x, const cj_node *n, bool track);
bool cg_nonneg_int(cg_fnctx *x, const cj_node *v, uint64_t *out);
const char *cg_ev_arg(const cg_fnctx *x);
/* Emits `if (expr < N) MG_FAIL(...)` (minimum) or `expr > N` for a count keyword whose value
 * must be an integer >= 0; expr_max is the largest value of expr's type. */
void cg_limit(cg_fnctx *x, const cj_node *kw, const char *expr, uint64_t expr_max, bool minimum,
              const char *code);

/* cg_memo.c: the call graph and the memoized functions (see there). */
typedef struct cg_memo cg_memo;
cg_memo *cg_memo_new(void);
void cg_memo_free(cg_memo *m);
void cg_memo_call(cg_memo *m, int from, int to);
/* The function for a reference's target n (cg_sub in the caller's form), noted as one. */
int cg_ref_target(cg_fnctx *x, const cj_node *n);
/* Notes that the function being rendered reads the dynamic scope. */
void cg_dyn_lookup(cg_fnctx *x);
/* Where function fn's memo lines would go in the body text; eligible: its result depends on
 * (function, value) alone as far as the function itself goes (not the tracking form). */
void cg_memo_place(cg_memo *m, int fn, long lookup_pos, long store_pos, bool eligible);
/* Decides the memoized functions (of fns 0..nfns-1) once all are rendered; their number. */
int cg_memo_plan(cg_memo *m, size_t nfns);
/* Writes the body text with the memo lines of the memoized functions. */
void cg_memo_write(const cg_memo *m, FILE *out, const char *body, size_t len);

/* cg_emit_obj.c */
void cg_render_object(cg_fnctx *x);
void cg_render_array(cg_fnctx *x);
void cg_render_unevaluated(cg_fnctx *x);

#endif
