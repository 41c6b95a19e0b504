#!/bin/sh
# ipfix_collectors.sh - ucflow's IPFIX export read by real collectors (Debian packages, started
# here on 127.0.0.1 only), compared with the JSON records of the same run (tests/ipfix_check.py):
#   (a) ipfixDump (libfixbuf-tools) on a file:PATH export: 5-tuple, counters and applicationId of
#       every record, and an options record naming every selector used;
#   (b) pmacct's nfacctd, print plugin (JSON), over UDP: 5-tuple, counters and class per direction;
#   (c) nfdump's nfcapd over UDP, read back with nfdump: 5-tuple and counters (nfdump 1.7.1 reads
#       the 5-byte applicationId wrongly; that is not asserted, see ucflow(1));
# then a collector killed and restarted mid-run (nfcapd over UDP, nfacctd over TCP): only what
# was sent while it was down is lost, and ucflow's counters say how much.
# A collector that is not installed is skipped with a message; with none of them, exit 77.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-ipfix.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
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
nfacctd_conf() { # DIR PORT [tcp]
	cat >"$1/nfacctd.conf" <<EOF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $2
plugins: print
aggregate: src_host, dst_host, src_port, dst_port, proto, class
print_output: json
print_output_file: $1/print.json
print_refresh_time: 1
classifier_table_num: 4096
logfile: $1/nfacctd.log
EOF
	[ "${3:-}" = tcp ] && echo "nfacctd_ipfix_tcp: true" >>"$1/nfacctd.conf" || true
}
if command -v nfacctd >/dev/null; then
	ran=1
	mkdir "$tmp/b"
	port=$(free_port)
	nfacctd_conf "$tmp/b" "$port"
	nfacctd -f "$tmp/b/nfacctd.conf" >"$tmp/b/out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	if wait_for 10 listening udp "$port" && run_ucflow "$tmp/b.json" --ipfix "udp://127.0.0.1:$port"; then
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

[ $ran = 0 ] && { echo "ipfix_collectors: SKIP: none of ipfixDump, nfacctd, nfcapd is installed"; exit 77; }
echo "ipfix_collectors: $pass passed, $fail failed"
[ $fail -eq 0 ]
