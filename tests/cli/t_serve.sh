# serve: the HTTP service on a loopback port, driven with curl. Verdicts must
# be the lines `screen -o jsonl` writes for the same records; a SIGHUP reload
# under load must not fail a request; the server is killed on any exit.
S="$tmp/serve"
mkdir -p "$S/feeds"
"$RF" fetch --offline --data "$S/data" > /dev/null 2>&1
echo 'k3y-for-tests' > "$S/key"
"$RF" serve --listen 127.0.0.1:0 --threads 4 --data "$S/data" --max-body 65536 \
  --api-key-file "$S/key" 2> "$S/log" &
spid=$!
trap 'kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on .*(port \([0-9][0-9]*\)).*/\1/p' "$S/log")
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  bad serve-start "no 'listening' line within 10 s"; sed 's/^/    /' "$S/log"
else
  ok serve-start
fi
U="http://127.0.0.1:$port"
# sc ARGS...: curl with the key, bounded; the HTTP status goes to stdout last.
sc() { curl -s -m 20 -H 'Authorization: Bearer k3y-for-tests' "$@"; }
# status FILE ARGS...: the body into FILE, the status code on stdout.
status() { f=$1; shift; sc -o "$f" -w '%{http_code}' "$@"; }

# One record and a batch: byte-identical to `screen -o jsonl`.
head -1 examples/orders.jsonl > "$S/one.jsonl"
"$RF" screen -o jsonl --fail-on none --data "$S/data" < "$S/one.jsonl" > "$S/one.want" 2>/dev/null
expect_exit serve-one-200 200 "$(status "$S/one.got" -X POST --data-binary @"$S/one.jsonl" "$U/screen")"
if cmp -s "$S/one.want" "$S/one.got"; then ok serve-one-same; else
  bad serve-one-same "POST /screen differs from screen -o jsonl"; diff "$S/one.want" "$S/one.got" | head -5; fi
{ cat examples/orders.jsonl; echo '{"id": "broken", "text": '; echo '{"id":"after","text":"office chairs"}'; } > "$S/batch.jsonl"
"$RF" screen -o jsonl --fail-on none --data "$S/data" < "$S/batch.jsonl" > "$S/batch.want" 2>/dev/null
expect_exit serve-batch-200 200 "$(status "$S/batch.got" -X POST --data-binary @"$S/batch.jsonl" "$U/screen")"
if cmp -s "$S/batch.want" "$S/batch.got"; then ok serve-batch-same; else
  bad serve-batch-same "a batch differs from screen -o jsonl"; diff "$S/batch.want" "$S/batch.got" | head -5; fi
expect_lines serve-batch-every-record "$(wc -l < "$S/batch.jsonl")" "$S/batch.got"
# A pretty-printed record is one record.
printf '{\n  "id": "pp",\n  "text": "Passports are held by the labour agent."\n}\n' > "$S/pp.json"
sc -X POST --data-binary @"$S/pp.json" "$U/screen" > "$S/pp.got"
expect_grep serve-pretty-record '^{"id":"pp","level":"high"' "$S/pp.got"
printf '{\n  "id": "pp2",\n  "supplier": {"name": 5}\n}\n' > "$S/pp2.json"
expect_exit serve-pretty-bad-400 400 "$(status "$S/pp2.got" -X POST --data-binary @"$S/pp2.json" "$U/screen")"
expect_grep serve-pretty-bad-message '^{"error":"supplier.name: expected a string' "$S/pp2.got"

# Lookup: the lines of `lookup -o jsonl`.
"$RF" lookup -o jsonl --data "$S/data" "Hoshine Silicon" > "$S/lk.want" 2>/dev/null
sc "$U/lookup?name=Hoshine%20Silicon" > "$S/lk.got"
if [ -s "$S/lk.want" ] && cmp -s "$S/lk.want" "$S/lk.got"; then ok serve-lookup-same; else
  bad serve-lookup-same "GET /lookup differs from lookup -o jsonl"; diff "$S/lk.want" "$S/lk.got" | head -5; fi
expect_grep serve-lookup-uflpa '"list":"us_uflpa"' "$S/lk.got"
expect_exit serve-lookup-no-name-400 400 "$(status "$S/lk2" "$U/lookup")"

