/* meshgate.h - the public interface of the meshgate validator library (libmgvalidator).
 *
 * Design: a program gets a schema set (linked in, or loaded from a shared object built from
 * meshgate-codegen output), creates one mg_validator per thread, and calls mg_validate() per
 * message. A validator owns a simdjson parser and every buffer validation needs; all of it is
 * allocated by mg_validator_new(), so validating a message allocates nothing. The library does
 * no I/O and owns no threads. Errors follow one enum (MG_OK is 0) and, where a call can fail
 * for reasons a person must read, a caller-supplied errstr buffer. This header is
 * self-contained: generated code's runtime (mg_rt.h) is not part of what a program sees.
 */
#ifndef MESHGATE_H
#define MESHGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the interface between a schema set and this library (mg_rt.h); a set built
 * against another version is refused. */
#define MG_RT_ABI 2

/* Bytes that must be readable past the end of an input for the parser to read it in place
 * (simdjson's SIMDJSON_PADDING); shorter buffers are copied into the parser's own buffer. */
#define MG_JSON_PADDING 64

/* ---- schema sets (what meshgate-codegen generates) ---- */

struct mg_ctx; /* the state of one validation (mg_rt.h: for generated code only) */
struct mg_doc; /* a parsed message (mg_json.h) */
/* A generated schema's entry function. */
typedef bool (*mg_fn)(struct mg_ctx *c, uint32_t at);

typedef struct mg_schema {
    const char *name;   /* from the file name, relative to the input folder, without .json;
                           "SUBJECT/versions/N" for a registry version */
    const char *id;     /* canonical URI ($id, or file: URI; a registry's .../schemas/ids/N) */
    const char *source; /* schema file as given to codegen */
    mg_fn fn;
    /* Schema Registry identity, for the versions compiled from a registry export
     * (meshgate-codegen --registry); subject is NULL for every other schema. */
    const char *subject; /* the subject the version is registered under */
    int32_t version;     /* its version in the subject: 1, 2, ... */
    int64_t registry_id; /* the export's schema id: Confluent's id; from Apicurio's ccompat API
                            its contentId (its globalId in legacy id mode) */
    const uint8_t *guid; /* Confluent's schema GUID (16 bytes), NULL when the export has none */
} mg_schema;

typedef struct mg_schema_set {
    uint32_t abi; /* MG_RT_ABI */
    uint32_t count;
    const mg_schema *schemas;
    const char *generator; /* "meshgate-codegen VERSION" */
    /* Indexes of the registry versions into schemas, each sorted for binary search (see
     * mg_registry.c): by (registry_id, subject, version), by (subject, version), and, for the
     * nguid versions that have a GUID, by GUID bytes. nregistry is 0 in other sets. */
    uint32_t nregistry;
    const uint32_t *by_registry_id;
    const uint32_t *by_subject;
    uint32_t nguid;
    const uint32_t *by_guid;
} mg_schema_set;

/* Every generated file defines mg_set_<prefix>; built with -DMG_SHARED_OBJECT it also exports
 * meshgate_schema_set(), which meshgate looks up after dlopen(). */
#define MG_SCHEMA_SET_SYMBOL "meshgate_schema_set"
typedef const mg_schema_set *(*mg_schema_set_fn)(void);

typedef enum mg_result {
    MG_OK = 0,
    MG_REJECT_EMPTY,     /* empty message */
    MG_REJECT_TOO_LARGE, /* over the configured maximum size */
    MG_REJECT_SYNTAX,    /* malformed JSON */
    MG_REJECT_UTF8,      /* invalid UTF-8 */
    MG_REJECT_DEPTH,     /* nested deeper than the limit */
    MG_REJECT_NUMBER,    /* number out of range */
    MG_REJECT_STRING,    /* bad escape or control character */
    MG_REJECT_SCHEMA,    /* well-formed JSON that the schema rejects */
    MG_REJECT_LIMIT,     /* could not be checked within a work budget (steps, references...) */
    MG_ERR_INTERNAL      /* the validator could not run */
} mg_result;

/* Short stable name of a result, used as a reason code: "ok", "empty", "too_large",
 * "syntax", "utf8", "depth", "number", "string", "schema", "limit", "internal". */
const char *mg_result_name(mg_result r);

/* Default step budget of a message of len bytes: MG_STEPS_BASE + MG_STEPS_PER_BYTE * len. */
#define MG_STEPS_BASE 1000000u
#define MG_STEPS_PER_BYTE 100u
/* memo_entries value that turns the memo off (for measurements). */
#define MG_MEMO_OFF UINT32_MAX

