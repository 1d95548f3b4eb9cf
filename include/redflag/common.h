/* redflag — shared definitions: API visibility, the error enum. */
#ifndef REDFLAG_COMMON_H
#define REDFLAG_COMMON_H

#include <stddef.h>

#define RF_API __attribute__((visibility("default")))

/* Every library function that can fail returns one of these (0 is success).
 * Detail (file:line:col, the library's own message) goes into the object's
 * error context, read with the module's *_error() function. */
typedef enum rf_err {
    RF_OK = 0,
    RF_EOF = 1,        /* no more input: not an error */
    RF_ENOMEM = -1,    /* allocation failed */
    RF_EINVAL = -2,    /* bad argument from the caller */
    RF_EINPUT = -3,    /* a record or document could not be read */
    RF_ESYNTAX = -4,   /* a rule file does not compile */
    RF_EIO = -5,       /* reading or writing a file or stream failed */
    RF_ENET = -6,      /* network failure */
    RF_ESTORE = -7,    /* LMDB / storage failure */
    RF_ELIMIT = -8,    /* a size, depth or match limit was reached */
    RF_ENOTFOUND = -9  /* a named thing does not exist */
} rf_err;

/* A short English description of an error code; never NULL, static storage. */
RF_API const char *rf_strerror(int err);

/* The library version, e.g. "0.1.0"; static storage. */
RF_API const char *rf_version(void);

#endif
