/* CSV driver for the feed parsers: libcsv fed one physical line at a time so
 * every record knows the line it starts on, with bounded line and record size. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "feed_int.h"

typedef struct csv_state {
    feed_csv_row row;
    size_t cap;
    size_t bytes;        /* field bytes of the record in progress */
    long line;           /* current physical line */
    bool in_record;
    long last_end;       /* line on which the last record ended */
    size_t pending;      /* bytes fed since that record ended */
    feed_row_cb cb;
    void *ud;
    int rc;              /* first non-zero callback / limit result */
    rf_feed_diag *diag;
} csv_state;

/* libcsv field callback: keep a copy of the field. */
static void on_field(void *data, size_t len, void *ud)
{
    csv_state *s = ud;
    if (s->rc)
        return;
    if (!s->in_record) {
        s->in_record = true;
        s->row.line = s->line;
        s->bytes = 0;
    }
    s->bytes += len;
    if (s->bytes > RF_FEED_MAX_LINE) {
        s->rc = diag_set(s->diag, RF_ELIMIT, s->row.line, "CSV record larger than %u bytes",
                         RF_FEED_MAX_LINE);
        return;
    }
    if (s->row.n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 32;
        char **f = realloc(s->row.f, nc * sizeof *f);
        size_t *fl = f ? realloc(s->row.flen, nc * sizeof *fl) : NULL;
        if (f)
            s->row.f = f;
        if (!f || !fl) {
            s->rc = diag_set(s->diag, RF_ENOMEM, s->line, "out of memory");
            return;
        }
        s->row.flen = fl;
        s->cap = nc;
    }
    char *c = malloc(len + 1);
    if (!c) {
        s->rc = diag_set(s->diag, RF_ENOMEM, s->line, "out of memory");
        return;
    }
    if (len)
        memcpy(c, data, len);
    c[len] = 0;
    s->row.f[s->row.n] = c;
    s->row.flen[s->row.n++] = len;
}

/* Free the fields of the record just handled. */
static void clear_row(csv_state *s)
{
    for (size_t i = 0; i < s->row.n; i++)
        free(s->row.f[i]);
    s->row.n = 0;
    s->in_record = false;
}

/* libcsv record callback: hand the record to the format parser. */
static void on_record(int term, void *ud)
{
    csv_state *s = ud;
    (void)term;
    if (!s->rc && s->row.n)
        s->rc = s->cb(&s->row, s->ud);
    clear_row(s);
    s->last_end = s->line;
    s->pending = 0;
}

/* True when a line holds only the OFAC EOF byte and line ending. */
static bool eof_marker(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && l[i] == '\x1a')
        i++;
    if (i == 0)
        return false;
    while (i < n && (l[i] == '\r' || l[i] == '\n'))
        i++;
    return i == n;
}

/* Feed the stream to libcsv line by line. */
static int feed_lines(FILE *fp, struct csv_parser *p, csv_state *s)
{
    char *l = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = RF_OK;
    while ((n = getline(&l, &cap, fp)) > 0) {
        s->line++;
        if ((size_t)n > RF_FEED_MAX_LINE) {
            rc = diag_set(s->diag, RF_ELIMIT, s->line, "line longer than %u bytes",
                          RF_FEED_MAX_LINE);
            goto out;
        }
        if (l[n - 1] == '\x1a' || eof_marker(l, (size_t)n)) {
            if (eof_marker(l, (size_t)n))
                continue;
            n--; /* "...last record\x1a" */
        }
        s->pending += (size_t)n;
        if (s->pending > RF_FEED_MAX_LINE) {
            rc = diag_set(s->diag, RF_ELIMIT, s->last_end + 1,
                          "CSV record from line %ld longer than %u bytes (unterminated quote?)",
                          s->last_end + 1, RF_FEED_MAX_LINE);
            goto out;
        }
        if (csv_parse(p, l, (size_t)n, on_field, on_record, s) != (size_t)n) {
            rc = diag_set(s->diag, RF_EINPUT, s->line, "CSV syntax error: %s",
                          csv_strerror(csv_error(p)));
            goto out;
        }
        if (s->rc) {
            rc = s->rc;
            goto out;
        }
    }
    if (ferror(fp))
        rc = diag_set(s->diag, RF_EIO, s->line, "read error");
out:
    free(l);
    return rc;
}

/* Read all CSV records of src through cb. */
int feed_csv_read(const rf_feed_src *src, feed_row_cb cb, void *ud, rf_feed_diag *d)
{
    struct csv_parser p;
    csv_state s = {.cb = cb, .ud = ud, .diag = d};
    FILE *fp = feed_open(src, d);
    if (!fp)
        return src && (src->path || src->data) ? (src->path ? RF_EIO : RF_ENOMEM) : RF_EINVAL;
    int rc = RF_ENOMEM;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        goto close;
    rc = feed_lines(fp, &p, &s);
    if (rc == RF_OK) {
        if (csv_fini(&p, on_field, on_record, &s) != 0 && csv_error(&p) == CSV_EPARSE)
            rc = diag_set(d, RF_EINPUT, s.last_end + 1,
                          "unterminated quoted field in the record from line %ld "
                          "(truncated file or broken quote)", s.last_end + 1);
        else
            rc = s.rc;
    }
    clear_row(&s);
    csv_free(&p);
close:
    free(s.row.f);
    free(s.row.flen);
    fclose(fp);
    return rc;
}

/* A field trimmed, "" when absent or OFAC's null "-0-". */
const char *csv_field(const feed_csv_row *r, size_t i, size_t *len)
{
    if (i >= r->n) {
        *len = 0;
        return "";
    }
    size_t n = r->flen[i];
    const char *s = feed_trim(r->f[i], &n);
    if (n == 3 && memcmp(s, "-0-", 3) == 0)
        n = 0;
    *len = n;
    return s;
}

/* Index of a header column by name, ignoring case, spaces and a UTF-8 BOM. */
int csv_column(const feed_csv_row *hdr, const char *name)
{
    for (size_t i = 0; i < hdr->n; i++) {
        const char *f = hdr->f[i];
        size_t n = hdr->flen[i];
        if (n >= 3 && memcmp(f, "\xEF\xBB\xBF", 3) == 0) {
            f += 3;
            n -= 3;
        }
        f = feed_trim(f, &n);
        if (n == strlen(name) && strncasecmp(f, name, n) == 0)
            return (int)i;
    }
    return -1;
}
