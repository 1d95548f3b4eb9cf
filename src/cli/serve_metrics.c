/* `redflag serve` metrics: requests by path and status, a latency histogram,
 * records screened, reloads; counted with atomic adds from the worker threads
 * and written as Prometheus text for GET /metrics. */
#include <stdio.h>
#include <string.h>
#include "serve.h"

static const char *const path_names[SERVE_NPATHS] = {"/screen", "/lookup", "/health",
                                                     "/feeds", "/metrics", "other"};
static const unsigned statuses[] = {200, 400, 401, 404, 405, 413, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
/* Upper bounds (seconds) of the latency buckets; one more is +Inf. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                0.5, 1, 2.5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static unsigned long requests[SERVE_NPATHS][NSTATUS + 1]; /* the last: another status */
static unsigned long buckets[SERVE_NPATHS][NBOUNDS + 1];
static unsigned long long micros[SERVE_NPATHS];
static unsigned long records_good, records_bad, reloads_ok, reloads_failed;

/* The path's index for url (exact match), SERVE_OTHER when unknown. */
int serve_path_index(const char *url)
{
    for (int i = 0; i < SERVE_OTHER; i++)
        if (strcmp(url, path_names[i]) == 0)
            return i;
    return SERVE_OTHER;
}

/* Add n to a counter shared by the worker threads. */
static void add(unsigned long *c, unsigned long n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* Count one answered request. */
void serve_metrics_request(int path, unsigned status, double seconds)
{
    size_t s = 0, b = 0;
    while (s < NSTATUS && statuses[s] != status)
        s++;
    while (b < NBOUNDS && seconds > bounds[b])
        b++;
    add(&requests[path][s], 1);
    add(&buckets[path][b], 1);
    __atomic_add_fetch(&micros[path], (unsigned long long)(seconds * 1e6), __ATOMIC_RELAXED);
}

/* Count screened records. */
void serve_metrics_records(unsigned long good, unsigned long bad)
{
    add(&records_good, good);
    add(&records_bad, bad);
}

/* Count one reload. */
void serve_metrics_reload(int ok)
{
    add(ok ? &reloads_ok : &reloads_failed, 1);
}

/* A counter's current value. */
static unsigned long get(const unsigned long *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* The requests counter, one line per path and status seen. */
static void write_requests(FILE *fp)
{
    fputs("# HELP redflag_http_requests_total HTTP requests answered, by path and status.\n"
          "# TYPE redflag_http_requests_total counter\n", fp);
    for (int p = 0; p < SERVE_NPATHS; p++)
        for (size_t s = 0; s <= NSTATUS; s++) {
            unsigned long n = get(&requests[p][s]);
            if (!n)
                continue;
            if (s < NSTATUS)
                fprintf(fp, "redflag_http_requests_total{path=\"%s\",status=\"%u\"} %lu\n",
                        path_names[p], statuses[s], n);
            else
                fprintf(fp, "redflag_http_requests_total{path=\"%s\",status=\"other\"} %lu\n",
                        path_names[p], n);
        }
}

/* The latency histogram of one path (cumulative buckets, sum, count). */
static void write_histogram(FILE *fp, int p)
{
    unsigned long cum = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
        cum += get(&buckets[p][b]);
        if (b < NBOUNDS)
            fprintf(fp, "redflag_http_request_duration_seconds_bucket{path=\"%s\",le=\"%g\"} "
                    "%lu\n", path_names[p], bounds[b], cum);
        else
            fprintf(fp, "redflag_http_request_duration_seconds_bucket{path=\"%s\",le=\"+Inf\"} "
                    "%lu\n", path_names[p], cum);
    }
    fprintf(fp, "redflag_http_request_duration_seconds_sum{path=\"%s\"} %.6f\n", path_names[p],
            (double)__atomic_load_n(&micros[p], __ATOMIC_RELAXED) / 1e6);
    fprintf(fp, "redflag_http_request_duration_seconds_count{path=\"%s\"} %lu\n", path_names[p],
            cum);
}

/* Write all metrics as Prometheus text. */
void serve_metrics_write(FILE *fp)
{
    write_requests(fp);
    fputs("# HELP redflag_http_request_duration_seconds Time from the request's arrival to "
          "its answer.\n# TYPE redflag_http_request_duration_seconds histogram\n", fp);
    for (int p = 0; p < SERVE_NPATHS; p++)
        write_histogram(fp, p);
    fprintf(fp, "# HELP redflag_records_total Records screened through POST /screen.\n"
                "# TYPE redflag_records_total counter\n"
                "redflag_records_total{result=\"verdict\"} %lu\n"
                "redflag_records_total{result=\"unreadable\"} %lu\n"
                "# HELP redflag_reloads_total Index reloads on SIGHUP.\n"
                "# TYPE redflag_reloads_total counter\n"
                "redflag_reloads_total{result=\"ok\"} %lu\n"
                "redflag_reloads_total{result=\"failed\"} %lu\n",
            get(&records_good), get(&records_bad), get(&reloads_ok), get(&reloads_failed));
}
