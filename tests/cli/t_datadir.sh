# The data directory is checked as ssh's StrictModes checks ~/.ssh: one another
# user could write (or one not owned by us) is refused with the path and the
# fix, exit 4, unless --insecure-data or REDFLAG_INSECURE_DATA=1.

dd="$tmp/strict"
"$RF" fetch --offline --data "$dd" > /dev/null 2>&1
expect_exit datadir-fresh-fetch-0 0 $?
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2>&1
expect_exit datadir-private-screen-1 1 $?

chmod 777 "$dd"
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > "$tmp/dd.out" 2> "$tmp/dd.err"
expect_exit datadir-world-writable-exit-4 4 $?
expect_lines datadir-world-writable-no-verdicts 0 "$tmp/dd.out"
expect_grep datadir-world-writable-message "refusing an untrusted data directory.*$dd is writable by every user (mode 0777): run \`chmod 700 $dd\`" "$tmp/dd.err"
for cmd in "fetch --offline" "cache stats" "cache clear" "lookup Hoshine"; do
  # shellcheck disable=SC2086
  "$RF" $cmd --data "$dd" > /dev/null 2> "$tmp/dd.err"
  expect_exit "datadir-refused-$(echo $cmd | tr ' ' -)-exit-4" 4 $?
done
"$RF" screen --insecure-data --data "$dd" -o jsonl examples/orders.jsonl > "$tmp/dd.out" 2> "$tmp/dd.err"
expect_exit datadir-insecure-flag-screens 1 $?
expect_grep datadir-insecure-flag-warns 'warning: using an untrusted data directory' "$tmp/dd.err"
REDFLAG_INSECURE_DATA=1 "$RF" cache stats --data "$dd" > /dev/null 2>&1
expect_exit datadir-insecure-env 0 $?
chmod 750 "$dd"; chmod g+w "$dd"
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/dd.err"
expect_grep datadir-group-writable 'is writable by its group (mode 0770)' "$tmp/dd.err"
chmod 700 "$dd"

# the current index generation, writable by others
gen="$dd/$(readlink "$dd/index")"
chmod 757 "$gen"
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/dd.err"
expect_exit datadir-index-writable-exit-4 4 $?
expect_grep datadir-index-writable-path "$gen is writable by every user" "$tmp/dd.err"
chmod 755 "$gen"
chmod 666 "$gen/data.mdb"
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/dd.err"
expect_grep datadir-index-file-writable "$gen/data.mdb is writable by every user (mode 0666): run \`chmod 600" "$tmp/dd.err"
chmod 644 "$gen/data.mdb"

# an index link to a generation outside the data directory
mv "$dd/index" "$tmp/index.saved"
ln -s "$gen" "$dd/index"
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/dd.err"
expect_exit datadir-index-outside-exit-4 4 $?
expect_grep datadir-index-outside 'index points outside the data directory' "$tmp/dd.err"
rm "$dd/index"; mv "$tmp/index.saved" "$dd/index"

# a symlinked cache is not followed
mkdir -m 700 "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$dd/cache"
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/dd.err"
expect_exit datadir-cache-symlink-exit-4 4 $?
expect_grep datadir-cache-symlink "$dd/cache is a symbolic link, which redflag does not follow" "$tmp/dd.err"
rm "$dd/cache"

# owned by another user (as root only: chown needs it)
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
  chown nobody "$dd"
  "$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2> "$tmp/dd.err"
  expect_exit datadir-other-owner-exit-4 4 $?
  expect_grep datadir-other-owner "$dd is owned by uid $(id -u nobody), not by you" "$tmp/dd.err"
  chown "$(id -u)" "$dd"
fi
"$RF" screen --data "$dd" -o jsonl examples/orders.jsonl > /dev/null 2>&1
expect_exit datadir-repaired-screen-1 1 $?
