/* mw_http.c - the worker's read-only HTTP endpoint (libmicrohttpd): /metrics, /healthz,
 * /readyz, and the contract catalog (/catalog, /openapi.json, /schemas, /schemas/NAME).
 *
 * Design: one thread of this file runs libmicrohttpd (epoll, driven by MHD_run_wait), so
 * every libmicrohttpd callback runs on it and the connection list needs no lock. Handlers
 * only read the metrics (atomic loads, and the locks of mw_metrics), so they never slow the
 * message path. Hostile clients are bounded: connections in all and per client address
 * (libmicrohttpd refuses more), and each request must be complete and answered within
 * request_timeout_ms of the connection's start or of the previous response: after each
 * round the thread shuts down (shutdown(2), so libmicrohttpd sees the end and closes it
 * itself) every connection past its deadline, however slowly it keeps sending. A URL whose
 * decoded form holds a control byte (%00 would cut it short) is a 400. The listening socket
 * is bound here, so a bind error names the address and the reason. Paths are a table; more
 * read-only endpoints join it.
 */
#include "mw_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mw_clock.h"

/* One client connection (libmicrohttpd's socket context). */
typedef struct conn {
    int fd;
    int64_t deadline_us; /* the current request must be answered by then (monotonic) */
    bool bad_url;        /* the current request's URL decodes to a control byte */
    bool shut;
    struct conn *prev, *next;
} conn;

struct mw_http {
    struct MHD_Daemon *d;
    mw_metrics *m;
    const mw_catalog *cat;
    uint16_t port;
    int64_t timeout_us;
    conn *conns; /* touched on the serving thread only (and by stop after it ended) */
    pthread_t tid;
    bool started;
    _Atomic bool stop;
};

typedef struct reply {
    unsigned status;
    const char *type;
    char *body; /* malloc'd */
    size_t len;
} reply;

static reply text(unsigned status, const char *s)
{
    return (reply){status, "text/plain; charset=utf-8", strdup(s), strlen(s)};
}

static reply get_metrics(mw_http *h)
{
    char *buf = NULL;
    size_t len = mw_metrics_render(h->m, &buf);
    return (reply){200, "text/plain; version=0.0.4; charset=utf-8", buf, len};
}

static reply get_healthz(mw_http *h)
{
    (void)h;
    return text(200, "ok\n");
}

static reply get_readyz(mw_http *h)
{
    if (!atomic_load(&h->m->assigned)) return text(503, "not ready: no partition assignment yet\n");
    if (!atomic_load(&h->m->brokers_up)) return text(503, "not ready: brokers unreachable\n");
    char why[1024], body[1100];
    if (!mw_metrics_unhealthy(h->m, why, sizeof why)) return text(200, "ready\n");
    snprintf(body, sizeof body, "not ready: %s\n", why);
    return text(503, body);
}

static const struct route {
    const char *path;
    reply (*get)(mw_http *h);
} routes[] = {
    {"/metrics", get_metrics},
    {"/healthz", get_healthz},
    {"/readyz", get_readyz},
};

static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **state)
{
    (void)version;
    (void)upload;
    (void)upload_len;
    (void)state;
    mw_http *h = cls;
    conn *k = conn_of(c);
    bool bad = k && k->bad_url;
    reply r = bad ? text(400, "bad request: the URL holds a control character\n")
                  : text(404, "not found\n");
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    for (size_t i = 0; !bad && i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) != 0) continue;
        free(r.body);
        r = get ? routes[i].get(h) : text(405, "method not allowed\n");
        break;
    }
    size_t dlen;
    const char *d = r.status == 404 && !bad ? mw_catalog_get(h->cat, url, &dlen) : NULL;
    if (d) {
        free(r.body);
        char *body = malloc(dlen ? dlen : 1);
        if (body) memcpy(body, d, dlen);
        r = get ? (reply){200, "application/json", body, dlen} : text(405, "method not allowed\n");
        if (!get) free(body);
    }
    static const char oom[] = "out of memory\n";
    struct MHD_Response *resp =
        r.body
            ? MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
    if (!r.body) r.status = 500;
    if (!resp) {
        free(r.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r.type);
    if (r.status == 405) MHD_add_response_header(resp, "Allow", "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Decodes %XX in a URL or query part in place, as libmicrohttpd would, and marks the request
 * bad if the result holds a control byte: libmicrohttpd reads it as a C string, so "%00" would
 * cut "/metrics%00.json" to "/metrics". */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    size_t n = MHD_http_unescape(s);
    conn *k = conn_of(c);
    for (size_t i = 0; k && i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) k->bad_url = true;
    return n;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode what)
{
    mw_http *h = cls;
    conn *k = *socket_context;
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        k = calloc(1, sizeof *k);
        if (!k) return; /* no deadline for it: libmicrohttpd's idle timeout still applies */
        k->fd = ci ? ci->connect_fd : -1;
        k->deadline_us = mw_mono_us() + h->timeout_us;
        k->next = h->conns;
        if (h->conns) h->conns->prev = k;
        h->conns = k;
        *socket_context = k;
    } else if (k) { /* closed: libmicrohttpd closes the socket after this returns */
        if (k->prev)
            k->prev->next = k->next;
        else
            h->conns = k->next;
        if (k->next) k->next->prev = k->prev;
        free(k);
        *socket_context = NULL;
    }
}

