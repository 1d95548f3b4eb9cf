/* Whole JSON documents as YAJL trees (see json_int.h). A first pass with
 * YAJL's event parser checks what yajl_tree_parse does not (comments, depth,
 * NUL in strings, integer and real overflow, duplicate keys) and finds the
 * error position; yajl_tree_parse then builds the tree of a valid text. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include "redflag/common.h"
#include "json_int.h"

/* The first pass's state: nesting, and the first problem found by a callback. */
typedef struct check_ctx {
    int depth, maxdepth;
    char text[160];
} check_ctx;

/* Record a problem; returns 0 so YAJL stops. */
static int check_fail(check_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int check_fail(check_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->text, sizeof c->text, fmt, ap);
    va_end(ap);
    return 0;
}

/* A number: integers must fit 64 bits and reals must be finite (as before). */
static int check_number(void *ctx, const char *s, size_t n)
{
    char buf[512];
    if (n >= sizeof buf)
        return check_fail(ctx, "number too long");
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    if (!memchr(s, '.', n) && !memchr(s, 'e', n) && !memchr(s, 'E', n)) {
        (void)strtoll(buf, NULL, 10);
        return errno == ERANGE ? check_fail(ctx, "too big integer") : 1;
    }
    double d = strtod(buf, NULL);
    return errno == ERANGE && isinf(d) ? check_fail(ctx, "real number overflow") : 1;
}

/* A string or key: no NUL inside (the tree keeps C strings). */
static int check_string(void *ctx, const unsigned char *s, size_t n)
{
    return memchr(s, '\0', n) ? check_fail(ctx, "\\u0000 is not allowed") : 1;
}

/* '{' or '[': one level deeper. */
static int check_open(void *ctx)
{
    check_ctx *c = ctx;
    if (++c->depth > c->maxdepth)
        return check_fail(c, "nesting deeper than %d levels", c->maxdepth);
    return 1;
}

/* '}' or ']'. */
static int check_close(void *ctx)
{
    ((check_ctx *)ctx)->depth--;
    return 1;
}

static const yajl_callbacks check_callbacks = {
    NULL, NULL, NULL, NULL, check_number, check_string,
    check_open, check_string, check_close, check_open, check_close,
};

/* Line and column of byte offset off. */
static void locate(const char *s, size_t len, size_t off, rf_json_err *e)
{
    e->line = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off && i < len; i++)
        if (s[i] == '\n') {
            e->line++;
            bol = i + 1;
        }
    e->column = (long)(off - bol) + 1;
}

/* YAJL's own message for a syntax error, first line, without "parse error: ". */
static void syntax_text(yajl_handle h, rf_json_err *e)
{
    unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
    const char *m = msg ? (const char *)msg : "syntax error";
    if (strncmp(m, "parse error: ", 13) == 0)
        m += 13;
    snprintf(e->text, sizeof e->text, "%.*s", (int)strcspn(m, "\n"), m);
    if (msg)
        yajl_free_error(h, msg);
}

/* The first pass over s: RF_OK, RF_EINPUT with e filled, or RF_ENOMEM. */
static int check_text(const char *s, size_t len, int maxdepth, rf_json_err *e)
{
    check_ctx c = {.maxdepth = maxdepth};
    yajl_handle h = yajl_alloc(&check_callbacks, NULL, &c);
    if (!h)
        return RF_ENOMEM;
    yajl_status st = yajl_parse(h, (const unsigned char *)s, len);
    bool whole = st == yajl_status_ok;
    if (whole)
        st = yajl_complete_parse(h);
    int rc = RF_OK;
    if (st != yajl_status_ok) {
        size_t off = whole ? len : yajl_get_bytes_consumed(h);
        if (st == yajl_status_client_canceled && off)
            off--; /* the callback fires once the token is read */
        locate(s, len, off, e);
        e->premature = whole;
        if (st == yajl_status_client_canceled)
            snprintf(e->text, sizeof e->text, "%s", c.text);
        else
            syntax_text(h, e);
        rc = RF_EINPUT;
    }
    yajl_free(h);
    return rc;
}

