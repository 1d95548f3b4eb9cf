#!/bin/sh
# Install test (make install-check): install into a temporary DESTDIR, check
# what landed, build examples/embed.c against the installed library with
# pkg-config, check its verdicts are the command's, uninstall and check that
# nothing is left. Always with the plain (unsanitized) build.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
tmp=$(mktemp -d)
trap "" EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL install: $1"; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

make --no-print-directory SANITIZE= DESTDIR="$tmp/root" install > "$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; bad "make install failed"; echo "install: $pass passed, $fail failed"; exit 1; }
P=$tmp/root/usr/local
ver=$(cat VERSION)
check "binary" '[ -x "$P/bin/redflag" ]'
check "shared library and soname links" \
  '[ -f "$P/lib/libredflag.so.$ver" ] && [ -L "$P/lib/libredflag.so.0" ] && [ -L "$P/lib/libredflag.so" ]'
check "soname" 'readelf -d "$P/lib/libredflag.so.$ver" | grep -q "SONAME.*libredflag.so.0"'
check "only the API exported" \
  '[ -z "$(nm -D --defined-only "$P/lib/libredflag.so.$ver" | awk "{print \$3}" | grep -v "^rf_")" ]'
check "static library" '[ -f "$P/lib/libredflag.a" ]'
check "headers" '[ -f "$P/include/redflag/redflag.h" ] && [ -f "$P/include/redflag/screen.h" ]'
check "pkg-config file" '[ -f "$P/lib/pkgconfig/redflag.pc" ]'
check "man pages" '[ -f "$P/share/man/man1/redflag.1" ] && [ -f "$P/share/man/man5/redflag-rules.5" ]'
check "bash completion" '[ -f "$P/share/bash-completion/completions/redflag" ]'
check "rules and feeds" '[ -f "$P/share/redflag/rules/goods.tsv" ] && [ -f "$P/share/redflag/feeds/feeds.conf" ]'

# embed.c against the installed headers and library, found by pkg-config
export PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs redflag) || bad "pkg-config --cflags --libs redflag"
if cc -Wall -Wextra -Werror examples/embed.c $flags -o "$tmp/embed" 2> "$tmp/cc.log"; then ok
else cat "$tmp/cc.log"; bad "examples/embed.c does not build against the installed library"; fi
export LD_LIBRARY_PATH="$P/lib" NO_COLOR=1 REDFLAG_CACHE=off
check "embed links the installed shared library" 'ldd "$tmp/embed" | grep -q "$P/lib/libredflag.so.0"'
R=$P/share/redflag/rules
"$tmp/embed" "$R" < examples/orders.jsonl > "$tmp/embed-rules.jsonl" 2> "$tmp/e1.err"
check "embed screens with the rules" '[ $? -eq 0 ] && [ "$(wc -l < "$tmp/embed-rules.jsonl")" = "$(wc -l < examples/orders.jsonl)" ]'
"$P/bin/redflag" screen -o jsonl --fail-on none --no-lists --rules "$R" examples/orders.jsonl > "$tmp/cli-rules.jsonl" 2>/dev/null
check "embed's verdicts are the command's (rules only)" 'cmp -s "$tmp/embed-rules.jsonl" "$tmp/cli-rules.jsonl"'
"$P/bin/redflag" fetch --offline --data "$tmp/data" > /dev/null 2>&1
check "installed fetch --offline builds an index" '[ -e "$tmp/data/index" ]'
"$tmp/embed" "$R" "$tmp/data" < examples/orders.jsonl > "$tmp/embed-lists.jsonl" 2> "$tmp/e2.err"
"$P/bin/redflag" screen -o jsonl --fail-on none --no-cache --rules "$R" --data "$tmp/data" \
  examples/orders.jsonl > "$tmp/cli-lists.jsonl" 2>/dev/null
check "embed's verdicts are the command's (with the lists)" 'cmp -s "$tmp/embed-lists.jsonl" "$tmp/cli-lists.jsonl"'
check "the lists matched something" 'grep -q "\"matches\":\[{" "$tmp/embed-lists.jsonl"'
check "man page renders" 'man -l "$P/share/man/man1/redflag.1" > /dev/null 2>&1 || ! command -v man > /dev/null'

make --no-print-directory SANITIZE= DESTDIR="$tmp/root" uninstall > /dev/null 2>&1 || bad "make uninstall failed"
left=$(find "$tmp/root" -type f -o -type l)
check "uninstall removes every file" '[ -z "$left" ]'
[ -z "$left" ] || echo "$left" | head -5
echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
