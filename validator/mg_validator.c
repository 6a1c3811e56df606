/* mg_validator.c - the public validator API (meshgate.h): per-thread validators, schema
 * lookup, validation of one message, and error reports a person can read.
 *
 * Design: mg_validator_new allocates everything a message can need (the parser sized for the
 * largest message, error records, scratch words for evaluated bitsets and uniqueItems, the
 * dynamic-scope stack), so mg_validate allocates nothing. Errors are recorded as tape indexes
 * with static strings; the instance location (a JSON Pointer) and the message are built only
 * when asked for, by walking the tape from the root down to the recorded index. A validator
 * belongs to one thread at a time.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"

struct mg_validator {
    mg_validator_conf conf;
    mg_json_parser *parser;
    mg_ctx ctx;
    mg_result last;
    const char *parse_reason; /* for parse rejects (and internal errors) */
    size_t parse_offset;
};

const char *mg_result_name(mg_result r)
{
    static const char *const names[] = {"ok",    "empty",  "too_large", "syntax", "utf8",
                                        "depth", "number", "string",    "schema", "internal"};
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "internal";
}

static void set_err(char *errstr, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *errstr, size_t errlen, const char *fmt, ...)
{
    if (!errstr || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errlen, fmt, ap);
    va_end(ap);
}

/* Upper limits of the configuration (beyond them the tape indexes or sizes overflow). */
#define MAX_BYTES_LIMIT (((size_t)1 << 32) - 1024)
#define MAX_DEPTH_LIMIT 65536u
#define MAX_ERRORS_LIMIT 65536u
#define MAX_REFS_LIMIT (1u << 20)

mg_validator *mg_validator_new(const mg_validator_conf *conf, char *errstr, size_t errlen)
{
    mg_validator_conf c = {1u << 20, 256, 1, 512};
    if (conf) {
        if (conf->max_bytes) c.max_bytes = conf->max_bytes;
        if (conf->max_depth) c.max_depth = conf->max_depth;
        if (conf->max_errors) c.max_errors = conf->max_errors;
        if (conf->max_refs) c.max_refs = conf->max_refs;
    }
    if (c.max_bytes > MAX_BYTES_LIMIT) {
        set_err(errstr, errlen, "max_bytes: %zu is too large (at most %zu)", c.max_bytes,
                MAX_BYTES_LIMIT);
        return NULL;
    }
    if (c.max_depth > MAX_DEPTH_LIMIT) {
        set_err(errstr, errlen, "max_depth: %" PRIu32 " is too large (at most %u)", c.max_depth,
                MAX_DEPTH_LIMIT);
        return NULL;
    }
    if (c.max_errors > MAX_ERRORS_LIMIT) {
        set_err(errstr, errlen, "max_errors: %" PRIu32 " is too large (at most %u)", c.max_errors,
                MAX_ERRORS_LIMIT);
        return NULL;
    }
    if (c.max_refs > MAX_REFS_LIMIT) {
        set_err(errstr, errlen, "max_refs: %" PRIu32 " is too large (at most %u)", c.max_refs,
                MAX_REFS_LIMIT);
        return NULL;
    }
    mg_validator *v = calloc(1, sizeof *v);
    if (!v) {
        set_err(errstr, errlen, "out of memory allocating a validator");
        return NULL;
    }
    v->conf = c;
    v->parser = mg_json_parser_new(c.max_bytes, c.max_depth);
    v->ctx.errs = calloc(c.max_errors, sizeof *v->ctx.errs);
    /* A message has at most max_bytes/2 values: uniqueItems needs 2 words per item, and the
     * evaluated bitsets alive at once (a few per nesting level) fit in the rest. */
    v->ctx.scratch_words = c.max_bytes + c.max_bytes / 16 + 4 * (size_t)c.max_depth + 1024;
    v->ctx.scratch = malloc(v->ctx.scratch_words * sizeof *v->ctx.scratch);
    v->ctx.max_dyn = c.max_refs * 8;
    v->ctx.dyn = malloc(v->ctx.max_dyn * sizeof *v->ctx.dyn);
    v->ctx.re_cache = mg_re_cache_new(MG_RE_CACHE_BYTES);
    if (!v->parser || !v->ctx.errs || !v->ctx.scratch || !v->ctx.dyn || !v->ctx.re_cache) {
        set_err(errstr, errlen,
                "out of memory allocating a validator for max_bytes %zu and max_depth %" PRIu32,
                c.max_bytes, c.max_depth);
        mg_validator_free(v);
        return NULL;
    }
    v->ctx.max_err = c.max_errors;
    v->ctx.max_depth = c.max_refs;
    return v;
}

