/* Indicator ids: the built-in ones of INDICATORS.md and those a rule file declares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules_int.h"

/* Indicator ids of INDICATORS.md: flags must carry exactly these or declared ones. */
static const char *const builtin[] = {
    "vulnerability_abused", "recruitment_deception", "movement_restricted", "worker_isolation",
    "physical_sexual_violence", "intimidation_threats", "identity_documents_retained",
    "wages_withheld", "debt_bondage", "abusive_conditions", "excessive_overtime",
    "recruitment_fees_charged", "noncompliant_recruiter", "labour_agency_subcontracting",
    "return_transport_denied", "no_written_contract_in_language", "abnormally_low_price",
    "trafficking_conviction", "supply_chain_opaque", "high_risk_origin", "listed_entity",
    "missing_compliance_plan", "no_grievance_or_remedy",
};

/* Whether id is a built-in indicator. */
static bool is_builtin(const char *id, size_t len)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (strlen(builtin[i]) == len && memcmp(builtin[i], id, len) == 0)
            return true;
    return false;
}

/* The declared indicator id, or NULL. */
static const indicator_decl *declared(const rf_ruleset *rs, const char *id, size_t len)
{
    for (size_t i = 0; i < rs->nind; i++)
        if (strlen(rs->ind[i].info.id) == len && memcmp(rs->ind[i].info.id, id, len) == 0)
            return &rs->ind[i];
    return NULL;
}

/* Parse "indicator ID { title "…" sources "…", … }" at the keyword. */
bool rules_parse_indicator(lexer *lx, rf_ruleset *rs, const char *file)
{
    if (!lex_next(lx) || lx->tok.kind != TK_IDENT)
        return lx->diag->msg[0] ? false : lex_error(lx, "expected an indicator id after 'indicator'");
    const indicator_decl *old = declared(rs, lx->tok.start, lx->tok.len);
    if (old)
        return lex_error(lx, "indicator '%.*s' is declared twice (first at %s:%d)",
                         (int)lx->tok.len, lx->tok.start, old->info.file, old->info.line);
    if (is_builtin(lx->tok.start, lx->tok.len))
        return lex_error(lx, "indicator '%.*s' is built in (INDICATORS.md): use it without "
                             "declaring it", (int)lx->tok.len, lx->tok.start);
    indicator_decl *d = realloc(rs->ind, (rs->nind + 1) * sizeof *d);
    if (!d)
        return lex_error(lx, "out of memory");
    rs->ind = d;
    d = &rs->ind[rs->nind++];
    memset(d, 0, sizeof *d);
    d->info.file = file;
    d->info.line = lx->tok.line;
    if (!(d->info.id = rs_own(rs, strndup(lx->tok.start, lx->tok.len))))
        return lex_error(lx, "out of memory");
    if (!lex_next(lx))
        return false;
    if (lx->tok.kind != TK_LBRACE)
        return lex_error(lx, "expected '{' after the indicator id");
    if (!lex_next(lx))
        return false;
    while (lx->tok.kind != TK_RBRACE) {
        bool title = lex_is_kw(lx, "title"), sources = lex_is_kw(lx, "sources");
        if (!title && !sources)
            return lex_error(lx, "expected 'title', 'sources' or '}' in indicator '%s'",
                             d->info.id);
        size_t cap = 0, len = 0;
        char *out = NULL;
        do {
            if (!lex_next(lx))
                goto fail;
            if (lx->tok.kind != TK_STRING) {
                lex_error(lx, "expected a string after '%s'", title ? "title" : "sources");
                goto fail;
            }
            size_t n = strlen(lx->tok.text);
            if (len + n + 3 > cap) {
                cap = (len + n + 3) * 2;
                char *p = realloc(out, cap);
                if (!p)
                    goto fail;
                out = p;
            }
            if (len)
                memcpy(out + len, "; ", 2), len += 2;
            memcpy(out + len, lx->tok.text, n);
            out[len += n] = '\0';
            if (!lex_next(lx))
                goto fail;
        } while (sources && lx->tok.kind == TK_COMMA);
        if (!rs_own(rs, out))
            return lex_error(lx, "out of memory");
        *(title ? &d->info.title : &d->info.sources) = out;
        continue;
    fail:
        free(out);
        return false;
    }
    if (!d->info.title || !d->info.sources)
        return lex_error(lx, "indicator '%s' needs a title and sources", d->info.id);
    return lex_next(lx);
}

/* Whether id (len bytes) is a built-in indicator or one declared so far. */
bool rules_indicator_known(const rf_ruleset *rs, const char *id, size_t len)
{
    return is_builtin(id, len) || declared(rs, id, len);
}

/* Number of declared indicators. */
size_t rf_ruleset_indicator_count(const rf_ruleset *rs)
{
    return rs ? rs->nind : 0;
}

/* Declared indicator i. */
const rf_indicator_info *rf_ruleset_indicator(const rf_ruleset *rs, size_t i)
{
    return rs && i < rs->nind ? &rs->ind[i].info : NULL;
}
