/* Unit tests for the result writers: jsonl, csv and table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>
#include "redflag/writer.h"

/* The results every format test writes: a flagged order line with a critical
 * list match, a clean one, an unreadable one and one without an id whose
 * evidence tries to drive the terminal. Taken from examples/orders.jsonl. */
typedef struct sample {
    rf_result *res[4];
} sample;

/* Add a flag to res. */
static void add_flag(rf_result *res, const char *rule, const char *ind, rf_level sev, int w,
                     const char *field, const char *ev, const char *src, const char *gl)
{
    rf_flag f = {rule, ind, sev, w, field, rf_result_strdup(res, ev, strlen(ev)), src, gl};
    assert_int_equal(rf_result_add_flag(res, &f), RF_OK);
}

/* Fill the first sample: three indicators and a UFLPA match. */
static void sample_flagged(rf_result *res)
{
    res->id = rf_result_strdup(res, "PO-2026-0101/1", 14);
    res->line = 1;
    add_flag(res, "goods.gloves_malaysia", "high_risk_origin", RF_LEVEL_HIGH, 60,
             "item.description", "Nitrile examination gloves, powder-free, size M, boxes of 100",
             "US DOL List of Goods Produced by Child Labor or Forced Labor (Gloves, Malaysia)",
             "OSCE-MG-2018:procurement");
    add_flag(res, "identity_documents_retained", "identity_documents_retained", RF_LEVEL_HIGH,
             60, "text",
             "Third-party social audit, March 2026: passports of migrant production workers are "
             "kept by the factory \"for safekeeping\" and returned at the end of the contract.",
             "ILO forced labour indicators; FAR 52.222-50(b)(4)", "OSCE-MG-2018:recruitment");
    add_flag(res, "price.abnormally_low", "abnormally_low_price", RF_LEVEL_MEDIUM, 30,
             "item.unit_price", "0.021 < 0.5 × 0.05", "Directive 2014/24/EU art. 69", NULL);
    rf_match m = {"manufacturer", "us_uflpa", "uflpa-hoshine-silicon",
                  "Hoshine Silicon Industry (Shanshan) Co., Ltd", 0.96, true, "organisation",
                  "match", "name 0.96 and the country CN"};
    assert_int_equal(rf_result_add_match(res, &m), RF_OK);
    rf_result_score(res);
}

/* Fill the fourth sample: no id, control characters and a long unbroken word. */
static void sample_hostile(rf_result *res)
{
    res->line = 9;
    add_flag(res, "recruitment.fees", "recruitment_fees_charged", RF_LEVEL_LOW, 20, "text",
             "=HYPERLINK(\"x\")\x1b[2J\tplacement fee\r\npaid by the candidate \xc2\x9b" "31m "
             "ref:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
             "\xc3\xa9\xc3\xa9\xc3\xa9 end",
             "FAR 52.222-50(b)(6)", "OSCE-MG-2018:recruitment");
    rf_result_score(res);
}

/* Build the four sample results. */
static int setup(void **state)
{
    sample *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    for (int i = 0; i < 4; i++)
        if (rf_result_create(&s->res[i]) != RF_OK)
            return -1;
    sample_flagged(s->res[0]);
    s->res[1]->id = rf_result_strdup(s->res[1], "PO-2026-0101/2", 14);
    s->res[1]->line = 2;
    rf_result_score(s->res[1]);
    s->res[2]->line = 7;
    rf_result_set_error(s->res[2], NULL, "invalid UTF-8 in field \"text\" at byte 112");
    sample_hostile(s->res[3]);
    *state = s;
    return 0;
}

/* Free the samples. */
static int teardown(void **state)
{
    sample *s = *state;
    for (int i = 0; i < 4; i++)
        rf_result_destroy(s->res[i]);
    free(s);
    return 0;
}

