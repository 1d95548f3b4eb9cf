/* JSON Lines reader: one JSON object per line, mapped onto the record
 * (DESIGN "Input record"). Lines are checked for NUL bytes, invalid UTF-8
 * and nesting depth before jansson sees them. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "reader_int.h"

/* Where mapping errors go. */
typedef struct jctx {
    rf_record *rec;
    char *err;
    size_t errlen;
} jctx;

/* A JSON key and the field it feeds. */
typedef struct jkey {
    const char *key;
    rf_field f;
} jkey;

/* The fields of a party object; -1 where the party has no such field. */
typedef struct party {
    const char *path;
    int name, country, address, notes, lei, duns, vat, gln, other;
} party;

static const party supplier = {"supplier", RF_F_SUPPLIER_NAME, RF_F_SUPPLIER_COUNTRY,
    RF_F_SUPPLIER_ADDRESS, RF_F_SUPPLIER_NOTES, RF_F_SUPPLIER_LEI, RF_F_SUPPLIER_DUNS,
    RF_F_SUPPLIER_VAT, RF_F_SUPPLIER_GLN, RF_F_SUPPLIER_OTHER_ID};
static const party manufacturer = {"manufacturer", RF_F_MANUFACTURER_NAME,
    RF_F_MANUFACTURER_COUNTRY, RF_F_MANUFACTURER_ADDRESS, -1, RF_F_MANUFACTURER_LEI,
    RF_F_MANUFACTURER_DUNS, RF_F_MANUFACTURER_VAT, RF_F_MANUFACTURER_GLN,
    RF_F_MANUFACTURER_OTHER_ID};

static const jkey item_keys[] = {
    {"description", RF_F_ITEM_DESCRIPTION}, {"cpv", RF_F_ITEM_CPV}, {"hs", RF_F_ITEM_HS},
    {"origin", RF_F_ITEM_ORIGIN}, {"quantity", RF_F_ITEM_QUANTITY},
    {"unit_price", RF_F_ITEM_UNIT_PRICE}, {"currency", RF_F_ITEM_CURRENCY},
    {"reference_price", RF_F_ITEM_REFERENCE_PRICE}};
static const jkey contract_keys[] = {
    {"value", RF_F_CONTRACT_VALUE}, {"value_abroad", RF_F_CONTRACT_VALUE_ABROAD},
    {"currency", RF_F_CONTRACT_CURRENCY},
    {"performance_country", RF_F_CONTRACT_PERFORMANCE_COUNTRY},
    {"compliance_plan", RF_F_CONTRACT_COMPLIANCE_PLAN}};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* Describe a JSON value for a message: `string "abc"`, `number 5`, `array`. */
static void describe(const json_t *v, char *out, size_t n)
{
    char q[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        reader_quote(q, sizeof q, json_string_value(v), json_string_length(v));
        snprintf(out, n, "string %s", q);
        break;
    case JSON_INTEGER:
        snprintf(out, n, "number %" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(out, n, "number %g", json_real_value(v));
        break;
    case JSON_OBJECT: snprintf(out, n, "an object"); break;
    case JSON_ARRAY: snprintf(out, n, "an array"); break;
    case JSON_TRUE: snprintf(out, n, "true"); break;
    case JSON_FALSE: snprintf(out, n, "false"); break;
    default: snprintf(out, n, "null"); break;
    }
}

/* Report a value of the wrong type at path. */
static int wrong(jctx *c, const char *path, const char *want, const json_t *v)
{
    char got[96];
    describe(v, got, sizeof got);
    snprintf(c->err, c->errlen, "%s: expected %s, got %s", path, want, got);
    return RF_EINPUT;
}

/* Store one JSON scalar into field f, checking it against the field's type. */
static int put_value(jctx *c, rf_field f, const char *path, const json_t *v, bool keep_empty)
{
    const rf_field_info *fi = rf_field_get(f);
    if (!v || json_is_null(v))
        return keep_empty ? rf_record_add(c->rec, f, "", 0) : RF_OK;
    if (json_is_string(v))
        return reader_put_text(c->rec, f, json_string_value(v), json_string_length(v),
                               keep_empty, c->err, c->errlen);
    switch (fi->type) {
    case RF_T_NUMBER:
        if (json_is_number(v))
            return rf_record_add_num(c->rec, f, json_number_value(v));
        return wrong(c, path, "a number", v);
    case RF_T_BOOL:
        if (json_is_boolean(v))
            return rf_record_add_bool(c->rec, f, json_is_true(v));
        return wrong(c, path, "true or false", v);
    case RF_T_CODE: {
        char num[40];
        if (json_is_integer(v)) {
            int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            return rf_record_add(c->rec, f, num, (size_t)n);
        }
        if (json_is_real(v)) {
            int n = snprintf(num, sizeof num, "%.17g", json_real_value(v));
            return rf_record_add(c->rec, f, num, (size_t)n);
        }
        return wrong(c, path, "a string or number", v);
    }
    default:
        return wrong(c, path, "a string", v);
    }
}

/* Map the keys of obj listed in keys; a field holding several values takes an array. */
static int map_keys(jctx *c, const json_t *obj, const jkey *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(obj, keys[i].key);
        const rf_field_info *fi = rf_field_get(keys[i].f);
        int rc = RF_OK;
        if (json_is_array(v) && fi->multi) {
            size_t j;
            const json_t *e;
            json_array_foreach(v, j, e) {
                if ((rc = put_value(c, keys[i].f, fi->path, e, false)) != RF_OK)
                    return rc;
            }
        } else if ((rc = put_value(c, keys[i].f, fi->path, v, false)) != RF_OK) {
            return rc;
        }
    }
    return RF_OK;
}

