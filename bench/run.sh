#!/bin/sh
# run.sh - the ucflow benchmark: synthesizes captures, times the bare libpcap floor and ucflow, reports medians, ratio, pps, RSS, bytes/flow.
#
# Usage: bench/run.sh [--ucflow PATH] [--gen PATH] [--floor PATH] [--rusage PATH] [--flowsize PATH]
#                     [--runs N] [--mix-runs N] [--packets N] [--flows N] [--concurrency N]
#                     [--big-flows N] [--dir DIR] [--keep] [--ipfix]
# Defaults: binaries from the current (build) directory (./ucflow, ./bench/gen_pcap, ...), 21 runs
# on the mix and 5 on the 1M-flow capture (--runs N sets both, --mix-runs the mix's alone), a
# 1M-packet / 25k-flow mix, 1M distinct flows for bytes per flow. Captures go to $BENCH_DIR or a
# temporary directory that is removed at exit unless --keep (or $BENCH_DIR) is given. `make bench`
# passes the paths of the binaries it just built. Environment: BENCH_RUNS, BENCH_MIX_RUNS, BENCH_DIR.
# --ipfix: also what IPFIX export adds to the mix (issue 17's limit: 10 % of the wall time):
# ucflow alone, with --ipfix file:DIR/bench.ipfix and with --ipfix udp://127.0.0.1:PORT (a python3
# socket bound there takes the datagrams) alternate --mix-runs rounds; medians and the added share.
#
# Method. Every capture is read once before timing (page cache warm). Then floor and ucflow run
# alternately N times each; medians of the wall times are reported, and for the mix, whose ratio
# is the target, the spread of the ratio round by round (ucflow over the round's faster floor:
# median and quartiles). The mix gets 21 rounds because on a virtual machine the median of 5 moved
# by 10% and more from one invocation to the next. The floor runs twice per round:
# with ucflow's stdio buffer (1 MiB) and with 256 KiB; the faster median is the floor the ratio is
# taken against, so that a buffer size that happens to slow the bare loop cannot flatter ucflow. ucflow runs as
# `ucflow -q -r FILE -o /dev/null` (JSON to /dev/null: all formatting work is done); with two or
# more CPUs it reads the file in a second thread, so it is also timed with UCFLOW_READER_THREAD=0
# (one thread, as on a one-CPU machine) for reference. Peak RSS and
# times come from bench/rusage (fork + wait4: ru_maxrss). Bytes per flow at 1M concurrent flows:
# ucflow on a capture of 1M distinct 2-packet UDP flows, all open at once (idle timeouts 3600 s),
# (peak RSS - peak RSS of a 100-flow run) / 1M; and bench/flowsize, which inserts 1M flows through
# flow_table_update and reports flow_table_memory() / 1M (the precise structural figure). When
# `ucflow --help` lists --no-payload, `ucflow --no-payload` is timed too (payload inspection off).
# On a loaded machine wall times are noisy; the CPU-time (user + sys) ratio is printed beside them,
# and so is the share of CPU time a virtual machine's host stole during the timed runs (/proc/stat).
set -eu

UCFLOW=./ucflow
GEN=./bench/gen_pcap
FLOOR=./bench/floor
RUSAGE=./bench/rusage
FLOWSIZE=./bench/flowsize
RUNS=${BENCH_RUNS:-5}
MIX_RUNS=${BENCH_MIX_RUNS:-${BENCH_RUNS:-21}}
PACKETS=1000000
FLOWS=25000
CONC=4096
BIG=1000000
DIR=${BENCH_DIR:-}
KEEP=${BENCH_DIR:+1}
KEEP=${KEEP:-0}
IPFIX=0

usage() {
	sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--ucflow) UCFLOW=$2; shift 2 ;;
	--gen) GEN=$2; shift 2 ;;
	--floor) FLOOR=$2; shift 2 ;;
	--rusage) RUSAGE=$2; shift 2 ;;
	--flowsize) FLOWSIZE=$2; shift 2 ;;
	--runs) RUNS=$2; MIX_RUNS=$2; shift 2 ;;
	--mix-runs) MIX_RUNS=$2; shift 2 ;;
	--packets) PACKETS=$2; shift 2 ;;
	--flows) FLOWS=$2; shift 2 ;;
	--concurrency) CONC=$2; shift 2 ;;
	--big-flows) BIG=$2; shift 2 ;;
	--dir) DIR=$2; KEEP=1; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--ipfix) IPFIX=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

