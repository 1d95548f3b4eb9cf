/* OFAC Sanctions List Service ENHANCED_XML (root <sanctionsData>, e.g. SDN_ENHANCED.XML,
 * CONS_ENHANCED.XML): one <entity> at a time through the streaming reader. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

/* Entity kind from generalInfo/entityType. */
static rf_entity_kind enhanced_kind(const char *t)
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

/* A translation's name as "First Last" (like the sdnList parser), else its formattedFullName. */
static size_t translation_name(xmlNodePtr tr, char *buf, size_t cap)
{
    const char *first = xml_child_text(tr, "formattedFirstName");
    const char *last = xml_child_text(tr, "formattedLastName");
    const char *full = xml_child_text(tr, "formattedFullName");
    int w = first && last ? snprintf(buf, cap, "%s %s", first, last)
                          : snprintf(buf, cap, "%s", last ? last : full ? full : "");
    return w < 0 ? 0 : ((size_t)w < cap ? (size_t)w : cap - 1);
}

/* True when the element has a child <name> whose text is "true". */
static bool child_true(xmlNodePtr n, const char *name)
{
    const char *t = xml_child_text(n, name);
    return t && strcasecmp(t, "true") == 0;
}

/* Alias kind of a non-primary <name>: F.K.A. a former name, low quality a weak alias. */
static rf_alias_kind alias_kind(xmlNodePtr name)
{
    const char *type = xml_child_text(name, "aliasType");
    if (type && strcasecmp(type, "F.K.A.") == 0)
        return RF_ALIAS_FORMER;
    return child_true(name, "isLowQuality") ? RF_ALIAS_WEAK : RF_ALIAS_AKA;
}

/* Names: the primary name's primary translation is the name; its other translations
 * (other scripts) and every translation of the other names are aliases. */
static void add_names(feed_builder *b, xmlNodePtr names)
{
    char buf[1024];
    for (xmlNodePtr n = names ? names->children : NULL; n; n = n->next) {
        if (!xml_is(n, "name"))
            continue;
        bool primary = child_true(n, "isPrimary");
        rf_alias_kind k = primary ? RF_ALIAS_AKA : alias_kind(n);
        for (xmlNodePtr t = xml_child(xml_child(n, "translations"), "translation"); t;
             t = t->next) {
            if (!xml_is(t, "translation"))
                continue;
            size_t len = translation_name(t, buf, sizeof buf);
            if (primary && !b->e.name && child_true(t, "isPrimary"))
                fb_set_name(b, buf, len);
            else
                fb_alias(b, buf, len, k);
        }
    }
}

/* Programs, and the earliest datePublished of the entity's sanctions lists as its listing date. */
static void add_programs(feed_builder *b, xmlNodePtr n)
{
    char best[11] = "", d[11];
    for (xmlNodePtr p = xml_child(xml_child(n, "sanctionsPrograms"), "sanctionsProgram"); p;
         p = p->next) {
        const char *t = xml_is(p, "sanctionsProgram") ? xml_text(p) : NULL;
        if (t)
            fb_program(b, t, strlen(t));
    }
    for (xmlNodePtr l = xml_child(xml_child(n, "sanctionsLists"), "sanctionsList"); l;
         l = l->next) {
        xmlChar *v = xml_is(l, "sanctionsList") ? xmlGetProp(l, BAD_CAST "datePublished") : NULL;
        if (v && feed_date((const char *)v, strlen((const char *)v), d) &&
            (!best[0] || strcmp(d, best) < 0))
            memcpy(best, d, sizeof best);
        xmlFree(v);
    }
    if (best[0])
        fb_set_listed_on(b, best, strlen(best));
}

/* Countries of the addresses and of the nationality / citizenship / registration features. */
static void add_countries(feed_builder *b, xmlNodePtr n)
{
    for (xmlNodePtr a = xml_child(xml_child(n, "addresses"), "address"); a; a = a->next) {
        const char *c = xml_is(a, "address") ? xml_child_text(a, "country") : NULL;
        if (c)
            fb_country(b, c, strlen(c));
    }
    for (xmlNodePtr f = xml_child(xml_child(n, "features"), "feature"); f; f = f->next) {
        const char *type = xml_is(f, "feature") ? xml_child_text(f, "type") : NULL;
        const char *v = xml_child_text(f, "value");
        if (type && v && (strstr(type, "Nationality") || strstr(type, "Citizenship") ||
                          strcasecmp(type, "Vessel Flag") == 0))
            fb_country(b, v, strlen(v));
    }
}

/* Identifiers from identityDocuments, with the issuing country mapped when given. */
static void add_ids(feed_builder *b, xmlNodePtr n)
{
    for (xmlNodePtr a = xml_child(xml_child(n, "identityDocuments"), "identityDocument"); a;
         a = a->next) {
        if (!xml_is(a, "identityDocument"))
            continue;
        const char *type = xml_child_text(a, "type");
        const char *num = xml_child_text(a, "documentNumber");
        const char *ctry = xml_child_text(a, "issuingCountry");
        char cc[3];
        if (!type || !num)
            continue;
        bool have = ctry && feed_country(b->diag, ctry, strlen(ctry), cc);
        fb_ident(b, type, num, strlen(num), have ? cc : NULL);
    }
}

/* Fill the builder from one <entity> element. */
static void build_entity(feed_builder *b, xmlNodePtr n)
{
    xmlChar *id = xmlGetProp(n, BAD_CAST "id");
    const char *remarks = xml_child_text(n, "remarks");
    b->e.line = xmlGetLineNo(n);
    if (id)
        fb_set_id(b, (const char *)id, strlen((const char *)id));
    xmlFree(id);
    b->e.kind = enhanced_kind(xml_child_text(xml_child(n, "generalInfo"), "entityType"));
    add_names(b, xml_child(n, "names"));
    if (!b->e.name && b->naliases) /* no primary translation marked: the first name given */
        fb_set_name(b, b->aliases[0].name, strlen(b->aliases[0].name));
    add_programs(b, n);
    add_countries(b, n);
    add_ids(b, n);
    if (remarks)
        fb_set_remarks(b, remarks, strlen(remarks));
}

/* Parse an OFAC ENHANCED_XML document. */
int rf_feed_parse_ofac_enhanced_xml(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                                    rf_feed_diag *diag)
{
    return feed_xml_entities(src, "sanctionsData", "entity", "us_ofac", build_entity, cb, ud, diag);
}

/* OFAC SDN_ENHANCED.XML and CONS_ENHANCED.XML. */
const feed_ops feed_ofac_enhanced_xml = {"ofac_enhanced_xml", RF_EXPECT_XML, false, NULL,
                                         rf_feed_parse_ofac_enhanced_xml};
