/* Text canonicalisation before the rules: NFKC, no default-ignorables, and the
 * confusable skeleton of look-alike letters in mixed-script words (see text_canon.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include "text_canon.h"
#include "utf8.h"

#define SEG_MAX 30    /* UTF-16 units of one normalisation segment before it is cut */
#define NORM_MAX 1024 /* UTF-16 units a segment may normalise to */

static USpoofChecker *spoof;
static pthread_once_t spoof_once = PTHREAD_ONCE_INIT;

/* Open the process's confusables checker (read-only after this, so shared by threads). */
static void spoof_open(void)
{
    UErrorCode st = U_ZERO_ERROR;
    spoof = uspoof_open(&st);
    if (U_FAILURE(st))
        spoof = NULL;
}

/* Decode the (valid) UTF-8 character at t[*i], advancing *i. */
static UChar32 next_cp(const char *t, size_t len, size_t *i)
{
    const unsigned char *p = (const unsigned char *)t + *i;
    if (p[0] < 0x80) {
        (*i)++;
        return p[0];
    }
    size_t n = utf8_seq_len(p, len - *i);
    if (!n) { /* not reached on validated text; keep the byte */
        (*i)++;
        return 0xFFFD;
    }
    UChar32 c = p[0] & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; k++)
        c = (c << 6) | (p[k] & 0x3F);
    *i += n;
    return c;
}

/* Make room for need canonical bytes (and the closing map entry). */
static bool ensure(canon *c, size_t need)
{
    if (need + 1 > c->cap) {
        size_t n = (need + 1) * 2;
        char *b = realloc(c->buf, n);
        if (!b)
            return false;
        c->buf = b;
        c->cap = n;
    }
    if (need + 1 > c->mapcap) {
        size_t n = (need + 1) * 2;
        uint32_t *m = realloc(c->map, n * sizeof *m);
        if (!m)
            return false;
        c->map = m;
        c->mapcap = n;
    }
    return true;
}

/* Append n canonical bytes that all come from original offset orig. */
static bool put(canon *c, size_t *o, const char *b, size_t n, uint32_t orig)
{
    if (!ensure(c, *o + n))
        return false;
    memcpy(c->buf + *o, b, n);
    for (size_t k = 0; k < n; k++)
        c->map[*o + k] = orig;
    *o += n;
    return true;
}

/* Append the NFKC form of one segment (UTF-16), every byte mapped to its start. */
static bool flush(canon *c, size_t *o, const UChar *seg, int32_t nseg, uint32_t orig,
                  const UNormalizer2 *nfkc)
{
    if (nseg == 0)
        return true;
    if (nseg == 1 && seg[0] < 0x80) {
        char b = (char)seg[0];
        return put(c, o, &b, 1, orig);
    }
    UChar norm[NORM_MAX];
    char out[NORM_MAX * 3];
    UErrorCode st = U_ZERO_ERROR;
    int32_t nn = nfkc ? unorm2_normalize(nfkc, seg, nseg, norm, NORM_MAX, &st) : -1;
    const UChar *src = U_SUCCESS(st) && nn >= 0 ? norm : seg;
    int32_t ns = src == norm ? nn : nseg, nout = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(out, (int32_t)sizeof out, &nout, src, ns, &st);
    if (U_FAILURE(st))
        return true; /* cannot happen with these sizes; drop nothing the user sees */
    return put(c, o, out, (size_t)nout, orig);
}

/* Whether a letter of this script can pass for a Latin one (the scripts of confusables.txt
 * that supply look-alikes of Latin letters). */
static bool lookalike_script(UScriptCode sc)
{
    return sc == USCRIPT_CYRILLIC || sc == USCRIPT_GREEK || sc == USCRIPT_ARMENIAN ||
           sc == USCRIPT_CHEROKEE;
}

/* Pass 1: NFKC and default-ignorables into c->buf; *mixed when Latin and look-alike letters
 * both occur (then pass 2 is needed). */
