/* Unit tests of the rule compiler and scanner: tables of cases, as YARA's test-rules.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "redflag/reader.h"
#include "redflag/rules.h"
#include "../../src/lib/lang_detect.h"

/* Write src to a temporary .rules file and compile it; returns rc, fills diag. */
static int compile_src(const char *src, rf_ruleset **rs, rf_diag *d)
{
    char path[] = "/tmp/rf_test_XXXXXX.rules";
    int fd = mkstemps(path, 6);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs(src, fp);
    fclose(fp);
    const char *paths[] = {path};
    int rc = rf_ruleset_compile(rs, paths, 1, d);
    unlink(path);
    return rc;
}

/* Compile src, which must succeed. */
static rf_ruleset *must_compile(const char *src)
{
    rf_ruleset *rs = NULL;
    rf_diag d;
    int rc = compile_src(src, &rs, &d);
    if (rc != RF_OK)
        fail_msg("compile failed: %d:%d: %s", d.line, d.col, d.msg);
    return rs;
}

/* Scan one JSON record with rs; returns the number of flags and the first's evidence. */
static size_t scan_json(const rf_ruleset *rs, const char *json, char *evidence, size_t n)
{
    rf_record *rec;
    rf_result *res;
    rf_scanner *sc;
    char err[256];
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_scanner_create(&sc, rs), RF_OK);
    if (rf_record_from_json(json, strlen(json), rec, err, sizeof err) != RF_OK)
        fail_msg("bad test record: %s", err);
    assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
    size_t nf = res->nflags;
    if (evidence && n)
        snprintf(evidence, n, "%s", nf ? res->flags[0].evidence : "");
    rf_scanner_destroy(sc);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    return nf;
}

#define HEAD "rule r { title \"t\" indicator debt_bondage severity high weight 50 sources \"s\" "

typedef struct compile_case {
    const char *src;
    int line, col;
    const char *msg; /* substring of the message */
} compile_case;

