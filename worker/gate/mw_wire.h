/* mw_wire.h - Schema Registry ids on the wire: where a message names its schema (see mw_wire.c). */
#ifndef MW_WIRE_H
#define MW_WIRE_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which framings a route reads (routes[i].schema_id). */
typedef enum mw_wire_mode {
    MW_WIRE_NONE = 0,  /* the value is the JSON; no id is read */
    MW_WIRE_CONFLUENT, /* __value_schema_id header, else a 0x00+id or 0x01+GUID prefix */
    MW_WIRE_APICURIO,  /* apicurio.value.globalId/contentId header, else a 0x00+id prefix */
    MW_WIRE_AUTO       /* any of those */
} mw_wire_mode;

/* What the framing of one message says. */
typedef enum mw_wire_kind {
    MW_WIRE_MISSING = 0, /* no id, or a framing that cannot be read (why says which) */
    MW_WIRE_ID,          /* a numeric schema id */
    MW_WIRE_GUID         /* a Confluent schema GUID */
} mw_wire_kind;

typedef struct mw_wire {
    mw_wire_kind kind;
    int64_t id;        /* MW_WIRE_ID: 0..2^63-1 (an 8-byte id above that is MISSING) */
    uint8_t guid[16];  /* MW_WIRE_GUID */
    const char *where; /* static: "payload prefix", "header __value_schema_id", ... */
    size_t off;        /* the JSON is value[off..len): past a prefix, 0 for a header id */
    const char *why;   /* MW_WIRE_MISSING: static text a person reads */
} mw_wire;

/* The Confluent header names (one home for the wire names). */
#define MW_WIRE_CONFLUENT_HEADER "__value_schema_id"
#define MW_WIRE_APICURIO_GLOBAL_HEADER "apicurio.value.globalId"
#define MW_WIRE_APICURIO_CONTENT_HEADER "apicurio.value.contentId"

/* Reads the schema id of a message (value[0..len), its headers, NULL for none) per mode m
 * (not MW_WIRE_NONE). A header id wins over the payload, as in the registries' own
 * deserializers; then the value must be the JSON itself. Returns whether an id was found.
 * Every byte is untrusted: lengths are checked before each read; no allocation. */
bool mw_wire_parse(mw_wire_mode m, const void *value, size_t len, const rd_kafka_headers_t *hdrs,
                   mw_wire *w);

/* "8f1c5502-9e47-4a10-b32d-6e0a617b9044" (36 characters and a NUL; cap >= 37). */
void mw_wire_guid_text(const uint8_t *guid, char *buf, size_t cap);

#endif
