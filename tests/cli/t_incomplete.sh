# A verdict whose scan hit a PCRE2 limit says so ("incomplete" with rule and
# field), the run warns once with a count, and --fail-on counts it as medium.

long=$(printf 'a%.0s' $(seq 1 3000))
{ printf '{"id": "L1", "text": "%s!"}\n' "$long"
  printf '{"id": "OK", "text": "plain words"}\n'
  printf '{"id": "L2", "text": "%s?"}\n' "$long"; } > "$tmp/limit.jsonl"
lim=tests/fixtures/rules/limit
"$RF" screen --no-lists --rules "$lim" -o jsonl "$tmp/limit.jsonl" > "$tmp/limit.out" 2> "$tmp/limit.err"
expect_exit incomplete-exit-0-below-high 0 $?
expect_grep incomplete-marked '^{"id":"L1","level":"none",.*"incomplete":true,"incomplete_rules":\[{"rule":"backtrack_demo","field":"text"}\]}$' "$tmp/limit.out"
expect_grep incomplete-complete-unmarked '^{"id":"OK","level":"low",.*"cached":false}$' "$tmp/limit.out"
expect_lines incomplete-one-warning 1 "$tmp/limit.err"
expect_grep incomplete-warning-count 'warning: 2 records were not fully scanned' "$tmp/limit.err"
"$RF" screen --no-lists --rules "$lim" --fail-on medium -o jsonl "$tmp/limit.jsonl" > /dev/null 2>&1
expect_exit incomplete-fail-on-medium-exit-1 1 $?
"$RF" screen --no-lists --rules "$lim" -o table "$tmp/limit.jsonl" > "$tmp/limit.txt" 2>/dev/null
expect_grep incomplete-table 'incomplete: rule backtrack_demo hit a regex limit on text' "$tmp/limit.txt"
"$RF" screen --no-lists --rules "$lim" -o csv "$tmp/limit.jsonl" > "$tmp/limit.csv" 2>/dev/null
expect_grep incomplete-csv '^L1,1,none,0,,,,,,backtrack_demo (text)' "$tmp/limit.csv"
