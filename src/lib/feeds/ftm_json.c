/* OpenSanctions FollowTheMoney entities, one JSON object a line (plain or
 * delta {"op":…,"entity":…}); parties become entities, the rest is skipped. */
#include <stdlib.h>
#include <string.h>
#include "feed_int.h"
#include "json_int.h"

static const struct { const char *schema; rf_entity_kind kind; } schemas[] = {
    {"Company", RF_ENTITY_COMPANY},      {"Organization", RF_ENTITY_COMPANY},
    {"LegalEntity", RF_ENTITY_COMPANY},  {"PublicBody", RF_ENTITY_COMPANY},
    {"Person", RF_ENTITY_PERSON},        {"Vessel", RF_ENTITY_VESSEL},
    {"Airplane", RF_ENTITY_AIRCRAFT}};

/* FtM identifier properties and the scheme names they get. */
static const char *const id_props[][2] = {
    {"registrationNumber", "registrationNumber"}, {"leiCode", "lei"},
    {"innCode", "inn"},                           {"taxNumber", "taxNumber"},
    {"dunsCode", "duns"},                         {"imoNumber", "imo"},
    {"ogrnCode", "ogrn"},                         {"vatCode", "vat"},
    {"swiftBic", "swift"},                        {"idNumber", "idNumber"},
    {"passportNumber", "passport"},               {"uniqueEntityId", "uei"},
    {"permId", "permId"},                         {"mmsi", "mmsi"},
    {"callSign", "callSign"}};

typedef struct ftm_ctx {
    feed_builder b;
    rf_entity_cb cb;
    void *ud;
    const char *list; /* NULL: take the first dataset */
} ftm_ctx;

/* Kind of a schema we keep; false for relationships and the like. */
static bool ftm_kind(const char *schema, rf_entity_kind *kind)
{
    for (size_t i = 0; schema && i < sizeof schemas / sizeof *schemas; i++)
        if (strcmp(schemas[i].schema, schema) == 0) {
            *kind = schemas[i].kind;
            return true;
        }
    return false;
}

/* Call fn on every string value of property name. */
static void each_value(yajl_val props, const char *name, feed_builder *b,
                       void (*fn)(feed_builder *, const char *, size_t, const void *),
                       const void *arg)
{
    yajl_val arr = rf_json_get(props, name);
    if (YAJL_IS_STRING(arr)) {
        fn(b, arr->u.string, strlen(arr->u.string), arg);
        return;
    }
    for (size_t i = 0; i < rf_json_len(arr); i++) {
        const char *v = rf_json_str(rf_json_at(arr, i));
        if (v)
            fn(b, v, strlen(v), arg);
    }
}

/* Adapters for each_value. */
static void v_alias(feed_builder *b, const char *s, size_t n, const void *arg)
{
    fb_alias(b, s, n, *(const rf_alias_kind *)arg);
}
static void v_country(feed_builder *b, const char *s, size_t n, const void *arg)
{
    (void)arg;
    fb_country(b, s, n);
}
static void v_program(feed_builder *b, const char *s, size_t n, const void *arg)
{
    char buf[160];
    if (arg) { /* topics keep a prefix so they do not pass for program names */
        snprintf(buf, sizeof buf, "%s%.*s", (const char *)arg, (int)(n < 140 ? n : 140), s);
        fb_program(b, buf, strlen(buf));
    } else
        fb_program(b, s, n);
}
static void v_ident(feed_builder *b, const char *s, size_t n, const void *arg)
{
    fb_ident(b, (const char *)arg, s, n, NULL);
}

/* Primary name: the caption when it is one of the names, else the first name. */
static void set_names(feed_builder *b, yajl_val ent, yajl_val props)
{
    yajl_val names = rf_json_get(props, "name");
    const char *caption = rf_json_get_str(ent, "caption");
    const char *first = rf_json_str(rf_json_at(names, 0));
    const char *name = first ? first : caption;
    for (size_t i = 0; i < rf_json_len(names); i++) {
        const char *v = rf_json_str(rf_json_at(names, i));
        if (caption && v && strcmp(v, caption) == 0)
            name = caption;
    }
    if (name)
        fb_set_name(b, name, strlen(name));
    rf_alias_kind aka = RF_ALIAS_AKA, weak = RF_ALIAS_WEAK, former = RF_ALIAS_FORMER;
    each_value(props, "name", b, v_alias, &aka);
    each_value(props, "alias", b, v_alias, &aka);
    each_value(props, "previousName", b, v_alias, &former);
    each_value(props, "weakAlias", b, v_alias, &weak);
}

/* The listing date: createdAt, else first_seen (date part). */
static void set_listed(feed_builder *b, yajl_val ent, yajl_val props)
{
    const char *d = rf_json_str(rf_json_at(rf_json_get(props, "createdAt"), 0));
    if (!d)
        d = rf_json_get_str(ent, "first_seen");
    if (d && strlen(d) >= 10)
        fb_set_listed_on(b, d, 10);
}

