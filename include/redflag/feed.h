/* redflag — streaming parsers for the public risk lists (docs/DATA.md).
 *
 * Each format has one entry point that reads a file (or a memory buffer) and
 * calls back once per listed entity (or, for the DOL list, once per good and
 * country), in file order, with bounded memory: one entity is held at a time.
 * An index builder consumes the callbacks; nothing is kept after a call.
 *
 * Ownership: every pointer inside an rf_entity / rf_goods is owned by the
 * parser and valid only during the callback. Copy what you keep.
 *
 * Errors: the parser returns RF_OK only when the whole input was read and
 * recognised. A truncated file, a document of the wrong kind (an HTML error
 * page handed to the XML parser), a broken CSV quote or a JSON syntax error
 * return RF_EINPUT with diag->line and diag->message saying where and why;
 * entities already delivered stay delivered, so a caller building an index
 * must discard the build on any error. RF_EIO: the file cannot be read.
 * RF_ELIMIT: a line, record or entity is larger than the limits below.
 * RF_ENOMEM: allocation failed. A callback that returns non-zero stops the
 * parse, and that value is returned. */
#ifndef REDFLAG_FEED_H
#define REDFLAG_FEED_H

#include <stddef.h>
#include "redflag/common.h"

/* Limits the parsers enforce (RF_ELIMIT beyond them). */
#define RF_FEED_MAX_LINE (4u << 20)    /* one CSV / JSON line */
#define RF_FEED_MAX_ENTITY (4u << 20)  /* text held for one entity */

typedef enum rf_entity_kind {
    RF_ENTITY_OTHER = 0, /* unknown or not stated by the list */
    RF_ENTITY_COMPANY,   /* company, organisation, legal entity */
    RF_ENTITY_PERSON,
    RF_ENTITY_VESSEL,
    RF_ENTITY_AIRCRAFT
} rf_entity_kind;

typedef enum rf_alias_kind {
    RF_ALIAS_AKA = 0, /* also known as (OFAC strong a.k.a., UN Good / a.k.a.) */
    RF_ALIAS_WEAK,    /* weak or low-quality alias (OFAC weak, UN Low, FtM weakAlias) */
    RF_ALIAS_FORMER   /* former name (f.k.a., formerly known as, previousName) */
} rf_alias_kind;

typedef struct rf_alias {
    const char *name;
    rf_alias_kind kind;
} rf_alias;

/* One identifier: scheme as the list writes it ("Registration ID", "lei",
 * "imo", "Passport"), value, and the issuing country (alpha-2) or NULL. */
typedef struct rf_ident {
    const char *scheme;
    const char *value;
    const char *country;
} rf_ident;

typedef struct rf_entity {
    const char *list;        /* the list name given in rf_feed_src (or the format's default) */
    const char *id;          /* the list's own id for the entry, never NULL */
    rf_entity_kind kind;
    const char *name;        /* primary name, whitespace collapsed, never NULL */
    const rf_alias *aliases; /* other names, duplicates of name removed */
    size_t naliases;
    const char *const *countries; /* ISO 3166-1 alpha-2, upper case, distinct */
    size_t ncountries;
    const rf_ident *ids;
    size_t nids;
    const char *const *programs; /* sanctions programs, source lists, UFLPA clause */
    size_t nprograms;
    const char *listed_on;   /* ISO date YYYY-MM-DD, or NULL when the list has none */
    const char *remarks;     /* free text, or NULL */
    long line;               /* line in the input where the entry starts (1-based) */
} rf_entity;

/* Called once per entity. Return 0 to go on; any other value stops the parse
 * and becomes the parser's return value. */
typedef int (*rf_entity_cb)(const rf_entity *e, void *ud);

/* Flags of one good x country pair on the DOL List of Goods. */
enum {
    RF_GOODS_CHILD_LABOR = 1u << 0,
    RF_GOODS_FORCED_LABOR = 1u << 1,
    RF_GOODS_FORCED_CHILD_LABOR = 1u << 2,
    RF_GOODS_DERIVED = 1u << 3 /* made from an input produced with forced labour */
};

typedef struct rf_goods {
    const char *good;          /* "Rubber Gloves" */
    const char *sector;        /* "Manufacturing", or NULL */
    const char *country;       /* alpha-2, or NULL when the name could not be mapped */
    const char *country_name;  /* as written in the list: "Malaysia" */
    unsigned flags;            /* RF_GOODS_* */
    const char *derived_country;      /* alpha-2 of the input's origin, or NULL */
    const char *derived_country_name; /* as written, or NULL */
    long line;
} rf_goods;

