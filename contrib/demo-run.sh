#!/bin/bash
# demo-run.sh BUILDDIR - run the demo against an existing build: the X API
# emulator on loopback, a private rsyslogd with conf-examples/demo.conf
# loading the module from BUILDDIR, one bird_alert line logged into it, and
# the post as the emulator received it.  Leaves nothing behind.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-$srcdir/_build}" && pwd)
module="$builddir/plugins/omtwitter/.libs/omtwitter.so"
python=/usr/bin/python3
rsyslogd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -f "$module" ] || { echo "demo: $module not built (run contrib/setup.sh)" >&2; exit 2; }

dir=$(mktemp -d /tmp/omtwitter-demo.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

wait_file() {
	for _ in $(seq 150); do [ -s "$1" ] && return 0; sleep 0.1; done
	echo "demo: timed out waiting for $1" >&2
	for f in "$dir"/*.log; do [ -f "$f" ] && tail -n 20 "$f" >&2; done
	return 1
}

# A made-up app and user: the emulator accepts exactly these keys.
rnd() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
umask 077
cat > "$dir/omtwitter.cred" <<CRED
consumer_key=demo$(rnd 21)
consumer_secret=$(rnd 32)
access_token=1234567890-$(rnd 30)
access_token_secret=$(rnd 32)
user_id=1234567890
screen_name=bird_alerts
CRED
umask 022

"$python" "$srcdir/tests/xapi-emulator.py" --credentials "$dir/omtwitter.cred" \
	--port 0 --port-file "$dir/emu.port" --record "$dir/record.jsonl" \
	--log "$dir/emulator.log" &
pids="$pids $!"
wait_file "$dir/emu.port"

export OMTWITTER_DEMO_DIR="$dir" OMTWITTER_MODULE="$module"
export OMTWITTER_ENDPOINT="http://127.0.0.1:$(cat "$dir/emu.port")"
"$rsyslogd" -N1 -f "$srcdir/conf-examples/demo.conf" > "$dir/check.log" 2>&1 ||
	{ cat "$dir/check.log" >&2; exit 1; }
RSYSLOG_DFLT_LOG_INTERNAL=1 "$rsyslogd" -n -C -i "$dir/rsyslogd.pid" \
	-f "$srcdir/conf-examples/demo.conf" > "$dir/rsyslogd.log" 2>&1 &
pids="$pids $!"
wait_file "$dir/tcp.port"

alert="bird_alert: BGP session with AS64500 on edge1 went down (hold timer expired)"
echo "== logging one line into rsyslogd (TCP port $(cat "$dir/tcp.port")):"
echo "   $alert"
logger --tcp -n 127.0.0.1 -P "$(cat "$dir/tcp.port")" -t bird "$alert"
wait_file "$dir/record.jsonl"
echo "== the X API emulator at $OMTWITTER_ENDPOINT received:"
"$python" "$srcdir/tests/integration/record.py" summary "$dir/record.jsonl"
