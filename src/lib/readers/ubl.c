/* UBL 2.0/2.1 orders (Order, OrderChange, OrderResponse; the PEPPOL BIS 3 and
 * CEN BII profiles use the same elements): one record per order line.
 *
 * Each cac:OrderLine gives a record for its cac:LineItem and one more for each
 * cac:SellerSubstitutedLineItem (an OrderResponse offering other goods). The
 * supplier is cac:SellerSupplierParty, the manufacturer the line item's
 * cac:ManufacturerParty. docs/FORMATS.md says how every field maps. */
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "reader_int.h"

typedef struct ubl_unit {
    docx_node *item;       /* cac:LineItem or cac:SellerSubstitutedLineItem */
    docx_node *order_line; /* its cac:OrderLine */
    docx_node *main_item;  /* for a substitute: the line item it replaces; else NULL */
} ubl_unit;

typedef struct ubl_state {
    xmlDoc *doc;
    docx_node *root;
    docx_node *seller;     /* cac:SellerSupplierParty/cac:Party, or NULL */
    ubl_unit *units;
    size_t n, cap;
} ubl_state;


/* Free the state and the document. */
static void ubl_free(void *priv)
{
    ubl_state *s = priv;
    if (!s)
        return;
    xmlFreeDoc(s->doc);
    free(s->units);
    free(s);
}

/* Store the first non-empty text among the paths under n. */
static int put_first(rf_reader *r, rf_record *rec, rf_field f, const docx_node *n,
                     const char *const *paths, size_t npaths)
{
    for (size_t i = 0; i < npaths; i++) {
        char *t = docx_text(docx_find(n, paths[i]));
        if (t) {
            int rc = doc_put(r, rec, f, t);
            free(t);
            return rc;
        }
    }
    return RF_OK;
}

/* Join the texts of every element at path under n (repeated last step). */
static void add_all(gbuf *b, const char *sep, const docx_node *n, const char *path)
{
    for (docx_node *c = docx_find(n, path); c; c = docx_next_same(c)) {
        char *t = docx_text(c);
        doc_buf_add(b, sep, t);
        free(t);
    }
}

/* The party's postal address as one line. */
static int party_address(rf_reader *r, rf_record *rec, rf_field f, const docx_node *party)
{
    static const char *const parts[] = {"cbc:StreetName", "cbc:AdditionalStreetName",
                                        "cbc:BuildingNumber", "cac:AddressLine/cbc:Line",
                                        "cbc:CityName", "cbc:PostalZone", "cbc:CountrySubentity"};
    docx_node *addr = docx_find(party, "cac:PostalAddress");
    gbuf b = {0};
    for (size_t i = 0; addr && i < sizeof parts / sizeof parts[0]; i++)
        add_all(&b, ", ", addr, parts[i]);
    return doc_buf_put(r, rec, f, &b);
}

/* Store the identifier in element n with its schemeID, or with fallback. */
static int put_id_node(rf_record *rec, bool supplier, const docx_node *n, const char *fallback)
{
    char *v = docx_text(n), *scheme = docx_attr(n, "schemeID");
    int rc = doc_put_id(rec, supplier, scheme ? scheme : fallback, v);
    free(v);
    free(scheme);
    return rc;
}

/* The party's tax registration (VAT when the tax scheme says so). */
static int put_tax_ids(rf_record *rec, bool supplier, const docx_node *party)
{
    int rc = RF_OK;
    for (docx_node *t = docx_find(party, "cac:PartyTaxScheme"); t && rc == RF_OK;
         t = docx_next_same(t)) {
        char *scheme = docx_text(docx_find(t, "cac:TaxScheme/cbc:ID"));
        bool vat = scheme && strcasestr(scheme, "VAT");
        rc = put_id_node(rec, supplier, docx_find(t, "cbc:CompanyID"), vat ? "VAT" : "tax");
        free(scheme);
    }
    return rc;
}

/* The party's identifiers: endpoint, party identifications (not in eForms,
 * where they are the notice's own ORG-nnnn references), tax and legal. */
static int party_ids(rf_record *rec, bool supplier, const docx_node *party, bool party_id)
{
    int rc = put_id_node(rec, supplier, docx_find(party, "cbc:EndpointID"), "endpoint");
    for (docx_node *p = docx_find(party, "cac:PartyIdentification"); p && party_id && rc == RF_OK;
         p = docx_next_same(p))
        rc = put_id_node(rec, supplier, docx_find(p, "cbc:ID"), "party-id");
    if (rc == RF_OK)
        rc = put_tax_ids(rec, supplier, party);
    for (docx_node *l = docx_find(party, "cac:PartyLegalEntity"); l && rc == RF_OK;
         l = docx_next_same(l))
        rc = put_id_node(rec, supplier, docx_find(l, "cbc:CompanyID"), "company-id");
    return rc;
}

