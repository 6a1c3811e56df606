/* mg_output.c - the JSON string writer and the basic output format of mg_output.h.
 *
 * Design: a small bounded writer (ob) counts the full length past the end of the buffer, as
 * snprintf does; the escaping itself is mg_json_escape's (mg_escape.h). mg_output_basic() remembers
 * where the last whole error ended and closes the document there when the next one does not fit, so
 * a cut output still parses.
 */
#include "mg_output.h"

#include <stdbool.h>
#include <string.h>

#include "mg_escape.h"

typedef struct ob {
    char *p;
    size_t cap, used, len;
} ob;

static void ob_put(ob *o, const char *s, size_t n)
{
    if (o->used == o->len && o->cap > 0 && o->used + n < o->cap) {
        memcpy(o->p + o->used, s, n);
        o->used += n;
    }
    o->len += n; /* once something did not fit, nothing more is written */
}

/* s[0..n) as a JSON string: each run of well-formed UTF-8 escaped by mg_json_escape (the one
 * JSON escaping) a chunk at a time, each byte that is not UTF-8 as U+FFFD. */
static void ob_quote(ob *o, const char *s, size_t n)
{
    enum { CHUNK = 128 };
    char e[MG_JSON_ESCAPE_MAX(CHUNK + 3)]; /* a run ends within the character that crosses CHUNK */
    const unsigned char *u = (const unsigned char *)s;
    ob_put(o, "\"", 1);
    size_t i = 0;
    while (i < n) {
        size_t run = i, k;
        while (run < n && run - i < CHUNK &&
               (k = u[run] < 0x80 ? 1 : mg_utf8_seq(u + run, n - run, NULL)) > 0)
            run += k;
        if (run > i) {
            ob_put(o, e, mg_json_escape(e, s + i, run - i));
            i = run;
        } else {
            ob_put(o, "\xEF\xBF\xBD", 3); /* U+FFFD for a byte that is not UTF-8 */
            i++;
        }
    }
    ob_put(o, "\"", 1);
}

static size_t ob_end(ob *o)
{
    if (o->cap) o->p[o->used] = 0;
    return o->len;
}

size_t mg_json_quote(char *buf, size_t cap, const char *s, size_t n)
{
    ob o = {buf, cap, 0, 0};
    ob_quote(&o, s, n);
    return ob_end(&o);
}

enum { FIELD_MAX = 4096 };

/* A field written by one of the validator's snprintf-style getters, cut at a character
 * boundary with "..." when it is longer than FIELD_MAX. */
static void ob_field(ob *o, const char *name, const char *text, size_t len, size_t cap)
{
    ob_put(o, name, strlen(name));
    if (len < cap) {
        ob_quote(o, text, len);
        return;
    }
    size_t keep = cap - 1 - 3;
    while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
        keep--;
    char cut[FIELD_MAX];
    memcpy(cut, text, keep);
    memcpy(cut + keep, "...", 3);
    ob_quote(o, cut, keep + 3);
}

size_t mg_output_basic(const mg_validator *v, uint32_t max_errors, char *buf, size_t cap)
{
    ob o = {buf, cap, 0, 0};
    static const char tail[] = "]}";
    uint32_t n = mg_error_count(v);
    if (max_errors && n > max_errors) n = max_errors;
    ob_put(&o, "{\"valid\":false,\"errors\":[", 25);
    size_t whole = o.used; /* where the output ends if it has to be closed early */
    bool cut = false;
    for (uint32_t i = 0; i < n; i++) {
        char inst[FIELD_MAX], msg[FIELD_MAX];
        size_t il = mg_error_instance(v, i, inst, sizeof inst);
        size_t ml = mg_error_message(v, i, msg, sizeof msg);
        const char *kw = mg_error_keyword_location(v, i);
        if (kw[0] == '#') kw++;
        if (i) ob_put(&o, ",", 1);
        ob_put(&o, "{\"keywordLocation\":", 19);
        ob_quote(&o, kw, strlen(kw));
        ob_field(&o, ",\"instanceLocation\":", inst, il, sizeof inst);
        ob_field(&o, ",\"error\":", msg, ml, sizeof msg);
        ob_put(&o, "}", 1);
        /* room for the closing brackets after this error, or close after the last whole one */
        if (!cut && o.used == o.len && o.used + sizeof tail - 1 < cap) {
            whole = o.used;
        } else if (!cut) {
            cut = true;
        }
    }
    ob_put(&o, tail, sizeof tail - 1);
    if (cut && cap > whole + sizeof tail - 1) {
        memcpy(o.p + whole, tail, sizeof tail); /* closes the document after the last whole error */
        o.used = whole + sizeof tail - 1;
        return o.len;
    }
    return ob_end(&o);
}
