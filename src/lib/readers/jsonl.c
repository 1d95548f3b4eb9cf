/* JSON Lines reader: one JSON object per line, mapped onto the record
 * (docs/ARCHITECTURE.md "Input record") by YAJL's event parser, without building a
 * document tree: this is the per-record hot path. Lines are checked for NUL
 * bytes and invalid UTF-8 first; nesting is bounded while parsing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>
#include "reader_int.h"

/* What the next value feeds, decided by the key before it. */
typedef enum target {
    T_IGNORE,     /* unknown key: skip the value, however deep */
    T_FIELD,      /* a record field (arrays allowed for multi fields) */
    T_PARTY,      /* supplier / manufacturer: object or bare name */
    T_IDS,        /* a party's ids object */
    T_ID,         /* one identifier of a party, by scheme */
    T_SECTION,    /* item / contract object */
    T_SUBS,       /* the subcontractors array */
    T_SUB,        /* one subcontractor: object or bare name */
    T_ROOT        /* the line itself */
} target;

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

typedef struct jkey {
    const char *key;
    rf_field f;
} jkey;

static const jkey item_keys[] = {
    {"description", RF_F_ITEM_DESCRIPTION}, {"cpv", RF_F_ITEM_CPV}, {"hs", RF_F_ITEM_HS},
    {"origin", RF_F_ITEM_ORIGIN}, {"quantity", RF_F_ITEM_QUANTITY},
    {"unit_price", RF_F_ITEM_UNIT_PRICE}, {"currency", RF_F_ITEM_CURRENCY},
    {"reference_price", RF_F_ITEM_REFERENCE_PRICE}, {NULL, 0}};
static const jkey contract_keys[] = {
    {"value", RF_F_CONTRACT_VALUE}, {"value_abroad", RF_F_CONTRACT_VALUE_ABROAD},
    {"currency", RF_F_CONTRACT_CURRENCY},
    {"performance_country", RF_F_CONTRACT_PERFORMANCE_COUNTRY},
    {"compliance_plan", RF_F_CONTRACT_COMPLIANCE_PLAN}, {NULL, 0}};

/* One open object or array. */
typedef struct frame {
    target kind;          /* what this container is */
    const party *p;       /* T_PARTY, T_IDS */
    const jkey *keys;     /* T_SECTION */
    rf_field f;           /* T_FIELD (an array of a multi field) */
    bool got_name, got_country; /* T_SUB */
} frame;

typedef struct jctx {
    rf_record *rec;
    char *err;
    size_t errlen;
    bool failed;          /* a value was bad: keep parsing only to find the id */
    int depth;
    frame st[RF_MAX_JSON_DEPTH + 1];
    target next;          /* what the next value feeds */
    rf_field next_f;
    const party *next_p;
    const jkey *next_keys;
    char scheme[64];      /* T_ID: the identifier scheme (key) */
    char key[64];         /* the last key (clipped), for messages */
    char path[128];       /* path of the next value, built when a message needs it */
    size_t nsub;          /* subcontractor index */
    bool root_seen;
} jctx;

/* Record the first problem and switch to id-hunting mode. */
static int fail(jctx *c, const char *fmt, const char *a, const char *b)
{
    if (!c->failed)
        snprintf(c->err, c->errlen, fmt, a, b);
    c->failed = true;
    return 1; /* keep parsing: the id may come later in the line */
}

typedef enum vkind { V_STRING, V_NUMBER, V_BOOL, V_OTHER } vkind;

/* A scalar as the callbacks saw it; described only when it is wrong. */
typedef struct val {
    vkind k;
    const char *s;
    size_t len;
} val;

/* Describe a value for a message: `string "abc"`, `number 5`, `true`, `an array`. */
static void describe(const val *v, char *out, size_t n)
{
    char q[64];
    if (v->k == V_STRING) {
        reader_quote(q, sizeof q, v->s, v->len);
        snprintf(out, n, "string %s", q);
    } else if (v->k == V_NUMBER) {
        snprintf(out, n, "number %.*s", (int)(v->len < 40 ? v->len : 40), v->s);
    } else {
        snprintf(out, n, "%.*s", (int)v->len, v->s);
    }
}

