/* The ruleset: reading rule files and directories, ownership, lookup. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fnv.h"
#include "rules_int.h"

/* Keep s alive as long as rs. */
char *rs_own(rf_ruleset *rs, char *s)
{
    if (!s)
        return NULL;
    if (rs->nstrings == rs->capstrings) {
        size_t n = rs->capstrings ? rs->capstrings * 2 : 64;
        char **p = realloc(rs->strings, n * sizeof *p);
        if (!p) {
            free(s);
            return NULL;
        }
        rs->strings = p;
        rs->capstrings = n;
    }
    rs->strings[rs->nstrings++] = s;
    return s;
}

/* Set an I/O diagnostic for path. */
static int io_error(rf_diag *diag, const char *path, const char *what)
{
    if (diag) {
        snprintf(diag->file, sizeof diag->file, "%s", path);
        diag->line = diag->col = 0;
        snprintf(diag->msg, sizeof diag->msg, "%s: %s", what, strerror(errno));
    }
    return RF_EIO;
}

/* Read and parse one rule file. */
static int compile_file(rf_ruleset *rs, const char *path, uint64_t *digest, rf_diag *diag)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return io_error(diag, path, "cannot open rule file");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[65536];
    size_t n;
    int rc = mem ? RF_OK : RF_ENOMEM;
    while (rc == RF_OK && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        if (fwrite(chunk, 1, n, mem) != n)
            rc = RF_ENOMEM;
    if (rc == RF_OK && ferror(fp))
        rc = io_error(diag, path, "cannot read rule file");
    fclose(fp);
    if (mem)
        fclose(mem);
    if (rc == RF_OK) {
        *digest = fnv1a(fnv1a(*digest, path, strlen(path)), buf, len);
        rc = rules_parse(rs, path, buf, len, diag);
    }
    free(buf);
    return rc;
}

/* Compare two strings for qsort. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compile every *.rules file of a directory, in name order. */
static int compile_dir(rf_ruleset *rs, const char *dir, uint64_t *digest, rf_diag *diag)
{
    DIR *d = opendir(dir);
    if (!d)
        return io_error(diag, dir, "cannot open rules directory");
    char **names = NULL;
    size_t n = 0;
    int rc = RF_OK;
    struct dirent *e;
    while (rc == RF_OK && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 7 || strcmp(e->d_name + l - 6, ".rules") != 0 || e->d_name[0] == '.')
            continue;
        char **p = realloc(names, (n + 1) * sizeof *p);
        if (!p || asprintf(&p[n], "%s/%s", dir, e->d_name) < 0)
            rc = RF_ENOMEM;
        else
            n++;
        if (p)
            names = p;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (rc == RF_OK)
            rc = compile_file(rs, names[i], digest, diag);
        free(names[i]);
    }
    free(names);
    if (rc == RF_OK && n == 0) {
        errno = ENOENT;
        return io_error(diag, dir, "no *.rules files in directory");
    }
    return rc;
}

/* Whether text belongs to the set (exact or prefix, normalised). */
bool set_contains(const set *st, const char *text, size_t len)
{
    char key[256];
    size_t n = set_key(text, len, st->prefix, key, sizeof key);
    if (!n)
        return false;
    for (size_t i = 0; i < st->nitems; i++) {
        const char *it = st->items[i];
        if (st->prefix ? strncmp(key, it, strlen(it)) == 0 : strcmp(key, it) == 0)
            return true;
    }
    return false;
}

/* Point every `FIELD in SET` at its set; error on unknown names. */
static int resolve_cond(rf_ruleset *rs, const rule *r, cond *c, rf_diag *diag)
{
    if (!c)
        return RF_OK;
    if (c->k == C_IN) {
        for (size_t i = 0; i < rs->nsets; i++)
            if (strcmp(rs->sets[i].name, c->setname) == 0)
                c->set = (int)i;
        if (c->set < 0) {
            snprintf(diag->file, sizeof diag->file, "%s", r->info.file);
            diag->line = c->line;
            diag->col = c->col;
            snprintf(diag->msg, sizeof diag->msg, "unknown set '%s' (define it with `set %s = "
                     "{ … }`)", c->setname, c->setname);
            return RF_ESYNTAX;
        }
    }
    int rc = resolve_cond(rs, r, c->l, diag);
    return rc ? rc : resolve_cond(rs, r, c->r, diag);
}

/* Add the fields arithmetic a reads to *reads. */
static void arith_reads(const arith *a, uint64_t *reads)
{
    if (!a)
        return;
    if (a->k == A_FIELD)
        *reads |= 1ull << a->field;
    arith_reads(a->l, reads);
    arith_reads(a->r, reads);
}

