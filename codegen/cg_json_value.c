/* cg_json_value.c - exact values of JSON numbers and JSON equality, for cg_json.h.
 *
 * Design: a number's raw text is normalized into decimal digits and an exponent (no leading or
 * trailing zeros), so 1, 1.0, 1e0 and 10e-1 compare equal exactly, without going through
 * double; the integer conversions are range-checked on that form. Pure functions.
 */
#include <stdlib.h>
#include <string.h>

#include "cg_json.h"

/* Exponents beyond this magnitude are not represented by cj_decimal_of. */
#define CJ_EXP_LIMIT ((int64_t)1000000000000000000)

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* ---- numbers ---- */

bool cj_decimal_of(const cj_node *num, cj_decimal *out)
{
    if (!num || num->type != CJ_NUMBER) return false;
    const char *s = num->str;
    size_t i = 0, len = num->len;
    bool neg = false;
    if (i < len && s[i] == '-') {
        neg = true;
        i++;
    }
    size_t nd = 0, zeros = 0; /* zeros: pending zeros after the last nonzero digit */
    int64_t frac = 0;         /* digits seen after the decimal point */
    bool in_frac = false;
    for (; i < len && (is_digit((unsigned char)s[i]) || s[i] == '.'); i++) {
        if (s[i] == '.') {
            in_frac = true;
            continue;
        }
        if (in_frac) frac++;
        if (s[i] == '0') {
            if (nd > 0) zeros++;
            continue;
        }
        if (nd + zeros + 1 >= sizeof out->digits) return false;
        memset(out->digits + nd, '0', zeros);
        nd += zeros;
        zeros = 0;
        out->digits[nd++] = s[i];
    }
    int64_t e = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (s[i] == '+' || s[i] == '-') eneg = s[i++] == '-';
        for (; i < len; i++) {
            if (e > CJ_EXP_LIMIT / 10) return false;
            e = e * 10 + (s[i] - '0');
        }
        if (eneg) e = -e;
    }
    if (nd == 0) {
        out->neg = false;
        out->digits[0] = '0';
        out->digits[1] = '\0';
        out->ndigits = 1;
        out->exp = 0;
        return true;
    }
    out->neg = neg;
    out->digits[nd] = '\0';
    out->ndigits = nd;
    out->exp = e - frac + (int64_t)zeros;
    return true;
}

bool cj_is_integer(const cj_node *num)
{
    cj_decimal d;
    return cj_decimal_of(num, &d) && d.exp >= 0;
}

/* Magnitude of an integer decimal as uint64; false if not an integer or too large. */
static bool magnitude(const cj_decimal *d, uint64_t *out)
{
    if (d->exp < 0 || (int64_t)d->ndigits + d->exp > 20) return false;
    uint64_t v = 0;
    for (int64_t k = 0; k < (int64_t)d->ndigits + d->exp; k++) {
        unsigned dig = k < (int64_t)d->ndigits ? (unsigned)(d->digits[k] - '0') : 0;
        if (v > (UINT64_MAX - dig) / 10) return false;
        v = v * 10 + dig;
    }
    *out = v;
    return true;
}

bool cj_to_int64(const cj_node *num, int64_t *out)
{
    cj_decimal d;
    uint64_t m;
    if (!cj_decimal_of(num, &d) || !magnitude(&d, &m)) return false;
    if (d.neg) {
        if (m > (uint64_t)INT64_MAX + 1) return false;
        *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)m;
    }
    return true;
}

bool cj_to_uint64(const cj_node *num, uint64_t *out)
{
    cj_decimal d;
    uint64_t m;
    if (!cj_decimal_of(num, &d) || !magnitude(&d, &m) || (d.neg && m != 0)) return false;
    *out = m;
    return true;
}

double cj_to_double(const cj_node *num)
{
    if (!num || num->type != CJ_NUMBER) return 0.0;
    return strtod(num->str, NULL);
}

/* ---- equality ---- */

static bool number_equal(const cj_node *a, const cj_node *b)
{
    cj_decimal da, db;
    bool oa = cj_decimal_of(a, &da), ob = cj_decimal_of(b, &db);
    if (!oa || !ob) return !oa && !ob && a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    return da.neg == db.neg && da.exp == db.exp && da.ndigits == db.ndigits &&
           memcmp(da.digits, db.digits, da.ndigits) == 0;
}

bool cj_equal(const cj_node *a, const cj_node *b)
{
    if (a == b) return true;
    if (!a || !b || a->type != b->type) return false;
    switch (a->type) {
    case CJ_NULL:
    case CJ_FALSE:
    case CJ_TRUE:
        return true;
    case CJ_NUMBER:
        return number_equal(a, b);
    case CJ_STRING:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case CJ_ARRAY:
        if (a->n != b->n) return false;
        for (size_t i = 0; i < a->n; i++)
            if (!cj_equal(a->items[i], b->items[i])) return false;
        return true;
    case CJ_OBJECT:
        if (a->n != b->n) return false;
        for (size_t i = 0; i < a->n; i++) {
            const cj_node *bv = cj_getn(b, a->keys[i], a->key_lens[i]);
            if (!bv || !cj_equal(a->items[i], bv)) return false;
        }
        return true;
    }
    return false;
}
