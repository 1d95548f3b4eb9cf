/* Tests for the feed fetcher (fetch.h) and SHA-256 (sha256.h), against the
 * loopback server tests/fixtures/http/server.py started once per run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redflag/fetch.h"
#include "redflag/sha256.h"

#define FIXTURE_XML "tests/fixtures/http/ok.xml"
/* sha256sum of tests/fixtures/http/ok.xml (DOL ILAB goods 2021), computed with coreutils. */
#define FIXTURE_XML_SHA "0ac2d973ec41a2a3c3958f8e94af763f9f6255fcf511bf74e2d6d986ef89cc2e"
#define PREVIOUS "<previous good copy/>\n"

/* The fixture server, shared by all tests. */
static struct {
    pid_t pid;
    int stdin_fd;
    int port;
} srv = {-1, -1, 0};

/* One test's scratch directory, destination and options. */
typedef struct fx {
    char dir[64];
    char dest[128];
    char url[256];
    rf_fetch_opts o;
    rf_fetch_result r;
} fx;

/* Path of a file in the source tree ($RF_SRCDIR, default "."). */
static const char *src_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("RF_SRCDIR");
    snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : ".", rel);
    return buf;
}

/* Read the port line the server prints, waiting at most 10 s. */
static int read_port(int fd)
{
    char line[32];
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < sizeof line - 1 && poll(&p, 1, 10000) == 1) {
        ssize_t k = read(fd, line + n, 1);
        if (k <= 0)
            break;
        if (line[n] == '\n') {
            line[n] = '\0';
            return atoi(line);
        }
        n++;
    }
    return -1;
}

