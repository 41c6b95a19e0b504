#!/usr/bin/env python3
"""report_check.py - recomputes the audit report's numbers from the flow records and compares them
with the text report (tests/report.sh).

usage: report_check.py SIGDIR REPORT.txt FLOWS.jsonl [FLOWS.jsonl ...]

With UCFLOW_RULES=FILE (the `ucflow --list-rules` output for the same signatures and site file)
it also recomputes the candidate flows of each finding: unlabelled flows whose candidate rows
(app/service, the row whose transport and server ports hold the flow's) would put them there.

Every number the text report prints about flows must be a sum over the records: the overview,
every row of the product/service and confidence tables, every finding group's flows, packets and
bytes, the DSCP checks, the fragment counts, the unclassified table, and the appendix. A flow is
counted once (its last record); its interim records add packets and bytes. Malformed lines are
skipped here as in the report (the report lists them)."""
import collections
import glob
import json
import os
import re
import sys

REQUIRED = ["ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
            "orig_bytes", "resp_bytes", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
            "confidence"]
# Fields a record leaves out when unset (ucflow's JSON omits them, as Zeek does): their values then
UNSET = {"app": "", "app_service": "", "app_category": "", "rule": "", "reason": "", "candidates": [],
         "orig_dscp": None, "resp_dscp": None, "expected_dscp": None, "encrypted": None,
         "vlan": None, "inner_vlan": None, "tunnel": None, "history": ""}
CONF = ["payload", "dns", "subnet+port", "subnet", "site+port", "role+port", "port", "none", "other"]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def load_records(paths):
    recs = []
    for p in paths:
        for line in open(p, encoding="utf-8"):
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if not isinstance(r, dict) or any(k not in r for k in REQUIRED):
                continue  # the report lists it as malformed
            for k, v in UNSET.items():
                r.setdefault(k, v)
            recs.append(r)
    return recs


SUBNET_ONLY = set()
# Webex Calling and the shared Webex platform (app webex): the report's Webex findings cover both.
WEBEX = ("webex-calling", "webex")


def subnet_only_rules():
    """Sources ("file:line") of rows with a documented server subnet and no port (--list-rules)."""
    out = set()
    path = os.environ.get("UCFLOW_RULES")
    if not path:
        return out
    lines = open(path, encoding="utf-8").read().splitlines()
    head = lines[0].lstrip("#").split("\t")
    for line in lines[1:]:
        row = dict(zip(head, line.split("\t")))
        if row.get("server_port") == "any" and row.get("server", "").startswith("@") \
                and row.get("server") != "@internal":
            out.add(row["source"])
    return out


def media_ports(sigdir):
    """Server ports of Webex Calling's non-TCP media rules, from the signature files."""
    ports = set()
    for path in glob.glob(os.path.join(sigdir, "*.sig")):
        text = open(path, encoding="utf-8").read().replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            if not line.startswith("rule "):
                continue
            kv = dict(t.split("=", 1) for t in line.split()[1:] if "=" in t)
            if kv.get("app") in WEBEX and kv.get("category") == "media" \
                    and kv.get("proto") != "tcp":
                for item in kv.get("server_port", "").split(","):
                    if re.fullmatch(r"\d+(-\d+)?", item):
                        lo, _, hi = item.partition("-")
                        ports.update(range(int(lo), int(hi or lo) + 1))
    return ports


class Agg:
    def __init__(self):
        self.flows = self.pkts = self.bytes = self.frag = 0
        self.servers = collections.Counter()
        self.clients = collections.Counter()

    def add(self, r, final):
        self.flows += final
        self.pkts += r["orig_pkts"] + r["resp_pkts"]
        self.bytes += r["orig_ip_bytes"] + r["resp_ip_bytes"]
        self.frag += r.get("frag_pkts", 0)
        h = r["id.resp_h"]
        ep = ("[%s]:%d" if ":" in h else "%s:%d") % (h, r["id.resp_p"])
        self.servers[ep] += final
        self.clients[r["id.orig_h"]] += final


