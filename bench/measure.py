#!/usr/bin/env python3
"""Run one command several times and report its wall time and peak memory.

usage: measure.py [--runs R] [--ok CODES] -- COMMAND [ARG...]

COMMAND runs without a shell, stdin from /dev/null and stdout to /dev/null;
the first 2000 bytes of stderr are shown on failure. Wall time is measured here.

Peak resident set size (ru_maxrss, KiB) comes from GNU /usr/bin/time -f %M when
it is installed. Linux keeps a process's ru_maxrss across exec(), so a command
forked straight from this Python process would report at least Python's own
~14 MiB; /usr/bin/time forks it from a ~1 MiB process instead. Without it, the
child's own rusage from os.wait4() is used (not getrusage(RUSAGE_CHILDREN),
which is a running maximum over all runs) and "rss_method" says so.

Prints one line of JSON: {"runs": [seconds...], "median": s, "rss_kib": [...],
"max_rss_kib": k, "exit": [codes...], "rss_method": "time" | "wait4"}. Exits 1
when a run's exit code is not in CODES (comma-separated, default 0).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


GNU_TIME = "/usr/bin/time"


# True when GNU time (with -f and -o) is installed.
def have_gnu_time():
    try:
        p = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "GNU" in p.stdout + p.stderr


# Peak RSS written by `time -f %M -o FILE`: the last line (earlier lines say
# "Command exited with non-zero status N" or "Command terminated by signal N").
def read_time_rss(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [ln.strip() for ln in f if ln.strip()]
    return int(lines[-1]) if lines and lines[-1].isdigit() else -1


# Run argv once: (wall seconds, peak RSS in KiB, exit code, first bytes of stderr).
def run_once(argv, use_time):
    with open(os.devnull, "rb") as devin, open(os.devnull, "wb") as devout, \
            tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as rssf:
        full = [GNU_TIME, "-f", "%M", "-o", rssf.name] + argv if use_time else argv
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdin=devin, stdout=devout, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
        rss = read_time_rss(rssf.name) if use_time else usage.ru_maxrss
        err.seek(0)
        msg = err.read(2000).decode("utf-8", "replace")
    return wall, rss, proc.returncode, msg


def parse_args(argv):
    runs, ok = 3, {0}
    i = 1
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--runs" and i + 1 < len(argv):
            runs, i = int(argv[i + 1]), i + 2
        elif argv[i] == "--ok" and i + 1 < len(argv):
            ok, i = {int(c) for c in argv[i + 1].split(",")}, i + 2
        else:
            raise ValueError("unknown option " + argv[i])
    cmd = argv[i + 1:]
    if not cmd or runs < 1:
        raise ValueError("no command")
    return runs, ok, cmd


def main(argv):
    try:
        runs, ok, cmd = parse_args(argv)
    except ValueError as e:
        sys.stderr.write("measure: %s\n%s" % (e, __doc__))
        return 2
    use_time = have_gnu_time()
    res = {"runs": [], "rss_kib": [], "exit": [], "rss_method": "time" if use_time else "wait4"}
    for _ in range(runs):
        try:
            wall, rss, code, msg = run_once(cmd, use_time)
        except OSError as e:
            sys.stderr.write("measure: cannot run %s: %s\n" % (cmd[0], e))
            return 1
        res["runs"].append(round(wall, 4))
        res["rss_kib"].append(rss)
        res["exit"].append(code)
        if code not in ok:
            sys.stderr.write("measure: %s exited with %d\n%s" % (" ".join(cmd), code, msg))
            print(json.dumps(res))
            return 1
    res["median"] = round(statistics.median(res["runs"]), 4)
    res["max_rss_kib"] = max(res["rss_kib"])
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