void mg_validator_free(mg_validator *v)
{
    if (!v) return;
    mg_json_parser_free(v->parser);
    free(v->ctx.errs);
    free(v->ctx.scratch);
    free(v->ctx.dyn);
    mg_re_cache_free(v->ctx.re_cache);
    free(v);
}

const mg_schema *mg_schema_find(const mg_schema_set *set, const char *name_or_id)
{
    if (!set || !name_or_id) return NULL;
    for (uint32_t i = 0; i < set->count; i++)
        if (set->schemas[i].name && strcmp(set->schemas[i].name, name_or_id) == 0)
            return &set->schemas[i];
    for (uint32_t i = 0; i < set->count; i++)
        if (set->schemas[i].id && strcmp(set->schemas[i].id, name_or_id) == 0)
            return &set->schemas[i];
    return NULL;
}

static mg_result parse_result(mg_json_err e)
{
    switch (e) {
    case MG_JSON_OK:
        return MG_OK;
    case MG_JSON_EMPTY:
        return MG_REJECT_EMPTY;
    case MG_JSON_TOO_LARGE:
        return MG_REJECT_TOO_LARGE;
    case MG_JSON_UTF8:
        return MG_REJECT_UTF8;
    case MG_JSON_DEPTH:
        return MG_REJECT_DEPTH;
    case MG_JSON_NUMBER:
        return MG_REJECT_NUMBER;
    case MG_JSON_STRING:
        return MG_REJECT_STRING;
    case MG_JSON_SYNTAX:
        return MG_REJECT_SYNTAX;
    default:
        return MG_ERR_INTERNAL;
    }
}

mg_result mg_validate(mg_validator *v, const mg_schema *s, const char *buf, size_t len, size_t cap)
{
    mg_ctx *c = &v->ctx;
    c->nerr = 0;
    c->depth = 0;
    c->quiet = 0;
    c->scratch_top = 0;
    c->ndyn = 0;
    v->parse_offset = 0;
    if (!s || !s->fn) {
        v->parse_reason = "no schema to validate against";
        return v->last = MG_ERR_INTERNAL;
    }
    mg_json_err pe = len == 0 ? MG_JSON_EMPTY
                              : mg_json_parse(v->parser, buf, len, cap, &c->doc, &v->parse_offset);
    if (pe != MG_JSON_OK) {
        v->parse_reason = mg_json_strerror(pe);
        return v->last = parse_result(pe);
    }
    v->last = s->fn(c, MG_DOC_ROOT) ? MG_OK : MG_REJECT_SCHEMA;
    if (v->last == MG_REJECT_SCHEMA && c->nerr == 0) mg_report(c, MG_DOC_ROOT, MG_E_FALSE, "#", "");
    return v->last;
}

/* NULL unless the last mg_validate parsed its message (a failed parse overwrites the tape). */
const mg_doc *mg_validator_doc(const mg_validator *v)
{
    bool parsed = v->last == MG_OK || v->last == MG_REJECT_SCHEMA;
    return parsed && v->ctx.doc.tape ? &v->ctx.doc : NULL;
}

uint32_t mg_error_count(const mg_validator *v)
{
    if (v->last == MG_OK) return 0;
    return v->last == MG_REJECT_SCHEMA ? v->ctx.nerr : 1;
}

static bool is_parse_error(const mg_validator *v)
{
    return v->last != MG_REJECT_SCHEMA;
}

/* ---- instance locations ---- */

typedef struct sbuf {
    char *p;
    size_t cap, len;
} sbuf;

static void sb_putc(sbuf *b, char ch)
{
    if (b->len + 1 < b->cap) b->p[b->len] = ch;
    b->len++;
}

