/* `redflag serve`: screening as an HTTP/1.1 JSON service.
 *
 * The server library is GNU libmicrohttpd (Debian libmicrohttpd-dev): a small,
 * long-maintained C library made to be embedded, with its own thread pool,
 * request-body streaming, connection timeouts and limits, and nothing else to
 * carry (no framework, no event loop to adopt); TLS is left to a reverse proxy
 * (README.md "HTTP service").
 *
 * Threads: MHD's pool (--threads N) runs the handlers; each worker thread makes
 * its own rf_screener lazily over the one shared engine (screen.h). The engine
 * lives in a generation (the lists, the engine, its screeners and a count of
 * the requests using it). SIGHUP builds a new generation from the data
 * directory's current index and swaps it in for new requests; the old one is
 * freed, with its screeners, when its last in-flight request ends. SIGTERM and
 * SIGINT stop accepting new connections, wait (up to DRAIN_SECONDS) for the
 * requests being answered to be sent, then stop MHD and free everything.
 *
 * The profile cache is not used: it is one LMDB environment per data
 * directory, which a process may open only once, and a reload keeps two
 * engines open at once. */
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "cli.h"
#include "serve.h"
#include "redflag/country.h"
#include "redflag/index.h"
#include "redflag/match.h"
#include "redflag/name.h"
#include "redflag/reader.h"
#include "redflag/record.h"
#include "redflag/result.h"
#include "redflag/rules.h"
#include "redflag/screen.h"
#include "redflag/writer.h"

#define DEFAULT_MAX_BODY (8u << 20)
#define MAX_KEY 512
#define DRAIN_SECONDS 10

/* One engine and what uses it. */
typedef struct gen {
    cli_lists lists;
    unsigned long serial;     /* never reused: a thread's screener names its generation */
    unsigned refs;            /* requests using it, plus one while it is the current one */
    rf_screener **scr;        /* every screener made over it (one per worker thread) */
    size_t nscr, cap;
} gen;

