/* Feed fetcher: options, dispatch by URL scheme, and the checked temp-file
 * sink shared by the http and local-file paths. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include "fetch_int.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

/* The defaults documented in fetch.h. */
void rf_fetch_opts_init(rf_fetch_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->connect_timeout_ms = 10000;
    opts->total_timeout_ms = 600000;
    opts->low_speed_bytes = 1024;
    opts->low_speed_secs = 8;
    opts->deadline_ms = 900000;
    opts->max_bytes = 512LL << 20;
    opts->max_retries = 3;
    opts->retry_delay_ms = 1000;
    opts->max_redirects = 5;
    opts->expect = RF_EXPECT_ANY;
}

/* pthread_once body: libcurl's process-wide setup. */
static void global_init_once(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Initialise libcurl exactly once per process. */
int rf_fetch_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_rc == CURLE_OK ? RF_OK : RF_ENET;
}

/* Undo rf_fetch_global_init at exit. */
void rf_fetch_global_cleanup(void)
{
    if (global_rc == CURLE_OK)
        curl_global_cleanup();
    global_rc = CURLE_FAILED_INIT;
}

/* Free a result's strings and zero it. */
void rf_fetch_result_clear(rf_fetch_result *res)
{
    if (!res)
        return;
    free(res->etag);
    free(res->last_modified);
    free(res->content_type);
    memset(res, 0, sizeof *res);
}

