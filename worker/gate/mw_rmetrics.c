/* mw_rmetrics.c - metrics per route (a data product: an input topic checked against one schema
 * version): counts, rejects by reason and by the keyword location that failed, an example of
 * each, validation and end-to-end latency, rates over the last seconds.
 *
 * Design: the message path stays lock-free and allocation-free, as in mw_metrics.c. Counts and
 * the validation histogram live in one block per (worker thread, route) written only by that
 * thread with relaxed adds; the blocks of one thread are contiguous and cache-line aligned, so
 * threads never share a written line; readers sum them. What is shared per route takes no lock
 * either:
 *  - keyword slots: the first MW_KW_SLOTS distinct keyword locations a route's schema rejects
 *    on claim a slot (compare-and-swap free -> busy, write the text, release-store ready) and
 *    keep it for the life of the process; later locations count as "other". Cardinality is
 *    bounded, and every series only ever grows (a top-N that re-ranked would move counts
 *    between series and make counters go down). Two threads may claim two slots for the same
 *    new text at once; readers merge slots with equal texts.
 *  - examples: one per reason and per keyword slot, a seqlock (Boehm, "Can seqlocks get along
 *    with programming language memory models?") whose words are atomics (release stores,
 *    acquire loads: free on x86, and no fences, which ThreadSanitizer cannot model), written by
 *    whoever wins a compare-and-swap on the sequence and only when the example is a second
 *    old: a writer never waits (it skips), a reader retries a bounded number of times.
 *  - the end-to-end histogram has one writer, the thread that serves delivery reports.
 * Rates come from samples of the summed counts taken once a second by the main thread into a
 * small ring under the one lock of this file, which only that sampler and readers take.
 */
#include "mw_rmetrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mg_escape.h"

enum { KW_FREE = 0, KW_BUSY, KW_READY };

typedef struct kwslot {
    _Atomic uint32_t state;
    size_t len;  /* the keyword location's full length ... */
    size_t tlen; /* ... and of text, where a longer one is cut */
    char text[MW_KW_TEXT];
} kwslot;

#define EX_WORDS ((sizeof(mw_example) + 7) / 8)

typedef struct exslot {
    _Atomic uint64_t seq; /* odd while written */
    _Atomic int64_t next_us;
    _Atomic uint64_t words[EX_WORDS];
} exslot;

#define NSAMPLES (MW_RATE_WINDOW_S + 1)

typedef struct sample {
    int64_t t_us;
    uint64_t consumed, valid, rejected;
} sample;

typedef struct rroute {
    mw_route_desc d; /* strings owned */
    kwslot kw[MW_KW_SLOTS];
    exslot ex_reason[MW_RJ_COUNT];
    exslot ex_kw[MW_KW_SLOTS + 1];
    mw_lehist e2e;
    sample ring[NSAMPLES]; /* under lock */
} rroute;

struct mw_rmetrics {
    size_t n;
    uint32_t n_workers;
    rroute *r;
    mw_rstats **w; /* per worker: n blocks */
    pthread_mutex_t lock;
    size_t head, filled; /* of every route's ring */
};

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static void free_desc(mw_route_desc *d)
{
    free((char *)d->topic);
    free((char *)d->schema);
    free((char *)d->schema_version);
    free((char *)d->output);
    free((char *)d->dead_letter);
    free((char *)d->mode);
}

