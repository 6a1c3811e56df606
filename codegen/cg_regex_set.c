/* cg_regex_set.c - character sets of a pattern as UTF-8 byte code (see cg_regex.h).
 *
 * Design: a set (a character, ".", a class escape, a bracket class) becomes a sorted list of
 * code point ranges (surrogates never occur in valid UTF-8 and are left out of complements;
 * Unicode properties come from libunistring), then UTF-8 byte-range sequences as in RE2's
 * UTF-8 compiler, then a trie so that sequences with a common prefix share instructions; the
 * trie's siblings are chained through BYTE's y, so a set needs no SPLITs. For a machine that
 * runs right to left the sequences are reversed first. Only ECMA-262's u-mode meanings are
 * built: \d \w are ASCII, \s is the WhiteSpace and LineTerminator set, "." excludes the four
 * line terminators, and nothing is case-folded (patterns have no flags in JSON Schema).
 */
#include "cg_regex.h"

#include <stdlib.h>
#include <string.h>
#include <unictype.h>

#define MAX_CP 0x10FFFF

typedef struct cg_rset {
    uint32_t (*r)[2];
    size_t n, cap;
} cg_rset;

static void set_add(cg_rset *s, uint32_t lo, uint32_t hi, bool *oom)
{
    if (!cg_re_grow(&s->r, &s->cap, s->n, sizeof s->r[0], 16)) {
        *oom = true;
        return;
    }
    s->r[s->n][0] = lo;
    s->r[s->n][1] = hi;
    s->n++;
}

static int cmp_range(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Sorts and merges overlapping or adjacent ranges. */
static void set_norm(cg_rset *s)
{
    if (s->n == 0) return;
    qsort(s->r, s->n, sizeof s->r[0], cmp_range);
    size_t w = 0;
    for (size_t i = 1; i < s->n; i++) {
        if (s->r[i][0] <= s->r[w][1] + 1) {
            if (s->r[i][1] > s->r[w][1]) s->r[w][1] = s->r[i][1];
        } else {
            s->r[++w][0] = s->r[i][0];
            s->r[w][1] = s->r[i][1];
        }
    }
    s->n = w + 1;
}

/* Adds the complement of src (normalized) over the scalar values to dst. */
static void set_add_complement(cg_rset *dst, const cg_rset *src, bool *oom)
{
    uint32_t next = 0;
    for (size_t i = 0; i <= src->n; i++) {
        uint32_t lo = i < src->n ? src->r[i][0] : MAX_CP + 1;
        if (lo > next) {
            uint32_t hi = lo - 1;
            if (next < 0xD800 && hi >= 0xD800) {
                set_add(dst, next, 0xD7FF, oom);
                if (hi > 0xDFFF) set_add(dst, 0xE000, hi, oom);
            } else if (next >= 0xD800 && next <= 0xDFFF) {
                if (hi > 0xDFFF) set_add(dst, 0xE000, hi, oom);
            } else {
                set_add(dst, next, hi, oom);
            }
        }
        if (i < src->n) next = src->r[i][1] + 1;
    }
}

static const uint32_t space_ranges[][2] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
    {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF},
};
static const uint32_t word_ranges[][2] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};

typedef bool (*cp_pred)(ucs4_t);

static bool pred_any(ucs4_t c)
{
    (void)c;
    return true;
}

static bool pred_ascii(ucs4_t c)
{
    return c < 0x80;
}

static bool pred_assigned(ucs4_t c)
{
    return !uc_is_general_category(c, UC_CATEGORY_Cn);
}

static const struct {
    const char *name;
    cp_pred fn;
} binary_props[] = {
    {"Any", pred_any},
    {"ASCII", pred_ascii},
    {"Assigned", pred_assigned},
    {"Alphabetic", uc_is_property_alphabetic},
    {"White_Space", uc_is_property_white_space},
    {"Uppercase", uc_is_property_uppercase},
    {"Lowercase", uc_is_property_lowercase},
    {"Hex_Digit", uc_is_property_hex_digit},
    {"ASCII_Hex_Digit", uc_is_property_ascii_hex_digit},
    {"ID_Start", uc_is_property_id_start},
    {"ID_Continue", uc_is_property_id_continue},
    {"Math", uc_is_property_math},
    {"Dash", uc_is_property_dash},
    {"Emoji", uc_is_property_emoji},
    {"Noncharacter_Code_Point", uc_is_property_not_a_character},
    {"Ideographic", uc_is_property_ideographic},
};

