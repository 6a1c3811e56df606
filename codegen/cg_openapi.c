/* cg_openapi.c - reads OpenAPI 3.0 and 3.1 documents: each components.schemas entry becomes a
 * schema entry named after it (Pet), so a worker route can name it.
 *
 * Design: the document is registered as a container like an AsyncAPI contract, so
 * "#/components/schemas/Pet" and references into other files resolve like any reference. Its
 * root info carries the document's dialect, which every node inherits:
 *   - 3.1: JSON Schema 2020-12 (the OAS base dialect), or the dialect jsonSchemaDialect names;
 *     a schema's own $schema wins. discriminator, xml, externalDocs and example are
 *     annotations.
 *   - 3.0: the Schema Object of OpenAPI 3.0.3, an extended subset of JSON Schema Wright draft
 *     00 read as draft-04 (boolean exclusiveMinimum/Maximum, $ref siblings ignored) plus the
 *     CG_V_OAS30 vocabulary bit: JSON Schema keywords outside the subset (patternProperties,
 *     dependencies, additionalItems, const...) are not OpenAPI keywords and are ignored;
 *     `nullable: true` adds null to the types `type` allows (and does nothing without `type`,
 *     as 3.0.3 clarifies); discriminator, readOnly, writeOnly, xml, externalDocs, example and
 *     deprecated are annotations. A 3.0 schema must be an object; `type` is one name (not an
 *     array, not "null"); `items` one schema.
 * A .cue file is first exported by CUE itself (`cue export --out openapi`, cg_tool.c): its
 * definitions are then an OpenAPI 3.0 document's components.schemas, read as above; messages
 * name the .cue file (pointers are into CUE's export).
 * A schema's id (its mg_schema.id, the envelope's dataschema) is its own $id, else the document
 * as named on the command line with the pointer "#/components/schemas/NAME" (no machine path).
 * A discriminator's mapping must name schemas that exist. Every problem is reported with the
 * file and JSON Pointer and counted; loading goes on to find the others.
 */
#include "cg_openapi.h"
#include "cg_uri.h"

#include "cg_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields of the OpenAPI 3.0.3 Schema Object (sorted, for bsearch). */
static const char *const oas30_fields[] = {"$ref",
                                           "additionalProperties",
                                           "allOf",
                                           "anyOf",
                                           "default",
                                           "deprecated",
                                           "description",
                                           "discriminator",
                                           "enum",
                                           "example",
                                           "exclusiveMaximum",
                                           "exclusiveMinimum",
                                           "externalDocs",
                                           "format",
                                           "items",
                                           "maxItems",
                                           "maxLength",
                                           "maxProperties",
                                           "maximum",
                                           "minItems",
                                           "minLength",
                                           "minProperties",
                                           "minimum",
                                           "multipleOf",
                                           "not",
                                           "nullable",
                                           "oneOf",
                                           "pattern",
                                           "properties",
                                           "readOnly",
                                           "required",
                                           "title",
                                           "type",
                                           "uniqueItems",
                                           "writeOnly",
                                           "xml"};

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *cg_oas30_field(size_t i)
{
    return i < sizeof oas30_fields / sizeof oas30_fields[0] ? oas30_fields[i] : NULL;
}

bool cg_oas30_keyword(const char *name)
{
    return bsearch(&name, oas30_fields, sizeof oas30_fields / sizeof oas30_fields[0],
                   sizeof oas30_fields[0], cmp_name) != NULL;
}

bool cg_is_openapi(const cj_node *root)
{
    return root && root->type == CJ_OBJECT && cj_get(root, "openapi") != NULL;
}

typedef struct oa {
    cg *g;
    cg_doc *doc;
    const cj_node *root, *schemas;
    cg_dialect dialect;
    unsigned vocab;
} oa;

enum { V_OK, V_NOT_STRING, V_UNSUPPORTED, V_BAD_DIALECT };

