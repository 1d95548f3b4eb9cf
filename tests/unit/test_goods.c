/* Tests for the goods x origin table (rules/goods.tsv) on the real DOL List of
 * Goods (tests/fixtures/goods), with real pairs and near misses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "redflag/goods.h"
#include "redflag/reader.h"

typedef struct fx {
    rf_goods_table *t;
    rf_goods_scanner *s;
    rf_record *rec;
    rf_result *res;
    double load_ms;
} fx;

/* Path under the source tree ($RF_SRCDIR when set). */
static const char *src_path(const char *rel)
{
    static char buf[8][1024];
    static int k;
    const char *root = getenv("RF_SRCDIR");
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s%s%s", root ? root : "", root ? "/" : "", rel);
    return buf[k];
}

/* Milliseconds on the monotonic clock. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Load the shipped table and the real DOL listings once for the group. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    rf_diag d;
    double t0 = now_ms();
    if (!f || rf_goods_table_load(&f->t, src_path("rules/goods.tsv"), &d) != RF_OK) {
        fprintf(stderr, "goods table: %s:%d:%d: %s\n", d.file, d.line, d.col, d.msg);
        return -1;
    }
    f->load_ms = now_ms() - t0;
    rf_feed_src src = {.path = src_path("tests/fixtures/goods/dol_ilab_goods_2021.xml")};
    size_t unknown = 0;
    if (rf_goods_table_add_dol(f->t, &src, &unknown, NULL) != RF_OK || unknown ||
        rf_goods_table_set_edition(f->t, "2021") != RF_OK ||
        rf_goods_scanner_create(&f->s, f->t) != RF_OK || rf_record_create(&f->rec) != RF_OK ||
        rf_result_create(&f->res) != RF_OK)
        return -1;
    *state = f;
    return 0;
}

/* Free the group fixture. */
static int teardown(void **state)
{
    fx *f = *state;
    rf_goods_scanner_destroy(f->s);
    rf_goods_table_destroy(f->t);
    rf_record_destroy(f->rec);
    rf_result_destroy(f->res);
    free(f);
    return 0;
}

/* Set a text field when s is non-NULL. */
static void put(rf_record *r, rf_field fld, const char *s)
{
    if (s)
        assert_int_equal(rf_record_add(r, fld, s, strlen(s)), RF_OK);
}

/* Screen one item: description, HS, CPV, origin, manufacturer and supplier country. */
static const rf_result *screen(fx *f, const char *desc, const char *hs, const char *cpv,
                               const char *origin, const char *mfr, const char *supplier)
{
    rf_record_reset(f->rec);
    rf_result_reset(f->res);
    put(f->rec, RF_F_ITEM_DESCRIPTION, desc);
    put(f->rec, RF_F_ITEM_HS, hs);
    put(f->rec, RF_F_ITEM_CPV, cpv);
    put(f->rec, RF_F_ITEM_ORIGIN, origin);
    put(f->rec, RF_F_MANUFACTURER_COUNTRY, mfr);
    put(f->rec, RF_F_SUPPLIER_COUNTRY, supplier);
    assert_int_equal(rf_goods_table_scan(f->t, f->s, f->rec, f->res), RF_OK);
    return f->res;
}

/* The flag with this rule id, or NULL. */
static const rf_flag *flag(const rf_result *res, const char *rule)
{
    for (size_t i = 0; i < res->nflags; i++)
        if (strcmp(res->flags[i].rule, rule) == 0)
            return &res->flags[i];
    return NULL;
}


/* True when evidence starts with prefix. */
static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

typedef struct dol_names {
    fx *f;
    char names[256][96];
    size_t n, rows, missing;
} dol_names;

/* Collect the DOL good names and check each has a row in the table. */
static int collect(const rf_goods *g, void *ud)
{
    dol_names *d = ud;
    d->rows++;
    if (rf_goods_table_find(d->f->t, g->good) < 0) {
        fprintf(stderr, "DOL good without a row: %s\n", g->good);
        d->missing++;
    }
    if (d->n && strcmp(d->names[d->n - 1], g->good) == 0)
        return 0;
    if (d->n < 256)
        snprintf(d->names[d->n++], sizeof d->names[0], "%s", g->good);
    return 0;
}

