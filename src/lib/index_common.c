/* The index's record encoding, error messages and file-system helpers.
 *
 * Encoding (docs/DATA.md): a record is a format byte followed by fields;
 * integers are LEB128 varints; a string is varint(len + 1), its bytes and a
 * NUL (so readers point straight into the map), or varint 0 for NULL. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "index_int.h"

const char *const ix_db_names[DB_COUNT] = {"entities", "keys", "ids", "goods", "feeds", "meta"};
const unsigned ix_db_flags[DB_COUNT] = {0, MDB_DUPSORT, MDB_DUPSORT, 0, 0, 0};

static _Thread_local char errmsg[1024];

/* The calling thread's last index error. */
const char *rf_index_error(void)
{
    return errmsg;
}

/* Forget the previous message. */
void ix_clear_error(void)
{
    errmsg[0] = '\0';
}

/* Format the message and hand back the code. */
int ix_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* LMDB codes: ENOMEM stays itself, system errors are I/O, the rest storage. */
int ix_mdb_fail(int rc, const char *what)
{
    int code = RF_ESTORE;
    if (rc == ENOMEM)
        code = RF_ENOMEM;
    else if (rc == EACCES || rc == EROFS || rc == ENOSPC || rc == EIO || rc == EPERM)
        code = RF_EIO;
    return ix_fail(code, "%s: %s", what, mdb_strerror(rc));
}

/* errno of a failed call: what was done, on which path, and why. */
int ix_sys_fail(const char *what, const char *path)
{
    int e = errno;
    return ix_fail(e == ENOMEM ? RF_ENOMEM : RF_EIO, "%s %s: %s", what, path, strerror(e));
}

/* Make an entity key: list NUL id. */
int rf_index_entity_key(const char *list, const char *id, char *buf, size_t cap, size_t *len)
{
    if (!list || !id || !buf || !len)
        return ix_fail(RF_EINVAL, "entity key: list, id, buffer and length are required");
    size_t nl = strlen(list), ni = strlen(id);
    if (nl + 1 + ni > RF_INDEX_MAX_KEY)
        return ix_fail(RF_ELIMIT, "entity key of list '%s' is longer than %d bytes", list,
                       RF_INDEX_MAX_KEY);
    if (nl + 1 + ni > cap)
        return ix_fail(RF_ELIMIT, "entity key does not fit a %zu-byte buffer", cap);
    memcpy(buf, list, nl);
    buf[nl] = '\0';
    memcpy(buf + nl + 1, id, ni);
    *len = nl + 1 + ni;
    return RF_OK;
}

/* Append one byte. */
void ix_put_u8(gbuf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    gbuf_put(b, &c, 1);
}

/* Append an unsigned LEB128 varint. */
void ix_put_varint(gbuf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    gbuf_put(b, tmp, n);
}

/* Append a nullable string. */
void ix_put_str(gbuf *b, const char *s)
{
    if (!s) {
        ix_put_varint(b, 0);
        return;
    }
    size_t n = strlen(s);
    ix_put_varint(b, (uint64_t)n + 1);
    gbuf_put(b, s, n + 1);
}

