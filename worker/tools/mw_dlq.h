/* mw_dlq.h - `meshgate dlq`: inspect, summarise and replay dead letters (see mw_dlq.c). */
#ifndef MW_DLQ_H
#define MW_DLQ_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One dead letter as read: its place, and the meshgate.* headers the worker wrote. Pointers
 * point into the consumed message (valid while it lives); absent headers are "". */
typedef struct mw_dlq_rec {
    const rd_kafka_message_t *msg;
    const char *topic;
    int64_t timestamp_ms;
    const char *reason, *instance, *keyword, *message, *schema, *schema_version;
    const char *origin_topic, *origin_partition, *origin_offset, *worker, *rejected_at;
    long replay_count; /* meshgate.replay_count, 0 when absent */
} mw_dlq_rec;

/* The replay part (mw_dlq_replay.c). */
typedef struct mw_replay mw_replay;
typedef struct mw_replay_opts {
    const char *to;        /* the topic records are re-sent to */
    long max_replays;      /* records already replayed this often are refused */
    const char *schemas;   /* --revalidate: the schema set to check against, else NULL */
    bool dry_run;          /* report, produce nothing */
    rd_kafka_conf_t *conf; /* producer configuration (taken) */
} mw_replay_opts;

mw_replay *mw_replay_new(mw_replay_opts *o, char *errstr, size_t errlen);
/* Replays (or refuses) one record, printing a line for each one it does not replay. */
void mw_replay_one(mw_replay *r, const mw_dlq_rec *rec);
/* Waits for every delivery, prints the summary line; returns the exit status (1 if a delivery
 * failed) and frees r. */
int mw_replay_finish(mw_replay *r);

/* argv[0] is "dlq". Returns the process exit status. */
int mw_dlq_main(int argc, char **argv);

#endif
