#!/bin/sh
# ndpi_sweep.sh - runs ucflow over every file of the third-party capture corpus in
# ../shared/pcaps/ndpi and checks, per file:
#   - no crash: exit 0, or exit 1 with one clear "ucflow: FILE: ..." line for a file that cannot be
#     read (not a capture, truncated, unsupported link type); sanitizer reports fail the test;
#   - every output line is a JSON object with the documented fields; every flow (uid) ends with
#     exactly one final record, after any interim records of a long flow;
#   - nothing lost: every packet read is counted once (decoded + truncated + malformed + non-IP +
#     unsupported), the packets the file holds (counted here, independently of libpcap) were all
#     read, one final record per flow written, and the packet counts of all records (interim
#     records hold their interval's counts) add up to the decoded packets less the later fragments
#     no flow could claim and the late TCP packets of closed connections;
#   - the product labels (tests/ndpi_labels.py): no label without the product's documented domain
#     or subnet, none against another application's name, every Webex flow of webex.pcap labelled,
#     and the per-capture label counts as in tests/ndpi_labels.expected.
# UCFLOW_REGEN_LABELS=1 rewrites tests/ndpi_labels.expected instead (review the diff!).
# Prints totals: files, packets, flows, decode results, rejects by reason.
#
# The corpus is found through $UCFLOW_SHARED (CI exports it, so `make distcheck`, whose source tree
# is a copy, finds it too), else $top_srcdir/../shared. Absent: SKIP (exit 77).
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=${UCFLOW:-./ucflow}
shared=${UCFLOW_SHARED:-$srcdir/../shared}
corpus=$shared/pcaps/ndpi
if [ ! -d "$corpus" ]; then
	echo "SKIP: ../shared/pcaps/ndpi not present"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to check the output"; exit 77; }
[ -x "$bin" ] || { echo "FAIL: no ucflow binary at $bin"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
# A sanitizer report must not pass for the ordinary exit status 1.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

n=0
for f in "$corpus"/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	"$bin" -S "$srcdir/signatures" -T json -r "$f" >"$tmp/$n.out" 2>"$tmp/$n.err"
	echo "$?" >"$tmp/$n.rc"
	printf '%s\n' "$f" >"$tmp/$n.name"
done
[ "$n" -gt 0 ] || { echo "FAIL: $corpus is empty"; exit 1; }

status=0
regen=
[ "${UCFLOW_REGEN_LABELS:-0}" = 1 ] && regen=--regen
python3 "$srcdir/tests/ndpi_labels.py" "$tmp" "$n" "$srcdir/signatures" \
	"$srcdir/tests/ndpi_labels.expected" $regen || status=1

python3 - "$tmp" "$n" <<'PY' || status=1
import json, os, re, struct, sys
tmp, n = sys.argv[1], int(sys.argv[2])
FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
          "orig_bytes", "resp_bytes", "conn_state", "orig_pkts", "orig_ip_bytes",
          "resp_pkts", "resp_ip_bytes", "frag_pkts", "end"]  # vlan, inner_vlan, tunnel: when set
SUMMARY1 = re.compile(r"^ucflow: (\d+) packets read, (\d+) decoded, (\d+) truncated, (\d+) malformed, "
                      r"(\d+) non-IP, (\d+) unsupported link$")
SUMMARY2 = re.compile(r"^ucflow: (\d+) flows written, (\d+) interim records, (\d+) evicted early; "
                      r"(\d+) fragments attributed, (\d+) not attributable$")
OTHER_OK = re.compile(r"^ucflow: (\d+ flows in tunnels beyond|inputs: 0 read, 1 could not be read)")
LATE = re.compile(r"^ucflow: (\d+) TCP packets \(FIN, RST or ACK\) came after their connection was closed")
REASONS = [("not a capture file", "not a readable pcap or pcapng file"),
           ("truncated", "truncated"),
           ("unsupported link type", "unsupported link type")]

def count_records(data):
    """Packets in a pcap or pcapng file, counted without libpcap; None when not a capture,
    (count, complete) otherwise (complete False when the file ends inside a record)."""
    if len(data) < 4:
        return None
    magic = struct.unpack('<I', data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1):
        e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        if len(data) < 24:
            return (0, False)
        off, cnt = 24, 0
        while off + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            if off + 16 + incl > len(data):
                return (cnt, False)
            off += 16 + incl
            cnt += 1
        return (cnt, off == len(data))
    if magic == 0x0a0d0d0a:
        off, cnt, e = 0, 0, '<'
        while off + 12 <= len(data):
            btype = struct.unpack(e + 'I', data[off:off + 4])[0]
            if btype == 0x0a0d0d0a:  # section header: its byte-order magic sets the endianness
                e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
            if blen < 12 or off + blen > len(data):
                return (cnt, False)
            if btype in (2, 3, 6):  # packet, simple packet, enhanced packet blocks
                cnt += 1
            off += blen
        return (cnt, off == len(data))
    return None

