/* The supplier risk profile cache (cache.h, docs/CACHE.md): keys, the
 * profile encoding, the LMDB environment in DATA/cache/, the in-memory queue
 * and its writer thread, and screening a record through the cache.
 *
 * Profile encoding (format 1): format byte; 32-byte binary generation;
 * created (u64 little-endian Unix seconds); the query (a string: the exact
 * name, kind, countries and identifiers the matcher saw); the normalised
 * name (string); the hit count (varint); each hit as list, entity, name,
 * matched, alias_kind, countries, programs (strings), critical (byte) and
 * score (IEEE double, 8 bytes little-endian, so it round-trips exactly).
 * Strings are encoded as in the index (varint length + 1, bytes, NUL). */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fnv.h"
#include "index_int.h"
#include "redflag/cache.h"
#include "redflag/sha256.h"

#define FORMAT 2
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
    ixbuf query;
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
    ixbuf val;                 /* the value of the last get (hits point into it) */
    memo *memo;                /* MEMO_SLOTS remembered queries, or NULL */
    unsigned memo_clock;       /* picks the slot a new query replaces */
    rf_match_hit hits[RF_CACHE_MAX_HITS];
    rf_flag flags[RF_CACHE_MAX_FLAGS];
};

static _Thread_local char errmsg[1024];

/* The calling thread's last cache error. */
const char *rf_cache_error(void)
{
    return errmsg;
}

/* Record the thread's message and hand back the code. */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* An LMDB or system error code as an rf_err: the disk's troubles are I/O. */
static int mdb_fail(int rc, const char *what)
{
    int code = RF_ESTORE;
    if (rc == ENOMEM)
        code = RF_ENOMEM;
    else if (rc == EACCES || rc == EROFS || rc == ENOSPC || rc == EIO || rc == EPERM ||
             rc == EFBIG || rc == EDQUOT || rc == ENOTDIR || rc == ENOENT)
        code = RF_EIO;
    return fail(code, "%s: %s", what, mdb_strerror(rc));
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
        return fail(RF_EINVAL, "TTL '%s': want seconds or a number with s, m, h or d",
                    s ? s : "");
    errno = 0;
    long long v = strtoll(s, &end, 10), mul = 1;
    if (*end && end[1] == '\0')
        mul = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
    else if (*end)
        mul = 0;
    if (errno || mul == 0 || v > (1LL << 40) / mul)
        return fail(RF_EINVAL, "TTL '%s': want seconds or a number with s, m, h or d", s);
    *seconds = v * mul;
    return RF_OK;
}

/* Order policies by list name (the generation must not depend on their order). */
static int by_list(const void *a, const void *b)
{
    const rf_list_policy *pa = *(const rf_list_policy *const *)a;
    const rf_list_policy *pb = *(const rf_list_policy *const *)b;
    return strcmp(pa->list ? pa->list : "", pb->list ? pb->list : "");
}

/* Feed a string and its NUL to the hash. */
static void hash_str(rf_sha256 *h, const char *s)
{
    s = s ? s : "";
    rf_sha256_update(h, s, strlen(s) + 1);
}

/* The generation of the profiles made under these rules, lists and policies. */
int rf_cache_generation(const char *rules_digest, const char *index_generation, double threshold,
                        const rf_list_policy *pol, size_t npol, char out[RF_CACHE_GEN_HEX])
{
    const rf_list_policy **sorted = calloc(npol + 1, sizeof *sorted);
    if (!sorted)
        return fail(RF_ENOMEM, "out of memory");
    for (size_t i = 0; i < npol; i++)
        sorted[i] = &pol[i];
    qsort(sorted, npol, sizeof *sorted, by_list);
    rf_sha256 h;
    char num[64];
    rf_sha256_init(&h);
    hash_str(&h, "redflag-cache-2");
    hash_str(&h, rf_version());
    hash_str(&h, rules_digest);
    hash_str(&h, index_generation);
    snprintf(num, sizeof num, "%.17g", threshold);
    hash_str(&h, num);
    for (size_t i = 0; i < npol; i++) {
        snprintf(num, sizeof num, "%d:%d", sorted[i]->critical ? 1 : 0, sorted[i]->weight);
        hash_str(&h, sorted[i]->list);
        hash_str(&h, num);
    }
    free(sorted);
    unsigned char d[RF_SHA256_LEN];
    rf_sha256_final(&h, d);
    rf_sha256_hex(d, out);
    return RF_OK;
}

