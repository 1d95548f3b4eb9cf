/* Parsing of rule conditions: boolean logic, pattern sets, fields, arithmetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules_int.h"

typedef struct cparse {
    lexer *lx;
    const rule *r;
    rf_ruleset *rs;
} cparse;

static cond *parse_or(cparse *cp);

/* Free an arithmetic tree. */
static void arith_free(arith *a)
{
    if (!a)
        return;
    arith_free(a->l);
    arith_free(a->r);
    free(a);
}

/* Free a condition tree. */
void cond_free(cond *c)
{
    if (!c)
        return;
    cond_free(c->l);
    cond_free(c->r);
    arith_free(c->lhs);
    arith_free(c->rhs);
    free(c->vars);
    free(c->setname);
    free(c);
}

/* Allocate a node of kind k at the current token. */
static cond *node(cparse *cp, cond_kind k)
{
    cond *c = calloc(1, sizeof *c);
    if (!c) {
        lex_error(cp->lx, "out of memory");
        return NULL;
    }
    c->k = k;
    c->line = cp->lx->tok.line;
    c->col = cp->lx->tok.col;
    return c;
}

/* Index of pattern $name in the rule, or -1 (error reported). */
static int find_var(cparse *cp)
{
    const token *t = &cp->lx->tok;
    for (int i = 0; i < cp->r->npats; i++)
        if (strlen(cp->r->pats[i].name) == t->len - 1 &&
            memcmp(cp->r->pats[i].name, t->start + 1, t->len - 1) == 0)
            return i;
    lex_error(cp->lx, "unknown pattern '%.*s' (declare it with `match %.*s = /…/` before `when`)",
              (int)t->len, t->start, (int)t->len, t->start);
    return -1;
}

/* The field named by the current identifier, or -1 (error reported). */
static int find_field(cparse *cp)
{
    const token *t = &cp->lx->tok;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)t->len, t->start);
    int f = t->len < sizeof name ? rf_field_lookup(name) : -1;
    if (f < 0)
        lex_error(cp->lx, "unknown field '%s' (see docs/RULES.md, Fields)", name);
    return f;
}

/* Parse "any/all/none of (…)|them" after the quantifier keyword. */
static cond *parse_quant(cparse *cp, cond_kind k)
{
    lexer *lx = cp->lx;
    cond *c = node(cp, k);
    if (!c || !lex_next(lx))
        goto fail;
    if (!lex_is_kw(lx, "of")) {
        lex_error(lx, "expected 'of' after a quantifier");
        goto fail;
    }
    if (!lex_next(lx))
        goto fail;
    if (lex_is_kw(lx, "them")) {
        c->nvars = -1; /* every pattern */
        if (!lex_next(lx))
            goto fail;
        return c;
    }
    if (lx->tok.kind != TK_LPAREN) {
        lex_error(lx, "expected '(' or 'them' after 'of'");
        goto fail;
    }
    c->vars = calloc((size_t)cp->r->npats + 1, sizeof(int));
    if (!c->vars)
        goto fail;
    do {
        if (!lex_next(lx))
            goto fail;
        if (lx->tok.kind != TK_VAR) {
            lex_error(lx, "expected a $pattern in the list");
            goto fail;
        }
        int v = find_var(cp);
        if (v < 0 || c->nvars >= cp->r->npats)
            goto fail;
        c->vars[c->nvars++] = v;
        if (!lex_next(lx))
            goto fail;
    } while (lx->tok.kind == TK_COMMA);
    if (lx->tok.kind != TK_RPAREN) {
        lex_error(lx, "expected ',' or ')' in the pattern list");
        goto fail;
    }
    if (!lex_next(lx))
        goto fail;
    return c;
fail:
    cond_free(c);
    return NULL;
}

static arith *parse_sum(cparse *cp);

