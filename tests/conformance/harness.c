/* harness.c - runs the official JSON Schema test suite through meshgate's real path:
 * meshgate-codegen on each schema, cc into a shared object, dlopen, mg_validate each instance.
 *
 * Design: every suite file is one job, done in a child process (up to --jobs at a time, 2 by
 * default). The child writes each group's schema to its own file and runs codegen once per
 * group (groups of one file may reuse an $id, so they cannot share a set), compiles all groups
 * with a generated table (mgconf_sets[], found by dlsym) into one shared object with one cc
 * call, loads it and validates every test's data twice: reporting the first error only and
 * reporting up to 16 (the verdicts must agree). It writes one result line per test to
 * results.tsv in its work dir. A group codegen refuses, or whose C does not compile, has no
 * verdict: its tests fail with the reason. Running generated code in a child means a crash
 * costs one file's results, not the run. The required sets are compiled with
 * --format-annotation (the spec's default, which their format.json tests check); optional and
 * format with meshgate's default of asserting formats.
 * The parent then checks the results in suite order against the known-failures list: an
 * unlisted failure and a listed case that passes both fail the run. It prints one line per set
 * ("conformance draft2020-12 required: 1299/1299 passed") and a TAP line per set, for
 * 2020-12, 2019-09, draft-07, draft-06 and draft-04. --form NAME with --codegen-arg runs the
 * suite through another form of the output (the one codegen gives big sets: functions shared
 * between identical subschemas, objects checked from tables), which must pass alike.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cg_json.h"
#include "meshgate.h"

enum { NDRAFT = 5, NSET = 3, MANY_ERRORS = 16 };
static const char *const drafts[NDRAFT] = {"draft2020-12", "draft2019-09", "draft7", "draft6",
                                           "draft4"};
static const char *const dialects[NDRAFT] = {"2020-12", "2019-09", "draft7", "draft6", "draft4"};
static const char *const set_names[NSET] = {"required", "optional", "format"};
static const char *const set_dirs[NSET] = {"", "/optional", "/optional/format"};

enum { MAX_CG_ARGS = 16 };

typedef struct opts {
    const char *suite, *build, *known, *only, *cc, *cflags;
    const char *form; /* --form: a name for the codegen arguments below, NULL: the default */
    const char *cg_args[MAX_CG_ARGS];
    int ncg_args;
    bool verbose, update;
    int jobs;
} opts;

typedef struct job {
    int draft, set;
    char *id;   /* "draft2020-12/required/ref.json" */
    char *path; /* the suite file */
    char *dir;  /* work dir under BUILD/conformance */
    int status; /* of the child process, from waitpid */
} job;

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

typedef struct entry {
    char *key, *reason;
    bool seen;
} entry;

typedef struct known {
    entry *e;
    size_t n;
    bool malformed;
} known;

typedef struct set_count {
    size_t pass, total, regress, stale;
} set_count;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("mgconf: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
}

/* Appends s quoted for the shell. */
static void sb_quote(strbuf *b, const char *s)
{
    sb_printf(b, " '");
    for (; *s; s++)
        if (*s == '\'')
            sb_printf(b, "'\\''");
        else
            sb_printf(b, "%c", *s);
    sb_printf(b, "'");
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json file names in dir, sorted. */
static size_t list_json(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    *out = NULL;
    if (!d) return 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            (*out)[n++] = xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(*out, n, sizeof **out, cmp_str);
    return n;
}

static void mkdirs(const char *path)
{
    char *tmp = xstrdup(path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
    free(tmp);
}

/* The first non-empty line of a file (for one-line reasons), or "" if none. */
static void first_line(const char *path, char *buf, size_t cap)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(buf, (int)cap, f)) {
        buf[strcspn(buf, "\r\n")] = 0;
        if (buf[0]) break;
    }
    fclose(f);
}

/* Shows a log file, if it has anything, under a title; each line as a TAP comment. */
static void show_file(const char *title, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    for (int n = 0; fgets(line, sizeof line, f) && n < 40; n++) {
        if (n == 0) printf("#     %s (%s):\n", title, path);
        printf("#       %s%s", line, strchr(line, '\n') ? "" : "\n");
    }
    fclose(f);
}

