/* mw_http.c - the worker's read-only HTTP endpoint (libmicrohttpd): /metrics, /healthz,
 * /readyz, and the contract catalog (/catalog, /openapi.json, /schemas, /schemas/NAME).
 *
 * Design: libmicrohttpd runs its own polling thread; handlers only read the metrics (atomic
 * loads, and the render lock of mw_metrics), so they never slow the message path. The
 * listening socket is bound here, so a bind error names the address and the reason. Paths
 * are a table; more read-only endpoints join it.
 */
#include "mw_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct mw_http {
    struct MHD_Daemon *d;
    mw_metrics *m;
    const mw_catalog *cat;
    uint16_t port;
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
    return text(200, "ready\n");
}

static const struct route {
    const char *path;
    reply (*get)(mw_http *h);
} routes[] = {
    {"/metrics", get_metrics},
    {"/healthz", get_healthz},
    {"/readyz", get_readyz},
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **state)
{
    (void)version;
    (void)upload;
    (void)upload_len;
    (void)state;
    mw_http *h = cls;
    reply r = text(404, "not found\n");
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) != 0) continue;
        free(r.body);
        r = get ? routes[i].get(h) : text(405, "method not allowed\n");
        break;
    }
    size_t dlen;
    const char *d = r.status == 404 ? mw_catalog_get(h->cat, url, &dlen) : NULL;
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

mw_http *mw_http_start(const char *listen, mw_metrics *m, const mw_catalog *cat, char *errstr,
                       size_t errlen)
{
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
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) h->port = ntohs(sa.sin_port);
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                            handle, h, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)10, MHD_OPTION_END);
    if (!h->d) {
        snprintf(errstr, errlen, "http.listen: cannot start the HTTP server on %s", listen);
        close(fd);
        free(h);
        return NULL;
    }
    return h;
}

uint16_t mw_http_port(const mw_http *h)
{
    return h->port;
}

void mw_http_stop(mw_http *h)
{
    if (!h) return;
    MHD_stop_daemon(h->d); /* closes the listening socket too */
    free(h);
}
