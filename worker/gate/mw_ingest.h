/* mw_ingest.h - HTTP ingest: POST events to a route, validated and produced like Kafka input
 * (see mw_ingest.c). */
#ifndef MW_INGEST_H
#define MW_INGEST_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "meshgate.h"
#include "mw_catalog.h"
#include "mw_config.h"

typedef struct mw_ingest mw_ingest;
typedef struct mw_ingest_view mw_ingest_view;

/* HTTP ingest of a worker whose start-up configuration is cfg (its process keys: http.*,
 * limits, idempotency; its routes name the per-route series). It serves nothing until a view
 * is published. cfg must outlive it. NULL and errstr on failure. */
mw_ingest *mw_ingest_new(const mw_config *cfg, char *errstr, size_t errlen);
/* Waits for the produced events' reports (bounded by their message timeout), answering their
 * requests; then frees, with every view. Call after the HTTP server stopped taking requests
 * (mw_http_stop). */
void mw_ingest_free(mw_ingest *g);

/* Main thread only. The view of the routes of cfg (a generation's configuration) that have
 * ingest: on, judged by the schemas of set (every route's schema is in it), with documents
 * from cat (may be NULL): their credentials read, topic handles made, and the producer started
 * if it was not yet. cfg and set must outlive the view: it adds one to *pin (the generation's
 * reference count, main thread only) until it is freed. NULL and errstr on failure, nothing
 * changed. */
mw_ingest_view *mw_ingest_view_new(mw_ingest *g, const mw_config *cfg, const mg_schema_set *set,
                                   const mw_catalog *cat, uint32_t *pin, char *errstr,
                                   size_t errlen);
/* Main thread only. Pins generation refs for v made with pin NULL (generation 1's view is
 * made before its generation). */
void mw_ingest_view_pin(mw_ingest_view *v, uint32_t *pin);
/* Main thread only. Makes v the view of the requests that start from now on (the HTTP thread
 * takes it at its next request or round); the one it replaces is freed by mw_ingest_collect
 * once no request uses it. */
void mw_ingest_publish(mw_ingest *g, mw_ingest_view *v);
/* Main thread only. Frees the replaced views that no request uses any more (releasing their
 * pins); returns how many. */
size_t mw_ingest_collect(mw_ingest *g);

/* HTTP thread only, from here on. Whether url is a path of an ingest route (the path itself,
 * or PATH/openapi.json) of the current view. */
bool mw_ingest_owns(mw_ingest *g, const char *url);
/* libmicrohttpd's access handler for an owned url (same arguments and contract); a request
 * keeps the view it started with until it completes. */
enum MHD_Result mw_ingest_handle(mw_ingest *g, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *upload, size_t *upload_len,
                                 void **state);
/* The request state of a finished request (libmicrohttpd's completion callback). */
void mw_ingest_completed(mw_ingest *g, void *state);

/* A descriptor that becomes readable when delivery reports wait (-1: none yet); mw_ingest_serve
 * serves them (on the HTTP thread: it resumes the requests they answer) and returns how many
 * requests it resumed (libmicrohttpd answers them on its next run). */
int mw_ingest_fd(const mw_ingest *g);
size_t mw_ingest_serve(mw_ingest *g);
/* Serves delivery reports until none is pending or timeout_ms passed; then purges the rest
 * (their requests are answered 503). Returns how many were purged. */
size_t mw_ingest_drain(mw_ingest *g, int timeout_ms);

/* Appends the ingest series to a /metrics page (*buf malloc'd, *len its length). */
void mw_ingest_metrics(const mw_ingest *g, char **buf, size_t *len);

#endif
