/* Private parts of the feed parsers: their ops table (feeds/list.c), the
 * entity builder and diagnostics (feed.c), input opening, the CSV line driver
 * (feeds/csv_driver.c) and the XML reader setup (feeds/xml_driver.c). */
#ifndef REDFLAG_FEED_INT_H
#define REDFLAG_FEED_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include "redflag/feed.h"
#include "redflag/feedconf.h"
#include "redflag/fetch.h"

/* ---- the formats (feeds/, one file each, listed by RF_FEED_FORMATS) ---- */

/* What a feed format provides: its feeds.conf name, what a download must look
 * like, whether the feed's alt_url and add_url belong to it (ofac_csv), and
 * either a parser of one entity file (parse_one, run on each of the feed's
 * files in turn) or a parser of all the feed's n files at once delivering
 * entities (ecb) or goods rows (gcb). */
typedef struct feed_ops {
    const char *name;
    rf_fetch_expect expect;
    bool extra_urls;
    int (*parse)(const rf_feed_def *def, const rf_feed_src *src, size_t n, rf_entity_cb ecb,
                 rf_goods_cb gcb, void *ud, rf_feed_diag *d);
    int (*parse_one)(const rf_feed_src *src, rf_entity_cb cb, void *ud, rf_feed_diag *d);
} feed_ops;
/* Parse a feed's n files with its format's parser. */
int feed_parse(const feed_ops *ops, const rf_feed_def *def, const rf_feed_src *src, size_t n,
               rf_entity_cb ecb, rf_goods_cb gcb, void *ud, rf_feed_diag *d);
/* The parser of a format (NULL for none), and the format called name (-1). */
const feed_ops *feed_ops_of(rf_feed_format f);
int feed_format_named(const char *name);

/* ---- entity builder (feed.c) ---- */

typedef struct fb_block fb_block;

/* Collects one entity's strings and arrays; reset between entities. */
typedef struct feed_builder {
    fb_block *blocks;     /* string arena for the current entity */
    size_t used;          /* bytes held for the current entity */
    rf_feed_diag *diag;
    rf_alias *aliases;    size_t naliases, capaliases;
    const char **countries; size_t ncountries, capcountries;
    rf_ident *ids;        size_t nids, capids;
    const char **programs; size_t nprograms, capprograms;
    rf_entity e;
    int err;              /* first error while building (RF_ENOMEM / RF_ELIMIT) */
} feed_builder;

void fb_init(feed_builder *b, rf_feed_diag *diag, const char *list);
void fb_free(feed_builder *b);
void fb_reset(feed_builder *b);
/* Copy s[0..len) with whitespace (incl. NBSP) collapsed and trimmed; NULL when empty. */
const char *fb_str(feed_builder *b, const char *s, size_t len);
void fb_set_id(feed_builder *b, const char *s, size_t len);
void fb_set_name(feed_builder *b, const char *s, size_t len);
void fb_set_remarks(feed_builder *b, const char *s, size_t len);
void fb_append_remarks(feed_builder *b, const char *s);
void fb_set_listed_on(feed_builder *b, const char *s, size_t len);
void fb_alias(feed_builder *b, const char *s, size_t len, rf_alias_kind kind);
/* Map a country code or name and add it once; unmapped names go to the diag. */
void fb_country(feed_builder *b, const char *s, size_t len);
void fb_ident(feed_builder *b, const char *scheme, const char *value, size_t vlen,
              const char *country);
void fb_program(feed_builder *b, const char *s, size_t len);
/* Deliver the entity (name and id required); returns the callback's value or an error. */
int fb_emit(feed_builder *b, rf_entity_cb cb, void *ud);

/* ---- shared helpers (feed.c) ---- */

