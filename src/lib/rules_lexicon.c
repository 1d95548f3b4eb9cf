/* Lexicons and contexts: `lexicon NAME LANG [stem] { … }`, each entry compiled
 * to a piece of PCRE2 (docs/RULES.md, "Lexicons"). */
#include <ctype.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang_detect.h"
#include "rules_int.h"

#define LETTERS "[\\p{L}\\p{M}]*" /* the rest of a word after a prefix or stem */
/* The end of a word: no letter follows, or the entry ended with an apostrophe (n', l'). */
#define WORD_END "(?:(?<=['\\x{2019}])|(?![\\p{L}\\p{N}_]))"
/* The start of a word: no letter or digit before it. */
#define WORD_START "(?<![\\p{L}\\p{N}_])"
#define MIN_STEM 3                /* characters a stem keeps at least, else the word is exact */

/* Number of UTF-8 characters in s[0..n). */
static size_t u8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Append word w (n bytes) as a regex: escaped, and with its Snowball stem as a
 * prefix when stemming (the longest prefix the word shares with its stem). */
static void put_word(gbuf *b, const char *w, size_t n, bool prefix, struct sb_stemmer *st)
{
    size_t keep = n;
    if (st && !prefix) {
        char low[256];
        size_t ln = n < sizeof low ? n : sizeof low - 1;
        for (size_t i = 0; i < ln; i++)
            low[i] = (char)tolower((unsigned char)w[i]);
        const char *stem = (const char *)sb_stemmer_stem(st, (const unsigned char *)low, (int)ln);
        size_t sl = stem ? (size_t)sb_stemmer_length(st) : 0, c = 0;
        while (c < sl && c < ln && stem[c] == low[c])
            c++;
        while (c > 0 && c < ln && ((unsigned char)w[c] & 0xC0) == 0x80)
            c--; /* end on a character boundary */
        if (u8_chars(w, c) >= MIN_STEM) {
            keep = c;
            prefix = true;
        }
    }
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!isalnum(c) && c < 0x80)
            gbuf_put(b, "\\", 1);
        gbuf_put(b, (const char *)&w[i], 1);
    }
    if (prefix)
        gbuf_puts(b, LETTERS);
}

/* Append one entry (words joined by spaces or hyphens) as a regex. */
static void put_entry(gbuf *b, const char *e, bool prefix, struct sb_stemmer *st)
{
    size_t n = strlen(e);
    while (n && e[n - 1] == ' ')
        n--;
    if (n && e[n - 1] == '*') { /* "Pass*" written in quotes */
        prefix = true;
        n--;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && e[j] != ' ' && e[j] != '-')
            j++;
        if (j > i)
            put_word(b, e + i, j - i, prefix && j == n, st);
        i = j;
        if (i < n) {
            while (i < n && (e[i] == ' ' || e[i] == '-'))
                i++;
            gbuf_puts(b, "[\\s\\-]+");
        }
    }
}

/* The lexicon name@lang, or NULL. */
const lexicon *lexicon_find(const rf_ruleset *rs, const char *name, size_t len, int lang)
{
    for (size_t i = 0; i < rs->nlex; i++)
        if (rs->lex[i].lang == lang && strlen(rs->lex[i].name) == len &&
            memcmp(rs->lex[i].name, name, len) == 0)
            return &rs->lex[i];
    return NULL;
}

/* Parse the "{ entry [*], … }" of a lexicon into a regex alternation. */
static bool parse_entries(lexer *lx, lexicon *lex, struct sb_stemmer *st, gbuf *b)
{
    if (lx->tok.kind != TK_LBRACE)
        return lex_error(lx, "expected '{' to open the lexicon's entries");
    if (!lex_next(lx))
        return false;
    bool words = !lang_nospace(lex->lang);
    while (lx->tok.kind != TK_RBRACE) {
        bool suffix = lx->tok.kind == TK_STAR; /* *word: also at the end of a longer word */
        if (suffix && !lex_next(lx))
            return false;
        if (lx->tok.kind != TK_STRING && lx->tok.kind != TK_IDENT)
            return lex_error(lx, "expected an entry (a word or a \"phrase\") in lexicon '%s'",
                             lex->name);
        char *e = lx->tok.text ? strdup(lx->tok.text) : strndup(lx->tok.start, lx->tok.len);
        if (!e)
            return lex_error(lx, "out of memory");
        if (e[0] == '*' && !suffix) { /* "*word" written in quotes */
            suffix = true;
            memmove(e, e + 1, strlen(e));
        }
        if (!e[0] || e[0] == '*') {
            free(e);
            return lex_error(lx, "empty entry in lexicon '%s'", lex->name);
        }
        if (!lex_next(lx)) {
            free(e);
            return false;
        }
        bool prefix = lx->tok.kind == TK_STAR;
        if (lex->nentries++)
            gbuf_put(b, "|", 1);
        if (words && !suffix)
            gbuf_puts(b, WORD_START);
        put_entry(b, e, prefix, st);
        free(e);
        if (prefix && !lex_next(lx))
            return false;
        if (lx->tok.kind == TK_COMMA && !lex_next(lx))
            return false;
        else if (lx->tok.kind != TK_RBRACE && lx->tok.kind != TK_STRING &&
                 lx->tok.kind != TK_IDENT)
            return lex_error(lx, "expected ',' or '}' in lexicon '%s'", lex->name);
    }
    if (!lex->nentries)
        return lex_error(lx, "lexicon '%s' has no entries", lex->name);
    return !b->oom || lex_error(lx, "out of memory");
}

