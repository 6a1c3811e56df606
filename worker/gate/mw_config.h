/* mw_config.h - the worker's configuration: one YAML file, overridden by MESHGATE_*
 * environment variables (see mw_config.c for the key list and the rules). */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate.h"
#include "mw_log.h"
#include "mw_wire.h"

struct mg_schema;     /* meshgate.h */
struct mg_schema_set; /* meshgate.h */

/* How a route sends valid messages. Passthrough forwards every message unchanged, without
 * validation or envelope: the baseline the benchmark compares the gate with, not a gate. */
typedef enum mw_ce_mode { MW_CE_BINARY = 0, MW_CE_STRUCTURED, MW_CE_PASSTHROUGH } mw_ce_mode;

/* What a route does with a tombstone (a keyed record with a null value: the delete marker of a
 * compacted topic). */
typedef enum mw_tombstones {
    MW_TOMB_FORWARD = 0, /* to the output, value null, key kept, not validated */
    MW_TOMB_DEAD_LETTER  /* to the dead-letter topic, reason empty */
} mw_tombstones;

/* Which dead-letter header families a route writes besides meshgate.* (a bit set:
 * mw_dlq_headers.h has the names). */
typedef enum mw_dl_headers {
    MW_DLF_MESHGATE = 0, /* meshgate.* only (default) */
    MW_DLF_CONNECT = 1,  /* and Kafka Connect's __connect.errors.* */
    MW_DLF_STREAMS = 2,  /* and Kafka Streams' __streams.errors.* (KIP-1034) */
    MW_DLF_ALL = 3       /* both */
} mw_dl_headers;

/* What to do when a partition's next offset no longer exists on the broker (retention
 * deleted it before meshgate read it). */
typedef enum mw_on_reset {
    MW_RESET_CONTINUE = 0, /* go on from the oldest offset there is (the gap is counted) */
    MW_RESET_STOP          /* pause the partition; /readyz says why */
} mw_on_reset;

/* Whether a route takes HTTP POSTs (issue 19: HTTP ingest). */
typedef enum mw_ingest_mode { MW_INGEST_OFF = 0, MW_INGEST_ON } mw_ingest_mode;

/* Whether `meshgate run` reloads when its configuration file or schema set changes. */
typedef enum mw_reload_watch { MW_WATCH_OFF = 0, MW_WATCH_ON } mw_reload_watch;

/* Who may POST to a route: holders of its credentials, or anyone (auth: none, said so). */
typedef enum mw_auth { MW_AUTH_CREDENTIALS = 0, MW_AUTH_NONE } mw_auth;

typedef struct mw_kv {
    char *key, *value;
} mw_kv;

/* One message of a route whose channel carries several (routes[i].variants[j]): the
 * discriminator values that select it, its schema and its CloudEvents type. */
typedef struct mw_variant {
    char **values; /* routes[i].variants[j].values: strings, disjoint from the other variants' */
    size_t n_values;
    char *schema; /* routes[i].variants[j].schema: its name or $id in the schema set */
    char *type;   /* routes[i].variants[j].type: the CloudEvents type of its messages */
    const struct mg_schema *s; /* schema found in the set (mw_variants_bind); NULL before */
} mw_variant;

/* One route: an input topic, the schema its messages must satisfy, where valid messages go
 * (wrapped in a CloudEvent) and where rejects go. */
