/* cg_regex.c - pattern -> byte NFA -> mg_re_prog, and its emission as C (see cg_regex.h).
 *
 * Design: the AST from mg_re_parse is compiled back to front: each node is compiled given
 * the instruction its match continues at, returning its entry, so no patch lists are needed.
 * Character sets become sorted code point range lists (surrogates never occur in valid UTF-8
 * and are left out of complements), then UTF-8 byte-range sequences as in RE2's UTF-8
 * compiler, built as a trie so sequences with a common prefix share instructions. Counted
 * repetition is expanded into copies, and the instruction count is capped while building, so
 * a{1000}{1000} fails fast with "pattern too large". The NFA is then handed to
 * cg_re_dfa_build; if the DFA is too big the NFA itself is the program (up to MG_RE_NFA_MAX).
 */
#include "cg_regex.h"

#include "cg_ctext.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>

#define BUILD_MAX 60000 /* NFA instructions while building (the DFA may still shrink it) */
#define MAX_CP 0x10FFFF

typedef struct cg_rset {
    uint32_t (*r)[2];
    size_t n, cap;
} cg_rset;

typedef struct cg_rc {
    const char *pat;
    size_t plen;
    const mg_re_node *nodes;
    mg_re_inst *inst;
    size_t n, cap;
    bool too_big, oom;
} cg_rc;

static void set_add(cg_rset *s, uint32_t lo, uint32_t hi, bool *oom)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        void *r = realloc(s->r, nc * sizeof s->r[0]);
        if (!r) {
            *oom = true;
            return;
        }
        s->r = r;
        s->cap = nc;
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

/* ---- NFA building ---- */

static int new_inst(cg_rc *c, uint8_t op, uint8_t lo, uint8_t hi, int x, int y)
{
    if (c->too_big || c->oom) return 0;
    if (c->n >= BUILD_MAX) {
        c->too_big = true;
        return 0;
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 256;
        void *p = realloc(c->inst, nc * sizeof c->inst[0]);
        if (!p) {
            c->oom = true;
            return 0;
        }
        c->inst = p;
        c->cap = nc;
    }
    c->inst[c->n] = (mg_re_inst){op, lo, hi, (uint16_t)x, (uint16_t)y};
    return (int)c->n++;
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
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 32;
        void *p = realloc(l->v, nc * sizeof l->v[0]);
        if (!p) {
            *oom = true;
            return;
        }
        l->v = p;
        l->cap = nc;
    }
    u8seq *s = &l->v[l->n++];
    s->len = (uint8_t)encode(lo, s->lo);
    encode(hi, s->hi);
}

/* Trie over v[a..b) from byte depth d on, continuing at next. */
static int emit_trie(cg_rc *c, const u8seq *v, size_t a, size_t b, int d, int next)
{
    int entry = -1;
    size_t i = b;
    while (i > a) {
        size_t j = i - 1;
        while (j > a && v[j - 1].lo[d] == v[i - 1].lo[d] && v[j - 1].hi[d] == v[i - 1].hi[d])
            j--;
        int tail = d + 1 < v[j].len ? emit_trie(c, v, j, i, d + 1, next) : next;
        int e = new_inst(c, MG_RX_BYTE, v[j].lo[d], v[j].hi[d], tail, 0);
        entry = entry < 0 ? e : new_inst(c, MG_RX_SPLIT, 0, 0, e, entry);
        i = j;
    }
    return entry;
}

static int emit_set(cg_rc *c, cg_rset *s, int next)
{
    u8list l = {0};
    set_norm(s);
    for (size_t k = 0; k < s->n; k++)
        utf8_split(&l, s->r[k][0], s->r[k][1], &c->oom);
    /* an empty set never matches: a byte range no valid UTF-8 holds */
    int e = l.n ? emit_trie(c, l.v, 0, l.n, 0, next) : new_inst(c, MG_RX_BYTE, 0xFF, 0xFF, next, 0);
    free(l.v);
    return e;
}

static int emit_node(cg_rc *c, int32_t id, int next);

static int emit_atom_set(cg_rc *c, const mg_re_node *x, int next)
{
    cg_rset s = {0};
    bool ok = true;
    if (x->op == MG_RE_CHAR) {
        set_add(&s, x->item.lo, x->item.lo, &c->oom);
    } else if (x->op == MG_RE_ANY) {
        static const mg_re_item nl[] = {{MG_RI_RANGE, false, false, 0, '\n', '\n'},
                                        {MG_RI_RANGE, false, false, 0, '\r', '\r'},
                                        {MG_RI_RANGE, false, false, 0, 0x2028, 0x2029}};
        cg_rset t = {0};
        for (size_t k = 0; k < 3; k++)
            add_item(&t, &nl[k], &c->oom);
        set_norm(&t);
        set_add_complement(&s, &t, &c->oom);
        free(t.r);
    } else if (x->op == MG_RE_SET) {
        ok = add_item(&s, &x->item, &c->oom);
    } else {
        cg_rset t = {0};
        size_t pos = x->off;
        mg_re_item it;
        while (ok && mg_re_class_next(c->pat, c->plen, &pos, &it))
            ok = add_item(&t, &it, &c->oom);
        set_norm(&t);
        if (x->neg)
            set_add_complement(&s, &t, &c->oom);
        else
            for (size_t k = 0; k < t.n; k++)
                set_add(&s, t.r[k][0], t.r[k][1], &c->oom);
        free(t.r);
    }
    int e = ok ? emit_set(c, &s, next) : -1;
    free(s.r);
    return e;
}

