/* Screening records from a program of your own with libredflag (screen.h):
 * compile the rules once, make an engine over the list index, one screener per
 * thread, then one call per record. Reads JSON Lines on stdin, writes one
 * verdict a line. Build against an installed library:
 *   cc embed.c $(pkg-config --cflags --libs redflag) -o embed
 *   ./embed RULES_DIR [DATA_DIR] < orders.jsonl
 * Without DATA_DIR only the rules run; with it, the list index there (made by
 * `redflag fetch`) screens the parties too, each list weighted as the feed
 * list beside the rules (RULES_DIR/../feeds/feeds.conf) says. */
#include <stdio.h>
#include <string.h>
#include <redflag/redflag.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: embed RULES_DIR [DATA_DIR] < records.jsonl\n");
        return 2;
    }
    rf_ruleset *rules = NULL;
    rf_diag diag;
    const char *paths[] = {argv[1]};
    if (rf_ruleset_compile(&rules, paths, 1, &diag) != RF_OK) {
        fprintf(stderr, "%s:%d:%d: %s\n", diag.file, diag.line, diag.col, diag.msg);
        return 3;
    }
    char goods[4096], feeds[4096];
    snprintf(goods, sizeof goods, "%s/goods.tsv", argv[1]);
    snprintf(feeds, sizeof feeds, "%s/../feeds/feeds.conf", argv[1]);
    rf_feedconf *conf = NULL;
    if (argc > 2 && rf_feedconf_load(&conf, feeds, &diag) != RF_OK) {
        fprintf(stderr, "%s:%d: %s\n", diag.file, diag.line, diag.msg);
        return 2;
    }
    rf_engine_opts o;
    rf_engine_opts_init(&o);
    o.rules = rules;
    o.data_dir = argc > 2 ? argv[2] : NULL;
    o.lists = argc > 2;     /* the parties against the lists, goods x origin */
    o.goods_path = goods;
    o.conf = conf;
    o.cache = false;
    rf_engine *engine = NULL;
    rf_screener *screener = NULL;
    rf_record *rec = NULL;
    rf_result *res = NULL;
    rf_writer *out = NULL;
    int rc = rf_engine_create(&engine, &o);
    if (rc == RF_OK)
        rc = rf_screener_create(&screener, engine);
    if (rc == RF_OK && (rf_record_create(&rec) || rf_result_create(&res) ||
                        rf_writer_create(&out, stdout, RF_OUT_JSONL, 0)))
        rc = RF_ENOMEM;
    char line[1 << 16], err[256];
    while (rc == RF_OK && fgets(line, sizeof line, stdin)) {
        rf_result_reset(res);
        if (rf_record_from_json(line, strlen(line), rec, err, sizeof err) != RF_OK)
            rf_result_set_error(res, NULL, err); /* one output line per input line */
        else if ((rc = rf_screener_screen(screener, rec, res)) != RF_OK)
            break;
        rc = rf_writer_write(out, res);
    }
    if (rc != RF_OK)
        fprintf(stderr, "embed: %s (%s)\n", rf_strerror(rc), rf_screen_error());
    rf_writer_finish(out);
    rf_writer_destroy(out);
    rf_result_destroy(res);
    rf_record_destroy(rec);
    rf_screener_destroy(screener);
    rf_engine_destroy(engine);
    rf_feedconf_destroy(conf);
    rf_ruleset_destroy(rules);
    return rc == RF_OK ? 0 : 4;
}
