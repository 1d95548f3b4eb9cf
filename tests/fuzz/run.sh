#!/bin/sh
# Run every fuzz target for N seconds on a corpus seeded from the fixtures.
set -eu
secs=${1:-30}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export RF_SRCDIR="$top"
for t in build/fuzz/fuzz_*; do
  name=$(basename "$t")
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  case $name in
    fuzz_reader) for f in examples/*.jsonl tests/fixtures/input/* tests/cli/data/*; do
                   [ -f "$f" ] && { printf '\000'; head -c 4000 "$f"; } > "$corpus/j_$(basename "$f")"
                   [ -f "$f" ] && { printf '\001'; head -c 4000 "$f"; } > "$corpus/c_$(basename "$f")"; done
                 for f in examples/orders/*.xml examples/orders/*.json; do
                   { printf '\002'; head -c 20000 "$f"; } > "$corpus/d_$(basename "$f")"; done ;;
    fuzz_office) for f in tests/fixtures/office/*.csv tests/fixtures/office/*.txt; do
                   for b in 0 8 16 129; do
                     { printf "\\$(printf %o $b)"; head -c 4000 "$f"; } > "$corpus/o${b}_$(basename "$f")"; done; done ;;
    fuzz_xlsx)   for f in tests/fixtures/office/*.xlsx; do
                   { printf '\000'; cat "$f"; } > "$corpus/x_$(basename "$f")"; done ;;
    fuzz_rules)  cp rules/*.rules examples/rules/*.rules "$corpus/" ;;
    fuzz_feed)   i=0
                 for f in tests/fixtures/feeds/*.xml tests/fixtures/feeds/*.XML tests/fixtures/feeds/*.csv tests/fixtures/feeds/*.html \
                          tests/fixtures/feeds/*.json tests/fixtures/feeds/*/*.csv; do
                   [ -f "$f" ] || continue
                   case $f in
                     *ENHANCED*) b=8 ;; *ofac*csv*|*sdn*.csv|*cons_*.csv) b=1 ;; *UN_*|*un_*) b=2 ;; *csl*) b=3 ;;
                     *.html) b=4 ;; *dol*) b=5 ;; *.json) b=6 ;; *.csv) b=7 ;; *) b=0 ;;
                   esac
                   { printf "\\$(printf %o "$b")"; head -c 30000 "$f"; } > "$corpus/f$i"; i=$((i + 1))
                 done ;;
    fuzz_feedconf) cp feeds/feeds.conf "$corpus/" ;;
    fuzz_scan)   grep -ho 'expect [a-z]* "[^"]*"' rules/*.rules examples/rules/*.rules | sed 's/^expect [a-z]* "//; s/"$//' |
                   split -l 1 - "$corpus/ex_" ;;
  esac
  echo "== $name ($secs s)"
  "$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=1024 "$corpus" 2>&1 | tail -3
done
