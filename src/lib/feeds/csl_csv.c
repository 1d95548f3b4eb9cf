/* trade.gov Consolidated Screening List CSV (29-column with _id, or the legacy
 * 28-column layout); columns are found by header name. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

enum { C_ID, C_SOURCE, C_NUM, C_TYPE, C_PROGRAMS, C_NAME, C_ADDR, C_START, C_REMARKS,
       C_ALT, C_CITIZEN, C_NATION, C_IDS, C_FLAG, C_CALL, C_COUNT };

static const char *const col_names[C_COUNT] = {
    "_id", "source", "entity_number", "type", "programs", "name", "addresses", "start_date",
    "remarks", "alt_names", "citizenships", "nationalities", "ids", "vessel_flag", "call_sign"};

typedef struct csl_ctx {
    feed_builder b;
    int col[C_COUNT];
    bool have_header;
    rf_entity_cb cb;
    void *ud;
} csl_ctx;

/* Call fn on each part of s split at sep, trimmed, a leading "and " dropped. */
static void split_each(feed_builder *b, const char *s, size_t n, char sep,
                       void (*fn)(feed_builder *, const char *, size_t))
{
    while (n) {
        const char *end = memchr(s, sep, n);
        size_t len = end ? (size_t)(end - s) : n, t = len;
        const char *p = feed_trim(s, &t);
        if (t > 4 && strncasecmp(p, "and ", 4) == 0) {
            p += 4;
            t -= 4;
        }
        if (t)
            fn(b, p, t);
        if (!end)
            break;
        n -= len + 1;
        s = end + 1;
    }
}

/* Adapters so split_each can add aliases, programs and countries. */
static void add_alias(feed_builder *b, const char *s, size_t n)
{
    fb_alias(b, s, n, RF_ALIAS_AKA);
}
static void add_program(feed_builder *b, const char *s, size_t n)
{
    fb_program(b, s, n);
}
static void add_country(feed_builder *b, const char *s, size_t n)
{
    fb_country(b, s, n);
}

/* An address ends with its country code: "…, Moscow, 115035, RU". */
static void add_address(feed_builder *b, const char *s, size_t n)
{
    const char *comma = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',')
            comma = s + i;
    const char *c = comma ? comma + 1 : s;
    size_t len = n - (size_t)(c - s);
    c = feed_trim(c, &len);
    if (len == 2)
        fb_country(b, c, len);
}

/* True for id entries that are sanctions notes, not identifiers. */
static bool note_scheme(const char *s, size_t n)
{
    static const char *const notes[] = {"Gender", "Secondary sanctions risk",
                                        "Additional Sanctions Information",
                                        "Executive Order", "Transactions Prohibited",
                                        "Subject to", "Effective Date", "Listing Date",
                                        "Purchase/Sales"};
    for (size_t i = 0; i < sizeof notes / sizeof *notes; i++)
        if (n >= strlen(notes[i]) && strncasecmp(s, notes[i], strlen(notes[i])) == 0)
            return true;
    return n && (s[n - 1] == ':' || s[n - 1] == '-');
}

/* One ids item: current layout "Type, Value[, CC]", legacy "[CC, ]Value, Type". */
static void add_ident(feed_builder *b, const char *s, size_t n, bool legacy)
{
    const char *c1 = memchr(s, ',', n), *c2 = NULL;
    if (!c1)
        return;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == ',') {
            c2 = s + i - 1;
            break;
        }
    size_t sl = legacy ? n - (size_t)(c2 + 1 - s) : (size_t)(c1 - s);
    const char *scheme = feed_trim(legacy ? c2 + 1 : s, &sl);
    const char *v = legacy ? s : c1 + 1;
    const char *vend = legacy ? c2 : s + n;
    const char *cc = NULL;
    size_t tl = (size_t)(s + n - (c2 + 1));
    const char *tail = feed_trim(c2 + 1, &tl);
    if (!legacy && c2 != c1 && tl == 2) { /* trailing country code */
        cc = tail;
        vend = c2;
    } else if (legacy && c1 != c2 && c1 - s == 2) { /* leading country code */
        cc = s;
        v = c1 + 1;
    }
    if (note_scheme(scheme, sl))
        return;
    char sch[128], ccb[3] = {0};
    snprintf(sch, sizeof sch, "%.*s", (int)sl, scheme);
    if (cc)
        memcpy(ccb, cc, 2);
    size_t vl = (size_t)(vend - v);
    v = feed_trim(v, &vl);
    fb_ident(b, sch, v, vl, cc ? ccb : NULL);
}

