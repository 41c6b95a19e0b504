#!/bin/sh
# regen-pcaps.sh - build ucflow-synth from the repo sources (or use a given binary) and regenerate pcaps/*.pcap.
#
# usage: tools/regen-pcaps.sh [--check] [PATH/TO/ucflow-synth]
#   Without a path, the synthesizer is compiled with $CC (default gcc) into a temporary
#   directory; nothing is built inside the source tree.
#   --check  regenerate into a temporary directory and compare with the checked-in captures
#            (exit 1 if any differs or is missing): proves the captures are up to date and the
#            generator is deterministic.
# Every pcaps/NAME.scn gives pcaps/NAME.pcap (NAME.pcapng for a scenario with `format pcapng`).
set -eu

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
if [ $# -gt 1 ]; then
	echo "usage: $0 [--check] [PATH/TO/ucflow-synth]" >&2
	exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -eq 1 ]; then
	synth=$1
else
	cc=${CC:-gcc}
	if pkg-config --exists libpcap 2>/dev/null; then
		pcap_cflags=$(pkg-config --cflags libpcap)
		pcap_libs=$(pkg-config --libs libpcap)
	elif command -v pcap-config >/dev/null 2>&1; then
		pcap_cflags=$(pcap-config --cflags)
		pcap_libs=$(pcap-config --libs)
	else
		pcap_cflags=
		pcap_libs=-lpcap
	fi
	synth=$tmp/ucflow-synth
	# shellcheck disable=SC2086
	"$cc" -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -O2 $pcap_cflags -I"$top/tools" \
		-o "$synth" "$top"/tools/ucflow-synth.c "$top"/tools/synth_*.c $pcap_libs
fi

status=0
for scn in "$top"/pcaps/*.scn; do
	name=$(basename "$scn" .scn)
	# a scenario that writes pcapng (`format pcapng`) gives NAME.pcapng
	ext=pcap
	grep -q '^format[[:space:]][[:space:]]*pcapng' "$scn" && ext=pcapng
	if [ $check -eq 1 ]; then
		"$synth" "$scn" "$tmp/$name.$ext" >/dev/null
		if ! cmp -s "$tmp/$name.$ext" "$top/pcaps/$name.$ext"; then
			echo "pcaps/$name.$ext: out of date (regenerate with tools/regen-pcaps.sh)" >&2
			status=1
		fi
	else
		"$synth" "$scn" "$top/pcaps/$name.$ext"
	fi
done
[ $check -eq 1 ] && [ $status -eq 0 ] && echo "all captures up to date"
exit $status
