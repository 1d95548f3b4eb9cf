/* The library's one growable byte buffer (writers, index and cache encoding,
 * document readers, rule compilation). After a failed allocation it stops
 * growing and remembers it in oom, so callers check once at the end. The
 * bytes are always followed by a NUL (not counted in len), so p is a C string
 * once anything was put. The caller owns p; gbuf_free releases it. */
#ifndef REDFLAG_BUF_H
#define REDFLAG_BUF_H
#include <stdbool.h>
#include <stddef.h>

typedef struct gbuf {
    char *p;
    size_t len, cap;
    bool oom;
} gbuf;

/* Append n bytes. */
void gbuf_put(gbuf *b, const void *s, size_t n);
/* Append a NUL-terminated string. */
void gbuf_puts(gbuf *b, const char *s);
/* Append one byte. */
void gbuf_putc(gbuf *b, char c);
/* Append a decimal integer (no printf, no locale). */
void gbuf_long(gbuf *b, long v);
/* Empty it, keeping its memory. */
void gbuf_reset(gbuf *b);
/* Free its memory and zero it. */
void gbuf_free(gbuf *b);

#endif
