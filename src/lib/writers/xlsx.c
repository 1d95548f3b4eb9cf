/* XLSX writer (libxlsxwriter): a "Summary" sheet (records by level, unreadable
 * records) and a "Records" sheet with one row per record (source, line, id,
 * supplier, level, score, indicators, evidence, matched entries, sources,
 * error): frozen header, autofilter, the level cell coloured. Every text is
 * written as a string cell, never a formula, so a hostile name such as
 * "=HYPERLINK(...)" stays text. Rows are streamed (constant-memory mode) to a
 * private temporary file (mkstemp, 0600) that is copied to the output stream
 * when the run ends, then removed. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "writer_int.h"

#define XLSX_MAX_CELL 32000   /* Excel's limit is 32767 characters a cell */

typedef struct xlsxw_state {
    char path[PATH_MAX];
    lxw_workbook *wb;
    lxw_worksheet *sum, *rec;
    lxw_format *head, *wrap, *level[RF_LEVEL_CRITICAL + 1];
    lxw_row_t row;              /* the next row of Records */
    bool failed;
} xlsxw_state;

static const char *const heads[] = {"Source", "Line", "ID", "Supplier", "Country", "Level",
                                    "Score", "Indicators", "Evidence", "Matched entries",
                                    "Sources", "Error"};
#define NCOLS (sizeof heads / sizeof heads[0])

/* Background colours of the level cells: none .. critical. */
static const lxw_color_t level_rgb[RF_LEVEL_CRITICAL + 1] = {0xFFFFFF, 0xFFF2CC, 0xFFD966,
                                                             0xF4B084, 0xFF7C80};

