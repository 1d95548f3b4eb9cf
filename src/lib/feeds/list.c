/* The feed formats, from the one list in feedconf.h (RF_FEED_FORMATS): a new
 * format is one file in this folder exporting feed_<name> (a feed_ops), plus
 * its line there. */
#include <string.h>
#include "feed_int.h"

#define DECLARE(E, n) extern const feed_ops feed_##n;
RF_FEED_FORMATS(DECLARE)
#undef DECLARE

#define ENTRY(E, n) [RF_FEED_##E] = &feed_##n,
static const feed_ops *const list[RF_FEED_NFORMATS] = {RF_FEED_FORMATS(ENTRY)};
#undef ENTRY

/* The parser of a format, or NULL. */
const feed_ops *feed_ops_of(rf_feed_format f)
{
    return (int)f >= 0 && f < RF_FEED_NFORMATS ? list[f] : NULL;
}

/* The format called name, or -1. */
int feed_format_named(const char *name)
{
    for (int i = 0; name && i < RF_FEED_NFORMATS; i++)
        if (strcmp(list[i]->name, name) == 0)
            return i;
    return -1;
}

/* Parse a feed's files: all at once, or each in turn with the one-file parser. */
int feed_parse(const feed_ops *ops, const rf_feed_def *def, const rf_feed_src *src, size_t n,
               rf_entity_cb ecb, rf_goods_cb gcb, void *ud, rf_feed_diag *d)
{
    if (ops->parse)
        return ops->parse(def, src, n, ecb, gcb, ud, d);
    return feed_each_file(src, n, ops->parse_one, ecb, ud, d);
}
