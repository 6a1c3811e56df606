/* cg_registry.c - schema documents, resources, anchors and reference resolution.
 *
 * Design: every document (an input, a file reached through --map, a dialect metaschema) is
 * loaded once and scanned once. The scan visits only schema positions (the keywords of the
 * node's dialect that hold subschemas), so an "$id" inside "const" or an unknown keyword is
 * not an identifier. Each visited node gets a cg_info (base URI, dialect, vocabularies); each
 * "$id" registers a resource, each anchor a "uri#name" key. A node reached by JSON Pointer
 * that the scan did not visit inherits from its nearest visited ancestor. Nothing here is
 * fetched from a network: unknown URIs are errors. Single-threaded; owned by the cg.
 */
#include "cg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cg_openapi.h"
#include "cg_plan.h"
#include "cg_uri.h"
#include "mg_escape.h"

#define DEFAULT_METASCHEMAS "/usr/lib/python3/dist-packages/jsonschema/schemas"

/* ---- errors ---- */

static const cg_doc *doc_of(const cg *g, const cj_node *n)
{
    const cj_node *r = cj_root(n);
    for (size_t i = 0; i < g->ndocs; i++)
        if (cj_root(g->docs[i]->root) == r) return g->docs[i];
    return NULL;
}

/* Counts an error; true when it is to be printed (the first CG_MAX_ERRORS are). */
static bool count_error(cg *g)
{
    return ++g->nerrors <= CG_MAX_ERRORS;
}

/* Writes one line: "where: " + tag + the message, escaped by the validator's one rule for
 * text bound for a log or a terminal (mg_escape.h), so no byte of a schema or a file name can
 * split the line or forge another. Backslashes are kept (MG_ESC_ESCAPED): messages quote
 * patterns as JSON strings already, and doubling their backslashes would only blur them. */
static void put_line(cg *g, const char *where, const char *tag, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    char *line = cg_fmt("%s: %s%s", where, tag, msg ? msg : "(out of memory)");
    size_t n = line ? strlen(line) : 0, need = mg_escape(NULL, 0, line, n, MG_ESC_ESCAPED) + 1;
    char *esc = line ? malloc(need) : NULL;
    if (esc) mg_escape(esc, need, line, n, MG_ESC_ESCAPED);
    fprintf(g->err, "%s\n", esc ? esc : "(out of memory)");
    free(esc);
    free(line);
    free(msg);
}

/* "file: /pointer: " + tag + the message. */
static void report(cg *g, const cj_node *at, const char *tag, const char *fmt, va_list ap)
{
    char ptr[1024] = "";
    if (at) cj_pointer_of(at, ptr, sizeof ptr);
    const cg_doc *d = at ? doc_of(g, at) : NULL;
    int line, col;
    char *where = at && cg_yaml_mark(g, at, &line, &col)
                      ? cg_fmt("%s: %s (line %d, column %d)", d ? d->path : "?",
                               ptr[0] ? ptr : "(root)", line, col)
                      : cg_fmt("%s: %s", d ? d->path : "?", ptr[0] ? ptr : "(root)");
    put_line(g, where ? where : "?", tag, fmt, ap);
    free(where);
}

void cg_error(cg *g, const cj_node *at, const char *fmt, ...)
{
    if (!count_error(g)) return;
    va_list ap;
    va_start(ap, fmt);
    report(g, at, "", fmt, ap);
    va_end(ap);
}

void cg_warn(cg *g, const cj_node *at, const char *fmt, ...)
{
    if (!g->opt.warnings) return;
    va_list ap;
    va_start(ap, fmt);
    report(g, at, "warning: ", fmt, ap);
    va_end(ap);
}

void cg_error_doc(cg *g, const char *file, const char *fmt, ...)
{
    if (!count_error(g)) return;
    va_list ap;
    va_start(ap, fmt);
    put_line(g, file, "", fmt, ap);
    va_end(ap);
}

bool cg_too_many_errors(const cg *g)
{
    return g->nerrors > CG_MAX_ERRORS;
}

char *cg_fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

