#!/bin/bash
# The module and omtwitter-replay agree (issue #15): the same alert lines,
# sent through a real rsyslogd in real time and replayed on the virtual
# clock with the same parameters, give the same posts in the same order,
# thread parts and digest texts included; what the module still holds at
# the end is what the replay says is held.
#
# rsyslogd writes every line it receives to a file as well (omfile, next to
# the omtwitter action), with the time it received it: the replay then
# reads exactly the lines, and the times, the module saw.
#
# Timing.  Intervals are seconds: digest.interval=3, dedup.window=2; the
# post budgets (ratelimit.burst over an hour, budget.daily) do not free up
# during the test, so they are a fixed number of posts here.  The alerts
# come in three groups, each sent in one go (a few ms), 6 s apart.  Within
# a group the lines that are posted come first and those that wait for a
# digest (repeats, held) last, so a digest tick that falls inside a group
# changes nothing (but for one between group 2's last two lines, which both
# wait: a window well under a millisecond, in the module or, through a
# second boundary between them, in the replay).  Where the digest ticks fall is not in the lines: the
# module's digest periods start when rsyslogd starts the action (then every
# 3 s while nothing waits), the replay's at the first alert.  So a group's
# digest goes out up to 3 s after the group in either, at a different
# second, but before the next group (6 s later) in both, with the same
# content; and the digest's text names its period to the minute ("Digest
# 2026-11-27 05:00–05:00 UTC"), so a group is never sent in the 5 s before
# or the 4 s after a full minute: then the period's start (at most 3 s
# before the group) and end (at most 3 s and some latency after it) lie in
# the group's minute in both.  Repeats are only ever within a group (ms
# apart, well inside dedup.window) or more than 6 s apart (well outside),
# never near a window's end.  No text is posted twice (X would refuse it
# as duplicate content, and the module would post it again with the time
# added, which the replay, assuming every post arrives, does not do).
#
# Budget: 8 posts in all (budget.daily, not paced; ratelimit.burst is 9 an hour),
# maxlength 140:
#   group 1: A posted, B posted, A again (counted)   -> digest [x1] A     (3 posts)
#   group 2: L posted as a thread of 2, C posted, C again (counted), F (2
#            parts) held: it and the post kept for a digest do not fit
#                                                    -> digest of C and F,
#                                                       a thread of 2     (8 posts)
#   group 3: A again (its window is over: a new alert, held: no budget),
#            D held, D again (counted)               -> held to the end
# = 8 requests, 6 posts, 2 of them digests, 2 threads (one a digest); 10
# alerts: 4 posted, 3 in digests, 3 held at the end.
. "$(dirname "$0")/lib.sh"
REPLAY=${OMTW_REPLAY:-$OMTW_BUILDDIR/contrib/omtwitter-replay/omtwitter-replay}
PARAMS=(digest.interval=3 digest.repeat=0 dedup.window=2 ratelimit.burst=9 ratelimit.interval=3600
	budget.daily=8 budget.pace=off maxlength=140)
EXPECT_POSTS=8
tb_init
[ -x "$REPLAY" ] || bail "no omtwitter-replay at $REPLAY"
emu_start
# the emulator's own limits must not be what limits us here
emu_control POST /_emu/limits '{"rate_limit": 100000, "rate_remaining": 100000,
	"user_24h_limit": 100000, "user_24h_remaining": 100000}' >/dev/null
write_creds "$TB/omtwitter.cred"
# the same parameters for the action and the replay (--set NAME=VALUE)
actparams=""
for p in "${PARAMS[@]}"; do
	actparams="$actparams ${p%%=*}=\"${p#*=}\""
