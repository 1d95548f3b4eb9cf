/* Finding listed parties: retrieval by identifiers and name keys, scoring,
 * and the listed_entity flags of a record (see match.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fnv.h"
#include "redflag/match.h"

#define SLOTS 4096          /* candidate hash table (power of two) */
#define MAX_CANDIDATES 24   /* scored per lookup, best retrieval weight first */
#define MIN_SHARE 0.35      /* … and only those with this share of the best weight */
#define MIN_OF_QUERY 0.5    /* … and of the query's own token weight */
#define MAX_QKEYS 96
#define MAX_POSTING 4000    /* entities read per key before it counts as too common */
#define MAX_HITS 64
#define ARENA 65536
#define NORM_SLOTS 8192     /* cache of normalised listed names (power of two) */
#define FULL_NAME 0.95      /* a name this close, all words shared, is its own evidence */
#define FULL_WEIGHT 1.0     /* ... when its distinctive words weigh this much (one rare word) */
#define FULL_WEIGHT_P 1.5   /* ... persons: given names and surnames repeat more */
#define PARTIAL 0.5         /* a query matching less of the entry's distinctive weight is thin
                               evidence: a match only with a shared country, else none */
#define POSSIBLE_WEIGHT 40  /* a possible match's flag: medium on its own */

typedef struct norm_slot {
    uint64_t h;             /* hash of the name text and kind; 0 = empty */
    rf_name_norm n;
} norm_slot;

typedef struct cand {
    char key[RF_INDEX_MAX_KEY + 1];
    size_t len;
    double weight;          /* retrieval evidence; identifiers count most */
    uint32_t tokens;        /* query words already credited (each counts once) */
    bool used;
} cand;

struct rf_matcher {
    rf_index *ix;
    rf_list_policy *pol;
    size_t npol;
    double threshold;
    cand *slots;            /* SLOTS entries */
    cand *order[SLOTS];
    size_t ncand;
    rf_match_hit hits[MAX_HITS];
    size_t nhits;
    char arena[ARENA];      /* strings of the hits */
    size_t used;
    double key_weight;      /* weight of the key being looked up */
    uint32_t key_bit;       /* its query word */
    size_t posting;         /* entities seen for that key */
    const rf_name_party *q; /* the query being scored */
    rf_name_norm qn;        /* the query, normalised once per lookup */
    rf_name_norm qp;        /* ... read as a person's name, for listed persons */
    bool have_qp;           /* qp made (on the first listed person) */
    unsigned kinds;         /* RF_PARTY_* the query may be; 0 anything */
    struct qkey {
        char k[80];
        size_t len;
        rf_name_key_class cls;
        double w;
        unsigned tok;       /* the query word (or glued pair, whole name) it comes from */
    } qkeys[MAX_QKEYS];     /* the query's retrieval keys */
    unsigned ntok;
    uint32_t found;         /* query words whose exact key found an entity */
    size_t nqkeys;
    double qweight;         /* sum of the query's token-key weights */
    bool second;            /* collecting the keys of the query read as a person's name */
    double qweight2;        /* ... and their token-key weights */
    norm_slot *norms;       /* listed names normalised, kept across lookups */
};

/* The name of an outcome. */
const char *rf_match_outcome_name(rf_match_outcome o)
{
    return o == RF_OUTCOME_MATCH ? "match" : o == RF_OUTCOME_POSSIBLE ? "possible" : "none";
}

/* Make a matcher. */
int rf_matcher_create(rf_matcher **out, rf_index *ix, const rf_list_policy *policies,
                      size_t npolicies, double threshold)
{
    rf_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return RF_ENOMEM;
    m->ix = ix;
    m->threshold = threshold > 0 ? threshold : RF_NAME_THRESHOLD;
    m->slots = calloc(SLOTS, sizeof *m->slots);
    m->pol = calloc(npolicies + 1, sizeof *m->pol);
    m->norms = calloc(NORM_SLOTS, sizeof *m->norms);
    if (!m->slots || !m->pol || !m->norms) {
        rf_matcher_destroy(m);
        return RF_ENOMEM;
    }
    for (size_t i = 0; i < npolicies; i++) {
        m->pol[i] = policies[i];
        m->pol[i].list = strdup(policies[i].list);
        m->pol[i].title = strdup(policies[i].title ? policies[i].title : policies[i].list);
        m->npol++;
        if (!m->pol[i].list || !m->pol[i].title) {
            rf_matcher_destroy(m);
            return RF_ENOMEM;
        }
    }
    *out = m;
    return RF_OK;
}

