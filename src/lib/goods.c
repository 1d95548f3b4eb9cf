/* Goods x origin: the DOL List of Goods table, compiled once, joined per record. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/country.h"
#include "redflag/goods.h"
#include "prefilter.h"

/* The same bounds as the rule engine (rules_int.h). */
#define MATCH_LIMIT 200000u
#define DEPTH_LIMIT 2000u
#define HEAP_LIMIT_KB 8192u
#define MAX_ORIGINS 8
#define EVIDENCE_VALUE_MAX 120

enum { K_HS, K_HS_WEAK, K_HS_OLD, K_CPV, K_CPV_WEAK, K_NCODES };

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

typedef struct good {
    rf_goods_info info;
    char *key;             /* name folded for lookups */
    strv codes[K_NCODES];
    strv match, exclude;   /* pattern sources */
    int *match_lines, *exclude_lines;
    pcre2_code *re_match, *re_exclude;
    strv branches;         /* top-level alternatives of every match line */
    litreq *lits;          /* per branch: literals every match needs */
    bool *always;          /* per branch: no literal requirement found */
    uint32_t *gid;         /* per branch: its first prefilter group */
    int input;             /* index of the input good, or -1 */
    char *input_name;
    int input_line;
} good;

typedef struct listing {
    int good;
    char cc[3], dcc[3];
    unsigned flags;
    char *country;         /* as the List writes it */
    char *dcountry;        /* derived input's country as written, or NULL */
} listing;

struct rf_goods_table {
    good *goods;
    size_t ngoods, capgoods;
    listing *lists;
    size_t nlists, caplists;
    pcre2_match_context *mctx;
    acm *ac;               /* prefilter automaton over every match line's literals */
    uint32_t ngroups;
    char *edition;
};

/* Which field identified a good for the current record. */
enum { HOW_HS = 1, HOW_CPV, HOW_DESC };

struct rf_goods_scanner {
    const rf_goods_table *t;
    pcre2_match_data *md;
    signed char *state;    /* per good: -1 unknown, 0 no, 1 yes */
    unsigned char *how;
    size_t *value;         /* index of the value that identified it */
    uint8_t *mark;         /* per prefilter group: one of its literals occurs */
    bool all;              /* prefilter gave up on this record: run every pattern */
    unsigned long limit_hits;
};

static const char *const key_names[K_NCODES] = {"hs", "hs_weak", "hs_old", "cpv", "cpv_weak"};

/* ---- small helpers ---- */

/* Fill diag with file:line:col and a message; returns RF_ESYNTAX. */
static int syntax(rf_diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int syntax(rf_diag *d, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    snprintf(d->file, sizeof d->file, "%s", file);
    d->line = line;
    d->col = col;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return RF_ESYNTAX;
}

/* Append a copy of s[0..n) to v. */
static int strv_push(strv *v, const char *s, size_t n)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 4;
        char **p = realloc(v->v, cap * sizeof *p);
        if (!p)
            return RF_ENOMEM;
        v->v = p;
        v->cap = cap;
    }
    if (!(v->v[v->n] = strndup(s, n)))
        return RF_ENOMEM;
    v->n++;
    return RF_OK;
}

/* Free every string of v. */
static void strv_free(strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
}

/* Fold a name for comparison: ASCII lower case, Latin-1 letters to their
 * base letter, combining accents (U+0300..U+036F) dropped. */
static void fold(const char *s, char *out, size_t cap)
{
    static const char latin1[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts"; /* U+00C0..U+00DF */
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < cap; p++) {
        if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            out[n++] = latin1[(p[1] - 0x80) & 0x1F];
            p++;
        } else if ((*p == 0xCC && p[1] >= 0x80) || (*p == 0xCD && p[1] >= 0x80 && p[1] <= 0xAF)) {
            p++;
        } else {
            out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        }
    }
    out[n] = '\0';
}

/* The default slug of a folded name: runs of non-alphanumerics become '_'. */
static char *make_slug(const char *key)
{
    size_t n = strlen(key), k = 0;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        bool an = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (an)
            s[k++] = (char)c;
        else if (k && s[k - 1] != '_')
            s[k++] = '_';
    }
    while (k && s[k - 1] == '_')
        k--;
    s[k] = '\0';
    return s;
}

/* Digits of a code value: HS keeps every digit; CPV keeps the 8 before any
 * check digit and drops trailing zeros (its hierarchy). Returns the length. */
static size_t code_digits(const char *s, size_t len, bool cpv, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            out[n++] = s[i];
        else if (cpv && s[i] == '-')
            break;
    }
    if (cpv) {
        if (n > 8)
            n = 8;
        while (n && out[n - 1] == '0')
            n--;
    }
    out[n] = '\0';
    return n;
}

