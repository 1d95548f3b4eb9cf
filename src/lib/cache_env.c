/* The cache's LMDB environment in DATA/cache/: opening it, writing one batch
 * of profiles with the run's counters, growing the map, and the `cache stats`
 * and `cache clear` views of it. */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_int.h"
#include <sys/stat.h>

/* ---- the environment ---- */

/* DATA/cache into buf, creating DATA and it (0700) when `create`. */
int cache_dir(const char *datadir, char *buf, size_t cap, bool create)
{
    if (!datadir || !*datadir)
        return cache_fail(RF_EINVAL, "no data directory");
    if ((size_t)snprintf(buf, cap, "%s/cache", datadir) >= cap)
        return cache_fail(RF_ELIMIT, "data directory path too long");
    struct stat st;
    if (stat(buf, &st) == 0)
        return S_ISDIR(st.st_mode) ? RF_OK : cache_fail(RF_EIO, "%s is not a directory", buf);
    if (!create)
        return cache_fail(RF_ENOTFOUND, "no cache in %s", datadir);
    if ((mkdir(datadir, 0700) != 0 && errno != EEXIST) || (mkdir(buf, 0700) != 0 && errno != EEXIST))
        return cache_fail(errno == ENOMEM ? RF_ENOMEM : RF_EIO, "cannot create %s: %s", buf,
                    strerror(errno));
    return RF_OK;
}

/* Open the LMDB environment and its two databases. */
int cache_env_open(MDB_env **out, MDB_dbi *prof, MDB_dbi *runs, const char *dir, size_t map)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    int rc = mdb_env_create(&env);
    if (rc == 0 && (rc = mdb_env_set_maxdbs(env, 4)) == 0 &&
        (rc = mdb_env_set_mapsize(env, map)) == 0)
        rc = mdb_env_open(env, dir, MDB_NOTLS | MDB_NOMETASYNC, 0600);
    if (rc != 0) {
        rc = cache_mdb_fail(rc, "cannot open the cache");
        goto out;
    }
    int dead;
    mdb_reader_check(env, &dead); /* free slots of killed readers */
    if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
        if ((rc = mdb_dbi_open(txn, "profiles", MDB_CREATE, prof)) != 0 ||
            (rc = mdb_dbi_open(txn, "runs", MDB_CREATE, runs)) != 0)
            mdb_txn_abort(txn);
        else
            rc = mdb_txn_commit(txn); /* frees txn, whatever it returns */
    }
    if (rc != 0) {
        rc = cache_mdb_fail(rc, "cannot open the cache databases");
        goto out;
    }
    *out = env;
    return RF_OK;
out:
    mdb_env_close(env);
    return rc;
}

/* Adopt a map grown by another process, or double ours when it is full. */
int cache_grow_map(rf_cache *c, bool full)
{
    pthread_rwlock_wrlock(&c->maplock);
    MDB_envinfo info;
    mdb_env_info(c->env, &info);
    size_t want = full ? info.me_mapsize * 2 : 0;
    int rc = want > MAP_MAX ? MDB_MAP_FULL : mdb_env_set_mapsize(c->env, want);
    pthread_rwlock_unlock(&c->maplock);
    return rc;
}

/* Put one queued profile, and this run's counters. */
static int put_run(rf_cache *c, MDB_txn *txn, const rf_cache_run *run)
{
    gbuf b = {0};
    uint64_t v[] = {(uint64_t)run->started, (uint64_t)run->pid, run->hits, run->misses,
                    run->stale, run->expired, run->changed, run->stored};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ix_put_varint(&b, v[i]);
    MDB_val k = {sizeof c->runkey, c->runkey}, d = {b.len, b.p};
    int rc = b.oom ? ENOMEM : mdb_put(txn, c->runs, &k, &d, 0);
    gbuf_free(&b);
    MDB_stat st;
    if (rc == 0 && (rc = mdb_stat(txn, c->runs, &st)) == 0 && st.ms_entries > MAX_RUNS_KEPT) {
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(txn, c->runs, &cur)) == 0) {
            if ((rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST)) == 0)
                rc = mdb_cursor_del(cur, 0); /* the oldest run */
            mdb_cursor_close(cur);
        }
    }
    return rc;
}

/* One write transaction: every profile of q and the run's counters. */
static int write_once(rf_cache *c, const queue *q, const rf_cache_run *run)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < q->n; i++) {
        MDB_val k = {q->v[i].klen, q->v[i].kv}, d = {q->v[i].vlen, q->v[i].kv + q->v[i].klen};
        rc = mdb_put(txn, c->prof, &k, &d, 0);
    }
    if (rc == 0)
        rc = put_run(c, txn, run);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

