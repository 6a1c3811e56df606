/* mw_ingest_auth.c - who may POST to an ingest route (issue 19.3): bearer tokens, kept only as
 * SHA-256 hashes (from the configuration, or hashed as read from a token file such as a mounted
 * Kubernetes Secret), and TLS client certificates verified against http.tls_client_ca and
 * mapped to routes by their subject CN. A route without credentials is writable only with
 * auth: none (mw_config_ingest.c refuses the rest at start).
 *
 * Design: everything is read once at start; a check hashes the presented token (GnuTLS) and
 * compares it with every hash in constant time, so neither the token nor how much of it
 * matched leaks through timing. No credentials at all is a 401 (with WWW-Authenticate); a
 * token nobody knows is a 401 (invalid_token); a valid token or certificate of another route
 * is a 403. Reasons name no secret.
 */
#include "mw_ingest_auth.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mw_sha256(const void *s, size_t n, uint8_t out[32])
{
    gnutls_hash_fast(GNUTLS_DIG_SHA256, s, n, out);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

typedef struct loading {
    mw_creds *k;
    bool oom;
} loading;

static uint8_t *new_hash(loading *L)
{
    mw_creds *k = L->k;
    uint8_t(*nh)[32] = realloc(k->hash, (k->n_hash + 1) * sizeof *nh);
    if (!nh) {
        L->oom = true;
        return NULL;
    }
    k->hash = nh;
    return k->hash[k->n_hash++];
}

static void add_hex(void *arg, const char *s, size_t len)
{
    loading *L = arg;
    if (len != 64) return; /* refused by the configuration check */
    uint8_t *h = new_hash(L);
    for (size_t i = 0; h && i < 32; i++)
        h[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
}

static void add_token(void *arg, const char *tok, size_t len)
{
    uint8_t *h = new_hash(arg);
    if (h) mw_sha256(tok, len, h);
}

static void add_cn(void *arg, const char *s, size_t len)
{
    loading *L = arg;
    mw_creds *k = L->k;
    char **ncn = realloc(k->cn, (k->n_cn + 1) * sizeof *ncn);
    char *cn = strndup(s, len);
    if (ncn) k->cn = ncn;
    if (!ncn || !cn) {
        free(cn);
        L->oom = true;
        return;
    }
    k->cn[k->n_cn++] = cn;
}

bool mw_creds_load(mw_creds *k, const mw_route *r, size_t index, char *errstr, size_t errlen)
{
    *k = (mw_creds){.none = r->auth == MW_AUTH_NONE};
    loading L = {k, false};
    char why[1200];
    mw_config_list_each(r->tokens_sha256, add_hex, &L);
    if (r->token_file && *r->token_file &&
        mw_config_token_file(r->token_file, add_token, &L, why, sizeof why) <= 0) {
        snprintf(errstr, errlen, "routes[%zu].token_file: %s", index, why);
        return false;
    }
    mw_config_list_each(r->client_cns, add_cn, &L);
    if (L.oom) snprintf(errstr, errlen, "routes[%zu]: out of memory reading credentials", index);
    return !L.oom;
}

void mw_creds_free(mw_creds *k)
{
    for (size_t i = 0; i < k->n_cn; i++)
        free(k->cn[i]);
    free(k->cn);
    free(k->hash);
    *k = (mw_creds){0};
}

static bool has_hash(const mw_creds *k, const uint8_t h[32])
{
    bool found = false;
    for (size_t i = 0; i < k->n_hash; i++) {
        uint8_t d = 0;
        for (int j = 0; j < 32; j++)
            d |= (uint8_t)(k->hash[i][j] ^ h[j]);
        found |= d == 0;
    }
    return found;
}

/* The verified client certificate's subject CN into cn; 0 none presented, 1 verified, -1
 * presented but not trusted (why says so). */
static int client_cn(struct MHD_Connection *c, char *cn, size_t cap, char *why, size_t wcap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session) return 0;
    gnutls_session_t s = (gnutls_session_t)ci->tls_session;
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
    if (!chain || n == 0) return 0;
    unsigned status = 0;
    if (gnutls_certificate_verify_peers2(s, &status) != 0 || status != 0) {
        snprintf(why, wcap,
                 "the client certificate is not trusted (not signed by "
                 "http.tls_client_ca, expired or not yet valid)");
        return -1;
    }
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) != 0) return -1;
    size_t len = cap;
    int rc = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER);
    if (rc == 0)
        rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len);
    gnutls_x509_crt_deinit(crt);
    if (rc != 0) {
        snprintf(why, wcap, "the client certificate has no subject CN");
        return -1;
    }
    return 1;
}

unsigned mw_creds_check(const mw_creds *mine, const mw_creds *all, size_t n,
                        struct MHD_Connection *c, char *why, size_t cap)
{
    if (mine->none) return 0;
    char cn[256] = "";
    int cert = client_cn(c, cn, sizeof cn, why, cap);
    if (cert < 0) return 401;
    for (size_t i = 0; cert > 0 && i < mine->n_cn; i++)
        if (strcmp(mine->cn[i], cn) == 0) return 0;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        const char *tok = auth + 7;
        tok += strspn(tok, " ");
        uint8_t h[32];
        mw_sha256(tok, strlen(tok), h);
        if (has_hash(mine, h)) return 0;
        for (size_t i = 0; i < n; i++)
            if (&all[i] != mine && has_hash(&all[i], h)) {
                snprintf(why, cap, "the bearer token is not allowed to write to this route");
                return 403;
            }
        snprintf(why, cap, "invalid_token: the bearer token is not known");
        return 401;
    }
    if (auth) {
        snprintf(why, cap, "the Authorization header is not \"Bearer TOKEN\"");
        return 401;
    }
    if (cert > 0) {
        snprintf(why, cap, "the client certificate (CN %s) is not mapped to this route", cn);
        return 403;
    }
    snprintf(why, cap,
             "credentials required: a bearer token (Authorization: Bearer TOKEN) or a "
             "TLS client certificate");
    return 401;
}

static char *read_file(const char *key, const char *path, char *errstr, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errstr, errlen, "%s: %s: %s", key, path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4097) {
            char *nb = cap < (1u << 24) ? realloc(buf, cap + 65536) : NULL;
            if (!nb) {
                snprintf(errstr, errlen, "%s: %s: too large or out of memory", key, path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap += 65536;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    return buf;
}

bool mw_tls_pem_load(mw_tls_pem *p, const mw_config *c, char *errstr, size_t errlen)
{
    *p = (mw_tls_pem){0};
    if (!c->http_tls_cert || !*c->http_tls_cert) return true;
    p->cert = read_file("http.tls_cert", c->http_tls_cert, errstr, errlen);
    p->key = p->cert ? read_file("http.tls_key", c->http_tls_key, errstr, errlen) : NULL;
    bool ca = c->http_tls_client_ca && *c->http_tls_client_ca;
    if (p->key && ca)
        p->client_ca = read_file("http.tls_client_ca", c->http_tls_client_ca, errstr, errlen);
    if (!p->cert || !p->key || (ca && !p->client_ca)) {
        mw_tls_pem_free(p);
        return false;
    }
    return true;
}

void mw_tls_pem_free(mw_tls_pem *p)
{
    free(p->cert);
    free(p->key);
    free(p->client_ca);
    *p = (mw_tls_pem){0};
}