for b in "$UCFLOW" "$GEN" "$FLOOR" "$RUSAGE" "$FLOWSIZE"; do
	if [ ! -x "$b" ]; then
		echo "run.sh: $b is not built (run 'make bench', or pass its path)" >&2
		exit 2
	fi
done
case $RUNS in ''|*[!0-9]*|0) echo "run.sh: --runs: expected a positive number" >&2; exit 2 ;; esac
case $MIX_RUNS in ''|*[!0-9]*|0) echo "run.sh: --mix-runs: expected a positive number" >&2; exit 2 ;; esac

if [ -z "$DIR" ]; then
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-bench.XXXXXX")
else
	mkdir -p "$DIR"
fi
SINK_PID=""
cleanup() {
	[ -z "$SINK_PID" ] || kill "$SINK_PID" 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then
		rm -f "$DIR"/*.times "$DIR"/*.log
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MIX=$DIR/mix-$PACKETS-$FLOWS-$CONC.pcap
BIGCAP=$DIR/flows-$BIG.pcap
TINY=$DIR/flows-100.pcap

# ---- captures (kept across runs when --dir/BENCH_DIR is given: same arguments, same bytes) ----
gen() { # FILE ARGS...: generates FILE unless present; its summary goes to FILE.info
	f=$1; shift
	if [ ! -s "$f" ] || [ ! -s "$f.info" ]; then
		"$GEN" "$@" -o "$f.tmp" 2>"$f.info" || { cat "$f.info" >&2; exit 1; }
		mv "$f.tmp" "$f"
	fi
	sed 's/^/  /' "$f.info"
}
echo "captures in $DIR:"
gen "$MIX" -m mix -n "$PACKETS" -f "$FLOWS" -c "$CONC"
gen "$BIGCAP" -m flows -f "$BIG"
gen "$TINY" -m flows -f 100
# Freshly written captures are still being written back to disk for a while; that writeback
# competes for the CPUs and would slow whatever is timed first. Wait for it.
sync

# ---- helpers ----
# field NAME FILE: the values of NAME=... in a rusage log, one per line
field() {
	sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2"
}
cpu() { # user + sys of each run in a rusage log
	awk '{ u = s = 0; for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "user_s") u = kv[2]; if (kv[1] == "sys_s") s = kv[2] } printf "%.6f\n", u + s }' "$1"
}
median() { # numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# timed LOG CMD...: one run under rusage, its line appended to LOG; fails loudly on error
timed() {
	log=$1; shift
	if ! "$RUSAGE" -o "$log" "$@" >/dev/null 2>"$DIR/run.log"; then
		echo "run.sh: command failed: $*" >&2
		cat "$DIR/run.log" >&2
		exit 1
	fi
}
pkts_of() { # capture -> packet count (from the floor's own count)
	"$FLOOR" "$1" | sed -n 's/^floor: \([0-9]*\) packets.*/\1/p'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
# "TOTAL STEAL" clock ticks of all CPUs from /proc/stat (nothing where there is none). Steal is time
# a virtual machine's CPU was ready to run but its host ran something else.
ticks() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9; exit }' /proc/stat \
		2>/dev/null || true
}
pps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f Mpps", n / s / 1e6 }'; }

HAVE_NOPAYLOAD=0
if "$UCFLOW" --help 2>/dev/null | grep -q -- '--no-payload'; then
	HAVE_NOPAYLOAD=1
fi

