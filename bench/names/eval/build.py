#!/usr/bin/env python3
"""Build the name-matching evaluation sets of bench/names/eval/ from real list files.

usage: build.py [--data DIR] [--repo DIR] [--out DIR] [--seed N]

  --data  the shared sample data (default $REDFLAG_SAMPLE_DATA; see its PROVENANCE.md)
  --repo  the redflag repository (default: two levels up), for feeds/snapshots/ and
          bench/names/pairs.jsonl
  --out   where to write pairs.jsonl, listed.jsonl, ordinary.jsonl, decoys.jsonl
          (default: this script's directory)
  --src   directory holding the copies of the ordinary-company lists (default: OUT/src)

Python 3 standard library only. Deterministic: every random choice comes from a
random.Random seeded with a string made of --seed, the entry's key and the variant, so
adding an entry does not change the pairs of the others.

Split: every pair belongs to one ENTRY CLUSTER (an entry and the entries of other lists
linked to it by a shared identifier or name); split = held when
int(sha1(cluster_key)) % 2 == 1, else dev. A negative pair joins two clusters of the same
split, so no entry has pairs on both sides.
"""
import argparse, csv, glob, gzip, hashlib, io, json, os, random, re, sys, unicodedata, zipfile
import xml.etree.ElementTree as ET
from collections import defaultdict, Counter

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- text helpers

