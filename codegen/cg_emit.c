/* cg_emit.c - renders schema nodes as C validation functions.
 *
 * Design: one static function per (schema node, tracking) pair, planned on first use and
 * rendered in order, so output is deterministic. A function checks keywords in a fixed order:
 * type, enum/const, references, then the keywords of the instance's type (one pass over an
 * object's members or an array's items), then in-place applicators, then unevaluated*. A
 * function in "tracking" form reports which members/items it evaluated into the caller's
 * bitset (see mg_rt.h). Keyword-specific rendering is in cg_emit_kw.c; literals and regexes
 * go to g->lits, written before the functions. Single-threaded.
 */
#include "cg_emit.h"

#include <stdlib.h>
#include <string.h>

#include "cg_regex.h"

int cg_fn_for(cg *g, const cj_node *node, bool track)
{
    struct {
        const cj_node *node;
        bool track;
    } k;
    memset(&k, 0, sizeof k); /* the padding is part of the key */
    k.node = node;
    k.track = track;
    intptr_t idx = (intptr_t)cg_map_getn(&g->fn_index, &k, sizeof k);
    if (g->memo) cg_memo_call(g->memo, g->cur_fn, idx ? (int)idx - 1 : (int)g->nfns);
    if (idx) return (int)idx - 1;
    if (g->nfns == g->cfns) {
        g->cfns = g->cfns ? g->cfns * 2 : 64;
        g->fns = realloc(g->fns, g->cfns * sizeof *g->fns);
    }
    cg_fn *f = &g->fns[g->nfns];
    f->node = node;
    f->info = cg_info_of(g, node);
    f->track = track;
    cg_map_putn(&g->fn_index, &k, sizeof k, (void *)(intptr_t)(g->nfns + 1));
    return (int)g->nfns++;
}

/* ---- literals (JSON values in tape form) ---- */

typedef struct tape_buf {
    uint64_t *w;
    size_t n, cap;
    uint8_t *s;
    size_t sn, scap;
} tape_buf;

static void tb_word(tape_buf *t, uint64_t w)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->w = realloc(t->w, t->cap * sizeof *t->w);
    }
    t->w[t->n++] = w;
}

static uint64_t tb_str(tape_buf *t, const char *s, size_t n)
{
    if (t->sn + n + 5 > t->scap) {
        t->scap = (t->sn + n + 5) * 2;
        t->s = realloc(t->s, t->scap);
    }
    uint64_t off = t->sn;
    uint32_t len = (uint32_t)n;
    memcpy(t->s + t->sn, &len, 4);
    memcpy(t->s + t->sn + 4, s, n);
    t->s[t->sn + 4 + n] = 0;
    t->sn += n + 5;
    return off;
}

#define TW(c, p) (((uint64_t)(uint8_t)(c) << 56) | ((uint64_t)(p)&MG_TAPE_PAYLOAD))

static void tb_value(tape_buf *t, const cj_node *v)
{
    switch (v->type) {
    case CJ_NULL:
        tb_word(t, TW('n', 0));
        break;
    case CJ_TRUE:
        tb_word(t, TW('t', 0));
        break;
    case CJ_FALSE:
        tb_word(t, TW('f', 0));
        break;
    case CJ_STRING:
        tb_word(t, TW('"', tb_str(t, v->str, v->len)));
        break;
    case CJ_NUMBER: {
        int64_t i;
        uint64_t u;
        double dv;
        if (cj_to_int64(v, &i)) {
            tb_word(t, TW('l', 0));
            memcpy(&u, &i, 8);
            tb_word(t, u);
        } else if (cj_to_uint64(v, &u)) {
            tb_word(t, TW('u', 0));
            tb_word(t, u);
        } else {
            dv = cj_to_double(v);
            tb_word(t, TW('d', 0));
            memcpy(&u, &dv, 8);
            tb_word(t, u);
        }
        break;
    }
    case CJ_ARRAY:
    case CJ_OBJECT: {
        size_t open = t->n;
        bool obj = v->type == CJ_OBJECT;
        tb_word(t, 0);
        for (size_t i = 0; i < v->n; i++) {
            if (obj) tb_word(t, TW('"', tb_str(t, v->keys[i], v->key_lens[i])));
            tb_value(t, v->items[i]);
        }
        size_t close = t->n;
        tb_word(t, TW(obj ? '}' : ']', open));
        uint64_t cnt = v->n < MG_TAPE_COUNT_SATURATED ? v->n : MG_TAPE_COUNT_SATURATED;
        t->w[open] = TW(obj ? '{' : '[', (cnt << 32) | (close + 1));
        break;
    }
    }
}

