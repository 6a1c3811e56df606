/* mg_regex_parse.c - ECMA-262 pattern parser and the format "regex" syntax check.
 *
 * Design: recursive descent over the UTF-8 pattern following the ECMA-262 Pattern grammar
 * with the [UnicodeMode] parameter set. With MG_RE_ANNEXB it also takes, where u-mode has
 * no meaning, what Annex B gives patterns without the u flag: identity escapes of any
 * character ("\&"), a lone "{" "}" "]", "\c" without a letter (a literal backslash),
 * legacy octal escapes ("\07", "\1" with fewer groups), incomplete "\x" "\u" (the letter),
 * "\k" in a pattern without named groups, quantified lookaheads and class ranges with a
 * class escape at one end ("[\d-z]": the three members). Each is counted and the first is
 * named in mg_re_parsed, for codegen's warning. Nodes go into a caller-supplied array linked
 * as first-child/next-sibling; with no array the parser only counts, so the syntax check
 * allocates nothing. Nesting is bounded (MAX_DEPTH) so hostile patterns cannot exhaust the
 * stack. Backreference targets (group count, group names) are found by a pre-scan, since
 * ECMA-262 allows forward references; capturing groups are numbered by their "(" from the
 * left. Character class bodies are not stored: codegen reads them again with
 * mg_re_class_next, which shares the member parser with the checker.
 */
#include "mg_regex.h"
#include "mg_escape.h"

#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 200

typedef struct parser {
    const char *s;
    size_t n, i;
    unsigned flags;
    mg_re_node *nodes;
    size_t cap, cnt;
    mg_re_node scratch;
    char *err;
    size_t errlen;
    bool failed;
    int depth;
    uint32_t ngroups, gcount; /* capturing groups in the pattern, and opened so far */
    bool named;               /* the pattern has named groups */
    uint32_t nannexb, annexb_off;
    const char *annexb_what;
} parser;

static bool fail(parser *p, size_t at, const char *why)
{
    if (!p->failed && p->err && p->errlen)
        snprintf(p->err, p->errlen, "invalid pattern at offset %zu: %s", at, why);
    p->failed = true;
    return false;
}

/* An Annex B construct at `at`: taken and counted with MG_RE_ANNEXB, else u-mode's error. */
static bool annexb(parser *p, size_t at, const char *what, const char *uerr)
{
    if (!(p->flags & MG_RE_ANNEXB)) return fail(p, at, uerr);
    if (p->nannexb++ == 0) {
        p->annexb_off = (uint32_t)at;
        p->annexb_what = what;
    }
    return true;
}

static int32_t new_node(parser *p, uint8_t op, size_t off)
{
    int32_t id = (int32_t)p->cnt++;
    mg_re_node *x = p->nodes && (size_t)id < p->cap ? &p->nodes[id] : &p->scratch;
    memset(x, 0, sizeof *x);
    x->op = op;
    x->child = x->next = -1;
    x->off = x->end = (uint32_t)off;
    return id;
}

static mg_re_node *node(parser *p, int32_t id)
{
    return p->nodes && id >= 0 && (size_t)id < p->cap ? &p->nodes[id] : &p->scratch;
}

static int peek(const parser *p, size_t k)
{
    return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_syntax_char(int c)
{
    return c > 0 && strchr("^$\\.*+?()[]{}|/", c) != NULL;
}

/* Decodes one UTF-8 code point at p->i; advances. */
static bool decode(parser *p, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)p->s + p->i;
    size_t left = p->n - p->i;
    unsigned c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        p->i++;
        return true;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return fail(p, p->i, "invalid UTF-8");
    }
    if (left < len) return fail(p, p->i, "invalid UTF-8");
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return fail(p, p->i, "invalid UTF-8");
        v = v << 6 | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return fail(p, p->i, "invalid UTF-8");
    *cp = v;
    p->i += len;
    return true;
}

