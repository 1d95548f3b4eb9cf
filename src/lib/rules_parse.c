/* The rule-file parser: `set` and `rule` blocks into the ruleset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/reader.h"
#include "rules_int.h"

typedef struct parser {
    lexer lx;
    rf_ruleset *rs;
    const char *file; /* owned by rs */
} parser;

/* Indicator ids of docs/INDICATORS.md: flags must carry exactly these. */
static const char *const indicators[] = {
    "vulnerability_abused", "recruitment_deception", "movement_restricted", "worker_isolation",
    "physical_sexual_violence", "intimidation_threats", "identity_documents_retained",
    "wages_withheld", "debt_bondage", "abusive_conditions", "excessive_overtime",
    "recruitment_fees_charged", "noncompliant_recruiter", "labour_agency_subcontracting",
    "return_transport_denied", "no_written_contract_in_language", "abnormally_low_price",
    "trafficking_conviction", "supply_chain_opaque", "high_risk_origin", "listed_entity",
    "missing_compliance_plan", "no_grievance_or_remedy",
};

/* Report "expected WHAT, got TOKEN". */
static bool expected(lexer *lx, const char *what)
{
    char b[64];
    return lex_error(lx, "expected %s, got %s", what, tok_describe(&lx->tok, b, sizeof b));
}

/* A copy of the current token's raw text, owned by the ruleset. */
static char *tok_own(parser *ps)
{
    const token *t = &ps->lx.tok;
    char *s = t->text ? strdup(t->text) : strndup(t->start, t->len);
    if (!s || !rs_own(ps->rs, s)) {
        lex_error(&ps->lx, "out of memory");
        return NULL;
    }
    return s;
}

/* Parse a comma-separated list of strings or identifiers, joined by "; ". */
static char *parse_list(parser *ps, bool idents_ok)
{
    lexer *lx = &ps->lx;
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    do {
        if (!lex_next(lx))
            goto fail;
        if (lx->tok.kind != TK_STRING && !(idents_ok && lx->tok.kind == TK_IDENT)) {
            expected(lx, idents_ok ? "a string or name" : "a string");
            goto fail;
        }
        const char *s = lx->tok.text ? lx->tok.text : lx->tok.start;
        size_t n = lx->tok.text ? strlen(s) : lx->tok.len;
        if (len + n + 3 > cap) {
            cap = (len + n + 3) * 2;
            char *p = realloc(out, cap);
            if (!p)
                goto fail;
            out = p;
        }
        if (len) {
            memcpy(out + len, "; ", 2);
            len += 2;
        }
        memcpy(out + len, s, n);
        out[len += n] = '\0';
        if (!lex_next(lx))
            goto fail;
    } while (lx->tok.kind == TK_COMMA);
    if (!rs_own(ps->rs, out))
        return NULL;
    return out;
fail:
    free(out);
    return NULL;
}

/* Check the current identifier is a known indicator id. */
static bool check_indicator(parser *ps)
{
    for (size_t i = 0; i < sizeof indicators / sizeof indicators[0]; i++)
        if (lex_is_kw(&ps->lx, indicators[i]))
            return true;
    return lex_error(&ps->lx, "unknown indicator '%.*s' (use an id of INDICATORS.md, e.g. "
                              "identity_documents_retained)", (int)ps->lx.tok.len, ps->lx.tok.start);
}

/* Parse "fields a.b, c" into the rule. */
static bool parse_fields(parser *ps, rule *r)
{
    lexer *lx = &ps->lx;
    do {
        if (!lex_next(lx))
            return false;
        if (lx->tok.kind != TK_IDENT)
            return expected(lx, "a field name");
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)lx->tok.len, lx->tok.start);
        int f = lx->tok.len < sizeof name ? rf_field_lookup(name) : -1;
        if (f < 0)
            return lex_error(lx, "unknown field '%s' (see docs/RULES.md, Fields)", name);
        const rf_field_info *fi = rf_field_get((rf_field)f);
        if (fi->type == RF_T_NUMBER || fi->type == RF_T_BOOL)
            return lex_error(lx, "field '%s' is a number: compare it in `when`, not with patterns",
                             name);
        if (r->nfields >= RF_F_COUNT)
            return lex_error(lx, "too many fields");
        r->fields[r->nfields++] = (rf_field)f;
        if (!lex_next(lx))
            return false;
    } while (lx->tok.kind == TK_COMMA);
    return true;
}

