/* mg_yaml.c - expansion limits for YAML aliases, counted on parser events, and a quiet
 * diagnostics object (mg_yaml.h).
 *
 * Design: a stack of open collections, each summing the nodes, scalar bytes and height of
 * what it holds so far; a closed collection adds its totals (plus itself) to its parent, and
 * if it carries an anchor, they are remembered under the anchor's name. An alias adds the
 * anchor's remembered totals. Every sum saturates instead of wrapping, and is checked as it
 * grows. Anchors live in a tsearch tree (the last definition of a name wins, as in YAML).
 */
#include "mg_yaml.h"

#include <libfyaml.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct totals {
    size_t nodes, bytes, height;
} totals;

typedef struct anchor {
    char *name;
    size_t len;
    totals t;
} anchor;

typedef struct frame {
    totals t;
    const char *anchor; /* the collection's anchor (in the event, kept until its end) */
    size_t anchor_len;
    struct fy_event *start; /* the start event, freed when the collection ends */
} frame;

typedef struct guard {
    const mg_yaml_limits *lim;
    struct fy_parser *fyp;
    void *anchors; /* tsearch root of anchor* */
    frame *stack;
    size_t depth, cap;
    size_t aliases;
    mg_yaml_problem *p;
} guard;

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static int cmp_anchor(const void *a, const void *b)
{
    const anchor *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return memcmp(x->name, y->name, x->len);
}

static void free_anchor(void *p)
{
    anchor *a = p;
    free(a->name);
    free(a);
}

static void fail(guard *g, const struct fy_mark *m, const char *fmt, size_t limit)
{
    g->p->line = m ? m->line + 1 : 0;
    g->p->column = m ? m->column + 1 : 0;
    snprintf(g->p->what, sizeof g->p->what, fmt, limit);
}

/* false (with the error set) when a node of totals t would exceed the size limits. */
static bool within(guard *g, const totals *t, const struct fy_mark *at)
{
    if (t->nodes > g->lim->max_nodes)
        fail(g, at, "YAML with more than %zu nodes once its aliases are expanded",
             g->lim->max_nodes);
    else if (t->bytes > g->lim->max_bytes)
        fail(g, at, "YAML with more than %zu bytes of scalars once its aliases are expanded",
             g->lim->max_bytes);
    else
        return true;
    return false;
}

/* Adds t (a node that now sits at nesting level g->depth) to the innermost open collection;
 * false (with the error set) when a limit is exceeded. */
static bool add(guard *g, const totals *t, const struct fy_mark *at)
{
    if (sat_add(g->depth, t->height) > g->lim->max_depth) {
        fail(g, at, "YAML nested deeper than %zu levels (aliases expanded)", g->lim->max_depth);
        return false;
    }
    if (!within(g, t, at)) return false;
    if (g->depth == 0) return true;
    totals *p = &g->stack[g->depth - 1].t;
    p->nodes = sat_add(p->nodes, t->nodes);
    p->bytes = sat_add(p->bytes, t->bytes);
    if (t->height + 1 > p->height) p->height = t->height + 1;
    return within(g, p, at);
}

static bool remember(guard *g, const char *name, size_t len, const totals *t)
{
    anchor key = {(char *)name, len, {0, 0, 0}};
    anchor **found = tfind(&key, &g->anchors, cmp_anchor);
    if (found) {
        (*found)->t = *t;
        return true;
    }
    anchor *a = malloc(sizeof *a);
    char *copy = malloc(len + 1);
    if (!a || !copy) {
        free(a);
        free(copy);
        return false;
    }
    memcpy(copy, name, len);
    copy[len] = 0;
    *a = (anchor){copy, len, *t};
    if (!tsearch(a, &g->anchors, cmp_anchor)) {
        free_anchor(a);
        return false;
    }
    return true;
}

static const char *token_text(struct fy_token *t, size_t *len)
{
    *len = 0;
    const char *s = t ? fy_token_get_text(t, len) : NULL;
    return s ? s : "";
}

