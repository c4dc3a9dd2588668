#!/bin/sh
# run-tests.sh - the README's test command: install, build and run the whole
# suite, then print one line "N passed, N failed[, N skipped]".
#
# The suite is: every unit and integration test (gcc build); the unit tests
# again under valgrind; a clang build with AddressSanitizer and
# UndefinedBehaviorSanitizer running the unit tests, the integration tests
# with that module loaded into rsyslogd, and each libFuzzer harness for
# FUZZ_SECONDS (default 20); the module compiled against the rsyslog of
# Debian 12 and 13 (whichever is not installed is fetched and configured);
# the Debian package (built, checked with lintian, installed and purged);
# and `make distcheck`.
# Counts are individual TAP checks; a step that cannot run counts as failed.
#
# Every test runs under a timeout (tests/timed.sh, TEST_TIMEOUT), and every
# step under what is left of SUITE_SECONDS (default 84 min, CI allows 90):
# a hang fails a test or a step, the run still ends with the summary line.
# Each step says when it starts and how long it took.
set -u
exec < /dev/null # no test reads input (CI may run this with stdin closed)
started=$(date +%s)
deadline=$((started + ${SUITE_SECONDS:-5040}))
srcdir=$(cd "$(dirname "$0")/.." && pwd)
build="$srcdir/_build"
"$srcdir/contrib/setup.sh" "$build" || { echo "0 passed, 1 failed"; exit 1; }
exec 3>&2 # the steps' progress lines, also while a step's output goes to a log

passed=0 failed=0 skipped=0
logdir="$build/suite-logs"
rm -rf "$logdir"
mkdir -p "$logdir"

