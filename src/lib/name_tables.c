/* Word tables of the name matcher: legal forms across languages and scripts
 * (as they read after transliteration), generic words, stop words, person
 * particles and titles, abbreviations; word weights from list frequency.
 * docs/MATCHING.md "Tables" explains each and how to extend it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "name_int.h"

/* Legal forms, as lower-case words after folding (dotted letters joined:
 * "S.A." reads "sa", "p.l.c." reads "plc"). Canonical codes: ltd, pteltd,
 * ptyltd, sdnbhd, bhd, llc, gmbh, jsc, ag, sa, plc, corp, co, nv, bv, kk,
 * lp, kg, fze, pt. Longest match wins. */
static const nm_legal legal_forms[] = {
    {"ltd", "ltd"}, {"limited", "ltd"}, {"ltda", "ltd"}, {"co ltd", "ltd"},
    {"co limited", "ltd"}, {"company limited", "ltd"}, {"company ltd", "ltd"},
    {"cos ltd", "ltd"},
    {"you xian gong si", "ltd"}, {"youxian gongsi", "ltd"}, {"youxiangongsi", "ltd"},
    {"you xian ze ren gong si", "ltd"}, {"youxian zeren gongsi", "ltd"},
    {"gu fen you xian gong si", "ltd"}, {"gufen youxian gongsi", "ltd"},
    {"company limited by shares", "ltd"}, {"co ltd by shares", "ltd"},
    {"pte ltd", "pteltd"}, {"pte limited", "pteltd"}, {"private limited", "pteltd"},
    {"pvt ltd", "pteltd"}, {"private ltd", "pteltd"}, {"pvt limited", "pteltd"},
    {"private limited company", "pteltd"}, {"pte", "pteltd"}, {"pvt", "pteltd"},
    {"pty ltd", "ptyltd"}, {"pty limited", "ptyltd"}, {"proprietary limited", "ptyltd"},
    {"pty", "ptyltd"},
    {"sdn bhd", "sdnbhd"}, {"sendirian berhad", "sdnbhd"}, {"sdnbhd", "sdnbhd"},
    {"bhd", "bhd"}, {"berhad", "bhd"},
    {"llc", "llc"}, {"l l c", "llc"}, {"limited liability company", "llc"},
    {"limited liability co", "llc"}, {"limited liability partnership", "lp"},
    {"ooo", "llc"}, {"obshchestvo s ogranichennoy otvetstvennostyu", "llc"},
    {"obshchestvo s ogranichennoi otvetstvennostiu", "llc"},
    {"obshchestvo s ogranichennoj otvetstvennostju", "llc"},
    {"tovarystvo z obmezhenoyu vidpovidalnistyu", "llc"},
    {"tovarystvo z obmezhenoiu vidpovidalnistiu", "llc"}, {"aktsionerne tovarystvo", "jsc"},
    {"pryvatne aktsionerne tovarystvo", "jsc"}, {"publichne aktsionerne tovarystvo", "jsc"},
    {"tov", "llc"}, {"too", "llc"}, {"mchj", "llc"},
    {"srl", "llc"}, {"sarl", "llc"}, {"sro", "llc"}, {"sp z o o", "llc"}, {"spzoo", "llc"},
    {"kft", "llc"}, {"doo", "llc"}, {"eood", "llc"}, {"ood", "llc"},
    {"gmbh", "gmbh"}, {"gesellschaft mit beschrankter haftung", "gmbh"}, {"gesmbh", "gmbh"},
    {"ges m b h", "gmbh"},
    {"jsc", "jsc"}, {"joint stock company", "jsc"}, {"joint stock co", "jsc"},
    {"open joint stock company", "jsc"}, {"closed joint stock company", "jsc"},
    {"public joint stock company", "jsc"}, {"joint stock commercial bank", "jsc"},
    {"ojsc", "jsc"}, {"cjsc", "jsc"}, {"pjsc", "jsc"}, {"ao", "jsc"}, {"oao", "jsc"},
    {"zao", "jsc"}, {"pao", "jsc"}, {"pat", "jsc"}, {"prat", "jsc"}, {"ad", "jsc"},
    {"aktsionernoye obshchestvo", "jsc"}, {"aktsionernoe obshchestvo", "jsc"},
    {"otkrytoye aktsionernoye obshchestvo", "jsc"},
    {"otkrytoe aktsionernoe obshchestvo", "jsc"},
    {"zakrytoye aktsionernoye obshchestvo", "jsc"},
    {"zakrytoe aktsionernoe obshchestvo", "jsc"},
    {"publichnoye aktsionernoye obshchestvo", "jsc"},
    {"publichnoe aktsionernoe obshchestvo", "jsc"},
    {"ag", "ag"}, {"aktiengesellschaft", "ag"},
    {"sa", "sa"}, {"societe anonyme", "sa"}, {"sociedad anonima", "sa"},
    {"sa de cv", "sa"}, {"sab de cv", "sa"}, {"spa", "sa"}, {"societa per azioni", "sa"},
    {"saog", "sa"}, {"saoc", "sa"}, {"sal", "sa"}, {"pjs", "sa"}, {"psc", "sa"},
    {"as", "sa"}, {"asa", "sa"}, {"ab", "sa"}, {"oy", "sa"}, {"oyj", "sa"}, {"tbk", "sa"},
    {"anonim sirketi", "sa"}, {"ae", "sa"}, {"anonymi etaireia", "sa"},
    {"plc", "plc"}, {"public limited company", "plc"}, {"public company limited", "plc"},
    {"public co ltd", "plc"}, {"public company", "plc"},
    {"inc", "corp"}, {"incorporated", "corp"}, {"corp", "corp"}, {"corporation", "corp"},
    {"corpn", "corp"},
    {"co", "co"}, {"company", "co"}, {"cos", "co"}, {"companies", "co"}, {"gong si", "co"},
    {"gongsi", "co"}, {"sharikat", "co"}, {"shirkat", "co"}, {"sherkat", "co"},
    {"nv", "nv"}, {"naamloze vennootschap", "nv"}, {"bv", "bv"},
    {"besloten vennootschap", "bv"},
    {"kk", "kk"}, {"kabushiki kaisha", "kk"}, {"kabushikigaisha", "kk"},
    {"lp", "lp"}, {"llp", "lp"}, {"kg", "kg"}, {"gmbh co kg", "kg"}, {"ohg", "kg"},
    {"fze", "fze"}, {"fzco", "fze"}, {"fzc", "fze"}, {"fzllc", "fze"}, {"fz llc", "fze"},
    {"fzc llc", "fze"}, {"free zone establishment", "fze"}, {"free zone company", "fze"},
    {"pt", "pt"}, {"perseroan terbatas", "pt"},
};