/* Handles one event; false stops the walk (a limit, or out of memory). */
static bool on_event(guard *g, struct fy_event *e)
{
    const struct fy_mark *at = fy_event_start_mark(e);
    size_t len;
    bool ok = true;
    switch (e->type) {
    case FYET_SCALAR: {
        const char *a = token_text(e->scalar.anchor, &len);
        size_t vlen;
        token_text(e->scalar.value, &vlen);
        totals t = {1, vlen, 0};
        ok = add(g, &t, at) && (!len || remember(g, a, len, &t));
        break;
    }
    case FYET_ALIAS: {
        const char *a = token_text(e->alias.anchor, &len);
        anchor key = {(char *)a, len, {0, 0, 0}};
        anchor **found = tfind(&key, &g->anchors, cmp_anchor);
        if (++g->aliases > g->lim->max_aliases) {
            fail(g, at, "YAML with more than %zu aliases", g->lim->max_aliases);
            ok = false;
        } else if (found) {
            ok = add(g, &(*found)->t, at);
        }
        break;
    }
    case FYET_SEQUENCE_START:
    case FYET_MAPPING_START: {
        if (g->depth == g->cap) {
            size_t nc = g->cap ? g->cap * 2 : 32;
            frame *ns = realloc(g->stack, nc * sizeof *ns);
            if (!ns) {
                ok = false;
                break;
            }
            g->stack = ns;
            g->cap = nc;
        }
        struct fy_token *anchor =
            e->type == FYET_SEQUENCE_START ? e->sequence_start.anchor : e->mapping_start.anchor;
        frame *f = &g->stack[g->depth++];
        f->t = (totals){1, 0, 0};
        f->anchor = token_text(anchor, &f->anchor_len);
        f->start = e; /* freed at the end of the collection: the anchor text lives in it */
        if (g->depth <= g->lim->max_depth) return true;
        fail(g, at, "YAML nested deeper than %zu levels (aliases expanded)", g->lim->max_depth);
        return false;
    }
    case FYET_SEQUENCE_END:
    case FYET_MAPPING_END:
        if (g->depth > 0) {
            frame f = g->stack[--g->depth];
            ok = add(g, &f.t, at) && (!f.anchor_len || remember(g, f.anchor, f.anchor_len, &f.t));
            fy_parser_event_free(g->fyp, f.start);
        }
        break;
    default:
        break;
    }
    fy_parser_event_free(g->fyp, e);
    return ok;
}

/* Runs the guard over the parser's input. */
static bool run(struct fy_parser *fyp, const mg_yaml_limits *lim, mg_yaml_problem *p)
{
    guard g = {.lim = lim, .fyp = fyp, .p = p};
    bool ok = true;
    struct fy_event *e;
    while (ok && (e = fy_parser_parse(fyp)))
        ok = on_event(&g, e);
    if (!ok && !p->what[0]) snprintf(p->what, sizeof p->what, "out of memory checking the YAML");
    while (g.depth > 0)
        fy_parser_event_free(fyp, g.stack[--g.depth].start);
    free(g.stack);
    tdestroy(g.anchors, free_anchor);
    return ok;
}

struct fy_diag *mg_yaml_quiet_diag(void)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (diag) fy_diag_set_collect_errors(diag, true);
    return diag;
}

/* Runs the guard with a parser that prints nothing (a syntax error is the real parse's to
 * report) on the input set by `input` (text or file). The diagnostics object outlives the
 * parser: libfyaml frees the errors it collected only when it is destroyed after them. */
static bool check(int (*input)(struct fy_parser *, const void *, size_t), const void *arg,
                  size_t len, const mg_yaml_limits *lim, mg_yaml_problem *p)
{
    memset(p, 0, sizeof *p);
    struct fy_diag *diag = mg_yaml_quiet_diag();
    struct fy_parse_cfg pc = {.flags = FYPCF_QUIET, .diag = diag};
    struct fy_parser *fyp = diag ? fy_parser_create(&pc) : NULL;
    /* an input that cannot be set (a file that cannot be opened) passes: the caller's own
     * reading reports it */
    bool ok = fyp && (input(fyp, arg, len) != 0 || run(fyp, lim, p));
    if (!fyp) snprintf(p->what, sizeof p->what, "out of memory checking the YAML");
    fy_parser_destroy(fyp);
    if (diag) fy_diag_destroy(diag);
    return ok;
}

static int input_text(struct fy_parser *fyp, const void *text, size_t len)
{
    return fy_parser_set_string(fyp, text, len);
}

static int input_file(struct fy_parser *fyp, const void *path, size_t len)
{
    (void)len;
    return fy_parser_set_input_file(fyp, path);
}

bool mg_yaml_check(const char *text, size_t len, const mg_yaml_limits *lim, mg_yaml_problem *p)
{
    return check(input_text, text, len, lim, p);
}

bool mg_yaml_check_file(const char *path, const mg_yaml_limits *lim, mg_yaml_problem *p)
{
    return check(input_file, path, 0, lim, p);
}
