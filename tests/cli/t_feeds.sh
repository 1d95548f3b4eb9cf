# fetch / feeds: offline build from the bundled snapshots, online through a
# loopback server (ETag/304, a 500, an HTML error page instead of XML), the
# last good copy kept, kill -9 during a build, and the first screen's index.

D="$tmp/data"
"$RF" fetch --offline --data "$D" > "$tmp/off.out" 2> "$tmp/off.err"
expect_exit fetch-offline-exit 0 $?
expect_grep fetch-offline-dol '^us_dol_goods  *snapshot .* 467 goods' "$tmp/off.out"
expect_grep fetch-offline-uflpa '^us_uflpa  *snapshot  *51 entities' "$tmp/off.out"
expect_grep fetch-offline-sdn '^us_ofac_sdn  *snapshot  *8976 entities' "$tmp/off.out"
expect_grep fetch-offline-csl '^us_csl  *snapshot  *5617 entities' "$tmp/off.out"
expect_grep fetch-offline-cbp-no-data '^us_cbp_forced_labor  *no data' "$tmp/off.out"
expect_grep fetch-offline-index '^index [0-9a-f]\{16\} built in' "$tmp/off.out"

"$RF" feeds --data "$D" > "$tmp/feeds.out" 2> "$tmp/feeds.err"
expect_exit feeds-stale-snapshots-exit-1 1 $?
expect_grep feeds-table-uflpa '^us_uflpa  *yes  *51  *0  2025-01-15' "$tmp/feeds.out"
expect_grep feeds-sdn-coverage '^us_ofac_sdn  *no  *8976  *0  2021-07-07 .* bundled snapshot of 2021-07-07' "$tmp/feeds.out"
expect_grep feeds-warns-age 'us_ofac_sdn: data is [0-9]* days old, expected every 7 days' "$tmp/feeds.err"
"$RF" feeds --data "$D" -o jsonl > "$tmp/feeds.jsonl" 2>/dev/null
expect_grep feeds-jsonl '"feed": *"us_uflpa".*"critical": *true' "$tmp/feeds.jsonl"

