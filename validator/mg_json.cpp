// mg_json.cpp - the C wrapper over simdjson's DOM parser; the only C++ in meshgate.
//
// Design: one simdjson::dom::parser per mg_json_parser, allocated at creation for max_bytes
// and max_depth (and capped there, so it never grows), plus a padded copy buffer of the same
// size for inputs whose buffer lacks SIMDJSON_PADDING readable bytes. A parse fills an mg_doc
// with pointers into the parser's tape and string buffer; C reads them in place (mg_json.h).
// No exceptions cross the boundary: simdjson is used through its error-code API. simdjson
// reports no byte offset, so after a rejection (error path only) mg_json_err.c reads the text
// again to find the byte where it went wrong and what was expected there.
#include <simdjson.h>

#include <cstring>
#include <new>

#include "mg_json.h"

static_assert(MG_JSON_PADDING >= simdjson::SIMDJSON_PADDING, "padding too small");

struct mg_json_parser {
    mg_json_parser(size_t max, size_t cap, uint32_t depth)
        : parser(cap), copy(nullptr), stack(nullptr), max_bytes(max), capacity(cap),
          max_depth(depth)
    {
        detail[0] = 0;
    }
    simdjson::dom::parser parser;
    char *copy;
    unsigned char *stack; // open containers, for the error path (mg_json_locate)
    size_t max_bytes;
    size_t capacity; // >= max_bytes: simdjson refuses capacities below its minimum
    uint32_t max_depth;
    char detail[192]; // what the last rejected text lacked (mg_json_error_detail)
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
    p->stack = static_cast<unsigned char *>(::operator new(max_depth / 8 + 1, std::nothrow));
    // simdjson counts the root as one level, so a limit of max_depth nested containers
    // needs max_depth + 1.
    if (!p->copy || !p->stack ||
        p->parser.allocate(cap, size_t{max_depth} + 1) != simdjson::SUCCESS) {
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
    // simdjson allocates once per process, on the first number beyond a double's range:
    // have that happen here, not on a message.
    std::memcpy(p->copy, "1e999", 5);
    if (p->parser.parse(p->copy, 5, false).get(warm) != simdjson::NUMBER_ERROR) {
        mg_json_parser_free(p);
        return nullptr;
    }
    return p;
}

extern "C" void mg_json_parser_free(mg_json_parser *p)
{
    if (!p) return;
    ::operator delete(p->copy);
    ::operator delete(p->stack);
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

// The error of a text simdjson refused with e: its kind and where it went wrong. simdjson finds
// invalid UTF-8 and raw control characters in strings before it reads the structure, so those
// win over anything earlier in the text; every other error is the first one in document order.
static mg_json_err locate(mg_json_parser *p, simdjson::error_code e, const char *buf, size_t len,
                          size_t *offset)
{
    mg_json_err me = map_error(e);
    char *d = p->detail;
    size_t cap = sizeof p->detail;
    switch (me) {
    case MG_JSON_EMPTY:
        *offset = 0;
        return me;
    case MG_JSON_TOO_LARGE:
        *offset = p->max_bytes;
        return me;
    case MG_JSON_INTERNAL:
        return me;
    case MG_JSON_UTF8:
        *offset = mg_json_utf8_error(buf, len, d, cap);
        return me;
    default:
        break;
    }
    if (e == simdjson::UNESCAPED_CHARS) {
        *offset = mg_json_control_error(buf, len, d, cap);
        return me;
    }
    size_t at = len;
    mg_json_err found = mg_json_locate(buf, len, p->max_depth, p->stack, &at, d, cap);
    if (found == MG_JSON_OK) return me; // simdjson saw more than RFC 8259 does: its kind, no place
    *offset = at;
    return found;
}

extern "C" mg_json_err mg_json_parse(mg_json_parser *p, const char *buf, size_t len, size_t cap,
                                     mg_doc *doc, size_t *offset)
{
    size_t where = len;
    if (offset) *offset = len;
    p->detail[0] = 0;
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
        mg_json_err me = locate(p, e, buf, len, &where);
        if (offset) *offset = where;
        return me;
    }
    doc->tape = p->parser.doc.tape.get();
    doc->strings = p->parser.doc.string_buf.get();
    return MG_JSON_OK;
}

extern "C" const char *mg_json_error_detail(const mg_json_parser *p)
{
    return p->detail;
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
