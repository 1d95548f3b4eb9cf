#!/usr/bin/env python3
"""Generate src/lib/country_table.c from the ISO 3166 country-codes CSV.

Usage: python3 scripts/gen_country_table.py [CSV] [OUT]
  CSV defaults to $REDFLAG_SAMPLE_DATA/codes/iso3166_country-codes.csv
      (datasets/country-codes, ODC PDDL),
  OUT defaults to src/lib/country_table.c.

The table holds folded lookup keys (lower-case ASCII letters and digits only,
common Latin accents folded, punctuation and spaces dropped) sorted for binary
search, each with its alpha-2 code, plus the English short name per code and
the accent-folding table the C side uses, so both sides fold identically.
"""
import csv
import os
import re
import sys
import unicodedata

SRC = os.path.join(os.environ.get("REDFLAG_SAMPLE_DATA", "sample-data"), "codes/iso3166_country-codes.csv")
OUT = "src/lib/country_table.c"

# Hand-kept variants: common spellings (news, trade, US DOL ILAB, UK and US
# government usage) that the ISO / UN / CLDR names do not cover.
VARIANTS = {
    "VN": ["Vietnam", "Viet Nam", "Socialist Republic of Vietnam"],
    "CI": ["Ivory Coast", "Côte d'Ivoire", "Cote d'Ivoire", "Republic of Côte d'Ivoire"],
    "MM": ["Burma", "Myanmar", "Republic of the Union of Myanmar"],
    "KR": ["South Korea", "Korea, Republic of", "Korea, South", "Korea (South)", "Korea", "ROK",
           "Republic of Korea"],
    "KP": ["North Korea", "Korea, Democratic People's Republic of", "Korea, North",
           "Korea (North)", "DPRK"],
    "RU": ["Russia", "Russian Federation"],
    "IR": ["Iran", "Iran, Islamic Republic of", "Persia"],
    "SY": ["Syria", "Syrian Arab Republic"],
    "LA": ["Laos", "Lao PDR", "Lao", "Lao People's Democratic Republic"],
    "BO": ["Bolivia", "Bolivia, Plurinational State of"],
    "VE": ["Venezuela", "Venezuela, Bolivarian Republic of"],
    "TZ": ["Tanzania", "Tanzania, United Republic of"],
    "MD": ["Moldova", "Moldova, Republic of"],
    "TW": ["Taiwan", "Taiwan, Province of China", "Republic of China", "Chinese Taipei"],
    "GB": ["UK", "U.K.", "United Kingdom", "Great Britain", "Britain", "England", "Scotland",
           "Wales", "Northern Ireland"],
    "US": ["USA", "U.S.A.", "US", "U.S.", "United States", "United States of America",
           "America"],
    "AE": ["UAE", "U.A.E.", "United Arab Emirates", "Emirates"],
    "CD": ["DR Congo", "DRC", "D.R. Congo", "Democratic Republic of the Congo",
           "Democratic Republic of Congo", "Congo, Democratic Republic of the",
           "Congo, The Democratic Republic of the", "Congo-Kinshasa", "Congo (Kinshasa)",
           "Zaire"],
    "CG": ["Republic of the Congo", "Republic of Congo", "Congo, Republic of the",
           "Congo-Brazzaville", "Congo (Brazzaville)", "Congo"],
    "CZ": ["Czechia", "Czech Republic"],
    "TR": ["Turkey", "Türkiye", "Turkiye", "Turkey (Türkiye)", "Republic of Türkiye"],
    "SZ": ["Eswatini", "Swaziland", "Kingdom of Eswatini"],
    "CV": ["Cabo Verde", "Cape Verde"],
    "MK": ["Macedonia", "North Macedonia", "Republic of North Macedonia", "FYROM",
           "Former Yugoslav Republic of Macedonia", "Macedonia, the former Yugoslav Republic of"],
    "PS": ["Palestine", "State of Palestine", "Palestinian Territories",
           "Palestine, State of", "West Bank and Gaza", "Occupied Palestinian Territory"],
    "XK": ["Kosovo", "Republic of Kosovo", "XKX"],
    "KG": ["Kyrgyz Republic", "Kyrgyzstan"],
    "GM": ["Gambia", "The Gambia", "Gambia, The"],
    "BS": ["Bahamas", "The Bahamas", "Bahamas, The"],
    "FM": ["Micronesia", "Micronesia, Federated States of"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "BN": ["Brunei", "Brunei Darussalam"],
    "TL": ["East Timor", "Timor-Leste", "Timor Leste"],
    "NL": ["Holland", "Netherlands", "The Netherlands"],
    "CN": ["China", "People's Republic of China", "PRC", "Mainland China"],
    "HK": ["Hong Kong", "Hong Kong SAR", "Hong Kong SAR China"],
    "MO": ["Macau", "Macao", "Macao SAR China"],
    "SK": ["Slovakia", "Slovak Republic"],
    "BA": ["Bosnia", "Bosnia and Herzegovina", "Bosnia-Herzegovina", "Bosnia & Herzegovina"],
    "KN": ["Saint Kitts and Nevis", "St Kitts and Nevis", "St. Kitts & Nevis"],
    "LC": ["Saint Lucia", "St Lucia", "St. Lucia"],
    "VC": ["Saint Vincent and the Grenadines", "St Vincent and the Grenadines",
           "St. Vincent & Grenadines"],
    "TT": ["Trinidad", "Trinidad and Tobago", "Trinidad & Tobago"],
    "AG": ["Antigua", "Antigua and Barbuda", "Antigua & Barbuda"],
    "ST": ["Sao Tome and Principe", "São Tomé and Príncipe", "São Tomé & Príncipe"],
    "EG": ["Egypt", "Arab Republic of Egypt"],
    "YE": ["Yemen", "Republic of Yemen"],
    "PH": ["Philippines", "The Philippines"],
    "SA": ["Saudi Arabia", "KSA"],
}

ALPHA3_EXTRA = {"XK": "XKX"}
NAME_EXTRA = {"XK": "Kosovo"}

# Characters dropped by the fold, besides ASCII punctuation and spaces: the
# Latin-1 punctuation/symbol block and Unicode general punctuation.
def dropped(cp):
    return 0x80 <= cp <= 0xBF or cp in (0xD7, 0xF7) or 0x2000 <= cp <= 0x206F


SPECIAL = {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
           "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH",
           "ħ": "h", "Ħ": "H", "ı": "i", "ĸ": "k", "ŀ": "l", "Ŀ": "L", "ŉ": "n", "ŋ": "n",
           "Ŋ": "N", "ĳ": "ij", "Ĳ": "IJ", "ſ": "s"}


def fold_latin(cp):
    """ASCII replacement (lower case) for a U+00C0..U+017F letter, or None."""
    ch = chr(cp)
    if ch in SPECIAL:
        return SPECIAL[ch].lower()
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    if base.isascii() and base.isalpha():
        return base.lower()
    return None


def fold(text):
    """The lookup key, exactly as country.c computes it."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            if ch.isalnum():
                out.append(ch.lower())
        elif dropped(cp):
            continue
        elif 0xC0 <= cp <= 0x17F and fold_latin(cp) is not None:
            out.append(fold_latin(cp))
        else:
            out.append(ch)
    return "".join(out)


def derived(name):
    """Spelling variants of a UN/ISO name: without 'the', '*', or parentheses."""
    name = name.replace("*", "").strip()
    out = {name}
    if name.lower().startswith("the "):
        out.add(name[4:])
    m = re.fullmatch(r"(.*?)\s*\((.*)\)", name)
    if m:
        head, inner = m.group(1).strip(), m.group(2).strip()
        out.add(head)
        if inner.lower() not in ("the",):
            out.add(f"{inner} {head}")
            out.add(f"{head}, {inner}")
    return {n for n in out if n}


def c_str(s):
    """A C string literal for UTF-8 text."""
    b = s.encode("utf-8")
    return '"' + "".join(chr(c) if 0x20 <= c < 0x7F and chr(c) not in '"\\?' else
                         f"\\{c:03o}" for c in b) + '"'


def load(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    codes = {}
    for r in rows:
        a2, a3 = r["ISO3166-1-Alpha-2"].strip(), r["ISO3166-1-Alpha-3"].strip()
        if len(a2) != 2 or len(a3) != 3:
            sys.exit(f"bad codes in row {r}")
        names = [r["official_name_en"], r["UNTERM English Short"], r["UNTERM English Formal"],
                 r["CLDR display name"]]
        codes[a2] = {"a3": a3, "short": r["official_name_en"].strip() or r["CLDR display name"],
                     "names": [n.strip() for n in names if n.strip()]}
    for a2, name in NAME_EXTRA.items():
        codes.setdefault(a2, {"a3": ALPHA3_EXTRA[a2], "short": name, "names": [name]})
    return codes


def build_keys(codes):
    """Folded key -> alpha-2; hand variants win; conflicting derived keys fail."""
    keys, prio = {}, {}

    def put(key, a2, level, why):
        if not key:
            return
        if key in keys and keys[key] != a2:
            if prio[key] > level:
                return
            if prio[key] == level:
                sys.exit(f"ambiguous key {key!r}: {keys[key]} vs {a2} ({why})")
        keys[key], prio[key] = a2, level

    for a2, c in codes.items():
        for n in c["names"]:
            for v in derived(n):
                put(fold(v), a2, 1, v)
    for a2, c in codes.items():
        put(fold(a2), a2, 3, "alpha-2")
        put(fold(c["a3"]), a2, 3, "alpha-3")
    for a2, vs in VARIANTS.items():
        if a2 not in codes:
            sys.exit(f"variant for unknown code {a2}")
        for v in vs:
            put(fold(v), a2, 2, v)
    return keys


def fold_table():
    """C initialiser rows for U+00C0..U+017F: the ASCII fold or NULL."""
    rows = []
    for cp in range(0xC0, 0x180):
        f = fold_latin(cp)
        rows.append(c_str(f) if f else "NULL")
    return rows


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else SRC
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    codes = load(src)
    keys = build_keys(codes)
    longest = max(len(k.encode()) for k in keys)
    with open(out, "w", encoding="utf-8") as f:
        f.write("/* Generated by scripts/gen_country_table.py -- do not edit.\n"
                " * Source: datasets/country-codes data/country-codes.csv (commit\n"
                " * caa72d1e0e5af8876c170bb36a9e4d64a01bba88), licence ODC PDDL 1.0 (public\n"
                " * domain dedication), plus the script's hand-kept variant spellings.\n"
                " * Keys are folded (see fold() in the script and in country.c). */\n")
        f.write('#include <stddef.h>\n#include "reader_int.h"\n\n')
        f.write(f"const size_t country_key_max = {longest};\n\n")
        f.write("const country_key country_keys[] = {\n")
        for k in sorted(keys, key=lambda s: s.encode()):
            f.write(f"    {{{c_str(k)}, \"{keys[k]}\"}},\n")
        f.write("};\nconst size_t country_nkeys = sizeof country_keys / sizeof country_keys[0];\n\n")
        f.write("const country_name country_names[] = {\n")
        for a2 in sorted(codes):
            f.write(f"    {{\"{a2}\", {c_str(codes[a2]['short'])}}},\n")
        f.write("};\nconst size_t country_nnames = "
                "sizeof country_names / sizeof country_names[0];\n\n")
        f.write("/* ASCII folds of U+00C0..U+017F (NULL: keep the character). */\n")
        f.write("const char *const country_fold[0x180 - 0xC0] = {\n")
        rows = fold_table()
        for i in range(0, len(rows), 8):
            f.write("    " + ", ".join(rows[i:i + 8]) + ",\n")
        f.write("};\n")
    print(f"{out}: {len(keys)} keys, {len(codes)} countries", file=sys.stderr)


if __name__ == "__main__":
    main()
