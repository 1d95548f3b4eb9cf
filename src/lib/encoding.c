/* Input encodings: byte order marks, UTF-16 lines, and 8-bit text (Windows-1252,
 * Latin-1 or any ASCII-compatible iconv encoding) converted to UTF-8 line by line.
 *
 * Detection without reading ahead: a BOM decides (UTF-8, UTF-16 LE/BE); without
 * one the input is UTF-8 until the first line that is not valid UTF-8, and if no
 * earlier line held a valid multi-byte UTF-8 sequence the whole input is taken as
 * Windows-1252 from there on (what Excel and LibreOffice write on a Western
 * European desktop). Windows-1252 text with accented letters is almost never
 * valid UTF-8, so the test is decisive for the question an office file asks;
 * a statistical detector (uchardet) would need a sample read ahead of the first
 * record and guesses among dozens of charsets on short names. Bytes Windows-1252
 * leaves undefined decode as the C1 controls, as the WHATWG Encoding Standard
 * says; bytes another encoding cannot decode become 0xFF, which the readers then
 * report as a bad record naming the line. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "reader_int.h"

#define CP1252 "WINDOWS-1252"

/* Canonical iconv name for the names users type; NULL for "auto". */
static const char *enc_canon(const char *name)
{
    static const struct { const char *alias, *name; } names[] = {
        {"utf8", "UTF-8"}, {"utf-8", "UTF-8"}, {"cp1252", CP1252}, {"windows-1252", CP1252},
        {"win1252", CP1252}, {"ansi", CP1252}, {"latin1", "ISO-8859-1"},
        {"latin-1", "ISO-8859-1"}, {"iso-8859-1", "ISO-8859-1"}, {"utf16", "UTF-16"},
        {"utf-16", "UTF-16"}, {"utf-16le", "UTF-16LE"}, {"utf-16be", "UTF-16BE"},
    };
    if (strcasecmp(name, "auto") == 0)
        return NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].alias) == 0)
            return names[i].name;
    return name;
}

/* Open the converter from name to UTF-8 into e. */
static bool enc_iconv(enc_state *e, const char *name)
{
    if (e->cd)
        iconv_close((iconv_t)e->cd);
    e->cd = NULL;
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return false;
    e->cd = cd;
    snprintf(e->name, sizeof e->name, "%s", name);
    return true;
}

/* Choose the input encoding (before the first record). */
int enc_set(rf_reader *r, const char *name, char *err, size_t errlen)
{
    enc_state *e = &r->enc;
    const char *c = name ? enc_canon(name) : NULL;
    if (!c) {
        e->kind = ENC_AUTO;
        return RF_OK;
    }
    if (strncasecmp(c, "UTF-32", 6) == 0 || strncasecmp(c, "UCS-", 4) == 0 ||
        strncasecmp(c, "UTF-7", 5) == 0) {
        snprintf(err, errlen, "--encoding %s: not supported (UTF-8, UTF-16, or an "
                 "ASCII-compatible encoding such as windows-1252 or latin1)", name);
        return RF_EINVAL;
    }
    bool u16 = strncasecmp(c, "UTF-16", 6) == 0;
    const char *conv = u16 ? (strcasecmp(c, "UTF-16BE") == 0 ? "UTF-16BE" : "UTF-16LE") : c;
    if (strcmp(c, "UTF-8") != 0 && !enc_iconv(e, conv)) {
        snprintf(err, errlen, "--encoding %s: unknown encoding (see `iconv -l`)", name);
        return RF_EINVAL;
    }
    e->kind = strcmp(c, "UTF-8") == 0 ? ENC_UTF8 : !u16 ? ENC_8BIT
              : strcmp(conv, "UTF-16BE") == 0 ? ENC_UTF16BE : ENC_UTF16LE;
    e->forced = true;
    snprintf(e->name, sizeof e->name, "%s", u16 ? conv : c);
    return RF_OK;
}

/* Free the converter and buffers. */
void enc_close(rf_reader *r)
{
    if (r->enc.cd)
        iconv_close((iconv_t)r->enc.cd);
    free(r->enc.raw);
}

/* Look at the first bytes: a BOM (consumed) sets the encoding; "PK\3\4" marks
 * a zip container (an XLSX workbook). Bytes that are neither are put back. */
