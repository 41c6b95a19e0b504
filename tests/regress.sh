#!/bin/sh
# regress.sh - runs ucflow on every capture in tests/regress/ and compares the result with the
# capture's .expected file: exit status, the stderr summary (decode counts), and per flow the
# fields the decode and flow stages decide (addresses, ports, protocol, packet and byte counts,
# VLANs, fragments, state, history, tunnel). Classification fields are left out on purpose: they
# follow the signature tables, which change for their own reasons.
#
# tests/regress/ holds the minimized captures of bugs found by fuzzing and by the corpus sweep,
# and one capture per encapsulation (encap-*.pcap, written by make_regress.py); tests/regress/README
# lists them.
# Usage: regress.sh [--regen]   (--regen rewrites the .expected files: review the diff!)
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=${UCFLOW:-./ucflow}
dir=$srcdir/tests/regress
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the JSON output"; exit 77; }
regen=0
[ "${1:-}" = --regen ] && regen=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-regress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87"
export ASAN_OPTIONS UBSAN_OPTIONS

fail=0 n=0
for pcap in "$dir"/*.pcap; do
	[ -f "$pcap" ] || continue
	n=$((n + 1))
	name=$(basename "$pcap" .pcap)
	"$bin" -S "$srcdir/signatures" -T json -r "$pcap" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{
		echo "exit $rc"
		sed "s|$dir/||g" "$tmp/err"
		python3 - "$tmp/out" <<'PY'
import json, sys
KEYS = ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "orig_pkts", "orig_ip_bytes",
        "resp_pkts", "resp_ip_bytes", "orig_bytes", "resp_bytes", "vlan", "inner_vlan",
        "frag_pkts", "conn_state", "history", "end", "tunnel"]
for line in open(sys.argv[1]):
    try:
        rec = json.loads(line)
    except ValueError:
        print("NOT JSON: " + line.rstrip("\n"))
        continue
    print(" ".join(f"{k}={json.dumps(rec.get(k))}" for k in KEYS))
PY
	} >"$tmp/got"
	if [ $regen = 1 ]; then
		cp "$tmp/got" "$dir/$name.expected"
		echo "wrote $name.expected"
	elif [ ! -f "$dir/$name.expected" ]; then
		echo "FAIL $name: no $name.expected (run tests/regress.sh --regen and review it)"
		fail=1
	elif diff -u "$dir/$name.expected" "$tmp/got" >"$tmp/diff"; then
		echo "ok   $name"
	else
		echo "FAIL $name:"
		cat "$tmp/diff"
		fail=1
	fi
done
[ $n -gt 0 ] || { echo "FAIL: no captures in $dir"; exit 1; }
exit $fail
