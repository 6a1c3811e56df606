/* cg_yaml.c - reads YAML documents (AsyncAPI contracts, schemas) into codegen's JSON model.
 *
 * Design: libfyaml parses the file, resolves aliases and merge keys, and emits the document in
 * its type-preserving JSON mode; cj_parse then reads that text, so a YAML file becomes the same
 * tree a JSON file does (JSON Pointers in error messages mean the same thing for both). YAML
 * syntax errors are printed by libfyaml with file, line and column. A file holding more than
 * one document is refused. Single-threaded, no state kept.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"

bool cg_is_yaml_path(const char *path)
{
    size_t n = strlen(path);
    return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

cj_node *cg_yaml_parse_file(const char *path, char *err, size_t errlen)
{
    struct fy_parse_cfg cfg = {.flags = FYPCF_DEFAULT_PARSE};
    struct fy_parser *fyp = fy_parser_create(&cfg);
    if (!fyp || fy_parser_set_input_file(fyp, path) != 0) {
        snprintf(err, errlen, "%s: cannot read", path);
        fy_parser_destroy(fyp);
        return NULL;
    }
    cj_node *root = NULL;
    struct fy_document *fyd = fy_parse_load_document(fyp);
    struct fy_document *more = fyd ? fy_parse_load_document(fyp) : NULL;
    if (!fyd || fy_parser_get_stream_error(fyp)) {
        snprintf(err, errlen, "%s: not valid YAML (libfyaml's message above)", path);
    } else if (more) {
        snprintf(err, errlen, "%s: holds more than one YAML document", path);
    } else if (!fy_document_root(fyd)) {
        snprintf(err, errlen, "%s: empty YAML document", path);
    } else if (fy_document_resolve(fyd) != 0) {
        snprintf(err, errlen, "%s: cannot resolve YAML aliases or merge keys", path);
    } else {
        char *text = fy_emit_document_to_string(fyd, FYECF_MODE_JSON_TP);
        char perr[400];
        root = text ? cj_parse(text, strlen(text), perr, sizeof perr) : NULL;
        if (!root)
            snprintf(err, errlen, "%s: YAML that has no JSON form (%s)", path,
                     text ? perr : "emit failed");
        free(text);
    }
    if (more) fy_parse_document_destroy(fyp, more);
    if (fyd) fy_parse_document_destroy(fyp, fyd);
    fy_parser_destroy(fyp);
    return root;
}

cj_node *cg_parse_file(const char *path, char *err, size_t errlen)
{
    return cg_is_yaml_path(path) ? cg_yaml_parse_file(path, err, errlen)
                                 : cj_parse_file(path, err, errlen);
}
