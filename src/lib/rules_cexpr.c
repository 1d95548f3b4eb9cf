/* Concept expressions of `match`: parsing, rendering to PCRE2 per language,
 * and compiling each pattern's variants (docs/RULES.md, "Lexicons"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang_detect.h"
#include "rules_int.h"

#define MAX_REFS 16 /* lexicons one pattern may name */

/* Free a concept expression. */
void cexpr_free(cexpr *e)
{
    if (!e)
        return;
    cexpr_free(e->l);
    cexpr_free(e->r);
    pcre2_code_free(e->pre);
    free(e->text);
    free(e);
}

/* A new node of kind k at the current token. */
static cexpr *node(lexer *lx, cexpr_kind k)
{
    cexpr *e = calloc(1, sizeof *e);
    if (!e) {
        lex_error(lx, "out of memory");
        return NULL;
    }
    e->k = k;
    e->line = lx->tok.line;
    e->col = lx->tok.col;
    return e;
}

/* Compile a plain regex (one naming no lexicon) now, so its errors point at the
 * column; the code is kept for the pattern's variant. */
static bool check_regex(lexer *lx, cexpr *e)
{
    if (strchr(e->text, '@'))
        return true; /* checked once its lexicons are known (rules_build_patterns) */
    uint32_t opts = PCRE2_UTF;
    for (const char *f = e->flags; *f; f++)
        opts |= *f == 'i' ? PCRE2_CASELESS : *f == 's' ? PCRE2_DOTALL
              : *f == 'm' ? PCRE2_MULTILINE : PCRE2_EXTENDED;
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)e->text, PCRE2_ZERO_TERMINATED, opts, &err, &off,
                                   NULL);
    if (re) {
        e->pre = re;
        return true;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    lx->tok.col += 1 + (int)off;
    return lex_error(lx, "invalid pattern: %s", (char *)msg);
}

/* Parse one operand: /regex/flags (when regex_next), @lexicon or "phrase". */
cexpr *rules_parse_operand(lexer *lx, rf_ruleset *rs, bool regex_next)
{
    (void)rs;
    cexpr *e = NULL;
    if (regex_next) {
        if (!lex_regex(lx) || !(e = node(lx, CE_REGEX)))
            return NULL;
        e->text = strdup(lx->tok.text);
        memcpy(e->flags, lx->tok.flags, sizeof e->flags);
        if (!e->text || !check_regex(lx, e)) {
            if (!e->text)
                lex_error(lx, "out of memory");
            cexpr_free(e);
            return NULL;
        }
    } else {
        if (!lex_next(lx))
            return NULL;
        if (lx->tok.kind != TK_CONCEPT && lx->tok.kind != TK_STRING) {
            char b[64];
            lex_error(lx, "expected a /pattern/, an @lexicon or a \"phrase\", got %s",
                      tok_describe(&lx->tok, b, sizeof b));
            return NULL;
        }
        if (!(e = node(lx, lx->tok.kind == TK_CONCEPT ? CE_LEX : CE_STR)))
            return NULL;
        e->text = e->k == CE_LEX ? strndup(lx->tok.start + 1, lx->tok.len - 1)
                                 : strdup(lx->tok.text);
        if (!e->text || (e->k == CE_STR && !e->text[0])) {
            lex_error(lx, e->text ? "empty phrase" : "out of memory");
            cexpr_free(e);
            return NULL;
        }
    }
    if (!lex_next(lx)) {
        cexpr_free(e);
        return NULL;
    }
    return e;
}

/* Make every near of e keep its gap within one clause. */
static void set_clause(cexpr *e)
{
    if (e && e->k == CE_NEAR) {
        e->clause = true;
        set_clause(e->l);
        set_clause(e->r);
    }
}

