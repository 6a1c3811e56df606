/* mg_regex.h - ECMA-262 regular expressions: syntax, compiled programs, and the matcher.
 *
 * Design: patterns are parsed with ECMA-262 syntax and compiled ahead of time by
 * meshgate-codegen into programs that are constant data in the generated C. Meaning is always
 * that of the "u" flag (code points, what JSON Schema specifies); with MG_RE_ANNEXB the parser
 * also takes the syntax ECMA-262 Annex B gives patterns without the flag (identity escapes, a
 * lone "{" "}" "]", quantified lookaheads, legacy octal escapes) and counts what it took, so
 * codegen can warn. Two engines:
 *   - linear (every pattern without backreferences): byte-level Thompson NFAs over UTF-8, one
 *     "machine" for the pattern and one per lookaround. Following Barriere and Pit-Claudel,
 *     "Linear Matching of JavaScript Regular Expressions" (PLDI 2024), each lookaround is
 *     evaluated once for every input position in a pass of its own (lookaheads right to left
 *     over their reversed body, lookbehinds left to right), innermost first, into a bit per
 *     position; the machines that contain it read those bits as assertions. A machine runs as
 *     a static DFA codegen built when it was small enough, else as a DFA built lazily into a
 *     fixed-size per-validator cache (mg_re_cache), else as an NFA simulation. Every pass is
 *     O(input x machine), so matching is linear in the input whatever the pattern.
 *   - backtracking (patterns with backreferences, which no linear algorithm matches): an
 *     ECMA-262 backtracking matcher (captures reset per iteration, atomic lookarounds,
 *     lookbehinds matched backwards) bounded by a step budget proportional to the input; an
 *     exhausted budget is reported, never a guess.
 * The parser allocates nothing (the format "regex" check runs at validation time); matching
 * allocates nothing either: it works in memory the caller provides (the validator's scratch).
 */
#ifndef MG_REGEX_H
#define MG_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* true if pat[0..n) is a syntactically valid ECMA-262 pattern under the u flag's rules (what
 * format "regex" asserts). On false, writes the reason and byte offset into err when err is
 * not NULL. */
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
    MG_RE_REPEAT,  /* child {min,max}; max MG_RE_INF is unbounded; lazy: followed by "?" */
    MG_RE_GROUP,   /* child; group: capture number (1-based), 0 when not capturing */
    MG_RE_BOL,     /* ^ */
    MG_RE_EOL,     /* $ */
    MG_RE_WORDB,   /* \b */
    MG_RE_NWORDB,  /* \B */
    MG_RE_BACKREF, /* \N or \k<name>: group is the capture number; pat[off..end) the escape */
    MG_RE_LOOK,    /* child; (?= (?! (?<= (?<! (neg, behind); pat[off..end) is the opener */
} mg_re_op;

#define MG_RE_INF UINT32_MAX

typedef struct mg_re_node {
    uint8_t op; /* mg_re_op */
    bool neg;
    bool behind;         /* MG_RE_LOOK: a lookbehind */
    bool lazy;           /* MG_RE_REPEAT */
    int32_t child, next; /* first child, next sibling; -1 for none */
    uint32_t min, max;
    uint32_t group;
    uint32_t off, end; /* byte span in the pattern (meaning depends on op) */
    mg_re_item item;
} mg_re_node;

/* Parser flags. */
#define MG_RE_ANNEXB 1u /* also accept ECMA-262 Annex B syntax (see the top of this file) */

/* What mg_re_parse learned besides the nodes. */
typedef struct mg_re_parsed {
    int32_t root;
    uint32_t ngroups;        /* capturing groups */
    uint32_t nannexb;        /* Annex B constructs taken (MG_RE_ANNEXB) */
    uint32_t annexb_off;     /* byte offset of the first one */
    const char *annexb_what; /* and what it is, e.g. "identity escape" */
} mg_re_parsed;

/* Parses pat[0..n). With nodes == NULL only checks syntax. Otherwise fills nodes[0..cap).
 * Returns the number of nodes the pattern needs (call once with NULL to size the array), or
 * -1 with a message "invalid pattern at offset N: reason" in err. info may be NULL. */
long mg_re_parse(const char *pat, size_t n, unsigned flags, mg_re_node *nodes, size_t cap,
                 mg_re_parsed *info, char *err, size_t errlen);

/* Iterates the members of a class whose body (after "[" or "[^") starts at it->pos; false at
 * the closing "]". Only for patterns that mg_re_parse accepted (with any flags). */
typedef struct mg_re_class_it {
    size_t pos;
    uint8_t npending;
    mg_re_item pending[2]; /* Annex B: "-" and the atom after it of a range like [\d-z] */
} mg_re_class_it;
bool mg_re_class_next(const char *pat, size_t n, mg_re_class_it *it, mg_re_item *out);

/* ---- compiled programs (emitted by codegen as static data) ---- */

