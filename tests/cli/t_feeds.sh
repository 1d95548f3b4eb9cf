# fetch / feeds: offline build from the bundled snapshots, online through a
# loopback server (ETag/304, a 500, an HTML error page instead of XML, a valid
# but empty list, a 304 to everything, a stalled body, the run's deadline), no
# network at all, the last good copy kept, kill -9 during a build, and the
# first screen's index.

# now_ms: milliseconds since the epoch (GNU date).
now_ms() { date +%s%3N; }

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
python3 tests/fixtures/http/server.py --lifetime 300 < "$tmp/srv.in" > "$tmp/srv.out" 2>/dev/null &
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

# A body that stalls, with the default limits: cut under 1 KiB/s for 8 s and
# retried once, so the feed fails in well under 30 s (274 s before), keeping its
# last good copy. It runs in the background while the next checks go on.
S="$tmp/stall"
printf '[dol]\nurl = http://127.0.0.1:%s/ok.xml\nformat = dol_goods_xml\n' "$port" > "$tmp/stall1.conf"
printf '[dol]\nurl = http://127.0.0.1:%s/stall?key=cli-stall\nformat = dol_goods_xml\n' "$port" > "$tmp/stall2.conf"
"$RF" fetch --data "$S" --conf "$tmp/stall1.conf" > /dev/null 2>&1
expect_exit stall-first-good-copy 0 $?
( t0=$(now_ms); "$RF" fetch --data "$S" --conf "$tmp/stall2.conf" > "$tmp/stall.out" 2> "$tmp/stall.err"
  echo "$? $(( $(now_ms) - t0 ))" > "$tmp/stall.rc" ) &
stall_pid=$!

# A valid but empty list (the CSL's header row, no entries) never replaces the
# last good copy: the feed fails, its 13 entities stay indexed, byte for byte.
E="$tmp/empty"
printf '[csl]\nurl = http://127.0.0.1:%s/ok.csv\nformat = csl_csv\n' "$port" > "$tmp/empty1.conf"
printf '[csl]\nurl = http://127.0.0.1:%s/csl-header-only\nformat = csl_csv\n' "$port" > "$tmp/empty2.conf"
"$RF" fetch --data "$E" --conf "$tmp/empty1.conf" > "$tmp/empty1.out" 2>/dev/null
expect_grep empty-list-first '^csl  *fetched  *13 entities' "$tmp/empty1.out"
"$RF" fetch --data "$E" --conf "$tmp/empty2.conf" > "$tmp/empty2.out" 2> "$tmp/empty2.err"
expect_exit empty-list-exit-4 4 $?
expect_grep empty-list-failed '^csl  *failed  *13 entities' "$tmp/empty2.out"
expect_grep empty-list-message 'feed csl: download rejected, last good copy kept: no entries' "$tmp/empty2.err"
if cmp -s "$E/feeds/csl/current.0" tests/fixtures/http/ok.csv; then ok x; else bad empty-list-copy-kept "current.0 is not the last good download"; fi
"$RF" feeds --data "$E" --conf "$tmp/empty2.conf" > "$tmp/empty-feeds.out" 2>/dev/null
expect_grep empty-list-feeds-stale '^csl  *no  *13 .*stale: .*no entries' "$tmp/empty-feeds.out"

# A download that does not parse to its end (here: cut in half, yet a 200 and
# XML from its first byte) is rejected whole, though its first half held
# goods: the last good copy is kept, byte for byte.
C="$tmp/cut"
printf '[dol]\nurl = http://127.0.0.1:%s/ok.xml\nformat = dol_goods_xml\n' "$port" > "$tmp/cut1.conf"
printf '[dol]\nurl = http://127.0.0.1:%s/ok-cut.xml\nformat = dol_goods_xml\n' "$port" > "$tmp/cut2.conf"
"$RF" fetch --data "$C" --conf "$tmp/cut1.conf" > /dev/null 2>&1
expect_exit cut-list-first 0 $?
"$RF" fetch --data "$C" --conf "$tmp/cut2.conf" > "$tmp/cut2.out" 2> "$tmp/cut2.err"
expect_exit cut-list-exit-4 4 $?
expect_grep cut-list-message 'feed dol: download rejected, last good copy kept' "$tmp/cut2.err"
if cmp -s "$C/feeds/dol/current.0" tests/fixtures/http/ok.xml; then ok x; else bad cut-list-copy-kept "current.0 is not the last good download"; fi

