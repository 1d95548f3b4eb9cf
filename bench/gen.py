#!/usr/bin/env python3
"""Generate realistic, fictional purchase-order records for benchmarking redflag.

usage: gen.py N SEED              N JSON Lines records on stdout (input-record format)
       gen.py --check-codes DIR   check every CPV and HS code used here against the
                                  code lists in DIR (cpv2008_dk021_uk_en.csv,
                                  hs_harmonized-system.csv); exit 1 on an unknown code

The output is a pure function of N and SEED (random.Random(SEED), no clock, no
hash order), so the same arguments always give the same bytes. Every company
name is invented from parts and every identifier is fictional (LEIs start with
"9999EX" and carry valid ISO 17442 check digits). Item descriptions use real
CPV 2008 and HS 2022 codes. Free text is 0-3 sentences: about 70% benign policy
statements, 20% neutral order clauses and 10% risky phrasings of the indicators
in INDICATORS.md, so the screener's patterns do realistic work.
"""
import csv
import json
import os
import sys
from random import Random

# --- parties -----------------------------------------------------------------

SYL_A = ["Kel", "Vor", "Bri", "Tan", "Mar", "Zen", "Ost", "Lum", "Quil", "Dar", "Fen",
         "Pel", "Hal", "Nor", "Sol", "Ryn", "Tor", "Ves", "Ama", "Cor", "Bel", "Gal",
         "Har", "Ith", "Jor", "Kav", "Lor", "Mer", "Nal", "Orv", "Pra", "Sev", "Tal",
         "Ulm", "Var", "Wen", "Yar", "Zul", "Cas", "Dra"]
SYL_B = ["vane", "dex", "mora", "lith", "wick", "field", "bright", "stone", "haven",
         "port", "ley", "gard", "tec", "nova", "ridge", "mere", "ton", "vell", "dara",
         "quist", "brook", "holm", "ria", "zen", "lane", "core", "vista", "more"]

# ISO code, name as some buyers write it, legal suffixes, VAT prefix or "".
COUNTRIES = [
    ("MY", "Malaysia", ["Sdn Bhd", "Bhd"], ""), ("CN", "China", ["Co., Ltd.", "Trading Co., Ltd."], ""),
    ("TH", "Thailand", ["Co., Ltd.", "Public Company Limited"], ""),
    ("VN", "Viet Nam", ["Co., Ltd", "Joint Stock Company"], ""),
    ("IN", "India", ["Pvt Ltd", "Private Limited"], ""), ("BD", "Bangladesh", ["Ltd"], ""),
    ("PK", "Pakistan", ["(Pvt.) Ltd."], ""), ("ID", "Indonesia", ["Tbk", "Indonesia"], ""),
    ("TR", "Türkiye", ["A.Ş.", "Ltd. Şti."], ""), ("MX", "Mexico", ["S.A. de C.V."], ""),
    ("BR", "Brazil", ["Ltda.", "S.A."], ""), ("AE", "United Arab Emirates", ["FZE", "LLC"], ""),
    ("QA", "Qatar", ["W.L.L."], ""), ("GB", "United Kingdom", ["Ltd", "plc"], "GB"),
    ("DE", "Germany", ["GmbH", "AG"], "DE"), ("FR", "France", ["SAS", "SA"], "FR"),
    ("IT", "Italy", ["S.r.l.", "S.p.A."], "IT"), ("ES", "Spain", ["S.L.", "S.A."], "ES"),
    ("PL", "Poland", ["Sp. z o.o."], "PL"), ("CZ", "Czechia", ["s.r.o.", "a.s."], "CZ"),
    ("NL", "Netherlands", ["B.V."], "NL"), ("SE", "Sweden", ["AB"], "SE"),
    ("IE", "Ireland", ["Ltd", "DAC"], "IE"), ("US", "United States", ["Inc.", "LLC"], ""),
    ("PT", "Portugal", ["Lda.", "S.A."], "PT"), ("RO", "Romania", ["S.R.L."], "RO"),
    ("GH", "Ghana", ["Ltd"], ""), ("NP", "Nepal", ["Pvt. Ltd."], ""), ("KE", "Kenya", ["Ltd"], ""),
]
CTRY = {c[0]: c for c in COUNTRIES}