/* Families of canonical codes: codes in one family do not conflict. */
static const char *const legal_families[][8] = {
    {"ltd", "pteltd", "ptyltd", "sdnbhd", "llc", "gmbh", "bv", "pt"},
    {"jsc", "ag", "sa", "plc", "bhd", "nv", "kk", NULL},
    {"corp", "co", "ltd", "inc", NULL},
    {"lp", "kg", NULL},
    {"fze", "llc", NULL},
};

/* Generic words of company names: weak evidence. */
static const char *const generic_words[] = {
    "and", "associates", "branch", "center", "centre", "commercial", "company", "development",
    "engineering", "enterprise", "establishment", "export", "exporter", "exports",
    "factory", "general", "global", "group", "holding", "import", "importer", "imports",
    "industrial", "industry", "international", "investment", "jituan", "ji", "tuan",
    "logistic", "management", "manufacturing", "maoyi", "network", "office", "partner",
    "product", "resource", "service", "shiye", "solution", "system", "technology", "trade",
    "trader", "trading", "kuai", "keji", "worldwide",
};

/* Words dropped from company names ("&" reads "and"). */
static const char *const company_stop[] = {
    "a", "and", "da", "das", "de", "del", "della", "des", "di", "do", "dos", "du", "e",
    "el", "et", "for", "in", "la", "le", "les", "of", "the", "und", "y",
};

