/* mw_decide.c - the gate's verdict on one input message: forward or dead-letter, and why.
 *
 * Design: one function holds every rule that decides a message's fate (tombstones, CloudEvent
 * inputs whose data is what gets validated, parse and schema rejects), so that every path that
 * judges a message - the worker threads, and the tools that must agree with them - runs the
 * same code. The route's dead_letter_errors asks for every error (bounded) in JSON Schema's
 * basic output format besides the first one's flat fields. It is pure: no I/O, no Kafka calls,
 * no allocation; it runs on the caller's thread with the caller's validator and reason buffer.
 * A route with a schema_id option first reads the message's registry schema id (mw_wire.c)
 * and finds that exact version in the schema set by a binary search (mg_registry.c); the rest
 * of the verdict then runs on the value without its framing, with that version. A reject
 * keeps the framing: the dead letter is the message as it came. A route with variants (a
 * channel of several messages, mw_variants.c) judges each message by the variant its
 * discriminator selects: a header's before validation, so only that message's schema runs; a
 * property's once the union has parsed the message - a valid one then gets its variant's type
 * and schema, a reject is checked again by its variant's schema alone, so its errors are that
 * message's. A value that selects no variant is a reject naming the discriminator.
 */
#include "mw_decide.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mg_escape.h"
#include "mg_output.h"
#include "mw_variants.h"
#include "mw_wire.h"

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

/* A reject without a location (the message as a whole): its slot, code and text. */
static void reject(mw_decision *d, mw_reject rj, const char *code, const char *message)
{
    d->reject = rj;
    d->reason = (mw_reason){.code = code, .instance = "", .keyword = "", .message = message};
}

/* The id as text for a reason: "schema id 42" or "schema GUID 8f1c5502-...". */
static void id_text(const mw_wire *w, char *buf, size_t cap)
{
    char guid[40];
    if (w->kind == MW_WIRE_GUID) {
        mw_wire_guid_text(w->guid, guid, sizeof guid);
        snprintf(buf, cap, "schema GUID %s", guid);
    } else {
        snprintf(buf, cap, "schema id %" PRId64, w->id);
    }
}

/* Sets the reject of a schema id that names no version of the route's subject. */
static void id_reject(mw_decision *d, mw_reason_buf *buf, const mw_wire *w, const mg_schema *other,
                      const char *subject)
{
    char id[64], sub[256], want[256];
    id_text(w, id, sizeof id);
    if (other) {
        mg_escape(sub, sizeof sub, other->subject, strlen(other->subject), MG_ESC_QUOTE);
        mg_escape(want, sizeof want, subject, strlen(subject), MG_ESC_QUOTE);
        snprintf(buf->message, sizeof buf->message,
                 "%s (%s) is registered under subject \"%s\", not the route's subject \"%s\"", id,
                 w->where, sub, want);
        reject(d, MW_RJ_WRONG_SUBJECT, "wrong_subject", buf->message);
    } else {
        snprintf(buf->message, sizeof buf->message,
                 "%s (%s) is not in the schema set: the registry export it was compiled from "
                 "does not have it",
                 id, w->where);
        reject(d, MW_RJ_UNKNOWN_SCHEMA_ID, "unknown_schema_id", buf->message);
    }
}

/* Reads the schema id of in per the route's option and finds its version of s's subject in
 * set: d->schema and d->wire_off, or a reject (false). */
static bool registry_version(const mw_route *r, const mg_schema_set *set, const mg_schema *s,
                             const mw_in *in, mw_reason_buf *buf, mw_decision *d)
{
    mw_wire w;
    if (!mw_wire_parse(r->schema_id, in->value, in->value_len, in->headers, &w)) {
        snprintf(buf->message, sizeof buf->message, "%s%s%s", w.where, *w.where ? ": " : "", w.why);
        reject(d, MW_RJ_MISSING_SCHEMA_ID, "missing_schema_id", buf->message);
        return false;
    }
    d->wire_off = w.off;
    /* No set (check-topic), or a route schema that is no registry version (a contract's):
     * the id is read and its framing stripped, not looked up; s judges. */
    if (!set || !s->subject) return true;
    const mg_schema *found;
    if (w.kind == MW_WIRE_GUID) {
        found = mg_schema_find_guid(set, w.guid);
        /* a GUID names a schema as its id does: the id finds it under the route's subject */
        if (found && strcmp(found->subject, s->subject) != 0) {
            const mg_schema *same = mg_schema_find_subject_id(set, s->subject, found->registry_id);
            if (!same) {
                id_reject(d, buf, &w, found, s->subject);
                return false;
            }
            found = same;
        }
    } else {
        found = mg_schema_find_subject_id(set, s->subject, w.id);
    }
    if (!found) {
        id_reject(d, buf, &w, w.kind == MW_WIRE_ID ? mg_schema_find_registry_id(set, w.id) : NULL,
                  s->subject);
        return false;
    }
    d->schema = found;
    return true;
}

/* What the discriminator made of a message. */
typedef enum pick { PICKED, REJECTED, UNION_REJECTS } pick;

/* The variant the discriminator selects (d->schema, d->type: PICKED); else a reject set here
 * (REJECTED), or for a property missing from a message the union rejected, the union's reject
 * (UNION_REJECTS: its reasons say more, a required property missing or a wrong type). */
