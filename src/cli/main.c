/* redflag: screen procurement records for forced-labour and trafficking indicators. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "redflag/common.h"

static const command commands[] = {
    {"screen", cmd_screen, "screen records (JSONL, CSV, UBL/PEPPOL orders, OCDS, eForms): one "
                           "verdict each"},
    {"audit", cmd_audit, "screen a supplier list or a year of orders into one HTML report"},
    {"rules", cmd_rules, "check, list or test the rules (rules check|list|test)"},
    {"compare", cmd_compare, "score two names (or JSON-line pairs on stdin) and explain the score"},
    {"fetch", cmd_fetch, "download the risk lists and rebuild the list index"},
    {"feeds", cmd_feeds, "show each risk list's source, age, size and status"},
    {"lookup", cmd_lookup, "find a name on the risk lists, with the match explained"},
    {"serve", cmd_serve, "screen over HTTP: POST /screen, GET /lookup, /feeds, /health, /metrics"},
    {"cache", cmd_cache, "show or clear the supplier profile cache (cache stats|clear)"},
};

/* Print the top-level help. */
static void usage(FILE *fp)
{
    fprintf(fp, "usage: redflag COMMAND [OPTIONS] [ARGS]\n\n"
                "Screens government purchase orders, tenders and supplier lists for indicators\n"
                "of forced labour and human trafficking.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n'redflag COMMAND --help' describes a command. Exit codes: 0 clean, 1 a record\n"
                "reached --fail-on, 2 usage or input error, 3 rule error, 4 I/O error.\n");
}

/* Dispatch to the subcommand named by argv[1]. */
int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("redflag %s\n", rf_version());
        return EXIT_CLEAN;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    msg_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return EXIT_INPUT;
}
