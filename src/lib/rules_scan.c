/* The scanner: evaluates a compiled ruleset on one record at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rules_int.h"
#include "lang_detect.h"
#include "text_canon.h"
#include "utf8.h"

#define SENTENCE_SPAN 1000 /* how far to look for a sentence boundary */
#define CANON_KEEP (1u << 22) /* canonical buffers larger than this are freed after use */

/* Create a scanner with its own match data. */
int rf_scanner_create(rf_scanner **out, const rf_ruleset *rs)
{
    rf_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return RF_ENOMEM;
    size_t n = (size_t)rs->max_pats + 1;
    s->rs = rs;
    s->md = pcre2_match_data_create(1, NULL);
    s->state = calloc(n, 1);
    s->ev = calloc(n, sizeof *s->ev);
    s->maybe = calloc(rs->ngroups + 1, 1);
    s->prefilter = true;
    if (!s->md || !s->state || !s->ev || !s->maybe) {
        rf_scanner_destroy(s);
        return RF_ENOMEM;
    }
    *out = s;
    return RF_OK;
}

/* Free a scanner. */
void rf_scanner_destroy(rf_scanner *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    free(s->state);
    free(s->ev);
    free(s->maybe);
    for (size_t i = 0; i < s->capcv; i++)
        canon_free(&s->cv[i]);
    free(s->cv);
    free(s);
}

/* Pattern evaluations that hit a limit. */
unsigned long rf_scanner_limit_hits(const rf_scanner *s)
{
    return s->limit_hits;
}

/* Whether byte k of t ends a sentence: a line break, or .!?; before a space or
 * the end, or the last byte of an ideographic full stop, Arabic question mark or
 * semicolon, or Devanagari danda (no space needed after those). */
static bool is_term(const char *t, size_t len, size_t k)
{
    char c = t[k];
    if (c == '\n')
        return true;
    if ((unsigned char)c >= 0x80) {
        const unsigned char *u = (const unsigned char *)t;
        if (k >= 2 && ((u[k - 2] == 0xE3 && u[k - 1] == 0x80 && u[k] == 0x82) ||
                       (u[k - 2] == 0xE0 && u[k - 1] == 0xA5 && u[k] == 0xA4)))
            return true;
        return k >= 1 && u[k - 1] == 0xD8 && (u[k] == 0x9F || u[k] == 0x9B);
    }
    if (c != '.' && c != '!' && c != '?' && c != ';')
        return false;
    return k + 1 == len || t[k + 1] == ' ' || t[k + 1] == '\n' || t[k + 1] == '\t' ||
           t[k + 1] == '\r';
}

/* Find the sentence [*ss, *se) around the occurrence [s, e). */
static void sentence(const char *t, size_t len, size_t s, size_t e, size_t *ss, size_t *se)
{
    size_t lo = s > SENTENCE_SPAN ? s - SENTENCE_SPAN : 0;
    size_t k = s;
    while (k > lo && !is_term(t, len, k - 1))
        k--;
    while (k < s && ((unsigned char)t[k] & 0xC0) == 0x80)
        k++;
    *ss = k;
    size_t hi = len - e > SENTENCE_SPAN ? e + SENTENCE_SPAN : len;
    k = e > s ? e - 1 : s;
    while (k < hi && !is_term(t, len, k))
        k++;
    k = k < hi ? k + 1 : hi;
    while (k < len && k > e && ((unsigned char)t[k] & 0xC0) == 0x80)
        k--;
    *se = k;
}

/* Whether the words at t[k..se) begin a new clause's subject ("the bidder",
 * "workers", "we"): then a preceding " and " joins two clauses, not two verbs. */
static bool subject_follows(const char *t, size_t k, size_t se)
{
    static const char *const words[] = {
        "the ", "a ", "an ", "this ", "these ", "those ", "their ", "his ", "her ", "its ",
        "our ", "we ", "they ", "he ", "she ", "it ", "there ", "workers", "employees", "staff",
        "migrants", "management", "auditors", "no ", "none ", "all ", "some ", "most ",
        "many ", "each ", "every ", "i "};
    for (size_t j = 0; j < sizeof words / sizeof words[0]; j++) {
        size_t n = strlen(words[j]);
        if (k + n <= se && strncasecmp(t + k, words[j], n) == 0)
            return true;
    }
    return false;
}

