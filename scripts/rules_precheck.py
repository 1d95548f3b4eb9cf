#!/usr/bin/env python3
"""Pre-check the shipped rules (rules/*.rules) without the C compiler.

Parses the rule language of docs/RULES.md, runs every `expect hit` / `expect
miss` example with Python's `re` (close to PCRE2 for the patterns we write),
emulating sentence-scoped `match ... unless /RE/` and the `when` / `unless`
conditions, and lints each rule (required statements, indicator ids, at least
three hits and three misses, unbounded gaps). Optionally (--pcre2) checks that
every pattern also compiles under pcre2grep.

Usage: scripts/rules_precheck.py [--pcre2] [-v] [RULES_DIR_OR_FILES...]
Exit status 1 when any example or lint check fails.

The C implementation (`redflag rules check` / `rules test`) is the authority;
this script is a second opinion run by `make lint` (part of `make check`). What
only it checks: unbounded gaps (.*, .+, [^x]*, \S*) in patterns, and every
example evaluated by an independent implementation of the language.
"""
import json
import os
import re
import subprocess
import sys

DECLARED = set()  # indicator ids declared by the files read
INDICATORS = {
    "vulnerability_abused", "recruitment_deception", "movement_restricted",
    "worker_isolation", "physical_sexual_violence", "intimidation_threats",
    "identity_documents_retained", "wages_withheld", "debt_bondage",
    "abusive_conditions", "excessive_overtime", "recruitment_fees_charged",
    "noncompliant_recruiter", "labour_agency_subcontracting",
    "return_transport_denied", "no_written_contract_in_language",
    "abnormally_low_price", "trafficking_conviction", "supply_chain_opaque",
    "high_risk_origin", "listed_entity", "missing_compliance_plan",
    "no_grievance_or_remedy",
}
SEVERITIES = {"low", "medium", "high", "critical"}
STATEMENTS = {"title", "indicator", "severity", "weight", "sources", "guideline",
              "fields", "match", "when", "unless", "expect"}
NUMERIC = {"item.quantity", "item.unit_price", "item.reference_price",
           "contract.value", "contract.value_abroad", "contract.compliance_plan"}


class RuleError(Exception):
    """A syntax error with file:line."""


# ---------------------------------------------------------------- tokenizer

TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<nl>\n) | (?P<comment>\#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><=|>=|==|!=|[<>{}(),=+\-*/])
""", re.X)


def unescape(s):
    """Undo the string escapes of the rule language."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tokenize(src, fname):
    """Split a rule file into (kind, value, line) tokens."""
    toks, pos, line = [], 0, 1
    while pos < len(src):
        prev = toks[-1] if toks else None
        if src[pos] == "/" and prev and prev[0] in ("op", "word") and prev[1] in ("=", "unless"):
            # a regex literal: up to an unescaped slash, then flags
            j = pos + 1
            buf = []
            while j < len(src) and src[j] != "/":
                if src[j] == "\n":
                    raise RuleError(f"{fname}:{line}: newline inside /regex/")
                if src[j] == "\\" and j + 1 < len(src):
                    if src[j + 1] == "/":
                        buf.append("/")
                    else:
                        buf.append(src[j:j + 2])
                    j += 2
                    continue
                buf.append(src[j])
                j += 1
            if j >= len(src):
                raise RuleError(f"{fname}:{line}: unterminated /regex/")
            j += 1
            m = re.match(r"[a-z]*", src[j:])
            toks.append(("re", ("".join(buf), m.group(0)), line))
            pos = j + len(m.group(0))
            continue
        if src[pos] == "{" and prev and prev[0] == "word" and prev[1] in ("hit", "miss"):
            # a JSON example on one line
            end = src.find("\n", pos)
            end = len(src) if end < 0 else end
            toks.append(("json", src[pos:end].rstrip(), line))
            pos = end
            continue
        m = TOKEN_RE.match(src, pos)
        if not m:
            raise RuleError(f"{fname}:{line}: unexpected character {src[pos]!r}")
        kind = m.lastgroup
        if kind == "nl":
            line += 1
        elif kind not in ("ws", "comment"):
            val = m.group(0)
            if kind == "str":
                val = unescape(val[1:-1])
            toks.append((kind, val, line))
        pos = m.end()
    return toks


# ---------------------------------------------------------------- parser

class Parser:
    """Recursive-descent parser over the token list of one file."""

    def __init__(self, toks, fname):
        self.t, self.i, self.f = toks, 0, fname

    def peek(self, k=0):
        return self.t[self.i + k] if self.i + k < len(self.t) else ("eof", None, -1)

    def take(self, kind=None, val=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (val is not None and tok[1] != val):
            raise RuleError(f"{self.f}:{tok[2]}: expected {val or kind}, got {tok[1]!r}")
        self.i += 1
        return tok

    def file(self, rules, sets):
        while self.peek()[0] != "eof":
            kw = self.take("word")
            if kw[1] == "set":
                self.set_def(sets)
            elif kw[1] == "rule":
                rules.append(self.rule())
            elif kw[1] == "indicator":
                DECLARED.add(self.peek()[1])  # a rule file's own indicator id
                self.skip_block()
            elif kw[1] in ("lexicon", "context"):
                self.skip_block()  # declarations the C compiler checks; nothing to lint here
            else:
                raise RuleError(f"{self.f}:{kw[2]}: expected rule or set, got {kw[1]!r}")

    def skip_block(self):
        """Skip a declaration up to its closing brace."""
        while self.peek()[1] != "{":
            if self.peek()[0] == "eof":
                raise RuleError(f"{self.f}: unterminated declaration")
            self.take()
        depth = 0
        while True:
            tok = self.take()
            if tok[0] == "eof":
                raise RuleError(f"{self.f}: unterminated declaration")
            depth += tok[1] == "{"
            depth -= tok[1] == "}"
            if depth == 0:
                return

    def set_def(self, sets):
        name = self.take("word")[1]
        self.take("op", "=")
        prefix = False
        if self.peek()[1] == "prefix":
            self.take()
            prefix = True
        self.take("op", "{")
        vals = []
        while self.peek()[1] != "}":
            vals.append(self.take("str")[1])
            if self.peek()[1] == ",":
                self.take()
        self.take("op", "}")
        sets[name] = (prefix, vals)

    def strlist(self):
        out = [self.take("str")[1]]
        while self.peek()[1] == ",":
            self.take()
            out.append(self.take("str")[1])
        return out

    def rule(self):
        name, line = self.take("word")[1:]
        r = {"id": name, "line": line, "file": self.f, "fields": ["text"], "pats": {},
             "when": None, "unless": [], "expect": [], "sources": [], "guideline": []}
        self.take("op", "{")
        while self.peek()[1] != "}":
            kw, kwline = self.take("word")[1:]
            if kw in ("title",):
                r["title"] = self.take("str")[1]
            elif kw == "indicator":
                r["indicator"] = self.take("word")[1]
            elif kw == "severity":
                r["severity"] = self.take("word")[1]
            elif kw == "weight":
                r["weight"] = float(self.take("num")[1])
            elif kw == "sources":
                r["sources"] = self.strlist()
            elif kw == "guideline":
                r["guideline"] = self.strlist()
            elif kw == "fields":
                fl = [self.take("word")[1]]
                while self.peek()[1] == ",":
                    self.take()
                    fl.append(self.take("word")[1])
                r["fields"] = fl
            elif kw == "match":
                var = self.take("var")[1]
                self.take("op", "=")
                pat = self.take("re")[1]
                unl = None
                if self.peek()[1] == "unless" and self.peek(1)[0] == "re":
                    self.take()
                    unl = self.take("re")[1]
                r["pats"][var] = (compile_re(pat, self.f, kwline), compile_re(unl, self.f, kwline)
                                  if unl else None, pat, unl)
            elif kw == "when":
                r["when"] = self.cond()
            elif kw == "unless":
                r["unless"].append(self.cond())
            elif kw == "expect":
                hm = self.take("word")[1]
                tok = self.take()
                if tok[0] == "json":
                    ex = json.loads(tok[1])
                elif tok[0] == "str":
                    ex = tok[1]
                else:
                    raise RuleError(f"{self.f}:{tok[2]}: expected example")
                r["expect"].append((hm == "hit", ex, tok[2]))
            else:
                raise RuleError(f"{self.f}:{kwline}: unknown statement {kw!r}")
        self.take("op", "}")
        return r

    # conditions -> nested tuples
    def cond(self):
        left = self.and_()
        while self.peek()[1] == "or":
            self.take()
            left = ("or", left, self.and_())
        return left

    def and_(self):
        left = self.unary()
        while self.peek()[1] == "and":
            self.take()
            left = ("and", left, self.unary())
        return left

    def unary(self):
        if self.peek()[1] == "not":
            self.take()
            return ("not", self.unary())
        return self.primary()

    def primary(self):
        tok = self.peek()
        if tok[1] == "(":
            # could be a parenthesised condition or arithmetic; try condition
            save = self.i
            try:
                self.take()
                c = self.cond()
                self.take("op", ")")
                if self.peek()[1] in ("<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/"):
                    raise RuleError("arith")
                return c
            except RuleError:
                self.i = save
        if tok[0] == "var":
            self.take()
            return ("var", tok[1])
        if tok[1] in ("any", "all", "none") and self.peek(1)[1] == "of":
            self.take()
            self.take()
            if self.peek()[1] == "them":
                self.take()
                return ("quant", tok[1], None)
            self.take("op", "(")
            vs = [self.take("var")[1]]
            while self.peek()[1] == ",":
                self.take()
                vs.append(self.take("var")[1])
            self.take("op", ")")
            return ("quant", tok[1], vs)
        if tok[1] == "exists":
            self.take()
            return ("exists", self.take("word")[1])
        if tok[0] == "word" and self.peek(1)[1] == "in":
            self.take()
            self.take()
            return ("in", tok[1], self.take("word")[1])
        left = self.arith()
        op = self.take("op")[1]
        if op not in ("<", "<=", ">", ">=", "==", "!="):
            raise RuleError(f"{self.f}:{tok[2]}: expected comparison")
        return ("cmp", op, left, self.arith())

    def arith(self):
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = ("bin", op, left, self.term())
        return left

    def term(self):
        left = self.factor()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            left = ("bin", op, left, self.factor())
        return left

    def factor(self):
        tok = self.take()
        if tok[0] == "num":
            return ("num", float(tok[1]))
        if tok[0] == "word":
            return ("field", tok[1])
        if tok[1] == "(":
            a = self.arith()
            self.take("op", ")")
            return a
        if tok[1] == "-":
            return ("neg", self.factor())
        raise RuleError(f"{self.f}:{tok[2]}: unexpected {tok[1]!r} in condition")


def compile_re(pat, fname, line):
    """Compile a rule pattern with Python re, mapping the flags."""
    src, flags = pat
    fl = 0
    for c in flags:
        fl |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X}[c]
    try:
        return re.compile(src, fl)
    except re.error as e:
        raise RuleError(f"{fname}:{line}: bad pattern: {e}")


# ---------------------------------------------------------------- evaluation

def field_values(rec, path):
    """Every value of a dotted field in a JSON record, as a list."""
    cur = [rec]
    for part in path.split("."):
        nxt = []
        for c in cur:
            if isinstance(c, list):
                for x in c:
                    if isinstance(x, dict) and part in x:
                        nxt.append(x[part])
            elif isinstance(c, dict) and part in c:
                nxt.append(c[part])
        cur = nxt
    out = []
    for c in cur:
        if isinstance(c, list):
            out.extend(c)
        elif c is not None:
            out.append(c)
    return out


def as_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def as_num(v):
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def is_boundary(text, i):
    """True when text[i] ends a sentence (RULES.md: . ! ? ; or line break)."""
    c = text[i]
    if c == "\n":
        return True
    return c in ".!?;" and (i + 1 == len(text) or text[i + 1].isspace())


def sentence(text, s, e):
    """The bounds [ss, se) of the sentence holding text[s:e] (rules_scan.c)."""
    a = s
    while a > 0 and not is_boundary(text, a - 1):
        a -= 1
    b = e - 1 if e > s else s
    while b < len(text) and not is_boundary(text, b):
        b += 1
    return a, min(b + 1, len(text))


JOINS = (" but ", " which ", " although ", " though ", " whereas ", " while ", " yet ")
SUBJECTS = ("the ", "a ", "an ", "this ", "these ", "those ", "their ", "his ", "her ", "its ",
            "our ", "we ", "they ", "he ", "she ", "it ", "there ", "workers", "employees",
            "staff", "migrants", "management", "auditors", "no ", "none ", "all ", "some ",
            "most ", "many ", "each ", "every ", "i ")


def clause_end(text, e, se):
    """Where the clause of an occurrence ending at e ends: the first ", ", contrastive
    or relative conjunction, or " and " before a new subject (docs/RULES.md)."""
    for k in range(e, se):
        if text[k] == "," and k + 1 < se and text[k + 1] == " ":
            return k
        if text[k] != " ":
            continue
        rest = text[k:se].lower()
        if rest.startswith(" and ") and rest[5:].startswith(SUBJECTS):
            return k
        if rest.startswith(JOINS):
            return k
    return se


def pattern_hits(rx, unl, text):
    """First occurrence of rx in text not discarded by the unless pattern, which is
    run from the start of the occurrence's sentence to the end of its clause."""
    for m in rx.finditer(text):
        if unl is not None:
            ss, se = sentence(text, m.start(), m.end())
            if unl.search(text[ss:clause_end(text, m.end(), se)]):
                continue
        return m
    return None


def eval_arith(a, rec):
    k = a[0]
    if k == "num":
        return a[1]
    if k == "field":
        vs = field_values(rec, a[1])
        return as_num(vs[0]) if vs else None
    if k == "neg":
        v = eval_arith(a[1], rec)
        return None if v is None else -v
    l, r = eval_arith(a[2], rec), eval_arith(a[3], rec)
    if l is None or r is None:
        return None
    if a[1] == "/":
        return None if r == 0 else l / r
    return {"+": l + r, "-": l - r, "*": l * r}[a[1]]


def in_set(vals, st):
    prefix, entries = st
    for v in vals:
        v = as_text(v)
        if prefix:
            norm = re.sub(r"[^0-9A-Za-z]", "", v).lower()
            if any(norm.startswith(re.sub(r"[^0-9A-Za-z]", "", e).lower()) for e in entries):
                return True
        elif v.lower() in (e.lower() for e in entries):
            return True
    return False


def eval_cond(c, rule, matched, rec, sets):
    k = c[0]
    if k == "or":
        return eval_cond(c[1], rule, matched, rec, sets) or eval_cond(c[2], rule, matched, rec, sets)
    if k == "and":
        return eval_cond(c[1], rule, matched, rec, sets) and eval_cond(c[2], rule, matched, rec, sets)
    if k == "not":
        return not eval_cond(c[1], rule, matched, rec, sets)
    if k == "var":
        return matched[c[1]]
    if k == "quant":
        vs = c[2] or list(rule["pats"])
        got = [matched[v] for v in vs]
        return {"any": any(got), "all": all(got), "none": not any(got)}[c[1]]
    if k == "exists":
        return any(as_text(v).strip() for v in field_values(rec, c[1]))
    if k == "in":
        return in_set(field_values(rec, c[1]), sets[c[2]])
    if k == "cmp":
        l, r = eval_arith(c[2], rec), eval_arith(c[3], rec)
        if l is None or r is None:
            return False
        return {"<": l < r, "<=": l <= r, ">": l > r, ">=": l >= r,
                "==": l == r, "!=": l != r}[c[1]]
    raise ValueError(k)


def fires(rule, rec, sets):
    """Whether the rule fires on a JSON record."""
    matched = {}
    for var, (rx, unl, _, _) in rule["pats"].items():
        matched[var] = any(pattern_hits(rx, unl, as_text(v))
                           for f in rule["fields"] for v in field_values(rec, f))
    when = rule["when"] or ("quant", "any", None)
    if not eval_cond(when, rule, matched, rec, sets):
        return False
    return not any(eval_cond(u, rule, matched, rec, sets) for u in rule["unless"])


def text_record(rule, text):
    """Put a plain-text example into the rule's first field."""
    rec = {}
    parts = rule["fields"][0].split(".")
    cur = rec
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = text
    return rec


# ---------------------------------------------------------------- lint

GAP_RE = re.compile(r"(?<!\\)\.[*+]|\[\^[^\]]*\][*+]|\\S[*+]")


def lint(rule, sets, seen):
    problems = []
    for k in ("title", "indicator", "severity", "weight"):
        if k not in rule:
            problems.append(f"missing {k}")
    if rule.get("indicator") not in INDICATORS | DECLARED:
        problems.append(f"unknown indicator {rule.get('indicator')!r}")
    if rule.get("severity") not in SEVERITIES:
        problems.append(f"bad severity {rule.get('severity')!r}")
    if not 0 <= rule.get("weight", -1) <= 100:
        problems.append("weight out of 0-100")
    if not rule["sources"]:
        problems.append("no sources")
    nh = sum(1 for e in rule["expect"] if e[0])
    nm = len(rule["expect"]) - nh
    if nh < 3 or nm < 3:
        problems.append(f"needs >=3 hit and >=3 miss examples (has {nh}/{nm})")
    if rule["id"] in seen:
        problems.append(f"duplicate rule id (also {seen[rule['id']]})")
    for var, (_, _, pat, unl) in rule["pats"].items():
        for p in (pat, unl):
            if p and GAP_RE.search(p[0]):
                problems.append(f"{var}: unbounded gap in /{p[0][:40]}.../")
    return problems


def pcre2_compiles(pat):
    """Check a pattern compiles under PCRE2 (UTF mode) via pcre2grep."""
    src, flags = pat
    args = ["pcre2grep", "-u"]
    if "i" in flags:
        args.append("-i")
    r = subprocess.run(args + ["-e", src, "/dev/null"], capture_output=True, text=True)
    return r.returncode in (0, 1), r.stderr.strip()


# ---------------------------------------------------------------- main

def rule_files(args):
    out = []
    for a in args:
        if os.path.isdir(a):
            out += sorted(os.path.join(a, f) for f in os.listdir(a) if f.endswith(".rules"))
        else:
            out.append(a)
    return out


def main(argv):
    verbose = "-v" in argv
    check_pcre = "--pcre2" in argv
    paths = [a for a in argv if not a.startswith("-")] or ["rules"]
    rules, sets = [], {}
    try:
        for f in rule_files(paths):
            with open(f, encoding="utf-8") as fh:
                Parser(tokenize(fh.read(), f), f).file(rules, sets)
    except RuleError as e:
        print(f"error: {e}")
        return 1
    failed = total = 0
    seen = {}
    for r in rules:
        where = f"{r['file']}:{r['line']}"
        for p in lint(r, sets, seen):
            print(f"{where}: {r['id']}: LINT {p}")
            failed += 1
        seen[r["id"]] = where
        if check_pcre:
            for var, (_, _, pat, unl) in r["pats"].items():
                for p in (pat, unl):
                    if p:
                        ok, err = pcre2_compiles(p)
                        if not ok:
                            print(f"{where}: {r['id']}: {var}: PCRE2 rejects pattern: {err}")
                            failed += 1
        for want, ex, line in r["expect"]:
            total += 1
            rec = ex if isinstance(ex, dict) else text_record(r, ex)
            got = fires(r, rec, sets)
            if got != want:
                failed += 1
                print(f"{r['file']}:{line}: {r['id']}: expected {'hit' if want else 'miss'}, "
                      f"got {'hit' if got else 'miss'}: {json.dumps(ex)[:160]}")
            elif verbose:
                print(f"ok {r['id']} {'hit' if want else 'miss'}: {json.dumps(ex)[:100]}")
    inds = {r.get("indicator") for r in rules}
    print(f"{len(rules)} rules, {len(inds)} indicators, {total} examples, {failed} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
