#!/bin/sh
# badinput.sh - bad input loses nothing: a capture cut off mid-record still writes every flow seen
# before the cut, then fails (exit 1) naming the file; files that are not captures, are empty,
# stop inside the file header or use a link type ucflow does not decode fail with one clear line,
# and the run goes on with the next input (exit 1 at the end; --stop-on-error stops there);
# an output that cannot be written (/dev/full) fails (exit 1) instead of succeeding silently.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=${UCFLOW:-./ucflow}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to build the captures"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-badinput.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# Captures: 10 one-packet UDP flows (and a pcapng twin), then cut variants.
python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]

def frame(i):
    payload = b"x" * 20
    udp = struct.pack(">HHHH", 40000 + i, 5060, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 1, i])) + udp
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip

def pcap(frames, linktype=1):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out

def pcapng(frames, ifaces=(1,), ifof=lambda i: 0):
    def block(t, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    out = block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))
    for lt in ifaces:
        out += block(1, struct.pack("<HHI", lt, 0, 65535))
    for i, f in enumerate(frames):
        ts = (1700000000 + i) * 1000000
        out += block(6, struct.pack("<IIIII", ifof(i), ts >> 32, ts & 0xffffffff, len(f), len(f)) + f)
    return out

frames = [frame(i) for i in range(11)]
full = pcap(frames)
open(f"{d}/ok.pcap", "wb").write(full)
# cut in the middle of the 11th record's data, and in the middle of its record header
last = len(full) - len(frames[10]) - 16
open(f"{d}/cut-data.pcap", "wb").write(full[:last + 16 + 10])
open(f"{d}/cut-header.pcap", "wb").write(full[:last + 7])
ng = pcapng(frames)
open(f"{d}/ok.pcapng", "wb").write(ng)
open(f"{d}/cut.pcapng", "wb").write(ng[:len(ng) - 30])
open(f"{d}/header-only.pcap", "wb").write(pcap([]))
open(f"{d}/short-header.pcap", "wb").write(full[:13])
open(f"{d}/empty.pcap", "wb").write(b"")
open(f"{d}/text.pcap", "wb").write(b"This is not a capture file.\n" * 4)
open(f"{d}/usb.pcap", "wb").write(pcap([b"\0" * 48], linktype=189))
# pcapng: Ethernet and USB interfaces (every third packet on USB), and USB alone
open(f"{d}/eth-usb.pcapng", "wb").write(pcapng(frames, (1, 189), lambda i: 1 if i % 3 == 2 else 0))
open(f"{d}/usb.pcapng", "wb").write(pcapng([b"\0" * 48], (189,)))
PY

