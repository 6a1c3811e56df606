/* mw_config_read.c - the first two steps of loading the configuration: the YAML file and the
 * MESHGATE_* environment give each key its text and where that text came from.
 *
 * Design: nothing is converted here. The file (libfyaml, once mg_yaml's guard against alias bombs
 * and deep nesting passed it) is walked once: top-level keys and sections (limits:, http:, ...) by
 * the rows of mw_cfg_top_keys, each route by mw_cfg_route_keys, kafka:/consumer:/producer: as
 * property maps; each text is recorded with its line, and what is not a key or not a scalar is
 * reported there. Then each MESHGATE_ variable replaces the text of its key (routes only where the
 * file has them; a map's variable turns '_' into '.'), and an unknown one is reported. Texts point
 * into the document or envp: they live as long as the loader (mw_config_int.h). Main thread only.
 */
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_yaml.h"
#include "mw_config_int.h"

/* ---- the file ---- */

int mw_cfg_line_of(struct fy_node *n)
{
    if (!n) return 0;
    switch (fy_node_get_type(n)) {
    case FYNT_SCALAR: {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        return m ? m->line + 1 : 0;
    }
    case FYNT_MAPPING: {
        void *it = NULL;
        struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
        return p ? mw_cfg_line_of(fy_node_pair_key(p)) : 0;
    }
    case FYNT_SEQUENCE: {
        void *it = NULL;
        return mw_cfg_line_of(fy_node_sequence_iterate(n, &it));
    }
    }
    return 0;
}

/* The text of a scalar ("" for a YAML null: empty, ~, null), or NULL if not a scalar. */
static const char *scalar_text(struct fy_node *n)
{
    if (!n) return "";
    if (fy_node_get_type(n) != FYNT_SCALAR) return NULL;
    const char *s = fy_node_get_scalar0(n);
    if (!s) return "";
    if (fy_node_get_style(n) == FYNS_PLAIN && (strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
                                               strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0))
        return "";
    return s;
}

static const char *kind(struct fy_node *n)
{
    return fy_node_get_type(n) == FYNT_MAPPING ? "a mapping" : "a list";
}

/* Records the text of key k from value node v and where it is, or reports a non-scalar. */
static void take(loader *L, const keydef *k, origin *o, const char *path, struct fy_node *key,
                 struct fy_node *v)
{
    const char *text = scalar_text(v);
    char want[160];
    if (!text) {
        mw_cfg_expected(k, want, sizeof want);
        mw_cfg_report(L, NULL, mw_cfg_line_of(key), path, "expected %s, got %s", want, kind(v));
        return;
    }
    *o = (origin){text, mw_cfg_line_of(key), NULL};
}

/* "a, b, c": the keys of one level of a table ("" = top level, "limits." = a section). */
static void key_list(char *buf, size_t cap, const keydef *keys, size_t n, const char *level)
{
    size_t len = 0, pl = strlen(level);
    const char *last = NULL;
    size_t last_n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(keys[i].path, level, pl) != 0) continue;
        const char *name = keys[i].path + pl;
        size_t nl = strcspn(name, ".");
        if (last && nl == last_n && strncmp(name, last, nl) == 0) continue; /* section again */
        last = name;
        last_n = nl;
        int w = snprintf(buf + len, cap - len, "%s%.*s", len ? ", " : "", (int)nl, name);
        if (w < 0 || (size_t)w >= cap - len) return;
        len += (size_t)w;
    }
}

static void set_kv(loader *L, int m, const char *key, const char *val, origin o)
{
    mw_kv **kv = mw_cfg_kv_of(L->c, m);
    size_t *n = mw_cfg_n_kv_of(L->c, m), i;
    for (i = 0; i < *n && strcmp((*kv)[i].key, key) != 0; i++)
        ;
    char *v = mw_cfg_dup(L, val);
    if (!v) return;
    if (i == *n) {
        mw_kv *nk = realloc(*kv, (*n + 1) * sizeof *nk);
        if (nk) *kv = nk;
        origin *no = realloc(L->kv_src[m], (*n + 1) * sizeof *no);
        if (no) L->kv_src[m] = no;
        char *k = nk && no ? mw_cfg_dup(L, key) : NULL;
        if (!k) {
            if (!nk || !no) mw_cfg_report(L, NULL, 0, "", "out of memory");
            free(v);
            return;
        }
        nk[i] = (mw_kv){k, NULL};
        (*n)++;
    }
    free((*kv)[i].value);
    (*kv)[i].value = v;
    L->kv_src[m][i] = o;
}

static void read_map(loader *L, int m, struct fy_node *key, struct fy_node *map)
{
    const char *name = mw_cfg_map_names[m];
    if (!map || fy_node_get_type(map) != FYNT_MAPPING) {
        mw_cfg_report(L, NULL, mw_cfg_line_of(key), name,
                      "expected a mapping of librdkafka properties");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        const char *k = scalar_text(kn), *v = scalar_text(vn);
        char path[300];
        snprintf(path, sizeof path, "%s.%s", name, k && *k ? k : "?");
        if (!k || !*k)
            mw_cfg_report(L, NULL, mw_cfg_line_of(kn), name, "expected property names as keys");
        else if (!v)
            mw_cfg_report(L, NULL, mw_cfg_line_of(kn), path, "expected a scalar value, got %s",
                          kind(vn));
        else
            set_kv(L, m, k, v, (origin){NULL, mw_cfg_line_of(kn), NULL});
    }
}