/* Adds the code points of a property; false if libunistring does not know it. */
static bool add_prop(cg_rset *s, const mg_re_prop *pr, bool *oom)
{
    uc_general_category_t gc = {0};
    const uc_script_t *sc = NULL;
    cp_pred fn = NULL;
    if (pr->kind == MG_RP_GC) {
        gc = uc_general_category_byname(pr->canon);
        if (gc.bitmask == 0) return false;
    } else if (pr->kind == MG_RP_SCRIPT) {
        if (!(sc = uc_script_byname(pr->canon))) return false;
    } else {
        for (size_t k = 0; k < sizeof binary_props / sizeof binary_props[0]; k++)
            if (strcmp(binary_props[k].name, pr->canon) == 0) fn = binary_props[k].fn;
        if (!fn) return false;
    }
    uint32_t start = 0;
    bool in = false;
    for (uint32_t c = 0; c <= MAX_CP + 1; c++) {
        bool has = c <= MAX_CP && (c < 0xD800 || c > 0xDFFF) &&
                   (sc   ? uc_is_script(c, sc)
                    : fn ? fn(c)
                         : uc_is_general_category(c, gc));
        if (has && !in)
            start = c;
        else if (!has && in)
            set_add(s, start, c - 1, oom);
        in = has;
    }
    return true;
}

/* Adds the members of one item (negated items as complements). */
static bool add_item(cg_rset *s, const mg_re_item *it, bool *oom)
{
    cg_rset t = {0};
    const uint32_t(*tab)[2] = NULL;
    size_t nt = 0;
    bool ok = true;
    switch (it->kind) {
    case MG_RI_RANGE:
        set_add(s, it->lo, it->hi, oom);
        return true;
    case MG_RI_DIGIT:
        tab = word_ranges, nt = 1;
        break;
    case MG_RI_WORD:
        tab = word_ranges, nt = 4;
        break;
    case MG_RI_SPACE:
        tab = space_ranges, nt = sizeof space_ranges / sizeof space_ranges[0];
        break;
    default:
        ok = add_prop(&t, mg_re_prop_at(it->prop), oom);
    }
    for (size_t k = 0; k < nt; k++)
        set_add(&t, tab[k][0], tab[k][1], oom);
    set_norm(&t);
    if (it->neg) {
        set_add_complement(s, &t, oom);
    } else {
        for (size_t k = 0; k < t.n; k++)
            set_add(s, t.r[k][0], t.r[k][1], oom);
    }
    free(t.r);
    return ok;
}

/* A UTF-8 byte-range sequence. */
typedef struct u8seq {
    uint8_t len, lo[4], hi[4];
} u8seq;

typedef struct u8list {
    u8seq *v;
    size_t n, cap;
} u8list;

static int encode(uint32_t c, uint8_t *b)
{
    if (c < 0x80) return b[0] = (uint8_t)c, 1;
    if (c < 0x800) return b[0] = (uint8_t)(0xC0 | c >> 6), b[1] = (uint8_t)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000)
        return b[0] = (uint8_t)(0xE0 | c >> 12), b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)),
               b[2] = (uint8_t)(0x80 | (c & 0x3F)), 3;
    b[0] = (uint8_t)(0xF0 | c >> 18);
    b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
    b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    b[3] = (uint8_t)(0x80 | (c & 0x3F));
    return 4;
}

/* Splits lo..hi into ranges whose UTF-8 forms differ only in byte ranges (Go's utf8 range
 * algorithm), appending one sequence per piece. */
