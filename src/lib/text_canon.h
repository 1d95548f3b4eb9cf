/* Text canonicalisation before the rules (private; docs/RULES.md, "What the
 * patterns see").
 *
 * The patterns run on a canonical form of each field value: NFKC (full-width
 * and compatibility letters become their plain forms), without default-ignorable
 * code points (soft hyphen, zero-width characters, bidi controls), and with the
 * look-alike letters of another script inside a mixed-script word replaced by
 * their confusable skeleton (ICU uspoof: "pаssport" with a Cyrillic а reads
 * "passport"). Every canonical byte maps back to the original text, so evidence
 * is quoted from what the user wrote. Plain ASCII is used as it is (no copy). */
#ifndef REDFLAG_TEXT_CANON_H
#define REDFLAG_TEXT_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One canonicalised value. The buffers are owned and reused between values. */
typedef struct canon {
    const char *text;   /* the canonical text: the original itself when unchanged */
    size_t len;
    size_t olen;        /* length of the original */
    bool mapped;        /* false: text is the original (offsets are the same) */
    bool ascii;         /* the text is plain ASCII */
    char *buf;          /* owned: canonical bytes when mapped */
    size_t cap;
    uint32_t *map;      /* owned: map[i] original offset of canonical byte i; map[len] = olen */
    size_t mapcap;
    uint64_t langs;     /* the languages of the text (lang_detect.h), once langs_done */
    bool langs_done;
} canon;

/* Canonicalise t (len bytes of valid UTF-8) into c. Returns false on ENOMEM
 * (c then views the original text unchanged). */
bool canon_text(canon *c, const char *t, size_t len);
/* The original offset of canonical offset off; end: off ends a span (the
 * span then covers the whole original character it ends in). */
size_t canon_orig(const canon *c, size_t off, bool end);
/* Free c's buffers. */
void canon_free(canon *c);

#endif
