/* Unit tests of the screener (screen.h): one record's whole path, with and
 * without the profile cache, with and without party rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "redflag/feedconf.h"
#include "redflag/reader.h"
#include "redflag/rules.h"
#include "redflag/screen.h"
#include "redflag/update.h"
#include "redflag/writer.h"

/* A fresh temporary data directory (the test's state). */
static int setup(void **state)
{
    char *dir = strdup("/tmp/rf-screen-test.XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

/* Remove the data directory. */
static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc == 0 ? 0 : -1;
}

/* Write one result as a JSON line into buf (without its "cached" field). */
static void result_line(const rf_result *res, char *buf, size_t cap)
{
    FILE *fp = fmemopen(buf, cap, "w");
    rf_writer *w = NULL;
    assert_int_equal(rf_writer_create(&w, fp, RF_OUT_JSONL, 0), RF_OK);
    assert_int_equal(rf_writer_write(w, res), RF_OK);
    rf_writer_finish(w);
    rf_writer_destroy(w);
    fclose(fp);
    char *c = strstr(buf, ",\"cached\"");
    assert_non_null(c);
    *c = '\0';
}

/* The path of a file of the source tree. */
static const char *src_path(const char *rel, char *buf, size_t cap)
{
    const char *src = getenv("RF_SRCDIR");
    snprintf(buf, cap, "%s/%s", src ? src : ".", rel);
    return buf;
}

/* Screen every record of the JSON Lines file path into lines[] through a
 * screener of e, as `screen` does; counts the records answered wholly from the
 * cache. */
static size_t screen_file(const char *path, rf_engine *e, char lines[][8192], size_t max,
                          size_t *ncached)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    rf_reader *rd = NULL;
    rf_record *rec = NULL;
    rf_result *res = NULL;
    rf_screener *s = NULL;
    assert_int_equal(rf_screener_create(&s, e), RF_OK);
    assert_int_equal(rf_reader_open(&rd, fp, path, RF_FMT_JSONL, NULL), RF_OK);
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    size_t n = 0;
    *ncached = 0;
    while (n < max && rf_reader_next(rd, rec) == RF_OK) {
        rf_result_reset(res);
        assert_int_equal(rf_screener_screen(s, rec, res), RF_OK);
        assert_null(rf_screener_warning(s));
        *ncached += res->cached;
        result_line(res, lines[n++], sizeof lines[0]);
    }
    rf_screener_destroy(s);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_reader_destroy(rd);
    fclose(fp);
    return n;
}

/* An engine over the index in dir: rules rs (may be NULL), the cache on or off. */
static rf_engine *engine(const char *dir, rf_index *ix, const rf_ruleset *rs, bool cache)
{
    rf_engine_opts o;
    rf_engine_opts_init(&o);
    o.rules = rs;
    o.index = ix;
    o.data_dir = dir;
    o.cache = cache;
    rf_engine *e = NULL;
    assert_int_equal(rf_engine_create(&e, &o), RF_OK);
    size_t nn;
    rf_engine_notes(e, &nn);
    assert_int_equal(nn, 0);
    assert_true(cache == (rf_engine_cache(e) != NULL));
    return e;
}

/* Index the bundled snapshots into dir and open the index. */
static void open_lists(const char *dir, rf_feedconf **conf, rf_index **ix)
{
    char path[1024];
    rf_diag d;
    assert_int_equal(rf_feedconf_load(conf, src_path("feeds/feeds.conf", path, sizeof path), &d),
                     RF_OK);
    rf_update_opts uo;
    rf_update_opts_init(&uo);
    uo.offline = true;
    assert_int_equal(rf_update(*conf, dir, &uo, NULL, NULL), RF_OK);
    assert_int_equal(rf_index_open(ix, dir), RF_OK);
}

