/* redflag — the feed downloader (docs/DATA.md).
 *
 * rf_fetch() brings one feed's raw file up to date: an http(s) URL through
 * libcurl, or a local file (a plain path or a file:// URL) copied with the
 * same checks. It sends a conditional GET with the previous validators, so an
 * unchanged feed costs one 304. The body streams into a temporary file in the
 * destination's directory while its SHA-256 is computed; it is fsync'd and
 * checked (complete, non-empty, the expected kind of document, under the size
 * cap) and only then renamed over dest_path. A failed, truncated, empty,
 * wrong-type or oversized download never replaces the existing dest_path and
 * leaves no temporary file behind.
 *
 * Validators are passed in and out explicitly (opts.etag / opts.last_modified
 * in, result.etag / result.last_modified out); the caller keeps them where it
 * keeps the rest of the feed's provenance (the index records URL, time, hash
 * and validators per feed). They are sent only when dest_path exists, so a
 * lost raw file is always downloaded again rather than answered with a 304.
 * A local file gets an ETag made from its size and mtime (and its mtime as
 * Last-Modified); passing that ETag back gives NOT_MODIFIED while it is unchanged.
 *
 * Retries (max_retries, backoff retry_delay_ms doubling each time) are made
 * only for transient failures: timeouts, connection failures (including a
 * body cut short by the peer) and HTTP 5xx. A 4xx, a TLS failure, a redirect
 * loop, a refused protocol, an oversized, empty or wrong-type body fail at once.
 *
 * Network policy, not configurable: TLS peer and host verification always on
 * (a private CA can be added with ca_file); only http and https, also across
 * redirects; a fixed User-Agent "redflag/<version> (+feed fetcher)".
 *
 * Thread safety: rf_fetch() may run in several threads at once on different
 * dest_paths once rf_fetch_global_init() has returned (rf_fetch() calls it
 * itself, once, if the caller did not). */
#ifndef REDFLAG_FETCH_H
#define REDFLAG_FETCH_H

#include "redflag/common.h"
#include "redflag/sha256.h"

/* What the fetched body must look like. The first bytes (after a UTF-8 BOM
 * and white space) are sniffed, and an HTML Content-Type is refused unless
 * HTML was expected, so a portal's HTML error or login page served with
 * status 200 is never taken for a feed. */
typedef enum rf_fetch_expect {
    RF_EXPECT_ANY,   /* only non-empty */
    RF_EXPECT_XML,   /* starts with '<' and is not an HTML page */
    RF_EXPECT_HTML,  /* starts with '<' (the DHS UFLPA page) */
    RF_EXPECT_CSV,   /* text: not starting with '<' (markup) or '{' (a JSON error) */
    RF_EXPECT_JSON   /* starts with '{' or '[' (JSON or JSON Lines) */
    /* every kind but ANY also refuses NUL bytes in the first 512 bytes */
} rf_fetch_expect;

typedef struct rf_fetch_opts {
    const char *url;            /* http(s)://…, file:///abs/path, or a plain path */
    const char *dest_path;      /* the final file; its directory must exist */
    const char *etag;           /* previous ETag, or NULL */
    const char *last_modified;  /* previous Last-Modified (HTTP date), or NULL */
    const char *ca_file;        /* extra CA bundle (PEM) for TLS, or NULL for the system's */
    long connect_timeout_ms;    /* per attempt, > 0 */
    long total_timeout_ms;      /* per attempt, whole transfer, > 0 */
    long low_speed_bytes;       /* cut a transfer slower than this many bytes/s … */
    long low_speed_secs;        /* … for this many seconds (0 disables the check) */
    long long max_bytes;        /* size cap on the (decoded) body, > 0 */
    int max_retries;            /* further attempts after the first, >= 0 */
    long retry_delay_ms;        /* first backoff; doubled each retry, capped at 60 s */
    int max_redirects;          /* >= 0; 0 refuses any redirect */
    rf_fetch_expect expect;
} rf_fetch_opts;

