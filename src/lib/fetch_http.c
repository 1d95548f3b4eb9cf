/* Feed fetcher, http(s) path: libcurl easy handle, conditional GET, retries
 * with exponential backoff for transient server failures only, every wait cut
 * to the deadline, size cap while streaming. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "fetch_int.h"

#define MAX_BACKOFF_MS 60000L
#define MAX_TIMEOUT_RETRIES 1 /* a stalled server rarely recovers within seconds */

/* One transfer's state, reached from the write callback. */
typedef struct xfer {
    CURL *h;
    fetch_sink *sink;
    long long discarded;  /* body bytes of a non-200 response, not stored */
    long long end_ms;     /* the deadline, on the monotonic clock */
    int timeouts;         /* timeouts retried so far */
} xfer;

/* Outcome of one attempt. */
typedef enum attempt { ATT_BODY, ATT_NOT_MODIFIED, ATT_RETRY, ATT_FAIL } attempt;

/* Milliseconds on the monotonic clock. */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libcurl write callback: store a 200 body, discard any other (an error page). */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    if (code == 200 || code == 203)
        return fetch_sink_write(x->sink, p, n) == 0 ? n : 0;
    x->discarded += (long long)n;
    return x->discarded > x->sink->max_bytes ? 0 : n;
}

/* Add "Name: value" to the request headers; 0 on allocation failure. */
static int add_header(struct curl_slist **list, const char *name, const char *value)
{
    char *line;
    struct curl_slist *l;
    if (asprintf(&line, "%s: %s", name, value) < 0)
        return 0;
    l = curl_slist_append(*list, line);
    free(line);
    if (!l)
        return 0;
    *list = l;
    return 1;
}

/* Restrict protocols to http and https, for the request and every redirect. */
static void set_protocols(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

/* Set every option of the transfer but its timeouts (arm_timeouts, per attempt). */
static void set_options(CURL *h, const rf_fetch_opts *o, struct curl_slist *hdrs, xfer *x,
                        const char *ua, char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_secs ? o->low_speed_bytes : 0L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_secs);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, o->max_redirects > 0 ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)o->max_redirects);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (o->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip etc.; cap applies decoded */
    set_protocols(h);
}

/* Cut this attempt's timeouts to what the deadline leaves; 0 when nothing is left. */
static long long arm_timeouts(CURL *h, const rf_fetch_opts *o, long long end_ms)
{
    long long left = end_ms - mono_ms();
    if (left <= 0)
        return 0;
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(left < o->connect_timeout_ms ? left : o->connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     (long)(left < o->total_timeout_ms ? left : o->total_timeout_ms));
    return left;
}

/* Seconds of a millisecond count, for messages. */
static double secs(long long ms)
{
    return (double)ms / 1000.0;
}

/* A timeout: the deadline (final), before the request went out (final: nobody
 * answers, asking again only waits longer), or a stall (retried once). */
static attempt timeout_failure(xfer *x, const char *detail, const rf_fetch_opts *o,
                               rf_fetch_result *res)
{
    long sent = 0;
    curl_easy_getinfo(x->h, CURLINFO_REQUEST_SIZE, &sent);
    if (mono_ms() >= x->end_ms) {
        fetch_fail(res, RF_FETCH_E_DEADLINE, "deadline: the %.1f s allowed for this download "
                   "ran out (%s)", secs(o->deadline_ms), detail);
        return ATT_FAIL;
    }
    if (sent <= 0) {
        fetch_fail(res, RF_FETCH_E_TIMEOUT, "connect timeout: %s", detail);
        return ATT_FAIL;
    }
    fetch_fail(res, RF_FETCH_E_TIMEOUT, "timeout: %s", detail);
    return x->timeouts++ < MAX_TIMEOUT_RETRIES ? ATT_RETRY : ATT_FAIL;
}

