/* CSV reader: a header row names the columns; each later row is a record.
 *
 * libcsv is fed one physical line at a time, so a row is returned as soon as
 * its last line arrives; a quoted field may span lines. Columns map to fields
 * by --map pairs first, then by canonical names and common spellings compared
 * after lower-casing and dropping everything but letters and digits. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "reader_int.h"

/* A common header spelling (normalised) and the field it means. */
typedef struct alias {
    const char *name;
    rf_field f;
} alias;

static const alias aliases[] = {
    {"id", RF_F_ID}, {"recordid", RF_F_ID}, {"ponumber", RF_F_ID}, {"orderid", RF_F_ID},
    {"ordernumber", RF_F_ID}, {"purchaseorder", RF_F_ID}, {"lineid", RF_F_ID},
    {"tenderid", RF_F_ID}, {"contractid", RF_F_ID}, {"supplierid", RF_F_ID},
    {"vendorid", RF_F_ID}, {"supplierno", RF_F_ID}, {"vendorno", RF_F_ID},
    {"suppliernumber", RF_F_ID}, {"vendornumber", RF_F_ID},
    {"supplier", RF_F_SUPPLIER_NAME}, {"vendor", RF_F_SUPPLIER_NAME},
    {"vendorname", RF_F_SUPPLIER_NAME}, {"seller", RF_F_SUPPLIER_NAME},
    {"sellername", RF_F_SUPPLIER_NAME}, {"contractor", RF_F_SUPPLIER_NAME},
    {"contractorname", RF_F_SUPPLIER_NAME}, {"company", RF_F_SUPPLIER_NAME},
    {"companyname", RF_F_SUPPLIER_NAME}, {"name", RF_F_SUPPLIER_NAME},
    {"suppliercountry", RF_F_SUPPLIER_COUNTRY}, {"vendorcountry", RF_F_SUPPLIER_COUNTRY},
    {"sellercountry", RF_F_SUPPLIER_COUNTRY}, {"country", RF_F_SUPPLIER_COUNTRY},
    {"address", RF_F_SUPPLIER_ADDRESS}, {"vendoraddress", RF_F_SUPPLIER_ADDRESS},
    {"supplierremarks", RF_F_SUPPLIER_NOTES}, {"vendornotes", RF_F_SUPPLIER_NOTES},
    {"lei", RF_F_SUPPLIER_LEI}, {"leicode", RF_F_SUPPLIER_LEI},
    {"duns", RF_F_SUPPLIER_DUNS}, {"dunsnumber", RF_F_SUPPLIER_DUNS},
    {"vat", RF_F_SUPPLIER_VAT}, {"vatnumber", RF_F_SUPPLIER_VAT}, {"vatid", RF_F_SUPPLIER_VAT},
    {"taxid", RF_F_SUPPLIER_VAT}, {"taxnumber", RF_F_SUPPLIER_VAT}, {"tin", RF_F_SUPPLIER_VAT},
    {"gln", RF_F_SUPPLIER_GLN},
    {"manufacturer", RF_F_MANUFACTURER_NAME}, {"maker", RF_F_MANUFACTURER_NAME},
    {"producer", RF_F_MANUFACTURER_NAME},
    {"subcontractor", RF_F_SUBCONTRACTOR_NAME}, {"subcontractors", RF_F_SUBCONTRACTOR_NAME},
    {"subcontractornames", RF_F_SUBCONTRACTOR_NAME},
    {"subcontractorcountries", RF_F_SUBCONTRACTOR_COUNTRY},
    {"description", RF_F_ITEM_DESCRIPTION}, {"item", RF_F_ITEM_DESCRIPTION},
    {"goods", RF_F_ITEM_DESCRIPTION}, {"product", RF_F_ITEM_DESCRIPTION},
    {"productdescription", RF_F_ITEM_DESCRIPTION}, {"itemname", RF_F_ITEM_DESCRIPTION},
    {"productname", RF_F_ITEM_DESCRIPTION}, {"commodity", RF_F_ITEM_DESCRIPTION},
    {"cpvcode", RF_F_ITEM_CPV}, {"hscode", RF_F_ITEM_HS}, {"tariffcode", RF_F_ITEM_HS},
    {"hts", RF_F_ITEM_HS}, {"htscode", RF_F_ITEM_HS},
    {"countryoforigin", RF_F_ITEM_ORIGIN}, {"origincountry", RF_F_ITEM_ORIGIN},
    {"countryofmanufacture", RF_F_ITEM_ORIGIN},
    {"qty", RF_F_ITEM_QUANTITY},
    {"price", RF_F_ITEM_UNIT_PRICE}, {"unitcost", RF_F_ITEM_UNIT_PRICE},
    {"priceperunit", RF_F_ITEM_UNIT_PRICE},
    {"estimate", RF_F_ITEM_REFERENCE_PRICE}, {"estimatedunitprice", RF_F_ITEM_REFERENCE_PRICE},
    {"estimatedprice", RF_F_ITEM_REFERENCE_PRICE}, {"benchmarkprice", RF_F_ITEM_REFERENCE_PRICE},
    {"marketprice", RF_F_ITEM_REFERENCE_PRICE},
    {"value", RF_F_CONTRACT_VALUE}, {"totalvalue", RF_F_CONTRACT_VALUE},
    {"valueabroad", RF_F_CONTRACT_VALUE_ABROAD},
    {"performancecountry", RF_F_CONTRACT_PERFORMANCE_COUNTRY},
    {"placeofperformance", RF_F_CONTRACT_PERFORMANCE_COUNTRY},
    {"complianceplan", RF_F_CONTRACT_COMPLIANCE_PLAN},
    {"notes", RF_F_TEXT}, {"note", RF_F_TEXT}, {"comments", RF_F_TEXT}, {"comment", RF_F_TEXT},
    {"remarks", RF_F_TEXT}, {"declaration", RF_F_TEXT},
    /* German and French headers of office exports (accents dropped by norm) */
    {"lieferant", RF_F_SUPPLIER_NAME}, {"lieferantenname", RF_F_SUPPLIER_NAME},
    {"firma", RF_F_SUPPLIER_NAME}, {"land", RF_F_SUPPLIER_COUNTRY},
    {"ursprungsland", RF_F_ITEM_ORIGIN}, {"herkunftsland", RF_F_ITEM_ORIGIN},
    {"artikel", RF_F_ITEM_DESCRIPTION}, {"beschreibung", RF_F_ITEM_DESCRIPTION},
    {"einzelpreis", RF_F_ITEM_UNIT_PRICE}, {"stckpreis", RF_F_ITEM_UNIT_PRICE},
    {"menge", RF_F_ITEM_QUANTITY}, {"auftragswert", RF_F_CONTRACT_VALUE},
    {"bemerkungen", RF_F_TEXT}, {"bemerkung", RF_F_TEXT},
    {"fournisseur", RF_F_SUPPLIER_NAME}, {"pays", RF_F_SUPPLIER_COUNTRY},
    {"paysdorigine", RF_F_ITEM_ORIGIN}, {"dsignation", RF_F_ITEM_DESCRIPTION},
    {"designation", RF_F_ITEM_DESCRIPTION}, {"prixunitaire", RF_F_ITEM_UNIT_PRICE},
    {"quantit", RF_F_ITEM_QUANTITY}, {"quantite", RF_F_ITEM_QUANTITY},
    {"montantdumarch", RF_F_CONTRACT_VALUE}, {"montantdumarche", RF_F_CONTRACT_VALUE},
    {"remarques", RF_F_TEXT}, {"observations", RF_F_TEXT},
};

