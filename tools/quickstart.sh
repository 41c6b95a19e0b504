#!/bin/sh
# quickstart.sh - install missing build dependencies (Debian/Ubuntu), build ucflow in this tree,
# and print the flow table of a bundled capture. The README's first command.
set -eu
cd "$(dirname "$0")/.."

pkgs="build-essential autoconf automake pkg-config libpcap-dev check uthash-dev nettle-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing:$missing"
	if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"

echo
echo "quickstart: ./ucflow -T text -r pcaps/webex-calling.pcap"
./ucflow -T text -r pcaps/webex-calling.pcap
