/* mw_dlq.h - `meshgate dlq`: inspect, summarise and replay dead letters (see mw_dlq.c). */
#ifndef MW_DLQ_H
#define MW_DLQ_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mw_config.h"

/* One dead letter as read: its place, and what its dead-letter headers say (meshgate.*, or
 * where those are absent Kafka Connect's or Kafka Streams' names: mw_dlq_headers.h). Pointers
 * point into the consumed message or the reader's scratch (valid while both live); absent
 * headers are "". */
typedef struct mw_dlq_rec {
    const rd_kafka_message_t *msg;
    const char *topic;
    int64_t timestamp_ms;
    const char *reason, *instance, *keyword, *message, *schema, *schema_version;
    const char *origin_topic, *origin_partition, *origin_offset, *worker, *rejected_at;
    const char *errors;  /* meshgate.errors (JSON text), "" if none */
    const char *key;     /* the key escaped for text (mg_escape), "-" if none */
    long replay_count;   /* meshgate.replay_count: 0 when absent, -1 when not a plain count */
    long value_dropped;  /* meshgate.value_dropped: the value's length, -1 when kept */
    int64_t origin_off;  /* origin_offset as a number, -1 if none */
    int32_t origin_part; /* origin_partition as a number, -1 if none */
} mw_dlq_rec;

/* Reads m's dead-letter headers into rec (texts escaped into scratch[0..cap)). */
void mw_dlq_read(const rd_kafka_message_t *m, mw_dlq_rec *rec, char *scratch, size_t cap);

/* Output (mw_dlq_print.c). */
void mw_dlq_print_line(const mw_dlq_rec *rec);
void mw_dlq_print_json(const mw_dlq_rec *rec);
/* "<what> <origin topic>/<partition>@<offset> <key> <schema>" without a newline. */
void mw_dlq_print_place(const char *what, const mw_dlq_rec *rec);
typedef struct mw_dlq_summary mw_dlq_summary;
mw_dlq_summary *mw_dlq_summary_new(void);
void mw_dlq_summary_add(mw_dlq_summary *s, const mw_dlq_rec *rec);
void mw_dlq_summary_print(mw_dlq_summary *s, bool json);
void mw_dlq_summary_free(mw_dlq_summary *s);

/* The replay part (mw_dlq_replay.c). */
typedef struct mw_replay mw_replay;
typedef struct mw_replay_opts {
    const char *to;               /* the topic records are re-sent to; NULL: each record's origin */
    long max_replays;             /* records already replayed this often are refused */
    const char *schemas;          /* --revalidate: the schema set to check against, else NULL */
    const mw_config *cfg;         /* --config: the worker's routes (for --revalidate), or NULL */
    bool dry_run;                 /* report, produce nothing, commit nothing */
    rd_kafka_conf_t *conf;        /* producer configuration (taken) */
    rd_kafka_conf_t *origin_conf; /* for reading values from origin topics (taken) */
    rd_kafka_t *consumer; /* the reader's consumer, in the replay's group: commits progress */
} mw_replay_opts;

/* The consumer group that keeps a replay's progress for dead-letter topics read into `to`
 * (NULL: each record's origin topic): written into buf. */
void mw_replay_group(char *buf, size_t cap, const char *to);

mw_replay *mw_replay_new(mw_replay_opts *o, char *errstr, size_t errlen);
/* A record read (whether selected or not): progress may move past it. */
void mw_replay_seen(mw_replay *r, const rd_kafka_message_t *m);
/* Replays (or refuses) one selected record, printing a line for each one it does not replay. */
void mw_replay_one(mw_replay *r, const mw_dlq_rec *rec);
/* Waits for every delivery, commits the progress, prints the summary line; returns the exit
 * status (1 if a delivery or the commit failed) and frees r. */
int mw_replay_finish(mw_replay *r);

/* RFC 3339 (2026-11-23T10:00:00Z) or a time relative to now ("-90s", "-30m", "-2h", "-7d") into
 * Unix milliseconds; false if neither (also used by check-topic's --from). */
bool mw_dlq_parse_time(const char *s, int64_t *ms);

/* argv[0] is "dlq". Returns the process exit status. */
int mw_dlq_main(int argc, char **argv);

#endif
