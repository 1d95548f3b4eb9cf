#!/usr/bin/env python3
"""Build bench/names/pairs.jsonl, the labelled name-pair set (see README.md).

Real listed names are read from the public sample data (DATA_DIR, normally
the sample data folder, $REDFLAG_SAMPLE_DATA) and varied with the transformations suppliers' records show
(legal forms, case and punctuation, typos, word order, abbreviations, spacing,
dropped generic words, transliteration). Near misses are real pairs of
*different* listed entities that share words, plus one-word substitutions.
Hand-written pairs (other scripts, well-known cases) are in manual.jsonl.
Deterministic: the same data gives the same file.
Usage: python3 bench/names/build_pairs.py DATA_DIR > bench/names/pairs.jsonl
"""
import csv, json, random, re, sys, os, xml.etree.ElementTree as ET

R = random.Random(4)
OUT = []

def add(a, b, kind, match, cat):
    if a and b and a != b:
        OUT.append({"a": a, "b": b, "kind": kind, "match": match, "category": cat})

def dod(d):
    with open(f"{d}/entity-lists/us_dod_1260h_chinese_military_companies.csv", encoding="utf-8") as fp:
        return [r for r in csv.DictReader(fp)]

def ofac(d):
    rows = []
    with open(f"{d}/sanctions/ofac/sdn-csv-full/sdn.csv", encoding="utf-8", errors="replace") as fp:
        for r in csv.reader(fp):
            if len(r) > 3:
                rows.append((r[1].strip(), r[2].strip()))
    return rows

LEGAL_SWAPS = [(r"\bCo\.,? Ltd\.?", "Company Limited"), (r"\bCompany Limited\b", "Co., Ltd."),
               (r"\bCorporation\b", "Corp."), (r"\bLimited\b", "Ltd"), (r"\bLtd\.?", "Limited"),
               (r"\bInc\.?", "Incorporated"), (r"\bLLC\b", "L.L.C."), (r"\bGroup\b", "Grp")]

def legal_variant(n):
    for pat, rep in LEGAL_SWAPS:
        if re.search(pat, n):
            return re.sub(pat, rep, n, count=1)
    return None

def strip_legal(n):
    m = re.sub(r",?\s*\b(Co\.,? ?Ltd\.?|Company Limited|Corporation Limited|Limited|Ltd\.?|Inc\.?|Corporation|Corp\.?|LLC|Co\.)\s*$", "", n)
    return m if m != n else None

def typo(n):
    words = [w for w in n.split() if len(w) >= 6 and w.isalpha()]
    if not words:
        return None
    w = R.choice(words)
    i = R.randrange(1, len(w) - 2)
    op = R.choice(("swap", "drop", "double", "sub"))
    if op == "swap":
        t = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif op == "drop":
        t = w[:i] + w[i + 1:]
    elif op == "double":
        t = w[:i] + w[i] + w[i:]
    else:
        t = w[:i] + ("e" if w[i] != "e" else "a") + w[i + 1:]
    return n.replace(w, t, 1)

def casepunct(n):
    return re.sub(r"[.,()]", "", n).upper()

ABBR = [("International", "Intl"), ("Technology", "Tech"), ("Industries", "Inds"), ("Industry", "Ind."),
        ("Manufacturing", "Mfg"), ("National", "Natl"), ("Engineering", "Engg"), ("Company", "Co"),
        ("Corporation", "Corp"), ("Development", "Dev"), ("Equipment", "Equip")]

def abbrev(n):
    for full, ab in ABBR:
        if full in n:
            return n.replace(full, ab, 1)
    return None

def spacing(n):
    words = n.split()
    for i in range(len(words) - 1):
        if words[i].isalpha() and words[i + 1].isalpha() and 3 <= len(words[i]) <= 7 and words[i][0].isupper():
            return " ".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2:])
    return None

GENERIC = ("Group", "Holding", "Holdings", "International", "Trading", "Technology", "Industrial", "Industry")

def drop_generic(n):
    for g in GENERIC:
        if re.search(rf"\b{g}\b", n):
            return re.sub(rf"\s*\b{g}\b", "", n, count=1).strip()
    return None