/* Every DOL good has a row, every row is a DOL good, every listing was taken. */
static void test_covers_the_list(void **state)
{
    fx *f = *state;
    static dol_names d;
    d.f = f;
    rf_feed_src src = {.path = src_path("tests/fixtures/goods/dol_ilab_goods_2021.xml")};
    assert_int_equal(rf_feed_parse_dol_goods(&src, collect, &d, NULL), RF_OK);
    assert_int_equal(d.n, 169);
    assert_int_equal(d.missing, 0);
    assert_int_equal(rf_goods_table_count(f->t), 169);
    assert_int_equal(rf_goods_table_listings(f->t), d.rows);
    for (size_t i = 0; i < rf_goods_table_count(f->t); i++) {
        const rf_goods_info *g = rf_goods_table_good(f->t, i);
        bool listed = false;
        for (size_t k = 0; k < d.n && !listed; k++)
            listed = strcmp(d.names[k], g->name) == 0;
        if (!listed)
            fprintf(stderr, "row for a good not in the DOL list: %s\n", g->name);
        assert_true(listed);
        assert_true(g->nlistings > 0);
        assert_true(g->nmatch > 0);
    }
}

typedef struct first_country {
    const char *good;
    char cc[3];
} first_country;

/* Remember the first country a good is listed for. */
static int first_cc(const rf_goods *g, void *ud)
{
    first_country *fc = ud;
    if (!fc->cc[0] && g->country && strcmp(g->good, fc->good) == 0)
        memcpy(fc->cc, g->country, 3);
    return 0;
}

/* Each good's own DOL name, from a country it is listed for, raises its flag. */
static void test_every_good_matches_its_name(void **state)
{
    fx *f = *state;
    rf_feed_src src = {.path = src_path("tests/fixtures/goods/dol_ilab_goods_2021.xml")};
    size_t failed = 0;
    for (size_t i = 0; i < rf_goods_table_count(f->t); i++) {
        const rf_goods_info *g = rf_goods_table_good(f->t, i);
        first_country fc = {.good = g->name};
        assert_int_equal(rf_feed_parse_dol_goods(&src, first_cc, &fc, NULL), RF_OK);
        assert_true(fc.cc[0]);
        const rf_result *res = screen(f, g->name, NULL, NULL, fc.cc, NULL, NULL);
        if (!flag(res, g->rule)) {
            fprintf(stderr, "'%s' from %s does not match its own row\n", g->name, fc.cc);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* Read a code list (one code a line) into a sorted array. */
static char **read_codes(const char *rel, size_t *n)
{
    FILE *fp = fopen(src_path(rel), "r");
    assert_non_null(fp);
    char line[64];
    size_t cap = 16384;
    char **v = malloc(cap * sizeof *v);
    *n = 0;
    while (fgets(line, sizeof line, fp) && *n < cap) {
        line[strcspn(line, "\r\n")] = '\0';
        v[(*n)++] = strdup(line);
    }
    fclose(fp);
    return v;
}

/* Whether code is in the list. */
static bool has(char **v, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], code) == 0)
            return true;
    return false;
}

/* Check a list of table codes against a code list; count the strays. */
static size_t check_codes(const rf_goods_info *g, const char *const *c, size_t nc, char **v,
                          size_t n, bool cpv, bool want)
{
    size_t bad = 0;
    for (size_t i = 0; i < nc; i++) {
        char code[16];
        snprintf(code, sizeof code, cpv ? "%s00000000" : "%s", c[i]);
        code[cpv ? 8 : 15] = '\0';
        if (has(v, n, code) != want) {
            fprintf(stderr, "%s: %s code %s %s\n", g->name, cpv ? "CPV" : "HS", code,
                    want ? "is not in the list" : "is still in HS 2022 (use hs_weak)");
            bad++;
        }
    }
    return bad;
}

