/* Whole-document input (UBL orders, OCDS packages, eForms notices): read the
 * stream up to RF_MAX_DOC_BYTES, parse it safely, pick the format from the
 * content and hand out one record per rf_reader_next call.
 *
 * XML is parsed by libxml2 with no network (XML_PARSE_NONET), no DTD loading,
 * no entity substitution, XML_PARSE_HUGE off, and any DOCTYPE refused outright
 * from the SAX callback before its declarations are read: UBL and eForms
 * never use one, and refusing it shuts out external entities and entity
 * expansion ("billion laughs") at once. Elements are matched by namespace URI,
 * so the prefixes a document chooses do not matter. */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "json_int.h"
#include "reader_int.h"

#define UBL_NS "urn:oasis:names:specification:ubl:schema:xsd:"

static const struct { const char *pfx, *uri; } prefixes[] = {
    {"cac", UBL_NS "CommonAggregateComponents-2"},
    {"cbc", UBL_NS "CommonBasicComponents-2"},
    {"ext", UBL_NS "CommonExtensionComponents-2"},
    {"efac", "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"},
    {"efbc", "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"},
    {"efext", "http://data.europa.eu/p27/eforms-ubl-extensions/1"},
};

/* ---- reading the stream ---- */

/* Consume leading newlines and a UTF-8 BOM; true when the next byte is '<'
 * (the byte is pushed back). Newlines consumed are counted as lines read. */
bool doc_peek_xml(rf_reader *r)
{
    int c;
    while ((c = getc(r->fp)) == '\n' || c == '\r')
        if (c == '\n')
            r->lineno++;
    if (c == 0xEF) {
        int b = getc(r->fp), d = b == 0xBB ? getc(r->fp) : EOF;
        if (b != 0xBB || d != 0xBF) {   /* not a BOM: put the bytes back */
            if (d != EOF)
                ungetc(d, r->fp);
            if (b != EOF)
                ungetc(b, r->fp);
            ungetc(c, r->fp);
            return false;
        }
        c = getc(r->fp);
    }
    if (c == EOF)
        return false;
    ungetc(c, r->fp);
    return c == '<';
}

/* Append n bytes to the document buffer, bounded by RF_MAX_DOC_BYTES. */
static int doc_append(doc_state *d, const char *s, size_t n)
{
    if (d->len + n > RF_MAX_DOC_BYTES)
        return RF_ELIMIT;
    char *p = realloc(d->data, d->len + n + 1);
    if (!p)
        return RF_ENOMEM;
    memcpy(p + d->len, s, n);
    d->data = p;
    d->len += n;
    d->data[d->len] = '\0';
    return RF_OK;
}

/* Read the rest of the stream into the document buffer. */
static int slurp(rf_reader *r, doc_state *d)
{
    char chunk[65536];
    size_t n;
    int rc = RF_OK;
    while (rc == RF_OK && (n = fread(chunk, 1, sizeof chunk, r->fp)) > 0)
        rc = doc_append(d, chunk, n);
    if (rc == RF_OK && ferror(r->fp)) {
        snprintf(r->err, sizeof r->err, "read failed: %s", strerror(errno));
        return RF_EIO;
    }
    if (rc == RF_ELIMIT)
        return reader_fail(r, "document %s is larger than %u MiB; not read", r->name,
                           RF_MAX_DOC_BYTES >> 20);
    return rc;
}

/* Start document mode; the document is read at the first doc_next. */
int doc_start(rf_reader *r, bool with_line)
{
    doc_state *d = calloc(1, sizeof *d);
    if (!d)
        return RF_ENOMEM;
    r->doc = d;
    d->line0 = with_line ? r->lineno : r->lineno + 1;
    if (with_line) {
        r->pending = false;
        int rc = doc_append(d, r->buf, r->len);
        if (rc == RF_OK)
            rc = doc_append(d, "\n", 1);
        if (rc != RF_OK)
            return rc;
    }
    return RF_OK;
}

/* ---- safe XML parsing ---- */

/* What the parser callbacks saw: a DOCTYPE, or the first error. */
typedef struct parse_watch {
    bool doctype, failed;
    long line;
    char msg[300];
} parse_watch;

