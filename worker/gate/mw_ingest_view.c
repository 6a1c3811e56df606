/* mw_ingest_view.c - what HTTP ingest serves between two reloads, and how it follows one: a
 * view is the ingest routes of one generation's configuration (mw_reload.c) with their
 * schemas, credentials, documents and topic handles, made on the main thread beside the view
 * in use and published when the reload succeeds, so that HTTP input and Kafka input of one
 * route are judged by the same generation.
 *
 * Design: a view is immutable once published. The main thread hands it over through a
 * one-slot mailbox (an atomic pointer): the HTTP thread (mw_http.c runs every ingest callback
 * on its one thread) takes it with an exchange at the start of its next request or serving
 * round and makes it current, dropping its reference on the one before. A request takes a
 * reference on the current view when it starts and drops it when it is freed, so it finishes
 * with the view it started with, never a mix. Only the HTTP thread raises a count, and only on
 * the view it holds as current, so once a replaced view's count is zero nothing can raise it
 * again: the main thread frees it then (mw_ingest_collect, in the pass that collects retired
 * generations), releasing its pin on its generation, whose schema set may then be unloaded. A
 * view published while the one before still sat in the mailbox comes back to the main thread
 * from the exchange, never seen by the HTTP thread, and is freed at once. The idempotency
 * cache is the process's, so a key outlives a reload, but the keys of a route the view taken
 * no longer has are forgotten then (the HTTP thread owns the cache). The release of a
 * count pairs with the acquire of the main thread's check, so the HTTP thread's last reads of
 * a view happen before it is freed. No lock, and the per-request cost is one atomic add and
 * one subtract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_ingest_int.h"

static void view_free(mw_ingest_view *v)
{
    for (size_t i = 0; i < v->n_rt; i++) {
        if (v->rt[i].rkt) rd_kafka_topic_destroy(v->rt[i].rkt);
        free(v->rt[i].schema_doc);
        free(v->rt[i].openapi);
        mw_creds_free(v->rt[i].creds);
    }
    free(v->rt);
    free(v->creds);
    if (v->pin) (*v->pin)--;
    free(v);
}

/* The series of the start-up route with input `input`, or NULL. */
static ig_count *series(const mw_ingest *g, const char *input)
{
    for (size_t i = 0; i < g->cfg->n_routes; i++)
        if (strcmp(g->cfg->routes[i].input, input) == 0) return &g->count[i];
    return NULL;
}

mw_ingest_view *mw_ingest_view_new(mw_ingest *g, const mw_config *cfg, const mg_schema_set *set,
                                   const mw_catalog *cat, uint32_t *pin, char *errstr,
                                   size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_routes; i++)
        n += cfg->routes[i].ingest == MW_INGEST_ON;
    if (n && !atomic_load_explicit(&g->live, memory_order_relaxed) &&
        !mw_ingest_start(g, errstr, errlen))
        return NULL;
    mw_ingest_view *v = calloc(1, sizeof *v);
    if (v) {
        v->rt = calloc(n ? n : 1, sizeof *v->rt);
        v->creds = calloc(n ? n : 1, sizeof *v->creds);
    }
    if (!v || !v->rt || !v->creds) {
        if (v) view_free(v);
        snprintf(errstr, errlen, "http ingest: out of memory");
        return NULL;
    }
    atomic_init(&v->refs, 1);
    for (size_t i = 0; i < cfg->n_routes; i++) {
        const mw_route *r = &cfg->routes[i];
        if (r->ingest != MW_INGEST_ON) continue;
        ig_route *rt = &v->rt[v->n_rt];
        rt->r = r;
        rt->decide = *r;
        rt->decide.schema_id = MW_WIRE_NONE;
        rt->s = mg_schema_find(set, r->schema);
        rt->creds = &v->creds[v->n_rt];
        rt->count = series(g, r->input);
        if (!rt->count) rt->count = &rt->sink;
        v->n_rt++;
        rt->rkt = rd_kafka_topic_new(g->producer, r->output, NULL);
        const char *p = mw_config_ingest_path(r, rt->path, sizeof rt->path);
        if (p != rt->path) snprintf(rt->path, sizeof rt->path, "%s", p);
        rt->path_len = strlen(rt->path);
        if (!rt->s) {
            snprintf(errstr, errlen, "routes[%zu].schema: %s is not in the schema set", i,
                     r->schema);
            view_free(v);
            return NULL;
        }
        if (!rt->rkt || !mw_creds_load(rt->creds, r, i, errstr, errlen)) {
            if (!rt->rkt) snprintf(errstr, errlen, "routes[%zu].output: no topic handle", i);
            view_free(v);
            return NULL;
        }
        mw_ingest_docs(rt, cat);
    }
    if (pin) mw_ingest_view_pin(v, pin);
    return v;
}

void mw_ingest_view_pin(mw_ingest_view *v, uint32_t *pin)
{
    v->pin = pin;
    (*pin)++;
}

void mw_ingest_publish(mw_ingest *g, mw_ingest_view *v)
{
    v->next = g->views;
    g->views = v;
    mw_ingest_view *unseen = atomic_exchange_explicit(&g->mailbox, v, memory_order_acq_rel);
    if (unseen) atomic_store_explicit(&unseen->refs, 0, memory_order_relaxed);
}

/* Whether v has an ingest route with input `input`. */
static bool has_route(const mw_ingest_view *v, const char *input)
{
    for (size_t i = 0; i < v->n_rt; i++)
        if (strcmp(v->rt[i].r->input, input) == 0) return true;
    return false;
}

void mw_ingest_adopt(mw_ingest *g)
{
    if (!atomic_load_explicit(&g->mailbox, memory_order_relaxed)) return;
    mw_ingest_view *v = atomic_exchange_explicit(&g->mailbox, NULL, memory_order_acq_rel);
    if (!v) return;
    mw_ingest_view *old = g->cur;
    g->cur = v;
    if (!old) return;
    for (size_t i = 0; g->idem && i < old->n_rt; i++) { /* a route gone: its keys too */
        if (has_route(v, old->rt[i].r->input)) continue;
        mw_sb p = {0};
        mw_ingest_idem_prefix(&p, &old->rt[i]);
        if (!p.oom) mw_idem_forget_prefix(g->idem, p.p, p.len);
        free(p.p);
    }
    atomic_fetch_sub_explicit(&old->refs, 1, memory_order_release);
}

size_t mw_ingest_collect(mw_ingest *g)
{
    size_t n = 0;
    for (mw_ingest_view **pp = &g->views; *pp;) {
        mw_ingest_view *v = *pp;
        if (atomic_load_explicit(&v->refs, memory_order_acquire)) {
            pp = &v->next;
            continue;
        }
        *pp = v->next;
        view_free(v);
        n++;
    }
    return n;
}

void mw_ingest_views_free(mw_ingest *g)
{
    while (g->views) {
        mw_ingest_view *v = g->views;
        g->views = v->next;
        view_free(v);
    }
    g->cur = NULL;
    atomic_store_explicit(&g->mailbox, NULL, memory_order_relaxed);
}
