/* mg_registry.c - finds the versions of a schema set compiled from a Schema Registry export by
 * registry identity: schema id, subject and version, GUID (meshgate.h).
 *
 * Design: meshgate-codegen emits, next to the schema records, three arrays of record indexes
 * sorted by the keys a lookup uses (by_registry_id: id, then subject, then version;
 * by_subject: subject, then version; by_guid: the 16 GUID bytes). Each lookup is a lower-bound
 * binary search over one of them with the same comparison codegen sorted with (numbers by
 * value, subjects by strcmp, GUIDs by memcmp), so a lookup per message costs O(log n) and
 * allocates nothing. A set without registry versions has empty indexes and every lookup
 * returns NULL. No state; safe from any thread.
 */
#include <string.h>

#include "meshgate.h"

/* What a lookup searches for; each comparison reads the fields it needs. */
typedef struct key {
    int64_t id;
    const char *subject; /* NULL: any subject (by id alone) */
    int32_t version;     /* MG_VERSION_LATEST sorts after every version of its subject */
    const uint8_t *guid;
} key;

typedef int (*cmp_fn)(const mg_schema *s, const key *k);

static int cmp_id(const mg_schema *s, const key *k)
{
    if (s->registry_id != k->id) return s->registry_id < k->id ? -1 : 1;
    return k->subject ? strcmp(s->subject, k->subject) : 0;
}

static int cmp_subject(const mg_schema *s, const key *k)
{
    int c = strcmp(s->subject, k->subject);
    if (c) return c;
    if (k->version == MG_VERSION_LATEST) return -1;
    return s->version == k->version ? 0 : s->version < k->version ? -1 : 1;
}

static int cmp_guid(const mg_schema *s, const key *k)
{
    return memcmp(s->guid, k->guid, 16);
}

/* Position in index[0..n) of the first record not less than k. */
static uint32_t lower_bound(const mg_schema_set *set, const uint32_t *index, uint32_t n, cmp_fn cmp,
                            const key *k)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cmp(&set->schemas[index[mid]], k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The record at index[pos] if it equals k. */
static const mg_schema *match(const mg_schema_set *set, const uint32_t *index, uint32_t n,
                              uint32_t pos, cmp_fn cmp, const key *k)
{
    if (pos >= n) return NULL;
    const mg_schema *s = &set->schemas[index[pos]];
    return cmp(s, k) == 0 ? s : NULL;
}

const mg_schema *mg_schema_find_registry_id(const mg_schema_set *set, int64_t id)
{
    return mg_schema_find_subject_id(set, NULL, id);
}

const mg_schema *mg_schema_find_subject_id(const mg_schema_set *set, const char *subject,
                                           int64_t id)
{
    if (!set || !set->by_registry_id) return NULL;
    key k = {.id = id, .subject = subject};
    uint32_t pos = lower_bound(set, set->by_registry_id, set->nregistry, cmp_id, &k);
    return match(set, set->by_registry_id, set->nregistry, pos, cmp_id, &k);
}

const mg_schema *mg_schema_find_version(const mg_schema_set *set, const char *subject,
                                        int32_t version)
{
    if (!set || !set->by_subject || !subject) return NULL;
    key k = {.subject = subject, .version = version};
    uint32_t pos = lower_bound(set, set->by_subject, set->nregistry, cmp_subject, &k);
    if (version != MG_VERSION_LATEST)
        return match(set, set->by_subject, set->nregistry, pos, cmp_subject, &k);
    /* pos is past the subject's last version */
    if (pos == 0) return NULL;
    const mg_schema *s = &set->schemas[set->by_subject[pos - 1]];
    return strcmp(s->subject, subject) == 0 ? s : NULL;
}

const mg_schema *mg_schema_find_guid(const mg_schema_set *set, const uint8_t *guid)
{
    if (!set || !set->by_guid || !guid) return NULL;
    key k = {.guid = guid};
    uint32_t pos = lower_bound(set, set->by_guid, set->nguid, cmp_guid, &k);
    return match(set, set->by_guid, set->nguid, pos, cmp_guid, &k);
}
