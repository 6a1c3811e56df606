/* cg_uri.c - RFC 3986 reference resolution and file: URI helpers for cg_uri.h.
 *
 * Design: a URI reference is split (RFC 3986 appendix B, with the scheme checked against the
 * section 3.1 grammar) into five slices of the caller's string; resolution follows section
 * 5.2.2 (strict: a reference with a scheme is taken as is, dot segments removed), merging
 * paths per 5.2.3 and removing dot segments per 5.2.4 into one malloc'd output, then recomposes
 * per 5.3. Opaque bases (urn:, tag:) need no special case: their whole body is the path, so an
 * empty or fragment-only reference keeps it. File paths map to file:///... lexically (no
 * symlink resolution), percent-encoding every byte that is not a path character.
 */
#include "cg_uri.h"
#include "mg_escape.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct cg_slice {
    const char *p;
    size_t n;
    bool def;
} cg_slice;

typedef struct cg_uri_parts {
    cg_slice scheme, auth, path, query, frag;
} cg_uri_parts;

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of a valid scheme followed by ':' at the start of s, or 0. */
static size_t scheme_len(const char *s)
{
    if (!is_alpha(s[0])) return 0;
    size_t i = 1;
    while (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

static void split_parts(const char *s, cg_uri_parts *u)
{
    memset(u, 0, sizeof *u);
    size_t sl = scheme_len(s);
    if (sl) {
        u->scheme = (cg_slice){s, sl, true};
        s += sl + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        size_t n = strcspn(s + 2, "/?#");
        u->auth = (cg_slice){s + 2, n, true};
        s += 2 + n;
    }
    size_t n = strcspn(s, "?#");
    u->path = (cg_slice){s, n, true};
    s += n;
    if (*s == '?') {
        n = strcspn(s + 1, "#");
        u->query = (cg_slice){s + 1, n, true};
        s += 1 + n;
    }
    if (*s == '#') u->frag = (cg_slice){s + 1, strlen(s + 1), true};
}

/* RFC 3986 5.2.4 on in[0..n); writes to out (capacity >= n + 1), returns the length. */
static size_t remove_dots(const char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    while (i < n) {
        const char *s = in + i;
        size_t r = n - i;
        if (r >= 3 && memcmp(s, "../", 3) == 0) {
            i += 3;
        } else if (r >= 2 && memcmp(s, "./", 2) == 0) {
            i += 2;
        } else if (r >= 3 && memcmp(s, "/./", 3) == 0) {
            i += 2;
        } else if (r == 2 && memcmp(s, "/.", 2) == 0) {
            out[o++] = '/';
            i += 2;
        } else if ((r >= 4 && memcmp(s, "/../", 4) == 0) || (r == 3 && memcmp(s, "/..", 3) == 0)) {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0) o--;
            if (r == 3) {
                out[o++] = '/';
                i += 3;
            } else {
                i += 3;
            }
        } else if ((r == 1 && s[0] == '.') || (r == 2 && memcmp(s, "..", 2) == 0)) {
            i = n;
        } else {
            size_t k = s[0] == '/' ? 1 : 0;
            while (k < r && s[k] != '/')
                k++;
            memcpy(out + o, s, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    return o;
}

static void put(char *out, size_t *o, const char *s, size_t n)
{
    memcpy(out + *o, s, n);
    *o += n;
}

/* Appends path (after dot removal) to out. */
static void put_path(char *out, size_t *o, const char *path, size_t n)
{
    *o += remove_dots(path, n, out + *o);
}

char *cg_uri_resolve(const char *base, const char *ref)
{
    if (!ref) ref = "";
    if (!base || !base[0]) return strdup(ref);
    cg_uri_parts b, r;
    split_parts(base, &b);
    split_parts(ref, &r);
    /* Every output piece comes from base or ref; their sum plus separators bounds the size. */
    char *out = malloc(strlen(base) + strlen(ref) + 8);
    if (!out) return NULL;
    size_t o = 0;
    const cg_slice *scheme, *auth, *query;
    if (r.scheme.def) {
        scheme = &r.scheme;
        auth = &r.auth;
        query = &r.query;
    } else {
        scheme = &b.scheme;
        if (r.auth.def) {
            auth = &r.auth;
            query = &r.query;
        } else {
            auth = &b.auth;
            query = r.path.n == 0 && !r.query.def ? &b.query : &r.query;
        }
    }
    if (scheme->def) {
        put(out, &o, scheme->p, scheme->n);
        put(out, &o, ":", 1);
    }
    if (auth->def) {
        put(out, &o, "//", 2);
        put(out, &o, auth->p, auth->n);
    }
    if (r.scheme.def || r.auth.def) {
        put_path(out, &o, r.path.p, r.path.n);
    } else if (r.path.n == 0) {
        put(out, &o, b.path.p, b.path.n);
    } else if (r.path.p[0] == '/') {
        put_path(out, &o, r.path.p, r.path.n);
    } else {
        /* 5.2.3 merge: base path up to its last '/', or "/" for an authority with no path. */
        size_t keep = b.path.n;
        while (keep > 0 && b.path.p[keep - 1] != '/')
            keep--;
        size_t mlen = (b.auth.def && b.path.n == 0 ? 1 : keep) + r.path.n;
        char *merged = malloc(mlen + 1);
        if (!merged) {
            free(out);
            return NULL;
        }
        size_t m = 0;
        if (b.auth.def && b.path.n == 0)
            put(merged, &m, "/", 1);
        else
            put(merged, &m, b.path.p, keep);
        put(merged, &m, r.path.p, r.path.n);
        put_path(out, &o, merged, m);
        free(merged);
    }
    if (query->def) {
        put(out, &o, "?", 1);
        put(out, &o, query->p, query->n);
    }
    if (r.frag.def) {
        put(out, &o, "#", 1);
        put(out, &o, r.frag.p, r.frag.n);
    }
    out[o] = '\0';
    return out;
}

void cg_uri_split(const char *uri, char **abs, char **frag)
{
    const char *h = strchr(uri, '#');
    if (abs) *abs = h ? strndup(uri, (size_t)(h - uri)) : strdup(uri);
    if (frag) *frag = h ? strdup(h + 1) : NULL;
}

char *cg_uri_pct_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        int hi = mg_hex_value(s[i + 1]);
        int lo = hi >= 0 ? mg_hex_value(s[i + 2]) : -1;
        if (lo < 0) {
            free(out);
            return NULL;
        }
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    if (len) *len = o;
    return out;
}

bool cg_uri_is_absolute(const char *s)
{
    return s && scheme_len(s) > 0;
}

/* Bytes kept as is in a file: URI path: unreserved, sub-delims, ':', '@' and '/'. */
static bool path_char(unsigned char c)
{
    return is_alpha((char)c) || is_digit((char)c) || (c && strchr("-._~!$&'()*+,;=:@/", c));
}

char *cg_path_absolute(const char *path)
{
    char *abs;
    if (path[0] == '/') {
        abs = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd) return NULL;
        size_t cl = strlen(cwd), pl = strlen(path);
        abs = malloc(cl + pl + 2);
        if (abs) {
            memcpy(abs, cwd, cl);
            abs[cl] = '/';
            memcpy(abs + cl + 1, path, pl + 1);
        }
        free(cwd);
    }
    if (!abs) return NULL;
    /* Collapse "//" runs, then drop "." and ".." segments. */
    size_t w = 0;
    for (size_t i = 0; abs[i]; i++)
        if (!(abs[i] == '/' && w > 0 && abs[w - 1] == '/')) abs[w++] = abs[i];
    char *clean = malloc(w + 1);
    if (clean) remove_dots(abs, w, clean);
    free(abs);
    return clean;
}

/* The end of the segment that starts at the '/' at s. */
static const char *seg_end(const char *s)
{
    const char *e = strchr(s + 1, '/');
    return e ? e : s + strlen(s);
}

char *cg_path_relative(const char *path)
{
    char *abs = cg_path_absolute(path), *cwd = cg_path_absolute(".");
    char *out = NULL;
    if (abs && cwd) {
        /* both are "/seg/seg..." ("/" alone for the root); skip the segments they share */
        size_t al = strlen(abs), cl = strlen(cwd); /* "." and "x/" leave a trailing '/' */
        if (al > 1 && abs[al - 1] == '/') abs[al - 1] = 0;
        if (cl > 1 && cwd[cl - 1] == '/') cwd[cl - 1] = 0;
        const char *a = strcmp(abs, "/") ? abs : "", *c = strcmp(cwd, "/") ? cwd : "";
        while (*a && *c) {
            const char *ae = seg_end(a), *ce = seg_end(c);
            if (ae - a != ce - c || memcmp(a, c, (size_t)(ae - a)) != 0) break;
            a = ae;
            c = ce;
        }
        size_t ups = 0;
        for (; *c; c++)
            ups += *c == '/';
        const char *rest = *a ? a + 1 : a;
        size_t rl = strlen(rest);
        out = malloc(ups * 3 + rl + 2);
        if (out) {
            size_t o = 0;
            for (size_t k = 0; k < ups; k++, o += 3)
                memcpy(out + o, "../", 3);
            if (rl)
                memcpy(out + o, rest, rl + 1);
            else if (o)
                out[o - 1] = 0; /* "../.." */
            else
                strcpy(out, ".");
        }
    }
    free(abs);
    free(cwd);
    return out ? out : strdup(path);
}

char *cg_uri_for_output(const char *uri)
{
    if (strncmp(uri, "file:", 5) != 0) return strdup(uri);
    char *path = cg_uri_to_path(uri);
    if (!path) return strdup(uri);
    char *rel = cg_path_relative(path);
    const char *frag = strchr(uri, '#');
    char *out = rel && frag ? malloc(strlen(rel) + strlen(frag) + 1) : NULL;
    if (out) {
        strcpy(out, rel);
        strcat(out, frag);
    }
    free(path);
    if (!out) return rel;
    free(rel);
    return out;
}

char *cg_uri_from_path(const char *path)
{
    char *clean = cg_path_absolute(path);
    if (!clean) return NULL;
    size_t cl = strlen(clean);
    char *out = malloc(7 + cl * 3 + 1);
    if (out) {
        size_t o = 0;
        put(out, &o, "file://", 7);
        for (size_t i = 0; i < cl; i++) {
            unsigned char c = (unsigned char)clean[i];
            if (path_char(c)) {
                out[o++] = (char)c;
            } else {
                static const char hex[] = "0123456789ABCDEF";
                out[o++] = '%';
                out[o++] = hex[c >> 4];
                out[o++] = hex[c & 15];
            }
        }
        out[o] = '\0';
    }
    free(clean);
    return out;
}

char *cg_uri_to_path(const char *uri)
{
    if (!uri || strncasecmp(uri, "file:", 5) != 0) return NULL;
    cg_uri_parts u;
    split_parts(uri, &u);
    if (u.auth.def && u.auth.n != 0 &&
        !(u.auth.n == 9 && strncasecmp(u.auth.p, "localhost", 9) == 0))
        return NULL;
    if (u.path.n == 0 || u.path.p[0] != '/') return NULL;
    char *enc = strndup(u.path.p, u.path.n);
    if (!enc) return NULL;
    size_t len;
    char *path = cg_uri_pct_decode(enc, &len);
    free(enc);
    if (path && strlen(path) != len) {
        free(path);
        return NULL;
    }
    return path;
}

/* The path of abs (absolute, clean) relative to the folder dir (absolute, clean), lexically:
 * the common leading segments dropped, one ".." per remaining segment of dir. */
static char *path_relative(const char *abs, const char *dir)
{
    size_t common = 0; /* length of the shared prefix that ends at a segment boundary */
    for (size_t i = 0;; i++) {
        bool a_end = abs[i] == '/' || abs[i] == 0, d_end = dir[i] == '/' || dir[i] == 0;
        if (a_end && d_end) {
            common = i;
            if (abs[i] == 0 || dir[i] == 0) break;
        }
        if (abs[i] != dir[i] || abs[i] == 0) break;
    }
    size_t ups = 0;
    for (const char *d = dir + common; *d; d++)
        if (*d == '/' && d[1]) ups++;
    const char *rest = abs + common + (abs[common] == '/');
    size_t rl = strlen(rest);
    char *out = malloc(ups * 3 + rl + 2);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t k = 0; k < ups; k++)
        put(out, &o, "../", 3);
    memcpy(out + o, rest, rl + 1);
    if (o + rl == 0) strcpy(out, ".");
    return out;
}

char *cg_uri_public(const char *uri)
{
    char *path = cg_uri_to_path(uri);
    if (!path) return strdup(uri);
    char *cwd = getcwd(NULL, 0), *cdir = cwd ? cg_path_absolute(cwd) : NULL;
    char *out = cdir ? path_relative(path, cdir) : NULL;
    free(cdir);
    free(cwd);
    if (out) {
        free(path);
        return out;
    }
    return path;
}
