/* mw_http.c - the worker's HTTP endpoint (libmicrohttpd): /metrics, /healthz, /readyz, /status
 * and the status page (/, mw_status.c), the contract catalog (/catalog, /openapi.json, /schemas,
 * /schemas/NAME), and the paths of HTTP ingest, which mw_ingest.c serves; plain HTTP or TLS
 * (http.tls_*, GnuTLS in libmicrohttpd).
 *
 * Design: one thread of this file runs libmicrohttpd (epoll, driven by MHD_run), so every
 * libmicrohttpd callback runs on it and the connection list needs no lock. It sleeps in poll()
 * on libmicrohttpd's epoll descriptor and on the ingest's delivery-report pipe; after a round it
 * serves the ingest's delivery reports, which resume the requests they answer, and runs
 * libmicrohttpd again at once so those answers go out in the same round. Read-only handlers
 * only read the metrics (atomic loads, and the locks of mw_metrics), so they never slow the
 * message path. Hostile clients are bounded: connections in all and per client address
 * (libmicrohttpd refuses more), and each request must be complete and answered within
 * request_timeout_ms of the connection's start or of the previous response: after each
 * round the thread shuts down (shutdown(2), so libmicrohttpd sees the end and closes it
 * itself) every connection past its deadline, however slowly it keeps sending, except one
 * suspended while the broker acknowledges its events (the ingest answers it within its own
 * bound). A URL whose decoded form holds a control byte (%00 would cut it short) is a 400.
 * The listening socket is bound here, so a bind error names the address and the reason.
 * Paths are a table; more read-only endpoints join it.
 */
#include "mw_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mw_clock.h"
#include "mw_status.h"

/* One client connection (libmicrohttpd's socket context). */
typedef struct conn {
    struct MHD_Connection *c;
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
    mw_ingest *ing;
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
    mw_ingest_metrics(h->ing, &buf, &len);
    return (reply){200, "text/plain; version=0.0.4; charset=utf-8", buf, len};
}

static reply get_healthz(mw_http *h)
{
    (void)h;
    return text(200, "ok\n");
}

static reply get_readyz(mw_http *h)
{
    char why[1024], body[1100];
    if (mw_metrics_ready(h->m, why, sizeof why)) return text(200, "ready\n");
    snprintf(body, sizeof body, "not ready: %s\n", why);
    return text(503, body);
}

static reply get_status(mw_http *h)
{
    char *buf = NULL;
    size_t len = mw_status_render(h->m, h->cat, &buf);
    return (reply){200, "application/json", buf, len};
}

static const struct route {
    const char *path;
    reply (*get)(mw_http *h);
} routes[] = {
    {"/metrics", get_metrics},
    {"/healthz", get_healthz},
    {"/readyz", get_readyz},
    {"/status", get_status},
};

/* A file of the status page as a reply (copied: replies own their body). */
static bool page(const char *url, reply *r)
{
    mw_status_file f;
    if (!mw_status_page(url, &f)) return false;
    char *body = malloc(f.len ? f.len : 1);
    if (body) memcpy(body, f.data, f.len);
    *r = (reply){200, f.type, body, f.len};
    return true;
}

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
    mw_http *h = cls;
    conn *k = conn_of(c);
    bool bad = k && k->bad_url;
    /* a request of ingest (it has a state) stays ingest's though a reload removed its path */
    if (!bad && (*state || mw_ingest_owns(h->ing, url)))
        return mw_ingest_handle(h->ing, c, url, method, upload, upload_len, state);
    reply r = bad ? text(400, "bad request: the URL holds a control character\n")
                  : text(404, "not found\n");
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    for (size_t i = 0; !bad && i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) != 0) continue;
        free(r.body);
        r = get ? routes[i].get(h) : text(405, "method not allowed\n");
        break;
    }
    if (r.status == 404 && !bad) {
        reply p;
        if (page(url, &p)) {
            free(r.body);
            r = get ? p : text(405, "method not allowed\n");
            if (!get) free(p.body);
        }
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
    MHD_add_response_header(resp, "Content-Security-Policy", MW_STATUS_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
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
        k->c = c;
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
    (void)why;
    mw_http *h = cls;
    if (*state) mw_ingest_completed(h->ing, *state); /* only ingest requests have a state */
    *state = NULL;
    conn *k = conn_of(c);
    if (!k) return;
    k->deadline_us = mw_mono_us() + h->timeout_us;
    k->bad_url = false;
}

/* A suspended connection waits for the broker's acknowledgement of its events; the ingest
 * answers it within its own bound (mw_ingest_expire), so the deadline does not cut it. */
static bool suspended(const conn *k)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(k->c, MHD_CONNECTION_INFO_CONNECTION_SUSPENDED);
    return ci && ci->suspended == MHD_YES;
}

static void *serve(void *arg)
{
    mw_http *h = arg;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
    struct pollfd fds[2] = {{.fd = di ? di->epoll_fd : -1, .events = POLLIN},
                            {.fd = -1, .events = POLLIN}};
    while (!atomic_load_explicit(&h->stop, memory_order_acquire)) {
        fds[1].fd = mw_ingest_fd(h->ing); /* a reload may start ingest's producer */
        /* libmicrohttpd's sockets (its epoll descriptor) and the ingest's delivery reports */
        MHD_UNSIGNED_LONG_LONG to = 100;
        if (MHD_get_timeout(h->d, &to) != MHD_YES || to > 100) to = 100;
        poll(fds, fds[1].fd >= 0 ? 2 : 1, (int)to);
        MHD_run(h->d);
        /* the requests whose events were acknowledged are resumed: answer them now */
        if (mw_ingest_serve(h->ing)) MHD_run(h->d);
        int64_t now = mw_mono_us();
        for (conn *k = h->conns; k; k = k->next)
            if (!k->shut && k->fd >= 0 && now >= k->deadline_us && !suspended(k)) {
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
    h->ing = o->ingest;
    h->timeout_us = (int64_t)o->request_timeout_ms * 1000;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) h->port = ntohs(sa.sin_port);
    unsigned idle_s = (o->request_timeout_ms + 999) / 1000; /* a backstop; the deadline rules */
    /* No MHD_USE_ERROR_LOG: a hostile client must not be able to flood the log. */
    struct MHD_OptionItem opt[16];
    size_t n = 0;
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, idle_s, NULL};
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL};
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                       o->max_connections_per_ip, NULL};
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h};
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h};
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, h};
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (o->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(errstr, errlen, "http.tls_cert: this libmicrohttpd has no TLS support");
            close(fd);
            free(h);
            return NULL;
        }
        flags |= MHD_USE_TLS;
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert};
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key};
        if (o->tls_client_ca)
            opt[n++] =
                (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)o->tls_client_ca};
    }
    opt[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_ARRAY, opt, MHD_OPTION_END);
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
    if (h->d && h->ing) { /* no suspended request may be left when libmicrohttpd stops */
        mw_ingest_drain(h->ing, 5000); /* within the shutdown watchdog's 10 s margin */
        MHD_run(h->d);
    }
    MHD_stop_daemon(h->d); /* closes the connections (their contexts freed) and the socket */
    free(h);
}
