#!/bin/bash
# A central log server (conf-examples/central-server.conf) receives alert
# lines from two clients, one forwarding over RELP (client.conf) and one
# over plain TCP (client-tcp.conf), and posts them: three real rsyslogd
# instances on loopback, client -> server -> emulator.  The server is then
# stopped while the clients keep sending and started again: every alert
# arrives exactly once.  The examples run as shipped, with this test's
# paths, ports and endpoint, and flood control off (every alert a post).
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
mkdir -p "$TB/etc" "$TB/log"
write_creds "$TB/etc/omtwitter.cred"
TB_TIMEOUT=60

free_port() {
	"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
RELP_PORT=$(free_port)
TCPIN_PORT=$(free_port)

# instance NAME EXAMPLE-SED-ARGS...: $TB/NAME/rsyslog.conf from an example,
# with its own work directory, a TCP input for the test and its own log.
instance() {
	name=$1 example=$2
	shift 2
	mkdir -p "$TB/$name/spool"
	{
		cat <<-EOT
		global(workDirectory="$TB/$name/spool" processInternalMessages="on")
		module(load="imtcp")
		input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$TB/$name/tcp.port")
		if \$programname == "rsyslogd" or \$syslogtag startswith "rsyslogd" then {
			action(type="omfile" file="$TB/$name/rsyslogd.log")
			stop
		}
		EOT
		# the example's own imtcp load is the one above
		sed -e '/^module(load="imtcp")/d' \
		    -e "s|module(load=\"omtwitter\")|module(load=\"$OMTW_MODULE\")|" \
		    -e "s|/etc/rsyslog.d/|$TB/etc/|g" -e "s|/var/log/|$TB/log/|g" \
		    "$@" "$OMTW_SRCDIR/conf-examples/$example"
	} > "$TB/$name/rsyslog.conf"
	"$RSYSLOGD" -N1 -f "$TB/$name/rsyslog.conf" > "$TB/$name/check.out" 2>&1 ||
		bail "$name: $example does not load: $(cat "$TB/$name/check.out")"
}

start() { # NAME: sets PID_NAME and PORT_NAME
	rm -f "$TB/$1/tcp.port"
	"$RSYSLOGD" -n -C -i "$TB/$1/rsyslogd.pid" -f "$TB/$1/rsyslog.conf" >> "$TB/$1/rsyslogd.out" 2>&1 &
	eval "PID_$1=$!"
	TB_PIDS="$TB_PIDS $!"
	wait_for_file "$TB/$1/tcp.port" 15 || bail "rsyslogd $1 did not start"
	eval "PORT_$1=$(cat "$TB/$1/tcp.port")"
}

stop() { # NAME
	pid=$(eval echo "\$PID_$1")
	kill -TERM "$pid"
	tb_wait_exit "$pid" 60 || bail "rsyslogd $1 did not stop"
}

# send NAME HOST FROM TO: "bird_alert HOST-NNN" lines into instance NAME
send() {
	port=$(eval echo "\$PORT_$1")
	for i in $(seq -f %03g "$3" "$4"); do
		printf '<10>Nov 27 05:00:00 %s alertd: bird_alert %s-%s\n' "$2" "$2" "$i"
	done > "/dev/tcp/127.0.0.1/$port" || bail "cannot send to $1"
}

# arrived HOST FROM TO: each "HOST: bird_alert HOST-NNN" posted exactly once
arrived() {
	record texts --path /2/tweets --status 201 | "$PYTHON3" -c '
import sys
host, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
got = [l.rstrip("\n") for l in sys.stdin if l.startswith(host + ": ")]
want = ["%s: bird_alert %s-%03d" % (host, host, i) for i in range(lo, hi + 1)]
mine = [t for t in got if t in want]
print("# %s %d..%d: %d of %d arrived, %d posts in all" % (host, lo, hi, len(set(mine)), len(want), len(got)))
sys.exit(0 if sorted(mine) == want else 1)' "$@"
}

wait_arrived() { wait_until arrived "$@"; }

flood_off='ratelimit.interval="0" budget.daily="0" dedup.window="0"'
instance server central-server.conf \
	-e "s|port=\"20514\"|port=\"$RELP_PORT\"|" -e "s|port=\"10514\"|port=\"$TCPIN_PORT\"|" \
	-e "s|credentials=\"\\([^\"]*\\)\"|credentials=\"\\1\" endpoint=\"$EMU_URL\" $flood_off|" \
	-e "s|action.resumeInterval=\"10\"|action.resumeInterval=\"1\"|"
instance relpclient client.conf -e "s|alerts.example.net\" port=\"20514\"|127.0.0.1\" port=\"$RELP_PORT\"|" \
	-e "s|action.resumeInterval=\"5\"|action.resumeInterval=\"1\"|"
instance tcpclient client-tcp.conf -e "s|alerts.example.net\" port=\"10514\"|127.0.0.1\" port=\"$TCPIN_PORT\"|" \
	-e "s|action.resumeInterval=\"5\"|action.resumeInterval=\"1\"|"
grep -q "port=\"$RELP_PORT\"" "$TB/relpclient/rsyslog.conf" && grep -q "port=\"$TCPIN_PORT\"" "$TB/tcpclient/rsyslog.conf" &&
	grep -q "endpoint=\"$EMU_URL\"" "$TB/server/rsyslog.conf"
ok $? "the three instances run the shipped examples (ports and endpoint replaced)"

start server
start relpclient
start tcpclient

# 1. steady state
send relpclient relphost 1 10
send tcpclient tcphost 1 10
wait_arrived relphost 1 10; ok $? "client over RELP -> server -> X: 10 of 10 alerts, once each"
wait_arrived tcphost 1 10; ok $? "client over TCP -> server -> X: 10 of 10 alerts, once each"
[ "$(record count --path /2/tweets --verified --status 201)" -eq 20 ]
ok $? "20 signed posts, nothing else"

# 2. the server restarts (a package upgrade): the clients keep sending
stop server
send relpclient relphost 11 20
send tcpclient tcphost 11 20
sleep 3
start server
send relpclient relphost 21 30
send tcpclient tcphost 21 30
wait_arrived relphost 11 30; ok $? "over RELP across a server restart: 20 of 20 alerts, once each"
wait_arrived tcphost 11 30; ok $? "over TCP across a server restart: 20 of 20 alerts, once each"
[ "$(record count --path /2/tweets --status 201)" -eq 60 ]; ok $? "60 posts in all, no duplicate"

stop tcpclient
stop relpclient
stop server
no_secret "$TB"/*/*.log "$TB"/*/*.out
ok $? "no secret in any instance's log"
log_lacks "$TB/server/rsyslogd.log" 'omtwitter'
ok $? "the module logged no error on the server" || diag "$TB/server/rsyslogd.log"
tb_done
