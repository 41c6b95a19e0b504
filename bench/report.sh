#!/bin/sh
# report.sh - the report benchmark: --from-json over synthetic records with many distinct hosts; wall and CPU time, records/s, peak RSS.
#
# Usage: bench/report.sh [--ucflow PATH] [--gen PATH] [--gen-records PATH] [--rusage PATH]
#                        [--records N] [--files N] [--runs N] [--dir DIR] [--keep]
# Defaults: binaries from the current (build) directory, 10M records in 2 files, 3 runs. `make bench-report`
# passes the paths of the binaries it just built. Environment: BENCH_DIR.
#
# Method. bench/gen_pcap writes bench's mix (1M packets, 25k flows) and ucflow writes its JSON
# records: the templates. bench/gen_records replays them N times over with a client address
# unique to every record and a server address unique to every fourth (the worst case for a report
# that keeps per-host state), split over --files files. The files are read once before timing
# (page cache warm), then ucflow --report DIR/r.txt --from-json runs over all files (one thread:
# UCFLOW_REPORT_THREADS=1; then the default, a thread per file up to the CPUs, when this ucflow
# reads files in parallel) and from a pipe (`cat FILES | ucflow --from-json -`). Times and peak
# RSS come from bench/rusage (wait4). records/s is over wall time and over CPU time (user + sys);
# on a loaded machine only the CPU figure means much: the load average is printed. The three
# runs are repeated --runs times, taking turns, and summed up per run as the best and the median
# records per CPU-second: on a virtual machine whose host does not account the time it takes the
# CPU away (no steal time), that time counts as the guest's CPU time, and the same run varied by
# a third from one minute to the next on the development VM; the best run is the closest to
# ucflow's own cost, the median what a shared host gives.
set -eu

UCFLOW=./ucflow
GEN=./bench/gen_pcap
GENREC=./bench/gen_records
RUSAGE=./bench/rusage
RECORDS=10000000
FILES=2
RUNS=3
DIR=${BENCH_DIR:-}
KEEP=${BENCH_DIR:+1}
KEEP=${KEEP:-0}

usage() {
	sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--ucflow) UCFLOW=$2; shift 2 ;;
	--gen) GEN=$2; shift 2 ;;
	--gen-records) GENREC=$2; shift 2 ;;
	--rusage) RUSAGE=$2; shift 2 ;;
	--records) RECORDS=$2; shift 2 ;;
	--files) FILES=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--dir) DIR=$2; KEEP=1; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "report.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
for b in "$UCFLOW" "$GEN" "$GENREC" "$RUSAGE"; do
	if [ ! -x "$b" ]; then
		echo "report.sh: $b is not built (run 'make bench-report', or pass its path)" >&2
		exit 2
	fi
done
case $RECORDS in ''|*[!0-9]*|0) echo "report.sh: --records: expected a positive number" >&2; exit 2 ;; esac
case $FILES in ''|*[!0-9]*|0) echo "report.sh: --files: expected a positive number" >&2; exit 2 ;; esac
case $RUNS in ''|*[!0-9]*|0) echo "report.sh: --runs: expected a positive number" >&2; exit 2 ;; esac
srcdir=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$DIR" ]; then
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-bench-report.XXXXXX")
fi
mkdir -p "$DIR"
[ "$KEEP" = 1 ] || trap 'rm -rf "$DIR"' EXIT INT TERM

# ---- the records ----
if [ ! -s "$DIR/mix.jsonl" ]; then
	"$GEN" -m mix -q -o "$DIR/mix.pcap"
	"$UCFLOW" -q -S "$srcdir/signatures" --uid-seed 0 -r "$DIR/mix.pcap" -o "$DIR/mix.jsonl.tmp"
	mv "$DIR/mix.jsonl.tmp" "$DIR/mix.jsonl"
fi
per=$((RECORDS / FILES))
set --
i=0
while [ $i -lt "$FILES" ]; do
	n=$per
	[ $i -eq $((FILES - 1)) ] && n=$((RECORDS - per * (FILES - 1)))
	f="$DIR/records-$RECORDS-$FILES-$i.jsonl"
	if [ ! -s "$f" ]; then
		"$GENREC" -b $((per * i)) "$n" "$DIR/mix.jsonl" >"$f.tmp"
		mv "$f.tmp" "$f"
	fi
	set -- "$@" "$f"
	i=$((i + 1))
done
cat "$@" >/dev/null # warm the page cache
bytes=$(cat "$@" | wc -c)

# ---- the runs ----
res="$DIR/rusage.txt"
all="$DIR/runs.txt"
: >"$all"
row() { # name rusage-line: prints the row and keeps name, rec/CPU-s and RSS for the summary
	awk -v n="$1" -v r="$RECORDS" -v line="$2" -v all="$all" 'BEGIN {
		k = split(line, f, " "); for (i = 1; i <= k; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
		cpu = v["user_s"] + v["sys_s"]
		printf "%-28s %12d %8.2f %8.2f %10.0f %12.0f %9.1f\n", n, r, v["wall_s"], cpu,
			r / v["wall_s"], r / cpu, v["maxrss_kib"] / 1024
		printf "%s\t%.0f\t%.1f\n", n, r / cpu, v["maxrss_kib"] / 1024 >> all }'
}
run() { # name env... -- command...
	name=$1; shift
	: >"$res"
	env "$@" >/dev/null 2>"$DIR/err" || { echo "report.sh: $name failed:" >&2; cat "$DIR/err" >&2; exit 1; }
	row "$name" "$(tail -n 1 "$res")"
}
echo "report benchmark: $RECORDS records ($((bytes / 1000000)) MB) in $FILES file(s), every client distinct, every 4th server distinct"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), CPUs online: $(getconf _NPROCESSORS_ONLN)"
printf '%-28s %12s %8s %8s %10s %12s %9s\n' "run" "records" "wall s" "CPU s" "rec/s" "rec/CPU-s" "RSS MB"
round=1
while [ $round -le "$RUNS" ]; do
	run "files, 1 thread" UCFLOW_REPORT_THREADS=1 "$RUSAGE" -o "$res" "$UCFLOW" -S "$srcdir/signatures" \
		--report "$DIR/r1.txt" --from-json "$@"
	if [ "$FILES" -gt 1 ]; then
		run "files, parallel" "$RUSAGE" -o "$res" "$UCFLOW" -S "$srcdir/signatures" \
			--report "$DIR/rn.txt" --from-json "$@"
	fi
	# the pipe: ucflow's own rusage (the cat is not counted)
	: >"$res"
	cat "$@" | "$RUSAGE" -o "$res" "$UCFLOW" -S "$srcdir/signatures" --report "$DIR/rp.txt" \
		--from-json - >/dev/null 2>"$DIR/err" || { echo "report.sh: pipe failed:" >&2; cat "$DIR/err" >&2; exit 1; }
	row "stdin (a pipe)" "$(tail -n 1 "$res")"
	round=$((round + 1))
done
echo "summary over $RUNS run(s), records per CPU-second:"
printf '%-28s %12s %12s %9s\n' "run" "best" "median" "RSS MB"
for name in "files, 1 thread" "files, parallel" "stdin (a pipe)"; do
	grep -F "$name	" "$all" | sort -t "$(printf '\t')" -k2,2n | awk -F '\t' -v n="$name" '
		{ v[NR] = $2; if ($3 > m) m = $3 }
		END { if (NR) printf "%-28s %12.0f %12.0f %9.1f\n", n, v[NR],
			NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, m }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
