/* libFuzzer target: CSV as offices write it on arbitrary bytes. The first
 * byte picks the encoding (auto, UTF-16LE, UTF-16BE, Windows-1252, Latin-1,
 * UTF-8) and the delimiter (sniffed, ',', ';', TAB); the rest is the file.
 * Every record must come back as a record or a clean RF_EINPUT. */
#include <stdint.h>
#include <stdio.h>
#include "redflag/reader.h"

/* Read every record of data[1..n) with the settings chosen by data[0]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (n < 1)
        return 0;
    static const char *const encs[] = {"auto", "utf-16le", "utf-16be", "windows-1252",
                                       "latin1", "utf-8"};
    static const char delims[] = {0, ',', ';', '\t'};
    FILE *fp = fmemopen((void *)(data + 1), n - 1, "rb");
    if (!fp)
        return 0;
    rf_reader *r = NULL;
    rf_record *rec = NULL;
    rf_format fmt = data[0] & 0x80 ? RF_FMT_CSV : RF_FMT_AUTO;
    if (rf_record_create(&rec) == RF_OK && rf_reader_open(&r, fp, "fuzz", fmt, NULL) == RF_OK &&
        rf_reader_set_encoding(r, encs[(data[0] & 0x7) % 6]) == RF_OK &&
        rf_reader_set_delimiter(r, delims[(data[0] >> 3) & 3]) == RF_OK) {
        int rc;
        while ((rc = rf_reader_next(r, rec)) == RF_OK || rc == RF_EINPUT)
            ;
    }
    rf_reader_destroy(r);
    rf_record_destroy(rec);
    fclose(fp);
    return 0;
}
