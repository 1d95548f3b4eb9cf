/* Language detection by script and stop words (see lang_detect.h for why not n-grams). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include "lang_detect.h"
#include "utf8.h"

typedef enum script { S_LATIN, S_CYRILLIC, S_OTHER } script;

typedef struct lang {
    const char *code;
    script sc;            /* the script its stop words are looked for in */
    UScriptCode own;      /* a script only this language uses here, or USCRIPT_INVALID_CODE */
    bool nospace;
    const char *stop;     /* space-separated lower-case function words */
} lang;

/* The known languages. Stop words: frequent function words that the other
 * languages of the same script rarely use. */
static const lang langs[] = {
    {"", S_OTHER, USCRIPT_INVALID_CODE, false, ""},
    {"en", S_LATIN, USCRIPT_INVALID_CODE, false,
     "the and of to is are was were be been have has had that which with for from by not "
     "their they this it its our we on at as or who any"},
    {"de", S_LATIN, USCRIPT_INVALID_CODE, false,
     "der die das und ist sind nicht werden wird ein eine einen dem den des mit von zu auf "
     "für sich wir ihre sie bei oder wurden wurde keine kein auch"},
    {"fr", S_LATIN, USCRIPT_INVALID_CODE, false,
     "le la les et est sont des du une un pas ne que qui dans pour par sur leur leurs nous "
     "aux au été être ont avec ou ces"},
    {"es", S_LATIN, USCRIPT_INVALID_CODE, false,
     "el la los las y es son del que en por para con una un se su sus no al fue han lo "
     "están está ser trabajadores"},
    {"pt", S_LATIN, USCRIPT_INVALID_CODE, false,
     "o a os as e é são do da dos das que em por para com uma um se seu sua não ao foi "
     "não trabalhadores pelo pela"},
    {"it", S_LATIN, USCRIPT_INVALID_CODE, false,
     "il lo la gli le e è sono del della dei delle che in per con una un si non al alla "
     "ai sono stati lavoratori"},
    {"nl", S_LATIN, USCRIPT_INVALID_CODE, false,
     "de het een en is zijn van niet dat die op voor met te werd worden hun wij ze"},
    {"pl", S_LATIN, USCRIPT_INVALID_CODE, false,
     "i w z na się nie jest są do że o to od przez dla ich po lub pracownicy został"},
    {"tr", S_LATIN, USCRIPT_INVALID_CODE, false,
     "ve bir bu için ile da de değil olarak olan çok daha gibi veya işçiler işçilerin"},
    {"id", S_LATIN, USCRIPT_INVALID_CODE, false,
     "dan yang di ke dari untuk dengan tidak ini itu adalah pada oleh para pekerja mereka "
     "akan atau telah sudah"},
    {"vi", S_LATIN, USCRIPT_INVALID_CODE, false,
     "và của các là có không được cho người những trong với này đã bị"},
    {"ru", S_CYRILLIC, USCRIPT_INVALID_CODE, false,
     "и в не на что с по для как из от у за о к их это был была были они его её"},
    {"uk", S_CYRILLIC, USCRIPT_INVALID_CODE, false, "і в не на що з по для як із від у за їх це був"},
    {"zh", S_OTHER, USCRIPT_HAN, true, ""},
    {"ja", S_OTHER, USCRIPT_HIRAGANA, true, ""},
    {"th", S_OTHER, USCRIPT_THAI, true, ""},
    {"ko", S_OTHER, USCRIPT_HANGUL, false, ""},
    {"ar", S_OTHER, USCRIPT_ARABIC, false, ""},
    {"hi", S_OTHER, USCRIPT_DEVANAGARI, false, ""},
    {"bn", S_OTHER, USCRIPT_BENGALI, false, ""},
    {"el", S_OTHER, USCRIPT_GREEK, false, ""},
    {"he", S_OTHER, USCRIPT_HEBREW, false, ""},
};

#define NLANG ((int)(sizeof langs / sizeof langs[0]))
_Static_assert(NLANG <= 64, "a langmask holds every language");