def compute(recs, mports):
    m = {"flows": 0, "records": len(recs), "interim": 0, "pkts": [0, 0], "ip": [0, 0],
         "pay": [0, 0], "labelled": 0, "ts": [], "rules": set(), "cands": set()}
    svc = collections.defaultdict(lambda: {"flows": 0, "pkts": 0, "ip": [0, 0],
                                           "clients": set(), "servers": set(),
                                           "conf": collections.Counter()})
    prod = collections.defaultdict(lambda: {"flows": 0, "pkts": 0, "ip": [0, 0],
                                            "clients": set(), "servers": set(),
                                            "conf": collections.Counter()})
    finding = {k: collections.defaultdict(Agg) for k in "a c d e f".split()}
    dscp = collections.defaultdict(lambda: {"checked": 0, "recs": []})
    for r in recs:
        final = 0 if r.get("end") == "interim" else 1
        m["flows"] += final
        m["interim"] += 1 - final
        m["pkts"][0] += r["orig_pkts"]
        m["pkts"][1] += r["resp_pkts"]
        m["ip"][0] += r["orig_ip_bytes"]
        m["ip"][1] += r["resp_ip_bytes"]
        m["pay"][0] += r["orig_bytes"]
        m["pay"][1] += r["resp_bytes"]
        m["ts"] += [int(round(r["ts"] * 1e6)), int(round((r["ts"] + r["duration"]) * 1e6))]
        if r["rule"]:
            m["rules"].add(r["rule"])
        m["cands"].update(r.get("candidates", []))
        app = r["app"]
        key = "%s/%s" % (app, r["app_service"]) if app else "(unclassified)"
        conf = r["confidence"] if r["confidence"] in CONF else ("none" if not r["confidence"] else "other")
        for s, k in ((svc, key), (prod, app or "(unclassified)")):
            e = s[k]
            e["flows"] += final
            e["pkts"] += r["orig_pkts"] + r["resp_pkts"]
            e["ip"][0] += r["orig_ip_bytes"]
            e["ip"][1] += r["resp_ip_bytes"]
            e["clients"].add(r["id.orig_h"])
            e["servers"].add(r["id.resp_h"])
            e["conf"][conf] += final
        if app:
            m["labelled"] += final
        pk = "%s/%d" % (r["proto"], r["id.resp_p"])
        if app and r.get("encrypted") is False:
            finding["a"][key].add(r, final)
        if app and final and r.get("expected_dscp") is not None and r.get("orig_dscp") is not None:
            dscp[key]["checked"] += 1
            dscp[key]["recs"].append(r)
        # a subnet-only row labels at confidence subnet, or payload when the payload confirms it
        sub_only = app and (r["confidence"] == "subnet" or r["rule"] in SUBNET_ONLY)
        if app in WEBEX and r["proto"] == "tcp" and (
                r["app_category"] == "media" or (sub_only and r["id.resp_p"] in mports)):
            finding["c"]["%s tcp/%d" % (key, r["id.resp_p"])].add(r, final)
        if sub_only:
            finding["d"]["%s %s" % (key, pk)].add(r, final)
        if not app:
            finding["e"][pk].add(r, final)
        if app and r.get("frag_pkts", 0) > 0:
            finding["f"][key].add(r, final)
    return m, svc, prod, finding, dscp


def load_rules(path):
    """--list-rules output: app/service -> [row dict] in load order."""
    rules = collections.defaultdict(list)
    lines = open(path, encoding="utf-8").read().splitlines()
    head = lines[0].lstrip("#").split("\t")
    for line in lines[1:]:
        row = dict(zip(head, line.split("\t")))
        rules["%s/%s" % (row["app"], row["service"])].append(row)
    return rules


def port_held(spec, port):
    if not spec or spec == "any":
        return True
    for item in spec.split(","):
        if item.startswith("@"):
            return True
        lo, _, hi = item.partition("-")
        if int(lo) <= port <= int(hi or lo):
            return True
    return False


def cand_row(rules, cand, r):
    rows = rules.get(cand, [])
    for row in rows:
        if row["proto"] in ("both", r["proto"]) and port_held(row["server_port"], r["id.resp_p"]):
            return row
    return rows[0] if rows else None


