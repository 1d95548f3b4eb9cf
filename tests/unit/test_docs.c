/* Unit tests for the document readers: UBL / PEPPOL orders, OCDS packages and
 * eForms notices, on every real sample in tests/fixtures/docs; format
 * detection and -f; malformed and hostile documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "redflag/reader.h"

#define MAXREC 64

/* Every record of one document: its return code, record and message. */
typedef struct doc {
    rf_record *rec[MAXREC];
    int rc[MAXREC];
    char err[MAXREC][512];
    size_t n;
    rf_format fmt;
} doc;

/* The path of a fixture under $RF_SRCDIR (default "."). */
static void fixture_path(char *out, size_t len, const char *rel)
{
    const char *dir = getenv("RF_SRCDIR");
    snprintf(out, len, "%s/tests/fixtures/docs/%s", dir ? dir : ".", rel);
}

/* Read every record of fp into d (the stream is not closed). */
static void read_all(doc *d, FILE *fp, const char *name, rf_format fmt)
{
    rf_reader *r = NULL;
    memset(d, 0, sizeof *d);
    assert_int_equal(rf_reader_open(&r, fp, name, fmt, NULL), RF_OK);
    for (;;) {
        assert_true(d->n < MAXREC);
        assert_int_equal(rf_record_create(&d->rec[d->n]), RF_OK);
        int rc = rf_reader_next(r, d->rec[d->n]);
        if (rc == RF_EOF) {
            rf_record_destroy(d->rec[d->n]);
            d->rec[d->n] = NULL;
            break;
        }
        d->rc[d->n] = rc;
        snprintf(d->err[d->n], sizeof d->err[0], "%s", rc == RF_OK ? "" : rf_reader_error(r));
        d->n++;
        assert_true(rc == RF_OK || rc == RF_EINPUT);
    }
    d->fmt = rf_reader_format(r);
    rf_reader_destroy(r);
}

/* Read a fixture file. */
static void load(doc *d, const char *rel, rf_format fmt)
{
    char path[1024];
    fixture_path(path, sizeof path, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    read_all(d, fp, rel, fmt);
    fclose(fp);
}

/* Read a document given as bytes. */
static void load_mem(doc *d, const char *text, size_t len, rf_format fmt)
{
    FILE *fp = fmemopen((void *)text, len, "r");
    assert_non_null(fp);
    read_all(d, fp, "mem.xml", fmt);
    fclose(fp);
}

/* Free the records. */
static void unload(doc *d)
{
    for (size_t i = 0; i < d->n; i++)
        rf_record_destroy(d->rec[i]);
    d->n = 0;
}

/* Value i of field f of record k, "" when absent. */
static const char *v(const doc *d, size_t k, rf_field f, size_t i)
{
    const char *s = rf_record_str(d->rec[k], f, i, NULL);
    return s ? s : "";
}

/* Assert field f of record k holds exactly the given values. */
static void expect_vals(const doc *d, size_t k, rf_field f, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    if (rf_record_count(d->rec[k], f) != n)
        fail_msg("record %zu %s: %zu values, want %zu (first '%s')", k, rf_field_get(f)->path,
                 rf_record_count(d->rec[k], f), n, v(d, k, f, 0));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v(d, k, f, i), va_arg(ap, const char *));
    va_end(ap);
}

/* Read a whole fixture into a fresh NUL-terminated buffer. */
static char *slurp_fixture(const char *rel, size_t *len)
{
    char path[1024];
    fixture_path(path, sizeof path, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Replace every occurrence of from with to (result freshly allocated). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = s; (p = strstr(p, from)); p += fl)
        n++;
    char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1), *o = out;
    assert_non_null(out);
    for (const char *p = s, *q; ; p = q + fl) {
        q = strstr(p, from);
        size_t k = q ? (size_t)(q - p) : strlen(p);
        memcpy(o, p, k);
        o += k;
        if (!q)
            break;
        memcpy(o, to, tl);
        o += tl;
    }
    *o = '\0';
    return out;
}

/* ---- every real file: record counts and formats ---- */

/* Each sample gives the expected number of records in the expected format;
 * the non-order UBL documents give one clear "unsupported" error. */
