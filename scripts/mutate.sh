#!/bin/sh
# Mutation check (`make mutate`): apply each mutant of tests/mutants/mutants.tsv to a
# scratch copy of the tree, rebuild, run the mutant's tests, and report which mutants
# the tests kill. The real tree is never modified.
#
# mutants.tsv: one mutant per line, tab-separated:
#   id  file  anchor  replacement  tests  note
# anchor is exact text that must occur exactly once in file; {tab} and {nl} in anchor and
# replacement stand for a tab and a newline. tests are space-separated: unit:test_x runs
# build/tests/test_x, cli:t_x runs tests/cli/t_x.sh. A note starting with "equivalent:"
# marks a mutant no test can kill (the reason follows); it is applied but not scored.
# Lines starting with # and blank lines are ignored.
#
# MUTATE_ONLY=id,id runs only those; MUTATE_SAMPLE=N runs a random sample of N;
# MUTATE_TIMEOUT=s bounds each test run (default 300); MUTATE_JOBS=n for the first build.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
list=${MUTATE_LIST:-$top/tests/mutants/mutants.tsv}
work=$top/build/mutate
tree=$work/tree
tmo=${MUTATE_TIMEOUT:-300}
jobs=${MUTATE_JOBS:-2}

[ -f "$list" ] || { echo "mutate: no mutant list $list" >&2; exit 2; }
command -v python3 >/dev/null || { echo "mutate: python3 is needed" >&2; exit 2; }

# The mutants to run: every line, or the ids in MUTATE_ONLY, or a sample.
mkdir -p "$work"
sel=$work/selected.tsv
grep -v '^#' "$list" | grep -v '^[[:space:]]*$' > "$work/all.tsv"
if [ -n "${MUTATE_ONLY:-}" ]; then
  awk -F '\t' -v ids=",$MUTATE_ONLY," 'index(ids, "," $1 ",") > 0' "$work/all.tsv" > "$sel"
elif [ -n "${MUTATE_SAMPLE:-}" ]; then
  shuf -n "$MUTATE_SAMPLE" "$work/all.tsv" > "$sel"
else
  cp "$work/all.tsv" "$sel"
fi
total=$(wc -l < "$sel" | tr -d ' ')
[ "$total" -gt 0 ] || { echo "mutate: no mutant selected" >&2; exit 2; }

# One scratch copy of the tree as it is (tracked and new files, build/ excluded), built once.
echo "mutate: copying the tree to $tree"
rm -rf "$tree" && mkdir -p "$tree"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar cf - 2>/dev/null) \
  | (cd "$tree" && tar xf -) || { echo "mutate: copy failed" >&2; exit 2; }
echo "mutate: building the scratch tree"
if ! make -C "$tree" -j"$jobs" --no-print-directory redflag build/libredflag.a > "$work/build.log" 2>&1; then
  echo "mutate: the unmutated tree does not build, see $work/build.log" >&2; exit 2
fi

# run_tests TESTS LOG: build what the tests need and run them; prints build|test|ok.
run_tests() {
  for t in $1; do
    case $t in
      unit:*) target=build/tests/${t#unit:} ;;
      cli:*) target=redflag ;;
      *) echo "unknown test $t" >> "$2"; echo broken; return ;;
    esac
    if ! make -C "$tree" --no-print-directory "$target" >> "$2" 2>&1; then echo build; return; fi
  done
  for t in $1; do
    case $t in
      unit:*) (cd "$tree" && RF_SRCDIR=$tree timeout "$tmo" ./build/tests/${t#unit:}) >> "$2" 2>&1 ;;
      cli:*) (cd "$tree" && REDFLAG=$tree/redflag timeout "$tmo" sh tests/cli/run.sh ${t#cli:}) >> "$2" 2>&1 ;;
    esac
    if [ $? != 0 ]; then echo "test $t"; return; fi
  done
  echo ok
}

# Baseline: every selected mutant's tests must pass on the unmutated tree.
echo "mutate: checking the tests pass unmutated"
cut -f5 "$sel" | tr ' ' '\n' | sort -u | grep -v '^$' > "$work/tests.txt"
: > "$work/baseline.log"
for t in $(cat "$work/tests.txt"); do
  r=$(run_tests "$t" "$work/baseline.log")
  [ "$r" = ok ] || { echo "mutate: $t fails unmutated ($r), see $work/baseline.log" >&2; exit 2; }
done

killed=0 survived=0 broken=0 equiv=0 n=0
: > "$work/survivors.txt"; : > "$work/results.tsv"
tab=$(printf '\t')
# field ID N: the Nth field of mutant ID (awk keeps empty fields).
field() { awk -F '\t' -v id="$1" -v n="$2" '$1 == id { print $n; exit }' "$sel"; }
for id in $(cut -f1 "$sel"); do
  n=$((n + 1))
  file=$(field "$id" 2); tests=$(field "$id" 5); note=$(field "$id" 6)
  log=$work/log/$id.log; mkdir -p "$work/log"; : > "$log"
  src=$tree/$file
  if [ -z "$file" ] || ! cp "$src" "$work/orig" 2>/dev/null; then
    echo "[$n/$total] $id BROKEN: no file '$file'"; broken=$((broken + 1)); continue
  fi
  # Apply: the anchor must occur exactly once.
  if ! python3 "$top/scripts/mutate_apply.py" "$sel" "$id" "$src" >> "$log" 2>&1; then
    echo "[$n/$total] $id BROKEN: $(tail -1 "$log")"; broken=$((broken + 1)); continue
  fi
  r=$(run_tests "$tests" "$log" < /dev/null)
  cp "$work/orig" "$src" && touch "$src"
  case $note in equivalent:*) eq=1 ;; *) eq=0 ;; esac
  case $r in
    build) how="killed (build failed)" ;;
    test*) how="killed (${r#test } failed)" ;;
    broken) how=BROKEN ;;
    *) how=survived ;;
  esac
  if [ $eq = 1 ]; then equiv=$((equiv + 1)); how="$how, equivalent"
  elif [ "$how" = BROKEN ]; then broken=$((broken + 1))
  elif [ "$how" = survived ]; then
    survived=$((survived + 1)); printf '%s\t%s\t%s\n' "$id" "$file" "$note" >> "$work/survivors.txt"
  else killed=$((killed + 1)); fi
  printf '%s\t%s\n' "$id" "$how" >> "$work/results.tsv"
  echo "[$n/$total] $id $how"
done

valid=$((killed + survived))
if [ $valid -gt 0 ]; then pct=$((100 * killed / valid)); else pct=0; fi
echo "mutation score: $killed killed / $valid valid mutants = $pct% ($survived survived, $equiv equivalent, $broken broken)"
if [ $survived -gt 0 ]; then
  echo "survivors:"
  while IFS="$tab" read -r id file note; do echo "  $id ($file): $note"; done < "$work/survivors.txt"
fi
[ $broken = 0 ] && [ $survived = 0 ]
