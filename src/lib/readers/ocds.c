/* OCDS release packages and record packages (1.1, and 1.0 where suppliers are
 * written inline): one record per awarded supplier and award item.
 *
 * Releases come from "releases", or from each record's "compiledRelease"
 * (else the record's embedded releases). For each release: every award's
 * suppliers x its items (the award alone when it lists no items); with no
 * award, the tender's tenderers x the tender's items; with neither, each
 * tender item; with no items either, the tender itself. Organisation
 * references are resolved by id in the release's "parties", falling back to
 * the reference object itself. The whole document is parsed into a YAJL
 * tree (json_int.h): packages are bounded by RF_MAX_DOC_BYTES. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "json_int.h"
#include "reader_int.h"

typedef struct ocds_unit {
    yajl_val release;
    yajl_val award;      /* or NULL (tender-based record) */
    yajl_val party;      /* organisation reference, or NULL */
    yajl_val item;       /* or NULL */
} ocds_unit;

typedef struct ocds_state {
    yajl_val root;
    ocds_unit *units;
    size_t n, cap;
} ocds_state;

/* Free the state and the parsed document. */
static void ocds_free(void *priv)
{
    ocds_state *s = priv;
    if (!s)
        return;
    yajl_tree_free(s->root);
    free(s->units);
    free(s);
}

/* A string member, or NULL. */
static const char *str(yajl_val o, const char *key)
{
    return rf_json_str(rf_json_get(o, key));
}

/* Add one unit. */
static int add_unit(ocds_state *s, ocds_unit u)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        ocds_unit *p = realloc(s->units, cap * sizeof *p);
        if (!p)
            return RF_ENOMEM;
        s->units = p;
        s->cap = cap;
    }
    s->units[s->n++] = u;
    return RF_OK;
}

/* Add parties x items (items NULL or empty: one unit per party). */
static int add_cross(ocds_state *s, yajl_val rel, yajl_val award, yajl_val parties, yajl_val items)
{
    size_t np = rf_json_len(parties), ni = rf_json_len(items);
    int rc = RF_OK;
    for (size_t p = 0; p < (np ? np : 1) && rc == RF_OK; p++)
        for (size_t i = 0; i < (ni ? ni : 1) && rc == RF_OK; i++)
            rc = add_unit(s, (ocds_unit){rel, award, rf_json_at(parties, p),
                                         rf_json_at(items, i)});
    return rc;
}

/* List one release's records. */
static int list_release(ocds_state *s, yajl_val rel)
{
    yajl_val awards = rf_json_get(rel, "awards"), tender = rf_json_get(rel, "tender");
    int rc = RF_OK;
    for (size_t a = 0; a < rf_json_len(awards) && rc == RF_OK; a++) {
        yajl_val aw = rf_json_at(awards, a);
        rc = add_cross(s, rel, aw, rf_json_get(aw, "suppliers"), rf_json_get(aw, "items"));
    }
    if (rf_json_len(awards) || !YAJL_IS_OBJECT(tender))
        return rc;
    return add_cross(s, rel, NULL, rf_json_get(tender, "tenderers"),
                     rf_json_get(tender, "items"));
}

/* The releases of a record: its compiledRelease, else its embedded releases. */
static int list_record(ocds_state *s, yajl_val rec)
{
    yajl_val c = rf_json_get(rec, "compiledRelease"), rels = rf_json_get(rec, "releases");
    if (YAJL_IS_OBJECT(c))
        return list_release(s, c);
    int rc = RF_OK;
    for (size_t i = 0; i < rf_json_len(rels) && rc == RF_OK; i++)
        if (rf_json_get(rf_json_at(rels, i), "ocid"))   /* not a linked release */
            rc = list_release(s, rf_json_at(rels, i));
    return rc;
}

/* The full organisation for a reference: the party with its id, else itself. */
static yajl_val resolve(yajl_val rel, yajl_val ref)
{
    const char *id = str(ref, "id");
    yajl_val parties = rf_json_get(rel, "parties");
    for (size_t i = 0; id && i < rf_json_len(parties); i++) {
        yajl_val p = rf_json_at(parties, i);
        const char *pid = str(p, "id");
        if (pid && strcmp(pid, id) == 0)
            return p;
    }
    return ref;
}

/* Text of a JSON string or number (ids are sometimes numbers). */
static const char *text_of(yajl_val v, char *buf, size_t buflen)
{
    if (YAJL_IS_STRING(v))
        return rf_json_str(v);
    if (rf_json_is_int(v))
        snprintf(buf, buflen, "%lld", v->u.number.i);
    else if (YAJL_IS_NUMBER(v))
        snprintf(buf, buflen, "%.15g", v->u.number.d);
    else
        return NULL;
    return buf;
}

/* An identifier {scheme, id}. */
static int put_identifier(rf_record *rec, yajl_val ident)
{
    char buf[64];
    const char *id = text_of(rf_json_get(ident, "id"), buf, sizeof buf);
    const char *scheme = str(ident, "scheme");
    return doc_put_id(rec, true, scheme ? scheme : "identifier", id);
}

