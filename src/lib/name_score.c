/* Scoring two normalised names: tokens paired by similarity (exact, typo,
 * phonetic skeleton, initials, glued words), then a weighted token-set
 * similarity lifted toward containment when what matched is specific, minus a
 * penalty when both names keep distinctive words of their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "name_int.h"

#define T RF_NAME_TOKENS_MAX

/* Tunables (docs/MATCHING.md "Score"). */
#define LIFT_COMPANY 0.8  /* how far containment lifts a company score */
#define LIFT_PERSON 0.5
#define SPEC_LO 0.6       /* matched specific weight where lifting starts */
#define SPEC_HI 1.0       /* ... and where it is full */
#define CONFLICT 0.15     /* penalty per unit of distinctive weight unmatched on both sides */
#define GENERIC_CAP 0.5   /* names matching only on generic words or legal forms */
#define GENERIC_SAME 0.85 /* ... unless they are the same words: a possible match */
#define ACRONYM 0.85
#define ACRO_MAX 8        /* longest acronym spelt from word prefixes */
#define SPACING 0.95      /* same letters, different spacing */

/* The pairing of two names' tokens. */
typedef struct pairing {
    const rf_name_norm *a, *b;
    int pa[T], pb[T];      /* partner index, -1 when unmatched */
    double sa[T], sb[T];   /* similarity of the pair a token is in */
    bool loose;            /* phonetic rules on: persons, or a transliterated name */
} pairing;

/* A token's text. */
static const char *tk(const rf_name_norm *n, size_t i)
{
    return n->text + n->tok[i].off;
}

/* Similarity of two words, 0 when they are not the same word. */
static double word_sim(const char *a, size_t na, const char *b, size_t nb, bool loose)
{
    if (na == nb && memcmp(a, b, na) == 0)
        return 1.0;
    size_t shortest = na < nb ? na : nb, longest = na > nb ? na : nb;
    int maxd = shortest >= 9 ? 2 : shortest >= 5 ? 1 : 0;
    if (maxd) {
        int d = nm_edit_distance(a, na, b, nb, maxd);
        if (d <= maxd)
            return 1.0 - (double)d / (double)longest;
    }
    if (!loose || shortest < 3)
        return 0.0;
    if (na > nb + 2 && (memcmp(a, "al", 2) == 0 || memcmp(a, "el", 2) == 0))
        return word_sim(a + 2, na - 2, b, nb, loose) * 0.95;
    if (nb > na + 2 && (memcmp(b, "al", 2) == 0 || memcmp(b, "el", 2) == 0))
        return word_sim(a, na, b + 2, nb - 2, loose) * 0.95;
    char ka[64], kb[64];
    size_t la = nm_skeleton(a, na, ka, sizeof ka), lb = nm_skeleton(b, nb, kb, sizeof kb);
    if (la >= 2 && la == lb && memcmp(ka, kb, la) == 0)
        return 0.85;
    if (la >= 2 || longest > 5)
        return 0.0;
    la = nm_short_fold(a, na, ka, sizeof ka); /* a skeleton of one letter says too little */
    lb = nm_short_fold(b, nb, kb, sizeof kb);
    return la >= 2 && la == lb && memcmp(ka, kb, la) == 0 ? 0.85 : 0.0;
}

/* Whether two words of which the shorter has 4 letters are one typo apart
 * without a substitution: a letter added or dropped ("yitu" / "yittu"), or
 * two adjacent letters swapped ("yitu" / "yiut"), the first letter kept. A
 * substitution in so short a word makes another word ("lira" / "lina",
 * "chad" / "chan"). */
static bool short_typo(const char *a, size_t na, const char *b, size_t nb)
{
    if (a[0] != b[0])
        return false; /* "amer" / "samer" are two names: typos keep the first letter */
    if (na == nb) {
        size_t i = 0;
        while (i < na && a[i] == b[i])
            i++;
        return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               memcmp(a + i + 2, b + i + 2, na - i - 2) == 0;
    }
    return nm_edit_distance(a, na, b, nb, 1) == 1;
}

