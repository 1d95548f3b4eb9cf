/* redflag — the feed list (feeds/feeds.conf): which public lists to fetch,
 * from where, in which format, under which licence, how often, and whether a
 * hit on them is critical. INI-like: one [name] section per feed, key = value
 * lines, # comments. Unknown keys and formats are errors (file:line). */
#ifndef REDFLAG_FEEDCONF_H
#define REDFLAG_FEEDCONF_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"
#include "redflag/rules.h"

/* The feed formats, one line each: X(ENUM, name) gives RF_FEED_ENUM and the
 * feeds.conf name. A new format is one file in src/lib/feeds/ exporting
 * feed_<name> (docs/ARCHITECTURE.md "Adding a feed format") and its line here. */
#define RF_FEED_FORMATS(X)                                                                    \
    X(OFAC_XML, ofac_xml)                                                                     \
    X(OFAC_CSV, ofac_csv)                                                                     \
    X(UN_XML, un_xml)                                                                         \
    X(CSL_CSV, csl_csv)                                                                       \
    X(UFLPA_HTML, uflpa_html)                                                                 \
    X(DOL_GOODS_XML, dol_goods_xml)                                                           \
    X(FTM_JSON, ftm_json)                                                                     \
    X(MAPPED_CSV, mapped_csv)                                                                 \
    X(OFAC_ENHANCED_XML, ofac_enhanced_xml)

#define RF_FEED_ENUM_(E, n) RF_FEED_##E,
typedef enum rf_feed_format { RF_FEED_FORMATS(RF_FEED_ENUM_) RF_FEED_NFORMATS } rf_feed_format;
#undef RF_FEED_ENUM_

/* One feed. Every string is owned by the rf_feedconf and lives as long as it. */
typedef struct rf_feed_def {
    const char *name;            /* the section name: [us_uflpa] */
    const char *title;
    const char *url;             /* https/http URL or a local path */
    const char *alt_url, *add_url; /* ofac_csv: ALT.CSV and ADD.CSV, or NULL */
    rf_feed_format format;
    const char *licence;
    bool non_commercial;
    long cadence_days;           /* expected update interval; 0 when not given */
    bool critical;               /* a hit is a confirmed forced-labour listing */
    int weight;                  /* a hit's flag weight, 0..100 (default: 100 critical, else 50) */
    bool enabled;
    const char *const *snapshots; /* bundled copies, paths relative to snapshot_dir */
    size_t nsnapshots;
    rf_feed_format snapshot_format;
    const char *snapshot_date;   /* YYYY-MM-DD or NULL */
    const char *const *map;      /* mapped_csv: "FIELD=Column" pairs */
    size_t nmap;
    int line;                    /* where the section starts */
} rf_feed_def;

typedef struct rf_feedconf {
    rf_feed_def *feeds;
    size_t nfeeds;
    const char *path;            /* the file read */
    const char *snapshot_dir;    /* <dir of the file>/snapshots */
} rf_feedconf;

/* Read a feeds.conf. *out owned by the caller (rf_feedconf_destroy). On
 * RF_ESYNTAX / RF_EIO the diag says file:line and what is wrong. */
RF_API int rf_feedconf_load(rf_feedconf **out, const char *path, rf_diag *diag);
/* Free a feed list; NULL is fine. */
RF_API void rf_feedconf_destroy(rf_feedconf *c);
/* The feed with this name, or NULL. */
RF_API const rf_feed_def *rf_feedconf_find(const rf_feedconf *c, const char *name);
/* "ofac_xml", …; static storage. */
RF_API const char *rf_feed_format_name(rf_feed_format f);

#endif