/* Parse a number, a field, a parenthesised sum or a negation. */
static arith *parse_factor(cparse *cp)
{
    lexer *lx = cp->lx;
    arith *a = calloc(1, sizeof *a);
    if (!a) {
        lex_error(lx, "out of memory");
        return NULL;
    }
    if (lx->tok.kind == TK_NUMBER) {
        a->k = A_NUM;
        a->num = lx->tok.num;
    } else if (lx->tok.kind == TK_IDENT) {
        int f = find_field(cp);
        if (f < 0)
            goto fail;
        a->k = A_FIELD;
        a->field = (rf_field)f;
    } else if (lx->tok.kind == TK_MINUS) {
        a->k = A_NEG;
        if (!lex_next(lx) || !(a->l = parse_factor(cp)))
            goto fail;
        return a;
    } else if (lx->tok.kind == TK_LPAREN) {
        free(a);
        if (!lex_next(lx) || !(a = parse_sum(cp)))
            return NULL;
        if (lx->tok.kind != TK_RPAREN) {
            lex_error(lx, "expected ')'");
            goto fail;
        }
    } else {
        char b[64];
        lex_error(lx, "expected a number, a field or '(', got %s", tok_describe(&lx->tok, b, 64));
        goto fail;
    }
    if (!lex_next(lx))
        goto fail;
    return a;
fail:
    arith_free(a);
    return NULL;
}

/* Join l and r under a binary arithmetic node. */
static arith *binop(cparse *cp, arith_kind k, arith *l, arith *r)
{
    arith *a = calloc(1, sizeof *a);
    if (!a) {
        lex_error(cp->lx, "out of memory");
        arith_free(l);
        arith_free(r);
        return NULL;
    }
    a->k = k;
    a->l = l;
    a->r = r;
    return a;
}

/* Parse factors joined by * and /. */
static arith *parse_term(cparse *cp)
{
    arith *a = parse_factor(cp);
    while (a && (cp->lx->tok.kind == TK_STAR || cp->lx->tok.kind == TK_SLASH)) {
        arith_kind k = cp->lx->tok.kind == TK_STAR ? A_MUL : A_DIV;
        arith *r = lex_next(cp->lx) ? parse_factor(cp) : NULL;
        if (!r) {
            arith_free(a);
            return NULL;
        }
        a = binop(cp, k, a, r);
    }
    return a;
}

/* Parse terms joined by + and -. */
static arith *parse_sum(cparse *cp)
{
    arith *a = parse_term(cp);
    while (a && (cp->lx->tok.kind == TK_PLUS || cp->lx->tok.kind == TK_MINUS)) {
        arith_kind k = cp->lx->tok.kind == TK_PLUS ? A_ADD : A_SUB;
        arith *r = lex_next(cp->lx) ? parse_term(cp) : NULL;
        if (!r) {
            arith_free(a);
            return NULL;
        }
        a = binop(cp, k, a, r);
    }
    return a;
}

/* Whether a token kind is a comparison operator. */
static bool is_cmp(tok_kind k)
{
    return k == TK_LT || k == TK_LE || k == TK_GT || k == TK_GE || k == TK_EQ || k == TK_NE;
}

/* Parse "FIELD in SET", "exists FIELD" is handled by the caller. */
static cond *parse_in(cparse *cp, int f)
{
    cond *c = node(cp, C_IN);
    if (!c)
        return NULL;
    c->field = (rf_field)f;
    if (!lex_next(cp->lx) || cp->lx->tok.kind != TK_IDENT) {
        lex_error(cp->lx, "expected a set name after 'in'");
        cond_free(c);
        return NULL;
    }
    c->line = cp->lx->tok.line;
    c->col = cp->lx->tok.col;
    c->setname = strndup(cp->lx->tok.start, cp->lx->tok.len);
    c->set = -1;
    if (!c->setname || !lex_next(cp->lx)) {
        cond_free(c);
        return NULL;
    }
    return c;
}

/* Parse "arith CMP arith" or "FIELD in SET". */
static cond *parse_compare(cparse *cp)
{
    lexer *lx = cp->lx;
    if (lx->tok.kind == TK_IDENT) {
        lexer save = *lx;
        save.tok.text = NULL;
        int f = find_field(cp);
        if (f < 0)
            return NULL;
        if (!lex_next(lx))
            return NULL;
        if (lex_is_kw(lx, "in"))
            return parse_in(cp, f);
        lex_free(lx);
        *lx = save;
    }
    cond *c = node(cp, C_CMP);
    if (!c || !(c->lhs = parse_sum(cp)))
        goto fail;
    if (!is_cmp(lx->tok.kind)) {
        char b[64];
        lex_error(lx, "expected a comparison (< <= > >= == !=) or 'in', got %s",
                  tok_describe(&lx->tok, b, 64));
        goto fail;
    }
    c->cmp = lx->tok.kind;
    if (!lex_next(lx) || !(c->rhs = parse_sum(cp)))
        goto fail;
    return c;
fail:
    cond_free(c);
    return NULL;
}