static int emit_repeat(cg_rc *c, const mg_re_node *x, int next)
{
    int e = next;
    if (x->max == MG_RE_INF) {
        int loop = new_inst(c, MG_RX_SPLIT, 0, 0, 0, next);
        int body = emit_node(c, x->child, loop);
        if (body < 0) return -1;
        if (!c->too_big && !c->oom) c->inst[loop].x = (uint16_t)body;
        e = loop;
    } else {
        for (uint32_t k = x->min; k < x->max && !c->too_big && !c->oom; k++) {
            int body = emit_node(c, x->child, e);
            if (body < 0) return -1;
            e = new_inst(c, MG_RX_SPLIT, 0, 0, body, next);
        }
    }
    for (uint32_t k = 0; k < x->min && !c->too_big && !c->oom; k++)
        e = emit_node(c, x->child, e);
    return e;
}

static int emit_node(cg_rc *c, int32_t id, int next)
{
    if (c->too_big || c->oom) return 0;
    const mg_re_node *x = &c->nodes[id];
    switch (x->op) {
    case MG_RE_EMPTY:
        return next;
    case MG_RE_GROUP:
        return emit_node(c, x->child, next);
    case MG_RE_BOL:
    case MG_RE_EOL:
    case MG_RE_WORDB:
    case MG_RE_NWORDB:
        return new_inst(c, MG_RX_ASSERT, x->op, 0, next, 0);
    case MG_RE_REPEAT:
        return emit_repeat(c, x, next);
    case MG_RE_CAT: {
        size_t total = 0;
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
            total++;
        int32_t *kids = malloc(total * sizeof *kids);
        if (!kids) {
            c->oom = true;
            return 0;
        }
        total = 0;
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next)
            kids[total++] = k;
        int e = next;
        while (total > 0 && e >= 0)
            e = emit_node(c, kids[--total], e);
        free(kids);
        return e;
    }
    case MG_RE_ALT: {
        int e = -1;
        for (int32_t k = x->child; k >= 0; k = c->nodes[k].next) {
            int a = emit_node(c, k, next);
            if (a < 0) return -1;
            e = e < 0 ? a : new_inst(c, MG_RX_SPLIT, 0, 0, e, a);
        }
        return e;
    }
    default:
        return emit_atom_set(c, x, next);
    }
}

/* ---- compile ---- */

/* Can the search restart at a later position, i.e. is some path from start to a byte or to
 * the match free of "^"? */
static bool needs_restart(const mg_re_inst *inst, size_t n, uint16_t start)
{
    uint16_t *stack = malloc(n * sizeof *stack);
    uint8_t *seen = calloc(n, 1);
    bool found = !stack || !seen;
    size_t sp = 0;
    if (!found) {
        stack[sp++] = start;
        seen[start] = 1;
    }
    while (sp && !found) {
        const mg_re_inst *in = &inst[stack[--sp]];
        uint16_t to[2] = {in->x, in->y};
        int nto = in->op == MG_RX_SPLIT ? 2 : 1;
        if (in->op == MG_RX_BYTE || in->op == MG_RX_MATCH)
            found = true;
        else if (in->op == MG_RX_ASSERT && in->lo == MG_RE_BOL)
            continue;
        for (int k = 0; k < nto && !found; k++)
            if (!seen[to[k]]) seen[to[k]] = 1, stack[sp++] = to[k];
    }
    free(stack);
    free(seen);
    return found;
}

static int errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 1;
}

/* Refuses constructs without a linear-time automaton (the leftmost one is reported). */
static int check_linear(const char *pat, const mg_re_node *nodes, long cnt, char *err,
                        size_t errlen)
{
    long worst = -1;
    for (long i = 0; i < cnt; i++)
        if ((nodes[i].op == MG_RE_BACKREF || nodes[i].op == MG_RE_LOOK) &&
            (worst < 0 || nodes[i].off < nodes[worst].off))
            worst = i;
    if (worst < 0) return 0;
    const mg_re_node *x = &nodes[worst];
    int len = (int)(x->end - x->off);
    if (x->op == MG_RE_BACKREF)
        return errf(err, errlen, "backreference %.*s cannot be matched in linear time", len,
                    pat + x->off);
    return errf(err, errlen, "lookaround %.*s...) cannot be matched in linear time", len,
                pat + x->off);
}

