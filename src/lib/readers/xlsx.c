/* XLSX reader: one worksheet of an Office Open XML workbook, read like CSV
 * (its first non-empty row the header, the same column mapping, one record a
 * row). libzip opens the container (from the file itself when it can seek,
 * else from memory, bounded by RF_MAX_DOC_BYTES); the worksheet is streamed
 * through libxml2's xmlTextReader, one row at a time, never whole in memory.
 * The shared strings and the cell styles (to tell dates from numbers) are
 * read first. Numbers are given as stored ("1235.07"), dates as ISO 8601,
 * booleans as true/false; a record's line is its row number. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <zip.h>
#include "reader_int.h"

#define XLSX_MAX_PART (64u << 20)   /* workbook.xml, styles.xml: read whole */

typedef struct xlsx_state {
    zip_t *za;
    char *sheet_path;               /* "xl/worksheets/sheet1.xml" */
    char *ss;                       /* shared strings, NUL-separated */
    size_t sslen, sscap, *ssoff, nss, ssoffcap;
    unsigned char *isdate;          /* per cellXfs index: a date format */
    size_t nxf;
    bool date1904;
    zip_file_t *zf;
    xmlTextReaderPtr xr;
    bool opened, failed, done;
    long rowno;                     /* the row being read */
} xlsx_state;

/* xmlTextReader input callback: read from a zip entry. */
static int zip_read_cb(void *ctx, char *buf, int len)
{
    zip_int64_t n = zip_fread((zip_file_t *)ctx, buf, (zip_uint64_t)len);
    return n < 0 ? -1 : (int)n;
}

