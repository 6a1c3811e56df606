/* mw_schemas.c - loads a compiled schema set from a shared object built from codegen output.
 *
 * Design: dlopen(RTLD_NOW | RTLD_LOCAL) so a missing symbol fails at load, not mid-message;
 * the set is found by its one exported symbol (MG_SCHEMA_SET_SYMBOL) and refused unless it
 * was built against this runtime's ABI. The handle stays open for the life of the set.
 * Called once at start-up, from one thread.
 */
#include "mw_schemas.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mw_schemas {
    void *handle;
    const mg_schema_set *set;
};

mw_schemas *mw_schemas_load(const char *path, char *errstr, size_t errlen)
{
    /* dlopen searches the library path for a name without '/': a file here is "./name" */
    char local[4096];
    if (!strchr(path, '/') && (size_t)snprintf(local, sizeof local, "./%s", path) < sizeof local)
        path = local;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(errstr, errlen, "cannot load schema set %s: %s", path, dlerror());
        return NULL;
    }
    mg_schema_set_fn fn = (mg_schema_set_fn)dlsym(h, MG_SCHEMA_SET_SYMBOL);
    if (!fn) {
        snprintf(errstr, errlen,
                 "%s is not a meshgate schema set (no %s(); build it with -DMG_SHARED_OBJECT)",
                 path, MG_SCHEMA_SET_SYMBOL);
        dlclose(h);
        return NULL;
    }
    const mg_schema_set *set = fn();
    if (!set || set->abi != MG_RT_ABI) {
        snprintf(errstr, errlen, "%s was built for runtime ABI %u, this meshgate has ABI %u", path,
                 set ? set->abi : 0, MG_RT_ABI);
        dlclose(h);
        return NULL;
    }
    mw_schemas *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errstr, errlen, "out of memory");
        dlclose(h);
        return NULL;
    }
    s->handle = h;
    s->set = set;
    return s;
}

const mg_schema_set *mw_schemas_set(const mw_schemas *s)
{
    return s->set;
}

void mw_schemas_free(mw_schemas *s)
{
    if (!s) return;
    dlclose(s->handle);
    free(s);
}