/* Compile the regex token into a PCRE2 code with JIT. */
static pcre2_code *compile_regex(parser *ps)
{
    const token *t = &ps->lx.tok;
    uint32_t opts = PCRE2_UTF;
    for (const char *f = t->flags; *f; f++)
        opts |= *f == 'i' ? PCRE2_CASELESS : *f == 's' ? PCRE2_DOTALL
              : *f == 'm' ? PCRE2_MULTILINE : PCRE2_EXTENDED;
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)t->text, PCRE2_ZERO_TERMINATED, opts, &err, &off,
                                   NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        ps->lx.tok.col += 1 + (int)off;
        lex_error(&ps->lx, "invalid pattern: %s", (char *)msg);
        return NULL;
    }
    return re; /* JIT-compiled on first use (rules_scan.c), which keeps start-up short */
}

/* Parse "match $name = /re/flags [unless /re/flags]". */
static bool parse_match(parser *ps, rule *r)
{
    lexer *lx = &ps->lx;
    if (!lex_next(lx) || lx->tok.kind != TK_VAR)
        return lx->diag->msg[0] ? false : expected(lx, "a $name after 'match'");
    for (int i = 0; i < r->npats; i++)
        if (strlen(r->pats[i].name) == lx->tok.len - 1 &&
            memcmp(r->pats[i].name, lx->tok.start + 1, lx->tok.len - 1) == 0)
            return lex_error(lx, "pattern '%.*s' is declared twice", (int)lx->tok.len,
                             lx->tok.start);
    pattern *p = realloc(r->pats, (size_t)(r->npats + 1) * sizeof *p);
    if (!p)
        return lex_error(lx, "out of memory");
    r->pats = p;
    p = &r->pats[r->npats];
    memset(p, 0, sizeof *p);
    p->name = strndup(lx->tok.start + 1, lx->tok.len - 1);
    if (!p->name || !rs_own(ps->rs, p->name))
        return lex_error(lx, "out of memory");
    r->npats++;
    if (!lex_next(lx))
        return false;
    if (lx->tok.kind != TK_ASSIGN)
        return expected(lx, "'=' after the pattern name");
    if (!lex_regex(lx) || !(p->re = compile_regex(ps)))
        return false;
    p->always = strchr(lx->tok.flags, 'x') ||
                !prefilter_extract(lx->tok.text, strchr(lx->tok.flags, 'i') != NULL, &p->lits);
    if (p->always)
        litreq_free(&p->lits);
    if (!lex_next(lx))
        return false;
    if (lex_is_kw(lx, "unless") && lex_peek_char(lx, '/')) {
        if (!lex_regex(lx) || !(p->unless = compile_regex(ps)) || !lex_next(lx))
            return false;
    }
    return true;
}

