/* Required-literal extraction from PCRE2 pattern source (see prefilter.h). */
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include "prefilter.h"
#include "utf8.h"

#define MAX_EXACT 64   /* strings an exact set may hold */
#define MAX_REQ 256    /* strings a requirement may hold */
#define MAX_LEN 32     /* longest exact string kept */
#define UNION_SIDES 3  /* groups of each branch distributed over an alternation */
#define MAX_GROUPS 6   /* requirement groups kept for one pattern (a conjunction) */

typedef enum { EXACT, REQ, ANY } ikind;

/* What is known of a sub-pattern: EXACT (every string it can match, lower
 * case, in s), REQ (each match contains one string of s, and also one of
 * each extra group x: a conjunction of disjunctions), ANY (nothing). */
typedef struct info {
    ikind k;
    litset s;
    litset x[MAX_GROUPS - 1];
    int nx;
} info;

typedef struct rx {
    const char *p;
    bool fail;       /* a construct we do not understand: give up */
} rx;

static info parse_alt(rx *r);

/* Free the strings of a set. */
void litset_free(litset *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        free(ls->s[i]);
    free(ls->s);
    ls->s = NULL;
    ls->n = 0;
}

/* Add a copy of str (len bytes) unless present; false on ENOMEM. */
static bool ls_add(litset *ls, const char *str, size_t len)
{
    for (size_t i = 0; i < ls->n; i++) /* first byte first: most differ there */
        if ((len ? ls->s[i][0] == str[0] : !ls->s[i][0]) && strlen(ls->s[i]) == len &&
            memcmp(ls->s[i], str, len) == 0)
            return true;
    char **p = ls->s;
    if ((ls->n & (ls->n - 1)) == 0) { /* 0, 1, 2, 4, …: the array is full */
        p = realloc(ls->s, (ls->n ? 2 * ls->n : 1) * sizeof *p);
        if (!p)
            return false;
        ls->s = p;
    }
    if (!(p[ls->n] = strndup(str, len)))
        return false;
    ls->n++;
    return true;
}

/* An info of kind k with an empty set. */
static info mk(ikind k)
{
    return (info){.k = k};
}

/* EXACT{""}: matches only the empty string (zero-width). */
static info empty(void)
{
    info i = mk(EXACT);
    if (!ls_add(&i.s, "", 0))
        i.k = ANY;
    return i;
}

/* The info of one literal byte. */
static info lit(char c)
{
    info i = mk(EXACT);
    char b = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (!ls_add(&i.s, &b, 1))
        i.k = ANY;
    return i;
}

/* Discard an info's strings and make it ANY. */
static info any(info *i)
{
    if (i) {
        litset_free(&i->s);
        for (int k = 0; k < i->nx; k++)
            litset_free(&i->x[k]);
    }
    return mk(ANY);
}

/* Whether a set holds the empty string. */
static bool has_empty(const litset *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        if (!ls->s[i][0])
            return true;
    return false;
}

/* Turn an info into a requirement: EXACT without "" becomes REQ, else ANY. */
static info to_req(info i)
{
    if (i.k == EXACT && !has_empty(&i.s) && i.s.n)
        i.k = REQ;
    else if (i.k != REQ)
        i = any(&i);
    return i;
}

/* Shortest string length in a group (its strength as a filter). */
static size_t gstrength(const litset *ls)
{
    if (!ls->n)
        return 0;
    size_t m = (size_t)-1;
    for (size_t k = 0; k < ls->n; k++) {
        size_t l = strlen(ls->s[k]);
        m = l < m ? l : m;
    }
    return m;
}

/* Whether group a filters better than b (longer shortest string, then fewer). */
static bool gbetter(const litset *a, const litset *b)
{
    size_t sa = gstrength(a), sb = gstrength(b);
    return sa > sb || (sa == sb && a->n < b->n);
}

