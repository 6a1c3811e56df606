/* cg_so.c - `meshgate-codegen --so OUT.so`: compiles and links the generated C into the shared
 * object the worker loads, in one step.
 *
 * Design: the runtime's headers and library are found next to the running binary, so one
 * codegen works from the build tree (build/meshgate-codegen: ../validator, build/
 * libmgvalidator.a) and from an installed tree (PREFIX/bin: PREFIX/include/meshgate,
 * PREFIX/lib), wherever DESTDIR put it. The compiler is $CC (default cc), its flags $CFLAGS
 * (default -O2), both split on blanks as make does; it is run with execvp, never through a
 * shell, so no path or flag is interpreted twice. The compiler's own messages go to stderr.
 */
#include "cg_so.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folders of mg_rt.h and libmgvalidator.a for the binary in exe_dir. */
static bool find_runtime(const char *exe_dir, char *inc, char *lib, size_t cap)
{
    static const char *const layouts[][2] = {
        {"%s/../include/meshgate", "%s/../lib"}, /* installed: PREFIX/bin */
        {"%s/../validator", "%s"},               /* build tree: build/ */
    };
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        char h[PATH_MAX + 64], a[PATH_MAX + 64];
        snprintf(inc, cap, layouts[i][0], exe_dir);
        snprintf(lib, cap, layouts[i][1], exe_dir);
        snprintf(h, sizeof h, "%s/mg_rt.h", inc);
        snprintf(a, sizeof a, "%s/libmgvalidator.a", lib);
        if (is_file(h) && is_file(a)) return true;
    }
    return false;
}

typedef struct argv_buf {
    char **v;
    size_t n;
} argv_buf;

static void push(argv_buf *a, const char *s)
{
    a->v = realloc(a->v, (a->n + 2) * sizeof *a->v);
    a->v[a->n++] = strdup(s);
    a->v[a->n] = NULL;
}

/* Appends the blank-separated words of s. */
static void push_words(argv_buf *a, const char *s)
{
    while (*s) {
        s += strspn(s, " \t\n");
        size_t n = strcspn(s, " \t\n");
        if (!n) break;
        char *w = strndup(s, n);
        push(a, w);
        free(w);
        s += n;
    }
}

bool cg_build_so(const char *c_path, const char *so_path, FILE *err)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(err, "meshgate-codegen: --so: cannot find where meshgate-codegen is: %s\n",
                strerror(errno));
        return false;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    char inc[PATH_MAX + 32], lib[PATH_MAX + 32];
    if (!find_runtime(exe, inc, lib, sizeof inc)) {
        fprintf(err,
                "meshgate-codegen: --so: no runtime next to %s (looked for "
                "%s/../include/meshgate/mg_rt.h with %s/../lib/libmgvalidator.a, and "
                "%s/../validator/mg_rt.h with %s/libmgvalidator.a)\n",
                exe, exe, exe, exe, exe);
        return false;
    }
    const char *cc = getenv("CC"), *cflags = getenv("CFLAGS");
    argv_buf a = {0};
    push_words(&a, cc && *cc ? cc : "cc");
    if (a.n == 0) push(&a, "cc");
    push_words(&a, cflags ? cflags : "-O2");
    char incflag[PATH_MAX + 40], libpath[PATH_MAX + 64];
    snprintf(incflag, sizeof incflag, "-I%s", inc);
    snprintf(libpath, sizeof libpath, "%s/libmgvalidator.a", lib);
    const char *fixed[] = {
        "-std=c11", "-fPIC",      "-shared", "-DMG_SHARED_OBJECT", incflag, "-o", so_path, c_path,
        libpath,    "-lsimdjson", "-lidn2",  "-lstdc++",           "-lm"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        push(&a, fixed[i]);
    pid_t pid;
    int rc = posix_spawnp(&pid, a.v[0], NULL, NULL, a.v, environ);
    int status = 0;
    bool ok = false;
    if (rc != 0) {
        fprintf(err, "meshgate-codegen: --so: cannot run %s: %s\n", a.v[0], strerror(rc));
    } else if (waitpid(pid, &status, 0) < 0) {
        fprintf(err, "meshgate-codegen: --so: waiting for %s: %s\n", a.v[0], strerror(errno));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(err, "meshgate-codegen: --so: %s failed building %s from %s (its messages above)\n",
                a.v[0], so_path, c_path);
    } else {
        ok = true;
    }
    for (size_t i = 0; i < a.n; i++)
        free(a.v[i]);
    free(a.v);
    return ok;
}
