#!/bin/bash
# Alert text that always fits, end to end: a long alert becomes a chained
# thread, hostile bytes arrive as valid text, URLs are defanged (or kept),
# DM mode uses the DM endpoint, and a thread interrupted by a 503 resumes
# without posting a part twice.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
rs_conf <<EOF
# budget.pace="off": the shaped text is the subject, not how many distinct
# alerts and thread parts the budget lets go at once
template(name="body" type="string" string="%msg:R,ERE,1,FIELD:^ *[a-z_]+ (.*)--end%")
if \$msg startswith " bird_alert" then {
	action(type="omtwitter" name="thread" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" template="body" budget.pace="off"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
if \$msg startswith " keep_alert" then {
	action(type="omtwitter" name="keep" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" template="body" urls="keep" budget.pace="off"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
if \$msg startswith " dm_alert" then {
	action(type="omtwitter" name="dm" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" template="body" mode="dm" recipient="987654321"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
rs_start

# check_thread N FIRST-TEXT-PREFIX: the last N posts form one thread.
check_thread() {
	"$PYTHON3" - "$TB/record.jsonl" "$1" <<'PY'
import json, re, sys
calls = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
posts = [c for c in calls if c["path"] == "/2/tweets" and c["status"] == 201][-int(sys.argv[2]):]
n = len(posts)
problems = []
for k, p in enumerate(posts, 1):
    if not p["text"].endswith(" (%d/%d)" % (k, n)):
        problems.append("part %d does not end in (%d/%d): %r" % (k, k, n, p["text"][-12:]))
    if len(p["text"]) > 280:   # ASCII only here: length == weighted length
        problems.append("part %d has %d characters" % (k, len(p["text"])))
    want = posts[k - 2]["id"] if k > 1 else None
    if p["reply_to"] != want:
        problems.append("part %d replies to %s, not %s" % (k, p["reply_to"], want))
texts = [p["text"] for p in posts]
if len(set(texts)) != len(texts):
    problems.append("a part was posted twice")
print("\n".join("# " + x for x in problems))
sys.exit(1 if problems else 0)
PY
}

# 1. a 1,000-character alert becomes a chained thread
long="disk full on db1:"
while [ ${#long} -lt 1000 ]; do long="$long block$((${#long} % 97)) lost"; done
send_line "bird_alert $long"
wait_for_calls 4 --path /2/tweets --status 201
ok $? "a 1,000-character alert became four posts"
check_thread 4; ok $? "they form one thread: (k/n) suffixes, each reply to the previous part, at most 280 characters"
[ "$(record count --path /2/tweets --status 201)" -eq 4 ]; ok $? "exactly four posts (not five)"
whole=$(record texts --path /2/tweets --status 201 | sed 's/ ([0-9]\/[0-9])$//' | tr -d ' \n')
[ "$whole" = "$(printf '%s' "$long" | tr -d ' ')" ]; ok $? "the parts hold the whole alert, in order"

# 2. invalid UTF-8 and control bytes arrive as valid, clean text
base=$(record count --path /2/tweets --status 201)
send_line "$(printf 'bird_alert bad \xff\xfe bytes,\x01ctl and\ttab \xe2\x82 cut')"
wait_for_calls $((base + 1)) --path /2/tweets --status 201
ok $? "an alert with invalid UTF-8 and control bytes was accepted"
[ "$(record texts --path /2/tweets --status 201 | tail -n 1)" = "bad �� bytes, ctl and tab � cut" ]
ok $? "as valid text: U+FFFD for bad bytes, a space for controls" || record texts --path /2/tweets | tail -n 1 | diag

# 3. URLs are defanged by default, kept with urls="keep"
send_line "bird_alert see https://evil.example.com/x?a=b and www.Evil.COM now"
wait_for_calls $((base + 2)) --path /2/tweets --status 201
[ "$(record texts --path /2/tweets --status 201 | tail -n 1)" = "see hxxps://evil[.]example[.]com/x?a=b and www[.]Evil[.]COM now" ]
ok $? "URLs arrive defanged" || record texts --path /2/tweets | tail -n 1 | diag
send_line "keep_alert see https://evil.example.com/x?a=b and www.Evil.COM now"
wait_for_calls $((base + 3)) --path /2/tweets --status 201
[ "$(record texts --path /2/tweets --status 201 | tail -n 1)" = "see https://evil.example.com/x?a=b and www.Evil.COM now" ]
ok $? "with urls=\"keep\" they arrive intact"

# 4. DM mode
send_line "dm_alert a direct message"
wait_for_calls 1 --path /2/dm_conversations/ --status 201
ok $? "mode=dm posts to the DM endpoint"
[ "$(record get 0 path --path /2/dm_conversations/)" = /2/dm_conversations/with/987654321/messages ] &&
	[ "$(record get 0 text --path /2/dm_conversations/)" = "a direct message" ]
ok $? "to the recipient, with the alert text"

# 5. a 503 on part 2 of a thread: the retry resumes at part 2
base=$(record count --path /2/tweets --status 201)
emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":1,"count":1},
	{"path":"/2/tweets","status":503,"count":1}]}' >/dev/null
long2="second outage:"
while [ ${#long2} -lt 700 ]; do long2="$long2 shard$((${#long2} % 89)) down"; done
send_line "bird_alert $long2"
wait_for_calls $((base + 3)) --path /2/tweets --status 201
ok $? "the thread completed after the 503"
[ "$(record count --path /2/tweets --status 503)" -eq 1 ]; ok $? "one attempt met the 503"
check_thread 3; ok $? "no part posted twice, the chain is intact"
rs_stop
log_lacks "$TB/rsyslogd.log" 'omtwitter\[(thread|keep|dm)\].*refused'; ok $? "nothing was refused"
tb_done
