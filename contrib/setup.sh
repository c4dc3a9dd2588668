#!/bin/sh
# setup.sh - install what omtwitter needs on Debian 12 or 13, fetch the matching
# rsyslog source tree and build.  Used by demo.sh and run-tests.sh; safe to
# run again (each step is skipped when already done).
#
# usage: contrib/setup.sh [BUILDDIR]   (default: _build in the source tree)
#
# The build happens outside the source tree, so further builds (the
# sanitizer build of run-tests.sh, make distcheck) can use it too.  Details
# go to BUILDDIR/setup.log; on failure its tail is shown.
set -eu
# nothing here reads input; a closed stdin breaks autoconf's configure
exec < /dev/null

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$srcdir/_build}
mkdir -p "$builddir"
builddir=$(cd "$builddir" && pwd)
log="$builddir/setup.log"
: > "$log"
trap 'rc=$?; [ $rc -eq 0 ] || { echo "setup: failed; last lines of $log:" >&2; tail -n 25 "$log" >&2; }' EXIT

PACKAGES="build-essential autoconf automake libtool pkg-config
	libcurl4-openssl-dev libssl-dev libfastjson-dev libestr-dev libutf8proc-dev zlib1g-dev
	rsyslog rsyslog-relp systemd python3 python3-oauthlib openssl ca-certificates bsdutils
	valgrind clang libclang-rt-dev debhelper lintian fakeroot gdb procps curl"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing packages:$missing (run as root, or apt-get install them)" >&2
		exit 1
	fi
	echo "setup: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q update >> "$log" 2>&1
	apt-get -q install -y --no-install-recommends $missing >> "$log" 2>&1
fi

echo "setup: rsyslog source tree" >&2
# RSYSLOG_TARBALL=FILE: configure that upstream tarball instead of fetching
# Debian's source package (for an rsyslog whose source the archive lacks)
set -- "$srcdir/.rsyslog-src"
[ -n "${RSYSLOG_TARBALL:-}" ] && set -- --tarball "$RSYSLOG_TARBALL" "$@"
if ! "$srcdir/contrib/get-rsyslog-source.sh" "$@" > "$builddir/rsyslog-tree" 2>> "$log"; then
	trap - EXIT
	echo "setup: cannot get the rsyslog source tree:" >&2
	grep 'get-rsyslog-source:' "$log" | sed 's/^/  /' >&2
	exit 1
fi
grep 'get-rsyslog-source:' "$log" >&2 || true
tree=$(tail -n 1 "$builddir/rsyslog-tree")

cd "$srcdir"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	echo "setup: autoreconf" >&2
	autoreconf -fi >> "$log" 2>&1
fi
cd "$builddir"
if [ ! -f Makefile ] || ! grep -q "^RSYSLOG_SRC = $tree\$" Makefile; then
	echo "setup: configure" >&2
	"$srcdir/configure" --with-rsyslog-source="$tree" >> "$log" 2>&1
fi
echo "setup: make" >&2
make -j"$(nproc)" >> "$log" 2>&1
echo "setup: built in $builddir" >&2
