/* redflag — screening a record: the one call a program makes (docs/ARCHITECTURE.md).
 *
 * Two objects, in the manner of YARA's compiled rules and scanners:
 *
 *   rf_engine    made once from options: the compiled ruleset, the list index
 *                and per-list policies, the goods x origin table and the
 *                supplier profile cache. After rf_engine_create() it is never
 *                changed by screening, and any number of threads may share
 *                it: the ruleset, index and goods table are read-only, and the
 *                cache is used under the engine's own lock.
 *   rf_screener  one per thread: the rule scanner (PCRE2 match data), the
 *                name matcher (candidate tables), the goods scanner and the
 *                cache probe. Not thread safe; cheap to make.
 *
 * rf_screener_screen() runs the whole path of a record: record rules, goods x
 * origin, then each party (supplier, manufacturer, subcontractors) through the
 * cache layer (a hit replays the party's list matches and party rule flags; a
 * miss runs the matcher and the party rules, then stores the profile), and
 * last the score and level.
 *
 * Ownership: the engine borrows the ruleset (and an index passed in opts);
 * both must outlive it. It owns what it opens itself (the index of
 * opts.data_dir, the goods table, the cache). A screener must be destroyed
 * before its engine. Strings in a result are valid as result.h says.
 *
 * Errors: rf_err codes (common.h); the message of the last failing
 * rf_engine_* or rf_screener_* call in this thread is rf_screen_error().
 * Degradations that do not stop screening (no goods table, the cache could not
 * be opened or failed mid-run) are notes, never printed: the caller shows
 * them (rf_engine_notes(), rf_screener_warning()). */
#ifndef REDFLAG_SCREEN_H
#define REDFLAG_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/cache.h"
#include "redflag/common.h"
#include "redflag/feedconf.h"
#include "redflag/goods.h"
#include "redflag/index.h"
#include "redflag/match.h"
#include "redflag/record.h"
#include "redflag/result.h"
#include "redflag/rules.h"

typedef struct rf_engine rf_engine;
typedef struct rf_screener rf_screener;

/* How an engine screens; rf_engine_opts_init() sets the defaults. */
typedef struct rf_engine_opts {
    const rf_ruleset *rules;          /* borrowed; NULL: lists only (`lookup`) */
    const char *data_dir;             /* the list index (unless index is set) and the cache */
    rf_index *index;                  /* an open index to use instead (borrowed), or NULL */
    const rf_feedconf *conf;          /* the feed list: how each list counts (weight,
                                         critical, title); read during create only */
    const rf_list_policy *policies;   /* or explicit policies (copied); neither: advisory, 50 */
    size_t npolicies;
    const char *goods_path;           /* the goods x origin table (rules/goods.tsv), or NULL */
    bool lists;                       /* match parties and goods x origin (default true) */
    bool cache;                       /* keep party profiles in DATA/cache (default true) */
    long long cache_ttl;              /* seconds; 0: no maximum age */
    bool prefilter;                   /* the literal prefilter (default true; same verdicts) */
    double threshold;                 /* name score from which a hit is a match */
    rf_diag *diag;                    /* optional: where a goods table syntax error is put */
} rf_engine_opts;

/* Defaults: lists, cache and prefilter on, RF_NAME_THRESHOLD, nothing else set. */
RF_API void rf_engine_opts_init(rf_engine_opts *o);
/* Make an engine. With lists and no index, opts->data_dir's index is opened
 * (RF_ENOTFOUND when there is none yet: build it with rf_update()). A goods
 * table that cannot be read is a note; one with a syntax error is
 * RF_ESYNTAX (details in opts->diag). */
RF_API int rf_engine_create(rf_engine **out, const rf_engine_opts *opts);
/* Commit the cache's queued profiles now; RF_OK without a cache. */
RF_API int rf_engine_flush(rf_engine *e);
/* Flush and free; NULL is fine. */
RF_API void rf_engine_destroy(rf_engine *e);
/* The notes made while creating the engine (engine-owned strings), *n of them. */
RF_API const char *const *rf_engine_notes(const rf_engine *e, size_t *n);
/* The parts in use, NULL when absent (engine-owned). */
RF_API rf_index *rf_engine_index(const rf_engine *e);
RF_API const rf_goods_table *rf_engine_goods(const rf_engine *e);
RF_API rf_cache *rf_engine_cache(const rf_engine *e);

/* A screener for the calling thread. */
RF_API int rf_screener_create(rf_screener **out, rf_engine *e);
/* Free; NULL is fine. */
RF_API void rf_screener_destroy(rf_screener *s);
/* Screen one record into res (reset it first): its id, source and supplier,
 * every flag and match, the score and level. */
RF_API int rf_screener_screen(rf_screener *s, const rf_record *rec, rf_result *res);
/* The best list hits for one party (`lookup`): at most limit, each scoring at
 * least min_score; *hits valid until the screener's next call. RF_ENOTFOUND
 * when the engine has no lists. */
RF_API int rf_screener_lookup(rf_screener *s, const rf_name_party *q, size_t limit,
                              double min_score, const rf_match_hit **hits, size_t *nhits);
/* A degradation seen since the last call (the cache failed and screening goes
 * on without it), once; NULL when there is none. Screener-owned. */
RF_API const char *rf_screener_warning(rf_screener *s);
/* Patterns that stopped at a PCRE2 limit in this screener so far. */
RF_API unsigned long rf_screener_limit_hits(const rf_screener *s);

/* The calling thread's last error message from this module. */
RF_API const char *rf_screen_error(void);

#endif
