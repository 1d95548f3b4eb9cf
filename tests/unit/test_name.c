/* Tests for the name matcher: normalisation, scoring, keys, parties, speed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "redflag/name.h"

/* Normalise and return the text (static buffer). */
static const char *norm(const char *s, rf_name_kind kind)
{
    static rf_name_norm n;
    assert_int_equal(rf_name_normalize(s, (size_t)-1, kind, &n), RF_OK);
    return n.text;
}

/* Legal forms read the same across languages, scripts and punctuation. */
static void test_legal_forms(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Acme Co., Ltd.", "acme ltd"},
        {"ACME COMPANY LIMITED", "acme ltd"},
        {"Acme Co Ltd", "acme ltd"},
        {"Acme Aktiengesellschaft", "acme ag"},
        {"AcmeAG", "acme ag"},
        {"Acme GmbH", "acme gmbh"},
        {"Acme L.L.C.", "acme llc"},
        {"Acme Limited Liability Company", "acme llc"},
        {"ООО Ромашка", "llc romashka"},
        {"Obshchestvo s ogranichennoy otvetstvennostyu Romashka", "llc romashka"},
        {"Общество с ограниченной ответственностью \"Ромашка\"", "llc romashka"},
        {"Acme S.A.", "acme sa"},
        {"Acme p.l.c.", "acme plc"},
        {"Acme Pte. Ltd.", "acme pteltd"},
        {"Acme Sdn. Bhd.", "acme sdnbhd"},
        {"АО Ромашка", "jsc romashka"},
        {"ОАО Ромашка", "jsc romashka"},
        {"PAO Romashka", "jsc romashka"},
        {"Acme Joint Stock Company", "acme jsc"},
        {"华为技术有限公司", "hua wei ji shu ltd"},
        /* a name is never only its legal form: the words stay the name */
        {"Limited", "limited"},
        {"Co Ltd", "co ltd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(norm(cases[i][0], RF_NAME_COMPANY), cases[i][1]);
}

/* Scripts, accents, width and case fold to the same ASCII. */
static void test_folding(void **state)
{
    (void)state;
    assert_string_equal(norm("Société Générale", RF_NAME_COMPANY), "societe generale");
    assert_string_equal(norm("ＦＵＬＬ Width", RF_NAME_COMPANY), "full width");
    assert_string_equal(norm("Владимир Путин", RF_NAME_PERSON), "vladimir putin");
    assert_string_equal(norm("Αλέξης Τσίπρας", RF_NAME_PERSON), "alexis tsipras");
    assert_string_equal(norm("Procter & Gamble", RF_NAME_COMPANY), "procter gamble");
    assert_string_equal(norm("Mr. John O'Neil", RF_NAME_PERSON), "john oneil");
    rf_name_norm n;
    assert_int_equal(rf_name_normalize("bad \xff utf8", (size_t)-1, RF_NAME_COMPANY, &n),
                     RF_EINVAL);
    assert_int_equal(rf_name_normalize("...", (size_t)-1, RF_NAME_COMPANY, &n), RF_OK);
    assert_int_equal(n.ntok, 0);
}

/* Score of two names of a kind. */
static double cmp(const char *a, const char *b, rf_name_kind kind)
{
    rf_name_explain ex;
    double s = rf_name_compare(a, b, kind, &ex);
    assert_true(s >= 0.0 && s <= 1.0);
    assert_int_equal(ex.match, s >= RF_NAME_THRESHOLD);
    return s;
}

/* Variants of one name match; names differing in one meaningful word do not. */
static void test_compare(void **state)
{
    (void)state;
    static const char *const same[][2] = {
        {"Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES COMPANY LIMITED"},
        {"Siemens AG", "SiemensAG"},
        {"Petroleum Trading Sdn Bhd", "Petrolium Trading Sendirian Berhad"},
        {"Hua Wei Technologies", "Huawei Technologies"},
        {"ООО Газпром нефть", "Gazprom Neft LLC"},
        {"International Business Machines Corp", "Intl Business Machines Corporation"},
        {"Hangzhou Hikvision Digital Technology Co., Ltd.", "Hikvision"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        assert_true(cmp(same[i][0], same[i][1], RF_NAME_COMPANY) >= RF_NAME_THRESHOLD);
    static const char *const differ[][2] = {
        {"China National Petroleum Corporation", "China National Pipeline Corporation"},
        {"Agricultural Bank of China", "Agricultural Bank of Chad"},
        {"Bank of China", "Agricultural Bank of China"},
        {"Trading Company Ltd", "International Trading Co., Limited"},
    };
    for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++)
        assert_true(cmp(differ[i][0], differ[i][1], RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
}

/* Generic words and legal forms alone never make a match: different
 * generic names stay far apart, and the same generic name written the same
 * way (a listed "INDUSTRIAL SOLUTIONS") reaches the threshold and no more,
 * so the matcher can call it a possible match, never a certain one. */
static void test_generic_only(void **state)
{
    (void)state;
    rf_name_explain ex;
    rf_name_compare("International Trading Co., Ltd.", "Trading International Limited",
                    RF_NAME_COMPANY, &ex);
    assert_false(ex.match);
    assert_string_equal(ex.rule, "generic-only");
    rf_name_compare("Global Trading Group Ltd", "Global Trading Limited", RF_NAME_COMPANY, &ex);
    assert_false(ex.match);
    assert_string_equal(ex.rule, "generic-only");
    double s = rf_name_compare("INDUSTRIAL SOLUTIONS", "Industrial Solutions", RF_NAME_COMPANY,
                               &ex);
    assert_string_equal(ex.rule, "generic-same");
    assert_true(s >= RF_NAME_THRESHOLD && s <= 0.85);
}

/* Short words a letter apart are different names, not typos: no edit is
 * allowed under 5 letters ("Lira" / "Lina", "Chad" / "Chan"), while the same
 * edit in a longer word is a typo. Each token pairs with one token only:
 * "Li Li" is not "Li Wei" because "li" matched once. */
static void test_short_words_and_pairing(void **state)
{
    (void)state;
    assert_true(cmp("Lira Garments", "Lina Garments", RF_NAME_COMPANY) < 0.5);
    assert_true(cmp("Agricultural Bank of Chad", "Agricultural Bank of Chan",
                    RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
    assert_true(cmp("Hikvision Digital", "Hikvisoin Digital", RF_NAME_COMPANY) >=
                RF_NAME_THRESHOLD);
    assert_true(cmp("Li Li", "Li Wei", RF_NAME_PERSON) < 0.5);
    assert_true(cmp("Li Wei", "Wei Li", RF_NAME_PERSON) >= RF_NAME_THRESHOLD);
    assert_true(cmp("Kim Kim Trading", "Kim Trading", RF_NAME_COMPANY) < 1.0);
}

/* Numbers are one token however written: digits, English words, ordinals,
 * Roman numerals after the first word (names of the OFAC, UN and CSL lists:
 * "BANK VTB 24", "CETC 13", "5th Shipyard", vessels "HYOK SIN 2", "DIAMOND
 * II"); different numbers stay different. */
static void test_numerals(void **state)
{
    (void)state;
    static const char *const same[][2] = {
        {"BANK VTB 24 PUBLIC JOINT STOCK COMPANY", "BANK VTB TWENTY-FOUR PUBLIC JOINT STOCK COMPANY"},
        {"China Electronics Technology Group Corporation 13th Research Institute",
         "China Electronics Technology Group Corporation THIRTEEN Research Institute"},
        {"5th Shipyard", "fifth Shipyard"},
        {"Second Economic Committee", "2Nd Economic Committee"},
        {"HYOK SIN 2", "HYOK SIN TWO"},
        {"DIAMOND II", "Diamond 2"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (cmp(same[i][0], same[i][1], RF_NAME_COMPANY) < 0.99)
            fail_msg("'%s' / '%s'", same[i][0], same[i][1]);
    assert_true(cmp("GOLD STAR 3", "GOLD STAR 4", RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
    assert_true(cmp("HYOK SIN 2", "HYOK SIN THREE", RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
    rf_name_norm n;
    assert_int_equal(rf_name_normalize("Xi Jinping", (size_t)-1, RF_NAME_PERSON, &n), RF_OK);
    assert_string_equal(n.text, "xi jinping"); /* no Roman numerals in persons' names */
    assert_int_equal(rf_name_normalize("IV Trading", (size_t)-1, RF_NAME_COMPANY, &n), RF_OK);
    assert_string_equal(n.text, "iv trading"); /* nor as a first word */
}

/* Persons' names across romanisation conventions (OFAC, UN and CSL spell
 * one person differently): zh / j, dj / j, y / i, doubled letters; Chinese
 * surnames that differ in a vowel stay different (Zhou is not Zhu). */
static void test_person_transliteration(void **state)
{
    (void)state;
    assert_true(cmp("RYZHKOV, Nikolai Ivanovich", "RYJKOV, Nikolai Ivanovich", RF_NAME_PERSON) >=
                RF_NAME_THRESHOLD);
    assert_true(cmp("AL-SAYYID, 'Ali Sulayman Mas'ud 'Abd", "AL-SAYYID, 'Aly Sulayman Mas'ud 'Abd",
                    RF_NAME_PERSON) >= 0.9);
    assert_true(cmp("Djamel Akkacha", "Jamel Akacha", RF_NAME_PERSON) >= RF_NAME_THRESHOLD);
    assert_true(cmp("Chong Zhou", "Chong Zhu", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
    assert_true(cmp("Li Wei", "Lu Wei", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
}

/* An acronym is a company name's initials or the prefixes of its words, in
 * order, skipping legal forms, generic words and at most one distinctive
 * word (aliases on the OFAC and CSL lists); two words at least give letters. */
static void test_acronyms(void **state)
{
    (void)state;
    static const char *const same[][2] = {
        {"CHINA SOUTH INDUSTRIES GROUP CORPORATION", "CSGC"},
        {"IRAN ALLOY STEEL COMPANY", "IASCO"},
        {"FINANCIERA CIMEX S.A", "FINCIMEX"},
        {"Middle East Automation & Control Services", "MACS"},
        {"NATIONAL IRANIAN COPPER INDUSTRIES COMPANY", "NICICO"},
        {"AERO EXPRESS INTERCONTINENTAL S.A. DE C.V.", "AEISA"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (cmp(same[i][0], same[i][1], RF_NAME_COMPANY) < RF_NAME_THRESHOLD)
            fail_msg("'%s' / '%s'", same[i][0], same[i][1]);
    assert_true(cmp("Daniel A. Malloy", "DANIEL", RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
    assert_true(cmp("PJSC Gazprom Neft", "Gazprom", RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
    assert_true(cmp("Hermann Logistics Trading", "HLTX", RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
    assert_true(cmp("Iran Alloy Steel Company", "SAIC", RF_NAME_COMPANY) < RF_NAME_THRESHOLD);
}

/* A typo in a rare 4-letter word is still a typo when no letter is replaced
 * (a letter added, dropped, or two swapped, the first letter kept): "YITU
 * LIMITED" (CSL) / "YITTU LIMITED"; a replaced letter or a changed first
 * letter makes another name: "Lira" / "Lina", "FOZ, Amer" / "FOZ, Samer". */
static void test_short_typos(void **state)
{
    (void)state;
    assert_true(cmp("YITU LIMITED", "YITTU LIMITED", RF_NAME_COMPANY) >= RF_NAME_THRESHOLD);
    assert_true(cmp("Yasser Ahmad Obeid", "Yasser Ahmad Obed", RF_NAME_PERSON) >=
                RF_NAME_THRESHOLD);
    assert_true(cmp("Lira Garments", "Lina Garments", RF_NAME_COMPANY) < 0.5);
    assert_true(cmp("FOZ, Amer", "FOZ, Samer", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
}

/* Persons: order, initials, patronymics, particles, transliteration. */
static void test_persons(void **state)
{
    (void)state;
    static const char *const same[][2] = {
        {"HUSSEIN, Saddam", "Saddam Hussein"},
        {"J. Smith", "John Smith"},
        {"Vladimir Vladimirovich Putin", "Vladimir Putin"},
        {"Mohammed bin Salman", "Muhammad ibn Salman"},
        {"Osama bin Laden", "Usama Bin Ladin"},
        {"Лавров Сергей Викторович", "LAVROV, Sergei Viktorovich"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        assert_true(cmp(same[i][0], same[i][1], RF_NAME_PERSON) >= RF_NAME_THRESHOLD);
    assert_true(cmp("John Smith", "Peter Smith", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
    /* an initial stands for a name with that letter only */
    assert_true(cmp("J. Smith", "K. Smith", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
    assert_true(cmp("J. Smith", "Karl Smith", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
    assert_true(cmp("Kim Jong Un", "Kim Jong Il", RF_NAME_PERSON) < RF_NAME_THRESHOLD);
}

/* The explanation names the shared and the unmatched tokens, as JSON. */
static void test_explain(void **state)
{
    (void)state;
    rf_name_explain ex;
    rf_name_compare("China National Petroleum Corporation", "China National Pipeline Corp.",
                    RF_NAME_COMPANY, &ex);
    assert_string_equal(ex.shared, "china national");
    assert_string_equal(ex.only_a, "petroleum");
    assert_string_equal(ex.only_b, "pipeline");
    assert_string_equal(ex.legal_a, "corp");
    assert_true(ex.penalty > 0);
    char buf[2048];
    size_t n = rf_name_explain_json(&ex, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    assert_non_null(strstr(buf, "\"shared\":[\"china\",\"national\"]"));
    assert_non_null(strstr(buf, "\"match\":false"));
    char small[16];
    assert_int_equal(rf_name_explain_json(&ex, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* Identifiers override the name; a conflicting country lowers it. */
static void test_party(void **state)
{
    (void)state;
    rf_name_ident lei_a = {"LEI", "5493 0012 3456 7890 AB12"}, lei_b = {"lei", "549300123456789OAB12"};
    rf_name_ident lei_c = {"lei", "549300123456789OAB12"}, lei_d = {"lei", "XXXX00123456789OAB12"};
    const char *cn[] = {"CN"}, *my[] = {"MY"};
    rf_name_party a = {"Acme Gloves Sdn Bhd", RF_NAME_COMPANY, my, 1, &lei_a, 1, 0};
    rf_name_party b = {"Totally Other Name", RF_NAME_COMPANY, my, 1, &lei_b, 1, 0};
    rf_name_explain ex;
    /* same LEI apart from spacing and O/0? No: the values differ, so no override */
    double s = rf_name_match_party(&a, &b, &ex);
    assert_true(s < RF_NAME_THRESHOLD);
    a.ids = &lei_c;
    s = rf_name_match_party(&a, &b, &ex);
    assert_true(s == 1.0);
    assert_string_equal(ex.rule, "identifier");
    rf_name_party c = {"Acme Gloves Sdn. Bhd.", RF_NAME_COMPANY, cn, 1, NULL, 0, 0};
    rf_name_party d = {"Acme Gloves Sdn. Bhd.", RF_NAME_COMPANY, cn, 1, NULL, 0, 0};
    double same_country = rf_name_match_party(&c, &d, NULL);
    d.countries = my;
    double other_country = rf_name_match_party(&c, &d, &ex);
    assert_true(other_country < same_country);
    assert_true(ex.party_adj < 0);
    c.ids = &lei_c, c.nids = 1, d.ids = &lei_d, d.nids = 1, d.countries = cn;
    assert_true(rf_name_match_party(&c, &d, NULL) < same_country);
}

/* A key collector. */
typedef struct keys {
    char k[RF_NAME_KEYS_MAX][80];
    size_t n;
} keys;

/* Collect one key. */
static int collect(const char *key, size_t len, rf_name_key_class cls, double w, void *ud)
{
    keys *ks = ud;
    (void)cls;
    assert_true(w > 0 && w <= 1.0);
    assert_true(ks->n < RF_NAME_KEYS_MAX);
    snprintf(ks->k[ks->n++], sizeof ks->k[0], "%.*s", (int)len, key);
    return 0;
}

/* Whether two key sets share a key. */
static bool share(const keys *a, const keys *b)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++)
            if (strcmp(a->k[i], b->k[j]) == 0)
                return true;
    return false;
}

/* Whether a key set holds key. */
static bool has(const keys *ks, const char *key)
{
    for (size_t i = 0; i < ks->n; i++)
        if (strcmp(ks->k[i], key) == 0)
            return true;
    return false;
}

/* Keys: generic words give none alone; typos and spacing still meet. */
static void test_keys(void **state)
{
    (void)state;
    keys g = {0}, a = {0}, b = {0}, c = {0}, d = {0};
    assert_int_equal(rf_name_keys("International Trading Co., Ltd.", RF_NAME_COMPANY, collect, &g),
                     RF_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.k[0], "n:international trading");
    rf_name_keys("Hikvision Digital Technology", RF_NAME_COMPANY, collect, &a);
    assert_true(has(&a, "w:hikvision"));
    assert_false(has(&a, "w:technology"));
    rf_name_keys("Hikvsion", RF_NAME_COMPANY, collect, &b); /* a typo */
    assert_true(share(&a, &b));
    rf_name_keys("Hua Wei", RF_NAME_COMPANY, collect, &c);
    rf_name_keys("Huawei", RF_NAME_COMPANY, collect, &d);
    assert_true(has(&c, "w:huawei") && has(&d, "w:huawei"));
    assert_true(a.n <= RF_NAME_KEYS_MAX);
    /* a typo in a rare 4-letter word still meets the listed name in the index */
    keys e = {0}, t = {0};
    rf_name_keys("Yitu Technology", RF_NAME_COMPANY, collect, &e);
    rf_name_keys("Yiut Technology", RF_NAME_COMPANY, collect, &t);
    assert_true(share(&e, &t));
    assert_true(cmp("Yitu Technology", "Yiut Technology", RF_NAME_COMPANY) >= RF_NAME_THRESHOLD);
}

/* Microseconds per call of f over the names. */
static double time_us(void (*f)(const char *, const char *), const char *const *names,
                      size_t n, int rounds)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++)
            f(names[i], names[(i + 1) % n]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    return ns / 1000.0 / (double)(rounds * (int)n);
}

/* One normalisation (the second name is unused). */
static void one_norm(const char *a, const char *b)
{
    rf_name_norm n;
    (void)b;
    rf_name_normalize(a, (size_t)-1, RF_NAME_COMPANY, &n);
}

/* One comparison of raw names. */
static void one_cmp(const char *a, const char *b)
{
    rf_name_compare(a, b, RF_NAME_COMPANY, NULL);
}

/* Speed on Latin-script names (the common case); figures printed. Bounds
 * are loose (sanitizer builds are slow); docs/MATCHING.md has the figures. */
static void test_speed(void **state)
{
    (void)state;
    static const char *const names[] = {
        "Hangzhou Hikvision Digital Technology Co., Ltd.", "China National Petroleum Corporation",
        "Aviation Industry Corporation of China Ltd.", "Top Glove Corporation Berhad",
        "Huawei Technologies Co Ltd", "Zhejiang Dahua Technology Co., Ltd.",
        "Xinjiang Production and Construction Corps", "Société Générale S.A.",
    };
    size_t n = sizeof names / sizeof names[0];
    double norm_us = time_us(one_norm, names, n, 2000);
    double cmp_us = time_us(one_cmp, names, n, 2000);
    printf("name: normalise %.2f us (%.0f/s), compare %.2f us (%.0f/s)\n", norm_us,
           1e6 / norm_us, cmp_us, 1e6 / cmp_us);
    assert_true(norm_us < 200.0);
    assert_true(cmp_us < 400.0);
}

/* Run the tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legal_forms), cmocka_unit_test(test_folding),
        cmocka_unit_test(test_compare),     cmocka_unit_test(test_generic_only), cmocka_unit_test(test_short_words_and_pairing),
        cmocka_unit_test(test_numerals), cmocka_unit_test(test_short_typos),
        cmocka_unit_test(test_acronyms), cmocka_unit_test(test_person_transliteration),
        cmocka_unit_test(test_persons),     cmocka_unit_test(test_explain),
        cmocka_unit_test(test_party),       cmocka_unit_test(test_keys),
        cmocka_unit_test(test_speed),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rf_name_thread_cleanup();
    return rc;
}