/* Whether every string of a is in b (then b filters nothing a does not). */
static bool subset(const litset *a, const litset *b)
{
    for (size_t i = 0; i < a->n; i++) {
        size_t j = 0;
        while (j < b->n && (a->s[i][0] != b->s[j][0] || strcmp(a->s[i], b->s[j]) != 0))
            j++;
        if (j == b->n)
            return false;
    }
    return true;
}

/* Build a requirement from candidate groups (consumed): the strongest first,
 * skipping any that is a superset of one already kept. */
static info keep_best(litset *u, int n)
{
    for (int i = 1; i < n; i++) /* insertion sort, strongest first */
        for (int j = i; j > 0 && gbetter(&u[j], &u[j - 1]); j--) {
            litset t = u[j];
            u[j] = u[j - 1];
            u[j - 1] = t;
        }
    info o = mk(ANY);
    litset kept[MAX_GROUPS];
    int nk = 0;
    for (int i = 0; i < n; i++) {
        bool redundant = nk == MAX_GROUPS;
        for (int k = 0; k < nk && !redundant; k++)
            redundant = subset(&kept[k], &u[i]);
        if (redundant)
            litset_free(&u[i]);
        else
            kept[nk++] = u[i];
    }
    if (nk) {
        o.k = REQ;
        o.s = kept[0];
        for (int k = 1; k < nk; k++)
            o.x[o.nx++] = kept[k];
    }
    return o;
}

/* Both requirements hold (a sequence): keep the strongest groups of both. */
static info both(info a, info b)
{
    litset all[2 * MAX_GROUPS];
    int n = 0;
    info *src[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        if (src[k]->k != REQ) {
            any(src[k]);
            continue;
        }
        all[n++] = src[k]->s;
        for (int j = 0; j < src[k]->nx; j++)
            all[n++] = src[k]->x[j];
    }
    return keep_best(all, n);
}

/* Copy the union of x and y into out; false when it would pass limit. */
static bool ls_union(litset *out, const litset *x, const litset *y, size_t limit)
{
    *out = (litset){NULL, 0};
    const litset *src[2] = {x, y};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < src[k]->n; i++)
            if (out->n >= limit || !ls_add(out, src[k]->s[i], strlen(src[k]->s[i]))) {
                litset_free(out);
                return false;
            }
    return true;
}

/* The groups of a requirement as an array; their count. */
static int groups(const info *i, litset *out)
{
    int n = 0;
    out[n++] = i->s;
    for (int k = 0; k < i->nx; k++)
        out[n++] = i->x[k];
    return n;
}

/* Either requirement holds (an alternation): distribute, (A1∧A2) ∨ (B1∧B2) =
 * ∧ (Ai ∨ Bj), and keep the strongest of those unions. */
static info either(info a, info b)
{
    litset ga[MAX_GROUPS], gb[MAX_GROUPS], u[MAX_GROUPS * MAX_GROUPS];
    int na = groups(&a, ga), nb = groups(&b, gb), n = 0;
    for (int i = 0; i < na && i < UNION_SIDES; i++) /* groups are strongest first */
        for (int j = 0; j < nb && j < UNION_SIDES; j++)
            if (ls_union(&u[n], &ga[i], &gb[j], MAX_REQ))
                n++;
    any(&a);
    any(&b);
    return keep_best(u, n);
}

/* Append b's only string to each string of a (distinct strings stay
 * distinct, so no set is rebuilt). Like cross(), on failure (a string would
 * pass MAX_LEN, or no memory) it returns ANY and leaves a and b as they were. */
static info cross_one(info a, info b)
{
    size_t lb = strlen(b.s.s[0]), i = 0;
    char *t[MAX_EXACT]; /* the caller passes at most MAX_EXACT strings */
    for (; i < a.s.n; i++) {
        size_t la = strlen(a.s.s[i]);
        if (la + lb > MAX_LEN || !(t[i] = malloc(la + lb + 1)))
            break;
        memcpy(t[i], a.s.s[i], la);
        memcpy(t[i] + la, b.s.s[0], lb + 1);
    }
    if (i < a.s.n) {
        while (i--)
            free(t[i]);
        return mk(ANY);
    }
    for (i = 0; i < a.s.n; i++) {
        free(a.s.s[i]);
        a.s.s[i] = t[i];
    }
    any(&b);
    return a;
}

