/* Tests for the risk-list parsers, on the real samples in tests/fixtures/feeds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <time.h>
#include "redflag/feed.h"

/* What a test collects: counts per kind and one entity flattened to text. */
typedef struct seen {
    size_t n, persons, companies, vessels, aircraft;
    const char *want;     /* id to snapshot */
    char name[256], aliases[4096], countries[128], ids[1024], programs[512];
    char listed[16], remarks[256], kind[16];
    long line;
} seen;

/* Append to a fixed buffer. */
static void cat(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/* Entity callback: count, and flatten the wanted entity. */
static int collect(const rf_entity *e, void *ud)
{
    seen *s = ud;
    s->n++;
    s->persons += e->kind == RF_ENTITY_PERSON;
    s->companies += e->kind == RF_ENTITY_COMPANY;
    s->vessels += e->kind == RF_ENTITY_VESSEL;
    s->aircraft += e->kind == RF_ENTITY_AIRCRAFT;
    if (!s->want || strcmp(e->id, s->want) != 0)
        return 0;
    static const char *const ak[] = {"aka", "weak", "former"};
    snprintf(s->name, sizeof s->name, "%s", e->name);
    snprintf(s->kind, sizeof s->kind, "%s", rf_entity_kind_name(e->kind));
    for (size_t i = 0; i < e->naliases; i++)
        cat(s->aliases, sizeof s->aliases, "%s%s:%s", i ? "|" : "", ak[e->aliases[i].kind],
            e->aliases[i].name);
    for (size_t i = 0; i < e->ncountries; i++)
        cat(s->countries, sizeof s->countries, "%s%s", i ? "," : "", e->countries[i]);
    for (size_t i = 0; i < e->nids; i++)
        cat(s->ids, sizeof s->ids, "%s%s=%s/%s", i ? "|" : "", e->ids[i].scheme,
            e->ids[i].value, e->ids[i].country ? e->ids[i].country : "-");
    for (size_t i = 0; i < e->nprograms; i++)
        cat(s->programs, sizeof s->programs, "%s%s", i ? "|" : "", e->programs[i]);
    snprintf(s->listed, sizeof s->listed, "%s", e->listed_on ? e->listed_on : "-");
    snprintf(s->remarks, sizeof s->remarks, "%s", e->remarks ? e->remarks : "-");
    s->line = e->line;
    return 0;
}

/* Path of a fixture, under $RF_SRCDIR when set. */
static const char *fx(const char *name)
{
    static char buf[16][1024];
    static int k;
    const char *root = getenv("RF_SRCDIR");
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s%stests/fixtures/feeds/%s", root ? root : "",
             root ? "/" : "", name);
    return buf[k];
}

/* An rf_feed_src over an in-memory string. */
static rf_feed_src mem(const char *s)
{
    return (rf_feed_src){.data = s, .len = strlen(s)};
}

