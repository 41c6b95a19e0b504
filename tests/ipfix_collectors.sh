#!/bin/sh
# ipfix_collectors.sh - ucflow's IPFIX export read by real collectors (Debian packages, started
# here on 127.0.0.1 only), compared with the JSON records of the same run (tests/ipfix_check.py):
#   (a) ipfixDump (libfixbuf-tools) on a file:PATH export: 5-tuple, counters and applicationId of
#       every record, and an options record naming every selector used;
#   (b) pmacct's nfacctd, print plugin (JSON), over UDP: 5-tuple, counters and class per direction;
#   (c) nfdump's nfcapd over UDP, read back with nfdump: 5-tuple and counters (nfdump 1.7.1 reads
#       the 5-byte applicationId wrongly; that is not asserted, see ucflow(1));
# then a collector stopped and restarted mid-run (nfcapd over UDP; over TCP a small decoder in
# tests/ipfix_restart.py, as no Debian collector takes TCP): only what was sent while it was down
# is lost (TCP: nothing, it waits in the queue), and ucflow's counters say how much.
# A collector that is not installed is skipped with a message; with none of them, exit 77.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-ipfix.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
[ -x "$bin" ] || { echo "ipfix_collectors: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null || { echo "ipfix_collectors: SKIP: no python3"; exit 77; }
check="python3 $srcdir/tests/ipfix_check.py"

# The bundled captures with labelled flows of every product, IPv6, VLANs, ICMP and fragments.
caps=""
for p in webex-calling finesse sametime socialminer imp-federation background fragments \
	linktypes-qinq; do
	caps="$caps -r $srcdir/pcaps/$p.pcap"
done
run_ucflow() { # OUT.json EXTRA-ARGS...: ucflow on the captures; its summary in OUT.err
	out=$1; shift
	# shellcheck disable=SC2086
	"$bin" -S "$srcdir/signatures" $caps -T json -o "$out" "$@" 2>"$out.err"
}
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds
wait_for() {
	n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
listening() { # PROTO PORT: something listens on 127.0.0.1:PORT
	if [ "$1" = udp ]; then ss -Hlnu "sport = :$2" | grep -q .; else ss -Hlnt "sport = :$2" | grep -q .; fi
}
stop() { # PID: SIGINT, then wait for it to write its files and exit
	kill -INT "$1" 2>/dev/null
	n=50
	while kill -0 "$1" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
# stat_of OUT.err FIELD: a counter of the exporter's summary line ("N sent", "N dropped" ...)
stat_of() {
	sed -n "s/.*ipfix .*[:,] \([0-9]*\) $2.*/\1/p" "$1" | head -1
}

pass=0 fail=0 ran=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# ---- (a) ipfixDump ----
if command -v ipfixDump >/dev/null; then
	ran=1
	if run_ucflow "$tmp/a.json" --ipfix "file:$tmp/a.ipfix" &&
		ipfixDump --in "$tmp/a.ipfix" >"$tmp/a.dump" 2>"$tmp/a.dump.err" &&
		$check ipfixdump "$tmp/a.json" "$tmp/a.dump"; then
		ok "ipfixDump decodes the file export"
	else
		cat "$tmp/a.json.err" "$tmp/a.dump.err" 2>/dev/null | tail -5
		ko "ipfixDump decodes the file export"
	fi
else
	echo "SKIP ipfixDump: not installed (Debian package libfixbuf-tools)"
fi

# ---- (b) nfacctd, print plugin ----
nfacctd_conf() { # DIR PORT
	cat >"$1/nfacctd.conf" <<EOF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $2
plugins: print
aggregate: src_host, dst_host, src_port, dst_port, proto, class
print_output: json
print_output_file: $1/print.json
print_output_file_append: true
print_refresh_time: 1
classifier_table_num: 4096
logfile: $1/nfacctd.log
EOF
}
if command -v nfacctd >/dev/null; then
	ran=1
	mkdir "$tmp/b"
	port=$(free_port)
	nfacctd_conf "$tmp/b" "$port"
	nfacctd -f "$tmp/b/nfacctd.conf" >"$tmp/b/out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	# bound is not ready: records that come before its print plugin has started are lost
	if wait_for 20 grep -q 'JSON: setting object handlers' "$tmp/b/nfacctd.log" &&
		wait_for 10 listening udp "$port" && sleep 1 &&
		run_ucflow "$tmp/b.json" --ipfix "udp://127.0.0.1:$port"; then
		sleep 3 # two print refreshes
		stop "$pid"
		if $check nfacctd "$tmp/b.json" "$tmp/b/print.json"; then
			ok "nfacctd: class and counters per direction over UDP"
		else
			tail -n 5 "$tmp/b/nfacctd.log"
			ko "nfacctd: class and counters per direction over UDP"
		fi
	else
		stop "$pid"
		tail -n 5 "$tmp/b/out" "$tmp/b.json.err" 2>/dev/null
		ko "nfacctd: started and received"
	fi
else
	echo "SKIP nfacctd: not installed (Debian package pmacct)"
fi

# ---- (c) nfcapd + nfdump ----
if command -v nfcapd >/dev/null && command -v nfdump >/dev/null; then
	ran=1
	mkdir "$tmp/c"
	port=$(free_port)
	nfcapd -b 127.0.0.1 -p "$port" -w "$tmp/c" -t 3600 >"$tmp/c.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	if wait_for 10 listening udp "$port" && run_ucflow "$tmp/c.json" --ipfix "udp://127.0.0.1:$port"; then
		sleep 1
		stop "$pid"
		if nfdump -R "$tmp/c" -o json >"$tmp/c.nfdump.json" 2>"$tmp/c.nfdump.err" &&
			$check nfdump "$tmp/c.json" "$tmp/c.nfdump.json"; then
			ok "nfcapd/nfdump: 5-tuples and counters over UDP"
		else
			tail -n 5 "$tmp/c.log" "$tmp/c.nfdump.err"
			ko "nfcapd/nfdump: 5-tuples and counters over UDP"
		fi
	else
		stop "$pid"
		tail -n 5 "$tmp/c.log" "$tmp/c.json.err" 2>/dev/null
		ko "nfcapd: started and received"
	fi
else
	echo "SKIP nfcapd/nfdump: not installed (Debian package nfdump)"
fi

# ---- a collector that goes away mid-run ----
# ucflow reads a pcap from a pipe in three parts (tests/ipfix_restart.py gen); the collector is
# stopped after the first and started again after the second. waitfile FILE: up to 30 s.
waitfile() { n=300; while [ ! -f "$1" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done; [ -f "$1" ]; }
phased_run() { # DIR TARGET: starts ucflow on the phased capture in the background (pid in $upid)
	mkdir -p "$1/ctrl"
	( python3 "$srcdir/tests/ipfix_restart.py" gen 3 300 "$1/ctrl" |
		"$bin" -S "$srcdir/signatures" -r - --idle-timeout udp=1 -T json -o "$1/flows.json" \
			--ipfix "$2" 2>"$1/err"; echo $? >"$1/rc" ) &
	upid=$!
	pids="$pids $upid"
}
# UDP, nfcapd: what it received before and after its restart is what ucflow counted as sent,
# and sent + dropped is every record
if command -v nfcapd >/dev/null && command -v nfdump >/dev/null; then
	ran=1
	d=$tmp/d
	mkdir -p "$d/nf1" "$d/nf2"
	port=$(free_port)
	nfcapd -b 127.0.0.1 -p "$port" -w "$d/nf1" -t 3600 >"$d/nf1.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_for 10 listening udp "$port"
	phased_run "$d" "udp://127.0.0.1:$port"
	waitfile "$d/ctrl/done.1" && sleep 1
	stop "$pid"
	touch "$d/ctrl/go.2"
	waitfile "$d/ctrl/done.2" && sleep 1
	nfcapd -b 127.0.0.1 -p "$port" -w "$d/nf2" -t 3600 >"$d/nf2.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_for 10 listening udp "$port"
	touch "$d/ctrl/go.3"
	waitfile "$d/rc"
	sleep 0.5
	stop "$pid"
	got1=$(nfdump -R "$d/nf1" -o json 2>/dev/null | grep -c '"type" : "FLOW"')
	got2=$(nfdump -R "$d/nf2" -o json 2>/dev/null | grep -c '"type" : "FLOW"')
	recs=$(stat_of "$d/err" records) sent=$(stat_of "$d/err" sent) dropped=$(stat_of "$d/err" dropped)
	echo "UDP restart: $recs records, $sent sent, $dropped dropped; nfcapd got $got1 before and $got2 after its restart"
	if [ "$(cat "$d/rc")" = 0 ] && [ "$recs" = 1800 ] && [ $((sent + dropped)) = "$recs" ] &&
		[ "$dropped" -gt 0 ] && [ "$got1" -gt 0 ] && [ "$got2" -gt 0 ] &&
		[ $((got1 + got2)) = "$sent" ]; then
		ok "UDP collector restarted: only the records sent while it was down are lost, and counted"
	else
		cat "$d/err"
		ko "UDP collector restarted: only the records sent while it was down are lost, and counted"
	fi
fi
# TCP: no Debian collector takes IPFIX over TCP (nfacctd 1.7.7, nfcapd 1.7.1: UDP and SCTP), so
# tests/ipfix_restart.py's decoder listens; while it is away records wait in ucflow's queue
e=$tmp/e
mkdir -p "$e"
port=$(free_port)
python3 "$srcdir/tests/ipfix_restart.py" tcp "$port" "$e/count" >"$e/srv1.log" 2>&1 &
pid=$!
pids="$pids $pid"
if wait_for 10 listening tcp "$port"; then
	ran=1
	phased_run "$e" "tcp://127.0.0.1:$port"
	waitfile "$e/ctrl/done.1" && sleep 1
	kill -TERM "$pid"; wait "$pid" 2>/dev/null
	touch "$e/ctrl/go.2"
	waitfile "$e/ctrl/done.2" && sleep 1
	python3 "$srcdir/tests/ipfix_restart.py" tcp "$port" "$e/count" >"$e/srv2.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_for 10 listening tcp "$port"
	touch "$e/ctrl/go.3"
	waitfile "$e/rc"
	sleep 0.5
	kill -TERM "$pid"; wait "$pid" 2>/dev/null
	recs=$(stat_of "$e/err" records) sent=$(stat_of "$e/err" sent) dropped=$(stat_of "$e/err" dropped)
	reconn=$(stat_of "$e/err" reconnects)
	got=$(awk '{ n += $2; bad += $3 } END { print n + 0, bad + 0 }' "$e/count" 2>/dev/null)
	conns=$(awk '{ c[$1] = 1 } END { print length(c) }' "$e/count" 2>/dev/null)
	echo "TCP restart: $recs records, $sent sent, $dropped dropped, $reconn reconnects; the collector got (records, errors) $got over $conns connections"
	if [ "$(cat "$e/rc")" = 0 ] && [ "$recs" = 1800 ] && [ "$sent" = 1800 ] &&
		[ "$dropped" = 0 ] && [ "$reconn" = 1 ] && [ "$got" = "1800 0" ] && [ "$conns" = 2 ]; then
		ok "TCP collector restarted: reconnected, nothing lost"
	else
		cat "$e/err"
		ko "TCP collector restarted: reconnected, nothing lost"
	fi
else
	echo "SKIP TCP restart: the test collector did not start"
fi

[ $ran = 0 ] && { echo "ipfix_collectors: SKIP: none of ipfixDump, nfacctd, nfcapd is installed"; exit 77; }
echo "ipfix_collectors: $pass passed, $fail failed"
[ $fail -eq 0 ]
