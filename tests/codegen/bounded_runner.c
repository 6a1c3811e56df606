/* bounded_runner.c - validates NDJSON lines with one generated schema set and prints, per line,
 * the result, the steps it took (mg_validator_steps) and every error, for
 * tests/codegen/test_validation_bounded.sh.
 *
 * Usage: bounded_runner [--no-memo] [--max-steps N] [--all-errors] [--locations] FILE.ndjson
 * (--locations: each error also names its keyword's schema location, for
 * tests/codegen/test_bigschema.sh). The script
 * builds it with one schema's generated C, passing -DMG_GEN_HEADER="<name>.h" and
 * -DMG_GEN_SET=mg_set_<name>. Output, one block per non-empty line:
 *   <result name> steps=<N>
 *     <mg_error_format of each error>[ at <mg_error_keyword_location>]
 * Exit status 0, or 2 on a usage or set-up error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"
#include MG_GEN_HEADER

int main(int argc, char **argv)
{
    mg_validator_conf conf = {.max_bytes = 1u << 20, .max_depth = 4096, .max_refs = 8192};
    const char *path = NULL;
    bool locations = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-memo") == 0)
            conf.memo_entries = MG_MEMO_OFF;
        else if (strcmp(argv[i], "--locations") == 0)
            locations = true;
        else if (strcmp(argv[i], "--all-errors") == 0)
            conf.max_errors = 100;
        else if (strcmp(argv[i], "--max-steps") == 0 && i + 1 < argc)
            conf.max_steps = strtoull(argv[++i], NULL, 10);
        else
            path = argv[i];
    }
    FILE *in = path ? fopen(path, "r") : NULL;
    if (!in) {
        fprintf(stderr, "usage: bounded_runner [--no-memo] [--max-steps N] [--all-errors] "
                        "[--locations] FILE\n");
        return 2;
    }
    char err[256];
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    if (!v) {
        fprintf(stderr, "bounded_runner: %s\n", err);
        return 2;
    }
    const mg_schema *s = &MG_GEN_SET.schemas[0];
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)got;
        if (len && line[len - 1] == '\n') line[--len] = 0;
        if (len == 0) continue;
        mg_result r = mg_validate(v, s, line, len, len);
        printf("%s steps=%llu\n", mg_result_name(r), (unsigned long long)mg_validator_steps(v));
        for (uint32_t i = 0; i < mg_error_count(v); i++) {
            char msg[512];
            mg_error_format(v, i, msg, sizeof msg);
            if (locations)
                printf("  %s at %s\n", msg, mg_error_keyword_location(v, i));
            else
                printf("  %s\n", msg);
        }
    }
    free(line);
    fclose(in);
    mg_validator_free(v);
    return 0;
}
