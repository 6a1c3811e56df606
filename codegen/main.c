/* main.c - the meshgate-codegen command: JSON Schema files in, C source and header out.
 *
 * Design: parses options, gathers input files (folders are searched recursively for *.json,
 * *.yaml, *.yml and *.cue, in sorted order so output is deterministic; AsyncAPI contracts and
 * OpenAPI documents are told apart from schemas by their "asyncapi" / "openapi" member, and
 * .cue files are exported to OpenAPI first), hands them to the registry and the renderer, and
 * writes BASE.c/BASE.h only when the whole set compiled without an error (each error names
 * the file and JSON Pointer; the count closes the report). Files are written to a temporary
 * name and renamed, so a failed run never leaves half a file for a build to pick up.
 * --so then compiles them into the worker's shared object (cg_tool.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg.h"
#include "cg_compat.h"
#include "cg_contract.h"
#include "cg_plan.h"
#include "cg_export.h"
#include "cg_tool.h"

#ifndef MESHGATE_VERSION
#define MESHGATE_VERSION "unknown" /* the Makefile defines it */
#endif

static void usage(FILE *o)
{
    fputs("usage: meshgate-codegen -o BASE [options] SCHEMA|DIR...\n"
          "       meshgate-codegen -o BASE [options] --registry DIR [SCHEMA|DIR...]\n"
          "       meshgate-codegen --registry-export URL DIR\n"
          "       meshgate-codegen [options] --compat MODE OLD... NEW\n"
          "  -o BASE              write BASE.c and BASE.h\n"
          "                       (BASE.c holds the set; a big one's functions go to parts\n"
          "                       BASE.1.c .. BASE.N.c with BASE.int.h, README \"Big schemas\")\n"
          "  --so OUT.so          also compile and link them into OUT.so, the shared object\n"
          "                       meshgate loads ($CC, $CFLAGS; default cc -O2); without -o\n"
          "                       the C goes to a temporary folder\n"
          "  -j N                 --so: N compilers at once (default: the online CPUs)\n"
          "  --split N            functions in N parts (1: one file; default: one part per\n"
          "                       128 KiB of functions)\n"
          "  --share MODE         one function for identical subschemas: auto (sets of 200\n"
          "                       functions or more), always, never\n"
          "  --tables MODE        plain object and array schemas checked from tables by\n"
          "                       the runtime: auto (sets of 200 functions or more),\n"
          "                       always, never\n"
          "  --prefix P           C identifier of the set (mg_set_P); default from BASE\n"
          "  --name NAME          schema name for a single input file\n"
          "  --version            print the version and exit\n"
          "  --map URI=DIR        resolve URIs starting with URI from files under DIR\n"
          "  --metaschemas DIR    where the dialect metaschemas are\n"
          "  --default-dialect D  2020-12 (default), 2019-09, draft7, draft6, draft4\n"
          "  --format-annotation  treat format as an annotation (default: assertion)\n"
          "  --strict             refuse what is otherwise accepted with a warning (patterns\n"
          "                       in ECMA-262 Annex B syntax, unresolvable references where\n"
          "                       no entry reaches)\n"
          "  --plan               print what would be emitted (the plan), write nothing\n"
          "Schema Registry (README \"Schema Registry\"):\n"
          "  --registry DIR       compile every version of every JSON subject of the\n"
          "                       export in DIR, each named SUBJECT/versions/N\n"
          "  --registry-url URL   the registry the export came from (names the versions)\n"
          "  --registry-export URL DIR  write the export of the registry at URL into DIR\n"
          "Evolution checks (Confluent's JSON Schema rules; --compat alone for more):\n"
          "  --compat MODE [--all-changes] OLD... NEW | EXPORT_DIR SUBJECT [NEW]\n"
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
    const char **dirs; /* folders given whole: references may read anywhere inside them */
    size_t ndirs;
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
    static const char *const exts[] = {".schema.json", ".schema.yaml", ".schema.yml", ".json",
                                       ".yaml",        ".yml",         ".cue"};
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

static void remove_stale(const char *base, unsigned nparts);

/* --so without -o: BASE in a new temporary folder, named after OUT.so. */
static char *temp_base(const char *so, char **dir)
{
    const char *t = getenv("TMPDIR");
    *dir = cg_fmt("%s/meshgate-codegen.XXXXXX", t && *t ? t : "/tmp");
    if (!*dir || !mkdtemp(*dir)) {
        fprintf(stderr, "meshgate-codegen: --so: cannot make a temporary folder: %s\n",
                strerror(errno));
        free(*dir);
        *dir = NULL;
        return NULL;
    }
    const char *slash = strrchr(so, '/');
    char *name = strip_ext(slash ? slash + 1 : so);
    size_t nl = strlen(name);
    if (nl > 3 && strcmp(name + nl - 3, ".so") == 0) name[nl - 3] = 0;
    char *ident = cg_ident_from(name); /* it is named in an #include line */
    char *base = ident ? cg_fmt("%s/%s", *dir, ident) : NULL;
    free(name);
    free(ident);
    return base;
}

static void remove_temp(const char *dir, const char *base)
{
    static const char *const exts[] = {".c", ".h", ".int.h"};
    for (size_t i = 0; i < 3; i++) {
        char *p = cg_fmt("%s%s", base, exts[i]);
        if (p) remove(p);
        free(p);
    }
    remove_stale(base, 0);
    rmdir(dir);
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
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[4096], r[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) { /* no symlinked folders: no cycles */
            walk_dir(in, path, r);
        } else if (ends_with(names[i], ".json") || ends_with(names[i], ".yaml") ||
                   ends_with(names[i], ".yml") || ends_with(names[i], ".cue")) {
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

/* --prefix and the name of -o are written into the C: only a C identifier, and only a name
 * an #include line can hold (no escapes there). false (said) otherwise. */
static bool c_text_ok(const cg_options *opt)
{
    if (opt->prefix && !cg_is_ident(opt->prefix)) {
        fprintf(stderr,
                "meshgate-codegen: --prefix must be a C identifier (letters, digits and '_', not "
                "starting with a digit, at most %d bytes)\n",
                CG_IDENT_MAX);
        return false;
    }
    const char *slash = opt->out_base ? strrchr(opt->out_base, '/') : NULL;
    if (opt->out_base && !cg_header_name_ok(slash ? slash + 1 : opt->out_base)) {
        fprintf(stderr,
                "meshgate-codegen: -o: the file name after the last '/' is written into the C "
                "(#include \"NAME.h\"), so it may hold only printable ASCII other than \" ' \\ "
                "and ?\n");
        return false;
    }
    return true;
}

/* The files of one run: each written as PATH.tmp and renamed when all are complete. */
typedef struct out_files {
    const char *base;
    char **paths;
    FILE **files;
    size_t n;
} out_files;

static FILE *open_out(void *ctx, const char *suffix)
{
    out_files *o = ctx;
    char *path = cg_fmt("%s%s", o->base, suffix), *tmp = cg_fmt("%s%s.tmp", o->base, suffix);
    FILE *f = path && tmp ? fopen(tmp, "w") : NULL;
    if (!f) {
        fprintf(stderr, "meshgate-codegen: cannot write %s: %s\n", tmp ? tmp : suffix,
                strerror(errno));
        free(path);
        free(tmp);
        return NULL;
    }
    free(tmp);
    o->paths = realloc(o->paths, (o->n + 1) * sizeof *o->paths);
    o->files = realloc(o->files, (o->n + 1) * sizeof *o->files);
    o->paths[o->n] = path;
    o->files[o->n++] = f;
    return f;
}

/* Removes PATH when it is codegen's output (its first line says so): the parts of an earlier,
 * bigger run, so that no build picks them up. */
static bool remove_generated(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[64] = "";
    bool ours =
        fgets(line, sizeof line, f) && strncmp(line, "/* generated by meshgate-codegen", 32) == 0;
    fclose(f);
    return ours && remove(path) == 0;
}

static void remove_stale(const char *base, unsigned nparts)
{
    if (nparts == 0) {
        char *ih = cg_fmt("%s.int.h", base);
        if (ih) remove_generated(ih);
        free(ih);
    }
    for (unsigned k = nparts + 1;; k++) {
        char *p = cg_fmt("%s.%u.c", base, k);
        bool removed = p && remove_generated(p);
        free(p);
        if (!removed) break;
    }
}

/* Writes BASE.c, BASE.h and any parts; their paths (the C files) in *c_paths. */
static bool write_out(cg *g, const char *base, char ***c_paths, size_t *nc)
{
    const char *slash = strrchr(base, '/');
    out_files o = {base, NULL, NULL, 0};
    cg_sink sink = {&o, open_out, slash ? slash + 1 : base};
    unsigned nparts = 0;
    bool ok = cg_render_files(g, &sink, &nparts);
    for (size_t i = 0; i < o.n; i++)
        if (fclose(o.files[i]) != 0) ok = false;
    for (size_t i = 0; i < o.n; i++) {
        char *tmp = cg_fmt("%s.tmp", o.paths[i]);
        if (ok && rename(tmp, o.paths[i]) != 0) {
            fprintf(stderr, "meshgate-codegen: cannot write %s: %s\n", o.paths[i], strerror(errno));
            ok = false;
        }
        if (!ok) remove(tmp);
        free(tmp);
    }
    if (ok) remove_stale(base, nparts);
    *nc = 0;
    *c_paths = calloc(o.n + 1, sizeof **c_paths);
    for (size_t i = 0; i < o.n; i++) {
        size_t l = strlen(o.paths[i]);
        if (ok && l > 2 && strcmp(o.paths[i] + l - 2, ".c") == 0)
            (*c_paths)[(*nc)++] = o.paths[i];
        else
            free(o.paths[i]);
    }
    free(o.paths);
    free(o.files);
    return ok;
}

typedef struct registry_opts {
    const char *dir, *url;
} registry_opts;

static void load(cg *g, const cg_options *opt, const inputs *in, const registry_opts *reg)
{
    cg_init(g, opt);
    for (size_t i = 0; i < in->ndirs; i++)
        cg_allow_dir(g, in->dirs[i]);
    cg_map names = {0};
    for (size_t i = 0; i < in->n; i++) {
        const input *first = cg_map_get(&names, in->v[i].name);
        if (first)
            cg_error_doc(g, in->v[i].path, "schema name \"%s\" is also used by %s", in->v[i].name,
                         first->path);
        else
            cg_map_put(&names, in->v[i].name, &in->v[i]);
    }
    cg_map_free(&names);
    for (size_t i = 0; i < in->n; i++)
        cg_add_input(g, in->v[i].path, in->v[i].name);
    /* the checking pass (check_all) is the one that always runs: it notes skipped versions */
    if (reg->dir) cg_add_registry(g, reg->dir, reg->url, opt->check_all);
}

/* The input files named on the command line, folders searched; false (said) on a path that
 * does not exist or a folder without any. */
static bool gather(inputs *in, const char **args, size_t nargs, const char *name)
{
    for (size_t i = 0; i < nargs; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            fprintf(stderr, "meshgate-codegen: %s: %s\n", args[i], strerror(errno));
            return false;
        }
        if (S_ISDIR(st.st_mode)) {
            size_t before = in->n;
            walk_dir(in, args[i], "");
            in->dirs = realloc(in->dirs, (in->ndirs + 1) * sizeof *in->dirs);
            in->dirs[in->ndirs++] = args[i];
            if (in->n == before) {
                fprintf(stderr,
                        "meshgate-codegen: %s: no schema or contract in this folder "
                        "(*.json, *.yaml, *.yml, *.cue)\n",
                        args[i]);
                return false;
            }
        } else {
            const char *slash = strrchr(args[i], '/');
            char *nm = strip_ext(slash ? slash + 1 : args[i]);
            add_input(in, args[i], name && nargs == 1 ? name : nm);
            free(nm);
        }
    }
    return true;
}

/* Compiles the inputs and writes what the options ask for (BASE.c/.h, the contract
 * artifacts, the shared object); false on any error, which is said. */
static bool generate(cg_options *opt, const inputs *in, const registry_opts *reg,
                     cg_contract_opts *copt, const char *so_out, unsigned jobs)
{
    char *prefix = NULL, *set_path = NULL, *tmp_dir = NULL, *tmp_base = NULL;
    if (opt->plan_only) {
        if (!opt->prefix) opt->prefix = "plan";
        opt->check_all = opt->warnings = true;
        cg g;
        load(&g, opt, in, reg);
        bool ok = !cg_too_many_errors(&g) && cg_plan_build(&g) && g.nerrors == 0;
        if (ok) cg_plan_dump(&g, stdout);
        if (g.nerrors)
            fprintf(stderr, "meshgate-codegen: %zu error%s\n", g.nerrors,
                    g.nerrors == 1 ? "" : "s");
        cg_free(&g);
        return ok;
    }
    if (!opt->out_base) {
        opt->out_base = tmp_base = temp_base(so_out, &tmp_dir);
        if (!tmp_base) return false;
    }
    if (!opt->prefix) {
        const char *slash = strrchr(opt->out_base, '/');
        opt->prefix = prefix = cg_ident_from(slash ? slash + 1 : opt->out_base);
    }
    /* One pass: the plan covers every schema of the inputs, reachable from an entry or not,
     * so that an error anywhere in a file is reported; only the reached ones are written. */
    opt->check_all = true;
    opt->warnings = true;
    cg g;
    load(&g, opt, in, reg);
    /* planned even after errors in loading, so that one run reports the schemas' errors too */
    bool planned = !cg_too_many_errors(&g) && cg_plan_build(&g);
    char **c_paths = NULL;
    size_t nc = 0;
    bool ok = planned && g.nerrors == 0 && write_out(&g, opt->out_base, &c_paths, &nc);
    if (ok && copt->dir) {
        if (g.ncontracts == 0) {
            fprintf(stderr,
                    "meshgate-codegen: --contract-out: no AsyncAPI contract among the inputs\n");
            ok = false;
        } else {
            if (!copt->schema_set && so_out) copt->schema_set = so_out;
            if (!copt->schema_set && asprintf(&set_path, "%s.so", opt->out_base) > 0)
                copt->schema_set = set_path;
            if (!copt->catalog_dir) copt->catalog_dir = copt->dir;
            ok = cg_contract_write(&g, copt);
        }
    }
    if (ok && so_out) ok = cg_build_so((const char *const *)c_paths, nc, so_out, jobs, stderr);
    for (size_t i = 0; i < nc; i++)
        free(c_paths[i]);
    free(c_paths);
    if (cg_too_many_errors(&g))
        fprintf(stderr,
                "meshgate-codegen: more than %d errors (the first %d shown), nothing written\n",
                CG_MAX_ERRORS, CG_MAX_ERRORS);
    else if (g.nerrors)
        fprintf(stderr, "meshgate-codegen: %zu error%s, nothing written\n", g.nerrors,
                g.nerrors == 1 ? "" : "s");
    if (tmp_dir) remove_temp(tmp_dir, tmp_base);
    free(tmp_dir);
    free(tmp_base);
    cg_free(&g);
    free(prefix);
    free(set_path);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) { /* before anything is allocated */
        printf("meshgate-codegen %s\n", MESHGATE_VERSION);
        return 0;
    }
    cg_options opt = {.default_dialect = CG_D2020};
    inputs in = {0};
    const char **args = calloc((size_t)argc, sizeof *args);
    size_t nargs = 0;
    opt.map_uri = calloc((size_t)argc, sizeof *opt.map_uri);
    opt.map_dir = calloc((size_t)argc, sizeof *opt.map_dir);
    const char *so_out = NULL;
    unsigned jobs = 0; /* --so: compilers at once; 0: the online CPUs */
    int rc = 2;
    cg_contract_opts copt = {.group = "meshgate", .cluster = "my-cluster"};
    registry_opts reg = {0};
    int export_at = 0, compat_at = 0; /* where the arguments of those commands start */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (strcmp(a, "-o") == 0 && has_val) {
            opt.out_base = argv[++i];
        } else if (strcmp(a, "--so") == 0 && has_val) {
            so_out = argv[++i];
        } else if ((strcmp(a, "-j") == 0 || strcmp(a, "--split") == 0) && has_val) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || !*argv[i] || v < 1 || v > CG_MAX_PARTS) {
                fprintf(stderr, "meshgate-codegen: %s wants a number from 1 to %d, got %s\n", a,
                        CG_MAX_PARTS, argv[i]);
                goto out;
            }
            if (a[1] == 'j')
                jobs = (unsigned)v;
            else
                opt.split = (unsigned)v;
        } else if ((strcmp(a, "--share") == 0 || strcmp(a, "--tables") == 0) && has_val) {
            const char *m = argv[++i];
            int mode = strcmp(m, "auto") == 0     ? CG_AUTO
                       : strcmp(m, "always") == 0 ? CG_ALWAYS
                       : strcmp(m, "never") == 0  ? CG_NEVER
                                                  : -1;
            if (mode < 0) {
                fprintf(stderr, "meshgate-codegen: %s wants auto, always or never, got %s\n", a, m);
                goto out;
            }
            *(a[2] == 's' ? &opt.share : &opt.tables) = mode;
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
                goto out;
            }
            *eq = 0;
            opt.map_uri[opt.nmap] = m;
            opt.map_dir[opt.nmap++] = eq + 1;
        } else if (strcmp(a, "--default-dialect") == 0 && has_val) {
            if (!parse_dialect(argv[++i], &opt.default_dialect)) {
                fprintf(stderr, "meshgate-codegen: --default-dialect: unknown dialect %s\n",
                        argv[i]);
                goto out;
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
        } else if (strcmp(a, "--registry") == 0 && has_val) {
            if (reg.dir) {
                fprintf(stderr, "meshgate-codegen: --registry: one export per schema set\n");
                goto out;
            }
            reg.dir = argv[++i];
        } else if (strcmp(a, "--registry-url") == 0 && has_val) {
            reg.url = argv[++i];
        } else if (strcmp(a, "--registry-export") == 0 && i + 2 < argc) {
            export_at = i + 1;
            break;
        } else if (strcmp(a, "--compat") == 0) {
            compat_at = i + 1;
            break;
        } else if (strcmp(a, "--format-annotation") == 0) {
            opt.format_annotation = true;
        } else if (strcmp(a, "--strict") == 0) {
            opt.strict = true;
        } else if (strcmp(a, "--plan") == 0) {
            opt.plan_only = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "meshgate-codegen: unknown option or missing value: %s\n", a);
            usage(stderr);
            goto out;
        } else {
            args[nargs++] = a;
        }
    }
    if (export_at || compat_at) {
        rc = compat_at ? cg_compat_main(&opt, argc - compat_at, argv + compat_at)
             : cg_registry_export(argv[export_at], argv[export_at + 1], stderr) ? 0
                                                                                : 1;
    } else if (!opt.out_base && !so_out && !opt.plan_only) {
        fprintf(stderr, "meshgate-codegen: missing -o BASE (where to write BASE.c and BASE.h) "
                        "or --so OUT.so\n");
        usage(stderr);
    } else if (nargs == 0 && !reg.dir) {
        fprintf(stderr, "meshgate-codegen: no input: name schema files or folders\n");
        usage(stderr);
    } else if (!c_text_ok(&opt)) {
        /* rc stays 2: a usage error */
    } else if (gather(&in, args, nargs, opt.name)) {
        rc = generate(&opt, &in, &reg, &copt, so_out, jobs) ? 0 : 1;
    } else {
        rc = 1;
    }
out:
    for (size_t i = 0; i < in.n; i++) {
        free(in.v[i].path);
        free(in.v[i].name);
    }
    free(in.v);
    free(in.dirs);
    free(args);
    free(opt.map_uri);
    free(opt.map_dir);
    return rc;
}
