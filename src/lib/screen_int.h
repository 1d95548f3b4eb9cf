/* The screening engine's private parts (screen.h), shared by screen.c (engine,
 * screener, the record's stages) and screen_party.c (the party stage). */
#ifndef REDFLAG_SCREEN_INT_H
#define REDFLAG_SCREEN_INT_H
#include <pthread.h>
#include <stdbool.h>
#include "cache_int.h"
#include "redflag/screen.h"

struct rf_engine {
    const rf_ruleset *rules;      /* borrowed */
    rf_index *ix;                 /* in use: own_ix or the caller's; NULL without lists */
    rf_index *own_ix;
    rf_list_policy *policies;     /* copies, with their strings in strings[] */
    size_t npolicies;
    char **strings;
    size_t nstrings;
    rf_goods_table *goods;        /* NULL: no goods x origin */
    rf_cache *cache;              /* NULL: no cache */
    pthread_mutex_t cache_mu;     /* rf_cache calls come from one thread at a time */
    bool cache_broken;            /* failed mid-run: no longer used (under cache_mu) */
    bool prefilter, party_rules;
    double threshold;
    char *notes[8];
    size_t nnotes;
};

struct rf_screener {
    rf_engine *e;
    rf_scanner *sc;
    rf_matcher *m;                /* NULL without lists */
    rf_goods_scanner *gs;         /* NULL without a goods table */
    probe pr;                     /* the cache probe of the party being screened */
    char warning[1024], shown[1024];
};

/* screen_party.c: a record's parties through the cache layer to the matcher,
 * with their party rules; their matches and flags into res. */
int screen_parties(rf_screener *s, const rf_record *rec, rf_result *res);

#endif
