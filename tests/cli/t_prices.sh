# Bad prices: a negative one is a bad record (exit 2, file and line, the rest
# screened); a zero one is flagged by the price_zero rule. CSV output carries no
# raw control character from the input.

{ printf '{"id": "NEG", "item": {"description": "nitrile gloves", "unit_price": -0.021}}\n'
  printf '{"id": "ZERO", "item": {"description": "nitrile gloves", "unit_price": 0}}\n'
  printf '{"id": "ESC", "text": "Workers paid a recruitment fee \\u001b[2J\\u0007 to the agent."}\n'; } > "$tmp/prices.jsonl"
"$RF" screen --no-lists -o jsonl "$tmp/prices.jsonl" > "$tmp/prices.out" 2> "$tmp/prices.err"
expect_exit prices-negative-exit-2 2 $?
expect_grep prices-negative-message "prices.jsonl:1: item.unit_price is negative: \"-0.021\"; a price cannot be below zero" "$tmp/prices.err"
expect_grep prices-negative-error-line '^{"id":"NEG","line":1,"error":"item.unit_price is negative' "$tmp/prices.out"
expect_grep prices-zero-flagged '^{"id":"ZERO","level":"low",.*"rule":"price_zero"' "$tmp/prices.out"
expect_lines prices-no-record-lost 3 "$tmp/prices.out"
"$RF" screen --no-lists -o csv "$tmp/prices.jsonl" > "$tmp/prices.csv" 2> /dev/null
if LC_ALL=C grep -q "$(printf '[\033\007]')" "$tmp/prices.csv"; then bad csv-no-control "ESC or BEL in the CSV output"; else ok csv-no-control; fi
expect_grep csv-control-replaced 'recruitment fee ?\[2J? to the agent' "$tmp/prices.csv"