/* Similarity of token i of a and token j of b, by their classes. */
static double tok_sim(const pairing *p, size_t i, size_t j)
{
    const rf_name_token *x = &p->a->tok[i], *y = &p->b->tok[j];
    const char *s = tk(p->a, i), *t = tk(p->b, j);
    if (x->cls == RF_NCLASS_LEGAL || y->cls == RF_NCLASS_LEGAL)
        return 0.0;
    if (x->cls == RF_NCLASS_INITIAL || y->cls == RF_NCLASS_INITIAL)
        return s[0] == t[0] ? (x->len == y->len ? 1.0 : 0.75) : 0.0;
    if (x->cls == RF_NCLASS_PARTICLE || y->cls == RF_NCLASS_PARTICLE)
        return x->len == y->len && memcmp(s, t, x->len) == 0 ? 1.0 : 0.0;
    double w = word_sim(s, x->len, t, y->len, p->loose);
    size_t lo = x->len < y->len ? x->len : y->len, hi = x->len > y->len ? x->len : y->len;
    if (w == 0.0 && lo == 4 && hi <= 5 && x->cls == RF_NCLASS_WORD && y->cls == RF_NCLASS_WORD &&
        x->weight >= NM_RARE && y->weight >= NM_RARE && short_typo(s, x->len, t, y->len))
        w = 1.0 - 1.0 / (double)hi; /* a typo in a rare short word is still a typo */
    return w;
}

/* A candidate pair for the greedy assignment. */
typedef struct cand {
    double s;
    unsigned char i, j;
} cand;

/* qsort: best similarity first, then the earlier tokens. */
static int cand_cmp(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->s != b->s)
        return a->s < b->s ? 1 : -1;
    return (a->i + a->j) - (b->i + b->j);
}

/* Pair tokens greedily, best similarity first. */
static void pair_greedy(pairing *p)
{
    cand c[T * T];
    size_t nc = 0;
    for (size_t i = 0; i < p->a->ntok; i++)
        for (size_t j = 0; j < p->b->ntok; j++) {
            double s = tok_sim(p, i, j);
            if (s > 0)
                c[nc++] = (cand){s, (unsigned char)i, (unsigned char)j};
        }
    qsort(c, nc, sizeof c[0], cand_cmp);
    for (size_t k = 0; k < nc; k++)
        if (p->pa[c[k].i] < 0 && p->pb[c[k].j] < 0) {
            p->pa[c[k].i] = c[k].j;
            p->pb[c[k].j] = c[k].i;
            p->sa[c[k].i] = p->sb[c[k].j] = c[k].s;
        }
}

/* Match unmatched token i of x against 2..3 consecutive unmatched tokens of
 * y glued together ("huawei" / "hua wei", "siemensag" / "siemens ag"). */
static void glue_one(const rf_name_norm *x, size_t i, const rf_name_norm *y, int *px,
                     double *sx, int *py, double *sy, bool loose)
{
    for (size_t j = 0; j + 1 < y->ntok; j++) {
        char buf[RF_NAME_TEXT_MAX];
        size_t n = 0;
        for (size_t k = j; k < j + 3 && k < y->ntok && py[k] < 0; k++) {
            memcpy(buf + n, tk(y, k), y->tok[k].len);
            n += y->tok[k].len;
            double s = k > j ? word_sim(tk(x, i), x->tok[i].len, buf, n, loose) : 0.0;
            if (s >= 0.85) {
                px[i] = (int)j;
                sx[i] = s;
                for (size_t m = j; m <= k; m++)
                    py[m] = (int)i, sy[m] = s;
                return;
            }
        }
    }
}

/* Try glued matches for every unmatched word of both names. */
static void pair_glued(pairing *p)
{
    for (size_t i = 0; i < p->a->ntok; i++)
        if (p->pa[i] < 0 && p->a->tok[i].len >= 4 && p->a->tok[i].cls != RF_NCLASS_LEGAL)
            glue_one(p->a, i, p->b, p->pa, p->sa, p->pb, p->sb, p->loose);
    for (size_t j = 0; j < p->b->ntok; j++)
        if (p->pb[j] < 0 && p->b->tok[j].len >= 4 && p->b->tok[j].cls != RF_NCLASS_LEGAL)
            glue_one(p->b, j, p->a, p->pb, p->sb, p->pa, p->sa, p->loose);
}

/* Sums over one side: total weight, matched weight, matched specific
 * weight (distinctive words), unmatched distinctive weight. */