/* Person particles: kept, weighted low. */
static const char *const person_particles[] = {
    "ab", "al", "ap", "ben", "bin", "binti", "bint", "da", "das", "de", "del", "della", "den",
    "der", "des", "di", "do", "dos", "du", "el", "ibn", "la", "le", "mac", "ould", "st", "te",
    "ten", "ter", "van", "ver", "von", "y", "and",
};

/* Titles and honorifics dropped from person names. */
static const char *const person_titles[] = {
    "dr", "hadji", "haji", "hajji", "maulana", "maulvi", "miss", "mr", "mrs", "ms", "mullah",
    "prof", "sayed", "sayyid", "shaikh", "shaykh", "sheikh", "sir",
};

/* Abbreviations and their full form (applied to company names). */
static const char *const abbrevs[][2] = {
    {"assn", "association"}, {"assoc", "association"}, {"bros", "brothers"},
    {"centre", "center"}, {"chem", "chemical"}, {"constr", "construction"},
    {"ctr", "center"}, {"dept", "department"}, {"dev", "development"},
    {"elec", "electric"}, {"eng", "engineering"}, {"engg", "engineering"},
    {"equip", "equipment"}, {"exp", "export"}, {"grp", "group"}, {"hldg", "holding"},
    {"hldgs", "holding"}, {"imp", "import"}, {"ind", "industry"}, {"inds", "industry"},
    {"indus", "industry"}, {"inst", "institute"}, {"intl", "international"},
    {"invt", "investment"}, {"mach", "machinery"}, {"mfg", "manufacturing"},
    {"mgmt", "management"}, {"mfr", "manufacturer"}, {"natl", "national"},
    {"pharma", "pharmaceutical"}, {"pharm", "pharmaceutical"}, {"sci", "science"},
    {"svc", "service"}, {"svcs", "service"}, {"tech", "technology"},
    {"univ", "university"},
};

/* Patronymic endings (Russian, Ukrainian, Turkic). */
static const char *const patronymic_ends[] = {
    "ovich", "evich", "ovych", "evych", "ovna", "evna", "ichna", "ogly", "oglu", "kyzy", "qizi",
};

/* Whether w[0..len) equals the C string s. */
static bool word_is(const char *w, size_t len, const char *s)
{
    return len && s[0] == w[0] && strlen(s) == len && memcmp(w, s, len) == 0;
}

/* Whether w[0..len) is in a list of C strings. */
static bool in_list(const char *w, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word_is(w, len, list[i]))
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Number of words of words[] (n given) matching the legal form text f. */
static size_t legal_span(const char *f, const char *const *words, const size_t *lens, size_t n)
{
    size_t k = 0;
    if (n == 0 || f[0] != words[0][0])
        return 0; /* most forms fail here, cheaply */
    while (*f) {
        const char *e = strchr(f, ' ');
        size_t fl = e ? (size_t)(e - f) : strlen(f);
        if (k >= n || lens[k] != fl || memcmp(words[k], f, fl) != 0)
            return 0;
        k++;
        f += fl + (e ? 1 : 0);
    }
    return k;
}

size_t nm_legal_match(const char *const *words, const size_t *lens, size_t n, const char **canon)
{
    size_t best = 0;
    for (size_t i = 0; i < COUNT(legal_forms); i++) {
        size_t k = legal_span(legal_forms[i].words, words, lens, n);
        if (k > best) {
            best = k;
            *canon = legal_forms[i].canon;
        }
    }
    return best;
}

bool nm_legal_same_family(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    for (size_t i = 0; i < COUNT(legal_families); i++) {
        bool ha = false, hb = false;
        for (size_t j = 0; j < 8 && legal_families[i][j]; j++) {
            ha |= strcmp(legal_families[i][j], a) == 0;
            hb |= strcmp(legal_families[i][j], b) == 0;
        }
        if (ha && hb)
            return true;
    }
    return false;
}