static void utf8_split(u8list *l, uint32_t lo, uint32_t hi, bool *oom)
{
    static const uint32_t bounds[] = {0x7F, 0x7FF, 0xFFFF};
    for (size_t k = 0; k < 3; k++) {
        if (lo <= bounds[k] && hi > bounds[k]) {
            utf8_split(l, lo, bounds[k], oom);
            utf8_split(l, bounds[k] + 1, hi, oom);
            return;
        }
    }
    for (int i = 1; i < 4; i++) {
        uint32_t m = (UINT32_C(1) << (6 * i)) - 1;
        if ((lo & ~m) != (hi & ~m)) {
            if ((lo & m) != 0) {
                utf8_split(l, lo, lo | m, oom);
                utf8_split(l, (lo | m) + 1, hi, oom);
                return;
            }
            if ((hi & m) != m) {
                utf8_split(l, lo, (hi & ~m) - 1, oom);
                utf8_split(l, hi & ~m, hi, oom);
                return;
            }
        }
    }
    if (!cg_re_grow(&l->v, &l->cap, l->n, sizeof l->v[0], 32)) {
        *oom = true;
        return;
    }
    u8seq *s = &l->v[l->n++];
    s->len = (uint8_t)encode(lo, s->lo);
    encode(hi, s->hi);
}

/* Instructions of one set, hash-consed: identical BYTE instructions (same range, same
 * successor, same next sibling) are made once, so the trie's common suffixes are shared too
 * (the continuation bytes of most multi-byte sequences). */
typedef struct cons {
    uint32_t *slot; /* instruction + 1, 0 free */
    size_t cap;
} cons;

static uint32_t cons_byte(cg_rc *c, cons *t, uint8_t lo, uint8_t hi, uint32_t x, uint32_t y)
{
    uint64_t h = ((uint64_t)lo << 8 | hi) * 0x9E3779B97F4A7C15ull ^ x * 0xC2B2AE3D27D4EB4Full ^
                 y * 0x165667B19E3779F9ull;
    for (size_t i = (size_t)(h >> 17) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        uint32_t k = t->slot[i];
        if (k == 0) {
            int e = cg_re_inst(c, MG_RX_BYTE, lo, hi, x, y);
            t->slot[i] = (uint32_t)e + 1;
            return (uint32_t)e;
        }
        const mg_re_inst *in = &c->cur->inst[k - 1];
        if (in->lo == lo && in->hi == hi && in->x == x && in->y == y) return k - 1;
    }
}

/* Trie over v[a..b) (sequences sharing a range at a depth are adjacent) from byte depth d
 * on, continuing at next; siblings are chained through the BYTE instructions' y. */
static uint32_t emit_trie(cg_rc *c, cons *t, const u8seq *v, size_t a, size_t b, int d,
                          uint32_t next)
{
    uint32_t entry = MG_RX_NONE;
    size_t i = b;
    while (i > a && !c->fail && !c->oom) {
        size_t j = i - 1;
        while (j > a && v[j - 1].lo[d] == v[i - 1].lo[d] && v[j - 1].hi[d] == v[i - 1].hi[d])
            j--;
        uint32_t tail = d + 1 < v[j].len ? emit_trie(c, t, v, j, i, d + 1, next) : next;
        entry = cons_byte(c, t, v[j].lo[d], v[j].hi[d], tail, entry);
        i = j;
    }
    return entry;
}

static int cmp_seq(const void *a, const void *b)
{
    const u8seq *x = a, *y = b;
    for (int d = 0; d < 4; d++) {
        if (d >= x->len || d >= y->len) return (int)x->len - (int)y->len;
        if (x->lo[d] != y->lo[d]) return (int)x->lo[d] - (int)y->lo[d];
        if (x->hi[d] != y->hi[d]) return (int)x->hi[d] - (int)y->hi[d];
    }
    return 0;
}

/* The byte code of the code points in s; a backward machine reads each sequence's bytes
 * last to first, so the sequences are reversed (and sorted again for the trie). */
static uint32_t emit_set(cg_rc *c, cg_rset *s, uint32_t next)
{
    u8list l = {0};
    set_norm(s);
    for (size_t k = 0; k < s->n; k++)
        utf8_split(&l, s->r[k][0], s->r[k][1], &c->oom);
    if (c->cur->backward && l.n) {
        for (size_t k = 0; k < l.n; k++) {
            u8seq *q = &l.v[k];
            for (int d = 0; d < q->len / 2; d++) {
                uint8_t t = q->lo[d];
                q->lo[d] = q->lo[q->len - 1 - d], q->lo[q->len - 1 - d] = t;
                t = q->hi[d];
                q->hi[d] = q->hi[q->len - 1 - d], q->hi[q->len - 1 - d] = t;
            }
        }
        qsort(l.v, l.n, sizeof l.v[0], cmp_seq);
    }
    /* at most 4 instructions a sequence; an empty set never matches: a byte range no
     * valid UTF-8 holds */
    cons t = {NULL, 16};
    while (t.cap < 8 * (l.n + 1))
        t.cap *= 2;
    t.slot = calloc(t.cap, sizeof *t.slot);
    uint32_t e = 0;
    if (!t.slot)
        c->oom = true;
    else if (l.n)
        e = emit_trie(c, &t, l.v, 0, l.n, 0, next);
    else
        e = (uint32_t)cg_re_inst(c, MG_RX_BYTE, 0xFF, 0xFF, next, MG_RX_NONE);
    free(t.slot);
    free(l.v);
    return e;
}

