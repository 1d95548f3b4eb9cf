/* `redflag screen`: read records, evaluate the rules, write one verdict per record. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "redflag/cache.h"
#include "redflag/reader.h"
#include "redflag/record.h"
#include "redflag/result.h"
#include "redflag/rules.h"
#include "redflag/screen.h"
#include "redflag/writer.h"

#define MAX_SHOWN_ERRORS 50 /* per run; the output lines carry every one */

typedef struct screen_opts {
    const char *rules[16];
    size_t nrules;
    const char *maps[64];
    size_t nmaps;
    int from;             /* rf_format */
    int output;           /* rf_output, or -1 for the default */
    rf_level fail_on;
    bool color;
    bool no_prefilter;
    bool no_lists;
    bool no_cache;
    bool explain;         /* --explain: rules trace of each record on stderr */
    long long cache_ttl;  /* seconds, 0 for no maximum age */
    const char *data, *conf;
    bool audit;           /* `audit`: an HTML report of the run */
    const char *report;   /* audit --report FILE, or NULL for stdout */
    char delim;           /* --delimiter, 0 to sniff */
    const char *encoding; /* --encoding, NULL for auto */
    const char *sheet;    /* --sheet NAME (XLSX) */
} screen_opts;

/* A closed output pipe (`| head`): stop quietly with the shell's code for SIGPIPE. */
#define EXIT_PIPE 141

typedef struct screen_run {
    rf_screener *scr;
    const rf_ruleset *rs; /* for --explain */
    rf_record *rec;
    rf_result *res;
    rf_writer *w;
    cli_lists lists;      /* the engine: rules, lists, goods table, cache */
    const screen_opts *o;
    size_t records, bad, shown;
    unsigned long incomplete; /* verdicts whose scan hit a regex limit */
    bool failed_level, io_error;
} screen_run;

/* Print the help of `screen` (or of `audit`). */
static void usage(FILE *fp, bool audit)
{
    if (audit)
        fprintf(fp, "usage: redflag audit [OPTIONS] [FILE...|-] [--report FILE.html]\n\n"
                    "Screens every record like `screen` and writes one HTML report of the run: the\n"
                    "counts by level, the indicators and lists found, every record with an\n"
                    "indicator (most serious first) with its evidence and sources, and the\n"
                    "records that could not be read. With --report the page goes to FILE (written\n"
                    "aside and renamed when complete) and a summary line to stdout; without it,\n"
                    "the page goes to stdout. No FILE or '-' reads stdin.\n\n"
                    "      --report FILE     write the report to FILE\n");
    else
        fprintf(fp, "usage: redflag screen [OPTIONS] [FILE...|-]\n\n"
                    "Screens each record (a JSON object per line, or a CSV row) and writes one verdict\n"
                    "per record, in input order (flushed as each is done when the input is a pipe or\n"
                    "a terminal). No FILE or '-' reads stdin.\n\n"
                    "  -o, --output FORMAT   jsonl | csv | table | html | xlsx (default: table on a\n"
                    "                        terminal, else jsonl; html, xlsx: one report of the run)\n");
    fprintf(fp,
            "  -f, --from FORMAT     jsonl | csv | xlsx | ubl | ocds | eforms | auto (default: auto,\n"
            "                        from the content; ubl covers PEPPOL BIS 3 and CEN BII)\n"
            "      --fail-on LEVEL   exit 1 when a record reaches LEVEL: low | medium | high |\n"
            "                        critical | none (never) (default: high)\n"
            "      --map FIELD=COL   read CSV column COL as FIELD (repeatable, or comma-separated)\n"
            "      --delimiter C     CSV field delimiter: , ; tab | or one character (default:\n"
            "                        sniffed from the header line)\n"
            "      --encoding ENC    input encoding: auto | utf-8 | utf-16 | windows-1252 | latin1\n"
            "                        or any iconv name (default auto: a BOM, else UTF-8, else\n"
            "                        Windows-1252 when a line is not UTF-8)\n"
            "      --sheet NAME      XLSX: read the sheet NAME (default: the first)\n"
            "      --rules DIR       rules directory or file (repeatable; default: shipped rules)\n"
            "      --data DIR        data directory with the list index (default $REDFLAG_DATA,\n"
            "                        else ~/.local/share/redflag; indexed from the bundled\n"
            "                        snapshots on first use)\n"
            "      --insecure-data   use DATA even if another user could write it (default: refuse\n"
            "                        one not owned by you or group/world-writable; also\n"
            "                        REDFLAG_INSECURE_DATA=1)\n"
            "      --conf FILE       feed list (default: feeds/feeds.conf of this installation)\n"
            "      --no-lists        rules only: no list matching and no goods x origin check\n"
            "      --explain         on stderr, for each record: every rule occurrence with its\n"
            "                        language, span, lexicon words, the context that dropped it,\n"
            "                        and the rule's verdict, with file and line (rules trace)\n"
            "      --no-cache        match every party against the lists, without the profile\n"
            "                        cache in DATA/cache (also REDFLAG_CACHE=off)\n"
            "      --cache-ttl AGE   cached profiles older than AGE (seconds, or 30m, 12h, 30d)\n"
            "                        are matched again\n"
            "      --no-color        no colours in the table\n"
            "      --no-prefilter    run every pattern on every record (same verdicts, slower;\n"
            "                        for checking and benchmarking the literal prefilter)\n\n"
            "Exit: 0 clean, 1 a record reached --fail-on, 2 bad input or usage, 3 rule error,\n"
            "4 I/O error.\n");
}

