/* cg_json.h - the JSON document model codegen reads schemas into.
 *
 * Design: schemas are small and read once, so this is a plain tree, not the validator's tape:
 * it keeps what codegen needs and simdjson drops - the exact text of every number (so bounds
 * like 18446744073709551616 or multipleOf 0.0001 are compiled exactly), member order, and each
 * node's parent link (so any node can name itself as a JSON Pointer in an error message).
 * All nodes of one document live in one arena freed by cj_free(). The parser refuses input
 * nested deeper than CJ_MAX_DEPTH, and every tree codegen walks comes from it (YAML too, as
 * emitted JSON), so each recursive walk over a tree (cj_write, cj_equal, the JSON Pointer
 * writer, the registry's scan) uses at most CJ_MAX_DEPTH stack frames.
 */
#ifndef CG_JSON_H
#define CG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CJ_MAX_DEPTH 1000 /* nesting of arrays and objects */

typedef enum cj_type {
    CJ_NULL,
    CJ_FALSE,
    CJ_TRUE,
    CJ_NUMBER,
    CJ_STRING,
    CJ_ARRAY,
    CJ_OBJECT
} cj_type;

typedef struct cj_node cj_node;
struct cj_node {
    cj_type type;
    const char
        *str;   /* CJ_STRING: decoded UTF-8 (NUL-terminated, may hold NUL); CJ_NUMBER: raw text */
    size_t len; /* length of str in bytes */
    size_t n;   /* CJ_ARRAY: elements, CJ_OBJECT: members */
    cj_node **items;   /* CJ_ARRAY: elements; CJ_OBJECT: member values */
    const char **keys; /* CJ_OBJECT: member names (decoded, NUL-terminated) */
    size_t *key_lens;
    const size_t *kindex; /* CJ_OBJECT of more than a few members: open-addressing index of
                           * member position + 1 by key hash (kcap slots), for cj_get */
    size_t kcap;
    cj_node *parent; /* NULL for the root */
    size_t index;    /* position in the parent's items */
    void *doc;       /* owning document (internal) */
};

/* Parses text[0..len) (strict RFC 8259; duplicate keys are an error). On error returns NULL and
 * writes "line L, column C: what" into err. */
cj_node *cj_parse(const char *text, size_t len, char *err, size_t errlen);
/* Reads and parses a file; errors are prefixed with the path. */
cj_node *cj_parse_file(const char *path, char *err, size_t errlen);
/* Frees the document that root belongs to. */
void cj_free(cj_node *root);

/* Member of an object by name, or NULL (also NULL if obj is not an object). O(1) on
 * objects with many members. */
cj_node *cj_get(const cj_node *obj, const char *key);
/* The same for a name of len bytes (NUL bytes allowed). */
cj_node *cj_getn(const cj_node *obj, const char *key, size_t len);
/* Name of the member `child` in its parent object, or NULL when the parent is not an object. */
const char *cj_key(const cj_node *child, size_t *len);

/* Resolves an RFC 6901 JSON Pointer (already percent-decoded) from root; NULL if absent or
 * malformed. "" is the root. */
cj_node *cj_pointer_get(cj_node *root, const char *ptr, size_t len);
/* Writes the JSON Pointer of n (from its document root) into buf, NUL-terminated; returns the
 * full length as snprintf does. */
size_t cj_pointer_of(const cj_node *n, char *buf, size_t cap);
/* Root of the document n belongs to. */
cj_node *cj_root(const cj_node *n);

/* JSON equality: numbers by mathematical value (1 == 1.0 == 1e0, exactly, from the text),
 * objects regardless of member order. */
bool cj_equal(const cj_node *a, const cj_node *b);

/* Writes n as compact JSON (for messages, literals and tests). */
void cj_write(FILE *out, const cj_node *n);
/* The same into a buffer; returns the full length as snprintf does. */
size_t cj_snprint(char *buf, size_t cap, const cj_node *n);
/* Writes s[0..len) as a JSON string (quoted and escaped: safe in a log line). */
void cj_write_str(FILE *out, const char *s, size_t len);

/* An exact decimal view of a number's text: value = (neg ? -1 : 1) * digits * 10^exp, where
 * digits has no leading zeros (and is "0" for zero) and no trailing zeros. */
typedef struct cj_decimal {
    bool neg;
    char digits[800];
    size_t ndigits;
    int64_t exp;
} cj_decimal;
/* false if the text is too long to represent (more than 800 significant digits). */
bool cj_decimal_of(const cj_node *num, cj_decimal *out);
/* true if the number is an integer (1.0 and 1e2 are). */
bool cj_is_integer(const cj_node *num);
/* The number as int64 / uint64 if it is an integer in range. */
bool cj_to_int64(const cj_node *num, int64_t *out);
bool cj_to_uint64(const cj_node *num, uint64_t *out);
double cj_to_double(const cj_node *num);

#endif
