/* harness.c - runs the official JSON Schema test suite through meshgate's real path:
 * meshgate-codegen on each schema, cc into a shared object, dlopen, mg_validate each instance.
 *
 * Design: for every suite file, each group's schema is written to its own file and compiled
 * by its own codegen run (groups of one file may reuse an $id), all of them into one shared
 * object with a small table naming the sets. Compiling is the slow part, so files are
 * prepared by up to two child processes at a time; the verdicts are then checked in this
 * process. A test is compared with the known-failures list: an unlisted failure and a listed
 * case that now passes both fail the run. Prints one line per set, e.g.
 * "conformance draft2020-12 required: 1299/1299 passed", then a TAP line per set.
 * Single-threaded apart from the child processes; everything is freed at exit.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cg_json.h"
#include "meshgate.h"

typedef struct opts {
    const char *suite, *build, *work, *known, *only, *cflags;
    bool verbose, update;
} opts;

typedef struct known {
    char **key, **reason;
    bool *seen;
    size_t n;
} known;

typedef struct set_count {
    char name[64];
    size_t pass, total, regress, stale;
} set_count;

typedef struct job {
    char draft[32], set[16], file[256], path[1400], dir[2400];
} job;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_json(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    *out = NULL;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
            *out = realloc(*out, (n + 1) * sizeof **out);
            (*out)[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(*out, n, sizeof **out, cmp_str);
    return n;
}

static void mkdirs(const char *path)
{
    char tmp[2600];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
}

static void load_known(known *k, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = 0;
        char *last = strrchr(line, '|');
        if (!last)
            continue;
        *last = 0;
        char *end = last;
        while (end > line && end[-1] == ' ')
            *--end = 0;
        char *reason = last + 1;
        while (*reason == ' ')
            reason++;
        k->key = realloc(k->key, (k->n + 1) * sizeof *k->key);
        k->reason = realloc(k->reason, (k->n + 1) * sizeof *k->reason);
        k->seen = realloc(k->seen, (k->n + 1) * sizeof *k->seen);
        k->key[k->n] = strdup(line);
        k->reason[k->n] = strdup(reason);
        k->seen[k->n] = false;
        k->n++;
    }
    fclose(f);
}

static int known_find(const known *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->key[i], key) == 0)
            return (int)i;
    return -1;
}

/* Codegen for every group and one cc into file.so; runs in a child process. */
static int prepare(const opts *o, const job *j)
{
    char err[512];
    cj_node *root = cj_parse_file(j->path, err, sizeof err);
    if (!root || root->type != CJ_ARRAY) {
        fprintf(stderr, "%s: %s\n", j->path, root ? "not an array" : err);
        return 1;
    }
    mkdirs(j->dir);
    char cmd[16384], path[2600];
    snprintf(path, sizeof path, "%s/table.c", j->dir);
    FILE *table = fopen(path, "w");
    fputs("#include \"mg_rt.h\"\n", table);
    size_t ng = root->n;
    bool *ok = calloc(ng ? ng : 1, sizeof *ok);
    for (size_t g = 0; g < ng; g++) {
        snprintf(path, sizeof path, "%s/g%zu.json", j->dir, g);
        FILE *s = fopen(path, "w");
        cj_write(s, cj_get(root->items[g], "schema"));
        fclose(s);
        snprintf(cmd, sizeof cmd,
                 "%s/meshgate-codegen --default-dialect %s --prefix g%zu --name g%zu "
                 "--map http://localhost:1234/=%s/remotes/ -o %s/g%zu %s/g%zu.json "
                 ">%s/g%zu.log 2>&1",
                 o->build, j->draft, g, g, o->suite, j->dir, g, j->dir, g, j->dir, g);
        ok[g] = system(cmd) == 0;
        if (ok[g])
            fprintf(table, "extern const mg_schema_set mg_set_g%zu;\n", g);
    }
    fprintf(table, "__attribute__((visibility(\"default\"))) const mg_schema_set *const "
                   "conf_sets[] = {");
    for (size_t g = 0; g < ng; g++)
        fprintf(table, ok[g] ? "&mg_set_g%zu, " : "0, ", g);
    fputs("0};\n", table);
    fclose(table);
    size_t len = (size_t)snprintf(cmd, sizeof cmd,
                                  "cc -std=c11 -O0 -shared -fPIC %s -Ivalidator -o %s/file.so "
                                  "%s/table.c",
                                  o->cflags, j->dir, j->dir);
    for (size_t g = 0; g < ng && len < sizeof cmd - 200; g++)
        if (ok[g])
            len += (size_t)snprintf(cmd + len, sizeof cmd - len, " %s/g%zu.c", j->dir, g);
    snprintf(cmd + len, sizeof cmd - len,
             " %s/libmgvalidator.a -lsimdjson -lidn2 -lstdc++ -lm >%s/cc.log 2>&1", o->build,
             j->dir);
    int rc = system(cmd);
    free(ok);
    cj_free(root);
    return rc == 0 ? 0 : 1;
}

