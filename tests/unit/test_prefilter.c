/* Unit tests of the literal prefilter: extraction on a table of patterns, the
 * Aho-Corasick scan, and the guarantee that matters — the prefilter never
 * changes a verdict (shipped rules, their examples and variants, on and off). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/lib/prefilter.h"
#include "redflag/reader.h"
#include "redflag/rules.h"

typedef struct ex_case {
    const char *re;
    bool caseless;
    const char *must;   /* NULL: no prefilter; else "a|b;c" = groups a-or-b and c */
} ex_case;

/* Render a requirement as "a|b;c" with each group's strings sorted. */
static void render(const litreq *rq, char *out, size_t n)
{
    out[0] = '\0';
    for (int g = 0; g < rq->ng; g++) {
        char **s = rq->g[g].s;
        size_t k = rq->g[g].n;
        for (size_t i = 1; i < k; i++) /* sort for a stable rendering */
            for (size_t j = i; j > 0 && strcmp(s[j], s[j - 1]) < 0; j--) {
                char *t = s[j];
                s[j] = s[j - 1];
                s[j - 1] = t;
            }
        if (g)
            strncat(out, ";", n - strlen(out) - 1);
        for (size_t i = 0; i < k; i++) {
            if (i)
                strncat(out, "|", n - strlen(out) - 1);
            strncat(out, s[i], n - strlen(out) - 1);
        }
    }
}

