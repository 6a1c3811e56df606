/* mw_dlq_headers.h - the names of the headers on a dead letter, in one place for the writer
 * (the gate, mw_envelope.c) and the readers (`meshgate dlq`, its replay, the tests).
 *
 * Three families: meshgate's own (meshgate.*, always written), and, per the route's
 * dead_letter_headers option, the ones Kafka Connect's dead-letter queue writes
 * (DeadLetterQueueReporter: "__connect.errors." + ERROR_HEADER_*) and the ones Kafka Streams'
 * dead-letter queue writes (KIP-1034, ExceptionHandlerUtils: "__streams.errors." + ...), so that
 * redrive tools built for either can act on meshgate's dead letters. Headers of these families
 * that arrive on an input record are never trusted: the dead letter carries them renamed with
 * MW_DLH_UNTRUSTED in front (still visible), except a well-formed meshgate.replay_count, the
 * attempt count a replay carries through the gate. The reason names themselves (the value of
 * meshgate.reason) have their one home in mw_reject_name() (mw_metrics.h).
 */
#ifndef MW_DLQ_HEADERS_H
#define MW_DLQ_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* meshgate's own headers, in the order the gate writes them. */
typedef enum mw_dlh {
    MW_DLH_REASON = 0,       /* a reject reason name (mw_reject_name) */
    MW_DLH_INSTANCE,         /* JSON Pointer in the instance of the first error */
    MW_DLH_KEYWORD,          /* schema location of the first error */
    MW_DLH_MESSAGE,          /* the first error, for a person */
    MW_DLH_SCHEMA,           /* the route's schema */
    MW_DLH_SCHEMA_VERSION,   /* the route's schema_version */
    MW_DLH_ORIGIN_TOPIC,     /* where the record was read */
    MW_DLH_ORIGIN_PARTITION, /* " */
    MW_DLH_ORIGIN_OFFSET,    /* " */
    MW_DLH_WORKER,           /* the worker thread that rejected it */
    MW_DLH_REJECTED_AT,      /* RFC 3339, microseconds */
    MW_DLH_REPLAY_COUNT,     /* attempts through `meshgate dlq --replay` (absent: 0) */
    MW_DLH_ERRORS,           /* every error (bounded), JSON Schema's basic output format */
    MW_DLH_VALUE_DROPPED,    /* the value's length in bytes: too large to keep, not kept */
    MW_DLH_COUNT
} mw_dlh;

#define MW_DLH_PREFIX "meshgate."
#define MW_DLH_UNTRUSTED "untrusted."

/* The name of header h ("meshgate.reason", ...). */
const char *mw_dlh_name(mw_dlh h);

/* Kafka Connect (org.apache.kafka.connect.runtime.errors.DeadLetterQueueReporter). */
#define MW_CONNECT_PREFIX "__connect.errors."
#define MW_CONNECT_TOPIC MW_CONNECT_PREFIX "topic"
#define MW_CONNECT_PARTITION MW_CONNECT_PREFIX "partition"
#define MW_CONNECT_OFFSET MW_CONNECT_PREFIX "offset"
#define MW_CONNECT_CONNECTOR MW_CONNECT_PREFIX "connector.name"
#define MW_CONNECT_TASK MW_CONNECT_PREFIX "task.id"
#define MW_CONNECT_STAGE MW_CONNECT_PREFIX "stage"
#define MW_CONNECT_CLASS MW_CONNECT_PREFIX "class.name"
#define MW_CONNECT_EXCEPTION MW_CONNECT_PREFIX "exception.class.name"
#define MW_CONNECT_MESSAGE MW_CONNECT_PREFIX "exception.message"
#define MW_CONNECT_STACKTRACE MW_CONNECT_PREFIX "exception.stacktrace"

/* Kafka Streams, KIP-1034 (org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils). */
#define MW_STREAMS_PREFIX "__streams.errors."
#define MW_STREAMS_EXCEPTION MW_STREAMS_PREFIX "exception"
#define MW_STREAMS_STACKTRACE MW_STREAMS_PREFIX "stacktrace"
#define MW_STREAMS_MESSAGE MW_STREAMS_PREFIX "message"
#define MW_STREAMS_TOPIC MW_STREAMS_PREFIX "topic"
#define MW_STREAMS_PARTITION MW_STREAMS_PREFIX "partition"
#define MW_STREAMS_OFFSET MW_STREAMS_PREFIX "offset"

/* What the interop headers say in the fields that name Java classes: meshgate's stage and
 * "exception" (the reject reason follows the class, e.g. "meshgate.reject.schema"). */
#define MW_INTEROP_CLASS "meshgate.Gate"
#define MW_INTEROP_EXCEPTION "meshgate.reject."
#define MW_INTEROP_CONNECTOR "meshgate"
#define MW_INTEROP_STAGE "VALUE_CONVERTER" /* Connect's stage for a record that cannot be read */

static inline bool mw_dlh_has_prefix(const char *name, const char *prefix)
{
    return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* A header name in one of the families the gate writes on dead letters. */
static inline bool mw_dlh_reserved(const char *name)
{
    return mw_dlh_has_prefix(name, MW_DLH_PREFIX) || mw_dlh_has_prefix(name, MW_CONNECT_PREFIX) ||
           mw_dlh_has_prefix(name, MW_STREAMS_PREFIX);
}

/* The largest attempt count a record may carry (a plain decimal, at most this). */
#define MW_DLH_MAX_REPLAYS 1000000L

/* A meshgate.replay_count value: plain decimal digits, 0..MW_DLH_MAX_REPLAYS; -1 if it is
 * anything else (a producer's forgery: untrusted). */
static inline long mw_dlh_replay_count(const void *val, size_t len)
{
    const char *s = val;
    long v = 0;
    if (!s || len == 0 || len > 7) return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= MW_DLH_MAX_REPLAYS ? v : -1;
}

#endif