/* Skips an escape or a class starting at s[i]; returns the index after it. */
static size_t skip_atom(const char *s, size_t n, size_t i)
{
    if (s[i] == '\\') return i + 2 <= n ? i + 2 : n;
    if (s[i] != '[') return i + 1;
    for (i++; i < n && s[i] != ']'; i++)
        if (s[i] == '\\') i++;
    return i < n ? i + 1 : n;
}

/* Capturing groups of the pattern: with name == NULL all of them; else the number (1-based)
 * of the first group named name[0..len), 0 if none, and *dups the count of such groups. With
 * named, also whether any group is named. */
static uint32_t scan_groups(const char *s, size_t n, const char *name, size_t len, uint32_t *dups,
                            bool *named)
{
    uint32_t count = 0, found = 0;
    if (dups) *dups = 0;
    if (named) *named = false;
    for (size_t i = 0; i < n; i = skip_atom(s, n, i)) {
        if (s[i] != '(') continue;
        bool is_named =
            i + 3 < n && s[i + 1] == '?' && s[i + 2] == '<' && s[i + 3] != '=' && s[i + 3] != '!';
        if (!is_named && i + 1 < n && s[i + 1] == '?') continue;
        count++;
        if (is_named && named) *named = true;
        if (name && is_named && i + 3 + len < n && memcmp(s + i + 3, name, len) == 0 &&
            s[i + 3 + len] == '>') {
            if (!found) found = count;
            if (dups) (*dups)++;
        }
    }
    return name ? found : count;
}

static bool is_ident_char(uint32_t c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80 ||
           (!first && c >= '0' && c <= '9');
}

/* GroupName: "<" identifier ">" at p->i; sets the name span. */
static bool group_name(parser *p, size_t *start, size_t *len)
{
    if (peek(p, 0) != '<') return fail(p, p->i, "expected '<' before group name");
    p->i++;
    *start = p->i;
    while (peek(p, 0) != '>') {
        uint32_t c;
        size_t at = p->i;
        if (p->i >= p->n) return fail(p, at, "unterminated group name");
        if (!decode(p, &c)) return false;
        if (!is_ident_char(c, at == *start)) return fail(p, at, "invalid character in group name");
    }
    *len = p->i - *start;
    if (*len == 0) return fail(p, p->i, "empty group name");
    p->i++;
    return true;
}

static bool hex_digits(parser *p, int count, uint32_t *v)
{
    *v = 0;
    for (int k = 0; k < count; k++) {
        int h = mg_hex_value(peek(p, 0));
        if (h < 0) return fail(p, p->i, "expected a hex digit");
        *v = *v << 4 | (uint32_t)h;
        p->i++;
    }
    return true;
}

static bool hex_ahead(const parser *p, int count)
{
    for (int k = 0; k < count; k++)
        if (mg_hex_value(peek(p, (size_t)k)) < 0) return false;
    return true;
}

/* After "\u": HHHH (joining a surrogate pair) or {H...}. */
static bool unicode_escape(parser *p, uint32_t *cp)
{
    if (peek(p, 0) == '{') {
        size_t at = p->i++;
        uint32_t v = 0;
        int h, nd = 0;
        while ((h = mg_hex_value(peek(p, 0))) >= 0) {
            v = v << 4 | (uint32_t)h;
            if (v > 0x10FFFF) return fail(p, at, "code point out of range");
            p->i++, nd++;
        }
        if (nd == 0 || peek(p, 0) != '}') return fail(p, p->i, "malformed \\u{...} escape");
        p->i++;
        *cp = v;
        return true;
    }
    if (!hex_digits(p, 4, cp)) return false;
    if (*cp >= 0xD800 && *cp <= 0xDBFF && peek(p, 0) == '\\' && peek(p, 1) == 'u') {
        size_t save = p->i;
        uint32_t lo;
        p->i += 2;
        if (mg_hex_value(peek(p, 0)) >= 0 && hex_digits(p, 4, &lo) && lo >= 0xDC00 &&
            lo <= 0xDFFF) {
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
            return true;
        }
        if (p->failed) return false;
        p->i = save;
    }
    return true;
}