typedef struct mw_route {
    char *input;              /* routes[i].input: raw topic (required) */
    char *schema;             /* routes[i].schema: name or $id in the schema set (required) */
    char *schema_version;     /* routes[i].schema_version (default "1") */
    char *output;             /* routes[i].output (required) */
    char *dead_letter;        /* routes[i].dead_letter (required) */
    char *source;             /* routes[i].source: CloudEvents source URI-reference (required) */
    char *type;               /* routes[i].type (default "<schema>.v<schema_version>") */
    mw_ce_mode mode;          /* routes[i].mode: binary (default) | structured | passthrough */
    bool required_only;       /* routes[i].attributes: all (default) | required (CloudEvents'
                               * required attributes only: fewer bytes, faster) */
    mw_tombstones tombstones; /* routes[i].tombstones: forward (default) | dead_letter */
    mw_dl_headers dl_headers; /* routes[i].dead_letter_headers: meshgate (default) | connect |
                               * streams | all */
    uint32_t dl_errors;       /* routes[i].dead_letter_errors: every error of a reject, at most
                               * this many, in meshgate.errors (0 = off, the default) */
    mw_ingest_mode ingest;    /* routes[i].ingest: off (default) | on: HTTP POST to ingest_path */
    char *ingest_path;        /* routes[i].ingest_path (default "/ingest/<input>") */
    mw_auth auth;             /* routes[i].auth: credentials (default) | none */
    char *tokens_sha256;      /* routes[i].tokens_sha256: bearer tokens' SHA-256, hex, comma-
                               * separated ("" none) */
    char *token_file;         /* routes[i].token_file: a file of bearer tokens, one a line ("") */
    char *client_cns;         /* routes[i].client_cns: TLS client certificate CNs, comma-
                               * separated ("" none) */
    mw_wire_mode schema_id;   /* routes[i].schema_id: none (default) | confluent | apicurio |
                               * auto: where messages carry their registry schema id */
    char *discriminator;      /* routes[i].discriminator: "" (default) | property:NAME |
                               * header:NAME: what tells the variants apart */
    mw_variant *variants;     /* routes[i].variants (n_variants; with a discriminator only) */
    size_t n_variants;
} mw_route;

typedef struct mw_config {
    char *path;        /* the file it was read from */
    char *schemas;     /* schemas: shared object built from codegen output (required) */
    char *group;       /* group: consumer group id (required) */
    char *worker_id;   /* worker_id: (default "<hostname>-<pid>") */
    uint32_t workers;  /* workers: threads; 0 in YAML = the CPUs this process may use */
    char *catalog;     /* catalog: codegen --contract-out folder served over HTTP, "" = none */
    char *http_listen; /* http.listen: "HOST:PORT" (default "0.0.0.0:9464"), "" = off */
    uint32_t http_max_connections;        /* http.max_connections (default 64) */
    uint32_t http_max_connections_per_ip; /* http.max_connections_per_ip (default 16) */
    uint32_t http_request_timeout_ms;     /* http.request_timeout_ms (default 10000) */
    uint64_t http_max_request_bytes;      /* http.max_request_bytes: an ingest body (4 MiB) */
    uint32_t http_max_inflight_requests;  /* http.max_inflight_requests: ingest requests being
                                           * read or awaiting the broker (default 256) */
    uint64_t http_max_inflight_bytes;     /* http.max_inflight_bytes: their bodies (64 MiB) */
    char *http_tls_cert;                  /* http.tls_cert: PEM certificate chain ("" = no TLS) */
    char *http_tls_key;                   /* http.tls_key: PEM private key */
    char *http_tls_client_ca;             /* http.tls_client_ca: PEM CAs of client certificates */
    uint32_t idempotency_window_ms;       /* http.idempotency_window_ms (default 600000) */
    uint32_t idempotency_max_keys;        /* http.idempotency_max_keys (default 100000) */
    uint64_t idempotency_max_bytes;       /* http.idempotency_max_bytes (default 64 MiB) */
    uint64_t max_message_bytes;           /* limits.max_message_bytes (default 1 MiB) */
    uint32_t max_inflight_messages;       /* limits.max_inflight_messages (default 50000) */
    uint64_t max_inflight_bytes;          /* limits.max_inflight_bytes (default 64 MiB) */
    uint32_t max_steps;                   /* limits.max_steps (0: 1000000 + 100 per byte) */
    uint32_t max_depth;                   /* limits.max_depth: JSON nesting (default 256) */
    uint32_t max_refs;                    /* limits.max_refs: $ref call depth (default 512) */
    uint32_t drain_timeout_ms;            /* drain_timeout_ms (default 20000) */
    uint32_t stats_interval_ms;           /* stats_interval_ms (default 10000, 0 = off) */
    uint32_t retry_backoff_ms;            /* retry.backoff_ms (default 100) */
    uint32_t retry_backoff_max_ms;        /* retry.backoff_max_ms (default 10000) */
    mw_on_reset on_offset_reset;          /* on_offset_reset: continue (default) | stop */
    uint32_t stuck_after_ms;  /* health.stuck_after_ms: a partition whose oldest message in
                               * flight is older is reported stuck (default 60000, 0 = never) */
    mw_log_format log_format; /* log.format: text (default) | json */
    mw_log_level log_level;   /* log.level: error | warn | info (default) | debug */
    /* reload.watch: off (default) | on: a change of the file or the schema set reloads;
     * reload.debounce_ms: after this much quiet (default 500) */
    mw_reload_watch reload_watch;
    uint32_t reload_debounce_ms;
    mw_route *routes;
    size_t n_routes;
    mw_kv *kafka, *consumer, *producer; /* kafka:, consumer:, producer: property maps */
    size_t n_kafka, n_consumer, n_producer;
} mw_config;

