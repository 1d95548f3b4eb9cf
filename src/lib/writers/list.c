/* The output formats: one line each. A new writer is one file in this folder
 * exporting a writer_ops, plus its line here (and its rf_output value). */
#include <string.h>
#include "writer_int.h"

const writer_ops *const writer_list[] = {
    &writer_jsonl,
    &writer_csv,
    &writer_table,
    &writer_html,
    &writer_xlsx,
    NULL,
};

/* The writer of an output format, or NULL. */
const writer_ops *writer_ops_of(rf_output fmt)
{
    for (size_t i = 0; writer_list[i]; i++)
        if (writer_list[i]->fmt == fmt)
            return writer_list[i];
    return NULL;
}

/* Parse an output format name: -1 when unknown. */
int rf_output_parse(const char *name)
{
    for (size_t i = 0; name && writer_list[i]; i++)
        if (strcmp(name, writer_list[i]->name) == 0)
            return (int)writer_list[i]->fmt;
    return -1;
}
