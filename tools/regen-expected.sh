#!/bin/sh
# regen-expected.sh - deliberately rewrite tests/expected/ from the current binary, then show the diff
# for review. Usage: tools/regen-expected.sh [path/to/ucflow]   (default ./ucflow)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
UCFLOW=${1:-./ucflow} top_srcdir="$here" UPDATE=1 sh "$here/tests/e2e.sh"
cd "$here" && git --no-pager diff --stat -- tests/expected || true
