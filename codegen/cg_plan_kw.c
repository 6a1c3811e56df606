/* cg_plan_kw.c - unknown keywords and likely typos in a schema object (--strict).
 *
 * Design: every member name of a planned schema object is looked up in one sorted table of
 * the names JSON Schema (drafts 4 to 2020-12), its annotations and OpenAPI's Schema Object
 * give a meaning; "x-" extensions are everyone's to add. A name that is none of these is
 * ignored by validation, which hides typos: it is a warning naming file and JSON Pointer, an
 * error under --strict. When a known keyword is within a small edit distance (an optimal string
 * alignment distance, so "minLenght" is one transposition from "minLength"), or differs only in
 * case, the message names it. Each schema object is checked once, whichever forms it is
 * planned in. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_openapi.h"
#include "cg_plan.h"

/* The names with a meaning beyond OpenAPI 3.0's Schema Object fields (cg_oas30_keyword). */
static const char *const known[] = {
    "$anchor",
    "$comment",
    "$defs",
    "$dynamicAnchor",
    "$dynamicRef",
    "$id",
    "$recursiveAnchor",
    "$recursiveRef",
    "$schema",
    "$vocabulary",
    "additionalItems",
    "const",
    "contains",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "definitions",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "else",
    "examples",
    "id",
    "if",
    "maxContains",
    "minContains",
    "patternProperties",
    "prefixItems",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance of a[0..n) and b[0..m), case folded, or more than
 * limit (limit + 1) as soon as it must be. Names are short (known ones at most 21 bytes). */
static size_t distance(const char *a, size_t n, const char *b, size_t m, size_t limit)
{
    enum { MAX = 32 };
    if (n >= MAX || m >= MAX || (n > m ? n - m : m - n) > limit) return limit + 1;
    size_t d[MAX + 1][MAX + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = lower(a[i - 1]) != lower(b[j - 1]);
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* The known keyword name is most likely a typo of, or NULL. */
static const char *likely_meant(const char *name, size_t len)
{
    size_t limit = len >= 8 ? 2 : len >= 4 ? 1 : 0;
    const char *best = NULL;
    size_t best_d = limit + 1;
    size_t nknown = sizeof known / sizeof known[0];
    const char *k;
    for (size_t i = 0; (k = i < nknown ? known[i] : cg_oas30_field(i - nknown)); i++) {
        size_t dk = distance(name, len, k, strlen(k), limit);
        if (dk < best_d) {
            best = k;
            best_d = dk;
        }
    }
    return best_d <= limit ? best : NULL;
}

void cg_plan_keywords(cg *g, const cg_fn *f)
{
    const cj_node *n = f->node;
    cg_plan *p = g->plan;
    if (n->type != CJ_OBJECT || cg_map_getn(&p->kw_checked, &n, sizeof n)) return;
    cg_map_putn(&p->kw_checked, &n, sizeof n, p);
    for (size_t i = 0; i < n->n; i++) {
        const char *k = n->keys[i];
        size_t kl = n->key_lens[i];
        if (kl >= 2 && (k[0] == 'x' || k[0] == 'X') && k[1] == '-') continue; /* an extension */
        if (strlen(k) == kl &&
            (cg_oas30_keyword(k) ||
             bsearch(&k, known, sizeof known / sizeof known[0], sizeof known[0], cmp_str)))
            continue;
        char *q = cg_quoted(k, kl);
        const char *meant = likely_meant(k, kl);
        char *hint = meant ? cg_fmt(": did you mean \"%s\"?", meant) : strdup("");
        if (g->opt.strict)
            cg_error(g, n->items[i], "unknown keyword %s%s (refused with --strict)", q, hint);
        else
            cg_warn(g, n->items[i], "unknown keyword %s%s (ignored; --strict refuses it)", q, hint);
        free(hint);
        free(q);
    }
}