/* Every HS and CPV prefix in the table exists in the real code lists. */
static void test_codes_exist(void **state)
{
    fx *f = *state;
    size_t nhs, ncpv, bad = 0, total = 0;
    char **hs = read_codes("tests/fixtures/goods/hs2022_codes.txt", &nhs);
    char **cpv = read_codes("tests/fixtures/goods/cpv2008_codes.txt", &ncpv);
    assert_int_equal(nhs, 6940);
    assert_int_equal(ncpv, 9458);
    for (size_t i = 0; i < rf_goods_table_count(f->t); i++) {
        const rf_goods_info *g = rf_goods_table_good(f->t, i);
        bad += check_codes(g, g->hs, g->nhs, hs, nhs, false, true);
        bad += check_codes(g, g->hs_weak, g->nhs_weak, hs, nhs, false, true);
        bad += check_codes(g, g->hs_old, g->nhs_old, hs, nhs, false, false);
        bad += check_codes(g, g->cpv, g->ncpv, cpv, ncpv, true, true);
        bad += check_codes(g, g->cpv_weak, g->ncpv_weak, cpv, ncpv, true, true);
        total += g->nhs + g->nhs_weak + g->nhs_old + g->ncpv + g->ncpv_weak;
    }
    assert_int_equal(bad, 0);
    assert_true(total > 300);
    for (size_t i = 0; i < nhs; i++)
        free(hs[i]);
    for (size_t i = 0; i < ncpv; i++)
        free(cpv[i]);
    free(hs);
    free(cpv);
}

/* Nitrile gloves from Malaysia: Rubber Gloves, forced labour, in full. */
static void test_nitrile_gloves_malaysia(void **state)
{
    fx *f = *state;
    const rf_result *res =
        screen(f, "Nitrile examination gloves, powder-free, size M", NULL, NULL, "MY", NULL, NULL);
    const rf_flag *fl = flag(res, "goods.rubber_gloves");
    assert_non_null(fl);
    assert_string_equal(fl->indicator, "high_risk_origin");
    assert_int_equal(fl->severity, RF_LEVEL_HIGH);
    assert_int_equal(fl->weight, RF_GOODS_W_FORCED);
    assert_string_equal(fl->field, "item.description");
    assert_true(starts(fl->evidence,
                       "Rubber Gloves from Malaysia: forced labour (US DOL List of Goods 2021)"));
    assert_non_null(strstr(fl->evidence, "Nitrile examination gloves"));
    assert_string_equal(fl->source, "US DOL List of Goods Produced by Child Labor or Forced "
                                    "Labor (Rubber Gloves, Malaysia: forced labour)");
    assert_string_equal(fl->guideline, "OSCE-MG-2018:procurement");
    assert_int_equal(res->nflags, 1); /* Gloves is listed for China only */
    res = screen(f, "latex surgical gloves", NULL, NULL, "MY", NULL, NULL);
    assert_non_null(flag(res, "goods.rubber_gloves"));
    res = screen(f, "disposable gloves, box of 100", NULL, NULL, "MY", NULL, NULL);
    assert_non_null(flag(res, "goods.rubber_gloves"));
}

/* The same gloves from an unlisted country, and other gloves from Malaysia. */
static void test_gloves_near_misses(void **state)
{
    fx *f = *state;
    assert_int_equal(screen(f, "nitrile examination gloves", NULL, NULL, "DE", NULL, NULL)->nflags,
                     0);
    assert_int_equal(screen(f, "leather gloves", NULL, NULL, "MY", NULL, NULL)->nflags, 0);
    assert_int_equal(screen(f, "leather gloves, rubber grip", NULL, NULL, "MY", NULL, NULL)->nflags,
                     0);
    assert_int_equal(screen(f, "vinyl examination gloves", NULL, NULL, "MY", NULL, NULL)->nflags,
                     0);
    assert_int_equal(
        screen(f, "nitrile-coated knitted work gloves", NULL, NULL, "MY", NULL, NULL)->nflags, 0);
    /* China lists plain Gloves: leather gloves from China are a Gloves hit */
    const rf_result *res = screen(f, "leather gloves", NULL, NULL, "CN", NULL, NULL);
    assert_non_null(flag(res, "goods.gloves"));
    assert_null(flag(res, "goods.rubber_gloves"));
}