/* Append s normalised for a key: ASCII letters upper-cased, digits, nothing else. */
static size_t norm_ident(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            out[n++] = (char)(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

/* Rank of an identifier scheme: lower is stronger. */
static int scheme_rank(const char *scheme)
{
    static const char *const strong[] = {"LEI", "DUNS", "VAT", "GLN"};
    for (int i = 0; i < 4; i++)
        if (strcmp(scheme, strong[i]) == 0)
            return i;
    return 4;
}

/* The identifier key "id:SCHEME:VALUE" of the strongest usable identifier. */
static bool ident_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    int best = 99;
    char sc[64], val[256];
    for (size_t i = 0; i < p->nids; i++) {
        if (!p->ids[i].scheme || !p->ids[i].value)
            continue;
        char s[64], v[256];
        norm_ident(s, sizeof s, p->ids[i].scheme);
        int r = scheme_rank(s);
        if (r < best && norm_ident(v, sizeof v, p->ids[i].value) > 0) {
            best = r;
            memcpy(sc, s, sizeof sc);
            memcpy(val, v, sizeof val);
        }
    }
    if (best == 99)
        return false;
    int n = snprintf(buf, cap, "id:%s:%s", sc, val);
    *len = n > 0 && (size_t)n < cap ? (size_t)n : 0;
    return *len > 0;
}

/* The name key "nm:NORMALISED NAME|COUNTRY" (hashed when too long). */
static int name_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    rf_name_norm nn;
    if (!p->name || rf_name_normalize(p->name, (size_t)-1, p->kind, &nn) != RF_OK || !nn.ntok)
        return fail(RF_EINVAL, "party has no identifier and no name to key on");
    char country[16] = "";
    if (p->ncountries && p->countries[0])
        norm_ident(country, sizeof country, p->countries[0]);
    int n = snprintf(buf, cap, "nm:%s|%s", nn.text, country);
    if (n > 0 && (size_t)n < cap && (size_t)n <= RF_CACHE_MAX_KEY) {
        *len = (size_t)n;
        return RF_OK;
    }
    char hex[RF_SHA256_HEX];
    rf_sha256_buf(nn.text, strlen(nn.text), hex);
    n = snprintf(buf, cap, "nh:%s|%s", hex, country);
    if (n <= 0 || (size_t)n >= cap)
        return fail(RF_ELIMIT, "cache key does not fit a %zu-byte buffer", cap);
    *len = (size_t)n;
    return RF_OK;
}

/* The key of a party: its strongest identifier, else its name and country. */
static int party_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    return ident_key(p, buf, cap, len) ? RF_OK : name_key(p, buf, cap, len);
}

/* The cache key of a party. */
int rf_cache_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    if (!p || !buf || !len || cap == 0)
        return fail(RF_EINVAL, "cache key: party, buffer and length are required");
    return party_key(p, buf, cap, len);
}

/* FNV-1a over bytes (memo, queue lookups, profile checksums). */
static uint64_t fnv(const void *p, size_t n)
{
    return fnv1a(FNV1A_INIT, p, n);
}

/* The exact query of a party: name, kind, the scope of the party rules its
 * profile records (RF_SCOPE_RECORD: none), countries, identifiers. */
static int make_query(probe *pr, const rf_name_party *p, rf_rule_scope scope)
{
    ixbuf_reset(&pr->query);
    ixbuf_str(&pr->query, p->name);
    ixbuf_u8(&pr->query, (unsigned)p->kind);
    ixbuf_u8(&pr->query, (unsigned)scope);
    for (size_t i = 0; i < p->ncountries; i++)
        ixbuf_str(&pr->query, p->countries[i] ? p->countries[i] : "");
    ixbuf_u8(&pr->query, 0xff);
    for (size_t i = 0; i < p->nids; i++) {
        ixbuf_str(&pr->query, p->ids[i].scheme ? p->ids[i].scheme : "");
        ixbuf_str(&pr->query, p->ids[i].value ? p->ids[i].value : "");
    }
    return pr->query.oom ? fail(RF_ENOMEM, "out of memory") : RF_OK;
}