/* Write n results in format fmt (then finish) and return the output (free it). */
static char *render(rf_result **res, size_t n, rf_output fmt, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    rf_writer *w = NULL;
    assert_int_equal(rf_writer_create(&w, fp, fmt, flags), RF_OK);
    for (size_t i = 0; i < n; i++) {
        size_t before = len;
        assert_int_equal(rf_writer_write(w, res[i]), RF_OK);
        assert_true(fmt == RF_OUT_HTML ? len == 0 : len > before); /* flushed per record */
    }
    assert_int_equal(rf_writer_finish(w), RF_OK);
    rf_writer_destroy(w);
    fclose(fp);
    return buf;
}

/* Read a fixture from tests/fixtures/output/ (under $RF_SRCDIR when set). */
static char *fixture(const char *name)
{
    const char *dir = getenv("RF_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/output/%s", dir ? dir : ".", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open fixture %s", path);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* Compare output with a fixture; on mismatch keep the output in /tmp for diffing. */
static void expect_fixture(const char *out, const char *name)
{
    char *want = fixture(name);
    if (strcmp(out, want) != 0) {
        char path[256];
        snprintf(path, sizeof path, "/tmp/rf_actual_%s", name);
        FILE *fp = fopen(path, "wb");
        if (fp) {
            fputs(out, fp);
            fclose(fp);
        }
        fail_msg("output differs from fixture %s (actual saved in %s)", name, path);
    }
    free(want);
}

/* The jsonl line for a fixed result is exactly the contract shape. */
static void test_jsonl_exact(void **state)
{
    sample *s = *state;
    char *out = render(s->res, 3, RF_OUT_JSONL, 0);
    expect_fixture(out, "sample.jsonl");
    const char *first =
        "{\"id\":\"PO-2026-0101/1\",\"level\":\"critical\",\"score\":89,\"flags\":["
        "{\"rule\":\"goods.gloves_malaysia\",\"indicator\":\"high_risk_origin\","
        "\"severity\":\"high\",\"weight\":60,\"field\":\"item.description\","
        "\"evidence\":\"Nitrile examination gloves, powder-free, size M, boxes of 100\","
        "\"source\":\"US DOL List of Goods Produced by Child Labor or Forced Labor (Gloves, "
        "Malaysia)\",\"guideline\":\"OSCE-MG-2018:procurement\"},";
    assert_memory_equal(out, first, strlen(first));
    assert_non_null(strstr(out, "\"source\":\"Directive 2014/24/EU art. 69\"}],"));
    assert_non_null(strstr(out, "\"matches\":[{\"party\":\"manufacturer\",\"list\":\"us_uflpa\","
                                "\"entity\":\"uflpa-hoshine-silicon\",\"name\":\"Hoshine Silicon "
                                "Industry (Shanshan) Co., Ltd\",\"kind\":\"organisation\",\"score\":0.96,"
                                "\"outcome\":\"match\",\"why\":\"name 0.96 and the country CN\"}],"
                                "\"cached\":false}\n"));
    assert_non_null(strstr(out, "{\"id\":\"PO-2026-0101/2\",\"level\":\"none\",\"score\":0,"
                                "\"flags\":[],\"matches\":[],\"cached\":false}\n"));
    assert_non_null(strstr(out, "{\"id\":null,\"line\":7,\"error\":\"invalid UTF-8 in field "
                                "\\\"text\\\" at byte 112\"}\n"));
    free(out);
}

/* Member key of object o, which must be there with type t. */
static yajl_val member(yajl_val o, const char *key, yajl_type t)
{
    const char *path[] = {key, NULL};
    assert_non_null(o);
    yajl_val v = yajl_tree_get(o, path, t);
    if (!v)
        fail_msg("no member \"%s\" of type %d", key, (int)t);
    return v;
}

/* Element 0 of array a, which must not be empty. */
static yajl_val first(yajl_val a)
{
    assert_true(a->u.array.len > 0);
    return a->u.array.values[0];
}

static const char *const nasty[] = {
    "quote \" and backslash \\ and slash /",
    "new\nline\r\ttab\b\f",
    "ctrl \x01\x02\x1f\x7f end",
    "line sep \xe2\x80\xa8 para sep \xe2\x80\xa9.",
    "non-ASCII: \xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \xd0\x96",
    "",
    "\\u0000 looks like an escape",
};

/* Every string written comes back unchanged through a real JSON parser, and
 * each record stays on one line with no raw U+2028/U+2029. */
static void test_jsonl_roundtrip(void **state)
{
    (void)state;
    size_t n = sizeof nasty / sizeof nasty[0];
    for (size_t i = 0; i < n; i++) {
        rf_result *res = NULL;
        assert_int_equal(rf_result_create(&res), RF_OK);
        const char *s = nasty[i];
        res->id = rf_result_strdup(res, s, strlen(s));
        add_flag(res, s, s, RF_LEVEL_LOW, 5, s, s, s, s);
        rf_match m = {s, s, s, s, 0.9556, false, "person", "possible", s};
        assert_int_equal(rf_result_add_match(res, &m), RF_OK);
        char *out = render(&res, 1, RF_OUT_JSONL, 0);
        char *nl = strchr(out, '\n');
        assert_non_null(nl);
        assert_string_equal(nl, "\n");
        assert_null(strstr(out, "\xe2\x80\xa8"));
        assert_null(strstr(out, "\xe2\x80\xa9"));
        char err[256];
        yajl_val j = yajl_tree_parse(out, err, sizeof err);
        if (!j)
            fail_msg("yajl: %s in %s", err, out);
        yajl_val f = first(member(j, "flags", yajl_t_array));
        yajl_val mm = first(member(j, "matches", yajl_t_array));
        const char *keys[] = {"rule", "indicator", "field", "evidence", "source", "guideline"};
        assert_string_equal(member(j, "id", yajl_t_string)->u.string, s);
        for (size_t k = 0; k < 6; k++)
            assert_string_equal(member(f, keys[k], yajl_t_string)->u.string, s);
        assert_string_equal(member(mm, "name", yajl_t_string)->u.string, s);
        assert_string_equal(member(mm, "entity", yajl_t_string)->u.string, s);
        yajl_val score = member(mm, "score", yajl_t_number), w = member(f, "weight", yajl_t_number);
        assert_true(score->u.number.d == 0.956);
        assert_string_equal(w->u.number.r, "5");
        yajl_tree_free(j);
        free(out);
        rf_result_destroy(res);
    }
}

/* Invalid UTF-8 (a clipped evidence) still gives a valid line, with U+FFFD. */
static void test_jsonl_invalid_utf8(void **state)
{
    (void)state;
    rf_result *res = NULL;
    assert_int_equal(rf_result_create(&res), RF_OK);
    /* truncated sequence, byte never valid, encoded surrogate */
    const char *bad = "cut \xe4\xb8 \xff\xed\xa0\x80";
    res->id = rf_result_strdup(res, bad, strlen(bad));
    char *out = render(&res, 1, RF_OUT_JSONL, 0);
    yajl_val j = yajl_tree_parse(out, NULL, 0);
    assert_non_null(j);
    assert_string_equal(member(j, "id", yajl_t_string)->u.string,
                        "cut \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    yajl_tree_free(j);
    free(out);
    rf_result_destroy(res);
}

/* Match scores carry two or three decimals; guideline is left out when absent. */
static void test_jsonl_numbers(void **state)
{
    (void)state;
    rf_result *res = NULL;
    assert_int_equal(rf_result_create(&res), RF_OK);
    const double in[] = {1.0, 0.5, 0.955, 0.9549, 0.0};
    const char *want[] = {"\"score\":1.00,", "\"score\":0.50,", "\"score\":0.955,",
                          "\"score\":0.955,", "\"score\":0.00,"};
    for (size_t i = 0; i < 5; i++) {
        rf_match m = {"supplier", "l", "e", "n", in[i], false, NULL, NULL, NULL};
        assert_int_equal(rf_result_add_match(res, &m), RF_OK);
    }
    add_flag(res, "r", "i", RF_LEVEL_LOW, 5, "text", "ev", "src", NULL);
    char *out = render(&res, 1, RF_OUT_JSONL, 0);
    const char *p = out;
    for (size_t i = 0; i < 5; i++) {
        p = strstr(p, want[i]);
        assert_non_null(p);
    }
    assert_null(strstr(out, "guideline"));
    free(out);
    rf_result_destroy(res);
}

/* CSV: header once, joined cells, RFC 4180 quoting, formulas neutralised. */
static void test_csv(void **state)
{
    sample *s = *state;
    char *out = render(s->res, 4, RF_OUT_CSV, 0);
    expect_fixture(out, "sample.csv");
    const char *hdr = "id,line,level,score,indicators,rules,evidence,matches,error\r\n";
    assert_memory_equal(out, hdr, strlen(hdr));
    assert_null(strstr(out + 1, "id,line,level"));
    assert_non_null(strstr(out, "\r\nPO-2026-0101/1,1,critical,89,"
                                "high_risk_origin; identity_documents_retained; "
                                "abnormally_low_price,"));
    assert_non_null(strstr(out, "kept by the factory \"\"for safekeeping\"\" and"));
    assert_non_null(strstr(out, ",\"us_uflpa:Hoshine Silicon Industry (Shanshan) Co., Ltd "
                                "(organisation, 0.96)\",\r\n"));
    assert_non_null(strstr(out, "\r\n,7,,,,,,,\"invalid UTF-8 in field \"\"text\"\" at byte "
                                "112\"\r\n"));
    free(out);
}

/* Cells that a spreadsheet would run as formulas get a leading apostrophe,
 * the number columns do not; distinct indicators are listed once. */
static void test_csv_formula(void **state)
{
    (void)state;
    const char *starts[] = {"=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"};
    for (size_t i = 0; i < 6; i++) {
        rf_result *res = NULL;
        assert_int_equal(rf_result_create(&res), RF_OK);
        res->id = rf_result_strdup(res, starts[i], strlen(starts[i]));
        res->line = 3;
        add_flag(res, "r1", "debt_bondage", RF_LEVEL_HIGH, 60, "text", "a", "s", NULL);
        add_flag(res, "r2", "debt_bondage", RF_LEVEL_HIGH, 50, "text", "b", "s", NULL);
        rf_result_score(res);
        char *out = render(&res, 1, RF_OUT_CSV, 0);
        char *row = strstr(out, "\r\n") + 2;
        char want[128];
        bool q = starts[i][0] == '\r';
        snprintf(want, sizeof want, "%s'%s%s,3,high,60,debt_bondage,r1; r2,text: a | text: b,,\r\n",
                 q ? "\"" : "", starts[i], q ? "\"" : "");
        assert_string_equal(row, want);
        free(out);
        rf_result_destroy(res);
    }
}

/* The table, plain and coloured, matches the reviewed fixtures. */
static void test_table(void **state)
{
    sample *s = *state;
    char *plain = render(s->res, 4, RF_OUT_TABLE, 0);
    expect_fixture(plain, "table_plain.txt");
    assert_null(strchr(plain, '\x1b'));
    assert_null(strstr(plain, "\xc2\x9b"));
    assert_null(strchr(plain, '\r'));
    assert_non_null(strstr(plain, "4 records: 1 critical, 0 high, 0 medium, 1 low, 1 none, "
                                  "1 unreadable\n"));
    assert_non_null(strstr(plain, "line 7: error: invalid UTF-8"));
    assert_non_null(strstr(plain, "no indicators found"));
    char *colour = render(s->res, 4, RF_OUT_TABLE, RF_WRITER_COLOR);
    expect_fixture(colour, "table_color.txt");
    assert_non_null(strstr(colour, "\033[1;31mCRITICAL\033[0m"));
    assert_non_null(strstr(colour, "\033[32mNONE\033[0m"));
    free(plain);
    free(colour);
}

/* Wrapped table lines stay within 80 columns and never split a UTF-8 sequence. */
static void test_table_wrap(void **state)
{
    sample *s = *state;
    char *out = render(s->res, 4, RF_OUT_TABLE, 0);
    for (char *line = out, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        size_t cols = 0;
        for (char *p = line; p < end; p++)
            cols += ((unsigned char)*p & 0xC0) != 0x80;
        assert_true(cols <= 80);
        assert_true(((unsigned char)line[0] & 0xC0) != 0x80);
    }
    free(out);
}

/* The summary line of an empty run, and nothing at finish for jsonl and csv. */
static void test_finish(void **state)
{
    (void)state;
    char *out = render(NULL, 0, RF_OUT_TABLE, 0);
    assert_string_equal(out, "0 records: 0 critical, 0 high, 0 medium, 0 low, 0 none, "
                             "0 unreadable\n");
    free(out);
    out = render(NULL, 0, RF_OUT_JSONL, 0);
    assert_string_equal(out, "");
    free(out);
    out = render(NULL, 0, RF_OUT_CSV, 0);
    assert_string_equal(out, "");
    free(out);
}

/* A full disk is reported as RF_EIO by write (every line format) and finish (all). */
static void test_dev_full(void **state)
{
    sample *s = *state;
    for (int fmt = RF_OUT_JSONL; fmt <= RF_OUT_TABLE; fmt++) {
        FILE *fp = fopen("/dev/full", "w");
        if (!fp)
            skip();
        rf_writer *w = NULL;
        assert_int_equal(rf_writer_create(&w, fp, (rf_output)fmt, 0), RF_OK);
        assert_int_equal(rf_writer_write(w, s->res[0]), RF_EIO);
        if (fmt == RF_OUT_TABLE)
            assert_int_equal(rf_writer_finish(w), RF_EIO);
        rf_writer_destroy(w);
        fclose(fp);
    }
    FILE *fp = fopen("/dev/full", "w"); /* the report is written at the end */
    rf_writer *w = NULL;
    assert_non_null(fp);
    assert_int_equal(rf_writer_create(&w, fp, RF_OUT_HTML, 0), RF_OK);
    assert_int_equal(rf_writer_write(w, s->res[0]), RF_OK);
    assert_int_equal(rf_writer_finish(w), RF_EIO);
    rf_writer_destroy(w);
    fclose(fp);
}

/* The HTML report: one page, counts, records by level (the critical one
 * before the low one), the unreadable record, every text escaped. */
static void test_html(void **state)
{
    sample *s = *state;
    rf_result *order[] = {s->res[3], s->res[1], s->res[2], s->res[0]}; /* low first */
    s->res[0]->supplier = s->res[1]->supplier = s->res[3]->supplier = "Kelvane <Gloves>";
    s->res[0]->supplier_country = s->res[1]->supplier_country = "MY";
    char *out = render(order, 4, RF_OUT_HTML, 0);
    s->res[0]->supplier = s->res[1]->supplier = s->res[3]->supplier = NULL;
    s->res[0]->supplier_country = s->res[1]->supplier_country = NULL;
    /* two suppliers (the same name in two countries), most serious first */
    assert_non_null(strstr(out, "<p>2 suppliers named, 2 with at least one record with an "
                                "indicator.</p>"));
    const char *my = strstr(out, "<tr><td>Kelvane &lt;Gloves&gt;</td><td>MY</td>"
                                 "<td class=\"lvl-critical\">critical</td><td class=\"num\">"),
               *none = strstr(out, "<tr><td>Kelvane &lt;Gloves&gt;</td><td></td>"
                                   "<td class=\"lvl-low\">low</td>");
    assert_non_null(my);
    assert_non_null(none);
    assert_true(my < none);
    assert_non_null(strstr(my, "</td><td class=\"num\">1</td><td class=\"num\">2</td></tr>"));
    assert_non_null(strstr(out, " &middot; supplier Kelvane &lt;Gloves&gt; (MY)</p>"));
    assert_true(strncmp(out, "<!DOCTYPE html>\n<html", 21) == 0);
    assert_non_null(strstr(out, "</body></html>\n"));
    assert_non_null(strstr(out, "<td class=\"num\">4</td><td class=\"num\">1</td>"
                                "<td class=\"num\">0</td><td class=\"num\">0</td>"
                                "<td class=\"num\">1</td><td class=\"num\">1</td>"
                                "<td class=\"num\">1</td>"));
    const char *crit = strstr(out, "<section class=\"rec lvl-critical\"><h3>PO-2026-0101/1");
    const char *low = strstr(out, "<section class=\"rec lvl-low\">");
    assert_non_null(crit);
    assert_non_null(low);
    assert_true(crit < low);
    assert_null(strstr(out, "PO-2026-0101/2 <span")); /* the clean record is only counted */
    assert_non_null(strstr(out, "1 record with no indicator"));
    assert_non_null(strstr(out, "uflpa-hoshine-silicon"));
    assert_non_null(strstr(out, "invalid UTF-8 in field &quot;text&quot; at byte 112"));
    assert_non_null(strstr(out, "=HYPERLINK(&quot;x&quot;) [2J placement fee"));
    for (const char *p = out; *p; p++) /* no control characters but newlines */
        assert_true((unsigned char)*p >= 0x20 || *p == '\n');
    assert_null(strstr(out, "\xc2\x9b")); /* nor C1 controls (CSI) */
    free(out);
}

/* Bytes of fp's file that reached the operating system. */
static long file_bytes(FILE *fp)
{
    struct stat st;
    assert_int_equal(fstat(fileno(fp), &st), 0);
    return (long)st.st_size;
}

/* Every result is flushed by default; with the flush off it waits in the
 * stream's buffer until rf_writer_flush or finish; a full disk still fails. */
static void test_flush(void **state)
{
    sample *s = *state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    rf_writer *w = NULL;
    assert_int_equal(rf_writer_create(&w, fp, RF_OUT_JSONL, 0), RF_OK);
    assert_int_equal(rf_writer_write(w, s->res[1]), RF_OK);
    long one = file_bytes(fp);
    assert_true(one > 0);
    rf_writer_set_flush(w, false);
    assert_int_equal(rf_writer_write(w, s->res[1]), RF_OK);
    assert_int_equal(file_bytes(fp), one);
    assert_int_equal(rf_writer_flush(w), RF_OK);
    assert_int_equal(file_bytes(fp), 2 * one);
    assert_int_equal(rf_writer_write(w, s->res[1]), RF_OK);
    assert_int_equal(rf_writer_finish(w), RF_OK);
    assert_int_equal(file_bytes(fp), 3 * one);
    rf_writer_destroy(w);
    fclose(fp);
    fp = fopen("/dev/full", "w");
    if (!fp)
        skip();
    assert_int_equal(rf_writer_create(&w, fp, RF_OUT_JSONL, 0), RF_OK);
    rf_writer_set_flush(w, false);
    int rc = RF_OK;
    for (int i = 0; i < 10000 && rc == RF_OK; i++)
        rc = rf_writer_write(w, s->res[0]); /* fails once the buffer is written out */
    assert_int_equal(rc, RF_EIO);
    assert_int_equal(rf_writer_finish(w), RF_EIO);
    rf_writer_destroy(w);
    fclose(fp);
}

/* Format names and bad arguments. */
static void test_parse_and_args(void **state)
{
    (void)state;
    assert_int_equal(rf_output_parse("jsonl"), RF_OUT_JSONL);
    assert_int_equal(rf_output_parse("csv"), RF_OUT_CSV);
    assert_int_equal(rf_output_parse("table"), RF_OUT_TABLE);
    assert_int_equal(rf_output_parse("xml"), -1);
    assert_int_equal(rf_output_parse(NULL), -1);
    rf_writer *w = NULL;
    assert_int_equal(rf_writer_create(&w, NULL, RF_OUT_JSONL, 0), RF_EINVAL);
    assert_int_equal(rf_writer_create(&w, stdout, (rf_output)7, 0), RF_EINVAL);
    rf_writer_destroy(NULL);
}

/* Run the writer tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jsonl_exact, setup, teardown),
        cmocka_unit_test(test_jsonl_roundtrip),
        cmocka_unit_test(test_jsonl_invalid_utf8),
        cmocka_unit_test(test_jsonl_numbers),
        cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
        cmocka_unit_test(test_csv_formula),
        cmocka_unit_test_setup_teardown(test_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_wrap, setup, teardown),
        cmocka_unit_test(test_finish),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dev_full, setup, teardown),
        cmocka_unit_test(test_parse_and_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