mw_rmetrics *mw_rmetrics_new(const mw_route_desc *routes, size_t n, uint32_t n_workers)
{
    mw_rmetrics *rm = calloc(1, sizeof *rm);
    if (!rm) return NULL;
    pthread_mutex_init(&rm->lock, NULL);
    rm->n_workers = n_workers;
    rm->r = calloc(n ? n : 1, sizeof *rm->r);
    rm->w = calloc(n_workers ? n_workers : 1, sizeof *rm->w);
    bool ok = rm->r && rm->w;
    for (size_t i = 0; ok && i < n; i++) {
        rroute *r = &rm->r[i];
        rm->n = i + 1;
        r->d =
            (mw_route_desc){dup_or_empty(routes[i].topic),          dup_or_empty(routes[i].schema),
                            dup_or_empty(routes[i].schema_version), dup_or_empty(routes[i].output),
                            dup_or_empty(routes[i].dead_letter),    dup_or_empty(routes[i].mode)};
        ok = r->d.topic && r->d.schema && r->d.schema_version && r->d.output && r->d.dead_letter &&
             r->d.mode;
    }
    size_t bytes = (n ? n : 1) * sizeof(mw_rstats);
    bytes = (bytes + 63) / 64 * 64;
    for (uint32_t i = 0; ok && i < n_workers; i++) {
        rm->w[i] = aligned_alloc(64, bytes);
        if (rm->w[i]) memset(rm->w[i], 0, bytes);
        ok = rm->w[i] != NULL;
    }
    if (!ok) {
        mw_rmetrics_free(rm);
        return NULL;
    }
    return rm;
}

void mw_rmetrics_free(mw_rmetrics *rm)
{
    if (!rm) return;
    for (size_t i = 0; rm->r && i < rm->n; i++)
        free_desc(&rm->r[i].d);
    for (uint32_t i = 0; rm->w && i < rm->n_workers; i++)
        free(rm->w[i]);
    free(rm->w);
    free(rm->r);
    pthread_mutex_destroy(&rm->lock);
    free(rm);
}

size_t mw_rmetrics_count(const mw_rmetrics *rm)
{
    return rm ? rm->n : 0;
}

const mw_route_desc *mw_rmetrics_route(const mw_rmetrics *rm, size_t route)
{
    return &rm->r[route].d;
}

mw_rstats *mw_rmetrics_stats(mw_rmetrics *rm, uint32_t worker, size_t route)
{
    return &rm->w[worker][route];
}

/* ---- keyword slots ---- */

/* The slot of keyword location kw, claimed if it is new and one is free; MW_KW_SLOTS (other)
 * when every slot holds another location. */
static size_t kw_slot(rroute *r, const char *kw)
{
    size_t len = strlen(kw);
    if (len == 0) return MW_KW_SLOTS;
    for (size_t i = 0; i < MW_KW_SLOTS; i++) {
        kwslot *k = &r->kw[i];
        uint32_t st = atomic_load_explicit(&k->state, memory_order_acquire);
        if (st == KW_FREE) {
            if (!atomic_compare_exchange_strong_explicit(
                    &k->state, &st, KW_BUSY, memory_order_acquire, memory_order_acquire)) {
                i--; /* lost the race: look at what the winner wrote */
                continue;
            }
            k->len = len;
            mg_escape(k->text, sizeof k->text, kw, len, MG_ESC_ESCAPED);
            k->tlen = strlen(k->text);
            atomic_store_explicit(&k->state, KW_READY, memory_order_release);
            return i;
        }
        /* a slot being written may hold this location too: the next free one is used then,
         * and readers merge the two */
        if (st == KW_READY && k->len == len && memcmp(k->text, kw, k->tlen) == 0) return i;
    }
    return MW_KW_SLOTS;
}

/* ---- examples (seqlock) ---- */

static void example_put(exslot *x, const mw_example *e)
{
    if (e->at_us < atomic_load_explicit(&x->next_us, memory_order_relaxed)) return;
    uint64_t s = atomic_load_explicit(&x->seq, memory_order_relaxed);
    if ((s & 1) || !atomic_compare_exchange_strong_explicit(
                       &x->seq, &s, s + 1, memory_order_relaxed, memory_order_relaxed))
        return; /* another thread is writing it: this reject is not the example */
    uint64_t w[EX_WORDS] = {0};
    memcpy(w, e, sizeof *e);
    /* release: a reader that loads one of these words (acquire) sees the odd sequence */
    for (size_t i = 0; i < EX_WORDS; i++)
        atomic_store_explicit(&x->words[i], w[i], memory_order_release);
    atomic_store_explicit(&x->next_us, e->at_us + 1000000, memory_order_relaxed);
    atomic_store_explicit(&x->seq, s + 2, memory_order_release);
}