/* A literal's comment shows this many bytes of its JSON text at most. */
#define LIT_COMMENT_MAX 200

int cg_literal(cg *g, const cj_node *v)
{
    char *key = NULL;
    size_t klen = 0;
    FILE *ks = open_memstream(&key, &klen);
    cj_write(ks, v);
    fclose(ks);
    intptr_t idx = (intptr_t)cg_map_get(&g->lit_index, key);
    if (idx) {
        free(key);
        return (int)idx - 1;
    }
    int n = g->nlits++;
    cg_map_put(&g->lit_index, key, (void *)(intptr_t)(n + 1));
    tape_buf t = {0};
    tb_value(&t, v);
    FILE *o = g->lits;
    cg_put_comment(o, key, klen < LIT_COMMENT_MAX ? klen : LIT_COMMENT_MAX);
    fprintf(o, "\nstatic const uint64_t mgl_%d_t[] = {", n);
    for (size_t i = 0; i < t.n; i++)
        fprintf(o, "%s0x%016llxull", i ? ", " : "", (unsigned long long)t.w[i]);
    fprintf(o, "};\nstatic const uint8_t mgl_%d_s[] = {", n);
    for (size_t i = 0; i < t.sn; i++)
        fprintf(o, "%s%u", i ? "," : "", t.s[i]);
    fprintf(o, "%s};\nstatic const mg_doc mgl_%d = {mgl_%d_t, mgl_%d_s};\n\n", t.sn ? "" : "0", n,
            n, n);
    free(t.w);
    free(t.s);
    free(key);
    return n;
}

/* pattern as a JSON string, for messages (malloc'd). */
static char *quoted(const char *pattern, size_t len)
{
    char *q = NULL;
    size_t qlen = 0;
    FILE *f = open_memstream(&q, &qlen);
    if (f) {
        cj_write_str(f, pattern, len);
        fclose(f);
    }
    return q;
}

/* At every use of a pattern: Annex B syntax is a warning (an error with --strict), a
 * backreference a warning. */
static bool regex_notes(cg *g, const cj_node *at, const char *pattern, size_t len, bool bt)
{
    mg_re_parsed pi;
    if (mg_re_parse(pattern, len, MG_RE_ANNEXB, NULL, 0, &pi, NULL, 0) < 0) return true;
    char *q = quoted(pattern, len);
    bool ok = true;
    if (pi.nannexb && g->opt.strict) {
        cg_error(g, at,
                 "pattern %s: %s at byte %u is ECMA-262 Annex B syntax (JavaScript accepts it "
                 "only without the u flag); refused with --strict",
                 q ? q : "", pi.annexb_what, pi.annexb_off);
        ok = false;
    } else if (pi.nannexb) {
        cg_warn(g, at,
                "pattern %s: %s at byte %u%s is ECMA-262 Annex B syntax (JavaScript accepts it "
                "only without the u flag); matched as JavaScript reads it (--strict refuses it)",
                q ? q : "", pi.annexb_what, pi.annexb_off,
                pi.nannexb > 1 ? " (and more of the kind)" : "");
    }
    if (bt)
        cg_warn(g, at,
                "pattern %s has a backreference, which no linear-time algorithm matches: it is "
                "matched by backtracking within %u + %u steps per byte of the string, and a "
                "string that needs more is rejected (reason limit)",
                q ? q : "", MG_RE_BT_BASE, MG_RE_BT_PER_BYTE);
    free(q);
    return ok;
}

