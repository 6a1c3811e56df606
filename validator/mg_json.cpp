// mg_json.cpp - the C wrapper over simdjson's DOM parser; the only C++ in meshgate.
//
// Design: one simdjson::dom::parser per mg_json_parser, allocated at creation for max_bytes
// and max_depth (and capped there, so it never grows), plus a padded copy buffer of the same
// size for inputs whose buffer lacks SIMDJSON_PADDING readable bytes. A parse fills an mg_doc
// with pointers into the parser's tape and string buffer; C reads them in place (mg_json.h).
// No exceptions cross the boundary: simdjson is used through its error-code API. simdjson
// reports no byte offset, so after a rejection a short scan (error path only) locates invalid
// UTF-8, the first over-deep bracket or the first raw control character.
#include <simdjson.h>

#include <cctype>
#include <cstring>
#include <new>

#include "mg_json.h"

static_assert(MG_JSON_PADDING >= simdjson::SIMDJSON_PADDING, "padding too small");

struct mg_json_parser {
    mg_json_parser(size_t max, size_t cap, uint32_t depth)
        : parser(cap), copy(nullptr), max_bytes(max), capacity(cap), max_depth(depth)
    {
    }
    simdjson::dom::parser parser;
    char *copy;
    size_t max_bytes;
    size_t capacity; // >= max_bytes: simdjson refuses capacities below its minimum
    uint32_t max_depth;
};

extern "C" mg_json_parser *mg_json_parser_new(size_t max_bytes, uint32_t max_depth)
{
    if (max_depth == 0) return nullptr;
    size_t cap = max_bytes < simdjson::dom::MINIMAL_DOCUMENT_CAPACITY
                     ? simdjson::dom::MINIMAL_DOCUMENT_CAPACITY
                     : max_bytes;
    mg_json_parser *p = new (std::nothrow) mg_json_parser(max_bytes, cap, max_depth);
    if (!p) return nullptr;
    p->copy = static_cast<char *>(::operator new(cap + MG_JSON_PADDING, std::nothrow));
    // simdjson counts the root as one level, so a limit of max_depth nested containers
    // needs max_depth + 1.
    if (!p->copy || p->parser.allocate(cap, size_t{max_depth} + 1) != simdjson::SUCCESS) {
        mg_json_parser_free(p);
        return nullptr;
    }
    // The document's tape is sized on first use; parse a full-size document now (a 0 padded
    // with spaces) so that no later parse allocates. (simdjson 3.0.1's set_max_capacity() is
    // inverted, so the limit is given to the constructor instead.)
    std::memset(p->copy, ' ', cap + MG_JSON_PADDING);
    p->copy[0] = '0';
    simdjson::dom::element warm;
    if (p->parser.parse(p->copy, cap, false).get(warm) != simdjson::SUCCESS) {
        mg_json_parser_free(p);
        return nullptr;
    }
    return p;
}

extern "C" void mg_json_parser_free(mg_json_parser *p)
{
    if (!p) return;
    ::operator delete(p->copy);
    delete p;
}

static mg_json_err map_error(simdjson::error_code e)
{
    switch (e) {
    case simdjson::SUCCESS:
        return MG_JSON_OK;
    case simdjson::EMPTY:
        return MG_JSON_EMPTY;
    case simdjson::CAPACITY:
        return MG_JSON_TOO_LARGE;
    case simdjson::DEPTH_ERROR:
        return MG_JSON_DEPTH;
    case simdjson::UTF8_ERROR:
        return MG_JSON_UTF8;
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
        return MG_JSON_NUMBER;
    case simdjson::STRING_ERROR:
    case simdjson::UNESCAPED_CHARS:
        return MG_JSON_STRING;
    case simdjson::MEMALLOC:
        return MG_JSON_INTERNAL;
    default:
        return MG_JSON_SYNTAX;
    }
}

// Offset of the first invalid UTF-8 sequence in s[0..n) (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or n.
static size_t utf8_error_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

// String-aware scan for the first non-empty container nested deeper than max_depth (want_depth) or
// the first raw control character or bad escape inside a string (!want_depth); n if none.
static size_t scan_error_at(const unsigned char *s, size_t n, uint32_t max_depth, bool want_depth)
{
    bool in_str = false;
    uint32_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (!in_str) {
            if (c == '"') {
                in_str = true;
            } else if (c == '[' || c == '{') {
                // simdjson does not count empty containers as a level
                size_t j = i + 1;
                while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
                    j++;
                if (j < n && s[j] == c + 2) {
                    i = j;
                    continue;
                }
                if (++depth > max_depth && want_depth) return i;
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        } else if (c == '"') {
            in_str = false;
        } else if (c < 0x20) {
            if (!want_depth) return i;
        } else if (c == '\\') {
            if (i + 1 >= n || !std::strchr("\"\\/bfnrtu", s[i + 1]) || s[i + 1] == 0)
                return want_depth ? n : i;
            if (s[i + 1] == 'u')
                for (size_t k = i + 2; k < i + 6; k++)
                    if (k >= n || !std::isxdigit(s[k])) return want_depth ? n : i;
            i++;
        }
    }
    return n;
}

static size_t error_offset(const mg_json_parser *p, mg_json_err e, const char *buf, size_t len)
{
    const unsigned char *s = reinterpret_cast<const unsigned char *>(buf);
    switch (e) {
    case MG_JSON_EMPTY:
        return 0;
    case MG_JSON_TOO_LARGE:
        return p->max_bytes;
    case MG_JSON_UTF8:
        return utf8_error_at(s, len);
    case MG_JSON_DEPTH:
        return scan_error_at(s, len, p->max_depth, true);
    case MG_JSON_STRING:
        return scan_error_at(s, len, p->max_depth, false);
    default:
        return len;
    }
}

extern "C" mg_json_err mg_json_parse(mg_json_parser *p, const char *buf, size_t len, size_t cap,
                                     mg_doc *doc, size_t *offset)
{
    if (offset) *offset = len;
    if (len > p->max_bytes) {
        if (offset) *offset = p->max_bytes;
        return MG_JSON_TOO_LARGE;
    }
    const char *in = buf;
    if (cap < len + MG_JSON_PADDING) {
        std::memcpy(p->copy, buf, len);
        std::memset(p->copy + len, 0, MG_JSON_PADDING);
        in = p->copy;
    }
    simdjson::dom::element root;
    simdjson::error_code e = p->parser.parse(in, len, false).get(root);
    if (e != simdjson::SUCCESS) {
        mg_json_err me = map_error(e);
        if (offset) *offset = error_offset(p, me, buf, len);
        return me;
    }
    doc->tape = p->parser.doc.tape.get();
    doc->strings = p->parser.doc.string_buf.get();
    return MG_JSON_OK;
}

extern "C" const char *mg_json_strerror(mg_json_err e)
{
    switch (e) {
    case MG_JSON_OK:
        return "no error";
    case MG_JSON_EMPTY:
        return "empty message";
    case MG_JSON_TOO_LARGE:
        return "message larger than the configured maximum";
    case MG_JSON_SYNTAX:
        return "malformed JSON";
    case MG_JSON_UTF8:
        return "invalid UTF-8";
    case MG_JSON_DEPTH:
        return "nested deeper than the configured limit";
    case MG_JSON_NUMBER:
        return "number out of range (beyond 64-bit integers or double) or malformed";
    case MG_JSON_STRING:
        return "bad escape or unescaped control character in a string";
    default:
        return "internal parser error";
    }
}
