/* mg_rt.c - the runtime helpers generated validators call: errors, scratch bitsets, the
 * dynamic scope, exact number comparison, decimal multipleOf, code points, JSON equality
 * and uniqueItems.
 *
 * Design: pure functions over the tape (mg_json.h) and the caller's mg_ctx; no allocation,
 * no I/O. Numbers are compared exactly across int64, uint64 and double (no rounding through
 * double for 64-bit integers). multipleOf is decided in decimal: a double instance is read as
 * its shortest round-trip decimal, then divisibility is checked with 128-bit integers and
 * modular powers of ten, so 0.0075/0.0001 and 1e308/0.123456789 are both exact.
 * uniqueItems hashes every item (order-independent for objects, 1 == 1.0), sorts the hashes
 * in scratch space and compares only equal-hash neighbours: O(n log n), not O(n^2).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mg_rt.h"

bool mg_report(mg_ctx *c, uint32_t at, mg_code code, const char *kwloc, const char *arg)
{
    if (c->limit) return false; /* the message stops; mg_validate reports the limit */
    if (c->nerr < c->max_err) c->errs[c->nerr++] = (mg_err_rec){at, (uint32_t)code, kwloc, arg};
    return c->max_err > 1 && c->nerr < c->max_err;
}

bool mg_fail(mg_ctx *c, uint32_t at, mg_code code, const char *kwloc, const char *arg)
{
    if (c->quiet) return false;
    return mg_report(c, at, code, kwloc, arg);
}

bool mg_more(const mg_ctx *c)
{
    return c->quiet == 0 && c->max_err > 1 && c->nerr < c->max_err && !c->limit;
}

bool mg_limit(mg_ctx *c, uint32_t at, const char *kwloc, const char *which)
{
    if (!c->limit) {
        c->limit = which;
        c->limit_at = at;
        c->limit_kwloc = kwloc;
    }
    c->steps = -1; /* every function now stops at its first step */
    return false;
}

/* ---- the memo ---- */

static mg_memo_ent *memo_bucket(const mg_ctx *c, uint32_t id, uint32_t at)
{
    uint64_t h = ((uint64_t)id << 32 | at) * 0x9E3779B97F4A7C15ull;
    return c->memo + ((uint32_t)(h >> 32) & c->memo_mask & ~3u);
}

bool mg_memo_get(mg_ctx *c, uint32_t id, uint32_t at, bool *ok)
{
    if (!c->memo) return false;
    mg_memo_ent *b = memo_bucket(c, id, at);
    for (int i = 0; i < 4; i++) {
        if (b[i].epoch != c->memo_epoch || b[i].at != at || b[i].id != id) continue;
        if (!b[i].ok && !c->quiet) return false; /* run again: its errors are wanted */
        *ok = b[i].ok;
        return true;
    }
    return false;
}

void mg_memo_put(mg_ctx *c, uint32_t id, uint32_t at, bool ok)
{
    if (!c->memo || c->limit) return;
    mg_memo_ent *b = memo_bucket(c, id, at);
    int slot = -1;
    for (int i = 0; i < 4; i++) {
        if (b[i].epoch == c->memo_epoch && b[i].at == at && b[i].id == id) {
            slot = i;
            break;
        }
        if (slot < 0 && b[i].epoch != c->memo_epoch) slot = i;
    }
    if (slot < 0) slot = (int)((at ^ id) & 3); /* a full bucket: one result is forgotten */
    b[slot] = (mg_memo_ent){c->memo_epoch, at, id, ok};
}

/* w zeroed scratch words, or NULL */
static uint64_t *words_new(mg_ctx *c, size_t w)
{
    if (w == 0) w = 1;
    if (w > c->scratch_words - c->scratch_top) return NULL;
    uint64_t *p = c->scratch + c->scratch_top;
    c->scratch_top += w;
    memset(p, 0, w * sizeof *p);
    return p;
}

uint64_t *mg_bits_new(mg_ctx *c, uint32_t nbits)
{
    return words_new(c, ((size_t)nbits + 63) / 64);
}