done
# RSYSLOG_FileFormat, with the time rsyslogd received the line
# (%timegenerated%) instead of the time the sender claims (%timestamp%)
rs_conf <<EOF
template(name="replay_file" type="string"
	 string="%timegenerated:::date-rfc3339% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
action(type="omfile" file="$TB/lines.log" template="replay_file")
if \$msg contains "rpl_alert" then {
	action(type="omtwitter" name="replay_agrees" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       $actparams
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
rs_start

# away_from_minute: wait while a digest period around a group sent now
# could reach into another minute (second 55 to 3 of a minute)
away_from_minute() {
	local s
	s=$(date -u +%S.%N)
	s=${s#0}
	awk -v s="$s" 'BEGIN { exit !(s >= 55 || s < 4) }' || return 0
	sleep "$(awk -v s="$s" 'BEGIN { printf "%.2f", (s >= 55 ? 60 - s + 4 : 4 - s) + 0.1 }')"
}
# group TEXT...: one syslog line per TEXT, in one go
group() {
	local ts
	ts=$(date '+%b %e %H:%M:%S')
	{
		for m in "$@"; do
			printf '<14>%s testhost testtag: %s\n' "$ts" "$m"
		done
	} > "/dev/tcp/127.0.0.1/$TCP_PORT" || bail "cannot send to rsyslogd"
}
A="rpl_alert disk full on db1 (/var 100%)"
B="rpl_alert cpu hot on web2"
L="rpl_alert raid degraded on db3: disk sdb failed, array md0 is running on 3 of 4 disks, rebuild not started, replace the disk before another one fails"
C="rpl_alert certificate of mail.example.org expires in 3 days"
F="rpl_alert backup of db1 failed: pg_dump exited with status 1 after 2 h 13 min, the last good backup is 3 days old, check /var/log/backup/db1.log"
D="rpl_alert ntp: clock of web3 off by 2.5 s"
ALERTS=10

away_from_minute
group "replay-agrees: this line is not an alert" "$A" "$B" "$A"
sleep 6
away_from_minute
group "$L" "$C" "$C" "$F"
sleep 6
away_from_minute
group "$A" "$D" "$D"
sleep 5 # the replay's clock runs to the last line: this one, after any digest of group 3
group "replay-agrees: the end"

wait_for_calls "$EXPECT_POSTS" --path /2/tweets
ok $? "the module made at least $EXPECT_POSTS posts (got $(record count --path /2/tweets))" ||
	diag "$TB/rsyslogd.log"
sleep 1
rs_stop

"$PYTHON3" - "$TB/record.jsonl" <<'PY'
import json, sys
calls = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
bad = [c for c in calls if c.get("path", "").startswith("/2/") and c.get("status") != 201]
for c in bad:
    print("# HTTP %s for %r" % (c.get("status"), c.get("text")))
sys.exit(1 if bad else 0)
PY
ok $? "X accepted every request (no refusal, no duplicate content, no 429)"

# the module's posts as the emulator saw them: a part that replies to the
# post before it continues that post's thread
"$PYTHON3" - "$TB/record.jsonl" "$TB/module-posts.json" <<'PY'
import json, sys
calls = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
posts, last_id = [], None
for c in calls:
    if not c.get("path", "").startswith("/2/tweets") or c.get("status") != 201:
        continue
    if posts and c.get("reply_to") and c["reply_to"] == last_id:
        posts[-1]["parts"].append(c["text"])
    else:
        posts.append({"kind": "digest" if c["text"].startswith("Digest ") else "alert",
                      "parts": [c["text"]]})
    last_id = c.get("id")
json.dump(posts, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
"$PYTHON3" - "$TB/module-posts.json" "$EXPECT_POSTS" <<'PY'
import json, sys
posts = json.load(open(sys.argv[1], encoding="utf-8"))
n = sum(len(p["parts"]) for p in posts)
digests = sum(p["kind"] == "digest" for p in posts)
threads = sum(len(p["parts"]) > 1 for p in posts)
print("# module: %d requests, %d posts, %d digests, %d threads" % (n, len(posts), digests, threads))
sys.exit(0 if n >= int(sys.argv[2]) and digests >= 1 and threads >= 1 else 1)
PY
ok $? "among the module's posts at least one digest and one thread" || diag "$TB/module-posts.json"

n=$(grep -c 'rpl_alert' "$TB/lines.log" 2>/dev/null)
[ "$n" = "$ALERTS" ]; ok $? "rsyslogd's copy of the lines has the $ALERTS alert lines sent (got ${n:-0})" ||
	diag "$TB/lines.log"

sets=()
for p in "${PARAMS[@]}"; do
	sets+=(--set "$p")
done
"$REPLAY" --json --match rpl_alert "${sets[@]}" "$TB/lines.log" > "$TB/replay.json" 2> "$TB/replay.err" &&
	"$PYTHON3" -c 'import json, sys; json.load(open(sys.argv[1]))' "$TB/replay.json"
ok $? "the replay of those lines ran and its --json parses" || diag "$TB/replay.err"

# the comparison: everything but the times
"$PYTHON3" - "$TB/module-posts.json" "$TB/replay.json" <<'PY'
import json, sys
module = json.load(open(sys.argv[1], encoding="utf-8"))
replay = json.load(open(sys.argv[2], encoding="utf-8"))["posts"]
m = [t for p in module for t in p["parts"]]
r = [t for p in replay for t in p["parts"]]
if m != r:
    print("# the module's posts (emulator) and the replay's differ:")
    for i in range(max(len(m), len(r))):
        a = m[i] if i < len(m) else "(none)"
        b = r[i] if i < len(r) else "(none)"
        print("# %s %2d module: %s" % ("  " if a == b else "!=", i, a))
        if a != b:
            print("#       replay: %s" % b)
sys.exit(0 if m == r else 1)
PY
ok $? "the replay's posts, parts flattened, are the texts the module posted, in order"

"$PYTHON3" - "$TB/module-posts.json" "$TB/replay.json" <<'PY'
import json, sys
module = json.load(open(sys.argv[1], encoding="utf-8"))
replay = json.load(open(sys.argv[2], encoding="utf-8"))["posts"]
m = [(p["kind"], p["parts"]) for p in module]
r = [(p["kind"], p["parts"]) for p in replay]
if m != r:
    for i in range(max(len(m), len(r))):
        print("# %2d module %s / replay %s" % (i, m[i] if i < len(m) else None, r[i] if i < len(r) else None))
sys.exit(0 if m == r else 1)
PY
ok $? "post by post the same kind (alert or digest) and the same thread"

# what waits at the end: the module's saved state against the replay's count
"$PYTHON3" - "$TB/spool/omtwitter-replay_agrees.state" "$TB/replay.json" "$ALERTS" <<'PY'
import json, sys
state = json.load(open(sys.argv[1], encoding="utf-8"))
s = json.load(open(sys.argv[2], encoding="utf-8"))["summary"]
held = sum(e[3] for e in state["entries"]) + state["others"][0]
print("# held at the end: module %d, replay %d; replay: %d alerts = %d posted + %d digested + %d held"
      % (held, s["held"], s["alerts"], s["posted"], s["digested"], s["held"]))
sys.exit(0 if held == s["held"] > 0 and s["alerts"] == int(sys.argv[3]) ==
         s["posted"] + s["digested"] + s["held"] else 1)
PY
ok $? "the alerts the module still holds at the end are as many as the replay says, and the counts add up"

# the log exists (rsyslogd's start is in it); of the module, only the
# news that the budget holds alerts (this budget is spent on purpose)
grep -q 'rsyslogd.* start' "$TB/rsyslogd.log" &&
	! grep 'omtwitter' "$TB/rsyslogd.log" | grep -v "budget spent: holding alerts for a digest" | grep -q .
ok $? "no error logged by the module (only that the budget holds alerts)" || diag "$TB/rsyslogd.log"
tb_done