/* Remember in m the probe's query and key, with value (vlen bytes, may be 0). */
static void memo_set(memo *m, const probe *pr, const void *value, size_t vlen)
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
        return party_key(p, pr->key, sizeof pr->key, &pr->klen);
    uint64_t qh = pr->qh = fnv(pr->query.p, pr->query.len) | 1;
    memo *m = memo_find(slots, pr, qh);
    if (m) {
        memcpy(pr->key, m->buf + m->qlen, m->klen);
        pr->klen = m->klen;
        pr->m = m;
        return RF_OK;
    }
    int rc = party_key(p, pr->key, sizeof pr->key, &pr->klen);
    if (rc == RF_OK) {
        m = memo_victim(slots, qh, clock);
        memo_set(m, pr, NULL, 0);
        pr->m = m->h == qh ? m : NULL;
    }
    return rc;
}

/* Prepare a party: its exact query, its key and the key's hash. */
static int make_probe(probe *pr, const rf_name_party *p, rf_rule_scope scope, rf_cache *c)
{
    int rc = make_query(pr, p, scope);
    if (rc == RF_OK)
        rc = memo_key(c ? c->memo : NULL, c ? &c->memo_clock : NULL, p, pr);
    if (rc == RF_OK)
        pr->h = fnv(pr->key, pr->klen);
    return rc;
}