void enc_sniff(rf_reader *r)
{
    unsigned char b[4];
    size_t n = 0;
    int c;
    while (n < 4 && (c = getc(r->fp)) != EOF) {
        b[n++] = (unsigned char)c;
        if (n == 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
            break;
        if (n == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
            break;
        if (b[0] != 0xFF && b[0] != 0xFE && b[0] != 0xEF && b[0] != 'P')
            break;
    }
    enc_state *e = &r->enc;
    bool u16_ok = !e->forced || e->kind == ENC_UTF16LE || e->kind == ENC_UTF16BE;
    if (n == 2 && u16_ok && (b[0] == 0xFF || b[0] == 0xFE)) {
        const char *name = b[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        if (enc_iconv(e, name)) {
            e->kind = b[0] == 0xFF ? ENC_UTF16LE : ENC_UTF16BE;
            e->forced = true;
            return;
        }
    }
    if (n == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF && !e->forced) {
        e->kind = ENC_UTF8;
        return;
    }
    r->zip = n == 4 && memcmp(b, "PK\3\4", 4) == 0;
    while (n > 0)
        ungetc(b[--n], r->fp);
}

/* Grow e->raw to hold need bytes. */
static bool raw_reserve(enc_state *e, size_t need)
{
    if (need <= e->rawcap)
        return true;
    size_t n = e->rawcap ? e->rawcap : 4096;
    while (n < need)
        n *= 2;
    char *p = realloc(e->raw, n);
    if (!p)
        return false;
    e->raw = p;
    e->rawcap = n;
    return true;
}

/* Convert in[0..len) (unit: bytes per undecodable step) into r->buf as UTF-8,
 * at most RF_MAX_RECORD_BYTES (the rest dropped, too_long set). Windows-1252's
 * undefined bytes become C1 controls; other undecodable input becomes 0xFF. */
static int convert(rf_reader *r, const char *in, size_t len, size_t unit)
{
    enc_state *e = &r->enc;
    iconv_t cd = (iconv_t)e->cd;
    bool cp1252 = strcmp(e->name, CP1252) == 0;
    size_t cap = len * 3 + 8 > RF_MAX_RECORD_BYTES + 8 ? RF_MAX_RECORD_BYTES + 8 : len * 3 + 8;
    if (reader_reserve(r, cap + 2) != RF_OK)
        return RF_ENOMEM;
    char *ip = (char *)in, *op = r->buf;
    size_t il = len, ol = cap;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (il > 0) {
        if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
            break;
        if (errno == E2BIG) {
            r->too_long = true;
            break;
        }
        if (ol < 4) {
            r->too_long = true;
            break;
        }
        unsigned char b = (unsigned char)*ip;
        size_t step = il < unit ? il : unit;
        if (cp1252 && b >= 0x80 && b < 0xA0) {   /* WHATWG: undefined → U+0080..U+009F */
            *op++ = (char)0xC2;
            *op++ = (char)b;
            ol -= 2;
        } else {
            *op++ = (char)0xFF;
            ol--;
        }
        ip += step;
        il -= step;
    }
    r->len = (size_t)(op - r->buf);
    if (r->len > RF_MAX_RECORD_BYTES) {
        r->len = RF_MAX_RECORD_BYTES;
        r->too_long = true;
    }
    r->buf[r->len] = '\0';
    return RF_OK;
}

/* True when s[0..len) is all ASCII. */
static bool ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Decode the raw line in r->buf for an 8-bit or auto-detected input. */
int enc_decode_line(rf_reader *r)
{
    enc_state *e = &r->enc;
    if (e->kind == ENC_UTF8 || (e->kind == ENC_AUTO && ascii(r->buf, r->len)))
        return RF_OK;
    if (e->kind == ENC_AUTO) {
        bool nul;
        size_t bad = reader_bad_text(r->buf, r->len, &nul);
        if (!bad || nul || e->seen_utf8) {
            e->seen_utf8 = e->seen_utf8 || !bad;
            return RF_OK;
        }
        if (!enc_iconv(e, CP1252))
            return RF_OK;
        e->kind = ENC_8BIT;
        if (reader_warn(r, "line %ld is not UTF-8: reading the input as Windows-1252 "
                        "(use --encoding to choose another)", r->lineno) != RF_OK)
            return RF_ENOMEM;
    }
    if (!raw_reserve(e, r->len + 1))
        return RF_ENOMEM;
    memcpy(e->raw, r->buf, r->len);
    return convert(r, e->raw, r->len, 1);
}

/* Read one UTF-16 line (up to the code unit U+000A) and convert it to UTF-8
 * in r->buf; bounded like reader_getline. */
int enc_getline_utf16(rf_reader *r)
{
    enc_state *e = &r->enc;
    bool be = e->kind == ENC_UTF16BE, any = false;
    size_t n = 0, max = 2 * (size_t)RF_MAX_RECORD_BYTES;
    r->len = 0;
    r->too_long = false;
    r->nquotes = 0;
    for (;;) {
        int a = getc(r->fp);
        if (a == EOF)
            break;
        int b = getc(r->fp);
        any = true;
        unsigned u = b == EOF ? 0xFFFFu : be ? ((unsigned)a << 8 | (unsigned)b)
                                             : ((unsigned)b << 8 | (unsigned)a);
        if (u == '\n')
            break;
        if (u == '"')
            r->nquotes++;
        if (n + 2 > max) {
            r->too_long = true;
            continue;
        }
        if (!raw_reserve(e, n + 2))
            return RF_ENOMEM;
        e->raw[n++] = (char)a;
        e->raw[n++] = (char)(b == EOF ? 0 : b);
        if (b == EOF)
            break;
    }
    if (ferror(r->fp)) {
        snprintf(r->err, sizeof r->err, "read failed: %s", strerror(errno));
        return RF_EIO;
    }
    if (!any)
        return RF_EOF;
    bool long_in = r->too_long;
    int rc = convert(r, e->raw ? e->raw : "", n, 2);
    r->too_long = r->too_long || long_in;
    r->lineno++;
    return rc;
}

/* The encoding's name for messages ("UTF-8" until another is chosen). */
const char *enc_label(const rf_reader *r)
{
    return r->enc.kind == ENC_UTF8 || r->enc.kind == ENC_AUTO ? "UTF-8" : r->enc.name;
}