STREETS = ["Industrial Road", "Harbour Street", "Station Road", "Export Processing Zone",
           "Tech Park Road", "Free Zone Block", "Factory Lane"]
LOCAL_STREETS = {"MY": "Jalan Perusahaan", "ID": "Jalan Industri", "TH": "Moo 4, Soi Nikhom",
                 "BR": "Rua da Fábrica", "PT": "Rua da Fábrica", "DE": "Gewerbestraße",
                 "FR": "Avenue de l'Industrie", "IT": "Via dell'Artigianato", "ES": "Calle Mayor",
                 "MX": "Calle Industria", "PL": "ulica Przemysłowa", "CZ": "Průmyslová"}

# --- goods and services ------------------------------------------------------
# (sector word for names, [descriptions], CPV, HS or None, origins (likelier
#  first), reference price low-high, quantity low-high, is a service)
ITEMS = [
    ("Gloves", ["nitrile examination gloves, powder-free, boxes of 100",
                "disposable nitrile gloves, size L", "latex examination gloves, non-sterile"],
     "33141420", "401519", ["MY", "MY", "TH", "CN", "VN", "ID"], (0.02, 0.09), (50000, 2000000), False),
    ("Safety", ["work gloves, leather palm", "cut-resistant work gloves, level C"],
     "18141000", "392620", ["CN", "PK", "IN", "VN"], (0.8, 4.5), (1000, 50000), False),
    ("Workwear", ["work trousers, polycotton, navy", "hi-vis coveralls, orange",
                  "cotton work shirts, long sleeve"],
     "18110000", "620343", ["BD", "CN", "IN", "VN", "PK", "TR"], (6.0, 24.0), (500, 20000), False),
    ("Textiles", ["T-shirts, 100% cotton, printed logo", "cotton polo shirts, embroidered crest"],
     "18331000", "610910", ["CN", "BD", "IN", "TR", "VN", "PK"], (1.8, 7.5), (1000, 40000), False),
    ("Garments", ["corporate uniforms, jackets and trousers", "reception staff uniforms"],
     "18222000", "621133", ["CN", "BD", "VN", "TR", "PT", "RO"], (25.0, 90.0), (100, 5000), False),
    ("Footwear", ["safety boots with steel toecap", "protective footwear, S3, black"],
     "18830000", "640340", ["CN", "VN", "IN", "BR", "PT"], (18.0, 65.0), (200, 8000), False),
    ("Linen", ["cotton bed sheets, hospital grade", "bed linen sets, white cotton"],
     "39512100", "630231", ["PK", "IN", "CN", "TR", "BD"], (4.0, 15.0), (500, 20000), False),
    ("Linen", ["terry towels, 100% cotton, 500 g/m2"],
     "39514100", "630260", ["PK", "IN", "TR", "CN"], (2.5, 9.0), (500, 20000), False),
    ("Solar", ["monocrystalline PV modules, 410 W", "bifacial solar panels, 540 W"],
     "09331200", "854143", ["CN", "CN", "MY", "VN", "IN", "DE"], (55.0, 140.0), (100, 10000), False),
    ("Electronics", ["14-inch business laptops, 16 GB RAM", "rugged field laptops"],
     "30213100", "847130", ["CN", "MY", "MX", "VN", "IE"], (450.0, 1600.0), (10, 2000), False),
    ("Electronics", ["smartphones for field staff, 128 GB", "mobile telephones, basic model"],
     "32250000", "851713", ["CN", "VN", "IN", "MY"], (60.0, 700.0), (10, 3000), False),
    ("Electronics", ["24-inch LED monitors", "touch screen monitors, 22-inch"],
     "30231320", "852852", ["CN", "MY", "MX", "PL"], (90.0, 400.0), (10, 3000), False),
    ("Furniture", ["height-adjustable office desks, 160 x 80 cm", "office desks, oak veneer"],
     "39121100", "940310", ["DE", "PL", "IT", "CZ", "CN", "VN"], (250.0, 900.0), (10, 600), False),
    ("Furniture", ["ergonomic office chairs, mesh back", "visitor chairs, upholstered"],
     "39112000", "940171", ["PL", "CN", "IT", "DE", "VN"], (60.0, 450.0), (10, 1500), False),
    ("Seafoods", ["frozen vannamei shrimp, peeled, 1 kg packs", "frozen prawns, head-on"],
     "15251000", "030617", ["TH", "VN", "ID", "IN", "CN"], (5.0, 14.0), (500, 30000), False),
    ("Seafoods", ["canned skipjack tuna in brine, 185 g", "canned tuna chunks in oil"],
     "15241400", "160414", ["TH", "ID", "VN", "ES", "CN"], (0.6, 2.2), (5000, 200000), False),
    ("Foods", ["cocoa powder, unsweetened, 1 kg", "cocoa for catering, 25 kg sacks"],
     "15841000", "180400", ["GH", "NL", "ID", "BR"], (3.0, 12.0), (100, 5000), False),
    ("Foods", ["roasted coffee beans, 1 kg", "ground coffee for vending machines"],
     "15861000", "090121", ["BR", "VN", "IT", "DE"], (6.0, 25.0), (100, 8000), False),
    ("Foods", ["white sugar, 1 kg bags"], "15831000", "170199", ["BR", "IN", "TH", "PL"],
     (0.5, 1.4), (1000, 60000), False),
    ("Foods", ["concentrated tomato puree, 2.2 kg tins"], "15331427", "200290",
     ["CN", "IT", "ES", "TR"], (1.5, 5.0), (500, 20000), False),
    ("Building", ["clay facing bricks, red", "solid clay bricks for boundary wall"],
     "44111100", "690410", ["IN", "PK", "CN", "PL", "GB"], (0.2, 0.9), (10000, 500000), False),
    ("Building", ["reinforcing steel bars, 12 mm", "structural steel sections"],
     "14622000", "721420", ["TR", "CN", "IN", "DE"], (0.6, 1.5), (5000, 400000), False),
    ("Construction", ["construction of a school annex", "refurbishment of a district clinic",
                      "new community centre, design and build"],
     "45214000", None, [], (400000.0, 6000000.0), (1, 1), True),
    ("Construction", ["road resurfacing, 4.2 km", "road construction works, access road"],
     "45233120", None, [], (300000.0, 9000000.0), (1, 1), True),
    ("Facility Services", ["office cleaning services, priced per labour hour",
                           "building cleaning, night shift, per hour"],
     "90919200", None, [], (12.0, 26.0), (2000, 60000), True),
    ("Staffing", ["supply of temporary warehouse operatives", "agency staff for seasonal peak"],
     "79620000", None, [], (11.0, 28.0), (2000, 80000), True),
    ("Guarding", ["static guarding, 24/7, per post-hour", "mobile security patrols"],
     "79710000", None, [], (9.0, 30.0), (5000, 90000), True),
    ("Catering", ["staff canteen catering, per meal", "school meals, delivered hot"],
     "55520000", None, [], (3.5, 11.0), (10000, 300000), True),
]