/* HS 401519 with an empty description; HS and CPV deciding over the description. */
static void test_codes_decide(void **state)
{
    fx *f = *state;
    const rf_result *res = screen(f, NULL, "4015.19", NULL, "MY", NULL, NULL);
    const rf_flag *fl = flag(res, "goods.rubber_gloves");
    assert_non_null(fl);
    assert_string_equal(fl->field, "item.hs");
    assert_non_null(strstr(fl->evidence, "item.hs: \"4015.19\""));
    /* a specific HS code for knitted gloves says these are not rubber gloves */
    res = screen(f, "nitrile gloves", "611610", NULL, "MY", NULL, NULL);
    assert_null(flag(res, "goods.rubber_gloves"));
    /* a code too short to tell hands over to the description */
    res = screen(f, "nitrile gloves", "4015", NULL, "MY", NULL, NULL);
    assert_string_equal(flag(res, "goods.rubber_gloves")->field, "item.description");
    /* CPV surgical gloves, no description */
    res = screen(f, NULL, NULL, "33141420-0", "MY", NULL, NULL);
    assert_string_equal(flag(res, "goods.rubber_gloves")->field, "item.cpv");
    /* a broad CPV (medical consumables) does not veto the description */
    res = screen(f, "nitrile examination gloves", NULL, "33140000", "MY", NULL, NULL);
    assert_non_null(flag(res, "goods.rubber_gloves"));
    /* a CPV of a different kind of product does */
    res = screen(f, "nitrile examination gloves", NULL, "45000000", "MY", NULL, NULL);
    assert_null(flag(res, "goods.rubber_gloves"));
    /* HS wins over CPV */
    res = screen(f, NULL, "401519", "45000000", "MY", NULL, NULL);
    assert_non_null(flag(res, "goods.rubber_gloves"));
}

/* Cotton T-shirts from China are Garments (forced labour), not Cotton. */
static void test_cotton_tshirts_china(void **state)
{
    fx *f = *state;
    const rf_result *res = screen(f, "100% cotton T-shirts, white", NULL, NULL, "CN", NULL, NULL);
    const rf_flag *fl = flag(res, "goods.garments");
    assert_non_null(fl);
    assert_int_equal(fl->severity, RF_LEVEL_HIGH);
    assert_true(starts(fl->evidence, "Garments from China: forced labour"));
    assert_null(flag(res, "goods.cotton"));
    /* raw cotton from China is Cotton: child, forced and forced child labour */
    res = screen(f, "raw cotton, ginned, 200 bales", NULL, NULL, "CN", NULL, NULL);
    fl = flag(res, "goods.cotton");
    assert_non_null(fl);
    assert_int_equal(fl->weight, RF_GOODS_W_FORCED_CHILD);
    assert_true(starts(fl->evidence,
                       "Cotton from China: child labour, forced labour, forced child labour"));
    /* HS 5201 decides Cotton without a description */
    assert_non_null(flag(screen(f, NULL, "520100", NULL, "CN", NULL, NULL), "goods.cotton"));
}

