/* DHS UFLPA Entity List page (HTML): one table per UFLPA 2(d)(2)(B) clause,
 * "Name of Entity" / "Effective Date" columns, aliases and former names
 * written inside the name cell. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include "feed_int.h"

#define CELL_MAX 65536

typedef struct uflpa_ctx {
    feed_builder b;
    char clause[16];     /* "i" … "v", "" when the page has not said */
    size_t tables;       /* entity tables seen */
    struct textbuf *t;   /* cell text scratch */
    rf_entity_cb cb;
    void *ud;
} uflpa_ctx;

typedef struct textbuf {
    char s[CELL_MAX];
    size_t n;
} textbuf;

/* Append text to a cell buffer (silently capped). */
static void tb_add(textbuf *t, const char *s, size_t n)
{
    if (n > sizeof t->s - 1 - t->n)
        n = sizeof t->s - 1 - t->n;
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = 0;
}

/* Collect an element's text, a space for <br> and block boundaries. */
static void collect(xmlNodePtr n, textbuf *t)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            tb_add(t, (const char *)c->content, strlen((const char *)c->content));
        else if (c->type == XML_ELEMENT_NODE) {
            tb_add(t, " ", 1);
            collect(c, t);
            tb_add(t, " ", 1);
        }
    }
}

/* Collapse whitespace and NBSP into single spaces, trimming both ends. */
static void squeeze(textbuf *t)
{
    size_t o = 0;
    bool pend = false;
    for (size_t i = 0; i < t->n;) {
        unsigned char c = (unsigned char)t->s[i];
        size_t sp = isspace(c) ? 1 : (c == 0xC2 && (unsigned char)t->s[i + 1] == 0xA0) ? 2 : 0;
        if (sp) {
            pend = o > 0;
            i += sp;
            continue;
        }
        if (pend)
            t->s[o++] = ' ';
        pend = false;
        t->s[o++] = t->s[i++];
    }
    t->n = o;
    t->s[o] = 0;
}

/* Length of an alias-introducing phrase at s ("including one alias:",
 * "and two aliases:", "also known as", "formerly known as", …), or 0. */
static size_t marker_at(const char *s, rf_alias_kind *kind)
{
    static const struct { const char *p; rf_alias_kind k; } phrases[] = {
        {"also known as", RF_ALIAS_AKA},         {"formerly known as", RF_ALIAS_FORMER},
        {"previously known as", RF_ALIAS_FORMER}, {"a.k.a.", RF_ALIAS_AKA},
        {"f.k.a.", RF_ALIAS_FORMER},              {"aka", RF_ALIAS_AKA}};
    const char *p = s;
    size_t k;
    if ((k = feed_prefix(p, "and ")) || (k = feed_prefix(p, "including ")))
        p += k;
    for (size_t i = 0; i < sizeof phrases / sizeof *phrases; i++)
        if ((k = feed_prefix(p, phrases[i].p)) && (p[k] == ' ' || p[k] == ':' || !p[k])) {
            *kind = phrases[i].k;
            p += k;
            return (size_t)(p - s) + (*p == ':');
        }
    const char *w = p; /* "[word ]alias:" / "[word ]aliases:" / "[word ]former names:" */
    while (isalnum((unsigned char)*w))
        w++;
    if (*w == ' ')
        w++;
    else
        w = p;
    static const struct { const char *p; rf_alias_kind k; } tails[] = {
        {"aliases:", RF_ALIAS_AKA}, {"alias:", RF_ALIAS_AKA},
        {"former names:", RF_ALIAS_FORMER}, {"former name:", RF_ALIAS_FORMER}};
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
        if ((k = feed_prefix(w, tails[i].p))) {
            *kind = tails[i].k;
            return (size_t)(w + k - s);
        }
    return 0;
}

/* Strip a trailing "and subsidiaries" from s[0..*n); true when it was there. */
static bool strip_subsidiaries(const char *s, size_t *n)
{
    static const char *const tails[] = {"and its subsidiaries", "and subsidiaries"};
    size_t len = *n;
    while (len && (s[len - 1] == '.' || s[len - 1] == ',' || s[len - 1] == ' '))
        len--;
    for (size_t i = 0; i < 2; i++) {
        size_t tl = strlen(tails[i]);
        if (len >= tl && strncasecmp(s + len - tl, tails[i], tl) == 0) {
            len -= tl;
            while (len && (s[len - 1] == ',' || s[len - 1] == ' '))
                len--;
            *n = len;
            return true;
        }
    }
    return false;
}