def norm(s):
    """Upper case, accents and punctuation dropped, spaces collapsed (exact-name key)."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^\w]+", " ", s.upper(), flags=re.UNICODE).replace("_", " ")
    return " ".join(s.split())

def script_of(s):
    """The first non-Latin script in s (lower case), else latin."""
    for ch in s or "":
        if ch.isalpha() and ord(ch) > 0x24F:
            try:
                n = unicodedata.name(ch)
            except ValueError:
                continue
            for key, name in (("CJK", "han"), ("CYRILLIC", "cyrillic"), ("ARABIC", "arabic"),
                              ("HANGUL", "hangul"), ("GREEK", "greek"), ("KHMER", "khmer"),
                              ("HIRAGANA", "kana"), ("KATAKANA", "kana"), ("HEBREW", "hebrew"),
                              ("THAI", "thai"), ("DEVANAGARI", "devanagari"), ("GEORGIAN", "georgian"),
                              ("ARMENIAN", "armenian"), ("MYANMAR", "myanmar"), ("TAMIL", "tamil")):
                if n.startswith(key):
                    return name
            return n.split()[0].lower()
    return "latin"

def clean(s):
    """Whitespace collapsed, OFAC '-0-' nulls dropped."""
    s = (s or "").replace("\xa0", " ").strip()
    if s in ("-0-", "-0- "):
        return ""
    return " ".join(s.split())

def sha_split(key):
    """dev or held, from the cluster key."""
    return "held" if int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 2 == 1 else "dev"

def rng(seed, *parts):
    """A Random seeded deterministically from the parts."""
    return random.Random("|".join([str(seed)] + [str(p) for p in parts]))

LEGAL = {  # normalised legal-form tokens (sequences), for detection and swapping
    "LTD", "LIMITED", "CO", "COMPANY", "CORP", "CORPORATION", "INC", "INCORPORATED", "LLC",
    "L L C", "SA", "S A", "SARL", "S A R L", "GMBH", "AG", "PLC", "BV", "B V", "NV", "N V", "SRL",
    "SPA", "S P A", "JSC", "OJSC", "CJSC", "PJSC", "OOO", "OAO", "ZAO", "PAO", "FZE", "FZCO",
    "FZ LLC", "DE CV", "S A DE C V", "SA DE CV", "C A", "CA", "LTDA", "PTE", "PTY", "SDN BHD",
    "BHD", "AB", "AS", "OY", "KG", "GROUP", "HOLDING", "HOLDINGS", "EST", "ESTABLISHMENT",
}
LEGAL_TOKENS = {t for f in LEGAL for t in f.split()}
GENERIC = {"THE", "OF", "AND", "FOR", "DE", "LA", "EL", "AL", "DEL", "DU", "DES", "LE", "Y", "E",
           "COMPANY", "TRADING", "INTERNATIONAL", "GENERAL", "INDUSTRIAL", "INDUSTRIES", "GROUP",
           "SERVICES", "TRADE", "IMPORT", "EXPORT", "BANK", "NATIONAL", "CORPORATION", "LIMITED",
           "HOLDING", "HOLDINGS", "ENTERPRISE", "ENTERPRISES", "COMMERCIAL", "INDUSTRY", "AND",
           "LTD", "CO", "SA", "LLC", "INC", "CORP", "TECHNOLOGY", "ENGINEERING", "DEVELOPMENT",
           "SHIPPING", "MANAGEMENT", "INVESTMENT", "INVESTMENTS", "ORGANIZATION", "FOUNDATION",
           "CENTER", "CENTRE", "ESTABLISHMENT", "EST", "FZE", "PJSC", "JSC", "OJSC", "OOO",
           "MARINE", "GLOBAL", "TRAVEL", "AGENCY", "SOCIETY", "CHINA", "IRAN", "IRANIAN",
           "RUSSIAN", "SYRIAN", "NORTH", "KOREA", "LIMITADA", "SERVICIOS", "DISTRIBUIDORA",
           "INVERSIONES", "COMERCIAL", "CONSTRUCCIONES", "GMBH", "AG", "PLC", "DI", "AS", "BV"}

def content_tokens(name):
    """Normalised tokens that are neither legal forms nor particles."""
    return [t for t in norm(name).split() if t not in LEGAL_TOKENS and t not in
            {"THE", "OF", "AND", "FOR", "DE", "LA", "EL", "DEL", "DU", "DES", "LE", "Y", "E", "DI"}]

def legal_form(name):
    """The trailing legal form of a name (normalised), or ''."""
    toks = norm(name).split()
    out = []
    while toks and toks[-1] in LEGAL_TOKENS - {"GROUP", "HOLDING", "HOLDINGS"}:
        out.insert(0, toks.pop())
    return " ".join(out)

def guess_kind(name):
    """company when the name carries a legal form or a business word, else person."""
    toks = set(norm(name).split())
    if toks & (LEGAL_TOKENS | {"TRADING", "INTERNATIONAL", "INDUSTRIES", "ENTERPRISES", "SERVICES",
                                "TECHNOLOGY", "TECHNOLOGIES", "ELECTRONICS", "SYSTEMS", "EXPORT",
                                "IMPORT", "UNIVERSITY", "INSTITUTE", "ACADEMY", "BUREAU", "CENTER",
                                "CORPORATION", "AVIATION", "LABORATORY", "RESEARCH", "LOGISTICS",
                                "EQUIPMENT", "MACHINERY", "COMPONENTS", "SUPPLY", "PARTS", "EXPRESS", "ENTERPRISE",
                                "FACTORY", "PLANT", "WORKS", "BANK", "MINISTRY", "DEPARTMENT", "COMMITTEE",
                                "COMMISSION", "AGENCY", "OFFICE", "SCHOOL", "COLLEGE", "LAB", "LABS",
                                "LABORATORIES", "ELECTRONIC", "TECH", "SOLUTIONS", "NETWORKS", "SHIPPING",
                                "MARINE", "AVIATION", "AEROSPACE", "ENERGY", "OIL", "GAS", "CHEMICAL",
                                "CHEMICALS", "INDUSTRY", "INDUSTRIAL", "MANUFACTURING", "HOLDING", "HOLDINGS",
                                "GROUP", "PARTNERS", "CONSULTING", "DESIGN", "BUREAU", "CONCERN", "FIRM"}):
        return "company"
    return "person"

# ---------------------------------------------------------------- entries

class Entry:
    __slots__ = ("key", "list", "kind", "primary", "aliases", "ids", "dob", "country", "source")

    def __init__(self, key, lst, kind, primary, source):
        self.key, self.list, self.kind, self.primary, self.source = key, lst, kind, primary, source
        self.aliases = []   # (name, quality) quality in strong|weak|fka|script
        self.ids = set()    # (scheme, value)
        self.dob = set()
        self.country = ""

    def add_alias(self, name, quality="strong"):
        if ";" in (name or ""):  # "Husain Salimi; Hosain Salimi; ...": several aliases in one field
            for part in name.split(";"):
                self.add_alias(part, quality)
            return
        name = clean(name)
        if name and norm(name) != norm(self.primary) and all(norm(name) != norm(a) for a, _ in self.aliases):
            self.aliases.append((name, quality))

    def names(self):
        return [self.primary] + [a for a, _ in self.aliases]

ID_RES = [
    ("imo", re.compile(r"IMO (\d{7})")),
    ("passport", re.compile(r"Passport ([A-Z0-9]{6,})", re.I)),
    ("nid", re.compile(r"National ID No\. ([A-Z0-9-]{6,})", re.I)),
    ("regid", re.compile(r"Registration (?:ID|Number) ([A-Z0-9-]{5,})", re.I)),
    ("taxid", re.compile(r"Tax ID No\. ([A-Z0-9-]{6,})", re.I)),
    ("msn", re.compile(r"Serial Number \(MSN\) (\d{4,})")),
    ("swift", re.compile(r"SWIFT/BIC ([A-Z0-9]{8,11})")),
]
DOB_RE = re.compile(r"DOB (?:circa )?(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?(\d{4})")

def ids_from_text(text):
    """(scheme, value) identifiers and DOB years named in a remarks text."""
    out, dob = set(), set()
    for scheme, rx in ID_RES:
        for m in rx.finditer(text or ""):
            out.add((scheme, m.group(1).upper().replace("-", "")))
    for m in DOB_RE.finditer(text or ""):
        dob.add(m.group(1))
    return out, dob

def sdn_kind(t):
    t = clean(t).strip('"').lower()
    return {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}.get(t, "company")

def read_csv_rows(path, encoding="latin-1"):
    """Rows of an OFAC legacy CSV (no header, ^Z end byte tolerated)."""
    with open(path, "rb") as f:
        data = f.read().replace(b"\x1a", b"")
    return list(csv.reader(io.StringIO(data.decode(encoding))))

def load_ofac_csv(entries, d, lst, prefix, sdn="sdn.csv", alt="alt.csv", label=None):
    """OFAC legacy CSV (sdn + alt); merges into existing entries of the same key."""
    label = label or d
    for row in read_csv_rows(os.path.join(d, sdn)):
        if len(row) < 12 or not row[0].strip().isdigit():
            continue
        key = f"{prefix}:{row[0].strip()}"
        name = clean(row[1])
        e = entries.get(key)
        if e is None:
            e = entries[key] = Entry(key, lst, sdn_kind(row[2]), name, label)
        else:
            e.add_alias(name, "strong")  # a later edition's name
        ids, dob = ids_from_text(row[11])
        e.ids |= ids
        e.dob |= dob
    for row in read_csv_rows(os.path.join(d, alt)):
        if len(row) < 4:
            continue
        key = f"{prefix}:{row[0].strip()}"
        if key in entries:
            q = clean(row[2]).strip('"').lower()
            entries[key].add_alias(row[3], "fka" if q in ("fka", "nka") else "strong")

def load_ofac_xml(entries, path, lst, prefix):
    """OFAC sdnList XML (consolidated.xml)."""
    ns = {"o": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"}
    root = ET.parse(path).getroot()
    for se in root.findall("o:sdnEntry", ns):
        uid = se.findtext("o:uid", "", ns)
        fn, ln = se.findtext("o:firstName", "", ns), se.findtext("o:lastName", "", ns)
        t = se.findtext("o:sdnType", "", ns)
        kind = {"Individual": "person", "Vessel": "vessel", "Aircraft": "aircraft"}.get(t, "company")
        name = f"{ln}, {fn}" if fn else ln
        key = f"{prefix}:{uid}"
        e = entries.get(key) or Entry(key, lst, kind, clean(name), os.path.basename(path))
        entries[key] = e
        if norm(e.primary) != norm(name):
            e.add_alias(name)
        for aka in se.findall("o:akaList/o:aka", ns):
            afn, aln = aka.findtext("o:firstName", "", ns), aka.findtext("o:lastName", "", ns)
            cat = aka.findtext("o:category", "", ns)
            e.add_alias(f"{aln}, {afn}" if afn else aln, "weak" if cat == "weak" else "strong")
        for idn in se.findall("o:idList/o:id", ns):
            num = (idn.findtext("o:idNumber", "", ns) or "").upper().replace("-", "").replace(" ", "")
            typ = (idn.findtext("o:idType", "", ns) or "").lower()
            if len(num) >= 6:
                e.ids.add(("imo" if "imo" in typ else "passport" if "passport" in typ else typ, num))
        for dob in se.findall("o:dateOfBirthList/o:dateOfBirthItem", ns):
            m = re.search(r"(\d{4})", dob.findtext("o:dateOfBirth", "", ns))
            if m:
                e.dob.add(m.group(1))

def load_ofac_enhanced(entries, data, lst, prefix, label):
    """OFAC ENHANCED_XML: names with their translations into other scripts."""
    root = ET.fromstring(data)
    tag = lambda el: el.tag.split("}")[-1]
    for ent in root.iter():
        if tag(ent) != "entity":
            continue
        eid = ent.get("id")
        etype = ""
        for el in ent.iter():
            if tag(el) == "entityType":
                etype = el.text or ""
                break
        kind = {"Individual": "person", "Vessel": "vessel", "Aircraft": "aircraft"}.get(etype, "company")
        key = f"{prefix}:{eid}"
        e = entries.get(key)
        for name_el in [x for x in ent.iter() if tag(x) == "name"]:
            primary = any(tag(c) == "isPrimary" and c.text == "true" for c in name_el)
            low = any(tag(c) == "isLowQuality" and c.text == "true" for c in name_el)
            latin, others = "", []
            for tr in [x for x in name_el.iter() if tag(x) == "translation"]:
                full = next((x.text for x in tr.iter() if tag(x) == "formattedFullName"), "") or ""
                scr = next((x.text for x in tr.iter() if tag(x) == "script"), "") or ""
                full = clean(full.replace("\u202b", "").replace("\u202c", ""))
                if scr == "Latin" and not latin:
                    latin = full
                elif full:
                    others.append(full)
            if not latin:
                continue
            if e is None and primary:
                e = entries[key] = Entry(key, lst, kind, latin, label)
            if e is None:
                continue
            if not primary:
                e.add_alias(latin, "weak" if low else "strong")
            for o in others:
                e.aliases.append((o, "script:" + latin))

def load_un(entries, path):
    """UN SC consolidated list XML."""
    root = ET.parse(path).getroot()
    for tagname, kind in (("INDIVIDUAL", "person"), ("ENTITY", "company")):
        for el in root.iter(tagname):
            ref = el.findtext("REFERENCE_NUMBER", "").strip()
            parts = [clean(el.findtext(t, "")) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            name = " ".join(p for p in parts if p and p != "na")
            name, *more = [p.strip() for p in name.split(";") if p.strip()] or [""]
            if not name:
                continue
            e = entries[f"un:{ref}"] = Entry(f"un:{ref}", "un_sc", kind, name, "UN_consolidated.xml")
            for m in more:
                e.add_alias(m)
            for a in el.findall(f"{tagname}_ALIAS"):
                q = (a.findtext("QUALITY") or "").strip()
                e.add_alias(a.findtext("ALIAS_NAME", ""), "weak" if q == "Low" else "strong")
            orig = clean(el.findtext("NAME_ORIGINAL_SCRIPT", ""))
            if orig and script_of(orig) != "latin":
                e.aliases.append((orig, "script:" + name))
            for doc in el.findall("INDIVIDUAL_DOCUMENT"):
                num = (doc.findtext("NUMBER") or "").upper().replace(" ", "").replace("-", "")
                typ = (doc.findtext("TYPE_OF_DOCUMENT") or "").lower()
                if len(num) >= 6:
                    e.ids.add(("passport" if "passport" in typ else "nid", num))
            for dob in el.findall("INDIVIDUAL_DATE_OF_BIRTH"):
                y = dob.findtext("YEAR") or (dob.findtext("DATE") or "")[:4]
                if y and y.isdigit():
                    e.dob.add(y)

CSL_SHORT = {"Entity List": "csl_el", "Denied Persons": "csl_dpl", "ITAR Debarred": "csl_dtc",
             "Unverified": "csl_uvl", "Nonproliferation": "csl_isn", "Military End User": "csl_meu",
             "Sectoral Sanctions": "csl_ssi", "Palestinian": "csl_plc", "Capta": "csl_cap",
             "Non-SDN Chinese": "csl_cmic", "Non-SDN Menu": "csl_mbs", "Foreign Sanctions": "csl_fse",
             "Specially Designated": "csl_sdn"}

def load_csl(entries, path, sdn_links):
    """trade.gov CSL CSV (gzip): non-SDN lists become entries; SDN rows link to SDN uids."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            src = next((v for k, v in CSL_SHORT.items() if row["source"].startswith(k)), "csl_other")
            name = clean(row["name"])
            name = re.sub(r";? and any successor, sub-unit, or subsidiary thereof$", "", name, flags=re.I)
            more = []
            if ";" in name:  # some rows write their aliases into the name: "X; Y; Z"
                name, *more = [p.strip() for p in name.split(";") if p.strip()] or [""]
            if not name:
                continue
            t = row["type"].lower()
            kind = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "entity": "company"}.get(t) or "?"
            key = f"{src}:{hashlib.sha1(norm(name).encode()).hexdigest()[:12]}"
            e = entries.get(key)
            if e is None:  # one entry per list and name: the Entity List repeats a party per address
                e = entries[key] = Entry(key, src, kind, name, "csl-full-2022/consolidated.csv.gz")
            for a in more + (row["alt_names"] or "").split(";"):
                e.add_alias(a)
            ids, dob = ids_from_text(row["ids"] + "; " + row["remarks"])
            e.ids |= ids
            e.dob |= {m for m in re.findall(r"(\d{4})", row["dates_of_birth"] or "")}
            e.country = (row["addresses"] or "")[-2:] if re.search(r", [A-Z]{2}$", row["addresses"] or "") else ""
            if src == "csl_sdn" and row["entity_number"].strip().isdigit():
                sdn_links.append((key, f"ofac_sdn:{row['entity_number'].strip()}"))

