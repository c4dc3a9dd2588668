#!/bin/bash
# A stop while a post waits for a slow answer (design section 6): rsyslogd
# stops soon after SIGTERM, not when the request would time out, because
# the module gives the request up on rsyslog's "shut down immediately" flag
# (and rsyslog never cancels the worker inside the module, where a lock
# could be left held); the alert stays in the disk-assisted queue and
# arrives exactly once after the restart.  Flood control is on (defaults):
# the state file is written on this path too.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
rs_conf <<EOF2
if \$msg contains "slow_alert" then {
	action(type="omtwitter" name="slow" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" timeout="60000" statefile="$TB/spool/slow.state"
	       queue.type="LinkedList" queue.filename="slow" queue.saveOnShutdown="on"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF2
rs_start

# the next post is answered after 15 s
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":15000,"count":1}]}' >/dev/null
send_line "slow_alert the API answers slowly"
sleep 2
t0=$SECONDS
rs_stop
took=$((SECONDS - t0))
[ "$took" -lt 10 ]; ok $? "SIGTERM during a 15 s answer (timeout 60 s): rsyslogd stopped after $took s"
# rsyslogd's last words go to its stderr once its queues are down
grep -q 'stopped (shutting down).*will retry' "$TB/rsyslogd.out" "$TB/rsyslogd.log"
ok $? "the module gave the request up on the stop flag, to be retried"
# (the files searched are those that hold the stop's message just found)
grep -q 'stopped (shutting down)' "$TB/rsyslogd.out" "$TB/rsyslogd.log" &&
	! grep -q 'cancellation' "$TB/rsyslogd.out" "$TB/rsyslogd.log"
ok $? "rsyslog did not have to cancel the worker" || grep 'cancellation' "$TB/rsyslogd.out" | diag

rs_start
wait_for_calls 1 --path /2/tweets --status 201
ok $? "after the restart the alert is posted"
wait_for_calls 2 --path /2/tweets # the slow one is answered too, when its time is up
[ "$(record count --path /2/tweets --status 201)" -eq 1 ]; ok $? "exactly once (the other try met X's duplicate check)" ||
	record texts --path /2/tweets | diag
rs_stop

# the same for the digest timer's request: a state file with a count waiting
# since an hour ago makes the digest due at once; its post is answered
# slowly, and a stop while it waits ends it (the timer must not sleep
# through the stop: it gives up on the request and would retry in 30 s)
now=$(date +%s)
cat > "$TB/spool/slowdig.state" <<EOF2
{"format":"omtwitter-flood-state","version":1,"saved":$now,"period_start":$((now - 3600)),"blocked_until":0,"others":[0,0],"local":[],"daily":[],"server":[[-1,-1],[-1,-1],[-1,-1]],"entries":[["00112233445566778899aabbccddeeff","slowdig_alert waiting for a digest",0,3]]}
EOF2
chmod 600 "$TB/spool/slowdig.state"
rs_conf <<EOF2
if \$msg contains "slowdig_alert" then {
	action(type="omtwitter" name="slowdig" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" timeout="60000" statefile="$TB/spool/slowdig.state"
	       digest.interval="60"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF2
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":15000,"count":1}]}' >/dev/null
rs_start
sleep 3
t0=$SECONDS
rs_stop
took=$((SECONDS - t0))
[ "$took" -lt 10 ]; ok $? "SIGTERM while a digest waits for a 15 s answer: rsyslogd stopped after $took s"
wait_for_calls 3 --path /2/tweets
record get 2 text --path /2/tweets | grep -q '^Digest .*\[×3\] slowdig_alert waiting for a digest'
ok $? "that request was the digest" || record texts --path /2/tweets | diag
tb_done