/* Read a varint; marks the reader bad past the end or beyond 64 bits. */
uint64_t ixrd_varint(ixrd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            break;
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

/* Read one byte. */
unsigned ixrd_u8(ixrd *r)
{
    if (r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    return *r->p++;
}

/* Read a nullable string in place; checks its terminating NUL. */
const char *ixrd_str(ixrd *r)
{
    uint64_t n = ixrd_varint(r);
    if (r->bad || n == 0)
        return NULL;
    if (n > (uint64_t)(r->end - r->p) || r->p[n - 1] != '\0') {
        r->bad = true;
        return NULL;
    }
    const char *s = (const char *)r->p;
    r->p += n;
    return s;
}

/* Serialise one entity (list and id live in the key). */
void ix_encode_entity(gbuf *b, const rf_entity *e, bool critical)
{
    ix_put_u8(b, IX_FORMAT);
    ix_put_u8(b, (unsigned)e->kind);
    ix_put_u8(b, critical ? 1 : 0);
    ix_put_varint(b, e->line > 0 ? (uint64_t)e->line : 0);
    ix_put_str(b, e->name);
    ix_put_str(b, e->listed_on);
    ix_put_str(b, e->remarks);
    ix_put_varint(b, e->naliases);
    for (size_t i = 0; i < e->naliases; i++) {
        ix_put_u8(b, (unsigned)e->aliases[i].kind);
        ix_put_str(b, e->aliases[i].name);
    }
    ix_put_varint(b, e->ncountries);
    for (size_t i = 0; i < e->ncountries; i++)
        ix_put_str(b, e->countries[i]);
    ix_put_varint(b, e->nids);
    for (size_t i = 0; i < e->nids; i++) {
        ix_put_str(b, e->ids[i].scheme);
        ix_put_str(b, e->ids[i].value);
        ix_put_str(b, e->ids[i].country);
    }
    ix_put_varint(b, e->nprograms);
    for (size_t i = 0; i < e->nprograms; i++)
        ix_put_str(b, e->programs[i]);
}

/* Read an array count, refusing counts the remaining bytes cannot hold. */
static size_t read_count(ixrd *r)
{
    uint64_t n = ixrd_varint(r);
    if (n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return 0;
    }
    return (size_t)n;
}

/* Allocate the entity's arrays in one block sized by the counts. */
static int alloc_arrays(ixentity *x, size_t na, size_t nc, size_t ni, size_t np)
{
    size_t bytes = na * sizeof(rf_alias) + ni * sizeof(rf_ident) +
                   (nc + np) * sizeof(const char *);
    x->arrays = malloc(bytes ? bytes : 1);
    if (!x->arrays)
        return ix_fail(RF_ENOMEM, "out of memory decoding an entity");
    char *p = x->arrays;
    x->e.aliases = (const rf_alias *)p;
    p += na * sizeof(rf_alias);
    x->e.ids = (const rf_ident *)p;
    p += ni * sizeof(rf_ident);
    x->e.countries = (const char *const *)p;
    x->e.programs = (const char *const *)(p + nc * sizeof(const char *));
    return RF_OK;
}

/* Split the key "list NUL id" into NUL-terminated copies. */
static bool split_key(const MDB_val *key, ixentity *x)
{
    const char *k = key->mv_data;
    const char *nul = memchr(k, '\0', key->mv_size);
    if (!nul || key->mv_size > RF_INDEX_MAX_KEY)
        return false;
    memcpy(x->keycopy, k, key->mv_size);
    x->keycopy[key->mv_size] = '\0';
    x->e.list = x->keycopy;
    x->e.id = x->keycopy + (nul - k) + 1;
    return true;
}

/* Second pass: fill the arrays from the record body (r at the alias count). */
static void fill_arrays(ixrd *r, ixentity *x)
{
    rf_alias *al = (rf_alias *)x->e.aliases;
    x->e.naliases = read_count(r);
    for (size_t i = 0; i < x->e.naliases; i++) {
        al[i].kind = (rf_alias_kind)ixrd_u8(r);
        al[i].name = ixrd_str(r);
    }
    const char **cs = (const char **)x->e.countries;
    x->e.ncountries = read_count(r);
    for (size_t i = 0; i < x->e.ncountries; i++)
        cs[i] = ixrd_str(r);
    rf_ident *ids = (rf_ident *)x->e.ids;
    x->e.nids = read_count(r);
    for (size_t i = 0; i < x->e.nids; i++) {
        ids[i].scheme = ixrd_str(r);
        ids[i].value = ixrd_str(r);
        ids[i].country = ixrd_str(r);
    }
    const char **ps = (const char **)x->e.programs;
    x->e.nprograms = read_count(r);
    for (size_t i = 0; i < x->e.nprograms; i++)
        ps[i] = ixrd_str(r);
}

/* First pass: the four array counts, walking over their elements. */
static bool scan_counts(ixrd r, size_t n[4])
{
    n[0] = read_count(&r);
    for (size_t i = 0; i < n[0] && !r.bad; i++)
        ixrd_u8(&r), ixrd_str(&r);
    n[1] = read_count(&r);
    for (size_t i = 0; i < n[1] && !r.bad; i++)
        ixrd_str(&r);
    n[2] = read_count(&r);
    for (size_t i = 0; i < n[2] && !r.bad; i++)
        ixrd_str(&r), ixrd_str(&r), ixrd_str(&r);
    n[3] = read_count(&r);
    for (size_t i = 0; i < n[3] && !r.bad; i++)
        ixrd_str(&r);
    return !r.bad;
}

/* Decode an entity record into x (free with ix_entity_free). The counts of
 * each array are read in a first pass so one allocation holds them all. */
int ix_decode_entity(const MDB_val *key, const MDB_val *val, ixentity *x)
{
    *x = (ixentity){0};
    ixrd r = {val->mv_data, (const unsigned char *)val->mv_data + val->mv_size, false};
    if (!split_key(key, x) || ixrd_u8(&r) != IX_FORMAT)
        return ix_fail(RF_ESTORE, "corrupt entity record (bad key or format)");
    x->e.kind = (rf_entity_kind)ixrd_u8(&r);
    x->critical = ixrd_u8(&r) & 1;
    x->e.line = (long)ixrd_varint(&r);
    x->e.name = ixrd_str(&r);
    x->e.listed_on = ixrd_str(&r);
    x->e.remarks = ixrd_str(&r);
    size_t n[4];
    if (r.bad || !x->e.name || !scan_counts(r, n))
        return ix_fail(RF_ESTORE, "corrupt entity record '%s'", x->e.id);
    int rc = alloc_arrays(x, n[0], n[1], n[2], n[3]);
    if (rc != RF_OK)
        return rc;
    fill_arrays(&r, x);
    return RF_OK;
}

/* Free what ix_decode_entity allocated. */
void ix_entity_free(ixentity *x)
{
    free(x->arrays);
    x->arrays = NULL;
}

/* Serialise one goods row. */
void ix_encode_goods(gbuf *b, const rf_goods *g)
{
    ix_put_u8(b, IX_FORMAT);
    ix_put_varint(b, g->flags);
    ix_put_varint(b, g->line > 0 ? (uint64_t)g->line : 0);
    ix_put_str(b, g->good);
    ix_put_str(b, g->sector);
    ix_put_str(b, g->country);
    ix_put_str(b, g->country_name);
    ix_put_str(b, g->derived_country);
    ix_put_str(b, g->derived_country_name);
}

/* Decode a goods row in place (strings point into the record). */
int ix_decode_goods(const MDB_val *val, rf_goods *g)
{
    ixrd r = {val->mv_data, (const unsigned char *)val->mv_data + val->mv_size, false};
    *g = (rf_goods){0};
    if (ixrd_u8(&r) != IX_FORMAT)
        return ix_fail(RF_ESTORE, "corrupt goods record (format)");
    g->flags = (unsigned)ixrd_varint(&r);
    g->line = (long)ixrd_varint(&r);
    g->good = ixrd_str(&r);
    g->sector = ixrd_str(&r);
    g->country = ixrd_str(&r);
    g->country_name = ixrd_str(&r);
    g->derived_country = ixrd_str(&r);
    g->derived_country_name = ixrd_str(&r);
    if (r.bad || !g->good)
        return ix_fail(RF_ESTORE, "corrupt goods record");
    return RF_OK;
}

/* Zigzag so negative times and sizes stay small varints. */
static uint64_t zz(long long v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* Undo zz(). */
static long long unzz(uint64_t v)
{
    return (long long)(v >> 1) ^ -(long long)(v & 1);
}

/* Serialise a feed's metadata (the name is the key). */
void ix_encode_feed(gbuf *b, const rf_index_feed *f)
{
    ix_put_u8(b, IX_FORMAT);
    ix_put_u8(b, f->critical ? 1 : 0);
    ix_put_varint(b, zz(f->fetched_at));
    ix_put_varint(b, zz(f->bytes));
    ix_put_varint(b, f->entities);
    ix_put_varint(b, f->goods);
    const char *s[] = {f->url, f->format, f->licence, f->etag, f->last_modified, f->sha256,
                       f->status, f->error};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        ix_put_str(b, s[i]);
}

/* Decode a feed record; the name is copied from the key into name[cap]. */
int ix_decode_feed(const MDB_val *key, const MDB_val *val, rf_index_feed *f, char *name,
                   size_t cap)
{
    ixrd r = {val->mv_data, (const unsigned char *)val->mv_data + val->mv_size, false};
    *f = (rf_index_feed){0};
    if (key->mv_size >= cap || ixrd_u8(&r) != IX_FORMAT)
        return ix_fail(RF_ESTORE, "corrupt feed record");
    memcpy(name, key->mv_data, key->mv_size);
    name[key->mv_size] = '\0';
    f->name = name;
    f->critical = ixrd_u8(&r) & 1;
    f->fetched_at = unzz(ixrd_varint(&r));
    f->bytes = unzz(ixrd_varint(&r));
    f->entities = (size_t)ixrd_varint(&r);
    f->goods = (size_t)ixrd_varint(&r);
    const char **s[] = {&f->url, &f->format, &f->licence, &f->etag, &f->last_modified,
                        &f->sha256, &f->status, &f->error};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        *s[i] = ixrd_str(&r);
    if (r.bad)
        return ix_fail(RF_ESTORE, "corrupt feed record '%s'", name);
    return RF_OK;
}

/* Keep what identifies: letters (upper-cased), digits, non-ASCII bytes. */
void ix_norm_ident(gbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        unsigned char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80)
            gbuf_put(b, &c, 1);
    }
}

/* "VALUE:SCHEME", normalised: the value first so any scheme is a prefix scan. */
bool ix_ident_key(gbuf *b, const char *scheme, const char *value)
{
    gbuf_reset(b);
    ix_norm_ident(b, value);
    if (b->len == 0)
        return false;
    gbuf_put(b, ":", 1);
    ix_norm_ident(b, scheme);
    return true;
}

/* Join a directory and a name. */
char *ix_path(const char *dir, const char *name)
{
    size_t nd = strlen(dir), nn = strlen(name);
    char *p = malloc(nd + nn + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, nd);
    p[nd] = '/';
    memcpy(p + nd + 1, name, nn + 1);
    return p;
}

/* "index." followed by exactly IX_GEN_PREFIX lower-case hex digits. */
bool ix_is_generation_name(const char *name)
{
    if (strncmp(name, "index.", 6) != 0 || strlen(name) != 6 + IX_GEN_PREFIX)
        return false;
    for (const char *p = name + 6; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* Remove a directory and what is in it (depth-first; symlinks not followed). */
int ix_rmtree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOTDIR ? unlink(path) : -1;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *child = ix_path(path, de->d_name);
        if (!child) {
            rc = -1;
            break;
        }
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= ix_rmtree(child);
        else if (unlink(child) != 0 && errno != ENOENT)
            rc = -1;
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

/* Make a directory's entries durable. */
int ix_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* Where DATA/index points (its target is a name inside DATA). */
int ix_read_current(const char *datadir, char *buf, size_t cap)
{
    char *link = ix_path(datadir, IX_LINK);
    if (!link) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t n = readlink(link, buf, cap - 1);
    int e = errno;
    free(link);
    if (n < 0) {
        errno = e;
        return -1;
    }
    buf[n] = '\0';
    return 0;
}
