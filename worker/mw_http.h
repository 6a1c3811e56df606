/* mw_http.h - the worker's HTTP endpoint: /metrics, /healthz, /readyz, the catalog
 * (see mw_http.c). */
#ifndef MW_HTTP_H
#define MW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "mw_catalog.h"
#include "mw_metrics.h"

typedef struct mw_http mw_http;

/* Serves on listen ("HOST:PORT"; port 0 picks a free one) from its own thread; cat (may be
 * NULL) must outlive the server. NULL and errstr ("http.listen: cannot listen on
 * 0.0.0.0:9464: Address already in use") on failure. */
mw_http *mw_http_start(const char *listen, mw_metrics *m, const mw_catalog *cat, char *errstr,
                       size_t errlen);
/* The port actually bound. */
uint16_t mw_http_port(const mw_http *h);
void mw_http_stop(mw_http *h);

#endif
