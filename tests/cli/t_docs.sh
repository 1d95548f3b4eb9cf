# Procurement documents (UBL / PEPPOL orders, OCDS, eForms): every real sample
# screens without an error line (non-order UBL documents give one clear
# "unsupported document type" error), -f overrides detection, malformed and
# hostile XML give one error line and exit 2.

docs=tests/fixtures/docs

# FILE RECORDS: screened, one verdict per record, no error line, exit 0 or 1.
for spec in \
  orders/ubl/UBL-Order-2.1-Example.xml:2 orders/ubl/UBL-Order-2.0-Example.xml:1 \
  orders/ubl/UBL-Order-2.0-Example-International.xml:1 orders/ubl/CENBII-Order-minimal.xml:1 \
  orders/ubl/UBL-OrderChange-2.1-Example.xml:1 orders/ubl/UBL-OrderResponse-2.1-Example.xml:2 \
  orders/peppol/poacc_Order_Example.xml:2 orders/peppol/poacc_UC1_Order.xml:3 \
  orders/peppol/poacc_OrderChange_Example.xml:2 orders/peppol/poacc_OrderResponse_Example.xml:5 \
  orders/peppol/poacc_OrderAgreement_Example.xml:2 \
  tenders/ocds/ocds_1.1_release_package_all.json:6 tenders/ocds/ocds_1.1_release_package_tender.json:1 \
  tenders/ocds/ocds_1.1_release_package_award.json:1 tenders/ocds/ocds_1.1_record_package.json:1 \
  tenders/ocds/real_cdmx_release_package.json:2 tenders/ocds/real_mx_datosgob_record_package.json:2 \
  tenders/ocds/real_py_dncp_record_package.json:1 \
  tenders/eforms/can_24_minimal.xml:1 tenders/eforms/can_24_maximal.xml:4 \
  tenders/eforms/can-modif_24_value.xml:1 tenders/eforms/cn_24_minimal.xml:1 \
  tenders/eforms/cn_24_maximal.xml:2 tenders/eforms/cn_24_open.xml:1 \
  tenders/eforms/change-cn_24_cumbria_suppliers.xml:1 tenders/eforms/pin-only_24.xml:1; do
  f=${spec%:*} n=${spec##*:} name=$(basename "$f")
  "$RF" screen -o jsonl "$docs/$f" > "$tmp/doc.out" 2> "$tmp/doc.err"
  rc=$?
  if [ "$rc" -le 1 ]; then ok "doc-exit-$name"; else bad "doc-exit-$name" "exit $rc: $(head -2 "$tmp/doc.err")"; fi
  if grep -q '"error"' "$tmp/doc.out"; then bad "doc-no-error-$name" "$(grep '"error"' "$tmp/doc.out" | head -1)"; else ok x; fi
  expect_lines "doc-records-$name" "$n" "$tmp/doc.out"
done

# Not orders: one error line naming the type and the file, exit 2.
for spec in orders/ubl/UBL-Invoice-2.1-Example.xml:Invoice \
  orders/ubl/UBL-OrderCancellation-2.1-Example.xml:OrderCancellation \
  orders/peppol/poacc_OrderCancellation_Example.xml:OrderCancellation \
  orders/peppol/poacc_DespatchAdvice_Example.xml:DespatchAdvice \
  orders/peppol/poacc_Catalogue_Example.xml:Catalogue \
  orders/peppol/bis3_invoice_base-example.xml:Invoice \
  orders/peppol/bis3_invoice_Allowance-example.xml:Invoice; do
  f=${spec%:*} type=${spec##*:} name=$(basename "$f")
  "$RF" screen -o jsonl "$docs/$f" > "$tmp/doc.out" 2> "$tmp/doc.err"
  expect_exit "refused-exit-$name" 2 $?
  expect_lines "refused-one-line-$name" 1 "$tmp/doc.out"
  expect_grep "refused-message-$name" "\"error\":\"unsupported document type $type (supported: Order, OrderChange, OrderResponse, OCDS, eForms) in $docs/$f\"" "$tmp/doc.out"
done

# Field values reach the verdicts: the PEPPOL example's ids and lines.
"$RF" screen -o jsonl examples/orders/peppol-order.xml > "$tmp/peppol.out" 2>&1
expect_grep peppol-first-line '^{"id":"34/1",' "$tmp/peppol.out"
expect_grep peppol-second-line '^{"id":"34/2",' "$tmp/peppol.out"
"$RF" screen -o jsonl examples/orders/eforms-award-notice.xml > "$tmp/ef.out" 2>&1
expect_grep eforms-winner-id '^{"id":"65667997-031a-4198-bd25-7225449ef479/LOT-0000/ORG-0004",' "$tmp/ef.out"

# Several documents in one run, and a document on stdin.
"$RF" screen -o jsonl examples/orders/peppol-order.xml examples/orders/ocds-record-package.json \
  examples/orders/eforms-award-notice.xml > "$tmp/many.out" 2>/dev/null
expect_lines docs-several-files 4 "$tmp/many.out"
"$RF" screen -o jsonl < examples/orders/ocds-record-package.json > "$tmp/stdin.out" 2>/dev/null
expect_grep docs-stdin '^{"id":"ocds-03ad3f-193399/' "$tmp/stdin.out"

# -f overrides detection; a document of another kind is one clear error.
"$RF" screen -o jsonl -f eforms examples/orders/eforms-award-notice.xml > "$tmp/f.out" 2>&1
expect_exit f-eforms-exit 0 $?
"$RF" screen -o jsonl -f ubl examples/orders/eforms-award-notice.xml > "$tmp/f.out" 2>/dev/null
expect_exit f-ubl-on-eforms-exit 2 $?
expect_grep f-ubl-on-eforms-message 'is not a UBL order: its root element is ContractAwardNotice' "$tmp/f.out"
"$RF" screen -o jsonl -f ocds examples/orders/ocds-record-package.json > "$tmp/f.out" 2>&1
expect_lines f-ocds 1 "$tmp/f.out"
"$RF" screen -o jsonl -f peppol examples/orders/peppol-order.xml > "$tmp/f.out" 2>&1
expect_lines f-peppol 2 "$tmp/f.out"

# Malformed XML: one error line with the file and line, exit 2.
sed 's#</cbc:Name>#</cbc:Nom>#' examples/orders/peppol-order.xml > "$tmp/broken.xml"
"$RF" screen -o jsonl "$tmp/broken.xml" > "$tmp/broken.out" 2> "$tmp/broken.err"
expect_exit malformed-xml-exit 2 $?
expect_lines malformed-xml-one-line 1 "$tmp/broken.out"
expect_grep malformed-xml-line '"line":62,"error":"not well-formed XML in .*broken.xml at line 62' "$tmp/broken.out"
expect_grep malformed-xml-stderr 'broken.xml:62: not well-formed XML' "$tmp/broken.err"

# Malformed OCDS JSON: one error line with its line, exit 2.
sed '4s/,$/,,/' $docs/tenders/ocds/ocds_1.1_release_package_tender.json > "$tmp/broken.json"
"$RF" screen -o jsonl "$tmp/broken.json" > "$tmp/bj.out" 2>/dev/null
expect_exit malformed-json-exit 2 $?
expect_lines malformed-json-one-line 1 "$tmp/bj.out"
expect_grep malformed-json-line '"line":4,"error":"invalid JSON in .*broken.json at line 4' "$tmp/bj.out"

# Billion laughs and an external entity: refused, nothing from /etc/passwd.
{ printf '<?xml version="1.0"?>\n<!DOCTYPE Order [\n <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
  for e in b c d e f g h i; do
    p=$(printf '%s' abcdefghi | sed "s/$e.*//" | tail -c 1)
    printf ' <!ENTITY %s "' "$e"; for k in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$p"; done; printf '">\n'
  done
  printf ']>\n'
  sed 1d examples/orders/peppol-order.xml | sed 's#<cbc:Note>Information text for the whole order</cbc:Note>#<cbc:Note>\&i;</cbc:Note>#'
} > "$tmp/laughs.xml"
"$RF" screen -o jsonl "$tmp/laughs.xml" > "$tmp/laughs.out" 2>/dev/null
expect_exit laughs-exit 2 $?
expect_lines laughs-one-line 1 "$tmp/laughs.out"
expect_grep laughs-refused 'DOCTYPE declaration refused' "$tmp/laughs.out"
{ printf '<?xml version="1.0"?>\n<!DOCTYPE Order [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
  sed 1d examples/orders/peppol-order.xml | sed 's#<cbc:Note>Information text for the whole order</cbc:Note>#<cbc:Note>\&xxe;</cbc:Note>#'
} > "$tmp/xxe.xml"
"$RF" screen -o jsonl "$tmp/xxe.xml" > "$tmp/xxe.out" 2>&1
expect_exit xxe-exit 2 $?
expect_grep xxe-refused 'DOCTYPE declaration refused' "$tmp/xxe.out"
if grep -q 'root:' "$tmp/xxe.out"; then bad xxe-no-leak "/etc/passwd content in the output"; else ok x; fi