/* Free a matcher. */
void rf_matcher_destroy(rf_matcher *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->npol; i++) {
        free((char *)m->pol[i].list);
        free((char *)m->pol[i].title);
    }
    free(m->pol);
    free(m->slots);
    free(m->norms);
    free(m);
}

/* FNV-1a of a key, for the candidate table. */
static size_t hash(const void *k, size_t n)
{
    return (size_t)fnv1a(FNV1A_INIT, k, n);
}

/* Add evidence w for entity key ekey from query word bit (each word counts
 * once per candidate: keys are looked up strongest first). */
static void add_cand(rf_matcher *m, const void *ekey, size_t len, double w, uint32_t bit)
{
    if (len > RF_INDEX_MAX_KEY)
        return;
    for (size_t i = hash(ekey, len) & (SLOTS - 1), probes = 0; probes < SLOTS;
         i = (i + 1) & (SLOTS - 1), probes++) {
        cand *c = &m->slots[i];
        if (c->used && c->len == len && memcmp(c->key, ekey, len) == 0) {
            if (!(c->tokens & bit))
                c->weight += w;
            c->tokens |= bit;
            return;
        }
        if (!c->used) {
            if (m->ncand >= SLOTS / 2)
                return; /* table full enough: enough candidates already */
            memcpy(c->key, ekey, len);
            c->len = len;
            c->weight = w;
            c->tokens = bit;
            c->used = true;
            m->order[m->ncand++] = c;
            return;
        }
    }
}

/* Index callback: an entity retrieved by the current key. */
static int on_ekey(const void *ekey, size_t len, void *ud)
{
    rf_matcher *m = ud;
    if (++m->posting > MAX_POSTING)
        return 1; /* too common to tell anything: stop reading it */
    add_cand(m, ekey, len, m->key_weight, m->key_bit);
    return 0;
}

/* Name matcher callback: collect one query key. */
static int on_key(const char *key, size_t len, rf_name_key_class cls, double weight, void *ud)
{
    rf_matcher *m = ud;
    if (m->second && cls == RF_NKEY_TOKEN)
        m->qweight2 += weight;
    if (m->nqkeys >= MAX_QKEYS || len >= sizeof m->qkeys[0].k)
        return 0;
    for (size_t i = 0; m->second && i < m->nqkeys; i++)
        if (m->qkeys[i].len == len && memcmp(m->qkeys[i].k, key, len) == 0)
            return 0; /* the other reading of the name gave it already */
    struct qkey *q = &m->qkeys[m->nqkeys++];
    memcpy(q->k, key, len);
    q->len = len;
    q->cls = cls;
    q->w = weight;
    if (cls == RF_NKEY_TOKEN || cls == RF_NKEY_JOINED || cls == RF_NKEY_NAME || !m->ntok)
        m->ntok++; /* keys of one word follow its w: key */
    q->tok = m->ntok - 1 < 31 ? m->ntok - 1 : 31;
    if (cls == RF_NKEY_TOKEN && !m->second)
        m->qweight += weight;
    return 0;
}

/* Look up every collected key of the given classes, most specific first. */
static int lookup_keys(rf_matcher *m, bool typos)
{
    for (size_t i = 0; i < m->nqkeys; i++) {
        struct qkey *q = &m->qkeys[i];
        if ((q->cls == RF_NKEY_DELETE) != typos || (typos && (m->found >> q->tok & 1)))
            continue; /* typo keys only for words whose exact key found nothing */
        m->key_weight = q->w;
        m->key_bit = 1u << q->tok;
        m->posting = 0;
        int rc = rf_index_find_key(m->ix, q->k, q->len, on_ekey, m);
        if (rc < 0)
            return rc;
        if (m->posting && q->cls != RF_NKEY_DELETE)
            m->found |= m->key_bit;
    }
    return RF_OK;
}

/* Order query keys by weight, most specific first. */
static int by_key_weight(const void *a, const void *b)
{
    double wa = ((const struct qkey *)a)->w, wb = ((const struct qkey *)b)->w;
    return wa < wb ? 1 : wa > wb ? -1 : 0;
}

/* The best candidate's retrieval weight so far (0 when none). */
static double best_weight(const rf_matcher *m)
{
    double b = 0;
    for (size_t i = 0; i < m->ncand; i++)
        b = m->order[i]->weight > b ? m->order[i]->weight : b;
    return b;
}

/* Index callback: an entity whose identifier equals one of the query's. */
static int on_id(const void *ekey, size_t len, void *ud)
{
    add_cand(ud, ekey, len, 100.0, 0);
    return 0;
}

/* Copy s into the hit arena; "" when full. */
static const char *keep(rf_matcher *m, const char *s)
{
    size_t n = strlen(s) + 1;
    if (m->used + n > ARENA)
        return "";
    char *p = memcpy(m->arena + m->used, s, n);
    m->used += n;
    return p;
}

