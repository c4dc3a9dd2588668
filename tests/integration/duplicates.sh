#!/bin/bash
# X's 403 "duplicate content" (issue #14, point 3).  It means "posted" only
# for a retry of a post that may have arrived (the answer was lost); for an
# alert posted for the first time -- the same alert back after
# dedup.window -- X refused an identical text: it goes out again with the
# time added, so the recurrence reaches the phone, and is counted.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
rs_conf <<EOF2
module(load="impstats" interval="1" format="json" log.file="$TB/stats.json"
       log.syslog="off" resetCounters="off")
if \$msg contains "dup_alert" then {
	action(type="omtwitter" name="dupes" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="2" ratelimit.burst="100" budget.daily="1000" timeout="1000"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="4")
}
if \$msg contains "dupdig_alert" then {
	action(type="omtwitter" name="dupdigest" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="600" digest.interval="2" digest.repeat="0" ratelimit.burst="100" budget.daily="1000"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF2
rs_start

# 1. the same alert again after its dedup window: X refuses the identical text
send_line "dup_alert disk full on db1"
wait_for_calls 1 --path /2/tweets --status 201; ok $? "the alert is posted"
sleep 3 # its dedup window (2 s) is over: the recurrence is posted, not counted
send_line "dup_alert disk full on db1"
wait_for_calls 1 --path /2/tweets --status 403; ok $? "the recurrence met X's duplicate-content refusal"
wait_for_calls 2 --path /2/tweets --status 201; ok $? "and was posted again"
second=$(record get 1 text --path /2/tweets --status 201)
echo "$second" | grep -Eq '^dup_alert disk full on db1 \([0-2][0-9]:[0-5][0-9]:[0-6][0-9] UTC\)$'
ok $? "with the time added: '$second'"
grep -q 'omtwitter\[dupes\]: X refused part 1/1 as a duplicate of an earlier post; posted again with the time added' "$TB/rsyslogd.log"
ok $? "the log says so" || diag "$TB/rsyslogd.log"

# 2. a retry of a post whose answer was lost: the post did arrive.  The
# emulator holds the first attempt 2.5 s, then creates the post: the module
# gave it up at 1 s (timeout), and retries only action.resumeInterval (4 s)
# after that, so it is the retry that meets the duplicate-content answer.
# (With the retry 1 s after the timeout it came first: it created the post
# and the 403 went to the abandoned first attempt, not to the module.)
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":2500,"count":1}]}' >/dev/null
send_line "dup_alert raid md0 degraded"
wait_for_calls 2 --path /2/tweets --status 403; ok $? "the retry met the duplicate-content answer"
[ "$(record get 2 fault --path /2/tweets --status 201)" = "delay 2500ms" ] &&
	[ "$(record get 2 text --path /2/tweets --status 201)" = "dup_alert raid md0 degraded" ] &&
	[ "$(record get 1 fault --path /2/tweets --status 403)" = null ] &&
	[ "$(record get 1 text --path /2/tweets --status 403)" = "dup_alert raid md0 degraded" ]
ok $? "the delayed first attempt created the post; the 403 was the retry's answer" ||
	record show --path /2/tweets | grep -E '"(time|status|text|fault)"' | diag
sleep 3
[ "$(record count --path /2/tweets --status 201)" -eq 3 ] &&
	[ "$(record texts --path /2/tweets --status 201 | grep -c 'raid md0')" -eq 1 ]
ok $? "it counts as posted: the alert is on X once, not again with the time" ||
	record summary --path /2/tweets | diag
[ "$(grep -c 'posted again with the time added' "$TB/rsyslogd.log")" -eq 1 ]
ok $? "nothing more was posted again"
wait_until "$PYTHON3" "$OMTW_SRCDIR/tests/integration/impstats.py" "$TB/stats.json" dupes reposted=1 posted=3
ok $? "impstats counts the repost (reposted 1)"

# 3. a digest X refuses as a duplicate on its first try goes out with the time
dup='{"title":"Forbidden","status":403,"type":"about:blank","detail":"You are not allowed to create a Tweet with duplicate content."}'
emu_control POST /_emu/faults "{\"faults\":[{\"path\":\"/2/tweets\",\"status\":403,\"skip\":1,\"body\":$dup}]}" >/dev/null
send_line "dupdig_alert fan failure" "dupdig_alert fan failure"
wait_for_calls 3 --path /2/tweets --status 403; ok $? "the digest's first try met a duplicate-content answer"
wait_for_calls 5 --path /2/tweets --status 201; ok $? "and the digest was posted"
record texts --path /2/tweets --status 201 | grep -Eq '^Digest .*fan failure.* \([0-2][0-9]:[0-5][0-9]:[0-6][0-9] UTC\)$'
ok $? "with the time added" || record texts --path /2/tweets | diag
wait_until "$PYTHON3" "$OMTW_SRCDIR/tests/integration/impstats.py" "$TB/stats.json" dupdigest reposted=1 digests=1
ok $? "impstats counts it"
rs_stop
tb_done
