/* redflag — whether a data directory may be trusted (docs/SECURITY.md "Other local
 * users"), checked as OpenSSH's StrictModes checks ~/.ssh: whoever can write the
 * index, the cache or the feed copies can change verdicts. */
#ifndef REDFLAG_DATADIR_H
#define REDFLAG_DATADIR_H

#include <stddef.h>
#include "redflag/common.h"

/* Check the data directory dir, its `index` (the symlink, which must name a
 * generation inside dir, and that generation's files), `cache` (a directory,
 * never a symlink) and `feeds` (and each feed's copies): each that exists must
 * be owned by the effective user (or root) and not writable by group or others.
 * A dir that does not exist yet is fine (it is created 0700). RF_OK, or RF_EIO
 * with why (caller's buffer, whylen bytes) naming the path and the fix. */
RF_API int rf_data_dir_check(const char *dir, char *why, size_t whylen);

#endif