int cg_regex(cg *g, const cj_node *at, const char *pattern, size_t len, bool *may_limit)
{
    /* keyed by the quoted pattern: a pattern may hold NUL */
    char *key = quoted(pattern, len);
    if (!key) return -1;
    intptr_t v = (intptr_t)cg_map_get(&g->re_index, key);
    if (!v && cg_too_many_errors(g)) { /* nothing will be written: spare the compiling */
        free(key);
        return -1;
    }
    if (!v && g->nres >= CG_MAX_PATTERNS) {
        if (!g->limit_hit)
            cg_error(g, at, "more than %d distinct patterns: the limit of one codegen run",
                     CG_MAX_PATTERNS);
        g->limit_hit = true;
        free(key);
        return -1;
    }
    if (!v) {
        char fname[32], err[512];
        int n = g->nres;
        snprintf(fname, sizeof fname, "mgre_%d", n);
        char *text = NULL;
        size_t tlen = 0;
        cg_re_info info;
        FILE *ts = open_memstream(&text, &tlen);
        int rc = cg_regex_emit(ts, fname, pattern, len, MG_RE_ANNEXB, &info, err, sizeof err);
        fclose(ts);
        if (rc != 0) {
            cg_error(g, at, "pattern %s: %s", key, err);
            free(key);
            free(text);
            return -1;
        }
        g->nres++;
        v = ((intptr_t)n << 2 | (intptr_t)info.backtracking << 1 | info.may_limit) + 1;
        cg_map_put(&g->re_index, key, (void *)v);
        fwrite(text, 1, tlen, g->lits);
        fputc('\n', g->lits);
        free(text);
    }
    free(key);
    v--;
    if (!regex_notes(g, at, pattern, len, v & 2)) return -1;
    *may_limit = v & 1;
    return (int)(v >> 2);
}

/* ---- sorted name tables ---- */

static int cmp_row(const void *a, const void *b)
{
    const cg_row *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    int c = memcmp(x->s, y->s, x->len);
    if (c) return c;
    return x->at == y->at ? 0 : x->at < y->at ? -1 : 1; /* deterministic among duplicates */
}

/* The types and the search function the tables need, each written before its first use. */
static void need_table_helpers(cg *g, bool rows)
{
    if (!g->fn_type) fputs("typedef bool (*mgh_fn)(mg_ctx *, uint32_t, uint64_t *);\n\n", g->lits);
    g->fn_type = true;
    if (!rows || g->row_helpers) return;
    g->row_helpers = true;
    fputs("typedef struct mgh_row {\n    uint32_t len;\n    int32_t seen;\n    const char *s;\n"
          "    mgh_fn fn;\n} mgh_row;\n\n"
          "/* Index of s[0..len) in t[0..n), sorted by length then bytes; -1 if absent. */\n"
          "static int32_t mgh_find(const mgh_row *t, int32_t n, const char *s, uint32_t len)\n"
          "{\n    int32_t lo = 0, hi = n;\n    while (lo < hi) {\n"
          "        int32_t mid = lo + (hi - lo) / 2;\n"
          "        int c = t[mid].len != len ? (t[mid].len < len ? -1 : 1) : "
          "memcmp(t[mid].s, s, len);\n"
          "        if (c == 0)\n            return mid;\n        if (c < 0)\n"
          "            lo = mid + 1;\n        else\n            hi = mid;\n    }\n"
          "    return -1;\n}\n\n",
          g->lits);
}

