/* The rule-file lexer: identifiers, $vars, strings, numbers, /regex/, {json}. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules_int.h"

/* Start lexing src (len bytes) of file; diag receives the first error. */
void lex_init(lexer *lx, const char *file, const char *src, size_t len, rf_diag *diag)
{
    memset(lx, 0, sizeof *lx);
    lx->file = file;
    lx->src = lx->p = lx->line_start = src;
    lx->end = src + len;
    lx->line = 1;
    lx->diag = diag;
}

/* Release the current token's decoded text. */
void lex_free(lexer *lx)
{
    free(lx->tok.text);
    lx->tok.text = NULL;
}

/* Record an error at the current token position. */
bool lex_error(lexer *lx, const char *fmt, ...)
{
    rf_diag *d = lx->diag;
    if (!d || d->msg[0])
        return false;
    snprintf(d->file, sizeof d->file, "%s", lx->file);
    d->line = lx->tok.line ? lx->tok.line : lx->line;
    d->col = lx->tok.col ? lx->tok.col : (int)(lx->p - lx->line_start) + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return false;
}

/* Describe a token for an error message. */
const char *tok_describe(const token *t, char *buf, size_t n)
{
    switch (t->kind) {
    case TK_EOF: return "end of file";
    case TK_STRING: return "a string";
    case TK_NUMBER: snprintf(buf, n, "number '%.*s'", (int)t->len, t->start); return buf;
    default: break;
    }
    int len = t->len > 40 ? 40 : (int)t->len;
    snprintf(buf, n, "'%.*s'", len, t->start);
    return buf;
}

/* Skip blanks, newlines and # comments, keeping line and column. */
static void skip_space(lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '\n') {
            lx->line++;
            lx->line_start = ++lx->p;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            lx->p++;
        } else if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else {
            break;
        }
    }
}

/* Begin a token of kind k at the current position. */
static void tok_begin(lexer *lx, tok_kind k)
{
    lex_free(lx);
    lx->tok.kind = k;
    lx->tok.line = lx->line;
    lx->tok.col = (int)(lx->p - lx->line_start) + 1;
    lx->tok.start = lx->p;
    lx->tok.len = 0;
    lx->tok.flags[0] = '\0';
}

/* Whether c may continue an identifier (dotted paths included; bytes of
 * non-ASCII letters too, so lexicon entries such as Ausweispapiere or Pässe
 * need no quotes). */
static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == ':' ||
           (unsigned char)c >= 0x80;
}

/* Decode a "..." string with \" \\ \n \t escapes into tok.text. */
static bool lex_string(lexer *lx)
{
    const char *p = lx->p + 1;
    char *out = malloc((size_t)(lx->end - p) + 1), *o = out;
    if (!out)
        return lex_error(lx, "out of memory");
    for (; p < lx->end && *p != '"' && *p != '\n'; p++) {
        if (*p == '\\' && p + 1 < lx->end) {
            p++;
            *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    lx->tok.text = out;
    if (p >= lx->end || *p != '"')
        return lex_error(lx, "unterminated string (a string ends with \" on the same line)");
    lx->p = p + 1;
    lx->tok.len = (size_t)(lx->p - lx->tok.start);
    return true;
}

/* Read a number such as 550000, 0.5 or 1e3. */
static bool lex_number(lexer *lx)
{
    char *endp;
    lx->tok.num = strtod(lx->p, &endp);
    if (endp == lx->p)
        return lex_error(lx, "invalid number");
    lx->p = endp;
    lx->tok.len = (size_t)(lx->p - lx->tok.start);
    return true;
}

/* Read one- and two-character operators. */
static bool lex_operator(lexer *lx)
{
    static const struct { const char *s; tok_kind k; } ops[] = {
        {"<=", TK_LE}, {">=", TK_GE}, {"==", TK_EQ}, {"!=", TK_NE}, {"<", TK_LT}, {">", TK_GT},
        {"=", TK_ASSIGN}, {"{", TK_LBRACE}, {"}", TK_RBRACE}, {"(", TK_LPAREN},
        {")", TK_RPAREN}, {",", TK_COMMA}, {"+", TK_PLUS}, {"-", TK_MINUS}, {"*", TK_STAR},
        {"/", TK_SLASH},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].s);
        if ((size_t)(lx->end - lx->p) >= n && memcmp(lx->p, ops[i].s, n) == 0) {
            lx->tok.kind = ops[i].k;
            lx->p += n;
            lx->tok.len = n;
            return true;
        }
    }
    lx->tok.kind = TK_ERROR;
    lx->tok.len = 1;
    return lex_error(lx, "unexpected character '%c'", *lx->p);
}

