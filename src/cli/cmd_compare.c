/* `redflag compare`: score two names, or pairs read as JSON lines from stdin. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "redflag/name.h"
#include "redflag/writer.h"

#define MAX_LINE (1u << 20)

typedef struct compare_opts {
    int kind;    /* rf_name_kind */
    int output;  /* RF_OUT_JSONL or RF_OUT_TABLE, -1 for the default */
    bool explain;
} compare_opts;

/* Print the help of `compare`. */
static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: redflag compare [OPTIONS] NAME1 NAME2\n"
            "       redflag compare [OPTIONS] < pairs.jsonl\n\n"
            "Scores how likely two names denote the same company or person (0..1) and\n"
            "explains the score. A score of %.2f or more is a match.\n"
            "With no names, reads JSON lines {\"a\": ..., \"b\": ..., \"kind\": \"company|person\"}\n"
            "from stdin and writes each object back with \"score\" and \"match\" added.\n\n"
            "  -k, --kind KIND       company | person (default: company; a line's \"kind\" wins)\n"
            "  -o, --output FORMAT   table | jsonl (default: table on a terminal, else jsonl)\n"
            "      --explain         add the explanation to each JSON line read from stdin\n\n"
            "Exit: 0 done, 2 bad input or usage, 4 I/O error.\n",
            RF_NAME_THRESHOLD);
}

/* Parse options; returns 0, an exit code, or -1 after --help. */
static int parse(int argc, char **argv, compare_opts *o)
{
    static const struct option longs[] = {
        {"kind", required_argument, NULL, 'k'}, {"output", required_argument, NULL, 'o'},
        {"explain", no_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "k:o:h", longs, NULL)) != -1) {
        if (c == 'k' && (o->kind = rf_name_kind_parse(optarg)) < 0)
            return msg_usage("compare", "unknown kind '%s' (company, person)", optarg);
        if (c == 'o') {
            o->output = rf_output_parse(optarg);
            if (o->output != RF_OUT_JSONL && o->output != RF_OUT_TABLE)
                return msg_usage("compare", "unknown output format '%s' (table, jsonl)", optarg);
        }
        if (c == 'e')
            o->explain = true;
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        if (c == '?')
            return msg_usage("compare", "bad option");
    }
    return 0;
}

/* Print one labelled row of the table, "-" when empty. */
static void row(const char *label, const char *text)
{
    printf("  %-9s %s\n", label, text && *text ? text : "-");
}

/* Print a comparison as a readable block. */
static void print_table(const char *a, const char *b, const rf_name_explain *ex)
{
    char buf[512];
    printf("score %.3f  match %s  (threshold %.2f, %s, rule %s)\n", ex->score,
           ex->match ? "yes" : "no", RF_NAME_THRESHOLD,
           ex->kind == RF_NAME_PERSON ? "person" : "company", ex->rule);
    row("a", a);
    row("b", b);
    snprintf(buf, sizeof buf, "%s%s%s%s", ex->norm_a, ex->legal_a[0] ? "  [legal form: " : "",
             ex->legal_a, ex->legal_a[0] ? "]" : "");
    row("norm a", buf);
    snprintf(buf, sizeof buf, "%s%s%s%s", ex->norm_b, ex->legal_b[0] ? "  [legal form: " : "",
             ex->legal_b, ex->legal_b[0] ? "]" : "");
    row("norm b", buf);
    row("shared", ex->shared);
    row("only a", ex->only_a);
    row("only b", ex->only_b);
    snprintf(buf, sizeof buf,
             "token %.3f  cover %.3f  chars %.3f  penalty -%.3f  legal %+.3f",
             ex->token_sim, ex->cover_sim, ex->char_sim, ex->penalty, ex->legal_adj);
    row("parts", buf);
}

/* Add "explain": the explanation, its reals at the given precision. */
static void gen_explain(yajl_gen g, const rf_name_explain *ex, int precision)
{
    char buf[4096], err[160];
    yajl_val e;
    rf_name_explain_json(ex, buf, sizeof buf);
    if (cli_json_parse(buf, &e, err, sizeof err))
        return;
    cli_json_str(g, "explain");
    cli_json_tree(g, e, precision);
    yajl_tree_free(e);
}

/* Print a comparison of two command-line names as one JSON line. */
static void print_jsonl(const char *a, const char *b, const rf_name_explain *ex)
{
    yajl_gen g = cli_json_gen();
    if (!g)
        return;
    yajl_gen_map_open(g);
    cli_json_str(g, "a");
    cli_json_str(g, a);
    cli_json_str(g, "b");
    cli_json_str(g, b);
    cli_json_str(g, "kind");
    cli_json_str(g, ex->kind == RF_NAME_PERSON ? "person" : "company");
    cli_json_str(g, "score");
    cli_json_real(g, ex->score, 4);
    cli_json_str(g, "match");
    yajl_gen_bool(g, ex->match);
    gen_explain(g, ex, 4);
    yajl_gen_map_close(g);
    cli_json_print(g);
}

