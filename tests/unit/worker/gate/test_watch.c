/* test_watch.c - unit tests for worker/gate/mw_watch.c: a file replaced by rename, written in
 * place and touched; a Kubernetes ConfigMap volume's ..data swap (twice, the old directory
 * deleted, the watch armed again between); a burst debounced into one change; other names in
 * the directory ignored; a directory that cannot be watched. Times are given, not waited for:
 * inotify queues an event before the call that caused it returns. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mw_watch.h"

enum { MS = 1000 };

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_watch.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    fputs(text, o);
    fclose(o);
}

/* dir/name, in buf. */
static const char *at(char *buf, size_t cap, const fixture *f, const char *name)
{
    snprintf(buf, cap, "%s/%s", f->dir, name);
    return buf;
}

static void arm(mw_watch *w, const char *path)
{
    char err[512] = "";
    const char *paths[1] = {path};
    if (!mw_watch_arm(w, paths, 1, err, sizeof err)) fail_msg("%s", err);
}

static void test_rename_and_in_place(void **state)
{
    fixture *f = *state;
    char p[128], tmp[128], other[128], what[256];
    at(p, sizeof p, f, "meshgate.yaml");
    at(tmp, sizeof tmp, f, ".meshgate.yaml.swp");
    at(other, sizeof other, f, "unrelated.txt");
    write_file(p, "a: 1\n");
    char err[256];
    mw_watch *w = mw_watch_new(500, err, sizeof err);
    assert_non_null(w);
    arm(w, p);
    assert_false(mw_watch_due(w, 0, what, sizeof what));
    /* another name in the directory changes nothing */
    write_file(other, "x");
    assert_false(mw_watch_due(w, 10 * MS, what, sizeof what));
    assert_false(mw_watch_due(w, 2000 * MS, what, sizeof what));
    /* an editor's write-then-rename: due once the burst is 500 ms quiet */
    write_file(tmp, "a: 2\n");
    assert_int_equal(rename(tmp, p), 0);
    assert_false(mw_watch_due(w, 3000 * MS, what, sizeof what));
    assert_false(mw_watch_due(w, 3499 * MS, what, sizeof what));
    assert_true(mw_watch_due(w, 3500 * MS, what, sizeof what));
    assert_string_equal(what, "meshgate.yaml");
    assert_false(mw_watch_due(w, 9000 * MS, what, sizeof what)); /* once */
    /* written in place, and touched */
    write_file(p, "a: 3\n");
    assert_false(mw_watch_due(w, 10000 * MS, what, sizeof what));
    assert_true(mw_watch_due(w, 10500 * MS, what, sizeof what));
    assert_int_equal(utimensat(AT_FDCWD, p, NULL, 0), 0);
    assert_false(mw_watch_due(w, 11000 * MS, what, sizeof what));
    assert_true(mw_watch_due(w, 11500 * MS, what, sizeof what));
    mw_watch_free(w);
}

static void test_burst(void **state)
{
    fixture *f = *state;
    char p[128], what[256], err[256];
    at(p, sizeof p, f, "set.so");
    write_file(p, "v1");
    mw_watch *w = mw_watch_new(1000, err, sizeof err);
    assert_non_null(w);
    arm(w, p);
    /* three changes 600 ms apart: each extends the quiet interval, one change in all */
    write_file(p, "v2");
    assert_false(mw_watch_due(w, 0, what, sizeof what));
    write_file(p, "v3");
    assert_false(mw_watch_due(w, 600 * MS, what, sizeof what));
    write_file(p, "v4");
    assert_false(mw_watch_due(w, 1200 * MS, what, sizeof what));
    assert_false(mw_watch_due(w, 2199 * MS, what, sizeof what));
    assert_true(mw_watch_due(w, 2200 * MS, what, sizeof what));
    assert_false(mw_watch_due(w, 5000 * MS, what, sizeof what));
    mw_watch_free(w);
}

/* A ConfigMap update as the kubelet makes it: a new timestamped directory, a ..data_tmp link
 * to it renamed over ..data, the old directory deleted. */
static void configmap_update(const fixture *f, const char *stamp, const char *old, const char *text)
{
    char d[128], file[160], link[128], data[128];
    at(d, sizeof d, f, stamp);
    assert_int_equal(mkdir(d, 0755), 0);
    snprintf(file, sizeof file, "%s/meshgate.yaml", d);
    write_file(file, text);
    at(link, sizeof link, f, "..data_tmp");
    at(data, sizeof data, f, "..data");
    assert_int_equal(symlink(stamp, link), 0);
    assert_int_equal(rename(link, data), 0);
    if (old) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s/%s'", f->dir, old);
        assert_int_equal(system(cmd), 0);
    }
}

static void test_configmap_swap(void **state)
{
    fixture *f = *state;
    char p[128], what[256], err[256];
    configmap_update(f, "..2026_01_01_00_00_00.1", NULL, "a: 1\n");
    at(p, sizeof p, f, "meshgate.yaml");
    assert_int_equal(symlink("..data/meshgate.yaml", p), 0);
    mw_watch *w = mw_watch_new(100, err, sizeof err);
    assert_non_null(w);
    arm(w, p);
    configmap_update(f, "..2026_01_01_00_01_00.2", "..2026_01_01_00_00_00.1", "a: 2\n");
    assert_false(mw_watch_due(w, 0, what, sizeof what));
    assert_true(mw_watch_due(w, 100 * MS, what, sizeof what));
    assert_string_equal(what, "..data");
    arm(w, p); /* after the reload: the new directory */
    configmap_update(f, "..2026_01_01_00_02_00.3", "..2026_01_01_00_01_00.2", "a: 3\n");
    assert_false(mw_watch_due(w, 1000 * MS, what, sizeof what));
    assert_true(mw_watch_due(w, 1100 * MS, what, sizeof what));
    arm(w, p);
    /* an edit through the link, in the current directory */
    char in_dir[160];
    snprintf(in_dir, sizeof in_dir, "%s/..2026_01_01_00_02_00.3/meshgate.yaml", f->dir);
    write_file(in_dir, "a: 4\n");
    assert_false(mw_watch_due(w, 2000 * MS, what, sizeof what));
    assert_true(mw_watch_due(w, 2100 * MS, what, sizeof what));
    assert_false(mw_watch_due(w, 5000 * MS, what, sizeof what));
    mw_watch_free(w);
}

static void test_unwatchable(void **state)
{
    fixture *f = *state;
    char p[160], err[512] = "";
    snprintf(p, sizeof p, "%s/no/such/dir/meshgate.yaml", f->dir);
    mw_watch *w = mw_watch_new(100, err, sizeof err);
    assert_non_null(w);
    const char *paths[1] = {p};
    assert_false(mw_watch_arm(w, paths, 1, err, sizeof err));
    if (!strstr(err, "reload.watch: cannot watch ") || !strstr(err, "/no/such/dir"))
        fail_msg("%s", err);
    mw_watch_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rename_and_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_configmap_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwatchable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
