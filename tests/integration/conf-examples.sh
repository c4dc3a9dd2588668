#!/bin/bash
# Every file in conf-examples/ is a configuration rsyslogd accepts: each is
# checked with `rsyslogd -N1` as shipped, except that the paths a real
# system has (/etc/rsyslog.d/omtwitter.cred, /var/log, the module's
# directory) point into the test directory.  demo.conf gets the environment
# contrib/demo.sh gives it.
. "$(dirname "$0")/lib.sh"
tb_init
mkdir -p "$TB/etc" "$TB/log"
write_creds "$TB/etc/omtwitter.cred"

# localize FILE: the example with this test's paths, on stdout
localize() {
	sed -e "s|module(load=\"omtwitter\")|module(load=\"$OMTW_MODULE\")|" \
	    -e "s|/etc/rsyslog.d/|$TB/etc/|g" -e "s|/var/log/|$TB/log/|g" "$1"
	# the system's default work directory is not ours to use
	echo "global(workDirectory=\"$TB/spool\")"
}

# the examples the doc and the README name, no more, no fewer (a stray or
# a missing file would otherwise pass unnoticed)
want="central-server.conf client-tcp.conf client.conf demo.conf dm.conf keyword.conf severity.conf"
have=$(cd "$OMTW_SRCDIR/conf-examples" && ls -- *.conf | sort | tr '\n' ' ' | sed 's/ $//')
[ "$have" = "$want" ]; ok $? "conf-examples/ holds exactly: $want" || echo "# it holds: $have"
for name in $want; do
	f="$OMTW_SRCDIR/conf-examples/$name"
	if [ "$name" = demo.conf ]; then
		cp "$TB/etc/omtwitter.cred" "$TB/omtwitter.cred"
		OMTWITTER_DEMO_DIR=$TB OMTWITTER_MODULE=$OMTW_MODULE OMTWITTER_ENDPOINT=http://127.0.0.1:9 \
			"$RSYSLOGD" -N1 -f "$f" > "$TB/$name.out" 2>&1
	else
		localize "$f" > "$TB/$name"
		"$RSYSLOGD" -N1 -f "$TB/$name" > "$TB/$name.out" 2>&1
	fi
	rc=$?
	# -N1 exits 0 with warnings too: any error or warning line fails; the
	# output must be rsyslogd's own (it names its version), not nothing
	[ $rc -eq 0 ] && grep -q 'rsyslogd: version' "$TB/$name.out" &&
		! grep -Eiq 'error|warning|could not|invalid' "$TB/$name.out"
	ok $? "conf-examples/$name: rsyslogd -N1 accepts it without a warning" || diag "$TB/$name.out"
done

# the examples do what they claim, in a real rsyslogd with the emulator as X
emu_start
mkdir -p "$TB/spool"
# run_example NAME LINE...: rsyslogd on the example (its endpoint the
# emulator, a TCP input added), each LINE sent as a raw syslog line; waits
# until the action's queue is drained at the stop
run_example() {
	local name=$1
	shift
	{
		echo 'module(load="imtcp")'
		echo "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"0\" listenPortFileName=\"$TB/tcp.port\")"
		localize "$OMTW_SRCDIR/conf-examples/$name.conf" |
			sed "s|credentials=\"\([^\"]*\)\"|credentials=\"\1\" endpoint=\"$EMU_URL\"|"
	} > "$TB/rsyslog.conf"
	grep -q "endpoint=\"$EMU_URL\"" "$TB/rsyslog.conf" || bail "$name.conf: no credentials= to add the endpoint to"
	rs_start
	printf '%s\n' "$@" > "/dev/tcp/127.0.0.1/$TCP_PORT" || bail "cannot send to rsyslogd"
}
texts() { record texts "$@" --status 201; }

# keyword.conf: the bird_alert line is posted, the other not
run_example keyword '<14>Nov 27 05:00:00 web1 app: bird_alert disk full on web1' \
	'<14>Nov 27 05:00:01 web1 app: all is well on web1'
wait_for_calls 1 --path /2/tweets --status 201
sleep 1 # the other line had its chance
rs_stop
[ "$(texts --path /2/tweets)" = "bird_alert disk full on web1" ]
ok $? "keyword.conf: posts the line with bird_alert, and not the other" || texts --path /2/tweets | diag

# severity.conf: crit from smartd is posted with its host and program;
# a warning of smartd and a crit of cron are not
before=$(record count --path /2/tweets --status 201)
run_example severity '<26>Nov 27 05:00:00 db1 smartd[42]: Device: /dev/sda, FAILED SMART self-check' \
	'<28>Nov 27 05:00:01 db1 smartd[42]: Device: /dev/sdb, temperature 51 C' \
	'<74>Nov 27 05:00:02 db1 cron[43]: cron daemon crit but not a watched program'
wait_for_calls $((before + 1)) --path /2/tweets --status 201
sleep 1
rs_stop
[ "$(texts --path /2/tweets | tail -n +$((before + 1)))" = "db1 smartd: Device: /dev/sda, FAILED SMART self-check" ]
ok $? "severity.conf: posts smartd's crit as 'host program: message', not its warning nor cron's crit" ||
	texts --path /2/tweets | tail -n +$((before + 1)) | diag

# dm.conf: the alert goes as a direct message to the recipient, not as a post
before=$(record count --path /2/tweets)
run_example dm '<14>Nov 27 05:00:00 web1 app: bird_alert by dm'
wait_for_calls 1 --path /2/dm_conversations/with/1234567890/messages --status 201
rs_stop
[ "$(texts --path /2/dm_conversations/with/1234567890/messages)" = "bird_alert by dm" ] &&
	[ "$(record count --path /2/tweets)" -eq "$before" ]
ok $? "dm.conf: sends the alert as a DM to 1234567890, posts nothing" || record texts | diag

# the recommended queue survives a crash (doc: "Surviving a crash"); the
# crash itself is crash-replay.sh's
for f in keyword severity dm central-server; do
	grep -q 'queue.type="Disk"' "$OMTW_SRCDIR/conf-examples/$f.conf" &&
		grep -q 'queue.checkpointInterval="1" queue.dequeueBatchSize="1"' "$OMTW_SRCDIR/conf-examples/$f.conf" &&
		grep -Eq 'queue.size="[0-9]{6,}"' "$OMTW_SRCDIR/conf-examples/$f.conf" &&
		! grep -q 'LinkedList' "$OMTW_SRCDIR/conf-examples/$f.conf"
	ok $? "$f.conf: a disk queue that records every message, one at a time, room for 100,000"
done
tb_done
