/* Shared feed helpers: the per-entity builder, diagnostics, dates, input. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "redflag/country.h"
#include "feed_int.h"

#define FB_BLOCK 8192

struct fb_block {
    fb_block *next;
    size_t cap, used;
    char data[];
};

/* Name of an entity kind for messages and output. */
const char *rf_entity_kind_name(rf_entity_kind kind)
{
    switch (kind) {
    case RF_ENTITY_COMPANY: return "organisation";
    case RF_ENTITY_PERSON: return "person";
    case RF_ENTITY_VESSEL: return "vessel";
    case RF_ENTITY_AIRCRAFT: return "aircraft";
    default: return "unknown";
    }
}

/* Clear a diag before a parse. */
void diag_init(rf_feed_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
}

/* Record the first error of a parse with its line. */
int diag_set(rf_feed_diag *d, int code, long line, const char *fmt, ...)
{
    if (!d || d->message[0])
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    d->line = line;
    return code;
}

/* Note a country name that could not be mapped (first few kept by name). */
void diag_unmapped(rf_feed_diag *d, const char *name, size_t len)
{
    if (!d)
        return;
    d->unmapped++;
    size_t have = strlen(d->unmapped_names);
    char one[64];
    snprintf(one, sizeof one, "%.*s", (int)(len < 60 ? len : 60), name);
    if (strstr(d->unmapped_names, one))
        return;
    len = strlen(one);
    if (have + len + 3 >= sizeof d->unmapped_names)
        return;
    snprintf(d->unmapped_names + have, sizeof d->unmapped_names - have, "%s%s",
             have ? "; " : "", one);
}

/* Trim ASCII whitespace around s[0..*len). */
const char *feed_trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    *len = n;
    return s;
}

/* Map a country text to alpha-2, noting failures in the diag. */
bool feed_country(rf_feed_diag *d, const char *s, size_t len, char out[3])
{
    s = feed_trim(s, &len);
    if (!len)
        return false;
    if (rf_country_normalize(s, len, out) == RF_OK)
        return true;
    diag_unmapped(d, s, len);
    return false;
}

/* Case-insensitive prefix test. */
size_t feed_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(s, prefix, n) == 0 ? n : 0;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

/* Month number from an English month name or abbreviation, or 0. */
static int month_of(const char *s, size_t n)
{
    if (n < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, months[i], 3) == 0)
            return i + 1;
    return 0;
}

/* Write a checked date; false when a part is out of range. */
static bool put_date(int y, int m, int dd, char out[11])
{
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || dd < 1 || dd > 31)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
    return true;
}