static bool pass_nfkc(canon *c, const char *t, size_t len, bool *mixed)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);
    if (U_FAILURE(st))
        nfkc = NULL;
    UChar seg[SEG_MAX + 2];
    int32_t nseg = 0;
    uint32_t segstart = 0;
    size_t o = 0, i = 0;
    bool latin = false, other = false;
    while (i < len) {
        size_t at = i;
        UChar32 ch = next_cp(t, len, &i);
        if (ch >= 0x80 && u_hasBinaryProperty(ch, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            continue;
        if (ch < 0x80) {
            latin |= (unsigned)((ch | 32) - 'a') < 26u;
        } else if (u_isalpha(ch)) {
            UErrorCode e = U_ZERO_ERROR;
            UScriptCode sc = uscript_getScript(ch, &e);
            latin |= sc == USCRIPT_LATIN;
            other |= lookalike_script(sc);
        }
        bool boundary = ch < 0x80 || !nfkc || unorm2_hasBoundaryBefore(nfkc, ch);
        if (nseg && (boundary || nseg >= SEG_MAX)) {
            if (!flush(c, &o, seg, nseg, segstart, nfkc))
                return false;
            nseg = 0;
        }
        if (!nseg)
            segstart = (uint32_t)at;
        U16_APPEND_UNSAFE(seg, nseg, ch);
    }
    if (!flush(c, &o, seg, nseg, segstart, nfkc) || !ensure(c, o))
        return false;
    c->map[o] = (uint32_t)len;
    c->len = o;
    *mixed = latin && other;
    return true;
}

/* The Latin skeleton of look-alike letter ch into out (NUL-ended), or false when its
 * skeleton is not made of ASCII letters. */
static bool latin_skeleton(UChar32 ch, char *out, size_t n)
{
    pthread_once(&spoof_once, spoof_open);
    if (!spoof)
        return false;
    char in[8];
    int32_t ni = 0;
    UErrorCode st = U_ZERO_ERROR;
    UChar u[2];
    int32_t nu = 0;
    U16_APPEND_UNSAFE(u, nu, ch);
    u_strToUTF8(in, (int32_t)sizeof in, &ni, u, nu, &st);
    int32_t no = uspoof_getSkeletonUTF8(spoof, 0, in, ni, out, (int32_t)n - 1, &st);
    if (U_FAILURE(st) || no <= 0 || no > 3)
        return false;
    out[no] = '\0';
    for (int32_t k = 0; k < no; k++)
        if ((unsigned)((out[k] | 32) - 'a') >= 26u)
            return false;
    return true;
}

/* The Cyrillic look-alike (UTF-8) of Latin letter ch, for a Cyrillic word with Latin
 * letters slipped in; NULL when there is none. */
static const char *cyrillic_twin(UChar32 ch)
{
    static const char latin[] = "aceopxyABCEHKMOPTX";
    static const char *const cyr[] = {"а", "с", "е", "о", "р", "х", "у", "А", "В", "С",
                                      "Е", "Н", "К", "М", "О", "Р", "Т", "Х"};
    const char *p = ch < 0x80 && ch ? strchr(latin, (int)ch) : NULL;
    return p ? cyr[p - latin] : NULL;
}

/* The script of letter ch: Latin, a look-alike script, or other (USCRIPT_COMMON). */
static UScriptCode letter_script(UChar32 ch)
{
    if (ch < 0x80)
        return (unsigned)((ch | 32) - 'a') < 26u ? USCRIPT_LATIN : USCRIPT_COMMON;
    if (!u_isalpha(ch))
        return USCRIPT_COMMON;
    UErrorCode e = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(ch, &e);
    return sc == USCRIPT_LATIN || lookalike_script(sc) ? sc : USCRIPT_COMMON;
}

/* Append word w[s..e) of the pass-1 text (map m) to d, its look-alike letters replaced:
 * a mostly-Latin word takes the Latin skeleton of its other letters, a mostly-Cyrillic
 * word the Cyrillic twin of its Latin letters. */
static bool put_word(canon *d, size_t *o, const char *w, const uint32_t *m, size_t s, size_t e)
{
    size_t nlat = 0, noth = 0, ncyr = 0;
    for (size_t i = s; i < e;) {
        UScriptCode sc = letter_script(next_cp(w, e, &i));
        nlat += sc == USCRIPT_LATIN;
        noth += sc != USCRIPT_LATIN && sc != USCRIPT_COMMON;
        ncyr += sc == USCRIPT_CYRILLIC;
    }
    bool to_latin = nlat && noth && nlat >= noth, to_cyr = nlat && ncyr > nlat;
    for (size_t i = s; i < e;) {
        size_t at = i;
        UChar32 ch = next_cp(w, e, &i);
        UScriptCode sc = letter_script(ch);
        char sk[8];
        const char *rep = NULL;
        if (to_latin && sc != USCRIPT_LATIN && sc != USCRIPT_COMMON &&
            latin_skeleton(ch, sk, sizeof sk))
            rep = sk;
        else if (to_cyr && sc == USCRIPT_LATIN)
            rep = cyrillic_twin(ch);
        if (rep) {
            if (!put(d, o, rep, strlen(rep), m[at]))
                return false;
            continue;
        }
        if (!ensure(d, *o + (i - at)))
            return false;
        memcpy(d->buf + *o, w + at, i - at);
        memcpy(d->map + *o, m + at, (i - at) * sizeof *m);
        *o += i - at;
    }
    return true;
}

/* Whether ch belongs inside a word (letters, marks, digits). */
static bool word_cp(UChar32 ch)
{
    if (ch < 0x80)
        return (unsigned)((ch | 32) - 'a') < 26u || (unsigned)(ch - '0') < 10u;
    return u_isalnum(ch) || (U_GET_GC_MASK(ch) & U_GC_M_MASK);
}

/* Pass 2: replace look-alike letters in the mixed-script words of c's text. */
static bool pass_confusables(canon *c)
{
    canon d = {0};
    size_t o = 0, i = 0;
    while (i < c->len) {
        size_t s = i, e = i;
        while (e < c->len) {
            size_t k = e;
            if (!word_cp(next_cp(c->buf, c->len, &k)))
                break;
            e = k;
        }
        bool ok;
        if (e > s) {
            ok = put_word(&d, &o, c->buf, c->map, s, e);
            i = e;
        } else {
            next_cp(c->buf, c->len, &i);
            ok = ensure(&d, o + (i - s));
            if (ok) {
                memcpy(d.buf + o, c->buf + s, i - s);
                memcpy(d.map + o, c->map + s, (i - s) * sizeof *c->map);
                o += i - s;
            }
        }
        if (!ok) {
            canon_free(&d);
            return false;
        }
    }
    if (!ensure(&d, o)) {
        canon_free(&d);
        return false;
    }
    d.map[o] = c->map[c->len];
    free(c->buf);
    free(c->map);
    c->buf = d.buf;
    c->cap = d.cap;
    c->map = d.map;
    c->mapcap = d.mapcap;
    c->len = o;
    return true;
}

/* Whether t holds only ASCII bytes (checked a word at a time). */
static bool all_ascii(const char *t, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, t + i, 8);
        if (w & 0x8080808080808080ull)
            return false;
    }
    for (; i < len; i++)
        if ((unsigned char)t[i] >= 0x80)
            return false;
    return true;
}

