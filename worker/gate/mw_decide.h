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
} mw_reason_buf;

/* What the gate does with a message. */
typedef struct mw_decision {
    bool valid;      /* forward it (enveloped per the route), else dead-letter it */
    bool tombstone;  /* a key and a null value, forwarded without validation */
    mw_ce_kind kind; /* what the input already is (mw_ce_detect) */
    size_t data_off; /* the JSON that was validated: in->value[data_off..+data_len) */
    size_t data_len;
    mw_reject reject; /* when !valid: the reason's metric slot ... */
    mw_reason reason; /* ... and its headers (texts in the caller's mw_reason_buf) */
} mw_decision;

/* Decides for input `in` of route r (not passthrough) with schema s and the caller's validator
 * v: tombstones per the route's option, CloudEvent inputs by their data, everything else by
 * mg_validate. Allocates nothing; the reason's texts point into buf or static strings. */
void mw_decide(const mw_route *r, const mg_schema *s, mg_validator *v, const mw_in *in,
               mw_reason_buf *buf, mw_decision *d);

/* A reject's reason as the validator reports it (first error), into buf. */
void mw_reason_from_validator(const mg_validator *v, mg_result res, mw_reason_buf *buf,
                              mw_reason *rs);

#endif