typedef struct sums {
    double w, m, spec, un;
    bool word_matched;
} sums;

/* Add up one side of the pairing. */
static sums side_sums(const rf_name_norm *n, const int *partner, const double *sim)
{
    sums s = {0};
    for (size_t i = 0; i < n->ntok; i++) {
        const rf_name_token *t = &n->tok[i];
        if (t->cls == RF_NCLASS_LEGAL)
            continue;
        s.w += t->weight;
        bool word = t->cls == RF_NCLASS_WORD || t->cls == RF_NCLASS_PATRONYMIC;
        if (partner[i] >= 0) {
            s.m += sim[i] * t->weight;
            if (word) {
                s.spec += sim[i] * t->weight;
                s.word_matched = true;
            }
        } else if (word) {
            s.un += t->weight > 0.8f ? t->weight : 0.8f; /* a common word conflicts too */
        }
    }
    return s;
}

/* Append a word to a space-separated list in buf. */
static void list_add(char *buf, size_t cap, const char *w, size_t n, const char *w2, size_t n2)
{
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used, "%s%.*s%s%.*s", used ? " " : "", (int)n, w,
             w2 ? "~" : "", (int)n2, w2 ? w2 : "");
}

/* Fill the token lists of the explanation. */
static void explain_tokens(const pairing *p, rf_name_explain *ex)
{
    ex->shared[0] = ex->only_a[0] = ex->only_b[0] = 0;
    for (size_t i = 0; i < p->a->ntok; i++) {
        if (p->a->tok[i].cls == RF_NCLASS_LEGAL)
            continue;
        int j = p->pa[i];
        if (j < 0) {
            list_add(ex->only_a, sizeof ex->only_a, tk(p->a, i), p->a->tok[i].len, NULL, 0);
            continue;
        }
        bool same = p->sa[i] == 1.0 && p->b->tok[j].len == p->a->tok[i].len &&
                    memcmp(tk(p->a, i), tk(p->b, (size_t)j), p->a->tok[i].len) == 0;
        list_add(ex->shared, sizeof ex->shared, tk(p->a, i), p->a->tok[i].len,
                 same ? NULL : tk(p->b, (size_t)j), same ? 0 : p->b->tok[j].len);
    }
    for (size_t j = 0; j < p->b->ntok; j++)
        if (p->b->tok[j].cls != RF_NCLASS_LEGAL && p->pb[j] < 0)
            list_add(ex->only_b, sizeof ex->only_b, tk(p->b, j), p->b->tok[j].len, NULL, 0);
}

/* The distinctive words of a name glued in written order. */
static size_t compact(const rf_name_norm *n, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n->ntok; i++) {
        const rf_name_token *t = &n->tok[i];
        if (t->cls == RF_NCLASS_LEGAL || t->cls == RF_NCLASS_PARTICLE || k + t->len >= cap)
            continue;
        memcpy(buf + k, tk(n, i), t->len);
        k += t->len;
    }
    buf[k] = 0;
    return k;
}

/* Search state of acro_from(): the acronym, the expanded name, and the
 * (position, token, skips) states already found to fail. */
typedef struct acro_state {
    const char *a;
    size_t n;
    const rf_name_norm *y;
    unsigned char dead[ACRO_MAX + 1][T][2][3];
} acro_state;

/* Whether a[i..] is spelt by tokens j.. of the name: each token gives a
 * prefix of 1-3 letters (1 in acronyms under 5 letters) or all of itself; a
 * legal form all of itself ("SA"), "co" / "corp" also their "c"
 * ("FINCIMEX": FINanciera CIMEX, "NICICO": National Iranian Copper
 * Industries COmpany); or the token is skipped: legal
 * forms, generic words and particles freely ("CSGC": China South [Industries]
 * Group Corporation), at most one distinctive word ("MACS": Middle [East]
 * Automation Control Services); two tokens at least give letters. */