/* A response was sent (or the request failed): the next request on a kept-alive connection
 * gets its own deadline. */
static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    (void)state;
    (void)why;
    mw_http *h = cls;
    conn *k = conn_of(c);
    if (!k) return;
    k->deadline_us = mw_mono_us() + h->timeout_us;
    k->bad_url = false;
}

static void *serve(void *arg)
{
    mw_http *h = arg;
    while (!atomic_load_explicit(&h->stop, memory_order_acquire)) {
        MHD_run_wait(h->d, 100);
        int64_t now = mw_mono_us();
        for (conn *k = h->conns; k; k = k->next)
            if (!k->shut && k->fd >= 0 && now >= k->deadline_us) {
                shutdown(k->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes it */
                k->shut = true;
            }
    }
    return NULL;
}

/* Binds HOST:PORT; returns the socket or -1 with errstr. */
static int bind_listen(const char *addr, char *errstr, size_t errlen)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || !colon[1]) {
        snprintf(errstr, errlen, "http.listen: \"%s\" is not HOST:PORT", addr);
        return -1;
    }
    char host[256];
    size_t hl = (size_t)(colon - addr);
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (hl >= sizeof host || *end || errno || port > 65535 || colon[1] < '0' || colon[1] > '9') {
        snprintf(errstr, errlen, "http.listen: \"%s\" is not HOST:PORT", addr);
        return -1;
    }
    memcpy(host, addr, hl);
    host[hl] = 0;
    struct addrinfo hints = {.ai_family = AF_INET,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(errstr, errlen, "http.listen: cannot resolve %s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        snprintf(errstr, errlen, "http.listen: cannot listen on %s: %s", addr, strerror(errno));
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

mw_http *mw_http_start(const mw_http_opts *o, mw_metrics *m, const mw_catalog *cat, char *errstr,
                       size_t errlen)
{
    const char *listen = o->listen;
    int fd = bind_listen(listen, errstr, errlen);
    if (fd < 0) return NULL;
    mw_http *h = calloc(1, sizeof *h);
    if (!h) {
        close(fd);
        snprintf(errstr, errlen, "http: out of memory");
        return NULL;
    }
    h->m = m;
    h->cat = cat;
    h->timeout_us = (int64_t)o->request_timeout_ms * 1000;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) h->port = ntohs(sa.sin_port);
    unsigned idle_s = (o->request_timeout_ms + 999) / 1000; /* a backstop; the deadline rules */
    /* No MHD_USE_ERROR_LOG: a hostile client must not be able to flood the log. */
    h->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, handle, h, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)o->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                            (unsigned)o->max_connections_per_ip, MHD_OPTION_NOTIFY_CONNECTION,
                            on_connection, h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, h, MHD_OPTION_END);
    if (!h->d) {
        snprintf(errstr, errlen, "http.listen: cannot start the HTTP server on %s", listen);
        close(fd);
        free(h);
        return NULL;
    }
    if (pthread_create(&h->tid, NULL, serve, h) != 0) {
        snprintf(errstr, errlen, "http.listen: cannot start the HTTP thread for %s", listen);
        mw_http_stop(h);
        return NULL;
    }
    h->started = true;
    return h;
}

uint16_t mw_http_port(const mw_http *h)
{
    return h->port;
}

void mw_http_stop(mw_http *h)
{
    if (!h) return;
    atomic_store_explicit(&h->stop, true, memory_order_release);
    if (h->started) pthread_join(h->tid, NULL);
    MHD_stop_daemon(h->d); /* closes the connections (their contexts freed) and the socket */
    free(h);
}
