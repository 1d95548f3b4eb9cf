/* `redflag lookup NAME`: find a name on the risk lists, with explanations. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "redflag/country.h"
#include "redflag/index.h"
#include "redflag/match.h"
#include "redflag/screen.h"

/* The lists and the screener a lookup asks. */
typedef struct lookup_ctx {
    cli_lists lists;
    rf_screener *scr;
} lookup_ctx;

/* Print the help of `lookup`. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: redflag lookup NAME [--country CC] [--kind KIND] [--limit N]\n"
            "                           [--min SCORE] [-o table|jsonl] [--data DIR]\n"
            "                           [--insecure-data]\n\n"
            "       redflag lookup - [OPTIONS] < names.txt   (one name per line; jsonl out)\n\n"
            "Finds NAME on the risk lists in the index (run `redflag fetch` first; with no\n"
            "index the bundled snapshots are indexed). Each hit shows the list, the entity\n"
            "and its kind, the name or alias that matched, the score (0-1; %.2f or more is\n"
            "a match or a possible match), the outcome and why: what corroborates it, or what\n"
            "would confirm or clear it; then the normalised forms, the shared tokens and the\n"
            "score's parts.\n\n"
            "  --kind KIND   what NAME is: organisation (company), person, vessel, aircraft,\n"
            "                or any. Default: as a supplier is screened, an organisation, or a\n"
            "                person when the name has no legal form or organisation word.\n"
            "                Entries of another kind match only by identifier.\n",
            RF_NAME_THRESHOLD);
}

/* One hit as a table block. */
static void print_hit(const rf_match_hit *h, double threshold)
{
    (void)threshold;
    static const char *const shown[] = {"MATCH", "POSSIBLE", ""};
    printf("%.2f %-8s %-20s %s  %s  (%s)%s\n", h->score, shown[h->outcome], h->list, h->entity,
           h->matched, rf_entity_kind_name(h->kind), h->critical ? "  [critical list]" : "");
    if (strcmp(h->matched, h->name) != 0)
        printf("      %s of: %s\n", h->alias_kind, h->name);
    if (h->why && h->why[0])
        printf("      outcome: %s\n", h->why);
    printf("      countries: %s   programs: %s\n", h->countries[0] ? h->countries : "-",
           h->programs[0] ? h->programs : "-");
    printf("      why: %s; \"%s\" vs \"%s\"; shared: %s; only query: %s; only listed: %s\n",
           h->ex.rule ? h->ex.rule : "-", h->ex.norm_a, h->ex.norm_b,
           h->ex.shared[0] ? h->ex.shared : "-", h->ex.only_a[0] ? h->ex.only_a : "-",
           h->ex.only_b[0] ? h->ex.only_b : "-");
    printf("      parts: tokens %.2f, cover %.2f, characters %.2f, penalty %.2f, legal form "
           "%+.2f, party %+.2f\n", h->ex.token_sim, h->ex.cover_sim, h->ex.char_sim,
           h->ex.penalty, h->ex.legal_adj, h->ex.party_adj);
}

/* One hit as a JSON line on fp (the explanation from the name matcher); also
 * `serve`'s GET /lookup. */
void cli_lookup_hit_json(FILE *fp, const char *query, const rf_match_hit *h)
{
    char ex[4096];
    rf_name_explain_json(&h->ex, ex, sizeof ex);
    char *q = cli_json_string(query), *mt = cli_json_string(h->matched),
         *nm = cli_json_string(h->name), *en = cli_json_string(h->entity),
         *why = cli_json_string(h->why ? h->why : "");
    fprintf(fp, "{\"query\":%s,\"list\":\"%s\",\"entity\":%s,\"kind\":\"%s\",\"name\":%s,"
           "\"matched\":%s,\"alias_kind\":\"%s\",\"critical\":%s,\"score\":%.3f,"
           "\"match\":%s,\"outcome\":\"%s\",\"why\":%s,\"explain\":%s}\n", q, h->list, en,
           rf_entity_kind_name(h->kind), nm, mt, h->alias_kind, h->critical ? "true" : "false",
           h->score, h->outcome == RF_OUTCOME_MATCH ? "true" : "false",
           rf_match_outcome_name(h->outcome), why, ex);
    free(why);
    free(q);
    free(mt);
    free(nm);
    free(en);
}

/* Look one name up and print its hits. A name with no hit prints a line
 * saying so and how many entries were searched: {"query": …, "hits": 0,
 * "searched": N} in JSON Lines, so every query has output. */
