/* mg_yaml.h - YAML helpers shared by meshgate-codegen and the worker (both read YAML with
 * libfyaml): the alias guard, and a diagnostics object that prints nothing.
 *
 * The guard refuses YAML whose aliases would blow it up, before any document is built.
 * Design: libfyaml resolves aliases by copying the anchored node, so a 600-byte "billion
 * laughs" document (each level aliasing the one below nine times) becomes gigabytes, and
 * libfyaml (0.7.12) has no limit of its own. The guard reads the text once as parser events
 * only - memory proportional to the nesting and the number of anchors - and counts what the
 * resolved document would hold: each anchor's node and scalar-byte totals and height are kept
 * (in a tsearch tree, by name), and an alias adds its anchor's totals to the collection it is
 * in. It stops at the first limit exceeded, so a bomb is refused after reading a few lines.
 * Both readers of YAML (meshgate-codegen's contracts and schemas, the worker's configuration)
 * call it before loading the document. Text that is not valid YAML passes: the real parse
 * that follows reports it with its own position. No state kept; thread-safe.
 */
#ifndef MG_YAML_H
#define MG_YAML_H

#include <stdbool.h>
#include <stddef.h>

struct fy_diag;

typedef struct mg_yaml_limits {
    size_t max_nodes;   /* nodes of the document once aliases are expanded */
    size_t max_bytes;   /* scalar bytes once aliases are expanded */
    size_t max_aliases; /* alias uses (merge keys included) */
    size_t max_depth;   /* nesting once aliases are expanded */
} mg_yaml_limits;

/* The limits both readers use. */
#define MG_YAML_MAX_NODES ((size_t)2000000)
#define MG_YAML_MAX_BYTES ((size_t)64 << 20)
#define MG_YAML_MAX_ALIASES ((size_t)10000)
#define MG_YAML_MAX_DEPTH ((size_t)1000)
#define MG_YAML_LIMITS_DEFAULT                                                                     \
    {                                                                                              \
        MG_YAML_MAX_NODES, MG_YAML_MAX_BYTES, MG_YAML_MAX_ALIASES, MG_YAML_MAX_DEPTH               \
    }

/* Where and why the guard refused a text. */
typedef struct mg_yaml_problem {
    int line, column; /* 1-based; 0 when unknown */
    char what[200];   /* "YAML with more than N aliases", ... */
} mg_yaml_problem;

/* Checks text[0..len) (every document in it). true when within the limits (or not YAML);
 * false with the problem filled in. */
bool mg_yaml_check(const char *text, size_t len, const mg_yaml_limits *lim, mg_yaml_problem *p);
/* The same for a file (read by libfyaml); a file that cannot be opened passes (the caller's
 * own open reports it). */
bool mg_yaml_check_file(const char *path, const mg_yaml_limits *lim, mg_yaml_problem *p);

/* A libfyaml diagnostics object that prints nothing and collects errors (read them with
 * fy_diag_errors_iterate), for callers that word errors themselves; NULL when out of memory.
 * Pass it in fy_parse_cfg.diag, then fy_diag_destroy it (the parser keeps a reference). */
struct fy_diag *mg_yaml_quiet_diag(void);

#endif
