/* libFuzzer target: the XLSX reader on arbitrary bytes (a stream that cannot
 * seek, so the workbook is read into memory, as from a pipe). The first byte
 * picks the sheet: the first, "Notes", or "Suppliers". Every record must come
 * back as a record or a clean RF_EINPUT. */
#include <stdint.h>
#include <stdio.h>
#include "redflag/reader.h"

/* Read every row of the workbook in data[1..n). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (n < 1)
        return 0;
    static const char *const sheets[] = {NULL, "Notes", "Suppliers"};
    FILE *fp = fmemopen((void *)(data + 1), n - 1, "rb");
    if (!fp)
        return 0;
    rf_reader *r = NULL;
    rf_record *rec = NULL;
    if (rf_record_create(&rec) == RF_OK &&
        rf_reader_open(&r, fp, "fuzz", RF_FMT_XLSX, NULL) == RF_OK &&
        rf_reader_set_sheet(r, sheets[data[0] % 3]) == RF_OK) {
        int rc;
        while ((rc = rf_reader_next(r, rec)) == RF_OK || rc == RF_EINPUT)
            ;
    }
    rf_reader_destroy(r);
    rf_record_destroy(rec);
    fclose(fp);
    return 0;
}
