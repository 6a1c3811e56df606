/* mw_schemas.h - a schema set loaded from a shared object (see mw_schemas.c). */
#ifndef MW_SCHEMAS_H
#define MW_SCHEMAS_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate.h"

typedef struct mw_schemas mw_schemas;

/* Loads PATH (built from meshgate-codegen output with -DMG_SHARED_OBJECT). NULL and errstr
 * on failure. */
mw_schemas *mw_schemas_load(const char *path, char *errstr, size_t errlen);
/* Loads a snapshot of PATH (a private copy, see mw_schemas.c): a set loaded beside one already
 * loaded from the same path, and safe from the file being overwritten. */
mw_schemas *mw_schemas_load_copy(const char *path, char *errstr, size_t errlen);
/* Whether the set has a schema of this name or $id; if not, its names, comma-separated, into
 * have. */
bool mw_schemas_has(const mw_schemas *s, const char *name, char *have, size_t cap);
const mg_schema_set *mw_schemas_set(const mw_schemas *s);
void mw_schemas_free(mw_schemas *s);

#endif