static int compile(const char *pat, size_t n, mg_re_prog *p, char *err, size_t errlen)
{
    int32_t root;
    long cnt = mg_re_parse(pat, n, NULL, 0, NULL, err, errlen);
    if (cnt < 0) return 1;
    mg_re_node *nodes = calloc((size_t)cnt + 1, sizeof *nodes);
    if (!nodes) return errf(err, errlen, "out of memory");
    mg_re_parse(pat, n, nodes, (size_t)cnt, &root, NULL, 0);
    int rc = check_linear(pat, nodes, cnt, err, errlen);
    if (rc) {
        free(nodes);
        return rc;
    }
    cg_rc c = {.pat = pat, .plen = n, .nodes = nodes};
    int match = new_inst(&c, MG_RX_MATCH, 0, 0, 0, 0);
    int start = emit_node(&c, root, match);
    free(nodes);
    if (start < 0)
        rc = errf(err, errlen, "Unicode property not supported by this build");
    else if (c.oom)
        rc = errf(err, errlen, "out of memory");
    else if (c.too_big)
        rc = errf(err, errlen, "pattern too large: more than %d automaton instructions", BUILD_MAX);
    if (rc) {
        free(c.inst);
        return rc;
    }
    bool restart = needs_restart(c.inst, c.n, (uint16_t)start);
    rc = cg_re_dfa_build(c.inst, c.n, (uint16_t)start, restart, p);
    if (rc == 0) {
        free(c.inst);
        return 0;
    }
    if (rc == 1 && c.n <= MG_RE_NFA_MAX) {
        p->ninst = (uint16_t)c.n;
        p->inst = c.inst;
        p->start = (uint16_t)start;
        p->restart = restart;
        return 0;
    }
    free(c.inst);
    if (rc < 0) return errf(err, errlen, "out of memory");
    return errf(err, errlen,
                "pattern too large: DFA over %d states and NFA of %zu instructions (limit %d)",
                MG_RE_DFA_MAX, c.n, MG_RE_NFA_MAX);
}

int cg_regex_compile(const char *pat, size_t n, mg_re_prog **out, char *err, size_t errlen)
{
    mg_re_prog *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p) return errf(err, errlen, "out of memory");
    int rc = compile(pat, n, p, err, errlen);
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void cg_regex_free(mg_re_prog *p)
{
    if (!p) return;
    free((void *)p->cls);
    free((void *)p->trans);
    free((void *)p->acc_end);
    free((void *)p->inst);
    free(p);
}

/* ---- emission ---- */

static void put_pattern_comment(FILE *o, const char *pat, size_t n)
{
    fputs("/* pattern: ", o);
    cg_put_comment_text(o, pat, n);
    fputs(" */\n", o);
}

static void put_u8s(FILE *o, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s%u", i == 0 ? "" : i % 32 ? "," : ",\n    ", v[i]);
}

int cg_regex_emit(FILE *out, const char *fname, const char *pat, size_t n, char *err, size_t errlen)
{
    mg_re_prog *p;
    int rc = cg_regex_compile(pat, n, &p, err, errlen);
    if (rc) return rc;
    put_pattern_comment(out, pat, n);
    if (p->ninst) {
        fprintf(out, "static const mg_re_inst %s_inst[%u] = {", fname, p->ninst);
        for (size_t i = 0; i < p->ninst; i++) {
            const mg_re_inst *in = &p->inst[i];
            fprintf(out, "%s{%u,%u,%u,%u,%u}",
                    i == 0  ? "\n    "
                    : i % 8 ? ", "
                            : ",\n    ",
                    in->op, in->lo, in->hi, in->x, in->y);
        }
        fprintf(out,
                "};\nstatic const mg_re_prog %s_prog = {0, 0, %u, NULL, NULL, NULL, %u, %s, "
                "%s_inst};\n",
                fname, p->start, p->ninst, p->restart ? "true" : "false", fname);
    } else {
        size_t nt = (size_t)p->nstates * p->ncls;
        fprintf(out, "static const uint8_t %s_cls[256] = {\n    ", fname);
        put_u8s(out, p->cls, 256);
        fprintf(out, "};\nstatic const uint16_t %s_trans[%zu] = {\n    ", fname, nt);
        for (size_t i = 0; i < nt; i++)
            fprintf(out, "%s%u", i == 0 ? "" : i % 16 ? "," : ",\n    ", p->trans[i]);
        fprintf(out, "};\nstatic const uint8_t %s_acc[%u] = {\n    ", fname, p->nstates);
        put_u8s(out, p->acc_end, p->nstates);
        fprintf(out,
                "};\nstatic const mg_re_prog %s_prog = {%u, %u, %u, %s_cls, %s_trans, "
                "%s_acc, 0, false, NULL};\n",
                fname, p->nstates, p->ncls, p->start, fname, fname, fname);
    }
    fprintf(out,
            "static bool %s(const char *s, size_t n)\n{\n    return mg_re_exec(&%s_prog, s, "
            "n);\n}\n",
            fname, fname);
    cg_regex_free(p);
    return 0;
}