/* Add the fields condition c reads outside its patterns to *reads. */
static void cond_reads(const cond *c, uint64_t *reads)
{
    if (!c)
        return;
    if (c->k == C_EXISTS || c->k == C_IN)
        *reads |= 1ull << c->field;
    arith_reads(c->lhs, reads);
    arith_reads(c->rhs, reads);
    cond_reads(c->l, reads);
    cond_reads(c->r, reads);
}

/* The fields a party rule of scope may read: those the profile cache keys on. */
uint64_t rf_scope_fields(rf_rule_scope scope)
{
#define B(f) (1ull << (f))
    switch (scope) {
    case RF_SCOPE_SUPPLIER:
        return B(RF_F_SUPPLIER_NAME) | B(RF_F_SUPPLIER_COUNTRY) | B(RF_F_SUPPLIER_LEI) |
               B(RF_F_SUPPLIER_DUNS) | B(RF_F_SUPPLIER_VAT) | B(RF_F_SUPPLIER_GLN) |
               B(RF_F_SUPPLIER_OTHER_ID);
    case RF_SCOPE_MANUFACTURER:
        return B(RF_F_MANUFACTURER_NAME) | B(RF_F_MANUFACTURER_COUNTRY) |
               B(RF_F_MANUFACTURER_LEI) | B(RF_F_MANUFACTURER_DUNS) | B(RF_F_MANUFACTURER_VAT) |
               B(RF_F_MANUFACTURER_GLN) | B(RF_F_MANUFACTURER_OTHER_ID);
    default:
        return 0;
    }
#undef B
}

/* The scope of a rule from the fields it reads. */
static rf_rule_scope rule_scope(uint64_t reads)
{
    for (int s = RF_SCOPE_SUPPLIER; s < RF_SCOPE_COUNT && reads; s++)
        if (!(reads & ~rf_scope_fields((rf_rule_scope)s)))
            return (rf_rule_scope)s;
    return RF_SCOPE_RECORD;
}

/* The name of a scope. */
const char *rf_scope_name(rf_rule_scope scope)
{
    static const char *const names[] = {"record", "supplier", "manufacturer"};
    return (int)scope >= 0 && scope < RF_SCOPE_COUNT ? names[scope] : "?";
}

/* How many rules have this scope. */
size_t rf_ruleset_scope_count(const rf_ruleset *rs, rf_rule_scope scope)
{
    return rs && (int)scope >= 0 && scope < RF_SCOPE_COUNT ? rs->nscope[scope] : 0;
}

/* Resolve set references after every file is read. */
int rules_resolve(rf_ruleset *rs, rf_diag *diag)
{
    for (size_t i = 0; i < rs->nrules; i++) {
        rule *r = &rs->rules[i];
        int rc = resolve_cond(rs, r, r->when, diag);
        for (int u = 0; rc == RF_OK && u < r->nunless; u++)
            rc = resolve_cond(rs, r, r->unless[u], diag);
        if (rc)
            return rc;
        for (int f = 0; f < r->nfields; f++) {
            rs->field_scanned[r->fields[f]] = true;
            r->reads |= 1ull << r->fields[f];
        }
        cond_reads(r->when, &r->reads);
        for (int u = 0; u < r->nunless; u++)
            cond_reads(r->unless[u], &r->reads);
        r->scope = r->info.scope = rule_scope(r->reads);
        rs->nscope[r->scope]++;
        if (r->npats > rs->max_pats)
            rs->max_pats = r->npats;
    }
    return RF_OK;
}

/* Number the literal groups and build one automaton over all of them. */
static int build_prefilter(rf_ruleset *rs)
{
    size_t nlits = 0;
    for (size_t i = 0; i < rs->nrules; i++)
        for (int p = 0; p < rs->rules[i].npats; p++)
            for (int k = 0; k < rs->rules[i].pats[p].nv; k++) {
                variant *v = &rs->rules[i].pats[p].v[k];
                v->gid = rs->ngroups;
                rs->ngroups += (uint32_t)v->lits.ng;
                for (int g = 0; g < v->lits.ng; g++)
                    nlits += v->lits.g[g].n;
            }
    char **lits = malloc((nlits + 1) * sizeof *lits);
    uint32_t *tags = malloc((nlits + 1) * sizeof *tags);
    int rc = lits && tags ? RF_OK : RF_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; rc == RF_OK && i < rs->nrules; i++)
        for (int p = 0; p < rs->rules[i].npats; p++)
            for (int k = 0; k < rs->rules[i].pats[p].nv; k++) {
                const variant *v = &rs->rules[i].pats[p].v[k];
                for (int g = 0; g < v->lits.ng; g++)
                    for (size_t j = 0; j < v->lits.g[g].n; j++, n++) {
                        lits[n] = v->lits.g[g].s[j];
                        tags[n] = v->gid + (uint32_t)g;
                    }
            }
    if (rc == RF_OK && !(rs->ac = acm_build(lits, tags, n)))
        rc = RF_ENOMEM;
    free(lits);
    free(tags);
    return rc;
}

