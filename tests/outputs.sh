#!/bin/sh
# outputs.sh - outputs never destroy data and never lie about what they hold:
#   - a write path that is the same file as an input or another output (same name, hard link,
#     symlink, other spelling, stdout redirected onto it) is refused with exit 2, the file intact;
#   - -a appends (a CSV header only once), without -a the file is replaced;
#   - on a full disk (/dev/full) or past a file size limit (ulimit -f) every line on disk is a whole
#     JSON record, the summary counts exactly those lines, and the exit status is 1;
#   - an unwritable --report path fails at once (exit 1), before any packet is read;
#   - interim records (--active-timeout) are counted in the summary;
#   - uids differ between two runs, and --uid-seed N reproduces them.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "outputs: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the records"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-outputs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/  /' "$tmp/err" 2>/dev/null | head -20; }
cd "$srcdir" || exit 99
U() { "$bin" -S "$srcdir/signatures" "$@"; }
cp pcaps/webex-calling.pcap "$tmp/cap.pcap"
sum0=$(cksum <"$tmp/cap.pcap")

# refused NAME ARGS...: exit 2 naming "refusing to overwrite", capture untouched, no summary
refused() {
	name=$1
	shift
	U "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then bad "$name: exit $rc, expected 2"; return; fi
	if ! grep -q "refusing to overwrite" "$tmp/err"; then bad "$name: message"; return; fi
	if [ "$(cksum <"$tmp/cap.pcap")" != "$sum0" ]; then bad "$name: the capture changed"; return; fi
	if grep -q "packets read" "$tmp/err"; then bad "$name: packets were read"; return; fi
	ok "$name: exit 2, $(head -1 "$tmp/err")"
}

# ---- 1. an output that is an input or another output ----
refused "-o same as -r" -r "$tmp/cap.pcap" -o "$tmp/cap.pcap"
ln "$tmp/cap.pcap" "$tmp/hardlink.pcap"
refused "-o a hard link of -r" -r "$tmp/cap.pcap" -o "$tmp/hardlink.pcap"
ln -s cap.pcap "$tmp/symlink.pcap"
refused "-o a symlink to -r" -r "$tmp/cap.pcap" -o "$tmp/symlink.pcap"
mkdir "$tmp/sub"
refused "-o another spelling of -r" -r "$tmp/cap.pcap" -o "$tmp/sub/../cap.pcap"
ln "$tmp/cap.pcap" "$tmp/cap-link.txt"
refused "--report a hard link of -r" -r "$tmp/cap.pcap" -o "$tmp/x.json" --report "$tmp/cap-link.txt"
echo '{"keep":1}' >"$tmp/records.txt"
refused "--report same as -o (existing file)" -r "$tmp/cap.pcap" -o "$tmp/records.txt" \
	--report "$tmp/records.txt"
[ "$(cat "$tmp/records.txt")" = '{"keep":1}' ] || bad "--report same as -o: -o file changed"
refused "--report same as -o (new file, two spellings)" -r "$tmp/cap.pcap" -o "$tmp/new.txt" \
	--report "$tmp/sub/../new.txt"
[ ! -e "$tmp/new.txt" ] || bad "--report same as -o (new file): the file was created"
ln -s new2.txt "$tmp/dangling.txt"
refused "--report through a dangling symlink to -o" -r "$tmp/cap.pcap" -o "$tmp/new2.txt" \
	--report "$tmp/dangling.txt"
cp tests/sites/finesse.site "$tmp/site"
U -T json -r "$tmp/cap.pcap" -o "$tmp/flows.jsonl" 2>/dev/null
ln "$tmp/flows.jsonl" "$tmp/flows-link.txt"
refused "--report a hard link of a --from-json input" --report "$tmp/flows-link.txt" \
	--from-json "$tmp/flows.jsonl"
refused "-o same as --site" --site "$tmp/site" -r "$tmp/cap.pcap" -o "$tmp/site"
cp -r signatures "$tmp/sigs"
"$bin" -S "$tmp/sigs" -r "$tmp/cap.pcap" -o "$tmp/sigs/finesse.sig" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && cmp -s signatures/finesse.sig "$tmp/sigs/finesse.sig"; then
	ok "-o a signature file: exit 2, table intact"
else
	bad "-o a signature file: exit $rc"
fi
U -r "$tmp/cap.pcap" >>"$tmp/cap.pcap" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(cksum <"$tmp/cap.pcap")" = "$sum0" ]; then
	ok "stdout appended onto the -r file: exit 2, capture intact"
else
	bad "stdout appended onto the -r file: exit $rc"
	cp pcaps/webex-calling.pcap "$tmp/cap.pcap"
