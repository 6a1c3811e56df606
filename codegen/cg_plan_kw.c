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

#include "cg_plan.h"

static const char *const known[] = {
    "$anchor",
    "$comment",
    "$defs",
    "$dynamicAnchor",
    "$dynamicRef",
    "$id",
    "$recursiveAnchor",
    "$recursiveRef",
    "$ref",
    "$schema",
    "$vocabulary",
    "additionalItems",
    "additionalProperties",
    "allOf",
    "anyOf",
    "const",
    "contains",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "default",
    "definitions",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "deprecated",
    "description",
    "discriminator",
    "else",
    "enum",
    "example",
    "examples",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "externalDocs",
    "format",
    "id",
    "if",
    "items",
    "maxContains",
    "maxItems",
    "maxLength",
    "maxProperties",
    "maximum",
    "minContains",
    "minItems",
    "minLength",
    "minProperties",
    "minimum",
    "multipleOf",
    "not",
    "nullable",
    "oneOf",
    "pattern",
    "patternProperties",
    "prefixItems",
    "properties",
    "propertyNames",
    "readOnly",
    "required",
    "then",
    "title",
    "type",
    "unevaluatedItems",
    "unevaluatedProperties",
    "uniqueItems",
    "writeOnly",
    "xml",
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
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t dk = distance(name, len, known[i], strlen(known[i]), limit);
        if (dk < best_d) {
            best = known[i];
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
            bsearch(&k, known, sizeof known / sizeof known[0], sizeof known[0], cmp_str))
            continue;
        char *q = NULL;
        size_t ql = 0;
        FILE *qs = open_memstream(&q, &ql);
        if (!qs) abort();
        cj_write_str(qs, k, kl);
        fclose(qs);
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
