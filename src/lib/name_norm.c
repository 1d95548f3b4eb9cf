/* Normalising a name: fold to ASCII (name_fold.c), split into words, join
 * dotted letters ("S.A."), expand abbreviations, fold plurals, canonicalise
 * legal forms, drop stop words and titles, and weigh each token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "name_int.h"

#define MAX_WORDS 48

/* The words of a folded name, NUL-separated in buf. */
typedef struct words {
    char buf[NM_BUF + MAX_WORDS];
    const char *w[MAX_WORDS];
    size_t len[MAX_WORDS];
    size_t n, used;
    bool truncated;
} words;

/* Append word s[0..n) to ws. */
static void push_word(words *ws, const char *s, size_t n)
{
    if (ws->n >= MAX_WORDS || ws->used + n + 1 > sizeof ws->buf) {
        ws->truncated = true;
        return;
    }
    char *d = ws->buf + ws->used;
    memcpy(d, s, n);
    d[n] = 0;
    ws->w[ws->n] = d;
    ws->len[ws->n++] = n;
    ws->used += n + 1;
}

/* Whether c is a letter or digit of a folded name. */
static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Split folded text into words: letters and digits, apostrophes inside a
 * word dropped ("mcdonald's"), "&" read as "and". */
static void split_words(const char *s, words *ws)
{
    char cur[128];
    size_t n = 0;
    for (;; s++) {
        char c = *s;
        if (is_alnum(c)) {
            if (n < sizeof cur)
                cur[n++] = c;
            continue;
        }
        if ((c == '\'' || c == '`') && n && is_alnum(s[1]))
            continue;
        if (n)
            push_word(ws, cur, n);
        n = 0;
        if (c == '&')
            push_word(ws, "and", 3);
        if (!c)
            break;
    }
}

/* Company names: join runs of single letters ("s a" from "S.A.", "i b m"). */
static void join_letters(words *ws)
{
    static _Thread_local words out;
    out.n = out.used = 0;
    out.truncated = false;
    for (size_t i = 0; i < ws->n;) {
        size_t j = i;
        char run[MAX_WORDS];
        while (j < ws->n && ws->len[j] == 1 && ws->w[j][0] >= 'a')
            run[j - i] = ws->w[j][0], j++;
        if (j - i >= 2) {
            push_word(&out, run, j - i);
            i = j;
        } else {
            push_word(&out, ws->w[i], ws->len[i]);
            i++;
        }
    }
    out.truncated |= ws->truncated;
    *ws = out;
    for (size_t i = 0; i < ws->n; i++) /* re-point into the copied buffer */
        ws->w[i] = ws->buf + (out.w[i] - out.buf);
}

/* The value of a Roman numeral of i, v, x (2..39, written canonically:
 * "ii", "iv", "xiv"), or -1. */
static int roman(const char *w, size_t n)
{
    static const char *const units[] = {"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"};
    if (n < 2 || n > 7)
        return -1;
    size_t x = 0;
    while (x < n && x < 3 && w[x] == 'x')
        x++;
    for (int u = 0; u < 10; u++)
        if (strlen(units[u]) == n - x && memcmp(w + x, units[u], n - x) == 0) {
            int v = (int)x * 10 + u;
            return v >= 2 ? v : -1;
        }
    return -1;
}

/* The value of word i of ws as a number, or -1: digits with an ordinal
 * suffix ("13th", "2nd"), English number words and ordinals ("thirteen",
 * "fifth", "twenty" "four" as one: *used says how many words), and Roman
 * numerals after the first word ("DIAMOND II"). */
static long number_at(const words *ws, size_t i, size_t *used)
{
    const char *w = ws->w[i];
    size_t n = ws->len[i], d = 0;
    *used = 1;
    while (d < n && w[d] >= '0' && w[d] <= '9')
        d++;
    if (d && d < 10 && n == d + 2 &&
        (!memcmp(w + d, "st", 2) || !memcmp(w + d, "nd", 2) || !memcmp(w + d, "rd", 2) ||
         !memcmp(w + d, "th", 2)))
        return strtol(w, NULL, 10);
    bool tens, t2;
    int v = nm_number_word(w, n, &tens);
    if (v >= 0) {
        int u = tens && i + 1 < ws->n ? nm_number_word(ws->w[i + 1], ws->len[i + 1], &t2) : -1;
        if (u > 0 && u < 10) {
            *used = 2;
            return v + u;
        }
        return v;
    }
    return i > 0 ? roman(w, n) : -1;
}

/* Company names: numbers written as words, ordinals and Roman numerals
 * become digits, so "CETC THIRTEEN", "13th" and "13" are one token. */
