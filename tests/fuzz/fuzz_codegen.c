/* fuzz_codegen.c - libFuzzer target: schema bytes into the codegen pipeline, in process.
 *
 * Built by tests/fuzz/run.sh with clang -fsanitize=fuzzer,address,undefined against
 * libmgcodegen and libmgvalidator built with the same sanitizers; seeded with the golden
 * schemas (the *.schema.json files of tests/golden/cases, behind a selector byte).
 * Design: the input's first byte is a selector, the rest is the schema (JSON). Bits 0-2 pick
 * the default dialect (2020-12, 2019-09, 7, 6, 4, then 2020-12 again), bit 3 compiles every
 * schema of the document (--check-all), bit 4 treats format as an annotation. The schema is
 * loaded, resolved and rendered to memory exactly as meshgate-codegen does (cg_add_input_text,
 * cg_emit). When codegen succeeds and bits 5-7 are all set (1 input in 8), the generated C is
 * also compiled with cc -std=c11 -Wall -Wextra -Werror -Wvla into a shared object with the
 * plain validator library (FUZZ_VALIDATOR_LIB), loaded with dlopen and run on a few instances:
 * C that does not compile, does not load or crashes is a finding, like any sanitizer report.
 * Codegen errors are not findings (most random inputs are bad schemas), but an error must be
 * counted and printed (nerrors > 0 with an empty message is a finding), and on success the
 * C must be non-empty. The input's own file name is virtual (/fuzz-input/schema.json), so a
 * reference can read nothing but the metaschemas. No state kept between inputs.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "cg_emit.h"
#include "meshgate.h"

#ifndef FUZZ_VALIDATOR_LIB
#define FUZZ_VALIDATOR_LIB "build-fuzz/tool/libmgvalidator.a"
#endif
#define FUZZ_MAX_C ((size_t)256 * 1024) /* larger generated C is not compiled (time) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void finding(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_codegen: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static bool write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Compiles the generated C into a shared object, loads it and validates a few instances. */
static void compile_and_load(const char *c, size_t clen, const char *h, size_t hlen)
{
    char dir[] = "/tmp/fuzz_codegen_XXXXXX";
    if (!mkdtemp(dir)) finding("mkdtemp failed", NULL);
    char cpath[64], hpath[64], so[64], log[64], cmd[1024];
    snprintf(cpath, sizeof cpath, "%s/fuzz.c", dir);
    snprintf(hpath, sizeof hpath, "%s/fuzz.h", dir);
    snprintf(so, sizeof so, "%s/fuzz.so", dir);
    snprintf(log, sizeof log, "%s/cc.log", dir);
    if (!write_file(cpath, c, clen) || !write_file(hpath, h, hlen))
        finding("cannot write the generated C", dir);
    snprintf(cmd, sizeof cmd,
             "timeout 60 cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wvla -O0 -shared -fPIC "
             "-DMG_SHARED_OBJECT -Ivalidator -I%s -o %s %s %s -lsimdjson -lidn2 -lstdc++ -lm "
             ">%s 2>&1",
             dir, so, cpath, FUZZ_VALIDATOR_LIB, log);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "cat %s >&2", log);
        if (system(cmd) != 0) fprintf(stderr, "fuzz_codegen: (no compiler output)\n");
        fprintf(stderr, "fuzz_codegen: the generated C is kept in %s\n", dir);
        finding("the generated C does not compile with -Werror", cpath);
    }
    void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!lib) finding("dlopen", dlerror());
    const mg_schema_set *(*get)(void) =
        (const mg_schema_set *(*)(void))(uintptr_t)dlsym(lib, MG_SCHEMA_SET_SYMBOL);
    const mg_schema_set *set = get ? get() : NULL;
    if (!set || set->count < 1) finding("no schema set in the shared object", NULL);
    static const char *const instances[] = {"null",
                                            "true",
                                            "0",
                                            "-1.5e3",
                                            "\"x\"",
                                            "[]",
                                            "{}",
                                            "[1,\"a\",{},[null]]",
                                            "{\"a\":1,\"b\":[null,{\"c\":\"d\"}],\"\":{}}",
                                            "18446744073709551616"};
    mg_validator_conf conf = {
        .max_bytes = 1 << 16, .max_depth = 256, .max_errors = 16, .max_refs = 512};
    char err[256];
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    if (!v) finding("mg_validator_new", err);
    for (size_t s = 0; s < set->count; s++)
        for (size_t i = 0; i < sizeof instances / sizeof instances[0]; i++) {
            size_t len = strlen(instances[i]);
            char buf[128 + MG_JSON_PADDING] = {0};
            memcpy(buf, instances[i], len);
            if (mg_validate(v, &set->schemas[s], buf, len, sizeof buf) != MG_OK)
                for (uint32_t e = 0; e < mg_error_count(v); e++) {
                    char line[512];
                    mg_error_format(v, e, line, sizeof line);
                }
        }
    mg_validator_free(v);
    dlclose(lib);
    unlink(cpath);
    unlink(hpath);
    unlink(so);
    unlink(log);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const cg_dialect dialects[] = {CG_D2020, CG_D2019, CG_D7,    CG_D6,
                                          CG_D4,    CG_D2020, CG_D2020, CG_D2020};
    if (size == 0) return 0;
    uint8_t sel = data[0];
    cg_options opt = {.prefix = "fuzz",
                      .default_dialect = dialects[sel & 7],
                      .check_all = (sel >> 3) & 1,
                      .format_annotation = (sel >> 4) & 1};
    cg g;
    cg_init(&g, &opt);
    char *errs = NULL, *c = NULL, *h = NULL;
    size_t errlen = 0, clen = 0, hlen = 0;
    g.err = open_memstream(&errs, &errlen);
    FILE *co = open_memstream(&c, &clen), *ho = open_memstream(&h, &hlen);
    if (!g.err || !co || !ho) finding("open_memstream failed", NULL);
    cg_add_input_text(&g, (const char *)data + 1, size - 1, "/fuzz-input/schema.json", "fuzz");
    bool ok = g.nerrors == 0 && cg_emit(&g, co, ho, "fuzz.h");
    size_t nerrors = g.nerrors;
    cg_free(&g);
    fclose(g.err);
    fclose(co);
    fclose(ho);
    if (!ok && (nerrors == 0 || errlen == 0))
        finding("codegen failed without an error message", NULL);
    if (ok && (clen == 0 || hlen == 0)) finding("codegen succeeded but wrote no C", NULL);
    if (ok && (sel >> 5) == 7 && clen <= FUZZ_MAX_C) compile_and_load(c, clen, h, hlen);
    free(errs);
    free(c);
    free(h);
    return 0;
}
