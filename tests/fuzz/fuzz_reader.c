/* libFuzzer target: every reader (JSONL, CSV, UBL, OCDS, eForms, detection) on
 * arbitrary bytes. The first byte picks the format; every record must come
 * back as a record or a clean RF_EINPUT, never a crash, hang or leak. */
#include <stdint.h>
#include <stdio.h>
#include "redflag/reader.h"

/* Read every record of data[0..n) with the format chosen by its first byte. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (n < 1)
        return 0;
    static const rf_format fmts[] = {RF_FMT_JSONL, RF_FMT_CSV, RF_FMT_AUTO,
                                     RF_FMT_UBL,   RF_FMT_OCDS, RF_FMT_EFORMS};
    rf_format fmt = fmts[data[0] % 6];
    FILE *fp = fmemopen((void *)(data + 1), n - 1, "rb");
    if (!fp)
        return 0;
    rf_reader *r = NULL;
    rf_record *rec = NULL;
    static const char *maps[] = {"text=notes", "supplier.name=Vendor"};
    rf_csv_map map = {maps, 2};
    if (rf_record_create(&rec) == RF_OK && rf_reader_open(&r, fp, "fuzz", fmt, &map) == RF_OK) {
        int rc;
        while ((rc = rf_reader_next(r, rec)) == RF_OK || rc == RF_EINPUT)
            ;
    }
    rf_reader_destroy(r);
    rf_record_destroy(rec);
    fclose(fp);
    return 0;
}
