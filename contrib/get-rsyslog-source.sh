#!/bin/sh
# Fetch and configure the rsyslog source tree matching the installed rsyslogd.
#
# rsyslog ships no development package, so omtwitter is compiled against the
# headers of the same upstream version as the running daemon.  This script
# downloads Debian's source package for that version (enabling deb-src for this
# one call only; the system's apt sources are not edited), unpacks the
# upstream tarball and configures it the way Debian does where it matters for
# the headers (NDEBUG, atomics, regexp).
#
# usage: contrib/get-rsyslog-source.sh [DESTDIR]     (default: ./.rsyslog-src)
# prints the configured tree's path as its last line.
set -eu
exec < /dev/null # a closed stdin breaks autoconf's configure

dest=${1:-$(pwd)/.rsyslog-src}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

command -v rsyslogd >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
installed=$(dpkg-query -W -f='${Version}' rsyslog 2>/dev/null) || {
	echo "get-rsyslog-source: rsyslog is not installed (apt-get install rsyslog)" >&2
	exit 1
}
upstream=${installed#*:}
upstream=${upstream%-*}
tree="$dest/rsyslog-$upstream"

if [ -f "$tree/config.h" ] && [ -f "$tree/.omtwitter-configured" ]; then
	echo "get-rsyslog-source: using configured tree $tree" >&2
	echo "$tree"
	exit 0
fi

# A private apt state: deb-src entries derived from the system's own sources,
# separate list and cache directories, so nothing of the system changes.
apt="$dest/apt"
rm -rf "$apt"
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/archives/partial"
: > "$apt/sources.list"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types:.*$/Types: deb-src/' "$f" > "$apt/parts/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$apt/sources.list"
done
set -- -o Dir::Etc::SourceList="$apt/sources.list" \
       -o Dir::Etc::SourceParts="$apt/parts" \
       -o Dir::State::Lists="$apt/lists" \
       -o Dir::Cache::Archives="$apt/archives" \
       -o APT::Sandbox::User=root
apt-get -q "$@" update >&2

cd "$dest"
if ! apt-get -q "$@" source --download-only "rsyslog=$installed" >&2; then
	# The security archive does not always serve the source of an installed
	# security update.  Any Debian revision of the same upstream version
	# carries the identical upstream tarball, which is all we need.
	alt=$(apt-cache "$@" showsrc rsyslog 2>/dev/null |
	      sed -n 's/^Version: //p' | grep -F -- "$upstream-" | head -n 1)
	if [ -z "$alt" ]; then
		echo "get-rsyslog-source: no source package for rsyslog $upstream found" >&2
		exit 1
	fi
	echo "get-rsyslog-source: source of $installed not served;" \
	     "using $alt (same upstream tarball rsyslog_$upstream.orig.tar.gz)" >&2
	apt-get -q "$@" source --download-only "rsyslog=$alt" >&2
fi

rm -rf "$tree"
tar -xzf "rsyslog_$upstream.orig.tar.gz"
cd "$tree"
# Options that shape the exported headers as in Debian's debian/rules: a
# release build (NDEBUG, no obj_t debug cookie), imdiag enabled, no
# liblogging-stdlog.  Everything else is irrelevant for an out-of-tree module,
# so the plugins are left at their defaults to keep the build-deps small.
./configure --disable-debug --enable-imdiag --enable-impstats \
	--disable-liblogging-stdlog --disable-libgcrypt --disable-fmhttp \
	--disable-generate-man-pages --disable-uuid > "$dest/configure.log" 2>&1 || {
	echo "get-rsyslog-source: configure failed, see $dest/configure.log" >&2
	exit 1
}
grep -q '^#define NDEBUG 1' config.h || {
	echo "get-rsyslog-source: configured tree lacks NDEBUG; refusing (obj_t layout would differ)" >&2
	exit 1
}
touch .omtwitter-configured
echo "$tree"