/* Extraction finds what every match needs, and gives up on what it cannot know. */
static void test_extract(void **state)
{
    (void)state;
    static const ex_case cases[] = {
        {"\\bpassports?\\b", true, "passport"},
        {"Passport", false, "passport"},
        {"\\b(held|kept)\\b", true, "held|kept"},
        {"a(bc.*)?def", true, "def"},               /* not "adef": the group may hold more */
        {"(abc)?def", true, "def"},                  /* abcdef holds def: minimised */
        {"x*", true, NULL},
        {"fee.{0,20}worker", true, "worker;fee"},
        {"(fee|cost).{0,9}(paid by workers|borne by workers)", true,
         "paid by workers|borne by workers;cost|fee"},
        {"(abc.*xyz|qrs)", true, "abc|qrs;qrs|xyz"},  /* (A∧B) ∨ C = (A∨C) ∧ (B∨C) */
        {"n['’]t", true, NULL},                       /* one letter is no filter */
        {"over(?=time)", true, "over"},
        {"(?<!un)paid wages", true, "paid wages"},
        {"(?i)unpaid", false, "unpaid"},
        {"\\p{L}+ fees", true, NULL},                 /* \\p is beyond the analyser */
        {"(a)\\1 fees", true, NULL},                  /* back-references too */
        {"caf\xc3\xa9 workers", false, "caf\xc3\xa9 workers"},
        {"caf\xc3\xa9 workers", true, "caf"},         /* É vs é: cut before the cased é */
        {"\xc3\xa9tat", true, NULL},                  /* nothing sure before it */
        {"\xe6\x8a\xa4\xe7\x85\xa7", true, "\xe6\x8a\xa4\xe7\x85\xa7"}, /* Han has no case */
        {"[Cc]otton", false, "cotton"},
        {"price [0-9]+% below", true, "% below;price "},
        {"52\\.222-56", true, "52.222-56"},
        {"a{2,}bcd", true, "bcd"},                  /* a one-letter group filters nothing */
        {"(unclosed", true, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        litreq rq;
        char got[512];
        bool ok = prefilter_extract(cases[i].re, cases[i].caseless, &rq);
        if (!cases[i].must) {
            if (ok) {
                render(&rq, got, sizeof got);
                fail_msg("case %zu /%s/: wanted no prefilter, got %s", i, cases[i].re, got);
            }
            continue;
        }
        if (!ok)
            fail_msg("case %zu /%s/: no prefilter, wanted %s", i, cases[i].re, cases[i].must);
        render(&rq, got, sizeof got);
        if (strcmp(got, cases[i].must) != 0 &&
            !(strchr(cases[i].must, ';') && strstr(got, strchr(cases[i].must, ';') + 1)))
            fail_msg("case %zu /%s/: got %s, wanted %s", i, cases[i].re, got, cases[i].must);
        litreq_free(&rq);
    }
}

/* The automaton finds every literal, overlapping and case-folded, and warns of
 * the two non-ASCII letters that fold to ASCII. */
static void test_automaton(void **state)
{
    (void)state;
    char *lits[] = {"he", "she", "his", "hers", "fee"};
    uint32_t tags[] = {0, 1, 2, 3, 4};
    acm *a = acm_build(lits, tags, 5);
    assert_non_null(a);
    uint8_t mark[5] = {0};
    assert_true(acm_scan(a, "USHERS", 6, mark));
    assert_int_equal(mark[0], 1);
    assert_int_equal(mark[1], 1);
    assert_int_equal(mark[2], 0);
    assert_int_equal(mark[3], 1);
    assert_int_equal(mark[4], 0);
    memset(mark, 0, sizeof mark);
    assert_false(acm_scan(a, "\xe2\x84\xaa fee", 7, mark)); /* KELVIN SIGN */
    assert_false(acm_scan(a, "fee\xc5\xbf", 5, mark));      /* LONG S */
    assert_true(acm_scan(a, "caf\xc3\xa9", 5, mark));
    acm_free(a);
}

typedef struct corpus {
    char **s;
    size_t n;
} corpus;

/* Collect every example text of the ruleset. */
static void collect(const rf_example_outcome *o, void *ud)
{
    corpus *c = ud;
    if (o->example[0] == '{')
        return;
    c->s = realloc(c->s, (c->n + 1) * sizeof *c->s);
    c->s[c->n++] = strdup(o->example);
}

/* Scan one text in several fields and render the flags as a string. */
static void verdict(rf_scanner *sc, rf_record *rec, rf_result *res, const char *text, char *out,
                    size_t n)
{
    rf_record_reset(rec);
    rf_record_add(rec, RF_F_TEXT, text, strlen(text));
    rf_record_add(rec, RF_F_SUPPLIER_NOTES, text, strlen(text));
    rf_record_add(rec, RF_F_ITEM_DESCRIPTION, text, strlen(text));
    rf_result_reset(res);
    assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
    out[0] = '\0';
    for (size_t i = 0; i < res->nflags; i++) {
        strncat(out, res->flags[i].rule, n - strlen(out) - 1);
        strncat(out, ":", n - strlen(out) - 1);
        strncat(out, res->flags[i].evidence, n - strlen(out) - 1);
        strncat(out, "\n", n - strlen(out) - 1);
    }
}

/* Upper-case ASCII letters in place. */
static void upcase(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s -= 32;
}

/* With the shipped rules, every example (as written, upper-cased, and with
 * a KELVIN SIGN for k) gives the same flags with the prefilter on and off. */
static void test_same_verdicts(void **state)
{
    (void)state;
    const char *top = getenv("RF_SRCDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rules", top ? top : ".");
    const char *paths[] = {dir};
    rf_ruleset *rs;
    rf_diag d;
    assert_int_equal(rf_ruleset_compile(&rs, paths, 1, &d), RF_OK);
    corpus c = {NULL, 0};
    size_t total, failed;
    assert_int_equal(rf_ruleset_test(rs, collect, &c, &total, &failed), RF_OK);
    assert_true(c.n > 100);
    rf_scanner *on, *off;
    rf_record *rec;
    rf_result *res;
    assert_int_equal(rf_scanner_create(&on, rs), RF_OK);
    assert_int_equal(rf_scanner_create(&off, rs), RF_OK);
    rf_scanner_set_prefilter(off, false);
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    static char a[16384], b[16384], v[4096];
    size_t fired = 0;
    for (size_t i = 0; i < c.n; i++)
        for (int variant = 0; variant < 3; variant++) {
            snprintf(v, sizeof v, "%s", c.s[i]);
            if (variant == 1)
                upcase(v);
            if (variant == 2) {
                char *k = strchr(v, 'k');
                if (!k || strlen(v) + 3 >= sizeof v)
                    continue;
                memmove(k + 3, k + 1, strlen(k + 1) + 1);
                memcpy(k, "\xe2\x84\xaa", 3);
            }
            verdict(on, rec, res, v, a, sizeof a);
            verdict(off, rec, res, v, b, sizeof b);
            if (strcmp(a, b) != 0)
                fail_msg("prefilter changed the verdict on \"%s\":\n on: %s\noff: %s", v, a, b);
            fired += a[0] != '\0';
        }
    assert_true(fired > c.n / 2); /* the comparison covered real hits */
    for (size_t i = 0; i < c.n; i++)
        free(c.s[i]);
    free(c.s);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_scanner_destroy(on);
    rf_scanner_destroy(off);
    rf_ruleset_destroy(rs);
}

/* Run the prefilter tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract),
        cmocka_unit_test(test_automaton),
        cmocka_unit_test(test_same_verdicts),
    };
    return cmocka_run_group_tests_name("prefilter", tests, NULL, NULL);
}