/* Map a feeds.conf format word to an expectation. */
int rf_fetch_expect_parse(const char *name)
{
    static const char *const names[] = {"any", "xml", "html", "csv", "json"};
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

/* A short word for each failure cause. */
const char *rf_fetch_cause_name(rf_fetch_cause cause)
{
    switch (cause) {
    case RF_FETCH_E_NONE: return "none";
    case RF_FETCH_E_ARG: return "bad options";
    case RF_FETCH_E_PROTOCOL: return "unsupported protocol";
    case RF_FETCH_E_TIMEOUT: return "timeout";
    case RF_FETCH_E_CONNECT: return "connection failed";
    case RF_FETCH_E_TLS: return "TLS failure";
    case RF_FETCH_E_HTTP: return "HTTP error";
    case RF_FETCH_E_TRUNCATED: return "body truncated";
    case RF_FETCH_E_TOO_LARGE: return "too large";
    case RF_FETCH_E_EMPTY: return "empty body";
    case RF_FETCH_E_CONTENT: return "wrong content type";
    case RF_FETCH_E_REDIRECTS: return "redirect loop";
    case RF_FETCH_E_IO: return "file error";
    case RF_FETCH_E_DEADLINE: return "deadline";
    }
    return "unknown";
}

/* The rf_err that goes with a cause. */
int fetch_cause_err(rf_fetch_cause cause)
{
    switch (cause) {
    case RF_FETCH_E_NONE: return RF_OK;
    case RF_FETCH_E_ARG:
    case RF_FETCH_E_PROTOCOL: return RF_EINVAL;
    case RF_FETCH_E_TOO_LARGE: return RF_ELIMIT;
    case RF_FETCH_E_EMPTY:
    case RF_FETCH_E_CONTENT: return RF_EINPUT;
    case RF_FETCH_E_IO: return RF_EIO;
    default: return RF_ENET;
    }
}

/* Record a failure; validators are dropped so the caller keeps its old ones. */
int fetch_fail(rf_fetch_result *res, rf_fetch_cause cause, const char *fmt, ...)
{
    va_list ap;
    res->status = RF_FETCH_FAILED;
    res->cause = cause;
    res->bytes = 0;
    res->sha256[0] = '\0';
    free(res->etag);
    free(res->last_modified);
    res->etag = res->last_modified = NULL;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
    return fetch_cause_err(cause);
}

/* Copy a string, passing NULL through. */
char *fetch_strdup(const char *s, int *oom)
{
    char *d;
    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

/* Check the options a caller must set; message into res. */
static int check_opts(const rf_fetch_opts *o, rf_fetch_result *res)
{
    const char *bad = NULL;
    if (!o->url || !*o->url)
        bad = "no URL";
    else if (!o->dest_path || !*o->dest_path)
        bad = "no destination path";
    else if (o->connect_timeout_ms <= 0 || o->total_timeout_ms <= 0 || o->deadline_ms <= 0)
        bad = "timeouts and the deadline must be positive";
    else if (o->low_speed_bytes < 0 || o->low_speed_secs < 0)
        bad = "low-speed limit must not be negative";
    else if (o->max_bytes <= 0)
        bad = "size cap must be positive";
    else if (o->max_retries < 0 || o->retry_delay_ms < 0 || o->max_redirects < 0)
        bad = "retries, retry delay and redirects must not be negative";
    else if ((unsigned)o->expect > RF_EXPECT_JSON)
        bad = "unknown content expectation";
    if (!bad)
        return RF_OK;
    return fetch_fail(res, RF_FETCH_E_ARG, "%s", bad);
}

/* Length of a URL scheme ("https" → 5) when url starts with "scheme:", else 0. */
static size_t scheme_len(const char *url)
{
    size_t n = 0;
    if (!isalpha((unsigned char)url[0]))
        return 0;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    return url[n] == ':' ? n : 0;
}

/* Value of one hex digit, or -1. */
static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode a file: URL (file:///p, file://localhost/p, file:/p) into a path the
 * caller frees; NULL when it names another host or is malformed. */
static char *file_url_path(const char *url)
{
    const char *p = url + 5, *q;
    char *out, *w;
    if (strncmp(p, "//", 2) == 0) {
        p += 2;
        if (strncasecmp(p, "localhost/", 10) == 0)
            p += 9;
    }
    if (*p != '/' || !(out = malloc(strlen(p) + 1)))
        return NULL;
    for (q = p, w = out; *q; q++) {
        if (*q == '%' && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
            *w++ = (char)(hexval(q[1]) * 16 + hexval(q[2]));
            q += 2;
        } else if (*q == '?' || *q == '#') {
            break;
        } else {
            *w++ = *q;
        }
    }
    *w = '\0';
    if (strlen(out) != (size_t)(w - out)) { /* a %00 in the path */
        free(out);
        return NULL;
    }
    return out;
}

/* Choose http(s), file: or plain path; refuse every other scheme. */
static int dispatch(const rf_fetch_opts *o, int dest_exists, rf_fetch_result *res)
{
    size_t n = scheme_len(o->url);
    char *path;
    int rc;
    if (n == 0 || (n == 1 && o->url[2] != '/')) /* a plain path (or "C:x") */
        return fetch_local(o, o->url, dest_exists, res);
    if ((n == 4 && strncasecmp(o->url, "http", 4) == 0) ||
        (n == 5 && strncasecmp(o->url, "https", 5) == 0))
        return fetch_http(o, dest_exists, res);
    if (n == 4 && strncasecmp(o->url, "file", 4) == 0) {
        if (!(path = file_url_path(o->url)))
            return fetch_fail(res, RF_FETCH_E_ARG,
                              "file URL must name an absolute local path: %s", o->url);
        rc = fetch_local(o, path, dest_exists, res);
        free(path);
        return rc;
    }
    return fetch_fail(res, RF_FETCH_E_PROTOCOL,
                      "unsupported protocol '%.*s': only http, https and local files", (int)n,
                      o->url);
}

/* Public entry: validate, then fetch by scheme. */
int rf_fetch(const rf_fetch_opts *opts, rf_fetch_result *res)
{
    struct stat st;
    int rc;
    if (!res)
        return RF_EINVAL;
    memset(res, 0, sizeof *res);
    if (!opts)
        return fetch_fail(res, RF_FETCH_E_ARG, "no options");
    if ((rc = check_opts(opts, res)) != RF_OK)
        return rc;
    if (rf_fetch_global_init() != RF_OK)
        return fetch_fail(res, RF_FETCH_E_CONNECT, "libcurl global initialisation failed");
    return dispatch(opts, stat(opts->dest_path, &st) == 0 && S_ISREG(st.st_mode), res);
}

/* Create "<dir>/.<base>.tmp.XXXXXX" beside dest. */
int fetch_sink_open(fetch_sink *s, const char *dest, long long max_bytes, rf_fetch_result *res)
{
    const char *slash = strrchr(dest, '/');
    const char *base = slash ? slash + 1 : dest;
    int dirlen = slash ? (int)(slash - dest) : 1;
    const char *dir = slash ? dest : ".";
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->max_bytes = max_bytes;
    if (rf_sha256_init(&s->sha) != RF_OK)
        return fetch_fail(res, RF_FETCH_E_IO, "out of memory");
    if (!*base)
        return fetch_fail(res, RF_FETCH_E_ARG, "destination is a directory: %s", dest);
    if (slash == dest)
        dirlen = 0; /* dest in "/" */
    if (asprintf(&s->tmp_path, "%.*s/.%s.tmp.XXXXXX", dirlen, dir, base) < 0) {
        s->tmp_path = NULL;
        return fetch_fail(res, RF_FETCH_E_IO, "out of memory");
    }
    s->fd = mkostemp(s->tmp_path, O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        free(s->tmp_path);
        s->tmp_path = NULL;
        return fetch_fail(res, RF_FETCH_E_IO, "cannot create a temporary file beside %s: %s",
                          dest, strerror(e));
    }
    return RF_OK;
}

/* Truncate the temporary file and restart the hash, for a retry. */
int fetch_sink_reset(fetch_sink *s, rf_fetch_result *res)
{
    if (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) != 0)
        return fetch_fail(res, RF_FETCH_E_IO, "cannot reset temporary file %s: %s", s->tmp_path,
                          strerror(errno));
    rf_sha256_free(&s->sha);
    if (rf_sha256_init(&s->sha) != RF_OK)
        return fetch_fail(res, RF_FETCH_E_IO, "out of memory");
    s->bytes = 0;
    s->nhead = 0;
    s->too_large = 0;
    s->write_errno = 0;
    return RF_OK;
}

/* Append a chunk: enforce the cap first, then write, hash and keep the head. */
int fetch_sink_write(fetch_sink *s, const void *p, size_t n)
{
    const char *c = p;
    size_t left = n;
    if ((long long)n > s->max_bytes - s->bytes) {
        s->too_large = 1;
        return -1;
    }
    while (left) {
        ssize_t w = write(s->fd, c, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->write_errno = w < 0 ? errno : EIO;
            return -1;
        }
        c += w;
        left -= (size_t)w;
    }
    rf_sha256_update(&s->sha, p, n);
    if (s->nhead < FETCH_HEAD_BYTES) {
        size_t take = FETCH_HEAD_BYTES - s->nhead < n ? FETCH_HEAD_BYTES - s->nhead : n;
        memcpy(s->head + s->nhead, p, take);
        s->nhead += take;
    }
    s->bytes += (long long)n;
    return 0;
}

/* Close and unlink the temporary file if it is still there. */
void fetch_sink_discard(fetch_sink *s)
{
    rf_sha256_free(&s->sha);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->tmp_path)
        unlink(s->tmp_path);
    free(s->tmp_path);
    s->tmp_path = NULL;
}

/* Case-insensitive prefix test on a byte buffer. */
static int has_prefix_ci(const unsigned char *p, size_t n, const char *word)
{
    size_t k = strlen(word);
    return n >= k && strncasecmp((const char *)p, word, k) == 0;
}

/* Whether the body starts like an HTML document rather than XML data. */
static int looks_html(const unsigned char *p, size_t n)
{
    static const char *const starts[] = {"<!doctype html", "<html", "<head", "<body",
                                         "<title", "<meta", "<!-- html"};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (has_prefix_ci(p, n, starts[i]))
            return 1;
    return 0;
}

/* Whether a Content-Type names an HTML document. */
static int ctype_html(const char *ctype)
{
    return ctype && (strncasecmp(ctype, "text/html", 9) == 0 ||
                     strncasecmp(ctype, "application/xhtml", 17) == 0);
}

/* Up to 16 leading bytes for a message, anything but printable ASCII as '?'. */
static const char *printable_start(const unsigned char *p, size_t n, char out[17])
{
    size_t i;
    for (i = 0; i < n && i < 16; i++)
        out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    out[i] = '\0';
    return out;
}

static const char *const expect_names[] = {"any", "xml", "html", "csv", "json"};

/* Sniff the body's head against the expectation; message into res. */
static int check_body(const fetch_sink *s, rf_fetch_expect ex, const char *ctype,
                      rf_fetch_result *res)
{
    const unsigned char *p = s->head;
    size_t n = s->nhead;
    char start[17];
    if (s->bytes == 0)
        return fetch_fail(res, RF_FETCH_E_EMPTY, "empty body (0 bytes)");
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3, n -= 3;
    while (n && isspace(*p))
        p++, n--;
    if (n == 0 && s->bytes == (long long)s->nhead)
        return fetch_fail(res, RF_FETCH_E_EMPTY, "empty body (only white space)");
    if (ex == RF_EXPECT_ANY)
        return RF_OK;
    if (ex != RF_EXPECT_HTML && (ctype_html(ctype) || looks_html(p, n)))
        return fetch_fail(res, RF_FETCH_E_CONTENT,
                          "wrong content type: expected %s, got an HTML page (Content-Type %s)",
                          expect_names[ex], ctype ? ctype : "none");
    if (memchr(s->head, 0, s->nhead))
        return fetch_fail(res, RF_FETCH_E_CONTENT,
                          "wrong content type: expected %s, got binary data", expect_names[ex]);
    if (((ex == RF_EXPECT_XML || ex == RF_EXPECT_HTML) && (n == 0 || *p != '<')) ||
        (ex == RF_EXPECT_JSON && (n == 0 || (*p != '{' && *p != '['))) ||
        (ex == RF_EXPECT_CSV && n && (*p == '<' || *p == '{')))
        return fetch_fail(res, RF_FETCH_E_CONTENT,
                          "wrong content type: expected %s, body starts with \"%s\" "
                          "(Content-Type %s)",
                          expect_names[ex], printable_start(p, n, start), ctype ? ctype : "none");
    return RF_OK;
}

/* fsync the directory holding path so the rename itself is durable. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Check, fsync and rename the body over dest; the temp file never survives. */
int fetch_sink_commit(fetch_sink *s, const char *dest, rf_fetch_expect expect, const char *ctype,
                      rf_fetch_result *res)
{
    unsigned char digest[RF_SHA256_LEN];
    int rc = check_body(s, expect, ctype, res);
    if (rc != RF_OK)
        goto out;
    /* Feeds are public data; 0644 rather than mkstemp's 0600. */
    if (fchmod(s->fd, 0644) != 0 || fsync(s->fd) != 0 || close(s->fd) != 0) {
        s->fd = -1;
        rc = fetch_fail(res, RF_FETCH_E_IO, "cannot write %s: %s", s->tmp_path, strerror(errno));
        goto out;
    }
    s->fd = -1;
    if (rename(s->tmp_path, dest) != 0) {
        rc = fetch_fail(res, RF_FETCH_E_IO, "cannot rename into %s: %s", dest, strerror(errno));
        goto out;
    }
    free(s->tmp_path);
    s->tmp_path = NULL;
    sync_dir(dest);
    if (rf_sha256_final(&s->sha, digest) != RF_OK) {
        rc = fetch_fail(res, RF_FETCH_E_IO, "out of memory hashing %s", dest);
        goto out;
    }
    rf_sha256_hex(digest, res->sha256);
    res->bytes = s->bytes;
    res->status = RF_FETCH_UPDATED;
    res->cause = RF_FETCH_E_NONE;
    res->error[0] = '\0';
out:
    fetch_sink_discard(s);
    return rc;
}
