/* OFAC sdn.xml / consolidated.xml (sdnList schema): one sdnEntry at a time. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

/* Entity kind from sdnType. */
static rf_entity_kind ofac_kind(const char *t)
{
    if (!t)
        return RF_ENTITY_OTHER;
    if (strcasecmp(t, "Individual") == 0)
        return RF_ENTITY_PERSON;
    if (strcasecmp(t, "Entity") == 0)
        return RF_ENTITY_COMPANY;
    if (strcasecmp(t, "Vessel") == 0)
        return RF_ENTITY_VESSEL;
    if (strcasecmp(t, "Aircraft") == 0)
        return RF_ENTITY_AIRCRAFT;
    return RF_ENTITY_OTHER;
}

/* "First Last" from an element with firstName / lastName children, into buf. */
static size_t full_name(xmlNodePtr n, char *buf, size_t cap)
{
    const char *first = xml_child_text(n, "firstName");
    const char *last = xml_child_text(n, "lastName");
    int w = snprintf(buf, cap, "%s%s%s", first ? first : "", first && last ? " " : "",
                     last ? last : "");
    return w < 0 ? 0 : ((size_t)w < cap ? (size_t)w : cap - 1);
}

/* Aliases from akaList: f.k.a. becomes a former name, weak a weak alias. */
static void add_akas(feed_builder *b, xmlNodePtr list)
{
    char buf[1024];
    for (xmlNodePtr a = list ? list->children : NULL; a; a = a->next) {
        if (!xml_is(a, "aka"))
            continue;
        const char *type = xml_child_text(a, "type");
        const char *cat = xml_child_text(a, "category");
        rf_alias_kind k = RF_ALIAS_AKA;
        if (type && strcasecmp(type, "f.k.a.") == 0)
            k = RF_ALIAS_FORMER;
        else if (cat && strcasecmp(cat, "weak") == 0)
            k = RF_ALIAS_WEAK;
        fb_alias(b, buf, full_name(a, buf, sizeof buf), k);
    }
}

/* Countries of every item/country under a list element (addresses, nationality…). */
static void add_countries(feed_builder *b, xmlNodePtr list, const char *item)
{
    for (xmlNodePtr a = list ? list->children : NULL; a; a = a->next) {
        const char *c = xml_is(a, item) ? xml_child_text(a, "country") : NULL;
        if (c)
            fb_country(b, c, strlen(c));
    }
}

/* Identifiers from idList, with the issuing country mapped when given. */
static void add_ids(feed_builder *b, xmlNodePtr list)
{
    for (xmlNodePtr a = list ? list->children : NULL; a; a = a->next) {
        if (!xml_is(a, "id"))
            continue;
        const char *type = xml_child_text(a, "idType");
        const char *num = xml_child_text(a, "idNumber");
        const char *ctry = xml_child_text(a, "idCountry");
        char cc[3];
        if (!type || !num)
            continue;
        bool have = ctry && feed_country(b->diag, ctry, strlen(ctry), cc);
        fb_ident(b, type, num, strlen(num), have ? cc : NULL);
    }
}

/* Fill the builder from one sdnEntry element. */
static void build_entry(feed_builder *b, xmlNodePtr n)
{
    char buf[1024];
    const char *uid = xml_child_text(n, "uid");
    const char *remarks = xml_child_text(n, "remarks");
    b->e.line = xmlGetLineNo(n);
    if (uid)
        fb_set_id(b, uid, strlen(uid));
    fb_set_name(b, buf, full_name(n, buf, sizeof buf));
    b->e.kind = ofac_kind(xml_child_text(n, "sdnType"));
    for (xmlNodePtr p = xml_child(xml_child(n, "programList"), "program"); p; p = p->next) {
        const char *t = xml_is(p, "program") ? xml_text(p) : NULL;
        if (t)
            fb_program(b, t, strlen(t));
    }
    add_akas(b, xml_child(n, "akaList"));
    add_countries(b, xml_child(n, "addressList"), "address");
    add_countries(b, xml_child(n, "nationalityList"), "nationality");
    add_countries(b, xml_child(n, "citizenshipList"), "citizenship");
    const char *flag = xml_child_text(xml_child(n, "vesselInfo"), "vesselFlag");
    if (flag)
        fb_country(b, flag, strlen(flag));
    add_ids(b, xml_child(n, "idList"));
    const char *call = xml_child_text(xml_child(n, "vesselInfo"), "callSign");
    if (call)
        fb_ident(b, "Call Sign", call, strlen(call), NULL);
    if (remarks)
        fb_set_remarks(b, remarks, strlen(remarks));
}

/* Parse an OFAC sdnList document. */
int rf_feed_parse_ofac_xml(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                           rf_feed_diag *diag)
{
    return feed_xml_entities(src, "sdnList", "sdnEntry", "us_ofac", build_entry, cb, ud, diag);
}

/* OFAC sdn.xml and consolidated.xml. */
const feed_ops feed_ofac_xml = {"ofac_xml", RF_EXPECT_XML, false, NULL, rf_feed_parse_ofac_xml};
