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

n=0
for f in "$OMTW_SRCDIR"/conf-examples/*.conf; do
	name=$(basename "$f")
	n=$((n + 1))
	if [ "$name" = demo.conf ]; then
		cp "$TB/etc/omtwitter.cred" "$TB/omtwitter.cred"
		OMTWITTER_DEMO_DIR=$TB OMTWITTER_MODULE=$OMTW_MODULE OMTWITTER_ENDPOINT=http://127.0.0.1:9 \
			"$RSYSLOGD" -N1 -f "$f" > "$TB/$name.out" 2>&1
	else
		localize "$f" > "$TB/$name"
		"$RSYSLOGD" -N1 -f "$TB/$name" > "$TB/$name.out" 2>&1
	fi
	rc=$?
	# -N1 exits 0 with warnings too: any error or warning line fails
	[ $rc -eq 0 ] && ! grep -Eiq 'error|warning|could not|invalid' "$TB/$name.out"
	ok $? "conf-examples/$name: rsyslogd -N1 accepts it without a warning" || diag "$TB/$name.out"
done
[ $n -ge 7 ]; ok $? "all $n example files were checked (keyword, severity, dm, central server, two clients, demo)"

# the examples say what they claim
grep -q 'contains "bird_alert"' "$OMTW_SRCDIR/conf-examples/keyword.conf"; ok $? "keyword.conf selects bird_alert lines"
grep -q 'syslogseverity <= 2' "$OMTW_SRCDIR/conf-examples/severity.conf" &&
	grep -q 'queue.type="Disk" queue.filename=' "$OMTW_SRCDIR/conf-examples/severity.conf"
ok $? "severity.conf selects crit and worse, with a disk queue"
grep -q 'mode="dm" recipient=' "$OMTW_SRCDIR/conf-examples/dm.conf"; ok $? "dm.conf sends direct messages"
# the recommended queue survives a crash (doc: "Surviving a crash")
for f in keyword severity dm central-server; do
	grep -q 'queue.type="Disk"' "$OMTW_SRCDIR/conf-examples/$f.conf" &&
		grep -q 'queue.checkpointInterval="1" queue.dequeueBatchSize="1"' "$OMTW_SRCDIR/conf-examples/$f.conf" &&
		grep -Eq 'queue.size="[0-9]{6,}"' "$OMTW_SRCDIR/conf-examples/$f.conf" &&
		! grep -q 'LinkedList' "$OMTW_SRCDIR/conf-examples/$f.conf"
	ok $? "$f.conf: a disk queue that records every message, one at a time, room for 100,000"
done
tb_done
