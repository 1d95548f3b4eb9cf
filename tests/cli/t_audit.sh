# audit: one HTML report of a run. Same verdicts as screen (counts, records,
# exit codes), the report written aside and renamed, everything escaped.

# html_check FILE: well-formed (every element closed in order), no script, no
# external resource, no raw control character; prints the text content.
html_check() {
  python3 - "$1" <<'PY'
import html.parser, re, sys
src = open(sys.argv[1], encoding="utf-8").read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.text = []
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe") or any(k in ("src", "href") for k, _ in attrs):
            sys.exit("active or external content: <%s>" % tag)
        if tag not in ("meta", "br"):
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            sys.exit("misnested </%s>" % tag)
    def handle_data(self, d):
        self.text.append(d)
p = P(); p.feed(src); p.close()
if p.stack:
    sys.exit("unclosed: %s" % p.stack)
if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", src):
    sys.exit("raw control character")
print(" ".join(" ".join(p.text).split()))
PY
}

AD="$tmp/audit"
mkdir -p "$AD"
"$RF" audit examples/suppliers.csv --report "$AD/suppliers.html" > "$AD/out" 2> "$AD/err"
expect_exit audit-exit-flagged 1 $?
"$RF" screen -o table examples/suppliers.csv 2>/dev/null | tail -1 > "$AD/screen-summary"
expect_grep audit-summary-as-screen "^$(cat "$AD/screen-summary")\$" "$AD/out"
expect_grep audit-summary-report-path "^report: $AD/suppliers.html\$" "$AD/out"
if ls "$AD" | grep -q tmp; then bad audit-no-tmp-left "$(ls "$AD")"; else ok x; fi
if html_check "$AD/suppliers.html" > "$AD/text"; then ok x; else bad audit-html-well-formed "$(html_check "$AD/suppliers.html" 2>&1 | tail -1)"; fi
# every record with an indicator is in the report, most serious first; clean ones are counted
"$RF" screen -o jsonl examples/suppliers.csv 2>/dev/null > "$AD/s.jsonl"
python3 - "$AD/s.jsonl" "$AD/text" > "$AD/order.out" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
text = open(sys.argv[2]).read()
rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
flagged = [r for r in recs if r["level"] != "none"]
pos = [text.find(r["id"] + " " + r["level"] + " " + str(r["score"])) for r in flagged]
ok = all(p >= 0 for p in pos)
order = [rank[r["level"]] for _, r in sorted(zip(pos, flagged), key=lambda t: t[0])]
ok = ok and order == sorted(order)
none = sum(r["level"] == "none" for r in recs)
ok = ok and ("%d records with no indicator" % none) in text
print("ok" if ok else "bad %s %s" % (pos, order))
PY
expect_grep audit-records-in-report-by-level '^ok$' "$AD/order.out"
expect_grep audit-indicator-table 'Indicators found Indicator Records Highest severity Source' "$AD/text"

# without --report: the page on stdout; -o and an unknown option are usage errors
"$RF" audit examples/orders.jsonl > "$AD/stdout.html" 2>/dev/null
expect_exit audit-stdout-exit 1 $?
expect_grep audit-stdout-page '^<!DOCTYPE html>' "$AD/stdout.html"
expect_grep audit-stdout-uflpa-match 'us_uflpa' "$AD/stdout.html"
# the supplier table: every supplier named, those with an indicator, the worst first
html_check "$AD/stdout.html" > "$AD/otext" 2>&1
"$RF" screen -o jsonl examples/orders.jsonl 2>/dev/null > "$AD/o.jsonl"
python3 - examples/orders.jsonl "$AD/o.jsonl" "$AD/otext" > "$AD/sup.out" <<'PY2'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
res = [json.loads(l) for l in open(sys.argv[2])]
text = open(sys.argv[3]).read()
rank = ["none", "low", "medium", "high", "critical"]
sup = {}
for r, v in zip(recs, res):
    k = (r["supplier"]["name"], r["supplier"].get("country", ""))
    w, s, f, n = sup.get(k, (0, 0, 0, 0))
    lv = rank.index(v["level"])
    sup[k] = (max(w, lv), max(s, v["score"]), f + (lv > 0), n + 1)