/* Verdicts through a warm cache are the verdicts without it, line for line. */
static void test_screen_same_verdicts(void **state)
{
    const char *dir = *state;
    char path[1024];
    src_path("examples/orders.jsonl", path, sizeof path);
    rf_feedconf *conf = NULL;
    rf_index *ix = NULL;
    open_lists(dir, &conf, &ix);
    static char plain[64][8192], cold[64][8192], warm[64][8192];
    rf_engine *e0 = engine(dir, ix, NULL, false), *e1 = engine(dir, ix, NULL, true);
    size_t nc, n0 = screen_file(path, e0, plain, 64, &nc);
    assert_int_equal(nc, 0);
    size_t n1 = screen_file(path, e1, cold, 64, &nc);
    size_t n2 = screen_file(path, e1, warm, 64, &nc);
    assert_true(n0 > 10);
    assert_int_equal(n1, n0);
    assert_int_equal(n2, n0);
    assert_int_equal(nc, n0); /* every record of the examples names a party */
    for (size_t i = 0; i < n0; i++) {
        assert_string_equal(cold[i], plain[i]);
        assert_string_equal(warm[i], plain[i]);
    }
    size_t matched = 0;
    for (size_t i = 0; i < n0; i++)
        matched += strstr(plain[i], "\"matches\":[{") != NULL;
    assert_true(matched >= 1); /* the examples do match the lists (Hoshine, UFLPA) */
    rf_engine_destroy(e1);
    rf_engine_destroy(e0);
    rf_index_close(ix);
    rf_feedconf_destroy(conf);
}

/* Rules over a party's name, country and identifiers only are party rules:
 * their flags are part of the party's profile. A supplier rule, a
 * manufacturer rule, a condition on the supplier's country and a record rule;
 * records where the rule's party is absent (run directly) or has more
 * identifiers than a query holds (run directly, never cached). */
static const char PARTY_RULES[] =
    "set gulf = { \"AE\", \"QA\" }\n"
    "rule labour_supplier { title \"Supplier name says it supplies labour\" indicator "
    "labour_agency_subcontracting severity low weight 15 sources \"test\" fields supplier.name "
    "match $a = /\\b(staffing|guarding|facility services|manpower)\\b/i }\n"
    "rule pv_maker { title \"Photovoltaic or silicon maker\" indicator high_risk_origin "
    "severity medium weight 30 sources \"test\" guideline \"g\" fields manufacturer.name "
    "match $a = /photovoltaic|silicon/i }\n"
    "rule gulf_supplier { title \"Gulf supplier\" indicator recruitment_fees_charged "
    "severity low weight 10 sources \"test\" when supplier.country in gulf }\n"
    "rule maker_country { title \"Maker in the Gulf\" indicator recruitment_fees_charged "
    "severity low weight 10 sources \"test\" when manufacturer.country in gulf }\n"
    "rule odd_id { title \"Odd identifier\" indicator supply_chain_opaque severity low weight 10 "
    "sources \"test\" fields supplier.ids.other match $a = /a9:bad/ }\n"
    "rule fee_text { title \"Fee\" indicator recruitment_fees_charged severity high weight 45 "
    "sources \"test\" match $a = /recruitment fee/i }\n";

static const char PARTY_EXTRA[] =
    "{\"id\": \"X-1\", \"supplier\": {\"name\": \"Dunmore Manpower Services\", \"country\": "
    "\"QA\", \"ids\": {\"a1\": \"1\", \"a2\": \"2\", \"a3\": \"3\", \"a4\": \"4\", "
    "\"a5\": \"5\", \"a6\": \"6\", \"a7\": \"7\", \"a8\": \"8\", \"a9\": \"9\"}}}\n"
    "{\"id\": \"X-2\", \"manufacturer\": {\"country\": \"AE\"}, \"text\": \"A recruitment fee "
    "was paid.\"}\n"
    "{\"id\": \"X-3\", \"supplier\": {\"name\": \"Dunmore Manpower Services\", \"country\": "
    "\"QA\"}, \"manufacturer\": {\"name\": \"Dunmore Manpower Services\", \"country\": "
    "\"QA\"}}\n"
    "{\"id\": \"X-4\", \"supplier\": {\"name\": \"Dunmore Manpower Services\", \"country\": "
    "\"QA\", \"ids\": {\"a1\": \"1\", \"a2\": \"2\", \"a3\": \"3\", \"a4\": \"4\", "
    "\"a5\": \"5\", \"a6\": \"6\", \"a7\": \"7\", \"a8\": \"8\", \"a9\": \"bad\"}}}\n"
    "{\"id\": \"X-5\", \"supplier\": {\"name\": \"Dunmore Manpower Services\", \"country\": "
    "\"QA\", \"ids\": {\"a1\": \"1\", \"a2\": \"2\", \"a3\": \"3\", \"a4\": \"4\", "
    "\"a5\": \"5\", \"a6\": \"6\", \"a7\": \"7\", \"a8\": \"8\"}}}\n";