static int lookup_one(lookup_ctx *l, rf_name_party *q, size_t limit, double min, bool json,
                      bool batch)
{
    const rf_match_hit *hits;
    size_t n = 0;
    if (rf_screener_lookup(l->scr, q, limit, min, &hits, &n) != RF_OK) {
        msg_error("lookup failed: %s", rf_screen_error());
        return EXIT_IO;
    }
    for (size_t i = 0; i < n; i++)
        json ? cli_lookup_hit_json(stdout, q->name, &hits[i])
             : print_hit(&hits[i], RF_NAME_THRESHOLD);
    rf_index_stat st = {0};
    if (n == 0 && l->lists.ix)
        rf_index_stats(l->lists.ix, &st);
    if (n == 0 && (batch || json)) {
        char *js = cli_json_string(q->name);
        printf("{\"query\":%s,\"hits\":0,\"searched\":%zu}\n", js, st.entities);
        free(js);
    } else if (n == 0 && !json) {
        printf("no match: no listed name scores %.2f or more against \"%s\" (%zu entries on "
               "%zu lists searched)\n", min, q->name, st.entities, st.feeds);
    }
    return EXIT_CLEAN;
}

/* Look up every line of stdin (one name each), one JSON line per hit, flushed per name. */
static int lookup_lines(lookup_ctx *l, rf_name_party *q, size_t limit, double min)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = EXIT_CLEAN;
    while (rc == EXIT_CLEAN && (len = getline(&line, &cap, stdin)) > 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        q->name = line;
        rc = lookup_one(l, q, limit, min, true, true);
        if (rc == EXIT_CLEAN && fflush(stdout) != 0)
            rc = EXIT_IO;
    }
    free(line);
    return rc;
}

/* Entry point of `redflag lookup`. */
int cmd_lookup(int argc, char **argv)
{
    static const struct option longs[] = {
        {"country", required_argument, NULL, 'c'}, {"kind", required_argument, NULL, 'k'},
        {"limit", required_argument, NULL, 'n'}, {"min", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'}, {"data", required_argument, NULL, 'd'},
        {"conf", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
        {"insecure-data", no_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *conf = NULL, *country = NULL;
    int kind = RF_NAME_COMPANY, c;
    unsigned kinds = RF_PARTY_ORG | RF_PARTY_PERSON;
    long limit = 10;
    double min = 0.5;
    bool json = !isatty(STDOUT_FILENO);
    while ((c = getopt_long(argc, argv, "o:n:h", longs, NULL)) != -1) {
        switch (c) {
        case 'c': country = optarg; break;
        case 'k':
            kinds = rf_name_party_kind_parse(optarg);
            if (!kinds && strcmp(optarg, "any") != 0)
                return msg_usage("lookup", "--kind is organisation, person, vessel, aircraft "
                                 "or any, not '%s'", optarg);
            kind = kinds == RF_PARTY_PERSON ? RF_NAME_PERSON : RF_NAME_COMPANY;
            break;
        case 'n': limit = strtol(optarg, NULL, 10); break;
        case 'm': min = strtod(optarg, NULL); break;
        case 'o':
            if (strcmp(optarg, "jsonl") && strcmp(optarg, "table"))
                return msg_usage("lookup", "-o is table or jsonl");
            json = !strcmp(optarg, "jsonl");
            break;
        case 'd': data = optarg; break;
        case 'C': conf = optarg; break;
        case 'I': cli_insecure_data = true; break;
        case 'h': usage(stdout); return EXIT_CLEAN;
        default: return msg_usage("lookup", "bad option");
        }
    }
    if (optind + 1 != argc || limit <= 0)
        return msg_usage("lookup", "give one NAME (quote it) and a positive --limit");
    char cc[3] = "";
    if (country && rf_country_normalize(country, strlen(country), cc) != RF_OK)
        return msg_usage("lookup", "unknown country '%s'", country);
    lookup_ctx l = {0};
    cli_lists_opts lo = {.data = data, .conf = conf, .lists = true, .required = true};
    int rc = cli_lists_open(&l.lists, &lo);
    if (rc == EXIT_CLEAN && rf_screener_create(&l.scr, l.lists.engine) != RF_OK) {
        msg_error("%s", rf_screen_error());
        rc = EXIT_IO;
    }
    if (rc != EXIT_CLEAN) {
        cli_lists_close(&l.lists);
        return rc;
    }
    const char *countries[1] = {cc};
    rf_name_party q = {argv[optind], (rf_name_kind)kind, countries, cc[0] ? 1 : 0, NULL, 0,
                       kinds};
    if (strcmp(argv[optind], "-") == 0)
        rc = lookup_lines(&l, &q, (size_t)limit, min);
    else
        rc = lookup_one(&l, &q, (size_t)limit, min, json, false);
    rf_screener_destroy(l.scr);
    cli_lists_close(&l.lists);
    return rc != EXIT_CLEAN ? rc : fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_IO;
}
