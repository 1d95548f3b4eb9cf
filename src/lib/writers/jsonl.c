/* JSON Lines writer: one object per record, the "Result" contract of docs/ARCHITECTURE.md. */
#include <string.h>
#include "writer_int.h"

/* Bytes that end a run of plain bytes: NUL, controls, '"', '\\', non-ASCII. */
static const unsigned char stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
    [0x80] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Append the escape for an ASCII byte that may not appear raw in a JSON string. */
static void put_ascii_escape(gbuf *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    switch (c) {
    case '"': gbuf_put(b, "\\\"", 2); return;
    case '\\': gbuf_put(b, "\\\\", 2); return;
    case '\b': gbuf_put(b, "\\b", 2); return;
    case '\f': gbuf_put(b, "\\f", 2); return;
    case '\n': gbuf_put(b, "\\n", 2); return;
    case '\r': gbuf_put(b, "\\r", 2); return;
    case '\t': gbuf_put(b, "\\t", 2); return;
    default: gbuf_put(b, e, 6); return;
    }
}

/* Length of the non-ASCII sequence at p that may stay raw, or 0 when it
 * must be written as an escape (U+2028, U+2029, or invalid UTF-8). */
static size_t raw_utf8(const char *p)
{
    unsigned cp;
    size_t n = utf8_next(p, &cp);
    return cp == 0x2028 || cp == 0x2029 ? 0 : n;
}

/* Append s as a JSON string (null for NULL). Plain runs are copied in one
 * piece; invalid UTF-8 (which readers should never let through, but a
 * clipped evidence might carry) becomes U+FFFD rather than breaking the line. */
static void put_str(gbuf *b, const char *s)
{
    if (!s) {
        gbuf_put(b, "null", 4);
        return;
    }
    gbuf_putc(b, '"');
    const char *run = s, *p = s;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (!stop[c]) {
            p++;
            continue;
        }
        size_t n = c >= 0x80 ? raw_utf8(p) : 0;
        if (n) {
            p += n;
            continue;
        }
        gbuf_put(b, run, (size_t)(p - run));
        if (!c)
            break;
        if (c < 0x80) {
            put_ascii_escape(b, c);
            p++;
        } else {
            unsigned cp = 0;
            size_t len = utf8_next(p, &cp);
            gbuf_puts(b, cp == 0x2028 ? "\\u2028" : cp == 0x2029 ? "\\u2029" : "\\ufffd");
            p += len ? len : utf8_bad_len(p);
        }
        run = p;
    }
    gbuf_putc(b, '"');
}

/* Append ,"key": (or "key": for the first member). */
static void put_key(gbuf *b, const char *key, bool first)
{
    if (!first)
        gbuf_putc(b, ',');
    gbuf_putc(b, '"');
    gbuf_puts(b, key);
    gbuf_put(b, "\":", 2);
}

/* Append one flag object. */
static void put_flag(gbuf *b, const rf_flag *f)
{
    put_key(b, "rule", true);
    put_str(b, f->rule);
    put_key(b, "indicator", false);
    put_str(b, f->indicator);
    put_key(b, "severity", false);
    put_str(b, rf_level_name(f->severity));
    put_key(b, "weight", false);
    gbuf_long(b, f->weight);
    put_key(b, "field", false);
    put_str(b, f->field);
    put_key(b, "evidence", false);
    put_str(b, f->evidence);
    put_key(b, "source", false);
    put_str(b, f->source);
    if (f->guideline) {
        put_key(b, "guideline", false);
        put_str(b, f->guideline);
    }
}

/* Append one match object. */
static void put_match(gbuf *b, const rf_match *m)
{
    put_key(b, "party", true);
    put_str(b, m->party);
    put_key(b, "list", false);
    put_str(b, m->list);
    put_key(b, "entity", false);
    put_str(b, m->entity);
    put_key(b, "name", false);
    put_str(b, m->name);
    if (m->kind) {
        put_key(b, "kind", false);
        put_str(b, m->kind);
    }
    put_key(b, "score", false);
    writer_put_score(b, m->score);
    put_key(b, "outcome", false);
    put_str(b, m->outcome ? m->outcome : "match");
    if (m->why) {
        put_key(b, "why", false);
        put_str(b, m->why);
    }
}

/* Append the flags and matches arrays. */
static void put_arrays(gbuf *b, const rf_result *res)
{
    put_key(b, "flags", false);
    gbuf_putc(b, '[');
    for (size_t i = 0; i < res->nflags; i++) {
        gbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
        put_flag(b, &res->flags[i]);
        gbuf_putc(b, '}');
    }
    gbuf_putc(b, ']');
    put_key(b, "matches", false);
    gbuf_putc(b, '[');
    for (size_t i = 0; i < res->nmatches; i++) {
        gbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
        put_match(b, &res->matches[i]);
        gbuf_putc(b, '}');
    }
    gbuf_putc(b, ']');
}

/* Append "incomplete": true and the rules and fields not fully scanned, when any. */
static void put_incomplete(gbuf *b, const rf_result *res)
{
    if (!res->nincomplete)
        return;
    put_key(b, "incomplete", false);
    gbuf_puts(b, "true");
    put_key(b, "incomplete_rules", false);
    gbuf_putc(b, '[');
    for (size_t i = 0; i < res->nincomplete; i++) {
        gbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
        put_key(b, "rule", true);
        put_str(b, res->incomplete[i].rule);
        put_key(b, "field", false);
        put_str(b, res->incomplete[i].field);
        gbuf_putc(b, '}');
    }
    gbuf_putc(b, ']');
}

/* Build one result line: the verdict object, or {"id","line","error"}. */
int writer_jsonl_record(rf_writer *w, const rf_result *res)
{
    gbuf *b = &w->out;
    gbuf_putc(b, '{');
    put_key(b, "id", true);
    put_str(b, res->id);
    if (res->error) {
        put_key(b, "line", false);
        gbuf_long(b, res->line);
        put_key(b, "error", false);
        put_str(b, res->error);
    } else {
        put_key(b, "level", false);
        put_str(b, rf_level_name(res->level));
        put_key(b, "score", false);
        gbuf_long(b, res->score);
        put_arrays(b, res);
        put_key(b, "cached", false);
        gbuf_puts(b, res->cached ? "true" : "false");
        put_incomplete(b, res);
    }
    gbuf_put(b, "}\n", 2);
    return RF_OK;
}

/* JSON Lines: the contract purchasing systems read. */
const writer_ops writer_jsonl = {"jsonl", RF_OUT_JSONL, writer_jsonl_record, NULL, NULL};
