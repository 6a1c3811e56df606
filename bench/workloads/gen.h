/* gen.h - what every workload generator (bench/workloads/W/gen.c) shares: the command line
 * (--seed S --count N --invalid-fraction F) and the fixed-seed xorshift generator, so the
 * same arguments always give the same bytes. Header-only: each generator is one program. */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gen_args {
    uint64_t seed, count;
    double invalid_fraction;
} gen_args;

static inline uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Reads the options over the defaults in *a; false (after a usage line) on anything else. */
static inline bool gen_parse(int argc, char **argv, const char *name, gen_args *a)
{
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
            a->seed = strtoull(argv[i + 1], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--count") == 0)
            a->count = strtoull(argv[i + 1], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--invalid-fraction") == 0)
            a->invalid_fraction = strtod(argv[i + 1], NULL);
        else {
            fprintf(stderr, "usage: %s --seed S --count N --invalid-fraction F\n", name);
            return false;
        }
    }
    return true;
}

/* The generator's state for a seed (never 0). */
static inline uint64_t gen_state(uint64_t seed)
{
    return seed ? seed * 0x9E3779B97F4A7C15ull : 1;
}

#endif
