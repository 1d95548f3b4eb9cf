/* redflag — record readers: JSON Lines, CSV, and whole procurement documents
 * (UBL / PEPPOL orders, OCDS packages, eForms notices; docs/FORMATS.md).
 *
 * A reader pulls one record at a time from a stream, so a purchasing system
 * can write one line and read its verdict before writing the next. Every
 * input record yields exactly one call that returns RF_OK (a record) or
 * RF_EINPUT (a bad record, with a message); RF_EOF ends the input. */
#ifndef REDFLAG_READER_H
#define REDFLAG_READER_H

#include <stdio.h>
#include "redflag/common.h"
#include "redflag/record.h"

typedef enum rf_format {
    RF_FMT_AUTO,   /* sniff from the content: '<' → UBL or eForms by the root
                    * element's namespace; '{' → OCDS when the JSON is a release
                    * or record package, else jsonl; anything else → csv */
    RF_FMT_JSONL,
    RF_FMT_CSV,
    RF_FMT_UBL,    /* UBL 2.0/2.1 Order, OrderChange, OrderResponse (PEPPOL BIS 3,
                    * CEN BII): one record per order line */
    RF_FMT_OCDS,   /* OCDS 1.0/1.1 release or record package: one record per
                    * awarded supplier x item (tenderers x items when no award) */
    RF_FMT_EFORMS, /* EU eForms ContractNotice, ContractAwardNotice,
                    * PriorInformationNotice: one record per lot x winner */
    RF_FMT_XLSX    /* Office Open XML workbook (.xlsx): one sheet read like CSV,
                    * its first row the header; sniffed from the zip header */
} rf_format;

/* Limits every reader enforces (bad records, not crashes). */
#define RF_MAX_RECORD_BYTES (1u << 20)  /* one JSON line or CSV record */
#define RF_MAX_JSON_DEPTH 32
#define RF_MAX_DOC_BYTES (64u << 20)    /* one UBL, OCDS or eForms document */

typedef struct rf_reader rf_reader;

/* Extra column mappings for CSV: "FIELD=COLUMN" pairs, FIELD a dotted path or
 * canonical column name, COLUMN the header text in the file. */
typedef struct rf_csv_map {
    const char *const *pairs;
    size_t npairs;
} rf_csv_map;

/* Open a reader over fp (not closed by the reader; must outlive it). name is
 * used in messages and kept by pointer. map may be NULL. *out owned by caller.
 * RF_EINVAL for a bad --map pair (see rf_reader_open_error()). */
RF_API int rf_reader_open(rf_reader **out, FILE *fp, const char *name, rf_format fmt,
                          const rf_csv_map *map);
/* The message for the last rf_reader_open() that failed in this thread (a
 * bad --map pair); static per-thread storage. */
RF_API const char *rf_reader_open_error(void);
/* Settings made after rf_reader_open() and before the first rf_reader_next()
 * (RF_EINVAL otherwise, or for a bad value; see rf_reader_open_error()):
 * the input encoding: "auto" (the default: a BOM decides, else UTF-8, and
 * Windows-1252 when a line is not UTF-8 and none before it held UTF-8),
 * "utf-8", "utf-16" / "utf-16le" / "utf-16be", "windows-1252", "latin1" or
 * any ASCII-compatible iconv name; */
RF_API int rf_reader_set_encoding(rf_reader *r, const char *name);
/* the CSV field delimiter (0, the default: sniffed from the header line among
 * ',' ';' TAB '|', or given by an Excel "sep=X" first line); */
RF_API int rf_reader_set_delimiter(rf_reader *r, char delim);
/* the XLSX worksheet by name (NULL, the default: the first sheet); copied. */
RF_API int rf_reader_set_sheet(rf_reader *r, const char *name);
/* Read the next record into rec (reset first). Returns RF_OK, RF_EINPUT (the
 * record is bad: rec holds its line and, when it could be read, its id;
 * rf_reader_error() says what is wrong), RF_EOF, or RF_EIO (the stream failed). */
RF_API int rf_reader_next(rf_reader *r, rf_record *rec);
/* The message for the last RF_EINPUT / RF_EIO, without file or line
 * ("invalid JSON: unexpected token near 'x' at column 12"); owned by the reader. */
RF_API const char *rf_reader_error(const rf_reader *r);
/* Warnings gathered so far (e.g. a CSV column that maps to no field), one
 * string each, owned by the reader; *n set to their number. */
RF_API const char *const *rf_reader_warnings(const rf_reader *r, size_t *n);
/* The format in use (after sniffing, once the first record was read). */
RF_API rf_format rf_reader_format(const rf_reader *r);
/* Close the reader (not the stream); NULL is fine. */
RF_API void rf_reader_destroy(rf_reader *r);
/* Fill rec (reset first) from one JSON object in json[0..len) with the same
 * rules as the JSONL reader (types checked, countries mapped, UTF-8 checked).
 * RF_OK, or RF_EINPUT with a message in err (errlen bytes, NUL-terminated).
 * Used by the rule compiler for `expect hit {…}` examples. */
RF_API int rf_record_from_json(const char *json, size_t len, rf_record *rec, char *err,
                               size_t errlen);
/* Parse "jsonl", "json", "csv", "xlsx", "ubl" (also "peppol"), "ocds", "eforms",
 * "auto"; -1 when unknown. A document format (ubl, ocds, eforms) reads the
 * whole stream, up to RF_MAX_DOC_BYTES, as one document: a document that
 * cannot be read yields one RF_EINPUT naming the file and line, then RF_EOF. */
RF_API int rf_format_parse(const char *name);

#endif