/* Build c->path, the dotted path of the value after the last key. */
static void make_path(jctx *c)
{
    const frame *f = &c->st[c->depth];
    switch (f->kind) {
    case T_PARTY: snprintf(c->path, sizeof c->path, "%s.%s", f->p->path, c->key); break;
    case T_IDS: snprintf(c->path, sizeof c->path, "%s.ids.%s", f->p->path, c->key); break;
    case T_SUB: snprintf(c->path, sizeof c->path, "subcontractors[%zu]", c->nsub); break;
    case T_SECTION:
    case T_FIELD:
        if (c->next == T_FIELD) {
            snprintf(c->path, sizeof c->path, "%s", rf_field_get(c->next_f)->path);
            break;
        }
        /* fall through */
    default: snprintf(c->path, sizeof c->path, "%s", c->key); break;
    }
}

/* "PATH: expected WANT, got VALUE". */
static int wrong(jctx *c, const char *want, const val *v)
{
    char got[96], msg[160];
    make_path(c);
    describe(v, got, sizeof got);
    snprintf(msg, sizeof msg, "expected %s, got %s", want, got);
    return fail(c, "%s: %s", c->path, msg);
}

/* A container or literal as a value, for messages. */
static const val *lit(const char *s)
{
    static _Thread_local val v;
    v = (val){V_OTHER, s, strlen(s)};
    return &v;
}

/* Store text into field f with the reader's type rules (countries, numbers). */
static int put_text(jctx *c, rf_field f, const char *s, size_t len, bool keep_empty)
{
    char msg[RF_ERRMAX];
    int rc = reader_put_text(c->rec, f, s, len, keep_empty, msg, sizeof msg);
    if (rc == RF_EINPUT)
        return fail(c, "%s%s", msg, "");
    return rc == RF_OK;
}

/* Store an identifier under its scheme: a known one, or "scheme:value" in other. */
static int put_id(jctx *c, const char *s, size_t len)
{
    static const char *const known[] = {"lei", "duns", "vat", "gln"};
    const party *p = c->next_p;
    const int fields[] = {p->lei, p->duns, p->vat, p->gln};
    for (size_t i = 0; i < 4; i++)
        if (strcasecmp(c->scheme, known[i]) == 0)
            return put_text(c, (rf_field)fields[i], s, len, false);
    char other[512];
    int n = snprintf(other, sizeof other, "%s:%.*s", c->scheme, (int)len, s);
    if (n < 0 || (size_t)n >= sizeof other)
    {
        make_path(c);
        return fail(c, "%s: identifier longer than %s bytes", c->path, "511");
    }
    return rf_record_add(c->rec, (rf_field)p->other, other, (size_t)n) == RF_OK;
}

/* The frame of the innermost open container. */
static frame *top(jctx *c)
{
    return &c->st[c->depth];
}

/* A scalar arrived for the current target. */
static int scalar(jctx *c, const val *v)
{
    const char *s = v->s;
    size_t len = v->len;
    bool is_string = v->k == V_STRING;
    if (c->failed || c->next == T_IGNORE)
        return 1;
    switch (c->next) {
    case T_FIELD: return put_text(c, c->next_f, s, len, false);
    case T_PARTY:
        if (!is_string)
            return wrong(c, "an object", v);
        return put_text(c, (rf_field)c->next_p->name, s, len, false);
    case T_ID:
        if (is_string || (v->k == V_NUMBER && strcspn(s, ".eE") >= len))
            return put_id(c, s, len); /* a string, or an integer as written */
        return wrong(c, "a string or number", v);
    case T_SUB:
        if (!is_string)
            return wrong(c, "an object", v);
        top(c)->got_name = top(c)->got_country = true;
        return put_text(c, RF_F_SUBCONTRACTOR_NAME, s, len, true) &&
               rf_record_add(c->rec, RF_F_SUBCONTRACTOR_COUNTRY, "", 0) == RF_OK;
    case T_SUBS: return wrong(c, "an array", v);
    case T_ROOT: {
        char got[96];
        describe(v, got, sizeof got);
        return fail(c, "expected a JSON object, got %s%s", got, "");
    }
    default: return wrong(c, "an object", v);
    }
}

