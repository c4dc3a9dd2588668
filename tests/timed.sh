#!/bin/sh
# timed.sh SECONDS CMD...: run one test under timeout(1), so a hang fails
# that test (its log shows how far it got) instead of stalling the whole
# suite, and note in the log how long it took.
# timeout(1) runs the test in its own process group and signals the whole
# group, so daemons the test started go too (the tests' EXIT traps stop
# them first on TERM).
limit=$1
shift
start=$(date +%s)
# in the background, so that a TERM for this script (make stopped by the
# suite's own time limit) reaches the test's process group too
timeout -k 30 "$limit" "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' TERM INT HUP
# shortly before the limit, what is still running (timeout's process group)
late=$((limit > 10 ? limit - 5 : limit))
(
	sleep "$late" > /dev/null 2>&1 &
	nap=$!
	trap 'kill $nap 2>/dev/null; exit 0' TERM
	wait $nap && {
		echo "# still running after $late s:"
		ps -e -o pgid=,pid=,etime=,args= | awk -v g=$pid '$1 == g { $1 = ""; print "#  " substr($0, 1, 200) }'
	}
) &
watch=$!
wait $pid
rc=$?
while kill -0 $pid 2>/dev/null; do # woken by the trap: wait for the end
	wait $pid
	rc=$?
done
kill $watch 2>/dev/null
took=$(($(date +%s) - start))
if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$took" -ge "$limit" ]; }; then
	echo "# TIMEOUT: stopped after $limit s (TEST_TIMEOUT)"
fi
echo "# time: $took s"
exit "$rc"