/* The server's state, shared by the worker threads. */
static struct {
    pthread_mutex_t lock;     /* guards cur, refs, scr lists, serial */
    gen *cur;
    unsigned long serial;
    cli_lists_opts lo;
    char key[MAX_KEY];        /* the API key, "" when none */
    size_t max_body;
    time_t started;
    unsigned long active;     /* requests between arrival and sent answer (atomic) */
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The worker thread's screener and the generation it was made over. */
static __thread unsigned long tls_serial;
static __thread rf_screener *tls_scr;
/* Set in each worker thread that screened: at its exit, free the library's
 * per-thread state (name.h: rf_name_thread_cleanup). */
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

/* At a worker thread's exit: the name folder's transliterators. */
static void thread_exit(void *unused)
{
    (void)unused;
    rf_name_thread_cleanup();
}

/* Make the key whose destructor is thread_exit. */
static void thread_key_make(void)
{
    pthread_key_create(&thread_key, thread_exit);
}

/* One request being read. */
typedef struct req {
    char *body;
    size_t len, cap;
    int path;
    bool too_big;
    struct timespec t0;
} req;

/* The server's options. */
typedef struct serve_opts {
    const char *listen, *key_file, *data, *conf;
    const char *rules[16];
    size_t nrules;
    unsigned threads, timeout;
    size_t max_body;
} serve_opts;

/* Print the help of `serve`. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: redflag serve [--listen HOST:PORT] [OPTIONS]\n\n"
            "Screens records over HTTP/1.1. POST /screen takes one JSON record or a JSON\n"
            "Lines batch and answers the verdict lines `screen -o jsonl` writes; GET\n"
            "/lookup?name=NAME[&country=CC][&limit=N] answers `lookup -o jsonl` lines; GET\n"
            "/feeds the lists' provenance and age; GET /health; GET /metrics (Prometheus).\n"
            "Errors are {\"error\": \"...\"} with 400, 401, 404, 405 or 413. SIGHUP reopens the\n"
            "index (after `redflag fetch`) without dropping requests; SIGTERM stops.\n\n"
            "      --listen ADDR     HOST:PORT or [IPv6]:PORT to bind (default 127.0.0.1:8080;\n"
            "                        port 0 picks a free one, logged on stderr)\n"
            "      --threads N       worker threads, one screener each (default: the cores)\n"
            "      --max-body BYTES  largest request body, else 413 (default 8388608)\n"
            "      --timeout SEC     close a connection idle this long (default 30)\n"
            "      --api-key-file FILE  require 'Authorization: Bearer KEY' (KEY: the file's\n"
            "                        first line) on every path but /health, else 401\n"
            "      --rules DIR       rules directory or file (repeatable; default: shipped rules)\n"
            "      --data DIR        data directory with the list index (as `screen`)\n"
            "      --conf FILE       feed list (default: feeds/feeds.conf of this installation)\n\n"
            "Exit: 0 stopped by a signal, 2 usage, 3 rule error, 4 cannot listen or no index.\n");
}

/* ---- generations ---- */

/* Free a generation no request uses any more: its screeners, then the engine. */
static void gen_free(gen *g)
{
    for (size_t i = 0; i < g->nscr; i++)
        rf_screener_destroy(g->scr[i]);
    free(g->scr);
    cli_lists_close(&g->lists);
    free(g);
}

/* Open a generation over the data directory's current index; NULL after a message. */
static gen *gen_open(int *exit)
{
    gen *g = calloc(1, sizeof *g);
    if (!g) {
        *exit = EXIT_IO;
        return NULL;
    }
    if ((*exit = cli_lists_open(&g->lists, &srv.lo)) != EXIT_CLEAN) {
        cli_lists_close(&g->lists);
        free(g);
        return NULL;
    }
    g->refs = 1;
    return g;
}

/* The current generation, held for one request (release with gen_release). */
static gen *gen_acquire(void)
{
    pthread_mutex_lock(&srv.lock);
    gen *g = srv.cur;
    g->refs++;
    pthread_mutex_unlock(&srv.lock);
    return g;
}

/* Let go of g; the last user frees it. */
static void gen_release(gen *g)
{
    pthread_mutex_lock(&srv.lock);
    bool last = --g->refs == 0;
    pthread_mutex_unlock(&srv.lock);
    if (last)
        gen_free(g);
}

/* Make g the current generation; the old one goes when its requests end. */
static void gen_swap(gen *g)
{
    pthread_mutex_lock(&srv.lock);
    gen *old = srv.cur;
    g->serial = ++srv.serial;
    srv.cur = g;
    pthread_mutex_unlock(&srv.lock);
    if (old)
        gen_release(old);
}

/* This thread's screener over g (held by the caller), made on first use. */
static rf_screener *gen_screener(gen *g)
{
    if (tls_scr && tls_serial == g->serial)
        return tls_scr;
    rf_screener *s = NULL;
    if (rf_screener_create(&s, g->lists.engine) != RF_OK)
        return NULL;
    pthread_once(&thread_key_once, thread_key_make);
    pthread_setspecific(thread_key, &thread_key); /* any non-NULL value */
    pthread_mutex_lock(&srv.lock);
    if (g->nscr == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 8;
        rf_screener **v = realloc(g->scr, cap * sizeof *v);
        if (!v) {
            pthread_mutex_unlock(&srv.lock);
            rf_screener_destroy(s);
            return NULL;
        }
        g->scr = v;
        g->cap = cap;
    }
    g->scr[g->nscr++] = s;
    pthread_mutex_unlock(&srv.lock);
    tls_serial = g->serial;
    tls_scr = s;
    return s;
}

/* ---- responses ---- */

/* Queue a response of len bytes from a malloc'd buffer (taken over). */
static enum MHD_Result reply(struct MHD_Connection *c, req *r, unsigned status, char *buf,
                             size_t len, const char *type)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    serve_metrics_request(r->path, status, (double)(t1.tv_sec - r->t0.tv_sec) +
                                               (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9);
    return rc;
}

/* Answer {"error": msg} with status. */
static enum MHD_Result reply_error(struct MHD_Connection *c, req *r, unsigned status,
                                   const char *msg)
{
    char *js = cli_json_string(msg), *buf = NULL;
    if (!js || asprintf(&buf, "{\"error\":%s}\n", js) < 0)
        buf = NULL;
    free(js);
    if (!buf)
        return MHD_NO;
    return reply(c, r, status, buf, strlen(buf), "application/json");
}

/* A memory stream for a response body. */
typedef struct membuf {
    char *buf;
    size_t len;
    FILE *fp;
} membuf;

/* Close the stream and hand its buffer to reply (a 500 when the stream failed). */
static enum MHD_Result reply_mem(struct MHD_Connection *c, req *r, unsigned status, membuf *m,
                                 const char *type)
{
    if (fclose(m->fp) != 0 || !m->buf) {
        free(m->buf);
        return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    return reply(c, r, status, m->buf, m->len, type);
}

/* ---- POST /screen ---- */

/* Whether the body is one JSON object written over several lines (pretty-printed). */
static bool one_object(const char *body, size_t len)
{
    const char *nl = memchr(body, '\n', len);
    while (nl && nl + 1 < body + len && (nl[1] == '\n' || nl[1] == '\r' || nl[1] == ' '))
        nl++;
    if (!nl || nl + 1 >= body + len)
        return false; /* one line, or one line and trailing blank ones: the JSONL path */
    if (strlen(body) != len)
        return false; /* a NUL inside: the JSONL reader says where */
    yajl_val v = yajl_tree_parse(body, NULL, 0);
    bool obj = YAJL_IS_OBJECT(v);
    yajl_tree_free(v);
    return obj;
}

/* What screening a body gave. */
typedef struct screened {
    unsigned long good, bad;
    char err[512];   /* the first bad record's message */
    int rc;          /* RF_OK, or what stopped it */
} screened;

/* Screen one record (or write its error line) into w. */
static int screen_one(rf_screener *s, rf_record *rec, rf_result *res, rf_writer *w, int rd_rc,
                      const char *msg, screened *out)
{
    rf_result_reset(res);
    if (rd_rc == RF_EINPUT) {
        long line = rf_record_line(rec);
        if (out->bad++ == 0 && line > 0) /* the first one's message, with its line */
            snprintf(out->err, sizeof out->err, "line %ld: %s", line, msg);
        else if (out->bad == 1) /* a pretty-printed record has no line */
            snprintf(out->err, sizeof out->err, "%s", msg);
        int rc = rf_result_set_error(res, rf_record_str(rec, RF_F_ID, 0, NULL), msg);
        res->line = rf_record_line(rec);
        return rc == RF_OK ? rf_writer_write(w, res) : rc;
    }
    out->good++;
    int rc = rf_screener_screen(s, rec, res);
    return rc == RF_OK ? rf_writer_write(w, res) : rc;
}

/* Screen every record of the body with s into fp, as `screen -o jsonl` writes them. */
static void screen_body(rf_screener *s, const char *body, size_t len, FILE *fp, screened *out)
{
    rf_record *rec = NULL;
    rf_result *res = NULL;
    rf_writer *w = NULL;
    rf_reader *rd = NULL;
    FILE *in = NULL;
    out->rc = RF_ENOMEM;
    if (rf_record_create(&rec) || rf_result_create(&res) ||
        rf_writer_create(&w, fp, RF_OUT_JSONL, 0))
        goto out;
    rf_writer_set_flush(w, false);
    if (one_object(body, len)) {
        char msg[400];
        int rc = rf_record_from_json(body, len, rec, msg, sizeof msg);
        out->rc = screen_one(s, rec, res, w, rc, msg, out);
        goto out;
    }
    if (!(in = fmemopen((void *)body, len, "r")) ||
        rf_reader_open(&rd, in, "<request>", RF_FMT_JSONL, NULL) != RF_OK)
        goto out;
    int rc;
    out->rc = RF_OK;
    while (out->rc == RF_OK && (rc = rf_reader_next(rd, rec)) != RF_EOF)
        out->rc = rc == RF_OK || rc == RF_EINPUT
                      ? screen_one(s, rec, res, w, rc, rf_reader_error(rd), out)
                      : rc;
out:
    if (w && out->rc == RF_OK)
        out->rc = rf_writer_flush(w);
    rf_reader_destroy(rd);
    if (in)
        fclose(in);
    rf_writer_destroy(w);
    rf_result_destroy(res);
    rf_record_destroy(rec);
}

/* POST /screen: the verdicts of the body's records, one JSON line each. A
 * body of one record that cannot be read is a 400; in a batch, a bad record
 * gets its error line in place, as `screen` writes it, and the others their
 * verdicts. */
static enum MHD_Result do_screen(struct MHD_Connection *c, req *r)
{
    if (r->len == 0)
        return reply_error(c, r, MHD_HTTP_BAD_REQUEST, "empty body: send one JSON record or "
                           "JSON Lines");
    gen *g = gen_acquire();
    rf_screener *s = gen_screener(g);
    membuf m = {0};
    screened out = {0};
    if (!s || !(m.fp = open_memstream(&m.buf, &m.len))) {
        gen_release(g);
        return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, s ? "out of memory"
                                                                    : rf_screen_error());
    }
    screen_body(s, r->body, r->len, m.fp, &out);
    gen_release(g);
    serve_metrics_records(out.good, out.bad);
    if (out.rc != RF_OK || (out.good + out.bad == 0) || (out.good == 0 && out.bad == 1)) {
        fclose(m.fp);
        free(m.buf);
        if (out.rc != RF_OK)
            return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, rf_strerror(out.rc));
        return reply_error(c, r, MHD_HTTP_BAD_REQUEST, out.bad ? out.err : "no records");
    }
    return reply_mem(c, r, MHD_HTTP_OK, &m, "application/x-ndjson");
}

