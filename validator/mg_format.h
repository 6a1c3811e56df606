/* mg_format.h - checkers for the JSON Schema "format" values.
 *
 * Design: one pure function per format, over UTF-8 bytes s[0..n) (not NUL-terminated, may
 * contain NUL). No allocation, no I/O, no locale. Each follows the RFC the JSON Schema
 * specification names for it (RFC 3339 date-time/date/time/duration with leap seconds,
 * RFC 5321/6531 email, RFC 1123/5890-5893 hostnames via libidn2 for IDNA2008, RFC 2673/4291
 * addresses, RFC 3986/3987 URIs and IRIs, RFC 4122 uuid, RFC 6901 JSON Pointer, the relative
 * JSON Pointer draft, ECMA-262 regex, RFC 6570 URI Template).
 */
#ifndef MG_FORMAT_H
#define MG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef bool (*mg_format_fn)(const char *s, size_t n);

bool mg_fmt_date_time(const char *s, size_t n);
bool mg_fmt_date(const char *s, size_t n);
bool mg_fmt_time(const char *s, size_t n);
bool mg_fmt_duration(const char *s, size_t n);
bool mg_fmt_email(const char *s, size_t n);
bool mg_fmt_idn_email(const char *s, size_t n);
bool mg_fmt_hostname(const char *s, size_t n);
bool mg_fmt_idn_hostname(const char *s, size_t n);
bool mg_fmt_ipv4(const char *s, size_t n);
bool mg_fmt_ipv6(const char *s, size_t n);
bool mg_fmt_uri(const char *s, size_t n);
bool mg_fmt_uri_reference(const char *s, size_t n);
bool mg_fmt_iri(const char *s, size_t n);
bool mg_fmt_iri_reference(const char *s, size_t n);
bool mg_fmt_uuid(const char *s, size_t n);
bool mg_fmt_json_pointer(const char *s, size_t n);
bool mg_fmt_relative_json_pointer(const char *s, size_t n);
bool mg_fmt_regex(const char *s, size_t n);
bool mg_fmt_uri_template(const char *s, size_t n);

typedef struct mg_format_info {
    const char *name;  /* "date-time" */
    const char *cname; /* "mg_fmt_date_time": what generated code calls */
    mg_format_fn fn;
} mg_format_info;

/* The format of that name, or NULL if meshgate does not know it (unknown formats are
 * annotations only, as the specification requires). */
const mg_format_info *mg_format_lookup(const char *name);

#ifdef __cplusplus
}
#endif
#endif