/* Cotton swabs from India are no Cotton hit; fishing rods are no Fish; gold-plated parts no Gold. */
static void test_similar_words(void **state)
{
    fx *f = *state;
    const rf_result *res = screen(f, "cotton swabs, sterile", NULL, NULL, "IN", NULL, NULL);
    assert_null(flag(res, "goods.cotton"));
    assert_null(flag(screen(f, "absorbent cotton wool rolls", NULL, NULL, "IN", NULL, NULL),
                     "goods.cotton"));
    assert_int_equal(screen(f, "carbon fishing rods", NULL, NULL, "TH", NULL, NULL)->nflags, 0);
    assert_int_equal(screen(f, "gold-plated connectors", NULL, NULL, "PE", NULL, NULL)->nflags, 0);
    assert_non_null(flag(screen(f, "gold bars 999.9", NULL, NULL, "PE", NULL, NULL), "goods.gold"));
    assert_null(flag(screen(f, "Apple iPhone 14", NULL, NULL, "CO", NULL, NULL),
                     "goods.fruit_pome_and_stone"));
    assert_null(flag(screen(f, "orange hi-vis vests", NULL, NULL, "BZ", NULL, NULL),
                     "goods.citrus_fruits"));
    assert_null(flag(screen(f, "steel nail clippers", NULL, NULL, "CN", NULL, NULL), "goods.nails"));
    assert_non_null(flag(screen(f, "galvanised steel nails 75 mm", NULL, NULL, "CN", NULL, NULL),
                         "goods.nails"));
    assert_null(flag(screen(f, "Lithium batteries CR2032", NULL, NULL, "CN", NULL, NULL),
                     "goods.lithium_ion_batteries"));
    assert_null(flag(screen(f, "mobile phone contracts", NULL, NULL, "CN", NULL, NULL),
                     "goods.electronics"));
    assert_null(flag(screen(f, "patient monitors", NULL, NULL, "CN", NULL, NULL),
                     "goods.electronics"));
    assert_null(flag(screen(f, "zinc oxide cream", NULL, NULL, "PK", NULL, NULL),
                     "goods.dairy_products"));
    assert_null(flag(screen(f, "cherry tomatoes", NULL, NULL, "CO", NULL, NULL),
                     "goods.fruit_pome_and_stone"));
    /* "Turkey" the country is not poultry */
    assert_null(flag(screen(f, "chairs made in Turkey", NULL, NULL, "BR", NULL, NULL),
                     "goods.poultry"));
}

/* Shrimp from Thailand; PV modules from China (derived from polysilicon). */
static void test_shrimp_and_solar(void **state)
{
    fx *f = *state;
    const rf_result *res = screen(f, "frozen vannamei shrimp, peeled", NULL, NULL, "TH", NULL, NULL);
    const rf_flag *fl = flag(res, "goods.shrimp");
    assert_non_null(fl);
    assert_int_equal(fl->weight, RF_GOODS_W_FORCED_CHILD);
    assert_non_null(flag(screen(f, NULL, "030617", NULL, "TH", NULL, NULL), "goods.shrimp"));
    res = screen(f, "550 W monocrystalline PV modules", NULL, NULL, "CN", NULL, NULL);
    fl = flag(res, "goods.solar_modules");
    assert_non_null(fl);
    assert_int_equal(fl->severity, RF_LEVEL_HIGH);
    assert_int_equal(fl->weight, RF_GOODS_W_DERIVED_FORCED);
    assert_true(starts(fl->evidence, "Solar Modules from China: made with an input listed for "
                                     "forced labour (Polysilicon from China)"));
    assert_null(flag(res, "goods.polysilicon"));
    assert_non_null(flag(screen(f, "photovoltaic panels", NULL, NULL, "CN", NULL, NULL),
                         "goods.solar_modules"));
    assert_non_null(flag(screen(f, "solar panels 400W", NULL, NULL, "CN", NULL, NULL),
                         "goods.solar_modules"));
    assert_non_null(flag(screen(f, NULL, "854143", NULL, "CN", NULL, NULL), "goods.solar_modules"));
    assert_non_null(flag(screen(f, NULL, NULL, "09331200", "CN", NULL, NULL),
                         "goods.solar_modules"));
    /* HS 2017 854140 also held LEDs: the description must confirm */
    assert_non_null(flag(screen(f, "solar panels", "854140", NULL, "CN", NULL, NULL),
                         "goods.solar_modules"));
    assert_null(flag(screen(f, "LED indicator lamps", "854140", NULL, "CN", NULL, NULL),
                     "goods.solar_modules"));
    assert_null(flag(screen(f, "solar water heaters", NULL, NULL, "CN", NULL, NULL),
                     "goods.solar_modules"));
}

