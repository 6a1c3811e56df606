/* mw_validate.c - `meshgate validate`: checks NDJSON files against a compiled schema, as a
 * build step checks its fixtures.
 *
 * Design: one mg_validator, lines handed over in place by the NDJSON reader (no copy when the
 * read buffer has padding after the line, which it almost always has), so the per-line path
 * allocates nothing. A validator allocates for its largest message up front, so it is sized by
 * the longest line so far (1 MiB at first, doubled as needed up to --max-bytes) and replaced
 * when a longer line comes: a large --max-bytes costs memory only if lines are that long. Each
 * rejected line is printed with its file, line number and the validator's reason; a summary with
 * counts per reason and the time per line goes to stderr. Exit status: 0 all valid, 1 some line
 * rejected, 2 usage or set-up error. Single-threaded.
 */
#include "mw_validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meshgate.h"
#include "mw_ndjson.h"
#include "mw_schemas.h"

typedef struct run {
    mg_validator *v;
    size_t v_bytes;      /* the largest message v takes */
    size_t max_bytes;    /* --max-bytes: the most v_bytes may grow to */
    uint32_t max_errors; /* per line */
    bool failed;         /* a validator could not be made (reported) */
    const mg_schema *schema;
    const char *file;
    bool all_errors, quiet, show_valid;
    uint64_t lines, valid, bytes;
    uint64_t by_result[MG_ERR_INTERNAL + 1];
    uint64_t oversize;
} run;

/* Makes v take messages of len bytes (len <= max_bytes); false if it cannot (reported). */
static bool fit_validator(run *r, size_t len)
{
    if (r->v && len <= r->v_bytes) return true;
    size_t want = r->v ? r->v_bytes : (size_t)1 << 20;
    while (want < len && want <= r->max_bytes / 2)
        want *= 2;
    if (want < len || want > r->max_bytes) want = r->max_bytes;
    char err[512];
    mg_validator_conf conf = {.max_bytes = want, .max_errors = r->max_errors};
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    if (!v) {
        fprintf(stderr, "meshgate validate: %s\n", err);
        r->failed = true;
        return false;
    }
    mg_validator_free(r->v);
    r->v = v;
    r->v_bytes = want;
    return true;
}

static bool on_line(void *arg, const char *line, size_t len, size_t cap, uint64_t lineno,
                    bool oversize)
{
    run *r = arg;
    r->lines++;
    r->bytes += len;
    if (oversize) {
        r->oversize++;
        if (!r->quiet)
            printf("%s:%llu: (root): message larger than the configured maximum (too_large)\n",
                   r->file, (unsigned long long)lineno);
        return true;
    }
    if (!fit_validator(r, len)) return false;
    mg_result res = mg_validate(r->v, r->schema, line, len, cap);
    r->by_result[res]++;
    if (res == MG_OK) {
        r->valid++;
        if (r->show_valid) printf("%s:%llu: valid\n", r->file, (unsigned long long)lineno);
        return true;
    }
    if (r->quiet) return true;
    char msg[1024];
    uint32_t n = r->all_errors ? mg_error_count(r->v) : 1;
    for (uint32_t i = 0; i < n; i++) {
        mg_error_format(r->v, i, msg, sizeof msg);
        if (i == 0)
            printf("%s:%llu: %s\n", r->file, (unsigned long long)lineno, msg);
        else
            printf("    %s\n", msg);
    }
    return true;
}

static void usage(FILE *o)
{
    fputs("usage: meshgate validate --schemas SET.so --schema NAME [--all-errors]\n"
          "                         [--max-bytes N] [--show-valid] [--quiet] [FILE.ndjson ...]\n"
          "  --schemas SET.so  schema set built from meshgate-codegen output\n"
          "                    (default: $MESHGATE_SCHEMAS)\n"
          "  --schema NAME     schema name or $id in the set\n"
          "  --all-errors      report every error of a rejected line (up to 100)\n"
          "  --max-bytes N     largest line accepted (default 1048576)\n"
          "  --show-valid      also print a line for each valid line\n"
          "  --quiet           print only the summary\n"
          "Reads stdin when no FILE (or -) is given. Exit status: 0 all valid, 1 some line\n"
          "rejected, 2 usage or set-up error.\n",
          o);
}

