/* Aho-Corasick automaton over ASCII-lower-cased bytes, for the prefilter. */
#include <stdlib.h>
#include <string.h>
#include "prefilter.h"

struct acm {
    uint8_t cls[256];     /* byte → alphabet class (upper case folds to lower) */
    int ncls;
    int32_t *delta;       /* nstates × ncls: the full transition function */
    int32_t *dict;        /* nearest state (self or by failure links) with output, or -1 */
    int32_t *dnext;       /* for a state with output: the next one along its failure chain */
    int32_t *out_first;   /* per state: first index into outs, or -1 */
    int32_t *out_next;    /* chain of outputs */
    uint32_t *out_tag;
    int nstates;
};

/* Give every byte that occurs in a literal its own class; others share 0. */
static void build_classes(acm *a, char *const *lits, size_t n)
{
    memset(a->cls, 0, sizeof a->cls);
    a->ncls = 1;
    for (size_t i = 0; i < n; i++)
        for (const unsigned char *p = (const unsigned char *)lits[i]; *p; p++)
            if (!a->cls[*p])
                a->cls[*p] = (uint8_t)a->ncls++;
    for (int c = 'A'; c <= 'Z'; c++)
        a->cls[c] = a->cls[c + 32];
}

/* Make room for one more state: rows of -1 (no edge yet), grown geometrically. */
static bool add_state(acm *a, size_t *cap)
{
    size_t k = (size_t)a->ncls;
    if ((size_t)a->nstates == *cap) {
        size_t n = *cap * 2;
        int32_t *d = realloc(a->delta, n * k * sizeof *d);
        int32_t *of = realloc(a->out_first, n * sizeof *of);
        if (d)
            a->delta = d;
        if (of)
            a->out_first = of;
        if (!d || !of)
            return false;
        *cap = n;
    }
    memset(&a->delta[(size_t)a->nstates * k], 0xff, k * sizeof *a->delta);
    a->out_first[a->nstates++] = -1;
    return true;
}

/* Insert every literal into the trie. */
static bool build_trie(acm *a, char *const *lits, const uint32_t *tags, size_t n, size_t *cap)
{
    if (!add_state(a, cap))
        return false;
    for (size_t i = 0; i < n; i++) {
        int32_t s = 0;
        for (const unsigned char *p = (const unsigned char *)lits[i]; *p; p++) {
            size_t at = (size_t)s * (size_t)a->ncls + a->cls[*p];
            if (a->delta[at] < 0) {
                if (!add_state(a, cap))
                    return false;
                a->delta[at] = a->nstates - 1;
            }
            s = a->delta[at];
        }
        a->out_next[i] = a->out_first[s];
        a->out_first[s] = (int32_t)i;
        a->out_tag[i] = tags[i];
    }
    return true;
}

/* Breadth-first: failure links become full transitions and dictionary links. */
static bool build_links(acm *a)
{
    int32_t *fail = calloc((size_t)a->nstates, sizeof *fail);
    int32_t *queue = malloc((size_t)a->nstates * sizeof *queue);
    if (!fail || !queue) {
        free(fail);
        free(queue);
        return false;
    }
    int head = 0, tail = 0;
    size_t k = (size_t)a->ncls;
    for (size_t c = 0; c < k; c++) {
        int32_t t = a->delta[c];
        if (t < 0)
            a->delta[c] = 0;
        else
            fail[t] = 0, queue[tail++] = t;
    }
    a->dict[0] = a->dnext[0] = -1;
    while (head < tail) {
        int32_t s = queue[head++];
        a->dnext[s] = a->dict[fail[s]];
        a->dict[s] = a->out_first[s] >= 0 ? s : a->dnext[s];
        for (size_t c = 0; c < k; c++) {
            int32_t *t = &a->delta[(size_t)s * k + c];
            if (*t < 0) {
                *t = a->delta[(size_t)fail[s] * k + c];
            } else {
                fail[*t] = a->delta[(size_t)fail[s] * k + c];
                queue[tail++] = *t;
            }
        }
    }
    free(fail);
    free(queue);
    return true;
}

/* Build an automaton for n literals with their tags. */
acm *acm_build(char *const *lits, const uint32_t *tags, size_t n)
{
    acm *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    build_classes(a, lits, n);
    size_t cap = 256;
    a->delta = malloc(cap * (size_t)a->ncls * sizeof *a->delta);
    a->out_first = malloc(cap * sizeof *a->out_first);
    a->out_next = malloc((n + 1) * sizeof *a->out_next);
    a->out_tag = malloc((n + 1) * sizeof *a->out_tag);
    if (!a->delta || !a->out_first || !a->out_next || !a->out_tag ||
        !build_trie(a, lits, tags, n, &cap))
        goto fail;
    a->dict = malloc((size_t)a->nstates * sizeof *a->dict);
    a->dnext = malloc((size_t)a->nstates * sizeof *a->dnext);
    if (!a->dict || !a->dnext || !build_links(a))
        goto fail;
    return a;
fail:
    acm_free(a);
    return NULL;
}

/* Free an automaton. */
void acm_free(acm *a)
{
    if (!a)
        return;
    free(a->delta);
    free(a->dict);
    free(a->dnext);
    free(a->out_first);
    free(a->out_next);
    free(a->out_tag);
    free(a);
}

/* Mark the tags of every literal ending at state s. */
static void emit(const acm *a, int32_t s, uint8_t *mark)
{
    for (int32_t d = a->dict[s]; d >= 0; d = a->dnext[d])
        for (int32_t o = a->out_first[d]; o >= 0; o = a->out_next[o])
            mark[a->out_tag[o]] = 1;
}

/* Scan text, marking the tags of every literal that occurs. */
bool acm_scan(const acm *a, const char *text, size_t len, uint8_t *mark)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    size_t k = (size_t)a->ncls;
    int32_t s = 0;
    bool plain = true;
    for (; p < end; p++) {
        if (*p == 0xE2 && end - p >= 3 && p[1] == 0x84 && p[2] == 0xAA)
            plain = false; /* KELVIN SIGN matches k caselessly */
        if (*p == 0xC5 && end - p >= 2 && p[1] == 0xBF)
            plain = false; /* LATIN SMALL LETTER LONG S matches s */
        s = a->delta[(size_t)s * k + a->cls[*p]];
        if (a->dict[s] >= 0)
            emit(a, s, mark);
    }
    return plain;
}
