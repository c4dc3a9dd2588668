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
! grep -q 'cancellation' "$TB/rsyslogd.out" "$TB/rsyslogd.log"
ok $? "rsyslog did not have to cancel the worker" || grep 'cancellation' "$TB/rsyslogd.out" | diag

rs_start
wait_for_calls 1 --path /2/tweets --status 201
ok $? "after the restart the alert is posted"
wait_for_calls 2 --path /2/tweets # the slow one is answered too, when its time is up
[ "$(record count --path /2/tweets --status 201)" -eq 1 ]; ok $? "exactly once (the other try met X's duplicate check)" ||
	record texts --path /2/tweets | diag
rs_stop
tb_done