/* Join a list of strings with sep into the arena. */
static const char *join(rf_matcher *m, const char *const *v, size_t n, const char *sep)
{
    char buf[1024];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? sep : "", v[i]);
    return keep(m, buf);
}

/* Policy of a list, or NULL. */
static const rf_list_policy *policy(const rf_matcher *m, const char *list)
{
    for (size_t i = 0; i < m->npol; i++)
        if (strcmp(m->pol[i].list, list) == 0)
            return &m->pol[i];
    return NULL;
}

/* A listed name normalised, from the cache or made now (NULL when it cannot be). */
static const rf_name_norm *norm_of(rf_matcher *m, const char *name, rf_name_kind kind)
{
    uint64_t h = hash(name, strlen(name)) * 2 + (uint64_t)kind;
    h += !h; /* 0 marks an empty slot */
    norm_slot *s = &m->norms[h & (NORM_SLOTS - 1)];
    if (s->h == h)
        return &s->n;
    if (rf_name_normalize(name, (size_t)-1, kind, &s->n) != RF_OK) {
        s->h = 0;
        return NULL;
    }
    s->h = h;
    return &s->n;
}

/* How names are read against entity e: as persons' names when the entry is
 * a person the query may be, else as the query's kind. */
static rf_name_kind read_as(const rf_matcher *m, const rf_entity *e)
{
    bool person = e->kind == RF_ENTITY_PERSON && (!m->kinds || (m->kinds & RF_PARTY_PERSON));
    return person ? RF_NAME_PERSON : m->q->kind;
}

/* The query normalised for reading kind k (NULL when it cannot be). */
static const rf_name_norm *query_as(rf_matcher *m, rf_name_kind k)
{
    if (k == m->qn.kind)
        return &m->qn;
    if (!m->have_qp && rf_name_normalize(m->q->name, (size_t)-1, k, &m->qp) != RF_OK)
        return NULL;
    m->have_qp = true;
    return &m->qp;
}

/* Score one candidate name against the query as a party. */
static double score_name(rf_matcher *m, const rf_entity *e, const char *name,
                         const rf_name_ident *ids, rf_name_explain *ex)
{
    rf_name_kind k = read_as(m, e);
    rf_name_party b = {name, k, e->countries, e->ncountries, ids, e->nids, 0};
    const rf_name_norm *bn = norm_of(m, name, k), *qn = query_as(m, k);
    double s = bn && qn ? rf_name_compare_norm(qn, bn, ex) : 0.0;
    if (!bn || !qn)
        memset(ex, 0, sizeof *ex);
    return rf_name_party_adjust(m->q, &b, s, ex);
}

/* Whether s is written in Latin script (ASCII, or letters up to U+033F:
 * accented Latin and combining marks). */
static bool latin(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xCD && (*p & 0xC0) == 0xC0)
            return false;
    return true;
}

/* The only distinctive word of a name when it has exactly one, else NULL length 0. */
static size_t sole_word(const rf_name_norm *n)
{
    size_t len = 0, count = 0;
    for (size_t i = 0; i < n->ntok; i++)
        if (n->tok[i].cls == RF_NCLASS_WORD) {
            count++;
            len = n->tok[i].len;
        }
    return count == 1 ? len : 0;
}

/* Whether the query and the entity share a country (both must state one). */
static bool shared_country(const rf_name_party *q, const rf_entity *e)
{
    for (size_t i = 0; i < q->ncountries; i++)
        for (size_t j = 0; j < e->ncountries; j++)
            if (q->countries[i] && strcmp(q->countries[i], e->countries[j]) == 0)
                return true;
    return false;
}

/* Whether token t[0..n) is among the shared tokens of an explanation
 * ("bank kunlum~kunlun": either side of a fuzzy pair counts). */
static bool in_shared(const char *shared, const char *t, size_t n)
{
    for (const char *p = shared; *p;) {
        size_t len = strcspn(p, " ~");
        if (len == n && memcmp(p, t, n) == 0)
            return true;
        p += len;
        p += *p != '\0';
    }
    return false;
}

/* Share of a listed name's distinctive weight that the query matched. */
static double listed_cover(const rf_name_norm *bn, const char *shared)
{
    double all = 0, got = 0;
    for (size_t i = 0; i < bn->ntok; i++) {
        const rf_name_token *t = &bn->tok[i];
        if (t->cls != RF_NCLASS_WORD && t->cls != RF_NCLASS_PATRONYMIC)
            continue;
        all += t->weight;
        if (in_shared(shared, bn->text + t->off, t->len))
            got += t->weight;
    }
    return all > 0 ? got / all : 1.0;
}

