/* Unit tests for the country module: codes, names, variants, folding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "redflag/country.h"

/* Normalise a NUL-terminated string; the code, or "" when not found. */
static const char *norm(const char *s)
{
    static char out[3];
    if (rf_country_normalize(s, strlen(s), out) != RF_OK)
        return "";
    return out;
}

/* Alpha-2 and alpha-3 codes map in any case and with blanks around. */
static void test_codes(void **state)
{
    (void)state;
    assert_string_equal(norm("MY"), "MY");
    assert_string_equal(norm("my"), "MY");
    assert_string_equal(norm("mys"), "MY");
    assert_string_equal(norm(" CHN "), "CN");
    assert_string_equal(norm("USA"), "US");
    assert_string_equal(norm("xk"), "XK");
}

/* English short, formal and CLDR names from the ISO table map. */
static void test_iso_names(void **state)
{
    (void)state;
    assert_string_equal(norm("Malaysia"), "MY");
    assert_string_equal(norm("the Socialist Republic of Viet Nam"), "VN");
    assert_string_equal(norm("Bolivia (Plurinational State of)"), "BO");
    assert_string_equal(norm("United Kingdom of Great Britain and Northern Ireland"), "GB");
    assert_string_equal(norm("Congo - Kinshasa"), "CD");
    assert_string_equal(norm("Åland Islands"), "AX");
}

/* Hand-kept variants, including the traps between similar names. */
static void test_variants(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Vietnam", "VN"}, {"Viet Nam", "VN"}, {"Ivory Coast", "CI"},
        {"Côte d'Ivoire", "CI"}, {"Cote d'Ivoire", "CI"}, {"Côte d’Ivoire", "CI"},
        {"Burma", "MM"}, {"Myanmar", "MM"}, {"South Korea", "KR"},
        {"Korea, Republic of", "KR"}, {"North Korea", "KP"}, {"Russia", "RU"},
        {"Iran", "IR"}, {"Syria", "SY"}, {"Laos", "LA"}, {"Bolivia", "BO"},
        {"Venezuela", "VE"}, {"Tanzania", "TZ"}, {"Moldova", "MD"}, {"Taiwan", "TW"},
        {"UK", "GB"}, {"United Kingdom", "GB"}, {"Great Britain", "GB"}, {"USA", "US"},
        {"United States", "US"}, {"US", "US"}, {"UAE", "AE"}, {"DR Congo", "CD"},
        {"Democratic Republic of the Congo", "CD"}, {"Congo, Democratic Republic of the", "CD"},
        {"Republic of the Congo", "CG"}, {"Congo", "CG"}, {"Czechia", "CZ"},
        {"Czech Republic", "CZ"}, {"Turkey", "TR"}, {"Türkiye", "TR"}, {"Eswatini", "SZ"},
        {"Swaziland", "SZ"}, {"Cabo Verde", "CV"}, {"Cape Verde", "CV"}, {"Macedonia", "MK"},
        {"Palestine", "PS"}, {"Kosovo", "XK"}, {"Niger", "NE"}, {"Nigeria", "NG"},
        {"Guinea", "GN"}, {"Guinea-Bissau", "GW"}, {"Dominica", "DM"},
        {"Dominican Republic", "DO"}, {"Sudan", "SD"}, {"South Sudan", "SS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = norm(cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("'%s' -> '%s', want %s", cases[i][0], got, cases[i][1]);
    }
}

/* Case, accents, punctuation and extra spaces do not matter. */
static void test_folding(void **state)
{
    (void)state;
    assert_string_equal(norm("  VIET   NAM "), "VN");
    assert_string_equal(norm("COTE D'IVOIRE"), "CI");
    assert_string_equal(norm("côte-d’ivoire"), "CI");
    assert_string_equal(norm("TÜRKIYE"), "TR");
    assert_string_equal(norm("U.S.A."), "US");
    assert_string_equal(norm("korea (south)"), "KR");
    assert_string_equal(norm("São Tomé and Príncipe"), "ST");
    assert_string_equal(norm("Curaçao"), "CW");
}

/* Text that is no country is not found, and nothing is guessed. */
static void test_unknown(void **state)
{
    (void)state;
    char out[3];
    assert_int_equal(rf_country_normalize("various", 7, out), RF_ENOTFOUND);
    assert_int_equal(rf_country_normalize("", 0, out), RF_ENOTFOUND);
    assert_int_equal(rf_country_normalize("...", 3, out), RF_ENOTFOUND);
    assert_int_equal(rf_country_normalize("Atlantis", 8, out), RF_ENOTFOUND);
    assert_int_equal(rf_country_normalize("Mal", 3, out), RF_ENOTFOUND);
    assert_int_equal(rf_country_normalize("\xff\xfe", 2, out), RF_ENOTFOUND);
    char longname[400];
    memset(longname, 'a', sizeof longname);
    assert_int_equal(rf_country_normalize(longname, sizeof longname, out), RF_ENOTFOUND);
    /* the length bounds the text: "Malaysia" cut to "Mal" is not Malaysia */
    assert_int_equal(rf_country_normalize("Malaysia", 3, out), RF_ENOTFOUND);
}

/* Open a fixture file under $RF_SRCDIR (default "."). */
static FILE *fixture(const char *name)
{
    const char *dir = getenv("RF_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/input/%s", dir ? dir : ".", name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    return fp;
}

/* Every country name in the US DOL ILAB List of Goods maps to a code. */
static void test_dol_goods_names(void **state)
{
    (void)state;
    FILE *fp = fixture("dol_goods_countries.txt");
    char line[256], out[3];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (rf_country_normalize(line, strlen(line), out) != RF_OK)
            fail_msg("DOL country '%s' does not map", line);
        n++;
    }
    fclose(fp);
    assert_int_equal(n, 78);
    assert_string_equal(norm("Congo, Democratic Republic of the"), "CD");
    assert_string_equal(norm("Turkey (Türkiye)"), "TR");
    assert_string_equal(norm("Kyrgyz Republic"), "KG");
    assert_string_equal(norm("Burma"), "MM");
    assert_string_equal(norm("North Korea"), "KP");
}

/* The short name of a code, in either case; unknown codes give NULL. */
static void test_name(void **state)
{
    (void)state;
    assert_string_equal(rf_country_name("MY"), "Malaysia");
    assert_string_equal(rf_country_name("vn"), "Viet Nam");
    assert_string_equal(rf_country_name("XK"), "Kosovo");
    assert_null(rf_country_name("ZZ"));
    assert_null(rf_country_name("MYS"));
    assert_null(rf_country_name(""));
    assert_null(rf_country_name(NULL));
}

/* Every name the table prints maps back to its own code. */
static void test_round_trip(void **state)
{
    (void)state;
    char a2[3] = "AA", out[3];
    int seen = 0;
    for (char x = 'A'; x <= 'Z'; x++)
        for (char y = 'A'; y <= 'Z'; y++) {
            a2[0] = x;
            a2[1] = y;
            const char *name = rf_country_name(a2);
            if (!name)
                continue;
            seen++;
            if (rf_country_normalize(name, strlen(name), out) != RF_OK || strcmp(out, a2))
                fail_msg("'%s' does not map back to %s", name, a2);
        }
    assert_true(seen >= 249);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),     cmocka_unit_test(test_iso_names),
        cmocka_unit_test(test_variants),  cmocka_unit_test(test_folding),
        cmocka_unit_test(test_unknown),   cmocka_unit_test(test_dol_goods_names),
        cmocka_unit_test(test_name),      cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
