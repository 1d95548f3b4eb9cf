/* redflag — ISO 3166-1 country codes and names. */
#ifndef REDFLAG_COUNTRY_H
#define REDFLAG_COUNTRY_H

#include <stddef.h>
#include "redflag/common.h"

/* Map a country code or name to its ISO 3166-1 alpha-2 code (upper case,
 * written to out[3]). Accepts alpha-2 and alpha-3 codes in any case and the
 * English short and formal names and common variants ("Viet Nam", "Vietnam",
 * "Côte d'Ivoire", "Ivory Coast", "Burma", "Korea, Republic of", "UK").
 * Returns RF_OK, or RF_ENOTFOUND when the text is not a known country. */
RF_API int rf_country_normalize(const char *text, size_t len, char out[3]);

/* The English short name of an alpha-2 code, or NULL; static storage. */
RF_API const char *rf_country_name(const char *alpha2);

#endif