/* Checks beyond the file that a caller asks for, so that `run --check` finds everything `run`
 * would refuse, reported with the file's other problems in file order. */
typedef struct mw_config_checks {
    bool brokers; /* bootstrap.servers set (non-empty) for the consumer and the producer */
    bool clients; /* each librdkafka client made once with its configuration (what
                   * rd_kafka_new() refuses: acks with idempotence, SSL files, ...), no
                   * connection */
    void *arg;    /* for the callbacks; a NULL callback is not called */
    /* Opens the schema set of schemas:; false and why (one line) if it cannot. */
    bool (*open_schemas)(void *arg, const char *path, char *why, size_t cap);
    /* Whether the opened set has a schema of this name or $id; if not, lists the set's names
     * in have. */
    bool (*has_schema)(void *arg, const char *name, char *have, size_t cap);
    /* Opens the catalog folder of catalog: (when not ""); false and why if it cannot. */
    bool (*open_catalog)(void *arg, const char *dir, char *why, size_t cap);
} mw_config_checks;

/* Reads PATH and applies overrides from envp (NULL-terminated "NAME=VALUE" strings, like
 * environ), then checks the result as a whole (and what checks asks for; may be NULL). Every
 * problem found is written to errstr, one per line, each naming the key
 * ("routes[1].dead_letter: missing; the dead-letter topic for input raw.orders") and, for
 * file keys, the file and line. Returns the number of problems (0 = *out is filled and must
 * be released with mw_config_free). */
int mw_config_load(mw_config *out, const char *path, char *const *envp,
                   const mw_config_checks *checks, char *errstr, size_t errlen);
void mw_config_free(mw_config *c);
/* Calls fn with the name of each top-level key ("limits.max_inflight_messages", "kafka" for the
 * whole map) whose value differs between a and b; routes are not compared, nor schemas unless
 * with_schemas. Returns how many differ. */
size_t mw_config_diff(const mw_config *a, const mw_config *b, bool with_schemas,
                      void (*fn)(void *arg, const char *key), void *arg);

/* The name of a route's mode as the configuration spells it ("binary", ...). */
const char *mw_config_mode_name(mw_ce_mode mode);

/* ---- the rules of HTTP ingest (mw_config_ingest.c) ---- */

/* Receives one problem with the ingest keys: about route key `key` of routes[route], or the
 * top-level key `key` when route is -1. */
typedef void (*mw_config_key_problem_fn)(void *arg, long route, const char *key, const char *text);
/* Checks the ingest and TLS keys together: paths, credentials (a route that takes POSTs has
 * some, or says auth: none), token hashes, token files and TLS files readable. */
void mw_config_ingest_check(const mw_config *c, mw_config_key_problem_fn fn, void *arg);
/* Calls fn for each item of a comma- or space-separated list; returns how many. */
size_t mw_config_list_each(const char *list, void (*fn)(void *arg, const char *item, size_t len),
                           void *arg);
/* Calls fn for each token of a token file (one a line, blanks around it and empty lines and
 * lines starting with # ignored); returns how many, or -1 and why (a token-less file returns
 * 0 and says so in why). */
long mw_config_token_file(const char *path, void (*fn)(void *arg, const char *tok, size_t len),
                          void *arg, char *why, size_t cap);
/* The route's ingest path: ingest_path, or "/ingest/<input>" into buf. */
const char *mw_config_ingest_path(const mw_route *r, char *buf, size_t cap);

/* The rules of routes[i].discriminator and routes[i].variants (mw_variants.c): a discriminator
 * is property:NAME or header:NAME and goes with variants, each value selects one variant, and
 * schema_id stays none. fn(arg, route, variant or -1, key, text) gets each problem. */
typedef void (*mw_variants_problem_fn)(void *arg, size_t route, long variant, const char *key,
                                       const char *text);
void mw_config_variants_check(const mw_config *c, mw_variants_problem_fn fn, void *arg);

/* Finds every variant's schema in set (mw_variant.s); false and why when one is missing. */
bool mw_variants_bind(mw_config *c, const struct mg_schema_set *set, char *why, size_t cap);

