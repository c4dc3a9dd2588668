#!/bin/bash
# queues.sh - what each action-queue choice costs (issue #14, "crash-safe
# by default"), measured with a real rsyslogd; prints markdown tables and
# never asserts a timing.  Run through `make -C _build/tests bench-queues`.
#
# 1. crash: CRASH_N distinct alerts during an X outage (flood control off,
#    so each must become one post), then rsyslogd is killed with SIGKILL,
#    started again on the same work directory, and the outage ends: how
#    many alerts were posted once, twice, or never.
# 2. flood: QFLOOD_N lines over TCP as fast as bench_send writes them (half
#    one repeated alert, half distinct), flood control at its defaults:
#    "ingest" is the time until rsyslogd's main queue has passed the last
#    line on (an omfile marker after the action), "admitted" the time
#    until the action has handed every line to the module (its impstats
#    counter 'submitted', read once a second: +-1 s).  The baseline is the
#    same action without a queue of its own (the main queue's worker runs
#    it), in the same run.
#
# Environment: CRASH_N (250: not a multiple of a checkpoint interval),
# QFLOOD_N (300000; 0: no flood), QUEUES (all of them).
: "${OMTW_SRCDIR:?}" "${OMTW_BUILDDIR:?}"
BENCH="$OMTW_BUILDDIR/tests/bench"
. "$OMTW_SRCDIR/tests/integration/lib.sh"
CRASH_N=${CRASH_N:-250} QFLOOD_N=${QFLOOD_N:-300000}
tb_init

retry='action.resumeRetryCount="-1" action.resumeInterval="1"'
declare -A QUEUE=(
	[none]=''
	[linkedlist]='queue.type="LinkedList" queue.filename="q" queue.saveOnShutdown="on"'
	[linkedlist-ckpt]='queue.type="LinkedList" queue.filename="q" queue.saveOnShutdown="on" queue.checkpointInterval="1"'
	[disk]='queue.type="Disk" queue.filename="q"'
	[disk-ckpt1]='queue.type="Disk" queue.filename="q" queue.checkpointInterval="1"'
	[disk-ckpt10]='queue.type="Disk" queue.filename="q" queue.checkpointInterval="10"'
	[disk-ckpt100]='queue.type="Disk" queue.filename="q" queue.checkpointInterval="100"'
	[disk-ckpt1-batch1]='queue.type="Disk" queue.filename="q" queue.checkpointInterval="1" queue.dequeueBatchSize="1"'
	[disk-ckpt1-sync]='queue.type="Disk" queue.filename="q" queue.checkpointInterval="1" queue.syncQueueFiles="on"'
)
QUEUES=${QUEUES:-none linkedlist linkedlist-ckpt disk disk-ckpt100 disk-ckpt10 disk-ckpt1 disk-ckpt1-batch1 disk-ckpt1-sync}

emu_start
limits='{"rate_limit": 100000000, "rate_remaining": 100000000, "user_24h_limit": 100000000, "user_24h_remaining": 100000000}'
emu_control POST /_emu/limits "$limits" > /dev/null
write_creds "$TB/omtwitter.cred"

# conf NAME ACTION-PARAMETERS: a fresh work directory and configuration
conf() {
	rm -rf "$TB/spool"
	mkdir -p "$TB/spool"
	rm -f "$TB/stats.json" "$TB/end"
	rs_conf <<CONF
module(load="impstats" interval="1" format="json" log.file="$TB/stats.json" log.syslog="off" resetCounters="off")
main_queue(queue.workerThreads="1")
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="q_$1" credentials="$TB/omtwitter.cred" endpoint="$EMU_URL"
	       $2 ${QUEUE[$1]} $retry)
}
if \$msg contains "bench_end" then action(type="omfile" file="$TB/end")
CONF
}

posted_of() { # TAG: 201s whose text has the tag, as "distinct total" (a
	# text posted again with the time added is the same alert)
	"$PYTHON3" - "$TB/record.jsonl" "$1" <<'PY'
import json, re, sys
texts = [c.get("text") or "" for c in map(json.loads, filter(str.strip, open(sys.argv[1])))
         if c.get("path") == "/2/tweets" and c.get("status") == 201]
mine = [re.sub(r" \(\d\d:\d\d:\d\d UTC\)$", "", t) for t in texts if t.startswith("bird_alert_%s-" % sys.argv[2])]
print(len(set(mine)), len(mine))
PY
}
# settle TAG: until no new post for 5 s (at most 120 s); prints "distinct total"
settle() {
	local last="" same=0 now
	for _ in $(seq 240); do
		now=$(posted_of "$1")
		if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$now
		[ $same -ge 10 ] && break
		sleep 0.5
	done
	echo "$last"
}

