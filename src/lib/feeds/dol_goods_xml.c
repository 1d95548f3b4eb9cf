/* US DOL ILAB List of Goods XML: one callback per good x country. */
#include <string.h>
#include <strings.h>
#include "feed_int.h"

/* True for a "Yes" flag. */
static bool yes(xmlNodePtr c, const char *name)
{
    const char *t = xml_child_text(c, name);
    size_t n = t ? strlen(t) : 0;
    t = t ? feed_trim(t, &n) : NULL;
    return t && n == 3 && strncasecmp(t, "Yes", 3) == 0;
}

/* Derived_Country holds "No" or the name of the input's country. */
static const char *derived_name(xmlNodePtr c)
{
    const char *t = xml_child_text(c, "Derived_Country");
    if (!t || !*t || strcasecmp(t, "No") == 0 || strcasecmp(t, "Yes") == 0)
        return NULL;
    return t;
}

/* Deliver one Country element of a Good. */
static int emit_country(rf_goods *g, xmlNodePtr c, rf_feed_diag *d, rf_goods_cb cb, void *ud)
{
    char cc[3], dc[3];
    const char *name = xml_child_text(c, "Country_Name");
    if (!name)
        return diag_set(d, RF_EINPUT, xmlGetLineNo(c), "Country without Country_Name in good '%s'",
                        g->good);
    g->country_name = name;
    g->country = feed_country(d, name, strlen(name), cc) ? cc : NULL;
    g->flags = (yes(c, "Child_Labor") ? RF_GOODS_CHILD_LABOR : 0u) |
               (yes(c, "Forced_Labor") ? RF_GOODS_FORCED_LABOR : 0u) |
               (yes(c, "Forced_Child_Labor") ? RF_GOODS_FORCED_CHILD_LABOR : 0u) |
               (yes(c, "Derived_Labor_Exploitation") ? RF_GOODS_DERIVED : 0u);
    g->derived_country_name = derived_name(c);
    g->derived_country = g->derived_country_name &&
                                 feed_country(d, g->derived_country_name,
                                              strlen(g->derived_country_name), dc)
                             ? dc
                             : NULL;
    g->line = xmlGetLineNo(c);
    int rc = cb(g, ud);
    if (rc)
        return diag_set(d, rc, g->line, "stopped by the callback (%d)", rc);
    if (d)
        d->entities++;
    return RF_OK;
}

/* Deliver every country of one Good element. */
static int emit_good(xmlNodePtr n, rf_feed_diag *d, rf_goods_cb cb, void *ud)
{
    rf_goods g = {0};
    g.good = xml_child_text(n, "Good_Name");
    g.sector = xml_child_text(n, "Good_Sector");
    if (!g.good)
        return diag_set(d, RF_EINPUT, xmlGetLineNo(n), "Good without Good_Name");
    for (xmlNodePtr c = xml_child(xml_child(n, "Countries"), "Country"); c; c = c->next) {
        if (!xml_is(c, "Country"))
            continue;
        int rc = emit_country(&g, c, d, cb, ud);
        if (rc)
            return rc;
    }
    return RF_OK;
}

/* Parse the DOL List of Goods. */
int rf_feed_parse_dol_goods(const rf_feed_src *src, rf_goods_cb cb, void *ud, rf_feed_diag *diag)
{
    feed_xml x;
    xmlNodePtr n;
    diag_init(diag);
    if (!cb)
        return diag_set(diag, RF_EINVAL, 0, "no callback");
    int rc = feed_xml_open(&x, src, diag);
    if (rc)
        return rc;
    while ((rc = feed_xml_next(&x, "Goods", "Good", &n)) == RF_OK && n)
        if ((rc = emit_good(n, diag, cb, ud)) != 0)
            break;
    feed_xml_close(&x);
    return rc;
}

/* Each file of the feed in turn. */
static int parse_all(const rf_feed_def *def, const rf_feed_src *src, size_t n, rf_entity_cb ecb,
                     rf_goods_cb gcb, void *ud, rf_feed_diag *d)
{
    (void)def, (void)ecb;
    int rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < n; i++)
        rc = rf_feed_parse_dol_goods(&src[i], gcb, ud, d);
    return rc;
}

/* The US DOL ILAB List of Goods XML (goods rows, not entities). */
const feed_ops feed_dol_goods_xml = {"dol_goods_xml", RF_EXPECT_XML, false, parse_all, NULL};