void diag_init(rf_feed_diag *d);
/* Record an error with its line; returns code. */
int diag_set(rf_feed_diag *d, int code, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_unmapped(rf_feed_diag *d, const char *name, size_t len);
/* Map a country to alpha-2 into out[3]; false (and noted in diag) when unknown. */
bool feed_country(rf_feed_diag *d, const char *s, size_t len, char out[3]);
/* Normalise a date ("2022-06-21", "June 21, 2022", "06/21/2022", "21 Jun 2022")
 * to YYYY-MM-DD in out[11]; false when not a full date. */
bool feed_date(const char *s, size_t len, char out[11]);
/* Open src as a stream (file or memory); NULL with the diag set. */
FILE *feed_open(const rf_feed_src *src, rf_feed_diag *d);
/* Case-insensitive prefix test; returns the prefix length or 0. */
size_t feed_prefix(const char *s, const char *prefix);
/* Trim ASCII whitespace around s[0..*len); returns the new start. */
const char *feed_trim(const char *s, size_t *len);

/* ---- CSV driver (feed_csv.c) ---- */

typedef struct feed_csv_row {
    char **f;       /* fields, NUL-terminated */
    size_t *flen;
    size_t n;
    long line;      /* line where the record starts */
} feed_csv_row;

/* Called per record; return 0 to go on, else stop with that value. */
typedef int (*feed_row_cb)(const feed_csv_row *row, void *ud);

/* Read every CSV record of src, calling cb. A trailing \x1a (OFAC EOF byte)
 * is ignored; "-0-" is left to the caller. */
int feed_csv_read(const rf_feed_src *src, feed_row_cb cb, void *ud, rf_feed_diag *d);
/* Field i trimmed, or "" when absent; "-0-" counts as absent when nulls set. */
const char *csv_field(const feed_csv_row *r, size_t i, size_t *len);
/* Index of the header column named name (case-insensitive, trimmed), or -1. */
int csv_column(const feed_csv_row *hdr, const char *name);

/* ---- XML helpers (feed_xml.c) ---- */

typedef struct feed_xml {
    xmlTextReaderPtr r;
    rf_feed_diag *diag;
    int err_line;
    bool seen_root;
    bool skip;            /* the last element was expanded: skip its subtree */
    char err[200];
} feed_xml;

/* Open a namespace-agnostic, network-free, entity-safe reader over src. */
/* Silence libxml2's default error printing in this thread (the library never
 * prints; the parsers report errors through their diag). */
void feed_xml_quiet(void);
int feed_xml_open(feed_xml *x, const rf_feed_src *src, rf_feed_diag *d);
void feed_xml_close(feed_xml *x);
/* Advance to the next element named `name` (local name; several may be given
 * separated by '|') at any depth below the root and
 * expand it; *out the subtree (owned by the reader), NULL at the end. root
 * is checked against the document element once. */
int feed_xml_next(feed_xml *x, const char *root, const char *name, xmlNodePtr *out);
/* Stream every element `name` ("A|B" for either) under `root` of src: each
 * built into an entity by build and handed to cb. list names the entities'
 * list when src does not. The parsers of entity lists in XML share it. */
int feed_xml_entities(const rf_feed_src *src, const char *root, const char *name,
                      const char *list, void (*build)(feed_builder *b, xmlNodePtr n),
                      rf_entity_cb cb, void *ud, rf_feed_diag *diag);
/* One entity-list parser over each of a feed's n files in turn. */
int feed_each_file(const rf_feed_src *src, size_t n,
                   int (*parse)(const rf_feed_src *, rf_entity_cb, void *, rf_feed_diag *),
                   rf_entity_cb cb, void *ud, rf_feed_diag *d);
/* First child element with local name, or NULL. */
xmlNodePtr xml_child(xmlNodePtr n, const char *name);
/* Text of the first child element named name (owned by the tree), or NULL. */
const char *xml_child_text(xmlNodePtr n, const char *name);
/* Text of a node when it holds a single text child, else NULL. */
const char *xml_text(xmlNodePtr n);
bool xml_is(xmlNodePtr n, const char *name);

#endif