# Health (no key needed), feeds, metrics.
curl -s -m 10 "$U/health" > "$S/health"
expect_grep serve-health '^{"status":"ok","index":{"generation":"[0-9a-f]*"' "$S/health"
sc "$U/feeds" > "$S/feeds.json"
expect_grep serve-feeds-provenance '"feed":"us_uflpa","url":"https://www.dhs.gov/uflpa-entity-list"' "$S/feeds.json"
sc "$U/metrics" > "$S/metrics"
expect_grep serve-metrics-requests '^redflag_http_requests_total{path="/screen",status="200"} 3$' "$S/metrics"
expect_grep serve-metrics-histogram '^redflag_http_request_duration_seconds_bucket{path="/screen",le="+Inf"} 4$' "$S/metrics"
expect_grep serve-metrics-records '^redflag_records_total{result="unreadable"} 2$' "$S/metrics"
expect_grep serve-metrics-list-age '^redflag_list_data_timestamp_seconds{list="us_uflpa"} [1-9]' "$S/metrics"

# Errors: bad JSON 400, too large 413, no key 401, unknown path 404, wrong method 405.
expect_exit serve-bad-json-400 400 "$(status "$S/e1" -X POST --data-binary '{"id": "x", "text": ' "$U/screen")"
expect_grep serve-bad-json-message '^{"error":"line 1: invalid JSON' "$S/e1"
expect_exit serve-empty-400 400 "$(status "$S/e0" -X POST --data-binary '' "$U/screen")"
yes '{"id":"big","text":"office chairs and desks"}' | head -2000 > "$S/big.jsonl"
expect_exit serve-too-large-413 413 "$(status "$S/e2" -X POST --data-binary @"$S/big.jsonl" "$U/screen")"
expect_grep serve-too-large-message '^{"error":"request body too large' "$S/e2"
# Refused from its Content-Length: a client waiting for 100-continue sends nothing.
expect_exit serve-too-large-unread 413:0 "$(sc -o /dev/null -w '%{http_code}:%{size_upload}' -H 'Expect: 100-continue' -X POST --data-binary @"$S/big.jsonl" "$U/screen")"
expect_exit serve-no-key-401 401 "$(curl -s -m 10 -o "$S/e3" -w '%{http_code}' -X POST --data-binary @"$S/one.jsonl" "$U/screen")"
expect_exit serve-wrong-key-401 401 "$(curl -s -m 10 -o "$S/e3" -w '%{http_code}' -H 'Authorization: Bearer nope' "$U/feeds")"
expect_exit serve-404 404 "$(status "$S/e4" "$U/nowhere")"
expect_grep serve-404-json '^{"error":"no such path' "$S/e4"
expect_exit serve-405 405 "$(status "$S/e5" "$U/screen")"

# The Python client example: batches of 5, the same verdicts as `screen`, exit 1 (flagged).
"$RF" screen -o jsonl --fail-on none --data "$S/data" < examples/orders.jsonl > "$S/orders.want" 2>/dev/null
REDFLAG_API_KEY=k3y-for-tests python3 examples/http_client.py --url "$U" --batch 5 \
  examples/orders.jsonl > "$S/client.out" 2> "$S/client.err"
expect_exit serve-client-example-exit 1 $?
if cmp -s "$S/orders.want" "$S/client.out"; then ok serve-client-example-same; else
  bad serve-client-example-same "examples/http_client.py output differs from screen"; head -3 "$S/client.err"; fi
python3 examples/http_client.py --url "$U" examples/orders.jsonl > /dev/null 2> "$S/client.err"
expect_exit serve-client-example-no-key-exit 2 $?
expect_grep serve-client-example-no-key 'HTTP 401' "$S/client.err"

# Eight clients at once, each its batch: every answer whole and identical.
pids=""
for i in 1 2 3 4 5 6 7 8; do
  status "$S/par.$i" -X POST --data-binary @"$S/batch.jsonl" "$U/screen" > "$S/par.$i.code" &
  pids="$pids $!"
done
# wait_clients: wait for the background clients in $pids (not the server).
wait_clients() { for p in $pids; do wait "$p"; done; pids=""; }
wait_clients
n=0
for i in 1 2 3 4 5 6 7 8; do
  [ "$(cat "$S/par.$i.code")" = 200 ] && cmp -s "$S/batch.want" "$S/par.$i" && n=$((n + 1))
