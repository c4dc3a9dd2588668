#!/bin/bash
# contrib/systemd: the unit passes `systemd-analyze verify`, its offline
# security review rates it "OK" (exposure <= 2.0), and it carries the
# sandboxing it promises.  The alert instance's configuration then runs for
# real the way the unit runs it, as an unprivileged user with no new
# privileges (setpriv, as User= and NoNewPrivileges= do), fed by the system
# rsyslogd's forward-alerts.conf: system rsyslogd -> alert instance -> X.
. "$(dirname "$0")/lib.sh"
tb_init
SD="$OMTW_SRCDIR/contrib/systemd"
unit="$SD/rsyslog-omtwitter.service"

systemd-analyze verify --man=no "$unit" > "$TB/verify.out" 2>&1
ok $? "systemd-analyze verify accepts rsyslog-omtwitter.service" || diag "$TB/verify.out"
systemd-analyze security --offline=true "$unit" > "$TB/security.out" 2>&1
level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$TB/security.out")
awk -v l="${level:-99}" 'BEGIN { exit !(l <= 2.0) }'
ok $? "offline security review: exposure $level (at most 2.0)" || tail -n 20 "$TB/security.out" | diag
for opt in User=omtwitter NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	StateDirectory=omtwitter CapabilityBoundingSet= 'ExecStart=/usr/sbin/rsyslogd -n -iNONE -f /etc/omtwitter/rsyslog.conf'; do
	grep -qx "$opt" "$unit"; ok $? "the unit sets $opt"
done
grep -q '^u omtwitter ' "$SD/omtwitter.sysusers"; ok $? "sysusers.d creates the system user omtwitter"

# the alert instance as the unit runs it, with this test's paths and ports;
# in a directory of its own under /tmp, as the build tree may be in a home
# directory the unprivileged user cannot enter
user=nobody group=nogroup
U=$(mktemp -d /tmp/omtwitter-systemd.XXXXXX) || bail "mktemp"
trap 'rm -rf "$U"; tb_cleanup' EXIT
chmod 0755 "$U"
mkdir -p "$U/etc" "$U/state"
cp "$OMTW_MODULE" "$U/omtwitter.so"
chmod 0644 "$U/omtwitter.so"
write_creds "$U/etc/omtwitter.cred"
emu_start
chown -R "$user:$group" "$U/etc" "$U/state"
chmod 0700 "$U/state"
port=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s|/etc/omtwitter/|$U/etc/|g" -e "s|/var/lib/omtwitter|$U/state|g" \
    -e "s|module(load=\"omtwitter\")|module(load=\"$U/omtwitter.so\")|" -e "s|port=\"10514\"|port=\"$port\"|" \
    -e "s|credentials=\"\\([^\"]*\\)\"|credentials=\"\\1\" endpoint=\"$EMU_URL\"|" \
    -e "s|action.resumeInterval=\"10\"|action.resumeInterval=\"1\"|" \
    "$SD/rsyslog.conf" > "$U/alerts.conf"
chmod 0644 "$U/alerts.conf"
echo "global(processInternalMessages=\"on\")
if \$syslogtag startswith \"rsyslogd\" then action(type=\"omfile\" file=\"$U/state/rsyslogd.log\")" >> "$U/alerts.conf"
setpriv --reuid="$user" --regid="$group" --clear-groups --no-new-privs \
	"$RSYSLOGD" -N1 -f "$U/alerts.conf" > "$TB/alerts-check.out" 2>&1
ok $? "the alert instance's rsyslog.conf loads as an unprivileged user" || diag "$TB/alerts-check.out"
setpriv --reuid="$user" --regid="$group" --clear-groups --no-new-privs \
	"$RSYSLOGD" -n -iNONE -f "$U/alerts.conf" > "$TB/alerts.out" 2>&1 &
APID=$!
TB_PIDS="$TB_PIDS $APID"

# the system rsyslogd: forward-alerts.conf as shipped, pointed at that port
sed -e "s|port=\"10514\"|port=\"$port\"|" -e "s|action.resumeInterval=\"5\"|action.resumeInterval=\"1\"|" \
	"$SD/forward-alerts.conf" | rs_conf
rs_start
send_line "bird_alert fan failure" "an ordinary line" "bird_alert raid degraded"
wait_for_calls 2 --path /2/tweets --status 201
ok $? "two alerts went system rsyslogd -> alert instance (unprivileged) -> X"
texts=$(record texts --path /2/tweets --status 201 | sort | tr '\n' '|')
[ "$texts" = "testhost: bird_alert fan failure|testhost: bird_alert raid degraded|" ]
ok $? "with the host name, and the ordinary line stayed home ($texts)"
[ "$(stat -c %U "/proc/$APID")" = "$user" ] && grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$APID/status"
ok $? "the alert instance runs as $user with no_new_privs"
rs_stop
kill -TERM "$APID"
tb_wait_exit "$APID" 30
ls "$U/state"/omtwitter-*.state > /dev/null 2>&1
ok $? "the flood state was written to the state directory"
log_lacks "$U/state/rsyslogd.log" omtwitter
ok $? "the module logged no error" || diag "$U/state/rsyslogd.log"
tb_done
