# Spreadsheet exports as procurement offices have them (tests/fixtures/office,
# written by LibreOffice from one supplier list in English, German and French
# locales): every export screens to the same verdicts as the English CSV; bad
# rows are one error line each; forced options; a closed pipe ends quietly;
# lookup without a match says so.

off=tests/fixtures/office
"$RF" screen --no-lists -o jsonl "$off/suppliers-en.csv" > "$tmp/office-en.out" 2> "$tmp/office-en.err"
expect_exit office-en-exit 1 $?
expect_lines office-en-records 12 "$tmp/office-en.out"
if grep -q '"error"' "$tmp/office-en.out"; then bad office-en-clean "$(grep '"error"' "$tmp/office-en.out" | head -1)"; else ok x; fi
expect_grep office-en-critical '^{"id":"SUP-0001","level":"critical"' "$tmp/office-en.out"
for f in suppliers-en-pipe.csv suppliers-de.csv suppliers-de-utf16.txt suppliers-fr.csv \
         suppliers-fr-latin1.csv suppliers-en.xlsx suppliers-de.xlsx; do
  "$RF" screen --no-lists -o jsonl "$off/$f" > "$tmp/office.out" 2> "$tmp/office.err"
  expect_exit "office-exit-$f" 1 $?
  if cmp -s "$tmp/office-en.out" "$tmp/office.out"; then ok x
  else bad "office-same-verdicts-$f" "differs from suppliers-en.csv"; diff "$tmp/office-en.out" "$tmp/office.out" | head -4; fi
  if grep -q 'error' "$tmp/office.err"; then bad "office-no-error-$f" "$(head -2 "$tmp/office.err")"; else ok x; fi
done
"$RF" screen --no-lists -o jsonl "$off/suppliers-de.csv" 2> "$tmp/office.err" > /dev/null
expect_grep office-cp1252-detected 'suppliers-de.csv: line 4 is not UTF-8: reading the input as Windows-1252' "$tmp/office.err"
# the workbook from a pipe (no seeking: read from memory), and by -f
cat "$off/suppliers-de.xlsx" | "$RF" screen --no-lists -o jsonl > "$tmp/office.out" 2>/dev/null
expect_exit office-xlsx-stdin-exit 1 $?
if cmp -s "$tmp/office-en.out" "$tmp/office.out"; then ok x; else bad office-xlsx-stdin "verdicts differ"; fi

# forced: --encoding utf-8 on the Windows-1252 file makes its accented rows bad
# records (named by file:line), the others screened; --delimiter; bad values refused
"$RF" screen --no-lists -o jsonl --encoding utf-8 "$off/suppliers-de.csv" > "$tmp/office.out" 2> "$tmp/office.err"
expect_exit office-forced-utf8-exit 2 $?
expect_lines office-forced-utf8-lines 12 "$tmp/office.out"
expect_grep office-forced-utf8-error '{"id":"SUP-0003","line":4,"error":"column .Lieferant.: invalid UTF-8' "$tmp/office.out"
expect_grep office-forced-utf8-stderr "suppliers-de.csv:4: column 'Lieferant': invalid UTF-8" "$tmp/office.err"
expect_grep office-forced-utf8-rest '^{"id":"SUP-0001","level":"critical"' "$tmp/office.out"
"$RF" screen --no-lists -o jsonl --encoding cp1252 --delimiter semicolon "$off/suppliers-de.csv" > "$tmp/office.out" 2>/dev/null
if cmp -s "$tmp/office-en.out" "$tmp/office.out"; then ok x; else bad office-forced-cp1252 "verdicts differ"; fi
"$RF" screen --no-lists -o jsonl --delimiter tab "$off/suppliers-de-utf16.txt" > "$tmp/office.out" 2>/dev/null
if cmp -s "$tmp/office-en.out" "$tmp/office.out"; then ok x; else bad office-forced-tab "verdicts differ"; fi
"$RF" screen --no-lists --encoding no-such-charset "$off/suppliers-de.csv" > /dev/null 2> "$tmp/office.err"
expect_exit office-bad-encoding-exit 2 $?
expect_grep office-bad-encoding-msg 'unknown encoding' "$tmp/office.err"
"$RF" screen --no-lists --delimiter ab "$off/suppliers-de.csv" > /dev/null 2> "$tmp/office.err"
expect_exit office-bad-delimiter-exit 2 $?

# one bad number in the German export: one error line for its row, the rest screened
sed '5s/;4\.938,77;/;4.93.877;/' "$off/suppliers-de.csv" > "$tmp/de-bad.csv"
if cmp -s "$tmp/de-bad.csv" "$off/suppliers-de.csv"; then bad office-bad-row-setup "sed changed nothing"; fi
"$RF" screen --no-lists -o jsonl "$tmp/de-bad.csv" > "$tmp/office.out" 2> "$tmp/office.err"
expect_exit office-bad-row-exit 2 $?
expect_lines office-bad-row-lines 12 "$tmp/office.out"
expect_grep office-bad-row-error '{"id":"SUP-0004","line":5,"error":"column .Einzelpreis.: item.unit_price: expected a number, got string \\"4.93.877\\""' "$tmp/office.out"
expect_grep office-bad-row-stderr 'de-bad.csv:5: column' "$tmp/office.err"
if [ "$(grep -c '"error"' "$tmp/office.out")" = 1 ]; then ok x; else bad office-bad-row-only-one "$(grep -c '"error"' "$tmp/office.out") error lines"; fi