static void test_every_file(void **state)
{
    static const struct { const char *file; size_t n; rf_format fmt; const char *refused; } t[] = {
        {"orders/ubl/UBL-Order-2.1-Example.xml", 2, RF_FMT_UBL, NULL},
        {"orders/ubl/UBL-Order-2.0-Example.xml", 1, RF_FMT_UBL, NULL},
        {"orders/ubl/UBL-Order-2.0-Example-International.xml", 1, RF_FMT_UBL, NULL},
        {"orders/ubl/CENBII-Order-minimal.xml", 1, RF_FMT_UBL, NULL},
        {"orders/ubl/UBL-OrderChange-2.1-Example.xml", 1, RF_FMT_UBL, NULL},
        {"orders/ubl/UBL-OrderResponse-2.1-Example.xml", 2, RF_FMT_UBL, NULL},
        {"orders/ubl/UBL-OrderCancellation-2.1-Example.xml", 1, RF_FMT_AUTO, "OrderCancellation"},
        {"orders/ubl/UBL-Invoice-2.1-Example.xml", 1, RF_FMT_AUTO, "Invoice"},
        {"orders/peppol/poacc_Order_Example.xml", 2, RF_FMT_UBL, NULL},
        {"orders/peppol/poacc_UC1_Order.xml", 3, RF_FMT_UBL, NULL},
        {"orders/peppol/poacc_OrderChange_Example.xml", 2, RF_FMT_UBL, NULL},
        {"orders/peppol/poacc_OrderResponse_Example.xml", 5, RF_FMT_UBL, NULL},
        {"orders/peppol/poacc_OrderAgreement_Example.xml", 2, RF_FMT_UBL, NULL},
        {"orders/peppol/poacc_OrderCancellation_Example.xml", 1, RF_FMT_AUTO, "OrderCancellation"},
        {"orders/peppol/poacc_DespatchAdvice_Example.xml", 1, RF_FMT_AUTO, "DespatchAdvice"},
        {"orders/peppol/poacc_Catalogue_Example.xml", 1, RF_FMT_AUTO, "Catalogue"},
        {"orders/peppol/bis3_invoice_base-example.xml", 1, RF_FMT_AUTO, "Invoice"},
        {"orders/peppol/bis3_invoice_Allowance-example.xml", 1, RF_FMT_AUTO, "Invoice"},
        {"tenders/ocds/ocds_1.1_release_package_all.json", 6, RF_FMT_OCDS, NULL},
        {"tenders/ocds/ocds_1.1_release_package_tender.json", 1, RF_FMT_OCDS, NULL},
        {"tenders/ocds/ocds_1.1_release_package_award.json", 1, RF_FMT_OCDS, NULL},
        {"tenders/ocds/ocds_1.1_record_package.json", 1, RF_FMT_OCDS, NULL},
        {"tenders/ocds/real_cdmx_release_package.json", 2, RF_FMT_OCDS, NULL},
        {"tenders/ocds/real_mx_datosgob_record_package.json", 2, RF_FMT_OCDS, NULL},
        {"tenders/ocds/real_py_dncp_record_package.json", 1, RF_FMT_OCDS, NULL},
        {"tenders/eforms/can_24_minimal.xml", 1, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/can_24_maximal.xml", 4, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/can-modif_24_value.xml", 1, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/cn_24_minimal.xml", 1, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/cn_24_maximal.xml", 2, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/cn_24_open.xml", 1, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/change-cn_24_cumbria_suppliers.xml", 1, RF_FMT_EFORMS, NULL},
        {"tenders/eforms/pin-only_24.xml", 1, RF_FMT_EFORMS, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        doc d;
        load(&d, t[i].file, RF_FMT_AUTO);
        if (d.n != t[i].n)
            fail_msg("%s: %zu records, want %zu", t[i].file, d.n, t[i].n);
        assert_int_equal(d.fmt, t[i].fmt);
        for (size_t k = 0; k < d.n; k++) {
            if (!t[i].refused && d.rc[k] != RF_OK)
                fail_msg("%s record %zu: %s", t[i].file, k, d.err[k]);
            if (t[i].refused) {
                char want[128];
                snprintf(want, sizeof want, "unsupported document type %s (supported: Order, "
                                            "OrderChange, OrderResponse, OCDS, eForms)",
                         t[i].refused);
                assert_int_equal(d.rc[k], RF_EINPUT);
                assert_non_null(strstr(d.err[k], want));
                assert_non_null(strstr(d.err[k], t[i].file));
            }
        }
        unload(&d);
    }
}

/* ---- UBL ---- */

/* The OASIS UBL 2.1 order: supplier, ids with schemes, item, price, notes, line. */
static void test_ubl_21_order(void **state)
{
    doc d;
    (void)state;
    load(&d, "orders/ubl/UBL-Order-2.1-Example.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "34/1");
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "Moderna Produkter AB");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "SE");
    expect_vals(&d, 0, RF_F_SUPPLIER_ADDRESS, 1,
                "Kungsgatan, suite12, 22, Stockholm, 11000, RegionX");
    expect_vals(&d, 0, RF_F_SUPPLIER_GLN, 1, "7302347231111");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 2, "party-id:SellerPartyID123",
                "SE:ORGNR:5532332283");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "Falu Rödfärg. Red paint");
    expect_vals(&d, 0, RF_F_ITEM_QUANTITY, 1, "120");
    expect_vals(&d, 0, RF_F_ITEM_UNIT_PRICE, 1, "50");
    expect_vals(&d, 0, RF_F_ITEM_CURRENCY, 1, "SEK");
    expect_vals(&d, 0, RF_F_TEXT, 1, "Information text for the whole order\nFreetext note on line 1");
    assert_int_equal(rf_record_line(d.rec[0]), 249);
    assert_string_equal(rf_record_source(d.rec[0]), "orders/ubl/UBL-Order-2.1-Example.xml");
    expect_vals(&d, 1, RF_F_ID, 1, "34/2");
    expect_vals(&d, 1, RF_F_ITEM_DESCRIPTION, 1, "Pensel 20 mm. Very good pencils for red paint.");
    expect_vals(&d, 1, RF_F_ITEM_QUANTITY, 1, "15");
    assert_int_equal(rf_record_line(d.rec[1]), 296);
    double q;
    assert_true(rf_record_num(d.rec[1], RF_F_ITEM_UNIT_PRICE, &q));
    assert_true(q == 15.0);
    assert_int_equal(rf_record_count(d.rec[0], RF_F_MANUFACTURER_NAME), 0);
    unload(&d);
}