/* ---- table file parser ---- */

typedef struct parser {
    rf_goods_table *t;
    const char *file;
    int line;
    rf_diag *diag;
    int last;              /* index of the previous line's good */
} parser;

/* The good named name[0..n), added when new; its index or a negative error. */
static int good_for(parser *ps, const char *name, size_t n)
{
    rf_goods_table *t = ps->t;
    if (ps->last >= 0 && strlen(t->goods[ps->last].info.name) == n &&
        memcmp(t->goods[ps->last].info.name, name, n) == 0)
        return ps->last;
    for (size_t i = 0; i < t->ngoods; i++)
        if (strlen(t->goods[i].info.name) == n && memcmp(t->goods[i].info.name, name, n) == 0)
            return ps->last = (int)i;
    if (t->ngoods == t->capgoods) {
        size_t cap = t->capgoods ? 2 * t->capgoods : 64;
        good *g = realloc(t->goods, cap * sizeof *g);
        if (!g)
            return RF_ENOMEM;
        t->goods = g;
        t->capgoods = cap;
    }
    good *g = &t->goods[t->ngoods];
    memset(g, 0, sizeof *g);
    g->input = -1;
    g->info.line = ps->line;
    char key[512];
    if (!(g->info.name = strndup(name, n)))
        return RF_ENOMEM;
    fold(g->info.name, key, sizeof key);
    if (!(g->key = strdup(key)))
        return RF_ENOMEM;
    t->ngoods++;
    return ps->last = (int)(t->ngoods - 1);
}

/* Add a pattern line to a good's match or exclude list. */
static int add_pattern(strv *v, int **lines, const char *s, size_t n, int line)
{
    int *l = realloc(*lines, (v->n + 1) * sizeof *l);
    if (!l)
        return RF_ENOMEM;
    *lines = l;
    l[v->n] = line;
    return strv_push(v, s, n);
}

/* Add space-separated code prefixes to one of a good's code lists. */
static int add_codes(parser *ps, good *g, int kind, const char *s, size_t n, int col)
{
    bool cpv = kind >= K_CPV;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ','))
            i++;
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != ',')
            j++;
        if (j == i)
            break;
        char d[16];
        size_t k = 0;
        bool ok = true;
        for (size_t x = i; x < j; x++)
            ok = ok && ((s[x] >= '0' && s[x] <= '9') || s[x] == '.' || (cpv && s[x] == '-'));
        if (ok)
            k = code_digits(s + i, j - i, cpv, d, sizeof d);
        if (!ok || (!cpv && (k < 2 || k > 6 || k % 2)) || (cpv && (k < 2 || j - i < 8)))
            return syntax(ps->diag, ps->file, ps->line, col + (int)i,
                          cpv ? "bad CPV code '%.*s': 8 digits, optional check digit"
                              : "bad HS code '%.*s': 2, 4 or 6 digits",
                          (int)(j - i), s + i);
        int rc = strv_push(&g->codes[kind], d, k);
        if (rc)
            return rc;
        i = j;
    }
    return RF_OK;
}

/* Store one KEY VALUE fact for good g. */
static int set_fact(parser *ps, good *g, const char *key, size_t kn, const char *v, size_t vn,
                    int vcol)
{
#define IS(k) (kn == sizeof(k) - 1 && memcmp(key, k, kn) == 0)
    if (IS("match"))
        return add_pattern(&g->match, &g->match_lines, v, vn, ps->line);
    if (IS("exclude"))
        return add_pattern(&g->exclude, &g->exclude_lines, v, vn, ps->line);
    for (int k = 0; k < K_NCODES; k++)
        if (kn == strlen(key_names[k]) && memcmp(key, key_names[k], kn) == 0)
            return add_codes(ps, g, k, v, vn, vcol);
    if (IS("input") || IS("slug")) {
        char **dst = IS("input") ? &g->input_name : (char **)&g->info.slug;
        if (*dst)
            return syntax(ps->diag, ps->file, ps->line, 1, "second '%.*s' for good '%s'",
                          (int)kn, key, g->info.name);
        g->input_line = IS("input") ? ps->line : g->input_line;
        return (*dst = strndup(v, vn)) ? RF_OK : RF_ENOMEM;
    }
    if (IS("note"))
        return RF_OK;
#undef IS
    return syntax(ps->diag, ps->file, ps->line, (int)(key - v) + vcol,
                  "unknown key '%.*s' (match, exclude, hs, hs_weak, hs_old, cpv, cpv_weak, "
                  "input, slug or note)",
                  (int)kn, key);
}