static bool prop_lookup(const char *name, size_t len, int kind, uint16_t *idx)
{
    const mg_re_prop *e;
    for (uint16_t k = 0; (e = mg_re_prop_at(k)) != NULL; k++) {
        if ((kind < 0 || e->kind == kind) && strlen(e->name) == len &&
            memcmp(e->name, name, len) == 0) {
            *idx = k;
            return true;
        }
    }
    return false;
}

static bool span_is(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* After "\p" or "\P": {Name} or {Name=Value}. */
static bool property(parser *p, mg_re_item *it)
{
    size_t at = p->i;
    if (peek(p, 0) != '{') return fail(p, at, "expected '{' after \\p");
    size_t start = ++p->i, eq = 0;
    while (p->i < p->n && p->s[p->i] != '}') {
        int c = peek(p, 0);
        if (c == '=' && !eq)
            eq = p->i;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'))
            return fail(p, p->i, "invalid character in property name");
        p->i++;
    }
    if (p->i >= p->n) return fail(p, at, "unterminated \\p{...}");
    const char *s = p->s + start;
    size_t len = p->i - start;
    p->i++;
    it->kind = MG_RI_PROP;
    if (!eq) {
        if (prop_lookup(s, len, MG_RP_GC, &it->prop) ||
            prop_lookup(s, len, MG_RP_BINARY, &it->prop))
            return true;
        return fail(p, start, "unknown Unicode property");
    }
    size_t nlen = eq - start;
    const char *v = p->s + eq + 1;
    size_t vlen = p->i - 1 - (eq + 1);
    if (span_is(s, nlen, "General_Category") || span_is(s, nlen, "gc")) {
        if (prop_lookup(v, vlen, MG_RP_GC, &it->prop)) return true;
        return fail(p, eq + 1, "unknown General_Category value");
    }
    it->scx = span_is(s, nlen, "Script_Extensions") || span_is(s, nlen, "scx");
    if (it->scx || span_is(s, nlen, "Script") || span_is(s, nlen, "sc")) {
        if (prop_lookup(v, vlen, MG_RP_SCRIPT, &it->prop)) return true;
        return fail(p, eq + 1, "unknown Script value");
    }
    return fail(p, start, "unknown Unicode property");
}

/* Annex B LegacyOctalEscapeSequence at p->i (an octal digit): at most three digits, at most
 * 0377. */
static uint32_t legacy_octal(parser *p)
{
    uint32_t v = (uint32_t)(peek(p, 0) - '0');
    p->i++;
    for (int k = 0; k < 2 && peek(p, 0) >= '0' && peek(p, 0) <= '7'; k++) {
        uint32_t w = v * 8 + (uint32_t)(peek(p, 0) - '0');
        if (w > 0377) break;
        v = w;
        p->i++;
    }
    return v;
}

/* The escape after "\" (p->i at the letter), as one code point or a class escape. Backrefs
 * and \b \B are handled by the caller outside classes. */
static bool char_escape(parser *p, bool in_class, mg_re_item *it)
{
    size_t at = p->i - 1;
    int c = peek(p, 0);
    memset(it, 0, sizeof *it);
    it->kind = MG_RI_RANGE;
    if (c < 0) return fail(p, at, "\\ at end of pattern");
    p->i++;
    uint32_t v = 0;
    switch (c) {
    case 'd':
    case 'D':
        it->kind = MG_RI_DIGIT;
        it->neg = c == 'D';
        return true;
    case 'w':
    case 'W':
        it->kind = MG_RI_WORD;
        it->neg = c == 'W';
        return true;
    case 's':
    case 'S':
        it->kind = MG_RI_SPACE;
        it->neg = c == 'S';
        return true;
    case 'p':
    case 'P':
        it->neg = c == 'P';
        return property(p, it);
    case 'f':
        v = '\f';
        break;
    case 'n':
        v = '\n';
        break;
    case 'r':
        v = '\r';
        break;
    case 't':
        v = '\t';
        break;
    case 'v':
        v = '\v';
        break;
    case 'c': {
        int l = peek(p, 0);
        if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) {
            p->i++;
            v = (uint32_t)l % 32;
        } else if (in_class && (is_digit(l) || l == '_')) {
            if (!annexb(p, at, "\\c with a digit or '_' in a class",
                        "\\c must be followed by an ASCII letter"))
                return false;
            p->i++;
            v = (uint32_t)l % 32;
        } else {
            /* Annex B: the backslash stands for itself and "c" is read next */
            if (!annexb(p, at, "\\c without a letter", "\\c must be followed by an ASCII letter"))
                return false;
            p->i--;
            v = '\\';
        }
        break;
    }
    case '0':
        if (!is_digit(peek(p, 0))) {
            v = 0;
        } else {
            if (!annexb(p, at, "legacy octal escape", "octal escapes are not allowed"))
                return false;
            p->i--;
            v = legacy_octal(p);
        }
        break;
    case 'x':
        if (hex_ahead(p, 2) || !(p->flags & MG_RE_ANNEXB)) {
            if (!hex_digits(p, 2, &v)) return false;
        } else if (!annexb(p, at, "incomplete \\x escape", "expected a hex digit")) {
            return false;
        } else {
            v = 'x';
        }
        break;
    case 'u':
        if (peek(p, 0) == '{' || hex_ahead(p, 4) || !(p->flags & MG_RE_ANNEXB)) {
            if (!unicode_escape(p, &v)) return false;
        } else if (!annexb(p, at, "incomplete \\u escape", "expected a hex digit")) {
            return false;
        } else {
            v = 'u';
        }
        break;
    default:
        if (in_class && c == 'b') {
            v = 8;
        } else if (in_class && c == '-') {
            v = '-';
        } else if (is_syntax_char(c)) {
            v = (uint32_t)c;
        } else if (is_digit(c) && in_class) {
            if (!annexb(p, at, "legacy octal escape in a class",
                        "backreference inside a character class"))
                return false;
            p->i--;
            if (c >= '8') {
                v = (uint32_t)c;
                p->i++;
            } else {
                v = legacy_octal(p);
            }
        } else if (c == 'k' && p->named) {
            return fail(p, at, "invalid escape");
        } else {
            if (!annexb(p, at, "identity escape", "invalid escape")) return false;
            p->i--;
            if (!decode(p, &v)) return false;
        }
    }
    it->lo = it->hi = v;
    return true;
}

