#!/bin/sh
# CLI tests: run redflag on inputs and compare exit codes and output with
# expected files (in the spirit of jq's tests/shtest). REDFLAG names the binary.
# UPDATE=1 rewrites the expected files (review the diff before committing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RF=${REDFLAG:-$top/redflag}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cd "$top" || exit 2
# The expected outputs are uncached verdicts ("cached": false); t_cache.sh turns
# the cache on where it tests it. The rules and feed list come from the checkout
# (a sanitizer build's binary lives in build/san/, away from them).
export NO_COLOR=1 REDFLAG_RULES="$top/rules" REDFLAG_DATA="$tmp/default-data" \
       REDFLAG_FEEDS="$top/feeds/feeds.conf" REDFLAG_CACHE=off
unset XDG_DATA_HOME

# ok NAME: record a passed check.
ok() { pass=$((pass + 1)); }
# bad NAME MSG: record a failed check and say why.
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# expect_exit NAME WANT GOT
expect_exit() {
  if [ "$3" = "$2" ]; then ok "$1"; else bad "$1" "exit code $3, wanted $2"; fi
}

# expect_file NAME EXPECTED ACTUAL: compare with an expected file.
expect_file() {
  if [ "${UPDATE:-0}" = 1 ]; then cp "$3" "$here/expected/$2"; fi
  if diff -u "$here/expected/$2" "$3" > "$tmp/diff" 2>&1; then ok "$1"
  else bad "$1" "output differs from tests/cli/expected/$2"; head -40 "$tmp/diff"; fi
}

# expect_grep NAME PATTERN FILE: FILE has a line matching PATTERN.
expect_grep() {
  if grep -q -- "$2" "$3"; then ok "$1"; else bad "$1" "no line matching '$2' in $(basename "$3")"; sed 's/^/    /' "$3" | head -10; fi
}

# expect_lines NAME N FILE: FILE has exactly N lines.
expect_lines() {
  n=$(wc -l < "$3" | tr -d ' ')
  if [ "$n" = "$2" ]; then ok "$1"; else bad "$1" "$n lines, wanted $2"; fi
}

# Run every t_*.sh, or only those named: run.sh t_feeds t_screen
if [ $# -gt 0 ]; then tests=$(for n in "$@"; do echo "$here/$n.sh"; done); else tests=$(ls "$here"/t_*.sh); fi
for t in $tests; do
  . "$t"
done

echo "cli: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
