/* cg_export.c - a Schema Registry export as codegen input (cg_export.h: the folder layout).
 *
 * Design: the registry's own responses are read as they are: subjects.json lists the
 * subjects, each subject's versions.json its versions, and each version's response holds the
 * subject, version, schema id, schemaType (absent means AVRO, as in Confluent's API), the
 * schema as a string and its references [{name, subject, version}]. Every JSON version is
 * parsed into its own document whose retrieval URI is URL/subjects/SUBJECT/versions/N, so a
 * schema without $id still has a base, and becomes one entry. A reference's name is the URI
 * the referencing schema uses in $ref; like the registry, it is resolved against the
 * referencing schema's base and given to that document alone as an alias of the referenced
 * version (cg_doc_alias), so two versions may use one name for different versions and
 * nothing is looked up outside the export. Referenced versions that the listings leave out
 * are read on demand (they validate nothing by themselves). schemas/ids/ID.json, when
 * present, must hold the same schema as the versions registered with that id; it may add the
 * GUID. Every response is untrusted: each field is checked and every problem is an error with
 * the file (and, inside a schema, the JSON Pointer). Single-threaded.
 */
#include "cg_export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_uri.h"

typedef struct ref {
    char *name, *subject;
    int64_t version; /* -1: the subject's latest */
} ref;

typedef struct version_rec {
    char *subject;
    int32_t version;
    int64_t id;
    char *path;    /* the response file */
    char *type;    /* schemaType: "JSON", "AVRO", "PROTOBUF", ... */
    cg_info *root; /* the schema, NULL unless JSON and well-formed */
    ref *refs;
    size_t nrefs;
    bool listed; /* listed by subjects.json and versions.json: becomes an entry */
    bool has_guid;
    uint8_t guid[16];
} version_rec;

typedef struct export
{
    cg *g;
    const char *dir, *url;
    version_rec **v;
    size_t n;
    cg_map by_key; /* "SUBJECT\nN" -> version_rec* */
    cg_map latest; /* SUBJECT -> latest version + 1 (intptr), from its versions.json */
}
export;