/* Every syntax error names line, column and what was expected. */
static void test_compile_errors(void **state)
{
    (void)state;
    static const compile_case cases[] = {
        {"rule {", 1, 6, "expected a rule id"},
        {HEAD "\n  match $a = /x/ when $b }", 2, 23, "unknown pattern '$b'"},
        {"rule r {\n title \"t\"\n indicator debt_bondge\n}", 3, 12, "unknown indicator"},
        {HEAD "severity urgent }", 1, 0, "expected a severity"},
        {HEAD "weight 101 match $a = /x/ }", 1, 0, "expected a whole weight"},
        {HEAD "match $a = /(x/ }", 1, 0, "invalid pattern: missing closing parenthesis"},
        {HEAD "match $a = /x/q }", 1, 0, "unknown pattern flag 'q'"},
        {HEAD "fields item.colour match $a = /x/ }", 1, 0, "unknown field 'item.colour'"},
        {HEAD "fields item.unit_price match $a = /x/ }", 1, 0, "is a number"},
        {HEAD "when item.cpv in nosuchset }", 1, 0, "unknown set 'nosuchset'"},
        {HEAD "when item.unit_price < }", 1, 0, "expected a number, a field or '('"},
        {HEAD "match $a = /x/ when $a and }", 1, 0, "expected a condition"},
        {"rule r { title \"t\" indicator debt_bondage severity high sources \"s\" }", 1, 0,
         "needs a `match` or a `when`"},
        {"rule r { indicator debt_bondage match $a = /x/ }", 1, 0, "has no title"},
        {HEAD "match $a = /x/ \n expect hit \"unterminated }", 2, 13, "unterminated string"},
        {HEAD "match $a = /x/ }\n" HEAD "match $a = /y/ }", 2, 6, "defined twice"},
        {HEAD "when item.unit_price < 1 expect hit \"text\" }", 1, 0, "write this example as"},
        {HEAD "match $a = /x/ expect hit {\"item\": {\"unit_price\": \"abc\"}} }", 1, 0,
         "invalid example record"},
        {"set s = { }", 1, 11, "expected a \"string\""},
        {"bogus", 1, 1, "expected 'rule', 'set', 'lexicon', 'context' or 'indicator'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_ruleset *rs = NULL;
        rf_diag d;
        int rc = compile_src(cases[i].src, &rs, &d);
        if (rc != RF_ESYNTAX || !strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: rc %d, message '%s', wanted '%s'", i, rc, d.msg, cases[i].msg);
        assert_int_equal(d.line, cases[i].line);
        if (cases[i].col)
            assert_int_equal(d.col, cases[i].col);
        assert_null(rs);
    }
}

typedef struct eval_case {
    const char *rule;   /* rule body after HEAD */
    const char *record; /* JSON record */
    size_t fires;       /* 1 fires, 0 not */
} eval_case;

/* Conditions, negation scope, sets and arithmetic evaluate as documented. */
static void test_evaluation(void **state)
{
    (void)state;
    static const eval_case cases[] = {
        /* sentence-scoped unless: the negated sentence is skipped, a later one counts */
        {"match $p = /passports? (are )?held/i unless /\\bnever\\b/i }",
         "{\"text\": \"We never have passports held.\"}", 0},
        {"match $p = /passports? (are )?held/i unless /\\bnever\\b/i }",
         "{\"text\": \"We never have passports held. Passports are held by HR.\"}", 1},
        {"match $p = /passports? (are )?held/i unless /\\bnever\\b/i }",
         "{\"text\": \"Passports are held by HR; we never check.\"}", 1},
        {"match $p = /passports? held/i unless /\\bnever\\b/i }",
         "{\"text\": \"Never again. Clause 52.222 says passports held\"}", 1},
        /* a negation in a later clause does not negate the occurrence */
        {"match $p = /passports? (are )?held/i unless /\\bnot\\b/i }",
         "{\"text\": \"Passports are held by HR and workers were not told why.\"}", 1},
        {"match $p = /fee paid/i unless /\\bnot\\b/i }",
         "{\"text\": \"A fee paid by workers, which we could not verify.\"}", 1},
        {"match $p = /passports? (are )?held/i unless /\\bnot\\b/i }",
         "{\"text\": \"Passports are held not by HR but by workers.\"}", 0},
        /* a plain ", " ends the clause: the negation after it is another clause's */
        {"match $p = /passports?[^.]{0,40} kept/i unless /\\bcannot\\b/i }",
         "{\"text\": \"Passports of the workers are kept by the agency, they cannot get "
         "them back.\"}", 1},
        {"match $p = /passports?[^.]{0,40} kept/i unless /\\bcannot\\b/i }",
         "{\"text\": \"Passports cannot be kept by the agency, by law.\"}", 0},
        {"match $p = /assault/i unless /unsubstantiated/i }",
         "{\"text\": \"An assault was investigated and found unsubstantiated.\"}", 0},
        /* condition-level not is record-wide */
        {"match $a = /fee/ match $b = /employer pays/ when $a and not $b }",
         "{\"text\": \"A fee applies. The employer pays it.\"}", 0},
        {"match $a = /x/ match $b = /y/ match $c = /z/ when all of them }",
         "{\"text\": \"x y\"}", 0},
        {"match $a = /x/ match $b = /y/ match $c = /z/ when any of ($b, $c) }",
         "{\"text\": \"x z\"}", 1},
        {"match $a = /x/ match $b = /y/ when none of them }", "{\"text\": \"abc\"}", 1},
        /* fields: only the listed fields are scanned */
        {"fields supplier.notes match $a = /forced/ }", "{\"text\": \"forced\"}", 0},
        {"fields supplier.notes, text match $a = /forced/ }", "{\"text\": \"forced\"}", 1},
        {"fields subcontractors.name match $a = /Sub B/ }",
         "{\"subcontractors\": [{\"name\": \"Sub A\"}, {\"name\": \"Sub B\"}]}", 1},
        /* arithmetic; a missing field makes a comparison false */
        {"when item.unit_price < 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 4, \"reference_price\": 10}}", 1},
        {"when item.unit_price < 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5, \"reference_price\": 10}}", 0},
        {"when item.unit_price < 0.5 * item.reference_price }", "{\"item\": {\"unit_price\": 1}}",
         0},
        /* each comparison at equality (a price of exactly half the reference) */
        {"when item.unit_price <= 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5, \"reference_price\": 10}}", 1},
        {"when item.unit_price >= 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5, \"reference_price\": 10}}", 1},
        {"when item.unit_price == 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5, \"reference_price\": 10}}", 1},
        {"when item.unit_price != 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5, \"reference_price\": 10}}", 0},
        {"when item.unit_price > 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5, \"reference_price\": 10}}", 0},
        {"when item.unit_price != 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5.01, \"reference_price\": 10}}", 1},
        {"when item.unit_price <= 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 5.01, \"reference_price\": 10}}", 0},
        {"when item.unit_price >= 0.5 * item.reference_price }",
         "{\"item\": {\"unit_price\": 4.99, \"reference_price\": 10}}", 0},
        {"when not (item.unit_price >= 0.5 * item.reference_price) }",
         "{\"item\": {\"unit_price\": 1}}", 1},
        {"when (item.unit_price - 1) / item.reference_price < 0.1 }",
         "{\"item\": {\"unit_price\": 1.5, \"reference_price\": 10}}", 1},
        {"when item.unit_price / item.reference_price < 1 }",
         "{\"item\": {\"unit_price\": 1, \"reference_price\": 0}}", 0},
        {"when contract.value_abroad > 550000 and not contract.compliance_plan == 1 }",
         "{\"contract\": {\"value_abroad\": 600000, \"compliance_plan\": false}}", 1},
        {"when contract.value_abroad > 550000 and not contract.compliance_plan == 1 }",
         "{\"contract\": {\"value_abroad\": 600000, \"compliance_plan\": true}}", 0},
        /* sets: prefix on alphanumerics, exact case-insensitive; country names mapped */
        {"when item.cpv in cpvs }", "{\"item\": {\"cpv\": \"90911200-8\"}}", 1},
        {"when item.cpv in cpvs }", "{\"item\": {\"cpv\": \"90100000-8\"}}", 0},
        {"when item.origin in countries }", "{\"item\": {\"origin\": \"Malaysia\"}}", 1},
        {"when item.origin in countries }", "{\"item\": {\"origin\": \"my\"}}", 1},
        {"when item.origin in countries }", "{\"item\": {\"origin\": \"SG\"}}", 0},
        {"when exists item.origin }", "{\"item\": {\"origin\": \"\", \"description\": \"x\"}}", 0},
        /* a subcontractor given only by its country has an empty name: no name exists */
        {"when exists subcontractors.name }", "{\"subcontractors\": [{\"country\": \"CN\"}]}", 0},
        {"when exists subcontractors.country }", "{\"subcontractors\": [{\"country\": \"CN\"}]}",
         1},
        /* a rule whose fields are all absent is not run, but its verdict on such a
         * record (known from an empty record) still stands */
        {"match $a = /x/ when none of them }", "{\"supplier\": {\"name\": \"A\"}}", 1},
        {"match $a = /x/ }", "{\"supplier\": {\"name\": \"x\"}}", 0},
        {"when not exists supplier.notes }", "{\"supplier\": {\"name\": \"A\"}}", 1},
        {"when not (item.unit_price >= 0.5 * item.reference_price) }",
         "{\"supplier\": {\"name\": \"A\"}}", 1},
        {"when not exists item.origin unless exists supplier.name }",
         "{\"supplier\": {\"name\": \"A\"}}", 0},
        {"when not exists item.origin unless exists supplier.name }", "{\"text\": \"y\"}", 1},
        {"when not exists item.origin unless supplier.country in countries }",
         "{\"supplier\": {\"country\": \"TH\"}}", 0},
        /* rule-level unless */
        {"match $a = /overtime/ unless item.origin in countries }",
         "{\"text\": \"overtime\", \"item\": {\"origin\": \"MY\"}}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[2048];
        snprintf(src, sizeof src,
                 "set cpvs = prefix { \"9091\", \"45\" }\nset countries = { \"MY\", \"TH\" }\n"
                 "%s%s", HEAD, cases[i].rule);
        rf_ruleset *rs = must_compile(src);
        size_t n = scan_json(rs, cases[i].record, NULL, 0);
        if (n != cases[i].fires)
            fail_msg("case %zu: fired %zu, wanted %zu: %s on %s", i, n, cases[i].fires,
                     cases[i].rule, cases[i].record);
        rf_ruleset_destroy(rs);
    }
}

/* A rule reading only one party's name, country and identifiers is a party rule. */
static void test_scopes(void **state)
{
    (void)state;
    static const struct { const char *rule; rf_rule_scope scope; } cases[] = {
        {"fields supplier.name match $a = /staffing/i }", RF_SCOPE_SUPPLIER},
        {"fields supplier.name, supplier.ids.other match $a = /x/ }", RF_SCOPE_SUPPLIER},
        {"when supplier.country in countries and exists supplier.ids.lei }", RF_SCOPE_SUPPLIER},
        {"fields manufacturer.name match $a = /x/ unless manufacturer.country in countries }",
         RF_SCOPE_MANUFACTURER},
        {"fields supplier.name, text match $a = /x/ }", RF_SCOPE_RECORD},
        {"fields supplier.address match $a = /x/ }", RF_SCOPE_RECORD},
        {"fields supplier.notes match $a = /x/ }", RF_SCOPE_RECORD},
        {"when supplier.country in countries and manufacturer.country in countries }",
         RF_SCOPE_RECORD},
        {"fields supplier.name match $a = /x/ unless item.origin in countries }", RF_SCOPE_RECORD},
        {"fields subcontractors.name match $a = /x/ }", RF_SCOPE_RECORD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[1024];
        snprintf(src, sizeof src, "set countries = { \"MY\" }\n%s%s", HEAD, cases[i].rule);
        rf_ruleset *rs = must_compile(src);
        for (int sc = 0; sc < RF_SCOPE_COUNT; sc++)
            if (rf_ruleset_scope_count(rs, (rf_rule_scope)sc) != (sc == (int)cases[i].scope))
                fail_msg("case %zu: %s is not of scope %d", i, cases[i].rule, cases[i].scope);
        rf_ruleset_destroy(rs);
    }
}

/* Evidence is the sentence of the occurrence, clipped on a UTF-8 boundary. */
static void test_evidence(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(HEAD "match $a = /held/ }");
    char ev[512];
    scan_json(rs, "{\"text\": \"All fine. Passports are held by the agent. Pay is ok.\"}", ev,
              sizeof ev);
    assert_string_equal(ev, "Passports are held by the agent.");
    char json[4096], body[1200] = "";
    for (int i = 0; i < 150; i++)
        strcat(body, "éé ");
    snprintf(json, sizeof json, "{\"text\": \"%s held %s\"}", body, body);
    scan_json(rs, json, ev, sizeof ev);
    assert_non_null(strstr(ev, "held"));
    assert_true(strlen(ev) <= 200 + 2 * strlen("…"));
    for (size_t i = 0; ev[i]; i++) /* every multi-byte sequence complete */
        if (((unsigned char)ev[i] & 0xC0) == 0xC0)
            assert_true(((unsigned char)ev[i + 1] & 0xC0) == 0x80);
    rf_ruleset_destroy(rs);
}

/* A catastrophic pattern cannot hang the scanner: the limit stops it. */
static void test_match_limit(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(HEAD "match $a = /^(\\w+\\s?)*$/ }");
    char json[8192] = "{\"text\": \"";
    for (int i = 0; i < 3000; i++)
        strcat(json, "a");
    strcat(json, "!\"}");
    rf_record *rec;
    rf_result *res;
    rf_scanner *sc;
    char err[128];
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_scanner_create(&sc, rs), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
    assert_int_equal(res->nflags, 0);
    assert_true(rf_scanner_limit_hits(sc) >= 1);
    /* the verdict says which rule did not finish scanning which field */
    assert_int_equal(res->nincomplete, 1);
    assert_string_equal(res->incomplete[0].field, "text");
    assert_string_equal(res->incomplete[0].rule, rf_ruleset_rule(rs, 0)->id);
    /* the next record, scanned in full, is not marked */
    const char *ok = "{\"text\": \"aaa bbb\"}";
    rf_result_reset(res);
    assert_int_equal(rf_record_from_json(ok, strlen(ok), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
    assert_int_equal(res->nflags, 1);
    assert_int_equal(res->nincomplete, 0);
    rf_scanner_destroy(sc);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_ruleset_destroy(rs);
}

/* Counts hit/miss outcomes of examples. */
static void count_cb(const rf_example_outcome *o, void *ud)
{
    size_t *n = ud;
    n[o->fired == o->expect_hit ? 0 : 1]++;
}

/* rules test reports failing examples. */
static void test_examples(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(HEAD "match $a = /held/ expect hit \"held\" expect hit \"kept\" "
                                       "expect miss \"free\" expect miss \"withheld\" }");
    size_t total, failed, n[2] = {0, 0};
    assert_int_equal(rf_ruleset_test(rs, count_cb, n, &total, &failed), RF_OK);
    assert_int_equal(total, 4);
    assert_int_equal(failed, 2); /* "kept" does not hit; "withheld" does */
    assert_int_equal(n[1], 2);
    rf_ruleset_destroy(rs);
}

/* Every indicator id the shipped rules must cover. */
static const char *const shipped_indicators[] = {
    "vulnerability_abused", "recruitment_deception", "movement_restricted", "worker_isolation",
    "physical_sexual_violence", "intimidation_threats", "identity_documents_retained",
    "wages_withheld", "debt_bondage", "abusive_conditions", "excessive_overtime",
    "recruitment_fees_charged", "noncompliant_recruiter", "labour_agency_subcontracting",
    "return_transport_denied", "no_written_contract_in_language", "abnormally_low_price",
    "trafficking_conviction", "supply_chain_opaque", "missing_compliance_plan",
    "no_grievance_or_remedy",
};

/* The shipped ruleset compiles, covers every indicator, and passes all its examples. */
static void test_shipped_rules(void **state)
{
    (void)state;
    const char *top = getenv("RF_SRCDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rules", top ? top : ".");
    const char *paths[] = {dir};
    rf_ruleset *rs = NULL;
    rf_diag d;
    int rc = rf_ruleset_compile(&rs, paths, 1, &d);
    if (rc != RF_OK)
        fail_msg("%s:%d:%d: %s", d.file, d.line, d.col, d.msg);
    for (size_t i = 0; i < sizeof shipped_indicators / sizeof shipped_indicators[0]; i++) {
        bool found = false;
        for (size_t r = 0; r < rf_ruleset_count(rs); r++)
            found |= strcmp(rf_ruleset_rule(rs, r)->indicator, shipped_indicators[i]) == 0;
        if (!found)
            fail_msg("no shipped rule for indicator %s", shipped_indicators[i]);
    }
    for (size_t r = 0; r < rf_ruleset_count(rs); r++) {
        const rf_rule_info *ri = rf_ruleset_rule(rs, r);
        if (ri->nhit < 3 || ri->nmiss < 3)
            fail_msg("rule %s has %zu hit / %zu miss examples", ri->id, ri->nhit, ri->nmiss);
    }
    size_t total, failed;
    assert_int_equal(rf_ruleset_test(rs, NULL, NULL, &total, &failed), RF_OK);
    assert_true(total >= 6 * rf_ruleset_count(rs));
    assert_int_equal(failed, 0);
    rf_ruleset_destroy(rs);
}


/* A library caller may hand the scanner bytes that are not UTF-8: that value is
 * not scanned (PCRE2 runs without its own check), a valid field still is. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(HEAD "fields text, supplier.notes match $a = /held/ }");
    static const char *const bad[] = {
        "Passports are held \xff by the agent.", "held \xc3", "held \xed\xa0\x80 (surrogate)",
        "held \xe0\x80\xaf (overlong)", "\xf4\x90\x80\x80 held",
    };
    rf_record *rec;
    rf_result *res;
    rf_scanner *sc;
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_scanner_create(&sc, rs), RF_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_record_reset(rec);
        rf_result_reset(res);
        assert_int_equal(rf_record_add(rec, RF_F_TEXT, bad[i], strlen(bad[i])), RF_OK);
        assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
        if (res->nflags)
            fail_msg("case %zu: an invalid UTF-8 value was scanned", i);
        assert_int_equal(rf_record_add(rec, RF_F_SUPPLIER_NOTES, "held by HR", 10), RF_OK);
        rf_result_reset(res);
        assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
        assert_int_equal(res->nflags, 1);
        assert_string_equal(res->flags[0].field, "supplier.notes");
    }
    rf_scanner_destroy(sc);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_ruleset_destroy(rs);
}

/* Evidence found through the canonical form quotes the user's own text. */
static void test_canonical_evidence(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(HEAD "match $a = /passports? (are )?held/i }");
    static const struct { const char *in, *evidence; } cases[] = {
        {"{\"text\": \"Fine. Pass\\u00adports are held. Ok.\"}", "Pass\xc2\xadports are held."},
        {"{\"text\": \"Pass\\u200bports are held\"}", "Pass\xe2\x80\x8bports are held"},
        {"{\"text\": \"\\uff30\\uff41\\uff53\\uff53\\uff50\\uff4f\\uff52\\uff54\\uff53 are "
         "held\"}", "\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93\xef\xbd\x90\xef\xbd\x8f"
                    "\xef\xbd\x92\xef\xbd\x94\xef\xbd\x93 are held"},
        {"{\"text\": \"P\\u0430ssports are held.\"}", "P\xd0\xb0ssports are held."},
        {"{\"text\": \"\\u2067Passports\\u2069 are held\"}",
         "\xe2\x81\xa7Passports\xe2\x81\xa9 are held"},
        /* plain text and text that needs nothing keep their bytes and offsets */
        {"{\"text\": \"Überall: passports are held.\"}", "Überall: passports are held."},
    };
    char ev[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (scan_json(rs, cases[i].in, ev, sizeof ev) != 1)
            fail_msg("case %zu: no flag on %s", i, cases[i].in);
        if (strcmp(ev, cases[i].evidence) != 0)
            fail_msg("case %zu: evidence '%s', wanted '%s'", i, ev, cases[i].evidence);
    }
    /* look-alikes only count inside a mixed-script word: a Russian word is not Latin */
    assert_int_equal(scan_json(rs, "{\"text\": \"\\u0420\\u0430ssports are held\"}", NULL, 0), 1);
    rf_ruleset_destroy(rs);
    rs = must_compile(HEAD "match $a = /\\bpop\\b/i }");
    assert_int_equal(scan_json(rs, "{\"text\": \"\\u0440\\u043e\\u0440\"}", NULL, 0), 0);
    rf_ruleset_destroy(rs);
}

#define LEX "lexicon doc en stem { passport, \"identity card\" }\n" \
            "lexicon doc de { Pass, Pässe, Reisepass, Ausweis* }\n" \
            "lexicon doc ru { паспорт* }\n" \
            "lexicon doc zh { 护照, 身份证 }\n" \
            "lexicon ret en stem { retain, hold, held, keep, kept }\n" \
            "lexicon ret de { einbehalten, verwahrt, behält }\n" \
            "lexicon ret ru { забрал*, удерживает }\n" \
            "lexicon ret zh { 扣押, 没收 }\n" \
            "lexicon doc id { paspor }\n" \
            "lexicon ret id { *tahan, \"*sita\" }\n" \
            "context neg en { not, never, \"no longer\" }\n" \
            "context neg de { nicht, nie, kein* }\n" \
            "context neg zh { 没有, 从不 }\n"

/* Lexicons, stems, prefixes, near/N, clause scope, contexts, languages. */
static void test_lexicons(void **state)
{
    (void)state;
    static const eval_case cases[] = {
        /* Snowball stems: the entry's stem and any ending */
        {"match $a = @ret }", "{\"text\": \"The agency is retaining them.\"}", 1},
        {"match $a = @ret }", "{\"text\": \"The retina was examined.\"}", 0},
        {"match $a = @doc }", "{\"text\": \"Identity cards were taken.\"}", 1},
        /* Word* is a prefix; a German entry reads German text only */
        {"match $a = @doc }", "{\"text\": \"Die Ausweispapiere werden verwahrt.\"}", 1},
        {"match $a = @doc }", "{\"text\": \"Please pass the report to the auditor.\"}", 0},
        {"match $a = @doc }", "{\"text\": \"Der Pass wird vom Arbeitgeber verwahrt.\"}", 1},
        /* a record may mix languages: each sentence counts */
        {"match $a = @doc near/4 @ret }",
         "{\"text\": \"The audit went well. Die Pässe werden vom Vermittler einbehalten.\"}", 1},
        /* near/N: at most N words between, either order, within the sentence */
        {"match $a = @doc near/2 @ret }", "{\"text\": \"Passports are held.\"}", 1},
        {"match $a = @doc near/2 @ret }", "{\"text\": \"They held the passports.\"}", 1},
        {"match $a = @doc near/2 @ret }",
         "{\"text\": \"Passports are in a safe which is held.\"}", 0},
        {"match $a = @doc near/8 @ret }", "{\"text\": \"Passports are fine. Pay is held.\"}", 0},
        {"match $a = @doc then/3 @ret }", "{\"text\": \"They held the passports.\"}", 0},
        {"match $a = @doc then/3 @ret }", "{\"text\": \"Passports are held.\"}", 1},
        /* within clause: the words between do not cross ", " or "but" */
        {"match $a = @doc near/6 @ret within clause }",
         "{\"text\": \"Passports are with workers, wages are held.\"}", 0},
        {"match $a = @doc near/6 @ret }",
         "{\"text\": \"Passports are with workers, wages are held.\"}", 1},
        {"match $a = @doc near/6 @ret within clause }",
         "{\"text\": \"Passports are free but wages are held.\"}", 0},
        /* a context in `unless` is scoped to the occurrence's clause */
        {"match $a = @doc near/4 @ret unless @neg }", "{\"text\": \"Passports are never held.\"}",
         0},
        {"match $a = @doc near/4 @ret unless @neg }",
         "{\"text\": \"Passports are held by the agent, which is not allowed.\"}", 1},
        {"match $a = @doc near/4 @ret unless @neg }",
         "{\"text\": \"Die Pässe werden nicht einbehalten.\"}", 0},
        {"match $a = @doc near/4 @ret unless @neg, /\\bin the past\\b/i }",
         "{\"text\": \"In the past passports were held.\"}", 0},
        /* languages written without spaces: no word boundaries, ~2 characters a word */
        {"match $a = @doc near/4 @ret unless @neg }", "{\"text\": \"雇主扣押了工人的护照。\"}", 1},
        {"match $a = @doc near/4 @ret unless @neg }", "{\"text\": \"雇主从不扣押工人的护照。\"}",
         0},
        {"match $a = @doc near/4 @ret }", "{\"text\": \"护照在工人手里。工资被扣押。\"}", 0},
        /* Cyrillic, with a Latin look-alike slipped into the word */
        {"match $a = @ret near/3 @doc }", "{\"text\": \"Работодатель забрал паспорта у них.\"}",
         1},
        {"match $a = @ret near/3 @doc }", "{\"text\": \"Работодатель забрал пaспорта у них.\"}",
         1},
        /* *word: also at the end of a longer word (Indonesian di-tahan, Arabic al-) */
        {"match $a = @doc near/3 @ret }",
         "{\"text\": \"Paspor para pekerja ditahan oleh agen.\"}", 1},
        {"match $a = @doc near/3 @ret }", "{\"text\": \"Paspor para pekerja disita oleh agen.\"}",
         1},
        {"match $a = @doc near/3 @ret }",
         "{\"text\": \"Para pekerja membawa paspor mereka sendiri.\"}", 0},
        /* a phrase, and @name inside a /regex/ */
        {"match $a = \"identity card\" near/3 @ret }", "{\"text\": \"Identity cards are kept.\"}",
         0},
        {"match $a = \"identity cards\" near/3 @ret }", "{\"text\": \"Identity cards are kept.\"}",
         1},
        {"match $a = /@doc (are|were) @ret/ }", "{\"text\": \"Passports were kept.\"}", 1},
        {"match $a = /\\@doc kept/ }", "{\"text\": \"@doc kept\"}", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[4096];
        snprintf(src, sizeof src, LEX "%s%s", HEAD, cases[i].rule);
        rf_ruleset *rs = must_compile(src);
        size_t n = scan_json(rs, cases[i].record, NULL, 0);
        if (n != cases[i].fires)
            fail_msg("case %zu: fired %zu, wanted %zu: %s on %s", i, n, cases[i].fires,
                     cases[i].rule, cases[i].record);
        rf_ruleset_destroy(rs);
    }
}

/* Lexicon, context and indicator declarations name file, line and the fix. */
static void test_lexicon_errors(void **state)
{
    (void)state;
    static const compile_case cases[] = {
        {"lexicon doc xx { a }", 1, 13, "expected a language code"},
        {"lexicon doc en { }", 1, 18, "has no entries"},
        {"lexicon doc en { a }\nlexicon doc en { b }", 2, 13, "declared twice"},
        {"lexicon doc pl stem { a }", 1, 16, "no Snowball stemmer"},
        {HEAD "\n match $a = @nosuch }", 2, 13, "unknown lexicon '@nosuch'"},
        {"lexicon a en { x }\nlexicon b de { y }\n" HEAD "\n match $a = @a near/3 @b }", 4, 8,
         "no language has entries"},
        {"lexicon a en { x }\n" HEAD "\n match $a = @a near @a }", 3, 16, "expected /N"},
        {"lexicon a en { x }\n" HEAD "\n match $a = @a near/3 @a within page }", 3, 33,
         "expected 'sentence' or 'clause'"},
        {HEAD "match $a = x }", 1, 0, "expected a /pattern/, an @lexicon or a \"phrase\""},
        {"indicator debt_bondage { title \"t\" sources \"s\" }", 1, 11, "is built in"},
        {"indicator child_labour { title \"t\" }", 1, 0, "needs a title and sources"},
        {"rule r { title \"t\" indicator child_labour severity high sources \"s\" when exists "
         "text }", 1, 30, "or declare it first"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_ruleset *rs = NULL;
        rf_diag d;
        int rc = compile_src(cases[i].src, &rs, &d);
        if (rc != RF_ESYNTAX || !strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: rc %d, message '%s', wanted '%s'", i, rc, d.msg, cases[i].msg);
        if (d.line != cases[i].line || (cases[i].col && d.col != cases[i].col))
            fail_msg("case %zu: at %d:%d, wanted %d:%d (%s)", i, d.line, d.col, cases[i].line,
                     cases[i].col, d.msg);
        assert_null(rs);
    }
}

/* A rule file may declare its own indicator and use it. */
static void test_declared_indicator(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(
        "indicator child_labour {\n  title \"Children in work\"\n"
        "  sources \"ILO C138\", \"ILO C182\"\n}\n"
        "rule children { title \"t\" indicator child_labour severity high weight 50 sources \"s\""
        " match $a = /\\bchild workers\\b/i }");
    assert_int_equal(rf_ruleset_indicator_count(rs), 1);
    const rf_indicator_info *in = rf_ruleset_indicator(rs, 0);
    assert_string_equal(in->id, "child_labour");
    assert_string_equal(in->title, "Children in work");
    assert_string_equal(in->sources, "ILO C138; ILO C182");
    assert_int_equal(in->line, 1);
    assert_null(rf_ruleset_indicator(rs, 1));
    rf_record *rec;
    rf_result *res;
    rf_scanner *sc;
    char err[128];
    const char *json = "{\"text\": \"Child workers were found.\"}";
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_result_create(&res), RF_OK);
    assert_int_equal(rf_scanner_create(&sc, rs), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_scanner_scan(sc, rec, res), RF_OK);
    assert_int_equal(res->nflags, 1);
    assert_string_equal(res->flags[0].indicator, "child_labour");
    rf_scanner_destroy(sc);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_ruleset_destroy(rs);
}

typedef struct trace_log {
    char s[4096];
} trace_log;

/* Append one trace event to the log as "kind rule $pat lang [s,e) concepts by". */
static void log_trace(const rf_trace_event *ev, void *ud)
{
    trace_log *l = ud;
    size_t o = strlen(l->s);
    if (ev->kind == RF_TRACE_VERDICT)
        snprintf(l->s + o, sizeof l->s - o, "%s %s\n", ev->rule->id, ev->fired ? "fires" : "no");
    else
        snprintf(l->s + o, sizeof l->s - o, "%s $%s %s:%d %s %s %zu-%zu {%s} %s %zu-%zu\n",
                 ev->kind == RF_TRACE_HIT ? "hit" : "dropped", ev->pattern, ev->lang, ev->line,
                 ev->text_langs, ev->field, ev->s, ev->e, ev->concepts, ev->by, ev->us, ev->ue);
}

/* rules trace reports each occurrence with its language, span in the user's
 * text, the lexicon words, and the context that dropped it, then the verdict. */
static void test_trace(void **state)
{
    (void)state;
    rf_ruleset *rs = must_compile(LEX HEAD "\n match $a = @doc near/4 @ret unless @neg }");
    trace_log l = {""};
    const char *text = "We never keep pass\xc2\xadports. Die P\xc3\xa4sse werden einbehalten.";
    assert_int_equal(rf_ruleset_trace(rs, text, strlen(text), log_trace, &l), RF_OK);
    assert_string_equal(l.s, "dropped $a en:15 en, de text 9-25 {@doc=pass\xc2\xadports; @ret=keep} @neg "
                             "3-8\nhit $a de:15 en, de text 31-56 {@doc=P\xc3\xa4sse; @ret=einbehalten}  "
                             "0-0\n"
                             "r fires\n");
    assert_int_equal(rf_ruleset_trace(rs, "\xff", 1, log_trace, &l), RF_EINVAL);
    rf_ruleset_destroy(rs);
    /* on a whole record: each field's own values and spans */
    rs = must_compile(LEX HEAD "fields text, supplier.notes\n match $a = @doc near/4 @ret }");
    rf_record *rec;
    char err[128];
    const char *json = "{\"text\": \"All good.\", \"supplier\": {\"notes\": \"Pass\\u00adports "
                       "are held.\"}}";
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_record_from_json(json, strlen(json), rec, err, sizeof err), RF_OK);
    l.s[0] = '\0';
    assert_int_equal(rf_ruleset_trace_record(rs, rec, log_trace, &l), RF_OK);
    assert_string_equal(l.s, "hit $a en:15 en supplier.notes 0-20 "
                             "{@doc=Pass\xc2\xadports; @ret=held}  0-0\nr fires\n");
    rf_record_destroy(rec);
    rf_ruleset_destroy(rs);
}

/* The languages detected in a text, as "de fr" (ids in table order). */
static void langs_of(const char *t, char *out, size_t n)
{
    langmask m = lang_detect(t, strlen(t));
    out[0] = '\0';
    for (int l = 1; l <= lang_count(); l++)
        if (m >> l & 1)
            snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? " " : "", lang_code(l));
}

/* Script and stop words decide a sentence's language; a record may mix them. */
static void test_lang_detect(void **state)
{
    (void)state;
    static const struct { const char *text, *langs; } cases[] = {
        {"The workers said that their passports were held by the agent.", "en"},
        {"Die Arbeiter sagten, dass ihre Pässe nicht zurückgegeben wurden.", "de"},
        {"Les travailleurs ont déclaré que leurs passeports étaient confisqués.", "fr"},
        {"Los trabajadores dijeron que sus pasaportes fueron retenidos por la empresa.", "es"},
        {"Os trabalhadores disseram que os passaportes foram retidos pela empresa.", "pt"},
        {"I lavoratori hanno detto che i passaporti sono stati trattenuti dalla ditta.", "it"},
        {"Pracownicy powiedzieli, że ich paszporty są zatrzymane przez agencję.", "pl"},
        {"İşçiler pasaportlarının işveren tarafından alındığını ve geri verilmediğini söyledi.",
         "tr"},
        {"Para pekerja mengatakan bahwa paspor mereka ditahan oleh agen.", "id"},
        {"Рабочие сказали, что их паспорта забрал работодатель.", "ru"},
        {"工人说他们的护照被雇主扣押了。", "zh"},
        {"労働者はパスポートを取り上げられたと言った。", "ja"},
        {"คนงานกล่าวว่าหนังสือเดินทางถูกยึด", "th"},
        {"قال العمال إن جوازات سفرهم محتجزة لدى صاحب العمل.", "ar"},
        /* two sentences, two languages */
        {"The audit was fine. Die Pässe werden einbehalten.", "en de"},
        /* no function word: every language of the script */
        {"Passports held.", "en de fr es pt it nl pl tr id vi"},
        {"12345 %%%", ""},
    };
    char got[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        langs_of(cases[i].text, got, sizeof got);
        if (strcmp(got, cases[i].langs) != 0)
            fail_msg("case %zu: '%s' detected as '%s', wanted '%s'", i, cases[i].text, got,
                     cases[i].langs);
    }
}

/* Append the UTF-8 of code point c to out at *o. */
static void put_cp(char *out, size_t *o, unsigned c)
{
    if (c < 0x80) {
        out[(*o)++] = (char)c;
    } else if (c < 0x800) {
        out[(*o)++] = (char)(0xC0 | c >> 6);
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    } else {
        out[(*o)++] = (char)(0xE0 | c >> 12);
        out[(*o)++] = (char)(0x80 | (c >> 6 & 0x3F));
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    }
}

typedef enum evasion { EV_SHY, EV_ZWSP, EV_FULLWIDTH, EV_CYRILLIC, EV_MIXED, EV_COUNT } evasion;

/* Rewrite in as a supplier hiding its words would: a soft hyphen or zero-width
 * space inside every word of four letters or more, every ASCII character in its
 * full-width form, one Cyrillic look-alike in every word of three letters or
 * more, or zero-width spaces, bidi isolates and look-alikes together. */
static void evade(const char *in, evasion how, char *out, size_t n)
{
    static const char latin[] = "aeopcxy";
    static const unsigned cyr[] = {0x430, 0x435, 0x43E, 0x440, 0x441, 0x445, 0x443};
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 16 < n;) {
        unsigned char c = (unsigned char)in[i];
        bool alpha = (unsigned)((c | 32) - 'a') < 26u;
        if (how == EV_FULLWIDTH) {
            if (c > 0x20 && c < 0x7F)
                put_cp(out, &o, 0xFF01 + (c - 0x21));
            else
                out[o++] = (char)c;
            i++;
            continue;
        }
        if (!alpha) {
            out[o++] = in[i++];
            continue;
        }
        size_t w = i;
        while ((unsigned)((in[w] | 32) - 'a') < 26u)
            w++;
        bool swapped = false;
        for (size_t k = i; k < w && o + 16 < n; k++) {
            const char *l = strchr(latin, in[k]);
            if ((how == EV_CYRILLIC || how == EV_MIXED) && w - i >= 3 && !swapped && l) {
                put_cp(out, &o, cyr[l - latin]);
                swapped = true;
            } else {
                out[o++] = in[k];
            }
            if (k == i + 1 && w - i >= 4) {
                if (how == EV_SHY)
                    put_cp(out, &o, 0xAD);
                if (how == EV_ZWSP || how == EV_MIXED)
                    put_cp(out, &o, 0x200B);
            }
        }
        if (how == EV_MIXED && w - i >= 4)
            put_cp(out, &o, 0x2069); /* a stray POP DIRECTIONAL ISOLATE */
        i = w;
    }
    out[o] = '\0';
}

typedef struct hits {
    const rf_ruleset *rs;
    size_t tried, failed;
} hits;

/* Try every evasion of one `expect hit` text example on its rule. */
static void try_evasions(const rf_example_outcome *o, void *ud)
{
    hits *h = ud;
    if (!o->expect_hit || o->example[0] == '{')
        return;
    size_t ri = 0;
    while (rf_ruleset_rule(h->rs, ri) != o->rule)
        ri++;
    static char v[8192];
    for (int how = 0; how < EV_COUNT; how++) {
        evade(o->example, (evasion)how, v, sizeof v);
        bool fired = false;
        assert_int_equal(rf_ruleset_try_text(h->rs, ri, v, strlen(v), &fired), RF_OK);
        h->tried++;
        if (!fired) {
            h->failed++;
            print_message("%s:%d: rule %s misses evasion %d: %s\n", o->rule->file, o->line,
                          o->rule->id, how, v);
        }
    }
}

/* Every shipped rule's own `expect hit` examples still hit when written with
 * soft hyphens, zero-width spaces, full-width letters, Cyrillic look-alikes
 * or all of them (issue 19: detection evasion). */
static void test_evasions(void **state)
{
    (void)state;
    const char *top = getenv("RF_SRCDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rules", top ? top : ".");
    const char *paths[] = {dir};
    rf_ruleset *rs = NULL;
    rf_diag d;
    if (rf_ruleset_compile(&rs, paths, 1, &d) != RF_OK)
        fail_msg("%s:%d:%d: %s", d.file, d.line, d.col, d.msg);
    hits h = {rs, 0, 0};
    size_t total, failed;
    assert_int_equal(rf_ruleset_test(rs, try_evasions, &h, &total, &failed), RF_OK);
    assert_true(h.tried >= 5 * 50);
    assert_int_equal(h.failed, 0);
    /* the evasions are real: with the same rules, the raw bytes do not match */
    char v[256];
    evade("Passports are held by the agent.", EV_ZWSP, v, sizeof v);
    assert_non_null(strstr(v, "\xe2\x80\x8b"));
    rf_ruleset_destroy(rs);
}

/* Run the rule tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_errors), cmocka_unit_test(test_evaluation),
        cmocka_unit_test(test_evidence),       cmocka_unit_test(test_scopes),       cmocka_unit_test(test_match_limit),
        cmocka_unit_test(test_examples),       cmocka_unit_test(test_shipped_rules),
        cmocka_unit_test(test_invalid_utf8),   cmocka_unit_test(test_canonical_evidence),
        cmocka_unit_test(test_evasions),       cmocka_unit_test(test_lexicons),
        cmocka_unit_test(test_lexicon_errors), cmocka_unit_test(test_declared_indicator),
        cmocka_unit_test(test_trace),          cmocka_unit_test(test_lang_detect),
    };
    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
