/* mw_part.c - the assigned partitions of a worker process and their in-flight messages: the
 * bookkeeping that makes "nothing lost" true.
 *
 * Design: every consumed message takes a slot from a pool allocated once (its size is the
 * in-flight bound, so memory is bounded whatever the input rate) and joins its partition's
 * FIFO in offset order. A delivery report marks its slot acknowledged or failed; the
 * acknowledged prefix of the FIFO is released and its last offset + 1 becomes the
 * partition's storable offset, so an offset is stored for commit only when every earlier
 * message of the partition is on its output or dead-letter topic. A failed slot stops the
 * prefix: the caller pauses the partition, waits for the other reports, then rewinds
 * (mw_parts_rewind) to the first unacknowledged offset. A revoked partition with messages
 * still in flight is detached from the table and freed by its last delivery report.
 * Everything here runs on the main thread only: no locks.
 */
#include "mw_part.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 256

struct mw_parts {
    mw_part *buckets[NBUCKETS];
    size_t count;
    mw_slot *slots, *free_list;
    uint32_t inflight, pending;
    uint64_t inflight_bytes;
    uint32_t max_slots;
    mw_part *dirty;
    mw_part *zombies; /* detached with messages in flight, chained by hnext */
    mw_part *last;    /* cache for mw_parts_of */
};

static unsigned bucket_of(const char *topic, int32_t partition)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)topic; *c; c++)
        h = (h ^ *c) * 16777619u;
    h = (h ^ (uint32_t)partition) * 16777619u;
    return h % NBUCKETS;
}

