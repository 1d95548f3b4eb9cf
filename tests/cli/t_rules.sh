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

# rules trace: each occurrence with its language, span and lexicon words, and the
# context that dropped one, with file and line; the worked lexicon example passes.
ex=examples/rules/identity-documents.rules
"$RF" rules test --rules "$ex" > "$tmp/ex.out" 2>&1
expect_exit rules-test-lexicon-example-exit-0 0 $?
"$RF" rules trace --rules "$ex" "Wir behalten keine Pässe. Der Vermittler behält die Reisepässe." > "$tmp/trace.out" 2>&1
expect_exit rules-trace-exit-0 0 $?
expect_grep rules-trace-dropped 'identity-documents.rules:33: rule identity_documents_held_multilingual \$held \[de; text: de\] dropped text bytes 4-25 "behalten keine Pässe" concepts @id_document=Pässe; @held=behalten by unless @negation "keine"' "$tmp/trace.out"
expect_grep rules-trace-hit '\[de; text: de\] hit text bytes 42-65 "behält die Reisepässe" concepts @id_document=Reisepässe; @held=behält$' "$tmp/trace.out"
expect_grep rules-trace-verdict 'identity-documents.rules:25: rule identity_documents_held_multilingual (identity_documents_retained): FIRES' "$tmp/trace.out"
printf 'Pass\302\255ports are held by the agent.' | "$RF" rules trace - > "$tmp/trace2.out" 2>&1
expect_grep rules-trace-stdin-soft-hyphen 'rule identity_documents_retained (identity_documents_retained): FIRES' "$tmp/trace2.out"
printf '\377' | "$RF" rules trace - > /dev/null 2> "$tmp/trace3.err"
expect_exit rules-trace-invalid-utf8-exit-2 2 $?
expect_grep rules-trace-invalid-utf8-message 'not valid UTF-8' "$tmp/trace3.err"

# screen --explain: the same trace for each record on stderr, the verdicts on stdout unchanged.
printf '{"id":"PO-1","text":"Wir behalten keine P\303\244sse. Der Vermittler beh\303\244lt die Reisep\303\244sse.","supplier":{"notes":"Pass\302\255ports are held by the agent."}}\n' > "$tmp/explain.jsonl"
"$RF" screen --rules rules --rules "$ex" --no-lists -o jsonl "$tmp/explain.jsonl" > "$tmp/plain.out" 2>/dev/null
"$RF" screen --rules rules --rules "$ex" --no-lists --explain -o jsonl "$tmp/explain.jsonl" > "$tmp/explained.out" 2> "$tmp/explain.err"
expect_exit screen-explain-exit-1 1 $?
if cmp -s "$tmp/plain.out" "$tmp/explained.out"; then ok x; else bad screen-explain-stdout "--explain changed the verdicts"; fi
expect_grep screen-explain-notes 'explain PO-1: rules/coercion.rules:[0-9]*: rule identity_documents_retained \$[a-z_]* \[\*; text: en\] hit supplier.notes bytes 0-20 "Pass.\{1,2\}ports are held"' "$tmp/explain.err"
expect_grep screen-explain-dropped 'explain PO-1: .*identity-documents.rules:33: .* dropped text bytes 4-25 .* by unless @negation "keine"' "$tmp/explain.err"
expect_grep screen-explain-verdict 'explain PO-1: .*identity-documents.rules:25: rule identity_documents_held_multilingual (identity_documents_retained): FIRES' "$tmp/explain.err"
