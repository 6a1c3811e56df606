/* test_format.c - unit tests for validator/mg_format.c and mg_format_uri.c: hand-picked valid
 * and invalid values per format, the edge cases of each RFC, and the lookup table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mg_format.h"

static bool ok(const char *fmt, const char *s)
{
    const mg_format_info *f = mg_format_lookup(fmt);
    assert_non_null(f);
    return f->fn(s, strlen(s));
}

static void test_dates_and_times(void **state)
{
    (void)state;
    assert_true(ok("date-time", "1963-06-19T08:30:06.283185Z"));
    assert_true(ok("date-time", "1990-12-31T15:59:60-08:00")); /* leap second in UTC */
    assert_false(ok("date-time", "1990-12-31T23:59:60+01:00"));
    assert_true(ok("date-time", "1963-06-19t08:30:06z"));
    assert_false(ok("date-time", "1963-06-19 08:30:06Z"));
    assert_true(ok("date", "2020-02-29"));
    assert_false(ok("date", "2021-02-29"));
    assert_false(ok("date", "2100-02-29"));
    assert_false(ok("date", "2020-1-01"));
    assert_true(ok("time", "08:30:06+00:20"));
    assert_false(ok("time", "08:30:06"));
    assert_false(ok("time", "24:00:00Z"));
    assert_false(ok("time", "08:30:06+24:00"));
    assert_true(ok("duration", "P4DT12H30M5S"));
    assert_true(ok("duration", "P2W"));
    assert_false(ok("duration", "P1Y2W"));
    assert_false(ok("duration", "P1Y2D"));
    assert_false(ok("duration", "PT"));
    assert_false(ok("duration", "PT0.5S"));
}

static void test_hosts_and_mail(void **state)
{
    (void)state;
    assert_true(ok("hostname", "www.example.com"));
    assert_false(ok("hostname", "-a.com"));
    assert_false(ok("hostname", "host_name"));
    assert_false(ok("hostname", "example."));
    assert_true(ok("hostname", "xn--4dbc5h"));
    assert_false(ok("hostname", "xn--X"));
    assert_false(ok("hostname", "ab--c.com"));
    assert_true(
        ok("idn-hostname", "\xec\x8b\xa4\xeb\xa1\x80.\xed\x85\x8c\xec\x8a\xa4\xed\x8a\xb8"));
    assert_false(ok("idn-hostname", "a\xc2\xb7"
                                    "b")); /* MIDDLE DOT needs l on both sides */
    assert_true(ok("idn-hostname", "l\xc2\xb7l"));
    assert_true(ok("email", "joe.bloggs@example.com"));
    assert_true(ok("email", "\"joe bloggs\"@example.com"));
    assert_true(ok("email", "joe@[127.0.0.1]"));
    assert_true(ok("email", "joe@[IPv6:::1]"));
    assert_false(ok("email", ".joe@example.com"));
    assert_false(ok("email", "joe..bloggs@example.com"));
    assert_false(ok("email", "2962"));
    assert_true(ok("idn-email", "\xec\x8b\xa4\xeb\xa1\x80@\xec\x8b\xa4\xeb\xa1\x80.\xed\x85\x8c\xec"
                                "\x8a\xa4\xed\x8a\xb8"));
}

static void test_addresses(void **state)
{
    (void)state;
    assert_true(ok("ipv4", "192.168.0.1"));
    assert_false(ok("ipv4", "256.0.0.1"));
    assert_false(ok("ipv4", "087.10.0.1"));
    assert_false(ok("ipv4", "1.2.3"));
    assert_true(ok("ipv6", "::1"));
    assert_true(ok("ipv6", "1:2:3:4:5:6:7:8"));
    assert_true(ok("ipv6", "::ffff:192.168.0.1"));
    assert_false(ok("ipv6", "12345::"));
    assert_false(ok("ipv6", "1::2::3"));
    assert_false(ok("ipv6", "fe80::1%eth0"));
    assert_true(ok("uuid", "2EB8AA08-AA98-11EA-B4AA-73B441D16380"));
    assert_false(ok("uuid", "2eb8aa08aa9811eab4aa73b441d16380"));
    /* embedded NUL is never valid */
    assert_false(mg_fmt_ipv4("1.2.3.4\0", 8));
}

static void test_uris(void **state)
{
    (void)state;
    assert_true(ok("uri", "http://foo.bar/?baz=qux#quux"));
    assert_true(ok("uri", "urn:oasis:names:specification:docbook:dtd:xml:4.1.2"));
    assert_true(ok("uri", "http://[2001:db8::7]/c=GB?objectClass?one"));
    assert_false(ok("uri", "//foo.bar/?baz=qux#quux"));
    assert_false(ok("uri", "http://example.com/a b"));
    assert_false(ok("uri", "http://example.com/%zz"));
    assert_false(ok("uri", "https://\xc3\xa9xample.com"));
    assert_true(ok("iri", "https://\xc3\xa9xample.com/\xc3\xa9"));
    assert_true(ok("uri-reference", "/abc"));
    assert_true(ok("uri-reference", "#frag"));
    assert_false(ok("uri-reference", "\\\\WINDOWS\\fileshare"));
    assert_false(ok("uri-reference", "1:b"));
    assert_true(ok("iri-reference", "//\xc3\xa9xample.com"));
    assert_true(ok("uri-template", "http://example.com/dictionary/{term:1}/{term}"));
    assert_true(ok("uri-template", "{+path,x}/here{?q*}"));
    assert_false(ok("uri-template", "http://example.com/dictionary/{term:1}/{term"));
    assert_false(ok("uri-template", "{term:0}"));
    assert_false(ok("uri-template", "{}"));
}

static void test_pointers_regex_lookup(void **state)
{
    (void)state;
    assert_true(ok("json-pointer", "/foo/bar~0/baz~1/%a"));
    assert_true(ok("json-pointer", ""));
    assert_false(ok("json-pointer", "/foo/bar~"));
    assert_false(ok("json-pointer", "foo"));
    assert_true(ok("relative-json-pointer", "1"));
    assert_true(ok("relative-json-pointer", "0#"));
    assert_false(ok("relative-json-pointer", "01/a"));
    assert_false(ok("relative-json-pointer", "0##"));
    assert_true(ok("regex", "^[A-Z]\\d+$"));
    assert_false(ok("regex", "^(abc]"));
    assert_false(ok("regex", "\\a"));
    assert_null(mg_format_lookup("no-such-format"));
    assert_string_equal(mg_format_lookup("date-time")->cname, "mg_fmt_date_time");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_and_times),
        cmocka_unit_test(test_hosts_and_mail),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_uris),
        cmocka_unit_test(test_pointers_regex_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