/* Party rules through the cache: same lines as without it, and on the expected records. */
static void test_party_rules(void **state)
{
    const char *dir = *state;
    char rules[1024], input[1024], path[1024];
    snprintf(rules, sizeof rules, "%s/party.rules", dir);
    snprintf(input, sizeof input, "%s/orders.jsonl", dir);
    FILE *fp = fopen(rules, "w");
    assert_non_null(fp);
    fputs(PARTY_RULES, fp);
    fclose(fp);
    fp = fopen(input, "w");
    FILE *ex = fopen(src_path("examples/orders.jsonl", path, sizeof path), "r");
    assert_non_null(fp);
    assert_non_null(ex);
    int ch;
    while ((ch = fgetc(ex)) != EOF)
        fputc(ch, fp);
    fclose(ex);
    fputs(PARTY_EXTRA, fp);
    fclose(fp);
    rf_ruleset *rs = NULL;
    rf_diag d;
    const char *paths[] = {rules};
    if (rf_ruleset_compile(&rs, paths, 1, &d) != RF_OK)
        fail_msg("%s:%d:%d: %s", d.file, d.line, d.col, d.msg);
    assert_int_equal(rf_ruleset_scope_count(rs, RF_SCOPE_SUPPLIER), 3);
    assert_int_equal(rf_ruleset_scope_count(rs, RF_SCOPE_MANUFACTURER), 2);
    assert_int_equal(rf_ruleset_scope_count(rs, RF_SCOPE_RECORD), 1);
    rf_feedconf *conf = NULL;
    rf_index *ix = NULL;
    open_lists(dir, &conf, &ix);
    static char plain[64][8192], cold[64][8192], warm[64][8192];
    rf_engine *e0 = engine(dir, ix, rs, false), *e1 = engine(dir, ix, rs, true);
    size_t nc, n0 = screen_file(input, e0, plain, 64, &nc);
    size_t n1 = screen_file(input, e1, cold, 64, &nc);
    size_t n2 = screen_file(input, e1, warm, 64, &nc);
    assert_int_equal(n0, 19);
    assert_int_equal(n1, n0);
    assert_int_equal(n2, n0);
    assert_int_equal(nc, 16); /* all but X-1, X-4 (too many identifiers) and X-2 (no party) */
    for (size_t i = 0; i < n0; i++) {
        assert_string_equal(cold[i], plain[i]);
        assert_string_equal(warm[i], plain[i]);
    }
    /* the flags are where the rules say, wherever they came from */
    assert_non_null(strstr(plain[1], "\"rule\":\"labour_supplier\""));  /* Facility Services */
    assert_non_null(strstr(plain[2], "\"rule\":\"gulf_supplier\""));    /* Mireval, AE */
    assert_non_null(strstr(plain[6], "\"rule\":\"pv_maker\""));         /* Xiyang Photovoltaic */
    assert_non_null(strstr(plain[13], "\"rule\":\"pv_maker\""));        /* Hoshine Silicon */
    assert_null(strstr(plain[0], "\"rule\":\"labour_supplier\""));
    assert_non_null(strstr(plain[14], "\"rule\":\"labour_supplier\""));
    assert_non_null(strstr(plain[15], "\"rule\":\"maker_country\""));
    assert_non_null(strstr(plain[15], "\"rule\":\"fee_text\""));
    assert_non_null(strstr(plain[16], "\"rule\":\"maker_country\""));
    assert_non_null(strstr(plain[16], "\"rule\":\"gulf_supplier\""));
    /* X-4's query (8 identifiers) is X-1's: only its ninth says odd_id */
    assert_null(strstr(plain[14], "\"rule\":\"odd_id\""));
    assert_non_null(strstr(plain[17], "\"rule\":\"odd_id\""));
    /* X-5's query is X-1's too, but X-5 holds all of it: the profile X-1 left
     * (without party rule flags) must not answer it */
    assert_non_null(strstr(plain[18], "\"rule\":\"labour_supplier\""));
    rf_engine_destroy(e1);
    rf_engine_destroy(e0);
    rf_index_close(ix);
    rf_feedconf_destroy(conf);
    rf_ruleset_destroy(rs);
}

/* A listed manufacturer on a critical list gives a critical listed_entity
 * flag and a match naming the party, list, entity and score; the result
 * carries the record's id and supplier. */
