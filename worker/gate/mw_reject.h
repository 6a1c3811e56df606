/* mw_reject.h - why the gate rejects a message: the validator's reasons and the worker's own,
 * one enum and one name each (the label of metrics, the meshgate.reason header). */
#ifndef MW_REJECT_H
#define MW_REJECT_H

/* Reject reasons counted separately: the mg_result codes plus the worker's own. */
typedef enum mw_reject {
    MW_RJ_EMPTY = 0,
    MW_RJ_TOO_LARGE,
    MW_RJ_SYNTAX,
    MW_RJ_UTF8,
    MW_RJ_DEPTH,
    MW_RJ_NUMBER,
    MW_RJ_STRING,
    MW_RJ_SCHEMA,
    MW_RJ_LIMIT, /* a work budget ran out (max_steps, max_refs...) */
    MW_RJ_INTERNAL,
    MW_RJ_CLOUDEVENT,        /* an input CloudEvent that is malformed */
    MW_RJ_UNKNOWN_SCHEMA_ID, /* a registry schema id the schema set does not hold */
    MW_RJ_MISSING_SCHEMA_ID, /* no schema id where the route reads one, or unreadable framing */
    MW_RJ_WRONG_SUBJECT,     /* a schema id registered under another subject than the route's */
    MW_RJ_COUNT
} mw_reject;

/* The label value of a reason ("schema", "syntax", "limit", ..., "cloudevent",
 * "unknown_schema_id", "missing_schema_id", "wrong_subject"). */
const char *mw_reject_name(mw_reject r);

#endif
