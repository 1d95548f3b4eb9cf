/* The supplier risk profile cache (cache.h, docs/CACHE.md): opening and
 * closing one generation, and getting and putting a party's profile. The
 * pieces live beside it: cache_key.c (keys, generations), cache_memo.c
 * (probes and the in-process memo), cache_profile.c (encoding),
 * cache_env.c (LMDB), cache_writer.c (queue and writer thread). Screening a
 * record's parties through the cache is screen_party.c. */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_int.h"
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Thread_local char cache_errmsg[1024];

/* The calling thread's last cache error. */
const char *rf_cache_error(void)
{
    return cache_errmsg;
}

/* Record the thread's message and hand back the code. */
int cache_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cache_errmsg, sizeof cache_errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* An LMDB or system error code as an rf_err: the disk's troubles are I/O. */
int cache_mdb_fail(int rc, const char *what)
{
    int code = RF_ESTORE;
    if (rc == ENOMEM)
        code = RF_ENOMEM;
    else if (rc == EACCES || rc == EROFS || rc == ENOSPC || rc == EIO || rc == EPERM ||
             rc == EFBIG || rc == EDQUOT || rc == ENOTDIR || rc == ENOENT)
        code = RF_EIO;
    return cache_fail(code, "%s: %s", what, mdb_strerror(rc));
}

/* Defaults. */
void rf_cache_opts_init(rf_cache_opts *o)
{
    *o = (rf_cache_opts){.ttl = 0, .batch = 256, .batch_ms = 50, .map_size = (size_t)16 << 20};
}

/* "3600", "90s", "15m", "12h", "30d" into seconds. */
int rf_cache_parse_ttl(const char *s, long long *seconds)
{
    char *end;
    if (!s || !seconds || *s < '0' || *s > '9')
        return cache_fail(RF_EINVAL, "TTL '%s': want seconds or a number with s, m, h or d",
                    s ? s : "");
    errno = 0;
    long long v = strtoll(s, &end, 10), mul = 1;
    if (*end && end[1] == '\0')
        mul = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
    else if (*end)
        mul = 0;
    if (errno || mul == 0 || v > (1LL << 40) / mul)
        return cache_fail(RF_EINVAL, "TTL '%s': want seconds or a number with s, m, h or d", s);
    *seconds = v * mul;
    return RF_OK;
}
/* ---- open, close ---- */

/* A unique, time-ordered key for this run's counters. */
static void make_runkey(rf_cache *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t t = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    uint64_t pid = (uint64_t)getpid();
    for (int i = 0; i < 8; i++) {
        c->runkey[i] = (unsigned char)(t >> (56 - 8 * i));
        c->runkey[8 + i] = (unsigned char)(pid >> (56 - 8 * i));
    }
    c->run.started = (long long)ts.tv_sec;
    c->run.pid = (long)getpid();
}

/* Open the cache of one generation. */
int rf_cache_open(rf_cache **out, const char *datadir, const char *generation,
                  const rf_cache_opts *o)
{
    char dir[4096];
    if (!out)
        return cache_fail(RF_EINVAL, "cache: out is required");
    *out = NULL;
    rf_cache *c = calloc(1, sizeof *c);
    if (!c)
        return cache_fail(RF_ENOMEM, "out of memory");
    if (o)
        c->o = *o;
    else
        rf_cache_opts_init(&c->o);
    c->o.batch = c->o.batch ? c->o.batch : 1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->wake, NULL);
    pthread_cond_init(&c->done, NULL);
    pthread_rwlock_init(&c->maplock, NULL);
    make_runkey(c);
    c->memo = calloc(MEMO_SLOTS, sizeof *c->memo); /* an optimisation: none is fine */
    int rc = cache_gen_bytes(generation, c->gen);
    if (rc == RF_OK)
        rc = cache_dir(datadir, dir, sizeof dir, true);
    if (rc == RF_OK)
        rc = cache_env_open(&c->env, &c->prof, &c->runs, dir,
                      c->o.map_size ? c->o.map_size : (size_t)16 << 20);
    if (rc == RF_OK && pthread_create(&c->writer, NULL, cache_writer_main, c) != 0)
        rc = cache_fail(RF_ENOMEM, "cannot start the cache writer thread");
    c->started = rc == RF_OK;
    if (rc != RF_OK) {
        rf_cache_close(c);
        return rc;
    }
    *out = c;
    return RF_OK;
}

