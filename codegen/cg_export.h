/* cg_export.h - Schema Registry exports: the registry's REST API responses kept in a folder,
 * read as codegen input (cg_export.c) and written from a live registry (cg_export_fetch.c).
 *
 * Layout (the API's URL paths, one file per response, README "Schema Registry"):
 *   DIR/subjects.json                         GET /subjects
 *   DIR/subjects/SUBJECT/versions.json        GET /subjects/SUBJECT/versions
 *   DIR/subjects/SUBJECT/versions/N.json      GET /subjects/SUBJECT/versions/N
 *   DIR/schemas/ids/ID.json                   GET /schemas/ids/ID
 * SUBJECT is the subject percent-encoded as one URL path segment (cg_export_segment), so any
 * subject name is one file name inside DIR.
 */
#ifndef CG_EXPORT_H
#define CG_EXPORT_H

#include <stdbool.h>

#include "cg.h"

/* Where the export's versions claim to come from when the registry's URL is not given: a
 * reserved name (RFC 2606) that never resolves. */
#define CG_EXPORT_DEFAULT_URL "https://registry.invalid"

/* Compiles every version of every JSON Schema subject of the export in dir into g's entries
 * ("SUBJECT/versions/N", with subject, version, registry id and GUID), with each version's
 * references resolved to the versions they name inside the export. url names the registry
 * (base of the versions' URIs and ids; NULL: CG_EXPORT_DEFAULT_URL). Versions of other schema
 * types are skipped with a note when `notes` is set. Errors are counted in g. */
bool cg_add_registry(cg *g, const char *dir, const char *url, bool notes);

/* The percent-encoded form of a subject as one URL path segment and file name: every byte but
 * ALPHA / DIGIT / "-" / "_" / "~", and "." except after the first byte, is %XX (so "." and
 * ".." and hidden files cannot happen). malloc'd. */
char *cg_export_segment(const char *subject);

/* cg_export_fetch.c: writes the export of the Confluent-compatible registry at url into dir
 * with the curl command (every subject, every version, every referenced version, every schema
 * id). Progress and errors go to err; false on any failure. */
bool cg_registry_export(const char *url, const char *dir, FILE *err);

#endif