/* Make the workbook in a fresh temporary file, its sheets and formats. */
static xlsxw_state *start(void)
{
    xlsxw_state *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    const char *dir = getenv("TMPDIR");
    snprintf(x->path, sizeof x->path, "%s/redflag-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(x->path);
    if (fd < 0) {
        free(x);
        return NULL;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    x->wb = workbook_new_opt(x->path, &opt);
    if (!x->wb) {
        unlink(x->path);
        free(x);
        return NULL;
    }
    x->sum = workbook_add_worksheet(x->wb, "Summary");
    x->rec = workbook_add_worksheet(x->wb, "Records");
    x->head = workbook_add_format(x->wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xD9D9D9);
    x->wrap = workbook_add_format(x->wb);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    for (int l = 0; l <= RF_LEVEL_CRITICAL; l++) {
        x->level[l] = workbook_add_format(x->wb);
        format_set_bg_color(x->level[l], level_rgb[l]);
        format_set_align(x->level[l], LXW_ALIGN_VERTICAL_TOP);
    }
    for (lxw_col_t c = 0; c < NCOLS; c++)
        x->failed |= worksheet_write_string(x->rec, 0, c, heads[c], x->head) != LXW_NO_ERROR;
    static const double widths[NCOLS] = {18, 6, 14, 30, 8, 9, 6, 30, 60, 40, 40, 30};
    for (lxw_col_t c = 0; c < NCOLS; c++)
        worksheet_set_column(x->rec, c, c, widths[c], c >= 7 ? x->wrap : NULL);
    worksheet_freeze_panes(x->rec, 1, 0);
    x->row = 1;
    return x;
}

/* Write s as a string cell (cut at a character boundary past the cell limit). */
static void text(xlsxw_state *x, lxw_col_t col, const char *s, lxw_format *f)
{
    if (!s || !*s)
        return;
    size_t n = strlen(s);
    char *cut = NULL;
    if (n > XLSX_MAX_CELL) {
        n = XLSX_MAX_CELL;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        if (!(cut = strndup(s, n))) {
            x->failed = true;
            return;
        }
    }
    x->failed |= worksheet_write_string(x->rec, x->row, col, cut ? cut : s, f) != LXW_NO_ERROR;
    free(cut);
}

/* Append s to b after sep unless b already holds it as one of its items. */
static void add_unique(gbuf *b, const char *s, const char *sep)
{
    if (!s || !*s)
        return;
    size_t n = strlen(s), k = strlen(sep);
    for (const char *p = b->p; p && p < b->p + b->len;) {
        const char *e = memmem(p, (size_t)(b->p + b->len - p), sep, k);
        size_t len = e ? (size_t)(e - p) : (size_t)(b->p + b->len - p);
        if (len == n && memcmp(p, s, n) == 0)
            return;
        p = e ? e + k : b->p + b->len;
    }
    if (b->len)
        gbuf_puts(b, sep);
    gbuf_puts(b, s);
}

/* The text of one column built from the result's flags or matches. */
static void joined(xlsxw_state *x, rf_writer *w, const rf_result *res, lxw_col_t col)
{
    gbuf *b = &w->cell;
    b->len = 0;
    for (size_t i = 0; col == 7 && i < res->nflags; i++)
        add_unique(b, res->flags[i].indicator, "; ");
    for (size_t i = 0; col == 8 && i < res->nflags; i++) {
        if (b->len)
            gbuf_putc(b, '\n');
        gbuf_puts(b, res->flags[i].field ? res->flags[i].field : "");
        gbuf_puts(b, ": ");
        gbuf_puts(b, res->flags[i].evidence ? res->flags[i].evidence : "");
    }
    for (size_t i = 0; col == 9 && i < res->nmatches; i++) {
        const rf_match *m = &res->matches[i];
        if (b->len)
            gbuf_putc(b, '\n');
        gbuf_puts(b, m->party ? m->party : "");
        gbuf_puts(b, ": ");
        gbuf_puts(b, m->list ? m->list : "");
        gbuf_puts(b, " ");
        gbuf_puts(b, m->entity ? m->entity : "");
        gbuf_puts(b, " \"");
        gbuf_puts(b, m->name ? m->name : "");
        gbuf_puts(b, "\" (");
        writer_put_score(b, m->score);
        gbuf_puts(b, m->critical ? ", critical list)" : ")");
    }
    for (size_t i = 0; col == 10 && i < res->nflags; i++)
        add_unique(b, res->flags[i].source, "\n");
    gbuf_putc(b, '\0');
    if (b->oom)
        x->failed = true;
    else
        text(x, col, b->p, x->wrap);
}

/* One result as one row of the Records sheet. */
static int xlsx_record(rf_writer *w, const rf_result *res)
{
    if (!w->xlsx && !(w->xlsx = start()))
        return RF_EIO;
    xlsxw_state *x = w->xlsx;
    if (x->row > LXW_ROW_MAX - 1)
        return RF_ELIMIT;
    text(x, 0, res->source, NULL);
    x->failed |= worksheet_write_number(x->rec, x->row, 1, (double)res->line, NULL) != LXW_NO_ERROR;
    text(x, 2, res->id, NULL);
    text(x, 3, res->supplier, NULL);
    text(x, 4, res->supplier_country, NULL);
    if (!res->error) {
        rf_level l = res->level <= RF_LEVEL_CRITICAL ? res->level : RF_LEVEL_CRITICAL;
        text(x, 5, rf_level_name(l), x->level[l]);
        x->failed |= worksheet_write_number(x->rec, x->row, 6, res->score, NULL) != LXW_NO_ERROR;
        for (lxw_col_t c = 7; c <= 10; c++)
            joined(x, w, res, c);
    }
    text(x, 11, res->error, x->wrap);
    x->row++;
    return x->failed ? RF_EIO : RF_OK;
}

/* The Summary sheet from the writer's counts. */
static void summary(xlsxw_state *x, const rf_writer *w)
{
    lxw_worksheet *s = x->sum;
    worksheet_set_column(s, 0, 0, 28, NULL);
    worksheet_set_column(s, 1, 1, 12, NULL);
    worksheet_write_string(s, 0, 0, "redflag screening", x->head);
    worksheet_write_string(s, 0, 1, "version " RF_VERSION, x->head);
    worksheet_write_string(s, 2, 0, "Records", x->head);
    worksheet_write_number(s, 2, 1, (double)w->records, NULL);
    for (int l = RF_LEVEL_CRITICAL; l >= RF_LEVEL_NONE; l--) {
        lxw_row_t r = (lxw_row_t)(3 + RF_LEVEL_CRITICAL - l);
        worksheet_write_string(s, r, 0, rf_level_name((rf_level)l), x->level[l]);
        worksheet_write_number(s, r, 1, (double)w->levels[l], NULL);
    }
    worksheet_write_string(s, 8, 0, "Unreadable records", NULL);
    worksheet_write_number(s, 8, 1, (double)w->unreadable, NULL);
    worksheet_write_string(s, 10, 0, "One row per record on the sheet Records.", NULL);
}

/* Copy the finished workbook file to fp. */
static int copy_out(const char *path, FILE *fp)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return RF_EIO;
    char buf[65536];
    size_t n;
    int rc = RF_OK;
    while (rc == RF_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, fp) != n)
            rc = RF_EIO;
    if (ferror(in))
        rc = RF_EIO;
    fclose(in);
    return rc;
}

/* Close the workbook and write it to the output. */
static int xlsx_finish(rf_writer *w)
{
    if (!w->xlsx && !(w->xlsx = start()))
        return RF_EIO;
    xlsxw_state *x = w->xlsx;
    summary(x, w);
    if (x->row > 1)
        worksheet_autofilter(x->rec, 0, 0, x->row - 1, NCOLS - 1);
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    int rc = e == LXW_NO_ERROR && !x->failed ? copy_out(x->path, w->fp) : RF_EIO;
    unlink(x->path);
    return rc;
}

/* Free the state; a workbook never finished is closed and removed. */
static void xlsx_free(rf_writer *w)
{
    xlsxw_state *x = w->xlsx;
    if (!x)
        return;
    if (x->wb) {
        workbook_close(x->wb);
        unlink(x->path);
    }
    free(x);
    w->xlsx = NULL;
}

/* Excel workbook of the run. */
const writer_ops writer_xlsx = {"xlsx", RF_OUT_XLSX, xlsx_record, xlsx_finish, xlsx_free};
