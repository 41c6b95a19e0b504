#!/bin/sh
# memory_bound.sh - memory stays bounded by --max-flows over 1 M distinct short flows, and every
# flow is written.
#
# tests/gen_flows.py streams a synthesized capture of 1,000,000 two-packet UDP flows (half at
# 50,000 new flows a second of packet time, half at 200,000 a second) into ucflow -r - with
# --max-flows 100000 and a 1 s UDP idle timeout, counts the records on ucflow's standard output
# and reads ucflow's peak resident set size (getrusage of the child). The bound is
#     fixed overhead + max_flows x per-flow size
# where the fixed overhead is the peak RSS of the same command over a 1-flow capture and the
# per-flow size is 256 bytes: struct flow (240 bytes, static_assert in src/flow_table.c) plus at
# most 16 bytes of uthash bucket per flow; plus, as these flows' UDP port 10000 is a port a server
# role could label, the second look's store of --second-look-max records of 192 bytes (a flow
# record without its hash handle, include/role_defer.h). Env: FLOWS (default 1000000), MAX_FLOWS
# (100000), SECOND_LOOK_MAX (65536).
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
gen="$srcdir/tests/gen_flows.py"
flows=${FLOWS:-1000000}
max_flows=${MAX_FLOWS:-100000}
per_flow=256
sl_max=${SECOND_LOOK_MAX:-65536}
per_held=192

[ -x "$bin" ] || { echo "memory_bound: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null 2>&1 || { echo "memory_bound: SKIP: python3 not found"; exit 77; }
if grep -aq '__asan_init' "$bin"; then
	echo "memory_bound: SKIP: built with AddressSanitizer (its shadow memory and quarantine are not ucflow's)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-mem.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

run() { # FLOWS -> "lines=L maxrss_kib=R status=S" on stdout, ucflow's stderr in $tmp/err.FLOWS
	python3 "$gen" measure "$1" -- "$bin" -r - -S "$srcdir/signatures" --max-flows "$max_flows" \
		--second-look-max "$sl_max" --idle-timeout udp=1 -T json 2>"$tmp/err.$1"
}
field() { # KEY LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

base=$(run 1) || { echo "FAIL: baseline run: $base"; cat "$tmp/err.1"; exit 1; }
start=$(date +%s)
big=$(run "$flows") || { echo "FAIL: run: $big"; cat "$tmp/err.$flows"; exit 1; }
end=$(date +%s)
cat "$tmp/err.$flows"

base_kib=$(field maxrss_kib "$base")
rss_kib=$(field maxrss_kib "$big")
lines=$(field lines "$big")
status=$(field status "$big")
bound_kib=$((base_kib + max_flows * per_flow / 1024 + sl_max * per_held / 1024))
echo "memory_bound: $flows flows, --max-flows $max_flows: peak RSS $rss_kib KiB;" \
	"bound $bound_kib KiB = fixed $base_kib KiB + $max_flows x $per_flow B + $sl_max x $per_held B" \
	"(second look); $((end - start)) s"

fail=0
[ "$status" = 0 ] || { echo "FAIL: ucflow exited with $status"; fail=1; }
[ "$lines" = "$flows" ] || { echo "FAIL: $lines records written for $flows flows"; fail=1; }
grep -q "^ucflow: $flows flows written" "$tmp/err.$flows" ||
	{ echo "FAIL: the summary does not say $flows flows written"; fail=1; }
[ "$rss_kib" -le "$bound_kib" ] ||
	{ echo "FAIL: peak RSS $rss_kib KiB exceeds the bound $bound_kib KiB"; fail=1; }
# and the bound means something: without --max-flows and idle timeouts 1 M flows need far more
[ "$bound_kib" -lt $((base_kib + flows * 240 / 1024)) ] ||
	{ echo "FAIL: the bound is not below the unbounded table"; fail=1; }
[ $fail = 0 ] && echo "memory_bound: ok"
exit $fail
