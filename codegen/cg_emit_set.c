/* cg_emit_set.c - renders the schema set: one mg_schema record per entry, the registry indexes
 * and mg_set_<prefix> (validator/mg_rt.h).
 *
 * Design: entry i checks with mge_i (rendered by cg_emit.c). Entries compiled from a registry
 * export carry subject, version, registry id and GUID; for them three arrays of record indexes
 * are sorted here with the comparisons validator/mg_registry.c searches with (ids by value,
 * subjects by strcmp, GUIDs by memcmp, ties broken by subject then version so the order is
 * total and the output deterministic). A set without registry entries gets empty indexes.
 * Single-threaded.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "cg_uri.h"

static int cmp_subject_version(const cg_entry *a, const cg_entry *b)
{
    int c = strcmp(a->subject, b->subject);
    if (c) return c;
    return a->version < b->version ? -1 : a->version > b->version;
}

static int by_id(const void *x, const void *y)
{
    const cg_entry *a = *(const cg_entry *const *)x, *b = *(const cg_entry *const *)y;
    if (a->registry_id != b->registry_id) return a->registry_id < b->registry_id ? -1 : 1;
    return cmp_subject_version(a, b);
}

static int by_subject(const void *x, const void *y)
{
    return cmp_subject_version(*(const cg_entry *const *)x, *(const cg_entry *const *)y);
}

static int by_guid(const void *x, const void *y)
{
    const cg_entry *a = *(const cg_entry *const *)x, *b = *(const cg_entry *const *)y;
    int c = memcmp(a->guid, b->guid, 16);
    return c ? c : cmp_subject_version(a, b);
}

/* Writes `static const uint32_t NAME[] = {...};` with the indexes of v[0..n) sorted by cmp. */
static void put_index(cg *g, FILE *o, const char *name, const cg_entry **v, size_t n,
                      int (*cmp)(const void *, const void *))
{
    qsort(v, n, sizeof *v, cmp);
    fprintf(o, "static const uint32_t mgs_%s_%s[] = {", g->opt.prefix, name);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s%zu", i ? ", " : "", (size_t)(v[i] - g->entries));
    fputs("};\n", o);
}

void cg_emit_set(cg *g, FILE *o, const char *generator)
{
    const char *prefix = g->opt.prefix;
    size_t nreg = 0, nguid = 0;
    for (size_t i = 0; i < g->nentries; i++) {
        const cg_entry *e = &g->entries[i];
        if (!e->subject) continue;
        nreg++;
        if (!e->has_guid) continue;
        nguid++;
        fprintf(o, "static const uint8_t mgg_%zu[16] = {", i);
        for (size_t k = 0; k < 16; k++)
            fprintf(o, "%s0x%02x", k ? ", " : "", e->guid[k]);
        fputs("};\n", o);
    }
    if (nguid) fputc('\n', o);
    fprintf(o, "static const mg_schema mgs_%s[] = {\n", prefix);
    for (size_t i = 0; i < g->nentries; i++) {
        const cg_entry *e = &g->entries[i];
        fputs("    {", o);
        cg_put_cstr(o, e->name, strlen(e->name));
        fputs(", ", o);
        char *id = cg_uri_public(e->id);
        if (!id) cg_error_doc(g, e->source, "out of memory");
        cg_put_cstr(o, id ? id : "", id ? strlen(id) : 0);
        free(id);
        fputs(", ", o);
        cg_put_cstr(o, e->source, strlen(e->source));
        fprintf(o, ", mge_%zu, ", i);
        if (e->subject) {
            cg_put_cstr(o, e->subject, strlen(e->subject));
            fprintf(o, ", %" PRId32 ", %" PRId64 ", ", e->version, e->registry_id);
            if (e->has_guid)
                fprintf(o, "mgg_%zu},\n", i);
            else
                fputs("NULL},\n", o);
        } else {
            fputs("NULL, 0, 0, NULL},\n", o);
        }
    }
    fputs("};\n\n", o);
    if (nreg) {
        const cg_entry **v = malloc(nreg * sizeof *v);
        size_t n = 0;
        for (size_t i = 0; i < g->nentries; i++)
            if (g->entries[i].subject) v[n++] = &g->entries[i];
        put_index(g, o, "by_id", v, nreg, by_id);
        put_index(g, o, "by_subject", v, nreg, by_subject);
        n = 0;
        for (size_t i = 0; i < g->nentries; i++)
            if (g->entries[i].subject && g->entries[i].has_guid) v[n++] = &g->entries[i];
        if (nguid) put_index(g, o, "by_guid", v, nguid, by_guid);
        free(v);
        fputc('\n', o);
    }
    fprintf(o, "const mg_schema_set mg_set_%s = {MG_RT_ABI, %zu, mgs_%s, ", prefix, g->nentries,
            prefix);
    cg_put_cstr(o, generator, strlen(generator));
    if (nreg)
        fprintf(o, ",\n    %zu, mgs_%s_by_id, mgs_%s_by_subject, ", nreg, prefix, prefix);
    else
        fputs(", 0, NULL, NULL, ", o);
    if (nguid)
        fprintf(o, "%zu, mgs_%s_by_guid};\n\n", nguid, prefix);
    else
        fputs("0, NULL};\n\n", o);
    fprintf(o,
            "#ifdef MG_SHARED_OBJECT\n"
            "__attribute__((visibility(\"default\"))) const mg_schema_set "
            "*meshgate_schema_set(void)\n{\n    return &mg_set_%s;\n}\n#endif\n",
            prefix);
}
