/* mg_json_err.c - where a rejected message stops being JSON, and what was expected there.
 *
 * Design: simdjson 3.0.1's DOM parser says what kind of error a document has, not where. This
 * runs only after it refused a document (the valid path never comes here) and reads the
 * bytes once more, left to right, as RFC 8259 defines them: a state machine with an explicit
 * stack of open containers (one bit each, max_depth bits given by the caller), so it needs no
 * memory of its own and no recursion, and takes time linear in the input. It stops at the
 * first byte that cannot continue a JSON text, and names that byte and what would have been
 * accepted there. Its errors follow simdjson's kinds in document order: malformed numbers
 * (a run of number characters that is not a number, or one beyond int64/uint64/double) are
 * number errors, bad escapes string errors, other tokens syntax errors, and a container that
 * opens a level beyond max_depth (empty containers are no level, as in simdjson) a depth
 * error. The two errors simdjson finds before reading the structure, invalid UTF-8 and raw
 * control characters in strings, are located by their own scans. No allocation, no I/O.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_escape.h"
#include "mg_json.h"

typedef struct scan {
    const unsigned char *s;
    size_t n, i;
    char *detail;
    size_t cap;
    size_t offset; /* of the error */
} scan;

/* How the byte at i reads in a message: 'x', byte 0xNN, or the end. */
static void found(const scan *sc, size_t i, char *out, size_t cap)
{
    if (i >= sc->n) {
        snprintf(out, cap, "the end of the message");
    } else if (sc->s[i] >= 0x21 && sc->s[i] < 0x7F) {
        snprintf(out, cap, "'%c'", sc->s[i]);
    } else if (sc->s[i] == ' ') {
        snprintf(out, cap, "a space");
    } else if (sc->n - i >= 3 && memcmp(sc->s + i, "\xef\xbb\xbf", 3) == 0) {
        snprintf(out, cap,
                 "a UTF-8 byte order mark (U+FEFF), which JSON on the wire must not have");
    } else {
        snprintf(out, cap, "byte 0x%02x", sc->s[i]);
    }
}

static mg_json_err fail(scan *sc, mg_json_err e, size_t at, const char *expected)
{
    char f[96];
    found(sc, at, f, sizeof f);
    snprintf(sc->detail, sc->cap, "expected %s, found %s", expected, f);
    sc->offset = at;
    return e;
}