/* ---- GET /lookup, /feeds, /health, /metrics ---- */

/* GET /lookup?name=…&country=CC&limit=N: the hits as `lookup -o jsonl` lines. */
static enum MHD_Result do_lookup(struct MHD_Connection *c, req *r)
{
    const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
    const char *country = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "country");
    const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    char cc[3] = "", *end = NULL;
    long limit = lim ? strtol(lim, &end, 10) : 10;
    if (!name || !*name)
        return reply_error(c, r, MHD_HTTP_BAD_REQUEST, "lookup wants ?name=NAME");
    if (country && *country && rf_country_normalize(country, strlen(country), cc) != RF_OK)
        return reply_error(c, r, MHD_HTTP_BAD_REQUEST, "unknown country");
    if ((lim && *end) || limit <= 0 || limit > 100)
        return reply_error(c, r, MHD_HTTP_BAD_REQUEST, "limit is a number from 1 to 100");
    const char *countries[1] = {cc};
    rf_name_party q = {name, RF_NAME_COMPANY, countries, cc[0] ? 1 : 0, NULL, 0,
                       RF_PARTY_ORG | RF_PARTY_PERSON};
    gen *g = gen_acquire();
    rf_screener *s = gen_screener(g);
    const rf_match_hit *hits = NULL;
    size_t n = 0;
    membuf m = {0};
    if (!s || rf_screener_lookup(s, &q, (size_t)limit, 0.5, &hits, &n) != RF_OK ||
        !(m.fp = open_memstream(&m.buf, &m.len))) {
        gen_release(g);
        return reply_error(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, rf_screen_error());
    }
    for (size_t i = 0; i < n; i++)
        cli_lookup_hit_json(m.fp, name, &hits[i]);
    if (n == 0) {
        rf_index_stat st = {0};
        if (g->lists.ix)
            rf_index_stats(g->lists.ix, &st);
        char *js = cli_json_string(name);
        fprintf(m.fp, "{\"query\":%s,\"hits\":0,\"searched\":%zu}\n", js, st.entities);
        free(js);
    }
    gen_release(g);
    return reply_mem(c, r, MHD_HTTP_OK, &m, "application/x-ndjson");
}

