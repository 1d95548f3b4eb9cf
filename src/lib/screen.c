/* The screening engine and its per-thread screeners (screen.h): what is made
 * once (lists, goods table, cache) and the path of one record through the
 * stages. The party stage is screen_party.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "screen_int.h"

static _Thread_local char errmsg[1024];

/* The calling thread's last screening error. */
const char *rf_screen_error(void)
{
    return errmsg;
}

/* Record the thread's message and hand back the code. */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* Defaults. */
void rf_engine_opts_init(rf_engine_opts *o)
{
    *o = (rf_engine_opts){.lists = true, .cache = true, .prefilter = true,
                          .threshold = RF_NAME_THRESHOLD};
}

/* Keep a note for the caller to show (an optimisation lost, a part missing). */
static void note(rf_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(rf_engine *e, const char *fmt, ...)
{
    if (e->nnotes >= sizeof e->notes / sizeof e->notes[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->notes[e->nnotes], fmt, ap) >= 0)
        e->nnotes++;
    va_end(ap);
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
    struct tm tm;
    char ed[32];
    bool bundled = strncmp(f->status ? f->status : "", "bundled", 7) == 0;
    strftime(ed, sizeof ed, bundled ? "%Y" : "of %Y-%m-%d", gmtime_r(&t, &tm));
    rf_goods_table_set_edition(ud, ed);
    return 1;
}

/* Load the goods x origin table and fill it with the index's DOL listings. */
static int load_goods(rf_engine *e, const rf_engine_opts *o)
{
    rf_diag scratch, *d = o->diag ? o->diag : &scratch;
    int rc = rf_goods_table_load(&e->goods, o->goods_path, d);
    if (rc == RF_EIO) {
        note(e, "%s: cannot read it: goods x origin is not checked", o->goods_path);
        return RF_OK;
    }
    if (rc != RF_OK)
        return fail(rc, "%s: %s", o->goods_path, d->msg);
    rf_index_foreach_feed(e->ix, dol_edition, e->goods);
    rc = rf_index_foreach_goods(e->ix, add_listing, e->goods);
    return rc == 1 || rc == RF_OK ? RF_OK : fail(rc, "goods x origin: %s", rf_index_error());
}

/* Open the profile cache of this engine's generation; trouble is a note. */
static void open_cache(rf_engine *e, const rf_engine_opts *o)
{
    char gen[RF_CACHE_GEN_HEX];
    rf_cache_opts co;
    rf_cache_opts_init(&co);
    co.ttl = o->cache_ttl;
    int rc = rf_cache_generation(e->rules ? rf_ruleset_digest(e->rules) : "",
                                 rf_index_generation(e->ix),
                                 e->threshold, e->policies, e->npolicies, gen);
    if (rc == RF_OK)
        rc = rf_cache_open(&e->cache, o->data_dir, gen, &co);
    if (rc != RF_OK)
        note(e, "cannot use the profile cache (%s): screening without it", rf_cache_error());
}

/* Copy the list policies and their strings, so the engine does not depend on
 * the caller's feed list. */
static int copy_policies(rf_engine *e, const rf_list_policy *p, size_t n)
{
    e->policies = calloc(n + 1, sizeof *e->policies);
    e->strings = calloc(2 * n + 1, sizeof *e->strings);
    if (!e->policies || !e->strings)
        return fail(RF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        e->policies[i] = p[i];
        if (p[i].list && !(e->policies[i].list = e->strings[e->nstrings++] = strdup(p[i].list)))
            return fail(RF_ENOMEM, "out of memory");
        if (p[i].title && !(e->policies[i].title = e->strings[e->nstrings++] = strdup(p[i].title)))
            return fail(RF_ENOMEM, "out of memory");
    }
    e->npolicies = n;
    return RF_OK;
}

/* Policies from the feed list: each feed's weight, criticality and title. */
static int conf_policies(rf_engine *e, const rf_feedconf *conf)
{
    rf_list_policy *pol = calloc(conf->nfeeds + 1, sizeof *pol);
    if (!pol)
        return fail(RF_ENOMEM, "out of memory");
    for (size_t i = 0; i < conf->nfeeds; i++) {
        const rf_feed_def *d = &conf->feeds[i];
        pol[i] = (rf_list_policy){d->name, d->title ? d->title : d->name, d->critical, d->weight};
    }
    int rc = copy_policies(e, pol, conf->nfeeds);
    free(pol);
    return rc;
}

/* The lists part of an engine: index, policies, goods table, cache. */
static int open_lists(rf_engine *e, const rf_engine_opts *o)
{
    int rc = RF_OK;
    if (!(e->ix = o->index)) {
        if (!o->data_dir)
            return fail(RF_EINVAL, "engine: lists need an index or a data directory");
        if ((rc = rf_index_open(&e->own_ix, o->data_dir)) != RF_OK)
            return fail(rc, "%s", rf_index_error());
        e->ix = e->own_ix;
    }
    rc = o->policies || !o->conf ? copy_policies(e, o->policies, o->policies ? o->npolicies : 0)
                                 : conf_policies(e, o->conf);
    if (rc != RF_OK)
        return rc;
    if (o->goods_path && (rc = load_goods(e, o)) != RF_OK)
        return rc;
    if (o->cache && o->data_dir)
        open_cache(e, o);
    return RF_OK;
}

/* Make an engine. */
int rf_engine_create(rf_engine **out, const rf_engine_opts *o)
{
    if (!out || !o)
        return fail(RF_EINVAL, "engine: out and options are required");
    *out = NULL;
    rf_engine *e = calloc(1, sizeof *e);
    if (!e)
        return fail(RF_ENOMEM, "out of memory");
    e->rules = o->rules;
    e->prefilter = o->prefilter;
    e->threshold = o->threshold > 0 ? o->threshold : RF_NAME_THRESHOLD;
    pthread_mutex_init(&e->cache_mu, NULL);
    int rc = o->lists ? open_lists(e, o) : RF_OK;
    if (rc != RF_OK) {
        rf_engine_destroy(e);
        return rc;
    }
    e->party_rules = e->rules && (rf_ruleset_scope_count(e->rules, RF_SCOPE_SUPPLIER) ||
                                  rf_ruleset_scope_count(e->rules, RF_SCOPE_MANUFACTURER));
    *out = e;
    return RF_OK;
}

/* Commit the queued profiles. */
int rf_engine_flush(rf_engine *e)
{
    if (!e || !e->cache)
        return RF_OK;
    pthread_mutex_lock(&e->cache_mu);
    int rc = e->cache_broken ? RF_OK : rf_cache_flush(e->cache);
    if (rc != RF_OK)
        fail(rc, "the profile cache failed (%s): the last profiles were not kept",
             rf_cache_error());
    pthread_mutex_unlock(&e->cache_mu);
    return rc;
}

/* Free an engine. */
void rf_engine_destroy(rf_engine *e)
{
    if (!e)
        return;
    rf_cache_close(e->cache);
    rf_goods_table_destroy(e->goods);
    rf_index_close(e->own_ix);
    for (size_t i = 0; i < e->nstrings; i++)
        free(e->strings[i]);
    for (size_t i = 0; i < e->nnotes; i++)
        free(e->notes[i]);
    free(e->strings);
    free(e->policies);
    pthread_mutex_destroy(&e->cache_mu);
    free(e);
}

/* The notes of creation. */
const char *const *rf_engine_notes(const rf_engine *e, size_t *n)
{
    *n = e ? e->nnotes : 0;
    return e ? (const char *const *)e->notes : NULL;
}

/* The index in use, or NULL. */
rf_index *rf_engine_index(const rf_engine *e)
{
    return e ? e->ix : NULL;
}

/* The goods table in use, or NULL. */
const rf_goods_table *rf_engine_goods(const rf_engine *e)
{
    return e ? e->goods : NULL;
}

/* The profile cache in use, or NULL. */
rf_cache *rf_engine_cache(const rf_engine *e)
{
    return e && !e->cache_broken ? e->cache : NULL;
}

/* A screener for the calling thread. */
int rf_screener_create(rf_screener **out, rf_engine *e)
{
    if (!out || !e)
        return fail(RF_EINVAL, "screener: out and engine are required");
    *out = NULL;
    rf_screener *s = calloc(1, sizeof *s);
    if (!s)
        return fail(RF_ENOMEM, "out of memory");
    s->e = e;
    int rc = e->rules ? rf_scanner_create(&s->sc, e->rules) : RF_OK;
    if (rc == RF_OK && e->ix)
        rc = rf_matcher_create(&s->m, e->ix, e->policies, e->npolicies, e->threshold);
    if (rc == RF_OK && e->goods)
        rc = rf_goods_scanner_create(&s->gs, e->goods);
    if (rc != RF_OK) {
        rf_screener_destroy(s);
        return fail(rc, "cannot make a screener: %s", rf_strerror(rc));
    }
    if (s->sc)
        rf_scanner_set_prefilter(s->sc, e->prefilter);
    *out = s;
    return RF_OK;
}

/* Free a screener. */
void rf_screener_destroy(rf_screener *s)
{
    if (!s)
        return;
    gbuf_free(&s->pr.query);
    rf_goods_scanner_destroy(s->gs);
    rf_matcher_destroy(s->m);
    rf_scanner_destroy(s->sc);
    free(s);
}

/* Screen one record: record rules, goods x origin, parties, score. */
int rf_screener_screen(rf_screener *s, const rf_record *rec, rf_result *res)
{
    if (!s || !rec || !res)
        return fail(RF_EINVAL, "screen: screener, record and result are required");
    res->id = rf_record_str(rec, RF_F_ID, 0, NULL);
    res->source = rf_record_source(rec);
    res->line = rf_record_line(rec);
    res->supplier = rf_record_str(rec, RF_F_SUPPLIER_NAME, 0, NULL);
    res->supplier_country = rf_record_str(rec, RF_F_SUPPLIER_COUNTRY, 0, NULL);
    /* with the lists, the party rules run (or come from the cache) with each party */
    int rc = !s->sc ? RF_OK
             : s->m ? rf_scanner_scan_scope(s->sc, rec, RF_SCOPE_RECORD, res)
                    : rf_scanner_scan(s->sc, rec, res);
    if (rc == RF_OK && s->gs)
        rc = rf_goods_table_scan(s->e->goods, s->gs, rec, res);
    if (rc == RF_OK && s->m)
        rc = screen_parties(s, rec, res);
    if (rc != RF_OK)
        return fail(rc, "screen: %s", rf_strerror(rc));
    rf_result_score(res);
    return RF_OK;
}

/* The best list hits for one party. */
int rf_screener_lookup(rf_screener *s, const rf_name_party *q, size_t limit, double min_score,
                       const rf_match_hit **hits, size_t *nhits)
{
    if (!s || !q || !hits || !nhits)
        return fail(RF_EINVAL, "lookup: screener, party, hits and count are required");
    if (!s->m)
        return fail(RF_ENOTFOUND, "lookup: no list index");
    int rc = rf_matcher_lookup(s->m, q, limit, min_score, hits, nhits);
    return rc == RF_OK ? RF_OK : fail(rc, "lookup: %s", rf_index_error());
}

/* A degradation seen since the last call, once. */
const char *rf_screener_warning(rf_screener *s)
{
    if (!s || !s->warning[0])
        return NULL;
    memcpy(s->shown, s->warning, sizeof s->shown);
    s->warning[0] = '\0';
    return s->shown;
}

/* Patterns that hit a PCRE2 limit so far. */
unsigned long rf_screener_limit_hits(const rf_screener *s)
{
    if (!s)
        return 0;
    return (s->sc ? rf_scanner_limit_hits(s->sc) : 0) +
           (s->gs ? rf_goods_scanner_limit_hits(s->gs) : 0);
}
