/* redflag — name matching: normalisation, similarity, explanation, index keys.
 *
 * Two names of a kind (company or person) are normalised (Unicode NFKC with
 * case folding, transliteration of Cyrillic, Greek, Arabic and Han to Latin,
 * accents stripped, punctuation and spacing folded, legal forms canonicalised
 * across languages) and compared token by token, weighting each token by how
 * specific it is. docs/MATCHING.md describes the method, the tables and the
 * threshold.
 *
 * Nothing here allocates on the heap except the per-thread ICU objects used
 * for non-ASCII names (made on first use, one set per thread, released by
 * rf_name_thread_cleanup()). Every function is safe to call from several
 * threads at once. The library never prints. */
#ifndef REDFLAG_NAME_H
#define REDFLAG_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include "redflag/common.h"

typedef enum rf_name_kind { RF_NAME_COMPANY = 0, RF_NAME_PERSON = 1 } rf_name_kind;

/* Default decision threshold: a score at or above it is a match. Chosen on
 * the tuning part of bench/names/pairs.jsonl (docs/MATCHING.md). */
#define RF_NAME_THRESHOLD 0.80

#define RF_NAME_TEXT_MAX 256 /* normalised text, bytes with the NUL */
#define RF_NAME_TOKENS_MAX 24

/* What a normalised token is, which decides its weight. */
typedef enum rf_name_class {
    RF_NCLASS_WORD = 0,  /* distinctive word */
    RF_NCLASS_GENERIC,   /* group, holding, trading, technology, …: weak */
    RF_NCLASS_LEGAL,     /* canonical legal form (ltd, llc, jsc, …): weakest */
    RF_NCLASS_PARTICLE,  /* person particles: al, bin, van, de, … */
    RF_NCLASS_INITIAL,   /* a single letter of a person's name */
    RF_NCLASS_PATRONYMIC /* -ovich, -ovna, ogly, … */
} rf_name_class;

typedef struct rf_name_token {
    unsigned short off, len; /* in rf_name_norm.text */
    unsigned char cls;       /* rf_name_class */
    float weight;            /* specificity, 0..1 */
} rf_name_token;

/* A normalised name. Plain data: copy it, keep it, compare it many times. */
typedef struct rf_name_norm {
    rf_name_kind kind;
    char text[RF_NAME_TEXT_MAX]; /* tokens joined by one space, NUL-terminated */
    rf_name_token tok[RF_NAME_TOKENS_MAX];
    size_t ntok;
    char legal[16];     /* canonical legal form of the name ("ltd", "llc", …) or "" */
    char initials[16];  /* first letters of the written words (acronym check) */
    bool translit;      /* a non-Latin script was transliterated */
    bool truncated;     /* the name was longer than the limits above */
} rf_name_norm;

/* Normalise name[0..len) (UTF-8; len may be (size_t)-1 for a C string).
 * RF_EINVAL for NULL arguments or invalid UTF-8; RF_ENOMEM when the ICU
 * transliterators cannot be made. A name with no letters or digits gives
 * ntok 0 and RF_OK. */
RF_API int rf_name_normalize(const char *name, size_t len, rf_name_kind kind,
                             rf_name_norm *out);

/* The parts of a score, for people and for the `compare` / `lookup` output. */
typedef struct rf_name_explain {
    rf_name_kind kind;
    char norm_a[RF_NAME_TEXT_MAX], norm_b[RF_NAME_TEXT_MAX]; /* normalised forms */
    char legal_a[16], legal_b[16];     /* canonical legal forms, "" when none */
    char shared[RF_NAME_TEXT_MAX];     /* matched tokens; fuzzy pairs as "a~b" */
    char only_a[RF_NAME_TEXT_MAX];     /* tokens of a left unmatched */
    char only_b[RF_NAME_TEXT_MAX];
    double token_sim;   /* weighted token-set similarity (Dice over weights), 0..1 */
    double cover_sim;   /* share of the shorter name's weight that matched, 0..1 */
    double char_sim;    /* Jaro-Winkler of the distinctive tokens, joined, 0..1 */
    double penalty;     /* subtracted for unmatched distinctive tokens */
    double legal_adj;   /* added for legal-form agreement (+) or conflict (-) */
    double party_adj;   /* identifier / country adjustment (rf_name_match_party) */
    const char *rule;   /* what decided: "tokens", "acronym", "identifier", "empty" */
    double score;       /* the final score, 0..1 */
    bool match;         /* score >= RF_NAME_THRESHOLD */
} rf_name_explain;

/* Similarity of two names of a kind, 0..1. ex may be NULL; when given it is
 * filled. Invalid UTF-8 or an empty name scores 0 (ex->rule "empty"). */
RF_API double rf_name_compare(const char *a, const char *b, rf_name_kind kind,
                              rf_name_explain *ex);