/* Add key and a string value (null for NULL) to the map being generated. */
static void gen_kv_str(yajl_gen g, const char *key, const char *v)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    if (v)
        yajl_gen_string(g, (const unsigned char *)v, strlen(v));
    else
        yajl_gen_null(g);
}

/* Add key and an integer value. */
static void gen_kv_int(yajl_gen g, const char *key, long long v)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_integer(g, v);
}

/* One feed's provenance as a JSON object in the array being generated (ud). */
static int feed_json(const rf_index_feed *f, void *ud)
{
    yajl_gen g = ud;
    time_t now = time(NULL);
    yajl_gen_map_open(g);
    gen_kv_str(g, "feed", f->name);
    gen_kv_str(g, "url", f->url);
    gen_kv_str(g, "format", f->format);
    gen_kv_str(g, "licence", f->licence);
    yajl_gen_string(g, (const unsigned char *)"critical", 8);
    yajl_gen_bool(g, f->critical);
    gen_kv_int(g, "data_of", f->fetched_at);
    if (f->fetched_at > 0)
        gen_kv_int(g, "age_days", (long long)(now - f->fetched_at) / 86400);
    else
        gen_kv_str(g, "age_days", NULL);
    gen_kv_int(g, "entities", (long long)f->entities);
    gen_kv_int(g, "goods", (long long)f->goods);
    gen_kv_str(g, "sha256", f->sha256);
    gen_kv_int(g, "bytes", f->bytes);
    gen_kv_str(g, "status", f->status);
    gen_kv_str(g, "error", f->error);
    yajl_gen_map_close(g);
    return RF_OK;
}

