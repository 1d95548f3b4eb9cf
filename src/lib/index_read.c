/* The index reader: opens the generation DATA/index points at, read-only,
 * and answers lookups, each in its own short read transaction.
 *
 * A generation is immutable once committed, so it is opened with
 * MDB_NOLOCK: no lock.mdb is needed (a read-only data directory works) and
 * no reader slot is taken. What keeps a generation alive while it is open is
 * a shared flock(2) on its `readers` file (see docs/DATA.md). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "index_int.h"

#define OPEN_TRIES 50

struct rf_index {
    char *datadir;
    char *path;            /* DATA/index.<16 hex> */
    char genname[32];      /* index.<16 hex> */
    int readersfd;         /* shared flock held while open */
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    char generation[RF_INDEX_GEN_HEX];
    rf_index_stat stats;
};

/* Shared-lock the generation's readers file; 1 when held, 0 when the
 * generation was removed meanwhile (try again), or an rf_err. */
static int hold_generation(rf_index *ix)
{
    char *rd = ix_path(ix->path, IX_READERS);
    if (!rd)
        return ix_fail(RF_ENOMEM, "out of memory");
    int rc = 0;
    int fd = open(rd, O_RDONLY | O_CLOEXEC);
    struct stat a, b;
    if (fd < 0) {
        rc = errno == ENOENT ? 0 : ix_sys_fail("cannot open", rd);
    } else if (flock(fd, LOCK_SH) != 0) {
        rc = ix_sys_fail("cannot lock", rd);
    } else if (fstat(fd, &a) == 0 && stat(rd, &b) == 0 && a.st_ino == b.st_ino &&
               a.st_dev == b.st_dev) {
        ix->readersfd = fd; /* still the live file: the generation stays */
        fd = -1;
        rc = 1;
    }
    if (fd >= 0)
        close(fd);
    free(rd);
    return rc;
}

/* Resolve DATA/index and hold the generation it names. */
static int resolve(rf_index *ix)
{
    for (int i = 0; i < OPEN_TRIES; i++) {
        if (ix_read_current(ix->datadir, ix->genname, sizeof ix->genname) != 0) {
            if (errno == ENOENT)
                return ix_fail(RF_ENOTFOUND, "no index in %s yet: run `redflag fetch`",
                               ix->datadir);
            if (errno == EINVAL)
                return ix_fail(RF_ESTORE, "%s/index is not a symlink to an index generation",
                               ix->datadir);
            return ix_sys_fail("cannot read", ix->datadir);
        }
        if (!ix_is_generation_name(ix->genname))
            return ix_fail(RF_ESTORE, "%s/index points at '%s', not an index generation",
                           ix->datadir, ix->genname);
        free(ix->path);
        if (!(ix->path = ix_path(ix->datadir, ix->genname)))
            return ix_fail(RF_ENOMEM, "out of memory");
        int rc = hold_generation(ix);
        if (rc != 0)
            return rc < 0 ? rc : RF_OK;
    }
    return ix_fail(RF_ESTORE, "%s/index keeps changing or points at a missing generation",
                   ix->datadir);
}

/* Parse a decimal meta value; 0 when absent. */
static long long meta_num(MDB_txn *txn, MDB_dbi dbi, const char *key)
{
    MDB_val k = {strlen(key), (void *)key}, v;
    char buf[32];
    if (mdb_get(txn, dbi, &k, &v) != 0 || v.mv_size >= sizeof buf)
        return 0;
    memcpy(buf, v.mv_data, v.mv_size);
    buf[v.mv_size] = '\0';
    return strtoll(buf, NULL, 10);
}