/* OFAC consolidated.xml: every sdnEntry, and two entries field by field. */
static void test_ofac_xml(void **state)
{
    (void)state;
    rf_feed_diag d;
    seen s = {.want = "15268"};
    rf_feed_src src = {.path = fx("consolidated.xml"), .list = "us_ofac_cons"};
    assert_int_equal(rf_feed_parse_ofac_xml(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 443);
    assert_int_equal(d.entities, 443);
    assert_int_equal(s.persons, 79);
    assert_int_equal(s.companies, 364);
    assert_string_equal(s.name, "BANK OF KUNLUN CO LTD");
    assert_string_equal(s.aliases, "former:KARAMAY URBAN CREDIT COOPERATIVES|"
                                   "former:KARAMAY CITY COMMERCIAL BANK CO LTD.");
    assert_string_equal(s.countries, "CN");
    assert_string_equal(s.ids, "SWIFT/BIC=CKLBCNBJ/-");
    assert_string_equal(s.programs, "561-Related");
    assert_int_equal(s.line, 2348);
    seen p = {.want = "9639"};
    assert_int_equal(rf_feed_parse_ofac_xml(&src, collect, &p, &d), RF_OK);
    assert_string_equal(p.kind, "person");
    assert_string_equal(p.name, "Ismail Abdul Salah HANIYA");
    assert_string_equal(p.aliases, "aka:Ismail HANIYA|aka:Ismaeel HANIYYA");
    assert_string_equal(p.programs, "NS-PLC");
}

/* Namespace prefixes do not matter, and weak aliases are marked. */
static void test_ofac_xml_prefix(void **state)
{
    (void)state;
    const char *doc = "<?xml version=\"1.0\"?>\n<o:sdnList xmlns:o=\"urn:x\">\n"
                      "<o:sdnEntry><o:uid>1</o:uid><o:lastName>ACME &amp; SONS</o:lastName>"
                      "<o:sdnType>Vessel</o:sdnType><o:akaList><o:aka><o:type>a.k.a.</o:type>"
                      "<o:category>weak</o:category><o:lastName>ACME</o:lastName></o:aka>"
                      "</o:akaList></o:sdnEntry></o:sdnList>\n";
    rf_feed_src src = mem(doc);
    seen s = {.want = "1"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_ofac_xml(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.name, "ACME & SONS");
    assert_string_equal(s.kind, "vessel");
    assert_string_equal(s.aliases, "weak:ACME");
}

/* OFAC CSV: sdn joined with alt and add; "-0-" nulls; CRLF; \x1a at the end. */
static void test_ofac_csv(void **state)
{
    (void)state;
    rf_feed_src sdn = {.path = fx("sdn-csv-small/sdn.csv")};
    rf_feed_src alt = {.path = fx("sdn-csv-small/alt.csv")};
    rf_feed_src add = {.path = fx("sdn-csv-small/add.csv")};
    seen s = {.want = "11195"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_ofac_csv(&sdn, &alt, &add, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 17);
    assert_string_equal(s.name, "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY");
    assert_string_equal(s.kind, "organisation");
    assert_string_equal(s.programs, "NPWMD|IFSR|IRAN-CON-ARMS-EO");
    assert_non_null(strstr(s.aliases, "aka:HESA TRADE CENTER|"));
    assert_string_equal(s.countries, "IR");
    seen p = {.want = "10278"};
    assert_int_equal(rf_feed_parse_ofac_csv(&sdn, &alt, &add, collect, &p, &d), RF_OK);
    assert_string_equal(p.kind, "person");
    assert_string_equal(p.name, "LOGAN MOREY, Elvis Angus");
    assert_string_equal(p.aliases, ""); /* alt.csv row 10416,10278 is alias 10278 of 10416 */
    assert_string_equal(p.countries, ""); /* its add row is all "-0-" */
    assert_non_null(strstr(p.remarks, "Passport P0017003 (Belize)"));
    seen g = {.want = "12685"};
    assert_int_equal(rf_feed_parse_ofac_csv(&sdn, &alt, &add, collect, &g, &d), RF_OK);
    assert_string_equal(g.aliases, "aka:GADDAFI INTERNATIONAL FOUNDATION FOR CHARITY ORGANISATIONS");
    assert_string_equal(g.countries, "LY,CH");
    assert_string_equal(g.programs, "LIBYA2");
    rf_feed_src cp = {.path = fx("consolidated-csv/cons_prim.csv")};
    rf_feed_src ca = {.path = fx("consolidated-csv/cons_alt.csv")};
    rf_feed_src cd = {.path = fx("consolidated-csv/cons_add.csv")};
    seen c = {.want = "9639"};
    assert_int_equal(rf_feed_parse_ofac_csv(&cp, &ca, &cd, collect, &c, &d), RF_OK);
    assert_int_equal(c.n, 442);
    assert_string_equal(c.name, "HANIYA, Ismail Abdul Salah");
    assert_string_equal(c.programs, "NS-PLC");
    /* sdn alone works too */
    seen o = {0};
    assert_int_equal(rf_feed_parse_ofac_csv(&sdn, NULL, NULL, collect, &o, &d), RF_OK);
    assert_int_equal(o.n, 17);
}

/* OFAC ENHANCED_XML: the real consolidated list of January 2025 (443 entities), names with
 * other-script translations, F.K.A. names, programs, listing dates, identifiers. */
static void test_ofac_enhanced_xml(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("CONS_ENHANCED.XML")};
    seen p = {.want = "9639"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_ofac_enhanced_xml(&src, collect, &p, &d), RF_OK);
    assert_int_equal(p.n, 443);
    assert_int_equal(d.entities, 443);
    assert_true(p.persons > 0 && p.companies > 0 && p.persons + p.companies <= 443);
    assert_string_equal(p.kind, "person");
    assert_string_equal(p.name, "Ismail Abdul Salah HANIYA");
    assert_string_equal(p.aliases, "aka:Ismail HANIYA|aka:Ismaeel HANIYYA");
    assert_string_equal(p.programs, "NS-PLC");
    assert_string_equal(p.listed, "2006-04-12");
    seen c = {.want = "20313"};
    assert_int_equal(rf_feed_parse_ofac_enhanced_xml(&src, collect, &c, &d), RF_OK);
    assert_string_equal(c.kind, "organisation");
    assert_string_equal(c.name, "CENTREX EUROPE ENERGY AND GAS AG");
    assert_string_equal(c.countries, "AT");
    assert_string_equal(c.ids, "Registration ID=FN 230884k/-"); /* no issuingCountry given */
    seen v = {.want = "17013"};
    assert_int_equal(rf_feed_parse_ofac_enhanced_xml(&src, collect, &v, &d), RF_OK);
    assert_non_null(strstr(v.aliases, "former:"));
    bool cyrillic = false; /* U+0400..U+04FF lead bytes 0xD0..0xD3 */
    for (const char *q = v.aliases; *q; q++)
        cyrillic = cyrillic || ((unsigned char)*q >= 0xD0 && (unsigned char)*q <= 0xD3);
    assert_true(cyrillic);
    /* the sdnList parser refuses this schema, and this one the sdnList schema */
    seen x = {0};
    assert_int_equal(rf_feed_parse_ofac_xml(&src, collect, &x, &d), RF_EINPUT);
    rf_feed_src old = {.path = fx("consolidated.xml")};
    assert_int_equal(rf_feed_parse_ofac_enhanced_xml(&old, collect, &x, &d), RF_EINPUT);
    assert_true(strlen(d.message) > 0);
}

/* UN list: individuals and entities, alias qualities, countries, dates. */
static void test_un_xml(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("UN_consolidated.xml")};
    seen s = {.want = "CDe.001"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_un_xml(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 1003);
    assert_int_equal(s.persons, 730);
    assert_int_equal(s.companies, 273);
    assert_string_equal(s.name, "ADF");
    assert_string_equal(s.aliases, "aka:Allied Democratic Forces|former:Forces Démocratiques "
                                   "Alliées-Armée Nationale de Libération de l’Ouganda|"
                                   "former:ADF/NALU|former:NALU");
    assert_string_equal(s.countries, "CD");
    assert_string_equal(s.programs, "DRC");
    assert_string_equal(s.listed, "2014-06-30");
    assert_string_equal(s.ids, "UN DATAID=6908402/-");
    seen p = {.want = "CDi.002"};
    assert_int_equal(rf_feed_parse_un_xml(&src, collect, &p, &d), RF_OK);
    assert_string_equal(p.name, "FRANK KAKOLELE BWAMBALE");
    assert_string_equal(p.aliases, "aka:FRANK KAKORERE|aka:FRANK KAKORERE BWAMBALE|"
                                   "aka:AIGLE BLANC");
    assert_string_equal(p.listed, "2005-11-01");
    seen w = {.want = "CDi.036"};
    assert_int_equal(rf_feed_parse_un_xml(&src, collect, &w, &d), RF_OK);
    assert_string_equal(w.aliases, "weak:Mzee Kajaju|weak:Musa|weak:Lumu|weak:Lumonde");
    assert_string_equal(w.countries, "UG,CD");
}

/* CSL CSV, current 29-column layout. */
static void test_csl_current(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("csl_consolidated_small.csv")};
    seen s = {.want = "52291"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_csl_csv(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 13);
    assert_string_equal(s.name, "RIM, Ryong Nam");
    assert_string_equal(s.kind, "person");
    assert_string_equal(s.countries, "CN,KP");
    assert_string_equal(s.ids, "Passport=836238033/KP");
    assert_string_equal(s.programs, "Specially Designated Nationals (SDN) - Treasury Department|"
                                    "NPWMD");
    seen a = {.want = "99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"};
    assert_int_equal(rf_feed_parse_csl_csv(&src, collect, &a, &d), RF_OK);
    assert_string_equal(a.aliases, "aka:Hebei Semiconductor Research Institute|aka:HSRI|"
                                   "aka:Hebei Institute of Semiconductors|"
                                   "aka:Hebei Semiconductor Institute|aka:Hebei Semiconductor|"
                                   "aka:CETC Research Institute 13");
    assert_string_equal(a.listed, "2018-08-01");
    assert_string_equal(a.countries, "CN");
}

/* CSL CSV, legacy 28-column layout (identifiers written the other way round). */
static void test_csl_legacy(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("csl_legacy.csv")};
    seen s = {.want = "20264"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_csl_csv(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 115);
    assert_string_equal(s.name, "200G PSA HOLDINGS LLC");
    assert_string_equal(s.ids, "Tax ID No.=80-0890696/US");
    assert_string_equal(s.countries, "US");
    seen c = {.want = "8124"};
    assert_int_equal(rf_feed_parse_csl_csv(&src, collect, &c, &d), RF_OK);
    assert_string_equal(c.aliases, "aka:CARIBE SOL|aka:HAVANTUR CANADA INC.");
    assert_string_equal(c.countries, "CA");
    assert_string_equal(c.programs, "Specially Designated Nationals (SDN) - Treasury Department|"
                                    "CUBA");
}

/* UFLPA sample a: clause headings, one alias, former names, &nbsp;, subsidiaries. */
static void test_uflpa_sample_a(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("uflpa_entity_list_trimmed_a.html")};
    seen s = {.want = "uflpa-hoshine-silicon-industry-shanshan-co-ltd"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.name, "Hoshine Silicon Industry (Shanshan) Co., Ltd");
    assert_string_equal(s.aliases, "aka:Hesheng Silicon Industry (Shanshan) Co.");
    assert_string_equal(s.remarks, "and subsidiaries");
    assert_string_equal(s.programs, "UFLPA 2(d)(2)(B)(i)");
    assert_string_equal(s.listed, "2022-06-21");
    assert_string_equal(s.kind, "organisation"); /* every entry of the list is an entity */
    assert_string_equal(s.countries, "CN");      /* in the Act's scope: a Chinese supplier of
                                                    that name is corroborated */
    seen g = {.want = "uflpa-xinjiang-goens-energy-technology-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &g, &d), RF_OK);
    assert_string_equal(g.name, "Xinjiang Goens Energy Technology Co., Ltd.");
    assert_string_equal(g.aliases, "former:Xinjiang GCL New Energy Material Technology Co., Ltd.|"
                                   "former:Xinjiang GCL New Energy Materials Technology Co., Ltd.");
    assert_string_equal(g.listed, "2026-08-03");
    seen v = {.want = "uflpa-shihezi-xinren-battery-aluminum-foil-technology-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &v, &d), RF_OK);
    assert_string_equal(v.programs, "UFLPA 2(d)(2)(B)(v)");
    assert_string_equal(v.aliases, "");
}

/* The bundled SDN snapshot keeps every entry's kind from its SDN_Type column
 * ("-0-" is an entity): a vessel is never read as a company. */
static void test_sdn_snapshot_kinds(void **state)
{
    (void)state;
    const char *root = getenv("RF_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s%sfeeds/snapshots/ofac_sdn_csv/sdn.csv", root ? root : "",
             root ? "/" : "");
    rf_feed_src sdn = {.path = path};
    seen s = {.want = "15036"}; /* a vessel of the list */
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_ofac_csv(&sdn, NULL, NULL, collect, &s, &d), RF_OK);
    assert_int_equal(s.vessels, 406);   /* the July 2021 list's SDN_Type column */
    assert_int_equal(s.aircraft, 277);
    assert_int_equal(s.persons, 4620);
    assert_int_equal(s.companies, 3673);
    assert_int_equal(s.n, s.persons + s.companies + s.vessels + s.aircraft);
    assert_string_equal(s.name, "ARTAVIL");
    assert_string_equal(s.kind, "vessel");
}

/* UFLPA sample b: no headings, "and two aliases", "also known as" with four names. */
static void test_uflpa_sample_b(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("uflpa_entity_list_trimmed_b.html")};
    seen s = {.want = "uflpa-hetian-haolin-hair-accessories-co-ltd"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.name, "Hetian Haolin Hair Accessories Co. Ltd.");
    assert_string_equal(s.aliases, "aka:Hotan Haolin Hair Accessories|aka:Hollin Hair Accessories");
    assert_string_equal(s.programs, "UFLPA");
    seen a = {.want = "uflpa-aksu-huafu-color-spinning-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &a, &d), RF_OK);
    assert_string_equal(a.aliases, "aka:Aksu Huafu Textiles Co., Ltd.|aka:Akesu Huafu|"
                                   "aka:Aksu Huafu Dyed Melange Yarn|"
                                   "aka:Akesu Huafu Melange Yarn Co., Ltd.");
    assert_string_equal(a.listed, "2025-01-15");
}

/* UFLPA entries compiled from the Federal Register notices (bundled snapshot): two clause
 * tables with a third citation column, "also known as …; and formerly known as …" in one cell. */
static void test_uflpa_federal_register(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("uflpa_federal_register_additions.html")};
    seen h = {.want = "uflpa-hongyuan-green-energy-co-ltd"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &h, &d), RF_OK);
    assert_int_equal(h.n, 44);
    assert_int_equal(h.companies, 44);
    assert_string_equal(h.name, "Hongyuan Green Energy Co., Ltd.");
    assert_string_equal(h.aliases, "aka:HY Solar|aka:Hoyuan Green Energy Co. Ltd.|"
                                   "former:Wuxi Shangji CNC Co., Ltd.|"
                                   "former:Wuxi Shangji Automation Co., Ltd.|"
                                   "former:Wuxi Shangji Grinding Machine Co., Ltd.");
    assert_string_equal(h.programs, "UFLPA 2(d)(2)(B)(v)");
    assert_string_equal(h.listed, "2025-01-15");
    seen j = {.want = "uflpa-sichuan-jingweida-technology-group-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &j, &d), RF_OK);
    assert_string_equal(j.aliases, "aka:Sichuan Mianyang Jingweida Technology Co., Ltd.|"
                                   "aka:JWD Technology|"
                                   "former:Mianyang High-tech Zone Jingweida Technology Co., Ltd.");
    assert_string_equal(j.programs, "UFLPA 2(d)(2)(B)(ii)");
    assert_string_equal(j.listed, "2023-12-11");
    seen w = {.want = "uflpa-henan-yumian-logistics-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &w, &d), RF_OK);
    assert_string_equal(w.aliases, "former:841 Cotton Transfer Warehouse");
    seen g = {.want = "uflpa-gansu-yasheng-international-trading-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &g, &d), RF_OK);
    assert_string_equal(g.aliases, "aka:Gansu Yasheng International Trade Co., Ltd.|"
                                   "aka:Yasheng International Trade|"
                                   "former:Gansu Yasheng International Trade Group Co., Ltd.");
    seen k = {.want = "uflpa-kashgar-construction-engineering-group-co-ltd"};
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &k, &d), RF_OK);
    assert_string_equal(k.programs, "UFLPA"); /* before any clause heading */
    assert_string_equal(k.listed, "2024-08-09");
}

/* Parse one inline UFLPA row and snapshot the entity with the given id. */
static void uflpa_one(const char *cell, const char *id, seen *s)
{
    char page[2048];
    snprintf(page, sizeof page,
             "<html><body><p><a href=\"x\">Section 2(d)(2)(B)(iii)</a></p><table><thead><tr>"
             "<th>Name of Entity</th><th>Effective Date</th></tr></thead><tbody><tr><td>%s</td>"
             "<td>December 4, 2024</td></tr></tbody></table></body></html>",
             cell);
    rf_feed_src src = mem(page);
    rf_feed_diag d;
    s->want = id;
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, s, &d), RF_OK);
    assert_int_equal(s->n, 1);
}

