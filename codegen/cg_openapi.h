/* cg_openapi.h - OpenAPI 3.0 and 3.1 documents as codegen input (cg_openapi.c). */
#ifndef CG_OPENAPI_H
#define CG_OPENAPI_H

#include "cg.h"

/* Is this document an OpenAPI document (an object with an "openapi" member)? */
bool cg_is_openapi(const cj_node *root);
/* Registers the document as a container and each components.schemas entry as a schema entry
 * named after it; false (errors counted) on a broken document. */
bool cg_add_openapi(cg *g, cj_node *root, const char *path);
/* A document reached by a reference (not an input) that is an OpenAPI document: its root info
 * gets the document's dialect, which the schemas reached in it by pointer inherit. */
void cg_openapi_referenced(const cj_node *root, cg_info *in);
/* Exports a .cue file as OpenAPI with CUE (cg_tool.c) and adds the result like an OpenAPI
 * document named by the .cue file (its definitions become schemas, #Identity as Identity). */
bool cg_add_cue(cg *g, const char *path);
/* Is name a keyword of the OpenAPI 3.0 Schema Object that the renderer may apply? The
 * JSON Schema keywords outside its subset are not OpenAPI 3.0 keywords, so they are ignored. */
bool cg_oas30_keyword(const char *name);
/* The i-th of those names (sorted), NULL past the last. */
const char *cg_oas30_field(size_t i);
/* Is a discriminator mapping's target a reference ("#/components/schemas/Dog", "dog.json")
 * rather than the name of a components.schemas entry ("Dog")? */
bool cg_oas_mapping_is_ref(const char *target);

#endif
