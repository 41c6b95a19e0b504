#!/bin/sh
# live.sh - live capture under replayed load: ucflow --workers 1 and 2 against tcpdump -w /dev/null.
#
# Usage (root): bench/live.sh [--ucflow PATH] [--gen PATH] [--rusage PATH] [--packets N]
#                             [--flows N] [--rates "topspeed PPS ..."] [--buffer KIB] [--workers "1 2"]
#                             [--runs N] [--timer MODE] [--no-pin] [--install] [--keep]
# Defaults: binaries from the current (build) directory, bench's mix (bench/gen_pcap -m mix, as
# bench/run.sh builds it) of 500,000 packets and 12,500 flows (run.sh's ratio), rates "topspeed
# 250000 100000 30000" (packets/s), -B 65536 KiB for every capture, workers "1 2", one run each.
# --install: apt-get install tcpreplay tcpdump iproute2 first (Debian packages). --timer: tcpreplay's
# timing mode at a fixed rate (-T; default nano; gtod is tcpreplay's own default). By default the
# sender runs on CPU 0 and every capture on the other CPUs (taskset, where there are 2 CPUs or
# more); --no-pin leaves both to the scheduler.
#
# Method. Two network namespaces of the script's own, joined by a veth pair with no address and no
# route (nothing can leave the pair; the namespaces are deleted at exit). tcpreplay -K (the capture
# preloaded into memory) sends the mix into one end, --topspeed or at a fixed --pps; the capture
# runs on the other end: `ucflow --workers N -o /dev/null` (JSON: all formatting done) and
# `tcpdump -w /dev/null` with the same buffer (-B) and snap length. The capturing process runs
# under bench/rusage (wait4), so its CPU time includes its start and its final flush; it is
# stopped with SIGINT one second after the replay ends. Per run: the rate tcpreplay reached
# (packets/s, Mbit/s), packets the capture received and dropped (libpcap's ps_recv and ps_drop, as
# each tool prints them), and CPU-seconds (user + sys) of the capturing process per million
# packets it processed - the figure that still compares when the sender, not the capture, is the
# limit (on a 2-CPU machine tcpreplay --topspeed takes a whole CPU). Each capture also runs --runs
# times with no traffic (start, 2 s, SIGINT): its CPU time there, the fixed cost of starting (ucflow
# loads its tables and sets up a pipeline per worker) and stopping, is printed as "idle" and its
# median subtracted in the net column (CPU-s/Mpkt net), which compares per-packet cost whatever the
# length of the run (the median: on a shared machine one idle run can take several times the
# others, and would skew every net figure of that capture).
# The table ends with ucflow's CPU-s/Mpkt over tcpdump's at each rate, raw and net.
# At a fixed rate tcpreplay waits between packets with nanosleep (-T nano), not its default busy loop
# (gtod), which holds a whole CPU at any rate: on a 2-CPU machine that left the capture one CPU to
# share with the sender, whereas a sensor on a mirror port runs no sender at all. Every capture,
# tcpdump's included, runs under the same timer; --timer gtod gives the old conditions.
# Pinned for the same reason: left to the scheduler, sender and capture sometimes share a CPU, and
# then the sender's wake-ups (30,000 a second at --pps 30000) preempt the capture and evict its
# flow table from the cache, which costs ucflow (whose flows are its working set) more than
# tcpdump (which has none), and varies from run to run. On a 2-CPU machine --workers 2 then shares
# one CPU between its two workers (its CPU-s per Mpkt still compares; its top rate does not).
set -eu

UCFLOW=./ucflow
GEN=./bench/gen_pcap
RUSAGE=./bench/rusage
PACKETS=500000
FLOWS=12500
CONC=4096
RATES="topspeed 250000 100000 30000"
BUFFER=65536
WORKERS="1 2"
RUNS=1
TIMER=nano
INSTALL=0
KEEP=0
PIN=1

usage() {
	sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'
}
while [ $# -gt 0 ]; do
	case $1 in
	--ucflow) UCFLOW=$2; shift 2 ;;
	--gen) GEN=$2; shift 2 ;;
	--rusage) RUSAGE=$2; shift 2 ;;
	--packets) PACKETS=$2; shift 2 ;;
	--flows) FLOWS=$2; shift 2 ;;
	--rates) RATES=$2; shift 2 ;;
	--buffer) BUFFER=$2; shift 2 ;;
	--workers) WORKERS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--timer) TIMER=$2; shift 2 ;;
	--no-pin) PIN=0; shift ;;
	--install) INSTALL=1; shift ;;
	--keep) KEEP=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "live.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

