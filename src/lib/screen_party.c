/* The party stage of screening (screen.h): each party of a record (supplier,
 * manufacturer, subcontractors) through the cache layer to the matcher. The
 * cache is a layer in front of party screening: get a party's profile (its
 * list matches and party rule flags); on a miss compute it (the matcher and
 * the party rules) and put it. Without a cache the same path computes every
 * party. Cache calls are made under the engine's lock, and a hit's matches
 * are copied into the result before the lock is let go. */
#include <stdio.h>
#include <string.h>
#include "screen_int.h"

/* One record's parties being screened. */
typedef struct job {
    rf_screener *s;
    rf_cache *c;              /* NULL: no cache (none, broken, or failed in this record) */
    rf_scanner *sc;           /* NULL without party rules */
    const rf_record *rec;
    rf_result *res;
} job;

/* The scope of the party rules for a party's role, RF_SCOPE_RECORD when the
 * ruleset has none (or there is no scanner). */
static rf_rule_scope role_scope(const rf_scanner *sc, const char *role)
{
    if (!sc)
        return RF_SCOPE_RECORD;
    rf_rule_scope s = strcmp(role, "supplier") == 0       ? RF_SCOPE_SUPPLIER
                      : strcmp(role, "manufacturer") == 0 ? RF_SCOPE_MANUFACTURER
                                                          : RF_SCOPE_RECORD;
    if (s == RF_SCOPE_RECORD || !rf_ruleset_scope_count(rf_scanner_ruleset(sc), s))
        return RF_SCOPE_RECORD;
    return s;
}

/* Whether the party's query holds every value of the fields its party rules
 * may read (one name, its country, every identifier): only then do those
 * rules depend on the query alone and may their flags be cached. */
static bool party_complete(const rf_record *rec, rf_rule_scope scope, const rf_name_party *p)
{
    bool sup = scope == RF_SCOPE_SUPPLIER;
    rf_field name = sup ? RF_F_SUPPLIER_NAME : RF_F_MANUFACTURER_NAME;
    rf_field country = sup ? RF_F_SUPPLIER_COUNTRY : RF_F_MANUFACTURER_COUNTRY;
    uint64_t f = rf_scope_fields(scope);
    size_t ids = 0; /* every other field of the scope is an identifier */
    for (int i = 0; i < RF_F_COUNT; i++)
        if ((f >> i & 1) && i != (int)name && i != (int)country)
            ids += rf_record_count(rec, (rf_field)i);
    return rf_record_count(rec, name) == 1 && rf_record_count(rec, country) == p->ncountries &&
           ids == p->nids;
}

/* Add copies of cached party rule flags to the result. */
static int add_flags(rf_result *res, const rf_flag *flags, size_t n)
{
    int rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < n; i++) {
        const rf_flag *f = &flags[i];
        const char *s[] = {f->rule, f->indicator, f->field, f->evidence, f->source, f->guideline};
        const char *d[6];
        for (size_t k = 0; k < 6; k++)
            d[k] = s[k] ? rf_result_strdup(res, s[k], strlen(s[k])) : NULL;
        for (size_t k = 0; k < 5; k++)
            if (!d[k])
                rc = RF_ENOMEM;
        rf_flag fl = {d[0], d[1], f->severity, f->weight, d[2], d[3], d[4], d[5]};
        if (rc == RF_OK)
            rc = rf_result_add_flag(res, &fl);
    }
    return rc;
}

/* The cache failed: note it once and screen on without it. Called with the
 * engine's cache lock held. */
static void cache_failed(job *j, int rc)
{
    rf_engine *e = j->s->e;
    if (!e->cache_broken)
        snprintf(j->s->warning, sizeof j->s->warning,
                 "the profile cache failed (%s): screening goes on without it",
                 rc == RF_ENOMEM ? "out of memory" : rf_cache_error());
    e->cache_broken = true;
    j->c = NULL;
}

/* The party from the cache, under the lock: its party rule flags into the
 * result (or the rules run, for a party whose query misses some of their
 * fields) and its matches reported. RF_ENOTFOUND on a miss. */
static int party_hit(job *j, const rf_record_party *rp, rf_rule_scope scope, bool complete)
{
    profile pf;
    int rc = cache_probe_get(j->c, &j->s->pr, &pf);
    if (rc != RF_OK) {
        if (rc != RF_ENOTFOUND)
            cache_failed(j, rc);
        return RF_ENOTFOUND;
    }
    if (scope != RF_SCOPE_RECORD)
        rc = complete ? add_flags(j->res, pf.flags, pf.nflags)
                      : rf_scanner_scan_scope(j->sc, j->rec, scope, j->res);
    return rc == RF_OK ? rf_matcher_report(j->s->m, j->res, rp, pf.hits, pf.nhits) : rc;
}