/* Where the clause holding an occurrence ending at e ends: at the first
 * ", ", contrastive or relative conjunction, or " and " before a new subject,
 * after it; else at se. A negation in a later clause ("…, which the auditor
 * could not verify") does not negate the occurrence; one before it or inside
 * its clause does ("passports are never held", "held, not returned" stays). */
static size_t clause_end(const char *t, size_t e, size_t se)
{
    static const char *const joins[] = {" but ", " which ", " although ", " though ",
                                        " whereas ", " while ", " yet "};
    for (size_t k = e; k < se; k++) {
        if (t[k] == ',' && k + 1 < se && (t[k + 1] == ' ' || (unsigned char)t[k + 1] >= 0x80))
            return k; /* ", ", or a comma before a letter of a script written without spaces */
        if ((unsigned char)t[k] == 0xE3 && k + 2 < se && (unsigned char)t[k + 1] == 0x80 &&
            (unsigned char)t[k + 2] == 0x81)
            return k; /* the ideographic comma */
        if (t[k] != ' ')
            continue;
        if (k + 5 <= se && strncasecmp(t + k, " and ", 5) == 0 && subject_follows(t, k + 5, se))
            return k;
        for (size_t j = 0; j < sizeof joins / sizeof joins[0]; j++) {
            size_t n = strlen(joins[j]);
            if (k + n <= se && strncasecmp(t + k, joins[j], n) == 0)
                return k;
        }
    }
    return se;
}

/* Run re on t from start; the occurrence in *s, *e. 1 match, 0 none, -1 limit/error. */
static int run(rf_scanner *sc, const pcre2_code *re, const char *t, size_t len, size_t start,
               size_t *s, size_t *e)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)t, len, start, PCRE2_NO_UTF_CHECK, sc->md,
                         sc->rs->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        sc->limit_hits++; /* a match, depth or heap limit: the value is not fully scanned */
        sc->limit_fields |= (uint64_t)1 << sc->cur_field;
        return -1;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
    *s = ov[0];
    *e = ov[1];
    return 1;
}

/* JIT-compile a pattern's variants the first time it is needed. No thread
 * matches with a pattern before its compilation is complete: the flag is set after it. */
static void ensure_jit(const rf_ruleset *rs, const pattern *cp)
{
    pattern *p = (pattern *)cp; /* the flag and the JIT code are the only mutable parts */
    if (atomic_load_explicit(&p->jitted, memory_order_acquire))
        return;
    pthread_mutex_lock((pthread_mutex_t *)&rs->jit_lock);
    if (!atomic_load_explicit(&p->jitted, memory_order_relaxed)) {
        for (int k = 0; k < p->nv; k++) {
            pcre2_jit_compile(p->v[k].re, PCRE2_JIT_COMPLETE); /* else the interpreter runs it */
            if (p->v[k].unless)
                pcre2_jit_compile(p->v[k].unless, PCRE2_JIT_COMPLETE);
        }
        atomic_store_explicit(&p->jitted, true, memory_order_release);
    }
    pthread_mutex_unlock((pthread_mutex_t *)&rs->jit_lock);
}

/* Search one value for an occurrence of variant v not negated within its clause. */
static bool match_value(rf_scanner *sc, const variant *v, const char *t, size_t len,
                        evidence *ev)
{
    size_t start = 0, s, e;
    while (start <= len && run(sc, v->re, t, len, start, &s, &e) == 1) {
        size_t ss, se, us, ue;
        sentence(t, len, s, e, &ss, &se);
        size_t ce = v->unless ? clause_end(t, e, se) : se;
        if (!v->unless || run(sc, v->unless, t + ss, ce - ss, 0, &us, &ue) != 1) {
            *ev = (evidence){.s = s, .e = e, .ss = ss, .se = se, .lang = v->lang};
            return true;
        }
        if (sc->trace)
            sc->trace(sc, v, t, s, e, ss + us, ss + ue);
        start = e > s ? e : s + 1;
        while (start < len && ((unsigned char)t[start] & 0xC0) == 0x80)
            start++;
    }
    return false;
}