# bench CAPTURE ROUNDS UCFLOW-EXTRA-ARGS...: alternating runs of floor, ucflow (and ucflow
# --no-payload when available); leaves medians in F_WALL U_WALL N_WALL, RSS in F_RSS U_RSS N_RSS,
# and the quartiles of the per-round ratio ucflow / faster floor in R_P25 R_MED R_P75
bench() {
	cap=$1; rounds=$2; shift 2
	rm -f "$DIR/floor.times" "$DIR/floor256k.times" "$DIR/ucflow.times" "$DIR/nopay.times" \
		"$DIR/one.times"
	cat "$cap" >/dev/null # page cache
	"$FLOOR" "$cap" >/dev/null
	T0=$(ticks)
	i=0
	while [ $i -lt "$rounds" ]; do
		timed "$DIR/floor.times" "$FLOOR" "$cap"
		timed "$DIR/floor256k.times" "$FLOOR" -b 262144 "$cap"
		timed "$DIR/ucflow.times" "$UCFLOW" -q -r "$cap" -o /dev/null "$@"
		if [ $HAVE_NOPAYLOAD = 1 ]; then
			timed "$DIR/nopay.times" "$UCFLOW" -q --no-payload -r "$cap" -o /dev/null "$@"
		fi
		# the same work in one thread (no reader thread): what a one-CPU machine gets
		timed "$DIR/one.times" env UCFLOW_READER_THREAD=0 "$UCFLOW" -q -r "$cap" -o /dev/null "$@"
		i=$((i + 1))
	done
	T1=$(ticks)
	STEAL=$(echo "$T0 $T1" | awk 'NF == 4 && $3 > $1 { printf "%.1f", 100 * ($4 - $2) / ($3 - $1) }')
	F1M_WALL=$(field wall_s "$DIR/floor.times" | median)
	F256_WALL=$(field wall_s "$DIR/floor256k.times" | median)
	F_WALL=$(awk -v a="$F1M_WALL" -v b="$F256_WALL" 'BEGIN { print (b < a) ? b : a }')
	U_WALL=$(field wall_s "$DIR/ucflow.times" | median)
	# round by round: ucflow's wall time over the faster of that round's two floors
	field wall_s "$DIR/floor.times" >"$DIR/f1.col"
	field wall_s "$DIR/floor256k.times" >"$DIR/f2.col"
	field wall_s "$DIR/ucflow.times" >"$DIR/u.col"
	paste "$DIR/f1.col" "$DIR/f2.col" "$DIR/u.col" |
		awk '{ f = ($2 < $1) ? $2 : $1; if (f > 0) printf "%.6f\n", $3 / f }' | sort -g >"$DIR/r.col"
	R_P25=$(awk '{ v[NR] = $1 } END { print v[int((NR - 1) / 4) + 1] }' "$DIR/r.col")
	R_MED=$(median <"$DIR/r.col")
	R_P75=$(awk '{ v[NR] = $1 } END { print v[NR - int((NR - 1) / 4)] }' "$DIR/r.col")
	F_RSS=$(field maxrss_kib "$DIR/floor.times" | median)
	U_RSS=$(field maxrss_kib "$DIR/ucflow.times" | median)
	U_USER=$(field user_s "$DIR/ucflow.times" | median)
	U_SYS=$(field sys_s "$DIR/ucflow.times" | median)
	F_CPU=$(awk -v a="$(cpu "$DIR/floor.times" | median)" \
		-v b="$(cpu "$DIR/floor256k.times" | median)" 'BEGIN { print (b < a) ? b : a }')
	U_CPU=$(cpu "$DIR/ucflow.times" | median)
	O_WALL=$(field wall_s "$DIR/one.times" | median)
	if [ $HAVE_NOPAYLOAD = 1 ]; then
		N_WALL=$(field wall_s "$DIR/nopay.times" | median)
		N_RSS=$(field maxrss_kib "$DIR/nopay.times" | median)
	fi
}