# --- free text -----------------------------------------------------------------
# {n}, {y}, {m}, {k} and {cur} are filled per sentence.
BENIGN = [
    "We never retain workers' passports or identity documents.",
    "Workers keep their own passports and ID cards at all times.",
    "Recruitment fees and related costs are paid by the employer, not by workers.",
    "No worker pays any recruitment, visa, medical or travel fee.",
    "Any recruitment fees found to have been paid by workers are reimbursed in full.",
    "All workers receive a written contract in a language they understand before departure.",
    "Workers are free to leave the site and their accommodation outside working hours.",
    "Wages are paid monthly by bank transfer directly to each worker.",
    "Overtime is voluntary and limited to {k} hours per week.",
    "A confidential grievance mechanism is available in {k} languages.",
    "Return travel at the end of employment is paid by the employer.",
    "The supplier published a modern slavery statement for {y}.",
    "We do not use labour agencies; all staff are employed directly.",
    "No deposits are taken from workers and no deductions are made for recruitment.",
    "Dormitories are inspected quarterly and no more than four workers share a room.",
    "Our code of conduct prohibits forced, bonded and child labour throughout the supply chain.",
    "Sub-suppliers are listed in annex {k}, with factory names and addresses.",
    "Certification under FAR 52.222-56 is attached to the offer.",
    "An anti-trafficking compliance plan is in place and was provided with the offer.",
    "The last independent social audit in {y} found no forced labour indicators.",
    "The employer does not hold workers' documents, and workers may resign with one month's notice.",
    "Labour agencies used by the supplier are licensed and audited every year.",
]
NEUTRAL = [
    "Delivery in {k} batches to the central warehouse.",
    "Prices are fixed for {k} months from the date of the order.",
    "Payment terms: 30 days from receipt of a valid invoice.",
    "Goods to be packed on pallets of {n} cartons.",
    "Warranty period: {k} months from acceptance.",
    "Samples were approved by the user department in {m} {y}.",
    "Invoices must quote the purchase order number.",
    "Lead time is {k} weeks from order confirmation.",
    "Framework agreement lot {k}, call-off {n}.",
]
RISKY = [
    "Passports are kept by the agency for safekeeping.",
    "Workers' ID cards are held by the supervisor until the end of the contract.",
    "Identity documents of migrant workers were retained by the employer during the audit period.",
    "Workers paid a placement fee of USD {n} to the recruiter.",
    "Medical and visa costs are borne by the worker.",
    "A recruitment fee of {cur} {n} was charged to each candidate.",
    "The advance is repaid through salary deductions.",
    "Workers owe the recruiter for travel and accommodation.",
    "Wages are paid on completion of the contract.",
    "A security deposit of {k}% is deducted monthly from wages.",
    "Workers may not leave the compound without permission.",
    "Workers are escorted to and from the site by security staff.",
    "Mobile phones are collected for the contract period.",
    "Crew stay at sea for {k} months at a time.",
    "Overtime is mandatory to meet the daily quota.",
    "Staff work 7-day weeks in peak season.",
    "Workers were threatened with deportation if they complained.",
    "There were reports of beatings by supervisors.",
    "Contracts were re-signed on arrival at a lower rate.",
    "Return airfare is at the employee's expense.",
    "Contracts are issued in English only.",
    "Terms of employment were explained verbally.",
    "Labour is supplied by a third-party manpower agency.",
    "Workers were sourced via a sub-agent in the country of origin.",
    "Country of origin: various.",
    "Sub-suppliers are confidential.",
    "A director was convicted under the Modern Slavery Act in {y}.",
    "There is no whistleblowing mechanism for workers.",
    "{k} workers share each dormitory room.",
    "Certification 52.222-56 was not provided.",
]
PREFIXES = ["", "", "", "", "Audit note ({m} {y}): ", "Supplier declaration: ",
            "Tender clause 7.2: ", "Site visit, {m} {y}: "]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CURRENCIES = ["EUR", "EUR", "EUR", "USD", "USD", "GBP", "GBP"]

