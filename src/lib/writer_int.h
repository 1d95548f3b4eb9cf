/* redflag — private parts shared by the result writers (not installed).
 *
 * Each format (one file in writers/ with one writer_ops, listed in
 * writers/list.c) builds one record's whole output in the writer's buffer;
 * the generic layer (writer.c) then writes it with one fwrite() and flushes. */
#ifndef REDFLAG_WRITER_INT_H
#define REDFLAG_WRITER_INT_H

#include "buf.h"
#include <stdbool.h>
#include <stdio.h>
#include "redflag/writer.h"


typedef struct writer_ops writer_ops;

struct rf_writer {
    FILE *fp;
    rf_output fmt;
    const writer_ops *ops;
    unsigned flags;
    gbuf out;                   /* the record being built */
    gbuf cell;                  /* scratch for one CSV cell */
    bool header_done;           /* CSV header written */
    bool flush_each;            /* flush after every result */
    unsigned long records;      /* results written, errors included */
    unsigned long unreadable;   /* results with an error */
    unsigned long levels[RF_LEVEL_CRITICAL + 1];
    struct html_state *html;    /* the HTML report's tallies and parts, or NULL */
    struct xlsxw_state *xlsx;   /* the XLSX workbook being written, or NULL */
};

/* Append a 0..1 match score with two or three decimals ("0.96", "0.955",
 * "1.00"), independent of the locale. */
void writer_put_score(gbuf *b, double v);
/* Decode the UTF-8 sequence at s into *cp; its length, 0 when invalid. */
size_t utf8_next(const char *s, unsigned *cp);
/* Bytes of an invalid sequence at s to replace by a single U+FFFD. */
size_t utf8_bad_len(const char *s);

/* Write w->out to fp and empty it (RF_ENOMEM after a failed allocation,
 * RF_EIO when fp fails). */
int writer_drain(rf_writer *w, FILE *fp);
/* What an output format provides (writers/<name>.c, listed in writers/list.c):
 * build one record's output in w->out; build what closes the output (NULL:
 * nothing); free the format's own state in w (NULL: none). */
struct writer_ops {
    const char *name;           /* the -o name */
    rf_output fmt;
    int (*record)(rf_writer *w, const rf_result *res);
    int (*finish)(rf_writer *w);
    void (*free)(rf_writer *w);
};
extern const writer_ops writer_jsonl, writer_csv, writer_table, writer_html, writer_xlsx;
/* The NULL-terminated list of writers, and the one of a format (or NULL). */
extern const writer_ops *const writer_list[];
const writer_ops *writer_ops_of(rf_output fmt);

/* Build one record's output in w->out, per format. */
int writer_jsonl_record(rf_writer *w, const rf_result *res);
int writer_csv_record(rf_writer *w, const rf_result *res);
int writer_table_record(rf_writer *w, const rf_result *res);
/* Build the table's closing summary line in w->out. */
int writer_table_summary(rf_writer *w);
/* HTML report: keep one result (counted; its section put aside); write the
 * whole page at the end; free what it kept. */
int writer_html_record(rf_writer *w, const rf_result *res);
int writer_html_finish(rf_writer *w);
void writer_html_free(rf_writer *w);

#endif
