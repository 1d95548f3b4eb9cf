/* The profile cache's private parts, shared by its files: cache.c (open,
 * close, get, put), cache_key.c (keys, generations), cache_memo.c (probes and
 * the in-process memo), cache_profile.c (encoding), cache_env.c (LMDB, stats,
 * clear), cache_writer.c (queue and writer thread), and screen_party.c, which
 * screens a record's parties through the cache with a probe per party.
 * Nothing here is API. */
#ifndef REDFLAG_CACHE_INT_H
#define REDFLAG_CACHE_INT_H
#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "fnv.h"
#include "index_int.h"
#include "redflag/cache.h"

#define FORMAT 3
#define GEN_BYTES 32
#define MAX_RUNS_KEPT 64
#define MAP_MAX ((size_t)1 << 40)
#define MEMO_SLOTS 32768 /* queries remembered per process (power of two) */
#define MEMO_WAYS 4      /* a query lives in one of 4 neighbouring slots */

/* A party's exact query remembered with its key and, once known, its profile
 * value, so a repeated supplier is neither normalised again (ICU
 * normalisation is most of a key's cost) nor read from LMDB again. Only
 * values of this cache's generation that passed the checks, or that this
 * process made, are remembered: same generation and query, same verdict. */
typedef struct memo {
    uint64_t h;               /* hash of the query; 0 = empty */
    size_t qlen, klen, vlen;  /* vlen 0: no profile remembered yet */
    char *buf;                /* query bytes, key bytes, then the value */
} memo;

/* One queued profile: key and encoded value in one allocation. */
typedef struct pend {
    uint64_t h;               /* hash of the key */
    size_t klen, vlen;
    char *kv;                 /* key bytes then value bytes */
} pend;

/* A queue of profiles. */
typedef struct queue {
    pend *v;
    size_t n, cap;
} queue;

/* A party prepared for the cache: its key and its exact query. */
typedef struct probe {
    char key[RF_CACHE_MAX_KEY + 1];
    size_t klen;
    uint64_t h;
    gbuf query;
    memo *m;                  /* its memo slot, or NULL */
    uint64_t qh;              /* the query's memo hash (with a memo) */
    bool need_flags;          /* only a profile with party rule flags answers it */
} probe;

/* What one profile holds besides its header. */
typedef struct profile {
    const rf_match_hit *hits;
    size_t nhits;
    bool has_flags;           /* the party rules' flags were recorded */
    const rf_flag *flags;     /* party rule flags (strings point into the value) */
    size_t nflags;
} profile;

struct rf_cache {
    MDB_env *env;
    MDB_dbi prof, runs;
    MDB_txn *rtxn;             /* the caller's read transaction, reset between gets */
    unsigned char gen[GEN_BYTES];
    rf_cache_opts o;
    pthread_mutex_t mu;        /* guards everything below it */
    pthread_cond_t wake, done;
    pthread_rwlock_t maplock;  /* exclusive only while the map is resized */
    pthread_t writer;
    bool started, stop;
    queue pending, inflight;
    struct timespec first;     /* when the oldest pending profile was queued */
    unsigned long flush_req, flush_done;
    int werr;                  /* a failed commit, remembered */
    char werrmsg[1024];
    rf_cache_run run;
    unsigned char runkey[16];
    gbuf val;                 /* the value of the last get (hits point into it) */
    memo *memo;                /* MEMO_SLOTS remembered queries, or NULL */
    unsigned memo_clock;       /* picks the slot a new query replaces */
    rf_match_hit hits[RF_CACHE_MAX_HITS];
    rf_flag flags[RF_CACHE_MAX_FLAGS];
};

/* A decoded profile header (the hits go to an array). */
typedef struct decoded {
    const unsigned char *gen;
    long long created;
    const unsigned char *query;
    size_t qlen;
    const char *norm;
    size_t n;
    bool has_flags;
    size_t nflags;
} decoded;

/* The calling thread's last message (cache.c). */
extern _Thread_local char cache_errmsg[1024];
/* Record the thread's message and hand back the code. */
int cache_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An LMDB or system error code as an rf_err: the disk's troubles are I/O. */
int cache_mdb_fail(int rc, const char *what);

/* FNV-1a over bytes (memo, queue lookups, profile checksums). */
static inline uint64_t cache_fnv(const void *p, size_t n)
{
    return fnv1a(FNV1A_INIT, p, n);
}

/* cache_key.c: the key of a party (its strongest identifier, else its name and country). */
int cache_party_key(const rf_name_party *p, char *buf, size_t cap, size_t *len);

/* cache_memo.c: prepare a party (query, key, hash) for scope; c may be NULL
 * (no memo). pr->query is the caller's to free with gbuf_free. */
int cache_probe_make(probe *pr, const rf_name_party *p, rf_rule_scope scope, rf_cache *c);
/* Remember in m the probe's query and key, with value (vlen bytes, may be 0). */
void cache_memo_set(memo *m, const probe *pr, const void *value, size_t vlen);

/* cache_profile.c */
void cache_encode(gbuf *b, const unsigned char gen[GEN_BYTES], const probe *pr,
                  const char *norm, const profile *pf);
int cache_decode(const void *val, size_t len, decoded *d, rf_match_hit *hits, rf_flag *flags);
int cache_gen_bytes(const char *hex, unsigned char out[GEN_BYTES]);

/* cache_env.c */
int cache_dir(const char *datadir, char *buf, size_t cap, bool create);
int cache_env_open(MDB_env **out, MDB_dbi *prof, MDB_dbi *runs, const char *dir, size_t map);
int cache_grow_map(rf_cache *c, bool full);
int cache_write_batch(rf_cache *c, const queue *q, const rf_cache_run *run);

/* cache_writer.c */
void cache_queue_clear(queue *q);
const pend *cache_queue_find(const queue *q, const char *key, size_t klen, uint64_t h);
void *cache_writer_main(void *arg);

/* cache.c: look a prepared party up (memo, queue, LMDB): RF_OK with *pf, or
 * RF_ENOTFOUND (miss, stale, expired, changed, corrupt), or another error.
 * pf's hits and flags point into the cache until its next call. */
int cache_probe_get(rf_cache *c, const probe *pr, profile *pf);
/* Queue a prepared party's profile. */
int cache_probe_put(rf_cache *c, const probe *pr, const rf_name_party *p, const profile *pf);

#endif
