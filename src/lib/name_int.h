/* Internal interface of the name matcher (name_*.c): tables, transliteration,
 * token similarity. Not installed. */
#ifndef REDFLAG_NAME_INT_H
#define REDFLAG_NAME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/name.h"

#define NM_BUF 1024 /* working buffer for one name after transliteration */
#define NM_RARE 0.9 /* weight from which a word is rare (on a handful of listed names) */

/* Word classes that never reach a token: dropped words. */
enum { NM_STOP = 100, NM_TITLE = 101 };

/* A legal form written as words ("co ltd") and its canonical code ("ltd"). */
typedef struct nm_legal {
    const char *words;
    const char *canon;
} nm_legal;

/* Fold name[0..len) to lower-case ASCII in out[0..cap) (NUL-terminated):
 * NFKC + case folding, non-Latin scripts transliterated, accents stripped.
 * *translit says whether a non-Latin script was met. RF_OK, RF_EINVAL
 * (invalid UTF-8), RF_ENOMEM (ICU objects could not be made). */
int nm_fold(const char *name, size_t len, char *out, size_t cap, bool *translit);

/* Longest legal form starting at words[0] (n words available): returns the
 * number of words it spans (0 when none) and sets *canon. */
size_t nm_legal_match(const char *const *words, const size_t *lens, size_t n,
                      const char **canon);
/* Whether a canonical legal code names a form in the same family as another. */
bool nm_legal_same_family(const char *a, const char *b);
/* The class of one word for a kind: RF_NCLASS_*, NM_STOP or NM_TITLE. */
int nm_word_class(const char *w, size_t len, rf_name_kind kind);
/* The full form of an abbreviation ("intl" -> "international"), or NULL. */
const char *nm_abbrev(const char *w, size_t len);
/* The value of an English number word or ordinal ("thirteen", "fifth"), or
 * -1; *tens says whether a unit may follow it ("twenty" "four"). */
int nm_number_word(const char *w, size_t len, bool *tens);
/* Specificity of a word from its frequency in the bundled lists (0.3..1). */
float nm_word_weight(const char *w, size_t len);
/* Consonant skeleton of a word (phonetic key); returns its length. */
size_t nm_skeleton(const char *w, size_t len, char *out, size_t cap);
/* A short word with its vowels kept and transliteration variants folded
 * (zh → j, ee → i, y → i, oo → u, w → v, doubled letters once): "See" / "Si",
 * "Ali" / "Aly". Returns its length. */
size_t nm_short_fold(const char *w, size_t len, char *out, size_t cap);
/* Damerau-Levenshtein distance of two short words, stopping above max. */
int nm_edit_distance(const char *a, size_t na, const char *b, size_t nb, int max);
/* Jaro-Winkler similarity of two byte strings, 0..1. */
double nm_jaro_winkler(const char *a, size_t na, const char *b, size_t nb);

/* The word counts generated into name_freq.c (sorted by word). */
typedef struct nm_freq {
    const char *word;
    unsigned count;
} nm_freq;
extern const nm_freq nm_freq_table[];
extern const size_t nm_nfreq;

#endif
