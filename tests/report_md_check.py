#!/usr/bin/env python3
"""report_md_check.py - checks that a .md audit report is real Markdown (CommonMark with GitHub's
pipe tables), with the structure the text report has.

usage: report_md_check.py REPORT.md [REPORT.txt]

Parses the file block by block, as a CommonMark reader would, and fails when:
- the first line is not a level-1 ATX heading, or a heading level jumps by more than one;
- a table's delimiter row does not follow its header, a row has another number of cells than the
  header (unescaped pipes counted, escaped ones \\| are text), or a table is not set off by blank
  lines;
- an indented (code) block appears: the plain-text layout indents its tables by four spaces;
- there are no tables, or no ## sections Summary, Overview, Products and services, Findings;
- with REPORT.txt: the finding headings (### a. ... b. ...) differ from the text report's once
  Markdown's backslash escapes are removed.
"""
import re
import sys

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def cells(line):
    """Cells of a pipe-table row: split on unescaped pipes, outer pipes removed."""
    s = line.strip()
    check(s.startswith("|") and s.endswith("|") and not s.endswith("\\|"),
          "table row not enclosed in pipes: %r" % line[:80])
    parts, cur, i = [], "", 1
    while i < len(s) - 1:
        c = s[i]
        if c == "\\" and i + 1 < len(s) - 1:
            cur += s[i:i + 2]
            i += 2
            continue
        if c == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur.strip())
    return parts


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def main():
    md = open(sys.argv[1], encoding="utf-8").read()
    lines = md.split("\n")
    check(re.match(r"^# \S", lines[0]) is not None, "first line is not a level-1 heading: %r" % lines[0])
    headings, tables, level = [], 0, 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^ {4,}\S", line) and (i == 0 or lines[i - 1].strip() == ""):
            failures.append("line %d: an indented code block (plain-text layout): %r" % (i + 1, line[:60]))
        h = re.match(r"^(#{1,6}) (.*)$", line)
        if h:
            n = len(h.group(1))
            check(n <= level + 1, "line %d: heading level %d after level %d" % (i + 1, n, level))
            level = n
            headings.append((n, unescape(h.group(2))))
            check(i + 1 >= len(lines) or lines[i + 1] == "", "line %d: no blank line after heading" % (i + 1))
        elif line.startswith("|"):
            check(i > 0 and lines[i - 1] == "", "line %d: table not after a blank line" % (i + 1))
            head = cells(line)
            check(i + 1 < len(lines) and re.match(r"^\|( *:?-{3,}:? *\|)+$", lines[i + 1]),
                  "line %d: table header without a delimiter row" % (i + 1))
            check(len(cells(lines[i + 1])) == len(head), "line %d: delimiter has %d cells, header %d" % (
                i + 2, len(cells(lines[i + 1])), len(head)))
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                n = len(cells(lines[j]))
                check(n == len(head), "line %d: %d cells, header has %d" % (j + 1, n, len(head)))
                j += 1
            check(j >= len(lines) or lines[j] == "", "line %d: table not followed by a blank line" % (j + 1))
            tables += 1
            i = j
            continue
        i += 1
    check(tables >= 3, "%d tables" % tables)
    sections = [t for n, t in headings if n == 2]
    for want in ("Summary", "Overview", "Products and services", "Findings"):
        check(want in sections, "no ## %s section (have %s)" % (want, sections))
    if len(sys.argv) > 2:
        txt = open(sys.argv[2], encoding="utf-8").read()
        want = re.findall(r"^### ([a-z]\. .*)$", txt, re.M)
        got = [t for n, t in headings if n == 3 and re.match(r"[a-z]\. ", t)]
        check(got == want, "finding headings differ from the text report:\n  %s\n  %s" % (got, want))
    if failures:
        for f in failures[:30]:
            print("FAIL", f)
        sys.exit(1)
    print("ok   %s: Markdown with %d headings and %d pipe tables" % (sys.argv[1], len(headings), tables))


main()