/* Parse OPERAND { (near|then)/N OPERAND } [within sentence|clause]. */
cexpr *rules_parse_cexpr(lexer *lx, rf_ruleset *rs, bool regex_next)
{
    cexpr *l = rules_parse_operand(lx, rs, regex_next);
    while (l && (lex_is_kw(lx, "near") || lex_is_kw(lx, "then"))) {
        cexpr *n = node(lx, CE_NEAR);
        if (!n) {
            cexpr_free(l);
            return NULL;
        }
        n->ordered = lex_is_kw(lx, "then");
        n->l = l;
        l = n;
        if (!lex_slash_number(lx, &n->n)) {
            lex_error(lx, "expected /N (0 to 50 words) right after '%s', e.g. near/8",
                      n->ordered ? "then" : "near");
            cexpr_free(l);
            return NULL;
        }
        if (!(n->r = rules_parse_operand(lx, rs, lex_peek_char(lx, '/')))) {
            cexpr_free(l);
            return NULL;
        }
    }
    if (l && lex_is_kw(lx, "within")) {
        if (!lex_next(lx) || (!lex_is_kw(lx, "sentence") && !lex_is_kw(lx, "clause"))) {
            if (!lx->diag->msg[0])
                lex_error(lx, "expected 'sentence' or 'clause' after 'within'");
            cexpr_free(l);
            return NULL;
        }
        if (lex_is_kw(lx, "clause"))
            set_clause(l);
        if (!lex_next(lx)) {
            cexpr_free(l);
            return NULL;
        }
    }
    return l;
}

/* Whether c may start / continue a lexicon name after '@' in a regex. */
static bool name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

/* Append regex text t with its @lexicons expanded for lang; false when one has no
 * entries in lang. A lexicon name inside [...] or after a backslash stays literal. */
static bool put_regex(const rf_ruleset *rs, const char *t, int lang, gbuf *b)
{
    bool cls = false;
    for (const char *p = t; *p;) {
        if (*p == '\\' && p[1]) {
            gbuf_put(b, p, 2);
            p += 2;
            continue;
        }
        if (*p == '[' && !cls)
            cls = true;
        else if (*p == ']' && cls)
            cls = false;
        if (*p == '@' && !cls && name_start(p[1])) {
            const char *e = p + 1;
            while (name_char(*e))
                e++;
            if (lexicon_exists(rs, p + 1, (size_t)(e - p - 1))) {
                if (!render_lexicon(rs, p + 1, (size_t)(e - p - 1), lang, b))
                    return false;
                p = e;
                continue;
            }
        }
        gbuf_put(b, p, 1);
        p++;
    }
    return true;
}

/* Append the words allowed between the two sides of near/N in lang. */
static void put_gap(gbuf *b, const cexpr *e, int lang)
{
    char n[64];
    if (lang_nospace(lang)) { /* no spaces to count: about two characters a word */
        snprintf(n, sizeof n, "{0,%d}", 2 * e->n);
        gbuf_puts(b, e->clause ? "[^.!?;,\\n\\x{3001}\\x{3002}]" : "[^.!?;\\n\\x{3002}]");
        gbuf_puts(b, n);
        return;
    }
    const char *sep = e->clause ? "[^\\p{L}\\p{N}.!?;,\\n]+" : "[^\\p{L}\\p{N}.!?;\\n]+";
    snprintf(n, sizeof n, "){0,%d}", e->n);
    gbuf_puts(b, sep);
    gbuf_puts(b, "(?:");
    if (e->clause) /* a contrastive or relative conjunction starts another clause */
        gbuf_puts(b, "(?!(?i:but|which|although|though|whereas|while|yet)(?![\\p{L}]))");
    gbuf_puts(b, "[\\p{L}\\p{N}'\\x{2019}\\-]+");
    gbuf_puts(b, sep);
    gbuf_puts(b, n);
    /* the start of the next word, for an entry written *word (di-tahan); entries that
     * must start a word refuse it with their own look-behind */
    gbuf_puts(b, "[\\p{L}\\p{M}\\p{N}]*?");
}

/* Append the regex of e for lang; false when a lexicon has no entries in lang. */
static bool put_expr(const rf_ruleset *rs, const cexpr *e, int lang, bool top, gbuf *b)
{
    switch (e->k) {
    case CE_REGEX:
        if (top)
            return put_regex(rs, e->text, lang, b);
        gbuf_puts(b, "(?");
        for (const char *f = e->flags; *f; f++)
            gbuf_put(b, f, 1);
        gbuf_puts(b, ":");
        if (!put_regex(rs, e->text, lang, b))
            return false;
        gbuf_puts(b, ")");
        return true;
    case CE_LEX: return render_lexicon(rs, e->text, strlen(e->text), lang, b);
    case CE_STR: render_phrase(e->text, lang, b); return true;
    case CE_NEAR:
        for (int side = 0; side < (e->ordered ? 1 : 2); side++) {
            gbuf_puts(b, side ? "|" : "(?:");
            if (!put_expr(rs, side ? e->r : e->l, lang, false, b))
                return false;
            put_gap(b, e, lang);
            if (!put_expr(rs, side ? e->l : e->r, lang, false, b))
                return false;
        }
        gbuf_puts(b, ")");
        return true;
    }
    return false;
}