static void sb_puts(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_putc(b, s[i]);
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_puts(b, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static size_t sb_end(sbuf *b)
{
    if (b->cap) b->p[b->len < b->cap ? b->len : b->cap - 1] = 0;
    return b->len;
}

/* Writes the JSON Pointer of tape index `target`; *is_key tells whether it is an object key. */
static void pointer_of(const mg_doc *d, uint32_t target, sbuf *b, bool *is_key)
{
    *is_key = false;
    uint32_t cur = MG_DOC_ROOT;
    while (cur != target) {
        uint8_t t = mg_type(d, cur);
        uint32_t next = cur;
        if (t == MG_TAPE_OBJECT) {
            MG_OBJECT_FOR(d, cur, k)
            {
                uint32_t end = mg_next(d, k + 1);
                if (target >= k && target < end) {
                    uint32_t kl;
                    const char *ks = mg_str(d, k, &kl);
                    sb_putc(b, '/');
                    for (uint32_t i = 0; i < kl; i++) {
                        if (ks[i] == '~')
                            sb_puts(b, "~0", 2);
                        else if (ks[i] == '/')
                            sb_puts(b, "~1", 2);
                        else
                            sb_putc(b, ks[i]);
                    }
                    if (target == k) {
                        *is_key = true;
                        return;
                    }
                    next = k + 1;
                    break;
                }
            }
        } else if (t == MG_TAPE_ARRAY) {
            uint32_t idx = 0;
            MG_ARRAY_FOR(d, cur, i)
            {
                if (target >= i && target < mg_next(d, i)) {
                    sb_printf(b, "/%" PRIu32, idx);
                    next = i;
                    break;
                }
                idx++;
            }
        }
        if (next == cur) return;
        cur = next;
    }
}

size_t mg_error_instance(const mg_validator *v, uint32_t i, char *buf, size_t cap)
{
    sbuf b = {buf, cap, 0};
    bool is_key;
    if (!is_parse_error(v) && i < v->ctx.nerr)
        pointer_of(&v->ctx.doc, v->ctx.errs[i].at, &b, &is_key);
    return sb_end(&b);
}

const char *mg_error_keyword_location(const mg_validator *v, uint32_t i)
{
    if (is_parse_error(v) || i >= v->ctx.nerr) return "";
    return v->ctx.errs[i].kwloc;
}

const char *mg_error_keyword(const mg_validator *v, uint32_t i)
{
    if (i >= mg_error_count(v)) return "";
    if (is_parse_error(v)) return mg_result_name(v->last);
    const mg_err_rec *e = &v->ctx.errs[i];
    /* these name a schema, not a keyword: its last segment would be a property name */
    if (e->code == MG_E_FALSE) return "false";
    if (e->code == MG_E_RECURSION && e->arg && *e->arg) return "limit";
    const char *loc = e->kwloc ? e->kwloc : "";
    const char *frag = strchr(loc, '#');
    const char *slash = strrchr(frag ? frag : loc, '/');
    return slash ? slash + 1 : "";
}

/* ---- messages ---- */

/* A double in its shortest round-trip form ("0.1", not "0.10000000000000001"). */
static void put_double(sbuf *b, double x)
{
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, x);
        if (strtod(tmp, NULL) == x) break;
    }
    sb_puts(b, tmp, strlen(tmp));
}

/* The instance value, compactly: scalars as JSON (strings cut at ~64 bytes, on a character
 * boundary, then "..."), containers by kind and size. */
static void put_value(sbuf *b, const mg_doc *d, uint32_t at)
{
    switch (mg_type(d, at)) {
    case MG_TAPE_STRING: {
        uint32_t n;
        const char *s = mg_str(d, at, &n);
        uint32_t shown = n > 64 ? 64 : n;
        while (shown < n && shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
            shown--;
        sb_putc(b, '"');
        for (uint32_t i = 0; i < shown; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch == '"' || ch == '\\') {
                sb_putc(b, '\\');
                sb_putc(b, (char)ch);
            } else if (ch < 0x20) {
                sb_printf(b, "\\u%04x", ch);
            } else {
                sb_putc(b, (char)ch);
            }
        }
        sb_puts(b, shown < n ? "...\"" : "\"", shown < n ? 4 : 1);
        break;
    }
    case MG_TAPE_INT64:
        sb_printf(b, "%" PRId64, mg_int64(d, at));
        break;
    case MG_TAPE_UINT64:
        sb_printf(b, "%" PRIu64, mg_uint64(d, at));
        break;
    case MG_TAPE_DOUBLE:
        put_double(b, mg_double(d, at));
        break;
    case MG_TAPE_TRUE:
        sb_puts(b, "true", 4);
        break;
    case MG_TAPE_FALSE:
        sb_puts(b, "false", 5);
        break;
    case MG_TAPE_NULL:
        sb_puts(b, "null", 4);
        break;
    case MG_TAPE_OBJECT: {
        uint32_t n = mg_count(d, at);
        sb_printf(b, "object (%" PRIu32 " propert%s)", n, n == 1 ? "y" : "ies");
        break;
    }
    case MG_TAPE_ARRAY: {
        uint32_t n = mg_count(d, at);
        sb_printf(b, "array (%" PRIu32 " item%s)", n, n == 1 ? "" : "s");
        break;
    }
    default:
        sb_puts(b, "value", 5);
    }
}

/* Message templates, indexed by mg_code: {v} is the instance value, {a} the record's arg.
 * Codes whose `at` may be an object key have a second template for that case. */
