#!/bin/bash
# The Debian package and `make install` (issue #7): the release tarball
# (make dist) with contrib/debian as debian/ builds rsyslog-omtwitter_*.deb
# with dpkg-buildpackage -b -us -uc; lintian reports no error or warning; the package
# installs, the system's rsyslogd loads the module by name from its standard
# directory (rsyslogd -N1 with module(load="omtwitter")), and it purges
# cleanly.  `make install DESTDIR=...` installs the module, the two helpers
# (omtwitter-auth, omtwitter-replay) and their man pages.
#
# It changes the system (installs and removes the package), so it is not in
# `make check`; contrib/run-tests.sh runs it as its own step.
. "$(dirname "$0")/../integration/lib.sh"
tb_init
# the builds below are not part of the make that runs this test
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
tree=$(sed -n 's/^RSYSLOG_SRC = //p' "$OMTW_BUILDDIR/Makefile")
moddir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/rsyslog
# the release's own directory for units: where its systemd package has them
# (/lib/systemd/system on Debian 12, /usr/lib/systemd/system on 13)
unitdir=$(dirname "$(dpkg -L systemd | grep -m 1 '/systemd/system/systemd-journald\.service$')")
[ -n "$unitdir" ] && [ "$unitdir" != . ] || bail "cannot find systemd's unit directory"
rsyslog_up=$(dpkg-query -W -f='${Version}' rsyslog | sed 's/^[0-9]*://; s/-[^-]*$//')
pkg=rsyslog-omtwitter
dpkg -s "$pkg" > /dev/null 2>&1 && dpkg --purge "$pkg" > /dev/null 2>&1

# make install
make -C "$OMTW_BUILDDIR" install DESTDIR="$TB/dest" > "$TB/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds" || tail -n 20 "$TB/install.log" | diag
for f in "$moddir/omtwitter.so" /usr/local/bin/omtwitter-auth /usr/local/share/man/man1/omtwitter-auth.1 \
	/usr/local/bin/omtwitter-replay /usr/local/share/man/man1/omtwitter-replay.1; do
	[ -s "$TB/dest$f" ]; ok $? "make install puts $f in place"
done

# the package, from the release tarball
make -C "$OMTW_BUILDDIR" dist > "$TB/dist.log" 2>&1 || bail "make dist failed"
mkdir -p "$TB/pkg"
tar -C "$TB/pkg" -xzf "$OMTW_BUILDDIR"/omtwitter-*.tar.gz || bail "cannot unpack the tarball"
src=$(echo "$TB"/pkg/omtwitter-*)
cp -r "$OMTW_SRCDIR/contrib/debian" "$src/debian"
(cd "$src" && RSYSLOG_SRC=$tree dpkg-buildpackage -b -us -uc) > "$TB/build.log" 2>&1
ok $? "dpkg-buildpackage -b -us -uc builds the package" || tail -n 30 "$TB/build.log" | diag
deb=$(ls "$TB"/pkg/${pkg}_*_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ]; ok $? "it made $(basename "${deb:-no .deb}")"
grep -q '^# FAIL: *0' "$TB/build.log" && grep -q '^# PASS: *[1-9]' "$TB/build.log"
ok $? "the unit tests ran and passed inside the package build"

lintian --fail-on error,warning "$TB"/pkg/${pkg}_*.changes > "$TB/lintian.log" 2>&1
ok $? "lintian reports no error and no warning" || diag "$TB/lintian.log"
grep '^[WE]:' "$TB/lintian.log" | diag

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in "$moddir/omtwitter.so" ./usr/bin/omtwitter-auth ./usr/share/man/man1/omtwitter-auth.1.gz \
	./usr/bin/omtwitter-replay ./usr/share/man/man1/omtwitter-replay.1.gz \
	./usr/share/doc/$pkg/omtwitter.md ./usr/share/doc/$pkg/examples/keyword.conf \
	$unitdir/rsyslog-omtwitter.service ./usr/lib/sysusers.d/$pkg.conf ./etc/omtwitter/rsyslog.conf; do
	case $f in /*) f=".$f" ;; esac
	echo "$contents" | grep -qx "$f"; ok $? "the package holds ${f#.}"
done
! echo "$contents" | grep -q '\.la$'; ok $? "no libtool archive in the package"
depends=$(dpkg-deb -f "$deb" Depends)
echo "$depends" | grep -qF "rsyslog (>= $rsyslog_up), rsyslog (<< $rsyslog_up.1~)"
ok $? "it depends on exactly the installed rsyslog's upstream version $rsyslog_up" || echo "Depends: $depends" | diag
! grep -q 'rsyslog (.*[0-9]' "$OMTW_SRCDIR/contrib/debian/control"
ok $? "contrib/debian/control pins no rsyslog version (the build derives it)"

# install: the system rsyslogd loads the module by name
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" > "$TB/dpkg-i.log" 2>&1
ok $? "dpkg -i installs it" || diag "$TB/dpkg-i.log"
write_creds "$TB/omtwitter.cred"
cat > "$TB/installed.conf" <<CONF
global(workDirectory="$TB")
module(load="omtwitter")
if \$msg contains "bird_alert" then action(type="omtwitter" credentials="$TB/omtwitter.cred")
CONF
/usr/sbin/rsyslogd -N1 -f "$TB/installed.conf" > "$TB/n1.log" 2>&1 &&
	! grep -Eiq 'error|warning' "$TB/n1.log"
ok $? "rsyslogd -N1 loads module(load=\"omtwitter\") from $moddir" || diag "$TB/n1.log"
/usr/bin/omtwitter-auth --help > /dev/null 2>&1; ok $? "omtwitter-auth runs from /usr/bin"
/usr/bin/omtwitter-replay --help > /dev/null 2>&1; ok $? "omtwitter-replay runs from /usr/bin"
getent passwd omtwitter > /dev/null; ok $? "the system user omtwitter exists (sysusers.d)"
systemd-analyze verify "$unitdir/rsyslog-omtwitter.service" > "$TB/verify.log" 2>&1
ok $? "the installed unit verifies (with its man page now present)" || diag "$TB/verify.log"

DEBIAN_FRONTEND=noninteractive dpkg --purge "$pkg" > "$TB/purge.log" 2>&1 &&
	[ ! -e "$moddir/omtwitter.so" ] && [ ! -e /etc/omtwitter/rsyslog.conf ]
ok $? "dpkg --purge removes module and configuration" || diag "$TB/purge.log"
tb_done
