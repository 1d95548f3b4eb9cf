/* Goods x origin: joining a record against the compiled table (see goods.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/country.h"
#include "goods_int.h"

/* Create a scanner for t. */
int rf_goods_scanner_create(rf_goods_scanner **out, const rf_goods_table *t)
{
    rf_goods_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return RF_ENOMEM;
    size_t n = t->ngoods + 1;
    s->t = t;
    s->md = pcre2_match_data_create(1, NULL);
    s->state = malloc(n);
    s->how = malloc(n);
    s->value = malloc(n * sizeof *s->value);
    s->mark = calloc(t->ngroups + 1, 1);
    if (!s->md || !s->state || !s->how || !s->value || !s->mark) {
        rf_goods_scanner_destroy(s);
        return RF_ENOMEM;
    }
    *out = s;
    return RF_OK;
}

/* Free a scanner. */
void rf_goods_scanner_destroy(rf_goods_scanner *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    free(s->state);
    free(s->how);
    free(s->value);
    free(s->mark);
    free(s);
}

/* Pattern evaluations that hit a limit. */
unsigned long rf_goods_scanner_limit_hits(const rf_goods_scanner *s)
{
    return s->limit_hits;
}

/* Whether re matches text; limit and UTF errors count as no match. */
static bool re_hit(rf_goods_scanner *s, const pcre2_code *re, const char *text, size_t len)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, s->md, s->t->mctx);
    if (rc >= 0)
        return true;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT)
        s->limit_hits++;
    return false;
}

/* Whether some prefix in v starts code c (is_prefix) or c starts some entry. */
static bool any_prefix(const strv *v, const char *c, size_t n, bool of_code)
{
    for (size_t i = 0; i < v->n; i++) {
        size_t pn = strlen(v->v[i]);
        if (of_code ? (pn <= n && memcmp(v->v[i], c, pn) == 0)
                    : (n < pn && memcmp(v->v[i], c, n) == 0))
            return true;
    }
    return false;
}

/* What the record's code field says about good g: 1 it is, 0 it is not,
 * -1 the code cannot tell (absent, shared prefix, too short). */
static int code_decides(const good *g, const rf_record *rec, bool cpv, size_t *which)
{
    const strv *strong = &g->codes[cpv ? K_CPV : K_HS];
    const strv *weak[2] = {&g->codes[cpv ? K_CPV_WEAK : K_HS_WEAK], &g->codes[K_HS_OLD]};
    int nweak = cpv ? 1 : 2, verdict = 0;
    size_t nv = rf_record_count(rec, cpv ? RF_F_ITEM_CPV : RF_F_ITEM_HS), seen = 0;
    if (!strong->n && !weak[0]->n && (cpv || !weak[1]->n))
        return -1;
    for (size_t v = 0; v < nv; v++) {
        size_t len;
        const char *s = rf_record_str(rec, cpv ? RF_F_ITEM_CPV : RF_F_ITEM_HS, v, &len);
        char d[16];
        size_t n = goods_code_digits(s, len, cpv, d, sizeof d);
        if (n < 2)
            continue;
        seen++;
        if (any_prefix(strong, d, n, true)) {
            *which = v;
            return 1;
        }
        bool undecided = any_prefix(strong, d, n, false);
        for (int w = 0; w < nweak; w++)
            undecided = undecided || any_prefix(weak[w], d, n, true) ||
                        any_prefix(weak[w], d, n, false);
        if (undecided)
            verdict = -1;
    }
    return seen ? verdict : -1;
}

/* Mark the prefilter groups whose literals occur in the record's descriptions. */
static void prefilter_pass(const rf_goods_table *t, rf_goods_scanner *s, const rf_record *rec)
{
    size_t nv = rf_record_count(rec, RF_F_ITEM_DESCRIPTION);
    memset(s->mark, 0, t->ngroups + 1);
    s->all = false;
    for (size_t v = 0; v < nv; v++) {
        size_t len;
        const char *text = rf_record_str(rec, RF_F_ITEM_DESCRIPTION, v, &len);
        if (!acm_scan(t->ac, text, len, s->mark))
            s->all = true;
    }
}

