#!/bin/sh
# Fetch and configure an rsyslog source tree: by default the one matching the
# installed rsyslogd.
#
# rsyslog ships no development package, so omtwitter is compiled against the
# headers of the same upstream version as the running daemon.  This script
# downloads Debian's source package for that version (enabling deb-src for this
# one call only; the system's apt sources are not edited), unpacks the
# upstream tarball and configures it the way Debian does where it matters for
# the headers (NDEBUG, atomics, regexp).
#
# usage: contrib/get-rsyslog-source.sh [--release SUITE | --tarball FILE] [DESTDIR]
#   (none)          the installed rsyslog's version, from the system's apt sources
#   --release SUITE the rsyslog of that Debian suite (bookworm, trixie, ...), from
#                   the same mirror: the compile check against other releases
#   --tarball FILE  an upstream release tarball (rsyslog-X.tar.gz from rsyslog.com
#                   or GitHub), for systems whose archive serves no source package
#   DESTDIR         where trees go (default: ./.rsyslog-src)
# prints the configured tree's path as its last line.
set -eu
exec < /dev/null # a closed stdin breaks autoconf's configure

release= tarball=
while [ $# -gt 0 ]; do
	case $1 in
	--release) release=$2; shift 2 ;;
	--tarball) tarball=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	-*) echo "get-rsyslog-source: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
dest=${1:-$(pwd)/.rsyslog-src}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
command -v rsyslogd >/dev/null 2>&1 || PATH=$PATH:/usr/sbin

# the README section that explains a build against an upstream tarball
by_hand="build against rsyslog's upstream release tarball instead: see 'Building by hand' in README.md (contrib/get-rsyslog-source.sh --tarball rsyslog-VERSION.tar.gz)"

# configure_tree TREE: configure it as Debian's release build does where the
# headers care; prints TREE as the last line.
configure_tree() {
	cd "$1"
	# Options that shape the exported headers as in Debian's debian/rules: a
	# release build (NDEBUG, no obj_t debug cookie), imdiag enabled, no
	# liblogging-stdlog.  Everything else is irrelevant for an out-of-tree
	# module, so the plugins are left at their defaults to keep the
	# build-deps small.
	./configure --disable-debug --enable-imdiag --enable-impstats \
		--disable-liblogging-stdlog --disable-libgcrypt --disable-fmhttp \
		--disable-generate-man-pages --disable-uuid > "$1.configure.log" 2>&1 || {
		echo "get-rsyslog-source: configure failed in $1, see $1.configure.log:" >&2
		tail -n 5 "$1.configure.log" >&2
		exit 1
	}
	grep -q '^#define NDEBUG 1' config.h || {
		echo "get-rsyslog-source: configured tree lacks NDEBUG; refusing (obj_t layout would differ)" >&2
		exit 1
	}
	touch .omtwitter-configured
	echo "get-rsyslog-source: configured $1" >&2
	echo "$1"
}

# reuse TREE: a tree configured earlier is used as it is
reuse() {
	if [ -f "$1/config.h" ] && [ -f "$1/.omtwitter-configured" ]; then
		echo "get-rsyslog-source: using configured tree $1" >&2
		echo "$1"
		exit 0
	fi
}

if [ -n "$tarball" ]; then
	[ -f "$tarball" ] || { echo "get-rsyslog-source: no such file: $tarball" >&2; exit 1; }
	top=$(tar -tzf "$tarball" | head -n 1 | cut -d/ -f1)
	case $top in
	rsyslog-[0-9]*) ;;
	*) echo "get-rsyslog-source: $tarball is not an rsyslog release tarball (its top directory is '$top')" >&2; exit 1 ;;
	esac
	reuse "$dest/$top"
	rm -rf "${dest:?}/$top"
	tar -C "$dest" -xzf "$tarball"
	configure_tree "$dest/$top"
	exit 0
fi

if [ -z "$release" ]; then
	installed=$(dpkg-query -W -f='${Version}' rsyslog 2>/dev/null) || {
		echo "get-rsyslog-source: rsyslog is not installed (apt-get install rsyslog)" >&2
		exit 1
	}
	upstream=${installed#*:}
	upstream=${upstream%-*}
	reuse "$dest/rsyslog-$upstream"
fi

# A private apt state: deb-src entries derived from the system's own sources
# (or, for --release, that suite on the system's Debian mirror), separate
# list and cache directories, so nothing of the system changes.
apt="$dest/apt${release:+-$release}"
rm -rf "$apt"
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/archives/partial"
: > "$apt/sources.list"
if [ -n "$release" ]; then
	mirror=$( (sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
	           sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
	              /etc/apt/sources.list 2>/dev/null) | grep -v -e security -e '^$' | head -n 1)
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror:-http://deb.debian.org/debian} $release main" > "$apt/sources.list"
else
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed 's/^Types:.*$/Types: deb-src/' "$f" > "$apt/parts/$(basename "$f")"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$apt/sources.list"
	done
fi
set -- -o Dir::Etc::SourceList="$apt/sources.list" \
       -o Dir::Etc::SourceParts="$apt/parts" \
       -o Dir::State::Lists="$apt/lists" \
       -o Dir::Cache::Archives="$apt/archives" \
       -o APT::Sandbox::User=root
apt-get -q "$@" update >&2 || {
	echo "get-rsyslog-source: cannot read the source package lists (apt-get update failed above)" >&2
	exit 1
}

if [ -n "$release" ]; then
	installed=$(apt-cache "$@" showsrc rsyslog 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[ -n "$installed" ] || { echo "get-rsyslog-source: Debian $release serves no rsyslog source package" >&2; exit 1; }
	upstream=${installed#*:}
	upstream=${upstream%-*}
	reuse "$dest/rsyslog-$upstream"
fi
tree="$dest/rsyslog-$upstream"

cd "$dest"
if ! apt-get -q "$@" source --download-only "rsyslog=$installed" >&2; then
	# The security archive does not always serve the source of an installed
	# security update.  Any Debian revision of the same upstream version
	# carries the identical upstream tarball, which is all we need.
	alt=$(apt-cache "$@" showsrc rsyslog 2>/dev/null |
	      sed -n 's/^Version: //p' | grep -F -- "$upstream-" | grep -vxF -- "$installed" | head -n 1)
	if [ -z "$alt" ]; then
		echo "get-rsyslog-source: the source of rsyslog $upstream is not available from this system's" \
		     "Debian archive (its source package could not be downloaded, see above); $by_hand" >&2
		exit 1
	fi
	echo "get-rsyslog-source: source of $installed not served;" \
	     "using $alt (same upstream tarball rsyslog_$upstream.orig.tar.gz)" >&2
	apt-get -q "$@" source --download-only "rsyslog=$alt" >&2 || {
		echo "get-rsyslog-source: the source package of rsyslog $upstream is listed but could not be" \
		     "downloaded (see above); $by_hand" >&2
		exit 1
	}
fi

orig=$(ls "rsyslog_$upstream.orig.tar."* 2>/dev/null | head -n 1)
[ -n "$orig" ] || { echo "get-rsyslog-source: the download holds no rsyslog_$upstream.orig.tar.*; $by_hand" >&2; exit 1; }
rm -rf "$tree"
tar -xf "$orig"
configure_tree "$tree"
