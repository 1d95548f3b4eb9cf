/* Record readers: the common part (opening, sniffing, bounded line input,
 * messages, value conversion). Formats live in reader_jsonl.c and reader_csv.c;
 * whole documents (UBL, OCDS, eForms) in reader_xml.c and the reader_*.c files
 * it dispatches to.
 *
 * Input is read one byte at a time from stdio up to the end of the line, so
 * a record is returned as soon as its newline arrives: nothing reads ahead,
 * which a purchasing system that writes one line and waits relies on. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "redflag/country.h"
#include "redflag/name.h"
#include "reader_int.h"
#include "utf8.h"

static _Thread_local char open_err[RF_ERRMAX];

/* The message for the last failed rf_reader_open in this thread. */
const char *rf_reader_open_error(void)
{
    return open_err;
}

/* Open a reader over fp. */
int rf_reader_open(rf_reader **out, FILE *fp, const char *name, rf_format fmt,
                   const rf_csv_map *map)
{
    open_err[0] = '\0';
    if (!out || !fp || (fmt != RF_FMT_AUTO && !reader_ops_of(fmt))) {
        snprintf(open_err, sizeof open_err, "invalid argument");
        return RF_EINVAL;
    }
    for (size_t i = 0; map && i < map->npairs; i++)
        if (csv_check_map(map->pairs[i], open_err, sizeof open_err) != RF_OK)
            return RF_EINVAL;
    rf_reader *r = calloc(1, sizeof *r);
    if (!r)
        return RF_ENOMEM;
    r->fp = fp;
    r->name = name ? name : "-";
    r->fmt = fmt;
    int rc = csv_open(r, map);
    if (rc != RF_OK) {
        rf_reader_destroy(r);
        return rc;
    }
    *out = r;
    return RF_OK;
}

/* Close the reader. */
void rf_reader_destroy(rf_reader *r)
{
    if (!r)
        return;
    csv_close(r);
    doc_close(r);
    xlsx_close(r);
    enc_close(r);
    free(r->sheet);
    for (size_t i = 0; i < r->nwarn; i++)
        free(r->warn[i]);
    free(r->warn);
    free(r->buf);
    free(r);
}

/* Grow the line buffer to hold at least need bytes (bounded by the caller). */
int reader_reserve(rf_reader *r, size_t need)
{
    if (need <= r->cap)
        return RF_OK;
    size_t n = r->cap ? r->cap : 4096;
    while (n < need)
        n *= 2;
    if (n > RF_MAX_RECORD_BYTES + 2 && need <= RF_MAX_RECORD_BYTES + 2)
        n = RF_MAX_RECORD_BYTES + 2;
    char *p = realloc(r->buf, n);
    if (!p)
        return RF_ENOMEM;
    r->buf = p;
    r->cap = n;
    return RF_OK;
}

/* Count '"' in s[0..n) (CSV needs it to skip over-long quoted records). */
static size_t count_quotes(const char *s, size_t n)
{
    size_t k = 0;
    for (const char *p = s, *e = s + n; (p = memchr(p, '"', (size_t)(e - p))) != NULL; p++)
        k++;
    return k;
}

/* Where the next fgets chunk goes: the line buffer, or scratch once the line is
 * over the limit. Sets *room; NULL when out of memory. */
static char *chunk_dest(rf_reader *r, size_t chunk, char *scratch, size_t scratch_len,
                        size_t *room)
{
    if (r->len > RF_MAX_RECORD_BYTES) {
        *room = scratch_len;
        return scratch;
    }
    size_t want = r->len + chunk + 1;
    if (want > RF_MAX_RECORD_BYTES + 2)
        want = RF_MAX_RECORD_BYTES + 2;
    if (reader_reserve(r, want) != RF_OK)
        return NULL;
    *room = want - r->len;
    return r->buf + r->len;
}

/* Read one physical line with fgets, which returns at the newline (never
 * reading ahead of it); the part past RF_MAX_RECORD_BYTES is discarded. The
 * chunk is pre-filled so the length is found even when the line holds NULs. */
