/* HTML report writer: one self-contained page for a whole run (an audit of a
 * supplier list or a year of orders), written when the run ends. Records are
 * kept in temporary files by level while the run goes on, so memory stays
 * flat however many records there are; the page lists the most serious first.
 * Every text is escaped; nothing is loaded from elsewhere (no scripts, no
 * external styles or fonts). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fnv.h"
#include "writer_int.h"

#define SECTIONS 5   /* critical, high, medium, low; then unreadable records */
#define MAX_SOURCES 16
#define MAX_SUPPLIERS 100000 /* suppliers tallied; more are counted as untallied */
#define SHOWN_SUPPLIERS 100  /* rows of the supplier table */

/* One indicator seen in the run. */
typedef struct html_ind {
    char *indicator, *source;
    unsigned long records;
    rf_level worst;
} html_ind;

/* One supplier (name and country) seen in the run. */
typedef struct html_sup {
    char *key;                  /* name, '\0', country; NULL: empty slot */
    unsigned long records, flagged;
    int worst, max_score;       /* worst level and highest score of its records */
} html_sup;

/* One list matched in the run. */
typedef struct html_list {
    char *list;
    unsigned long records;
} html_list;

struct html_state {
    FILE *part[SECTIONS];       /* record sections, by level; then errors */
    html_ind *ind;
    size_t nind, capind;
    html_list *lists;
    size_t nlists, caplists;
    char *sources[MAX_SOURCES]; /* input names, in order of first use */
    size_t nsources;
    html_sup *sup;              /* open addressing, capsup a power of two */
    size_t nsup, capsup;
    unsigned long untallied;    /* records of suppliers past MAX_SUPPLIERS */
};

/* Append s as HTML text: markup characters as entities, control characters
 * as spaces, invalid UTF-8 as U+FFFD. NULL appends nothing. */
static void put_html(gbuf *b, const char *s)
{
    while (s && *s) {
        unsigned char c = (unsigned char)*s;
        unsigned cp;
        size_t n;
        switch (c) {
        case '&': gbuf_puts(b, "&amp;"); s++; continue;
        case '<': gbuf_puts(b, "&lt;"); s++; continue;
        case '>': gbuf_puts(b, "&gt;"); s++; continue;
        case '"': gbuf_puts(b, "&quot;"); s++; continue;
        case '\'': gbuf_puts(b, "&#39;"); s++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            gbuf_putc(b, ' ');
            s++;
        } else if (c < 0x80) {
            gbuf_putc(b, (char)c);
            s++;
        } else if ((n = utf8_next(s, &cp)) > 0 && !(cp >= 0x80 && cp < 0xa0)) {
            gbuf_put(b, s, n);
            s += n;
        } else {
            gbuf_puts(b, n ? " " : "\xEF\xBF\xBD"); /* C1 controls; invalid bytes */
            s += n ? n : utf8_bad_len(s);
        }
    }
}

/* Append a table cell of escaped text. */
static void cell(gbuf *b, const char *text)
{
    gbuf_puts(b, "<td>");
    put_html(b, text);
    gbuf_puts(b, "</td>");
}

/* The state, made on first use; NULL when out of memory. */
static struct html_state *state(rf_writer *w)
{
    if (!w->html)
        w->html = calloc(1, sizeof *w->html);
    return w->html;
}

/* Free the state and its temporary files. */
void writer_html_free(rf_writer *w)
{
    struct html_state *h = w->html;
    if (!h)
        return;
    for (int i = 0; i < SECTIONS; i++)
        if (h->part[i])
            fclose(h->part[i]);
    for (size_t i = 0; i < h->nind; i++) {
        free(h->ind[i].indicator);
        free(h->ind[i].source);
    }
    for (size_t i = 0; i < h->nlists; i++)
        free(h->lists[i].list);
    for (size_t i = 0; i < h->nsources; i++)
        free(h->sources[i]);
    for (size_t i = 0; i < h->capsup; i++)
        free(h->sup[i].key);
    free(h->sup);
    free(h->ind);
    free(h->lists);
    free(h);
    w->html = NULL;
}

/* Count one flag's indicator (once per record: first is true for the record's
 * first flag of that indicator). */