/* Start server.py with pipes on stdin (its lifeline) and stdout (the port). */
static int start_server(void **state)
{
    int in[2], out[2];
    const char *script = src_path("tests/fixtures/http/server.py");
    static const char *const proxies[] = {"http_proxy", "https_proxy", "HTTP_PROXY",
                                          "HTTPS_PROXY", "ALL_PROXY", "all_proxy"};
    (void)state;
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]); /* the loopback server must be reached directly */
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        return -1;
    srv.pid = fork();
    if (srv.pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execlp("python3", "python3", script, "--lifetime", "300", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    srv.stdin_fd = in[1];
    srv.port = srv.pid > 0 ? read_port(out[0]) : -1;
    close(out[0]);
    if (srv.port <= 0)
        fprintf(stderr, "test_fetch: could not start %s\n", script);
    return srv.port > 0 ? 0 : -1;
}

/* Stop the server: close its stdin (it exits on EOF), then make sure. */
static int stop_server(void **state)
{
    (void)state;
    if (srv.stdin_fd >= 0)
        close(srv.stdin_fd);
    if (srv.pid > 0) {
        kill(srv.pid, SIGTERM);
        waitpid(srv.pid, NULL, 0);
    }
    srv.pid = -1;
    srv.stdin_fd = -1;
    return 0;
}

/* Fresh scratch directory and fast, test-sized options. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/rf_fetch_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->dest, sizeof f->dest, "%s/feed.xml", f->dir);
    rf_fetch_opts_init(&f->o);
    f->o.dest_path = f->dest;
    f->o.connect_timeout_ms = 2000;
    f->o.total_timeout_ms = 10000;
    f->o.low_speed_secs = 0;
    f->o.max_bytes = 1 << 20;
    f->o.max_retries = 2;
    f->o.retry_delay_ms = 10;
    f->o.expect = RF_EXPECT_XML;
    *state = f;
    return 0;
}

/* Remove the scratch directory and everything in it. */
static int teardown(void **state)
{
    fx *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    rf_fetch_result_clear(&f->r);
    free(f);
    return 0;
}

/* Point the options at a server route. */
static const char *route(fx *f, const char *path)
{
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d%s", srv.port, path);
    f->o.url = f->url;
    return f->url;
}

/* Run a fetch into f->r (clearing the previous result). */
static int fetch(fx *f)
{
    rf_fetch_result_clear(&f->r);
    return rf_fetch(&f->o, &f->r);
}

/* Whole file into a NUL-terminated buffer the caller frees; NULL if absent. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

/* Write a file (the "previous good copy"). */
static void spit(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Number of entries in the scratch directory (catches leftover temp files). */
static int dir_entries(const fx *f)
{
    DIR *d = opendir(f->dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* The destination still holds the previous copy and nothing else is there. */
static void assert_previous_intact(const fx *f)
{
    char *got = slurp(f->dest, NULL);
    assert_non_null(got);
    assert_string_equal(got, PREVIOUS);
    free(got);
    assert_int_equal(dir_entries(f), 1);
}

/* A failed fetch with this cause, leaving the previous copy in place. */
static void assert_failed_keeps_previous(fx *f, int want_rc, rf_fetch_cause cause,
                                         const char *in_message)
{
    int rc = fetch(f);
    assert_int_equal(rc, want_rc);
    assert_int_equal(f->r.status, RF_FETCH_FAILED);
    assert_int_equal(f->r.cause, cause);
    assert_non_null(strstr(f->r.error, in_message));
    assert_string_equal(f->r.sha256, "");
    assert_null(f->r.etag);
    assert_previous_intact(f);
}

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FIPS 180-4 / NIST example vectors, one-shot and in uneven pieces. */
static void test_sha256_vectors(void **state)
{
    static const struct { const char *msg; const char *hex; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
         "lmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    char hex[RF_SHA256_HEX];
    unsigned char d[RF_SHA256_LEN], chunk[1000];
    rf_sha256 c;
    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        rf_sha256_buf(v[i].msg, strlen(v[i].msg), hex);
        assert_string_equal(hex, v[i].hex);
        rf_sha256_init(&c); /* byte by byte crosses every block boundary */
        for (const char *p = v[i].msg; *p; p++)
            rf_sha256_update(&c, p, 1);
        rf_sha256_final(&c, d);
        rf_sha256_hex(d, hex);
        assert_string_equal(hex, v[i].hex);
    }
    memset(chunk, 'a', sizeof chunk); /* one million 'a' in pieces of 1..999 bytes */
    rf_sha256_init(&c);
    for (size_t left = 1000000, k = 1; left; k = k % 999 + 1) {
        size_t n = k < left ? k : left;
        rf_sha256_update(&c, chunk, n);
        left -= n;
    }
    rf_sha256_final(&c, d);
    rf_sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* First fetch writes the file, its hash and the validators. */
static void test_first_fetch(void **state)
{
    fx *f = *state;
    size_t want_len, got_len;
    char *want = slurp(src_path(FIXTURE_XML), &want_len), *got;
    assert_non_null(want);
    route(f, "/ok.xml");
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_UPDATED);
    assert_int_equal(f->r.http_code, 200);
    assert_int_equal(f->r.attempts, 1);
    assert_int_equal(f->r.bytes, (long long)want_len);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    assert_non_null(f->r.etag);
    assert_true(f->r.etag[0] == '"');
    assert_string_equal(f->r.last_modified, "Wed, 01 Sep 2021 12:00:00 GMT");
    assert_string_equal(f->r.content_type, "application/xml");
    assert_string_equal(f->r.error, "");
    got = slurp(f->dest, &got_len);
    assert_non_null(got);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    assert_int_equal(dir_entries(f), 1);
    free(got);
    free(want);
}

/* A second fetch with the ETag gets 304 and leaves the file untouched. */
static void test_not_modified_etag(void **state)
{
    fx *f = *state;
    struct stat before, after;
    char *etag;
    route(f, "/ok.xml");
    assert_int_equal(fetch(f), RF_OK);
    etag = strdup(f->r.etag);
    assert_int_equal(stat(f->dest, &before), 0);
    f->o.etag = etag;
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_NOT_MODIFIED);
    assert_int_equal(f->r.http_code, 304);
    assert_string_equal(f->r.etag, etag);
    assert_string_equal(f->r.sha256, "");
    assert_int_equal(stat(f->dest, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
    assert_int_equal(dir_entries(f), 1);
    free(etag);
}

/* Last-Modified alone also makes the request conditional. */
static void test_not_modified_last_modified(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/ok.xml");
    f->o.last_modified = "Wed, 01 Sep 2021 12:00:00 GMT";
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_NOT_MODIFIED);
    assert_string_equal(f->r.last_modified, "Wed, 01 Sep 2021 12:00:00 GMT");
    assert_previous_intact(f);
}

/* Without a destination file the validators are not sent: a 304 would leave nothing. */
static void test_validators_need_dest(void **state)
{
    fx *f = *state;
    route(f, "/ok.xml");
    assert_int_equal(fetch(f), RF_OK);
    f->o.etag = f->r.etag;
    f->r.etag = NULL; /* keep it alive across the next result */
    assert_int_equal(unlink(f->dest), 0);
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_UPDATED);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    free((char *)f->o.etag);
}

/* /500 fails after the retry budget; the previous file stays. */
static void test_500_after_retries(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/500");
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP, "HTTP 500 after 3 tries");
    assert_int_equal(f->r.attempts, 3);
    assert_int_equal(f->r.http_code, 500);
}

/* A 5xx whose error page is over the cap still reports the status and retries. */
static void test_500_big_error_page(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/500-big");
    f->o.max_bytes = 64 * 1024;
    f->o.max_retries = 1;
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP, "HTTP 500 after 2 tries");
}

/* A 4xx is final: no retries. */
static void test_404_not_retried(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/404");
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP, "HTTP 404");
    assert_int_equal(f->r.attempts, 1);
}

