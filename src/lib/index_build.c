/* The index builder: a fresh LMDB environment filled in batches, hashed into
 * a generation, then renamed and swapped in atomically (docs/DATA.md).
 *
 * Writes are queued as (database, key, value) operations in a memory arena
 * and applied in one write transaction per batch. When LMDB answers
 * MDB_MAP_FULL the batch's transaction is aborted, the map doubled and the
 * batch replayed, so the map grows as needed. The environment is private to
 * the build until its rename, so it runs without LMDB's lock file and
 * without per-commit syncs; one forced sync precedes the rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "index_int.h"
#include "redflag/sha256.h"

#define MAP_START ((size_t)64 << 20)
#define BATCH_BYTES ((size_t)64 << 20)
#define BATCH_OPS 1000000

/* One queued put: offsets into the arena. */
typedef struct op {
    unsigned db, flags;
    size_t koff, klen, voff, vlen;
} op;

struct rf_index_builder {
    char *datadir;
    char *tmpdir;           /* DATA/index.tmp.<pid>.<n> */
    int lockfd;
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    size_t mapsize;
    ixbuf arena;            /* keys and values of the queued ops */
    op *ops;
    size_t nops, capops;
    ixbuf key, val;         /* scratch */
    uint32_t goods_seq;
    bool committed;
};

static atomic_uint tmp_counter;

/* Queue one put; keys must be 1..RF_INDEX_MAX_KEY bytes. */
static int queue(rf_index_builder *b, unsigned db, unsigned flags, const void *k, size_t kl,
                 const void *v, size_t vl)
{
    if (kl == 0 || kl > RF_INDEX_MAX_KEY)
        return ix_fail(RF_ELIMIT, "index key of %zu bytes (1 to %d allowed)", kl,
                       RF_INDEX_MAX_KEY);
    if (b->nops == b->capops) {
        size_t cap = b->capops ? b->capops * 2 : 1024;
        op *o = realloc(b->ops, cap * sizeof *o);
        if (!o)
            return ix_fail(RF_ENOMEM, "out of memory queueing index writes");
        b->ops = o;
        b->capops = cap;
    }
    op *o = &b->ops[b->nops];
    *o = (op){db, flags, b->arena.len, kl, b->arena.len + kl, vl};
    ixbuf_put(&b->arena, k, kl);
    ixbuf_put(&b->arena, v, vl);
    if (b->arena.oom)
        return ix_fail(RF_ENOMEM, "out of memory queueing index writes");
    b->nops++;
    return RF_OK;
}

/* The batch being sorted (qsort has no context argument). */
static _Thread_local const rf_index_builder *sorting;

/* Compare two byte strings as LMDB's default order does. */
static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* Order ops by database, key, value, then queue position (so that a later put
 * of the same key still wins): writing B-trees in key order fills their pages
 * (random order leaves them half empty, doubling the file and its RSS). */
static int op_cmp(const void *x, const void *y)
{
    const op *a = x, *b = y;
    const char *p = sorting->arena.p;
    if (a->db != b->db)
        return a->db < b->db ? -1 : 1;
    int c = bytes_cmp(p + a->koff, a->klen, p + b->koff, b->klen);
    if (!c)
        c = bytes_cmp(p + a->voff, a->vlen, p + b->voff, b->vlen);
    return c ? c : (a->koff > b->koff) - (a->koff < b->koff);
}

/* Apply the queued ops in one transaction; MDB_MAP_FULL comes back raw. */
static int apply_batch(rf_index_builder *b)
{
    MDB_txn *txn;
    sorting = b;
    if (b->nops)
        qsort(b->ops, b->nops, sizeof *b->ops, op_cmp);
    int rc = mdb_txn_begin(b->env, NULL, 0, &txn);
    if (rc)
        return rc;
    for (size_t i = 0; i < b->nops; i++) {
        const op *o = &b->ops[i];
        MDB_val k = {o->klen, b->arena.p + o->koff}, v = {o->vlen, b->arena.p + o->voff};
        rc = mdb_put(txn, b->dbi[o->db], &k, &v, o->flags);
        if (rc == MDB_KEYEXIST && (o->flags & MDB_NODUPDATA))
            rc = 0;
        if (rc) {
            mdb_txn_abort(txn);
            return rc;
        }
    }
    return mdb_txn_commit(txn);
}

