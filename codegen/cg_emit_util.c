/* cg_emit_util.c - small helpers for writing C text: string literals and comments.
 *
 * Design: everything codegen writes goes through these, so generated code is deterministic
 * and safe whatever bytes a schema holds (a pattern with "*" "/" inside a comment, a
 * property name with quotes or NUL bytes inside a literal). No state.
 */
#include "cg.h"

void cg_put_cstr(FILE *o, const char *s, size_t n)
{
    fputc('"', o);
    bool hex_prev = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool is_hex =
            (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (hex_prev && is_hex) fputs("\"\"", o);
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

void cg_put_comment(FILE *o, const char *s)
{
    fputs("/* ", o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '*' && p[1] == '/')
            fputs("* /", o), p++;
        else if (*p == '/' && p[1] == '*')
            fputs("/ *", o), p++;
        else if (*p < 0x20 || *p == 0x7f)
            fputc(' ', o);
        else
            fputc(*p, o);
    }
    fputs(" */", o);
}