/* /flaky fails twice then serves: two retries are enough, one is not. */
static void test_flaky_retries(void **state)
{
    fx *f = *state;
    long long t0 = now_ms();
    route(f, "/flaky?key=enough");
    f->o.retry_delay_ms = 100;
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_UPDATED);
    assert_int_equal(f->r.attempts, 3);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    assert_true(now_ms() - t0 >= 300); /* backoff 100 ms then 200 ms */
    assert_int_equal(unlink(f->dest), 0);
    spit(f->dest, PREVIOUS);
    route(f, "/flaky?key=short");
    f->o.max_retries = 1;
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP, "after 2 tries");
}

/* /slow is cut by the total timeout, quickly. */
static void test_slow_total_timeout(void **state)
{
    fx *f = *state;
    long long t0;
    spit(f->dest, PREVIOUS);
    route(f, "/slow");
    f->o.total_timeout_ms = 800;
    f->o.max_retries = 0;
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TIMEOUT, "timeout");
    assert_true(now_ms() - t0 < 3000);
}

/* /slow is also cut by the low-speed limit when the total budget is generous. */
static void test_slow_low_speed(void **state)
{
    fx *f = *state;
    long long t0;
    spit(f->dest, PREVIOUS);
    route(f, "/slow");
    f->o.total_timeout_ms = 30000;
    f->o.low_speed_bytes = 100;
    f->o.low_speed_secs = 1;
    f->o.max_retries = 0;
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TIMEOUT, "timeout");
    assert_true(now_ms() - t0 < 4000);
}

/* A body shorter than its Content-Length never replaces the file. */
static void test_truncated(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/truncated");
    f->o.max_retries = 1;
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TRUNCATED, "body truncated");
    assert_int_equal(f->r.attempts, 2);
}

/* An HTML error page served with 200 is refused when XML was expected,
 * whether the Content-Type says HTML or lies. */
static void test_html_instead_of_xml(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/error.html");
    assert_failed_keeps_previous(f, RF_EINPUT, RF_FETCH_E_CONTENT, "HTML page");
    route(f, "/error-mislabeled");
    assert_failed_keeps_previous(f, RF_EINPUT, RF_FETCH_E_CONTENT, "expected xml");
    route(f, "/ok.json");
    assert_failed_keeps_previous(f, RF_EINPUT, RF_FETCH_E_CONTENT, "expected xml");
}