/* Double the map (no transaction may be open). */
static int grow(rf_index_builder *b)
{
    if (b->mapsize > SIZE_MAX / 2)
        return ix_fail(RF_ESTORE, "index map cannot grow past %zu bytes", b->mapsize);
    size_t next = b->mapsize * 2;
    int rc = mdb_env_set_mapsize(b->env, next);
    if (rc)
        return ix_mdb_fail(rc, "growing the index map");
    b->mapsize = next;
    return RF_OK;
}

/* Write the queued ops, growing the map and replaying on MDB_MAP_FULL. */
static int flush(rf_index_builder *b)
{
    for (;;) {
        int rc = apply_batch(b);
        if (rc == 0)
            break;
        if (rc != MDB_MAP_FULL)
            return ix_mdb_fail(rc, "writing the index");
        if ((rc = grow(b)) != RF_OK)
            return rc;
    }
    b->nops = 0;
    ixbuf_reset(&b->arena);
    return RF_OK;
}

/* Flush when the batch is big enough. */
static int maybe_flush(rf_index_builder *b)
{
    if (b->arena.len < BATCH_BYTES && b->nops < BATCH_OPS)
        return RF_OK;
    return flush(b);
}

/* Set the map size for the rest of the build. */
int rf_index_builder_set_map_size(rf_index_builder *b, size_t bytes)
{
    ix_clear_error();
    if (!b || !b->env || b->committed || bytes == 0)
        return ix_fail(RF_EINVAL, "set_map_size: a live builder and a size are required");
    int rc = mdb_env_set_mapsize(b->env, bytes);
    if (rc)
        return ix_mdb_fail(rc, "setting the index map size");
    MDB_envinfo info;
    mdb_env_info(b->env, &info);
    b->mapsize = info.me_mapsize;
    return RF_OK;
}

/* Whether the builder can take more writes. */
static int check_live(const rf_index_builder *b)
{
    if (!b || !b->env || b->committed)
        return ix_fail(RF_EINVAL, "index builder is not open for writing");
    return RF_OK;
}

/* Queue the identifier entries of one entity. */
static int add_idents(rf_index_builder *b, const rf_entity *e, const char *ek, size_t eklen)
{
    for (size_t i = 0; i < e->nids; i++) {
        if (!ix_ident_key(&b->key, e->ids[i].scheme, e->ids[i].value))
            continue;
        if (b->key.oom)
            return ix_fail(RF_ENOMEM, "out of memory indexing identifiers");
        if (b->key.len > RF_INDEX_MAX_KEY)
            continue; /* documented: too long to index, kept in the entity */
        int rc = queue(b, DB_IDS, MDB_NODUPDATA, b->key.p, b->key.len, ek, eklen);
        if (rc != RF_OK)
            return rc;
    }
    return RF_OK;
}

/* Copy an entity and index its identifiers. */
int rf_index_builder_add_entity(rf_index_builder *b, const rf_entity *e, bool critical)
{
    ix_clear_error();
    int rc = check_live(b);
    if (rc != RF_OK)
        return rc;
    if (!e || !e->list || !e->id || !e->name)
        return ix_fail(RF_EINVAL, "entity without list, id or name");
    char ek[RF_INDEX_MAX_KEY];
    size_t eklen;
    if ((rc = rf_index_entity_key(e->list, e->id, ek, sizeof ek, &eklen)) != RF_OK)
        return rc;
    ixbuf_reset(&b->val);
    ix_encode_entity(&b->val, e, critical);
    if (b->val.oom)
        return ix_fail(RF_ENOMEM, "out of memory encoding entity '%s'", e->id);
    if ((rc = queue(b, DB_ENTITIES, 0, ek, eklen, b->val.p, b->val.len)) != RF_OK)
        return rc;
    if ((rc = add_idents(b, e, ek, eklen)) != RF_OK)
        return rc;
    return maybe_flush(b);
}

/* Store a name key -> entity key pair. */
int rf_index_builder_add_key(rf_index_builder *b, const void *key, size_t len,
                             const char *list, const char *id)
{
    ix_clear_error();
    int rc = check_live(b);
    if (rc != RF_OK)
        return rc;
    if (!key || len == 0)
        return ix_fail(RF_EINVAL, "empty name key");
    char ek[RF_INDEX_MAX_KEY];
    size_t eklen;
    if ((rc = rf_index_entity_key(list, id, ek, sizeof ek, &eklen)) != RF_OK)
        return rc;
    if ((rc = queue(b, DB_KEYS, MDB_NODUPDATA, key, len, ek, eklen)) != RF_OK)
        return rc;
    return maybe_flush(b);
}

