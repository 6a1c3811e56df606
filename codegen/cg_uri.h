/* cg_uri.h - URI references as JSON Schema uses them: resolution against a base ($id, $ref),
 * fragments, and the mapping of URI prefixes to local folders (codegen never fetches).
 *
 * Design: RFC 3986 section 5 reference resolution with dot-segment removal, on strings; works
 * for hierarchical URIs (http:, https:, file:) and for opaque ones (urn:, tag:) where a
 * fragment-only or empty reference replaces just the fragment. Results are malloc'd strings
 * owned by the caller.
 */
#ifndef CG_URI_H
#define CG_URI_H

#include <stdbool.h>
#include <stddef.h>

/* Resolves ref against base (base may be "" or NULL: ref is returned as is). */
char *cg_uri_resolve(const char *base, const char *ref);
/* Splits uri at its first '#': *abs gets the part before (malloc'd), *frag the part after
 * (malloc'd, NULL when there is no '#'). */
void cg_uri_split(const char *uri, char **abs, char **frag);
/* Percent-decodes s into a malloc'd string (for fragments holding JSON Pointers). Returns NULL
 * on a malformed escape. *len receives the decoded length. */
char *cg_uri_pct_decode(const char *s, size_t *len);
/* true if s has a scheme (is an absolute URI, possibly with a fragment). */
bool cg_uri_is_absolute(const char *s);
/* path made absolute against the current directory, "//" runs collapsed and "." and ".."
 * segments removed - lexically, without looking at the file system (malloc'd). */
char *cg_path_absolute(const char *path);
/* The path relative to the working directory ("x.json", "../y/x.json"; "." for the working
 * directory itself), lexically (cg_path_absolute): what outputs name a file by, so that
 * nothing generated carries the build machine's absolute paths. malloc'd. */
char *cg_path_relative(const char *path);
/* A URI as outputs carry it: a file: URI becomes its path relative to the working directory
 * (fragment kept), any other URI stays as it is. malloc'd. */
char *cg_uri_for_output(const char *uri);
/* A file: URI for a local path (made absolute with cg_path_absolute). */
char *cg_uri_from_path(const char *path);
/* The local path a file: URI names, or NULL if uri is not a file: URI. */
char *cg_uri_to_path(const char *uri);
/* A schema's identifier as it may appear in output (generated C, mg_schema.id): a file: URI
 * (a schema without $id) becomes its path relative to the current directory, so no output
 * carries the build machine's folders; any other URI is kept (malloc'd). */
char *cg_uri_public(const char *uri);

#endif
