/* cg_input.c - what an input file is, and where it goes.
 *
 * Design: the registry (cg_registry.c) knows JSON Schema documents only. An input is told
 * apart here, by its name (.cue) or its content (an "asyncapi" or "openapi" member), and
 * handed to the reader of its kind: cg_add_cue (CUE, exported to OpenAPI first),
 * cg_add_contract (AsyncAPI), cg_add_openapi (OpenAPI), or the registry as a schema.
 */
#include "cg.h"
#include "cg_contract.h"
#include "cg_openapi.h"
#include "cg_tool.h"

static bool add_root(cg *g, cj_node *root, const char *path, const char *name)
{
    if (cg_is_asyncapi(root)) return cg_add_contract(g, root, path);
    if (cg_is_openapi(root)) return cg_add_openapi(g, root, path);
    return cg_add_schema_input(g, root, path, name);
}

bool cg_add_input(cg *g, const char *path, const char *name)
{
    cg_allow_dir_of(g, path);
    if (cg_is_cue_path(path)) return cg_add_cue(g, path);
    char err[512];
    cj_node *root = cg_parse_doc(g, path, err, sizeof err);
    if (!root) {
        cg_parse_error(g, path, err);
        return false;
    }
    return add_root(g, root, path, name);
}

bool cg_add_input_text(cg *g, const char *text, size_t len, const char *path, const char *name)
{
    cg_allow_dir_of(g, path);
    char err[512];
    cj_node *root = cj_parse(text, len, err, sizeof err);
    if (!root) {
        cg_error_doc(g, path, "%s", err);
        return false;
    }
    return add_root(g, root, path, name);
}
