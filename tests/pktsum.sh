#!/bin/sh
# pktsum.sh - for every bundled capture, one valid JSON object per flow with every documented field,
# and the per-flow packet counts add up to the packets the capture holds (decoded packets, less
# later fragments that could not be attributed to a flow and late TCP packets of closed
# connections).
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to parse JSON"; exit 77; }
ls "$srcdir"/pcaps/*.pcap >/dev/null 2>&1 || { echo "FAIL: no captures in pcaps/"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-pktsum.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 pass=0
for pcap in "$srcdir"/pcaps/*.pcap; do
	"$bin" -S "$srcdir/signatures" -T json -r "$pcap" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	total=$(python3 - "$pcap" <<'PY'
import struct, sys
# count records in a classic pcap file independently of libpcap
data = open(sys.argv[1], 'rb').read()
magic = struct.unpack('<I', data[:4])[0]
endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack(endian + 'I', data[off + 8:off + 12])[0]
    off += 16 + incl
    n += 1
print(n)
PY
)
	if python3 - "$tmp/out" "$tmp/err" "$total" "$rc" "$(basename "$pcap")" <<'PY'
import json, re, sys
out, err, total, rc, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
          "orig_bytes", "resp_bytes", "conn_state", "orig_pkts", "orig_ip_bytes",
          "resp_pkts", "resp_ip_bytes", "dscp_changed", "frag_pkts", "end", "confidence",
          "community_id"]  # always there; the rest are left out when unset
s = open(err).read()
m = re.search(r"(\d+) packets read, (\d+) decoded, (\d+) truncated, (\d+) malformed, (\d+) non-IP", s)
m2 = re.search(r"(\d+) fragments attributed, (\d+) not attributable", s)
if rc != 0 or not m or not m2:
    print(f"FAIL {name}: exit {rc}, summary missing: {s!r}"); sys.exit(1)
read, decoded = int(m.group(1)), int(m.group(2))
unattributed = int(m2.group(2))
# late TCP packets of connections already closed: counted in the summary, in no flow
m3 = re.search(r"(\d+) TCP packets \(FIN, RST or ACK\) came after their connection was closed", s)
late = int(m3.group(1)) if m3 else 0
pkts = 0; uids = set(); n = 0
for line in open(out):
    rec = json.loads(line)
    missing = [f for f in fields if f not in rec]
    if missing:
        print(f"FAIL {name}: record lacks {missing}"); sys.exit(1)
    pkts += rec["orig_pkts"] + rec["resp_pkts"]
    if rec.get("end") != "interim":  # interim records share their flow's uid (deltas)
        uids.add(rec["uid"]); n += 1
if len(uids) != n:
    print(f"FAIL {name}: duplicate uids"); sys.exit(1)
if read != total:
    print(f"FAIL {name}: read {read} packets, the file holds {total}"); sys.exit(1)
if pkts != decoded - unattributed - late:
    print(f"FAIL {name}: flows hold {pkts} packets, decoded {decoded} - unattributed {unattributed}"
          f" - late after close {late}"); sys.exit(1)
print(f"ok   {name}: {n} flows, {pkts} packets in flows, {read} read")
PY
	then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "pktsum: $pass passed, $fail failed"
[ $fail -eq 0 ]