/* Append n bytes of v little-endian. */
static void put_le(ixbuf *b, uint64_t v, size_t n)
{
    unsigned char t[8];
    for (size_t i = 0; i < n; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    ixbuf_put(b, t, n);
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
static void encode_flag(ixbuf *b, const rf_flag *f)
{
    const char *s[] = {f->rule, f->indicator, f->field, f->evidence, f->source, f->guideline};
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
        ixbuf_str(b, s[k] ? s[k] : "");
    ixbuf_u8(b, f->guideline ? 1 : 0);
    ixbuf_u8(b, (unsigned)f->severity);
    ixbuf_varint(b, (uint64_t)(f->weight < 0 ? 0 : f->weight));
}

/* Encode a profile, then the FNV-1a hash of its bytes (LMDB keeps no
 * checksums: a damaged profile must be a miss, never a changed verdict). */
static void encode(ixbuf *b, const unsigned char gen[GEN_BYTES], const probe *pr,
                   const char *norm, const profile *pf)
{
    const rf_match_hit *hits = pf->hits;
    size_t n = pf->nhits, start = b->len;
    ixbuf_u8(b, FORMAT);
    ixbuf_put(b, gen, GEN_BYTES);
    put_le(b, (uint64_t)time(NULL), 8);
    ixbuf_varint(b, pr->query.len);
    ixbuf_put(b, pr->query.p, pr->query.len);
    ixbuf_str(b, norm);
    ixbuf_varint(b, n);
    for (size_t i = 0; i < n; i++) {
        const rf_match_hit *h = &hits[i];
        const char *s[] = {h->list, h->entity, h->name, h->matched, h->alias_kind,
                           h->countries, h->programs};
        for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
            ixbuf_str(b, s[k] ? s[k] : "");
        ixbuf_u8(b, h->critical ? 1 : 0);
        uint64_t bits;
        memcpy(&bits, &h->score, sizeof bits);
        put_le(b, bits, 8);
    }
    ixbuf_u8(b, pf->has_flags ? 1 : 0);
    ixbuf_varint(b, pf->has_flags ? pf->nflags : 0);
    for (size_t i = 0; pf->has_flags && i < pf->nflags; i++)
        encode_flag(b, &pf->flags[i]);
    if (!b->oom)
        put_le(b, fnv(b->p + start, b->len - start), 8);
}

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
static int decode(const void *val, size_t len, decoded *d, rf_match_hit *hits, rf_flag *flags)
{
    if (len < 8)
        return fail(RF_ESTORE, "cache profile: truncated");
    len -= 8;
    ixrd sum = {(const unsigned char *)val + len, (const unsigned char *)val + len + 8, false};
    if (get_le(&sum, 8) != fnv(val, len))
        return fail(RF_ESTORE, "cache profile: checksum mismatch");
    ixrd r = {val, (const unsigned char *)val + len, false};
    if (ixrd_u8(&r) != FORMAT || (size_t)(r.end - r.p) < GEN_BYTES)
        return fail(RF_ESTORE, "cache profile: unknown format or truncated");
    d->gen = r.p;
    r.p += GEN_BYTES;
    d->created = (long long)get_le(&r, 8);
    d->qlen = (size_t)ixrd_varint(&r);
    if (r.bad || d->qlen > (size_t)(r.end - r.p))
        return fail(RF_ESTORE, "cache profile: truncated query");
    d->query = r.p;
    r.p += d->qlen;
    d->norm = ixrd_str(&r);
    d->n = (size_t)ixrd_varint(&r);
    if (r.bad || d->n > RF_CACHE_MAX_HITS)
        return fail(RF_ESTORE, "cache profile: bad hit count");
    rf_match_hit scratch;
    for (size_t i = 0; i < d->n && !r.bad; i++)
        decode_hit(&r, hits ? &hits[i] : &scratch);
    d->has_flags = ixrd_u8(&r) != 0;
    d->nflags = (size_t)ixrd_varint(&r);
    if (r.bad || d->nflags > RF_CACHE_MAX_FLAGS)
        return fail(RF_ESTORE, "cache profile: bad flag count");
    rf_flag fscratch;
    for (size_t i = 0; i < d->nflags && !r.bad; i++)
        decode_flag(&r, flags ? &flags[i] : &fscratch);
    if (r.bad || r.p != r.end || !d->norm)
        return fail(RF_ESTORE, "cache profile: corrupt record");
    return RF_OK;
}

/* Hex generation to bytes. */
static int gen_bytes(const char *hex, unsigned char out[GEN_BYTES])
{
    if (!hex || strlen(hex) != 2 * GEN_BYTES)
        return fail(RF_EINVAL, "cache generation must be 64 hex digits");
    for (size_t i = 0; i < GEN_BYTES; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return fail(RF_EINVAL, "cache generation must be 64 hex digits");
        out[i] = (unsigned char)v;
    }
    return RF_OK;
}

/* ---- the environment ---- */

/* DATA/cache into buf, creating DATA and it (0700) when `create`. */
static int cache_dir(const char *datadir, char *buf, size_t cap, bool create)
{
    if (!datadir || !*datadir)
        return fail(RF_EINVAL, "no data directory");
    if ((size_t)snprintf(buf, cap, "%s/cache", datadir) >= cap)
        return fail(RF_ELIMIT, "data directory path too long");
    struct stat st;
    if (stat(buf, &st) == 0)
        return S_ISDIR(st.st_mode) ? RF_OK : fail(RF_EIO, "%s is not a directory", buf);
    if (!create)
        return fail(RF_ENOTFOUND, "no cache in %s", datadir);
    if ((mkdir(datadir, 0700) != 0 && errno != EEXIST) || (mkdir(buf, 0700) != 0 && errno != EEXIST))
        return fail(errno == ENOMEM ? RF_ENOMEM : RF_EIO, "cannot create %s: %s", buf,
                    strerror(errno));
    return RF_OK;
}

/* Open the LMDB environment and its two databases. */
static int env_open(MDB_env **out, MDB_dbi *prof, MDB_dbi *runs, const char *dir, size_t map)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    int rc = mdb_env_create(&env);
    if (rc == 0 && (rc = mdb_env_set_maxdbs(env, 4)) == 0 &&
        (rc = mdb_env_set_mapsize(env, map)) == 0)
        rc = mdb_env_open(env, dir, MDB_NOTLS | MDB_NOMETASYNC, 0600);
    if (rc != 0) {
        rc = mdb_fail(rc, "cannot open the cache");
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
        rc = mdb_fail(rc, "cannot open the cache databases");
        goto out;
    }
    *out = env;
    return RF_OK;
out:
    mdb_env_close(env);
    return rc;
}

/* Adopt a map grown by another process, or double ours when it is full. */
static int grow_map(rf_cache *c, bool full)
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
    ixbuf b = {0};
    uint64_t v[] = {(uint64_t)run->started, (uint64_t)run->pid, run->hits, run->misses,
                    run->stale, run->expired, run->changed, run->stored};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ixbuf_varint(&b, v[i]);
    MDB_val k = {sizeof c->runkey, c->runkey}, d = {b.len, b.p};
    int rc = b.oom ? ENOMEM : mdb_put(txn, c->runs, &k, &d, 0);
    ixbuf_free(&b);
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
static int write_batch(rf_cache *c, const queue *q, const rf_cache_run *run)
{
    for (;;) {
        pthread_rwlock_rdlock(&c->maplock);
        int rc = write_once(c, q, run);
        pthread_rwlock_unlock(&c->maplock);
        if (rc == MDB_MAP_FULL || rc == MDB_MAP_RESIZED) {
            int g = grow_map(c, rc == MDB_MAP_FULL);
            if (g == 0)
                continue;
            rc = g;
        }
        return rc == 0 ? RF_OK : mdb_fail(rc, "cannot write the cache");
    }
}

/* ---- the queue and the writer thread ---- */

/* Free a queue's profiles, keeping its array. */
static void queue_clear(queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->v[i].kv);
    q->n = 0;
}

