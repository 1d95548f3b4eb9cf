/* redflag — the canonical input record (docs/ARCHITECTURE.md "Input record").
 *
 * A record is one party or one order line. Its values live in slots named by
 * rf_field; a slot holds zero or more values in insertion order (only the
 * subcontractor fields and supplier/manufacturer "ids.other" hold several).
 * Every value is kept as UTF-8 text; numeric and boolean fields also keep the
 * parsed number (booleans as 0/1). All strings are copied into the record's
 * own arena: they stay valid until rf_record_reset() or rf_record_destroy(). */
#ifndef REDFLAG_RECORD_H
#define REDFLAG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "redflag/common.h"

typedef enum rf_field {
    RF_F_ID,
    RF_F_SUPPLIER_NAME, RF_F_SUPPLIER_COUNTRY, RF_F_SUPPLIER_ADDRESS, RF_F_SUPPLIER_NOTES,
    RF_F_SUPPLIER_LEI, RF_F_SUPPLIER_DUNS, RF_F_SUPPLIER_VAT, RF_F_SUPPLIER_GLN,
    RF_F_SUPPLIER_OTHER_ID,
    RF_F_MANUFACTURER_NAME, RF_F_MANUFACTURER_COUNTRY, RF_F_MANUFACTURER_ADDRESS,
    RF_F_MANUFACTURER_LEI, RF_F_MANUFACTURER_DUNS, RF_F_MANUFACTURER_VAT, RF_F_MANUFACTURER_GLN,
    RF_F_MANUFACTURER_OTHER_ID,
    RF_F_SUBCONTRACTOR_NAME, RF_F_SUBCONTRACTOR_COUNTRY,
    RF_F_ITEM_DESCRIPTION, RF_F_ITEM_CPV, RF_F_ITEM_HS, RF_F_ITEM_ORIGIN,
    RF_F_ITEM_QUANTITY, RF_F_ITEM_UNIT_PRICE, RF_F_ITEM_CURRENCY, RF_F_ITEM_REFERENCE_PRICE,
    RF_F_CONTRACT_VALUE, RF_F_CONTRACT_VALUE_ABROAD, RF_F_CONTRACT_CURRENCY,
    RF_F_CONTRACT_PERFORMANCE_COUNTRY, RF_F_CONTRACT_COMPLIANCE_PLAN,
    RF_F_TEXT,
    RF_F_COUNT
} rf_field;

typedef enum rf_ftype {
    RF_T_TEXT,     /* free text: descriptions, notes, names */
    RF_T_CODE,     /* an identifier or classification code (CPV, HS, LEI…) */
    RF_T_COUNTRY,  /* ISO 3166-1 alpha-2, upper case (readers map names) */
    RF_T_NUMBER,   /* a finite number */
    RF_T_BOOL      /* true / false */
} rf_ftype;

typedef struct rf_field_info {
    const char *path;   /* dotted path as in the JSON input, e.g. "item.unit_price" */
    const char *column; /* canonical flat CSV column, e.g. "unit_price" */
    rf_ftype type;
    bool multi;         /* may hold several values */
} rf_field_info;

/* Static description of a field; NULL when f is out of range. */
RF_API const rf_field_info *rf_field_get(rf_field f);
/* The field with this dotted path ("item.description"), or -1. Also accepts
 * the canonical CSV column name ("item_description", "unit_price"). */
RF_API int rf_field_lookup(const char *path);

typedef struct rf_record rf_record;

/* Create an empty record; *out owned by the caller (rf_record_destroy). */
RF_API int rf_record_create(rf_record **out);
/* Free a record and every string it holds; NULL is fine. */
RF_API void rf_record_destroy(rf_record *r);
/* Drop all values (keeps the memory for reuse by the next record). */
RF_API void rf_record_reset(rf_record *r);

/* Append a text value (len bytes, need not be NUL-terminated; it is copied).
 * For RF_T_NUMBER / RF_T_BOOL fields use the typed setters below. */
RF_API int rf_record_add(rf_record *r, rf_field f, const char *s, size_t len);
/* Append a number to a numeric field; its text form is kept too. */
RF_API int rf_record_add_num(rf_record *r, rf_field f, double v);
/* Append a number whose text form is already known (e.g. as written in the
 * input); text is copied. */
RF_API int rf_record_add_num_text(rf_record *r, rf_field f, double v, const char *text,
                                  size_t len);
/* Append a boolean to a boolean field. */
RF_API int rf_record_add_bool(rf_record *r, rf_field f, bool v);

/* The fields that hold at least one value: bit f (1 << f) for field f. */
RF_API uint64_t rf_record_fields(const rf_record *r);
/* How many values field f holds. */
RF_API size_t rf_record_count(const rf_record *r, rf_field f);
/* The i-th value of f as text (NUL-terminated; *len set when len != NULL),
 * or NULL when absent. Owned by the record. */
RF_API const char *rf_record_str(const rf_record *r, rf_field f, size_t i, size_t *len);
/* The first value of a numeric or boolean field: true and *out set when present. */
RF_API bool rf_record_num(const rf_record *r, rf_field f, double *out);
/* True when the record carries at least one value other than its id. */
RF_API bool rf_record_has_content(const rf_record *r);

/* Where the record came from: input line (1-based) and source name. The
 * source string is not copied: it must outlive the record's use. */
RF_API void rf_record_set_origin(rf_record *r, const char *source, long line);
RF_API long rf_record_line(const rf_record *r);
RF_API const char *rf_record_source(const rf_record *r);

#endif
