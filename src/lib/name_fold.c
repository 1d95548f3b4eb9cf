/* Folding a name to lower-case ASCII: ICU NFKC with case folding, script
 * transliteration (Cyrillic by BGN/PCGN, Greek by UNGEGN, Arabic, Han to
 * pinyin, anything else through Any-Latin), accents stripped by Latin-ASCII.
 * ASCII names skip ICU entirely (the common case, and 50x cheaper). */
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>
#include "name_int.h"

/* The transliterators, made on first use in each thread. Specific ones are
 * used instead of Any-Latin because they follow the romanisations the lists
 * use (BGN/PCGN for Russian: "Obshchestvo", not ISO 9 "Obŝestvo") and
 * because Any-Latin costs ~70 µs a name even on Latin text. */
enum { TR_UKRAINIAN, TR_CYRILLIC, TR_GREEK, TR_ARABIC, TR_HAN, TR_ANY, TR_ASCII, TR_COUNT };
static const char *const tr_ids[TR_COUNT] = {
    "Ukrainian-Latin/BGN", "Russian-Latin/BGN", "Greek-Latin/UNGEGN", "Arabic-Latin", "Han-Latin", "Any-Latin",
    "Latin-ASCII",
};
static _Thread_local UTransliterator *tr_cache[TR_COUNT];

#define UBUF 1024 /* UTF-16 units for one name while folding */

/* This thread's transliterator of a kind, made on first use; NULL on failure. */
static UTransliterator *translit(int which)
{
    if (!tr_cache[which]) {
        UErrorCode st = U_ZERO_ERROR;
        UChar id[64];
        u_uastrcpy(id, tr_ids[which]);
        tr_cache[which] = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
        if (U_FAILURE(st))
            tr_cache[which] = NULL;
    }
    return tr_cache[which];
}

void rf_name_thread_cleanup(void)
{
    for (int i = 0; i < TR_COUNT; i++) {
        if (tr_cache[i])
            utrans_close(tr_cache[i]);
        tr_cache[i] = NULL;
    }
}

/* Whether s[0..len) is well-formed UTF-8 and whether it is all ASCII. */
static bool check_utf8(const char *s, size_t len, bool *ascii)
{
    *ascii = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c == 0)
                return false;
            continue;
        }
        *ascii = false;
        size_t n = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
        if (n == 0 || i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++)
            if (((unsigned char)s[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

/* Scripts present in u[0..n): bit per TR_* transliterator to run. */
static unsigned scripts_of(const UChar *u, int32_t n)
{
    unsigned need = 0;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        if (c < 0x80)
            continue;
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &st);
        switch (sc) {
        case USCRIPT_LATIN: case USCRIPT_COMMON: case USCRIPT_INHERITED: break;
        case USCRIPT_CYRILLIC:
            need |= 1u << TR_CYRILLIC;
            if (c == 0x456 || c == 0x457 || c == 0x454 || c == 0x491)
                need |= 1u << TR_UKRAINIAN; /* і ї є ґ: Ukrainian */
            break;
        case USCRIPT_GREEK: need |= 1u << TR_GREEK; break;
        case USCRIPT_ARABIC: need |= 1u << TR_ARABIC; break;
        case USCRIPT_HAN: need |= 1u << TR_HAN; break;
        default: need |= 1u << TR_ANY; break;
        }
    }
    return need;
}

/* Drop the characters the romanisations use as joiners inside a word
 * (middle dot, modifier primes and apostrophes), so words are not split. */
static int32_t drop_joiners(UChar *u, int32_t n)
{
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++)
        if (u[i] != 0x00B7 && u[i] != 0x02B9 && u[i] != 0x02BA && u[i] != 0x02BC &&
            u[i] != 0x2019 && u[i] != 0x02BF && u[i] != 0x02BE && u[i] != 0x2BB)
            u[k++] = u[i];
    return k;
}

/* Run the transliterators marked in need over u (capacity UBUF). */
static int run_translit(UChar *u, int32_t *n, unsigned need)
{
    for (int w = 0; w < TR_COUNT; w++) {
        if (!(need & (1u << w)))
            continue;
        UTransliterator *t = translit(w);
        if (!t)
            return RF_ENOMEM;
        UErrorCode st = U_ZERO_ERROR;
        int32_t lim = *n;
        utrans_transUChars(t, u, n, UBUF, 0, &lim, &st);
        if (U_FAILURE(st))
            return st == U_BUFFER_OVERFLOW_ERROR ? RF_ELIMIT : RF_ENOMEM;
        *n = drop_joiners(u, *n);
    }
    return RF_OK;
}