/* Every phrasing the page uses, one at a time. */
static void test_uflpa_phrasings(void **state)
{
    (void)state;
    seen a = {0};
    uflpa_one("Alpha Co., Ltd (including one alias: Alfa Co.)", "uflpa-alpha-co-ltd", &a);
    assert_string_equal(a.name, "Alpha Co., Ltd");
    assert_string_equal(a.aliases, "aka:Alfa Co.");
    assert_string_equal(a.programs, "UFLPA 2(d)(2)(B)(iii)");
    assert_string_equal(a.listed, "2024-12-04");
    seen b = {0};
    uflpa_one("Beta Ltd. (formerly known as Old Beta Ltd.; and Older Beta Ltd.)", "uflpa-beta-ltd",
              &b);
    assert_string_equal(b.aliases, "former:Old Beta Ltd.|former:Older Beta Ltd.");
    seen c = {0};
    uflpa_one("Gamma Co. (and two aliases: G One; and G Two)", "uflpa-gamma-co", &c);
    assert_string_equal(c.aliases, "aka:G One|aka:G Two");
    seen d = {0};
    uflpa_one("Delta&nbsp;Textile&nbsp;Co. (also known as Delta Tex)", "uflpa-delta-textile-co",
              &d);
    assert_string_equal(d.name, "Delta Textile Co.");
    assert_string_equal(d.aliases, "aka:Delta Tex");
    seen e = {0};
    uflpa_one("Epsilon Group Co., Ltd. and subsidiaries", "uflpa-epsilon-group-co-ltd", &e);
    assert_string_equal(e.name, "Epsilon Group Co., Ltd.");
    assert_string_equal(e.remarks, "and subsidiaries");
    seen f = {0};
    uflpa_one("Zeta (Kashgar) Co. (including one alias: Zeta (Kashi) Co.) and subsidiaries",
              "uflpa-zeta-kashgar-co", &f);
    assert_string_equal(f.name, "Zeta (Kashgar) Co.");
    assert_string_equal(f.aliases, "aka:Zeta (Kashi) Co.");
    assert_string_equal(f.remarks, "and subsidiaries");
    seen g = {0};
    uflpa_one("Eta Co. (also known as Eta One; and formerly known as Old Eta)", "uflpa-eta-co", &g);
    assert_string_equal(g.aliases, "aka:Eta One|former:Old Eta");
    seen h = {0};
    uflpa_one("Theta<br>Mining Co.", "uflpa-theta-mining-co", &h);
    assert_string_equal(h.name, "Theta Mining Co.");
}

