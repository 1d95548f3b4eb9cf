/* Literal prefilter for PCRE2 patterns (private).
 *
 * prefilter_extract() reads a pattern's source and finds a set of literal
 * strings such that every match of the pattern contains at least one string of each of a few
 * groups of them
 * (compared case-insensitively on ASCII), in the manner of RE2's and
 * Hyperscan's prefilters. The scanner runs a pattern only on records where one
 * of its literals occurs, found for all patterns in one Aho-Corasick pass.
 * Anything the analyser does not fully understand yields "no prefilter": the
 * pattern then always runs, so the prefilter can only skip work, never hits. */
#ifndef REDFLAG_PREFILTER_H
#define REDFLAG_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct litset {
    char **s;       /* NUL-terminated, lower-cased; owned */
    size_t n;
} litset;

#define RF_PF_GROUPS 6

/* A conjunction of groups: every match contains one string of each group. */
typedef struct litreq {
    litset g[RF_PF_GROUPS];
    int ng;
} litreq;

/* Extract the required literals of pattern src. Returns true and fills out
 * (caller frees with litreq_free) when a useful requirement exists, false
 * when the pattern must always run. */
bool prefilter_extract(const char *src, bool caseless, litreq *out);
/* Free the groups of a requirement. */
void litreq_free(litreq *rq);
/* Free the strings of a set. */
void litset_free(litset *ls);

/* A multi-pattern automaton over lower-cased ASCII bytes. */
typedef struct acm acm;

/* Build an automaton from literal i → tag[i] (n literals). NULL on ENOMEM. */
acm *acm_build(char *const *lits, const uint32_t *tags, size_t n);
/* Free an automaton; NULL is fine. */
void acm_free(acm *a);
/* Scan text; set mark[tag] = 1 for every literal found. Returns false when
 * the text holds a character that folds to ASCII only under Unicode caseless
 * matching (KELVIN SIGN, LONG S): the caller must then assume all may match. */
bool acm_scan(const acm *a, const char *text, size_t len, uint8_t *mark);

#endif
