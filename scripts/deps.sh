#!/bin/sh
# Install the Debian packages redflag needs to build and test (make included,
# so that a bare Debian can start; mandoc for the man-page tests), or print the
# exact command when not root. Run by `sh run ...` before make, and by
# `make deps`, `make demo` and `make check`; `deps.sh bench` (from
# `make bench`) adds the benchmark's baselines.
set -u
PKGS="make build-essential pkg-config libpcre2-dev liblmdb-dev libxml2-dev libcurl4-openssl-dev libssl-dev libyajl-dev libcsv-dev libzip-dev libxlsxwriter-dev libcmocka-dev libicu-dev libstemmer-dev libmicrohttpd-dev curl python3 mandoc"
[ "${1:-}" = bench ] && PKGS="$PKGS jq pcre2-utils time"   # the benchmark's baselines
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "redflag: installing missing Debian packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit $?
fi
if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  exit $?
fi
echo "redflag: missing Debian packages:$missing" >&2
echo "redflag: run as root:  apt-get update && apt-get install -y$missing" >&2
exit 1
