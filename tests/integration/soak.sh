#!/bin/bash
# A soak with a crash (issue #14): for SOAK_SECONDS (60 in the test suite;
# `make -C _build/tests soak` runs 600 with 10,000 alerts) alerts go into a
# real rsyslogd with the recommended queue (Disk, checkpoint every message)
# and flood control on (group="exact": every distinct line is its own alert,
# so that many posts meet the faults), a mix of recurring and distinct lines, while the
# emulator fails at random -- 5xx, connection resets, stalls past
# `timeout`, 429s with a reset time, one spell of 403 "oauth1-permissions"
# that ends with a HUP -- and rsyslogd is stopped once with SIGTERM and
# killed once with SIGKILL and started again.
#
# At the end every alert is accounted for: posted (each distinct alert at
# most once), or in exactly one digest's count, or still held in the state
# file.  The only loss allowed is the doc's promise for a crash: the counts
# of the last statefile.sync (1 s) before the SIGKILL and of the save then
# in progress (bounded here by what impstats says the killed rsyslogd
# admitted in its last 3 s, see below); the test measures it (and counts
# reported twice, from the queue's replay of what the module had already
# counted) and prints the figures, with rsyslogd's RSS and open
# descriptors at the start and at the end.
#
# With pacing on (the default) this soak lost 67-301 of its 1,000 alerts'
# counts in 4 of about 20 runs (2026-12-03/04): the state saved at the SIGTERM or
# the SIGKILL was refused at the next start as "malformed" (an alert back
# after its dedup window while its counts still waited for a digest had an
# episode total below its count), and flood control started empty.  Hence
# the check that every start loaded the state file.  After that fix a run
# in about 13 still failed, always the same way (67 of 1,000 lost): the
# bound was two seconds of *sending* (42 alerts), while the module, its
# queue's backlog draining after a fault, had admitted 68 alerts in the
# 0.9 s between its last timed save and the kill -- the promised window,
# measured in the wrong unit.  SOAK_PACE=off runs it without pacing.
#
# Lines are sent only while rsyslogd runs and are handed to the action
# queue before a stop or a kill: what imtcp or the in-memory main queue
# hold at a crash is rsyslog's own loss (see the doc), not measured here.
. "$(dirname "$0")/lib.sh"
SOAK_SECONDS=${SOAK_SECONDS:-60}
SOAK_ALERTS=${SOAK_ALERTS:-$((SOAK_SECONDS * 50 / 3))}
RSS_BOUND_KB=${RSS_BOUND_KB:-16384}
# the worker and the digest timer each keep a connection to X open, 3 fds
# each (the socket and libcurl's resolver socket pair), whenever they last
# posted: more than that is growth
FD_BOUND=${FD_BOUND:-6}
TB_TIMEOUT=60
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
emu_control POST /_emu/limits '{"rate_limit": 1000000, "rate_remaining": 1000000,
	"user_24h_limit": 1000000, "user_24h_remaining": 1000000}' > /dev/null
rs_conf <<EOF
module(load="impstats" interval="1" format="json" log.file="$TB/stats.json"
       log.syslog="off" resetCounters="off")
