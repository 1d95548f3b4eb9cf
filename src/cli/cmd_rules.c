/* `redflag rules check|list|test`: compile, list and test the rules. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "redflag/record.h"
#include "redflag/rules.h"

typedef struct rules_opts {
    const char *dirs[16];
    size_t ndirs;
    size_t min_examples;
    char **args;            /* trace: the words of the text */
    int nargs;
} rules_opts;

/* Print the help of `rules`. */
static void usage(FILE *fp)
{
    fprintf(fp, "usage: redflag rules check|list|test [--rules DIR]... [--min-examples N]\n"
                "       redflag rules trace [--rules DIR]... TEXT...|-\n\n"
                "  check   compile the rules; report file:line:column of the first error\n"
                "  list    print id, indicator, severity, weight and sources of every rule\n"
                "  test    run every rule's `expect hit` / `expect miss` examples and show\n"
                "          each mismatch; exit 1 when any fails\n"
                "  trace   show, for TEXT (or standard input with -), every rule's occurrences:\n"
                "          language, span, the lexicon words that fired, each occurrence an\n"
                "          `unless` dropped and by what, and the verdict, with file and line\n\n"
                "  --rules DIR        rules directory or file (repeatable; default: the shipped rules)\n"
                "  --min-examples N   test: also fail rules with fewer than N hit or N miss examples\n");
}

/* Compile rules (the shipped ones when no path is given), printing the diagnostic. */
int cli_compile_rules(const char *const *paths, size_t npaths, rf_ruleset **rs)
{
    const char *def = cli_rules_dir(NULL);
    rf_diag d;
    int rc = rf_ruleset_compile(rs, npaths ? paths : &def, npaths ? npaths : 1, &d);
    if (rc == RF_OK)
        return EXIT_CLEAN;
    msg_diag(&d, rc);
    return rc == RF_ENOMEM ? EXIT_IO : EXIT_RULES;
}