/* Parse one non-comment line "GOOD<TAB>KEY<TAB>VALUE". */
static int parse_line(parser *ps, const char *s, size_t n)
{
    const char *t1 = memchr(s, '\t', n);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - s)) : NULL;
    if (!t1 || !t2)
        return syntax(ps->diag, ps->file, ps->line, 1,
                      "expected three TAB-separated columns: GOOD, KEY, VALUE");
    size_t gn = (size_t)(t1 - s), kn = (size_t)(t2 - t1 - 1), vn = n - (size_t)(t2 + 1 - s);
    while (vn && (t2[vn] == ' ' || t2[vn] == '\r'))
        vn--;
    if (!gn || !kn || !vn)
        return syntax(ps->diag, ps->file, ps->line, !gn ? 1 : (int)(t2 - s) + 1,
                      "empty %s", !gn ? "good name" : !kn ? "key" : "value");
    int gi = good_for(ps, s, gn);
    if (gi < 0)
        return gi;
    return set_fact(ps, &ps->t->goods[gi], t1 + 1, kn, t2 + 1, vn, (int)(t2 + 1 - s) + 1);
}

/* Parse the whole table text. */
static int parse_text(parser *ps, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    ps->last = -1;
    for (ps->line = 1; p < end; ps->line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r')
            n--;
        size_t lead = 0;
        while (lead < n && (p[lead] == ' ' || p[lead] == '\r'))
            lead++;
        if (memchr(p, '\0', n))
            return syntax(ps->diag, ps->file, ps->line, 1, "NUL byte in the table");
        if (lead < n && p[lead] != '#') {
            int rc = parse_line(ps, p, n);
            if (rc)
                return rc;
        }
        p = nl ? nl + 1 : end;
    }
    return RF_OK;
}

/* ---- compiling ---- */

/* Compile one pattern (no JIT) to check it; diag at its line on error. */
static int check_pattern(parser *ps, const char *src, int line)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_CASELESS, &err, &off, NULL);
    if (re) {
        pcre2_code_free(re);
        return RF_OK;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return syntax(ps->diag, ps->file, line, (int)off + 1, "invalid pattern: %s", (char *)msg);
}

/* Join patterns as (?:p1)|(?:p2)… and compile them (JIT when jit); *out NULL
 * when there are none. */
static int compile_joined(parser *ps, const strv *v, const int *lines, bool jit,
                          pcre2_code **out)
{
    size_t len = 1;
    *out = NULL;
    if (!v->n)
        return RF_OK;
    for (size_t i = 0; i < v->n; i++) {
        int rc = check_pattern(ps, v->v[i], lines[i]);
        if (rc)
            return rc;
        len += strlen(v->v[i]) + 6;
    }
    char *src = malloc(len), *p = src;
    if (!src)
        return RF_ENOMEM;
    for (size_t i = 0; i < v->n; i++)
        p += sprintf(p, "%s(?:%s)", i ? "|" : "", v->v[i]);
    int err;
    PCRE2_SIZE off;
    *out = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_CASELESS,
                         &err, &off, NULL);
    free(src);
    if (!*out)
        return syntax(ps->diag, ps->file, lines[0], 1, "patterns do not combine (error %d)", err);
    if (jit)
        pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return RF_OK;
}

/* Split a pattern at its top-level '|' (outside groups and classes) into v;
 * a pattern using \Q...\E is kept whole. */
static int split_top(strv *v, const char *p)
{
    int depth = 0;
    bool cls = false;
    const char *start = p;
    if (strstr(p, "\\Q"))
        return strv_push(v, p, strlen(p));
    for (const char *c = p; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
        } else if (cls) {
            cls = *c != ']';
        } else if (*c == '[') {
            cls = true;
            if (c[1] == '^')
                c++;
            if (c[1] == ']')
                c++;
        } else if (*c == '(') {
            depth++;
        } else if (*c == ')') {
            depth--;
        } else if (*c == '|' && depth == 0) {
            int rc = strv_push(v, start, (size_t)(c - start));
            if (rc)
                return rc;
            start = c + 1;
        }
    }
    return strv_push(v, start, strlen(start));
}

/* Extract the literals every match of each branch of g's match lines needs;
 * splitting first keeps each extraction small (the union is the same). */
static int extract_lits(good *g)
{
    for (size_t i = 0; i < g->match.n; i++) {
        int rc = split_top(&g->branches, g->match.v[i]);
        if (rc)
            return rc;
    }
    size_t n = g->branches.n;
    g->lits = calloc(n, sizeof *g->lits);
    g->always = calloc(n, sizeof *g->always);
    g->gid = calloc(n, sizeof *g->gid);
    if (!g->lits || !g->always || !g->gid)
        return RF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        g->always[i] = !prefilter_extract(g->branches.v[i], true, &g->lits[i]);
    return RF_OK;
}

