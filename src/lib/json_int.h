/* Internal: whole JSON documents as YAJL trees (yajl_tree), parsed strictly,
 * with the line and column of the first error, and read-only accessors.
 * Used by the OCDS reader, the FollowTheMoney feed and the feed metadata.
 * The tree is owned by the caller (yajl_tree_free). Thread-safe. */
#ifndef REDFLAG_JSON_INT_H
#define REDFLAG_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#define RF_JSON_MAX_DEPTH 2048 /* nesting refused beyond this (jansson's limit before) */

/* Where and why a text is not acceptable JSON. */
typedef struct rf_json_err {
    long line;        /* 1-based line of the error; 0 when unknown (duplicate key) */
    long column;      /* 1-based byte column in that line; 0 when unknown */
    bool premature;   /* the text ended inside a value (it may be a prefix) */
    char text[160];   /* what is wrong, without the position */
} rf_json_err;

/* Parse s[0..len) into *out. Strict: UTF-8, no comments, no NUL in strings or
 * keys, at most maxdepth nesting, duplicate keys refused when no_dups. RF_OK,
 * RF_EINPUT with e filled, or RF_ENOMEM. */
int rf_json_parse(const char *s, size_t len, int maxdepth, bool no_dups, yajl_val *out,
                  rf_json_err *e);
/* The value of the last member named key, or NULL (also when o is no object). */
yajl_val rf_json_get(yajl_val o, const char *key);
/* The text of a string value, or NULL. */
const char *rf_json_str(yajl_val v);
/* Member key's string value, or NULL. */
const char *rf_json_get_str(yajl_val o, const char *key);
/* Whether v is a number written as an integer (no fraction, no exponent). */
bool rf_json_is_int(yajl_val v);
/* Value of a number as a double (integers converted); 0 for anything else. */
double rf_json_num(yajl_val v);
/* Number of elements of an array; 0 for anything else. */
size_t rf_json_len(yajl_val a);
/* Element i of an array, or NULL. */
yajl_val rf_json_at(yajl_val a, size_t i);

#endif