typedef enum rf_fetch_status {
    RF_FETCH_FAILED = 0,        /* dest_path untouched; see cause and error */
    RF_FETCH_UPDATED,           /* dest_path replaced with the new body */
    RF_FETCH_NOT_MODIFIED       /* 304 (or an unchanged local file): nothing written */
} rf_fetch_status;

/* Why a fetch failed, for callers that react per cause (messages are in
 * result.error; rf_fetch_cause_name() gives a short word). */
typedef enum rf_fetch_cause {
    RF_FETCH_E_NONE = 0,
    RF_FETCH_E_ARG,          /* bad options */
    RF_FETCH_E_PROTOCOL,     /* scheme other than http/https/file, also after a redirect */
    RF_FETCH_E_TIMEOUT,      /* connect or total timeout, or the low-speed limit */
    RF_FETCH_E_CONNECT,      /* DNS, refused, reset, other transport failure */
    RF_FETCH_E_TLS,          /* handshake or certificate verification failed */
    RF_FETCH_E_HTTP,         /* an HTTP status other than 200/203/304 */
    RF_FETCH_E_TRUNCATED,    /* body shorter than Content-Length, or connection closed early */
    RF_FETCH_E_TOO_LARGE,    /* over max_bytes */
    RF_FETCH_E_EMPTY,        /* empty body (or only white space) */
    RF_FETCH_E_CONTENT,      /* not the expected kind of document */
    RF_FETCH_E_REDIRECTS,    /* more than max_redirects (a redirect loop) */
    RF_FETCH_E_IO            /* local file system: source unreadable, temp file, rename */
} rf_fetch_cause;

typedef struct rf_fetch_result {
    rf_fetch_status status;
    rf_fetch_cause cause;       /* RF_FETCH_E_NONE unless status is RF_FETCH_FAILED */
    long http_code;             /* last HTTP status seen; 0 for local files or no response */
    int attempts;               /* tries made (1 + retries used) */
    long long bytes;            /* body size when UPDATED */
    char sha256[RF_SHA256_HEX]; /* hex SHA-256 of the body when UPDATED, else "" */
    char *etag;                 /* validators to keep for next time (UPDATED or */
    char *last_modified;        /*   NOT_MODIFIED); NULL when the server sent none */
    char *content_type;         /* the server's Content-Type, or NULL */
    char error[512];            /* what went wrong, naming the cause; "" on success */
} rf_fetch_result;

/* Fill opts with the defaults: 10 s connect, 10 min total, under 1 KiB/s for
 * 60 s cut, 512 MiB cap, 3 retries from 1 s, 5 redirects, RF_EXPECT_ANY; url,
 * dest_path and validators NULL. */
RF_API void rf_fetch_opts_init(rf_fetch_opts *opts);

/* Call libcurl's global init once (thread-safe, idempotent). RF_OK or RF_ENET. */
RF_API int rf_fetch_global_init(void);
/* Release libcurl's global state at program exit, after the last rf_fetch();
 * optional, not thread-safe. */
RF_API void rf_fetch_global_cleanup(void);

/* Fetch opts->url into opts->dest_path. res is always filled (reset first);
 * its strings are owned by res and freed by rf_fetch_result_clear(), which
 * must be called before res is reused or dropped. Returns RF_OK for UPDATED
 * and NOT_MODIFIED; otherwise, with res->status RF_FETCH_FAILED: RF_EINVAL
 * (bad options, refused scheme), RF_ENET (network, HTTP status, truncation,
 * redirects, TLS), RF_ELIMIT (too large), RF_EINPUT (empty or wrong type),
 * RF_EIO / RF_ENOTFOUND (local files). */
RF_API int rf_fetch(const rf_fetch_opts *opts, rf_fetch_result *res);

/* Free the strings in res and zero it; NULL is fine. */
RF_API void rf_fetch_result_clear(rf_fetch_result *res);

/* Parse "any", "xml", "html", "csv", "json" (as in feeds.conf); -1 when unknown. */
RF_API int rf_fetch_expect_parse(const char *name);
/* Short name of a cause ("timeout", "too large", …); static storage. */
RF_API const char *rf_fetch_cause_name(rf_fetch_cause cause);

#endif
