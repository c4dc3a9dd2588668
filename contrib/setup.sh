#!/bin/sh
# setup.sh - install what omtwitter needs on Debian 12, fetch the matching
# rsyslog source tree and build.  Used by demo.sh and run-tests.sh; safe to
# run again (each step is skipped when already done).
#
# usage: contrib/setup.sh [BUILDDIR]   (default: the source directory)
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$srcdir}

PACKAGES="build-essential autoconf automake libtool pkg-config
	libcurl4-openssl-dev libssl-dev libfastjson-dev libestr-dev zlib1g-dev
	rsyslog python3 python3-oauthlib openssl ca-certificates bsdutils
	valgrind clang"

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
	apt-get -q update >&2
	apt-get -q install -y --no-install-recommends $missing >&2
fi

tree=$("$srcdir/contrib/get-rsyslog-source.sh" "$srcdir/.rsyslog-src" | tail -n 1)

cd "$srcdir"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	echo "setup: autoreconf" >&2
	autoreconf -fi >&2
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || ! grep -q "^RSYSLOG_SRC = $tree\$" Makefile; then
	echo "setup: configure" >&2
	"$srcdir/configure" --with-rsyslog-source="$tree" >&2
fi
echo "setup: make" >&2
make -j"$(nproc)" >&2