static const char *const templates[MG_E_CODE_COUNT] = {
    [MG_E_FALSE] = "{v} is not allowed here (the schema is false)",
    [MG_E_TYPE] = "{v} is not of type {a}",
    [MG_E_ENUM] = "{v} is not one of {a}",
    [MG_E_CONST] = "{v} is not equal to {a}",
    [MG_E_MINIMUM] = "{v} is less than {a}",
    [MG_E_MAXIMUM] = "{v} is greater than {a}",
    [MG_E_EXCL_MINIMUM] = "{v} is not greater than {a}",
    [MG_E_EXCL_MAXIMUM] = "{v} is not less than {a}",
    [MG_E_MULTIPLE_OF] = "{v} is not a multiple of {a}",
    [MG_E_MIN_LENGTH] = "{v} is shorter than {a} characters",
    [MG_E_MAX_LENGTH] = "{v} is longer than {a} characters",
    [MG_E_PATTERN] = "{v} does not match pattern {a}",
    [MG_E_FORMAT] = "{v} is not a valid {a}",
    [MG_E_MIN_ITEMS] = "{v} has fewer than {a} items",
    [MG_E_MAX_ITEMS] = "{v} has more than {a} items",
    [MG_E_UNIQUE_ITEMS] = "{v} has duplicate items",
    [MG_E_CONTAINS] = "{v} must contain {a} items that match the contains schema",
    [MG_E_MIN_PROPERTIES] = "{v} has fewer than {a} properties",
    [MG_E_MAX_PROPERTIES] = "{v} has more than {a} properties",
    [MG_E_REQUIRED] = "required property \"{a}\" is missing",
    [MG_E_DEPENDENT_REQUIRED] = "property {a}, which is missing",
    [MG_E_ADDITIONAL] = "item {v} is not allowed",
    [MG_E_UNEVALUATED] = "item {v} is not allowed (no keyword evaluated it)",
    [MG_E_PROPERTY_NAME] = "property name {v} is not valid",
    [MG_E_ANY_OF] = "{v} does not match any of the anyOf schemas",
    [MG_E_ONE_OF_NONE] = "{v} does not match any of the oneOf schemas",
    [MG_E_ONE_OF_MANY] = "{v} matches more than one of the oneOf schemas",
    [MG_E_NOT] = "{v} must not match the schema in not",
    [MG_E_IF_THEN] = "{v} matches the if schema but not the then schema",
    [MG_E_IF_ELSE] = "{v} matches neither the if schema nor the else schema",
    [MG_E_RECURSION] = "{v} needs schema references nested deeper than the limit",
};

static const char *template_of(const mg_err_rec *e, bool is_key)
{
    if (e->code == MG_E_ADDITIONAL && is_key) return "property {v} is not allowed";
    if (e->code == MG_E_UNEVALUATED && is_key)
        return "property {v} is not allowed (no keyword evaluated it)";
    if (e->code == MG_E_RECURSION && e->arg && *e->arg)
        return "{v} could not be checked: out of {a}";
    if (e->code < MG_E_CODE_COUNT && templates[e->code]) return templates[e->code];
    return "{v} is invalid";
}

static void message(const mg_validator *v, uint32_t i, sbuf *b)
{
    if (is_parse_error(v)) {
        sb_puts(b, v->parse_reason, strlen(v->parse_reason));
        if (v->last != MG_REJECT_EMPTY && v->last != MG_ERR_INTERNAL)
            sb_printf(b, " at byte %zu", v->parse_offset);
        return;
    }
    const mg_err_rec *e = &v->ctx.errs[i];
    const mg_doc *d = &v->ctx.doc;
    const char *a = e->arg ? e->arg : "";
    bool is_key;
    sbuf none = {NULL, 0, 0};
    pointer_of(d, e->at, &none, &is_key);
    for (const char *t = template_of(e, is_key); *t; t++) {
        if (strncmp(t, "{v}", 3) == 0) {
            put_value(b, d, e->at);
            t += 2;
        } else if (strncmp(t, "{a}", 3) == 0) {
            sb_puts(b, a, strlen(a));
            t += 2;
        } else {
            sb_putc(b, *t);
        }
    }
}

size_t mg_error_message(const mg_validator *v, uint32_t i, char *buf, size_t cap)
{
    sbuf b = {buf, cap, 0};
    if (i < mg_error_count(v)) message(v, i, &b);
    return sb_end(&b);
}

/* "<instance pointer>: <message> (<keyword>)", the root shown as "(root)". */
size_t mg_error_format(const mg_validator *v, uint32_t i, char *buf, size_t cap)
{
    sbuf b = {buf, cap, 0};
    if (i >= mg_error_count(v)) return sb_end(&b);
    bool is_key;
    if (!is_parse_error(v)) pointer_of(&v->ctx.doc, v->ctx.errs[i].at, &b, &is_key);
    if (b.len == 0) sb_puts(&b, "(root)", 6);
    sb_puts(&b, ": ", 2);
    message(v, i, &b);
    const char *kw = mg_error_keyword(v, i);
    sb_puts(&b, " (", 2);
    sb_puts(&b, kw, strlen(kw));
    sb_putc(&b, ')');
    return sb_end(&b);
}
