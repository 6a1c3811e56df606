/* cg_map.c - the small string map of cg.h: byte-string keys (NUL bytes allowed) to pointers.
 *
 * Design: open addressing with linear probing over a power-of-two table kept at most half
 * full, FNV-1a hashing; each key is copied (with its length, NUL-terminated for readers that
 * iterate slots as C strings). O(1) expected per operation, so codegen's indexes (functions,
 * literals, patterns, resources, nodes, property names) stay linear in the schema size.
 * Single-threaded; owned by whoever holds the cg_map.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"

static uint64_t hash_bytes(const void *key, size_t len)
{
    const unsigned char *s = key;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static bool same(const cg_kv *kv, const void *key, size_t len)
{
    return kv->klen == len && memcmp(kv->key, key, len) == 0;
}

void *cg_map_getn(const cg_map *m, const void *key, size_t len)
{
    if (!m->cap) return NULL;
    for (size_t i = hash_bytes(key, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].key) return NULL;
        if (same(&m->slots[i], key, len)) return m->slots[i].val;
    }
}

void *cg_map_get(const cg_map *m, const char *key)
{
    return cg_map_getn(m, key, strlen(key));
}

static void grow(cg_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    cg_kv *ns = calloc(ncap, sizeof *ns);
    if (!ns) abort();
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        size_t j = hash_bytes(m->slots[i].key, m->slots[i].klen) & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
}

void cg_map_putn(cg_map *m, const void *key, size_t len, void *val)
{
    if ((m->n + 1) * 2 > m->cap) grow(m);
    for (size_t i = hash_bytes(key, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        cg_kv *kv = &m->slots[i];
        if (!kv->key) {
            kv->key = malloc(len + 1);
            if (!kv->key) abort();
            memcpy(kv->key, key, len);
            kv->key[len] = 0;
            kv->klen = len;
            kv->val = val;
            m->n++;
            return;
        }
        if (same(kv, key, len)) {
            kv->val = val;
            return;
        }
    }
}

void cg_map_put(cg_map *m, const char *key, void *val)
{
    cg_map_putn(m, key, strlen(key), val);
}

void cg_map_free(cg_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
