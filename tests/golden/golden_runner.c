/* golden_runner.c - checks the verdicts of one golden case's generated validator.
 *
 * Usage: golden_runner INSTANCES.ndjson. tests/golden/run.sh builds it together with one
 * case's generated C, passing -DMG_GEN_HEADER="<name>.h" and -DMG_GEN_SET=mg_set_golden_<name>.
 * Design: each line of the file is "valid<TAB>json" or "invalid<TAB>json" (invalid: any
 * result other than MG_OK, parse rejects included). Every instance is validated four ways -
 * parsed in place from a padded buffer and copied from a buffer of exactly its length (so the
 * sanitizers catch any over-read), each with the first error only and with up to 16 errors -
 * and all four verdicts must be the expected one. A reject must record between 1 and the cap
 * errors, each with a keyword and a location, and every error is formatted, so the error paths
 * run under the sanitizers too. A fifth run without the memo (mg_rt.h) must give the same result
 * and the same errors as the run with it, unless it ran out of steps (which the memo is there
 * to prevent). One diagnostic line per mismatch; exit 1 on any.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"
#include MG_GEN_HEADER

enum { MANY_ERRORS = 16 };

/* Validates msg[0..len) once and checks the errors of a reject; *bad is set on a problem. */
static mg_result check_once(mg_validator *v, uint32_t max_errors, const mg_schema *s,
                            const char *msg, size_t len, bool in_place, unsigned lineno, bool *bad)
{
    size_t cap = in_place ? len + MG_JSON_PADDING : len;
    char *buf = malloc(cap ? cap : 1);
    if (!buf) {
        perror("golden_runner: malloc");
        exit(2);
    }
    memcpy(buf, msg, len);
    if (in_place) memset(buf + len, 0, MG_JSON_PADDING);
    mg_result r = mg_validate(v, s, buf, len, cap);
    if (r != MG_OK) {
        uint32_t n = mg_error_count(v);
        if (n < 1 || n > max_errors) {
            printf("# line %u: %s reject recorded %u errors (cap %u)\n", lineno, mg_result_name(r),
                   n, max_errors);
            *bad = true;
        }
        for (uint32_t i = 0; i < n; i++) {
            char line[1024];
            mg_error_format(v, i, line, sizeof line);
            const char *kw = mg_error_keyword(v, i);
            const char *loc = mg_error_keyword_location(v, i);
            if (!kw || (r == MG_REJECT_SCHEMA && (!loc || !strchr(loc, '#')))) {
                printf("# line %u: error %u has no keyword or schema location: %s\n", lineno, i,
                       line);
                *bad = true;
            }
        }
    }
    free(buf);
    return r;
}

/* Prints every error of the last reject, for a mismatch diagnostic. */
static void print_errors(const mg_validator *v)
{
    for (uint32_t i = 0; i < mg_error_count(v); i++) {
        char line[1024];
        mg_error_format(v, i, line, sizeof line);
        printf("#     %s\n", line);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: golden_runner INSTANCES.ndjson\n");
        return 2;
    }
    const mg_schema_set *set = &MG_GEN_SET;
    if (set->abi != MG_RT_ABI || set->count != 1) {
        printf("# schema set: abi %u, %u schemas; expected abi %u and one schema\n", set->abi,
               set->count, MG_RT_ABI);
        return 1;
    }
    const mg_schema *s = &set->schemas[0];
    if (mg_schema_find(set, s->name) != s || mg_schema_find(set, s->id) != s) {
        printf("# mg_schema_find does not find schema \"%s\" by name and by id %s\n", s->name,
               s->id);
        return 1;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    char err[256];
    const mg_validator_conf conf[2] = {
        {.max_bytes = 1u << 20, .max_depth = 256, .max_errors = 1, .max_refs = 512},
        {.max_bytes = 1u << 20, .max_depth = 256, .max_errors = MANY_ERRORS, .max_refs = 512},
    };
    const mg_validator_conf no_memo = {.max_bytes = 1u << 20,
                                       .max_depth = 256,
                                       .max_errors = MANY_ERRORS,
                                       .max_refs = 512,
                                       .memo_entries = MG_MEMO_OFF};
    mg_validator *v[3];
    for (int k = 0; k < 3; k++) {
        v[k] = mg_validator_new(k < 2 ? &conf[k] : &no_memo, err, sizeof err);
        if (!v[k]) {
            printf("# mg_validator_new: %s\n", err);
            return 1;
        }
    }
    char *line = NULL;
    size_t linecap = 0;
    ssize_t got;
    unsigned lineno = 0, checked = 0, mismatches = 0;
    while ((got = getline(&line, &linecap, in)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        if (len && line[len - 1] == '\n') line[--len] = 0;
        if (len == 0) continue;
        char *tab = strchr(line, '\t');
        bool want_valid;
        if (tab && (size_t)(tab - line) == 5 && strncmp(line, "valid", 5) == 0)
            want_valid = true;
        else if (tab && (size_t)(tab - line) == 7 && strncmp(line, "invalid", 7) == 0)
            want_valid = false;
        else {
            printf("# %s:%u: line must start with \"valid<TAB>\" or \"invalid<TAB>\"\n", argv[1],
                   lineno);
            mismatches++;
            continue;
        }
        const char *msg = tab + 1;
        size_t mlen = len - (size_t)(msg - line);
        bool bad = false;
        for (int k = 0; k < 4; k++) {
            bool in_place = k & 1;
            mg_validator *vk = v[k >> 1];
            mg_result r =
                check_once(vk, conf[k >> 1].max_errors, s, msg, mlen, in_place, lineno, &bad);
            if ((r == MG_OK) != want_valid) {
                printf("# line %u: expected %s, got %s (%s, max_errors %u): %s\n", lineno,
                       want_valid ? "valid" : "invalid", mg_result_name(r),
                       in_place ? "in place" : "copied", conf[k >> 1].max_errors, msg);
                print_errors(vk);
                bad = true;
            }
        }
        /* every error, with and without the memo (which may run out of steps without it) */
        mg_result r = check_once(v[2], MANY_ERRORS, s, msg, mlen, true, lineno, &bad);
        mg_result rm = mg_validate(v[1], s, msg, mlen, mlen);
        bool same = (r == MG_REJECT_LIMIT && rm != MG_REJECT_LIMIT) ||
                    (r == rm && mg_error_count(v[1]) == mg_error_count(v[2]));
        for (uint32_t i = 0; same && r == rm && i < mg_error_count(v[1]); i++) {
            char a[1024], b[1024];
            mg_error_format(v[1], i, a, sizeof a);
            mg_error_format(v[2], i, b, sizeof b);
            same = strcmp(a, b) == 0;
        }
        if (!same) {
            printf("# line %u: the errors differ without the memo: %s\n# with:\n", lineno, msg);
            print_errors(v[1]);
            printf("# without:\n");
            print_errors(v[2]);
            bad = true;
        }
        checked++;
        if (bad) mismatches++;
    }
    free(line);
    fclose(in);
    for (int k = 0; k < 3; k++)
        mg_validator_free(v[k]);
    printf("# %u instances checked, %u wrong\n", checked, mismatches);
    return mismatches || checked == 0 ? 1 : 0;
}