/* Each expectation accepts its real feed format and refuses the others. */
static void test_expectations(void **state)
{
    fx *f = *state;
    static const struct { const char *path; rf_fetch_expect ex; int ok; } cases[] = {
        {"/uflpa.html", RF_EXPECT_HTML, 1}, {"/ok.csv", RF_EXPECT_CSV, 1},
        {"/ok.json", RF_EXPECT_JSON, 1},    {"/ok.xml", RF_EXPECT_ANY, 1},
        {"/uflpa.html", RF_EXPECT_CSV, 0},  {"/ok.xml", RF_EXPECT_JSON, 0},
        {"/ok.csv", RF_EXPECT_XML, 0},      {"/error.html", RF_EXPECT_JSON, 0},
        {"/ok.json", RF_EXPECT_CSV, 0},     {"/ok.xml", RF_EXPECT_CSV, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        route(f, cases[i].path);
        f->o.expect = cases[i].ex;
        fetch(f);
        assert_int_equal(f->r.status, cases[i].ok ? RF_FETCH_UPDATED : RF_FETCH_FAILED);
        assert_int_equal(f->r.cause, cases[i].ok ? RF_FETCH_E_NONE : RF_FETCH_E_CONTENT);
    }
    assert_int_equal(dir_entries(f), 1);
}

/* A redirect is followed; a loop fails naming it; a redirect to ftp is refused. */
static void test_redirects(void **state)
{
    fx *f = *state;
    route(f, "/redirect");
    assert_int_equal(fetch(f), RF_OK);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    assert_int_equal(unlink(f->dest), 0);
    spit(f->dest, PREVIOUS);
    route(f, "/loop");
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_REDIRECTS, "redirect loop");
    assert_int_equal(f->r.attempts, 1);
    route(f, "/redir-ftp");
    assert_failed_keeps_previous(f, RF_EINVAL, RF_FETCH_E_PROTOCOL, "unsupported protocol");
}

/* Over the cap fails, chunked (cut while streaming) or with Content-Length. */
static void test_too_large(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    f->o.max_bytes = 64 * 1024;
    route(f, "/big");
    assert_failed_keeps_previous(f, RF_ELIMIT, RF_FETCH_E_TOO_LARGE, "too large");
    assert_int_equal(f->r.attempts, 1);
    route(f, "/big-cl");
    assert_failed_keeps_previous(f, RF_ELIMIT, RF_FETCH_E_TOO_LARGE, "too large");
}

/* An empty 200 never replaces the file; the message says the server sent
 * nothing at all (not white space). */
static void test_empty(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/empty");
    assert_failed_keeps_previous(f, RF_EINPUT, RF_FETCH_E_EMPTY, "empty body (0 bytes)");
}

/* Schemes other than http, https and file are refused before any I/O. */
static void test_refused_schemes(void **state)
{
    fx *f = *state;
    static const char *const urls[] = {"ftp://127.0.0.1/ok.xml", "scp://host/etc/passwd",
                                       "sftp://host/x", "gopher://host/", "dict://host/"};
    spit(f->dest, PREVIOUS);
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        f->o.url = urls[i];
        assert_failed_keeps_previous(f, RF_EINVAL, RF_FETCH_E_PROTOCOL, "unsupported protocol");
        assert_int_equal(f->r.http_code, 0);
    }
}

