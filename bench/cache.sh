#!/bin/sh
# The supplier profile cache (docs/CACHE.md): screening supplier-only records
# cold (cache cleared) and warm (the same input again), and the cost of one
# cache lookup, measured by a small C program linked with the library.
#
#   sh bench/cache.sh [BIN]                  the benchmark (make bench runs it)
#   sh bench/cache.sh --gen N SUPPLIERS SEED the records, as JSON lines, on stdout
#
# Input: N records (default 100,000; 10,000 with BENCH_QUICK=1) over SUPPLIERS
# suppliers (default 10,000) drawn with Zipf-like repetition (weight 1/rank),
# fixed seed. Suppliers have fictional names in the style of their country,
# some with an LEI or a VAT number; a few hundred are real listed entities
# from tests/fixtures/feeds/consolidated.xml, so some records match.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

# gen N SUPPLIERS SEED: write the records.
gen() {
  python3 - "$1" "$2" "$3" "$top/tests/fixtures/feeds/consolidated.xml" <<'PY'
import json, random, sys, xml.etree.ElementTree as ET
n, nsup, seed, listed_xml = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
root = ET.parse(listed_xml).getroot()
ns = root.tag.split('}')[0] + '}' if root.tag.startswith('{') else ''
listed = [e.find(ns + 'lastName').text for e in root.iter(ns + 'sdnEntry')
          if e.findtext(ns + 'sdnType') == 'Entity' and e.find(ns + 'lastName') is not None]
listed = sorted(set(listed))[:300]
start = "Kel Bri Mir Quil Har Nor Lum Dun Tide Amber Pel Vos Zen Tor Cal Bel Ash Mar Ost Rav Sol Ver Wyn Ald Cor Fen Gal Hol Ist Jor Lin Mon Pra Sten Ulm".split()
end = "vane mop val feather line vale var more water light wick mere port ridge ford stead ton holm berg wood field mark gate worth bury dale haven crest brook".split()
trade = "Textiles Garments Gloves Electronics Components Seafoods Packaging Logistics Staffing Construction Solar Furniture Chemicals Foods Plastics Metals Apparel Footwear Toys Printing Cleaning Security Catering Medical Supplies Trading Industries Manufacturing".split()
forms = {"MY": ["Sdn Bhd", "Bhd"], "CN": ["Co., Ltd.", "Co Ltd", "Group Co., Ltd."], "GB": ["Ltd", "Limited", "PLC"],
         "DE": ["GmbH", "AG", "GmbH & Co. KG"], "US": ["Inc.", "LLC", "Corp."], "FR": ["SAS", "SA", "SARL"],
         "VN": ["Co., Ltd", "JSC"], "TH": ["Co., Ltd.", "Public Company Limited"], "IN": ["Pvt Ltd", "Limited"],
         "BD": ["Ltd", "Limited"], "TR": ["A.S.", "Ltd. Sti."], "MX": ["S.A. de C.V."], "AE": ["FZE", "LLC", "FZCO"],
         "NL": ["B.V.", "N.V."], "SE": ["AB"], "IT": ["S.p.A.", "S.r.l."], "PL": ["Sp. z o.o."], "ES": ["S.L.", "S.A."]}
countries = list(forms)
cweights = [9, 14, 8, 7, 10, 4, 6, 5, 7, 4, 4, 3, 3, 3, 2, 3, 2, 2]
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
sups, seen = [], set()
while len(sups) < nsup - len(listed):
    c = rng.choices(countries, cweights)[0]
    name = "%s%s %s %s" % (rng.choice(start), rng.choice(end), rng.choice(trade), rng.choice(forms[c]))
    if rng.random() < 0.3:
        name = "%s %s" % (rng.choice(start) + rng.choice(end), name)
    if (name, c) in seen:
        continue
    seen.add((name, c))
    s = {"name": name, "country": c}
    r = rng.random()
    if r < 0.15:
        s["ids"] = {"lei": "".join(rng.choice(alnum) for _ in range(18)) + "%02d" % rng.randrange(100)}
    elif r < 0.30:
        s["ids"] = {"vat": c + "".join(rng.choice("0123456789") for _ in range(9))}
    sups.append(s)
sups += [{"name": nm, "country": rng.choice(["CN", "RU", "IR", "HK", "AE", "KP", "SY", "BY"])} for nm in listed]
rng.shuffle(sups)
weights = [1.0 / (rank + 1) for rank in range(len(sups))]
out = sys.stdout
for i, s in enumerate(rng.choices(sups, weights, k=n)):
    out.write(json.dumps({"id": "PO-%07d" % (i + 1), "supplier": s}, ensure_ascii=False) + "\n")
PY
}

if [ "${1:-}" = "--gen" ]; then
  gen "$2" "$3" "$4"
  exit 0
fi

BIN=${1:-./redflag}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
N=100000
[ "${BENCH_QUICK:-0}" = 1 ] && N=10000
SUPPLIERS=10000 SEED=7
out=$top/bench/out
mkdir -p "$out"
data=$out/cache-data
in=$out/cache-$N-$SUPPLIERS-s$SEED.jsonl
[ -s "$in" ] || gen "$N" "$SUPPLIERS" "$SEED" > "$in"
export REDFLAG_RULES="$top/rules"
unset REDFLAG_CACHE

# secs CMD...: wall seconds of one run, output discarded (exit 0 or 1 only).
secs() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
if rc not in (0, 1):
    sys.exit("bench/cache.sh: %s exited %d" % (sys.argv[1:3], rc))
print("%.3f" % (time.perf_counter() - t))
PY
}