def companies(d):
    names = [r["Clean Name"].strip() for r in dod(d) if r["Clean Name"].strip()]
    names += [n for n, t in ofac(d) if t == "-0-" and len(n.split()) >= 2][::9]
    names = sorted(set(names))
    R.shuffle(names)
    fns = [("legal_form", legal_variant), ("legal_form_missing", strip_legal), ("typo", typo),
           ("case_punct", casepunct), ("abbreviation", abbrev), ("spacing", spacing),
           ("generic_word_dropped", drop_generic)]
    count = {c: 0 for c, _ in fns}
    for n in names:
        for cat, fn in fns:
            if count[cat] < 26:
                v = fn(n)
                if v and v != n:
                    add(n, v, "company", True, cat)
                    count[cat] += 1
                    break
    # acronyms the DoD list gives as aliases, when they are initials-like
    k = 0
    for r in dod(d):
        al, cn = r["Alias"].strip(), r["Clean Name"].strip()
        if k < 20 and al and cn and al.isupper() and len(al) <= 6 and " " not in al and al[0] == cn[0]:
            add(cn, al, "company", True, "acronym_alias")
            k += 1

def siblings(d):
    """Different entities on the DoD list sharing two or more words: real near misses."""
    names = sorted(set(r["Clean Name"].strip() for r in dod(d) if r["Clean Name"].strip()))
    stop = {"co", "co.", "ltd", "ltd.", "limited", "company", "corporation", "group", "china", "of", "and", "inc.", "technology", "co.,", "corp."}
    toks = {n: set(w.lower().strip(",.()") for w in n.split()) - stop for n in names}
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            sh = toks[a] & toks[b]
            if len(sh) >= 1 and len(toks[a] ^ toks[b]) >= 1:
                pairs.append((a, b))
    R.shuffle(pairs)
    for a, b in pairs[:70]:
        add(a, b, "company", False, "near_miss_sibling")

SUBS = [("Petroleum", "Pipeline"), ("China", "Chad"), ("Shanghai", "Shenzhen"), ("Aerospace", "Aviation"),
        ("Electronics", "Electric"), ("North", "South"), ("Heavy", "Light"), ("Science", "Software"),
        ("Nuclear", "Natural"), ("Shipbuilding", "Shipping"), ("Beijing", "Nanjing"), ("Iran", "Iraq"),
        ("Oil", "Gas"), ("Bank", "Fund"), ("Airlines", "Airways"), ("Steel", "Silk"), ("Marine", "Mining")]

def one_word(d):
    names = sorted(set(r["Clean Name"].strip() for r in dod(d)))
    names += sorted(set(n.title() for n, t in ofac(d) if t == "-0-"))
    R.shuffle(names)
    n = 0
    for nm in names:
        for x, y in SUBS:
            if re.search(rf"\b{x}\b", nm) and n < 45:
                add(nm, re.sub(rf"\b{x}\b", y, nm, count=1), "company", False, "near_miss_one_word")
                n += 1
                break

VARIANTS = [("Mohammed", "Muhammad"), ("Mohammad", "Mohamed"), ("Muhammad", "Mohammad"), ("Yusuf", "Youssef"),
            ("Hussein", "Husayn"), ("Husain", "Hussain"), ("Abdul", "Abd al"), ("Abdullah", "Abdallah"),
            ("Ahmed", "Ahmad"), ("Osama", "Usama"), ("Omar", "Umar"), ("Said", "Saeed"), ("Ali", "Aly"),
            ("Hassan", "Hasan"), ("Khalid", "Khaled"), ("Mahmoud", "Mahmud"), ("Ibrahim", "Ebrahim"),
            ("Yousef", "Yusuf"), ("Aleksandr", "Alexander"), ("Sergei", "Sergey"), ("Yuri", "Yury")]