/* Whether entry kind k may be the query by name (kinds that cannot be the
 * same thing never match by name: an organisation is no vessel). */
static bool kind_fits(unsigned kinds, rf_entity_kind k)
{
    return !kinds || k == RF_ENTITY_OTHER || (kinds & (1u << k));
}

/* The first identifier of the query equal to one of the entry's, or NULL. */
static const rf_name_ident *same_ident(const rf_name_party *q, const rf_name_ident *ids,
                                       size_t n)
{
    for (size_t i = 0; i < q->nids; i++)
        for (size_t j = 0; j < n; j++)
            if (rf_name_ident_same(&q->ids[i], &ids[j]))
                return &q->ids[i];
    return NULL;
}

/* The scheme of a strong identifier both sides state with different values, or NULL. */
static const char *ident_conflict(const rf_name_party *q, const rf_name_ident *ids, size_t n)
{
    for (size_t i = 0; i < q->nids; i++)
        for (size_t j = 0; j < n; j++)
            if (q->ids[i].scheme && ids[j].scheme && rf_name_ident_strong(q->ids[i].scheme) &&
                strcasecmp(q->ids[i].scheme, ids[j].scheme) == 0 &&
                !rf_name_ident_same(&q->ids[i], &ids[j]))
                return q->ids[i].scheme;
    return NULL;
}

/* Total weight of a name's distinctive words (words and patronymics). */
static double word_weight(const rf_name_norm *n)
{
    double w = 0;
    for (size_t i = 0; i < n->ntok; i++)
        if (n->tok[i].cls == RF_NCLASS_WORD || n->tok[i].cls == RF_NCLASS_PATRONYMIC)
            w += n->tok[i].weight;
    return w;
}

/* A full distinctive name is its own corroboration: the names agree (score
 * at least FULL_NAME), every distinctive word of both is matched, and those
 * words are rare enough (weight at least FULL_WEIGHT, persons FULL_WEIGHT_P)
 * and not one short word ("CEC", "Delta": many firms are called that). */
static bool full_name(const rf_name_norm *qn, const rf_name_norm *bn, const rf_name_explain *ex)
{
    size_t qw = sole_word(qn), bw = sole_word(bn);
    if (ex->score - ex->party_adj < FULL_NAME || (qw && qw <= 5) || (bw && bw <= 5))
        return false;
    double need = bn->kind == RF_NAME_PERSON ? FULL_WEIGHT_P : FULL_WEIGHT;
    return listed_cover(bn, ex->shared) >= 1.0 && listed_cover(qn, ex->shared) >= 1.0 &&
           word_weight(bn) >= need && word_weight(qn) >= need;
}

/* Thin name evidence, short of a strong name match: a name whose one
 * distinctive word is short ("Delta Ltd") beside other words, even generic
 * ones ("ECHO DELTA HOLDINGS LTD", "ALPHA INTERNATIONAL LTD"), or a query that matches under half of the listed
 * name's distinctive weight ("Silicon Industry Co" inside "Hoshine Silicon
 * Industry (Shanshan)"). Many innocent firms are called that: such a hit
 * needs a shared country (or an identifier). The same short name on both
 * sides ("CEC LIMITED") is no thin evidence: it is the listed name. */
static bool thin(const rf_name_norm *qn, const rf_name_norm *bn, const rf_name_explain *ex)
{
    double lc = listed_cover(bn, ex->shared);
    if (lc < PARTIAL)
        return true;
    size_t qw = sole_word(qn), bw = sole_word(bn);
    bool shortword = (qw && qw <= 5) || (bw && bw <= 5);
    return shortword && (ex->only_a[0] || ex->only_b[0]); /* "Alpha Ltd" is not "ALPHA
                                                              INTERNATIONAL (PRIVATE) LTD" */
}

/* What would confirm or clear a possible match of this entry. */
static const char *to_ask(rf_entity_kind k)
{
    switch (k) {
    case RF_ENTITY_PERSON: return "ask for the date of birth, nationality and an ID document";
    case RF_ENTITY_VESSEL: return "ask for the IMO number";
    case RF_ENTITY_AIRCRAFT: return "ask for the tail number or serial number";
    default: return "ask for the LEI / registration number and the country of registration";
    }
}

/* Decide a hit at or above the threshold (docs/MATCHING.md "Verdict"):
 * corroborated (identifier, shared country, full distinctive name) is a
 * match; a contradiction (another value of a strong identifier, disjoint
 * countries) or nothing either way is a possible match, saying what would
 * confirm or clear it. Writes the reason to why[0..cap). */