/* xmlTextReader close callback: the entry is closed by xlsx_close. */
static int zip_close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Read a whole (small) part into a fresh buffer; NULL when absent or too big. */
static char *read_part(xlsx_state *x, const char *name, size_t *len)
{
    zip_stat_t st;
    if (zip_stat(x->za, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        st.size > XLSX_MAX_PART)
        return NULL;
    zip_file_t *f = zip_fopen(x->za, name, 0);
    char *buf = f ? malloc(st.size + 1) : NULL;
    zip_int64_t n = buf ? zip_fread(f, buf, st.size) : -1;
    if (f)
        zip_fclose(f);
    if (n < 0 || (zip_uint64_t)n != st.size) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Parse a whole small part as XML (no network, no entities); NULL on failure. */
static xmlDocPtr parse_part(xlsx_state *x, const char *name)
{
    size_t len;
    char *buf = read_part(x, name, &len);
    if (!buf || len > INT32_MAX) {
        free(buf);
        return NULL;
    }
    xmlDocPtr d = xmlReadMemory(buf, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
    free(buf);
    return d;
}

/* An attribute by local name, whatever its namespace (caller frees). */
static char *attr(xmlNodePtr n, const char *local)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        if (strcmp((const char *)a->name, local) == 0) {
            xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
            char *s = v ? strdup((const char *)v) : NULL;
            xmlFree(v);
            return s;
        }
    return NULL;
}

/* True when n is an element with local name local. */
static bool is(xmlNodePtr n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

/* The workbook's sheet relationship id for the wanted sheet (first, or by name). */
static int find_sheet(rf_reader *r, xlsx_state *x, char **rid)
{
    xmlDocPtr d = parse_part(x, "xl/workbook.xml");
    if (!d)
        return reader_fail(r, "not an XLSX workbook: no readable xl/workbook.xml");
    xmlNodePtr root = xmlDocGetRootElement(d);
    *rid = NULL;
    for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next) {
        if (is(n, "workbookPr")) {
            char *v = attr(n, "date1904");
            x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
            free(v);
        }
        for (xmlNodePtr s = is(n, "sheets") ? n->children : NULL; s && !*rid; s = s->next) {
            if (!is(s, "sheet"))
                continue;
            char *name = attr(s, "name");
            if (!r->sheet || (name && strcmp(name, r->sheet) == 0))
                *rid = attr(s, "id");
            free(name);
        }
    }
    xmlFreeDoc(d);
    if (!*rid && r->sheet)
        return reader_fail(r, "the workbook has no sheet named '%.100s'", r->sheet);
    return *rid ? RF_OK : reader_fail(r, "the workbook has no sheet");
}

/* The worksheet's part name from the workbook's relationships. */
static int sheet_target(rf_reader *r, xlsx_state *x, const char *rid)
{
    xmlDocPtr d = parse_part(x, "xl/_rels/workbook.xml.rels");
    xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL;
    for (xmlNodePtr n = root ? root->children : NULL; n && !x->sheet_path; n = n->next) {
        char *id = is(n, "Relationship") ? attr(n, "Id") : NULL;
        char *t = id && strcmp(id, rid) == 0 ? attr(n, "Target") : NULL;
        if (t) {
            size_t need = strlen(t) + 4;
            if ((x->sheet_path = malloc(need)))
                snprintf(x->sheet_path, need, "%s%s", t[0] == '/' ? "" : "xl/",
                         t[0] == '/' ? t + 1 : t);
        }
        free(id);
        free(t);
    }
    xmlFreeDoc(d);
    return x->sheet_path ? RF_OK
                         : reader_fail(r, "the workbook names no part for its sheet %s", rid);
}

/* Append a shared string (or a piece of one) to x->ss. */
static bool ss_add(xlsx_state *x, const char *s, size_t n)
{
    if (x->sslen + n + 1 > RF_MAX_DOC_BYTES)
        return false;
    if (x->sslen + n + 1 > x->sscap) {
        size_t c = x->sscap ? x->sscap : 4096;
        while (c < x->sslen + n + 1)
            c *= 2;
        char *p = realloc(x->ss, c);
        if (!p)
            return false;
        x->ss = p;
        x->sscap = c;
    }
    memcpy(x->ss + x->sslen, s, n);
    x->sslen += n;
    return true;
}

/* Close the current shared string and record where the next starts. */
static bool ss_end(xlsx_state *x)
{
    if (!ss_add(x, "", 0))
        return false;
    x->ss[x->sslen++] = '\0';
    if (x->nss + 1 >= x->ssoffcap) {
        size_t c = x->ssoffcap ? x->ssoffcap * 2 : 256;
        size_t *p = realloc(x->ssoff, c * sizeof *p);
        if (!p)
            return false;
        x->ssoff = p;
        x->ssoffcap = c;
    }
    x->ssoff[++x->nss] = x->sslen;
    return true;
}

/* Stream xl/sharedStrings.xml: the text of each <si>, phonetic runs left out. */
static int load_shared(rf_reader *r, xlsx_state *x)
{
    if (!(x->ssoff = malloc(256 * sizeof *x->ssoff)))
        return RF_ENOMEM;
    x->ssoffcap = 256;
    x->ssoff[0] = 0;
    zip_file_t *f = zip_fopen(x->za, "xl/sharedStrings.xml", 0);
    if (!f)
        return RF_OK;   /* a workbook without text cells */
    xmlTextReaderPtr xr = xmlReaderForIO(zip_read_cb, zip_close_cb, f, "sharedStrings.xml",
                                         NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                         XML_PARSE_NOWARNING);
    int ok = xr ? 1 : -1, rph = 0;
    bool good = true;
    while (good && xr && (ok = xmlTextReaderRead(xr)) == 1) {
        int type = xmlTextReaderNodeType(xr);
        const char *name = (const char *)xmlTextReaderConstLocalName(xr);
        bool empty = xmlTextReaderIsEmptyElement(xr);
        if (type == XML_READER_TYPE_ELEMENT && strcmp(name, "rPh") == 0 && !empty)
            rph++;
        else if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, "rPh") == 0)
            rph--;
        else if (type == XML_READER_TYPE_ELEMENT && strcmp(name, "t") == 0 && !rph && !empty) {
            xmlChar *t = xmlTextReaderReadString(xr);
            good = ss_add(x, t ? (const char *)t : "", t ? strlen((const char *)t) : 0);
            xmlFree(t);
        } else if ((type == XML_READER_TYPE_END_ELEMENT ||
                    (type == XML_READER_TYPE_ELEMENT && empty)) && strcmp(name, "si") == 0)
            good = ss_end(x);
    }
    if (xr)
        xmlFreeTextReader(xr);
    zip_fclose(f);
    if (!good || ok != 0)
        return reader_fail(r, "xl/sharedStrings.xml: %s", good ? "malformed XML"
                           : "shared strings larger than the document limit");
    return RF_OK;
}

/* True when an Excel number format code shows a date (d or y outside quotes,
 * brackets and escapes). */
static bool date_code(const char *f)
{
    bool q = false;
    for (int br = 0; *f; f++) {
        if (*f == '"')
            q = !q;
        else if (q)
            continue;
        else if (*f == '\\' && f[1])
            f++;
        else if (*f == '[')
            br++;
        else if (*f == ']' && br)
            br--;
        else if (!br && strchr("dDyY", *f))
            return true;
    }
    return false;
}

