/* redflag — goods x origin: the US DOL List of Goods joined with a record's item.
 *
 * The goods table (rules/goods.tsv, format in docs/GOODS.md) maps every good of
 * the US DOL List of Goods Produced by Child Labor or Forced Labor to PCRE2
 * patterns over item.description and to HS / CPV code prefixes. It is compiled
 * once (patterns JIT-compiled, with the rule engine's match, depth and heap
 * limits); the DOL listings (good x country -> child labour, forced labour,
 * forced child labour, derived) are then added from the feed parser's rows or
 * from the index. After that the table is read-only and may be shared by
 * threads; each thread scans with its own rf_goods_scanner (PCRE2 match data).
 *
 * For a record, rf_goods_table_scan() appends one flag per matched (good,
 * country) listing: indicator "high_risk_origin", rule "goods.<slug>".
 *
 * Origin: item.origin; when the record has none, manufacturer.country. Never
 * supplier.country alone: a trader's or distributor's country says nothing
 * about where the good was produced. A record with neither gets no flag.
 *
 * Which field identifies the good: when item.hs is present and the good has HS
 * codes, the HS code decides (an identifying prefix is a hit; a shared prefix,
 * or a code too short to tell, hands over to the description; any other code
 * means "not this good"); else item.cpv decides in the same way; else
 * item.description, through the good's match and exclude patterns.
 *
 * Severity and weight of a flag (docs/ARCHITECTURE.md "Scoring"; a weight >= 50 alone makes a
 * record "high"):
 *   forced child labour                               high    65
 *   forced labour                                     high    60
 *   derived from an input listed for forced labour    high    55
 *   child labour only                                 medium  35
 *   derived from an input listed for child labour,
 *   or whose input's listing is unknown               medium  30 */
#ifndef REDFLAG_GOODS_H
#define REDFLAG_GOODS_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"
#include "redflag/feed.h"
#include "redflag/record.h"
#include "redflag/result.h"
#include "redflag/rules.h"

/* Weights of the flags (see above). */
#define RF_GOODS_W_FORCED_CHILD 65
#define RF_GOODS_W_FORCED 60
#define RF_GOODS_W_DERIVED_FORCED 55
#define RF_GOODS_W_CHILD 35
#define RF_GOODS_W_DERIVED_CHILD 30

typedef struct rf_goods_table rf_goods_table;
typedef struct rf_goods_scanner rf_goods_scanner;

/* One good of the table, for listing and checking; every pointer owned by the
 * table. Code prefixes are digits only (CPV without trailing zeros). */
typedef struct rf_goods_info {
    const char *name;       /* DOL good name as in the table */
    const char *slug;       /* rule is "goods.<slug>" */
    const char *rule;
    const char *input;      /* DOL good that is its input (derived goods), or NULL */
    const char *const *hs;       size_t nhs;       /* identifying HS prefixes */
    const char *const *hs_weak;  size_t nhs_weak;  /* shared HS prefixes */
    const char *const *hs_old;   size_t nhs_old;   /* pre-2022 HS prefixes (shared) */
    const char *const *cpv;      size_t ncpv;      /* identifying CPV prefixes */
    const char *const *cpv_weak; size_t ncpv_weak; /* shared CPV prefixes */
    size_t nmatch, nexclude; /* number of match / exclude lines */
    size_t nlistings;        /* DOL listings added for this good */
    int line;                /* first line of the good in the table file */
} rf_goods_info;

/* Read and compile the goods table at path. On RF_ESYNTAX (bad line, unknown
 * key, bad code, pattern that does not compile, good without a match line,
 * duplicate slug, unknown input good) or RF_EIO, diag (may be NULL) says
 * file:line:col and what is wrong. *out owned by the caller
 * (rf_goods_table_destroy). */
RF_API int rf_goods_table_load(rf_goods_table **out, const char *path, rf_diag *diag);
/* The same from text[0..len); name is used in messages. */
RF_API int rf_goods_table_load_mem(rf_goods_table **out, const char *name, const char *text,
                                   size_t len, rf_diag *diag);
/* Free the table; NULL is fine. Its scanners must be gone first, and results
 * it filled must not be read after (their rule strings are the table's). */
RF_API void rf_goods_table_destroy(rf_goods_table *t);

/* Add one DOL listing (a row from rf_feed_parse_dol_goods or from the index;
 * copied). Good names are compared ignoring case and accents. RF_ENOTFOUND
 * when the table has no row for the good, or row->country is NULL (a country
 * name the parser could not map): the listing is not added, and the caller
 * should report it, since that good cannot be screened. Call before any scan;
 * not thread-safe. */
RF_API int rf_goods_table_add_listing(rf_goods_table *t, const rf_goods *row);
/* Parse a DOL List of Goods XML and add every listing. *unknown (may be NULL)
 * counts rows refused with RF_ENOTFOUND; the parse still goes on. Returns the
 * parser's error, if any (diag says where). */
RF_API int rf_goods_table_add_dol(rf_goods_table *t, const rf_feed_src *src, size_t *unknown,
                                  rf_feed_diag *diag);
/* Name the edition in evidence, e.g. "2021" -> "(US DOL List of Goods 2021)";
 * NULL or "" for none. Copied. */
RF_API int rf_goods_table_set_edition(rf_goods_table *t, const char *edition);

/* Number of goods; description of good i (NULL when out of range). */
RF_API size_t rf_goods_table_count(const rf_goods_table *t);
RF_API const rf_goods_info *rf_goods_table_good(const rf_goods_table *t, size_t i);
/* Index of the good with this DOL name (ignoring case and accents), or -1. */
RF_API int rf_goods_table_find(const rf_goods_table *t, const char *name);
/* Number of listings added. */
RF_API size_t rf_goods_table_listings(const rf_goods_table *t);

/* A per-thread scanner for t (t must outlive it). */
RF_API int rf_goods_scanner_create(rf_goods_scanner **out, const rf_goods_table *t);
/* Free a scanner; NULL is fine. */
RF_API void rf_goods_scanner_destroy(rf_goods_scanner *s);
/* Pattern evaluations that hit the PCRE2 match limit (counted as no match). */
RF_API unsigned long rf_goods_scanner_limit_hits(const rf_goods_scanner *s);

/* Join rec's item with its origin against the table, appending one flag per
 * matched (good, country) listing to res (rule and indicator owned by t;
 * evidence and source copied into res). Does not score. RF_EINVAL when s was
 * made for another table; RF_ENOMEM. */
RF_API int rf_goods_table_scan(const rf_goods_table *t, rf_goods_scanner *s,
                               const rf_record *rec, rf_result *res);

#endif