/* SAX hook for <!DOCTYPE …>: stop at once, before any declaration is read. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
                           const xmlChar *sys)
{
    (void)name, (void)ext, (void)sys;
    xmlParserCtxtPtr c = ctx;
    parse_watch *w = c->_private;
    w->doctype = true;
    w->line = c->input ? c->input->line : 0;
    xmlStopParser(c);
}

/* Structured error hook: keep the first error (libxml2 goes on after a fatal
 * one, so its last error is often not the cause) and stop there. Namespace
 * errors (an undeclared prefix) count too. */
static void first_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr c = e && e->ctxt ? e->ctxt : data;
    parse_watch *w = c ? c->_private : NULL;
    if (!w || !e || e->level < XML_ERR_ERROR || w->failed || w->doctype)
        return;
    w->failed = true;
    w->line = e->line;
    snprintf(w->msg, sizeof w->msg, "%s", e->message ? e->message : "unknown error");
    size_t n = strlen(w->msg);
    while (n && (w->msg[n - 1] == '\n' || w->msg[n - 1] == ' '))
        w->msg[--n] = '\0';
    xmlStopParser(c);
}

/* Parse the document buffer into *out; RF_EINPUT with the file and line. */
static int xml_parse(rf_reader *r, xmlDoc **out, long *errline)
{
    doc_state *d = r->doc;
    parse_watch w = {0};
    xmlParserCtxtPtr c = xmlNewParserCtxt();
    if (!c)
        return RF_ENOMEM;
    c->_private = &w;
    c->sax->internalSubset = refuse_doctype;
    c->sax->externalSubset = refuse_doctype;
    c->sax->serror = first_error;
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
    *out = xmlCtxtReadMemory(c, d->data, (int)d->len, r->name, NULL, opts);
    int rc = RF_OK;
    if (w.doctype || w.failed || !*out) {
        if (!w.doctype && !w.failed) {
            w.line = c->lastError.line;
            snprintf(w.msg, sizeof w.msg, "%s", c->lastError.message ? c->lastError.message
                                                                     : "unknown error");
        }
        *errline = w.line + d->line0 - 1;
        rc = w.doctype ? reader_fail(r, "DOCTYPE declaration refused in %s at line %ld (no "
                                        "DTDs, external entities or entity expansion in "
                                        "procurement documents)", r->name, *errline)
                       : reader_fail(r, "not well-formed XML in %s at line %ld: %s", r->name,
                                     *errline, w.msg);
    }
    if (rc != RF_OK && *out) {
        xmlFreeDoc(*out);
        *out = NULL;
    }
    xmlFreeParserCtxt(c);
    return rc;
}

/* The local name of a UBL document root, or NULL when ns is not UBL 2's. */
static const char *ubl_doc_type(const xmlNode *root, char *buf, size_t buflen)
{
    const char *ns = root->ns ? (const char *)root->ns->href : "";
    size_t k = strlen(UBL_NS);
    if (strncmp(ns, UBL_NS, k) != 0)
        return NULL;
    snprintf(buf, buflen, "%s", ns + k);
    char *dash = strrchr(buf, '-');
    if (dash)
        *dash = '\0';
    return buf;
}

/* The XML document reader for a root element type, or NULL. */
static const reader_ops *xml_reader(const char *type)
{
    for (size_t i = 0; reader_list[i]; i++)
        for (size_t k = 0; reader_list[i]->roots && reader_list[i]->roots[k]; k++)
            if (strcmp(type, reader_list[i]->roots[k]) == 0)
                return reader_list[i];
    return NULL;
}