/* Number the literal groups of every match line and build one automaton. */
static int build_prefilter(rf_goods_table *t)
{
    size_t nlits = 0, k = 0;
    for (size_t i = 0; i < t->ngoods; i++)
        for (size_t m = 0; m < t->goods[i].branches.n; m++) {
            const litreq *rq = &t->goods[i].lits[m];
            t->goods[i].gid[m] = t->ngroups;
            t->ngroups += (uint32_t)rq->ng;
            for (int g = 0; g < rq->ng; g++)
                nlits += rq->g[g].n;
        }
    char **lits = malloc((nlits + 1) * sizeof *lits);
    uint32_t *tags = malloc((nlits + 1) * sizeof *tags);
    int rc = lits && tags ? RF_OK : RF_ENOMEM;
    for (size_t i = 0; rc == RF_OK && i < t->ngoods; i++)
        for (size_t m = 0; m < t->goods[i].branches.n; m++) {
            const litreq *rq = &t->goods[i].lits[m];
            for (int g = 0; g < rq->ng; g++)
                for (size_t j = 0; j < rq->g[g].n; j++, k++) {
                    lits[k] = rq->g[g].s[j];
                    tags[k] = t->goods[i].gid[m] + (uint32_t)g;
                }
        }
    if (rc == RF_OK && !(t->ac = acm_build(lits, tags, k)))
        rc = RF_ENOMEM;
    free(lits);
    free(tags);
    return rc;
}

/* Export a good's code lists and counts into its info. */
static void fill_info(good *g)
{
    const char *const **lists[K_NCODES] = {&g->info.hs, &g->info.hs_weak, &g->info.hs_old,
                                           &g->info.cpv, &g->info.cpv_weak};
    size_t *counts[K_NCODES] = {&g->info.nhs, &g->info.nhs_weak, &g->info.nhs_old,
                                &g->info.ncpv, &g->info.ncpv_weak};
    for (int k = 0; k < K_NCODES; k++) {
        *lists[k] = (const char *const *)g->codes[k].v;
        *counts[k] = g->codes[k].n;
    }
    g->info.nmatch = g->match.n;
    g->info.nexclude = g->exclude.n;
}

/* Finish good i: slug, rule id, patterns, input reference. */
static int finish_good(parser *ps, size_t i)
{
    rf_goods_table *t = ps->t;
    good *g = &t->goods[i];
    if (!g->match.n)
        return syntax(ps->diag, ps->file, g->info.line, 1, "good '%s' has no 'match' line",
                      g->info.name);
    if (!g->info.slug && !(g->info.slug = make_slug(g->key)))
        return RF_ENOMEM;
    for (size_t j = 0; j < i; j++)
        if (strcmp(t->goods[j].info.slug, g->info.slug) == 0)
            return syntax(ps->diag, ps->file, g->info.line, 1,
                          "goods '%s' and '%s' have the same slug '%s'", t->goods[j].info.name,
                          g->info.name, g->info.slug);
    char *rule = malloc(strlen(g->info.slug) + 7);
    if (!rule)
        return RF_ENOMEM;
    sprintf(rule, "goods.%s", g->info.slug);
    g->info.rule = rule;
    if (g->input_name) {
        g->input = rf_goods_table_find(t, g->input_name);
        if (g->input < 0 || (size_t)g->input == i)
            return syntax(ps->diag, ps->file, g->input_line, 1,
                          "input '%s' of good '%s' is not a good of the table", g->input_name,
                          g->info.name);
        g->info.input = t->goods[g->input].info.name;
    }
    /* exclude patterns run only after a match hit: not worth their JIT time */
    int rc = compile_joined(ps, &g->match, g->match_lines, true, &g->re_match);
    if (rc == RF_OK)
        rc = compile_joined(ps, &g->exclude, g->exclude_lines, false, &g->re_exclude);
    if (rc == RF_OK)
        rc = extract_lits(g);
    fill_info(g);
    return rc;
}