case $TIMER in
nano|gtod|select|ioport) ;;
*) echo "live.sh: --timer: expected nano, gtod, select or ioport" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "live.sh: needs root (network namespaces, veth, capture)" >&2; exit 2; }
if [ "$INSTALL" = 1 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpreplay tcpdump iproute2 >/dev/null
fi
for c in ip tcpreplay tcpdump; do
	command -v $c >/dev/null 2>&1 ||
		{ echo "live.sh: $c not found (Debian: apt-get install tcpreplay tcpdump iproute2, or --install)" >&2; exit 2; }
done
for b in "$UCFLOW" "$GEN" "$RUSAGE"; do
	[ -x "$b" ] || { echo "live.sh: $b is not built (make ucflow bench/gen_pcap bench/rusage)" >&2; exit 2; }
done
UCFLOW=$(cd "$(dirname "$UCFLOW")" && pwd)/$(basename "$UCFLOW")
TXPIN="" RXPIN="" PLACED="CPUs not pinned"
ncpu=$(nproc)
if [ "$PIN" = 1 ] && { [ "$ncpu" -lt 2 ] || ! command -v taskset >/dev/null 2>&1; }; then
	echo "live.sh: one CPU or no taskset (util-linux): sender and capture not pinned" >&2
elif [ "$PIN" = 1 ]; then
	TXPIN="taskset -c 0" RXPIN="taskset -c 1-$((ncpu - 1))"
	PLACED="sender on CPU 0, captures on CPUs 1-$((ncpu - 1))"
fi
RUSAGE=$(cd "$(dirname "$RUSAGE")" && pwd)/$(basename "$RUSAGE")
SIGDIR=$(cd "$(dirname "$0")/.." && pwd)/signatures

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-live.XXXXXX")
TX=ucfl-$$-tx RX=ucfl-$$-rx
cpid=""
cleanup() {
	[ -n "$cpid" ] && kill -9 "$cpid" 2>/dev/null
	ip netns del "$TX" 2>/dev/null || true
	ip netns del "$RX" 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$TX"
ip netns add "$RX"
ip link add vtx netns "$TX" type veth peer name vrx netns "$RX"
for ns in "$TX" "$RX"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# 9000: the mix's tagged full-size frames fit; no address, no route: the pair is a closed wire
ip -n "$TX" link set vtx mtu 9000 up
ip -n "$RX" link set vrx mtu 9000 up

MIX=$DIR/mix.pcap
"$GEN" -m mix -n "$PACKETS" -f "$FLOWS" -c "$CONC" -o "$MIX" 2>"$DIR/mix.info" || { cat "$DIR/mix.info" >&2; exit 1; }
echo "mix: $(tr '\n' ' ' <"$DIR/mix.info" | cut -c1-200)"
echo "host: $ncpu CPUs, $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg); sender at fixed rates: tcpreplay -T $TIMER; $PLACED"

# wait_for FILE REGEX SECONDS
wait_for() {
	n=$(($3 * 10))
	while [ $n -gt 0 ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# one NAME RATE: one capture at one rate (idle: no traffic for 2 s); prints a row
one() {
	name=$1 rate=$2
	err=$DIR/cap.err ru=$DIR/cap.ru
	: >"$err"
	rm -f "$ru"
	case $name in
	tcpdump)
		ip netns exec "$RX" $RXPIN "$RUSAGE" -o "$ru" tcpdump -i vrx -n -s 262144 -B "$BUFFER" \
			-w /dev/null 2>"$err" &
		;;
	*)
		ip netns exec "$RX" $RXPIN "$RUSAGE" -o "$ru" "$UCFLOW" -i vrx --workers "${name#w}" \
			-s 262144 -B "$BUFFER" -S "$SIGDIR" -T json -o /dev/null 2>"$err" &
		;;
	esac
	rpid=$!
	wait_for "$err" 'listening on' 10 || { echo "live.sh: $name did not start:" >&2; cat "$err" >&2; exit 1; }
	sleep 0.3
	cpid=$(ps -o pid= --ppid "$rpid" | tr -d ' ')
	if [ "$rate" = idle ]; then
		sleep 2
		echo "Actual: 0 packets (0 bytes) sent in 2.00 seconds" >"$DIR/tx.out"
	elif [ "$rate" = topspeed ]; then
		ip netns exec "$TX" $TXPIN tcpreplay -K --topspeed -i vtx "$MIX" >"$DIR/tx.out" 2>&1
	else
		ip netns exec "$TX" $TXPIN tcpreplay -K -T "$TIMER" --pps "$rate" -i vtx "$MIX" >"$DIR/tx.out" 2>&1
	fi
	sleep 1
	kill -INT "$cpid"
	wait "$rpid" || true
	cpid=""
	sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$DIR/tx.out")
	pps=$(sed -n 's/.*Rated: .* \([0-9.]*\) pps.*/\1/p' "$DIR/tx.out")
	mbps=$(sed -n 's/.*Rated: [0-9.]* Bps, \([0-9.]*\) Mbps.*/\1/p' "$DIR/tx.out")
	if [ "$name" = tcpdump ]; then
		recv=$(sed -n 's/^\([0-9]*\) packets received by filter.*/\1/p' "$err")
		drop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$err")
		done_=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$err")
	else
		recv=$(sed -n 's/^ucflow: \([0-9]*\) packets received by the capture, \([0-9]*\) dropped.*/\1/p' "$err")
		drop=$(sed -n 's/^ucflow: \([0-9]*\) packets received by the capture, \([0-9]*\) dropped.*/\2/p' "$err")
		done_=$(sed -n 's/^ucflow: \([0-9]*\) packets read.*/\1/p' "$err")
	fi
	cpu=$(sed -n 's/.*user_s=\([0-9.]*\) sys_s=\([0-9.]*\).*/\1 \2/p' "$ru" | awk '{ printf "%.3f", $1 + $2 }')
	[ "$rate" = idle ] && echo "$cpu" >>"$DIR/idle.$name"
	base=$(sort -n "$DIR/idle.$name" 2>/dev/null | awk '{ v[NR] = $1 } END { if (!NR) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	per=$(awk -v c="$cpu" -v n="${done_:-0}" 'BEGIN { if (n > 0) printf "%.3f", c / n * 1e6; else print "-" }')
	net=$(awk -v c="$cpu" -v b="$base" -v n="${done_:-0}" 'BEGIN { if (n > 0) printf "%.3f", (c - b) / n * 1e6; else print "-" }')
	label=$name
	[ "$name" != tcpdump ] && label="ucflow --workers ${name#w}"
	printf '%-20s %-9s %10.0f %8.1f %9s %9s %8s %10s %7s %10s %10s\n' "$label" "$rate" "${pps:-0}" \
		"${mbps:-0}" "${sent:--}" "${recv:--}" "${drop:--}" "${done_:--}" "$cpu" "$per" "$net" |
		tee -a "$DIR/table"
	[ "$rate" = idle ] || [ "${sent:-0}" -gt 0 ] ||
		{ echo "live.sh: tcpreplay sent nothing:" >&2; cat "$DIR/tx.out" >&2; exit 1; }
	if [ "$name" != tcpdump ] && grep -q '^ucflow: workers:' "$err"; then
		sed -n 's/^ucflow: workers: /    per worker: /p' "$err"
	fi
}

printf '%-20s %-9s %10s %8s %9s %9s %8s %10s %7s %10s %10s\n' capture rate "sent pps" Mbit/s sent \
	received dropped processed CPU-s CPU-s/Mpkt "net/Mpkt"
: >"$DIR/table"
r=0
while [ $r -lt "$RUNS" ]; do
	for w in $WORKERS; do
		one "w$w" idle
	done
	one tcpdump idle
	r=$((r + 1))
done
for rate in $RATES; do
	r=0
	while [ $r -lt "$RUNS" ]; do
		for w in $WORKERS; do
			one "w$w" "$rate"
		done
		one tcpdump "$rate"
		r=$((r + 1))
	done
done
# ucflow over tcpdump, CPU-s per million packets, medians per rate
echo "ucflow's CPU-s/Mpkt over tcpdump's (median per rate; raw, then net of idle):"
awk '
{ rate = $(NF - 9); per = $(NF - 1); net = $NF; name = ($1 == "tcpdump") ? "tcpdump" : "ucflow --workers " $3
  if (per != "-") { k = name SUBSEP rate; n[k]++; v[k, n[k]] = per; w[k, n[k]] = net; names[name] = 1; rates[rate] = 1 } }
function med(k, col,   i, j, t, m) { m = n[k]; for (i = 1; i <= m; i++) a[i] = (col ? w[k, i] : v[k, i])
  for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
END { for (r in rates) { k = "tcpdump" SUBSEP r; if (!n[k]) continue; t = med(k, 0); tn = med(k, 1)
  for (nm in names) if (nm != "tcpdump" && n[nm SUBSEP r])
    printf "  %-20s %-9s raw %.3f / %.3f = %.2fx   net %.3f / %.3f = %.2fx\n", nm, r,
      med(nm SUBSEP r, 0), t, med(nm SUBSEP r, 0) / t, med(nm SUBSEP r, 1), tn, med(nm SUBSEP r, 1) / tn } }
' "$DIR/table"
