/* Unit tests for the record readers (JSON Lines, CSV) and rf_record_from_json. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>
#include "redflag/reader.h"

/* A reader over an in-memory string, with a record to read into. */
typedef struct fx {
    FILE *fp;
    rf_reader *r;
    rf_record *rec;
} fx;

/* Open a reader of format fmt over text (len bytes) with an optional map. */
static void open_text(fx *f, const char *text, size_t len, rf_format fmt, const rf_csv_map *map)
{
    f->fp = len ? fmemopen((void *)text, len, "r") : fopen("/dev/null", "r");
    assert_non_null(f->fp);
    assert_int_equal(rf_reader_open(&f->r, f->fp, "test", fmt, map), RF_OK);
    assert_int_equal(rf_record_create(&f->rec), RF_OK);
}

/* Open a reader over a NUL-terminated string. */
static void open_str(fx *f, const char *text, rf_format fmt)
{
    open_text(f, text, strlen(text), fmt, NULL);
}

/* Close everything a fixture opened. */
static void close_fx(fx *f)
{
    rf_record_destroy(f->rec);
    rf_reader_destroy(f->r);
    fclose(f->fp);
}

/* Text of value i of field x, "" when absent. */
static const char *val(const rf_record *rec, rf_field x, size_t i)
{
    const char *s = rf_record_str(rec, x, i, NULL);
    return s ? s : "";
}

/* Expect RF_EINPUT with a message containing want, at line. */
static void expect_bad(fx *f, const char *want, long line)
{
    int rc = rf_reader_next(f->r, f->rec);
    if (rc != RF_EINPUT)
        fail_msg("want RF_EINPUT (%s), got %d", want, rc);
    if (!strstr(rf_reader_error(f->r), want))
        fail_msg("message '%s' lacks '%s'", rf_reader_error(f->r), want);
    assert_int_equal(rf_record_line(f->rec), line);
}

/* Open a fixture file under $RF_SRCDIR (default "."). */
static FILE *fixture(const char *name)
{
    const char *dir = getenv("RF_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/input/%s", dir ? dir : ".", name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    return fp;
}

/* ---- JSON Lines ---- */

/* Every part of the DESIGN record lands in its field, with countries mapped. */
static void test_jsonl_full_record(void **state)
{
    (void)state;
    fx f;
    f.fp = fixture("orders.jsonl");
    assert_int_equal(rf_reader_open(&f.r, f.fp, "orders.jsonl", RF_FMT_AUTO, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_reader_format(f.r), RF_FMT_JSONL);
    rf_record *rec = f.rec;
    double v;
    assert_string_equal(val(rec, RF_F_ID, 0), "PO-2026-0042/1");
    assert_string_equal(val(rec, RF_F_SUPPLIER_NAME, 0), "Sunrise Gloves Sdn Bhd");
    assert_string_equal(val(rec, RF_F_SUPPLIER_COUNTRY, 0), "MY");
    assert_string_equal(val(rec, RF_F_SUPPLIER_ADDRESS, 0), "Klang, Selangor");
    assert_string_equal(val(rec, RF_F_SUPPLIER_NOTES, 0), "audit pending");
    assert_string_equal(val(rec, RF_F_SUPPLIER_LEI, 0), "5493001KJTIIGC8Y1R12");
    assert_string_equal(val(rec, RF_F_SUPPLIER_DUNS, 0), "123456789");
    assert_string_equal(val(rec, RF_F_SUPPLIER_VAT, 0), "MY-123");
    assert_string_equal(val(rec, RF_F_SUPPLIER_GLN, 0), "9501101020016");
    assert_string_equal(val(rec, RF_F_SUPPLIER_OTHER_ID, 0), "cn_uscc:91320000MA1X");
    assert_string_equal(val(rec, RF_F_MANUFACTURER_NAME, 0), "Glove Works");
    assert_string_equal(val(rec, RF_F_MANUFACTURER_COUNTRY, 0), "CN");
    assert_string_equal(val(rec, RF_F_ITEM_DESCRIPTION, 0), "nitrile examination gloves");
    assert_string_equal(val(rec, RF_F_ITEM_HS, 0), "401519");
    assert_string_equal(val(rec, RF_F_ITEM_ORIGIN, 0), "MY");
    assert_true(rf_record_num(rec, RF_F_ITEM_UNIT_PRICE, &v));
    assert_true(v == 0.021);
    assert_true(rf_record_num(rec, RF_F_ITEM_QUANTITY, &v) && v == 500000);
    assert_true(rf_record_num(rec, RF_F_CONTRACT_VALUE_ABROAD, &v) && v == 10500.5);
    assert_true(rf_record_num(rec, RF_F_CONTRACT_COMPLIANCE_PLAN, &v) && v == 1);
    assert_int_equal(rf_record_count(rec, RF_F_CONTRACT_PERFORMANCE_COUNTRY), 2);
    assert_string_equal(val(rec, RF_F_CONTRACT_PERFORMANCE_COUNTRY, 0), "VN");
    assert_string_equal(val(rec, RF_F_CONTRACT_PERFORMANCE_COUNTRY, 1), "CI");
    assert_string_equal(val(rec, RF_F_TEXT, 0),
                        "Passports are kept by the agency for safekeeping.");
    assert_int_equal(rf_record_line(rec), 1);
    assert_string_equal(rf_record_source(rec), "orders.jsonl");
    /* second record after a blank line: numeric id, line 3, mapped names */
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(rec, RF_F_ID, 0), "17");
    assert_int_equal(rf_record_line(rec), 3);
    assert_string_equal(val(rec, RF_F_ITEM_ORIGIN, 0), "TR");
    assert_string_equal(val(rec, RF_F_CONTRACT_PERFORMANCE_COUNTRY, 0), "MM");
    assert_true(rf_record_num(rec, RF_F_CONTRACT_COMPLIANCE_PLAN, &v) && v == 0);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* Subcontractor names and countries stay aligned when one side is missing. */
static void test_jsonl_subcontractor_alignment(void **state)
{
    (void)state;
    fx f;
    f.fp = fixture("orders.jsonl");
    assert_int_equal(rf_reader_open(&f.r, f.fp, "orders.jsonl", RF_FMT_JSONL, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_count(f.rec, RF_F_SUBCONTRACTOR_NAME), 3);
    assert_int_equal(rf_record_count(f.rec, RF_F_SUBCONTRACTOR_COUNTRY), 3);
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_NAME, 0), "Agency One");
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_COUNTRY, 0), "NP");
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_NAME, 1), "Agency Two");
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_COUNTRY, 1), "");
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_NAME, 2), "");
    /* an unknown country text is kept as written: evidence of an opaque chain */
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_COUNTRY, 2), "various");
    close_fx(&f);
}

