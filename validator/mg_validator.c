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
#include "mg_escape.h"
#include "mg_rt.h"

struct mg_validator {
    mg_validator_conf conf;
    mg_json_parser *parser;
    mg_ctx ctx;
    mg_result last;
    const char *parse_reason; /* for parse rejects (and internal errors) */
    size_t parse_offset;
    int64_t steps_budget; /* of the last message */
};

const char *mg_result_name(mg_result r)
{
    static const char *const names[] = {"ok",     "empty", "too_large", "syntax",
                                        "utf8",   "depth", "number",    "string",
                                        "schema", "limit", "internal"};
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
#define MAX_MEMO_LIMIT (1u << 26)

mg_validator *mg_validator_new(const mg_validator_conf *conf, char *errstr, size_t errlen)
{
    mg_validator_conf c = {
        .max_bytes = 1u << 20, .max_depth = 256, .max_errors = 1, .max_refs = 512};
    if (conf) {
        if (conf->max_bytes) c.max_bytes = conf->max_bytes;
        if (conf->max_depth) c.max_depth = conf->max_depth;
        if (conf->max_errors) c.max_errors = conf->max_errors;
        if (conf->max_refs) c.max_refs = conf->max_refs;
        c.max_steps = conf->max_steps;
        c.memo_entries = conf->memo_entries;
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
    if (c.memo_entries > MAX_MEMO_LIMIT && c.memo_entries != MG_MEMO_OFF) {
        set_err(errstr, errlen, "memo_entries: %" PRIu32 " is too large (at most %u)",
                c.memo_entries, MAX_MEMO_LIMIT);
        return NULL;
    }
    if (c.memo_entries == 0) /* max_bytes / 16, within 1024..2^20 (16 MiB) */
        c.memo_entries = c.max_bytes / 16 < 1024         ? 1024
                         : c.max_bytes / 16 > (1u << 20) ? 1u << 20
                                                         : (uint32_t)(c.max_bytes / 16);
    mg_validator *v = calloc(1, sizeof *v);
    if (!v) {
        set_err(errstr, errlen, "out of memory allocating a validator");
        return NULL;
    }
    v->conf = c;
    v->parser = mg_json_parser_new(c.max_bytes, c.max_depth);
    /* beyond the cap, room for a failed union's branches while they are scored */
    v->ctx.errs = calloc(c.max_errors + MG_UNION_ERRS, sizeof *v->ctx.errs);
    /* A message has at most max_bytes/2 values: uniqueItems needs 2 words per item, and the
     * evaluated bitsets alive at once (a few per nesting level) fit in the rest. */
    v->ctx.scratch_words = c.max_bytes + c.max_bytes / 16 + 4 * (size_t)c.max_depth + 1024;
    v->ctx.scratch = malloc(v->ctx.scratch_words * sizeof *v->ctx.scratch);
    v->ctx.max_dyn = c.max_refs * 8;
    v->ctx.dyn = malloc(v->ctx.max_dyn * sizeof *v->ctx.dyn);
    if (c.memo_entries != MG_MEMO_OFF) {
        uint32_t n = 4; /* a power of 2: buckets of 4 */
        while (n < c.memo_entries)
            n *= 2;
        v->ctx.memo = calloc(n, sizeof *v->ctx.memo);
        v->ctx.memo_mask = n - 1;
    }
    v->ctx.re_cache = mg_re_cache_new(MG_RE_CACHE_BYTES);
    if (!v->parser || !v->ctx.errs || !v->ctx.scratch || !v->ctx.dyn || !v->ctx.re_cache ||
        (c.memo_entries != MG_MEMO_OFF && !v->ctx.memo)) {
        set_err(errstr, errlen,
                "out of memory allocating a validator for max_bytes %zu and max_depth %" PRIu32,
                c.max_bytes, c.max_depth);
        mg_validator_free(v);
        return NULL;
    }
    v->ctx.max_err = c.max_errors;
    v->ctx.err_room = c.max_errors + MG_UNION_ERRS;
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
    free(v->ctx.memo);
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
    return mg_schema_find_version(set, name_or_id, MG_VERSION_LATEST);
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
    c->limit = NULL;
    c->steps = 0;
    v->steps_budget = 0;
    if (c->memo && ++c->memo_epoch == 0) { /* once in 2^32 messages: forget every epoch */
        memset(c->memo, 0, ((size_t)c->memo_mask + 1) * sizeof *c->memo);
        c->memo_epoch = 1;
    }
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
    uint64_t budget =
        v->conf.max_steps ? v->conf.max_steps : MG_STEPS_BASE + (uint64_t)MG_STEPS_PER_BYTE * len;
    c->steps = v->steps_budget = budget > INT64_MAX ? INT64_MAX : (int64_t)budget;
    c->xsteps = c->steps; /* explaining failed unions has a budget of its own (mg_rt.h) */
    c->scoring = c->explaining = 0;
    bool valid = s->fn(c, MG_DOC_ROOT);
    if (c->limit) {
        /* whatever the functions made of it, the message could not be checked */
        c->errs[0] =
            (mg_err_rec){c->limit_at, MG_E_LIMIT, c->limit_kwloc ? c->limit_kwloc : "", c->limit};
        c->nerr = 1;
        return v->last = MG_REJECT_LIMIT;
    }
    v->last = valid ? MG_OK : MG_REJECT_SCHEMA;
    if (v->last == MG_REJECT_SCHEMA && c->nerr == 0) mg_report(c, MG_DOC_ROOT, MG_E_FALSE, "#", "");
    if (v->last == MG_REJECT_SCHEMA && c->errs[0].code == MG_E_LIMIT) v->last = MG_REJECT_LIMIT;
    return v->last;
}

uint64_t mg_validator_steps(const mg_validator *v)
{
    int64_t left = v->ctx.steps < 0 ? 0 : v->ctx.steps;
    return (uint64_t)(v->steps_budget - left);
}

/* NULL unless the last mg_validate parsed its message (a failed parse overwrites the tape). */
const mg_doc *mg_validator_doc(const mg_validator *v)
{
    bool parsed = v->last == MG_OK || v->last == MG_REJECT_SCHEMA || v->last == MG_REJECT_LIMIT;
    return parsed && v->ctx.doc.tape ? &v->ctx.doc : NULL;
}

static bool is_parse_error(const mg_validator *v)
{
    return v->last != MG_REJECT_SCHEMA && v->last != MG_REJECT_LIMIT;
}

uint32_t mg_error_count(const mg_validator *v)
{
    if (v->last == MG_OK) return 0;
    return is_parse_error(v) ? 1 : v->ctx.nerr;
}

/* ---- instance locations ---- */

/* Text built into a caller's buffer, as snprintf: len counts the whole text, used the bytes
 * written. Everything that may hold bytes of a message or a schema goes through sb_esc, which
 * writes whole escapes and characters only, so a truncated text is still well-formed. */
typedef struct sbuf {
    char *p;
    size_t cap, len, used;
    bool full; /* something did not fit: nothing more is written */
} sbuf;

#define SBUF(buf, cap) ((sbuf){(buf), (cap), 0, 0, (cap) == 0})

static void sb_putc(sbuf *b, char ch)
{
    if (!b->full && b->used + 1 < b->cap)
        b->p[b->used++] = ch;
    else
        b->full = true;
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

/* s[0..n) through the escaping rule of mg_escape.h. */
static void sb_esc(sbuf *b, const char *s, size_t n, unsigned flags)
{
    size_t room = b->full ? 0 : b->cap - b->used;
    size_t len = mg_escape(room ? b->p + b->used : NULL, room, s, n, flags);
    if (len < room) {
        b->used += len;
    } else {
        b->used += room ? strlen(b->p + b->used) : 0;
        b->full = true;
    }
    b->len += len;
}

static size_t sb_end(sbuf *b)
{
    if (b->cap) b->p[b->used] = 0;
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
                    uint32_t run = 0;
                    for (uint32_t i = 0; i < kl; i++) {
                        if (ks[i] != '~' && ks[i] != '/') continue;
                        sb_esc(b, ks + run, i - run, 0);
                        sb_puts(b, ks[i] == '~' ? "~0" : "~1", 2);
                        run = i + 1;
                    }
                    sb_esc(b, ks + run, kl - run, 0);
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
    sbuf b = SBUF(buf, cap);
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

/* The keyword each error code reports, first the usual one, then the others it may come from
 * (draft-04's minimum with exclusiveMinimum: true, minContains...). The keyword is the code's,
 * never a name read from the schema location alone, which may end in a property name. */
static const char *const code_keywords[MG_E_CODE_COUNT][4] = {
    [MG_E_FALSE] = {"false"},
    [MG_E_TYPE] = {"type"},
    [MG_E_ENUM] = {"enum"},
    [MG_E_CONST] = {"const"},
    [MG_E_MINIMUM] = {"minimum"},
    [MG_E_MAXIMUM] = {"maximum"},
    [MG_E_EXCL_MINIMUM] = {"exclusiveMinimum", "minimum"},
    [MG_E_EXCL_MAXIMUM] = {"exclusiveMaximum", "maximum"},
    [MG_E_MULTIPLE_OF] = {"multipleOf"},
    [MG_E_MIN_LENGTH] = {"minLength"},
    [MG_E_MAX_LENGTH] = {"maxLength"},
    [MG_E_PATTERN] = {"pattern"},
    [MG_E_FORMAT] = {"format"},
    [MG_E_MIN_ITEMS] = {"minItems"},
    [MG_E_MAX_ITEMS] = {"maxItems"},
    [MG_E_UNIQUE_ITEMS] = {"uniqueItems"},
    [MG_E_CONTAINS] = {"contains", "minContains", "maxContains"},
    [MG_E_MIN_PROPERTIES] = {"minProperties"},
    [MG_E_MAX_PROPERTIES] = {"maxProperties"},
    [MG_E_REQUIRED] = {"required"},
    [MG_E_DEPENDENT_REQUIRED] = {"dependentRequired", "dependencies"},
    [MG_E_ADDITIONAL] = {"additionalProperties", "additionalItems"},
    [MG_E_UNEVALUATED] = {"unevaluatedProperties", "unevaluatedItems"},
    [MG_E_PROPERTY_NAME] = {"propertyNames"},
    [MG_E_ANY_OF] = {"anyOf"},
    [MG_E_ONE_OF_NONE] = {"oneOf"},
    [MG_E_ONE_OF_MANY] = {"oneOf"},
    [MG_E_NOT] = {"not"},
    [MG_E_IF_THEN] = {"then", "if"},
    [MG_E_IF_ELSE] = {"else", "if"},
    [MG_E_RECURSION] = {"$ref", "$dynamicRef", "$recursiveRef"},
    [MG_E_LIMIT] = {"limit"},
};

/* Segment `back` from the end (0: the last) of the JSON Pointer in a schema location. */
static bool loc_segment(const char *loc, unsigned back, const char **seg, size_t *len)
{
    const char *frag = strchr(loc, '#');
    const char *start = frag ? frag + 1 : loc, *end = start + strlen(start);
    for (const char *p = end; p-- > start;) {
        if (*p != '/') continue;
        if (back-- == 0) {
            *seg = p + 1;
            *len = (size_t)(end - p - 1);
            return true;
        }
        end = p;
    }
    return false;
}

const char *mg_error_keyword(const mg_validator *v, uint32_t i)
{
    if (i >= mg_error_count(v)) return "";
    if (is_parse_error(v)) return mg_result_name(v->last);
    const mg_err_rec *e = &v->ctx.errs[i];
    if (e->code >= MG_E_CODE_COUNT || !code_keywords[e->code][0]) return "";
    const char *const *names = code_keywords[e->code];
    /* dependentRequired/dependencies locations name the property after the keyword */
    unsigned back = e->code == MG_E_DEPENDENT_REQUIRED ? 1 : 0;
    const char *seg;
    size_t len;
    if (e->kwloc && loc_segment(e->kwloc, back, &seg, &len))
        for (int k = 1; k < 4 && names[k]; k++)
            if (strlen(names[k]) == len && memcmp(names[k], seg, len) == 0) return names[k];
    return names[0];
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
        sb_esc(b, s, shown, MG_ESC_QUOTE);
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
    [MG_E_LIMIT] = "{v} could not be checked: out of {a}",
};

static const char *template_of(const mg_err_rec *e, bool is_key)
{
    if (e->code == MG_E_ADDITIONAL && is_key) return "property {v} is not allowed";
    if (e->code == MG_E_UNEVALUATED && is_key)
        return "property {v} is not allowed (no keyword evaluated it)";
    if (e->code < MG_E_CODE_COUNT && templates[e->code]) return templates[e->code];
    return "{v} is invalid";
}

static void message(const mg_validator *v, uint32_t i, sbuf *b)
{
    if (is_parse_error(v)) {
        sb_puts(b, v->parse_reason, strlen(v->parse_reason));
        if (v->last == MG_REJECT_EMPTY || v->last == MG_ERR_INTERNAL) return;
        sb_printf(b, " at byte %zu", v->parse_offset);
        const char *detail = mg_json_error_detail(v->parser);
        if (*detail) {
            sb_puts(b, ": ", 2);
            sb_esc(b, detail, strlen(detail), 0);
        }
        return;
    }
    const mg_err_rec *e = &v->ctx.errs[i];
    const mg_doc *d = &v->ctx.doc;
    const char *a = e->arg ? e->arg : "";
    bool is_key;
    sbuf none = SBUF(NULL, 0);
    pointer_of(d, e->at, &none, &is_key);
    for (const char *t = template_of(e, is_key); *t; t++) {
        if (strncmp(t, "{v}", 3) == 0) {
            put_value(b, d, e->at);
            t += 2;
        } else if (strncmp(t, "{a}", 3) == 0) {
            sb_esc(b, a, strlen(a), 0);
            t += 2;
        } else {
            sb_putc(b, *t);
        }
    }
}

size_t mg_error_message(const mg_validator *v, uint32_t i, char *buf, size_t cap)
{
    sbuf b = SBUF(buf, cap);
    if (i < mg_error_count(v)) message(v, i, &b);
    return sb_end(&b);
}

/* "<instance pointer>: <message> (<keyword>)", the root shown as "(root)". */
size_t mg_error_format(const mg_validator *v, uint32_t i, char *buf, size_t cap)
{
    sbuf b = SBUF(buf, cap);
    if (i >= mg_error_count(v)) return sb_end(&b);
    bool is_key;
    if (!is_parse_error(v)) pointer_of(&v->ctx.doc, v->ctx.errs[i].at, &b, &is_key);
    if (b.len == 0) sb_puts(&b, "(root)", 6);
    sb_puts(&b, ": ", 2);
    message(v, i, &b);
    const char *kw = mg_error_keyword(v, i);
    sb_puts(&b, " (", 2);
    sb_esc(&b, kw, strlen(kw), 0);
    sb_putc(&b, ')');
    return sb_end(&b);
}
