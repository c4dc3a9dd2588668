#!/bin/bash
# Digests only with news, in a real rsyslogd on the real clock (issue #17):
# an alert shown on the phone and still firing is not digested at every
# digest.interval but restated after digest.repeat; an alert held by the
# budget is news and goes out in the next digest; the phone learns that an
# alert went quiet (in the next digest that goes out: quiet alone sends
# none); every alert is counted once; the budget holds.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
emu_control POST /_emu/limits '{"rate_limit": 100000, "rate_remaining": 100000,
	"user_24h_limit": 100000, "user_24h_remaining": 100000}' >/dev/null
write_creds "$TB/omtwitter.cred"
mkdir -p "$TB/spool"
rs_conf <<EOF2
if \$msg contains "news_alert" then {
	action(type="omtwitter" name="news_only" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="3" digest.interval="2" digest.repeat="10" ratelimit.burst="4"
	       ratelimit.interval="600" budget.daily="0" queue.type="LinkedList"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
if \$msg contains "firing_alert" then {
	action(type="omtwitter" name="news_repeat" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       dedup.window="60" digest.interval="2" digest.repeat="6" queue.type="LinkedList"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF2
rs_start
posts() { record texts --path /2/tweets --status 201 | grep -c -- "$1"; }
wait_posts() { # N PATTERN
	local end=$((SECONDS + TB_TIMEOUT))
	while [ "$(posts "$2")" -lt "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# 1. the restatement: an alert that keeps firing (every half second for 9 s)
# is posted once, then restated by a digest digest.repeat (6 s) after its
# post, not at each digest interval (2 s)
send_line "firing_alert link eth0 flapping"
wait_posts 1 "^firing_alert link eth0 flapping\$"; ok $? "the first line is posted at once"
for i in $(seq 18); do
	sleep 0.5
	send_line "firing_alert link eth0 flapping"
done
wait_posts 1 "^Digest .*firing_alert"
ok $? "the alert still firing is restated by a digest" || record texts --path /2/tweets | diag

# 2. news and quiet: a disk alert repeats 4 times in 2 s, then stops; its
# dedup window (3 s) closes at 5 s: quiet alone sends no digest, nor does a
# digest interval without news
DISK="news_alert disk full on db1"
send_line "$DISK"
wait_posts 1 "^$DISK\$"; ok $? "a new alert is posted at once"
for i in 1 2 3 4; do
	sleep 0.5
	send_line "$DISK"
done
sleep 5.5
[ "$(posts '^Digest .*news_alert')" -eq 0 ]
ok $? "no digest for 7.5 s: three digest intervals without news, and the alert's quiet alone sends none"
# three new alerts: two posted, the third held (the budget keeps its last post
# for the digest the disk's counts wait for): news, in the next digest, which
# also says the disk went quiet
send_line "news_alert fan failure on db2" "news_alert raid md0 degraded on db3" "news_alert UPS on battery in rack west"
wait_posts 1 "^Digest .*news_alert"
ok $? "the held alert is news: a digest goes out at the next interval" || record texts --path /2/tweets | diag
sleep 5 # two more digest intervals: nothing new, nothing sent

"$PYTHON3" - "$TB/record.jsonl" <<'PY'
import json, re, sys
calls = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
posts = [c for c in calls if c["path"] == "/2/tweets" and c["status"] == 201]
t0 = posts[0]["time"] if posts else 0
for p in posts:
    print("# %.1f %s" % (p["time"] - t0, p["text"]))
checks = []
# the restatement
fire = [p for p in posts if "firing_alert" in p["text"]]
fd = [p for p in fire if p["text"].startswith("Digest ")]
checks.append((len(fire) >= 2 and not fire[0]["text"].startswith("Digest"), "firing: its first line posted"))
checks.append((len(fd) >= 1 and fd[0]["time"] - fire[0]["time"] >= 5,
               "firing: the first digest came digest.repeat (6 s, whole seconds) after the post, not after "
               "the digest interval (2 s): %.1f s" % ((fd[0]["time"] - fire[0]["time"]) if fd else -1)))
checks.append((len(fd) <= 2 and (len(fd) < 2 or fd[1]["time"] - fd[0]["time"] >= 5),
               "firing: a second restatement only digest.repeat after the first"))
n = sum(int(x) for d in fd for x in re.findall(r"\[×(\d+)\]", d["text"]))
checks.append((1 <= n <= 18, "firing: the digests count repeats, none twice (%d of 18)" % n))
# news and quiet
news = [p for p in posts if "news_alert" in p["text"]]
nd = [p for p in news if p["text"].startswith("Digest ")]
na = [p["text"] for p in news if not p["text"].startswith("Digest ")]
checks.append((na == ["news_alert disk full on db1", "news_alert fan failure on db2",
                      "news_alert raid md0 degraded on db3"], "news: three alerts posted themselves: %r" % na))
checks.append((len(nd) == 1, "news: one digest in all (%d)" % len(nd)))
d = nd[0]["text"] if nd else ""
checks.append(("[×1] news_alert UPS on battery in rack west" in d, "news: the digest has the held alert"))
checks.append(("[×4] news_alert disk full on db1 (quiet since" in d,
               "news: and says the disk went quiet, with its 4 repeats: counted once, all reported"))
checks.append(("fan failure" not in d and "raid" not in d, "news: the alerts shown by their own posts are not in it"))
checks.append((len(news) <= 4, "news: at most ratelimit.burst = 4 posts in 600 s (%d)" % len(news)))
bad = 0
for good, what in checks:
    print(("# ok: " if good else "# FAILED: ") + what)
    bad += not good
sys.exit(1 if bad else 0)
PY
ok $? "restated after digest.repeat; held news in the next digest, quiet told with it, counts once, within the budget"
rs_stop
tb_done
