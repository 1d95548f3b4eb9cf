/* XML helpers for the feed parsers: a streaming xmlTextReader that expands one
 * entry at a time (bounded memory), matching elements by local name so
 * namespace prefixes do not matter, with libxml2's errors captured by line. */
#include <limits.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include "feed_int.h"

#if LIBXML_VERSION >= 21200
#define XML_ERR_CONST const
#else
#define XML_ERR_CONST
#endif

/* libxml2 error sink: keep the first error and its line. */
static void on_xml_error(void *ud, XML_ERR_CONST xmlError *e)
{
    feed_xml *x = ud;
    if (x->err[0] || !e || e->level < XML_ERR_ERROR)
        return;
    snprintf(x->err, sizeof x->err, "%s", e->message ? e->message : "XML error");
    size_t n = strlen(x->err);
    while (n && (x->err[n - 1] == '\n' || x->err[n - 1] == ' '))
        x->err[--n] = 0;
    x->err_line = e->line;
}

/* A libxml2 generic error handler that drops the message. */
static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* A libxml2 structured error handler that drops the error. */
static void silent_structured(void *ctx, const xmlError *e)
{
    (void)ctx;
    (void)e;
}

/* Silence libxml2's default printing to stderr for this thread. */
void feed_xml_quiet(void)
{
    xmlSetGenericErrorFunc(NULL, silent);
    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)silent_structured);
}

/* Open a reader over src: no network, no entity substitution, no DTD loading. */
int feed_xml_open(feed_xml *x, const rf_feed_src *src, rf_feed_diag *d)
{
    memset(x, 0, sizeof *x);
    x->diag = d;
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    if (!src || (!src->path && !src->data))
        return diag_set(d, RF_EINVAL, 0, "no input given");
    feed_xml_quiet();
    if (src->path && access(src->path, R_OK) != 0)
        return diag_set(d, RF_EIO, 0, "cannot open %s: %s", src->path, strerror(errno));
    if (src->path)
        x->r = xmlReaderForFile(src->path, NULL, opts);
    else if (src->len <= (size_t)INT_MAX)
        x->r = xmlReaderForMemory(src->data, (int)src->len, NULL, NULL, opts);
    if (!x->r)
        return diag_set(d, src->path ? RF_EIO : RF_ENOMEM, 0, "cannot open %s",
                        src->path ? src->path : "XML buffer");
    xmlTextReaderSetStructuredErrorHandler(x->r, on_xml_error, x);
    return RF_OK;
}

/* Free the reader. */
void feed_xml_close(feed_xml *x)
{
    if (x->r)
        xmlFreeTextReader(x->r);
    x->r = NULL;
}

/* Turn a reader failure into an RF_EINPUT diag. */
static int xml_fail(feed_xml *x, const char *what)
{
    long line = x->err_line ? x->err_line : xmlTextReaderGetParserLineNumber(x->r);
    return diag_set(x->diag, RF_EINPUT, line, "%s%s%s", what, x->err[0] ? ": " : "", x->err);
}

/* Check the document element once it is reached. */
static int check_root(feed_xml *x, const char *root)
{
    const char *ln = (const char *)xmlTextReaderConstLocalName(x->r);
    if (ln && strcmp(ln, root) == 0) {
        x->seen_root = true;
        return RF_OK;
    }
    return diag_set(x->diag, RF_EINPUT, xmlTextReaderGetParserLineNumber(x->r),
                    "not a <%s> document: the root element is <%s>", root, ln ? ln : "?");
}

/* True when ln is one of the '|'-separated names. */
static bool name_in(const char *ln, const char *names)
{
    size_t n = strlen(ln);
    for (const char *p = names; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, ln, n) == 0)
            return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* Step to the next element called name and expand it. */
int feed_xml_next(feed_xml *x, const char *root, const char *name, xmlNodePtr *out)
{
    *out = NULL;
    for (;;) {
        int rc = x->skip ? xmlTextReaderNext(x->r) : xmlTextReaderRead(x->r);
        x->skip = false;
        if (rc == 0) {
            if (x->err[0])
                return xml_fail(x, "malformed XML");
            if (!x->seen_root)
                return diag_set(x->diag, RF_EINPUT, 0, "no <%s> element: empty document", root);
            return RF_OK;
        }
        if (rc < 0 || x->err[0])
            return xml_fail(x, "malformed or truncated XML");
        if (xmlTextReaderNodeType(x->r) != XML_READER_TYPE_ELEMENT)
            continue;
        if (xmlTextReaderDepth(x->r) == 0) {
            int crc = check_root(x, root);
            if (crc)
                return crc;
            continue;
        }
        const char *ln = (const char *)xmlTextReaderConstLocalName(x->r);
        if (!ln || !name_in(ln, name))
            continue;
        xmlNodePtr n = xmlTextReaderExpand(x->r);
        if (!n || x->err[0])
            return xml_fail(x, "malformed or truncated XML");
        x->skip = true;
        *out = n;
        return RF_OK;
    }
}

/* True when n is an element with this local name. */
bool xml_is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* First child element with this local name. */
xmlNodePtr xml_child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (xml_is(c, name))
            return c;
    return NULL;
}

/* The text of an element holding one text node, else NULL. */
const char *xml_text(xmlNodePtr n)
{
    if (!n || !n->children)
        return NULL;
    xmlNodePtr t = n->children;
    if (t->next || (t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE))
        return NULL;
    return (const char *)t->content;
}

/* The text of the first child element named name. */
const char *xml_child_text(xmlNodePtr n, const char *name)
{
    return xml_text(xml_child(n, name));
}

/* Stream the entities of an XML entity list. */
int feed_xml_entities(const rf_feed_src *src, const char *root, const char *name,
                      const char *list, void (*build)(feed_builder *b, xmlNodePtr n),
                      rf_entity_cb cb, void *ud, rf_feed_diag *diag)
{
    feed_xml x;
    feed_builder b;
    xmlNodePtr n;
    diag_init(diag);
    if (!cb)
        return diag_set(diag, RF_EINVAL, 0, "no callback");
    int rc = feed_xml_open(&x, src, diag);
    if (rc)
        return rc;
    fb_init(&b, diag, src->list ? src->list : list);
    while ((rc = feed_xml_next(&x, root, name, &n)) == RF_OK && n) {
        build(&b, n);
        if ((rc = fb_emit(&b, cb, ud)) != 0)
            break;
    }
    fb_free(&b);
    feed_xml_close(&x);
    return rc;
}

/* One parser over each file of a feed. */
int feed_each_file(const rf_feed_src *src, size_t n,
                   int (*parse)(const rf_feed_src *, rf_entity_cb, void *, rf_feed_diag *),
                   rf_entity_cb cb, void *ud, rf_feed_diag *d)
{
    int rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < n; i++)
        rc = parse(&src[i], cb, ud, d);
    return rc;
}
