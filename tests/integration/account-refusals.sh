#!/bin/bash
# An account-level refusal is not the alert's fault (issue #14, point 1):
# an app whose permission is still "Read" (403 oauth1-permissions) or a
# wrong API path (404) suspends the action; the alerts wait in the queue,
# the log says once what is wrong and how to fix it, and after the fix
# every alert is posted exactly once.  None is "refused permanently".
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
rs_conf <<EOF
if \$msg contains "acct_alert" then {
	action(type="omtwitter" name="acct" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="0" ratelimit.burst="100" budget.daily="1000"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
rs_start
perm='{"title":"Forbidden","status":403,"detail":"Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.","type":"https://api.twitter.com/2/problems/oauth1-permissions"}'
# 1. the app's permission is "Read" until the 6th answer (the fix)
emu_control POST /_emu/faults "{\"faults\":[{\"path\":\"/2/tweets\",\"status\":403,\"count\":6,\"body\":$perm}]}" >/dev/null
send_line "acct_alert 1: disk full" "acct_alert 2: raid degraded" "acct_alert 3: fan failure"
wait_for_calls 6 --path /2/tweets --status 403; ok $? "six posts met the permission refusal"
wait_for_calls 3 --path /2/tweets --status 201; ok $? "after the fix the alerts are posted"
sleep 2
texts=$(record texts --path /2/tweets --status 201 | sort)
[ "$texts" = "$(printf 'acct_alert 1: disk full\nacct_alert 2: raid degraded\nacct_alert 3: fan failure')" ]
ok $? "all three, each exactly once" || record texts --path /2/tweets | diag
grep -q 'omtwitter\[acct\]: X refused the account, not the alert (HTTP 403: Forbidden: Your client app is not configured' "$TB/rsyslogd.log"
ok $? "the log says the account was refused" || diag "$TB/rsyslogd.log"
grep -q "Fix: set the app's permission to 'Read and write'.*regenerate the access token" "$TB/rsyslogd.log"
ok $? "and how to fix it" || diag "$TB/rsyslogd.log"
[ "$(grep -c 'X refused the account' "$TB/rsyslogd.log")" -eq 1 ]
ok $? "once, not once per retry"

# 2. a 404 for the post endpoint itself: the alert waits as well
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":404,"count":2}]}' >/dev/null
send_line "acct_alert 4: psu failure"
wait_for_calls 2 --path /2/tweets --status 404; ok $? "a 404 for the post path"
wait_for_calls 4 --path /2/tweets --status 201; ok $? "then the alert is posted"
grep -q "omtwitter\[acct\]: X refused the account, not the alert (HTTP 404.*Fix: the API path was not found: check parameter 'endpoint'" "$TB/rsyslogd.log"
ok $? "the log points at the endpoint" || diag "$TB/rsyslogd.log"

grep -q 'X refused the alert' "$TB/rsyslogd.log" "$TB/rsyslogd.log"
[ $? -eq 1 ] && grep -q 'X refused the account' "$TB/rsyslogd.log"
ok $? "no alert was refused permanently" || diag "$TB/rsyslogd.log"
[ ! -e "$TB/spool/omtwitter-acct.errors.jsonl" ] && [ -d "$TB/spool" ]
ok $? "and nothing went to the error file"
rs_stop
tb_done