/* Parse "expect hit|miss "text"|{json}". */
static bool parse_expect(parser *ps, rule *r)
{
    lexer *lx = &ps->lx;
    if (!lex_next(lx))
        return false;
    if (!lex_is_kw(lx, "hit") && !lex_is_kw(lx, "miss"))
        return expected(lx, "'hit' or 'miss' after 'expect'");
    bool hit = lex_is_kw(lx, "hit");
    int line = lx->tok.line;
    bool json = lex_peek_char(lx, '{');
    if (json ? !lex_json(lx) : !lex_next(lx))
        return false;
    if (!json && lx->tok.kind != TK_STRING)
        return expected(lx, "an example string or {JSON record}");
    if (json) {
        rf_record *rec = NULL;
        char err[256] = "";
        int rc = rf_record_create(&rec);
        if (rc == RF_OK)
            rc = rf_record_from_json(lx->tok.text, strlen(lx->tok.text), rec, err, sizeof err);
        rf_record_destroy(rec);
        if (rc != RF_OK)
            return lex_error(lx, "invalid example record: %s", err[0] ? err : rf_strerror(rc));
    }
    example *e = realloc(r->ex, (r->nex + 1) * sizeof *e);
    if (!e)
        return lex_error(lx, "out of memory");
    r->ex = e;
    char *text = tok_own(ps);
    if (!text)
        return false;
    r->ex[r->nex++] = (example){.hit = hit, .json = json, .text = text, .line = line};
    hit ? r->info.nhit++ : r->info.nmiss++;
    return lex_next(lx);
}

/* Parse "when COND" or "unless COND". */
static bool parse_condition(parser *ps, rule *r, bool is_when)
{
    lexer *lx = &ps->lx;
    if (is_when && r->when)
        return lex_error(lx, "a rule has one `when` (join conditions with and/or)");
    if (!lex_next(lx))
        return false;
    cond *c = rules_parse_cond(lx, ps->rs, r);
    if (!c)
        return false;
    if (is_when) {
        r->when = c;
        return true;
    }
    cond **u = realloc(r->unless, (size_t)(r->nunless + 1) * sizeof *u);
    if (!u) {
        cond_free(c);
        return lex_error(lx, "out of memory");
    }
    r->unless = u;
    r->unless[r->nunless++] = c;
    return true;
}

/* Parse "severity LEVEL" or "weight N". */
static bool parse_severity_weight(parser *ps, rule *r, bool severity)
{
    lexer *lx = &ps->lx;
    if (!lex_next(lx))
        return false;
    if (severity) {
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)lx->tok.len, lx->tok.start);
        int lv = lx->tok.kind == TK_IDENT ? rf_level_parse(name) : -1;
        if (lv <= RF_LEVEL_NONE)
            return expected(lx, "a severity (low, medium, high or critical)");
        r->info.severity = (rf_level)lv;
    } else {
        if (lx->tok.kind != TK_NUMBER || lx->tok.num < 0 || lx->tok.num > 100 ||
            lx->tok.num != (int)lx->tok.num)
            return expected(lx, "a whole weight from 0 to 100");
        r->info.weight = (int)lx->tok.num;
    }
    return lex_next(lx);
}

/* Parse the statement at the current token; the token after it is left current. */
static bool parse_statement(parser *ps, rule *r)
{
    lexer *lx = &ps->lx;
    if (lex_is_kw(lx, "title")) {
        if (!lex_next(lx) || lx->tok.kind != TK_STRING)
            return lx->diag->msg[0] ? false : expected(lx, "a \"title\"");
        return (r->info.title = tok_own(ps)) && lex_next(lx);
    }
    if (lex_is_kw(lx, "indicator")) {
        if (!lex_next(lx) || lx->tok.kind != TK_IDENT)
            return lx->diag->msg[0] ? false : expected(lx, "an indicator id");
        return check_indicator(ps) && (r->info.indicator = tok_own(ps)) && lex_next(lx);
    }
    if (lex_is_kw(lx, "severity") || lex_is_kw(lx, "weight"))
        return parse_severity_weight(ps, r, lex_is_kw(lx, "severity"));
    if (lex_is_kw(lx, "sources"))
        return (r->info.sources = parse_list(ps, false)) != NULL;
    if (lex_is_kw(lx, "guideline"))
        return (r->info.guideline = parse_list(ps, true)) != NULL;
    if (lex_is_kw(lx, "fields"))
        return parse_fields(ps, r);
    if (lex_is_kw(lx, "match"))
        return parse_match(ps, r);
    if (lex_is_kw(lx, "when") || lex_is_kw(lx, "unless"))
        return parse_condition(ps, r, lex_is_kw(lx, "when"));
    if (lex_is_kw(lx, "expect"))
        return parse_expect(ps, r);
    return expected(lx, "a statement (title, indicator, severity, weight, sources, guideline, "
                        "fields, match, when, unless, expect) or '}'");
}

