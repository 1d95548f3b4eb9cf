/* SHA-256 through OpenSSL's EVP digest interface (see sha256.h). */
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
#include "redflag/sha256.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetch the SHA-256 implementation once, so no hash pays for the lookup. */
static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* Start a new hash. */
int rf_sha256_init(rf_sha256 *c)
{
    c->ctx = NULL;
    c->failed = 1;
    pthread_once(&sha256_once, sha256_fetch);
    if (!sha256_md || !(c->ctx = EVP_MD_CTX_new()))
        return RF_ENOMEM;
    if (EVP_DigestInit_ex2(c->ctx, sha256_md, NULL) != 1) {
        rf_sha256_free(c);
        return RF_ENOMEM;
    }
    c->failed = 0;
    return RF_OK;
}

/* Add len bytes. */
int rf_sha256_update(rf_sha256 *c, const void *data, size_t len)
{
    if (c->failed || !c->ctx)
        return RF_ENOMEM;
    if (len && EVP_DigestUpdate(c->ctx, data, len) != 1)
        c->failed = 1;
    return c->failed ? RF_ENOMEM : RF_OK;
}

/* Finish, write the digest and release the context. */
int rf_sha256_final(rf_sha256 *c, unsigned char out[RF_SHA256_LEN])
{
    unsigned int n = 0;
    int ok = !c->failed && c->ctx && EVP_DigestFinal_ex(c->ctx, out, &n) == 1 &&
             n == RF_SHA256_LEN;
    if (!ok)
        memset(out, 0, RF_SHA256_LEN);
    rf_sha256_free(c);
    return ok ? RF_OK : RF_ENOMEM;
}

/* Release the context of an unfinished hash. */
void rf_sha256_free(rf_sha256 *c)
{
    EVP_MD_CTX_free(c->ctx);
    c->ctx = NULL;
}

/* Lower-case hex of a digest. */
void rf_sha256_hex(const unsigned char digest[RF_SHA256_LEN], char hex[RF_SHA256_HEX])
{
    static const char xd[] = "0123456789abcdef";
    for (int i = 0; i < RF_SHA256_LEN; i++) {
        hex[2 * i] = xd[digest[i] >> 4];
        hex[2 * i + 1] = xd[digest[i] & 15];
    }
    hex[RF_SHA256_HEX - 1] = '\0';
}

/* One-shot hex digest. */
int rf_sha256_buf(const void *data, size_t len, char hex[RF_SHA256_HEX])
{
    unsigned char d[RF_SHA256_LEN];
    unsigned int n = 0;
    pthread_once(&sha256_once, sha256_fetch);
    if (!sha256_md || EVP_Digest(data, len, d, &n, sha256_md, NULL) != 1 || n != RF_SHA256_LEN) {
        hex[0] = '\0';
        return RF_ENOMEM;
    }
    rf_sha256_hex(d, hex);
    return RF_OK;
}
