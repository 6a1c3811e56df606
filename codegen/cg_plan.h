/* cg_plan.h - the compile plan: what meshgate-codegen will emit, decided before any C is written.
 *
 * Design (after lemon and re2c: a tree first, then passes over it): cg_plan.c walks from the
 * entry schemas and builds one cg_fn per (schema node, tracking form) that needs a C function.
 * A cg_fn holds, per keyword that applies to the node's dialect and vocabularies, everything
 * its check needs: the keyword's value (its schema location), the functions it calls, the
 * literals, regexes and tables it uses. Every schema error is found and collected here; the
 * renderers (cg_emit*.c) read a plan that is known to be good and cannot fail. Functions,
 * literals, regexes and tables are named after what they are (schema location, content hash),
 * never after the order they were found in, so a small schema change renames nothing else.
 * Single-threaded; the plan is owned by its cg (g->plan) and freed by cg_free().
 */
#ifndef CG_PLAN_H
#define CG_PLAN_H

#include "cg.h"

#define CG_VERSION "0.1.0"

/* Sets too large for a chain of comparisons or calls (more than CG_TABLE_MIN: enum strings,
 * anyOf/oneOf branches; property names: CG_NAMES_TABLE_MIN) become tables used by a loop or
 * searched at run time: compile time and lookup stay O(n log n) and O(log n) instead of a function
 * the C compiler chokes on. */
#define CG_TABLE_MIN 64
/* An object's property names go to a table from more than CG_NAMES_TABLE_MIN names (and its
 * required names from more than that): the member loop then has one call site instead of a
 * comparison and a call per name (issue 16 item 11: in one run of the bigschema bench row,
 * 22 s of cc CPU became 19.5 s with it; the names of smaller objects stay a switch: from 3
 * names on, cc took a further 7-20% less but validating the 14-resource schema's messages
 * took 5-15% more). */
#define CG_NAMES_TABLE_MIN 8

/* One row of a sorted name table (mgt_*): rows sorted by length then bytes, duplicates
 * dropped; searched at run time with mg_name_find (mg_rt.h). */
typedef struct cg_row {
    const char *s;
    size_t len;
    int seen;          /* index in the function's seen bitset, -1: none */
    int fn;            /* function to call on the member, -1: none */
    const cj_node *at; /* schema location shown in the row's comment */
} cg_row;

typedef struct cg_table {
    char *name; /* mgt_<owner>_<what> or mgf_<owner>_<what> */
    const struct cg_fn *owner;
    cg_row *rows;
    size_t n;
    int *fns; /* a table of functions (mgf_): fns[0..n) */
    bool is_fn;
} cg_table;

/* A JSON literal in tape form (mgl_*), for const/enum values that are not scalars. */
typedef struct cg_lit {
    char *name;
    char *json; /* compact JSON text: the key it is shared by */
    size_t len;
    const cj_node *v;
} cg_lit;

/* A compiled pattern (mgre_*): its C text, written once whoever uses it. */
typedef struct cg_re {
    char *name;
    char *text;
    bool may_limit;    /* matching can end at a limit, which the caller must report */
    bool backtracking; /* has a backreference */
} cg_re;

/* A number bound (minimum, maximum and their exclusive forms). */
typedef struct cg_bound {
    const cj_node *at;
    const char *op;   /* the comparison that must hold: ">=", ">", "<=", "<" */
    const char *code; /* MG_E_* */
} cg_bound;

/* A count bound (minLength, maxProperties, ...): at the value, the limit it holds. */
typedef struct cg_count {
    const cj_node *at;
    uint64_t n;
} cg_count;

/* A name an object's keywords mention (properties, required, dependencies). */
typedef struct cg_slot {
    const char *name;
    size_t len;
    int prop_fn; /* function for properties[name], -1 if none */
    const cj_node *prop;
    int seen;               /* index in seen[], -1 if presence is not needed */
    const cj_node *mention; /* where the name is first mentioned (for comments) */
} cg_slot;

/* One dependency: when key is present, the names in req must be (an array value), or the
 * schema fn applies (a schema value). */
typedef struct cg_dep {
    const cj_node *at; /* the value */
    const char *key;
    int key_seen;
    int *req_seen; /* the required names' seen indexes, nreq of them (-1: not a string) */
    size_t nreq;
    int fn; /* -1: an array */
} cg_dep;

