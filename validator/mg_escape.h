/* mg_escape.h - text for people and for JSON: UTF-8 decoding, the one escaping rule for text that
 * goes to a log line, a Kafka header value or a terminal, the one JSON string escaping and the
 * one hex-digit reader.
 *
 * Design: every string that reaches one of those places and may hold bytes from a message or a
 * schema (reject reasons, instance and keyword locations, dead-letter header fields) goes
 * through mg_escape(), so a hostile value can neither split a line, nor move a terminal's
 * cursor, nor reorder what a person reads. The rule (README, "Escaping"):
 *   - valid UTF-8 is kept, except the characters below;
 *   - a backslash is written `\\`; LF, CR and TAB `\n`, `\r`, `\t`;
 *   - the other C0 controls (U+0000-U+001F) and DEL are written `\xHH` (two lowercase hex
 *     digits), and so is every byte that is not part of well-formed UTF-8 (overlong forms,
 *     surrogates, beyond U+10FFFF, truncated sequences, stray continuation bytes, 0xC0, 0xC1,
 *     0xF5-0xFF), one escape per byte;
 *   - the C1 controls (U+0080-U+009F), the line and paragraph separators (U+2028, U+2029),
 *     the bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A-U+202E,
 *     U+2066-U+2069) and U+FEFF are written `\u{H...}` (the code point in lowercase hex).
 * The escaped text is printable UTF-8 without control characters, and the original bytes can
 * be recovered from it. Pure functions, no allocation.
 */
#ifndef MG_ESCAPE_H
#define MG_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Length (1-4) of the well-formed UTF-8 sequence (RFC 3629) at s[0..n), storing its code point
 * in *cp (may be NULL); 0 if the bytes there are not well-formed UTF-8 (or n == 0). */
size_t mg_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* true if s[0..n) is well-formed UTF-8 throughout (RFC 3629, as mg_utf8_seq). */
bool mg_utf8_valid(const void *s, size_t n);

/* Flags of mg_escape(). */
enum {
    MG_ESC_QUOTE = 1u << 0, /* also write `"` as `\"` (text shown between double quotes) */
    /* the text was escaped by this rule already (a dead-letter header): a backslash is kept as
     * it is, so escaping the text again changes nothing, while any control character or
     * invalid UTF-8 that another writer put there is still escaped */
    MG_ESC_ESCAPED = 1u << 1
};

/* Writes s[0..n) escaped into buf[0..cap), NUL-terminated when cap > 0; an escape that does not
 * fit whole is left out, and so is everything after it. Returns the length of the whole escaped
 * text (as snprintf does), so a caller can size a buffer with (NULL, 0). */
size_t mg_escape(char *buf, size_t cap, const char *s, size_t n, unsigned flags);

/* ---- JSON strings ----
 * The one JSON string escaping of meshgate (codegen's JSON and artifacts, the dead-letter
 * records, the CloudEvents envelope): RFC 8785's spelling - `\"`, `\\`, `\b`, `\f`, `\n`,
 * `\r`, `\t`, the other controls below U+0020 as `\u00hh` (lowercase hex), every other byte as
 * it is (the caller decides what to do about invalid UTF-8). */
#define MG_JSON_ESCAPE_MAX(n) (6 * (n)) /* the most mg_json_escape writes for n bytes */
/* Writes the JSON string contents (no quotes, no NUL) of s[0..n) to out, which has room for
 * MG_JSON_ESCAPE_MAX(n) bytes; returns the bytes written. */
size_t mg_json_escape(char *out, const char *s, size_t n);

/* The value of hex digit c (0-9, a-f, A-F), -1 for any other character: the one hex reader. */
static inline int mg_hex_value(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

#ifdef __cplusplus
}
#endif
#endif
