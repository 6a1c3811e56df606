/* mg_format_uri.c - the "format" checkers for URIs (RFC 3986), IRIs (RFC 3987) and URI
 * Templates (RFC 6570).
 *
 * Design: one recursive-descent recognizer follows the RFC 3986 grammar (scheme, authority
 * with userinfo, IP-literal and port, the path forms, query, fragment); in IRI mode any
 * non-ASCII byte counts as a ucschar, which is where RFC 3987 widens the grammar. The input is
 * never copied; pure functions, any thread.
 */
#include <stdint.h>
#include <string.h>

#include "mg_format.h"
#include "mg_escape.h"

#define IS_HEX(c) (mg_hex_value(c) >= 0)

typedef struct cur {
    const char *s;
    size_t n, i;
    bool iri;
} cur;

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("-._~", c));
}
static bool sub_delim(char c)
{
    return c && strchr("!$&'()*+,;=", c);
}

/* Consumes one character allowed by `extra` (plus unreserved, sub-delims, pct-encoded and,
 * for IRIs, non-ASCII). */
static bool one(cur *c, const char *extra)
{
    if (c->i >= c->n) return false;
    char ch = c->s[c->i];
    if (ch == '%') {
        if (c->i + 2 < c->n && IS_HEX(c->s[c->i + 1]) && IS_HEX(c->s[c->i + 2])) {
            c->i += 3;
            return true;
        }
        return false;
    }
    if (unreserved(ch) || sub_delim(ch) || (ch && strchr(extra, ch)) ||
        (c->iri && (unsigned char)ch >= 0x80)) {
        c->i++;
        return true;
    }
    return false;
}

static void many(cur *c, const char *extra)
{
    while (c->i < c->n && one(c, extra))
        ;
}

static bool ip_literal(cur *c)
{
    size_t start = ++c->i;
    const char *close = memchr(c->s + start, ']', c->n - start);
    if (!close) return false;
    size_t len = (size_t)(close - (c->s + start));
    c->i = start + len + 1;
    const char *h = c->s + start;
    if (len > 1 && (h[0] == 'v' || h[0] == 'V')) { /* IPvFuture */
        size_t k = 1;
        while (k < len && IS_HEX(h[k]))
            k++;
        if (k == 1 || k >= len || h[k] != '.' || k + 1 == len) return false;
        for (k++; k < len; k++)
            if (!unreserved(h[k]) && !sub_delim(h[k]) && h[k] != ':') return false;
        return true;
    }
    return mg_fmt_ipv6(h, len);
}

/* authority = [ userinfo "@" ] host [ ":" port ], after "//" */
static bool authority(cur *c)
{
    size_t end = c->i;
    while (end < c->n && c->s[end] != '/' && c->s[end] != '?' && c->s[end] != '#')
        end++;
    cur a = {c->s, end, c->i, c->iri};
    const char *at = memchr(c->s + c->i, '@', end - c->i);
    if (at) {
        cur u = {c->s, (size_t)(at - c->s), c->i, c->iri};
        many(&u, ":");
        if (u.i != u.n) return false;
        a.i = u.n + 1;
    }
    if (a.i < a.n && c->s[a.i] == '[') {
        if (!ip_literal(&a)) return false;
    } else {
        many(&a, "");
    }
    if (a.i < a.n && c->s[a.i] == ':') {
        a.i++;
        while (a.i < a.n && is_digit(c->s[a.i]))
            a.i++;
    }
    if (a.i != a.n) return false;
    c->i = end;
    return true;
}

/* path, query and fragment from the current position; no_colon: first segment has no ":" */
static bool rest(cur *c, bool no_colon)
{
    while (c->i < c->n && c->s[c->i] != '?' && c->s[c->i] != '#') {
        char ch = c->s[c->i];
        if (ch == '/') {
            no_colon = false;
            c->i++;
            continue;
        }
        if (ch == ':' && no_colon) return false;
        if (!one(c, ":@")) return false;
    }
    if (c->i < c->n && c->s[c->i] == '?') {
        c->i++;
        while (c->i < c->n && c->s[c->i] != '#')
            if (!one(c, ":@/?")) return false;
    }
    if (c->i < c->n && c->s[c->i] == '#') {
        c->i++;
        while (c->i < c->n)
            if (!one(c, ":@/?")) return false;
    }
    return c->i == c->n;
}

static bool scheme(cur *c)
{
    if (c->n == 0 || !is_alpha(c->s[0])) return false;
    size_t i = 1;
    while (i < c->n && (is_alpha(c->s[i]) || is_digit(c->s[i]) || strchr("+-.", c->s[i])))
        i++;
    if (i >= c->n || c->s[i] != ':') return false;
    c->i = i + 1;
    return true;
}

static bool hier(cur *c, bool relative)
{
    if (c->i + 1 < c->n && c->s[c->i] == '/' && c->s[c->i + 1] == '/') {
        c->i += 2;
        if (!authority(c)) return false;
        return rest(c, false);
    }
    return rest(c, relative);
}

static bool uri(const char *s, size_t n, bool iri)
{
    cur c = {s, n, 0, iri};
    return scheme(&c) && hier(&c, false);
}

static bool uri_ref(const char *s, size_t n, bool iri)
{
    if (uri(s, n, iri)) return true;
    cur c = {s, n, 0, iri};
    return hier(&c, true);
}

bool mg_fmt_uri(const char *s, size_t n)
{
    return uri(s, n, false);
}
bool mg_fmt_uri_reference(const char *s, size_t n)
{
    return uri_ref(s, n, false);
}
bool mg_fmt_iri(const char *s, size_t n)
{
    return uri(s, n, true);
}
bool mg_fmt_iri_reference(const char *s, size_t n)
{
    return uri_ref(s, n, true);
}

/* ---- RFC 6570 ---- */

static bool varspec(const char *s, size_t n)
{
    size_t i = 0;
    bool need = true; /* a varchar is expected */
    while (i < n && s[i] != ':' && s[i] != '*') {
        if (s[i] == '.' && !need) {
            need = true;
            i++;
        } else if (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_') {
            need = false;
            i++;
        } else if (s[i] == '%' && i + 2 < n && IS_HEX(s[i + 1]) && IS_HEX(s[i + 2])) {
            need = false;
            i += 3;
        } else {
            return false;
        }
    }
    if (need) return false;
    if (i == n) return true;
    if (s[i] == '*') return i + 1 == n;
    size_t d0 = ++i;
    while (i < n && is_digit(s[i]))
        i++;
    return i == n && i > d0 && i - d0 <= 4 && s[d0] != '0';
}

bool mg_fmt_uri_template(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '{') {
            const char *close = memchr(s + i + 1, '}', n - i - 1);
            if (!close) return false;
            size_t j = i + 1, end = (size_t)(close - s);
            if (j < end && strchr("+#./;?&=,!@|", s[j])) j++;
            size_t v0 = j;
            for (; j <= end; j++)
                if (j == end || s[j] == ',') {
                    if (!varspec(s + v0, j - v0)) return false;
                    v0 = j + 1;
                }
            i = end;
        } else if (ch == '%') {
            if (i + 2 >= n || mg_hex_value(s[i + 1]) < 0 || mg_hex_value(s[i + 2]) < 0)
                return false;
            i += 2;
        } else if (ch <= 0x20 || ch == 0x7f || strchr("\"<>\\^`|}", ch)) {
            return false;
        }
    }
    return true;
}