typedef enum mg_re_inst_op {
    MG_RX_BYTE,     /* input byte in lo..hi: go to x; y, unless MG_RX_NONE, is an alternative
                       taken without consuming (a chain of byte ranges needs no SPLITs) */
    MG_RX_SPLIT,    /* go to x and to y (the backtracker tries x first) */
    MG_RX_JUMP,     /* go to x */
    MG_RX_ASSERT,   /* lo: mg_re_assert; go to x if it holds at the position */
    MG_RX_MATCH,    /* the pattern (or a lookaround body, in its machine) matched */
    MG_RX_SAVE,     /* backtracker: capture slot y = position; go to x */
    MG_RX_CLEAR,    /* backtracker: unset groups y .. y + (hi << 8 | lo) - 1; go to x */
    MG_RX_BACKREF,  /* backtracker: the text of group y again; go to x */
    MG_RX_MARK,     /* backtracker: register y = position; go to x */
    MG_RX_PROGRESS, /* backtracker: fail if position == register y (an empty iteration) */
    MG_RX_LOOK,     /* backtracker: lookaround, body at y (lo: MG_RX_LOOK_*), then go to x */
    MG_RX_LOOKEND,  /* backtracker: the body of the innermost lookaround matched */
    MG_RX_COUNT,    /* end of an iteration of counted loop (hi << 8 | lo): again at x, or
                       leave to y (see mg_re_loop) */
    MG_RX_BTLOOP,   /* backtracker: enter counted loop (hi << 8 | lo) (mg_re_btloop) at x */
    MG_RX_BTITER,   /* backtracker: end of an iteration of loop (hi << 8 | lo): again at x,
                       or leave to y */
} mg_re_inst_op;

typedef enum mg_re_assert {
    MG_RA_BOL = 1, /* ^: position 0 */
    MG_RA_EOL,     /* $: the end */
    MG_RA_WORDB,   /* \b: ASCII word-ness differs on the two sides */
    MG_RA_NWORDB,  /* \B */
    MG_RA_LOOK,    /* lookaround machine y holds here; hi: its bit in the machine's symbols */
    MG_RA_NLOOK,   /* lookaround machine y does not hold here */
} mg_re_assert;

#define MG_RX_LOOK_NEG 1u
#define MG_RX_LOOK_BEHIND 2u
#define MG_RX_NONE UINT32_MAX

typedef struct mg_re_inst {
    uint8_t op, lo, hi;
    uint32_t x, y;
} mg_re_inst;

/* A counted loop x{min,max} of a linear machine, kept as one copy of its body: instructions
 * [first, end), first being its MG_RX_COUNT. The machine's states ("virtual" instruction
 * numbers) are the instructions outside loops and, in a loop, (instruction, iteration):
 * iteration 0 is the instruction's own number, iteration k >= 1 is
 * xbase + ((k - 1) << shift) + (instruction - first), 1 << shift >= end - first (a power of
 * two, so that a state decodes with a shift and a mask); there are niter iterations (max, or
 * min + 1 when max is unbounded: iterations past min are alike). Every engine works on these
 * numbers, so a{1,1000} costs 1000 states but only its body's instructions. */
typedef struct mg_re_loop {
    uint32_t first, end;
    uint32_t min, niter;
    bool unbounded;
    uint8_t shift;
    uint32_t xbase;
} mg_re_loop;

/* A counted loop x{min,max} of the backtracking program (ECMA-262 RepeatMatcher): BTLOOP
 * zeroes register counter (the iterations done) and goes to the first iteration or, when min is
 * 0, chooses between it and leaving (greedy: the iteration first); each iteration starts with
 * MARK progress (when x may match empty) and CLEAR of its captures; BTITER fails an optional
 * iteration that matched empty, counts it, and goes again, leaves, or chooses. */
typedef struct mg_re_btloop {
    uint32_t counter, progress; /* registers; progress MG_RX_NONE when x never matches empty */
    uint32_t min, max;          /* max MG_RE_INF: unbounded */
    bool lazy;
} mg_re_btloop;

/* Static DFA transitions: a state number, MG_RE_DEAD, or either with MG_RE_MATCHED set when
 * the machine matched at the position the transition leaves (before its byte). */
#define MG_RE_DEAD 0x7FFFu
#define MG_RE_MATCHED 0x8000u

/* One automaton. Positions are 0..n between bytes; a forward machine scans 0 -> n, a backward
 * one n -> 0 (consuming s[i-1] at position i). The ASSERTs of a machine read the lookarounds
 * look[0..nlook) (machine numbers) as symbol bits 0..nlook-1. Bytes fall into ncls classes
 * (cls[b]) no instruction tells apart. Static DFA (trans != NULL): state 0 starts; at a
 * position with next byte b and lookaround bits L the symbol is cls[b] << nlook | L, the
 * transition trans[state * (ncls << nlook) + symbol]; at the end of the scan the answer is
 * acc_end[state << nlook | L]. */