/* Whether the prefilter allows variant v on this record (each literal group occurs). */
static bool variant_possible(const rf_scanner *sc, const variant *v)
{
    for (int g = 0; !sc->maybe_all && g < v->lits.ng; g++)
        if (!sc->maybe[v->gid + (uint32_t)g])
            return false; /* a literal every match needs is absent */
    return true;
}

/* Whether variant v reads this value: one for every text, or the value has its language. */
static bool variant_reads(canon *cn, const variant *v)
{
    if (!v->lang)
        return true;
    if (cn->ascii && !lang_latin(v->lang))
        return false; /* plain ASCII holds no letter of that language's script */
    if (!cn->langs_done) {
        cn->langs = lang_detect(cn->text, cn->len);
        cn->langs_done = true;
    }
    return cn->langs >> v->lang & 1;
}

/* Evaluate pattern i of the current rule over its fields (memoised per rule). */
static bool pat(rf_scanner *sc, int i)
{
    if (sc->state[i] >= 0)
        return sc->state[i];
    const rule *r = sc->r;
    sc->state[i] = 0;
    const pattern *p = &r->pats[i];
    uint64_t live = 0; /* bit k: variant k may match on this record */
    for (int k = 0; k < p->nv && k < 64; k++)
        live |= (uint64_t)variant_possible(sc, &p->v[k]) << k;
    if (!live)
        return false;
    ensure_jit(sc->rs, p);
    for (int f = 0; f < r->nfields; f++) {
        rf_field fld = r->fields[f];
        if (!sc->field_ok[fld])
            continue;
        size_t n = rf_record_count(sc->rec, fld);
        for (size_t v = 0; v < n; v++) {
            canon *cn = &sc->cv[sc->cvbase[fld] + v];
            sc->cur_field = fld;
            sc->cur_value = v;
            for (int k = 0; k < p->nv && k < 64; k++) {
                if (!(live >> k & 1) || !variant_reads(cn, &p->v[k]))
                    continue;
                if (match_value(sc, &p->v[k], cn->text, cn->len, &sc->ev[i])) {
                    sc->ev[i].field = fld;
                    sc->ev[i].value = v;
                    return (sc->state[i] = 1);
                }
            }
        }
    }
    return false;
}

/* Evaluate arithmetic; false when a field is missing or a division by zero. */
static bool arith_eval(const rf_scanner *sc, const arith *a, double *out)
{
    double l, r;
    switch (a->k) {
    case A_NUM: *out = a->num; return true;
    case A_FIELD: return rf_record_num(sc->rec, a->field, out);
    case A_NEG:
        if (!arith_eval(sc, a->l, &l))
            return false;
        *out = -l;
        return true;
    default: break;
    }
    if (!arith_eval(sc, a->l, &l) || !arith_eval(sc, a->r, &r))
        return false;
    switch (a->k) {
    case A_ADD: *out = l + r; return true;
    case A_SUB: *out = l - r; return true;
    case A_MUL: *out = l * r; return true;
    default:
        if (r == 0)
            return false;
        *out = l / r;
        return true;
    }
}

/* Compare two numbers with a comparison token. */
static bool compare(tok_kind op, double l, double r)
{
    switch (op) {
    case TK_LT: return l < r;
    case TK_LE: return l <= r;
    case TK_GT: return l > r;
    case TK_GE: return l >= r;
    case TK_EQ: return l == r;
    default: return l != r;
    }
}

/* Count how many of the listed patterns (or all, nvars -1) match, stopping early. */
static int count_pats(rf_scanner *sc, const cond *c, int want)
{
    int n = c->nvars < 0 ? sc->r->npats : c->nvars, hits = 0;
    for (int i = 0; i < n && hits < want; i++)
        hits += pat(sc, c->nvars < 0 ? i : c->vars[i]);
    return hits;
}