if \$msg contains "soak_alert" then {
	action(type="omtwitter" name="soak" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       timeout="1000" dedup.window="20" ratelimit.burst="5" ratelimit.interval="10"
	       budget.daily="100000" digest.interval="5" digest.repeat="0" group="exact" budget.pace="${SOAK_PACE:-on}"
	       queue.type="Disk" queue.filename="soak" queue.checkpointInterval="1"
	       queue.dequeueBatchSize="1" queue.size="100000" queue.maxDiskSpace="256m"
	       action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
state="$TB/spool/omtwitter-soak.state"

# what rsyslogd holds: "RSS-kB FDS"
usage() {
	"$PYTHON3" - "$RS_PID" > "$TB/fds.$1" <<'PY'
import os, sys
pid = sys.argv[1]
kinds = {}
for f in ("tcp", "tcp6", "udp", "unix"):  # what each socket inode is
    try:
        for l in list(open("/proc/net/" + f))[1:]:
            p = l.split()
            ino = p[9] if f != "unix" else p[6]
            kinds[ino] = f + (" " + p[1] + " -> " + p[2] + " st " + p[3] if f != "unix" else "")
    except OSError:
        pass
for fd in sorted(os.listdir("/proc/%s/fd" % pid), key=int):
    try:
        t = os.readlink("/proc/%s/fd/%s" % (pid, fd))
    except OSError:
        continue
    if t.startswith("socket:["):
        t += " " + kinds.get(t[8:-1], "?")
    print(t)
PY
	echo "$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RS_PID/status") $(ls "/proc/$RS_PID/fd" | wc -l)"
}
# the last impstats value of a counter (NAME KEY) since rsyslogd's start
stats_from=0
rs_restart_stats() { stats_from=$(stat -c %s "$TB/stats.json" 2>/dev/null || echo 0); }
stat_of() { # NAME KEY
	"$PYTHON3" - "$TB/stats.json" "$stats_from" "$1" "$2" <<'PY'
import json, sys
v = -1
with open(sys.argv[1], "rb") as f:
    f.seek(int(sys.argv[2]))
    for l in f.read().decode(errors="replace").splitlines():
        try:
            o = json.loads(l[l.find("{"):])
        except ValueError:
            continue
        if o.get("name") == sys.argv[3]:
            v = o.get(sys.argv[4], 0)
print(v)
PY
}
# until imtcp has taken N lines since the start and the main queue is empty:
# every line sent is then in the action's disk queue, and a stop or a
# kill is the module's business (imtcp and the main queue are in memory)
handed_on() { # N
	local end=$((SECONDS + 60))
	until [ "$(stat_of "imtcp(0)" submitted)" -ge "$1" ] && [ "$(stat_of "main Q" size)" -eq 0 ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.3
	done
	sleep 1 # the main queue's last batch: from its worker into the action queue
}

# the lines: 3 in 4 from 20 recurring alerts, the rest distinct
"$PYTHON3" - "$SOAK_ALERTS" > "$TB/lines.txt" <<'PY'
import random, sys
random.seed(14)
for i in range(int(sys.argv[1])):
    if random.random() < 0.75:
        print("soak_alert r%02d disk %d%% full on db%d" % ((k := random.randrange(20)), 80 + k, k % 4))
    else:
        print("soak_alert u%05d link down on port %d" % (i, i % 48))
PY

# faults at random, one every ~4 s; the 403 spell and the restarts at fixed points
faults() {
	"$PYTHON3" - "$SOAK_SECONDS" "$EMU_URL" "$RECORD_PY" <<'PY' &
import json, random, subprocess, sys, time
random.seed(7)
end = time.time() + float(sys.argv[1]) * 0.8
kinds = [
    {"status": 503}, {"status": 500}, {"status": 502}, {"action": "reset"},
    {"delay_ms": 1500}, {"status": 429, "headers": {}},
]
while time.time() < end:
    r = dict(random.choice(kinds), path="/2/tweets")
    if r.get("status") == 429:
        r["headers"] = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 3)}
    subprocess.run([sys.executable, sys.argv[3], "control", sys.argv[2], "POST", "/_emu/faults",
                    json.dumps({"faults": [r]})], stdout=subprocess.DEVNULL, check=False)
    time.sleep(random.uniform(2, 6))
PY
	FAULTS_PID=$!
	TB_PIDS="$TB_PIDS $FAULTS_PID"
}