/* Add "index": the index's identity and counts (null without lists). */
static void index_json(yajl_gen g, gen *gn)
{
    yajl_gen_string(g, (const unsigned char *)"index", 5);
    if (!gn->lists.ix) {
        yajl_gen_null(g);
        return;
    }
    rf_index_stat st = {0};
    rf_index_stats(gn->lists.ix, &st);
    yajl_gen_map_open(g);
    gen_kv_str(g, "generation", rf_index_generation(gn->lists.ix));
    gen_kv_int(g, "built_at", st.built_at);
    gen_kv_int(g, "entities", (long long)st.entities);
    gen_kv_int(g, "goods", (long long)st.goods);
    gen_kv_int(g, "feeds", (long long)st.feeds);
    yajl_gen_map_close(g);
}

/* A compact generator that refuses invalid UTF-8 (NULL when out of memory). */
static yajl_gen json_gen(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g)
        yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

/* Answer g's text as one line, and free g; ok false: a 500. */
static enum MHD_Result reply_json(struct MHD_Connection *c, req *r, yajl_gen g, bool ok)
{
    const unsigned char *buf;
    size_t len;
    char *line = NULL;
    if (ok && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok &&
        (line = malloc(len + 2))) {
        memcpy(line, buf, len);
        memcpy(line + len, "\n", 2);
    }
    yajl_gen_free(g);
    if (!line)
        return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot write the JSON");
    return reply(c, r, MHD_HTTP_OK, line, len + 1, "application/json");
}

/* GET /feeds: {"index": {…}, "feeds": [{feed, url, licence, data_of, age_days, …}]}. */
static enum MHD_Result do_feeds(struct MHD_Connection *c, req *r)
{
    yajl_gen g = json_gen();
    if (!g)
        return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    gen *gn = gen_acquire();
    yajl_gen_map_open(g);
    index_json(g, gn);
    yajl_gen_string(g, (const unsigned char *)"feeds", 5);
    yajl_gen_array_open(g);
    bool ok = !gn->lists.ix || rf_index_foreach_feed(gn->lists.ix, feed_json, g) == RF_OK;
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    gen_release(gn);
    return reply_json(c, r, g, ok);
}