/* Map an object-valued key (item, contract) through its key table. */
static int map_section(jctx *c, const json_t *root, const char *name, const jkey *keys,
                       size_t n)
{
    const json_t *v = json_object_get(root, name);
    if (!v || json_is_null(v))
        return RF_OK;
    if (!json_is_object(v))
        return wrong(c, name, "an object", v);
    return map_keys(c, v, keys, n);
}

/* Store one identifier of a party: a known scheme, or "scheme:value" in other. */
static int put_id(jctx *c, const party *p, const char *scheme, const json_t *v)
{
    static const char *const known[] = {"lei", "duns", "vat", "gln"};
    const int fields[] = {p->lei, p->duns, p->vat, p->gln};
    char path[96], val[40], other[512];
    snprintf(path, sizeof path, "%s.ids.%s", p->path, scheme);
    for (size_t i = 0; i < NKEYS(known); i++)
        if (strcasecmp(scheme, known[i]) == 0)
            return put_value(c, (rf_field)fields[i], path, v, false);
    if (!v || json_is_null(v))
        return RF_OK;
    const char *s = val;
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v))
        snprintf(val, sizeof val, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        return wrong(c, path, "a string or number", v);
    int n = snprintf(other, sizeof other, "%s:%s", scheme, s);
    if (n < 0 || (size_t)n >= sizeof other) {
        snprintf(c->err, c->errlen, "%s: identifier longer than %zu bytes", path,
                 sizeof other - 1);
        return RF_EINPUT;
    }
    return rf_record_add(c->rec, (rf_field)p->other, other, (size_t)n);
}

/* Map a party object ({name, country, address, notes, ids}) or a bare name. */
static int map_party(jctx *c, const json_t *root, const party *p)
{
    const json_t *v = json_object_get(root, p->path);
    if (!v || json_is_null(v))
        return RF_OK;
    if (json_is_string(v))
        return put_value(c, (rf_field)p->name, p->path, v, false);
    if (!json_is_object(v))
        return wrong(c, p->path, "an object", v);
    const jkey keys[] = {{"name", (rf_field)p->name}, {"country", (rf_field)p->country},
                         {"address", (rf_field)p->address}, {"notes", (rf_field)p->notes}};
    int rc = map_keys(c, v, keys, p->notes >= 0 ? 4 : 3);
    const json_t *ids = json_object_get(v, "ids");
    if (rc != RF_OK || !ids || json_is_null(ids))
        return rc;
    if (!json_is_object(ids)) {
        char path[64];
        snprintf(path, sizeof path, "%s.ids", p->path);
        return wrong(c, path, "an object", ids);
    }
    const char *k;
    const json_t *idv;
    json_object_foreach((json_t *)ids, k, idv) {
        if ((rc = put_id(c, p, k, idv)) != RF_OK)
            return rc;
    }
    return RF_OK;
}

/* Map subcontractors: both name and country for every element, so index i
 * of each field is the same subcontractor. */
