#!/bin/sh
# live_reload.sh - SIGHUP while capturing on the loopback interface:
#   1. a broken signature file: the reload is refused, the error is logged (FILE:LINE:COL) and the
#      capture goes on with the previous tables;
#   2. a good reload that adds a rule for a new port (UDP 47777, in a file that sorts first, so
#      every other rule's index moves): a flow that ended before the reload has no label, a LATER
#      flow has the new one, and a TCP connection open across the reload keeps its right label
#      (open flows are re-classified against the new tables);
#   3. logrotate: the -o file renamed, SIGHUP, and later records go to a new file of the old name.
# Only 127.0.0.2 is used (tests/live_traffic.py; not 127.0.0.1, so that live_loopback.sh may run at
# the same time on the same ports). Skipped (77) when capturing is not permitted.
set -u
LIVE_HOST=127.0.0.2
export LIVE_HOST
name=live_reload
. "$(cd "${top_srcdir:-.}" && pwd)/tests/live_common.sh"
fail() {
	echo "FAIL: $*"
	echo "--- ucflow's standard error"
	cat "$tmp/err"
	for f in "$out" "$out.1"; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
	exit 1
}
# record FILE PROTO SPORT DPORT: the flow's JSON line, once written (10 s at most)
record() {
	wait_for "$1" "\"id.orig_p\":$3,\"id.resp_h\":\"$LIVE_HOST\",\"id.resp_p\":$4,\"proto\":\"$2\"" 10 "$upid" &&
		grep "\"id.orig_p\":$3,\"id.resp_h\":\"$LIVE_HOST\",\"id.resp_p\":$4,\"proto\":\"$2\"" "$1"
}
label() { # JSON line -> app/service rule
	python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r.get("app", "")+"/"+r.get("app_service", ""), r.get("rule", ""))'
}
udp() { # PORT -> client source port
	python3 "$traffic" udp "$1" 2 10 | cut -d' ' -f2
}

