/* thrd_shim.c - linked into ThreadSanitizer builds only (make tsan): C11 thrd_create,
 * thrd_join and thrd_detach on top of their pthread counterparts.
 *
 * Design: librdkafka starts its threads with C11 thrd_create. glibc 2.36 implements it
 * without going through pthread_create, and the TSan runtimes of gcc 12 and clang 14 do not
 * intercept it, so TSan never learns about librdkafka's threads and crashes in its allocator
 * on their first malloc. Defined in the executable (linked with -rdynamic), this thrd_create
 * takes precedence over glibc's for librdkafka too, and goes through the intercepted
 * pthread_create; thrd_join and thrd_detach likewise, so TSan sees the threads end. glibc's
 * thrd_t is a pthread_t, so the other C11 thread functions keep working unchanged.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

typedef struct start {
    thrd_start_t fn;
    void *arg;
} start;

static void *trampoline(void *p)
{
    start s = *(start *)p;
    free(p);
    return (void *)(intptr_t)s.fn(s.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg)
{
    start *s = malloc(sizeof *s);
    if (!s) return thrd_nomem;
    s->fn = fn;
    s->arg = arg;
    if (pthread_create((pthread_t *)thr, NULL, trampoline, s) != 0) {
        free(s);
        return thrd_error;
    }
    return thrd_success;
}

int thrd_join(thrd_t thr, int *res)
{
    void *r;
    if (pthread_join((pthread_t)thr, &r) != 0) return thrd_error;
    if (res) *res = (int)(intptr_t)r;
    return thrd_success;
}

int thrd_detach(thrd_t thr)
{
    return pthread_detach((pthread_t)thr) == 0 ? thrd_success : thrd_error;
}
