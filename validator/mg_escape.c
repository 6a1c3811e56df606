/* mg_escape.c - UTF-8 decoding and the escaping rule of mg_escape.h.
 *
 * Design: one pass over the input; each byte or well-formed UTF-8 sequence becomes either
 * itself or one escape, written whole or not at all. The output length is counted past the
 * end of the buffer, so callers can size buffers and detect truncation as with snprintf.
 */
#include "mg_escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t mg_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        if (cp) *cp = c;
        return 1;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80; /* no overlong forms */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        return 0; /* a continuation byte, 0xC0, 0xC1 or 0xF5-0xFF */
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[k] & 0x3F);
    }
    if (cp) *cp = v;
    return len;
}

bool mg_utf8_valid(const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0, k; i < n; i += k) {
        if (s[i] < 0x80) {
            k = 1; /* ASCII without a call: most keys are */
            continue;
        }
        k = mg_utf8_seq(s + i, n - i, NULL);
        if (k == 0) return false;
    }
    return true;
}

/* Code points kept out of the text although they are valid UTF-8 (mg_escape.h). */
static bool hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0x061C ||
           cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

typedef struct out {
    char *buf;
    size_t cap, len;
    bool full; /* a unit did not fit: nothing more is written */
} out;

static void put(out *o, const char *s, size_t n)
{
    if (!o->full && o->len + n < o->cap)
        memcpy(o->buf + o->len, s, n);
    else
        o->full = true;
    o->len += n;
}

size_t mg_escape(char *buf, size_t cap, const char *s, size_t n, unsigned flags)
{
    out o = {buf, cap, 0, cap == 0};
    const unsigned char *u = (const unsigned char *)s;
    size_t written = 0; /* bytes of buf in use when the first unit did not fit */
    for (size_t i = 0; i < n;) {
        char tmp[16];
        uint32_t cp = 0;
        size_t k = mg_utf8_seq(u + i, n - i, &cp);
        unsigned c = u[i];
        if (k == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            put(&o, tmp, 4);
            k = 1;
        } else if ((c == '\\' && !(flags & MG_ESC_ESCAPED)) ||
                   (c == '"' && (flags & MG_ESC_QUOTE))) {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            put(&o, tmp, 2);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            put(&o, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t", 2);
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            put(&o, tmp, 4);
        } else if (k > 1 && hidden(cp)) {
            int m = snprintf(tmp, sizeof tmp, "\\u{%x}", (unsigned)cp);
            put(&o, tmp, (size_t)m);
        } else {
            put(&o, s + i, k);
        }
        if (!o.full) written = o.len;
        i += k;
    }
    if (cap) buf[written < cap ? written : cap - 1] = 0;
    return o.len;
}

size_t mg_json_escape(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (n == 0) return 0; /* s may be NULL then */
    char *p = out;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        memcpy(p, s + run, i - run);
        p += i - run;
        run = i + 1;
        *p++ = '\\';
        const char *shortform = c == '"'    ? "\""
                                : c == '\\' ? "\\"
                                : c == '\b' ? "b"
                                : c == '\f' ? "f"
                                : c == '\n' ? "n"
                                : c == '\r' ? "r"
                                : c == '\t' ? "t"
                                            : NULL;
        if (shortform) {
            *p++ = shortform[0];
        } else {
            memcpy(p, "u00", 3);
            p[3] = hex[c >> 4];
            p[4] = hex[c & 15];
            p += 5;
        }
    }
    memcpy(p, s + run, n - run);
    return (size_t)(p - out) + (n - run);
}