/* ---- the child: codegen, cc, dlopen, validate ---- */

static bool codegen_group(const opts *o, const job *j, size_t g, const cj_node *schema)
{
    char *path = str_printf("%s/g%zu.json", j->dir, g);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        free(path);
        return false;
    }
    cj_write(f, schema);
    fclose(f);
    char *old_log = str_printf("%s/g%zu.cc.log", j->dir, g);
    unlink(old_log); /* written again only if this group's C fails to compile */
    free(old_log);
    strbuf cmd = {0};
    sb_printf(&cmd, "timeout 120");
    sb_quote(&cmd, o->build);
    sb_printf(&cmd, "/meshgate-codegen --default-dialect %s%s --prefix g%zu --name g%zu --map",
              dialects[j->draft], j->set == 0 ? " --format-annotation" : "", g, g);
    char *map = str_printf("http://localhost:1234/=%s/remotes/", o->suite);
    sb_quote(&cmd, map);
    for (int i = 0; i < o->ncg_args; i++)
        sb_quote(&cmd, o->cg_args[i]);
    sb_printf(&cmd, " -o");
    char *base = str_printf("%s/g%zu", j->dir, g);
    sb_quote(&cmd, base);
    sb_quote(&cmd, path);
    sb_printf(&cmd, " >");
    char *log = str_printf("%s/g%zu.log", j->dir, g);
    sb_quote(&cmd, log);
    sb_printf(&cmd, " 2>&1");
    bool ok = system(cmd.s) == 0;
    free(cmd.s);
    free(map);
    free(base);
    free(log);
    free(path);
    return ok;
}

/* Group g's C: gN.c and, when codegen split it (a big set, README "Big schemas"), its parts
 * gN.1.c, gN.2.c, ... */
static void quote_group_c(strbuf *cmd, const job *j, size_t g)
{
    char *c = str_printf("%s/g%zu.c", j->dir, g);
    sb_quote(cmd, c);
    free(c);
    for (unsigned k = 1;; k++) {
        char *part = str_printf("%s/g%zu.%u.c", j->dir, g, k);
        bool there = access(part, F_OK) == 0;
        if (there) sb_quote(cmd, part);
        free(part);
        if (!there) break;
    }
}

/* One cc call: table.c plus every group that has code, into file.so. */
static bool compile(const opts *o, const job *j, size_t ng, char *const *why)
{
    char *path = str_printf("%s/table.c", j->dir);
    FILE *t = fopen(path, "w");
    if (!t) {
        perror(path);
        free(path);
        return false;
    }
    fputs("/* table.c - the schema sets of this suite file, by group (generated by mgconf). */\n"
          "#include \"mg_rt.h\"\n",
          t);
    for (size_t g = 0; g < ng; g++)
        if (!why[g]) fprintf(t, "extern const mg_schema_set mg_set_g%zu;\n", g);
    fprintf(t, "const unsigned mgconf_count = %zu;\nconst mg_schema_set *const mgconf_sets[] = {",
            ng);
    for (size_t g = 0; g < ng; g++)
        fprintf(t, why[g] ? "0, " : "&mg_set_g%zu, ", g);
    fputs("0};\n", t);
    fclose(t);
    strbuf cmd = {0};
    sb_printf(&cmd, "timeout 300 %s -std=c11 -O0 -shared -fPIC -Ivalidator %s -o", o->cc,
              o->cflags);
    char *so = str_printf("%s/file.so", j->dir);
    sb_quote(&cmd, so);
    sb_quote(&cmd, path);
    for (size_t g = 0; g < ng; g++)
        if (!why[g]) quote_group_c(&cmd, j, g);
    char *lib = str_printf("%s/libmgvalidator.a", o->build);
    char *log = str_printf("%s/cc.log", j->dir);
    sb_quote(&cmd, lib);
    sb_printf(&cmd, " -lsimdjson -lidn2 -lstdc++ -lm >");
    sb_quote(&cmd, log);
    sb_printf(&cmd, " 2>&1");
    bool ok = system(cmd.s) == 0;
    free(cmd.s);
    free(so);
    free(lib);
    free(log);
    free(path);
    return ok;
}

