/* Reading feeds/feeds.conf. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "feed_int.h"

/* Everything the file owns, freed together. */
typedef struct conf_store {
    rf_feedconf pub;
    char **strs;
    size_t nstrs, capstrs;
    rf_diag *diag;
    const char *file;
    int line;
} conf_store;

/* The name of a format. */
const char *rf_feed_format_name(rf_feed_format f)
{
    const feed_ops *ops = feed_ops_of(f);
    return ops ? ops->name : "unknown";
}

/* Record an error at the current line; returns RF_ESYNTAX. */
static int bad(conf_store *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(conf_store *cs, const char *fmt, ...)
{
    snprintf(cs->diag->file, sizeof cs->diag->file, "%s", cs->file);
    cs->diag->line = cs->line;
    cs->diag->col = 0; /* errors are per line */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cs->diag->msg, sizeof cs->diag->msg, fmt, ap);
    va_end(ap);
    return RF_ESYNTAX;
}

/* Make p owned by the store (freed with it); NULL, and p freed, on ENOMEM. */
static void *own(conf_store *cs, void *p)
{
    if (p && cs->nstrs == cs->capstrs) {
        size_t cap = cs->capstrs ? cs->capstrs * 2 : 64;
        char **q = realloc(cs->strs, cap * sizeof *q);
        if (!q) {
            free(p);
            return NULL;
        }
        cs->strs = q;
        cs->capstrs = cap;
    }
    if (p)
        cs->strs[cs->nstrs++] = p;
    return p;
}

/* Keep a copy of s[0..n) owned by the store; NULL on ENOMEM. */
static char *keep(conf_store *cs, const char *s, size_t n)
{
    return own(cs, strndup(s, n));
}

/* Trim spaces at both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
    while (*n && isspace((unsigned char)*s))
        s++, (*n)--;
    while (*n && isspace((unsigned char)s[*n - 1]))
        (*n)--;
    return s;
}

/* Parse "yes"/"no" into *out. */
static int parse_bool(conf_store *cs, const char *key, const char *v, bool *out)
{
    if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
        *out = true;
    else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
        *out = false;
    else
        return bad(cs, "%s: expected yes or no, got '%s'", key, v);
    return RF_OK;
}

/* Parse a format name. */
static int parse_format(conf_store *cs, const char *v, rf_feed_format *out)
{
    int f = feed_format_named(v);
    if (f >= 0) {
        *out = (rf_feed_format)f;
        return RF_OK;
    }
    char names[512] = "";
    for (int i = 0; i < RF_FEED_NFORMATS; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 rf_feed_format_name((rf_feed_format)i));
    return bad(cs, "unknown format '%s' (%s)", v, names);
}

/* Parse a cadence such as 7d, 12h (rounded up to days) or 1y. */
static int parse_cadence(conf_store *cs, const char *v, long *days)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || n <= 0 || (strcmp(end, "d") && strcmp(end, "h") && strcmp(end, "y")))
        return bad(cs, "cadence: expected a number of days like 7d (or 12h, 1y), got '%s'", v);
    *days = *end == 'd' ? n : *end == 'y' ? n * 365 : (n + 23) / 24;
    return RF_OK;
}

/* Split a comma-separated list into owned strings. */
static int parse_list(conf_store *cs, const char *v, const char *const **out, size_t *n)
{
    size_t count = 1;
    for (const char *p = v; *p; p++)
        count += *p == ',';
    const char **items = own(cs, calloc(count, sizeof *items));
    if (!items)
        return RF_ENOMEM;
    *n = 0;
    for (const char *p = v; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *t = trim(p, &len);
        if (len && !(items[(*n)++] = keep(cs, t, len)))
            return RF_ENOMEM;
        p = e ? e + 1 : p + strlen(p);
    }
    *out = items;
    return RF_OK;
}

/* Apply one key = value to feed f. */
static int set_key(conf_store *cs, rf_feed_def *f, const char *k, const char *v)
{
    const char **str = !strcmp(k, "title") ? &f->title : !strcmp(k, "url") ? &f->url
                     : !strcmp(k, "alt_url") ? &f->alt_url : !strcmp(k, "add_url") ? &f->add_url
                     : !strcmp(k, "licence") ? &f->licence
                     : !strcmp(k, "snapshot_date") ? &f->snapshot_date : NULL;
    if (str)
        return (*str = keep(cs, v, strlen(v))) ? RF_OK : RF_ENOMEM;
    if (!strcmp(k, "format"))
        return parse_format(cs, v, &f->format);
    if (!strcmp(k, "snapshot_format"))
        return parse_format(cs, v, &f->snapshot_format);
    if (!strcmp(k, "critical"))
        return parse_bool(cs, k, v, &f->critical);
    if (!strcmp(k, "enabled"))
        return parse_bool(cs, k, v, &f->enabled);
    if (!strcmp(k, "non_commercial"))
        return parse_bool(cs, k, v, &f->non_commercial);
    if (!strcmp(k, "cadence"))
        return parse_cadence(cs, v, &f->cadence_days);
    if (!strcmp(k, "weight")) {
        char *end;
        long w = strtol(v, &end, 10);
        if (*end || end == v || w < 0 || w > 100)
            return bad(cs, "weight: expected a whole number from 0 to 100, got '%s'", v);
        f->weight = (int)w;
        return RF_OK;
    }
    if (!strcmp(k, "snapshot"))
        return parse_list(cs, v, &f->snapshots, &f->nsnapshots);
    if (!strcmp(k, "map"))
        return parse_list(cs, v, &f->map, &f->nmap);
    return bad(cs, "unknown key '%s' (see the comment at the top of feeds.conf)", k);
}