/* A feed that names a local file is copied with the same checks. */
static void test_local_files(void **state)
{
    fx *f = *state;
    char path[4096], url[4200];
    char *real = realpath(src_path(FIXTURE_XML), NULL);
    assert_non_null(real);
    snprintf(path, sizeof path, "%s", real);
    f->o.url = path;
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_UPDATED);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    assert_non_null(f->r.etag);
    f->o.etag = f->r.etag; /* unchanged file: not modified */
    f->r.etag = NULL;
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_NOT_MODIFIED);
    free((char *)f->o.etag);
    f->o.etag = NULL;
    assert_int_equal(unlink(f->dest), 0);
    snprintf(url, sizeof url, "file://%s", real);
    f->o.url = url;
    assert_int_equal(fetch(f), RF_OK);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    free(real);
}

/* Local copies fail like downloads: missing, empty, wrong type, too large. */
static void test_local_failures(void **state)
{
    fx *f = *state;
    char src[160];
    spit(f->dest, PREVIOUS);
    snprintf(src, sizeof src, "%s/nonexistent.xml", f->dir);
    f->o.url = src;
    assert_failed_keeps_previous(f, RF_ENOTFOUND, RF_FETCH_E_IO, "cannot open");
    f->o.url = f->dir;
    assert_failed_keeps_previous(f, RF_EIO, RF_FETCH_E_IO, "not a regular file");
    f->o.url = src_path("tests/fixtures/http/uflpa.html");
    f->o.expect = RF_EXPECT_CSV;
    assert_failed_keeps_previous(f, RF_EINPUT, RF_FETCH_E_CONTENT, "expected csv");
    f->o.url = src_path(FIXTURE_XML);
    f->o.expect = RF_EXPECT_XML;
    f->o.max_bytes = 1000;
    assert_failed_keeps_previous(f, RF_ELIMIT, RF_FETCH_E_TOO_LARGE, "too large");
    snprintf(src, sizeof src, "%s/pipe", f->dir); /* a FIFO with no writer must not hang */
    assert_int_equal(mkfifo(src, 0600), 0);
    f->o.url = src;
    assert_int_equal(fetch(f), RF_EIO);
    assert_non_null(strstr(f->r.error, "not a regular file"));
    assert_int_equal(unlink(src), 0);
    f->o.url = "/dev/null";
    assert_failed_keeps_previous(f, RF_EIO, RF_FETCH_E_IO, "not a regular file");
    f->o.url = "file://otherhost/etc/hosts";
    assert_failed_keeps_previous(f, RF_EINVAL, RF_FETCH_E_ARG, "absolute local path");
}

/* The request carries "redflag/<version> (+feed fetcher)". */
static void test_user_agent(void **state)
{
    fx *f = *state;
    char want[128], *got;
    route(f, "/ua.json");
    f->o.expect = RF_EXPECT_JSON;
    assert_int_equal(fetch(f), RF_OK);
    got = slurp(f->dest, NULL);
    assert_non_null(got);
    snprintf(want, sizeof want, "{\"user_agent\": \"redflag/%s (+feed fetcher)\"}", rf_version());
    assert_string_equal(got, want);
    free(got);
}

/* https to a plain-HTTP port fails the TLS handshake, reported as TLS, not retried. */
static void test_tls_failure(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    snprintf(f->url, sizeof f->url, "https://127.0.0.1:%d/ok.xml", srv.port);
    f->o.url = f->url;
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TLS, "TLS failure");
    assert_int_equal(f->r.attempts, 1);
}

/* A loopback port nobody listens on (free a moment ago). */
static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    close(s);
    return ntohs(a.sin_port);
}

/* How many requests carrying ?key=K the server saw (its /hits route). */
static int server_hits(fx *f, const char *key)
{
    char path[160], url[256], *got;
    int n = -1;
    rf_fetch_opts o;
    rf_fetch_result r;
    rf_fetch_opts_init(&o);
    snprintf(path, sizeof path, "%s/hits.json", f->dir);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hits?key=%s", srv.port, key);
    o.url = url;
    o.dest_path = path;
    o.max_retries = 0;
    assert_int_equal(rf_fetch(&o, &r), RF_OK);
    rf_fetch_result_clear(&r);
    got = slurp(path, NULL);
    assert_non_null(got);
    assert_int_equal(sscanf(got, "{\"hits\": %d}", &n), 1);
    free(got);
    assert_int_equal(unlink(path), 0);
    return n;
}

