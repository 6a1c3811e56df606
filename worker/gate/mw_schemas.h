/* mw_schemas.h - a schema set loaded from a shared object (see mw_schemas.c). */
#ifndef MW_SCHEMAS_H
#define MW_SCHEMAS_H

#include <stddef.h>

#include "meshgate.h"

typedef struct mw_schemas mw_schemas;

/* Loads PATH (built from meshgate-codegen output with -DMG_SHARED_OBJECT). NULL and errstr
 * on failure. */
mw_schemas *mw_schemas_load(const char *path, char *errstr, size_t errlen);
const mg_schema_set *mw_schemas_set(const mw_schemas *s);
void mw_schemas_free(mw_schemas *s);

#endif
