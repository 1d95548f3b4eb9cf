# Screening the examples: stable verdicts, formats, --fail-on, write errors.

"$RF" screen -o jsonl examples/orders.jsonl > "$tmp/orders.jsonl" 2> "$tmp/orders.err"
expect_exit orders-exit-flagged 1 $?
expect_file orders-jsonl orders.jsonl "$tmp/orders.jsonl"
in=$(grep -c . examples/orders.jsonl)
expect_lines orders-one-line-per-record "$in" "$tmp/orders.jsonl"

"$RF" screen -o jsonl examples/suppliers.csv > "$tmp/suppliers.jsonl" 2> "$tmp/suppliers.err"
expect_exit suppliers-exit-flagged 1 $?
expect_file suppliers-jsonl suppliers.jsonl "$tmp/suppliers.jsonl"

"$RF" screen -o table examples/orders.jsonl > "$tmp/orders.table" 2>&1
expect_file orders-table orders.table "$tmp/orders.table"
if grep -q "$(printf '\033')" "$tmp/orders.table"; then bad table-no-escapes "escape codes with NO_COLOR"; else ok x; fi

"$RF" screen -o csv examples/orders.jsonl > "$tmp/orders.csv" 2>&1
expect_file orders-csv orders.csv "$tmp/orders.csv"

# stdin, '-' and the default input are the same.
"$RF" screen -o jsonl < examples/orders.jsonl > "$tmp/stdin.jsonl" 2>/dev/null
expect_file stdin-same-as-file orders.jsonl "$tmp/stdin.jsonl"
"$RF" screen -o jsonl - < examples/orders.jsonl > "$tmp/dash.jsonl" 2>/dev/null
expect_file dash-same-as-file orders.jsonl "$tmp/dash.jsonl"

# --fail-on: the examples hold a critical record → 1; none → never fails.
"$RF" screen -o jsonl --fail-on critical examples/orders.jsonl > /dev/null 2>&1
expect_exit fail-on-critical 1 $?
grep -E 'PO-2026-01(02|03|04|06|08)/' examples/orders.jsonl | "$RF" screen -o jsonl --fail-on critical > /dev/null 2>&1
expect_exit fail-on-critical-none-reached 0 $?
"$RF" screen -o jsonl --fail-on none examples/orders.jsonl > /dev/null 2>&1
expect_exit fail-on-none 0 $?
printf '{"id":"c","text":"Office chairs, delivered in March."}\n' | "$RF" screen -o jsonl --fail-on low > "$tmp/clean.out"
expect_exit clean-record-exit-0 0 $?
expect_grep clean-record-level '"level":"none","score":0' "$tmp/clean.out"
"$RF" screen -o jsonl --fail-on urgent examples/orders.jsonl > /dev/null 2>&1
expect_exit fail-on-bad-level 2 $?

# Spreadsheet formulas are neutralised in CSV output.
"$RF" screen -o csv tests/cli/data/formula.jsonl > "$tmp/formula.csv" 2>/dev/null
expect_grep csv-formula-neutralised "^\"\?'=HYPERLINK" "$tmp/formula.csv"

# Failing to write stdout is an error (exit 4).
"$RF" screen -o jsonl examples/orders.jsonl > /dev/full 2>/dev/null
expect_exit write-error-exit-4 4 $?

# --map reads an unusual column.
printf 'Ref,Vendor,Audit remarks\nm1,Acme Test Ltd,Passports are kept by the employer.\n' > "$tmp/map.csv"
"$RF" screen -o jsonl --map text="Audit remarks" "$tmp/map.csv" > "$tmp/map.out" 2>/dev/null
expect_grep map-column-used '"indicator":"identity_documents_retained"' "$tmp/map.out"

"$RF" --version > "$tmp/version" 2>&1
expect_grep version "^redflag $(cat VERSION)$" "$tmp/version"