/* Whether w ends like a patronymic. */
static bool is_patronymic(const char *w, size_t len)
{
    for (size_t i = 0; i < COUNT(patronymic_ends); i++) {
        size_t el = strlen(patronymic_ends[i]);
        if (len >= el + 3 && memcmp(w + len - el, patronymic_ends[i], el) == 0)
            return true;
    }
    return false;
}

int nm_word_class(const char *w, size_t len, rf_name_kind kind)
{
    if (kind == RF_NAME_PERSON) {
        if (in_list(w, len, person_titles, COUNT(person_titles)))
            return NM_TITLE;
        if (in_list(w, len, person_particles, COUNT(person_particles)))
            return RF_NCLASS_PARTICLE;
        if (len == 1 && w[0] >= 'a' && w[0] <= 'z')
            return RF_NCLASS_INITIAL;
        return is_patronymic(w, len) ? RF_NCLASS_PATRONYMIC : RF_NCLASS_WORD;
    }
    if (in_list(w, len, company_stop, COUNT(company_stop)))
        return NM_STOP;
    if (in_list(w, len, generic_words, COUNT(generic_words)))
        return RF_NCLASS_GENERIC;
    return RF_NCLASS_WORD;
}

const char *nm_abbrev(const char *w, size_t len)
{
    for (size_t i = 0; i < COUNT(abbrevs); i++)
        if (word_is(w, len, abbrevs[i][0]))
            return abbrevs[i][1];
    return NULL;
}

/* English number words and ordinals as the lists write them ("CETC
 * THIRTEEN", "fifth Shipyard"), their value, and whether they are tens that a
 * unit may follow ("twenty-four"). */
#define N(w, v, t) {w, sizeof w - 1, v, t}
static const struct { const char *w; size_t len; int v; bool tens; } numbers[] = {
    N("zero", 0, false), N("one", 1, false), N("two", 2, false), N("three", 3, false),
    N("four", 4, false), N("five", 5, false), N("six", 6, false), N("seven", 7, false),
    N("eight", 8, false), N("nine", 9, false), N("ten", 10, false), N("eleven", 11, false),
    N("twelve", 12, false), N("thirteen", 13, false), N("fourteen", 14, false),
    N("fifteen", 15, false), N("sixteen", 16, false), N("seventeen", 17, false),
    N("eighteen", 18, false), N("nineteen", 19, false), N("twenty", 20, true),
    N("thirty", 30, true), N("forty", 40, true), N("fifty", 50, true), N("sixty", 60, true),
    N("seventy", 70, true), N("eighty", 80, true), N("ninety", 90, true), N("first", 1, false),
    N("second", 2, false), N("third", 3, false), N("fourth", 4, false), N("fifth", 5, false),
    N("sixth", 6, false), N("seventh", 7, false), N("eighth", 8, false), N("ninth", 9, false),
    N("tenth", 10, false), N("eleventh", 11, false), N("twelfth", 12, false),
    N("thirteenth", 13, false), N("fourteenth", 14, false), N("fifteenth", 15, false),
    N("sixteenth", 16, false), N("seventeenth", 17, false), N("eighteenth", 18, false),
    N("nineteenth", 19, false), N("twentieth", 20, false), N("thirtieth", 30, false),
    N("fortieth", 40, false), N("fiftieth", 50, false),
};
#undef N

int nm_number_word(const char *w, size_t len, bool *tens)
{
    static _Thread_local unsigned short lens[26]; /* lengths of the words by first letter */
    static _Thread_local bool made;
    if (!made) {
        for (size_t i = 0; i < COUNT(numbers); i++)
            lens[numbers[i].w[0] - 'a'] |= (unsigned short)(1u << numbers[i].len);
        made = true;
    }
    if (len > 15 || w[0] < 'a' || w[0] > 'z' || !(lens[w[0] - 'a'] >> len & 1))
        return -1;
    for (size_t i = 0; i < COUNT(numbers); i++)
        if (numbers[i].len == len && memcmp(w, numbers[i].w, len) == 0) {
            *tens = numbers[i].tens;
            return numbers[i].v;
        }
    return -1;
}

