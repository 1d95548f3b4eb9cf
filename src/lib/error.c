/* Error codes to text, and the library version. */
#include "redflag/common.h"

#ifndef RF_VERSION
#define RF_VERSION "0.0.0"
#endif

/* Describe an rf_err code. */
const char *rf_strerror(int err)
{
    switch (err) {
    case RF_OK: return "success";
    case RF_EOF: return "end of input";
    case RF_ENOMEM: return "out of memory";
    case RF_EINVAL: return "invalid argument";
    case RF_EINPUT: return "invalid input";
    case RF_ESYNTAX: return "rule syntax error";
    case RF_EIO: return "input/output error";
    case RF_ENET: return "network error";
    case RF_ESTORE: return "storage error";
    case RF_ELIMIT: return "limit exceeded";
    case RF_ENOTFOUND: return "not found";
    default: return "unknown error";
    }
}

/* The version string baked in at build time. */
const char *rf_version(void)
{
    return RF_VERSION;
}