/* Numbers given as strings are accepted; anything else is a wrong type. */
static void test_jsonl_wrong_type(void **state)
{
    (void)state;
    fx f;
    open_str(&f,
             "{\"id\": \"A\", \"item\": {\"unit_price\": \"abc\"}}\n"
             "{\"id\": \"B\", \"item\": {\"unit_price\": \"0x10\"}}\n"
             "{\"id\": \"C\", \"item\": {\"description\": 5}}\n"
             "{\"id\": \"D\", \"contract\": {\"compliance_plan\": \"maybe\"}}\n"
             "{\"id\": \"E\", \"item\": \"gloves\"}\n"
             "{\"id\": [1], \"text\": \"x\"}\n"
             "{\"id\": \"F\", \"item\": {\"unit_price\": \"inf\"}}\n"
             "{\"id\": \"G\", \"item\": {\"unit_price\": \" 1e-2 \", \"quantity\": \"-3\"}}\n",
             RF_FMT_JSONL);
    expect_bad(&f, "item.unit_price: expected a number, got string \"abc\"", 1);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "A");
    expect_bad(&f, "item.unit_price: expected a number", 2);
    expect_bad(&f, "item.description: expected a string, got number 5", 3);
    expect_bad(&f, "contract.compliance_plan: expected", 4);
    expect_bad(&f, "item: expected an object, got string \"gloves\"", 5);
    expect_bad(&f, "id: expected a string or number, got an array", 6);
    expect_bad(&f, "item.unit_price: expected a number, got string \"inf\"", 7);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    double v;
    assert_true(rf_record_num(f.rec, RF_F_ITEM_UNIT_PRICE, &v) && v == 0.01);
    assert_true(rf_record_num(f.rec, RF_F_ITEM_QUANTITY, &v) && v == -3);
    close_fx(&f);
}

/* Invalid JSON names the problem and the column; the next line is still read. */
static void test_jsonl_invalid_json(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "{\"id\": \"A\", \"text\": \"x\",}\n{\"text\": \"ok\"}\n", RF_FMT_JSONL);
    expect_bad(&f, "invalid JSON: ", 1);
    assert_non_null(strstr(rf_reader_error(f.r), "at column "));
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "ok");
    assert_int_equal(rf_record_line(f.rec), 2);
    close_fx(&f);
}

/* A line holding an array, string or number is not a record. */
static void test_jsonl_non_object(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "{\"text\": \"a\"}\n[1, 2]\n\"text\"\n42\n", RF_FMT_JSONL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    expect_bad(&f, "expected a JSON object, got an array", 2);
    expect_bad(&f, "expected a JSON object, got string", 3);
    expect_bad(&f, "expected a JSON object, got number 42", 4);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* Invalid UTF-8 anywhere in the line is refused with its column. */
static void test_jsonl_invalid_utf8(void **state)
{
    (void)state;
    fx f;
    open_str(&f,
             "{\"text\": \"caf\xc3\xa9 ok\"}\n"
             "{\"text\": \"bad \xe9 byte\"}\n"
             "{\"text\": \"surrogate \xed\xa0\x80\"}\n"
             "{\"text\": \"x\"}  \xff\n",
             RF_FMT_JSONL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "caf\xc3\xa9 ok");
    expect_bad(&f, "invalid UTF-8 at column 15", 2);
    expect_bad(&f, "invalid UTF-8 at column 21", 3);
    expect_bad(&f, "invalid UTF-8 at column 16", 4);
    close_fx(&f);
}

/* A NUL byte in a line is refused; the following line is read. */
static void test_jsonl_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "{\"text\": \"a\0b\"}\n{\"text\": \"c\"}\n";
    fx f;
    open_text(&f, text, sizeof text - 1, RF_FMT_JSONL, NULL);
    expect_bad(&f, "NUL byte at column 12", 1);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "c");
    close_fx(&f);
}