/* After a failed cc: finds the groups whose C does not compile alone, and drops them. */
static void drop_uncompilable(const opts *o, const job *j, size_t ng, char **why)
{
    for (size_t g = 0; g < ng; g++) {
        if (why[g]) continue;
        strbuf cmd = {0};
        sb_printf(&cmd, "timeout 300 %s -std=c11 -fsyntax-only -Ivalidator %s", o->cc, o->cflags);
        char *log = str_printf("%s/g%zu.cc.log", j->dir, g);
        quote_group_c(&cmd, j, g);
        sb_printf(&cmd, " >");
        sb_quote(&cmd, log);
        sb_printf(&cmd, " 2>&1");
        if (system(cmd.s) != 0) {
            char line[400];
            first_line(log, line, sizeof line);
            why[g] = str_printf("generated C does not compile (%s): %s", log, line);
        }
        free(cmd.s);
        free(log);
    }
}

/* One line per test: "G<TAB>T<TAB>V|I|E<TAB>detail" (valid, invalid, no verdict). */
static void put_result(FILE *r, size_t g, size_t t, char verdict, const char *detail)
{
    fprintf(r, "%zu\t%zu\t%c\t", g, t, verdict);
    for (const char *p = detail; *p; p++)
        fputc(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p, r);
    fputc('\n', r);
}

/* The errors of the last reject, "; "-separated, into buf. */
static void error_text(const mg_validator *v, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < mg_error_count(v) && i < 3 && len + 4 < cap; i++) {
        if (i) len += (size_t)snprintf(buf + len, cap - len, "; ");
        size_t n = mg_error_format(v, i, buf + len, cap - len);
        len = n < cap - len ? len + n : cap - 1;
    }
}

/* Validates every test of the file with the loaded sets; writes results. */
static void run_tests(const cj_node *root, char *const *why, const mg_schema_set *const *sets,
                      unsigned nsets, FILE *r)
{
    mg_validator_conf one = {.max_bytes = 1 << 20, .max_depth = 1024, .max_errors = 1};
    mg_validator_conf many = one;
    many.max_errors = MANY_ERRORS;
    char err[1024];
    mg_validator *v1 = mg_validator_new(&one, err, sizeof err);
    mg_validator *vn = v1 ? mg_validator_new(&many, err, sizeof err) : NULL;
    size_t cap = 4096;
    char *data = xrealloc(NULL, cap);
    for (size_t g = 0; g < root->n; g++) {
        const cj_node *tests = cj_get(root->items[g], "tests");
        const mg_schema_set *set = g < nsets ? sets[g] : NULL;
        char name[32];
        snprintf(name, sizeof name, "g%zu", g);
        const mg_schema *s = set ? mg_schema_find(set, name) : NULL;
        const char *none = !vn                     ? err
                           : why[g]                ? why[g]
                           : !set                  ? "no schema set for the group"
                           : set->abi != MG_RT_ABI ? "schema set of another runtime ABI"
                           : !s                    ? "mg_schema_find found no schema named g<N>"
                                                   : NULL;
        for (size_t t = 0; tests && t < tests->n; t++) {
            if (none) {
                put_result(r, g, t, 'E', none);
                continue;
            }
            const cj_node *d = cj_get(tests->items[t], "data");
            size_t len = cj_snprint(data, cap, d);
            if (len + MG_JSON_PADDING >= cap) {
                cap = (len + MG_JSON_PADDING) * 2;
                data = xrealloc(data, cap);
                len = cj_snprint(data, cap, d);
            }
            mg_result a = mg_validate(v1, s, data, len, cap);
            char msg[1024] = "";
            if (a != MG_OK) error_text(v1, msg, sizeof msg);
            mg_result b = mg_validate(vn, s, data, len, cap);
            if (a == MG_ERR_INTERNAL || b == MG_ERR_INTERNAL) {
                error_text(a == MG_ERR_INTERNAL ? v1 : vn, msg, sizeof msg);
                put_result(r, g, t, 'E', msg);
            } else if ((a == MG_OK) != (b == MG_OK)) {
                char more[600];
                error_text(a == MG_OK ? vn : v1, more, sizeof more);
                snprintf(msg, sizeof msg, "verdict with max_errors 1 (%s) differs from %d (%s): %s",
                         mg_result_name(a), MANY_ERRORS, mg_result_name(b), more);
                put_result(r, g, t, 'E', msg);
            } else {
                put_result(r, g, t, a == MG_OK ? 'V' : 'I', msg);
            }
        }
    }
    free(data);
    mg_validator_free(vn);
    mg_validator_free(v1);
}

