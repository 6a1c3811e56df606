/* mw_idem.c - the idempotency cache of HTTP ingest: an Idempotency-Key (or a CloudEvent's
 * source and id) seen again within the window gets the first answer, and nothing new is
 * produced (draft-ietf-httpapi-idempotency-key-header: 409 while the first is in progress, 422
 * when the key comes back with another body).
 *
 * Design: a ring of max_keys entries in the order their requests began, so the oldest is
 * always at the head and eviction is FIFO; a chained hash index (bucket heads and a next index
 * per entry) finds a key. Memory is bounded by max_keys entries plus max_bytes of keys and
 * answers (exceeded by at most the one answer being stored, when nothing older can go). An
 * entry is evicted when it is the oldest and needs to make room, if it is answered or past the
 * window; a pending one within the window is never evicted, so a new key is refused (FULL)
 * rather than a pending one forgotten. Entries removed out of order (forgotten, expired on
 * lookup) leave a dead ring slot that the head passes over. Tickets carry a generation, so the
 * answer of an evicted entry's request is dropped. Single-threaded (the HTTP thread).
 */
#include "mw_idem.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;
    size_t key_len;
    uint64_t hash, fingerprint, gen;
    int64_t t_us;
    unsigned status; /* 0: pending */
    char *body;
    size_t len;
    bool live;
    int32_t next; /* in its bucket's chain, -1 at the end */
} entry;

struct mw_idem {
    entry *e;
    uint32_t cap, head, count; /* the ring */
    int32_t *bucket;
    uint32_t mask;
    uint64_t bytes, max_bytes, gen;
    size_t live;
    int64_t window_us;
};

uint64_t mw_idem_fnv(uint64_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

mw_idem *mw_idem_new(uint32_t max_keys, uint64_t max_bytes, int64_t window_us)
{
    mw_idem *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->cap = max_keys ? max_keys : 1;
    uint32_t nb = 1;
    while (nb < 2 * c->cap)
        nb <<= 1;
    c->mask = nb - 1;
    c->e = calloc(c->cap, sizeof *c->e);
    c->bucket = malloc(nb * sizeof *c->bucket);
    if (!c->e || !c->bucket) {
        mw_idem_free(c);
        return NULL;
    }
    memset(c->bucket, 0xff, nb * sizeof *c->bucket); /* -1: empty */
    c->max_bytes = max_bytes;
    c->window_us = window_us;
    return c;
}

void mw_idem_free(mw_idem *c)
{
    if (!c) return;
    for (uint32_t i = 0; c->e && i < c->cap; i++) {
        free(c->e[i].key);
        free(c->e[i].body);
    }
    free(c->e);
    free(c->bucket);
    free(c);
}

/* Takes entry i out of the index and frees what it holds; its ring slot stays until popped. */
static void drop(mw_idem *c, uint32_t i)
{
    entry *x = &c->e[i];
    if (!x->live) return;
    int32_t *link = &c->bucket[x->hash & c->mask];
    while (*link != (int32_t)i)
        link = &c->e[*link].next;
    *link = x->next;
    c->bytes -= x->key_len + x->len;
    free(x->key);
    free(x->body);
    *x = (entry){.next = -1};
    c->live--;
}

static bool expired(const mw_idem *c, const entry *x, int64_t now_us)
{
    return now_us - x->t_us > c->window_us;
}

/* Pops the head if it may go (dead, answered or expired); false if it is pending and fresh. */
static bool pop_head(mw_idem *c, int64_t now_us)
{
    if (c->count == 0) return false;
    entry *x = &c->e[c->head];
    if (x->live && x->status == 0 && !expired(c, x, now_us)) return false;
    drop(c, c->head);
    c->head = (c->head + 1) % c->cap;
    c->count--;
    return true;
}

mw_idem_state mw_idem_begin(mw_idem *c, const void *key, size_t key_len, uint64_t fingerprint,
                            int64_t now_us, mw_idem_ticket *t, unsigned *status, const char **body,
                            size_t *len)
{
    *t = (mw_idem_ticket){0, 0};
    uint64_t h = mw_idem_fnv(MW_IDEM_FNV_INIT, key, key_len);
    for (int32_t i = c->bucket[h & c->mask]; i >= 0; i = c->e[i].next) {
        entry *x = &c->e[i];
        if (x->hash != h || x->key_len != key_len || memcmp(x->key, key, key_len) != 0) continue;
        if (expired(c, x, now_us)) {
            drop(c, (uint32_t)i);
            break;
        }
        if (x->fingerprint != fingerprint) return MW_IDEM_MISMATCH;
        if (x->status == 0) return MW_IDEM_PENDING;
        *status = x->status;
        *body = x->body;
        *len = x->len;
        return MW_IDEM_DONE;
    }
    while (c->count == c->cap || (c->count && c->bytes + key_len > c->max_bytes))
        if (!pop_head(c, now_us)) break;
    if (c->count == c->cap) return MW_IDEM_FULL;
    char *k = malloc(key_len ? key_len : 1);
    if (!k) return MW_IDEM_FULL;
    memcpy(k, key, key_len);
    uint32_t slot = (c->head + c->count) % c->cap;
    c->count++;
    entry *x = &c->e[slot];
    *x = (entry){.key = k,
                 .key_len = key_len,
                 .hash = h,
                 .fingerprint = fingerprint,
                 .gen = ++c->gen,
                 .t_us = now_us,
                 .live = true,
                 .next = c->bucket[h & c->mask]};
    c->bucket[h & c->mask] = (int32_t)slot;
    c->bytes += key_len;
    c->live++;
    *t = (mw_idem_ticket){slot, x->gen};
    return MW_IDEM_NEW;
}

static entry *ticket_entry(mw_idem *c, mw_idem_ticket t)
{
    if (t.gen == 0 || t.slot >= c->cap) return NULL;
    entry *x = &c->e[t.slot];
    return x->live && x->gen == t.gen ? x : NULL;
}

void mw_idem_finish(mw_idem *c, mw_idem_ticket t, unsigned status, const char *body, size_t len)
{
    entry *x = ticket_entry(c, t);
    if (!x) return;
    /* Room for the answer: older entries go first (never this one: it is pending). */
    while (c->bytes + len > c->max_bytes && c->head != t.slot && c->count &&
           (!c->e[c->head].live || c->e[c->head].status != 0))
        pop_head(c, 0);
    x = ticket_entry(c, t);
    if (!x) return;
    char *b = malloc(len ? len : 1);
    if (!b) {
        drop(c, t.slot);
        return;
    }
    memcpy(b, body, len);
    x->body = b;
    x->len = len;
    x->status = status ? status : 500;
    c->bytes += len;
}

void mw_idem_forget(mw_idem *c, mw_idem_ticket t)
{
    if (ticket_entry(c, t)) drop(c, t.slot);
}

size_t mw_idem_forget_prefix(mw_idem *c, const void *prefix, size_t n)
{
    size_t gone = 0;
    for (uint32_t k = 0; k < c->count; k++) {
        uint32_t i = (c->head + k) % c->cap;
        const entry *x = &c->e[i];
        if (x->live && x->key_len >= n && memcmp(x->key, prefix, n) == 0) {
            drop(c, i);
            gone++;
        }
    }
    return gone;
}

size_t mw_idem_count(const mw_idem *c)
{
    return c->live;
}

uint64_t mw_idem_bytes(const mw_idem *c)
{
    return c->bytes;
}