/* Add the ';'-separated names inside one alias parenthetical. */
static void add_alias_list(feed_builder *b, const char *s, size_t n, rf_alias_kind kind)
{
    size_t start = 0;
    int depth = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] == '(')
            depth++;
        else if (i < n && s[i] == ')' && depth)
            depth--;
        if (i < n && (s[i] != ';' || depth))
            continue;
        const char *p = s + start;
        size_t len = i - start, k;
        p = feed_trim(p, &len);
        rf_alias_kind nk;
        if ((k = marker_at(p, &nk))) { /* "…; and formerly known as X" switches kind */
            kind = nk;
            p += k;
            len -= k;
        } else if ((k = feed_prefix(p, "and ")) && len > k) {
            p += k;
            len -= k;
        }
        p = feed_trim(p, &len);
        if (len)
            fb_alias(b, p, len, kind);
        start = i + 1;
    }
}

/* End of the parenthetical opened at s[open] (index of its ')' or n). */
static size_t close_paren(const char *s, size_t n, size_t open)
{
    int depth = 0;
    for (size_t i = open; i < n; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i;
    }
    return n;
}

/* Split a name cell into the name, aliases and a subsidiaries note. */
static void parse_name_cell(feed_builder *b, const char *s, size_t n)
{
    size_t name_end = n, i = 0;
    bool named = false, subs = false;
    while (i < n) {
        rf_alias_kind kind;
        size_t k, skip = i + 1;
        while (skip < n && s[skip] == ' ')
            skip++;
        if (s[i] != '(' || !(k = marker_at(s + skip, &kind))) {
            i++;
            continue;
        }
        if (!named) {
            name_end = i;
            named = true;
        }
        size_t close = close_paren(s, n, i);
        add_alias_list(b, s + skip + k, close - skip - k, kind);
        i = close + 1;
        size_t rest = n - (i < n ? i : n);
        const char *r = s + (i < n ? i : n);
        if (rest && strip_subsidiaries(r, &rest) && rest == 0)
            subs = true;
    }
    subs = strip_subsidiaries(s, &name_end) || subs;
    const char *nm = feed_trim(s, &name_end);
    fb_set_name(b, nm, name_end);
    if (subs)
        fb_append_remarks(b, "and subsidiaries");
}

/* A stable id from the name: "uflpa-" and its letters and digits in lower case. */
static void set_slug_id(feed_builder *b)
{
    char id[128] = "uflpa-";
    size_t o = strlen(id);
    bool dash = true;
    for (const char *p = b->e.name; p && *p && o < sizeof id - 1; p++) {
        if (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80) {
            id[o++] = (char)tolower((unsigned char)*p);
            dash = false;
        } else if (!dash) {
            id[o++] = '-';
            dash = true;
        }
    }
    while (o && id[o - 1] == '-')
        o--;
    fb_set_id(b, id, o);
}

/* Deliver one table row: name cell and effective-date cell. */
static int emit_row(uflpa_ctx *c, xmlNodePtr name_td, xmlNodePtr date_td)
{
    textbuf *t = c->t;
    feed_builder *b = &c->b;
    if (!name_td)
        return RF_OK;
    t->n = 0;
    t->s[0] = 0;
    collect(name_td, t);
    squeeze(t);
    if (!t->n)
        return RF_OK;
    b->e.line = xmlGetLineNo(name_td);
    b->e.kind = RF_ENTITY_COMPANY;
    parse_name_cell(b, t->s, t->n);
    set_slug_id(b);
    char prog[40];
    snprintf(prog, sizeof prog, c->clause[0] ? "UFLPA 2(d)(2)(B)(%s)" : "UFLPA", c->clause);
    fb_program(b, prog, strlen(prog));
    fb_country(b, "CN", 2); /* the page states none: the Act's scope is the PRC (XUAR) */
    if (date_td) {
        t->n = 0;
        collect(date_td, t);
        squeeze(t);
        fb_set_listed_on(b, t->s, t->n);
    }
    return fb_emit(b, c->cb, c->ud);
}

/* Column of the header cell whose text contains word (case-insensitive), or -1. */
static int header_col(xmlNodePtr tr, const char *word)
{
    int i = 0;
    for (xmlNodePtr c = tr ? tr->children : NULL; c; c = c->next) {
        if (!xml_is(c, "th") && !xml_is(c, "td"))
            continue;
        xmlChar *txt = xmlNodeGetContent(c);
        bool hit = txt && strcasestr((const char *)txt, word);
        xmlFree(txt);
        if (hit)
            return i;
        i++;
    }
    return -1;
}

/* The first <tr> under a table (through thead/tbody), or NULL. */
static xmlNodePtr first_row(xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (xml_is(c, "tr"))
            return c;
        if (xml_is(c, "thead") || xml_is(c, "tbody")) {
            xmlNodePtr r = first_row(c);
            if (r)
                return r;
        }
    }
    return NULL;
}