/* Advance to the next token. */
bool lex_next(lexer *lx)
{
    skip_space(lx);
    tok_begin(lx, TK_EOF);
    if (lx->p >= lx->end)
        return true;
    char c = *lx->p;
    if (c == '"') {
        lx->tok.kind = TK_STRING;
        return lex_string(lx);
    }
    if (isdigit((unsigned char)c) ||
        (c == '.' && lx->p + 1 < lx->end && isdigit((unsigned char)lx->p[1]))) {
        lx->tok.kind = TK_NUMBER;
        return lex_number(lx);
    }
    if (c == '$' || c == '@' || isalpha((unsigned char)c) || c == '_' ||
        (unsigned char)c >= 0x80) {
        lx->tok.kind = c == '$' ? TK_VAR : c == '@' ? TK_CONCEPT : TK_IDENT;
        lx->p++;
        while (lx->p < lx->end && ident_char(*lx->p))
            lx->p++;
        lx->tok.len = (size_t)(lx->p - lx->tok.start);
        if (lx->tok.kind != TK_IDENT && lx->tok.len == 1)
            return lex_error(lx, "expected a name after '%c'", c);
        return true;
    }
    return lex_operator(lx);
}

/* Whether the current token is the identifier kw. */
bool lex_is_kw(const lexer *lx, const char *kw)
{
    return lx->tok.kind == TK_IDENT && lx->tok.len == strlen(kw) &&
           memcmp(lx->tok.start, kw, lx->tok.len) == 0;
}

/* Read "/N" directly after the current token (near/8). */
bool lex_slash_number(lexer *lx, int *n)
{
    if (lx->p + 1 >= lx->end || *lx->p != '/' || !isdigit((unsigned char)lx->p[1]))
        return false;
    char *endp;
    long v = strtol(lx->p + 1, &endp, 10);
    if (v < 0 || v > 50)
        return false;
    lx->p = endp;
    lx->tok.len = (size_t)(lx->p - lx->tok.start);
    *n = (int)v;
    return true;
}

/* Peek at the next non-blank character. */
bool lex_peek_char(lexer *lx, char c)
{
    skip_space(lx);
    return lx->p < lx->end && *lx->p == c;
}

/* Read /regex/flags; a '\/' inside stands for '/'. */
bool lex_regex(lexer *lx)
{
    skip_space(lx);
    tok_begin(lx, TK_REGEX);
    if (lx->p >= lx->end || *lx->p != '/')
        return lex_error(lx, "expected a /pattern/");
    const char *p = lx->p + 1;
    char *out = malloc((size_t)(lx->end - p) + 1), *o = out;
    if (!out)
        return lex_error(lx, "out of memory");
    lx->tok.text = out;
    for (; p < lx->end && *p != '/' && *p != '\n'; p++) {
        if (*p == '\\' && p + 1 < lx->end && p[1] == '/')
            p++;
        else if (*p == '\\' && p + 1 < lx->end && p[1] != '\n')
            *o++ = *p++;
        *o++ = *p;
    }
    *o = '\0';
    if (p >= lx->end || *p != '/')
        return lex_error(lx, "unterminated pattern (a pattern ends with / on the same line)");
    p++;
    size_t nf = 0;
    while (p < lx->end && isalpha((unsigned char)*p)) {
        if (!strchr("ismx", *p) || nf + 1 >= sizeof lx->tok.flags)
            return lex_error(lx, "unknown pattern flag '%c' (expected i, s, m or x)", *p);
        lx->tok.flags[nf++] = *p++;
    }
    lx->tok.flags[nf] = '\0';
    lx->p = p;
    lx->tok.len = (size_t)(p - lx->tok.start);
    return true;
}

/* Read a balanced {…} object, skipping over JSON strings. */
bool lex_json(lexer *lx)
{
    skip_space(lx);
    tok_begin(lx, TK_JSON);
    int depth = 0;
    bool in_str = false;
    const char *p = lx->p;
    for (; p < lx->end && *p != '\n'; p++) {
        if (in_str) {
            if (*p == '\\' && p + 1 < lx->end)
                p++;
            else if (*p == '"')
                in_str = false;
        } else if (*p == '"') {
            in_str = true;
        } else if (*p == '{') {
            depth++;
        } else if (*p == '}' && --depth == 0) {
            break;
        }
    }
    if (p >= lx->end || *p != '}')
        return lex_error(lx, "unterminated JSON example (it must close on the same line)");
    size_t n = (size_t)(p + 1 - lx->p);
    lx->tok.text = strndup(lx->p, n);
    if (!lx->tok.text)
        return lex_error(lx, "out of memory");
    lx->p = p + 1;
    lx->tok.len = n;
    return true;
}