/* Compile the table from text. */
int rf_goods_table_load_mem(rf_goods_table **out, const char *name, const char *text,
                            size_t len, rf_diag *diag)
{
    rf_diag local;
    diag = diag ? diag : &local;
    memset(diag, 0, sizeof *diag);
    *out = NULL;
    rf_goods_table *t = calloc(1, sizeof *t);
    if (!t)
        return RF_ENOMEM;
    parser ps = {.t = t, .file = name ? name : "<goods>", .diag = diag};
    int rc = (t->mctx = pcre2_match_context_create(NULL)) ? RF_OK : RF_ENOMEM;
    if (rc == RF_OK) {
        pcre2_set_match_limit(t->mctx, MATCH_LIMIT);
        pcre2_set_depth_limit(t->mctx, DEPTH_LIMIT);
        pcre2_set_heap_limit(t->mctx, HEAP_LIMIT_KB);
        rc = parse_text(&ps, text, len);
    }
    if (rc == RF_OK && t->ngoods == 0)
        rc = syntax(diag, ps.file, 1, 1, "the table has no goods");
    for (size_t i = 0; rc == RF_OK && i < t->ngoods; i++)
        rc = finish_good(&ps, i);
    if (rc == RF_OK)
        rc = build_prefilter(t);
    if (rc == RF_OK)
        rc = rf_goods_table_set_edition(t, NULL);
    if (rc) {
        if (rc == RF_ENOMEM && !diag->msg[0])
            snprintf(diag->msg, sizeof diag->msg, "%s", rf_strerror(rc));
        rf_goods_table_destroy(t);
        return rc;
    }
    *out = t;
    return RF_OK;
}

/* Read the table file and compile it. */
int rf_goods_table_load(rf_goods_table **out, const char *path, rf_diag *diag)
{
    rf_diag local;
    diag = diag ? diag : &local;
    memset(diag, 0, sizeof *diag);
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    int rc = RF_EIO;
    if (fp && fseek(fp, 0, SEEK_END) == 0) {
        long n = ftell(fp);
        if (n >= 0 && fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
            fread(buf, 1, (size_t)n, fp) == (size_t)n) {
            len = (size_t)n;
            rc = RF_OK;
        }
    }
    if (fp)
        fclose(fp);
    if (rc == RF_OK)
        rc = rf_goods_table_load_mem(out, path, buf, len, diag);
    else {
        snprintf(diag->file, sizeof diag->file, "%s", path);
        snprintf(diag->msg, sizeof diag->msg, "cannot read the goods table");
    }
    free(buf);
    return rc;
}

/* Free the table. */
void rf_goods_table_destroy(rf_goods_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ngoods; i++) {
        good *g = &t->goods[i];
        free((char *)g->info.name);
        free((char *)g->info.slug);
        free((char *)g->info.rule);
        free(g->key);
        free(g->input_name);
        for (int k = 0; k < K_NCODES; k++)
            strv_free(&g->codes[k]);
        strv_free(&g->match);
        strv_free(&g->exclude);
        free(g->match_lines);
        free(g->exclude_lines);
        pcre2_code_free(g->re_match);
        pcre2_code_free(g->re_exclude);
        for (size_t m = 0; g->lits && m < g->branches.n; m++)
            litreq_free(&g->lits[m]);
        strv_free(&g->branches);
        free(g->lits);
        free(g->always);
        free(g->gid);
    }
    free(t->goods);
    acm_free(t->ac);
    for (size_t i = 0; i < t->nlists; i++) {
        free(t->lists[i].country);
        free(t->lists[i].dcountry);
    }
    free(t->lists);
    pcre2_match_context_free(t->mctx);
    free(t->edition);
    free(t);
}

/* ---- listings ---- */

/* Index of the good with this name, ignoring case and accents. */
int rf_goods_table_find(const rf_goods_table *t, const char *name)
{
    char key[512];
    fold(name, key, sizeof key);
    for (size_t i = 0; i < t->ngoods; i++)
        if (strcmp(t->goods[i].key, key) == 0)
            return (int)i;
    return -1;
}

/* Add one DOL listing. */
int rf_goods_table_add_listing(rf_goods_table *t, const rf_goods *row)
{
    if (!t || !row || !row->good)
        return RF_EINVAL;
    int gi = rf_goods_table_find(t, row->good);
    if (gi < 0 || !row->country || strlen(row->country) != 2)
        return RF_ENOTFOUND;
    if (t->nlists == t->caplists) {
        size_t cap = t->caplists ? 2 * t->caplists : 256;
        listing *l = realloc(t->lists, cap * sizeof *l);
        if (!l)
            return RF_ENOMEM;
        t->lists = l;
        t->caplists = cap;
    }
    listing *l = &t->lists[t->nlists];
    memset(l, 0, sizeof *l);
    l->good = gi;
    l->flags = row->flags;
    memcpy(l->cc, row->country, 2);
    if (row->derived_country && strlen(row->derived_country) == 2)
        memcpy(l->dcc, row->derived_country, 2);
    l->country = strdup(row->country_name ? row->country_name : row->country);
    l->dcountry = row->derived_country_name ? strdup(row->derived_country_name) : NULL;
    if (!l->country || (row->derived_country_name && !l->dcountry)) {
        free(l->country);
        free(l->dcountry);
        return RF_ENOMEM;
    }
    t->nlists++;
    t->goods[gi].info.nlistings++;
    return RF_OK;
}