static int getline_raw(rf_reader *r)
{
    char scratch[4096];
    size_t chunk = 1024, room;
    bool any = false, nl = false;
    r->len = 0;
    r->too_long = false;
    r->nquotes = 0;
    while (!nl) {
        char *dst = chunk_dest(r, chunk, scratch, sizeof scratch, &room);
        if (!dst)
            return RF_ENOMEM;
        memset(dst, 'x', room);
        if (!fgets(dst, (int)room, r->fp))
            break;
        any = true;
        char *end = memchr(dst, '\n', room);
        nl = end != NULL;
        size_t n = nl ? (size_t)(end - dst) : (size_t)((char *)memrchr(dst, 0, room) - dst);
        if (r->fmt != RF_FMT_JSONL)
            r->nquotes += count_quotes(dst, n);
        if (dst != scratch)
            r->len += n;
        if (chunk < 65536)
            chunk *= 2;
    }
    if (!nl && ferror(r->fp)) {
        snprintf(r->err, sizeof r->err, "read failed: %s", strerror(errno));
        return RF_EIO;
    }
    if (!any)
        return RF_EOF;
    if (r->len > RF_MAX_RECORD_BYTES) {
        r->too_long = true;
        r->len = RF_MAX_RECORD_BYTES;
    }
    r->buf[r->len] = '\0';
    r->lineno++;
    return RF_OK;
}

/* Read one line in the input's encoding and give it to the readers as UTF-8. */
int reader_getline(rf_reader *r)
{
    if (r->enc.kind == ENC_UTF16LE || r->enc.kind == ENC_UTF16BE)
        return enc_getline_utf16(r);
    int rc = getline_raw(r);
    if (rc != RF_OK || r->enc.kind == ENC_UTF8)
        return rc;
    /* a chosen encoding applies to every format; the Windows-1252 guess only
     * to CSV, as JSON is UTF-8 (RFC 8259) */
    size_t i = 0;
    while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\t'))
        i++;
    bool json = r->fmt == RF_FMT_JSONL || (r->fmt == RF_FMT_AUTO && i < r->len && r->buf[i] == '{');
    if (r->enc.kind == ENC_AUTO && json)
        return rc;
    return enc_decode_line(r);
}

/* True for a line of only blanks. */
bool reader_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Drop a UTF-8 byte order mark at the start of the buffer. */
static void strip_bom(rf_reader *r)
{
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
        memmove(r->buf, r->buf + 3, r->len - 2);
        r->len -= 3;
    }
}

/* True for the formats read as one whole document. */
static bool is_doc(rf_format f)
{
    const reader_ops *ops = reader_ops_of(f);
    return ops && !ops->next;
}

/* Read up to the first non-blank line and pick the format from it: XML and
 * JSON packages go to the document readers. */
static int sniff(rf_reader *r)
{
    int rc;
    if (is_doc(r->fmt))
        return doc_start(r, false);
    if (r->fmt != RF_FMT_XLSX)
        enc_sniff(r);
    if (r->fmt == RF_FMT_XLSX || (r->fmt == RF_FMT_AUTO && r->zip)) {
        r->fmt = RF_FMT_XLSX;
        return RF_OK;
    }
    bool u16 = r->enc.kind == ENC_UTF16LE || r->enc.kind == ENC_UTF16BE;
    if (r->fmt == RF_FMT_AUTO && !u16 && doc_peek_xml(r))
        return doc_start(r, false);
    for (;;) {
        if ((rc = reader_getline(r)) != RF_OK)
            return rc;
        if (r->lineno == 1)
            strip_bom(r);
        if (r->too_long || !reader_blank(r->buf, r->len))
            break;
    }
    r->pending = true;
    if (r->fmt == RF_FMT_AUTO) {
        size_t i = 0;
        while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\t'))
            i++;
        r->fmt = (i < r->len && r->buf[i] == '{') ? RF_FMT_JSONL : RF_FMT_CSV;
        if (r->fmt == RF_FMT_JSONL && !r->too_long && doc_json_is_package(r->buf, r->len)) {
            r->fmt = RF_FMT_AUTO;
            return doc_start(r, true);
        }
    }
    return RF_OK;
}

