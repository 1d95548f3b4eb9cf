/* EU eForms notices (UBL 2.3 ContractNotice, ContractAwardNotice,
 * PriorInformationNotice with the efext:EformsExtension): one record per lot
 * and winning organisation.
 *
 * A lot's results are the efac:LotResult elements whose efac:TenderLot names
 * it. When a result selected a winner (TenderResultCode selec-w, or no code),
 * each organisation of each referenced tender's tendering party is a winner;
 * when none did, the lot's tenderers are listed instead; with no result at
 * all (contract notices, PINs) the lot stands alone. Organisations come from
 * efac:Organizations by their ORG-nnnn id. Lots groups (schemeName LotsGroup)
 * are not lots and give no record. */
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/country.h"
#include "reader_int.h"

typedef struct ef_unit {
    docx_node *lot;      /* cac:ProcurementProjectLot */
    docx_node *company;  /* efac:Company of the organisation, or NULL */
    docx_node *tender;   /* efac:LotTender, or NULL */
    docx_node *party;    /* efac:TenderingParty, or NULL */
} ef_unit;

typedef struct ef_state {
    xmlDoc *doc;
    docx_node *root;
    docx_node *ext;      /* efext:EformsExtension, or NULL */
    docx_node *result;   /* efac:NoticeResult, or NULL */
    ef_unit *units;
    size_t n, cap;
} ef_state;

/* Free the state and the document. */
static void ef_free(void *priv)
{
    ef_state *s = priv;
    if (!s)
        return;
    xmlFreeDoc(s->doc);
    free(s->units);
    free(s);
}

/* True when the text at path under n equals id. */
static bool text_is(const docx_node *n, const char *path, const char *id)
{
    char *t = docx_text(docx_find(n, path));
    bool eq = t && id && strcmp(t, id) == 0;
    free(t);
    return eq;
}

/* The element among first and its same-named siblings whose cbc:ID is id. */
static docx_node *by_id(docx_node *first, const char *id)
{
    for (docx_node *c = first; c; c = docx_next_same(c))
        if (text_is(c, "cbc:ID", id))
            return c;
    return NULL;
}

/* The efac:Company of organisation id (ORG-nnnn), or NULL. */
static docx_node *company(const ef_state *s, const char *id)
{
    docx_node *o = docx_find(s->ext, "efac:Organizations/efac:Organization");
    for (; o; o = docx_next_same(o)) {
        docx_node *c = docx_find(o, "efac:Company");
        if (text_is(c, "cac:PartyIdentification/cbc:ID", id))
            return c;
    }
    return NULL;
}

/* Add a unit unless the lot already lists that organisation. */
static int add_unit(ef_state *s, ef_unit u)
{
    for (size_t i = 0; u.company && i < s->n; i++)
        if (s->units[i].lot == u.lot && s->units[i].company == u.company)
            return RF_OK;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        ef_unit *p = realloc(s->units, cap * sizeof *p);
        if (!p)
            return RF_ENOMEM;
        s->units = p;
        s->cap = cap;
    }
    s->units[s->n++] = u;
    return RF_OK;
}

/* Add one unit per organisation of the tender's tendering party. */
static int add_tender(ef_state *s, docx_node *lot, const char *tender_id)
{
    docx_node *tender = by_id(docx_find(s->result, "efac:LotTender"), tender_id);
    char *tpa = docx_text(docx_find(tender, "efac:TenderingParty/cbc:ID"));
    docx_node *party = tpa ? by_id(docx_find(s->result, "efac:TenderingParty"), tpa) : NULL;
    free(tpa);
    int rc = RF_OK;
    for (docx_node *t = docx_find(party, "efac:Tenderer"); t && rc == RF_OK; t = docx_next_same(t)) {
        char *org = docx_text(docx_find(t, "cbc:ID"));
        docx_node *c = company(s, org);
        free(org);
        if (c)
            rc = add_unit(s, (ef_unit){lot, c, tender, party});
    }
    return rc;
}

/* True when a lot result selected a winner (selec-w, or no status given). */
static bool has_winner(const docx_node *res)
{
    char *code = docx_text(docx_find(res, "cbc:TenderResultCode"));
    bool w = !code || strcmp(code, "selec-w") == 0;
    free(code);
    return w;
}

/* Add the lot's organisations from the results that do (or do not) select a
 * winner; *added counts the units made. */
static int add_results(ef_state *s, docx_node *lot, const char *lot_id, bool winners,
                       size_t *added)
{
    size_t before = s->n;
    int rc = RF_OK;
    for (docx_node *res = docx_find(s->result, "efac:LotResult"); res && rc == RF_OK;
         res = docx_next_same(res)) {
        if (!text_is(res, "efac:TenderLot/cbc:ID", lot_id) || has_winner(res) != winners)
            continue;
        for (docx_node *t = docx_find(res, "efac:LotTender"); t && rc == RF_OK;
             t = docx_next_same(t)) {
            char *id = docx_text(docx_find(t, "cbc:ID"));
            if (id)
                rc = add_tender(s, lot, id);
            free(id);
        }
    }
    *added = s->n - before;
    return rc;
}