/* The Content-Encoding of the last response, or NULL. */
static const char *content_encoding(CURL *h)
{
    struct curl_header *hd = NULL;
    if (curl_easy_header(h, "Content-Encoding", 0, CURLH_HEADER, -1, &hd) == CURLHE_OK && hd &&
        hd->value[0])
        return hd->value;
    return NULL;
}

/* Over the cap while streaming: say how we knew (no Content-Length, or a
 * compressed body that decodes to more, as a gzip bomb does). */
static attempt too_large(const xfer *x, const rf_fetch_opts *o, rf_fetch_result *res)
{
    curl_off_t cl = -1;
    const char *enc = content_encoding(x->h);
    curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    if (cl < 0)
        fetch_fail(res, RF_FETCH_E_TOO_LARGE,
                   "too large: more than the %lld-byte cap (no Content-Length, cut while "
                   "streaming)", o->max_bytes);
    else if (enc)
        fetch_fail(res, RF_FETCH_E_TOO_LARGE,
                   "too large: a %lld-byte body (Content-Length) with Content-Encoding %s "
                   "decodes to more than the %lld-byte cap (cut while decoding)",
                   (long long)cl, enc, o->max_bytes);
    else
        fetch_fail(res, RF_FETCH_E_TOO_LARGE,
                   "too large: more than the %lld-byte cap (Content-Length %lld)", o->max_bytes,
                   (long long)cl);
    return ATT_FAIL;
}

/* Over the cap by its Content-Length, before any body byte was read. */
static attempt too_large_declared(const xfer *x, const rf_fetch_opts *o, rf_fetch_result *res)
{
    curl_off_t cl = -1;
    curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    fetch_fail(res, RF_FETCH_E_TOO_LARGE, "too large: Content-Length %lld is over the "
               "%lld-byte cap", (long long)cl, o->max_bytes);
    return ATT_FAIL;
}

/* Classify a libcurl error. Only a failure after the server answered (a body
 * cut short, a stall) is retried; no DNS answer, a refused or unreachable
 * connection and a connect timeout are final. */
static attempt curl_failure(CURLcode cc, xfer *x, const char *detail, const rf_fetch_opts *o,
                            rf_fetch_result *res)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return timeout_failure(x, detail, o, res);
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
        fetch_fail(res, RF_FETCH_E_CONNECT, "DNS lookup failed: %s", detail);
        return ATT_FAIL;
    case CURLE_COULDNT_CONNECT:
        fetch_fail(res, RF_FETCH_E_CONNECT, "connection failed: %s", detail);
        return ATT_FAIL;
    case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
        fetch_fail(res, RF_FETCH_E_CONNECT, "connection broken: %s", detail);
        return ATT_RETRY;
    case CURLE_PARTIAL_FILE:
        fetch_fail(res, RF_FETCH_E_TRUNCATED, "body truncated: %s", detail);
        return ATT_RETRY;
    case CURLE_TOO_MANY_REDIRECTS:
        fetch_fail(res, RF_FETCH_E_REDIRECTS, "redirect loop: more than %d redirects (%s)",
                   o->max_redirects, detail);
        return ATT_FAIL;
    case CURLE_FILESIZE_EXCEEDED:
        return too_large_declared(x, o, res);
    case CURLE_UNSUPPORTED_PROTOCOL:
        fetch_fail(res, RF_FETCH_E_PROTOCOL, "unsupported protocol (only http and https): %s",
                   detail);
        return ATT_FAIL;
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR: case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS: case CURLE_USE_SSL_FAILED:
        fetch_fail(res, RF_FETCH_E_TLS, "TLS failure: %s", detail);
        return ATT_FAIL;
    case CURLE_WRITE_ERROR:
        if (x->sink->too_large || !x->sink->write_errno)
            return too_large(x, o, res);
        fetch_fail(res, RF_FETCH_E_IO, "cannot write the download: %s",
                   strerror(x->sink->write_errno));
        return ATT_FAIL;
    case CURLE_URL_MALFORMAT:
        fetch_fail(res, RF_FETCH_E_ARG, "malformed URL: %s", detail);
        return ATT_FAIL;
    default:
        fetch_fail(res, RF_FETCH_E_CONNECT, "transfer failed: %s", detail);
        return ATT_FAIL;
    }
}

