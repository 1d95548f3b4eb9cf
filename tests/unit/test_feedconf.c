/* Unit tests of feeds.conf reading: the shipped file, and errors with their line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "redflag/feedconf.h"

/* The shipped feeds.conf has the default feeds with their official URLs and flags. */
static void test_shipped(void **state)
{
    (void)state;
    const char *top = getenv("RF_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/feeds/feeds.conf", top ? top : ".");
    rf_feedconf *c;
    rf_diag d;
    int rc = rf_feedconf_load(&c, path, &d);
    if (rc != RF_OK)
        fail_msg("%s:%d: %s", d.file, d.line, d.msg);
    const char *names[] = {"us_dol_goods", "us_uflpa", "us_ofac_sdn", "us_ofac_consolidated",
                           "un_sc", "us_csl", "us_cbp_forced_labor", "br_slavery"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_non_null(rf_feedconf_find(c, names[i]));
    assert_int_equal(c->nfeeds, 8); /* the buyer's own list is commented out */
    const rf_feed_def *u = rf_feedconf_find(c, "us_uflpa");
    assert_string_equal(u->url, "https://www.dhs.gov/uflpa-entity-list");
    assert_int_equal(u->format, RF_FEED_UFLPA_HTML);
    assert_true(u->critical);
    assert_int_equal(u->nsnapshots, 3); /* two page copies and the Federal Register compilation */
    assert_int_equal(u->cadence_days, 30);
    const rf_feed_def *sdn = rf_feedconf_find(c, "us_ofac_sdn");
    assert_int_equal(sdn->format, RF_FEED_OFAC_XML);
    assert_int_equal(sdn->snapshot_format, RF_FEED_OFAC_CSV);
    assert_false(sdn->critical);
    const rf_feed_def *cbp = rf_feedconf_find(c, "us_cbp_forced_labor");
    assert_true(cbp->critical && cbp->non_commercial);
    assert_int_equal(cbp->nsnapshots, 0);
    assert_non_null(strstr(c->snapshot_dir, "feeds/snapshots"));
    for (size_t i = 0; i < c->nfeeds; i++) { /* every snapshot named is bundled */
        for (size_t k = 0; k < c->feeds[i].nsnapshots; k++) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", c->snapshot_dir, c->feeds[i].snapshots[k]);
            if (access(p, R_OK) != 0)
                fail_msg("feed %s: snapshot %s missing", c->feeds[i].name, p);
        }
        assert_true(strncmp(c->feeds[i].url, "https://", 8) == 0);
    }
    rf_feedconf_destroy(c);
}

typedef struct bad_case {
    const char *text;
    int line;
    const char *msg;
} bad_case;

/* Mistakes are reported with their line and what is wrong. */
static void test_errors(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"[a]\nurl = x\nformat = ofac_xml\ncritcal = yes\n", 4, "unknown key 'critcal'"},
        {"[a]\nurl = x\nformat = pdf\n", 3, "unknown format 'pdf'"},
        {"[a]\nformat = un_xml\n", 1, "feed 'a' has no url"},
        {"url = x\n", 1, "before the first [feed]"},
        {"[a]\nurl = x\nformat = un_xml\n[a]\n", 4, "defined twice"},
        {"[a]\nurl = x\nformat = un_xml\ncritical = maybe\n", 4, "expected yes or no"},
        {"[a]\nurl = x\nformat = un_xml\ncadence = weekly\n", 4, "cadence"},
        {"[a]\nurl = x\nformat = mapped_csv\n", 1, "needs a map"},
        {"[a b]\n", 1, "use letters, digits"},
        {"[a\n", 1, "expected ']'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[] = "/tmp/rf_conf_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, cases[i].text, strlen(cases[i].text)),
                         (ssize_t)strlen(cases[i].text));
        close(fd);
        rf_feedconf *c = NULL;
        rf_diag d;
        int rc = rf_feedconf_load(&c, path, &d);
        unlink(path);
        if (rc != RF_ESYNTAX || !strstr(d.msg, cases[i].msg) || d.line != cases[i].line)
            fail_msg("case %zu: rc %d line %d '%s', wanted line %d '%s'", i, rc, d.line, d.msg,
                     cases[i].line, cases[i].msg);
        assert_null(c);
    }
    rf_feedconf *c = NULL;
    rf_diag d;
    assert_int_equal(rf_feedconf_load(&c, "/nonexistent/feeds.conf", &d), RF_EIO);
    assert_non_null(strstr(d.msg, "cannot open"));
}

/* Run the feeds.conf tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("feedconf", tests, NULL, NULL);
}
