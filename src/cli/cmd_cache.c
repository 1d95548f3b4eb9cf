/* `redflag cache stats|clear`: inspect or empty the supplier profile cache. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "redflag/cache.h"
#include "redflag/feedconf.h"
#include "redflag/index.h"
#include "redflag/match.h"
#include "redflag/rules.h"

typedef struct cache_opts {
    const char *data, *conf;
    const char *rules[16];
    size_t nrules;
} cache_opts;

/* Print the help of `cache`. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: redflag cache stats [OPTIONS]\n"
            "       redflag cache clear [--data DIR]\n\n"
            "The cache keeps each party's list matches (its risk profile) in DATA/cache, so\n"
            "repeat screening of the same suppliers skips the list lookup (docs/CACHE.md).\n\n"
            "  stats   profiles stored, size on disk, map size, the current generation, the\n"
            "          profiles of another generation, and hits and misses of recent runs\n"
            "  clear   remove every profile (safe while screens run)\n\n"
            "      --data DIR    data directory (default $REDFLAG_DATA, else ~/.local/share/redflag)\n"
            "      --insecure-data  use DIR even if another user could write it\n"
            "      --rules DIR   rules of the current generation (default: shipped rules)\n"
            "      --conf FILE   feed list of the current generation (default: feeds/feeds.conf)\n\n"
            "Exit: 0 done, 2 usage, 3 rule error, 4 storage error.\n");
}

/* Parse the options after the action; returns 0, an exit code, or -1 after --help. */
static int parse(int argc, char **argv, cache_opts *o)
{
    static const struct option longs[] = {
        {"data", required_argument, NULL, 'd'}, {"conf", required_argument, NULL, 'c'},
        {"rules", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
        {"insecure-data", no_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (c == 'd')
            o->data = optarg;
        else if (c == 'c')
            o->conf = optarg;
        else if (c == 'I')
            cli_insecure_data = true;
        else if (c == 'r' && o->nrules < sizeof o->rules / sizeof o->rules[0])
            o->rules[o->nrules++] = optarg;
        else if (c == 'h') {
            usage(stdout);
            return -1;
        } else
            return msg_usage("cache", "bad option");
    }
    return optind < argc ? msg_usage("cache", "unexpected argument '%s'", argv[optind]) : 0;
}

/* The generation screen would use now: rules, index and feed policies. NULL
 * (with a note in why) when there is no index yet; an exit code in *rc. */
static const char *current_generation(const cache_opts *o, const char *data, char *gen,
                                      char *why, size_t cap, int *rc)
{
    rf_index *ix = NULL;
    rf_ruleset *rs = NULL;
    rf_feedconf *conf = NULL;
    const char *def = cli_rules_dir(NULL), *out = NULL;
    rf_diag d;
    *rc = EXIT_CLEAN;
    if (rf_index_open(&ix, data) != RF_OK) {
        snprintf(why, cap, "none: no list index (%s)", rf_index_error());
        return NULL;
    }
    if (rf_ruleset_compile(&rs, o->nrules ? o->rules : &def, o->nrules ? o->nrules : 1, &d)) {
        msg_error("%s: %s", d.file, d.msg);
        *rc = EXIT_RULES;
    } else if (!(conf = cli_load_conf(o->conf))) {
        *rc = EXIT_INPUT;
    } else {
        rf_list_policy *pol = calloc(conf->nfeeds + 1, sizeof *pol);
        for (size_t i = 0; pol && i < conf->nfeeds; i++)
            pol[i] = (rf_list_policy){conf->feeds[i].name, NULL, conf->feeds[i].critical,
                                      conf->feeds[i].weight};
        if (pol && rf_cache_generation(rf_ruleset_digest(rs), rf_index_generation(ix),
                                       RF_NAME_THRESHOLD, pol, conf->nfeeds, gen) == RF_OK)
            out = gen;
        else
            *rc = EXIT_IO;
        free(pol);
    }
    rf_feedconf_destroy(conf);
    rf_ruleset_destroy(rs);
    rf_index_close(ix);
    return out;
}

/* Bytes in a readable unit. */
static const char *human(long long b, char *buf, size_t cap)
{
    if (b >= 10LL << 20)
        snprintf(buf, cap, "%.1f MiB", (double)b / (1 << 20));
    else
        snprintf(buf, cap, "%.1f KiB", (double)b / 1024);
    return buf;
}

/* Print one run's counters. */
static void print_run(const rf_cache_run *r)
{
    char when[32];
    time_t t = (time_t)r->started;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    unsigned long looked = r->hits + r->misses + r->stale + r->expired + r->changed;
    printf("  %s pid %ld: %lu lookups, %lu hits (%.1f%%), %lu misses, %lu other generation, "
           "%lu expired, %lu changed query, %lu stored\n",
           when, r->pid, looked, r->hits, looked ? 100.0 * (double)r->hits / (double)looked : 0.0,
           r->misses, r->stale, r->expired, r->changed, r->stored);
}

/* `cache stats`. */
static int do_stats(const cache_opts *o, const char *data)
{
    char gen[RF_CACHE_GEN_HEX], why[600], a[32], b[32], c[32];
    int rc;
    const char *g = current_generation(o, data, gen, why, sizeof why, &rc);
    if (rc != EXIT_CLEAN)
        return rc;
    rf_cache_stat st;
    int err = rf_cache_stats(data, g, &st);
    if (err == RF_ENOTFOUND) {
        printf("cache:            %s/cache (empty: not created yet)\n", data);
        return EXIT_CLEAN;
    }
    if (err != RF_OK) {
        msg_error("%s", rf_cache_error());
        return EXIT_IO;
    }
    printf("cache:            %s/cache\nentries:          %zu\n", data, st.entries);
    printf("other generation: %zu%s\n", st.other_gen, g ? "" : " (not counted: no index)");
    printf("corrupt:          %zu\n", st.corrupt);
    printf("size on disk:     %s (file %s)\nmap size:         %s\n",
           human(st.disk_bytes, a, sizeof a), human(st.file_bytes, b, sizeof b),
           human((long long)st.map_size, c, sizeof c));
    printf("generation:       %s\n", g ? g : why);
    printf("recent runs:      %zu%s\n", st.nruns, st.nruns ? " (most recent first)" : "");
    for (size_t i = 0; i < st.nruns; i++)
        print_run(&st.runs[i]);
    return st.corrupt ? EXIT_IO : EXIT_CLEAN;
}

/* `cache clear`. */
static int do_clear(const char *data)
{
    size_t n = 0;
    int err = rf_cache_clear(data, &n);
    if (err == RF_ENOTFOUND) {
        printf("cache: nothing to clear in %s\n", data);
        return EXIT_CLEAN;
    }
    if (err != RF_OK) {
        msg_error("%s", rf_cache_error());
        return EXIT_IO;
    }
    printf("cache: removed %zu profiles from %s/cache\n", n, data);
    return EXIT_CLEAN;
}

/* Entry point of `redflag cache`. */
int cmd_cache(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_INPUT : EXIT_CLEAN;
    }
    const char *action = argv[1];
    if (strcmp(action, "stats") != 0 && strcmp(action, "clear") != 0)
        return msg_usage("cache", "unknown action '%s' (stats, clear)", action);
    cache_opts o = {0};
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    const char *data = cli_data_dir(o.data);
    if (!data)
        return msg_usage("cache", "no data directory: set --data, REDFLAG_DATA or HOME");
    if (cli_data_check(data) != EXIT_CLEAN)
        return EXIT_IO;
    return strcmp(action, "stats") == 0 ? do_stats(&o, data) : do_clear(data);
}