/* Read generation and counts from meta. */
static int read_meta(rf_index *ix, MDB_txn *txn)
{
    MDB_dbi m = ix->dbi[DB_META];
    MDB_val k = {10, "generation"}, v;
    int rc = mdb_get(txn, m, &k, &v);
    if (rc || v.mv_size != RF_INDEX_GEN_HEX - 1)
        return ix_fail(RF_ESTORE, "index %s has no generation record", ix->path);
    memcpy(ix->generation, v.mv_data, v.mv_size);
    ix->generation[v.mv_size] = '\0';
    rf_index_stat *s = &ix->stats;
    s->entities = (size_t)meta_num(txn, m, "entities");
    s->keys = (size_t)meta_num(txn, m, "keys");
    s->ids = (size_t)meta_num(txn, m, "ids");
    s->goods = (size_t)meta_num(txn, m, "goods");
    s->feeds = (size_t)meta_num(txn, m, "feeds");
    s->built_at = meta_num(txn, m, "built_at");
    s->format = (unsigned)meta_num(txn, m, "format");
    if (s->format != IX_FORMAT)
        return ix_fail(RF_ESTORE, "index %s has format %u; this redflag reads format %d",
                       ix->path, s->format, IX_FORMAT);
    return RF_OK;
}

/* Open the environment and its databases; read meta. */
static int open_env(rf_index *ix)
{
    int rc = mdb_env_create(&ix->env);
    if (rc)
        return ix_mdb_fail(rc, "creating the index environment");
    mdb_env_set_maxdbs(ix->env, DB_COUNT);
    rc = mdb_env_open(ix->env, ix->path, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS | MDB_NORDAHEAD, 0);
    if (rc) {
        char what[600];
        snprintf(what, sizeof what, "opening index %s", ix->path);
        return ix_mdb_fail(rc, what);
    }
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn)) != 0)
        return ix_mdb_fail(rc, "reading the index");
    for (int i = 0; i < DB_COUNT && rc == 0; i++)
        rc = mdb_dbi_open(txn, ix_db_names[i], ix_db_flags[i], &ix->dbi[i]);
    if (rc) {
        mdb_txn_abort(txn);
        return ix_mdb_fail(rc, "opening the index databases");
    }
    int err = read_meta(ix, txn);
    if (err != RF_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    /* committing a read transaction keeps the database handles open */
    if ((rc = mdb_txn_commit(txn)) != 0)
        return ix_mdb_fail(rc, "opening the index databases");
    return RF_OK;
}

/* Open the current generation. */
int rf_index_open(rf_index **out, const char *datadir)
{
    ix_clear_error();
    if (!out || !datadir || !*datadir)
        return ix_fail(RF_EINVAL, "index open: output pointer and data directory required");
    *out = NULL;
    rf_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->datadir = strdup(datadir))) {
        free(ix);
        return ix_fail(RF_ENOMEM, "out of memory");
    }
    ix->readersfd = -1;
    int rc = resolve(ix);
    if (rc == RF_OK)
        rc = open_env(ix);
    if (rc != RF_OK) {
        char keep[1024];
        snprintf(keep, sizeof keep, "%s", rf_index_error());
        rf_index_close(ix);
        return ix_fail(rc, "%s", keep);
    }
    *out = ix;
    return RF_OK;
}

/* Close the environment and drop the generation's shared lock. */
void rf_index_close(rf_index *ix)
{
    if (!ix)
        return;
    if (ix->env)
        mdb_env_close(ix->env);
    if (ix->readersfd >= 0)
        close(ix->readersfd);
    free(ix->path);
    free(ix->datadir);
    free(ix);
}

/* The content generation. */
const char *rf_index_generation(const rf_index *ix)
{
    return ix ? ix->generation : NULL;
}

/* The generation directory. */
const char *rf_index_path(const rf_index *ix)
{
    return ix ? ix->path : NULL;
}

/* Whether DATA/index still names our generation. */
bool rf_index_is_current(const rf_index *ix)
{
    char cur[32];
    if (!ix || ix_read_current(ix->datadir, cur, sizeof cur) != 0)
        return false;
    return strcmp(cur, ix->genname) == 0;
}

/* Counts and build time from meta. */
void rf_index_stats(const rf_index *ix, rf_index_stat *st)
{
    if (ix && st)
        *st = ix->stats;
    else if (st)
        *st = (rf_index_stat){0};
}

/* A read transaction for one call. */
static int begin(rf_index *ix, MDB_txn **txn)
{
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, txn);
    return rc ? ix_mdb_fail(rc, "reading the index") : RF_OK;
}

/* The visitor of one (key, value) pair in a walk. */
typedef int (*visit_fn)(rf_index *ix, const MDB_val *k, const MDB_val *v, void *ctx);

