#!/bin/sh
# Lists benchmark (issues #3 and #4): index build time from all bundled
# snapshots, cold start of `screen` on one record, and names screened per
# second against all bundled lists. usage: bench/lists.sh BIN [DATA]
set -eu
BIN=${1:-./redflag}
OUT=bench/out
mkdir -p "$OUT"
RUNS=${BENCH_RUNS:-5}

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# seconds a command takes (wall clock, ms precision)
secs() { python3 -c 'import subprocess,sys,time; t=time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print("%.4f" % (time.perf_counter()-t))' "$@"; }

build=$(for i in $(seq "$RUNS"); do rm -rf "$OUT/build-data"; secs "$BIN" fetch --offline --data "$OUT/build-data"; done | median)
DATA=${2:-$OUT/build-data}
[ -d "$DATA/index" ] || "$BIN" fetch --offline --data "$DATA" > /dev/null 2>&1

head -1 examples/orders.jsonl > "$OUT/one.jsonl"
"$BIN" screen -o jsonl --data "$DATA" "$OUT/one.jsonl" > /dev/null 2>&1 || true
cold=$(for i in $(seq "$RUNS"); do secs "$BIN" screen -o jsonl --data "$DATA" "$OUT/one.jsonl"; done | median)
norules=$(for i in $(seq "$RUNS"); do secs "$BIN" screen -o jsonl --no-lists "$OUT/one.jsonl"; done | median)

# Names: 10,000 fictional supplier names from the order generator, plus every
# name of the labelled matching set (real listed names and their variants).
python3 - "$OUT/names.txt" <<'PY'
import json, subprocess, sys
out = subprocess.run(["python3", "bench/gen.py", "10000", "7"], capture_output=True, text=True).stdout
names = [json.loads(l)["supplier"]["name"] for l in out.splitlines()]
for l in open("bench/names/pairs.jsonl", encoding="utf-8"):
    p = json.loads(l)
    names += [p["a"], p["b"]]
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(n.replace("\n", " ") for n in names) + "\n")
PY
n=$(wc -l < "$OUT/names.txt")
look=$(for i in $(seq 3); do secs sh -c "\"$BIN\" lookup --data \"$DATA\" - --min 0.8 --limit 3 < \"$OUT/names.txt\""; done | median)
matched=$("$BIN" lookup --data "$DATA" - --min 0.8 --limit 1 < "$OUT/names.txt" | grep -c '"match":true' || true)
entities=$("$BIN" feeds --data "$DATA" -o jsonl 2>/dev/null | python3 -c 'import json,sys; print(sum(json.loads(l).get("entities",0) for l in sys.stdin))')

echo
echo "### Lists: index build, cold start, names/s, $(date -u +%Y-%m-%d)"
echo
echo "| measure | median | target |"
echo "|---|---:|---|"
echo "| index build from all bundled snapshots (\`fetch --offline\`: parse, name keys, LMDB, swap), $entities entities | $(awk "BEGIN{printf \"%.2f s\", $build}") | under 5 s |"
echo "| cold start of \`screen\` on one record (open index, compile rules and goods table, screen, exit) | $(awk "BEGIN{printf \"%.0f ms\", $cold*1000}") | under 50 ms |"
echo "| the same without lists (\`--no-lists\`: rules only) | $(awk "BEGIN{printf \"%.0f ms\", $norules*1000}") | |"
echo "| names screened against all bundled lists (\`lookup -\`, $n names, $matched matched) | $(awk "BEGIN{printf \"%.0f names/s (%.0f µs a name)\", $n/$look, $look*1e6/$n}") | at least 20,000/s |"