ESC = json.JSONEncoder(ensure_ascii=False).encode


# An LEI of 18 characters plus ISO 7064 MOD 97-10 check digits.
def lei(base18):
    digits = "".join(str(int(c, 36)) for c in base18 + "00")
    return base18 + "%02d" % (98 - int(digits) % 97)


# A fictional company as a ready-made JSON fragment for "supplier" or "manufacturer".
def make_party(rng, idx, sector, country, full):
    code, cname, suffixes, vat = CTRY[country]
    name = rng.choice(SYL_A) + rng.choice(SYL_B)
    if rng.random() < 0.4:
        name += " " + (rng.choice(SYL_A) + rng.choice(SYL_B)).capitalize()
    name = "%s %s %s" % (name, sector, rng.choice(suffixes))
    if country == "ID" and rng.random() < 0.7:
        name = "PT " + name.replace(" Tbk", "").replace(" Indonesia", "")
    out = '{"name":%s,"country":%s' % (ESC(name), ESC(cname if rng.random() < 0.1 else code))
    if not full:
        return out + "}"
    ids = []
    if rng.random() < 0.6:
        ids.append('"lei":"%s"' % lei("9999EX%012d" % idx))
    if vat and rng.random() < 0.5:
        ids.append('"vat":"%s%09d"' % (vat, 100000000 + idx))
    if rng.random() < 0.2:
        ids.append('"duns":"%09d"' % (900000000 + idx))
    if ids:
        out += ',"ids":{%s}' % ",".join(ids)
    if rng.random() < 0.7:
        street = LOCAL_STREETS.get(code) if rng.random() < 0.6 else None
        addr = "%d %s, %s" % (rng.randint(1, 480), street or rng.choice(STREETS), cname)
        out += ',"address":%s' % ESC(addr)
    return out + "}"


