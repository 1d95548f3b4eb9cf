/* A buyer's own list as CSV, read through a "field=Column" mapping. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

#define MAP_MAX 64

typedef enum { M_NAME, M_ID, M_KIND, M_COUNTRY, M_ALIASES, M_FORMER, M_PROGRAM, M_LISTED,
               M_REMARKS, M_IDENT } map_field;

static const char *const field_names[] = {"name", "id", "kind", "country", "aliases",
                                          "former", "program", "listed_on", "remarks"};

typedef struct map_entry {
    map_field field;
    char sep;           /* 0: one value per cell */
    char scheme[64];    /* ident.SCHEME */
    const char *column; /* points into the caller's map string */
    size_t column_len;
    int col;            /* header index */
} map_entry;

typedef struct mapped_ctx {
    feed_builder b;
    map_entry m[MAP_MAX];
    size_t nm;
    bool have_header;
    rf_entity_cb cb;
    void *ud;
} mapped_ctx;

/* Parse "field[SEP]=Column" into e. */
static int parse_map(const char *spec, map_entry *e, rf_feed_diag *d)
{
    const char *eq = strchr(spec, '=');
    memset(e, 0, sizeof *e);
    if (!eq || eq == spec || !eq[1])
        return diag_set(d, RF_EINVAL, 0, "bad mapping '%s': expected FIELD=Column", spec);
    size_t fl = (size_t)(eq - spec);
    if (fl >= 3 && spec[fl - 1] == ']' && spec[fl - 3] == '[') {
        e->sep = spec[fl - 2];
        fl -= 3;
    }
    e->column = eq + 1;
    e->column_len = strlen(e->column);
    if (fl > 6 && strncmp(spec, "ident.", 6) == 0 && fl - 6 < sizeof e->scheme) {
        e->field = M_IDENT;
        memcpy(e->scheme, spec + 6, fl - 6);
        return RF_OK;
    }
    for (size_t i = 0; i < sizeof field_names / sizeof *field_names; i++)
        if (strlen(field_names[i]) == fl && strncmp(spec, field_names[i], fl) == 0) {
            e->field = (map_field)i;
            return RF_OK;
        }
    return diag_set(d, RF_EINVAL, 0,
                    "bad mapping '%s': unknown field (name, id, kind, country, aliases, former, "
                    "program, listed_on, remarks, ident.SCHEME)", spec);
}

/* Find every mapped column in the header. */
static int read_header(mapped_ctx *c, const feed_csv_row *r)
{
    char name[256];
    c->have_header = true;
    for (size_t i = 0; i < c->nm; i++) {
        map_entry *e = &c->m[i];
        snprintf(name, sizeof name, "%.*s", (int)e->column_len, e->column);
        e->col = csv_column(r, name);
        if (e->col < 0)
            return diag_set(c->b.diag, RF_EINVAL, r->line,
                            "the mapping names column '%s', which the header lacks", name);
    }
    return RF_OK;
}

/* Kind from a cell: company / person / vessel / aircraft (and a few synonyms). */
static rf_entity_kind kind_of(const char *s, size_t n)
{
    static const struct { const char *w; rf_entity_kind k; } words[] = {
        {"company", RF_ENTITY_COMPANY}, {"organization", RF_ENTITY_COMPANY},
        {"organisation", RF_ENTITY_COMPANY}, {"entity", RF_ENTITY_COMPANY},
        {"person", RF_ENTITY_PERSON}, {"individual", RF_ENTITY_PERSON},
        {"vessel", RF_ENTITY_VESSEL}, {"aircraft", RF_ENTITY_AIRCRAFT}};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (n == strlen(words[i].w) && strncasecmp(s, words[i].w, n) == 0)
            return words[i].k;
    return n ? RF_ENTITY_OTHER : RF_ENTITY_COMPANY;
}

