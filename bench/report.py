#!/usr/bin/env python3
"""Turn bench/run.sh results into Markdown for BENCHMARKS.md.

usage: report.py RESULTS BIN RUNS SEED

RESULTS holds tab-separated rows written by run.sh: "N BYTES TOOL JSON" (JSON
from measure.py) and "N sanity SCREEN-OUTPUT" (one `redflag screen -o jsonl`
output, used to check one line per record and to count the levels found).
"""
import collections
import json
import os
import platform
import subprocess
import sys
import time

LEVELS = ["none", "low", "medium", "high", "critical"]
COMMANDS = [("redflag", "`redflag screen -o jsonl --no-lists --rules rules FILE > /dev/null` (rules)"),
            ("redflag+lists", "`redflag screen -o jsonl --no-cache --data DIR --rules rules FILE > /dev/null` "
                              "(rules, goods x origin and list matching against the bundled "
                              "snapshots)"),
            ("jq", "`jq -c . FILE > /dev/null` (parsing only)"),
            ("pcre2grep", "`pcre2grep -c -i` with 4 rule-like patterns (matching only)")]


# First line printed by `argv`, or "unknown" when it cannot run.
def version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    line = (p.stdout or p.stderr).strip().splitlines()
    return line[0] if line and p.returncode == 0 else "unknown"


# The CPU model name from /proc/cpuinfo (first processor).
def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# Online CPUs available to this process, as nproc counts them.
def nproc():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 0


# Read RESULTS into (measurement rows, {N: screen output path}).
def load(path):
    rows, sanity = [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 3 and cols[1] == "sanity":
                sanity[int(cols[0])] = cols[2]
            elif len(cols) == 4:
                rows.append((int(cols[0]), int(cols[1]), cols[2], json.loads(cols[3])))
    return rows, sanity


# One sentence on what the screener found in its own output for n records.
def describe_output(n, path):
    levels, errors, lines = collections.Counter(), 0, 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            try:
                obj = json.loads(line)
            except ValueError:
                errors += 1
                continue
            if "error" in obj:
                errors += 1
            else:
                levels[obj.get("level", "?")] += 1
    parts = ["%s %s" % (lv, f"{levels[lv]:,}") for lv in LEVELS if levels[lv]]
    parts += ["%s %s" % (k, f"{v:,}") for k, v in levels.items() if k not in LEVELS]
    check = "one line per record" if lines == n else \
        "**%s output lines for %s records**" % (f"{lines:,}", f"{n:,}")
    return "Output check on %s records: %s; levels: %s; records with errors: %s." % (
        f"{n:,}", check, ", ".join(parts) or "none", f"{errors:,}")


# The Markdown table, one row per size and tool.
def table(rows):
    jq = {n: r["median"] for n, _, tool, r in rows if tool == "jq"}
    out = ["| records | input MB | tool | median s | records/s | MB/s | peak RSS MiB | time vs jq |",
           "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for n, size, tool, r in rows:
        med = r["median"]
        ratio = "%.1f×" % (med / jq[n]) if n in jq and jq[n] > 0 else "–"
        out.append("| %s | %.1f | %s | %.2f | %s | %.1f | %.1f | %s |" % (
            f"{n:,}", size / 1e6, tool, med, f"{n / med:,.0f}" if med > 0 else "–",
            size / 1e6 / med if med > 0 else 0, r["max_rss_kib"] / 1024, ratio))
    return out


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    path, binary, runs, seed = argv[1], argv[2], int(argv[3]), argv[4]
    rows, sanity = load(path)
    if not rows:
        sys.stderr.write("report: no results in %s\n" % path)
        return 1
    mean = rows[0][1] / rows[0][0]
    rss_how = ("GNU time's %M" if all(r.get("rss_method") == "time" for *_, r in rows) else
               "os.wait4() of a child forked from Python, so it includes about 14 MiB of "
               "the forking Python process (install GNU time for exact figures)")
    runs_txt = "median of %d runs" % runs if runs > 1 else "a single run"
    print("### redflag screen throughput, %s\n" % time.strftime("%Y-%m-%d"))
    print("Machine: %d CPU(s) (nproc), %s; Linux %s. %s; jq: %s; pcre2grep: %s.\n" % (
        nproc(), cpu_model(), platform.release(), version([binary, "--version"]),
        version(["jq", "--version"]), version(["pcre2grep", "--version"])))
    tools = {tool for _, _, tool, _ in rows}
    cmds = [c for t, c in COMMANDS if t in tools]
    cmds += ["%s not installed, skipped" % t for t, _ in COMMANDS if t not in tools]
    print("Input: `python3 bench/gen.py N %s` (fictional orders, mean %.0f bytes per record). "
          "Commands: %s. Times are wall-clock, %s, on a shared and noisy "
          "%d-core machine, so expect ±10–20%% between runs. Peak RSS is the largest "
          "`ru_maxrss` of the runs, from %s.\n" % (seed, mean, "; ".join(cmds), runs_txt, nproc(),
                                                   rss_how))
    print("\n".join(table(rows)))
    for n, p in sorted(sanity.items()):
        print("\n" + describe_output(n, p))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
