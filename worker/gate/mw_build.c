/* mw_build.c - what a worker runs: the version stamped at build time, and the identity of the
 * schema set it loaded.
 *
 * Design: the version is the one define of the Makefile (MESHGATE_VERSION, given to this file
 * only and to codegen's main), so every place that reports it reads this function. A schema
 * set is identified by the SHA-256 of the shared object's bytes, shortened to 12 hex digits
 * like a git hash: two workers running the same set report the same label, whatever the file
 * is called on their disk, and a rollout of a changed set is visible on a dashboard. GnuTLS
 * computes it, the one cryptographic library of the gate (it serves TLS for libmicrohttpd and
 * hashes ingest tokens).
 */
#include "mw_build.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>

#ifndef MESHGATE_VERSION
#define MESHGATE_VERSION "unknown"
#endif

const char *mw_build_version(void)
{
    return MESHGATE_VERSION;
}

bool mw_build_schema_set_id(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(out, cap, "%s: %s", path, strerror(errno));
        return false;
    }
    gnutls_hash_hd_t h;
    bool inited = gnutls_hash_init(&h, GNUTLS_DIG_SHA256) == 0, ok = inited;
    unsigned char buf[65536], md[32];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = gnutls_hash(h, buf, n) == 0;
    if (inited) gnutls_hash_deinit(h, md);
    ok = ok && !ferror(f);
    fclose(f);
    if (!ok) {
        snprintf(out, cap, "%s: cannot compute its SHA-256", path);
        return false;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, cap, "%s@%02x%02x%02x%02x%02x%02x", base, md[0], md[1], md[2], md[3], md[4],
             md[5]);
    return true;
}
