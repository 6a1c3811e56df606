/* mw_ingest_int.h - the state HTTP ingest shares between its files: requests (mw_ingest.c),
 * start-up, documents and metrics (mw_ingest_setup.c). Not for other subsystems. */
#ifndef MW_INGEST_INT_H
#define MW_INGEST_INT_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

#include "mw_decide.h"
#include "mw_envelope.h"
#include "mw_idem.h"
#include "mw_ingest.h"
#include "mw_ingest_auth.h"

enum { MAX_ERRORS = 16, N_CODES = 15 };
/* The status codes counted per route (the last slot: any other). */
extern const unsigned mw_ingest_codes[N_CODES];

struct ig_req;

typedef struct ig_route {
    const mw_route *r;
    const mg_schema *s;
    rd_kafka_topic_t *rkt;
    char path[300];
    size_t path_len;
    mw_creds *creds;
    char *schema_doc, *openapi; /* NULL: not available */
    size_t schema_len, openapi_len;
    uint64_t requests[N_CODES];
    uint64_t accepted, rejected;
} ig_route;

struct mw_ingest {
    const mw_config *cfg;
    ig_route *rt;
    size_t n_rt;
    mw_creds *creds; /* parallel to rt: every route's, for mw_creds_check */
    rd_kafka_t *producer;
    rd_kafka_queue_t *q;
    int wake[2];
    mg_validator *v;
    mw_reason_buf rb;
    mw_env *env;
    mw_idem *idem;
    rd_kafka_headers_t *structured; /* content-type: application/cloudevents+json */
    uint32_t inflight;
    uint64_t inflight_bytes;
    bool brokers_down, probing;           /* probing: one request finds out whether they are back */
    struct ig_req *susp_head, *susp_tail; /* suspended requests, oldest first */
    int64_t ack_timeout_us;               /* a suspended request is answered by then */
    size_t resumed;                       /* by the current mw_ingest_serve */
    int64_t probe_at_us;
    rd_kafka_vu_t vu[MW_ENV_VU_MAX];
};

/* Answers the suspended requests whose events were not acknowledged in time (503). */
void mw_ingest_expire(mw_ingest *g, int64_t now_us);
/* Counts an answer of rt by its status. */
void mw_ingest_count(ig_route *rt, unsigned status);
/* The producer's callbacks (opaque: the mw_ingest). */
void mw_ingest_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
void mw_ingest_on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque);
/* The GET documents of a route: its schema (from the catalog, else the schema's source file
 * when it is JSON) and an OpenAPI 3.1 document of its ingest path. */
void mw_ingest_docs(ig_route *rt, const mw_catalog *cat);

#endif