/* Number of known languages. */
int lang_count(void)
{
    return NLANG - 1;
}

/* The id of an ISO code. */
int lang_lookup(const char *code, size_t len)
{
    for (int i = 1; i < NLANG; i++)
        if (strlen(langs[i].code) == len && memcmp(langs[i].code, code, len) == 0)
            return i;
    return 0;
}

/* The code of an id. */
const char *lang_code(int id)
{
    return id > 0 && id < NLANG ? langs[id].code : "*";
}

/* Whether words of the language are written without spaces. */
bool lang_nospace(int id)
{
    return id > 0 && id < NLANG && langs[id].nospace;
}

/* Whether the language is written in the Latin script. */
bool lang_latin(int id)
{
    return id > 0 && id < NLANG && langs[id].sc == S_LATIN;
}

/* The known codes, comma-separated. */
const char *lang_codes(void)
{
    return "en, de, fr, es, pt, it, nl, pl, tr, id, vi, ru, uk, zh, ja, th, ko, ar, hi, bn, el, he";
}

typedef struct stopword {
    char w[24];
    langmask langs;       /* the languages it is a stop word of */
} stopword;

#define MAX_STOP 512
static stopword stops[MAX_STOP];
static size_t nstops;
static pthread_once_t stops_once = PTHREAD_ONCE_INIT;

/* Order stop words by their bytes. */
static int cmp_stop(const void *a, const void *b)
{
    return strcmp(((const stopword *)a)->w, ((const stopword *)b)->w);
}

/* Build the sorted table of every language's stop words, once per process. */
static void build_stops(void)
{
    for (int i = 1; i < NLANG; i++)
        for (const char *p = langs[i].stop; *p;) {
            const char *e = strchr(p, ' ');
            size_t k = e ? (size_t)(e - p) : strlen(p);
            size_t j = 0;
            while (j < nstops && !(strlen(stops[j].w) == k && memcmp(stops[j].w, p, k) == 0))
                j++;
            if (j == nstops && nstops < MAX_STOP && k < sizeof stops[0].w) {
                memcpy(stops[nstops].w, p, k);
                stops[nstops++].w[k] = '\0';
            }
            if (j < nstops)
                stops[j].langs |= 1ull << i;
            p += k + (e != NULL);
        }
    qsort(stops, nstops, sizeof *stops, cmp_stop);
}

/* The languages word w (n bytes, lower case) is a stop word of. */
static langmask stop_langs(const char *w, size_t n)
{
    stopword key;
    if (n >= sizeof key.w)
        return 0;
    memcpy(key.w, w, n);
    key.w[n] = '\0';
    const stopword *hit = bsearch(&key, stops, nstops, sizeof *stops, cmp_stop);
    return hit ? hit->langs : 0;
}

/* Decode the (valid) UTF-8 character at t[*i], advancing *i. */
static UChar32 cp_at(const char *t, size_t len, size_t *i)
{
    const unsigned char *p = (const unsigned char *)t + *i;
    size_t n = p[0] < 0x80 ? 1 : utf8_seq_len(p, len - *i);
    if (n <= 1) {
        (*i)++;
        return p[0] < 0x80 ? p[0] : 0xFFFD;
    }
    UChar32 c = p[0] & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; k++)
        c = (c << 6) | (p[k] & 0x3F);
    *i += n;
    return c;
}

/* Whether ch ends a sentence for detection. */
static bool sentence_end(UChar32 ch)
{
    return ch == '.' || ch == '!' || ch == '?' || ch == ';' || ch == '\n' || ch == 0x3002 ||
           ch == 0xFF01 || ch == 0xFF1F || ch == 0x061F || ch == 0x0964;
}

typedef struct tally {
    unsigned latin, cyrillic;
    bool own[NLANG];      /* a script of the language's own was seen */
    unsigned stops[NLANG];
} tally;

