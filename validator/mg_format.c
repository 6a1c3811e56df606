/* mg_format.c - the "format" checkers: dates and times, durations, e-mail addresses, host
 * names (with IDNA2008 through libidn2), IP addresses, UUIDs, JSON Pointers, regexes and the
 * table codegen looks formats up in. URIs, IRIs and URI templates are in mg_format_uri.c.
 *
 * Design: each checker is a small hand-written recognizer of the grammar its RFC gives, over
 * UTF-8 bytes that are not NUL-terminated; nothing allocates (libidn2 is called on a bounded
 * stack copy, and only for non-ASCII or "xn--" labels). Pure functions, any thread.
 */
#include <idn2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mg_format.h"
#include "mg_regex.h"

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool hexd(char c)
{
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool num(const char *s, size_t n, size_t at, size_t len, int *out)
{
    if (at + len > n) return false;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!digit(s[at + i])) return false;
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return true;
}

/* ---- RFC 3339 ---- */

static bool full_date(const char *s, size_t n)
{
    int y, m, d;
    if (n != 10 || s[4] != '-' || s[7] != '-' || !num(s, n, 0, 4, &y) || !num(s, n, 5, 2, &m) ||
        !num(s, n, 8, 2, &d))
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static bool full_time(const char *s, size_t n)
{
    int h, mi, se, oh = 0, om = 0;
    if (n < 9 || s[2] != ':' || s[5] != ':' || !num(s, n, 0, 2, &h) || !num(s, n, 3, 2, &mi) ||
        !num(s, n, 6, 2, &se))
        return false;
    size_t i = 8;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && digit(s[i]))
            i++;
        if (i == f) return false;
    }
    if (i >= n) return false;
    int sign = 0;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
        sign = 0;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == n && s[i + 3] == ':' &&
               num(s, n, i + 1, 2, &oh) && num(s, n, i + 4, 2, &om)) {
        sign = s[i] == '+' ? 1 : -1;
        if (oh > 23 || om > 59) return false;
    } else {
        return false;
    }
    if (h > 23 || mi > 59 || se > 60) return false;
    if (se == 60) { /* a leap second is 23:59:60 in UTC */
        int utc = (h * 60 + mi - sign * (oh * 60 + om) + 2 * 1440) % 1440;
        return utc == 23 * 60 + 59;
    }
    return true;
}

bool mg_fmt_date(const char *s, size_t n)
{
    return full_date(s, n);
}
bool mg_fmt_time(const char *s, size_t n)
{
    return full_time(s, n);
}

bool mg_fmt_date_time(const char *s, size_t n)
{
    return n > 11 && (s[10] == 'T' || s[10] == 't') && full_date(s, 10) &&
           full_time(s + 11, n - 11);
}

/* RFC 3339 appendix A: designators chain Y>M>D and H>M>S, weeks alone, no fractions. */
bool mg_fmt_duration(const char *s, size_t n)
{
    if (n < 3 || s[0] != 'P') return false;
    static const char date_order[] = "YMD", time_order[] = "HMS";
    size_t i = 1;
    int last = -1;
    bool any = false, in_time = false, week = false;
    while (i < n) {
        if (s[i] == 'T') {
            if (in_time || week) return false;
            in_time = true;
            last = -1;
            i++;
            if (i == n) return false;
            continue;
        }
        size_t d0 = i;
        while (i < n && digit(s[i]))
            i++;
        if (i == d0 || i == n) return false;
        char des = s[i++];
        if (des == 'W') {
            if (any || in_time || i != n) return false;
            week = true;
            any = true;
            continue;
        }
        const char *order = in_time ? time_order : date_order;
        const char *p = strchr(order, des);
        if (!p || !des) return false;
        int pos = (int)(p - order);
        if (last >= 0 && pos != last + 1) return false;
        last = pos;
        any = true;
    }
    return any;
}

/* ---- host names ---- */

static bool ldh_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++)
        if (!alpha(s[i]) && !digit(s[i]) && s[i] != '-') return false;
    return true;
}