/* Collect the fields a condition reads, for evidence of pattern-less rules. */
static void cond_fields(rule *r, const cond *c, const arith *a)
{
    if (a) {
        if (a->k == A_FIELD && r->ncondfields < 8) {
            for (int i = 0; i < r->ncondfields; i++)
                if (r->condfields[i] == a->field)
                    return;
            r->condfields[r->ncondfields++] = a->field;
        }
        cond_fields(r, NULL, a->l);
        cond_fields(r, NULL, a->r);
        return;
    }
    if (!c)
        return;
    if (c->k == C_EXISTS || c->k == C_IN) {
        arith tmp = {.k = A_FIELD, .field = c->field};
        cond_fields(r, NULL, &tmp);
    }
    cond_fields(r, c->l, NULL);
    cond_fields(r, c->r, NULL);
    cond_fields(r, NULL, c->lhs);
    cond_fields(r, NULL, c->rhs);
}

/* Check a finished rule for missing parts. */
static bool finish_rule(parser *ps, rule *r)
{
    const char *missing = !r->info.title ? "title" : !r->info.indicator ? "indicator"
                        : !r->info.severity ? "severity" : !r->info.sources ? "sources" : NULL;
    if (missing)
        return lex_error(&ps->lx, "rule '%s' has no %s", r->info.id, missing);
    if (!r->npats && !r->when)
        return lex_error(&ps->lx, "rule '%s' needs a `match` or a `when`", r->info.id);
    if (r->npats && !r->nfields)
        r->fields[r->nfields++] = RF_F_TEXT;
    for (size_t i = 0; i < r->nex; i++)
        if (!r->ex[i].json && !r->nfields) {
            ps->lx.tok.line = r->ex[i].line;
            ps->lx.tok.col = 1;
            return lex_error(&ps->lx, "rule '%s' reads no text field: write this example as a "
                                      "{JSON record}", r->info.id);
        }
    cond_fields(r, r->when, NULL);
    for (int i = 0; i < r->nunless; i++)
        cond_fields(r, r->unless[i], NULL);
    return true;
}

/* Parse "rule ID { statements }". */
static bool parse_rule(parser *ps)
{
    lexer *lx = &ps->lx;
    if (!lex_next(lx) || lx->tok.kind != TK_IDENT)
        return lx->diag->msg[0] ? false : expected(lx, "a rule id after 'rule'");
    for (size_t i = 0; i < ps->rs->nrules; i++)
        if (strlen(ps->rs->rules[i].info.id) == lx->tok.len &&
            memcmp(ps->rs->rules[i].info.id, lx->tok.start, lx->tok.len) == 0)
            return lex_error(lx, "rule '%.*s' is defined twice (first at %s:%d)",
                             (int)lx->tok.len, lx->tok.start, ps->rs->rules[i].info.file,
                             ps->rs->rules[i].info.line);
    rule *rr = realloc(ps->rs->rules, (ps->rs->nrules + 1) * sizeof *rr);
    if (!rr)
        return lex_error(lx, "out of memory");
    ps->rs->rules = rr;
    rule *r = &rr[ps->rs->nrules++];
    memset(r, 0, sizeof *r);
    r->info.file = ps->file;
    r->info.line = lx->tok.line;
    if (!(r->info.id = tok_own(ps)) || !lex_next(lx))
        return false;
    if (lx->tok.kind != TK_LBRACE)
        return expected(lx, "'{' after the rule id");
    if (!lex_next(lx))
        return false;
    while (lx->tok.kind != TK_RBRACE) {
        if (lx->tok.kind == TK_EOF)
            return lex_error(lx, "rule '%s' is not closed: expected '}'", r->info.id);
        if (!parse_statement(ps, r))
            return false;
    }
    return finish_rule(ps, r) && lex_next(lx);
}

