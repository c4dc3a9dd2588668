#!/bin/bash
# Incidents in a real rsyslogd (issue #16): alert lines that differ only in
# their variable parts are one incident -- its first line is posted as it
# is, the others are counted, and the digest row shows the template, the
# exact count and the values; the incidents survive a restart (the same
# kind of line after it joins the same incident); group="exact" keeps each
# text apart.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
emu_control POST /_emu/limits '{"rate_limit": 100000, "rate_remaining": 100000,
	"user_24h_limit": 100000, "user_24h_remaining": 100000}' >/dev/null
write_creds "$TB/omtwitter.cred"
mkdir -p "$TB/spool"
# conf DIGEST_INTERVAL DIGEST_REPEAT: one grouping action and one exact action
# (budget.pace="off": grouping is the subject, not how many posts the budget
# lets go at once)
conf() {
	rs_conf <<EOF
if \$msg contains "inc_alert" then {
	action(type="omtwitter" name="grouping" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       digest.interval="$1" digest.repeat="$2" budget.pace="off" queue.type="LinkedList" queue.filename="grouping"
	       queue.saveOnShutdown="on" action.resumeRetryCount="-1" action.resumeInterval="1")
}
if \$msg contains "exact_alert" then {
	action(type="omtwitter" name="exactly" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       group="exact" digest.interval="$1" budget.pace="off" queue.type="LinkedList"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
}
posts() { record texts --path /2/tweets --status 201 | grep -c -- "$1"; }
wait_posts() { # N PATTERN
	local end=$((SECONDS + TB_TIMEOUT))
	while [ "$(posts "$2")" -lt "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
state="$TB/spool/omtwitter-grouping.state"

# 1. before a restart: the first line of each incident is posted, the rest counted
conf 3600 14400
rs_start
send_line "inc_alert sshd: failed login for invalid user u0827" \
	"inc_alert sshd: failed login for invalid user admin" \
	"inc_alert sshd: failed login for invalid user u0832" \
	"inc_alert disk /var full on db1" \
	"inc_alert sshd: failed login for invalid user admin" \
	"exact_alert link eth0 down" "exact_alert link eth1 down"
wait_posts 1 "inc_alert disk /var full on db1"
ok $? "a line whose leading words differ is another incident, posted" || record texts --path /2/tweets | diag
wait_posts 2 "exact_alert link eth"
ok $? "group=\"exact\": two texts that differ in a number are two alerts, both posted"
rs_stop # a clean stop: the state is saved
[ "$(posts 'inc_alert sshd: failed login for invalid user u0827')" -eq 1 ] &&
	[ "$(posts 'inc_alert sshd')" -eq 1 ]
ok $? "of the four failed logins only the first is posted, as it is (not as its template)" ||
	record texts --path /2/tweets | diag
[ -s "$state" ]; ok $? "the state file was written"
got=$("$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
inc = d["incidents"]["list"]
vals = [x for e in d["entries"] if len(e) == 5 for x in e[4].get("values", [])]
print(len(inc), sorted(n for v, n in vals), sorted(v for v, n in vals))' "$state" 2>&1)
[ "$got" = "2 [1, 2] ['admin', 'u0832']" ]
ok $? "it keeps both incidents and the values counted for the digest (admin twice, u0832 once): $got" ||
	diag "$state"

# 2. after the restart, with a short digest interval and the incident's
# restatement due (digest.repeat 1 s): a line of the same incident is
# counted, not posted, and the digest has all three values
conf 2 1
rs_start
send_line "inc_alert sshd: failed login for invalid user root"
wait_posts 1 "^Digest "
ok $? "a digest goes out after the restart" || record texts --path /2/tweets | diag
digest=$(record texts --path /2/tweets --status 201 | grep '^Digest ' | grep inc_alert)
case "$digest" in
*": 4 alerts, 1 incident. [×4] inc_alert sshd: failed login for invalid user <*> (admin, u0832, root)")
	ok 0 "its row: the template, the exact count of the 4 lines not posted, the values (most frequent first)" ;;
*) ok 1 "its row: the template, the exact count of the 4 lines not posted, the values" ; echo "# $digest" ;;
esac
[ "$(posts 'inc_alert sshd: failed login for invalid user root')" -eq 0 ]
ok $? "the line after the restart joined the incident (not posted on its own)"
sleep 3 # one more digest interval: nothing new, nothing posted
[ "$(posts 'inc_alert')" -eq 3 ]
ok $? "three posts for the six grouping alerts: two first lines and one digest ($(posts inc_alert))"
rs_stop
tb_done
