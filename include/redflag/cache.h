/* redflag — the supplier risk profile cache (docs/CACHE.md): an LMDB
 * environment in DATA/cache/ holding, for each party seen, its profile: the
 * list matches rf_matcher_party() found for it and the flags of its party
 * rules, so repeat screening of the same suppliers skips the list lookup. It
 * is a layer in front of party screening (screen.h): the screener gets a
 * party's profile, and on a miss computes it and puts it. The profile
 * encoding (format 2) is described in src/lib/cache_profile.c.
 *
 * Key. A party's strongest identifier (LEI, then DUNS, VAT, GLN, then other
 * schemes in record order), scheme and value normalised (ASCII upper case,
 * letters and digits only): "id:LEI:5493001KJTIIGC8Y1R12". Without a usable
 * identifier: the normalised name (rf_name_normalize().text) and the country
 * upper-cased: "nm:acme textiles|MY". A profile also stores a fingerprint of
 * the exact query (raw name, country, every identifier); a profile whose
 * fingerprint differs from the query's (the same LEI with another name, say)
 * is a miss and is recomputed, so a cached verdict is always the one the
 * matcher would give.
 *
 * Generation. Every profile carries the generation it was made in:
 * rf_cache_generation() hashes the ruleset digest, the index generation, the
 * matcher threshold, the list policies and the redflag version. A profile of
 * another generation, or older than the TTL, is a miss.
 *
 * Writes. rf_cache_put() queues the profile in memory (rf_cache_get() sees it
 * at once); a background thread of the cache commits the queue in one LMDB
 * write transaction when it holds `batch` profiles or its oldest profile is
 * `batch_ms` old, whichever comes first, so a caller never waits for a
 * commit and a profile reaches the disk at most batch_ms after it was made
 * even when no more input comes. rf_cache_flush() commits now and waits.
 *
 * Threads. The calls on one rf_cache must come from one thread at a time
 * (the writer thread is internal). Many processes may use one cache at once.
 *
 * Errors. Functions return rf_err codes: RF_EINVAL, RF_ENOMEM, RF_EIO (the
 * file system: read-only, full, cannot create), RF_ESTORE (LMDB failed or a
 * stored profile is corrupt), RF_ENOTFOUND (a miss; no cache yet). A failed
 * commit is remembered: later puts and flushes return it. The message of the
 * last failing rf_cache_* call in this thread is rf_cache_error(). */
#ifndef REDFLAG_CACHE_H
#define REDFLAG_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"
#include "redflag/match.h"
#include "redflag/rules.h"
#include "redflag/name.h"
#include "redflag/record.h"
#include "redflag/result.h"

/* Hex generation plus NUL. */
#define RF_CACHE_GEN_HEX 65
/* Longest cache key (LMDB's limit); longer name keys are hashed. */
#define RF_CACHE_MAX_KEY 511
/* Most hits a profile keeps (rf_matcher_party gives one per list). */
#define RF_CACHE_MAX_HITS 64
#define RF_CACHE_MAX_FLAGS 64 /* party rule flags a profile keeps (more: not cached) */
/* Runs whose counters `rf_cache_stats` reports. */
#define RF_CACHE_RUNS 16

typedef struct rf_cache rf_cache;

/* How a cache is used; rf_cache_opts_init() sets the defaults. */
typedef struct rf_cache_opts {
    long long ttl;        /* seconds; older profiles are misses; 0: no limit */
    size_t batch;         /* profiles per write transaction (default 256) */
    unsigned batch_ms;    /* commit a queued profile at most this late (default 50) */
    size_t map_size;      /* initial LMDB map size (default 16 MiB; grows when full) */
} rf_cache_opts;

/* One run's counters (a process's use of the cache, from open to close). */
typedef struct rf_cache_run {
    long long started;    /* Unix seconds */
    long pid;
    unsigned long hits;   /* parties answered from the cache */
    unsigned long misses; /* not found */
    unsigned long stale;  /* found, of another generation */
    unsigned long expired;/* found, older than the TTL */
    unsigned long changed;/* found, but the query's fingerprint differs */
    unsigned long stored; /* profiles committed */
} rf_cache_run;

