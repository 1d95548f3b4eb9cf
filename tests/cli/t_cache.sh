# The supplier profile cache: warm verdicts identical to uncached ones, the
# "cached" field, stats and clear, a new generation, TTL, many screens and a
# fetch at once, a read-only cache and a full disk, a co-process's profiles
# committed while its pipe stays open.
#
# run.sh sets REDFLAG_CACHE=off for the whole suite (the expected files are
# uncached verdicts, "cached":false); this script turns the cache on
# explicitly for each of its commands.

CD="$tmp/cache-data"
cin="$tmp/cache-in.jsonl"
# 400 supplier-only records over 120 suppliers, some of them listed, plus the examples.
sh bench/cache.sh --gen 400 120 3 > "$cin"
cat examples/orders.jsonl >> "$cin"
nin=$(grep -c . "$cin")
# rfc ARGS: redflag with the cache on, in the cache test's data directory.
rfc() { REDFLAG_CACHE=on "$RF" "$@"; }
# same_verdicts NAME A B: the JSON lines of A and B agree in every field but "cached".
same_verdicts() {
  if python3 - "$2" "$3" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
for x in a + b:
    x.pop("cached", None)
sys.exit(0 if a == b and len(a) > 0 else 1)
PY
  then ok "$1"; else bad "$1" "verdicts of $(basename "$2") and $(basename "$3") differ"; fi
}
# count_cached FILE true|false: lines with that "cached" value.
count_cached() { grep -c "\"cached\":$2}\$" "$1"; }

rfc screen --data "$CD" --no-cache -o jsonl "$cin" > "$tmp/c-ref.jsonl" 2> "$tmp/c-ref.err"
ref_exit=$?
expect_lines cache-ref-lines "$nin" "$tmp/c-ref.jsonl"
expect_exit cache-no-cache-all-false "$nin" "$(count_cached "$tmp/c-ref.jsonl" false)"
if [ -d "$CD/cache" ]; then bad cache-no-cache-untouched "--no-cache created DATA/cache"; else ok x; fi
expect_grep cache-input-matches-lists '"matches":\[{"party":"supplier"' "$tmp/c-ref.jsonl"

rfc screen --data "$CD" -o jsonl "$cin" > "$tmp/c-cold.jsonl" 2> "$tmp/c-cold.err"
expect_exit cache-cold-exit "$ref_exit" $?
rfc screen --data "$CD" -o jsonl "$cin" > "$tmp/c-warm.jsonl" 2> "$tmp/c-warm.err"
expect_exit cache-warm-exit "$ref_exit" $?
same_verdicts cache-cold-same-as-uncached "$tmp/c-ref.jsonl" "$tmp/c-cold.jsonl"
same_verdicts cache-warm-same-as-uncached "$tmp/c-ref.jsonl" "$tmp/c-warm.jsonl"
expect_exit cache-warm-all-cached "$nin" "$(count_cached "$tmp/c-warm.jsonl" true)"
n=$(count_cached "$tmp/c-cold.jsonl" true)
if [ "$n" -gt 0 ] && [ "$n" -lt "$nin" ]; then ok x; else bad cache-cold-repeats "$n of $nin cold records cached"; fi
printf '{"id":"np","text":"Office chairs."}\n' | rfc screen --data "$CD" -o jsonl > "$tmp/c-np.jsonl"
expect_grep cache-no-party-not-cached '"cached":false}$' "$tmp/c-np.jsonl"
if [ -s "$tmp/c-warm.err" ]; then bad cache-warm-quiet "stderr: $(head -2 "$tmp/c-warm.err")"; else ok x; fi

rfc cache stats --data "$CD" > "$tmp/c-stats" 2>&1
expect_exit cache-stats-exit 0 $?
expect_grep cache-stats-entries '^entries: *[1-9]' "$tmp/c-stats"
expect_grep cache-stats-corrupt '^corrupt: *0$' "$tmp/c-stats"
expect_grep cache-stats-other-gen '^other generation: *0$' "$tmp/c-stats"
expect_grep cache-stats-generation '^generation: *[0-9a-f]\{64\}$' "$tmp/c-stats"
expect_grep cache-stats-warm-run "lookups, .* hits (100.0%), 0 misses" "$tmp/c-stats"
expect_grep cache-stats-size '^size on disk: .*iB' "$tmp/c-stats"

# New rules: another generation. Every profile is of the old one; screening recomputes.
cp -r rules "$tmp/c-rules"
echo "# a comment changes the ruleset digest" >> "$tmp/c-rules/$(ls rules | grep '\.rules$' | head -1)"
rfc cache stats --data "$CD" --rules "$tmp/c-rules" > "$tmp/c-stats2" 2>&1
entries=$(sed -n 's/^entries: *//p' "$tmp/c-stats")
expect_grep cache-new-rules-other-gen "^other generation: *$entries\$" "$tmp/c-stats2"
rfc screen --data "$CD" --rules "$tmp/c-rules" -o jsonl "$cin" > "$tmp/c-gen.jsonl" 2>/dev/null
same_verdicts cache-new-generation-same "$tmp/c-ref.jsonl" "$tmp/c-gen.jsonl"
expect_grep cache-new-generation-recomputed '^{"id":"PO-0000001".*"cached":false}$' "$tmp/c-gen.jsonl"

