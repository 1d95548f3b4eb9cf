/* redflag command-line tool: shared declarations of the subcommands. */
#ifndef REDFLAG_CLI_H
#define REDFLAG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Exit codes, a contract (redflag(1) EXIT STATUS, README.md "Exit codes"). */
enum {
    EXIT_CLEAN = 0,   /* nothing reached the --fail-on level */
    EXIT_FLAGGED = 1, /* at least one record did */
    EXIT_INPUT = 2,   /* usage or input error */
    EXIT_RULES = 3,   /* rule compile error */
    EXIT_IO = 4       /* I/O, network or storage error */
};

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

/* All messages go through these: "redflag: error: …" on stderr. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct rf_diag;
/* Print a library diagnostic (file:line:col or file) for return code rc. */
void msg_diag(const struct rf_diag *d, int rc);
/* Print a usage error with a hint to --help; returns EXIT_INPUT. */
int msg_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The rules directory: --rules value, else $REDFLAG_RULES, else rules/ beside
 * the executable, else the installed share directory. Static storage. */
const char *cli_rules_dir(const char *opt);

/* The feed list: --conf value, $REDFLAG_FEEDS, feeds/feeds.conf beside the
 * executable, else the installed one. Static storage. */
const char *cli_feeds_conf(const char *opt);
/* The data directory (docs/DATA.md "Where it is"): --data, $REDFLAG_DATA,
 * $XDG_DATA_HOME/redflag, ~/.local/share/redflag; NULL when none. Static storage. */
const char *cli_data_dir(const char *opt);

/* --insecure-data: use a data directory that fails rf_data_dir_check. */
extern bool cli_insecure_data;
/* Refuse an untrusted data directory (rf_data_dir_check) with the path and
 * the fix, unless --insecure-data or REDFLAG_INSECURE_DATA=1 (then a warning).
 * Returns EXIT_CLEAN or EXIT_IO. */
int cli_data_check(const char *dir);

struct rf_feedconf;
/* Load the feed list (--conf or the default), printing its error; NULL on failure. */
struct rf_feedconf *cli_load_conf(const char *opt);

/* A string as a JSON literal; malloc'd, the caller frees it. */
char *cli_json_string(const char *s);

/* JSON with YAJL (json.c). Parse one NUL-terminated text strictly (no comments, no repeated
 * keys, integers in 64 bits) into *out, owned by the caller (yajl_tree_free);
 * NULL, or the message (err or a static string). */
const char *cli_json_parse(const char *text, yajl_val *out, char *err, size_t errlen);
/* A member's value (the last one named key), or NULL. */
yajl_val cli_json_get(yajl_val o, const char *key);
/* A compact generator that refuses invalid UTF-8; NULL when out of memory. */
yajl_gen cli_json_gen(void);
/* Add a string, or a key inside a map. */
void cli_json_str(yajl_gen g, const char *s);
/* Add a real as "%.*g" with ".0" when integral and a short exponent. */
void cli_json_real(yajl_gen g, double v, int precision);
/* Add a parsed value: integers as they were, reals at that precision. */
void cli_json_tree(yajl_gen g, yajl_val v, int precision);
/* Print g's text and a newline to stdout and free g; 0, or -1 when nothing
 * could be generated. */
int cli_json_print(yajl_gen g);

struct rf_index;
struct rf_engine;
struct rf_ruleset;
/* What a command screens with. */
typedef struct cli_lists {
    const char *data;          /* data directory (static storage), NULL without lists */
    struct rf_feedconf *conf;
    struct rf_index *ix;       /* NULL when screening goes on without lists */
    struct rf_engine *engine;  /* always made when cli_lists_open succeeds */
} cli_lists;
/* How to open them. */
typedef struct cli_lists_opts {
    const struct rf_ruleset *rules; /* NULL: lists only (`lookup`) */
    const char *data, *conf;   /* --data, --conf (NULL: the defaults) */
    const char *rules_dir;     /* goods x origin from rules_dir/goods.tsv; NULL: none */
    bool lists;                /* false: rules only (--no-lists) */
    bool required;             /* lists must open (else a warning, and rules only) */
    bool cache, prefilter;
    long long cache_ttl;
} cli_lists_opts;
/* Open the index in the data directory (indexing the bundled snapshots the
 * first time) and make the engine; print its notes as warnings. Without
 * `required`, a missing data directory or a broken index only warns and the
 * engine screens without lists. Returns an exit code. */
int cli_lists_open(cli_lists *l, const cli_lists_opts *o);
/* Close the lists; safe on a zeroed struct. */
void cli_lists_close(cli_lists *l);

struct rf_ruleset;
struct rf_record;
/* Compile the rule files or directories in paths (none: the shipped rules),
 * printing the diagnostic on failure. Returns an exit code (3 for bad rules). */
int cli_compile_rules(const char *const *paths, size_t npaths, struct rf_ruleset **rs);
/* `screen --explain`: write why each rule fires or not on rec to fp (cmd_rules.c). */
int cli_explain_record(const struct rf_ruleset *rs, const struct rf_record *rec, FILE *fp);

/* `screen`, or with audit true `audit` (an HTML report of the run). */
int cli_screen(int argc, char **argv, bool audit);

struct rf_writer;
/* A report file being written (report.c): aside as a mkstemp file beside it,
 * renamed when complete. */
typedef struct cli_report {
    const char *path;
    char tmp[4200];
    FILE *fp;
} cli_report;
/* Open the report's temporary file (mode 0600, or 0640 when data_dir lets its
 * group in); NULL (after a message) when it cannot be, or when path is a
 * symbolic link. */
FILE *cli_report_open(cli_report *r, const char *path, const char *data_dir);
/* Close the report: with ok, rename it into place and print the run's summary
 * (from w) to stdout, else remove it. Returns rc, or EXIT_IO on failure. */
int cli_report_close(cli_report *r, bool ok, struct rf_writer *w, int rc);

struct rf_match_hit;
/* One lookup hit as `lookup -o jsonl` writes it, a line on fp (cmd_lookup.c). */
void cli_lookup_hit_json(FILE *fp, const char *query, const struct rf_match_hit *h);

/* Subcommands, one file each. */
int cmd_screen(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
