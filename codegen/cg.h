/* cg.h - meshgate-codegen internals: the schema registry, the compile plan, the renderer.
 *
 * Design (after lemon and re2c): codegen first decides what to emit, then renders it.
 *   1. cg_registry.c loads documents (inputs, mapped URIs, the dialect metaschemas), walks
 *      every schema position once and records each node's base URI, dialect and vocabularies,
 *      every schema resource ($id) and every anchor; it resolves references.
 *   2. cg_plan.c walks from the entry schemas and builds the plan: one cg_fn per schema node
 *      that needs a C function, with the facts the renderer needs (which keywords apply, which
 *      functions it calls, whether it tracks evaluated members for unevaluated*).
 *      Every schema error is found there (cg_plan.h).
 *   3. cg_emit*.c render the plan as C: one static function per cg_fn, each check commented
 *      with the schema location it implements; rendering cannot fail.
 * Schema errors are collected (file, JSON Pointer, what is wrong) and counted; nothing is
 * written when there are any. Single-threaded; everything is freed by cg_free().
 */
#ifndef CG_H
#define CG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cg_ctext.h"
#include "cg_json.h"

/* Limits on what one run takes in; past each, codegen stops with an error naming the file and
 * JSON Pointer where the limit was crossed (README "Limits"). Also: CG_MAX_FILE_BYTES per file
 * (cg_file.h), CJ_MAX_DEPTH nesting (cg_json.h; every tree codegen walks comes from cj_parse,
 * so that depth bounds each recursive walk), YAML alias expansion (common/mg_yaml.h). */
#define CG_MAX_SCHEMAS 1000000            /* schema objects and booleans, all documents together */
#define CG_MAX_PATTERNS 10000             /* distinct regular expressions */
#define CG_MAX_OUTPUT ((size_t)256 << 20) /* bytes of generated C */
#define CG_MAX_ERRORS 100                 /* printed; past them codegen stops compiling */

typedef enum cg_dialect {
    CG_D4 = 4,
    CG_D6 = 6,
    CG_D7 = 7,
    CG_D2019 = 2019,
    CG_D2020 = 2020
} cg_dialect;

/* Vocabularies a custom metaschema may leave out. */
enum {
    CG_V_APPLICATOR = 1u << 0,
    CG_V_VALIDATION = 1u << 1,
    CG_V_UNEVALUATED = 1u << 2,
    CG_V_FORMAT_ASSERT = 1u << 3,
    CG_V_ALL = 0xffu,
    /* Not a JSON Schema vocabulary: the node is an OpenAPI 3.0 Schema Object (cg_openapi.c). */
    CG_V_OAS30 = 1u << 8
};

typedef struct cg_options {
    const char *out_base;
    const char *prefix;
    const char *name; /* for a single input file */
    const char **map_uri, **map_dir;
    size_t nmap;
    const char *metaschema_dir;
    cg_dialect default_dialect;
    bool format_annotation;
    bool check_all; /* also plan schemas no entry reaches (to report their errors) */
    bool strict;    /* --strict: what is only accepted with a warning is an error */
    bool warnings;  /* print warnings */
    bool plan_only; /* --plan: print the plan (cg_plan_dump), write no C */
    int share;      /* CG_AUTO..: one function for identical subschemas (cg_emit_share.c) */
    int tables;     /* CG_AUTO..: objects checked from tables (mg_obj, cg_plan_obj.c) */
    unsigned split; /* translation units of the functions: 0 by size (CG_SPLIT_BYTES), 1: one */
} cg_options;

/* Output of big schemas (issue 16 item 11; README "Big schemas"). In a big set (one that
 * renders at least CG_BIG_FNS functions; small outputs read better plain and run a little
 * faster), or always/never as asked (--share, --tables), identical subschemas share a
 * function and the functions of plain object schemas become tables that one runtime routine
 * checks (mg_obj). The functions go to BASE.1.c .. BASE.N.c beside BASE.c and an internal
 * header BASE.int.h when they take more than CG_SPLIT_BYTES of C: one part per
 * CG_SPLIT_BYTES, at most CG_MAX_PARTS, so that cc builds them in parallel. */
enum { CG_AUTO, CG_ALWAYS, CG_NEVER };
#define CG_BIG_FNS 200
#define CG_SPLIT_BYTES ((size_t)128 << 10)
#define CG_MAX_PARTS 64

/* What codegen knows of one schema node. */
typedef struct cg_info {
    const cj_node *node;
    const char *base; /* base URI (absolute, no fragment) */
    cg_dialect dialect;
    unsigned vocab;
    struct cg_doc *doc;
    int fn;             /* index into plan, -1 if none yet */
    bool resource_root; /* has $id (or is a document root) */
    int dyn_resource;   /* id for the dynamic scope stack, -1 if it has no dynamic anchors */
} cg_info;

typedef struct cg_infos {
    struct cg_info **v;
    size_t n, cap;
} cg_infos;

