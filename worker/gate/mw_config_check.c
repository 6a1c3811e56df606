/* mw_config_check.c - the last step of loading the configuration: every key's text is
 * converted into mw_config, the defaults that depend on other values are computed, and the
 * whole is checked.
 *
 * Design: each text is converted by its row (type, range, flags) and a bad one is blamed on
 * where it came from, with the values that were expected; a required key that is missing is
 * blamed on its table's line. The checks between keys then run on the converted values
 * (routes: outputs, dead-letter topics, duplicates, cycles; limits that must be in order;
 * "${VAR}" left unexpanded), then those of mw_config_ingest.c and mw_config_kafka.c, and the
 * caller's checks of the schema set and the catalog. Every problem is reported, none stops the
 * others. Main thread only, on the loader's state (mw_config_int.h).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mw_config_int.h"

/* ---- values ---- */

/* Converts text into the field of key k at base, or reports why it cannot. */
static void convert(loader *L, const keydef *k, void *base, const origin *o, const char *text,
                    const char *path)
{
    char *field = (char *)base + k->off;
    char want[160];
    uint64_t v = 0;
    bool ok = true;
    switch (k->type) {
    case K_STR:
        if (!*text)
            ok = k->flags & F_EMPTY_OK;
        else if (k->flags & F_TOPIC)
            ok = mw_config_topic_ok(text);
        else if (k->flags & F_LISTEN)
            ok = mw_config_listen_ok(text);
        if (ok) {
            free(*(char **)field);
            *(char **)field = mw_cfg_dup(L, text);
        }
        break;
    case K_ENUM:
        ok = false;
        for (int i = 0; mw_cfg_enum_names(k)[i] && !ok; i++)
            if (strcmp(text, mw_cfg_enum_names(k)[i]) == 0) {
                *(int *)field = i;
                ok = true;
            }
        break;
    case K_ATTRS:
        ok = strcmp(text, "all") == 0 || strcmp(text, "required") == 0;
        if (ok) *(bool *)field = text[0] == 'r';
        break;
    case K_U32:
    case K_SIZE:
        ok = k->type == K_U32 ? mw_config_parse_u64(text, strlen(text), &v)
                              : mw_config_parse_size(text, &v);
        ok = ok && ((v >= k->min && v <= k->max) || (v == 0 && (k->flags & F_ZERO_OK)));
        if (ok && k->type == K_U32) *(uint32_t *)field = (uint32_t)v;
        if (ok && k->type == K_SIZE) *(uint64_t *)field = v;
        break;
    }
    if (!ok) {
        mw_cfg_expected(k, want, sizeof want);
        mw_cfg_report(L, o, 0, path, "expected %s, got \"%s\"", want, text);
    }
}

/* ---- conversion and checks ---- */

/* Converts the texts of one table (top level or one route) into base. */
static void convert_all(loader *L, const keydef *keys, size_t n, origin *src, void *base,
                        const char *prefix, int line, const char *route_input)
{
    char path[300], input[300] = "";
    if (route_input) snprintf(input, sizeof input, " (input %s)", route_input);
    for (size_t i = 0; i < n; i++) {
        const keydef *k = &keys[i];
        snprintf(path, sizeof path, "%s%s", prefix, k->path);
        if (src[i].text) {
            if ((k->flags & F_REQUIRED) && !*src[i].text)
                mw_cfg_report(L, &src[i], 0, path, "empty; %s %s%s",
                              *prefix ? "every route needs" : "meshgate needs", k->need, input);
            else
                convert(L, k, base, &src[i], src[i].text, path);
        } else if (k->dflt) {
            convert(L, k, base, NULL, k->dflt, path);
        } else if (k->flags & F_REQUIRED) {
            mw_cfg_report(L, NULL, line, path, "missing; %s %s%s",
                          *prefix ? "every route needs" : "meshgate needs", k->need, input);
        }
    }
}