/* The dialect and vocabularies of the schemas of an OpenAPI document, from its version. */
static int version_of(const cj_node *root, cg_dialect *d, unsigned *vocab)
{
    const cj_node *v = cj_get(root, "openapi");
    int maj = 0, min = 0;
    if (v->type != CJ_STRING) return V_NOT_STRING;
    if (sscanf(v->str, "%d.%d", &maj, &min) != 2 || maj != 3 || min > 1) return V_UNSUPPORTED;
    *d = min == 0 ? CG_D4 : CG_D2020;
    *vocab = min == 0 ? CG_V_ALL | CG_V_OAS30 : CG_V_ALL;
    const cj_node *jd = min == 1 ? cj_get(root, "jsonSchemaDialect") : NULL;
    if (jd && (jd->type != CJ_STRING || !cg_known_dialect(jd->str, d))) return V_BAD_DIALECT;
    return V_OK;
}

static bool read_version(oa *r)
{
    const cj_node *v = cj_get(r->root, "openapi");
    switch (version_of(r->root, &r->dialect, &r->vocab)) {
    case V_NOT_STRING:
        cg_error(r->g, v, "must be a string such as \"3.0.3\"%s",
                 v->type == CJ_NUMBER ? " (quote it: YAML reads 3.0 as a number)" : "");
        return false;
    case V_UNSUPPORTED:
        cg_error(r->g, v, "OpenAPI %s is not supported (3.0 and 3.1 are)", v->str);
        return false;
    case V_BAD_DIALECT:
        cg_error(r->g, cj_get(r->root, "jsonSchemaDialect"),
                 "jsonSchemaDialect must be the OAS dialect "
                 "(https://spec.openapis.org/oas/3.1/dialect/base) or a JSON Schema dialect "
                 "(draft-04 to 2020-12)");
        return false;
    default:
        return true;
    }
}

void cg_openapi_referenced(const cj_node *root, cg_info *in)
{
    if (cg_is_openapi(root)) version_of(root, &in->dialect, &in->vocab);
}

static void read_info(oa *r)
{
    const cj_node *info = cj_get(r->root, "info");
    if (!info || info->type != CJ_OBJECT) {
        cg_error(r->g, info ? info : r->root, "%s",
                 info ? "info must be an object" : "missing \"info\"");
        return;
    }
    static const char *const req[] = {"title", "version"};
    for (size_t i = 0; i < 2; i++) {
        const cj_node *v = cj_get(info, req[i]);
        if (!v)
            cg_error(r->g, info, "info: missing \"%s\"", req[i]);
        else if (v->type != CJ_STRING)
            cg_error(r->g, v, "must be a string%s", v->type == CJ_NUMBER ? " (quote it)" : "");
    }
}

