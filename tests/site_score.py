#!/usr/bin/env python3
"""site_score.py - score ucflow's product labels on the deployment-shaped capture pcaps/site.pcap.

Ground truth does not come from ucflow: it is the prefix of each flow's name in pcaps/site.scn
(fin_ finesse, sm_ socialminer, st_ sametime, imp_ cisco-imp, wx_ webex-calling, bg_ no product,
wxs_ the Webex platform Calling shares with Meetings and Messaging: Webex, but not Calling),
read through `ucflow-synth --flows`, which also regenerates the capture so that the truth and
pcaps/site.pcap are known to match. Records are matched to scenario flows by protocol and the
unordered pair of endpoints, so a flow ucflow orients the other way still matches.

ucflow runs (1) without a site file, (2) with the site file an auditor would write
(tests/sites/site.sig), and (3) when `ucflow --help` lists --write-site, with the site file that
ucflow itself wrote in a first run passed back with --site. For each run the table gives, per
product, the flows, how many carry the right product, a wrong product, or none (with ucflow's
reasons), the background flows that carry any product label, and the wxs_ flows reported as
Webex Calling: labelled webex-calling with no scope field (--scope-field, default `scope`) that
says otherwise (any value but empty or `calling`).

Thresholds (exit 1 when one is not met; 2 on a usage or setup error):
  --min-nosite PCT       share of product flows with the right product, without a site file
  --min-site PCT         the same with tests/sites/site.sig
  --min-write-site PCT   the same with the --write-site file (default: --min-site)
  --max-bg-false N       background flows with a product label, in every run (default 0)
  --max-wrong N          product flows labelled with another product, in every run (default: no limit)
  --max-shared-as-calling N   wxs_ flows reported as Webex Calling, in every run (default: no limit)
"""
import argparse
import collections
import filecmp
import json
import os
import subprocess
import sys
import tempfile

PRODUCTS = [("fin", "finesse"), ("sm", "socialminer"), ("st", "sametime"),
            ("imp", "cisco-imp"), ("wx", "webex-calling")]
PREFIX = dict(PRODUCTS)
PREFIX["bg"] = None
SHARED = "webex-shared"
PREFIX["wxs"] = SHARED


def die(msg, code=2):
    print("site_score: " + msg, file=sys.stderr)
    sys.exit(code)


def truth_of(name):
    pre = name.split("_", 1)[0]
    if pre not in PREFIX or "_" not in name:
        die("flow %r: name has no known prefix (%s_)" % (name, "_, ".join(PREFIX)))
    return PREFIX[pre]


def endpoint_key(proto, a, pa, b, pb):
    ends = sorted([(a, int(pa)), (b, int(pb))])
    return (proto, ends[0], ends[1])


