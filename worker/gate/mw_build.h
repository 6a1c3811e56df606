/* mw_build.h - what a worker runs: its version and the identity of its schema set, for
 * meshgate_build_info, /status and --version (see mw_build.c). */
#ifndef MW_BUILD_H
#define MW_BUILD_H

#include <stdbool.h>
#include <stddef.h>

/* The version the Makefile stamped (`git describe`, or MESHGATE_VERSION=...), else "unknown". */
const char *mw_build_version(void);

/* The identity of the schema set in file path: its file name and the first 12 hex digits of
 * the SHA-256 of its bytes ("identity.so@3f9a0c61b2d4"), into out. false and why in out if the
 * file cannot be read. */
bool mw_build_schema_set_id(const char *path, char *out, size_t cap);

#endif
