/* The verdict for one record: storage, levels and scoring (docs/ARCHITECTURE.md "Scoring"). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "redflag/result.h"

#define BLOCK_MIN 4096

/* One chunk of string storage. Chunks never move, so strings handed out stay
 * valid while later ones are added; reset rewinds them all for reuse. */
typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

/* The public result plus the bookkeeping the caller does not see. */
typedef struct result_impl {
    rf_result pub;          /* first, so an rf_result * is a result_impl * */
    block *head, *cur;
    size_t flagcap, matchcap, inccap;
} result_impl;

/* The private part of a public result. */
static result_impl *impl(rf_result *res)
{
    return (result_impl *)res;
}

/* Create an empty result. */
int rf_result_create(rf_result **out)
{
    if (!out)
        return RF_EINVAL;
    result_impl *r = calloc(1, sizeof *r);
    if (!r)
        return RF_ENOMEM;
    rf_result_reset(&r->pub);
    *out = &r->pub;
    return RF_OK;
}

/* Free a result, its arrays and every string block. */
void rf_result_destroy(rf_result *res)
{
    if (!res)
        return;
    result_impl *r = impl(res);
    for (block *b = r->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(res->flags);
    free(res->matches);
    free(res->incomplete);
    free(r);
}

/* Empty the result for the next record; strings blocks and arrays are kept. */
void rf_result_reset(rf_result *res)
{
    if (!res)
        return;
    result_impl *r = impl(res);
    for (block *b = r->head; b; b = b->next)
        b->used = 0;
    r->cur = r->head;
    res->id = NULL;
    res->source = NULL;
    res->line = 0;
    res->error = NULL;
    res->level = RF_LEVEL_NONE;
    res->score = 0;
    res->nflags = 0;
    res->nmatches = 0;
    res->nincomplete = 0;
    res->cached = false;
    res->supplier = res->supplier_country = NULL;
}

/* A block with room for need bytes: the current one, a later reusable one, or a new one. */
static block *block_for(result_impl *r, size_t need)
{
    block *last = NULL;
    for (block *b = r->cur; b; b = b->next) {
        if (b->cap - b->used >= need) {
            r->cur = b;
            return b;
        }
        last = b;
    }
    size_t cap = BLOCK_MIN;
    if (last && last->cap < SIZE_MAX / 4)
        cap = last->cap * 2;
    if (cap < need)
        cap = need;
    if (cap > SIZE_MAX - sizeof(block))
        return NULL;
    block *b = malloc(sizeof(block) + cap);
    if (!b)
        return NULL;
    b->next = NULL;
    b->used = 0;
    b->cap = cap;
    if (last)
        last->next = b;
    else
        r->head = b;
    r->cur = b;
    return b;
}

/* Copy len bytes of s, NUL-terminated, into the result's storage. */
const char *rf_result_strdup(rf_result *res, const char *s, size_t len)
{
    if (!res || (!s && len))
        return NULL;
    if (len == SIZE_MAX)
        return NULL;
    block *b = block_for(impl(res), len + 1);
    if (!b)
        return NULL;
    char *p = b->data + b->used;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

/* Copy a NUL-terminated string into the result; NULL stays NULL. */
static int dup_opt(rf_result *res, const char **dst, const char *s)
{
    if (!s) {
        *dst = NULL;
        return RF_OK;
    }
    *dst = rf_result_strdup(res, s, strlen(s));
    return *dst ? RF_OK : RF_ENOMEM;
}

/* Make room for one more element in an array of elements of size sz. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return RF_OK;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap > SIZE_MAX / sz)
        return RF_ENOMEM;
    void *p = realloc(*arr, ncap * sz);
    if (!p)
        return RF_ENOMEM;
    *arr = p;
    *cap = ncap;
    return RF_OK;
}

/* Append a flag; its strings are kept as pointers, not copied. */
int rf_result_add_flag(rf_result *res, const rf_flag *flag)
{
    if (!res || !flag)
        return RF_EINVAL;
    result_impl *r = impl(res);
    int rc = grow((void **)&res->flags, &r->flagcap, res->nflags, sizeof *flag);
    if (rc)
        return rc;
    res->flags[res->nflags++] = *flag;
    return RF_OK;
}

/* Append a list match, copying its strings into the result. */
int rf_result_add_match(rf_result *res, const rf_match *m)
{
    if (!res || !m)
        return RF_EINVAL;
    rf_match c = *m;
    if (dup_opt(res, &c.party, m->party) || dup_opt(res, &c.list, m->list) ||
        dup_opt(res, &c.entity, m->entity) || dup_opt(res, &c.name, m->name) ||
        dup_opt(res, &c.why, m->why))
        return RF_ENOMEM;
    result_impl *r = impl(res);
    int rc = grow((void **)&res->matches, &r->matchcap, res->nmatches, sizeof c);
    if (rc)
        return rc;
    res->matches[res->nmatches++] = c;
    return RF_OK;
}

/* Note a rule and field not fully scanned, once per pair. */
int rf_result_add_incomplete(rf_result *res, const char *rule, const char *field)
{
    if (!res || !rule || !field)
        return RF_EINVAL;
    for (size_t i = 0; i < res->nincomplete; i++)
        if (strcmp(res->incomplete[i].rule, rule) == 0 &&
            strcmp(res->incomplete[i].field, field) == 0)
            return RF_OK;
    rf_incomplete c;
    if (dup_opt(res, &c.rule, rule) || dup_opt(res, &c.field, field))
        return RF_ENOMEM;
    result_impl *r = impl(res);
    int rc = grow((void **)&res->incomplete, &r->inccap, res->nincomplete, sizeof c);
    if (rc)
        return rc;
    res->incomplete[res->nincomplete++] = c;
    return RF_OK;
}

/* Mark the record unreadable: copy its id (may be NULL) and the message. */
int rf_result_set_error(rf_result *res, const char *id, const char *msg)
{
    if (!res)
        return RF_EINVAL;
    if (dup_opt(res, &res->id, id))
        return RF_ENOMEM;
    const char *copy;
    if (dup_opt(res, &copy, msg ? msg : "unreadable record"))
        return RF_ENOMEM;
    res->error = copy;
    res->level = RF_LEVEL_NONE;
    res->score = 0;
    return RF_OK;
}

/* Whether two flags evidence the same indicator (flags without one never merge). */
static bool same_indicator(const rf_flag *a, const rf_flag *b)
{
    return a->indicator && b->indicator && strcmp(a->indicator, b->indicator) == 0;
}

/* A weight clamped to 0..100. */
static int clamp_weight(int w)
{
    return w < 0 ? 0 : w > 100 ? 100 : w;
}

/* The highest weight among the flags of flag i's indicator, or -1 if an
 * earlier flag has the same indicator (so each indicator counts once). */
static int indicator_weight(const rf_result *res, size_t i)
{
    const rf_flag *f = &res->flags[i];
    for (size_t j = 0; j < i; j++)
        if (same_indicator(&res->flags[j], f))
            return -1;
    int w = clamp_weight(f->weight);
    for (size_t j = i + 1; j < res->nflags; j++)
        if (same_indicator(&res->flags[j], f) && clamp_weight(res->flags[j].weight) > w)
            w = clamp_weight(res->flags[j].weight);
    return w;
}

/* Score by noisy-OR over distinct indicators; a critical match forces critical. */
void rf_result_score(rf_result *res)
{
    if (!res)
        return;
    double keep = 1.0; /* probability that no indicator is real */
    for (size_t i = 0; i < res->nflags; i++) {
        int w = indicator_weight(res, i);
        if (w >= 0)
            keep *= 1.0 - w / 100.0;
    }
    long s = lround(100.0 * (1.0 - keep));
    res->score = s < 0 ? 0 : s > 100 ? 100 : (int)s;
    res->level = rf_level_of_score(res->score);
    for (size_t i = 0; i < res->nmatches; i++)
        if (res->matches[i].critical)
            res->level = RF_LEVEL_CRITICAL;
}

static const char *const level_names[] = {"none", "low", "medium", "high", "critical"};

/* The lower-case name of a level. */
const char *rf_level_name(rf_level level)
{
    if ((int)level < 0 || level > RF_LEVEL_CRITICAL)
        return "none";
    return level_names[level];
}

/* Parse a level name, ignoring case; -1 when unknown. */
int rf_level_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i <= RF_LEVEL_CRITICAL; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

/* The level band a 0..100 score falls in. */
rf_level rf_level_of_score(int score)
{
    if (score <= 0)
        return RF_LEVEL_NONE;
    if (score < 25)
        return RF_LEVEL_LOW;
    if (score < 50)
        return RF_LEVEL_MEDIUM;
    if (score < 75)
        return RF_LEVEL_HIGH;
    return RF_LEVEL_CRITICAL;
}