/* UBL 2.0: VAT from PartyTaxScheme; the 2.0 International variant's US seller. */
static void test_ubl_20_orders(void **state)
{
    doc d;
    (void)state;
    load(&d, "orders/ubl/UBL-Order-2.0-Example.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "AEG012345/1");
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "Consortial");
    expect_vals(&d, 0, RF_F_SUPPLIER_VAT, 1, "175 269 2355");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "beeswax. Acme beeswax");
    expect_vals(&d, 0, RF_F_ITEM_UNIT_PRICE, 1, "100.00");
    expect_vals(&d, 0, RF_F_ITEM_CURRENCY, 1, "GBP");
    expect_vals(&d, 0, RF_F_TEXT, 1, "sample\nthis is an illustrative order line");
    unload(&d);
    load(&d, "orders/ubl/UBL-Order-2.0-Example-International.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "US");
    expect_vals(&d, 0, RF_F_SUPPLIER_ADDRESS, 1, "Boston Road, 630, Billerica, 01821, Massachusetts");
    expect_vals(&d, 0, RF_F_ITEM_UNIT_PRICE, 1, "10.00");
    expect_vals(&d, 0, RF_F_ITEM_CURRENCY, 1, "USD");
    assert_int_equal(rf_record_count(d.rec[0], RF_F_SUPPLIER_VAT), 0);
    unload(&d);
}

/* PEPPOL BIS 3: 0088 → GLN, other EAS schemes kept, MP classification kept. */
static void test_peppol_order(void **state)
{
    doc d;
    (void)state;
    load(&d, "orders/peppol/poacc_Order_Example.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "34/1");
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "Medical");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "NO");
    expect_vals(&d, 0, RF_F_SUPPLIER_GLN, 1, "7300010000001");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 2, "0192:123456785", "0082:123456789");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "Needle 4mm [MP 12345678]");
    expect_vals(&d, 0, RF_F_ITEM_UNIT_PRICE, 1, "50.000");
    expect_vals(&d, 0, RF_F_ITEM_CURRENCY, 1, "NOK");
    assert_int_equal(rf_record_count(d.rec[0], RF_F_ITEM_CPV), 0);
    expect_vals(&d, 1, RF_F_ITEM_DESCRIPTION, 1, "Wet tissues. Wet tissues for children [MP 56789123]");
    expect_vals(&d, 1, RF_F_TEXT, 1, "Information text for the whole order\nFreetext note on line 2");
    unload(&d);
    load(&d, "orders/peppol/poacc_UC1_Order.xml", RF_FMT_AUTO);
    expect_vals(&d, 2, RF_F_ID, 1, "1/3");
    expect_vals(&d, 2, RF_F_SUPPLIER_NAME, 1, "The Supplier AB");   /* legal name: no PartyName */
    expect_vals(&d, 2, RF_F_SUPPLIER_OTHER_ID, 1, "0192:987654325");
    expect_vals(&d, 2, RF_F_ITEM_DESCRIPTION, 1, "Pepper sauce. 1x12 pack sauce bags");
    expect_vals(&d, 2, RF_F_ITEM_CURRENCY, 1, "EUR");
    unload(&d);
}

