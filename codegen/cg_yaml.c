/* cg_yaml.c - reads YAML documents (AsyncAPI contracts, schemas) into codegen's JSON model.
 *
 * Design: the file is read like any other (cg_read_file: a regular file, size-limited), then
 * the YAML guard (common/mg_yaml.h) counts what its aliases would expand to and refuses
 * a "billion laughs" before anything is built. libfyaml then parses the text, resolves
 * aliases and merge keys, and emits the document in its type-preserving JSON mode; cj_parse
 * reads that text, so a YAML file becomes the same tree a JSON file does (JSON Pointers in
 * error messages mean the same thing for both). libfyaml's diagnostics are collected, not
 * printed: the first becomes "FILE: line L, column C: ...". A file holding more than one
 * document is refused. Single-threaded, no state kept.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "cg_file.h"
#include "mg_yaml.h"

bool cg_is_yaml_path(const char *path)
{
    size_t n = strlen(path);
    return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

/* The resolved document as codegen's JSON tree, or NULL with the reason in err. */
static cj_node *to_json(struct fy_document *fyd, const char *path, char *err, size_t errlen)
{
    if (fy_document_resolve(fyd) != 0) {
        snprintf(err, errlen, "%s: cannot resolve YAML aliases or merge keys", path);
        return NULL;
    }
    char *text = fy_emit_document_to_string(fyd, FYECF_MODE_JSON_TP);
    char perr[400];
    cj_node *root = text ? cj_parse(text, strlen(text), perr, sizeof perr) : NULL;
    if (!root)
        snprintf(err, errlen, "%s: YAML that has no JSON form (%s)", path,
                 text ? perr : "emit failed");
    free(text);
    return root;
}

static cj_node *parse_text(const char *text, size_t len, const char *path, char *err, size_t errlen)
{
    struct fy_diag *diag = mg_yaml_quiet_diag();
    if (!diag) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET, .diag = diag};
    struct fy_parser *fyp = fy_parser_create(&cfg);
    struct fy_document *fyd = NULL, *more = NULL;
    if (fyp && fy_parser_set_string(fyp, text, len) == 0) {
        fyd = fy_parse_load_document(fyp);
        more = fyd ? fy_parse_load_document(fyp) : NULL;
    }
    cj_node *root = NULL;
    void *it = NULL;
    struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
    if (de)
        snprintf(err, errlen, "%s: line %d, column %d: not valid YAML: %s", path, de->line,
                 de->column, de->msg);
    else if (!fyd || fy_parser_get_stream_error(fyp))
        snprintf(err, errlen, "%s: not valid YAML", path);
    else if (more)
        snprintf(err, errlen, "%s: holds more than one YAML document", path);
    else if (!fy_document_root(fyd))
        snprintf(err, errlen, "%s: empty YAML document", path);
    else
        root = to_json(fyd, path, err, errlen);
    if (more) fy_parse_document_destroy(fyp, more);
    if (fyd) fy_parse_document_destroy(fyp, fyd);
    fy_parser_destroy(fyp);
    fy_diag_destroy(diag);
    return root;
}

cj_node *cg_yaml_parse_file(const char *path, char *err, size_t errlen)
{
    char *text, why[256];
    size_t len;
    if (!cg_read_file(path, &text, &len, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        return NULL;
    }
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    mg_yaml_problem yp;
    cj_node *root = NULL;
    if (!mg_yaml_check(text, len, &lim, &yp))
        snprintf(err, errlen, "%s: line %d, column %d: %s", path, yp.line, yp.column, yp.what);
    else
        root = parse_text(text, len, path, err, errlen);
    free(text);
    return root;
}

cj_node *cg_parse_file(const char *path, char *err, size_t errlen)
{
    return cg_is_yaml_path(path) ? cg_yaml_parse_file(path, err, errlen)
                                 : cj_parse_file(path, err, errlen);
}

/* ---- where a node was in the YAML text ----
 * The JSON tree keeps no positions, so for each YAML document read through cg_parse_doc a
 * second, unresolved libfyaml document of the same text is kept (keyed by the tree's root);
 * a node's position is found by walking it along the node's path when a message needs it. */

typedef struct yaml_pos {
    struct fy_document *fyd;
    char *text;
} yaml_pos;

cj_node *cg_parse_doc(cg *g, const char *path, char *err, size_t errlen)
{
    cj_node *root = cg_parse_file(path, err, errlen);
    if (!root || !cg_is_yaml_path(path)) return root;
    char *text, why[256];
    size_t len;
    if (!cg_read_file(path, &text, &len, why, sizeof why)) return root;
    /* the text parsed once already: no diagnostics to collect */
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_document *fyd = fy_document_build_from_string(&cfg, text, len);
    yaml_pos *yp = fyd ? malloc(sizeof *yp) : NULL;
    if (yp) {
        *yp = (yaml_pos){fyd, text}; /* the document may point into its text */
        cg_map_putn(&g->yaml_docs, &root, sizeof root, yp);
    } else {
        if (fyd) fy_document_destroy(fyd);
        free(text);
    }
    return root;
}

/* The pair of mapping m whose key is the scalar k[0..kl). */
static struct fy_node_pair *pair_of(struct fy_node *m, const char *k, size_t kl)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(m, &it))) {
        size_t len;
        const char *s = fy_node_get_scalar(fy_node_pair_key(p), &len);
        if (s && len == kl && memcmp(s, k, kl) == 0) return p;
    }
    return NULL;
}

bool cg_yaml_mark(cg *g, const cj_node *n, int *line, int *column)
{
    const cj_node *root = cj_root(n);
    const yaml_pos *yp = cg_map_getn(&g->yaml_docs, &root, sizeof root);
    if (!yp) return false;
    struct fy_document *fyd = yp->fyd;
    const cj_node *chain[CJ_MAX_DEPTH + 1];
    size_t depth = 0;
    for (const cj_node *c = n; c->parent && depth <= CJ_MAX_DEPTH; c = c->parent)
        chain[depth++] = c;
    struct fy_node *at = fy_document_root(fyd);
    struct fy_token *tok = NULL; /* the nearest scalar that names the node */
    while (depth-- && at) {
        const cj_node *c = chain[depth];
        if (c->parent->type == CJ_OBJECT) {
            struct fy_node_pair *p =
                fy_node_get_type(at) == FYNT_MAPPING
                    ? pair_of(at, c->parent->keys[c->index], c->parent->key_lens[c->index])
                    : NULL;
            if (p) tok = fy_node_get_scalar_token(fy_node_pair_key(p));
            at = p ? fy_node_pair_value(p) : NULL;
        } else {
            at = fy_node_get_type(at) == FYNT_SEQUENCE
                     ? fy_node_sequence_get_by_index(at, (int)c->index)
                     : NULL;
        }
        if (at && fy_node_get_type(at) == FYNT_SCALAR) tok = fy_node_get_scalar_token(at);
    }
    const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;
    if (!m) return false;
    *line = m->line + 1;
    *column = m->column + 1;
    return true;
}

void cg_yaml_free(cg *g)
{
    for (size_t i = 0; i < g->yaml_docs.cap; i++)
        if (g->yaml_docs.slots[i].key) {
            yaml_pos *yp = g->yaml_docs.slots[i].val;
            fy_document_destroy(yp->fyd);
            free(yp->text);
            free(yp);
        }
    cg_map_free(&g->yaml_docs);
}
