/* redflag — the verdict for one record (docs/ARCHITECTURE.md "Result"), and scoring.
 *
 * A result is filled by the scanner and read by the writers. Strings marked
 * "ruleset" are owned by the compiled ruleset and live as long as it does;
 * strings marked "result" are owned by the result and stay valid until the
 * next rf_result_reset() or rf_result_destroy(). */
#ifndef REDFLAG_RESULT_H
#define REDFLAG_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"

typedef enum rf_level {
    RF_LEVEL_NONE, RF_LEVEL_LOW, RF_LEVEL_MEDIUM, RF_LEVEL_HIGH, RF_LEVEL_CRITICAL
} rf_level;

typedef struct rf_flag {
    const char *rule;      /* rule id (ruleset) */
    const char *indicator; /* indicator id of docs/INDICATORS.md (ruleset) */
    rf_level severity;     /* the rule's declared severity */
    int weight;            /* 0..100 */
    const char *field;     /* dotted path of the field that gave the evidence (static) */
    const char *evidence;  /* the matched sentence or value, clipped (result) */
    const char *source;    /* the rule's sources joined with "; " (ruleset or result) */
    const char *guideline; /* guideline references joined with "; " (ruleset) */
} rf_flag;

typedef struct rf_match {
    const char *party;     /* "supplier", "manufacturer", "subcontractor" (static) */
    const char *list;      /* feed name, e.g. "us_uflpa" (result) */
    const char *entity;    /* entity id on that list (result) */
    const char *name;      /* the listed name that matched (result) */
    double score;          /* 0..1 */
    bool critical;         /* the list is a critical one (UFLPA, CBP) and the match is
                              corroborated */
    const char *kind;      /* the entry's kind: "organisation", "person", "vessel",
                              "aircraft", "unknown" (static), or NULL when not known */
    const char *outcome;   /* "match" or "possible" (static), or NULL (read as "match") */
    const char *why;       /* what corroborates it, or what would confirm or clear it
                              (result), or NULL */
} rf_match;

/* A rule whose patterns hit a PCRE2 match, depth or heap limit on a field:
 * the rest of that field was not scanned for it, so the verdict may miss it. */
typedef struct rf_incomplete {
    const char *rule;      /* rule id (result) */
    const char *field;     /* dotted path of the field (result) */
} rf_incomplete;

typedef struct rf_result {
    const char *id;        /* record id, or NULL (result) */
    const char *source;    /* input name (not owned) */
    long line;             /* input line of the record (1-based) */
    const char *error;     /* non-NULL: the record could not be read (result) */
    rf_level level;
    int score;             /* 0..100 */
    rf_flag *flags;
    size_t nflags;
    rf_match *matches;
    size_t nmatches;
    bool cached;
    const char *supplier;  /* the record's supplier name and country, or NULL: for */
    const char *supplier_country; /* reports only, not in the JSON result (not owned) */
    rf_incomplete *incomplete; /* the rules and fields not fully scanned; */
    size_t nincomplete;        /* nincomplete > 0: the verdict is incomplete */
} rf_result;

/* Create an empty result; owned by the caller (rf_result_destroy). */
RF_API int rf_result_create(rf_result **out);
/* Free a result and its strings; NULL is fine. */
RF_API void rf_result_destroy(rf_result *res);
/* Empty the result for the next record, keeping its buffers. */
RF_API void rf_result_reset(rf_result *res);
/* Copy a string into the result's storage; the copy lives until reset. NULL on ENOMEM. */
RF_API const char *rf_result_strdup(rf_result *res, const char *s, size_t len);
/* Append a flag (its "result" strings must come from rf_result_strdup). */
RF_API int rf_result_add_flag(rf_result *res, const rf_flag *flag);
/* Append a list match (strings copied into the result). */
RF_API int rf_result_add_match(rf_result *res, const rf_match *m);
/* Note that rule did not finish scanning field (both copied; a pair already
 * noted is not added again). */
RF_API int rf_result_add_incomplete(rf_result *res, const char *rule, const char *field);
/* Mark the result as an unreadable record with this message (copied). */
RF_API int rf_result_set_error(rf_result *res, const char *id, const char *msg);

/* Compute score and level from the flags and matches (docs/ARCHITECTURE.md "Scoring"):
 * flags of one indicator count once, at their highest weight; independent
 * indicators combine by noisy-OR, 100 × (1 − Π(1 − w/100)); a match on a
 * critical list makes the level critical whatever the score. */
RF_API void rf_result_score(rf_result *res);

/* "none", "low", "medium", "high", "critical". */
RF_API const char *rf_level_name(rf_level level);
/* Parse a level name; -1 when unknown. */
RF_API int rf_level_parse(const char *name);
/* The level a score falls in: 0 none, <25 low, <50 medium, <75 high, else critical. */
RF_API rf_level rf_level_of_score(int score);

#endif
