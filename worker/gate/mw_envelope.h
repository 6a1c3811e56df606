/* mw_envelope.h - CloudEvents 1.0 envelopes (Kafka protocol binding) for valid messages and
 * dead-letter headers for rejects (see mw_envelope.c). */
#ifndef MW_ENVELOPE_H
#define MW_ENVELOPE_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate.h"
#include "mw_config.h"

/* One input message as the worker sees it (no copies: pointers into the consumed message). */
typedef struct mw_in {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms; /* Kafka timestamp, -1 if none */
    const void *key;
    size_t key_len; /* key NULL: no key */
    const void *value;
    size_t value_len;
    const rd_kafka_headers_t *headers; /* NULL: none */
    const char *ce_id; /* the CloudEvent id of a plain input; NULL: mw_ce_id() of the above */
} mw_in;

/* What an input already is. */
typedef enum mw_ce_kind {
    MW_CE_NONE = 0,     /* plain payload */
    MW_CE_IN_BINARY,    /* has a ce_specversion header */
    MW_CE_IN_STRUCTURED /* content-type application/cloudevents+json */
} mw_ce_kind;

mw_ce_kind mw_ce_detect(const mw_in *in);

/* For a structured input: finds the raw bytes of its top-level "data" member (a JSON value)
 * in in->value. Returns false and a reason in why (static text) when the value is not a JSON
 * object, has no "data" member, or carries data_base64. For binary inputs: checks that the
 * required ce_ headers (ce_specversion 1.0, ce_id, ce_source, ce_type) are present. */
bool mw_ce_data(const mw_in *in, mw_ce_kind kind, size_t *off, size_t *len, const char **why);

/* The raw JSON text of a structured CloudEvent's top-level member `name` (one of id, source,
 * type, specversion), quotes included; false if v is no well-formed object or has none. */
bool mw_ce_member(const void *v, size_t len, const char *name, const char **out, size_t *out_len);

/* Calls fn with the raw text of each element of the JSON array in v[0..len) (blanks around it
 * trimmed); false and why (static text) if v is not one well-formed JSON array (fn may have
 * been called for the elements before the fault). */
bool mw_json_array_each(const char *v, size_t len, void (*fn)(void *arg, const char *e, size_t n),
                        void *arg, const char **why);

/* Why a message was rejected; strings owned by the caller. */
typedef struct mw_reason {
    const char *code;     /* mg_result_name() or "cloudevent" */
    const char *instance; /* JSON Pointer in the instance ("" root) */
    const char *keyword;  /* keyword location ("#/properties/Age/maximum"), "" if none */
    const char *message;  /* what a person reads */
    const char *errors;   /* every error (bounded) in JSON Schema's basic output format, for
                           * meshgate.errors; NULL: none (the route does not ask, or the reject
                           * is no validation error) */
} mw_reason;

/* A header to produce. name is a static or env-owned string; val points into the input, the
 * route/config, or env->text. */
typedef struct mw_hdr {
    const char *name;
    const void *val;
    size_t len;
} mw_hdr;

#define MW_ENV_MAX_HDRS 64

/* Per-worker scratch, allocated once (mw_env_new); building an envelope allocates nothing
 * unless a structured value outgrows the body buffer (which then grows, once). */
typedef struct mw_env {
    mw_hdr hdrs[MW_ENV_MAX_HDRS]; /* output headers: input headers first, then ours */
    size_t n_hdrs;
    const void *value; /* the value to produce */
    size_t value_len;
    bool value_is_body; /* value points into body (must be copied by the producer) */
    char text[4096];    /* backing store for formatted header values */
    size_t text_used;
    char *body;
    size_t body_cap;
} mw_env;

mw_env *mw_env_new(size_t body_cap);

/* The produce arguments of a record carrying value[0..value_len) (copied by librdkafka when
 * it is e's body), key and e's headers, to rkt (partitioner's choice) with timestamp_ms (-1:
 * the producer's time) and opaque: written into vu (room for MW_ENV_VU_MAX); returns the
 * count. */
#define MW_ENV_VU_MAX (MW_ENV_MAX_HDRS + 8)
size_t mw_env_vu(rd_kafka_vu_t *vu, rd_kafka_topic_t *rkt, const mw_env *e, const void *value,
                 size_t value_len, const void *key, size_t key_len, int64_t timestamp_ms,
                 void *opaque);
void mw_env_free(mw_env *e);

/* Valid message: the envelope per the route's mode. kind is what mw_ce_detect said: an
 * existing CloudEvent keeps its mode and attributes (meshgate adds only processingtime when
 * absent). dataschema is the schema's $id, type the CloudEvents type (the route's, or its
 * variant's: mw_decision.type). now_us: processing time (Unix microseconds). A
 * tombstone (in->value NULL) gets binary mode whatever the route's mode (a structured value
 * would be no tombstone), without content-type and dataschema (there is no data).
 * Returns false (and why) only if the envelope cannot be built (e.g. headers overflow). */
bool mw_env_valid(mw_env *e, const mw_route *r, const char *dataschema, const char *type,
                  const mw_in *in, mw_ce_kind kind, int64_t now_us, const char **why);

/* Reject: value and key unchanged, the input headers, then the meshgate.* reason headers
 * (README, mw_dlq_headers.h) and the interop families the route asks for. Input headers in the
 * families meshgate writes are renamed "untrusted.<name>" (a producer cannot forge a reason or
 * an attempt count), except a well-formed meshgate.replay_count, which is written again with
 * the reason headers (at most once). */
bool mw_env_reject(mw_env *e, const mw_route *r, const mw_in *in, const mw_reason *why_rej,
                   const char *worker, int64_t now_us, const char **why);

/* After mw_env_reject: the dead letter goes without its value (too large for the dead-letter
 * topic); adds meshgate.value_dropped with the value's length, so a replay knows to fetch it
 * from its origin. */
bool mw_env_drop_value(mw_env *e, size_t value_len, const char **why);

/* Deterministic CloudEvents id of an input: "<topic>/<partition>/<offset>". */
size_t mw_ce_id(char *buf, size_t cap, const char *topic, int32_t partition, int64_t offset);

/* RFC 3339 UTC time with the given number of fraction digits (3 or 6) from Unix microseconds. */
size_t mw_rfc3339(char *buf, size_t cap, int64_t us, int digits);

#endif