def load_truth(synth, scn, pcap, tmp):
    """Flows of the scenario (name, truth, key); checks that pcap is what scn gives."""
    flows_tsv = os.path.join(tmp, "site.flows")
    regen = os.path.join(tmp, "site.pcap")
    r = subprocess.run([synth, "--flows", flows_tsv, scn, regen], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode != 0:
        die("%s failed on %s: %s" % (synth, scn, r.stderr.strip()))
    if not filecmp.cmp(regen, pcap, shallow=False):
        die("%s is not what %s gives (regenerate with tools/regen-pcaps.sh)" % (pcap, scn), 1)
    flows, seen = [], {}
    with open(flows_tsv) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, proto, c, cp, s, sp = line.rstrip("\n").split("\t")
            key = endpoint_key(proto, c, cp, s, sp)
            if key in seen:
                die("flows %s and %s share their endpoints: the score could not tell them apart"
                    % (seen[key], name))
            seen[key] = name
            flows.append((name, truth_of(name), key))
    return flows


def run_ucflow(ucflow, sigdir, pcap, extra, tmp, tag):
    out = os.path.join(tmp, tag + ".jsonl")
    cmd = [ucflow, "-q", "-S", sigdir, "-r", pcap, "-T", "json", "-o", out] + extra
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        die("%s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()), 1)
    recs = {}
    with open(out) as f:
        for line in f:
            rec = json.loads(line)
            key = endpoint_key(rec["proto"], rec["id.orig_h"], rec["id.orig_p"],
                               rec["id.resp_h"], rec["id.resp_p"])
            recs.setdefault(key, []).append(rec)
    return recs


def as_calling(rec, scope_field):
    """A record that reports its flow as Webex Calling traffic."""
    return (rec.get("app") == "webex-calling" and
            (rec.get(scope_field) or "calling") == "calling")


def score(flows, recs, scope_field="scope"):
    """Per product: counts and lists; background: flows with a product label."""
    res = {p: {"flows": 0, "right": [], "wrong": [], "none": []} for _, p in PRODUCTS}
    bg = {"flows": 0, "labelled": [], "shared": 0, "as_calling": []}
    matched = set()
    for name, truth, key in flows:
        rs = recs.get(key)
        if rs:
            matched.add(key)
            rec = rs[-1]    # the last record of the flow (interim records come before it)
            app, reason = rec.get("app") or "", rec.get("reason") or ""
            label = "%s/%s" % (app, rec.get("app_service") or "") if app else ""
            conf = rec.get("confidence") or ""
        else:
            rec, app, reason, label, conf = {}, "", "no-record", "", ""
        if truth == SHARED:
            bg["shared"] += 1
            if as_calling(rec, scope_field):
                bg["as_calling"].append((name, label, conf))
            continue
        if truth is None:
            bg["flows"] += 1
            if app:
                bg["labelled"].append((name, label, conf))
            continue
        r = res[truth]
        r["flows"] += 1
        if app == truth:
            r["right"].append((name, label, conf))
        elif app:
            r["wrong"].append((name, label, conf))
        else:
            r["none"].append((name, reason, conf))
    extra = sum(len(v) for k, v in recs.items() if k not in matched)
    return res, bg, extra


def pct(n, d):
    return 100.0 * n / d if d else 100.0


def total(res):
    n = sum(r["flows"] for r in res.values())
    right = sum(len(r["right"]) for r in res.values())
    wrong = sum(len(r["wrong"]) for r in res.values())
    return n, right, wrong


def print_table(runs):
    """runs: list of (title, res, bg, extra)."""
    head = "%-14s %5s" % ("product", "flows")
    for title, *_ in runs:
        head += " | %-30s" % title[:30]
    print(head)
    sub = "%-14s %5s" % ("", "")
    for _ in runs:
        sub += " | %7s %6s %6s %6s" % ("right", "%", "wrong", "none")
    print(sub)
    print("-" * len(sub))
    for _, prod in PRODUCTS:
        line = "%-14s %5d" % (prod, runs[0][1][prod]["flows"])
        for _, res, _, _ in runs:
            r = res[prod]
            line += " | %7d %6.1f %6d %6d" % (len(r["right"]), pct(len(r["right"]), r["flows"]),
                                             len(r["wrong"]), len(r["none"]))
        print(line)
    n = total(runs[0][1])[0]
    line = "%-14s %5d" % ("all products", n)
    for _, res, _, _ in runs:
        _, right, wrong = total(res)
        line += " | %7d %6.1f %6d %6d" % (right, pct(right, n), wrong, n - right - wrong)
    print(line)
    line = "%-14s %5d" % ("background", runs[0][2]["flows"])
    for _, _, bg, _ in runs:
        line += " | %-30s" % ("%d with a product label" % len(bg["labelled"]))
    print(line)
    line = "%-14s %5d" % ("webex platform", runs[0][2]["shared"])
    for _, _, bg, _ in runs:
        line += " | %-30s" % ("%d reported as Calling" % len(bg["as_calling"]))
    print(line)
    if any(extra for *_, extra in runs):
        print("records matching no scenario flow: " +
              ", ".join("%s %d" % (t, e) for t, _, _, e in runs))


def print_details(title, res, bg):
    print("\n%s:" % title)
    conf = collections.Counter(c or "-" for r in res.values() for _, _, c in r["right"])
    print("  right labels by confidence: " +
          ", ".join("%s %d" % kv for kv in sorted(conf.items(), key=lambda kv: -kv[1])))
    for _, prod in PRODUCTS:
        r = res[prod]
        if r["wrong"]:
            by = collections.defaultdict(list)
            for name, label, conf in r["wrong"]:
                by["%s (%s)" % (label, conf)].append(name)
            for k, names in sorted(by.items()):
                print("  %s wrong product %s: %d  %s" % (prod, k, len(names), " ".join(names)))
        if r["none"]:
            by = collections.defaultdict(list)
            for name, reason, _ in r["none"]:
                by[reason or "-"].append(name)
            for k, names in sorted(by.items(), key=lambda kv: -len(kv[1])):
                print("  %s unlabelled, reason %s: %d  %s" % (prod, k, len(names), " ".join(names)))
    if bg["labelled"]:
        by = collections.defaultdict(list)
        for name, label, conf in bg["labelled"]:
            by["%s (%s)" % (label, conf)].append(name)
        for k, names in sorted(by.items(), key=lambda kv: -len(kv[1])):
            print("  background labelled %s: %d  %s" % (k, len(names), " ".join(names)))
    if bg["as_calling"]:
        by = collections.defaultdict(list)
        for name, label, conf in bg["as_calling"]:
            by["%s (%s)" % (label, conf)].append(name)
        for k, names in sorted(by.items(), key=lambda kv: -len(kv[1])):
            print("  Webex platform reported as Calling, %s: %d  %s" % (k, len(names), " ".join(names)))


def has_write_site(ucflow):
    r = subprocess.run([ucflow, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    return "--write-site" in r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ucflow", default="./ucflow")
    ap.add_argument("--synth", default="./tools/ucflow-synth")
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--site", help="site file (default SRCDIR/tests/sites/site.sig)")
    ap.add_argument("--sigdir", help="signature directory (default SRCDIR/signatures)")
    ap.add_argument("--min-nosite", type=float, default=0.0)
    ap.add_argument("--min-site", type=float, default=0.0)
    ap.add_argument("--min-write-site", type=float)
    ap.add_argument("--max-bg-false", type=int, default=0)
    ap.add_argument("--max-wrong", type=int)
    ap.add_argument("--max-shared-as-calling", type=int)
    ap.add_argument("--scope-field", default="scope",
                    help="record field that tells Webex Calling from the shared platform")
    ap.add_argument("--quiet", action="store_true", help="the table only, no per-flow details")
    a = ap.parse_args()
    src = a.srcdir
    scn = os.path.join(src, "pcaps", "site.scn")
    pcap = os.path.join(src, "pcaps", "site.pcap")
    sigdir = a.sigdir or os.path.join(src, "signatures")
    site = a.site or os.path.join(src, "tests", "sites", "site.sig")
    for p in (scn, pcap, site, a.ucflow, a.synth):
        if not os.path.exists(p):
            die("missing %s" % p)
    min_ws = a.min_site if a.min_write_site is None else a.min_write_site

    with tempfile.TemporaryDirectory(prefix="ucflow-site.") as tmp:
        flows = load_truth(a.synth, scn, pcap, tmp)
        runs = []
        plan = [("without a site file", [], a.min_nosite),
                ("with tests/sites/site.sig", ["--site", site], a.min_site)]
        for title, extra, _ in plan:
            res, bg, ex = score(flows, run_ucflow(a.ucflow, sigdir, pcap, extra, tmp,
                                                  "run%d" % len(runs)), a.scope_field)
            runs.append((title, res, bg, ex))
        if has_write_site(a.ucflow):
            written = os.path.join(tmp, "written.site")
            run_ucflow(a.ucflow, sigdir, pcap, ["--write-site", written], tmp, "write")
            res, bg, ex = score(flows, run_ucflow(a.ucflow, sigdir, pcap, ["--site", written],
                                                  tmp, "ws"), a.scope_field)
            runs.append(("with its own --write-site file", res, bg, ex))
            plan.append(("with its own --write-site file", None, min_ws))
            wrote = open(written).read()
        else:
            wrote = None
        nprod = total(runs[0][1])[0]
        print("pcaps/site.pcap: %d flows in the scenario: %d product, %d background, "
              "%d Webex platform (not Calling)"
              % (len(flows), nprod, runs[0][2]["flows"], runs[0][2]["shared"]))
        print_table(runs)
        if wrote is None:
            print("--write-site: skipped (ucflow --help does not list --write-site)")
        if not a.quiet:
            for title, res, bg, _ in runs:
                print_details(title, res, bg)
            if wrote is not None:
                print("\nthe site file ucflow wrote:")
                print("".join("  " + l for l in wrote.splitlines(True)))

    fails = []
    for (title, res, bg, _), (_, _, minimum) in zip(runs, plan):
        n, right, wrong = total(res)
        if pct(right, n) + 1e-9 < minimum:
            fails.append("%s: %.1f%% of product flows labelled right, below %.1f%%"
                         % (title, pct(right, n), minimum))
        if len(bg["labelled"]) > a.max_bg_false:
            fails.append("%s: %d background flows with a product label, above %d"
                         % (title, len(bg["labelled"]), a.max_bg_false))
        if a.max_shared_as_calling is not None and \
                len(bg["as_calling"]) > a.max_shared_as_calling:
            fails.append("%s: %d Webex platform flows reported as Calling, above %d"
                         % (title, len(bg["as_calling"]), a.max_shared_as_calling))
        if a.max_wrong is not None and wrong > a.max_wrong:
            fails.append("%s: %d product flows with the wrong product, above %d"
                         % (title, wrong, a.max_wrong))
    print()
    for f in fails:
        print("FAIL " + f)
    if not fails:
        print("site_score: all thresholds met (right without site >= %.1f%%, with site >= %.1f%%, "
              "background labels <= %d)" % (a.min_nosite, a.min_site, a.max_bg_false))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
