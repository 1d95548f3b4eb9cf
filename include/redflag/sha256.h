/* redflag — SHA-256 (FIPS 180-4) for feed provenance, index generations and
 * cache keys, computed by OpenSSL's EVP interface (libcrypto).
 *
 * Used by the fetcher (hash computed while the body streams), the index (a
 * feed's recorded hash, the generation) and the cache (key of a long name).
 * Not for passwords or keys.
 *
 * Ownership: rf_sha256_init() allocates the OpenSSL context inside the
 * rf_sha256; rf_sha256_final() releases it, and so does rf_sha256_free() for
 * a hash abandoned before its end (safe on a released or zeroed rf_sha256).
 * One rf_sha256 belongs to one thread at a time; different ones may be used
 * in parallel. */
#ifndef REDFLAG_SHA256_H
#define REDFLAG_SHA256_H

#include <stddef.h>
#include "redflag/common.h"

#define RF_SHA256_LEN 32  /* digest bytes */
#define RF_SHA256_HEX 65  /* hex digest plus NUL */

struct evp_md_ctx_st;

/* Hashing state: lives wherever the caller puts it; the context is owned. */
typedef struct rf_sha256 {
    struct evp_md_ctx_st *ctx; /* NULL before init, after final or free, or on failure */
    int failed;                /* init or update failed: final reports RF_ENOMEM */
} rf_sha256;

/* Start a new hash. RF_OK, or RF_ENOMEM (final then fails too). */
RF_API int rf_sha256_init(rf_sha256 *c);
/* Add len bytes (len may be 0; data may be NULL then). RF_OK or RF_ENOMEM. */
RF_API int rf_sha256_update(rf_sha256 *c, const void *data, size_t len);
/* Finish: write the 32-byte digest to out and release the context. RF_OK, or
 * RF_ENOMEM after any failure (out is then all zero bytes). */
RF_API int rf_sha256_final(rf_sha256 *c, unsigned char out[RF_SHA256_LEN]);
/* Release a hash without finishing it; safe to call twice. */
RF_API void rf_sha256_free(rf_sha256 *c);
/* Lower-case hex of a digest into hex (65 bytes, NUL-terminated). */
RF_API void rf_sha256_hex(const unsigned char digest[RF_SHA256_LEN], char hex[RF_SHA256_HEX]);
/* One-shot: hex digest of data[0..len). RF_OK, or RF_ENOMEM (hex is then ""). */
RF_API int rf_sha256_buf(const void *data, size_t len, char hex[RF_SHA256_HEX]);

#endif