def load_ftm(entries, path, label):
    """OpenSanctions FtM entities (CC BY-NC 4.0): names and aliases of companies and persons."""
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        o = json.loads(line)
        o = o.get("entity", o)
        sch = o.get("schema")
        if sch not in ("Company", "Organization", "LegalEntity", "Person"):
            continue
        p = o.get("properties", {})
        names = p.get("name", [])
        if not names:
            continue
        kind = "person" if sch == "Person" else "company"
        key = f"os:{o['id']}"
        latin = [n for n in names if script_of(n) == "latin"] or names
        e = entries[key] = Entry(key, "opensanctions", kind, latin[0], label)
        for n in names[1:] + p.get("alias", []) + p.get("previousName", []):
            if script_of(n) != "latin":
                e.aliases.append((n, "script:" + latin[0]))
            else:
                e.add_alias(n)
        for n in p.get("weakAlias", []):
            e.add_alias(n, "weak")

def load_dod(entries, path):
    """DoD 1260H list as transcribed by OpenSanctions (CC BY-NC 4.0)."""
    for i, row in enumerate(csv.DictReader(open(path, encoding="utf-8"))):
        name = clean((row.get("Name") or row.get("Clean Name") or "").rstrip("*. "))
        if not name:
            continue
        # the list repeats a company in each tranche ("BGI Genomics Co., Ltd. (BGI)*"): one entry
        key = f"dod1260h:{hashlib.sha1(norm(name).encode()).hexdigest()[:12]}"
        e = entries.get(key) or Entry(key, "dod_1260h", "company", name, "us_dod_1260h_chinese_military_companies.csv")
        entries[key] = e
        for col in ("Clean Name", "Alias", "Previous Name"):
            for a in re.split(r";|\n", row.get(col) or ""):
                e.add_alias(a, "fka" if col == "Previous Name" else "strong")

def load_dpl(entries, path):
    """BIS Denied Persons List (tab separated, quoted)."""
    for i, row in enumerate(csv.DictReader(open(path, encoding="latin-1"), delimiter="\t")):
        name = clean(row.get("Name"))
        if name:
            key = f"bis_dpl:{norm(name)}"
            entries.setdefault(key, Entry(key, "bis_dpl", "?", name, "bis-dpl-2022/dpl.txt"))

def resolve_kinds(entries):
    """Kinds for entries whose list gives none (CSL Entity List, DPL, DTC ...): person when
    the name has 2-5 words, no digit, no business word, and a word that is a given name of
    2+ SDN or UN individuals; company when it has a business word, a digit or one word;
    else unknown (no pairs are made from it)."""
    given = Counter()
    for e in entries.values():
        if e.kind == "person" and e.list in ("ofac_sdn", "un_sc") and "," in e.primary:
            for t in set(norm(e.primary.split(",", 1)[1]).split()):
                given[t] += 1
    for e in entries.values():
        if e.kind != "?":
            continue
        toks = norm(e.primary).split()
        if guess_kind(e.primary) == "company" or len(toks) == 1 or len(toks) > 5 or re.search(r"\d", e.primary):
            e.kind = "company"
        elif any(given[t] >= 2 for t in toks):
            e.kind = "person"
        else:
            e.kind = "unknown"

# ---------------------------------------------------------------- clusters

class DSU:
    """Union-find over entry keys that never puts two entries of one list in a cluster (a
    party is listed once per list), so an ambiguous alias cannot chain parties together."""

    def __init__(self, entries):
        self.p = {k: k for k in entries}
        self.lists = {k: {e.list} for k, e in entries.items()}

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a == b or self.lists[a] & self.lists[b]:
            return False
        if b < a:
            a, b = b, a
        self.p[b] = a
        self.lists[a] |= self.lists.pop(b)
        return True

def link_entries(entries, sdn_links):
    """Cluster entries of different lists that are one party: CSL's SDN entity number, a
    shared identifier, or an exact normalised name of the same kind that is the primary name
    of one of them and names no other entry of either list (persons: and a shared birth year)."""
    dsu = DSU(entries)
    for a, b in sdn_links:
        if b in entries:
            dsu.union(a, b)
    by_id = defaultdict(list)
    for e in entries.values():
        for i in sorted(e.ids):
            if i[0] in ("imo", "passport", "nid", "msn", "swift", "regid", "taxid"):
                by_id[i].append(e.key)
    for i, keys in sorted(by_id.items()):
        if 2 <= len(keys) <= 4 and len({entries[k].list for k in keys}) > 1:
            for k in keys[1:]:
                dsu.union(keys[0], k)
    by_name = defaultdict(list)
    for e in entries.values():
        for idx, n in enumerate(e.names()):
            if script_of(n) == "latin":
                nn = norm(n)
                if len(nn.split()) >= 2 and len(nn) >= 8:
                    by_name[(e.kind, nn)].append((e.key, idx == 0))
    for (kind, nn), hits in by_name.items():
        keys = sorted({k for k, _ in hits})
        per_list = Counter(entries[k].list for k in keys)
        if len(keys) < 2 or max(per_list.values()) > 1:
            continue  # one list names two entries so: ambiguous
        primary = {k for k, p in hits if p}
        for x in range(len(keys)):
            for y in range(x + 1, len(keys)):
                a, b = entries[keys[x]], entries[keys[y]]
                if not ({a.key, b.key} & primary):
                    continue
                if kind == "person" and not (a.dob & b.dob):
                    continue
                dsu.union(a.key, b.key)
    return dsu

# ---------------------------------------------------------------- perturbations

ABBREV = {"INTERNATIONAL": "INTL", "COMPANY": "CO", "CORPORATION": "CORP", "MANUFACTURING": "MFG",
          "INDUSTRIES": "INDS", "INDUSTRIAL": "INDL", "BROTHERS": "BROS", "ENGINEERING": "ENGG",
          "TECHNOLOGY": "TECH", "TECHNOLOGIES": "TECH", "DEVELOPMENT": "DEV", "NATIONAL": "NATL",
          "ASSOCIATION": "ASSN", "DEPARTMENT": "DEPT", "SERVICES": "SVCS", "MANAGEMENT": "MGMT",
          "INVESTMENT": "INV", "GOVERNMENT": "GOVT", "DISTRIBUTION": "DISTR", "TRADING": "TRDG",
          "ELECTRONICS": "ELEC", "EQUIPMENT": "EQUIP", "AUTHORITY": "AUTH", "INSTITUTE": "INST",
          "UNIVERSITY": "UNIV", "LABORATORY": "LAB", "LABORATORIES": "LABS", "MOUNTAIN": "MT",
          "SAINT": "ST", "COMPANIA": "CIA", "SOCIEDAD": "SOC", "LIMITED": "LTD",
          "INCORPORATED": "INC", "AND": "&", "ESTABLISHMENT": "EST", "GENERAL": "GEN",
          "ORGANIZATION": "ORG", "COMMERCIAL": "COML", "INVESTMENTS": "INVTS"}
LEGAL_SWAPS = [("CO., LTD.", "COMPANY LIMITED"), ("CO. LTD.", "COMPANY LIMITED"), ("CO., LTD", "CO LTD"),
               ("LIMITED", "LTD"), ("LTD.", "LIMITED"), ("LTD", "LIMITED"), ("LLC", "L.L.C."),
               ("L.L.C.", "LLC"), ("S.A. DE C.V.", "SA DE CV"), ("S.A.", "SA"), ("S.A.R.L.", "SARL"),
               ("SARL", "S.A.R.L."), ("CORPORATION", "CORP."), ("CORP.", "CORPORATION"),
               ("INC.", "INCORPORATED"), ("COMPANY", "CO."), ("GMBH", "G.M.B.H."),
               ("JOINT STOCK COMPANY", "JSC"), ("OPEN JOINT STOCK COMPANY", "OJSC"),
               ("CLOSED JOINT STOCK COMPANY", "CJSC"), ("PUBLIC JOINT STOCK COMPANY", "PJSC"),
               ("LIMITED LIABILITY COMPANY", "LLC"), ("OOO", "LLC"), ("FZE", "F.Z.E."),
               ("C.A.", "CA"), ("S.R.L.", "SRL"), ("PTE. LTD.", "PRIVATE LIMITED"),
               ("SDN. BHD.", "SDN BHD"), ("S.P.A.", "SPA"), ("B.V.", "BV"), ("AG", "A.G.")]