static mg_json_err fail_text(scan *sc, mg_json_err e, size_t at, const char *text)
{
    snprintf(sc->detail, sc->cap, "%s", text);
    sc->offset = at;
    return e;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static void skip_ws(scan *sc)
{
    while (sc->i < sc->n && is_ws(sc->s[sc->i]))
        sc->i++;
}

static int hex(unsigned char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The 4 hex digits after \u at s[i] (the backslash); -1 if they are not there. */
static long u_escape(const scan *sc, size_t i)
{
    if (sc->n - i < 6 || sc->s[i] != '\\' || sc->s[i + 1] != 'u') return -1;
    long v = 0;
    for (size_t k = i + 2; k < i + 6; k++) {
        int h = hex(sc->s[k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* A string from the quote at sc->i. */
static mg_json_err string(scan *sc)
{
    size_t start = sc->i++;
    while (sc->i < sc->n) {
        unsigned char c = sc->s[sc->i];
        if (c == '"') {
            sc->i++;
            return MG_JSON_OK;
        }
        if (c < 0x20) {
            char t[96];
            snprintf(t, sizeof t, "unescaped control character 0x%02x in a string", c);
            return fail_text(sc, MG_JSON_STRING, sc->i, t);
        }
        if (c != '\\') {
            sc->i++;
            continue;
        }
        if (sc->i + 1 >= sc->n) break;
        unsigned char e = sc->s[sc->i + 1];
        if (e != 'u') {
            if (!strchr("\"\\/bfnrt", e) || e == 0) {
                return fail(sc, MG_JSON_STRING, sc->i + 1,
                            "one of b f n r t u / \" or a backslash after a backslash in a string");
            }
            sc->i += 2;
            continue;
        }
        long cp = u_escape(sc, sc->i);
        if (cp < 0)
            return fail_text(sc, MG_JSON_STRING, sc->i,
                             "expected 4 hex digits after 'u' in an escape");
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail_text(sc, MG_JSON_STRING, sc->i,
                             "a low surrogate escape (uDC00-uDFFF) without a high one before it");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo = u_escape(sc, sc->i + 6);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail_text(sc, MG_JSON_STRING, sc->i,
                                 "a high surrogate escape (uD800-uDBFF) without a low one "
                                 "(uDC00-uDFFF) right after it");
            sc->i += 6;
        }
        sc->i += 6;
    }
    char t[96];
    snprintf(t, sizeof t, "'\"' closing the string that starts at byte %zu", start);
    return fail(sc, MG_JSON_SYNTAX, sc->n, t);
}

/* Does the number s[from..to) (well-formed) fit a double? Decided from its significant digits
 * and decimal exponent, so a number of any length needs no copy of it. */
static bool double_finite(const unsigned char *s, size_t from, size_t to)
{
    char digits[48];
    size_t nd = 0;
    long long exp10 = 0; /* value = 0.digits * 10^exp10 */
    bool frac = false, any = false;
    size_t i = from;
    if (s[i] == '-') i++;
    for (; i < to && (is_digit(s[i]) || s[i] == '.'); i++) {
        if (s[i] == '.') {
            frac = true;
            continue;
        }
        if (!any && s[i] == '0') {
            if (frac) exp10--;
            continue;
        }
        any = true;
        if (nd < sizeof digits - 1) digits[nd++] = (char)s[i];
        if (!frac) exp10++;
    }
    if (!any) return true; /* zero */
    long long e = 0;
    if (i < to) { /* the exponent */
        i++;
        bool neg = s[i] == '-';
        if (s[i] == '-' || s[i] == '+') i++;
        for (; i < to; i++)
            if (e < 1000000000LL) e = e * 10 + (s[i] - '0');
        exp10 += neg ? -e : e;
    }
    if (exp10 > 400) return false;
    if (exp10 < -400) return true; /* rounds to zero, which simdjson accepts */
    /* digits * 10^(exp10 - nd): no radix character, so no locale can misread it */
    char text[80];
    digits[nd] = 0;
    snprintf(text, sizeof text, "%se%lld", digits, exp10 - (long long)nd);
    return isfinite(strtod(text, NULL));
}

/* Does the integer s[from..to) fit int64 (negative) or uint64? */
static bool int_fits(const unsigned char *s, size_t from, size_t to)
{
    bool neg = s[from] == '-';
    uint64_t v = 0, lim = neg ? (uint64_t)1 << 63 : UINT64_MAX;
    for (size_t i = from + neg; i < to; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (lim - d) / 10) return false;
        v = v * 10 + d;
    }
    return true;
}

/* A number from sc->i ('-' or a digit), as RFC 8259 writes it. */
static mg_json_err number(scan *sc)
{
    const unsigned char *s = sc->s;
    size_t start = sc->i, i = sc->i, n = sc->n;
    if (s[i] == '-') i++;
    if (i >= n || !is_digit(s[i])) return fail(sc, MG_JSON_NUMBER, i, "a digit after '-'");
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i]))
            return fail(sc, MG_JSON_NUMBER, i,
                        "'.', 'e' or the end of the number after a leading 0");
    } else {
        while (i < n && is_digit(s[i]))
            i++;
    }
    bool integer = true;
    if (i < n && s[i] == '.') {
        integer = false;
        i++;
        if (i >= n || !is_digit(s[i])) return fail(sc, MG_JSON_NUMBER, i, "a digit after '.'");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        integer = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || !is_digit(s[i]))
            return fail(sc, MG_JSON_NUMBER, i, "a digit in the exponent");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && !is_ws(s[i]) && (s[i] == 0 || !strchr(",]}:\"", s[i])))
        return fail(sc, MG_JSON_NUMBER, i, "a digit, '.', 'e' or the end of the number");
    if (integer && !int_fits(s, start, i))
        return fail_text(sc, MG_JSON_NUMBER, start,
                         "an integer beyond the 64-bit range (-9223372036854775808 to "
                         "18446744073709551615)");
    if (!integer && !double_finite(s, start, i))
        return fail_text(sc, MG_JSON_NUMBER, start,
                         "a number beyond the range of a double (about 1.8e308)");
    sc->i = i;
    return MG_JSON_OK;
}

/* true, false or null from sc->i. */
static mg_json_err literal(scan *sc, const char *word)
{
    size_t len = strlen(word);
    for (size_t k = 0; k < len; k++)
        if (sc->i + k >= sc->n || sc->s[sc->i + k] != (unsigned char)word[k]) {
            char e[16];
            snprintf(e, sizeof e, "'%c' (%s)", word[k], word);
            return fail(sc, MG_JSON_SYNTAX, sc->i + k, e);
        }
    sc->i += len;
    return MG_JSON_OK;
}

/* Is the container opening at sc->i empty ("[ ]")? Then sc->i moves past it. */
static bool empty_container(scan *sc)
{
    size_t j = sc->i + 1;
    while (j < sc->n && is_ws(sc->s[j]))
        j++;
    if (j < sc->n && sc->s[j] == sc->s[sc->i] + 2) {
        sc->i = j + 1;
        return true;
    }
    return false;
}

