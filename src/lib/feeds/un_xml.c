/* UN Security Council consolidated list XML: INDIVIDUAL and ENTITY entries. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

static const char *const name_parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                         "FOURTH_NAME"};

/* The name as FIRST_NAME … FOURTH_NAME joined by spaces, into buf. */
static size_t un_name(xmlNodePtr n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof name_parts / sizeof *name_parts; i++) {
        const char *t = xml_child_text(n, name_parts[i]);
        if (!t || !*t)
            continue;
        int w = snprintf(buf + o, cap - o, "%s%s", o ? " " : "", t);
        if (w < 0 || (size_t)w >= cap - o)
            return o;
        o += (size_t)w;
    }
    return o;
}

/* Alias kind from QUALITY: Low is weak, f.k.a. former, the rest (Good, a.k.a.) strong. */
static rf_alias_kind un_quality(const char *q)
{
    if (q && strcasecmp(q, "Low") == 0)
        return RF_ALIAS_WEAK;
    if (q && strcasecmp(q, "f.k.a.") == 0)
        return RF_ALIAS_FORMER;
    return RF_ALIAS_AKA;
}

/* Identity documents: TYPE_OF_DOCUMENT / NUMBER / ISSUING_COUNTRY. */
static void un_document(feed_builder *b, xmlNodePtr d)
{
    const char *type = xml_child_text(d, "TYPE_OF_DOCUMENT");
    const char *num = xml_child_text(d, "NUMBER");
    const char *ctry = xml_child_text(d, "ISSUING_COUNTRY");
    char cc[3];
    if (!ctry)
        ctry = xml_child_text(d, "COUNTRY_OF_ISSUE");
    if (!num)
        return;
    bool have = ctry && feed_country(b->diag, ctry, strlen(ctry), cc);
    fb_ident(b, type ? type : "Document", num, strlen(num), have ? cc : NULL);
}

/* Every VALUE child of a list element mapped as a country. */
static void un_values_country(feed_builder *b, xmlNodePtr n)
{
    for (xmlNodePtr v = n ? n->children : NULL; v; v = v->next) {
        const char *t = xml_is(v, "VALUE") ? xml_text(v) : NULL;
        if (t)
            fb_country(b, t, strlen(t));
    }
}

/* Handle one child element of an INDIVIDUAL / ENTITY. */
static void un_child(feed_builder *b, xmlNodePtr c)
{
    const char *nm = (const char *)c->name;
    const char *t;
    if (strcmp(nm, "INDIVIDUAL_ALIAS") == 0 || strcmp(nm, "ENTITY_ALIAS") == 0) {
        if ((t = xml_child_text(c, "ALIAS_NAME")))
            fb_alias(b, t, strlen(t), un_quality(xml_child_text(c, "QUALITY")));
    } else if (strcmp(nm, "NAME_ORIGINAL_SCRIPT") == 0) {
        if ((t = xml_text(c)))
            fb_alias(b, t, strlen(t), RF_ALIAS_AKA);
    } else if (strcmp(nm, "NATIONALITY") == 0) {
        un_values_country(b, c);
    } else if (strcmp(nm, "INDIVIDUAL_ADDRESS") == 0 || strcmp(nm, "ENTITY_ADDRESS") == 0) {
        if ((t = xml_child_text(c, "COUNTRY")))
            fb_country(b, t, strlen(t));
    } else if (strcmp(nm, "INDIVIDUAL_DOCUMENT") == 0) {
        un_document(b, c);
    } else if (strcmp(nm, "UN_LIST_TYPE") == 0) {
        if ((t = xml_text(c)))
            fb_program(b, t, strlen(t));
    } else if (strcmp(nm, "LISTED_ON") == 0) {
        if ((t = xml_text(c)))
            fb_set_listed_on(b, t, strlen(t));
    } else if (strcmp(nm, "COMMENTS1") == 0) {
        if ((t = xml_text(c)))
            fb_set_remarks(b, t, strlen(t));
    }
}

/* Fill the builder from one INDIVIDUAL or ENTITY element. */
static void build_entry(feed_builder *b, xmlNodePtr n)
{
    char buf[1024];
    const char *ref = xml_child_text(n, "REFERENCE_NUMBER");
    const char *dataid = xml_child_text(n, "DATAID");
    b->e.line = xmlGetLineNo(n);
    b->e.kind = strcmp((const char *)n->name, "INDIVIDUAL") == 0 ? RF_ENTITY_PERSON
                                                                 : RF_ENTITY_COMPANY;
    if (ref || dataid)
        fb_set_id(b, ref ? ref : dataid, strlen(ref ? ref : dataid));
    fb_set_name(b, buf, un_name(n, buf, sizeof buf));
    if (dataid)
        fb_ident(b, "UN DATAID", dataid, strlen(dataid), NULL);
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            un_child(b, c);
}

/* Parse the UN consolidated list. */
int rf_feed_parse_un_xml(const rf_feed_src *src, rf_entity_cb cb, void *ud, rf_feed_diag *diag)
{
    return feed_xml_entities(src, "CONSOLIDATED_LIST", "INDIVIDUAL|ENTITY", "un_sc", build_entry, cb, ud, diag);
}

/* UN Security Council consolidated list XML. */
const feed_ops feed_un_xml = {"un_xml", RF_EXPECT_XML, false, NULL, rf_feed_parse_un_xml};