TRANSLIT = [("MOHAMMED", "MUHAMMAD"), ("MUHAMMAD", "MOHAMMED"), ("MOHAMMAD", "MUHAMMED"),
            ("MOHAMED", "MOHAMMED"), ("AHMED", "AHMAD"), ("AHMAD", "AHMED"), ("YUSUF", "YOUSSEF"),
            ("YOUSEF", "YUSUF"), ("HUSSEIN", "HUSAYN"), ("HUSAYN", "HUSSEIN"), ("HUSSAIN", "HUSEIN"),
            ("HASSAN", "HASAN"), ("HASAN", "HASSAN"), ("ABDUL", "ABD AL"), ("ABD AL", "ABDUL"),
            ("ABDEL", "ABD AL"), ("ABDUL", "ABDEL"), ("OSAMA", "USAMA"), ("USAMA", "OSAMA"),
            ("OMAR", "UMAR"), ("UMAR", "OMAR"), ("OTHMAN", "UTHMAN"), ("SULEIMAN", "SULAYMAN"),
            ("SULAYMAN", "SULEIMAN"), ("KHALID", "KHALED"), ("KHALED", "KHALID"), ("MAHMOUD", "MAHMUD"),
            ("MAHMUD", "MAHMOUD"), ("SAID", "SAEED"), ("SAEED", "SAID"), ("JAMAL", "GAMAL"),
            ("ALI", "ALY"), ("ABU", "ABOU"), ("ABOU", "ABU"), ("IBRAHIM", "EBRAHIM"), ("EBRAHIM", "IBRAHIM"),
            ("ISMAIL", "ISMAEL"), ("YAHYA", "YEHIA"), ("MUSTAFA", "MOSTAFA"), ("MOSTAFA", "MUSTAFA"),
            ("AL-", "EL-"), ("AL ", "EL "), ("ALEKSANDR", "ALEXANDER"), ("ALEXANDER", "ALEKSANDR"),
            ("SERGEI", "SERGEY"), ("SERGEY", "SERGEI"), ("YURI", "YURIY"), ("YURIY", "YURY"),
            ("ANDREI", "ANDREY"), ("ANDREY", "ANDREI"), ("DMITRI", "DMITRY"), ("DMITRIY", "DMITRI"),
            ("ALEKSEI", "ALEXEY"), ("ALEKSEY", "ALEXEI"), ("NIKOLAI", "NIKOLAY"), ("MIKHAIL", "MICHAIL"),
            ("EVGENY", "YEVGENIY"), ("YEVGENIY", "EVGENI"), ("ZH", "J"), ("KH", "H"), ("IY ", "Y "),
            ("OU", "U"), ("EE", "I"), ("Q", "K"), ("SH", "SCH"), ("TCH", "CH"), ("X", "KS"),
            ("HOSSEIN", "HUSSEIN"), ("REZA", "RIZA"), ("JAFAR", "JAAFAR"), ("MOHSEN", "MUHSIN")]
NUM_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX", 7: "SEVEN", 8: "EIGHT",
             9: "NINE", 10: "TEN", 11: "ELEVEN", 12: "TWELVE", 20: "TWENTY", 30: "THIRTY", 40: "FORTY",
             50: "FIFTY", 60: "SIXTY", 70: "SEVENTY", 80: "EIGHTY", 90: "NINETY"}
ORD = {"1ST": "FIRST", "2ND": "SECOND", "3RD": "THIRD", "4TH": "FOURTH", "5TH": "FIFTH", "FIRST": "1ST",
       "SECOND": "2ND", "THIRD": "3RD"}
KEYB = {c: n for c, n in zip("QWERTYUIOPASDFGHJKLZXCVBNM", "WQETRYUOIPSADGFJHLKXZVCNBN")}

def num_word(n):
    if n in NUM_WORDS:
        return NUM_WORDS[n]
    if 13 <= n <= 19:
        return {13: "THIRTEEN", 14: "FOURTEEN", 15: "FIFTEEN", 16: "SIXTEEN", 17: "SEVENTEEN",
                18: "EIGHTEEN", 19: "NINETEEN"}[n]
    if 21 <= n <= 99:
        return NUM_WORDS[n // 10 * 10] + "-" + NUM_WORDS[n % 10]
    return None

def keep_case(orig, new):
    """new in the case style of orig (upper, title or as is)."""
    if orig.isupper():
        return new.upper()
    if orig.islower():
        return new.lower()
    if orig.istitle():
        return new.title()
    return new

def typo(r, name, min_len=3):
    """One edit in one word: swap, drop, double or substitute a letter."""
    words = name.split(" ")
    idx = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= min_len and norm(w) not in LEGAL_TOKENS]
    if not idx:
        return None, None
    i = r.choice(idx)
    w = words[i]
    pos = [j for j in range(1, len(w)) if w[j].isalpha()]
    if not pos:
        return None, None
    j = r.choice(pos)
    op = r.choice(["swap", "drop", "double", "sub"])
    if op == "swap" and j + 1 < len(w) and w[j + 1].isalpha() and w[j] != w[j + 1]:
        w2 = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif op == "drop":
        w2 = w[:j] + w[j + 1:]
    elif op == "double":
        w2 = w[:j] + w[j] + w[j:]
    else:
        c = KEYB.get(w[j].upper(), "E")
        w2 = w[:j] + (c if w[j].isupper() else c.lower()) + w[j + 1:]
        op = "sub"
    if w2 == w:
        return None, None
    words[i] = w2
    return " ".join(words), f"typo_{op}" + ("_short" if sum(c.isalpha() for c in w) <= 4 else "")

def legal_variant(r, name):
    """Legal form swapped for an equivalent, or dropped."""
    up = name.upper()
    opts = [(a, b) for a, b in LEGAL_SWAPS if re.search(r"(^|\W)" + re.escape(a) + r"(\W|$)", up)]
    lf = legal_form(name)
    if lf and r.random() < 0.45:
        # drop the trailing legal form (with the comma before it)
        toks = name.rstrip(" .,").split(" ")
        n = len(lf.split())
        out = " ".join(toks[:-n]).rstrip(" ,")
        if len(norm(out).split()) >= 1 and norm(out) != norm(name):
            return out, "legal_form_dropped"
    if not opts:
        if not lf and r.random() < 0.5:
            add = r.choice(["LTD", "LLC", "CO., LTD.", "S.A.", "LIMITED", "CORP."])
            return name + " " + keep_case(name, add), "legal_form_added"
        return None, None
    a, b = r.choice(opts)
    m = re.search(r"(^|\W)" + re.escape(a) + r"(\W|$)", up)
    s, e = m.start() + len(m.group(1)), m.end() - len(m.group(2))
    return name[:s] + keep_case(name[s:e], b) + name[e:], "legal_form_changed"

def punct_variant(r, name):
    """Punctuation and spacing a clerk changes."""
    opts = []
    if re.search(r"[.,'\"()]", name):
        opts.append(("punct_dropped", re.sub(r"\s+", " ", re.sub(r"[.,'\"()]", " ", name)).strip()))
    if "-" in name:
        opts.append(("hyphen_to_space", name.replace("-", " ")))
        opts.append(("hyphen_glued", name.replace("-", "")))
    words = name.split()
    if len(words) >= 3:
        i = r.randrange(len(words) - 1)
        if words[i].isalpha() and words[i + 1].isalpha() and norm(words[i + 1]) not in LEGAL_TOKENS:
            opts.append(("words_glued", " ".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2:])))
    if " & " in name:
        opts.append(("amp_to_and", name.replace(" & ", " and ")))
    if " AND " in name.upper():
        opts.append(("and_to_amp", re.sub(r"(?i)\band\b", "&", name)))
    opts.append(("case_changed", name.title() if name.isupper() else name.upper()))
    v, out = r.choice(opts)
    return (out, v) if norm(out) != norm(name) or v in ("case_changed", "punct_dropped") else (None, None)

def abbrev_variant(r, name):
    words = name.split()
    idx = [i for i, w in enumerate(words) if norm(w) in ABBREV]
    if not idx:
        return None, None
    i = r.choice(idx)
    words[i] = keep_case(words[i], ABBREV[norm(words[i])] + ("." if r.random() < 0.4 and ABBREV[norm(words[i])] != "&" else ""))
    return " ".join(words), "abbrev_" + norm(name.split()[i]).lower()

def numeral_variant(r, name):
    m = re.search(r"\b(\d{1,2})\b", name)
    if m and num_word(int(m.group(1))):
        return name[:m.start()] + keep_case(name, num_word(int(m.group(1)))) + name[m.end():], "digits_to_words"
    up = name.upper()
    for k, v in ORD.items():
        if re.search(r"\b" + k + r"\b", up):
            m = re.search(r"(?i)\b" + k + r"\b", name)
            return name[:m.start()] + keep_case(m.group(0), v) + name[m.end():], "ordinal"
    for n in range(99, 0, -1):
        w = num_word(n)
        if w and re.search(r"\b" + w + r"\b", up):
            m = re.search(r"(?i)\b" + w + r"\b", name)
            return name[:m.start()] + str(n) + name[m.end():], "words_to_digits"
    return None, None

def translit_variant(r, name, person=True):
    """A romanisation variant: whole given names (both kinds); letter groups (persons only)."""
    up = name.upper()
    words = set(re.findall(r"[A-Z]+", up))
    opts = [(a, b) for a, b in TRANSLIT if (a.strip(" -") in words if len(a.strip(" -")) > 3 or a.endswith(("-", " ")) else person and a in up)]
    if not opts:
        return None, None
    a, b = r.choice(opts)
    i = up.find(a)
    out = name[:i] + keep_case(name[i:i + len(a)], b) + name[i + len(a):]
    return (out, "translit_" + a.strip().lower()) if norm(out) != norm(name) else (None, None)

