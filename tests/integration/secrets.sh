#!/bin/bash
# Secret hygiene (issue #6): rsyslogd runs with its debug output on (-d,
# RSYSLOG_DEBUGLOG) while the module posts an alert and a thread, meets a
# permanent 400 (errorfile), a 401 with a wrong secret, rereads the
# credentials on HUP and saves its state; then every file and stream of the
# run is searched for each secret value: there must be no hit.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
cp "$TB/omtwitter.cred" "$TB/good.cred"
rs_conf <<EOF
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="alerts" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" errorfile="$TB/errors.jsonl" dedup.window="0"
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
wait_for_calls 1 --path /2/tweets --status 400; ok $? "a permanent 400 goes to the errorfile"
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
for secret in tbConsumerSecret-abcdefghijklmnopqrstuvwxyz012345 \
	tbAccessTokenSecret-zyxwvutsrqponmlkjihgfedcba9876 tbWrongSecret-0123456789abcdef; do
	hits=$(grep -rlF --exclude='*.cred' -- "$secret" "$TB" | tr '\n' ' ')
	[ -z "$hits" ]
	ok $? "no trace of ${secret%%-*} in any log, debug output, stdout/stderr, errorfile or state (${hits:-none})"
done
tb_done