/* Whether field f has a non-empty value / a value in the set. */
static bool field_test(const rf_scanner *sc, const cond *c)
{
    size_t n = rf_record_count(sc->rec, c->field);
    for (size_t v = 0; v < n; v++) {
        size_t len;
        const char *t = rf_record_str(sc->rec, c->field, v, &len);
        if (c->k == C_EXISTS ? len > 0 : set_contains(&sc->rs->sets[c->set], t, len))
            return true;
    }
    return false;
}

/* Evaluate a condition, lazily (patterns run only when needed). */
static bool eval(rf_scanner *sc, const cond *c)
{
    double l, r;
    int total = c->nvars < 0 ? sc->r->npats : c->nvars;
    switch (c->k) {
    case C_VAR: return pat(sc, c->var);
    case C_AND: return eval(sc, c->l) && eval(sc, c->r);
    case C_OR: return eval(sc, c->l) || eval(sc, c->r);
    case C_NOT: return !eval(sc, c->l);
    case C_ANY: return count_pats(sc, c, 1) > 0;
    case C_ALL: return count_pats(sc, c, total) == total;
    case C_NONE: return count_pats(sc, c, 1) == 0;
    case C_EXISTS:
    case C_IN: return field_test(sc, c);
    case C_CMP:
        return arith_eval(sc, c->lhs, &l) && arith_eval(sc, c->rhs, &r) && compare(c->cmp, l, r);
    }
    return false;
}

/* Evaluate pattern i of rule r alone on the current record (rules trace). */
bool scanner_pattern(rf_scanner *sc, const rule *r, int i)
{
    sc->r = r;
    memset(sc->state, -1, (size_t)r->npats);
    return pat(sc, i);
}

/* Whether rule r fires on the scanner's current record. */
bool scanner_rule_fires(rf_scanner *sc, const rule *r)
{
    sc->r = r;
    memset(sc->state, -1, (size_t)r->npats);
    if (r->when ? !eval(sc, r->when) : !(r->npats && count_pats(sc, &(cond){.nvars = -1}, 1)))
        return false;
    for (int u = 0; u < r->nunless; u++)
        if (eval(sc, r->unless[u]))
            return false;
    return true;
}

/* Copy the sentence of an occurrence, clipped around it to RF_EVIDENCE_MAX bytes. */
static const char *clip_evidence(rf_result *res, const char *t, const evidence *ev)
{
    size_t a = ev->ss, b = ev->se;
    while (a < b && (t[a] == ' ' || t[a] == '\t' || t[a] == '\n' || t[a] == '\r'))
        a++;
    while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t' || t[b - 1] == '\n' || t[b - 1] == '\r'))
        b--;
    if (b - a <= RF_EVIDENCE_MAX)
        return rf_result_strdup(res, t + a, b - a);
    size_t lo = ev->s > a + 60 ? ev->s - 60 : a;
    size_t hi = lo + RF_EVIDENCE_MAX < b ? lo + RF_EVIDENCE_MAX : b;
    while (lo < ev->s && ((unsigned char)t[lo] & 0xC0) == 0x80)
        lo++;
    while (hi < b && ((unsigned char)t[hi] & 0xC0) == 0x80)
        hi--;
    char buf[RF_EVIDENCE_MAX + 16];
    int n = snprintf(buf, sizeof buf, "%s%.*s%s", lo > a ? "…" : "", (int)(hi - lo), t + lo,
                     hi < b ? "…" : "");
    return rf_result_strdup(res, buf, (size_t)n);
}

/* Length of at most max bytes of s that ends on a UTF-8 character boundary. */
static int utf8_clip(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

/* Describe the fields a pattern-less rule read, as "path=value; …". */
static const char *field_evidence(rf_result *res, const rf_scanner *sc, const rule *r)
{
    char buf[RF_EVIDENCE_MAX + 1];
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < r->ncondfields && o < sizeof buf - 1; i++) {
        const char *v = rf_record_str(sc->rec, r->condfields[i], 0, NULL);
        if (!v)
            continue;
        int n = snprintf(buf + o, sizeof buf - o, "%s%s=%.*s", o ? "; " : "",
                         rf_field_get(r->condfields[i])->path, utf8_clip(v, 60), v);
        if (n < 0 || o + (size_t)n >= sizeof buf)
            break; /* keep whole pairs only */
        o += (size_t)n;
    }
    buf[o] = '\0';
    return rf_result_strdup(res, buf, o);
}