/* A record whose unit or reference price is negative is an input error (every
 * format passes here); a zero price is read and left to the rules
 * (rules/procurement.rules, price_zero). */
static int check_prices(rf_reader *r, rf_record *rec)
{
    static const rf_field prices[] = {RF_F_ITEM_UNIT_PRICE, RF_F_ITEM_REFERENCE_PRICE};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        double v;
        if (rf_record_num(rec, prices[i], &v) && v < 0) {
            const char *text = rf_record_str(rec, prices[i], 0, NULL);
            return reader_fail(r, "%s is negative: \"%.40s\"; a price cannot be below zero",
                               rf_field_get(prices[i])->path, text ? text : "");
        }
    }
    return RF_OK;
}

/* Read the next record. */
int rf_reader_next(rf_reader *r, rf_record *rec)
{
    if (!r || !rec)
        return RF_EINVAL;
    rf_record_reset(rec);
    r->err[0] = '\0';
    if (!r->started) {
        r->started = true;
        int rc = sniff(r);
        if (rc != RF_OK)
            return rc;
    }
    int rc = r->doc ? doc_next(r, rec) : reader_ops_of(r->fmt)->next(r, rec);
    return rc == RF_OK ? check_prices(r, rec) : rc;
}

/* The last error message. */
const char *rf_reader_error(const rf_reader *r)
{
    return r ? r->err : "";
}

/* Warnings gathered so far. */
const char *const *rf_reader_warnings(const rf_reader *r, size_t *n)
{
    if (n)
        *n = r ? r->nwarn : 0;
    return r ? (const char *const *)r->warn : NULL;
}

/* The format in use. */
rf_format rf_reader_format(const rf_reader *r)
{
    return r ? r->fmt : RF_FMT_AUTO;
}

/* Refuse a setting once reading has begun. */
static int set_check(rf_reader *r)
{
    open_err[0] = '\0';
    if (!r)
        return RF_EINVAL;
    if (r->started) {
        snprintf(open_err, sizeof open_err, "the reader has already started");
        return RF_EINVAL;
    }
    return RF_OK;
}

/* Choose the input encoding. */
int rf_reader_set_encoding(rf_reader *r, const char *name)
{
    int rc = set_check(r);
    return rc != RF_OK ? rc : enc_set(r, name, open_err, sizeof open_err);
}

/* Choose the CSV delimiter (0: sniff). */
int rf_reader_set_delimiter(rf_reader *r, char delim)
{
    int rc = set_check(r);
    if (rc != RF_OK)
        return rc;
    if (delim == '"' || delim == '\n' || delim == '\r' || (delim && (unsigned char)delim >= 0x80)) {
        snprintf(open_err, sizeof open_err, "--delimiter: cannot be a quote, a newline or a "
                 "non-ASCII byte");
        return RF_EINVAL;
    }
    r->dialect.delim = delim;
    return RF_OK;
}

/* Choose the XLSX worksheet by name (NULL: the first). */
int rf_reader_set_sheet(rf_reader *r, const char *name)
{
    int rc = set_check(r);
    if (rc != RF_OK)
        return rc;
    free(r->sheet);
    r->sheet = NULL;
    if (name && !(r->sheet = strdup(name)))
        return RF_ENOMEM;
    return RF_OK;
}

/* Record an input error message. */
int reader_fail(rf_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return RF_EINPUT;
}

/* Keep a warning for rf_reader_warnings. */
int reader_warn(rf_reader *r, const char *fmt, ...)
{
    char msg[RF_ERRMAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->nwarn == r->warncap) {
        size_t n = r->warncap ? r->warncap * 2 : 8;
        char **p = realloc(r->warn, n * sizeof *p);
        if (!p)
            return RF_ENOMEM;
        r->warn = p;
        r->warncap = n;
    }
    if (!(r->warn[r->nwarn] = strdup(msg)))
        return RF_ENOMEM;
    r->nwarn++;
    return RF_OK;
}