/* The newest queued profile under key, or NULL. */
static const pend *queue_find(const queue *q, const char *key, size_t klen, uint64_t h)
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
    int rc = broken ? RF_OK : write_batch(c, &c->inflight, &run);
    pthread_mutex_lock(&c->mu);
    if (rc != RF_OK && !c->werr) {
        c->werr = rc;
        memcpy(c->werrmsg, errmsg, sizeof c->werrmsg);
    } else if (rc == RF_OK && !broken) {
        c->run.stored = run.stored;
    }
    queue_clear(&c->inflight);
    c->flush_done = req;
    pthread_cond_broadcast(&c->done);
}

/* The writer thread: commit when a batch is full, old enough, or asked for. */
static void *writer_main(void *arg)
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
        return fail(RF_EINVAL, "cache: out is required");
    *out = NULL;
    rf_cache *c = calloc(1, sizeof *c);
    if (!c)
        return fail(RF_ENOMEM, "out of memory");
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
    int rc = gen_bytes(generation, c->gen);
    if (rc == RF_OK)
        rc = cache_dir(datadir, dir, sizeof dir, true);
    if (rc == RF_OK)
        rc = env_open(&c->env, &c->prof, &c->runs, dir,
                      c->o.map_size ? c->o.map_size : (size_t)16 << 20);
    if (rc == RF_OK && pthread_create(&c->writer, NULL, writer_main, c) != 0)
        rc = fail(RF_ENOMEM, "cannot start the cache writer thread");
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
    queue_clear(&c->pending);
    queue_clear(&c->inflight);
    free(c->pending.v);
    free(c->inflight.v);
    if (c->rtxn)
        mdb_txn_abort(c->rtxn);
    mdb_env_close(c->env);
    ixbuf_free(&c->val);
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
        return fail(RF_EINVAL, "cache: NULL");
    pthread_mutex_lock(&c->mu);
    unsigned long req = ++c->flush_req;
    pthread_cond_signal(&c->wake);
    while ((long)(c->flush_done - req) < 0)
        pthread_cond_wait(&c->done, &c->mu);
    int rc = c->werr;
    if (rc)
        fail(rc, "%s", c->werrmsg);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- get, put ---- */

/* Copy the stored value under the probe's key into c->val: from the queue,
 * else from LMDB. RF_ENOTFOUND when absent. */
static int fetch_value(rf_cache *c, const probe *pr)
{
    ixbuf_reset(&c->val);
    pthread_mutex_lock(&c->mu);
    const pend *e = queue_find(&c->pending, pr->key, pr->klen, pr->h);
    if (!e)
        e = queue_find(&c->inflight, pr->key, pr->klen, pr->h);
    if (e)
        ixbuf_put(&c->val, e->kv + e->klen, e->vlen);
    pthread_mutex_unlock(&c->mu);
    if (e)
        return c->val.oom ? fail(RF_ENOMEM, "out of memory") : RF_OK;
    for (int tries = 0;; tries++) {
        pthread_rwlock_rdlock(&c->maplock);
        int rc = c->rtxn ? mdb_txn_renew(c->rtxn)
                         : mdb_txn_begin(c->env, NULL, MDB_RDONLY, &c->rtxn);
        MDB_val k = {pr->klen, (void *)pr->key}, d;
        if (rc == 0) {
            rc = mdb_get(c->rtxn, c->prof, &k, &d);
            if (rc == 0)
                ixbuf_put(&c->val, d.mv_data, d.mv_size);
            mdb_txn_reset(c->rtxn);
        }
        pthread_rwlock_unlock(&c->maplock);
        if (rc == MDB_MAP_RESIZED && tries < 3 && grow_map(c, false) == 0)
            continue;
        if (rc == MDB_NOTFOUND)
            return RF_ENOTFOUND;
        if (rc != 0)
            return mdb_fail(rc, "cannot read the cache");
        return c->val.oom ? fail(RF_ENOMEM, "out of memory") : RF_OK;
    }
}