/* worker_id, workers: 0, routes[i].type: the defaults computed from other values. */
static void computed_defaults(loader *L)
{
    mw_config *c = L->c;
    if (!c->worker_id) {
        char host[256] = "meshgate", id[300];
        if (gethostname(host, sizeof host) != 0) strcpy(host, "meshgate");
        host[sizeof host - 1] = 0;
        snprintf(id, sizeof id, "%s-%ld", host, (long)getpid());
        c->worker_id = mw_cfg_dup(L, id);
    }
    if (c->workers == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
        c->workers = n > 0 ? (uint32_t)n : 1;
    }
    for (size_t r = 0; r < c->n_routes; r++) {
        mw_route *rt = &c->routes[r];
        if (rt->type || !rt->schema || !rt->schema_version) continue;
        size_t n = strlen(rt->schema) + strlen(rt->schema_version) + 3;
        rt->type = malloc(n);
        if (rt->type)
            snprintf(rt->type, n, "%s.v%s", rt->schema, rt->schema_version);
        else
            mw_cfg_report(L, NULL, 0, "", "out of memory");
    }
}

static void check_routes(loader *L)
{
    mw_config *c = L->c;
    char path[64];
    if (!L->routes_seen)
        mw_cfg_report(L, NULL, L->root_line, "routes", "missing; at least one route is required");
    for (size_t r = 0; r < c->n_routes; r++) {
        const mw_route *rt = &c->routes[r];
        const origin *k = L->routes[r].k;
        if (!rt->input) continue;
        if (rt->output && strcmp(rt->output, rt->input) == 0) {
            snprintf(path, sizeof path, "routes[%zu].output", r);
            mw_cfg_report(L, &k[RK_OUTPUT], 0, path,
                          "%s is also the route's input; the output must differ", rt->output);
        }
        if (rt->dead_letter && ((rt->output && strcmp(rt->dead_letter, rt->output) == 0) ||
                                strcmp(rt->dead_letter, rt->input) == 0)) {
            snprintf(path, sizeof path, "routes[%zu].dead_letter", r);
            mw_cfg_report(L, &k[RK_DEAD_LETTER], 0, path,
                          "%s is also the route's %s; the dead-letter topic must differ from both",
                          rt->dead_letter,
                          strcmp(rt->dead_letter, rt->input) == 0 ? "input" : "output");
        }
        for (size_t q = 0; q < r; q++)
            if (c->routes[q].input && strcmp(c->routes[q].input, rt->input) == 0) {
                snprintf(path, sizeof path, "routes[%zu].input", r);
                mw_cfg_report(
                    L, &k[RK_INPUT], 0, path,
                    "duplicate input topic %s (also routes[%zu].input); one route per input",
                    rt->input, q);
                break;
            }
    }
    mw_route_cycle cyc[16];
    size_t n = mw_config_cycles(c, cyc, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        const mw_route *rt = &c->routes[cyc[i].route];
        int key = cyc[i].dead_letter ? RK_DEAD_LETTER : RK_OUTPUT;
        snprintf(path, sizeof path, "routes[%zu].%s", cyc[i].route, mw_cfg_route_keys[key].path);
        mw_cfg_report(L, &L->routes[cyc[i].route].k[key], L->routes[cyc[i].route].line, path,
                      "%s leads back to this route: a cycle %s, so every message would be produced "
                      "again and again; no output or dead-letter topic may lead back to its route",
                      cyc[i].dead_letter ? rt->dead_letter : rt->output, cyc[i].path);
    }
    if (n > 16) mw_cfg_report(L, NULL, L->root_line, "routes", "%zu more cycles", n - 16);
}

/* Reports the placeholder p[0..len) found in the value of path. */
static void placeholder(loader *L, const origin *o, const char *path, const char *p, size_t len)
{
    char var[320];
    mw_cfg_env_name(var, sizeof var, path);
    if (o->var)
        mw_cfg_report(L, o, 0, path,
                      "\"%.*s\" looks like a variable nobody expanded; give the value", (int)len,
                      p);
    else
        mw_cfg_report(
            L, o, 0, path,
            "\"%.*s\" looks like a variable nobody expanded; meshgate does not expand ${...} "
            "in the file: set %s instead, or expand the file before (envsubst)",
            (int)len, p, var);
}