int mg_dyn_outermost(const mg_ctx *c, const uint32_t *ids, uint32_t n)
{
    for (uint32_t i = 0; i < c->ndyn; i++)
        for (uint32_t j = 0; j < n; j++)
            if (c->dyn[i] == ids[j]) return (int)j;
    return -1;
}

/* ---- numbers ---- */

#define TWO63 9223372036854775808.0
#define TWO64 18446744073709551616.0

static int sign3(bool lt, bool gt)
{
    return lt ? -1 : gt ? 1 : 0;
}

/* double v against integer b (b given as int64 or uint64), exactly */
static int cmp_dbl_i64(double v, int64_t b)
{
    if (v >= TWO63) return 1;
    if (v < -TWO63) return -1;
    double t = trunc(v);
    int64_t ti = (int64_t)t;
    if (ti != b) return sign3(ti<b, ti> b);
    return sign3(v<t, v> t);
}

static int cmp_dbl_u64(double v, uint64_t b)
{
    if (v < 0) return -1;
    if (v >= TWO64) return 1;
    double t = trunc(v);
    uint64_t tu = (uint64_t)t;
    if (tu != b) return sign3(tu<b, tu> b);
    return sign3(v<t, v> t);
}

int mg_num_cmp_i64(const mg_doc *d, uint32_t at, int64_t b)
{
    switch (mg_type(d, at)) {
    case MG_TAPE_INT64: {
        int64_t v = mg_int64(d, at);
        return sign3(v<b, v> b);
    }
    case MG_TAPE_UINT64: {
        uint64_t v = mg_uint64(d, at);
        return b < 0 ? 1 : sign3(v<(uint64_t)b, v>(uint64_t) b);
    }
    default:
        return cmp_dbl_i64(mg_double(d, at), b);
    }
}

int mg_num_cmp_u64(const mg_doc *d, uint32_t at, uint64_t b)
{
    switch (mg_type(d, at)) {
    case MG_TAPE_INT64: {
        int64_t v = mg_int64(d, at);
        return v < 0 ? -1 : sign3((uint64_t)v<b, (uint64_t)v> b);
    }
    case MG_TAPE_UINT64: {
        uint64_t v = mg_uint64(d, at);
        return sign3(v<b, v> b);
    }
    default:
        return cmp_dbl_u64(mg_double(d, at), b);
    }
}

int mg_num_cmp_dbl(const mg_doc *d, uint32_t at, double b)
{
    switch (mg_type(d, at)) {
    case MG_TAPE_INT64:
        return -cmp_dbl_i64(b, mg_int64(d, at));
    case MG_TAPE_UINT64:
        return -cmp_dbl_u64(b, mg_uint64(d, at));
    default: {
        double v = mg_double(d, at);
        return sign3(v<b, v> b);
    }
    }
}

bool mg_num_is_integer(const mg_doc *d, uint32_t at)
{
    if (mg_type(d, at) != MG_TAPE_DOUBLE) return true;
    double v = mg_double(d, at);
    return isfinite(v) && trunc(v) == v;
}

/* The shortest decimal m * 10^e that reads back as v (v finite, > 0), m < 10^17. Integral
 * values below 2^53 are their own shortest form; the others try 1..17 significant digits. */
static void shortest_decimal(double v, uint64_t *m, int32_t *e)
{
    if (v < 9007199254740992.0 && trunc(v) == v) {
        *m = (uint64_t)v;
        *e = 0;
        return;
    }
    /* Fast path, for the usual few fraction digits: the smallest k for which the decimal
     * n/10^k (n = v*10^k rounded, below 2^53, 10^k exact) rounds back to v is the length of
     * the shortest representation: double division is correctly rounded. The printf loop
     * below was nearly half of the time of a money-heavy workload (bench, order). */
    static const double pow10[] = {1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11};
    for (int k = 0; k < 11; k++) {
        double r = nearbyint(v * pow10[k]);
        if (r >= 9007199254740992.0) break;
        if (r / pow10[k] == v) {
            *m = (uint64_t)r;
            *e = -(k + 1);
            return;
        }
    }
    char buf[40];
    for (int p = 0; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p, v);
        if (strtod(buf, NULL) == v) break;
    }
    uint64_t mm = 0;
    int32_t frac = 0;
    const char *s = buf;
    bool dot = false;
    for (; *s && *s != 'e'; s++) {
        if (*s >= '0' && *s <= '9') {
            mm = mm * 10 + (uint64_t)(*s - '0');
            frac += dot;
        } else {
            dot = true; /* the radix character, whatever the locale's */
        }
    }
    *m = mm;
    *e = (int32_t)strtol(s + 1, NULL, 10) - frac;
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    return (uint64_t)((unsigned __int128)a * b % m);
}