char *cg_location(cg *g, const cj_node *n, const char *keyword)
{
    char ptr[2048];
    cj_pointer_of(n, ptr, sizeof ptr);
    const cg_doc *d = doc_of(g, n);
    const char *label = d ? d->label : "";
    size_t cap = strlen(label) + strlen(ptr) + (keyword ? strlen(keyword) * 2 + 2 : 0) + 2;
    char *out = malloc(cap);
    char *p = out + sprintf(out, "%s#%s", label, ptr);
    if (keyword) {
        *p++ = '/';
        for (const char *k = keyword; *k; k++) {
            if (*k == '~' || *k == '/') {
                *p++ = '~';
                *p++ = *k == '~' ? '0' : '1';
            } else {
                *p++ = *k;
            }
        }
        *p = 0;
    }
    return out;
}

/* ---- dialects ---- */

static bool dialect_of_uri(const char *u, cg_dialect *d)
{
    static const struct {
        const char *uri;
        cg_dialect d;
    } known[] = {
        {"https://json-schema.org/draft/2020-12/schema", CG_D2020},
        {"https://json-schema.org/draft/2019-09/schema", CG_D2019},
        {"http://json-schema.org/draft-07/schema", CG_D7},
        {"http://json-schema.org/draft-06/schema", CG_D6},
        {"http://json-schema.org/draft-04/schema", CG_D4},
    };
    size_t n = strlen(u);
    if (n && u[n - 1] == '#') n--;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].uri) == n && strncmp(known[i].uri, u, n) == 0) {
            *d = known[i].d;
            return true;
        }
    /* OpenAPI 3.1's dialect (base, or a dated release): 2020-12 with annotation keywords */
    if (strncmp(u, "https://spec.openapis.org/oas/3.1/dialect/", 42) == 0 && u[42]) {
        *d = CG_D2020;
        return true;
    }
    return false;
}

bool cg_known_dialect(const char *uri, cg_dialect *d)
{
    return dialect_of_uri(uri, d);
}

static const char *metaschema_file(const char *u)
{
    static const struct {
        const char *uri, *file;
    } known[] = {
        {"https://json-schema.org/draft/2020-12/schema", "draft2020-12.json"},
        {"https://json-schema.org/draft/2019-09/schema", "draft2019-09.json"},
        {"http://json-schema.org/draft-07/schema", "draft7.json"},
        {"http://json-schema.org/draft-06/schema", "draft6.json"},
        {"http://json-schema.org/draft-04/schema", "draft4.json"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].uri, u) == 0) return known[i].file;
    if (strncmp(u, "https://json-schema.org/draft/", 30) == 0 && strstr(u, "/meta/"))
        return "vocabularies.json";
    return NULL;
}

typedef enum { K_ONE, K_ARRAY, K_MAP, K_ONE_OR_ARRAY, K_DEPS } kw_shape;

typedef struct kw_def {
    const char *name;
    kw_shape shape;
    int min, max; /* dialects */
} kw_def;

static const kw_def schema_keywords[] = {
    {"additionalProperties", K_ONE, 4, 2020},
    {"propertyNames", K_ONE, 6, 2020},
    {"not", K_ONE, 4, 2020},
    {"if", K_ONE, 7, 2020},
    {"then", K_ONE, 7, 2020},
    {"else", K_ONE, 7, 2020},
    {"contains", K_ONE, 6, 2020},
    {"additionalItems", K_ONE, 4, 2019},
    {"unevaluatedProperties", K_ONE, 2019, 2020},
    {"unevaluatedItems", K_ONE, 2019, 2020},
    {"contentSchema", K_ONE, 2019, 2020},
    {"items", K_ONE_OR_ARRAY, 4, 2019},
    {"items", K_ONE, 2020, 2020},
    {"prefixItems", K_ARRAY, 2020, 2020},
    {"allOf", K_ARRAY, 4, 2020},
    {"anyOf", K_ARRAY, 4, 2020},
    {"oneOf", K_ARRAY, 4, 2020},
    {"properties", K_MAP, 4, 2020},
    {"patternProperties", K_MAP, 4, 2020},
    {"$defs", K_MAP, 2019, 2020},
    {"definitions", K_MAP, 4, 2020},
    {"dependentSchemas", K_MAP, 2019, 2020},
    {"dependencies", K_DEPS, 4, 2020},
};

/* ---- scanning ---- */

/* by_node is keyed by the node's address. */
static cg_info *info_at(const cg *g, const cj_node *n)
{
    return cg_map_getn(&g->by_node, &n, sizeof n);
}