/* A closed port (connection refused) fails at once: one attempt, no backoff,
 * although the retry budget would allow more. */
static void test_connection_refused(void **state)
{
    fx *f = *state;
    long long t0;
    spit(f->dest, PREVIOUS);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d/ok.xml", closed_port());
    f->o.url = f->url;
    f->o.max_retries = 3;
    f->o.retry_delay_ms = 2000;
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_CONNECT, "connection failed");
    assert_int_equal(f->r.attempts, 1);
    assert_null(strstr(f->r.error, "tries"));
    assert_true(now_ms() - t0 < 2000); /* no backoff slept */
}

/* A host name that cannot resolve (.invalid never does, RFC 6761) fails at
 * once, naming DNS: one attempt, no backoff. */
static void test_dns_failure(void **state)
{
    fx *f = *state;
    long long t0;
    spit(f->dest, PREVIOUS);
    snprintf(f->url, sizeof f->url, "http://nonexistent.invalid:%d/ok.xml", srv.port);
    f->o.url = f->url;
    f->o.max_retries = 3;
    f->o.retry_delay_ms = 2000;
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_CONNECT, "DNS lookup failed");
    assert_int_equal(f->r.attempts, 1);
    assert_non_null(strstr(f->r.error, "nonexistent.invalid"));
    assert_true(now_ms() - t0 < 2000 + f->o.connect_timeout_ms);
}

/* A listener whose accept queue is full: the SYN is dropped, so connecting
 * times out. A connect timeout is final (nobody answers): one attempt. */
static void test_connect_timeout_not_retried(void **state)
{
    fx *f = *state;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int lst = socket(AF_INET, SOCK_STREAM, 0), fill[4];
    assert_true(lst >= 0);
    assert_int_equal(bind(lst, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(lst, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(listen(lst, 0), 0);
    for (int i = 0; i < 4; i++) { /* more than the queue holds; never accepted */
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assert_true(fill[i] >= 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(200000);
    spit(f->dest, PREVIOUS);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d/ok.xml", ntohs(a.sin_port));
    f->o.url = f->url;
    f->o.connect_timeout_ms = 600;
    f->o.max_retries = 3;
    f->o.retry_delay_ms = 10;
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TIMEOUT, "connect timeout");
    assert_int_equal(f->r.attempts, 1);
    for (int i = 0; i < 4; i++)
        close(fill[i]);
    close(lst);
}

/* With the default options a body that stalls after its first KiB is cut by
 * the low-speed limit (under 1 KiB/s for 8 s) and retried once, so it fails
 * well under 30 s (on main it took 274 s: four tries of a 60 s window); the
 * server sees exactly 2 requests. */
static void test_stall_default_limits(void **state)
{
    fx *f = *state;
    long long t0, took;
    rf_fetch_opts_init(&f->o);
    f->o.dest_path = f->dest;
    f->o.expect = RF_EXPECT_XML;
    spit(f->dest, PREVIOUS);
    route(f, "/stall?key=stall-default");
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TIMEOUT, "too slow");
    took = now_ms() - t0;
    fprintf(stderr, "stalled body with default limits: failed after %.1f s, %d tries\n",
            (double)took / 1000, f->r.attempts);
    assert_true(took < 30000);
    assert_int_equal(f->r.attempts, 2);
    assert_int_equal(server_hits(f, "stall-default"), 2);
}

/* A 1 byte/s trickle is cut by the low-speed limit; a timeout is retried once
 * only, whatever the retry budget. */
static void test_trickle_retried_once(void **state)
{
    fx *f = *state;
    long long t0;
    spit(f->dest, PREVIOUS);
    route(f, "/trickle?key=trickle");
    f->o.total_timeout_ms = 60000;
    f->o.low_speed_bytes = 100;
    f->o.low_speed_secs = 1;
    f->o.max_retries = 3;
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_TIMEOUT, "after 2 tries");
    assert_true(now_ms() - t0 < 10000);
    assert_int_equal(f->r.attempts, 2);
    assert_int_equal(server_hits(f, "trickle"), 2);
}

/* A body arriving steadily above the low-speed limit is ended by the deadline,
 * although the attempt's own limit is far away; nothing is retried after it. */
static void test_deadline_cuts_attempt(void **state)
{
    fx *f = *state;
    long long t0, took;
    spit(f->dest, PREVIOUS);
    route(f, "/steady?key=steady");
    f->o.total_timeout_ms = 120000;
    f->o.low_speed_bytes = 1024;
    f->o.low_speed_secs = 10;
    f->o.max_retries = 3;
    f->o.deadline_ms = 1500;
    f->o.max_bytes = 200LL << 20; /* over its 100 MB Content-Length */
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_DEADLINE, "deadline");
    took = now_ms() - t0;
    assert_true(took >= 1400 && took < 6000);
    assert_int_equal(f->r.attempts, 1);
    assert_int_equal(server_hits(f, "steady"), 1);
}

/* A retry whose backoff would end past the deadline is not made: /500 with
 * backoffs of 400 then 800 ms and a 1 s deadline gets two tries. */
static void test_deadline_stops_retries(void **state)
{
    fx *f = *state;
    long long t0;
    spit(f->dest, PREVIOUS);
    route(f, "/500");
    f->o.max_retries = 5;
    f->o.retry_delay_ms = 400;
    f->o.deadline_ms = 1000;
    t0 = now_ms();
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP, "HTTP 500 after 2 tries");
    assert_non_null(strstr(f->r.error, "no time for another within the 1.0 s deadline"));
    assert_int_equal(f->r.attempts, 2);
    assert_true(now_ms() - t0 < 3000);
}