int cg_fn_table(cg *g, const int *fns, size_t n)
{
    need_table_helpers(g, false);
    int t = g->ntables++;
    fprintf(g->lits, "static const mgh_fn mgf_%d[] = {", t);
    for (size_t i = 0; i < n; i++)
        fprintf(g->lits, "%smgv_%d", i == 0 ? "\n    " : i % 8 ? ", " : ",\n    ", fns[i]);
    fputs("};\n\n", g->lits);
    return t;
}

int cg_row_table(cg *g, cg_row *rows, size_t nrows, size_t *count)
{
    qsort(rows, nrows, sizeof *rows, cmp_row);
    FILE *o = g->lits;
    need_table_helpers(g, true);
    int n = g->ntables++;
    fprintf(o, "static const mgh_row mgt_%d[] = {\n", n);
    size_t kept = 0;
    for (size_t i = 0; i < nrows; i++) {
        const cg_row *r = &rows[i];
        if (kept && rows[kept - 1].len == r->len && memcmp(rows[kept - 1].s, r->s, r->len) == 0)
            continue;
        rows[kept++] = *r;
        fprintf(o, "    {%zu, %d, ", r->len, r->seen);
        cg_put_cstr(o, r->s, r->len);
        if (r->fn >= 0)
            fprintf(o, ", mgv_%d}, ", r->fn);
        else
            fputs(", NULL}, ", o);
        char *loc = cg_location(g, r->at, NULL);
        cg_put_comment(o, loc, strlen(loc));
        free(loc);
        fputc('\n', o);
    }
    fputs("};\n\n", o);
    *count = kept;
    return n;
}

/* ---- function skeleton ---- */

static int dyn_id_of(cg *g, const cg_info *in)
{
    if (!cg_map_get(&g->recursive, in->base) && !cg_map_get(&g->dyn_bases, in->base)) return -1;
    intptr_t id = (intptr_t)cg_map_get(&g->dyn_ids, in->base);
    if (!id) {
        id = ++g->ndyn_ids;
        cg_map_put(&g->dyn_ids, in->base, (void *)id);
    }
    return (int)id - 1;
}

int cg_dyn_id(cg *g, const cg_info *in)
{
    return dyn_id_of(g, in);
}

/* Does the schema object n loop over its value or call other functions? Only then does its
 * function charge the step budget itself (mg_step): the work of the others is bounded by the
 * schema (string checks charge their bytes), and the caller's step pays for the call. */
