/* OFAC legacy CSV: sdn.csv (or cons_prim.csv) streamed, alt.csv and add.csv
 * loaded first and joined by ent_num. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

/* One alt or add row kept for the join: ent_num, alias type or country, text. */
typedef struct side_row {
    long ent;
    size_t seq; /* file order, to keep the sort stable */
    char *a; /* alt: alt_type; add: country */
    char *b; /* alt: alt_name; add: unused */
} side_row;

typedef struct side {
    side_row *rows;
    size_t n, cap;
    bool is_alt;
} side;

/* Duplicate a field (trimmed, "-0-" as NULL). */
static char *dup_field(const feed_csv_row *r, size_t i)
{
    size_t n;
    const char *s = csv_field(r, i, &n);
    return n ? strndup(s, n) : NULL;
}

/* Keep one alt/add row. */
static int side_row_cb(const feed_csv_row *r, void *ud)
{
    side *s = ud;
    size_t n;
    const char *ent = csv_field(r, 0, &n);
    if (!n)
        return RF_OK;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        side_row *p = realloc(s->rows, nc * sizeof *p);
        if (!p)
            return RF_ENOMEM;
        s->rows = p;
        s->cap = nc;
    }
    side_row *row = &s->rows[s->n++];
    row->ent = strtol(ent, NULL, 10);
    row->seq = s->n;
    row->a = dup_field(r, s->is_alt ? 2 : 4);
    row->b = s->is_alt ? dup_field(r, 3) : NULL;
    return RF_OK;
}

/* Order rows by ent_num, keeping file order within one entry. */
static int side_cmp(const void *x, const void *y)
{
    const side_row *a = x, *b = y;
    if (a->ent != b->ent)
        return a->ent < b->ent ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Free a side table. */
static void side_free(side *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->rows[i].a);
        free(s->rows[i].b);
    }
    free(s->rows);
}

/* Load alt.csv or add.csv (NULL src: an empty table). */
static int side_load(side *s, const rf_feed_src *src, bool is_alt, rf_feed_diag *d)
{
    memset(s, 0, sizeof *s);
    s->is_alt = is_alt;
    if (!src)
        return RF_OK;
    int rc = feed_csv_read(src, side_row_cb, s, d);
    if (rc == RF_ENOMEM)
        diag_set(d, rc, 0, "out of memory");
    if (rc == RF_OK && s->n)
        qsort(s->rows, s->n, sizeof *s->rows, side_cmp);
    return rc;
}

/* First row of an entry in a sorted side table, or NULL. */
static const side_row *side_find(const side *s, long ent, size_t *count)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->rows[mid].ent < ent)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < s->n && s->rows[k].ent == ent)
        k++;
    *count = k - lo;
    return *count ? &s->rows[lo] : NULL;
}

typedef struct ofac_ctx {
    feed_builder b;
    side alt, add;
    rf_entity_cb cb;
    void *ud;
} ofac_ctx;

/* Kind from the SDN_Type column ("-0-" means an entity). */
static rf_entity_kind csv_kind(const char *t, size_t n)
{
    if (!n)
        return RF_ENTITY_COMPANY;
    if (n == 10 && strncasecmp(t, "individual", n) == 0)
        return RF_ENTITY_PERSON;
    if (n == 6 && strncasecmp(t, "vessel", n) == 0)
        return RF_ENTITY_VESSEL;
    if (n == 8 && strncasecmp(t, "aircraft", n) == 0)
        return RF_ENTITY_AIRCRAFT;
    return RF_ENTITY_OTHER;
}

/* Programs are written "A] [B] [C" inside one field. */
static void add_programs(feed_builder *b, const char *s, size_t n)
{
    while (n) {
        const char *end = memchr(s, ']', n);
        size_t len = end ? (size_t)(end - s) : n;
        size_t t = len;
        const char *p = feed_trim(s, &t);
        while (t && *p == '[') {
            p++;
            t--;
        }
        fb_program(b, p, t);
        if (!end)
            break;
        n -= len + 1;
        s = end + 1;
    }
}