typedef struct dol_ctx {
    rf_goods_table *t;
    size_t unknown;
} dol_ctx;

/* Feed-parser callback: add a row, counting the ones the table cannot take. */
static int dol_row(const rf_goods *g, void *ud)
{
    dol_ctx *c = ud;
    int rc = rf_goods_table_add_listing(c->t, g);
    if (rc == RF_ENOTFOUND) {
        c->unknown++;
        return 0;
    }
    return rc;
}

/* Parse a DOL XML file and add its listings. */
int rf_goods_table_add_dol(rf_goods_table *t, const rf_feed_src *src, size_t *unknown,
                           rf_feed_diag *diag)
{
    dol_ctx c = {.t = t};
    int rc = rf_feed_parse_dol_goods(src, dol_row, &c, diag);
    if (unknown)
        *unknown = c.unknown;
    return rc;
}

/* Set the edition named in evidence. */
int rf_goods_table_set_edition(rf_goods_table *t, const char *edition)
{
    char buf[128];
    snprintf(buf, sizeof buf, "US DOL List of Goods%s%s", edition && *edition ? " " : "",
             edition ? edition : "");
    char *s = strdup(buf);
    if (!s)
        return RF_ENOMEM;
    free(t->edition);
    t->edition = s;
    return RF_OK;
}

/* Number of goods. */
size_t rf_goods_table_count(const rf_goods_table *t)
{
    return t->ngoods;
}

/* Description of good i. */
const rf_goods_info *rf_goods_table_good(const rf_goods_table *t, size_t i)
{
    return i < t->ngoods ? &t->goods[i].info : NULL;
}

/* Number of listings. */
size_t rf_goods_table_listings(const rf_goods_table *t)
{
    return t->nlists;
}

/* ---- scanning ---- */

/* Create a scanner for t. */
int rf_goods_scanner_create(rf_goods_scanner **out, const rf_goods_table *t)
{
    rf_goods_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return RF_ENOMEM;
    size_t n = t->ngoods + 1;
    s->t = t;
    s->md = pcre2_match_data_create(1, NULL);
    s->state = malloc(n);
    s->how = malloc(n);
    s->value = malloc(n * sizeof *s->value);
    s->mark = calloc(t->ngroups + 1, 1);
    if (!s->md || !s->state || !s->how || !s->value || !s->mark) {
        rf_goods_scanner_destroy(s);
        return RF_ENOMEM;
    }
    *out = s;
    return RF_OK;
}

/* Free a scanner. */
void rf_goods_scanner_destroy(rf_goods_scanner *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    free(s->state);
    free(s->how);
    free(s->value);
    free(s->mark);
    free(s);
}

/* Pattern evaluations that hit a limit. */
unsigned long rf_goods_scanner_limit_hits(const rf_goods_scanner *s)
{
    return s->limit_hits;
}

/* Whether re matches text; limit and UTF errors count as no match. */
static bool re_hit(rf_goods_scanner *s, const pcre2_code *re, const char *text, size_t len)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, s->md, s->t->mctx);
    if (rc >= 0)
        return true;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT)
        s->limit_hits++;
    return false;
}

/* Whether some prefix in v starts code c (is_prefix) or c starts some entry. */
static bool any_prefix(const strv *v, const char *c, size_t n, bool of_code)
{
    for (size_t i = 0; i < v->n; i++) {
        size_t pn = strlen(v->v[i]);
        if (of_code ? (pn <= n && memcmp(v->v[i], c, pn) == 0)
                    : (n < pn && memcmp(v->v[i], c, n) == 0))
            return true;
    }
    return false;
}

/* What the record's code field says about good g: 1 it is, 0 it is not,
 * -1 the code cannot tell (absent, shared prefix, too short). */
