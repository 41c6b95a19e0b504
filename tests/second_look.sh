#!/bin/sh
# second_look.sh - the second look (include/role_defer.h) on the deployment-shaped capture
# pcaps/site.pcap, whose SocialMiner server shows its role only after some of its web flows ended:
#   - every flow gets the label --two-pass gives it (app, service, confidence, reason, rule,
#     candidates), and flows that --no-second-look leaves unlabelled are labelled by it;
#   - each record is written exactly once (uids), the summary counts the held records, the audit
#     report counts every record once, and the IPFIX export carries the final labels (ipfixDump);
#   - --second-look-max bounds the store: records pushed out early are counted, none is lost;
#   - a write error while the held records are written leaves whole records and exit 1.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "second_look: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the records"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-second-look.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
cd "$srcdir" || exit 99
cap=pcaps/site.pcap
U() { "$bin" -S signatures --uid-seed 0 -T json -r "$cap" "$@"; }

U -o "$tmp/sl.json" 2>"$tmp/sl.err"
rc_sl=$?
U --two-pass -o "$tmp/tp.json" 2>/dev/null
U --no-second-look -o "$tmp/one.json" 2>"$tmp/one.err"
[ $rc_sl -eq 0 ] && ok "default run: exit 0" || bad "default run: exit $rc_sl"

# compare.py A B: prints "same", or what differs; also the flows B leaves unlabelled that A labels
cat >"$tmp/compare.py" <<'PY'
import json, sys
def load(p):
    recs = [json.loads(l) for l in open(p)]
    uids = [r["uid"] for r in recs]
    if len(set(uids)) != len(uids):
        print("duplicate uids in", p); sys.exit(2)
    return {r["uid"]: r for r in recs}
a, b = load(sys.argv[1]), load(sys.argv[2])
keys = ("app", "app_service", "confidence", "reason", "rule", "candidates")
lab = lambda r: tuple(json.dumps(r.get(k)) for k in keys)
if set(a) != set(b):
    print("different flows:", len(a), len(b)); sys.exit(1)
diff = [u for u in a if lab(a[u]) != lab(b[u])]
gained = [u for u in diff if a[u].get("app") and not b[u].get("app")]
print(len(a), "records,", len(diff), "labels differ,", len(gained), "labelled only in the first:",
      " ".join(sorted({a[u]["app"] + "/" + a[u]["app_service"] for u in gained})))
sys.exit(0 if not diff else 1)
PY
if out=$(python3 "$tmp/compare.py" "$tmp/sl.json" "$tmp/tp.json"); then
	ok "every flow labelled as --two-pass labels it ($out)"
else
	bad "labels differ from --two-pass: $out"
fi
out=$(python3 "$tmp/compare.py" "$tmp/sl.json" "$tmp/one.json")
case $out in
*" 0 labelled only in the first"*) bad "the second look labelled nothing single pass missed: $out" ;;
*socialminer/http*) ok "labelled by the second look, missed by a single pass: $out" ;;
*) bad "expected SocialMiner web flows labelled by the second look: $out" ;;
esac
held=$(sed -n 's/^ucflow: second look: \([0-9]*\) records held until the end of input, \([0-9]*\) relabelled$/\1 \2/p' "$tmp/sl.err")
set -- $held
if [ $# -eq 2 ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ] && [ "$2" -le "$1" ]; then
	ok "summary: $1 records held, $2 relabelled"
else
	bad "summary line: $(grep 'second look' "$tmp/sl.err")"
fi
nheld=${1:-0}
total=$(wc -l <"$tmp/sl.json")
grep -q "second look" "$tmp/one.err" && bad "--no-second-look: the summary mentions a second look" ||
	ok "--no-second-look: no second look"

# held records are written last, in the order they were held; the others keep the order a single
# pass writes them in; the relabelled records are among the held ones
if out=$(python3 - "$tmp/sl.json" "$tmp/one.json" "$nheld" <<'PY'
import json, sys
sl = [json.loads(l) for l in open(sys.argv[1])]
one = [json.loads(l) for l in open(sys.argv[2])]
n = int(sys.argv[3])
pos = {r["uid"]: i for i, r in enumerate(one)}
head, tail = sl[:len(sl) - n], sl[len(sl) - n:]
inorder = lambda rs: all(pos[a["uid"]] < pos[b["uid"]] for a, b in zip(rs, rs[1:]))
lab = {r["uid"]: r.get("app") for r in one}
changed = {r["uid"] for r in sl if r.get("app") != lab[r["uid"]]}
if not inorder(head) or not inorder(tail) or not changed <= {r["uid"] for r in tail}:
    print("order", inorder(head), inorder(tail), "relabelled outside the held", len(changed - {r["uid"] for r in tail}))
    sys.exit(1)
print(f"{len(head)} records in single-pass order, then the {n} held ones in theirs")
PY
); then ok "order: $out"; else bad "order: $out"; fi

# ---- the report and the IPFIX export see each record once, with its final label ----
U -q -o "$tmp/r.json" --report "$tmp/r.txt" 2>/dev/null
labelled=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("app")))' "$tmp/r.json")
if grep -qE "^    Flow records: +$total\$" "$tmp/r.txt" &&
   grep -qE "^    Labelled flows: +$labelled " "$tmp/r.txt" &&
   grep -qE "^    Second look: +$nheld records held, [0-9]+ relabelled, 0 written early" "$tmp/r.txt"; then
	ok "report: $total flow records once each, $labelled labelled, second look counted"
