/* `redflag compare`: score two names, or pairs read as JSON lines from stdin. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
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

/* Print a comparison of two command-line names as one JSON line. */
static void print_jsonl(const char *a, const char *b, const rf_name_explain *ex)
{
    char buf[4096];
    rf_name_explain_json(ex, buf, sizeof buf);
    json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:b}", "a", a, "b", b, "kind",
                          ex->kind == RF_NAME_PERSON ? "person" : "company", "score",
                          ex->score, "match", ex->match);
    json_t *e = json_loads(buf, 0, NULL);
    if (o && e)
        json_object_set_new(o, "explain", e);
    else
        json_decref(e);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
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

/* Score one JSON object in place; returns an error message or NULL. */
static const char *score_object(json_t *obj, const compare_opts *o)
{
    if (!json_is_object(obj))
        return "not a JSON object";
    json_t *a = json_object_get(obj, "a"), *b = json_object_get(obj, "b");
    json_t *k = json_object_get(obj, "kind");
    if (!json_is_string(a) || !json_is_string(b))
        return "\"a\" and \"b\" must be strings";
    int kind = o->kind;
    if (k && (!json_is_string(k) || (kind = rf_name_kind_parse(json_string_value(k))) < 0))
        return "\"kind\" must be \"company\" or \"person\"";
    rf_name_explain ex;
    rf_name_compare(json_string_value(a), json_string_value(b), (rf_name_kind)kind, &ex);
    json_object_set_new(obj, "score", json_real((double)(long)(ex.score * 10000 + 0.5) / 10000));
    json_object_set_new(obj, "match", json_boolean(ex.match));
    if (o->explain) {
        char buf[4096];
        rf_name_explain_json(&ex, buf, sizeof buf);
        json_t *e = json_loads(buf, 0, NULL);
        if (e)
            json_object_set_new(obj, "explain", e);
    }
    return NULL;
}

/* Write the error line for a bad input line. */
static void bad_line(long line, const char *msg, size_t *shown)
{
    if ((*shown)++ < 50)
        msg_error("<stdin>:%ld: %s", line, msg);
    json_t *e = json_pack("{s:I, s:s}", "line", (json_int_t)line, "error", msg);
    char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(e);
}

/* Handle one input line: one output line. Returns false for a bad line. */
static bool compare_line(const char *text, long line, const compare_opts *o, size_t *shown)
{
    json_error_t jerr;
    json_t *obj = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    const char *err = obj ? score_object(obj, o) : jerr.text;
    char msg[256];
    if (err) {
        snprintf(msg, sizeof msg, "%s", err);
        bad_line(line, msg, shown);
        json_decref(obj);
        return false;
    }
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(obj);
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