/* Join the alt and add rows of this entry. */
static void add_joined(ofac_ctx *c, long ent)
{
    size_t k;
    const side_row *r = side_find(&c->alt, ent, &k);
    for (size_t i = 0; r && i < k; i++) {
        const char *t = r[i].a ? r[i].a : "";
        rf_alias_kind kind = strcasecmp(t, "fka") == 0 ? RF_ALIAS_FORMER : RF_ALIAS_AKA;
        if (r[i].b)
            fb_alias(&c->b, r[i].b, strlen(r[i].b), kind);
    }
    r = side_find(&c->add, ent, &k);
    for (size_t i = 0; r && i < k; i++)
        if (r[i].a)
            fb_country(&c->b, r[i].a, strlen(r[i].a));
}

/* Build and deliver one sdn.csv row. */
static int sdn_row_cb(const feed_csv_row *r, void *ud)
{
    ofac_ctx *c = ud;
    feed_builder *b = &c->b;
    size_t n;
    const char *s;
    if (r->n < 12)
        return diag_set(b->diag, RF_EINPUT, r->line,
                        "OFAC SDN row has %zu fields, expected 12", r->n);
    b->e.line = r->line;
    s = csv_field(r, 0, &n);
    fb_set_id(b, s, n);
    s = csv_field(r, 1, &n);
    fb_set_name(b, s, n);
    s = csv_field(r, 2, &n);
    b->e.kind = csv_kind(s, n);
    s = csv_field(r, 3, &n);
    add_programs(b, s, n);
    s = csv_field(r, 5, &n);
    if (n)
        fb_ident(b, "Call Sign", s, n, NULL);
    s = csv_field(r, 9, &n);
    if (n)
        fb_country(b, s, n);
    s = csv_field(r, 11, &n);
    fb_set_remarks(b, s, n);
    add_joined(c, strtol(r->f[0], NULL, 10));
    return fb_emit(b, c->cb, c->ud);
}

/* Say which side file an error came from. */
static void prefix_message(rf_feed_diag *d, const char *which)
{
    char m[sizeof d->message];
    if (!d)
        return;
    snprintf(m, sizeof m, "%s: %.240s", which, d->message);
    memcpy(d->message, m, sizeof m);
}

/* Parse OFAC sdn.csv with its alt and add files. */
int rf_feed_parse_ofac_csv(const rf_feed_src *sdn, const rf_feed_src *alt,
                           const rf_feed_src *add, rf_entity_cb cb, void *ud,
                           rf_feed_diag *diag)
{
    ofac_ctx c = {.cb = cb, .ud = ud};
    diag_init(diag);
    if (!cb || !sdn)
        return diag_set(diag, RF_EINVAL, 0, "no callback or no sdn.csv");
    const char *which = "alt.csv";
    int rc = side_load(&c.alt, alt, true, diag);
    if (rc == RF_OK) {
        which = "add.csv";
        rc = side_load(&c.add, add, false, diag);
    }
    if (rc != RF_OK) {
        prefix_message(diag, which);
        goto out;
    }
    fb_init(&c.b, diag, sdn->list ? sdn->list : "us_ofac");
    rc = feed_csv_read(sdn, sdn_row_cb, &c, diag);
    fb_free(&c.b);
out:
    side_free(&c.alt);
    side_free(&c.add);
    return rc;
}

/* The three files of the feed (SDN, ALT, ADD) together. */
static int parse_all(const rf_feed_def *def, const rf_feed_src *src, size_t n, rf_entity_cb ecb,
                     rf_goods_cb gcb, void *ud, rf_feed_diag *d)
{
    (void)def, (void)gcb;
    return rf_feed_parse_ofac_csv(&src[0], n > 1 ? &src[1] : NULL, n > 2 ? &src[2] : NULL, ecb,
                                  ud, d);
}

/* OFAC legacy CSV, with alt_url (ALT.CSV) and add_url (ADD.CSV). */
const feed_ops feed_ofac_csv = {"ofac_csv", RF_EXPECT_CSV, true, parse_all, NULL};