/* Store a goods row under good NUL country NUL seq (big-endian). */
int rf_index_builder_add_goods(rf_index_builder *b, const rf_goods *g)
{
    ix_clear_error();
    int rc = check_live(b);
    if (rc != RF_OK)
        return rc;
    if (!g || !g->good)
        return ix_fail(RF_EINVAL, "goods row without a good");
    ixbuf_reset(&b->key);
    ixbuf_put(&b->key, g->good, strlen(g->good) + 1);
    const char *c = g->country ? g->country : "";
    ixbuf_put(&b->key, c, strlen(c) + 1);
    uint32_t s = b->goods_seq++;
    unsigned char be[4] = {(unsigned char)(s >> 24), (unsigned char)(s >> 16),
                           (unsigned char)(s >> 8), (unsigned char)s};
    ixbuf_put(&b->key, be, 4);
    ixbuf_reset(&b->val);
    ix_encode_goods(&b->val, g);
    if (b->key.oom || b->val.oom)
        return ix_fail(RF_ENOMEM, "out of memory encoding a goods row");
    if ((rc = queue(b, DB_GOODS, 0, b->key.p, b->key.len, b->val.p, b->val.len)) != RF_OK)
        return rc;
    return maybe_flush(b);
}

/* Store a feed's metadata under its name. */
int rf_index_builder_add_feed(rf_index_builder *b, const rf_index_feed *f)
{
    ix_clear_error();
    int rc = check_live(b);
    if (rc != RF_OK)
        return rc;
    if (!f || !f->name || !*f->name)
        return ix_fail(RF_EINVAL, "feed metadata without a name");
    ixbuf_reset(&b->val);
    ix_encode_feed(&b->val, f);
    if (b->val.oom)
        return ix_fail(RF_ENOMEM, "out of memory encoding feed '%s'", f->name);
    rc = queue(b, DB_FEEDS, 0, f->name, strlen(f->name), b->val.p, b->val.len);
    if (rc != RF_OK)
        return rc;
    return maybe_flush(b);
}

/* ---- creation ---- */

/* mkdir -p with mode 0700 for what is created. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return ix_fail(RF_ENOMEM, "out of memory");
    int rc = RF_OK;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = ix_sys_fail("cannot create data directory", p);
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

/* Take DATA/index.lock exclusively, without waiting. */
static int take_lock(rf_index_builder *b)
{
    char *path = ix_path(b->datadir, IX_LOCK);
    if (!path)
        return ix_fail(RF_ENOMEM, "out of memory");
    int rc = RF_OK;
    b->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (b->lockfd < 0)
        rc = ix_sys_fail("cannot open build lock", path);
    else if (flock(b->lockfd, LOCK_EX | LOCK_NB) != 0)
        rc = errno == EWOULDBLOCK
                 ? ix_fail(RF_ESTORE, "another index build is running (%s is locked)", path)
                 : ix_sys_fail("cannot lock", path);
    free(path);
    return rc;
}

/* Try to remove an old generation: only when no reader holds its lock
 * file. It is renamed to a temporary name first, so a half-removed
 * generation is never mistaken for a complete one. */
static void remove_generation(const char *datadir, const char *name)
{
    char *dir = ix_path(datadir, name), *rd = dir ? ix_path(dir, IX_READERS) : NULL;
    char tmpname[64];
    snprintf(tmpname, sizeof tmpname, IX_TMP_PREFIX "%ld.%u.old", (long)getpid(),
             atomic_fetch_add(&tmp_counter, 1));
    char *tmp = ix_path(datadir, tmpname);
    int fd = rd ? open(rd, O_RDONLY | O_CLOEXEC) : -1;
    bool free_to_go = rd && tmp && (fd >= 0 ? flock(fd, LOCK_EX | LOCK_NB) == 0
                                            : errno == ENOENT);
    if (free_to_go && rename(dir, tmp) == 0)
        ix_rmtree(tmp);
    if (fd >= 0)
        close(fd);
    free(dir);
    free(rd);
    free(tmp);
}

/* Remove leftovers of killed builds and unused generations other than the
 * current one. Failures are left for the next build to retry. */