/* Pick the document reader from the root element and namespace, and load it. */
static int xml_dispatch(rf_reader *r, xmlDoc *doc, long *line)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    char type[128];
    const char *t = ubl_doc_type(root, type, sizeof type);
    *line = docx_line(r, root);
    const reader_ops *ops = t && strcmp(t, (const char *)root->name) == 0 ? xml_reader(t) : NULL;
    if (!ops && t)
        return reader_fail(r, "unsupported document type %s (supported: Order, OrderChange, "
                              "OrderResponse, OCDS, eForms) in %s", t, r->name);
    if (!ops)
        return reader_fail(r, "unsupported XML document: root element %s in namespace '%s' "
                              "(supported: Order, OrderChange, OrderResponse, OCDS, eForms) "
                              "in %s", (const char *)root->name,
                           root->ns ? (const char *)root->ns->href : "", r->name);
    if (r->fmt != RF_FMT_AUTO && r->fmt != ops->fmt)
        return reader_fail(r, "%s is not %s: its root element is %s", r->name,
                           reader_ops_of(r->fmt)->what, (const char *)root->name);
    r->fmt = ops->fmt;
    return ops->load_xml(r, doc, *line);
}

/* The JSON document reader (OCDS). */
static const reader_ops *json_reader(void)
{
    for (size_t i = 0; reader_list[i]; i++)
        if (reader_list[i]->load_json)
            return reader_list[i];
    return NULL;
}

/* ---- the document driver ---- */

/* Read, parse and load the document; sets the error line in *line. */
static int doc_load(rf_reader *r, long *line)
{
    doc_state *d = r->doc;
    int rc = slurp(r, d);
    *line = d->line0;
    if (rc != RF_OK)
        return rc;
    size_t bom = d->len >= 3 && memcmp(d->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, i = bom;
    while (i < d->len && strchr(" \t\r\n", d->data[i]))
        i++;
    if (i == d->len)
        return RF_EOF;
    bool json = d->data[i] == '{';
    const reader_ops *jr = json_reader();
    if (r->fmt == jr->fmt || (r->fmt == RF_FMT_AUTO && json)) {
        r->fmt = jr->fmt;
        return jr->load_json(r, d->data + bom, d->len - bom, line);
    }
    xmlDoc *doc = NULL;
    if ((rc = xml_parse(r, &doc, line)) != RF_OK)
        return rc;
    rc = xml_dispatch(r, doc, line);
    if (rc != RF_OK)
        xmlFreeDoc(doc);   /* on success the format's state owns it */
    return rc;
}

/* Next record of the document: one error record when it cannot be read. */
int doc_next(rf_reader *r, rf_record *rec)
{
    doc_state *d = r->doc;
    if (d->failed)
        return RF_EOF;
    if (!d->loaded) {
        long line = 0;
        d->loaded = true;
        int rc = doc_load(r, &line);
        if (rc == RF_OK && d->n == 0)
            rc = reader_fail(r, "document %s holds nothing to screen (no %s)", r->name,
                             reader_ops_of(r->fmt)->units);
        if (rc != RF_OK) {
            d->failed = true;
            rf_record_set_origin(rec, r->name, line);
            return rc;
        }
    }
    if (d->next >= d->n)
        return RF_EOF;
    int rc = d->ops->fill(r, d->priv, d->next++, rec);
    if (rc == RF_OK && !rf_record_has_content(rec))
        rc = reader_fail(r, "record has nothing to screen");
    return rc;
}

/* Free the document and the format's state. */
void doc_close(rf_reader *r)
{
    doc_state *d = r->doc;
    if (!d)
        return;
    if (d->ops && d->ops->free)
        d->ops->free(d->priv);
    free(d->data);
    free(d);
    r->doc = NULL;
}

/* ---- JSON sniffing ---- */

/* True when the first JSON line starts an OCDS package: a complete object
 * with a "releases" or "records" array, a lone "{", or an unfinished object
 * whose first key is a package key. */
bool doc_json_is_package(const char *s, size_t len)
{
    static const char *const keys[] = {"\"releases\"", "\"records\"", "\"uri\"",
                                       "\"version\"", "\"publisher\"", "\"publishedDate\""};
    rf_json_err e;
    yajl_val j;
    int rc = rf_json_parse(s, len, RF_JSON_MAX_DEPTH, false, &j, &e);
    if (rc == RF_OK) {
        bool pkg = YAJL_IS_OBJECT(j) && (YAJL_IS_ARRAY(rf_json_get(j, "releases")) ||
                                         YAJL_IS_ARRAY(rf_json_get(j, "records")));
        yajl_tree_free(j);
        return pkg;
    }
    if (rc != RF_EINPUT || !e.premature)
        return false;
    size_t i = 0;
    while (i < len && strchr(" \t\r{", s[i]))
        i++;
    if (i == len)
        return true;   /* the line is just "{" */
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strncmp(s + i, keys[k], strlen(keys[k])) == 0)
            return true;
    return false;
}