static rf_match_outcome decide(rf_matcher *m, const rf_entity *e, const char *matched,
                               const rf_name_ident *ids, size_t nids, const rf_name_explain *ex,
                               char *why, size_t cap)
{
    const rf_name_party *q = m->q;
    const rf_name_ident *id = same_ident(q, ids, nids);
    double name = ex->score - ex->party_adj;
    if (id) {
        snprintf(why, cap, "the same %s (%s) as the entry", id->scheme, id->value);
        return RF_OUTCOME_MATCH;
    }
    if (ex->score < m->threshold)
        return RF_OUTCOME_NONE;
    const char *clash = ident_conflict(q, ids, nids);
    bool shared = shared_country(q, e);
    rf_name_kind k = read_as(m, e);
    const rf_name_norm *bn = norm_of(m, matched, k), *qn = query_as(m, k);
    if (bn && qn && thin(qn, bn, ex)) {
        if (!shared)
            return RF_OUTCOME_NONE;
        snprintf(why, cap, "name %.2f is thin (one short word, or under half of the entry's "
                 "name), but the country %s is shared", name, q->countries[0]);
        return RF_OUTCOME_MATCH;
    }
    if (clash || (q->ncountries && e->ncountries && !shared)) {
        if (!bn || !qn || listed_cover(bn, ex->shared) < 1.0 || listed_cover(qn, ex->shared) < 1.0)
            return RF_OUTCOME_NONE; /* contradicted, and not even the whole name agrees */
        char c[160];
        if (clash)
            snprintf(c, sizeof c, "the entry's %s differs", clash);
        else
            snprintf(c, sizeof c, "the entry is in %s, the party in %s",
                     e->ncountries ? e->countries[0] : "-", q->countries[0]);
        snprintf(why, cap, "name %.2f, but %s: possible match; %s to clear it", name, c,
                 to_ask(e->kind));
        return RF_OUTCOME_POSSIBLE;
    }
    if (shared) {
        for (size_t i = 0; i < q->ncountries; i++)
            for (size_t j = 0; j < e->ncountries; j++)
                if (q->countries[i] && strcmp(q->countries[i], e->countries[j]) == 0) {
                    snprintf(why, cap, "name %.2f and the country %s", name, e->countries[j]);
                    return RF_OUTCOME_MATCH;
                }
    }
    if (bn && qn && full_name(qn, bn, ex)) {
        snprintf(why, cap, "the full name (%.2f), distinctive words all shared: %s", name,
                 ex->shared);
        return RF_OUTCOME_MATCH;
    }
    snprintf(why, cap, "name %.2f, nothing confirms or contradicts it: possible match; %s",
             name, to_ask(e->kind));
    return RF_OUTCOME_POSSIBLE;
}

/* Index callback: score a retrieved entity over its name and aliases. A
 * Latin-script query is not compared with the list's original-script
 * aliases (lists give every entity a Latin name, which is compared). */
static int on_entity(const rf_entity *e, bool critical, void *ud)
{
    rf_matcher *m = ud;
    rf_name_ident ids[64];
    size_t nids = e->nids < 64 ? e->nids : 64;
    for (size_t i = 0; i < nids; i++)
        ids[i] = (rf_name_ident){e->ids[i].scheme, e->ids[i].value};
    if (!kind_fits(m->kinds, e->kind) && !same_ident(m->q, ids, nids))
        return 0; /* another kind of thing: only an identifier can match it */
    rf_name_explain best, ex;
    double top = score_name(m, e, e->name, ids, &best);
    const char *matched = e->name, *kind = "name";
    static const char *const kinds[] = {"aka", "weak", "former"};
    bool qlatin = latin(m->q->name);
    for (size_t i = 0; i < e->naliases && top < 1.0; i++) {
        if (qlatin && !latin(e->aliases[i].name))
            continue;
        double s = score_name(m, e, e->aliases[i].name, ids, &ex);
        if (e->aliases[i].kind == RF_ALIAS_WEAK)
            s *= 0.9; /* low-quality aliases, as the lists mark them */
        if (s > top) {
            top = s;
            best = ex;
            matched = e->aliases[i].name;
            kind = kinds[e->aliases[i].kind <= RF_ALIAS_FORMER ? e->aliases[i].kind : 0];
        }
    }
    if (m->nhits >= MAX_HITS)
        return 0;
    char why[400] = "";
    best.score = top;
    rf_match_outcome o = decide(m, e, matched, ids, nids, &best, why, sizeof why);
    rf_match_hit *h = &m->hits[m->nhits++];
    *h = (rf_match_hit){.list = keep(m, e->list), .entity = keep(m, e->id),
                        .name = keep(m, e->name), .matched = keep(m, matched),
                        .alias_kind = kind, .countries = join(m, e->countries, e->ncountries, ", "),
                        .programs = join(m, e->programs, e->nprograms, "; "),
                        .critical = critical, .score = top, .kind = e->kind, .outcome = o,
                        .why = keep(m, why), .ex = best};
    h->ex.match = o == RF_OUTCOME_MATCH;
    return 0;
}

