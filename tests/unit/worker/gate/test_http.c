/* test_http.c - unit tests for worker/gate/mw_http.c: the endpoints over a real socket (status line,
 * content type, body), /readyz following the readiness flags, 404, 405 with Allow, HEAD,
 * listen errors (address in use, malformed HOST:PORT), and hostile clients: control bytes in
 * the URL, the connection limits in all and per address, and the request deadline against a
 * client that sends one byte at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mw_http.h"

typedef struct response {
    int status;
    char content_type[128];
    char allow[64];
    char *body; /* NUL-terminated */
    size_t body_len;
} response;

/* The value of header name in the head (lines ending in \r\n), copied into out. */
static void header(const char *head, const char *name, char *out, size_t cap)
{
    out[0] = 0;
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, n) != 0 || line[n] != ':') continue;
        const char *v = line + n + 1;
        while (*v == ' ')
            v++;
        const char *e = strstr(v, "\r\n");
        size_t len = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
        memcpy(out, v, len);
        out[len] = 0;
        return;
    }
}

/* Sends a request for path with method to 127.0.0.1:port and reads the whole response (the
 * request asks the server to close the connection). */
static response request(uint16_t port, const char *method, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 30}; /* a hung server fails the test instead of blocking it */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char req[256];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n",
                     method, path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        assert_true(r >= 0);
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = 0;

    response resp = {0};
    assert_int_equal(sscanf(buf, "HTTP/1.1 %d ", &resp.status), 1);
    char *end = strstr(buf, "\r\n\r\n");
    assert_non_null(end);
    end[2] = 0; /* the head keeps its last \r\n */
    header(buf, "Content-Type", resp.content_type, sizeof resp.content_type);
    header(buf, "Allow", resp.allow, sizeof resp.allow);
    char cl[32];
    header(buf, "Content-Length", cl, sizeof cl);
    resp.body_len = len - (size_t)(end + 4 - buf);
    if (strcmp(method, "HEAD") != 0) assert_int_equal(strtoul(cl, NULL, 10), resp.body_len);
    resp.body = strdup(end + 4);
    assert_non_null(resp.body);
    free(buf);
    return resp;
}

static void expect(uint16_t port, const char *path, int status, const char *type, const char *body)
{
    response r = request(port, "GET", path);
    assert_int_equal(r.status, status);
    assert_string_equal(r.content_type, type);
    assert_string_equal(r.body, body);
    free(r.body);
}

/* The defaults of the configuration. */
static mw_http *start(const char *listen, mw_metrics *m, char *err, size_t errlen)
{
    mw_http_opts o = {listen, 64, 16, 10000};
    return mw_http_start(&o, m, NULL, err, errlen);
}