/* Goods callback: count goods and countries, and check known pairs. */
typedef struct goods_seen {
    size_t rows, unmapped, goods;
    char last_good[128];
    unsigned rubber_gloves_my, gloves_cn, cotton_bj, bricks_pk;
    const char *palm_derived;
} goods_seen;

/* Record one good x country row. */
static int goods_cb(const rf_goods *g, void *ud)
{
    goods_seen *s = ud;
    s->rows++;
    s->unmapped += g->country == NULL;
    if (strcmp(g->good, s->last_good) != 0) {
        s->goods++;
        snprintf(s->last_good, sizeof s->last_good, "%s", g->good);
    }
    const char *c = g->country ? g->country : "";
    if (!strcmp(g->good, "Rubber Gloves") && !strcmp(c, "MY"))
        s->rubber_gloves_my = g->flags | 0x100u;
    if (!strcmp(g->good, "Gloves") && !strcmp(c, "CN"))
        s->gloves_cn = g->flags | 0x100u;
    if (!strcmp(g->good, "Cotton") && !strcmp(c, "BJ"))
        s->cotton_bj = g->flags | 0x100u;
    if (!strcmp(g->good, "Bricks") && !strcmp(c, "PK"))
        s->bricks_pk = g->flags | 0x100u;
    if (!strcmp(g->good, "Crude Palm Oil") && !strcmp(c, "ID") && g->derived_country)
        s->palm_derived = !strcmp(g->derived_country, "ID") ? "ID" : "other";
    return 0;
}