static void report_fail(const opts *o, const job *j, size_t g, const char *why)
{
    if (!o->verbose)
        return;
    printf("# FAIL %s/%s/%s group %zu: %s\n", j->draft, j->set, j->file, g, why);
}

static void run_job(const opts *o, const job *j, mg_validator *v, known *k, set_count *sc,
                    FILE *failures)
{
    char err[512], path[2600];
    cj_node *root = cj_parse_file(j->path, err, sizeof err);
    snprintf(path, sizeof path, "%s/file.so", j->dir);
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const mg_schema_set *const *sets = so ? dlsym(so, "conf_sets") : NULL;
    if (!sets && o->verbose)
        printf("# %s: cannot load: %s\n", path, dlerror());
    static char data[1 << 20];
    for (size_t g = 0; root && g < root->n; g++) {
        const cj_node *grp = root->items[g];
        const cj_node *desc = cj_get(grp, "description"), *tests = cj_get(grp, "tests");
        const mg_schema_set *set = sets ? sets[g] : NULL;
        for (size_t t = 0; tests && t < tests->n; t++) {
            const cj_node *tc = tests->items[t];
            bool want = cj_get(tc, "valid")->type == CJ_TRUE;
            size_t n = cj_snprint(data, sizeof data - MG_JSON_PADDING, cj_get(tc, "data"));
            bool got = false, ran = set != NULL;
            if (ran) {
                mg_result r = mg_validate(v, &set->schemas[0], data, n, sizeof data);
                got = r == MG_OK;
            }
            char key[2048];
            snprintf(key, sizeof key, "%s/%s/%s | %s | %s", j->draft, j->set, j->file,
                     desc->str, cj_get(tc, "description")->str);
            int ki = known_find(k, key);
            bool pass = ran && got == want;
            sc->total++;
            sc->pass += pass;
            if (ki >= 0)
                k->seen[ki] = true;
            if (!pass) {
                fprintf(failures, "%s | %s\n", key, ki >= 0 ? k->reason[ki] : "TODO");
                if (ki < 0) {
                    sc->regress++;
                    printf("# regression: %s (expected %s, got %s)\n", key,
                           want ? "valid" : "invalid",
                           ran ? (got ? "valid" : "invalid") : "codegen/cc failure");
                    report_fail(o, j, g, data);
                }
            } else if (ki >= 0) {
                sc->stale++;
                printf("# now passing, remove from known-failures: %s\n", key);
            }
        }
    }
    if (so)
        dlclose(so);
    cj_free(root);
}

