#!/bin/sh
# live_loopback.sh - live capture on the loopback interface (lo): flows written while the capture
# runs, their labels and their exact packet and byte counts, --stats, SIGINT.
#
# The test starts echo servers on 127.0.0.1 (tests/live_traffic.py) on documented ports: TCP 1533
# (HCL Sametime community clients), TCP 5222 (XMPP) and UDP 10000 (Sametime meeting media), then
# talks to them. 127.0.0.1 is in the default internal networks, so on-premises rules can match by
# port alone, and the labels asserted are the ones the tables support:
#   TCP 1533  sametime/community-client, confidence "role+port" (only Sametime documents it: the
#             server that answers on it holds the community-server role, see SERVER ROLES);
#   TCP 5222  no label, reason "payload-mismatch": Cisco Finesse and Cisco SocialMiner both document
#             an internal XMPP listener there, and the test's echo bytes are no XMPP stream
#             (payload_proto "unknown"), which refutes both; they stay among the candidates;
#   UDP 10000 no label, reason "payload-mismatch": the echo datagrams are not RTP, refuting
#             sametime/meeting-media-docker (also a shared port), which stays the candidate.
# No packet leaves the loopback interface. The TCP conversations pause longer than any delayed ACK, so their packet
# counts are exact (see live_traffic.py): 2*NMSG + 4 from the client, 2*NMSG + 3 from the server.
#
# Capturing needs root or CAP_NET_RAW: without it (or when lo cannot be opened) the test is
# skipped (exit 77), saying why.
set -u
name=live_loopback
. "$(cd "${top_srcdir:-.}" && pwd)/tests/live_common.sh"

filter='host 127.0.0.1 and (tcp port 1533 or tcp port 5222 or udp port 10000)'
"$bin" -i lo -S "$srcdir/signatures" -T json -o "$tmp/flows.jsonl" --stats 1 \
	--idle-timeout tcp=300,udp=60 "$filter" 2>"$tmp/err" &
upid=$!
if ! wait_for "$tmp/err" 'listening on lo' 10 "$upid"; then
	if ! kill -0 "$upid" 2>/dev/null; then
		wait "$upid"
		rc=$?
		upid=""
		why=$(grep -m1 '^ucflow: ' "$tmp/err")
		if [ $rc = 1 ] && grep -q '^ucflow: lo: ' "$tmp/err"; then
			echo "live_loopback: SKIP: cannot capture on lo (uid $(id -u); needs root or" \
				"CAP_NET_RAW): $why"
			exit 77
		fi
		echo "FAIL: ucflow -i lo exited with $rc: $why"
		exit 1
	fi
	echo "FAIL: no 'listening on lo' within 10 s"
	cat "$tmp/err"
	exit 1
fi

python3 "$traffic" serve tcp:1533 tcp:5222 udp:10000 >"$tmp/srv" 2>&1 &
spid=$!
wait_for "$tmp/srv" '^ready' 10 "$spid" || { echo "FAIL: echo servers did not start:"; cat "$tmp/srv"; exit 99; }

# the conversations, concurrently; each prints what it sent
python3 "$traffic" tcp 1533 2 100 >"$tmp/c1" &
c1=$!
python3 "$traffic" tcp 5222 3 50 >"$tmp/c2" &
c2=$!
python3 "$traffic" udp 10000 4 20 >"$tmp/c3" &
c3=$!
cfail=0
for p in $c1 $c2 $c3; do wait $p || cfail=1; done
[ $cfail = 0 ] || { echo "FAIL: a client failed"; cat "$tmp/c1" "$tmp/c2" "$tmp/c3"; exit 99; }
cat "$tmp/c1" "$tmp/c2" "$tmp/c3" >"$tmp/sent"

# TCP flows are written while the capture runs: closed, then a 2 s linger, flushed every 1 s
if ! wait_for "$tmp/flows.jsonl" '"id.resp_p":5222.*"end":"closed"' 10 "$upid" ||
   ! wait_for "$tmp/flows.jsonl" '"id.resp_p":1533.*"end":"closed"' 10 "$upid"; then
	echo "FAIL: the closed TCP flows were not written while capturing"
	cat "$tmp/flows.jsonl" "$tmp/err"
	exit 1
fi
wait_for "$tmp/err" 'ucflow: stats: ' 5 "$upid" || { echo "FAIL: no --stats line"; exit 1; }

kill -INT "$upid"
wait "$upid"
rc=$?
upid=""
echo "--- ucflow's standard error"
cat "$tmp/err"
echo "--- flow records"
cat "$tmp/flows.jsonl"
echo "---"
[ $rc = 0 ] || { echo "FAIL: ucflow exited with $rc after SIGINT"; exit 1; }