/* Split a --map value on commas into o->maps (the value is modified in place). */
static int add_maps(screen_opts *o, char *val)
{
    for (char *tok = strtok(val, ","); tok; tok = strtok(NULL, ",")) {
        if (!strchr(tok, '=') || o->nmaps >= sizeof o->maps / sizeof o->maps[0])
            return msg_usage("screen", "--map wants FIELD=COLUMN, got '%s'", tok);
        o->maps[o->nmaps++] = tok;
    }
    return EXIT_CLEAN;
}

/* Parse --delimiter: a name (tab, comma, semicolon, pipe), "\t", or one character. */
static int parse_delim(screen_opts *o, const char *v)
{
    static const struct { const char *name; char c; } names[] = {
        {"tab", '\t'}, {"\\t", '\t'}, {"comma", ','}, {"semicolon", ';'}, {"pipe", '|'},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(v, names[i].name) == 0) {
            o->delim = names[i].c;
            return 0;
        }
    if (strlen(v) != 1)
        return msg_usage("screen", "--delimiter wants one character or tab, comma, semicolon, "
                         "pipe; got '%s'", v);
    o->delim = v[0];
    return 0;
}

/* Handle one parsed option; non-zero to stop (exit code, or -1 for help). */
static int take_option(screen_opts *o, int c)
{
    switch (c) {
    case 'f':
        if ((o->from = rf_format_parse(optarg)) < 0)
            return msg_usage("screen", "unknown input format '%s' (jsonl, csv, ubl, ocds, eforms, auto)", optarg);
        return 0;
    case 'o':
        if (o->audit)
            return msg_usage("audit", "audit writes an HTML report (use `screen -o` for others)");
        if ((o->output = rf_output_parse(optarg)) < 0)
            return msg_usage("screen", "unknown output format '%s' (jsonl, csv, table, html, "
                             "xlsx)", optarg);
        if (o->output == RF_OUT_XLSX && isatty(STDOUT_FILENO))
            return msg_usage("screen", "-o xlsx writes a workbook: redirect it to a file "
                             "(> report.xlsx)");
        return 0;
    case 'R':
        if (!o->audit)
            return msg_usage("screen", "--report belongs to `audit`");
        o->report = optarg;
        return 0;
    case 'F': {
        int lv = rf_level_parse(optarg);
        if (lv < 0)
            return msg_usage("screen", "unknown level '%s' for --fail-on", optarg);
        o->fail_on = lv == RF_LEVEL_NONE ? RF_LEVEL_CRITICAL + 1 : (rf_level)lv;
        return 0;
    }
    case 'm': return add_maps(o, optarg);
    case 'D': return parse_delim(o, optarg);
    case 'E': o->encoding = optarg; return 0;
    case 'S': o->sheet = optarg; return 0;
    case 'r':
        if (o->nrules >= sizeof o->rules / sizeof o->rules[0])
            return msg_usage("screen", "too many --rules");
        o->rules[o->nrules++] = optarg;
        return 0;
    case 'C': o->color = false; return 0;
    case 'P': o->no_prefilter = true; return 0;
    case 'L': o->no_lists = true; return 0;
    case 'N': o->no_cache = true; return 0;
    case 'X': o->explain = true; return 0;
    case 'T':
        if (rf_cache_parse_ttl(optarg, &o->cache_ttl) != RF_OK)
            return msg_usage("screen", "--cache-ttl: %s", rf_cache_error());
        return 0;
    case 'd': o->data = optarg; return 0;
    case 'I': cli_insecure_data = true; return 0;
    case 'c': o->conf = optarg; return 0;
    case 'h': usage(stdout, o->audit); return -1;
    default: return msg_usage("screen", "bad option");
    }
}