/* Parse "lexicon NAME LANG [stem] { … }" or "context …" at the keyword. */
bool rules_parse_lexicon(lexer *lx, rf_ruleset *rs, const char *file)
{
    bool context = lex_is_kw(lx, "context");
    if (!lex_next(lx) || lx->tok.kind != TK_IDENT)
        return lx->diag->msg[0] ? false : lex_error(lx, "expected a name after '%s'",
                                                    context ? "context" : "lexicon");
    char *name = rs_own(rs, strndup(lx->tok.start, lx->tok.len));
    if (!name || !lex_next(lx))
        return name ? false : lex_error(lx, "out of memory");
    int lang = lx->tok.kind == TK_IDENT ? lang_lookup(lx->tok.start, lx->tok.len) : 0;
    if (!lang)
        return lex_error(lx, "expected a language code after '%s' (one of %s)", name,
                         lang_codes());
    const lexicon *old = lexicon_find(rs, name, strlen(name), lang);
    if (old)
        return lex_error(lx, "lexicon '%s' %s is declared twice (first at %s:%d)", name,
                         lang_code(lang), old->file, old->line);
    lexicon lex = {.name = name, .lang = lang, .context = context, .file = file,
                   .line = lx->tok.line};
    if (!lex_next(lx))
        return false;
    struct sb_stemmer *st = NULL;
    if (lex_is_kw(lx, "stem")) {
        if (!(st = sb_stemmer_new(lang_code(lang), "UTF_8")))
            return lex_error(lx, "no Snowball stemmer for '%s': write the forms (or Word*)",
                             lang_code(lang));
        if (!lex_next(lx)) {
            sb_stemmer_delete(st);
            return false;
        }
    }
    gbuf b = {0};
    bool ok = parse_entries(lx, &lex, st, &b);
    sb_stemmer_delete(st);
    if (!ok) {
        free(b.p);
        return false;
    }
    lexicon *l = realloc(rs->lex, (rs->nlex + 1) * sizeof *l);
    if (!l) {
        free(b.p);
        return lex_error(lx, "out of memory");
    }
    if (!(lex.alt = rs_own(rs, b.p))) /* rs_own frees b.p when it fails */
        return lex_error(lx, "out of memory");
    rs->lex = l;
    rs->lex[rs->nlex++] = lex;
    return lex_next(lx);
}

/* Append the regex of lexicon lx for its language: caseless, between word
 * boundaries unless the language is written without spaces. */
static void put_lexicon(gbuf *b, const lexicon *lx)
{
    bool words = !lang_nospace(lx->lang);
    gbuf_puts(b, "(?i:(?:"); /* each entry has its own word start (parse_entries) */
    gbuf_puts(b, lx->alt);
    gbuf_puts(b, words ? ")" WORD_END ")" : "))");
}

/* Append @name for lang (every language's entries for lang 0); false when
 * the lexicon has no entries in lang. */
bool render_lexicon(const rf_ruleset *rs, const char *name, size_t len, int lang, gbuf *b)
{
    if (lang) {
        const lexicon *lx = lexicon_find(rs, name, len, lang);
        if (lx)
            put_lexicon(b, lx);
        return lx != NULL;
    }
    size_t n = 0;
    gbuf_puts(b, "(?:");
    for (size_t i = 0; i < rs->nlex; i++)
        if (strlen(rs->lex[i].name) == len && memcmp(rs->lex[i].name, name, len) == 0) {
            if (n++)
                gbuf_puts(b, "|");
            put_lexicon(b, &rs->lex[i]);
        }
    gbuf_puts(b, ")");
    return n > 0;
}

/* Append a "phrase" for lang: one caseless entry between word boundaries. */
void render_phrase(const char *phrase, int lang, gbuf *b)
{
    bool words = !lang_nospace(lang);
    gbuf_puts(b, words ? "(?i:(?<![\\p{L}\\p{N}_])" : "(?i:");
    put_entry(b, phrase, false, NULL);
    gbuf_puts(b, words ? WORD_END ")" : ")");
}

/* Whether a lexicon of this name exists in some language. */
bool lexicon_exists(const rf_ruleset *rs, const char *name, size_t len)
{
    for (size_t i = 0; i < rs->nlex; i++)
        if (strlen(rs->lex[i].name) == len && memcmp(rs->lex[i].name, name, len) == 0)
            return true;
    return false;
}
