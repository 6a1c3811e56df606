/* mg_regex.h - ECMA-262 regular expressions in linear time: syntax and matching.
 *
 * Design: patterns are parsed with ECMA-262 syntax (as with the "u" flag, which is what JSON
 * Schema specifies) and compiled ahead of time by meshgate-codegen into automata in generated
 * C; matching never backtracks, so time is linear in the input. Constructs that cannot be
 * matched in linear time (backreferences, lookaround) are refused at codegen with a reason.
 * This header holds what the runtime needs: the syntax check behind format "regex" and the
 * matcher the generated automata call. The parser (mg_re_parse) is shared with codegen: it
 * writes into a caller-supplied node array and allocates nothing, so the syntax check can run
 * at validation time. Automata work on UTF-8 bytes, so matching decodes nothing.
 */
#ifndef MG_REGEX_H
#define MG_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* true if pat[0..n) is a syntactically valid ECMA-262 pattern (u-mode rules). On false,
 * writes the reason and byte offset into err when err is not NULL. */
bool mg_regex_syntax_ok(const char *pat, size_t n, char *err, size_t errlen);

/* ---- parser (shared with codegen) ---- */

/* One member of a character set: a code point range or a class escape. */
typedef enum mg_re_item_kind {
    MG_RI_RANGE, /* lo..hi inclusive */
    MG_RI_DIGIT, /* \d (neg: \D) */
    MG_RI_WORD,  /* \w */
    MG_RI_SPACE, /* \s */
    MG_RI_PROP,  /* \p{...} (neg: \P{...}); prop indexes mg_re_prop_at() */
} mg_re_item_kind;

typedef enum mg_re_prop_kind {
    MG_RP_GC,     /* General_Category value; canon is the short name ("Lu", "L") */
    MG_RP_SCRIPT, /* Script value; canon is the long name ("Latin") */
    MG_RP_BINARY, /* binary property; canon is the long name ("Alphabetic") */
} mg_re_prop_kind;

typedef struct mg_re_item {
    uint8_t kind; /* mg_re_item_kind */
    bool neg;
    bool scx;      /* MG_RI_PROP given as Script_Extensions (matched as Script) */
    uint16_t prop; /* MG_RI_PROP: index into the property table */
    uint32_t lo, hi;
} mg_re_item;

typedef struct mg_re_prop {
    const char *name;  /* as written in a pattern */
    uint8_t kind;      /* mg_re_prop_kind */
    const char *canon; /* canonical name, the same for every alias */
} mg_re_prop;

/* The property table entry at idx, or NULL past the end. */
const mg_re_prop *mg_re_prop_at(uint16_t idx);

typedef enum mg_re_op {
    MG_RE_EMPTY,
    MG_RE_CHAR,    /* item.lo: one code point */
    MG_RE_ANY,     /* . */
    MG_RE_SET,     /* item: a class escape outside brackets (\d, \p{L}) */
    MG_RE_CLASS,   /* [...]: members in pat[off..end) (read with mg_re_class_next); neg: [^ */
    MG_RE_CAT,     /* children in order */
    MG_RE_ALT,     /* children are alternatives */
    MG_RE_REPEAT,  /* child {min,max}; max MG_RE_INF is unbounded */
    MG_RE_GROUP,   /* child; capturing or not (irrelevant to a yes/no match) */
    MG_RE_BOL,     /* ^ */
    MG_RE_EOL,     /* $ */
    MG_RE_WORDB,   /* \b */
    MG_RE_NWORDB,  /* \B */
    MG_RE_BACKREF, /* \N or \k<name>: pat[off..end) is the escape */
    MG_RE_LOOK,    /* (?= (?! (?<= (?<! : pat[off..end) is the opener */
} mg_re_op;

#define MG_RE_INF UINT32_MAX

typedef struct mg_re_node {
    uint8_t op; /* mg_re_op */
    bool neg;
    int32_t child, next; /* first child, next sibling; -1 for none */
    uint32_t min, max;
    uint32_t off, end; /* byte span in the pattern (meaning depends on op) */
    mg_re_item item;
} mg_re_node;

/* Parses pat[0..n). With nodes == NULL only checks syntax. Otherwise fills nodes[0..cap)
 * and sets *root. Returns the number of nodes the pattern needs (call once with NULL to size
 * the array), or -1 with a message "invalid pattern at offset N: reason" in err. */
long mg_re_parse(const char *pat, size_t n, mg_re_node *nodes, size_t cap, int32_t *root, char *err,
                 size_t errlen);

/* Reads the next member of a class whose body (after "[" or "[^") starts at *pos; false at
 * the closing "]". Only for patterns that mg_re_parse accepted. */
bool mg_re_class_next(const char *pat, size_t n, size_t *pos, mg_re_item *it);

/* ---- matcher ---- */

/* Transition targets >= MG_RE_DEAD stop the DFA: a match was found, or none can be. */
#define MG_RE_ACCEPT 0xFFFFu
#define MG_RE_DEAD 0xFFFEu
/* Largest automata the runtime takes (the matcher's stack buffers are sized from these). */
#define MG_RE_DFA_MAX 1024
#define MG_RE_NFA_MAX 4096

typedef enum mg_re_inst_op {
    MG_RX_BYTE,   /* byte in lo..hi: go to x */
    MG_RX_SPLIT,  /* go to x and y */
    MG_RX_ASSERT, /* lo is an mg_re_op assertion (BOL, EOL, WORDB, NWORDB): go to x if it holds */
    MG_RX_MATCH,
} mg_re_inst_op;

typedef struct mg_re_inst {
    uint8_t op, lo, hi;
    uint16_t x, y;
} mg_re_inst;

/* A compiled pattern: plain constant data, emitted by codegen as static tables.
 * DFA (ninst == 0): state s on byte b goes to trans[s * ncls + cls[b]]; a target of
 * MG_RE_ACCEPT means matched, MG_RE_DEAD no match possible; at the end of the input the
 * answer is acc_end[s]. Word boundaries and ^ are folded into the states.
 * NFA (ninst > 0): inst[0..ninst) run from pc start, simulated as a set of states; when
 * restart, the start pc is re-added at every position (search, not anchored at 0). */
typedef struct mg_re_prog {
    uint16_t nstates, ncls, start;
    const uint8_t *cls;
    const uint16_t *trans;
    const uint8_t *acc_end;
    uint16_t ninst;
    bool restart;
    const mg_re_inst *inst;
} mg_re_prog;

/* true if some substring of s[0..n) matches (RegExp.prototype.test). Linear in n, no
 * allocation. */
bool mg_re_exec(const mg_re_prog *p, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
