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
static void put_ascii_escape(wbuf *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    switch (c) {
    case '"': wbuf_put(b, "\\\"", 2); return;
    case '\\': wbuf_put(b, "\\\\", 2); return;
    case '\b': wbuf_put(b, "\\b", 2); return;
    case '\f': wbuf_put(b, "\\f", 2); return;
    case '\n': wbuf_put(b, "\\n", 2); return;
    case '\r': wbuf_put(b, "\\r", 2); return;
    case '\t': wbuf_put(b, "\\t", 2); return;
    default: wbuf_put(b, e, 6); return;
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
static void put_str(wbuf *b, const char *s)
{
    if (!s) {
        wbuf_put(b, "null", 4);
        return;
    }
    wbuf_putc(b, '"');
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
        wbuf_put(b, run, (size_t)(p - run));
        if (!c)
            break;
        if (c < 0x80) {
            put_ascii_escape(b, c);
            p++;
        } else {
            unsigned cp = 0;
            size_t len = utf8_next(p, &cp);
            wbuf_puts(b, cp == 0x2028 ? "\\u2028" : cp == 0x2029 ? "\\u2029" : "\\ufffd");
            p += len ? len : utf8_bad_len(p);
        }
        run = p;
    }
    wbuf_putc(b, '"');
}

/* Append ,"key": (or "key": for the first member). */
static void put_key(wbuf *b, const char *key, bool first)
{
    if (!first)
        wbuf_putc(b, ',');
    wbuf_putc(b, '"');
    wbuf_puts(b, key);
    wbuf_put(b, "\":", 2);
}

/* Append one flag object. */
static void put_flag(wbuf *b, const rf_flag *f)
{
    put_key(b, "rule", true);
    put_str(b, f->rule);
    put_key(b, "indicator", false);
    put_str(b, f->indicator);
    put_key(b, "severity", false);
    put_str(b, rf_level_name(f->severity));
    put_key(b, "weight", false);
    wbuf_long(b, f->weight);
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
static void put_match(wbuf *b, const rf_match *m)
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
    wbuf_score(b, m->score);
    put_key(b, "outcome", false);
    put_str(b, m->outcome ? m->outcome : "match");
    if (m->why) {
        put_key(b, "why", false);
        put_str(b, m->why);
    }
}

/* Append the flags and matches arrays. */
static void put_arrays(wbuf *b, const rf_result *res)
{
    put_key(b, "flags", false);
    wbuf_putc(b, '[');
    for (size_t i = 0; i < res->nflags; i++) {
        wbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
        put_flag(b, &res->flags[i]);
        wbuf_putc(b, '}');
    }
    wbuf_putc(b, ']');
    put_key(b, "matches", false);
    wbuf_putc(b, '[');
    for (size_t i = 0; i < res->nmatches; i++) {
        wbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
        put_match(b, &res->matches[i]);
        wbuf_putc(b, '}');
    }
    wbuf_putc(b, ']');
}

/* Append "incomplete": true and the rules and fields not fully scanned, when any. */
static void put_incomplete(wbuf *b, const rf_result *res)
{
    if (!res->nincomplete)
        return;
    put_key(b, "incomplete", false);
    wbuf_puts(b, "true");
    put_key(b, "incomplete_rules", false);
    wbuf_putc(b, '[');
    for (size_t i = 0; i < res->nincomplete; i++) {
        wbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
        put_key(b, "rule", true);
        put_str(b, res->incomplete[i].rule);
        put_key(b, "field", false);
        put_str(b, res->incomplete[i].field);
        wbuf_putc(b, '}');
    }
    wbuf_putc(b, ']');
}

/* Build one result line: the verdict object, or {"id","line","error"}. */
int writer_jsonl_record(rf_writer *w, const rf_result *res)
{
    wbuf *b = &w->out;
    wbuf_putc(b, '{');
    put_key(b, "id", true);
    put_str(b, res->id);
    if (res->error) {
        put_key(b, "line", false);
        wbuf_long(b, res->line);
        put_key(b, "error", false);
        put_str(b, res->error);
    } else {
        put_key(b, "level", false);
        put_str(b, rf_level_name(res->level));
        put_key(b, "score", false);
        wbuf_long(b, res->score);
        put_arrays(b, res);
        put_key(b, "cached", false);
        wbuf_puts(b, res->cached ? "true" : "false");
        put_incomplete(b, res);
    }
    wbuf_put(b, "}\n", 2);
    return RF_OK;
}

/* JSON Lines: the contract purchasing systems read. */
const writer_ops writer_jsonl = {"jsonl", RF_OUT_JSONL, writer_jsonl_record, NULL, NULL};
