/* Opening the risk lists for a command: data directory, feed list, index
 * (built from the bundled snapshots on first use), matcher. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include <time.h>
#include "redflag/goods.h"
#include "redflag/match.h"
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

/* Per-list policies from feeds.conf (weights, criticality, titles). */
static int make_matcher(cli_lists *l)
{
    rf_list_policy *pol = calloc(l->conf->nfeeds + 1, sizeof *pol);
    if (!pol)
        return RF_ENOMEM;
    for (size_t i = 0; i < l->conf->nfeeds; i++) {
        const rf_feed_def *d = &l->conf->feeds[i];
        pol[i] = (rf_list_policy){d->name, d->title ? d->title : d->name, d->critical, d->weight};
    }
    int rc = rf_matcher_create(&l->matcher, l->ix, pol, l->conf->nfeeds, RF_NAME_THRESHOLD);
    free(pol);
    return rc;
}

/* Index callback: one DOL listing into the goods table. */
static int add_listing(const rf_goods *g, void *ud)
{
    int rc = rf_goods_table_add_listing(ud, g);
    return rc == RF_ENOMEM ? rc : 0; /* a good the table lacks is skipped */
}

/* Index callback: the DOL feed's data date names the list's edition. */
static int dol_edition(const rf_index_feed *f, void *ud)
{
    if (!f->format || strcmp(f->format, "dol_goods_xml") != 0 || f->fetched_at <= 0)
        return 0;
    time_t t = (time_t)f->fetched_at;
    char ed[32];
    strftime(ed, sizeof ed, strncmp(f->status ? f->status : "", "bundled", 7) == 0 ? "%Y"
                                                                                   : "of %Y-%m-%d",
             gmtime(&t));
    rf_goods_table_set_edition(ud, ed);
    return 1;
}

/* Load the goods x origin table beside the rules and fill it from the index. */
static int load_goods(cli_lists *l, const char *rules_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/goods.tsv", rules_dir);
    rf_diag d;
    int rc = rf_goods_table_load(&l->goods, path, &d);
    if (rc == RF_EIO) {
        msg_warn("%s: cannot read it: goods x origin is not checked", path);
        return RF_OK;
    }
    if (rc != RF_OK) {
        msg_diag(&d, rc);
        return rc;
    }
    rf_index_foreach_feed(l->ix, dol_edition, l->goods);
    rc = rf_index_foreach_goods(l->ix, add_listing, l->goods);
    return rc == 1 ? RF_OK : rc;
}

/* Open the lists; without `required`, trouble only warns and screening goes on
 * without them (l->ix NULL). Returns an exit code. */
int cli_lists_open(cli_lists *l, const char *data_opt, const char *conf_opt, const char *rules_dir,
                   bool required)
{
    memset(l, 0, sizeof *l);
    l->data = cli_data_dir(data_opt);
    if (!l->data) {
        if (required)
            return msg_usage("lookup", "no data directory: set --data, REDFLAG_DATA or HOME");
        msg_warn("no data directory (set --data, REDFLAG_DATA or HOME): screening without the "
                 "risk lists");
        return EXIT_CLEAN;
    }
    if (!(l->conf = cli_load_conf(conf_opt)))
        return EXIT_INPUT;
    int rc = rf_index_open(&l->ix, l->data);
    if (rc == RF_ENOTFOUND && (rc = first_build(l->conf, l->data)) == RF_OK)
        rc = rf_index_open(&l->ix, l->data);
    if (rc == RF_OK)
        rc = make_matcher(l);
    if (rc == RF_OK && rules_dir && (rc = load_goods(l, rules_dir)) == RF_ESYNTAX) {
        cli_lists_close(l);
        return EXIT_RULES;
    }
    if (rc != RF_OK) {
        const char *why = rf_update_error()[0] ? rf_update_error() : rf_index_error();
        if (required) {
            msg_error("cannot open the list index in %s: %s", l->data, why);
            cli_lists_close(l);
            return EXIT_IO;
        }
        msg_warn("cannot open the list index in %s (%s): screening without the risk lists",
                 l->data, why);
        rf_index_close(l->ix);
        l->ix = NULL;
    }
    return EXIT_CLEAN;
}

/* Close what cli_lists_open opened. */
void cli_lists_close(cli_lists *l)
{
    rf_goods_table_destroy(l->goods);
    rf_matcher_destroy(l->matcher);
    rf_index_close(l->ix);
    rf_feedconf_destroy(l->conf);
    memset(l, 0, sizeof *l);
}