# The supplier pool: (item index, JSON fragment), reused across orders as in real spend data.
def make_suppliers(rng, n):
    pool = []
    for i in range(n):
        k = rng.randrange(len(ITEMS))
        item = ITEMS[k]
        origins = item[4] or ["GB", "DE", "FR", "US", "QA", "AE", "PL", "ES", "IE", "NL"]
        country = rng.choice(origins) if rng.random() < 0.8 else rng.choice(COUNTRIES)[0]
        pool.append((k, make_party(rng, i + 1, item[0], country, True)))
    return pool


# One sentence of free text, escaped for JSON (without the quotes).
def sentence(rng):
    r = rng.random()
    pool = RISKY if r < 0.10 else NEUTRAL if r < 0.30 else BENIGN
    s = rng.choice(PREFIXES) + rng.choice(pool)
    if "{" in s:
        s = s.format(n=rng.randint(2, 60) * 50, k=rng.randint(2, 14), y=rng.randint(2021, 2026),
                     m=rng.choice(MONTHS), cur=rng.choice(CURRENCIES))
    return ESC(s)[1:-1]


# 0-3 sentences of free text, or "" for none.
def free_text(rng):
    r = rng.random()
    n = 0 if r < 0.15 else 1 if r < 0.45 else 2 if r < 0.75 else 3
    return " ".join(sentence(rng) for _ in range(n))


# A price as JSON: two decimals, three below 1.
def price(x):
    return "%.3f" % x if x < 1 else "%.2f" % x


# The "item" object (and "contract" for works and services) of one order line.
def make_item(rng, k):
    sector, descs, cpv, hs, origins, (plo, phi), (qlo, qhi), service = ITEMS[k]
    ref = plo * (phi / plo) ** rng.random()
    r = rng.random()
    factor = (rng.uniform(0.85, 1.25) if r < 0.85 else
              rng.uniform(0.6, 0.85) if r < 0.95 else rng.uniform(0.25, 0.6))
    qty = 1 if qhi == 1 else int(qlo * (qhi / qlo) ** rng.random())
    cur = rng.choice(CURRENCIES)
    if rng.random() < 0.3:
        cpv = "%s-%s" % (cpv, CPV_CHECK.get(cpv, "0"))
    parts = ['"description":%s' % ESC(rng.choice(descs)), '"cpv":"%s"' % cpv]
    if hs:
        parts.append('"hs":"%s"' % hs)
        o, origin = rng.random(), rng.choice(origins)
        if o < 0.75:
            parts.append('"origin":"%s"' % origin)
        elif o < 0.85:  # some buyers write the country's name
            parts.append('"origin":%s' % ESC(CTRY[origin][1]))
    parts.append('"quantity":%d' % qty)
    parts.append('"unit_price":%s' % price(ref * factor))
    parts.append('"currency":"%s"' % cur)
    if rng.random() < 0.8:
        parts.append('"reference_price":%s' % price(ref))
    out = '"item":{%s}' % ",".join(parts)
    if service and rng.random() < 0.5:
        value = ref * factor * qty
        abroad = value if rng.random() < 0.5 else 0
        plan = rng.choice(['"compliance_plan":true', '"compliance_plan":false', ""])
        perf = rng.choice(["QA", "AE", "KE", "JO", "GB", "DE", "PL", "IQ"]) if abroad else "GB"
        c = '"value":%.2f,"value_abroad":%.2f,"currency":"%s","performance_country":"%s"' % (
            value, abroad, cur, perf)
        out += ',"contract":{%s%s}' % (c, "," + plan if plan else "")
    return out


