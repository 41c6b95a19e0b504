#!/bin/sh
# synth.sh - the capture synthesizer: every pcaps/*.pcap is what its .scn gives (deterministic,
# up to date), `for` loops expand as documented (flow list of --flows), scenario errors in loops
# are FILE:LINE: message with exit 2, and the DTLS builders give records ucflow recognises.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
synth=${UCFLOW_SYNTH:-$(dirname "$bin")/tools/ucflow-synth}
[ -x "$synth" ] || { echo "synth: no ucflow-synth at $synth (make builds it)"; exit 99; }
[ -x "$bin" ] || { echo "synth: no ucflow binary at $bin"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-synth.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if sh "$srcdir/tools/regen-pcaps.sh" --check "$synth" >"$tmp/out" 2>&1; then
	ok "every pcaps/*.pcap is what its .scn gives"
else
	bad "regen-pcaps.sh --check:"; cat "$tmp/out"
fi

# for loops: bounds from outer variables, negative step, ${EXPR} with precedence and parentheses
cat >"$tmp/loop.scn" <<'SCN'
start 2025-04-01T09:00:00Z
for n 0 1
for i 1+2*n 2+2*n
host h${i} 10.2.${n}.${(i+1)%2*100+i*10}
flow f${i} udp h${i}:${5000+i*2-1} -> 10.1.0.${9-i}:53
f${i} > dns-query name=h${i}.example.com
endfor
endfor
for k 3 1 -2
flow g${k} tcp 10.3.0.${k}:${40000+k} -> 10.1.0.1:${k*(2+3)}
g${k} handshake
endfor
SCN
printf '%s\n' '# name	proto	client	client_port	server	server_port' \
	'f1	udp	10.2.0.10	5001	10.1.0.8	53' \
	'f2	udp	10.2.0.120	5003	10.1.0.7	53' \
	'f3	udp	10.2.1.30	5005	10.1.0.6	53' \
	'f4	udp	10.2.1.140	5007	10.1.0.5	53' \
	'g3	tcp	10.3.0.3	40003	10.1.0.1	15' \
	'g1	tcp	10.3.0.1	40001	10.1.0.1	5' >"$tmp/loop.expected"
if "$synth" --flows "$tmp/loop.tsv" "$tmp/loop.scn" "$tmp/loop.pcap" >/dev/null 2>"$tmp/err" &&
	cmp -s "$tmp/loop.expected" "$tmp/loop.tsv"; then
	ok "for loops expand as documented (--flows list)"
else
	bad "for loops:"; cat "$tmp/err"; diff "$tmp/loop.expected" "$tmp/loop.tsv" 2>&1 | head
fi

# errors: FILE:LINE: message, exit 2, no output file left behind
err_case() { # name expected-message scenario-text
	printf '%s\n' "$3" >"$tmp/e.scn"
	rm -f "$tmp/e.pcap"
	"$synth" "$tmp/e.scn" "$tmp/e.pcap" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF "$2" "$tmp/err" && [ ! -e "$tmp/e.pcap" ]; then
		ok "error: $1"
	else
		bad "error: $1 (exit $rc, expected 2 and \`$2\`)"; cat "$tmp/err"
	fi
}
err_case "unknown loop variable" "e.scn:2: unknown loop variable \`j\`" "$(printf 'for i 1 2\nhost a${j} 10.0.0.1\nendfor')"
err_case "for without endfor" "e.scn:1: \`for\` without \`endfor\`" "$(printf 'for i 1 2\nhost a${i} 10.0.0.${i}')"
err_case "endfor without for" "e.scn:1: \`endfor\` without \`for\`" "endfor"
err_case "step 0" "e.scn:1: for loop step 0" "$(printf 'for i 1 2 0\nendfor')"
err_case "division by zero" "e.scn:2: division by zero" "$(printf 'for i 0 1\nhost a${i} 10.0.0.${1/i}\nendfor')"
err_case "unclosed \${" "e.scn:2: missing \`}\`" "$(printf 'for i 0 1\nhost a${i 10.0.0.1\nendfor')"
err_case "bad expression" "e.scn:2: bad expression" "$(printf 'for i 0 1\nhost a${i+} 10.0.0.1\nendfor')"
err_case "repeat crossing a loop" "\`end\` without \`repeat\`" "$(printf 'repeat 2\nfor i 0 1\nend\nendfor')"

# DTLS-SRTP handshake: ucflow sees DTLS on the flow
cat >"$tmp/dtls.scn" <<'SCN'
start 2025-04-01T09:00:00Z
flow m udp 10.2.0.21:54421 -> 10.1.0.43:10000
m > dtls-client-hello
m < dtls-server-hello cn=meetings.example.com
m > dtls-client-finished
m < dtls-server-finished
SCN
if "$synth" "$tmp/dtls.scn" "$tmp/dtls.pcap" >/dev/null 2>"$tmp/err" &&
	"$bin" -q -S "$srcdir/signatures" -r "$tmp/dtls.pcap" -T json >"$tmp/dtls.json" 2>>"$tmp/err" &&
	grep -q '"payload_proto":"dtls"' "$tmp/dtls.json"; then
	ok "dtls-* builders give DTLS that ucflow recognises"
else
	bad "dtls builders:"; cat "$tmp/err" "$tmp/dtls.json" 2>/dev/null
fi
err_case "dtls on tcp" "dtls-client-hello needs a udp flow" "$(printf 'flow t tcp 10.0.0.1:1 -> 10.0.0.2:2\nt > dtls-client-hello')"

echo "synth: $pass passed, $fail failed"
[ $fail -eq 0 ]
