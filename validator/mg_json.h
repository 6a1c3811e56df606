/* mg_json.h - parsed JSON documents: the simdjson wrapper and the tape reader.
 *
 * Design: messages are parsed by simdjson's DOM parser (validator/mg_json.cpp is the only C++
 * in the tree). The parsed document is read in place, from C, through simdjson's documented
 * tape format: an array of 64-bit words, one or two per value, with a type byte in the high 8
 * bits, plus a string buffer in which each string is a 32-bit little-endian length followed by
 * the bytes. A value is named by its tape index (uint32_t). Nothing is copied or allocated to
 * read a document; generated validators and literal constants use the same representation, so
 * one equality routine serves both.
 *
 * Ownership: an mg_json_parser is owned by one thread and reused for every message; the
 * mg_doc it fills stays valid until the next parse. The parser allocates all its memory at
 * creation (sized by max_bytes and max_depth), never per message.
 */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "meshgate.h" /* MG_JSON_PADDING */

#ifdef __cplusplus
extern "C" {
#endif

/* Tape type bytes (simdjson tape format). */
#define MG_TAPE_ROOT 'r'
#define MG_TAPE_OBJECT '{'
#define MG_TAPE_OBJECT_END '}'
#define MG_TAPE_ARRAY '['
#define MG_TAPE_ARRAY_END ']'
#define MG_TAPE_STRING '"'
#define MG_TAPE_INT64 'l'
#define MG_TAPE_UINT64 'u'
#define MG_TAPE_DOUBLE 'd'
#define MG_TAPE_NULL 'n'
#define MG_TAPE_TRUE 't'
#define MG_TAPE_FALSE 'f'

#define MG_TAPE_PAYLOAD 0x00FFFFFFFFFFFFFFull
#define MG_TAPE_COUNT_SATURATED 0xFFFFFFu

typedef struct mg_doc {
    const uint64_t *tape;
    const uint8_t *strings;
} mg_doc;

/* Index of the first (root) value of a parsed document. */
#define MG_DOC_ROOT 1u

static inline uint8_t mg_type(const mg_doc *d, uint32_t at)
{
    return (uint8_t)(d->tape[at] >> 56);
}

static inline uint64_t mg_payload(const mg_doc *d, uint32_t at)
{
    return d->tape[at] & MG_TAPE_PAYLOAD;
}

/* Index just after the value at `at`. */
static inline uint32_t mg_next(const mg_doc *d, uint32_t at)
{
    switch (mg_type(d, at)) {
    case MG_TAPE_OBJECT:
    case MG_TAPE_ARRAY:
        return (uint32_t)mg_payload(d, at);
    case MG_TAPE_INT64:
    case MG_TAPE_UINT64:
    case MG_TAPE_DOUBLE:
        return at + 2;
    default:
        return at + 1;
    }
}

/* For a container at `at`: index of its closing word (']' or '}'). */
static inline uint32_t mg_close(const mg_doc *d, uint32_t at)
{
    return (uint32_t)mg_payload(d, at) - 1;
}

/* Element count of an array or member count of an object (counted if saturated). */
static inline uint32_t mg_count(const mg_doc *d, uint32_t at)
{
    uint32_t n = (uint32_t)((mg_payload(d, at) >> 32) & MG_TAPE_COUNT_SATURATED);
    if (n < MG_TAPE_COUNT_SATURATED) return n;
    n = 0;
    bool obj = mg_type(d, at) == MG_TAPE_OBJECT;
    for (uint32_t i = at + 1, e = mg_close(d, at); i < e; n++)
        i = obj ? mg_next(d, i + 1) : mg_next(d, i);
    return n;
}

/* String value (or object key) at `at`: bytes and length (may contain NUL). */
static inline const char *mg_str(const mg_doc *d, uint32_t at, uint32_t *len)
{
    const uint8_t *p = d->strings + mg_payload(d, at);
    uint32_t n;
    memcpy(&n, p, sizeof n);
    *len = n;
    return (const char *)p + 4;
}

static inline bool mg_str_eq(const mg_doc *d, uint32_t at, const char *s, uint32_t n)
{
    uint32_t len;
    const char *p = mg_str(d, at, &len);
    return len == n && memcmp(p, s, n) == 0;
}

static inline int64_t mg_int64(const mg_doc *d, uint32_t at)
{
    int64_t v;
    memcpy(&v, &d->tape[at + 1], sizeof v);
    return v;
}

static inline uint64_t mg_uint64(const mg_doc *d, uint32_t at)
{
    return d->tape[at + 1];
}

static inline double mg_double(const mg_doc *d, uint32_t at)
{
    double v;
    memcpy(&v, &d->tape[at + 1], sizeof v);
    return v;
}

static inline bool mg_is_number(const mg_doc *d, uint32_t at)
{
    uint8_t t = mg_type(d, at);
    return t == MG_TAPE_INT64 || t == MG_TAPE_UINT64 || t == MG_TAPE_DOUBLE;
}

/* Any number as a double (may round for |x| > 2^53). */
static inline double mg_as_double(const mg_doc *d, uint32_t at)
{
    switch (mg_type(d, at)) {
    case MG_TAPE_INT64:
        return (double)mg_int64(d, at);
    case MG_TAPE_UINT64:
        return (double)mg_uint64(d, at);
    default:
        return mg_double(d, at);
    }
}

/* Loops over containers. For objects, `k` is the key's index and the value is at k + 1. */
#define MG_ARRAY_FOR(d, at, i)                                                                     \
    for (uint32_t i = (at) + 1, i##_end = mg_close((d), (at)); i < i##_end; i = mg_next((d), i))
#define MG_OBJECT_FOR(d, at, k)                                                                    \
    for (uint32_t k = (at) + 1, k##_end = mg_close((d), (at)); k < k##_end; k = mg_next((d), k + 1))

/* ---- the parser (wraps simdjson::dom::parser) ---- */

typedef enum mg_json_err {
    MG_JSON_OK = 0,
    MG_JSON_EMPTY,     /* no bytes, or only white space */
    MG_JSON_TOO_LARGE, /* longer than max_bytes */
    MG_JSON_SYNTAX,    /* not well-formed JSON */
    MG_JSON_UTF8,      /* invalid UTF-8 */
    MG_JSON_DEPTH,     /* nested deeper than max_depth */
    MG_JSON_NUMBER,    /* a number outside int64/uint64/double range or malformed */
    MG_JSON_STRING,    /* a bad escape or control character in a string */
    MG_JSON_INTERNAL   /* out of memory at creation or an unexpected parser state */
} mg_json_err;

typedef struct mg_json_parser mg_json_parser;

/* Creates a parser for documents up to max_bytes and max_depth; allocates everything now. */
mg_json_parser *mg_json_parser_new(size_t max_bytes, uint32_t max_depth);
void mg_json_parser_free(mg_json_parser *p);

/* Parses buf[0..len). When cap >= len + MG_JSON_PADDING, buf is read in place; otherwise it is
 * copied into the parser's buffer. On success fills *doc (valid until the next parse).
 * On error, *offset (if not NULL) receives the offset of the byte where the input went wrong
 * (len when it ended too early; max_bytes for a message too large) and mg_json_error_detail
 * says what was expected there. */
mg_json_err mg_json_parse(mg_json_parser *p, const char *buf, size_t len, size_t cap, mg_doc *doc,
                          size_t *offset);

/* A person-readable explanation of an mg_json_err. */
const char *mg_json_strerror(mg_json_err e);

/* After a rejected parse: what went wrong at the offset mg_json_parse reported ("expected ','
 * or ']', found 'x'", "byte 0xc0: an overlong encoding"); "" when there is nothing to add.
 * Valid until the next parse. */
const char *mg_json_error_detail(const mg_json_parser *p);

/* ---- the error path (mg_json_err.c), used by mg_json_parse after simdjson refused a text ---- */

/* The first error of s[0..n) in document order, as RFC 8259 reads it: its kind (MG_JSON_OK if
 * none), its byte offset in *offset and what was expected there in detail. stack holds
 * (max_depth + 7) / 8 bytes for the open containers. Linear time, no allocation. */
mg_json_err mg_json_locate(const char *s, size_t n, uint32_t max_depth, unsigned char *stack,
                           size_t *offset, char *detail, size_t cap);
/* Offset of the first byte of s[0..n) that is not well-formed UTF-8 (n if none), and its class
 * (overlong, surrogate, beyond U+10FFFF, truncated, stray continuation byte...) in detail. */
size_t mg_json_utf8_error(const char *s, size_t n, char *detail, size_t cap);
/* Offset of the first raw control character inside a string (quotes paired as simdjson pairs
 * them before it reads the structure), n if none or if a string is left open (simdjson names
 * that error instead). */
size_t mg_json_control_error(const char *s, size_t n, char *detail, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
