/* Private structures of the goods x origin table (goods.c loads it,
 * goods_scan.c joins records against it). */
#ifndef REDFLAG_GOODS_INT_H
#define REDFLAG_GOODS_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include "redflag/goods.h"
#include "prefilter.h"
/* The same bounds as the rule engine (rules_int.h). */
#define MATCH_LIMIT 200000u
#define DEPTH_LIMIT 2000u
#define HEAP_LIMIT_KB 8192u
#define MAX_ORIGINS 8
#define EVIDENCE_VALUE_MAX 120

enum { K_HS, K_HS_WEAK, K_HS_OLD, K_CPV, K_CPV_WEAK, K_NCODES };

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

typedef struct good {
    rf_goods_info info;
    char *key;             /* name folded for lookups */
    strv codes[K_NCODES];
    strv match, exclude;   /* pattern sources */
    int *match_lines, *exclude_lines;
    pcre2_code *re_match, *re_exclude;
    strv branches;         /* top-level alternatives of every match line */
    litreq *lits;          /* per branch: literals every match needs */
    bool *always;          /* per branch: no literal requirement found */
    uint32_t *gid;         /* per branch: its first prefilter group */
    int input;             /* index of the input good, or -1 */
    char *input_name;
    int input_line;
} good;

typedef struct listing {
    int good;
    char cc[3], dcc[3];
    unsigned flags;
    char *country;         /* as the List writes it */
    char *dcountry;        /* derived input's country as written, or NULL */
} listing;

struct rf_goods_table {
    good *goods;
    size_t ngoods, capgoods;
    listing *lists;
    size_t nlists, caplists;
    pcre2_match_context *mctx;
    acm *ac;               /* prefilter automaton over every match line's literals */
    uint32_t ngroups;
    char *edition;
};

/* Which field identified a good for the current record. */
enum { HOW_HS = 1, HOW_CPV, HOW_DESC };

struct rf_goods_scanner {
    const rf_goods_table *t;
    pcre2_match_data *md;
    signed char *state;    /* per good: -1 unknown, 0 no, 1 yes */
    unsigned char *how;
    size_t *value;         /* index of the value that identified it */
    uint8_t *mark;         /* per prefilter group: one of its literals occurs */
    bool all;              /* prefilter gave up on this record: run every pattern */
    unsigned long limit_hits;
};

/* Digits of a code value into out: HS every digit; CPV the 8 before any check digit,
 * trailing zeros dropped. Returns the length. */
size_t goods_code_digits(const char *s, size_t len, bool cpv, char *out, size_t cap);

#endif