/* Check a JSON number or literal against the target field's type. */
static int typed(jctx *c, const val *v)
{
    const char *s = v->s;
    size_t len = v->len;
    bool is_bool = v->k == V_BOOL;
    if (c->failed || c->next != T_FIELD)
        return scalar(c, v);
    const rf_field_info *fi = rf_field_get(c->next_f);
    switch (fi->type) {
    case RF_T_NUMBER: {
        if (is_bool)
            return wrong(c, "a number", v);
        double d = strtod(s, NULL);
        if (!isfinite(d))
            return wrong(c, "a finite number", v);
        return rf_record_add_num_text(c->rec, c->next_f, d, s, len) == RF_OK;
    }
    case RF_T_BOOL:
        if (!is_bool)
            return wrong(c, "true or false", v);
        return rf_record_add_bool(c->rec, c->next_f, s[0] == 't') == RF_OK;
    case RF_T_CODE:
        if (is_bool)
            return wrong(c, "a string or number", v);
        return rf_record_add(c->rec, c->next_f, s, len) == RF_OK;
    default: return wrong(c, "a string", v);
    }
}

/* YAJL: null. Absent, except that a subcontractor keeps its place. */
static int on_null(void *ctx)
{
    jctx *c = ctx;
    if (!c->failed && c->next == T_SUB) {
        top(c)->got_name = top(c)->got_country = true;
        return rf_record_add(c->rec, RF_F_SUBCONTRACTOR_NAME, "", 0) == RF_OK &&
               rf_record_add(c->rec, RF_F_SUBCONTRACTOR_COUNTRY, "", 0) == RF_OK;
    }
    if (c->next == T_ROOT)
        return fail(c, "expected a JSON object, got %s%s", "null", "");
    return 1;
}

/* YAJL: true / false. */
static int on_bool(void *ctx, int b)
{
    val v = {V_BOOL, b ? "true" : "false", b ? 4u : 5u};
    return typed(ctx, &v);
}

/* YAJL: a number, as written. */
static int on_number(void *ctx, const char *s, size_t len)
{
    char num[48];
    if (len >= sizeof num)
    {
        make_path(ctx);
        return fail(ctx, "%s: number longer than %s characters", ((jctx *)ctx)->path, "47");
    }
    memcpy(num, s, len);
    num[len] = '\0'; /* strtod needs a terminator; YAJL's buffer has none */
    val v = {V_NUMBER, num, len};
    return typed(ctx, &v);
}

/* YAJL: a string. */
static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    jctx *c = ctx;
    if (!c->failed && c->next == T_FIELD)
        return put_text(c, c->next_f, (const char *)s, len, false);
    val v = {V_STRING, (const char *)s, len};
    return scalar(c, &v);
}

/* Open a container: push a frame describing it. */
static int push(jctx *c, target kind, bool is_map)
{
    if (c->depth >= RF_MAX_JSON_DEPTH) {
        char n[16];
        snprintf(n, sizeof n, "%d", RF_MAX_JSON_DEPTH);
        c->failed = false; /* this message wins: parsing stops here */
        fail(c, "nesting deeper than %s levels%s", n, "");
        return 0;
    }
    frame *f = &c->st[++c->depth];
    *f = (frame){.kind = kind, .p = c->next_p, .keys = c->next_keys, .f = c->next_f};
    (void)is_map;
    return 1;
}