static int add_indicator(struct html_state *h, const rf_flag *f, bool first)
{
    size_t i = 0;
    while (i < h->nind && strcmp(h->ind[i].indicator, f->indicator) != 0)
        i++;
    if (i == h->nind) {
        if (h->nind == h->capind) {
            size_t cap = h->capind ? 2 * h->capind : 16;
            html_ind *p = realloc(h->ind, cap * sizeof *p);
            if (!p)
                return RF_ENOMEM;
            h->ind = p;
            h->capind = cap;
        }
        html_ind n = {strdup(f->indicator), strdup(f->source ? f->source : ""), 0, f->severity};
        if (!n.indicator || !n.source) {
            free(n.indicator);
            free(n.source);
            return RF_ENOMEM;
        }
        h->ind[h->nind++] = n;
    }
    h->ind[i].records += first;
    if (f->severity > h->ind[i].worst)
        h->ind[i].worst = f->severity;
    return RF_OK;
}

/* Count a list matched by a record (once per record). */
static int add_list(struct html_state *h, const char *list)
{
    size_t i = 0;
    while (i < h->nlists && strcmp(h->lists[i].list, list) != 0)
        i++;
    if (i == h->nlists) {
        if (h->nlists == h->caplists) {
            size_t cap = h->caplists ? 2 * h->caplists : 8;
            html_list *p = realloc(h->lists, cap * sizeof *p);
            if (!p)
                return RF_ENOMEM;
            h->lists = p;
            h->caplists = cap;
        }
        if (!(h->lists[i].list = strdup(list)))
            return RF_ENOMEM;
        h->lists[i].records = 0;
        h->nlists++;
    }
    h->lists[i].records++;
    return RF_OK;
}

/* Remember an input name (the first MAX_SOURCES). */
static int add_source(struct html_state *h, const char *src)
{
    if (!src)
        return RF_OK;
    for (size_t i = 0; i < h->nsources; i++)
        if (strcmp(h->sources[i], src) == 0)
            return RF_OK;
    if (h->nsources == MAX_SOURCES)
        return RF_OK;
    return (h->sources[h->nsources++] = strdup(src)) ? RF_OK : RF_ENOMEM;
}

/* FNV-1a over a supplier key (name, NUL, country). */
static size_t sup_hash(const char *name, const char *country)
{
    return (size_t)fnv1a(fnv1a(FNV1A_INIT, name, strlen(name) + 1), country, strlen(country));
}

