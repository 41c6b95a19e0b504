#!/bin/sh
# report_render.sh - renders the HTML audit report in headless Chromium to a PNG and checks that it
# renders (a PNG of a non-trivial size, no renderer crash); then, for flow records spanning an hour,
# two days, a year and ten years, measures the time axis in the rendered page (the labels' bounding boxes):
# no two tick labels overlap, none leaves the chart, at most 16 ticks, dates with the year. Installs Debian's `chromium` with apt-get
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

# ---- time axes over an hour, a year and ten years: measured in the rendered page ----
# The report has no script; the test appends one that measures every x-axis tick label
# (class tick-x) and writes the result into an attribute that --dump-dom shows.
cat >"$tmp/measure.js" <<'JS'
<script>
(function () {
  var out = [];
  var svgs = document.querySelectorAll("svg");
  for (var s = 0; s < svgs.length; s++) {
    var ticks = Array.prototype.slice.call(svgs[s].querySelectorAll("text.tick-x"));
    if (!ticks.length) continue;
    var sb = svgs[s].getBoundingClientRect();
    var boxes = ticks.map(function (t) { var b = t.getBoundingClientRect();
      return { l: b.left, r: b.right, w: b.width, text: t.textContent }; });
    boxes.sort(function (a, b) { return a.l - b.l; });
    out.push("TICKS " + boxes.length + " " + boxes.map(function (b) { return b.text; }).join("|"));
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].w <= 0) out.push("EMPTY " + boxes[i].text);
      if (boxes[i].l < sb.left - 0.5 || boxes[i].r > sb.right + 0.5) out.push("OUTSIDE " + boxes[i].text);
      if (i && boxes[i].l < boxes[i - 1].r) out.push("OVERLAP " + boxes[i - 1].text + " / " + boxes[i].text);
    }
  }
  document.body.setAttribute("data-axis", out.join(";"));
})();
</script>
JS
for span in hour:3600 days:200000 year:31536000 decade:315360000; do
	name=${span%%:*} secs=${span#*:}
	python3 tests/report_records.py 1735689600 $((1735689600 + secs)) 400 >"$tmp/$name.jsonl"
	"$bin" -S signatures --report "$tmp/$name.html" --from-json "$tmp/$name.jsonl" 2>"$tmp/err" ||
		{ echo "FAIL: ucflow --from-json ($name)"; cat "$tmp/err"; fail=1; continue; }
	sed 's|</body>|__MEASURE__</body>|' "$tmp/$name.html" | sed "/__MEASURE__/{
r $tmp/measure.js
s/__MEASURE__//
}" >"$tmp/$name-m.html"
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile" --virtual-time-budget=2000 --window-size=1280,2000 \
		--dump-dom "file://$tmp/$name-m.html" >"$tmp/$name.dom" 2>"$tmp/err"
	axis=$(sed -n 's/.*data-axis="\([^"]*\)".*/\1/p' "$tmp/$name.dom" | head -1)
	ticks=$(printf '%s' "$axis" | sed -n 's/^TICKS \([0-9]*\) .*/\1/p')
	labels=$(printf '%s' "$axis" | sed -n 's/^TICKS [0-9]* \([^;]*\).*/\1/p')
	if [ -z "$ticks" ]; then
		echo "FAIL: $name: no tick labels measured"; tail -3 "$tmp/err"; fail=1
	elif printf '%s' "$axis" | grep -qE 'OVERLAP|OUTSIDE|EMPTY'; then
		echo "FAIL: $name axis: $axis"; fail=1
	elif [ "$ticks" -lt 2 ] || [ "$ticks" -gt 16 ]; then
		echo "FAIL: $name axis: $ticks ticks ($labels)"; fail=1
	else
		echo "ok   $name axis: $ticks ticks, none overlapping, all inside the chart: $labels"
	fi
	# dates carry the year: the axis title always, the tick labels when they are dates
	grep -qE 'Time \(UTC\), [0-9]{4}-[0-9]{2}-[0-9]{2}' "$tmp/$name.html" || { echo "FAIL: $name: axis title without a dated year"; fail=1; }
	case $name in
	hour) want='^[0-2][0-9]:[0-5][0-9]$' ;;
	days) want='^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-2][0-9]:[0-5][0-9])?$' ;;
	*) want='^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$' ;;
	esac
	bad=$(printf '%s' "$labels" | tr '|' '\n' | grep -cvE "$want")
	[ "$bad" -eq 0 ] && echo "ok   $name: every tick label has the expected form" || { echo "FAIL: $name: labels $labels"; fail=1; }
	[ -n "${KEEP:-}" ] && cp "$tmp/$name.html" "$tmp/$name.dom" "$KEEP"/ 2>/dev/null