/* Parse the command line into o; returns 0, an exit code, or -1 after --help. */
static int parse(int argc, char **argv, screen_opts *o)
{
    static const struct option longs[] = {
        {"from", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"fail-on", required_argument, NULL, 'F'}, {"map", required_argument, NULL, 'm'},
        {"rules", required_argument, NULL, 'r'}, {"no-color", no_argument, NULL, 'C'},
        {"no-prefilter", no_argument, NULL, 'P'}, {"no-lists", no_argument, NULL, 'L'},
        {"no-cache", no_argument, NULL, 'N'}, {"cache-ttl", required_argument, NULL, 'T'},
        {"data", required_argument, NULL, 'd'}, {"conf", required_argument, NULL, 'c'},
        {"report", required_argument, NULL, 'R'}, {"help", no_argument, NULL, 'h'},
        {"explain", no_argument, NULL, 'X'},
        {"delimiter", required_argument, NULL, 'D'}, {"encoding", required_argument, NULL, 'E'},
        {"sheet", required_argument, NULL, 'S'}, {"insecure-data", no_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    while ((c = getopt_long(argc, argv, "f:o:h", longs, NULL)) != -1)
        if ((rc = take_option(o, c)) != 0)
            return rc;
    return 0;
}

/* Screen one good record and write its verdict. */
static int screen_record(screen_run *run)
{
    int rc = rf_screener_screen(run->scr, run->rec, run->res);
    const char *warn = rf_screener_warning(run->scr);
    if (warn)
        msg_warn("%s", warn);
    if (rc != RF_OK)
        return rc;
    if (run->o->explain && cli_explain_record(run->rs, run->rec, stderr) != RF_OK)
        return RF_ENOMEM;
    rf_level lv = run->res->level;
    if (run->res->nincomplete) { /* a scan cut short may have missed evidence */
        run->incomplete++;
        if (lv < RF_LEVEL_MEDIUM)
            lv = RF_LEVEL_MEDIUM;
    }
    if (lv >= run->o->fail_on)
        run->failed_level = true;
    return rf_writer_write(run->w, run->res);
}

/* Write the error line for a bad record and tell the user where it is. */
static int screen_bad(screen_run *run, const char *name, const char *msg)
{
    rf_result *res = run->res;
    long line = rf_record_line(run->rec);
    run->bad++;
    if (run->shown++ < MAX_SHOWN_ERRORS)
        msg_error("%s:%ld: %s", name, line, msg);
    else if (run->shown == MAX_SHOWN_ERRORS + 1)
        msg_error("further bad records are reported only in the output");
    int rc = rf_result_set_error(res, rf_record_str(run->rec, RF_F_ID, 0, NULL), msg);
    res->line = line;
    res->source = name;
    return rc == RF_OK ? rf_writer_write(run->w, res) : rc;
}

/* The output cannot be written: a closed pipe ends the run quietly (EXIT_PIPE),
 * anything else is an I/O error with a message. */
static int write_failed(screen_run *run, const char *what)
{
    int e = errno;
    run->io_error = true;
    if (e == EPIPE)
        return EXIT_PIPE;
    msg_error("cannot write the %s: %s", what, strerror(e));
    return EXIT_IO;
}

/* Print the reader's warnings once. */
static void show_warnings(const rf_reader *rd, const char *name)
{
    size_t n;
    const char *const *w = rf_reader_warnings(rd, &n);
    for (size_t i = 0; i < n; i++)
        msg_warn("%s: %s", name, w[i]);
}

/* Screen every record of one open stream. */
static int screen_stream(screen_run *run, FILE *fp, const char *name)
{
    rf_reader *rd = NULL;
    rf_csv_map map = {run->o->maps, run->o->nmaps};
    int rc = rf_reader_open(&rd, fp, name, (rf_format)run->o->from, &map);
    if (rc == RF_OK && run->o->delim)
        rc = rf_reader_set_delimiter(rd, run->o->delim);
    if (rc == RF_OK && run->o->encoding)
        rc = rf_reader_set_encoding(rd, run->o->encoding);
    if (rc == RF_OK && run->o->sheet)
        rc = rf_reader_set_sheet(rd, run->o->sheet);
    if (rc != RF_OK) {
        msg_error("%s: %s", name, rc == RF_EINVAL ? rf_reader_open_error() : rf_strerror(rc));
        rf_reader_destroy(rd);
        return EXIT_INPUT;
    }
    size_t before = run->records;
    int exit = EXIT_CLEAN;
    /* A co-process waits for each verdict before it sends the next record; a
     * file's records are all there, so its verdicts may wait in the buffer. */
    struct stat st;
    rf_writer_set_flush(run->w, !(fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode)));
    while ((rc = rf_reader_next(rd, run->rec)) != RF_EOF) {
        rf_result_reset(run->res);
        if (rc == RF_OK || rc == RF_EINPUT) {
            run->records++;
            rc = rc == RF_OK ? screen_record(run) : screen_bad(run, name, rf_reader_error(rd));
            if (rc == RF_EIO) {
                exit = write_failed(run, "output");
                break;
            }
        }
        if (rc != RF_OK) {
            msg_error("%s: %s", name, rc == RF_EIO ? rf_reader_error(rd) : rf_strerror(rc));
            exit = rc == RF_EIO ? EXIT_IO : EXIT_INPUT;
            break;
        }
    }
    if (!run->io_error && rf_writer_flush(run->w) != RF_OK)
        exit = write_failed(run, "output");
    if (exit != EXIT_PIPE)
        show_warnings(rd, name);
    rf_reader_destroy(rd);
    if (exit == EXIT_CLEAN && run->records == before) {
        msg_error("%s: no records", name);
        exit = EXIT_INPUT;
    }
    return exit;
}

/* Open one input (or stdin for "-") and screen it. */
static int screen_path(screen_run *run, const char *path)
{
    if (strcmp(path, "-") == 0)
        return screen_stream(run, stdin, "<stdin>");
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        msg_error("%s: cannot open: %s", path, strerror(errno));
        return EXIT_INPUT;
    }
    int rc = screen_stream(run, fp, path);
    fclose(fp);
    return rc;
}