/* Start a new [section]; checks the name and that it is new. */
static int new_feed(conf_store *cs, const char *name, size_t len)
{
    rf_feedconf *c = &cs->pub;
    if (!len)
        return bad(cs, "empty feed name in []");
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
            return bad(cs, "feed name '%.*s': use letters, digits, _ and -", (int)len, name);
    for (size_t i = 0; i < c->nfeeds; i++)
        if (strlen(c->feeds[i].name) == len && !memcmp(c->feeds[i].name, name, len))
            return bad(cs, "feed '%.*s' is defined twice", (int)len, name);
    rf_feed_def *fs = realloc(c->feeds, (c->nfeeds + 1) * sizeof *fs);
    if (!fs)
        return RF_ENOMEM;
    c->feeds = fs;
    rf_feed_def *f = &fs[c->nfeeds++];
    *f = (rf_feed_def){.enabled = true, .format = (rf_feed_format)-1, .weight = -1,
                       .snapshot_format = (rf_feed_format)-1, .line = cs->line};
    return (f->name = keep(cs, name, len)) ? RF_OK : RF_ENOMEM;
}

/* Check a finished section has what a feed needs. */
static int check_feed(conf_store *cs, rf_feed_def *f)
{
    int line = cs->line;
    cs->line = f->line;
    int rc = RF_OK;
    if (!f->url)
        rc = bad(cs, "feed '%s' has no url", f->name);
    else if ((int)f->format < 0)
        rc = bad(cs, "feed '%s' has no format", f->name);
    else if (f->format == RF_FEED_MAPPED_CSV && !f->nmap)
        rc = bad(cs, "feed '%s' (mapped_csv) needs a map of FIELD=Column pairs", f->name);
    if ((int)f->snapshot_format < 0)
        f->snapshot_format = f->format;
    if (f->weight < 0)
        f->weight = f->critical ? 100 : 50;
    cs->line = line;
    return rc;
}

/* Parse one line: a section, a key = value, a comment or blank. */
static int parse_line(conf_store *cs, char *line)
{
    size_t n = strlen(line);
    char *hash = strchr(line, '#');
    if (hash && (hash == line || isspace((unsigned char)hash[-1])))
        n = (size_t)(hash - line);
    const char *s = trim(line, &n);
    if (!n)
        return RF_OK;
    if (*s == '[') {
        if (s[n - 1] != ']')
            return bad(cs, "expected ']' to close the feed name");
        size_t len = n - 2;
        const char *name = trim(s + 1, &len);
        return new_feed(cs, name, len);
    }
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return bad(cs, "expected 'key = value' or '[feed]'");
    if (!cs->pub.nfeeds)
        return bad(cs, "a key before the first [feed] section");
    size_t klen = (size_t)(eq - s), vlen = n - klen - 1;
    const char *k = trim(s, &klen), *v = trim(eq + 1, &vlen);
    char key[64], val[2048];
    if (klen >= sizeof key || vlen >= sizeof val)
        return bad(cs, "key or value too long");
    memcpy(key, k, klen);
    key[klen] = '\0';
    memcpy(val, v, vlen);
    val[vlen] = '\0';
    return set_key(cs, &cs->pub.feeds[cs->pub.nfeeds - 1], key, val);
}

/* Derive the snapshot directory: feeds/snapshots beside the file. */
static int set_paths(conf_store *cs, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    int n = slash ? asprintf(&dir, "%.*s/snapshots", (int)(slash - path), path)
                  : asprintf(&dir, "snapshots");
    if (n < 0 || !own(cs, dir))
        return RF_ENOMEM;
    cs->pub.snapshot_dir = dir;
    cs->pub.path = keep(cs, path, strlen(path));
    return cs->pub.path ? RF_OK : RF_ENOMEM;
}

/* Read a feeds.conf. */
int rf_feedconf_load(rf_feedconf **out, const char *path, rf_diag *diag)
{
    rf_diag local;
    conf_store *cs = calloc(1, sizeof *cs);
    *out = NULL;
    if (!cs)
        return RF_ENOMEM;
    cs->diag = diag ? diag : &local;
    memset(cs->diag, 0, sizeof *cs->diag);
    cs->file = path;
    FILE *fp = fopen(path, "r");
    int rc = fp ? set_paths(cs, path) : RF_EIO;
    if (!fp)
        snprintf(cs->diag->msg, sizeof cs->diag->msg, "cannot open %s: %s", path,
                 strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    while (rc == RF_OK && getline(&line, &cap, fp) > 0) {
        cs->line++;
        rc = parse_line(cs, line);
    }
    free(line);
    if (fp)
        fclose(fp);
    for (size_t i = 0; rc == RF_OK && i < cs->pub.nfeeds; i++)
        rc = check_feed(cs, &cs->pub.feeds[i]);
    if (rc != RF_OK) {
        rf_feedconf_destroy(&cs->pub);
        return rc;
    }
    *out = &cs->pub;
    return RF_OK;
}

/* Free a feed list and its strings. */
void rf_feedconf_destroy(rf_feedconf *c)
{
    if (!c)
        return;
    conf_store *cs = (conf_store *)c;
    for (size_t i = 0; i < cs->nstrs; i++)
        free(cs->strs[i]);
    free(cs->strs);
    free(c->feeds);
    free(cs);
}

/* Find a feed by name. */
const rf_feed_def *rf_feedconf_find(const rf_feedconf *c, const char *name)
{
    for (size_t i = 0; i < c->nfeeds; i++)
        if (strcmp(c->feeds[i].name, name) == 0)
            return &c->feeds[i];
    return NULL;
}
