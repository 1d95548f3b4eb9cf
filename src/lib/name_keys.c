/* Retrieval keys of a name for the index (docs/MATCHING.md "Keys"): distinctive
 * tokens, adjacent tokens glued, consonant skeletons, one-deletion variants
 * for typos, and the whole normalised name. Generic words and legal forms
 * never give a key on their own. */
#include <stdlib.h>
#include <string.h>
#include "name_int.h"

#define KEY_MAX 72

/* Keys already given, to give each once. */
typedef struct keyset {
    char k[RF_NAME_KEYS_MAX][KEY_MAX];
    size_t n;
    rf_name_key_cb cb;
    void *ud;
    int rc;
} keyset;

/* Give one key (prefix + text) unless it was given already or the set is full. */
static void give(keyset *ks, const char *prefix, const char *s, size_t n, rf_name_key_class cls,
                 double weight)
{
    char key[KEY_MAX];
    size_t pl = strlen(prefix);
    if (ks->rc || n == 0 || pl + n >= KEY_MAX || ks->n >= RF_NAME_KEYS_MAX)
        return;
    memcpy(key, prefix, pl);
    memcpy(key + pl, s, n);
    key[pl + n] = 0;
    for (size_t i = 0; i < ks->n; i++)
        if (strcmp(ks->k[i], key) == 0)
            return;
    memcpy(ks->k[ks->n++], key, pl + n + 1);
    ks->rc = ks->cb(key, pl + n, cls, weight, ks->ud);
}

/* Whether a token is distinctive enough to give keys. */
static bool keyed(const rf_name_token *t)
{
    return (t->cls == RF_NCLASS_WORD || t->cls == RF_NCLASS_PATRONYMIC) && t->len >= 2;
}

/* Keys of one distinctive token: itself, its skeleton, its deletions. */
static void token_keys(keyset *ks, const char *w, size_t n, double weight)
{
    give(ks, "w:", w, n, RF_NKEY_TOKEN, weight);
    char sk[64];
    size_t sl = n >= 4 ? nm_skeleton(w, n, sk, sizeof sk) : 0;
    if (sl >= 3)
        give(ks, "p:", sk, sl, RF_NKEY_PHONETIC, weight * 0.8);
    if (n < 4 || n > 20 || (n == 4 && weight < NM_RARE))
        return; /* 4-letter words: only rare ones may carry a typo (name_score.c) */
    char del[24];
    give(ks, "d:", w, n, RF_NKEY_DELETE, weight * 0.7);
    for (size_t i = 0; i < n; i++) {
        memcpy(del, w, i);
        memcpy(del + i, w + i + 1, n - i - 1);
        give(ks, "d:", del, n - 1, RF_NKEY_DELETE, weight * 0.6);
    }
}

/* The "a:" key that lets an acronym find its name: a company name of 3 or
 * more written words gives its initials ("a:cnpc"); a name of one word of
 * 3-8 letters gives the word ("CNPC" gives "a:cnpc"). */
static void acronym_keys(keyset *ks, const rf_name_norm *nm)
{
    size_t words = 0, w = 0, il = strlen(nm->initials);
    for (size_t i = 0; i < nm->ntok; i++)
        if (nm->tok[i].cls != RF_NCLASS_LEGAL)
            words++, w = i;
    if (nm->kind != RF_NAME_COMPANY)
        return;
    if (il >= 3 && words >= 2)
        give(ks, "a:", nm->initials, il, RF_NKEY_ACRONYM, 0.7);
    if (words == 1 && nm->tok[w].len >= 3 && nm->tok[w].len <= 8)
        give(ks, "a:", nm->text + nm->tok[w].off, nm->tok[w].len, RF_NKEY_ACRONYM, 0.7);
}

/* The "n:" key: non-legal tokens sorted, joined by spaces. */
static void name_key(keyset *ks, const rf_name_norm *nm)
{
    unsigned char idx[RF_NAME_TOKENS_MAX];
    size_t m = 0;
    for (size_t i = 0; i < nm->ntok; i++)
        if (nm->tok[i].cls != RF_NCLASS_LEGAL)
            idx[m++] = (unsigned char)i;
    /* insertion sort: a few tokens, and no global state for qsort */
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0; j--) {
            const rf_name_token *a = &nm->tok[idx[j - 1]], *b = &nm->tok[idx[j]];
            size_t n = a->len < b->len ? a->len : b->len;
            int c = memcmp(nm->text + a->off, nm->text + b->off, n);
            if (c < 0 || (c == 0 && a->len <= b->len))
                break;
            unsigned char t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    char buf[RF_NAME_TEXT_MAX];
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        const rf_name_token *t = &nm->tok[idx[i]];
        if (k + t->len + 1 >= sizeof buf)
            break;
        if (k)
            buf[k++] = ' ';
        memcpy(buf + k, nm->text + t->off, t->len);
        k += t->len;
    }
    give(ks, "n:", buf, k, RF_NKEY_NAME, 1.0);
}

int rf_name_keys_norm(const rf_name_norm *nm, rf_name_key_cb cb, void *ud)
{
    if (!nm || !cb)
        return RF_EINVAL;
    keyset *ks = calloc(1, sizeof *ks);
    if (!ks)
        return RF_ENOMEM;
    ks->cb = cb;
    ks->ud = ud;
    name_key(ks, nm);
    for (size_t i = 0; i < nm->ntok; i++)
        if (keyed(&nm->tok[i]))
            token_keys(ks, nm->text + nm->tok[i].off, nm->tok[i].len, nm->tok[i].weight);
    for (size_t i = 0; i + 1 < nm->ntok; i++) {
        const rf_name_token *a = &nm->tok[i], *b = &nm->tok[i + 1];
        char glued[2 * 64];
        if (!keyed(a) && !keyed(b))
            continue;
        if (a->cls == RF_NCLASS_LEGAL || b->cls == RF_NCLASS_LEGAL || a->len + b->len > 40)
            continue;
        memcpy(glued, nm->text + a->off, a->len);
        memcpy(glued + a->len, nm->text + b->off, b->len);
        give(ks, "w:", glued, a->len + b->len, RF_NKEY_JOINED,
             a->weight > b->weight ? a->weight : b->weight);
    }
    acronym_keys(ks, nm);
    int rc = ks->rc;
    free(ks);
    return rc;
}

int rf_name_keys(const char *name, rf_name_kind kind, rf_name_key_cb cb, void *ud)
{
    rf_name_norm nm;
    int rc = rf_name_normalize(name, (size_t)-1, kind, &nm);
    return rc == RF_OK ? rf_name_keys_norm(&nm, cb, ud) : rc;
}
