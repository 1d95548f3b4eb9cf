/* The growable byte buffer (buf.h). */
#include <stdlib.h>
#include <string.h>
#include "buf.h"

/* Room for n more bytes and the NUL; false (oom set) when it cannot grow. */
static bool reserve(gbuf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

/* Append n bytes. */
void gbuf_put(gbuf *b, const void *s, size_t n)
{
    if (reserve(b, n)) {
        if (n)
            memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
    }
}

/* Append a NUL-terminated string. */
void gbuf_puts(gbuf *b, const char *s)
{
    gbuf_put(b, s, strlen(s));
}

/* Append one byte. */
void gbuf_putc(gbuf *b, char c)
{
    gbuf_put(b, &c, 1);
}

/* Append a decimal integer without going through printf. */
void gbuf_long(gbuf *b, long v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    gbuf_put(b, tmp + i, sizeof tmp - i);
}

/* Empty it, keeping its memory. */
void gbuf_reset(gbuf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->p)
        b->p[0] = '\0';
}

/* Free its memory. */
void gbuf_free(gbuf *b)
{
    free(b->p);
    *b = (gbuf){0};
}
