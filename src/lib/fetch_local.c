/* Feed fetcher, local-file path: a feed that names a file (an offline copy, a
 * buyer's own debarment list) is copied with the same checks as a download. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fetch_int.h"

/* An HTTP-date (RFC 9110 IMF-fixdate) for t, independent of the locale. */
static void http_date(time_t t, char out[32])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, 32, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Validators for a local file: an ETag from size and mtime (as web servers
 * make them), and its mtime as Last-Modified. */
static int file_validators(const struct stat *st, rf_fetch_result *res)
{
    char date[32];
    http_date(st->st_mtim.tv_sec, date);
    if (asprintf(&res->etag, "\"%llx-%llx.%09ld\"", (unsigned long long)st->st_size,
                 (unsigned long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec) < 0) {
        res->etag = NULL;
        return RF_ENOMEM;
    }
    res->last_modified = strdup(date);
    return res->last_modified ? RF_OK : RF_ENOMEM;
}

/* Stream fd into the sink; RF_OK or a failure recorded in res. */
static int copy_fd(int fd, const char *path, fetch_sink *s, const rf_fetch_opts *o,
                   rf_fetch_result *res)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fetch_fail(res, RF_FETCH_E_IO, "cannot read %s: %s", path, strerror(errno));
        if (n == 0)
            return RF_OK;
        if (fetch_sink_write(s, buf, (size_t)n) != 0) {
            if (s->too_large)
                return fetch_fail(res, RF_FETCH_E_TOO_LARGE,
                                  "too large: %s grew past the %lld-byte cap", path, o->max_bytes);
            return fetch_fail(res, RF_FETCH_E_IO, "cannot write the copy: %s",
                              strerror(s->write_errno));
        }
    }
}

/* Open the source and check it is a regular file within the cap. */
static int open_source(const char *path, const rf_fetch_opts *o, struct stat *st,
                       rf_fetch_result *res, int *fd)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */
    if (*fd < 0) {
        int e = errno;
        fetch_fail(res, RF_FETCH_E_IO, "cannot open %s: %s", path, strerror(e));
        return e == ENOENT ? RF_ENOTFOUND : RF_EIO;
    }
    if (fstat(*fd, st) != 0)
        return fetch_fail(res, RF_FETCH_E_IO, "cannot stat %s: %s", path, strerror(errno));
    if (!S_ISREG(st->st_mode))
        return fetch_fail(res, RF_FETCH_E_IO, "%s is not a regular file", path);
    if (st->st_size > o->max_bytes)
        return fetch_fail(res, RF_FETCH_E_TOO_LARGE, "too large: %s is %lld bytes, cap %lld",
                          path, (long long)st->st_size, o->max_bytes);
    return RF_OK;
}

/* Copy a local file into o->dest_path; NOT_MODIFIED when its ETag is unchanged. */
int fetch_local(const rf_fetch_opts *o, const char *path, int dest_exists, rf_fetch_result *res)
{
    fetch_sink sink = {.fd = -1};
    struct stat st;
    int fd = -1, rc;
    res->attempts = 1;
    if ((rc = open_source(path, o, &st, res, &fd)) != RF_OK)
        goto out;
    if ((rc = file_validators(&st, res)) != RF_OK) {
        fetch_fail(res, RF_FETCH_E_IO, "out of memory");
        goto out;
    }
    if (dest_exists && o->etag && strcmp(o->etag, res->etag) == 0) {
        res->status = RF_FETCH_NOT_MODIFIED;
        goto out;
    }
    if ((rc = fetch_sink_open(&sink, o->dest_path, o->max_bytes, res)) != RF_OK ||
        (rc = copy_fd(fd, path, &sink, o, res)) != RF_OK)
        goto out;
    if (sink.bytes != (long long)st.st_size) {
        rc = fetch_fail(res, RF_FETCH_E_TRUNCATED, "%s changed size while being copied (%lld of "
                        "%lld bytes)", path, sink.bytes, (long long)st.st_size);
        goto out;
    }
    rc = fetch_sink_commit(&sink, o->dest_path, o->expect, NULL, res);
out:
    fetch_sink_discard(&sink);
    if (fd >= 0)
        close(fd);
    return rc;
}