/* GET /health: {"status": "ok", "index": {…}, "uptime": s, "reload": n}. */
static enum MHD_Result do_health(struct MHD_Connection *c, req *r)
{
    yajl_gen g = json_gen();
    if (!g)
        return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    gen *gn = gen_acquire();
    yajl_gen_map_open(g);
    gen_kv_str(g, "status", "ok");
    index_json(g, gn);
    gen_kv_int(g, "uptime", (long long)(time(NULL) - srv.started));
    gen_kv_int(g, "reload", (long long)gn->serial - 1);
    yajl_gen_map_close(g);
    gen_release(gn);
    return reply_json(c, r, g, true);
}

/* One list's data time as a Prometheus gauge line on fp (ud). */
static int feed_metric(const rf_index_feed *f, void *ud)
{
    fprintf((FILE *)ud, "redflag_list_data_timestamp_seconds{list=\"%s\"} %lld\n", f->name,
            f->fetched_at);
    return RF_OK;
}

/* GET /metrics: the counters, and the index's and each list's data age. */
static enum MHD_Result do_metrics(struct MHD_Connection *c, req *r)
{
    membuf m = {0};
    if (!(m.fp = open_memstream(&m.buf, &m.len)))
        return reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    serve_metrics_write(m.fp);
    gen *g = gen_acquire();
    if (g->lists.ix) {
        rf_index_stat st = {0};
        rf_index_stats(g->lists.ix, &st);
        fprintf(m.fp, "# HELP redflag_index_built_timestamp_seconds When the list index in "
                      "use was built.\n# TYPE redflag_index_built_timestamp_seconds gauge\n"
                      "redflag_index_built_timestamp_seconds %lld\n"
                      "# HELP redflag_list_data_timestamp_seconds When each list's data was "
                      "downloaded (0: unknown).\n"
                      "# TYPE redflag_list_data_timestamp_seconds gauge\n", st.built_at);
        rf_index_foreach_feed(g->lists.ix, feed_metric, m.fp);
    }
    gen_release(g);
    return reply_mem(c, r, MHD_HTTP_OK, &m, "text/plain; version=0.0.4");
}

/* ---- the request handler ---- */

/* Whether the request carries the API key (always, when there is none). */
static bool authorized(struct MHD_Connection *c)
{
    if (!srv.key[0])
        return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    size_t a = strlen(h), b = strlen(srv.key);
    unsigned diff = a != b;
    for (size_t i = 0; i < a && i < b; i++) /* in constant time for a given length */
        diff |= (unsigned char)h[i] ^ (unsigned char)srv.key[i];
    return diff == 0;
}

/* Keep a chunk of the body, or note that it is over the limit. */
static void take_body(req *r, const char *data, size_t n)
{
    if (r->too_big || r->len + n > srv.max_body) {
        r->too_big = true;
        return;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b) {
            r->too_big = true;
            return;
        }
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
}

/* Whether the request says (Content-Length) its body is over the limit. */
static bool declared_too_big(struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end;
    errno = 0;
    unsigned long long n = v ? strtoull(v, &end, 10) : 0;
    return v && !errno && end != v && n > srv.max_body;
}

/* Route a complete request. */
static enum MHD_Result route(struct MHD_Connection *c, req *r, const char *method)
{
    static const char *const want[SERVE_NPATHS] = {"POST", "GET", "GET", "GET", "GET", NULL};
    if (r->path == SERVE_OTHER)
        return reply_error(c, r, MHD_HTTP_NOT_FOUND, "no such path (POST /screen, GET "
                           "/lookup, /feeds, /health, /metrics)");
    if (r->path != SERVE_HEALTH && !authorized(c))
        return reply_error(c, r, MHD_HTTP_UNAUTHORIZED, "missing or wrong API key "
                           "(Authorization: Bearer KEY)");
    if (strcmp(method, want[r->path]) != 0)
        return reply_error(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, r->path == SERVE_SCREEN
                           ? "use POST" : "use GET");
    if (r->too_big)
        return reply_error(c, r, 413, "request body too large "
                           "(see --max-body)");
    switch (r->path) {
    case SERVE_SCREEN: return do_screen(c, r);
    case SERVE_LOOKUP: return do_lookup(c, r);
    case SERVE_FEEDS: return do_feeds(c, r);
    case SERVE_HEALTH: return do_health(c, r);
    default: return do_metrics(c, r);
    }
}