/* DOL List of Goods: 169 goods, 467 pairs, every country mapped, known flags. */
static void test_dol_goods(void **state)
{
    (void)state;
    rf_feed_src src = {.path = fx("dol_ilab_goods_2021.xml")};
    goods_seen s = {0};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_dol_goods(&src, goods_cb, &s, &d), RF_OK);
    assert_int_equal(s.goods, 169);
    assert_int_equal(s.rows, 467);
    assert_int_equal(s.unmapped, 0);
    assert_int_equal(d.unmapped, 0);
    assert_int_equal(s.rubber_gloves_my, 0x100u | RF_GOODS_FORCED_LABOR);
    assert_int_equal(s.gloves_cn, 0x100u | RF_GOODS_FORCED_LABOR);
    assert_int_equal(s.cotton_bj, 0x100u | RF_GOODS_CHILD_LABOR | RF_GOODS_FORCED_LABOR |
                                      RF_GOODS_FORCED_CHILD_LABOR);
    assert_int_equal(s.bricks_pk, 0x100u | RF_GOODS_CHILD_LABOR | RF_GOODS_FORCED_LABOR |
                                      RF_GOODS_FORCED_CHILD_LABOR);
    assert_string_equal(s.palm_derived, "ID");
}

/* FtM: parties kept, relationships skipped, properties mapped. */
static void test_ftm(void **state)
{
    (void)state;
    rf_feed_diag d;
    rf_feed_src t1 = {.path = fx("yente_t1_entities.ftm.json")};
    seen a = {.want = "NK-2GdmHtZTeNXjNVrBGEXZNj"};
    assert_int_equal(rf_feed_parse_ftm(&t1, collect, &a, &d), RF_OK);
    assert_int_equal(a.n, 6);
    assert_int_equal(d.skipped, 1); /* one Address */
    assert_string_equal(a.name, "RAB „Inter Tobacco“");
    assert_string_equal(a.kind, "organisation");
    assert_string_equal(a.countries, "BY");
    assert_string_equal(a.ids, "registrationNumber=808000714/-");
    assert_string_equal(a.programs, "topic:sanction");
    assert_string_equal(a.listed, "2022-06-03");
    assert_non_null(strstr(a.aliases, "aka:LLC “Inter Tobacco”"));
    rf_feed_src zala = {.path = fx("yente_zala_entities.ftm.json"), .list = "os"};
    seen z = {.want = "NK-cPks3aTbes8k4aCerfBAzN"};
    assert_int_equal(rf_feed_parse_ftm(&zala, collect, &z, &d), RF_OK);
    assert_int_equal(z.n, 17);
    assert_int_equal(z.persons, 6);
    assert_int_equal(d.skipped, 74);
    assert_string_equal(z.ids, "inn=9715478507/-|ogrn=1247700258651/-");
    assert_string_equal(z.countries, "RU");
    assert_non_null(strstr(z.aliases, "aka:ZALA AERO JSC"));
    rf_feed_src delta = {.path = fx("yente_t2_entities.delta.json")};
    seen q = {.want = "NK-2T3S8Hu29ktYnKSTgQp2wL"};
    assert_int_equal(rf_feed_parse_ftm(&delta, collect, &q, &d), RF_OK);
    assert_int_equal(q.n, 2);
    assert_string_equal(q.name, "AL-QAIDA IN IRAQ");
    assert_non_null(strstr(q.aliases, "aka:ISIS"));
}