/* First NUL or invalid UTF-8 byte (1-based column), or 0. */
size_t reader_bad_text(const char *text, size_t len, bool *nul)
{
    const unsigned char *s = (const unsigned char *)text;
    *nul = false;
    for (size_t i = 0; i < len;) {
        uint64_t w;
        if (len - i >= 8) {   /* fast path: 8 ASCII bytes, none of them NUL */
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull) &&
                !((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (s[i] >= 0x80) {
            size_t n = utf8_seq_len(s + i, len - i);
            if (n == 0)
                return i + 1;
            i += n;
        } else if (s[i] == 0) {
            *nul = true;
            return i + 1;
        } else {
            i++;
        }
    }
    return 0;
}

/* Quote a value for a message, cut at a character boundary when long. */
void reader_quote(char *out, size_t outlen, const char *s, size_t len)
{
    size_t max = 40, n = len;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(out, outlen, "\"%.*s%s\"", (int)n, s, n < len ? "..." : "");
}

/* Parse a plain finite decimal number (sign, digits, point, exponent). */
static bool parse_number(const char *s, size_t len, double *out)
{
    char tmp[64];
    size_t i = 0, digits = 0;
    if (len == 0 || len >= sizeof tmp)
        return false;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = ++i;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            e = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == e)
            return false;
    }
    if (i != len)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    *out = strtod(tmp, NULL);
    return isfinite(*out);
}

/* Parse true/false/yes/no in any case. */
static bool parse_bool(const char *s, size_t len, bool *out)
{
    static const struct { const char *w; bool v; } words[] = {
        {"true", true}, {"yes", true}, {"false", false}, {"no", false}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].w) == len && strncasecmp(s, words[i].w, len) == 0) {
            *out = words[i].v;
            return true;
        }
    return false;
}

/* Trim ASCII blanks at both ends. */
static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
                    (*s)[*len - 1] == '\r' || (*s)[*len - 1] == '\n'))
        (*len)--;
}

/* Whether s[0..len) names a party kind the matcher knows (name.h). */
static bool party_kind_ok(const char *s, size_t len)
{
    char k[16];
    if (len >= sizeof k)
        return false;
    memcpy(k, s, len);
    k[len] = '\0';
    return rf_name_party_kind_parse(k) != 0;
}

/* Store a textual value in f according to the field's type. */
int reader_put_text(rf_record *rec, rf_field f, const char *s, size_t len, bool keep_empty,
                    char *err, size_t errlen)
{
    const rf_field_info *fi = rf_field_get(f);
    char q[64], a2[3];
    if (fi->type != RF_T_TEXT)
        trim(&s, &len);
    if (reader_blank(s, len))
        return keep_empty ? rf_record_add(rec, f, "", 0) : RF_OK;
    switch (fi->type) {
    case RF_T_COUNTRY:
        if (rf_country_normalize(s, len, a2) == RF_OK)
            return rf_record_add(rec, f, a2, 2);
        return rf_record_add(rec, f, s, len);
    case RF_T_NUMBER: {
        double v;
        if (parse_number(s, len, &v))
            return rf_record_add_num_text(rec, f, v, s, len);
        reader_quote(q, sizeof q, s, len);
        snprintf(err, errlen, "%s: expected a number, got string %s", fi->path, q);
        return RF_EINPUT;
    }
    case RF_T_BOOL: {
        bool b;
        if (parse_bool(s, len, &b))
            return rf_record_add_bool(rec, f, b);
        reader_quote(q, sizeof q, s, len);
        snprintf(err, errlen, "%s: expected true/false/yes/no, got string %s", fi->path, q);
        return RF_EINPUT;
    }
    default:
        if ((f == RF_F_SUPPLIER_KIND || f == RF_F_MANUFACTURER_KIND) && !party_kind_ok(s, len)) {
            reader_quote(q, sizeof q, s, len);
            snprintf(err, errlen, "%s: expected organisation, company, person, vessel or "
                     "aircraft, got string %s", fi->path, q);
            return RF_EINPUT;
        }
        return rf_record_add(rec, f, s, len);
    }
}