typedef struct cg_kv {
    char *key; /* a copy of the key, NUL-terminated; NULL: free slot */
    size_t klen;
    void *val;
} cg_kv;

/* cg_map.c: a small open-addressing map from byte strings to pointers. The plain forms take
 * NUL-terminated keys, the n forms any bytes. */
typedef struct cg_map {
    cg_kv *slots;
    size_t cap, n;
} cg_map;
void *cg_map_get(const cg_map *m, const char *key);
void *cg_map_getn(const cg_map *m, const void *key, size_t len);
void cg_map_put(cg_map *m, const char *key, void *val);
void cg_map_putn(cg_map *m, const void *key, size_t len, void *val);
void cg_map_free(cg_map *m);

typedef struct cg_doc {
    char *uri;   /* retrieval URI, no fragment */
    char *path;  /* file it was read from */
    char *label; /* prefix of schema locations in messages: "" for inputs, else the URI */
    cj_node *root;
    bool input;
    bool container; /* the root is not a schema (an AsyncAPI contract) */
    /* This document's own resources and anchors ("uri", "uri#name") and the references it was
     * given (cg_doc_alias): a reference from inside the document looks here before the global
     * maps, so documents that reuse an $id (versions of one registry subject) each resolve
     * to themselves. */
    cg_map local;
} cg_doc;

typedef struct cg_entry {
    char *name;
    char *id;
    char *source;
    const cj_node *node; /* the schema */
    int fn;
    /* Schema Registry identity of a registry version (cg_export.c); subject NULL otherwise. */
    char *subject;
    int32_t version;
    int64_t registry_id;
    bool has_guid;
    uint8_t guid[16];
} cg_entry;

typedef struct cg {
    cg_options opt;
    size_t nerrors;
    FILE *err;

    cg_doc **docs;
    size_t ndocs;
    cg_map resources; /* absolute URI -> cg_info* (resource roots) */
    cg_map anchors;   /* "uri#name" -> cg_info* ($anchor, $dynamicAnchor, draft-07 #ids) */
    cg_map dynamic;   /* "uri#name" -> cg_info* for $dynamicAnchor only */
    cg_map dyn_bases; /* "uri" -> (present) for resources with a $dynamicAnchor */
    cg_map dyn_names; /* anchor name -> cg_infos* holding it as $dynamicAnchor, in scan order */
    cg_map recursive; /* "uri" -> cg_info* for $recursiveAnchor: true resources */
    cg_infos recursive_order; /* the same, in scan order */
    cg_info **infos;          /* every scanned node, in scan order */
    size_t ninfos, cinfos;
    cg_map by_node;   /* node address -> cg_info* */
    cg_map bundles;   /* bundle file path -> its parsed root */
    cg_map yaml_docs; /* root of a document read from YAML -> its positions (cg_yaml.c) */
    struct cg_dir {
        char *lexical, *real; /* absolute without "..", and with symbolic links resolved */
    } * dirs;                 /* the folders references may read files from */
    size_t ndirs;
    cg_map dir_index; /* real path -> (present) */

    cg_entry *entries;
    size_t nentries;
    struct cg_plan *plan; /* cg_plan.h: what to emit, once built */
    bool limit_hit;       /* a CG_MAX_* limit was reported (once) */
    bool refs_lenient;    /* a reference that does not resolve warns (outside --strict) */

    struct cg_contract **contracts; /* AsyncAPI inputs (cg_contract.h) */
    size_t ncontracts;
    char *registry_dir; /* the Schema Registry export compiled (cg_export.h), NULL if none */
} cg;

/* vasprintf into a new string (NULL when out of memory). */
char *cg_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* Errors: "file: /pointer: message". Only the first CG_MAX_ERRORS are printed, all counted;
 * past them, cg_too_many_errors() tells the expensive steps (patterns, rendering) to stop. */