static bool acro_from(acro_state *s, size_t i, size_t j, int skips, int used)
{
    if (j == s->y->ntok)
        return i == s->n && used >= 2; /* "DANIEL" is no acronym of "Daniel A. Malloy" */
    if (s->dead[i][j][skips][used])
        return false;
    const rf_name_token *t = &s->y->tok[j];
    const char *w = tk(s->y, j);
    bool legal = t->cls == RF_NCLASS_LEGAL, co = legal && w[0] == 'c' && (t->len == 2 ||
                                                                         t->len == 4);
    size_t most = s->n >= 5 ? 3 : 1; /* "HLG" is initials or nothing */
    for (size_t k = 1; i < s->n && k <= t->len && i + k <= s->n; k++) {
        if (w[k - 1] != s->a[i + k - 1])
            break;
        bool ok = legal ? k == t->len || (k == 1 && co) : k <= most || k == t->len;
        if (ok && acro_from(s, i + k, j + 1, skips, used < 2 ? used + 1 : 2))
            return true;
    }
    bool weak = t->cls != RF_NCLASS_WORD && t->cls != RF_NCLASS_PATRONYMIC;
    if ((j > 0 || weak) && (weak || skips == 0) && acro_from(s, i, j + 1, skips + !weak, used))
        return true;
    s->dead[i][j][skips][used] = 1;
    return false;
}

/* Whether one company name is a single word of 3-8 letters that abbreviates
 * the other (of 2 or more words), its first word included: the initials
 * ("CNPC") or the prefixes acro_from() allows. */
static bool acronym(const rf_name_norm *x, const rf_name_norm *y)
{
    size_t words = 0, w = 0;
    for (size_t i = 0; i < x->ntok; i++)
        if (x->tok[i].cls != RF_NCLASS_LEGAL)
            words++, w = i;
    if (x->kind != RF_NAME_COMPANY || words != 1 || x->tok[w].len < 3 || y->ntok < 2)
        return false;
    size_t il = strlen(y->initials);
    if (il == x->tok[w].len && x->tok[w].len <= 6 && memcmp(tk(x, w), y->initials, il) == 0)
        return true;
    size_t f = 0; /* the acronym starts with the first word that is no legal form */
    while (f < y->ntok && y->tok[f].cls == RF_NCLASS_LEGAL && tk(y, f)[0] != tk(x, w)[0])
        f++;
    if (x->tok[w].len > ACRO_MAX || f == y->ntok || tk(y, f)[0] != tk(x, w)[0])
        return false;
    static _Thread_local acro_state st;
    memset(st.dead, 0, sizeof st.dead);
    st.a = tk(x, w);
    st.n = x->tok[w].len;
    st.y = y;
    return acro_from(&st, 0, 0, 0, 0);
}

/* Whether a name has a distinctive word at all. */
static bool has_word(const rf_name_norm *n)
{
    for (size_t i = 0; i < n->ntok; i++)
        if (n->tok[i].cls == RF_NCLASS_WORD)
            return true;
    return false;
}

/* Whether every word of both names (legal forms aside) is paired exactly
 * and in the same order: the same name, spelt the same. */
static bool all_exact(const pairing *p)
{
    size_t words = 0;
    int last = -1;
    for (size_t i = 0; i < p->a->ntok; i++)
        if (p->a->tok[i].cls != RF_NCLASS_LEGAL) {
            if (p->pa[i] <= last || p->sa[i] < 1.0)
                return false;
            last = p->pa[i];
            words++;
        }
    for (size_t j = 0; j < p->b->ntok; j++)
        if (p->b->tok[j].cls != RF_NCLASS_LEGAL && p->pb[j] < 0)
            return false;
    return words >= 2;
}

/* Legal-form agreement: + same form, - forms of different families. */
static double legal_adjust(const rf_name_norm *a, const rf_name_norm *b)
{
    if (!a->legal[0] || !b->legal[0])
        return 0.0;
    if (strcmp(a->legal, b->legal) == 0)
        return 0.02;
    return nm_legal_same_family(a->legal, b->legal) ? 0.0 : -0.03;
}

