#!/usr/bin/env python3
"""ipfix_check.py - compares what an IPFIX collector decoded with the JSON records of the same
ucflow run (tests/ipfix_collectors.sh).

  ipfix_check.py ipfixdump FLOWS.json DUMP.txt   ipfixDump's text: every record's 5-tuple,
                                                  counters and applicationId, and the options
                                                  records naming every selector used
  ipfix_check.py nfacctd FLOWS.json PRINT.json    pmacct's print plugin (JSON): 5-tuple,
                                                  counters and class per direction
  ipfix_check.py nfdump FLOWS.json NFDUMP.json    nfdump -o json: 5-tuple and counters
  ipfix_check.py file FLOWS.json FILE.ipfix       an IPFIX file (RFC 5655) decoded here, for
                                                  tests without a collector (live_workers.sh):
                                                  every record's 5-tuple, counters and the name of
                                                  its applicationId, each exactly once

Each JSON flow record stands for one IPFIX record per direction that sent packets: the
originator's (orig -> resp) and, when it answered, the responder's. Prints what differs and
exits 1, or prints a one-line summary and exits 0."""
import collections
import ipaddress
import json
import re
import sys

PROTO = {"tcp": 6, "udp": 17}


def proto_num(rec):
    p = rec["proto"]
    if p == "icmp":
        return 58 if ":" in rec["id.orig_h"] else 1
    return PROTO.get(p, None) if p in PROTO else int(p)


def addr(text):
    return str(ipaddress.ip_address(text))


def expected(flows_path, with_class=False):
    """(src, sport, dst, dport, proto, packets, bytes, app) per direction, as a multiset."""
    want = collections.Counter()
    with open(flows_path, encoding="utf-8") as fp:
        for line in fp:
            rec = json.loads(line)
            app = "%s/%s" % (rec["app"], rec["app_service"]) if rec.get("app") else None
            # JSON leaves out unset fields unless --json-all-fields: zero when absent
            g = lambda k: rec.get(k, 0)
            o = (addr(rec["id.orig_h"]), g("id.orig_p"))
            r = (addr(rec["id.resp_h"]), g("id.resp_p"))
            pr = proto_num(rec)
            if g("orig_pkts") or not g("resp_pkts"):
                want[o + r + (pr, g("orig_pkts"), g("orig_ip_bytes"), app)] += 1
            if g("resp_pkts"):
                want[r + o + (pr, g("resp_pkts"), g("resp_ip_bytes"), app)] += 1
    return want


def diff(want, got, what):
    missing, extra = want - got, got - want
    for k, n in list(missing.items())[:10]:
        print("%s: missing %d x %s" % (what, n, k))
    for k, n in list(extra.items())[:10]:
        print("%s: unexpected %d x %s" % (what, n, k))
    return not missing and not extra


def parse_ipfixdump(path):
    """Data records of templates 256/257 and options records of 258, as dicts of field name ->
    text."""
    recs, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as fp:
        for line in fp:
            m = re.match(r"\s+count: \d+\s+tid:\s+(\d+)", line)
            if m:
                cur = {"tid": int(m.group(1))}
                recs.append(cur)
                continue
            m = re.match(r"\s+\(\d+(?:/\d+)?\)(?: \(S\))?\s+(\w+) : (.*)$", line)
            if m and cur is not None:
                val = m.group(2)
                lm = re.match(r"\(len: \d+\) ?(.*)$", val)
                cur[m.group(1)] = lm.group(1) if lm else val
    return recs


def check_ipfixdump(flows, dump):
    recs = parse_ipfixdump(dump)
    names = {}
    for r in recs:
        if r["tid"] == 258:
            names[int(r["applicationId"])] = r["applicationName"].rstrip("\0")
    got = collections.Counter()
    ok = True
    for r in recs:
        if r["tid"] not in (256, 257):
            continue
        v6 = r["tid"] == 257
        src = r["sourceIPv6Address" if v6 else "sourceIPv4Address"]
        dst = r["destinationIPv6Address" if v6 else "destinationIPv4Address"]
        # ipfixDump prints the 5 octets of applicationId as one little-endian number: the first
        # octet (the classification engine) is its lowest byte
        appid = int(r["applicationId"])
        app = None
        if appid:
            if appid & 0xff != 6:
                print("applicationId %#x: engine %d, expected 6 (user-defined)" % (appid, appid & 0xff))
                ok = False
            if appid not in names:
                print("applicationId %#x: no options record names it" % appid)
                ok = False
            app = names.get(appid, "?")
        got[(addr(src), int(r["sourceTransportPort"]), addr(dst),
             int(r["destinationTransportPort"]), int(r["protocolIdentifier"]),
             int(r["packetDeltaCount"]), int(r["octetDeltaCount"]), app)] += 1
    want = expected(flows)
    ok = diff(want, got, "ipfixDump") and ok
    used = {k[7] for k in got if k[7]}
    if ok:
        print("ipfixDump: %d records match the JSON records; %d selectors used, all named "
              "(%d options records)" % (sum(got.values()), len(used), len(names)))
    return ok


