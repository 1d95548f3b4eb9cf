/* The input formats: one line each. A new reader is one file in this folder
 * exporting a reader_ops, plus its line here (and its rf_format value). */
#include <string.h>
#include <strings.h>
#include "reader_int.h"

const reader_ops *const reader_list[] = {
    &reader_jsonl,
    &reader_csv,
    &reader_ubl,
    &reader_ocds,
    &reader_eforms,
    &reader_xlsx,
    NULL,
};

/* The reader of a format, or NULL (RF_FMT_AUTO has none). */
const reader_ops *reader_ops_of(rf_format fmt)
{
    for (size_t i = 0; reader_list[i]; i++)
        if (reader_list[i]->fmt == fmt)
            return reader_list[i];
    return NULL;
}

/* True when name is one of the space-separated words of names (any case). */
static bool named(const char *names, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = names; *p;) {
        size_t w = strcspn(p, " ");
        if (w == n && strncasecmp(p, name, n) == 0)
            return true;
        p += w + (p[w] == ' ');
    }
    return false;
}

/* Parse a format name: -1 when unknown. */
int rf_format_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcasecmp(name, "auto") == 0)
        return RF_FMT_AUTO;
    for (size_t i = 0; reader_list[i]; i++)
        if (named(reader_list[i]->names, name))
            return (int)reader_list[i]->fmt;
    return -1;
}
