#!/bin/sh
# live_workers.sh - live capture on several workers (--workers, packet fanout) gives the flow
# records that reading the same packets from a file gives.
#
# Two network namespaces of the test's own joined by a veth pair (no route out of either: nothing
# leaves the pair). Bundled captures are replayed with tcpreplay at a moderate rate into one end and
# captured on the other by `ucflow --workers N`; the records are compared with `ucflow -r` on the
# same files: the same flows (5-tuples), counters (packets, bytes, IP bytes), TCP state and history,
# and labels (app, service, confidence, reason, rule, candidates, payload protocol, SNI). A flow whose
# two directions went to different workers would show up as two records with partial counters, so
# this tests that the kernel's fanout hash is symmetric; the test also checks that every worker got
# flows (else the comparison would say nothing about fanout).
#   run 1: --workers 2, SIGUSR1 (the health line sums every worker's counters), SIGINT;
#   run 2: --workers 3, SIGHUP five times while packets flow (every worker switches tables at its
#          next batch: no flow may be lost or split), then SIGINT.
# Both runs also export over IPFIX into a file (--ipfix file:, the exporter shared by the workers):
# every JSON record has its IPFIX records and there is no other (tests/ipfix_check.py file). Labels are not compared in this
#          run: a reload forgets the server roles learned before it (role.h), so flows labelled
#          through a role may differ from the file's, as they would with one worker.
# The workers share one server-role table, so run 1's labels (roles included) are the file's,
# except for a record the file labels through a client role (uses=: a Webex phone's NTP, a local
# gateway's media) that live capture wrote before that role was known: such a role is learned from
# the record of the client's signalling flow, which here is still open when the capture stops, and
# the workers write their open flows in no fixed order then. Live capture has no second look
# (ucflow(1)); those records' labels are not compared, and the test says how many there were.
# -B is the whole capture's buffer: the packet rings ucflow maps (/proc/PID/maps) are checked for
# --workers 2 -B 8192 (4096 KiB each) and for the fallbacks to one worker (all of the default -B).
# DNS names are shared between workers too: a capture synthesized here (tools/ucflow-synth) has
# two DNS flows naming 16 servers in *.webex.com outside any documented subnet, then a TLS flow
# without SNI to each, which only its server's DNS name labels (confidence dns); the fanout hash
# puts about half of them on another worker than the answer naming them. dns_name is compared.
# Not compared: ts/duration/uid (capture time, per-run uids), end (closed vs eof depends on the
# linger in packet time).
# The captures replayed have no IP fragments: with fanout the kernel reassembles them (see ucflow(1)).
#
# Needs root (namespaces, veth, capture), ip(8) and tcpreplay; skipped (77) otherwise, saying why.
# The namespaces are deleted at exit, also on failure or interruption.
set -u
name=live_workers
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "$name: no ucflow binary at $bin"; exit 99; }
synth=${UCFLOW_SYNTH:-$(dirname "$bin")/tools/ucflow-synth}
[ -x "$synth" ] || { echo "$name: no ucflow-synth at $synth (make builds it)"; exit 99; }
[ "$(id -u)" = 0 ] || { echo "$name: SKIP: needs root (network namespaces, veth, capture)"; exit 77; }
for c in ip tcpreplay python3; do
	command -v $c >/dev/null 2>&1 || { echo "$name: SKIP: $c not found (Debian: iproute2, tcpreplay, python3)"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-$name.XXXXXX")
nsa=ucfw-$$-a nsb=ucfw-$$-b
upid=""
cleanup() {
	[ -n "$upid" ] && kill -9 "$upid" 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$nsa" 2>"$tmp/ns.err" || ! ip netns add "$nsb" 2>>"$tmp/ns.err" ||
   ! ip link add vA netns "$nsa" type veth peer name vB netns "$nsb" 2>>"$tmp/ns.err"; then
	echo "$name: SKIP: cannot create network namespaces and a veth pair: $(head -1 "$tmp/ns.err")"
	exit 77
fi
for ns in "$nsa" "$nsb"; do
	# no IPv6 autoconfiguration chatter on the pair: only the replayed packets are seen
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$nsa" link set vA mtu 9000 up && ip -n "$nsb" link set vB mtu 9000 up || exit 99

# dns-named: flows labelled by their server's DNS name alone (198.51.100.0/24: documentation
# addresses, in no signature subnet; TLS without SNI, so no other name)
{
	printf 'seed 18\nstart 2025-05-01T10:00:00Z\nstep 2ms\ngap 150us\nhost dns 10.18.0.53\n'
	for c in 1 2; do
		printf 'host c%d 10.18.1.%d\nflow d%d udp c%d:4000%d -> dns:53\n' $c $c $c $c $c
	done
	for i in $(seq 1 16); do
		c=$(( (i - 1) / 8 + 1 ))
		printf 'host s%d 198.51.100.%d\n' "$i" "$i"
		printf 'd%d > dns-query name=n%d.webex.com\n' $c "$i"
		printf 'd%d < dns-response name=n%d.webex.com a=198.51.100.%d ttl=300\n' $c "$i" "$i"
	done
	for i in $(seq 1 16); do
		c=$(( i % 2 + 1 ))
		printf 'flow t%d tcp c%d:%d -> s%d:443\nt%d handshake\n' "$i" $c $((50000 + i)) "$i" "$i"
		printf 't%d > tls-client-hello version=1.2\nt%d < tls-server-finished\nt%d close\n' "$i" "$i" "$i"
	done
} >"$tmp/dns-named.scn"
"$synth" "$tmp/dns-named.scn" "$tmp/dns-named.pcap" >"$tmp/synth.out" 2>&1 ||
	{ echo "FAIL: ucflow-synth"; cat "$tmp/synth.out"; exit 99; }

caps="webex-calling sametime finesse socialminer imp-federation background"
files="" rargs=""
for c in $caps; do
	files="$files $srcdir/pcaps/$c.pcap"
	rargs="$rargs -r $srcdir/pcaps/$c.pcap"
done
files="$files $tmp/dns-named.pcap"
rargs="$rargs -r $tmp/dns-named.pcap"
common="-S $srcdir/signatures -T json --idle-timeout 86400 --active-timeout 0"
# shellcheck disable=SC2086
"$bin" $common $rargs -o "$tmp/offline.jsonl" 2>"$tmp/offline.err" || { echo "FAIL: ucflow -r"; cat "$tmp/offline.err"; exit 1; }
npk=$(sed -n 's/^ucflow: \([0-9]*\) packets read.*/\1/p' "$tmp/offline.err")
ndns=$(grep -c '"id.resp_h":"198\.51\.100\.[0-9]*".*"confidence":"dns".*"dns_name":"n[0-9]*\.webex\.com"' "$tmp/offline.jsonl")
[ "$ndns" = 16 ] || { echo "FAIL: ucflow -r labels $ndns of the 16 DNS-named flows by their name"; grep 198.51.100 "$tmp/offline.jsonl"; exit 1; }

# wait_for FILE REGEX SECONDS PID
wait_for() {
	n=$(($3 * 10))
	while [ $n -gt 0 ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		kill -0 "$4" 2>/dev/null || { grep -Eq "$2" "$1" 2>/dev/null; return; }
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# run N OUT HUPS: capture with N workers while the captures are replayed; HUPS SIGHUPs meanwhile
run() {
	out=$1.jsonl err=$1.err
	# shellcheck disable=SC2086
	ip netns exec "$nsb" "$bin" -i vB --workers "$2" $common -o "$out" --ipfix "file:$1.ipfix" 2>"$err" &
	upid=$!
	wait_for "$err" 'listening on vB' 10 "$upid" || { echo "FAIL: ucflow --workers $2 did not start"; cat "$err"; exit 1; }
	# shellcheck disable=SC2086
	ip netns exec "$nsa" tcpreplay -q -i vA --pps 400 $files >"$1.replay" 2>&1 &
	rpid=$!
	k=0
	while [ "$k" -lt "$3" ]; do
		sleep 0.3
		kill -HUP "$upid"
		k=$((k + 1))
	done
	wait "$rpid" || { echo "FAIL: tcpreplay"; cat "$1.replay"; exit 1; }
	sleep 0.5
	# health lines on SIGUSR1 until one counts every packet replayed (the last ring block reaches
	# the workers within the read timeout): counters and libpcap statistics summed over workers
	k=0
	while [ $k -lt 20 ] && ! grep -q "^ucflow: stats: .*pcap: $npk received" "$err"; do
		kill -USR1 "$upid"
		sleep 0.5
		k=$((k + 1))
	done
	kill -INT "$upid"
	wait "$upid"
	rc=$?
	upid=""
	echo "--- ucflow --workers $2: standard error"
	cat "$err"
	[ $rc = 0 ] || { echo "FAIL: ucflow --workers $2 exited with $rc"; exit 1; }
}

# start_stop ARGS...: starts ucflow with ARGS in the capturing namespace, waits for its
# listening line, stops it; its standard error is in $tmp/ss.err. With $wrap set, ucflow is
# started through that command (which ends by exec'ing it, so $! is ucflow's pid).
wrap=""
start_stop() {
	# Emptied here, before the fork: the child's own 2> truncation may come after wait_for has
	# already read the previous run's 'listening on', and a SIGINT sent that early reaches a
	# process that still ignores it (a background job of a non-interactive shell): a hang.
	rm -f "$tmp/ss.err"
	# shellcheck disable=SC2086
	ip netns exec "$nsb" $wrap "$bin" -S "$srcdir/signatures" -o /dev/null "$@" 2>"$tmp/ss.err" &
	upid=$!
	wait_for "$tmp/ss.err" 'listening on' 10 "$upid" || { echo "FAIL: ucflow $* did not start"; cat "$tmp/ss.err"; exit 1; }
	# the packet rings it has mapped (every capture handle is open by the listening line): their
	# sizes in KiB, sorted, in $rings (-B is shared out over the workers)
	rings=$(python3 -c '
import sys
sizes = []
for l in open("/proc/%s/maps" % sys.argv[1]):
    f = l.split()
    if len(f) > 5 and f[5].startswith("socket:"):
        a, b = f[0].split("-")
        sizes.append((int(b, 16) - int(a, 16)) // 1024)
print(" ".join(str(x) for x in sorted(sizes)))' "$upid")
	kill -INT "$upid"
	wait "$upid" || { echo "FAIL: ucflow $* exited with $?"; cat "$tmp/ss.err"; exit 1; }
	upid=""
}
# 'any' is not spread over workers: a warning, one worker
start_stop -i any --workers 2
grep -q "^ucflow: warning: --workers: the 'any' device is not spread over workers.*one worker" "$tmp/ss.err" &&
	grep -q '^ucflow: listening on any, .*, 1 worker$' "$tmp/ss.err" ||
	{ echo "FAIL: -i any --workers 2: no warning or not one worker"; cat "$tmp/ss.err"; exit 1; }
[ "$rings" = 65536 ] || { echo "FAIL: -i any --workers 2: rings of $rings KiB, not the whole -B (65536)"; exit 1; }
# -B is the whole capture's: two workers get half each
start_stop -i vB --workers 2 -B 8192
[ "$rings" = "4096 4096" ] || { echo "FAIL: --workers 2 -B 8192: rings of $rings KiB, not 4096 each"; cat "$tmp/ss.err"; exit 1; }
split_rings=$rings
# auto: one worker per online CPU
ncpu=$(getconf _NPROCESSORS_ONLN)
start_stop -i vB --workers auto
if [ "$ncpu" -gt 1 ]; then
	grep -q "^ucflow: listening on vB, .*, $ncpu workers" "$tmp/ss.err" ||
		{ echo "FAIL: --workers auto on $ncpu CPUs"; cat "$tmp/ss.err"; exit 1; }
fi
[ "$(echo "$rings" | wc -w)" = "$ncpu" ] || { echo "FAIL: --workers auto on $ncpu CPUs: rings $rings"; exit 1; }
echo "ok   -i any --workers 2: one worker, with a warning; --workers auto: $ncpu; -B 8192 over 2 workers: rings of $split_rings KiB"
# A kernel that refuses fanout: ucflow's group id (its pid) is already taken in the namespace by
# a group of another mode (round robin, no defrag flag), so setsockopt(PACKET_FANOUT) fails with
# EINVAL, as on a kernel or socket type without fanout. The wrapper makes that group on vB
# with its own pid, keeps the socket open across exec and becomes ucflow.
cat >"$tmp/taken.py" <<'TAKEN'
import os, socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
s.bind((sys.argv[1], 0))
# SOL_PACKET 263, PACKET_FANOUT 18, PACKET_FANOUT_LB 1
s.setsockopt(263, 18, struct.pack("i", (os.getpid() & 0xffff) | (1 << 16)))
s.set_inheritable(True)
os.execv(sys.argv[2], sys.argv[2:])
TAKEN
wrap="python3 $tmp/taken.py vB"
start_stop -i vB --workers 2
wrap=""
grep -q "^ucflow: warning: --workers: vB: the kernel refused packet fanout (setsockopt(PACKET_FANOUT): .*); capturing with one worker" "$tmp/ss.err" &&
	grep -q '^ucflow: listening on vB, .*, 1 worker$' "$tmp/ss.err" ||
	{ echo "FAIL: --workers 2 with fanout refused: no warning or not one worker"; cat "$tmp/ss.err"; exit 1; }
[ "$rings" = 65536 ] || { echo "FAIL: fanout refused: the one worker's ring is $rings KiB, not the whole -B (65536)"; exit 1; }
echo "ok   --workers 2 where the kernel refuses fanout: one worker, with a warning"

run "$tmp/w2" 2 0
run "$tmp/w3" 3 5

python3 - "$tmp/offline.jsonl" "$tmp/w2" 2 0 "$tmp/w3" 3 5 <<'EOF'
import json, re, sys
KEYS = ("orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes", "orig_ip_bytes", "resp_ip_bytes",
        "conn_state", "history", "app", "app_service", "confidence", "reason", "rule",
        "candidates", "payload_proto", "sni", "alpn", "server_names", "vlan", "frag_pkts",
        "dns_name")
LABEL_KEYS = ("app", "app_service", "confidence", "reason", "rule", "candidates")
def load(path):
    recs = {}
    dup = []
    lines = open(path).read().split("\n")
    assert lines[-1] == "", path + ": last record not ended by a newline"
    for l in lines[:-1]:
        r = json.loads(l)  # a cut or interleaved record fails here
        t = (r["proto"], r["id.orig_h"], r["id.orig_p"], r["id.resp_h"], r["id.resp_p"])
        u = (t[0],) + tuple(sorted([(t[1], t[2]), (t[3], t[4])]))
        if u in recs:
            dup.append(t)
        recs[u] = (t, {k: r.get(k) for k in KEYS}, r["uid"], r.get("evidence") or "")
    return recs, dup
off, odup = load(sys.argv[1])
bad = []
assert not odup, "offline run has repeated 5-tuples: %s" % odup
args = sys.argv[2:]
for i in range(0, len(args), 3):
    base, n, hups = args[i], int(args[i + 1]), int(args[i + 2])
    tag = "--workers %d" % n
    live, dup = load(base + ".jsonl")
    err = open(base + ".err").read()
    for t in dup:
        bad.append("%s: two records for %s (a flow split between workers?)" % (tag, t))
    for u in sorted(set(off) - set(live)):
        bad.append("%s: flow missing: %s" % (tag, off[u][0]))
    for u in sorted(set(live) - set(off)):
        bad.append("%s: extra flow: %s %s" % (tag, live[u][0], live[u][1]))
    late = 0
    for u in sorted(set(off) & set(live)):
        (to, ro, _, eo), (tl, rl, _, el) = off[u], live[u]
        if to != tl:
            bad.append("%s: %s: orientation %s" % (tag, to, tl))
        # the file's label came through a client role the live run did not know yet
        role_late = bool(re.search(r"(^| )role=\S+ client=", eo)) and not re.search(r"(^| )role=", el)
        late += role_late and any(ro[k] != rl[k] for k in LABEL_KEYS)
        for k in KEYS:
            if (hups or role_late) and k in LABEL_KEYS:
                continue
            if ro[k] != rl[k]:
                bad.append("%s: %s: %s %r, from the file %r" % (tag, to, k, rl[k], ro[k]))
    uids = [v[2] for v in live.values()]
    if len(set(uids)) != len(uids):
        bad.append("%s: uids repeat across workers" % tag)
    m = re.search(r"^ucflow: workers: (.*)$", err, re.M)
    per = re.findall(r"(\d+): (\d+) packets, (\d+) flows written", m.group(1)) if m else []
    if len(per) != n:
        bad.append("%s: the summary names %d workers: %s" % (tag, len(per), m and m.group(0)))
    for w, pk, fl in per:
        if int(fl) == 0:
            bad.append("%s: worker %s wrote no flow: nothing spread over workers" % (tag, w))
    pk = sum(int(x[1]) for x in per)
    m = re.search(r"^ucflow: (\d+) packets read", err, re.M)
    if not m or int(m.group(1)) != pk:
        bad.append("%s: packets read in the summary is not the sum over workers" % tag)
    m = re.search(r"^ucflow: (\d+) packets received by the capture, (\d+) dropped", err, re.M)
    if not m or int(m.group(1)) < pk or int(m.group(2)) != 0:
        bad.append("%s: libpcap counters summed: %s" % (tag, m and m.group(0)))
    sts = re.findall(r"^ucflow: stats: .* pkt/s.*flows: (\d+) active, (\d+) written.*pcap: (\d+) received \(\+\d+\), (\d+) dropped", err, re.M)
    if not sts:
        bad.append("%s: no --stats line after SIGUSR1" % tag)
    elif not any(int(x[2]) == pk and int(x[0]) + int(x[1]) == len(live) for x in sts):
        bad.append("%s: no SIGUSR1 line with %d received (the sum over workers) and %d flows: %s"
                   % (tag, pk, len(live), sts))
    got_hups = len(re.findall(r"^ucflow: SIGHUP: signatures reloaded", err, re.M))
    if got_hups != hups:
        bad.append("%s: %d reloads for %d SIGHUPs" % (tag, got_hups, hups))
    print("%s: %d records, %d from the file; workers: %s; %d labelled before their client's role "
          "was known" % (tag, len(live), len(off), ", ".join("%s: %s pkts %s flows" % x for x in per),
                         late))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
EOF
rc=$?
# the IPFIX file the workers exported together (one exporter under a lock): every JSON record's
# IPFIX records (per direction: 5-tuple, counters, application name), none twice, none else
for b in w2 w3; do
	python3 "$srcdir/tests/ipfix_check.py" file "$tmp/$b.jsonl" "$tmp/$b.ipfix" || { echo "FAIL: $b: IPFIX file"; rc=1; }
done
[ $rc = 0 ] && echo "$name: ok"
exit $rc