def word_order_variant(r, name, kind):
    if kind == "person":
        if re.search(r",\s*(JR|SR|II|III|IV)\.?$", name, flags=re.I):
            return None, None
        if "," in name:
            last, first = [x.strip() for x in name.split(",", 1)]
            if first and last:
                return f"{first} {last}", "surname_last"
        toks = name.split()
        if len(toks) >= 2:
            return f"{toks[-1]}, {' '.join(toks[:-1])}" if r.random() < 0.5 else " ".join([toks[-1]] + toks[:-1]), "surname_first"
        return None, None
    m = re.match(r"^(.*\S),\s*([A-Z][A-Za-z.]{1,5})$", name)
    if m and norm(m.group(2)) in LEGAL_TOKENS:
        return f"{m.group(2)} {m.group(1)}", "legal_form_moved_first"
    toks = name.split()
    if len(toks) >= 2 and norm(toks[0]) in {"OOO", "OAO", "ZAO", "AO", "PAO", "TOO", "LLC", "JSC", "PJSC", "OJSC", "CJSC"}:
        return f"{' '.join(toks[1:])}, {toks[0]}", "legal_form_moved_last"
    skip = LEGAL_TOKENS | {"THE", "OF", "AND", "FOR", "DE", "LA", "EL", "DEL", "DU", "DES", "LE", "Y", "E", "DI", "AL"}
    idx = [i for i in range(len(toks) - 1) if toks[i].isalpha() and toks[i + 1].isalpha()
           and norm(toks[i]) not in skip and norm(toks[i + 1]) not in skip]
    if not idx:
        return None, None
    i = r.choice(idx)
    toks[i], toks[i + 1] = toks[i + 1], toks[i]
    return " ".join(toks), "words_swapped"

def initials_variant(r, name):
    """Given names to initials: 'SMITH, John Paul' -> 'J. P. SMITH' or 'SMITH, J.'."""
    if re.search(r",\s*(JR|SR|II|III|IV)\.?$", name, flags=re.I):
        return None, None
    if "," in name:
        last, first = [x.strip() for x in name.split(",", 1)]
    else:
        toks = name.split()
        if len(toks) < 2:
            return None, None
        last, first = toks[-1], " ".join(toks[:-1])
    given = [g for g in re.split(r"[\s-]+", first) if g and g[0].isalpha()]
    if not given or not last:
        return None, None
    if r.random() < 0.5:
        return " ".join(g[0].upper() + "." for g in given) + " " + last, "initials_all"
    return f"{given[0]} " + " ".join(g[0].upper() + "." for g in given[1:]) + (" " if len(given) > 1 else "") + last, "initials_middle" if len(given) > 1 else "surname_last"

def drop_middle(r, name):
    if "," in name:
        last, first = [x.strip() for x in name.split(",", 1)]
        g = first.split()
        if len(g) >= 2:
            return f"{last}, {g[0]}", "middle_dropped"
    else:
        t = name.split()
        if len(t) >= 3:
            return f"{t[0]} {t[-1]}", "middle_dropped"
    return None, None

# ---------------------------------------------------------------- pair building

class Pairs:
    def __init__(self):
        self.rows = []
        self.seen = set()

    def add(self, a, b, kind, match, cat, source, split, variant=None, kind_b=None, script=None):
        a, b = clean(a), clean(b)
        if not a or not b or a == b:
            return False
        k = (a, b) if a <= b else (b, a)
        if k in self.seen:
            return False
        self.seen.add(k)
        row = {"a": a, "b": b, "kind": kind, "match": match, "category": cat,
               "script": script or (script_of(a) if script_of(a) != "latin" else script_of(b)),
               "source": source, "split": split}
        if variant:
            row["variant"] = variant
        if kind_b and kind_b != kind:
            row["kind_b"] = kind_b
        self.rows.append(row)
        return True

def _close(x, y):
    """Two tokens that are one spelling apart (or one the initial of the other)."""
    from difflib import SequenceMatcher
    if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
        return True
    return len(x) >= 3 and len(y) >= 3 and SequenceMatcher(None, x, y).ratio() >= 0.75

def lexically_related(a, b, kind="company"):
    """True when b reads as a spelling variant of a, not another name: for persons every
    token of the shorter name has a close token in the longer one; for companies they share
    a distinctive token or their letters are close."""
    from difflib import SequenceMatcher
    if kind == "person":
        ta, tb = norm(a).split(), norm(b).split()
        short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
        return bool(short) and all(any(_close(x, y) for y in long_) for x in short)
    common = GENERIC | {"DEPARTMENT", "MINISTRY", "OFFICE", "BUREAU", "INSTITUTE", "DESIGN", "CENTRAL",
                        "RESEARCH", "SCIENTIFIC", "PRODUCTION", "PLANT", "FACTORY", "COMMITTEE", "ISLAMIC",
                        "JIHAD", "ARMY", "FRONT", "MOVEMENT", "BRIGADE", "PARTY", "UNION", "STATE", "FEDERAL"}
    ta, tb = set(content_tokens(a)) - common, set(content_tokens(b)) - common
    if ta and tb and len(ta & tb) * 2 >= min(len(ta), len(tb)):
        return True
    return SequenceMatcher(None, " ".join(sorted(ta)), " ".join(sorted(tb))).ratio() >= 0.7

def is_acronym(alias, name):
    al = norm(alias).replace(" ", "")
    if len(norm(alias).split()) != 1 or not 2 <= len(al) <= 8:
        return False
    return al.isalpha() and al[0] == (norm(name) or " ")[0]