/* Whether a name is written "SURNAME, Given names" as lists write persons:
 * after its last comma comes a word that is no legal form ("GHALI, Iyad ag",
 * not "CIMEX, S.A." or "GALAX TRADING CO., LTD."). */
static bool inverted(const char *name)
{
    const char *c = strrchr(name, ',');
    rf_name_norm tail;
    if (!c || rf_name_normalize(c + 1, (size_t)-1, RF_NAME_COMPANY, &tail) != RF_OK ||
        !tail.ntok)
        return false;
    return tail.tok[0].cls != RF_NCLASS_LEGAL;
}

/* What the query may be: as stated; a party that may be an organisation or
 * a person (a supplier of unstated kind) is an organisation when its name
 * ends in a legal form ("… Ltd", "… S.A.") or, not written "SURNAME, Given",
 * has an organisation word ("Trading", "Group"). A legal form inside a name
 * proves nothing: "PAO, Yu Yi" and "Iyad ag Ghali" are persons. */
static unsigned party_kinds(const rf_name_party *q, const rf_name_norm *qn)
{
    if (q->kinds != (RF_PARTY_ORG | RF_PARTY_PERSON) || !qn->ntok || inverted(q->name))
        return q->kinds;
    bool org = qn->tok[qn->ntok - 1].cls == RF_NCLASS_LEGAL;
    for (size_t i = 0; i < qn->ntok && !org; i++)
        org = qn->tok[i].cls == RF_NCLASS_GENERIC;
    return org ? RF_PARTY_ORG : q->kinds;
}

/* Order candidates by retrieval weight, highest first. */
static int by_weight(const void *a, const void *b)
{
    double wa = (*(cand *const *)a)->weight, wb = (*(cand *const *)b)->weight;
    return wa < wb ? 1 : wa > wb ? -1 : 0;
}

/* Order hits by score, highest first. */
static int by_score(const void *a, const void *b)
{
    double sa = ((const rf_match_hit *)a)->score, sb = ((const rf_match_hit *)b)->score;
    return sa < sb ? 1 : sa > sb ? -1 : 0;
}

/* Forget the previous lookup's candidates and hits. */
static void reset(rf_matcher *m)
{
    for (size_t i = 0; i < m->ncand; i++)
        m->order[i]->used = false;
    m->ncand = 0;
    m->nhits = 0;
    m->used = 0;
}

/* Retrieve candidates for q: identifiers, then the name's word, glued, sound
 * and whole-name keys; the one-deletion typo keys only when those found no
 * candidate sharing most of the query's weight (the bounded fallback). */
static int retrieve(rf_matcher *m, const rf_name_party *q)
{
    for (size_t i = 0; i < q->nids; i++) {
        int rc = rf_index_find_id(m->ix, q->ids[i].scheme, q->ids[i].value, on_id, m);
        if (rc < 0)
            return rc;
    }
    m->nqkeys = 0;
    m->qweight = 0;
    m->ntok = 0;
    m->found = 0;
    int rc = rf_name_keys_norm(&m->qn, on_key, m);
    if (rc != RF_OK)
        return rc == RF_EINVAL ? RF_OK : rc;
    const rf_name_norm *qp = m->qn.kind == RF_NAME_COMPANY && (m->kinds & RF_PARTY_PERSON)
                             ? query_as(m, RF_NAME_PERSON) : NULL;
    if (qp && strcmp(qp->text, m->qn.text) != 0) { /* a party that may be a person: */
        m->second = true;                           /* its keys as a person's name too */
        m->qweight2 = 0;
        rc = rf_name_keys_norm(qp, on_key, m);
        m->second = false;
        if (rc != RF_OK && rc != RF_EINVAL)
            return rc;
        if (m->qweight2 < m->qweight) /* the lighter reading sets the candidate floor */
            m->qweight = m->qweight2;
    }
    qsort(m->qkeys, m->nqkeys, sizeof m->qkeys[0], by_key_weight);
    if ((rc = lookup_keys(m, false)) != RF_OK)
        return rc;
    if (best_weight(m) < 0.6 * m->qweight || m->ncand == 0)
        rc = lookup_keys(m, true);
    return rc;
}