/* The supplier: name, country, address, identifiers. */
static int put_party(rf_reader *r, rf_record *rec, yajl_val org)
{
    static const char *const parts[] = {"streetAddress", "locality", "region", "postalCode"};
    yajl_val ident = rf_json_get(org, "identifier"), addr = rf_json_get(org, "address");
    const char *name = str(org, "name");
    int rc = doc_put(r, rec, RF_F_SUPPLIER_NAME, name ? name : str(ident, "legalName"));
    if (rc == RF_OK)
        rc = doc_put(r, rec, RF_F_SUPPLIER_COUNTRY, str(addr, "countryName"));
    doc_buf b = {0};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        doc_buf_add(&b, ", ", str(addr, parts[i]));
    if (rc == RF_OK)
        rc = doc_buf_put(r, rec, RF_F_SUPPLIER_ADDRESS, &b);
    free(b.s);
    if (rc == RF_OK)
        rc = put_identifier(rec, ident);
    yajl_val more = rf_json_get(org, "additionalIdentifiers");
    for (size_t i = 0; i < rf_json_len(more) && rc == RF_OK; i++)
        rc = put_identifier(rec, rf_json_at(more, i));
    return rc;
}

/* One classification: CPV into item.cpv (first), else "SCHEME ID" in extra. */
static int put_class(rf_record *rec, yajl_val c, doc_buf *extra)
{
    char buf[64], tag[512];
    const char *id = text_of(rf_json_get(c, "id"), buf, sizeof buf);
    const char *scheme = str(c, "scheme");
    if (!id)
        return RF_OK;
    if (scheme && strcasecmp(scheme, "CPV") == 0 && rf_record_count(rec, RF_F_ITEM_CPV) == 0) {
        char cpv[64];
        doc_cpv_clean(id, cpv, sizeof cpv);
        return rf_record_add(rec, RF_F_ITEM_CPV, cpv, strlen(cpv));
    }
    snprintf(tag, sizeof tag, "%s %s", scheme ? scheme : "class", id);
    doc_buf_add(extra, "; ", tag);
    return RF_OK;
}

/* A number that may be written as a JSON number or a numeric string. */
static int put_number(rf_reader *r, rf_record *rec, rf_field f, yajl_val v)
{
    if (YAJL_IS_NUMBER(v))
        return rf_record_add_num(rec, f, rf_json_num(v));
    return doc_put(r, rec, f, rf_json_str(v));
}

/* The item: description with its other classifications, CPV, quantity, unit price. */
static int put_item(rf_reader *r, rf_record *rec, yajl_val item, yajl_val award)
{
    doc_buf desc = {0}, extra = {0};
    doc_buf_add(&desc, "", str(item, "description"));
    if (!item)
        doc_buf_add(&desc, "", str(award, "title"));
    int rc = put_class(rec, rf_json_get(item, "classification"), &extra);
    yajl_val more = rf_json_get(item, "additionalClassifications");
    for (size_t i = 0; i < rf_json_len(more) && rc == RF_OK; i++)
        rc = put_class(rec, rf_json_at(more, i), &extra);
    if (extra.len) {
        doc_buf_add(&desc, " ", "[");
        doc_buf_add(&desc, "", extra.s);
        doc_buf_add(&desc, "", "]");
    }
    free(extra.s);
    if (rc == RF_OK)
        rc = doc_buf_put(r, rec, RF_F_ITEM_DESCRIPTION, &desc);
    free(desc.s);
    yajl_val value = rf_json_get(rf_json_get(item, "unit"), "value");
    if (rc == RF_OK)
        rc = put_number(r, rec, RF_F_ITEM_QUANTITY, rf_json_get(item, "quantity"));
    if (rc == RF_OK)
        rc = put_number(r, rec, RF_F_ITEM_UNIT_PRICE, rf_json_get(value, "amount"));
    if (rc == RF_OK)
        rc = doc_put(r, rec, RF_F_ITEM_CURRENCY, str(value, "currency"));
    return rc;
}

/* contract.value / currency: the award's value, else the tender's. */
static int put_value(rf_reader *r, rf_record *rec, yajl_val value)
{
    int rc = put_number(r, rec, RF_F_CONTRACT_VALUE, rf_json_get(value, "amount"));
    if (rc == RF_OK && rf_record_count(rec, RF_F_CONTRACT_VALUE))
        rc = doc_put(r, rec, RF_F_CONTRACT_CURRENCY, str(value, "currency"));
    return rc;
}

/* Add s (trimmed) to the buffer unless it is already there (titles repeat). */
static void add_new(doc_buf *b, const char *s)
{
    if (!s)
        return;
    while (*s && strchr(" \t\r\n", *s))
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    char *t = strndup(s, n);
    if (!t)
        b->oom = true;
    else if (!b->s || !strstr(b->s, t))
        doc_buf_add(b, "\n", t);
    free(t);
}

