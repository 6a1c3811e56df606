/* mw_decide.c - the gate's verdict on one input message: forward or dead-letter, and why.
 *
 * Design: one function holds every rule that decides a message's fate (tombstones, CloudEvent
 * inputs whose data is what gets validated, parse and schema rejects), so that every path that
 * judges a message - the worker threads, and the tools that must agree with them - runs the
 * same code. It is pure: no I/O, no Kafka calls, no allocation; it runs on the caller's thread
 * with the caller's validator and reason buffer.
 */
#include "mw_decide.h"

#include <string.h>

#include "mg_escape.h"

void mw_reason_from_validator(const mg_validator *v, mg_result res, mw_reason_buf *buf,
                              mw_reason *rs)
{
    rs->code = mg_result_name(res);
    buf->instance[0] = buf->message[0] = buf->keyword[0] = 0;
    rs->instance = buf->instance;
    rs->message = buf->message;
    rs->keyword = buf->keyword;
    if (mg_error_count(v) == 0) return;
    mg_error_instance(v, 0, buf->instance, sizeof buf->instance);
    mg_error_message(v, 0, buf->message, sizeof buf->message);
    const char *kw = mg_error_keyword_location(v, 0);
    /* a schema location holds the schema's property names: escaped like the rest */
    mg_escape(buf->keyword, sizeof buf->keyword, kw ? kw : "", kw ? strlen(kw) : 0, 0);
}

void mw_decide(const mw_route *r, const mg_schema *s, mg_validator *v, const mw_in *in,
               mw_reason_buf *buf, mw_decision *d)
{
    const char *why = NULL;
    *d = (mw_decision){.kind = mw_ce_detect(in), .data_len = in->value_len, .reject = MW_RJ_SCHEMA};
    /* A tombstone (a key, a null value) is no message to validate: forwarded, or a reject. */
    d->tombstone = !in->value && in->key;
    if (d->tombstone && r->tombstones == MW_TOMB_FORWARD) {
        d->valid = true;
        if (d->kind != MW_CE_IN_BINARY)
            d->kind = MW_CE_NONE; /* a null value is no structured event */
    } else if (d->tombstone) {
        d->tombstone = false;
        d->reject = MW_RJ_EMPTY;
        d->reason = (mw_reason){"empty", "", "",
                                "a tombstone (a key and a null value); the route's tombstones: "
                                "dead_letter sends them here"};
    } else if (d->kind != MW_CE_NONE &&
               !mw_ce_data(in, d->kind, &d->data_off, &d->data_len, &why)) {
        d->reject = MW_RJ_CLOUDEVENT;
        d->reason = (mw_reason){"cloudevent", "", "", why};
    } else {
        const char *data = (const char *)in->value + d->data_off;
        mg_result res = mg_validate(v, s, data, d->data_len, d->data_len);
        d->valid = res == MG_OK;
        if (!d->valid) {
            d->reject = (mw_reject)(res - 1);
            mw_reason_from_validator(v, res, buf, &d->reason);
        }
    }
}