def check_nfacctd(flows, printed):
    # the print plugin sums records of the same key (5-tuple and class); so does this
    want = collections.Counter()
    for k, n in expected(flows).items():
        src, sport, dst, dport, pr, pkts, byts, app = k
        cls = app[:31] if app else "unknown"  # pmacct keeps 31 characters of a class
        want[(src, sport, dst, dport, pr, cls, "p")] += pkts * n
        want[(src, sport, dst, dport, pr, cls, "b")] += byts * n
    got = collections.Counter()
    names = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58}
    with open(printed, encoding="utf-8") as fp:
        for line in fp:
            r = json.loads(line)
            pr = r["ip_proto"]
            pr = names.get(pr, pr)
            pr = int(pr)
            key = (addr(r["ip_src"]), r["port_src"], addr(r["ip_dst"]), r["port_dst"], pr,
                   r["class"])
            got[key + ("p",)] += r["packets"]
            got[key + ("b",)] += r["bytes"]
    ok = diff(want, got, "nfacctd")
    if ok:
        classes = {k[5] for k in got}
        print("nfacctd: packets and bytes of %d keys match, classes: %s" %
              (len(got) // 2, ", ".join(sorted(classes))))
    return ok


def check_nfdump(flows, dumped):
    # nfdump shows an ICMP record's destinationTransportPort as icmp_type/icmp_code and no
    # ports: for ICMP only addresses, protocol and counters are compared
    want = collections.Counter()
    for k, n in expected(flows).items():
        if k[4] in (1, 58):
            k = (k[0], 0, k[2], 0) + k[4:]
        want[k[:7]] += n
    with open(dumped, encoding="utf-8") as fp:
        recs = json.load(fp)
    got = collections.Counter()
    for r in recs:
        if r.get("type") != "FLOW":
            continue
        src = r.get("src4_addr") or r.get("src6_addr")
        dst = r.get("dst4_addr") or r.get("dst6_addr")
        icmp = r["proto"] in (1, 58)
        got[(addr(src), 0 if icmp else r["src_port"], addr(dst), 0 if icmp else r["dst_port"],
             r["proto"], r["in_packets"], r["in_bytes"])] += 1
    ok = diff(want, got, "nfdump")
    if ok:
        print("nfdump: %d records match the JSON records (5-tuple, packets, bytes)" %
              sum(got.values()))
    return ok


IE_NAMES = {1: "octetDeltaCount", 2: "packetDeltaCount", 4: "protocolIdentifier",
            7: "sourceTransportPort", 8: "sourceIPv4Address", 11: "destinationTransportPort",
            12: "destinationIPv4Address", 27: "sourceIPv6Address", 28: "destinationIPv6Address",
            95: "applicationId", 96: "applicationName"}


def parse_ipfix_file(path):
    """Data records of an IPFIX file (RFC 7011 messages back to back, RFC 5655), as dicts of the
    IEs above (numbers as int, addresses as text, applicationId as its selector after the engine
    octet, applicationName as text); options records included with 'tid'."""
    data = open(path, "rb").read()
    templates, recs, off = {}, [], 0
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("cut message header at %d" % off)
        ver, mlen = int.from_bytes(data[off:off + 2], "big"), int.from_bytes(data[off + 2:off + 4], "big")
        if ver != 10 or mlen < 16 or off + mlen > len(data):
            raise ValueError("bad message at %d: version %d length %d" % (off, ver, mlen))
        p, end = off + 16, off + mlen
        while p < end:
            sid, slen = int.from_bytes(data[p:p + 2], "big"), int.from_bytes(data[p + 2:p + 4], "big")
            if slen < 4 or p + slen > end:
                raise ValueError("bad set at %d" % p)
            q, send = p + 4, p + slen
            if sid in (2, 3):
                while send - q >= 4:
                    tid, cnt = int.from_bytes(data[q:q + 2], "big"), int.from_bytes(data[q + 2:q + 4], "big")
                    q += 6 if sid == 3 else 4
                    fields = []
                    for _ in range(cnt):
                        ie, ln = int.from_bytes(data[q:q + 2], "big"), int.from_bytes(data[q + 2:q + 4], "big")
                        q += 4
                        if ie & 0x8000:
                            q += 4
                            ie = None
                        fields.append((ie, ln))
                    templates[tid] = fields
            elif sid >= 256:
                fields = templates[sid]
                size = sum(ln for _, ln in fields)
                while send - q >= size and size:
                    r = {"tid": sid}
                    for ie, ln in fields:
                        v = data[q:q + ln]
                        q += ln
                        name = IE_NAMES.get(ie)
                        if not name:
                            continue
                        if ie in (8, 12, 27, 28):
                            r[name] = str(ipaddress.ip_address(v))
                        elif ie == 95:
                            r[name] = int.from_bytes(v[1:], "big") if v[0] else 0
                        elif ie == 96:
                            r[name] = v.rstrip(b"\0").decode()
                        else:
                            r[name] = int.from_bytes(v, "big")
                    recs.append(r)
            p = send
        off = end
    return recs


def check_file(flows, path):
    recs = parse_ipfix_file(path)
    names = {r["applicationId"]: r["applicationName"] for r in recs if "applicationName" in r}
    got = collections.Counter()
    ok = True
    for r in recs:
        if "applicationName" in r or "protocolIdentifier" not in r:
            continue
        v6 = "sourceIPv6Address" in r
        sel = r.get("applicationId", 0)
        if sel and sel not in names:
            print("applicationId selector %#x: no options record names it" % sel)
            ok = False
        got[(r["sourceIPv6Address" if v6 else "sourceIPv4Address"], r["sourceTransportPort"],
             r["destinationIPv6Address" if v6 else "destinationIPv4Address"],
             r["destinationTransportPort"], r["protocolIdentifier"], r["packetDeltaCount"],
             r["octetDeltaCount"], names.get(sel, "?") if sel else None)] += 1
    ok = diff(expected(flows), got, "IPFIX file") and ok
    if ok:
        print("IPFIX file: %d records, each JSON record's and no other (5-tuple, counters, "
              "application name)" % sum(got.values()))
    return ok


def main():
    mode, flows, other = sys.argv[1:4]
    fn = {"ipfixdump": check_ipfixdump, "nfacctd": check_nfacctd, "nfdump": check_nfdump,
          "file": check_file}[mode]
    sys.exit(0 if fn(flows, other) else 1)


if __name__ == "__main__":
    main()
