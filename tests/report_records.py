#!/usr/bin/env python3
"""report_records.py - synthetic flow records (JSON Lines, the fields the report reads) for the
report's tests: N flows from T0 to T1 (seconds since 1970, UTC), evenly spread, a mix of labelled
and unlabelled flows, so charts and axes can be tried over any span without a capture.

usage: report_records.py T0 T1 N > flows.jsonl
"""
import json
import sys


def main():
    t0, t1, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    for i in range(n):
        ts = t0 + (t1 - t0) * i / max(n - 1, 1)
        labelled = i % 3 != 2
        rec = {
            "ts": round(ts, 6), "uid": "R%011d" % i, "id.orig_h": "10.1.%d.%d" % (i // 250 % 250, i % 250 + 1),
            "id.orig_p": 40000 + i % 20000, "id.resp_h": "170.72.30.%d" % (i % 7 + 1),
            "id.resp_p": 5061 if labelled else 9999, "proto": "tcp", "duration": 1.5,
            "orig_bytes": 1000, "resp_bytes": 2000, "conn_state": "SF", "history": "ShADadFf",
            "orig_pkts": 10, "orig_ip_bytes": 1400, "resp_pkts": 12, "resp_ip_bytes": 2480,
            "orig_dscp": 24, "resp_dscp": 24, "dscp_changed": False, "frag_pkts": 0,
            "end": "closed", "app": "webex-calling" if labelled else "",
            "app_service": "device-sip-tls" if labelled else "",
            "app_category": "signalling" if labelled else "",
            "confidence": "subnet+port" if labelled else "none",
            "reason": "match" if labelled else "no-rule", "rule": "", "candidates": [],
            "encrypted": None, "expected_dscp": None,
        }
        sys.stdout.write(json.dumps(rec, separators=(",", ":")) + "\n")


main()