/* Peak resident memory in kilobytes. */
static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* A 10 MB line is discarded without being held in memory; the next record is read. */
static void test_jsonl_huge_line(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    fputs("{\"text\": \"", fp);
    for (int i = 0; i < 10 * 256; i++)
        fwrite(chunk, 1, sizeof chunk, fp);
    fputs("\"}\n{\"id\": \"after\", \"text\": \"next\"}\n", fp);
    rewind(fp);
    long before = max_rss_kb();
    fx f = {.fp = fp};
    assert_int_equal(rf_reader_open(&f.r, fp, "big", RF_FMT_AUTO, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    expect_bad(&f, "record longer than 1048576 bytes", 1);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "after");
    assert_int_equal(rf_record_line(f.rec), 2);
    long grown = max_rss_kb() - before;
    if (grown > 6 * 1024)
        fail_msg("reading a 10 MB line grew memory by %ld kB", grown);
    close_fx(&f);
}

/* Nesting deeper than RF_MAX_JSON_DEPTH is refused before parsing. */
static void test_jsonl_depth(void **state)
{
    (void)state;
    char line[256];
    size_t k = 0;
    k += (size_t)sprintf(line, "{\"text\": \"x\", \"deep\": ");
    for (int i = 0; i < RF_MAX_JSON_DEPTH; i++)
        line[k++] = '[';
    for (int i = 0; i < RF_MAX_JSON_DEPTH; i++)
        line[k++] = ']';
    k += (size_t)sprintf(line + k, "}\n{\"text\": \"[[[[ in a string is fine\"}\n");
    fx f;
    open_text(&f, line, k, RF_FMT_JSONL, NULL);
    expect_bad(&f, "nesting deeper than 32 levels", 1);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    close_fx(&f);
}

/* {} and a record with only an id have nothing to screen; the id is kept. */
static void test_jsonl_nothing_to_screen(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "{}\n{\"id\": \"X-1\"}\n{\"id\": \"X-2\", \"item\": {}, \"text\": \"\"}\n",
             RF_FMT_JSONL);
    expect_bad(&f, "record has nothing to screen", 1);
    expect_bad(&f, "record has nothing to screen", 2);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "X-1");
    expect_bad(&f, "record has nothing to screen", 3);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* Blank lines are skipped but counted, so lines match the file. */
