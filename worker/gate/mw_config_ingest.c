/* mw_config_ingest.c - the rules of the HTTP ingest keys: each route that takes POSTs has a
 * path of its own and credentials (or says auth: none), token hashes are SHA-256 in hex, token
 * files and TLS files can be read, client certificates are only mapped when a client CA asks
 * for them.
 *
 * Design: pure checks over a loaded mw_config, reporting through a callback that names the key
 * (mw_config_check.c turns it into FILE:LINE: key: problem), so `run --check` refuses what `run`
 * would. The list and file readers here are the ones the HTTP ingest uses at start
 * (mw_ingest_auth.c), so a file that passed the check is read the same way.
 */
#include "mw_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mw_config_ingest_path(const mw_route *r, char *buf, size_t cap)
{
    if (r->ingest_path && *r->ingest_path) return r->ingest_path;
    snprintf(buf, cap, "/ingest/%s", r->input ? r->input : "");
    return buf;
}

size_t mw_config_list_each(const char *list, void (*fn)(void *arg, const char *item, size_t len),
                           void *arg)
{
    size_t n = 0;
    for (const char *p = list ? list : ""; *p;) {
        p += strspn(p, ", \t");
        size_t len = strcspn(p, ", \t");
        if (!len) continue;
        if (fn) fn(arg, p, len);
        n++;
        p += len;
    }
    return n;
}

long mw_config_token_file(const char *path, void (*fn)(void *arg, const char *tok, size_t len),
                          void *arg, char *why, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    long n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                       line[len - 1] == '\t'))
            line[--len] = 0;
        char *t = line + strspn(line, " \t");
        if (!*t || *t == '#') continue;
        if (fn) fn(arg, t, strlen(t));
        n++;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(why, cap, "%s: read error", path);
        return -1;
    }
    if (n == 0) snprintf(why, cap, "%s: no token in it (one a line; # starts a comment)", path);
    return n;
}

typedef struct hexcheck {
    size_t item, bad;
} hexcheck;

static void check_hex(void *arg, const char *s, size_t len)
{
    hexcheck *h = arg;
    h->item++;
    bool ok = len == 64;
    for (size_t i = 0; ok && i < len; i++)
        ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
             (s[i] >= 'A' && s[i] <= 'F');
    if (!ok && !h->bad) h->bad = h->item;
}

static bool readable(const char *path, char *why, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return false;
    }
    fclose(f);
    return true;
}

static bool set(const char *s)
{
    return s && *s;
}

static void check_route(const mw_config *c, size_t r, mw_config_key_problem_fn fn, void *arg)
{
    const mw_route *rt = &c->routes[r];
    char why[1200], path[300], other[300];
    long ri = (long)r;
    if (rt->ingest != MW_INGEST_ON) return;
    if (!set(c->http_listen))
        fn(arg, ri, "ingest", "on, but http.listen is \"\" (no HTTP server to take the POSTs)");
    const char *p = mw_config_ingest_path(rt, path, sizeof path);
    bool path_ok = p[0] == '/' && strlen(p) < 256;
    for (const char *q = p; *q && path_ok; q++)
        path_ok = (unsigned char)*q > 0x20 && *q != 0x7f && *q != '?' && *q != '#' && *q != '%';
    if (!path_ok)
        fn(arg, ri, set(rt->ingest_path) ? "ingest_path" : "input",
           "the ingest path must start with / and hold no space, control byte, ?, # or %");
    static const char *const taken[] = {"/metrics",      "/healthz", "/readyz", "/catalog",
                                        "/openapi.json", "/schemas", "/"};
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++)
        if (strcmp(p, taken[i]) == 0 || (i == 5 && strncmp(p, "/schemas/", 9) == 0)) {
            snprintf(why, sizeof why, "%s is served by the worker itself; choose another path", p);
            fn(arg, ri, "ingest_path", why);
        }
    for (size_t q = 0; q < r; q++) {
        const mw_route *o = &c->routes[q];
        if (o->ingest != MW_INGEST_ON) continue;
        if (strcmp(mw_config_ingest_path(o, other, sizeof other), p) == 0) {
            snprintf(why, sizeof why, "%s is also the ingest path of routes[%zu]", p, q);
            fn(arg, ri, "ingest_path", why);
        }
    }
    bool creds = set(rt->tokens_sha256) || set(rt->token_file) || set(rt->client_cns);
    if (rt->auth == MW_AUTH_NONE && creds)
        fn(arg, ri, "auth",
           "none, but the route also has tokens_sha256, token_file or client_cns; remove one");
    if (rt->auth == MW_AUTH_CREDENTIALS && !creds)
        fn(arg, ri, "auth",
           "the route takes HTTP POSTs (ingest: on) but has no credentials: set tokens_sha256, "
           "token_file or client_cns, or auth: none to let anyone write");
    hexcheck h = {0, 0};
    mw_config_list_each(rt->tokens_sha256, check_hex, &h);
    if (h.bad) {
        snprintf(why, sizeof why,
                 "item %zu is not a SHA-256 in hex (64 of 0-9a-f; sha256sum of the token)", h.bad);
        fn(arg, ri, "tokens_sha256", why);
    }
    if (set(rt->token_file) &&
        mw_config_token_file(rt->token_file, NULL, NULL, why, sizeof why) <= 0)
        fn(arg, ri, "token_file", why);
    if (set(rt->client_cns) && !set(c->http_tls_client_ca))
        fn(arg, ri, "client_cns",
           "client certificates are only asked for with http.tls_client_ca; set it");
}

void mw_config_ingest_check(const mw_config *c, mw_config_key_problem_fn fn, void *arg)
{
    char why[1200];
    for (size_t r = 0; r < c->n_routes; r++)
        check_route(c, r, fn, arg);
    bool cert = set(c->http_tls_cert), key = set(c->http_tls_key);
    if (cert != key) /* blamed on the one that is set */
        fn(arg, -1, cert ? "http.tls_cert" : "http.tls_key",
           cert ? "TLS needs both http.tls_cert and http.tls_key; http.tls_key is not set"
                : "TLS needs both http.tls_cert and http.tls_key; http.tls_cert is not set");
    if (set(c->http_tls_client_ca) && !cert)
        fn(arg, -1, "http.tls_client_ca",
           "client certificates need TLS: set http.tls_cert and "
           "http.tls_key");
    static const char *const keys[] = {"http.tls_cert", "http.tls_key", "http.tls_client_ca"};
    const char *const vals[] = {c->http_tls_cert, c->http_tls_key, c->http_tls_client_ca};
    for (size_t i = 0; i < 3; i++)
        if (set(vals[i]) && !readable(vals[i], why, sizeof why)) fn(arg, -1, keys[i], why);
}