/* The same on names already normalised (an index keeps them). */
RF_API double rf_name_compare_norm(const rf_name_norm *a, const rf_name_norm *b,
                                   rf_name_explain *ex);

/* One identifier of a party: scheme ("lei", "duns", "vat", "imo", "uid", …,
 * any case) and value (compared on letters and digits, case-insensitively). */
typedef struct rf_name_ident {
    const char *scheme;
    const char *value;
} rf_name_ident;

/* What a party may be, as a set of bits (RF_PARTY_ORG | RF_PARTY_PERSON: a
 * supplier whose name has no legal form may be a sole trader). 0: anything.
 * Entries of a kind outside the set never match the party by name (an
 * identifier still does). Bit i is rf_entity_kind i of feed.h. */
enum {
    RF_PARTY_ORG = 1u << 1,      /* company, organisation, public body */
    RF_PARTY_PERSON = 1u << 2,
    RF_PARTY_VESSEL = 1u << 3,
    RF_PARTY_AIRCRAFT = 1u << 4
};

/* A party to compare: a name, its kind, its countries (alpha-2) and ids. */
typedef struct rf_name_party {
    const char *name;
    rf_name_kind kind;           /* how the name is read (company or person rules) */
    const char *const *countries;
    size_t ncountries;
    const rf_name_ident *ids;
    size_t nids;
    unsigned kinds;              /* RF_PARTY_* bits the party may be; 0 anything */
} rf_name_party;

/* "organisation" (or "company"), "person", "vessel", "aircraft" → RF_PARTY_* bit;
 * 0 when unknown. */
RF_API unsigned rf_name_party_kind_parse(const char *s);

/* Compare two parties: an identifier of the same scheme and value on both
 * sides makes the score 1 (rule "identifier"); the same strong scheme (lei,
 * imo, duns) with different values multiplies the name score by 0.8; both
 * sides having countries with none in common multiplies it by 0.9.
 * ex may be NULL. */
RF_API double rf_name_match_party(const rf_name_party *a, const rf_name_party *b,
                                  rf_name_explain *ex);

/* Whether two identifiers are the same: the same scheme (any case) and the
 * same letters and digits, at least one (placeholders such as "-" never are). */
RF_API bool rf_name_ident_same(const rf_name_ident *x, const rf_name_ident *y);

/* Whether a scheme names one entity worldwide (lei, imo, duns): two values
 * of it are two entities. */
RF_API bool rf_name_ident_strong(const char *scheme);

/* The identifier and country part of rf_name_match_party(), for a caller that
 * scored the names itself (rf_name_compare_norm on names it normalised once):
 * returns the party score and completes ex (which must hold the name score's
 * explanation). a->name and b->name are not read. */
RF_API double rf_name_party_adjust(const rf_name_party *a, const rf_name_party *b, double name,
                                   rf_name_explain *ex);

/* Write ex as one JSON object (no newline) into buf[0..cap). Returns the
 * length it needs, as snprintf does; the output is cut when cap is short. */
RF_API size_t rf_name_explain_json(const rf_name_explain *ex, char *buf, size_t cap);

/* Kinds of retrieval keys (docs/MATCHING.md "Keys"). */
typedef enum rf_name_key_class {
    RF_NKEY_TOKEN = 0, /* "w:" a distinctive token */
    RF_NKEY_JOINED,    /* "j:" two adjacent distinctive tokens glued (spacing variants) */
    RF_NKEY_PHONETIC,  /* "p:" consonant skeleton of a distinctive token */
    RF_NKEY_DELETE,    /* "d:" a distinctive token with one letter deleted (typos) */
    RF_NKEY_NAME,      /* "n:" the whole normalised name, tokens sorted */
    RF_NKEY_ACRONYM    /* "a:" a name's initials, or a one-word name (an acronym) */
} rf_name_key_class;

/* Called once per key: key[0..len) (not NUL-terminated; valid only during
 * the call), its class and weight (0..1: higher is more specific, so fewer
 * entities share it). Return non-zero to stop; that value is returned. */
typedef int (*rf_name_key_cb)(const char *key, size_t len, rf_name_key_class cls,
                              double weight, void *ud);

/* The retrieval keys of a name (distinct; at most RF_NAME_KEYS_MAX). Generic
 * words and legal forms never give a key alone; a name made only of them
 * gives its "n:" key. RF_EINVAL / RF_ENOMEM as rf_name_normalize. */
#define RF_NAME_KEYS_MAX 96
RF_API int rf_name_keys(const char *name, rf_name_kind kind, rf_name_key_cb cb, void *ud);
/* The same for a name already normalised. */
RF_API int rf_name_keys_norm(const rf_name_norm *n, rf_name_key_cb cb, void *ud);

/* "company" / "person" → kind; -1 when unknown. */
RF_API int rf_name_kind_parse(const char *s);

/* Release this thread's ICU transliterators (they are remade on next use). */
RF_API void rf_name_thread_cleanup(void);

#endif