/* Combine two exit codes: the graver one wins (4 > 3 > 2 > 1 > 0). */
static int worse(int a, int b)
{
    return a > b ? a : b;
}

/* Whether the environment turns the profile cache off (REDFLAG_CACHE=off or 0). */
static bool cache_off_env(void)
{
    const char *env = getenv("REDFLAG_CACHE");
    return env && (strcmp(env, "off") == 0 || strcmp(env, "0") == 0);
}

/* Set up the engine, screener, record, result and writer (on out) for a run. */
static int run_open(screen_run *run, const rf_ruleset *rs, const screen_opts *o, FILE *fp)
{
    int out = o->audit ? RF_OUT_HTML : o->output >= 0 ? o->output
                                     : isatty(STDOUT_FILENO) ? RF_OUT_TABLE : RF_OUT_JSONL;
    run->o = o;
    run->rs = rs;
    cli_lists_opts lo = {.rules = rs, .data = o->data, .conf = o->conf,
                         .rules_dir = o->nrules ? o->rules[0] : cli_rules_dir(NULL),
                         .lists = !o->no_lists, .cache = !o->no_cache && !cache_off_env(),
                         .prefilter = !o->no_prefilter, .cache_ttl = o->cache_ttl};
    int rc = cli_lists_open(&run->lists, &lo);
    if (rc != EXIT_CLEAN)
        return rc;
    if (rf_screener_create(&run->scr, run->lists.engine) || rf_record_create(&run->rec) ||
        rf_result_create(&run->res) ||
        rf_writer_create(&run->w, fp, (rf_output)out, o->color ? RF_WRITER_COLOR : 0)) {
        msg_error("out of memory");
        return EXIT_IO;
    }
    return EXIT_CLEAN;
}

