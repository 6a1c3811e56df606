/* mw_http.h - the worker's HTTP endpoint: /metrics, /healthz, /readyz, the catalog
 * (see mw_http.c). */
#ifndef MW_HTTP_H
#define MW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "mw_catalog.h"
#include "mw_metrics.h"

typedef struct mw_http mw_http;

/* Where and how much to serve (the http.* keys of the configuration). */
typedef struct mw_http_opts {
    const char *listen;              /* "HOST:PORT"; port 0 picks a free one */
    uint32_t max_connections;        /* open connections in all; more are refused */
    uint32_t max_connections_per_ip; /* open connections from one client address */
    uint32_t request_timeout_ms;     /* from a connection's start (or its previous response) to
                                      * the end of the response; past it the connection is
                                      * closed, however slowly the client keeps sending */
} mw_http_opts;

/* Serves from its own thread; cat (may be NULL) must outlive the server. NULL and errstr
 * ("http.listen: cannot listen on 0.0.0.0:9464: Address already in use") on failure. */
mw_http *mw_http_start(const mw_http_opts *o, mw_metrics *m, const mw_catalog *cat, char *errstr,
                       size_t errlen);
/* The port actually bound. */
uint16_t mw_http_port(const mw_http *h);
void mw_http_stop(mw_http *h);

#endif
