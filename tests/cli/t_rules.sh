# rules check | list | test on the shipped rules and on broken rule files.

"$RF" rules check > "$tmp/check.out" 2>&1
expect_exit rules-check-shipped 0 $?
"$RF" rules test --min-examples 3 > "$tmp/test.out" 2>&1
expect_exit rules-test-shipped 0 $?
expect_grep rules-test-summary ' 0 failed' "$tmp/test.out"
"$RF" rules list > "$tmp/list.out" 2>&1
expect_exit rules-list 0 $?
expect_grep rules-list-columns '^RULE  *INDICATOR  *SEVERITY  *WEIGHT  *SCOPE  *SOURCES' "$tmp/list.out"
expect_grep rules-list-record-scope '^identity_documents_retained  *identity_documents_retained  *high  *60  *record  ' "$tmp/list.out"

mkdir -p "$tmp/broken"
printf 'rule r1 {\n  title "t"\n  indicator debt_bondage\n  severity high\n  weight 50\n  sources "s"\n  match $a = /(unclosed/i\n}\n' > "$tmp/broken/x.rules"
"$RF" rules check --rules "$tmp/broken" > /dev/null 2> "$tmp/broken.err"
expect_exit rules-check-broken-exit-3 3 $?
expect_grep rules-check-broken-position 'x.rules:7:[0-9][0-9]*: error: invalid pattern' "$tmp/broken.err"
"$RF" screen --rules "$tmp/broken" examples/orders.jsonl > /dev/null 2>&1
expect_exit screen-broken-rules-exit-3 3 $?

printf 'rule r1 {\n  title "t"\n  indicator debt_bondage\n  severity high\n  weight 50\n  sources "s"\n  match $a = /owes/i\n  expect hit "the worker owes the recruiter"\n  expect hit "debt of USD 900"\n  expect miss "nothing"\n}\n' > "$tmp/broken/x.rules"
"$RF" rules test --rules "$tmp/broken" > "$tmp/rt.out" 2>&1
expect_exit rules-test-mismatch-exit-1 1 $?
expect_grep rules-test-mismatch-shown 'x.rules:9: rule r1: expected a hit, it did not fire: debt of USD 900' "$tmp/rt.out"