static void read_route(loader *L, size_t r, struct fy_node *item, int routes_line)
{
    char path[300], list[300];
    route_src *rs = &L->routes[r];
    rs->line = mw_cfg_line_of(item) ? mw_cfg_line_of(item) : routes_line;
    if (fy_node_get_type(item) != FYNT_MAPPING) {
        rs->malformed = true;
        snprintf(path, sizeof path, "routes[%zu]", r);
        mw_cfg_report(L, NULL, rs->line, path,
                      "expected a mapping with input, schema, output, dead_letter and source");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(item, &it))) {
        struct fy_node *kn = fy_node_pair_key(p);
        const char *name = scalar_text(kn);
        size_t i;
        snprintf(path, sizeof path, "routes[%zu].%s", r, name && *name ? name : "?");
        const keydef *k = name ? mw_cfg_find_key(mw_cfg_route_keys, NROUTE, name, &i) : NULL;
        if (k) {
            take(L, k, &rs->k[i], path, kn, fy_node_pair_value(p));
        } else {
            key_list(list, sizeof list, mw_cfg_route_keys, NROUTE, "");
            mw_cfg_report(L, NULL, mw_cfg_line_of(kn), path, "unknown key; expected one of %s",
                          list);
        }
    }
}

static void read_routes(loader *L, struct fy_node *key, struct fy_node *seq)
{
    L->routes_seen = true;
    if (!seq || fy_node_get_type(seq) != FYNT_SEQUENCE) {
        mw_cfg_report(L, NULL, mw_cfg_line_of(key), "routes", "expected a list of routes, got %s",
                      seq && fy_node_get_type(seq) == FYNT_MAPPING ? "a mapping" : "a scalar");
        return;
    }
    size_t n = (size_t)fy_node_sequence_item_count(seq);
    if (n == 0) {
        mw_cfg_report(L, NULL, mw_cfg_line_of(key), "routes",
                      "empty; at least one route is required");
        return;
    }
    L->c->routes = calloc(n, sizeof *L->c->routes);
    L->routes = calloc(n, sizeof *L->routes);
    if (!L->c->routes || !L->routes) {
        mw_cfg_report(L, NULL, 0, "", "out of memory");
        return;
    }
    L->c->n_routes = n;
    void *it = NULL;
    struct fy_node *item;
    for (size_t r = 0; r < n && (item = fy_node_sequence_iterate(seq, &it)); r++)
        read_route(L, r, item, mw_cfg_line_of(key));
}

/* A section such as limits: its keys are the mw_cfg_top_keys rows "limits.*". */
static void read_section(loader *L, const char *name, struct fy_node *key, struct fy_node *map)
{
    char path[300], level[64], list[300];
    snprintf(level, sizeof level, "%s.", name);
    if (!map || fy_node_get_type(map) != FYNT_MAPPING) {
        key_list(list, sizeof list, mw_cfg_top_keys, NTOP, level);
        mw_cfg_report(L, NULL, mw_cfg_line_of(key), name, "expected a mapping with %s", list);
        return;
    }
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *kn = fy_node_pair_key(p);
        const char *sub = scalar_text(kn);
        size_t i;
        snprintf(path, sizeof path, "%s.%s", name, sub && *sub ? sub : "?");
        const keydef *k = sub ? mw_cfg_find_key(mw_cfg_top_keys, NTOP, path, &i) : NULL;
        if (k) {
            take(L, k, &L->top[i], path, kn, fy_node_pair_value(p));
        } else {
            key_list(list, sizeof list, mw_cfg_top_keys, NTOP, level);
            mw_cfg_report(L, NULL, mw_cfg_line_of(kn), path, "unknown key; expected one of %s",
                          list);
        }
    }
}

void mw_cfg_read_top(loader *L, struct fy_node *root)
{
    char list[512], level[64];
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        const char *name = scalar_text(kn);
        if (!name || !*name) name = "?";
        size_t i;
        int m;
        for (m = 0; m < NMAPS && strcmp(name, mw_cfg_map_names[m]) != 0; m++)
            ;
        snprintf(level, sizeof level, "%s.", name);
        bool section = false;
        for (i = 0; i < NTOP && !section; i++)
            section = strncmp(mw_cfg_top_keys[i].path, level, strlen(level)) == 0;
        const keydef *k = mw_cfg_find_key(mw_cfg_top_keys, NTOP, name, &i);
        if (strcmp(name, "routes") == 0) {
            read_routes(L, kn, vn);
        } else if (m < NMAPS) {
            read_map(L, m, kn, vn);
        } else if (section) {
            read_section(L, name, kn, vn);
        } else if (k) {
            take(L, k, &L->top[i], name, kn, vn);
        } else {
            key_list(list, sizeof list, mw_cfg_top_keys, NTOP, "");
            mw_cfg_report(L, NULL, mw_cfg_line_of(kn), name,
                          "unknown key; expected one of %s, routes, kafka, consumer, producer",
                          list);
        }
    }
}