/* List the records of one lot: winners, else tenderers, else the lot alone. */
static int list_lot(ef_state *s, docx_node *lot)
{
    docx_node *idn = docx_find(lot, "cbc:ID");
    char *scheme = docx_attr(idn, "schemeName"), *id = docx_text(idn);
    bool group = scheme && strcmp(scheme, "LotsGroup") == 0;
    size_t added = 0;
    int rc = RF_OK;
    if (!group)
        rc = add_results(s, lot, id, true, &added);
    if (!group && rc == RF_OK && added == 0)
        rc = add_results(s, lot, id, false, &added);
    if (!group && rc == RF_OK && added == 0)
        rc = add_unit(s, (ef_unit){lot, NULL, NULL, NULL});
    free(scheme);
    free(id);
    return rc;
}

/* The record id: notice ID / lot ID (/ organisation ID). */
static int put_id(rf_record *rec, const ef_state *s, const ef_unit *u)
{
    gbuf b = {0};
    char *notice = docx_text(docx_find(s->root, "cbc:ID"));
    char *lot = docx_text(docx_find(u->lot, "cbc:ID"));
    char *org = docx_text(docx_find(u->company, "cac:PartyIdentification/cbc:ID"));
    doc_buf_add(&b, "/", notice);
    doc_buf_add(&b, "/", lot);
    doc_buf_add(&b, "/", org);
    free(notice);
    free(lot);
    free(org);
    int rc = b.oom ? RF_ENOMEM : rf_record_add(rec, RF_F_ID, b.p ? b.p : "", b.len);
    free(b.p);
    return rc;
}

