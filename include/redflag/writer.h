/* redflag — result writers: JSON Lines, CSV and a readable table.
 *
 * Each rf_writer_write() writes one complete line (or block, for the table)
 * and flushes the stream, so a co-process reading the other end of a pipe
 * sees every verdict as soon as it is made. */
#ifndef REDFLAG_WRITER_H
#define REDFLAG_WRITER_H

#include <stdio.h>
#include "redflag/common.h"
#include "redflag/result.h"

typedef enum rf_output { RF_OUT_JSONL, RF_OUT_CSV, RF_OUT_TABLE } rf_output;

enum { RF_WRITER_COLOR = 1 }; /* table only: ANSI colours (a terminal) */

typedef struct rf_writer rf_writer;

/* Create a writer on fp (not closed by the writer). *out owned by caller. */
RF_API int rf_writer_create(rf_writer **out, FILE *fp, rf_output fmt, unsigned flags);
/* Write one result and flush. RF_EIO when the stream fails. */
RF_API int rf_writer_write(rf_writer *w, const rf_result *res);
/* Write whatever closes the output (the table's summary line) and flush. */
RF_API int rf_writer_finish(rf_writer *w);
/* Free the writer; NULL is fine. */
RF_API void rf_writer_destroy(rf_writer *w);
/* Parse "jsonl", "csv", "table"; -1 when unknown. */
RF_API int rf_output_parse(const char *name);

#endif
