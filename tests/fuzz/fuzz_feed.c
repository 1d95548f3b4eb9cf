/* libFuzzer target: every feed parser (RF_FEED_FORMATS, through its ops) on
 * arbitrary bytes. The first byte picks the format; a parse must end with an
 * entity stream or a clean error in the diag, never a crash, hang or leak. */
#include <stdint.h>
#include <stdio.h>
#include "feed_int.h"

/* Count what the parser delivers. */
static int count_entity(const rf_entity *e, void *ud)
{
    (void)e;
    ++*(size_t *)ud;
    return 0;
}

/* Count goods rows. */
static int count_goods(const rf_goods *g, void *ud)
{
    (void)g;
    ++*(size_t *)ud;
    return 0;
}

/* Parse data[1..n) as the format data[0] picks. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (n < 1)
        return 0;
    rf_feed_format f = (rf_feed_format)(data[0] % RF_FEED_NFORMATS);
    static const char *const map[] = {"name=Name", "id=ID", "country=Country",
                                      "aliases[;]=Aliases", "ident.lei=LEI"};
    rf_feed_def def = {.name = "fuzz", .format = f, .map = map, .nmap = 5};
    rf_feed_src src = {.data = (const char *)data + 1, .len = n - 1, .list = "fuzz"};
    rf_feed_diag d;
    size_t count = 0;
    feed_parse(feed_ops_of(f), &def, &src, 1, count_entity, count_goods, &count, &d);
    return 0;
}