/* Normalise a set item or a value for set comparison into out (n bytes). */
size_t set_key(const char *s, size_t len, bool prefix, char *out, size_t n)
{
    size_t o = 0;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (prefix && !((c >= '0' && c <= '9') || (unsigned)((c | 32) - 'a') < 26u))
            continue;
        out[o++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    out[o] = '\0';
    return o;
}

/* Parse "set NAME = [prefix] { "a", "b" }". */
static bool parse_set(parser *ps)
{
    lexer *lx = &ps->lx;
    rf_ruleset *rs = ps->rs;
    if (!lex_next(lx) || lx->tok.kind != TK_IDENT)
        return lx->diag->msg[0] ? false : expected(lx, "a set name after 'set'");
    for (size_t i = 0; i < rs->nsets; i++)
        if (strlen(rs->sets[i].name) == lx->tok.len &&
            memcmp(rs->sets[i].name, lx->tok.start, lx->tok.len) == 0)
            return lex_error(lx, "set '%.*s' is defined twice", (int)lx->tok.len, lx->tok.start);
    set *ss = realloc(rs->sets, (rs->nsets + 1) * sizeof *ss);
    if (!ss)
        return lex_error(lx, "out of memory");
    rs->sets = ss;
    set *st = &ss[rs->nsets++];
    memset(st, 0, sizeof *st);
    if (!(st->name = tok_own(ps)) || !lex_next(lx))
        return false;
    if (lx->tok.kind != TK_ASSIGN)
        return expected(lx, "'=' after the set name");
    if (!lex_next(lx))
        return false;
    if (lex_is_kw(lx, "prefix")) {
        st->prefix = true;
        if (!lex_next(lx))
            return false;
    }
    if (lx->tok.kind != TK_LBRACE)
        return expected(lx, "'{' to open the set");
    do {
        if (!lex_next(lx))
            return false;
        if (lx->tok.kind == TK_RBRACE && st->nitems)
            break; /* trailing comma */
        if (lx->tok.kind != TK_STRING)
            return expected(lx, "a \"string\" in the set");
        char key[256];
        size_t n = set_key(lx->tok.text, strlen(lx->tok.text), st->prefix, key, sizeof key);
        char **items = realloc(st->items, (st->nitems + 1) * sizeof *items);
        if (!items)
            return lex_error(lx, "out of memory");
        st->items = items;
        if (!n)
            return lex_error(lx, "empty set entry");
        if (!(st->items[st->nitems] = strdup(key)) || !rs_own(rs, st->items[st->nitems]))
            return lex_error(lx, "out of memory");
        st->nitems++;
        if (!lex_next(lx))
            return false;
    } while (lx->tok.kind == TK_COMMA);
    if (lx->tok.kind != TK_RBRACE)
        return expected(lx, "',' or '}' in the set");
    return lex_next(lx);
}

/* Parse one file's text into rs. */
int rules_parse(rf_ruleset *rs, const char *file, const char *src, size_t len, rf_diag *diag)
{
    parser ps = {.rs = rs};
    char *f = strdup(file);
    if (!f || !rs_own(rs, f))
        return RF_ENOMEM;
    ps.file = f;
    lex_init(&ps.lx, f, src, len, diag);
    bool ok = lex_next(&ps.lx);
    while (ok && ps.lx.tok.kind != TK_EOF) {
        if (lex_is_kw(&ps.lx, "rule"))
            ok = parse_rule(&ps);
        else if (lex_is_kw(&ps.lx, "set"))
            ok = parse_set(&ps);
        else
            ok = expected(&ps.lx, "'rule' or 'set'");
    }
    lex_free(&ps.lx);
    return ok ? RF_OK : RF_ESYNTAX;
}