/* Whether some branch of g may match: every literal group it needs occurs. */
static bool may_match(const rf_goods_scanner *s, const good *g)
{
    if (s->all)
        return true;
    for (size_t m = 0; m < g->branches.n; m++) {
        bool ok = true;
        for (int k = 0; ok && !g->always[m] && k < g->lits[m].ng; k++)
            ok = s->mark[g->gid[m] + (uint32_t)k];
        if (ok)
            return true;
    }
    return false;
}

/* Whether a description value names good g. */
static bool desc_hit(rf_goods_scanner *s, const good *g, const rf_record *rec, size_t *which)
{
    size_t nv = rf_record_count(rec, RF_F_ITEM_DESCRIPTION);
    if (!nv || !may_match(s, g))
        return false;
    for (size_t v = 0; v < nv; v++) {
        size_t len;
        const char *t = rf_record_str(rec, RF_F_ITEM_DESCRIPTION, v, &len);
        if (re_hit(s, g->re_match, t, len) &&
            !(g->re_exclude && re_hit(s, g->re_exclude, t, len))) {
            *which = v;
            return true;
        }
    }
    return false;
}

/* Whether the record's item is good gi (memoised per record). */
static bool is_good(rf_goods_scanner *s, const rf_record *rec, int gi)
{
    if (s->state[gi] >= 0)
        return s->state[gi];
    const good *g = &s->t->goods[gi];
    size_t which = 0;
    int d = code_decides(g, rec, false, &which);
    unsigned char how = HOW_HS;
    if (d < 0) {
        d = code_decides(g, rec, true, &which);
        how = HOW_CPV;
    }
    if (d < 0) {
        d = desc_hit(s, g, rec, &which);
        how = HOW_DESC;
    }
    s->how[gi] = how;
    s->value[gi] = which;
    return (s->state[gi] = (signed char)(d > 0));
}

/* The record's origin countries: item.origin, else manufacturer.country. */
static size_t origins(const rf_record *rec, char cc[][3])
{
    rf_field f = rf_record_count(rec, RF_F_ITEM_ORIGIN) ? RF_F_ITEM_ORIGIN
                                                        : RF_F_MANUFACTURER_COUNTRY;
    size_t n = 0, nv = rf_record_count(rec, f);
    for (size_t v = 0; v < nv && n < MAX_ORIGINS; v++) {
        size_t len;
        const char *s = rf_record_str(rec, f, v, &len);
        char c[3];
        if (rf_country_normalize(s, len, c) != RF_OK)
            continue;
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup = dup || memcmp(cc[i], c, 3) == 0;
        if (!dup)
            memcpy(cc[n++], c, 3);
    }
    return n;
}

/* Words for a listing's own flags, e.g. "child labour, forced labour". */
static void flag_words(unsigned flags, char *out, size_t cap)
{
    static const struct { unsigned bit; const char *w; } words[] = {
        {RF_GOODS_CHILD_LABOR, "child labour"},
        {RF_GOODS_FORCED_LABOR, "forced labour"},
        {RF_GOODS_FORCED_CHILD_LABOR, "forced child labour"}};
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (flags & words[i].bit)
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "",
                                  words[i].w);
}

/* The input's own listing in the derived country, or NULL. */
static const listing *input_listing(const rf_goods_table *t, const listing *l)
{
    int in = t->goods[l->good].input;
    for (size_t i = 0; in >= 0 && l->dcc[0] && i < t->nlists; i++)
        if (t->lists[i].good == in && memcmp(t->lists[i].cc, l->dcc, 2) == 0)
            return &t->lists[i];
    return NULL;
}

