/* Unit tests for the data directory's StrictModes check (datadir.h). */
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
#include "redflag/datadir.h"

/* Make path (mode) or fail the test. */
static void make_dir(const char *path, mode_t mode)
{
    assert_int_equal(mkdir(path, mode), 0);
    assert_int_equal(chmod(path, mode), 0); /* whatever the umask */
}

/* A private DATA passes; absent parts and an absent DATA pass too. */
static void test_private_ok(void **state)
{
    (void)state;
    char top[] = "/tmp/rf_datadir_XXXXXX", p[600], why[1024];
    assert_non_null(mkdtemp(top));
    snprintf(p, sizeof p, "%s/absent", top);
    assert_int_equal(rf_data_dir_check(p, why, sizeof why), RF_OK);
    snprintf(p, sizeof p, "%s/cache", top);
    make_dir(p, 0700);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_OK);
    /* group- or world-writable DATA: refused, naming the path and the fix */
    assert_int_equal(chmod(top, 0777), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_EIO);
    char want[600];
    snprintf(want, sizeof want, "%s is writable by every user (mode 0777): run `chmod 700 %s`", top,
             top);
    assert_non_null(strstr(why, want));
    assert_int_equal(chmod(top, 0770), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_EIO);
    assert_non_null(strstr(why, "writable by its group (mode 0770)"));
    assert_int_equal(chmod(top, 0700), 0);
    /* a file in the cache writable by others */
    snprintf(p, sizeof p, "%s/cache/data.mdb", top);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(chmod(p, 0666), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_EIO);
    assert_non_null(strstr(why, "data.mdb is writable by every user (mode 0666): run `chmod 600"));
    assert_int_equal(chmod(p, 0600), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_OK);
    unlink(p);
    snprintf(p, sizeof p, "%s/cache", top);
    rmdir(p);
    rmdir(top);
}

/* A symlinked cache is refused, not followed; the index link must stay inside DATA. */
static void test_links(void **state)
{
    (void)state;
    char top[] = "/tmp/rf_datadir_XXXXXX", p[600], q[600], why[1024];
    assert_non_null(mkdtemp(top));
    snprintf(p, sizeof p, "%s/cache", top);
    assert_int_equal(symlink("/tmp", p), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_EIO);
    assert_non_null(strstr(why, "/cache is a symbolic link, which redflag does not follow"));
    unlink(p);
    snprintf(p, sizeof p, "%s/index.0123456789abcdef", top);
    make_dir(p, 0755);
    snprintf(q, sizeof q, "%s/index", top);
    assert_int_equal(symlink("index.0123456789abcdef", q), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_OK);
    assert_int_equal(chmod(p, 0775), 0); /* the generation the link names */
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_EIO);
    assert_non_null(strstr(why, "index.0123456789abcdef is writable by its group"));
    assert_int_equal(chmod(p, 0755), 0);
    unlink(q);
    assert_int_equal(symlink("/tmp/elsewhere/index.x", q), 0);
    assert_int_equal(rf_data_dir_check(top, why, sizeof why), RF_EIO);
    assert_non_null(strstr(why, "index points outside the data directory"));
    unlink(q);
    rmdir(p);
    rmdir(top);
}

/* Run the data directory tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_ok),
        cmocka_unit_test(test_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