static void sweep(const char *datadir)
{
    char cur[256];
    if (ix_read_current(datadir, cur, sizeof cur) != 0)
        cur[0] = '\0';
    DIR *d = opendir(datadir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *p = NULL;
        if (strncmp(de->d_name, IX_TMP_PREFIX, strlen(IX_TMP_PREFIX)) == 0 ||
            strcmp(de->d_name, IX_LINK_NEW) == 0) {
            if ((p = ix_path(datadir, de->d_name)) != NULL)
                ix_rmtree(p);
        } else if (ix_is_generation_name(de->d_name) && strcmp(de->d_name, cur) != 0) {
            remove_generation(datadir, de->d_name);
        }
        free(p);
    }
    closedir(d);
}

/* Create the temporary directory with its (empty) readers lock file. */
static int make_tmpdir(rf_index_builder *b)
{
    char name[64];
    snprintf(name, sizeof name, IX_TMP_PREFIX "%ld.%u", (long)getpid(),
             atomic_fetch_add(&tmp_counter, 1));
    if (!(b->tmpdir = ix_path(b->datadir, name)))
        return ix_fail(RF_ENOMEM, "out of memory");
    if (mkdir(b->tmpdir, 0755) != 0)
        return ix_sys_fail("cannot create", b->tmpdir);
    char *rd = ix_path(b->tmpdir, IX_READERS);
    if (!rd)
        return ix_fail(RF_ENOMEM, "out of memory");
    int fd = open(rd, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int rc = fd < 0 ? ix_sys_fail("cannot create", rd) : RF_OK;
    if (fd >= 0)
        close(fd);
    free(rd);
    return rc;
}

/* Open the LMDB environment and its databases in the temporary directory. */
static int open_env(rf_index_builder *b)
{
    int rc = mdb_env_create(&b->env);
    if (rc)
        return ix_mdb_fail(rc, "creating the index environment");
    b->mapsize = MAP_START;
    mdb_env_set_maxdbs(b->env, DB_COUNT);
    mdb_env_set_mapsize(b->env, b->mapsize);
    rc = mdb_env_open(b->env, b->tmpdir, MDB_NOLOCK | MDB_NOSYNC | MDB_NOMETASYNC, 0644);
    if (rc)
        return ix_mdb_fail(rc, "opening the new index environment");
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(b->env, NULL, 0, &txn)) != 0)
        return ix_mdb_fail(rc, "starting the index build");
    for (int i = 0; i < DB_COUNT && rc == 0; i++)
        rc = mdb_dbi_open(txn, ix_db_names[i], MDB_CREATE | ix_db_flags[i], &b->dbi[i]);
    if (rc) {
        mdb_txn_abort(txn);
        return ix_mdb_fail(rc, "creating the index databases");
    }
    if ((rc = mdb_txn_commit(txn)) != 0)
        return ix_mdb_fail(rc, "creating the index databases");
    return RF_OK;
}

/* Start a build: lock, sweep, fresh environment. */
int rf_index_builder_create(rf_index_builder **out, const char *datadir)
{
    ix_clear_error();
    if (!out || !datadir || !*datadir)
        return ix_fail(RF_EINVAL, "index builder: output pointer and data directory required");
    *out = NULL;
    rf_index_builder *b = calloc(1, sizeof *b);
    if (!b || !(b->datadir = strdup(datadir))) {
        free(b);
        return ix_fail(RF_ENOMEM, "out of memory");
    }
    b->lockfd = -1;
    int rc = make_dirs(datadir);
    if (rc == RF_OK)
        rc = take_lock(b);
    if (rc == RF_OK) {
        sweep(datadir);
        rc = make_tmpdir(b);
    }
    if (rc == RF_OK)
        rc = open_env(b);
    if (rc != RF_OK) {
        char keep[1024];
        snprintf(keep, sizeof keep, "%s", rf_index_error());
        rf_index_builder_destroy(b);
        return ix_fail(rc, "%s", keep);
    }
    *out = b;
    return RF_OK;
}

/* Throw away an uncommitted build; release the lock. */
void rf_index_builder_destroy(rf_index_builder *b)
{
    if (!b)
        return;
    if (b->env)
        mdb_env_close(b->env);
    if (b->tmpdir && !b->committed)
        ix_rmtree(b->tmpdir);
    if (b->lockfd >= 0)
        close(b->lockfd);
    ixbuf_free(&b->arena);
    ixbuf_free(&b->key);
    ixbuf_free(&b->val);
    free(b->ops);
    free(b->tmpdir);
    free(b->datadir);
    free(b);
}