/* One ClassAtom at p->i (inside a class, not at "]"). */
static bool class_atom(parser *p, mg_re_item *it)
{
    if (peek(p, 0) == '\\') {
        p->i++;
        return char_escape(p, true, it);
    }
    uint32_t c;
    if (!decode(p, &c)) return false;
    memset(it, 0, sizeof *it);
    it->kind = MG_RI_RANGE;
    it->lo = it->hi = c;
    return true;
}

/* One ClassRanges member: an atom or atom-atom. Returns false at "]" (p->failed unset). In
 * Annex B, a range with a class escape at one end is its two atoms and "-": the first is
 * returned, the other two go to pending (when not NULL). */
static bool class_member(parser *p, mg_re_item *it, mg_re_item *pending, uint8_t *npending)
{
    if (p->i >= p->n) return fail(p, p->i, "unterminated character class");
    if (peek(p, 0) == ']') return false;
    size_t at = p->i;
    if (!class_atom(p, it)) return false;
    if (peek(p, 0) == '-' && peek(p, 1) != ']' && peek(p, 1) >= 0) {
        mg_re_item hi;
        p->i++;
        if (!class_atom(p, &hi)) return false;
        if (it->kind != MG_RI_RANGE || hi.kind != MG_RI_RANGE) {
            if (!annexb(p, at, "class escape as a range bound",
                        "class escape used as a range bound"))
                return false;
            if (pending) {
                pending[0] = (mg_re_item){.kind = MG_RI_RANGE, .lo = '-', .hi = '-'};
                pending[1] = hi;
                *npending = 2;
            }
            return true;
        }
        if (it->lo > hi.lo) return fail(p, at, "range out of order in character class");
        it->hi = hi.lo;
    }
    return true;
}