# Online, against a loopback server serving real files.
mkfifo "$tmp/srv.in"
python3 tests/fixtures/http/server.py --lifetime 120 < "$tmp/srv.in" > "$tmp/srv.out" 2>/dev/null &
exec 7> "$tmp/srv.in"
n=0; while [ ! -s "$tmp/srv.out" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(head -1 "$tmp/srv.out")
cat > "$tmp/feeds.conf" <<CONF
[dol]
url = http://127.0.0.1:$port/ok.xml
format = dol_goods_xml
licence = US gov PD
cadence = 365d
[uflpa]
url = http://127.0.0.1:$port/uflpa.html
format = uflpa_html
critical = yes
[broken]
url = http://127.0.0.1:$port/500
format = un_xml
snapshot = UN_consolidated.xml
[errpage]
url = http://127.0.0.1:$port/error.html
format = ofac_xml
CONF
mkdir -p "$tmp/snapshots" && cp feeds/snapshots/UN_consolidated.xml "$tmp/snapshots/"
W="$tmp/web"
"$RF" fetch --data "$W" --conf "$tmp/feeds.conf" > "$tmp/on.out" 2> "$tmp/on.err"
expect_exit fetch-online-some-failed-exit-4 4 $?
expect_grep fetch-online-dol '^dol  *fetched .* 467 goods' "$tmp/on.out"
expect_grep fetch-online-uflpa '^uflpa  *fetched  *3 entities' "$tmp/on.out"
expect_grep fetch-online-500-uses-snapshot '^broken  *failed  *1003 entities' "$tmp/on.out"
expect_grep fetch-online-500-message 'feed broken: .*500' "$tmp/on.err"
expect_grep fetch-online-html-refused 'feed errpage: .*html' "$tmp/on.err"
expect_grep fetch-online-index-built '^index [0-9a-f]\{16\} built' "$tmp/on.out"
"$RF" fetch --data "$W" --conf "$tmp/feeds.conf" --feed dol > "$tmp/on2.out" 2>/dev/null
expect_exit fetch-online-304-exit 0 $?
expect_grep fetch-online-304 '^dol  *unchanged .* 467 goods' "$tmp/on2.out"
expect_grep fetch-online-others-kept '^uflpa  *kept  *3 entities' "$tmp/on2.out"
"$RF" feeds --data "$W" --conf "$tmp/feeds.conf" > "$tmp/wf.out" 2>/dev/null
expect_grep feeds-shows-sha '^dol  *no  *0  *467  [0-9-]*  *0d  [0-9a-f]\{12\} ok' "$tmp/wf.out"
expect_grep feeds-shows-stale '^broken .*stale: ' "$tmp/wf.out"
"$RF" fetch --data "$W" --conf "$tmp/feeds.conf" --feed nosuch > /dev/null 2>&1
expect_exit fetch-unknown-feed 2 $?
exec 7>&-

# kill -9 at random moments of offline builds: the index always opens whole.
for delay in 0.05 0.15 0.3 0.5 0.8; do
  "$RF" fetch --offline --data "$D" > /dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  "$RF" feeds --data "$D" > "$tmp/k.out" 2>/dev/null
  rc=$?
  if [ $rc = 0 ] || [ $rc = 1 ]; then ok x; else bad "kill-9-after-$delay" "feeds exit $rc"; fi
  expect_grep "kill-9-after-$delay-entities" '^us_ofac_sdn  *no  *8976' "$tmp/k.out"
done
"$RF" fetch --offline --data "$D" > /dev/null 2>&1
expect_exit fetch-after-kills 0 $?
if ls -d "$D"/index.tmp.* > /dev/null 2>&1; then bad leftovers-removed "index.tmp.* left behind"; else ok x; fi

# A bad feeds.conf is reported with its line.
printf '[x]\nurl = http://x\nformat = yaml\n' > "$tmp/bad.conf"
"$RF" fetch --offline --data "$D" --conf "$tmp/bad.conf" > /dev/null 2> "$tmp/bc.err"
expect_exit bad-conf-exit-2 2 $?
expect_grep bad-conf-line 'bad.conf:3: error: unknown format' "$tmp/bc.err"

# A fresh machine: the first screen indexes the bundled snapshots and screens at once.
REDFLAG_DATA="$tmp/fresh" "$RF" screen -o jsonl examples/orders.jsonl > "$tmp/fresh.out" 2> "$tmp/fresh.err"
expect_exit fresh-screen-exit 1 $?
expect_grep fresh-screen-notice 'indexing the bundled snapshots' "$tmp/fresh.err"
expect_grep fresh-screen-listed '"id":"PO-2026-0114/1","level":"critical".*"list":"us_uflpa"' "$tmp/fresh.out"
expect_grep fresh-screen-goods '"rule":"goods.rubber_gloves","indicator":"high_risk_origin"' "$tmp/fresh.out"
REDFLAG_DATA="$tmp/fresh" "$RF" screen -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/fresh2.err"
if grep -q 'indexing' "$tmp/fresh2.err"; then bad fresh-screen-once "indexed twice"; else ok x; fi

# A data directory that cannot be written: screening goes on without the lists, with a warning.
mkdir -p "$tmp/ro" && chmod 500 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
  REDFLAG_DATA="$tmp/ro/data" "$RF" screen -o jsonl examples/orders.jsonl > "$tmp/ro.out" 2> "$tmp/ro.err"
  expect_exit readonly-data-still-screens 1 $?
  expect_grep readonly-data-warns 'screening without the risk lists' "$tmp/ro.err"
else
  # root ignores the mode bits: make the data path a file instead
  : > "$tmp/ro/file"
  REDFLAG_DATA="$tmp/ro/file/data" "$RF" screen -o jsonl examples/orders.jsonl > "$tmp/ro.out" 2> "$tmp/ro.err"
  expect_exit unusable-data-still-screens 1 $?
  expect_grep unusable-data-warns 'screening without the risk lists' "$tmp/ro.err"
fi
expect_lines unusable-data-all-records "$(grep -c . examples/orders.jsonl)" "$tmp/ro.out"
chmod 700 "$tmp/ro"
