/* Unit tests for results: storage, levels and scoring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "redflag/result.h"

/* Give each test a fresh result. */
static int setup(void **state)
{
    rf_result *res = NULL;
    if (rf_result_create(&res) != RF_OK)
        return -1;
    *state = res;
    return 0;
}

/* Free the test's result. */
static int teardown(void **state)
{
    rf_result_destroy(*state);
    return 0;
}

/* Add a flag for indicator ind with weight w. */
static void flag(rf_result *res, const char *rule, const char *ind, int w)
{
    rf_flag f = {.rule = rule, .indicator = ind, .severity = RF_LEVEL_HIGH, .weight = w,
                 .field = "text", .evidence = "x", .source = "ILO"};
    assert_int_equal(rf_result_add_flag(res, &f), RF_OK);
}

/* One flag scores its own weight. */
static void test_single_flag(void **state)
{
    rf_result *res = *state;
    flag(res, "r1", "debt_bondage", 60);
    rf_result_score(res);
    assert_int_equal(res->score, 60);
    assert_int_equal(res->level, RF_LEVEL_HIGH);
}

/* Two indicators of 60 and 50 combine by noisy-OR to 80. */
static void test_two_indicators(void **state)
{
    rf_result *res = *state;
    flag(res, "r1", "debt_bondage", 60);
    flag(res, "r2", "wages_withheld", 50);
    rf_result_score(res);
    assert_int_equal(res->score, 80);
    assert_int_equal(res->level, RF_LEVEL_CRITICAL);
}

/* Flags of the same indicator count once, at their highest weight. */
static void test_same_indicator_once(void **state)
{
    rf_result *res = *state;
    flag(res, "r1", "identity_documents_retained", 40);
    flag(res, "r2", "identity_documents_retained", 60);
    flag(res, "r3", "identity_documents_retained", 60);
    rf_result_score(res);
    assert_int_equal(res->score, 60);
    flag(res, "r4", "excessive_overtime", 10);
    rf_result_score(res);
    assert_int_equal(res->score, 64); /* 1 - 0.4 * 0.9 */
}

/* A match on a critical list makes the level critical whatever the score;
 * other matches leave score and level alone. */
static void test_critical_match(void **state)
{
    rf_result *res = *state;
    rf_match m = {.party = "supplier", .list = "us_ofac_sdn", .entity = "e1", .name = "ACME",
                  .score = 0.91, .critical = false};
    assert_int_equal(rf_result_add_match(res, &m), RF_OK);
    rf_result_score(res);
    assert_int_equal(res->score, 0);
    assert_int_equal(res->level, RF_LEVEL_NONE);
    m.list = "us_uflpa";
    m.critical = true;
    assert_int_equal(rf_result_add_match(res, &m), RF_OK);
    flag(res, "r1", "supply_chain_opaque", 10);
    rf_result_score(res);
    assert_int_equal(res->score, 10);
    assert_int_equal(res->level, RF_LEVEL_CRITICAL);
}

/* Weights outside 0..100 are clamped; the score never passes 100. */
static void test_clamp(void **state)
{
    rf_result *res = *state;
    flag(res, "r1", "a", 250);
    flag(res, "r2", "b", 90);
    rf_result_score(res);
    assert_int_equal(res->score, 100);
    rf_result_reset(res);
    flag(res, "r1", "a", -40);
    rf_result_score(res);
    assert_int_equal(res->score, 0);
    assert_int_equal(res->level, RF_LEVEL_NONE);
}

/* No flags: score 0, level none. */
static void test_empty(void **state)
{
    rf_result *res = *state;
    rf_result_score(res);
    assert_int_equal(res->score, 0);
    assert_int_equal(res->level, RF_LEVEL_NONE);
}

