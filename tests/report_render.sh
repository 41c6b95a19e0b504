#!/bin/sh
# report_render.sh - renders the HTML audit report in headless Chromium to a PNG and checks that it
# renders (a PNG of a non-trivial size, no renderer crash). Installs Debian's `chromium` with apt-get
# when running as root and it is missing; skips (77) with a message where it cannot be had.
# KEEP=DIR keeps the HTML and the PNG in DIR for a look.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
[ -x "$bin" ] || { echo "report_render: no ucflow binary at $bin"; exit 99; }

find_chromium() {
	for c in chromium chromium-browser google-chrome; do
		command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
	done
	return 1
}
chrome=$(find_chromium)
if [ -z "$chrome" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "report_render: installing chromium with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		timeout 900 apt-get install -y -qq chromium >/dev/null 2>&1 ||
			{ timeout 300 apt-get update -qq >/dev/null 2>&1 &&
			  timeout 900 apt-get install -y -qq chromium >/dev/null 2>&1; }
		chrome=$(find_chromium)
	fi
	[ -n "$chrome" ] || { echo "SKIP: chromium is not installed and cannot be installed here (needs root, apt-get and the network)"; exit 77; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-render.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$srcdir" || exit 99
"$bin" -S signatures --site tests/sites/report-findings.site -r pcaps/report-findings.pcap \
	-r pcaps/report-day2.pcap -q -o /dev/null --report "$tmp/report.html" || { echo "FAIL: ucflow"; exit 1; }

fail=0
for size in 1280,2000 800,1200; do
	png="$tmp/report-$size.png"
	# --virtual-time-budget lets the page settle; stderr holds Chromium's chatter (D-Bus etc.)
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile" --virtual-time-budget=2000 --screenshot="$png" \
		--window-size="$size" "file://$tmp/report.html" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	bytes=$(wc -c <"$png" 2>/dev/null || echo 0)
	if [ $rc -ne 0 ] || [ "$bytes" -lt 20000 ] || grep -qiE 'crash|Aw, Snap|renderer.*(killed|exited)' "$tmp/err"; then
		echo "FAIL: render at $size: exit $rc, $bytes bytes"
		tail -5 "$tmp/err"
		fail=1
	elif ! head -c 8 "$png" | od -An -c | grep -q 'P   N   G'; then
		echo "FAIL: $png is not a PNG"
		fail=1
	else
		echo "ok   rendered at $size: $bytes-byte PNG"
	fi
done
if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP" && cp "$tmp"/*.png "$tmp/report.html" "$KEEP"/ && echo "kept in $KEEP"
fi
exit $fail
