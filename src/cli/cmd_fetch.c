/* `redflag fetch`: bring the risk lists up to date and rebuild the index. */
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
    long timeout_s;
    const char *ca_file;
} fetch_opts;

/* Print the help of `fetch`. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: redflag fetch [--offline] [--feed NAME]... [--data DIR] [--conf FILE]\n\n"
            "Downloads each enabled feed of feeds.conf from its official URL (conditional GET:\n"
            "an unchanged list costs one request), checks that it parses, keeps it as the\n"
            "feed's last good copy, and rebuilds the list index, swapped in atomically. A\n"
            "failed or malformed download never replaces the last good copy; the other feeds\n"
            "still update.\n\n"
            "  --offline        no network: index the last good copies, else the bundled snapshots\n"
            "  --feed NAME      fetch only this feed (repeatable); the others keep their last copy\n"
            "  --data DIR       data directory (default $REDFLAG_DATA, else ~/.local/share/redflag)\n"
            "  --conf FILE      feed list (default: feeds/feeds.conf of this installation)\n"
            "  --timeout SECS   per-download time limit (default 600)\n"
            "  --ca-file PEM    extra CA certificates for TLS (verification is always on)\n\n"
            "Exit: 0 all feeds fine, 2 usage or feeds.conf error, 4 a feed failed or the index\n"
            "could not be built.\n");
}

/* Parse the command line. */
static int parse(int argc, char **argv, fetch_opts *o)
{
    static const struct option longs[] = {
        {"offline", no_argument, NULL, 'O'}, {"feed", required_argument, NULL, 'f'},
        {"data", required_argument, NULL, 'd'}, {"conf", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'}, {"ca-file", required_argument, NULL, 'a'},
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
        case 'c': o->conf = optarg; break;
        case 'a': o->ca_file = optarg; break;
        case 't':
            o->timeout_s = strtol(optarg, NULL, 10);
            if (o->timeout_s <= 0)
                return msg_usage("fetch", "--timeout wants a number of seconds");
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
    fetch_opts fo = {.timeout_s = 600};
    int rc = parse(argc, argv, &fo);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    const char *data = cli_data_dir(fo.data);
    if (!data)
        return msg_usage("fetch", "no data directory: set --data, REDFLAG_DATA or HOME");
    rf_feedconf *conf = cli_load_conf(fo.conf);
    if (!conf)
        return EXIT_INPUT;
    rf_update_opts uo;
    rf_update_opts_init(&uo);
    uo.offline = fo.offline;
    uo.only = fo.only;
    uo.nonly = fo.nonly;
    uo.fetch.total_timeout_ms = fo.timeout_s * 1000;
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
