/* Unit tests of list matching: retrieval and scoring against an index built
 * from real list files (the DHS UFLPA page, the OFAC consolidated list), the
 * explanation, the identifier override, the thin-evidence rule, and the
 * listed_entity flags screen gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "redflag/match.h"
#include "redflag/reader.h"
#include "redflag/update.h"

typedef struct fx {
    char dir[256];
    rf_index *ix;
    rf_matcher *m;
} fx;

/* Build an index in a temporary data directory from two real feeds. */
static int setup(void **state)
{
    static fx f;
    const char *top = getenv("RF_SRCDIR");
    char conf[512], snap[600], cmd[1400];
    strcpy(f.dir, "/tmp/rf_match_XXXXXX");
    if (!mkdtemp(f.dir))
        return -1;
    char abs[512];
    if (!realpath(top ? top : ".", abs))
        return -1;
    snprintf(snap, sizeof snap, "%s/tests/fixtures/feeds", abs);
    snprintf(cmd, sizeof cmd, "mkdir -p %s/conf && ln -s %s %s/conf/snapshots", f.dir, snap, f.dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(conf, sizeof conf, "%s/conf/feeds.conf", f.dir);
    FILE *fp = fopen(conf, "w");
    fprintf(fp, "[us_uflpa]\nurl = https://example.invalid/u\nformat = uflpa_html\ncritical = yes\n"
                "snapshot = uflpa_entity_list_trimmed_a.html, uflpa_entity_list_trimmed_b.html\n"
                "[us_ofac_consolidated]\nurl = https://example.invalid/c\nformat = ofac_xml\n"
                "weight = 50\nsnapshot = consolidated.xml\n");
    fclose(fp);
    rf_feedconf *c;
    rf_diag d;
    rf_update_opts o;
    rf_update_opts_init(&o);
    o.offline = true;
    if (rf_feedconf_load(&c, conf, &d) != RF_OK) {
        print_error("%s:%d: %s\n", d.file, d.line, d.msg);
        return -1;
    }
    if (rf_update(c, f.dir, &o, NULL, NULL) != RF_OK || rf_index_open(&f.ix, f.dir) != RF_OK) {
        print_error("index: %s %s\n", rf_update_error(), rf_index_error());
        return -1;
    }
    rf_list_policy pol[] = {{"us_uflpa", "DHS UFLPA Entity List", true, 100},
                            {"us_ofac_consolidated", "OFAC consolidated", false, 50}};
    rf_feedconf_destroy(c);
    *state = &f;
    return rf_matcher_create(&f.m, f.ix, pol, 2, RF_NAME_THRESHOLD);
}

/* Remove the temporary data directory. */
static int teardown(void **state)
{
    fx *f = *state;
    if (!f)
        return 0;
    char cmd[300];
    rf_matcher_destroy(f->m);
    rf_index_close(f->ix);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The best hit for a company name (with an optional country), or NULL. */
static const rf_match_hit *best(fx *f, const char *name, const char *country)
{
    const char *cs[1] = {country};
    rf_name_party q = {name, RF_NAME_COMPANY, cs, country ? 1 : 0, NULL, 0, 0};
    const rf_match_hit *hits;
    size_t n;
    assert_int_equal(rf_matcher_lookup(f->m, &q, 3, 0.0, &hits, &n), RF_OK);
    return n ? &hits[0] : NULL;
}

typedef struct find_case {
    const char *query;
    const char *entity;   /* the list id expected first */
    const char *matched;  /* the listed name or alias that matched */
} find_case;

/* Listed names are found however they are written: typos, word order, legal
 * forms, aliases and former names, spacing and &nbsp;. */
static void test_finds(void **state)
{
    fx *f = *state;
    static const find_case cases[] = {
        {"BANK OF KUNLUN CO LTD", "15268", "BANK OF KUNLUN CO LTD"},
        {"Bank of Kunlum", "15268", NULL},
        {"Kunlun Bank Company Limited", "15268", NULL},
        {"Hoshine Silicon Industry Shanshan", "uflpa-hoshine-silicon-industry-shanshan-co-ltd",
         NULL},
        {"Hesheng Silicon Industry (Shanshan) Co.", "uflpa-hoshine-silicon-industry-shanshan-co-ltd",
         "Hesheng Silicon Industry (Shanshan) Co."},
        {"Xinjiang GCL New Energy Material Technology Co Ltd",
         "uflpa-xinjiang-goens-energy-technology-co-ltd", NULL},
        {"XinjiangGoens Energy Technology", "uflpa-xinjiang-goens-energy-technology-co-ltd", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rf_match_hit *h = best(f, cases[i].query, NULL);
        if (!h || strcmp(h->entity, cases[i].entity) != 0 || h->score < RF_NAME_THRESHOLD)
            fail_msg("case %zu '%s': got %s %.2f", i, cases[i].query, h ? h->entity : "nothing",
                     h ? h->score : 0.0);
        if (cases[i].matched)
            assert_string_equal(h->matched, cases[i].matched);
        assert_true(h->ex.norm_a[0] && h->ex.norm_b[0] && h->ex.rule);
    }
}

/* Near misses stay below the threshold: a different distinctive word, a
 * generic-only name, a one short word without corroboration. */
static void test_near_misses(void **state)
{
    fx *f = *state;
    const char *misses[] = {"Bank of Kunming", "Shihezi Xinren Paper Technology Co Ltd",
                            "International Trading Company Limited", "Silicon Industry Co Ltd"};
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
        const rf_match_hit *h = best(f, misses[i], NULL);
        if (h && h->outcome != RF_OUTCOME_NONE)
            fail_msg("'%s' matched %s (%s) at %.2f", misses[i], h->entity, h->matched, h->score);
    }
}

/* An identical identifier decides whatever the name; a shared country
 * corroborates a thin one-word name. */
static void test_identifier_and_thin(void **state)
{
    fx *f = *state;
    rf_name_ident id = {"SWIFT/BIC", "CKLB CNBJ"};
    rf_name_party q = {"Completely Different Trading Co", RF_NAME_COMPANY, NULL, 0, &id, 1, 0};
    const rf_match_hit *hits;
    size_t n;
    assert_int_equal(rf_matcher_lookup(f->m, &q, 1, 0.0, &hits, &n), RF_OK);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].entity, "15268");
    assert_true(hits[0].score >= 0.999);
    assert_string_equal(hits[0].ex.rule, "identifier");
}

