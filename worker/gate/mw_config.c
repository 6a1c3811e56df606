/* mw_config.c - the worker's configuration: one YAML file (libfyaml), overridden by MESHGATE_*
 * environment variables, checked as a whole.
 *
 * Design: every scalar key is a row of one table (path, type, range, default, field offset),
 * so the file, the environment and the checks all read the same rows. Loading has three
 * steps: the file gives each key its text and where that text came from (line), the
 * environment replaces texts (MESHGATE_ + the path upper-cased, '.' and "[i]." as '_'), then
 * every text is converted and checked. So an environment value that fixes a bad file value
 * leaves no error, and every error names where the text that caused it came from: the file
 * and line, or the variable. Problems are collected, one line each, and counted, so a person
 * fixes them all in one go. kafka:/consumer:/producer: are property maps passed to librdkafka
 * as text (their variables turn '_' into '.'); load already tries each on a scratch
 * rd_kafka_conf_t so that they are reported with the rest (mw_config_kafka.c builds the real
 * ones). Ownership: the loader's texts
 * point into the YAML document or envp and live only during mw_config_load; everything in
 * mw_config is heap-owned by it until mw_config_free. Runs once at start, on the main thread;
 * no state outside the loader.
 * This file is the API (load, free, diff, the validator settings); the steps are
 * mw_config_read.c (the file and the environment give the texts) and mw_config_check.c
 * (conversion, computed defaults, checks), both on mw_config_keys.c (the key tables, the
 * phrases and the problem list); mw_config_int.h is what they share.
 */
#include "mw_config.h"

#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_config_int.h"

/* ---- the API ---- */

static void free_kv(mw_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void mw_config_free(mw_config *c)
{
    if (!c) return;
    for (size_t i = 0; i < NTOP; i++)
        if (mw_cfg_top_keys[i].type == K_STR) free(*(char **)((char *)c + mw_cfg_top_keys[i].off));
    for (size_t r = 0; r < c->n_routes; r++)
        for (size_t i = 0; i < NROUTE; i++)
            if (mw_cfg_route_keys[i].type == K_STR)
                free(*(char **)((char *)&c->routes[r] + mw_cfg_route_keys[i].off));
    free(c->routes);
    for (int m = 0; m < NMAPS; m++)
        free_kv(*mw_cfg_kv_of(c, m), *mw_cfg_n_kv_of(c, m));
    free(c->path);
    memset(c, 0, sizeof *c);
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

size_t mw_config_diff(const mw_config *a, const mw_config *b, bool with_schemas,
                      void (*fn)(void *arg, const char *key), void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < NTOP; i++) {
        const keydef *k = &mw_cfg_top_keys[i];
        if (!with_schemas && strcmp(k->path, "schemas") == 0) continue;
        const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;
        bool same = k->type == K_STR    ? str_eq(*(char *const *)pa, *(char *const *)pb)
                    : k->type == K_U32  ? *(const uint32_t *)pa == *(const uint32_t *)pb
                    : k->type == K_SIZE ? *(const uint64_t *)pa == *(const uint64_t *)pb
                                        : *(const int *)pa == *(const int *)pb;
        if (!same && ++n) fn(arg, k->path);
    }
    for (int m = 0; m < NMAPS; m++) {
        mw_kv *ka = *mw_cfg_kv_of((mw_config *)a, m), *kb = *mw_cfg_kv_of((mw_config *)b, m);
        size_t na = *mw_cfg_n_kv_of((mw_config *)a, m), nb = *mw_cfg_n_kv_of((mw_config *)b, m);
        bool same = na == nb;
        for (size_t i = 0; same && i < na; i++)
            same = str_eq(ka[i].key, kb[i].key) && str_eq(ka[i].value, kb[i].value);
        if (!same && ++n) fn(arg, mw_cfg_map_names[m]);
    }
    return n;
}

mg_validator_conf mw_config_validator_conf(const mw_config *c)
{
    mg_validator_conf vc = {.max_errors = 1};
    if (!c) return vc;
    vc.max_bytes = c->max_message_bytes;
    vc.max_steps = c->max_steps;
    vc.max_depth = c->max_depth;
    vc.max_refs = c->max_refs;
    for (size_t i = 0; i < c->n_routes; i++)
        if (c->routes[i].dl_errors > vc.max_errors) vc.max_errors = c->routes[i].dl_errors;
    return vc;
}

int mw_config_load(mw_config *out, const char *path, char *const *envp,
                   const mw_config_checks *checks, char *errstr, size_t errlen)
{
    memset(out, 0, sizeof *out);
    loader L = {.c = out, .file = path ? path : "(no file)"};
    out->path = mw_cfg_dup(&L, L.file);
    struct fy_document *doc = path ? mw_cfg_parse_file(&L) : NULL;
    if (!path) mw_cfg_report(&L, NULL, 0, "", "no configuration file given");
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    bool mapping = root && fy_node_get_type(root) == FYNT_MAPPING;
    if (doc && !mapping)
        mw_cfg_report(&L, NULL, mw_cfg_line_of(root), "",
                      "expected a mapping of keys at the top level (schemas, group, routes, ...)");
    if (mapping) {
        L.root_line = mw_cfg_line_of(root);
        mw_cfg_read_top(&L, root);
        mw_cfg_read_env(&L, envp);
        mw_cfg_convert_check(&L, checks);
    }
    if (doc) fy_parse_document_destroy(L.parser, doc);
    if (L.parser) fy_parser_destroy(L.parser);
    free(L.routes);
    for (int m = 0; m < NMAPS; m++)
        free(L.kv_src[m]);
    mw_cfg_write_problems(&L, errstr, errlen);
    if (L.n_errs) mw_config_free(out);
    return L.n_errs;
}