rs_restart_stats
rs_start
since=0 # lines sent before this rsyslogd started
faults
total=$(wc -l < "$TB/lines.txt")
per=$(( (total + SOAK_SECONDS * 8 / 10 - 1) / (SOAK_SECONDS * 8 / 10) )) # lines a second
sent=0 t=0 stopped=0 killed=0 spell=0
perm='{"title":"Forbidden","status":403,"detail":"Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.","type":"https://api.twitter.com/2/problems/oauth1-permissions"}'
while [ "$sent" -lt "$total" ]; do
	sed -n "$((sent + 1)),$((sent + per))p" "$TB/lines.txt" > "$TB/batch.txt"
	mapfile -t batch < "$TB/batch.txt"
	send_line "${batch[@]}"
	sent=$((sent + ${#batch[@]}))
	t=$((t + 1))
	# the figures once it runs (connections to X and queue files open)
	[ $t -eq 5 ] && start_usage=$(usage start)
	if [ $spell -eq 0 ] && [ $t -ge $((SOAK_SECONDS * 2 / 10)) ]; then # 403 until the HUP
		spell=1
		emu_control POST /_emu/faults "{\"faults\":[{\"path\":\"/2/tweets\",\"status\":403,\"count\":-1,\"body\":$perm}]}" > /dev/null
		# until X has said this 403 at least twice (a post may first wait for
		# the rate limit's window or a 429's reset; a fixed sleep missed it
		# once; and "duplicate content" is a 403 too: counting those ended
		# the spell before it began in the 10-minute run)
		end403=$((SECONDS + 40))
		until [ "$(grep -c '"fault": "respond 403"' "$TB/record.jsonl" 2>/dev/null)" -ge 2 ] || [ $SECONDS -ge $end403 ]; do
			sleep 0.5
		done
		emu_control DELETE /_emu/faults > /dev/null
		kill -HUP "$RS_PID"
	fi
	if [ $stopped -eq 0 ] && [ $t -ge $((SOAK_SECONDS * 4 / 10)) ]; then
		stopped=1
		handed_on $((sent - since)) || echo "# SIGTERM: not every line reached the action queue"
		rs_stop
		cp "$state" "$TB/state.at-term" 2>/dev/null
		# the first rsyslogd's figures: from here the SIGKILL's bound counts
		term_stats=$(stat -c %s "$TB/stats.json")
		rs_restart_stats
		rs_start
		since=$sent
	fi
	if [ $killed -eq 0 ] && [ $t -ge $((SOAK_SECONDS * 6 / 10)) ]; then
		killed=1
		handed_on $((sent - since)) || echo "# SIGKILL: not every line reached the action queue"
		kill_at=$(date +%s.%N)
		kill -KILL "$RS_PID"
		tb_wait_exit "$RS_PID" 10
		kill_sent=$sent
		# the killed rsyslogd's impstats records
		kill_stats="$stats_from $(stat -c %s "$TB/stats.json")"
		# what the crash left, for a failure's post-mortem
		cp "$state" "$TB/state.at-kill" 2>/dev/null
		cp "$TB/rsyslogd.log" "$TB/rsyslogd.log.at-kill" 2>/dev/null
		cp "$TB/record.jsonl" "$TB/record.at-kill" 2>/dev/null
		rs_restart_stats
		rs_start
		since=$sent
	fi
	sleep 1
done
# the last rsyslogd has run since the SIGKILL: compared with its end below
last_usage=$(usage last)
ok $((stopped + killed == 2 ? 0 : 1)) "$sent alerts sent over ${t} s; rsyslogd stopped once (SIGTERM) and killed once (SIGKILL)"
kill "$FAULTS_PID" 2>/dev/null
wait "$FAULTS_PID" 2>/dev/null
emu_control DELETE /_emu/faults > /dev/null
# the rest: the action's queue drains, the digests report what was held
handed_on $((sent - since))
end=$((SECONDS + 180))
until [ "$(stat_of "soak queue" size)" -eq 0 ] || [ $SECONDS -ge $end ]; do sleep 0.5; done
[ "$(stat_of "soak queue" size)" -eq 0 ]; ok $? "the action's queue drained once X was well"
sleep 12 # two digest intervals
end_usage=$(usage end)
rs_stop

"$PYTHON3" - "$TB/record.jsonl" "$TB/lines.txt" "$state" "$start_usage" "$end_usage" "$RSS_BOUND_KB" "$FD_BOUND" "${last_usage:-$start_usage}" <<'PY'
import collections, json, re, sys
calls = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lines = open(sys.argv[2]).read().splitlines()
posts = [c["text"] for c in calls if c.get("path") == "/2/tweets" and c.get("status") == 201]
alerts = [t for t in posts if t.startswith("soak_alert")]
digests = [t for t in posts if t.startswith("Digest")]
digested = sum(int(m.group(1)) for t in digests for m in [re.match(r"Digest .*? UTC: (\d+) alert", t)] if m)
st = json.load(open(sys.argv[3]))
held = sum(e[3] for e in st["entries"]) + st["others"][0]
base = collections.Counter(re.sub(r" \(\d\d:\d\d:\d\d UTC\)$", "", t) for t in alerts)
twice = [t for t, n in base.items() if n > 1 and " u" in t[:13]]
accounted = len(alerts) + digested + held
r0, f0 = map(int, sys.argv[4].split())
r1, f1 = map(int, sys.argv[5].split())
rl, fl = map(int, sys.argv[8].split())
n403 = sum(1 for c in calls if c.get("status") == 403)
faults = collections.Counter(c.get("fault") for c in calls if c.get("fault"))
print("# sent %d: posted %d, in digests %d (%d digests), held %d; accounted %d, lost %d, reported twice %d"
      % (len(lines), len(alerts), digested, len(digests), held, accounted,
         max(0, len(lines) - accounted), max(0, accounted - len(lines))))
print("# faults injected: %s; 403 answers %d" % (dict(faults), n403))
print("# rsyslogd RSS %d kB at the start, %d kB when the sending ended (the rsyslogd started after the SIGKILL), %d kB at the end; "
      "open fds %d, %d, %d" % (r0, rl, r1, f0, fl, f1))
res = {"accounted": accounted, "sent": len(lines), "twice": twice,
       "resets": faults.get("reset", 0), "n401": sum(1 for c in calls if c.get("status") == 401),
       "rss_ok": r1 - r0 <= int(sys.argv[6]) and r1 - rl <= int(sys.argv[6]),
       "fd_ok": f1 - fl <= int(sys.argv[7])}
json.dump(res, open(sys.argv[3] + ".soak.json", "w"))
PY
res="$state.soak.json"
[ -s "$res" ]; ok $? "the accounting ran"
"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if not r["twice"] else 1)' "$res"
ok $? "no distinct alert was posted twice"
# The loss the doc allows: the counts of the alerts admitted within
# statefile.sync (1 s) before the SIGKILL, and of the save then in
# progress.  How many that is depends on how fast the module took alerts
# from its queue then, not on the sending rate: after a fault the queue's
# backlog drains at thousands a second (a run lost 67 counts, all of
# alerts admitted in the 0.9 s before the kill, when two seconds of
# sending were 42).  impstats says every second how many alerts each
# rsyslogd admitted ("submitted"): what the first one admitted in all, and
# the killed one up to a record at least 3 s before the kill (its second
# + 1 s, statefile.sync, and 1 s for the save and the timer thread), were
# admitted early enough to be saved; the rest of the lines sent by the
# kill is the most the kill may take (+1: an alert handed back at the
# SIGTERM is admitted by both).
"$PYTHON3" - "$TB/stats.json" "$term_stats" $kill_stats "$kill_at" "$kill_sent" "$res" <<'PY'
import json, sys, time
path, term, k0, k1, kill_at, sent, res = sys.argv[1:8]
data = open(path, "rb").read()
def records(a, b):  # (time, submitted) of the module's records in data[a:b]
    out = []
    for l in data[int(a):int(b)].decode(errors="replace").splitlines():
        i = l.find(": {")
        try:
            o = json.loads(l[i + 2:])
            t = time.mktime(time.strptime(l[:i], "%a %b %d %H:%M:%S %Y"))
        except ValueError:
            continue
        if o.get("origin") == "omtwitter" and o.get("name") == "soak":
            out.append((t, o["submitted"]))
    return out
first = records(0, term)
killed = [n for t, n in records(k0, k1) if t + 3 <= float(kill_at)]
early = (first[-1][1] if first else 0) + (killed[-1] if killed else 0)
r = json.load(open(res))
r["kill_bound"] = int(sent) - early + 1
r["lost"] = r["sent"] - r["accounted"]
json.dump(r, open(res, "w"))
print("# the SIGKILL: %s lines sent by then, %d admitted 3 s or more before it (both rsyslogds): "
      "at most %d counts may be lost; lost %d" % (sent, early, r["kill_bound"], max(0, r["lost"])))
PY
"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["lost"] <= r["kill_bound"] else 1)' "$res"
ok $? "lost at most the counts of the alerts admitted in the last 3 s before the SIGKILL (statefile.sync, the save in progress)"
"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["accounted"] - r["sent"] <= int(sys.argv[2]) else 1)' "$res" "$per"
ok $? "reported twice at most one second of alerts (the queue's replay)"
"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["rss_ok"] and r["fd_ok"] else 1)' "$res"
ok $? "RSS grew by at most $RSS_BOUND_KB kB, the last rsyslogd's open fds by at most $FD_BOUND" ||
	diff "$TB/fds.last" "$TB/fds.end" | diag
! grep -Eq '"discarded\.(full|nf)": [1-9]' "$TB/stats.json"
ok $? "no queue discarded a message (impstats discarded.full, discarded.nf)" ||
	grep -E '"discarded\.(full|nf)": [1-9]' "$TB/stats.json" | tail -n 3 | diag
# a connection reset after a request was sent: libcurl sent it again with
# the same signature, and the emulator (as X) refused the nonce used twice
"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["resets"] > 0 and r["n401"] == 0 else 1)' "$res"
ok $? "connections were reset, and no request went out twice with the same signature (no 401)"
# a state file refused at a start is moved aside and its counts are gone:
# the direct sign of the loss above
[ -s "$state" ]; ok $? "the state file exists where the checks below look for files moved aside"
n_aside=$(find "$TB/spool" -name "$(basename "$state").bad-*" | wc -l)
n_said=$(grep -c "it was moved to" "$TB/rsyslogd.log")
[ "$n_aside" -eq 0 ] && [ "$n_said" -eq 0 ]
ok $? "every start of rsyslogd loaded the state file (none refused and moved aside)" ||
	grep "state file" "$TB/rsyslogd.log" | diag
grep -q "X refused the account, not the alert (HTTP 403" "$TB/rsyslogd.log"
ok $? "the 403 spell was logged as the account's, and the alerts waited"
tb_done
