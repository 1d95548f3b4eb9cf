/* `redflag fetch`: bring the risk lists up to date and rebuild the index. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "redflag/update.h"

typedef struct fetch_opts {
    const char *data, *conf;
    const char *only[64];
    size_t nonly;
    bool offline;
    long timeout_s, deadline_s; /* 0: not given */
    const char *ca_file;
} fetch_opts;

/* Print the help of `fetch`. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: redflag fetch [--offline] [--feed NAME]... [--data DIR] [--conf FILE]\n"
            "                     [--timeout SECS] [--deadline SECS] [--ca-file PEM]\n\n"
            "Downloads each enabled feed of feeds.conf from its official URL (conditional GET:\n"
            "an unchanged list costs one request), checks that it parses and holds entries,\n"
            "keeps it as the feed's last good copy, and rebuilds the list index, swapped in\n"
            "atomically. A failed, malformed or empty download never replaces the last good\n"
            "copy; the other feeds still update, and the index is rebuilt from the last good\n"
            "copies whatever failed.\n\n"
            "  --offline        no network: index the last good copies, else the bundled snapshots\n"
            "  --feed NAME      fetch only this feed (repeatable); the others keep their last copy\n"
            "  --data DIR       data directory (default $REDFLAG_DATA, else ~/.local/share/redflag)\n"
            "  --insecure-data  use DIR even if another user could write it (default: refuse)\n"
            "  --conf FILE      feed list (default: feeds/feeds.conf of this installation)\n"
            "  --timeout SECS   time limit of one download attempt, connect to last byte\n"
            "                   (default 600); a stalled transfer is cut sooner (below)\n"
            "  --deadline SECS  time limit of all the run's downloads together (default 1800);\n"
            "                   feeds not reached in time fail and keep their last good copy\n"
            "  --ca-file PEM    extra CA certificates for TLS (verification is always on)\n\n"
            "Waits: 10 s to connect; a transfer under 1 KiB/s for 8 s is cut; each feed has\n"
            "15 min in all (or --timeout if longer). Retried (at most 3 times, after 1, 2, 4 s, or the server's\n"
            "Retry-After): HTTP 5xx and 429, a body cut short, and once a stalled transfer.\n"
            "Not retried: a host name that does not resolve, a refused or unreachable\n"
            "connection, a connect timeout, TLS and 4xx errors. With no network, fetch fails\n"
            "at once.\n\n"
            "Exit: 0 all feeds fine, 2 usage or feeds.conf error, 4 a feed failed or the index\n"
            "could not be built.\n");
}

/* Parse a positive number of seconds into *out; 0 when it is not one. */
static int seconds(const char *arg, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v <= 0 || v > 7L * 24 * 3600)
        return 0;
    *out = v;
    return 1;
}

/* Parse the command line. */
static int parse(int argc, char **argv, fetch_opts *o)
{
    static const struct option longs[] = {
        {"offline", no_argument, NULL, 'O'}, {"feed", required_argument, NULL, 'f'},
        {"data", required_argument, NULL, 'd'}, {"conf", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'}, {"ca-file", required_argument, NULL, 'a'},
        {"deadline", required_argument, NULL, 'D'}, {"insecure-data", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'O': o->offline = true; break;
        case 'f':
            if (o->nonly >= sizeof o->only / sizeof o->only[0])
                return msg_usage("fetch", "too many --feed");
            o->only[o->nonly++] = optarg;
            break;
        case 'd': o->data = optarg; break;
        case 'I': cli_insecure_data = true; break;
        case 'c': o->conf = optarg; break;
        case 'a': o->ca_file = optarg; break;
        case 't':
            if (!seconds(optarg, &o->timeout_s))
                return msg_usage("fetch", "--timeout wants a number of seconds, not '%s'",
                                 optarg);
            break;
        case 'D':
            if (!seconds(optarg, &o->deadline_s))
                return msg_usage("fetch", "--deadline wants a number of seconds, not '%s'",
                                 optarg);
            break;
        case 'h': usage(stdout); return -1;
        default: return msg_usage("fetch", "bad option");
        }
    }
    if (optind < argc)
        return msg_usage("fetch", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Print one feed's outcome. */
static void report(const rf_update_report *r, void *ud)
{
    (void)ud;
    const char *name = rf_update_outcome_name(r->outcome);
    if (r->outcome == RF_UPDATE_DISABLED) {
        printf("%-22s %-9s\n", r->feed->name, name);
        return;
    }
    printf("%-22s %-9s %7zu entities %5zu goods  %s\n", r->feed->name, name, r->entities,
           r->goods, r->source[0] ? r->source : "-");
    if (r->outcome == RF_UPDATE_FAILED)
        msg_error("feed %s: %s", r->feed->name, r->message);
    else if (r->outcome == RF_UPDATE_NO_DATA)
        msg_warn("feed %s: %s", r->feed->name, r->message);
    if (r->outcome == RF_UPDATE_FETCHED && r->feed->non_commercial)
        msg_warn("feed %s is licensed %s", r->feed->name, r->feed->licence);
}

/* Load feeds.conf, printing its error; NULL on failure. */
rf_feedconf *cli_load_conf(const char *opt)
{
    const char *path = cli_feeds_conf(opt);
    rf_feedconf *conf = NULL;
    rf_diag d;
    int rc = rf_feedconf_load(&conf, path, &d);
    if (rc != RF_OK)
        msg_diag(&d, rc);
    return conf;
}

/* Entry point of `redflag fetch`. */
int cmd_fetch(int argc, char **argv)
{
    fetch_opts fo = {0}; /* timeouts 0: the library's defaults */
    int rc = parse(argc, argv, &fo);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    const char *data = cli_data_dir(fo.data);
    if (!data)
        return msg_usage("fetch", "no data directory: set --data, REDFLAG_DATA or HOME");
    if (cli_data_check(data) != EXIT_CLEAN)
        return EXIT_IO;
    rf_feedconf *conf = cli_load_conf(fo.conf);
    if (!conf)
        return EXIT_INPUT;
    rf_update_opts uo;
    rf_update_opts_init(&uo);
    uo.offline = fo.offline;
    uo.only = fo.only;
    uo.nonly = fo.nonly;
    if (fo.timeout_s)
        uo.fetch.total_timeout_ms = fo.timeout_s * 1000;
    if (uo.fetch.deadline_ms < uo.fetch.total_timeout_ms) /* a feed gets at least one try */
        uo.fetch.deadline_ms = uo.fetch.total_timeout_ms;
    if (fo.deadline_s)
        uo.deadline_ms = fo.deadline_s * 1000;
    uo.fetch.ca_file = fo.ca_file;
    uo.report = report;
    char gen[RF_INDEX_GEN_HEX] = "";
    size_t failed = 0;
    rc = rf_update(conf, data, &uo, gen, &failed);
    if (rc == RF_ENOTFOUND) {
        rf_feedconf_destroy(conf);
        return msg_usage("fetch", "%s", rf_update_error());
    }
    if (rc != RF_OK)
        msg_error("%s", rf_update_error());
    else
        printf("index %.16s built in %s\n", gen, data);
    rf_feedconf_destroy(conf);
    return rc != RF_OK || failed ? EXIT_IO : EXIT_CLEAN;
}
