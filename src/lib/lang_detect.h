/* Languages of the rule language and their detection (private; docs/RULES.md,
 * "Languages").
 *
 * A language is detected per sentence from its script (Han, Kana, Hangul,
 * Thai, Arabic, Cyrillic, Greek, Devanagari, Bengali, Hebrew) and, for
 * scripts many languages share (Latin, Cyrillic), from the share of its most
 * frequent function words ("stop words"). Audit notes and declarations are
 * short: a sentence with no stop word of any language counts as every language
 * of its script, so an undecided sentence is read by all their lexicons (a
 * wrong "clean" is the worse failure). A value's languages are the union of its
 * sentences' languages: a record may mix languages. */
#ifndef REDFLAG_LANG_DETECT_H
#define REDFLAG_LANG_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Language ids are 1..lang_count(); bit id of a mask is that language. Id 0
 * means "every text" (a pattern without lexicons). */
typedef uint64_t langmask;

/* Number of known languages. */
int lang_count(void);
/* The id of ISO 639-1 code (e.g. "de"), or 0 when unknown. */
int lang_lookup(const char *code, size_t len);
/* The ISO 639-1 code of id ("*" for 0). */
const char *lang_code(int id);
/* Whether the language is written without spaces between words (zh, ja, th):
 * its lexicon entries match without word boundaries. */
bool lang_nospace(int id);
/* Whether the language is written in the Latin script (it may occur in ASCII text). */
bool lang_latin(int id);
/* A comma-separated list of the known codes, for messages. */
const char *lang_codes(void);
/* The languages of text t (len bytes of valid UTF-8), one sentence at a time. */
langmask lang_detect(const char *t, size_t len);

#endif