/* Get a party's profile from the cache, under the lock. RF_ENOTFOUND when it
 * must be computed; *keyed tells whether the probe may be put afterwards. */
static int cache_get(job *j, const rf_record_party *rp, rf_rule_scope scope, bool complete,
                     bool *keyed)
{
    rf_engine *e = j->s->e;
    if (!j->c) /* no cache (or it failed earlier in this record): no lock to take */
        return RF_ENOTFOUND;
    pthread_mutex_lock(&e->cache_mu);
    if (e->cache_broken)
        j->c = NULL;
    int rc = RF_ENOTFOUND;
    if (j->c) {
        int krc = cache_probe_make(&j->s->pr, &rp->p, scope, j->c);
        j->s->pr.need_flags = scope != RF_SCOPE_RECORD && complete;
        *keyed = krc == RF_OK;
        if (krc == RF_OK)
            rc = party_hit(j, rp, scope, complete);
        else if (krc != RF_EINVAL) /* EINVAL: a party that cannot be keyed is never cached */
            cache_failed(j, krc);
    }
    pthread_mutex_unlock(&e->cache_mu);
    return rc;
}

/* Put a computed profile, under the lock. */
static void cache_put(job *j, const rf_record_party *rp, const profile *pf)
{
    rf_engine *e = j->s->e;
    pthread_mutex_lock(&e->cache_mu);
    if (e->cache_broken)
        j->c = NULL;
    int rc = j->c ? cache_probe_put(j->c, &j->s->pr, &rp->p, pf) : RF_OK;
    if (rc != RF_OK)
        cache_failed(j, rc);
    pthread_mutex_unlock(&e->cache_mu);
}

/* One party: from the cache, else from the matcher and the party rules, then
 * stored; its matches reported. *from_cache tells which. */
static int screen_party(job *j, const rf_record_party *rp, bool *from_cache)
{
    rf_rule_scope scope = role_scope(j->sc, rp->role);
    bool complete = scope == RF_SCOPE_RECORD || party_complete(j->rec, scope, &rp->p);
    bool keyed = false;
    int rc = cache_get(j, rp, scope, complete, &keyed);
    *from_cache = rc == RF_OK && complete;
    if (rc != RF_ENOTFOUND)
        return rc;
    const rf_match_hit *hits;
    size_t n, f0 = j->res->nflags, i0 = j->res->nincomplete;
    rc = rf_matcher_party(j->s->m, &rp->p, &hits, &n);
    if (rc == RF_OK && scope != RF_SCOPE_RECORD)
        rc = rf_scanner_scan_scope(j->sc, j->rec, scope, j->res);
    /* a scan cut short by a regex limit is not a profile to replay */
    if (rc == RF_OK && keyed && j->c && j->res->nincomplete == i0) {
        size_t nf = j->res->nflags - f0;
        profile pf = {hits, n, j->s->pr.need_flags && nf <= RF_CACHE_MAX_FLAGS,
                      j->res->flags + f0, nf};
        cache_put(j, rp, &pf);
    }
    return rc == RF_OK ? rf_matcher_report(j->s->m, j->res, rp, hits, n) : rc;
}

/* Run the party rules of the roles that have no party in this record. */
static int absent_roles(job *j, const rf_record_party *parties, size_t np)
{
    static const char *const roles[] = {"supplier", "manufacturer"};
    int rc = RF_OK;
    for (size_t r = 0; rc == RF_OK && r < 2; r++) {
        rf_rule_scope scope = role_scope(j->sc, roles[r]);
        bool present = false;
        for (size_t i = 0; i < np && !present; i++)
            present = strcmp(parties[i].role, roles[r]) == 0;
        if (scope != RF_SCOPE_RECORD && !present)
            rc = rf_scanner_scan_scope(j->sc, j->rec, scope, j->res);
    }
    return rc;
}

/* Screen a record's parties. */
int screen_parties(rf_screener *s, const rf_record *rec, rf_result *res)
{
    rf_record_party parties[RF_RECORD_PARTIES];
    size_t np = rf_record_parties(rec, parties, RF_RECORD_PARTIES);
    bool pr = s->e->party_rules;
    /* without party rules (the shipped ones), nothing below needs the scanner */
    job j = {.s = s, .c = s->e->cache, .sc = pr ? s->sc : NULL, .rec = rec, .res = res};
    bool all = np > 0;
    int rc = pr ? absent_roles(&j, parties, np) : RF_OK;
    for (size_t i = 0; rc == RF_OK && i < np; i++) {
        bool hit;
        rc = screen_party(&j, &parties[i], &hit);
        all = all && hit;
    }
    res->cached = rc == RF_OK && all;
    return rc;
}