/* A check between two keys a <= b: blames b's text if it was set, else a's. */
static void check_order(loader *L, size_t ia, uint64_t a, size_t ib, uint64_t b)
{
    if (a <= b) return;
    size_t blame = L->top[ib].text ? ib : ia;
    mw_cfg_report(L, L->top[blame].text ? &L->top[blame] : NULL, 0, mw_cfg_top_keys[blame].path,
                  "%s (%llu) must be at least %s (%llu)", mw_cfg_top_keys[ib].path,
                  (unsigned long long)b, mw_cfg_top_keys[ia].path, (unsigned long long)a);
}

static void check_limits(loader *L)
{
    const mw_config *c = L->c;
    size_t i_msg = 0, i_infl = 0, i_back = 0, i_max = 0, i_ip = 0, i_conn = 0;
    mw_cfg_find_key(mw_cfg_top_keys, NTOP, "limits.max_message_bytes", &i_msg);
    mw_cfg_find_key(mw_cfg_top_keys, NTOP, "limits.max_inflight_bytes", &i_infl);
    mw_cfg_find_key(mw_cfg_top_keys, NTOP, "retry.backoff_ms", &i_back);
    mw_cfg_find_key(mw_cfg_top_keys, NTOP, "retry.backoff_max_ms", &i_max);
    mw_cfg_find_key(mw_cfg_top_keys, NTOP, "http.max_connections_per_ip", &i_ip);
    mw_cfg_find_key(mw_cfg_top_keys, NTOP, "http.max_connections", &i_conn);
    if (c->max_message_bytes && c->max_inflight_bytes)
        check_order(L, i_msg, c->max_message_bytes, i_infl, c->max_inflight_bytes);
    if (c->retry_backoff_ms && c->retry_backoff_max_ms)
        check_order(L, i_back, c->retry_backoff_ms, i_max, c->retry_backoff_max_ms);
    if (c->http_max_connections_per_ip && c->http_max_connections)
        check_order(L, i_ip, c->http_max_connections_per_ip, i_conn, c->http_max_connections);
    int m;
    size_t i;
    const char *v = mw_config_prop(c, true, "message.max.bytes", &m, &i);
    uint64_t have, need = c->max_message_bytes + MW_RECORD_RESERVE;
    if (c->max_message_bytes && v && mw_config_parse_u64(v, strlen(v), &have) && have < need) {
        char path[64];
        snprintf(path, sizeof path, "%s.message.max.bytes", mw_cfg_map_names[m]);
        mw_cfg_report(
            L, &L->kv_src[m][i], 0, path,
            "%llu is less than limits.max_message_bytes (%llu) plus the %u bytes meshgate "
            "reserves for a record's key, headers and envelope, so a message within the limit "
            "could not be produced; set at least %llu, or lower limits.max_message_bytes",
            (unsigned long long)have, (unsigned long long)c->max_message_bytes, MW_RECORD_RESERVE,
            (unsigned long long)need);
    }
}

/* Values that still look like "${VAR}": an environment variable nobody expanded. */
static void check_placeholders(loader *L)
{
    char path[300], name[300];
    size_t len;
    const char *p;
    for (size_t i = 0; i < NTOP; i++)
        if ((p = mw_config_placeholder(L->top[i].text, &len)))
            placeholder(L, &L->top[i], mw_cfg_top_keys[i].path, p, len);
    for (size_t r = 0; r < L->c->n_routes && L->routes; r++)
        for (size_t i = 0; i < NROUTE; i++)
            if ((p = mw_config_placeholder(L->routes[r].k[i].text, &len))) {
                snprintf(path, sizeof path, "routes[%zu].%s", r, mw_cfg_route_keys[i].path);
                placeholder(L, &L->routes[r].k[i], path, p, len);
            }
    for (int m = 0; m < NMAPS; m++)
        for (size_t i = 0; i < *mw_cfg_n_kv_of(L->c, m); i++)
            if ((p = mw_config_placeholder((*mw_cfg_kv_of(L->c, m))[i].value, &len))) {
                snprintf(name, sizeof name, "%s.%s", mw_cfg_map_names[m],
                         (*mw_cfg_kv_of(L->c, m))[i].key);
                placeholder(L, &L->kv_src[m][i], name, p, len);
            }
}