/* OrderResponse: a seller substitute gives its own record after its line. */
static void test_order_response_substitutes(void **state)
{
    doc d;
    (void)state;
    load(&d, "orders/peppol/poacc_OrderResponse_Example.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "101/1");
    expect_vals(&d, 1, RF_F_ID, 1, "101/1/sub/12356");
    expect_vals(&d, 1, RF_F_ITEM_DESCRIPTION, 1, "Sauce brown, ready [MP 12345678]");
    expect_vals(&d, 2, RF_F_ID, 1, "101/2");
    expect_vals(&d, 4, RF_F_ID, 1, "101/3/sub/1");
    expect_vals(&d, 4, RF_F_TEXT, 1,
                "Response message with amendments in the details\nSubstituted Item");
    expect_vals(&d, 0, RF_F_SUPPLIER_GLN, 1, "7598000000128");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 1, "0184:DK12345678");
    unload(&d);
    load(&d, "orders/ubl/CENBII-Order-minimal.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "LineItemID");   /* the order's cbc:ID is empty */
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 1, "party-id:SellerID");
    expect_vals(&d, 0, RF_F_ITEM_QUANTITY, 1, "10");
    unload(&d);
}

/* The same order with other namespace prefixes reads the same. */
static void test_prefixes_do_not_matter(void **state)
{
    size_t len;
    char *orig = slurp_fixture("orders/ubl/UBL-Order-2.1-Example.xml", &len);
    char *a = replace_all(orig, "cac:", "agg:"), *b = replace_all(a, "cbc:", "bas:");
    char *c = replace_all(b, "<Order xmlns=", "<o:Order xmlns:o=");
    char *c2 = replace_all(c, "xmlns:cac=", "xmlns:agg="), *c3 = replace_all(c2, "xmlns:cbc=", "xmlns:bas=");
    char *e = replace_all(c3, "</Order>", "</o:Order>");
    doc d1, d2;
    (void)state;
    load_mem(&d1, orig, len, RF_FMT_AUTO);
    load_mem(&d2, e, strlen(e), RF_FMT_AUTO);
    assert_int_equal(d1.n, 2);
    assert_int_equal(d2.n, 2);
    for (size_t k = 0; k < 2; k++)
        for (int f = 0; f < RF_F_COUNT; f++) {
            assert_int_equal(rf_record_count(d1.rec[k], f), rf_record_count(d2.rec[k], f));
            for (size_t i = 0; i < rf_record_count(d1.rec[k], f); i++)
                assert_string_equal(v(&d1, k, f, i), v(&d2, k, f, i));
        }
    unload(&d1);
    unload(&d2);
    free(orig), free(a), free(b), free(c), free(c2), free(c3), free(e);
}

/* A bad quantity spoils that line only; the next line is read. */
static void test_bad_line_value(void **state)
{
    size_t len;
    char *orig = slurp_fixture("orders/ubl/UBL-Order-2.1-Example.xml", &len);
    char *bad = replace_all(orig, "unitCode=\"LTR\">120<", "unitCode=\"LTR\">lots<");
    doc d;
    (void)state;
    load_mem(&d, bad, strlen(bad), RF_FMT_AUTO);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "item.quantity: expected a number"));
    expect_vals(&d, 0, RF_F_ID, 1, "34/1");
    assert_int_equal(rf_record_line(d.rec[0]), 249);
    assert_int_equal(d.rc[1], RF_OK);
    unload(&d);
    free(orig);
    free(bad);
}

/* ---- eForms ---- */

/* The maximal award notice: winners of lot 1 (a consortium and a second
 * winning tender), its subcontractor, the tenderer of the unawarded lot 2. */
