/* redflag — the list index: an LMDB environment holding the parsed risk lists
 * (docs/DATA.md "The index").
 *
 * Building. rf_index_builder_create() takes DATA/index.lock (flock, so one
 * build at a time), removes what killed builds left behind, and opens a fresh
 * LMDB environment in DATA/index.tmp.<pid>.<n>/. The caller adds entities
 * (straight from the feed.h parser callbacks), name retrieval keys, DOL goods
 * rows and per-feed metadata, then rf_index_builder_commit() hashes the
 * content into a generation, syncs the environment, renames it to
 * DATA/index.<16 hex>/ and atomically repoints the DATA/index symlink at it
 * (symlink DATA/index.new, rename(2) over DATA/index, fsync DATA). A build
 * killed at any instant leaves DATA/index on the previous complete
 * generation (or absent when there was none); never a half-built one.
 *
 * Reading. rf_index_open() resolves DATA/index to its generation and opens
 * that directory read-only. A generation is never written after its commit,
 * so readers need no LMDB lock file (MDB_NOLOCK: works on a read-only data
 * directory) and each call runs its own short read transaction: an rf_index
 * may be shared by threads. A reader holds a shared flock(2) on the
 * generation's `readers` file for as long as it is open; the next commit
 * removes only generations it can lock exclusively, so an open reader keeps
 * reading its generation after a swap, and old generations go away once the
 * last reader has closed them.
 *
 * Errors. Functions return rf_err codes (common.h): RF_EINVAL (bad argument),
 * RF_EIO (the file system: cannot create, rename, read-only directory…),
 * RF_ESTORE (LMDB failed, a record is corrupt, another build holds the
 * lock), RF_ELIMIT (a key longer than RF_INDEX_MAX_KEY), RF_ENOMEM,
 * RF_ENOTFOUND (no index yet; no such entity). The message for the last
 * failing rf_index_* call in the calling thread, with LMDB's or the system's
 * text as detail, is rf_index_error().
 *
 * Callbacks: return 0 to go on; any other value stops the walk and becomes
 * the function's return value. Every pointer handed to a callback points into
 * the index or a per-call buffer and is valid only during that callback. */
#ifndef REDFLAG_INDEX_H
#define REDFLAG_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"
#include "redflag/feed.h"

/* Longest key LMDB accepts here (entity keys, name keys, normalised ids). */
#define RF_INDEX_MAX_KEY 511
/* Hex generation plus NUL. */
#define RF_INDEX_GEN_HEX 65

typedef struct rf_index_builder rf_index_builder;
typedef struct rf_index rf_index;

/* Per-feed provenance, stored under the feed's name. Strings may be NULL
 * (stored as absent); name is required. */
typedef struct rf_index_feed {
    const char *name;          /* feeds.conf name, e.g. "us_ofac_sdn" */
    const char *url;
    const char *format;        /* "ofac_xml", "dol_goods", … as in feeds.conf */
    const char *licence;
    bool critical;             /* a hit on this feed is critical */
    long long fetched_at;      /* Unix seconds of the download used, 0 unknown */
    const char *etag;
    const char *last_modified;
    const char *sha256;        /* hex SHA-256 of the raw file parsed */
    long long bytes;           /* size of that file */
    size_t entities;           /* entities the feed gave to this build */
    size_t goods;              /* goods rows the feed gave to this build */
    const char *status;        /* "ok", "stale: download failed", … */
    const char *error;         /* the last fetch or parse error, or NULL */
} rf_index_feed;

/* What rf_index_stats() reports. Counts are distinct keys or pairs. */
typedef struct rf_index_stat {
    size_t entities, goods, feeds;
    size_t keys;               /* (name key, entity) pairs */
    size_t ids;                /* (normalised identifier, entity) pairs */
    long long built_at;        /* Unix seconds of the commit */
    unsigned format;           /* encoding version of the records (1) */
} rf_index_stat;

/* An entity as stored: every rf_entity field the parser gave (list and id
 * from the key; `line` is the line in the feed file) and the critical flag
 * given to rf_index_builder_add_entity(). */
typedef int (*rf_index_entity_cb)(const rf_entity *e, bool critical, void *ud);
/* An entity key (list, NUL, id; not NUL-terminated) found by a lookup. */
typedef int (*rf_index_ekey_cb)(const void *ekey, size_t len, void *ud);
/* One feed's stored metadata. */
typedef int (*rf_index_feed_cb)(const rf_index_feed *f, void *ud);

/* The message for the last rf_index_* call that failed in this thread
 * ("" when none); per-thread storage, valid until the next failing call. */
RF_API const char *rf_index_error(void);

/* The entity key of (list, id): list bytes, one NUL, id bytes, written to
 * buf[0..cap) with *len set. RF_ELIMIT when longer than RF_INDEX_MAX_KEY. */
RF_API int rf_index_entity_key(const char *list, const char *id, char *buf, size_t cap,
                               size_t *len);

