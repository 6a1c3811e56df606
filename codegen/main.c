/* main.c - the meshgate-codegen command: JSON Schema files in, C source and header out.
 *
 * Design: parses options, gathers input files (folders are searched recursively for *.json,
 * *.yaml and *.yml, in sorted order so output is deterministic; AsyncAPI contracts are told
 * apart from schemas by their "asyncapi" member), hands them to the registry and the renderer, and
 * writes BASE.c/BASE.h only when the whole set compiled without an error (each error names
 * the file and JSON Pointer; the count closes the report). Files are written to a temporary
 * name and renamed, so a failed run never leaves half a file for a build to pick up.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg.h"
#include "cg_contract.h"
#include "cg_emit.h"

static void usage(FILE *o)
{
    fputs("usage: meshgate-codegen -o BASE [options] SCHEMA|DIR...\n"
          "  -o BASE              write BASE.c and BASE.h\n"
          "  --prefix P           C identifier of the set (mg_set_P); default from BASE\n"
          "  --name NAME          schema name for a single input file\n"
          "  --map URI=DIR        resolve URIs starting with URI from files under DIR\n"
          "  --metaschemas DIR    where the dialect metaschemas are\n"
          "  --default-dialect D  2020-12 (default), 2019-09, draft7, draft6, draft4\n"
          "  --format-annotation  treat format as an annotation (default: assertion)\n"
          "  --strict             refuse what is otherwise accepted with a warning (patterns\n"
          "                       in ECMA-262 Annex B syntax)\n"
          "AsyncAPI contracts (2.0-2.6, 3.0; docs/contracts.md):\n"
          "  --contract-out DIR   also write routes.yaml, kafkatopics.yaml, kafkausers.yaml,\n"
          "                       catalog.json, openapi.json and schemas/ into DIR\n"
          "  --schema-set PATH    the built schema set named in routes.yaml (default BASE.so)\n"
          "  --catalog PATH       the catalog folder named in routes.yaml (default DIR)\n"
          "  --group NAME         the worker's consumer group (default meshgate)\n"
          "  --strimzi-cluster C  the strimzi.io/cluster label (default my-cluster)\n",
          o);
}

typedef struct input {
    char *path, *name;
} input;

typedef struct inputs {
    input *v;
    size_t n;
} inputs;

static void add_input(inputs *in, const char *path, const char *name)
{
    in->v = realloc(in->v, (in->n + 1) * sizeof *in->v);
    in->v[in->n].path = strdup(path);
    in->v[in->n].name = strdup(name);
    in->n++;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static char *strip_ext(const char *s)
{
    static const char *const exts[] = {".schema.json", ".schema.yaml", ".schema.yml",
                                       ".json",        ".yaml",        ".yml"};
    char *r = strdup(s);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_with(r, exts[i])) {
            r[strlen(r) - strlen(exts[i])] = 0;
            break;
        }
    return r;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(inputs *in, const char *dir, const char *rel)
{
    DIR *dp = opendir(dir);
    if (!dp) return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[4096], r[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_dir(in, path, r);
        } else if (ends_with(names[i], ".json") || ends_with(names[i], ".yaml") ||
                   ends_with(names[i], ".yml")) {
            char *nm = strip_ext(r);
            add_input(in, path, nm);
            free(nm);
        }
        free(names[i]);
    }
    free(names);
}

static bool parse_dialect(const char *s, cg_dialect *d)
{
    static const struct {
        const char *name;
        cg_dialect d;
    } names[] = {{"2020-12", CG_D2020},      {"draft2020-12", CG_D2020}, {"2019-09", CG_D2019},
                 {"draft2019-09", CG_D2019}, {"draft7", CG_D7},          {"draft-07", CG_D7},
                 {"draft6", CG_D6},          {"draft-06", CG_D6},        {"draft4", CG_D4},
                 {"draft-04", CG_D4}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, s) == 0) {
            *d = names[i].d;
            return true;
        }
    return false;
}

static char *default_prefix(const char *base)
{
    const char *slash = strrchr(base, '/');
    char *p = strdup(slash ? slash + 1 : base);
    for (char *q = p; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
            *q = '_';
    if (p[0] >= '0' && p[0] <= '9') p[0] = '_';
    return p;
}

static bool write_out(cg *g, const char *base)
{
    size_t bl = strlen(base);
    char *cpath = malloc(bl + 3), *hpath = malloc(bl + 3), *ctmp = malloc(bl + 8),
         *htmp = malloc(bl + 8);
    sprintf(cpath, "%s.c", base);
    sprintf(hpath, "%s.h", base);
    sprintf(ctmp, "%s.c.tmp", base);
    sprintf(htmp, "%s.h.tmp", base);
    const char *hslash = strrchr(hpath, '/');
    FILE *co = fopen(ctmp, "w"), *ho = fopen(htmp, "w");
    bool ok = co && ho;
    if (!ok)
        fprintf(stderr, "meshgate-codegen: cannot write %s: %s\n", co ? htmp : ctmp,
                strerror(errno));
    if (ok) ok = cg_emit(g, co, ho, hslash ? hslash + 1 : hpath);
    if (co && fclose(co) != 0) ok = false;
    if (ho && fclose(ho) != 0) ok = false;
    if (ok && (rename(ctmp, cpath) != 0 || rename(htmp, hpath) != 0)) {
        fprintf(stderr, "meshgate-codegen: cannot write %s: %s\n", cpath, strerror(errno));
        ok = false;
    }
    if (!ok) {
        remove(ctmp);
        remove(htmp);
    }
    free(cpath);
    free(hpath);
    free(ctmp);
    free(htmp);
    return ok;
}

static void load(cg *g, const cg_options *opt, const inputs *in)
{
    cg_init(g, opt);
    for (size_t i = 0; i < in->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->v[i].name, in->v[j].name) == 0)
                cg_error_doc(g, in->v[i].path, "schema name \"%s\" is also used by %s",
                             in->v[i].name, in->v[j].path);
    for (size_t i = 0; i < in->n; i++)
        cg_add_input(g, in->v[i].path, in->v[i].name);
}

int main(int argc, char **argv)
{
    cg_options opt = {.default_dialect = CG_D2020};
    inputs in = {0};
    const char **args = calloc((size_t)argc, sizeof *args);
    size_t nargs = 0;
    opt.map_uri = calloc((size_t)argc, sizeof *opt.map_uri);
    opt.map_dir = calloc((size_t)argc, sizeof *opt.map_dir);
    char *prefix = NULL, *set_path = NULL;
    cg_contract_opts copt = {.group = "meshgate", .cluster = "my-cluster"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 && has_val) {
            opt.out_base = argv[++i];
        } else if (strcmp(a, "--prefix") == 0 && has_val) {
            opt.prefix = argv[++i];
        } else if (strcmp(a, "--name") == 0 && has_val) {
            opt.name = argv[++i];
        } else if (strcmp(a, "--metaschemas") == 0 && has_val) {
            opt.metaschema_dir = argv[++i];
        } else if (strcmp(a, "--map") == 0 && has_val) {
            char *m = argv[++i], *eq = strchr(m, '=');
            if (!eq) {
                fprintf(stderr, "meshgate-codegen: --map wants URI=DIR, got %s\n", m);
                return 2;
            }
            *eq = 0;
            opt.map_uri[opt.nmap] = m;
            opt.map_dir[opt.nmap++] = eq + 1;
        } else if (strcmp(a, "--default-dialect") == 0 && has_val) {
            if (!parse_dialect(argv[++i], &opt.default_dialect)) {
                fprintf(stderr, "meshgate-codegen: --default-dialect: unknown dialect %s\n",
                        argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--contract-out") == 0 && has_val) {
            copt.dir = argv[++i];
        } else if (strcmp(a, "--schema-set") == 0 && has_val) {
            copt.schema_set = argv[++i];
        } else if (strcmp(a, "--catalog") == 0 && has_val) {
            copt.catalog_dir = argv[++i];
        } else if (strcmp(a, "--group") == 0 && has_val) {
            copt.group = argv[++i];
        } else if (strcmp(a, "--strimzi-cluster") == 0 && has_val) {
            copt.cluster = argv[++i];
        } else if (strcmp(a, "--format-annotation") == 0) {
            opt.format_annotation = true;
        } else if (strcmp(a, "--strict") == 0) {
            opt.strict = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "meshgate-codegen: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        } else {
            args[nargs++] = a;
        }
    }
    if (!opt.out_base || nargs == 0) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < nargs; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            fprintf(stderr, "meshgate-codegen: %s: %s\n", args[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            walk_dir(&in, args[i], "");
        } else {
            const char *slash = strrchr(args[i], '/');
            char *nm = strip_ext(slash ? slash + 1 : args[i]);
            add_input(&in, args[i], opt.name && nargs == 1 ? opt.name : nm);
            free(nm);
        }
    }
    if (!opt.prefix) opt.prefix = prefix = default_prefix(opt.out_base);
    /* First a pass that compiles every schema of the inputs, reachable from an entry or not,
     * into nothing, so that an error anywhere in a file is reported; then the real one. */
    cg_options check = opt;
    check.check_all = true;
    check.warnings = true;
    cg g;
    load(&g, &check, &in);
    FILE *sink = fopen("/dev/null", "w");
    if (g.nerrors == 0 && sink) cg_emit(&g, sink, sink, "check.h");
    if (sink) fclose(sink);
    if (g.nerrors == 0) {
        cg_free(&g);
        load(&g, &opt, &in);
    }
    bool ok = g.nerrors == 0 && write_out(&g, opt.out_base);
    if (ok && copt.dir) {
        if (g.ncontracts == 0) {
            fprintf(stderr, "meshgate-codegen: --contract-out: no AsyncAPI contract among the inputs\n");
            ok = false;
        } else {
            if (!copt.schema_set && asprintf(&set_path, "%s.so", opt.out_base) > 0)
                copt.schema_set = set_path;
            if (!copt.catalog_dir) copt.catalog_dir = copt.dir;
            ok = cg_contract_write(&g, &copt);
        }
    }
    if (g.nerrors)
        fprintf(stderr, "meshgate-codegen: %zu error%s, nothing written\n", g.nerrors,
                g.nerrors == 1 ? "" : "s");
    cg_free(&g);
    for (size_t i = 0; i < in.n; i++) {
        free(in.v[i].path);
        free(in.v[i].name);
    }
    free(in.v);
    free(args);
    free(opt.map_uri);
    free(opt.map_dir);
    free(prefix);
    free(set_path);
    return ok ? 0 : 1;
}
