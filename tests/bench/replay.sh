#!/bin/bash
# replay.sh - omtwitter-replay's speed on REPLAY_N lines (default a
# million), against baselines in the same run: wc -l (reading the file) and
# the replay with --match that no line matches (reading and parsing every
# time stamp, no alert).  The lines are a night's mix: half one repeated
# alert, a quarter a few recurring ones, a quarter distinct (sshd brute
# force), 20 a second.  Prints a markdown table; never asserts a timing.
# Run by `make bench` (bench/run.sh) or alone: `make -C _build/tests bench-replay`.
set -eu
N=${REPLAY_N:-1000000}
REPLAY=${OMTW_BUILDDIR:?}/contrib/omtwitter-replay/omtwitter-replay
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo "== replay: generating $N lines" >&2
awk -v n="$N" 'BEGIN {
	t0 = 1795816800 # 2026-11-27T22:00:00Z
	for (i = 0; i < n; i++) {
		t = t0 + int(i / 20)
		s = strftime("%Y-%m-%dT%H:%M:%S+00:00", t, 1)
		k = i % 4
		if (k < 2) m = "disk /var full on db1"
		else if (k == 2) m = "raid md" (i % 7) " degraded on db" (i % 5)
		else m = "sshd: failed login for invalid user u" i
		printf "%s db%d bird_alert: %s\n", s, i % 5, m
	}
}' > "$dir/night.log"
gzip -k "$dir/night.log"

# best of three: wall time in seconds
best() {
	local b="" t
	for _ in 1 2 3; do
		/usr/bin/time -f %e -o "$dir/time" "$@" > /dev/null 2>&1
		t=$(tail -1 "$dir/time")
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
	done
	echo "$b"
}
row() { # NAME SECONDS
	awk -v name="$1" -v s="$2" -v n="$N" 'BEGIN {
		printf "| %s | %.2f | %s |\n", name, s, (s > 0 ? sprintf("%.0f", n / s) : "-") }'
}
echo
echo "### omtwitter-replay: $N lines (best of 3)"
echo
echo "| run | seconds | lines/s |"
echo "|---|---|---|"
row "baseline: wc -l" "$(best wc -l "$dir/night.log")"
row "baseline: replay, no line an alert (--match none)" "$(best "$REPLAY" --match no-such-alert "$dir/night.log")"
row "replay, every line an alert" "$(best "$REPLAY" "$dir/night.log")"
row "replay, every line an alert, .gz" "$(best "$REPLAY" "$dir/night.log.gz")"
row "replay --json --assign" "$(best "$REPLAY" --json --assign "$dir/assign" "$dir/night.log")"
echo
"$REPLAY" "$dir/night.log" | sed -n '/^lines read/,$p' | sed 's/^/    /'
