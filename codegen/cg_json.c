/* cg_json.c - strict RFC 8259 parser, JSON Pointers and writer for cg_json.h.
 *
 * Design: a recursive-descent parser (depth capped at CJ_MAX_DEPTH) builds the cj_node tree
 * directly. Every node, string, key and child array of a document is carved from one chunked
 * bump arena (cj_doc); cj_free releases the chunks in one walk. Children of a container are
 * first gathered in a temporary malloc'd vector (object keys also in a small hash index, for
 * duplicate detection in O(1)), then copied into the arena once the container closes. Strings
 * are decoded in a second pass after a scan finds their closing quote, so the arena buffer is
 * sized once. Error positions are computed lazily from the byte offset (columns count code
 * points). Numbers keep their raw text; their exact values and JSON equality are in
 * cg_json_value.c.
 */
#include "cg_json.h"
#include "mg_escape.h"

#include "cg_file.h"
#include "mg_escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CJ_INDEX_MIN 8 /* objects with more members keep a key index */
#define CJ_CHUNK_MIN ((size_t)64 * 1024)
#define CJ_ALIGN (sizeof(max_align_t))

typedef struct cj_chunk {
    struct cj_chunk *next;
    size_t cap;
    size_t used;
    max_align_t data[];
} cj_chunk;

typedef struct cj_doc {
    cj_chunk *chunks;
} cj_doc;