int main(int argc, char **argv)
{
    opts o = {.suite = "../shared/json-schema-test-suite", .build = "build",
              .known = "tests/conformance/known-failures.txt", .cflags = ""};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--suite") == 0 && i + 1 < argc)
            o.suite = argv[++i];
        else if (strcmp(argv[i], "--build") == 0 && i + 1 < argc)
            o.build = argv[++i];
        else if (strcmp(argv[i], "--known") == 0 && i + 1 < argc)
            o.known = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            o.only = argv[++i];
        else if (strcmp(argv[i], "-v") == 0)
            o.verbose = true;
        else if (strcmp(argv[i], "--update-known") == 0)
            o.update = true;
        else {
            fprintf(stderr, "usage: mgconf [--suite DIR] [--build DIR] [--known FILE] "
                            "[--only draft/set/file.json] [-v] [--update-known]\n");
            return 2;
        }
    }
    const char *cf = getenv("SANITIZE_CFLAGS");
    o.cflags = cf ? cf : "";
    char work[1024];
    snprintf(work, sizeof work, "%s/conformance", o.build);
    o.work = work;
    static const char *const drafts[] = {"draft2020-12", "draft2019-09", "draft7"};
    static const char *const sets[] = {"required", "optional", "format"};
    static const char *const subdirs[] = {"", "/optional", "/optional/format"};
    job *jobs = NULL;
    size_t njobs = 0;
    for (size_t d = 0; d < 3; d++)
        for (size_t s = 0; s < 3; s++) {
            char dir[1024];
            snprintf(dir, sizeof dir, "%s/tests/%s%s", o.suite, drafts[d], subdirs[s]);
            char **files;
            size_t nf = list_json(dir, &files);
            for (size_t f = 0; f < nf; f++) {
                job j = {0};
                snprintf(j.draft, sizeof j.draft, "%s", drafts[d]);
                snprintf(j.set, sizeof j.set, "%s", sets[s]);
                snprintf(j.file, sizeof j.file, "%s", files[f]);
                snprintf(j.path, sizeof j.path, "%s/%s", dir, files[f]);
                snprintf(j.dir, sizeof j.dir, "%s/%s/%s/%s", o.work, drafts[d], sets[s], files[f]);
                char id[512];
                snprintf(id, sizeof id, "%s/%s/%s", j.draft, j.set, j.file);
                if (!o.only || strncmp(id, o.only, strlen(o.only)) == 0) {
                    jobs = realloc(jobs, (njobs + 1) * sizeof *jobs);
                    jobs[njobs++] = j;
                }
                free(files[f]);
            }
            free(files);
        }
    if (njobs == 0) {
        fprintf(stderr, "mgconf: no suite files under %s\n", o.suite);
        return 2;
    }
    /* prepare: two children at a time */
    size_t running = 0;
    for (size_t i = 0; i < njobs; i++) {
        if (running == 2) {
            wait(NULL);
            running--;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
            _exit(prepare(&o, &jobs[i]));
        running++;
    }
    while (running--)
        wait(NULL);

    known k = {0};
    load_known(&k, o.known);
    mg_validator_conf vc = {.max_bytes = 1 << 20, .max_depth = 512};
    char err[256];
    mg_validator *v = mg_validator_new(&vc, err, sizeof err);
    if (!v) {
        fprintf(stderr, "mgconf: %s\n", err);
        return 2;
    }
    set_count counts[9] = {0};
    char fpath[1100];
    snprintf(fpath, sizeof fpath, "%s/failures.txt", o.work);
    FILE *failures = fopen(fpath, "w");
    for (size_t i = 0; i < njobs; i++) {
        size_t d = 0, s = 0;
        while (strcmp(drafts[d], jobs[i].draft) != 0)
            d++;
        while (strcmp(sets[s], jobs[i].set) != 0)
            s++;
        set_count *sc = &counts[d * 3 + s];
        snprintf(sc->name, sizeof sc->name, "%s %s", drafts[d], sets[s]);
        run_job(&o, &jobs[i], v, &k, sc, failures);
    }
    fclose(failures);
    bool all_ok = true;
    for (size_t i = 0; i < 9; i++)
        if (counts[i].total)
            printf("conformance %s: %zu/%zu passed\n", counts[i].name, counts[i].pass,
                   counts[i].total);
    for (size_t i = 0; i < k.n; i++) {
        bool in_run = !o.only || strncmp(k.key[i], o.only, strlen(o.only)) == 0;
        if (!k.seen[i] && in_run) {
            printf("# known failure no longer in the suite, remove: %s\n", k.key[i]);
            all_ok = false;
        }
    }
    int tap = 1;
    for (size_t i = 0; i < 9; i++) {
        if (!counts[i].total)
            continue;
        bool ok = counts[i].regress == 0 && counts[i].stale == 0;
        all_ok &= ok;
        printf("%sok %d - conformance %s (%zu regressions, %zu stale known failures)\n",
               ok ? "" : "not ", tap++, counts[i].name, counts[i].regress, counts[i].stale);
    }
    if (o.update) {
        char cmd[2400];
        snprintf(cmd, sizeof cmd, "sort -u %s > %s", fpath, o.known);
        if (system(cmd) != 0)
            return 2;
        printf("# wrote %s\n", o.known);
    }
    mg_validator_free(v);
    for (size_t i = 0; i < k.n; i++) {
        free(k.key[i]);
        free(k.reason[i]);
    }
    free(k.key);
    free(k.reason);
    free(k.seen);
    free(jobs);
    return all_ok ? 0 : 1;
}