/* The best hits for a party. */
int rf_matcher_lookup(rf_matcher *m, const rf_name_party *q, size_t limit, double min_score,
                      const rf_match_hit **hits, size_t *nhits)
{
    reset(m);
    *hits = m->hits;
    *nhits = 0;
    if (!q->name || !*q->name || rf_name_normalize(q->name, (size_t)-1, q->kind, &m->qn) != RF_OK)
        return RF_OK; /* nothing to look up: an empty or invalid name */
    m->q = q;
    m->have_qp = false;
    m->kinds = party_kinds(q, &m->qn);
    int rc = retrieve(m, q);
    if (rc != RF_OK)
        return rc;
    qsort(m->order, m->ncand, sizeof *m->order, by_weight);
    size_t n = m->ncand < MAX_CANDIDATES ? m->ncand : MAX_CANDIDATES;
    double floor = MIN_SHARE * (n ? m->order[0]->weight : 0);
    floor = floor > MIN_OF_QUERY * m->qweight ? floor : MIN_OF_QUERY * m->qweight;
    while (n > 0 && m->order[n - 1]->weight < floor)
        n--; /* weakly related candidates cannot reach the threshold */
    for (size_t i = 0; i < n && rc == RF_OK; i++)
        rc = rf_index_get_entity(m->ix, m->order[i]->key, m->order[i]->len, on_entity, m);
    if (rc != RF_OK && rc != RF_ENOTFOUND)
        return rc;
    qsort(m->hits, m->nhits, sizeof *m->hits, by_score);
    while (*nhits < m->nhits && *nhits < limit && m->hits[*nhits].score >= min_score)
        (*nhits)++;
    return RF_OK;
}

/* Set a party's kind: as the record states it ("kind": "person"), else an
 * organisation or a person (the matcher narrows it from the name). */
static void party_kind(const rf_record *rec, rf_field kind, rf_name_party *p)
{
    unsigned k = (int)kind >= 0 ? rf_name_party_kind_parse(rf_record_str(rec, kind, 0, NULL)) : 0;
    p->kinds = k ? k : RF_PARTY_ORG | RF_PARTY_PERSON;
    p->kind = k == RF_PARTY_PERSON ? RF_NAME_PERSON : RF_NAME_COMPANY;
}

/* Fill a party from a record's fields (name, country, kind, identifiers). */
static bool party_from(const rf_record *rec, rf_record_party *pq, rf_field name,
                       rf_field country, rf_field kind, const rf_field *idf,
                       const char *const *schemes, size_t nidf, rf_field other, size_t index)
{
    const char *n = rf_record_str(rec, name, index, NULL);
    if (!n || !*n)
        return false;
    const char *c = rf_record_str(rec, country, index, NULL);
    pq->country[0] = c;
    pq->p = (rf_name_party){n, RF_NAME_COMPANY, pq->country, c && *c ? 1 : 0, pq->ids, 0, 0};
    party_kind(rec, kind, &pq->p);
    for (size_t i = 0; i < nidf; i++) {
        const char *v = rf_record_str(rec, idf[i], 0, NULL);
        if (v && *v && pq->p.nids < RF_PARTY_IDS)
            pq->ids[pq->p.nids++] = (rf_name_ident){schemes[i], v};
    }
    for (size_t i = 0; (int)other >= 0 && i < rf_record_count(rec, other) &&
                       pq->p.nids < RF_PARTY_IDS; i++) {
        const char *v = rf_record_str(rec, other, i, NULL), *colon = strchr(v, ':');
        if (!colon || colon == v || (size_t)(colon - v) >= sizeof pq->schemes[0])
            continue;
        char *sc = pq->schemes[pq->p.nids];
        memcpy(sc, v, (size_t)(colon - v));
        sc[colon - v] = '\0';
        pq->ids[pq->p.nids++] = (rf_name_ident){sc, colon + 1};
    }
    return true;
}

