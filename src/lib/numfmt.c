/* Numbers as spreadsheets and office systems write them in text: decimal
 * commas, thousands separators (".", ",", spaces, no-break spaces, "'"),
 * accounting negatives "(12.50)" and trailing minus "12,50-" (SAP). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "reader_int.h"

#define MAXGROUPS 24

/* Length of a separator at s (1..3 bytes), its class in *cls ('.', ',' or
 * 'S' for a space-like thousands mark); 0 when s is no separator. */
static size_t sep_at(const unsigned char *s, size_t left, char *cls)
{
    if (s[0] == '.' || s[0] == ',') {
        *cls = (char)s[0];
        return 1;
    }
    *cls = 'S';
    if (s[0] == ' ' || s[0] == '\'')
        return 1;
    if (left >= 2 && s[0] == 0xC2 && s[1] == 0xA0)                   /* U+00A0 */
        return 2;
    if (left >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xAF || s[2] == 0x89))
        return 3;                                                    /* U+202F, U+2009 */
    return 0;
}

/* Strip the sign forms; true when the number is negative. */
static bool take_sign(const char **s, size_t *len)
{
    bool neg = false;
    if (*len >= 2 && (*s)[0] == '(' && (*s)[*len - 1] == ')') {
        (*s)++;
        *len -= 2;
        neg = true;
    } else if (*len >= 2 && ((*s)[0] == '-' || (*s)[0] == '+')) {
        neg = (*s)[0] == '-';
        (*s)++;
        (*len)--;
    } else if (*len >= 2 && (*s)[*len - 1] == '-') {
        (*len)--;
        neg = true;
    }
    return neg;
}

/* A plain number with an exponent ("1.5e3"): strict decimal syntax. */
static bool parse_exp(const char *s, size_t len, double *out)
{
    char tmp[64], *end;
    if (len >= sizeof tmp || strchr("0123456789.", s[0]) == NULL)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789.eE+-", tmp[i]))
            return false;
    *out = strtod(tmp, &end);
    return *end == '\0' && isfinite(*out);
}

/* Parse a number in any of the office layouts (see reader_int.h). */
bool numfmt_parse(const char *s, size_t len, char hint, double *out, char *seen)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    bool neg = take_sign(&s, &len);
    if (len == 0)
        return false;
    if (memchr(s, 'e', len) || memchr(s, 'E', len)) {
        if (!parse_exp(s, len, out))
            return false;
        *out = neg ? -*out : *out;
        return true;
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t gstart[MAXGROUPS], glen[MAXGROUPS], ng = 0, i = 0;
    char seps[MAXGROUPS];
    for (;;) {                                   /* digit groups and separators */
        size_t st = i;
        while (i < len && u[i] >= '0' && u[i] <= '9')
            i++;
        if (ng == MAXGROUPS)
            return false;
        gstart[ng] = st;
        glen[ng++] = i - st;
        if (i == len)
            break;
        char cls;
        size_t w = sep_at(u + i, len - i, &cls);
        if (w == 0 || ng == MAXGROUPS)
            return false;
        seps[ng - 1] = cls;
        i += w;
    }
    size_t k = ng - 1;                           /* separators */
    for (size_t g = 1; g < ng; g++)
        if (glen[g] == 0)
            return false;
    if (glen[0] == 0 && !(k == 1 && seps[0] != 'S'))
        return false;
    char dec = 0;                                /* the decimal mark, if any */
    bool sure = true;
    if (k > 0 && seps[k - 1] != 'S') {
        char last = seps[k - 1], other = last == '.' ? ',' : '.';
        size_t cl = 0, co = 0, cs = 0;
        for (size_t j = 0; j < k; j++)
            cl += seps[j] == last, co += seps[j] == other, cs += seps[j] == 'S';
        if (co > 0 || cs > 0)
            dec = cl == 1 ? last : 0;
        if ((co > 0 || cs > 0) && cl != 1)
            return false;
        if (co == 0 && cs == 0 && cl == 1) {
            if (glen[1] != 3 || glen[0] == 0 || glen[0] > 3 ||
                (glen[0] == 1 && u[gstart[0]] == '0'))
                dec = last;
            else {
                dec = last == hint ? last : 0;
                sure = false;
            }
        }
    }
    size_t nint = dec ? ng - 1 : ng;             /* groups of the integer part */
    char thou = 0;
    for (size_t j = 0; j + 1 < nint; j++) {
        if (thou && seps[j] != thou)
            return false;
        thou = seps[j];
        if (glen[j + 1] != 3 || (j == 0 && (glen[0] == 0 || glen[0] > 3)))
            return false;
    }
    if (thou && thou == dec)
        return false;
    char tmp[96];
    size_t t = 0;
    if (neg)
        tmp[t++] = '-';
    for (size_t g = 0; g < ng; g++) {
        if (t + glen[g] + 2 >= sizeof tmp)
            return false;
        if (dec && g == ng - 1)
            tmp[t++] = '.';
        memcpy(tmp + t, s + gstart[g], glen[g]);
        t += glen[g];
    }
    tmp[t] = '\0';
    if (seen && sure && (dec || (thou && thou != 'S')))
        *seen = dec ? dec : (thou == '.' ? ',' : '.');
    *out = strtod(tmp, NULL);
    return isfinite(*out);
}
