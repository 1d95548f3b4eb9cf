/* Goods x origin: loading and compiling the DOL List of Goods table (goods_scan.c joins records). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/country.h"
#include "redflag/goods.h"
#include "goods_int.h"


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
size_t goods_code_digits(const char *s, size_t len, bool cpv, char *out, size_t cap)
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
            k = goods_code_digits(s + i, j - i, cpv, d, sizeof d);
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
