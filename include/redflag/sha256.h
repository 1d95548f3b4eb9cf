/* redflag — SHA-256 (FIPS 180-4), for feed provenance hashes.
 *
 * A small streaming implementation so the library needs no crypto library:
 * libcurl does not export one and GnuTLS/OpenSSL are not linked. Used by the
 * fetcher (hash computed while the body streams) and by the index (a feed's
 * recorded hash). Not for passwords or keys. */
#ifndef REDFLAG_SHA256_H
#define REDFLAG_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include "redflag/common.h"

#define RF_SHA256_LEN 32  /* digest bytes */
#define RF_SHA256_HEX 65  /* hex digest plus NUL */

/* Hashing state; plain data, lives wherever the caller puts it. */
typedef struct rf_sha256 {
    uint32_t h[8];
    uint64_t nbytes;          /* message length so far */
    unsigned char buf[64];    /* partial block */
    size_t nbuf;
} rf_sha256;

/* Start a new hash. */
RF_API void rf_sha256_init(rf_sha256 *c);
/* Add len bytes (len may be 0; data may be NULL then). */
RF_API void rf_sha256_update(rf_sha256 *c, const void *data, size_t len);
/* Finish: write the 32-byte digest to out. c must be re-initialised to reuse. */
RF_API void rf_sha256_final(rf_sha256 *c, unsigned char out[RF_SHA256_LEN]);
/* Lower-case hex of a digest into hex (65 bytes, NUL-terminated). */
RF_API void rf_sha256_hex(const unsigned char digest[RF_SHA256_LEN], char hex[RF_SHA256_HEX]);
/* One-shot: hex digest of data[0..len). */
RF_API void rf_sha256_buf(const void *data, size_t len, char hex[RF_SHA256_HEX]);

#endif
