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

/* For the routes of cfg with ingest: on (schema[i] is route i's schema; cat may be NULL):
 * their own idempotent producer, credentials, schema documents and idempotency cache. NULL
 * and errstr on failure; a configuration without ingest routes gives an mw_ingest that owns
 * no path. cfg, schema and cat must outlive it. */
mw_ingest *mw_ingest_new(const mw_config *cfg, const mg_schema *const *schema,
                         const mw_catalog *cat, char *errstr, size_t errlen);
/* Waits for the produced events' reports (bounded by their message timeout), answering their
 * requests; then frees. Call after the HTTP server stopped taking requests (mw_http_stop). */
void mw_ingest_free(mw_ingest *g);

/* Whether url is a path of an ingest route (the path itself, or PATH/openapi.json). */
bool mw_ingest_owns(const mw_ingest *g, const char *url);
/* libmicrohttpd's access handler for an owned url (same arguments and contract). */
enum MHD_Result mw_ingest_handle(mw_ingest *g, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *upload, size_t *upload_len,
                                 void **state);
/* The request state of a finished request (libmicrohttpd's completion callback). */
void mw_ingest_completed(mw_ingest *g, void *state);

/* A descriptor that becomes readable when delivery reports wait; mw_ingest_serve serves them
 * (on the HTTP thread: it resumes the requests they answer) and returns how many requests it
 * resumed (libmicrohttpd answers them on its next run). */
int mw_ingest_fd(const mw_ingest *g);
size_t mw_ingest_serve(mw_ingest *g);
/* Serves delivery reports until none is pending or timeout_ms passed; then purges the rest
 * (their requests are answered 503). Returns how many were purged. */
size_t mw_ingest_drain(mw_ingest *g, int timeout_ms);

/* Appends the ingest series to a /metrics page (*buf malloc'd, *len its length). */
void mw_ingest_metrics(const mw_ingest *g, char **buf, size_t *len);

#endif
