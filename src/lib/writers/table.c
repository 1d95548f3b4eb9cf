/* Table writer: a readable block per record for an officer at a terminal. */
#include <string.h>
#include "writer_int.h"

#define WIDTH 80   /* wrap column */
#define INDENT 12  /* where detail lines start */

static const char *const spaces = "                    ";

/* The ANSI colour of a level: critical/high red, medium yellow, low cyan, none green. */
static const char *level_colour(rf_level l)
{
    switch (l) {
    case RF_LEVEL_CRITICAL: return "\033[1;31m";
    case RF_LEVEL_HIGH: return "\033[31m";
    case RF_LEVEL_MEDIUM: return "\033[33m";
    case RF_LEVEL_LOW: return "\033[36m";
    default: return "\033[32m";
    }
}

/* The replacement for code point cp on a terminal: cp itself (-1), a space
 * for line breaks and tabs, '?' for controls (C0, DEL, C1 — ESC and CSI
 * could drive the terminal) and bidirectional overrides (they can make text
 * read differently from what it is). */
static int replacement(unsigned cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029)
        return ' ';
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return '?';
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return '?';
    return -1;
}

/* Append s with every unsafe character replaced (invalid UTF-8 becomes '?'). */
static void put_safe(gbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    while (*s) {
        unsigned cp = 0;
        size_t n = utf8_next(s, &cp);
        int r = n ? replacement(cp) : '?';
        if (r < 0) {
            s += n;
            continue;
        }
        gbuf_put(b, run, (size_t)(s - run));
        if (!(cp == '\r' && s[1] == '\n'))
            gbuf_putc(b, (char)r);
        s += n ? n : utf8_bad_len(s);
        run = s;
    }
    gbuf_put(b, run, (size_t)(s - run));
}

/* Byte length of the longest prefix of s[0..n) that fits in cols columns,
 * one column per code point, never splitting a UTF-8 sequence; *brk gets
 * the position of the last space inside it (0 if none). */
static size_t fit(const char *s, size_t n, size_t cols, size_t *brk)
{
    size_t i = 0, col = 0;
    *brk = 0;
    while (i < n && col < cols) {
        if (s[i] == ' ')
            *brk = i;
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        col++;
    }
    if (i < n && s[i] == ' ')
        *brk = i;
    return i;
}

/* Append safe text t[0..n), starting at column col, wrapped at WIDTH with
 * continuation lines indented to INDENT; breaks at spaces when it can. */
static void put_wrapped(gbuf *b, const char *t, size_t n, size_t col)
{
    for (;;) {
        size_t brk, room = col < WIDTH - 20 ? WIDTH - col : 20;
        size_t len = fit(t, n, room, &brk);
        if (len == n) {
            gbuf_put(b, t, n);
            break;
        }
        size_t cut = brk ? brk : len;
        gbuf_put(b, t, cut);
        while (cut < n && t[cut] == ' ')
            cut++;
        t += cut;
        n -= cut;
        if (!n)
            break;
        gbuf_putc(b, '\n');
        gbuf_put(b, spaces, INDENT);
        col = INDENT;
    }
}

/* Append the detail line built in w->cell, at INDENT, wrapped. */
static void detail(rf_writer *w)
{
    gbuf *c = &w->cell;
    gbuf_put(&w->out, spaces, INDENT);
    put_wrapped(&w->out, c->p ? c->p : "", c->len, INDENT);
    gbuf_putc(&w->out, '\n');
    if (c->oom)
        w->out.oom = true;
    c->len = 0;
    c->oom = false;
}

/* Append a detail line: a label, then the text made safe, optionally quoted. */
static void detail_text(rf_writer *w, const char *label, const char *text, bool quoted)
{
    gbuf *c = &w->cell;
    c->len = 0;
    gbuf_puts(c, label);
    if (quoted)
        gbuf_putc(c, '"');
    put_safe(c, text);
    if (quoted)
        gbuf_putc(c, '"');
    detail(w);
}

/* Append a level name, upper-cased when loud, coloured when asked. */
static void put_level(rf_writer *w, rf_level l, bool loud)
{
    gbuf *b = &w->out;
    const char *name = rf_level_name(l);
    bool colour = w->flags & RF_WRITER_COLOR;
    if (colour)
        gbuf_puts(b, level_colour(l));
    for (const char *p = name; *p; p++)
        gbuf_putc(b, loud ? (char)(*p - 'a' + 'A') : *p);
    if (colour)
        gbuf_puts(b, "\033[0m");
}

/* Append one flag's block: severity, indicator, rule, weight; then the
 * field and evidence, the sources and the guideline. */