# A server or proxy that answers 304 to an unconditional request is an error,
# not "unchanged".
printf '[dol]\nurl = http://127.0.0.1:%s/always-304\nformat = dol_goods_xml\n' "$port" > "$tmp/304.conf"
"$RF" fetch --data "$tmp/d304" --conf "$tmp/304.conf" > "$tmp/304.out" 2> "$tmp/304.err"
expect_exit always-304-exit-4 4 $?
expect_grep always-304-failed '^dol  *failed' "$tmp/304.out"
expect_grep always-304-message 'feed dol: .*HTTP 304 (Not Modified) to an unconditional request' "$tmp/304.err"

# --deadline bounds the whole run: a body arriving steadily (above the
# low-speed limit) is cut when the run's 3 s are up, the next feed is not
# started, both keep their last good copy (here: none, so no data).
printf '[a]\nurl = http://127.0.0.1:%s/steady?key=dl-a\nformat = dol_goods_xml\n[b]\nurl = http://127.0.0.1:%s/steady?key=dl-b\nformat = dol_goods_xml\n' "$port" "$port" > "$tmp/dl.conf"
t0=$(now_ms)
"$RF" fetch --data "$tmp/ddl" --conf "$tmp/dl.conf" --deadline 3 > "$tmp/dl.out" 2> "$tmp/dl.err"
rc=$? took=$(( $(now_ms) - t0 ))
expect_exit deadline-exit-4 4 $rc
if [ "$took" -ge 2500 ] && [ "$took" -lt 10000 ]; then ok x; else bad deadline-run-time "took $took ms with --deadline 3"; fi
expect_grep deadline-first-cut 'feed a: .*deadline: .*(the run.s deadline)' "$tmp/dl.err"
expect_grep deadline-second-not-started "feed b: .*not fetched: the run's deadline was reached" "$tmp/dl.err"
expect_grep deadline-index-still-built '^index [0-9a-f]\{16\} built' "$tmp/dl.out"
"$RF" fetch --deadline 0 --data "$tmp/ddl" --conf "$tmp/dl.conf" > /dev/null 2> "$tmp/dl0.err"
expect_exit deadline-zero-usage 2 $?
expect_grep deadline-zero-message 'deadline wants a number of seconds' "$tmp/dl0.err"

wait "$stall_pid"
read -r rc took < "$tmp/stall.rc"
expect_exit stall-exit-4 4 "$rc"
if [ "$took" -lt 30000 ]; then ok x; else bad stall-under-30s "a stalled body held fetch $took ms"; fi
echo "    (stalled body, default limits: fetch gave up after $took ms)"
expect_grep stall-failed '^dol  *failed .* 467 goods' "$tmp/stall.out"
expect_grep stall-message 'feed dol: .*timeout: Operation too slow.* after 2 tries' "$tmp/stall.err"
hits=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$port/hits?key=cli-stall")
if [ "$hits" = '{"hits": 2}' ]; then ok x; else bad stall-two-requests "server saw $hits"; fi
exec 7>&-