# expect NAME STATUS RECORDS MESSAGE-PATTERN [ucflow arguments...]
expect() {
	name=$1 want_rc=$2 want_n=$3 pat=$4
	shift 4
	"$bin" -S "$srcdir/signatures" -T json "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$(grep -c '^{' "$tmp/out")
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $name: exit $rc, expected $want_rc"; sed 's/^/  /' "$tmp/err"; fail=1; return
	fi
	if [ "$n" -ne "$want_n" ]; then
		echo "FAIL $name: $n flow records, expected $want_n"; fail=1; return
	fi
	if [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/err"; then
		echo "FAIL $name: stderr lacks '$pat':"; sed 's/^/  /' "$tmp/err"; fail=1; return
	fi
	if [ "$want_rc" -ne 0 ] && [ "$(grep -c -v -e 'packets read' -e 'flows written' -e 'ucflow: inputs: ' "$tmp/err")" -ne 1 ]; then
		echo "FAIL $name: expected exactly one error line:"; sed 's/^/  /' "$tmp/err"; fail=1; return
	fi
	if grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"; then
		echo "FAIL $name: sanitizer report"; fail=1; return
	fi
	echo "ok   $name: exit $rc, $n records"
}

t=$tmp
expect "complete pcap" 0 11 "" -r "$t/ok.pcap"
expect "complete pcapng" 0 11 "" -r "$t/ok.pcapng"
expect "pcap cut inside a record" 1 10 "ucflow: $t/cut-data.pcap: truncated" -r "$t/cut-data.pcap"
expect "pcap cut inside a record header" 1 10 "ucflow: $t/cut-header.pcap: truncated" \
	-r "$t/cut-header.pcap"
expect "pcapng cut inside a block" 1 10 "ucflow: $t/cut.pcapng: " -r "$t/cut.pcapng"
# the same flows again (same addresses and ports): 11 flows holding 11 + 10 packets
expect "cut capture after a good one" 1 11 "ucflow: $t/cut-data.pcap: truncated" \
	-r "$t/ok.pcap" -r "$t/cut-data.pcap"
pk=$(python3 -c 'import json,sys; print(sum(json.loads(l)["orig_pkts"] for l in open(sys.argv[1])))' \
	"$tmp/out")
[ "$pk" = 21 ] || { echo "FAIL cut capture after a good one: $pk packets in flows, expected 21"; fail=1; }
expect "cut capture on stdin" 1 10 "ucflow: -: truncated" -r - <"$t/cut-data.pcap"
expect "header only" 0 0 "" -r "$t/header-only.pcap"
expect "file header cut" 1 0 "ucflow: $t/short-header.pcap: not a readable pcap" \
	-r "$t/short-header.pcap"
expect "empty file" 1 0 "ucflow: $t/empty.pcap: not a readable pcap" -r "$t/empty.pcap"
expect "text file" 1 0 "ucflow: $t/text.pcap: not a readable pcap" -r "$t/text.pcap"
expect "missing file" 1 0 "ucflow: $t/nonexistent.pcap: No such file" -r "$t/nonexistent.pcap"
expect "unsupported link type" 1 0 \
	"ucflow: $t/usb.pcap: unsupported link type 189 (USB with Linux header)" -r "$t/usb.pcap"
expect "pcapng of one unsupported link type" 1 0 \
	"ucflow: $t/usb.pcapng: unsupported link type 189 (USB with Linux header)" -r "$t/usb.pcapng"
# the USB interface's 3 packets are counted, the Ethernet interface's 8 decoded
expect "pcapng with an Ethernet and a USB interface" 0 8 "" -r "$t/eth-usb.pcapng"
grep -q "11 packets read, 8 decoded, .* 3 unsupported link" "$tmp/err" ||
	{ echo "FAIL pcapng with an Ethernet and a USB interface: summary"; cat "$tmp/err"; fail=1; }
# a filter that cannot apply to USB passes none of its packets, and the Ethernet ones it matches
expect "pcapng of two link types, filtered" 0 8 "" -r "$t/eth-usb.pcapng" udp
expect "pcapng, a filter that compiles for no interface" 2 0 "bad filter expression" \
	-r "$t/eth-usb.pcapng" "udp and"
expect "good file, then a text file" 1 11 "ucflow: $t/text.pcap: not a readable pcap" \
	-r "$t/ok.pcap" -r "$t/text.pcap"

# An unreadable input between two good ones is reported and skipped: both good files are read
# (11 flows holding 22 packets), the exit status is 1, and the summary counts the failure. With
# --stop-on-error the run ends at it, as before. Both the reader thread and the synchronous loop.
sum_pkts() { python3 -c 'import json,sys; print(sum(json.loads(l)["orig_pkts"] for l in open(sys.argv[1])))' "$tmp/out"; }
for mode in 1 0; do
	UCFLOW_READER_THREAD=$mode
	export UCFLOW_READER_THREAD
	for bad in text.pcap nonexistent.pcap usb.pcap cut-data.pcap; do
		expect "bad input between two good ones ($bad, reader thread $mode)" 1 11 \
			"ucflow: $t/$bad: " -r "$t/ok.pcap" -r "$t/$bad" -r "$t/ok.pcapng"
		want=22
		[ $bad = cut-data.pcap ] && want=32
		pk=$(sum_pkts)
		if [ "$pk" = $want ] && grep -q "ucflow: inputs: 2 read, 1 could not be read" "$tmp/err"; then
			echo "ok   ... both good files read ($pk packets in flows), failure counted"
		else
			echo "FAIL bad input between two good ones ($bad): $pk packets in flows, expected $want"
			sed 's/^/  /' "$tmp/err"; fail=1
		fi
	done
	expect "--stop-on-error (reader thread $mode)" 1 11 "ucflow: $t/text.pcap: not a readable" \
		--stop-on-error -r "$t/ok.pcap" -r "$t/text.pcap" -r "$t/ok.pcapng"
	pk=$(sum_pkts)
	[ "$pk" = 11 ] || { echo "FAIL --stop-on-error read $pk packets, expected 11 (stop at the bad file)"; fail=1; }
done
unset UCFLOW_READER_THREAD
# The report lists the failure with its reason, beside the inputs that were read.
"$bin" -S "$srcdir/signatures" -q -r "$t/ok.pcap" -r "$t/text.pcap" -r "$t/ok.pcapng" -o /dev/null \
	--report "$t/r.txt" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "FAILED: capture $t/text.pcap: not a readable pcap" "$t/r.txt" &&
   grep -q "read: capture $t/ok.pcapng" "$t/r.txt"; then
	echo "ok   the report names the failed input and its reason"
else
	echo "FAIL the report does not list the failed input (exit $rc)"; fail=1
fi

# The records written before a cut are the same as the complete file's first ten.
"$bin" -S "$srcdir/signatures" -T json --uid-seed 7 -r "$t/ok.pcap" 2>/dev/null |
	grep -v '"id.orig_p":40010' >"$t/ten.json"
"$bin" -S "$srcdir/signatures" -T json --uid-seed 7 -r "$t/cut-data.pcap" >"$t/cut.json" 2>/dev/null
if cmp -s "$t/ten.json" "$t/cut.json"; then
	echo "ok   records before the cut equal the complete file's"
else
	echo "FAIL records before the cut differ from the complete file's"; fail=1
fi

# An output that cannot be written is an error, not a silent success; in every format.
if [ -w /dev/full ]; then
	for fmt in json csv text; do
		"$bin" -S "$srcdir/signatures" -T "$fmt" -r "$t/ok.pcap" -o /dev/full \
			>/dev/null 2>"$t/err"
		rc=$?
		if [ $rc -eq 1 ] && grep -q -i "no space left" "$t/err"; then
			echo "ok   -T $fmt -o /dev/full: exit 1, $(grep -i 'no space' "$t/err" | head -1)"
		else
			echo "FAIL -T $fmt -o /dev/full: exit $rc"; sed 's/^/  /' "$t/err"; fail=1
		fi
	done
	"$bin" -S "$srcdir/signatures" -T json -r "$t/ok.pcap" >/dev/full 2>"$t/err"
	rc=$?
	if [ $rc -eq 1 ]; then
		echo "ok   stdout on /dev/full: exit 1"
	else
		echo "FAIL stdout on /dev/full: exit $rc"; fail=1
	fi
else
	echo "note: /dev/full not available, output errors not tested"
fi
exit $fail
