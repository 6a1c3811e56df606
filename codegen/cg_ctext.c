/* cg_ctext.c - escaping for every context of generated C (cg_ctext.h).
 *
 * Design: each writer looks at the input bytes, never at what it already wrote, and keeps an
 * invariant on its output: a string literal holds only printable ASCII and escapes, with no
 * '?' that could start a trigraph and no hex escape swallowing a following digit; comment
 * text never has '*' next to '/', never two '?' in a row, never a newline or a '\' that is
 * not an escape, and only code points that are visible (libunistring decides which). Pure
 * functions.
 */
#include "cg_ctext.h"
#include "mg_escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>

void cg_put_cstr(FILE *o, const char *s, size_t n)
{
    fputc('"', o);
    bool hex_prev = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (hex_prev && mg_hex_value(ch) >= 0) fputs("\"\"", o);
        hex_prev = false;
        if (ch == '"' || ch == '\\') {
            fputc('\\', o);
            fputc(ch, o);
        } else if (ch == '?') {
            fputs("\\?", o); /* no trigraphs */
        } else if (ch >= 0x20 && ch < 0x7f) {
            fputc(ch, o);
        } else {
            fprintf(o, "\\x%02x", ch);
            hex_prev = true;
        }
    }
    fputc('"', o);
}

/* Code points shown as themselves in a comment: letters, marks, numbers, punctuation,
 * symbols and spaces; not controls, format characters (bidi overrides among them), private
 * use, surrogates, unassigned, or line and paragraph separators. */
static bool visible(ucs4_t uc)
{
    return uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_M |
                                                    UC_CATEGORY_MASK_N | UC_CATEGORY_MASK_P |
                                                    UC_CATEGORY_MASK_S | UC_CATEGORY_MASK_Zs);
}

void cg_put_comment_text(FILE *o, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char ch = u[i];
        bool slash_next = (i > 0 && u[i - 1] == '/') || (i + 1 < n && u[i + 1] == '/');
        if (ch == '*' && slash_next) {
            fputs("\\x2a", o);
        } else if (ch == '?' && i > 0 && u[i - 1] == '?') {
            fputs("\\?", o);
        } else if (ch >= 0x20 && ch < 0x7f) {
            fputc(ch, o);
        } else if (ch >= 0x80) {
            ucs4_t uc;
            int k = u8_mbtoucr(&uc, u + i, n - i);
            if (k <= 0) {
                fprintf(o, "\\x%02X", ch);
            } else {
                if (visible(uc))
                    fwrite(u + i, 1, (size_t)k, o);
                else
                    fprintf(o, uc > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned)uc);
                i += (size_t)k;
                continue;
            }
        } else {
            fprintf(o, "\\x%02X", ch);
        }
        i++;
    }
}

void cg_put_comment(FILE *o, const char *s, size_t n)
{
    fputs("/* ", o);
    cg_put_comment_text(o, s, n);
    fputs(" */", o);
}

static bool ident_char(unsigned char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

bool cg_is_ident(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CG_IDENT_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!ident_char((unsigned char)s[i], i == 0)) return false;
    return true;
}

char *cg_ident_from(const char *s)
{
    size_t n = strnlen(s, CG_IDENT_MAX);
    char *r = malloc(n + 2);
    if (!r) return NULL;
    size_t o = 0;
    if (n == 0 || (s[0] >= '0' && s[0] <= '9')) r[o++] = '_';
    for (size_t i = 0; i < n && o < CG_IDENT_MAX; i++)
        r[o++] = ident_char((unsigned char)s[i], false) ? s[i] : '_';
    r[o] = 0;
    return r;
}

void cg_put_ident_upper(FILE *o, const char *ident)
{
    for (const char *p = ident; *p; p++)
        fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, o);
}

bool cg_header_name_ok(const char *s)
{
    if (!*s) return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7f || strchr("\"'\\?", c)) return false;
        if (c == '/' && (p[1] == '/' || p[1] == '*')) return false;
    }
    return true;
}

bool cg_c_uses(const char *t, size_t n, const char *ident)
{
    size_t il = strlen(ident);
    for (size_t i = 0; i < n;) {
        char ch = t[i];
        if (ch == '"' || ch == '\'') { /* a literal: to its closing quote, escapes skipped */
            for (i++; i < n && t[i] != ch; i++)
                if (t[i] == '\\') i++;
            i++;
        } else if (ch == '/' && i + 1 < n && t[i + 1] == '*') {
            const char *end = memmem(t + i + 2, n - i - 2, "*/", 2);
            i = end ? (size_t)(end - t) + 2 : n;
        } else if (ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            size_t s = i;
            while (i < n && (t[i] == '_' || (t[i] >= 'a' && t[i] <= 'z') ||
                             (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9')))
                i++;
            if (i - s == il && memcmp(t + s, ident, il) == 0) return true;
        } else {
            i++;
        }
    }
    return false;
}