#define NALIASES (sizeof aliases / sizeof aliases[0])

/* Lower-case s keeping only ASCII letters and digits (out holds outlen bytes). */
static void norm(const char *s, size_t len, char *out, size_t outlen)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < outlen; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
            out[k++] = (char)(ch + 32);
        else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[k++] = ch;
    }
    out[k] = '\0';
}

/* The field a normalised name means by its canonical path or column, or -1. */
static int canonical(const char *key)
{
    char a[64], b[64];
    for (int f = 0; f < RF_F_COUNT; f++) {
        const rf_field_info *fi = rf_field_get((rf_field)f);
        norm(fi->path, strlen(fi->path), a, sizeof a);
        norm(fi->column, strlen(fi->column), b, sizeof b);
        if (strcmp(key, a) == 0 || strcmp(key, b) == 0)
            return f;
    }
    return -1;
}

/* The field a header text means: canonical name, then alias; -1 when none. */
static int header_field(const char *text)
{
    char key[128];
    norm(text, strlen(text), key, sizeof key);
    if (!key[0])
        return -1;
    int f = canonical(key);
    for (size_t i = 0; f < 0 && i < NALIASES; i++)
        if (strcmp(key, aliases[i].name) == 0)
            f = (int)aliases[i].f;
    return f;
}

