/* libFuzzer target: the rule compiler on arbitrary rule text. A bad file must
 * give a diagnostic with a position, never a crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/lib/rules_int.h"

/* Parse data[0..n) as one rule file into a fresh ruleset and free it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    rf_ruleset *rs = calloc(1, sizeof *rs);
    rf_diag d;
    memset(&d, 0, sizeof d);
    if (!rs)
        return 0;
    int rc = rules_parse(rs, "fuzz.rules", (const char *)data, n, &d);
    if (rc == RF_OK)
        rc = rules_resolve(rs, &d);
    if (rc == RF_OK) /* lexicons, concept expressions and the PCRE2 of every variant */
        rc = rules_build_patterns(rs, &d);
    if (rc == RF_ESYNTAX && (d.line < 1 || !d.msg[0]))
        abort(); /* an error without a position or message */
    rf_ruleset_destroy(rs);
    return 0;
}