/* bsearch comparison of a counted word against a table row. */
static int freq_cmp(const void *key, const void *row)
{
    const char *const *k = key;
    const nm_freq *r = row;
    return strcmp(*k, r->word);
}

float nm_word_weight(const char *w, size_t len)
{
    char buf[64];
    if (len >= sizeof buf)
        return 1.0f;
    memcpy(buf, w, len);
    buf[len] = 0;
    const char *k = buf;
    const nm_freq *r = bsearch(&k, nm_freq_table, nm_nfreq, sizeof *r, freq_cmp);
    if (!r)
        return 1.0f;
    double x = 1.4 - 0.2 * log((double)r->count);
    return (float)(x > 1.0 ? 1.0 : x < 0.2 ? 0.2 : x);
}

/* Whether c is a vowel or a semi-vowel for the skeleton. */
static bool skel_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 'w';
}

size_t nm_skeleton(const char *w, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 2 < cap; i++) {
        char c = w[i], prev = i ? w[i - 1] : 0;
        if (skel_vowel(c))
            continue;
        if (c == 'd' && i + 1 < len && (w[i + 1] == 'j' || w[i + 1] == 'z'))
            continue; /* dj, dzh: the j of French and Russian romanisations */
        if (c == 'z' && i + 1 < len && w[i + 1] == 'h') {
            c = 'j'; /* zh (BGN/PCGN) = j (French, ISO): "Ryzhkov" / "Ryjkov" */
        } else if (c == 'h' && prev && strchr("cskgztdp", prev))
            continue; /* digraphs: kh, sh, gh, th, dh, ph, zh, ch */
        if (c == 'c' || c == 'q')
            c = 'k';
        else if (c == 'z')
            c = 's';
        else if (c == 'p' && i + 1 < len && w[i + 1] == 'h')
            c = 'f';
        else if (c == 'x') {
            out[n++] = 'k';
            c = 's';
        }
        if (n && out[n - 1] == c)
            continue;
        out[n++] = c;
    }
    out[n] = 0;
    return n;
}

size_t nm_short_fold(const char *w, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        char c = w[i], next = i + 1 < len ? w[i + 1] : 0;
        if (c == 'z' && next == 'h')
            c = 'j', i++;
        else if ((c == 'e' && next == 'e') || c == 'y')
            c = 'i', i += c == 'e';
        else if (c == 'o' && next == 'o')
            c = 'u', i++;
        else if (c == 'w')
            c = 'v';
        if (n && out[n - 1] == c)
            continue;
        out[n++] = c;
    }
    out[n] = 0;
    return n;
}

int nm_edit_distance(const char *a, size_t na, const char *b, size_t nb, int max)
{
    if (na > 40 || nb > 40)
        return max + 1;
    if ((int)(na > nb ? na - nb : nb - na) > max)
        return max + 1;
    int d[41][41];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int rowmin = max + 1;
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[na][nb];
}

double nm_jaro_winkler(const char *a, size_t na, const char *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return na == nb ? 1.0 : 0.0;
    if (na > 128 || nb > 128)
        return 0.0;
    bool ma[128] = {0}, mb[128] = {0};
    size_t win = (na > nb ? na : nb) / 2, m = 0, t = 0;
    win = win ? win - 1 : 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > win ? i - win : 0, hi = i + win + 1 < nb ? i + win + 1 : nb;
        for (size_t j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = true;
                m++;
                break;
            }
    }
    if (m == 0)
        return 0.0;
    for (size_t i = 0, j = 0; i < na; i++) {
        if (!ma[i])
            continue;
        while (!mb[j])
            j++;
        t += a[i] != b[j++];
    }
    double md = (double)m;
    double jaro = (md / (double)na + md / (double)nb + (md - (double)t / 2.0) / md) / 3.0;
    size_t l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l])
        l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}
