/* cg_compat_cli.c - meshgate-codegen --compat MODE: the registry's compatibility modes over
 * cg_compat_compare, for schema files or a subject of a registry export.
 *
 *   meshgate-codegen [options] --compat MODE [--all-changes] OLD... NEW
 *   meshgate-codegen [options] --compat MODE [--all-changes] EXPORT_DIR SUBJECT [NEW]
 *
 * Design: as Confluent's registry does, BACKWARD asks whether a reader with NEW can read what
 * a writer with OLD wrote, which is SchemaDiff.compare(OLD, NEW); FORWARD asks the opposite,
 * compare(NEW, OLD); FULL both. The plain modes check NEW against the last OLD (the latest
 * registered version), the _TRANSITIVE ones against every OLD; NONE checks nothing. With an
 * export, the OLDs are the subject's versions, oldest first, and NEW is the given file or else
 * the subject's latest version (then checked against the versions before it). Each schema file
 * is loaded into a codegen registry of its own, so two versions sharing an $id stay apart.
 * Output: per pair checked, "OLD -> NEW: compatible" or "incompatible", then one line per
 * incompatible change (every change with --all-changes). Exit status 0 compatible, 1
 * incompatible, 2 usage or a schema that cannot be read or compared.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_compat.h"
#include "cg_export.h"

static const char *const mode_names[] = {
    "NONE", "BACKWARD",       "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
    "FULL", "FULL_TRANSITIVE"};

bool cg_compat_mode_parse(const char *s, cg_compat_mode *m)
{
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (strcmp(mode_names[i], s) == 0) {
            *m = (cg_compat_mode)i;
            return true;
        }
    return false;
}

const char *cg_compat_mode_name(cg_compat_mode m)
{
    return (unsigned)m < sizeof mode_names / sizeof mode_names[0] ? mode_names[m] : "?";
}

/* Checks one direction; returns 0, 1 or 2 as cg_compat_check. */
static int direction(const cg_compat_schema *old, const cg_compat_schema *latest, bool forward,
                     bool all, FILE *out, size_t *nbad)
{
    const cg_compat_schema *orig = forward ? latest : old, *upd = forward ? old : latest;
    cg_differences d = {0};
    bool ok = cg_compat_compare(orig->g, orig->node, upd->g, upd->node, &d);
    int status = ok ? 0 : 2;
    for (size_t i = 0; i < d.n; i++) {
        const cg_difference *f = &d.v[i];
        bool good = cg_change_compatible(f->type);
        if (!good) {
            (*nbad)++;
            if (status == 0) status = 1;
        }
        if (all || !good)
            fprintf(out, "  %s %s at old %s, new %s\n", forward ? "FORWARD" : "BACKWARD",
                    cg_change_name(f->type), forward ? f->upd_at : f->orig_at,
                    forward ? f->orig_at : f->upd_at);
    }
    cg_differences_free(&d);
    return status;
}

int cg_compat_check(cg_compat_mode mode, const cg_compat_schema *old, size_t nold,
                    const cg_compat_schema *latest, bool all, FILE *out)
{
    if (mode == CG_COMPAT_NONE || nold == 0) return 0;
    bool transitive = mode == CG_COMPAT_BACKWARD_TRANSITIVE ||
                      mode == CG_COMPAT_FORWARD_TRANSITIVE || mode == CG_COMPAT_FULL_TRANSITIVE;
    bool backward = mode != CG_COMPAT_FORWARD && mode != CG_COMPAT_FORWARD_TRANSITIVE;
    bool forward = mode != CG_COMPAT_BACKWARD && mode != CG_COMPAT_BACKWARD_TRANSITIVE;
    int worst = 0;
    for (size_t i = transitive ? 0 : nold - 1; i < nold; i++) {
        char *body = NULL;
        size_t blen = 0, nbad = 0;
        FILE *b = open_memstream(&body, &blen);
        int s = 0, r;
        if (backward && (r = direction(&old[i], latest, false, all, b, &nbad)) > s) s = r;
        if (forward && (r = direction(&old[i], latest, true, all, b, &nbad)) > s) s = r;
        fclose(b);
        if (s == 2)
            fprintf(out, "%s -> %s: cannot be compared\n", old[i].label, latest->label);
        else if (s == 1)
            fprintf(out, "%s -> %s: incompatible (%s, %zu incompatible change%s)\n", old[i].label,
                    latest->label, cg_compat_mode_name(mode), nbad, nbad == 1 ? "" : "s");
        else
            fprintf(out, "%s -> %s: compatible (%s)\n", old[i].label, latest->label,
                    cg_compat_mode_name(mode));
        fwrite(body, 1, blen, out);
        free(body);
        if (s > worst) worst = s;
    }
    return worst;
}