/* Free what run_open made. */
static void run_close(screen_run *run)
{
    if (run->lists.engine && rf_engine_flush(run->lists.engine) != RF_OK)
        msg_warn("%s", rf_screen_error());
    rf_writer_destroy(run->w);
    rf_result_destroy(run->res);
    rf_record_destroy(run->rec);
    rf_screener_destroy(run->scr);
    cli_lists_close(&run->lists);
}

/* Screen every input named on the command line (or stdin) through run. */
static int run_inputs(screen_run *run, int argc, char **argv)
{
    int rc = EXIT_CLEAN;
    if (optind == argc)
        rc = screen_path(run, "-");
    for (int i = optind; !run->io_error && i < argc; i++)
        rc = worse(rc, screen_path(run, argv[i]));
    if (!run->io_error && run->w && rf_writer_finish(run->w) != RF_OK)
        rc = write_failed(run, run->o->audit ? "report" : "output");
    if (rc == EXIT_PIPE)
        return rc;
    if (run->incomplete)
        msg_warn("%lu record%s not fully scanned: a rule hit a regular-expression limit "
                 "(\"incomplete\" in the output); counted as at least medium for --fail-on",
                 run->incomplete, run->incomplete == 1 ? " was" : "s were");
    if (run->bad)
        rc = worse(rc, EXIT_INPUT);
    if (rc == EXIT_CLEAN && run->failed_level)
        rc = EXIT_FLAGGED;
    return rc;
}

/* `screen`, or `audit` (audit true): parse, compile, screen, report. */
int cli_screen(int argc, char **argv, bool audit)
{
    const char *nc = getenv("NO_COLOR");
    screen_opts o = {.from = RF_FMT_AUTO, .output = -1, .fail_on = RF_LEVEL_HIGH,
                     .color = isatty(STDOUT_FILENO) && !(nc && *nc), .audit = audit};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    signal(SIGPIPE, SIG_IGN); /* a closed pipe becomes EPIPE: a quiet stop, exit 141 */
    rf_ruleset *rs = NULL;
    if ((rc = cli_compile_rules(o.rules, o.nrules, &rs)) != EXIT_CLEAN)
        return rc;
    cli_report rep = {0};
    FILE *out = o.report ? cli_report_open(&rep, o.report, cli_data_dir(o.data)) : stdout;
    if (!out) {
        rf_ruleset_destroy(rs);
        return EXIT_IO;
    }
    screen_run run = {0};
    rc = run_open(&run, rs, &o, out);
    if (rc == EXIT_CLEAN)
        rc = run_inputs(&run, argc, argv);
    if (o.report)
        rc = cli_report_close(&rep, rc != EXIT_IO && run.w, run.w, rc);
    run_close(&run);
    rf_ruleset_destroy(rs);
    return rc;
}

/* Entry point of `redflag screen`. */
int cmd_screen(int argc, char **argv)
{
    return cli_screen(argc, argv, false);
}