/* text: tender title and description, award title and description. */
static int put_text(rf_reader *r, rf_record *rec, yajl_val tender, yajl_val award)
{
    doc_buf b = {0};
    add_new(&b, str(tender, "title"));
    add_new(&b, str(tender, "description"));
    add_new(&b, str(award, "title"));
    add_new(&b, str(award, "description"));
    return doc_buf_put(r, rec, RF_F_TEXT, &b);
}

/* The record id: ocid / release id / award id or "tender" / party / item. */
static int put_id(rf_record *rec, const ocds_unit *u)
{
    char b1[64], b2[64], b3[64];
    const char *ocid = str(u->release, "ocid");
    const char *rid = text_of(rf_json_get(u->release, "id"), b1, sizeof b1);
    yajl_val ident = rf_json_get(u->party, "identifier");
    const char *pid = text_of(rf_json_get(u->party, "id"), b2, sizeof b2);
    doc_buf b = {0};
    if (!(ocid && rid && strncmp(rid, ocid, strlen(ocid)) == 0))
        doc_buf_add(&b, "/", ocid);
    doc_buf_add(&b, "/", rid);
    doc_buf_add(&b, "/", u->award ? text_of(rf_json_get(u->award, "id"), b3, sizeof b3)
                                  : "tender");
    if (u->party)
        doc_buf_add(&b, "/", pid ? pid : str(ident, "id") ? str(ident, "id") : str(u->party, "name"));
    if (u->item)
        doc_buf_add(&b, "/", text_of(rf_json_get(u->item, "id"), b1, sizeof b1));
    int rc = b.oom ? RF_ENOMEM : rf_record_add(rec, RF_F_ID, b.s ? b.s : "", b.len);
    free(b.s);
    return rc;
}

/* Fill the record of unit i. */
static int ocds_fill(rf_reader *r, void *priv, size_t i, rf_record *rec)
{
    ocds_state *s = priv;
    const ocds_unit *u = &s->units[i];
    yajl_val tender = rf_json_get(u->release, "tender");
    rf_record_set_origin(rec, r->name, r->doc->line0);
    int rc = put_id(rec, u);
    if (rc == RF_OK && u->party)
        rc = put_party(r, rec, resolve(u->release, u->party));
    if (rc == RF_OK)
        rc = put_item(r, rec, u->item, u->award);
    if (rc == RF_OK)
        rc = put_value(r, rec, rf_json_get(u->award ? u->award : tender, "value"));
    if (rc == RF_OK)
        rc = put_text(r, rec, tender, u->award);
    return rc;
}

/* List every release's records. */
static int list_all(ocds_state *s)
{
    yajl_val rels = rf_json_get(s->root, "releases"), recs = rf_json_get(s->root, "records");
    int rc = RF_OK;
    for (size_t i = 0; i < rf_json_len(rels) && rc == RF_OK; i++)
        rc = list_release(s, rf_json_at(rels, i));
    for (size_t i = 0; i < rf_json_len(recs) && rc == RF_OK; i++)
        rc = list_record(s, rf_json_at(recs, i));
    return rc;
}

/* Parse the package and list its records. */
int ocds_load(rf_reader *r, const char *data, size_t len, long *errline)
{
    static const doc_ops ops = {ocds_fill, ocds_free};
    rf_json_err e;
    yajl_val root;
    int rc = rf_json_parse(data, len, RF_JSON_MAX_DEPTH, false, &root, &e);
    if (rc == RF_ENOMEM) {
        snprintf(r->err, sizeof r->err, "out of memory reading %s", r->name);
        return rc;
    }
    if (rc != RF_OK) {
        *errline = e.line + r->doc->line0 - 1;
        return reader_fail(r, "invalid JSON in %s at line %ld: %s", r->name, *errline, e.text);
    }
    if (!YAJL_IS_ARRAY(rf_json_get(root, "releases")) &&
        !YAJL_IS_ARRAY(rf_json_get(root, "records"))) {
        yajl_tree_free(root);
        return reader_fail(r, "%s is a JSON document but not an OCDS release or record "
                              "package (no \"releases\" or \"records\" array)", r->name);
    }
    ocds_state *s = calloc(1, sizeof *s);
    if (!s) {
        yajl_tree_free(root);
        return RF_ENOMEM;
    }
    s->root = root;
    rc = list_all(s);
    if (rc != RF_OK) {
        ocds_free(s);
        return rc;
    }
    r->doc->priv = s;
    r->doc->ops = &ops;
    r->doc->n = s->n;
    return RF_OK;
}

/* OCDS 1.0/1.1 release and record packages. */
const reader_ops reader_ocds = {.names = "ocds", .fmt = RF_FMT_OCDS, .load_json = ocds_load,
                                .what = "an OCDS package",
                                .units = "releases with awards, tenderers or items"};
