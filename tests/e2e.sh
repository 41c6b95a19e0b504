#!/bin/sh
# e2e.sh - table-driven end-to-end tests: run the ucflow binary on each row of tests/e2e.tsv and
# compare its stdout, stderr and exit status with tests/expected/NAME.{out,err,rc}.
# UPDATE=1 rewrites the expectations instead (see tools/regen-expected.sh): review the diff.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
table="$srcdir/tests/e2e.tsv"
exp="$srcdir/tests/expected"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

[ -x "$bin" ] || { echo "e2e: no ucflow binary at $bin"; exit 99; }

pass=0 fail=0
# columns: name <TAB> arguments (relative to the source tree; -S signatures and --uid-seed 0 are
# added: uids are random per run otherwise, and seed 0 keeps the creation-order uids of before)
while IFS='	' read -r name args; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086 # the table holds whole argument lists
	(cd "$srcdir" && eval "\"\$bin\" -S signatures --uid-seed 0 $args") >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
	if [ "${UPDATE:-0}" = 1 ]; then
		for k in out err rc; do cp "$tmp/$k" "$exp/$name.$k"; done
		echo "updated: $name"
		continue
	fi
	ok=1
	for k in rc out err; do
		if [ ! -f "$exp/$name.$k" ]; then
			echo "FAIL $name: missing expectation $exp/$name.$k"
			ok=0
		elif ! cmp -s "$exp/$name.$k" "$tmp/$k"; then
			echo "FAIL $name: $k differs from tests/expected/$name.$k:"
			diff -u "$exp/$name.$k" "$tmp/$k" | head -40
			ok=0
		fi
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); fi
done <"$table"

[ "${UPDATE:-0}" = 1 ] && exit 0
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