/* The field named by the FIELD part of a --map pair, or -1. */
static int map_field(const char *pair, size_t flen)
{
    char buf[128], key[128];
    if (flen == 0 || flen >= sizeof buf)
        return -1;
    memcpy(buf, pair, flen);
    buf[flen] = '\0';
    int f = rf_field_lookup(buf);
    if (f >= 0)
        return f;
    norm(buf, flen, key, sizeof key);
    return key[0] ? canonical(key) : -1;
}

/* Validate one --map pair. */
int csv_check_map(const char *pair, char *err, size_t errlen)
{
    const char *eq = pair ? strchr(pair, '=') : NULL;
    if (!eq || eq[1] == '\0') {
        snprintf(err, errlen, "--map '%s': expected FIELD=COLUMN", pair ? pair : "");
        return RF_EINVAL;
    }
    if (map_field(pair, (size_t)(eq - pair)) < 0) {
        snprintf(err, errlen, "--map '%s': unknown field '%.*s' (use a path such as "
                 "item.unit_price or a column such as supplier_name)", pair,
                 (int)(eq - pair), pair);
        return RF_EINVAL;
    }
    return RF_OK;
}

/* Accept only LF as a record terminator; CR is stripped from line ends. */
static int is_term(unsigned char c)
{
    return c == '\n';
}

/* Prepare the CSV state. */
int csv_open(rf_reader *r, const rf_csv_map *map)
{
    csv_state *c = &r->csv;
    if (csv_init(&c->p, 0) != 0)
        return RF_ENOMEM;
    c->p_ready = true;
    csv_set_term_func(&c->p, is_term);
    if (map) {
        c->map_pairs = map->pairs;
        c->nmap = map->npairs;
    }
    return RF_OK;
}

/* Release the CSV state. */
void csv_close(rf_reader *r)
{
    csv_state *c = &r->csv;
    if (c->p_ready)
        csv_free(&c->p);
    free(c->data);
    free(c->off);
    free(c->cols);
    free(c->names);
}

