#!/usr/bin/env python3
"""Apply one mutant of a mutants.tsv list to a file (scripts/mutate.sh).

usage: mutate_apply.py LIST ID FILE. The anchor must occur exactly once in FILE;
{tab} and {nl} in anchor and replacement stand for a tab and a newline."""
import sys


def unescape(s):
    """The text a list field stands for."""
    return s.replace("{tab}", "\t").replace("{nl}", "\n")


def main():
    """Replace the mutant's anchor in FILE; exit non-zero with a reason if it cannot."""
    lst, mid, path = sys.argv[1:4]
    for line in open(lst, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == mid:
            break
    else:
        sys.exit("no mutant " + mid)
    if len(f) != 6:
        sys.exit("%d fields, wanted 6" % len(f))
    anchor, repl = unescape(f[2]), unescape(f[3])
    text = open(path, encoding="utf-8").read()
    count = text.count(anchor)
    if count != 1:
        sys.exit("anchor occurs %d times in %s" % (count, f[1]))
    open(path, "w", encoding="utf-8").write(text.replace(anchor, repl))


main()