static void usage(FILE *o)
{
    fputs("usage: meshgate-codegen [options] --compat MODE [--all-changes] OLD... NEW\n"
          "       meshgate-codegen [options] --compat MODE [--all-changes] EXPORT_DIR SUBJECT "
          "[NEW]\n"
          "  MODE: BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,\n"
          "        FULL_TRANSITIVE or NONE (Confluent's rules for JSON Schema)\n"
          "  --all-changes  also list the compatible changes\n"
          "Exit status: 0 compatible, 1 incompatible, 2 usage or a schema that cannot be read.\n",
          o);
}

typedef struct loaded {
    cg *gs;
    size_t ngs;
    cg_compat_schema *v;
    size_t n;
} loaded;

/* Loads a schema file into a registry of its own; false (reported) when it cannot. */
static bool load_file(const cg_options *opt, loaded *l, const char *path)
{
    cg *g = &l->gs[l->ngs++];
    cg_init(g, opt);
    if (!cg_add_input(g, path, path) || g->ncontracts || g->ndocs == 0) {
        if (g->ncontracts) cg_error_doc(g, path, "an AsyncAPI contract, not a JSON Schema");
        return false;
    }
    l->v[l->n++] = (cg_compat_schema){g, g->docs[0]->root, path};
    return true;
}

static int by_version(const void *a, const void *b)
{
    const cg_entry *x = *(const cg_entry *const *)a, *y = *(const cg_entry *const *)b;
    return x->version < y->version ? -1 : x->version > y->version;
}

/* Loads the versions of subject from the export in dir, oldest first. */
static bool load_export(const cg_options *opt, loaded *l, const char *dir, const char *subject)
{
    cg *g = &l->gs[l->ngs++];
    cg_init(g, opt);
    if (!cg_add_registry(g, dir, NULL, false)) return false;
    const cg_entry **v = calloc(g->nentries + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < g->nentries; i++)
        if (strcmp(g->entries[i].subject, subject) == 0) v[n++] = &g->entries[i];
    qsort(v, n, sizeof *v, by_version);
    l->v = realloc(l->v, (l->n + n + 2) * sizeof *l->v);
    for (size_t i = 0; i < n; i++)
        l->v[l->n++] = (cg_compat_schema){g, v[i]->node, v[i]->name};
    free(v);
    if (n == 0) {
        fprintf(stderr, "meshgate-codegen: --compat: %s has no JSON Schema version of subject %s\n",
                dir, subject);
        return false;
    }
    return true;
}

int cg_compat_main(const cg_options *opt, int argc, char **argv)
{
    cg_compat_mode mode;
    bool all = false;
    if (argc < 1 || !cg_compat_mode_parse(argv[0], &mode)) {
        if (argc < 1)
            fprintf(stderr, "meshgate-codegen: --compat: MODE is missing\n");
        else
            fprintf(stderr, "meshgate-codegen: --compat: %s is not a mode\n", argv[0]);
        usage(stderr);
        return 2;
    }
    argc--;
    argv++;
    if (argc > 0 && strcmp(argv[0], "--all-changes") == 0) {
        all = true;
        argc--;
        argv++;
    }
    struct stat st;
    bool export = argc >= 2 && stat(argv[0], &st) == 0 && S_ISDIR(st.st_mode);
    if (argc < 2 || (export && argc > 3)) {
        usage(stderr);
        return 2;
    }
    loaded l = {.gs = calloc((size_t)argc + 1, sizeof(cg)),
                .v = calloc((size_t)argc + 1, sizeof(cg_compat_schema))};
    bool ok = export ? load_export(opt, &l, argv[0], argv[1]) : true;
    for (int i = export ? 2 : 0; ok && i < argc; i++)
        ok = load_file(opt, &l, argv[i]);
    int status = 2;
    if (ok && l.n >= 2) {
        status = cg_compat_check(mode, l.v, l.n - 1, &l.v[l.n - 1], all, stdout);
    } else if (ok) {
        printf("%s: only one version, nothing to check\n", l.v[0].label);
        status = 0;
    }
    size_t nerr = 0;
    for (size_t i = 0; i < l.ngs; i++) {
        nerr += l.gs[i].nerrors;
        cg_free(&l.gs[i]);
    }
    if (nerr)
        fprintf(stderr, "meshgate-codegen: %zu error%s, nothing compared\n", nerr,
                nerr == 1 ? "" : "s");
    free(l.gs);
    free(l.v);
    return nerr ? 2 : status;
}
