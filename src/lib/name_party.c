/* Comparing parties (name, identifiers, countries) and writing a score's
 * explanation as JSON. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "name_int.h"

#define STRONG_CONFLICT 0.8 /* same strong scheme, different values */
#define COUNTRY_CONFLICT 0.9

/* Whether two identifier values are equal on letters and digits, any case. */
static bool same_value(const char *a, const char *b)
{
    size_t n = 0;
    for (;;) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b && n > 0;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++, b++, n++;
    }
}

/* Whether a value has a letter or digit (a placeholder such as "-" has none). */
static bool has_alnum(const char *v)
{
    for (; *v; v++)
        if (isalnum((unsigned char)*v))
            return true;
    return false;
}

/* Whether a scheme identifies one entity worldwide (a mismatch means two). */
static bool strong_scheme(const char *s)
{
    return strcasecmp(s, "lei") == 0 || strcasecmp(s, "imo") == 0 || strcasecmp(s, "duns") == 0;
}

/* Whether two identifiers are the same. */
bool rf_name_ident_same(const rf_name_ident *x, const rf_name_ident *y)
{
    return x->scheme && y->scheme && x->value && y->value &&
           strcasecmp(x->scheme, y->scheme) == 0 && same_value(x->value, y->value);
}

/* Whether a scheme is a strong one (exported). */
bool rf_name_ident_strong(const char *scheme)
{
    return scheme && strong_scheme(scheme);
}

/* 1 when an identifier matches, -1 when a strong scheme conflicts, else 0. */
static int ids_verdict(const rf_name_party *a, const rf_name_party *b)
{
    int v = 0;
    for (size_t i = 0; i < a->nids; i++)
        for (size_t j = 0; j < b->nids; j++) {
            const rf_name_ident *x = &a->ids[i], *y = &b->ids[j];
            if (!x->scheme || !y->scheme || !x->value || !y->value ||
                strcasecmp(x->scheme, y->scheme) != 0 || !has_alnum(x->value) ||
                !has_alnum(y->value))
                continue; /* placeholders neither match nor conflict */
            if (same_value(x->value, y->value))
                return 1;
            if (strong_scheme(x->scheme))
                v = -1;
        }
    return v;
}

/* Whether both parties state countries and none is shared. */
static bool countries_conflict(const rf_name_party *a, const rf_name_party *b)
{
    if (!a->ncountries || !b->ncountries)
        return false;
    for (size_t i = 0; i < a->ncountries; i++)
        for (size_t j = 0; j < b->ncountries; j++)
            if (a->countries[i] && b->countries[j] &&
                strcasecmp(a->countries[i], b->countries[j]) == 0)
                return false;
    return true;
}

/* Compare two parties: the name score, then identifiers and countries. */
double rf_name_match_party(const rf_name_party *a, const rf_name_party *b, rf_name_explain *ex)
{
    rf_name_explain local;
    if (!ex)
        ex = &local;
    double name = rf_name_compare(a->name ? a->name : "", b->name ? b->name : "", a->kind, ex);
    return rf_name_party_adjust(a, b, name, ex);
}

/* Adjust a name score by the parties' identifiers and countries. */
double rf_name_party_adjust(const rf_name_party *a, const rf_name_party *b, double name,
                            rf_name_explain *ex)
{
    double s = name;
    int v = ids_verdict(a, b);
    if (v > 0) {
        s = 1.0;
        ex->rule = "identifier";
    } else {
        if (v < 0)
            s *= STRONG_CONFLICT;
        if (countries_conflict(a, b))
            s *= COUNTRY_CONFLICT;
    }
    ex->party_adj = s - name;
    ex->score = s;
    ex->match = s >= RF_NAME_THRESHOLD;
    return s;
}

/* The RF_PARTY_* bit a kind word names; 0 when unknown. */
unsigned rf_name_party_kind_parse(const char *s)
{
    static const struct { const char *w; unsigned bit; } words[] = {
        {"organisation", RF_PARTY_ORG}, {"organization", RF_PARTY_ORG},
        {"company", RF_PARTY_ORG},      {"entity", RF_PARTY_ORG},
        {"person", RF_PARTY_PERSON},    {"individual", RF_PARTY_PERSON},
        {"vessel", RF_PARTY_VESSEL},    {"aircraft", RF_PARTY_AIRCRAFT}};
    for (size_t i = 0; s && i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(s, words[i].w) == 0)
            return words[i].bit;
    return 0;
}

/* Append printf output to buf, tracking the length needed. */
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(*n < cap ? buf + *n : NULL, *n < cap ? cap - *n : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += (size_t)k;
}

/* Write a space-separated list as a JSON array of strings (the texts are
 * folded ASCII letters, digits and '~': nothing to escape). */
static void put_list(char *buf, size_t cap, size_t *n, const char *key, const char *list)
{
    put(buf, cap, n, ",\"%s\":[", key);
    for (const char *s = list; *s;) {
        size_t l = strcspn(s, " ");
        put(buf, cap, n, "%s\"%.*s\"", s == list ? "" : ",", (int)l, s);
        s += l + (s[l] == ' ');
    }
    put(buf, cap, n, "]");
}

size_t rf_name_explain_json(const rf_name_explain *ex, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap)
        buf[0] = 0;
    put(buf, cap, &n, "{\"score\":%.4f,\"match\":%s,\"rule\":\"%s\",\"kind\":\"%s\"",
        ex->score, ex->match ? "true" : "false", ex->rule ? ex->rule : "empty",
        ex->kind == RF_NAME_PERSON ? "person" : "company");
    put(buf, cap, &n, ",\"a\":\"%s\",\"b\":\"%s\",\"legal_a\":\"%s\",\"legal_b\":\"%s\"",
        ex->norm_a, ex->norm_b, ex->legal_a, ex->legal_b);
    put_list(buf, cap, &n, "shared", ex->shared);
    put_list(buf, cap, &n, "only_a", ex->only_a);
    put_list(buf, cap, &n, "only_b", ex->only_b);
    put(buf, cap, &n,
        ",\"parts\":{\"token_sim\":%.4f,\"cover_sim\":%.4f,\"char_sim\":%.4f,"
        "\"penalty\":%.4f,\"legal_adj\":%.4f,\"party_adj\":%.4f}}",
        ex->token_sim, ex->cover_sim, ex->char_sim, ex->penalty, ex->legal_adj, ex->party_adj);
    return n;
}