static void test_eforms_award(void **state)
{
    doc d;
    (void)state;
    load(&d, "tenders/eforms/can_24_maximal.xml", RF_FMT_AUTO);
    const char *n = "15377ca1-6cf7-4060-90f0-9290128957a3";
    char id[128];
    snprintf(id, sizeof id, "%s/LOT-0001/ORG-0008", n);
    expect_vals(&d, 0, RF_F_ID, 1, id);
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "Gyro Soft SA");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "LU");
    expect_vals(&d, 0, RF_F_SUPPLIER_ADDRESS, 1, "4 rue du Bug, immeubke A, Luxembourg, 8754");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 2, "endpoint:https://endpoint.gyro-soft.com",
                "company-id:927384203");
    expect_vals(&d, 0, RF_F_SUBCONTRACTOR_NAME, 1, "Ayuda");
    expect_vals(&d, 0, RF_F_SUBCONTRACTOR_COUNTRY, 1, "ES");
    expect_vals(&d, 0, RF_F_ITEM_CPV, 1, "75121000");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "Title ---. Description --- [CPV 33185200]");
    expect_vals(&d, 0, RF_F_CONTRACT_VALUE, 1, "9999999.99");
    expect_vals(&d, 0, RF_F_CONTRACT_CURRENCY, 1, "EUR");
    expect_vals(&d, 0, RF_F_CONTRACT_PERFORMANCE_COUNTRY, 2, "LU", "GB");
    assert_int_equal(rf_record_line(d.rec[0]), 1595);
    expect_vals(&d, 1, RF_F_SUPPLIER_NAME, 1, "The best App Ltd.");
    expect_vals(&d, 1, RF_F_SUPPLIER_COUNTRY, 1, "DE");
    snprintf(id, sizeof id, "%s/LOT-0001/ORG-0011", n);
    expect_vals(&d, 2, RF_F_ID, 1, id);
    expect_vals(&d, 2, RF_F_SUPPLIER_NAME, 1, "Competitor");
    assert_int_equal(rf_record_count(d.rec[2], RF_F_SUBCONTRACTOR_NAME), 0);
    snprintf(id, sizeof id, "%s/LOT-0002/ORG-0011", n);
    expect_vals(&d, 3, RF_F_ID, 1, id);
    expect_vals(&d, 3, RF_F_ITEM_DESCRIPTION, 1, "Title lot 2---. Description lot 2---");
    unload(&d);
    load(&d, "tenders/eforms/can_24_minimal.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "65667997-031a-4198-bd25-7225449ef479/LOT-0000/ORG-0004");
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "Espaces Verts Lemire");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "FR");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 1, "company-id:326 912 557");
    expect_vals(&d, 0, RF_F_CONTRACT_VALUE, 1, "95414");
    expect_vals(&d, 0, RF_F_ITEM_CPV, 1, "77310000");
    unload(&d);
}

/* Contract notices and PINs: one record per lot, CPVs, no supplier. */
static void test_eforms_notices(void **state)
{
    doc d;
    (void)state;
    load(&d, "tenders/eforms/cn_24_open.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "c4c415ee-ac08-4465-8fa6-57568cf69462/LOT-0000");
    expect_vals(&d, 0, RF_F_ITEM_CPV, 1, "71630000");
    const char *desc = v(&d, 0, RF_F_ITEM_DESCRIPTION, 0);
    const char *want = "Term Contract for a Planned Programme of In-service Inspection and "
                       "Testing of Electrical Equipment. The purpose of this contract";
    assert_true(strncmp(desc, want, strlen(want)) == 0);
    assert_non_null(strstr(desc, " [CPV 71314100; CPV 50300000; CPV 31600000]"));
    expect_vals(&d, 0, RF_F_CONTRACT_PERFORMANCE_COUNTRY, 1, "GB");
    assert_int_equal(rf_record_count(d.rec[0], RF_F_SUPPLIER_NAME), 0);
    unload(&d);
    load(&d, "tenders/eforms/pin-only_24.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "f252f386-55ac-4fa8-9be4-9f950b9904c8/PAR-0000");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "ProPrName1234-1. PrPrDescblabla");
    expect_vals(&d, 0, RF_F_ITEM_CPV, 1, "50000000");
    expect_vals(&d, 0, RF_F_CONTRACT_PERFORMANCE_COUNTRY, 1, "DE");
    unload(&d);
    load(&d, "tenders/eforms/cn_24_maximal.xml", RF_FMT_AUTO);   /* GLO-0001 is a group */
    expect_vals(&d, 0, RF_F_ID, 1, "14549263-b47b-4e59-96a1-2d0d13e19343/LOT-0001");
    expect_vals(&d, 1, RF_F_ID, 1, "14549263-b47b-4e59-96a1-2d0d13e19343/LOT-0002");
    unload(&d);
    load(&d, "tenders/eforms/can-modif_24_value.xml", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "PwC UK LLP");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "GB");
    expect_vals(&d, 0, RF_F_CONTRACT_VALUE, 1, "6430000");
    expect_vals(&d, 0, RF_F_CONTRACT_CURRENCY, 1, "GBP");
    unload(&d);
}

/* ---- OCDS ---- */

/* The OCP record package: parties by id, CPV cleaned, extra CPV kept, prices. */
static void test_ocds_record_package(void **state)
{
    doc d;
    (void)state;
    load(&d, "tenders/ocds/ocds_1.1_record_package.json", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "ocds-213czf-000-00001-2011-01-10T09:30:00Z/"
                                   "ocds-213czf-000-00001-award-01/GB-COH-11111111/1.0");
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "AnyCorp Cycle Provision");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "GB");
    expect_vals(&d, 0, RF_F_SUPPLIER_ADDRESS, 1, "1 Anytown Lane, Anytown, Any County, AA1 1AA");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 1, "GB-COH:11111111.0");
    expect_vals(&d, 0, RF_F_ITEM_CPV, 1, "45233130");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "Cycle lane improvements [CPV 45233162-2]");
    expect_vals(&d, 0, RF_F_ITEM_QUANTITY, 1, "8");
    expect_vals(&d, 0, RF_F_ITEM_UNIT_PRICE, 1, "137000");
    expect_vals(&d, 0, RF_F_ITEM_CURRENCY, 1, "GBP");
    expect_vals(&d, 0, RF_F_CONTRACT_VALUE, 1, "11000000");
    expect_vals(&d, 0, RF_F_CONTRACT_CURRENCY, 1, "GBP");
    unload(&d);
}

