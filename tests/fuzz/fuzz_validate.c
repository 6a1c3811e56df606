/* fuzz_validate.c - libFuzzer target: random bytes into mg_validate() for generated schemas.
 *
 * Built by tests/fuzz/run.sh with clang -fsanitize=fuzzer,address,undefined and linked with
 * the C that meshgate-codegen generated for six golden cases (tests/golden/cases): identity
 * (patterns, required, number bounds), refs (recursive $ref, $anchor), unevaluated
 * (unevaluatedProperties through allOf/if/$ref), formats (format assertions), arrays
 * (prefixItems, contains, uniqueItems) and recursive (the recursive oneOf of issue 13, whose
 * $ref target is memoized).
 * Design: the input's first byte picks the schema and the mode, the rest is the message.
 * b = first byte - '0' (so seed files can start with a readable character); b % 6 is the
 * schema; the bits of b / 6: 1 asks for every error (max_errors 16) instead of the first,
 * 2 hands mg_validate a buffer of exactly the message's length (the copying path, where the
 * sanitizers catch any read past the end) instead of a padded one (parsed in place), 4 turns
 * the memo off and 8 gives a budget of 300 steps (so both run out in the middle of
 * validations). Rejects have their errors formatted, so the error paths are fuzzed too.
 * Every input is validated a second time with the memo in the other state: the result and
 * every formatted error must be the same (abort otherwise), unless one of the two ran out of
 * its budget. The validators are created per input: the target keeps no state between
 * inputs, and mg_validator_new/free are exercised as well. Any sanitizer report or abort is a
 * crash for libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"

#include "arrays.h"
#include "formats.h"
#include "identity.h"
#include "recursive.h"
#include "refs.h"
#include "unevaluated.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_MESSAGE = 1 << 16 };

/* Validates msg[0..len) (in place unless exact), checks and formats its errors into out. */
static mg_result run(const mg_validator_conf *conf, const mg_schema *s, const char *msg, size_t len,
                     bool exact, char *out, size_t cap)
{
    char err[256];
    mg_validator *v = mg_validator_new(conf, err, sizeof err);
    if (!v) {
        fprintf(stderr, "fuzz_validate: mg_validator_new: %s\n", err);
        abort();
    }
    size_t bcap = exact ? len : len + MG_JSON_PADDING;
    char *buf = malloc(bcap ? bcap : 1);
    if (!buf) abort();
    memcpy(buf, msg, len);
    if (bcap > len) memset(buf + len, 0, bcap - len);
    mg_result r = mg_validate(v, s, buf, len, bcap);
    size_t used = 0;
    out[0] = 0;
    if (r != MG_OK) {
        uint32_t n = mg_error_count(v);
        if (n < 1 || n > conf->max_errors) abort();
        for (uint32_t i = 0; i < n; i++) {
            char inst[256];
            size_t k = mg_error_format(v, i, out + used, cap - used);
            used += k < cap - used ? k : cap - used - 1;
            mg_error_instance(v, i, inst, sizeof inst);
            if (!mg_error_keyword(v, i) || ((r == MG_REJECT_SCHEMA || r == MG_REJECT_LIMIT) &&
                                            !mg_error_keyword_location(v, i)))
                abort();
        }
    }
    free(buf);
    mg_validator_free(v);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const mg_schema_set *sets[] = {&mg_set_fuzz_identity,    &mg_set_fuzz_refs,
                                   &mg_set_fuzz_unevaluated, &mg_set_fuzz_formats,
                                   &mg_set_fuzz_arrays,      &mg_set_fuzz_recursive};
    const unsigned nsets = sizeof sets / sizeof sets[0];
    if (size == 0) return 0;
    unsigned b = (uint8_t)(data[0] - '0');
    const mg_schema *s = &sets[b % nsets]->schemas[0];
    unsigned mode = b / nsets;
    const char *msg = (const char *)data + 1;
    size_t len = size - 1;

    mg_validator_conf conf = {.max_bytes = MAX_MESSAGE,
                              .max_depth = 256,
                              .max_errors = (mode & 1) ? 16 : 1,
                              .max_refs = 512,
                              .max_steps = (mode & 8) ? 300 : 0,
                              .memo_entries = (mode & 4) ? MG_MEMO_OFF : 0};
    static char first[1 << 16], second[1 << 16];
    mg_result r = run(&conf, s, msg, len, mode & 2, first, sizeof first);
    conf.memo_entries = (mode & 4) ? 0 : MG_MEMO_OFF;
    mg_result r2 = run(&conf, s, msg, len, !(mode & 2), second, sizeof second);
    if (r != MG_REJECT_LIMIT && r2 != MG_REJECT_LIMIT && (r != r2 || strcmp(first, second) != 0)) {
        fprintf(stderr, "fuzz_validate: with and without the memo:\n%s: %s\n%s: %s\n",
                mg_result_name(r), first, mg_result_name(r2), second);
        abort();
    }
    return 0;
}