mg_json_err mg_json_locate(const char *text, size_t n, uint32_t max_depth, unsigned char *stack,
                           size_t *offset, char *detail, size_t cap)
{
    scan sc = {(const unsigned char *)text, n, 0, detail, cap, n};
    enum { VALUE, KEY, AFTER } want = VALUE;
    uint32_t depth = 0;
    mg_json_err e = MG_JSON_OK;
    if (cap) detail[0] = 0;
    while (e == MG_JSON_OK) {
        skip_ws(&sc);
        bool object = depth && (stack[(depth - 1) / 8] >> ((depth - 1) % 8) & 1);
        if (want == AFTER) {
            if (depth == 0) {
                if (sc.i == n) break; /* a whole JSON text: nothing found */
                e = fail(&sc, MG_JSON_SYNTAX, sc.i, "the end of the message after the JSON value");
            } else if (sc.i < n && sc.s[sc.i] == ',') {
                sc.i++;
                want = object ? KEY : VALUE;
            } else if (sc.i < n && sc.s[sc.i] == (object ? '}' : ']')) {
                sc.i++;
                depth--;
            } else {
                e = fail(&sc, MG_JSON_SYNTAX, sc.i, object ? "',' or '}'" : "',' or ']'");
            }
            continue;
        }
        if (want == KEY) {
            if (sc.i >= n || sc.s[sc.i] != '"') {
                e = fail(&sc, MG_JSON_SYNTAX, sc.i, "'\"' starting a member name");
                continue;
            }
            if ((e = string(&sc)) != MG_JSON_OK) continue;
            skip_ws(&sc);
            if (sc.i >= n || sc.s[sc.i] != ':') {
                e = fail(&sc, MG_JSON_SYNTAX, sc.i, "':' after the member name");
                continue;
            }
            sc.i++;
            want = VALUE;
            continue;
        }
        want = AFTER;
        unsigned char c = sc.i < n ? sc.s[sc.i] : 0;
        if (sc.i >= n) {
            e = fail(&sc, MG_JSON_SYNTAX, n, depth ? "a value" : "a JSON value");
        } else if (c == '{' || c == '[') {
            if (empty_container(&sc)) continue;
            if (depth >= max_depth) {
                char t[96];
                snprintf(t, sizeof t, "this '%c' opens level %u; the limit is %u", c, max_depth + 1,
                         max_depth);
                e = fail_text(&sc, MG_JSON_DEPTH, sc.i, t);
                continue;
            }
            if (c == '{')
                stack[depth / 8] |= (unsigned char)(1u << depth % 8);
            else
                stack[depth / 8] &= (unsigned char)~(1u << depth % 8);
            depth++;
            sc.i++;
            want = c == '{' ? KEY : VALUE;
        } else if (c == '"') {
            e = string(&sc);
        } else if (c == '-' || is_digit(c)) {
            e = number(&sc);
        } else if (c == 't' || c == 'f' || c == 'n') {
            e = literal(&sc, c == 't' ? "true" : c == 'f' ? "false" : "null");
        } else {
            e = fail(&sc, MG_JSON_SYNTAX, sc.i, depth ? "a value" : "a JSON value");
        }
    }
    *offset = sc.offset;
    return e;
}

size_t mg_json_utf8_error(const char *text, size_t n, char *detail, size_t cap)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, k;
    while (i < n && (k = mg_utf8_seq(s + i, n - i, NULL)) > 0)
        i += k;
    if (i == n) return n;
    unsigned c = s[i], c1 = i + 1 < n ? s[i + 1] : 0;
    const char *why;
    if (c >= 0x80 && c <= 0xBF)
        why = "a continuation byte without a lead byte";
    else if (c == 0xC0 || c == 0xC1 || (c == 0xE0 && c1 >= 0x80 && c1 < 0xA0) ||
             (c == 0xF0 && c1 >= 0x80 && c1 < 0x90))
        why = "an overlong encoding";
    else if (c == 0xED && c1 >= 0xA0 && c1 <= 0xBF)
        why = "a UTF-16 surrogate (U+D800-U+DFFF) encoded in UTF-8";
    else if ((c == 0xF4 && c1 >= 0x90 && c1 <= 0xBF) || (c >= 0xF5 && c <= 0xF7))
        why = "a code point beyond U+10FFFF";
    else if (c >= 0xF8)
        why = c >= 0xFE ? "byte 0xfe or 0xff, which UTF-8 never uses"
                        : "a lead byte of a 5- or 6-byte form, which UTF-8 does not have";
    else
        why = "a truncated sequence (a lead byte without all its continuation bytes)";
    snprintf(detail, cap, "byte 0x%02x: %s", c, why);
    return i;
}

size_t mg_json_control_error(const char *text, size_t n, char *detail, size_t cap)
{
    const unsigned char *s = (const unsigned char *)text;
    bool in_string = false;
    size_t first = n;
    for (size_t i = 0; i < n; i++) {
        if (in_string && s[i] < 0x20 && first == n) first = i;
        if (s[i] == '\\' && i + 1 < n) { /* escapes a quote, inside a string or not */
            i++;
            if (in_string && s[i] < 0x20 && first == n) first = i;
        } else if (s[i] == '"') {
            in_string = !in_string;
        }
    }
    if (in_string || first == n) return n; /* an unclosed string is the error simdjson names */
    snprintf(detail, cap, "unescaped control character 0x%02x in a string", s[first]);
    return first;
}