/* Fill the builder from one FtM entity object. */
static void build(ftm_ctx *c, yajl_val ent, rf_entity_kind kind, long line)
{
    feed_builder *b = &c->b;
    yajl_val props = rf_json_get(ent, "properties");
    const char *id = rf_json_get_str(ent, "id");
    b->e.line = line;
    b->e.kind = kind;
    b->e.list = c->list ? c->list
                        : rf_json_str(rf_json_at(rf_json_get(ent, "datasets"), 0));
    if (!b->e.list)
        b->e.list = "opensanctions";
    if (id)
        fb_set_id(b, id, strlen(id));
    set_names(b, ent, props);
    static const char *const ctry[] = {"country", "jurisdiction", "nationality", "citizenship",
                                       "mainCountry"};
    for (size_t i = 0; i < sizeof ctry / sizeof *ctry; i++)
        each_value(props, ctry[i], b, v_country, NULL);
    for (size_t i = 0; i < sizeof id_props / sizeof *id_props; i++)
        each_value(props, id_props[i][0], b, v_ident, id_props[i][1]);
    each_value(props, "program", b, v_program, NULL);
    each_value(props, "topics", b, v_program, "topic:");
    set_listed(b, ent, props);
    const char *notes = rf_json_str(rf_json_at(rf_json_get(props, "notes"), 0));
    if (notes)
        fb_set_remarks(b, notes, strlen(notes));
}

/* Handle one parsed line: unwrap a delta op, skip non-parties, emit the rest. */
static int handle(ftm_ctx *c, yajl_val root, long line)
{
    yajl_val ent = root;
    const char *op = rf_json_get_str(root, "op");
    rf_entity_kind kind;
    if (op) {
        ent = rf_json_get(root, "entity");
        if (strcmp(op, "DEL") == 0) {
            if (c->b.diag)
                c->b.diag->skipped++;
            return RF_OK;
        }
        if (!YAJL_IS_OBJECT(ent))
            return diag_set(c->b.diag, RF_EINPUT, line, "delta op '%s' without an entity", op);
    }
    const char *schema = rf_json_get_str(ent, "schema");
    if (!schema)
        return diag_set(c->b.diag, RF_EINPUT, line, "not a FollowTheMoney entity: no schema");
    if (!ftm_kind(schema, &kind)) {
        if (c->b.diag)
            c->b.diag->skipped++;
        return RF_OK;
    }
    build(c, ent, kind, line);
    return fb_emit(&c->b, c->cb, c->ud);
}

/* Parse one line; blank lines are allowed. */
static int parse_line(ftm_ctx *c, const char *l, size_t n, long line)
{
    rf_json_err err;
    size_t t = n;
    feed_trim(l, &t);
    if (!t)
        return RF_OK;
    yajl_val root;
    int rc = rf_json_parse(l, n, RF_JSON_MAX_DEPTH, true, &root, &err);
    if (rc == RF_ENOMEM)
        return diag_set(c->b.diag, RF_ENOMEM, line, "out of memory");
    if (rc != RF_OK && err.column)
        return diag_set(c->b.diag, RF_EINPUT, line, "invalid JSON at column %ld: %s",
                        err.column, err.text);
    if (rc != RF_OK)
        return diag_set(c->b.diag, RF_EINPUT, line, "invalid JSON: %s", err.text);
    rc = YAJL_IS_OBJECT(root) ? handle(c, root, line)
                              : diag_set(c->b.diag, RF_EINPUT, line,
                                         "a line must hold one JSON object");
    yajl_tree_free(root);
    return rc;
}

/* Parse FollowTheMoney JSON lines. */
int rf_feed_parse_ftm(const rf_feed_src *src, rf_entity_cb cb, void *ud, rf_feed_diag *diag)
{
    ftm_ctx c = {.cb = cb, .ud = ud};
    char *l = NULL;
    size_t cap = 0;
    ssize_t n;
    long line = 0;
    int rc = RF_OK;
    diag_init(diag);
    if (!cb)
        return diag_set(diag, RF_EINVAL, 0, "no callback");
    FILE *fp = feed_open(src, diag);
    if (!fp)
        return src && src->path ? RF_EIO : RF_EINVAL;
    c.list = src->list;
    fb_init(&c.b, diag, c.list);
    while (rc == RF_OK && (n = getline(&l, &cap, fp)) > 0) {
        line++;
        if ((size_t)n > RF_FEED_MAX_LINE)
            rc = diag_set(diag, RF_ELIMIT, line, "line longer than %u bytes", RF_FEED_MAX_LINE);
        else
            rc = parse_line(&c, l, (size_t)n, line);
    }
    if (rc == RF_OK && ferror(fp))
        rc = diag_set(diag, RF_EIO, line, "read error");
    free(l);
    fb_free(&c.b);
    fclose(fp);
    return rc;
}

/* OpenSanctions FollowTheMoney JSON lines. */
const feed_ops feed_ftm_json = {"ftm_json", RF_EXPECT_JSON, false, NULL, rf_feed_parse_ftm};
