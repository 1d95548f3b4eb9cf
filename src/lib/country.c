/* ISO 3166-1 country lookup: codes and names to alpha-2, by folded key.
 *
 * A name is folded the same way scripts/gen_country_table.py folds the table:
 * ASCII letters and digits lower-cased, Latin accents folded to ASCII (the
 * generated country_fold table), spaces, punctuation and general punctuation
 * dropped, any other character kept as it is. Lookup is a binary search over
 * the sorted keys, on a stack buffer: no allocation. */
#include <string.h>
#include "redflag/country.h"
#include "reader_int.h"

#define KEYCAP 128

/* Decode one UTF-8 sequence at s (n bytes left); its length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t need;
    unsigned c = s[0];
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return need;
}

/* Whether a non-ASCII code point is punctuation or a symbol the fold drops. */
static int dropped(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F);
}

/* Append n bytes to the key; false when it would not fit. */
static int put(char *key, size_t *k, const char *s, size_t n)
{
    if (*k + n >= KEYCAP)
        return 0;
    memcpy(key + *k, s, n);
    *k += n;
    return 1;
}

/* Fold text into key (NUL-terminated); its length, or 0 when too long or empty. */
static size_t fold(const char *text, size_t len, char key[KEYCAP])
{
    const unsigned char *s = (const unsigned char *)text;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i], cp = 0;
        if (c < 0x80) {
            char ch = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
            if (alnum && !put(key, &k, &ch, 1))
                return 0;
            i++;
            continue;
        }
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            n = 1;   /* stray byte: keep it, it cannot match */
        else if (dropped(cp)) {
            i += n;
            continue;
        }
        const char *f = (n > 1 && cp >= 0xC0 && cp < 0x180) ? country_fold[cp - 0xC0] : NULL;
        if (f ? !put(key, &k, f, strlen(f)) : !put(key, &k, text + i, n))
            return 0;
        i += n;
    }
    key[k] = '\0';
    return k;
}

/* Map a country code or name to alpha-2. */
int rf_country_normalize(const char *text, size_t len, char out[3])
{
    char key[KEYCAP];
    if (!text || !out)
        return RF_EINVAL;
    size_t k = fold(text, len, key);
    if (k == 0 || k > country_key_max)
        return RF_ENOTFOUND;
    size_t lo = 0, hi = country_nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, country_keys[mid].key);
        if (c == 0) {
            memcpy(out, country_keys[mid].a2, 3);
            return RF_OK;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return RF_ENOTFOUND;
}

/* English short name of an alpha-2 code (either case). */
const char *rf_country_name(const char *alpha2)
{
    if (!alpha2 || !alpha2[0] || !alpha2[1] || alpha2[2])
        return NULL;
    char a[3] = {alpha2[0], alpha2[1], '\0'};
    for (int i = 0; i < 2; i++)
        if (a[i] >= 'a' && a[i] <= 'z')
            a[i] = (char)(a[i] - 32);
    size_t lo = 0, hi = country_nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a, country_names[mid].a2);
        if (c == 0)
            return country_names[mid].name;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