static int code_decides(const good *g, const rf_record *rec, bool cpv, size_t *which)
{
    const strv *strong = &g->codes[cpv ? K_CPV : K_HS];
    const strv *weak[2] = {&g->codes[cpv ? K_CPV_WEAK : K_HS_WEAK], &g->codes[K_HS_OLD]};
    int nweak = cpv ? 1 : 2, verdict = 0;
    size_t nv = rf_record_count(rec, cpv ? RF_F_ITEM_CPV : RF_F_ITEM_HS), seen = 0;
    if (!strong->n && !weak[0]->n && (cpv || !weak[1]->n))
        return -1;
    for (size_t v = 0; v < nv; v++) {
        size_t len;
        const char *s = rf_record_str(rec, cpv ? RF_F_ITEM_CPV : RF_F_ITEM_HS, v, &len);
        char d[16];
        size_t n = code_digits(s, len, cpv, d, sizeof d);
        if (n < 2)
            continue;
        seen++;
        if (any_prefix(strong, d, n, true)) {
            *which = v;
            return 1;
        }
        bool undecided = any_prefix(strong, d, n, false);
        for (int w = 0; w < nweak; w++)
            undecided = undecided || any_prefix(weak[w], d, n, true) ||
                        any_prefix(weak[w], d, n, false);
        if (undecided)
            verdict = -1;
    }
    return seen ? verdict : -1;
}

/* Mark the prefilter groups whose literals occur in the record's descriptions. */
static void prefilter_pass(const rf_goods_table *t, rf_goods_scanner *s, const rf_record *rec)
{
    size_t nv = rf_record_count(rec, RF_F_ITEM_DESCRIPTION);
    memset(s->mark, 0, t->ngroups + 1);
    s->all = false;
    for (size_t v = 0; v < nv; v++) {
        size_t len;
        const char *text = rf_record_str(rec, RF_F_ITEM_DESCRIPTION, v, &len);
        if (!acm_scan(t->ac, text, len, s->mark))
            s->all = true;
    }
}

/* Whether some branch of g may match: every literal group it needs occurs. */
static bool may_match(const rf_goods_scanner *s, const good *g)
{
    if (s->all)
        return true;
    for (size_t m = 0; m < g->branches.n; m++) {
        bool ok = true;
        for (int k = 0; ok && !g->always[m] && k < g->lits[m].ng; k++)
            ok = s->mark[g->gid[m] + (uint32_t)k];
        if (ok)
            return true;
    }
    return false;
}

/* Whether a description value names good g. */
static bool desc_hit(rf_goods_scanner *s, const good *g, const rf_record *rec, size_t *which)
{
    size_t nv = rf_record_count(rec, RF_F_ITEM_DESCRIPTION);
    if (!nv || !may_match(s, g))
        return false;
    for (size_t v = 0; v < nv; v++) {
        size_t len;
        const char *t = rf_record_str(rec, RF_F_ITEM_DESCRIPTION, v, &len);
        if (re_hit(s, g->re_match, t, len) &&
            !(g->re_exclude && re_hit(s, g->re_exclude, t, len))) {
            *which = v;
            return true;
        }
    }
    return false;
}

/* Whether the record's item is good gi (memoised per record). */
static bool is_good(rf_goods_scanner *s, const rf_record *rec, int gi)
{
    if (s->state[gi] >= 0)
        return s->state[gi];
    const good *g = &s->t->goods[gi];
    size_t which = 0;
    int d = code_decides(g, rec, false, &which);
    unsigned char how = HOW_HS;
    if (d < 0) {
        d = code_decides(g, rec, true, &which);
        how = HOW_CPV;
    }
    if (d < 0) {
        d = desc_hit(s, g, rec, &which);
        how = HOW_DESC;
    }
    s->how[gi] = how;
    s->value[gi] = which;
    return (s->state[gi] = (signed char)(d > 0));
}

/* The record's origin countries: item.origin, else manufacturer.country. */
static size_t origins(const rf_record *rec, char cc[][3])
{
    rf_field f = rf_record_count(rec, RF_F_ITEM_ORIGIN) ? RF_F_ITEM_ORIGIN
                                                        : RF_F_MANUFACTURER_COUNTRY;
    size_t n = 0, nv = rf_record_count(rec, f);
    for (size_t v = 0; v < nv && n < MAX_ORIGINS; v++) {
        size_t len;
        const char *s = rf_record_str(rec, f, v, &len);
        char c[3];
        if (rf_country_normalize(s, len, c) != RF_OK)
            continue;
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup = dup || memcmp(cc[i], c, 3) == 0;
        if (!dup)
            memcpy(cc[n++], c, 3);
    }
    return n;
}

/* Words for a listing's own flags, e.g. "child labour, forced labour". */
static void flag_words(unsigned flags, char *out, size_t cap)
{
    static const struct { unsigned bit; const char *w; } words[] = {
        {RF_GOODS_CHILD_LABOR, "child labour"},
        {RF_GOODS_FORCED_LABOR, "forced labour"},
        {RF_GOODS_FORCED_CHILD_LABOR, "forced child labour"}};
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (flags & words[i].bit)
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "",
                                  words[i].w);
}