static void test_jsonl_line_numbers(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "\n  \n{\"text\": \"a\"}\r\n\n\n{\"text\": \"b\"}", RF_FMT_AUTO);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_line(f.rec), 3);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_line(f.rec), 6);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "b");
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* Empty and blank-only input end at once. */
static void test_empty_input(void **state)
{
    (void)state;
    fx f;
    open_text(&f, "", 0, RF_FMT_AUTO, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
    open_str(&f, "\n\n   \n", RF_FMT_CSV);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* rf_record_from_json follows the same rules and resets the record. */
static void test_record_from_json(void **state)
{
    (void)state;
    rf_record *rec;
    char err[256];
    const char *ok = "{\"supplier\": {\"name\": \"A\", \"country\": \"Ivory Coast\"}}";
    assert_int_equal(rf_record_create(&rec), RF_OK);
    assert_int_equal(rf_record_from_json(ok, strlen(ok), rec, err, sizeof err), RF_OK);
    assert_string_equal(val(rec, RF_F_SUPPLIER_COUNTRY, 0), "CI");
    assert_int_equal(rf_record_from_json(ok, strlen(ok), rec, err, sizeof err), RF_OK);
    assert_int_equal(rf_record_count(rec, RF_F_SUPPLIER_NAME), 1);
    const char *bad = "{\"item\": {\"quantity\": true}}";
    assert_int_equal(rf_record_from_json(bad, strlen(bad), rec, err, sizeof err), RF_EINPUT);
    assert_string_equal(err, "item.quantity: expected a number, got true");
    rf_record_destroy(rec);
}

/* ---- CSV ---- */

/* Header spellings map to fields; BOM, CRLF and a quoted multi-line field are fine. */
static void test_csv_aliases(void **state)
{
    (void)state;
    fx f;
    f.fp = fixture("suppliers.csv");
    assert_int_equal(rf_reader_open(&f.r, f.fp, "suppliers.csv", RF_FMT_AUTO, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_reader_format(f.r), RF_FMT_CSV);
    rf_record *rec = f.rec;
    double v;
    assert_string_equal(val(rec, RF_F_ID, 0), "A-1");
    assert_string_equal(val(rec, RF_F_SUPPLIER_NAME, 0), "Acme Textiles");
    assert_string_equal(val(rec, RF_F_SUPPLIER_COUNTRY, 0), "BD");
    assert_string_equal(val(rec, RF_F_ITEM_DESCRIPTION, 0), "cotton shirts");
    assert_true(rf_record_num(rec, RF_F_ITEM_UNIT_PRICE, &v) && v == 2.5);
    assert_true(rf_record_num(rec, RF_F_ITEM_REFERENCE_PRICE, &v) && v == 4);
    assert_string_equal(val(rec, RF_F_ITEM_ORIGIN, 0), "BD");
    assert_string_equal(val(rec, RF_F_ITEM_HS, 0), "6205");
    assert_string_equal(val(rec, RF_F_TEXT, 0), "Workers pay\nrecruitment fees");
    assert_int_equal(rf_record_line(rec), 2);
    assert_int_equal(rf_record_count(rec, RF_F_SUBCONTRACTOR_NAME), 2);
    assert_string_equal(val(rec, RF_F_SUBCONTRACTOR_NAME, 1), "Chittagong Sew");
    assert_string_equal(val(rec, RF_F_SUBCONTRACTOR_COUNTRY, 1), "IN");
    /* the second row starts after the two-line quoted field */
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_line(rec), 4);
    assert_string_equal(val(rec, RF_F_SUPPLIER_NAME, 0), "Quoted, Inc.");
    assert_string_equal(val(rec, RF_F_SUPPLIER_COUNTRY, 0), "CI");
    assert_false(rf_record_num(rec, RF_F_ITEM_UNIT_PRICE, &v));
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    /* the one unknown column is reported once */
    size_t n;
    const char *const *w = rf_reader_warnings(f.r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(w[0], "column 'Fax' is not used; map it with --map FIELD=Fax");
    close_fx(&f);
}

/* 100,000 unused columns give one warning with the count and the first
 * five names, not a line each; a duplicate of a used column is named as such. */
static void test_csv_unused_aggregated(void **state)
{
    (void)state;
    size_t ncols = 100000, cap = ncols * 8 + 256, o = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    o += (size_t)snprintf(text, cap, "id,supplier_name,Supplier Name");
    for (size_t i = 3; i < ncols; i++)
        o += (size_t)snprintf(text + o, cap - o, ",x%zu", i);
    o += (size_t)snprintf(text + o, cap - o, "\nPO-1,Acme Ltd,Other Ltd");
    for (size_t i = 3; i < ncols; i++)
        text[o++] = ',';
    text[o++] = '\n';
    fx f;
    open_text(&f, text, o, RF_FMT_CSV, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "Acme Ltd");
    size_t n;
    const char *const *w = rf_reader_warnings(f.r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(w[0], "99998 columns are not used: 'Supplier Name' (supplier.name from "
                              "another column), 'x3', 'x4', 'x5', 'x6' and 99993 more; map one "
                              "with --map FIELD=COLUMN");
    close_fx(&f);
    free(text);
    /* two unused columns: both named, no "more" */
    open_str(&f, "id,Fax,,supplier_name\nPO-2,1,2,Acme\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    w = rf_reader_warnings(f.r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(w[0], "2 columns are not used: 'Fax', column 3 (no name); map one with "
                              "--map FIELD=COLUMN");
    close_fx(&f);
}

/* --map pairs override the built-in spellings and reach unknown columns. */
static void test_csv_map(void **state)
{
    (void)state;
    const char *pairs[] = {"supplier.name=Legal Entity", "item.origin=Made In",
                           "text=Country"};
    rf_csv_map map = {pairs, 3};
    const char *csv = "Legal Entity,Made In,Country,Vendor\nAcme,Vietnam,free text,Other\n";
    fx f;
    open_text(&f, csv, strlen(csv), RF_FMT_CSV, &map);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "Acme");
    assert_int_equal(rf_record_count(f.rec, RF_F_SUPPLIER_NAME), 1);
    assert_string_equal(val(f.rec, RF_F_ITEM_ORIGIN, 0), "VN");
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "free text");
    assert_int_equal(rf_record_count(f.rec, RF_F_SUPPLIER_COUNTRY), 0);
    size_t n;
    const char *const *w = rf_reader_warnings(f.r, &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(w[0], "'Vendor'"));
    close_fx(&f);
}

/* A --map pair that is malformed or names no field is refused at open. */
static void test_csv_bad_map(void **state)
{
    (void)state;
    const char *pairs[] = {"no_such_field=X"};
    rf_csv_map map = {pairs, 1};
    rf_reader *r = NULL;
    assert_int_equal(rf_reader_open(&r, stdin, "x", RF_FMT_CSV, &map), RF_EINVAL);
    assert_null(r);
    pairs[0] = "supplier.name";
    assert_int_equal(rf_reader_open(&r, stdin, "x", RF_FMT_CSV, &map), RF_EINVAL);
}

/* A row with the wrong number of fields is one bad record; others go on. */
static void test_csv_ragged(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "id,supplier,country,item,price,currency,notes\n"
                 "1,A,MY,gloves,1,USD\n"
                 "2,B,MY,gloves,1,USD,x,y\n"
                 "3,C,MY,gloves,1,USD,fine\n", RF_FMT_CSV);
    expect_bad(&f, "row has 6 fields, header has 7", 2);
    expect_bad(&f, "row has 8 fields, header has 7", 3);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "3");
    assert_int_equal(rf_record_line(f.rec), 4);
    close_fx(&f);
    /* a row that gives nothing but its id is reported, never passed as clean */
    open_str(&f, "id,supplier,notes\n1,,\n2,A,\n", RF_FMT_CSV);
    expect_bad(&f, "record has nothing to screen", 2);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "2");
    close_fx(&f);
}

/* An unbalanced quote is reported at the end, at the line where the field began. */
static void test_csv_unterminated_quote(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "id,text\n1,ok\n2,\"never closed\n3,more\n4,lines\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    expect_bad(&f, "unterminated quoted field", 3);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* NUL bytes and invalid UTF-8 in values are bad records; the id is kept. Once
 * a line has shown the input is UTF-8 (or --encoding says so), a byte that is
 * not UTF-8 is a bad record rather than a reason to switch encodings. */
static void test_csv_bad_bytes(void **state)
{
    (void)state;
    static const char text[] = "id,supplier\n1,A\0B\n2,caf\xe9\n3,ok\n4,S\xc3\xa3o\n5,caf\xe9\n";
    fx f;
    open_text(&f, text, sizeof text - 1, RF_FMT_CSV, NULL);
    assert_int_equal(rf_reader_set_encoding(f.r, "utf-8"), RF_OK);
    expect_bad(&f, "column 'supplier': NUL byte at byte 2", 2);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "1");
    expect_bad(&f, "column 'supplier': invalid UTF-8 at byte 4", 3);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "ok");
    close_fx(&f);
    /* auto: UTF-8 seen on line 2, so line 3 is a bad record, not Windows-1252 */
    static const char mixed[] = "id,supplier\n4,S\xc3\xa3o\n5,caf\xe9\n3,ok\n";
    open_text(&f, mixed, sizeof mixed - 1, RF_FMT_CSV, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "S\xc3\xa3o");
    expect_bad(&f, "column 'supplier': invalid UTF-8 at byte 4", 3);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "ok");
    close_fx(&f);
}