typedef struct fixture {
    mw_metrics *m;
    mw_http *h;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->m = mw_metrics_new(2);
    assert_non_null(f->m);
    char err[256] = "";
    f->h = start("127.0.0.1:0", f->m, err, sizeof err);
    if (!f->h) fail_msg("mw_http_start: %s", err);
    assert_int_not_equal(mw_http_port(f->h), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    mw_http_stop(f->h);
    mw_metrics_free(f->m);
    free(f);
    return 0;
}

static void test_metrics(void **state)
{
    fixture *f = *state;
    f->m->w[0].consumed = 5;
    f->m->w[1].consumed = 2;
    f->m->w[1].rejected[MW_RJ_UTF8] = 3;
    mw_hist_record(f->m->w[0].validate, 40);
    char *want = NULL;
    mw_metrics_render(f->m, &want);
    assert_non_null(want);
    response r = request(mw_http_port(f->h), "GET", "/metrics");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert_string_equal(r.body, want);
    assert_non_null(strstr(r.body, "\nmeshgate_messages_consumed_total 7\n"));
    assert_non_null(strstr(r.body, "\nmeshgate_messages_rejected_total{reason=\"utf8\"} 3\n"));
    assert_non_null(
        strstr(r.body, "\nmeshgate_validation_latency_seconds_bucket{le=\"0.00005\"} 1\n"));
    free(r.body);
    free(want);
}

static void test_healthz(void **state)
{
    fixture *f = *state;
    expect(mw_http_port(f->h), "/healthz", 200, "text/plain; charset=utf-8", "ok\n");
}

static void test_readyz(void **state)
{
    fixture *f = *state;
    uint16_t port = mw_http_port(f->h);
    const char *type = "text/plain; charset=utf-8";
    expect(port, "/readyz", 503, type, "not ready: no partition assignment yet\n");
    f->m->brokers_up = true;
    expect(port, "/readyz", 503, type, "not ready: no partition assignment yet\n");
    f->m->brokers_up = false;
    f->m->assigned = true;
    expect(port, "/readyz", 503, type, "not ready: brokers unreachable\n");
    f->m->brokers_up = true;
    expect(port, "/readyz", 200, type, "ready\n");
    f->m->assigned = false;
    expect(port, "/readyz", 503, type, "not ready: no partition assignment yet\n");
}

static void test_not_found(void **state)
{
    fixture *f = *state;
    uint16_t port = mw_http_port(f->h);
    const char *paths[] = {"/", "/metricsx", "/metrics/", "/healthz/x", "/nope"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        response r = request(port, "GET", paths[i]);
        assert_int_equal(r.status, 404);
        free(r.body);
    }
}

static void test_method_not_allowed(void **state)
{
    fixture *f = *state;
    uint16_t port = mw_http_port(f->h);
    const char *methods[] = {"POST", "PUT", "DELETE"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        response r = request(port, methods[i], "/metrics");
        assert_int_equal(r.status, 405);
        assert_string_equal(r.allow, "GET, HEAD");
        free(r.body);
    }
}

static void test_head(void **state)
{
    fixture *f = *state;
    response r = request(mw_http_port(f->h), "HEAD", "/healthz");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    assert_int_equal(r.body_len, 0);
    free(r.body);
}

static void test_address_in_use(void **state)
{
    fixture *f = *state;
    char listen[64], err[256] = "", want[128];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", (unsigned)mw_http_port(f->h));
    mw_http *h = start(listen, f->m, err, sizeof err);
    assert_null(h);
    snprintf(want, sizeof want, "http.listen: cannot listen on %s: %s", listen,
             strerror(EADDRINUSE));
    assert_string_equal(err, want);
    /* The first server still answers. */
    expect(mw_http_port(f->h), "/healthz", 200, "text/plain; charset=utf-8", "ok\n");
}

static void test_bad_listen(void **state)
{
    fixture *f = *state;
    const char *bad[] = {"127.0.0.1",      ":9464",        "127.0.0.1:",   "127.0.0.1:99999",
                         "127.0.0.1:http", "127.0.0.1:-1", "127.0.0.1:80x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "", want[128];
        assert_null(start(bad[i], f->m, err, sizeof err));
        snprintf(want, sizeof want, "http.listen: \"%s\" is not HOST:PORT", bad[i]);
        assert_string_equal(err, want);
    }
}

/* Other accepted forms: any address, and a host name. */
static void test_listen_forms(void **state)
{
    fixture *f = *state;
    const char *forms[] = {"0.0.0.0:0", "localhost:0"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char err[256] = "";
        mw_http *h = start(forms[i], f->m, err, sizeof err);
        if (!h) fail_msg("%s: %s", forms[i], err);
        expect(mw_http_port(h), "/healthz", 200, "text/plain; charset=utf-8", "ok\n");
        mw_http_stop(h);
    }
}

/* Connects to 127.0.0.1:port from the loopback address from (127.0.0.x); returns the socket. */
static int connect_from(uint16_t port, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 30};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in src = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Sends GET path on fd and returns the status, or 0 if the server closed without answering. */
static int get_status(int fd, const char *path)
{
    char req[256], buf[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n) return 0;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    if (got <= 0) return 0;
    buf[got] = 0;
    int status = 0;
    return sscanf(buf, "HTTP/1.1 %d", &status) == 1 ? status : 0;
}

/* A URL whose decoded form holds a control byte is refused, never cut at the byte (%00 made
 * /metrics%00.json read as /metrics). */
static void test_control_bytes_in_url(void **state)
{
    fixture *f = *state;
    uint16_t port = mw_http_port(f->h);
    const char *bad[] = {"/metrics%00.json", "/metrics%00", "/healthz%0d%0aX-Injected:%201",
                         "/readyz%1b[31m",   "/metrics%7f", "/metrics?x=%00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        response r = request(port, "GET", bad[i]);
        if (r.status != 400) fail_msg("%s: status %d, want 400", bad[i], r.status);
        assert_string_equal(r.body, "bad request: the URL holds a control character\n");
        free(r.body);
    }
    /* Other escapes still decode (%3F is '?', a path byte here), and the next request is
     * judged on its own. */
    expect(port, "/healthz%3F", 404, "text/plain; charset=utf-8", "not found\n");
    expect(port, "/healthz", 200, "text/plain; charset=utf-8", "ok\n");
}

/* Reads until the server closes fd; true if it did within ms. */
static bool closed_within(int fd, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[256];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got == 0 || (got < 0 && errno == ECONNRESET)) return true;
        if (got < 0) return false; /* timed out: still open */
    }
}