/* Everything for one suite file; runs in a child process. */
static int child(const opts *o, const job *j)
{
    char err[512];
    cj_node *root = cj_parse_file(j->path, err, sizeof err);
    if (!root || root->type != CJ_ARRAY) {
        fprintf(stderr, "mgconf: %s\n", root ? "suite file is not an array" : err);
        return 1;
    }
    mkdirs(j->dir);
    char *so = str_printf("%s/file.so", j->dir), *res = str_printf("%s/results.tsv", j->dir);
    unlink(so);
    unlink(res);
    size_t ng = root->n;
    char **why = xrealloc(NULL, ng * sizeof *why); /* NULL: the group has code */
    for (size_t g = 0; g < ng; g++) {
        why[g] = NULL;
        if (!codegen_group(o, j, g, cj_get(root->items[g], "schema"))) {
            char *log = str_printf("%s/g%zu.log", j->dir, g), line[400];
            first_line(log, line, sizeof line);
            why[g] = str_printf("codegen failed (%s): %s", log, line);
            free(log);
        }
    }
    if (!compile(o, j, ng, why)) {
        drop_uncompilable(o, j, ng, why);
        if (!compile(o, j, ng, why))
            for (size_t g = 0; g < ng; g++)
                if (!why[g]) why[g] = str_printf("cc failed, see %s/cc.log", j->dir);
    }
    FILE *r = fopen(res, "w");
    if (!r) {
        perror(res);
        return 1;
    }
    setvbuf(r, NULL, _IOLBF, 0);
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    const mg_schema_set *const *sets = h ? dlsym(h, "mgconf_sets") : NULL;
    const unsigned *count = h ? dlsym(h, "mgconf_count") : NULL;
    if (!sets || !count) {
        char *msg = str_printf("cannot load %s: %s", so, dlerror());
        for (size_t g = 0; g < ng; g++)
            if (!why[g]) why[g] = xstrdup(msg);
        free(msg);
    }
    run_tests(root, why, sets, count ? *count : 0, r);
    fclose(r);
    if (h) dlclose(h);
    for (size_t g = 0; g < ng; g++)
        free(why[g]);
    free(why);
    free(so);
    free(res);
    cj_free(root);
    return 0;
}

/* ---- the parent: known failures, checking, reporting ---- */

/* A description as written in known-failures.txt: '\' and '|' escaped, newlines as \n. */
static void sb_escape(strbuf *b, const char *s)
{
    for (; *s; s++)
        if (*s == '\\' || *s == '|')
            sb_printf(b, "\\%c", *s);
        else if (*s == '\n')
            sb_printf(b, "\\n");
        else
            sb_printf(b, "%c", *s);
}

/* Lines "<draft>/<set>/<file> | <group> | <test> | <reason>"; '#' lines are comments. */
static void load_known(known *k, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    for (size_t lineno = 1; getline(&line, &cap, f) > 0; lineno++) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[strspn(line, " \t")] == 0) continue;
        char *p = line;
        int bars = 0;
        for (; *p && bars < 3; p++)
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '|')
                bars++;
        if (bars < 3 || p - line < 2 || p[-2] != ' ') {
            printf("# %s:%zu: malformed line (want FILE | GROUP | TEST | REASON)\n", path, lineno);
            k->malformed = true;
            continue;
        }
        p[-2] = 0;
        p += strspn(p, " ");
        k->e = xrealloc(k->e, (k->n + 1) * sizeof *k->e);
        k->e[k->n++] = (entry){xstrdup(line), xstrdup(p), false};
    }
    free(line);
    fclose(f);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

static entry *known_find(const known *k, const char *key)
{
    entry e = {.key = (char *)key};
    return bsearch(&e, k->e, k->n, sizeof *k->e, cmp_entry);
}

static bool in_scope(const opts *o, const char *id)
{
    return !o->only || strncmp(id, o->only, strlen(o->only)) == 0;
}

