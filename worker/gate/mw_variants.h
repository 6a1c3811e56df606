/* mw_variants.h - the message of a multi-message route (see mw_variants.c). */
#ifndef MW_VARIANTS_H
#define MW_VARIANTS_H

#include <stddef.h>

#include "meshgate.h"
#include "mw_config.h"
#include "mw_envelope.h"

/* Where a route's discriminator is read. */
typedef enum mw_disc_kind { MW_DISC_NONE = 0, MW_DISC_PROPERTY, MW_DISC_HEADER } mw_disc_kind;

/* The kind of r's discriminator and its name (into r->discriminator). */
mw_disc_kind mw_disc_of(const mw_route *r, const char **name);

/* The variant of r that value v[0..n) selects, or NULL. */
const mw_variant *mw_variant_of(const mw_route *r, const char *v, size_t n);

/* The discriminator's value: the header's (in->headers), or the top-level string property's of
 * the document doc (the parsed message; NULL: not parsed). false when it has none. */
bool mw_disc_value(const mw_route *r, const mw_in *in, const struct mg_doc *doc, const char **v,
                   size_t *n);

/* "header event-kind \"voided\" names no message of this route; one of \"a\", \"b\"" (or
 * "is missing") into buf, the value escaped and cut. */
void mw_disc_reject_text(const mw_route *r, const char *v, size_t n, bool found, char *buf,
                         size_t cap);

#endif