static void *arena_alloc(cj_doc *d, size_t size)
{
    size = (size + CJ_ALIGN - 1) / CJ_ALIGN * CJ_ALIGN;
    if (size == 0) size = CJ_ALIGN;
    cj_chunk *c = d->chunks;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > CJ_CHUNK_MIN ? size : CJ_CHUNK_MIN;
        c = malloc(sizeof(cj_chunk) + cap);
        if (!c) return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = d->chunks;
        d->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

static void doc_free(cj_doc *d)
{
    if (!d) return;
    cj_chunk *c = d->chunks;
    while (c) {
        cj_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(d);
}

/* ---- parser ---- */

typedef struct cj_parser {
    const unsigned char *s;
    size_t len;
    size_t pos;
    cj_doc *doc;
    char *err;
    size_t errlen;
    bool failed;
} cj_parser;

typedef struct cj_member {
    const char *key;
    size_t klen;
    cj_node *val;
} cj_member;

static void fail_at(cj_parser *p, size_t at, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = true;
    if (!p->err || p->errlen == 0) return;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < p->len; i++) {
        if (p->s[i] == '\n') {
            line++;
            col = 1;
        } else if ((p->s[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    int n = snprintf(p->err, p->errlen, "line %zu, column %zu: ", line, col);
    if (n < 0 || (size_t)n >= p->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Describes the input at pos for "found ..." in messages. */
static const char *found(const cj_parser *p, size_t pos, char *buf, size_t cap)
{
    if (pos >= p->len)
        snprintf(buf, cap, "end of input");
    else if (p->s[pos] >= 0x20 && p->s[pos] < 0x7F)
        snprintf(buf, cap, "'%c'", p->s[pos]);
    else
        snprintf(buf, cap, "byte 0x%02X", p->s[pos]);
    return buf;
}

static void fail_expected(cj_parser *p, const char *what)
{
    char b[32];
    fail_at(p, p->pos, "expected %s, found %s", what, found(p, p->pos, b, sizeof b));
}

static void *palloc(cj_parser *p, size_t size)
{
    void *m = arena_alloc(p->doc, size);
    if (!m) fail_at(p, p->pos, "out of memory");
    return m;
}

static void skip_ws(cj_parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static cj_node *new_node(cj_parser *p, cj_type t, cj_node *parent, size_t index)
{
    cj_node *n = palloc(p, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->type = t;
    n->parent = parent;
    n->index = index;
    n->doc = p->doc;
    return n;
}

/* Reads 4 hex digits at p->pos (just after "\u"); -1 on error. */
static long read_hex4(cj_parser *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = p->pos + (size_t)i < p->len ? mg_hex_value(p->s[p->pos + (size_t)i]) : -1;
        if (h < 0) {
            p->pos += (size_t)i;
            fail_expected(p, "4 hex digits after \\u");
            return -1;
        }
        v = v * 16 + h;
    }
    p->pos += 4;
    return v;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--) {
        o[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    o[0] = (char)(lead[n] | cp);
    return n;
}

/* Parses the string whose opening quote is at p->pos; returns the decoded bytes in the arena. */
static const char *parse_string(cj_parser *p, size_t *out_len)
{
    size_t open = p->pos;
    size_t end = open + 1;
    while (end < p->len && p->s[end] != '"')
        end += p->s[end] == '\\' ? 2 : 1;
    if (end >= p->len) {
        char b[32];
        fail_at(p, p->len, "expected '\"' to close the string opened at offset %zu, found %s", open,
                found(p, p->len, b, sizeof b));
        return NULL;
    }
    char *out = palloc(p, end - open);
    if (!out) return NULL;
    size_t o = 0;
    p->pos = open + 1;
    while (p->pos < end) {
        unsigned char c = p->s[p->pos];
        if (c < 0x20) {
            fail_at(p, p->pos, "control character U+%04X in a string must be escaped", c);
            return NULL;
        }
        if (c >= 0x80) {
            size_t k = mg_utf8_seq(p->s + p->pos, end - p->pos, NULL);
            if (k == 0) {
                fail_at(p, p->pos, "invalid UTF-8 byte 0x%02X in a string", c);
                return NULL;
            }
            memcpy(out + o, p->s + p->pos, k);
            o += k;
            p->pos += k;
            continue;
        }
        if (c != '\\') {
            out[o++] = (char)c;
            p->pos++;
            continue;
        }
        unsigned char e = p->s[p->pos + 1];
        static const char from[] = "\"\\/bfnrt";
        static const char to[] = "\"\\/\b\f\n\r\t";
        const char *hit = e ? strchr(from, e) : NULL;
        if (hit) {
            out[o++] = to[hit - from];
            p->pos += 2;
            continue;
        }
        if (e != 'u') {
            p->pos++;
            fail_expected(p, "an escape character (one of \" \\ / b f n r t u) after '\\'");
            return NULL;
        }
        size_t esc = p->pos;
        p->pos += 2;
        long cp = read_hex4(p);
        if (cp < 0) return NULL;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail_at(p, esc, "unpaired low surrogate \\u%04lX in a string", cp);
            return NULL;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (p->pos + 1 >= end || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                fail_at(p, esc,
                        "unpaired high surrogate \\u%04lX in a string (expected a low "
                        "surrogate \\uDC00-\\uDFFF to follow)",
                        cp);
                return NULL;
            }
            size_t esc2 = p->pos;
            p->pos += 2;
            long lo = read_hex4(p);
            if (lo < 0) return NULL;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                fail_at(p, esc2,
                        "expected a low surrogate \\uDC00-\\uDFFF after \\u%04lX, found "
                        "\\u%04lX",
                        cp, lo);
                return NULL;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        o += put_utf8(out + o, (unsigned long)cp);
    }
    out[o] = '\0';
    p->pos = end + 1;
    *out_len = o;
    return out;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static cj_node *parse_number(cj_parser *p, cj_node *parent, size_t index)
{
    size_t start = p->pos;
    const unsigned char *s = p->s;
    if (s[p->pos] == '-') p->pos++;
    if (p->pos >= p->len || !is_digit(s[p->pos])) {
        fail_expected(p, "a digit after '-'");
        return NULL;
    }
    if (s[p->pos] == '0') {
        p->pos++;
        if (p->pos < p->len && is_digit(s[p->pos])) {
            fail_at(p, start, "leading zeros are not allowed in numbers");
            return NULL;
        }
    } else {
        while (p->pos < p->len && is_digit(s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(s[p->pos])) {
            fail_expected(p, "a digit after '.'");
            return NULL;
        }
        while (p->pos < p->len && is_digit(s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-')) p->pos++;
        if (p->pos >= p->len || !is_digit(s[p->pos])) {
            fail_expected(p, "a digit in the exponent");
            return NULL;
        }
        while (p->pos < p->len && is_digit(s[p->pos]))
            p->pos++;
    }
    cj_node *n = new_node(p, CJ_NUMBER, parent, index);
    char *txt = n ? palloc(p, p->pos - start + 1) : NULL;
    if (!txt) return NULL;
    memcpy(txt, s + start, p->pos - start);
    txt[p->pos - start] = '\0';
    n->str = txt;
    n->len = p->pos - start;
    return n;
}

static cj_node *parse_value(cj_parser *p, cj_node *parent, size_t index, int depth);

static cj_node *parse_array(cj_parser *p, cj_node *parent, size_t index, int depth)
{
    cj_node *a = new_node(p, CJ_ARRAY, parent, index);
    if (!a) return NULL;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return a;
    }
    cj_node **v = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            cj_node **nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                fail_at(p, p->pos, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        cj_node *e = parse_value(p, a, n, depth);
        if (!e) break;
        v[n++] = e;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            a->items = palloc(p, n * sizeof *a->items);
            if (a->items) {
                memcpy(a->items, v, n * sizeof *v);
                a->n = n;
            }
            break;
        }
        fail_expected(p, "',' or ']' after an array element");
        break;
    }
    free(v);
    return p->failed ? NULL : a;
}

static uint64_t key_hash(const char *k, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
    return h;
}

/* Open-addressing index over member positions (+1; 0 is empty) for duplicate detection. */
typedef struct cj_keyset {
    size_t *slot;
    size_t cap;
} cj_keyset;

/* Inserts members[i]; returns false if the key is already present (or on allocation failure,
 * setting *oom). */
static bool keyset_add(cj_keyset *ks, const cj_member *m, size_t i, bool *oom)
{
    if ((i + 1) * 2 > ks->cap) {
        size_t nc = ks->cap ? ks->cap * 2 : 16;
        size_t *ns = calloc(nc, sizeof *ns);
        if (!ns) {
            *oom = true;
            return false;
        }
        free(ks->slot);
        ks->slot = ns;
        ks->cap = nc;
        for (size_t j = 0; j < i; j++) {
            size_t h = (size_t)key_hash(m[j].key, m[j].klen) & (nc - 1);
            while (ns[h])
                h = (h + 1) & (nc - 1);
            ns[h] = j + 1;
        }
    }
    size_t h = (size_t)key_hash(m[i].key, m[i].klen) & (ks->cap - 1);
    while (ks->slot[h]) {
        const cj_member *o = &m[ks->slot[h] - 1];
        if (o->klen == m[i].klen && memcmp(o->key, m[i].key, o->klen) == 0) return false;
        h = (h + 1) & (ks->cap - 1);
    }
    ks->slot[h] = i + 1;
    return true;
}

static bool finish_object(cj_parser *p, cj_node *o, const cj_member *m, size_t n,
                          const cj_keyset *ks)
{
    if (n > CJ_INDEX_MIN) { /* keep the duplicate check's index: cj_get in O(1) */
        size_t *idx = palloc(p, ks->cap * sizeof *idx);
        if (!idx) return false;
        memcpy(idx, ks->slot, ks->cap * sizeof *idx);
        o->kindex = idx;
        o->kcap = ks->cap;
    }
    o->items = palloc(p, n * sizeof *o->items);
    o->keys = palloc(p, n * sizeof *o->keys);
    o->key_lens = palloc(p, n * sizeof *o->key_lens);
    if (!o->items || !o->keys || !o->key_lens) return false;
    for (size_t i = 0; i < n; i++) {
        o->items[i] = m[i].val;
        o->keys[i] = m[i].key;
        o->key_lens[i] = m[i].klen;
    }
    o->n = n;
    return true;
}

static cj_node *parse_object(cj_parser *p, cj_node *parent, size_t index, int depth)
{
    cj_node *o = new_node(p, CJ_OBJECT, parent, index);
    if (!o) return NULL;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return o;
    }
    cj_member *m = NULL;
    size_t n = 0, cap = 0;
    cj_keyset ks = {NULL, 0};
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            cj_member *nm = realloc(m, nc * sizeof *nm);
            if (!nm) {
                fail_at(p, p->pos, "out of memory");
                break;
            }
            m = nm;
            cap = nc;
        }
        if (p->pos >= p->len || p->s[p->pos] != '"') {
            fail_expected(p, n ? "a string (member name)" : "a string (member name) or '}'");
            break;
        }
        size_t kpos = p->pos;
        m[n].key = parse_string(p, &m[n].klen);
        if (!m[n].key) break;
        bool oom = false;
        if (!keyset_add(&ks, m, n, &oom)) {
            if (oom)
                fail_at(p, kpos, "out of memory");
            else
                fail_at(p, kpos, "duplicate member name \"%.*s\"", (int)m[n].klen, m[n].key);
            break;
        }
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') {
            fail_expected(p, "':' after the member name");
            break;
        }
        p->pos++;
        m[n].val = parse_value(p, o, n, depth);
        if (!m[n].val) break;
        n++;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            skip_ws(p);
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == '}') {
            p->pos++;
            finish_object(p, o, m, n, &ks);
            break;
        }
        fail_expected(p, "',' or '}' after an object member");
        break;
    }
    free(ks.slot);
    free(m);
    return p->failed ? NULL : o;
}

static cj_node *parse_literal(cj_parser *p, cj_node *parent, size_t index)
{
    static const struct {
        const char *word;
        cj_type type;
    } lits[] = {{"true", CJ_TRUE}, {"false", CJ_FALSE}, {"null", CJ_NULL}};
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
        if (p->s[p->pos] != (unsigned char)lits[i].word[0]) continue;
        size_t wl = strlen(lits[i].word);
        for (size_t k = 0; k < wl; k++) {
            if (p->pos + k >= p->len || p->s[p->pos + k] != (unsigned char)lits[i].word[k]) {
                char what[16];
                snprintf(what, sizeof what, "'%s'", lits[i].word);
                p->pos += k;
                fail_expected(p, what);
                return NULL;
            }
        }
        p->pos += wl;
        return new_node(p, lits[i].type, parent, index);
    }
    fail_expected(p, "a value");
    return NULL;
}

static cj_node *parse_value(cj_parser *p, cj_node *parent, size_t index, int depth)
{
    skip_ws(p);
    if (p->pos >= p->len) {
        fail_expected(p, "a value");
        return NULL;
    }
    unsigned char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        if (depth >= CJ_MAX_DEPTH) {
            fail_at(p, p->pos, "nesting deeper than %d levels", CJ_MAX_DEPTH);
            return NULL;
        }
        return c == '{' ? parse_object(p, parent, index, depth + 1)
                        : parse_array(p, parent, index, depth + 1);
    }
    if (c == '"') {
        cj_node *n = new_node(p, CJ_STRING, parent, index);
        if (!n) return NULL;
        n->str = parse_string(p, &n->len);
        return n->str ? n : NULL;
    }
    if (c == '-' || is_digit(c)) return parse_number(p, parent, index);
    if (c == 't' || c == 'f' || c == 'n') return parse_literal(p, parent, index);
    fail_expected(p, "a value (object, array, string, number, true, false or null)");
    return NULL;
}

cj_node *cj_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    cj_doc *d = calloc(1, sizeof *d);
    if (!d) {
        if (err && errlen) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cj_parser p = {(const unsigned char *)text, len, 0, d, err, errlen, false};
    /* RFC 8259 section 8.1 lets a parser ignore a leading byte order mark. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) p.pos = 3;
    cj_node *root = parse_value(&p, NULL, 0, 0);
    if (root) {
        skip_ws(&p);
        if (p.pos < p.len) fail_expected(&p, "end of input after the top-level value");
    }
    if (p.failed) {
        doc_free(d);
        return NULL;
    }
    return root;
}

cj_node *cj_parse_file(const char *path, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    char *buf, msg[512];
    size_t len;
    if (!cg_read_file(path, &buf, &len, msg, sizeof msg)) {
        int e = errno;
        if (err && errlen) snprintf(err, errlen, "%s: %s", path, msg);
        errno = e;
        return NULL;
    }
    cj_node *root = cj_parse(buf, len, msg, sizeof msg);
    free(buf);
    if (!root && err && errlen) snprintf(err, errlen, "%s: %s", path, msg);
    return root;
}

void cj_free(cj_node *root)
{
    if (root) doc_free(root->doc);
}

/* ---- navigation ---- */

cj_node *cj_getn(const cj_node *obj, const char *key, size_t klen)
{
    if (!obj || obj->type != CJ_OBJECT) return NULL;
    if (obj->kindex) {
        for (size_t h = (size_t)key_hash(key, klen) & (obj->kcap - 1); obj->kindex[h];
             h = (h + 1) & (obj->kcap - 1)) {
            size_t i = obj->kindex[h] - 1;
            if (obj->key_lens[i] == klen && memcmp(obj->keys[i], key, klen) == 0)
                return obj->items[i];
        }
        return NULL;
    }
    for (size_t i = 0; i < obj->n; i++)
        if (obj->key_lens[i] == klen && memcmp(obj->keys[i], key, klen) == 0) return obj->items[i];
    return NULL;
}

cj_node *cj_get(const cj_node *obj, const char *key)
{
    return cj_getn(obj, key, strlen(key));
}

const char *cj_key(const cj_node *child, size_t *len)
{
    if (!child || !child->parent || child->parent->type != CJ_OBJECT) return NULL;
    if (len) *len = child->parent->key_lens[child->index];
    return child->parent->keys[child->index];
}

cj_node *cj_root(const cj_node *n)
{
    if (!n) return NULL;
    while (n->parent)
        n = n->parent;
    return (cj_node *)n;
}

cj_node *cj_pointer_get(cj_node *root, const char *ptr, size_t len)
{
    if (!root || (len > 0 && ptr[0] != '/')) return len == 0 ? root : NULL;
    cj_node *cur = root;
    char *tok = malloc(len + 1);
    if (!tok) return NULL;
    size_t i = 0;
    while (cur && i < len) {
        i++; /* the '/' */
        size_t tl = 0;
        bool bad = false;
        while (i < len && ptr[i] != '/') {
            if (ptr[i] == '~') {
                if (i + 1 < len && (ptr[i + 1] == '0' || ptr[i + 1] == '1')) {
                    tok[tl++] = ptr[i + 1] == '0' ? '~' : '/';
                    i += 2;
                    continue;
                }
                bad = true;
                break;
            }
            tok[tl++] = ptr[i++];
        }
        if (bad) {
            cur = NULL;
        } else if (cur->type == CJ_OBJECT) {
            cur = cj_getn(cur, tok, tl);
        } else if (cur->type == CJ_ARRAY) {
            size_t idx = 0;
            bool ok = tl > 0 && (tl == 1 || tok[0] != '0');
            for (size_t k = 0; ok && k < tl; k++) {
                if (!is_digit((unsigned char)tok[k]) || idx > (SIZE_MAX - 9) / 10)
                    ok = false;
                else
                    idx = idx * 10 + (size_t)(tok[k] - '0');
            }
            cur = ok && idx < cur->n ? cur->items[idx] : NULL;
        } else {
            cur = NULL;
        }
    }
    free(tok);
    return cur;
}

/* ---- output: one sink for FILE* and bounded buffers ---- */

typedef struct cj_out {
    FILE *f;
    char *buf;
    size_t cap;
    size_t len;
} cj_out;

static void out_put(cj_out *o, const char *s, size_t n)
{
    if (o->f) {
        fwrite(s, 1, n, o->f);
    } else if (o->cap > 0 && o->len < o->cap - 1) {
        size_t room = o->cap - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void out_end(cj_out *o)
{
    if (!o->f && o->cap > 0) o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
}

static void pointer_rec(cj_out *o, const cj_node *n)
{
    if (!n->parent) return;
    pointer_rec(o, n->parent);
    out_put(o, "/", 1);
    if (n->parent->type == CJ_ARRAY) {
        char num[32];
        int k = snprintf(num, sizeof num, "%zu", n->index);
        out_put(o, num, (size_t)k);
        return;
    }
    const char *k = n->parent->keys[n->index];
    size_t kl = n->parent->key_lens[n->index];
    for (size_t i = 0; i < kl; i++) {
        if (k[i] == '~')
            out_put(o, "~0", 2);
        else if (k[i] == '/')
            out_put(o, "~1", 2);
        else
            out_put(o, k + i, 1);
    }
}

size_t cj_pointer_of(const cj_node *n, char *buf, size_t cap)
{
    cj_out o = {NULL, buf, cap, 0};
    if (n) pointer_rec(&o, n);
    out_end(&o);
    return o.len;
}

/* A JSON string, escaped by mg_json_escape (the one JSON escaping), a chunk at a time. */
static void write_str(cj_out *o, const char *s, size_t len)
{
    enum { CHUNK = 256 };
    char e[MG_JSON_ESCAPE_MAX(CHUNK)];
    out_put(o, "\"", 1);
    for (size_t i = 0; i < len; i += CHUNK) {
        size_t n = len - i < CHUNK ? len - i : CHUNK;
        out_put(o, e, mg_json_escape(e, s + i, n));
    }
    out_put(o, "\"", 1);
}

static void write_rec(cj_out *o, const cj_node *n)
{
    switch (n->type) {
    case CJ_NULL:
    case CJ_FALSE:
    case CJ_TRUE: {
        static const char *const lit[] = {
            [CJ_NULL] = "null", [CJ_FALSE] = "false", [CJ_TRUE] = "true"};
        out_put(o, lit[n->type], strlen(lit[n->type]));
        break;
    }
    case CJ_NUMBER:
        out_put(o, n->str, n->len);
        break;
    case CJ_STRING:
        write_str(o, n->str, n->len);
        break;
    case CJ_ARRAY:
        out_put(o, "[", 1);
        for (size_t i = 0; i < n->n; i++) {
            if (i) out_put(o, ",", 1);
            write_rec(o, n->items[i]);
        }
        out_put(o, "]", 1);
        break;
    case CJ_OBJECT:
        out_put(o, "{", 1);
        for (size_t i = 0; i < n->n; i++) {
            if (i) out_put(o, ",", 1);
            write_str(o, n->keys[i], n->key_lens[i]);
            out_put(o, ":", 1);
            write_rec(o, n->items[i]);
        }
        out_put(o, "}", 1);
        break;
    }
}

void cj_write(FILE *out, const cj_node *n)
{
    cj_out o = {out, NULL, 0, 0};
    if (n) write_rec(&o, n);
}

void cj_write_str(FILE *out, const char *s, size_t len)
{
    cj_out o = {out, NULL, 0, 0};
    write_str(&o, s, len);
}

size_t cj_snprint(char *buf, size_t cap, const cj_node *n)
{
    cj_out o = {NULL, buf, cap, 0};
    if (n) write_rec(&o, n);
    out_end(&o);
    return o.len;
}