echo "== crash: $CRASH_N alerts during an outage, SIGKILL, restart" >&2
: > "$TB/crash.txt"
for q in $QUEUES; do
	conf "$q" 'dedup.window="0" ratelimit.interval="0" budget.daily="0"'
	rs_start
	emu_stop # the outage
	send_line $(for i in $(seq -f %04g "$CRASH_N"); do echo "bird_alert_$q-$i"; done)
	sleep 3
	kill -KILL "$RS_PID"
	tb_wait_exit "$RS_PID" 10
	emu_start
	emu_control POST /_emu/limits "$limits" > /dev/null
	rs_start
	last=$(settle "$q")
	rs_stop
	# 2. killed while delivering: X answers every post after 30 ms; the kill
	# comes when half of the alerts are posted
	conf "$q" 'dedup.window="0" ratelimit.interval="0" budget.daily="0"'
	rs_start
	emu_control POST /_emu/faults '{"faults":[{"path":"/2/tweets","delay_ms":30,"count":-1}]}' > /dev/null
	send_line $(for i in $(seq -f %04g "$CRASH_N"); do echo "bird_alert_$q.d-$i"; done)
	for _ in $(seq 600); do
		[ "$(posted_of "$q.d" | cut -d' ' -f2)" -ge $((CRASH_N / 2)) ] && break
		sleep 0.05
	done
	kill -KILL "$RS_PID"
	tb_wait_exit "$RS_PID" 10
	emu_control DELETE /_emu/faults > /dev/null
	rs_start
	mid=$(settle "$q.d")
	rs_stop
	echo "$q $last $mid" >> "$TB/crash.txt"
	echo "   $q: posted (distinct, total) after an outage $last, while delivering $mid" >&2
done

echo "== flood: $QFLOOD_N lines" >&2
: > "$TB/flood.txt"
for q in $QUEUES; do
	[ "$QFLOOD_N" -gt 0 ] || break
	conf "$q" 'digest.interval="3600"'
	rs_start
	t0=$(date +%s.%N)
	"$BENCH/bench_send" flood "$TCP_PORT" "$QFLOOD_N" "$q" > /dev/null
	t1="" t2=""
	for _ in $(seq 12000); do
		[ -z "$t1" ] && [ -s "$TB/end" ] && t1=$(date +%s.%N)
		if [ -z "$t2" ] && "$PYTHON3" "$OMTW_SRCDIR/tests/integration/impstats.py" "$TB/stats.json" \
			"q_$q" submitted="$QFLOOD_N" > /dev/null 2>&1; then
			t2=$(date +%s.%N)
		fi
		[ -n "$t1" ] && [ -n "$t2" ] && break
		sleep 0.1
	done
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RS_PID/status")
	du=$(du -sk "$TB/spool" | cut -f1)
	rs_stop
	echo "$q $t0 ${t1:-0} ${t2:-0} $hwm" >> "$TB/flood.txt"
	echo "   $q: ingest $(echo "${t1:-0} - $t0" | bc) s, admitted $(echo "${t2:-0} - $t0" | bc) s" >&2
done

"$PYTHON3" - "$TB/crash.txt" "$TB/flood.txt" "$CRASH_N" "$QFLOOD_N" "$retry" <<'PY'
import sys
crash = {l.split()[0]: tuple(map(int, l.split()[1:5])) for l in open(sys.argv[1]) if len(l.split()) == 5}
flood = {}
for l in open(sys.argv[2]):
    q, t0, t1, t2, hwm = l.split()
    flood[q] = (float(t1) - float(t0) if float(t1) else None, float(t2) - float(t0) if float(t2) else None,
                int(hwm) / 1024)
n, fn = int(sys.argv[3]), int(sys.argv[4])
print("\n### Action queues: what a crash loses, what a flood costs\n")
print("Every action also has `%s`. Crash: %d distinct alerts during an X outage, SIGKILL, "
      "restart, outage over. Flood: %d lines (half one repeated alert), flood control at its "
      "defaults; admitted = the module has seen every line (impstats, +-1 s).\n" % (sys.argv[5], n, fn))
print("| action queue | outage + kill: posted | twice | lost | delivering + kill: posted | twice | lost | flood: ingest s | lines/s | vs no queue | admitted s | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
# ingest: until the main queue has passed every line on (to the action's
# queue, or with none, through the action itself): the baseline is "none"
base = flood.get("none", (None, None, 0))[0]
for q in crash:
    d, t, d2, t2 = crash[q]
    i, a, r = flood.get(q, (None, None, 0))
    print("| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s | %.1f |" % (
        q, d, t - d, n - d, d2, t2 - d2, n - d2, "%.2f" % i if i else "-", "%.0f" % (fn / i) if i else "-",
        "%.2f" % (base / i) if i and base else "-", "%.1f" % a if a else "-", r))
PY