/* Commit a batch, growing the map as needed. Runs on the writer thread. */
int cache_write_batch(rf_cache *c, const queue *q, const rf_cache_run *run)
{
    for (;;) {
        pthread_rwlock_rdlock(&c->maplock);
        int rc = write_once(c, q, run);
        pthread_rwlock_unlock(&c->maplock);
        if (rc == MDB_MAP_FULL || rc == MDB_MAP_RESIZED) {
            int g = cache_grow_map(c, rc == MDB_MAP_FULL);
            if (g == 0)
                continue;
            rc = g;
        }
        return rc == 0 ? RF_OK : cache_mdb_fail(rc, "cannot write the cache");
    }
}
/* ---- stats, clear ---- */

/* Count the profiles, those of another generation and those that do not decode. */
static int count_profiles(MDB_txn *txn, MDB_dbi dbi, const unsigned char *gen, rf_cache_stat *st)
{
    MDB_cursor *cur;
    MDB_val k, d;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    bool cur_ok = rc == 0;
    for (MDB_cursor_op op = MDB_FIRST; rc == 0 && (rc = mdb_cursor_get(cur, &k, &d, op)) == 0;
         op = MDB_NEXT) {
        decoded dec;
        st->entries++;
        if (cache_decode(d.mv_data, d.mv_size, &dec, NULL, NULL) != RF_OK)
            st->corrupt++;
        else if (gen && memcmp(dec.gen, gen, GEN_BYTES) != 0)
            st->other_gen++;
    }
    if (cur_ok)
        mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The recent runs' counters, most recent first. */
static int read_runs(MDB_txn *txn, MDB_dbi dbi, rf_cache_stat *st)
{
    MDB_cursor *cur;
    MDB_val k, d;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    bool cur_ok = rc == 0;
    for (MDB_cursor_op op = MDB_LAST; rc == 0 && st->nruns < RF_CACHE_RUNS &&
                                      (rc = mdb_cursor_get(cur, &k, &d, op)) == 0;
         op = MDB_PREV) {
        ixrd r = {d.mv_data, (const unsigned char *)d.mv_data + d.mv_size, false};
        uint64_t v[8];
        for (size_t i = 0; i < 8; i++)
            v[i] = ixrd_varint(&r);
        if (r.bad)
            continue;
        st->runs[st->nruns++] = (rf_cache_run){(long long)v[0], (long)v[1], v[2], v[3],
                                               v[4], v[5], v[6], v[7]};
    }
    if (cur_ok)
        mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Inspect the cache. */
int rf_cache_stats(const char *datadir, const char *generation, rf_cache_stat *st)
{
    char dir[4096], file[4200];
    unsigned char gen[GEN_BYTES];
    if (!st)
        return cache_fail(RF_EINVAL, "cache stats: st is required");
    memset(st, 0, sizeof *st);
    int rc = generation ? cache_gen_bytes(generation, gen) : RF_OK;
    if (rc == RF_OK)
        rc = cache_dir(datadir, dir, sizeof dir, false);
    MDB_env *env = NULL;
    MDB_dbi prof, runs;
    if (rc == RF_OK)
        rc = cache_env_open(&env, &prof, &runs, dir, (size_t)16 << 20);
    if (rc != RF_OK)
        return rc;
    MDB_txn *txn;
    int mrc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (mrc == 0) {
        mrc = count_profiles(txn, prof, generation ? gen : NULL, st);
        if (mrc == 0)
            mrc = read_runs(txn, runs, st);
        mdb_txn_abort(txn);
    }
    MDB_envinfo info;
    MDB_stat es;
    mdb_env_info(env, &info);
    mdb_env_stat(env, &es);
    st->map_size = info.me_mapsize;
    st->page_size = es.ms_psize;
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    struct stat fs;
    if (stat(file, &fs) == 0) {
        st->file_bytes = (long long)fs.st_size;
        st->disk_bytes = (long long)fs.st_blocks * 512;
    }
    mdb_env_close(env);
    return mrc == 0 ? RF_OK : cache_mdb_fail(mrc, "cannot read the cache");
}

/* Remove every profile. */
int rf_cache_clear(const char *datadir, size_t *removed)
{
    char dir[4096];
    int rc = cache_dir(datadir, dir, sizeof dir, false);
    MDB_env *env = NULL;
    MDB_dbi prof, runs;
    if (rc == RF_OK)
        rc = cache_env_open(&env, &prof, &runs, dir, (size_t)16 << 20);
    if (rc != RF_OK)
        return rc;
    MDB_txn *txn;
    MDB_stat st = {0};
    int mrc = mdb_txn_begin(env, NULL, 0, &txn);
    if (mrc == 0) {
        if ((mrc = mdb_stat(txn, prof, &st)) != 0 || (mrc = mdb_drop(txn, prof, 0)) != 0)
            mdb_txn_abort(txn);
        else
            mrc = mdb_txn_commit(txn);
    }
    mdb_env_close(env);
    if (mrc != 0)
        return cache_mdb_fail(mrc, "cannot clear the cache");
    if (removed)
        *removed = st.ms_entries;
    return RF_OK;
}
