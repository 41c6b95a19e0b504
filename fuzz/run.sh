#!/bin/sh
# fuzz/run.sh - runs each libFuzzer target (built by `make fuzz`) for a bounded time from seed
# corpora made out of the project's own captures and signature tables, and fails on any finding
# (crash, sanitizer report, leak, timeout, out-of-memory).
#
# Usage: fuzz/run.sh SECONDS [TARGET...]      (default: every target `make fuzz` built)
# Run it from the build directory, or set FUZZ_BUILDDIR. Work files (the growing corpus, logs and
# any crash artifact) go to $FUZZ_WORKDIR (default BUILDDIR/fuzz/work) and are kept for a re-run.
# FUZZ_RUNS=N stops each target after N executions instead (SECONDS then only bounds the time).
# FUZZ_PARALLEL=1 runs the targets side by side instead of one after the other.
set -u
secs=${1:-}
case "$secs" in
'' | *[!0-9]*) echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2; exit 2 ;;
esac
shift
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${FUZZ_BUILDDIR:-.}" && pwd)
work=${FUZZ_WORKDIR:-$builddir/fuzz/work}
targets=$*
if [ -z "$targets" ]; then
	for b in "$builddir"/fuzz/fuzz_*; do
		case $b in *.*) continue ;; esac
		[ -x "$b" ] && targets="$targets $(basename "$b")"
	done
fi
[ -n "$targets" ] || { echo "fuzz/run.sh: no targets in $builddir/fuzz (make fuzz)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "fuzz/run.sh: python3 is needed for the seeds" >&2; exit 2; }
# fuzz_sigparse writes each input to a file under $TMPDIR: on tmpfs it runs about twice as many
# inputs a second as on ext4, where every rewrite of the file is flushed (measured 3000/s vs 1600/s).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi

# Seeds: fuzz_pcap gets whole captures; fuzz_packet their frames, each behind the index of its
# link type in fuzz_packet.c's table; fuzz_sigparse the signature tables (role byte 0) and the
# test site files (role byte 1).
make_seeds() {
	t=$1 dir=$2
	mkdir -p "$dir"
	case $t in
	fuzz_pcap)
		for f in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng "$srcdir"/tests/regress/*.pcap; do
			[ -f "$f" ] && cp "$f" "$dir/"
		done
		;;
	fuzz_packet)
		python3 - "$dir" "$srcdir"/pcaps/*.pcap "$srcdir"/tests/regress/*.pcap <<'PY'
import hashlib, os, struct, sys
# the order of linktypes[] in fuzz/fuzz_packet.c
# (as files record them: LINKTYPE_ATM_CLIP 106 is read as Linux's DLT_ATM_CLIP 19)
LT = [1, 113, 276, 12, 101, 228, 229, 0, 108, 9, 50, 51, 104, 105, 127, 192, 107,
      239, 258, 226, 242, 106, 178, 10, 197]
out = sys.argv[1]
for path in sys.argv[2:]:
    try:
        data = open(path, 'rb').read()
    except OSError:
        continue
    if len(data) < 24:
        continue
    magic = struct.unpack('<I', data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = '>'
    else:
        continue  # pcapng seeds go to fuzz_pcap only
    lt = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
    if lt not in LT:
        continue
    off, n = 24, 0
    while off + 16 <= len(data) and n < 40:
        incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        seed = bytes([LT.index(lt)]) + frame
        name = hashlib.sha1(seed).hexdigest()
        with open(os.path.join(out, name), 'wb') as fp:
            fp.write(seed)
PY
		;;
	fuzz_report_json)
		# flow records as ucflow writes them (JSON and the CSV/text outputs' neighbours), a
		# few lines per seed so that the 8 KiB window holds whole records
		for f in "$srcdir"/tests/expected/*.out; do
			head -c 1 "$f" | grep -q '{' || continue
			head -n 4 "$f" >"$dir/$(basename "$f" .out).jsonl"
		done
		;;
	fuzz_sigparse)
		for f in "$srcdir"/signatures/*.sig; do
			{ printf "\002"; cat "$f"; } >"$dir/sig-$(basename "$f")"
		done
		for f in "$srcdir"/tests/sites/*.site "$srcdir"/tests/sig/*.site; do
			[ -f "$f" ] && { printf "\003"; cat "$f"; } >"$dir/site-$(basename "$f")"
		done
		;;
	esac
}

run_one() {
	t=$1
	bin=$builddir/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "FAIL $t: $bin not built (make fuzz)"
		return 1
	fi
	tw=$work/$t
	rm -rf "$tw/seeds" "$tw/artifacts"
	mkdir -p "$tw/corpus" "$tw/artifacts"
	make_seeds "$t" "$tw/seeds"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$tw/artifacts/"
	[ -n "${FUZZ_RUNS:-}" ] && set -- "$@" -runs="$FUZZ_RUNS"
	[ -f "$srcdir/fuzz/$t.dict" ] && set -- "$@" -dict="$srcdir/fuzz/$t.dict"
	# Seeds are whole files; an 8 KiB window holds every kind of signature statement and a few
	# dozen packets, and keeps the slower targets' executions cheap.
	[ "$t" != fuzz_packet ] && set -- "$@" -max_len=8192
	UCFLOW_SIGNATURES="$srcdir/signatures" "$bin" "$@" "$tw/corpus" "$tw/seeds" >"$tw/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tw/log" | tail -1)
	if [ $rc -ne 0 ] || [ -n "$(ls -A "$tw/artifacts")" ]; then
		echo "FAIL $t: exit $rc after ${execs:-?} executions; artifacts in $tw/artifacts"
		grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$tw/log" | head -20
		return 1
	fi
	echo "ok   $t: ${execs:-?} executions in ${secs}s or less, corpus $(ls "$tw/corpus" | wc -l) inputs"
}

fail=0
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
	pids=""
	mkdir -p "$work"
	for t in $targets; do
		run_one "$t" >"$work.$t.result" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail=1; done
	for t in $targets; do cat "$work.$t.result"; rm -f "$work.$t.result"; done
else
	for t in $targets; do run_one "$t" || fail=1; done
fi
exit $fail
