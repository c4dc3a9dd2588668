#!/bin/bash
# Zero loss under faults (issue #6, design section 6): numbered alerts go
# through a real rsyslogd with the disk-assisted queue of conf-examples
# while the emulator fails in every way we know; each scenario ends by
# checking that the emulator accepted every alert exactly once (a 403
# "duplicate content" answer to a retry of a post that did arrive is the one
# allowed extra).  Order is reported, not required: rsyslog 8.2302 hands a
# suspended message back after the messages behind it (its queue does not
# keep order across a retry of a non-transactional action), and the
# transactional interface, which would, loses the batch when rsyslogd stops
# during an outage.  Flood control is off here: every alert is posted.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
cp "$TB/omtwitter.cred" "$TB/good.cred"
rs_conf <<EOF
module(load="impstats" interval="1" format="json" log.file="$TB/stats.json"
       log.syslog="off" resetCounters="off")
if \$msg contains "fault_alert" then {
	action(type="omtwitter" name="faults" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" timeout="2000" errorfile="$TB/errors.jsonl"
	       dedup.window="0" ratelimit.interval="0" budget.daily="0"
	       queue.type="LinkedList" queue.filename="faults" queue.saveOnShutdown="on"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
mkdir -p "$TB/spool"
rs_start

# send_alerts SCENARIO FROM TO: "fault_alert SCENARIO-NNN" lines
send_alerts() {
	send_line $(for i in $(seq -f %03g "$2" "$3"); do echo "fault_alert_$1-$i"; done)
}

# delivered SCENARIO FROM TO [REFUSED]: every alert FROM..TO accepted (201)
# exactly once; REFUSED (a number) must have no 201 at all.
delivered() {
	"$PYTHON3" - "$TB/record.jsonl" "$@" <<'PY'
import json, sys
path, scen, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
refused = {int(x) for x in sys.argv[5:]}
calls = [json.loads(l) for l in open(path) if l.strip()]
# created posts only (an injected half answer "201" creates nothing)
ok = [c["text"] for c in calls if c.get("status") == 201 and c.get("id") and c.get("path") == "/2/tweets"
      and (c.get("text") or "").startswith("fault_alert_%s-" % scen)]
want = ["fault_alert_%s-%03d" % (scen, i) for i in range(lo, hi + 1) if i not in refused]
dups = [c["text"] for c in calls if c.get("status") == 403 and c.get("text") in want]
print("# %s: %d of %d accepted, %d duplicate answers, %s" % (scen, len(ok), len(want), len(dups),
      "in order" if ok == want else "order: " + " ".join(t.rsplit("-", 1)[1] for t in ok)))
sys.exit(0 if sorted(ok) == want else 1)
PY
}

# wait_delivered SCENARIO FROM TO [REFUSED]
wait_delivered() { wait_until delivered "$@"; }

# 1. 503 for the first 5 requests, then recovery
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":503,"count":5}]}' >/dev/null
send_alerts 1 1 20
wait_delivered 1 1 20; ok $? "503 for 5 requests: all 20 alerts arrive exactly once"
[ "$(record count --path /2/tweets --status 503)" -eq 5 ]; ok $? "the 5 failures were met"

# 2. the API is down (connection refused) for 30 s while alerts arrive
emu_stop
send_alerts 2 1 10
sleep 15
send_alerts 2 11 20
sleep 15
emu_start
wait_delivered 2 1 20; ok $? "30 s of connection refused: all 20 alerts arrive exactly once"

# 3. answers slower than the timeout, and connections reset mid-response
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":3000,"count":2},
	{"path":"/2/tweets","action":"partial","status":201,"count":2},
	{"path":"/2/tweets","action":"reset","count":2}]}' >/dev/null
send_alerts 3 1 20
wait_delivered 3 1 20
ok $? "slow answers, half answers and resets: all 20 alerts arrive exactly once"
[ "$(record count --path /2/tweets --status 403)" -ge 1 ]
ok $? "a post that arrived although its answer timed out got X's 403 duplicate answer on the retry"

# 4. 401 until the credentials file is fixed and rsyslogd gets a HUP
sed -i 's/^access_token_secret=.*/access_token_secret=tbWrongSecret/' "$TB/omtwitter.cred"
kill -HUP "$RS_PID"
sleep 1
send_alerts 4 1 10
sleep 4
[ "$(record count --path /2/tweets --status 401)" -ge 1 ] && ! delivered 4 1 1 >/dev/null
ok $? "with a wrong secret X answers 401 and nothing is posted"
cp "$TB/good.cred" "$TB/omtwitter.cred"
kill -HUP "$RS_PID"
wait_delivered 4 1 10; ok $? "after the fix and a HUP all 10 alerts arrive exactly once"
[ "$(grep -c 'X rejected the credentials' "$TB/rsyslogd.log")" -eq 1 ]
ok $? "the 401 was logged once, not once per retry"

# 7. a permanent 400 for one alert: logged, counted, in the errorfile; the rest arrive
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":400,"count":1}]}' >/dev/null
send_alerts 7 1 10
wait_delivered 7 1 10 1; ok $? "one alert refused with 400: the 9 after it arrive (no wedged action)"
grep -q '"text":"fault_alert_7-001"' "$TB/errors.jsonl"; ok $? "the refused alert is in the errorfile"
[ "$(grep -c 'X refused the alert "fault_alert_7-001" permanently' "$TB/rsyslogd.log")" -eq 1 ]; ok $? "and logged"

# 6. outage, SIGTERM mid-outage, restart: the disk-assisted queue keeps everything
emu_stop
send_alerts 6 1 20
sleep 3
rs_stop
rs_start
sleep 2
emu_start
wait_delivered 6 1 20; ok $? "outage + restart: all 20 alerts arrive exactly once"

sleep 2
rs_stop
! grep -qE 'tbConsumerSecret|tbAccessTokenSecret|tbWrongSecret' "$TB"/*.log "$TB"/*.out "$TB"/*.jsonl
ok $? "no secret in any log"
tb_done