/* ---- building ---- */

/* Start a build in datadir (created 0700 when missing). Takes the build
 * lock DATA/index.lock (RF_ESTORE "another build is running" when held) and
 * removes leftover DATA/index.tmp.* of killed builds. *out owned by the
 * caller: commit it, or destroy it to throw the build away. */
RF_API int rf_index_builder_create(rf_index_builder **out, const char *datadir);

/* Set the LMDB map size (bytes) for the rest of the build. Not needed: the
 * builder starts at 64 MiB and doubles the map whenever LMDB reports
 * MDB_MAP_FULL. Sizes below what is already used are raised to it. */
RF_API int rf_index_builder_set_map_size(rf_index_builder *b, size_t bytes);

/* Copy an entity into the index under its entity key; a later entity with
 * the same list and id replaces it. Each identifier is also indexed (see
 * rf_index_find_id); identifiers that normalise to nothing, or longer than
 * RF_INDEX_MAX_KEY, are kept in the entity but not indexed. e is not kept. */
RF_API int rf_index_builder_add_entity(rf_index_builder *b, const rf_entity *e,
                                       bool critical);

/* Record that name key key[0..len) retrieves entity (list, id). The name
 * matcher computes keys; the index stores them (many entities per key, each
 * pair once) and does not check that the entity exists. */
RF_API int rf_index_builder_add_key(rf_index_builder *b, const void *key, size_t len,
                                    const char *list, const char *id);

/* Store one DOL List of Goods row (good x country); all fields copied.
 * Rows keep their order among equal (good, country) pairs. */
RF_API int rf_index_builder_add_goods(rf_index_builder *b, const rf_goods *g);

/* Store a feed's metadata under f->name (a later call replaces it). */
RF_API int rf_index_builder_add_feed(rf_index_builder *b, const rf_index_feed *f);

/* Finish: write the meta records, sync, rename to DATA/index.<16 hex>/, swap
 * the DATA/index symlink, fsync DATA, then remove older generations that no
 * reader holds. generation (may be NULL) receives the content generation
 * (see docs/DATA.md). On success the build is over but b must still be
 * destroyed. On failure DATA/index is untouched; destroy b. */
RF_API int rf_index_builder_commit(rf_index_builder *b, char generation[RF_INDEX_GEN_HEX]);

/* Release a builder; an uncommitted build's directory is removed and the
 * build lock released. NULL is fine. */
RF_API void rf_index_builder_destroy(rf_index_builder *b);

/* ---- reading ---- */

/* Open the current generation of DATA/index read-only. RF_ENOTFOUND when
 * there is no index yet. *out owned by the caller (rf_index_close). */
RF_API int rf_index_open(rf_index **out, const char *datadir);

/* Close; NULL is fine. */
RF_API void rf_index_close(rf_index *ix);

/* The content generation (64 hex); owned by ix. */
RF_API const char *rf_index_generation(const rf_index *ix);

/* The generation directory opened ("DATA/index.<16 hex>"); owned by ix. */
RF_API const char *rf_index_path(const rf_index *ix);

/* Whether DATA/index still points at the generation ix has open (false once
 * a newer build was swapped in: reopen to see it). */
RF_API bool rf_index_is_current(const rf_index *ix);

/* Counts and build time. */
RF_API void rf_index_stats(const rf_index *ix, rf_index_stat *st);

/* Every feed's metadata, by name. */
RF_API int rf_index_foreach_feed(rf_index *ix, rf_index_feed_cb cb, void *ud);

/* Every goods row, ordered by good, then country, then insertion. */
RF_API int rf_index_foreach_goods(rf_index *ix, rf_goods_cb cb, void *ud);

/* The goods rows of one good (exact text) and country (alpha-2; NULL for
 * every country). No match is RF_OK with no callback. */
RF_API int rf_index_find_goods(rf_index *ix, const char *good, const char *country,
                               rf_goods_cb cb, void *ud);

/* Every entity, by entity key. */
RF_API int rf_index_foreach_entity(rf_index *ix, rf_index_entity_cb cb, void *ud);

/* The entity stored under ekey[0..len). RF_ENOTFOUND when there is none. */
RF_API int rf_index_get_entity(rf_index *ix, const void *ekey, size_t len,
                               rf_index_entity_cb cb, void *ud);

/* The entity keys whose identifier matches. scheme and value are normalised
 * as at build time (ASCII upper case; spaces and punctuation dropped), so
 * "lei", "LEI" and "L.E.I." agree; scheme NULL matches any scheme. No match
 * is RF_OK with no callback. */
RF_API int rf_index_find_id(rf_index *ix, const char *scheme, const char *value,
                            rf_index_ekey_cb cb, void *ud);

/* The entity keys stored for name key key[0..len), in key order. No match
 * is RF_OK with no callback. */
RF_API int rf_index_find_key(rf_index *ix, const void *key, size_t len,
                             rf_index_ekey_cb cb, void *ud);

#endif