fi
U -r "$tmp/cap.pcap" -o /dev/null --report "$tmp/r.txt" >/dev/null 2>"$tmp/err" &&
	ok "devices are not files to protect: -o /dev/null with a report is fine" ||
	bad "-o /dev/null refused"

# ---- 2. append ----
nl() { wc -l <"$1" | tr -d ' '; }
U -T json -r "$tmp/cap.pcap" -o "$tmp/a.json" 2>/dev/null
n1=$(nl "$tmp/a.json")
U -T json -r "$tmp/cap.pcap" -o "$tmp/a.json" 2>/dev/null
[ "$(nl "$tmp/a.json")" = "$n1" ] && ok "without -a: the file is replaced ($n1 lines)" ||
	bad "without -a: $(nl "$tmp/a.json") lines, expected $n1"
U -T json -r "$tmp/cap.pcap" -a -o "$tmp/a.json" 2>"$tmp/err"
U -T json -r "$tmp/cap.pcap" --append -o "$tmp/a.json" 2>>"$tmp/err"
if [ "$(nl "$tmp/a.json")" = "$((3 * n1))" ]; then ok "-a twice: $((3 * n1)) lines"; else bad "-a: $(nl "$tmp/a.json") lines, expected $((3 * n1))"; fi
if python3 - "$tmp/a.json" "$n1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
uids = [r["uid"] for r in recs if r.get("end") != "interim"]
sys.exit(0 if len(set(uids)) == len(uids) == len(recs) else 1)
PY
then ok "-a: every line parses, uids unique across the three runs"; else bad "-a: duplicate uids or bad lines"; fi
U -T csv -r "$tmp/cap.pcap" -a -o "$tmp/a.csv" 2>/dev/null
U -T csv -r "$tmp/cap.pcap" -a -o "$tmp/a.csv" 2>/dev/null
if [ "$(grep -c '^ts,uid,' "$tmp/a.csv")" = 1 ] && [ "$(nl "$tmp/a.csv")" = "$((2 * n1 + 1))" ]; then
	ok "-a -T csv: one header, $((2 * n1)) records"
else
	bad "-a -T csv: $(grep -c '^ts,uid,' "$tmp/a.csv") headers, $(nl "$tmp/a.csv") lines"
fi
U -a -r "$tmp/cap.pcap" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok "-a without -o: exit 2" || bad "-a without -o accepted"

# ---- 3. full disk: whole records only, and the summary counts them ----
# check NAME FILE: exit 1, every line whole JSON, "N flows written, M interim" = lines
check_whole() {
	name=$1 file=$2
	if python3 - "$file" "$tmp/err" "$rc" <<'PY'
import json, re, sys
path, err, rc = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3])
data = open(path, "rb").read() if path != "/dev/full" else b""
if data and not data.endswith(b"\n"):
    print("  a cut line at the end:", data[-60:]); sys.exit(1)
lines = data.decode().splitlines()
for l in lines:
    json.loads(l)
m = re.search(r"(\d+) flows written, (\d+) interim records", err)
lost = re.search(r"(\d+) records not written", err)
if rc != 1 or not m or not lost:
    print(f"  exit {rc}, summary {m and m.group(0)}, lost {lost and lost.group(0)}"); sys.exit(1)
if int(m.group(1)) + int(m.group(2)) != len(lines):
    print(f"  summary says {m.group(0)}, the file holds {len(lines)} records"); sys.exit(1)
print(f"  {len(lines)} whole records on disk = summary; {lost.group(1)} not written")
PY
	then ok "$name: exit 1, every line on disk parses, summary = lines"; else bad "$name"; fi
}
if [ -w /dev/full ]; then
	U -T json -r "$tmp/cap.pcap" -o /dev/full >/dev/null 2>"$tmp/err"
	rc=$?
	check_whole "-o /dev/full" /dev/full
	grep -q "0 flows written" "$tmp/err" || bad "-o /dev/full: summary does not say 0 flows written"
else
	echo "note: /dev/full not available"
fi
for fmt in json csv; do
	for big in pcaps/report-day2.pcap pcaps/webex-calling.pcap; do
		rm -f "$tmp/lim.$fmt"
		# 4 to 8 KiB (the shell's ulimit -f unit is 512 or 1024 bytes): a few records fit
		(ulimit -f 8 && exec "$bin" -S "$srcdir/signatures" -T $fmt --active-timeout 1 -r "$big" \
			-o "$tmp/lim.$fmt") >/dev/null 2>"$tmp/err"
		rc=$?
		if [ $fmt = json ]; then
			check_whole "ulimit -f, -T json, $(basename "$big")" "$tmp/lim.json"
		elif [ $rc -eq 1 ] && [ "$(tail -c 1 "$tmp/lim.csv" | od -An -c | tr -d ' ')" = '\n' ]; then
			ok "ulimit -f, -T csv, $(basename "$big"): exit 1, ends with a whole line"
		else
			bad "ulimit -f, -T csv: exit $rc or a cut line"
		fi
	done