void cg_error(cg *g, const cj_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cg_error_doc(cg *g, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool cg_too_many_errors(const cg *g);
/* Warnings (when g->opt.warnings): "file: /pointer: warning: message"; not counted. */
void cg_warn(cg *g, const cj_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* cg_registry.c */
void cg_init(cg *g, const cg_options *opt);
void cg_free(cg *g);
/* References read files only inside these folders: the input files' folders (added by
 * cg_add_input, or by the caller for folders given whole), the --map folders and the
 * metaschema folder (added by cg_init). */
void cg_allow_dir(cg *g, const char *dir);
#define CG_READ_DIRS_TEXT "the input files' folders, --map and --metaschemas folders"
/* cg_input.c: loads an input file - a JSON Schema, an AsyncAPI contract, an OpenAPI document
 * or a .cue file, told apart there - and registers its entries (a schema: one named `name`). */
bool cg_add_input(cg *g, const char *path, const char *name);
/* The same for JSON text already in memory, named path in messages (the fuzzer's way in). */
bool cg_add_input_text(cg *g, const char *text, size_t len, const char *path, const char *name);
/* Registers a parsed document (the cg takes root) as an input schema and an entry named name. */
bool cg_add_schema_input(cg *g, cj_node *root, const char *path, const char *name);
/* References may read the folder of an input. */
void cg_allow_dir_of(cg *g, const char *path);
/* Reports a parse error of a file (err may start with "PATH: ", which is not repeated). */
void cg_parse_error(cg *g, const char *path, const char *err);
cg_info *cg_info_of(cg *g, const cj_node *node);
/* Registers a document whose root is not a schema (an AsyncAPI contract): references into it
 * resolve, and its schema nodes are added one by one with cg_add_schema_node. */
cg_doc *cg_add_container(cg *g, cj_node *root, const char *path);
/* Makes references from inside doc to the absolute URI uri resolve to target (a registry
 * export's references: each version has its own). */
void cg_doc_alias(cg_doc *doc, const char *uri, cg_info *target);
/* Registers a document codegen holds in memory (a union of payloads, a registry version's
 * schema) as an input schema: uri is its retrieval URI, path names it in messages. */
cg_info *cg_add_synthetic(cg *g, cj_node *root, const char *uri, const char *path);
/* Scans the schema at n, a node of a container document, in dialect d (once per node). */
cg_info *cg_add_schema_node(cg *g, cg_doc *doc, const cj_node *n, cg_dialect d);
/* The same with the vocabularies given (CG_V_ALL | CG_V_OAS30 for an OpenAPI 3.0 schema). */
cg_info *cg_add_schema_node_vocab(cg *g, cg_doc *doc, const cj_node *n, cg_dialect d,
                                  unsigned vocab);
/* The dialect a $schema / jsonSchemaDialect URI names, if codegen knows it without a file. */
bool cg_known_dialect(const char *uri, cg_dialect *d);
/* Adds an entry named name that checks the schema at node. */
void cg_add_entry(cg *g, const char *name, const char *id, const char *source, const cj_node *node);
/* cg_asyncapi.c: frees g->contracts. */
void cg_contracts_free(cg *g);
/* cg_yaml.c: reads a JSON or YAML file (by its extension: .yaml/.yml) into the JSON model. */
bool cg_is_yaml_path(const char *path);
cj_node *cg_yaml_parse_file(const char *path, char *err, size_t errlen);
cj_node *cg_parse_file(const char *path, char *err, size_t errlen);
/* The same for a document of the set: a YAML one keeps its positions for messages. */
cj_node *cg_parse_doc(cg *g, const char *path, char *err, size_t errlen);
/* The 1-based line and column of n in the YAML text it was read from; false when n was not
 * read from YAML (or has no position there, such as a node made by an alias). */
bool cg_yaml_mark(cg *g, const cj_node *n, int *line, int *column);
void cg_yaml_free(cg *g);
/* Resolves a reference (relative to the node holding it). NULL and an error (reported at
 * err_at, the keyword's value) when it cannot. */
cg_info *cg_resolve(cg *g, const cj_node *from, const char *ref, const cj_node *err_at);
/* The resources in dynamic scope terms: every info with a $dynamicAnchor of that name, in scan
 * order (the first cap of them in out); returns how many there are. */
size_t cg_dynamic_candidates(cg *g, const char *name, cg_info **out, size_t cap);
/* The same for $recursiveAnchor: true resources. */
size_t cg_recursive_candidates(cg *g, cg_info **out, size_t cap);
/* Schema location of a node for messages: label + "#" + JSON Pointer. malloc'd. */
char *cg_location(cg *g, const cj_node *n, const char *keyword);

/* Where cg_render_files writes: open(ctx, suffix) opens BASE + suffix for writing (".c", ".h",
 * ".int.h", ".1.c", ...), NULL when it cannot (said); base_name is BASE's file name, which
 * #include lines name. */
typedef struct cg_sink {
    void *ctx;
    FILE *(*open)(void *ctx, const char *suffix);
    const char *base_name;
} cg_sink;
/* cg_emit.c: renders g->plan (cg_plan.h) as C: BASE.c and BASE.h, and for a big set (see
 * CG_SPLIT_BYTES) BASE.int.h and BASE.1.c .. BASE.N.c, N in *nparts (0: one file). False
 * past CG_MAX_OUTPUT, for a base name no #include line can hold, or when a file cannot be
 * opened. */
bool cg_render_files(cg *g, const cg_sink *sink, unsigned *nparts);
/* The same into one C file and its header (never split). */
bool cg_render(cg *g, FILE *c_out, FILE *h_out, const char *h_name);
/* Plans (cg_plan_build) and renders; false (with errors counted) on a bad schema. */
bool cg_emit(cg *g, FILE *c_out, FILE *h_out, const char *h_name);
/* cg_emit_set.c: the schema records (entry i checks with mge_i), their registry indexes and
 * mg_set_<prefix>, with the shared-object accessor. */
void cg_emit_set(cg *g, FILE *c_out, const char *generator);

#endif