flagged = sorted((k for k in sup if sup[k][2]), key=lambda k: (-sup[k][0], -sup[k][1], -sup[k][2], k))
want = "%d suppliers named, %d with at least one record with an indicator." % (len(sup), len(flagged))
rows = " ".join("%s %s %s %d %d %d" % (k[0], k[1], rank[sup[k][0]], sup[k][1], sup[k][2], sup[k][3]) for k in flagged)
print("ok" if want in text and rows in text else "bad: %s | %s" % (want, rows[:200]))
PY2
expect_grep audit-supplier-table '^ok$' "$AD/sup.out"
"$RF" audit -o jsonl examples/orders.jsonl > /dev/null 2>&1
expect_exit audit-output-option-usage 2 $?
"$RF" screen --report x.html examples/orders.jsonl > /dev/null 2>&1
expect_exit screen-report-option-usage 2 $?

# a report that cannot be written: exit 4, nothing left behind
"$RF" audit examples/orders.jsonl --report "$AD/missing/dir/r.html" > /dev/null 2> "$AD/nodir.err"
expect_exit audit-unwritable-exit-4 4 $?
expect_grep audit-unwritable-message 'missing/dir/r.html: cannot write the report' "$AD/nodir.err"

# the report is written through mkstemp beside it: a symlink planted at the
# old predictable temporary name (PATH.tmp-PID) or at the report's own path
# never makes audit write another file; the report is private (0600) even
# under umask 000 when the data directory is private
mkdir -p "$AD/victim" "$AD/priv"
chmod 700 "$AD/priv"
echo precious > "$AD/victim/file"
for pid in $(seq $$ $(($$ + 40))); do ln -sf "$AD/victim/file" "$AD/planted.html.tmp-$pid"; done
(umask 000; "$RF" audit examples/orders.jsonl --data "$AD/priv" --report "$AD/planted.html" > /dev/null 2>&1)
expect_exit audit-planted-symlink-ignored 1 $?
expect_grep audit-planted-victim-intact '^precious$' "$AD/victim/file"
mode=$(stat -c %a "$AD/planted.html")
if [ "$mode" = 600 ]; then ok audit-report-mode; else bad audit-report-mode "mode $mode, wanted 600"; fi
left=$(ls "$AD" | grep -c '^planted\.html\.[A-Za-z0-9]\{6\}$')
if [ "$left" = 0 ]; then ok audit-no-temp-left; else bad audit-no-temp-left "$left temporary files left"; fi
ln -s "$AD/victim/file" "$AD/link.html"
"$RF" audit examples/orders.jsonl --report "$AD/link.html" > /dev/null 2> "$AD/link.err"
expect_exit audit-symlink-report-refused 4 $?
expect_grep audit-symlink-report-message 'is a symbolic link' "$AD/link.err"
expect_grep audit-symlink-victim-intact '^precious$' "$AD/victim/file"

# unreadable records and hostile text: listed, escaped, exit 2
printf '{"id":"x<script>alert(1)</script>","text":"Passports are held by the agency & the \\u0007 <b>broker</b>. \\u2028"}\nnot json\n{"id":"ok","text":"Office chairs."}\n' > "$AD/hostile.jsonl"
"$RF" audit "$AD/hostile.jsonl" --report "$AD/hostile.html" > "$AD/h.out" 2>/dev/null
expect_exit audit-bad-record-exit-2 2 $?
expect_grep audit-bad-record-counted 'unreadable' "$AD/h.out"
if html_check "$AD/hostile.html" > "$AD/htext"; then ok x; else bad audit-hostile-well-formed "$(html_check "$AD/hostile.html" 2>&1 | tail -1)"; fi
expect_grep audit-hostile-text-kept 'x<script>alert(1)</script> high' "$AD/htext"
expect_grep audit-hostile-escaped 'x&lt;script&gt;alert(1)&lt;/script&gt;' "$AD/hostile.html"
expect_grep audit-unreadable-section "Records that could not be read Where Id Problem $AD/hostile.jsonl:2" "$AD/htext"

# a run that fails reading its input (exit 4) keeps the previous report, byte for
# byte, and leaves no temporary file beside it
mkdir -p "$AD/keep/input-is-a-dir"
printf '{"id":"k1","text":"Office chairs."}\n' > "$AD/keep/ok.jsonl"
"$RF" audit "$AD/keep/ok.jsonl" --report "$AD/keep/r.html" > /dev/null 2>&1
cp "$AD/keep/r.html" "$AD/keep/r.before"
"$RF" audit "$AD/keep/input-is-a-dir" --report "$AD/keep/r.html" > /dev/null 2> "$AD/keep/err"
expect_exit audit-failed-run-exit-4 4 $?
if cmp -s "$AD/keep/r.html" "$AD/keep/r.before"; then ok x; else bad audit-failed-run-keeps-report "the previous report was replaced"; fi
if ls "$AD/keep" | grep -q 'r\.html\.'; then bad audit-failed-run-no-temp "a temporary report is left: $(ls "$AD/keep")"; else ok x; fi