/* YAJL: '{'. */
static int on_start_map(void *ctx)
{
    jctx *c = ctx;
    target t = c->failed && c->next != T_ROOT ? T_IGNORE : c->next;
    switch (t) {
    case T_ROOT: c->root_seen = true; return push(c, T_ROOT, true);
    case T_PARTY: return push(c, T_PARTY, true);
    case T_IDS: return push(c, T_IDS, true);
    case T_SECTION: return push(c, T_SECTION, true);
    case T_SUB: return push(c, T_SUB, true);
    case T_IGNORE: return push(c, T_IGNORE, true);
    case T_SUBS: wrong(c, "an array", lit("an object")); return push(c, T_IGNORE, true);
    case T_ID:
        wrong(c, "a string or number", lit("an object"));
        return push(c, T_IGNORE, true);
    default: {
        const rf_field_info *fi = rf_field_get(c->next_f);
        wrong(c, fi->type == RF_T_NUMBER ? "a number" : fi->type == RF_T_CODE
                 ? "a string or number" : fi->type == RF_T_BOOL ? "true or false" : "a string",
              lit("an object"));
        return push(c, T_IGNORE, true);
    }
    }
}

/* Set the target of the value after key k inside frame f. */
static void route_key(jctx *c, const frame *f, const char *k, size_t len)
{
    c->next = T_IGNORE;
    #define IS(s) (len == sizeof(s) - 1 && memcmp(k, s, len) == 0)
    switch (f->kind) {
    case T_ROOT:
        if (c->failed && !IS("id"))
            return;
        if (IS("id")) c->next = T_FIELD, c->next_f = RF_F_ID;
        else if (IS("text")) c->next = T_FIELD, c->next_f = RF_F_TEXT;
        else if (IS("supplier")) c->next = T_PARTY, c->next_p = &supplier;
        else if (IS("manufacturer")) c->next = T_PARTY, c->next_p = &manufacturer;
        else if (IS("subcontractors")) c->next = T_SUBS;
        else if (IS("item")) c->next = T_SECTION, c->next_keys = item_keys;
        else if (IS("contract")) c->next = T_SECTION, c->next_keys = contract_keys;
        return;
    case T_PARTY: {
        const party *p = f->p;
        int fld = IS("name") ? p->name : IS("country") ? p->country : IS("address")
                  ? p->address : IS("notes") ? p->notes : -1;
        c->next_p = p;
        if (IS("ids"))
            c->next = T_IDS;
        else if (fld >= 0)
            c->next = T_FIELD, c->next_f = (rf_field)fld;
        return;
    }
    case T_IDS:
        if (IS("other")) { /* "other": "…" or [ "…", … ], stored as given */
            c->next = T_FIELD;
            c->next_f = (rf_field)f->p->other;
            return;
        }
        c->next = T_ID;
        c->next_p = f->p;
        snprintf(c->scheme, sizeof c->scheme, "%.*s", (int)len, k);
        return;
    case T_SECTION:
        for (const jkey *j = f->keys; j->key; j++)
            if (strlen(j->key) == len && memcmp(j->key, k, len) == 0) {
                c->next = T_FIELD;
                c->next_f = j->f;
            }
        return;
    case T_SUB:
        if (IS("name")) c->next = T_FIELD, c->next_f = RF_F_SUBCONTRACTOR_NAME;
        if (IS("country")) c->next = T_FIELD, c->next_f = RF_F_SUBCONTRACTOR_COUNTRY;
        return;
    default: return;
    }
    #undef IS
}

/* YAJL: an object key. */
static int on_key(void *ctx, const unsigned char *k, size_t len)
{
    jctx *c = ctx;
    frame *f = top(c);
    size_t n = len < sizeof c->key - 1 ? len : sizeof c->key - 1;
    memcpy(c->key, k, n);
    c->key[n] = '\0';
    route_key(c, f, (const char *)k, len);
    if (f->kind == T_SUB && c->next == T_FIELD) {
        if (c->next_f == RF_F_SUBCONTRACTOR_NAME)
            f->got_name = true;
        else
            f->got_country = true;
    }
    return 1;
}