/* Grow a byte or offset buffer geometrically. */
static bool reserve(void **buf, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(*buf, n * sz);
    if (!p)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

/* libcsv field callback: append the field to the current row. */
static void on_field(void *s, size_t len, void *data)
{
    rf_reader *r = data;
    csv_state *c = &r->csv;
    if (!reserve((void **)&c->off, &c->fcap, c->nf + 2, sizeof *c->off) ||
        !reserve((void **)&c->data, &c->dcap, c->dlen + len + 1, 1)) {
        if (!c->row_err[0])
            snprintf(c->row_err, sizeof c->row_err, "out of memory");
        return;
    }
    bool nul;
    size_t col = s ? reader_bad_text(s, len, &nul) : 0;
    if (col && !c->row_err[0]) {
        if (nul || r->enc.kind == ENC_UTF8 || r->enc.kind == ENC_AUTO)
            snprintf(c->row_err, sizeof c->row_err, "%s at byte %zu",
                     nul ? "NUL byte" : "invalid UTF-8", col);
        else
            snprintf(c->row_err, sizeof c->row_err, "text that is not valid %s at byte %zu",
                     enc_label(r), col);
        c->bad_field = c->nf;
    }
    c->off[c->nf] = c->dlen;
    if (len)
        memcpy(c->data + c->dlen, s, len);
    c->dlen += len;
    c->data[c->dlen] = '\0';
    c->off[++c->nf] = c->dlen;
}

/* libcsv row callback: the row is complete. */
static void on_row(int term, void *data)
{
    (void)term;
    rf_reader *r = data;
    r->csv.row_done = true;
}

/* Forget the current row (keeping buffers) and reset libcsv's state. */
static void drop_row(csv_state *c, bool reset_parser)
{
    if (reset_parser)
        csv_fini(&c->p, NULL, NULL, NULL);
    c->nf = c->dlen = 0;
    c->row_done = false;
    c->row_line = 0;
    c->row_bytes = 0;
    c->row_quotes = 0;
    c->row_err[0] = '\0';
}

/* The header text of column i. */
static const char *col_name(const csv_state *c, size_t i)
{
    return c->names + c->cols[i].name_off;
}

/* Trim blanks from a header or value. */
static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Copy the current row's fields as header names. */
static int copy_names(csv_state *c)
{
    free(c->cols);
    free(c->names);
    c->cols = calloc(c->nf ? c->nf : 1, sizeof *c->cols);
    c->names = malloc(c->dlen + c->nf + 1);
    if (!c->cols || !c->names)
        return RF_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < c->nf; i++) {
        const char *s = c->data + c->off[i];
        size_t len = c->off[i + 1] - c->off[i];
        trim(&s, &len);
        memcpy(c->names + k, s, len);
        c->names[k + len] = '\0';
        c->cols[i] = (csv_col){.field = -1, .name_off = k};
        k += len + 1;
    }
    c->ncols = c->nf;
    return RF_OK;
}

/* Whether field f is already fed by a column. */
static bool taken(const csv_state *c, int f)
{
    for (size_t i = 0; i < c->ncols; i++)
        if (c->cols[i].field == f)
            return true;
    return false;
}

/* Apply the --map pairs to the header; warn about pairs naming no column. */
static int apply_map(rf_reader *r)
{
    csv_state *c = &r->csv;
    for (size_t m = 0; m < c->nmap; m++) {
        const char *pair = c->map_pairs[m], *eq = strchr(pair, '=');
        int f = map_field(pair, (size_t)(eq - pair));
        char want[128], have[128];
        norm(eq + 1, strlen(eq + 1), want, sizeof want);
        bool found = false;
        for (size_t i = 0; i < c->ncols && !found; i++) {
            norm(col_name(c, i), strlen(col_name(c, i)), have, sizeof have);
            if (strcmp(col_name(c, i), eq + 1) == 0 || (want[0] && strcmp(want, have) == 0)) {
                c->cols[i].field = f;
                found = true;
            }
        }
        if (!found && reader_warn(r, "--map %s: the header has no column '%s'", pair,
                                  eq + 1) != RF_OK)
            return RF_ENOMEM;
    }
    return RF_OK;
}

#define UNUSED_NAMED 5 /* unused columns named in the one warning about them */

/* Why column i (name) is not used, for the warning: the single-column text,
 * or the short form for the list of many. */
static void unused_why(const csv_state *c, size_t i, int f, bool one, char *buf, size_t n)
{
    const char *name = col_name(c, i);
    if (f >= 0 && one)
        snprintf(buf, n, "column '%.60s' is not used: %s already comes from another column", name,
                 rf_field_get((rf_field)f)->path);
    else if (f >= 0)
        snprintf(buf, n, "'%.40s' (%s from another column)", name, rf_field_get((rf_field)f)->path);
    else if (!name[0])
        snprintf(buf, n, one ? "column %zu has no name and is not used" : "column %zu (no name)",
                 i + 1);
    else if (one)
        snprintf(buf, n, "column '%.60s' is not used; map it with --map FIELD=%.60s", name, name);
    else
        snprintf(buf, n, "'%.40s'", name);
}

/* One warning for the columns not used: the column and why when there is one,
 * else their count and the first UNUSED_NAMED (a wide sheet must not print a
 * line per column). */
