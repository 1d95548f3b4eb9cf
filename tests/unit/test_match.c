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
    char conf[512], snap[600], cmd[3000];
    strcpy(f.dir, "/tmp/rf_match_XXXXXX");
    if (!mkdtemp(f.dir))
        return -1;
    char abs[512];
    if (!realpath(top ? top : ".", abs))
        return -1;
    snprintf(snap, sizeof snap, "%s/tests/fixtures/feeds", abs);
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/conf/snapshots && ln -s %s/* %s/conf/snapshots/ && "
             "ln -s %s/feeds/snapshots/ofac_sdn_csv %s/conf/snapshots/sdn_full",
             f.dir, snap, f.dir, abs, f.dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(conf, sizeof conf, "%s/conf/feeds.conf", f.dir);
    FILE *fp = fopen(conf, "w");
    fprintf(fp, "[us_uflpa]\nurl = https://example.invalid/u\nformat = uflpa_html\ncritical = yes\n"
                "snapshot = uflpa_entity_list_trimmed_a.html, uflpa_entity_list_trimmed_b.html\n"
                "[us_ofac_consolidated]\nurl = https://example.invalid/c\nformat = ofac_xml\n"
                "weight = 50\nsnapshot = consolidated.xml\n"
                "[us_ofac_sdn]\nurl = https://example.invalid/s\nformat = ofac_xml\nweight = 60\n"
                "snapshot = sdn_full/sdn.csv, sdn_full/alt.csv, sdn_full/add.csv\n"
                "snapshot_format = ofac_csv\n");
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
                            {"us_ofac_consolidated", "OFAC consolidated", false, 50},
                            {"us_ofac_sdn", "OFAC SDN", false, 60}};
    rf_feedconf_destroy(c);
    *state = &f;
    return rf_matcher_create(&f.m, f.ix, pol, 3, RF_NAME_THRESHOLD);
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
    /* a lookup that shows hits under the threshold calls none of them a match or possible */
    rf_name_party q = {"Xinjiang Goens Solar", RF_NAME_COMPANY, NULL, 0, NULL, 0, 0};
    const rf_match_hit *hits;
    size_t n;
    assert_int_equal(rf_matcher_lookup(f->m, &q, 3, 0.0, &hits, &n), RF_OK);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(hits[i].score < RF_NAME_THRESHOLD);
        assert_int_equal(hits[i].outcome, RF_OUTCOME_NONE);
        assert_false(hits[i].ex.match);
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

/* A record screened as the CLI does it: its parties, each party's matches,
 * reported into res and scored. */
static void screen_json(fx *f, const char *json, rf_result *res)
{
    rf_record *rec;
    char err[128];
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    rf_record_party parties[RF_RECORD_PARTIES];
    size_t np = rf_record_parties(rec, parties, RF_RECORD_PARTIES);
    for (size_t i = 0; i < np; i++) {
        const rf_match_hit *hits;
        size_t n;
        assert_int_equal(rf_matcher_party(f->m, &parties[i].p, &hits, &n), RF_OK);
        assert_int_equal(rf_matcher_report(f->m, res, &parties[i], hits, n), RF_OK);
    }
    rf_result_score(res);
    rf_record_destroy(rec);
}

/* The level a supplier record gets, with its first match's outcome and kind
 * copied to outcome/kind ("" when none). */
static rf_level supplier_level(fx *f, const char *supplier, char *outcome, char *kind)
{
    char json[600];
    snprintf(json, sizeof json, "{\"id\": \"r\", \"supplier\": %s}", supplier);
    rf_result *res;
    assert_int_equal(rf_result_create(&res), RF_OK);
    screen_json(f, json, res);
    rf_level lv = res->level;
    snprintf(outcome, 16, "%s", res->nmatches ? res->matches[0].outcome : "");
    snprintf(kind, 16, "%s", res->nmatches && res->matches[0].kind ? res->matches[0].kind : "");
    if (res->nmatches && strcmp(outcome, "possible") == 0)
        assert_non_null(strstr(res->matches[0].why, "ask for")); /* says what would clear it */
    rf_result_destroy(res);
    return lv;
}

