/* The canonical record: field registry and value storage. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redflag/record.h"

typedef struct slot {
    size_t off, len;   /* text in the arena */
    double num;
    int next;          /* next value of the same field, or -1 */
} slot;

struct rf_record {
    char *arena;
    size_t used, cap;
    slot *slots;
    size_t nslots, slotcap;
    int head[RF_F_COUNT], tail[RF_F_COUNT];
    unsigned count[RF_F_COUNT];
    uint64_t present;          /* bit f: field f has a value */
    const char *source;
    long line;
};

#define F(e, p, c, t, m) [e] = {p, c, t, m}
static const rf_field_info fields[RF_F_COUNT] = {
    F(RF_F_ID, "id", "id", RF_T_CODE, false),
    F(RF_F_SUPPLIER_NAME, "supplier.name", "supplier_name", RF_T_TEXT, false),
    F(RF_F_SUPPLIER_COUNTRY, "supplier.country", "supplier_country", RF_T_COUNTRY, false),
    F(RF_F_SUPPLIER_ADDRESS, "supplier.address", "supplier_address", RF_T_TEXT, false),
    F(RF_F_SUPPLIER_NOTES, "supplier.notes", "supplier_notes", RF_T_TEXT, false),
    F(RF_F_SUPPLIER_KIND, "supplier.kind", "supplier_kind", RF_T_CODE, false),
    F(RF_F_SUPPLIER_LEI, "supplier.ids.lei", "supplier_lei", RF_T_CODE, false),
    F(RF_F_SUPPLIER_DUNS, "supplier.ids.duns", "supplier_duns", RF_T_CODE, false),
    F(RF_F_SUPPLIER_VAT, "supplier.ids.vat", "supplier_vat", RF_T_CODE, false),
    F(RF_F_SUPPLIER_GLN, "supplier.ids.gln", "supplier_gln", RF_T_CODE, false),
    F(RF_F_SUPPLIER_OTHER_ID, "supplier.ids.other", "supplier_other_id", RF_T_CODE, true),
    F(RF_F_MANUFACTURER_NAME, "manufacturer.name", "manufacturer_name", RF_T_TEXT, false),
    F(RF_F_MANUFACTURER_COUNTRY, "manufacturer.country", "manufacturer_country", RF_T_COUNTRY, false),
    F(RF_F_MANUFACTURER_ADDRESS, "manufacturer.address", "manufacturer_address", RF_T_TEXT, false),
    F(RF_F_MANUFACTURER_KIND, "manufacturer.kind", "manufacturer_kind", RF_T_CODE, false),
    F(RF_F_MANUFACTURER_LEI, "manufacturer.ids.lei", "manufacturer_lei", RF_T_CODE, false),
    F(RF_F_MANUFACTURER_DUNS, "manufacturer.ids.duns", "manufacturer_duns", RF_T_CODE, false),
    F(RF_F_MANUFACTURER_VAT, "manufacturer.ids.vat", "manufacturer_vat", RF_T_CODE, false),
    F(RF_F_MANUFACTURER_GLN, "manufacturer.ids.gln", "manufacturer_gln", RF_T_CODE, false),
    F(RF_F_MANUFACTURER_OTHER_ID, "manufacturer.ids.other", "manufacturer_other_id", RF_T_CODE, true),
    F(RF_F_SUBCONTRACTOR_NAME, "subcontractors.name", "subcontractor_name", RF_T_TEXT, true),
    F(RF_F_SUBCONTRACTOR_COUNTRY, "subcontractors.country", "subcontractor_country", RF_T_COUNTRY, true),
    F(RF_F_ITEM_DESCRIPTION, "item.description", "item_description", RF_T_TEXT, false),
    F(RF_F_ITEM_CPV, "item.cpv", "cpv", RF_T_CODE, false),
    F(RF_F_ITEM_HS, "item.hs", "hs", RF_T_CODE, false),
    F(RF_F_ITEM_ORIGIN, "item.origin", "origin", RF_T_COUNTRY, false),
    F(RF_F_ITEM_QUANTITY, "item.quantity", "quantity", RF_T_NUMBER, false),
    F(RF_F_ITEM_UNIT_PRICE, "item.unit_price", "unit_price", RF_T_NUMBER, false),
    F(RF_F_ITEM_CURRENCY, "item.currency", "currency", RF_T_CODE, false),
    F(RF_F_ITEM_REFERENCE_PRICE, "item.reference_price", "reference_price", RF_T_NUMBER, false),
    F(RF_F_CONTRACT_VALUE, "contract.value", "contract_value", RF_T_NUMBER, false),
    F(RF_F_CONTRACT_VALUE_ABROAD, "contract.value_abroad", "contract_value_abroad", RF_T_NUMBER, false),
    F(RF_F_CONTRACT_CURRENCY, "contract.currency", "contract_currency", RF_T_CODE, false),
    F(RF_F_CONTRACT_PERFORMANCE_COUNTRY, "contract.performance_country",
      "contract_performance_country", RF_T_COUNTRY, true),
    F(RF_F_CONTRACT_COMPLIANCE_PLAN, "contract.compliance_plan", "contract_compliance_plan",
      RF_T_BOOL, false),
    F(RF_F_TEXT, "text", "text", RF_T_TEXT, false),
};
#undef F

/* Static description of a field. */
const rf_field_info *rf_field_get(rf_field f)
{
    if ((int)f < 0 || f >= RF_F_COUNT)
        return NULL;
    return &fields[f];
}