sig="$tmp/sig"
out="$tmp/flows.jsonl"
mkdir "$sig" && cp "$srcdir"/signatures/*.sig "$sig"/ || exit 99
filter="host $LIVE_HOST and (tcp port 1533 or udp port 10000 or udp port 47777)"
"$bin" -i lo -S "$sig" -T json -o "$out" --idle-timeout tcp=300,udp=1 --flush-interval 1 \
	"$filter" 2>"$tmp/err" &
upid=$!
if ! wait_for "$tmp/err" 'listening on lo' 10 "$upid"; then
	if ! kill -0 "$upid" 2>/dev/null; then
		wait "$upid"
		rc=$?
		upid=""
		why=$(grep -m1 '^ucflow: ' "$tmp/err")
		if [ $rc = 1 ] && grep -q '^ucflow: lo: ' "$tmp/err"; then
			echo "live_reload: SKIP: cannot capture on lo (uid $(id -u); needs root or" \
				"CAP_NET_RAW): $why"
			exit 77
		fi
		echo "FAIL: ucflow -i lo exited with $rc: $why"
		exit 1
	fi
	fail "no 'listening on lo' within 10 s"
fi
python3 "$traffic" serve tcp:1533 udp:10000 udp:47777 >"$tmp/srv" 2>&1 &
spid=$!
wait_for "$tmp/srv" '^ready' 10 "$spid" || { echo "FAIL: echo servers did not start"; cat "$tmp/srv"; exit 99; }

# ---- 1. broken table: refused, logged, still running on the previous tables
cp "$sig/sametime.sig" "$tmp/sametime.sig.good"
echo 'rule app=sametime service=broken proto=tcp server_port=notaport' >>"$sig/sametime.sig"
kill -HUP "$upid"
wait_for "$tmp/err" 'SIGHUP: signatures not reloaded' 10 "$upid" || fail "no reload error logged"
grep -Eq 'SIGHUP: signatures not reloaded.*sametime\.sig:[0-9]+:[0-9]+: ' "$tmp/err" ||
	fail "the reload error does not name FILE:LINE:COL"
kill -0 "$upid" 2>/dev/null || fail "ucflow died on a broken reload"
echo "ok   broken table refused: $(grep -m1 'signatures not reloaded' "$tmp/err")"
p1=$(python3 "$traffic" tcp 1533 1 10 | cut -d' ' -f2)
l1=$(record "$out" tcp "$p1" 1533 | label) || fail "no record for the TCP 1533 flow after the failed reload"
[ "$l1" = "sametime/community-client sametime.sig:78" ] || fail "after the failed reload: labelled $l1"
echo "ok   after the failed reload, still the previous tables: $l1"

# ---- 2. good table with a new rule
cp "$tmp/sametime.sig.good" "$sig/sametime.sig"
cat >"$sig/aa-reload-test.sig" <<'EOF'
# written by tests/live_reload.sh; sorts before the shipped files, so every rule index moves
doc live-reload-test "ucflow tests/live_reload.sh"
app reloadtest "Reload test product" onprem=yes
table "Added while capturing"
rule app=reloadtest service=reload-port category=other proto=udp server_port=47777 \
     label="UDP 47777: a rule added before SIGHUP"
EOF
p2=$(udp 47777)
l2=$(record "$out" udp "$p2" 47777 | label) || fail "no record for the UDP 47777 flow before the reload"
case "$l2" in reloadtest/*) fail "a flow ended before the reload has the new label: $l2" ;; esac
echo "ok   before the reload, UDP 47777 is not labelled: '$l2'"
python3 "$traffic" tcp 1533 1 10 4 >"$tmp/tcp.out" 2>"$tmp/tcp.err" &
tpid=$!
wait_for "$tmp/tcp.err" '^connected ' 10 "$tpid" || fail "the TCP client did not connect"
sleep 1
kill -HUP "$upid"
wait_for "$tmp/err" 'SIGHUP: signatures reloaded from' 10 "$upid" || fail "no successful reload logged"
grep -Eq 'SIGHUP: signatures reloaded from .*; 1 open flows re-classified' "$tmp/err" ||
	fail "expected exactly the open TCP flow to be re-classified"
echo "ok   $(grep -m1 'signatures reloaded from' "$tmp/err")"
p3=$(udp 47777)
l3=$(record "$out" udp "$p3" 47777 | label) || fail "no record for the UDP 47777 flow after the reload"
[ "$l3" = "reloadtest/reload-port aa-reload-test.sig:5" ] || fail "after the reload: labelled $l3"
echo "ok   a later UDP 47777 flow has the new label: $l3"
wait "$tpid" || fail "the TCP client failed"
pt=$(cut -d' ' -f2 "$tmp/tcp.out")
lt=$(record "$out" tcp "$pt" 1533 | label) || fail "no record for the TCP 1533 flow"
[ "$lt" = "sametime/community-client sametime.sig:78" ] ||
	fail "the TCP flow open across the reload is labelled $lt"
echo "ok   the TCP 1533 flow open across the reload: $lt"

# ---- 3. logrotate: rename, SIGHUP, a new file
mv "$out" "$out.1"
kill -HUP "$upid"
n=50
while [ "$(grep -c 'SIGHUP: output reopened' "$tmp/err")" -lt 3 ] && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
[ $n -gt 0 ] || fail "the output was not reopened"
p4=$(udp 10000)
record "$out" udp "$p4" 10000 >/dev/null || fail "no record in the new output file"
grep -q "\"id.orig_p\":$p4," "$out.1" && fail "a record after the rotation went to the rotated file"
for p in "$p1" "$p2" "$p3" "$pt"; do
	grep -q "\"id.orig_p\":$p," "$out.1" || fail "record of port $p missing from the rotated file"
done
[ "$(wc -l <"$out")" -eq 1 ] || fail "the new file should hold exactly the one later flow"
echo "ok   after rename + SIGHUP the next record went to a new $out"

kill -INT "$upid"
wait "$upid"
rc=$?
upid=""
[ $rc = 0 ] || fail "ucflow exited with $rc after SIGINT"
echo "--- ucflow's standard error"
cat "$tmp/err"
echo "live_reload: ok"