/* Build the match context with the limits that bound every pattern. */
static int make_context(rf_ruleset *rs)
{
    rs->mctx = pcre2_match_context_create(NULL);
    if (!rs->mctx)
        return RF_ENOMEM;
    pcre2_set_match_limit(rs->mctx, RF_MATCH_LIMIT);
    pcre2_set_depth_limit(rs->mctx, RF_DEPTH_LIMIT);
    pcre2_set_heap_limit(rs->mctx, RF_HEAP_LIMIT_KB);
    return RF_OK;
}

/* Compile rule files and directories into a ruleset. */
int rf_ruleset_compile(rf_ruleset **out, const char *const *paths, size_t npaths, rf_diag *diag)
{
    rf_diag local;
    if (!diag)
        diag = &local;
    memset(diag, 0, sizeof *diag);
    *out = NULL;
    rf_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return RF_ENOMEM;
    pthread_mutex_init(&rs->jit_lock, NULL);
    /* the engine's version is part of the digest: verdicts cached by an engine
     * that read text differently (before canonicalisation, lexicons) are not reused */
    static const char engine[] = "rules-engine 2: canonical text, lexicons";
    uint64_t digest = fnv1a(FNV1A_INIT, engine, sizeof engine - 1);
    int rc = make_context(rs);
    for (size_t i = 0; rc == RF_OK && i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0)
            rc = io_error(diag, paths[i], "cannot read rules");
        else if (S_ISDIR(st.st_mode))
            rc = compile_dir(rs, paths[i], &digest, diag);
        else
            rc = compile_file(rs, paths[i], &digest, diag);
    }
    if (rc == RF_OK)
        rc = rules_resolve(rs, diag);
    if (rc == RF_OK)
        rc = rules_build_patterns(rs, diag);
    if (rc == RF_OK)
        rc = build_prefilter(rs);
    if (rc == RF_OK)
        rc = scanner_mark_empty(rs);
    if (rc != RF_OK) {
        rf_ruleset_destroy(rs);
        return rc;
    }
    snprintf(rs->digest, sizeof rs->digest, "%016llx", (unsigned long long)digest);
    *out = rs;
    return RF_OK;
}

/* Free one rule's compiled parts. */
static void rule_free(rule *r)
{
    for (int i = 0; i < r->npats; i++) {
        pattern *p = &r->pats[i];
        for (int k = 0; k < p->nv; k++) {
            pcre2_code_free(p->v[k].re);
            pcre2_code_free(p->v[k].unless);
            litreq_free(&p->v[k].lits);
        }
        free(p->v);
        cexpr_free(p->expr);
        for (int k = 0; k < p->nunl; k++)
            cexpr_free(p->unl[k]);
        free(p->unl);
    }
    free(r->pats);
    cond_free(r->when);
    for (int i = 0; i < r->nunless; i++)
        cond_free(r->unless[i]);
    free(r->unless);
    free(r->ex);
}

/* Free a ruleset. */
void rf_ruleset_destroy(rf_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->nrules; i++)
        rule_free(&rs->rules[i]);
    free(rs->rules);
    for (size_t i = 0; i < rs->nsets; i++)
        free(rs->sets[i].items);
    free(rs->sets);
    free(rs->lex);
    free(rs->ind);
    for (size_t i = 0; i < rs->nstrings; i++)
        free(rs->strings[i]);
    free(rs->strings);
    pcre2_match_context_free(rs->mctx);
    acm_free(rs->ac);
    pthread_mutex_destroy(&rs->jit_lock);
    free(rs);
}

/* Number of rules. */
size_t rf_ruleset_count(const rf_ruleset *rs)
{
    return rs->nrules;
}

/* Description of rule i. */
const rf_rule_info *rf_ruleset_rule(const rf_ruleset *rs, size_t i)
{
    return i < rs->nrules ? &rs->rules[i].info : NULL;
}

/* Digest of the rule sources. */
const char *rf_ruleset_digest(const rf_ruleset *rs)
{
    return rs->digest;
}
