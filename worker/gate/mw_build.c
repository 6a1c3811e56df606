/* mw_build.c - what a worker runs: the version stamped at build time, and the identity of the
 * schema set it loaded.
 *
 * Design: the version is the one define of the Makefile (MESHGATE_VERSION, given to this file
 * only and to codegen's main), so every place that reports it reads this function. A schema
 * set is identified by the SHA-256 of the shared object's bytes, shortened to 12 hex digits
 * like a git hash: two workers running the same set report the same label, whatever the file
 * is called on their disk, and a rollout of a changed set is visible on a dashboard. OpenSSL's
 * libcrypto computes it (librdkafka links it already).
 */
#include "mw_build.h"

#include <errno.h>
#include <openssl/evp.h>
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
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, n) == 1;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 6;
    EVP_MD_CTX_free(ctx);
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