/* A release package: one record per release, tender items before the award. */
static void test_ocds_release_package(void **state)
{
    doc d;
    (void)state;
    load(&d, "tenders/ocds/ocds_1.1_release_package_all.json", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "ocds-213czf-000-00001-01-planning/tender/1.0");
    assert_int_equal(rf_record_count(d.rec[0], RF_F_SUPPLIER_NAME), 0);
    expect_vals(&d, 1, RF_F_ITEM_UNIT_PRICE, 1, "120000");
    expect_vals(&d, 1, RF_F_CONTRACT_VALUE, 1, "1100000");
    expect_vals(&d, 3, RF_F_ID, 1, "ocds-213czf-000-00001-04-award/"
                                   "ocds-213czf-000-00001-award-01/GB-COH-11111111/1.0");
    expect_vals(&d, 3, RF_F_SUPPLIER_NAME, 1, "AnyCorp Cycle Provision");
    expect_vals(&d, 3, RF_F_TEXT, 1,
                "Planned cycle lane improvements\n"
                "Tenders solicited for work to build new cycle lanes in the centre of town.\n"
                "Award of contract to build new cycle lanes in the centre of town.\n"
                "AnyCorp Ltd has been awarded the contract to build new cycle lanes in the "
                "centre of town.");
    unload(&d);
}

/* Real publishers: inline 1.0 suppliers (CDMX), two awards (datos.gob.mx),
 * a country written as a name (Paraguay). */
static void test_ocds_real(void **state)
{
    doc d;
    (void)state;
    load(&d, "tenders/ocds/real_cdmx_release_package.json", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_ID, 1, "OCDS-87SD3T-AD-SF-DRM-063-2015/01/1/C&C021030KX2/10");
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "COMUNIC@RTE & CONSULTING SA DE C");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "MX");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 1, "identifier:C&C021030KX2");
    expect_vals(&d, 0, RF_F_ITEM_DESCRIPTION, 1, "COMPUTADORA PORTATIL TIPO 1");
    expect_vals(&d, 0, RF_F_ITEM_QUANTITY, 1, "471");
    expect_vals(&d, 0, RF_F_CONTRACT_VALUE, 1, "1311264");
    expect_vals(&d, 0, RF_F_CONTRACT_CURRENCY, 1, "MXN");
    unload(&d);
    load(&d, "tenders/ocds/real_mx_datosgob_record_package.json", RF_FMT_AUTO);
    expect_vals(&d, 1, RF_F_ID, 1, "ocds-07smqs-993235/993235/1322806/GAB0709244G5");
    expect_vals(&d, 1, RF_F_SUPPLIER_COUNTRY, 1, "MX");   /* "MÉXICO" */
    expect_vals(&d, 1, RF_F_SUPPLIER_OTHER_ID, 1,
                "Registro Federal de Contribuyentes de México:GAB0709244G5");
    expect_vals(&d, 1, RF_F_CONTRACT_VALUE, 1, "37930.71");
    expect_vals(&d, 1, RF_F_TEXT, 1,
                "SERVICIO DE ASESORÍA EXTERNA DE SEGUROS PARA EL INAH\nSERVICIO DE ASESORÍA "
                "EXTERNA DE SEGUROS PARA EL INSTITUTO NACIONAL DE ANTROPOLOGÍA E HISTORIA");
    unload(&d);
    load(&d, "tenders/ocds/real_py_dncp_record_package.json", RF_FMT_AUTO);
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "MASTER SOFT SRL");
    expect_vals(&d, 0, RF_F_SUPPLIER_COUNTRY, 1, "PY");
    expect_vals(&d, 0, RF_F_SUPPLIER_OTHER_ID, 1,
                "Registro Único de Contribuyente emitido por el Ministerio de Hacienda:80007525-0");
    expect_vals(&d, 0, RF_F_CONTRACT_VALUE, 1, "135630400");
    expect_vals(&d, 0, RF_F_CONTRACT_CURRENCY, 1, "PYG");
    unload(&d);
}

