# live_common.sh - sourced by the live-capture tests (live_loopback.sh, live_reload.sh): the binary,
# a private temporary directory removed at exit (with the capture and traffic processes), and
# wait_for. Set `name` (the test's name, for messages) before sourcing.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "$(dirname "${UCFLOW:-./ucflow}")" && pwd)/$(basename "${UCFLOW:-./ucflow}")
traffic="$srcdir/tests/live_traffic.py"
[ -x "$bin" ] || { echo "$name: no ucflow binary at $bin"; exit 99; }
command -v python3 >/dev/null 2>&1 || { echo "$name: SKIP: python3 not found"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucflow-$name.XXXXXX")
upid="" spid=""
cleanup() {
	[ -n "$upid" ] && kill "$upid" 2>/dev/null
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for FILE REGEX SECONDS [PID]: 0 when FILE matches, 1 on timeout or when PID has exited
wait_for() {
	n=$(($3 * 10))
	while [ $n -gt 0 ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
			grep -Eq "$2" "$1" 2>/dev/null
			return
		fi
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