else
	bad "report counts: $(grep -E '^    (Flow records|Labelled flows|Second look):' "$tmp/r.txt" | tr -s ' ')"
fi
if command -v ipfixDump >/dev/null; then
	if U -q -o "$tmp/x.json" --ipfix "file:$tmp/x.ipfix" 2>/dev/null &&
	   ipfixDump --in "$tmp/x.ipfix" >"$tmp/x.dump" 2>/dev/null &&
	   python3 tests/ipfix_check.py ipfixdump "$tmp/x.json" "$tmp/x.dump" >"$tmp/x.out" 2>&1; then
		ok "IPFIX: every record once, labels as in the JSON records ($(tail -1 "$tmp/x.out"))"
	else
		bad "IPFIX export vs JSON records: $(tail -3 "$tmp/x.out" 2>/dev/null)"
	fi
else
	echo "SKIP ipfixDump: not installed (Debian package libfixbuf-tools)"
fi

# ---- the bound: overflow counted, nothing lost, labels as the roles known when pushed out ----
U --second-look-max 5 -o "$tmp/b.json" 2>"$tmp/b.err"
rc=$?
early=$(sed -n 's/.*; \([0-9]*\) of them written early (more than 5 records held: --second-look-max)$/\1/p' "$tmp/b.err")
if [ $rc -eq 0 ] && [ -n "$early" ] && [ "$early" -eq $((nheld - 5)) ] &&
   [ "$(wc -l <"$tmp/b.json")" -eq "$total" ] &&
   [ "$(sed 's/.*"uid":"\([^"]*\)".*/\1/' "$tmp/b.json" | sort -u | wc -l)" -eq "$total" ]; then
	ok "--second-look-max 5: $early records written early (counted), all $total records once"
else
	bad "--second-look-max 5: exit $rc, early '$early' (expected $((nheld - 5))), $(wc -l <"$tmp/b.json") records"
fi
"$bin" -S signatures -r "$cap" --second-look-max 0 -o /dev/null 2>/dev/null
[ $? -eq 2 ] && ok "--second-look-max 0: exit 2" || bad "--second-look-max 0 accepted"

# ---- a write error while the held records are written: whole records, exit 1 ----
# The file size limit falls inside the held records (the last nheld lines of the full output).
unit=$(sh -c 'ulimit -f 1 && head -c 2048 /dev/zero >"$1"' sh "$tmp/unit" 2>/dev/null; wc -c <"$tmp/unit")
size=$(wc -c <"$tmp/sl.json")
heldbytes=$(tail -n "$nheld" "$tmp/sl.json" | wc -c)
limit=$(( (size - heldbytes / 2) / unit ))
(ulimit -f $limit && exec "$bin" -S signatures --uid-seed 0 -T json -r "$cap" -o "$tmp/lim.json") \
	>/dev/null 2>"$tmp/lim.err"
rc=$?
if python3 - "$tmp/lim.json" "$tmp/lim.err" "$rc" "$((total - nheld))" "$total" <<'PY'
import json, re, sys
path, err, rc, before, total = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
data = open(path, "rb").read()
if data and not data.endswith(b"\n"):
    print("  a cut line at the end:", data[-60:]); sys.exit(1)
lines = data.decode().splitlines()
for l in lines:
    json.loads(l)
m = re.search(r"(\d+) flows written", err)
lost = re.search(r"(\d+) records not written", err)
if rc != 1 or not m or not lost or int(m.group(1)) != len(lines) or int(lost.group(1)) + len(lines) != total:
    print(f"  exit {rc}, summary {m and m.group(0)}, lost {lost and lost.group(0)}, {len(lines)} lines"); sys.exit(1)
if not before < len(lines) < total:
    print(f"  {len(lines)} lines: the limit did not fall inside the held records ({before}..{total})"); sys.exit(1)
print(f"  {len(lines)} whole records on disk ({len(lines) - before} of them held ones), {lost.group(1)} not written")
PY
then ok "write error during the second look: exit 1, whole records, summary = lines"; else bad "write error during the second look"; fi

echo "second_look: $pass passed, $fail failed"
[ $fail -eq 0 ]