def candidates(recs, rules, mports):
    """Per finding letter: candidate flows (final records) and reasons."""
    dscp = collections.defaultdict(set)
    for key, rows in rules.items():
        for row in rows:
            if row["dscp"] != "-":
                dscp[key].update(int(x) for x in row["dscp"].split(","))
    out = {k: collections.Counter() for k in "abcf"}
    for r in recs:
        if r["app"] or r.get("end") == "interim":
            continue
        hit = set()
        for cand in r.get("candidates", []):
            row = cand_row(rules, cand, r)
            if not row:
                continue
            if row["encrypted"] == "no":
                hit.add("a")
            d = dscp.get(cand)
            if d and r.get("orig_dscp") is not None and (r["orig_dscp"] not in d or r.get("dscp_changed")):
                hit.add("b")
            if row["app"] in WEBEX and r["proto"] == "tcp" and (
                    row["category"] == "media" or
                    (row["source"] in SUBNET_ONLY and r["id.resp_p"] in mports)):
                hit.add("c")
            if r.get("frag_pkts", 0) > 0:
                hit.add("f")
        for k in hit:
            out[k][r.get("reason") or "(not recorded)"] += 1
    return out


def section(text, start, end):
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[i:j]


def num(s):
    return int(s.replace(",", ""))


def main():
    sigdir, report, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    text = open(report, encoding="utf-8").read()
    recs = load_records(paths)
    SUBNET_ONLY.update(subnet_only_rules())
    m, svc, prod, finding, dscp = compute(recs, media_ports(sigdir))

    # ---- overview
    def ov(name):
        g = re.search(r"^    %s: +(.*)$" % re.escape(name), text, re.M)
        check(g, "overview line %s missing" % name)
        return g.group(1) if g else ""
    check(num(ov("Flow records").split()[0]) == m["flows"], "flow records")
    check(ov("Packets").startswith("%d (originator %d, responder %d)" % (
        sum(m["pkts"]), m["pkts"][0], m["pkts"][1])), "packets: " + ov("Packets"))
    v = re.match(r"(\d+) \([^;]*; originator (\d+), responder (\d+)\)", ov("IP bytes"))
    check(v and tuple(map(int, v.groups())) == (sum(m["ip"]), m["ip"][0], m["ip"][1]), "IP bytes")
    v = re.match(r"(\d+) \([^;]*; originator (\d+), responder (\d+)\)", ov("Payload bytes"))
    check(v and tuple(map(int, v.groups())) == (sum(m["pay"]), m["pay"][0], m["pay"][1]),
          "payload bytes")
    check(num(ov("Labelled flows").split()[0]) == m["labelled"], "labelled flows")
    check(num(ov("Interim records").split()[0]) == m["interim"], "interim records")

    # ---- products and services table
    tab = section(text, "Products and services\n", "Confidence mix")
    rows = {}
    for line in tab.splitlines():
        g = re.match(r"^ {4,6}(\S+(?: \(total\))?)\s+([^\d\s]\S*)?\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(?:\s+(\d+)\s+(\d+))?", line)
        if g and not line.strip().startswith("All flows"):
            rows[g.group(1)] = [int(x) if x else None for x in g.groups()[2:]]
        if line.strip().startswith("All flows"):
            t = list(map(int, line.split()[2:6]))
            check(t == [m["flows"], sum(m["pkts"]), m["ip"][0], m["ip"][1]], "All flows row %s" % t)
    for key, e in svc.items():
        name = key
        check(name in rows, "service row %s missing" % name)
        if name in rows:
            check(rows[name] == [e["flows"], e["pkts"], e["ip"][0], e["ip"][1],
                                 len(e["clients"]), len(e["servers"])],
                  "row %s: %s != %s" % (name, rows[name], [e["flows"], e["pkts"], e["ip"][0],
                                                           e["ip"][1], len(e["clients"]),
                                                           len(e["servers"])]))
    for app, e in prod.items():
        if app == "(unclassified)":
            continue
        name = app + " (total)"
        check(name in rows and rows[name] == [e["flows"], e["pkts"], e["ip"][0], e["ip"][1],
                                              len(e["clients"]), len(e["servers"])],
              "product row %s" % name)
    check(len(rows) == len(svc) + len([a for a in prod if a != "(unclassified)"]),
          "table has %d rows, expected %d" % (len(rows), len(svc) + len(prod) - 1))

    # ---- confidence table
    tab = section(text, "Confidence mix", "Findings\n")
    for line in tab.splitlines():
        parts = line.split()
        k = len(CONF) + 1  # flows, then one column per confidence
        if len(parts) < k + 1 or not parts[-1].isdigit():
            continue
        name = " ".join(parts[:-k])
        vals = list(map(int, parts[-k:]))
        if name == "All flows":
            check(vals[0] == m["flows"], "confidence total")
            continue
        src = prod[name[:-8]] if name.endswith(" (total)") else svc.get(name)
        check(src is not None, "confidence row %s unknown" % name)
        if src:
            check(vals == [src["flows"]] + [src["conf"][c] for c in CONF],
                  "confidence row %s: %s" % (name, vals))

    # ---- findings: every group heading against the records
    def groups(letter, nxt):
        sec = section(text, "### %s. " % letter, nxt)
        head = re.search(r"^### .*?: (\d+) flows?(?:, (\d+) candidate flows?)?$", sec, re.M)
        out = {}
        for g in re.finditer(r"^    (\S.*?): (\d+) flows?, (\d+) packets, (\d+) IP bytes(?: \([^)]*\))?"
                             r"(?:, (\d+) fragments)?", sec, re.M):
            if g.group(1).startswith("candidate "):
                continue
            out[g.group(1)] = tuple(int(x) for x in g.groups()[1:] if x is not None)
        tops = re.findall(r"^    (\S.*?): .*\n((?:        .*\n|          .*\n)*)", sec, re.M)
        return int(head.group(1)), out, sec, dict(tops)

    def endpoints(block, agg):
        for kind, cnt in (("servers", agg.servers), ("clients", agg.clients)):
            g = re.search(r"top %s: (.*)" % kind, block)
            if not g:
                continue
            listed = re.findall(r"(\S+) \((\d+) flows?\)", g.group(1))
            for ep, n in listed:
                check(cnt[ep] == int(n), "top %s %s: %s != %d" % (kind, ep, n, cnt[ep]))
            if listed:
                check(int(listed[0][1]) == max(cnt.values()), "top %s not the largest" % kind)

    for letter, nxt, key in (("a", "### b.", "a"), ("c", "### d.", "c"), ("d", "### e.", "d"),
                             ("f", "### g.", "f")):
        total, got, sec, tops = groups(letter, nxt)
        want = finding[key]
        if key == "a":  # the a list holds both parts: with and without an encrypted variant
            informational = re.search(r"for information\): (\d+) flows?", sec)
            check(total + (int(informational.group(1)) if informational else 0) ==
                  sum(a.flows for a in want.values()), "finding a total")
        else:
            check(total == sum(a.flows for a in want.values()),
                  "finding %s: %d flows, records say %d" % (letter, total,
                                                            sum(a.flows for a in want.values())))
        check(set(got) == set(want), "finding %s groups %s != %s" % (letter, sorted(got), sorted(want)))
        for k, a in want.items():
            exp = (a.flows, a.pkts, a.bytes) + ((a.frag,) if key == "f" else ())
            check(got.get(k) == exp, "finding %s group %s: %s != %s" % (letter, k, got.get(k), exp))
            if k in tops:
                endpoints(tops[k], a)

    # b: per service, checked and differing flows against the documented values it prints
    sec = section(text, "### b. ", "### c.")
    total_diff = 0
    seen = set()
    for g in re.finditer(r"^    (\S+): (\d+) checked flows?, (\d+) differs?\n"
                         r"        documented DSCP: ([\d, ]+)\n", sec, re.M):
        key, checked, differ = g.group(1), int(g.group(2)), int(g.group(3))
        documented = {int(x) for x in g.group(4).split(",")}
        seen.add(key)
        d = dscp.get(key, {"checked": 0, "recs": []})
        check(checked == d["checked"], "dscp %s checked %d != %d" % (key, checked, d["checked"]))
        want = sum(1 for r in d["recs"] if r["orig_dscp"] not in documented or r["dscp_changed"])
        check(differ == want, "dscp %s differ %d != %d" % (key, differ, want))
        total_diff += want
    check(seen == set(dscp), "dscp groups %s != %s" % (sorted(seen), sorted(dscp)))
    g = re.search(r"^(\d+) of (\d+) checked flow", sec, re.M)
    check(g and int(g.group(1)) == total_diff and int(g.group(2)) ==
          sum(d["checked"] for d in dscp.values()), "dscp summary")

    # e: the unclassified table (top groups + remainder + total)
    sec = section(text, "### e. ", "### f.")
    want = finding["e"]
    for block in re.findall(r"Top groups by [^\n]*\n\n((?:    .*\n)+)", sec):
        rest = [0, 0, 0]
        for line in block.splitlines()[2:]:
            p = line.split()
            if p[0] == "All":
                check(list(map(int, p[2:5])) == [sum(a.flows for a in want.values()),
                                                  sum(a.pkts for a in want.values()),
                                                  sum(a.bytes for a in want.values())],
                      "unclassified total")
            elif p[0].startswith("("):
                rest = list(map(int, p[2:5]))
            elif not p[0].startswith("-"):
                a = want.get(p[0])
                check(a is not None and list(map(int, p[1:6])) ==
                      [a.flows, a.pkts, a.bytes, len(a.servers), len(a.clients)]
                      if a else False, "unclassified row %s" % p[0])
        del rest

    # ---- candidate flows per finding (headings and their "Candidate flows" paragraph)
    if os.environ.get("UCFLOW_RULES"):
        cand = candidates(recs, load_rules(os.environ["UCFLOW_RULES"]), media_ports(sigdir))
        for letter in "abcf":
            h = re.search(r"^### %s\. .*?: \d+ flows?(?:, (\d+) candidate flows?)?$" % letter, text, re.M)
            got = int(h.group(1) or 0) if h else -1
            want = sum(cand[letter].values())
            check(got == want, "finding %s: %d candidate flows, records say %d" % (letter, got, want))
            if want:
                i = text.index("### %s. " % letter)
                ends = [j for j in (text.find("\n### ", i + 1), text.find("\nAppendix", i)) if j > 0]
                sec = text[i:min(ends)]
                g = re.search(r"by reason: ([^.]*)\.", sec.replace("\n", " "))
                got_r = dict((k, int(v)) for k, v in re.findall(r"(\S+) (\d+)", g.group(1))) if g else {}
                check(got_r == dict(cand[letter]), "finding %s candidate reasons %s != %s" % (
                    letter, got_r, dict(cand[letter])))

    # ---- g: unanswered attempts on documented rows, port scans apart
    def unanswered(r):
        if r.get("end") == "interim" or not r["orig_pkts"]:
            return False
        if r["proto"] == "tcp":
            cs = r.get("conn_state", "")
            return cs in ("S0", "REJ") or (not cs and r["resp_pkts"] == 0)
        return r["proto"] == "udp" and r["resp_pkts"] == 0
    un = [r for r in recs if unanswered(r)]
    pairs = collections.defaultdict(set)
    for r in un:
        pairs[r["id.orig_h"]].add((r["id.resp_h"], r["id.resp_p"]))
    scans = {h for h, p in pairs.items() if len(p) >= 8}
    rules_g = load_rules(os.environ["UCFLOW_RULES"]) if os.environ.get("UCFLOW_RULES") else None

    def row_of(r):
        """The documented row of an attempt: its label, or for a record left unlabelled only
        because the server never answered (reason unanswered), its first candidate that is a
        documented row (the first candidate without --list-rules)."""
        if r["app"]:
            return "%s/%s" % (r["app"], r["app_service"])
        if r.get("reason") != "unanswered":
            return None
        for c in r.get("candidates", []):
            if rules_g is None or cand_row(rules_g, c, r):
                return c
        return None
    lab = [r for r in un if row_of(r) and r["id.orig_h"] not in scans]
    h = re.search(r"^### g\. .*?: (\d+) flows?(?:, (\d+) candidate flows?)?$", text, re.M)
    check(h and int(h.group(1)) == len(lab), "finding g: %s flows, records say %d" % (
        h.group(1) if h else None, len(lab)))
    sec = section(text, "### g. ", "Appendix:")
    for key, want in collections.Counter("%s %s/%d" % (row_of(r), r["proto"],
                                          r["id.resp_p"]) for r in lab).items():
        g = re.search(r"^    %s: (\d+) attempts?" % re.escape(key), sec, re.M)
        check(g and int(g.group(1)) == want, "finding g row %s: %s != %d" % (key, g.group(1) if g else None, want))
    got_scans = set(re.findall(r"^        scan from (\S+):", sec, re.M))
    check(got_scans == scans, "scans %s != %s" % (sorted(got_scans), sorted(scans)))
    if os.environ.get("UCFLOW_RULES"):
        rules = load_rules(os.environ["UCFLOW_RULES"])
        cand = [r for r in un if not r["app"] and r.get("reason") != "unanswered" and
                r["id.orig_h"] not in scans and
                any(cand_row(rules, c, r) for c in r.get("candidates", []))]
        check(h and int(h.group(2) or 0) == len(cand), "finding g: %s candidate flows, records say %d"
              % (h.group(2) if h else None, len(cand)))

    # ---- the summary: products found and unlabelled flows by reason
    summ = section(text, "Summary\n", "Overview\n").replace("\n    ", " ")
    reasons = collections.Counter((r.get("reason") or "(not recorded)") for r in recs
                                  if not r["app"] and r.get("end") != "interim")
    got_r = dict((k, int(v)) for k, v in re.findall(r"^  - (\S+): (\d+) flows?(?: - |$)", section(
        summ, "Unlabelled:", "Findings (") if "Unlabelled: none" not in summ else "", re.M))
    check(got_r == dict(reasons), "summary reasons %s != %s" % (got_r, dict(reasons)))
    for app, e in prod.items():
        if app == "(unclassified)":
            continue
        g = re.search(r"^  - .* \(%s\): (\d+) flows?" % re.escape(app), summ, re.M)
        check(g and int(g.group(1)) == e["flows"], "summary product %s" % app)
    if m["labelled"] == 0:
        check(re.match(r"ucflow audit report: no (product traffic|flow records)", text),
              "no product traffic: not said in the first line")
        check("\nNo product traffic:" in summ, "no product traffic: not said in the summary")

    # ---- Webex scope: flows, IP bytes, clients and servers per app_scope (Webex labels without
    # one: "not recorded"); only the calling row is Webex Calling, in the table and the summary
    scopes = collections.defaultdict(lambda: {"flows": 0, "bytes": 0, "clients": set(),
                                              "servers": set()})
    calling_other = 0
    for r in recs:
        sc = r.get("app_scope", "")
        if not sc and r["app"] not in WEBEX:
            continue
        final = 0 if r.get("end") == "interim" else 1
        e = scopes[sc or "-"]
        e["flows"] += final
        e["bytes"] += r["orig_ip_bytes"] + r["resp_ip_bytes"]
        e["clients"].add(r["id.orig_h"])
        e["servers"].add(r["id.resp_h"])
        if r["app"] == "webex-calling" and sc != "calling":
            calling_other += final
    flat = re.sub(r"\s+", " ", summ)  # the summary's paragraphs, whatever the wrapping
    flat = flat.replace(" Webex scope: ", "\nWebex scope: ")
    has_table = "\nWebex scope (what the Webex labels claim)\n" in text
    check(has_table == bool(scopes), "Webex scope table shown: %s, Webex records: %d" % (
        has_table, len(scopes)))
    if has_table:
        sec = section(text, "\nWebex scope (what the Webex labels claim)\n", "\nOnly the Webex Calling row")
        got = {}
        for line in sec.splitlines():
            if not line.startswith("    ") or line.strip().startswith(("Webex scope", "---")):
                continue
            cells = re.split(r"\s{2,}", line.strip())
            got[cells[1]] = cells
        for sc, e in scopes.items():
            want = [str(e["flows"]), str(e["bytes"]), str(len(e["clients"])), str(len(e["servers"])),
                    "yes" if sc == "calling" else "no"]
            check(sc in got and got[sc][2:] == want, "Webex scope row %s: %s != %s" % (
                sc, got.get(sc, [])[2:], want))
        for sc, cells in got.items():
            check(sc in scopes or (sc in ("calling", "webex-platform", "allow-list") and
                                   cells[2:4] == ["0", "0"]), "Webex scope row %s not in the records" % sc)
        g = re.search(r"^Webex scope: Webex Calling (\d+) flows; shared Webex platform (\d+) flows "
                      r"\(not Calling\); Calling allow-list only (\d+) flows", flat, re.M)
        check(g and [int(x) for x in g.groups()] == [scopes[k]["flows"] if k in scopes else 0 for k in
                                                      ("calling", "webex-platform", "allow-list")],
              "summary Webex scope line: %s" % (g.groups() if g else None,))
        if "-" in scopes:
            check("scope not recorded %d flows (not counted as Calling)" % scopes["-"]["flows"] in flat,
                  "summary: scope not recorded")
    g = re.search(r"^  - .* \(webex-calling\): \d+ flows?( \((\d+) of them not of Webex Calling "
                  r"scope)?", summ, re.M)
    if g:
        check(int(g.group(2) or 0) == calling_other, "summary: webex-calling flows not of Calling "
              "scope %s != %d" % (g.group(2), calling_other))

    # ---- Servers: hosts with server evidence (a record naming them server=, or serves= ports) by
    # role, flows as server and as client; hosts with a client role only are product clients
    srv_keys, flows_s, flows_c = set(), collections.Counter(), collections.Counter()
    for r in recs:
        ev = r.get("evidence", "")
        if "role=" not in ev:
            continue
        tok = dict(t.split("=", 1) for t in ev.split() if "=" in t)
        addr = tok.get("server") or tok.get("client")
        if not tok.get("role") or not addr:
            continue
        key = (addr, tok["role"])
        final = 0 if r.get("end") == "interim" else 1
        if tok.get("server") or tok.get("serves"):
            srv_keys.add(key)
        (flows_s if tok.get("server") else flows_c)[key] += final
    all_keys = set(flows_s) | set(flows_c)
    has_sec = "\nServers (roles learned from the capture)\n" in text
    check(has_sec == bool(all_keys), "Servers section shown: %s, role records: %d" % (has_sec, len(all_keys)))
    if has_sec:
        sec = section(text, "\nServers (roles learned from the capture)\n", "\nConfidence mix")
        cli_at = sec.find("\nProduct clients seen")
        srv_part, cli_part = (sec[:cli_at], sec[cli_at:]) if cli_at >= 0 else (sec, "")
        rows = {}
        for line in srv_part.splitlines():
            c = re.split(r"\s{2,}", line.strip())
            if line.startswith("    ") and len(c) >= 6 and re.fullmatch(r"[0-9a-f.:]+", c[0]):
                rows[(c[0], c[1])] = (int(c[-4]), int(c[-3]))
        if len(srv_keys) <= 50:
            check(set(rows) == srv_keys, "Servers rows %s != hosts with server evidence %s" % (
                sorted(rows), sorted(srv_keys)))
        for k, v in rows.items():
            check(k in srv_keys, "Servers lists %s without server evidence" % (k,))
            check(v == (flows_s[k], flows_c[k]), "Servers %s: %s != %s" % (k, v, (flows_s[k], flows_c[k])))
        roles = collections.defaultdict(lambda: [0, 0])
        for k in all_keys - srv_keys:
            roles[k[1]][0] += 1
            roles[k[1]][1] += flows_c[k]
        got = {}
        for line in cli_part.splitlines():
            c = re.split(r"\s{2,}", line.strip())
            if line.startswith("    ") and len(c) >= 3 and "/" in c[0] and c[1].isdigit():
                got[c[0]] = [int(c[1]), int(c[2])]
        if len(all_keys) <= 256:
            check(got == dict(roles), "product clients %s != %s" % (got, dict(roles)))

    # ---- appendix: no listed rule was named by a record
    sec = section(text, "Appendix:", None)
    listed = re.findall(r"^    (\S+\.sig:\d+)\s+(\S+)", sec, re.M)
    for rule, svcname in listed:
        check(rule not in m["rules"], "appendix lists %s, which records name" % rule)
        check(svcname not in m["cands"], "appendix lists %s, a candidate" % svcname)
    g = re.search(r"(\d+) loaded \(\d+ rules, \d+ domain rows\), (\d+) named by no record", text)
    check(g and int(g.group(2)) == len(listed), "appendix rows %d" % len(listed))

    if failures:
        for f in failures:
            print("FAIL", f)
        sys.exit(1)
    print("ok   %s: %d records (%d flows) from %d file(s) agree with the report" % (
        os.path.basename(report), m["records"], m["flows"], len(paths)))


main()