/* Classify a profile value against the probe and decode it into *pf (whose
 * hits and flags point into the value). A profile without the party rules'
 * flags does not answer a probe that needs them. */
static int check_value(rf_cache *c, const probe *pr, const void *val, size_t vlen, profile *pf,
                       unsigned long **counter)
{
    decoded d;
    int rc = decode(val, vlen, &d, c->hits, c->flags);
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
static int get_probe(rf_cache *c, const probe *pr, profile *pf)
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
            memo_set(pr->m, pr, c->val.p, c->val.len);
    }
    if (rc == RF_OK || rc == RF_ENOTFOUND) {
        pthread_mutex_lock(&c->mu);
        (*counter)++;
        pthread_mutex_unlock(&c->mu);
    }
    return rc;
}

/* Queue a prepared party's profile. */
static int put_probe(rf_cache *c, const probe *pr, const rf_name_party *p, const profile *pf)
{
    if (pf->nhits > RF_CACHE_MAX_HITS)
        return fail(RF_ELIMIT, "a profile keeps at most %d hits", RF_CACHE_MAX_HITS);
    if (pf->has_flags && pf->nflags > RF_CACHE_MAX_FLAGS)
        return fail(RF_ELIMIT, "a profile keeps at most %d flags", RF_CACHE_MAX_FLAGS);
    rf_name_norm nn;
    const char *norm = rf_name_normalize(p->name, (size_t)-1, p->kind, &nn) == RF_OK ? nn.text : "";
    ixbuf v = {0};
    ixbuf_put(&v, pr->key, pr->klen);
    encode(&v, c->gen, pr, norm, pf);
    if (v.oom) {
        ixbuf_free(&v);
        return fail(RF_ENOMEM, "out of memory");
    }
    if (pr->m)
        memo_set(pr->m, pr, v.p + pr->klen, v.len - pr->klen);
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
        fail(rc, "%s", rc == RF_ENOMEM ? "out of memory" : c->werrmsg);
    }
    pthread_mutex_unlock(&c->mu);
    ixbuf_free(&v);
    return rc;
}

/* The cached matches of a party. */
int rf_cache_get(rf_cache *c, const rf_name_party *p, const rf_match_hit **hits, size_t *n)
{
    if (!c || !p || !hits || !n)
        return fail(RF_EINVAL, "cache get: cache, party, hits and count are required");
    *n = 0;
    probe pr = {0};
    profile pf = {0};
    int rc = make_probe(&pr, p, RF_SCOPE_RECORD, c);
    if (rc == RF_EINVAL)
        rc = RF_ENOTFOUND; /* a party that cannot be keyed is never cached */
    else if (rc == RF_OK)
        rc = get_probe(c, &pr, &pf);
    ixbuf_free(&pr.query);
    *hits = c->hits;
    *n = rc == RF_OK ? pf.nhits : 0;
    return rc;
}

/* Store a party's matches. */
int rf_cache_put(rf_cache *c, const rf_name_party *p, const rf_match_hit *hits, size_t n)
{
    if (!c || !p || (n && !hits))
        return fail(RF_EINVAL, "cache put: cache, party and hits are required");
    probe pr = {0};
    profile pf = {hits, n, false, NULL, 0};
    int rc = make_probe(&pr, p, RF_SCOPE_RECORD, c);
    if (rc == RF_OK)
        rc = put_probe(c, &pr, p, &pf);
    ixbuf_free(&pr.query);
    return rc;
}

/* This run's counters. */
void rf_cache_counters(const rf_cache *c, rf_cache_run *run)
{
    pthread_mutex_lock((pthread_mutex_t *)&c->mu);
    *run = c->run;
    pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
}

/* ---- screening ---- */

/* One record's screening through the cache. */
typedef struct job {
    rf_cache *c;
    rf_matcher *m;
    rf_scanner *sc;
    const rf_record *rec;
    rf_result *res;
    int cache_err;
    probe pr;
} job;