/* Exact listed names screened with no country are never clean: a short or
 * generic listed name is a possible match (medium, with what to ask for); a
 * full distinctive name is a match on its own. */
static void test_listed_names_never_clean(void **state)
{
    fx *f = *state;
    char o[16], k[16];
    /* names of the issue that screened clean; the first four are short or
     * common enough to need confirming */
    const char *listed[] = {"CEC LIMITED", "IBRAHIM, Haji", "HAMAS", "INDUSTRIAL SOLUTIONS",
                            "GHALI, Iyad ag", "PAO, Yu Yi", "SWISS MANAGEMENT SERVICES SARL"};
    for (size_t i = 0; i < sizeof listed / sizeof *listed; i++) {
        char js[200];
        snprintf(js, sizeof js, "{\"name\": \"%s\"}", listed[i]);
        rf_level lv = supplier_level(f, js, o, k);
        if (lv < RF_LEVEL_MEDIUM || (i < 4 && strcmp(o, "possible") != 0))
            fail_msg("'%s': level %s, outcome '%s'", listed[i], rf_level_name(lv), o);
    }
    assert_int_equal(supplier_level(f, "{\"name\": \"IBRAHIM, Haji\"}", o, k), RF_LEVEL_MEDIUM);
    assert_string_equal(k, "person");
    assert_true(supplier_level(f, "{\"name\": \"LOGAN MOREY, Elvis Angus\"}", o, k) >=
                RF_LEVEL_HIGH);
    assert_string_equal(o, "match");
    /* the UFLPA entry carries CN: a Chinese supplier of that name is critical */
    assert_int_equal(supplier_level(f, "{\"name\": \"Hoshine Silicon Industry (Shanshan) "
                                       "Co., Ltd\", \"country\": \"CN\"}", o, k),
                     RF_LEVEL_CRITICAL);
    assert_string_equal(o, "match");
    assert_string_equal(k, "organisation");
}

/* An ordinary company never matches a vessel or an aircraft by name; the
 * identifier the list gives the vessel (its call sign) still matches it. */
static void test_kinds(void **state)
{
    fx *f = *state;
    char o[16], k[16];
    const char *firms[] = {"{\"name\": \"Hermann Ltd\", \"country\": \"GB\"}",
                           "{\"name\": \"Hermann\"}", "{\"name\": \"Artavil GmbH\"}",
                           "{\"name\": \"Iris Makran Trading LLC\", \"country\": \"AE\"}"};
    for (size_t i = 0; i < sizeof firms / sizeof *firms; i++)
        if (supplier_level(f, firms[i], o, k) != RF_LEVEL_NONE)
            fail_msg("%s matched a %s (%s)", firms[i], k, o);
    /* said to be a vessel, the same name is the vessel */
    assert_true(supplier_level(f, "{\"name\": \"Hermann\", \"kind\": \"vessel\"}", o, k) >=
                RF_LEVEL_MEDIUM);
    assert_string_equal(k, "vessel");
    /* said to be a person, a company's exact name does not match the company */
    assert_int_equal(supplier_level(f, "{\"name\": \"WHITE SEAL HOLDINGS LIMITED\", "
                                       "\"kind\": \"person\", \"country\": \"CY\"}", o, k),
                     RF_LEVEL_NONE);
    assert_int_equal(supplier_level(f, "{\"name\": \"Artavil Shipping Ltd\", \"ids\": "
                                       "{\"other\": \"Call Sign:T2EU4\"}}", o, k),
                     RF_LEVEL_HIGH);
    assert_string_equal(k, "vessel");
    assert_string_equal(o, "match");
}

/* A thin name (one short word beside others) is a match only with a shared
 * country: WHITE SEAL HOLDINGS LIMITED is listed in Cyprus (the SDN list of
 * July 2021; ECHO DELTA HOLDINGS LTD, used before, was delisted by then). */
