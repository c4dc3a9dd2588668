#!/bin/bash
# A thread cut by a stop or a crash continues as replies (issue #14,
# point 4): the parts already posted and the id of the last one are in the
# state file, so after rsyslogd comes back the queued alert resumes at its
# first part not posted, as a reply to the last one posted -- not as a new
# top-level post, and without posting part 1 again.  Once with SIGTERM, once
# with SIGKILL (a disk queue that checkpoints every message keeps the alert).
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
rs_conf <<EOF2
if \$msg contains "thread_alert" then {
	action(type="omtwitter" name="threads" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="0" ratelimit.burst="100" budget.daily="1000" maxparts="3"
	       queue.type="Disk" queue.filename="threads" queue.checkpointInterval="1"
	       queue.saveOnShutdown="on"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF2
rs_start

# long ALERT-NAME: one alert line that needs three posts
long() {
	printf 'thread_alert %s:' "$1"
	for i in $(seq 1 60); do printf ' w%02d-%s' "$i" "$1"; done
}

# thread_ok NAME: the thread NAME is three posts on X, each part once, and
# part 2 replies to part 1, part 3 to part 2
thread_ok() {
	"$PYTHON3" - "$TB/record.jsonl" "$1" <<'PY'
import json, re, sys
calls = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
posts = [c for c in calls if c.get("path") == "/2/tweets" and c.get("status") == 201
         and "-%s" % sys.argv[2] in (c.get("text") or "")]
for c in posts:
    print("# %s %s reply_to=%s %s" % (c["id"], re.search(r"\(\d/\d\)$", c["text"]).group(0),
                                      c.get("reply_to"), c["text"][:40]))
parts = {}
for c in posts:
    k = re.search(r"\((\d)/3\)$", c["text"]).group(1)
    parts.setdefault(k, []).append(c)
ok = sorted(parts) == ["1", "2", "3"] and all(len(v) == 1 for v in parts.values())
ok = ok and parts["1"][0].get("reply_to") is None
ok = ok and parts["2"][0].get("reply_to") == parts["1"][0]["id"]
ok = ok and parts["3"][0].get("reply_to") == parts["2"][0]["id"]
sys.exit(0 if ok else 1)
PY
}

round=0
for how in TERM KILL; do
	round=$((round + 1))
	# part 1 goes out, then X fails until the fault is cleared
	emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":503,"count":-1,"skip":1}]}' >/dev/null
	n201=$(record count --path /2/tweets --status 201)
	n503=$(record count --path /2/tweets --status 503)
	send_line "$(long "$how")"
	wait_for_calls $((n201 + 1)) --path /2/tweets --status 201; ok $? "$how: part 1 of 3 is posted"
	wait_for_calls $((n503 + 2)) --path /2/tweets --status 503; ok $? "$how: part 2 meets an outage"
	if [ "$how" = TERM ]; then
		rs_stop
	else
		kill -KILL "$RS_PID"
		tb_wait_exit "$RS_PID" 10
	fi
	grep -Eq '"posting":\[.*\["[0-9a-f]+",1,3,"[0-9]+"\]' "$TB/spool/omtwitter-threads.state"
	ok $? "$how: the state file says part 1 of 3 was posted, with its id" ||
		diag "$TB/spool/omtwitter-threads.state"
	emu_control DELETE /_emu/faults >/dev/null
	rs_start
	wait_for_calls $((n201 + 3)) --path /2/tweets --status 201; ok $? "$how: after the restart the thread is complete"
	sleep 1
	thread_ok "$how"; ok $? "$how: parts 2 and 3 follow as replies; part 1 is posted once"
	[ "$(grep -c "omtwitter\[threads\]: resuming a thread cut by a stop: part 2/3 follows as a reply to post" "$TB/rsyslogd.log")" -eq "$round" ]
	ok $? "$how: the log says the thread resumed"
	[ "$(record count --path /2/tweets --status 403)" -eq 0 ]; ok $? "$how: no part was sent twice"
done
rs_stop
tb_done
