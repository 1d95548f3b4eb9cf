/* JSON for the commands, with YAJL: strict parsing of one input line into a
 * tree, and compact output whose reals look as they always did. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include "cli.h"

/* A number token: integers must fit 64 bits, reals must be finite. */
static int check_number(void *ctx, const char *s, size_t n)
{
    char buf[512];
    const char **why = ctx;
    if (n >= sizeof buf) {
        *why = "number too long";
        return 0;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    if (!strpbrk(buf, ".eE")) {
        (void)strtoll(buf, NULL, 10);
        *why = errno == ERANGE ? "too big integer" : NULL;
    } else {
        double d = strtod(buf, NULL);
        *why = errno == ERANGE && isinf(d) ? "real number overflow" : NULL;
    }
    return !*why;
}

/* A string or key: no NUL inside (the tree keeps C strings). */
static int check_string(void *ctx, const unsigned char *s, size_t n)
{
    const char **why = ctx;
    *why = memchr(s, '\0', n) ? "\\u0000 is not allowed" : NULL;
    return !*why;
}

static const yajl_callbacks check_callbacks = {
    NULL, NULL, NULL, NULL, check_number, check_string, NULL, check_string, NULL, NULL, NULL,
};

/* Whether object o, or one inside it, repeats a key. */
static bool repeats_key(yajl_val v)
{
    if (YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++)
            if (repeats_key(v->u.array.values[i]))
                return true;
        return false;
    }
    if (!YAJL_IS_OBJECT(v))
        return false;
    for (size_t i = 0; i < v->u.object.len; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(v->u.object.keys[i], v->u.object.keys[j]) == 0)
                return true;
        if (repeats_key(v->u.object.values[i]))
            return true;
    }
    return false;
}

/* Check the text with the event parser; NULL, or what is wrong in err. */
static const char *check_text(const char *text, size_t len, char *err, size_t errlen)
{
    const char *why = NULL;
    yajl_handle h = yajl_alloc(&check_callbacks, NULL, (void *)&why);
    if (!h)
        return "out of memory";
    yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st == yajl_status_error) {
        unsigned char *m = yajl_get_error(h, 0, NULL, 0);
        const char *s = m ? (const char *)m : "syntax error";
        if (strncmp(s, "parse error: ", 13) == 0)
            s += 13;
        snprintf(err, errlen, "invalid JSON: %.*s at column %zu", (int)strcspn(s, "\n"), s,
                 yajl_get_bytes_consumed(h) + 1);
        yajl_free_error(h, m);
    } else if (st != yajl_status_ok) {
        snprintf(err, errlen, "invalid JSON: %s", why ? why : "stopped");
    }
    yajl_free(h);
    return st == yajl_status_ok ? NULL : err;
}

/* Parse one JSON text strictly (no comments, no repeated keys). */
const char *cli_json_parse(const char *text, yajl_val *out, char *err, size_t errlen)
{
    *out = NULL;
    if (check_text(text, strlen(text), err, errlen))
        return err;
    char ebuf[128];
    *out = yajl_tree_parse(text, ebuf, sizeof ebuf);
    if (!*out)
        return "out of memory";
    if (repeats_key(*out)) {
        yajl_tree_free(*out);
        *out = NULL;
        return "invalid JSON: duplicate object key";
    }
    return NULL;
}

/* A member's value (the last one named key), or NULL. */
yajl_val cli_json_get(yajl_val o, const char *key)
{
    for (size_t i = YAJL_IS_OBJECT(o) ? o->u.object.len : 0; i-- > 0;)
        if (strcmp(o->u.object.keys[i], key) == 0)
            return o->u.object.values[i];
    return NULL;
}

/* A compact generator that refuses invalid UTF-8; NULL when out of memory. */
yajl_gen cli_json_gen(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g)
        yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

/* Add a string (a key inside a map). */
void cli_json_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Add a real as "%.*g", with ".0" when it would read as an integer and the
 * exponent without '+' or leading zeros (the output's format since 0.1). */
void cli_json_real(yajl_gen g, double v, int precision)
{
    char buf[64];
    snprintf(buf, sizeof buf - 2, "%.*g", precision, v);
    if (!strpbrk(buf, ".e"))
        strcat(buf, ".0");
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        memmove(start, end, strlen(end) + 1);
    }
    yajl_gen_number(g, buf, strlen(buf));
}

/* Add a parsed value: integers as they were, reals at the given precision. */
void cli_json_tree(yajl_gen g, yajl_val v, int precision)
{
    if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            cli_json_str(g, v->u.object.keys[i]);
            cli_json_tree(g, v->u.object.values[i], precision);
        }
        yajl_gen_map_close(g);
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            cli_json_tree(g, v->u.array.values[i], precision);
        yajl_gen_array_close(g);
    } else if (YAJL_IS_STRING(v)) {
        cli_json_str(g, v->u.string);
    } else if (YAJL_IS_NUMBER(v) && !strpbrk(v->u.number.r, ".eE")) {
        yajl_gen_integer(g, v->u.number.i);
    } else if (YAJL_IS_NUMBER(v)) {
        cli_json_real(g, v->u.number.d, precision);
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else {
        yajl_gen_null(g);
    }
}

/* Print the generated text and a newline, then free g; 0, or -1 when the
 * text could not be generated (invalid UTF-8, out of memory). */
int cli_json_print(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    int rc = g && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok ? 0 : -1;
    if (rc == 0)
        printf("%.*s\n", (int)len, (const char *)buf);
    if (g)
        yajl_gen_free(g);
    return rc;
}