def build_pairs(entries, dsu, seed, old_pairs_path):
    P = Pairs()
    cluster = {k: dsu.find(k) for k in entries}
    members = defaultdict(list)
    for k, c in cluster.items():
        members[c].append(k)
    split = {c: sha_split(c) for c in members}
    spl = lambda k: split[cluster[k]]
    src = lambda e: f"{e.source} {e.key}"

    # 1. aliases of one entry (incl. original-script names)
    for k in sorted(entries):
        e = entries[k]
        if e.kind == "unknown":
            continue
        r = rng(seed, k, "alias")
        strong = [a for a, q in e.aliases if q in ("strong", "fka")]
        weak = [a for a, q in e.aliases if q == "weak"]
        scripts = [(a, q[7:]) for a, q in e.aliases if q.startswith("script:")]
        kind = e.kind if e.kind in ("person", "company", "vessel", "aircraft") else "company"
        for a in strong[:3]:
            if script_of(a) != "latin":
                continue
            if kind == "company" and is_acronym(a, e.primary):
                cat = "alias_acronym"
            elif lexically_related(e.primary, a, kind):
                cat = "alias"
            else:
                cat = "alias_other"
            if cat == "alias_other" and r.random() < 0.6:
                continue
            P.add(e.primary, a, kind, True, cat, src(e), spl(k))
        if weak and r.random() < 0.3:
            P.add(e.primary, r.choice(weak), kind, True, "alias_weak", src(e), spl(k))
        for orig, latin in scripts[:2]:
            P.add(orig, latin, kind, True, "script", src(e), spl(k), script=script_of(orig))

    # 2. the same party across lists
    for c in sorted(members):
        ks = sorted(members[c])
        if len(ks) < 2:
            continue
        done = 0
        for i in range(len(ks)):
            for j in range(i + 1, len(ks)):
                ea, eb = entries[ks[i]], entries[ks[j]]
                if ea.kind == "unknown" or ea.list == eb.list or (ea.list, eb.list) in (("ofac_sdn", "csl_sdn"), ("csl_sdn", "ofac_sdn")) and norm(ea.primary) == norm(eb.primary):
                    continue
                na = [n for n in ea.names() if script_of(n) == "latin"]
                nb = [n for n in eb.names() if script_of(n) == "latin"]
                seen_norm = {norm(n) for n in na}
                cand = [(x, y) for x in na[:3] for y in nb[:3] if norm(y) not in seen_norm and norm(x) != norm(y)]
                r = rng(seed, c, "cross", ks[i], ks[j])
                r.shuffle(cand)
                for x, y in cand[:2]:
                    kind = ea.kind if ea.kind in ("person", "company", "vessel", "aircraft") else "company"
                    related = lexically_related(x, y, kind)
                    if not related and r.random() < 0.7:
                        continue
                    if P.add(x, y, kind, True, "cross_list" if related else "cross_list_other", f"{src(ea)} = {src(eb)}", split[c],
                             variant=f"{ea.list}~{eb.list}"):
                        done += 1
                if done >= 3:
                    break

    # 3. perturbations a clerk makes, on primary names
    gens_company = [("typo", typo), ("legal_form", legal_variant), ("punct", punct_variant),
                    ("abbrev", abbrev_variant), ("numeral", numeral_variant),
                    ("word_order", lambda r, n: word_order_variant(r, n, "company")),
                    ("translit", lambda r, n: translit_variant(r, n, person=False))]
    gens_person = [("typo", typo), ("word_order", lambda r, n: word_order_variant(r, n, "person")),
                   ("initials", initials_variant), ("translit", translit_variant),
                   ("punct", punct_variant), ("middle_dropped", drop_middle)]
    gens_vessel = [("typo", typo), ("punct", punct_variant), ("numeral", numeral_variant)]
    quota = {"company": 0.55, "person": 0.45, "vessel": 0.5, "aircraft": 0.0}
    for k in sorted(entries):
        e = entries[k]
        if e.list not in ("ofac_sdn", "ofac_cons", "un_sc", "csl_el", "csl_dtc", "csl_meu", "csl_uvl", "csl_isn", "dod_1260h", "opensanctions", "csl_cmic", "csl_cap", "csl_ssi"):
            continue
        if script_of(e.primary) != "latin" or e.kind == "unknown":
            continue
        r = rng(seed, k, "perturb")
        if r.random() > quota.get(e.kind, 0.3):
            continue
        gens = gens_person if e.kind == "person" else gens_vessel if e.kind == "vessel" else gens_company
        order = gens[:]
        r.shuffle(order)
        made = 0
        for cat, g in order:
            out, variant = g(r, e.primary)
            if out and norm(out) != norm(e.primary) or (out and variant in ("case_changed",)):
                if P.add(e.primary, out, e.kind, True, cat if cat != "middle_dropped" else "word_drop", src(e), spl(k), variant=variant):
                    made += 1
            if made >= 2:
                break

    # 4. hard negatives: different entries of the same list sharing words
    by_list = defaultdict(list)
    for k in sorted(entries):
        e = entries[k]
        if script_of(e.primary) == "latin":
            by_list[e.list].append(e)
    all_company_index = defaultdict(list)
    for e in entries.values():
        if e.kind == "company" and script_of(e.primary) == "latin":
            for t in set(content_tokens(e.primary)):
                if t not in GENERIC and len(t) >= 4:
                    all_company_index[t].append(e)
    for lst, es in sorted(by_list.items()):
        if lst in ("csl_sdn", "bis_dpl", "csl_dpl", "csl_dtc"):
            continue  # csl_sdn repeats the SDN; DPL and DTC list one party once per address
        comp = [e for e in es if e.kind == "company"]
        pers = [e for e in es if e.kind == "person"] if lst in ("ofac_sdn", "ofac_cons", "un_sc", "opensanctions") else []
        ves = [e for e in es if e.kind in ("vessel", "aircraft")]
        neg_pairs(P, seed, lst, comp, "first_token", lambda e: (content_tokens(e.primary) or [""])[0], cluster, split, src, max_per=4)
        df = Counter(t for e in comp for t in set(content_tokens(e.primary)))
        def rare_token(e):
            toks = [t for t in content_tokens(e.primary) if 2 <= df[t] <= 25 and len(t) >= 4 and t not in GENERIC]
            return toks[0] if toks else ""
        neg_pairs(P, seed, lst, comp, "distinctive_word", rare_token, cluster, split, src, max_per=4)
        neg_pairs(P, seed, lst, comp, "legal_form_country",
                  lambda e: (legal_form(e.primary) + "|" + e.country) if legal_form(e.primary) else "", cluster, split, src, max_per=3, need_shared=False)
        def surname(e):
            n = e.primary
            if "," in n:
                return norm(n.split(",")[0])
            t = norm(n).split()
            return t[-1] if len(t) >= 2 else ""
        neg_pairs(P, seed, lst, pers, "same_surname", surname, cluster, split, src, max_per=8, need_shared=False, person=True)
        def given_and_initial(e):
            n = e.primary
            if "," in n:
                last, first = norm(n.split(",")[0]), norm(n.split(",", 1)[1])
            else:
                t = norm(n).split()
                if len(t) < 2:
                    return ""
                last, first = t[-1], " ".join(t[:-1])
            g = first.split()
            return (g[0] + "|" + last[:3]) if g and len(last) >= 4 else ""
        neg_pairs(P, seed, lst, pers, "same_given_similar_surname", given_and_initial, cluster, split, src, max_per=4, need_shared=False, person=True, allow_given=True)
        # companies (and vessels) whose names differ in exactly one word: "X CEMENT INVESTMENT" /
        # "X CEMENT PRODUCTS", "RIM GROUP INVESTMENTS II CORP." / "... III CORP.", "HERO I" / "HERO II"
        for group, kindname in ((comp, "company"), ([e for e in ves if e.kind == "vessel"], "vessel"), (pers, "person")):
            sig = defaultdict(list)
            for e in group:
                toks = norm(e.primary).split()
                if 2 <= len(toks) <= 8:
                    for i in range(len(toks)):
                        sig[(split[cluster[e.key]], len(toks), i, tuple(toks[:i] + toks[i + 1:]))].append(e)
            made = Counter()
            for key, g in sorted(sig.items(), key=lambda kv: kv[0][:3] + (" ".join(kv[0][3]),)):
                if len(g) < 2:
                    continue
                r = rng(seed, lst, "one_word", " ".join(key[3]), key[2])
                g = sorted(g, key=lambda e: e.key)
                r.shuffle(g)
                a, b = g[0], g[1]
                da, db = norm(a.primary).split()[key[2]], norm(b.primary).split()[key[2]]
                if cluster[a.key] == cluster[b.key] or made[" ".join(key[3])] >= 1 or {da, db} & LEGAL_TOKENS or da == db:
                    continue
                if kindname == "person" and (_close(da, db) or (a.dob & b.dob)):
                    continue  # a spelling variant, or the same birth year: could be one person
                if lst.startswith(("csl_", "dod_")) and _close(da, db) and re.sub(r"\D", "", da) == re.sub(r"\D", "", db):
                    continue  # these lists repeat a party under variant spellings
                if P.add(a.primary, b.primary, kindname, False, "hard_negative", f"{src(a)} / {src(b)}", key[0],
                         variant="one_word_differs"):
                    made[" ".join(key[3])] += 1
        # vessels / aircraft vs companies (of any list) sharing a word
        cidx = all_company_index
        for v in ves:
            r = rng(seed, v.key, "vessel_neg")
            made = 0
            for t in content_tokens(v.primary):
                cands = [c for c in cidx.get(t, []) if split[cluster[c.key]] == split[cluster[v.key]] and cluster[c.key] != cluster[v.key]]
                if cands:
                    c = r.choice(cands)
                    P.add(c.primary, v.primary, "company", False, "hard_negative", f"{src(c)} / {src(v)}",
                          split[cluster[v.key]], variant="company_vs_" + v.kind, kind_b=v.kind)
                    made += 1
                    if made >= 2:
                        break
    # script negatives: original-script name vs another entry's Latin name sharing a token
    latin_index = defaultdict(list)
    for e in entries.values():
        if e.list in ("un_sc", "ofac_sdn", "ofac_cons", "opensanctions"):
            for t in set(content_tokens(e.primary)):
                latin_index[(e.kind, t)].append(e)
    for k in sorted(entries):
        e = entries[k]
        for orig, latin in [(a, q[7:]) for a, q in e.aliases if q.startswith("script:")][:1]:
            r = rng(seed, k, "script_neg")
            for t in content_tokens(latin):
                cands = [x for x in latin_index.get((e.kind, t), []) if cluster[x.key] != cluster[k]
                         and x.list == e.list and split[cluster[x.key]] == spl(k) and t not in GENERIC
                         and not lexically_related(latin, x.primary, e.kind)]
                if cands:
                    x = r.choice(cands)
                    P.add(orig, x.primary, e.kind, False, "hard_negative", f"{src(e)} / {src(x)}", spl(k),
                          variant="script_vs_other_entry", script=script_of(orig))
                    break

    # 5. the existing labelled pairs, split by the entry they name
    name_to_cluster = {}
    for e in entries.values():
        for n in e.names():
            name_to_cluster.setdefault(norm(n), cluster[e.key])
    if old_pairs_path and os.path.exists(old_pairs_path):
        for line in open(old_pairs_path, encoding="utf-8"):
            if not line.strip():
                continue
            p = json.loads(line)
            c = name_to_cluster.get(norm(p["a"])) or name_to_cluster.get(norm(p["b"])) or "bench:" + norm(p["a"])
            sp = split.get(c) or sha_split(c)
            cat = p["category"]
            P.add(p["a"], p["b"], p["kind"], bool(p["match"]), "bench_" + cat, "bench/names/pairs.jsonl", sp,
                  variant=cat)
    return P

CAPS = {"alias": 800, "cross_list": 600, "cross_list_other": 100, "script": 350, "alias_other": 150, "alias_acronym": 150,
        "alias_weak": 97, "typo": 500, "punct": 200, "word_order": 300, "legal_form": 300,
        "translit": 250, "initials": 200, "abbrev": 200, "word_drop": 120}