/* Append the flag for a rule that fired. */
static int add_flag(rf_scanner *sc, const rule *r, rf_result *res)
{
    rf_flag fl = {
        .rule = r->info.id, .indicator = r->info.indicator, .severity = r->info.severity,
        .weight = r->info.weight, .source = r->info.sources, .guideline = r->info.guideline,
    };
    int i = 0;
    while (i < r->npats && sc->state[i] != 1)
        i++;
    if (i < r->npats) {
        const evidence *cev = &sc->ev[i];
        const canon *cn = &sc->cv[sc->cvbase[cev->field] + cev->value];
        evidence ev = *cev; /* quoted from the original text, not the canonical form */
        ev.s = canon_orig(cn, cev->s, false);
        ev.e = canon_orig(cn, cev->e, true);
        ev.ss = canon_orig(cn, cev->ss, false);
        ev.se = canon_orig(cn, cev->se, true);
        fl.field = rf_field_get(ev.field)->path;
        fl.evidence = clip_evidence(res, rf_record_str(sc->rec, ev.field, ev.value, NULL), &ev);
    } else {
        fl.field = r->ncondfields ? rf_field_get(r->condfields[0])->path : "";
        fl.evidence = field_evidence(res, sc, r);
    }
    if (!fl.evidence)
        return RF_ENOMEM;
    return rf_result_add_flag(res, &fl);
}

/* Find which literal groups occur in this record, in one pass per value. */
static void run_prefilter(rf_scanner *sc)
{
    const rf_ruleset *rs = sc->rs;
    sc->maybe_all = !sc->prefilter;
    if (sc->maybe_all)
        return;
    memset(sc->maybe, 0, rs->ngroups);
    for (int f = 0; f < RF_F_COUNT && !sc->maybe_all; f++) {
        bool scan = sc->field_ok[f] && (sc->present >> f & 1);
        size_t n = scan ? rf_record_count(sc->rec, (rf_field)f) : 0;
        for (size_t v = 0; v < n && !sc->maybe_all; v++) {
            const canon *cn = &sc->cv[sc->cvbase[f] + v];
            sc->maybe_all = !acm_scan(rs->ac, cn->text, cn->len, sc->maybe);
        }
    }
}

/* Turn the literal prefilter on (the default) or off; results are the same. */
void rf_scanner_set_prefilter(rf_scanner *s, bool on)
{
    s->prefilter = on;
}

/* Room for k canonical values; false on ENOMEM. */
static bool cv_reserve(rf_scanner *sc, size_t k)
{
    if (k <= sc->capcv)
        return true;
    size_t n = k * 2;
    canon *p = realloc(sc->cv, n * sizeof *p);
    if (!p)
        return false;
    memset(p + sc->capcv, 0, (n - sc->capcv) * sizeof *p);
    sc->cv = p;
    sc->capcv = n;
    return true;
}

/* Canonicalise the values of field f (valid UTF-8) for the patterns; false on ENOMEM. */
static bool canon_field(rf_scanner *sc, rf_field f)
{
    size_t n = rf_record_count(sc->rec, f);
    if (!cv_reserve(sc, sc->ncv + n))
        return false;
    sc->cvbase[f] = sc->ncv;
    for (size_t v = 0; v < n; v++) {
        canon *c = &sc->cv[sc->ncv++];
        if (c->cap > CANON_KEEP)
            canon_free(c); /* do not keep a huge value's buffers for the next record */
        size_t len;
        const char *t = rf_record_str(sc->rec, f, v, &len);
        canon_text(c, t, len); /* on ENOMEM it views the original text */
    }
    return true;
}