/* The idx-th cell (td) of a row, or NULL. */
static xmlNodePtr cell(xmlNodePtr tr, int idx)
{
    int i = 0;
    for (xmlNodePtr c = tr->children; c; c = c->next)
        if (xml_is(c, "td") || xml_is(c, "th")) {
            if (i == idx)
                return c;
            i++;
        }
    return NULL;
}

/* Deliver the data rows (those with td cells) under n. */
static int table_rows(uflpa_ctx *c, xmlNodePtr n, int ncol, int dcol)
{
    for (xmlNodePtr r = n->children; r; r = r->next) {
        if (xml_is(r, "thead") || xml_is(r, "tbody") || xml_is(r, "tfoot")) {
            int rc = table_rows(c, r, ncol, dcol);
            if (rc)
                return rc;
        } else if (xml_is(r, "tr") && xml_child(r, "td")) {
            int rc = emit_row(c, cell(r, ncol), dcol >= 0 ? cell(r, dcol) : NULL);
            if (rc)
                return rc;
        }
    }
    return RF_OK;
}

/* A table whose header names an entity column and a date column. */
static int handle_table(uflpa_ctx *c, xmlNodePtr table)
{
    xmlNodePtr hdr = first_row(table);
    int ncol = header_col(hdr, "name");
    int dcol = header_col(hdr, "date");
    if (ncol < 0 || !xml_child(hdr, "th"))
        return RF_OK; /* not an entity table */
    c->tables++;
    return table_rows(c, table, ncol, dcol);
}

/* Pick up a clause reference "2(d)(2)(B)(iv)" from text outside the tables. */
static void note_clause(uflpa_ctx *c, const char *text)
{
    const char *p = strstr(text, "(B)(");
    if (!p)
        return;
    p += 4;
    size_t n = strspn(p, "ivxIVX");
    if (n && n < sizeof c->clause && p[n] == ')') {
        for (size_t i = 0; i < n; i++)
            c->clause[i] = (char)tolower((unsigned char)p[i]);
        c->clause[n] = 0;
    }
}

/* Walk the document in order: headings set the clause, tables give entities. */
static int walk(uflpa_ctx *c, xmlNodePtr n, int depth)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content)
            note_clause(c, (const char *)n->content);
        else if (xml_is(n, "table")) {
            int rc = handle_table(c, n);
            if (rc)
                return rc;
        } else if (n->type == XML_ELEMENT_NODE && n->children && depth < 256) {
            int rc = walk(c, n->children, depth + 1);
            if (rc)
                return rc;
        }
    }
    return RF_OK;
}

/* Parse the UFLPA Entity List page. */
int rf_feed_parse_uflpa_html(const rf_feed_src *src, rf_entity_cb cb, void *ud,
                             rf_feed_diag *diag)
{
    int opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING;
    uflpa_ctx c = {.cb = cb, .ud = ud};
    htmlDocPtr doc = NULL;
    diag_init(diag);
    if (!cb || !src || (!src->path && !src->data))
        return diag_set(diag, RF_EINVAL, 0, "no callback or no input");
    feed_xml_quiet();
    if (src->path && access(src->path, R_OK) != 0)
        return diag_set(diag, RF_EIO, 0, "cannot open %s: %s", src->path, strerror(errno));
    if (src->path)
        doc = htmlReadFile(src->path, "UTF-8", opts);
    else if (src->len <= (size_t)INT_MAX)
        doc = htmlReadMemory(src->data, (int)src->len, NULL, "UTF-8", opts);
    if (!doc)
        return diag_set(diag, RF_EINPUT, 0, "cannot read the HTML page%s%s",
                        src->path ? " " : "", src->path ? src->path : "");
    c.t = malloc(sizeof *c.t);
    if (!c.t) {
        xmlFreeDoc(doc);
        return diag_set(diag, RF_ENOMEM, 0, "out of memory");
    }
    fb_init(&c.b, diag, src->list ? src->list : "us_uflpa");
    int rc = walk(&c, xmlDocGetRootElement(doc), 0);
    if (rc == RF_OK && c.tables == 0)
        rc = diag_set(diag, RF_EINPUT, 0,
                      "no entity table (Name / Effective Date) found: not the UFLPA Entity "
                      "List page");
    fb_free(&c.b);
    free(c.t);
    xmlFreeDoc(doc);
    return rc;
}

/* The DHS UFLPA Entity List page. */
const feed_ops feed_uflpa_html = {"uflpa_html", RF_EXPECT_HTML, false, NULL,
                                  rf_feed_parse_uflpa_html};
