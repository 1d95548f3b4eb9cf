/* redflag — finding listed parties (issue #4): candidates retrieved from the
 * list index by identifiers and name keys, scored with the name matcher
 * (name.h), explained; and the listed_entity flags of a record's parties.
 *
 * A matcher holds an open index and per-list settings; it is not thread
 * safe: make one per thread. Strings in hits stay valid until the next call
 * on the same matcher. */
#ifndef REDFLAG_MATCH_H
#define REDFLAG_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"
#include "redflag/index.h"
#include "redflag/name.h"
#include "redflag/record.h"
#include "redflag/result.h"

/* How a hit on one list counts (from feeds.conf). */
typedef struct rf_list_policy {
    const char *list;     /* feed name */
    const char *title;    /* shown as the flag's source */
    bool critical;        /* a hit makes the record critical */
    int weight;           /* the listed_entity flag's weight */
} rf_list_policy;

/* What a hit at or above the threshold means (docs/MATCHING.md "Verdict"). */
typedef enum rf_match_outcome {
    RF_OUTCOME_MATCH = 0, /* the name is corroborated: identifier, country, or a full
                             distinctive name */
    RF_OUTCOME_POSSIBLE,  /* a strong name with nothing corroborating it, or with a
                             contradiction: at least medium, and `why` says what would
                             confirm or clear it */
    RF_OUTCOME_NONE       /* below the threshold (lookup shows such hits) */
} rf_match_outcome;

/* "match", "possible", "none". */
RF_API const char *rf_match_outcome_name(rf_match_outcome o);

/* One listed entity found for a query. */
typedef struct rf_match_hit {
    const char *list;      /* feed name */
    const char *entity;    /* the list's id */
    const char *name;      /* the entity's primary name */
    const char *matched;   /* the name or alias that scored best */
    const char *alias_kind;/* "name", "aka", "weak", "former" */
    const char *countries; /* alpha-2 codes joined with ", " */
    const char *programs;  /* joined with "; " */
    bool critical;
    double score;
    rf_entity_kind kind;   /* the entry's kind, from its feed */
    rf_match_outcome outcome;
    const char *why;       /* what corroborates, contradicts, or would confirm it; NULL
                              for a hit of an older cache (read as a match) */
    rf_name_explain ex;    /* the score's parts for the best name */
} rf_match_hit;

typedef struct rf_matcher rf_matcher;

/* Make a matcher over ix (which must outlive it). policies (copied) say how
 * each list counts; lists not named count as advisory, weight 50. threshold
 * is the score from which a hit is a match (RF_NAME_THRESHOLD by default). */
RF_API int rf_matcher_create(rf_matcher **out, rf_index *ix, const rf_list_policy *policies,
                             size_t npolicies, double threshold);
/* Free a matcher; NULL is fine. */
RF_API void rf_matcher_destroy(rf_matcher *m);

/* The best hits for a party, best first: at most limit, each scoring at least
 * min_score. *hits points into the matcher. */
RF_API int rf_matcher_lookup(rf_matcher *m, const rf_name_party *q, size_t limit,
                             double min_score, const rf_match_hit **hits, size_t *nhits);

#define RF_PARTY_IDS 8
#define RF_RECORD_PARTIES 32 /* supplier, manufacturer and up to 30 subcontractors */

/* One party of a record as the matcher reads it; p points into the record
 * (valid while it is) and into this struct. */
typedef struct rf_record_party {
    const char *role;        /* "supplier", "manufacturer", "subcontractor" (static) */
    const char *field;       /* "supplier.name", … (static) */
    rf_name_party p;         /* company name, country, identifiers */
    const char *country[1];
    rf_name_ident ids[RF_PARTY_IDS];
    char schemes[RF_PARTY_IDS][32]; /* schemes cut out of "scheme:value" ids */
} rf_record_party;

/* The named parties of a record, in order: supplier, manufacturer,
 * subcontractors; at most max written to out. Returns how many. */
RF_API size_t rf_record_parties(const rf_record *rec, rf_record_party *out, size_t max);

/* The matches of one party: the best hit on each list scoring at least the
 * threshold, best first. *hits points into the matcher (until its next call). */
RF_API int rf_matcher_party(rf_matcher *m, const rf_name_party *p, const rf_match_hit **hits,
                            size_t *n);

/* Add a party's hits to a result: one match each, and one listed_entity flag
 * each, weighted and made critical as the hit's list policy says. The hits may
 * come from rf_matcher_party() or from a cache of its earlier answers. */
RF_API int rf_matcher_report(const rf_matcher *m, rf_result *res, const rf_record_party *party,
                             const rf_match_hit *hits, size_t n);

#endif
