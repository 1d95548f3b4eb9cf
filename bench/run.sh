#!/bin/sh
# Benchmark `redflag screen` against baselines on generated orders and print a
# Markdown table for BENCHMARKS.md. Run by `make bench`; usage:
#   sh bench/run.sh ./redflag            10k, 100k and 1M records, 3 runs each
#   BENCH_QUICK=1 sh bench/run.sh BIN    10k and 100k, one run each
# Environment: BENCH_SEED (default 42), BENCH_SIZES (overrides the sizes),
# BENCH_RUNS (overrides the run count).
#
# Inputs are cached in bench/out/ (git-ignored), keyed by size, seed and a
# checksum of gen.py, so editing the generator regenerates them. Each size is
# measured for redflag and the baselines in the same run: `jq -c .` (parsing
# only) and, when installed, one `pcre2grep -c -i` with a few rule-like
# patterns (matching only).
set -eu

BIN=${1:-}
if [ -z "$BIN" ]; then
  echo "usage: sh bench/run.sh path/to/redflag" >&2
  exit 2
fi
case $BIN in
  /*) ;;
  */*) BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") ;;
  *) BIN=$(command -v "$BIN" || echo "$BIN") ;;
esac
if [ ! -x "$BIN" ]; then
  echo "bench: $BIN is not an executable; build it with 'make redflag'" >&2
  exit 2
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bench/out
mkdir -p "$OUT"
SEED=${BENCH_SEED:-42}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  SIZES=${BENCH_SIZES:-"10000 100000"}
  RUNS=${BENCH_RUNS:-1}
else
  SIZES=${BENCH_SIZES:-"10000 100000 1000000"}
  RUNS=${BENCH_RUNS:-3}
fi
# Keep the screener's cache and index away from the user's own data.
REDFLAG_DATA=$ROOT/$OUT/data
export REDFLAG_DATA
mkdir -p "$REDFLAG_DATA"

# A list index built from the bundled snapshots, for the runs with lists.
LISTS_DATA=$ROOT/$OUT/lists-data
"$BIN" fetch --offline --data "$LISTS_DATA" > /dev/null 2>&1 || {
  echo "bench: cannot build the list index in $LISTS_DATA" >&2; exit 1; }

GENSUM=$(cksum < bench/gen.py | cut -d' ' -f1)
RESULTS=$OUT/results.tsv
: > "$RESULTS"

# input N: the cached file of N generated records (generated on first use).
input() {
  f=$OUT/orders-$1-s$SEED-g$GENSUM.jsonl
  if [ ! -s "$f" ]; then
    echo "bench: generating $1 records -> $f" >&2
    python3 bench/gen.py "$1" "$SEED" > "$f.tmp"
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

# measure N FILE TOOL OKCODES CMD...: time CMD and append a result row.
measure() {
  n=$1 file=$2 tool=$3 ok=$4
  shift 4
  echo "bench: $tool on $n records ($RUNS run(s))" >&2
  if ! res=$(python3 bench/measure.py --runs "$RUNS" --ok "$ok" -- "$@"); then
    echo "bench: $tool failed on $file" >&2
    exit 1
  fi
  printf '%s\t%s\t%s\t%s\n' "$n" "$(wc -c < "$file")" "$tool" "$res" >> "$RESULTS"
}

# sanity N FILE: screen once into a file; check one output line per record and
# record the level counts, so the table shows what the screener actually found.
sanity() {
  rc=0
  "$BIN" screen -o jsonl --rules rules "$2" > "$OUT/screen-$1.jsonl" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "bench: redflag screen exited $rc on $2" >&2
    exit 1
  fi
  printf '%s\tsanity\t%s\n' "$1" "$OUT/screen-$1.jsonl" >> "$RESULTS"
}

PATTERNS='\b(passports?|identity documents?|ID cards?)\b[^.;]{0,60}\b(held|kept|retained|confiscated)\b
\b(recruitment|placement|visa|medical)\b[^.;]{0,40}\b(fees?|costs?)\b[^.;]{0,40}\b(paid|borne|charged)\b
\b(owes?|advance|repaid|deducted)\b[^.;]{0,60}\b(recruiter|wages?|salary|travel)\b
country of origin:\s*various|sub-?suppliers?[^.;]{0,20}confidential'

HAVE_JQ=0; command -v jq > /dev/null 2>&1 && HAVE_JQ=1
HAVE_PCRE2GREP=0; command -v pcre2grep > /dev/null 2>&1 && HAVE_PCRE2GREP=1
[ "$HAVE_JQ" = 1 ] || echo "bench: jq is not installed; skipping the jq baseline" >&2
[ "$HAVE_PCRE2GREP" = 1 ] || echo "bench: pcre2grep is not installed; skipping it" >&2

for n in $SIZES; do
  f=$(input "$n")
  [ "$n" = "$(echo "$SIZES" | cut -d' ' -f1)" ] && sanity "$n" "$f"
  measure "$n" "$f" redflag 0,1 "$BIN" screen -o jsonl --no-lists --rules rules "$f"
  measure "$n" "$f" redflag+lists 0,1 "$BIN" screen -o jsonl --no-cache --data "$LISTS_DATA" --rules rules "$f"
  if [ "$HAVE_JQ" = 1 ]; then
    measure "$n" "$f" jq 0 jq -c . "$f"
  fi
  if [ "$HAVE_PCRE2GREP" = 1 ]; then
    # One -e per pattern line; exit 1 only means "no line matched".
    set -- pcre2grep -c -i
    while IFS= read -r p; do set -- "$@" -e "$p"; done <<EOF
$PATTERNS
EOF
    measure "$n" "$f" pcre2grep 0,1 "$@" "$f"
  fi
done

python3 bench/report.py "$RESULTS" "$BIN" "$RUNS" "$SEED"
echo
echo "## Indicators on real passages (bench/indicators: dev = written against, held = never)"
echo
python3 bench/indicators/score.py --split all "$BIN" || echo "bench: the indicator corpus scorer failed" >&2
sh bench/lists.sh "$BIN" "$LISTS_DATA"
sh bench/docs.sh "$BIN"
sh bench/cache.sh "$BIN"
