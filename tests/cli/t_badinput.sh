# Bad input: one output line per input record, an error line for each bad one,
# the rest still screened, exit 2, and no crash.

"$RF" screen -o jsonl tests/cli/data/bad.jsonl > "$tmp/bad.out" 2> "$tmp/bad.err"
expect_exit bad-jsonl-exit 2 $?
expect_lines bad-jsonl-one-line-per-record 9 "$tmp/bad.out"
expect_grep bad-jsonl-first-screened '^{"id":"ok-1","level":"high"' "$tmp/bad.out"
expect_grep bad-jsonl-invalid-json '"line":2,"error":"invalid JSON' "$tmp/bad.out"
expect_grep bad-jsonl-wrong-type '{"id":"type-1","line":3,"error":"item.unit_price: expected a number' "$tmp/bad.out"
expect_grep bad-jsonl-utf8 '"line":4,"error":"invalid UTF-8' "$tmp/bad.out"
expect_grep bad-jsonl-nul '"line":5,"error":".*NUL' "$tmp/bad.out"
expect_grep bad-jsonl-depth '"line":6,"error":".*nest' "$tmp/bad.out"
expect_grep bad-jsonl-empty-object '"line":7,"error":"record has nothing to screen"' "$tmp/bad.out"
expect_grep bad-jsonl-not-object '"line":8,"error":".*object' "$tmp/bad.out"
expect_grep bad-jsonl-last-screened '^{"id":"ok-2","level":"none"' "$tmp/bad.out"
expect_grep bad-jsonl-stderr-names-file-line 'bad.jsonl:2: invalid JSON' "$tmp/bad.err"

# A 10 MB line between two good records: refused, the next record still screened.
python3 -c '
import sys
sys.stdout.write("{\"id\": \"before\", \"text\": \"fine\"}\n")
sys.stdout.write("{\"id\": \"huge\", \"text\": \"" + "a" * (10 * 1024 * 1024) + "\"}\n")
sys.stdout.write("{\"id\": \"after\", \"text\": \"Passports are held by the agent.\"}\n")' > "$tmp/huge.jsonl"
"$RF" screen -o jsonl "$tmp/huge.jsonl" > "$tmp/huge.out" 2>/dev/null
expect_exit huge-line-exit 2 $?
expect_lines huge-line-count 3 "$tmp/huge.out"
expect_grep huge-line-error '"line":2,"error":"record longer than 1048576 bytes"' "$tmp/huge.out"
expect_grep huge-line-next-screened '^{"id":"after","level":"high"' "$tmp/huge.out"

# An empty file: no output, a clear message, exit 2.
"$RF" screen -o jsonl tests/cli/data/empty.jsonl > "$tmp/empty.out" 2> "$tmp/empty.err"
expect_exit empty-file-exit 2 $?
expect_lines empty-file-no-output 0 "$tmp/empty.out"
expect_grep empty-file-message 'empty.jsonl: no records' "$tmp/empty.err"

# A missing file: exit 2, named.
"$RF" screen -o jsonl tests/cli/data/no-such-file.jsonl > /dev/null 2> "$tmp/missing.err"
expect_exit missing-file-exit 2 $?
expect_grep missing-file-message 'no-such-file.jsonl: cannot open' "$tmp/missing.err"

# Ragged CSV rows: errors for the short and the long row, the others screened.
"$RF" screen -o jsonl tests/cli/data/ragged.csv > "$tmp/ragged.out" 2>/dev/null
expect_exit ragged-csv-exit 2 $?
expect_lines ragged-csv-count 4 "$tmp/ragged.out"
expect_grep ragged-csv-short '"id":"r2","line":3,"error":"row has 2 fields, header has 3"' "$tmp/ragged.out"
expect_grep ragged-csv-long '"line":4,"error":"row has 4 fields, header has 3"' "$tmp/ragged.out"
expect_grep ragged-csv-last '^{"id":"r4","level":"none"' "$tmp/ragged.out"

# An unbalanced quote: the record where it starts is reported; earlier ones screened.
"$RF" screen -o jsonl tests/cli/data/unbalanced.csv > "$tmp/unbal.out" 2>/dev/null
expect_exit unbalanced-quote-exit 2 $?
expect_grep unbalanced-quote-first '^{"id":"u1","level":"none"' "$tmp/unbal.out"
expect_grep unbalanced-quote-error '"line":3,"error":"unterminated quoted field' "$tmp/unbal.out"

# Bad usage.
"$RF" screen --output pdf tests/cli/data/bad.jsonl > /dev/null 2>&1
expect_exit bad-output-format 2 $?
"$RF" frobnicate > /dev/null 2>&1
expect_exit unknown-command 2 $?
"$RF" screen --map nonsense tests/cli/data/ragged.csv > /dev/null 2>&1
expect_exit bad-map 2 $?

# A party kind the matcher does not know: that record is reported with the field and value.
printf '{"id":"k1","supplier":{"name":"Hermann","kind":"ship"}}\n{"id":"k2","supplier":{"name":"Hermann","kind":"person"}}\n' \
    | "$RF" screen -o jsonl > "$tmp/kind.out" 2> "$tmp/kind.err"
expect_exit bad-kind-exit 2 $?
expect_grep bad-kind-message '<stdin>:1: supplier.kind: expected organisation, company, person, vessel or aircraft, got string "ship"' "$tmp/kind.err"
expect_grep bad-kind-next-screened '^{"id":"k2","level":"[a-z]*","score"' "$tmp/kind.out"