"$BIN" screen --data "$data" --no-cache -o jsonl "$in" > /dev/null 2>&1 || true # the index
"$BIN" cache clear --data "$data" > /dev/null
cold=$(secs "$BIN" screen --data "$data" -o jsonl "$in")
warm=$(secs "$BIN" screen --data "$data" -o jsonl "$in")
warm2=$(secs "$BIN" screen --data "$data" -o jsonl "$in")
nocache=$(secs "$BIN" screen --data "$data" --no-cache -o jsonl "$in")
nolists=$(secs "$BIN" screen --no-lists -o jsonl "$in")
[ "$(python3 -c "print(min($warm, $warm2))")" = "$warm2" ] && warm=$warm2
"$BIN" screen --data "$data" -o jsonl "$in" | grep -c '"cached":true' > "$out/cache-hits" || true

# The lookup cost: a C program over the library (10,000 profiles, 1,000,000 gets).
cbench=$out/cache-lookup
cat > "$cbench.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "redflag/cache.h"
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv)
{
    enum { N = 10000, GETS = 1000000 };
    static char names[N][64], leis[N][24];
    static const char *const cn[] = {"CN"};
    rf_name_ident ids[N];
    rf_name_party p[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "Supplier Number %d Textiles Co., Ltd.", i);
        snprintf(leis[i], sizeof leis[i], "LEI%017d", i);
        ids[i] = (rf_name_ident){"lei", leis[i]};
        p[i] = (rf_name_party){names[i], RF_NAME_COMPANY, cn, 1, &ids[i], i % 2}; /* half keyed by LEI */
    }
    rf_match_hit h = {"us_uflpa", "E1", "Listed Name Co", "Listed Name", "name", "CN", "UFLPA", true, 0.93};
    rf_cache *c;
    char gen[RF_CACHE_GEN_HEX];
    rf_cache_generation("bench", "bench", 0.8, NULL, 0, gen);
    if (rf_cache_open(&c, argv[1], gen, NULL) != RF_OK) { fprintf(stderr, "%s\n", rf_cache_error()); return 4; }
    for (int i = 0; i < N; i++)
        rf_cache_put(c, &p[i], &h, i % 3 == 0);
    rf_cache_flush(c);
    const rf_match_hit *hh; size_t n, hits = 0;
    double best[2] = {1e9, 1e9};
    for (int kind = 0; kind < 2; kind++)  /* 0: name keys, 1: LEI keys */
        for (int round = 0; round < 3; round++) {
            double t = now();
            for (int i = 0; i < GETS / 2; i++)
                hits += rf_cache_get(c, &p[(int)(((unsigned)i * 7919u) % (N / 2)) * 2 + kind], &hh, &n) == RF_OK;
            double per = (now() - t) / (GETS / 2) * 1e6;
            best[kind] = per < best[kind] ? per : best[kind];
        }
    rf_cache_close(c); /* a fresh process's first lookups: nothing remembered */
    if (rf_cache_open(&c, argv[1], gen, NULL) != RF_OK) { fprintf(stderr, "%s\n", rf_cache_error()); return 4; }
    double t = now();
    for (int i = 0; i < N; i += 2)
        hits += rf_cache_get(c, &p[i], &hh, &n) == RF_OK;
    double first = (now() - t) / (N / 2) * 1e6;
    printf("%.2f %.2f %.2f %zu\n", best[0], best[1], first, hits);
    rf_cache_close(c);
    return hits == 3 * GETS + N / 2 ? 0 : 1;
}
C
LIBA=build/libredflag.a
LIBS="$(pkg-config --libs libpcre2-8 lmdb libxml-2.0 libcurl libcrypto yajl icu-uc icu-i18n) -lcsv -lm"
CFLAGS_PKG=$(pkg-config --cflags lmdb icu-uc)
(cd "$top" && make -s "$LIBA" > /dev/null && cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude $CFLAGS_PKG -o "$cbench" "$cbench.c" "$LIBA" $LIBS)
rm -rf "$out/cache-lookup-data"
set -- $("$cbench" "$out/cache-lookup-data")
name_us=$1 lei_us=$2 first_us=$3
rm -rf "$out/cache-lookup-data"

python3 - "$N" "$SUPPLIERS" "$cold" "$warm" "$nocache" "$nolists" "$name_us" "$lei_us" "$(cat "$out/cache-hits")" "$first_us" <<'PY'
import sys
n, sup = int(sys.argv[1]), int(sys.argv[2])
cold, warm, nocache, nolists, name_us, lei_us = map(float, sys.argv[3:9])
hits, first_us = int(sys.argv[9]), float(sys.argv[10])
print("cache: %d supplier-only records over %d suppliers (Zipf-like), one process each run" % (n, sup))
print("  %-34s %7.2f s %9.0f records/s" % ("cold (cache cleared)", cold, n / cold))
print("  %-34s %7.2f s %9.0f records/s" % ("warm (second run)", warm, n / warm))
print("  %-34s %7.2f s %9.0f records/s" % ("--no-cache", nocache, n / nocache))
print("  %-34s %7.2f s %9.0f records/s" % ("--no-lists (no list or cache work)", nolists, n / nolists))
print("  warm / cold speed-up: %.1fx (target >= 5x); warm run answered %d of %d records from the cache"
      % (cold / warm, hits, n))
print("  one repeat cache lookup (rf_cache_get, 10,000 profiles, from the process's memory): %.2f us by name key, %.2f us by LEI (target < 5 us);"
      % (name_us, lei_us))
print("    a name's first lookup in a process (normalised with ICU, read from LMDB, then remembered): %.2f us" % first_us)
PY
