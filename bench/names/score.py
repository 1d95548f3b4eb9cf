#!/usr/bin/env python3
"""Precision, recall and F1 of `redflag compare` on the labelled pairs.
Reads the pairs file and the compare output (same order, one line each).
Every 5th pair (index % 5 == 4) is the hold-out part, never used for tuning.
Usage: score.py PAIRS OUTPUT [--floor] ; with --floor, exit 1 when the whole-set
F1 is under 0.90 for companies or 0.85 for persons."""
import json, sys
from collections import defaultdict

def prf(rows):
    tp = sum(1 for g, p in rows if g and p)
    fp = sum(1 for g, p in rows if not g and p)
    fn = sum(1 for g, p in rows if g and not p)
    pr = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    return len(rows), tp, fp, fn, pr, rc, f1

def acc(rows):
    return sum(1 for g, p in rows if g == p) / len(rows) if rows else 1.0

def main():
    pairs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    outs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
    assert len(pairs) == len(outs), f"{len(pairs)} pairs but {len(outs)} results"
    groups = defaultdict(list)
    for i, (p, o) in enumerate(zip(pairs, outs)):
        row = (p["match"], bool(o.get("match")))
        part = "holdout" if i % 5 == 4 else "tune"
        for key in (f"{p['kind']}/{p['category']}", f"{p['kind']}/ALL", "ALL"):
            groups[(key, "all")].append(row)
            groups[(key, part)].append(row)
    print(f"{'group':40} {'part':8} {'n':>4} {'tp':>4} {'fp':>3} {'fn':>3} {'prec':>6} {'rec':>6} {'f1':>6} {'acc':>6}")
    keys = sorted({k for k, _ in groups}, key=lambda k: (k == "ALL", k.endswith("/ALL"), k))
    for k in keys:
        for part in ("all", "tune", "holdout") if k.endswith("ALL") else ("all",):
            rows = groups[(k, part)]
            n, tp, fp, fn, pr, rc, f1 = prf(rows)
            f1s = f"{f1:6.3f}" if tp + fn else "     -"  # near-miss groups: no positives, read acc
            print(f"{k:40} {part:8} {n:4} {tp:4} {fp:3} {fn:3} {pr:6.3f} {rc:6.3f} {f1s} {acc(rows):6.3f}")
    if "--floor" in sys.argv:
        bad = []
        for kind, floor in (("company", 0.90), ("person", 0.85)):
            f1 = prf(groups[(f"{kind}/ALL", "all")])[6]
            if f1 < floor:
                bad.append(f"{kind} F1 {f1:.3f} < {floor}")
        if bad:
            print("FLOOR FAILED: " + "; ".join(bad))
            sys.exit(1)

main()