/* The input's own listing in the derived country, or NULL. */
static const listing *input_listing(const rf_goods_table *t, const listing *l)
{
    int in = t->goods[l->good].input;
    for (size_t i = 0; in >= 0 && l->dcc[0] && i < t->nlists; i++)
        if (t->lists[i].good == in && memcmp(t->lists[i].cc, l->dcc, 2) == 0)
            return &t->lists[i];
    return NULL;
}

/* Severity and weight of a listing's flag; *what describes the listing. */
static void rate(const rf_goods_table *t, const listing *l, rf_level *sev, int *w, char *what,
                 size_t cap)
{
    unsigned f = l->flags & ~(unsigned)RF_GOODS_DERIVED;
    if (f) {
        bool fcl = f & RF_GOODS_FORCED_CHILD_LABOR, fl = f & RF_GOODS_FORCED_LABOR;
        *sev = fcl || fl ? RF_LEVEL_HIGH : RF_LEVEL_MEDIUM;
        *w = fcl ? RF_GOODS_W_FORCED_CHILD : fl ? RF_GOODS_W_FORCED : RF_GOODS_W_CHILD;
        flag_words(f, what, cap);
        return;
    }
    const listing *in = input_listing(t, l);
    unsigned inf = in ? in->flags & ~(unsigned)RF_GOODS_DERIVED : 0;
    bool forced = inf & (RF_GOODS_FORCED_LABOR | RF_GOODS_FORCED_CHILD_LABOR);
    *sev = forced ? RF_LEVEL_HIGH : RF_LEVEL_MEDIUM;
    *w = forced ? RF_GOODS_W_DERIVED_FORCED : RF_GOODS_W_DERIVED_CHILD;
    char words[96];
    flag_words(inf, words, sizeof words);
    if (in)
        snprintf(what, cap, "made with an input listed for %s (%s from %s)", words,
                 t->goods[in->good].info.name, in->country);
    else
        snprintf(what, cap, "made with an input produced with child or forced labour%s%s",
                 l->dcountry ? " from " : "", l->dcountry ? l->dcountry : "");
}

/* Clip s to at most max bytes on a UTF-8 boundary; the length kept. */
static size_t clip(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Append the flag for listing l of a good the record was found to be. */
static int add_flag(const rf_goods_table *t, rf_goods_scanner *s, const rf_record *rec,
                    const listing *l, rf_result *res)
{
    static const rf_field fields[] = {0, RF_F_ITEM_HS, RF_F_ITEM_CPV, RF_F_ITEM_DESCRIPTION};
    const good *g = &t->goods[l->good];
    rf_field f = fields[s->how[l->good]];
    size_t len;
    const char *val = rf_record_str(rec, f, s->value[l->good], &len);
    char what[256], ev[768], src[512];
    rf_flag fl = {.rule = g->info.rule, .indicator = "high_risk_origin",
                  .field = rf_field_get(f)->path, .guideline = "OSCE-MG-2018:procurement"};
    rate(t, l, &fl.severity, &fl.weight, what, sizeof what);
    snprintf(ev, sizeof ev, "%s from %s: %s (%s); %s: \"%.*s\"", g->info.name, l->country, what,
             t->edition, fl.field, (int)clip(val, len, EVIDENCE_VALUE_MAX), val);
    snprintf(src, sizeof src,
             "US DOL List of Goods Produced by Child Labor or Forced Labor (%s, %s: %s)",
             g->info.name, l->country, what);
    fl.evidence = rf_result_strdup(res, ev, strlen(ev));
    fl.source = rf_result_strdup(res, src, strlen(src));
    if (!fl.evidence || !fl.source)
        return RF_ENOMEM;
    return rf_result_add_flag(res, &fl);
}

/* Join the record's item and origin against the table. */
int rf_goods_table_scan(const rf_goods_table *t, rf_goods_scanner *s, const rf_record *rec,
                        rf_result *res)
{
    if (!t || !s || s->t != t || !rec || !res)
        return RF_EINVAL;
    char cc[MAX_ORIGINS][3];
    size_t no = origins(rec, cc);
    if (!no)
        return RF_OK;
    memset(s->state, -1, t->ngoods);
    prefilter_pass(t, s, rec);
    for (size_t i = 0; i < t->nlists; i++) {
        const listing *l = &t->lists[i];
        bool from = false;
        for (size_t o = 0; o < no && !from; o++)
            from = memcmp(l->cc, cc[o], 2) == 0;
        if (!from || !is_good(s, rec, l->good))
            continue;
        int rc = add_flag(t, s, rec, l, res);
        if (rc)
            return rc;
    }
    return RF_OK;
}