/* Cross product of two exact sets; ANY when too large. */
static info cross(info a, info b)
{
    if (b.s.n == 1 && a.s.n <= MAX_EXACT)
        return cross_one(a, b);
    info o = mk(EXACT);
    if (a.s.n * b.s.n > MAX_EXACT)
        goto big;
    for (size_t i = 0; i < a.s.n; i++)
        for (size_t j = 0; j < b.s.n; j++) {
            size_t la = strlen(a.s.s[i]), lb = strlen(b.s.s[j]);
            char buf[2 * MAX_LEN + 1];
            if (la + lb > MAX_LEN)
                goto big;
            memcpy(buf, a.s.s[i], la);
            memcpy(buf + la, b.s.s[j], lb);
            if (!ls_add(&o.s, buf, la + lb))
                goto big;
        }
    any(&a);
    any(&b);
    return o;
big:
    any(&o);
    return mk(ANY);
}

/* Union of b's strings into a (consumes b); ANY past limit. */
static info merge(info a, info b, size_t limit)
{
    for (size_t i = 0; i < b.s.n && a.k != ANY; i++)
        if (a.s.n >= limit || !ls_add(&a.s, b.s.s[i], strlen(b.s.s[i])))
            a = any(&a);
    any(&b);
    return a;
}

/* Parse a backslash escape outside a class. */
static info parse_escape(rx *r)
{
    char c = *++r->p;
    if (!c) {
        r->fail = true;
        return mk(ANY);
    }
    r->p++;
    if (strchr("bBAzZG", c))
        return empty();
    if (strchr("dDwWsShHvVRNX", c))
        return mk(ANY);
    if (c == 'n')
        return lit('\n');
    if (c == 't')
        return lit('\t');
    if (c == 'r')
        return lit('\r');
    if (c == 'f')
        return lit('\f');
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        r->fail = true; /* \p{…}, \x, \Q, backreferences, \K…: too subtle */
        return mk(ANY);
    }
    return lit(c);
}

/* Parse [...]: a handful of plain ASCII characters is exact, anything else ANY. */
static info parse_class(rx *r)
{
    const char *p = r->p + 1;
    bool simple = *p != '^';
    info i = mk(EXACT);
    if (*p == '^')
        p++;
    if (*p == ']') { /* a leading ] is literal */
        if (!ls_add(&i.s, "]", 1))
            simple = false;
        p++;
    }
    for (; *p && *p != ']'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            if ((*p | 32) >= 'a' && (*p | 32) <= 'z')
                simple = false;
        } else if (*p == '[' && p[1] == ':') {
            simple = false;
            const char *e = strstr(p + 2, ":]");
            p = e ? e + 1 : p;
            continue;
        } else if (p[1] == '-' && p[2] && p[2] != ']') {
            simple = false;
        }
        if ((unsigned char)*p >= 0x80)
            simple = false;
        char b = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        if (simple && !ls_add(&i.s, &b, 1))
            simple = false;
    }
    if (!*p) {
        r->fail = true;
        return any(&i);
    }
    r->p = p + 1;
    return simple && i.s.n <= 6 ? i : any(&i);
}