/* Canonicalise t into c (the original itself when it is plain ASCII or unchanged). */
bool canon_text(canon *c, const char *t, size_t len)
{
    c->text = t;
    c->len = c->olen = len;
    c->mapped = false;
    c->langs_done = false;
    c->ascii = all_ascii(t, len);
    if (c->ascii || len >= UINT32_MAX)
        return true;
    bool mixed = false;
    if (!pass_nfkc(c, t, len, &mixed) || (mixed && !pass_confusables(c))) {
        c->text = t;
        c->len = len;
        return false;
    }
    if (c->len == len && memcmp(c->buf, t, len) == 0) {
        c->len = len;
        return true; /* already canonical: keep the original and its offsets */
    }
    c->text = c->buf;
    c->mapped = true;
    return true;
}

/* The original offset of canonical offset off: a start is where its character
 * begins (0 for the text's start, so leading dropped characters are quoted); an
 * end covers its whole character and any dropped ones after it. */
size_t canon_orig(const canon *c, size_t off, bool end)
{
    if (!c->mapped)
        return off;
    if (off > c->len)
        off = c->len;
    if (off == 0)
        return 0;
    if (!end)
        return c->map[off];
    size_t j = off;
    while (j < c->len && c->map[j] == c->map[off - 1])
        j++;
    return c->map[j];
}

/* Free the buffers. */
void canon_free(canon *c)
{
    free(c->buf);
    free(c->map);
    memset(c, 0, sizeof *c);
}