/* Fill the supplier's or manufacturer's name, country, address and ids. */
int ubl_put_party(rf_reader *r, rf_record *rec, const docx_node *party, bool supplier,
                  bool party_id)
{
    static const char *const names[] = {"cac:PartyName/cbc:Name",
                                        "cac:PartyLegalEntity/cbc:RegistrationName",
                                        "cac:PartyTaxScheme/cbc:RegistrationName"};
    static const char *const countries[] = {
        "cac:PostalAddress/cac:Country/cbc:IdentificationCode",
        "cac:PartyLegalEntity/cac:RegistrationAddress/cac:Country/cbc:IdentificationCode",
        "cac:PartyTaxScheme/cac:RegistrationAddress/cac:Country/cbc:IdentificationCode"};
    if (!party)
        return RF_OK;
    int rc = put_first(r, rec, supplier ? RF_F_SUPPLIER_NAME : RF_F_MANUFACTURER_NAME, party,
                       names, 3);
    if (rc == RF_OK)
        rc = put_first(r, rec, supplier ? RF_F_SUPPLIER_COUNTRY : RF_F_MANUFACTURER_COUNTRY,
                       party, countries, 3);
    if (rc == RF_OK)
        rc = party_address(r, rec, supplier ? RF_F_SUPPLIER_ADDRESS : RF_F_MANUFACTURER_ADDRESS,
                           party);
    if (rc == RF_OK)
        rc = party_ids(rec, supplier, party, party_id);
    return rc;
}

/* One commodity classification: CPV (listID CPV or STI; eForms: listName
 * cpv) and HS to their fields (first of each), anything else kept as
 * "LIST CODE" in extra for the description. */
int ubl_put_class(rf_record *rec, const docx_node *code, gbuf *extra)
{
    char *v = docx_text(code), *list = docx_attr(code, "listID");
    if (!list)
        list = docx_attr(code, "listName");
    char buf[64];
    int rc = RF_OK;
    if (!v)
        goto out;
    bool cpv = list && (strcasecmp(list, "CPV") == 0 || strcasecmp(list, "STI") == 0);
    bool hs = list && strncasecmp(list, "HS", 2) == 0;
    if (cpv && rf_record_count(rec, RF_F_ITEM_CPV) == 0) {
        doc_cpv_clean(v, buf, sizeof buf);
        rc = rf_record_add(rec, RF_F_ITEM_CPV, buf, strlen(buf));
    } else if (hs && rf_record_count(rec, RF_F_ITEM_HS) == 0) {
        size_t k = 0;
        for (const char *p = v; *p && k + 1 < sizeof buf; p++)
            if (*p >= '0' && *p <= '9')
                buf[k++] = *p;
        rc = rf_record_add(rec, RF_F_ITEM_HS, buf, k);
    } else {
        bool unspsc = list && (strcasecmp(list, "TST") == 0 || strcasecmp(list, "UNSPSC") == 0);
        char tag[512];
        snprintf(tag, sizeof tag, "%s %s", unspsc ? "UNSPSC" : list ? list : "class", v);
        doc_buf_add(extra, "; ", tag);
    }
out:
    free(v);
    free(list);
    return rc;
}

/* item.description from the item's name, descriptions and other classifications. */
static int put_item(rf_reader *r, rf_record *rec, const docx_node *item)
{
    gbuf desc = {0}, extra = {0};
    char *name = docx_text(docx_find(item, "cbc:Name"));
    doc_buf_add(&desc, ". ", name);
    for (docx_node *d = docx_find(item, "cbc:Description"); d; d = docx_next_same(d)) {
        char *t = docx_text(d);
        if (!name || !t || strcmp(name, t) != 0)
            doc_buf_add(&desc, ". ", t);
        free(t);
    }
    free(name);
    int rc = RF_OK;
    for (docx_node *c = docx_find(item, "cac:CommodityClassification"); c && rc == RF_OK;
         c = docx_next_same(c))
        rc = ubl_put_class(rec, docx_find(c, "cbc:ItemClassificationCode"), &extra);
    if (extra.len) {
        doc_buf_add(&desc, " ", "[");
        doc_buf_add(&desc, "", extra.p);
        doc_buf_add(&desc, "", "]");
    }
    free(extra.p);
    if (rc == RF_OK)
        rc = doc_buf_put(r, rec, RF_F_ITEM_DESCRIPTION, &desc);
    free(desc.p);
    return rc;
}

/* Quantity, unit price and its currency (price, line amount, or document). */
static int put_amounts(rf_reader *r, rf_record *rec, const ubl_state *s, const docx_node *li)
{
    docx_node *price = docx_find(li, "cac:Price/cbc:PriceAmount");
    int rc = doc_put_node(r, rec, RF_F_ITEM_QUANTITY, docx_find(li, "cbc:Quantity"));
    if (rc == RF_OK)
        rc = doc_put_node(r, rec, RF_F_ITEM_UNIT_PRICE, price);
    char *cur = docx_attr(price, "currencyID");
    if (!cur)
        cur = docx_attr(docx_find(li, "cbc:LineExtensionAmount"), "currencyID");
    if (!cur && price)
        cur = docx_text(docx_find(s->root, "cbc:DocumentCurrencyCode"));
    if (rc == RF_OK)
        rc = doc_put(r, rec, RF_F_ITEM_CURRENCY, cur);
    free(cur);
    return rc;
}