/* ---- detection, -f, malformed and hostile input ---- */

/* -f forces a format; a mismatch is one clear error; JSON Lines and CSV and a
 * one-line OCDS package are told apart by content. */
static void test_detection_and_override(void **state)
{
    doc d;
    (void)state;
    load(&d, "tenders/eforms/can_24_minimal.xml", RF_FMT_EFORMS);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_OK);
    unload(&d);
    load(&d, "tenders/eforms/can_24_minimal.xml", RF_FMT_UBL);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "is not a UBL order: its root element is ContractAwardNotice"));
    unload(&d);
    load(&d, "tenders/ocds/real_py_dncp_record_package.json", RF_FMT_OCDS);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_OK);
    unload(&d);
    static const char jsonl[] = "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"text\": \"y\"}\n";
    load_mem(&d, jsonl, sizeof jsonl - 1, RF_FMT_AUTO);
    assert_int_equal(d.fmt, RF_FMT_JSONL);
    assert_int_equal(d.n, 2);
    unload(&d);
    static const char csv[] = "id,supplier_name\n1,Acme\n";
    load_mem(&d, csv, sizeof csv - 1, RF_FMT_AUTO);
    assert_int_equal(d.fmt, RF_FMT_CSV);
    unload(&d);
    /* A whole package on one line (minified) is OCDS, not one JSON Lines record. */
    size_t len;
    char *pkg = slurp_fixture("tenders/ocds/real_py_dncp_record_package.json", &len);
    for (char *p = pkg; *p; p++)
        if (*p == '\n')
            *p = ' ';
    load_mem(&d, pkg, len, RF_FMT_AUTO);
    assert_int_equal(d.fmt, RF_FMT_OCDS);
    assert_int_equal(d.n, 1);
    expect_vals(&d, 0, RF_F_SUPPLIER_NAME, 1, "MASTER SOFT SRL");
    unload(&d);
    free(pkg);
    assert_int_equal(rf_format_parse("ubl"), RF_FMT_UBL);
    assert_int_equal(rf_format_parse("PEPPOL"), RF_FMT_UBL);
    assert_int_equal(rf_format_parse("ocds"), RF_FMT_OCDS);
    assert_int_equal(rf_format_parse("eforms"), RF_FMT_EFORMS);
}

/* OCDS JSON is read strictly, as a package has always been: a comment, a NUL
 * escape, an integer beyond 64 bits and nesting past 2048 levels are each one
 * error record naming the line, never a crash or a silently cut value. */
static void test_ocds_strict_json(void **state)
{
    static const struct { const char *json, *why; long line; } bad[] = {
        {"{\n  \"releases\": [],\n  /* note */ \"x\": 1\n}\n", "comment", 3},
        {"{\"releases\": [\n {\"ocid\": \"a\\u0000b\"}]}\n", "\\u0000 is not allowed", 2},
        {"{\"releases\": [],\n\n \"n\": 99999999999999999999}\n", "too big integer", 3},
    };
    doc d = {0};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        load_mem(&d, bad[i].json, strlen(bad[i].json), RF_FMT_OCDS);
        assert_int_equal(d.n, 1);
        assert_int_equal(d.rc[0], RF_EINPUT);
        assert_non_null(strstr(d.err[0], "invalid JSON in mem.xml at line"));
        if (!strstr(d.err[0], bad[i].why))
            fail_msg("%s: wanted \"%s\"", d.err[0], bad[i].why);
        assert_int_equal(rf_record_line(d.rec[0]), bad[i].line);
        unload(&d);
    }
    size_t depth = 100000, k = 0;
    char *deep = malloc(2 * depth + 32);
    assert_non_null(deep);
    k += (size_t)sprintf(deep, "{\"releases\": ");
    for (size_t i = 0; i < depth; i++)
        deep[k++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[k++] = ']';
    deep[k++] = '}';
    load_mem(&d, deep, k, RF_FMT_OCDS);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "nesting deeper than 2048 levels"));
    unload(&d);
    free(deep);
}

