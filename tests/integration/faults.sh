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

# none_delivered SCENARIO FROM TO: no alert FROM..TO was accepted, while the
# record shows alerts of other scenarios were (so the search can find one)
none_delivered() {
	"$PYTHON3" - "$TB/record.jsonl" "$@" <<'PY'
import json, sys
path, scen, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
calls = [json.loads(l) for l in open(path) if l.strip()]
posted = [c.get("text") or "" for c in calls if c.get("status") == 201 and c.get("path") == "/2/tweets"]
want = {"fault_alert_%s-%03d" % (scen, i) for i in range(lo, hi + 1)}
got = [t for t in posted if t in want]
print("# %s: %d of %d accepted (%d accepted posts of other scenarios)" % (scen, len(got), len(want), len(posted) - len(got)))
sys.exit(0 if not got and len(posted) > 0 else 1)
PY
}

# requests [FROM-BYTE]: the action's 'requests' counter in the last impstats
# line (from FROM-BYTE of stats.json on: the rsyslogd started then), -1 if none
requests() {
	"$PYTHON3" - "$TB/stats.json" "${1:-0}" <<'PY'
import json, sys
v = -1
try:
    with open(sys.argv[1], "rb") as f:
        f.seek(int(sys.argv[2]))
        text = f.read().decode(errors="replace")
except OSError:
    text = ""
for l in text.splitlines():
    try:
        o = json.loads(l[l.find("{"):])
    except ValueError:
        continue
    if o.get("origin") == "omtwitter" and o.get("name") == "faults":
        v = o.get("requests", 0)
print(v)
PY
}

# requests_reach N [FROM-BYTE]: until the action has made N requests (tried N times)
requests_reach() { [ "$(requests "${2:-0}")" -ge "$1" ]; }

# 1. 503 for the first 5 requests, then recovery
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":503,"count":5}]}' >/dev/null
send_alerts 1 1 20
wait_delivered 1 1 20; ok $? "503 for 5 requests: all 20 alerts arrive exactly once"
[ "$(record count --path /2/tweets --status 503)" -eq 5 ]; ok $? "the 5 failures were met"

# 2. the API is down (connection refused) over several retries while alerts arrive
emu_stop
r0=$(requests)
send_alerts 2 1 10
wait_until requests_reach $((r0 + 3)) || echo "# no retry seen during the outage"
send_alerts 2 11 20
wait_until requests_reach $((r0 + 6)) || echo "# no retry seen during the outage"
emu_start
wait_delivered 2 1 20; ok $? "connection refused over several retries while alerts arrive: all 20 alerts arrive exactly once"

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
huped=$(grep -c 'rsyslogd was HUPed' "$TB/rsyslogd.log")
kill -HUP "$RS_PID"
wait_until eval '[ "$(grep -c "rsyslogd was HUPed" "$TB/rsyslogd.log")" -gt '"$huped"' ]' || echo "# the HUP was not logged"
send_alerts 4 1 10
wait_calls_401() { [ "$(record count --path /2/tweets --status 401)" -ge 2 ]; }
wait_until wait_calls_401 # the first try and a retry
[ "$(record count --path /2/tweets --status 401)" -ge 2 ] && none_delivered 4 1 10
ok $? "with a wrong secret X answers 401 (first try and retry) and none of the 10 alerts is posted"
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
r0=$(requests)
send_alerts 6 1 20
wait_until requests_reach $((r0 + 2)) || echo "# no try seen during the outage"
rs_stop
from=$(stat -c %s "$TB/stats.json")
rs_start
wait_until requests_reach 1 "$from" || echo "# the restarted rsyslogd did not try during the outage"
emu_start
wait_delivered 6 1 20; ok $? "outage + restart: all 20 alerts arrive exactly once"

rs_stop
no_secret "$TB"/*.log "$TB"/*.out "$TB"/*.jsonl
ok $? "no secret in any log"
tb_done