static bool in(uint32_t c, uint32_t lo, uint32_t hi)
{
    return c >= lo && c <= hi;
}
static bool greek(uint32_t c)
{
    return in(c, 0x370, 0x3FF) || in(c, 0x1F00, 0x1FFF);
}
static bool hebrew(uint32_t c)
{
    return in(c, 0x591, 0x5F4) || in(c, 0xFB1D, 0xFB4F);
}
static bool rtl(uint32_t c)
{
    /* R, AL and AN characters; Extended Arabic-Indic digits are EN, not right-to-left */
    return (in(c, 0x590, 0x8FF) && !in(c, 0x6F0, 0x6F9)) || in(c, 0xFB1D, 0xFDFF) ||
           in(c, 0xFE70, 0xFEFF);
}
static bool kana_han(uint32_t c)
{
    return (in(c, 0x3040, 0x30FF) && c != 0x30FB) || in(c, 0x31F0, 0x31FF) ||
           in(c, 0x3400, 0x4DBF) || in(c, 0x4E00, 0x9FFF) || in(c, 0xF900, 0xFAFF) ||
           in(c, 0x20000, 0x2FA1F);
}

/* RFC 5892 appendix A (CONTEXTO) and the digit rules of RFC 5893, which libidn2's lookup
 * leaves out. `bidi`: the domain name has a right-to-left label somewhere. */
static bool context_ok(const char *u, bool bidi)
{
    uint32_t cp[256];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)u; *p && n < 256;) {
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        uint32_t c = len == 1 ? *p : (uint32_t)(*p & (0x3F >> (len - 1)));
        for (int k = 1; k < len; k++)
            c = (c << 6) | (p[k] & 0x3F);
        cp[n++] = c;
        p += len;
    }
    bool arabic_digit = false, ext_digit = false, has_rtl = false, kana = false, dot = false;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c == 0xB7 && !(i > 0 && cp[i - 1] == 'l' && i + 1 < n && cp[i + 1] == 'l'))
            return false;
        if (c == 0x375 && !(i + 1 < n && greek(cp[i + 1]))) return false;
        if ((c == 0x5F3 || c == 0x5F4) && !(i > 0 && hebrew(cp[i - 1]))) return false;
        arabic_digit |= in(c, 0x660, 0x669);
        ext_digit |= in(c, 0x6F0, 0x6F9);
        has_rtl |= rtl(c);
        kana |= kana_han(c);
        dot |= c == 0x30FB;
    }
    if ((arabic_digit && ext_digit) || (dot && !kana)) return false;
    bool en = false;
    for (size_t i = 0; i < n; i++)
        en |= in(cp[i], '0', '9') || in(cp[i], 0x6F0, 0x6F9);
    if (has_rtl && en && arabic_digit) /* an RTL label may not mix EN and AN digits */
        return false;
    bool digit_first =
        n && (in(cp[0], '0', '9') || in(cp[0], 0x660, 0x669) || in(cp[0], 0x6F0, 0x6F9));
    if (bidi && digit_first) return false;
    return !(has_rtl && n && !rtl(cp[0]));
}

/* IDNA2008 check of one label (A-label or U-label) through libidn2; returns the length of
 * its A-label form, 0 if invalid. */
static size_t idna_label(const char *s, size_t n, bool bidi)
{
    char buf[256];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *ulabel = NULL;
    if (n > 4 && strncasecmp(buf, "xn--", 4) == 0 &&
        idn2_to_unicode_8z8z(buf, &ulabel, 0) != IDN2_OK)
        return 0;
    uint8_t *out = NULL;
    int rc = idn2_lookup_u8((const uint8_t *)(ulabel ? ulabel : buf), &out, IDN2_NONTRANSITIONAL);
    size_t alen = rc == IDN2_OK ? strlen((const char *)out) : 0;
    if (alen && ulabel && strcasecmp((const char *)out, buf) != 0)
        alen = 0; /* an A-label must be the canonical encoding of its U-label */
    if (alen && !context_ok(ulabel ? ulabel : buf, bidi)) alen = 0;
    idn2_free(out);
    idn2_free(ulabel);
    return alen;
}

