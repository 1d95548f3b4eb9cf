/* redflag — result writers: JSON Lines, CSV and a readable table.
 *
 * Each rf_writer_write() writes one complete line (or block, for the table)
 * and, by default, flushes the stream, so a co-process reading the other end
 * of a pipe sees every verdict as soon as it is made. A caller whose input is
 * all there already (a regular file) may turn the per-record flush off with
 * rf_writer_set_flush() and let the stream's buffer fill: nobody is waiting
 * for one verdict before sending the next record. */
#ifndef REDFLAG_WRITER_H
#define REDFLAG_WRITER_H

#include <stdio.h>
#include "redflag/common.h"
#include "redflag/result.h"

/* JSONL, CSV and the table write one line (block) per result; HTML is a
 * report of the whole run, written by rf_writer_finish() (records by level,
 * indicator and list tallies, unreadable records; docs/FORMATS.md); XLSX is
 * a workbook of the whole run (a Summary sheet, one Records row per result),
 * also written by rf_writer_finish(). */
typedef enum rf_output { RF_OUT_JSONL, RF_OUT_CSV, RF_OUT_TABLE, RF_OUT_HTML, RF_OUT_XLSX } rf_output;

enum { RF_WRITER_COLOR = 1 }; /* table only: ANSI colours (a terminal) */

typedef struct rf_writer rf_writer;

/* Create a writer on fp (not closed by the writer). *out owned by caller. */
RF_API int rf_writer_create(rf_writer **out, FILE *fp, rf_output fmt, unsigned flags);
/* Write one result (and flush, unless turned off). RF_EIO when the stream fails. */
RF_API int rf_writer_write(rf_writer *w, const rf_result *res);
/* Flush after every result (true, the default) or only when the stream's
 * buffer is full and at rf_writer_flush()/rf_writer_finish(). */
RF_API void rf_writer_set_flush(rf_writer *w, bool each);
/* Flush what is buffered. RF_EIO when the stream fails. */
RF_API int rf_writer_flush(rf_writer *w);
/* Write whatever closes the output (the table's summary line) and flush. */
RF_API int rf_writer_finish(rf_writer *w);
/* The run's counts so far as one line ("12 records: 2 critical, 2 high, …,
 * 0 unreadable", no newline) into buf. */
RF_API void rf_writer_summary(rf_writer *w, char *buf, size_t cap);
/* Free the writer; NULL is fine. */
RF_API void rf_writer_destroy(rf_writer *w);
/* Parse "jsonl", "csv", "table", "html"; -1 when unknown. */
RF_API int rf_output_parse(const char *name);

#endif