/* Subcontractors named by the tendering party: names and countries in pairs. */
static int put_subcontractors(const ef_state *s, rf_record *rec, const docx_node *party)
{
    int rc = RF_OK;
    for (docx_node *sc = docx_find(party, "efac:SubContractor"); sc && rc == RF_OK;
         sc = docx_next_same(sc)) {
        char *org = docx_text(docx_find(sc, "cbc:ID"));
        docx_node *c = company(s, org);
        free(org);
        if (!c)
            continue;
        char *name = docx_text(docx_find(c, "cac:PartyName/cbc:Name"));
        char *cty = docx_text(docx_find(c, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"));
        char a2[3];
        const char *cv = cty && rf_country_normalize(cty, strlen(cty), a2) == RF_OK ? a2 : cty;
        rc = rf_record_add(rec, RF_F_SUBCONTRACTOR_NAME, name ? name : "", name ? strlen(name) : 0);
        if (rc == RF_OK)
            rc = rf_record_add(rec, RF_F_SUBCONTRACTOR_COUNTRY, cv ? cv : "", cv ? strlen(cv) : 0);
        free(name);
        free(cty);
    }
    return rc;
}

/* item.description (lot title, description, other classifications) and
 * item.cpv (the lot's main CPV, else the notice's). */
static int put_lot_item(rf_reader *r, rf_record *rec, const ef_state *s, const docx_node *pp)
{
    gbuf desc = {0}, extra = {0};
    char *name = docx_text(docx_find(pp, "cbc:Name")), *d = docx_text(docx_find(pp, "cbc:Description"));
    doc_buf_add(&desc, ". ", name);
    if (!name || !d || strcmp(name, d) != 0)
        doc_buf_add(&desc, ". ", d);
    free(name);
    free(d);
    docx_node *main = docx_find(pp, "cac:MainCommodityClassification/cbc:ItemClassificationCode");
    if (!main)
        main = docx_find(s->root, "cac:ProcurementProject/cac:MainCommodityClassification/"
                                 "cbc:ItemClassificationCode");
    int rc = ubl_put_class(rec, main, &extra);
    for (docx_node *c = docx_find(pp, "cac:AdditionalCommodityClassification"); c && rc == RF_OK;
         c = docx_next_same(c)) {
        docx_node *code = docx_find(c, "cbc:ItemClassificationCode");
        char *v = docx_text(code), *list = docx_attr(code, "listName"), tag[300];
        snprintf(tag, sizeof tag, "%s %s", list && strcmp(list, "cpv") == 0 ? "CPV" : list ? list : "class", v ? v : "");
        if (v)
            doc_buf_add(&extra, "; ", tag);
        free(v);
        free(list);
    }
    if (extra.len) {
        doc_buf_add(&desc, " ", "[");
        doc_buf_add(&desc, "", extra.p);
        doc_buf_add(&desc, "", "]");
    }
    free(extra.p);
    if (rc == RF_OK)
        return doc_buf_put(r, rec, RF_F_ITEM_DESCRIPTION, &desc);
    free(desc.p);
    return rc;
}

/* Places of performance: the lot's, else the notice's. */
static int put_places(rf_reader *r, rf_record *rec, const ef_state *s, const docx_node *pp)
{
    docx_node *loc = docx_find(pp, "cac:RealizedLocation");
    if (!loc)
        loc = docx_find(s->root, "cac:ProcurementProject/cac:RealizedLocation");
    int rc = RF_OK;
    for (; loc && rc == RF_OK; loc = docx_next_same(loc))
        rc = doc_put_node(r, rec, RF_F_CONTRACT_PERFORMANCE_COUNTRY,
                          docx_find(loc, "cac:Address/cac:Country/cbc:IdentificationCode"));
    return rc;
}

/* contract.value and currency: the tender's amount, else the lot's estimate. */
static int put_value(rf_reader *r, rf_record *rec, const ef_unit *u, const docx_node *pp)
{
    docx_node *v = docx_find(u->tender, "cac:LegalMonetaryTotal/cbc:PayableAmount");
    if (!v)
        v = docx_find(pp, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount");
    char *cur = docx_attr(v, "currencyID");
    int rc = doc_put_node(r, rec, RF_F_CONTRACT_VALUE, v);
    if (rc == RF_OK)
        rc = doc_put(r, rec, RF_F_CONTRACT_CURRENCY, cur);
    free(cur);
    return rc;
}

/* text: the procedure's title and description, and the tender's
 * subcontracting description. */
static int put_text(rf_reader *r, rf_record *rec, const ef_state *s, const ef_unit *u)
{
    gbuf b = {0};
    char *t[3] = {docx_text(docx_find(s->root, "cac:ProcurementProject/cbc:Name")),
                  docx_text(docx_find(s->root, "cac:ProcurementProject/cbc:Description")),
                  docx_text(docx_find(u->tender, "efac:SubcontractingTerm/efbc:TermDescription"))};
    for (size_t i = 0; i < 3; i++) {
        if (!(i == 1 && t[0] && t[1] && strcmp(t[0], t[1]) == 0))
            doc_buf_add(&b, "\n", t[i]);
    }
    for (size_t i = 0; i < 3; i++)
        free(t[i]);
    return doc_buf_put(r, rec, RF_F_TEXT, &b);
}

/* Fill the record of unit i. */
static int ef_fill(rf_reader *r, void *priv, size_t i, rf_record *rec)
{
    ef_state *s = priv;
    const ef_unit *u = &s->units[i];
    docx_node *pp = docx_find(u->lot, "cac:ProcurementProject");
    rf_record_set_origin(rec, r->name, docx_line(r, u->lot));
    int rc = put_id(rec, s, u);
    if (rc == RF_OK)
        rc = ubl_put_party(r, rec, u->company, true, false);
    if (rc == RF_OK)
        rc = put_subcontractors(s, rec, u->party);
    if (rc == RF_OK)
        rc = put_lot_item(r, rec, s, pp);
    if (rc == RF_OK)
        rc = put_places(r, rec, s, pp);
    if (rc == RF_OK)
        rc = put_value(r, rec, u, pp);
    if (rc == RF_OK)
        rc = put_text(r, rec, s, u);
    return rc;
}

/* Take over the parsed notice and list its records. */
int eforms_load(rf_reader *r, void *xmldoc, long line)
{
    static const doc_ops ops = {ef_fill, ef_free};
    (void)line;
    ef_state *s = calloc(1, sizeof *s);
    if (!s)
        return RF_ENOMEM;
    s->doc = xmldoc;
    s->root = xmlDocGetRootElement(s->doc);
    s->ext = docx_find(s->root, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/"
                               "efext:EformsExtension");
    s->result = docx_find(s->ext, "efac:NoticeResult");
    int rc = RF_OK;
    for (docx_node *lot = docx_find(s->root, "cac:ProcurementProjectLot"); lot && rc == RF_OK;
         lot = docx_next_same(lot))
        rc = list_lot(s, lot);
    if (rc != RF_OK) {
        s->doc = NULL;   /* the caller frees the document on failure */
        ef_free(s);
        return rc;
    }
    r->doc->priv = s;
    r->doc->ops = &ops;
    r->doc->n = s->n;
    return RF_OK;
}

/* EU eForms notices: one record per awarded supplier and lot. */
static const char *const eforms_roots[] = {"ContractNotice", "ContractAwardNotice",
                                           "PriorInformationNotice", NULL};
const reader_ops reader_eforms = {.names = "eforms", .fmt = RF_FMT_EFORMS,
                                  .load_xml = eforms_load, .roots = eforms_roots,
                                  .what = "an eForms notice", .units = "lots"};