/* FtM previousName and weakAlias, inline. */
static void test_ftm_alias_kinds(void **state)
{
    (void)state;
    const char *doc = "{\"id\":\"x1\",\"schema\":\"Company\",\"properties\":{\"name\":[\"New Co\"],"
                      "\"previousName\":[\"Old Co\"],\"weakAlias\":[\"NC\"],"
                      "\"leiCode\":[\"5493001KJTIIGC8Y1R12\"],\"jurisdiction\":[\"my\"]}}\n"
                      "{\"op\":\"DEL\",\"entity\":{\"id\":\"x2\"}}\n"
                      "{\"id\":\"r1\",\"schema\":\"Ownership\",\"properties\":{}}\n";
    rf_feed_src src = mem(doc);
    seen s = {.want = "x1"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_ftm(&src, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(d.skipped, 2);
    assert_string_equal(s.aliases, "former:Old Co|weak:NC");
    assert_string_equal(s.ids, "lei=5493001KJTIIGC8Y1R12/-");
    assert_string_equal(s.countries, "MY");
}

/* A buyer's list through a column mapping, with separators. */
static void test_mapped_csv(void **state)
{
    (void)state;
    const char *csv = "\xEF\xBB\xBFSupplier No,Supplier Name,Country,Other Names,LEI,Debarred\r\n"
                      "S-1,Acme Gloves Sdn Bhd,Malaysia,Acme Rubber; Acme Latex,5493001KJTIIGC8Y1R12,"
                      "2024-03-01\r\n"
                      ",\"Beta, Inc.\",US,,,\r\n";
    const char *map[] = {"id=Supplier No", "name=supplier name", "country=Country",
                         "aliases[;]=Other Names", "ident.lei=LEI", "listed_on=Debarred"};
    rf_feed_src src = mem(csv);
    src.list = "buyer_debarred";
    seen s = {.want = "S-1"};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_mapped_csv(&src, map, 6, collect, &s, &d), RF_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.name, "Acme Gloves Sdn Bhd");
    assert_string_equal(s.countries, "MY");
    assert_string_equal(s.aliases, "aka:Acme Rubber|aka:Acme Latex");
    assert_string_equal(s.ids, "lei=5493001KJTIIGC8Y1R12/-");
    assert_string_equal(s.listed, "2024-03-01");
    seen b = {.want = "row-3"};
    assert_int_equal(rf_feed_parse_mapped_csv(&src, map, 6, collect, &b, &d), RF_OK);
    assert_string_equal(b.name, "Beta, Inc.");
    const char *bad[] = {"name=Vendor"};
    assert_int_equal(rf_feed_parse_mapped_csv(&src, bad, 1, collect, &b, &d), RF_EINVAL);
    assert_non_null(strstr(d.message, "'Vendor'"));
    const char *bad2[] = {"colour=Country"};
    assert_int_equal(rf_feed_parse_mapped_csv(&src, bad2, 1, collect, &b, &d), RF_EINVAL);
    const char *noname[] = {"id=Supplier No"};
    assert_int_equal(rf_feed_parse_mapped_csv(&src, noname, 1, collect, &b, &d), RF_EINVAL);
}

/* Read a whole fixture into memory (caller frees). */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* Truncated XML at any point never looks like success. */
static void test_truncated_xml(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp(fx("consolidated.xml"), &len);
    size_t cuts[] = {40, 5000, len / 2, len - 20, len - 3};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        rf_feed_src src = {.data = buf, .len = cuts[i]};
        seen s = {0};
        rf_feed_diag d;
        assert_int_equal(rf_feed_parse_ofac_xml(&src, collect, &s, &d), RF_EINPUT);
        assert_true(d.line > 0);
        assert_true(d.message[0] != 0);
    }
    free(buf);
    buf = slurp(fx("UN_consolidated.xml"), &len);
    rf_feed_src un = {.data = buf, .len = len / 3};
    seen s = {0};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_un_xml(&un, collect, &s, &d), RF_EINPUT);
    assert_true(s.n > 0 && s.n < 1003);
    free(buf);
}

