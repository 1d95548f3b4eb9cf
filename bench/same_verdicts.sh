#!/bin/sh
# Compare the verdicts of this build with those of an earlier release, byte for
# byte, on the examples and on generated bench orders: rules only, with the
# lists uncached, and with the cache cold and warm. A refactoring must not
# change one byte; a change of behaviour shows here as a diff to review.
#   sh bench/same_verdicts.sh ./redflag [REF]     (make same-verdicts)
# REF (default: the last commit before the screener refactoring) is built in a
# temporary git worktree. Environment: SAME_N (bench records, default 10000).
set -eu
BIN=${1:?usage: sh bench/same_verdicts.sh path/to/redflag [REF]}
REF=${2:-9ae9c04}
N=${SAME_N:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
cd "$ROOT"
if ! git rev-parse -q --verify "$REF^{commit}" > /dev/null; then
  echo "same-verdicts: $REF is not in this clone's history; nothing to compare" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/ref" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/ref" "$REF"
echo "same-verdicts: building $REF" >&2
make -C "$tmp/ref" -j2 redflag > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
OLD=$tmp/ref/redflag
python3 bench/gen.py "$N" 7 > "$tmp/orders.jsonl"
set -- examples/orders.jsonl examples/suppliers.csv examples/orders/peppol-order.xml \
       examples/orders/ocds-record-package.json examples/orders/eforms-award-notice.xml \
       "$tmp/orders.jsonl"
export NO_COLOR=1 REDFLAG_RULES="$ROOT/rules" REDFLAG_FEEDS="$ROOT/feeds/feeds.conf"
unset REDFLAG_CACHE
fails=0 checks=0
# run TAG BIN DATA ARGS... FILE: one run's verdicts into $tmp/TAG.
run() {
  tag=$1 bin=$2 data=$3
  shift 3
  "$bin" screen -o jsonl --fail-on none --data "$data" "$@" > "$tmp/$tag" 2> /dev/null || true
}
for f in "$@"; do
  for mode in no-lists no-cache cache; do
    case $mode in
      no-lists) args=--no-lists ;;
      no-cache) args=--no-cache ;;
      cache) args= ;;
    esac
    # each binary with its own data directory, so each builds its own index and cache
    run old "$OLD" "$tmp/data-old" $args "$f"
    run new "$BIN" "$tmp/data-new" $args "$f"
    checks=$((checks + 1))
    if cmp -s "$tmp/old" "$tmp/new"; then :; else
      fails=$((fails + 1))
      echo "same-verdicts: DIFFER on $f ($mode):" >&2
      diff "$tmp/old" "$tmp/new" | head -5 >&2
    fi
    if [ "$mode" = cache ]; then # and warm
      run old "$OLD" "$tmp/data-old" "$f"
      run new "$BIN" "$tmp/data-new" "$f"
      checks=$((checks + 1))
      cmp -s "$tmp/old" "$tmp/new" || { fails=$((fails + 1)); echo "same-verdicts: DIFFER on $f (warm cache)" >&2; }
    fi
  done
done
lines=$(wc -l < "$tmp/new")
echo "same-verdicts: $((checks - fails)) of $checks runs byte-identical to $REF ($lines verdicts in the last)"
[ "$fails" = 0 ]