typedef struct cg_pobj {
    cg_slot *slots;
    size_t nslots;
    cg_map index; /* name bytes -> slot + 1 */
    int nseen;
    bool bits;     /* seen[] as a bitset, names in a table */
    int names_tab; /* the names' table (bits), -1 */
    const cj_node *req;
    int req_tab; /* many required names: their table, -1 */
    cg_dep *deps;
    size_t ndeps;
    const cj_node *pats;
    int *pat_fn, *pat_re; /* per pattern property */
    const cj_node *addl;  /* additionalProperties (false: a failure) */
    int addl_fn;
    const cj_node *pnames;
    int pn_fn;
    cg_count minp, maxp;
    /* the whole function is these keywords, checked by the runtime from a table (mg_obj):
     * names_tab holds every slot, req_list the required names in the order they are checked
     * (req_tab when there is one, else a list of its own; -1: none) */
    bool table;
    int req_list;
} cg_pobj;

typedef struct cg_parr {
    const cj_node *prefix; /* prefixItems, or an array `items` before 2020-12 */
    int *prefix_fn;
    const cj_node *rest;
    int rest_fn;
    const cj_node *cont, *minc, *maxc;
    int cont_fn;
    uint64_t cmin, cmax;
    bool has_cmax;
    cg_count mini, maxi;
    const cj_node *uniq; /* uniqueItems: true */
    bool table;          /* the whole function is these keywords, checked by mg_arr_check */
} cg_parr;

/* anyOf / oneOf / allOf: one function per branch, a table of them when many. */
typedef struct cg_papp {
    const cj_node *at;
    int *fns;
    size_t n;
    int tab; /* -1 */
    /* an OpenAPI discriminator beside an anyOf/oneOf (cg_plan_disc.c): the property, and the
     * values that name each branch, for the reasons of a failed union; disc NULL: none */
    const char *disc;
    const char **disc_values; /* into the schema's strings */
    uint32_t *disc_branch;
    size_t ndisc;
} cg_papp;

/* Reads the OpenAPI discriminator of schema node beside its union a (a->at: anyOf/oneOf), if
 * there is one whose values name branches of a. */
void cg_plan_union_disc(const cj_node *node, cg_papp *a);

typedef struct cg_fn {
    int index; /* in cg_plan.fns */
    const cj_node *node;
    cg_info *info;
    char *name;             /* mgv_<schema location>[_t] */
    char *loc;              /* the schema location (for comments and messages) */
    bool track;             /* reports evaluated members/items to its caller (unevaluated*) */
    bool own_track, tracks; /* holds unevaluated* (its own bitset); has a bitset at all */
    bool reached;           /* an entry reaches it: rendered (else only checked) */
    bool steps;             /* charges the step budget */
    int dyn;                /* dynamic-scope id to push, -1 */
    int memo;               /* memo id (cg_memo.c), -1 */
    unsigned flags;         /* cg_memo.c's */
    int *callees;
    size_t ncallees, ccallees;
    /* the keywords (NULL / -1 / empty when absent); one added here must be known to
     * only() in cg_plan_obj.c, which tells the functions that are an object or array alone */
    const cj_node *type;
    bool nullable;
    const cj_node *enm;
    int *enum_lit; /* per enum value: its literal, -1 for scalars compared inline */
    int enum_tab, enum_all_lit;
    const cj_node *cnst;
    int const_lit;
    const cj_node *ref;
    int ref_fn;
    const cj_node *dref; /* $dynamicRef / $recursiveRef */
    int dref_fn;
    size_t ndc; /* dynamic candidates */
    int *dc_ids, *dc_fns;
    cg_bound bounds[4];
    int nbounds;
    const cj_node *mult;
    cg_count minl, maxl;
    const cj_node *pattern;
    int re;
    const cj_node *format;
    const char *format_name, *format_fn;
    cg_pobj *obj;
    cg_parr *arr;
    cg_papp all, any, one;
    const cj_node *not_;
    int not_fn;
    const cj_node *if_, *then_, *else_;
    int if_fn, then_fn, else_fn;
    const cj_node *uprops, *uitems;
    int uprops_fn, uitems_fn;
} cg_fn;