/* Count a finished word w (lower-cased, n bytes) against every language's stop words. */
static void tally_word(tally *ty, const char *w, size_t n, script sc)
{
    langmask m = n && sc != S_OTHER ? stop_langs(w, n) : 0;
    for (int i = 1; m && i < NLANG; i++)
        if (m >> i & 1 && langs[i].sc == sc)
            ty->stops[i]++;
}

/* The languages of one sentence's tally. */
static langmask decide(const tally *ty)
{
    langmask m = 0;
    for (int i = 1; i < NLANG; i++)
        if (ty->own[i])
            m |= 1ull << i;
    if (m >> lang_lookup("ja", 2) & 1) /* kana: Japanese, whose kanji are not Chinese */
        m &= ~(1ull << lang_lookup("zh", 2));
    for (script sc = S_LATIN; sc <= S_CYRILLIC; sc++) {
        if (!(sc == S_LATIN ? ty->latin : ty->cyrillic))
            continue;
        unsigned best = 0;
        for (int i = 1; i < NLANG; i++)
            if (langs[i].sc == sc && ty->stops[i] > best)
                best = ty->stops[i];
        for (int i = 1; i < NLANG; i++) /* the best ones, or all of the script when none */
            if (langs[i].sc == sc && ty->stops[i] == best)
                m |= 1ull << i;
    }
    return m;
}

/* Record the script of letter ch in the tally. */
static void tally_script(tally *ty, UChar32 ch)
{
    if (ch < 0x80) {
        ty->latin++;
        return;
    }
    UErrorCode e = U_ZERO_ERROR;
    UScriptCode s = uscript_getScript(ch, &e);
    if (s == USCRIPT_LATIN) {
        ty->latin++;
        return;
    }
    if (s == USCRIPT_CYRILLIC) {
        ty->cyrillic++;
        return;
    }
    if (s == USCRIPT_KATAKANA)
        s = USCRIPT_HIRAGANA;
    for (int i = 1; i < NLANG; i++)
        if (langs[i].own == s)
            ty->own[i] = true;
}

/* The languages of t, sentence by sentence. */
langmask lang_detect(const char *t, size_t len)
{
    pthread_once(&stops_once, build_stops);
    langmask m = 0;
    tally ty;
    memset(&ty, 0, sizeof ty);
    char w[32];
    size_t wn = 0;
    bool wlong = false;
    script wsc = S_OTHER;
    for (size_t i = 0; i <= len;) {
        UChar32 ch = i < len ? cp_at(t, len, &i) : (i++, '\n');
        bool letter = ch < 0x80 ? (unsigned)((ch | 32) - 'a') < 26u : u_isalpha(ch);
        if (letter) {
            tally_script(&ty, ch);
            UChar32 lo = ch < 0x80 ? (ch | 32) : u_tolower(ch);
            char b[4];
            size_t bn = 0;
            if (lo < 0x80) {
                b[bn++] = (char)lo;
            } else if (lo < 0x800) {
                b[bn++] = (char)(0xC0 | lo >> 6);
                b[bn++] = (char)(0x80 | (lo & 0x3F));
            } else {
                b[bn++] = (char)(0xE0 | (lo >> 12 & 0x0F));
                b[bn++] = (char)(0x80 | (lo >> 6 & 0x3F));
                b[bn++] = (char)(0x80 | (lo & 0x3F));
            }
            if (!wn) {
                UErrorCode e = U_ZERO_ERROR;
                UScriptCode s = ch < 0x80 ? USCRIPT_LATIN : uscript_getScript(ch, &e);
                wsc = s == USCRIPT_LATIN ? S_LATIN : s == USCRIPT_CYRILLIC ? S_CYRILLIC : S_OTHER;
            }
            if (wn + bn <= sizeof w)
                memcpy(w + wn, b, bn);
            else
                wlong = true;
            wn += bn;
            continue;
        }
        if (!wlong && wn <= sizeof w)
            tally_word(&ty, w, wn, wsc);
        wn = 0;
        wlong = false;
        if (sentence_end(ch)) {
            m |= decide(&ty);
            memset(&ty, 0, sizeof ty);
        }
    }
    return m;
}