/* Whether a number format id is a date: built-in ids, or a custom code. */
static bool date_fmt(xmlNodePtr numfmts, long id)
{
    if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return true;
    for (xmlNodePtr n = numfmts ? numfmts->children : NULL; n; n = n->next) {
        char *v = is(n, "numFmt") ? attr(n, "numFmtId") : NULL;
        char *code = v && atol(v) == id ? attr(n, "formatCode") : NULL;
        bool d = code && date_code(code);
        free(v);
        free(code);
        if (d)
            return true;
    }
    return false;
}

/* Read xl/styles.xml: which cell formats (cellXfs) show dates. */
static int load_styles(xlsx_state *x)
{
    xmlDocPtr d = parse_part(x, "xl/styles.xml");
    xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL, numfmts = NULL, xfs = NULL;
    for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next) {
        if (is(n, "numFmts"))
            numfmts = n;
        if (is(n, "cellXfs"))
            xfs = n;
    }
    size_t k = 0;
    for (xmlNodePtr n = xfs ? xfs->children : NULL; n; n = n->next)
        k += is(n, "xf");
    if (k && !(x->isdate = calloc(k, 1))) {
        xmlFreeDoc(d);
        return RF_ENOMEM;
    }
    x->nxf = k;
    k = 0;
    for (xmlNodePtr n = xfs ? xfs->children : NULL; n; n = n->next) {
        if (!is(n, "xf"))
            continue;
        char *v = attr(n, "numFmtId");
        x->isdate[k++] = v && date_fmt(numfmts, atol(v));
        free(v);
    }
    xmlFreeDoc(d);
    return RF_OK;
}