/* The wrong document: an HTML error page, or another list's XML. */
static void test_wrong_document(void **state)
{
    (void)state;
    rf_feed_diag d;
    seen s = {0};
    const char *page = "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title>"
                       "<meta charset=utf-8></head>\n<body><h1>Service Unavailable</h1></body>"
                       "</html>\n";
    rf_feed_src src = mem(page);
    assert_int_equal(rf_feed_parse_ofac_xml(&src, collect, &s, &d), RF_EINPUT);
    assert_true(d.line > 0);
    const char *xhtml = "<html><body><p>Access denied</p></body></html>";
    src = mem(xhtml);
    assert_int_equal(rf_feed_parse_un_xml(&src, collect, &s, &d), RF_EINPUT);
    assert_non_null(strstr(d.message, "root element is <html>"));
    assert_int_equal(rf_feed_parse_dol_goods(&src, NULL, NULL, &d), RF_EINVAL);
    assert_int_equal(rf_feed_parse_uflpa_html(&src, collect, &s, &d), RF_EINPUT);
    assert_non_null(strstr(d.message, "not the UFLPA"));
    rf_feed_src ofac = {.path = fx("consolidated.xml")};
    assert_int_equal(rf_feed_parse_un_xml(&ofac, collect, &s, &d), RF_EINPUT);
    assert_non_null(strstr(d.message, "sdnList"));
    rf_feed_src empty = mem("");
    assert_int_equal(rf_feed_parse_ofac_xml(&empty, collect, &s, &d), RF_EINPUT);
    assert_int_equal(s.n, 0);
    rf_feed_src missing = {.path = "/nonexistent/sdn.xml"};
    assert_int_equal(rf_feed_parse_ofac_xml(&missing, collect, &s, &d), RF_EIO);
    assert_int_equal(rf_feed_parse_csl_csv(&missing, collect, &s, &d), RF_EIO);
}

/* A CSV with a broken quote, and a truncated CSV. */
static void test_broken_csv(void **state)
{
    (void)state;
    rf_feed_diag d;
    seen s = {0};
    const char *csv = "10,\"ACME\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                      "11,\"BAD \"QUOTE\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    rf_feed_src src = mem(csv);
    assert_int_equal(rf_feed_parse_ofac_csv(&src, NULL, NULL, collect, &s, &d), RF_EINPUT);
    assert_int_equal(d.line, 2);
    assert_int_equal(s.n, 1);
    size_t len;
    char *buf = slurp(fx("csl_legacy.csv"), &len);
    char *q = strstr(buf, "\"3037 S. 69TH DRIVE");
    assert_non_null(q);
    rf_feed_src cut = {.data = buf, .len = (size_t)(q - buf) + 10};
    assert_int_equal(rf_feed_parse_csl_csv(&cut, collect, &s, &d), RF_EINPUT);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.message, "unterminated"));
    free(buf);
    rf_feed_src shortrow = mem("10,\"ACME\",-0-\r\n");
    assert_int_equal(rf_feed_parse_ofac_csv(&shortrow, NULL, NULL, collect, &s, &d), RF_EINPUT);
    assert_non_null(strstr(d.message, "expected 12"));
}