static uint64_t pow10mod(uint64_t k, uint64_t m)
{
    uint64_t r = 1 % m, base = 10 % m;
    for (; k; k >>= 1) {
        if (k & 1) r = mulmod(r, base, m);
        base = mulmod(base, base, m);
    }
    return r;
}

bool mg_num_multiple_of(const mg_doc *d, uint32_t at, const mg_dec *dv)
{
    uint64_t m;
    int32_t e = 0;
    switch (mg_type(d, at)) {
    case MG_TAPE_INT64: {
        int64_t v = mg_int64(d, at);
        m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        break;
    }
    case MG_TAPE_UINT64:
        m = mg_uint64(d, at);
        break;
    default: {
        double v = mg_double(d, at);
        if (!isfinite(v)) return false;
        if (v == 0) return true;
        shortest_decimal(fabs(v), &m, &e);
    }
    }
    if (m == 0) return true;
    if (dv->m == 0) return false;
    int64_t k = (int64_t)e - dv->e;
    if (k >= 0) return mulmod(m % dv->m, pow10mod((uint64_t)k, dv->m), dv->m) == 0;
    unsigned __int128 div = dv->m;
    for (int64_t i = 0; i < -k; i++) {
        div *= 10;
        if (div > m) return false;
    }
    return m % div == 0;
}

/* ---- strings ---- */

size_t mg_utf8_len(const char *s, size_t n)
{
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* one bit per continuation byte (10xxxxxx), moved to bit 0 of its byte; the multiply
         * sums the bytes into the top one (no popcount instruction needed) */
        uint64_t c = (w & ~(w << 1) & 0x8080808080808080ull) >> 7;
        cont += (size_t)((c * 0x0101010101010101ull) >> 56);
    }
    for (; i < n; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return n - cont;
}

/* ---- equality ---- */

static bool num_equal(const mg_doc *a, uint32_t ia, const mg_doc *b, uint32_t ib)
{
    switch (mg_type(b, ib)) {
    case MG_TAPE_INT64:
        return mg_num_cmp_i64(a, ia, mg_int64(b, ib)) == 0;
    case MG_TAPE_UINT64:
        return mg_num_cmp_u64(a, ia, mg_uint64(b, ib)) == 0;
    default:
        return mg_num_cmp_dbl(a, ia, mg_double(b, ib)) == 0;
    }
}