/* Check once per record which scanned fields hold valid UTF-8, canonicalise
 * them, then prefilter. A field that cannot be checked or canonicalised is not
 * scanned (as invalid UTF-8 is not). */
static void check_fields(rf_scanner *sc)
{
    sc->present = rf_record_fields(sc->rec);
    sc->ncv = 0;
    memcpy(sc->field_ok, sc->rs->field_scanned, sizeof sc->field_ok);
    for (int f = 0; f < RF_F_COUNT; f++) {
        if (!(sc->present >> f & 1) || !sc->field_ok[f])
            continue;
        size_t n = rf_record_count(sc->rec, (rf_field)f);
        for (size_t v = 0; v < n && sc->field_ok[f]; v++) {
            size_t len;
            const char *t = rf_record_str(sc->rec, (rf_field)f, v, &len);
            sc->field_ok[f] = utf8_valid((const unsigned char *)t, len);
        }
        if (sc->field_ok[f])
            sc->field_ok[f] = canon_field(sc, (rf_field)f);
    }
    run_prefilter(sc);
}

/* Note in the result each field on which rule r hit a PCRE2 limit. */
static int add_incomplete(rf_scanner *sc, const rule *r, rf_result *res)
{
    int rc = RF_OK;
    for (int f = 0; rc == RF_OK && f < RF_F_COUNT; f++)
        if (sc->limit_fields >> f & 1)
            rc = rf_result_add_incomplete(res, r->info.id, rf_field_get((rf_field)f)->path);
    sc->limit_fields = 0;
    return rc;
}

/* Evaluate the rules of one scope (or all, scope -1) on a record, appending flags. */
static int scan(rf_scanner *sc, const rf_record *rec, int scope, rf_result *res)
{
    sc->rec = rec;
    check_fields(sc);
    for (size_t i = 0; i < sc->rs->nrules; i++) {
        const rule *r = &sc->rs->rules[i];
        if (scope >= 0 && (int)r->scope != scope)
            continue;
        if (!(r->reads & sc->present) && !r->fires_empty)
            continue; /* it reads only absent fields: the same as on an empty record */
        sc->limit_fields = 0;
        int rc = scanner_rule_fires(sc, r) ? add_flag(sc, r, res) : RF_OK;
        if (rc == RF_OK && sc->limit_fields)
            rc = add_incomplete(sc, r, res);
        if (rc != RF_OK)
            return rc;
    }
    return RF_OK;
}

/* Evaluate every rule on a record, appending flags. */
int rf_scanner_scan(rf_scanner *sc, const rf_record *rec, rf_result *res)
{
    return scan(sc, rec, -1, res);
}

/* Evaluate the rules of one scope on a record. */
int rf_scanner_scan_scope(rf_scanner *sc, const rf_record *rec, rf_rule_scope scope,
                          rf_result *res)
{
    if ((int)scope < 0 || scope >= RF_SCOPE_COUNT)
        return RF_EINVAL;
    return scan(sc, rec, (int)scope, res);
}

/* The ruleset of a scanner. */
const rf_ruleset *rf_scanner_ruleset(const rf_scanner *sc)
{
    return sc->rs;
}

/* Work out which rules fire on a record with none of their fields, by running
 * each on an empty record (a rule's verdict depends only on the fields it reads). */
int scanner_mark_empty(rf_ruleset *rs)
{
    rf_scanner *sc = NULL;
    rf_record *empty = NULL;
    int rc = rf_scanner_create(&sc, rs);
    if (rc == RF_OK)
        rc = rf_record_create(&empty);
    if (rc == RF_OK) {
        scanner_begin(sc, empty);
        for (size_t i = 0; i < rs->nrules; i++)
            rs->rules[i].fires_empty = scanner_rule_fires(sc, &rs->rules[i]);
    }
    rf_record_destroy(empty);
    rf_scanner_destroy(sc);
    return rc;
}

/* Prepare the scanner for a single-rule evaluation on rec. */
void scanner_begin(rf_scanner *sc, const rf_record *rec)
{
    sc->rec = rec;
    check_fields(sc);
}