/* Commit, stop the writer, close. */
void rf_cache_close(rf_cache *c)
{
    if (!c)
        return;
    if (c->started) {
        rf_cache_flush(c);
        pthread_mutex_lock(&c->mu);
        c->stop = true;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->writer, NULL);
    }
    cache_queue_clear(&c->pending);
    cache_queue_clear(&c->inflight);
    free(c->pending.v);
    free(c->inflight.v);
    if (c->rtxn)
        mdb_txn_abort(c->rtxn);
    mdb_env_close(c->env);
    gbuf_free(&c->val);
    for (size_t i = 0; c->memo && i < MEMO_SLOTS; i++)
        free(c->memo[i].buf);
    free(c->memo);
    pthread_rwlock_destroy(&c->maplock);
    pthread_cond_destroy(&c->done);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Commit now and wait. */
int rf_cache_flush(rf_cache *c)
{
    if (!c)
        return cache_fail(RF_EINVAL, "cache: NULL");
    pthread_mutex_lock(&c->mu);
    unsigned long req = ++c->flush_req;
    pthread_cond_signal(&c->wake);
    while ((long)(c->flush_done - req) < 0)
        pthread_cond_wait(&c->done, &c->mu);
    int rc = c->werr;
    if (rc)
        cache_fail(rc, "%s", c->werrmsg);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- get, put ---- */

/* Copy the stored value under the probe's key into c->val: from the queue,
 * else from LMDB. RF_ENOTFOUND when absent. */
static int fetch_value(rf_cache *c, const probe *pr)
{
    gbuf_reset(&c->val);
    pthread_mutex_lock(&c->mu);
    const pend *e = cache_queue_find(&c->pending, pr->key, pr->klen, pr->h);
    if (!e)
        e = cache_queue_find(&c->inflight, pr->key, pr->klen, pr->h);
    if (e)
        gbuf_put(&c->val, e->kv + e->klen, e->vlen);
    pthread_mutex_unlock(&c->mu);
    if (e)
        return c->val.oom ? cache_fail(RF_ENOMEM, "out of memory") : RF_OK;
    for (int tries = 0;; tries++) {
        pthread_rwlock_rdlock(&c->maplock);
        int rc = c->rtxn ? mdb_txn_renew(c->rtxn)
                         : mdb_txn_begin(c->env, NULL, MDB_RDONLY, &c->rtxn);
        MDB_val k = {pr->klen, (void *)pr->key}, d;
        if (rc == 0) {
            rc = mdb_get(c->rtxn, c->prof, &k, &d);
            if (rc == 0)
                gbuf_put(&c->val, d.mv_data, d.mv_size);
            mdb_txn_reset(c->rtxn);
        }
        pthread_rwlock_unlock(&c->maplock);
        if (rc == MDB_MAP_RESIZED && tries < 3 && cache_grow_map(c, false) == 0)
            continue;
        if (rc == MDB_NOTFOUND)
            return RF_ENOTFOUND;
        if (rc != 0)
            return cache_mdb_fail(rc, "cannot read the cache");
        return c->val.oom ? cache_fail(RF_ENOMEM, "out of memory") : RF_OK;
    }
}

/* Classify a profile value against the probe and decode it into *pf (whose
 * hits and flags point into the value). A profile without the party rules'
 * flags does not answer a probe that needs them. */
static int check_value(rf_cache *c, const probe *pr, const void *val, size_t vlen, profile *pf,
                       unsigned long **counter)
{
    decoded d;
    int rc = cache_decode(val, vlen, &d, c->hits, c->flags);
    if (rc != RF_OK) {
        *counter = &c->run.misses; /* a corrupt profile is recomputed and overwritten */
        return RF_ENOTFOUND;
    }
    long long age = (long long)time(NULL) - d.created;
    if (memcmp(d.gen, c->gen, GEN_BYTES) != 0)
        *counter = &c->run.stale;
    else if (c->o.ttl > 0 && age > c->o.ttl)
        *counter = &c->run.expired;
    else if (d.qlen != pr->query.len || memcmp(d.query, pr->query.p, d.qlen) != 0 ||
             (pr->need_flags && !d.has_flags))
        *counter = &c->run.changed;
    else {
        *counter = &c->run.hits;
        *pf = (profile){c->hits, d.n, d.has_flags, c->flags, d.nflags};
        return RF_OK;
    }
    return RF_ENOTFOUND;
}

/* Look a prepared party up: in its memo slot, else in the queue and LMDB. */
int cache_probe_get(rf_cache *c, const probe *pr, profile *pf)
{
    unsigned long *counter = &c->run.misses;
    const memo *m = pr->m;
    int rc;
    *pf = (profile){c->hits, 0, false, c->flags, 0};
    if (m && m->vlen) {
        rc = check_value(c, pr, m->buf + m->qlen + m->klen, m->vlen, pf, &counter);
    } else {
        rc = fetch_value(c, pr);
        if (rc == RF_OK)
            rc = check_value(c, pr, c->val.p, c->val.len, pf, &counter);
        if (rc == RF_OK && pr->m)
            cache_memo_set(pr->m, pr, c->val.p, c->val.len);
    }
    if (rc == RF_OK || rc == RF_ENOTFOUND) {
        pthread_mutex_lock(&c->mu);
        (*counter)++;
        pthread_mutex_unlock(&c->mu);
    }
    return rc;
}

/* Queue a prepared party's profile. */
int cache_probe_put(rf_cache *c, const probe *pr, const rf_name_party *p, const profile *pf)
{
    if (pf->nhits > RF_CACHE_MAX_HITS)
        return cache_fail(RF_ELIMIT, "a profile keeps at most %d hits", RF_CACHE_MAX_HITS);
    if (pf->has_flags && pf->nflags > RF_CACHE_MAX_FLAGS)
        return cache_fail(RF_ELIMIT, "a profile keeps at most %d flags", RF_CACHE_MAX_FLAGS);
    rf_name_norm nn;
    const char *norm = rf_name_normalize(p->name, (size_t)-1, p->kind, &nn) == RF_OK ? nn.text : "";
    gbuf v = {0};
    gbuf_put(&v, pr->key, pr->klen);
    cache_encode(&v, c->gen, pr, norm, pf);
    if (v.oom) {
        gbuf_free(&v);
        return cache_fail(RF_ENOMEM, "out of memory");
    }
    if (pr->m)
        cache_memo_set(pr->m, pr, v.p + pr->klen, v.len - pr->klen);
    pthread_mutex_lock(&c->mu);
    int rc = c->werr;
    if (rc == RF_OK && c->pending.n == c->pending.cap) {
        size_t cap = c->pending.cap ? 2 * c->pending.cap : 64;
        pend *nv = realloc(c->pending.v, cap * sizeof *nv);
        if (nv) {
            c->pending.v = nv;
            c->pending.cap = cap;
        } else {
            rc = RF_ENOMEM;
        }
    }
    if (rc == RF_OK) {
        if (c->pending.n == 0)
            clock_gettime(CLOCK_REALTIME, &c->first);
        c->pending.v[c->pending.n++] = (pend){pr->h, pr->klen, v.len - pr->klen, v.p};
        v.p = NULL;
        if (c->pending.n == 1 || c->pending.n >= c->o.batch)
            pthread_cond_signal(&c->wake); /* start the batch_ms clock, or commit now */
    } else {
        cache_fail(rc, "%s", rc == RF_ENOMEM ? "out of memory" : c->werrmsg);
    }
    pthread_mutex_unlock(&c->mu);
    gbuf_free(&v);
    return rc;
}

/* The cached matches of a party. */
int rf_cache_get(rf_cache *c, const rf_name_party *p, const rf_match_hit **hits, size_t *n)
{
    if (!c || !p || !hits || !n)
        return cache_fail(RF_EINVAL, "cache get: cache, party, hits and count are required");
    *n = 0;
    probe pr = {0};
    profile pf = {0};
    int rc = cache_probe_make(&pr, p, RF_SCOPE_RECORD, c);
    if (rc == RF_EINVAL)
        rc = RF_ENOTFOUND; /* a party that cannot be keyed is never cached */
    else if (rc == RF_OK)
        rc = cache_probe_get(c, &pr, &pf);
    gbuf_free(&pr.query);
    *hits = c->hits;
    *n = rc == RF_OK ? pf.nhits : 0;
    return rc;
}

/* Store a party's matches. */
int rf_cache_put(rf_cache *c, const rf_name_party *p, const rf_match_hit *hits, size_t n)
{
    if (!c || !p || (n && !hits))
        return cache_fail(RF_EINVAL, "cache put: cache, party and hits are required");
    probe pr = {0};
    profile pf = {hits, n, false, NULL, 0};
    int rc = cache_probe_make(&pr, p, RF_SCOPE_RECORD, c);
    if (rc == RF_OK)
        rc = cache_probe_put(c, &pr, p, &pf);
    gbuf_free(&pr.query);
    return rc;
}

/* This run's counters. */
void rf_cache_counters(const rf_cache *c, rf_cache_run *run)
{
    pthread_mutex_lock((pthread_mutex_t *)&c->mu);
    *run = c->run;
    pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
}