static bool name_ok(const char *s)
{
    if (!*s) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

bool cg_oas_mapping_is_ref(const char *target)
{
    return strchr(target, '/') || strchr(target, '#');
}

static void check_discriminator(oa *r, const cj_node *schema)
{
    const cj_node *dc = cj_get(schema, "discriminator");
    if (!dc) return;
    const cj_node *pn = dc->type == CJ_OBJECT ? cj_get(dc, "propertyName") : NULL;
    if (dc->type != CJ_OBJECT || !pn || pn->type != CJ_STRING) {
        cg_error(r->g, pn ? pn : dc, "discriminator needs a propertyName (a string)");
        return;
    }
    const cj_node *map = cj_get(dc, "mapping");
    if (!map) return;
    if (map->type != CJ_OBJECT) {
        cg_error(r->g, map, "mapping must be an object from values to schema names or references");
        return;
    }
    for (size_t i = 0; i < map->n; i++) {
        const cj_node *m = map->items[i];
        if (m->type != CJ_STRING) {
            cg_error(r->g, m, "must be a schema name or a reference");
        } else if (!cg_oas_mapping_is_ref(m->str)) {
            if (!r->schemas || !cj_get(r->schemas, m->str))
                cg_error(r->g, m, "no schema \"%s\" in components.schemas", m->str);
        } else {
            cg_resolve(r->g, schema, m->str, m);
        }
    }
}

/* What OpenAPI 3.0 allows of a schema object beyond the keywords' own rules. */
static void check_oas30(oa *r, const cj_node *n)
{
    const cj_node *nl = cj_get(n, "nullable"), *t = cj_get(n, "type"), *it = cj_get(n, "items");
    if (nl && nl->type != CJ_TRUE && nl->type != CJ_FALSE)
        cg_error(r->g, nl, "nullable must be true or false");
    if (t && t->type == CJ_ARRAY)
        cg_error(r->g, t,
                 "OpenAPI 3.0: type is one type name (type arrays are OpenAPI 3.1; for null "
                 "use nullable: true)");
    else if (t && t->type == CJ_STRING && strcmp(t->str, "null") == 0)
        cg_error(r->g, t, "OpenAPI 3.0 has no type \"null\": use nullable: true");
    if (it && it->type == CJ_ARRAY)
        cg_error(r->g, it, "OpenAPI 3.0: items is one schema (tuples are OpenAPI 3.1)");
}

static void add_schemas(oa *r)
{
    cg *g = r->g;
    const cj_node *comps = cj_get(r->root, "components");
    if (comps && comps->type != CJ_OBJECT) {
        cg_error(g, comps, "components must be an object");
        return;
    }
    const cj_node *s = comps ? cj_get(comps, "schemas") : NULL;
    if (!s) {
        cg_error(g, comps ? comps : r->root,
                 "no components.schemas: meshgate compiles a document's named schemas");
        return;
    }
    if (s->type != CJ_OBJECT) {
        cg_error(g, s, "schemas must be an object of named schemas");
        return;
    }
    r->schemas = s;
    size_t first = g->ninfos;
    for (size_t i = 0; i < s->n; i++) {
        const cj_node *n = s->items[i];
        const char *name = s->keys[i];
        bool is_bool = n->type == CJ_TRUE || n->type == CJ_FALSE;
        if (n->type != CJ_OBJECT && !(is_bool && !(r->vocab & CG_V_OAS30))) {
            cg_error(g, n, "a schema must be an object%s",
                     r->vocab & CG_V_OAS30 ? "" : " or a boolean");
            continue;
        }
        if (!name_ok(name)) {
            cg_error(g, n, "schema name \"%s\": OpenAPI allows letters, digits, '.', '_' and '-'",
                     name);
            continue;
        }
        cg_info *in = cg_add_schema_node_vocab(g, r->doc, n, r->dialect, r->vocab);
        bool dup = false;
        for (size_t e = 0; e < g->nentries && !dup; e++)
            if (strcmp(g->entries[e].name, name) == 0) {
                cg_error(g, n, "schema name %s is also used by %s", name, g->entries[e].source);
                dup = true;
            }
        if (dup) continue;
        const cj_node *own = n->type == CJ_OBJECT ? cj_get(n, "$id") : NULL;
        char *rel = cg_path_relative(r->doc->path);
        char *id = own && own->type == CJ_STRING && in && r->dialect >= CG_D6
                       ? strdup(in->base)
                       : cg_fmt("%s#/components/schemas/%s", rel, name);
        free(rel);
        cg_add_entry(g, name, id, r->doc->path, n);
        free(id);
    }
    size_t end = g->ninfos; /* cg_resolve below may add infos */
    for (size_t i = first; i < end; i++) {
        const cg_info *in = g->infos[i];
        if (in->doc != r->doc || in->node->type != CJ_OBJECT) continue;
        if (in->vocab & CG_V_OAS30) check_oas30(r, in->node);
        check_discriminator(r, in->node);
    }
}

bool cg_add_openapi(cg *g, cj_node *root, const char *path)
{
    size_t nerr = g->nerrors;
    oa r = {.g = g, .root = root};
    r.doc = cg_add_container(g, root, path);
    if (read_version(&r)) {
        cg_info *ri = cg_info_of(g, root); /* what nodes reached by pointer inherit */
        ri->dialect = r.dialect;
        ri->vocab = r.vocab;
        read_info(&r);
        add_schemas(&r);
    }
    return g->nerrors == nerr;
}

bool cg_add_cue(cg *g, const char *path)
{
    size_t len = 0;
    char *text = cg_cue_export(path, &len, g->err);
    if (!text) {
        g->nerrors++;
        return false;
    }
    char err[512];
    cj_node *root = cj_parse(text, len, err, sizeof err);
    free(text);
    if (!root || !cg_is_openapi(root)) {
        cg_error_doc(g, path, "cue export --out openapi gave no OpenAPI document (%s)",
                     root ? "no \"openapi\" member" : err);
        if (root) cj_free(root);
        return false;
    }
    return cg_add_openapi(g, root, path);
}
