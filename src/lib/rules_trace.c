/* `rules trace`: why each rule fires or not on a text, occurrence by occurrence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang_detect.h"
#include "rules_int.h"
#include "utf8.h"

#define MAX_CONCEPTS 8

typedef struct trace_ctx {
    const rf_ruleset *rs;
    const rule *r;
    const pattern *p;
    const rf_record *rec;
    const rf_scanner *sc;
    const canon *cn;        /* the value's canonical form */
    const char *orig;       /* the value as given */
    rf_trace_cb cb;
    void *ud;
    char langs[128];        /* languages detected in the value */
} trace_ctx;

/* Run regex src on t[s..e); the match in *ms, *me. */
static bool run_once(const char *src, const char *t, size_t s, size_t e, size_t *ms, size_t *me)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off,
                                   NULL);
    pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    bool ok = md && pcre2_match(re, (PCRE2_SPTR)t, e, s, 0, md, NULL) >= 0;
    if (ok) {
        *ms = pcre2_get_ovector_pointer(md)[0];
        *me = pcre2_get_ovector_pointer(md)[1];
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return ok;
}

/* Append "@name=word" for each lexicon of the pattern found in t[s..e) into out. */
static void concepts(const trace_ctx *cx, const cexpr *e, int lang, const char *t, size_t s,
                     size_t end, char *out, size_t n)
{
    const char *names[MAX_CONCEPTS];
    size_t lens[MAX_CONCEPTS];
    int k = cexpr_refs(cx->rs, e, names, lens, MAX_CONCEPTS);
    for (int i = 0; i < k; i++) {
        gbuf b = {0};
        size_t ms, me;
        if (render_lexicon(cx->rs, names[i], lens[i], lang, &b) && !b.oom &&
            run_once(b.p, t, s, end, &ms, &me)) { /* quoted from the text as given */
            size_t o = strlen(out), os = canon_orig(cx->cn, ms, false);
            size_t oe = canon_orig(cx->cn, me, true);
            snprintf(out + o, n - o, "%s@%.*s=%.*s", o ? "; " : "", (int)lens[i], names[i],
                     (int)(oe - os), cx->orig + os);
        }
        free(b.p);
    }
}

/* Describe the `unless` operand that matches t[us..ue) for lang into out. */
static void dropped_by(const trace_ctx *cx, int lang, const char *t, size_t us, size_t ue,
                       char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; i < cx->p->nunl && !out[0]; i++) {
        const cexpr *u = cx->p->unl[i];
        bool oom;
        char *src = cexpr_render_operand(cx->rs, u, lang, &oom);
        size_t ms, me;
        if (src && run_once(src, t, us, ue, &ms, &me) && ms == us) {
            int w = (int)strlen(u->text) > 60 ? 57 : 60; /* a long regex: its start */
            if (u->k == CE_LEX)
                snprintf(out, n, "@%s", u->text);
            else if (u->k == CE_STR)
                snprintf(out, n, "\"%s\"", u->text);
            else
                snprintf(out, n, "/%.*s%s/", w, u->text, w < 60 ? "..." : "");
        }
        free(src);
    }
}

/* The detected languages of a text as "en, de". */
static void lang_names(langmask m, char *out, size_t n)
{
    out[0] = '\0';
    for (int l = 1; l <= lang_count(); l++)
        if (m >> l & 1) {
            size_t o = strlen(out);
            snprintf(out + o, n - o, "%s%s", o ? ", " : "", lang_code(l));
        }
    if (!out[0])
        snprintf(out, n, "none");
}