done

# ---- 4. an unwritable report fails before reading anything ----
: >"$tmp/plain"
for r in /proc/ucflow-no-such-dir/r.txt "$tmp/plain/r.txt" "$tmp/no-dir/r.html"; do
	U -r "$tmp/cap.pcap" -o "$tmp/never.json" --report "$r" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "cannot write $r" "$tmp/err" && ! grep -q "packets read" "$tmp/err" &&
	   [ ! -e "$tmp/never.json" ]; then
		ok "--report $r: exit 1 at once ($(head -1 "$tmp/err"))"
	else
		bad "--report $r: exit $rc, or packets were read / -o was opened first"
	fi
done
# with -Z the report is written as USER: a directory only root may write fails at once too
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$tmp/rootonly" && chmod 700 "$tmp/rootonly" && chmod 755 "$tmp"
	U -r "$tmp/cap.pcap" -Z nobody -o /dev/null --report "$tmp/rootonly/r.txt" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "cannot write $tmp/rootonly/r.txt: Permission denied" "$tmp/err" &&
	   ! grep -q "packets read" "$tmp/err"; then
		ok "-Z nobody --report in a root-only directory: exit 1 before reading"
	else
		bad "-Z nobody --report in a root-only directory: exit $rc"
	fi
else
	echo "note: not root or no user nobody: the -Z report check is not run"
fi
mkdir "$tmp/adir.txt"
U -r "$tmp/cap.pcap" -o /dev/null --report "$tmp/adir.txt" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ! grep -q "packets read" "$tmp/err" && ok "--report a directory: exit 1 at once" ||
	bad "--report a directory: exit $rc"

# ---- 5. interim records in the summary ----
U -T json --active-timeout 1 -r pcaps/report-day2.pcap >"$tmp/out" 2>"$tmp/err"
ni=$(grep -c '"end":"interim"' "$tmp/out")
nf=$(grep -vc '"end":"interim"' "$tmp/out")
if [ "$ni" -gt 0 ] && grep -q "ucflow: $nf flows written, $ni interim records" "$tmp/err"; then
	ok "interim records counted: $nf flows written, $ni interim records"
else
	bad "interim records: $nf final and $ni interim lines, summary: $(grep written "$tmp/err")"
fi

# ---- 6. uids: unique across runs, reproducible with --uid-seed ----
uids() { sed -n 's/.*"uid":"\([^"]*\)".*/\1/p' "$1" | sort -u; }
U -T json -r "$tmp/cap.pcap" >"$tmp/run1" 2>/dev/null
U -T json -r "$tmp/cap.pcap" >"$tmp/run2" 2>/dev/null
uids "$tmp/run1" >"$tmp/run1.u"
uids "$tmp/run2" >"$tmp/run2.u"
common=$(comm -12 "$tmp/run1.u" "$tmp/run2.u" | wc -l)
n=$(wc -l <"$tmp/run1.u")
[ "$n" -gt 0 ] && [ "$common" -eq 0 ] &&
	ok "two runs: $n uids each, none in common" || bad "two runs share uids"
U -T json --uid-seed 42 -r "$tmp/cap.pcap" >"$tmp/s1" 2>/dev/null
U -T json --uid-seed 42 -r "$tmp/cap.pcap" >"$tmp/s2" 2>/dev/null
U -T json --uid-seed 43 -r "$tmp/cap.pcap" >"$tmp/s3" 2>/dev/null
uids "$tmp/s3" >"$tmp/s3.u"
if [ -s "$tmp/s1" ] && cmp -s "$tmp/s1" "$tmp/s2" && [ "$(uids "$tmp/s1" | comm -12 - "$tmp/s3.u" | wc -l)" -eq 0 ]; then
	ok "--uid-seed 42 twice: identical records; seed 43: other uids"
else
	bad "--uid-seed: not reproducible, or seeds 42 and 43 share uids"
fi
U -T json -v -r "$tmp/cap.pcap" >"$tmp/v1" 2>"$tmp/err"
seed=$(sed -n 's/^ucflow: uid seed \([0-9]*\) .*/\1/p' "$tmp/err")
U -T json --uid-seed "$seed" -r "$tmp/cap.pcap" >"$tmp/v2" 2>/dev/null
[ -n "$seed" ] && cmp -s "$tmp/v1" "$tmp/v2" && ok "-v names the random seed; --uid-seed with it repeats the run" ||
	bad "-v seed does not reproduce the run"

echo "outputs: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