int mw_validate_main(int argc, char **argv)
{
    const char *so = getenv("MESHGATE_SCHEMAS"), *name = NULL;
    size_t max_bytes = 1u << 20;
    run r = {0};
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool val = i + 1 < argc;
        if (strcmp(a, "--schemas") == 0 && val) {
            so = argv[++i];
        } else if (strcmp(a, "--schema") == 0 && val) {
            name = argv[++i];
        } else if (strcmp(a, "--max-bytes") == 0 && val) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (errno || *end || v == 0 || v > (1ull << 31)) {
                fprintf(stderr, "meshgate validate: --max-bytes: want 1..2147483648, got %s\n",
                        argv[i]);
                return 2;
            }
            max_bytes = (size_t)v;
        } else if (strcmp(a, "--all-errors") == 0) {
            r.all_errors = true;
        } else if (strcmp(a, "--show-valid") == 0) {
            r.show_valid = true;
        } else if (strcmp(a, "--quiet") == 0) {
            r.quiet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "meshgate validate: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    if (!so || !name) {
        fprintf(stderr, "meshgate validate: %s is required\n",
                !so ? "--schemas (or MESHGATE_SCHEMAS)" : "--schema");
        usage(stderr);
        return 2;
    }
    char err[512];
    mw_schemas *set = mw_schemas_load(so, err, sizeof err);
    if (!set) {
        fprintf(stderr, "meshgate validate: %s\n", err);
        return 2;
    }
    r.schema = mg_schema_find(mw_schemas_set(set), name);
    if (!r.schema) {
        fprintf(stderr, "meshgate validate: --schema: no schema named %s in %s (it has:", name, so);
        for (uint32_t i = 0; i < mw_schemas_set(set)->count; i++)
            fprintf(stderr, " %s", mw_schemas_set(set)->schemas[i].name);
        fputs(")\n", stderr);
        mw_schemas_free(set);
        return 2;
    }
    r.max_bytes = max_bytes;
    r.max_errors = r.all_errors ? 100 : 1;
    if (!fit_validator(&r, 0)) {
        mw_schemas_free(set);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 0;
    for (int i = first_file; i <= argc && status == 0; i++) {
        bool use_stdin =
            (i == argc && first_file == argc) || (i < argc && strcmp(argv[i], "-") == 0);
        if (i == argc && !use_stdin) break;
        r.file = use_stdin ? "-" : argv[i];
        int fd = use_stdin ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "meshgate validate: %s: %s\n", argv[i], strerror(errno));
            status = 2;
            break;
        }
        if (mw_ndjson_read(fd, max_bytes, on_line, &r, err, sizeof err) != 0) {
            fprintf(stderr, "meshgate validate: %s: %s\n", r.file, err);
            status = 2;
        }
        if (r.failed) status = 2;
        if (!use_stdin) close(fd);
        if (i == argc) break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(stdout);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    uint64_t rejected = r.lines - r.valid;
    fprintf(stderr, "%llu lines, %llu valid, %llu rejected (", (unsigned long long)r.lines,
            (unsigned long long)r.valid, (unsigned long long)rejected);
    bool any = false;
    for (int k = 1; k <= MG_ERR_INTERNAL; k++)
        if (r.by_result[k]) {
            fprintf(stderr, "%s%llu %s", any ? ", " : "", (unsigned long long)r.by_result[k],
                    mg_result_name((mg_result)k));
            any = true;
        }
    if (r.oversize)
        fprintf(stderr, "%s%llu too_large", any ? ", " : "", (unsigned long long)r.oversize);
    fprintf(stderr, ") in %.2f s, %.0f ns/line, %.1f MB/s\n", secs,
            r.lines ? secs * 1e9 / (double)r.lines : 0.0,
            secs > 0 ? (double)r.bytes / secs / 1e6 : 0.0);
    mg_validator_free(r.v);
    mw_schemas_free(set);
    if (status) return status;
    return rejected ? 1 : 0;
}