# XLSX sheets: the second sheet has a header only; an unknown one is named
"$RF" screen --no-lists --sheet Notes "$off/suppliers-en.xlsx" > /dev/null 2> "$tmp/office.err"
expect_exit office-sheet-notes-exit 2 $?
expect_grep office-sheet-notes-msg 'suppliers-en.xlsx: no records' "$tmp/office.err"
"$RF" screen --no-lists -o jsonl --sheet Missing "$off/suppliers-en.xlsx" > "$tmp/office.out" 2> "$tmp/office.err"
expect_exit office-sheet-missing-exit 2 $?
expect_grep office-sheet-missing-msg "suppliers-en.xlsx:1: the workbook has no sheet named 'Missing'" "$tmp/office.err"
head -c 3000 "$off/suppliers-en.xlsx" > "$tmp/cut.xlsx"
"$RF" screen --no-lists -o jsonl "$tmp/cut.xlsx" > "$tmp/office.out" 2> "$tmp/office.err"
expect_exit office-xlsx-cut-exit 2 $?
expect_grep office-xlsx-cut-msg 'cut.xlsx:1: not a readable XLSX workbook' "$tmp/office.err"

# a closed output pipe: exit 141 (as a shell reports SIGPIPE), no message
{ head -1 "$off/suppliers-en.csv"; i=0; while [ $i -lt 300 ]; do tail -n +2 "$off/suppliers-en.csv"; i=$((i + 1)); done; } > "$tmp/office-big.csv"
( "$RF" screen --no-lists -o jsonl "$tmp/office-big.csv" 2> "$tmp/office.err"; echo $? > "$tmp/office.rc" ) | head -1 > "$tmp/office.out"
expect_exit office-pipe-exit 141 "$(cat "$tmp/office.rc")"
expect_lines office-pipe-one-line 1 "$tmp/office.out"
if [ -s "$tmp/office.err" ]; then bad office-pipe-quiet "$(head -2 "$tmp/office.err")"; else ok x; fi

# lookup with no match says so, with the number of entries searched
"$RF" lookup -o table "Zzyzx Qwertyuiop Vexillar" > "$tmp/office.out" 2>/dev/null
expect_exit office-lookup-none-exit 0 $?
expect_grep office-lookup-none-table '^no match: no listed name scores 0.50 or more against "Zzyzx Qwertyuiop Vexillar" ([1-9][0-9]* entries on [1-9][0-9]* lists searched)$' "$tmp/office.out"
"$RF" lookup -o jsonl "Zzyzx Qwertyuiop Vexillar" > "$tmp/office.out" 2>/dev/null
expect_grep office-lookup-none-json '^{"query":"Zzyzx Qwertyuiop Vexillar","hits":0,"searched":[1-9][0-9]*}$' "$tmp/office.out"

# -o xlsx: a Summary and a Records sheet, one row per record (bad ones too),
# frozen header, autofilter, no cell a formula (a hostile name stays text);
# the workbook reads back through the XLSX reader
printf 'id,supplier,country,notes\nh1,"=HYPERLINK(""http://evil/"",""x"")",CN,passports are held by the employer\nh2,x,CN,"1,5"\n' > "$tmp/hostile.csv"
sed 's/;4\.938,77;/;bad;/' "$off/suppliers-de.csv" > "$tmp/de-bad2.csv"
"$RF" screen --no-lists -o xlsx "$tmp/de-bad2.csv" "$tmp/hostile.csv" > "$tmp/run.xlsx" 2>/dev/null
expect_exit office-xlsx-out-exit 2 $?
python3 - "$tmp/run.xlsx" > "$tmp/xlsx.check" 2>&1 <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
wb = z.read("xl/workbook.xml").decode()
print("sheets", re.findall(r'<sheet name="([^"]+)"', wb))
rec = z.read("xl/worksheets/sheet2.xml").decode()
summ = z.read("xl/worksheets/sheet1.xml").decode()
print("formulas", sum(s.count("<f>") + s.count("<f ") for s in (rec, summ)))
print("rows", rec.count("<row "))
print("frozen", 'state="frozen"' in rec, "autofilter", re.findall(r'<autoFilter ref="([^"]+)"', rec))
print("hostile-text", '<t>=HYPERLINK("http://evil/","x")</t>' in rec)
print("error-row", "expected a number, got string" in rec)
PY
expect_grep office-xlsx-out-sheets "^sheets \['Summary', 'Records'\]$" "$tmp/xlsx.check"
expect_grep office-xlsx-out-no-formula '^formulas 0$' "$tmp/xlsx.check"
expect_grep office-xlsx-out-rows '^rows 15$' "$tmp/xlsx.check"
expect_grep office-xlsx-out-frozen "^frozen True autofilter \['A1:L15'\]$" "$tmp/xlsx.check"
expect_grep office-xlsx-out-hostile '^hostile-text True$' "$tmp/xlsx.check"
expect_grep office-xlsx-out-error-row '^error-row True$' "$tmp/xlsx.check"
"$RF" screen --no-lists -o jsonl --sheet Records "$tmp/run.xlsx" > "$tmp/office.out" 2>/dev/null
expect_lines office-xlsx-out-reads-back 14 "$tmp/office.out"
expect_grep office-xlsx-out-reads-back-name '^{"id":"SUP-0003","level":"none"' "$tmp/office.out"