typedef int (*rf_goods_cb)(const rf_goods *g, void *ud);

/* Where to read: a file path, or (path NULL) a buffer data[0..len). The list
 * name is copied into every entity's `list`; NULL picks the format's default
 * ("us_ofac", "un_sc", "us_csl", "us_uflpa", "opensanctions", "mapped"). */
typedef struct rf_feed_src {
    const char *path;
    const char *data;
    size_t len;
    const char *list;
} rf_feed_src;

/* What a parse found. Filled by every parser (may be NULL). */
typedef struct rf_feed_diag {
    long line;              /* line of the error (0 when not tied to a line) */
    char message[256];      /* the cause, "" on success */
    size_t entities;        /* entities (or goods rows) delivered */
    size_t skipped;         /* records read but not delivered (FtM relationship schemas) */
    size_t unmapped;        /* country names rf_country_normalize could not map */
    char unmapped_names[256]; /* the first few of them, "; "-separated */
} rf_feed_diag;

/* OFAC sdn.xml / consolidated.xml (sdnList schema, any namespace prefix). */
RF_API int rf_feed_parse_ofac_xml(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                                  rf_feed_diag *diag);

/* OFAC ENHANCED_XML (root sanctionsData: SDN_ENHANCED.XML, CONS_ENHANCED.XML), streamed
 * one <entity> at a time; other-script translations of a name become aliases. */
RF_API int rf_feed_parse_ofac_enhanced_xml(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                                           rf_feed_diag *diag);

/* OFAC legacy CSV: sdn.csv (or cons_prim.csv) with alt.csv and add.csv joined
 * by ent_num. alt and add may be NULL. alt and add are held in memory (they
 * are a fraction of the list); sdn is streamed. */
RF_API int rf_feed_parse_ofac_csv(const rf_feed_src *sdn, const rf_feed_src *alt,
                                  const rf_feed_src *add, rf_entity_cb cb, void *ud,
                                  rf_feed_diag *diag);

/* UN Security Council consolidated list XML (INDIVIDUAL and ENTITY). */
RF_API int rf_feed_parse_un_xml(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                                rf_feed_diag *diag);

/* trade.gov Consolidated Screening List CSV, 29-column (with _id) or legacy
 * 28-column layout, told apart by the header. */
RF_API int rf_feed_parse_csl_csv(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                                 rf_feed_diag *diag);

/* DHS UFLPA Entity List HTML page: one table per UFLPA 2(d)(2)(B) clause.
 * Aliases and former names written in the name cell become aliases; the
 * clause becomes the program "UFLPA 2(d)(2)(B)(i)" (just "UFLPA" when the
 * page does not say); "and subsidiaries" goes to remarks. */
RF_API int rf_feed_parse_uflpa_html(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                                    rf_feed_diag *diag);

/* US DOL ILAB List of Goods XML: one callback per good x country. */
RF_API int rf_feed_parse_dol_goods(const rf_feed_src *src, rf_goods_cb cb, void *ud,
                                   rf_feed_diag *diag);

/* OpenSanctions FollowTheMoney JSON lines, plain entities or delta ops
 * ({"op":"ADD","entity":{…}}). Company, Organization, LegalEntity, PublicBody,
 * Person, Vessel and Airplane become entities; other schemas are skipped
 * (counted in diag->skipped). DEL ops are skipped too. */
RF_API int rf_feed_parse_ftm(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                             rf_feed_diag *diag);

/* A buyer's own CSV list, read through a column mapping: each map entry is
 * "FIELD=Column" or "FIELD[SEP]=Column" (SEP splits several values in one
 * cell). FIELD is one of name (required), id, kind, country, aliases, former,
 * program, listed_on, remarks, or ident.SCHEME (e.g. "ident.lei=LEI Code").
 * Header names match case-insensitively. RF_EINVAL with a message for a bad
 * mapping or a column the header lacks. Rows without an id get "row-N". */
RF_API int rf_feed_parse_mapped_csv(const rf_feed_src *src, const char *const *map,
                                    size_t nmap, rf_entity_cb cb, void *ud,
                                    rf_feed_diag *diag);

/* "organisation", "person", "vessel", "aircraft" or "unknown"; static storage. */
RF_API const char *rf_entity_kind_name(rf_entity_kind kind);

#endif