/* Open the container: from the file descriptor when it seeks, else from memory. */
static int open_zip(rf_reader *r, xlsx_state *x)
{
    zip_error_t ze;
    int fd = fileno(r->fp), err = 0;
    if (fd >= 0 && lseek(fd, 0, SEEK_SET) == 0) {
        int dupfd = dup(fd);
        if (dupfd >= 0 && !(x->za = zip_fdopen(dupfd, 0, &err)))
            close(dupfd);
    } else {
        size_t cap = 1 << 16, len = 0, n;
        char *buf = malloc(cap);
        while (buf && (n = fread(buf + len, 1, cap - len, r->fp)) > 0) {
            len += n;
            if (len == cap && cap >= RF_MAX_DOC_BYTES) {
                free(buf);
                return reader_fail(r, "workbook larger than %u bytes", RF_MAX_DOC_BYTES);
            }
            char *p = len == cap ? realloc(buf, cap * 2) : buf;
            if (!p)
                free(buf);
            cap = len == cap ? cap * 2 : cap;
            buf = p;
        }
        if (!buf)
            return RF_ENOMEM;
        if (len < 22) {   /* shorter than a zip's end record (libzip would not own buf) */
            free(buf);
            return reader_fail(r, "not a readable XLSX workbook: %zu bytes", len);
        }
        zip_error_init(&ze);
        zip_source_t *src = zip_source_buffer_create(buf, len, 1, &ze);
        if (!src)
            free(buf);
        else if (!(x->za = zip_open_from_source(src, ZIP_RDONLY, &ze)))
            zip_source_free(src);
        err = zip_error_code_zip(&ze);
        zip_error_fini(&ze);
    }
    if (x->za)
        return RF_OK;
    zip_error_init_with_code(&ze, err);
    int rc = reader_fail(r, "not a readable XLSX workbook: %s", zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return rc;
}

/* Open the workbook and start streaming its sheet. */
static int xlsx_open(rf_reader *r)
{
    xlsx_state *x = calloc(1, sizeof *x);
    if (!x)
        return RF_ENOMEM;
    r->xlsx = x;
    x->opened = true;
    char *rid = NULL;
    int rc = open_zip(r, x);
    if (rc == RF_OK)
        rc = find_sheet(r, x, &rid);
    if (rc == RF_OK)
        rc = sheet_target(r, x, rid);
    free(rid);
    if (rc == RF_OK)
        rc = load_shared(r, x);
    if (rc == RF_OK)
        rc = load_styles(x);
    if (rc == RF_OK && !(x->zf = zip_fopen(x->za, x->sheet_path, 0)))
        rc = reader_fail(r, "the workbook has no part %s", x->sheet_path);
    if (rc == RF_OK && !(x->xr = xmlReaderForIO(zip_read_cb, zip_close_cb, x->zf,
                                                x->sheet_path, NULL, XML_PARSE_NONET |
                                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING)))
        rc = RF_ENOMEM;
    return rc;
}

/* Free the workbook state. */
void xlsx_close(rf_reader *r)
{
    xlsx_state *x = r->xlsx;
    if (!x)
        return;
    if (x->xr)
        xmlFreeTextReader(x->xr);
    if (x->zf)
        zip_fclose(x->zf);
    if (x->za)
        zip_discard(x->za);
    free(x->sheet_path);
    free(x->ss);
    free(x->ssoff);
    free(x->isdate);
    free(x);
    r->xlsx = NULL;
}

/* Column number (0-based) of a cell reference such as "AB12"; -1 if none. */
static long ref_col(const char *ref)
{
    long c = 0;
    size_t i = 0;
    for (; ref && ref[i] >= 'A' && ref[i] <= 'Z' && i < 4; i++)
        c = c * 26 + (ref[i] - 'A' + 1);
    return i ? c - 1 : -1;
}

/* A date serial as ISO 8601 (date, and the time when it has one). */
static void serial_date(double v, bool d1904, char *out, size_t outlen)
{
    long days = (long)v;
    long secs = (long)((v - (double)days) * 86400.0 + 0.5);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    /* days from 1970-01-01: 1900 system counts from 1899-12-30 (after its
     * fictitious 1900-02-29), 1904 system from 1904-01-01 */
    long z = days + (d1904 ? 24107 : days < 61 ? -25568 : -25569) + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    if (secs)
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, (int)m, (int)d,
                 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    else
        snprintf(out, outlen, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

/* A cell's value text, by its type and style; *bad set for a bad index. */
static const char *cell_value(xlsx_state *x, const char *t, const char *s, const char *v,
                              char *tmp, size_t tmplen, bool *bad)
{
    *bad = false;
    if (t && strcmp(t, "s") == 0) {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (*v == '\0' || *end || i >= x->nss) {
            *bad = true;
            return "";
        }
        return x->ss + x->ssoff[i];
    }
    if (t && strcmp(t, "b") == 0)
        return strcmp(v, "1") == 0 ? "true" : strcmp(v, "0") == 0 ? "false" : v;
    unsigned long si = s ? strtoul(s, NULL, 10) : 0;
    if ((!t || strcmp(t, "n") == 0) && s && si < x->nxf && x->isdate[si] && *v) {
        char *end;
        double d = strtod(v, &end);
        if (!*end && d >= 0 && d < 2958466) {  /* up to 9999-12-31 */
            serial_date(d, x->date1904, tmp, tmplen);
            return tmp;
        }
    }
    return v;
}

/* Append text of the current element to a growing buffer (bounded). */
static bool take_text(xmlTextReaderPtr xr, gbuf *b)
{
    xmlChar *t = xmlTextReaderReadString(xr);
    if (t && b->len + strlen((const char *)t) > RF_MAX_RECORD_BYTES) {
        xmlFree(t);
        return false;
    }
    doc_buf_add(b, "", t ? (const char *)t : "");
    xmlFree(t);
    return !b->oom;
}

/* Read the <c> element at the reader: its value into the row, with empty
 * cells for skipped columns. *ncell: the next column. */
static int read_cell(rf_reader *r, xlsx_state *x, long *ncell, size_t *rowbytes, bool *bad)
{
    xmlTextReaderPtr xr = x->xr;
    char *ref = (char *)xmlTextReaderGetAttribute(xr, BAD_CAST "r");
    char *t = (char *)xmlTextReaderGetAttribute(xr, BAD_CAST "t");
    char *s = (char *)xmlTextReaderGetAttribute(xr, BAD_CAST "s");
    long col = ref_col(ref);
    gbuf b = {0};
    bool ok = true, any = false;
    if (!xmlTextReaderIsEmptyElement(xr)) {
        int depth = xmlTextReaderDepth(xr), rph = 0, rc;
        while (ok && (rc = xmlTextReaderRead(xr)) == 1 && xmlTextReaderDepth(xr) > depth) {
            int type = xmlTextReaderNodeType(xr);
            const char *name = (const char *)xmlTextReaderConstLocalName(xr);
            if (type == XML_READER_TYPE_ELEMENT && strcmp(name, "rPh") == 0 &&
                !xmlTextReaderIsEmptyElement(xr))
                rph++;
            else if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, "rPh") == 0)
                rph--;
            else if (type == XML_READER_TYPE_ELEMENT && !rph &&
                     (strcmp(name, "v") == 0 || strcmp(name, "t") == 0)) {
                ok = take_text(xr, &b);
                any = true;
            }
        }
        if (ok && rc != 1) {
            ok = false;
            *bad = true;
        }
    }
    char tmp[80];
    bool badidx = false;
    const char *v = any ? cell_value(x, t, s, b.p ? b.p : "", tmp, sizeof tmp, &badidx) : "";
    size_t vlen = strlen(v);
    int rc = RF_OK;
    if (badidx && !r->csv.row_err[0])
        snprintf(r->csv.row_err, sizeof r->csv.row_err, "cell %.20s: no shared string %.20s",
                 ref ? ref : "?", b.p ? b.p : "");
    if (col < 0)
        col = *ncell;
    if (!ok && !*bad)
        rc = reader_fail(r, "record longer than %u bytes", RF_MAX_RECORD_BYTES);
    else if (vlen && col >= *ncell && col < 16384) {
        *rowbytes += vlen;
        if (*rowbytes > RF_MAX_RECORD_BYTES)
            rc = reader_fail(r, "record longer than %u bytes", RF_MAX_RECORD_BYTES);
        for (; rc == RF_OK && *ncell < col; (*ncell)++)
            csv_cell(r, "", 0);
        if (rc == RF_OK) {
            csv_cell(r, v, vlen);
            (*ncell)++;
        }
    }
    free(b.p);
    xmlFree(ref);
    xmlFree(t);
    xmlFree(s);
    return b.oom ? RF_ENOMEM : rc;
}

/* Read the rest of the <row> element at the reader into the CSV row. */
static int read_row(rf_reader *r, xlsx_state *x, bool *bad)
{
    xmlTextReaderPtr xr = x->xr;
    char *rn = (char *)xmlTextReaderGetAttribute(xr, BAD_CAST "r");
    x->rowno = rn ? atol(rn) : x->rowno + 1;
    xmlFree(rn);
    long ncell = 0;
    size_t rowbytes = 0;
    int rc = RF_OK;
    if (xmlTextReaderIsEmptyElement(xr))
        return RF_OK;
    int depth = xmlTextReaderDepth(xr), got;
    while ((got = xmlTextReaderRead(xr)) == 1 && xmlTextReaderDepth(xr) > depth) {
        if (xmlTextReaderNodeType(xr) == XML_READER_TYPE_ELEMENT &&
            strcmp((const char *)xmlTextReaderConstLocalName(xr), "c") == 0) {
            int c = read_cell(r, x, &ncell, &rowbytes, bad);
            if (rc == RF_OK)
                rc = c;
            if (*bad || c == RF_ENOMEM)
                return c == RF_ENOMEM ? c : RF_OK;
        }
    }
    if (got != 1)
        *bad = true;
    return rc;
}

/* Next record: the next non-empty row after the header row. */
int xlsx_next(rf_reader *r, rf_record *rec)
{
    if (!r->xlsx) {
        int rc = xlsx_open(r);
        if (rc != RF_OK) {
            if (r->xlsx)
                r->xlsx->failed = true;
            rf_record_set_origin(rec, r->name, 1);
            return rc;
        }
    }
    xlsx_state *x = r->xlsx;
    if (x->failed || x->done)
        return RF_EOF;
    int got;
    while ((got = xmlTextReaderRead(x->xr)) == 1) {
        if (xmlTextReaderNodeType(x->xr) != XML_READER_TYPE_ELEMENT ||
            strcmp((const char *)xmlTextReaderConstLocalName(x->xr), "row") != 0)
            continue;
        bool bad = false, header;
        int rc = read_row(r, x, &bad);
        if (bad) {
            x->failed = true;
            rf_record_set_origin(rec, r->name, x->rowno);
            return reader_fail(r, "%s: malformed XML in row %ld", x->sheet_path, x->rowno);
        }
        if (rc == RF_ENOMEM)
            return rc;
        if (r->csv.nf == 0 && rc == RF_OK)
            continue;   /* an empty row */
        for (size_t n = csv_ncols(r); rc == RF_OK && r->csv.nf < n;)
            csv_cell(r, "", 0);    /* trailing empty cells are not stored */
        if (rc != RF_OK) {
            r->csv.nf = r->csv.dlen = 0;
            r->csv.row_err[0] = '\0';
            rf_record_set_origin(rec, r->name, x->rowno);
            return rc;
        }
        rc = csv_row(r, rec, x->rowno, &header);
        if (rc == RF_OK && header)
            continue;
        return rc;
    }
    x->done = true;
    if (got != 0) {
        rf_record_set_origin(rec, r->name, x->rowno + 1);
        return reader_fail(r, "%s: malformed XML after row %ld", x->sheet_path, x->rowno);
    }
    return RF_EOF;
}

/* Office Open XML workbooks: one sheet, columns as in CSV. */
const reader_ops reader_xlsx = {.names = "xlsx excel", .fmt = RF_FMT_XLSX, .next = xlsx_next,
                                .what = "an XLSX workbook", .units = "rows"};