/* ---- commit ---- */

/* Hash one database in key order: name, then each (len, key, len, value). */
static int hash_db(MDB_txn *txn, MDB_dbi dbi, const char *name, rf_sha256 *h)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, dbi, &c);
    if (rc)
        return rc;
    rf_sha256_update(h, name, strlen(name) + 1);
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        unsigned char lens[16];
        for (int i = 0; i < 8; i++) { /* little-endian whatever the machine */
            lens[i] = (unsigned char)((uint64_t)k.mv_size >> (8 * i));
            lens[8 + i] = (unsigned char)((uint64_t)v.mv_size >> (8 * i));
        }
        rf_sha256_update(h, lens, sizeof lens);
        rf_sha256_update(h, k.mv_data, k.mv_size);
        rf_sha256_update(h, v.mv_data, v.mv_size);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Hash the feeds' names and critical flags only: fetch times, validators
 * and status change on every fetch without changing what is listed. */
static int hash_feed_names(MDB_txn *txn, MDB_dbi dbi, rf_sha256 *h)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, dbi, &c);
    if (rc)
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        unsigned char crit = v.mv_size > 1 ? ((const unsigned char *)v.mv_data)[1] : 0;
        rf_sha256_update(h, k.mv_data, k.mv_size);
        rf_sha256_update(h, "", 1);
        rf_sha256_update(h, &crit, 1);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The generation (content hash) and the directory hash (content plus every
 * feed's full metadata), both hex. */
static int hash_build(MDB_txn *txn, const MDB_dbi *dbi, char gen[RF_INDEX_GEN_HEX],
                      char dirhash[RF_INDEX_GEN_HEX])
{
    rf_sha256 h;
    unsigned char d[RF_SHA256_LEN];
    if (rf_sha256_init(&h) != RF_OK)
        return ENOMEM;
    rf_sha256_update(&h, "redflag-index-1", 16);
    int rc = 0;
    for (int i = DB_ENTITIES; i <= DB_GOODS && rc == 0; i++)
        rc = hash_db(txn, dbi[i], ix_db_names[i], &h);
    if (rc == 0)
        rc = hash_feed_names(txn, dbi[DB_FEEDS], &h);
    if (rc || rf_sha256_final(&h, d) != RF_OK) {
        rf_sha256_free(&h);
        return rc ? rc : ENOMEM;
    }
    rf_sha256_hex(d, gen);
    if (rf_sha256_init(&h) != RF_OK)
        return ENOMEM;
    rf_sha256_update(&h, gen, RF_INDEX_GEN_HEX - 1);
    rc = hash_db(txn, dbi[DB_FEEDS], ix_db_names[DB_FEEDS], &h);
    if (rc || rf_sha256_final(&h, d) != RF_OK) {
        rf_sha256_free(&h);
        return rc ? rc : ENOMEM;
    }
    rf_sha256_hex(d, dirhash);
    return 0;
}

/* Put one text meta record. */
static int put_meta(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *text)
{
    MDB_val k = {strlen(key), (void *)key}, v = {strlen(text), (void *)text};
    return mdb_put(txn, dbi, &k, &v, 0);
}

/* Number of entries (pairs for DUPSORT) in a database. */
static size_t db_entries(MDB_txn *txn, MDB_dbi dbi)
{
    MDB_stat st;
    return mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
}

/* Write the meta records: generation, build time, counts, format, version. */
static int write_meta(rf_index_builder *b, MDB_txn *txn, const char *gen)
{
    char num[32];
    int rc = put_meta(txn, b->dbi[DB_META], "generation", gen);
    static const char *const counted[] = {"entities", "keys", "ids", "goods", "feeds"};
    static const int dbs[] = {DB_ENTITIES, DB_KEYS, DB_IDS, DB_GOODS, DB_FEEDS};
    for (int i = 0; i < 5 && rc == 0; i++) {
        snprintf(num, sizeof num, "%zu", db_entries(txn, b->dbi[dbs[i]]));
        rc = put_meta(txn, b->dbi[DB_META], counted[i], num);
    }
    snprintf(num, sizeof num, "%lld", (long long)time(NULL));
    if (rc == 0)
        rc = put_meta(txn, b->dbi[DB_META], "built_at", num);
    snprintf(num, sizeof num, "%d", IX_FORMAT);
    if (rc == 0)
        rc = put_meta(txn, b->dbi[DB_META], "format", num);
    if (rc == 0)
        rc = put_meta(txn, b->dbi[DB_META], "version", rf_version());
    return rc;
}

/* Hash and write meta in one transaction, growing the map if needed. */
static int seal(rf_index_builder *b, char gen[RF_INDEX_GEN_HEX], char dirhash[RF_INDEX_GEN_HEX])
{
    for (;;) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(b->env, NULL, 0, &txn);
        if (rc == 0 && (rc = hash_build(txn, b->dbi, gen, dirhash)) == 0 &&
            (rc = write_meta(b, txn, gen)) == 0) {
            rc = mdb_txn_commit(txn);
            txn = NULL;
        }
        if (txn && rc)
            mdb_txn_abort(txn);
        if (rc == 0)
            return RF_OK;
        if (rc != MDB_MAP_FULL)
            return ix_mdb_fail(rc, "sealing the index");
        if ((rc = grow(b)) != RF_OK)
            return rc;
    }
}

