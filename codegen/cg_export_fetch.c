/* cg_export_fetch.c - meshgate-codegen --registry-export URL DIR: writes the export of a live
 * Confluent-compatible Schema Registry (Confluent's, Apicurio's /apis/ccompat/v7, ...) in the
 * layout cg_export.h describes.
 *
 * Design: codegen links no HTTP client, so each GET is one run of the curl command (spawned
 * with an argument vector, no shell; the URL is passed with --url so it can never read as an
 * option; http and https only, redirects included; timeouts and a size cap; ~/.netrc or the
 * URL's user:password for credentials). Each response is stored byte for byte as the registry
 * sent it, after it parsed as JSON of the expected shape: GET /subjects, then each subject's
 * versions, each version, every version its references name (also outside the listings),
 * and GET /schemas/ids/ID for every id seen. Everything is written into a fresh folder next to
 * DIR that is renamed to DIR only when the whole export succeeded, so DIR is never half an
 * export; DIR must not exist yet (or be an empty folder). Single-threaded.
 */
#include "cg_export.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct fetch {
    char *url; /* without a trailing '/' */
    char *tmp; /* the folder being written */
    FILE *err;
    bool failed;
    cg_map done;  /* "SUBJECT\nN" of versions written, "id N" of ids written */
    char **queue; /* "SUBJECT\nN" of referenced versions to write (N may be "latest") */
    size_t nqueue;
    int64_t *ids;
    size_t nids;
} fetch;

static void fail(fetch *x, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void fail(fetch *x, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    fputs("meshgate-codegen: --registry-export: ", x->err);
    vfprintf(x->err, f, ap);
    fputc('\n', x->err);
    va_end(ap);
    x->failed = true;
}

/* GET url + path into the file rel (inside x->tmp), checked to be JSON: its parsed form, or
 * NULL (reported) on failure. */
static cj_node *get(fetch *x, const char *path, const char *rel)
{
    if (x->failed) return NULL;
    char *url = cg_fmt("%s%s", x->url, path), *file = cg_fmt("%s/%s", x->tmp, rel);
    char *part = cg_fmt("%s.part", file);
    char *argv[] = {"curl",
                    "--silent",
                    "--show-error",
                    "--fail",
                    "--location",
                    "--proto",
                    "=http,https",
                    "--proto-redir",
                    "=http,https",
                    "--connect-timeout",
                    "10",
                    "--max-time",
                    "60",
                    "--max-filesize",
                    "67108864",
                    "--netrc-optional",
                    "--header",
                    "Accept: application/vnd.schemaregistry.v1+json, "
                    "application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5",
                    "--output",
                    part,
                    "--url",
                    url,
                    NULL};
    pid_t pid;
    int status = 0, rc = posix_spawnp(&pid, "curl", NULL, NULL, argv, environ);
    cj_node *root = NULL;
    char err[512];
    if (rc != 0) {
        fail(x, "cannot run curl: %s", strerror(rc));
    } else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail(x, "GET %s failed (curl exit status %d, its message above)", url,
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    } else if (!(root = cj_parse_file(part, err, sizeof err))) {
        fail(x, "GET %s: the response is not JSON (%s)", url, err);
    } else if (rename(part, file) != 0) {
        fail(x, "cannot write %s: %s", file, strerror(errno));
        cj_free(root);
        root = NULL;
    }
    if (!root) remove(part);
    free(url);
    free(file);
    free(part);
    return root;
}

static bool make_dir(fetch *x, const char *rel)
{
    char *p = cg_fmt("%s/%s", x->tmp, rel);
    bool ok = mkdir(p, 0755) == 0 || errno == EEXIST;
    if (!ok) fail(x, "cannot create %s: %s", p, strerror(errno));
    free(p);
    return ok;
}

static void want_id(fetch *x, int64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "id %" PRId64, id);
    if (cg_map_get(&x->done, key)) return;
    cg_map_put(&x->done, key, x);
    x->ids = realloc(x->ids, (x->nids + 1) * sizeof *x->ids);
    x->ids[x->nids++] = id;
}

/* true the first time (subject, what) is asked for while nothing failed: what is a version
 * number, "latest" or "list" (the subject's version list). */
static bool first_time(fetch *x, const char *subject, const char *what)
{
    char *key = cg_fmt("%s\n%s", subject, what);
    bool seen = cg_map_get(&x->done, key) != NULL;
    cg_map_put(&x->done, key, x);
    free(key);
    return !seen && !x->failed;
}

/* Writes one version (version: a number or "latest"), queueing what it references. */
static void get_version(fetch *x, const char *subject, const char *version)
{
    if (!first_time(x, subject, version)) return;
    char *seg = cg_export_segment(subject);
    char *dir = cg_fmt("subjects/%s", seg), *vdir = cg_fmt("subjects/%s/versions", seg);
    char *path = cg_fmt("/subjects/%s/versions/%s", seg, version);
    char *rel = cg_fmt("subjects/%s/versions/%s.json", seg, version);
    cj_node *v = make_dir(x, dir) && make_dir(x, vdir) ? get(x, path, rel) : NULL;
    int64_t n, id;
    const cj_node *refs = v ? cj_get(v, "references") : NULL;
    if (v && (v->type != CJ_OBJECT || !cj_get(v, "version") ||
              !cj_to_int64(cj_get(v, "version"), &n) || n < 1 || n > INT32_MAX ||
              !cj_get(v, "id") || !cj_to_int64(cj_get(v, "id"), &id) || id < 0)) {
        fail(x, "GET %s: not a version (an object with version and id)", path);
    } else if (v && strcmp(version, "latest") == 0) {
        /* stored under its number, as the export layout names versions */
        char *num = cg_fmt("subjects/%s/versions/%" PRId64 ".json", seg, n);
        char *from = cg_fmt("%s/%s", x->tmp, rel), *to = cg_fmt("%s/%s", x->tmp, num);
        if (rename(from, to) != 0) fail(x, "cannot write %s: %s", to, strerror(errno));
        char *nkey = cg_fmt("%s\n%" PRId64, subject, n);
        cg_map_put(&x->done, nkey, x);
        free(nkey);
        free(num);
        free(from);
        free(to);
    }
    if (v && !x->failed) want_id(x, id);
    for (size_t i = 0; refs && refs->type == CJ_ARRAY && i < refs->n && !x->failed; i++) {
        const cj_node *s = cj_get(refs->items[i], "subject");
        int64_t rv;
        if (!s || s->type != CJ_STRING || !cj_to_int64(cj_get(refs->items[i], "version"), &rv)) {
            fail(x, "GET %s: references/%zu has no subject and version", path, i);
            break;
        }
        x->queue = realloc(x->queue, (x->nqueue + 1) * sizeof *x->queue);
        x->queue[x->nqueue++] =
            rv == -1 ? cg_fmt("%s\nlatest", s->str) : cg_fmt("%s\n%" PRId64, s->str, rv);
    }
    if (v) cj_free(v);
    free(seg);
    free(dir);
    free(vdir);
    free(path);
    free(rel);
}