/* Severity and weight of a listing's flag; *what describes the listing. */
static void rate(const rf_goods_table *t, const listing *l, rf_level *sev, int *w, char *what,
                 size_t cap)
{
    unsigned f = l->flags & ~(unsigned)RF_GOODS_DERIVED;
    if (f) {
        bool fcl = f & RF_GOODS_FORCED_CHILD_LABOR, fl = f & RF_GOODS_FORCED_LABOR;
        *sev = fcl || fl ? RF_LEVEL_HIGH : RF_LEVEL_MEDIUM;
        *w = fcl ? RF_GOODS_W_FORCED_CHILD : fl ? RF_GOODS_W_FORCED : RF_GOODS_W_CHILD;
        flag_words(f, what, cap);
        return;
    }
    const listing *in = input_listing(t, l);
    unsigned inf = in ? in->flags & ~(unsigned)RF_GOODS_DERIVED : 0;
    bool forced = inf & (RF_GOODS_FORCED_LABOR | RF_GOODS_FORCED_CHILD_LABOR);
    *sev = forced ? RF_LEVEL_HIGH : RF_LEVEL_MEDIUM;
    *w = forced ? RF_GOODS_W_DERIVED_FORCED : RF_GOODS_W_DERIVED_CHILD;
    char words[96];
    flag_words(inf, words, sizeof words);
    if (in)
        snprintf(what, cap, "made with an input listed for %s (%s from %s)", words,
                 t->goods[in->good].info.name, in->country);
    else
        snprintf(what, cap, "made with an input produced with child or forced labour%s%s",
                 l->dcountry ? " from " : "", l->dcountry ? l->dcountry : "");
}

/* Clip s to at most max bytes on a UTF-8 boundary; the length kept. */
static size_t clip(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Append the flag for listing l of a good the record was found to be. */
static int add_flag(const rf_goods_table *t, rf_goods_scanner *s, const rf_record *rec,
                    const listing *l, rf_result *res)
{
    static const rf_field fields[] = {0, RF_F_ITEM_HS, RF_F_ITEM_CPV, RF_F_ITEM_DESCRIPTION};
    const good *g = &t->goods[l->good];
    rf_field f = fields[s->how[l->good]];
    size_t len;
    const char *val = rf_record_str(rec, f, s->value[l->good], &len);
    char what[256], ev[768], src[512];
    rf_flag fl = {.rule = g->info.rule, .indicator = "high_risk_origin",
                  .field = rf_field_get(f)->path, .guideline = "OSCE-MG-2018:procurement"};
    rate(t, l, &fl.severity, &fl.weight, what, sizeof what);
    snprintf(ev, sizeof ev, "%s from %s: %s (%s); %s: \"%.*s\"", g->info.name, l->country, what,
             t->edition, fl.field, (int)clip(val, len, EVIDENCE_VALUE_MAX), val);
    snprintf(src, sizeof src,
             "US DOL List of Goods Produced by Child Labor or Forced Labor (%s, %s: %s)",
             g->info.name, l->country, what);
    fl.evidence = rf_result_strdup(res, ev, strlen(ev));
    fl.source = rf_result_strdup(res, src, strlen(src));
    if (!fl.evidence || !fl.source)
        return RF_ENOMEM;
    return rf_result_add_flag(res, &fl);
}

/* Join the record's item and origin against the table. */
int rf_goods_table_scan(const rf_goods_table *t, rf_goods_scanner *s, const rf_record *rec,
                        rf_result *res)
{
    if (!t || !s || s->t != t || !rec || !res)
        return RF_EINVAL;
    char cc[MAX_ORIGINS][3];
    size_t no = origins(rec, cc);
    if (!no)
        return RF_OK;
    memset(s->state, -1, t->ngoods);
    prefilter_pass(t, s, rec);
    for (size_t i = 0; i < t->nlists; i++) {
        const listing *l = &t->lists[i];
        bool from = false;
        for (size_t o = 0; o < no && !from; o++)
            from = memcmp(l->cc, cc[o], 2) == 0;
        if (!from || !is_good(s, rec, l->good))
            continue;
        int rc = add_flag(t, s, rec, l, res);
        if (rc)
            return rc;
    }
    return RF_OK;
}