/* The scope of the party rules for a party's role, RF_SCOPE_RECORD when the
 * ruleset has none (or there is no scanner). */
static rf_rule_scope role_scope(const rf_scanner *sc, const char *role)
{
    if (!sc)
        return RF_SCOPE_RECORD;
    rf_rule_scope s = strcmp(role, "supplier") == 0       ? RF_SCOPE_SUPPLIER
                      : strcmp(role, "manufacturer") == 0 ? RF_SCOPE_MANUFACTURER
                                                          : RF_SCOPE_RECORD;
    if (s == RF_SCOPE_RECORD || !rf_ruleset_scope_count(rf_scanner_ruleset(sc), s))
        return RF_SCOPE_RECORD;
    return s;
}

/* Whether the party's query holds every value of the fields its party rules
 * may read (one name, its country, every identifier): only then do those
 * rules depend on the query alone and may their flags be cached. */
static bool party_complete(const rf_record *rec, rf_rule_scope scope, const rf_name_party *p)
{
    bool sup = scope == RF_SCOPE_SUPPLIER;
    rf_field name = sup ? RF_F_SUPPLIER_NAME : RF_F_MANUFACTURER_NAME;
    rf_field country = sup ? RF_F_SUPPLIER_COUNTRY : RF_F_MANUFACTURER_COUNTRY;
    uint64_t f = rf_scope_fields(scope);
    size_t ids = 0; /* every other field of the scope is an identifier */
    for (int i = 0; i < RF_F_COUNT; i++)
        if ((f >> i & 1) && i != (int)name && i != (int)country)
            ids += rf_record_count(rec, (rf_field)i);
    return rf_record_count(rec, name) == 1 && rf_record_count(rec, country) == p->ncountries &&
           ids == p->nids;
}

/* Add copies of cached party rule flags to the result. */
static int add_flags(rf_result *res, const rf_flag *flags, size_t n)
{
    int rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < n; i++) {
        const rf_flag *f = &flags[i];
        const char *s[] = {f->rule, f->indicator, f->field, f->evidence, f->source, f->guideline};
        const char *d[6];
        for (size_t k = 0; k < 6; k++)
            d[k] = s[k] ? rf_result_strdup(res, s[k], strlen(s[k])) : NULL;
        for (size_t k = 0; k < 5; k++)
            if (!d[k])
                rc = RF_ENOMEM;
        rf_flag fl = {d[0], d[1], f->severity, f->weight, d[2], d[3], d[4], d[5]};
        if (rc == RF_OK)
            rc = rf_result_add_flag(res, &fl);
    }
    return rc;
}

/* The party from the cache: its party rule flags into the result (or the
 * rules run, for a party whose query misses some of their fields), *hits.
 * RF_ENOTFOUND on a miss. */
static int party_hit(job *j, rf_rule_scope scope, bool complete, const rf_match_hit **hits,
                     size_t *n)
{
    profile pf;
    int rc = get_probe(j->c, &j->pr, &pf);
    if (rc != RF_OK) {
        if (rc != RF_ENOTFOUND)
            j->cache_err = rc;
        return RF_ENOTFOUND;
    }
    if (scope != RF_SCOPE_RECORD)
        rc = complete ? add_flags(j->res, pf.flags, pf.nflags)
                      : rf_scanner_scan_scope(j->sc, j->rec, scope, j->res);
    *hits = pf.hits;
    *n = pf.nhits;
    return rc;
}

/* One party through the cache: hits (and party rule flags) from it, else
 * from the matcher and the scanner, then stored. *from_cache tells which. */
