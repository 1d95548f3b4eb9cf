/* Cache keys (cache.h "Key") and generations (cache.h "Generation"): what a
 * profile is filed under and which rules, lists and policies it was made with. */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_int.h"
#include "redflag/sha256.h"

/* Order policies by list name (the generation must not depend on their order). */
static int by_list(const void *a, const void *b)
{
    const rf_list_policy *pa = *(const rf_list_policy *const *)a;
    const rf_list_policy *pb = *(const rf_list_policy *const *)b;
    return strcmp(pa->list ? pa->list : "", pb->list ? pb->list : "");
}

/* Feed a string and its NUL to the hash. */
static void hash_str(rf_sha256 *h, const char *s)
{
    s = s ? s : "";
    rf_sha256_update(h, s, strlen(s) + 1);
}

/* The generation of the profiles made under these rules, lists and policies. */
int rf_cache_generation(const char *rules_digest, const char *index_generation, double threshold,
                        const rf_list_policy *pol, size_t npol, char out[RF_CACHE_GEN_HEX])
{
    const rf_list_policy **sorted = calloc(npol + 1, sizeof *sorted);
    if (!sorted)
        return cache_fail(RF_ENOMEM, "out of memory");
    for (size_t i = 0; i < npol; i++)
        sorted[i] = &pol[i];
    qsort(sorted, npol, sizeof *sorted, by_list);
    rf_sha256 h;
    char num[64];
    rf_sha256_init(&h);
    hash_str(&h, "redflag-cache-3");
    hash_str(&h, rf_version());
    hash_str(&h, rules_digest);
    hash_str(&h, index_generation);
    snprintf(num, sizeof num, "%.17g", threshold);
    hash_str(&h, num);
    for (size_t i = 0; i < npol; i++) {
        snprintf(num, sizeof num, "%d:%d", sorted[i]->critical ? 1 : 0, sorted[i]->weight);
        hash_str(&h, sorted[i]->list);
        hash_str(&h, num);
    }
    free(sorted);
    unsigned char d[RF_SHA256_LEN];
    rf_sha256_final(&h, d);
    rf_sha256_hex(d, out);
    return RF_OK;
}
/* Append s normalised for a key: ASCII letters upper-cased, digits, nothing else. */
static size_t norm_ident(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            out[n++] = (char)(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

/* Rank of an identifier scheme: lower is stronger. */
static int scheme_rank(const char *scheme)
{
    static const char *const strong[] = {"LEI", "DUNS", "VAT", "GLN"};
    for (int i = 0; i < 4; i++)
        if (strcmp(scheme, strong[i]) == 0)
            return i;
    return 4;
}

/* The identifier key "id:SCHEME:VALUE" of the strongest usable identifier. */
static bool ident_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    int best = 99;
    char sc[64], val[256];
    for (size_t i = 0; i < p->nids; i++) {
        if (!p->ids[i].scheme || !p->ids[i].value)
            continue;
        char s[64], v[256];
        norm_ident(s, sizeof s, p->ids[i].scheme);
        int r = scheme_rank(s);
        if (r < best && norm_ident(v, sizeof v, p->ids[i].value) > 0) {
            best = r;
            memcpy(sc, s, sizeof sc);
            memcpy(val, v, sizeof val);
        }
    }
    if (best == 99)
        return false;
    int n = snprintf(buf, cap, "id:%s:%s", sc, val);
    *len = n > 0 && (size_t)n < cap ? (size_t)n : 0;
    return *len > 0;
}

/* The name key "nm:NORMALISED NAME|COUNTRY" (hashed when too long). */
static int name_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    rf_name_norm nn;
    if (!p->name || rf_name_normalize(p->name, (size_t)-1, p->kind, &nn) != RF_OK || !nn.ntok)
        return cache_fail(RF_EINVAL, "party has no identifier and no name to key on");
    char country[16] = "";
    if (p->ncountries && p->countries[0])
        norm_ident(country, sizeof country, p->countries[0]);
    int n = snprintf(buf, cap, "nm:%s|%s", nn.text, country);
    if (n > 0 && (size_t)n < cap && (size_t)n <= RF_CACHE_MAX_KEY) {
        *len = (size_t)n;
        return RF_OK;
    }
    char hex[RF_SHA256_HEX];
    rf_sha256_buf(nn.text, strlen(nn.text), hex);
    n = snprintf(buf, cap, "nh:%s|%s", hex, country);
    if (n <= 0 || (size_t)n >= cap)
        return cache_fail(RF_ELIMIT, "cache key does not fit a %zu-byte buffer", cap);
    *len = (size_t)n;
    return RF_OK;
}

/* The key of a party: its strongest identifier, else its name and country. */
int cache_party_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    return ident_key(p, buf, cap, len) ? RF_OK : name_key(p, buf, cap, len);
}

/* The cache key of a party. */
int rf_cache_key(const rf_name_party *p, char *buf, size_t cap, size_t *len)
{
    if (!p || !buf || !len || cap == 0)
        return cache_fail(RF_EINVAL, "cache key: party, buffer and length are required");
    return cache_party_key(p, buf, cap, len);
}