static bool charges_steps(const cj_node *n)
{
    static const char *const kw[] = {"$ref",
                                     "$dynamicRef",
                                     "$recursiveRef",
                                     "allOf",
                                     "anyOf",
                                     "oneOf",
                                     "not",
                                     "if",
                                     "then",
                                     "else",
                                     "properties",
                                     "patternProperties",
                                     "additionalProperties",
                                     "propertyNames",
                                     "required",
                                     "dependentRequired",
                                     "dependentSchemas",
                                     "dependencies",
                                     "items",
                                     "prefixItems",
                                     "additionalItems",
                                     "contains",
                                     "unevaluatedProperties",
                                     "unevaluatedItems",
                                     "uniqueItems"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (cj_get(n, kw[i])) return true;
    return false;
}

static void render_fn(cg *g, FILE *o, int fi)
{
    cg_fn f = g->fns[fi];
    const cj_node *n = f.node;
    if (!f.info) return; /* unresolvable; the error is already counted */
    char *loc = cg_location(g, n, NULL);
    cg_put_comment(o, loc, strlen(loc));
    fprintf(o, "\nstatic bool mgv_%d(mg_ctx *c, uint32_t at, uint64_t *ev)\n{\n", fi);
    if (n->type == CJ_TRUE || (n->type == CJ_OBJECT && n->n == 0)) {
        fputs("    (void)c;\n    (void)at;\n    (void)ev;\n    return true;\n}\n\n", o);
        free(loc);
        return;
    }
    if (n->type != CJ_OBJECT) {
        fputs("    (void)ev;\n    mg_fail(c, at, MG_E_FALSE, ", o);
        cg_put_cstr(o, loc, strlen(loc));
        fputs(", \"\");\n    return false;\n}\n\n", o);
        free(loc);
        return;
    }
    cg_fnctx x = {.g = g, .o = o, .fi = fi, .node = n, .info = f.info};
    x.own_track = cg_has_unevaluated(&x);
    x.track = f.track || x.own_track;
    int dyn = dyn_id_of(g, f.info);
    fputs("    const mg_doc *d = &c->doc;\n    bool ok = true;\n    uint8_t t = mg_type(d, at);\n"
          "    (void)d;\n    (void)t;\n",
          o);
    long memo_lookup = ftell(o); /* the memo's lines go here and before the return (cg_memo.c) */
    if (charges_steps(n)) {
        fputs("    if (!mg_step(c, at, ", o);
        cg_put_cstr(o, loc, strlen(loc));
        fputs("))\n        return false;\n", o);
    }
    if (dyn >= 0) {
        fprintf(o, "    if (!mg_dyn_push(c, %d))\n        return mg_limit(c, at, ", dyn);
        cg_put_cstr(o, loc, strlen(loc));
        fputs(", \"dynamic scope (max_refs)\");\n", o);
    }
    if (x.track) {
        fputs("    uint32_t evn = (t == MG_TAPE_OBJECT || t == MG_TAPE_ARRAY) ? mg_count(d, at) : "
              "0;\n"
              "    (void)evn;\n",
              o);
    }
    if (x.own_track) {
        fputs("    size_t evmark = mg_bits_mark(c);\n"
              "    uint64_t *sev = evn ? mg_bits_new(c, evn) : NULL;\n"
              "    if (evn && !sev) {\n        ok = mg_limit(c, at, ",
              o);
        cg_put_cstr(o, loc, strlen(loc));
        fputs(", \"scratch space\");\n        goto done;\n    }\n", o);
    } else if (x.track) {
        fputs("    uint64_t *sev = ev;\n", o);
    }
    if (x.track) {
        fputs("    (void)sev;\n", o);
    } else {
        fputs("    (void)ev;\n", o);
    }
    g->cur_fn = fi;
    cg_render_keywords(&x);
    g->cur_fn = -1;
    fputs("done: __attribute__((unused));\n", o);
    if (x.own_track)
        fputs("    if (ok && ev && sev)\n        mg_bits_or(ev, sev, evn);\n"
              "    mg_bits_release(c, evmark);\n",
              o);
    if (dyn >= 0) fputs("    mg_dyn_pop(c);\n", o);
    cg_memo_place(g->memo, fi, memo_lookup, ftell(o), !f.track);
    fputs("    return ok;\n}\n\n", o);
    free(loc);
}

/* ---- the whole file ---- */

/* "generated by meshgate-codegen from A, B, do not edit", each source named once (entries of
 * a Schema Registry export are named by the export). */
static void put_header_line(cg *g, FILE *o)
{
    fputs("/* generated by meshgate-codegen from ", o);
    cg_map seen = {0};
    const char *sep = "";
    for (size_t i = 0; i < g->nentries; i++) {
        const char *src = g->entries[i].source;
        bool named = cg_map_get(&seen, src) != NULL;
        cg_map_put(&seen, src, g);
        if (named || g->entries[i].subject) continue;
        fputs(sep, o);
        sep = ", ";
        cg_put_comment_text(o, src, strlen(src));
    }
    cg_map_free(&seen);
    if (g->registry_dir) {
        fprintf(o, "%sthe Schema Registry export ", sep);
        cg_put_comment_text(o, g->registry_dir, strlen(g->registry_dir));
    }
    fputs(", do not edit */\n", o);
}

bool cg_emit(cg *g, FILE *c_out, FILE *h_out, const char *h_name)
{
    char *lits = NULL, *body = NULL;
    size_t lits_len = 0, body_len = 0;
    g->lits = open_memstream(&lits, &lits_len);
    FILE *bo = open_memstream(&body, &body_len);
    g->memo = cg_memo_new();
    g->cur_fn = -1;
    for (size_t i = 0; i < g->nentries; i++) {
        const cj_node *root = g->entries[i].node;
        for (size_t d = 0; d < g->ndocs && !root; d++)
            if (g->docs[d]->input && strcmp(g->docs[d]->path, g->entries[i].source) == 0)
                root = g->docs[d]->root;
        g->entries[i].fn = root ? cg_fn_for(g, root, false) : -1;
    }
    if (g->opt.check_all)
        for (size_t i = 0; i < g->ninfos; i++)
            if (g->infos[i]->doc && g->infos[i]->doc->input &&
                !(g->infos[i]->doc->container && g->infos[i]->node == g->infos[i]->doc->root))
                cg_fn_for(g, g->infos[i]->node, false);
    for (size_t i = 0; i < g->nfns && !g->limit_hit && !cg_too_many_errors(g); i++) {
        render_fn(g, bo, (int)i);
        if ((size_t)ftell(bo) + (size_t)ftell(g->lits) > CG_MAX_OUTPUT) {
            cg_error(g, g->fns[i].node,
                     "the generated C passes %zu bytes here: the limit of one codegen run "
                     "(split the set)",
                     CG_MAX_OUTPUT);
            g->limit_hit = true;
        }
    }
    fclose(g->lits);
    fclose(bo);
    cg_memo_plan(g->memo, g->nfns);
    /* main() refuses these; checked again so no caller can paste them into C unescaped */
    if (!g->opt.prefix || !cg_is_ident(g->opt.prefix))
        cg_error_doc(g, "--prefix", "not a C identifier");
    if (!cg_header_name_ok(h_name)) cg_error_doc(g, h_name, "cannot be named in an #include line");
    bool ok = g->nerrors == 0;
    if (ok) {
        const char *prefix = g->opt.prefix;
        put_header_line(g, c_out);
        /* GCC documents that -Wmisleading-indentation is not issued after a #line directive
         * ("this typically indicates autogenerated code"); its check re-reads source lines and
         * costs time quadratic in the file's size (5,000 properties: 7 s of -Wall, 20,000:
         * minutes). The line keeps the numbering and names no file. */
        fputs("#line 3 /* generated code: no indentation heuristics */\n", c_out);
        fprintf(c_out, "#include \"%s\"\n\n#include \"mg_rt.h\"\n\n", h_name);
        for (size_t i = 0; i < g->nfns; i++)
            fprintf(c_out, "static bool mgv_%zu(mg_ctx *c, uint32_t at, uint64_t *ev);\n", i);
        fputc('\n', c_out);
        fwrite(lits, 1, lits_len, c_out);
        cg_memo_write(g->memo, c_out, body, body_len);
        for (size_t i = 0; i < g->nentries; i++)
            fprintf(c_out,
                    "static bool mge_%zu(mg_ctx *c, uint32_t at)\n{\n"
                    "    return mgv_%d(c, at, NULL);\n}\n\n",
                    i, g->entries[i].fn);
        cg_emit_set(g, c_out, "meshgate-codegen " CG_VERSION);
        fputs("/* generated by meshgate-codegen, do not edit */\n#ifndef MG_GEN_", h_out);
        cg_put_ident_upper(h_out, prefix);
        fputs("_H\n#define MG_GEN_", h_out);
        cg_put_ident_upper(h_out, prefix);
        fprintf(h_out,
                "_H\n\n#include \"mg_rt.h\"\n\nextern const mg_schema_set mg_set_%s;\n"
                "\n#ifdef MG_SHARED_OBJECT\nconst mg_schema_set *meshgate_schema_set(void);\n"
                "#endif\n\n#endif\n",
                prefix);
    }
    free(lits);
    free(body);
    cg_memo_free(g->memo);
    g->memo = NULL;
    return ok;
}
