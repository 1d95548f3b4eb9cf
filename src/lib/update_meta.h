/* Internal to the updater (update.c): a feed's DATA/feeds/NAME/meta.json,
 * what was downloaded and when, read into a struct and written back with
 * yajl_gen. The struct owns its strings (feed_meta_free). */
#ifndef REDFLAG_UPDATE_META_H
#define REDFLAG_UPDATE_META_H

#include <stddef.h>

#define FEED_META_MAX_FILES 3 /* ofac_csv: sdn, alt, add */

/* One downloaded file: where from, its size, hash and HTTP validators. */
typedef struct feed_meta_file {
    char *url, *sha256, *etag, *last_modified; /* each NULL when absent */
    long long bytes;
} feed_meta_file;

/* The feed's record; times are Unix seconds, 0 when absent. */
typedef struct feed_meta {
    char *url;                 /* the feed's URL at the last download */
    char *last_error;          /* why the last fetch failed, until one succeeds */
    long long fetched_at;      /* last accepted download */
    long long checked_at;      /* last "not modified" */
    long long failed_at;       /* last failure */
    feed_meta_file files[FEED_META_MAX_FILES];
    size_t nfiles;
} feed_meta;

/* Read path into m; a missing or unreadable file gives an empty record. */
void feed_meta_load(feed_meta *m, const char *path);
/* Write m to path atomically (mkstemp beside it, fsync, rename). 0 or -1. */
int feed_meta_save(const feed_meta *m, const char *path);
/* File i's record, or an empty one when there is none. */
const feed_meta_file *feed_meta_file_at(const feed_meta *m, size_t i);
/* Replace a string field with a copy of s (NULL clears it). 0, or -1 out of memory. */
int feed_meta_set(char **field, const char *s);
/* Free the files' records only (before new ones are set). */
void feed_meta_free_files(feed_meta *m);
/* Free everything m owns; m is then empty. */
void feed_meta_free(feed_meta *m);

#endif