/* `rules list`: one line per rule. */
static int do_list(const rf_ruleset *rs)
{
    printf("%-36s %-32s %-8s %6s  %-8s  %s\n", "RULE", "INDICATOR", "SEVERITY", "WEIGHT", "SCOPE",
           "SOURCES");
    for (size_t i = 0; i < rf_ruleset_count(rs); i++) {
        const rf_rule_info *r = rf_ruleset_rule(rs, i);
        printf("%-36s %-32s %-8s %6d  %-8s  %s\n", r->id, r->indicator, rf_level_name(r->severity),
               r->weight, rf_scope_name(r->scope), r->sources);
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_CLEAN : EXIT_IO;
}

/* Print one failing example. */
static void show_outcome(const rf_example_outcome *o, void *ud)
{
    (void)ud;
    if (o->fired == o->expect_hit)
        return;
    printf("%s:%d: rule %s: expected %s, %s: %s\n", o->rule->file, o->line, o->rule->id,
           o->expect_hit ? "a hit" : "a miss", o->fired ? "it fired" : "it did not fire",
           o->example);
}

/* `rules test`: run the examples, then the example-count policy. */
static int do_test(const rf_ruleset *rs, size_t min_examples)
{
    size_t total, failed;
    if (rf_ruleset_test(rs, show_outcome, NULL, &total, &failed) != RF_OK) {
        msg_error("out of memory while testing rules");
        return EXIT_IO;
    }
    size_t thin = 0;
    for (size_t i = 0; i < rf_ruleset_count(rs); i++) {
        const rf_rule_info *r = rf_ruleset_rule(rs, i);
        if (r->nhit < min_examples || r->nmiss < min_examples) {
            printf("%s:%d: rule %s: has %zu hit and %zu miss examples; at least %zu of each "
                   "required\n", r->file, r->line, r->id, r->nhit, r->nmiss, min_examples);
            thin++;
        }
    }
    printf("%zu rules, %zu examples, %zu failed%s\n", rf_ruleset_count(rs), total, failed,
           thin ? ", some rules have too few examples" : "");
    printf("%zu passed, %zu failed\n", total - failed, failed);
    return failed || thin ? EXIT_FLAGGED : EXIT_CLEAN;
}

typedef struct trace_out {
    FILE *fp;
    const char *prefix;   /* before each line ("" or the record's id) */
    size_t events, fired; /* occurrences of the current rule; rules that fire */
} trace_out;

/* Print one trace event: occurrences, then the verdict of a rule that had any. */
static void show_trace(const rf_trace_event *ev, void *ud)
{
    trace_out *to = ud;
    const rf_rule_info *r = ev->rule;
    if (ev->kind == RF_TRACE_VERDICT) {
        if (ev->fired || to->events)
            fprintf(to->fp, "%s%s:%d: rule %s (%s): %s\n", to->prefix, r->file, r->line, r->id,
                    r->indicator, ev->fired ? "FIRES" : "does not fire");
        to->fired += ev->fired;
        to->events = 0;
        return;
    }
    to->events++;
    fprintf(to->fp, "%s%s:%d: rule %s $%s [%s; text: %s] %s %s bytes %zu-%zu \"%.*s\"",
            to->prefix, r->file, ev->line, r->id, ev->pattern, ev->lang, ev->text_langs,
            ev->kind == RF_TRACE_HIT ? "hit" : "dropped", ev->field, ev->s, ev->e,
            (int)(ev->e - ev->s), ev->text + ev->s);
    if (ev->concepts[0])
        fprintf(to->fp, " concepts %s", ev->concepts);
    if (ev->kind == RF_TRACE_DROPPED)
        fprintf(to->fp, " by unless %s \"%.*s\"", ev->by[0] ? ev->by : "?",
                (int)(ev->ue - ev->us), ev->text + ev->us);
    fputc('\n', to->fp);
}

/* `screen --explain`: the trace of one record's rules, on fp, each line
 * prefixed with the record's id. */
int cli_explain_record(const rf_ruleset *rs, const rf_record *rec, FILE *fp)
{
    const char *id = rf_record_str(rec, RF_F_ID, 0, NULL);
    char prefix[160];
    snprintf(prefix, sizeof prefix, "explain %s: ", id && id[0] ? id : "(no id)");
    trace_out to = {fp, prefix, 0, 0};
    return rf_ruleset_trace_record(rs, rec, show_trace, &to);
}

/* Read all of standard input into a string (caller frees); NULL on error. */
static char *read_stdin(size_t *len)
{
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    char chunk[65536];
    size_t n;
    if (!mem)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        fwrite(chunk, 1, n, mem);
    bool bad = ferror(stdin) || fclose(mem) != 0;
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* `rules trace TEXT`: every rule's occurrences and verdict on the text. */
static int do_trace(const rf_ruleset *rs, char **words, int nwords)
{
    char *text = NULL;
    size_t len = 0;
    if (nwords == 1 && strcmp(words[0], "-") == 0) {
        text = read_stdin(&len);
    } else {
        FILE *mem = open_memstream(&text, &len);
        for (int i = 0; mem && i < nwords; i++)
            fprintf(mem, "%s%s", i ? " " : "", words[i]);
        if (mem)
            fclose(mem);
    }
    if (!text) {
        msg_error("cannot read the text to trace");
        return EXIT_IO;
    }
    trace_out to = {stdout, "", 0, 0};
    int rc = rf_ruleset_trace(rs, text, len, show_trace, &to);
    free(text);
    if (rc == RF_OK)
        printf("%zu of %zu rules fire\n", to.fired, rf_ruleset_count(rs));
    if (rc == RF_EINVAL) {
        msg_error("the text to trace is not valid UTF-8");
        return EXIT_INPUT;
    }
    if (rc != RF_OK) {
        msg_error("out of memory while tracing");
        return EXIT_IO;
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_CLEAN : EXIT_IO;
}

/* Parse the options after the subcommand name. */
static int parse(int argc, char **argv, rules_opts *o)
{
    static const struct option longs[] = {
        {"rules", required_argument, NULL, 'r'}, {"min-examples", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (c == 'r' && o->ndirs < sizeof o->dirs / sizeof o->dirs[0]) {
            o->dirs[o->ndirs++] = optarg;
        } else if (c == 'm') {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 0)
                return msg_usage("rules", "--min-examples needs a number, got '%s'", optarg);
            o->min_examples = (size_t)n;
        } else if (c == 'h') {
            usage(stdout);
            return -1;
        } else {
            return msg_usage("rules", "bad option");
        }
    }
    if (o->args) {
        o->args = argv + optind;
        o->nargs = argc - optind;
        if (!o->nargs)
            return msg_usage("rules", "trace needs a TEXT (or - for standard input)");
    } else if (optind < argc) {
        return msg_usage("rules", "unexpected argument '%s'", argv[optind]);
    }
    return EXIT_CLEAN;
}

/* Entry point of `redflag rules`. */
int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_INPUT : EXIT_CLEAN;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "check") && strcmp(sub, "list") && strcmp(sub, "test") &&
        strcmp(sub, "trace"))
        return msg_usage("rules", "unknown rules command '%s' (check, list, test or trace)", sub);
    rules_opts o = {0};
    if (strcmp(sub, "trace") == 0)
        o.args = argv; /* marks that words follow */
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc)
        return rc < 0 ? EXIT_CLEAN : rc;
    rf_ruleset *rs = NULL;
    if ((rc = cli_compile_rules(o.dirs, o.ndirs, &rs)) != EXIT_CLEAN)
        return rc;
    if (strcmp(sub, "check") == 0) {
        printf("%zu rules compiled, no errors (digest %s)\n", rf_ruleset_count(rs),
               rf_ruleset_digest(rs));
        rc = EXIT_CLEAN;
    } else if (strcmp(sub, "list") == 0) {
        rc = do_list(rs);
    } else if (strcmp(sub, "trace") == 0) {
        rc = do_trace(rs, o.args, o.nargs);
    } else {
        rc = do_test(rs, o.min_examples);
    }
    rf_ruleset_destroy(rs);
    return rc;
}