/* Parse "( cond )", falling back to a parenthesised arithmetic comparison. */
static cond *parse_paren(cparse *cp)
{
    lexer *lx = cp->lx;
    lexer save = *lx;
    save.tok.text = NULL;
    rf_diag dsave = *lx->diag;
    cond *c = lex_next(lx) ? parse_or(cp) : NULL;
    if (c && lx->tok.kind == TK_RPAREN) {
        if (lex_next(lx))
            return c;
        cond_free(c);
        return NULL;
    }
    cond_free(c);
    lex_free(lx);
    *lx = save;
    *lx->diag = dsave;
    return parse_compare(cp);
}

/* Parse a primary condition. */
static cond *parse_primary(cparse *cp)
{
    lexer *lx = cp->lx;
    if (lx->tok.kind == TK_VAR) {
        cond *c = node(cp, C_VAR);
        if (!c || (c->var = find_var(cp)) < 0 || !lex_next(lx)) {
            cond_free(c);
            return NULL;
        }
        return c;
    }
    if (lx->tok.kind == TK_LPAREN)
        return parse_paren(cp);
    if (lex_is_kw(lx, "any"))
        return parse_quant(cp, C_ANY);
    if (lex_is_kw(lx, "all"))
        return parse_quant(cp, C_ALL);
    if (lex_is_kw(lx, "none"))
        return parse_quant(cp, C_NONE);
    if (lex_is_kw(lx, "exists")) {
        cond *c = node(cp, C_EXISTS);
        int f = -1;
        if (c && lex_next(lx) && lx->tok.kind == TK_IDENT)
            f = find_field(cp);
        else if (c)
            lex_error(lx, "expected a field after 'exists'");
        if (f < 0 || !lex_next(lx)) {
            cond_free(c);
            return NULL;
        }
        c->field = (rf_field)f;
        return c;
    }
    if (lx->tok.kind == TK_IDENT || lx->tok.kind == TK_NUMBER || lx->tok.kind == TK_MINUS)
        return parse_compare(cp);
    char b[64];
    lex_error(lx, "expected a condition ($pattern, any/all/none of, exists, a comparison or "
                  "'not'), got %s", tok_describe(&lx->tok, b, 64));
    return NULL;
}

/* Parse "not" chains. */
static cond *parse_unary(cparse *cp)
{
    if (!lex_is_kw(cp->lx, "not"))
        return parse_primary(cp);
    cond *c = node(cp, C_NOT);
    if (!c || !lex_next(cp->lx) || !(c->l = parse_unary(cp))) {
        cond_free(c);
        return NULL;
    }
    return c;
}

/* Parse operands joined by the keyword kw into nodes of kind k. */
static cond *parse_chain(cparse *cp, const char *kw, cond_kind k, cond *(*sub)(cparse *))
{
    cond *l = sub(cp);
    while (l && lex_is_kw(cp->lx, kw)) {
        cond *c = node(cp, k);
        if (!c || !lex_next(cp->lx) || !(c->r = sub(cp))) {
            cond_free(c);
            cond_free(l);
            return NULL;
        }
        c->l = l;
        l = c;
    }
    return l;
}

/* Parse "and" chains. */
static cond *parse_and(cparse *cp)
{
    return parse_chain(cp, "and", C_AND, parse_unary);
}

/* Parse "or" chains. */
static cond *parse_or(cparse *cp)
{
    return parse_chain(cp, "or", C_OR, parse_and);
}

/* Parse a condition starting at the current token, for rule r. */
cond *rules_parse_cond(lexer *lx, rf_ruleset *rs, const rule *r)
{
    cparse cp = {lx, r, rs};
    return parse_or(&cp);
}
