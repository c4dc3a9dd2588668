#!/bin/bash
# After a crash rsyslog's disk queue hands back the batch that was in
# flight, alerts already posted included (issue #14): the module recognises
# them -- the state file lists every alert being posted and, without a dedup
# window, every alert posted in the last 10 minutes -- so X's "duplicate
# content" for them means "posted", and none is posted a second time with
# the time added.  rsyslogd is killed with SIGKILL while delivering.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
# room for every post and every replayed request in the emulator's window
emu_control POST /_emu/limits '{"rate_limit": 100000, "rate_remaining": 100000}' > /dev/null
rs_conf <<EOF2
if \$msg contains "replay_alert" then {
	action(type="omtwitter" name="replay" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="0" ratelimit.interval="0" budget.daily="0"
	       queue.type="Disk" queue.filename="replay" queue.checkpointInterval="1"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF2
rs_start
N=100
# every post takes 50 ms: the kill comes in the middle of the queue's batch
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":50,"count":-1}]}' > /dev/null
send_line $(for i in $(seq -f %03g $N); do echo "replay_alert_$i"; done)
wait_for_calls $((N / 2)) --path /2/tweets --status 201; ok $? "half of the alerts are posted"
kill -KILL "$RS_PID"
tb_wait_exit "$RS_PID" 10
ok $? "rsyslogd killed while delivering"
emu_control DELETE /_emu/faults > /dev/null
rs_start
wait_for_calls $N --path /2/tweets --status 201; ok $? "after the restart the rest are posted"
sleep 3 # the replayed ones are answered "duplicate content"
[ "$(record count --path /2/tweets --status 403)" -ge 1 ]
ok $? "the queue handed back alerts already posted (X answered 'duplicate content')"
texts=$(record texts --path /2/tweets --status 201)
[ "$(echo "$texts" | sort -u | wc -l)" -eq $N ] && [ "$(echo "$texts" | wc -l)" -eq $N ] &&
	! echo "$texts" | grep -q 'UTC)$'
ok $? "each of the $N alerts is on X exactly once, none again with the time" ||
	echo "$texts" | sort | uniq -c | sort -rn | head -5 | diag
rs_stop
tb_done