/* ---- namespace-aware node access ---- */

/* Split "pfx:Local" into its namespace URI and local name; false if unknown. */
static bool qname(const char *q, size_t qlen, const char **uri, const char **local,
                  size_t *llen)
{
    const char *colon = memchr(q, ':', qlen);
    if (!colon)
        return false;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strlen(prefixes[i].pfx) == (size_t)(colon - q) &&
            strncmp(prefixes[i].pfx, q, (size_t)(colon - q)) == 0) {
            *uri = prefixes[i].uri;
            *local = colon + 1;
            *llen = qlen - (size_t)(colon + 1 - q);
            return true;
        }
    return false;
}

/* True when element n has namespace uri and local name local[0..llen). */
static bool node_match(const xmlNode *n, const char *uri, const char *local, size_t llen)
{
    return n->type == XML_ELEMENT_NODE && n->ns &&
           strcmp((const char *)n->ns->href, uri) == 0 &&
           strlen((const char *)n->name) == llen &&
           strncmp((const char *)n->name, local, llen) == 0;
}

/* True when n is the element "pfx:Local". */
bool docx_is(const docx_node *n, const char *q)
{
    const char *uri, *local;
    size_t llen;
    return n && qname(q, strlen(q), &uri, &local, &llen) && node_match(n, uri, local, llen);
}

/* First element child matching each step of path in turn. */
docx_node *docx_find(const docx_node *n, const char *path)
{
    const char *p = path;
    while (n && *p) {
        const char *slash = strchr(p, '/');
        size_t qlen = slash ? (size_t)(slash - p) : strlen(p);
        const char *uri, *local;
        size_t llen;
        if (!qname(p, qlen, &uri, &local, &llen))
            return NULL;
        const xmlNode *c = n->children;
        while (c && !node_match(c, uri, local, llen))
            c = c->next;
        n = c;
        p += qlen + (slash ? 1 : 0);
    }
    return (docx_node *)n;
}

/* Next element sibling with the same namespace and name. */
docx_node *docx_next_same(const docx_node *n)
{
    if (!n || !n->ns)
        return NULL;
    const char *uri = (const char *)n->ns->href, *name = (const char *)n->name;
    for (const xmlNode *c = n->next; c; c = c->next)
        if (node_match(c, uri, name, strlen(name)))
            return (docx_node *)c;
    return NULL;
}

/* Copy s trimmed of blanks at both ends into a fresh buffer (NULL if empty). */
static char *trimmed_copy(const char *s)
{
    if (!s)
        return NULL;
    while (*s && strchr(" \t\r\n", *s))
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    return n ? strndup(s, n) : NULL;
}

/* The node's text content, trimmed (caller frees). */
char *docx_text(const docx_node *n)
{
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    char *out = trimmed_copy((const char *)t);
    xmlFree(t);
    return out;
}

/* An attribute (no namespace), trimmed (caller frees). */
char *docx_attr(const docx_node *n, const char *name)
{
    if (!n)
        return NULL;
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *out = trimmed_copy((const char *)v);
    xmlFree(v);
    return out;
}

/* The physical line of a node in the input. */
long docx_line(const rf_reader *r, const docx_node *n)
{
    return xmlGetLineNo(n) + r->doc->line0 - 1;
}

/* ---- storing values ---- */

/* Store text (trimmed) in f by its type; a bad number becomes the record's error. */
int doc_put(rf_reader *r, rf_record *rec, rf_field f, const char *s)
{
    if (!s)
        return RF_OK;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    while (n && strchr(" \t\r\n", *s))
        s++, n--;
    if (!n)
        return RF_OK;
    char msg[RF_ERRMAX];
    int rc = reader_put_text(rec, f, s, n, false, msg, sizeof msg);
    return rc == RF_EINPUT ? reader_fail(r, "%s", msg) : rc;
}

