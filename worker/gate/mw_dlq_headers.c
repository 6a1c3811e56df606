/* mw_dlq_headers.c - the table of meshgate's dead-letter header names (see mw_dlq_headers.h). */
#include "mw_dlq_headers.h"

static const char *const names[MW_DLH_COUNT] = {
    MW_DLH_PREFIX "reason",           MW_DLH_PREFIX "instance_location",
    MW_DLH_PREFIX "keyword_location", MW_DLH_PREFIX "message",
    MW_DLH_PREFIX "schema",           MW_DLH_PREFIX "schema_version",
    MW_DLH_PREFIX "origin.topic",     MW_DLH_PREFIX "origin.partition",
    MW_DLH_PREFIX "origin.offset",    MW_DLH_PREFIX "worker",
    MW_DLH_PREFIX "rejected_at",      MW_DLH_PREFIX "replay_count",
    MW_DLH_PREFIX "errors",           MW_DLH_PREFIX "value_dropped"};

const char *mw_dlh_name(mw_dlh h)
{
    return (unsigned)h < MW_DLH_COUNT ? names[h] : "";
}