/* Lithium-ion batteries from China: derived from DR Congo cobalt (child labour). */
static void test_derived_child_labour(void **state)
{
    fx *f = *state;
    const rf_result *res = screen(f, "lithium-ion battery packs 48V", NULL, NULL, "CN", NULL, NULL);
    const rf_flag *fl = flag(res, "goods.lithium_ion_batteries");
    assert_non_null(fl);
    assert_int_equal(fl->severity, RF_LEVEL_MEDIUM);
    assert_int_equal(fl->weight, RF_GOODS_W_DERIVED_CHILD);
    assert_non_null(strstr(fl->evidence, "Cobalt ore (heterogenite) from Congo"));
}

/* Cocoa beans from Côte d'Ivoire, the country written as a name in JSON input. */
static void test_cocoa_country_name(void **state)
{
    fx *f = *state;
    static const char json[] =
        "{\"id\":\"PO-1\",\"item\":{\"description\":\"cocoa beans, fermented and dried\","
        "\"origin\":\"Côte d'Ivoire\"}}";
    char err[256];
    assert_int_equal(rf_record_from_json(json, strlen(json), f->rec, err, sizeof err), RF_OK);
    rf_result_reset(f->res);
    assert_int_equal(rf_goods_table_scan(f->t, f->s, f->rec, f->res), RF_OK);
    const rf_flag *fl = flag(f->res, "goods.cocoa");
    assert_non_null(fl);
    assert_int_equal(fl->severity, RF_LEVEL_HIGH);
    assert_true(starts(fl->evidence, "Cocoa from Côte d'Ivoire: child labour, forced labour"));
    /* chocolate is made with cocoa but is not cocoa */
    assert_null(flag(screen(f, "milk chocolate bars", NULL, NULL, "CI", NULL, NULL), "goods.cocoa"));
}

/* Origin: item.origin, else manufacturer.country, never the supplier's country. */
static void test_origin_rules(void **state)
{
    fx *f = *state;
    assert_int_equal(screen(f, "nitrile gloves", NULL, NULL, NULL, NULL, NULL)->nflags, 0);
    assert_int_equal(screen(f, "nitrile gloves", NULL, NULL, NULL, NULL, "MY")->nflags, 0);
    assert_non_null(flag(screen(f, "nitrile gloves", NULL, NULL, NULL, "MY", "DE"),
                         "goods.rubber_gloves"));
    /* item.origin wins over the manufacturer's country */
    assert_int_equal(screen(f, "nitrile gloves", NULL, NULL, "DE", "MY", NULL)->nflags, 0);
    /* a country name in a programmatic record is mapped too */
    assert_non_null(flag(screen(f, "nitrile gloves", NULL, NULL, "Malaysia", NULL, NULL),
                         "goods.rubber_gloves"));
}

/* Child labour only is medium; scoring makes forced labour alone "high". */
static void test_severity_and_score(void **state)
{
    fx *f = *state;
    const rf_result *res = screen(f, "Bricks, red clay, 10,000 pcs", NULL, NULL, "VN", NULL, NULL);
    const rf_flag *fl = flag(res, "goods.bricks");
    assert_non_null(fl);
    assert_int_equal(fl->severity, RF_LEVEL_MEDIUM);
    assert_int_equal(fl->weight, RF_GOODS_W_CHILD);
    rf_result_score(f->res);
    assert_int_equal(f->res->level, RF_LEVEL_MEDIUM);
    screen(f, "nitrile examination gloves", NULL, NULL, "MY", NULL, NULL);
    rf_result_score(f->res);
    assert_int_equal(f->res->level, RF_LEVEL_HIGH);
}