/* One result line of the child, in suite order. */
static bool next_result(FILE *r, size_t g, size_t t, char *verdict, char **detail)
{
    static const char *const missing = "no result: the harness child for this file stopped "
                                       "here (crashed in this test if it was killed)";
    char *line = NULL;
    size_t cap = 0, rg, rt;
    int off = 0;
    bool ok = r && getline(&line, &cap, r) > 0 &&
              sscanf(line, "%zu\t%zu\t%c\t%n", &rg, &rt, verdict, &off) == 3 && off > 0 &&
              rg == g && rt == t;
    if (ok) {
        line[strcspn(line, "\n")] = 0;
        *detail = xstrdup(line + off);
    } else {
        *verdict = 'E';
        *detail = xstrdup(missing);
    }
    free(line);
    return ok;
}

/* Compares one file's results with the suite and the known failures. */
static void check_job(const opts *o, const job *j, known *k, set_count *sc, strbuf *failures)
{
    char err[512];
    cj_node *root = cj_parse_file(j->path, err, sizeof err);
    if (!root) {
        printf("# %s\n", err);
        sc->regress++;
        return;
    }
    if (!WIFEXITED(j->status) || WEXITSTATUS(j->status) != 0)
        printf("# %s: the harness child %s %d\n", j->id,
               WIFSIGNALED(j->status) ? "was killed by signal" : "exited with status",
               WIFSIGNALED(j->status) ? WTERMSIG(j->status) : WEXITSTATUS(j->status));
    char *res = str_printf("%s/results.tsv", j->dir);
    FILE *r = fopen(res, "r");
    bool synced = true; /* results so far matched the suite, line by line */
    for (size_t g = 0; g < root->n; g++) {
        const cj_node *grp = root->items[g], *tests = cj_get(grp, "tests");
        const cj_node *gdesc = cj_get(grp, "description");
        bool shown = false;
        for (size_t t = 0; tests && t < tests->n; t++) {
            const cj_node *tc = tests->items[t], *tdesc = cj_get(tc, "description");
            const cj_node *valid = cj_get(tc, "valid");
            char verdict, *detail;
            if (synced)
                synced = next_result(r, g, t, &verdict, &detail);
            else {
                verdict = 'E';
                detail = xstrdup("not run: the harness child stopped earlier");
            }
            bool want = valid && valid->type == CJ_TRUE;
            bool pass = verdict == (want ? 'V' : 'I');
            strbuf key = {0};
            sb_printf(&key, "%s | ", j->id);
            sb_escape(&key, gdesc && gdesc->str ? gdesc->str : "");
            sb_printf(&key, " | ");
            sb_escape(&key, tdesc && tdesc->str ? tdesc->str : "");
            entry *e = known_find(k, key.s);
            sc->total++;
            sc->pass += pass;
            if (e) e->seen = true;
            if (pass && e) {
                sc->stale++;
                printf("# now passing, remove from known-failures: %s\n", key.s);
            }
            if (!pass) {
                sb_printf(failures, "%s | %s\n", key.s, e ? e->reason : "TODO");
                if (!e) sc->regress++;
            }
            if (!pass && (!e || o->verbose)) {
                const char *got = verdict == 'V'   ? "valid"
                                  : verdict == 'I' ? "invalid"
                                                   : "no verdict";
                printf("# %s: %s (expected %s, got %s)%s%s\n", e ? "known failure" : "regression",
                       key.s, want ? "valid" : "invalid", got, detail[0] ? ": " : "", detail);
                if (o->verbose) {
                    char text[400];
                    size_t n = cj_snprint(text, sizeof text, cj_get(tc, "data"));
                    printf("#     data: %s%s\n", text, n >= sizeof text ? "..." : "");
                }
                if (o->verbose && !shown) {
                    printf("#     schema: %s/g%zu.json\n", j->dir, g);
                    char *log = str_printf("%s/g%zu.log", j->dir, g);
                    show_file("codegen said", log);
                    free(log);
                    log = str_printf("%s/g%zu.cc.log", j->dir, g);
                    show_file("cc said", log);
                    free(log);
                    shown = true;
                }
            }
            free(key.s);
            free(detail);
        }
    }
    if (r) fclose(r);
    free(res);
    cj_free(root);
}