bool mg_re_class_next(const char *pat, size_t n, mg_re_class_it *it, mg_re_item *out)
{
    if (it->npending) {
        *out = it->pending[0];
        it->pending[0] = it->pending[1];
        it->npending--;
        return true;
    }
    parser p = {.s = pat, .n = n, .i = it->pos, .flags = MG_RE_ANNEXB};
    scan_groups(pat, n, NULL, 0, NULL, &p.named);
    bool ok = class_member(&p, out, it->pending, &it->npending);
    it->pos = p.i;
    return ok;
}

/* Length of a valid braced quantifier "{n}", "{n,}" or "{n,m}" at p->i, or 0. */
static size_t braced_len(const parser *p)
{
    size_t k = 1, d = 0;
    if (peek(p, 0) != '{') return 0;
    while (is_digit(peek(p, k)))
        k++, d++;
    if (d == 0) return 0;
    if (peek(p, k) == ',') {
        k++;
        while (is_digit(peek(p, k)))
            k++;
    }
    return peek(p, k) == '}' ? k + 1 : 0;
}

static bool parse_number(parser *p, uint32_t *v)
{
    if (!is_digit(peek(p, 0))) return false;
    uint64_t x = 0;
    while (is_digit(peek(p, 0))) {
        x = x * 10 + (uint64_t)(peek(p, 0) - '0');
        if (x > MG_RE_INF - 1) x = MG_RE_INF - 1;
        p->i++;
    }
    *v = (uint32_t)x;
    return true;
}

/* Quantifier at p->i; returns false without failing when there is none (in Annex B, a "{"
 * that does not open a valid quantifier is not one: it is read as a character next). */
static bool quantifier(parser *p, uint32_t *min, uint32_t *max, bool *lazy)
{
    int c = peek(p, 0);
    size_t at = p->i;
    if (c == '*' || c == '+' || c == '?') {
        *min = c == '+';
        *max = c == '?' ? 1 : MG_RE_INF;
        p->i++;
    } else if (c == '{') {
        if (!braced_len(p)) {
            if (p->flags & MG_RE_ANNEXB) return false;
            return fail(p, at, "incomplete quantifier");
        }
        p->i++;
        parse_number(p, min);
        *max = *min;
        if (peek(p, 0) == ',') {
            p->i++;
            if (!parse_number(p, max)) *max = MG_RE_INF;
        }
        p->i++;
        if (*min > *max) return fail(p, at, "numbers out of order in {} quantifier");
    } else {
        return false;
    }
    *lazy = peek(p, 0) == '?';
    if (*lazy) p->i++;
    return true;
}

static int32_t disjunction(parser *p);

/* "(" at p->i. Sets *assertion to 1 for a lookbehind and 2 for a lookahead (which Annex B
 * allows to quantify). */
static int32_t group(parser *p, int *assertion)
{
    size_t at = p->i++;
    uint8_t op = MG_RE_GROUP;
    bool neg = false, behind = false, capture = true;
    if (peek(p, 0) == '?') {
        int c1 = peek(p, 1), c2 = peek(p, 2);
        capture = false;
        if (c1 == ':') {
            p->i += 2;
        } else if (c1 == '=' || c1 == '!') {
            op = MG_RE_LOOK;
            neg = c1 == '!';
            *assertion = 2;
            p->i += 2;
        } else if (c1 == '<' && (c2 == '=' || c2 == '!')) {
            op = MG_RE_LOOK;
            neg = c2 == '!';
            behind = true;
            *assertion = 1;
            p->i += 3;
        } else if (c1 == '<') {
            size_t ns, nl;
            uint32_t dups;
            p->i++;
            if (!group_name(p, &ns, &nl)) return -1;
            scan_groups(p->s, p->n, p->s + ns, nl, &dups, NULL);
            if (dups > 1) {
                fail(p, ns, "duplicate group name");
                return -1;
            }
            capture = true;
        } else {
            fail(p, at, "invalid group");
            return -1;
        }
    }
    int32_t g = new_node(p, op, at);
    node(p, g)->end = (uint32_t)p->i;
    node(p, g)->neg = neg;
    node(p, g)->behind = behind;
    if (capture) node(p, g)->group = ++p->gcount;
    int32_t body = disjunction(p);
    if (body < 0) return -1;
    if (peek(p, 0) != ')') {
        fail(p, at, "unterminated group");
        return -1;
    }
    p->i++;
    node(p, g)->child = body;
    return g;
}

