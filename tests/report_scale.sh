#!/bin/sh
# report_scale.sh - the report at scale: several --from-json files read in parallel give the same report as one thread (and, but for the inputs, as one file), memory stays bounded with a million distinct clients (and 300,000 unanswered sources), and the approximate counts say so.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "report_scale: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to write the records"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-report-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
cd "$srcdir" || exit 99
site=tests/sites/report-findings.site

# ---- 1. parallel files = one thread = one file (apart from the inputs) ----
# the findings capture's records and bench-like records of many clients, cut into 4 files
"$bin" -S signatures --site $site -r pcaps/report-findings.pcap -q --uid-seed 0 \
	-o "$tmp/f.jsonl" 2>"$tmp/err" || { cat "$tmp/err"; exit 99; }
python3 - "$tmp/f.jsonl" "$tmp" <<'PY' || exit 99
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
out = []
for i in range(20000):  # 20,000 records over 3,000 clients: summaries overflow (k = 256)
    r = dict(recs[i % len(recs)])
    r["id.orig_h"] = "10.%d.%d.%d" % (77, (i % 3000) // 256, (i % 3000) % 256)
    r["ts"] = round(r["ts"] + (i // len(recs)) * 3600.0, 6)  # spread over hours: bins widen
    out.append(json.dumps(r, separators=(",", ":")))
with open(sys.argv[2] + "/all.jsonl", "w") as f:
    f.write("\n".join(out) + "\n")
for k in range(4):  # uneven pieces
    lo, hi = [0, 9000, 15000, 19000, 20000][k:k + 2]
    with open("%s/p%d.jsonl" % (sys.argv[2], k), "w") as f:
        f.write("\n".join(out[lo:hi]) + "\n")
PY
files="$tmp/p0.jsonl $tmp/p1.jsonl $tmp/p2.jsonl $tmp/p3.jsonl"
for fmt in txt html; do
	UCFLOW_REPORT_THREADS=1 "$bin" -S signatures --site $site --report "$tmp/one.$fmt" --from-json $files 2>"$tmp/err"
	rc1=$?
	UCFLOW_REPORT_THREADS=4 "$bin" -S signatures --site $site --report "$tmp/par.$fmt" --from-json $files 2>"$tmp/err"
	rc2=$?
	if [ $rc1 = 0 ] && [ $rc2 = 0 ] && cmp -s "$tmp/one.$fmt" "$tmp/par.$fmt"; then
		ok "4 files in 4 threads = in one thread ($fmt, byte for byte)"
	else
		bad "4 files: parallel report differs from one thread ($fmt; exits $rc1 $rc2)"
		diff "$tmp/one.$fmt" "$tmp/par.$fmt" | head -20
	fi
done
# one file: the counts are the same (inputs aside); approximate endpoint counts may differ
"$bin" -S signatures --site $site --report "$tmp/all.txt" --from-json "$tmp/all.jsonl" 2>"$tmp/err"
exact() { grep -vE 'Inputs:|jsonl|top (servers|clients): |≈' "$1"; }
if exact "$tmp/all.txt" >"$tmp/a.x" && exact "$tmp/one.txt" >"$tmp/o.x" && cmp -s "$tmp/a.x" "$tmp/o.x"; then
	ok "4 files = the same records in one file (every exact count)"
else
	bad "4 files and one file differ in exact counts"
	diff "$tmp/a.x" "$tmp/o.x" | head -20
fi
grep -q '≈ [0-9]* client' "$tmp/one.txt" && ok "more clients than counters: '≈ N clients'" || bad "no '≈ N' distinct count"
# stdin still works among the files
cat "$tmp/p1.jsonl" | UCFLOW_REPORT_THREADS=2 "$bin" -S signatures --site $site --report "$tmp/s.txt" \
	--from-json "$tmp/p0.jsonl" - "$tmp/p2.jsonl" "$tmp/p3.jsonl" 2>"$tmp/err"
[ $? = 0 ] && grep -q '(stdin)' "$tmp/s.txt" && ok "--from-json with - among files" || bad "--from-json with - among files"
# a file that cannot be read among good ones: exit 1, named, the rest reported
UCFLOW_REPORT_THREADS=2 "$bin" -S signatures --site $site --report "$tmp/m.txt" \
	--from-json "$tmp/p0.jsonl" "$tmp/missing.jsonl" "$tmp/p1.jsonl" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q 'missing.jsonl' "$tmp/err" && grep -qi 'missing.jsonl' "$tmp/m.txt" &&
	ok "unreadable file among parallel ones: exit 1, named" || bad "unreadable file among parallel ones (exit $rc)"

# ---- 2. a million distinct clients: memory bounded, counts marked approximate ----
# RSS limit: the report's summaries and buffers take about 20 MB whatever the clients; one counter
# per client (as before the bounded summaries) took 650 MB for a million
LIMIT_KIB=${REPORT_RSS_LIMIT_KIB:-102400}
if grep -q __asan_init "$bin" 2>/dev/null; then
	# AddressSanitizer's shadow memory and freed-block quarantine: a smaller quarantine and more room
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	export ASAN_OPTIONS
	LIMIT_KIB=${REPORT_RSS_LIMIT_KIB:-307200}
fi
res=$(python3 - "$bin" "$srcdir/signatures" "$tmp/big.txt" <<'PY'
import os, subprocess, sys
N, HEAVY = 1000000, 10
p = subprocess.Popen([sys.argv[1], "-S", sys.argv[2], "--report", sys.argv[3], "--from-json", "-"],
                     stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
head = '{"ts":1700000000.%06d,"id.orig_h":"%s","id.orig_p":5000,"id.resp_h":"192.0.2.1","id.resp_p":5004,'
tail = ('"proto":"udp","duration":0.1,"orig_bytes":100,"resp_bytes":100,"orig_pkts":1,"orig_ip_bytes":128,'
        '"resp_pkts":1,"resp_ip_bytes":128,"confidence":"port","app":"webex-calling","app_service":"media",'
        '"frag_pkts":1,"end":"idle"}\n')
buf = []
for i in range(N):
    h = "10.255.255.1" if i % HEAVY == 0 else "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    buf.append(head % (i % 1000000, h) + tail)
    if len(buf) == 20000:
        p.stdin.write("".join(buf).encode())
        buf = []
p.stdin.write("".join(buf).encode())
p.stdin.close()
_, status, ru = os.wait4(p.pid, 0)
print("%d %d" % (os.waitstatus_to_exitcode(status), ru.ru_maxrss))
PY
)
set -- $res
if [ "${1:-x}" = 0 ] && [ "${2:-999999999}" -lt "$LIMIT_KIB" ]; then
	ok "1,000,000 distinct clients: peak RSS $2 KiB < $LIMIT_KIB KiB"
else
	bad "1,000,000 distinct clients: exit ${1:-?}, peak RSS ${2:-?} KiB (limit $LIMIT_KIB KiB)"
fi
# the heavy client (every 10th record) is exact and first; the next ones are marked approximate
if grep -q 'top clients: 10.255.255.1 (100000 flows), ' "$tmp/big.txt"; then
	ok "heavy hitter exact: 10.255.255.1 (100000 flows)"
else
	bad "heavy hitter not found exact"; grep 'top clients' "$tmp/big.txt" | head -3
fi
grep -q 'top clients: 10.255.255.1 (100000 flows), 10\.[0-9.]* (≈ [0-9]* flows, at most [0-9]* over)' "$tmp/big.txt" &&
	ok "approximate counts say ≈ and their bound" || { bad "no '≈ N flows, at most E over'"; grep 'top clients' "$tmp/big.txt" | head -3; }
# 900,001 distinct clients: the estimate within 4 standard errors (3.3 % each)
est=$(sed -n 's/.*, ≈ \([0-9]*\) clients, .*/\1/p' "$tmp/big.txt" | head -n 1)
if [ -n "$est" ] && [ "$est" -gt 783000 ] && [ "$est" -lt 1017000 ]; then
	ok "distinct clients estimated: ≈ $est (900001)"
else
	bad "distinct clients estimate '${est:-none}' (900001)"; grep 'clients' "$tmp/big.txt" | head -3
fi
grep -q 'Flows: *1000000\|1000000 flows\|1,000,000' "$tmp/big.txt" && ok "all 1,000,000 flows counted" || bad "flow total"

# ---- 3. the firewall finding (g) with 300,000 distinct unanswered sources: bounded, a scan found ----
# one entry per source took 2 GB for a million; now a summary of 4096 sources and per-row summaries
res=$(python3 - "$bin" "$srcdir/signatures" "$tmp/fw.txt" <<'PY'
import os, subprocess, sys
N = 300000
p = subprocess.Popen([sys.argv[1], "-S", sys.argv[2], "--report", sys.argv[3], "--from-json", "-"],
                     stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
rec = ('{"ts":1700000000.%06d,"id.orig_h":"%s","id.orig_p":40000,"id.resp_h":"192.0.2.1",'
       '"id.resp_p":%d,"proto":"tcp","duration":0,"orig_bytes":0,"resp_bytes":0,"conn_state":"S0",'
       '"orig_pkts":1,"orig_ip_bytes":60,"resp_pkts":0,"resp_ip_bytes":0,"confidence":"port",'
       '"app":"webex-calling","app_service":"sip-tls","end":"idle"}\n')
buf = []
for i in range(N):
    if i % 1000 == 0:  # a scan: 300 attempts over 50 ports, spread over the run
        h, port = "10.255.255.9", 5000 + (i // 1000) % 50
    else:
        h, port = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255), 5061
    buf.append(rec % (i, h, port))
    if len(buf) == 20000:
        p.stdin.write("".join(buf).encode())
        buf = []
p.stdin.write("".join(buf).encode())
p.stdin.close()
_, status, ru = os.wait4(p.pid, 0)
print("%d %d" % (os.waitstatus_to_exitcode(status), ru.ru_maxrss))
PY
)
set -- $res
if [ "${1:-x}" = 0 ] && [ "${2:-999999999}" -lt "$LIMIT_KIB" ]; then
	ok "300,000 distinct unanswered sources: peak RSS $2 KiB < $LIMIT_KIB KiB"
else
	bad "300,000 distinct unanswered sources: exit ${1:-?}, peak RSS ${2:-?} KiB (limit $LIMIT_KIB KiB)"
fi
g=$(sed -n '/^### g\./,/^Appendix/p' "$tmp/fw.txt")
echo "$g" | grep -q '^### g\. .*: 299700 flows$' && ok "finding g: 299700 attempts (the scan's 300 apart)" ||
	{ bad "finding g count"; echo "$g" | head -3; }
echo "$g" | grep -q '^        scan from 10.255.255.9: 300 unanswered attempts, 300 on documented rows' &&
	ok "the scan among 300,000 sources found" || { bad "scan not found"; echo "$g" | grep -i scan; }
echo "$g" | grep -q '^Approximate: more distinct sources than this finding keeps counters for' &&
	echo "$g" | grep -qE 'clients \(≈ [0-9]+\): [0-9.]+ \(≈ [0-9]+, at most [0-9]+ over\)' &&
	ok "approximate counts say so, with their bound" || { bad "no approximate note/bound in g"; echo "$g" | head -20; }

# ---- 4. the Servers table with 200,000 distinct servers and 100,000 product clients: bounded ----
# (issue 15 item 2, issue 17): one entry per server and role grew without bound; now summaries of
# 256 servers and 256 client hosts, the 50 largest servers shown and the rest stated
res=$(python3 - "$bin" "$srcdir/signatures" "$tmp/srv.txt" <<'PY'
import os, subprocess, sys
N, HEAVY = 300000, 10
p = subprocess.Popen([sys.argv[1], "-S", sys.argv[2], "--report", sys.argv[3], "--from-json", "-"],
                     stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
rec = ('{"ts":1700000000.%06d,"id.orig_h":"%s","id.orig_p":40000,"id.resp_h":"%s","id.resp_p":%d,'
       '"proto":"%s","duration":0.1,"orig_bytes":100,"resp_bytes":100,"conn_state":"SF","orig_pkts":1,'
       '"orig_ip_bytes":128,"resp_pkts":1,"resp_ip_bytes":128,"confidence":"role+port",'
       '"app":"%s","app_service":"%s","end":"idle","evidence":"%s"}\n')
buf = []
for i in range(N):
    a = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    if i % 3 == 2:  # a calling device's NTP: a client role only
        buf.append(rec % (i % 1000000, a, "10.200.0.1", 123, "udp", "webex-calling", "device-ntp",
                          "role=webex-calling/calling-device client=%s peer=uses:device-sip-tls" % a))
    else:
        s = "10.254.0.1" if i % HEAVY == 0 else "10.%d.%d.%d" % (100 + (i >> 16 & 63), i >> 8 & 255, i & 255)
        buf.append(rec % (i % 1000000, "10.250.0.1", s, 8445, "tcp", "finesse", "https",
                          "role=finesse/finesse-server server=%s serves=tcp/8445" % s))
    if len(buf) == 20000:
        p.stdin.write("".join(buf).encode())
        buf = []
p.stdin.write("".join(buf).encode())
p.stdin.close()
_, status, ru = os.wait4(p.pid, 0)
print("%d %d" % (os.waitstatus_to_exitcode(status), ru.ru_maxrss))
PY
)
set -- $res
if [ "${1:-x}" = 0 ] && [ "${2:-999999999}" -lt "$LIMIT_KIB" ]; then
	ok "200,000 servers and 100,000 product clients: peak RSS $2 KiB < $LIMIT_KIB KiB"
else
	bad "200,000 servers: exit ${1:-?}, peak RSS ${2:-?} KiB (limit $LIMIT_KIB KiB)"
fi
sv=$(sed -n '/^Servers (/,/^Product clients seen/p' "$tmp/srv.txt")
rows=$(printf '%s\n' "$sv" | grep -cE '^    10\.[0-9.]+ +finesse/finesse-server ')
[ "$rows" = 50 ] && ok "Servers table: 50 rows shown" || bad "Servers table: $rows rows"
# the heavy server (every 10th server flow: 20,000) first and exact
printf '%s\n' "$sv" | grep -E '^    10\.' | head -1 | grep -qE '^    10\.254\.0\.1 +finesse/finesse-server .* 20000 +0 ' &&
	ok "heavy server first and exact (20000 flows)" || { bad "heavy server"; printf '%s\n' "$sv" | sed -n 5,6p; }
printf '%s\n' "$sv" | grep -qE '^    \(≈ [0-9]+ servers in all, 50 shown: the rest\) +more servers than kept \(256\): a row counts from when it was kept, the rest at most this +[0-9]+ +0$' &&
	ok "the rest stated (≈ distinct servers, their flows)" || { bad "no rest row"; printf '%s\n' "$sv" | tail -3; }
cl=$(sed -n '/^Product clients seen/,/^Confidence mix/p' "$tmp/srv.txt")
printf '%s\n' "$cl" | grep -qE '^    webex-calling/calling-device +≥ [0-9]+ +[0-9]+ ' &&
	printf '%s\n' "$cl" | grep -qE '^    \(≈ [0-9]+ client hosts in all\) +100000 ' &&
	ok "product clients bounded, 100000 flows and the distinct hosts estimated" || { bad "product clients"; printf '%s\n' "$cl" | head -8; }
printf '%s\n' "$sv" | grep -q 'calling-device' && bad "client role among the servers" || ok "no client role among the servers"

echo "report_scale: $pass passed, $fail failed"
[ $fail = 0 ]
