#!/bin/bash
# Secret hygiene (issue #6): rsyslogd runs with its debug output on (-d,
# RSYSLOG_DEBUGLOG) while the module posts an alert and a thread, meets a
# permanent 400 (errorfile), a 401 with a wrong secret, rereads the
# credentials on HUP and saves its state; then every file and stream of the
# run is searched for each secret value: there must be no hit.  Each search
# first proves it can see: the files it must cover exist and hold what they
# are for (the errorfile the refused alert's JSON line), and the same
# search finds a secret planted in a file beside them.
# (budget.pace="off": the five posts and the refusal are not a storm to pace.)
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
cp "$TB/omtwitter.cred" "$TB/good.cred"
rs_conf <<EOF
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="alerts" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" errorfile="$TB/errors.jsonl" dedup.window="0" budget.pace="off"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
mkdir -p "$TB/spool"
export RSYSLOG_DEBUGLOG="$TB/debug.log"
RS_ARGS=-d rs_start
send_line "bird_alert one" "bird_alert $(printf 'long %.0s' $(seq 80))"
wait_for_calls 3 --path /2/tweets --status 201; ok $? "with debug output on, an alert and a thread are posted"
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":400,"count":1}]}' >/dev/null
send_line "bird_alert refused"
wait_for_calls 1 --path /2/tweets --status 400; ok $? "X answers the alert 'bird_alert refused' with a permanent 400"
# errorfile_holds FILE: FILE exists and is one JSON line, the refused alert:
# its time (ISO 8601 UTC, within the last 10 minutes), action, status 400,
# error and text (errorfile.sh checks the file's other properties)
errorfile_holds() {
	[ -s "$1" ] || { echo "# $1 is missing or empty"; return 1; }
	"$PYTHON3" - "$1" <<'PY'
import calendar, json, sys, time
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
if len(lines) != 1:
    sys.exit("# %d lines, not 1" % len(lines))
r = json.loads(lines[0])
t = calendar.timegm(time.strptime(r["time"], "%Y-%m-%dT%H:%M:%SZ"))
bad = [k for k, good in (("time", abs(time.time() - t) < 600), ("action", r["action"] == "alerts"),
                         ("status", r["status"] == 400), ("error", isinstance(r["error"], str) and r["error"] != ""),
                         ("text", r["text"] == "bird_alert refused"), ("part", "part" not in r)) if not good]
sys.exit("# wrong: %s in %s" % (", ".join(bad), lines[0]) if bad else 0)
PY
}
wait_until errorfile_holds "$TB/errors.jsonl"
ok $? "the permanent 400 goes to the errorfile: one JSON line with its time, action, status 400, error and text" ||
	diag "$TB/rsyslogd.log"
sed -i 's/^access_token_secret=.*/access_token_secret=tbWrongSecret-0123456789abcdef/' "$TB/omtwitter.cred"
kill -HUP "$RS_PID"
sleep 1
send_line "bird_alert after a bad secret"
wait_for_calls 1 --path /2/tweets --status 401; ok $? "a wrong secret meets a 401"
cp "$TB/good.cred" "$TB/omtwitter.cred"
kill -HUP "$RS_PID"
wait_for_calls 4 --path /2/tweets --status 201; ok $? "after the fix and a HUP it is posted"
rs_stop
unset RSYSLOG_DEBUGLOG
[ -s "$TB/debug.log" ]; ok $? "the debug log was written ($(wc -c < "$TB/debug.log") bytes)"
grep -q 'omtwitter\[alerts\]' "$TB/debug.log"; ok $? "and it covers the module"
# what the searches below must cover: each file there and holding what it is for
errorfile_holds "$TB/errors.jsonl"
ok $? "after the stop the errorfile still holds the refused alert, and only it"
[ -s "$TB/spool/omtwitter-alerts.state" ] &&
	"$PYTHON3" -c 'import json, sys; json.load(open(sys.argv[1]))' "$TB/spool/omtwitter-alerts.state"
ok $? "the state file was saved (spool/omtwitter-alerts.state, JSON)"
grep -qF 'bird_alert after a bad secret' "$TB/debug.log" && grep -qF 'omtwitter[alerts]' "$TB/rsyslogd.log" &&
	[ -s "$TB/rsyslogd.out" ]
ok $? "the debug log has the alerts, rsyslogd.log the module's messages, rsyslogd.out the output"
# secret_hits SECRET: the files of the run holding SECRET (the credentials files aside)
secret_hits() {
	grep -rlF --exclude='*.cred' -- "$1" "$TB" | tr '\n' ' '
}
mkdir -p "$TB/probe"
for secret in tbConsumerSecret-abcdefghijklmnopqrstuvwxyz012345 \
	tbAccessTokenSecret-zyxwvutsrqponmlkjihgfedcba9876 tbWrongSecret-0123456789abcdef; do
	# the search sees a secret where one could leak: planted in a log line
	# like the errorfile's, it is found there and nowhere else
	printf '{"error":"a planted leak: %s"}\n' "$secret" > "$TB/probe/leak.jsonl"
	hits=$(secret_hits "$secret")
	rm -f "$TB/probe/leak.jsonl"
	[ "$hits" = "$TB/probe/leak.jsonl " ]
	ok $? "the search finds ${secret%%-*} planted in a file of the run, and in no other file (${hits:-none})"
	hits=$(secret_hits "$secret")
	[ -z "$hits" ]
	ok $? "no trace of ${secret%%-*} in any log, debug output, stdout/stderr, errorfile or state (${hits:-none})"
done
tb_done