/* The slot of a supplier in a table of cap slots (empty when absent). */
static html_sup *sup_slot(html_sup *t, size_t cap, const char *name, const char *country)
{
    size_t i = sup_hash(name, country) & (cap - 1);
    while (t[i].key && !(strcmp(t[i].key, name) == 0 &&
                         strcmp(t[i].key + strlen(t[i].key) + 1, country) == 0))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* Double the supplier table (or make it). */
static int sup_grow(struct html_state *h)
{
    size_t cap = h->capsup ? 2 * h->capsup : 1024;
    html_sup *t = calloc(cap, sizeof *t);
    if (!t)
        return RF_ENOMEM;
    for (size_t i = 0; i < h->capsup; i++)
        if (h->sup[i].key) {
            const char *k = h->sup[i].key;
            *sup_slot(t, cap, k, k + strlen(k) + 1) = h->sup[i];
        }
    free(h->sup);
    h->sup = t;
    h->capsup = cap;
    return RF_OK;
}

/* Count a record of its supplier. */
static int add_supplier(struct html_state *h, const rf_result *res)
{
    if (!res->supplier || !*res->supplier)
        return RF_OK;
    const char *country = res->supplier_country ? res->supplier_country : "";
    if (2 * (h->nsup + 1) > h->capsup && h->nsup < MAX_SUPPLIERS && sup_grow(h) != RF_OK)
        return RF_ENOMEM;
    html_sup *e = sup_slot(h->sup, h->capsup, res->supplier, country);
    if (!e->key) {
        size_t n = strlen(res->supplier), m = strlen(country);
        if (h->nsup >= MAX_SUPPLIERS) {
            h->untallied++;
            return RF_OK;
        }
        if (!(e->key = malloc(n + m + 2)))
            return RF_ENOMEM;
        memcpy(e->key, res->supplier, n + 1);
        memcpy(e->key + n + 1, country, m + 1);
        h->nsup++;
    }
    e->records++;
    e->flagged += res->level > RF_LEVEL_NONE;
    e->worst = (int)res->level > e->worst ? (int)res->level : e->worst;
    e->max_score = res->score > e->max_score ? res->score : e->max_score;
    return RF_OK;
}

/* Count a result's indicators and lists, each once, and its supplier. */
static int tally_result(struct html_state *h, const rf_result *res)
{
    int rc = add_source(h, res->source);
    if (rc == RF_OK)
        rc = add_supplier(h, res);
    for (size_t i = 0; rc == RF_OK && i < res->nflags; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(res->flags[j].indicator, res->flags[i].indicator) != 0;
        rc = add_indicator(h, &res->flags[i], first);
    }
    for (size_t i = 0; rc == RF_OK && i < res->nmatches; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(res->matches[j].list, res->matches[i].list) != 0;
        if (first)
            rc = add_list(h, res->matches[i].list);
    }
    return rc;
}

/* Append "source:line" of a result. */
static void put_where(gbuf *b, const rf_result *res)
{
    put_html(b, res->source ? res->source : "");
    gbuf_putc(b, ':');
    gbuf_long(b, res->line);
}

/* Append one flag as a table row. */
static void put_flag_row(gbuf *b, const rf_flag *f)
{
    gbuf_puts(b, "<tr><td class=\"lvl-");
    gbuf_puts(b, rf_level_name(f->severity));
    gbuf_puts(b, "\">");
    gbuf_puts(b, rf_level_name(f->severity));
    gbuf_puts(b, "</td>");
    cell(b, f->indicator);
    gbuf_puts(b, "<td><span class=\"field\">");
    put_html(b, f->field);
    gbuf_puts(b, "</span> ");
    put_html(b, f->evidence);
    gbuf_puts(b, "</td><td>");
    put_html(b, f->source);
    if (f->guideline && *f->guideline) {
        gbuf_puts(b, "<br><span class=\"field\">");
        put_html(b, f->guideline);
        gbuf_puts(b, "</span>");
    }
    gbuf_puts(b, "</td><td class=\"num\">");
    gbuf_long(b, f->weight);
    gbuf_puts(b, "</td></tr>\n");
}

/* Append one list match as a table row. */
static void put_match_row(gbuf *b, const rf_match *m)
{
    gbuf_puts(b, "<tr>");
    cell(b, m->party);
    cell(b, m->list);
    cell(b, m->entity);
    cell(b, m->name);
    gbuf_puts(b, "<td class=\"num\">");
    writer_put_score(b, m->score);
    gbuf_puts(b, m->critical ? " (critical list)" : "");
    gbuf_puts(b, "</td></tr>\n");
}

/* Build the section of a flagged record. */
static void put_record(gbuf *b, const rf_result *res)
{
    gbuf_puts(b, "<section class=\"rec lvl-");
    gbuf_puts(b, rf_level_name(res->level));
    gbuf_puts(b, "\"><h3>");
    put_html(b, res->id ? res->id : "(no id)");
    gbuf_puts(b, " <span class=\"badge\">");
    gbuf_puts(b, rf_level_name(res->level));
    gbuf_puts(b, " ");
    gbuf_long(b, res->score);
    gbuf_puts(b, "</span></h3><p class=\"where\">");
    put_where(b, res);
    if (res->supplier && *res->supplier) {
        gbuf_puts(b, " &middot; supplier ");
        put_html(b, res->supplier);
        if (res->supplier_country && *res->supplier_country) {
            gbuf_puts(b, " (");
            put_html(b, res->supplier_country);
            gbuf_putc(b, ')');
        }
    }
    gbuf_puts(b, res->cached ? " &middot; parties from the profile cache" : "");
    gbuf_puts(b, "</p>\n");
    for (size_t i = 0; i < res->nincomplete; i++) {
        gbuf_puts(b, "<p class=\"where\"><strong>Incomplete:</strong> rule ");
        put_html(b, res->incomplete[i].rule);
        gbuf_puts(b, " hit a regular-expression limit on ");
        put_html(b, res->incomplete[i].field);
        gbuf_puts(b, "; the rest of that field was not scanned for it.</p>\n");
    }
    if (res->nflags) {
        gbuf_puts(b, "<table><tr><th>Severity</th><th>Indicator</th><th>Evidence</th>"
                     "<th>Source</th><th>Weight</th></tr>\n");
        for (size_t i = 0; i < res->nflags; i++)
            put_flag_row(b, &res->flags[i]);
        gbuf_puts(b, "</table>\n");
    }
    if (res->nmatches) {
        gbuf_puts(b, "<table><tr><th>Party</th><th>List</th><th>Entity</th><th>Listed name</th>"
                     "<th>Score</th></tr>\n");
        for (size_t i = 0; i < res->nmatches; i++)
            put_match_row(b, &res->matches[i]);
        gbuf_puts(b, "</table>\n");
    }
    gbuf_puts(b, "</section>\n");
}

/* Build the row of a record that could not be read. */
static void put_error_row(gbuf *b, const rf_result *res)
{
    gbuf_puts(b, "<tr><td>");
    put_where(b, res);
    gbuf_puts(b, "</td>");
    cell(b, res->id ? res->id : "");
    cell(b, res->error);
    gbuf_puts(b, "</tr>\n");
}

/* Keep one result for the report: counted, and its section (if it needs
 * attention) or error row stored in the temporary file of its kind. */
int writer_html_record(rf_writer *w, const rf_result *res)
{
    struct html_state *h = state(w);
    if (!h)
        return RF_ENOMEM;
    int part = res->error ? SECTIONS - 1 : RF_LEVEL_CRITICAL - (int)res->level;
    int rc = res->error ? add_source(h, res->source) : tally_result(h, res);
    if (rc != RF_OK || part < 0 || part >= SECTIONS || (!res->error && res->level == RF_LEVEL_NONE))
        return rc;
    if (!h->part[part] && !(h->part[part] = tmpfile()))
        return RF_EIO;
    gbuf *b = &w->out;
    if (res->error)
        put_error_row(b, res);
    else
        put_record(b, res);
    return writer_drain(w, h->part[part]); /* nothing for the stream until the end */
}

static const char STYLE[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;"
    "color:#222}h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.5em 0 1em;width:100%}"
    "th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}td.num{text-align:right;white-space:nowrap}"
    ".field{color:#666;font-size:.9em}.where,.meta{color:#555}"
    ".rec{border-left:6px solid #999;padding:.2em 1em;margin:1em 0}"
    ".badge{font-size:.8em;padding:.1em .5em;border-radius:.3em;color:#fff;background:#777}"
    ".lvl-critical{border-color:#8b0000}.lvl-critical .badge,td.lvl-critical{background:#8b0000;color:#fff}"
    ".lvl-high{border-color:#c0392b}.lvl-high .badge,td.lvl-high{background:#c0392b;color:#fff}"
    ".lvl-medium{border-color:#d68910}.lvl-medium .badge,td.lvl-medium{background:#d68910;color:#fff}"
    ".lvl-low{border-color:#2e86c1}.lvl-low .badge,td.lvl-low{background:#2e86c1;color:#fff}"
    "@media print{.rec{break-inside:avoid}}";

/* Build the head of the page: title, inputs, summary counts. */
static void put_head(rf_writer *w)
{
    gbuf *b = &w->out;
    struct html_state *h = w->html;
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    gbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>redflag audit report</title><style>");
    gbuf_puts(b, STYLE);
    gbuf_puts(b, "</style></head><body>\n<h1>Forced labour and trafficking risk: audit report</h1>\n"
                 "<p class=\"meta\">");
    put_html(b, when);
    gbuf_puts(b, " &middot; redflag ");
    put_html(b, rf_version());
    gbuf_puts(b, " &middot; input: ");
    for (size_t i = 0; h && i < h->nsources; i++) {
        gbuf_puts(b, i ? ", " : "");
        put_html(b, h->sources[i]);
    }
    gbuf_puts(b, "</p>\n<h2>Summary</h2>\n<table><tr><th>Records</th><th>Critical</th><th>High</th>"
                 "<th>Medium</th><th>Low</th><th>None</th><th>Unreadable</th></tr>\n<tr>");
    unsigned long v[] = {w->records, w->levels[RF_LEVEL_CRITICAL], w->levels[RF_LEVEL_HIGH],
                         w->levels[RF_LEVEL_MEDIUM], w->levels[RF_LEVEL_LOW],
                         w->levels[RF_LEVEL_NONE], w->unreadable};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        gbuf_puts(b, "<td class=\"num\">");
        gbuf_long(b, (long)v[i]);
        gbuf_puts(b, "</td>");
    }
    gbuf_puts(b, "</tr></table>\n<p>A record's level comes from the indicators found in it "
                 "(each flag names the rule, the evidence and its sources) and from matches on the "
                 "risk lists; a match on a critical list (UFLPA, CBP) makes it critical. Indicators "
                 "are grounds for due diligence with the supplier, not findings of forced labour "
                 "(OSCE Model Guidelines, 2018).</p>\n");
}

/* Order indicators: most records first, then by name. */
static int by_records(const void *a, const void *b)
{
    const html_ind *x = a, *y = b;
    if (x->records != y->records)
        return x->records < y->records ? 1 : -1;
    return strcmp(x->indicator, y->indicator);
}

/* Order suppliers: worst level, highest score, most flagged records, name. */
static int by_risk(const void *a, const void *b)
{
    const html_sup *x = *(html_sup *const *)a, *y = *(html_sup *const *)b;
    if (x->worst != y->worst)
        return x->worst < y->worst ? 1 : -1;
    if (x->max_score != y->max_score)
        return x->max_score < y->max_score ? 1 : -1;
    if (x->flagged != y->flagged)
        return x->flagged < y->flagged ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* Build the table of the suppliers with indicators, most serious first. */
static void put_suppliers(gbuf *b, struct html_state *h)
{
    size_t n = 0;
    html_sup **v = h && h->nsup ? malloc(h->nsup * sizeof *v) : NULL;
    for (size_t i = 0; v && i < h->capsup; i++)
        if (h->sup[i].key && h->sup[i].flagged)
            v[n++] = &h->sup[i];
    gbuf_puts(b, "<h2>Suppliers</h2>\n<p>");
    gbuf_long(b, (long)(h ? h->nsup : 0));
    gbuf_puts(b, " suppliers named, ");
    gbuf_long(b, (long)n);
    gbuf_puts(b, " with at least one record with an indicator");
    if (h && h->untallied) {
        gbuf_puts(b, " (the table keeps the first 100,000 suppliers: ");
        gbuf_long(b, (long)h->untallied);
        gbuf_puts(b, " records of further suppliers are not in it)");
    }
    gbuf_puts(b, n > SHOWN_SUPPLIERS ? "; the 100 most serious:</p>\n" : ".</p>\n");
    if (n) {
        qsort(v, n, sizeof *v, by_risk);
        gbuf_puts(b, "<table><tr><th>Supplier</th><th>Country</th><th>Worst level</th>"
                     "<th>Highest score</th><th>Records with indicators</th><th>Records</th></tr>\n");
        for (size_t i = 0; i < n && i < SHOWN_SUPPLIERS; i++) {
            gbuf_puts(b, "<tr>");
            cell(b, v[i]->key);
            cell(b, v[i]->key + strlen(v[i]->key) + 1);
            gbuf_puts(b, "<td class=\"lvl-");
            gbuf_puts(b, rf_level_name((rf_level)v[i]->worst));
            gbuf_puts(b, "\">");
            gbuf_puts(b, rf_level_name((rf_level)v[i]->worst));
            gbuf_puts(b, "</td>");
            unsigned long nums[] = {(unsigned long)v[i]->max_score, v[i]->flagged, v[i]->records};
            for (size_t k = 0; k < 3; k++) {
                gbuf_puts(b, "<td class=\"num\">");
                gbuf_long(b, (long)nums[k]);
                gbuf_puts(b, "</td>");
            }
            gbuf_puts(b, "</tr>\n");
        }
        gbuf_puts(b, "</table>\n");
    }
    free(v);
}

/* Build the supplier, indicator and list tables. */
static void put_tables(rf_writer *w)
{
    gbuf *b = &w->out;
    struct html_state *h = w->html;
    size_t nind = h ? h->nind : 0, nlists = h ? h->nlists : 0;
    put_suppliers(b, h);
    gbuf_puts(b, "<h2>Indicators found</h2>\n");
    if (!nind)
        gbuf_puts(b, "<p>None.</p>\n");
    else {
        qsort(h->ind, nind, sizeof *h->ind, by_records);
        gbuf_puts(b, "<table><tr><th>Indicator</th><th>Records</th><th>Highest severity</th>"
                     "<th>Source</th></tr>\n");
        for (size_t i = 0; i < nind; i++) {
            gbuf_puts(b, "<tr>");
            cell(b, h->ind[i].indicator);
            gbuf_puts(b, "<td class=\"num\">");
            gbuf_long(b, (long)h->ind[i].records);
            gbuf_puts(b, "</td>");
            cell(b, rf_level_name(h->ind[i].worst));
            cell(b, h->ind[i].source);
            gbuf_puts(b, "</tr>\n");
        }
        gbuf_puts(b, "</table>\n");
    }
    gbuf_puts(b, "<h2>Risk-list matches</h2>\n");
    if (!nlists)
        gbuf_puts(b, "<p>No party matched a risk list.</p>\n");
    else {
        gbuf_puts(b, "<table><tr><th>List</th><th>Records</th></tr>\n");
        for (size_t i = 0; i < nlists; i++) {
            gbuf_puts(b, "<tr>");
            cell(b, h->lists[i].list);
            gbuf_puts(b, "<td class=\"num\">");
            gbuf_long(b, (long)h->lists[i].records);
            gbuf_puts(b, "</td></tr>\n");
        }
        gbuf_puts(b, "</table>\n");
    }
}

/* Copy a temporary file to the stream. */
static int copy_part(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    if (!from)
        return RF_OK;
    rewind(from);
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return RF_EIO;
    return ferror(from) ? RF_EIO : RF_OK;
}

/* Write the whole page: head, tables, records by level, unreadable records. */
int writer_html_finish(rf_writer *w)
{
    struct html_state *h = w->html;
    gbuf *b = &w->out;
    put_head(w);
    put_tables(w);
    unsigned long attention = w->levels[RF_LEVEL_CRITICAL] + w->levels[RF_LEVEL_HIGH] +
                              w->levels[RF_LEVEL_MEDIUM] + w->levels[RF_LEVEL_LOW];
    gbuf_puts(b, "<h2>Records with indicators</h2>\n");
    if (!attention)
        gbuf_puts(b, "<p>None.</p>\n");
    int rc = writer_drain(w, w->fp);
    for (int i = 0; rc == RF_OK && i < SECTIONS - 1; i++)
        rc = copy_part(h ? h->part[i] : NULL, w->fp);
    if (rc == RF_OK && w->unreadable) {
        gbuf_puts(b, "<h2>Records that could not be read</h2>\n<table><tr><th>Where</th>"
                     "<th>Id</th><th>Problem</th></tr>\n");
        rc = writer_drain(w, w->fp);
        if (rc == RF_OK)
            rc = copy_part(h ? h->part[SECTIONS - 1] : NULL, w->fp);
        gbuf_puts(b, "</table>\n");
    }
    gbuf_puts(b, "<h2>Records with no indicator</h2>\n<p>");
    gbuf_long(b, (long)w->levels[RF_LEVEL_NONE]);
    gbuf_puts(b, w->levels[RF_LEVEL_NONE] == 1 ? " record" : " records");
    gbuf_puts(b, " with no indicator and no list match.</p>\n<p class=\"meta\">Score: 100 &times; "
                 "(1 &minus; &prod;(1 &minus; weight/100)) over the indicators found, each counted "
                 "once at its strongest flag. Levels: low under 25, medium under 50, high under 75, "
                 "critical 75 and over.</p>\n</body></html>\n");
    return rc == RF_OK ? writer_drain(w, w->fp) : rc;
}

/* One self-contained HTML report of the run. */
const writer_ops writer_html = {"html", RF_OUT_HTML, writer_html_record, writer_html_finish,
                                writer_html_free};