char *cg_export_segment(const char *subject)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(subject);
    char *out = malloc(3 * n + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)subject[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '~' || (c == '.' && i > 0);
        if (keep) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* Parses a response file; NULL (error counted, unless absent and `optional`) on failure. */
static cj_node *read_response(export *ex, const char *path, bool optional)
{
    if (optional && access(path, F_OK) != 0 && errno == ENOENT) return NULL;
    char err[512];
    cj_node *root = cj_parse_file(path, err, sizeof err);
    if (!root) {
        size_t n = strlen(path);
        const char *why = strncmp(err, path, n) == 0 && err[n] == ':' ? err + n + 2 : err;
        cg_error_doc(ex->g, path, "%s", why);
    }
    return root;
}

static bool int_in(const cj_node *n, int64_t lo, int64_t hi, int64_t *out)
{
    return n && n->type == CJ_NUMBER && cj_to_int64(n, out) && *out >= lo && *out <= hi;
}

static bool parse_guid(const char *s, uint8_t out[16])
{
    static const int dash[] = {8, 13, 18, 23};
    if (strlen(s) != 36) return false;
    size_t k = 0;
    for (size_t i = 0; i < 36;) {
        if (k < 4 && (int)i == dash[k]) {
            if (s[i] != '-') return false;
            i++;
            k++;
            continue;
        }
        int v[2];
        for (int j = 0; j < 2; j++) {
            char c = s[i + (size_t)j];
            v[j] = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
            if (v[j] < 0) return false;
        }
        out[(i - k) / 2] = (uint8_t)(v[0] * 16 + v[1]);
        i += 2;
    }
    return true;
}

/* The GUID member of a response, if any: false (error counted) when it is malformed. */
static bool read_guid(export *ex, const char *path, const cj_node *resp, version_rec *r)
{
    const cj_node *g = cj_get(resp, "guid");
    if (!g || r->has_guid) return true;
    if (g->type != CJ_STRING || !parse_guid(g->str, r->guid)) {
        cg_error_doc(ex->g, path, "guid is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
        return false;
    }
    r->has_guid = true;
    return true;
}

static char *subject_dir(export *ex, const char *subject)
{
    char *seg = cg_export_segment(subject);
    char *p = seg ? cg_fmt("%s/subjects/%s", ex->dir, seg) : NULL;
    free(seg);
    return p;
}

/* Reads SUBJECT/versions.json: its versions in order; NULL (error counted) on failure. */
static int32_t *read_versions(export *ex, const char *subject, size_t *count)
{
    char *sd = subject_dir(ex, subject);
    char *path = cg_fmt("%s/versions.json", sd);
    free(sd);
    cj_node *root = read_response(ex, path, false);
    int32_t *out = NULL;
    if (root && root->type != CJ_ARRAY) {
        cg_error_doc(ex->g, path, "not a list of versions (GET /subjects/{subject}/versions)");
    } else if (root) {
        out = malloc((root->n ? root->n : 1) * sizeof *out);
        int32_t latest = 0;
        for (size_t i = 0; i < root->n && out; i++) {
            int64_t v;
            if (!int_in(root->items[i], 1, INT32_MAX, &v)) {
                cg_error_doc(ex->g, path, "/%zu: a version is an integer from 1 to 2^31-1", i);
                free(out);
                out = NULL;
                break;
            }
            out[i] = (int32_t)v;
            if (out[i] > latest) latest = out[i];
        }
        *count = root->n;
        if (out) cg_map_put(&ex->latest, subject, (void *)(intptr_t)(latest + 1));
    }
    if (root) cj_free(root);
    free(path);
    return out;
}

/* The references member: false (error counted) when it is malformed. */
static bool read_refs(export *ex, const char *path, const cj_node *resp, version_rec *r)
{
    const cj_node *refs = cj_get(resp, "references");
    if (!refs || refs->type == CJ_NULL) return true;
    if (refs->type != CJ_ARRAY) {
        cg_error_doc(ex->g, path, "references is not a list");
        return false;
    }
    r->refs = calloc(refs->n ? refs->n : 1, sizeof *r->refs);
    for (size_t i = 0; i < refs->n; i++) {
        const cj_node *e = refs->items[i];
        const cj_node *name = cj_get(e, "name"), *subj = cj_get(e, "subject");
        int64_t v;
        if (!name || name->type != CJ_STRING || !subj || subj->type != CJ_STRING ||
            !int_in(cj_get(e, "version"), -1, INT32_MAX, &v) || v == 0) {
            cg_error_doc(ex->g, path,
                         "references/%zu: a reference has a name, a subject and a version "
                         "(1 to 2^31-1, or -1 for the latest)",
                         i);
            return false;
        }
        r->refs[r->nrefs++] = (ref){strdup(name->str), strdup(subj->str), v};
    }
    return true;
}

/* schemas/ids/ID.json, when the export has it, must hold the same schema. */
static void check_id_file(export *ex, version_rec *r, const cj_node *schema)
{
    char *path = cg_fmt("%s/schemas/ids/%" PRId64 ".json", ex->dir, r->id);
    cj_node *resp = read_response(ex, path, true);
    if (resp) {
        const cj_node *s = cj_get(resp, "schema");
        const cj_node *t = cj_get(resp, "schemaType");
        const char *type = t && t->type == CJ_STRING ? t->str : "AVRO";
        char err[256];
        cj_node *other =
            s && s->type == CJ_STRING ? cj_parse(s->str, s->len, err, sizeof err) : NULL;
        if (!other || strcmp(type, r->type) != 0 || !cj_equal(other, schema))
            cg_error_doc(ex->g, path, "does not hold the %s schema of %s (both say id %" PRId64 ")",
                         r->type, r->path, r->id);
        else
            read_guid(ex, path, resp, r);
        if (other) cj_free(other);
        cj_free(resp);
    }
    free(path);
}

/* Parses the version's schema into its own document. */
static void load_schema(export *ex, version_rec *r, const cj_node *s)
{
    char err[512];
    cj_node *root = cj_parse(s->str, s->len, err, sizeof err);
    if (!root) {
        cg_error_doc(ex->g, r->path, "schema: %s", err);
        return;
    }
    check_id_file(ex, r, root);
    char *seg = cg_export_segment(r->subject);
    char *uri = cg_fmt("%s/subjects/%s/versions/%" PRId32, ex->url, seg, r->version);
    char *label = cg_fmt("%s: schema", r->path);
    r->root = cg_add_synthetic(ex->g, root, uri, label);
    if (!r->root) cg_error_doc(ex->g, r->path, "schema: not a schema (an object or a boolean)");
    free(seg);
    free(uri);
    free(label);
}

/* Reads one version's response (once); NULL (error counted) when it cannot. */
static version_rec *get_version(export *ex, const char *subject, int64_t version, bool listed)
{
    if (version == -1) {
        intptr_t latest = (intptr_t)cg_map_get(&ex->latest, subject);
        if (!latest) {
            size_t n;
            free(read_versions(ex, subject, &n));
            latest = (intptr_t)cg_map_get(&ex->latest, subject);
        }
        if (latest <= 1) return NULL;
        version = latest - 1;
    }
    char *key = cg_fmt("%s\n%" PRId64, subject, version);
    version_rec *r = cg_map_get(&ex->by_key, key);
    if (r) {
        r->listed |= listed;
        free(key);
        return r;
    }
    char *sd = subject_dir(ex, subject);
    char *path = cg_fmt("%s/versions/%" PRId64 ".json", sd, version);
    free(sd);
    cj_node *resp = read_response(ex, path, false);
    if (!resp) {
        free(path);
        free(key);
        return NULL;
    }
    r = calloc(1, sizeof *r);
    r->path = path;
    r->subject = strdup(subject);
    r->version = (int32_t)version;
    r->listed = listed;
    cg_map_put(&ex->by_key, key, r);
    free(key);
    ex->v = realloc(ex->v, (ex->n + 1) * sizeof *ex->v);
    ex->v[ex->n++] = r;
    const cj_node *subj = cj_get(resp, "subject"), *s = cj_get(resp, "schema");
    const cj_node *type = cj_get(resp, "schemaType");
    int64_t v;
    if (resp->type != CJ_OBJECT || !s || s->type != CJ_STRING) {
        cg_error_doc(ex->g, path,
                     "not a version (GET /subjects/{subject}/versions/{version}: an object "
                     "with subject, version, id and the schema as a string)");
    } else if (!subj || subj->type != CJ_STRING || strcmp(subj->str, subject) != 0) {
        cg_error_doc(ex->g, path, "subject is not \"%s\"", subject);
    } else if (!int_in(cj_get(resp, "version"), version, version, &v)) {
        cg_error_doc(ex->g, path, "version is not %" PRId64, version);
    } else if (!int_in(cj_get(resp, "id"), 0, INT64_MAX, &r->id)) {
        cg_error_doc(ex->g, path, "id is not a schema id (an integer >= 0)");
    } else if (type && type->type != CJ_STRING) {
        cg_error_doc(ex->g, path, "schemaType is not a string");
    } else {
        /* Confluent's API leaves schemaType out for AVRO, its default. */
        r->type = strdup(type ? type->str : "AVRO");
        if (strcmp(r->type, "JSON") == 0 && read_guid(ex, path, resp, r) &&
            read_refs(ex, path, resp, r))
            load_schema(ex, r, s);
    }
    cj_free(resp);
    return r;
}

/* Gives r's document an alias for each of its references. */
static void resolve_refs(export *ex, version_rec *r)
{
    for (size_t i = 0; i < r->nrefs; i++) {
        const ref *f = &r->refs[i];
        version_rec *t = get_version(ex, f->subject, f->version, false);
        if (!t) {
            cg_error_doc(ex->g, r->path,
                         "references/%zu: %s names subject \"%s\" version %" PRId64
                         ", which is not in the export",
                         i, f->name, f->subject, f->version);
            continue;
        }
        if (!t->root) {
            if (t->type && strcmp(t->type, "JSON") != 0)
                cg_error_doc(ex->g, r->path,
                             "references/%zu: %s names %s, a %s schema, not a JSON Schema", i,
                             f->name, t->path, t->type);
            continue; /* its own error is already counted */
        }
        char *full = cg_uri_resolve(r->root->base, f->name), *abs, *frag;
        cg_uri_split(full, &abs, &frag);
        cg_doc_alias(r->root->doc, abs, t->root);
        free(full);
        free(abs);
        free(frag);
    }
}

static void add_entry(export *ex, version_rec *r)
{
    cg *g = ex->g;
    char *name = cg_fmt("%s/versions/%" PRId32, r->subject, r->version);
    for (size_t i = 0; i < g->nentries; i++)
        if (strcmp(g->entries[i].name, name) == 0)
            cg_error_doc(g, r->path, "schema name \"%s\" is also used by %s", name,
                         g->entries[i].source);
    char *id = cg_fmt("%s/schemas/ids/%" PRId64, ex->url, r->id);
    cg_add_entry(g, name, id, r->path, r->root->node);
    cg_entry *e = &g->entries[g->nentries - 1];
    e->subject = strdup(r->subject);
    e->version = r->version;
    e->registry_id = r->id;
    e->has_guid = r->has_guid;
    memcpy(e->guid, r->guid, 16);
    free(name);
    free(id);
}

static void rec_free(version_rec *r)
{
    for (size_t k = 0; k < r->nrefs; k++) {
        free(r->refs[k].name);
        free(r->refs[k].subject);
    }
    char *own[] = {(char *)r->refs, r->subject, r->path, r->type, (char *)r};
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
        free(own[k]);
}

static void export_free(export *ex)
{
    for (size_t i = 0; i < ex->n; i++)
        rec_free(ex->v[i]);
    free(ex->v);
    cg_map_free(&ex->by_key);
    cg_map_free(&ex->latest);
}

/* Notes, per subject, the versions that are not JSON Schemas (ex->v[first..end)). */
static void note_skipped(export *ex, size_t first, size_t end)
{
    size_t n = 0;
    for (size_t i = first; i < end; i++)
        n += ex->v[i]->type && strcmp(ex->v[i]->type, "JSON") != 0;
    if (!n) return;
    fprintf(
        ex->g->err,
        "meshgate-codegen: note: subject \"%s\": skipped %zu version%s that %s not JSON Schema (",
        ex->v[first]->subject, n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
    const char *sep = "";
    for (size_t i = first; i < end; i++) {
        const version_rec *r = ex->v[i];
        if (!r->type || strcmp(r->type, "JSON") == 0) continue;
        fprintf(ex->g->err, "%s%" PRId32 ": %s", sep, r->version, r->type);
        sep = ", ";
    }
    fputs(")\n", ex->g->err);
}

bool cg_add_registry(cg *g, const char *dir, const char *url, bool notes)
{
    size_t nerr = g->nerrors;
    free(g->registry_dir);
    g->registry_dir = cg_path_relative(dir); /* named in the output's first line */
    export ex = {.g = g, .dir = dir, .url = url ? url : CG_EXPORT_DEFAULT_URL};
    char *path = cg_fmt("%s/subjects.json", dir);
    cj_node *subjects = read_response(&ex, path, false);
    if (subjects && subjects->type != CJ_ARRAY)
        cg_error_doc(g, path, "not a list of subjects (GET /subjects)");
    for (size_t i = 0; subjects && subjects->type == CJ_ARRAY && i < subjects->n; i++) {
        const cj_node *s = subjects->items[i];
        if (s->type != CJ_STRING || s->len == 0 || strlen(s->str) != s->len) {
            cg_error_doc(g, path, "/%zu: a subject is a non-empty string", i);
            continue;
        }
        size_t nv = 0, first = ex.n;
        int32_t *versions = read_versions(&ex, s->str, &nv);
        for (size_t k = 0; versions && k < nv; k++)
            get_version(&ex, s->str, versions[k], true);
        free(versions);
        if (notes) note_skipped(&ex, first, ex.n);
    }
    /* references may read more versions: ex.n grows */
    for (size_t i = 0; i < ex.n; i++)
        if (ex.v[i]->root) resolve_refs(&ex, ex.v[i]);
    for (size_t i = 0; i < ex.n; i++)
        if (ex.v[i]->root && ex.v[i]->listed) add_entry(&ex, ex.v[i]);
    if (subjects) cj_free(subjects);
    free(path);
    export_free(&ex);
    return g->nerrors == nerr;
}