# Party rules (rules reading only a party's name, country, identifiers): their
# flags come from the profile on a warm run, the same as uncached.
cp -r rules "$tmp/c-prules"
cat > "$tmp/c-prules/party.rules" <<'EOF'
set gulf = { "AE", "QA" }
rule labour_supplier {
  title "Supplier name says it supplies labour"
  indicator labour_agency_subcontracting
  severity low
  weight 15
  sources "buyer policy"
  fields supplier.name
  match $a = /\b(staffing|guarding|facility services|manpower)\b/i
}
rule gulf_supplier {
  title "Gulf supplier"
  indicator recruitment_fees_charged
  severity low
  weight 10
  sources "buyer policy"
  when supplier.country in gulf
}
EOF
"$RF" rules list --rules "$tmp/c-prules" > "$tmp/c-plist" 2>&1
expect_grep cache-party-rules-listed '^labour_supplier .* supplier  *buyer policy$' "$tmp/c-plist"
rfc screen --data "$CD" --rules "$tmp/c-prules" --no-cache -o jsonl "$cin" > "$tmp/c-pref.jsonl" 2>/dev/null
rfc screen --data "$CD" --rules "$tmp/c-prules" -o jsonl "$cin" > /dev/null 2>&1
rfc screen --data "$CD" --rules "$tmp/c-prules" -o jsonl "$cin" > "$tmp/c-pwarm.jsonl" 2>/dev/null
same_verdicts cache-party-rules-warm-same "$tmp/c-pref.jsonl" "$tmp/c-pwarm.jsonl"
expect_exit cache-party-rules-all-cached "$nin" "$(count_cached "$tmp/c-pwarm.jsonl" true)"
expect_grep cache-party-rules-fire '"rule":"labour_supplier".*"cached":true}$' "$tmp/c-pwarm.jsonl"
expect_grep cache-party-rules-gulf '"rule":"gulf_supplier".*"cached":true}$' "$tmp/c-pwarm.jsonl"

# TTL: profiles older than it are matched again.
sleep 2
rfc screen --data "$CD" --cache-ttl 1 -o jsonl "$cin" > "$tmp/c-ttl.jsonl" 2>/dev/null
expect_grep cache-ttl-expired '^{"id":"PO-0000001".*"cached":false}$' "$tmp/c-ttl.jsonl"
same_verdicts cache-ttl-same "$tmp/c-ref.jsonl" "$tmp/c-ttl.jsonl"
rfc screen --data "$CD" --cache-ttl 30d -o jsonl "$cin" > "$tmp/c-ttl30.jsonl" 2>/dev/null
expect_exit cache-ttl-30d-warm "$nin" "$(count_cached "$tmp/c-ttl30.jsonl" true)"
rfc screen --data "$CD" --cache-ttl soon "$cin" > /dev/null 2> "$tmp/c-ttlbad.err"
expect_exit cache-ttl-bad-usage 2 $?

# clear: empty, and the next run is cold.
rfc cache clear --data "$CD" > "$tmp/c-clear" 2>&1
expect_exit cache-clear-exit 0 $?
expect_grep cache-clear-removed '^cache: removed [1-9][0-9]* profiles' "$tmp/c-clear"
rfc cache stats --data "$CD" > "$tmp/c-stats3" 2>&1
expect_grep cache-clear-empty '^entries: *0$' "$tmp/c-stats3"
rfc screen --data "$CD" -o jsonl "$cin" > "$tmp/c-after.jsonl" 2>/dev/null
expect_grep cache-clear-cold '^{"id":"PO-0000001".*"cached":false}$' "$tmp/c-after.jsonl"
rfc cache frobnicate > /dev/null 2>&1
expect_exit cache-unknown-action 2 $?

# Six screens, a cache clear and a fetch of the same lists at once: no error,
# every line of every output is a verdict identical to the uncached one.
pids=""
for i in 1 2 3 4 5 6; do
  rfc screen --data "$CD" -o jsonl "$cin" > "$tmp/c-par$i.jsonl" 2> "$tmp/c-par$i.err" &
  pids="$pids $!"
