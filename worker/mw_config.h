/* mw_config.h - the worker's configuration: one YAML file, overridden by MESHGATE_*
 * environment variables (see mw_config.c for the key list and the rules). */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a route sends valid messages. Passthrough forwards every message unchanged, without
 * validation or envelope: the baseline the benchmark compares the gate with, not a gate. */
typedef enum mw_ce_mode { MW_CE_BINARY = 0, MW_CE_STRUCTURED, MW_CE_PASSTHROUGH } mw_ce_mode;

typedef struct mw_kv {
    char *key, *value;
} mw_kv;

/* One route: an input topic, the schema its messages must satisfy, where valid messages go
 * (wrapped in a CloudEvent) and where rejects go. */
typedef struct mw_route {
    char *input;          /* routes[i].input: raw topic (required) */
    char *schema;         /* routes[i].schema: name or $id in the schema set (required) */
    char *schema_version; /* routes[i].schema_version (default "1") */
    char *output;         /* routes[i].output (required) */
    char *dead_letter;    /* routes[i].dead_letter (required) */
    char *source;         /* routes[i].source: CloudEvents source URI-reference (required) */
    char *type;           /* routes[i].type (default "<schema>.v<schema_version>") */
    mw_ce_mode mode;      /* routes[i].mode: binary (default) | structured | passthrough */
    bool required_only;   /* routes[i].attributes: all (default) | required (CloudEvents'
                           * required attributes only: fewer bytes, faster) */
} mw_route;

typedef struct mw_config {
    char *path;                 /* the file it was read from */
    char *schemas;              /* schemas: shared object built from codegen output (required) */
    char *group;                /* group: consumer group id (required) */
    char *worker_id;            /* worker_id: (default "<hostname>-<pid>") */
    uint32_t workers;           /* workers: threads; 0 in YAML = the CPUs this process may use */
    char *catalog;              /* catalog: codegen --contract-out folder served over HTTP, "" = none */
    char *http_listen;          /* http.listen: "HOST:PORT" (default "0.0.0.0:9464"), "" = off */
    uint32_t http_max_connections;        /* http.max_connections (default 64) */
    uint32_t http_max_connections_per_ip; /* http.max_connections_per_ip (default 16) */
    uint32_t http_request_timeout_ms;     /* http.request_timeout_ms (default 10000) */
    uint64_t max_message_bytes; /* limits.max_message_bytes (default 1 MiB) */
    uint32_t max_inflight_messages; /* limits.max_inflight_messages (default 50000) */
    uint64_t max_inflight_bytes;    /* limits.max_inflight_bytes (default 64 MiB) */
    uint32_t drain_timeout_ms;      /* drain_timeout_ms (default 20000) */
    uint32_t stats_interval_ms;     /* stats_interval_ms (default 10000, 0 = off) */
    uint32_t retry_backoff_ms;      /* retry.backoff_ms (default 100) */
    uint32_t retry_backoff_max_ms;  /* retry.backoff_max_ms (default 10000) */
    mw_route *routes;
    size_t n_routes;
    mw_kv *kafka, *consumer, *producer; /* kafka:, consumer:, producer: property maps */
    size_t n_kafka, n_consumer, n_producer;
} mw_config;

/* Reads PATH and applies overrides from envp (NULL-terminated "NAME=VALUE" strings, like
 * environ). Every problem found is written to errstr, one per line, each naming the key
 * ("routes[1].dead_letter: missing; the dead-letter topic for input raw.orders") and, for
 * file keys, the file and line. Returns the number of problems (0 = *out is filled and must
 * be released with mw_config_free). */
int mw_config_load(mw_config *out, const char *path, char *const *envp, char *errstr,
                   size_t errlen);
void mw_config_free(mw_config *c);

/* Builds the librdkafka configuration for the consumer (producer=false) or the producer:
 * kafka: then consumer:/producer:, then the properties meshgate manages (rejected if the user
 * sets them, with the reason). NULL and errstr naming the key ("kafka.sasl.mechanism: ...")
 * on failure. */
rd_kafka_conf_t *mw_config_kafka(const mw_config *c, bool producer, char *errstr, size_t errlen);
/* Why meshgate does not let the user set a librdkafka property, or NULL if it does. */
const char *mw_config_managed_why(const char *key);

#endif