/* Level bands at their boundaries. */
static void test_level_boundaries(void **state)
{
    (void)state;
    static const struct { int score; rf_level level; } cases[] = {
        {0, RF_LEVEL_NONE}, {1, RF_LEVEL_LOW}, {24, RF_LEVEL_LOW}, {25, RF_LEVEL_MEDIUM},
        {49, RF_LEVEL_MEDIUM}, {50, RF_LEVEL_HIGH}, {74, RF_LEVEL_HIGH},
        {75, RF_LEVEL_CRITICAL}, {100, RF_LEVEL_CRITICAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(rf_level_of_score(cases[i].score), cases[i].level);
        rf_result *res = NULL;
        assert_int_equal(rf_result_create(&res), RF_OK);
        if (cases[i].score)
            flag(res, "r", "i", cases[i].score);
        rf_result_score(res);
        assert_int_equal(res->score, cases[i].score);
        assert_int_equal(res->level, cases[i].level);
        rf_result_destroy(res);
    }
}

/* Level names both ways. */
static void test_level_names(void **state)
{
    (void)state;
    const char *names[] = {"none", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++) {
        assert_string_equal(rf_level_name((rf_level)i), names[i]);
        assert_int_equal(rf_level_parse(names[i]), i);
    }
    assert_int_equal(rf_level_parse("HIGH"), RF_LEVEL_HIGH);
    assert_int_equal(rf_level_parse("severe"), -1);
    assert_int_equal(rf_level_parse(""), -1);
    assert_int_equal(rf_level_parse(NULL), -1);
}

/* Strings stay valid and intact while many more are copied in, and storage
 * is reused after reset. */
static void test_strdup_stable(void **state)
{
    rf_result *res = *state;
    enum { N = 20000 };
    static const char *ptr[N];
    char buf[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            int n = snprintf(buf, sizeof buf, "evidence %d %s", i, i % 7 ? "" : "padding....");
            ptr[i] = rf_result_strdup(res, buf, (size_t)n);
            assert_non_null(ptr[i]);
        }
        const char *big = rf_result_strdup(res, NULL, 0);
        assert_non_null(big);
        assert_string_equal(big, "");
        for (int i = 0; i < N; i++) {
            snprintf(buf, sizeof buf, "evidence %d %s", i, i % 7 ? "" : "padding....");
            assert_string_equal(ptr[i], buf);
        }
        rf_result_reset(res);
    }
    /* Embedded length is honoured: only len bytes are copied. */
    assert_string_equal(rf_result_strdup(res, "passports held", 9), "passports");
}

/* A string larger than any block still works. */
static void test_strdup_large(void **state)
{
    rf_result *res = *state;
    static char big[100000];
    memset(big, 'a', sizeof big - 1);
    const char *small = rf_result_strdup(res, "small", 5);
    const char *copy = rf_result_strdup(res, big, sizeof big - 1);
    assert_non_null(copy);
    assert_int_equal(strlen(copy), sizeof big - 1);
    assert_string_equal(small, "small");
}

/* Matches copy their strings; the caller's buffers can change afterwards. */
static void test_match_copies(void **state)
{
    rf_result *res = *state;
    char name[] = "Hoshine Silicon Industry (Shanshan) Co., Ltd";
    rf_match m = {.party = "manufacturer", .list = "us_uflpa", .entity = "NK-1", .name = name,
                  .score = 0.97, .critical = true};
    assert_int_equal(rf_result_add_match(res, &m), RF_OK);
    name[0] = 'X';
    assert_string_equal(res->matches[0].name, "Hoshine Silicon Industry (Shanshan) Co., Ltd");
    assert_int_equal(res->nmatches, 1);
}

/* Reset empties the result but keeps the arrays for the next record. */
static void test_reset_keeps_capacity(void **state)
{
    rf_result *res = *state;
    for (int i = 0; i < 50; i++)
        flag(res, "r", "i", 1);
    rf_flag *before = res->flags;
    res->id = rf_result_strdup(res, "PO-1", 4);
    res->cached = true;
    rf_result_reset(res);
    assert_int_equal(res->nflags, 0);
    assert_null(res->id);
    assert_false(res->cached);
    for (int i = 0; i < 50; i++)
        flag(res, "r", "i", 1);
    assert_ptr_equal(res->flags, before);
}

/* An unreadable record keeps its id and a copy of the message. */
static void test_set_error(void **state)
{
    rf_result *res = *state;
    char msg[] = "line too long";
    assert_int_equal(rf_result_set_error(res, "PO-9", msg), RF_OK);
    msg[0] = 'X';
    assert_string_equal(res->error, "line too long");
    assert_string_equal(res->id, "PO-9");
    assert_int_equal(rf_result_set_error(res, NULL, "bad"), RF_OK);
    assert_null(res->id);
    rf_result_reset(res);
    assert_null(res->error);
}

/* Run the result tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_indicators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_indicator_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_critical_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test(test_level_boundaries),
        cmocka_unit_test(test_level_names),
        cmocka_unit_test_setup_teardown(test_strdup_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strdup_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_keeps_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