/* Copy u[0..n) as lower-case ASCII; anything else becomes a space. */
static void to_ascii(const UChar *u, int32_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (int32_t i = 0; i < n && k + 1 < cap; i++) {
        UChar c = u[i];
        out[k++] = c < 0x80 ? (char)(c >= 'A' && c <= 'Z' ? c + 32 : c) : ' ';
    }
    out[k] = 0;
}

/* The ICU path for a name that is not all ASCII. */
static int fold_unicode(const char *name, size_t len, char *out, size_t cap, bool *tl)
{
    static _Thread_local UChar a[UBUF], b[UBUF];
    UErrorCode st = U_ZERO_ERROR;
    int32_t na = 0;
    u_strFromUTF8(a, UBUF, &na, name, (int32_t)len, &st);
    if (U_FAILURE(st))
        return RF_EINVAL;
    const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&st);
    int32_t nb = nfkc ? unorm2_normalize(nfkc, a, na, b, UBUF, &st) : 0;
    if (U_FAILURE(st))
        return st == U_BUFFER_OVERFLOW_ERROR ? RF_ELIMIT : RF_ENOMEM;
    unsigned need = scripts_of(b, nb);
    *tl = (need & ~(1u << TR_ASCII)) != 0;
    need |= 1u << TR_ASCII;
    nb = drop_joiners(b, nb);
    int rc = run_translit(b, &nb, need);
    if (rc != RF_OK)
        return rc;
    to_ascii(b, nb, out, cap);
    return RF_OK;
}

/* Whether a glued suffix (as written, mixed case) is a legal form worth
 * splitting off: "SiemensAG", "AcmeGmbH", "FooLLC". */
static bool glued_legal(const char *s, size_t n)
{
    static const char *const forms[] = {"ag", "gmbh", "sa", "llc", "ltd", "inc", "co", "kg",
                                        "plc", "corp", "spa", "bv", "nv", "ab", "srl", "sarl",
                                        "jsc", "llp", "pte", "oy", "as"};
    char low[8];
    if (n < 2 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (strlen(forms[i]) == n && memcmp(low, forms[i], n) == 0)
            return true;
    return false;
}

/* Position in word w[0..n) where a glued legal form starts (a lower-case
 * letter followed by an upper-case one), or 0 when there is none. */
static size_t glued_at(const char *w, size_t n)
{
    for (size_t p = n - 1; p >= 3; p--) {
        bool lo = w[p - 1] >= 'a' && w[p - 1] <= 'z', up = w[p] >= 'A' && w[p] <= 'Z';
        if (lo && up)
            return glued_legal(w + p, n - p) ? p : 0;
    }
    return 0;
}

/* Copy name[0..len) into out[0..cap) (NUL-terminated), splitting glued
 * legal forms off their word by a space; returns the length written. */
static size_t split_glued(const char *name, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 2 < cap;) {
        size_t j = i;
        while (j < len && (name[j] | 32) >= 'a' && (name[j] | 32) <= 'z')
            j++;
        if (j == i) {
            out[k++] = name[i++];
            continue;
        }
        size_t cut = j - i >= 5 ? glued_at(name + i, j - i) : 0;
        for (size_t p = i; p < j && k + 2 < cap; p++) {
            if (cut && p == i + cut)
                out[k++] = ' ';
            out[k++] = name[p];
        }
        i = j;
    }
    out[k] = 0;
    return k;
}

int nm_fold(const char *name, size_t len, char *out, size_t cap, bool *translit_used)
{
    bool ascii;
    char split[NM_BUF];
    *translit_used = false;
    if (!check_utf8(name, len, &ascii))
        return RF_EINVAL;
    if (len > NM_BUF - 64) { /* long names are cut, never inside a character */
        len = NM_BUF - 64;
        while (len && ((unsigned char)name[len] & 0xC0) == 0x80)
            len--;
    }
    len = split_glued(name, len, split, sizeof split);
    if (!ascii)
        return fold_unicode(split, len, out, cap, translit_used);
    for (size_t i = 0; i <= len && i < cap; i++)
        out[i] = (char)(split[i] >= 'A' && split[i] <= 'Z' ? split[i] + 32 : split[i]);
    out[cap - 1] = 0;
    return RF_OK;
}