static int32_t backref(parser *p, size_t at, uint32_t group)
{
    int32_t r = new_node(p, MG_RE_BACKREF, at);
    node(p, r)->end = (uint32_t)p->i;
    node(p, r)->group = group;
    return r;
}

static int32_t char_node(parser *p, size_t at, uint32_t cp)
{
    int32_t r = new_node(p, MG_RE_CHAR, at);
    node(p, r)->item.lo = node(p, r)->item.hi = cp;
    return r;
}

/* "\" at p->i, outside a class. */
static int32_t atom_escape(parser *p, int *assertion)
{
    size_t at = p->i++;
    int c = peek(p, 0);
    if (c == 'b' || c == 'B') {
        p->i++;
        *assertion = 1;
        return new_node(p, c == 'b' ? MG_RE_WORDB : MG_RE_NWORDB, at);
    }
    if (c >= '1' && c <= '9') {
        uint32_t v;
        size_t digits = p->i;
        parse_number(p, &v);
        if (v <= p->ngroups) return backref(p, at, v);
        if (!annexb(p, at, "legacy octal escape", "backreference to a group that does not exist"))
            return -1;
        p->i = digits;
        if (c >= '8') {
            p->i++;
            return char_node(p, at, (uint32_t)c);
        }
        return char_node(p, at, legacy_octal(p));
    }
    if (c == 'k' && (p->named || !(p->flags & MG_RE_ANNEXB))) {
        size_t ns, nl;
        p->i++;
        if (!group_name(p, &ns, &nl)) return -1;
        uint32_t g = scan_groups(p->s, p->n, p->s + ns, nl, NULL, NULL);
        if (g == 0) {
            fail(p, at, "\\k refers to a group name that does not exist");
            return -1;
        }
        return backref(p, at, g);
    }
    mg_re_item it;
    if (!char_escape(p, false, &it)) return -1;
    int32_t r = new_node(p, it.kind == MG_RI_RANGE ? MG_RE_CHAR : MG_RE_SET, at);
    node(p, r)->item = it;
    return r;
}

/* "[" at p->i. */
static int32_t char_class(parser *p)
{
    p->i++;
    bool neg = peek(p, 0) == '^';
    if (neg) p->i++;
    int32_t r = new_node(p, MG_RE_CLASS, p->i);
    mg_re_item it;
    while (class_member(p, &it, NULL, NULL))
        ;
    if (p->failed) return -1;
    node(p, r)->neg = neg;
    node(p, r)->end = (uint32_t)p->i;
    p->i++;
    return r;
}

/* Term: an assertion, or an atom with an optional quantifier. -2 at the end of an
 * alternative. */
