/* Result writers: the generic layer (buffering, flushing, counting). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "writer_int.h"

/* Append a 0..1 score as d.dd or d.ddd (locale-proof; NaN counts as 0). */
void writer_put_score(gbuf *b, double v)
{
    if (!(v > 0))
        v = 0;
    if (v > 1)
        v = 1;
    long m = lround(v * 1000.0);
    char tmp[6] = {(char)('0' + m / 1000), '.', (char)('0' + m / 100 % 10),
                   (char)('0' + m / 10 % 10), (char)('0' + m % 10), 0};
    gbuf_put(b, tmp, tmp[4] == '0' ? 4 : 5);
}

/* For a lead byte c: the sequence length (0 if c cannot start one) and the
 * range the second byte must fall in (excluding overlongs, surrogates and
 * code points above U+10FFFF). */
static size_t lead(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c == 0xE0)
        *lo = 0xA0;
    else if (c == 0xED)
        *hi = 0x9F;
    else if (c == 0xF0)
        *lo = 0x90;
    else if (c == 0xF4)
        *hi = 0x8F;
    return c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
}

/* Decode the UTF-8 sequence at s (NUL-terminated): its length, or 0 when it
 * is not valid UTF-8. Never reads past the first byte that fails, so never
 * past the terminator. */
size_t utf8_next(const char *str, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned lo, hi;
    size_t n = lead(s[0], &lo, &hi);
    if (n == 1) {
        *cp = s[0];
        return 1;
    }
    if (!n || s[1] < lo || s[1] > hi)
        return 0;
    unsigned v = s[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    *cp = v;
    return n;
}

/* Length of the ill-formed sequence at s to replace by one U+FFFD: the
 * maximal valid prefix of a sequence, or one byte (Unicode's "maximal
 * subpart" practice). */
size_t utf8_bad_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned lo, hi;
    size_t n = lead(s[0], &lo, &hi);
    if (n < 2 || s[1] < lo || s[1] > hi)
        return 1;
    size_t i = 2;
    while (i < n && (s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Create a writer on fp for one output format. */
int rf_writer_create(rf_writer **out, FILE *fp, rf_output fmt, unsigned flags)
{
    const writer_ops *ops = writer_ops_of(fmt);
    if (!out || !fp || !ops)
        return RF_EINVAL;
    rf_writer *w = calloc(1, sizeof *w);
    if (!w)
        return RF_ENOMEM;
    w->fp = fp;
    w->fmt = fmt;
    w->ops = ops;
    w->flags = flags;
    w->flush_each = true;
    *out = w;
    return RF_OK;
}

/* Free the writer (the stream stays open). */
void rf_writer_destroy(rf_writer *w)
{
    if (!w)
        return;
    if (w->ops->free)
        w->ops->free(w);
    free(w->out.p);
    free(w->cell.p);
    free(w);
}

/* Write the built buffer to fp and empty it. */
int writer_drain(rf_writer *w, FILE *fp)
{
    size_t n = w->out.len;
    w->out.len = 0;
    if (w->out.oom) {
        w->out.oom = false;
        return RF_ENOMEM;
    }
    return n && fwrite(w->out.p, 1, n, fp) != n ? RF_EIO : RF_OK;
}

/* Choose whether every result is flushed. */
void rf_writer_set_flush(rf_writer *w, bool each)
{
    if (w)
        w->flush_each = each;
}

/* Flush the stream. */
int rf_writer_flush(rf_writer *w)
{
    if (!w)
        return RF_EINVAL;
    return fflush(w->fp) != 0 || ferror(w->fp) ? RF_EIO : RF_OK;
}

/* Write the built buffer, flush (when asked, or always when last), and map
 * any stream failure to RF_EIO (errno is left as the failing call set it,
 * for the caller's message). */
static int emit(rf_writer *w, bool last)
{
    int rc = writer_drain(w, w->fp);
    if (rc != RF_OK)
        return rc;
    if (!w->flush_each && !last)
        return ferror(w->fp) ? RF_EIO : RF_OK;
    return rf_writer_flush(w);
}

/* Count a result for the table's summary. */
static void count(rf_writer *w, const rf_result *res)
{
    w->records++;
    if (res->error)
        w->unreadable++;
    else if ((int)res->level >= 0 && res->level <= RF_LEVEL_CRITICAL)
        w->levels[res->level]++;
}

/* Write one result in the writer's format and flush it. */
int rf_writer_write(rf_writer *w, const rf_result *res)
{
    if (!w || !res)
        return RF_EINVAL;
    w->out.len = 0;
    int rc = w->ops->record(w, res);
    if (rc)
        return rc;
    count(w, res);
    return emit(w, false);
}

/* Close the output: the table's summary line; then flush. */
int rf_writer_finish(rf_writer *w)
{
    if (!w)
        return RF_EINVAL;
    w->out.len = 0;
    int rc = w->ops->finish ? w->ops->finish(w) : RF_OK;
    return rc ? rc : emit(w, true);
}

/* The run's counts as one line. */
void rf_writer_summary(rf_writer *w, char *buf, size_t cap)
{
    if (!w || !buf || !cap)
        return;
    size_t keep = w->out.len;
    writer_table_summary(w);
    size_t n = w->out.oom || w->out.len <= keep ? 0 : w->out.len - keep - 1; /* no newline */
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(buf, w->out.p + keep, n);
    buf[n] = '\0';
    w->out.len = keep;
}