done

# ---- the Webex scope table as the browser lays it out (site.pcap: Calling, shared platform,
# allow-list): each rendered row's cells = the text report's row, and the table is visible ----
cat >"$tmp/scope.js" <<'JS'
<script>
(function () {
  var t = document.querySelector("table.scope"), out = [];
  if (t) {
    var b = t.getBoundingClientRect();
    out.push("BOX " + Math.round(b.width) + "x" + Math.round(b.height));
    var rows = t.querySelectorAll("tbody tr");
    for (var i = 0; i < rows.length; i++) {
      var c = Array.prototype.map.call(rows[i].cells, function (x) { return x.textContent; });
      out.push("ROW " + c.join("|"));
    }
  }
  document.body.setAttribute("data-scope", out.join(";"));
})();
</script>
JS
"$bin" -S signatures -r pcaps/site.pcap -q -o "$tmp/site.jsonl" --report "$tmp/site.txt" 2>"$tmp/err" &&
	"$bin" -S signatures --report "$tmp/site.html" --from-json "$tmp/site.jsonl" 2>"$tmp/err" ||
	{ echo "FAIL: ucflow (site.pcap)"; cat "$tmp/err"; fail=1; }
sed 's|</body>|__MEASURE__</body>|' "$tmp/site.html" | sed "/__MEASURE__/{
r $tmp/scope.js
s/__MEASURE__//
}" >"$tmp/site-m.html"
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$tmp/profile" --virtual-time-budget=2000 --window-size=1280,2000 \
	--dump-dom "file://$tmp/site-m.html" >"$tmp/site.dom" 2>"$tmp/err"
scope=$(sed -n 's/.*data-scope="\([^"]*\)".*/\1/p' "$tmp/site.dom" | head -1)
# the text report's rows, cells split at runs of two or more spaces
want=$(sed -n '/^Webex scope (/,/^Only the Webex/p' "$tmp/site.txt" | grep '^    ' | grep -v '^    Webex scope \|^    ---' |
	sed 's/^    //; s/   */|/g; s/^/ROW /' | tr '\n' ';' | sed 's/;$//')
got=$(printf '%s' "$scope" | tr ';' '\n' | grep '^ROW ' | tr '\n' ';' | sed 's/;$//')
box=$(printf '%s' "$scope" | sed -n 's/^BOX \([0-9]*\)x\([0-9]*\).*/\1 \2/p')
if [ -z "$got" ]; then
	echo "FAIL: site.pcap: no Webex scope table in the rendered page"; tail -3 "$tmp/err"; fail=1
elif [ "$got" != "$want" ]; then
	echo "FAIL: rendered Webex scope rows differ from the text report:"; echo "  got  $got"; echo "  want $want"; fail=1
elif [ -z "$box" ] || [ "${box% *}" -lt 200 ] || [ "${box#* }" -lt 40 ]; then
	echo "FAIL: Webex scope table laid out at $box"; fail=1
else
	echo "ok   rendered Webex scope table ($box px) = the text report's rows: $got"
fi

if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP" && cp "$tmp"/*.png "$tmp/report.html" "$KEEP"/ && echo "kept in $KEEP"
fi
exit $fail
