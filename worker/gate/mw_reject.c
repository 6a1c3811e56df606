/* mw_reject.c - the names of reject reasons.
 *
 * Design: the validator's reasons come first, in the order of mg_result and named by it
 * (mg_result_name: one table for both); the worker's own follow. A name is the label value of
 * meshgate_messages_rejected_total and the meshgate.reason header, so it never changes.
 */
#include "mw_reject.h"

#include "meshgate.h"

/* The reasons the validator gives are named by it (mg_result_name, one table); the worker adds
 * its own after them. */
_Static_assert(MW_RJ_EMPTY + 1 == (int)MG_REJECT_EMPTY &&
                   MW_RJ_INTERNAL + 1 == (int)MG_ERR_INTERNAL,
               "mw_reject follows mg_result");

const char *mw_reject_name(mw_reject r)
{
    /* the worker's own reasons, after the validator's */
    static const char *const worker_names[] = {[MW_RJ_CLOUDEVENT] = "cloudevent",
                                               [MW_RJ_UNKNOWN_SCHEMA_ID] = "unknown_schema_id",
                                               [MW_RJ_MISSING_SCHEMA_ID] = "missing_schema_id",
                                               [MW_RJ_WRONG_SUBJECT] = "wrong_subject"};
    _Static_assert(sizeof worker_names / sizeof *worker_names == MW_RJ_COUNT,
                   "every worker reason is named");
    if ((unsigned)r <= MW_RJ_INTERNAL) return mg_result_name((mg_result)(r + 1));
    return (unsigned)r < MW_RJ_COUNT ? worker_names[r] : "unknown";
}
