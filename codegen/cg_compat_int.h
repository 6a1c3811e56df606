/* cg_compat_int.h - shared by cg_compat.c and cg_compat_obj.c: the schema model the rules
 * compare and the comparison's state.
 *
 * Design: Confluent loads a JSON Schema into everit's classes and compares those; the same
 * shapes are read here straight off the parsed document as views. A view is a schema node
 * (after $ref) and what it is: false, true, {} (empty), one type (object, array, string,
 * number or integer, boolean, null), enum, const, not, if/then/else, an explicit allOf /
 * anyOf / oneOf, the anyOf a type list stands for, or the allOf of several of those when one
 * node holds several (everit's "synthetic" combined schema: {"type": "string", "enum": [...]}
 * is allOf[enum, string]). Side 0 is the original, side 1 the update.
 */
#ifndef CG_COMPAT_INT_H
#define CG_COMPAT_INT_H

#include "cg_compat.h"

typedef enum cv_kind {
    CV_FALSE,
    CV_TRUE,
    CV_EMPTY,
    CV_OBJECT,
    CV_ARRAY,
    CV_STRING,
    CV_NUMBER,
    CV_INTEGER,
    CV_BOOLEAN,
    CV_NULL,
    CV_ENUM,
    CV_CONST,
    CV_NOT,
    CV_COND,
    CV_ALLOF,
    CV_ANYOF,
    CV_ONEOF,
    CV_TYPES, /* anyOf over the names of a type list */
    CV_PARTS  /* allOf over the parts of one node */
} cv_kind;

typedef struct cview {
    const cj_node *n; /* NULL: no schema (absent) */
    cv_kind k;
} cview;

typedef struct ccx {
    cg *g[2];
    const cj_node *root[2]; /* roots of the documents of the two schemas compared */
    cg_map memo;            /* view pair -> cg_differences* of its comparison */
    cg_map busy;            /* view pairs being compared (a cycle compares as no difference) */
    size_t steps;
    bool failed;
} ccx;

/* The view of schema node n of side s (NULL: no schema, k = CV_EMPTY). */
cview cc_view(ccx *x, int s, const cj_node *n);
/* Dialect of node n of side s. */
cg_dialect cc_dialect(ccx *x, int s, const cj_node *n);
bool cc_is_empty(cview v); /* true or {} */
/* Compares o (side 0) with u (side 1) into out. A NULL view on one side is SCHEMA_ADDED or
 * SCHEMA_REMOVED at (oat, uat). */
void cc_compare(ccx *x, cg_differences *out, cview o, cview u, const cj_node *oat,
                const cj_node *uat);
/* The same into sub, which starts empty; true when every difference in it is compatible. */
bool cc_sub(ccx *x, cview o, cview u, cg_differences *sub);
void cc_append(cg_differences *out, const cg_differences *src);
/* Adds a difference located at node oat of the original and uat of the update. */
void cc_add(ccx *x, cg_differences *out, cg_change t, const cj_node *oat, const cj_node *uat);
/* Exact comparison of two JSON numbers: <0, 0, >0. */
int cc_num_cmp(const cj_node *a, const cj_node *b);
/* Compares the numeric keyword kw of the nodes on and un: absent in the original is `added`,
 * in the update `removed`, else `increased` or `decreased` by value. */
void cc_bound(ccx *x, cg_differences *out, const cj_node *on, const cj_node *un, const char *kw,
              cg_change added, cg_change removed, cg_change increased, cg_change decreased);

/* cg_compat_obj.c */
void cc_object(ccx *x, cg_differences *out, cview o, cview u);
void cc_array(ccx *x, cg_differences *out, cview o, cview u);

#endif