/* Rewrites the known-failures file: entries outside --only kept, the rest from this run. */
static bool write_known(const opts *o, const known *k, const strbuf *failures)
{
    known all = {0};
    for (size_t i = 0; i < k->n; i++)
        if (!in_scope(o, k->e[i].key)) {
            all.e = xrealloc(all.e, (all.n + 1) * sizeof *all.e);
            all.e[all.n++] = (entry){k->e[i].key, k->e[i].reason, false};
        }
    for (char *p = failures->s; p && *p;) {
        char *nl = strchr(p, '\n');
        all.e = xrealloc(all.e, (all.n + 1) * sizeof *all.e);
        all.e[all.n++] = (entry){p, NULL, false};
        *nl = 0;
        p = nl + 1;
    }
    qsort(all.e, all.n, sizeof *all.e, cmp_entry);
    FILE *f = fopen(o->known, "w");
    if (!f) {
        perror(o->known);
        free(all.e);
        return false;
    }
    fputs("# known-failures.txt - official-suite cases meshgate is known to fail, one a line:\n"
          "#   <draft>/<set>/<file>.json | <group description> | <test description> | <reason>\n"
          "# Design: read by tests/conformance/harness.c (make conformance). A failure not listed\n"
          "# here, or a listed case that passes, fails the run. In descriptions '|' and '\\' are\n"
          "# written \\| and \\\\. `tests/conformance/run.sh BUILD --update-known` rewrites this\n"
          "# file from a run, keeping reasons; new entries get reason TODO.\n",
          f);
    for (size_t i = 0; i < all.n; i++)
        fprintf(f, all.e[i].reason ? "%s | %s\n" : "%s\n", all.e[i].key, all.e[i].reason);
    fclose(f);
    free(all.e);
    return true;
}

static int usage(void)
{
    fputs("usage: mgconf --suite DIR --build DIR [--known FILE] [--only DRAFT/SET/FILE]\n"
          "              [--jobs N] [-v] [--update-known]\n"
          "              [--form NAME --codegen-arg ARG...]\n"
          "--form: codegen runs with the ARGs (at most 16), the work files go to\n"
          "BUILD/conformance-NAME and each line names the form.\n"
          "Run from the repository root (generated C is compiled with -Ivalidator).\n",
          stderr);
    return 2;
}

static bool parse_args(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0)
            o->verbose = true;
        else if (strcmp(a, "--update-known") == 0)
            o->update = true;
        else if (!val)
            return false;
        else if (strcmp(a, "--suite") == 0)
            o->suite = argv[++i];
        else if (strcmp(a, "--build") == 0)
            o->build = argv[++i];
        else if (strcmp(a, "--known") == 0)
            o->known = argv[++i];
        else if (strcmp(a, "--only") == 0)
            o->only = argv[++i];
        else if (strcmp(a, "--jobs") == 0 && atoi(val) > 0)
            o->jobs = atoi(argv[++i]);
        else if (strcmp(a, "--form") == 0)
            o->form = argv[++i];
        else if (strcmp(a, "--codegen-arg") == 0 && o->ncg_args < MAX_CG_ARGS)
            o->cg_args[o->ncg_args++] = argv[++i];
        else
            return false;
    }
    return o->suite && o->build;
}

/* The suite files in scope, in draft, set, name order. */
static size_t find_jobs(const opts *o, job **out)
{
    size_t n = 0;
    *out = NULL;
    for (int d = 0; d < NDRAFT; d++)
        for (int s = 0; s < NSET; s++) {
            char *dir = str_printf("%s/tests/%s%s", o->suite, drafts[d], set_dirs[s]), **files;
            size_t nf = list_json(dir, &files);
            for (size_t f = 0; f < nf; f++) {
                char *id = str_printf("%s/%s/%s", drafts[d], set_names[s], files[f]);
                if (in_scope(o, id)) {
                    *out = xrealloc(*out, (n + 1) * sizeof **out);
                    (*out)[n++] = (job){d,
                                        s,
                                        id,
                                        str_printf("%s/%s", dir, files[f]),
                                        str_printf("%s/conformance%s%s/%s", o->build,
                                                   o->form ? "-" : "", o->form ? o->form : "", id),
                                        0};
                } else {
                    free(id);
                }
                free(files[f]);
            }
            free(files);
            free(dir);
        }
    return n;
}