/* Classify an HTTP status of a completed transfer: 5xx and 429 retry, others
 * final; a 304 is only an answer to a conditional request. */
static attempt http_status(long code, int sent_validators, rf_fetch_result *res)
{
    if (code == 200 || code == 203)
        return ATT_BODY;
    if (code == 304 && sent_validators)
        return ATT_NOT_MODIFIED;
    fetch_fail(res, RF_FETCH_E_HTTP, "HTTP %ld%s", code,
               code == 304 ? " (Not Modified) to an unconditional request"
               : code == 429 ? " (Too Many Requests)" : "");
    return (code >= 500 && code <= 599) || code == 429 ? ATT_RETRY : ATT_FAIL;
}

/* Run one attempt within the deadline and classify it. */
static attempt run_once(CURL *h, xfer *x, const rf_fetch_opts *o, int sent_validators,
                        char *errbuf, rf_fetch_result *res)
{
    CURLcode cc;
    errbuf[0] = '\0';
    x->discarded = 0;
    if (fetch_sink_reset(x->sink, res) != RF_OK)
        return ATT_FAIL;
    if (arm_timeouts(h, o, x->end_ms) == 0) {
        fetch_fail(res, RF_FETCH_E_DEADLINE, "deadline: the %.1f s allowed for this download "
                   "ran out before it started", secs(o->deadline_ms));
        return ATT_FAIL;
    }
    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->http_code);
    /* A huge error page hits the cap too: report the status, which is the news. */
    if ((cc == CURLE_FILESIZE_EXCEEDED || cc == CURLE_WRITE_ERROR) && res->http_code >= 400)
        return http_status(res->http_code, sent_validators, res);
    if (cc != CURLE_OK)
        return curl_failure(cc, x, errbuf[0] ? errbuf : curl_easy_strerror(cc), o, res);
    return http_status(res->http_code, sent_validators, res);
}

/* The wait before retry number `retry` (1-based): base doubled each time, or
 * the server's Retry-After when longer; at most MAX_BACKOFF_MS. */
static long long backoff_ms(CURL *h, long base_ms, int retry)
{
    long long ms = base_ms;
    curl_off_t after = 0;
    for (int i = 1; i < retry && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
#if LIBCURL_VERSION_NUM >= 0x074200 /* 7.66.0 */
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0 &&
        after < MAX_BACKOFF_MS / 1000 && after * 1000 > ms)
        ms = (long long)after * 1000;
    else if (after >= MAX_BACKOFF_MS / 1000)
        ms = MAX_BACKOFF_MS;
#else
    (void)h;
    (void)after;
#endif
    return ms > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : ms;
}

/* Sleep ms milliseconds. */
static void sleep_ms(long long ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Copy one response header's value (last response of the transfer) into *dst. */
static void take_header(CURL *h, const char *name, char **dst, int *oom)
{
    struct curl_header *hd = NULL;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK && hd && hd->value[0]) {
        free(*dst);
        *dst = fetch_strdup(hd->value, oom);
    }
}

/* Fill the result's validators and content type after a 200 or 304. */
static int take_validators(CURL *h, const rf_fetch_opts *o, rf_fetch_result *res)
{
    char *ctype = NULL;
    int oom = 0;
    take_header(h, "ETag", &res->etag, &oom);
    take_header(h, "Last-Modified", &res->last_modified, &oom);
    if (res->status == RF_FETCH_NOT_MODIFIED) { /* a 304 may omit them: keep the old ones */
        if (!res->etag)
            res->etag = fetch_strdup(o->etag, &oom);
        if (!res->last_modified)
            res->last_modified = fetch_strdup(o->last_modified, &oom);
    }
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype)
        res->content_type = fetch_strdup(ctype, &oom);
    return oom ? RF_ENOMEM : RF_OK;
}

