#!/bin/bash
# Refused text is never lost (issue #14, point 2): an alert X refuses
# permanently is written to an error file by default (beside the state
# file, in rsyslog's work directory); errorfile="" turns that off; the log
# line carries an excerpt of the alert.  The error file is never written
# through a symbolic link (O_NOFOLLOW).
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
mkdir -p "$TB/spool"
: > "$TB/target"
ln -s "$TB/target" "$TB/link.jsonl"
rs_conf <<EOF
if \$msg contains "refusal_default" then
	action(type="omtwitter" name="dflt" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL")
if \$msg contains "refusal_off" then
	action(type="omtwitter" name="off" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL" errorfile="")
if \$msg contains "refusal_thread" then
	action(type="omtwitter" name="thread" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL")
if \$msg contains "refusal_link" then
	action(type="omtwitter" name="link" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       errorfile="$TB/link.jsonl")
EOF
rs_start
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":400,"count":3}]}' >/dev/null
send_line "refusal_default: disk full on db1"
wait_for_calls 1 --path /2/tweets --status 400 || bail "no 400 for the first alert"
send_line "refusal_off: raid degraded"
wait_for_calls 2 --path /2/tweets --status 400 || bail "no 400 for the second alert"
send_line "refusal_link: fan failure"
wait_for_calls 3 --path /2/tweets --status 400 || bail "no 400 for the third alert"
wait_until grep -q 'omtwitter\[link\]: X refused' "$TB/rsyslogd.log"
# a thread of 3 whose part 2 is refused: part 3 cannot follow
long="refusal_thread: start $(for i in $(seq 110); do printf 'w%03d ' "$i"; done)THE_END"
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","status":400,"skip":1}]}' >/dev/null
send_line "$long"
wait_for_calls 4 --path /2/tweets --status 400 || bail "no 400 for the thread's second part"
wait_until grep -q 'omtwitter\[thread\]: X refused' "$TB/rsyslogd.log"
wait_until test -s "$TB/spool/omtwitter-thread.errors.jsonl"
rs_stop

dflt="$TB/spool/omtwitter-dflt.errors.jsonl"
[ -f "$dflt" ]; ok $? "without 'errorfile' the refused alert goes to the work directory ($(basename "$dflt"))"
# entry_ok FILE ACTION PART TEXT...: FILE is one JSON line, an entry of
# ACTION (part PART, "-": none) whose time is ISO 8601 UTC within the last
# 10 minutes, status 400, error said, and whose text is the first TEXT or,
# with more, holds the second and lacks the third
entry_ok() {
	[ -s "$1" ] || { echo "# $1 is missing or empty"; return 1; }
	"$PYTHON3" - "$@" <<'PY'
import calendar, json, sys, time
path, action, part, text = sys.argv[1:5]
rest = sys.argv[5:]
lines = open(path, encoding="utf-8").read().splitlines()
if len(lines) != 1:
    sys.exit("# %s: %d lines, not 1" % (path, len(lines)))
r = json.loads(lines[0])
t = calendar.timegm(time.strptime(r["time"], "%Y-%m-%dT%H:%M:%SZ"))
good = {"time": abs(time.time() - t) < 600, "action": r["action"] == action, "status": r["status"] == 400,
        "error": isinstance(r["error"], str) and r["error"].startswith("HTTP 400"),
        "part": r.get("part", "-") == part,
        "text": r["text"] == text if not rest else r["text"].startswith(text) and rest[0] in r["text"]
                and rest[1] not in r["text"]}
bad = [k for k, v in good.items() if not v]
sys.exit("# wrong: %s in %s" % (", ".join(bad), lines[0]) if bad else 0)
PY
}
entry_ok "$dflt" dflt - "refusal_default: disk full on db1"
ok $? "it holds the alert's time, action, status 400, error and text: one JSON line" || diag "$dflt"
[ "$(stat -c %a "$dflt")" = 600 ]; ok $? "its mode is 0600"
grep -qF 'omtwitter[dflt]: X refused the alert "refusal_default: disk full on db1" permanently (HTTP 400' "$TB/rsyslogd.log" &&
	grep -qF "its text was written to $dflt" "$TB/rsyslogd.log"
ok $? "the log line has an excerpt of the alert and names the file" || diag "$TB/rsyslogd.log"

ls "$TB"/spool/*.errors.jsonl > "$TB/errorfiles" 2>&1
grep -qF "$dflt" "$TB/errorfiles" && grep -qF "$TB/spool/omtwitter-thread.errors.jsonl" "$TB/errorfiles" &&
	! grep -q 'omtwitter-off\.' "$TB/errorfiles"
ok $? "errorfile=\"\": no error file was created for that action (the other actions' are listed)" ||
	diag "$TB/errorfiles"
grep -qF 'omtwitter[off]: X refused the alert "refusal_off: raid degraded" permanently' "$TB/rsyslogd.log" &&
	grep 'omtwitter\[off\]' "$TB/rsyslogd.log" | grep -q 'not retried (no errorfile)'
ok $? "its log line still carries the excerpt, and says there is no errorfile" || diag "$TB/rsyslogd.log"

# the module tried (it says so) and the link's target stayed empty
grep -q "omtwitter\[link\]: cannot write errorfile '$TB/link.jsonl': Too many levels of symbolic links" "$TB/rsyslogd.log"
ok $? "an errorfile that is a symbolic link is refused, and that is logged" || diag "$TB/rsyslogd.log"
[ -L "$TB/link.jsonl" ] && [ -f "$TB/target" ] && [ ! -s "$TB/target" ]
ok $? "it is not written through: the link is there, its target empty"
grep -qF 'omtwitter[link]: X refused the alert "refusal_link: fan failure" permanently' "$TB/rsyslogd.log"
ok $? "and the refusal's log line keeps the excerpt" || diag "$TB/rsyslogd.log"
# the thread
[ "$(record count --path /2/tweets --status 201)" -eq 1 ] &&
	record texts --path /2/tweets --status 201 | grep -q '^refusal_thread: start'
ok $? "thread: its first part was posted, nothing after the refused second" || record texts --path /2/tweets | diag
grep -qF 'omtwitter[thread]: X refused the alert "' "$TB/rsyslogd.log" &&
	grep -qF '(part 2 of a thread of 3; the 1 part after it was not posted) permanently' "$TB/rsyslogd.log"
ok $? "the log says which part was refused and that the rest was not posted" || diag "$TB/rsyslogd.log"
# part 1 ends within w001-w055 (274 characters of text), so part 2 starts with a later word
entry_ok "$TB/spool/omtwitter-thread.errors.jsonl" thread 2/3 w0 THE_END "w001 "
ok $? "the error file keeps parts 2 and 3 (up to the alert's last word), not the posted part 1, as one entry" ||
	diag "$TB/spool/omtwitter-thread.errors.jsonl"
tb_done