# No network at all: every feed fails at once (no DNS answer, so no retry),
# keeps its last good copy, and the index is rebuilt from them. Host names
# under .invalid never resolve (RFC 6761); a closed loopback port refuses.
# Timed first with the snapshots left out, so the seconds measure giving up,
# not indexing (which a loaded machine slows): under 5 s for the 8 shipped
# feeds and the closed port (57 s before). Then with the snapshots: each feed
# keeps its data. With a network namespace of our own (root or user
# namespaces), the shipped feeds.conf is also run with no interface up, and
# must take no longer than the same index build offline, give or take 4 s.
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' > "$tmp/closed.port"
mkdir "$tmp/nonet-conf" && ln -s "$PWD/feeds/snapshots" "$tmp/nonet-conf/snapshots"
sed -e 's|^url *= *https\{0,1\}://\([^/]*\)|url = https://\1.invalid|' \
    -e 's|^\(alt_url\|add_url\) *= *https\{0,1\}://\([^/]*\)|\1 = https://\2.invalid|' \
    feeds/feeds.conf > "$tmp/nonet-conf/feeds.conf"
printf '[closed]\nurl = http://127.0.0.1:%s/ok.xml\nformat = dol_goods_xml\n' "$(cat "$tmp/closed.port")" >> "$tmp/nonet-conf/feeds.conf"
sed -e '/^snapshot/d' "$tmp/nonet-conf/feeds.conf" > "$tmp/nosnap.conf"
t0=$(now_ms)
"$RF" fetch --data "$tmp/nosnap" --conf "$tmp/nosnap.conf" > "$tmp/nosnap.out" 2> "$tmp/nosnap.err"
rc=$? took=$(( $(now_ms) - t0 ))
expect_exit no-network-exit-4 4 $rc
if [ "$took" -lt 5000 ]; then ok x; else bad no-network-under-5s "took $took ms"; fi
echo "    (no network, 9 feeds on .invalid hosts and a closed port: fetch gave up after $took ms)"
expect_lines no-network-all-failed 9 "$tmp/nosnap.err"
expect_grep no-network-dns 'feed us_ofac_sdn: .*DNS lookup failed' "$tmp/nosnap.err"
expect_grep no-network-refused 'feed closed: .*connection failed' "$tmp/nosnap.err"
if grep -q 'tries' "$tmp/nosnap.err"; then bad no-network-no-retry "$(grep -m1 tries "$tmp/nosnap.err")"; else ok x; fi
cp -R "$D" "$tmp/nonet"
"$RF" fetch --data "$tmp/nonet" --conf "$tmp/nonet-conf/feeds.conf" > "$tmp/nonet.out" 2> "$tmp/nonet.err"
expect_exit no-network-kept-exit-4 4 $?
expect_grep no-network-sdn-kept '^us_ofac_sdn  *failed  *8976 entities' "$tmp/nonet.out"
expect_grep no-network-dol-kept '^us_dol_goods  *failed .* 467 goods' "$tmp/nonet.out"
expect_grep no-network-index '^index [0-9a-f]\{16\} built' "$tmp/nonet.out"
if unshare -n true 2> /dev/null; then
  cp -R "$D" "$tmp/netns" && cp -R "$D" "$tmp/netns-off"
  t0=$(now_ms)
  "$RF" fetch --offline --data "$tmp/netns-off" > /dev/null 2>&1
  off=$(( $(now_ms) - t0 ))
  t0=$(now_ms)
  unshare -n "$RF" fetch --data "$tmp/netns" > "$tmp/netns.out" 2> "$tmp/netns.err"
  rc=$? took=$(( $(now_ms) - t0 ))
  expect_exit netns-exit-4 4 $rc
  if [ "$took" -lt $((off + 4000)) ]; then ok x; else bad netns-fast "took $took ms, $off ms offline"; fi
  echo "    (no network, empty namespace, shipped feeds.conf: $took ms in all, $off ms for the same build offline)"
  expect_grep netns-un-kept '^un_sc  *failed  *1003 entities' "$tmp/netns.out"
  if grep -q 'tries' "$tmp/netns.err"; then bad netns-no-retry "$(grep -m1 tries "$tmp/netns.err")"; else ok x; fi
fi

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