static bool is_idn_dot(const unsigned char *u, size_t left)
{
    return left >= 3 && ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x82) || /* U+3002 */
                         (u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8E) || /* U+FF0E */
                         (u[0] == 0xEF && u[1] == 0xBD && u[2] == 0xA1));  /* U+FF61 */
}

static bool host(const char *s, size_t n, bool idn)
{
    char buf[1024];
    if (n == 0 || n >= sizeof buf) return false;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (idn && is_idn_dot((const unsigned char *)s + i, n - i)) {
            buf[m++] = '.';
            i += 2;
        } else {
            buf[m++] = s[i];
        }
    }
    /* a right-to-left character anywhere makes every label subject to the Bidi rule */
    bool bidi = false;
    for (size_t i = 0; i + 1 < m && idn; i++) {
        unsigned char b0 = (unsigned char)buf[i];
        unsigned char b1 = (unsigned char)buf[i + 1];
        if (b0 == 0xDB && b1 >= 0xB0 && b1 <= 0xB9) continue; /* U+06F0..06F9 */
        bidi |= (b0 >= 0xD6 && b0 <= 0xDF) || (b0 == 0xEF && (unsigned char)buf[i + 1] >= 0xAC &&
                                               (unsigned char)buf[i + 1] <= 0xBB);
    }
    size_t start = 0, total = 0;
    for (size_t i = 0; i <= m; i++) {
        if (i < m && buf[i] != '.') continue;
        const char *l = buf + start;
        size_t len = i - start, alen = len;
        bool ascii = true;
        for (size_t k = 0; k < len; k++)
            ascii &= (unsigned char)l[k] < 0x80;
        bool xn = len >= 4 && strncasecmp(l, "xn--", 4) == 0;
        if (ascii && !xn) {
            if (!ldh_label(l, len) || (len >= 4 && l[2] == '-' && l[3] == '-')) return false;
            if (bidi && digit(l[0])) return false;
        } else if (!ascii && !idn) {
            return false;
        } else if (!(alen = idna_label(l, len, bidi))) {
            return false;
        }
        total += alen + 1;
        start = i + 1;
    }
    return total - 1 <= 253;
}

bool mg_fmt_hostname(const char *s, size_t n)
{
    return host(s, n, false);
}
bool mg_fmt_idn_hostname(const char *s, size_t n)
{
    return host(s, n, true);
}

/* ---- addresses ---- */

bool mg_fmt_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part && (i >= n || s[i++] != '.')) return false;
        size_t d0 = i;
        int v = 0;
        while (i < n && digit(s[i]) && i - d0 < 3)
            v = v * 10 + (s[i++] - '0');
        if (i == d0 || v > 255 || (i - d0 > 1 && s[d0] == '0')) return false;
    }
    return i == n;
}

bool mg_fmt_ipv6(const char *s, size_t n)
{
    int groups = 0;
    bool gap = false;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = true;
        i = 2;
        if (i == n) return true;
    } else if (n && s[0] == ':') {
        return false;
    }
    while (i < n) {
        size_t h0 = i;
        while (i < n && hexd(s[i]) && i - h0 < 5)
            i++;
        if (i < n && s[i] == '.') { /* embedded IPv4 tail */
            if (!mg_fmt_ipv4(s + h0, n - h0)) return false;
            groups += 2;
            i = n;
            break;
        }
        if (i == h0 || i - h0 > 4) return false;
        groups++;
        if (i == n) break;
        if (s[i] != ':') return false;
        i++;
        if (i < n && s[i] == ':') {
            if (gap) return false;
            gap = true;
            i++;
            if (i == n) break;
        } else if (i == n) {
            return false;
        }
    }
    return gap ? groups < 8 : groups == 8;
}

bool mg_fmt_uuid(const char *s, size_t n)
{
    if (n != 36) return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !hexd(s[i])) return false;
    }
    return true;
}

