#!/usr/bin/env python3
# ndpi_labels.py - checks the product labels ucflow gave the third-party corpus (run by ndpi_sweep.sh
# on the outputs it collected), against the vendors' tables as signatures/*.sig transcribe them:
#   1. no false labels: a flow labelled with a product must show that product's documented domain
#      (SNI, certificate name, DNS name or HTTP Host matching one of its kind=service patterns) or
#      go to or come from one of its documented subnets; and when the flow carries names at all, one
#      of them must be the product's (a name of another application contradicts the label);
#   2. webex.pcap (a Webex Meetings capture): no flow is labelled Webex Calling, and every flow
#      there that carries a Webex name, or goes to a documented Webex subnet with TLS or HTTP, is
#      labelled (the shared Webex platform, app webex);
#   3. the per-capture counts of labelled flows (app, service, confidence) equal tests/
#      ndpi_labels.expected, so that a label gained or lost anywhere in the corpus shows up.
# Prints the counts per product over the corpus and per label on webex.pcap.
# Usage: ndpi_labels.py OUTDIR N SIGDIR EXPECTED [--regen]
#   OUTDIR holds I.out (ucflow's JSON lines) and I.name (the capture's path) for I in 1..N;
#   --regen rewrites EXPECTED from these outputs (review the diff before committing it).
import collections
import ipaddress
import json
import os
import re
import sys

outdir, n, sigdir, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
regen = "--regen" in sys.argv[5:]


def sig_lines(path):
    """The logical lines of a .sig file: comments dropped, backslash continuations joined."""
    buf = ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip()
        if line.lstrip().startswith("#"):
            line = ""
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            yield buf.strip()
        buf = ""


allow = collections.defaultdict(list)  # per app: kind=allow-list patterns (never a label)


def load_tables():
    """Per app: its kind=service domain patterns and the networks of its address sets (every app
    a file declares gets the file's sets)."""
    domains = collections.defaultdict(list)
    nets = collections.defaultdict(set)  # a union set repeats its members: once each
    for name in sorted(os.listdir(sigdir)):
        if not name.endswith(".sig"):
            continue
        apps, sets = [], {}
        for line in sig_lines(os.path.join(sigdir, name)):
            words = line.split()
            if words[0] == "app":
                apps.append(words[1])  # a file may declare several (webex-calling, webex)
            elif words[0] == "addrset":
                items = []
                for w in words[2:]:
                    if w.startswith("@"):
                        items += sets.get(w[1:], [])
                    else:
                        items.append(ipaddress.ip_network(w, strict=False))
                sets[words[1]] = items
            elif words[0] == "domain":
                kv = dict(re.findall(r"(\w+)=(\S+)", line))
                if kv.get("kind") == "service":
                    domains[kv["app"]].append(kv["pattern"].lower())
                elif kv.get("kind") == "allow-list":
                    allow[kv["app"]].append(kv["pattern"].lower())
        for app in apps:
            for items in sets.values():
                nets[app].update(items)
    return domains, nets


def name_matches(name, pattern):
    name = name.lower().rstrip(".")
    if pattern.startswith("*."):
        base = pattern[2:]
        return name == base or name.endswith("." + base)
    return name == pattern


def own_names(names, app):
    """The names that match one of app's service patterns."""
    return [x for x in names if any(name_matches(x, p) for p in domains.get(app, []))]


def names_of(rec):
    names = [rec.get("sni", ""), rec.get("dns_name", ""), rec.get("host", "")]
    names += (rec.get("server_names") or "").split(",")
    return [x.split(":")[0] for x in names if x]


def in_nets(rec, netlist):
    for key in ("id.orig_h", "id.resp_h"):
        try:
            a = ipaddress.ip_address(rec[key])
        except ValueError:
            continue
        if any(a.version == net.version and a in net for net in netlist):
            return True
    return False


domains, nets = load_tables()
problems = []
counts = collections.Counter()   # (file, app, service, confidence) -> flows
per_app = collections.Counter()
files_per_app = collections.defaultdict(set)
for i in range(1, n + 1):
    path = open(os.path.join(outdir, f"{i}.name")).read().strip()
    base = os.path.basename(path)
    for line in open(os.path.join(outdir, f"{i}.out"), encoding="utf-8", errors="replace"):
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # ndpi_sweep.sh reports lines that are not JSON
        if rec.get("end") == "interim":
            continue
        app = rec.get("app") or ""
        names = names_of(rec)
        where = f"{base} {rec.get('id.orig_h')}:{rec.get('id.orig_p')} -> " \
                f"{rec.get('id.resp_h')}:{rec.get('id.resp_p')}"
        if app:
            counts[(base, app, rec.get("app_service", ""), rec.get("confidence", ""))] += 1
            per_app[app] += 1
            files_per_app[app].add(base)
            own = own_names(names, app)
            if names and not own:
                problems.append(f"{where}: labelled {app} but its names {names} are not {app}'s")
            elif not own and not in_nets(rec, nets.get(app, ())):
                problems.append(f"{where}: labelled {app} ({rec.get('rule')}, {rec.get('confidence')})"
                                f" with neither a documented {app} name nor subnet")
        # webex.pcap is a Webex Meetings capture: Webex, never Webex Calling (issue 15). A flow
        # with a Webex name, or a documented subnet and a protocol Webex speaks, is the platform's.
        if base == "webex.pcap":
            webex_name = own_names(names, "webex") + own_names(names, "webex-calling")
            if app == "webex-calling":
                problems.append(f"{where}: Webex Meetings traffic labelled Webex Calling "
                                f"({rec.get('app_service')})")
            elif not app and (webex_name or (in_nets(rec, nets["webex"]) and
                                             rec.get("payload_proto") in ("tls", "http"))):
                problems.append(f"{where}: carries Webex evidence ({webex_name or 'subnet'}) "
                                f"but is labelled {app or 'nothing'}")
        # a name only on a firewall allow-list (*.cisco.com) labels nothing, anywhere
        allowed = [x for x in names if any(name_matches(x, p) for ps in allow.values() for p in ps)]
        if app and names and allowed and not any(own_names(names, a) for a in (app,)):
            problems.append(f"{where}: labelled {app} by an allow-list name {allowed}")

lines = [f"{f}\t{a}\t{s}\t{c}\t{v}" for (f, a, s, c), v in sorted(counts.items())]
if regen:
    with open(expected, "w") as out:
        out.write("# file\tapp\tservice\tconfidence\tflows  (tests/ndpi_labels.py --regen)\n")
        out.write("".join(x + "\n" for x in lines))
    print(f"wrote {expected}: {len(lines)} rows")
else:
    want = [x.rstrip("\n") for x in open(expected) if x.strip() and not x.startswith("#")]
    for x in sorted(set(want) - set(lines)):
        problems.append(f"expected, not found: {x}")
    for x in sorted(set(lines) - set(want)):
        problems.append(f"found, not expected: {x}")

print("product labels over the corpus: " +
      (", ".join(f"{a} {v} flows in {len(files_per_app[a])} files" for a, v in sorted(per_app.items()))
       or "none"))
for (f, a, s, c), v in sorted(counts.items()):
    if f == "webex.pcap":
        print(f"  webex.pcap: {v} {a}/{s} ({c})")
for p in problems:
    print("FAIL " + p)
sys.exit(1 if problems else 0)