/* Render e for lang into a new string (caller frees); NULL when a lexicon has
 * no entries in lang or on ENOMEM (*oom). */
char *cexpr_render(const rf_ruleset *rs, const cexpr *e, int lang, bool *oom)
{
    gbuf b = {0};
    bool ok = put_expr(rs, e, lang, true, &b);
    *oom = b.oom;
    if (!ok || b.oom || !b.p) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* Render e for lang with its own flags inline (for running it on its own). */
char *cexpr_render_operand(const rf_ruleset *rs, const cexpr *e, int lang, bool *oom)
{
    gbuf b = {0};
    bool ok = put_expr(rs, e, lang, false, &b);
    *oom = b.oom;
    if (!ok || b.oom || !b.p) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

typedef struct refs {
    const char *name[MAX_REFS];
    size_t len[MAX_REFS];
    int n;
    const cexpr *unknown; /* an @name that no lexicon has */
} refs;

/* Add a lexicon name to the refs (once). */
static void ref_add(refs *rf, const char *name, size_t len)
{
    for (int i = 0; i < rf->n; i++)
        if (rf->len[i] == len && memcmp(rf->name[i], name, len) == 0)
            return;
    if (rf->n < MAX_REFS) {
        rf->name[rf->n] = name;
        rf->len[rf->n++] = len;
    }
}

/* Collect the lexicons e names. */
static void collect_refs(const rf_ruleset *rs, const cexpr *e, refs *rf)
{
    if (!e)
        return;
    if (e->k == CE_LEX) {
        if (!lexicon_exists(rs, e->text, strlen(e->text)) && !rf->unknown)
            rf->unknown = e;
        ref_add(rf, e->text, strlen(e->text));
    } else if (e->k == CE_REGEX) {
        for (const char *p = e->text; *p; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                continue;
            }
            if (*p != '@' || !name_start(p[1]))
                continue;
            const char *q = p + 1;
            while (name_char(*q))
                q++;
            if (lexicon_exists(rs, p + 1, (size_t)(q - p - 1)))
                ref_add(rf, p + 1, (size_t)(q - p - 1));
        }
    }
    collect_refs(rs, e->l, rf);
    collect_refs(rs, e->r, rf);
}

/* The lexicons e names, for rules trace. */
int cexpr_refs(const rf_ruleset *rs, const cexpr *e, const char **names, size_t *lens, int max)
{
    refs rf = {0};
    collect_refs(rs, e, &rf);
    int n = rf.n < max ? rf.n : max;
    for (int i = 0; i < n; i++) {
        names[i] = rf.name[i];
        lens[i] = rf.len[i];
    }
    return n;
}

/* Set a diagnostic at a rule's pattern. */
static int pat_error(rf_diag *diag, const rule *r, int line, int col, const char *fmt,
                     const char *a, const char *b)
{
    snprintf(diag->file, sizeof diag->file, "%s", r->info.file);
    diag->line = line;
    diag->col = col;
    snprintf(diag->msg, sizeof diag->msg, fmt, a, b);
    return RF_ESYNTAX;
}

/* Compile src with opts, or take the code compiled when e (a plain regex) was
 * parsed; NULL with diag set on a syntax error. */
static pcre2_code *compile(const char *src, uint32_t opts, const rule *r, const pattern *p,
                           int lang, cexpr *e, rf_diag *diag)
{
    if (e && e->pre) {
        pcre2_code *pre = e->pre;
        e->pre = NULL;
        return pre;
    }
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        pat_error(diag, r, p->line, p->col, "invalid pattern (language %s): %s", lang_code(lang),
                  (const char *)msg);
    }
    return re;
}

/* PCRE2 options of a /regex/'s flags. */
static uint32_t flag_opts(const char *flags)
{
    uint32_t opts = PCRE2_UTF;
    for (const char *f = flags; *f; f++)
        opts |= *f == 'i' ? PCRE2_CASELESS : *f == 's' ? PCRE2_DOTALL
              : *f == 'm' ? PCRE2_MULTILINE : PCRE2_EXTENDED;
    return opts;
}