static int32_t term(parser *p)
{
    int c = peek(p, 0);
    size_t at = p->i;
    int assertion = 0; /* 1: not quantifiable, 2: a lookahead (Annex B quantifies it) */
    int32_t a;
    switch (c) {
    case -1:
    case '|':
    case ')':
        return -2;
    case '^':
    case '$':
        p->i++;
        a = new_node(p, c == '^' ? MG_RE_BOL : MG_RE_EOL, at);
        assertion = 1;
        break;
    case '.':
        p->i++;
        a = new_node(p, MG_RE_ANY, at);
        break;
    case '(':
        a = group(p, &assertion);
        break;
    case '[':
        a = char_class(p);
        break;
    case '\\':
        a = atom_escape(p, &assertion);
        break;
    case '*':
    case '+':
    case '?':
        fail(p, at, "nothing to repeat");
        return -1;
    case '{':
        if (braced_len(p) || !annexb(p, at, "lone '{'", "nothing to repeat")) {
            fail(p, at, "nothing to repeat");
            return -1;
        }
        p->i++;
        a = char_node(p, at, '{');
        break;
    case '}':
    case ']':
        if (!annexb(p, at, c == '}' ? "lone '}'" : "lone ']'", "lone ']' or '}' (escape it)"))
            return -1;
        p->i++;
        a = char_node(p, at, (uint32_t)c);
        break;
    default: {
        uint32_t cp;
        if (!decode(p, &cp)) return -1;
        a = char_node(p, at, cp);
    }
    }
    if (a < 0) return -1;
    uint32_t min = 0, max = 0;
    bool lazy = false; /* set by quantifier(); gcc -O1 -fsanitize=thread cannot tell */
    size_t qat = p->i;
    if (!quantifier(p, &min, &max, &lazy)) return p->failed ? -1 : a;
    if (assertion == 1 ||
        (assertion == 2 && !annexb(p, qat, "quantified lookahead", "nothing to repeat"))) {
        fail(p, qat, "nothing to repeat");
        return -1;
    }
    int32_t r = new_node(p, MG_RE_REPEAT, qat);
    mg_re_node *x = node(p, r);
    x->min = min;
    x->max = max;
    x->lazy = lazy;
    x->child = a;
    return r;
}

/* Links terms into op node; collapses zero or one child. */
static int32_t sequence(parser *p, uint8_t op, size_t at, int32_t first, int32_t count)
{
    if (count == 1) return first;
    int32_t r = new_node(p, count ? op : MG_RE_EMPTY, at);
    node(p, r)->child = count ? first : -1;
    return r;
}

static int32_t alternative(parser *p)
{
    size_t at = p->i;
    int32_t first = -1, last = -1, count = 0, t;
    while ((t = term(p)) >= 0) {
        if (last >= 0)
            node(p, last)->next = t;
        else
            first = t;
        last = t;
        count++;
    }
    if (t == -1) return -1;
    return sequence(p, MG_RE_CAT, at, first, count);
}

static int32_t disjunction(parser *p)
{
    size_t at = p->i;
    if (++p->depth > MAX_DEPTH) {
        fail(p, at, "groups nested too deeply");
        return -1;
    }
    int32_t first = -1, last = -1, count = 0;
    for (;;) {
        int32_t a = alternative(p);
        if (a < 0) return -1;
        if (last >= 0)
            node(p, last)->next = a;
        else
            first = a;
        last = a;
        count++;
        if (peek(p, 0) != '|') break;
        p->i++;
    }
    p->depth--;
    return sequence(p, MG_RE_ALT, at, first, count);
}

long mg_re_parse(const char *pat, size_t n, unsigned flags, mg_re_node *nodes, size_t cap,
                 mg_re_parsed *info, char *err, size_t errlen)
{
    parser p = {.s = pat,
                .n = n,
                .flags = flags,
                .nodes = nodes,
                .cap = nodes ? cap : 0,
                .err = err,
                .errlen = errlen};
    if (err && errlen) err[0] = '\0';
    p.ngroups = scan_groups(pat, n, NULL, 0, NULL, &p.named);
    int32_t r = disjunction(&p);
    if (r < 0) return -1;
    if (p.i < n) {
        fail(&p, p.i, "unmatched ')'");
        return -1;
    }
    if (info) {
        info->root = r;
        info->ngroups = p.ngroups;
        info->nannexb = p.nannexb;
        info->annexb_off = p.annexb_off;
        info->annexb_what = p.annexb_what;
    }
    return (long)p.cnt;
}

bool mg_regex_syntax_ok(const char *pat, size_t n, char *err, size_t errlen)
{
    return mg_re_parse(pat, n, 0, NULL, 0, NULL, err, errlen) >= 0;
}
