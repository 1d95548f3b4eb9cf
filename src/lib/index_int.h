/* Internals shared by the index builder and reader: the record encoding,
 * error reporting and file-system helpers (see docs/DATA.md "The index"). */
#ifndef REDFLAG_INDEX_INT_H
#define REDFLAG_INDEX_INT_H

#include "buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>
#include "redflag/index.h"

/* Version of the record encodings, stored in every record and in meta. */
#define IX_FORMAT 1

/* The named databases, in the order the generation hash visits them. */
enum { DB_ENTITIES, DB_KEYS, DB_IDS, DB_GOODS, DB_FEEDS, DB_META, DB_COUNT };
extern const char *const ix_db_names[DB_COUNT];
extern const unsigned ix_db_flags[DB_COUNT];


/* A bounds-checked reader over one stored record. */
typedef struct ixrd {
    const unsigned char *p, *end;
    bool bad;
} ixrd;

/* A decoded entity: the rf_entity view plus the arrays it points into. */
typedef struct ixentity {
    rf_entity e;
    bool critical;
    char keycopy[RF_INDEX_MAX_KEY + 2]; /* list NUL id NUL */
    void *arrays;                       /* one allocation for every array */
} ixentity;

/* Record the thread's error message; returns code. */
int ix_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Convert an LMDB return code, naming what was being done. */
int ix_mdb_fail(int rc, const char *what);
/* Convert errno after a failed system call on path. */
int ix_sys_fail(const char *what, const char *path);
/* Clear the thread's message at the start of an API call. */
void ix_clear_error(void);

void ix_put_u8(gbuf *b, unsigned v);
void ix_put_varint(gbuf *b, uint64_t v);
void ix_put_str(gbuf *b, const char *s);

uint64_t ixrd_varint(ixrd *r);
unsigned ixrd_u8(ixrd *r);
const char *ixrd_str(ixrd *r);

/* Encode / decode the stored records. */
void ix_encode_entity(gbuf *b, const rf_entity *e, bool critical);
int ix_decode_entity(const MDB_val *key, const MDB_val *val, ixentity *out);
void ix_entity_free(ixentity *x);
void ix_encode_goods(gbuf *b, const rf_goods *g);
int ix_decode_goods(const MDB_val *val, rf_goods *g);
void ix_encode_feed(gbuf *b, const rf_index_feed *f);
int ix_decode_feed(const MDB_val *key, const MDB_val *val, rf_index_feed *f, char *name,
                   size_t cap);

/* Normalise an identifier part: ASCII letters upper-cased, ASCII digits and
 * non-ASCII bytes kept, everything else dropped. Appends to b. */
void ix_norm_ident(gbuf *b, const char *s);
/* The ids database key "VALUE:SCHEME" into b; false when VALUE is empty. */
bool ix_ident_key(gbuf *b, const char *scheme, const char *value);

/* "dir/name" into a fresh string (NULL on allocation failure). */
char *ix_path(const char *dir, const char *name);
/* Whether name is a committed generation directory name "index.<16 hex>". */
bool ix_is_generation_name(const char *name);
/* Remove a directory tree (the flat generation directories); 0 or -1/errno. */
int ix_rmtree(const char *path);
/* fsync a directory so renames and new entries in it are durable. */
int ix_fsync_dir(const char *path);
/* Read the DATA/index symlink's target into buf. 0, or -1 with errno. */
int ix_read_current(const char *datadir, char *buf, size_t cap);

#define IX_GEN_PREFIX 16           /* hex digits of the directory name */
#define IX_LINK "index"
#define IX_LINK_NEW "index.new"
#define IX_LOCK "index.lock"
#define IX_TMP_PREFIX "index.tmp."
#define IX_READERS "readers"

#endif