typedef struct mg_re_machine {
    uint64_t id; /* hash of the machine's contents: the lazy DFA cache keys on the address and
                    checks this, so a machine never inherits the states of one that was at its
                    address before (a schema set unloaded and another loaded) */
    const mg_re_inst *inst;
    uint32_t ninst, start;
    uint32_t nvirt; /* states: ninst plus the loops' iterations past the first */
    uint16_t nloop;
    const mg_re_loop *loop; /* ordered by xbase */
    bool backward;
    bool restart; /* the start re-enters at every code point boundary (a search, and every
                     lookaround) */
    uint8_t nlook;
    const uint16_t *look;
    uint16_t ncls;
    const uint8_t *cls;
    uint16_t nstates; /* static DFA, or 0 */
    const uint16_t *trans;
    const uint8_t *acc_end;
} mg_re_machine;

/* A compiled pattern. Linear (nbt == 0): mach[0] is the pattern, mach[1..nmach) its
 * lookarounds, each nested one numbered after the one containing it. Backtracking (nbt > 0):
 * bt[0..nbt) from bt_start with ngroups captures, nregs registers and the counted loops
 * btloop[0..nbtloop); anchored when every match must start at position 0. A backtracking
 * pattern may come with two linear approximations, each machines as mach is: over (every
 * backreference read as any string, or as none inside a negative lookaround: if it does not
 * match, neither does the pattern) and under (the top-level alternatives without
 * backreferences: if it matches, so does the pattern); they decide most strings in linear
 * time, and the backtracker only the rest. */
typedef struct mg_re_prog {
    uint16_t nmach;
    const mg_re_machine *mach;
    uint32_t nbt, bt_start;
    const mg_re_inst *bt;
    uint16_t ngroups, nregs, nbtloop;
    const mg_re_btloop *btloop;
    bool anchored;
    uint16_t nover, nunder;
    const mg_re_machine *over, *under;
} mg_re_prog;

/* ---- matcher ---- */

/* Limits of what codegen emits (it refuses larger patterns with the reason). */
#define MG_RE_NFA_MAX 100000   /* instructions of all machines of one pattern */
#define MG_RE_VIRT_MAX 4000000 /* states of one machine, counted loops unrolled */
#define MG_RE_DFA_MAX 1024     /* states of a static DFA */
#define MG_RE_DFA_LOOKS 4      /* lookarounds one DFA machine may read (else NFA simulation) */
#define MG_RE_LOOKS_MAX 32     /* lookarounds one machine may read */
#define MG_RE_MACH_MAX 256     /* machines: the pattern and 255 lookarounds */
#define MG_RE_GROUPS_MAX 1000
/* The lazy DFA cache of one validator (bytes). */
#define MG_RE_CACHE_BYTES (1u << 20)
/* Backtracking budget for a string of n bytes: BT_BASE + BT_PER_BYTE * n steps. The base is
 * small so that a message of many short strings is bounded too: a JSON string takes at least
 * 3 bytes of the message, so one message costs at most (BT_BASE / 3 + BT_PER_BYTE) steps per
 * byte of it. */
#define MG_RE_BT_BASE 1024u
#define MG_RE_BT_PER_BYTE 64u

/* Results of matching. */
#define MG_RE_NOMATCH 0
#define MG_RE_MATCH 1
#define MG_RE_ESTEPS (-1) /* the backtracking step budget was exhausted */
#define MG_RE_EMEM (-2)   /* the scratch memory was too small for this input */
/* What a negative result means, for MG_E_LIMIT messages. */
const char *mg_re_limit_name(int rc);

/* Lazily built DFA states, per validator (one thread). */
typedef struct mg_re_cache mg_re_cache;
mg_re_cache *mg_re_cache_new(size_t bytes);
void mg_re_cache_free(mg_re_cache *c);

/* Working memory for one match: words[0..nwords) (contents need not be initialised) and the
 * cache (may be NULL: machines without a static DFA are then simulated as NFAs). */
typedef struct mg_re_env {
    uint64_t *words;
    size_t nwords;
    mg_re_cache *cache;
} mg_re_env;

/* RegExp.prototype.test: MG_RE_MATCH if some substring of s[0..n) matches, MG_RE_NOMATCH,
 * or a negative MG_RE_E* when a limit stopped it. Allocates nothing. */
int mg_re_match(const mg_re_prog *p, const char *s, size_t n, const mg_re_env *env);

/* The same with the validator's scratch words and cache (generated code calls this). */
struct mg_ctx;
int mg_re_test(struct mg_ctx *c, const mg_re_prog *p, const char *s, size_t n);

/* The common case, a pattern that is one static DFA without lookarounds: inline, so that
 * generated code runs it with its tables as constants. */
static inline int mg_re_dfa_test(const mg_re_machine *m, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned st = 0;
    for (size_t i = 0; i < n; i++) {
        st = m->trans[st * m->ncls + m->cls[u[i]]];
        if (st >= MG_RE_DEAD) return st != MG_RE_DEAD ? MG_RE_MATCH : MG_RE_NOMATCH;
    }
    return m->acc_end[st] ? MG_RE_MATCH : MG_RE_NOMATCH;
}

#ifdef __cplusplus
}
#endif
#endif