report() { # PACKETS [target]: prints the medians; with "target", the verdict against 1.5x
	n=$1
	ratio=$(awk -v u="$U_WALL" -v f="$F_WALL" 'BEGIN { printf "%.2f", u / f }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "PASS" : "FAIL" }')
	[ "${2:-}" = target ] || verdict="the target applies to the mix"
	printf '  %-34s %8.3f s  %s  peak RSS %s\n' "floor (bare libpcap read loop)" "$F_WALL" \
		"$(pps "$n" "$F_WALL")" "$(mib "$F_RSS")"
	printf '  %-34s %8.3f s / %.3f s  (the faster is the floor)\n' \
		"  floor, 1 MiB / 256 KiB stdio buffer" "$F1M_WALL" "$F256_WALL"
	printf '  %-34s %8.3f s  %s  peak RSS %s  (user %.3f s, sys %.3f s)\n' \
		"ucflow -q -o /dev/null" "$U_WALL" "$(pps "$n" "$U_WALL")" "$(mib "$U_RSS")" \
		"$U_USER" "$U_SYS"
	printf '  %-34s %8sx  (target <= 1.5x: %s)\n' "ratio ucflow/floor, wall" "$ratio" "$verdict"
	printf '  %-34s %8.2fx  (quartiles %.2fx - %.2fx over %d rounds)\n' \
		"  ratio round by round, median" "$R_MED" "$R_P25" "$R_P75" "$(wc -l <"$DIR/r.col")"
	printf '  %-34s %8sx  (CPU time user+sys: floor %.3f s, ucflow %.3f s)\n' \
		"ratio ucflow/floor, CPU time" \
		"$(awk -v u="$U_CPU" -v f="$F_CPU" 'BEGIN { printf "%.2f", u / f }')" "$F_CPU" "$U_CPU"
	# A pipeline of two threads stalls when either CPU is taken away, a one-thread floor only when
	# its own is: on a host that steals time the wall ratio comes out higher than on bare metal.
	[ -z "${STEAL:-}" ] ||
		printf '  %-34s %7s%%  (of all CPU time during these runs: the host ran other work)\n' \
			"host steal time" "$STEAL"
	if [ $HAVE_NOPAYLOAD = 1 ]; then
		nratio=$(awk -v u="$N_WALL" -v f="$F_WALL" 'BEGIN { printf "%.2f", u / f }')
		printf '  %-34s %8.3f s  %s  peak RSS %s\n' "ucflow --no-payload" "$N_WALL" \
			"$(pps "$n" "$N_WALL")" "$(mib "$N_RSS")"
		printf '  %-34s %8sx\n' "ratio ucflow --no-payload/floor" "$nratio"
		printf '  %-34s %8sx\n' "ratio ucflow/ucflow --no-payload" \
			"$(awk -v u="$U_WALL" -v n="$N_WALL" 'BEGIN { printf "%.2f", u / n }')"
	else
		printf '  %-34s (ucflow --help has no --no-payload option yet)\n' "ucflow --no-payload"
	fi
	printf '  %-34s %8.3f s  %s  (%sx the floor; UCFLOW_READER_THREAD=0)\n' \
		"ucflow in one thread" "$O_WALL" "$(pps "$n" "$O_WALL")" \
		"$(awk -v u="$O_WALL" -v f="$F_WALL" 'BEGIN { printf "%.2f", u / f }')"
}

# Timings on a busy machine are noisy: say so (the CPU-time ratio is the steadier figure then).
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
LOAD=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$LOAD" -v n="$NCPU" 'BEGIN { exit !(l > n / 2) }'; then
	echo "note: load average $LOAD on $NCPU CPUs: wall times are noisy; compare the CPU-time ratio too"
fi

# ---- 1. the mix ----
MIX_PKTS=$(pkts_of "$MIX")
MIX_BYTES=$(wc -c <"$MIX" | tr -d ' ')
echo
echo "== mix: $MIX_PKTS packets, $FLOWS flows, $CONC concurrent, $(awk -v b="$MIX_BYTES" 'BEGIN { printf "%.1f MB", b / 1e6 }') ($MIX_RUNS runs each, alternating; medians)"
bench "$MIX" "$MIX_RUNS"
report "$MIX_PKTS" target