def persons(d):
    ppl = [n for n, t in ofac(d) if t == "individual" and "," in n]
    ppl += [n for n, t in ofac(d) if t == "individual" and "," not in n and len(n.split()) >= 2][:0]
    ppl = sorted(set(ppl))
    R.shuffle(ppl)
    cnt = {}
    def put(a, b, cat, lim=22):
        if cnt.get(cat, 0) < lim and b and a != b:
            add(a, b, "person", True, cat)
            cnt[cat] = cnt.get(cat, 0) + 1
    for n in ppl:
        sur, _, given = n.partition(",")
        sur, given = sur.strip(), given.strip()
        if not given:
            continue
        gw = given.split()
        put(n, f"{given} {sur.title()}", "person_order")
        if len(gw) >= 2 and len(gw[0]) > 2:
            put(n, f"{gw[0]} {' '.join(w[0] + '.' for w in gw[1:])} {sur.title()}", "person_initials")
        t = typo(f"{given} {sur}")
        if t:
            put(n, t, "person_typo")
        for x, y in VARIANTS:
            if re.search(rf"\b{x}\b", n, re.I):
                put(n, re.sub(rf"\b{x}\b", y, f"{given} {sur}", count=1, flags=re.I), "person_translit_variant", 30)
                break
        if re.search(r"\bAL[- ]", n):
            put(n, re.sub(r"\bAL[- ]", "El-", n, count=1).replace("El- ", "El-"), "person_particle", 15)
            put(n, re.sub(r"\bAL[- ]", "", n, count=1), "person_particle", 15)
        if len(gw) >= 2 and not gw[-1].startswith(("bin", "ibn")):
            put(n, f"{gw[0]} {sur}", "person_middle_dropped", 15)
    # near misses: different people sharing a surname or given name
    by_sur = {}
    for n in ppl:
        by_sur.setdefault(n.split(",")[0].strip(), []).append(n)
    k = 0
    for sur, group in sorted(by_sur.items()):
        if len(group) >= 2 and k < 70:
            add(group[0], group[1], "person", False, "near_miss_person")
            k += 1

def un_arabic(d):
    """UN list individuals: Arabic original-script name vs its Latin name (match),
    and vs the Latin name of another individual with a shared word (near miss)."""
    root = ET.parse(f"{d}/sanctions/un/UN_consolidated.xml").getroot()
    ppl = []
    for e in root.iter("INDIVIDUAL"):
        orig = (e.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
        latin = " ".join((e.findtext(t) or "").strip() for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")).split()
        if orig and latin and re.search("[\u0600-\u06ff]", orig):
            ppl.append((orig, " ".join(latin)))
    R.shuffle(ppl)
    for orig, lat in ppl[:30]:
        add(lat, orig, "person", True, "script_arabic")
    k = 0
    for i, (orig, lat) in enumerate(ppl):
        for orig2, lat2 in ppl[i + 1:]:
            if k < 20 and set(lat.lower().split()) & set(lat2.lower().split()) and lat != lat2:
                add(lat2, orig, "person", False, "near_miss_script")
                k += 1
                break

# Aliases in the Zala cluster that are translations or other surnames, not
# ways of writing the same name: left out (no name matcher should match them).
NOT_VARIANTS = re.compile(r"Cuideachta|Unmanned|A Level|IZHMASH|OSETROVA|Osetrova|Moskvina|MOSKVINA|Pilóta|Nélküli|yhtiö")

def zala(d):
    """OpenSanctions (CC BY-NC) Zala Aero cluster: names of one entity across
    scripts and romanisations (match)."""
    for line in open(f"{d}/sanctions/opensanctions/yente_zala_entities.ftm.json", encoding="utf-8"):
        e = json.loads(line)
        sch = e["schema"]
        if sch not in ("Person", "Company", "Organization"):
            continue
        kind = "person" if sch == "Person" else "company"
        names = e["properties"].get("name", []) + e["properties"].get("alias", [])
        cyr = [n for n in names if re.search("[\u0400-\u04ff]", n)]
        lat = [n for n in names if not re.search("[^\x00-\u024f]", n) and not NOT_VARIANTS.search(n)]
        for c in cyr[:2]:
            for l in lat[:2]:
                add(l, c, kind, True, "script_cyrillic")

def main():
    d = sys.argv[1]
    companies(d); siblings(d); one_word(d); persons(d); un_arabic(d); zala(d)
    here = os.path.dirname(os.path.abspath(__file__))
    for line in open(os.path.join(here, "manual.jsonl"), encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            OUT.append(json.loads(line))
    for o in OUT:
        print(json.dumps(o, ensure_ascii=False))

main()