/* A malformed document: one error record naming the file and line, then EOF. */
static void test_malformed(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\">\n"
        "  <ID>1</ID>\n"
        "  <Note>mismatched</Nope>\n"
        "</Order>\n";
    static const char json[] = "{\n  \"releases\": [\n    {\"ocid\": \"x\",}\n  ]\n}\n";
    doc d;
    (void)state;
    load_mem(&d, xml, sizeof xml - 1, RF_FMT_AUTO);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "not well-formed XML in mem.xml at line 4: Opening and "
                                     "ending tag mismatch: Note"));
    assert_int_equal(rf_record_line(d.rec[0]), 4);
    unload(&d);
    load_mem(&d, json, sizeof json - 1, RF_FMT_AUTO);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "invalid JSON in mem.xml at line 3"));
    assert_int_equal(rf_record_line(d.rec[0]), 3);
    unload(&d);
    static const char notpkg[] = "{\n  \"id\": \"x\"\n}\n";
    load_mem(&d, notpkg, sizeof notpkg - 1, RF_FMT_OCDS);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.err[0], "not an OCDS release or record package"));
    unload(&d);
}

/* Nothing of a record may come from outside the document. */
static void expect_refused_and_clean(const char *text)
{
    doc d;
    load_mem(&d, text, strlen(text), RF_FMT_AUTO);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "DOCTYPE declaration refused in mem.xml at line 2"));
    for (int f = 0; f < RF_F_COUNT; f++)
        for (size_t i = 0; i < rf_record_count(d.rec[0], f); i++)
            assert_null(strstr(v(&d, 0, (rf_field)f, i), "root:"));
    assert_null(strstr(d.err[0], "root:"));
    unload(&d);
}

/* Billion laughs, an external entity and an external DTD are all refused. */
static void test_hostile_xml(void **state)
{
    static const char head[] =
        "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\" "
        "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" "
        "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
        "<cbc:ID>1</cbc:ID><cbc:Note>&e;</cbc:Note><cac:OrderLine><cac:LineItem><cbc:ID>1"
        "</cbc:ID><cac:Item><cbc:Name>x</cbc:Name></cac:Item></cac:LineItem></cac:OrderLine>"
        "</Order>\n";
    char buf[4096];
    (void)state;
    snprintf(buf, sizeof buf, "<?xml version=\"1.0\"?>\n<!DOCTYPE Order [\n"
             " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
             " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
             " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
             " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
             " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n]>\n%s", head);
    expect_refused_and_clean(buf);
    snprintf(buf, sizeof buf, "<?xml version=\"1.0\"?>\n<!DOCTYPE Order [\n"
             " <!ENTITY e SYSTEM \"file:///etc/passwd\">\n]>\n%s", head);
    expect_refused_and_clean(buf);
    snprintf(buf, sizeof buf, "<?xml version=\"1.0\"?>\n"
             "<!DOCTYPE Order SYSTEM \"http://127.0.0.1:9/x.dtd\">\n%s", head);
    expect_refused_and_clean(buf);
}

/* A document over RF_MAX_DOC_BYTES is refused with a clear message. */
static void test_size_bound(void **state)
{
    size_t n = (size_t)RF_MAX_DOC_BYTES + 4096;
    char *big = malloc(n);
    doc d;
    (void)state;
    assert_non_null(big);
    memset(big, ' ', n);
    memcpy(big, "<Order>", 7);
    load_mem(&d, big, n, RF_FMT_AUTO);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rc[0], RF_EINPUT);
    assert_non_null(strstr(d.err[0], "document mem.xml is larger than 64 MiB"));
    unload(&d);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_file),
        cmocka_unit_test(test_ubl_21_order),
        cmocka_unit_test(test_ubl_20_orders),
        cmocka_unit_test(test_peppol_order),
        cmocka_unit_test(test_order_response_substitutes),
        cmocka_unit_test(test_prefixes_do_not_matter),
        cmocka_unit_test(test_bad_line_value),
        cmocka_unit_test(test_eforms_award),
        cmocka_unit_test(test_eforms_notices),
        cmocka_unit_test(test_ocds_record_package),
        cmocka_unit_test(test_ocds_release_package),
        cmocka_unit_test(test_ocds_real),
        cmocka_unit_test(test_detection_and_override),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_ocds_strict_json),
        cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test(test_size_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
