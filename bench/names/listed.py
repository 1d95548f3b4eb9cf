#!/usr/bin/env python3
"""Screen every listed entity and person of the bundled snapshots by its exact
listed name (as a supplier, no country), and company names made from the
listed vessels and aircraft (the vessel's name plus a legal form and a
country, as a clerk would type an ordinary firm of that name), through
`redflag screen`; print the share of listed names flagged at least medium
and the share of those companies matched to a vessel or aircraft by name.

Usage: python3 bench/names/listed.py ./redflag DATA_DIR [--show N]
(DATA_DIR: an index built from the bundled snapshots: redflag fetch --offline)."""
import csv
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SNAP = os.path.join(HERE, "..", "..", "feeds", "snapshots")
FORMS = ["Ltd", "GmbH", "Plc", "S.A.", "LLC", "Inc.", "AS", "B.V."]
COUNTRIES = ["GB", "DE", "NO", "FR", "US", "NL", "IT", "SE"]
LEVELS = ["none", "low", "medium", "high", "critical"]


def local(tag):
    return tag.rsplit("}", 1)[-1]


def sdn_csv():
    """(name, kind) of sdn.csv rows: kind entity, individual, vessel, aircraft."""
    with open(os.path.join(SNAP, "ofac_sdn_csv", "sdn.csv"), encoding="latin-1") as f:
        for row in csv.reader(f):
            if len(row) < 3:
                continue
            t = row[2].strip().strip('"').lower()
            yield row[1].strip(), "entity" if t in ("-0-", "") else t


def ofac_xml():
    root = ET.parse(os.path.join(SNAP, "consolidated.xml")).getroot()
    for e in root.iter():
        if local(e.tag) != "sdnEntry":
            continue
        kids = {local(c.tag): (c.text or "").strip() for c in e}
        name = " ".join(x for x in (kids.get("firstName"), kids.get("lastName")) if x)
        yield name, kids.get("sdnType", "").lower()


def un_xml():
    root = ET.parse(os.path.join(SNAP, "UN_consolidated.xml")).getroot()
    for e in root.iter():
        tag = local(e.tag)
        if tag not in ("INDIVIDUAL", "ENTITY"):
            continue
        kids = {local(c.tag): (c.text or "").strip() for c in e}
        parts = [kids.get(k) for k in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        yield " ".join(p for p in parts if p), "individual" if tag == "INDIVIDUAL" else "entity"


def csl_csv():
    with open(os.path.join(SNAP, "csl_consolidated_small.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["name"], (row.get("type") or "entity").lower()


def uflpa_html():
    html = open(os.path.join(SNAP, "uflpa_entity_list_trimmed_a.html"), encoding="utf-8").read()
    for cell in re.findall(r"<tr[^>]*>\s*<td[^>]*>(.*?)</td>", html, re.S):
        text = re.sub(r"<[^>]+>", " ", cell)
        text = re.sub(r"\s+", " ", text).strip()
        text = re.split(r"\s*\((?:also known as|formerly)", text)[0].strip()
        if text:
            yield text, "entity"


def records():
    listed, ordinary = [], []
    for src in (sdn_csv, ofac_xml, un_xml, csl_csv, uflpa_html):
        for name, kind in src():
            if not name:
                continue
            if kind in ("vessel", "aircraft"):
                i = len(ordinary)
                ordinary.append((f"{name.title()} {FORMS[i % len(FORMS)]}", COUNTRIES[i % len(COUNTRIES)], kind))
            else:
                listed.append((name, kind, src.__name__))
    return listed, ordinary


def screen(bin_, data, recs):
    lines = "".join(json.dumps(r) + "\n" for r in recs)
    out = subprocess.run([bin_, "screen", "--no-cache", "--data", data, "-o", "jsonl",
                          "--fail-on", "none", "--no-prefilter"],
                         input=lines, capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def main():
    bin_, data = sys.argv[1], sys.argv[2]
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 0
    listed, ordinary = records()
    recs = [{"id": f"L{i}", "supplier": {"name": n}} for i, (n, _, _) in enumerate(listed)]
    res = screen(bin_, data, recs)
    missed = [(listed[i], r) for i, r in enumerate(res) if LEVELS.index(r["level"]) < 2]
    print(f"listed names (no country) flagged >= medium: {len(listed) - len(missed)}/{len(listed)}"
          f" = {100 * (len(listed) - len(missed)) / len(listed):.2f}%")
    for (n, k, s), r in missed[:show]:
        print(f"  missed  {s} {k}: {n!r} level {r['level']}")
    recs = [{"id": f"O{i}", "supplier": {"name": n, "country": c}} for i, (n, c, _) in enumerate(ordinary)]
    res = screen(bin_, data, recs)
    kinds = {}
    bad = []
    for (n, c, k), r in zip(ordinary, res):
        hit = [m for m in r.get("matches", []) if m.get("kind") in ("vessel", "aircraft")
               or ("kind" not in m and m["list"].startswith("us_ofac"))]
        if hit:
            bad.append((n, c, hit[0]))
        kinds[k] = kinds.get(k, 0) + 1
    print(f"companies named like a vessel/aircraft matched to a vessel/aircraft: {len(bad)}/{len(ordinary)}"
          f" = {100 * len(bad) / len(ordinary):.2f}%")
    for n, c, m in bad[:show]:
        print(f"  matched {n!r} {c} -> {m['name']!r} {m.get('kind', '?')} {m['score']}")


if __name__ == "__main__":
    main()