fails = []
tot = dict(files=0, read=0, decoded=0, truncated=0, malformed=0, nonip=0, unsupported=0,
           flows=0, pkts_in_flows=0, unattributed=0, tunnelled=0)
rejects = {}
linkfail = []
for i in range(1, n + 1):
    name = open(f"{tmp}/{i}.name").read().rstrip("\n")
    base = os.path.basename(name)
    rc = int(open(f"{tmp}/{i}.rc").read())
    err = open(f"{tmp}/{i}.err", errors="replace").read().splitlines()
    tot["files"] += 1
    problems = []
    if rc not in (0, 1):
        problems.append(f"exit status {rc} (crash or sanitizer report)")
    s1 = s2 = None
    late = 0  # late TCP packets of closed connections: counted, in no flow
    errline = None
    for line in err:
        m = SUMMARY1.match(line)
        if m:
            s1 = [int(x) for x in m.groups()]
            continue
        m = SUMMARY2.match(line)
        if m:
            s2 = [int(x) for x in m.groups()]
            continue
        if OTHER_OK.match(line):
            continue
        m = LATE.match(line)
        if m:
            late = int(m.group(1))
            continue
        if line.startswith(f"ucflow: {name}: ") and errline is None:
            errline = line
            continue
        problems.append(f"unexpected stderr line: {line[:160]!r}")
    if rc == 1:
        if errline is None:
            problems.append("exit 1 without a 'ucflow: FILE: ...' message")
        else:
            reason = next((r for r, pat in REASONS if pat in errline), None)
            if reason is None:
                problems.append(f"exit 1 for an unexpected reason: {errline}")
            else:
                rejects[reason] = rejects.get(reason, 0) + 1
                if reason == "unsupported link type":
                    linkfail.append(errline)
    elif errline is not None:
        problems.append(f"error message with exit 0: {errline}")
    if s1 is None or s2 is None:
        problems.append("summary missing from stderr")
    # the records
    pkts = nrec = ninterim = 0
    finals, interims = set(), set()
    for ln, line in enumerate(open(f"{tmp}/{i}.out", errors="replace"), 1):
        try:
            rec = json.loads(line)
        except ValueError as ex:
            problems.append(f"line {ln} is not JSON ({ex})")
            break
        missing = [k for k in FIELDS if k not in rec]
        if missing:
            problems.append(f"line {ln} lacks {missing}")
            break
        if rec["end"] == "interim":  # a long flow's interval; its counts restart after it
            interims.add(rec["uid"])
            ninterim += 1
        else:
            if rec["uid"] in finals:
                problems.append(f"line {ln}: flow {rec['uid']} ended twice")
            finals.add(rec["uid"])
            nrec += 1
        pkts += rec["orig_pkts"] + rec["resp_pkts"]
        if rec.get("tunnel"):
            tot["tunnelled"] += 1
    if s1 and s2:
        read, decoded, trunc, malf, nonip, unsup = s1
        written, interim, _evicted, _attr, unattr = s2
        if read != decoded + trunc + malf + nonip + unsup:
            problems.append(f"{read} packets read but {decoded}+{trunc}+{malf}+{nonip}+{unsup} counted")
        if pkts != decoded - unattr - late:
            problems.append(f"flows hold {pkts} packets, decoded {decoded} - unattributed {unattr}"
                            f" - late after close {late}")
        if nrec != written:
            problems.append(f"{nrec} final records written, summary says {written} flows")
        if ninterim != interim:
            problems.append(f"{ninterim} interim records written, summary says {interim}")
        if interims - finals:
            problems.append(f"interim records of flows never ended: {sorted(interims - finals)[:3]}")
        held = count_records(open(name, "rb").read())
        if held is not None and rc == 0 and (held[0] != read or not held[1]):
            problems.append(f"the file holds {held[0]} packets (complete: {held[1]}), {read} were read")
        for k, v in zip(("read", "decoded", "truncated", "malformed", "nonip", "unsupported"), s1):
            tot[k] += v
        tot["unattributed"] += unattr
    tot["flows"] += nrec
    tot["pkts_in_flows"] += pkts
    if problems:
        fails.append(base)
        print(f"FAIL {base}: " + "; ".join(problems))

print(f"files {tot['files']}, packets read {tot['read']}: decoded {tot['decoded']}, truncated "
      f"{tot['truncated']}, malformed {tot['malformed']}, non-IP {tot['nonip']}, unsupported link "
      f"{tot['unsupported']}")
print(f"flows {tot['flows']} holding {tot['pkts_in_flows']} packets "
      f"({tot['unattributed']} later fragments unattributable); {tot['tunnelled']} flows in tunnels")
print("rejected files: " + (", ".join(f"{r} {c}" for r, c in sorted(rejects.items())) or "none"))
for line in linkfail:
    print("  " + line)
if fails:
    print(f"FAIL: {len(fails)} of {tot['files']} files")
    sys.exit(1)
print(f"ok: {tot['files']} files")
PY
exit "$status"