/* Compare the two names given on the command line. */
static int compare_args(const compare_opts *o, const char *a, const char *b)
{
    rf_name_norm na, nb;
    if (rf_name_normalize(a, (size_t)-1, (rf_name_kind)o->kind, &na) != RF_OK ||
        rf_name_normalize(b, (size_t)-1, (rf_name_kind)o->kind, &nb) != RF_OK) {
        msg_error("a name is not valid UTF-8");
        return EXIT_INPUT;
    }
    rf_name_explain ex;
    rf_name_compare_norm(&na, &nb, &ex);
    int out = o->output >= 0 ? o->output : isatty(STDOUT_FILENO) ? RF_OUT_TABLE : RF_OUT_JSONL;
    if (out == RF_OUT_TABLE)
        print_table(a, b, &ex);
    else
        print_jsonl(a, b, &ex);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg_error("cannot write the output: %s", strerror(errno));
        return EXIT_IO;
    }
    return EXIT_CLEAN;
}

/* Score one JSON object: print it back with "score", "match" (and
 * "explain") set, in place when present; returns an error message or NULL. */
static const char *score_object(yajl_val obj, const compare_opts *o)
{
    if (!YAJL_IS_OBJECT(obj))
        return "not a JSON object";
    yajl_val a = cli_json_get(obj, "a"), b = cli_json_get(obj, "b");
    yajl_val k = cli_json_get(obj, "kind");
    if (!YAJL_IS_STRING(a) || !YAJL_IS_STRING(b))
        return "\"a\" and \"b\" must be strings";
    int kind = o->kind;
    if (k && (!YAJL_IS_STRING(k) || (kind = rf_name_kind_parse(k->u.string)) < 0))
        return "\"kind\" must be \"company\" or \"person\"";
    rf_name_explain ex;
    rf_name_compare(a->u.string, b->u.string, (rf_name_kind)kind, &ex);
    yajl_gen g = cli_json_gen();
    if (!g)
        return "out of memory";
    double score = (double)(long)(ex.score * 10000 + 0.5) / 10000;
    bool done[3] = {false, false, !o->explain}; /* keys are unique: parse refuses repeats */
    yajl_gen_map_open(g);
    for (size_t i = 0; i < obj->u.object.len; i++) { /* ours go where the input had them */
        const char *key = obj->u.object.keys[i];
        if (strcmp(key, "score") == 0 && (done[0] = true)) {
            cli_json_str(g, key);
            cli_json_real(g, score, 6);
        } else if (strcmp(key, "match") == 0 && (done[1] = true)) {
            cli_json_str(g, key);
            yajl_gen_bool(g, ex.match);
        } else if (o->explain && strcmp(key, "explain") == 0 && (done[2] = true)) {
            gen_explain(g, &ex, 6);
        } else {
            cli_json_str(g, key);
            cli_json_tree(g, obj->u.object.values[i], 6);
        }
    }
    if (!done[0]) {
        cli_json_str(g, "score");
        cli_json_real(g, score, 6);
    }
    if (!done[1]) {
        cli_json_str(g, "match");
        yajl_gen_bool(g, ex.match);
    }
    if (!done[2])
        gen_explain(g, &ex, 6);
    yajl_gen_map_close(g);
    return cli_json_print(g) == 0 ? NULL : "not valid UTF-8";
}

/* Write the error line for a bad input line. */
static void bad_line(long line, const char *msg, size_t *shown)
{
    if ((*shown)++ < 50)
        msg_error("<stdin>:%ld: %s", line, msg);
    yajl_gen g = cli_json_gen();
    if (!g)
        return;
    yajl_gen_map_open(g);
    cli_json_str(g, "line");
    yajl_gen_integer(g, line);
    cli_json_str(g, "error");
    cli_json_str(g, msg);
    yajl_gen_map_close(g);
    cli_json_print(g);
}

/* Handle one input line: one output line. Returns false for a bad line. */
static bool compare_line(const char *text, long line, const compare_opts *o, size_t *shown)
{
    char msg[256];
    yajl_val obj;
    const char *err = cli_json_parse(text, &obj, msg, sizeof msg);
    if (!err)
        err = score_object(obj, o);
    yajl_tree_free(obj);
    if (err) {
        if (err != msg)
            snprintf(msg, sizeof msg, "%s", err);
        bad_line(line, msg, shown);
        return false;
    }
    return true;
}

/* Read pairs from stdin, one JSON object a line; one output line each. */
static int compare_stream(const compare_opts *o)
{
    char *buf = NULL;
    size_t cap = 0, shown = 0, bad = 0;
    ssize_t n;
    long line = 0;
    int rc = EXIT_CLEAN;
    while ((n = getline(&buf, &cap, stdin)) >= 0) {
        line++;
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = 0;
        if (strspn(buf, " \t") == (size_t)n)
            continue;
        if ((size_t)n > MAX_LINE)
            bad_line(line, "line too long", &shown), bad++;
        else if (!compare_line(buf, line, o, &shown))
            bad++;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            msg_error("cannot write the output: %s", strerror(errno));
            rc = EXIT_IO;
            break;
        }
    }
    free(buf);
    if (rc == EXIT_CLEAN && ferror(stdin)) {
        msg_error("<stdin>: %s", strerror(errno));
        rc = EXIT_IO;
    }
    return rc == EXIT_CLEAN && bad ? EXIT_INPUT : rc;
}

/* Entry point of `redflag compare`. */
int cmd_compare(int argc, char **argv)
{
    compare_opts o = {.kind = RF_NAME_COMPANY, .output = -1};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    signal(SIGPIPE, SIG_IGN);
    int nargs = argc - optind;
    if (nargs == 2)
        rc = compare_args(&o, argv[optind], argv[optind + 1]);
    else if (nargs == 0)
        rc = compare_stream(&o);
    else
        rc = msg_usage("compare", "give two names, or none to read pairs from stdin");
    rf_name_thread_cleanup();
    return rc;
}
