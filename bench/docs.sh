#!/bin/sh
# Documents per second for UBL / PEPPOL orders: `redflag screen -o jsonl` over
# N copies of the real order samples in tests/fixtures/docs/orders (the
# Order, OrderChange and OrderResponse files; invoices and the like are
# refused by design and left out). Called from bench/run.sh; usage:
#   sh bench/docs.sh ./redflag
# Environment: BENCH_DOCS (copies of each sample, default 1000; 100 with
# BENCH_QUICK=1), BENCH_RUNS (default 3; 1 with BENCH_QUICK=1).
# Two figures: one process screening all N documents (batch), and one
# process per document (what a purchasing system calling the tool per order
# pays, start-up and rule compilation included) over the first 200.
set -eu

BIN=${1:?usage: sh bench/docs.sh path/to/redflag}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "${BENCH_QUICK:-0}" = 1 ]; then COPIES=${BENCH_DOCS:-100}; RUNS=${BENCH_RUNS:-1}
else COPIES=${BENCH_DOCS:-1000}; RUNS=${BENCH_RUNS:-3}; fi
REDFLAG_DATA=${REDFLAG_DATA:-$ROOT/bench/out/data}
export REDFLAG_DATA
mkdir -p "$REDFLAG_DATA"

SRC=tests/fixtures/docs/orders
SAMPLES="$SRC/ubl/UBL-Order-2.1-Example.xml $SRC/ubl/UBL-Order-2.0-Example.xml
$SRC/ubl/UBL-Order-2.0-Example-International.xml $SRC/ubl/CENBII-Order-minimal.xml
$SRC/ubl/UBL-OrderChange-2.1-Example.xml $SRC/ubl/UBL-OrderResponse-2.1-Example.xml
$SRC/peppol/poacc_Order_Example.xml $SRC/peppol/poacc_UC1_Order.xml
$SRC/peppol/poacc_OrderChange_Example.xml $SRC/peppol/poacc_OrderResponse_Example.xml
$SRC/peppol/poacc_OrderAgreement_Example.xml"

DIR=bench/out/docs-$COPIES
if [ ! -f "$DIR/.done" ]; then
  rm -rf "$DIR" && mkdir -p "$DIR"
  i=0
  while [ "$i" -lt "$COPIES" ]; do
    for s in $SAMPLES; do cp "$s" "$DIR/$i-$(basename "$s")"; done
    i=$((i + 1))
  done
  touch "$DIR/.done"
fi

python3 - "$BIN" "$DIR" "$RUNS" <<'PY'
import glob, os, subprocess, sys, time
bin_, d, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(glob.glob(os.path.join(d, "*.xml")))
size = sum(os.path.getsize(f) for f in files)

def batch():
    # Many files per process, as `screen FILE...` is meant to be used, in
    # chunks that keep each command line within the system's limit.
    t, lines = time.perf_counter(), 0
    for k in range(0, len(files), 1000):
        out = subprocess.run([bin_, "screen", "-o", "jsonl"] + files[k:k + 1000],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if out.returncode not in (0, 1) or b'"error"' in out.stdout:
            sys.exit("bench/docs.sh: screening failed (exit %d): %r" %
                     (out.returncode, out.stderr[:300]))
        lines += out.stdout.count(b"\n")
    return time.perf_counter() - t, lines

def per_process(sample):
    t = time.perf_counter()
    for f in sample:
        r = subprocess.run([bin_, "screen", "-o", "jsonl", f], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode not in (0, 1):
            sys.exit("bench/docs.sh: %s exited %d" % (f, r.returncode))
    return time.perf_counter() - t

best, lines = min(batch() for _ in range(runs))
sample = files[:200]
one = min(per_process(sample) for _ in range(runs))
print()
print("### UBL / PEPPOL orders (documents per second)")
print()
print("| input | documents | records | MiB | batch: docs/s | batch: s | one process per doc: docs/s |")
print("|---|---:|---:|---:|---:|---:|---:|")
print("| real UBL 2.0/2.1 and PEPPOL BIS 3 orders, x%d | %d | %d | %.1f | %.0f | %.2f | %.0f |" % (
    len(files) // 11, len(files), lines, size / 1048576, len(files) / best, best,
    len(sample) / one))
PY