/* Normalise a date in one of the spellings the lists use to YYYY-MM-DD. */
bool feed_date(const char *s, size_t len, char out[11])
{
    char buf[64], word[16];
    int y, m, dd, used = 0;
    s = feed_trim(s, &len);
    if (!len || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    if (sscanf(buf, "%4d-%2d-%2d%n", &y, &m, &dd, &used) == 3 && used >= 10)
        return put_date(y, m, dd, out);
    if (sscanf(buf, "%2d/%2d/%4d%n", &m, &dd, &y, &used) == 3 && (size_t)used == len)
        return put_date(y, m, dd, out);
    if (sscanf(buf, "%15[A-Za-z] %d, %d%n", word, &dd, &y, &used) == 3 && (size_t)used == len)
        return put_date(y, month_of(word, strlen(word)), dd, out);
    if (sscanf(buf, "%d %15[A-Za-z] %d%n", &dd, word, &y, &used) == 3 && (size_t)used == len)
        return put_date(y, month_of(word, strlen(word)), dd, out);
    return false;
}

/* Open the source as a FILE: a path, or a memory buffer. */
FILE *feed_open(const rf_feed_src *src, rf_feed_diag *d)
{
    FILE *fp;
    if (!src || (!src->path && !src->data)) {
        diag_set(d, RF_EINVAL, 0, "no input given");
        return NULL;
    }
    if (src->path) {
        fp = fopen(src->path, "rb");
        if (!fp)
            diag_set(d, RF_EIO, 0, "%s: %s", src->path, strerror(errno));
        return fp;
    }
    if (src->len == 0) /* fmemopen refuses size 0: an empty stream */
        return fopen("/dev/null", "rb");
    fp = fmemopen((void *)src->data, src->len, "r");
    if (!fp)
        diag_set(d, RF_ENOMEM, 0, "cannot open memory buffer: %s", strerror(errno));
    return fp;
}

/* ---- builder ---- */

/* Start a builder; list is kept by pointer. */
void fb_init(feed_builder *b, rf_feed_diag *diag, const char *list)
{
    memset(b, 0, sizeof *b);
    b->diag = diag;
    b->e.list = list;
}

/* Free everything a builder holds. */
void fb_free(feed_builder *b)
{
    fb_block *k = b->blocks;
    while (k) {
        fb_block *next = k->next;
        free(k);
        k = next;
    }
    free(b->aliases);
    free(b->countries);
    free(b->ids);
    free(b->programs);
    b->blocks = NULL;
}

/* Drop the current entity's values, keeping one arena block for reuse. */
void fb_reset(feed_builder *b)
{
    fb_block *k = b->blocks;
    if (k) {
        fb_block *rest = k->next;
        while (rest) {
            fb_block *next = rest->next;
            free(rest);
            rest = next;
        }
        k->next = NULL;
        k->used = 0;
    }
    const char *list = b->e.list;
    memset(&b->e, 0, sizeof b->e);
    b->e.list = list;
    b->used = b->naliases = b->ncountries = b->nids = b->nprograms = 0;
    b->err = 0;
}

/* Reserve n bytes in the entity arena. */
static char *arena_alloc(feed_builder *b, size_t n)
{
    if (b->err)
        return NULL;
    if (b->used + n > RF_FEED_MAX_ENTITY) {
        b->err = RF_ELIMIT;
        return NULL;
    }
    fb_block *k = b->blocks;
    if (!k || k->cap - k->used < n) {
        size_t cap = n > FB_BLOCK ? n : FB_BLOCK;
        fb_block *nk = malloc(sizeof *nk + cap);
        if (!nk) {
            b->err = RF_ENOMEM;
            return NULL;
        }
        nk->cap = cap;
        nk->used = 0;
        nk->next = k;
        b->blocks = k = nk;
    }
    char *p = k->data + k->used;
    k->used += n;
    b->used += n;
    return p;
}

/* True for a whitespace byte, or the start of a UTF-8 NBSP (C2 A0). */
static size_t space_len(const char *s, size_t left)
{
    unsigned char c = (unsigned char)s[0];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return 1;
    if (c == 0xC2 && left > 1 && (unsigned char)s[1] == 0xA0)
        return 2;
    return 0;
}

/* Copy a string with whitespace collapsed; NULL when it is empty. */
const char *fb_str(feed_builder *b, const char *s, size_t len)
{
    if (!s)
        return NULL;
    char *out = arena_alloc(b, len + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    bool pend = false;
    while (i < len) {
        size_t sl = space_len(s + i, len - i);
        if (sl) {
            pend = o > 0;
            i += sl;
            continue;
        }
        if (pend)
            out[o++] = ' ';
        pend = false;
        out[o++] = s[i++];
    }
    out[o] = 0;
    return o ? out : NULL;
}

/* Grow an array held by the builder to hold one more element. */
static bool grow(feed_builder *b, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, nc * elem);
    if (!p) {
        b->err = RF_ENOMEM;
        return false;
    }
    *arr = p;
    *cap = nc;
    return true;
}

/* Set the entity's id. */
void fb_set_id(feed_builder *b, const char *s, size_t len)
{
    b->e.id = fb_str(b, s, len);
}

/* Set the entity's primary name. */
void fb_set_name(feed_builder *b, const char *s, size_t len)
{
    b->e.name = fb_str(b, s, len);
}

/* Set the remarks text. */
void fb_set_remarks(feed_builder *b, const char *s, size_t len)
{
    b->e.remarks = fb_str(b, s, len);
}

/* Append a sentence to the remarks. */
void fb_append_remarks(feed_builder *b, const char *s)
{
    if (!b->e.remarks) {
        b->e.remarks = fb_str(b, s, strlen(s));
        return;
    }
    size_t a = strlen(b->e.remarks), n = strlen(s);
    char *p = arena_alloc(b, a + n + 3);
    if (!p)
        return;
    snprintf(p, a + n + 3, "%s; %s", b->e.remarks, s);
    b->e.remarks = p;
}

/* Set listed_on from a date in any supported spelling (ignored when not a date). */
void fb_set_listed_on(feed_builder *b, const char *s, size_t len)
{
    char iso[11];
    if (s && feed_date(s, len, iso))
        b->e.listed_on = fb_str(b, iso, 10);
}

/* Add an alias unless empty or already present. */
void fb_alias(feed_builder *b, const char *s, size_t len, rf_alias_kind kind)
{
    const char *a = fb_str(b, s, len);
    if (!a || (b->e.name && strcmp(a, b->e.name) == 0))
        return;
    for (size_t i = 0; i < b->naliases; i++)
        if (strcmp(b->aliases[i].name, a) == 0)
            return;
    if (!grow(b, (void **)&b->aliases, &b->capaliases, b->naliases, sizeof *b->aliases))
        return;
    b->aliases[b->naliases++] = (rf_alias){a, kind};
}

/* Add a mapped country once. */
void fb_country(feed_builder *b, const char *s, size_t len)
{
    char cc[3];
    if (!s || !feed_country(b->diag, s, len, cc))
        return;
    for (size_t i = 0; i < b->ncountries; i++)
        if (strcmp(b->countries[i], cc) == 0)
            return;
    const char *c = fb_str(b, cc, 2);
    if (!c || !grow(b, (void **)&b->countries, &b->capcountries, b->ncountries,
                    sizeof *b->countries))
        return;
    b->countries[b->ncountries++] = c;
}

/* Add an identifier (scheme and country copied). */
void fb_ident(feed_builder *b, const char *scheme, const char *value, size_t vlen,
              const char *country)
{
    const char *v = fb_str(b, value, vlen);
    const char *sc = fb_str(b, scheme, strlen(scheme));
    if (!v || !sc)
        return;
    const char *cc = country ? fb_str(b, country, strlen(country)) : NULL;
    if (!grow(b, (void **)&b->ids, &b->capids, b->nids, sizeof *b->ids))
        return;
    b->ids[b->nids++] = (rf_ident){sc, v, cc};
}

/* Add a program once. */
void fb_program(feed_builder *b, const char *s, size_t len)
{
    const char *p = fb_str(b, s, len);
    if (!p)
        return;
    for (size_t i = 0; i < b->nprograms; i++)
        if (strcmp(b->programs[i], p) == 0)
            return;
    if (!grow(b, (void **)&b->programs, &b->capprograms, b->nprograms, sizeof *b->programs))
        return;
    b->programs[b->nprograms++] = p;
}

/* Drop aliases equal to the name (the name may have been set after them). */
static void drop_name_aliases(feed_builder *b)
{
    size_t o = 0;
    for (size_t i = 0; i < b->naliases; i++)
        if (strcmp(b->aliases[i].name, b->e.name) != 0)
            b->aliases[o++] = b->aliases[i];
    b->naliases = o;
}

/* Deliver the built entity to the callback, then reset. */
int fb_emit(feed_builder *b, rf_entity_cb cb, void *ud)
{
    int rc = RF_OK;
    if (b->err) {
        rc = diag_set(b->diag, b->err, b->e.line, "%s",
                      b->err == RF_ELIMIT ? "entity too large" : "out of memory");
        goto out;
    }
    if (!b->e.name) {
        rc = diag_set(b->diag, RF_EINPUT, b->e.line, "entry %s has no name",
                      b->e.id ? b->e.id : "(no id)");
        goto out;
    }
    if (!b->e.id) {
        rc = diag_set(b->diag, RF_EINPUT, b->e.line, "entry '%s' has no id", b->e.name);
        goto out;
    }
    drop_name_aliases(b);
    b->e.aliases = b->aliases;
    b->e.naliases = b->naliases;
    b->e.countries = b->countries;
    b->e.ncountries = b->ncountries;
    b->e.ids = b->ids;
    b->e.nids = b->nids;
    b->e.programs = b->programs;
    b->e.nprograms = b->nprograms;
    rc = cb(&b->e, ud);
    if (rc != 0)
        diag_set(b->diag, rc, b->e.line, "stopped by the callback (%d)", rc);
    else if (b->diag)
        b->diag->entities++;
out:
    fb_reset(b);
    return rc;
}