/* MHD's access handler: the first call makes the request, the next ones
 * bring the body, the last one (no more data) answers. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **ctx)
{
    (void)cls;
    (void)version;
    req *r = *ctx;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        __atomic_add_fetch(&srv.active, 1, __ATOMIC_RELAXED);
        r->path = serve_path_index(url);
        *ctx = r;
        if (!declared_too_big(c))
            return MHD_YES;
        /* Refused before the body is read (a client sending Expect:
         * 100-continue sends none of it); the connection is then closed. */
        r->too_big = true;
        return route(c, r, method);
    }
    if (*size) {
        take_body(r, data, *size);
        *size = 0;
        return MHD_YES;
    }
    return route(c, r, method);
}

/* MHD's completion callback: free the request. */
static void completed(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    req *r = *ctx;
    if (r) {
        free(r->body);
        __atomic_sub_fetch(&srv.active, 1, __ATOMIC_RELAXED);
    }
    free(r);
    *ctx = NULL;
}

/* ---- setup ---- */

/* Resolve HOST:PORT or [V6]:PORT (numeric) into ss. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return msg_usage("serve", "--listen wants HOST:PORT, got '%s'", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *h = host;
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h[hl - 1] = '\0';
        h++;
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(h, colon + 1, &hints, &ai) != 0 || !ai) {
        return msg_usage("serve", "--listen: '%s' is not a numeric address and port "
                         "(e.g. 127.0.0.1:8080, [::1]:8080)", s);
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return EXIT_CLEAN;
}

/* Read the API key: the file's first line, not empty. */
static int read_key(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        msg_error("%s: cannot open: %s", path, strerror(errno));
        return EXIT_INPUT;
    }
    char *ok = fgets(srv.key, sizeof srv.key, fp);
    fclose(fp);
    srv.key[ok ? strcspn(srv.key, "\r\n") : 0] = '\0';
    if (!srv.key[0]) {
        msg_error("%s:1: no API key on the first line", path);
        return EXIT_INPUT;
    }
    return EXIT_CLEAN;
}

/* A positive number option, at most max. */
static int parse_num(const char *opt, const char *v, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end || !*v || n == 0 || n > max || v[0] == '-')
        return msg_usage("serve", "%s wants a number from 1 to %lu, got '%s'", opt, max, v);
    *out = n;
    return EXIT_CLEAN;
}