/* Walk db from `from` (or the start) while keys keep prefix[0..plen).
 * dups_only: just the duplicates of the key found by MDB_SET. */
static int walk(rf_index *ix, int db, const MDB_val *from, size_t plen, bool dups_only,
                visit_fn fn, void *ctx)
{
    MDB_txn *txn;
    MDB_cursor *c;
    int rc = begin(ix, &txn);
    if (rc != RF_OK)
        return rc;
    int mrc = mdb_cursor_open(txn, ix->dbi[db], &c);
    if (mrc) {
        mdb_txn_abort(txn);
        return ix_mdb_fail(mrc, "reading the index");
    }
    MDB_val k = from ? *from : (MDB_val){0}, v;
    MDB_cursor_op first = !from ? MDB_FIRST : dups_only ? MDB_SET : MDB_SET_RANGE;
    MDB_cursor_op next = dups_only ? MDB_NEXT_DUP : MDB_NEXT;
    for (mrc = mdb_cursor_get(c, &k, &v, first); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, next)) {
        if (from && (k.mv_size < plen || memcmp(k.mv_data, from->mv_data, plen) != 0))
            break;
        rc = fn(ix, &k, &v, ctx);
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = ix_mdb_fail(mrc, "reading the index");
    mdb_cursor_close(c);
    mdb_txn_abort(txn);
    return rc;
}

/* Callback and user data of a walk. */
typedef struct cbctx {
    void *cb;
    void *ud;
} cbctx;

/* Deliver one feed record. */
static int visit_feed(rf_index *ix, const MDB_val *k, const MDB_val *v, void *ctx)
{
    (void)ix;
    cbctx *c = ctx;
    rf_index_feed f;
    char name[RF_INDEX_MAX_KEY + 1];
    int rc = ix_decode_feed(k, v, &f, name, sizeof name);
    return rc != RF_OK ? rc : ((rf_index_feed_cb)c->cb)(&f, c->ud);
}

/* Every feed. */
int rf_index_foreach_feed(rf_index *ix, rf_index_feed_cb cb, void *ud)
{
    ix_clear_error();
    if (!ix || !cb)
        return ix_fail(RF_EINVAL, "foreach_feed: index and callback required");
    cbctx c = {(void *)cb, ud};
    return walk(ix, DB_FEEDS, NULL, 0, false, visit_feed, &c);
}

/* Deliver one goods row. */
static int visit_goods(rf_index *ix, const MDB_val *k, const MDB_val *v, void *ctx)
{
    (void)ix;
    (void)k;
    cbctx *c = ctx;
    rf_goods g;
    int rc = ix_decode_goods(v, &g);
    return rc != RF_OK ? rc : ((rf_goods_cb)c->cb)(&g, c->ud);
}

/* Every goods row. */
int rf_index_foreach_goods(rf_index *ix, rf_goods_cb cb, void *ud)
{
    ix_clear_error();
    if (!ix || !cb)
        return ix_fail(RF_EINVAL, "foreach_goods: index and callback required");
    cbctx c = {(void *)cb, ud};
    return walk(ix, DB_GOODS, NULL, 0, false, visit_goods, &c);
}

/* Goods rows of one good, in one country or all. */
int rf_index_find_goods(rf_index *ix, const char *good, const char *country, rf_goods_cb cb,
                        void *ud)
{
    ix_clear_error();
    if (!ix || !good || !cb)
        return ix_fail(RF_EINVAL, "find_goods: index, good and callback required");
    char key[RF_INDEX_MAX_KEY + 1];
    size_t ng = strlen(good), nc = country ? strlen(country) : 0;
    if (ng + nc + 2 > sizeof key)
        return RF_OK; /* longer than any stored key: no row */
    memcpy(key, good, ng + 1);
    if (country)
        memcpy(key + ng + 1, country, nc + 1);
    MDB_val from = {ng + 1 + (country ? nc + 1 : 0), key};
    cbctx c = {(void *)cb, ud};
    return walk(ix, DB_GOODS, &from, from.mv_size, false, visit_goods, &c);
}