/* Find a field by dotted path or canonical column name. */
int rf_field_lookup(const char *path)
{
    if (!path)
        return -1;
    for (int i = 0; i < RF_F_COUNT; i++)
        if (strcmp(fields[i].path, path) == 0 || strcmp(fields[i].column, path) == 0)
            return i;
    return -1;
}

/* Create an empty record. */
int rf_record_create(rf_record **out)
{
    rf_record *r = calloc(1, sizeof *r);
    if (!r)
        return RF_ENOMEM;
    rf_record_reset(r);
    *out = r;
    return RF_OK;
}

/* Free a record. */
void rf_record_destroy(rf_record *r)
{
    if (!r)
        return;
    free(r->arena);
    free(r->slots);
    free(r);
}

/* Forget all values, keeping the buffers. */
void rf_record_reset(rf_record *r)
{
    r->used = 0;
    r->nslots = 0;
    for (int i = 0; i < RF_F_COUNT; i++) {
        r->head[i] = r->tail[i] = -1;
        r->count[i] = 0;
    }
    r->present = 0;
    r->line = 0;
}

/* Grow a buffer geometrically so it holds at least need elements of size sz. */
static int reserve(void **buf, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return RF_OK;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / sz)
            return RF_ENOMEM;
        n *= 2;
    }
    void *p = realloc(*buf, n * sz);
    if (!p)
        return RF_ENOMEM;
    *buf = p;
    *cap = n;
    return RF_OK;
}

/* Append a value with its text and number to field f. */
static int push(rf_record *r, rf_field f, const char *s, size_t len, double num)
{
    if ((int)f < 0 || f >= RF_F_COUNT || (!s && len))
        return RF_EINVAL;
    if (len > SIZE_MAX - r->used - 1)
        return RF_ENOMEM;
    int rc = reserve((void **)&r->arena, &r->cap, r->used + len + 1, 1);
    if (rc == RF_OK)
        rc = reserve((void **)&r->slots, &r->slotcap, r->nslots + 1, sizeof(slot));
    if (rc != RF_OK)
        return rc;
    if (len)
        memcpy(r->arena + r->used, s, len);
    r->arena[r->used + len] = '\0';
    int idx = (int)r->nslots++;
    r->slots[idx] = (slot){.off = r->used, .len = len, .num = num, .next = -1};
    r->used += len + 1;
    if (r->tail[f] >= 0)
        r->slots[r->tail[f]].next = idx;
    else
        r->head[f] = idx;
    r->tail[f] = idx;
    r->count[f]++;
    r->present |= 1ull << f;
    return RF_OK;
}

/* Append a text value. */
int rf_record_add(rf_record *r, rf_field f, const char *s, size_t len)
{
    return push(r, f, s, len, 0.0);
}

/* Append a number, keeping a shortest round-trip text form. */
int rf_record_add_num(rf_record *r, rf_field f, double v)
{
    char buf[40];
    int n = snprintf(buf, sizeof buf, "%.15g", v);
    return push(r, f, buf, (size_t)n, v);
}

/* Append a number with its given text form. */
int rf_record_add_num_text(rf_record *r, rf_field f, double v, const char *text, size_t len)
{
    return push(r, f, text, len, v);
}

/* Append a boolean as 1/0 with text true/false. */
int rf_record_add_bool(rf_record *r, rf_field f, bool v)
{
    return v ? push(r, f, "true", 4, 1.0) : push(r, f, "false", 5, 0.0);
}

/* Number of values in field f. */
size_t rf_record_count(const rf_record *r, rf_field f)
{
    if ((int)f < 0 || f >= RF_F_COUNT)
        return 0;
    return r->count[f];
}

/* The fields that hold a value, as a bit set. */
uint64_t rf_record_fields(const rf_record *r)
{
    return r->present;
}

/* The slot index of the i-th value of f, or -1. */
static int nth(const rf_record *r, rf_field f, size_t i)
{
    if ((int)f < 0 || f >= RF_F_COUNT)
        return -1;
    int idx = r->head[f];
    while (idx >= 0 && i--)
        idx = r->slots[idx].next;
    return idx;
}

/* The i-th value of f as text. */
const char *rf_record_str(const rf_record *r, rf_field f, size_t i, size_t *len)
{
    int idx = nth(r, f, i);
    if (idx < 0)
        return NULL;
    if (len)
        *len = r->slots[idx].len;
    return r->arena + r->slots[idx].off;
}

/* The first value of a numeric field. */
bool rf_record_num(const rf_record *r, rf_field f, double *out)
{
    int idx = nth(r, f, 0);
    if (idx < 0)
        return false;
    rf_ftype t = fields[f].type;
    if (t != RF_T_NUMBER && t != RF_T_BOOL)
        return false;
    *out = r->slots[idx].num;
    return true;
}

/* Whether anything but the id is present. */
bool rf_record_has_content(const rf_record *r)
{
    for (int i = 0; i < RF_F_COUNT; i++)
        if (i != RF_F_ID && r->count[i])
            return true;
    return false;
}

/* Remember where the record came from. */
void rf_record_set_origin(rf_record *r, const char *source, long line)
{
    r->source = source;
    r->line = line;
}

/* Input line of the record. */
long rf_record_line(const rf_record *r)
{
    return r->line;
}

/* Input source name of the record. */
const char *rf_record_source(const rf_record *r)
{
    return r->source;
}