/* Non-numeric text in a numeric column is a bad record naming the column. */
static void test_csv_bad_number(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "id,item,unit price\n7,gloves,$0.02\n8,gloves,1,000\n", RF_FMT_CSV);
    expect_bad(&f, "column 'unit price': item.unit_price: expected a number, got string "
                   "\"$0.02\"", 2);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "7");
    expect_bad(&f, "row has 4 fields, header has 3", 3);
    close_fx(&f);
}

/* ---- office exports (tests/fixtures/office, written by LibreOffice) ---- */

/* Open a file of tests/fixtures/office. */
static FILE *office_fixture(const char *name)
{
    const char *dir = getenv("RF_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/office/%s", dir ? dir : ".", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    return fp;
}

/* Every LibreOffice export of the supplier list (English, German, French
 * locales; comma, semicolon, tab, pipe; UTF-8, Windows-1252, Latin-1, UTF-16;
 * XLSX) reads to the same twelve records, the numbers the spreadsheet holds
 * (gen_suppliers.py: price = round(i * 1234.567 + 0.5, 2), qty = 1500 i). */
static void test_office_exports(void **state)
{
    (void)state;
    static const char *const files[] = {
        "suppliers-en.csv", "suppliers-en-pipe.csv", "suppliers-de.csv",
        "suppliers-de-utf16.txt", "suppliers-fr.csv", "suppliers-fr-latin1.csv",
        "suppliers-en.xlsx", "suppliers-de.xlsx",
    };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        fx f;
        f.fp = office_fixture(files[k]);
        assert_int_equal(rf_reader_open(&f.r, f.fp, files[k], RF_FMT_AUTO, NULL), RF_OK);
        assert_int_equal(rf_record_create(&f.rec), RF_OK);
        int i = 0, rc;
        while ((rc = rf_reader_next(f.r, f.rec)) == RF_OK) {
            i++;
            char id[16];
            double price, qty, value;
            snprintf(id, sizeof id, "SUP-%04d", i);
            if (strcmp(val(f.rec, RF_F_ID, 0), id) != 0)
                fail_msg("%s: record %d has id '%s'", files[k], i, val(f.rec, RF_F_ID, 0));
            assert_int_equal(rf_record_line(f.rec), i + 1);
            assert_true(rf_record_num(f.rec, RF_F_ITEM_UNIT_PRICE, &price));
            assert_true(rf_record_num(f.rec, RF_F_ITEM_QUANTITY, &qty));
            assert_true(rf_record_num(f.rec, RF_F_CONTRACT_VALUE, &value));
            double want = (double)(long)((i * 1234.567 + 0.5) * 100 + 0.5) / 100;
            if (fabs(price - want) > 1e-9 || qty != 1500.0 * i ||
                fabs(value - (double)(long)(want * qty * 100 + 0.5) / 100) > 1e-6)
                fail_msg("%s: record %d: price %.2f qty %.0f value %.2f, want price %.2f",
                         files[k], i, price, qty, value, want);
            if (i == 3) {
                assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0),
                                    "Quillfeather B\xc3\xbcrom\xc3\xb6\x62\x65l GmbH");
                assert_string_equal(val(f.rec, RF_F_SUPPLIER_COUNTRY, 0), "DE");
            }
            if (i == 4)   /* a quoted field with the delimiter inside */
                assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0),
                                    "Tidewater Zenport Seafoods Co., Ltd.");
        }
        if (rc != RF_EOF)
            fail_msg("%s: record %d: %s", files[k], i + 1, rf_reader_error(f.r));
        assert_int_equal(i, 12);
        close_fx(&f);
    }
}

/* A negative unit or reference price is a bad record naming the field and the
 * value, in every format; zero is read (the price_zero rule flags it). */
static void test_negative_price(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "id;unit_price;reference_price\nA;(12,50);3\nB;0;3\nC;1;-2\nD;2;3\n",
             RF_FMT_CSV);
    expect_bad(&f, "item.unit_price is negative: \"(12,50)\"; a price cannot be below zero", 2);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    double v;
    assert_true(rf_record_num(f.rec, RF_F_ITEM_UNIT_PRICE, &v));
    assert_true(v == 0);
    expect_bad(&f, "item.reference_price is negative: \"-2\"; a price cannot be below zero", 4);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "D");
    close_fx(&f);
    open_str(&f, "{\"id\": \"J\", \"item\": {\"unit_price\": -0.021}}\n", RF_FMT_JSONL);
    expect_bad(&f, "item.unit_price is negative: \"-0.021\"; a price cannot be below zero", 1);
    close_fx(&f);
}

/* Numbers as offices write them, in a semicolon file (decimal comma) and a
 * comma file (decimal point); a bad one is one bad record naming its line. */