/* 429 is transient: retried after the server's Retry-After (1 s, longer than
 * our backoff); one that never ends fails after the budget. */
static void test_429_retry_after(void **state)
{
    fx *f = *state;
    long long t0 = now_ms();
    route(f, "/429?key=once");
    f->o.retry_delay_ms = 10;
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_UPDATED);
    assert_int_equal(f->r.attempts, 2);
    assert_true(now_ms() - t0 >= 900);
    assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
    assert_int_equal(unlink(f->dest), 0);
    spit(f->dest, PREVIOUS);
    route(f, "/429-always");
    f->o.max_retries = 1;
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP,
                                 "HTTP 429 (Too Many Requests) after 2 tries");
}

/* A 304 answers a conditional request only: a proxy or server that answers
 * 304 to everything is an error, never "not modified" (which would keep a list
 * stale forever, or leave nothing when there is no copy yet). */
static void test_304_without_validators(void **state)
{
    fx *f = *state;
    route(f, "/always-304");
    assert_int_equal(fetch(f), RF_ENET); /* no copy yet: nothing to keep */
    assert_int_equal(f->r.status, RF_FETCH_FAILED);
    assert_int_equal(f->r.cause, RF_FETCH_E_HTTP);
    assert_non_null(strstr(f->r.error, "HTTP 304 (Not Modified) to an unconditional request"));
    assert_int_equal(dir_entries(f), 0);
    spit(f->dest, PREVIOUS); /* a copy, but no validators to send */
    assert_failed_keeps_previous(f, RF_ENET, RF_FETCH_E_HTTP, "unconditional request");
    f->o.etag = "\"stale\""; /* conditional: then 304 means what it says */
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.status, RF_FETCH_NOT_MODIFIED);
    assert_previous_intact(f);
}

/* The size cap is inclusive: a body of exactly max_bytes is kept, one byte
 * more is refused, whether chunked, with Content-Length, or a local file. */