static void test_screen_record(void **state)
{
    const char *dir = *state;
    rf_feedconf *conf = NULL;
    rf_index *ix = NULL;
    open_lists(dir, &conf, &ix);
    rf_list_policy pol[] = {{"us_uflpa", "DHS UFLPA Entity List", true, 100}};
    rf_engine_opts o;
    rf_engine_opts_init(&o);
    o.index = ix;
    o.policies = pol;
    o.npolicies = 1;
    o.cache = false;
    rf_engine *e = NULL;
    rf_screener *s = NULL;
    assert_int_equal(rf_engine_create(&e, &o), RF_OK);
    assert_int_equal(rf_screener_create(&s, e), RF_OK);
    const char *json = "{\"id\": \"r\", \"supplier\": {\"name\": \"Norvale Trading BV\", "
                       "\"country\": \"NL\"}, \"manufacturer\": {\"name\": \"Hoshine Silicon "
                       "Industry (Shanshan) Co Ltd\", \"country\": \"CN\"}}";
    rf_record *rec;
    rf_result *res;
    char err[128];
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_screener_screen(s, rec, res), RF_OK);
    assert_string_equal(res->id, "r");
    assert_string_equal(res->supplier, "Norvale Trading BV");
    /* Hoshine is on the UFLPA Entity List (critical) and on the BIS Entity List in the CSL */
    assert_int_equal(res->nmatches, 2);
    size_t mu = strcmp(res->matches[0].list, "us_uflpa") == 0 ? 0 : 1;
    assert_string_equal(res->matches[mu].party, "manufacturer");
    assert_string_equal(res->matches[mu].list, "us_uflpa");
    assert_true(res->matches[mu].critical);
    assert_string_equal(res->matches[1 - mu].list, "us_csl");
    assert_false(res->matches[1 - mu].critical);
    assert_int_equal(res->nflags, 2);
    size_t fu = res->flags[0].severity == RF_LEVEL_CRITICAL ? 0 : 1;
    assert_string_equal(res->flags[fu].indicator, "listed_entity");
    assert_string_equal(res->flags[fu].field, "manufacturer.name");
    assert_int_equal(res->flags[fu].severity, RF_LEVEL_CRITICAL);
    assert_int_equal(res->level, RF_LEVEL_CRITICAL);
    assert_non_null(strstr(res->flags[fu].source, "UFLPA"));
    const rf_match_hit *hits;
    size_t n;
    const char *cn[] = {"CN"};
    rf_name_party q = {"Hoshine Silicon Industry (Shanshan) Co Ltd", RF_NAME_COMPANY, cn, 1,
                       NULL, 0, 0};
    assert_int_equal(rf_screener_lookup(s, &q, 5, 0.5, &hits, &n), RF_OK);
    bool uflpa_hit = false;
    for (size_t i = 0; i < n; i++)
        uflpa_hit = uflpa_hit || strcmp(hits[i].list, "us_uflpa") == 0;
    assert_true(uflpa_hit);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_screener_destroy(s);
    rf_engine_destroy(e);
    rf_index_close(ix);
    rf_feedconf_destroy(conf);
}

/* Without lists the engine runs the rules alone; a lookup says there are none. */
static void test_rules_only(void **state)
{
    (void)state;
    rf_ruleset *rs = NULL;
    rf_diag d;
    const char *rules = "rule fee { title \"Fee\" indicator recruitment_fees_charged severity "
                        "high weight 45 sources \"test\" match $a = /recruitment fee/i }\n";
    char path[] = "/tmp/rf-screen-rules.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
    close(fd);
    const char *paths[] = {path};
    assert_int_equal(rf_ruleset_compile(&rs, paths, 1, &d), RF_OK);
    unlink(path);
    rf_engine_opts o;
    rf_engine_opts_init(&o);
    o.rules = rs;
    o.lists = false;
    rf_engine *e = NULL;
    rf_screener *s = NULL;
    assert_int_equal(rf_engine_create(&e, &o), RF_OK);
    assert_null(rf_engine_index(e));
    assert_int_equal(rf_screener_create(&s, e), RF_OK);
    rf_record *rec;
    rf_result *res;
    char err[128];
    const char *json = "{\"id\": \"t\", \"text\": \"A recruitment fee was paid.\"}";
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_screener_screen(s, rec, res), RF_OK);
    assert_int_equal(res->nflags, 1);
    assert_int_equal(res->level, RF_LEVEL_MEDIUM);
    assert_false(res->cached);
    const rf_match_hit *hits;
    size_t n;
    rf_name_party q = {"Acme", RF_NAME_COMPANY, NULL, 0, NULL, 0, 0};
    assert_int_equal(rf_screener_lookup(s, &q, 5, 0.5, &hits, &n), RF_ENOTFOUND);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_screener_destroy(s);
    rf_engine_destroy(e);
    rf_ruleset_destroy(rs);
}

/* Run the tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_screen_same_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_party_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_record, setup, teardown),
        cmocka_unit_test(test_rules_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
