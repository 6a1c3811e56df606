/* mw_config_int.h - what the configuration loader's files share: the key tables and the
 * loader's state. mw_config_keys.c has the tables, the phrases and the problem list;
 * mw_config_read.c takes the texts of the keys from the file and the environment;
 * mw_config_check.c converts them, fills in computed defaults and checks the whole; mw_config.c
 * is the API over the three. Not for other subsystems. */
#ifndef MW_CONFIG_INT_H
#define MW_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mw_config.h"

struct fy_document;
struct fy_node;
struct fy_parser;

typedef enum ktype { K_STR, K_U32, K_SIZE, K_ENUM, K_ATTRS } ktype;

enum {
    F_REQUIRED = 1, /* a non-empty string is required */
    F_EMPTY_OK = 2, /* "" is a valid value (http.listen: off) */
    F_ZERO_OK = 4,  /* 0 is valid besides min..max (stats_interval_ms: off) */
    F_TOPIC = 8,    /* a Kafka topic name */
    F_LISTEN = 16,  /* HOST:PORT */
};

typedef struct keydef {
    const char *path; /* "limits.max_message_bytes"; route keys without "routes[i]." */
    ktype type;
    unsigned flags;
    size_t off; /* in mw_config or mw_route */
    uint64_t min, max;
    const char *dflt; /* NULL: required, or computed after loading (worker_id, type) */
    const char *need; /* what a missing required key is, for messages */
} keydef;

/* The key tables (mw_config_keys.c): the top-level keys and the keys of one route, and the names of
 * the librdkafka property maps. NTOP and NROUTE are their lengths (checked where they are
 * defined: a key added there fails to compile until its count here is raised). */
enum { NTOP = 34, NROUTE = 20, NMAPS = 3 };
extern const keydef mw_cfg_top_keys[];
extern const keydef mw_cfg_route_keys[];
extern const char *const mw_cfg_map_names[NMAPS];
enum {
    RK_INPUT = 0,
    RK_SCHEMA = 1,
    RK_OUTPUT = 3,
    RK_DEAD_LETTER = 4
}; /* mw_cfg_route_keys rows */

/* Where a key's text came from. */
typedef struct origin {
    const char *text; /* NULL: not set */
    int line;         /* file line (1-based) when from the file */
    const char *var;  /* the environ entry "NAME=VALUE" when from the environment */
} origin;

typedef struct route_src {
    int line;       /* of the route's mapping (its first key), for missing keys */
    bool malformed; /* not a mapping (reported) */
    origin k[NROUTE];
    int *variant_lines; /* of each routes[i].variants[j] */
} route_src;

/* One problem found; they are written to errstr in file order, the environment's last. */
typedef struct problem {
    int line; /* INT_MAX for a variable's */
    size_t seq;
    char *text;
} problem;

typedef struct loader {
    mw_config *c;
    const char *file;
    problem *problems;
    size_t n_problems;
    int n_errs;
    int root_line;
    bool routes_seen;         /* routes: is in the file (problems with it already reported) */
    struct fy_parser *parser; /* owns the document */
    origin top[NTOP];
    route_src *routes;     /* c->n_routes of them */
    origin *kv_src[NMAPS]; /* parallel to c->kafka, c->consumer, c->producer */
} loader;

/* ---- mw_config_keys.c ---- */

/* The names of a K_ENUM key's values, NULL-terminated, in the order of its C enum. */
const char *const *mw_cfg_enum_names(const keydef *k);
/* Records one problem: "FILE:LINE: PATH: message" for a file key, "NAME: message" for a
 * variable, "FILE: PATH: message" when there is neither (o may be NULL; line: when o has none). */
void mw_cfg_report(loader *L, const origin *o, int line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* strdup, reporting "out of memory" when it fails. */
char *mw_cfg_dup(loader *L, const char *s);
/* The row of keys[0..n) whose path is path (its index in *idx), or NULL. */
const keydef *mw_cfg_find_key(const keydef *keys, size_t n, const char *path, size_t *idx);
/* Map m's properties (kafka, consumer, producer) in c, and their count. */
mw_kv **mw_cfg_kv_of(mw_config *c, int m);
size_t *mw_cfg_n_kv_of(mw_config *c, int m);
/* Writes the problems, one a line, in file order; when errstr fills, the last line that fits
 * is cut and ends in "...". Frees them. */
void mw_cfg_write_problems(loader *L, char *errstr, size_t errlen);
/* The expected-value phrase of a key, for messages. */
void mw_cfg_expected(const keydef *k, char *buf, size_t cap);
/* The variable of a key path: MESHGATE_ + path upper-cased, '.' and "[i]." as '_'. */
void mw_cfg_env_name(char *buf, size_t cap, const char *path);

/* ---- mw_config_read.c ---- */

/* The 1-based line a node starts at (a mapping's or list's: its first item's), 0 if unknown. */
int mw_cfg_line_of(struct fy_node *n);
/* Parses L->file into a document owned by L->parser; reports and returns NULL if it cannot. */
struct fy_document *mw_cfg_parse_file(loader *L);
/* Takes the texts of the keys in the top-level mapping root (routes and maps included). */
void mw_cfg_read_top(loader *L, struct fy_node *root);
/* Applies the MESHGATE_* entries of envp over the file's texts. */
void mw_cfg_read_env(loader *L, char *const *envp);
/* ---- mw_config_check.c ---- */

/* Converts every text into L->c, computes the defaults that depend on other values, and checks
 * the configuration as a whole (routes, limits, placeholders, ingest, librdkafka, and checks'
 * schema set and catalog when checks is not NULL). */
void mw_cfg_convert_check(loader *L, const mw_config_checks *checks);

#endif