/* Deliver one entity. */
static int visit_entity(rf_index *ix, const MDB_val *k, const MDB_val *v, void *ctx)
{
    (void)ix;
    cbctx *c = ctx;
    ixentity x;
    int rc = ix_decode_entity(k, v, &x);
    if (rc == RF_OK)
        rc = ((rf_index_entity_cb)c->cb)(&x.e, x.critical, c->ud);
    ix_entity_free(&x);
    return rc;
}

/* Every entity. */
int rf_index_foreach_entity(rf_index *ix, rf_index_entity_cb cb, void *ud)
{
    ix_clear_error();
    if (!ix || !cb)
        return ix_fail(RF_EINVAL, "foreach_entity: index and callback required");
    cbctx c = {(void *)cb, ud};
    return walk(ix, DB_ENTITIES, NULL, 0, false, visit_entity, &c);
}

/* One entity by key. */
int rf_index_get_entity(rf_index *ix, const void *ekey, size_t len, rf_index_entity_cb cb,
                        void *ud)
{
    ix_clear_error();
    if (!ix || !ekey || !cb)
        return ix_fail(RF_EINVAL, "get_entity: index, key and callback required");
    if (len == 0 || len > RF_INDEX_MAX_KEY)
        return ix_fail(RF_ENOTFOUND, "no entity under a %zu-byte key", len);
    MDB_txn *txn;
    int rc = begin(ix, &txn);
    if (rc != RF_OK)
        return rc;
    MDB_val k = {len, (void *)ekey}, v;
    int mrc = mdb_get(txn, ix->dbi[DB_ENTITIES], &k, &v);
    if (mrc == MDB_NOTFOUND) {
        const char *id = memchr(ekey, '\0', len);
        rc = ix_fail(RF_ENOTFOUND, "no entity '%.*s' in list '%.*s'",
                     id ? (int)(len - (size_t)(id + 1 - (const char *)ekey)) : 0,
                     id ? id + 1 : "", (int)strnlen(ekey, len), (const char *)ekey);
    } else if (mrc) {
        rc = ix_mdb_fail(mrc, "reading the index");
    } else {
        cbctx c = {(void *)cb, ud};
        rc = visit_entity(ix, &k, &v, &c);
    }
    mdb_txn_abort(txn);
    return rc;
}

/* Deliver one entity key (a DUPSORT value). */
static int visit_ekey(rf_index *ix, const MDB_val *k, const MDB_val *v, void *ctx)
{
    (void)ix;
    (void)k;
    cbctx *c = ctx;
    return ((rf_index_ekey_cb)c->cb)(v->mv_data, v->mv_size, c->ud);
}

/* Entity keys by identifier. */
int rf_index_find_id(rf_index *ix, const char *scheme, const char *value, rf_index_ekey_cb cb,
                     void *ud)
{
    ix_clear_error();
    if (!ix || !value || !cb)
        return ix_fail(RF_EINVAL, "find_id: index, value and callback required");
    gbuf key = {0};
    if (!ix_ident_key(&key, scheme, value)) {
        gbuf_free(&key);
        return RF_OK; /* nothing identifying: nothing indexed under it */
    }
    int rc = RF_OK;
    if (key.oom)
        rc = ix_fail(RF_ENOMEM, "out of memory");
    else if (key.len <= RF_INDEX_MAX_KEY) {
        size_t vlen = (size_t)((char *)memchr(key.p, ':', key.len) - key.p) + 1;
        MDB_val from = {scheme ? key.len : vlen, key.p};
        cbctx c = {(void *)cb, ud};
        rc = walk(ix, DB_IDS, &from, from.mv_size, scheme != NULL, visit_ekey, &c);
    }
    gbuf_free(&key);
    return rc;
}

/* Entity keys by name key. */
int rf_index_find_key(rf_index *ix, const void *key, size_t len, rf_index_ekey_cb cb, void *ud)
{
    ix_clear_error();
    if (!ix || !key || !cb)
        return ix_fail(RF_EINVAL, "find_key: index, key and callback required");
    if (len == 0 || len > RF_INDEX_MAX_KEY)
        return RF_OK;
    MDB_val from = {len, (void *)key};
    cbctx c = {(void *)cb, ud};
    return walk(ix, DB_KEYS, &from, len, true, visit_ekey, &c);
}
