#!/bin/sh
# fresh-check: prove that README.md's two commands work on a minimal Debian 12.
# Debootstraps a minbase bookworm (no make, no gcc) into a temporary directory,
# copies this repository's HEAD in (git archive: what a clone holds, no build/),
# and runs the commands of README.md's first ```sh block exactly as written, as
# root in a chroot with /proc and /dev mounted. First, as an unprivileged user,
# `sh run demo` must stop with the apt-get line to run as root. Run by
# `make fresh-check`, as root; installs debootstrap if missing and needs the
# Debian archive.
#
# The base system's .debs are kept in build/fresh/ (debootstrap --make-tarball)
# and the .debs apt fetches inside the root in build/fresh/apt-archives, so a
# rerun downloads nothing; each run still starts from a newly unpacked root.
# `rm -rf build/fresh` forces a full download. FRESH_MIRROR names the mirror;
# FRESH_KEEP=1 keeps the root (printed) after the run for a look inside.
# The log of the last run: build/fresh/fresh-check.log.
set -u

MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$TOP/build/fresh
TARBALL=$CACHE/$SUITE-minbase.tgz
LOG=$CACHE/fresh-check.log
root=""
mounted=""

# say MSG: one progress line on stderr and in the log.
say() { printf 'fresh-check: %s\n' "$*" | tee -a "$LOG" >&2; }

# die MSG: say MSG and stop (the EXIT trap cleans up).
die() { say "$*"; exit 1; }

# mount_in WHAT WHERE ARGS...: mount inside the root and remember it for cleanup.
mount_in() {
  where=$root$2
  shift 2
  mkdir -p "$where" && mount "$@" "$where" || die "cannot mount $where"
  mounted="$where $mounted"
}

# cleanup: unmount what we mounted (last first), then remove the root, but only
# once nothing is mounted under it any more.
cleanup() {
  for m in $mounted; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "cannot unmount $m"
  done
  mounted=""
  [ -n "$root" ] && [ -d "$root" ] || return 0
  if grep -q " $root/" /proc/mounts; then
    say "left $root in place: something is still mounted under it"
  elif [ "${FRESH_KEEP:-0}" = 1 ]; then
    say "kept the root: $root"
  else
    rm -rf --one-file-system "$root"
  fi
}

[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root (debootstrap, mount, chroot)" >&2; exit 1; }
cd "$TOP" || exit 1
git rev-parse --verify -q HEAD >/dev/null || { echo "fresh-check: not a git checkout" >&2; exit 1; }
mkdir -p "$CACHE/apt-archives/partial"
: > "$LOG"
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start=$(date +%s)
git diff --quiet HEAD -- 2>/dev/null || say "note: uncommitted changes are not tested (the copy is HEAD)"

if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >>"$LOG" 2>&1 ||
    die "apt-get install debootstrap failed (see $LOG)"
fi

# The base system's packages, downloaded once.
if [ ! -s "$TARBALL" ]; then
  say "downloading minbase $SUITE from $MIRROR into $TARBALL"
  work=$(mktemp -d "${TMPDIR:-/tmp}/redflag-fresh-dl.XXXXXX") || exit 1
  debootstrap --variant=minbase --make-tarball="$CACHE/part.tgz" "$SUITE" "$work" "$MIRROR" >>"$LOG" 2>&1
  rc=$?
  rm -rf --one-file-system "$work"
  [ "$rc" = 0 ] || die "debootstrap --make-tarball failed (see $LOG)"
  mv "$CACHE/part.tgz" "$TARBALL"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/redflag-fresh.XXXXXX") || exit 1
chmod 755 "$root"   # it becomes /: mktemp's 0700 would lock every other user out
say "debootstrap --variant=minbase $SUITE into $root"
debootstrap --variant=minbase --unpack-tarball="$TARBALL" "$SUITE" "$root" "$MIRROR" >>"$LOG" 2>&1 ||
  die "debootstrap failed (see $LOG)"
for tool in make cc gcc pkg-config; do
  chroot "$root" /bin/sh -c "command -v $tool" >/dev/null 2>&1 && die "the new root already has $tool: not a minimal root"
done
say "the root is minimal: no make, cc, gcc or pkg-config"

# What any networked machine has: name resolution. Downloads go to the cache.
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount_in proc /proc -t proc proc
mount_in dev /dev --bind /dev
mount_in apt /var/cache/apt/archives --bind "$CACHE/apt-archives"

mkdir -p "$root/root/redflag"
git archive --format=tar HEAD | tar -x -C "$root/root/redflag" || die "git archive HEAD failed"
say "copied $(git rev-parse --short HEAD) into /root/redflag"
status=0

# Not root, nothing installed: `sh run demo` must stop at once with the
# apt-get line to run as root (README "Not root?"), naming make among the packages.
mkdir -p "$root/tmp/redflag-user"
git archive --format=tar HEAD | tar -x -C "$root/tmp/redflag-user" && chown -R 65534:65534 "$root/tmp/redflag-user"
chroot --userspec=65534:65534 "$root" /usr/bin/env -i HOME=/tmp PATH=/usr/bin:/bin \
  /bin/sh -c "cd /tmp/redflag-user && sh run demo" </dev/null >"$CACHE/nonroot.out" 2>&1
rc=$?
cat "$CACHE/nonroot.out" >>"$LOG"
if [ "$rc" = 1 ] && grep -q "run as root: *apt-get update && apt-get install -y.* make" "$CACHE/nonroot.out"; then
  say "not root: sh run demo exits 1 with the apt-get line to run as root"
else
  status=1
  say "not root: sh run demo exited $rc without the apt-get line: $(tail -2 "$CACHE/nonroot.out")"
fi
rm -rf "$root/tmp/redflag-user"

# The README's commands: the first ```sh block, comments stripped.
cmds=$(awk '/^```sh/ { on = 1; next } on && /^```/ { exit } on' "$root/root/redflag/README.md" |
       sed 's/[[:space:]]*#.*$//; /^[[:space:]]*$/d')
[ -n "$cmds" ] || die "README.md has no \`\`\`sh block"
echo "$cmds" > "$CACHE/commands"
while IFS= read -r cmd; do
  t0=$(date +%s)
  say "running as root in the root, in /root/redflag: $cmd"
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/sh -c "cd /root/redflag && $cmd" </dev/null >>"$LOG" 2>&1
  rc=$?
  say "$cmd: exit $rc in $(( $(date +%s) - t0 )) s"
  [ "$rc" = 0 ] || { status=1; tail -25 "$LOG" >&2; }
done < "$CACHE/commands"

secs=$(( $(date +%s) - start ))
if [ "$status" = 0 ]; then
  say "PASS: the README's commands pass on a minimal Debian 12 ($secs s in all; log $LOG)"
else
  say "FAIL after $secs s (log $LOG)"
fi
exit "$status"