static cg_info *new_info(cg *g, const cj_node *n, const char *base, cg_dialect d, unsigned vocab,
                         cg_doc *doc)
{
    cg_info *in = calloc(1, sizeof *in);
    in->node = n;
    in->base = strdup(base);
    in->dialect = d;
    in->vocab = vocab;
    in->doc = doc;
    in->fn = -1;
    in->dyn_resource = -1;
    if (g->ninfos == g->cinfos) {
        g->cinfos = g->cinfos ? g->cinfos * 2 : 256;
        g->infos = realloc(g->infos, g->cinfos * sizeof *g->infos);
    }
    g->infos[g->ninfos++] = in;
    cg_map_putn(&g->by_node, &n, sizeof n, in);
    return in;
}

static cg_info *load_uri(cg *g, const char *abs, char **tried, char *why, size_t whylen);

/* Dialect and vocabularies named by a "$schema" value. */
static bool dialect_of_schema(cg *g, const cj_node *sch, cg_dialect *d, unsigned *vocab, int depth)
{
    if (sch->type != CJ_STRING) {
        cg_error(g, sch, "$schema must be a string");
        return false;
    }
    if (dialect_of_uri(sch->str, d)) {
        *vocab = CG_V_ALL;
        return true;
    }
    if (depth > 8) {
        cg_error(g, sch, "$schema chain too deep");
        return false;
    }
    char *abs, *frag;
    cg_uri_split(sch->str, &abs, &frag);
    char *tried = NULL, why[1024];
    cg_info *meta = load_uri(g, abs, &tried, why, sizeof why);
    free(abs);
    free(frag);
    if (!meta || meta->node->type != CJ_OBJECT) {
        if (why[0])
            cg_error(g, sch, "metaschema %s: %s", sch->str, why);
        else
            cg_error(g, sch, "unknown metaschema %s (not a known dialect, %s%s)", sch->str,
                     tried ? "no file: tried " : "not mapped to a file", tried ? tried : "");
        free(tried);
        return false;
    }
    free(tried);
    const cj_node *msch = cj_get(meta->node, "$schema");
    *d = meta->dialect;
    if (msch && !dialect_of_schema(g, msch, d, vocab, depth + 1)) return false;
    const cj_node *voc = cj_get(meta->node, "$vocabulary");
    if (!voc || voc->type != CJ_OBJECT) {
        *vocab = CG_V_ALL;
        return true;
    }
    *vocab = 0;
    for (size_t i = 0; i < voc->n; i++) {
        const char *v = voc->keys[i];
        const char *slash = strrchr(v, '/');
        const char *name = slash ? slash + 1 : v;
        bool known = strstr(v, "json-schema.org/draft/") != NULL;
        if (known && strcmp(name, "applicator") == 0)
            *vocab |= CG_V_APPLICATOR;
        else if (known && strcmp(name, "validation") == 0)
            *vocab |= CG_V_VALIDATION;
        else if (known && strcmp(name, "unevaluated") == 0)
            *vocab |= CG_V_UNEVALUATED;
        else if (known && (strcmp(name, "format-assertion") == 0))
            *vocab |= CG_V_FORMAT_ASSERT;
        else if (!known && voc->items[i]->type == CJ_TRUE) {
            cg_error(g, sch, "metaschema %s requires vocabulary %s, which meshgate does not know",
                     sch->str, v);
            return false;
        }
    }
    if (*d == CG_D2019 && (*vocab & CG_V_APPLICATOR)) *vocab |= CG_V_UNEVALUATED;
    return true;
}

static void scan(cg *g, const cj_node *n, cg_doc *doc, const char *base, cg_dialect d,
                 unsigned vocab, bool is_root);

static void scan_children(cg *g, const cj_node *n, cg_doc *doc, const char *base, cg_dialect d,
                          unsigned vocab)
{
    for (size_t i = 0; i < n->n; i++) {
        const char *key = n->keys[i];
        const cj_node *v = n->items[i];
        for (size_t k = 0; k < sizeof schema_keywords / sizeof schema_keywords[0]; k++) {
            const kw_def *kw = &schema_keywords[k];
            if ((int)d < kw->min || (int)d > kw->max || strcmp(kw->name, key) != 0) continue;
            bool is_arr = v->type == CJ_ARRAY;
            if (kw->shape == K_ONE || (kw->shape == K_ONE_OR_ARRAY && !is_arr)) {
                scan(g, v, doc, base, d, vocab, false);
            } else if ((kw->shape == K_ARRAY || kw->shape == K_ONE_OR_ARRAY) && is_arr) {
                for (size_t j = 0; j < v->n; j++)
                    scan(g, v->items[j], doc, base, d, vocab, false);
            } else if ((kw->shape == K_MAP || kw->shape == K_DEPS) && v->type == CJ_OBJECT) {
                for (size_t j = 0; j < v->n; j++)
                    if (kw->shape == K_MAP || v->items[j]->type != CJ_ARRAY)
                        scan(g, v->items[j], doc, base, d, vocab, false);
            }
            break;
        }
    }
}