/* Parse the inside of "(?…" after "(?"; *zero set for lookarounds. */
static bool group_kind(rx *r, bool *zero)
{
    const char *p = r->p;
    *zero = false;
    if (*p == ':' || *p == '>' || *p == '|') {
        r->p = p + 1;
        return true;
    }
    if (*p == '=' || *p == '!' || (*p == '<' && (p[1] == '=' || p[1] == '!'))) {
        *zero = true;
        r->p = p + (*p == '<' ? 2 : 1);
        return true;
    }
    if (*p == '<' || *p == '\'' || (*p == 'P' && p[1] == '<')) {
        const char *e = strchr(p, *p == '\'' ? '\'' : '>');
        if (*p == '\'' && e == p)
            e = strchr(p + 1, '\'');
        if (!e)
            return false;
        r->p = e + 1;
        return true;
    }
    while (*p && strchr("imns-", *p)) /* inline flags; x changes the syntax */
        p++;
    if (*p == ':' || *p == ')') {
        *zero = *p == ')';
        r->p = p + (*p == ':');
        return true;
    }
    return false;
}

/* Parse a group "( … )". */
static info parse_group(rx *r)
{
    bool zero = false;
    r->p++;
    if (*r->p == '*') {
        r->fail = true;
        return mk(ANY);
    }
    if (*r->p == '?') {
        r->p++;
        if (!group_kind(r, &zero)) {
            r->fail = true;
            return mk(ANY);
        }
        if (zero && *r->p == ')') { /* (?i) */
            r->p++;
            return empty();
        }
    }
    info i = parse_alt(r);
    if (*r->p != ')') {
        r->fail = true;
        return any(&i);
    }
    r->p++;
    if (zero) {
        any(&i);
        return empty();
    }
    return i;
}

/* Parse one atom: literal, escape, class, group, dot, anchor. */
static info parse_atom(rx *r)
{
    char c = *r->p;
    switch (c) {
    case '\\': return parse_escape(r);
    case '[': return parse_class(r);
    case '(': return parse_group(r);
    case '.': r->p++; return mk(ANY);
    case '^':
    case '$': r->p++; return empty();
    default: r->p++; return lit(c);
    }
}

/* Read a {m}, {m,}, {m,n} quantifier at r->p (max -1: unbounded); false when it is not one. */
static bool read_braces(rx *r, long *min, long *max)
{
    const char *p = r->p + 1;
    char *e;
    *min = *max = strtol(p, &e, 10);
    if (e == p)
        return false;
    if (*e == ',') {
        const char *q = ++e;
        *max = strtol(q, &e, 10);
        if (e == q)
            *max = -1;
    }
    if (*e != '}')
        return false;
    r->p = e + 1;
    return true;
}

/* Apply a quantifier following an atom. */
static info quantify(rx *r, info a)
{
    long min, max;
    char q = *r->p;
    if (q == '?' || q == '*' || q == '+') {
        r->p++;
        min = q == '+';
        max = q == '?' ? 1 : -1;
    } else if (!(q == '{' && read_braces(r, &min, &max))) {
        return a;
    }
    if (*r->p == '?' || *r->p == '+')
        r->p++; /* lazy / possessive: same strings */
    if (min == 1 && max == 1)
        return a;
    if (min >= 1)
        return to_req(a);
    if (a.k == EXACT && a.s.n == 1 && !a.s.s[0][0])
        return a; /* zero-width, repeated or not */
    if (max == 1 && a.k == EXACT && ls_add(&a.s, "", 0))
        return a; /* optional: its strings or nothing */
    return any(&a);
}

/* Parse a concatenation until '|' or ')' or the end. */
static info parse_seq(rx *r)
{
    info run = empty(), best = mk(ANY);
    bool all_exact = true;
    while (*r->p && *r->p != '|' && *r->p != ')' && !r->fail) {
        info x = quantify(r, parse_atom(r));
        if (x.k == EXACT) {
            info c = cross(run, x);
            if (c.k == ANY) { /* too big: keep the run as a requirement, restart */
                all_exact = false;
                best = both(best, to_req(run));
                run = x;
                continue;
            }
            run = c;
            continue;
        }
        all_exact = false;
        best = both(best, to_req(run));
        run = empty();
        best = both(best, x.k == REQ ? x : any(&x));
    }
    if (all_exact) {
        any(&best);
        return run;
    }
    return both(best, to_req(run));
}