static bool example_get(exslot *x, mw_example *out)
{
    for (int tries = 0; tries < 1000; tries++) {
        uint64_t s1 = atomic_load_explicit(&x->seq, memory_order_acquire);
        if (s1 == 0) return false;
        if (s1 & 1) continue;
        uint64_t w[EX_WORDS];
        for (size_t i = 0; i < EX_WORDS; i++)
            w[i] = atomic_load_explicit(&x->words[i], memory_order_acquire);
        if (atomic_load_explicit(&x->seq, memory_order_relaxed) != s1) continue;
        memcpy(out, w, sizeof *out);
        return true;
    }
    return false;
}

/* ---- the message path ---- */

void mw_rmetrics_reject(mw_rmetrics *rm, mw_rstats *st, size_t route, mw_reject rj, const char *kw,
                        const char *instance, const char *message, int32_t partition,
                        int64_t offset, int64_t now_us)
{
    rroute *r = &rm->r[route];
    mw_count(&st->rejected[rj], 1);
    atomic_store_explicit(&st->last_reject_us, now_us, memory_order_relaxed);
    exslot *x = &r->ex_reason[rj];
    if (rj == MW_RJ_SCHEMA) {
        size_t k = kw_slot(r, kw ? kw : "");
        mw_count(&st->schema_kw[k], 1);
        x = &r->ex_kw[k];
    }
    if (now_us < atomic_load_explicit(&x->next_us, memory_order_relaxed)) return;
    mw_example e = {.at_us = now_us, .partition = partition, .offset = offset};
    const char *in = instance ? instance : "", *msg = message ? message : "";
    mg_escape(e.instance, sizeof e.instance, in, strlen(in), MG_ESC_ESCAPED);
    mg_escape(e.message, sizeof e.message, msg, strlen(msg), MG_ESC_ESCAPED);
    example_put(x, &e);
}

void mw_rmetrics_e2e(mw_rmetrics *rm, size_t route, uint64_t us)
{
    mw_lehist_record(&rm->r[route].e2e, us);
}

/* ---- readers ---- */

