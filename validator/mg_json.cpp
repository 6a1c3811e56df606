// mg_json.cpp - the C wrapper over simdjson's DOM parser; the only C++ in meshgate.
//
// Design: one simdjson::dom::parser per mg_json_parser, allocated at creation for max_bytes
// and max_depth (and capped there, so it never grows), plus a padded copy buffer of the same
// size for inputs whose buffer lacks SIMDJSON_PADDING readable bytes. A parse fills an mg_doc
// with pointers into the parser's tape and string buffer; C reads them in place (mg_json.h).
// No exceptions cross the boundary: simdjson is used through its error-code API.
#include <simdjson.h>

#include <cstring>
#include <new>

#include "mg_json.h"

static_assert(MG_JSON_PADDING >= simdjson::SIMDJSON_PADDING, "padding too small");

struct mg_json_parser {
    explicit mg_json_parser(size_t max) : parser(max), copy(nullptr), max_bytes(max) {}
    simdjson::dom::parser parser;
    char *copy;
    size_t max_bytes;
};

extern "C" mg_json_parser *mg_json_parser_new(size_t max_bytes, uint32_t max_depth)
{
    mg_json_parser *p = new (std::nothrow) mg_json_parser(max_bytes);
    if (!p)
        return nullptr;
    p->copy = static_cast<char *>(::operator new(max_bytes + MG_JSON_PADDING, std::nothrow));
    if (!p->copy || p->parser.allocate(max_bytes, max_depth) != simdjson::SUCCESS) {
        ::operator delete(p->copy);
        delete p;
        return nullptr;
    }
    // The document's tape is sized on first use; parse a max_bytes document now (a 0 padded
    // with spaces) so that no later parse allocates. (simdjson 3.0.1's set_max_capacity() is
    // inverted, so the limit is given to the constructor instead.)
    std::memset(p->copy, ' ', max_bytes + MG_JSON_PADDING);
    p->copy[0] = '0';
    simdjson::dom::element warm;
    if (p->parser.parse(p->copy, max_bytes, false).get(warm) != simdjson::SUCCESS) {
        mg_json_parser_free(p);
        return nullptr;
    }
    return p;
}

extern "C" void mg_json_parser_free(mg_json_parser *p)
{
    if (!p)
        return;
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

extern "C" mg_json_err mg_json_parse(mg_json_parser *p, const char *buf, size_t len, size_t cap,
                                     mg_doc *doc, size_t *offset)
{
    if (offset)
        *offset = len;
    if (len > p->max_bytes)
        return MG_JSON_TOO_LARGE;
    const char *in = buf;
    if (cap < len + MG_JSON_PADDING) {
        std::memcpy(p->copy, buf, len);
        std::memset(p->copy + len, 0, MG_JSON_PADDING);
        in = p->copy;
    }
    simdjson::dom::element root;
    simdjson::error_code e = p->parser.parse(in, len, false).get(root);
    if (e != simdjson::SUCCESS)
        return map_error(e);
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
