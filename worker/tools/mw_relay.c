/* mw_relay.c - a TCP relay on a fixed loopback port, so `meshgate broker --port N` has a
 * stable bootstrap address.
 *
 * Design: librdkafka 2.0.2's mock cluster listens on ports it chooses itself and has no API to
 * choose them, so a listener on 127.0.0.1:N relays each connection to the first mock broker.
 * A Kafka client bootstraps through it; the metadata it receives then names the brokers' own
 * loopback addresses, which it uses for everything else (on the same machine that works, and
 * the bootstrap address is what configurations and scripts name). One thread accepts; each
 * connection gets a detached thread that copies bytes both ways until either side closes.
 * Development only: plaintext, loopback, no limits beyond the kernel's.
 */
#include "mw_relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct mw_relay {
    int lfd;
    struct sockaddr_in target;
    pthread_t thread;
};

typedef struct pair {
    int fd[2];
} pair;

/* Writes all of buf to fd; false on error. */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        buf += w;
        n -= (size_t)w;
    }
    return 1;
}

static void *pump(void *arg)
{
    pair p = *(pair *)arg;
    free(arg);
    char buf[65536];
    for (int open = 1; open;) {
        struct pollfd fds[2] = {{.fd = p.fd[0], .events = POLLIN},
                                {.fd = p.fd[1], .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2 && open; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = recv(p.fd[i], buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            open = n > 0 && write_all(p.fd[1 - i], buf, (size_t)n);
        }
    }
    close(p.fd[0]);
    close(p.fd[1]);
    return NULL;
}

static void *accept_main(void *arg)
{
    mw_relay *r = arg;
    for (;;) {
        int c = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return NULL; /* shut down */
        }
        int u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pair *p = malloc(sizeof *p);
        pthread_t t;
        if (u < 0 || !p || connect(u, (struct sockaddr *)&r->target, sizeof r->target) != 0) {
            free(p);
            if (u >= 0) close(u);
            close(c);
            continue;
        }
        *p = (pair){{c, u}};
        if (pthread_create(&t, NULL, pump, p) != 0) {
            free(p);
            close(c);
            close(u);
            continue;
        }
        pthread_detach(t);
    }
}

mw_relay *mw_relay_start(int port, const char *target, char *errstr, size_t errlen)
{
    mw_relay *r = calloc(1, sizeof *r);
    char host[64];
    int tport = 0;
    if (!r) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    if (sscanf(target, "%63[0-9.]:%d", host, &tport) != 2 ||
        inet_pton(AF_INET, host, &r->target.sin_addr) != 1) {
        snprintf(errstr, errlen, "cannot relay to %s: not an IPv4 HOST:PORT", target);
        free(r);
        return NULL;
    }
    r->target.sin_family = AF_INET;
    r->target.sin_port = htons((uint16_t)tport);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (r->lfd < 0 || setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(r->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(r->lfd, 64) != 0) {
        snprintf(errstr, errlen, "127.0.0.1:%d: %s", port, strerror(errno));
        if (r->lfd >= 0) close(r->lfd);
        free(r);
        return NULL;
    }
    if (pthread_create(&r->thread, NULL, accept_main, r) != 0) {
        snprintf(errstr, errlen, "cannot start the relay thread");
        close(r->lfd);
        free(r);
        return NULL;
    }
    return r;
}

void mw_relay_stop(mw_relay *r)
{
    if (!r) return;
    shutdown(r->lfd, SHUT_RDWR); /* accept() returns */
    pthread_join(r->thread, NULL);
    close(r->lfd);
    free(r);
}