done
"$RF" fetch --offline --data "$CD" > /dev/null 2> "$tmp/c-fetch.err" &
fpid=$!
rfc cache clear --data "$CD" > /dev/null 2>&1
wait $fpid
expect_exit cache-parallel-fetch 0 $?
for i in 1 2 3 4 5 6; do
  set -- $pids; eval "p=\$$i"
  wait "$p"; rc=$?
  expect_exit "cache-parallel-exit-$i" "$ref_exit" "$rc"
  same_verdicts "cache-parallel-same-$i" "$tmp/c-ref.jsonl" "$tmp/c-par$i.jsonl"
  if [ -s "$tmp/c-par$i.err" ]; then bad "cache-parallel-quiet-$i" "$(head -2 "$tmp/c-par$i.err")"; else ok x; fi
done
rfc cache stats --data "$CD" > "$tmp/c-stats4" 2>&1
expect_grep cache-parallel-not-corrupt '^corrupt: *0$' "$tmp/c-stats4"

# A co-process screening one record at a time: its profile is committed while
# the pipe stays open (the writer commits within 50 ms of the last record).
CP="$tmp/cache-pipe"
"$RF" screen --data "$CP" --no-cache -o jsonl examples/orders.jsonl > /dev/null 2>&1
python3 - "$RF" "$CP" > "$tmp/c-pipe.out" 2>&1 <<'PY'
import json, os, subprocess, sys, time
env = dict(os.environ, REDFLAG_CACHE="on")
p = subprocess.Popen([sys.argv[1], "screen", "--data", sys.argv[2], "-f", "jsonl", "-o", "jsonl"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
p.stdin.write(b'{"id":"a","supplier":{"name":"Lonely Pipe Supplier Ltd","country":"GB"}}\n')
p.stdin.flush()
first = json.loads(p.stdout.readline())
time.sleep(0.5)
st = subprocess.run([sys.argv[1], "cache", "stats", "--data", sys.argv[2]], capture_output=True,
                    text=True, env=env).stdout
p.stdin.write(b'{"id":"b","supplier":{"name":"Lonely Pipe Supplier Ltd","country":"GB"}}\n')
p.stdin.flush()
second = json.loads(p.stdout.readline())
p.stdin.close(); p.wait(10)
entries = [l for l in st.splitlines() if l.startswith("entries:")]
print(first["cached"], second["cached"], entries[0].split()[-1] if entries else "none")
PY
expect_grep cache-pipe-committed-while-open '^False True 1$' "$tmp/c-pipe.out"

# A cache that cannot be written: one warning, the same verdicts without it.
RO="$tmp/cache-ro"
"$RF" screen --data "$RO" --no-cache -o jsonl "$cin" > /dev/null 2>&1
mkdir -p "$RO/cache" && chmod 500 "$RO/cache"
if [ "$(id -u)" = 0 ]; then
  # root ignores permissions: a read-only bind mount instead, when allowed.
  ro_run() { unshare -m sh -c 'mount --bind "$1/cache" "$1/cache" && mount -o remount,bind,ro "$1/cache" && shift && exec "$@"' sh "$RO" "$@"; }
  ro_run true 2>/dev/null || ro_run() { echo skip; return 99; }
else
  ro_run() { "$@"; }
fi
ro_run env REDFLAG_CACHE=on "$RF" screen --data "$RO" -o jsonl "$cin" > "$tmp/c-ro.jsonl" 2> "$tmp/c-ro.err"
rc=$?
if [ "$rc" = 99 ]; then echo "note: cache-read-only skipped (no read-only mount possible)"; else
  expect_exit cache-read-only-exit "$ref_exit" "$rc"
  same_verdicts cache-read-only-same "$tmp/c-ref.jsonl" "$tmp/c-ro.jsonl"
  expect_lines cache-read-only-one-warning 1 "$tmp/c-ro.err"
  expect_grep cache-read-only-says-why 'warning: cannot use the profile cache (.*): screening without it' "$tmp/c-ro.err"
fi
chmod 700 "$RO/cache"

# A full disk (file size limit): one warning, the same verdicts, exit unchanged.
FD="$tmp/cache-full"
"$RF" screen --data "$FD" --no-cache -o jsonl "$cin" > /dev/null 2>&1
# (stdout goes through cat: the limit would stop the output file too)
(trap '' XFSZ; ulimit -f 40; env REDFLAG_CACHE=on "$RF" screen --data "$FD" -o jsonl "$cin" \
  2> "$tmp/c-full.err"; echo $? > "$tmp/c-full.rc") | cat > "$tmp/c-full.jsonl"
expect_exit cache-full-exit "$ref_exit" "$(cat "$tmp/c-full.rc")"
same_verdicts cache-full-same "$tmp/c-ref.jsonl" "$tmp/c-full.jsonl"
expect_lines cache-full-one-warning 1 "$tmp/c-full.err"
expect_grep cache-full-says-why 'warning: the profile cache failed (cannot write the cache' "$tmp/c-full.err"
rfc cache stats --data "$FD" > "$tmp/c-full-stats" 2>&1
expect_grep cache-full-not-corrupt '^corrupt: *0$' "$tmp/c-full-stats"

