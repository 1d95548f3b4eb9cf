/* `redflag feeds`: each risk list's source, age, size, hash and status. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "redflag/feedconf.h"
#include "redflag/index.h"

#define MAX_FEEDS 256

/* A copy of one feed's stored metadata. */
typedef struct feed_row {
    char name[128], url[512], format[32], licence[256], status[512], sha[80];
    bool critical;
    long long fetched_at, bytes;
    size_t entities, goods;
} feed_row;

typedef struct rows {
    feed_row r[MAX_FEEDS];
    size_t n;
} rows;

/* Print the help of `feeds`. */
static void usage(FILE *fp)
{
    fprintf(fp, "usage: redflag feeds [--data DIR] [--conf FILE] [-o table|jsonl]\n\n"
                "Shows, for every feed of feeds.conf, what the list index holds: where the data\n"
                "came from, when it was published or last confirmed by its source, its age,\n"
                "entities and goods, SHA-256 and status; warns when a feed is older than its\n"
                "expected cadence. Exit: 0 all current, 1 a feed is stale, failed or missing,\n"
                "2 usage, 4 no index or it cannot be read.\n");
}

/* Index callback: copy one feed's metadata. */
static int take_feed(const rf_index_feed *f, void *ud)
{
    rows *rs = ud;
    if (rs->n == MAX_FEEDS)
        return 0;
    feed_row *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", f->name);
    snprintf(r->url, sizeof r->url, "%s", f->url ? f->url : "");
    snprintf(r->format, sizeof r->format, "%s", f->format ? f->format : "");
    snprintf(r->licence, sizeof r->licence, "%s", f->licence ? f->licence : "");
    snprintf(r->status, sizeof r->status, "%s", f->status ? f->status : "");
    snprintf(r->sha, sizeof r->sha, "%s", f->sha256 ? f->sha256 : "");
    r->critical = f->critical;
    r->fetched_at = f->fetched_at;
    r->bytes = f->bytes;
    r->entities = f->entities;
    r->goods = f->goods;
    return 0;
}

/* The stored row of a feed, or NULL. */
static const feed_row *find_row(const rows *rs, const char *name)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].name, name) == 0)
            return &rs->r[i];
    return NULL;
}

/* Age in whole days, or -1 when unknown. */
static long age_days(const feed_row *r, time_t now)
{
    return r && r->fetched_at > 0 ? (long)((now - r->fetched_at) / 86400) : -1;
}

/* Whether a feed needs attention: missing, failed, or older than its cadence. */
static bool attention(const rf_feed_def *d, const feed_row *r, long age)
{
    if (!d->enabled)
        return false;
    return !r || strncmp(r->status, "stale", 5) == 0 || (d->cadence_days && age > d->cadence_days);
}

/* One table line, plus a warning line when the feed needs attention. */
static void print_table_row(const rf_feed_def *d, const feed_row *r, time_t now)
{
    char date[16] = "-", age[32] = "-";
    long a = age_days(r, now);
    if (r && r->fetched_at > 0) {
        time_t t = (time_t)r->fetched_at;
        strftime(date, sizeof date, "%Y-%m-%d", gmtime(&t));
        snprintf(age, sizeof age, "%ldd", a);
    }
    printf("%-22s %-4s %8zu %6zu  %-10s %6s  %-12.12s %s\n", d->name, d->critical ? "yes" : "no",
           r ? r->entities : 0, r ? r->goods : 0, date, age, r && r->sha[0] ? r->sha : "-",
           !d->enabled ? "disabled" : r ? r->status : "not in the index: run redflag fetch");
}

/* Warn about a feed that needs attention. */
static void warn_row(const rf_feed_def *d, const feed_row *r, long a)
{
    if (!r)
        msg_warn("%s: not in the index (run `redflag fetch`)", d->name);
    else if (strncmp(r->status, "stale", 5) == 0)
        msg_warn("%s: the last fetch failed; the index holds older data", d->name);
    if (r && d->cadence_days && a > d->cadence_days)
        msg_warn("%s: data is %ld days old, expected every %ld days (run `redflag fetch`)",
                 d->name, a, d->cadence_days);
}