/* Report one occurrence (canonical offsets) of the current pattern in value v of field f. */
static void report(trace_ctx *cx, rf_trace_kind kind, rf_field f, size_t v, int lang, size_t s,
                   size_t e, size_t us, size_t ue)
{
    const canon *cn = cx->cn = &cx->sc->cv[cx->sc->cvbase[f] + v];
    cx->orig = rf_record_str(cx->rec, f, v, NULL);
    lang_names(lang_detect(cn->text, cn->len), cx->langs, sizeof cx->langs);
    char con[512] = "", by[256] = "";
    concepts(cx, cx->p->expr, lang, cn->text, s, e, con, sizeof con);
    if (kind == RF_TRACE_DROPPED)
        dropped_by(cx, lang, cn->text, us, ue, by, sizeof by);
    rf_trace_event ev = {
        .kind = kind, .rule = &cx->r->info, .pattern = cx->p->name, .line = cx->p->line,
        .field = rf_field_get(f)->path, .text = cx->orig,
        .lang = lang_code(lang), .text_langs = cx->langs, .s = canon_orig(cn, s, false),
        .e = canon_orig(cn, e, true), .concepts = con, .us = canon_orig(cn, us, false),
        .ue = canon_orig(cn, ue, true), .by = by,
    };
    cx->cb(&ev, cx->ud);
}

/* The scanner's hook: an occurrence its `unless` dropped. */
static void on_dropped(rf_scanner *sc, const variant *v, const char *t, size_t s, size_t e,
                       size_t us, size_t ue)
{
    (void)t;
    report(sc->trace_ud, RF_TRACE_DROPPED, sc->cur_field, sc->cur_value, v->lang, s, e, us, ue);
}

/* Trace one rule on the scanner's record: its patterns' occurrences, then its verdict. */
static void trace_rule(trace_ctx *cx, rf_scanner *sc, const rule *r)
{
    cx->r = r;
    for (int i = 0; i < r->npats; i++) {
        cx->p = &r->pats[i];
        sc->trace = on_dropped;
        sc->trace_ud = cx;
        bool hit = scanner_pattern(sc, r, i);
        sc->trace = NULL;
        if (hit)
            report(cx, RF_TRACE_HIT, sc->ev[i].field, sc->ev[i].value, sc->ev[i].lang,
                   sc->ev[i].s, sc->ev[i].e, 0, 0);
    }
    rf_trace_event ev = {.kind = RF_TRACE_VERDICT, .rule = &r->info, .lang = "*",
                         .text_langs = "", .fired = scanner_rule_fires(sc, r)};
    cx->cb(&ev, cx->ud);
}

/* Trace every rule that reads a text field on text. */
int rf_ruleset_trace(const rf_ruleset *rs, const char *text, size_t len, rf_trace_cb cb, void *ud)
{
    if (!utf8_valid((const unsigned char *)text, len))
        return RF_EINVAL;
    rf_record *rec = NULL;
    rf_scanner *sc = NULL;
    int rc = rf_record_create(&rec);
    if (rc == RF_OK)
        rc = rf_scanner_create(&sc, rs);
    trace_ctx cx = {.rs = rs, .rec = rec, .sc = sc, .cb = cb, .ud = ud};
    for (size_t i = 0; rc == RF_OK && i < rs->nrules; i++) {
        const rule *r = &rs->rules[i];
        if (!r->npats || !r->nfields)
            continue;
        rf_record_reset(rec);
        if ((rc = rf_record_add(rec, r->fields[0], text, len)) != RF_OK)
            break;
        scanner_begin(sc, rec);
        trace_rule(&cx, sc, r);
    }
    rf_scanner_destroy(sc);
    rf_record_destroy(rec);
    return rc;
}

/* Trace every rule with patterns on a whole record. */
int rf_ruleset_trace_record(const rf_ruleset *rs, const rf_record *rec, rf_trace_cb cb, void *ud)
{
    rf_scanner *sc = NULL;
    int rc = rf_scanner_create(&sc, rs);
    if (rc != RF_OK)
        return rc;
    trace_ctx cx = {.rs = rs, .rec = rec, .sc = sc, .cb = cb, .ud = ud};
    scanner_begin(sc, rec);
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i].npats)
            trace_rule(&cx, sc, &rs->rules[i]);
    rf_scanner_destroy(sc);
    return RF_OK;
}
