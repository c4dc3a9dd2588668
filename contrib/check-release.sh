#!/bin/sh
# check-release.sh - run the README's two commands on a fresh Debian release,
# the way a release of omtwitter is checked on the releases it supports.
#
# usage: contrib/check-release.sh [--keep] [--from DIR] RELEASE [WORKDIR]
#
#   RELEASE   bookworm (Debian 12), trixie (13), forky (14) or sid
#   WORKDIR   where the chroot and the logs go (default /var/tmp/omtwitter-RELEASE)
#   --from DIR  copy DIR (a pristine debootstrap of RELEASE made earlier) instead
#               of running debootstrap again; it is not changed
#   --keep    leave the chroot in place afterwards (to look into a failure)
#
# As root: debootstraps RELEASE (minbase plus git), clones the commit checked
# out here (HEAD; uncommitted changes are not included) into /root/omtwitter
# inside it, and runs `contrib/demo.sh`, then `contrib/run-tests.sh`, there.
# It prints each command's closing line and exit status, and ends with
#   RELEASE: demo <status>; tests: <closing line>
# The full output is in WORKDIR/demo.log and WORKDIR/tests.log, the test
# suites' logs (also distcheck's) in WORKDIR/logs.
set -eu
keep=no from=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=yes; shift ;;
	--from) from=$2; shift 2 ;;
	-h|--help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "check-release: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: contrib/check-release.sh [--keep] [--from DIR] RELEASE [WORKDIR]" >&2; exit 2; }
release=$1
work=${2:-/var/tmp/omtwitter-$release}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "check-release: run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap > /dev/null || { echo "check-release: apt-get install debootstrap" >&2; exit 2; }
rev=$(git -C "$srcdir" rev-parse HEAD)
root="$work/root"
mirror=${MIRROR:-http://deb.debian.org/debian}

mounted=""
cleanup() {
	for m in $mounted; do umount -R -l "$m" 2> /dev/null || true; done
	# the suite's logs outlive the chroot: a failure can be read afterwards
	b="$root/root/omtwitter/_build"
	if [ -d "$b/suite-logs" ]; then
		mkdir -p "$work/logs"
		cp -r "$b/suite-logs" "$work/logs/" 2> /dev/null || true
		find "$b" -name test-suite.log -o -name 'test-suite-*.log' | while read -r f; do
			cp "$f" "$work/logs/$(echo "${f#"$b"/}" | tr / _)" 2> /dev/null || true
		done
	fi
	if [ "$keep" = no ] && [ -d "$root" ]; then
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work"
rm -rf --one-file-system "$root"
if [ -n "$from" ]; then
	echo "check-release: copying $from" >&2
	cp -a "$from" "$root"
else
	echo "check-release: debootstrap $release into $root (log: $work/debootstrap.log)" >&2
	# an older debootstrap has no script for a newer release (forky): sid's fits
	script=/usr/share/debootstrap/scripts/$release
	[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
	debootstrap --variant=minbase --include=git,ca-certificates "$release" "$root" "$mirror" "$script" \
		> "$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true
case $release in
bookworm|trixie) ;;
*)	# testing and unstable sign their Release files for a week only, and a
	# mirror or archive copy that lags behind serves expired ones
	echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99omtwitter-check-release" ;;
esac
mkdir -p "$root/proc" "$root/sys" "$root/dev"
# the host's /dev and /sys (with /dev/pts and /dev/shm), as slaves: nothing
# mounted or unmounted inside reaches the host
mount -t proc proc "$root/proc" && mounted="$root/proc"
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" && mounted="$root/sys $mounted"
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" && mounted="$root/dev $mounted"

echo "check-release: cloning $rev" >&2
git clone -q --no-local "$srcdir" "$root/root/omtwitter"
git -C "$root/root/omtwitter" checkout -q "$rev"

# in_chroot CMD: run CMD in the clone as a fresh root login would
in_chroot() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd /root/omtwitter && $1" < /dev/null
}

echo "check-release: contrib/demo.sh (log: $work/demo.log)" >&2
if in_chroot contrib/demo.sh > "$work/demo.log" 2>&1; then demo=passed; else demo="FAILED ($?)"; fi
tail -n 5 "$work/demo.log" | sed 's/^/  demo: /' >&2
echo "check-release: contrib/run-tests.sh (log: $work/tests.log)" >&2
st=0
in_chroot contrib/run-tests.sh > "$work/tests.log" 2>&1 || st=$?
line=$(tail -n 1 "$work/tests.log")
grep -E '^(== |   )' "$work/tests.log" | sed 's/^/  tests: /' >&2 || true
echo "$release ($(cat "$root/etc/debian_version"), rsyslog $(chroot "$root" dpkg-query -W -f='${Version}' rsyslog 2> /dev/null || echo '?')," \
	"commit $(echo "$rev" | cut -c1-7)): demo $demo; tests: $line (exit $st)"
[ "$demo" = passed ] && [ "$st" -eq 0 ]