static void test_thin_name_and_country(void **state)
{
    fx *f = *state;
    char o[16], k[16];
    assert_int_equal(supplier_level(f, "{\"name\": \"Seal Ltd\", \"country\": \"CY\"}", o, k),
                     RF_LEVEL_HIGH);
    assert_string_equal(o, "match");
    assert_int_equal(supplier_level(f, "{\"name\": \"Seal Ltd\"}", o, k), RF_LEVEL_NONE);
    assert_int_equal(supplier_level(f, "{\"name\": \"Seal Ltd\", \"country\": \"FR\"}", o, k),
                     RF_LEVEL_NONE);
}

/* A contradiction lowers a match to a possible one, never to nothing: the
 * exact listed name with a different LEI (a strong scheme) scores exactly the
 * threshold (0.8 x 1.0) and stays a possible match; a disjoint country too. */
static void test_contradiction_lowers(void **state)
{
    fx *f = *state;
    rf_name_ident mine = {"lei", "529900T8BM49AURSDO55"}, listed = {"LEI", "5493001KJTIIGC8Y1R12"};
    rf_name_party a = {"Hoshine Silicon Industry (Shanshan) Co., Ltd", RF_NAME_COMPANY, NULL, 0,
                       &mine, 1, 0};
    rf_name_party b = {"Hoshine Silicon Industry (Shanshan) Co., Ltd", RF_NAME_COMPANY, NULL, 0,
                       &listed, 1, 0};
    rf_name_explain ex;
    double s = rf_name_match_party(&a, &b, &ex);
    assert_true(s == 0.8 && s >= RF_NAME_THRESHOLD);
    assert_true(ex.match);
    char o[16], k[16];
    assert_int_equal(supplier_level(f, "{\"name\": \"Hoshine Silicon Industry (Shanshan) Co Ltd\", "
                                       "\"country\": \"DE\"}", o, k),
                     RF_LEVEL_MEDIUM);
    assert_string_equal(o, "possible");
    /* contradicted and short of the whole name: nothing (without the country, possible) */
    assert_int_equal(supplier_level(f, "{\"name\": \"Hoshine Silicon Industry Co Ltd\", "
                                       "\"country\": \"DE\"}", o, k),
                     RF_LEVEL_NONE);
    assert_int_equal(supplier_level(f, "{\"name\": \"Hoshine Silicon Industry Co Ltd\"}", o, k),
                     RF_LEVEL_MEDIUM);
}

/* Placeholder identifiers ("-", "--", "n/a" has letters) never decide: not a
 * match of the identifier, not a conflict. */
static void test_placeholder_ids(void **state)
{
    (void)state;
    rf_name_ident x = {"lei", "-"}, y = {"LEI", "--"}, z = {"lei", " / "};
    assert_false(rf_name_ident_same(&x, &y));
    assert_false(rf_name_ident_same(&x, &z));
    rf_name_party a = {"Kelvane Gloves Sdn Bhd", RF_NAME_COMPANY, NULL, 0, &x, 1, 0};
    rf_name_party b = {"Norvale Trading BV", RF_NAME_COMPANY, NULL, 0, &y, 1, 0};
    rf_name_explain ex;
    assert_true(rf_name_match_party(&a, &b, &ex) < 0.5);
    assert_string_not_equal(ex.rule, "identifier");
    b.name = a.name; /* same name, placeholder ids: the name decides, undiminished */
    assert_true(rf_name_match_party(&a, &b, &ex) >= 0.99);
}

/* Run the matching tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds), cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_identifier_and_thin),
        cmocka_unit_test(test_listed_names_never_clean), cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_thin_name_and_country), cmocka_unit_test(test_contradiction_lowers),
        cmocka_unit_test(test_placeholder_ids),
    };
    return cmocka_run_group_tests_name("match", tests, setup, teardown);
}