/* Split the ids column at ';' and add each identifier. */
static void add_idents(feed_builder *b, const char *s, size_t n, bool legacy)
{
    while (n) {
        const char *end = memchr(s, ';', n);
        size_t len = end ? (size_t)(end - s) : n, t = len;
        const char *p = feed_trim(s, &t);
        if (t)
            add_ident(b, p, t, legacy);
        if (!end)
            break;
        n -= len + 1;
        s = end + 1;
    }
}

/* Field by logical column. */
static const char *col(const csl_ctx *c, const feed_csv_row *r, int which, size_t *n)
{
    if (c->col[which] < 0) {
        *n = 0;
        return "";
    }
    return csv_field(r, (size_t)c->col[which], n);
}

/* Kind from the type column; blank is not stated. */
static rf_entity_kind csl_kind(const char *t, size_t n)
{
    if (n == 10 && strncasecmp(t, "Individual", n) == 0)
        return RF_ENTITY_PERSON;
    if (n == 6 && strncasecmp(t, "Entity", n) == 0)
        return RF_ENTITY_COMPANY;
    if (n == 6 && strncasecmp(t, "Vessel", n) == 0)
        return RF_ENTITY_VESSEL;
    if (n == 8 && strncasecmp(t, "Aircraft", n) == 0)
        return RF_ENTITY_AIRCRAFT;
    return RF_ENTITY_OTHER;
}

/* Learn the column positions from the header row. */
static int read_header(csl_ctx *c, const feed_csv_row *r)
{
    for (int i = 0; i < C_COUNT; i++)
        c->col[i] = csv_column(r, col_names[i]);
    c->have_header = true;
    if (c->col[C_NAME] < 0 || c->col[C_SOURCE] < 0)
        return diag_set(c->b.diag, RF_EINPUT, r->line,
                        "not a Consolidated Screening List CSV: no 'name' and 'source' columns");
    return RF_OK;
}

/* The entry's id: _id, else entity_number, else its name. */
static void set_id(csl_ctx *c, const feed_csv_row *r)
{
    size_t n;
    const char *s = col(c, r, C_ID, &n);
    if (!n)
        s = col(c, r, C_NUM, &n);
    if (!n)
        s = col(c, r, C_NAME, &n);
    fb_set_id(&c->b, s, n);
}

/* Build and deliver one CSL row. */
static int csl_row_cb(const feed_csv_row *r, void *ud)
{
    csl_ctx *c = ud;
    feed_builder *b = &c->b;
    size_t n;
    const char *s;
    if (!c->have_header)
        return read_header(c, r);
    b->e.line = r->line;
    set_id(c, r);
    s = col(c, r, C_NAME, &n);
    fb_set_name(b, s, n);
    s = col(c, r, C_TYPE, &n);
    b->e.kind = csl_kind(s, n);
    s = col(c, r, C_SOURCE, &n);
    fb_program(b, s, n);
    s = col(c, r, C_PROGRAMS, &n);
    split_each(b, s, n, ';', add_program);
    s = col(c, r, C_ALT, &n);
    split_each(b, s, n, ';', add_alias);
    s = col(c, r, C_ADDR, &n);
    split_each(b, s, n, ';', add_address);
    s = col(c, r, C_CITIZEN, &n);
    split_each(b, s, n, ';', add_country);
    s = col(c, r, C_NATION, &n);
    split_each(b, s, n, ';', add_country);
    s = col(c, r, C_IDS, &n);
    add_idents(b, s, n, c->col[C_ID] < 0);
    s = col(c, r, C_START, &n);
    fb_set_listed_on(b, s, n);
    s = col(c, r, C_REMARKS, &n);
    fb_set_remarks(b, s, n);
    return fb_emit(b, c->cb, c->ud);
}

/* Parse a Consolidated Screening List CSV. */
int rf_feed_parse_csl_csv(const rf_feed_src *src, rf_entity_cb cb, void *ud, rf_feed_diag *diag)
{
    csl_ctx c = {.cb = cb, .ud = ud};
    diag_init(diag);
    if (!cb || !src)
        return diag_set(diag, RF_EINVAL, 0, "no callback or no input");
    fb_init(&c.b, diag, src->list ? src->list : "us_csl");
    int rc = feed_csv_read(src, csl_row_cb, &c, diag);
    if (rc == RF_OK && !c.have_header)
        rc = diag_set(diag, RF_EINPUT, 0, "empty file: no CSV header");
    fb_free(&c.b);
    return rc;
}

/* trade.gov Consolidated Screening List CSV. */
const feed_ops feed_csl_csv = {"csl_csv", RF_EXPECT_CSV, false, NULL, rf_feed_parse_csl_csv};
