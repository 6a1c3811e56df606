/* mw_catalog.h - the contract catalog the worker serves read-only (see mw_catalog.c). */
#ifndef MW_CATALOG_H
#define MW_CATALOG_H

#include <stddef.h>

typedef struct mw_catalog mw_catalog;

/* Loads DIR/catalog.json, DIR/openapi.json and DIR/schemas/NAME.json (meshgate-codegen
 * --contract-out output). NULL and errstr ("catalog: DIR/catalog.json: No such file or
 * directory") on failure. */
mw_catalog *mw_catalog_load(const char *dir, char *errstr, size_t errlen);
/* The document for an HTTP path: "/catalog", "/openapi.json", "/schemas" (the list of names)
 * or "/schemas/NAME"; NULL if there is none. */
const char *mw_catalog_get(const mw_catalog *c, const char *path, size_t *len);
void mw_catalog_free(mw_catalog *c);

#endif