# Write n records for seed to out.
def generate(n, seed, out):
    rng = Random(seed)
    pool = make_suppliers(rng, max(50, min(n // 20, 50000)))
    makers = [make_party(rng, 0, it[0], rng.choice(it[4] or ["CN"]), False) for it in ITEMS
              for _ in range(40)]
    order, line, buf = 1000000, 0, []
    for _ in range(n):
        if line == 0 or rng.random() < 0.7:
            order, line = order + 1, 1
        else:
            line += 1
        k, sup = pool[rng.randrange(len(pool))]
        text = free_text(rng)
        if text and rng.random() < 0.15:  # some audit notes sit on the supplier
            sup, text = '%s,"notes":"%s"}' % (sup[:-1], text), ""
        rec = ['{"id":"PO-2026-%07d/%d","supplier":%s' % (order, line, sup)]
        if not ITEMS[k][7] and rng.random() < 0.35:
            rec.append(',"manufacturer":%s' % makers[k * 40 + rng.randrange(40)])
        if ITEMS[k][7] and rng.random() < 0.25:
            sub = make_party(rng, 0, "Services", rng.choice(["NP", "IN", "BD", "PK", "GB"]), False)
            rec.append(',"subcontractors":[%s]' % sub)
        rec.append("," + make_item(rng, k))
        if text:
            rec.append(',"text":"%s"' % text)
        rec.append("}\n")
        buf.append("".join(rec))
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


# Check digits of the CPV codes used (the part after "-" in the official list).
CPV_CHECK = {
    "33141420": "0", "18141000": "9", "18110000": "3", "18331000": "8", "18222000": "1",
    "18830000": "6", "39512100": "5", "39514100": "9", "09331200": "0", "30213100": "6",
    "32250000": "0", "30231320": "6", "39121100": "7", "39112000": "0", "15251000": "2",
    "15241400": "3", "15841000": "5", "15861000": "1", "15831000": "2", "15331427": "6",
    "44111100": "2", "14622000": "7", "45214000": "0", "45233120": "6", "90919200": "4",
    "79620000": "6", "79710000": "4", "55520000": "1",
}


# Verify every CPV (with its check digit) and HS code against the official lists in d.
def check_codes(d):
    cpv = {}
    with open(os.path.join(d, "cpv2008_dk021_uk_en.csv"), encoding="utf-8") as f:
        for row in csv.reader(f):
            if "-" in row[0]:
                code, chk = row[0].split("-", 1)
                cpv[code] = (chk, row[-1])
    with open(os.path.join(d, "hs_harmonized-system.csv"), encoding="utf-8") as f:
        hs = {row[1]: row[2] for row in csv.reader(f)}
    bad = 0
    for it in ITEMS:
        c, h = it[2], it[3]
        got = cpv.get(c)
        ok = got is not None and got[0] == CPV_CHECK.get(c)
        print("%-6s CPV %s-%s %-40.40s HS %s %s" % ("ok" if ok and (not h or h in hs) else "BAD",
              c, CPV_CHECK.get(c), got[1] if got else "?", h or "-", (hs.get(h) or "")[:50]))
        bad += not ok or bool(h and h not in hs)
    return 1 if bad else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check-codes":
        return check_codes(argv[2])
    if len(argv) != 3 or not argv[1].isdigit() or not argv[2].lstrip("-").isdigit():
        sys.stderr.write(__doc__)
        return 2
    out = open(sys.stdout.fileno(), "w", encoding="utf-8", buffering=1 << 20, closefd=False)
    try:
        generate(int(argv[1]), int(argv[2]), out)
        out.flush()
    except BrokenPipeError:  # the reader stopped early (head, cmp): not an error here
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
