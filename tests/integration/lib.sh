# lib.sh - integration test harness (sourced by the tests; POSIX sh + bash's /dev/tcp).
#
# Ideas from rsyslog's testbench, our own code: every test gets a private
# directory with its config, pid file, work directory and logs; servers
# listen on port 0 and report their port in a file; rsyslogd runs in the
# foreground (-n) on its own config and is stopped with SIGTERM; tests
# assert on the emulator's record of what reached the "X API".
#
# Output is TAP: ok/not ok lines, a plan at the end (tb_done).

: "${OMTW_SRCDIR:?run through make check}"
: "${OMTW_BUILDDIR:?run through make check}"
: "${OMTW_MODULE:=$OMTW_BUILDDIR/plugins/omtwitter/.libs/omtwitter.so}"
: "${PYTHON3:=/usr/bin/python3}"
: "${RSYSLOGD:=/usr/sbin/rsyslogd}"

EMULATOR="$OMTW_SRCDIR/tests/xapi-emulator.py"
RECORD_PY="$OMTW_SRCDIR/tests/integration/record.py"
TB_TIMEOUT=${TB_TIMEOUT:-30}

tb_n=0
tb_failed=0
TB_PIDS=""

# tb_init: fresh private directory named after the test, cleanup on exit.
tb_init() {
	TB="$OMTW_BUILDDIR/tests/work/$(basename "$0" .sh)"
	rm -rf "$TB"
	mkdir -p "$TB/spool"
	trap tb_cleanup EXIT
	trap 'exit 1' INT TERM
}

tb_cleanup() {
	for p in $TB_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $TB_PIDS; do
		tb_wait_exit "$p" 10 || kill -9 "$p" 2>/dev/null
	done
}

