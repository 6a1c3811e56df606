/* libcmp.c - the HTTP library measurement of issue 19.6: libmicrohttpd (what the worker links)
 * against h2o (Debian's libh2o-evloop) on the ingest workload, the Kafka part left out because
 * it is the same for both. Each server runs one event-loop thread, as the worker's HTTP thread
 * does, reads a POSTed body (one JSON event, or NDJSON with one a line), validates every event
 * with the compiled schema set and answers 202 {"valid":N,"invalid":M} on a kept-alive
 * connection. bench/http/libcmp.sh drives both with wrk.
 *
 * Usage: libcmp --lib mhd|h2o --schemas SET.so --schema NAME --port PORT
 */
#include <arpa/inet.h>
#include <h2o.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "meshgate.h"
#include "mw_schemas.h"

static const mg_schema *schema;
static mg_validator *validator;

/* Validates each event of body; writes the answer into out. */
static size_t judge(const char *body, size_t len, char *out, size_t cap)
{
    size_t valid = 0, invalid = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(body + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - body) : len;
        if (end > i) {
            if (mg_validate(validator, schema, body + i, end - i, end - i) == MG_OK)
                valid++;
            else
                invalid++;
        }
        i = end + 1;
    }
    int n = snprintf(out, cap, "{\"valid\":%zu,\"invalid\":%zu}", valid, invalid);
    return n > 0 ? (size_t)n : 0;
}

/* ---- libmicrohttpd ---- */

typedef struct body {
    char *p;
    size_t len, cap;
} body;

static enum MHD_Result mhd_handle(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_len, void **state)
{
    (void)cls;
    (void)url;
    (void)version;
    (void)method;
    body *b = *state;
    if (!b) {
        *state = calloc(1, sizeof *b);
        return *state ? MHD_YES : MHD_NO;
    }
    if (*upload_len) {
        if (b->len + *upload_len > b->cap) {
            b->cap = (b->len + *upload_len) * 2;
            b->p = realloc(b->p, b->cap);
            if (!b->p) return MHD_NO;
        }
        memcpy(b->p + b->len, upload, *upload_len);
        b->len += *upload_len;
        *upload_len = 0;
        return MHD_YES;
    }
    char out[128];
    size_t n = judge(b->p ? b->p : "", b->len, out, sizeof out);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, out, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 202, r);
    MHD_destroy_response(r);
    return ret;
}

static void mhd_completed(void *cls, struct MHD_Connection *c, void **state,
                          enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    body *b = *state;
    if (b) free(b->p);
    free(b);
    *state = NULL;
}

static int run_mhd(uint16_t port)
{
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, mhd_handle, NULL,
        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_NOTIFY_COMPLETED, mhd_completed, NULL, MHD_OPTION_END);
    if (!d) return 1;
    printf("listening %u\n", port);
    fflush(stdout);
    pause();
    MHD_stop_daemon(d);
    return 0;
}

/* ---- h2o ---- */

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;

static int h2o_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    char out[128];
    size_t n = judge(req->entity.base ? req->entity.base : "", req->entity.len, out, sizeof out);
    char *copy = h2o_mem_alloc_pool(&req->pool, n);
    memcpy(copy, out, n);
    req->res.status = 202;
    req->res.reason = "Accepted";
    req->res.content_length = n; /* without it h2o closes the connection after the answer */
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    h2o_send_inline(req, copy, n);
    return 0;
}

static void h2o_on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err || !(sock = h2o_evloop_socket_accept(listener))) return;
    h2o_accept(&accept_ctx, sock);
}

static int run_h2o(uint16_t port)
{
    h2o_config_init(&config);
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof *handler);
    handler->on_req = h2o_on_req;
    h2o_context_init(&ctx, h2o_evloop_create(), &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(0x7f000001);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1024) != 0)
        return 1;
    h2o_socket_t *sock = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(sock, h2o_on_accept);
    printf("listening %u\n", port);
    fflush(stdout);
    while (h2o_evloop_run(ctx.loop, INT32_MAX) == 0) {
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *lib = NULL, *set = NULL, *name = NULL;
    unsigned port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--lib") == 0) lib = argv[i + 1];
        if (strcmp(argv[i], "--schemas") == 0) set = argv[i + 1];
        if (strcmp(argv[i], "--schema") == 0) name = argv[i + 1];
        if (strcmp(argv[i], "--port") == 0) port = (unsigned)atoi(argv[i + 1]);
    }
    if (!lib || !set || !name || !port) {
        fprintf(stderr, "usage: libcmp --lib mhd|h2o --schemas SET.so --schema NAME --port P\n");
        return 2;
    }
    char err[512];
    mw_schemas *s = mw_schemas_load(set, err, sizeof err);
    schema = s ? mg_schema_find(mw_schemas_set(s), name) : NULL;
    mg_validator_conf vc = {.max_bytes = 1 << 20, .max_errors = 1};
    validator = schema ? mg_validator_new(&vc, err, sizeof err) : NULL;
    if (!validator) {
        fprintf(stderr, "libcmp: %s\n", s ? "no such schema or no validator" : err);
        return 1;
    }
    return strcmp(lib, "h2o") == 0 ? run_h2o((uint16_t)port) : run_mhd((uint16_t)port);
}
