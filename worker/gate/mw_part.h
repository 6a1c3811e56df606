/* mw_part.h - assigned partitions and their in-flight messages (see mw_part.c). */
#ifndef MW_PART_H
#define MW_PART_H

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate.h"
#include "mw_config.h"

typedef enum mw_slot_state {
    MW_SLOT_FREE = 0,
    MW_SLOT_QUEUED, /* handed to a worker, not yet acknowledged */
    MW_SLOT_ACKED,  /* the broker acknowledged its output or dead letter */
    MW_SLOT_FAILED  /* delivery failed; the partition rewinds to the first unacked offset */
} mw_slot_state;

struct mw_part;

/* One in-flight message. The consumed message stays alive until its delivery report, so the
 * producer can send its bytes without a copy. Fields are written by the main thread before
 * the slot goes to a worker; the worker writes t_produce_us and dlq, then sets sent (release)
 * and produces, and never touches the slot again; the delivery report on the main thread
 * reads sent (acquire) before anything else, so the hand-over does not depend on
 * librdkafka's internal locking. */
typedef struct mw_slot {
    rd_kafka_message_t *msg;
    struct mw_part *part;
    struct mw_slot *next; /* partition FIFO, or the free list */
    int64_t offset;
    int64_t t_fetch_us;   /* monotonic, when consumed */
    int64_t t_produce_us; /* monotonic, when produced */
    uint32_t bytes;
    uint8_t state;
    bool dlq;
    _Atomic bool sent;
} mw_slot;

/* One assigned input partition. Owned by the main thread; workers only read route, schema
 * and the topic handles. */
typedef struct mw_part {
    char *topic;
    int32_t partition;
    const mw_route *route;
    const mg_schema *schema;
    rd_kafka_topic_t *out_rkt, *dlq_rkt; /* producer topic handles of the route */
    const rd_kafka_topic_t *in_rkt;      /* the consumer's topic handle, learnt per message */
    uint32_t worker;                     /* worker thread that handles it (keeps order) */
    mw_slot *head, *tail;                /* in-flight FIFO, offsets increasing */
    uint32_t pending;                    /* slots without a delivery report yet */
    int64_t next_offset;                 /* offset after the last message taken, -1 unknown */
    int64_t stored;                      /* offset stored for commit, -1 none yet */
    bool assigned, paused, failed, dirty;
    char *stopped; /* why meshgate stopped consuming it (malloc'd); NULL while it runs */
    bool stuck;    /* its oldest message in flight is older than health.stuck_after_ms */
    int64_t retry_at_us;
    uint32_t backoff_ms;
    struct mw_part *hnext, *dnext; /* hash chain, dirty list */
} mw_part;

typedef struct mw_parts mw_parts;

/* A table of partitions plus a pool of max_slots slots, allocated once. */
mw_parts *mw_parts_new(uint32_t max_slots);
void mw_parts_free(mw_parts *t);

/* Finds an assigned partition; NULL if not assigned. */
mw_part *mw_parts_find(mw_parts *t, const char *topic, int32_t partition);
/* Finds the partition of a consumed message (cached by topic handle). */
mw_part *mw_parts_of(mw_parts *t, const rd_kafka_message_t *m);
/* Adds an assigned partition. */
mw_part *mw_parts_add(mw_parts *t, const char *topic, int32_t partition);
/* Detaches a partition from the table (on revoke). It is freed at once if nothing is in
 * flight, else when its last delivery report arrives (mw_parts_resolve). */
void mw_parts_remove(mw_parts *t, mw_part *p);
/* Calls fn for every assigned partition. */
void mw_parts_each(mw_parts *t, void (*fn)(mw_part *p, void *arg), void *arg);
size_t mw_parts_count(const mw_parts *t);

/* Takes a free slot for message m of p, appended to p's FIFO; NULL when none is free. */
mw_slot *mw_parts_take(mw_parts *t, mw_part *p, rd_kafka_message_t *m, int64_t now_us);
uint32_t mw_parts_inflight(const mw_parts *t);
/* Slots without a delivery report yet, over all partitions (detached ones included). */
uint32_t mw_parts_pending(const mw_parts *t);
uint64_t mw_parts_inflight_bytes(const mw_parts *t);

/* A delivery report: marks the slot, releases the acknowledged prefix of its partition and
 * marks the partition dirty when its storable offset moved. */
void mw_parts_resolve(mw_parts *t, mw_slot *s, bool ok);
/* Releases every slot of p (after all were resolved) and returns the first unacked offset,
 * where consumption must restart; -1 if nothing was in flight. */
int64_t mw_parts_rewind(mw_parts *t, mw_part *p);

/* Stores the offsets of the dirty partitions with rd_kafka_offsets_store; returns the
 * number of partitions stored. */
int mw_parts_store(mw_parts *t, rd_kafka_t *consumer);

#endif