static int warn_unused(rf_reader *r, const int *dup, size_t nunused)
{
    csv_state *c = &r->csv;
    char list[UNUSED_NAMED * 80 + 64], one[200];
    size_t o = 0, named = 0;
    list[0] = '\0';
    for (size_t i = 0; i < c->ncols && named < UNUSED_NAMED; i++) {
        if (c->cols[i].field >= 0)
            continue;
        unused_why(c, i, dup[i], nunused == 1, one, sizeof one);
        if (nunused == 1)
            return reader_warn(r, "%s", one);
        int k = snprintf(list + o, sizeof list - o, "%s%s", named ? ", " : "", one);
        if (k > 0 && o + (size_t)k < sizeof list)
            o += (size_t)k;
        named++;
    }
    if (nunused > named)
        return reader_warn(r, "%zu columns are not used: %s and %zu more; map one with --map "
                           "FIELD=COLUMN", nunused, list, nunused - named);
    return reader_warn(r, "%zu columns are not used: %s; map one with --map FIELD=COLUMN",
                       nunused, list);
}

/* Turn the current row into the column mapping, warning once about unused columns. */
static int take_header(rf_reader *r)
{
    csv_state *c = &r->csv;
    int rc = copy_names(c);
    if (rc == RF_OK)
        rc = apply_map(r);
    int *dup = rc == RF_OK ? malloc((c->ncols + 1) * sizeof *dup) : NULL;
    if (rc == RF_OK && !dup)
        rc = RF_ENOMEM;
    size_t nunused = 0;
    for (size_t i = 0; rc == RF_OK && i < c->ncols; i++) {
        dup[i] = -1;
        if (c->cols[i].field >= 0)
            continue;
        int f = header_field(col_name(c, i));
        if (f >= 0 && !taken(c, f))
            c->cols[i].field = f;
        else {
            dup[i] = f; /* -1: unknown or unnamed; else the field another column gives */
            nunused++;
        }
    }
    if (rc == RF_OK && nunused)
        rc = warn_unused(r, dup, nunused);
    free(dup);
    c->have_header = rc == RF_OK;
    return rc;
}

/* Store one cell of column i; multi-valued fields split on ';'. */
static int put_cell(rf_reader *r, rf_record *rec, size_t i)
{
    csv_state *c = &r->csv;
    rf_field f = (rf_field)c->cols[i].field;
    const char *s = c->data + c->off[i];
    size_t len = c->off[i + 1] - c->off[i];
    char msg[RF_ERRMAX / 2];
    int rc = RF_OK;
    trim(&s, &len);
    double v;
    char seen = 0;
    if (rf_field_get(f)->type == RF_T_NUMBER && len &&
        numfmt_parse(s, len, r->dialect.dec_hint, &v, &seen)) {
        if (seen)
            r->dialect.dec_hint = seen;   /* later ambiguous numbers follow the file */
        rc = rf_record_add_num_text(rec, f, v, s, len);
    } else if (!rf_field_get(f)->multi) {
        rc = reader_put_text(rec, f, s, len, false, msg, sizeof msg);
    } else if (len) {
        bool keep = f == RF_F_SUBCONTRACTOR_NAME || f == RF_F_SUBCONTRACTOR_COUNTRY;
        const char *end = s + len;
        while (rc == RF_OK) {
            const char *semi = memchr(s, ';', (size_t)(end - s));
            const char *stop = semi ? semi : end;
            size_t n = (size_t)(stop - s);
            trim(&s, &n);
            rc = reader_put_text(rec, f, s, n, keep, msg, sizeof msg);
            if (!semi)
                break;
            s = semi + 1;
        }
    }
    if (rc == RF_EINPUT)
        snprintf(r->err, sizeof r->err, "column '%.100s': %s", col_name(c, i), msg);
    return rc;
}