/* The parties of a record: supplier, manufacturer, then subcontractors. */
size_t rf_record_parties(const rf_record *rec, rf_record_party *out, size_t max)
{
    static const char *const schemes[] = {"lei", "duns", "vat", "gln"};
    const rf_field sup_ids[] = {RF_F_SUPPLIER_LEI, RF_F_SUPPLIER_DUNS, RF_F_SUPPLIER_VAT,
                                RF_F_SUPPLIER_GLN};
    const rf_field man_ids[] = {RF_F_MANUFACTURER_LEI, RF_F_MANUFACTURER_DUNS,
                                RF_F_MANUFACTURER_VAT, RF_F_MANUFACTURER_GLN};
    size_t n = 0;
    if (n < max) {
        out[n] = (rf_record_party){.role = "supplier", .field = "supplier.name"};
        n += party_from(rec, &out[n], RF_F_SUPPLIER_NAME, RF_F_SUPPLIER_COUNTRY,
                        RF_F_SUPPLIER_KIND, sup_ids,
                        schemes, 4, RF_F_SUPPLIER_OTHER_ID, 0);
    }
    if (n < max) {
        out[n] = (rf_record_party){.role = "manufacturer", .field = "manufacturer.name"};
        n += party_from(rec, &out[n], RF_F_MANUFACTURER_NAME, RF_F_MANUFACTURER_COUNTRY,
                        RF_F_MANUFACTURER_KIND, man_ids, schemes, 4, RF_F_MANUFACTURER_OTHER_ID,
                        0);
    }
    size_t nsub = rf_record_count(rec, RF_F_SUBCONTRACTOR_NAME);
    for (size_t i = 0; i < nsub && n < max; i++) {
        out[n] = (rf_record_party){.role = "subcontractor", .field = "subcontractors.name"};
        n += party_from(rec, &out[n], RF_F_SUBCONTRACTOR_NAME, RF_F_SUBCONTRACTOR_COUNTRY,
                        (rf_field)-1, NULL, NULL, 0, (rf_field)-1, i);
    }
    return n;
}

/* Add the match and its listed_entity flag for one hit. */
static int add_hit(const rf_matcher *m, rf_result *res, const rf_record_party *pq,
                   const rf_match_hit *h)
{
    const rf_list_policy *pol = policy(m, h->list);
    bool possible = h->outcome == RF_OUTCOME_POSSIBLE;
    bool critical = !possible && (h->critical || (pol && pol->critical));
    int weight = pol ? pol->weight : 50;
    if (possible)
        weight = weight < POSSIBLE_WEIGHT ? weight : POSSIBLE_WEIGHT;
    rf_match mt = {.party = pq->role, .list = h->list, .entity = h->entity, .name = h->matched,
                   .score = h->score, .critical = critical, .kind = rf_entity_kind_name(h->kind),
                   .outcome = rf_match_outcome_name(h->outcome), .why = h->why};
    int rc = rf_result_add_match(res, &mt);
    char ev[900], src[600];
    snprintf(ev, sizeof ev, "%s \"%s\" %s \"%s\" (%s %s %s, score %.2f)%s%s", pq->role,
             pq->p.name, possible ? "possibly matches" : "matches", h->matched,
             h->list, rf_entity_kind_name(h->kind), h->entity, h->score, h->why ? ": " : "",
             h->why ? h->why : "");
    snprintf(src, sizeof src, "%s%s%s", pol ? pol->title : h->list, h->programs[0] ? ": " : "",
             h->programs);
    char rule[160];
    snprintf(rule, sizeof rule, "list.%s", h->list);
    rf_flag fl = {.rule = rf_result_strdup(res, rule, strlen(rule)),
                  .indicator = "listed_entity",
                  .severity = critical ? RF_LEVEL_CRITICAL : weight >= 50 ? RF_LEVEL_HIGH
                                                                          : RF_LEVEL_MEDIUM,
                  /* a possible match counts at least medium (weight 25..40) */
                  .weight = weight, .field = pq->field,
                  .evidence = rf_result_strdup(res, ev, strlen(ev)),
                  .source = rf_result_strdup(res, src, strlen(src)),
                  .guideline = "OSCE-MG-2018:procurement"};
    if (rc == RF_OK && (!fl.rule || !fl.evidence || !fl.source))
        rc = RF_ENOMEM;
    return rc == RF_OK ? rf_result_add_flag(res, &fl) : rc;
}

/* Report a party's hits into a result: a match and a listed_entity flag each. */
int rf_matcher_report(const rf_matcher *m, rf_result *res, const rf_record_party *party,
                      const rf_match_hit *hits, size_t n)
{
    int rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < n; i++)
        rc = add_hit(m, res, party, &hits[i]);
    return rc;
}

/* The matches of one party: the best hit on each list at or above the threshold. */
int rf_matcher_party(rf_matcher *m, const rf_name_party *p, const rf_match_hit **hits,
                     size_t *n)
{
    int rc = rf_matcher_lookup(m, p, MAX_HITS, m->threshold, hits, n);
    size_t k = 0;
    for (size_t i = 0; rc == RF_OK && i < *n; i++) { /* sorted by score: keep each list's */
        size_t j = 0;                                /* best, a match before a possible one */
        while (j < k && strcmp(m->hits[j].list, m->hits[i].list) != 0)
            j++;
        if (m->hits[i].outcome == RF_OUTCOME_NONE)
            continue;
        if (j == k)
            m->hits[k++] = m->hits[i];
        else if (m->hits[i].outcome < m->hits[j].outcome)
            m->hits[j] = m->hits[i];
    }
    *n = rc == RF_OK ? k : 0;
    return rc;
}