static void infos_push(cg_infos *l, cg_info *in)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = in;
}

static void add_anchor(cg *g, cg_info *in, const char *base, const char *name, bool dynamic)
{
    size_t len = strlen(base) + strlen(name) + 2;
    char *k = malloc(len);
    snprintf(k, len, "%s#%s", base, name);
    cg_map_put(&g->anchors, k, in);
    cg_map_put(&in->doc->local, k, in);
    if (dynamic && !cg_map_get(&g->dynamic, k)) {
        cg_map_put(&g->dynamic, k, in);
        cg_map_put(&g->dyn_bases, base, in);
        cg_infos *l = cg_map_get(&g->dyn_names, name);
        if (!l) {
            l = calloc(1, sizeof *l);
            cg_map_put(&g->dyn_names, name, l);
        }
        infos_push(l, in);
    }
    free(k);
}

static void scan(cg *g, const cj_node *n, cg_doc *doc, const char *base, cg_dialect d,
                 unsigned vocab, bool is_root)
{
    if (g->ninfos >= CG_MAX_SCHEMAS) {
        if (!g->limit_hit)
            cg_error(g, n, "more than %d schemas: the limit of one codegen run (split the set)",
                     CG_MAX_SCHEMAS);
        g->limit_hit = true;
        return;
    }
    if (n->type == CJ_TRUE || n->type == CJ_FALSE) {
        new_info(g, n, base, d, vocab, doc);
        return;
    }
    if (n->type != CJ_OBJECT) return;
    char *own_base = NULL;
    const cj_node *sch = cj_get(n, "$schema");
    const cj_node *id = cj_get(n, d == CG_D4 ? "id" : "$id");
    if (sch && (is_root || (id && id->type == CJ_STRING))) {
        if (!dialect_of_schema(g, sch, &d, &vocab, 0)) return;
        id = cj_get(n, d == CG_D4 ? "id" : "$id");
    }
    /* Up to draft-07, "$ref" makes every sibling keyword, "$id" included, ignored. */
    if (id && (id->type != CJ_STRING || (d <= CG_D7 && cj_get(n, "$ref")))) id = NULL;
    char *anchor_from_id = NULL;
    if (id) {
        if (d <= CG_D7 && id->str[0] == '#') {
            anchor_from_id = strdup(id->str + 1);
        } else {
            char *full = cg_uri_resolve(base, id->str);
            char *abs, *frag;
            cg_uri_split(full, &abs, &frag);
            free(full);
            if (frag && *frag && d >= CG_D2019 && frag[0] != '/')
                cg_error(g, id, "$id must not contain a fragment (use $anchor)");
            if (frag && *frag && d <= CG_D7) anchor_from_id = strdup(frag);
            free(frag);
            own_base = abs;
            base = own_base;
        }
    }
    cg_info *in = new_info(g, n, base, d, vocab, doc);
    in->resource_root = is_root || own_base != NULL;
    if (own_base && !cg_map_get(&g->resources, own_base)) cg_map_put(&g->resources, own_base, in);
    if (own_base && !cg_map_get(&doc->local, own_base)) cg_map_put(&doc->local, own_base, in);
    if (anchor_from_id) add_anchor(g, in, base, anchor_from_id, false);
    free(anchor_from_id);
    if (d >= CG_D2019) {
        const cj_node *a = cj_get(n, "$anchor");
        if (a && a->type == CJ_STRING) add_anchor(g, in, base, a->str, false);
        const cj_node *da = d >= CG_D2020 ? cj_get(n, "$dynamicAnchor") : NULL;
        if (da && da->type == CJ_STRING) add_anchor(g, in, base, da->str, true);
        const cj_node *ra = d == CG_D2019 ? cj_get(n, "$recursiveAnchor") : NULL;
        if (ra && ra->type == CJ_TRUE && in->resource_root && !cg_map_get(&g->recursive, base)) {
            cg_map_put(&g->recursive, base, in);
            infos_push(&g->recursive_order, in);
        }
    }
    scan_children(g, n, doc, base, d, vocab);
    free(own_base);
}

