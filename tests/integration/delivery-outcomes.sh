#!/bin/bash
# Delivery semantics (design section 6) with a real rsyslogd and the
# emulator's fault injection: 503 and 401 suspend and retry until the post
# arrives once; a permanent 400 is logged, counted, written to the errorfile
# and does not hold up later alerts; a 403 "duplicate content" answer to a
# first attempt (the same alert again) is posted again with the time added;
# after a 429 no request is made before the reset time.
# Finally the impstats counters must match exactly.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
# budget.pace="off": the outcomes of X's answers are the subject here, not
# how many distinct alerts the budget lets go at once (pacing holds the 4th)
rs_conf <<EOF
module(load="impstats" interval="1" format="json" log.file="$TB/stats.json"
       log.syslog="off" resetCounters="off")
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="alerts" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" errorfile="$TB/errors.jsonl" dedup.window="0" budget.pace="off"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
rs_start
posted() { wait_for_calls "$1" --path /2/tweets --status 201; }

# 503 twice, then the post goes through
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":503,"count":2}]}' >/dev/null
send_line "bird_alert A: 503 twice first"
posted 1; ok $? "after two 503 answers the alert is posted"
[ "$(record count --path /2/tweets --status 503)" -eq 2 ]; ok $? "exactly two attempts met the 503"

# a permanent 400 is consumed; the next alert is not held up
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":400,"count":1}]}' >/dev/null
# one connection: rsyslog 8.2504's imtcp works on sessions in parallel, so
# two connections' lines may reach the action in either order
send_line "bird_alert B: refused for good" "bird_alert C: after the refused one"
posted 2; ok $? "the alert after a permanent 400 is posted (no head-of-line blocking)"
[ "$(record texts --path /2/tweets --status 201 | tail -n 1)" = "bird_alert C: after the refused one" ]
ok $? "it is alert C"
[ "$(record count --path /2/tweets --status 400)" -eq 1 ]; ok $? "the refused alert was tried once, not retried"
"$PYTHON3" - "$TB/errors.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[0])
sys.exit(0 if len(lines) == 1 and r["text"] == "bird_alert B: refused for good" and r["status"] == 400
         and r["action"] == "alerts" and "Invalid Request" in r["error"] and r["time"].endswith("Z") else 1)
PY
ok $? "the errorfile holds one JSON line: text, status 400, X's error, action, time"
grep -qF "omtwitter[alerts]: X refused the alert \"bird_alert B: refused for good\" permanently (HTTP 400: Invalid Request" "$TB/rsyslogd.log"
ok $? "the refusal is logged with an excerpt of the alert and X's error text" || diag "$TB/rsyslogd.log"
grep -qF "it is not retried; its text was written to $TB/errors.jsonl" "$TB/rsyslogd.log"
ok $? "and says where its text was kept" || diag "$TB/rsyslogd.log"

# the same text again: X answers 403 duplicate content, which is not a failure:
# the recurrence goes out with the time added
send_line "bird_alert A: 503 twice first"
wait_for_calls 1 --path /2/tweets --status 403
ok $? "a repeated text gets X's 403 duplicate-content answer"
posted 3; ok $? "and is posted again"
record texts --path /2/tweets --status 201 | grep -Eq '^bird_alert A: 503 twice first \([0-9:]{8} UTC\)$'
ok $? "with the time added"

# 401 twice: suspended, logged once, then posted
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":401,"count":2}]}' >/dev/null
send_line "bird_alert E: after 401s"
posted 4; ok $? "after two 401 answers the alert is posted"
[ "$(grep -c 'X rejected the credentials' "$TB/rsyslogd.log")" -eq 1 ]
ok $? "the 401 is logged once, not per retry"

# 429 with a reset three seconds ahead: nothing is sent before it
reset=$(( $(date +%s) + 3 ))
emu_control POST /_emu/faults "{\"faults\":[{\"path\":\"/2/tweets\",\"status\":429,\"count\":1,
	\"headers\":{\"x-rate-limit-remaining\":\"0\",\"x-rate-limit-reset\":\"$reset\"}}]}" >/dev/null
send_line "bird_alert F: after a 429"
posted 5; ok $? "after the 429 the alert is posted"
record quiet-after-429 "$reset"
ok $? "no request between the 429 and its reset time"
grep -q 'omtwitter\[alerts\]: rate limited by X (HTTP 429' "$TB/rsyslogd.log"; ok $? "the 429 is logged"

sleep 2 # one more impstats interval
rs_stop
[ "$(record count --path /2/tweets --status 201)" -eq 5 ]; ok $? "five posts in all (one the recurrence), none twice"
"$PYTHON3" "$OMTW_SRCDIR/tests/integration/impstats.py" "$TB/stats.json" alerts submitted=6 posted=5 \
	failures=1 ratelimited=1 requests=12 retries=5 deduplicated=0 reposted=1
ok $? "impstats counters: submitted 6, posted 5, reposted 1, failures 1, ratelimited 1, requests 12, retries 5"
tb_done