def balance(rows, seed):
    """Keep at most CAPS[category] positives of a category: those whose sha1(seed, a, b) is
    smallest, so the choice does not depend on the order of the rows."""
    groups = defaultdict(list)
    for r in rows:
        groups[(r["match"], r["category"])].append(r)
    keep = set()
    for (m, cat), rs in groups.items():
        cap = CAPS.get(cat) if m else None
        if cap is not None and len(rs) > cap:
            rs = sorted(rs, key=lambda r: hashlib.sha1(f"{seed}|{r['a']}|{r['b']}".encode()).hexdigest())[:cap]
        keep |= {id(r) for r in rs}
    return [r for r in rows if id(r) in keep]

def _similar_core(a, b):
    """Names whose distinctive words are nearly the same letters (ratio >= 0.85)."""
    from difflib import SequenceMatcher
    return SequenceMatcher(None, " ".join(content_tokens(a)), " ".join(content_tokens(b))).ratio() >= 0.85

def neg_pairs(P, seed, lst, es, variant, keyf, cluster, split, src, max_per=1, need_shared=True, person=False, allow_given=False):
    """Pairs of different entries with the same key (first token, rare word, ...)."""
    groups = defaultdict(list)
    for e in es:
        k = keyf(e)
        if k:
            groups[(split[cluster[e.key]], k)].append(e)
    for (sp, k), g in sorted(groups.items()):
        if len(g) < 2:
            continue
        r = rng(seed, lst, variant, k, sp)
        g = g[:]
        r.shuffle(g)
        made = 0
        for i in range(0, len(g) - 1, 2):
            a, b = g[i], g[i + 1]
            if cluster[a.key] == cluster[b.key] or norm(a.primary) == norm(b.primary):
                continue
            ta, tb = set(content_tokens(a.primary)), set(content_tokens(b.primary))
            if person:
                ta, tb = set(norm(a.primary).split()), set(norm(b.primary).split())
            if ta <= tb or tb <= ta:
                continue  # one name inside the other: possibly one person, or a parent and its unit
            if person:
                ga = set(norm(a.primary.split(",", 1)[-1]).split()) if "," in a.primary else set(norm(a.primary).split()[:-1])
                gb = set(norm(b.primary.split(",", 1)[-1]).split()) if "," in b.primary else set(norm(b.primary).split()[:-1])
                if (ga & gb) and not allow_given:
                    continue
                if allow_given and (norm(a.primary.split(",")[0]) == norm(b.primary.split(",")[0]) or (a.dob & b.dob)):
                    continue  # same surname and given name, or same birth year: could be one person  # shared given name too: could be one person listed twice
            if need_shared and not (ta & tb):
                continue
            if lst.startswith(("csl_", "dod_")) and _similar_core(a.primary, b.primary):
                continue  # these lists repeat a party under variant names (tranches, addresses)
            if P.add(a.primary, b.primary, a.kind, False, "hard_negative", f"{src(a)} / {src(b)}", sp, variant=variant):
                made += 1
            if made >= max_per:
                break

# ---------------------------------------------------------------- listed names (bundled snapshots)

def uflpa_names(path):
    """Entity names (and their aliases) from a UFLPA Entity List page fragment."""
    html = open(path, encoding="utf-8").read()
    out = []
    for cell in re.findall(r"<tr><td>(.*?)</td>", html, flags=re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", cell).replace("&nbsp;", " ").replace("&amp;", "&").split())
        m = re.match(r"(.*?)\s*(?:\((.*)\))?\s*(?:and subsidiaries)?\s*$", text)
        primary = m.group(1).strip() if m else text
        out.append((primary, "primary"))
        inner = m.group(2) if m else ""
        if inner:
            inner = re.sub(r"^(including (one|two|three) alias(es)?:|formerly known as|also known as|and (one|two|three) alias(es)?:)\s*", "", inner.strip())
            for a in re.split(r";\s*(?:and\s+)?", inner):
                a = a.strip().rstrip(".")
                if a:
                    out.append((a, "alias"))
    return out

def build_listed(repo):
    snap = os.path.join(repo, "feeds", "snapshots")
    rows = []
    ents = {}
    load_ofac_csv(ents, os.path.join(snap, "ofac_sdn_csv"), "ofac_sdn", "ofac_sdn", label="feeds/snapshots/ofac_sdn_csv")
    for e in sorted(ents.values(), key=lambda e: int(e.key.split(":")[1])):
        rows.append({"name": e.primary, "kind": e.kind, "list": "us_ofac_sdn", "entity": e.key, "name_type": "primary"})
    ents = {}
    load_ofac_xml(ents, os.path.join(snap, "consolidated.xml"), "ofac_cons", "ofac_cons")
    for e in ents.values():
        rows.append({"name": e.primary, "kind": e.kind, "list": "us_ofac_consolidated", "entity": e.key, "name_type": "primary"})
    ents = {}
    load_un(ents, os.path.join(snap, "UN_consolidated.xml"))
    for e in ents.values():
        rows.append({"name": e.primary, "kind": e.kind, "list": "un_sc", "entity": e.key, "name_type": "primary"})
    for fn in ("uflpa_entity_list_trimmed_a.html", "uflpa_entity_list_trimmed_b.html"):
        p = os.path.join(snap, fn)
        if os.path.exists(p):
            prim = None
            for n, t in uflpa_names(p):
                prim = n if t == "primary" else prim
                rows.append({"name": n, "kind": "company", "list": "us_uflpa", "entity": "uflpa:" + norm(prim), "name_type": t})
    p = os.path.join(snap, "csl_consolidated_small.csv")
    if os.path.exists(p):
        for row in csv.DictReader(open(p, encoding="utf-8")):
            name = re.sub(r";? and any successor, sub-unit, or subsidiary thereof$", "", clean(row["name"]), flags=re.I)
            t = row["type"].lower()
            kind = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "entity": "company"}.get(t) or guess_kind(name)
            rows.append({"name": name, "kind": kind, "list": "us_csl", "entity": "csl:" + row["_id"][:16], "name_type": "primary"})
    for r in rows:
        r["split"] = sha_split(r["entity"])
    return rows

# ---------------------------------------------------------------- ordinary companies

COUNTRY_FIX = {"Kong/China": "HK", "Hong Kong/China": "HK", "South Korea": "KR", "Korea": "KR",
               "Russia": "RU", "Taiwan": "TW", "United States": "US", "United Kingdom": "GB",
               "Netherlands": "NL", "Czech Republic": "CZ", "Venezuela": "VE", "Islands": "KY",
               "Cayman Islands": "KY", "Africa": "ZA", "Iran": "IR", "Vietnam": "VN", "Bolivia": "BO",
               "Tanzania": "TZ", "Syria": "SY", "Laos": "LA", "Moldova": "MD", "Macedonia": "MK"}

def country_codes(data):
    """English country name -> ISO alpha-2, from the ISO 3166 table in the shared data."""
    m = {}
    p = os.path.join(data, "codes", "iso3166_country-codes.csv")
    for row in csv.DictReader(open(p, encoding="utf-8")):
        a2 = row.get("ISO3166-1-Alpha-2")
        for col in ("CLDR display name", "official_name_en", "UNTERM English Short", "Country"):
            if row.get(col) and a2:
                m[row[col].strip()] = a2
    m.update(COUNTRY_FIX)
    return m