/* ---- documents ---- */

static cg_doc *add_doc(cg *g, cj_node *root, const char *uri, const char *path, bool input)
{
    cg_doc *doc = calloc(1, sizeof *doc);
    doc->root = root;
    doc->uri = strdup(uri);
    doc->path = strdup(path);
    doc->label = strdup(input ? "" : uri);
    doc->input = input;
    g->docs = cg_xgrow(g->docs, g->ndocs, sizeof *g->docs);
    g->docs[g->ndocs++] = doc;
    return doc;
}

static cg_info *register_doc(cg *g, cj_node *root, const char *uri, const char *path, bool input)
{
    cg_doc *doc = add_doc(g, root, uri, path, input);
    size_t before = g->ninfos;
    scan(g, root, doc, uri, g->opt.default_dialect, CG_V_ALL, true);
    if (g->ninfos == before) return NULL;
    cg_info *in = g->infos[before];
    if (!cg_map_get(&g->resources, uri)) cg_map_put(&g->resources, uri, in);
    if (!cg_map_get(&doc->local, uri)) cg_map_put(&doc->local, uri, in);
    return in;
}

/* A bundle file maps URIs to schemas (the vocabulary metaschemas); it is parsed once and each
 * entry is registered when first asked for. */
static cg_info *load_bundle(cg *g, const char *path, const char *want)
{
    cj_node *root = cg_map_get(&g->bundles, path);
    if (!root) {
        char err[512];
        root = cg_parse_file(path, err, sizeof err);
        if (!root) {
            cg_parse_error(g, path, err);
            return NULL;
        }
        add_doc(g, root, path, path, false);
        cg_map_put(&g->bundles, path, root);
    }
    const cj_node *entry = cj_get(root, want);
    if (!entry) return NULL;
    cg_doc *doc = add_doc(g, (cj_node *)entry, want, path, false);
    size_t before = g->ninfos;
    scan(g, entry, doc, want, g->opt.default_dialect, CG_V_ALL, true);
    if (g->ninfos == before) return NULL;
    if (!cg_map_get(&g->resources, want)) cg_map_put(&g->resources, want, g->infos[before]);
    return g->infos[before];
}