/* Table errors name file:line:col and the cause. */
static void test_table_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; int line; } cases[] = {
        {"# c\nGood\tmatch\n", "three TAB-separated", 2},
        {"Good\tmatch\tx\nGood\tcolour\tred\n", "unknown key 'colour'", 2},
        {"Good\tmatch\t(unclosed\n", "invalid pattern", 1},
        {"Good\tmatch\tx\nGood\ths\t40151\n", "bad HS code '40151'", 2},
        {"Good\tmatch\tx\nGood\tcpv\t3314\n", "bad CPV code", 2},
        {"Good\ths\t4015\n", "has no 'match' line", 1},
        {"Good\tmatch\tx\nGood\tinput\tOther\n", "input 'Other'", 2},
        {"A b\tmatch\tx\nA-b\tmatch\ty\n", "same slug 'a_b'", 2},
        {"# only comments\n", "no goods", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_goods_table *t = NULL;
        rf_diag d;
        int rc = rf_goods_table_load_mem(&t, "x.tsv", cases[i].text, strlen(cases[i].text), &d);
        assert_int_equal(rc, RF_ESYNTAX);
        assert_null(t);
        assert_string_equal(d.file, "x.tsv");
        assert_int_equal(d.line, cases[i].line);
        if (!strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].msg);
    }
    rf_goods_table *t = NULL;
    rf_diag d;
    assert_int_equal(rf_goods_table_load(&t, "/nonexistent/goods.tsv", &d), RF_EIO);
    assert_string_equal(d.file, "/nonexistent/goods.tsv");
}

/* Listings for goods the table lacks, or unmapped countries, are refused. */
static void test_add_listing_refusals(void **state)
{
    fx *f = *state;
    rf_goods unknown = {.good = "Moon Rocks", .country = "CN", .country_name = "China",
                        .flags = RF_GOODS_FORCED_LABOR};
    assert_int_equal(rf_goods_table_add_listing(f->t, &unknown), RF_ENOTFOUND);
    rf_goods nocc = {.good = "Cotton", .country_name = "Atlantis", .flags = RF_GOODS_CHILD_LABOR};
    assert_int_equal(rf_goods_table_add_listing(f->t, &nocc), RF_ENOTFOUND);
    /* case and accents do not matter in the good's name */
    assert_true(rf_goods_table_find(f->t, "ACAI BERRIES") >= 0);
    assert_true(rf_goods_table_find(f->t, "Açaí Berries") >= 0);
}

/* A pathological description cannot hang the scan. */
static void test_bounded(void **state)
{
    fx *f = *state;
    size_t n = 200000;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "nitrile gloves "[i % 15];
    big[n] = '\0';
    double t0 = now_ms();
    screen(f, big, NULL, NULL, "CN", NULL, NULL);
    assert_true(now_ms() - t0 < 5000);
    free(big);
}

/* Cold-start and per-record cost, reported (the screener's budget is 50 ms in all). */
static void test_timing(void **state)
{
    fx *f = *state;
    static const char *const items[][2] = {
        {"nitrile examination gloves", "MY"}, {"100% cotton T-shirts", "CN"},
        {"office chairs, ergonomic", "DE"},   {"frozen shrimp", "TH"},
        {"laptops 14 inch", "CN"},            {"cocoa beans", "CI"},
        {"printer paper A4", "IN"},           {"steel nails", "CN"}};
    int n = 20000;
    double t0 = now_ms();
    for (int i = 0; i < n; i++)
        screen(f, items[i % 8][0], NULL, NULL, items[i % 8][1], NULL, NULL);
    double per = (now_ms() - t0) * 1e3 / n;
    printf("goods table: load+compile %.2f ms (%zu goods, %zu listings); scan %.2f us/record\n",
           f->load_ms, rf_goods_table_count(f->t), rf_goods_table_listings(f->t), per);
    assert_true(f->load_ms < 1000);
    assert_int_equal(rf_goods_scanner_limit_hits(f->s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_covers_the_list),
        cmocka_unit_test(test_every_good_matches_its_name),
        cmocka_unit_test(test_codes_exist),
        cmocka_unit_test(test_nitrile_gloves_malaysia),
        cmocka_unit_test(test_gloves_near_misses),
        cmocka_unit_test(test_codes_decide),
        cmocka_unit_test(test_cotton_tshirts_china),
        cmocka_unit_test(test_similar_words),
        cmocka_unit_test(test_shrimp_and_solar),
        cmocka_unit_test(test_derived_child_labour),
        cmocka_unit_test(test_cocoa_country_name),
        cmocka_unit_test(test_origin_rules),
        cmocka_unit_test(test_severity_and_score),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_add_listing_refusals),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
