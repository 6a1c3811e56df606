/* mw_catalog.c - the contract catalog: catalog index, OpenAPI document and schema bundles,
 * loaded once at start and served read-only over HTTP (/catalog, /openapi.json, /schemas/NAME).
 *
 * Design: every file is read into memory at start, so a missing or unreadable catalog fails
 * the start with its path, requests never touch the file system, and a request path can only
 * name a document that was loaded (no path is ever built from a URL). Immutable after load,
 * so the HTTP thread reads it without a lock; freed at exit.
 */
#include "mw_catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct doc {
    char *path; /* the HTTP path */
    char *body;
    size_t len;
} doc;

struct mw_catalog {
    doc *v;
    size_t n;
};

static char *read_all(const char *file, size_t *len, char *errstr, size_t errlen)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(errstr, errlen, "catalog: %s: %s", file, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            char *nb = realloc(buf, cap + 65536);
            if (!nb) break;
            buf = nb;
            cap += 65536;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    bool bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        snprintf(errstr, errlen, "catalog: %s: read error", file);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static bool add(mw_catalog *c, const char *path, char *body, size_t len)
{
    doc *nv = realloc(c->v, (c->n + 1) * sizeof *nv);
    if (!nv) return false;
    c->v = nv;
    c->v[c->n++] = (doc){strdup(path), body, len};
    return true;
}

static bool add_file(mw_catalog *c, const char *path, const char *dir, const char *name,
                     char *errstr, size_t errlen)
{
    char file[4096];
    snprintf(file, sizeof file, "%s/%s", dir, name);
    size_t len;
    char *body = read_all(file, &len, errstr, errlen);
    return body && add(c, path, body, len);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every schemas/NAME.json, and "/schemas": a JSON array of the names, sorted. */
static bool add_schemas(mw_catalog *c, const char *dir, char *errstr, size_t errlen)
{
    char sdir[4096];
    snprintf(sdir, sizeof sdir, "%s/schemas", dir);
    DIR *d = opendir(sdir);
    if (!d) {
        snprintf(errstr, errlen, "catalog: %s: %s", sdir, strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= 5 || strcmp(e->d_name + l - 5, ".json") != 0) continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn) break;
        names = nn;
        names[n++] = strndup(e->d_name, l - 5);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    char *list = NULL;
    size_t llen = 0;
    FILE *lo = open_memstream(&list, &llen);
    bool ok = lo != NULL;
    if (lo) fputc('[', lo);
    for (size_t i = 0; i < n; i++) {
        char path[4096], file[4096];
        snprintf(path, sizeof path, "/schemas/%s", names[i]);
        snprintf(file, sizeof file, "%s.json", names[i]);
        if (ok) ok = add_file(c, path, sdir, file, errstr, errlen);
        if (lo) fprintf(lo, "%s\"%s\"", i ? "," : "", names[i]);
        free(names[i]);
    }
    free(names);
    if (lo) {
        fputs("]\n", lo);
        fclose(lo);
    }
    if (ok)
        ok = add(c, "/schemas", list, llen);
    else
        free(list);
    return ok;
}

mw_catalog *mw_catalog_load(const char *dir, char *errstr, size_t errlen)
{
    mw_catalog *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errstr, errlen, "catalog: out of memory");
        return NULL;
    }
    if (!add_file(c, "/catalog", dir, "catalog.json", errstr, errlen) ||
        !add_file(c, "/openapi.json", dir, "openapi.json", errstr, errlen) ||
        !add_schemas(c, dir, errstr, errlen)) {
        mw_catalog_free(c);
        return NULL;
    }
    return c;
}

const char *mw_catalog_get(const mw_catalog *c, const char *path, size_t *len)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->v[i].path, path) == 0) {
            *len = c->v[i].len;
            return c->v[i].body;
        }
    return NULL;
}

void mw_catalog_free(mw_catalog *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].path);
        free(c->v[i].body);
    }
    free(c->v);
    free(c);
}