/* ---- e-mail (RFC 5321 Mailbox; RFC 6531 with UTF-8) ---- */

static bool atext(unsigned char c, bool utf8)
{
    return alpha((char)c) || digit((char)c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL ||
           (utf8 && c >= 0x80);
}

static bool email(const char *s, size_t n, bool idn)
{
    const char *at = NULL;
    size_t i = 0;
    if (n && s[0] == '"') { /* quoted local part */
        for (i = 1; i < n && s[i] != '"'; i++) {
            if (s[i] == '\\')
                i++;
            else if ((unsigned char)s[i] < 0x20)
                return false;
        }
        if (i + 1 >= n || s[i + 1] != '@') return false;
        at = s + i + 1;
    } else {
        at = memchr(s, '@', n);
        if (!at || at == s) return false;
        size_t ln = (size_t)(at - s);
        if (s[0] == '.' || s[ln - 1] == '.') return false;
        for (size_t k = 0; k < ln; k++)
            if (s[k] == '.' ? s[k + 1] == '.' : !atext((unsigned char)s[k], idn)) return false;
    }
    const char *d = at + 1;
    size_t dn = n - (size_t)(d - s);
    if (dn > 2 && d[0] == '[' && d[dn - 1] == ']') {
        if (dn > 7 && strncasecmp(d + 1, "IPv6:", 5) == 0) return mg_fmt_ipv6(d + 6, dn - 7);
        return mg_fmt_ipv4(d + 1, dn - 2);
    }
    return host(d, dn, idn);
}

bool mg_fmt_email(const char *s, size_t n)
{
    return email(s, n, false);
}
bool mg_fmt_idn_email(const char *s, size_t n)
{
    return email(s, n, true);
}

/* ---- JSON Pointers ---- */

bool mg_fmt_json_pointer(const char *s, size_t n)
{
    if (n && s[0] != '/') return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1'))) return false;
    return true;
}

bool mg_fmt_relative_json_pointer(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && digit(s[i]))
        i++;
    if (i == 0 || (i > 1 && s[0] == '0')) return false;
    if (i < n && s[i] == '#') return i + 1 == n;
    return mg_fmt_json_pointer(s + i, n - i);
}

bool mg_fmt_regex(const char *s, size_t n)
{
    return mg_regex_syntax_ok(s, n, NULL, 0);
}

/* ---- the table ---- */

const mg_format_info *mg_format_lookup(const char *name)
{
    static const mg_format_info table[] = {
        {"date-time", "mg_fmt_date_time", mg_fmt_date_time},
        {"date", "mg_fmt_date", mg_fmt_date},
        {"time", "mg_fmt_time", mg_fmt_time},
        {"duration", "mg_fmt_duration", mg_fmt_duration},
        {"email", "mg_fmt_email", mg_fmt_email},
        {"idn-email", "mg_fmt_idn_email", mg_fmt_idn_email},
        {"hostname", "mg_fmt_hostname", mg_fmt_hostname},
        {"idn-hostname", "mg_fmt_idn_hostname", mg_fmt_idn_hostname},
        {"ipv4", "mg_fmt_ipv4", mg_fmt_ipv4},
        {"ipv6", "mg_fmt_ipv6", mg_fmt_ipv6},
        {"uri", "mg_fmt_uri", mg_fmt_uri},
        {"uri-reference", "mg_fmt_uri_reference", mg_fmt_uri_reference},
        {"iri", "mg_fmt_iri", mg_fmt_iri},
        {"iri-reference", "mg_fmt_iri_reference", mg_fmt_iri_reference},
        {"uuid", "mg_fmt_uuid", mg_fmt_uuid},
        {"json-pointer", "mg_fmt_json_pointer", mg_fmt_json_pointer},
        {"relative-json-pointer", "mg_fmt_relative_json_pointer", mg_fmt_relative_json_pointer},
        {"regex", "mg_fmt_regex", mg_fmt_regex},
        {"uri-template", "mg_fmt_uri_template", mg_fmt_uri_template},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
    return NULL;
}