/* Parse the command line; 0, an exit code, or -1 after --help. */
static int parse(int argc, char **argv, serve_opts *o)
{
    static const struct option longs[] = {
        {"listen", required_argument, NULL, 'l'}, {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'b'}, {"timeout", required_argument, NULL, 'T'},
        {"api-key-file", required_argument, NULL, 'k'}, {"rules", required_argument, NULL, 'r'},
        {"data", required_argument, NULL, 'd'}, {"conf", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int c, rc = 0;
    unsigned long n;
    while (rc == 0 && (c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'l': o->listen = optarg; break;
        case 't': if (!(rc = parse_num("--threads", optarg, 256, &n))) o->threads = (unsigned)n; break;
        case 'b': if (!(rc = parse_num("--max-body", optarg, 1ul << 30, &n))) o->max_body = n; break;
        case 'T': if (!(rc = parse_num("--timeout", optarg, 3600, &n))) o->timeout = (unsigned)n; break;
        case 'k': o->key_file = optarg; break;
        case 'r':
            if (o->nrules >= sizeof o->rules / sizeof o->rules[0])
                return msg_usage("serve", "too many --rules");
            o->rules[o->nrules++] = optarg;
            break;
        case 'd': o->data = optarg; break;
        case 'c': o->conf = optarg; break;
        case 'h': usage(stdout); return -1;
        default: return msg_usage("serve", "bad option");
        }
    }
    if (rc == 0 && optind != argc)
        return msg_usage("serve", "serve takes no file arguments");
    return rc;
}

/* SIGHUP: a new generation over the current index, unless it is the one in use. */
static void reload(void)
{
    gen *cur = gen_acquire();
    bool same = cur->lists.ix && rf_index_is_current(cur->lists.ix);
    gen_release(cur);
    if (same) {
        fprintf(stderr, "redflag: serve: SIGHUP: the index is unchanged\n");
        serve_metrics_reload(1);
        return;
    }
    int exit;
    gen *g = gen_open(&exit);
    serve_metrics_reload(g != NULL);
    if (!g) {
        msg_error("serve: SIGHUP: the new index could not be opened; serving the old one");
        return;
    }
    gen_swap(g);
    fprintf(stderr, "redflag: serve: SIGHUP: now serving index %.16s\n",
            g->lists.ix ? rf_index_generation(g->lists.ix) : "(none)");
}

/* Start MHD on the address; NULL after a message. */
static struct MHD_Daemon *start(const serve_opts *o, const struct sockaddr_storage *ss)
{
    unsigned threads = o->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        o->timeout ? o->timeout : 30u, MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d) {
        msg_error("serve: cannot listen on %s: %s", o->listen, strerror(errno));
        return NULL;
    }
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "redflag: serve: listening on %s (port %u), %u threads\n", o->listen,
            pi ? pi->port : 0u, threads);
    return d;
}

/* Wait for signals: SIGHUP reloads, SIGTERM or SIGINT returns. */
static void wait_signals(const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP)
            reload();
        else
            return;
    }
}

/* After quiescing: wait for the requests in flight to be answered, at most
 * DRAIN_SECONDS (idle keep-alive connections hold no request). */
static void drain(void)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < DRAIN_SECONDS * 100; i++) {
        if (__atomic_load_n(&srv.active, __ATOMIC_RELAXED) == 0)
            return;
        nanosleep(&tick, NULL);
    }
    msg_warn("serve: %lu requests still in flight after %d s: closing them",
             __atomic_load_n(&srv.active, __ATOMIC_RELAXED), DRAIN_SECONDS);
}

/* Entry point of `redflag serve`. */
int cmd_serve(int argc, char **argv)
{
    serve_opts o = {.listen = "127.0.0.1:8080", .max_body = DEFAULT_MAX_BODY};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if ((rc = parse_listen(o.listen, &ss, &sl)) != EXIT_CLEAN ||
        (o.key_file && (rc = read_key(o.key_file)) != EXIT_CLEAN))
        return rc;
    rf_ruleset *rs = NULL;
    if ((rc = cli_compile_rules(o.rules, o.nrules, &rs)) != EXIT_CLEAN)
        return rc;
    srv.max_body = o.max_body;
    srv.started = time(NULL);
    srv.lo = (cli_lists_opts){.rules = rs, .data = o.data, .conf = o.conf,
                              .rules_dir = o.nrules ? o.rules[0] : cli_rules_dir(NULL),
                              .lists = true, .required = true, .cache = false,
                              .prefilter = true};
    gen *g = gen_open(&rc);
    if (!g) {
        rf_ruleset_destroy(rs);
        return rc;
    }
    gen_swap(g);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* MHD's threads inherit the mask */
    struct MHD_Daemon *d = start(&o, &ss);
    if (d) {
        wait_signals(&set);
        fprintf(stderr, "redflag: serve: stopping\n");
        MHD_quiesce_daemon(d);
        drain();
        MHD_stop_daemon(d);
    }
    pthread_mutex_lock(&srv.lock);
    g = srv.cur;
    srv.cur = NULL;
    pthread_mutex_unlock(&srv.lock);
    gen_release(g);
    rf_ruleset_destroy(rs);
    rf_name_thread_cleanup();
    return d ? EXIT_CLEAN : EXIT_IO;
}