done
expect_exit serve-8-parallel-identical 8 "$n"

# A reload under load: four clients send batches until told to stop while a
# new index (without the UFLPA list) is built and the server gets SIGHUP. No
# request fails, and every answer is whole: the old index's verdicts before
# the swap, the new one's after, both seen.
ln -s "$top/feeds/snapshots" "$S/feeds/snapshots"
awk '/^\[/{s=$0} s=="[us_uflpa]" && /^enabled/{print "enabled        = no"; next} {print}' \
  feeds/feeds.conf > "$S/feeds/feeds.conf"
for c in 1 2 3 4; do
  ( j=0
    while [ ! -e "$S/stop" ] && [ "$j" -lt 400 ]; do
      j=$((j + 1))
      status "$S/load.$c.$j" -X POST --data-binary @"$S/batch.jsonl" "$U/screen"; echo
    done > "$S/load.$c.codes" ) &
  pids="$pids $!"
done
"$RF" fetch --offline --data "$S/data" --conf "$S/feeds/feeds.conf" > /dev/null 2>&1
kill -HUP "$spid"
for _ in $(seq 100); do grep -q 'now serving index' "$S/log" && break; sleep 0.1; done
sleep 0.5
touch "$S/stop"
wait_clients
"$RF" screen -o jsonl --fail-on none --data "$S/data" < "$S/batch.jsonl" > "$S/batch.new" 2>/dev/null
fails=$(cat "$S"/load.*.codes | grep -vc '^200$')
expect_exit serve-reload-no-failed-request 0 "$fails"
old=0 new=0 other=0
for f in "$S"/load.*.*; do
  case $f in *.codes) continue ;; esac
  if cmp -s "$f" "$S/batch.want"; then old=$((old + 1))
  elif cmp -s "$f" "$S/batch.new"; then new=$((new + 1))
  else other=$((other + 1)); fi
done
expect_exit serve-reload-answers-whole 0 "$other"
if [ "$old" -gt 0 ] && [ "$new" -gt 0 ]; then ok serve-reload-under-load; else
  bad serve-reload-under-load "answers from the old index: $old, from the new: $new"; fi
if cmp -s "$S/batch.want" "$S/batch.new"; then bad serve-reload-lists-differ "the two indexes give the same verdicts"; else ok serve-reload-lists-differ; fi
for _ in $(seq 50); do grep -q 'now serving index' "$S/log" && break; sleep 0.1; done
expect_grep serve-reload-logged 'SIGHUP: now serving index' "$S/log"
sc "$U/lookup?name=Hoshine%20Silicon" > "$S/lk3"
if [ -s "$S/lk3" ] && ! grep -q '"list":"us_uflpa"' "$S/lk3"; then ok serve-reload-new-lists; else
  bad serve-reload-new-lists "after the reload, GET /lookup still finds the UFLPA list (or nothing at all)"; fi
sc "$U/health" > "$S/health2"
expect_grep serve-reload-health '"reload":1}' "$S/health2"

# SIGTERM: a clean stop, exit 0, after answering the request in flight (its
# body still arriving, slowly, when the signal comes).
for _ in 1 2 3 4 5 6 7 8; do cat examples/orders.jsonl; done | head -120 > "$S/slow.jsonl"
"$RF" screen -o jsonl --fail-on none --data "$S/data" < "$S/slow.jsonl" > "$S/slow.want" 2>/dev/null
status "$S/slow.got" --limit-rate 20k -X POST --data-binary @"$S/slow.jsonl" "$U/screen" > "$S/slow.code" &
cpid=$!
sleep 1
kill -TERM "$spid"
wait "$cpid"
expect_exit serve-sigterm-answers-in-flight 200 "$(cat "$S/slow.code")"
if cmp -s "$S/slow.want" "$S/slow.got"; then ok serve-sigterm-in-flight-whole; else
  bad serve-sigterm-in-flight-whole "the request in flight at SIGTERM was cut"; fi
for _ in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$spid" 2>/dev/null && { bad serve-sigterm "still running 10 s after SIGTERM"; kill -KILL "$spid"; }
wait "$spid"
expect_exit serve-sigterm-exit-0 0 $?
expect_grep serve-stopping 'serve: stopping' "$S/log"
trap 'rm -rf "$tmp"' EXIT