/* The `unless` operands of p for lang as one regex source (NULL: none apply). */
static char *render_unless(const rf_ruleset *rs, const pattern *p, int lang, uint32_t *opts,
                           bool *oom)
{
    *oom = false;
    if (p->nunl == 1 && p->unl[0]->k == CE_REGEX) {
        *opts = flag_opts(p->unl[0]->flags);
        return cexpr_render(rs, p->unl[0], lang, oom);
    }
    *opts = PCRE2_UTF;
    gbuf b = {0};
    int n = 0;
    for (int i = 0; i < p->nunl; i++) {
        gbuf one = {0};
        if (put_expr(rs, p->unl[i], lang, false, &one) && !one.oom) {
            gbuf_puts(&b, n++ ? "|" : "");
            gbuf_puts(&b, one.p);
        } /* a context with no entries in lang does not apply to it */
        *oom |= one.oom;
        free(one.p);
    }
    *oom |= b.oom;
    if (!n || b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* Compile variant lang of pattern p into v. */
static int build_variant(const rf_ruleset *rs, const rule *r, const pattern *p, int lang,
                         bool lexical, variant *v, rf_diag *diag)
{
    bool oom;
    memset(v, 0, sizeof *v);
    v->lang = lang;
    char *src = cexpr_render(rs, p->expr, lang, &oom);
    if (!src)
        return RF_ENOMEM; /* the caller only asks for languages every lexicon has */
    bool plain = p->expr->k == CE_REGEX;
    uint32_t opts = plain ? flag_opts(p->expr->flags) : PCRE2_UTF;
    v->re = compile(src, opts, r, p, lang, plain ? p->expr : NULL, diag);
    bool caseless = !plain || lexical || (opts & PCRE2_CASELESS);
    v->always = (opts & PCRE2_EXTENDED) || !v->re || !prefilter_extract(src, caseless, &v->lits);
    if (v->always)
        litreq_free(&v->lits);
    free(src);
    if (!v->re)
        return RF_ESYNTAX;
    uint32_t uopts;
    char *usrc = p->nunl ? render_unless(rs, p, lang, &uopts, &oom) : NULL;
    if (oom)
        return RF_ENOMEM;
    if (usrc) {
        v->unless = compile(usrc, uopts, r, p, lang,
                            p->nunl == 1 && p->unl[0]->k == CE_REGEX ? p->unl[0] : NULL, diag);
        free(usrc);
        if (!v->unless)
            return RF_ESYNTAX;
    }
    return RF_OK;
}

/* Compile one pattern: a variant per language all its lexicons have, or one for every text. */
static int build_pattern(const rf_ruleset *rs, const rule *r, pattern *p, rf_diag *diag)
{
    refs rf = {0};
    collect_refs(rs, p->expr, &rf);
    for (int i = 0; i < p->nunl; i++)
        collect_refs(rs, p->unl[i], &rf);
    if (rf.unknown)
        return pat_error(diag, r, rf.unknown->line, rf.unknown->col,
                         "unknown lexicon '@%s' (declare it: `lexicon %s en { … }`)",
                         rf.unknown->text, rf.unknown->text);
    refs main = {0};
    collect_refs(rs, p->expr, &main);
    int langs[64], nl = 0;
    if (!main.n) {
        langs[nl++] = 0;
    } else {
        for (int l = 1; l <= lang_count(); l++) {
            bool all = true;
            for (int i = 0; i < main.n && all; i++)
                all = lexicon_find(rs, main.name[i], main.len[i], l) != NULL;
            if (all)
                langs[nl++] = l;
        }
    }
    if (!nl) {
        char names[256] = "";
        for (int i = 0; i < main.n; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s@%.*s",
                     i ? ", " : "", (int)main.len[i], main.name[i]);
        return pat_error(diag, r, p->line, p->col, "pattern '$%s': no language has entries in "
                         "every lexicon it names (%s)", p->name, names);
    }
    if (!(p->v = calloc((size_t)nl, sizeof *p->v)))
        return RF_ENOMEM;
    for (int i = 0; i < nl; i++) {
        int rc = build_variant(rs, r, p, langs[i], main.n > 0, &p->v[i], diag);
        p->nv = i + 1;
        if (rc != RF_OK)
            return rc;
    }
    return RF_OK;
}

/* Compile every pattern's variants, once all files (and their lexicons) are read. */
int rules_build_patterns(rf_ruleset *rs, rf_diag *diag)
{
    for (size_t i = 0; i < rs->nrules; i++)
        for (int k = 0; k < rs->rules[i].npats; k++) {
            int rc = build_pattern(rs, &rs->rules[i], &rs->rules[i].pats[k], diag);
            if (rc != RF_OK)
                return rc;
        }
    return RF_OK;
}
