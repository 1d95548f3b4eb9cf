# `redflag compare`: two names, JSON lines on stdin, errors, and the quality floor.

"$RF" compare -o jsonl "Huawei Technologies Co., Ltd." "HUAWEI TECHNOLOGIES COMPANY LIMITED" > "$tmp/cmp1" 2>&1
expect_exit compare-two-names 0 $?
expect_grep compare-match-true '"match":true' "$tmp/cmp1"
expect_grep compare-explain-shared '"shared":\["huawei","technology"\]' "$tmp/cmp1"

"$RF" compare -o jsonl "China National Petroleum Corporation" "China National Pipeline Corporation" > "$tmp/cmp2" 2>&1
expect_grep compare-one-word-differs '"match":false' "$tmp/cmp2"
expect_grep compare-explain-only '"only_a":\["petroleum"\],"only_b":\["pipeline"\]' "$tmp/cmp2"

"$RF" compare -o table --kind person "HUSSEIN, Saddam" "Saddam Hussein" > "$tmp/cmp3" 2>&1
expect_grep compare-table-person '^score 1.000  match yes' "$tmp/cmp3"
expect_grep compare-table-norm '^  norm a    hussein saddam$' "$tmp/cmp3"

# stdin: each object back with score and match, other keys kept, in order.
printf '%s\n' '{"id":7,"a":"ООО Газпром нефть","b":"Gazprom Neft LLC","kind":"company"}' \
  '{"a":"Kim Jong Un","b":"Kim Jong Il","kind":"person"}' > "$tmp/pairs.jsonl"
"$RF" compare < "$tmp/pairs.jsonl" > "$tmp/cmp4" 2>&1
expect_exit compare-stdin-exit 0 $?
expect_lines compare-stdin-lines 2 "$tmp/cmp4"
expect_grep compare-stdin-kept '^{"id":7,"a":"ООО Газпром нефть","b":"Gazprom Neft LLC","kind":"company","score":1.0,"match":true}$' "$tmp/cmp4"
expect_grep compare-stdin-person '"match":false}$' "$tmp/cmp4"

# Bad lines: an error line each, the others still scored, exit 2.
printf '%s\n' '{"a":"Acme","b":"Acme Ltd"}' 'not json' '{"a":"x","b":"y","kind":"ship"}' '{"a":"Acme"}' \
  | "$RF" compare > "$tmp/cmp5" 2> "$tmp/cmp5.err"
expect_exit compare-bad-lines-exit 2 $?
expect_lines compare-bad-lines-one-each 4 "$tmp/cmp5"
expect_grep compare-bad-line-2 '^{"line":2,"error":' "$tmp/cmp5"
expect_grep compare-bad-kind '"line":3,"error":"\\"kind\\" must be' "$tmp/cmp5"
expect_grep compare-bad-stderr 'redflag: error: <stdin>:4:' "$tmp/cmp5.err"

"$RF" compare "only one" > /dev/null 2>&1
expect_exit compare-one-name-usage 2 $?
"$RF" compare --kind ship a b > /dev/null 2>&1
expect_exit compare-bad-kind-usage 2 $?
"$RF" compare -o jsonl "a" "b" > /dev/full 2>/dev/null
expect_exit compare-write-error 4 $?

# Quality floor on the labelled set (issue #4): F1 >= 0.90 companies, >= 0.85 persons.
if sh bench/match.sh "$RF" --floor > "$tmp/match.txt" 2>&1; then ok compare-quality-floor
else bad compare-quality-floor "F1 under the floor"; tail -12 "$tmp/match.txt"; fi