static pick pick_variant(const mw_route *r, const mw_in *in, const struct mg_doc *doc,
                         bool union_valid, mw_reason_buf *buf, mw_decision *d)
{
    const char *val = NULL;
    size_t n = 0;
    bool found = mw_disc_value(r, in, doc, &val, &n);
    const mw_variant *var = found ? mw_variant_of(r, val, n) : NULL;
    if (var && var->s) {
        d->schema = var->s;
        d->type = var->type;
        return PICKED;
    }
    const char *name;
    bool prop = mw_disc_of(r, &name) == MW_DISC_PROPERTY;
    if (prop && !found && !union_valid) return UNION_REJECTS;
    mw_disc_reject_text(r, val, n, found, buf->message, sizeof buf->message);
    buf->instance[0] = 0;
    if (prop) {
        buf->instance[0] = '/';
        mg_escape(buf->instance + 1, sizeof buf->instance - 1, name, strlen(name), 0);
    }
    reject(d, MW_RJ_SCHEMA, mw_reject_name(MW_RJ_SCHEMA), buf->message);
    d->reason.instance = buf->instance;
    d->no_variant = true;
    if (r->dl_errors) { /* the basic output format, as the validator's errors would be */
        char inst[sizeof buf->instance * 2], msg[sizeof buf->message * 2];
        mg_json_quote(inst, sizeof inst, buf->instance, strlen(buf->instance));
        mg_json_quote(msg, sizeof msg, buf->message, strlen(buf->message));
        snprintf(buf->errors, sizeof buf->errors,
                 "{\"valid\":false,\"errors\":[{\"keywordLocation\":\"\",\"instanceLocation\":%s,"
                 "\"error\":%s}]}",
                 inst, msg);
        d->reason.errors = buf->errors;
    }
    return REJECTED;
}

void mw_decide(const mw_route *r, const mg_schema_set *set, const mg_schema *s, mg_validator *v,
               const mw_in *in, mw_reason_buf *buf, mw_decision *d)
{
    const char *why = NULL;
    *d = (mw_decision){.kind = mw_ce_detect(in),
                       .data_len = in->value_len,
                       .reject = MW_RJ_SCHEMA,
                       .schema = s,
                       .type = r->type};
    /* A tombstone (a key, a null value) is no message to validate: forwarded, or a reject. */
    d->tombstone = !in->value && in->key;
    if (d->tombstone && r->tombstones == MW_TOMB_FORWARD) {
        d->valid = true;
        if (d->kind != MW_CE_IN_BINARY)
            d->kind = MW_CE_NONE; /* a null value is no structured event */
        return;
    }
    if (d->tombstone) {
        d->tombstone = false;
        d->reject = MW_RJ_EMPTY;
        d->reason = (mw_reason){mw_reject_name(MW_RJ_EMPTY), "", "",
                                "a tombstone (a key and a null value); the route's tombstones: "
                                "dead_letter sends them here",
                                NULL};
        return;
    }
    /* An empty value has no id to read: the validator calls it empty. */
    if (r->schema_id != MW_WIRE_NONE && in->value_len && !registry_version(r, set, s, in, buf, d))
        return;
    mw_in view = *in; /* the value without its framing */
    view.value = in->value ? (const char *)in->value + d->wire_off : NULL;
    view.value_len = in->value_len - d->wire_off;
    d->data_len = view.value_len;
    if (d->kind != MW_CE_NONE && !mw_ce_data(&view, d->kind, &d->data_off, &d->data_len, &why)) {
        d->reject = MW_RJ_CLOUDEVENT;
        d->reason = (mw_reason){mw_reject_name(MW_RJ_CLOUDEVENT), "", "", why, NULL};
        return;
    }
    d->data_off += d->wire_off;
    const char *data = in->value ? (const char *)in->value + d->data_off : NULL;
    const char *name;
    mw_disc_kind dk = r->n_variants ? mw_disc_of(r, &name) : MW_DISC_NONE;
    if (dk == MW_DISC_HEADER && pick_variant(r, in, NULL, false, buf, d) == REJECTED) return;
    mg_result res = mg_validate(v, d->schema, data, d->data_len, d->data_len);
    if (dk == MW_DISC_PROPERTY && (res == MG_OK || res == MG_REJECT_SCHEMA)) {
        pick p = pick_variant(r, in, mg_validator_doc(v), res == MG_OK, buf, d);
        if (p == REJECTED) return;
        /* the message's own errors; a variant that accepts what the union did not is a
         * configuration at odds with its schema set: the union's verdict stands */
        if (p == PICKED && res != MG_OK &&
            mg_validate(v, d->schema, data, d->data_len, d->data_len) == MG_OK)
            res = mg_validate(v, s, data, d->data_len, d->data_len);
    }
    d->valid = res == MG_OK;
    if (!d->valid) {
        d->reject = (mw_reject)(res - 1);
        mw_reason_from_validator(v, res, buf, &d->reason);
        if (r->dl_errors) {
            mg_output_basic(v, r->dl_errors, buf->errors, sizeof buf->errors);
            d->reason.errors = buf->errors;
        }
    }
}