static void test_csv_office_numbers(void **state)
{
    (void)state;
    static const struct { const char *text; double want; } de[] = {
        {"1.234,56", 1234.56}, {"1234,56", 1234.56}, {"1 234,56", 1234.56},
        {"1\xc2\xa0" "234,56", 1234.56}, {"1\xe2\x80\xaf" "234,5", 1234.5}, {"12,5", 12.5},
        {"1.234", 1234}, {"(12,50)", -12.5}, {"12,50-", -12.5}, {"-3", -3}, {"0,125", 0.125},
        {"1.234.567", 1234567}, {"+3", 3}, {"+1.234,5", 1234.5},
    };
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "id;quantity\n");
    for (size_t i = 0; i < sizeof de / sizeof de[0]; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%zu;%s\n", i, de[i].text);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "bad;1.23.4\nbad2;1.234 567,89\nlast;2,5\n");
    fx f;
    open_text(&f, buf, n, RF_FMT_AUTO, NULL);
    for (size_t i = 0; i < sizeof de / sizeof de[0]; i++) {
        double v;
        if (rf_reader_next(f.r, f.rec) != RF_OK)
            fail_msg("'%s': %s", de[i].text, rf_reader_error(f.r));
        assert_true(rf_record_num(f.rec, RF_F_ITEM_QUANTITY, &v));
        if (fabs(v - de[i].want) > 1e-9)
            fail_msg("'%s' read as %g, want %g", de[i].text, v, de[i].want);
        assert_string_equal(val(f.rec, RF_F_ITEM_QUANTITY, 0), de[i].text);
    }
    expect_bad(&f, "expected a number, got string \"1.23.4\"", (long)(sizeof de / sizeof de[0]) + 2);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "bad");
    /* two kinds of group separator in one integer part is no number */
    expect_bad(&f, "expected a number, got string \"1.234 567,89\"",
               (long)(sizeof de / sizeof de[0]) + 3);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "bad2");
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    close_fx(&f);
    /* comma-separated: "1,234" (quoted) is thousands, "1.234" a decimal point */
    open_str(&f, "id,unit_price,quantity\n1,\"1,234\",1.234\n2,\"1,234.5\",\"12,000\"\n",
             RF_FMT_AUTO);
    double v;
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_true(rf_record_num(f.rec, RF_F_ITEM_UNIT_PRICE, &v) && v == 1234);
    assert_true(rf_record_num(f.rec, RF_F_ITEM_QUANTITY, &v) && v == 1.234);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_true(rf_record_num(f.rec, RF_F_ITEM_UNIT_PRICE, &v) && v == 1234.5);
    assert_true(rf_record_num(f.rec, RF_F_ITEM_QUANTITY, &v) && v == 12000);
    close_fx(&f);
}

/* The delimiter: sniffed from the header (tab, ';', '|'), given by an Excel
 * "sep=" line, or forced; single quotes as the quote when the header uses them. */
static void test_csv_delimiters(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "id\tsupplier\tnotes\n1\tA, B; C\tx\n", "id|supplier|notes\n1|A, B; C|x\n",
        "id;supplier;notes\n1;A, B; C;x\n", "sep=;\nid;supplier;notes\n1;\"A, B; C\";x\n",
        "'id','supplier','notes'\n1,'A, B; C',x\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        fx f;
        open_str(&f, texts[i], RF_FMT_AUTO);
        int rc = rf_reader_next(f.r, f.rec);
        if (i == 2) {   /* unquoted ';' inside a ';' file: 4 fields */
            assert_int_equal(rc, RF_EINPUT);
            assert_string_equal(rf_reader_error(f.r), "row has 4 fields, header has 3");
        } else {
            if (rc != RF_OK)
                fail_msg("text %zu: %s", i, rf_reader_error(f.r));
            assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "A, B; C");
            assert_string_equal(val(f.rec, RF_F_TEXT, 0), "x");
            assert_int_equal(rf_record_line(f.rec), i == 3 ? 3 : 2);
        }
        close_fx(&f);
    }
    fx f;
    /* delimiters inside a quoted header name do not count */
    open_str(&f, "id,notes,\"remarks; internal; not used\"\n1,Passports held,x\n", RF_FMT_AUTO);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "Passports held");
    close_fx(&f);
    open_str(&f, "id;supplier,notes\n1;A,x\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_set_delimiter(f.r, ','), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "");
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "x");
    assert_int_equal(rf_reader_set_delimiter(f.r, ';'), RF_EINVAL);   /* too late */
    close_fx(&f);
    open_str(&f, "id\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_set_delimiter(f.r, '"'), RF_EINVAL);
    close_fx(&f);
}

/* Encodings: Windows-1252 detected (with a warning) or forced, Latin-1 forced,
 * UTF-16 BE by its BOM, UTF-8 BOM; an unknown name refused. */