/* ---- librdkafka ---- */

/* One problem found by mw_config_kafka_check, about property idx of map m (m < 0: none). A
 * value from a variable names the property too (its variable's name is less obvious). */
static void kafka_problem(void *arg, int m, size_t idx, const char *path, const char *text)
{
    loader *L = arg;
    const origin *o = m >= 0 ? &L->kv_src[m][idx] : NULL;
    if (o && o->var)
        mw_cfg_report(L, o, 0, path, "%s: %s", path, text);
    else
        mw_cfg_report(L, o, L->root_line, path, "%s", text);
}

/* One problem of mw_config_ingest_check, blamed on the text of its key. */
static void ingest_problem(void *arg, long r, const char *key, const char *text)
{
    loader *L = arg;
    char path[300];
    size_t i;
    if (r < 0 && mw_cfg_find_key(mw_cfg_top_keys, NTOP, key, &i))
        mw_cfg_report(L, L->top[i].text ? &L->top[i] : NULL, L->root_line, key, "%s", text);
    else if (r >= 0 && mw_cfg_find_key(mw_cfg_route_keys, NROUTE, key, &i)) {
        snprintf(path, sizeof path, "routes[%ld].%s", r, key);
        const origin *o = L->routes[r].k[i].text ? &L->routes[r].k[i] : NULL;
        size_t on; /* a key left out: the problem comes from ingest: on, so its line */
        if (!o && mw_cfg_find_key(mw_cfg_route_keys, NROUTE, "ingest", &on) &&
            L->routes[r].k[on].text)
            o = &L->routes[r].k[on];
        mw_cfg_report(L, o, L->routes[r].line, path, "%s", text);
    }
}

/* The schema set and the catalog, through the caller's callbacks. */
static void check_external(loader *L, const mw_config_checks *x)
{
    mw_config *c = L->c;
    char why[2048], path[300];
    size_t i;
    if (x->open_schemas && c->schemas && *c->schemas &&
        mw_cfg_find_key(mw_cfg_top_keys, NTOP, "schemas", &i)) {
        if (!x->open_schemas(x->arg, c->schemas, why, sizeof why)) {
            mw_cfg_report(L, L->top[i].text ? &L->top[i] : NULL, L->root_line, "schemas", "%s",
                          why);
        } else if (x->has_schema) {
            for (size_t r = 0; r < c->n_routes; r++) {
                const char *name = c->routes[r].schema;
                if (!name || x->has_schema(x->arg, name, why, sizeof why)) continue;
                snprintf(path, sizeof path, "routes[%zu].schema", r);
                mw_cfg_report(L, &L->routes[r].k[RK_SCHEMA], L->routes[r].line, path,
                              "no schema named \"%s\" in %s; it has: %s", name, c->schemas, why);
            }
        }
    }
    if (x->open_catalog && c->catalog && *c->catalog &&
        mw_cfg_find_key(mw_cfg_top_keys, NTOP, "catalog", &i) &&
        !x->open_catalog(x->arg, c->catalog, why, sizeof why))
        mw_cfg_report(L, L->top[i].text ? &L->top[i] : NULL, L->root_line, "catalog", "%s", why);
}

void mw_cfg_convert_check(loader *L, const mw_config_checks *checks)
{
    mw_config *out = L->c;
    convert_all(L, mw_cfg_top_keys, NTOP, L->top, out, "", L->root_line, NULL);
    for (size_t r = 0; r < out->n_routes; r++) {
        if (L->routes[r].malformed) continue;
        char prefix[48];
        snprintf(prefix, sizeof prefix, "routes[%zu].", r);
        const char *input = L->routes[r].k[RK_INPUT].text;
        convert_all(L, mw_cfg_route_keys, NROUTE, L->routes[r].k, &out->routes[r], prefix,
                    L->routes[r].line, input && *input ? input : NULL);
    }
    computed_defaults(L);
    check_routes(L);
    check_limits(L);
    check_placeholders(L);
    mw_config_ingest_check(out, ingest_problem, L);
    mw_config_kafka_check(out, checks && checks->brokers, checks && checks->clients, kafka_problem,
                          L);
    if (checks) check_external(L, checks);
}