/* Attempts with backoff until a body, a 304, a final failure, the retry
 * budget or a backoff that would end past the deadline. */
static attempt run_attempts(CURL *h, xfer *x, const rf_fetch_opts *o, int sent_validators,
                            char *errbuf, rf_fetch_result *res)
{
    attempt a = ATT_FAIL;
    int no_time = 0;
    for (int i = 0;; i++) {
        res->attempts = i + 1;
        a = run_once(h, x, o, sent_validators, errbuf, res);
        if (a != ATT_RETRY || i >= o->max_retries)
            break;
        long long wait = backoff_ms(h, o->retry_delay_ms, i + 1);
        if (mono_ms() + wait >= x->end_ms) {
            no_time = 1;
            break;
        }
        sleep_ms(wait);
    }
    size_t n = strlen(res->error);
    if ((a == ATT_RETRY || a == ATT_FAIL) && res->attempts > 1)
        n += (size_t)snprintf(res->error + n, sizeof res->error - n, " after %d tries",
                              res->attempts);
    if (no_time && n < sizeof res->error)
        snprintf(res->error + n, sizeof res->error - n,
                 " (no time for another within the %.1f s deadline)", secs(o->deadline_ms));
    return a;
}

/* Build the conditional-request headers; 0 on allocation failure. */
static int conditional_headers(const rf_fetch_opts *o, int send, struct curl_slist **hdrs)
{
    if (!send)
        return 1;
    if (o->etag && *o->etag && !add_header(hdrs, "If-None-Match", o->etag))
        return 0;
    if (o->last_modified && *o->last_modified &&
        !add_header(hdrs, "If-Modified-Since", o->last_modified))
        return 0;
    return 1;
}

/* Fetch over http(s) into o->dest_path. */
int fetch_http(const rf_fetch_opts *o, int send_validators, rf_fetch_result *res)
{
    char errbuf[CURL_ERROR_SIZE], ua[64];
    struct curl_slist *hdrs = NULL;
    fetch_sink sink = {.fd = -1};
    xfer x = {0};
    attempt a;
    int rc;
    int sent = send_validators && ((o->etag && *o->etag) ||
                                   (o->last_modified && *o->last_modified));
    CURL *h = curl_easy_init();
    if (!h || !conditional_headers(o, sent, &hdrs)) {
        rc = fetch_fail(res, RF_FETCH_E_IO, "out of memory setting up the transfer");
        goto out;
    }
    if ((rc = fetch_sink_open(&sink, o->dest_path, o->max_bytes, res)) != RF_OK)
        goto out;
    snprintf(ua, sizeof ua, "redflag/%s (+feed fetcher)", rf_version());
    x.h = h;
    x.sink = &sink;
    x.end_ms = mono_ms() + o->deadline_ms;
    set_options(h, o, hdrs, &x, ua, errbuf);
    a = run_attempts(h, &x, o, sent, errbuf, res);
    if (a == ATT_RETRY || a == ATT_FAIL) {
        rc = fetch_cause_err(res->cause);
        goto out;
    }
    if (a == ATT_NOT_MODIFIED)
        res->status = RF_FETCH_NOT_MODIFIED;
    if ((rc = take_validators(h, o, res)) != RF_OK) {
        fetch_fail(res, RF_FETCH_E_IO, "out of memory");
        goto out;
    }
    if (a == ATT_BODY)
        rc = fetch_sink_commit(&sink, o->dest_path, o->expect, res->content_type, res);
out:
    fetch_sink_discard(&sink);
    curl_slist_free_all(hdrs);
    if (h)
        curl_easy_cleanup(h);
    return rc;
}