static void test_csv_encodings(void **state)
{
    (void)state;
    fx f;
    static const char cp[] = "id;supplier;notes\n1;Stra\xdf" "e;\x80 5\n2;M\xfcller;\x81\n";
    open_text(&f, cp, sizeof cp - 1, RF_FMT_AUTO, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "Stra\xc3\x9f" "e");
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "\xe2\x82\xac 5");   /* the euro sign */
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "M\xc3\xbcller");
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "\xc2\x81");  /* WHATWG: undefined → C1 */
    size_t n;
    const char *const *w = rf_reader_warnings(f.r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(w[0], "line 2 is not UTF-8: reading the input as Windows-1252 (use "
                        "--encoding to choose another)");
    close_fx(&f);
    open_text(&f, cp, sizeof cp - 1, RF_FMT_AUTO, NULL);
    assert_int_equal(rf_reader_set_encoding(f.r, "latin1"), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "\xc2\x80 5");   /* Latin-1: U+0080 */
    close_fx(&f);
    static const char be[] = "\xfe\xff\0i\0d\0,\0s\0u\0p\0p\0l\0i\0e\0r\0\n"
                             "\0001\0,\x4e\x2d\x65\x87\0\n";   /* 中文 */
    open_text(&f, be, sizeof be - 1, RF_FMT_AUTO, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "\xe4\xb8\xad\xe6\x96\x87");
    close_fx(&f);
    static const char bom[] = "\xef\xbb\xbfid,supplier\n1,caf\xe9\n";
    open_text(&f, bom, sizeof bom - 1, RF_FMT_AUTO, NULL);
    expect_bad(&f, "invalid UTF-8 at byte 4", 2);   /* a UTF-8 BOM means UTF-8 */
    close_fx(&f);
    /* JSON is UTF-8: no guessing on a JSON line, but a chosen encoding applies */
    static const char js[] = "{\"id\":\"j\",\"text\":\"caf\xe9\"}\n";
    open_text(&f, js, sizeof js - 1, RF_FMT_AUTO, NULL);
    expect_bad(&f, "invalid UTF-8", 1);
    close_fx(&f);
    open_text(&f, js, sizeof js - 1, RF_FMT_AUTO, NULL);
    assert_int_equal(rf_reader_set_encoding(f.r, "latin1"), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_TEXT, 0), "caf\xc3\xa9");
    assert_int_equal(rf_reader_format(f.r), RF_FMT_JSONL);
    close_fx(&f);
    open_str(&f, "id\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_set_encoding(f.r, "no-such-charset"), RF_EINVAL);
    assert_non_null(strstr(rf_reader_open_error(), "unknown encoding"));
    assert_int_equal(rf_reader_set_encoding(f.r, "utf-32"), RF_EINVAL);
    close_fx(&f);
}

/* XLSX: --sheet picks a sheet by name, an unknown name and a damaged
 * workbook are one bad record, a workbook from a pipe is read from memory. */
static void test_xlsx_sheets(void **state)
{
    (void)state;
    fx f;
    f.fp = office_fixture("suppliers-de.xlsx");
    assert_int_equal(rf_reader_open(&f.r, f.fp, "x", RF_FMT_AUTO, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    assert_int_equal(rf_reader_set_sheet(f.r, "Notes"), RF_OK);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);   /* a header only */
    assert_int_equal(rf_reader_format(f.r), RF_FMT_XLSX);
    close_fx(&f);
    f.fp = office_fixture("suppliers-de.xlsx");
    assert_int_equal(rf_reader_open(&f.r, f.fp, "x", RF_FMT_XLSX, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    assert_int_equal(rf_reader_set_sheet(f.r, "Lieferanten"), RF_OK);
    expect_bad(&f, "the workbook has no sheet named 'Lieferanten'", 1);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
    /* the workbook through a stream that cannot seek (read into memory) */
    FILE *fp = office_fixture("suppliers-en.xlsx");
    static char data[1 << 16];
    size_t n = fread(data, 1, sizeof data, fp);
    fclose(fp);
    open_text(&f, data, n, RF_FMT_AUTO, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "Kelvane Gloves Sdn Bhd");
    close_fx(&f);
    /* cut short: a bad record, then the end */
    open_text(&f, data, n / 2, RF_FMT_AUTO, NULL);
    int rc = rf_reader_next(f.r, f.rec);
    assert_int_equal(rc, RF_EINPUT);
    assert_non_null(strstr(rf_reader_error(f.r), "XLSX"));
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* A header with no rows is zero records. */
static void test_csv_header_only(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "supplier_name,supplier_country\r\n", RF_FMT_AUTO);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    assert_int_equal(rf_reader_format(f.r), RF_FMT_CSV);
    close_fx(&f);
}

/* Subcontractor lists split on ';' and are padded to the same length. */
static void test_csv_subcontractors(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "supplier_name,subcontractor_name,subcontractor_country\n"
                 "A,X; Y ;Z,China;;\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_count(f.rec, RF_F_SUBCONTRACTOR_NAME), 3);
    assert_int_equal(rf_record_count(f.rec, RF_F_SUBCONTRACTOR_COUNTRY), 3);
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_NAME, 1), "Y");
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_COUNTRY, 0), "CN");
    assert_string_equal(val(f.rec, RF_F_SUBCONTRACTOR_COUNTRY, 2), "");
    close_fx(&f);
    open_str(&f, "supplier_name,subcontractor_name\nA,X;Y\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_count(f.rec, RF_F_SUBCONTRACTOR_COUNTRY), 2);
    close_fx(&f);
}