/* A server on a free loopback port with these limits. */
static mw_http *start_limited(fixture *f, uint32_t max_conn, uint32_t per_ip, uint32_t timeout_ms)
{
    char err[256] = "";
    mw_http_opts o = {"127.0.0.1:0", max_conn, per_ip, timeout_ms};
    mw_http *h = mw_http_start(&o, f->m, NULL, err, sizeof err);
    if (!h) fail_msg("%s", err);
    return h;
}

static void test_connection_limits(void **state)
{
    mw_http *h = start_limited(*state, 3, 2, 10000);
    uint16_t port = mw_http_port(h);
    int a = connect_from(port, "127.0.0.1"), b = connect_from(port, "127.0.0.1");
    int c = connect_from(port, "127.0.0.1");
    assert_true(closed_within(c, 5000)); /* a third from one address: refused */
    close(c);
    int d = connect_from(port, "127.0.0.2"); /* another address still gets in */
    /* A fourth in all waits, unanswered, in the listen queue until one of them ends. */
    int e = connect_from(port, "127.0.0.3");
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(write(e, req, strlen(req)), (ssize_t)strlen(req));
    assert_false(closed_within(e, 1000)); /* nothing came back, and it is still open */
    close(a);
    char buf[256];
    struct timeval tv = {.tv_sec = 5};
    setsockopt(e, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t got = read(e, buf, sizeof buf - 1);
    assert_true(got > 0);
    buf[got] = 0;
    assert_non_null(strstr(buf, "HTTP/1.1 200"));
    close(e);
    assert_int_equal(get_status(d, "/healthz"), 200);
    close(d);
    close(b);
    usleep(300 * 1000); /* the server notices the closes */
    int g = connect_from(port, "127.0.0.1");
    assert_int_equal(get_status(g, "/healthz"), 200);
    close(g);
    mw_http_stop(h);
}

/* A client sending one byte at a time, each well within the idle timeout, is cut off at the
 * request deadline; and one that sends nothing at all. */
static void test_slow_clients(void **state)
{
    mw_http *h = start_limited(*state, 64, 16, 1000);
    uint16_t port = mw_http_port(h);
    int idle = connect_from(port, "127.0.0.1");
    int slow = connect_from(port, "127.0.0.1");
    const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool cut = false;
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < strlen(req) && !cut; i++) {
        if (write(slow, req + i, 1) != 1) cut = true;
        struct timeval tv = {.tv_usec = 200 * 1000};
        setsockopt(slow, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[64];
        ssize_t got = read(slow, buf, sizeof buf);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) cut = true;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (!cut || secs > 5.0)
        fail_msg("the slow client was %s after %.1f s", cut ? "cut" : "kept", secs);
    assert_true(closed_within(idle, 5000));
    close(idle);
    close(slow);
    /* A prompt client is served as before. */
    int ok = connect_from(port, "127.0.0.1");
    assert_int_equal(get_status(ok, "/healthz"), 200);
    close(ok);
    mw_http_stop(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_healthz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readyz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_listen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_bytes_in_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_clients, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