python3 - "$tmp/sent" "$tmp/flows.jsonl" "$tmp/err" <<'EOF'
import json, re, sys
sent = [l.split() for l in open(sys.argv[1]) if l.strip()]
recs = [json.loads(l) for l in open(sys.argv[2])]
for r in recs:  # fields left out when unset (JSON omits them, as Zeek does)
    for k, v in (("app", ""), ("app_service", ""), ("rule", ""), ("candidates", []),
                 ("payload_proto", ""), ("history", "")):
        r.setdefault(k, v)
err = open(sys.argv[3]).read()
# label per server port: what the signature tables document for an internal server on that port
# server port: (app, app_service, confidence, reason, candidate prefixes that must appear)
labels = {
    1533: ("sametime", "community-client", "role+port", "match", []),
    5222: ("", "", "none", "payload-mismatch", ["finesse/", "socialminer/"]),
    10000: ("", "", "none", "payload-mismatch", ["sametime/meeting-media-docker"]),
}
bad = []
def check(cond, msg):
    if not cond:
        bad.append(msg)
check(len(recs) == len(sent), "%d records for %d conversations" % (len(recs), len(sent)))
for proto, sport, dport, opk, rpk, ob, rb in sent:
    sport, dport = int(sport), int(dport)
    m = [r for r in recs if r["proto"] == proto and r["id.orig_p"] == sport and
         r["id.resp_p"] == dport]
    if len(m) != 1:
        bad.append("%s %d->%d: %d records" % (proto, sport, dport, len(m)))
        continue
    r = m[0]
    name = "%s %d->%d" % (proto, sport, dport)
    check(r["id.orig_h"] == "127.0.0.1" and r["id.resp_h"] == "127.0.0.1", name + ": addresses")
    for k, v in (("orig_pkts", opk), ("resp_pkts", rpk), ("orig_bytes", ob), ("resp_bytes", rb)):
        check(r[k] == int(v), "%s: %s %s, expected %s" % (name, k, r[k], v))
    app, service, conf, reason, cands = labels[dport]
    got = (r["app"], r["app_service"], r["confidence"], r.get("reason"))
    check(got == (app, service, conf, reason),
          "%s: app/service/confidence/reason %s, expected %s" % (name, got, (app, service, conf, reason)))
    if app:
        check(re.match(r"^%s\.sig:\d+$" % app, r["rule"]) is not None, name + ": rule " + r["rule"])
    if reason == "payload-mismatch":
        check(r["payload_proto"] == "unknown", name + ": payload_proto " + r["payload_proto"])
    for c in cands:
        check(any(x.startswith(c) for x in r["candidates"]),
              "%s: candidates %s lack %s" % (name, r["candidates"], c))
    if proto == "tcp":
        check(r["conn_state"] == "SF", name + ": conn_state " + r["conn_state"])
        check(r["history"] == "ShADadFf", name + ": history " + r["history"])
        check(r["end"] == "closed", name + ": end " + r["end"])
    else:
        check(r["conn_state"] == "SF", name + ": conn_state " + r["conn_state"])
        check(r["end"] == "eof", name + ": end " + r["end"])  # udp idle 60 s: written at SIGINT
pk = sum(int(s[3]) + int(s[4]) for s in sent)
check(re.search(r"^ucflow: %d packets read, %d decoded" % (pk, pk), err, re.M) is not None,
      "summary: expected %d packets read and decoded" % pk)
check(re.search(r"^ucflow: %d flows written" % len(sent), err, re.M) is not None, "summary: flows written")
check(re.search(r"^ucflow: live capture on lo for ", err, re.M) is not None, "summary: live line")
check(re.search(r"^ucflow: \d+ packets received by the capture, 0 dropped by the kernel", err, re.M)
      is not None, "summary: pcap counters")
check(re.search(r"^ucflow: stats: .* pkt/s, .* bytes/s; flows: \d+ active, \d+ written \(\+\d+\)"
                r".*pcap: \d+ received \(\+\d+\), \d+ dropped \(\+\d+, [\d.]+%\)", err, re.M) is not None,
      "--stats line format")
for b in bad:
    print("FAIL:", b)
if bad:
    sys.exit(1)
for proto, sport, dport, opk, rpk, ob, rb in sent:
    print("ok   %s 127.0.0.1:%s -> 127.0.0.1:%s  pkts %s/%s  bytes %s/%s" % (proto, sport, dport, opk, rpk, ob, rb))
print("live_loopback: ok")
EOF
