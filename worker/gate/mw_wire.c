/* mw_wire.c - Schema Registry ids on the wire: reads which registered schema a Kafka message
 * names, from its headers or from a prefix of its value, for routes with a schema_id option.
 *
 * Design: the framings are those of the registries' own serializers (Confluent's SchemaId,
 * Apicurio's id handlers), read as the deserializers read them: a header id first, then the
 * payload prefix.
 *   Confluent  header __value_schema_id: 0x01 + 16-byte GUID (or 0x00 + 4-byte id);
 *              payload: 0x00 + 4-byte big-endian id, or 0x01 + 16-byte GUID, then the JSON.
 *   Apicurio   header apicurio.value.globalId or apicurio.value.contentId: an 8-byte
 *              big-endian id, the value is the JSON; payload: 0x00 + a 4-byte id (serdes 3.x,
 *              its content id) or + an 8-byte id (serdes 2.x, its global id), told apart as
 *              Apicurio's own fallback handler does: four zero bytes start an 8-byte id.
 *   auto       any of the above (a JSON text never starts with 0x00 or 0x01).
 * Only the value's id is read (a key id names the key's schema, which meshgate does not
 * check). Every length is checked before the bytes are read; the id is returned, not
 * looked up (mw_decide does that against the schema set). No allocation, no state.
 */
#include "mw_wire.h"

#include <stdio.h>
#include <string.h>

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static bool missing(mw_wire *w, const char *where, const char *why)
{
    w->kind = MW_WIRE_MISSING;
    w->where = where;
    w->why = why;
    return false;
}

static bool id_at(mw_wire *w, const char *where, uint64_t id, size_t off)
{
    if (id > (uint64_t)INT64_MAX) return missing(w, where, "the 8-byte schema id is negative");
    w->kind = MW_WIRE_ID;
    w->id = (int64_t)id;
    w->where = where;
    w->off = off;
    return true;
}

static bool guid_at(mw_wire *w, const char *where, const uint8_t *p, size_t off)
{
    w->kind = MW_WIRE_GUID;
    memcpy(w->guid, p, 16);
    w->where = where;
    w->off = off;
    return true;
}

/* Confluent's SchemaId bytes: 0x00 + 4-byte id or 0x01 + GUID. In a header they are the whole
 * value (exact); in the payload the JSON follows. */
static bool confluent(mw_wire *w, const char *where, const uint8_t *p, size_t n, bool exact)
{
    if (n == 0) return missing(w, where, "an empty Confluent schema id");
    if (p[0] == 0x00) {
        if (n < 5 || (exact && n != 5))
            return missing(w, where,
                           exact ? "a Confluent id header of 0x00 must be 5 bytes (a 4-byte id)"
                                 : "the value is shorter than a Confluent prefix (0x00 and a "
                                   "4-byte id)");
        return id_at(w, where, be(p + 1, 4), exact ? 0 : 5);
    }
    if (p[0] == 0x01) {
        if (n < 17 || (exact && n != 17))
            return missing(w, where,
                           exact ? "a Confluent id header of 0x01 must be 17 bytes (a GUID)"
                                 : "the value is shorter than a Confluent GUID prefix (0x01 "
                                   "and 16 bytes)");
        return guid_at(w, where, p + 1, exact ? 0 : 17);
    }
    return missing(w, where,
                   exact ? "the Confluent id header starts with neither 0x00 (an id) nor 0x01 "
                           "(a GUID)"
                         : "the value starts with neither 0x00 nor 0x01 (no Confluent prefix) "
                           "and has no " MW_WIRE_CONFLUENT_HEADER " header");
}

/* Apicurio's payload prefix: 0x00 + a 4-byte id, or + an 8-byte id whose first four bytes are
 * zero (ids below 2^32 are what registries hand out). */
static bool apicurio(mw_wire *w, const char *where, const uint8_t *p, size_t n)
{
    if (n == 0 || p[0] != 0x00)
        return missing(w, where,
                       "the value does not start with 0x00 (no Apicurio prefix) and has "
                       "no " MW_WIRE_APICURIO_GLOBAL_HEADER " or " MW_WIRE_APICURIO_CONTENT_HEADER
                       " header");
    if (n < 5)
        return missing(w, where,
                       "the value is shorter than an Apicurio prefix (0x00 and a 4-byte id)");
    if (be(p + 1, 4) != 0) return id_at(w, where, be(p + 1, 4), 5);
    if (n < 9)
        return missing(w, where,
                       "the value is shorter than an Apicurio prefix with an 8-byte id (0x00 and "
                       "8 bytes)");
    return id_at(w, where, be(p + 1, 8), 9);
}

/* The last header named name: its bytes, or false if there is none. */
static bool header(const rd_kafka_headers_t *h, const char *name, const uint8_t **v, size_t *n)
{
    const void *val = NULL;
    if (!h || rd_kafka_header_get_last(h, name, &val, n) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return false;
    *v = val;
    if (!val) *n = 0;
    return true;
}

static bool apicurio_header(mw_wire *w, const rd_kafka_headers_t *h, const char *name,
                            const char *where, bool *seen)
{
    const uint8_t *v;
    size_t n;
    if (!header(h, name, &v, &n)) return false;
    *seen = true;
    if (n != 8) {
        missing(w, where, "an Apicurio id header must be 8 bytes (a big-endian long)");
        return false;
    }
    return id_at(w, where, be(v, 8), 0);
}

bool mw_wire_parse(mw_wire_mode m, const void *value, size_t len, const rd_kafka_headers_t *hdrs,
                   mw_wire *w)
{
    memset(w, 0, sizeof *w);
    const uint8_t *p = value ? value : (const uint8_t *)"";
    const uint8_t *v;
    size_t n;
    bool seen = false;
    if (m == MW_WIRE_NONE) return missing(w, "", "the route reads no schema id");
    if (m == MW_WIRE_CONFLUENT || m == MW_WIRE_AUTO) {
        if (header(hdrs, MW_WIRE_CONFLUENT_HEADER, &v, &n))
            return confluent(w, "header " MW_WIRE_CONFLUENT_HEADER, v, n, true);
    }
    if (m == MW_WIRE_APICURIO || m == MW_WIRE_AUTO) {
        if (apicurio_header(w, hdrs, MW_WIRE_APICURIO_GLOBAL_HEADER,
                            "header " MW_WIRE_APICURIO_GLOBAL_HEADER, &seen))
            return true;
        if (seen) return false;
        if (apicurio_header(w, hdrs, MW_WIRE_APICURIO_CONTENT_HEADER,
                            "header " MW_WIRE_APICURIO_CONTENT_HEADER, &seen))
            return true;
        if (seen) return false;
    }
    if (m == MW_WIRE_CONFLUENT) return confluent(w, "payload prefix", p, len, false);
    if (m == MW_WIRE_APICURIO || (len > 0 && p[0] == 0x00))
        return apicurio(w, "payload prefix", p, len);
    if (len > 0 && p[0] == 0x01) return confluent(w, "payload prefix", p, len, false);
    return missing(w, "payload prefix",
                   "no schema id: neither a " MW_WIRE_CONFLUENT_HEADER
                   ", " MW_WIRE_APICURIO_GLOBAL_HEADER " or " MW_WIRE_APICURIO_CONTENT_HEADER
                   " header nor a 0x00 or 0x01 prefix");
}

void mw_wire_guid_text(const uint8_t *g, char *buf, size_t cap)
{
    snprintf(buf, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[0],
             g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13],
             g[14], g[15]);
}
