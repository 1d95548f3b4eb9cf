#!/usr/bin/env python3
"""Append passages to corpus.jsonl from a compact block format (stdin).

Block format, one source per '@' line, passages below it:
  @ lang | kind | title | publisher | url | date
  label1,label2 :: verbatim passage
  - :: verbatim passage with no indicator reported (a negative)
  -/definition :: a passage whose kind differs from its source's (label/kind)
Ids are <lang>-NNNN, numbered on from the highest id already in the corpus for that
language; split is "held" when int(sha1(id)) % 2 == 1, else "dev" (decided at creation).
Python 3 standard library only.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus.jsonl")
INDICATORS = {
    "vulnerability_abused", "recruitment_deception", "movement_restricted",
    "worker_isolation", "physical_sexual_violence", "intimidation_threats",
    "identity_documents_retained", "wages_withheld", "debt_bondage",
    "abusive_conditions", "excessive_overtime", "recruitment_fees_charged",
    "noncompliant_recruiter", "labour_agency_subcontracting",
    "return_transport_denied", "no_written_contract_in_language",
    "trafficking_conviction", "supply_chain_opaque", "no_grievance_or_remedy",
    "child_labour",
}
KINDS = {"report", "news", "ngo", "un", "government", "court", "audit", "policy",
         "definition", "statement", "other"}
NEG_KINDS = {"policy", "definition", "statement", "other"}


# The split of one id: held when the SHA-1 of the id, read as an integer, is odd.
def split_of(pid):
    return "held" if int(hashlib.sha1(pid.encode()).hexdigest(), 16) % 2 == 1 else "dev"


# Existing corpus: highest number per language and the set of texts (to refuse duplicates).
def load_state():
    top, texts = {}, set()
    if os.path.exists(CORPUS):
        with open(CORPUS, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                lang, num = rec["id"].rsplit("-", 1)
                top[lang] = max(top.get(lang, 0), int(num))
                texts.add(rec["text"])
    return top, texts


# Parse stdin blocks into records; exits with file:line on a malformed line.
def parse(lines, top, texts):
    out, src = [], None
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            parts = [p.strip() for p in line[1:].split("|")]
            if len(parts) != 6 or parts[1] not in KINDS:
                sys.exit(f"stdin:{n}: source line needs lang|kind|title|publisher|url|date")
            src = parts
            continue
        if src is None or "::" not in line:
            sys.exit(f"stdin:{n}: passage before any source line, or no '::'")
        lab, text = line.split("::", 1)
        lab, text = lab.strip(), text.strip()
        kind_here = None
        if "/" in lab:
            lab, kind_here = [x.strip() for x in lab.split("/", 1)]
            if kind_here not in KINDS:
                sys.exit(f"stdin:{n}: unknown kind {kind_here}")
        labels = [] if lab == "-" else [x.strip() for x in lab.split(",")]
        bad = [x for x in labels if x not in INDICATORS]
        if bad:
            sys.exit(f"stdin:{n}: unknown indicator {bad}")
        if len(text) > 500:
            sys.exit(f"stdin:{n}: passage is {len(text)} chars (max 500)")
        if text in texts:
            print(f"stdin:{n}: duplicate passage skipped", file=sys.stderr)
            continue
        lang, kind, title, publisher, url, date = src
        kind = kind_here or kind
        if not labels and kind not in NEG_KINDS:
            print(f"stdin:{n}: note: negative of kind {kind}", file=sys.stderr)
        top[lang] = top.get(lang, 0) + 1
        pid = f"{lang}-{top[lang]:04d}"
        texts.add(text)
        out.append({"id": pid, "lang": lang, "text": text, "labels": labels, "kind": kind,
                    "source": {"title": title, "publisher": publisher, "url": url,
                               "date": date},
                    "split": split_of(pid)})
    return out


def main():
    top, texts = load_state()
    recs = parse(sys.stdin.read().splitlines(), top, texts)
    with open(CORPUS, "a", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"added {len(recs)}", file=sys.stderr)


if __name__ == "__main__":
    main()
