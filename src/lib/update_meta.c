/* A feed's meta.json: load into a feed_meta, save with yajl_gen (see update_meta.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include "redflag/common.h"
#include "json_int.h"
#include "update_meta.h"

#define META_MAX_BYTES (1 << 20) /* far more than any meta.json */

/* A copy of a member's string value, or NULL. */
static char *dup_str(yajl_val o, const char *key)
{
    const char *s = rf_json_get_str(o, key);
    return s ? strdup(s) : NULL;
}

/* A member's integer value, or 0. */
static long long get_int(yajl_val o, const char *key)
{
    yajl_val v = rf_json_get(o, key);
    return rf_json_is_int(v) ? v->u.number.i : 0;
}

/* The whole file, NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(META_MAX_BYTES + 1);
    *len = buf ? fread(buf, 1, META_MAX_BYTES + 1, fp) : 0;
    int bad = !buf || ferror(fp) || *len > META_MAX_BYTES;
    fclose(fp);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

/* Read meta.json; anything unreadable leaves m empty. */
void feed_meta_load(feed_meta *m, const char *path)
{
    size_t len;
    rf_json_err e;
    yajl_val root = NULL;
    memset(m, 0, sizeof *m);
    char *text = slurp(path, &len);
    if (!text || rf_json_parse(text, len, 16, false, &root, &e) != RF_OK ||
        !YAJL_IS_OBJECT(root)) {
        free(text);
        yajl_tree_free(root);
        return;
    }
    free(text);
    m->url = dup_str(root, "url");
    m->last_error = dup_str(root, "last_error");
    m->fetched_at = get_int(root, "fetched_at");
    m->checked_at = get_int(root, "checked_at");
    m->failed_at = get_int(root, "failed_at");
    yajl_val files = rf_json_get(root, "files");
    for (size_t i = 0; i < rf_json_len(files) && i < FEED_META_MAX_FILES; i++) {
        yajl_val f = rf_json_at(files, i);
        feed_meta_file *mf = &m->files[m->nfiles++];
        mf->url = dup_str(f, "url");
        mf->sha256 = dup_str(f, "sha256");
        mf->etag = dup_str(f, "etag");
        mf->last_modified = dup_str(f, "last_modified");
        mf->bytes = get_int(f, "bytes");
    }
    yajl_tree_free(root);
}

/* Generate "key": "s" when s is set. */
static void gen_str(yajl_gen g, const char *key, const char *s)
{
    if (!s)
        return;
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Generate "key": n when n is set (or always, when keep). */
static void gen_int(yajl_gen g, const char *key, long long n, int keep)
{
    if (!n && !keep)
        return;
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_integer(g, n);
}

/* The record as indented JSON, keys in sorted order. */
static void gen_meta(yajl_gen g, const feed_meta *m)
{
    yajl_gen_map_open(g);
    gen_int(g, "checked_at", m->checked_at, 0);
    gen_int(g, "failed_at", m->failed_at, 0);
    gen_int(g, "fetched_at", m->fetched_at, 0);
    if (m->nfiles) {
        yajl_gen_string(g, (const unsigned char *)"files", 5);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < m->nfiles; i++) {
            const feed_meta_file *f = &m->files[i];
            yajl_gen_map_open(g);
            gen_int(g, "bytes", f->bytes, 1);
            gen_str(g, "etag", f->etag);
            gen_str(g, "last_modified", f->last_modified);
            gen_str(g, "sha256", f->sha256);
            gen_str(g, "url", f->url);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
    }
    gen_str(g, "last_error", m->last_error);
    gen_str(g, "url", m->url);
    yajl_gen_map_close(g);
}

/* Write all of buf to fd. */
static int write_all(int fd, const unsigned char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Write meta.json atomically. */
int feed_meta_save(const feed_meta *m, const char *path)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    char *tmp = NULL;
    if (!g || asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        if (g)
            yajl_gen_free(g);
        return -1;
    }
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, " ");
    gen_meta(g, m);
    const unsigned char *buf;
    size_t len;
    int rc = -1, fd = yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok
                          ? mkostemp(tmp, O_CLOEXEC) : -1;
    if (fd >= 0) {
        rc = write_all(fd, buf, len) == 0 && fchmod(fd, 0644) == 0 && fsync(fd) == 0 ? 0 : -1;
        if (close(fd) != 0 || (rc == 0 && rename(tmp, path) != 0))
            rc = -1;
        if (rc != 0)
            unlink(tmp);
    }
    free(tmp);
    yajl_gen_free(g);
    return rc;
}

/* File i's record, or an empty one. */
const feed_meta_file *feed_meta_file_at(const feed_meta *m, size_t i)
{
    static const feed_meta_file none;
    return i < m->nfiles ? &m->files[i] : &none;
}

/* Replace a string field with a copy. */
int feed_meta_set(char **field, const char *s)
{
    char *c = s ? strdup(s) : NULL;
    if (s && !c)
        return -1;
    free(*field);
    *field = c;
    return 0;
}

/* Free the files' records. */
void feed_meta_free_files(feed_meta *m)
{
    for (size_t i = 0; i < m->nfiles; i++) {
        free(m->files[i].url);
        free(m->files[i].sha256);
        free(m->files[i].etag);
        free(m->files[i].last_modified);
    }
    memset(m->files, 0, sizeof m->files);
    m->nfiles = 0;
}

/* Free everything. */
void feed_meta_free(feed_meta *m)
{
    feed_meta_free_files(m);
    free(m->url);
    free(m->last_error);
    memset(m, 0, sizeof *m);
}
