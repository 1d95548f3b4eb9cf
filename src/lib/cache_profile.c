/* Profile encoding (format 3). A profile is: format byte; 32-byte binary
 * generation; created (u64 little-endian Unix seconds); the exact query
 * (varint length + bytes: name, kind, the kinds it may be, party-rule scope, countries,
 * identifiers); the normalised name (string); the hit count (varint); each
 * hit as list, entity, name, matched, alias_kind, countries, programs
 * (strings), critical (byte), the entry's kind (byte), the outcome (byte),
 * why (string, then a byte saying whether it was set) and score (IEEE double, 8 bytes little-endian, so
 * it round-trips exactly); whether party rule flags were recorded (byte), their
 * count (varint) and each flag (six strings, guideline-present byte, severity
 * byte, weight varint); then the FNV-1a hash of all of that (8 bytes), since
 * LMDB keeps no checksums. Strings are encoded as in the index (varint length
 * + 1, bytes, NUL). */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_int.h"
#include <time.h>

/* Append n bytes of v little-endian. */
static void put_le(gbuf *b, uint64_t v, size_t n)
{
    unsigned char t[8];
    for (size_t i = 0; i < n; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    gbuf_put(b, t, n);
}

/* Read n bytes little-endian. */
static uint64_t get_le(ixrd *r, size_t n)
{
    uint64_t v = 0;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return v;
}

/* Encode one party rule flag. */
static void encode_flag(gbuf *b, const rf_flag *f)
{
    const char *s[] = {f->rule, f->indicator, f->field, f->evidence, f->source, f->guideline};
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
        ix_put_str(b, s[k] ? s[k] : "");
    ix_put_u8(b, f->guideline ? 1 : 0);
    ix_put_u8(b, (unsigned)f->severity);
    ix_put_varint(b, (uint64_t)(f->weight < 0 ? 0 : f->weight));
}

/* Encode a profile, then the FNV-1a hash of its bytes (LMDB keeps no
 * checksums: a damaged profile must be a miss, never a changed verdict). */
void cache_encode(gbuf *b, const unsigned char gen[GEN_BYTES], const probe *pr,
                   const char *norm, const profile *pf)
{
    const rf_match_hit *hits = pf->hits;
    size_t n = pf->nhits, start = b->len;
    ix_put_u8(b, FORMAT);
    gbuf_put(b, gen, GEN_BYTES);
    put_le(b, (uint64_t)time(NULL), 8);
    ix_put_varint(b, pr->query.len);
    gbuf_put(b, pr->query.p, pr->query.len);
    ix_put_str(b, norm);
    ix_put_varint(b, n);
    for (size_t i = 0; i < n; i++) {
        const rf_match_hit *h = &hits[i];
        const char *s[] = {h->list, h->entity, h->name, h->matched, h->alias_kind,
                           h->countries, h->programs};
        for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
            ix_put_str(b, s[k] ? s[k] : "");
        ix_put_u8(b, h->critical ? 1 : 0);
        ix_put_u8(b, (unsigned)h->kind);
        ix_put_u8(b, (unsigned)h->outcome);
        ix_put_str(b, h->why ? h->why : "");
        ix_put_u8(b, h->why ? 1 : 0);
        uint64_t bits;
        memcpy(&bits, &h->score, sizeof bits);
        put_le(b, bits, 8);
    }
    ix_put_u8(b, pf->has_flags ? 1 : 0);
    ix_put_varint(b, pf->has_flags ? pf->nflags : 0);
    for (size_t i = 0; pf->has_flags && i < pf->nflags; i++)
        encode_flag(b, &pf->flags[i]);
    if (!b->oom)
        put_le(b, cache_fnv(b->p + start, b->len - start), 8);
}

/* Read one hit; its strings point into the value. */
static void decode_hit(ixrd *r, rf_match_hit *h)
{
    const char **s[] = {&h->list, &h->entity, &h->name, &h->matched, &h->alias_kind,
                        &h->countries, &h->programs};
    memset(h, 0, sizeof *h);
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
        if (!(*s[k] = ixrd_str(r)))
            r->bad = true;
    h->critical = ixrd_u8(r) != 0;
    unsigned kind = ixrd_u8(r), outcome = ixrd_u8(r);
    h->kind = kind <= RF_ENTITY_AIRCRAFT ? (rf_entity_kind)kind : RF_ENTITY_OTHER;
    r->bad |= kind > RF_ENTITY_AIRCRAFT;
    h->outcome = outcome <= RF_OUTCOME_NONE ? (rf_match_outcome)outcome : RF_OUTCOME_MATCH;
    r->bad |= outcome > RF_OUTCOME_NONE;
    if (!(h->why = ixrd_str(r)))
        r->bad = true;
    if (!ixrd_u8(r))
        h->why = NULL;
    uint64_t bits = get_le(r, 8);
    memcpy(&h->score, &bits, sizeof bits);
}

/* Read one party rule flag; its strings point into the value. */
static void decode_flag(ixrd *r, rf_flag *f)
{
    const char **s[] = {&f->rule, &f->indicator, &f->field, &f->evidence, &f->source,
                        &f->guideline};
    memset(f, 0, sizeof *f);
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
        if (!(*s[k] = ixrd_str(r)))
            r->bad = true;
    if (!ixrd_u8(r))
        f->guideline = NULL;
    unsigned sev = ixrd_u8(r);
    f->severity = sev <= RF_LEVEL_CRITICAL ? (rf_level)sev : RF_LEVEL_NONE;
    r->bad |= sev > RF_LEVEL_CRITICAL;
    f->weight = (int)ixrd_varint(r);
}

/* Decode a stored profile; hits and flags (may be NULL to only check)
 * receive the hits and party rule flags. RF_ESTORE when it does not decode. */
int cache_decode(const void *val, size_t len, decoded *d, rf_match_hit *hits, rf_flag *flags)
{
    if (len < 8)
        return cache_fail(RF_ESTORE, "cache profile: truncated");
    len -= 8;
    ixrd sum = {(const unsigned char *)val + len, (const unsigned char *)val + len + 8, false};
    if (get_le(&sum, 8) != cache_fnv(val, len))
        return cache_fail(RF_ESTORE, "cache profile: checksum mismatch");
    ixrd r = {val, (const unsigned char *)val + len, false};
    if (ixrd_u8(&r) != FORMAT || (size_t)(r.end - r.p) < GEN_BYTES)
        return cache_fail(RF_ESTORE, "cache profile: unknown format or truncated");
    d->gen = r.p;
    r.p += GEN_BYTES;
    d->created = (long long)get_le(&r, 8);
    d->qlen = (size_t)ixrd_varint(&r);
    if (r.bad || d->qlen > (size_t)(r.end - r.p))
        return cache_fail(RF_ESTORE, "cache profile: truncated query");
    d->query = r.p;
    r.p += d->qlen;
    d->norm = ixrd_str(&r);
    d->n = (size_t)ixrd_varint(&r);
    if (r.bad || d->n > RF_CACHE_MAX_HITS)
        return cache_fail(RF_ESTORE, "cache profile: bad hit count");
    rf_match_hit scratch;
    for (size_t i = 0; i < d->n && !r.bad; i++)
        decode_hit(&r, hits ? &hits[i] : &scratch);
    d->has_flags = ixrd_u8(&r) != 0;
    d->nflags = (size_t)ixrd_varint(&r);
    if (r.bad || d->nflags > RF_CACHE_MAX_FLAGS)
        return cache_fail(RF_ESTORE, "cache profile: bad flag count");
    rf_flag fscratch;
    for (size_t i = 0; i < d->nflags && !r.bad; i++)
        decode_flag(&r, flags ? &flags[i] : &fscratch);
    if (r.bad || r.p != r.end || !d->norm)
        return cache_fail(RF_ESTORE, "cache profile: corrupt record");
    return RF_OK;
}

/* Hex generation to bytes. */
int cache_gen_bytes(const char *hex, unsigned char out[GEN_BYTES])
{
    if (!hex || strlen(hex) != 2 * GEN_BYTES)
        return cache_fail(RF_EINVAL, "cache generation must be 64 hex digits");
    for (size_t i = 0; i < GEN_BYTES; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return cache_fail(RF_EINVAL, "cache generation must be 64 hex digits");
        out[i] = (unsigned char)v;
    }
    return RF_OK;
}
