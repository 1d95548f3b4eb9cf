/* CSV writer: one row per record, RFC 4180 quoting, formulas and control characters neutralised. */
#include <string.h>
#include "writer_int.h"

static const char header[] = "id,line,level,score,indicators,rules,evidence,matches,error,incomplete\r\n";

/* Whether a spreadsheet would read a cell starting with c as a formula
 * (OWASP "CSV Injection": = + - @ tab and carriage return). */
static bool formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Length of the control sequence at s[0..n) that a terminal could act on, or 0:
 * a C0 control but tab and line breaks (they are quoted), DEL, a C1 control
 * (U+0080-U+009F, 2 bytes), a bidirectional override or isolate (3 bytes). */
static size_t control_len(const unsigned char *s, size_t n)
{
    if ((s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r') || s[0] == 0x7F)
        return 1;
    if (n >= 2 && s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F)
        return 2;
    if (n >= 3 && s[0] == 0xE2 && ((s[1] == 0x80 && s[2] >= 0xAA && s[2] <= 0xAE) ||
                                   (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)))
        return 3;
    return 0;
}

/* Replace each control sequence of the cell by '?', in place (as the table
 * does: ESC, BEL and CSI in input text must not drive the terminal of whoever
 * prints the CSV). */
static void neutralise(gbuf *c)
{
    unsigned char *s = (unsigned char *)c->p;
    size_t o = 0;
    for (size_t i = 0; s && i < c->len;) {
        size_t k = control_len(s + i, c->len - i);
        s[o++] = k ? '?' : s[i];
        i += k ? k : 1;
    }
    c->len = o;
}

/* Append the text cell in w->cell to the row: a leading apostrophe when it
 * could start a formula, and quotes when it holds a quote, comma or newline. */
static void put_cell(rf_writer *w)
{
    gbuf *b = &w->out;
    neutralise(&w->cell);
    const char *s = w->cell.p ? w->cell.p : "";
    size_t n = w->cell.len;
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == '"' || s[i] == ',' || s[i] == '\n' || s[i] == '\r';
    if (quote)
        gbuf_putc(b, '"');
    if (n && formula_start(s[0]))
        gbuf_putc(b, '\'');
    const char *run = s;
    for (const char *q; quote && (q = memchr(run, '"', n - (size_t)(run - s)));) {
        gbuf_put(b, run, (size_t)(q - run) + 1);
        gbuf_putc(b, '"');
        run = q + 1;
    }
    gbuf_put(b, run, n - (size_t)(run - s));
    if (quote)
        gbuf_putc(b, '"');
    w->cell.len = 0;
}

/* Append a text cell holding s (empty for NULL), then the separator sep. */
static void text_cell(rf_writer *w, const char *s, char sep)
{
    w->cell.len = 0;
    if (s)
        gbuf_puts(&w->cell, s);
    put_cell(w);
    gbuf_putc(&w->out, sep);
}

/* Whether flag i's indicator (or rule, when by_rule) appeared in an earlier flag. */
static bool seen_before(const rf_result *res, size_t i, bool by_rule)
{
    const char *s = by_rule ? res->flags[i].rule : res->flags[i].indicator;
    for (size_t j = 0; j < i; j++) {
        const char *t = by_rule ? res->flags[j].rule : res->flags[j].indicator;
        if (t && strcmp(s, t) == 0)
            return true;
    }
    return false;
}

/* Fill the cell with the distinct indicators (or rule ids), in flag order. */
static void distinct_cell(rf_writer *w, const rf_result *res, bool by_rule)
{
    gbuf *c = &w->cell;
    for (size_t i = 0; i < res->nflags; i++) {
        const char *s = by_rule ? res->flags[i].rule : res->flags[i].indicator;
        if (!s || seen_before(res, i, by_rule))
            continue;
        if (c->len)
            gbuf_put(c, "; ", 2);
        gbuf_puts(c, s);
    }
    put_cell(w);
    gbuf_putc(&w->out, ',');
}

/* Fill the cell with "field: evidence" for each flag, joined with " | ". */
static void evidence_cell(rf_writer *w, const rf_result *res)
{
    gbuf *c = &w->cell;
    for (size_t i = 0; i < res->nflags; i++) {
        const rf_flag *f = &res->flags[i];
        if (i)
            gbuf_put(c, " | ", 3);
        if (f->field) {
            gbuf_puts(c, f->field);
            gbuf_put(c, ": ", 2);
        }
        gbuf_puts(c, f->evidence ? f->evidence : "");
    }
    put_cell(w);
    gbuf_putc(&w->out, ',');
}

/* Fill the cell with "list:name (kind, [possible, ]0.96)" for each match, joined with "; ". */
static void matches_cell(rf_writer *w, const rf_result *res)
{
    gbuf *c = &w->cell;
    for (size_t i = 0; i < res->nmatches; i++) {
        const rf_match *m = &res->matches[i];
        if (i)
            gbuf_put(c, "; ", 2);
        gbuf_puts(c, m->list ? m->list : "");
        gbuf_putc(c, ':');
        gbuf_puts(c, m->name ? m->name : "");
        gbuf_put(c, " (", 2);
        if (m->kind) {
            gbuf_puts(c, m->kind);
            gbuf_put(c, ", ", 2);
        }
        if (m->outcome && strcmp(m->outcome, "possible") == 0)
            gbuf_puts(c, "possible, ");
        writer_put_score(c, m->score);
        gbuf_putc(c, ')');
    }
    put_cell(w);
    gbuf_putc(&w->out, ',');
}

/* Fill the cell with "rule (field)" for each rule not fully scanned, joined with "; ". */
static void incomplete_cell(rf_writer *w, const rf_result *res)
{
    gbuf *c = &w->cell;
    for (size_t i = 0; i < res->nincomplete; i++) {
        if (i)
            gbuf_put(c, "; ", 2);
        gbuf_puts(c, res->incomplete[i].rule);
        gbuf_put(c, " (", 2);
        gbuf_puts(c, res->incomplete[i].field);
        gbuf_putc(c, ')');
    }
    put_cell(w);
}

/* Build one CSV row (and the header before the first). */
int writer_csv_record(rf_writer *w, const rf_result *res)
{
    gbuf *b = &w->out;
    bool header_now = !w->header_done;
    if (header_now)
        gbuf_put(b, header, sizeof header - 1);
    text_cell(w, res->id, ',');
    if (res->line > 0)
        gbuf_long(b, res->line);
    gbuf_putc(b, ',');
    if (res->error) {
        gbuf_put(b, ",,,,,,", 6);
        text_cell(w, res->error, ',');
        gbuf_putc(b, '\r');
    } else {
        text_cell(w, rf_level_name(res->level), ',');
        gbuf_long(b, res->score);
        gbuf_putc(b, ',');
        distinct_cell(w, res, false);
        distinct_cell(w, res, true);
        evidence_cell(w, res);
        matches_cell(w, res);
        gbuf_putc(b, ',');
        incomplete_cell(w, res);
        gbuf_putc(b, '\r');
    }
    gbuf_putc(b, '\n');
    if (w->cell.oom) {
        b->oom = true;
        w->cell.oom = false;
    }
    if (header_now && !b->oom)
        w->header_done = true;
    return RF_OK;
}

/* CSV for a spreadsheet, formulas neutralised. */
const writer_ops writer_csv = {"csv", RF_OUT_CSV, writer_csv_record, NULL, NULL};