static void put_flag(rf_writer *w, const rf_flag *f)
{
    gbuf *b = &w->out;
    gbuf_put(b, "  ", 2);
    put_level(w, f->severity, false);
    gbuf_put(b, spaces, INDENT - 2 - strlen(rf_level_name(f->severity)));
    gbuf *c = &w->cell;
    c->len = 0;
    put_safe(c, f->indicator ? f->indicator : "(no indicator)");
    gbuf_puts(c, "  (rule ");
    put_safe(c, f->rule);
    gbuf_puts(c, ", weight ");
    gbuf_long(c, f->weight);
    gbuf_putc(c, ')');
    put_wrapped(b, c->p, c->len, INDENT);
    gbuf_putc(b, '\n');
    c->len = 0;
    if (f->field) {
        put_safe(c, f->field);
        gbuf_put(c, ": ", 2);
    }
    gbuf_putc(c, '"');
    put_safe(c, f->evidence);
    gbuf_putc(c, '"');
    detail(w);
    if (f->source)
        detail_text(w, "source: ", f->source, false);
    if (f->guideline)
        detail_text(w, "guideline: ", f->guideline, false);
}

/* Append one list match: party, list, matched name; entity and score. */
static void put_match(rf_writer *w, const rf_match *m)
{
    gbuf *b = &w->out;
    gbuf_put(b, "  match", 7);
    gbuf_put(b, spaces, INDENT - 7);
    put_safe(b, m->party ? m->party : "party");
    gbuf_puts(b, " on ");
    put_safe(b, m->list);
    if (m->outcome && strcmp(m->outcome, "possible") == 0)
        gbuf_puts(b, " (possible match)");
    gbuf_puts(b, m->critical ? " (critical list)\n" : "\n");
    detail_text(w, "name: ", m->name, true);
    gbuf *c = &w->cell;
    c->len = 0;
    gbuf_puts(c, "score ");
    writer_put_score(c, m->score);
    if (m->kind) {
        gbuf_puts(c, ", ");
        gbuf_puts(c, m->kind);
    }
    if (m->entity) {
        gbuf_puts(c, ", entity ");
        put_safe(c, m->entity);
    }
    detail(w);
    if (m->why)
        detail_text(w, "why: ", m->why, false);
}

/* Append the heading line: id (or "line N"), LEVEL, score. */
static void put_heading(rf_writer *w, const rf_result *res)
{
    gbuf *b = &w->out;
    if (res->id && *res->id) {
        put_safe(b, res->id);
    } else {
        gbuf_puts(b, "line ");
        gbuf_long(b, res->line);
    }
    gbuf_put(b, "  ", 2);
    put_level(w, res->level, true);
    gbuf_puts(b, "  score ");
    gbuf_long(b, res->score);
    gbuf_putc(b, '\n');
}

/* Build one record's block, followed by a blank line. */
int writer_table_record(rf_writer *w, const rf_result *res)
{
    gbuf *b = &w->out;
    if (res->error) {
        size_t start = b->len;
        gbuf_puts(b, "line ");
        gbuf_long(b, res->line);
        size_t col = b->len - start + strlen(": error: ");
        gbuf_puts(b, (w->flags & RF_WRITER_COLOR) ? ": \033[31merror\033[0m: " : ": error: ");
        w->cell.len = 0;
        put_safe(&w->cell, res->error);
        put_wrapped(b, w->cell.p ? w->cell.p : "", w->cell.len, col);
        gbuf_put(b, "\n\n", 2);
        return RF_OK;
    }
    put_heading(w, res);
    if (!res->nflags)
        gbuf_puts(b, "  no indicators found\n");
    for (size_t i = 0; i < res->nflags; i++)
        put_flag(w, &res->flags[i]);
    for (size_t i = 0; i < res->nmatches; i++)
        put_match(w, &res->matches[i]);
    for (size_t i = 0; i < res->nincomplete; i++) {
        gbuf_puts(b, "  incomplete: rule ");
        put_safe(b, res->incomplete[i].rule);
        gbuf_puts(b, " hit a regex limit on ");
        put_safe(b, res->incomplete[i].field);
        gbuf_puts(b, ", the rest was not scanned\n");
    }
    gbuf_putc(b, '\n');
    return RF_OK;
}

/* Append ", N name" to the summary. */
static void tally(gbuf *b, unsigned long n, const char *name)
{
    gbuf_put(b, ", ", 2);
    gbuf_long(b, (long)n);
    gbuf_putc(b, ' ');
    gbuf_puts(b, name);
}

/* Build the closing line: records per level and the unreadable ones. */
int writer_table_summary(rf_writer *w)
{
    gbuf *b = &w->out;
    gbuf_long(b, (long)w->records);
    gbuf_puts(b, w->records == 1 ? " record: " : " records: ");
    gbuf_long(b, (long)w->levels[RF_LEVEL_CRITICAL]);
    gbuf_puts(b, " critical");
    tally(b, w->levels[RF_LEVEL_HIGH], "high");
    tally(b, w->levels[RF_LEVEL_MEDIUM], "medium");
    tally(b, w->levels[RF_LEVEL_LOW], "low");
    tally(b, w->levels[RF_LEVEL_NONE], "none");
    tally(b, w->unreadable, "unreadable");
    gbuf_putc(b, '\n');
    return RF_OK;
}

/* The readable table, with a summary line at the end. */
const writer_ops writer_table = {"table", RF_OUT_TABLE, writer_table_record, writer_table_summary,
                                 NULL};
