/* config_fixture.h - what the unit tests of the configuration share (test_config.c,
 * test_config_kafka.c): a fixture with its own mkdtemp directory, passed as cmocka state, that
 * writes and loads meshgate.yaml there; error lines asserted whole; the smallest valid file.
 * Include after <cmocka.h>. */
#ifndef CONFIG_FIXTURE_H
#define CONFIG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mw_config.h"

typedef struct fixture {
    char dir[256];
    char path[300];
    char err[8192];
    mw_config c;
} fixture;

static inline int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/test_config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/meshgate.yaml", f->dir);
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    fixture *f = *state;
    mw_config_free(&f->c);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Writes text as the fixture's meshgate.yaml and loads it with envp. */
static inline int load_env(fixture *f, const char *text, char *const *envp)
{
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    mw_config_free(&f->c);
    return mw_config_load(&f->c, f->path, envp, NULL, f->err, sizeof f->err);
}

static inline int load(fixture *f, const char *text)
{
    return load_env(f, text, NULL);
}

/* Asserts that errstr holds the line "<file>:<line>: <rest>" (line 0: "<file>: <rest>"). */
static inline void assert_file_error(const fixture *f, int line, const char *rest)
{
    char want[1024];
    if (line)
        snprintf(want, sizeof want, "%s:%d: %s\n", f->path, line, rest);
    else
        snprintf(want, sizeof want, "%s: %s\n", f->path, rest);
    const char *at = strstr(f->err, want);
    if (!at || (at != f->err && at[-1] != '\n'))
        fail_msg("missing line: %s\nerrstr:\n%s", want, f->err);
}

/* Asserts that errstr holds exactly this line (an environment error). */
static inline void assert_error_line(const fixture *f, const char *line)
{
    char want[1024];
    snprintf(want, sizeof want, "%s\n", line);
    const char *at = strstr(f->err, want);
    if (!at || (at != f->err && at[-1] != '\n'))
        fail_msg("missing line: %s\nerrstr:\n%s", want, f->err);
}

#define HEAD "schemas: build/s.so\ngroup: g\n"
#define ROUTE0                                                                                     \
    "routes:\n"                                                                                    \
    "  - input: raw.orders\n"                                                                      \
    "    schema: order\n"                                                                          \
    "    output: orders.v1\n"                                                                      \
    "    dead_letter: orders.dlq\n"                                                                \
    "    source: urn:shop:orders\n"
#define MINIMAL HEAD ROUTE0

#endif