mw_parts *mw_parts_new(uint32_t max_slots)
{
    mw_parts *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->slots = calloc(max_slots, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->max_slots = max_slots;
    for (uint32_t i = max_slots; i-- > 0;) {
        t->slots[i].next = t->free_list;
        t->free_list = &t->slots[i];
    }
    return t;
}

static void release_slot(mw_parts *t, mw_slot *s)
{
    rd_kafka_message_destroy(s->msg);
    t->inflight--;
    t->inflight_bytes -= s->bytes;
    memset(s, 0, sizeof *s);
    s->next = t->free_list;
    t->free_list = s;
}

static void free_part(mw_part *p)
{
    free(p->stopped);
    free(p->topic);
    free(p);
}

void mw_parts_free(mw_parts *t)
{
    if (!t) return;
    for (uint32_t i = 0; i < t->max_slots; i++)
        if (t->slots[i].msg) rd_kafka_message_destroy(t->slots[i].msg);
    for (unsigned b = 0; b <= NBUCKETS; b++)
        for (mw_part *p = b < NBUCKETS ? t->buckets[b] : t->zombies, *n; p; p = n) {
            n = p->hnext;
            free_part(p);
        }
    free(t->slots);
    free(t);
}

mw_part *mw_parts_find(mw_parts *t, const char *topic, int32_t partition)
{
    for (mw_part *p = t->buckets[bucket_of(topic, partition)]; p; p = p->hnext)
        if (p->partition == partition && strcmp(p->topic, topic) == 0) return p;
    return NULL;
}

mw_part *mw_parts_of(mw_parts *t, const rd_kafka_message_t *m)
{
    mw_part *p = t->last;
    if (p && p->in_rkt == m->rkt && p->partition == m->partition) return p;
    p = mw_parts_find(t, rd_kafka_topic_name(m->rkt), m->partition);
    if (p) {
        p->in_rkt = m->rkt;
        t->last = p;
    }
    return p;
}

mw_part *mw_parts_add(mw_parts *t, const char *topic, int32_t partition)
{
    mw_part *p = calloc(1, sizeof *p);
    if (!p || !(p->topic = strdup(topic))) {
        free(p);
        return NULL;
    }
    p->partition = partition;
    p->next_offset = -1;
    p->stored = -1;
    p->assigned = true;
    unsigned b = bucket_of(topic, partition);
    p->hnext = t->buckets[b];
    t->buckets[b] = p;
    t->count++;
    return p;
}

static void unlink_dirty(mw_parts *t, mw_part *p)
{
    if (!p->dirty) return;
    for (mw_part **pp = &t->dirty; *pp; pp = &(*pp)->dnext)
        if (*pp == p) {
            *pp = p->dnext;
            break;
        }
    p->dirty = false;
}

void mw_parts_remove(mw_parts *t, mw_part *p)
{
    for (mw_part **pp = &t->buckets[bucket_of(p->topic, p->partition)]; *pp; pp = &(*pp)->hnext)
        if (*pp == p) {
            *pp = p->hnext;
            break;
        }
    t->count--;
    if (t->last == p) t->last = NULL;
    unlink_dirty(t, p);
    p->assigned = false;
    if (p->pending == 0) {
        while (p->head) {
            mw_slot *s = p->head;
            p->head = s->next;
            release_slot(t, s);
        }
        free_part(p);
        return;
    }
    p->hnext = t->zombies;
    t->zombies = p;
}

void mw_parts_each(mw_parts *t, void (*fn)(mw_part *p, void *arg), void *arg)
{
    for (unsigned b = 0; b < NBUCKETS; b++)
        for (mw_part *p = t->buckets[b], *n; p; p = n) {
            n = p->hnext; /* fn may remove p */
            fn(p, arg);
        }
}

size_t mw_parts_count(const mw_parts *t)
{
    return t->count;
}
uint32_t mw_parts_inflight(const mw_parts *t)
{
    return t->inflight;
}
uint32_t mw_parts_pending(const mw_parts *t)
{
    return t->pending;
}
uint64_t mw_parts_inflight_bytes(const mw_parts *t)
{
    return t->inflight_bytes;
}

mw_slot *mw_parts_take(mw_parts *t, mw_part *p, rd_kafka_message_t *m, int64_t now_us)
{
    mw_slot *s = t->free_list;
    if (!s) return NULL;
    t->free_list = s->next;
    s->next = NULL;
    s->msg = m;
    s->part = p;
    s->offset = m->offset;
    s->t_fetch_us = now_us;
    s->bytes = (uint32_t)(m->len > UINT32_MAX ? UINT32_MAX : m->len);
    s->state = MW_SLOT_QUEUED;
    s->dlq = false;
    atomic_store_explicit(&s->sent, false, memory_order_relaxed);
    if (p->tail)
        p->tail->next = s;
    else
        p->head = s;
    p->tail = s;
    p->pending++;
    t->pending++;
    p->next_offset = m->offset + 1;
    t->inflight++;
    t->inflight_bytes += s->bytes;
    return s;
}

void mw_parts_resolve(mw_parts *t, mw_slot *s, bool ok)
{
    mw_part *p = s->part;
    s->state = ok ? MW_SLOT_ACKED : MW_SLOT_FAILED;
    p->pending--;
    t->pending--;
    if (!ok) p->failed = true;
    bool moved = false;
    while (p->head && p->head->state == MW_SLOT_ACKED) {
        mw_slot *h = p->head;
        p->head = h->next;
        if (!p->head) p->tail = NULL;
        p->stored = h->offset + 1;
        moved = true;
        release_slot(t, h);
    }
    if (!p->assigned) {
        if (p->pending == 0) {
            while (p->head) {
                mw_slot *h = p->head;
                p->head = h->next;
                release_slot(t, h);
            }
            for (mw_part **pp = &t->zombies; *pp; pp = &(*pp)->hnext)
                if (*pp == p) {
                    *pp = p->hnext;
                    break;
                }
            free_part(p);
        }
        return;
    }
    if (moved && !p->dirty) {
        p->dirty = true;
        p->dnext = t->dirty;
        t->dirty = p;
    }
}

int64_t mw_parts_rewind(mw_parts *t, mw_part *p)
{
    int64_t first = p->head ? p->head->offset : -1;
    while (p->head) {
        mw_slot *h = p->head;
        p->head = h->next;
        release_slot(t, h);
    }
    p->tail = NULL;
    p->failed = false;
    if (first >= 0) p->next_offset = first;
    return first;
}

int mw_parts_store(mw_parts *t, rd_kafka_t *consumer)
{
    if (!t->dirty) return 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    int n = 0;
    for (mw_part *p = t->dirty, *next; p; p = next) {
        next = p->dnext;
        p->dirty = false;
        p->dnext = NULL;
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->stored;
        n++;
    }
    t->dirty = NULL;
    rd_kafka_offsets_store(consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    return n;
}
