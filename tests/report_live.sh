#!/bin/sh
# report_live.sh - the audit report of a live capture on the loopback interface: rewritten every
# --report-interval seconds while the capture runs (by rename: never a half-written file), and at
# exit; its numbers equal the sums over the flow records written (interim records included).
# Skips (77) where capturing on lo is not permitted.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "report_live: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-report-live.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
port=$((40000 + $$ % 20000))

"$bin" -S "$srcdir/signatures" -i lo --active-timeout 1 --report "$tmp/live.txt" \
	--report-interval 1 -o "$tmp/live.jsonl" "udp port $port" 2>"$tmp/err" &
pid=$!
sleep 1
if ! kill -0 "$pid" 2>/dev/null; then
	pid=
	echo "SKIP: cannot capture on lo here: $(tail -1 "$tmp/err")"
	exit 77
fi
python3 - "$port" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(25):
    s.sendto(b"x" * 100, ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.1)
PY
fail=0
# A periodic write happens while the capture runs, with the packets sent so far. Its packet count
# sums the records written: the last packets reach it once their interval's interim record is cut
# (active timeout 1 s, swept at most once a second) and the next periodic write follows (1 s), so
# allow up to 10 s on a busy machine rather than a fixed pause.
n=0
while [ $n -lt 100 ] && ! grep -qE '^    Packets: +25 ' "$tmp/live.txt" 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done
if grep -qE '^    Packets: +25 ' "$tmp/live.txt" 2>/dev/null; then
	echo "ok   periodic report while capturing"
else
	echo "FAIL no periodic report with the 25 packets:"; grep -E '^    Packets' "$tmp/live.txt"; fail=1
fi
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] && echo "ok   exit 0 after SIGINT" || { echo "FAIL exit $rc"; cat "$tmp/err"; fail=1; }
grep -qE '^    Flow records: +1$' "$tmp/live.txt" && echo "ok   final report at exit" || { echo "FAIL final report"; fail=1; }
grep -qE '^    Capture drops: +[0-9]+ \(kernel buffer\)' "$tmp/live.txt" && echo "ok   capture drops from libpcap" || { echo "FAIL capture drops line"; fail=1; }
grep -q '"end":"interim"' "$tmp/live.jsonl" && echo "ok   interim records written" || { echo "FAIL no interim records"; fail=1; }
python3 "$srcdir/tests/report_check.py" "$srcdir/signatures" "$tmp/live.txt" "$tmp/live.jsonl" || fail=1
ls "$tmp" | grep -q '\.tmp\.' && { echo "FAIL temporary report file left"; fail=1; }
exit $fail