typedef struct cg_plan {
    cg_fn **fns; /* in planning order; out lists them by name */
    size_t nfns, cfns;
    cg_fn **out; /* the reached functions, sorted by schema location: rendering order */
    size_t nout;
    cg_map fn_index; /* (node address, track) -> fn index + 1 */
    cg_map names;    /* every C name given -> (present) */
    cg_lit *lits;
    size_t nlits;
    cg_map lit_index; /* JSON text -> literal + 1 */
    cg_re *res;
    size_t nres;
    cg_map re_index; /* quoted pattern -> regex + 1 */
    cg_table *tables;
    size_t ntables;
    cg_map dyn_ids; /* resource URI -> dynamic-scope id + 1 */
    int ndyn_ids;
    int nmemo;
    size_t queued;     /* fns[queued..] are yet to be planned */
    cg_map kw_checked; /* schema objects whose member names were checked (cg_plan_kw.c) */
    bool lenient_refs; /* planning what no entry reaches: a missing $ref target warns */
} cg_plan;

/* cg_memo.c: which functions remember their results. Planning notes these in cg_fn.flags. */
enum { CG_MEMO_REF_TARGET = 1, CG_MEMO_DYN_LOOKUP = 2 };
/* Gives the memoized functions of p->out their ids (cg_fn.memo) and counts them. */
void cg_memo_plan(cg_plan *p);

/* Builds g->plan from the entries (and, with opt.check_all, every schema of the inputs no
 * entry reaches, to report their errors); false when there is any error (counted in g). */
bool cg_plan_build(cg *g);
void cg_plan_free(cg_plan *p);
/* Writes the plan as readable text (meshgate-codegen --plan): one block per function. */
void cg_plan_dump(const cg *g, FILE *o);

/* cg_plan_kw.c: warns (with --strict: errs) about each unknown member name of f's schema
 * object, naming the keyword it is likely a typo of. */
void cg_plan_keywords(cg *g, const cg_fn *f);

/* cg_plan_obj.c: the object and array keywords of f. */
void cg_plan_object(cg *g, cg_fn *f);
void cg_plan_array(cg *g, cg_fn *f);
/* Decides which reached functions are checked from tables (cg_pobj.table, cg_parr.table;
 * cg_options.tables)
 * and gives them their tables; after the functions are named and memo ids given. */
void cg_plan_tables(cg *g);
/* The seen[] index of a name the object's keywords mention. */
int cg_slot_seen(const cg_pobj *o, const char *name, size_t len);

/* cg_plan.c, for cg_plan_obj.c */
/* The keyword's value when it applies to f's dialect (dmin..dmax) and vocabularies. */
const cj_node *cg_kw(const cg_fn *f, const char *name, int dmin, int dmax, unsigned vocab);
/* The function for subschema n called from f (planned on first use); -1 with an error when
 * n is not a schema. */
int cg_plan_sub(cg *g, cg_fn *f, const cj_node *n, bool track);
bool cg_plan_nonneg(cg *g, const cj_node *v, uint64_t *out);
/* A count keyword: false (and an error) unless v is an integer >= 0. */
bool cg_plan_count(cg *g, const cj_node *v, cg_count *out);
/* The regex for a pattern, -1 with an error. */
int cg_plan_regex(cg *g, const cj_node *at, const char *pattern, size_t len);
/* A sorted name table of rows[0..n) (sorted and deduplicated in place), named
 * mgt_<f's name>_<what>; its index. */
int cg_plan_rows(cg *g, const cg_fn *f, const char *what, cg_row *rows, size_t n);
/* A table of rows[0..n) in their order (duplicates kept), named like cg_plan_rows'. */
int cg_plan_list(cg *g, const cg_fn *f, const char *what, cg_row *rows, size_t n);
/* A table of functions mgf_<f's name>_<what>; its index. */
int cg_plan_fn_table(cg *g, const cg_fn *f, const char *what, const int *fns, size_t n);
/* s[0..n) as a JSON string (quoted, escaped), for messages and keys; malloc'd. */
char *cg_quoted(const char *s, size_t n);
/* xcalloc/xrealloc: abort on out of memory (codegen is a command: nothing to recover). */
void *cg_xcalloc(size_t n, size_t size);
void *cg_xrealloc(void *p, size_t n, size_t size);
/* Room for element n of the array p of n elements (capacity doubling, so appending n elements
 * copies O(n) bytes, also under allocators that never extend in place); p must have been grown
 * only by cg_xgrow. Aborts on out of memory like cg_xrealloc. */
void *cg_xgrow(void *p, size_t n, size_t size);

#endif
