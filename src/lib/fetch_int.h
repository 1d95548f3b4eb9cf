/* Internal to the fetcher (fetch.c, fetch_http.c, fetch_local.c): the
 * streaming sink that turns a body into a checked, atomically renamed file. */
#ifndef REDFLAG_FETCH_INT_H
#define REDFLAG_FETCH_INT_H

#include <stdarg.h>
#include "redflag/fetch.h"

#define FETCH_HEAD_BYTES 512  /* body prefix kept for sniffing */

/* A body being written to "<dir>/.<base>.tmp.XXXXXX" beside the destination. */
typedef struct fetch_sink {
    int fd;                  /* -1 when closed */
    char *tmp_path;          /* owned; NULL once renamed or removed */
    rf_sha256 sha;
    long long bytes;
    long long max_bytes;
    unsigned char head[FETCH_HEAD_BYTES];
    size_t nhead;
    int too_large;           /* set by fetch_sink_write when the cap was hit */
    int write_errno;         /* set by fetch_sink_write on a failed write */
} fetch_sink;

/* Create the temporary file. RF_OK, or a failure recorded in res. */
int fetch_sink_open(fetch_sink *s, const char *dest, long long max_bytes, rf_fetch_result *res);
/* Empty the temporary file for another attempt. RF_OK, or a failure in res. */
int fetch_sink_reset(fetch_sink *s, rf_fetch_result *res);
/* Append n bytes (hash, sniff prefix, cap). 0, or -1 with too_large / write_errno set. */
int fetch_sink_write(fetch_sink *s, const void *p, size_t n);
/* Check the body against expect and ctype (may be NULL), then fsync and rename
 * it over dest. Fills res->bytes and res->sha256. On failure the temporary
 * file is removed and the failure recorded in res. */
int fetch_sink_commit(fetch_sink *s, const char *dest, rf_fetch_expect expect, const char *ctype,
                      rf_fetch_result *res);
/* Close and remove the temporary file if still there; safe to call twice. */
void fetch_sink_discard(fetch_sink *s);

/* Record a failure in res (status FAILED, validators dropped) and return the
 * rf_err code that goes with the cause. */
int fetch_fail(rf_fetch_result *res, rf_fetch_cause cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The rf_err that goes with a failure cause. */
int fetch_cause_err(rf_fetch_cause cause);
/* strdup that keeps NULL as NULL; sets *oom on allocation failure. */
char *fetch_strdup(const char *s, int *oom);

/* The http(s) path. send_validators: dest exists, so a 304 is acceptable. */
int fetch_http(const rf_fetch_opts *o, int send_validators, rf_fetch_result *res);
/* The local-file path (path already decoded from a file:// URL). */
int fetch_local(const rf_fetch_opts *o, const char *path, int dest_exists, rf_fetch_result *res);

#endif
