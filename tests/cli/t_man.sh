# The documentation that must follow the code: redflag(1) documents every
# subcommand, every long option and every environment variable that
# `redflag CMD --help` prints; redflag-rules(5) every statement of docs/RULES.md;
# the bash completion offers every subcommand and long option; docs/INDICATORS.md
# describes every indicator id the rule compiler accepts. Both pages lint clean.

# help_cmds TEXT_FILE: the words listed as "  word   description" (subcommands).
help_cmds() { sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$1"; }
# help_longs TEXT_FILE: every --long-option the text mentions.
help_longs() { grep -o -- '--[a-z][a-z-]*' "$1" | sort -u; }
# has_word WORD FILE: WORD occurs in FILE, not as part of a longer option or word.
has_word() { grep -q -- "$1\([^a-z_-]\|$\)" "$2"; }

if ! command -v mandoc >/dev/null 2>&1; then
  bad man-mandoc "mandoc is not installed (sh scripts/deps.sh installs it)"
else
  # Lint: no warning or error (STYLE notes, e.g. an uninstalled cross-reference, are not counted).
  for page in man/redflag.1 man/redflag-rules.5; do
    if mandoc -T lint -W warning "$page" > "$tmp/lint" 2>&1; then ok "man-lint-$page"
    else bad "man-lint-$page" "$(head -3 "$tmp/lint")"; fi
  done
  bs=$(printf '\b')
  mandoc -T ascii man/redflag.1 | sed "s/.$bs//g" > "$tmp/man1.txt"
  mandoc -T ascii man/redflag-rules.5 | sed "s/.$bs//g" > "$tmp/man5.txt"
  expect_grep man1-renders '^     redflag screen' "$tmp/man1.txt"

  "$RF" --help > "$tmp/help.txt" 2>&1
  cmds=$(help_cmds "$tmp/help.txt")
  [ "$(echo "$cmds" | wc -w)" -ge 8 ] && ok man-help-commands || bad man-help-commands "only: $cmds"
  for c in $cmds; do
    # The SYNOPSIS has a line for the command, COMMANDS an entry.
    expect_grep "man-synopsis-$c" "^     redflag $c\\b" "$tmp/man1.txt"
    "$RF" "$c" --help > "$tmp/help-$c.txt" 2>&1
    for o in $(help_longs "$tmp/help-$c.txt"); do
      if has_word "$o" "$tmp/man1.txt"; then ok "man-$c$o"; else bad "man-$c$o" "redflag $c --help prints $o; man/redflag.1 does not document it"; fi
    done
    # Sub-subcommands (rules check|list|test, cache stats|clear).
    for s in $(help_cmds "$tmp/help-$c.txt"); do
      expect_grep "man-$c-$s" "redflag $c $s\\b\\|^     $c $s\\b" "$tmp/man1.txt"
    done
    for v in $(grep -o 'REDFLAG_[A-Z_]*[A-Z]' "$tmp/help-$c.txt" | sort -u); do
      expect_grep "man-env-$v" "^     $v\$" "$tmp/man1.txt"
    done
  done
  for v in REDFLAG_DATA REDFLAG_RULES REDFLAG_FEEDS REDFLAG_CACHE NO_COLOR; do
    expect_grep "man-env-$v-read" "^     $v\$" "$tmp/man1.txt"
    # ... and the code does read it (so the list above is not stale either).
    if grep -q "getenv(\"$v\")" src/cli/*.c; then ok x; else bad "man-env-$v-used" "no getenv(\"$v\") in src/cli"; fi
  done
  for sect in 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES; do
    expect_grep "man-section-$sect" "^$sect\$" "$tmp/man1.txt"
  done
  for code in 0 1 2 3 4; do
    expect_grep "man-exit-$code" "^     $code  " "$tmp/man1.txt"
  done

  # redflag-rules(5): every statement of the table in docs/RULES.md.
  stmts=$(sed -n 's/^| `\([a-z][a-z]*\)[ `].*/\1/p' docs/RULES.md | sort -u)
  [ "$(echo "$stmts" | wc -w)" -ge 10 ] && ok man5-statements || bad man5-statements "only: $stmts"
  for s in $stmts rule set; do
    expect_grep "man5-$s" "^     $s\\b" "$tmp/man5.txt"
  done
fi

# The bash completion offers every subcommand, every long option, and the formats.
if bash -n completion/redflag.bash 2> "$tmp/bash-n"; then ok completion-syntax; else bad completion-syntax "$(cat "$tmp/bash-n")"; fi
# complete WORD...: what the completion offers for the command line WORD... (last word being typed).
complete_line() {
  bash -c '. completion/redflag.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _redflag
           printf "%s\n" "${COMPREPLY[@]}"' redflag-complete "$@"
}
"$RF" --help > "$tmp/help.txt" 2>&1
complete_line redflag "" > "$tmp/comp"
for c in $(help_cmds "$tmp/help.txt"); do
  expect_grep "completion-cmd-$c" "^$c\$" "$tmp/comp"
  "$RF" "$c" --help > "$tmp/help-$c.txt" 2>&1
  subs=$(help_cmds "$tmp/help-$c.txt")
  if [ -n "$subs" ]; then
    complete_line redflag "$c" "" > "$tmp/comp-$c"
    for s in $subs; do expect_grep "completion-$c-$s" "^$s\$" "$tmp/comp-$c"; done
    complete_line redflag "$c" "$(echo "$subs" | head -1)" -- > "$tmp/comp-$c"
  else
    complete_line redflag "$c" -- > "$tmp/comp-$c"
  fi
  for o in $(help_longs "$tmp/help-$c.txt"); do
    expect_grep "completion-$c$o" "^$o\$" "$tmp/comp-$c"
  done
done
complete_line redflag screen -o "" > "$tmp/comp"
for f in jsonl csv table html; do expect_grep "completion-screen-o-$f" "^$f\$" "$tmp/comp"; done
complete_line redflag screen --from "" > "$tmp/comp"
for f in auto jsonl csv ubl ocds eforms; do expect_grep "completion-from-$f" "^$f\$" "$tmp/comp"; done
complete_line redflag audit --fail-on "" > "$tmp/comp"
for l in low medium high critical none; do expect_grep "completion-fail-on-$l" "^$l\$" "$tmp/comp"; done
complete_line redflag fetch --feed us_u > "$tmp/comp"
expect_grep completion-feed-name '^us_uflpa$' "$tmp/comp"
complete_line redflag lookup -o j > "$tmp/comp"
expect_lines completion-lookup-o 1 "$tmp/comp"

# docs/INDICATORS.md describes every indicator id the rule compiler accepts.
ids=$(sed -n '/^static const char \*const builtin\[\] = {/,/^};/p' src/lib/rules_indicator.c |
      grep -o '"[a-z_]*"' | tr -d '"')
[ "$(echo "$ids" | wc -w)" -ge 20 ] && ok indicators-parsed || bad indicators-parsed "only: $ids"
for id in $ids; do
  expect_grep "indicators-doc-$id" "^| \`$id\` |" docs/INDICATORS.md
done