/* YAJL: '}'. A subcontractor object gets "" for what it lacked. */
static int on_end_map(void *ctx)
{
    jctx *c = ctx;
    frame *f = top(c);
    if (f->kind == T_SUB && !c->failed) {
        if (!f->got_name && rf_record_add(c->rec, RF_F_SUBCONTRACTOR_NAME, "", 0) != RF_OK)
            return 0;
        if (!f->got_country &&
            rf_record_add(c->rec, RF_F_SUBCONTRACTOR_COUNTRY, "", 0) != RF_OK)
            return 0;
        c->nsub++;
    }
    c->depth--;
    frame *up = top(c);
    c->next = up->kind == T_SUBS ? T_SUB : up->kind == T_FIELD ? T_FIELD : T_IGNORE;
    c->next_f = up->f;
    return 1;
}

/* YAJL: '['. Multi fields and subcontractors take arrays. */
static int on_start_array(void *ctx)
{
    jctx *c = ctx;
    if (c->failed && c->next != T_ROOT)
        return push(c, T_IGNORE, false);
    const val *arr = lit("an array");
    if (c->next == T_SUBS) {
        c->next = T_SUB;
        return push(c, T_SUBS, false);
    }
    if (c->next == T_FIELD && rf_field_get(c->next_f)->multi)
        return push(c, T_FIELD, false);
    if (c->next == T_ROOT)
        fail(c, "expected a JSON object, got %s%s", "an array", "");
    else if (c->next == T_FIELD) {
        rf_ftype t = rf_field_get(c->next_f)->type;
        wrong(c, t == RF_T_NUMBER ? "a number" : t == RF_T_CODE ? "a string or number"
                 : t == RF_T_BOOL ? "true or false" : "a string", arr);
    } else if (c->next != T_IGNORE)
        wrong(c, "an object", arr);
    return push(c, T_IGNORE, false);
}

/* YAJL: ']'. */
static int on_end_array(void *ctx)
{
    return on_end_map(ctx);
}

static const yajl_callbacks callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string,
    on_start_map, on_key, on_end_map, on_start_array, on_end_array,
};

/* Parse one JSON text with the event callbacks into c; RF_OK or RF_EINPUT. */
static int parse(jctx *c, const char *s, size_t len)
{
    yajl_handle h = yajl_alloc(&callbacks, NULL, c);
    if (!h)
        return RF_ENOMEM;
    yajl_status st = yajl_parse(h, (const unsigned char *)s, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    int rc = RF_OK;
    if (st == yajl_status_error && !(c->failed && c->err[0] && strstr(c->err, "nesting"))) {
        unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
        size_t col = yajl_get_bytes_consumed(h) + 1;
        char *nl = strchr((char *)msg, '\n');
        if (nl)
            *nl = '\0';
        const char *m = strncmp((char *)msg, "parse error: ", 13) == 0 ? (char *)msg + 13
                                                                        : (char *)msg;
        snprintf(c->err, c->errlen, "invalid JSON: %s at column %zu", m, col);
        yajl_free_error(h, msg);
        rc = RF_EINPUT;
    } else if (st != yajl_status_ok || c->failed) {
        rc = RF_EINPUT;
    }
    yajl_free(h);
    return rc;
}

/* Check, parse and map one JSON text; rec is not reset. */
static int from_json(const char *s, size_t len, rf_record *rec, char *err, size_t errlen)
{
    bool nul;
    size_t col;
    if (len > RF_MAX_RECORD_BYTES) {
        snprintf(err, errlen, "record longer than %u bytes", RF_MAX_RECORD_BYTES);
        return RF_EINPUT;
    }
    if ((col = reader_bad_text(s, len, &nul)) != 0) {
        snprintf(err, errlen, "%s at column %zu", nul ? "NUL byte" : "invalid UTF-8", col);
        return RF_EINPUT;
    }
    jctx c = {.rec = rec, .err = err, .errlen = errlen, .next = T_ROOT};
    err[0] = '\0';
    int rc = parse(&c, s, len);
    if (rc == RF_OK && !rf_record_has_content(rec)) {
        snprintf(err, errlen, "record has nothing to screen");
        rc = RF_EINPUT;
    }
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

/* JSON Lines: one input record (DESIGN "Input record") a line. */
const reader_ops reader_jsonl = {.names = "jsonl json ndjson", .fmt = RF_FMT_JSONL,
                                 .next = jsonl_next};
