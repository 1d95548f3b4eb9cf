#!/usr/bin/env python3
"""Score redflag's indicator rules against the real-passage corpus (corpus.jsonl).

usage: score.py [REDFLAG] [--rules DIR] [--corpus FILE] [--split dev|held|all]
                [--json] [--errors] [--by-indicator]

Runs `REDFLAG screen -f jsonl -o jsonl --no-lists --fail-on none --rules DIR` once over
records {"id", "text"} built from the corpus and compares, passage by passage, the set of
`indicator` values of each verdict's flags with the passage's labels. Reports
micro-averaged precision, recall and F1 per split and per language, and the policy flag
rate: the share of unlabelled passages of kind policy, definition or statement that got
any flag at all. Only the indicator ids the corpus labels count as predictions; flags of
other indicators (e.g. high_risk_origin) are counted apart as "other flags".
--errors lists misses and false alarms of the dev split only; the held split is scored,
never shown. The binary comes from argv or the REDFLAG environment variable
(default: redflag at the top of the checkout); the rules from --rules or RULES (default:
the checkout's rules/). Exit 0 unless the binary fails or its output cannot be read.
Python 3 standard library only.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VOCAB = (
    "vulnerability_abused", "recruitment_deception", "movement_restricted",
    "worker_isolation", "physical_sexual_violence", "intimidation_threats",
    "identity_documents_retained", "wages_withheld", "debt_bondage",
    "abusive_conditions", "excessive_overtime", "recruitment_fees_charged",
    "noncompliant_recruiter", "labour_agency_subcontracting",
    "return_transport_denied", "no_written_contract_in_language",
    "trafficking_conviction", "supply_chain_opaque", "no_grievance_or_remedy",
    "child_labour",
)
POLICY_KINDS = ("policy", "definition", "statement")


# Command-line options.
def parse_args(argv):
    ap = argparse.ArgumentParser(description="score redflag indicator rules on corpus.jsonl")
    ap.add_argument("redflag", nargs="?",
                    default=os.environ.get("REDFLAG", os.path.join(ROOT, "redflag")))
    ap.add_argument("--rules", default=os.environ.get("RULES", os.path.join(ROOT, "rules")))
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus.jsonl"))
    ap.add_argument("--split", choices=("dev", "held", "all"), default="all")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--errors", action="store_true",
                    help="list misses and false alarms (dev split only)")
    ap.add_argument("--by-indicator", action="store_true",
                    help="also print precision and recall per indicator id")
    return ap.parse_args(argv)


# The corpus as a list of dicts; a malformed line stops with file:line.
def load_corpus(path):
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                rec["labels"] = set(rec["labels"])
                unknown = rec["labels"] - set(VOCAB)
                if unknown or rec["split"] not in ("dev", "held") or not rec["text"]:
                    raise ValueError(f"bad labels {sorted(unknown)} or split or empty text")
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{n}: {e}")
            items.append(rec)
    return items


# Run redflag once over all passages; returns {id: set of indicator ids flagged}.
def screen(redflag, rules, items):
    stdin = "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n"
                    for r in items)
    cmd = [redflag, "screen", "-f", "jsonl", "-o", "jsonl", "--no-lists",
           "--fail-on", "none", "--rules", rules]
    try:
        proc = subprocess.run(cmd, input=stdin.encode(), capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"score.py: cannot run {redflag}: {e}", file=sys.stderr)
        sys.exit(2)
    if proc.returncode != 0:
        print(f"score.py: {' '.join(cmd)} exited {proc.returncode}:\n"
              f"{proc.stderr.decode(errors='replace')}", file=sys.stderr)
        sys.exit(2)
    out = {}
    for n, line in enumerate(proc.stdout.decode().splitlines(), 1):
        if not line.strip():
            continue
        try:
            v = json.loads(line)
        except ValueError as e:
            sys.exit(f"score.py: redflag output line {n} is not JSON: {e}")
        if "error" in v:
            sys.exit(f"score.py: redflag rejected record {v.get('id')}: {v['error']}")
        out[v["id"]] = {f["indicator"] for f in v.get("flags", [])}
    missing = [r["id"] for r in items if r["id"] not in out]
    if missing:
        sys.exit(f"score.py: no verdict for {len(missing)} passages, e.g. {missing[:3]}")
    return out


# Precision, recall, F1 and counts over a list of (labels, predicted) pairs.
def prf(pairs):
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"n": len(pairs), "tp": tp, "fp": fp, "fn": fn,
            "precision": prec, "recall": rec, "f1": f1}


# Scores of one group of passages, plus its policy flag rate.
def group_score(items, flagged, allflags):
    pairs = [(r["labels"], flagged[r["id"]] & set(VOCAB)) for r in items]
    s = prf(pairs)
    neg = [r for r in items if not r["labels"] and r["kind"] in POLICY_KINDS]
    hit = [r for r in neg if allflags[r["id"]]]
    s["policy_n"] = len(neg)
    s["policy_flagged"] = len(hit)
    s["policy_flag_rate"] = len(hit) / len(neg) if neg else None
    s["other_flags"] = sum(len(allflags[r["id"]] - set(VOCAB)) for r in items)
    return s


# Scores of one indicator id over a group: labels and predictions restricted to that id.
def indicator_score(items, flagged, ind):
    return prf([(r["labels"] & {ind}, flagged[r["id"]] & {ind}) for r in items])


# All scores: per split, and per language and per indicator within each split.
def score_all(items, allflags, splits):
    res = {}
    for sp in splits:
        part = [r for r in items if sp == "all" or r["split"] == sp]
        langs = sorted({r["lang"] for r in part})
        res[sp] = {"all": group_score(part, allflags, allflags),
                   "lang": {lg: group_score([r for r in part if r["lang"] == lg],
                                            allflags, allflags) for lg in langs},
                   "indicator": {ind: indicator_score(part, allflags, ind) for ind in VOCAB}}
    return res


# A number for the table, or "-" when undefined.
def fmt(x):
    return "   -" if x is None else f"{x:.2f}"


# Readable table of the scores.
def print_table(res):
    for sp, r in res.items():
        print(f"\nsplit {sp}")
        print(f"{'lang':6} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>5} {'R':>5} "
              f"{'F1':>5}  policy-flagged")
        rows = list(r["lang"].items()) + [("ALL", r["all"])]
        for lg, s in rows:
            pol = (f"{s['policy_flagged']}/{s['policy_n']} ({fmt(s['policy_flag_rate'])})"
                   if s["policy_n"] else "-")
            print(f"{lg:6} {s['n']:4} {s['tp']:4} {s['fp']:4} {s['fn']:4} "
                  f"{fmt(s['precision']):>5} {fmt(s['recall']):>5} {fmt(s['f1']):>5}  {pol}")
        if r["all"]["other_flags"]:
            print(f"(flags of indicators outside the corpus vocabulary, not scored: "
                  f"{r['all']['other_flags']})")


# Per-indicator table of each split.
def print_indicators(res):
    for sp, r in res.items():
        print(f"\nsplit {sp}, per indicator")
        print(f"{'indicator':32} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>5} {'R':>5}")
        for ind, s in r["indicator"].items():
            print(f"{ind:32} {s['tp']:4} {s['fp']:4} {s['fn']:4} "
                  f"{fmt(s['precision']):>5} {fmt(s['recall']):>5}")


# Misses and false alarms of the dev split, one passage per block.
def print_errors(items, allflags):
    for r in items:
        if r["split"] != "dev":
            continue
        pred = allflags[r["id"]] & set(VOCAB)
        miss, extra = r["labels"] - pred, pred - r["labels"]
        if not miss and not extra:
            continue
        print(f"\n{r['id']} [{r['kind']}] {r['text']}")
        if miss:
            print(f"  missed: {', '.join(sorted(miss))}")
        if extra:
            print(f"  false alarm: {', '.join(sorted(extra))}")


def main(argv):
    a = parse_args(argv)
    if a.errors and a.split == "held":
        print("score.py: --errors lists the dev split only; the held split is never shown",
              file=sys.stderr)
        return 2
    items = load_corpus(a.corpus)
    allflags = screen(a.redflag, a.rules, items)
    splits = ["dev", "held", "all"] if a.split == "all" else [a.split]
    res = score_all(items, allflags, splits)
    if a.json:
        print(json.dumps(res, indent=1, sort_keys=True))
    else:
        print_table(res)
        if a.by_indicator:
            print_indicators(res)
    if a.errors:
        print_errors(items, allflags)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