struct fy_document *mw_cfg_parse_file(loader *L)
{
    FILE *probe = fopen(L->file, "r");
    if (!probe) {
        mw_cfg_report(L, NULL, 0, "", "cannot read the configuration: %s", strerror(errno));
        return NULL;
    }
    fclose(probe);
    mg_yaml_limits lim = MG_YAML_LIMITS_DEFAULT;
    mg_yaml_problem yp;
    if (!mg_yaml_check_file(L->file, &lim, &yp)) {
        mw_cfg_report(L, NULL, yp.line, "", "%s (column %d)", yp.what, yp.column);
        return NULL;
    }
    struct fy_diag *diag = mg_yaml_quiet_diag();
    if (!diag) {
        mw_cfg_report(L, NULL, 0, "", "out of memory");
        return NULL;
    }
    struct fy_parse_cfg pc = {.flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT, .diag = diag};
    struct fy_document *doc = NULL, *next = NULL;
    L->parser = fy_parser_create(&pc);
    if (L->parser && fy_parser_set_input_file(L->parser, L->file) == 0) {
        doc = fy_parse_load_document(L->parser);
        next = doc ? fy_parse_load_document(L->parser) : NULL;
    }
    void *it = NULL;
    struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
    if (de)
        mw_cfg_report(L, NULL, de->line, "", "not valid YAML: %s (column %d)", de->msg, de->column);
    else if (!doc)
        mw_cfg_report(L, NULL, 0, "",
                      "empty or not YAML; expected a mapping of keys (schemas, group, "
                      "routes, ...)");
    else if (next)
        mw_cfg_report(L, NULL, mw_cfg_line_of(fy_document_root(next)), "",
                      "a second YAML document; the configuration is one document");
    if (next) fy_parse_document_destroy(L->parser, next);
    if (doc && (de || next)) {
        fy_parse_document_destroy(L->parser, doc);
        doc = NULL;
    }
    fy_diag_destroy(diag); /* the parser holds its own reference */
    return doc;
}

/* ---- the environment ---- */

/* Applies one "MESHGATE_NAME=VALUE" entry of envp. */
static void apply_env(loader *L, const char *entry)
{
    size_t nl = strcspn(entry, "=");
    const char *val = entry + nl + (entry[nl] ? 1 : 0);
    const char *rest = entry + 9;
    size_t rl = nl - 9;
    origin o = {val, 0, entry};
    char want[300], path[300];
    if (rl == 6 && strncmp(rest, "CONFIG", 6) == 0) return; /* the CLI's */
    for (int m = 0; m < NMAPS; m++) {
        size_t pl = strlen(mw_cfg_map_names[m]);
        if (rl <= pl + 1 || rest[pl] != '_') continue;
        size_t i;
        for (i = 0; i < pl && rest[i] == toupper((unsigned char)mw_cfg_map_names[m][i]); i++)
            ;
        if (i < pl) continue;
        char prop[256];
        size_t n = 0;
        for (const char *p = rest + pl + 1; p < entry + nl && n + 1 < sizeof prop; p++)
            prop[n++] = *p == '_' ? '.' : (char)tolower((unsigned char)*p);
        prop[n] = 0;
        set_kv(L, m, prop, val, o);
        return;
    }
    for (size_t i = 0; i < NTOP; i++) {
        mw_cfg_env_name(want, sizeof want, mw_cfg_top_keys[i].path);
        if (strlen(want) == nl && strncmp(want, entry, nl) == 0) {
            L->top[i] = o;
            return;
        }
    }
    for (size_t r = 0; r < L->c->n_routes && L->routes; r++)
        for (size_t i = 0; i < NROUTE; i++) {
            snprintf(path, sizeof path, "routes[%zu].%s", r, mw_cfg_route_keys[i].path);
            mw_cfg_env_name(want, sizeof want, path);
            if (strlen(want) == nl && strncmp(want, entry, nl) == 0) {
                L->routes[r].k[i] = o;
                return;
            }
        }
    if (rl > 7 && strncmp(rest, "ROUTES_", 7) == 0 && isdigit((unsigned char)rest[7]))
        mw_cfg_report(L, &o, 0, "",
                      "unknown variable; route variables only override routes present in the file "
                      "(%zu there)",
                      L->c->n_routes);
    else
        mw_cfg_report(
            L, &o, 0, "",
            "unknown variable; no configuration key has this name (docs/configuration.md)");
}

void mw_cfg_read_env(loader *L, char *const *envp)
{
    for (char *const *v = envp; v && *v; v++)
        if (strncmp(*v, "MESHGATE_", 9) == 0 && strcspn(*v, "=") > 9) apply_env(L, *v);
}
