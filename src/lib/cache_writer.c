/* The in-memory queue of profiles and the writer thread that commits it in
 * batches (cache.h "Writes"). */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_int.h"
#include <time.h>

/* ---- the queue and the writer thread ---- */

/* Free a queue's profiles, keeping its array. */
void cache_queue_clear(queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->v[i].kv);
    q->n = 0;
}

/* The newest queued profile under key, or NULL. */
const pend *cache_queue_find(const queue *q, const char *key, size_t klen, uint64_t h)
{
    for (size_t i = q->n; i-- > 0;)
        if (q->v[i].h == h && q->v[i].klen == klen && memcmp(q->v[i].kv, key, klen) == 0)
            return &q->v[i];
    return NULL;
}

/* Milliseconds from a to b. */
static long ms_between(const struct timespec *a, const struct timespec *b)
{
    return (long)((b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000);
}

/* Whether the writer should commit now (called with mu held). */
static bool due(const rf_cache *c, struct timespec *deadline)
{
    if (c->stop || c->flush_req != c->flush_done || c->pending.n >= c->o.batch)
        return true;
    if (c->pending.n == 0)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    *deadline = c->first;
    deadline->tv_sec += c->o.batch_ms / 1000;
    deadline->tv_nsec += (long)(c->o.batch_ms % 1000) * 1000000;
    if (deadline->tv_nsec >= 1000000000) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000;
    }
    return ms_between(&c->first, &now) >= (long)c->o.batch_ms;
}

/* Take the pending batch, commit it outside the lock, record the outcome.
 * Called and returns with mu held. */
static void commit_pending(rf_cache *c)
{
    queue tmp = c->inflight;
    c->inflight = c->pending;
    c->pending = tmp;
    unsigned long req = c->flush_req;
    rf_cache_run run = c->run;
    run.stored += c->inflight.n;
    bool broken = c->werr != 0;
    pthread_mutex_unlock(&c->mu);
    int rc = broken ? RF_OK : cache_write_batch(c, &c->inflight, &run);
    pthread_mutex_lock(&c->mu);
    if (rc != RF_OK && !c->werr) {
        c->werr = rc;
        memcpy(c->werrmsg, cache_errmsg, sizeof c->werrmsg);
    } else if (rc == RF_OK && !broken) {
        c->run.stored = run.stored;
    }
    cache_queue_clear(&c->inflight);
    c->flush_done = req;
    pthread_cond_broadcast(&c->done);
}

/* The writer thread: commit when a batch is full, old enough, or asked for. */
void *cache_writer_main(void *arg)
{
    rf_cache *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        struct timespec deadline;
        if (!due(c, &deadline)) {
            if (c->pending.n)
                pthread_cond_timedwait(&c->wake, &c->mu, &deadline);
            else
                pthread_cond_wait(&c->wake, &c->mu);
            continue;
        }
        if (c->stop && c->pending.n == 0 && c->flush_req == c->flush_done)
            break;
        commit_pending(c);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}