/* Sync and close the environment, and make the directory entries durable. */
static int close_env(rf_index_builder *b)
{
    int rc = mdb_env_sync(b->env, 1);
    mdb_env_close(b->env);
    b->env = NULL;
    if (rc)
        return ix_mdb_fail(rc, "syncing the new index");
    if (ix_fsync_dir(b->tmpdir) != 0)
        return ix_sys_fail("cannot sync", b->tmpdir);
    return RF_OK;
}

/* Move the temporary directory to its generation name. An existing
 * directory of that name holds exactly this build (the name hashes the
 * whole content): it is kept and ours dropped. */
static int place(rf_index_builder *b, const char *genname)
{
    char *dst = ix_path(b->datadir, genname);
    if (!dst)
        return ix_fail(RF_ENOMEM, "out of memory");
    int rc = RF_OK;
    if (rename(b->tmpdir, dst) != 0) {
        if (errno == EEXIST || errno == ENOTEMPTY)
            ix_rmtree(b->tmpdir);
        else
            rc = ix_sys_fail("cannot rename the new index to", dst);
    }
    free(dst);
    if (rc == RF_OK && ix_fsync_dir(b->datadir) != 0)
        rc = ix_sys_fail("cannot sync", b->datadir);
    return rc;
}

/* Point DATA/index at genname: symlink DATA/index.new, rename it over
 * DATA/index (atomic), fsync DATA. */
static int swap_link(const char *datadir, const char *genname)
{
    char *tmp = ix_path(datadir, IX_LINK_NEW), *link = ix_path(datadir, IX_LINK);
    int rc = RF_OK;
    if (!tmp || !link)
        rc = ix_fail(RF_ENOMEM, "out of memory");
    else if (unlink(tmp) != 0 && errno != ENOENT)
        rc = ix_sys_fail("cannot remove", tmp);
    else if (symlink(genname, tmp) != 0)
        rc = ix_sys_fail("cannot create symlink", tmp);
    else if (rename(tmp, link) != 0)
        rc = errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST
                 ? ix_fail(RF_EIO, "%s is a directory, not the index symlink: move it away",
                           link)
                 : ix_sys_fail("cannot swap in the new index at", link);
    else if (ix_fsync_dir(datadir) != 0)
        rc = ix_sys_fail("cannot sync", datadir);
    free(tmp);
    free(link);
    return rc;
}

/* Seal, sync, rename, swap, sweep. */
int rf_index_builder_commit(rf_index_builder *b, char generation[RF_INDEX_GEN_HEX])
{
    ix_clear_error();
    int rc = check_live(b);
    if (rc != RF_OK)
        return rc;
    char gen[RF_INDEX_GEN_HEX], dirhash[RF_INDEX_GEN_HEX], genname[32];
    if ((rc = flush(b)) != RF_OK || (rc = seal(b, gen, dirhash)) != RF_OK ||
        (rc = close_env(b)) != RF_OK)
        return rc;
    snprintf(genname, sizeof genname, "index.%.*s", IX_GEN_PREFIX, dirhash);
    if ((rc = place(b, genname)) != RF_OK)
        return rc;
    b->committed = true; /* the tmp dir is gone: destroy must not remove it */
    if ((rc = swap_link(b->datadir, genname)) != RF_OK)
        return rc;
    sweep(b->datadir);
    if (generation)
        memcpy(generation, gen, RF_INDEX_GEN_HEX);
    return RF_OK;
}