/* Store a node's text in f. */
int doc_put_node(rf_reader *r, rf_record *rec, rf_field f, const docx_node *n)
{
    char *t = docx_text(n);
    int rc = doc_put(r, rec, f, t);
    free(t);
    return rc;
}

/* True when field f already holds value v. */
static bool has_value(const rf_record *rec, rf_field f, const char *v)
{
    for (size_t i = 0; i < rf_record_count(rec, f); i++)
        if (strcmp(rf_record_str(rec, f, i, NULL), v) == 0)
            return true;
    return false;
}

/* The identifier field a scheme maps to, or -1 for ids.other. */
static int id_field(bool supplier, const char *scheme)
{
    static const struct { const char *scheme; rf_field s, m; } map[] = {
        {"0088", RF_F_SUPPLIER_GLN, RF_F_MANUFACTURER_GLN},
        {"GLN", RF_F_SUPPLIER_GLN, RF_F_MANUFACTURER_GLN},
        {"0060", RF_F_SUPPLIER_DUNS, RF_F_MANUFACTURER_DUNS},
        {"DUNS", RF_F_SUPPLIER_DUNS, RF_F_MANUFACTURER_DUNS},
        {"US-DUNS", RF_F_SUPPLIER_DUNS, RF_F_MANUFACTURER_DUNS},
        {"0199", RF_F_SUPPLIER_LEI, RF_F_MANUFACTURER_LEI},
        {"LEI", RF_F_SUPPLIER_LEI, RF_F_MANUFACTURER_LEI},
        {"XI-LEI", RF_F_SUPPLIER_LEI, RF_F_MANUFACTURER_LEI},
        {"VAT", RF_F_SUPPLIER_VAT, RF_F_MANUFACTURER_VAT},
    };
    for (size_t i = 0; scheme && i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(scheme, map[i].scheme) == 0)
            return (int)(supplier ? map[i].s : map[i].m);
    return -1;
}

/* A party identifier into its field, or ids.other as "scheme:value". */
int doc_put_id(rf_record *rec, bool supplier, const char *scheme, const char *value)
{
    if (!value || !*value)
        return RF_OK;
    int f = id_field(supplier, scheme);
    if (f >= 0 && rf_record_count(rec, (rf_field)f) == 0)
        return rf_record_add(rec, (rf_field)f, value, strlen(value));
    if (f >= 0 && has_value(rec, (rf_field)f, value))
        return RF_OK;
    rf_field other = supplier ? RF_F_SUPPLIER_OTHER_ID : RF_F_MANUFACTURER_OTHER_ID;
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s%s%s", scheme ? scheme : "", scheme ? ":" : "", value);
    if (n < 0 || (size_t)n >= sizeof buf || has_value(rec, other, buf))
        return RF_OK;
    return rf_record_add(rec, other, buf, (size_t)n);
}

/* A CPV code as stored: eight digits, plus the check digit when written. */
void doc_cpv_clean(const char *in, char *out, size_t outlen)
{
    size_t d = 0;
    while (in[d] >= '0' && in[d] <= '9')
        d++;
    if (d == 8 && in[8] == '-' && in[9] >= '0' && in[9] <= '9' && in[10] == '\0')
        snprintf(out, outlen, "%s", in);
    else if (d == 8 && (in[8] == '\0' || strcmp(in + 8, ".0") == 0))
        snprintf(out, outlen, "%.8s", in);
    else
        snprintf(out, outlen, "%s", in);
}

/* Append s to the buffer after sep. */
void doc_buf_add(doc_buf *b, const char *sep, const char *s)
{
    if (!s || !*s || b->oom)
        return;
    size_t seplen = b->len ? strlen(sep) : 0, n = strlen(s);
    if (b->len + seplen + n + 1 > b->cap) {
        size_t cap = (b->len + seplen + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, sep, seplen);
    memcpy(b->s + b->len + seplen, s, n + 1);
    b->len += seplen + n;
}

/* Store the joined text and free the buffer. */
int doc_buf_put(rf_reader *r, rf_record *rec, rf_field f, doc_buf *b)
{
    int rc = b->oom ? RF_ENOMEM : doc_put(r, rec, f, b->len ? b->s : NULL);
    free(b->s);
    *b = (doc_buf){0};
    return rc;
}