# add_log NAME FILE: add the counts of an automake test-suite.log.
add_log() {
	# the automake summary's figures: the first '# PASS: N' (a test's own
	# output quoted in the log may hold '# PASS: <name>' lines too)
	p=$(sed -n 's/^# PASS: *\([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	f=$(sed -n 's/^# FAIL: *\([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	e=$(sed -n 's/^# ERROR: *\([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	x=$(sed -n 's/^# XPASS: *\([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	s=$(sed -n 's/^# SKIP: *\([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	k=$(sed -n 's/^# XFAIL: *\([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	s=$((s + k)) # known gaps (TAP TODO) are reported as skipped
	if [ -z "$p" ]; then
		echo "== $1: no test results" >&2
		# stopped by the time limit: the test it was in, and how far it got
		last=$(ls -t "$(dirname "$2")"/*/*.log 2>/dev/null | head -n 1)
		[ -n "$last" ] && { echo "   newest test log: $last"; tail -n 15 "$last" | sed 's/^/   /'; } >&2
		failed=$((failed + 1))
		return
	fi
	echo "== $1: $p passed, $((f + e + x)) failed, $s skipped" >&2
	passed=$((passed + p))
	failed=$((failed + f + e + x))
	skipped=$((skipped + s))
	if [ $((f + e + x)) -gt 0 ]; then
		grep -E '^(FAIL|ERROR|XPASS):' "$2" | sed 's/^/   /' >&2
	fi
}

# add_step NAME CMD...: a step that passes or fails as a whole.
add_step() {
	name=$1
	shift
	if timed "$name" "$@" > "$logdir/$name.log" 2>&1; then
		echo "== $name: passed" >&2
		passed=$((passed + 1))
	else
		echo "== $name: FAILED, last lines of $logdir/$name.log:" >&2
		tail -n 30 "$logdir/$name.log" | sed 's/^/   /' >&2
		failed=$((failed + 1))
	fi
}

# timed NAME CMD...: run CMD within what is left of the suite's time, and
# say on stderr when it starts and how long it took.
timed() {
	tname=$1
	shift
	left=$((deadline - $(date +%s)))
	if [ "$left" -lt 60 ]; then
		echo "-- $tname: not run, the suite's time (SUITE_SECONDS) is used up" >&3
		return 1
	fi
	echo "-- $tname: started at $(date -u +%H:%M:%S), $(($(date +%s) - started)) s into the run" >&3
	t0=$(date +%s)
	timeout -k 30 "$left" "$@"
	st=$?
	[ "$st" -eq 124 ] && echo "-- $tname: stopped, the suite's time (SUITE_SECONDS) ran out" >&3
	echo "-- $tname: took $(($(date +%s) - t0)) s" >&3
	return "$st"
}

# slowest DIR...: the five slowest tests of a run (tests/timed.sh notes
# each test's time at the end of its log).
slowest() {
	for d in "$@"; do
		for f in "$d"/*.log; do
			[ -f "$f" ] && sed -n "s|^# time: \([0-9]*\) s\$|\1 ${f#"$build"/}|p" "$f"
		done
	done | sort -rn | head -n 5 | sed 's/^\([0-9]*\) \(.*\)/   slowest: \2 (\1 s)/' >&2
}

cd "$build"
# a step stopped by the time limit writes no summary: never count an old one
rm -f tests/test-suite*.log sanitizers/tests/test-suite*.log
unit=$(make -s --no-print-directory -C tests print-unit-tests | tail -n 1)

# 1. everything, gcc build
timed "unit and integration tests" make -C tests check > "$logdir/check.out" 2>&1
add_log "unit and integration tests" tests/test-suite.log
slowest tests/unit tests/integration tests/fuzz

# the module against the rsyslog of each supported Debian release, not only
# the installed one (Debian's source packages of bookworm and trixie,
# configured only), and in the macro style of rsyslog 8.2508 and later
timed "rsyslog trees of Debian 12 and 13" sh -c "for r in bookworm trixie; do
	'$srcdir/contrib/get-rsyslog-source.sh' --release \$r '$srcdir/.rsyslog-src' || exit 1; done" \
	> "$logdir/trees.out" 2>&1 ||
	{ echo "== fetching a release's rsyslog tree failed, last lines of $logdir/trees.out:" >&2
	  tail -n 5 "$logdir/trees.out" | sed 's/^/   /' >&2; }
timed "compile checks" make -C tests check TESTS=compat/rsyslog-trees.sh TEST_SUITE_LOG=test-suite-compat.log \
	> "$logdir/compat.out" 2>&1
add_log "module against rsyslog 8.2302 and 8.2504, and 8.2508-style macros" tests/test-suite-compat.log

# the Debian package from the release tarball: build, lintian, install into
# this system, load by name, purge; and make install DESTDIR=...
timed "Debian package" make -C tests check TESTS=package/debian.sh TEST_SUITE_LOG=test-suite-package.log \
	> "$logdir/package.out" 2>&1
add_log "Debian package and make install" tests/test-suite-package.log

# 2. unit tests under valgrind: any error or definite leak fails the test
timed "unit tests under valgrind" make -C tests check TESTS="$unit" TEST_SUITE_LOG=test-suite-valgrind.log \
	TEST_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	> "$logdir/valgrind.out" 2>&1
add_log "unit tests under valgrind" tests/test-suite-valgrind.log

# the mutation check's short subset (tests/mutations/list, "quick: yes"):
# each one-line break of a critical behaviour must fail its tests
add_step "mutations" bash "$srcdir/tests/mutations/run.sh" --quick
tail -n 1 "$logdir/mutations.log" | sed 's/^/   mutation check (quick): /' >&2

# 3. clang with ASan+UBSan (and libFuzzer), in its own build directory
asan="$build/sanitizers"
tree=$(sed -n 's/^RSYSLOG_SRC = //p' Makefile)
mkdir -p "$asan"
add_step "clang-sanitizer-build" sh -c "cd '$asan' && '$srcdir/configure' CC=clang \
	--enable-sanitizers --enable-fuzzing --with-rsyslog-source='$tree' && make -j\$(nproc)"
timed "unit tests under ASan+UBSan" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1 make -C "$asan/tests" check TESTS="$unit" > "$logdir/asan.out" 2>&1
add_log "unit tests under ASan+UBSan (clang)" "$asan/tests/test-suite.log"
# the module built with ASan+UBSan, loaded into Debian's rsyslogd with the
# sanitizer runtime preloaded, through the integration tests that drive it
timed "integration tests with ASan+UBSan" \
	env RS_ASAN_RUNTIME="$(clang -print-file-name=libclang_rt.asan-x86_64.so)" make -C "$asan/tests" check TEST_SUITE_LOG=test-suite-asan-rsyslogd.log \
	TESTS="integration/post-alert.sh integration/post-alert-https.sh integration/delivery-outcomes.sh
	       integration/shaping.sh integration/flood.sh integration/faults.sh integration/secrets.sh
	       integration/stop-during-request.sh integration/errorfile.sh integration/account-refusals.sh
	       integration/duplicates.sh integration/thread-resume.sh integration/crash-replay.sh" \
	> "$logdir/asan-rsyslogd.out" 2>&1
add_log "integration tests, module with ASan+UBSan in rsyslogd" "$asan/tests/test-suite-asan-rsyslogd.log"
add_step "fuzzing" make -C "$asan/tests" fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
grep '^fuzz ' "$logdir/fuzzing.log" | sed 's/^/   /' >&2

# 4. the distribution builds and passes its tests from a tarball: every unit
# test and each integration script once (the -vg variants run the same
# scripts under valgrind; step 1 ran them all from this tree)
dist_tests="$unit $(make -s --no-print-directory -C tests print-integration-tests | tail -n 1 |
	tr ' ' '\n' | grep -v -- '-vg\.sh$' | tr '\n' ' ')"
add_step "distcheck" make distcheck TESTS="$dist_tests"

echo "-- the whole run took $(($(date +%s) - started)) s" >&2
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