ok() { # ok COND-EXIT-STATUS DESCRIPTION
	tb_n=$((tb_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tb_n - $2"
	else
		tb_failed=$((tb_failed + 1))
		echo "not ok $tb_n - $2"
	fi
	return "$(( $1 != 0 ))"
}

diag() { sed 's/^/# /' "$@"; }

tb_done() {
	echo "1..$tb_n"
	[ "$tb_failed" -eq 0 ]
	exit $?
}

# bail REASON: stop the whole test file with a TAP "Bail out!".
bail() {
	echo "Bail out! $*"
	for f in "$TB"/*.log; do
		[ -f "$f" ] && { echo "# --- $f"; tail -n 30 "$f" | sed 's/^/# /'; }
	done
	exit 1
}

# The waits below poll every 0.1 s against a wall-clock deadline (bash's
# SECONDS), not a count of polls: on a loaded machine a poll that runs a
# program takes far longer than 0.1 s.
tb_wait_exit() { # PID SECONDS
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
	return 0
}

wait_for_file() { # FILE [SECONDS]
	local end=$((SECONDS + ${2:-$TB_TIMEOUT}))
	while [ ! -s "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# write_creds FILE [MODE]: the test app's credentials (also the emulator's).
write_creds() {
	umask 077
	cat > "$1" <<-EOF
	# omtwitter test credentials (not real)
	consumer_key=tbConsumerKey0123456789
	consumer_secret=tbConsumerSecret-abcdefghijklmnopqrstuvwxyz012345
	access_token=1234567890-tbAccessTokenABCDEFGHIJKLMNOPQRST
	access_token_secret=tbAccessTokenSecret-zyxwvutsrqponmlkjihgfedcba9876
	user_id=1234567890
	screen_name=omtwitter_test
	EOF
	umask 022
	chmod "${2:-0600}" "$1"
}

# server_cert DIR CA NAME SAN DAYS: another server certificate from CA
# (make_ca's), for SAN (e.g. DNS:otherhost), valid DAYS days (-1: expired).
server_cert() {
	# `openssl ca` with explicit dates: `x509 -days -1` (an expired
	# certificate) is refused by OpenSSL 3.5 (Debian 13)
	now=$(date -u +%s)
	if [ "$5" -lt 0 ]; then
		start=$((now + ($5 - 1) * 86400)) end=$((now + $5 * 86400))
	else
		start=$((now - 3600)) end=$((now + $5 * 86400))
	fi
	(
		cd "$1" || exit 1
		openssl req -newkey rsa:2048 -nodes -keyout "$3.key" -out "$3.csr" \
			-subj "/CN=$3" >/dev/null 2>&1 &&
		printf '[ext]\nsubjectAltName=%s\n' "$4" > "$3.ext" &&
		: > "$3.index" && echo 01 > "$3.serial" &&
		cat > "$3.ca.cnf" <<-CNF &&
		[ca]
		default_ca = testca
		[testca]
		database = $3.index
		serial = $3.serial
		new_certs_dir = .
		default_md = sha256
		policy = anything
		unique_subject = no
		[anything]
		commonName = supplied
		CNF
		openssl ca -batch -notext -config "$3.ca.cnf" -cert "$2-ca.pem" -keyfile "$2-ca.key" \
			-startdate "$(date -u -d "@$start" +%Y%m%d%H%M%SZ)" \
			-enddate "$(date -u -d "@$end" +%Y%m%d%H%M%SZ)" \
			-extfile "$3.ext" -extensions ext -in "$3.csr" -out "$3.pem" >/dev/null 2>&1
	) || bail "cannot create server certificate $3"
}

# make_ca DIR NAME: a test CA and a server certificate for 127.0.0.1/localhost.
make_ca() {
	mkdir -p "$1"
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$2-ca.key" -out "$2-ca.pem" \
			-days 2 -subj "/CN=omtwitter test CA $2" >/dev/null 2>&1 &&
		openssl req -newkey rsa:2048 -nodes -keyout "$2-server.key" -out "$2-server.csr" \
			-subj "/CN=localhost" >/dev/null 2>&1 &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > san.ext &&
		openssl x509 -req -in "$2-server.csr" -CA "$2-ca.pem" -CAkey "$2-ca.key" \
			-CAcreateserial -days 2 -extfile san.ext -out "$2-server.pem" >/dev/null 2>&1
	) || bail "cannot create test CA $2"
}

# emu_start [--https CERT KEY] [extra emulator args]: sets EMU_URL, EMU_PORT.
emu_start() {
	scheme=http
	tls=""
	if [ "${1:-}" = "--https" ]; then
		scheme=https
		tls="--tls-cert $2 --tls-key $3"
		shift 3
	fi
	[ -f "$TB/emu.cred" ] || write_creds "$TB/emu.cred"
	rm -f "$TB/emu.port"
	# shellcheck disable=SC2086
	"$PYTHON3" "$EMULATOR" --credentials "$TB/emu.cred" --port "${EMU_PORT:-0}" \
		--port-file "$TB/emu.port" --record "$TB/record.jsonl" --log "$TB/emulator.log" \
		$tls "$@" &
	EMU_PID=$!
	TB_PIDS="$TB_PIDS $EMU_PID"
	wait_for_file "$TB/emu.port" 15 || bail "emulator did not start"
	EMU_PORT=$(cat "$TB/emu.port")
	EMU_URL="$scheme://127.0.0.1:$EMU_PORT"
}

emu_stop() {
	kill "$EMU_PID" 2>/dev/null
	tb_wait_exit "$EMU_PID" 10
}

# emu_control METHOD PATH [JSON]: call the emulator's control API.
emu_control() {
	"$PYTHON3" "$RECORD_PY" control "$EMU_URL" "$1" "$2" "${3:-}" ${EMU_CACERT:+--cacert "$EMU_CACERT"}
}

# record ARGS...: query the emulator's record (see record.py).
record() {
	"$PYTHON3" "$RECORD_PY" "$@" "$TB/record.jsonl"
}

# wait_for_calls N [FILTER-ARGS...]: until N matching calls are recorded.
wait_for_calls() {
	local want=$1 end=$((SECONDS + TB_TIMEOUT))
	shift
	while [ "$(record count "$@" 2>/dev/null || echo 0)" -lt "$want" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# wait_until CMD [ARGS...]: run CMD quietly until it succeeds or TB_TIMEOUT
# seconds pass, then once more with its output (and exit status) shown.
wait_until() {
	local end=$((SECONDS + TB_TIMEOUT))
	until "$@" > /dev/null; do
		[ $SECONDS -ge $end ] && break
		sleep 0.1
	done
	"$@"
}

# wait_for_log PATTERN: until rsyslogd.log has a line matching PATTERN (15 s);
# fails if none came.
wait_for_log() {
	local end=$((SECONDS + 15))
	while ! grep -q "$1" "$TB/rsyslogd.log" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# log_lacks FILE ERE: FILE is a log rsyslogd wrote (it holds rsyslogd's
# start message, so a check of it can see anything) and no line matches ERE.
log_lacks() {
	if ! grep -q 'origin software="rsyslogd".*\] start' "$1" 2>/dev/null; then
		echo "# $1 is missing or lacks rsyslogd's start message: nothing to search"
		return 1
	fi
	! grep -qE "$2" "$1"
}

# no_secret FILE...: the test credentials' secrets are in none of FILEs,
# of which at least one must exist and hold something; the pattern is
# first seen to find them in a credentials file of write_creds.
SECRET_ERE='tbConsumerSecret|tbAccessTokenSecret|tbWrongSecret'
no_secret() {
	local f n=0 probe
	probe=$(mktemp "$TB/probe.XXXXXX")
	write_creds "$probe"
	[ "$(grep -cE "$SECRET_ERE" "$probe")" -eq 2 ] || { echo "# the secret pattern does not find the test secrets"; return 1; }
	rm -f "$probe"
	for f in "$@"; do
		[ -s "$f" ] && n=$((n + 1))
	done
	[ $n -gt 0 ] || { echo "# none of the files to search exists: $*"; return 1; }
	for f in "$@"; do
		[ -e "$f" ] || continue
		if grep -qE "$SECRET_ERE" "$f"; then
			echo "# a secret in $f"
			return 1
		fi
	done
}

# rs_conf: write $TB/rsyslog.conf; the test's own part comes on stdin and
# may use $OMTW_MODULE, $TB, $EMU_URL.
rs_conf() {
	cat > "$TB/rsyslog.conf" <<-EOF
	global(workDirectory="$TB/spool" processInternalMessages="on")
	module(load="imtcp")
	input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$TB/tcp.port")
	module(load="$OMTW_MODULE")
	# rsyslogd's own messages (start, errors of the module) go to a file
	if \$programname == "rsyslogd" or \$syslogtag startswith "rsyslogd" then {
		action(type="omfile" file="$TB/rsyslogd.log")
		stop
	}
	EOF
	cat >> "$TB/rsyslog.conf"
}

# rs_start: start a private rsyslogd on $TB/rsyslog.conf; sets TCP_PORT.
# RS_ARGS adds options (e.g. -d for debug output).
# With RS_VALGRIND=yes it runs under valgrind (report in $TB/valgrind.log;
# see rs_valgrind_ok).
rs_start() {
	rm -f "$TB/tcp.port" "$TB/rsyslogd.pid"
	wrapper=""
	if [ "${RS_VALGRIND:-}" = yes ]; then
		wrapper="valgrind --log-file=$TB/valgrind.%p.log --leak-check=full
			--errors-for-leak-kinds=definite --show-leak-kinds=definite
			--suppressions=$OMTW_SRCDIR/tests/integration/rsyslogd.supp"
	fi
	if [ -n "${RS_ASAN_RUNTIME:-}" ]; then
		# the module was built with ASan+UBSan: preload the runtime into the
		# (uninstrumented) daemon; reports go to $TB/asan.<pid>
		wrapper="env LD_PRELOAD=$RS_ASAN_RUNTIME
			ASAN_OPTIONS=log_path=$TB/asan:detect_leaks=1:abort_on_error=0:suppressions=$OMTW_SRCDIR/tests/integration/asan.supp
			LSAN_OPTIONS=suppressions=$OMTW_SRCDIR/tests/integration/lsan.supp:print_suppressions=0
			UBSAN_OPTIONS=log_path=$TB/ubsan:print_stacktrace=1"
	fi
	# shellcheck disable=SC2086
	RSYSLOG_DFLT_LOG_INTERNAL=1 $wrapper "$RSYSLOGD" -n -C ${RS_ARGS:-} -i "$TB/rsyslogd.pid" \
		-f "$TB/rsyslog.conf" >> "$TB/rsyslogd.out" 2>&1 &
	RS_PID=$!
	TB_PIDS="$TB_PIDS $RS_PID"
	wait_for_file "$TB/tcp.port" 15 || bail "rsyslogd did not start"
	TCP_PORT=$(cat "$TB/tcp.port")
}

# rs_stop: SIGTERM, then wait until the process is gone (queues drained).
# Under valgrind, one more check: no memory error, no definite leak; with
# RS_ASAN_RUNTIME (a sanitizer build), two: the runtime was loaded, and no
# ASan/UBSan/LSan report was written.
rs_stop() {
	if [ -n "${RS_ASAN_RUNTIME:-}" ]; then
		grep -q libclang_rt.asan "/proc/$RS_PID/maps" 2>/dev/null
		ok $? "rsyslogd runs with the ASan runtime and the instrumented module"
	fi
	kill -TERM "$RS_PID" 2>/dev/null
	if ! tb_wait_exit "$RS_PID" 60; then
		rs_stacks
		bail "rsyslogd did not stop within 60 s of SIGTERM"
	fi
	if [ -n "${RS_ASAN_RUNTIME:-}" ]; then
		! ls "$TB"/asan.* "$TB"/ubsan.* >/dev/null 2>&1
		ok $? "ASan+UBSan: no error and no leak reported" || cat "$TB"/asan.* "$TB"/ubsan.* 2>/dev/null | head -40 | diag
	fi
	if [ "${RS_VALGRIND:-}" = yes ]; then
		vg="$TB/valgrind.$RS_PID.log"
		grep -q 'ERROR SUMMARY: 0 errors' "$vg" &&
			grep -Eq 'definitely lost: 0 bytes|no leaks are possible' "$vg"
		ok $? "valgrind: rsyslogd with the module had no memory errors and no leaks" || diag "$vg"
	fi
}

# rs_stacks: every thread's stack of the running rsyslogd into the log (a
# hang is then diagnosed from the CI log alone), and its own last words.
rs_stacks() {
	if command -v gdb >/dev/null; then
		echo "# --- stacks of rsyslogd $RS_PID"
		timeout 60 gdb -p "$RS_PID" -batch -ex "thread apply all bt" 2>&1 |
			grep -E '^(Thread|#)' | head -n 200 | diag
	fi
	[ -f "$TB/rsyslogd.out" ] && { echo "# --- rsyslogd.out"; tail -n 20 "$TB/rsyslogd.out" | diag; }
}

# send_line TEXT...: one syslog line per argument over TCP.
send_line() {
	{
		for m in "$@"; do
			printf '<14>Nov 27 05:00:00 testhost testtag: %s\n' "$m"
		done
	} > "/dev/tcp/127.0.0.1/$TCP_PORT" || bail "cannot send to rsyslogd"
}