/* Add "key": "value". */
static void gen_pair(yajl_gen g, const char *key, const char *value)
{
    cli_json_str(g, key);
    cli_json_str(g, value);
}

/* Add "key": n. */
static void gen_int(yajl_gen g, const char *key, long long n)
{
    cli_json_str(g, key);
    yajl_gen_integer(g, n);
}

/* Add "key": true or false. */
static void gen_bool(yajl_gen g, const char *key, bool b)
{
    cli_json_str(g, key);
    yajl_gen_bool(g, b);
}

/* One JSON line for a feed. */
static void print_json_row(const rf_feed_def *d, const feed_row *r, time_t now)
{
    long a = age_days(r, now);
    yajl_gen g = cli_json_gen();
    if (!g)
        return;
    yajl_gen_map_open(g);
    gen_pair(g, "feed", d->name);
    gen_pair(g, "url", d->url);
    gen_pair(g, "format", rf_feed_format_name(d->format));
    gen_pair(g, "licence", d->licence ? d->licence : "");
    gen_bool(g, "critical", d->critical);
    gen_bool(g, "enabled", d->enabled);
    gen_int(g, "cadence_days", d->cadence_days);
    if (r) {
        gen_int(g, "entities", (long long)r->entities);
        gen_int(g, "goods", (long long)r->goods);
        gen_int(g, "data_of", r->fetched_at);
        cli_json_str(g, "age_days");
        a >= 0 ? yajl_gen_integer(g, a) : yajl_gen_null(g);
        cli_json_str(g, "sha256");
        r->sha[0] ? cli_json_str(g, r->sha) : (void)yajl_gen_null(g);
        gen_pair(g, "status", r->status);
    } else {
        gen_pair(g, "status", "not indexed");
    }
    gen_bool(g, "attention", attention(d, r, a));
    yajl_gen_map_close(g);
    cli_json_print(g);
}

/* Entry point of `redflag feeds`. */
int cmd_feeds(int argc, char **argv)
{
    static const struct option longs[] = {
        {"data", required_argument, NULL, 'd'}, {"conf", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *confp = NULL;
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        if (c == 'd') data = optarg;
        else if (c == 'c') confp = optarg;
        else if (c == 'o' && (!strcmp(optarg, "jsonl") || !strcmp(optarg, "table")))
            json = !strcmp(optarg, "jsonl");
        else if (c == 'h') { usage(stdout); return EXIT_CLEAN; }
        else return msg_usage("feeds", "bad option");
    }
    data = cli_data_dir(data);
    rf_feedconf *conf = data ? cli_load_conf(confp) : NULL;
    if (!conf)
        return data ? EXIT_INPUT : msg_usage("feeds", "no data directory: set --data or HOME");
    rf_index *ix = NULL;
    int rc = rf_index_open(&ix, data);
    if (rc != RF_OK) {
        msg_error(rc == RF_ENOTFOUND ? "no list index in %s yet: run `redflag fetch` (or "
                                       "`redflag fetch --offline` for the bundled snapshots)"
                                     : "cannot open the list index in %s: %s",
                  data, rf_index_error());
        rf_feedconf_destroy(conf);
        return EXIT_IO;
    }
    static rows rs;
    rs.n = 0;
    rf_index_foreach_feed(ix, take_feed, &rs);
    time_t now = time(NULL);
    bool warn = false;
    if (!json)
        printf("%-22s %-4s %8s %6s  %-10s %6s  %-12s %s\n", "FEED", "CRIT", "ENTITIES", "GOODS",
               "DATA OF", "AGE", "SHA-256", "STATUS");
    for (size_t i = 0; i < conf->nfeeds; i++) {
        const rf_feed_def *d = &conf->feeds[i];
        const feed_row *r = find_row(&rs, d->name);
        json ? print_json_row(d, r, now) : print_table_row(d, r, now);
        if (attention(d, r, age_days(r, now))) {
            warn = true;
            warn_row(d, r, age_days(r, now));
        }
    }
    if (!json)
        printf("index %.16s in %s\n", rf_index_generation(ix), rf_index_path(ix));
    rf_index_close(ix);
    rf_feedconf_destroy(conf);
    return fflush(stdout) != 0 ? EXIT_IO : warn ? EXIT_FLAGGED : EXIT_CLEAN;
}