/* What rf_cache_stats() reports. */
typedef struct rf_cache_stat {
    size_t entries;       /* profiles stored */
    size_t other_gen;     /* of them, made in another generation */
    size_t corrupt;       /* of them, that do not decode (should be 0) */
    long long file_bytes; /* data.mdb's apparent size */
    long long disk_bytes; /* blocks allocated on disk */
    size_t map_size;      /* the LMDB map size */
    size_t page_size;
    rf_cache_run runs[RF_CACHE_RUNS]; /* most recent first */
    size_t nruns;
} rf_cache_stat;

/* Defaults: no TTL, 256 profiles or 50 ms per commit, 16 MiB map. */
RF_API void rf_cache_opts_init(rf_cache_opts *o);

/* Parse a TTL: seconds ("3600"), or a number with s, m, h or d ("30d").
 * RF_EINVAL when it is not one. */
RF_API int rf_cache_parse_ttl(const char *s, long long *seconds);

/* The message for the last rf_cache_* call that failed in this thread ("" when
 * none); per-thread storage, valid until the next failing call. */
RF_API const char *rf_cache_error(void);

/* The cache generation (64 hex digits into out): SHA-256 over the ruleset
 * digest, the index generation, the threshold, every policy (sorted by list:
 * list, critical, weight) and the redflag version. rules_digest and
 * index_generation may be NULL (hashed as empty). */
RF_API int rf_cache_generation(const char *rules_digest, const char *index_generation,
                               double threshold, const rf_list_policy *pol, size_t npol,
                               char out[RF_CACHE_GEN_HEX]);

/* The cache key of a party (see above) into buf[0..cap), length in *len.
 * RF_EINVAL when the party has no usable identifier and a name that does not
 * normalise (invalid UTF-8, no letters or digits): such a party is never
 * cached. RF_ELIMIT when cap is too small (RF_CACHE_MAX_KEY always fits). */
RF_API int rf_cache_key(const rf_name_party *p, char *buf, size_t cap, size_t *len);

/* Open (creating DATA/cache/, mode 0700, when missing) the cache for
 * profiles of `generation` (rf_cache_generation). o may be NULL for the
 * defaults. Starts the writer thread. *out owned by the caller
 * (rf_cache_close). RF_EIO when the directory cannot be created or opened
 * (read-only disk…). */
RF_API int rf_cache_open(rf_cache **out, const char *datadir, const char *generation,
                         const rf_cache_opts *o);

/* Commit what is queued (with this run's counters), stop the writer thread
 * and close. Errors of that last commit are lost: call rf_cache_flush()
 * first to see them. NULL is fine. */
RF_API void rf_cache_close(rf_cache *c);

/* The cached matches of a party. RF_OK on a hit: *hits (owned by c, valid
 * until the next call on c) and *n, possibly 0 (a party known to match no
 * list). RF_ENOTFOUND on a miss (absent, another generation, expired, or
 * another query under the same key). Other codes are failures. */
RF_API int rf_cache_get(rf_cache *c, const rf_name_party *p, const rf_match_hit **hits,
                        size_t *n);

/* Store a party's matches (copied; the explanations are not kept). Queued:
 * committed by the writer thread. Returns the error of an earlier failed
 * commit, if any (the profile is then dropped). */
RF_API int rf_cache_put(rf_cache *c, const rf_name_party *p, const rf_match_hit *hits,
                        size_t n);

/* Commit everything queued now and wait for it. RF_OK, or the commit's error
 * (also remembered for later puts). */
RF_API int rf_cache_flush(rf_cache *c);

/* This run's counters so far. */
RF_API void rf_cache_counters(const rf_cache *c, rf_cache_run *run);

/* Inspect DATA/cache/ without changing it: counts, sizes, the profiles of
 * another generation than `generation` (NULL: not counted), undecodable
 * profiles, and the recent runs. RF_ENOTFOUND when there is no cache. */
RF_API int rf_cache_stats(const char *datadir, const char *generation, rf_cache_stat *st);

/* Remove every profile (one write transaction: safe while other processes
 * screen with the cache; the file keeps its size, its pages are reused).
 * *removed (may be NULL) receives how many there were. RF_ENOTFOUND when
 * there is no cache. */
RF_API int rf_cache_clear(const char *datadir, size_t *removed);

#endif