/* The record id: document ID / line ID (/ "sub" / substitute ID). */
static int put_id(rf_record *rec, const ubl_state *s, const ubl_unit *u)
{
    gbuf b = {0};
    char *doc_id = docx_text(docx_find(s->root, "cbc:ID"));
    char *line = docx_text(docx_find(u->main_item ? u->main_item : u->item, "cbc:ID"));
    doc_buf_add(&b, "/", doc_id);
    doc_buf_add(&b, "/", line ? line : "?");
    if (u->main_item) {
        char *sub = docx_text(docx_find(u->item, "cbc:ID"));
        doc_buf_add(&b, "/", "sub");
        doc_buf_add(&b, "/", sub ? sub : "?");
        free(sub);
    }
    free(doc_id);
    free(line);
    int rc = b.oom ? RF_ENOMEM : rf_record_add(rec, RF_F_ID, b.p, b.len);
    free(b.p);
    return rc;
}

/* Fill the record of unit i. */
static int ubl_fill(rf_reader *r, void *priv, size_t i, rf_record *rec)
{
    ubl_state *s = priv;
    const ubl_unit *u = &s->units[i];
    rf_record_set_origin(rec, r->name, docx_line(r, u->item));
    int rc = put_id(rec, s, u);
    if (rc == RF_OK)
        rc = ubl_put_party(r, rec, s->seller, true, true);
    docx_node *item = docx_find(u->item, "cac:Item");
    if (rc == RF_OK)
        rc = ubl_put_party(r, rec, docx_find(item, "cac:ManufacturerParty"), false, true);
    if (rc == RF_OK)
        rc = put_item(r, rec, item);
    if (rc == RF_OK)
        rc = doc_put_node(r, rec, RF_F_ITEM_ORIGIN,
                          docx_find(item, "cac:OriginCountry/cbc:IdentificationCode"));
    if (rc == RF_OK)
        rc = put_amounts(r, rec, s, u->item);
    gbuf text = {0};
    add_all(&text, "\n", s->root, "cbc:Note");
    add_all(&text, "\n", u->order_line, "cbc:Note");
    add_all(&text, "\n", u->main_item ? u->main_item : u->item, "cbc:Note");
    if (rc == RF_OK)
        return doc_buf_put(r, rec, RF_F_TEXT, &text);
    free(text.p);
    return rc;
}

/* Add a unit to the list. */
static int add_unit(ubl_state *s, docx_node *item, docx_node *line, docx_node *main_item)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        ubl_unit *p = realloc(s->units, cap * sizeof *p);
        if (!p)
            return RF_ENOMEM;
        s->units = p;
        s->cap = cap;
    }
    s->units[s->n++] = (ubl_unit){item, line, main_item};
    return RF_OK;
}

/* List the order lines' items (and seller substitutes) in document order. */
static int list_units(ubl_state *s)
{
    int rc = RF_OK;
    for (docx_node *ol = docx_find(s->root, "cac:OrderLine"); ol && rc == RF_OK;
         ol = docx_next_same(ol)) {
        docx_node *li = docx_find(ol, "cac:LineItem");
        if (!li)
            continue;
        rc = add_unit(s, li, ol, NULL);
        for (docx_node *sub = docx_find(ol, "cac:SellerSubstitutedLineItem"); sub && rc == RF_OK;
             sub = docx_next_same(sub))
            rc = add_unit(s, sub, ol, li);
    }
    return rc;
}

/* Take over the parsed order and list its lines. */
int ubl_load(rf_reader *r, void *xmldoc, long line)
{
    static const doc_ops ops = {ubl_fill, ubl_free};
    (void)line;
    ubl_state *s = calloc(1, sizeof *s);
    if (!s)
        return RF_ENOMEM;
    s->doc = xmldoc;
    s->root = xmlDocGetRootElement(s->doc);
    s->seller = docx_find(s->root, "cac:SellerSupplierParty/cac:Party");
    int rc = list_units(s);
    if (rc != RF_OK) {
        s->doc = NULL;   /* the caller frees the document on failure */
        ubl_free(s);
        return rc;
    }
    r->doc->priv = s;
    r->doc->ops = &ops;
    r->doc->n = s->n;
    return RF_OK;
}

/* UBL 2.0/2.1 orders (PEPPOL BIS 3, CEN BII): one record per order line. */
static const char *const ubl_roots[] = {"Order", "OrderChange", "OrderResponse", NULL};
const reader_ops reader_ubl = {.names = "ubl peppol", .fmt = RF_FMT_UBL, .load_xml = ubl_load,
                               .roots = ubl_roots, .what = "a UBL order",
                               .units = "order lines"};