/* ---- rules of the configuration (mw_config_rules.c) ---- */

/* Plain decimal digits only: no sign, no fraction, no spaces, no overflow. */
bool mw_config_parse_u64(const char *s, size_t n, uint64_t *out);
/* An integer, or an integer with a KiB, MiB or GiB suffix ("64MiB", "64 MiB"). */
bool mw_config_parse_size(const char *s, uint64_t *out);
/* A Kafka topic name: 1..249 of [a-zA-Z0-9._-], not "." or "..". */
bool mw_config_topic_ok(const char *s);
/* HOST:PORT with a non-empty host and a port 0..65535. */
bool mw_config_listen_ok(const char *s);

/* The first "${NAME}" in s (an environment variable nobody expanded), its length in *len;
 * NULL if there is none. */
const char *mw_config_placeholder(const char *s, size_t *len);

/* A cycle of routes: a route's output or dead-letter topic is another route's input, and so
 * on back to the first route, so one message would be produced again and again. */
typedef struct mw_route_cycle {
    size_t route;     /* the route whose topic closes the cycle */
    bool dead_letter; /* through its dead_letter (else its output) */
    char path[256];   /* "routes[1] -> routes[0] -> routes[1]" */
} mw_route_cycle;

/* Finds cycles among the routes (each closing edge once); returns how many were found, at
 * most cap written to out. */
size_t mw_config_cycles(const mw_config *c, mw_route_cycle *out, size_t cap);

/* Bytes a produced record may add to the value it carries: its key, the input headers and
 * meshgate's own CloudEvents attributes or dead-letter headers (at most about 6 KiB of
 * them). The producer's message.max.bytes must be at least limits.max_message_bytes plus
 * this, or a message within the limit could not be produced. */
#define MW_RECORD_RESERVE 32768u

/* Builds the librdkafka configuration for the consumer (producer=false) or the producer:
 * kafka: then consumer:/producer:, then the properties meshgate manages (rejected if the user
 * sets them, with the reason). NULL and errstr naming the key ("kafka.sasl.mechanism: ...")
 * on failure. */
rd_kafka_conf_t *mw_config_kafka(const mw_config *c, bool producer, char *errstr, size_t errlen);
/* Why meshgate does not let the user set a librdkafka property, or NULL if it does. */
const char *mw_config_managed_why(const char *key);
/* The value the user gave a librdkafka property for the producer (producer: over kafka:) or the
 * consumer (consumer: over kafka:), and where: *map 0 kafka, 1 consumer, 2 producer, *idx in
 * it. NULL if not set. */
const char *mw_config_prop(const mw_config *c, bool producer, const char *key, int *map,
                           size_t *idx);
/* The validator settings of a configuration: its limits.*, and as many errors per message as
 * the route that carries most (dead_letter_errors), at least 1. c NULL: the defaults. */
mg_validator_conf mw_config_validator_conf(const mw_config *c);
/* The producer's message.max.bytes: the user's, or meshgate's default, the larger of
 * librdkafka's default (1000000) and limits.max_message_bytes + MW_RECORD_RESERVE. */
uint64_t mw_config_message_max_bytes(const mw_config *c);
/* Where a partition without a committed offset starts: the user's auto.offset.reset
 * (kafka: or consumer:) read as RD_KAFKA_OFFSET_BEGINNING (the default) or _END, or
 * RD_KAFKA_OFFSET_INVALID for error (the partition is stopped). librdkafka itself runs with
 * auto.offset.reset=error, so that it never moves a partition on its own. */
int64_t mw_config_start_offset(const mw_config *c);
/* Receives one problem with the librdkafka properties: about property idx of map m (0 kafka:,
 * 1 consumer:, 2 producer:), or of none (m -1); path names the key ("producer.acks"). */
typedef void (*mw_config_problem_fn)(void *arg, int m, size_t idx, const char *path,
                                     const char *text);
/* Checks the kafka:, consumer: and producer: properties, all of them: each on its own (unknown,
 * a bad value, managed by meshgate); with brokers, bootstrap.servers set and not empty for both
 * clients; with clients, each client whose properties passed made once with its full
 * configuration (no broker contacted) and destroyed, so that what rd_kafka_new() refuses is
 * found now, blamed on the property its reason names. */
void mw_config_kafka_check(const mw_config *c, bool brokers, bool clients, mw_config_problem_fn fn,
                           void *arg);

#endif