static uint64_t ld(const _Atomic uint64_t *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

/* The counts of a route summed over the threads (no rates). */
static void sum_counts(mw_rmetrics *rm, size_t route, mw_route_snap *s)
{
    memset(s, 0, sizeof *s);
    for (uint32_t w = 0; w < rm->n_workers; w++) {
        const mw_rstats *st = &rm->w[w][route];
        s->consumed += ld(&st->consumed);
        s->valid += ld(&st->valid);
        s->tombstones += ld(&st->tombstones);
        s->bytes_in += ld(&st->bytes_in);
        for (int i = 0; i < MW_RJ_COUNT; i++) {
            uint64_t v = ld(&st->rejected[i]);
            s->rejected[i] += v;
            s->rejected_all += v;
        }
        for (int i = 0; i <= MW_KW_SLOTS; i++)
            s->schema_kw[i] += ld(&st->schema_kw[i]);
        int64_t t = atomic_load_explicit(&st->last_reject_us, memory_order_relaxed);
        if (t > s->last_reject_us) s->last_reject_us = t;
        mw_lehist_add(&s->validate, &st->validate);
    }
    rroute *r = &rm->r[route];
    for (int i = 0; i < MW_KW_SLOTS; i++)
        s->kw[i] = atomic_load_explicit(&r->kw[i].state, memory_order_acquire) == KW_READY
                       ? r->kw[i].text
                       : NULL;
    mw_lehist_add(&s->e2e, &r->e2e);
}

void mw_rmetrics_sample(mw_rmetrics *rm, int64_t mono_us)
{
    pthread_mutex_lock(&rm->lock);
    size_t at = (rm->head + rm->filled) % NSAMPLES;
    if (rm->filled == NSAMPLES)
        rm->head = (rm->head + 1) % NSAMPLES;
    else
        rm->filled++;
    for (size_t i = 0; i < rm->n; i++) {
        mw_route_snap s;
        sum_counts(rm, i, &s);
        rm->r[i].ring[at] = (sample){mono_us, s.consumed, s.valid, s.rejected_all};
    }
    pthread_mutex_unlock(&rm->lock);
}

void mw_rmetrics_snap(mw_rmetrics *rm, size_t route, mw_route_snap *s)
{
    sum_counts(rm, route, s);
    pthread_mutex_lock(&rm->lock);
    if (rm->filled >= 2) {
        const sample *a = &rm->r[route].ring[rm->head];
        const sample *b = &rm->r[route].ring[(rm->head + rm->filled - 1) % NSAMPLES];
        double dt = (double)(b->t_us - a->t_us) / 1e6;
        if (dt > 0) {
            s->rate_window_s = dt;
            s->rate_consumed = (double)(b->consumed - a->consumed) / dt;
            s->rate_valid = (double)(b->valid - a->valid) / dt;
            s->rate_rejected = (double)(b->rejected - a->rejected) / dt;
        }
    }
    pthread_mutex_unlock(&rm->lock);
}

bool mw_rmetrics_example(mw_rmetrics *rm, size_t route, mw_reject rj, int kw_slot, mw_example *out)
{
    rroute *r = &rm->r[route];
    if (kw_slot >= 0) return kw_slot <= MW_KW_SLOTS && example_get(&r->ex_kw[kw_slot], out);
    return (unsigned)rj < MW_RJ_COUNT && example_get(&r->ex_reason[rj], out);
}

/* ---- Prometheus text ---- */

static void labels(mw_text *t, const mw_route_desc *d)
{
    mw_textf(t, "topic=\"");
    mw_text_label(t, d->topic);
    mw_textf(t, "\",schema=\"");
    mw_text_label(t, d->schema);
    mw_textf(t, "\",schema_version=\"");
    mw_text_label(t, d->schema_version);
    mw_textf(t, "\"");
}

/* One counter family: fn gives each route's value. */
static void family(mw_text *t, mw_rmetrics *rm, const mw_route_snap *s, const char *name,
                   const char *help, uint64_t (*fn)(const mw_route_snap *s))
{
    mw_text_family(t, name, "counter", help);
    for (size_t i = 0; i < rm->n; i++) {
        mw_textf(t, "%s{", name);
        labels(t, &rm->r[i].d);
        mw_textf(t, "} %" PRIu64 "\n", fn(&s[i]));
    }
}

static uint64_t f_consumed(const mw_route_snap *s)
{
    return s->consumed;
}
static uint64_t f_valid(const mw_route_snap *s)
{
    return s->valid;
}
static uint64_t f_tombstones(const mw_route_snap *s)
{
    return s->tombstones;
}
static uint64_t f_bytes(const mw_route_snap *s)
{
    return s->bytes_in;
}

static void le_histogram(mw_text *t, mw_rmetrics *rm, const mw_route_snap *s, const char *name,
                         const char *help, bool e2e)
{
    mw_text_family(t, name, "histogram", help);
    for (size_t i = 0; i < rm->n; i++) {
        const mw_lesnap *h = e2e ? &s[i].e2e : &s[i].validate;
        for (size_t b = 0; b <= MW_NBUCKETS; b++) {
            mw_textf(t, "%s_bucket{", name);
            labels(t, &rm->r[i].d);
            mw_textf(t, ",le=\"%s\"} %" PRIu64 "\n", b < MW_NBUCKETS ? mw_buckets[b].le : "+Inf",
                     h->le[b]);
        }
        mw_textf(t, "%s_sum{", name);
        labels(t, &rm->r[i].d);
        mw_textf(t, "} %.6f\n%s_count{", (double)h->sum_us / 1e6, name);
        labels(t, &rm->r[i].d);
        mw_textf(t, "} %" PRIu64 "\n", h->le[MW_NBUCKETS]);
    }
}

void mw_rmetrics_render(mw_rmetrics *rm, mw_text *t)
{
    if (!rm || rm->n == 0) return;
    mw_route_snap *s = calloc(rm->n, sizeof *s);
    if (!s) {
        t->oom = true;
        return;
    }
    for (size_t i = 0; i < rm->n; i++)
        mw_rmetrics_snap(rm, i, &s[i]);
    family(t, rm, s, "meshgate_route_messages_consumed_total",
           "Messages consumed, per route (input topic, schema, schema version).", f_consumed);
    family(t, rm, s, "meshgate_route_messages_valid_total",
           "Messages that passed their schema, per route.", f_valid);
    family(t, rm, s, "meshgate_route_tombstones_forwarded_total",
           "Tombstones forwarded unvalidated, per route.", f_tombstones);
    family(t, rm, s, "meshgate_route_bytes_consumed_total", "Value bytes consumed, per route.",
           f_bytes);
    const char *rej = "meshgate_route_messages_rejected_total";
    mw_text_family(t, rej, "counter", "Messages rejected, per route and reason.");
    for (size_t i = 0; i < rm->n; i++)
        for (int r = 0; r < MW_RJ_COUNT; r++) {
            mw_textf(t, "%s{", rej);
            labels(t, &rm->r[i].d);
            mw_textf(t, ",reason=\"%s\"} %" PRIu64 "\n", mw_reject_name((mw_reject)r),
                     s[i].rejected[r]);
        }
    const char *kw = "meshgate_route_schema_rejects_total";
    mw_text_family(
        t, kw, "counter",
        "Schema rejects per route and keyword location: the first 10 distinct locations of a "
        "route since the start each, the rest as other.");
    for (size_t i = 0; i < rm->n; i++) {
        /* slots that hold the same text (claimed at once by two threads) are one series */
        for (int k = 0; k < MW_KW_SLOTS; k++) {
            if (!s[i].kw[k]) continue;
            uint64_t v = s[i].schema_kw[k];
            bool seen = false;
            for (int j = 0; j < k && !seen; j++)
                seen = s[i].kw[j] && strcmp(s[i].kw[j], s[i].kw[k]) == 0;
            for (int j = k + 1; j < MW_KW_SLOTS && !seen; j++)
                if (s[i].kw[j] && strcmp(s[i].kw[j], s[i].kw[k]) == 0) v += s[i].schema_kw[j];
            if (seen) continue;
            mw_textf(t, "%s{", kw);
            labels(t, &rm->r[i].d);
            mw_textf(t, ",keyword_location=\"");
            mw_text_label(t, s[i].kw[k]);
            mw_textf(t, "\"} %" PRIu64 "\n", v);
        }
        mw_textf(t, "%s{", kw);
        labels(t, &rm->r[i].d);
        mw_textf(t, ",keyword_location=\"other\"} %" PRIu64 "\n", s[i].schema_kw[MW_KW_SLOTS]);
    }
    const char *last = "meshgate_route_last_reject_timestamp_seconds";
    mw_text_family(t, last, "gauge",
                   "Wall-clock time of the route's last reject (absent before the first).");
    for (size_t i = 0; i < rm->n; i++) {
        if (!s[i].last_reject_us) continue;
        mw_textf(t, "%s{", last);
        labels(t, &rm->r[i].d);
        mw_textf(t, "} %.3f\n", (double)s[i].last_reject_us / 1e6);
    }
    le_histogram(t, rm, s, "meshgate_route_validation_latency_seconds",
                 "Validation and envelope, per message, per route.", false);
    le_histogram(t, rm, s, "meshgate_route_end_to_end_latency_seconds",
                 "Kafka timestamp of the input to the broker's ack of its output, per route.",
                 true);
    free(s);
}
