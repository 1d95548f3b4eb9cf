#!/bin/sh
# Screen the bundled examples with the given redflag binary and print each as a
# table under a heading. Run by `make demo`; usage: sh scripts/demo.sh ./redflag
#
# `redflag screen` exits 1 when a record reaches the --fail-on level (default
# high). The examples contain such records on purpose, so 0 and 1 both count as
# success here; any other exit code (2 input, 3 rules, 4 I/O) fails the demo.
set -u

BIN=${1:-./redflag}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

case $BIN in
  */*) ;;
  *) BIN=$(command -v "$BIN" || echo "$BIN") ;;
esac
if [ ! -x "$BIN" ]; then
  echo "demo: $BIN is not an executable; build it with 'make redflag'" >&2
  exit 2
fi

status=0

# screen_one TITLE FILE: print a heading, screen FILE as a table, check the exit code.
screen_one() {
  title=$1
  file=$2
  printf '\n== %s (%s)\n\n' "$title" "${file#"$ROOT"/}"
  "$BIN" screen -o table --rules "$ROOT/rules" "$file"
  rc=$?
  case $rc in
    0) printf '\n(exit 0: no record reached the --fail-on level)\n' ;;
    1) printf '\n(exit 1: at least one record reached the --fail-on level, as expected here)\n' ;;
    *) printf '\ndemo: redflag screen %s failed with exit code %s\n' "$file" "$rc" >&2
       status=1 ;;
  esac
}

screen_one "Purchase orders" "$ROOT/examples/orders.jsonl"
screen_one "Supplier list" "$ROOT/examples/suppliers.csv"

if [ "$status" -ne 0 ]; then
  echo "demo: FAILED" >&2
fi
exit "$status"
