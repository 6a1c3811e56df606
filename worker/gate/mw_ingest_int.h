/* mw_ingest_int.h - the state HTTP ingest shares between its files: requests and answers
 * (mw_ingest.c), bodies and headers (mw_ingest_body.c), start-up, documents and metrics
 * (mw_ingest_setup.c). Not for other subsystems. */
#ifndef MW_INGEST_INT_H
#define MW_INGEST_INT_H

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mw_decide.h"
#include "mw_envelope.h"
#include "mw_idem.h"
#include "mw_ingest.h"
#include "mw_ingest_auth.h"
#include "mw_sb.h"

enum { MAX_ERRORS = 16, N_CODES = 15 };
/* The status codes counted per route (the last slot: any other). */
extern const unsigned mw_ingest_codes[N_CODES];

struct ig_req;

/* The counters of one route's answers: only the HTTP thread writes and reads them. */
typedef struct ig_count {
    uint64_t requests[N_CODES];
    uint64_t accepted, rejected;
} ig_count;

typedef struct ig_route {
    const mw_route *r;
    /* r as the verdict sees it over HTTP: a body is JSON, so a schema_id framing (a Kafka wire
     * format) is not read (schema_id none) */
    mw_route decide;
    const mg_schema *s;
    rd_kafka_topic_t *rkt;
    char path[300];
    size_t path_len;
    mw_creds *creds;
    char *schema_doc, *openapi; /* NULL: not available */
    size_t schema_len, openapi_len;
    ig_count *count; /* the start-up route's series with this input, else &sink */
    ig_count sink;   /* a route without series (added by a reload) */
} ig_route;

/* What ingest serves between two reloads: the ingest routes of one generation's
 * configuration, their schemas (that generation's set), credentials, documents and topic
 * handles. Immutable once published (but for the sink counters, the HTTP thread's); see
 * mw_ingest_view.c. */
typedef struct mw_ingest_view {
    ig_route *rt;
    size_t n_rt;
    mw_creds *creds; /* parallel to rt: every route's, for mw_creds_check */
    /* 1 while published or the HTTP thread's current view, plus 1 per request that uses it;
     * only the HTTP thread raises it, from its current view */
    _Atomic uint32_t refs;
    uint32_t *pin;               /* the generation's reference count (main thread only) */
    struct mw_ingest_view *next; /* every view not yet freed, newest first (main thread) */
} mw_ingest_view;

struct mw_ingest {
    const mw_config *cfg; /* the start-up configuration: the process keys and the series */
    ig_count *count;      /* per start-up route */
    /* the view the main thread published last, until the HTTP thread takes it */
    _Atomic(mw_ingest_view *) mailbox;
    mw_ingest_view *cur;   /* the HTTP thread's: requests that start now use it */
    mw_ingest_view *views; /* the main thread's: every view not yet freed */
    _Atomic bool live;     /* the producer and what follows exist (made with the first
                            * view that has ingest routes, on the main thread) */
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

/* What a request's body is. */
enum { K_PLAIN, K_STRUCTURED, K_BINARY, K_NDJSON, K_CE_BATCH };

typedef struct ig_ev {
    struct ig_req *req;
    unsigned status; /* 0 while in flight */
    int32_t partition;
    int64_t offset;
    char *id;     /* JSON text of its CloudEvent id */
    char *detail; /* 400: basic output members ("valid":false,"errors":[...]); else a JSON
                   * string */
    bool expired; /* answered 503 before its report came */
    char *first;  /* 400: the first error's text (a JSON string), the problem's detail */
} ig_ev;

typedef struct ig_req {
    mw_ingest *g;
    struct MHD_Connection *c;
    mw_ingest_view *view; /* the view it started with (a reference), rt one of its routes */
    ig_route *rt;
    int kind;
    char *body;
    size_t len, cap;
    bool over, over_inflight, suspended, answered, queued, orphan;
    bool expired;                   /* answered before all its events were acknowledged */
    bool probe;                     /* sent while the brokers were thought down */
    int64_t ack_by_us;              /* while suspended: answered by then */
    struct ig_req *s_prev, *s_next; /* in the suspended list */
    ig_ev *ev;
    size_t n_ev, pending;
    rd_kafka_headers_t *hdrs; /* binary mode: the ce_ headers and content-type */
    char *key;                /* binary mode: ce-partitionkey, the Kafka key */
    size_t key_len;
    mw_idem_ticket ticket;
    /* the answer */
    unsigned status, retry_after;
    bool replayed;
    mw_sb out;
} ig_req;

/* The events of a body: offsets and lengths into it. */
typedef struct mw_ingest_spans {
    size_t *off, *len, n, cap;
    const char *base;
    bool oom;
} mw_ingest_spans;

/* Answers q with a problem now (nothing produced for it). */
void mw_ingest_fail(ig_req *q, unsigned status, unsigned retry_after, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Whether q's body is one event (plain, structured or binary CloudEvent). */
bool mw_ingest_single(const ig_req *q);
/* Splits q's body into its events; false when it is no batch at all (q answered then). */
bool mw_ingest_split(ig_req *q, mw_ingest_spans *s);
/* The kind of body (K_*) from Content-Type and ce- headers; -1 unsupported. */
int mw_ingest_kind(struct MHD_Connection *c);
/* libmicrohttpd's header iterator (cls: the ig_req): ce-NAME as ce_NAME, Content-Type as
 * content-type, into q->hdrs; ce-partitionkey also as the key. */
enum MHD_Result mw_ingest_take_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value);

/* Answers the suspended requests whose events were not acknowledged in time (503). */
void mw_ingest_expire(mw_ingest *g, int64_t now_us);
/* Counts an answer of rt by its status. */
void mw_ingest_count(ig_route *rt, unsigned status);
/* The producer's callbacks (opaque: the mw_ingest). */
void mw_ingest_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
void mw_ingest_on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque);
/* The start of the idempotency keys of rt's requests: keys are per route, named by its input,
 * so they outlive a reload that keeps the route. */
void mw_ingest_idem_prefix(mw_sb *b, const ig_route *rt);
/* Takes the view the main thread published last, if any (HTTP thread); the idempotency keys
 * of the routes it no longer has are forgotten. */
void mw_ingest_adopt(mw_ingest *g);
/* Makes the producer, validator, envelope buffers and idempotency cache (main thread, before
 * the first view with ingest routes is published). */
bool mw_ingest_start(mw_ingest *g, char *errstr, size_t errlen);
/* Frees every view (at the end: the HTTP thread stopped, every request freed). */
void mw_ingest_views_free(mw_ingest *g);
/* The GET documents of a route: its schema (from the catalog, else the schema's source file
 * when it is JSON) and an OpenAPI 3.1 document of its ingest path. */
void mw_ingest_docs(ig_route *rt, const mw_catalog *cat);

#endif
