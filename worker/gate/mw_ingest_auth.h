/* mw_ingest_auth.h - who may POST to an ingest route: bearer tokens and TLS client
 * certificates (see mw_ingest_auth.c). */
#ifndef MW_INGEST_AUTH_H
#define MW_INGEST_AUTH_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mw_config.h"

/* The credentials of one route. */
typedef struct mw_creds {
    bool none; /* auth: none */
    uint8_t (*hash)[32];
    size_t n_hash;
    char **cn;
    size_t n_cn;
} mw_creds;

/* Reads a route's tokens_sha256, token_file (hashed as read) and client_cns. false and errstr
 * naming the key on failure. */
bool mw_creds_load(mw_creds *k, const mw_route *r, size_t index, char *errstr, size_t errlen);
void mw_creds_free(mw_creds *k);

/* Whether the request on c may write to the route of `mine`; all[0..n) are every route's
 * credentials (a token of another route is a 403, an unknown one a 401). Returns 0 when it
 * may, else 401 or 403 with the reason in why. */
unsigned mw_creds_check(const mw_creds *mine, const mw_creds *all, size_t n,
                        struct MHD_Connection *c, char *why, size_t cap);

/* SHA-256 of s[0..n). */
void mw_sha256(const void *s, size_t n, uint8_t out[32]);

/* The TLS files of the configuration, read into memory for libmicrohttpd (NULL: not set). */
typedef struct mw_tls_pem {
    char *cert, *key, *client_ca;
} mw_tls_pem;

bool mw_tls_pem_load(mw_tls_pem *p, const mw_config *c, char *errstr, size_t errlen);
void mw_tls_pem_free(mw_tls_pem *p);

#endif