/* Give both subcontractor fields the same number of values. */
static int align_subcontractors(rf_record *rec)
{
    size_t n = rf_record_count(rec, RF_F_SUBCONTRACTOR_NAME);
    size_t k = rf_record_count(rec, RF_F_SUBCONTRACTOR_COUNTRY);
    int rc = RF_OK;
    for (; rc == RF_OK && n < k; n++)
        rc = rf_record_add(rec, RF_F_SUBCONTRACTOR_NAME, "", 0);
    for (; rc == RF_OK && k < n; k++)
        rc = rf_record_add(rec, RF_F_SUBCONTRACTOR_COUNTRY, "", 0);
    return rc;
}

/* Put the id cell first, so an error later in the row still carries it. */
static int put_id(rf_reader *r, rf_record *rec)
{
    csv_state *c = &r->csv;
    size_t n = c->nf < c->ncols ? c->nf : c->ncols; /* a ragged row may still name itself */
    for (size_t i = 0; i < n; i++) {
        if (c->cols[i].field != RF_F_ID)
            continue;
        bool nul;
        size_t len = c->off[i + 1] - c->off[i];
        if (reader_bad_text(c->data + c->off[i], len, &nul))
            return RF_OK;
        return put_cell(r, rec, i);
    }
    return RF_OK;
}

/* Map a complete data row onto rec. */
static int take_row(rf_reader *r, rf_record *rec)
{
    csv_state *c = &r->csv;
    int rc = put_id(r, rec);
    if (rc != RF_OK)
        return rc;
    if (c->nf != c->ncols)
        return reader_fail(r, "row has %zu fields, header has %zu", c->nf, c->ncols);
    if (c->row_err[0])
        return reader_fail(r, "column '%.100s': %.200s", col_name(c, c->bad_field),
                           c->row_err);
    for (size_t i = 0; rc == RF_OK && i < c->ncols; i++)
        if (c->cols[i].field >= 0 && c->cols[i].field != RF_F_ID)
            rc = put_cell(r, rec, i);
    if (rc == RF_OK)
        rc = align_subcontractors(rec);
    if (rc == RF_OK && !rf_record_has_content(rec))
        rc = reader_fail(r, "record has nothing to screen");
    return rc;
}

/* End of input: a row still open means a quoted field never closed. */
static int finish(rf_reader *r, rf_record *rec)
{
    csv_state *c = &r->csv;
    if (c->row_line == 0 || c->skipping)
        return RF_EOF;
    rf_record_set_origin(rec, r->name, c->row_line);
    drop_row(c, true);
    return reader_fail(r, "unterminated quoted field");
}

/* Feed the current physical line to libcsv; RF_OK, RF_EINPUT (too long). */
static int feed_line(rf_reader *r)
{
    csv_state *c = &r->csv;
    size_t len = r->len;
    c->row_quotes += r->nquotes;
    if (r->too_long || c->row_bytes + len + 1 > RF_MAX_RECORD_BYTES) {
        /* inside a quoted field: drop lines until the quote closes */
        c->skipping = c->row_quotes % 2 == 1;
        return reader_fail(r, "record longer than %u bytes", RF_MAX_RECORD_BYTES);
    }
    if (len && r->buf[len - 1] == '\r')
        len--;
    c->row_bytes += len + 1;
    if (csv_parse(&c->p, r->buf, len, on_field, on_row, r) != len ||
        csv_parse(&c->p, "\n", 1, on_field, on_row, r) != 1)
        return RF_ENOMEM;
    return RF_OK;
}

/* Only the space counts as blank around fields (TAB may be the delimiter). */
static int is_space(unsigned char ch)
{
    return ch == ' ';
}

/* Count each candidate delimiter outside quotes in s[0..len). */
static char guess_delim(const char *s, size_t len, char quote)
{
    static const char cand[] = {'\t', ';', '|', ','};   /* tie order */
    size_t best = 0;
    char pick = ',';
    for (size_t k = 0; k < sizeof cand; k++) {
        size_t n = 0;
        bool in = false;
        for (size_t i = 0; i < len; i++)
            if (s[i] == quote)
                in = !in;
            else if (!in && s[i] == cand[k])
                n++;
        if (n > best) {
            best = n;
            pick = cand[k];
        }
    }
    return pick;
}