typedef struct mg_validator_conf {
    size_t max_bytes;    /* largest message accepted (default 1 MiB) */
    uint32_t max_depth;  /* JSON nesting limit (default 256) */
    uint32_t max_errors; /* errors recorded per message: 1 = first only (default 1) */
    uint32_t max_refs;   /* schema reference-call depth limit (default 512) */
    /* Work budget of one message, in steps (mg_rt.h: a call of a schema function costs 1 plus
     * its value's member or item count, or a sixteenth of its string's bytes). 0: the default,
     * MG_STEPS_BASE + MG_STEPS_PER_BYTE * the message's length. */
    uint64_t max_steps;
    /* Entries of the memo table (16 bytes each, rounded up to a power of 2; at most 2^26);
     * 0: the default, max_bytes / 16 within 1024..2^20; MG_MEMO_OFF: no memo. */
    uint32_t memo_entries;
} mg_validator_conf;

typedef struct mg_validator mg_validator;

/* conf may be NULL for the defaults. On failure returns NULL and writes why into errstr. */
mg_validator *mg_validator_new(const mg_validator_conf *conf, char *errstr, size_t errlen);
void mg_validator_free(mg_validator *v);

/* Finds a schema by name or by $id; NULL if absent. In a set compiled from a registry export,
 * a subject's name alone finds its latest version. */
const mg_schema *mg_schema_find(const mg_schema_set *set, const char *name_or_id);

/* ---- Schema Registry identity (sets compiled with meshgate-codegen --registry) ----
 * Every version of every JSON subject of the export is one mg_schema whose subject, version,
 * registry_id and guid are set. The lookups are binary searches over indexes the set carries:
 * no allocation, safe from any thread. */
#define MG_VERSION_LATEST (-1)

/* The version registered with schema id `id`, NULL if none: the schema a Confluent-framed
 * message (0x00 + 4-byte id) names. One id can be registered under several subjects (the
 * same schema); this returns the one whose subject sorts first - they validate alike. */
const mg_schema *mg_schema_find_registry_id(const mg_schema_set *set, int64_t id);
/* The version of `subject` registered with schema id `id`, NULL if that id is not registered
 * under that subject (a message whose id belongs to another subject: wrong_subject). */
const mg_schema *mg_schema_find_subject_id(const mg_schema_set *set, const char *subject,
                                           int64_t id);
/* Version `version` of subject, or its latest with MG_VERSION_LATEST; NULL if absent. */
const mg_schema *mg_schema_find_version(const mg_schema_set *set, const char *subject,
                                        int32_t version);
/* The version whose Confluent schema GUID is guid[0..16), NULL if none. */
const mg_schema *mg_schema_find_guid(const mg_schema_set *set, const uint8_t *guid);

/* Validates buf[0..len). cap is the readable size of buf: with cap >= len + MG_JSON_PADDING
 * the message is parsed in place, otherwise copied once into the validator's buffer. */
mg_result mg_validate(mg_validator *v, const mg_schema *s, const char *buf, size_t len, size_t cap);

/* After a reject: the number of errors recorded (>= 1), and each one's parts. For parse
 * rejects there is one error whose instance location is empty and whose keyword is "". */
uint32_t mg_error_count(const mg_validator *v);
/* Instance location as a JSON Pointer ("" for the root), written NUL-terminated into buf;
 * returns the full length (as snprintf). */
size_t mg_error_instance(const mg_validator *v, uint32_t i, char *buf, size_t cap);
/* Schema location of the failing keyword ("#/properties/Age/exclusiveMaximum"). */
const char *mg_error_keyword_location(const mg_validator *v, uint32_t i);
/* The keyword alone ("exclusiveMaximum"), or the parse reason code for parse rejects. */
const char *mg_error_keyword(const mg_validator *v, uint32_t i);
/* The message a person reads, without location: "140 is not less than 130". */
size_t mg_error_message(const mg_validator *v, uint32_t i, char *buf, size_t cap);
/* All of it in one line: "/Age: 140 is not less than 130 (exclusiveMaximum)". */
size_t mg_error_format(const mg_validator *v, uint32_t i, char *buf, size_t cap);

/* The document of the last successful parse (for the worker's envelope code). */
const struct mg_doc *mg_validator_doc(const mg_validator *v);

/* Steps the last mg_validate used (see max_steps): the work it took, as a number that does not
 * depend on the machine (for tests and the benchmark). */
uint64_t mg_validator_steps(const mg_validator *v);

#ifdef __cplusplus
}
#endif
#endif
