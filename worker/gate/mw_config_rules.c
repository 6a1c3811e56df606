/* mw_config_rules.c - the rules of the configuration that need no knowledge of where its
 * values came from: the syntax of values (integers, byte sizes, topic names, HOST:PORT),
 * unexpanded ${VAR} placeholders and cycles among the routes. mw_config_check.c reports what they
 * find with the file and line.
 *
 * Design: pure functions of the mw_config. Routes form a graph (an edge from a route to the
 * route whose input is its output or its dead-letter topic; inputs are unique, so a route has
 * at most two edges); a depth-first search with an explicit stack (no recursion: a contract
 * may generate thousands of routes) reports each edge that closes a cycle once.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_config.h"

bool mw_config_parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool mw_config_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        unsigned shift;
    } units[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}};
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (n < 3 || strcmp(s + n - 3, units[i].suffix) != 0) continue;
        size_t digits = n - 3;
        if (digits > 0 && s[digits - 1] == ' ') digits--;
        uint64_t v;
        if (!mw_config_parse_u64(s, digits, &v) || v > UINT64_MAX >> units[i].shift) return false;
        *out = v << units[i].shift;
        return true;
    }
    return mw_config_parse_u64(s, n, out);
}

bool mw_config_topic_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i])) return false;
    return true;
}

bool mw_config_listen_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    uint64_t port;
    return colon && colon != s && mw_config_parse_u64(colon + 1, strlen(colon + 1), &port) &&
           port <= 65535;
}

const char *mw_config_placeholder(const char *s, size_t *len)
{
    for (const char *p = s ? strstr(s, "${") : NULL; p; p = strstr(p + 2, "${")) {
        const char *q = p + 2;
        if (!isalpha((unsigned char)*q) && *q != '_') continue;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        if (*q != '}') continue;
        *len = (size_t)(q + 1 - p);
        return p;
    }
    return NULL;
}

/* The route whose input is topic, or -1. */
static long route_by_input(const mw_config *c, const char *topic)
{
    for (size_t i = 0; topic && i < c->n_routes; i++)
        if (c->routes[i].input && strcmp(c->routes[i].input, topic) == 0) return (long)i;
    return -1;
}

/* "routes[a] -> routes[b] -> ... -> routes[a]" for the stack part from..top then from. */
static void cycle_path(char *buf, size_t cap, const size_t *stack, size_t from, size_t top)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = from; i <= top + 1 && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%sroutes[%zu]", i > from ? " -> " : "",
                         stack[i <= top ? i : from]);
        if (w < 0 || (size_t)w >= cap - len) {
            snprintf(buf + (cap > 4 ? cap - 4 : 0), cap > 4 ? 4 : cap, "...");
            return;
        }
        len += (size_t)w;
    }
}

enum { WHITE, GREY, BLACK };

size_t mw_config_cycles(const mw_config *c, mw_route_cycle *out, size_t cap)
{
    size_t n = c->n_routes, found = 0;
    unsigned char *colour = calloc(n ? n : 1, 1), *next_edge = calloc(n ? n : 1, 1);
    size_t *stack = calloc(n ? n : 1, sizeof *stack), *at = calloc(n ? n : 1, sizeof *at);
    if (!colour || !next_edge || !stack || !at) goto done;
    for (size_t start = 0; start < n; start++) {
        if (colour[start] != WHITE) continue;
        size_t top = 0;
        stack[0] = start;
        at[start] = 0;
        colour[start] = GREY;
        for (;;) {
            size_t u = stack[top];
            if (next_edge[u] == 2) { /* both edges followed */
                colour[u] = BLACK;
                if (top-- == 0) break;
                continue;
            }
            bool dlq = next_edge[u]++ == 1;
            const mw_route *rt = &c->routes[u];
            long v = route_by_input(c, dlq ? rt->dead_letter : rt->output);
            if (v < 0 || (size_t)v == u) continue; /* a route onto itself is refused earlier */
            if (colour[v] == WHITE) {
                stack[++top] = (size_t)v;
                at[v] = top;
                colour[v] = GREY;
            } else if (colour[v] == GREY) {
                if (found < cap) {
                    out[found] = (mw_route_cycle){u, dlq, ""};
                    cycle_path(out[found].path, sizeof out[found].path, stack, at[v], top);
                }
                found++;
            }
        }
    }
done:
    free(colour);
    free(next_edge);
    free(stack);
    free(at);
    return found;
}