static void test_size_cap_boundary(void **state)
{
    fx *f = *state;
    size_t len;
    char *want = slurp(src_path(FIXTURE_XML), &len);
    static const char *const routes[] = {"/big", "/big-cl", NULL};
    static const char *const why[] = {"no Content-Length", "is over the", "too large"};
    assert_non_null(want);
    free(want);
    for (int i = 0; i < 3; i++) {
        if (routes[i])
            route(f, routes[i]);
        else
            f->o.url = src_path(FIXTURE_XML);
        f->o.max_bytes = (long long)len;
        assert_int_equal(unlink(f->dest) == 0 || errno == ENOENT, 1);
        assert_int_equal(fetch(f), RF_OK);
        assert_int_equal(f->r.status, RF_FETCH_UPDATED);
        assert_int_equal(f->r.bytes, (long long)len);
        assert_string_equal(f->r.sha256, FIXTURE_XML_SHA);
        assert_int_equal(unlink(f->dest), 0);
        spit(f->dest, PREVIOUS);
        if (!routes[i])
            f->o.url = src_path(FIXTURE_XML);
        f->o.max_bytes = (long long)len - 1;
        assert_failed_keeps_previous(f, RF_ELIMIT, RF_FETCH_E_TOO_LARGE, why[i]);
    }
}

/* A gzip bomb: a 4 KB compressed body with its Content-Length, decoding to
 * 4 MiB. The cap applies to the decoded bytes, and the message says what
 * happened (not "no Content-Length"). Under a cap it fits, it is kept decoded. */
static void test_gzip_bomb(void **state)
{
    fx *f = *state;
    spit(f->dest, PREVIOUS);
    route(f, "/gzip-bomb");
    f->o.max_bytes = 64 * 1024;
    assert_failed_keeps_previous(f, RF_ELIMIT, RF_FETCH_E_TOO_LARGE, "Content-Encoding gzip");
    assert_null(strstr(f->r.error, "no Content-Length"));
    assert_non_null(strstr(f->r.error, "decodes to more than the 65536-byte cap"));
    assert_int_equal(f->r.attempts, 1);
    f->o.max_bytes = 8 << 20;
    assert_int_equal(fetch(f), RF_OK);
    assert_int_equal(f->r.bytes, (4 << 20) + 1);
}

/* Bad options are refused with a message; parse helpers map names. */
static void test_options_and_names(void **state)
{
    fx *f = *state;
    f->o.url = NULL;
    assert_int_equal(fetch(f), RF_EINVAL);
    assert_int_equal(f->r.cause, RF_FETCH_E_ARG);
    assert_string_equal(f->r.error, "no URL");
    route(f, "/ok.xml");
    f->o.max_retries = -1;
    assert_int_equal(fetch(f), RF_EINVAL);
    f->o.max_retries = 0;
    f->o.max_bytes = 0;
    assert_int_equal(fetch(f), RF_EINVAL);
    assert_int_equal(dir_entries(f), 0);
    assert_int_equal(rf_fetch_expect_parse("XML"), RF_EXPECT_XML);
    assert_int_equal(rf_fetch_expect_parse("json"), RF_EXPECT_JSON);
    assert_int_equal(rf_fetch_expect_parse("yaml"), -1);
    assert_string_equal(rf_fetch_cause_name(RF_FETCH_E_REDIRECTS), "redirect loop");
}

/* Run every test with its own scratch directory against one server. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test_setup_teardown(test_first_fetch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_modified_etag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_modified_last_modified, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validators_need_dest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_500_after_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_500_big_error_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_404_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flaky_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_total_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_low_speed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html_instead_of_xml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expectations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_schemes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_agent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_timeout_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_default_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trickle_retried_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_cuts_attempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_stops_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_304_without_validators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_cap_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_and_names, setup, teardown),
    };
    int rc;
    if (rf_fetch_global_init() != RF_OK)
        return 1;
    rc = cmocka_run_group_tests(tests, start_server, stop_server);
    rf_fetch_global_cleanup();
    return rc;
}
