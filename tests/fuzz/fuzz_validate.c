/* fuzz_validate.c - libFuzzer target: random bytes into mg_validate() for generated schemas.
 *
 * Built by tests/fuzz/run.sh with clang -fsanitize=fuzzer,address,undefined and linked with
 * the C that meshgate-codegen generated for five golden cases (tests/golden/cases): identity
 * (patterns, required, number bounds), refs (recursive $ref, $anchor), unevaluated
 * (unevaluatedProperties through allOf/if/$ref), formats (format assertions) and arrays
 * (prefixItems, contains, uniqueItems).
 * Design: the input's first byte picks the schema and the mode, the rest is the message.
 * b = first byte - '0' (so seed files can start with a readable digit); b % 5 is the schema;
 * bit 0 of b / 5 asks for every error (max_errors 16) instead of the first, and bit 1 hands
 * mg_validate a buffer of exactly the message's length (the copying path, where the sanitizers
 * catch any read past the end) instead of a padded one (parsed in place). Rejects have their
 * errors formatted, so the error paths are fuzzed too. The validator is created per input:
 * the target keeps no state between inputs, and mg_validator_new/free are exercised as well.
 * Any sanitizer report or abort is a crash for libFuzzer; nothing else is asserted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"

#include "arrays.h"
#include "formats.h"
#include "identity.h"
#include "refs.h"
#include "unevaluated.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_MESSAGE = 1 << 16 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const mg_schema_set *sets[] = {&mg_set_fuzz_identity, &mg_set_fuzz_refs,
                                   &mg_set_fuzz_unevaluated, &mg_set_fuzz_formats,
                                   &mg_set_fuzz_arrays};
    const unsigned nsets = sizeof sets / sizeof sets[0];
    if (size == 0) return 0;
    unsigned b = (uint8_t)(data[0] - '0');
    const mg_schema_set *set = sets[b % nsets];
    unsigned mode = b / nsets;
    const char *msg = (const char *)data + 1;
    size_t len = size - 1;

    mg_validator_conf conf = {.max_bytes = MAX_MESSAGE,
                              .max_depth = 256,
                              .max_errors = (mode & 1) ? 16 : 1,
                              .max_refs = 512};
    char err[256];
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    if (!v) {
        fprintf(stderr, "fuzz_validate: mg_validator_new: %s\n", err);
        abort();
    }
    size_t cap = (mode & 2) ? len : len + MG_JSON_PADDING;
    char *buf = malloc(cap ? cap : 1);
    if (!buf) abort();
    memcpy(buf, msg, len);
    if (cap > len) memset(buf + len, 0, cap - len);
    mg_result r = mg_validate(v, &set->schemas[0], buf, len, cap);
    if (r != MG_OK) {
        uint32_t n = mg_error_count(v);
        if (n < 1 || n > conf.max_errors) abort();
        for (uint32_t i = 0; i < n; i++) {
            char line[512], inst[256];
            mg_error_format(v, i, line, sizeof line);
            mg_error_instance(v, i, inst, sizeof inst);
            if (!mg_error_keyword(v, i) ||
                (r == MG_REJECT_SCHEMA && !mg_error_keyword_location(v, i)))
                abort();
        }
    }
    free(buf);
    mg_validator_free(v);
    return 0;
}