def build_ordinary(data, srcdir, listed_norms):
    cc = country_codes(data)
    out, removed = [], []
    def add(name, country, source):
        name = clean(name)
        if not name or not country:
            return
        if norm(name) in listed_norms:
            removed.append({"name": name, "country": country, "source": source})
            return
        out.append({"name": name, "country": country, "source": source})
    # Forbes Global 2000 (2004), via the R package HSAUR (Rdatasets copy)
    p = os.path.join(srcdir, "forbes2000_2004.csv")
    for row in csv.DictReader(open(p, encoding="utf-8")):
        name, country = row["name"].strip(), row["country"].strip()
        if country in ("Kong/China",) and name.endswith(" Hong"):
            name = name[:-5]
        elif country == "Islands" and name.endswith(" Cayman"):
            name = name[:-7]
        elif country in ("Korea", "Africa") and name.endswith(" South"):
            name = name[:-6]
        first = country.split("/")[0].strip()
        code = cc.get(first) or cc.get(country)
        add(name.replace("`", "'"), code, "Forbes Global 2000 (2004), HSAUR::Forbes2000 via curran/data@86c630c Rdatasets/csv/HSAUR/Forbes2000.csv")
    # S&P 500 constituents
    p = os.path.join(srcdir, "sp500_constituents.csv")
    non_us = {"Ireland": "IE", "United Kingdom": "GB", "Switzerland": "CH", "Netherlands": "NL",
              "Bermuda": "BM", "Canada": "CA", "UK": "GB", "Jersey": "JE", "Israel": "IL"}
    for row in csv.DictReader(open(p, encoding="utf-8")):
        hq = row.get("Headquarters Location", "")
        last = hq.split(",")[-1].strip()
        add(row["Security"], non_us.get(last, "US"), "S&P 500 constituents, datasets/s-and-p-500-companies@56509dd data/constituents.csv")
    # UK public-sector suppliers: award notices of Contracts Finder (OCDS), as quoted in a
    # public repository's test data (extraction: src/PROVENANCE.md)
    p = os.path.join(srcdir, "contracts_finder_suppliers.csv")
    for row in csv.DictReader(open(p, encoding="utf-8")):
        add(row["name"], "GB", f"UK Contracts Finder award {row['ocid']} party {row['party_id']} (apa999/CFServer1@cfda786 {row['path']})")
    # GLEIF LEI records (legal names and legal-address countries)
    seen = set()
    for f in sorted(glob.glob(os.path.join(data, "gleif", "gleif-rs-api-fixtures", "*", "*.json"))):
        def walk(o):
            if isinstance(o, dict):
                if o.get("type") == "lei-records" and "attributes" in o:
                    e = o["attributes"]["entity"]
                    k = (e["legalName"]["name"], e["legalAddress"]["country"])
                    if k not in seen:
                        seen.add(k)
                        add(k[0], k[1], f"GLEIF LEI {o['attributes']['lei']} (gleif-rs-api-fixtures, CC0)")
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(json.load(open(f, encoding="utf-8")))
    # public-sector suppliers named in real OCDS releases
    for f in sorted(glob.glob(os.path.join(data, "tenders", "ocds", "real_*.json"))):
        def walk(o):
            if isinstance(o, dict):
                if "roles" in o and "name" in o and ({"supplier", "tenderer"} & set(o.get("roles") or [])):
                    addr = o.get("address") or {}
                    c = addr.get("countryName") or ""
                    code = cc.get(c) or ("MX" if "cdmx" in f or "_mx_" in f else "PY" if "_py_" in f else "")
                    add(o["name"], code, "OCDS " + os.path.basename(f) + " party " + str(o.get("id", "")))
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(json.load(open(f, encoding="utf-8")))
    # de-duplicate by normalised name + country, keep the first
    uniq, seen2 = [], set()
    for r in out:
        k = (norm(r["name"]), r["country"])
        if k not in seen2 and len(norm(r["name"])) >= 2:
            seen2.add(k)
            r["split"] = sha_split("ordinary:" + norm(r["name"]))
            uniq.append(r)
    return uniq, removed

# ---------------------------------------------------------------- vessel / aircraft decoys

DECOY_FORMS = [("Ltd", "GB"), ("GmbH", "DE"), ("S.A.", "FR"), ("B.V.", "NL"), ("AS", "NO"), ("S.p.A.", "IT"),
               ("Inc.", "US"), ("Pty Ltd", "AU"), ("AB", "SE"), ("Oy", "FI"), ("Plc", "GB"), ("ApS", "DK")]
DECOY_WORDS = ["Products", "Logistics", "Supply", "Trading", "Holdings", "Services", "Consulting", "Foods",
               "Engineering", "Systems", "Textiles", "Electric", "Packaging", "Furniture", "Partners"]

def build_decoys(repo, seed, listed_norms):
    """Ordinary-looking company names made from the words of OFAC vessel and aircraft names."""
    ents = {}
    load_ofac_csv(ents, os.path.join(repo, "feeds", "snapshots", "ofac_sdn_csv"), "ofac_sdn", "ofac_sdn", label="feeds/snapshots/ofac_sdn_csv")
    rows = []
    for e in sorted(ents.values(), key=lambda e: int(e.key.split(":")[1])):
        if e.kind not in ("vessel", "aircraft"):
            continue
        roman = re.compile(r"^[IVX]+$")
        base = " ".join(w.capitalize() if w.isalpha() and not roman.match(w) else w for w in e.primary.split())
        r = rng(seed, e.key, "decoy")
        for i in range(2):
            form, cty = r.choice(DECOY_FORMS)
            word = r.choice(DECOY_WORDS)
            name = f"{base} {word} {form}"
            if norm(name) in listed_norms:
                continue
            rows.append({"name": name, "country": cty, "from": e.primary, "from_kind": e.kind,
                         "entity": e.key, "split": sha_split(e.key)})
    return rows

# ---------------------------------------------------------------- main

def check_split(rows):
    """Exit when an entry key named in a pair's source has pairs in both splits."""
    sides = defaultdict(set)
    for r in rows:
        for k in re.findall(r"\b([a-z_0-9]+:[^\s/=]+)", r["source"]):
            sides[k].add(r["split"])
    bad = sorted(k for k, v in sides.items() if len(v) > 1)
    if bad:
        sys.exit(f"build.py: {len(bad)} entries have pairs in both splits, e.g. {bad[:5]}")

def write_jsonl(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get("REDFLAG_SAMPLE_DATA", "sample-data"))
    ap.add_argument("--repo", default=os.path.normpath(os.path.join(HERE, "..", "..", "..")))
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--src", default=None)
    ap.add_argument("--seed", default="12")
    a = ap.parse_args()
    D = a.data
    srcdir = a.src or os.path.join(a.out, "src")
    for need in ("sanctions/ofac/sdn-csv-full/sdn.csv", "sanctions/un/UN_consolidated.xml",
                 "entity-lists/csl-full-2022/consolidated.csv.gz"):
        if not os.path.exists(os.path.join(D, need)):
            sys.exit(f"build.py: {os.path.join(D, need)}: missing (give the shared data dir with --data)")
    entries = {}
    load_ofac_csv(entries, os.path.join(D, "sanctions/ofac/sdn-csv-full"), "ofac_sdn", "ofac_sdn", label="sdn-csv-full")
    load_ofac_csv(entries, os.path.join(D, "sanctions/ofac/sdn-csv-2021-bench"), "ofac_sdn", "ofac_sdn", label="sdn-csv-2021-bench")
    load_ofac_csv(entries, os.path.join(D, "sanctions/ofac/consolidated-csv"), "ofac_cons", "ofac_cons",
                  sdn="cons_prim.csv", alt="cons_alt.csv", label="consolidated-csv")
    load_ofac_xml(entries, os.path.join(D, "sanctions/ofac/consolidated.xml"), "ofac_cons", "ofac_cons")
    load_ofac_enhanced(entries, open(os.path.join(D, "sanctions/ofac/sdn_enhanced_IRGC_program.xml"), "rb").read(),
                       "ofac_sdn", "ofac_sdn", "sdn_enhanced_IRGC_program.xml")
    with zipfile.ZipFile(os.path.join(D, "sanctions/ofac/cons-enhanced-2025/CONS_ENHANCED.ZIP")) as z:
        load_ofac_enhanced(entries, z.read(z.namelist()[0]), "ofac_cons", "ofac_cons", "CONS_ENHANCED.ZIP")
    load_un(entries, os.path.join(D, "sanctions/un/UN_consolidated.xml"))
    sdn_links = []
    load_csl(entries, os.path.join(D, "entity-lists/csl-full-2022/consolidated.csv.gz"), sdn_links)
    load_dpl(entries, os.path.join(D, "entity-lists/bis-dpl-2022/dpl.txt"))
    load_ftm(entries, os.path.join(D, "sanctions/opensanctions/yente_zala_entities.ftm.json"), "yente_zala_entities.ftm.json (CC BY-NC)")
    load_ftm(entries, os.path.join(D, "sanctions/opensanctions/yente_t1_entities.ftm.json"), "yente_t1_entities.ftm.json (CC BY-NC)")
    load_dod(entries, os.path.join(D, "entity-lists/us_dod_1260h_chinese_military_companies.csv"))
    resolve_kinds(entries)
    dsu = link_entries(entries, sdn_links)
    P = build_pairs(entries, dsu, a.seed, os.path.join(a.repo, "bench", "names", "pairs.jsonl"))
    P.rows = balance(P.rows, a.seed)
    check_split(P.rows)
    write_jsonl(os.path.join(a.out, "pairs.jsonl"), P.rows)

    listed = build_listed(a.repo)
    write_jsonl(os.path.join(a.out, "listed.jsonl"), listed)
    # every name of every list file we have, for "on no list"
    listed_norms = {norm(n) for e in entries.values() for n in e.names()} | {norm(r["name"]) for r in listed}
    ordinary, removed = build_ordinary(D, srcdir, listed_norms)
    write_jsonl(os.path.join(a.out, "ordinary.jsonl"), ordinary)
    decoys = build_decoys(a.repo, a.seed, listed_norms)
    write_jsonl(os.path.join(a.out, "decoys.jsonl"), decoys)

    c = Counter((r["match"], r["category"]) for r in P.rows)
    print(f"entries {len(entries)}, clusters {len({dsu.find(k) for k in entries})}", file=sys.stderr)
    print(f"pairs {len(P.rows)}: {sum(r['match'] for r in P.rows)} positive, "
          f"dev {sum(r['split'] == 'dev' for r in P.rows)}, held {sum(r['split'] == 'held' for r in P.rows)}", file=sys.stderr)
    for (m, cat), n in sorted(c.items()):
        print(f"  {'+' if m else '-'} {cat:28} {n}", file=sys.stderr)
    print(f"listed {len(listed)}; ordinary {len(ordinary)} (removed {len(removed)} on a list: "
          f"{', '.join(r['name'] for r in removed[:12])}); decoys {len(decoys)}", file=sys.stderr)

if __name__ == "__main__":
    main()