/* A CSV record over the size limit is refused without holding it; reading goes on. */
static void test_csv_huge_record(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    char chunk[4096];
    memset(chunk, 'y', sizeof chunk);
    fputs("id,text\n1,\"", fp);
    for (int i = 0; i < 300; i++) {   /* a quoted field of 300 lines of 4 kB */
        fwrite(chunk, 1, sizeof chunk, fp);
        fputc('\n', fp);
    }
    fputs("\"\n2,after\n", fp);
    rewind(fp);
    fx f = {.fp = fp};
    assert_int_equal(rf_reader_open(&f.r, fp, "big.csv", RF_FMT_CSV, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    expect_bad(&f, "record longer than 1048576 bytes", 2);
    /* the rest of the quoted field is skipped up to its closing quote */
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "2");
    assert_int_equal(rf_record_line(f.rec), 303);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* ---- streaming over a pipe ---- */

/* The writer side of a pipe test: writes text, then waits to be released. */
typedef struct pipe_writer {
    int fd;
    const char *text;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int release;
} pipe_writer;

/* Thread body: write, wait for release, then close. */
static void *writer_main(void *arg)
{
    pipe_writer *w = arg;
    size_t len = strlen(w->text);
    if (write(w->fd, w->text, len) != (ssize_t)len)
        return NULL;
    pthread_mutex_lock(&w->mu);
    while (!w->release)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    close(w->fd);
    return NULL;
}

/* Read one record from a pipe whose writer keeps it open. */
static void pipe_one(const char *text, rf_format fmt, const char *want_id)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pipe_writer w = {.fd = fds[1], .text = text, .mu = PTHREAD_MUTEX_INITIALIZER,
                     .cv = PTHREAD_COND_INITIALIZER};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
    fx f = {.fp = fdopen(fds[0], "r")};
    assert_non_null(f.fp);
    assert_int_equal(rf_reader_open(&f.r, f.fp, "-", fmt, NULL), RF_OK);
    assert_int_equal(rf_record_create(&f.rec), RF_OK);
    alarm(5);   /* a reader that waits for more input would hang here */
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    alarm(0);
    assert_string_equal(val(f.rec, RF_F_ID, 0), want_id);
    pthread_mutex_lock(&w.mu);
    w.release = 1;
    pthread_cond_signal(&w.cv);
    pthread_mutex_unlock(&w.mu);
    pthread_join(t, NULL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_EOF);
    close_fx(&f);
}

/* One JSON line in, one record out, while the writer keeps the pipe open. */
static void test_pipe_jsonl(void **state)
{
    (void)state;
    pipe_one("{\"id\": \"P-1\", \"text\": \"hello\"}\n", RF_FMT_AUTO, "P-1");
}

/* The same for CSV: the header and one row, pipe still open. */
static void test_pipe_csv(void **state)
{
    (void)state;
    pipe_one("id,supplier\nP-2,Acme\n", RF_FMT_AUTO, "P-2");
}

/* ids.other takes a string or an array as given; other schemes become "scheme:value";
 * "Supplier ID" is an id column in CSV. */
static void test_ids_other_and_id_alias(void **state)
{
    (void)state;
    fx f;
    open_str(&f, "{\"supplier\": {\"name\": \"X\", \"ids\": {\"other\": [\"imo:9\", "
                 "\"uei:AB\"], \"trade_licence\": \"TL-1\"}}}\n", RF_FMT_JSONL);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_int_equal(rf_record_count(f.rec, RF_F_SUPPLIER_OTHER_ID), 3);
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_OTHER_ID, 0), "imo:9");
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_OTHER_ID, 1), "uei:AB");
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_OTHER_ID, 2), "trade_licence:TL-1");
    close_fx(&f);
    open_str(&f, "Supplier ID,Vendor\nS-1,Acme Ltd\n", RF_FMT_CSV);
    assert_int_equal(rf_reader_next(f.r, f.rec), RF_OK);
    assert_string_equal(val(f.rec, RF_F_ID, 0), "S-1");
    assert_string_equal(val(f.rec, RF_F_SUPPLIER_NAME, 0), "Acme Ltd");
    close_fx(&f);
}

/* Format names parse; unknown ones are -1. */
static void test_format_parse(void **state)
{
    (void)state;
    assert_int_equal(rf_format_parse("jsonl"), RF_FMT_JSONL);
    assert_int_equal(rf_format_parse("JSON"), RF_FMT_JSONL);
    assert_int_equal(rf_format_parse("csv"), RF_FMT_CSV);
    assert_int_equal(rf_format_parse("auto"), RF_FMT_AUTO);
    assert_int_equal(rf_format_parse("xml"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_full_record),
        cmocka_unit_test(test_ids_other_and_id_alias),
        cmocka_unit_test(test_jsonl_subcontractor_alignment),
        cmocka_unit_test(test_jsonl_wrong_type),
        cmocka_unit_test(test_jsonl_invalid_json),
        cmocka_unit_test(test_jsonl_non_object),
        cmocka_unit_test(test_jsonl_invalid_utf8),
        cmocka_unit_test(test_jsonl_nul_byte),
        cmocka_unit_test(test_jsonl_huge_line),
        cmocka_unit_test(test_jsonl_depth),
        cmocka_unit_test(test_jsonl_nothing_to_screen),
        cmocka_unit_test(test_jsonl_line_numbers),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_record_from_json),
        cmocka_unit_test(test_csv_aliases), cmocka_unit_test(test_csv_unused_aggregated),
        cmocka_unit_test(test_negative_price),
        cmocka_unit_test(test_csv_map),
        cmocka_unit_test(test_csv_bad_map),
        cmocka_unit_test(test_csv_ragged),
        cmocka_unit_test(test_csv_unterminated_quote),
        cmocka_unit_test(test_csv_bad_bytes),
        cmocka_unit_test(test_csv_bad_number),
        cmocka_unit_test(test_csv_header_only),
        cmocka_unit_test(test_office_exports),
        cmocka_unit_test(test_csv_office_numbers),
        cmocka_unit_test(test_csv_delimiters),
        cmocka_unit_test(test_csv_encodings),
        cmocka_unit_test(test_xlsx_sheets),
        cmocka_unit_test(test_csv_subcontractors),
        cmocka_unit_test(test_csv_huge_record),
        cmocka_unit_test(test_pipe_jsonl),
        cmocka_unit_test(test_pipe_csv),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