/* Writes a subject's version list and every version in it; a version -1 reference also
 * needs the list. */
static void get_subject(fetch *x, const char *subject)
{
    if (!first_time(x, subject, "list")) return;
    char *seg = cg_export_segment(subject);
    char *dir = cg_fmt("subjects/%s", seg), *path = cg_fmt("/subjects/%s/versions", seg);
    char *rel = cg_fmt("subjects/%s/versions.json", seg);
    cj_node *list = make_dir(x, dir) ? get(x, path, rel) : NULL;
    if (list && list->type != CJ_ARRAY) fail(x, "GET %s: not a list of versions", path);
    for (size_t i = 0; list && list->type == CJ_ARRAY && i < list->n && !x->failed; i++) {
        int64_t v;
        if (!cj_to_int64(list->items[i], &v) || v < 1 || v > INT32_MAX) {
            fail(x, "GET %s: /%zu is not a version number", path, i);
            break;
        }
        char num[24];
        snprintf(num, sizeof num, "%" PRId64, v);
        get_version(x, subject, num);
    }
    if (list) cj_free(list);
    free(seg);
    free(dir);
    free(path);
    free(rel);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* The fresh folder next to dir ("DIR.partial-XXXXXX"); NULL (reported) when dir is taken. */
static char *fresh_dir(fetch *x, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || rmdir(dir) != 0)) {
        fail(x, "%s exists (the export is written into a new folder)", dir);
        return NULL;
    }
    char *tmp = cg_fmt("%s.partial-XXXXXX", dir);
    if (!mkdtemp(tmp)) {
        fail(x, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return NULL;
    }
    chmod(tmp, 0755);
    return tmp;
}

bool cg_registry_export(const char *url, const char *dir, FILE *err)
{
    fetch x = {.err = err};
    x.url = strdup(url);
    size_t ul = strlen(x.url);
    while (ul > 0 && x.url[ul - 1] == '/')
        x.url[--ul] = '\0';
    x.tmp = fresh_dir(&x, dir);
    cj_node *subjects = NULL;
    if (x.tmp && make_dir(&x, "subjects") && make_dir(&x, "schemas") && make_dir(&x, "schemas/ids"))
        subjects = get(&x, "/subjects", "subjects.json");
    if (subjects && subjects->type != CJ_ARRAY) fail(&x, "GET /subjects: not a list of subjects");
    size_t nsubjects = 0;
    for (size_t i = 0; subjects && subjects->type == CJ_ARRAY && i < subjects->n; i++) {
        const cj_node *s = subjects->items[i];
        if (s->type != CJ_STRING || s->len == 0 || strlen(s->str) != s->len) {
            fail(&x, "GET /subjects: /%zu is not a subject name", i);
            break;
        }
        get_subject(&x, s->str);
        nsubjects++;
    }
    for (size_t i = 0; i < x.nqueue; i++) { /* grows while referenced versions reference more */
        char *nl = strchr(x.queue[i], '\n');
        *nl = '\0';
        if (strcmp(nl + 1, "latest") == 0) get_subject(&x, x.queue[i]);
        get_version(&x, x.queue[i], nl + 1);
    }
    for (size_t i = 0; i < x.nids && !x.failed; i++) {
        char *path = cg_fmt("/schemas/ids/%" PRId64, x.ids[i]);
        char *rel = cg_fmt("schemas/ids/%" PRId64 ".json", x.ids[i]);
        cj_node *s = get(&x, path, rel);
        if (s && (s->type != CJ_OBJECT || !cj_get(s, "schema")))
            fail(&x, "GET %s: not a schema (an object with the schema)", path);
        if (s) cj_free(s);
        free(path);
        free(rel);
    }
    if (x.tmp && !x.failed && rename(x.tmp, dir) != 0)
        fail(&x, "cannot rename %s to %s: %s", x.tmp, dir, strerror(errno));
    if (x.tmp && x.failed) nftw(x.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (!x.failed)
        fprintf(err,
                "meshgate-codegen: --registry-export: %zu subject%s, %zu schema id%s from %s "
                "in %s\n",
                nsubjects, nsubjects == 1 ? "" : "s", x.nids, x.nids == 1 ? "" : "s", x.url, dir);
    if (subjects) cj_free(subjects);
    for (size_t i = 0; i < x.nqueue; i++)
        free(x.queue[i]);
    free(x.queue);
    free(x.ids);
    cg_map_free(&x.done);
    free(x.tmp);
    free(x.url);
    return !x.failed;
}