/* Parse alternatives separated by '|'. */
static info parse_alt(rx *r)
{
    info acc = parse_seq(r);
    while (*r->p == '|' && !r->fail) {
        r->p++;
        info b = parse_seq(r);
        if (acc.k == EXACT && b.k == EXACT && acc.s.n + b.s.n <= MAX_EXACT) {
            acc = merge(acc, b, MAX_EXACT);
            continue;
        }
        acc = to_req(acc);
        b = to_req(b);
        if (acc.k == ANY || b.k == ANY) {
            any(&b);
            acc = any(&acc);
            continue;
        }
        acc = either(acc, b);
    }
    return acc;
}

/* Drop every string that contains another string of the group: whenever it
 * occurs, the shorter one does too. */
static void minimize(litset *g)
{
    bool *drop = calloc(g->n ? g->n : 1, sizeof *drop);
    size_t *len = calloc(g->n ? g->n : 1, sizeof *len);
    if (!drop || !len) {
        free(drop);
        free(len);
        return; /* keeping them all is still correct */
    }
    for (size_t i = 0; i < g->n; i++)
        len[i] = strlen(g->s[i]);
    for (size_t i = 0; i < g->n; i++) /* only a shorter (or equal, earlier) string can cover */
        for (size_t j = 0; j < g->n && !drop[i]; j++)
            drop[i] = j != i && !drop[j] && (len[j] < len[i] || (len[j] == len[i] && j < i)) &&
                      strstr(g->s[i], g->s[j]) != NULL;
    size_t o = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (drop[i])
            free(g->s[i]);
        else
            g->s[o++] = g->s[i];
    }
    g->n = o;
    free(drop);
    free(len);
}

/* Cut every string of g before its first non-ASCII character that has a case
 * (matched caselessly, "pässe" may be "PÄSSE": only "p" is sure to be there);
 * characters without case (Han, Thai, Arabic…) stay, as every prefix of a
 * required string is required too. */
static void cut_cased(litset *g)
{
    for (size_t k = 0; k < g->n; k++) {
        unsigned char *s = (unsigned char *)g->s[k];
        for (size_t i = 0; s[i];) {
            if (s[i] < 0x80) {
                i++;
                continue;
            }
            size_t n = utf8_seq_len(s + i, strlen((char *)s + i));
            UChar32 c = 0;
            if (n) {
                c = s[i] & (0xFF >> (n + 1));
                for (size_t j = 1; j < n; j++)
                    c = (c << 6) | (s[i + j] & 0x3F);
            }
            if (!n || u_hasBinaryProperty(c, UCHAR_CASE_SENSITIVE)) {
                s[i] = '\0';
                break;
            }
            i += n;
        }
    }
}

/* Whether a group is usable: strong enough. */
static bool usable(const litset *g)
{
    return gstrength(g) >= 3;
}

/* Extract the groups of literals every match of src must contain one of each. */
bool prefilter_extract(const char *src, bool caseless, litreq *out)
{
    rx r = {src, false};
    info i = to_req(parse_alt(&r));
    memset(out, 0, sizeof *out);
    if (r.fail || *r.p || i.k != REQ) {
        any(&i);
        return false;
    }
    litset all[MAX_GROUPS];
    all[0] = i.s;
    for (int k = 0; k < i.nx; k++)
        all[k + 1] = i.x[k];
    for (int k = 0; k <= i.nx; k++) {
        if (caseless)
            cut_cased(&all[k]);
        minimize(&all[k]);
        if (usable(&all[k]) && out->ng < RF_PF_GROUPS)
            out->g[out->ng++] = all[k];
        else
            litset_free(&all[k]);
    }
    return out->ng > 0;
}

/* Free every group of a requirement. */
void litreq_free(litreq *rq)
{
    for (int k = 0; k < rq->ng; k++)
        litset_free(&rq->g[k]);
    rq->ng = 0;
}
