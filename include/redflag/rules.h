/* redflag — the rule language compiler and the scanner (docs/RULES.md).
 *
 * Compile once, scan many: rf_ruleset_compile() turns .rules files into an
 * immutable ruleset (PCRE2 patterns JIT-compiled, with match and depth
 * limits); each thread makes its own rf_scanner, which holds the PCRE2 match
 * data. The syntax is documented in docs/RULES.md. */
#ifndef REDFLAG_RULES_H
#define REDFLAG_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "redflag/common.h"
#include "redflag/record.h"
#include "redflag/result.h"

typedef struct rf_ruleset rf_ruleset;
typedef struct rf_scanner rf_scanner;

/* Where compilation failed: file:line:column and what was expected. */
typedef struct rf_diag {
    char file[512];
    int line, col;
    char msg[512];
} rf_diag;

/* What a rule depends on. A party rule reads only fields of one party that
 * the profile cache keys on (its name, country and identifiers: e.g.
 * `fields supplier.name`); its flags are part of the party's cached
 * profile (docs/CACHE.md). Every other rule is a record rule. */
typedef enum rf_rule_scope {
    RF_SCOPE_RECORD, RF_SCOPE_SUPPLIER, RF_SCOPE_MANUFACTURER, RF_SCOPE_COUNT
} rf_rule_scope;

/* What `rules list` shows of one rule; every string owned by the ruleset. */
typedef struct rf_rule_info {
    const char *id, *title, *indicator;
    rf_level severity;
    int weight;
    const char *sources;    /* joined with "; " */
    const char *guideline;  /* joined with "; " */
    const char *file;
    int line;
    size_t nhit, nmiss;     /* number of `expect hit` / `expect miss` examples */
    rf_rule_scope scope;    /* record rule, or the party whose fields it reads */
} rf_rule_info;

/* Compile every *.rules file named in paths (files, or directories whose
 * *.rules files are read in name order). On RF_ESYNTAX / RF_EIO the diag says
 * where and why. *out owned by the caller (rf_ruleset_destroy). */
RF_API int rf_ruleset_compile(rf_ruleset **out, const char *const *paths, size_t npaths,
                              rf_diag *diag);
/* Free a ruleset; NULL is fine. Scanners made from it must be gone first. */
RF_API void rf_ruleset_destroy(rf_ruleset *rs);
/* Number of rules. */
RF_API size_t rf_ruleset_count(const rf_ruleset *rs);
/* Description of rule i (0 ≤ i < count). */
RF_API const rf_rule_info *rf_ruleset_rule(const rf_ruleset *rs, size_t i);
/* A hex digest of the compiled rules' source text (changes whenever any
 * rule file changes); the cache keys its generation on it. Owned by rs. */
RF_API const char *rf_ruleset_digest(const rf_ruleset *rs);

/* The fields a party rule of scope may read, as a bit set (1 << field); 0 for
 * RF_SCOPE_RECORD. */
RF_API uint64_t rf_scope_fields(rf_rule_scope scope);
/* How many rules of rs have this scope. */
RF_API size_t rf_ruleset_scope_count(const rf_ruleset *rs, rf_rule_scope scope);

/* The name of a scope: "record", "supplier", "manufacturer". */
RF_API const char *rf_scope_name(rf_rule_scope scope);

/* Create a scanner for rs (rs must outlive it). */
RF_API int rf_scanner_create(rf_scanner **out, const rf_ruleset *rs);
/* Free a scanner; NULL is fine. */
RF_API void rf_scanner_destroy(rf_scanner *s);
/* Evaluate every rule on rec, appending one flag per rule that fires to res
 * (does not score: call rf_result_score() after adding list matches).
 * RF_ELIMIT is never returned for a pattern: a pattern that hits its match
 * limit counts as not matching and the rule is reported in
 * rf_scanner_limit_hits(). */
RF_API int rf_scanner_scan(rf_scanner *s, const rf_record *rec, rf_result *res);
/* Evaluate only the rules of one scope on rec (same flags as rf_scanner_scan
 * gives for them). rf_scanner_scan() = every scope, in rule order. */
RF_API int rf_scanner_scan_scope(rf_scanner *s, const rf_record *rec, rf_rule_scope scope,
                                 rf_result *res);
/* The ruleset a scanner evaluates. */
RF_API const rf_ruleset *rf_scanner_ruleset(const rf_scanner *s);
/* Turn the literal prefilter on (default) or off. Verdicts are identical
 * either way (patterns are only skipped when a literal every match needs is
 * absent); off is for tests and benchmarks. */
RF_API void rf_scanner_set_prefilter(rf_scanner *s, bool on);
/* How many pattern evaluations hit the PCRE2 match/depth limit so far. */
RF_API unsigned long rf_scanner_limit_hits(const rf_scanner *s);

/* One example's outcome, for `rules test`. */
typedef struct rf_example_outcome {
    const rf_rule_info *rule;
    bool expect_hit;        /* the example said hit (else miss) */
    bool fired;             /* what the rule did */
    const char *example;    /* the example as written (ruleset) */
    int line;               /* its line in the rule file */
} rf_example_outcome;

typedef void (*rf_example_cb)(const rf_example_outcome *o, void *ud);

/* Run every rule's examples; cb (may be NULL) is called for each. Sets
 * *total and *failed. Returns RF_OK or RF_ENOMEM. */
RF_API int rf_ruleset_test(const rf_ruleset *rs, rf_example_cb cb, void *ud, size_t *total,
                           size_t *failed);

#endif