/* Adds the code points atom x (CHAR, ANY, SET, CLASS) matches to s; false for a Unicode
 * property this build cannot expand. */
static bool atom_set(cg_rc *c, const mg_re_node *x, cg_rset *s)
{
    bool ok = true;
    cg_rset t = {0};
    if (x->op == MG_RE_CHAR) {
        set_add(s, x->item.lo, x->item.lo, &c->oom);
        return true;
    }
    if (x->op == MG_RE_SET) return add_item(s, &x->item, &c->oom);
    if (x->op == MG_RE_ANY) {
        static const mg_re_item nl[] = {{MG_RI_RANGE, false, false, 0, '\n', '\n'},
                                        {MG_RI_RANGE, false, false, 0, '\r', '\r'},
                                        {MG_RI_RANGE, false, false, 0, 0x2028, 0x2029}};
        for (size_t k = 0; k < 3; k++)
            add_item(&t, &nl[k], &c->oom);
    } else {
        mg_re_class_it ci = {.pos = x->off};
        mg_re_item it;
        while (ok && mg_re_class_next(c->pat, c->plen, &ci, &it))
            ok = add_item(&t, &it, &c->oom);
    }
    set_norm(&t);
    if (x->op == MG_RE_ANY || x->neg)
        set_add_complement(s, &t, &c->oom);
    else
        for (size_t k = 0; k < t.n; k++)
            set_add(s, t.r[k][0], t.r[k][1], &c->oom);
    free(t.r);
    return ok;
}

int cg_re_emit_any(cg_rc *c, uint32_t next)
{
    cg_rset s = {0};
    set_add(&s, 0, 0xD7FF, &c->oom);
    set_add(&s, 0xE000, MAX_CP, &c->oom);
    int e = (int)emit_set(c, &s, next);
    free(s.r);
    return e;
}

bool cg_re_is_atom(const mg_re_node *x)
{
    return x->op == MG_RE_CHAR || x->op == MG_RE_ANY || x->op == MG_RE_SET || x->op == MG_RE_CLASS;
}

/* The code points of atom node id, computed once per compile (a repetition unrolled into
 * copies, or compiled again, asks again: \p{...} takes a pass over every code point). */
static const cg_rset *atom_of(cg_rc *c, int32_t id, bool *ok)
{
    cg_rset **memo = (cg_rset **)c->atom_sets;
    if (memo[id]) return memo[id];
    cg_rset *s = calloc(1, sizeof *s);
    if (!s) {
        c->oom = true;
        *ok = false;
        return NULL;
    }
    *ok = atom_set(c, &c->nodes[id], s);
    set_norm(s);
    if (!*ok) {
        free(s->r);
        free(s);
        return NULL;
    }
    return memo[id] = s;
}

int cg_re_emit_atoms(cg_rc *c, int32_t first, bool single, uint32_t next)
{
    cg_rset s = {0};
    bool ok = true;
    for (int32_t k = first; ok && k >= 0; k = single ? -1 : c->nodes[k].next) {
        const cg_rset *a = atom_of(c, k, &ok);
        for (size_t i = 0; ok && i < a->n; i++)
            set_add(&s, a->r[i][0], a->r[i][1], &c->oom);
    }
    int e = ok ? (int)emit_set(c, &s, next) : -1;
    free(s.r);
    return e;
}

void cg_re_atoms_free(cg_rc *c, size_t nnodes)
{
    cg_rset **memo = (cg_rset **)c->atom_sets;
    for (size_t i = 0; memo && i < nnodes; i++) {
        if (memo[i]) free(memo[i]->r);
        free(memo[i]);
    }
    free(memo);
    c->atom_sets = NULL;
}
