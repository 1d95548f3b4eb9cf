/* `rules test`: run every rule's own examples. */
#include <string.h>
#include "redflag/reader.h"
#include "rules_int.h"

/* Fill rec from one example: JSON record, or text in the rule's first field. */
static int example_record(const rule *r, const example *ex, rf_record *rec)
{
    rf_record_reset(rec);
    if (ex->json) {
        char err[256];
        return rf_record_from_json(ex->text, strlen(ex->text), rec, err, sizeof err);
    }
    return rf_record_add(rec, r->fields[0], ex->text, strlen(ex->text));
}

/* Run every example of every rule, reporting each outcome to cb. */
int rf_ruleset_test(const rf_ruleset *rs, rf_example_cb cb, void *ud, size_t *total,
                    size_t *failed)
{
    rf_record *rec = NULL;
    rf_scanner *sc = NULL;
    *total = *failed = 0;
    int rc = rf_record_create(&rec);
    if (rc == RF_OK)
        rc = rf_scanner_create(&sc, rs);
    for (size_t i = 0; rc == RF_OK && i < rs->nrules; i++) {
        const rule *r = &rs->rules[i];
        for (size_t j = 0; rc == RF_OK && j < r->nex; j++) {
            const example *ex = &r->ex[j];
            if ((rc = example_record(r, ex, rec)) != RF_OK)
                break;
            scanner_begin(sc, rec);
            rf_example_outcome o = {&r->info, ex->hit, scanner_rule_fires(sc, r), ex->text,
                                    ex->line};
            (*total)++;
            if (o.fired != o.expect_hit)
                (*failed)++;
            if (cb)
                cb(&o, ud);
        }
    }
    rf_scanner_destroy(sc);
    rf_record_destroy(rec);
    return rc;
}

/* Whether rule i fires on text put in its first field, as a text example is run. */
int rf_ruleset_try_text(const rf_ruleset *rs, size_t i, const char *text, size_t len,
                        bool *fired)
{
    if (i >= rs->nrules || !rs->rules[i].nfields)
        return RF_EINVAL;
    rf_record *rec = NULL;
    rf_scanner *sc = NULL;
    int rc = rf_record_create(&rec);
    if (rc == RF_OK)
        rc = rf_scanner_create(&sc, rs);
    if (rc == RF_OK)
        rc = rf_record_add(rec, rs->rules[i].fields[0], text, len);
    if (rc == RF_OK) {
        scanner_begin(sc, rec);
        *fired = scanner_rule_fires(sc, &rs->rules[i]);
    }
    rf_scanner_destroy(sc);
    rf_record_destroy(rec);
    return rc;
}