# ---- 1b. IPFIX export on the mix (--ipfix) ----
# ipfix_bench ROUNDS: plain, file: and udp: runs alternate (the order rotates every round so that
# none is always first after the page cache settles); medians of wall and CPU time per variant.
ipfix_bench() {
	rounds=$1
	rm -f "$DIR/ip_plain.times" "$DIR/ip_file.times" "$DIR/ip_udp.times"
	cat "$MIX" >/dev/null
	i=0
	while [ $i -lt "$rounds" ]; do
		for v in $(echo "plain file udp file udp plain udp plain file" | cut -d' ' -f$((3 * (i % 3) + 1))-$((3 * (i % 3) + 3))); do
			case $v in
			plain) timed "$DIR/ip_plain.times" "$UCFLOW" -q -r "$MIX" -o /dev/null ;;
			file) timed "$DIR/ip_file.times" "$UCFLOW" -q -r "$MIX" -o /dev/null --ipfix "file:$DIR/bench.ipfix" ;;
			udp) [ -z "$UDP_TARGET" ] || timed "$DIR/ip_udp.times" "$UCFLOW" -q -r "$MIX" -o /dev/null --ipfix "$UDP_TARGET" ;;
			esac
		done
		i=$((i + 1))
	done
}
if [ "$IPFIX" = 1 ]; then
	echo
	echo "== IPFIX export on the mix ($MIX_RUNS rounds of ucflow alone, --ipfix file: and --ipfix udp:, alternating; medians)"
	UDP_TARGET=""
	if command -v python3 >/dev/null; then
		# a UDP collector that only takes the datagrams (what a real one costs is its own CPU)
		python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    s.recv(65535)' >"$DIR/sink.port" &
		SINK_PID=$!
		n=50
		while [ ! -s "$DIR/sink.port" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
		[ -s "$DIR/sink.port" ] && UDP_TARGET="udp://127.0.0.1:$(cat "$DIR/sink.port")"
	fi
	[ -n "$UDP_TARGET" ] || echo "  (no python3 for a UDP sink: udp:// not timed)"
	ipfix_bench "$MIX_RUNS"
	P_WALL=$(field wall_s "$DIR/ip_plain.times" | median)
	P_CPU=$(cpu "$DIR/ip_plain.times" | median)
	printf '  %-34s %8.3f s  (CPU %.3f s)\n' "ucflow -q -o /dev/null" "$P_WALL" "$P_CPU"
	for v in file udp; do
		[ -s "$DIR/ip_$v.times" ] || continue
		w=$(field wall_s "$DIR/ip_$v.times" | median)
		c=$(cpu "$DIR/ip_$v.times" | median)
		awk -v n="  + --ipfix $v:" -v w="$w" -v c="$c" -v pw="$P_WALL" -v pc="$P_CPU" 'BEGIN {
			a = 100 * (w - pw) / pw
			printf "  %-34s %8.3f s  (CPU %.3f s)  adds %+.1f %% wall, %+.1f %% CPU  (limit 10 %% wall: %s)\n",
				n, w, c, a, 100 * (c - pc) / pc, (a <= 10) ? "PASS" : "FAIL" }'
	done
	# one run that reports: records exported, sent and dropped (none may be dropped)
	for t in "file:$DIR/bench.ipfix" $UDP_TARGET; do
		"$UCFLOW" -r "$MIX" -o /dev/null --ipfix "$t" 2>&1 >/dev/null | sed -n 's/^ucflow: ipfix /  exporter: /p'
	done
	rm -f "$DIR/bench.ipfix"
fi

# ---- 2. 1M concurrent flows ----
BIG_PKTS=$(pkts_of "$BIGCAP")
echo
echo "== $BIG distinct 2-packet UDP flows, all concurrent ($BIG_PKTS packets; --idle-timeout 3600)"
bench "$BIGCAP" "$RUNS" --idle-timeout 3600
report "$BIG_PKTS"
BIG_RSS=$U_RSS
rm -f "$DIR/tiny.times"
i=0
while [ $i -lt "$RUNS" ]; do
	timed "$DIR/tiny.times" "$UCFLOW" -q -r "$TINY" -o /dev/null --idle-timeout 3600
	i=$((i + 1))
done
BASE_RSS=$(field maxrss_kib "$DIR/tiny.times" | median)

echo
echo "== bytes per flow at $BIG concurrent flows (target <= 256, all-in)"
awk -v p="$BIG_RSS" -v b="$BASE_RSS" -v n="$BIG" 'BEGIN {
	v = (p - b) * 1024 / n
	printf "  measured: (peak RSS %.1f MiB - baseline %.1f MiB of a 100-flow run) / %d = %.1f bytes/flow  (%s)\n",
		p / 1024, b / 1024, n, v, v <= 256 ? "PASS" : "FAIL"
}'
"$FLOWSIZE" "$BIG" >"$DIR/flowsize.log" || { cat "$DIR/flowsize.log" >&2; exit 1; }
sed -n 's/^flowsize: /  structural: /p' "$DIR/flowsize.log"
awk '/flow_table_memory\(\)/ { for (i = 1; i <= NF; i++) if ($i == "bytes/flow") v = $(i - 1) }
     END { if (v != "") printf "  structural all-in: %s bytes/flow  (%s)\n", v, v + 0 <= 256 ? "PASS" : "FAIL" }' \
	"$DIR/flowsize.log"