/* A JSON syntax error names its line; a truncated last line fails too. */
static void test_broken_json(void **state)
{
    (void)state;
    rf_feed_diag d;
    seen s = {0};
    rf_feed_src src = mem("{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n"
                          "{\"id\":\"b\",\"schema\":\"Person\",\"properties\":{\"name\":[\"B\"]}\n");
    assert_int_equal(rf_feed_parse_ftm(&src, collect, &s, &d), RF_EINPUT);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.message, "invalid JSON"));
    assert_int_equal(s.n, 1);
    rf_feed_src arr = mem("[1,2]\n");
    assert_int_equal(rf_feed_parse_ftm(&arr, collect, &s, &d), RF_EINPUT);
    /* A repeated key (which name would win?) is refused, as before. */
    rf_feed_src dup = mem("{\"id\":\"c\",\"schema\":\"Person\",\"schema\":\"Vessel\","
                          "\"properties\":{\"name\":[\"C\"]}}\n");
    assert_int_equal(rf_feed_parse_ftm(&dup, collect, &s, &d), RF_EINPUT);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.message, "duplicate object key \"schema\""));
}

/* A callback can stop the parse; its value comes back. */
static int stop_at_3(const rf_entity *e, void *ud)
{
    (void)e;
    return ++*(int *)ud == 3 ? 42 : 0;
}

/* Stopping early works in every streaming parser. */
static void test_callback_stop(void **state)
{
    (void)state;
    rf_feed_diag d;
    int n = 0;
    rf_feed_src x = {.path = fx("UN_consolidated.xml")};
    assert_int_equal(rf_feed_parse_un_xml(&x, stop_at_3, &n, &d), 42);
    assert_int_equal(n, 3);
    n = 0;
    rf_feed_src c = {.path = fx("csl_legacy.csv")};
    assert_int_equal(rf_feed_parse_csl_csv(&c, stop_at_3, &n, &d), 42);
    assert_int_equal(n, 3);
}

/* Count-only callbacks for the timing run. */
static int count_cb(const rf_entity *e, void *ud)
{
    (void)e;
    ++*(size_t *)ud;
    return 0;
}
static int count_goods(const rf_goods *g, void *ud)
{
    (void)g;
    ++*(size_t *)ud;
    return 0;
}

/* All samples parse well inside the 5 s index-build budget. */
static void test_timing(void **state)
{
    (void)state;
    struct timespec t0, t1;
    size_t n = 0;
    rf_feed_diag d;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rf_feed_src s1 = {.path = fx("consolidated.xml")}, s2 = {.path = fx("UN_consolidated.xml")};
    rf_feed_src s3 = {.path = fx("csl_legacy.csv")}, s4 = {.path = fx("csl_consolidated_small.csv")};
    rf_feed_src s5 = {.path = fx("yente_zala_entities.ftm.json")};
    rf_feed_src s6 = {.path = fx("uflpa_entity_list_trimmed_a.html")};
    rf_feed_src s7 = {.path = fx("dol_ilab_goods_2021.xml")};
    rf_feed_src cp = {.path = fx("consolidated-csv/cons_prim.csv")};
    rf_feed_src ca = {.path = fx("consolidated-csv/cons_alt.csv")};
    rf_feed_src cd = {.path = fx("consolidated-csv/cons_add.csv")};
    assert_int_equal(rf_feed_parse_ofac_xml(&s1, count_cb, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_un_xml(&s2, count_cb, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_csl_csv(&s3, count_cb, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_csl_csv(&s4, count_cb, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_ftm(&s5, count_cb, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_uflpa_html(&s6, count_cb, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_dol_goods(&s7, count_goods, &n, &d), RF_OK);
    assert_int_equal(rf_feed_parse_ofac_csv(&cp, &ca, &cd, count_cb, &n, &d), RF_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("feed timing: %zu records from all samples in %.3f s\n", n, secs);
    assert_int_equal(n, 443 + 1003 + 115 + 13 + 17 + 3 + 467 + 442);
    assert_true(secs < 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ofac_xml),        cmocka_unit_test(test_ofac_xml_prefix),
        cmocka_unit_test(test_ofac_csv),        cmocka_unit_test(test_un_xml),
        cmocka_unit_test(test_csl_current),     cmocka_unit_test(test_csl_legacy),
        cmocka_unit_test(test_uflpa_sample_a), cmocka_unit_test(test_sdn_snapshot_kinds),
        cmocka_unit_test(test_uflpa_sample_b), cmocka_unit_test(test_ofac_enhanced_xml),
        cmocka_unit_test(test_uflpa_phrasings), cmocka_unit_test(test_uflpa_federal_register),
        cmocka_unit_test(test_dol_goods),
        cmocka_unit_test(test_ftm),             cmocka_unit_test(test_ftm_alias_kinds),
        cmocka_unit_test(test_mapped_csv),      cmocka_unit_test(test_truncated_xml),
        cmocka_unit_test(test_wrong_document),  cmocka_unit_test(test_broken_csv),
        cmocka_unit_test(test_broken_json),     cmocka_unit_test(test_callback_stop),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
