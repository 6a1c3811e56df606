/* mw_decide.h - the gate's verdict on one input message (see mw_decide.c). */
#ifndef MW_DECIDE_H
#define MW_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate.h"
#include "mw_config.h"
#include "mw_envelope.h"
#include "mw_metrics.h"

/* Backing store for the texts of a reject reason (one per thread; escaped, NUL-terminated). */
typedef struct mw_reason_buf {
    char instance[1024];
    char keyword[1024];
    char message[2048];
    char errors[8192]; /* meshgate.errors (routes[i].dead_letter_errors), basic output format */
} mw_reason_buf;

/* What the gate does with a message. */
typedef struct mw_decision {
    bool valid;      /* forward it (enveloped per the route), else dead-letter it */
    bool tombstone;  /* a key and a null value, forwarded without validation */
    mw_ce_kind kind; /* what the input already is (mw_ce_detect) */
    size_t data_off; /* the JSON that was validated: in->value[data_off..+data_len) */
    size_t data_len;
    size_t wire_off; /* bytes of schema-id framing before the value proper (0: none); a valid
                      * message is enveloped without them */
    const mg_schema *schema; /* the schema the message was validated with: the route's, the
                              * registry version its schema id names, or its variant's */
    const char *type;        /* CloudEvents type: the route's, or its variant's */
    bool no_variant;         /* rejected: its discriminator selects no variant (the reason is
                              * the decision's own, not the validator's errors) */
    mw_reject reject;        /* when !valid: the reason's metric slot ... */
    mw_reason reason;        /* ... and its headers (texts in the caller's mw_reason_buf) */
} mw_decision;

/* Decides for input `in` of route r (not passthrough) with schema s (the route's, found in
 * set) and the caller's validator v: tombstones per the route's option; for a route with a
 * schema_id option, the registry version the message's schema id names (mw_wire.c), which
 * must be registered under s's subject; CloudEvent inputs by their data; everything else by
 * mg_validate. With set NULL (check-topic, trying a version that has no id yet), or an s that
 * is no registry version (no subject: a contract's schema), schema ids are read and their
 * framing stripped but not looked up: s judges. Allocates nothing; the reason's texts point
 * into buf or static strings. */
void mw_decide(const mw_route *r, const mg_schema_set *set, const mg_schema *s, mg_validator *v,
               const mw_in *in, mw_reason_buf *buf, mw_decision *d);

/* A reject's reason as the validator reports it (first error), into buf. */
void mw_reason_from_validator(const mg_validator *v, mg_result res, mw_reason_buf *buf,
                              mw_reason *rs);

#endif
