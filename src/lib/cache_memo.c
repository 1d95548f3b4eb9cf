/* A party prepared for the cache (a probe: its exact query, key and hash) and
 * the in-process memo of recent queries, keys and profiles. */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_int.h"

/* The exact query of a party: name, kind, the kinds it may be, the scope of the party rules its
 * profile records (RF_SCOPE_RECORD: none), countries, identifiers. */
static int make_query(probe *pr, const rf_name_party *p, rf_rule_scope scope)
{
    gbuf_reset(&pr->query);
    ix_put_str(&pr->query, p->name);
    ix_put_u8(&pr->query, (unsigned)p->kind);
    ix_put_u8(&pr->query, p->kinds & 0xff); /* what the party may be: the matcher's kind gate */
    ix_put_u8(&pr->query, (unsigned)scope);
    for (size_t i = 0; i < p->ncountries; i++)
        ix_put_str(&pr->query, p->countries[i] ? p->countries[i] : "");
    ix_put_u8(&pr->query, 0xff);
    for (size_t i = 0; i < p->nids; i++) {
        ix_put_str(&pr->query, p->ids[i].scheme ? p->ids[i].scheme : "");
        ix_put_str(&pr->query, p->ids[i].value ? p->ids[i].value : "");
    }
    return pr->query.oom ? cache_fail(RF_ENOMEM, "out of memory") : RF_OK;
}

/* Remember in m the probe's query and key, with value (vlen bytes, may be 0). */
void cache_memo_set(memo *m, const probe *pr, const void *value, size_t vlen)
{
    char *b = malloc(pr->query.len + pr->klen + vlen + 1);
    if (!b)
        return; /* the memo is an optimisation */
    memcpy(b, pr->query.p, pr->query.len);
    memcpy(b + pr->query.len, pr->key, pr->klen);
    if (vlen)
        memcpy(b + pr->query.len + pr->klen, value, vlen);
    free(m->buf);
    *m = (memo){pr->qh, pr->query.len, pr->klen, vlen, b};
}

/* The memo slot holding the probe's query (hash qh), or NULL. */
static memo *memo_find(memo *slots, const probe *pr, uint64_t qh)
{
    memo *set = &slots[(qh >> 1) & (MEMO_SLOTS - MEMO_WAYS)];
    for (int w = 0; w < MEMO_WAYS; w++)
        if (set[w].h == qh && set[w].qlen == pr->query.len &&
            memcmp(set[w].buf, pr->query.p, pr->query.len) == 0)
            return &set[w];
    return NULL;
}

/* The slot a new query (hash qh) takes: an empty one of its set, else one in turn. */
static memo *memo_victim(memo *slots, uint64_t qh, unsigned *clock)
{
    memo *set = &slots[(qh >> 1) & (MEMO_SLOTS - MEMO_WAYS)];
    for (int w = 0; w < MEMO_WAYS; w++)
        if (!set[w].h)
            return &set[w];
    return &set[(*clock)++ % MEMO_WAYS];
}

/* The key of a party, from the memo when its exact query was keyed before. */
static int memo_key(memo *slots, unsigned *clock, const rf_name_party *p, probe *pr)
{
    pr->m = NULL;
    if (!slots)
        return cache_party_key(p, pr->key, sizeof pr->key, &pr->klen);
    uint64_t qh = pr->qh = cache_fnv(pr->query.p, pr->query.len) | 1;
    memo *m = memo_find(slots, pr, qh);
    if (m) {
        memcpy(pr->key, m->buf + m->qlen, m->klen);
        pr->klen = m->klen;
        pr->m = m;
        return RF_OK;
    }
    int rc = cache_party_key(p, pr->key, sizeof pr->key, &pr->klen);
    if (rc == RF_OK) {
        m = memo_victim(slots, qh, clock);
        cache_memo_set(m, pr, NULL, 0);
        pr->m = m->h == qh ? m : NULL;
    }
    return rc;
}

/* Prepare a party: its exact query, its key and the key's hash. */
int cache_probe_make(probe *pr, const rf_name_party *p, rf_rule_scope scope, rf_cache *c)
{
    int rc = make_query(pr, p, scope);
    if (rc == RF_OK)
        rc = memo_key(c ? c->memo : NULL, c ? &c->memo_clock : NULL, p, pr);
    if (rc == RF_OK)
        pr->h = cache_fnv(pr->key, pr->klen);
    return rc;
}