/* An Excel "sep=X" first line: its delimiter, else 0. */
static char sep_line(const char *s, size_t len)
{
    if (len && s[len - 1] == '\r')
        len--;
    return len == 5 && strncasecmp(s, "sep=", 4) == 0 && s[4] != '"' ? s[4] : 0;
}

/* Settle the dialect from the header line in r->buf (delimiter unless forced,
 * quote, decimal mark); true when the line was a "sep=" line to skip. */
static bool set_dialect(rf_reader *r)
{
    csv_dialect *d = &r->dialect;
    char sep = sep_line(r->buf, r->len);
    if (sep) {
        if (!d->delim)
            d->delim = sep;
        return true;
    }
    size_t i = 0;
    while (i < r->len && r->buf[i] == ' ')
        i++;
    d->quote = i < r->len && r->buf[i] == '\'' && !memchr(r->buf, '"', r->len) ? '\'' : '"';
    if (!d->delim)
        d->delim = guess_delim(r->buf, r->len, d->quote);
    if (!d->dec_hint)
        d->dec_hint = d->delim == ';' ? ',' : '.';
    csv_set_delim(&r->csv.p, (unsigned char)d->delim);
    csv_set_quote(&r->csv.p, (unsigned char)d->quote);
    csv_set_space_func(&r->csv.p, is_space);
    r->csv.dialect_set = true;
    return false;
}

/* Next record of a CSV stream (the header is read on the first call). */
int csv_next(rf_reader *r, rf_record *rec)
{
    csv_state *c = &r->csv;
    for (;;) {
        int rc = RF_OK;
        if (r->pending)
            r->pending = false;
        else if ((rc = reader_getline(r)) == RF_EOF)
            return finish(r, rec);
        if (rc != RF_OK)
            return rc;
        if (c->skipping) {
            c->row_quotes += r->nquotes;
            c->skipping = c->row_quotes % 2 == 1;
            continue;
        }
        if (c->row_line == 0) {
            if (!r->too_long && reader_blank(r->buf, r->len))
                continue;
            if (!c->dialect_set && set_dialect(r))
                continue;
            c->row_line = r->lineno;
        }
        long line = c->row_line;
        rc = feed_line(r);
        if (rc == RF_OK && !c->row_done)
            continue;
        if (rc == RF_OK && !c->have_header) {
            rc = take_header(r);
            if (rc == RF_OK && c->row_err[0])
                rc = reader_fail(r, "header field %zu: %s", c->bad_field + 1, c->row_err);
            drop_row(c, false);
            if (rc == RF_OK)
                continue;
        } else if (rc == RF_OK) {
            rc = take_row(r, rec);
        }
        bool skip = c->skipping;
        size_t quotes = c->row_quotes;
        drop_row(c, rc != RF_OK);
        c->row_quotes = skip ? quotes : 0;
        rf_record_set_origin(rec, r->name, line);
        return rc;
    }
}

/* Add one cell to the row being built (the XLSX reader's rows). */
void csv_cell(rf_reader *r, const char *s, size_t len)
{
    on_field((void *)s, len, r);
}

/* End the row built with csv_cell: the first is the header (*header set),
 * later ones records, as in a CSV file; the row is cleared. */
int csv_row(rf_reader *r, rf_record *rec, long line, bool *header)
{
    csv_state *c = &r->csv;
    int rc;
    *header = !c->have_header;
    if (!r->dialect.dec_hint)
        r->dialect.dec_hint = '.';
    if (*header) {
        rc = take_header(r);
        if (rc == RF_OK && c->row_err[0])
            rc = reader_fail(r, "header field %zu: %s", c->bad_field + 1, c->row_err);
    } else {
        rc = take_row(r, rec);
    }
    drop_row(c, false);
    rf_record_set_origin(rec, r->name, line);
    return rc;
}

/* The number of header columns (0 before the header). */
size_t csv_ncols(const rf_reader *r)
{
    return r->csv.have_header ? r->csv.ncols : 0;
}

/* CSV with a header row, columns matched by name or --map. */
const reader_ops reader_csv = {.names = "csv", .fmt = RF_FMT_CSV, .next = csv_next};
