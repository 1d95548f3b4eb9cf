/* redflag — screens procurement records for indicators of forced labour and
 * human trafficking. Umbrella header: include this to use the whole library.
 *
 * Library conventions: functions return rf_err codes (common.h); objects are
 * opaque, made by *_create / *_open / *_compile and freed by *_destroy (which
 * accept NULL); each header states who owns every pointer it hands out. The
 * library never prints and never exits. One record is screened with one call:
 * rf_screener_screen() (screen.h; examples/embed.c shows the whole use). */
#ifndef REDFLAG_REDFLAG_H
#define REDFLAG_REDFLAG_H

#include "redflag/cache.h"
#include "redflag/common.h"
#include "redflag/country.h"
#include "redflag/datadir.h"
#include "redflag/feed.h"
#include "redflag/feedconf.h"
#include "redflag/fetch.h"
#include "redflag/goods.h"
#include "redflag/index.h"
#include "redflag/match.h"
#include "redflag/name.h"
#include "redflag/reader.h"
#include "redflag/record.h"
#include "redflag/result.h"
#include "redflag/rules.h"
#include "redflag/screen.h"
#include "redflag/sha256.h"
#include "redflag/update.h"
#include "redflag/writer.h"

#endif
