/* libFuzzer target: the shipped rules scanning arbitrary text, with the
 * prefilter on and off; the verdicts must agree and nothing may hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/rules.h"

static rf_ruleset *rs;
static rf_scanner *on, *off;
static rf_record *rec;
static rf_result *ra, *rb;

/* Compile the shipped rules once (RF_SRCDIR or the current directory). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *top = getenv("RF_SRCDIR");
    static char dir[4096], ex[4096];
    strcpy(dir, top ? top : ".");
    strcat(dir, "/rules");
    strcpy(ex, top ? top : ".");
    strcat(ex, "/examples/rules"); /* the lexicon example: languages, near, contexts */
    const char *paths[] = {dir, ex};
    rf_diag d;
    if (rf_ruleset_compile(&rs, paths, 2, &d) || rf_scanner_create(&on, rs) ||
        rf_scanner_create(&off, rs) || rf_record_create(&rec) || rf_result_create(&ra) ||
        rf_result_create(&rb))
        abort();
    rf_scanner_set_prefilter(off, false);
    return 0;
}

/* Scan data as the text and notes of a record; both scanners must agree. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    rf_record_reset(rec);
    rf_record_add(rec, RF_F_TEXT, (const char *)data, n);
    rf_record_add(rec, RF_F_SUPPLIER_NOTES, (const char *)data, n);
    rf_result_reset(ra);
    rf_result_reset(rb);
    rf_scanner_scan(on, rec, ra);
    rf_scanner_scan(off, rec, rb);
    if (ra->nflags != rb->nflags)
        abort();
    for (size_t i = 0; i < ra->nflags; i++)
        if (strcmp(ra->flags[i].rule, rb->flags[i].rule) ||
            strcmp(ra->flags[i].evidence, rb->flags[i].evidence))
            abort();
    return 0;
}