/* Runs child() for every job, o->jobs at a time; records each exit status. */
static void run_children(const opts *o, job *jobs, size_t n)
{
    pid_t *pids = xrealloc(NULL, n * sizeof *pids);
    size_t next = 0, running = 0;
    while (next < n || running > 0) {
        if (next < n && running < (size_t)o->jobs) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) _exit(child(o, &jobs[next]));
            if (pid < 0) {
                perror("fork");
                jobs[next].status = 1 << 8;
                pids[next++] = 0;
                continue;
            }
            pids[next++] = pid;
            running++;
            continue;
        }
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) break;
        for (size_t i = 0; i < next; i++)
            if (pids[i] == pid) jobs[i].status = status;
        running--;
    }
    free(pids);
}

int main(int argc, char **argv)
{
    opts o = {.known = "tests/conformance/known-failures.txt", .jobs = 2};
    if (!parse_args(argc, argv, &o)) return usage();
    char *suite = realpath(o.suite, NULL);
    if (!suite) {
        perror(o.suite);
        return 2;
    }
    o.suite = suite;
    o.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    o.cflags = getenv("SANITIZE_CFLAGS") ? getenv("SANITIZE_CFLAGS") : "";
    job *jobs;
    size_t njobs = find_jobs(&o, &jobs);
    if (njobs == 0) {
        fprintf(stderr, "mgconf: no suite files under %s/tests%s%s\n", o.suite,
                o.only ? " matching " : "", o.only ? o.only : "");
        return 2;
    }
    run_children(&o, jobs, njobs);

    known k = {0};
    load_known(&k, o.known);
    qsort(k.e, k.n, sizeof *k.e, cmp_entry);
    set_count counts[NDRAFT * NSET] = {{0}};
    strbuf failures = {0};
    for (size_t i = 0; i < njobs; i++)
        check_job(&o, &jobs[i], &k, &counts[jobs[i].draft * NSET + jobs[i].set], &failures);
    bool all_ok = !k.malformed;
    for (size_t i = 0; i < k.n; i++)
        if (!k.e[i].seen && in_scope(&o, k.e[i].key)) {
            printf("# listed in known-failures but not in the suite, remove: %s\n", k.e[i].key);
            all_ok = false;
        }
    int nsets = 0;
    for (int i = 0; i < NDRAFT * NSET; i++)
        if (counts[i].total) {
            nsets++;
            printf("conformance %s %s%s%s%s: %zu/%zu passed\n", drafts[i / NSET],
                   set_names[i % NSET], o.form ? " (" : "", o.form ? o.form : "",
                   o.form ? " form)" : "", counts[i].pass, counts[i].total);
        }
    printf("1..%d\n", nsets);
    for (int i = 0, tap = 1; i < NDRAFT * NSET; i++) {
        const set_count *c = &counts[i];
        if (!c->total) continue;
        bool ok = c->regress == 0 && c->stale == 0;
        all_ok &= ok;
        if (!ok)
            printf("# %s %s: %zu failures not in known-failures, %zu listed ones now pass\n",
                   drafts[i / NSET], set_names[i % NSET], c->regress, c->stale);
        printf("%sok %d - conformance %s %s%s%s%s\n", ok ? "" : "not ", tap++, drafts[i / NSET],
               set_names[i % NSET], o.form ? " (" : "", o.form ? o.form : "",
               o.form ? " form)" : "");
    }
    int rc = all_ok ? 0 : 1;
    if (o.update) {
        rc = write_known(&o, &k, &failures) ? 0 : 2;
        if (rc == 0) printf("# rewrote %s from this run\n", o.known);
    }
    for (size_t i = 0; i < k.n; i++) {
        free(k.e[i].key);
        free(k.e[i].reason);
    }
    free(k.e);
    free(failures.s);
    for (size_t i = 0; i < njobs; i++) {
        free(jobs[i].id);
        free(jobs[i].path);
        free(jobs[i].dir);
    }
    free(jobs);
    free(suite);
    return rc;
}