static int screen_party(job *j, const rf_record_party *rp, const rf_match_hit **hits, size_t *n,
                        bool *from_cache)
{
    const rf_name_party *p = &rp->p;
    rf_rule_scope scope = role_scope(j->sc, rp->role);
    bool complete = scope == RF_SCOPE_RECORD || party_complete(j->rec, scope, p);
    int krc = j->c && !j->cache_err ? make_probe(&j->pr, p, scope, j->c) : RF_EINVAL;
    j->pr.need_flags = scope != RF_SCOPE_RECORD && complete;
    *from_cache = false;
    if (krc == RF_OK) {
        int rc = party_hit(j, scope, complete, hits, n);
        if (rc != RF_ENOTFOUND) {
            *from_cache = rc == RF_OK && complete;
            return rc;
        }
    } else if (krc != RF_EINVAL) {
        j->cache_err = krc;
    }
    int rc = rf_matcher_party(j->m, p, hits, n);
    size_t f0 = j->res->nflags;
    if (rc == RF_OK && scope != RF_SCOPE_RECORD)
        rc = rf_scanner_scan_scope(j->sc, j->rec, scope, j->res);
    if (rc == RF_OK && krc == RF_OK && !j->cache_err) {
        size_t nf = j->res->nflags - f0;
        profile pf = {*hits, *n, j->pr.need_flags && nf <= RF_CACHE_MAX_FLAGS,
                      j->res->flags + f0, nf};
        int prc = put_probe(j->c, &j->pr, p, &pf);
        if (prc != RF_OK)
            j->cache_err = prc;
    }
    return rc;
}

/* Run the party rules of the roles that have no party in this record. */
static int absent_roles(job *j, const rf_record_party *parties, size_t np)
{
    static const char *const roles[] = {"supplier", "manufacturer"};
    int rc = RF_OK;
    for (size_t r = 0; rc == RF_OK && r < 2; r++) {
        rf_rule_scope scope = role_scope(j->sc, roles[r]);
        bool present = false;
        for (size_t i = 0; i < np && !present; i++)
            present = strcmp(parties[i].role, roles[r]) == 0;
        if (scope != RF_SCOPE_RECORD && !present)
            rc = rf_scanner_scan_scope(j->sc, j->rec, scope, j->res);
    }
    return rc;
}

/* Screen a record's parties through the cache. */
int rf_cache_screen(rf_cache *c, rf_matcher *m, rf_scanner *sc, const rf_record *rec,
                    rf_result *res, int *cache_err)
{
    rf_record_party parties[RF_RECORD_PARTIES];
    size_t np = rf_record_parties(rec, parties, RF_RECORD_PARTIES);
    const rf_ruleset *rs = sc ? rf_scanner_ruleset(sc) : NULL;
    bool party_rules = rf_ruleset_scope_count(rs, RF_SCOPE_SUPPLIER) ||
                       rf_ruleset_scope_count(rs, RF_SCOPE_MANUFACTURER);
    /* without party rules (the shipped ones), nothing below needs the scanner */
    job j = {.c = c, .m = m, .sc = party_rules ? sc : NULL, .rec = rec, .res = res};
    bool all = np > 0;
    int rc = party_rules ? absent_roles(&j, parties, np) : RF_OK;
    for (size_t i = 0; rc == RF_OK && i < np; i++) {
        const rf_match_hit *hits;
        size_t n;
        bool hit;
        rc = screen_party(&j, &parties[i], &hits, &n, &hit);
        all = all && hit;
        if (rc == RF_OK)
            rc = rf_matcher_report(m, res, &parties[i], hits, n);
    }
    ixbuf_free(&j.pr.query);
    res->cached = rc == RF_OK && all;
    if (cache_err)
        *cache_err = j.cache_err;
    return rc;
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
        if (decode(d.mv_data, d.mv_size, &dec, NULL, NULL) != RF_OK)
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
        return fail(RF_EINVAL, "cache stats: st is required");
    memset(st, 0, sizeof *st);
    int rc = generation ? gen_bytes(generation, gen) : RF_OK;
    if (rc == RF_OK)
        rc = cache_dir(datadir, dir, sizeof dir, false);
    MDB_env *env = NULL;
    MDB_dbi prof, runs;
    if (rc == RF_OK)
        rc = env_open(&env, &prof, &runs, dir, (size_t)16 << 20);
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
    return mrc == 0 ? RF_OK : mdb_fail(mrc, "cannot read the cache");
}

/* Remove every profile. */
int rf_cache_clear(const char *datadir, size_t *removed)
{
    char dir[4096];
    int rc = cache_dir(datadir, dir, sizeof dir, false);
    MDB_env *env = NULL;
    MDB_dbi prof, runs;
    if (rc == RF_OK)
        rc = env_open(&env, &prof, &runs, dir, (size_t)16 << 20);
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
        return mdb_fail(mrc, "cannot clear the cache");
    if (removed)
        *removed = st.ms_entries;
    return RF_OK;
}