static char *mapped_path(cg *g, const char *abs, bool *by_map)
{
    *by_map = false;
    for (size_t i = 0; i < g->opt.nmap; i++) {
        size_t pl = strlen(g->opt.map_uri[i]);
        if (strncmp(abs, g->opt.map_uri[i], pl) == 0) {
            *by_map = true;
            size_t len = strlen(g->opt.map_dir[i]) + strlen(abs + pl) + 2;
            char *p = malloc(len);
            const char *dir = g->opt.map_dir[i];
            size_t dl = strlen(dir);
            snprintf(p, len, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", abs + pl);
            return p;
        }
    }
    const char *mf = metaschema_file(abs);
    if (mf) {
        const char *dir = g->opt.metaschema_dir ? g->opt.metaschema_dir : DEFAULT_METASCHEMAS;
        size_t len = strlen(dir) + strlen(mf) + 2;
        char *p = malloc(len);
        snprintf(p, len, "%s/%s", dir, mf);
        return p;
    }
    return cg_uri_to_path(abs);
}

/* ---- the folders references may read ---- */

static bool under(const char *path, const char *dir)
{
    size_t dl = strlen(dir);
    if (dl == 1 && dir[0] == '/') return path[0] == '/';
    return strncmp(path, dir, dl) == 0 && (path[dl] == '/' || path[dl] == 0);
}

static bool in_allowed(const cg *g, const char *path, bool lexical)
{
    for (size_t i = 0; i < g->ndirs; i++)
        if ((lexical && under(path, g->dirs[i].lexical)) || under(path, g->dirs[i].real))
            return true;
    return false;
}

void cg_allow_dir(cg *g, const char *dir)
{
    char *real = realpath(dir, NULL);
    if (!real) return; /* nothing can be read from a folder that does not exist */
    if (cg_map_get(&g->dir_index, real)) {
        free(real);
        return;
    }
    cg_map_put(&g->dir_index, real, g);
    g->dirs = realloc(g->dirs, (g->ndirs + 1) * sizeof *g->dirs);
    g->dirs[g->ndirs].lexical = cg_path_absolute(dir);
    g->dirs[g->ndirs++].real = real;
}

/* The real path of a file a reference names, when it lies inside an allowed folder both as
 * written (no ".." out of it) and once symbolic links are resolved (none leads out of it).
 * NULL otherwise, with why filled in - or left empty when the file does not exist. */
static char *allowed_path(const cg *g, const char *path, char *why, size_t whylen)
{
    why[0] = 0;
    char *lex = cg_path_absolute(path);
    bool inside = lex && in_allowed(g, lex, true);
    free(lex);
    if (!inside) {
        snprintf(why, whylen, "%s is outside the folders codegen reads (%s)", path,
                 CG_READ_DIRS_TEXT);
        return NULL;
    }
    char *real = realpath(path, NULL);
    if (!real) {
        if (errno != ENOENT && errno != ENOTDIR)
            snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!in_allowed(g, real, false)) {
        snprintf(why, whylen,
                 "%s leads through a symbolic link outside the folders codegen reads (%s)", path,
                 CG_READ_DIRS_TEXT);
        free(real);
        return NULL;
    }
    return real;
}

/* Reads and registers the file at path as the document abs. NULL when it cannot: why says
 * what keeps codegen from reading it (outside the allowed folders), *missing that it does not
 * exist; otherwise an error in it was reported. */
static cg_info *load_file(cg *g, const char *abs, const char *path, char *why, size_t whylen,
                          bool *missing)
{
    *missing = false;
    char *real = allowed_path(g, path, why, whylen);
    if (!real) {
        *missing = !why[0];
        return NULL;
    }
    cg_info *in = NULL;
    if (strcmp(metaschema_file(abs) ? metaschema_file(abs) : "", "vocabularies.json") == 0) {
        in = load_bundle(g, real, abs);
    } else {
        char err[512];
        cj_node *root = cg_parse_doc(g, real, err, sizeof err);
        if (root) {
            in = register_doc(g, root, abs, path, false);
            if (in) cg_openapi_referenced(root, in);
        } else {
            cg_parse_error(g, real, err);
        }
    }
    free(real);
    return in;
}

/* The document at abs: its file (mapped_path), or for a --map'd URI whose file does not exist
 * the same name with ".json" (references often leave the extension out). NULL when there is
 * none: why says what keeps codegen from reading the file (outside the allowed folders); when
 * no file exists, *tried (malloc'd) names the files looked for. */
static cg_info *load_uri(cg *g, const char *abs, char **tried, char *why, size_t whylen)
{
    *tried = NULL;
    why[0] = 0;
    cg_info *in = cg_map_get(&g->resources, abs);
    if (in) return in;
    bool by_map;
    char *path = mapped_path(g, abs, &by_map);
    if (!path) return NULL;
    bool missing;
    in = load_file(g, abs, path, why, whylen, &missing);
    size_t pl = strlen(path);
    if (!in && missing && by_map && !(pl > 5 && strcmp(path + pl - 5, ".json") == 0)) {
        char *alt = cg_fmt("%s.json", path);
        in = alt ? load_file(g, abs, alt, why, whylen, &missing) : NULL;
        if (!in && missing) *tried = cg_fmt("%s and %s", path, alt);
        free(alt);
    } else if (!in && missing) {
        *tried = strdup(path);
    }
    free(path);
    return in;
}

void cg_init(cg *g, const cg_options *opt)
{
    memset(g, 0, sizeof *g);
    g->opt = *opt;
    g->err = stderr;
    for (size_t i = 0; i < opt->nmap; i++)
        cg_allow_dir(g, opt->map_dir[i]);
    cg_allow_dir(g, opt->metaschema_dir ? opt->metaschema_dir : DEFAULT_METASCHEMAS);
}

void cg_free(cg *g)
{
    for (size_t i = 0; i < g->ninfos; i++) {
        free((char *)g->infos[i]->base);
        free(g->infos[i]);
    }
    free(g->infos);
    /* roots first: a bundle's entries are nodes inside its root */
    for (size_t i = 0; i < g->ndocs; i++)
        if (g->docs[i]->root->parent) g->docs[i]->root = NULL;
    for (size_t i = 0; i < g->ndocs; i++) {
        cg_doc *d = g->docs[i];
        if (d->root) cj_free(d->root);
        free(d->uri);
        free(d->path);
        free(d->label);
        cg_map_free(&d->local);
        free(d);
    }
    free(g->docs);
    for (size_t i = 0; i < g->nentries; i++) {
        free(g->entries[i].name);
        free(g->entries[i].id);
        free(g->entries[i].source);
        free(g->entries[i].subject);
    }
    free(g->entries);
    cg_contracts_free(g);
    free(g->registry_dir);
    cg_plan_free(g->plan);
    g->plan = NULL;
    cg_map_free(&g->resources);
    cg_map_free(&g->anchors);
    cg_map_free(&g->dynamic);
    cg_map_free(&g->dyn_bases);
    for (size_t i = 0; i < g->dyn_names.cap; i++)
        if (g->dyn_names.slots[i].key) {
            cg_infos *l = g->dyn_names.slots[i].val;
            free(l->v);
            free(l);
        }
    cg_map_free(&g->dyn_names);
    cg_map_free(&g->recursive);
    free(g->recursive_order.v);
    cg_map_free(&g->by_node);
    cg_map_free(&g->bundles);
    cg_yaml_free(g);
    for (size_t i = 0; i < g->ndirs; i++) {
        free(g->dirs[i].lexical);
        free(g->dirs[i].real);
    }
    free(g->dirs);
    cg_map_free(&g->dir_index);
}

bool cg_add_schema_input(cg *g, cj_node *root, const char *path, const char *name)
{
    char *uri = cg_uri_from_path(path);
    size_t nerr = g->nerrors;
    cg_info *in = register_doc(g, root, uri, path, true);
    if (!in) {
        cg_error_doc(g, path, "not a schema (an object or a boolean)");
        free(uri);
        return false;
    }
    const cj_node *id =
        root->type == CJ_OBJECT ? cj_get(root, in->dialect == CG_D4 ? "id" : "$id") : NULL;
    g->entries = cg_xgrow(g->entries, g->nentries, sizeof *g->entries);
    cg_entry *e = &g->entries[g->nentries++];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    e->id = id && id->type == CJ_STRING && in->base[0] ? cg_uri_for_output(in->base)
                                                       : cg_path_relative(path);
    e->source = cg_path_relative(path);
    e->node = root;
    e->fn = -1;
    free(uri);
    return g->nerrors == nerr;
}

void cg_allow_dir_of(cg *g, const char *path)
{
    char *dir = strdup(path), *slash = strrchr(dir, '/');
    if (slash) slash[slash == dir ? 1 : 0] = 0;
    cg_allow_dir(g, slash ? dir : ".");
    free(dir);
}

void cg_parse_error(cg *g, const char *path, const char *err)
{
    size_t n = strlen(path);
    if (strncmp(err, path, n) == 0 && err[n] == ':' && err[n + 1] == ' ') err += n + 2;
    cg_error_doc(g, path, "%s", err);
}

cg_doc *cg_add_container(cg *g, cj_node *root, const char *path)
{
    char *uri = cg_uri_from_path(path);
    cg_doc *doc = add_doc(g, root, uri, path, true);
    doc->container = true;
    cg_info *in = new_info(g, root, uri, g->opt.default_dialect, CG_V_ALL, doc);
    in->resource_root = true;
    if (!cg_map_get(&g->resources, uri)) cg_map_put(&g->resources, uri, in);
    cg_map_put(&doc->local, uri, in);
    free(uri);
    return doc;
}

void cg_doc_alias(cg_doc *doc, const char *uri, cg_info *target)
{
    cg_map_put(&doc->local, uri, target);
}

cg_info *cg_add_synthetic(cg *g, cj_node *root, const char *uri, const char *path)
{
    return register_doc(g, root, uri, path, true);
}

cg_info *cg_add_schema_node(cg *g, cg_doc *doc, const cj_node *n, cg_dialect d)
{
    return cg_add_schema_node_vocab(g, doc, n, d, CG_V_ALL);
}

cg_info *cg_add_schema_node_vocab(cg *g, cg_doc *doc, const cj_node *n, cg_dialect d,
                                  unsigned vocab)
{
    cg_info *in = info_at(g, n);
    if (in) return in;
    size_t before = g->ninfos;
    scan(g, n, doc, doc->uri, d, vocab, true);
    return g->ninfos > before ? g->infos[before] : NULL;
}

void cg_add_entry(cg *g, const char *name, const char *id, const char *source, const cj_node *node)
{
    g->entries = cg_xgrow(g->entries, g->nentries, sizeof *g->entries);
    cg_entry *e = &g->entries[g->nentries++];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    e->id = cg_uri_for_output(id);
    e->source = cg_path_relative(source);
    e->node = node;
    e->fn = -1;
}

cg_info *cg_info_of(cg *g, const cj_node *node)
{
    cg_info *in = info_at(g, node);
    if (in) return in;
    const cj_node *p = node->parent;
    cg_info *anc = NULL;
    while (p && !anc) {
        anc = info_at(g, p);
        p = p->parent;
    }
    if (!anc) {
        for (size_t i = 0; i < g->ndocs; i++)
            if (g->docs[i]->root == cj_root(node))
                return new_info(g, node, g->docs[i]->uri, g->opt.default_dialect, CG_V_ALL,
                                g->docs[i]);
        return NULL;
    }
    return new_info(g, node, anc->base, anc->dialect, anc->vocab, anc->doc);
}

/* A reference that does not resolve: an error, or a warning where g->refs_lenient says so
 * (in a part no entry reaches, outside --strict: validators such as ajv compile those
 * lazily and never fail on them). */
static void ref_problem(cg *g, const cj_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ref_problem(cg *g, const cj_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    if (g->refs_lenient && !g->opt.strict)
        cg_warn(g, at, "%s (no entry reaches it; --strict makes this an error)",
                msg ? msg : "cannot resolve reference");
    else
        cg_error(g, at, "%s", msg ? msg : "cannot resolve reference");
    free(msg);
}

cg_info *cg_resolve(cg *g, const cj_node *from, const char *ref, const cj_node *err_at)
{
    cg_info *fi = cg_info_of(g, from);
    char *full = cg_uri_resolve(fi ? fi->base : "", ref);
    char *abs, *frag;
    cg_uri_split(full, &abs, &frag);
    cg_info *res = fi && fi->doc ? cg_map_get(&fi->doc->local, abs) : NULL;
    char *tried = NULL, why[1024];
    if (!res) res = load_uri(g, abs, &tried, why, sizeof why);
    cg_info *out = NULL;
    if (!res && why[0]) {
        ref_problem(g, err_at, "cannot resolve reference %s: %s", ref, why);
    } else if (!res && tried) {
        ref_problem(g, err_at, "cannot resolve reference %s: no schema at %s (no file: tried %s)",
                    ref, abs, tried);
    } else if (!res) {
        ref_problem(g, err_at, "cannot resolve reference %s: no schema at %s (map it with --map)",
                    ref, abs);
    } else if (!frag || !*frag) {
        out = res;
    } else if (frag[0] == '/') {
        size_t len;
        char *ptr = cg_uri_pct_decode(frag, &len);
        const cj_node *t = ptr ? cj_pointer_get((cj_node *)res->node, ptr, len) : NULL;
        free(ptr);
        if (!t)
            ref_problem(g, err_at, "cannot resolve reference %s: no value at %s#%s", ref, abs,
                        frag);
        else
            out = cg_info_of(g, t);
    } else {
        /* the anchor as the resource's own document registered it, then as anyone did */
        size_t len = strlen(abs) + strlen(res->base) + strlen(frag) + 2;
        char *k = malloc(len);
        snprintf(k, len, "%s#%s", res->base, frag);
        out = res->doc ? cg_map_get(&res->doc->local, k) : NULL;
        snprintf(k, len, "%s#%s", abs, frag);
        if (!out) out = cg_map_get(&g->anchors, k);
        if (!out)
            ref_problem(g, err_at, "cannot resolve reference %s: no anchor \"%s\" in %s", ref, frag,
                        abs);
        free(k);
    }
    free(tried);
    free(full);
    free(abs);
    free(frag);
    return out;
}

static size_t take(const cg_infos *l, cg_info **out, size_t cap)
{
    size_t n = l ? l->n : 0;
    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = l->v[i];
    return n;
}

size_t cg_dynamic_candidates(cg *g, const char *name, cg_info **out, size_t cap)
{
    return take(cg_map_get(&g->dyn_names, name), out, cap);
}

size_t cg_recursive_candidates(cg *g, cg_info **out, size_t cap)
{
    return take(&g->recursive_order, out, cap);
}
