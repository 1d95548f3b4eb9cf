/* libFuzzer target: the feed list parser (feeds.conf) on arbitrary bytes,
 * handed over as a file (memfd). Errors must come back as a diagnostic with a
 * line, never a crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "redflag/feedconf.h"

/* Load data[0..n) as a feeds.conf. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    int fd = memfd_create("feeds.conf", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, n) == (ssize_t)n) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        rf_feedconf *c = NULL;
        rf_diag d;
        if (rf_feedconf_load(&c, path, &d) == RF_OK)
            rf_feedconf_destroy(c);
    }
    close(fd);
    return 0;
}