/* screen: a listed manufacturer on a critical list gives a critical listed_entity
 * flag and a match naming the party, list, entity and score. */
static void test_screen_record(void **state)
{
    fx *f = *state;
    const char *json = "{\"id\": \"r\", \"supplier\": {\"name\": \"Norvale Trading BV\", "
                       "\"country\": \"NL\"}, \"manufacturer\": {\"name\": \"Hoshine Silicon "
                       "Industry (Shanshan) Co Ltd\", \"country\": \"CN\"}}";
    rf_record *rec;
    rf_result *res;
    char err[128];
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_matcher_screen(f->m, rec, res), RF_OK);
    rf_result_score(res);
    assert_int_equal(res->nmatches, 1);
    assert_string_equal(res->matches[0].party, "manufacturer");
    assert_string_equal(res->matches[0].list, "us_uflpa");
    assert_true(res->matches[0].critical);
    assert_int_equal(res->nflags, 1);
    assert_string_equal(res->flags[0].indicator, "listed_entity");
    assert_string_equal(res->flags[0].field, "manufacturer.name");
    assert_int_equal(res->flags[0].severity, RF_LEVEL_CRITICAL);
    assert_int_equal(res->level, RF_LEVEL_CRITICAL);
    assert_non_null(strstr(res->flags[0].source, "UFLPA"));
    rf_result_destroy(res);
    rf_record_destroy(rec);
}

/* Run the matching tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds), cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_identifier_and_thin), cmocka_unit_test(test_screen_record),
    };
    return cmocka_run_group_tests_name("match", tests, setup, teardown);
}
