#!/bin/sh
# Name-matching quality: run `redflag compare` over the labelled pairs in
# bench/names/pairs.jsonl and report precision, recall and F1 per category,
# per kind and overall, on the whole set, the tuning part and the hold-out
# part (every 5th pair). Then time normalisation and comparison.
# Usage: sh bench/match.sh ./redflag [--floor]
set -eu
bin=${1:-./redflag}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
t0=$(date +%s.%N)
"$bin" compare < "$here/names/pairs.jsonl" > "$out"
t1=$(date +%s.%N)
n=$(grep -c . "$here/names/pairs.jsonl")
echo "$n pairs in $(echo "$t1 - $t0" | bc -l | cut -c1-5) s through 'redflag compare' (JSON in and out, process start included)"
python3 "$here/names/score.py" "$here/names/pairs.jsonl" "$out" ${2:-}