/* Store one value of a mapped field. */
static void put_value(feed_builder *b, const map_entry *e, const char *s, size_t n)
{
    switch (e->field) {
    case M_NAME: fb_set_name(b, s, n); break;
    case M_ID: fb_set_id(b, s, n); break;
    case M_KIND: b->e.kind = kind_of(s, n); break;
    case M_COUNTRY: fb_country(b, s, n); break;
    case M_ALIASES: fb_alias(b, s, n, RF_ALIAS_AKA); break;
    case M_FORMER: fb_alias(b, s, n, RF_ALIAS_FORMER); break;
    case M_PROGRAM: fb_program(b, s, n); break;
    case M_LISTED: fb_set_listed_on(b, s, n); break;
    case M_REMARKS: fb_set_remarks(b, s, n); break;
    case M_IDENT: fb_ident(b, e->scheme, s, n, NULL); break;
    }
}

/* Store a cell, split at the entry's separator when it has one. */
static void put_cell(feed_builder *b, const map_entry *e, const char *s, size_t n)
{
    while (e->sep && n) {
        const char *end = memchr(s, e->sep, n);
        if (!end)
            break;
        size_t len = (size_t)(end - s), t = len;
        const char *p = feed_trim(s, &t);
        if (t)
            put_value(b, e, p, t);
        n -= len + 1;
        s = end + 1;
    }
    s = feed_trim(s, &n);
    if (n)
        put_value(b, e, s, n);
}

/* Build and deliver one row. */
static int mapped_row_cb(const feed_csv_row *r, void *ud)
{
    mapped_ctx *c = ud;
    feed_builder *b = &c->b;
    if (!c->have_header)
        return read_header(c, r);
    b->e.line = r->line;
    b->e.kind = RF_ENTITY_COMPANY;
    for (size_t i = 0; i < c->nm; i++) {
        size_t n;
        const char *s = csv_field(r, (size_t)c->m[i].col, &n);
        put_cell(b, &c->m[i], s, n);
    }
    if (!b->e.id) {
        char id[32];
        snprintf(id, sizeof id, "row-%ld", r->line);
        fb_set_id(b, id, strlen(id));
    }
    if (!b->e.name) { /* a blank row of the buyer's sheet: not an error worth failing on */
        fb_reset(b);
        if (b->diag)
            b->diag->skipped++;
        return RF_OK;
    }
    return fb_emit(b, c->cb, c->ud);
}

/* Parse a CSV list through a column mapping. */
int rf_feed_parse_mapped_csv(const rf_feed_src *src, const char *const *map, size_t nmap,
                             rf_entity_cb cb, void *ud, rf_feed_diag *diag)
{
    mapped_ctx *c;
    bool named = false;
    diag_init(diag);
    if (!cb || !src || !map || nmap == 0 || nmap > MAP_MAX)
        return diag_set(diag, RF_EINVAL, 0, "no callback, no input or no mapping (1-%d entries)",
                        MAP_MAX);
    if (!(c = calloc(1, sizeof *c)))
        return diag_set(diag, RF_ENOMEM, 0, "out of memory");
    int rc = RF_OK;
    for (size_t i = 0; i < nmap && rc == RF_OK; i++) {
        rc = parse_map(map[i], &c->m[i], diag);
        named = named || c->m[i].field == M_NAME;
    }
    if (rc == RF_OK && !named)
        rc = diag_set(diag, RF_EINVAL, 0, "the mapping has no name=Column");
    if (rc != RF_OK)
        goto out;
    c->nm = nmap;
    c->cb = cb;
    c->ud = ud;
    fb_init(&c->b, diag, src->list ? src->list : "mapped");
    rc = feed_csv_read(src, mapped_row_cb, c, diag);
    if (rc == RF_OK && !c->have_header)
        rc = diag_set(diag, RF_EINPUT, 0, "empty file: no CSV header");
    fb_free(&c->b);
out:
    free(c);
    return rc;
}

/* Each file of the feed in turn, through the feed's column mapping. */
static int parse_all(const rf_feed_def *def, const rf_feed_src *src, size_t n, rf_entity_cb ecb,
                     rf_goods_cb gcb, void *ud, rf_feed_diag *d)
{
    (void)gcb;
    int rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < n; i++)
        rc = rf_feed_parse_mapped_csv(&src[i], def->map, def->nmap, ecb, ud, d);
    return rc;
}

/* A buyer's own list in CSV, read through `map` lines. */
const feed_ops feed_mapped_csv = {"mapped_csv", RF_EXPECT_CSV, false, parse_all, NULL};
