#!/bin/sh
# bench.sh - the benchmarks (issue #8): install and build as contrib/setup.sh
# does, add the 2010-style baseline's packages (swatch, Net::Twitter), and
# run tests/bench/run.sh.  The tables go to stdout and to
# _build/bench-results.md; progress to stderr.  Takes a few minutes (the
# seed-style baseline starts one Perl process per alert).
#
# usage: contrib/bench.sh   (environment: LAT_N, LAT_ROUNDS, INTERVAL, SEED_N,
#                             FLOOD_N, FLOOD_ROUNDS)
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
build="$srcdir/_build"
"$srcdir/contrib/setup.sh" "$build"
missing=""
for p in swatch libnet-twitter-perl time; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bench: installing$missing" >&2
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends $missing \
		>> "$build/setup.log" 2>&1
fi
make -s -C "$build/tests" bench | tee "$build/bench-results.md"