/* Clamp x to 0..1. */
static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* The score from the pairing's sums; fills the parts of ex. */
static double combine(const pairing *p, const sums *sa, const sums *sb, rf_name_explain *ex)
{
    double tot = sa->w + sb->w;
    ex->token_sim = tot > 0 ? (sa->m + sb->m) / tot : 0.0;
    double ca = sa->w > 0 ? sa->m / sa->w : 0, cb = sb->w > 0 ? sb->m / sb->w : 0;
    ex->cover_sim = ca > cb ? ca : cb;
    double spec = sa->spec < sb->spec ? sa->spec : sb->spec;
    double lift = (p->a->kind == RF_NAME_PERSON ? LIFT_PERSON : LIFT_COMPANY) *
                  clamp01((spec - SPEC_LO) / (SPEC_HI - SPEC_LO));
    double s = ex->token_sim + (ex->cover_sim - ex->token_sim) * lift;
    double un = sa->un < sb->un ? sa->un : sb->un;
    ex->penalty = CONFLICT * un > 0.3 ? 0.3 : CONFLICT * un;
    ex->legal_adj = legal_adjust(p->a, p->b);
    s = s - ex->penalty + ex->legal_adj;
    ex->rule = "tokens";
    char ka[RF_NAME_TEXT_MAX], kb[RF_NAME_TEXT_MAX];
    size_t la = compact(p->a, ka, sizeof ka), lb = compact(p->b, kb, sizeof kb);
    ex->char_sim = nm_jaro_winkler(ka, la, kb, lb);
    if (la >= 4 && la == lb && memcmp(ka, kb, la) == 0 && s < SPACING) {
        s = SPACING;
        ex->rule = "spacing";
    }
    if (s < ACRONYM && (acronym(p->a, p->b) || acronym(p->b, p->a))) {
        s = ACRONYM;
        ex->rule = "acronym";
    }
    bool acro = strcmp(ex->rule, "acronym") == 0 && has_word(p->a) && has_word(p->b);
    if (!sa->word_matched && !sb->word_matched && !acro && s > GENERIC_CAP) {
        bool same = all_exact(p); /* "Industrial Solutions" is a listed name too */
        s = same ? (s < GENERIC_SAME ? s : GENERIC_SAME) : GENERIC_CAP;
        ex->rule = same ? "generic-same" : "generic-only"; /* generic words are never more */
    }
    return clamp01(s);
}

/* Start an explanation with the normalised forms. */
static void explain_init(const rf_name_norm *a, const rf_name_norm *b, rf_name_explain *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->kind = a->kind;
    snprintf(ex->norm_a, sizeof ex->norm_a, "%s", a->text);
    snprintf(ex->norm_b, sizeof ex->norm_b, "%s", b->text);
    snprintf(ex->legal_a, sizeof ex->legal_a, "%s", a->legal);
    snprintf(ex->legal_b, sizeof ex->legal_b, "%s", b->legal);
    ex->rule = "empty";
}

double rf_name_compare_norm(const rf_name_norm *a, const rf_name_norm *b, rf_name_explain *ex)
{
    rf_name_explain local;
    if (!ex)
        ex = &local;
    explain_init(a, b, ex);
    if (a->ntok == 0 || b->ntok == 0)
        return 0.0;
    pairing p = {.a = a, .b = b, .loose = a->kind == RF_NAME_PERSON || a->translit || b->translit};
    for (size_t i = 0; i < T; i++)
        p.pa[i] = p.pb[i] = -1;
    pair_greedy(&p);
    pair_glued(&p);
    sums sa = side_sums(a, p.pa, p.sa), sb = side_sums(b, p.pb, p.sb);
    explain_tokens(&p, ex);
    ex->score = combine(&p, &sa, &sb, ex);
    ex->match = ex->score >= RF_NAME_THRESHOLD;
    return ex->score;
}

double rf_name_compare(const char *a, const char *b, rf_name_kind kind, rf_name_explain *ex)
{
    rf_name_norm na, nb;
    if (!a || !b || rf_name_normalize(a, (size_t)-1, kind, &na) != RF_OK ||
        rf_name_normalize(b, (size_t)-1, kind, &nb) != RF_OK) {
        if (ex) {
            memset(ex, 0, sizeof *ex);
            ex->kind = kind;
            ex->rule = "empty";
        }
        return 0.0;
    }
    return rf_name_compare_norm(&na, &nb, ex);
}

int rf_name_kind_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "company") == 0 || strcmp(s, "organization") == 0 ||
        strcmp(s, "organisation") == 0 || strcmp(s, "entity") == 0)
        return RF_NAME_COMPANY;
    if (strcmp(s, "person") == 0 || strcmp(s, "individual") == 0)
        return RF_NAME_PERSON;
    return -1;
}
