/* cg_regex.h - compile ECMA-262 patterns (pattern, patternProperties) into matcher programs.
 *
 * Design: the pattern is parsed by the runtime's parser (mg_re_parse, with Annex B syntax
 * allowed and counted), its character sets are expanded to code point ranges (Unicode
 * properties via libunistring) and then to UTF-8 byte-range tries. A pattern without
 * backreferences becomes linear machines (mg_regex.h): a Thompson NFA over bytes for the
 * pattern and one per lookaround (a lookahead's body compiled reversed, to run right to
 * left), counted repetition expanded into copies; each machine gets byte classes and, when
 * subset construction stays small, a static DFA (cg_regex_dfa.c), else the runtime builds its
 * DFA lazily. A pattern with backreferences becomes one backtracking program with captures.
 * The result is mg_re_prog data, written as static C tables by cg_regex_emit.
 */
#ifndef CG_REGEX_H
#define CG_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mg_regex.h"

/* What codegen should tell the user about a compiled pattern. */
typedef struct cg_re_info {
    uint32_t nannexb;        /* Annex B constructs the pattern uses (0: none) */
    uint32_t annexb_off;     /* the first one's byte offset */
    const char *annexb_what; /* and what it is */
    bool backtracking;       /* has backreferences: bounded backtracking, not linear */
    bool may_limit;          /* matching can end at a limit (MG_RE_ESTEPS, MG_RE_EMEM) */
} cg_re_info;

/* A flag of cg_regex_compile besides mg_re_parse's: build no static DFA (tests use it to run
 * the runtime's lazy DFA and NFA simulation on every pattern). */
#define CG_RE_NO_STATIC_DFA 0x100u
/* Another: a backtracking pattern gets no linear approximations (tests use it to run the
 * backtracker on every string). */
#define CG_RE_NO_PREFILTER 0x200u

/* Compiles pat[0..n) (flags: mg_re_parse's and CG_RE_NO_STATIC_DFA) into a heap mg_re_prog for
 * mg_re_match; 0 on success, else the reason in err. info may be NULL. Free with cg_regex_free. */
int cg_regex_compile(const char *pat, size_t n, unsigned flags, mg_re_prog **out, cg_re_info *info,
                     char *err, size_t errlen);
void cg_regex_free(mg_re_prog *p);
/* Frees p->mach[0..p->nmach) and their tables (not p). */
void cg_re_machines_free(const mg_re_prog *p);

/* Writes C defining `static int fname(struct mg_ctx *c, const char *s, size_t n)` (the
 * result of mg_re_test) and its static tables (all named with fname as prefix), headed by a
 * comment with the pattern. Returns 0, or non-zero with the reason in err. */
int cg_regex_emit(FILE *out, const char *fname, const char *pat, size_t n, unsigned flags,
                  cg_re_info *info, char *err, size_t errlen);

/* ---- internal to cg_regex*.c ---- */

/* One machine being built. */
typedef struct cg_mach {
    mg_re_inst *inst;
    size_t n, cap;
    mg_re_loop *loops;
    size_t nloop, caploop;
    uint32_t start;
    bool backward, restart;
    uint8_t nlook;
    uint16_t look[MG_RE_LOOKS_MAX];
} cg_mach;

/* The compiler's state. */
typedef struct cg_rc {
    const char *pat;
    size_t plen;
    const mg_re_node *nodes;
    bool bt;          /* building the backtracking program */
    bool no_dfa;      /* CG_RE_NO_STATIC_DFA */
    bool negated;     /* compiling inside an odd number of negative lookarounds */
    cg_mach *cur;     /* the machine (or program) instructions go to */
    size_t total;     /* instructions of every machine so far */
    const char *fail; /* why compiling stopped (a limit), or NULL */
    bool oom, bad_prop;
    cg_mach **machs; /* linear: [0] the pattern, then the lookarounds */
    size_t nmach;
    int32_t *look_of; /* node -> its lookaround machine, -1 */
    uint32_t *reg_of; /* node -> backtracking register + 1, 0 */
    uint32_t nregs;
    int no_counters;       /* > 0: unroll every repetition (inside a counted loop) */
    mg_re_btloop *btloops; /* the backtracking program's counted loops */
    size_t nbtloop, capbtloop;
    uint64_t unrolled; /* emit_repeat_linear: instructions its other choice takes */
    void *atom_sets;   /* node -> its code points (cg_regex_set.c), computed once */
} cg_rc;

/* Makes room for one more element in the array *pv of *cap elements of elem bytes holding n
 * (doubling, first when empty); false when out of memory. */
bool cg_re_grow(void *pv, size_t *cap, size_t n, size_t elem, size_t first);

/* A new instruction of the current machine; 0 (with c->fail or c->oom set) when it cannot. */
int cg_re_inst(cg_rc *c, uint8_t op, uint8_t lo, uint8_t hi, uint32_t x, uint32_t y);

/* cg_regex_set.c: any one code point, continuing at next. */
int cg_re_emit_any(cg_rc *c, uint32_t next);
/* Whether x matches exactly one code point (CHAR, ANY, SET, CLASS). */
bool cg_re_is_atom(const mg_re_node *x);
/* The byte code of the union of atom node first and (unless single) its next siblings (all
 * atoms), continuing at next, its bytes read right to left when the machine is backward; -1
 * for a Unicode property this build cannot expand. */
int cg_re_emit_atoms(cg_rc *c, int32_t first, bool single, uint32_t next);
/* Frees the atoms' code points remembered for a compile of nnodes nodes. */
void cg_re_atoms_free(cg_rc *c, size_t nnodes);

/* cg_regex_dfa.c: subset construction of machine m (its cls/ncls set). Fills m's static DFA
 * fields with malloc'd tables; returns 0, 1 if more than MG_RE_DFA_MAX states or too much
 * work would be needed, -1 when out of memory. stop_at_match: the pattern's machine, whose
 * scan ends at a match (so a matching transition needs no successor). */
int cg_re_dfa_build(mg_re_machine *m, bool stop_at_match);

#endif