/* Compare two keys through pointers, for qsort. */
static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first key that appears twice in one object of the tree, or NULL. */
static const char *dup_key(yajl_val v, const char ***scratch, size_t *cap)
{
    if (YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++) {
            const char *k = dup_key(v->u.array.values[i], scratch, cap);
            if (k)
                return k;
        }
    }
    if (!YAJL_IS_OBJECT(v))
        return NULL;
    size_t n = v->u.object.len;
    if (n > *cap) {
        const char **p = realloc(*scratch, n * sizeof *p);
        if (!p)
            return "";  /* reported as out of memory */
        *scratch = p;
        *cap = n;
    }
    if (n > 1) { /* an empty object has no key array at all */
        memcpy(*scratch, v->u.object.keys, n * sizeof **scratch);
        qsort(*scratch, n, sizeof **scratch, key_cmp);
        for (size_t i = 1; i < n; i++)
            if (strcmp((*scratch)[i - 1], (*scratch)[i]) == 0)
                return (*scratch)[i];
    }
    for (size_t i = 0; i < n; i++) {
        const char *k = dup_key(v->u.object.values[i], scratch, cap);
        if (k)
            return k;
    }
    return NULL;
}

/* Refuse a tree with a duplicate key; RF_OK, RF_EINPUT or RF_ENOMEM. */
static int check_dups(yajl_val v, rf_json_err *e)
{
    const char **scratch = NULL;
    size_t cap = 0;
    const char *k = dup_key(v, &scratch, &cap);
    int rc = !k ? RF_OK : *k ? RF_EINPUT : RF_ENOMEM;
    if (rc == RF_EINPUT)
        snprintf(e->text, sizeof e->text, "duplicate object key \"%.100s\"", k);
    free(scratch);
    return rc;
}

/* Parse a whole JSON text into a tree. */
int rf_json_parse(const char *s, size_t len, int maxdepth, bool no_dups, yajl_val *out,
                  rf_json_err *e)
{
    *out = NULL;
    memset(e, 0, sizeof *e);
    int rc = check_text(s, len, maxdepth, e);
    if (rc != RF_OK)
        return rc;
    char *z = malloc(len + 1), err[128];
    if (!z)
        return RF_ENOMEM;
    memcpy(z, s, len);
    z[len] = '\0';
    *out = yajl_tree_parse(z, err, sizeof err);
    free(z);
    if (!*out)  /* the text was valid: only memory can fail here */
        return RF_ENOMEM;
    rc = no_dups ? check_dups(*out, e) : RF_OK;
    if (rc != RF_OK) {
        yajl_tree_free(*out);
        *out = NULL;
        e->line = 0;
        e->column = 0;
    }
    return rc;
}

/* The value of the last member named key. */
yajl_val rf_json_get(yajl_val o, const char *key)
{
    if (!YAJL_IS_OBJECT(o))
        return NULL;
    for (size_t i = o->u.object.len; i-- > 0;)
        if (strcmp(o->u.object.keys[i], key) == 0)
            return o->u.object.values[i];
    return NULL;
}

/* The text of a string value. */
const char *rf_json_str(yajl_val v)
{
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* A member's string value. */
const char *rf_json_get_str(yajl_val o, const char *key)
{
    return rf_json_str(rf_json_get(o, key));
}

/* Whether v is a JSON integer (yajl_tree marks "1.5" integer-valid too). */
bool rf_json_is_int(yajl_val v)
{
    return YAJL_IS_NUMBER(v) && (v->u.number.flags & YAJL_NUMBER_INT_VALID) &&
           !strpbrk(v->u.number.r, ".eE");
}

/* Value of a number as a double. */
double rf_json_num(yajl_val v)
{
    if (rf_json_is_int(v))
        return (double)v->u.number.i;
    return YAJL_IS_NUMBER(v) ? v->u.number.d : 0;
}

/* Number of elements of an array. */
size_t rf_json_len(yajl_val a)
{
    return YAJL_IS_ARRAY(a) ? a->u.array.len : 0;
}

/* Element i of an array. */
yajl_val rf_json_at(yajl_val a, size_t i)
{
    return i < rf_json_len(a) ? a->u.array.values[i] : NULL;
}
