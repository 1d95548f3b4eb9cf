/* FNV-1a, the one non-cryptographic hash of the library (private): rule
 * digests, the matcher's candidate table, the cache's memo, queue and profile
 * checksums, the report's supplier table. */
#ifndef REDFLAG_FNV_H
#define REDFLAG_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ull /* the offset basis */

/* Fold n bytes at p into the hash h (start from FNV1A_INIT). */
static inline uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

#endif