bool mg_json_equal(const mg_doc *a, uint32_t ia, const mg_doc *b, uint32_t ib)
{
    if (mg_is_number(a, ia) || mg_is_number(b, ib))
        return mg_is_number(a, ia) && mg_is_number(b, ib) && num_equal(a, ia, b, ib);
    uint8_t t = mg_type(a, ia);
    if (t != mg_type(b, ib)) return false;
    switch (t) {
    case MG_TAPE_STRING: {
        uint32_t la;
        const char *sa = mg_str(a, ia, &la);
        return mg_str_eq(b, ib, sa, la);
    }
    case MG_TAPE_ARRAY: {
        if (mg_count(a, ia) != mg_count(b, ib)) return false;
        uint32_t j = ib + 1;
        MG_ARRAY_FOR(a, ia, i)
        {
            if (!mg_json_equal(a, i, b, j)) return false;
            j = mg_next(b, j);
        }
        return true;
    }
    case MG_TAPE_OBJECT: {
        if (mg_count(a, ia) != mg_count(b, ib)) return false;
        MG_OBJECT_FOR(a, ia, k)
        {
            uint32_t kl;
            const char *ks = mg_str(a, k, &kl);
            bool found = false;
            MG_OBJECT_FOR(b, ib, k2)
            {
                if (mg_str_eq(b, k2, ks, kl)) {
                    found = mg_json_equal(a, k + 1, b, k2 + 1);
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }
    default:
        return true; /* null, true, false: same type is equal */
    }
}

/* ---- uniqueItems ---- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t hash_bytes(const char *s, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return mix(h);
}

/* *bytes counts the string bytes hashed (for the step budget). */
static uint64_t hash_value(const mg_doc *d, uint32_t at, uint64_t *bytes)
{
    uint8_t t = mg_type(d, at);
    switch (t) {
    case MG_TAPE_INT64:
        return mix((uint64_t)mg_int64(d, at) ^ 0x1111);
    case MG_TAPE_UINT64:
        return mix(mg_uint64(d, at) ^ 0x1111);
    case MG_TAPE_DOUBLE: {
        double v = mg_double(d, at);
        if (trunc(v) == v && v >= -TWO63 && v < TWO63) return mix((uint64_t)(int64_t)v ^ 0x1111);
        if (trunc(v) == v && v >= 0 && v < TWO64) return mix((uint64_t)v ^ 0x1111);
        uint64_t bits;
        memcpy(&bits, &v, 8);
        return mix(bits);
    }
    case MG_TAPE_STRING: {
        uint32_t n;
        const char *s = mg_str(d, at, &n);
        *bytes += n;
        return hash_bytes(s, n);
    }
    case MG_TAPE_ARRAY: {
        uint64_t h = 0xa77a;
        MG_ARRAY_FOR(d, at, i)
        h = mix(h ^ hash_value(d, i, bytes));
        return h;
    }
    case MG_TAPE_OBJECT: {
        uint64_t h = 0x0b1ec7;
        MG_OBJECT_FOR(d, at, k)
        {
            uint32_t n;
            const char *s = mg_str(d, k, &n);
            *bytes += n;
            h += mix(hash_bytes(s, n) ^ hash_value(d, k + 1, bytes));
        }
        return mix(h);
    }
    default:
        return mix(t);
    }
}

/* pairs[2i] = hash, pairs[2i+1] = tape index; heapsort by hash */
static void sift(uint64_t *p, size_t i, size_t n)
{
    for (;;) {
        size_t l = 2 * i + 1, big = i;
        if (l < n && p[2 * l] > p[2 * big]) big = l;
        if (l + 1 < n && p[2 * (l + 1)] > p[2 * big]) big = l + 1;
        if (big == i) return;
        for (int w = 0; w < 2; w++) {
            uint64_t tmp = p[2 * i + w];
            p[2 * i + w] = p[2 * big + w];
            p[2 * big + w] = tmp;
        }
        i = big;
    }
}

static void heapsort_pairs(uint64_t *p, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(p, i, n);
    for (size_t end = n; end-- > 1;) {
        for (int w = 0; w < 2; w++) {
            uint64_t tmp = p[w];
            p[w] = p[2 * end + w];
            p[2 * end + w] = tmp;
        }
        sift(p, 0, end);
    }
}

bool mg_unique_items(mg_ctx *c, uint32_t at)
{
    const mg_doc *d = &c->doc;
    uint32_t n = mg_count(d, at);
    if (n < 2) return true;
    size_t mark = mg_bits_mark(c);
    uint64_t *p = words_new(c, 2 * (size_t)n);
    if (!p) return mg_limit(c, at, NULL, "scratch space");
    uint64_t bytes = 0;
    size_t k = 0;
    MG_ARRAY_FOR(d, at, i)
    {
        p[2 * k] = hash_value(d, i, &bytes);
        p[2 * k + 1] = i;
        k++;
    }
    /* hashing and sorting, then one step per comparison of equal hashes */
    c->steps -= (int64_t)(mg_next(d, at) - at + bytes / 16 + n);
    heapsort_pairs(p, n);
    bool unique = true;
    for (size_t i = 0; i < n && unique && c->steps >= 0; i++)
        for (size_t j = i + 1; j < n && p[2 * j] == p[2 * i] && unique; j++) {
            c->steps--;
            unique = !mg_json_equal(d, (uint32_t)p[2 * i + 1], d, (uint32_t)p[2 * j + 1]);
        }
    mg_bits_release(c, mark);
    if (c->steps < 0) return mg_limit(c, at, NULL, "validation steps (max_steps)");
    return unique;
}
