/* Feed fetcher, http(s) path: libcurl easy handle, conditional GET, bounded
 * retries with exponential backoff, size cap while streaming. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "fetch_int.h"

#define MAX_BACKOFF_MS 60000L

/* One transfer's state, reached from the write callback. */
typedef struct xfer {
    CURL *h;
    fetch_sink *sink;
    long long discarded;  /* body bytes of a non-200 response, not stored */
} xfer;

/* Outcome of one attempt. */
typedef enum attempt { ATT_BODY, ATT_NOT_MODIFIED, ATT_RETRY, ATT_FAIL } attempt;

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

/* Set every option of the transfer; the same for each attempt. */
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
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
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

/* Classify a libcurl error; retryable ones are transient transport failures. */
static attempt curl_failure(CURLcode cc, const fetch_sink *s, const char *detail,
                            const rf_fetch_opts *o, rf_fetch_result *res)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        fetch_fail(res, RF_FETCH_E_TIMEOUT, "timeout: %s", detail);
        return ATT_RETRY;
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
        fetch_fail(res, RF_FETCH_E_CONNECT, "connection failed: %s", detail);
        return ATT_RETRY;
    case CURLE_PARTIAL_FILE:
        fetch_fail(res, RF_FETCH_E_TRUNCATED, "body truncated: %s", detail);
        return ATT_RETRY;
    case CURLE_TOO_MANY_REDIRECTS:
        fetch_fail(res, RF_FETCH_E_REDIRECTS, "redirect loop: more than %d redirects (%s)",
                   o->max_redirects, detail);
        return ATT_FAIL;
    case CURLE_FILESIZE_EXCEEDED:
        fetch_fail(res, RF_FETCH_E_TOO_LARGE, "too large: over the %lld-byte cap (%s)",
                   o->max_bytes, detail);
        return ATT_FAIL;
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
        if (s->too_large || !s->write_errno)
            fetch_fail(res, RF_FETCH_E_TOO_LARGE,
                       "too large: more than %lld bytes (no Content-Length, cut while streaming)",
                       o->max_bytes);
        else
            fetch_fail(res, RF_FETCH_E_IO, "cannot write the download: %s",
                       strerror(s->write_errno));
        return ATT_FAIL;
    case CURLE_URL_MALFORMAT:
        fetch_fail(res, RF_FETCH_E_ARG, "malformed URL: %s", detail);
        return ATT_FAIL;
    default:
        fetch_fail(res, RF_FETCH_E_CONNECT, "transfer failed: %s", detail);
        return ATT_FAIL;
    }
}

/* Classify an HTTP status of a completed transfer: 5xx retry, 4xx final. */
static attempt http_status(long code, int sent_validators, rf_fetch_result *res)
{
    if (code == 200 || code == 203)
        return ATT_BODY;
    if (code == 304 && sent_validators)
        return ATT_NOT_MODIFIED;
    fetch_fail(res, RF_FETCH_E_HTTP, "HTTP %ld%s", code,
               code == 304 ? " (Not Modified) to an unconditional request" : "");
    return code >= 500 && code <= 599 ? ATT_RETRY : ATT_FAIL;
}

/* Run one attempt and classify it. */
static attempt run_once(CURL *h, xfer *x, const rf_fetch_opts *o, int sent_validators,
                        char *errbuf, rf_fetch_result *res)
{
    CURLcode cc;
    errbuf[0] = '\0';
    x->discarded = 0;
    if (fetch_sink_reset(x->sink, res) != RF_OK)
        return ATT_FAIL;
    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->http_code);
    /* A huge error page hits the cap too: report the status, which is the news. */
    if ((cc == CURLE_FILESIZE_EXCEEDED || cc == CURLE_WRITE_ERROR) && res->http_code >= 400)
        return http_status(res->http_code, sent_validators, res);
    if (cc != CURLE_OK)
        return curl_failure(cc, x->sink, errbuf[0] ? errbuf : curl_easy_strerror(cc), o, res);
    return http_status(res->http_code, sent_validators, res);
}

/* Sleep for the backoff before retry number `retry` (1-based). */
static void backoff(long base_ms, int retry)
{
    long ms = base_ms;
    struct timespec ts;
    for (int i = 1; i < retry && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
    if (ms > MAX_BACKOFF_MS)
        ms = MAX_BACKOFF_MS;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
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

/* Attempts with backoff until a body, a 304, a final failure or the budget ends. */
static attempt run_attempts(CURL *h, xfer *x, const rf_fetch_opts *o, int sent_validators,
                            char *errbuf, rf_fetch_result *res)
{
    attempt a = ATT_FAIL;
    for (int i = 0; i <= o->max_retries; i++) {
        if (i > 0)
            backoff(o->retry_delay_ms, i);
        res->attempts = i + 1;
        a = run_once(h, x, o, sent_validators, errbuf, res);
        if (a != ATT_RETRY)
            break;
    }
    if ((a == ATT_RETRY || a == ATT_FAIL) && res->attempts > 1) {
        size_t n = strlen(res->error);
        snprintf(res->error + n, sizeof res->error - n, " after %d tries", res->attempts);
    }
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
