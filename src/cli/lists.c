/* Opening what a command screens with: data directory, feed list, index
 * (built from the bundled snapshots on first use, with a message), and the
 * library's screening engine over them (screen.h), whose notes it prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "redflag/screen.h"
#include "redflag/update.h"

/* A string as a JSON literal (malloc'd; "null" on failure is never needed). */
char *cli_json_string(const char *s)
{
    const char *t = s ? s : "";
    yajl_gen g = cli_json_gen();
    const unsigned char *buf;
    size_t len;
    char *out = NULL;
    if (g && yajl_gen_string(g, (const unsigned char *)t, strlen(t)) == yajl_gen_status_ok &&
        yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = strndup((const char *)buf, len);
    if (g)
        yajl_gen_free(g);
    return out ? out : strdup("\"\"");
}

/* Build the index from the bundled snapshots (no network), telling the user. */
static int first_build(const rf_feedconf *conf, const char *data)
{
    fprintf(stderr, "redflag: no list index in %s yet: indexing the bundled snapshots "
                    "(run `redflag fetch` for the current lists)\n", data);
    rf_update_opts o;
    rf_update_opts_init(&o);
    o.offline = true;
    return rf_update(conf, data, &o, NULL, NULL);
}

/* Open the index in l->data, indexing the bundled snapshots the first time. */
static int open_index(cli_lists *l)
{
    int rc = rf_index_open(&l->ix, l->data);
    if (rc == RF_ENOTFOUND && (rc = first_build(l->conf, l->data)) == RF_OK)
        rc = rf_index_open(&l->ix, l->data);
    return rc;
}

/* Say why the lists are not used: an error when they are required (EXIT_IO),
 * else a warning (EXIT_CLEAN, screening goes on without them). */
static int lists_trouble(cli_lists *l, const cli_lists_opts *o, const char *why)
{
    if (o->required) {
        msg_error("cannot open the list index in %s: %s", l->data, why);
        return EXIT_IO;
    }
    msg_warn("cannot open the list index in %s (%s): screening without the risk lists", l->data,
             why);
    return EXIT_CLEAN;
}

/* The engine over the open index (or none): goods table, policies, cache. */
static int make_engine(cli_lists *l, const cli_lists_opts *o, bool lists)
{
    char goods[4200];
    rf_diag d = {0};
    rf_engine_opts eo;
    rf_engine_opts_init(&eo);
    eo.rules = o->rules;
    eo.lists = lists;
    eo.index = l->ix;
    eo.data_dir = l->data;
    eo.cache = o->cache;
    eo.cache_ttl = o->cache_ttl;
    eo.prefilter = o->prefilter;
    eo.diag = &d;
    eo.conf = lists ? l->conf : NULL;
    if (lists && o->rules_dir) {
        snprintf(goods, sizeof goods, "%s/goods.tsv", o->rules_dir);
        eo.goods_path = goods;
    }
    int rc = rf_engine_create(&l->engine, &eo);
    if (rc == RF_ESYNTAX) {
        msg_diag(&d, rc);
        return EXIT_RULES;
    }
    if (rc != RF_OK) {
        msg_error("%s", rf_screen_error());
        return EXIT_IO;
    }
    size_t n;
    const char *const *notes = rf_engine_notes(l->engine, &n);
    for (size_t i = 0; i < n; i++)
        msg_warn("%s", notes[i]);
    return EXIT_CLEAN;
}

/* Open the lists and make the engine. Returns an exit code. */
int cli_lists_open(cli_lists *l, const cli_lists_opts *o)
{
    memset(l, 0, sizeof *l);
    if (!o->lists)
        return make_engine(l, o, false);
    l->data = cli_data_dir(o->data);
    if (!l->data) {
        if (o->required)
            return msg_usage("lookup", "no data directory: set --data, REDFLAG_DATA or HOME");
        msg_warn("no data directory (set --data, REDFLAG_DATA or HOME): screening without the "
                 "risk lists");
        return make_engine(l, o, false);
    }
    if (!(l->conf = cli_load_conf(o->conf)))
        return EXIT_INPUT;
    int rc = open_index(l);
    if (rc != RF_OK) {
        const char *why = rf_update_error()[0] ? rf_update_error() : rf_index_error();
        int ex = lists_trouble(l, o, why);
        rf_index_close(l->ix);
        l->ix = NULL;
        return ex != EXIT_CLEAN ? ex : make_engine(l, o, false);
    }
    return make_engine(l, o, true);
}

/* Close what cli_lists_open opened. */
void cli_lists_close(cli_lists *l)
{
    rf_engine_destroy(l->engine);
    rf_index_close(l->ix);
    rf_feedconf_destroy(l->conf);
    memset(l, 0, sizeof *l);
}