static void numerals(words *ws)
{
    size_t any = 0, one;
    for (size_t i = 0; i < ws->n && !any; i++)
        any = number_at(ws, i, &one) >= 0;
    if (!any)
        return; /* the common case: nothing to rewrite, nothing copied */
    static _Thread_local words out;
    out.n = out.used = 0;
    out.truncated = ws->truncated;
    for (size_t i = 0; i < ws->n;) {
        size_t used;
        long v = number_at(ws, i, &used);
        char num[24];
        if (v >= 0) {
            int k = snprintf(num, sizeof num, "%ld", v);
            push_word(&out, num, (size_t)k);
        } else {
            push_word(&out, ws->w[i], ws->len[i]);
        }
        i += used;
    }
    *ws = out;
    for (size_t i = 0; i < ws->n; i++) /* re-point into the copied buffer */
        ws->w[i] = ws->buf + (out.w[i] - out.buf);
}

/* Fold an English plural in place: "industries" -> "industry", "holdings"
 * -> "holding". Words under 5 letters and "-ss", "-us", "-is" are kept. */
static size_t singular(char *w, size_t n)
{
    if (n < 5 || w[n - 1] != 's' || w[n - 2] == 's' || w[n - 2] == 'u' || w[n - 2] == 'i')
        return n;
    if (w[n - 3] == 'i' && w[n - 2] == 'e') {
        w[n - 3] = 'y';
        return n - 2;
    }
    return n - 1;
}

/* Append a token to out; returns false when the text is full. */
static bool add_token(rf_name_norm *out, const char *s, size_t n, int cls, float weight)
{
    size_t used = strlen(out->text);
    size_t need = n + (used ? 1 : 0);
    if (out->ntok >= RF_NAME_TOKENS_MAX || used + need + 1 > sizeof out->text) {
        out->truncated = true;
        return false;
    }
    if (used)
        out->text[used++] = ' ';
    memcpy(out->text + used, s, n);
    out->text[used + n] = 0;
    rf_name_token *t = &out->tok[out->ntok++];
    t->off = (unsigned short)used;
    t->len = (unsigned short)n;
    t->cls = (unsigned char)cls;
    t->weight = weight;
    return true;
}

/* The weight of a token of a class. */
static float class_weight(int cls, const char *w, size_t n)
{
    float f = nm_word_weight(w, n);
    switch (cls) {
    case RF_NCLASS_GENERIC: return f < 0.25f ? f : 0.25f;
    case RF_NCLASS_PARTICLE: return 0.1f;
    case RF_NCLASS_INITIAL: return 0.3f;
    case RF_NCLASS_PATRONYMIC: return f < 0.4f ? f : 0.4f;
    default: return f;
    }
}

/* Add the first letter of a written word to the initials. */
static void add_initial(rf_name_norm *out, char c)
{
    size_t n = strlen(out->initials);
    if (n + 1 < sizeof out->initials) {
        out->initials[n] = c;
        out->initials[n + 1] = 0;
    }
}

/* Emit one written word (not a legal form) as a token of its class. */
static void emit_word(rf_name_norm *out, const char *w, size_t n, rf_name_kind kind)
{
    char buf[128];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, w, n);
    int cls = nm_word_class(buf, n, kind);
    if (cls == NM_STOP || cls == NM_TITLE)
        return;
    if (kind == RF_NAME_COMPANY) {
        add_initial(out, buf[0]);
        const char *full = nm_abbrev(buf, n);
        if (full) {
            n = strlen(full);
            memcpy(buf, full, n);
        }
        n = singular(buf, n);
        cls = nm_word_class(buf, n, kind);
    }
    add_token(out, buf, n, cls, class_weight(cls, buf, n));
}

/* Turn the words into tokens: legal forms canonicalised (companies). */
static void tokenise(const words *ws, rf_name_kind kind, rf_name_norm *out)
{
    for (size_t i = 0; i < ws->n;) {
        const char *canon = NULL;
        size_t k = kind == RF_NAME_COMPANY
                       ? nm_legal_match(ws->w + i, ws->len + i, ws->n - i, &canon)
                       : 0;
        if (k && (i > 0 || k < ws->n)) { /* a name is never only its legal form */
            add_token(out, canon, strlen(canon), RF_NCLASS_LEGAL, 0.0f);
            snprintf(out->legal, sizeof out->legal, "%s", canon);
            if (k == 1 && (!strcmp(canon, "corp") || !strcmp(canon, "co")))
                add_initial(out, ws->w[i][0]); /* "CNPC": ... Corporation */
            i += k;
            continue;
        }
        emit_word(out, ws->w[i], ws->len[i], kind);
        i++;
    }
}

int rf_name_normalize(const char *name, size_t len, rf_name_kind kind, rf_name_norm *out)
{
    if (!name || !out)
        return RF_EINVAL;
    memset(out, 0, sizeof *out);
    out->kind = kind;
    if (len == (size_t)-1)
        len = strlen(name);
    char folded[NM_BUF];
    int rc = nm_fold(name, len, folded, sizeof folded, &out->translit);
    if (rc != RF_OK)
        return rc;
    static _Thread_local words ws;
    ws.n = ws.used = 0;
    ws.truncated = len > NM_BUF - 64;
    split_words(folded, &ws);
    if (kind == RF_NAME_COMPANY) {
        join_letters(&ws);
        numerals(&ws);
    }
    tokenise(&ws, kind, out);
    out->truncated |= ws.truncated;
    return RF_OK;
}
