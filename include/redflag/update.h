/* redflag — bringing the risk lists up to date (`redflag fetch`, and the
 * first `screen` on a machine with no index).
 *
 * rf_update() walks the feeds of a feeds.conf. For each enabled feed it
 * fetches the official URL(s) (unless offline), checks that the download
 * parses and holds entries, and only then makes it the feed's last good copy
 * in DATA/feeds/NAME/; a failed, truncated, empty, wrong-type or unparseable
 * download never replaces it, and the other feeds still update. Offline, or
 * for feeds not selected, the last good copy is used, else the bundled
 * snapshot. Waits are bounded: each download by the fetcher's limits (see
 * fetch.h), each feed (all its files) by fetch.deadline_ms, and the whole run
 * by deadline_ms; a feed not reached in time is reported failed and keeps its
 * last good copy. Then it builds a new list index from every feed's chosen copy,
 * with the name matcher's retrieval keys for every name and alias (name.h),
 * and swaps it in atomically (index.h). The library prints nothing: each
 * feed's outcome goes to a callback. */
#ifndef REDFLAG_UPDATE_H
#define REDFLAG_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"
#include "redflag/feed.h"
#include "redflag/feedconf.h"
#include "redflag/fetch.h"
#include "redflag/index.h"

typedef enum rf_update_outcome {
    RF_UPDATE_FETCHED,     /* a new download, parsed and kept */
    RF_UPDATE_UNCHANGED,   /* the source answered "not modified": last good copy kept */
    RF_UPDATE_KEPT,        /* not fetched (offline or not selected): last good copy used */
    RF_UPDATE_SNAPSHOT,    /* no download yet: the bundled snapshot used */
    RF_UPDATE_FAILED,      /* fetch or check failed: last good copy or snapshot used if any */
    RF_UPDATE_NO_DATA,     /* nothing to use: never fetched and no snapshot */
    RF_UPDATE_DISABLED     /* enabled = no */
} rf_update_outcome;

/* One feed's outcome; strings valid during the callback only. */
typedef struct rf_update_report {
    const rf_feed_def *feed;
    rf_update_outcome outcome;
    const char *message;       /* why it failed, or a note; "" when none */
    const char *source;        /* what was indexed: a path, or "" */
    size_t entities, goods;    /* what the feed gave to the new index */
} rf_update_report;

typedef void (*rf_update_cb)(const rf_update_report *r, void *ud);

typedef struct rf_update_opts {
    bool offline;              /* no network: last good copies, else snapshots */
    const char *const *only;   /* fetch only these feeds (others: last good copy) */
    size_t nonly;
    rf_fetch_opts fetch;       /* timeouts, retries, size cap, CA file (url and dest ignored);
                                  fetch.deadline_ms is one feed's budget, all its files */
    long deadline_ms;          /* all downloads of the run, counted from when fetch.lock is
                                  held; 0 for none (then only the per-feed deadline) */
    rf_update_cb report;
    void *report_ud;
} rf_update_opts;

/* Fill opts with defaults (online, all feeds, rf_fetch_opts_init(), a 30 min
 * run deadline). */
RF_API void rf_update_opts_init(rf_update_opts *o);

/* Update datadir from conf. generation (may be NULL) receives the new index
 * generation; *failed (may be NULL) the number of feeds that failed. RF_OK
 * when an index was built and swapped in, even if some feeds failed (they
 * count in *failed and their last good data is indexed); RF_ESTORE / RF_EIO
 * / RF_ENOMEM when no index could be built (the old one stays), with a
 * message in rf_update_error(). RF_ENOTFOUND when `only` names an unknown feed. */
RF_API int rf_update(const rf_feedconf *conf, const char *datadir, const rf_update_opts *o,
                     char generation[RF_INDEX_GEN_HEX], size_t *failed);

/* The message for the last failing rf_update() in this thread; static per thread. */
RF_API const char *rf_update_error(void);

/* "fetched", "unchanged", …; static storage. */
RF_API const char *rf_update_outcome_name(rf_update_outcome o);

#endif
