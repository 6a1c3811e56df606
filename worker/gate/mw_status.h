/* mw_status.h - what the worker shows a person: the /status JSON document and the status page
 * at / that renders it (see mw_status.c). */
#ifndef MW_STATUS_H
#define MW_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "mw_catalog.h"
#include "mw_metrics.h"

/* Reject kinds listed per route on /status (the largest first; the rest are in the counts). */
#define MW_STATUS_TOP_REJECTS 10

/* The /status document (application/json) into *buf (malloc'd; the caller frees); cat may be
 * NULL. Returns the length, 0 and *buf NULL when out of memory. */
size_t mw_status_render(mw_metrics *m, const mw_catalog *cat, char **buf);

/* A file of the status page, embedded at build time from worker/gate/status/. */
typedef struct mw_status_file {
    const char *type; /* its Content-Type */
    const unsigned char *data;
    size_t len;
} mw_status_file;

/* The file served at path ("/", "/status.js", "/status.css") into *out; false if none. */
bool mw_status_page(const char *path, mw_status_file *out);

/* The Content-Security-Policy of every response: the page loads only its own script, style
 * and /status, from this origin; nothing inline, nothing external, no framing. */
#define MW_STATUS_CSP                                                                              \
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "                \
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

#endif
