#!/bin/sh
# options.sh - tcpdump's and Zeek's habits on the command line: options after the BPF filter (GNU
# getopt permutation), -n accepted, -v adding detail to the summary, standard input given twice and
# a zero idle timeout refused (exit 2), JSON without its unset fields (Zeek's habit; the
# --json-all-fields form has every CSV column), and a binary outside the build tree never taking
# the source tree's signature tables in place of its configured directory.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "options: no ucflow binary at $bin"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-options.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/  /' "$tmp/err" 2>/dev/null | head -20; }
cd "$srcdir" || exit 99
cap=pcaps/webex-calling.pcap

# run NAME WANT-RC ARGS...: stdout in $tmp/out, stderr in $tmp/err
run() {
	name=$1 want=$2
	shift 2
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then return 0; fi
	bad "$name: exit $rc, expected $want"
	return 1
}

# ---- options after the filter: the same records as with the filter last ----
"$bin" -S signatures --uid-seed 1 -T json -r $cap udp and port 5004 >"$tmp/last" 2>/dev/null
if run "options after the filter" 0 -S signatures -r $cap 'udp and port 5004' -T json --uid-seed 1; then
	if [ -s "$tmp/last" ] && cmp -s "$tmp/last" "$tmp/out"; then
		ok "options after the filter: -r x 'udp and port 5004' -T json = filter last ($(wc -l <"$tmp/out") records)"
	else
		bad "options after the filter: records differ from the filter-last run"
	fi
fi
if run "options between filter words" 0 -S signatures udp -T text and -r $cap port 5004; then
	if head -1 "$tmp/out" | grep -q '^time ' && [ "$(wc -l <"$tmp/out")" -eq "$(($(wc -l <"$tmp/last") + 1))" ]; then
		ok "options between filter words: text table with the same flows"
	else
		bad "options between filter words: unexpected output"
	fi
fi
# "--" still ends the options: what follows is filter text, even when it looks like an option
run "-- ends the options" 2 -S signatures -r $cap -- -T text &&
	grep -q "bad filter expression '-T text'" "$tmp/err" && ok "-- ends the options: '-T text' is filter text (exit 2)" ||
	{ [ "$rc" -eq 2 ] && bad "-- ends the options: message"; }

# ---- -n and -v ----
if run "-n accepted" 0 -S signatures -n -T json -r $cap; then
	if grep -q '"uid"' "$tmp/out"; then ok "-n accepted (exit 0, records written)"; else bad "-n: no records"; fi
fi
if run "-v" 0 -S signatures -v -T json -r $cap; then
	if grep -q "ucflow: input $cap: " "$tmp/err" && grep -q "ucflow: records by end:" "$tmp/err" &&
	   grep -q "ucflow: uid seed " "$tmp/err"; then
		ok "-v: per-input line, records by end, uid seed"
	else
		bad "-v: summary lacks the detail lines"
	fi
fi
"$bin" -S signatures -T json -r $cap >/dev/null 2>"$tmp/plain"
if ! grep -q "records by end" "$tmp/plain"; then ok "without -v: no detail lines"; else bad "detail lines without -v"; fi

# ---- refused with exit 2 ----
run "-r - twice" 2 -S signatures -r - -r - </dev/null &&
	grep -q "standard input can be read only once" "$tmp/err" && ok "-r - -r -: exit 2, $(cat "$tmp/err")"
run "--idle-timeout 0" 2 -S signatures --idle-timeout 0 -r $cap &&
	grep -q "idle-timeout" "$tmp/err" && ok "--idle-timeout 0: exit 2, $(cat "$tmp/err")"
run "--idle-timeout udp=0" 2 -S signatures --idle-timeout tcp=5,udp=0 -r $cap &&
	ok "--idle-timeout tcp=5,udp=0: exit 2"
[ ! -s "$tmp/out" ] || bad "--idle-timeout 0 wrote records"

# ---- JSON leaves unset fields out, as Zeek does; --json-all-fields keeps them; CSV keeps all ----
"$bin" -S signatures --uid-seed 3 -T json -r $cap >"$tmp/compact.json" 2>/dev/null
"$bin" -S signatures --uid-seed 3 -T json --json-all-fields -r $cap >"$tmp/all.json" 2>/dev/null
"$bin" -S signatures --uid-seed 3 -T csv -r $cap >"$tmp/all.csv" 2>/dev/null
if python3 - "$tmp/compact.json" "$tmp/all.json" "$tmp/all.csv" <<'PY'
import csv, json, sys
compact = [json.loads(l) for l in open(sys.argv[1])]
full = [json.loads(l) for l in open(sys.argv[2])]
cols = next(csv.reader(open(sys.argv[3])))
assert compact and len(compact) == len(full)
for c, f in zip(compact, full):
    assert list(f) == cols, "--json-all-fields: not every CSV column"
    for k, v in f.items():
        if k in c:
            assert c[k] == v and v not in (None, "", []), k
        else:
            assert v in (None, "", []), "%s=%r left out" % (k, v)
    assert list(c) == [k for k in f if k in c], "order"
a = sum(len(json.dumps(x, separators=(",", ":"))) for x in compact) / len(compact)
b = sum(len(json.dumps(x, separators=(",", ":"))) for x in full) / len(full)
print("  %d records: %.0f B on average with every field, %.0f B without the unset ones" % (len(full), b, a))
PY
then ok "JSON omits only unset fields (null, \"\", []); --json-all-fields has every CSV column"
else bad "JSON field omission"; fi
# the report reads both forms alike
"$bin" -S signatures --report "$tmp/c.txt" --from-json "$tmp/compact.json" 2>"$tmp/err" &&
"$bin" -S signatures --report "$tmp/a.txt" --from-json "$tmp/all.json" 2>>"$tmp/err" &&
	[ "$(grep -v 'flow records' "$tmp/c.txt")" = "$(grep -v 'flow records' "$tmp/a.txt")" ] &&
	[ -s "$tmp/c.txt" ] && ok "--from-json: the same report from either form (but the input names)" ||
	bad "--from-json differs between the compact and the full form"

# ---- signature tables: a binary outside the build tree uses its configured directory only ----
sigdir=$("$bin" --help | sed -n 's/.*installed tables: \(.*\))$/\1/p')
cp "$bin" "$tmp/ucflow-copy"
if [ -z "$sigdir" ]; then
	bad "--help does not name the installed tables' directory"
elif [ -d "$sigdir" ]; then
	echo "note: $sigdir exists on this machine: the fallback test needs it absent (skipped)"
else
	env -u UCFLOW_SIGNATURES "$tmp/ucflow-copy" --check-signatures >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "$sigdir" "$tmp/err"; then
		ok "installed-style binary: no source-tree fallback (exit 2, names $sigdir)"
	else
		bad "installed-style binary: exit $rc, expected 2 naming $sigdir"
	fi
	env -u UCFLOW_SIGNATURES "$bin" --check-signatures >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 0 ] && ok "build-tree binary: falls back to the source tree's tables" ||
		bad "build-tree binary: no fallback"
fi

echo "options: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
