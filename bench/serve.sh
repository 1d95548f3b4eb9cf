#!/bin/sh
# Benchmark `redflag serve` on loopback (about 30 s): single-record requests
# paced at BENCH_RATE/s (default 200) over one keep-alive connection with one
# worker thread, then one generated file posted in batches of 1,000 against
# `screen` on the same file (verdicts compared byte for byte). Prints Markdown
# for BENCHMARKS.md. usage: sh bench/serve.sh ./redflag
set -eu
BIN=${1:?usage: sh bench/serve.sh path/to/redflag}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RATE=${BENCH_RATE:-200}
N=${BENCH_SERVE_RECORDS:-20000}
T=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$T"' EXIT
trap "exit 130" INT TERM HUP PIPE
export REDFLAG_RULES="$ROOT/rules" REDFLAG_FEEDS="$ROOT/feeds/feeds.conf" REDFLAG_CACHE=off
"$BIN" fetch --offline --data "$T/data" > /dev/null 2>&1
python3 bench/gen.py "$N" 42 > "$T/recs.jsonl"
"$BIN" serve --listen 127.0.0.1:0 --threads 1 --data "$T/data" 2> "$T/log" &
spid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on .*(port \([0-9][0-9]*\)).*/\1/p' "$T/log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "bench/serve: the server did not start" >&2; cat "$T/log" >&2; exit 4; }
U=http://127.0.0.1:$port
echo "### serve: single-record requests at $RATE/s, one connection, one worker thread"
echo
echo "| requests | achieved/s | p50 ms | p90 ms | p99 ms | max ms | mean ms | errors | late |"
echo "|---|---|---|---|---|---|---|---|---|"
python3 bench/serve_load.py "$U" "$T/recs.jsonl" "$RATE" 5
echo
split -l 1000 "$T/recs.jsonl" "$T/part."
t0=$(date +%s.%N)
for p in "$T"/part.*; do
  curl -s -m 120 -X POST --data-binary @"$p" "$U/screen"
done > "$T/serve.out"
t1=$(date +%s.%N)
"$BIN" screen -o jsonl --fail-on none --data "$T/data" "$T/recs.jsonl" > "$T/screen.out"
t2=$(date +%s.%N)
same=$(cmp -s "$T/serve.out" "$T/screen.out" && echo identical || echo DIFFERENT)
echo "### serve: $N records in batches of 1,000 (POST /screen) vs screen"
echo
echo "| path | seconds | records/s | verdicts |"
echo "|---|---|---|---|"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$N" -v s="$same" 'BEGIN {
  printf "| serve, batches | %.2f | %.0f | %s |\n", b - a, n / (b - a), s;
  printf "| screen | %.2f | %.0f | - |\n", c - b, n / (c - b) }'