static int map_subcontractors(jctx *c, const json_t *root)
{
    const json_t *v = json_object_get(root, "subcontractors");
    if (!v || json_is_null(v))
        return RF_OK;
    if (!json_is_array(v))
        return wrong(c, "subcontractors", "an array", v);
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e) {
        char path[64];
        snprintf(path, sizeof path, "subcontractors[%zu]", i);
        const json_t *name = e, *country = NULL;
        if (json_is_object(e)) {
            name = json_object_get(e, "name");
            country = json_object_get(e, "country");
        } else if (!json_is_string(e)) {
            return wrong(c, path, "an object", e);
        }
        int rc = put_value(c, RF_F_SUBCONTRACTOR_NAME, path, name, true);
        if (rc == RF_OK)
            rc = put_value(c, RF_F_SUBCONTRACTOR_COUNTRY, path, country, true);
        if (rc != RF_OK)
            return rc;
    }
    return RF_OK;
}

/* Map a parsed JSON object onto the record. */
static int map_record(jctx *c, const json_t *root)
{
    int rc = put_value(c, RF_F_ID, "id", json_object_get(root, "id"), false);
    if (rc == RF_OK)
        rc = map_party(c, root, &supplier);
    if (rc == RF_OK)
        rc = map_party(c, root, &manufacturer);
    if (rc == RF_OK)
        rc = map_subcontractors(c, root);
    if (rc == RF_OK)
        rc = map_section(c, root, "item", item_keys, NKEYS(item_keys));
    if (rc == RF_OK)
        rc = map_section(c, root, "contract", contract_keys, NKEYS(contract_keys));
    if (rc == RF_OK)
        rc = put_value(c, RF_F_TEXT, "text", json_object_get(root, "text"), false);
    if (rc == RF_OK && !rf_record_has_content(c->rec)) {
        snprintf(c->err, c->errlen, "record has nothing to screen");
        rc = RF_EINPUT;
    }
    return rc;
}

/* Refuse nesting deeper than RF_MAX_JSON_DEPTH before jansson recurses. */
static int check_depth(const char *s, size_t len, char *err, size_t errlen)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (ch == '\\')
                esc = true;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > RF_MAX_JSON_DEPTH) {
                snprintf(err, errlen, "nesting deeper than %d levels at column %zu",
                         RF_MAX_JSON_DEPTH, i + 1);
                return RF_EINPUT;
            }
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return RF_OK;
}

/* Check, parse and map one JSON text; rec is not reset. */
static int from_json(const char *s, size_t len, rf_record *rec, char *err, size_t errlen)
{
    bool nul;
    size_t col;
    json_error_t je;
    if (len > RF_MAX_RECORD_BYTES) {
        snprintf(err, errlen, "record longer than %u bytes", RF_MAX_RECORD_BYTES);
        return RF_EINPUT;
    }
    if ((col = reader_bad_text(s, len, &nul)) != 0) {
        snprintf(err, errlen, "%s at column %zu", nul ? "NUL byte" : "invalid UTF-8", col);
        return RF_EINPUT;
    }
    if (check_depth(s, len, err, errlen) != RF_OK)
        return RF_EINPUT;
    json_t *root = json_loadb(s, len, JSON_DECODE_ANY, &je);
    if (!root) {
        snprintf(err, errlen, "invalid JSON: %s at column %d", je.text, je.column);
        return RF_EINPUT;
    }
    int rc;
    if (!json_is_object(root)) {
        char got[96];
        describe(root, got, sizeof got);
        snprintf(err, errlen, "expected a JSON object, got %s", got);
        rc = RF_EINPUT;
    } else {
        jctx c = {rec, err, errlen};
        rc = map_record(&c, root);
    }
    json_decref(root);
    return rc;
}

/* Fill rec from one JSON object. */
int rf_record_from_json(const char *json, size_t len, rf_record *rec, char *err,
                        size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!json || !rec)
        return RF_EINVAL;
    rf_record_reset(rec);
    return from_json(json, len, rec, err, errlen);
}

/* Next record of a JSON Lines stream; blank lines are skipped but counted. */
int jsonl_next(rf_reader *r, rf_record *rec)
{
    for (;;) {
        if (r->pending) {
            r->pending = false;
        } else {
            int rc = reader_getline(r);
            if (rc != RF_OK)
                return rc;
        }
        if (r->too_long || !reader_blank(r->buf, r->len))
            break;
    }
    int rc;
    if (r->too_long)
        rc = reader_fail(r, "record longer than %u bytes", RF_MAX_RECORD_BYTES);
    else
        rc = from_json(r->buf, r->len, rec, r->err, sizeof r->err);
    rf_record_set_origin(rec, r->name, r->lineno);
    return rc;
}
